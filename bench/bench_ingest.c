/*
 * bench/bench_ingest.c: ingest speed and memory. For each file it times, in
 * the same process, (1) the baselines: reading the uncompressed bytes
 * through ab_input alone, with zlib's inflate and with the build's (ISA-L's
 * when built in), (2) a full ingest into an event log with everything on one
 * core, with zlib and with the build's inflater, and (3) the same with
 * inflate on a background thread (the default of ab_read_options). It prints
 * events/s, MB/s of uncompressed input and the ratio of ingest to the floor
 * (for XES, inflate plus libxml2's SAX2 parser with empty callbacks on one
 * thread; for CSV, inflate alone), keeping the fastest of --repeat runs after one warm-up. With
 * --memory it ingests once and prints peak RSS per event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "asbuilt/asbuilt.h"
#include "core/core_int.h"

#include <libxml/parser.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The floor for XES: libxml2's SAX2 push parser with empty callbacks over
 * the same bytes (build's inflater), in the reader's chunk size. */
static void sax_nop_start(void *ctx, const xmlChar *ln, const xmlChar *prefix, const xmlChar *uri,
                          int nns, const xmlChar **ns, int natts, int ndef, const xmlChar **atts)
{
    (void)ctx, (void)ln, (void)prefix, (void)uri, (void)nns, (void)ns, (void)natts, (void)ndef,
        (void)atts;
}

static void sax_nop_end(void *ctx, const xmlChar *ln, const xmlChar *prefix, const xmlChar *uri)
{
    (void)ctx, (void)ln, (void)prefix, (void)uri;
}

/*
 * Reads the file through ab_input (the context's inflater) in 64 KiB chunks,
 * the XES reader's size; with sax, hands them to libxml2's SAX2 push parser
 * with empty callbacks. The baselines: inflate alone, and the XES floor.
 */
static int read_through(ab_ctx *ctx, const char *path, int sax, uint64_t *bytes_out,
                        double *secs_out)
{
    ab_error err;
    ab_input *in;
    double t0 = now();
    if (ab_input_open(&in, ctx, path, &err) != AB_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return 1;
    }
    xmlParserCtxtPtr x = NULL;
    if (sax) {
        xmlSAXHandler h;
        memset(&h, 0, sizeof(h));
        h.initialized = XML_SAX2_MAGIC;
        h.startElementNs = sax_nop_start;
        h.endElementNs = sax_nop_end;
        x = xmlCreatePushParserCtxt(&h, NULL, NULL, 0, path);
        xmlCtxtUseOptions(x, XML_PARSE_NONET);
    }
    static char buf[64 * 1024];
    uint64_t total = 0;
    ptrdiff_t n;
    while ((n = ab_input_read(in, buf, sizeof(buf), &err)) > 0) {
        total += (uint64_t)n;
        if (x != NULL) {
            xmlParseChunk(x, buf, (int)n, 0);
        }
    }
    int bad = 0;
    if (x != NULL) {
        xmlParseChunk(x, NULL, 0, 1);
        bad = !x->wellFormed;
        xmlFreeParserCtxt(x);
    }
    ab_input_destroy(in);
    *secs_out = now() - t0;
    *bytes_out = total;
    return n < 0 || bad;
}

static int ingest(ab_ctx *ctx, const char *path, int keep_attrs, int thread,
                  uint64_t *events_out, double *secs_out)
{
    ab_error err;
    ab_read_options o = AB_READ_OPTIONS_INIT;
    o.log.keep_attributes = keep_attrs;
    o.inflate_thread = thread;
    ab_log *log;
    double t0 = now();
    if (ab_ingest_files(&log, ctx, &path, 1, &o, &err) != AB_OK) {
        char msg[1024];
        ab_error_format(&err, msg, sizeof(msg));
        fprintf(stderr, "%s\n", msg);
        return 1;
    }
    *secs_out = now() - t0;
    *events_out = ab_log_event_count(log);
    ab_log_destroy(log);
    return 0;
}

