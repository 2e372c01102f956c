/*
 * bench/bench_who.c: what the who-did-the-work checks add to a whole diff.
 * Runs the diff pipeline on one log and map as `asbuilt diff` does (read
 * the log, compile and map the map, align, compute the gap, write the JSON
 * report and the case lines) and times, inside the same run, the part that
 * is the resource perspective: the gap's "who did the work" phase (from the
 * progress callback to the end of ab_gap_compute) and the who parts of the
 * writers (the "who" object and every case line's "who" key, written again
 * on their own into a buffer that has the room). Prints the whole run, the who part, and who /
 * (whole - who): the overhead over a diff without the checks. Best of --repeat runs.
 *
 *   bench_who [--repeat=N] [--threads=N] LOG MAP.bpmn [ROLES|-] [SOD|-] [SYSTEM_GLOBS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asbuilt/asbuilt.h"
#include "gap/gap_int.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double who_started;

static void on_phase(const char *phase, uint64_t done, uint64_t total, void *payload)
{
    (void)done;
    (void)total;
    (void)payload;
    if (strcmp(phase, "who did the work") == 0 && who_started == 0) {
        who_started = now();
    }
}

static void die(const char *what, const ab_error *err)
{
    fprintf(stderr, "bench_who: %s: %s\n", what, err != NULL ? err->msg : "failed");
    exit(1);
}

int main(int argc, char **argv)
{
    int repeat = 3;
    unsigned threads = 2;
    const char *pos[5] = {NULL, NULL, NULL, NULL, NULL};
    int np = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--repeat=", 9) == 0) {
            repeat = atoi(argv[i] + 9);
        } else if (strncmp(argv[i], "--threads=", 10) == 0) {
            threads = (unsigned)atoi(argv[i] + 10);
        } else if (np < 5) {
            pos[np++] = argv[i];
        }
    }
    if (np < 2) {
        fprintf(stderr, "usage: bench_who [--repeat=N] [--threads=N] LOG MAP [ROLES|-] [SOD|-] "
                        "[SYSTEM]\n");
        return 2;
    }
    ab_who_options who = AB_WHO_OPTIONS_INIT;
    who.roles_file = pos[2] != NULL && strcmp(pos[2], "-") != 0 ? pos[2] : NULL;
    who.sod_file = pos[3] != NULL && strcmp(pos[3], "-") != 0 ? pos[3] : NULL;
    who.system_resources = pos[4];
    double best_whole = 1e300, best_who = 0;
    for (int rep = 0; rep < repeat; rep++) {
        ab_ctx *ctx = NULL;
        ab_error err;
        ab_error_clear(&err);
        if (ab_ctx_create(&ctx, NULL) != AB_OK) {
            die("context", NULL);
        }
        double t0 = now();
        ab_log *log = NULL;
        ab_read_options ro = AB_READ_OPTIONS_INIT;
        if (ab_ingest_files(&log, ctx, &pos[0], 1, &ro, &err) != AB_OK) {
            die(pos[0], &err);
        }
        ab_bpmn *model = NULL;
        ab_net *net = NULL, *rel = NULL;
        if (ab_bpmn_read(&model, ctx, pos[1], NULL, &err) != AB_OK ||
            ab_net_compile(&net, ctx, model, NULL, &err) != AB_OK) {
            die(pos[1], &err);
        }
        uint32_t na = ab_log_activity_count(log);
        const char **acts = calloc(na + 1, sizeof(*acts));
        for (uint32_t a = 0; a < na; a++) {
            acts[a] = ab_log_activity_name(log, a);
        }
        ab_bpmn_mapping *map = NULL;
        ab_bpmn_map_options mo = AB_BPMN_MAP_OPTIONS_INIT;
        if (ab_bpmn_map_create(&map, ctx, ab_net_labels(net), ab_net_label_count(net), acts, na,
                               &mo, &err) != AB_OK ||
            ab_net_relabel(&rel, net, map, &err) != AB_OK) {
            die("mapping", &err);
        }
        free(acts);
        ab_conform *conf = NULL;
        ab_conform_options co = AB_CONFORM_OPTIONS_INIT;
        co.threads = threads;
        co.check_ambiguity = 1;
        if (ab_conform_run(&conf, ctx, log, rel, &co, &err) != AB_OK) {
            die("conform", &err);
        }
        ab_gap_options go = AB_GAP_OPTIONS_INIT;
        go.threads = threads;
        go.model = model;
        go.mapping = map;
        go.who = &who;
        go.progress = on_phase;
        who_started = 0;
        ab_gap *gap = NULL;
        if (ab_gap_compute(&gap, ctx, log, rel, conf, &go, &err) != AB_OK) {
            die("gap", &err);
        }
        double t_gap = now();
        ab_buf j = AB_BUF_INIT, c = AB_BUF_INIT;
        if (ab_gap_write_json(gap, &j, &err) != AB_OK ||
            ab_gap_write_cases(gap, &c, &err) != AB_OK) {
            die("write", &err);
        }
        double t_end = now();
        /* The who parts of the writers, again on their own, into a buffer
         * that already has the room (as the report's own buffers have, the
         * who parts being a share of them): written once to size it, then
         * timed. */
        ab_buf x = AB_BUF_INIT;
        ab__gw w = {&x, ctx, AB_OK};
        double t_w = 0;
        for (int pass = 0; pass < 2; pass++) {
            x.len = 0;
            double t_w0 = now();
            ab__who_json(&w, gap);
            ab__who_json_summary(&w, gap);
            for (uint32_t k = 0; k < ab_log_case_count(log); k++) {
                ab__who_json_case(&w, gap, k);
            }
            t_w = now() - t_w0;
        }
        double whole = t_end - t0;
        double who_part = (t_gap - who_started) + t_w;
        fprintf(stderr, "run %d: whole %.3f s, who %.3f s (compute %.3f, writers %.3f)\n", rep + 1,
                whole, who_part, t_gap - who_started, t_w);
        if (whole < best_whole) {
            best_whole = whole;
            best_who = who_part;
        }
        ab_buf_dispose(&x);
        ab_buf_dispose(&j);
        ab_buf_dispose(&c);
        ab_gap_destroy(gap);
        ab_conform_destroy(conf);
        ab_net_destroy(rel);
        ab_bpmn_map_destroy(map);
        ab_net_destroy(net);
        ab_bpmn_destroy(model);
        ab_log_destroy(log);
        ab_ctx_destroy(ctx);
    }
    printf("| cases | whole diff (s) | who checks (s) | diff without them (s) | overhead |\n");
    printf("|---|---|---|---|---|\n");
    printf("| %s | %.2f | %.2f | %.2f | %.1f%% |\n", pos[0], best_whole, best_who,
           best_whole - best_who, 100.0 * best_who / (best_whole - best_who));
    return 0;
}
