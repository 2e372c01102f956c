/*
 * bench/bench_ingest.c: ingest speed and memory. For each file it times, in
 * the same process, (1) the baseline: reading the uncompressed bytes through
 * ab_input alone (zlib's inflate for .gz), (2) a full ingest into an event
 * log with everything on one core, and (3) the same with inflate on a
 * background thread (the default of ab_read_options). It prints events/s,
 * MB/s of uncompressed input and the ratio ingest/inflate, keeping the
 * fastest of --repeat runs after one warm-up. With --memory it ingests once
 * and prints peak RSS per event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "asbuilt/asbuilt.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int inflate_only(ab_ctx *ctx, const char *path, uint64_t *bytes_out, double *secs_out)
{
    ab_error err;
    ab_input *in;
    double t0 = now();
    if (ab_input_open(&in, ctx, path, &err) != AB_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return 1;
    }
    static char buf[1 << 20];
    uint64_t total = 0;
    ptrdiff_t n;
    while ((n = ab_input_read(in, buf, sizeof(buf), &err)) > 0) {
        total += (uint64_t)n;
    }
    ab_input_destroy(in);
    *secs_out = now() - t0;
    *bytes_out = total;
    return n < 0;
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
    int first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strncmp(argv[first], "--repeat=", 9) == 0) {
            repeat = atoi(argv[first] + 9);
        } else if (strcmp(argv[first], "--memory") == 0) {
            memory = 1;
        } else if (strcmp(argv[first], "--no-attributes") == 0) {
            keep_attrs = 0;
        } else {
            fprintf(stderr,
                    "usage: bench_ingest [--repeat=N] [--memory] [--no-attributes] FILE...\n");
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
    printf("file\tevents\tMB\tinflate_s\tmode\tingest_s\tevents_per_s\tMB_per_s\t"
           "ingest/inflate\n");
    for (int i = first; i < argc; i++) {
        double best_inf = 1e30, best_ing[2] = {1e30, 1e30};
        uint64_t bytes = 0, events = 0;
        for (int r = 0; r <= repeat; r++) {
            double s;
            if (inflate_only(ctx, argv[i], &bytes, &s) != 0) {
                return 1;
            }
            if (r > 0 && s < best_inf) {
                best_inf = s;
            }
            for (int t = 0; t < 2; t++) {
                if (ingest(ctx, argv[i], keep_attrs, t, &events, &s) != 0) {
                    return 1;
                }
                if (r > 0 && s < best_ing[t]) {
                    best_ing[t] = s;
                }
            }
        }
        for (int t = 0; t < 2; t++) {
            printf("%s\t%llu\t%.1f\t%.3f\t%s\t%.3f\t%.0f\t%.1f\t%.2f\n", argv[i],
                   (unsigned long long)events, (double)bytes / 1e6, best_inf,
                   t == 0 ? "one-thread" : "bg-inflate", best_ing[t],
                   (double)events / best_ing[t], (double)bytes / 1e6 / best_ing[t],
                   best_ing[t] / best_inf);
        }
    }
    ab_ctx_destroy(ctx);
    return 0;
}
