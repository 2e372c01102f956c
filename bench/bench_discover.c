/*
 * bench/bench_discover.c: what discovery costs beside ingest. For each file
 * it times an ingest and then ab_dfg_discover() on the finished log, and
 * prints both and their ratio (best of --repeat). With --one-pass it reads
 * the file once through a case sink into a sketch accumulator, never
 * keeping the events, and prints the time, the accumulator's own bytes and
 * the peak RSS of the process (run one file per process to compare sizes).
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

static void report(const char *path, const ab_error *err)
{
    char msg[1024];
    ab_error_format(err, msg, sizeof(msg));
    fprintf(stderr, "%s: %s\n", path, msg);
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss * 1024.0 / 1e6;
}

typedef struct one_pass {
    ab_dfg_acc *acc;
    const ab_log_builder *b;
    uint64_t events;
} one_pass;

static const char *op_name(uint32_t id, size_t *len_out, void *payload)
{
    const one_pass *op = payload;
    return ab_log_builder_activity_name(op->b, id, len_out);
}

static int op_case(const ab_case_out *c, void *payload, ab_error *err)
{
    one_pass *op = payload;
    op->b = c->builder;
    op->events += c->length;
    ab_dfg_case v = {c->case_id, c->case_id_len, c->length, c->activity,
                     c->ts,      c->start,       c->lifecycle};
    return ab_dfg_acc_add_case(op->acc, &v, err);
}

static int run_one_pass(ab_ctx *ctx, const char *path)
{
    ab_dfg_options o = AB_DFG_OPTIONS_INIT;
    o.quantiles = AB_DFG_SKETCH;
    one_pass op = {NULL, NULL, 0};
    ab_error err;
    if (ab_dfg_acc_create(&op.acc, ctx, &o, op_name, &op) != AB_OK) {
        return 1;
    }
    ab_read_options ro = AB_READ_OPTIONS_INIT;
    ro.log.case_sink = op_case;
    ro.log.case_sink_payload = &op;
    ab_log *summary;
    double t0 = now();
    if (ab_ingest_files(&summary, ctx, &path, 1, &ro, &err) != AB_OK) {
        report(path, &err);
        ab_dfg_acc_destroy(op.acc);
        return 1;
    }
    size_t acc_bytes = ab_dfg_acc_memory(op.acc);
    ab_dfg *dfg;
    if (ab_dfg_acc_finish(op.acc, &dfg, &err) != AB_OK) {
        report(path, &err);
        ab_log_destroy(summary);
        return 1;
    }
    double secs = now() - t0;
    printf("%s\t%llu events\t%llu variants\tone-pass %.3f s\t%.0f events/s\taccumulator %.1f MB"
           "\tpeak RSS %.1f MB\n",
           path, (unsigned long long)op.events,
           (unsigned long long)ab_dfg_get_info(dfg)->variants_total, secs,
           (double)op.events / secs, (double)acc_bytes / 1e6, peak_rss_mb());
    ab_dfg_destroy(dfg);
    ab_log_destroy(summary);
    return 0;
}

int main(int argc, char **argv)
{
    int repeat = 3, one_pass_mode = 0;
    int first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strncmp(argv[first], "--repeat=", 9) == 0) {
            repeat = atoi(argv[first] + 9);
        } else if (strcmp(argv[first], "--one-pass") == 0) {
            one_pass_mode = 1;
        } else {
            fprintf(stderr, "usage: bench_discover [--repeat=N] [--one-pass] FILE...\n");
            return 2;
        }
    }
    ab_ctx *ctx;
    if (ab_ctx_create(&ctx, NULL) != AB_OK) {
        return 1;
    }
    int rc = 0;
    if (one_pass_mode) {
        for (int i = first; i < argc && rc == 0; i++) {
            rc = run_one_pass(ctx, argv[i]);
        }
        ab_ctx_destroy(ctx);
        return rc;
    }
    printf("file\tevents\tingest_s\tdiscover_s\tdiscover/ingest\n");
    for (int i = first; i < argc && rc == 0; i++) {
        double best_ing = 1e30, best_dis = 1e30;
        uint64_t events = 0;
        for (int r = 0; r < repeat && rc == 0; r++) {
            ab_error err;
            ab_log *log;
            const char *path = argv[i];
            double t0 = now();
            if (ab_ingest_files(&log, ctx, &path, 1, NULL, &err) != AB_OK) {
                report(path, &err);
                rc = 1;
                break;
            }
            double t1 = now();
            ab_dfg *dfg;
            if (ab_dfg_discover(&dfg, ctx, log, NULL, &err) != AB_OK) {
                report(path, &err);
                ab_log_destroy(log);
                rc = 1;
                break;
            }
            double t2 = now();
            events = ab_log_event_count(log);
            ab_dfg_destroy(dfg);
            ab_log_destroy(log);
            best_ing = t1 - t0 < best_ing ? t1 - t0 : best_ing;
            best_dis = t2 - t1 < best_dis ? t2 - t1 : best_dis;
        }
        if (rc == 0) {
            printf("%s\t%llu\t%.3f\t%.3f\t%.3f\n", argv[i], (unsigned long long)events, best_ing,
                   best_dis, best_dis / best_ing);
        }
    }
    ab_ctx_destroy(ctx);
    return rc;
}