int main(int argc, char **argv)
{
    int repeat = 3, memory = 0, keep_attrs = 1;
    const char *only = NULL; /* --mode=NAME: time that mode alone (for profiling). */
    int first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strncmp(argv[first], "--repeat=", 9) == 0) {
            repeat = atoi(argv[first] + 9);
        } else if (strncmp(argv[first], "--mode=", 7) == 0) {
            only = argv[first] + 7;
        } else if (strcmp(argv[first], "--memory") == 0) {
            memory = 1;
        } else if (strcmp(argv[first], "--no-attributes") == 0) {
            keep_attrs = 0;
        } else {
            fprintf(stderr, "usage: bench_ingest [--repeat=N] "
                            "[--mode=one-thread[-zlib]|bg-inflate[-zlib]|floor]\n"
                            "                    [--memory] [--no-attributes] FILE...\n");
            return 2;
        }
    }
    ab_ctx *ctx;
    if (ab_ctx_create(&ctx, NULL) != AB_OK) {
        return 1;
    }
    if (memory) {
        for (int i = first; i < argc; i++) {
            uint64_t events;
            double secs;
            if (ingest(ctx, argv[i], keep_attrs, 1, &events, &secs) != 0) {
                return 1;
            }
            struct rusage ru;
            getrusage(RUSAGE_SELF, &ru);
            double peak = (double)ru.ru_maxrss * 1024.0;
            printf("%s\t%llu events\tpeak RSS %.1f MB\t%.1f bytes/event\n", argv[i],
                   (unsigned long long)events, peak / 1e6, peak / (double)events);
        }
        ab_ctx_destroy(ctx);
        return 0;
    }
    /* Modes: zlib or the build's inflater, on the reader's thread or on a
     * background thread. */
    enum { MODES = 4 };
    static const char *const mode[MODES] = {"one-thread-zlib", "one-thread", "bg-inflate-zlib",
                                            "bg-inflate"};
    printf("inflater: %s\n", ab__have_isal() ? "ISA-L" : "zlib");
    printf("file\tevents\tMB\tinflate_zlib_s\tinflate_s\tfloor_s\tmode\tingest_s\t"
           "events_per_s\tMB_per_s\tingest/floor\n");
    for (int i = first; i < argc; i++) {
        /* The floor: inflate alone for CSV; for XES, inflate and libxml2's
         * SAX2 parser with empty callbacks, all on one thread. */
        int xes = strstr(argv[i], ".xes") != NULL;
        double best_inf[2] = {1e30, 1e30}, best_floor = 1e30, best_ing[MODES] = {1e30, 1e30, 1e30, 1e30};
        uint64_t bytes = 0, events = 0;
        for (int r = 0; r <= repeat; r++) {
            double s;
            for (int z = 0; z < 2 && only == NULL; z++) {
                ab__ctx_use_zlib(ctx, z == 0);
                if (read_through(ctx, argv[i], 0, &bytes, &s) != 0) {
                    return 1;
                }
                if (r > 0 && s < best_inf[z]) {
                    best_inf[z] = s;
                }
            }
            ab__ctx_use_zlib(ctx, false);
            if (xes && (only == NULL || strcmp(only, "floor") == 0)) {
                if (read_through(ctx, argv[i], 1, &bytes, &s) != 0) {
                    return 1;
                }
                if (r > 0 && s < best_floor) {
                    best_floor = s;
                }
            }
            for (int t = 0; t < MODES; t++) {
                if (only != NULL && strcmp(only, mode[t]) != 0) {
                    continue;
                }
                ab__ctx_use_zlib(ctx, t % 2 == 0);
                if (ingest(ctx, argv[i], keep_attrs, t >= 2, &events, &s) != 0) {
                    return 1;
                }
                if (r > 0 && s < best_ing[t]) {
                    best_ing[t] = s;
                }
            }
        }
        if (!xes) {
            best_floor = best_inf[1];
        }
        if (only != NULL && strcmp(only, "floor") == 0) {
            printf("%s\t-\t%.1f\t-\t-\t%.3f\tfloor\t-\t-\t-\t-\n", argv[i], (double)bytes / 1e6,
                   best_floor);
        }
        for (int t = 0; t < MODES; t++) {
            if (only != NULL && strcmp(only, mode[t]) != 0) {
                continue;
            }
            if (only != NULL) {
                /* Profiling one mode: no baselines were run. */
                printf("%s\t%llu\t-\t-\t-\t-\t%s\t%.3f\t%.0f\t-\t-\n", argv[i],
                       (unsigned long long)events, mode[t], best_ing[t],
                       (double)events / best_ing[t]);
                continue;
            }
            printf("%s\t%llu\t%.1f\t%.3f\t%.3f\t%.3f\t%s\t%.3f\t%.0f\t%.1f\t%.2f\n", argv[i],
                   (unsigned long long)events, (double)bytes / 1e6, best_inf[0], best_inf[1],
                   best_floor, mode[t], best_ing[t], (double)events / best_ing[t],
                   (double)bytes / 1e6 / best_ing[t], best_ing[t] / best_floor);
        }
        ab__ctx_use_zlib(ctx, false);
    }
    ab_ctx_destroy(ctx);
    return 0;
}
