/*
 * tools/cmd_stats.c: `asbuilt stats LOG...`: what a log holds (cases,
 * events, activities, variants, time span, events per activity, top
 * variants) and how clean it is (records dropped by reason with their first
 * lines, timestamps coerced, duplicates, ties). Text by default, --json for
 * scripts. Counts follow PM4Py's defaults so they can be compared.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: asbuilt stats [options] LOG...\n"
    "\n"
    "Counts what an event log holds and how clean it is: cases, events, activities,\n"
    "variants (distinct activity sequences), time span, events per activity, the most\n"
    "frequent variants, and data quality (records dropped by reason with their first\n"
    "line numbers, timestamps read without a zone, duplicate events, tied timestamps).\n"
    "As in PM4Py, every event record counts and the activity is concept:name.\n"
    "\n"
    "Options:\n"
    "  --json                  machine-readable output\n"
    "  --top N                 variants to list (default 10; 0 for none)\n"
    "  --sod FILE              four-eyes counts for the pairs 'A,B' of FILE ('*' globs):\n"
    "                          per pair of activities, the cases with both and the cases\n"
    "                          where one resource did both\n"
    "  -o, --output FILE       write to FILE (atomically) instead of stdout\n"
    "  -q, --quiet             no progress display\n"
    "  -h, --help              this help\n"
    "\n"
    "%s"
    "\n"
    "Example:\n"
    "  asbuilt stats --json datasets/logs/pm4py_running-example.xes\n"
    "  asbuilt stats --lifecycle complete export1.csv.gz export2.csv.gz\n";

/* The four-eyes counts: a "sod" section of the JSON (before its closing
 * brace) or a few text lines. */
static int render_sod(ab_buf *b, ab_ctx *ctx, const ab_sod_rules *rules, const ab_sod_counts *c,
                      int json)
{
    int rc = AB_OK;
    uint32_t n = ab_sod_pair_count(c);
    if (!json) {
        rc = ab_buf_printf(b, ctx, "\nSegregation of duties (%u pairs):\n", n);
        for (uint32_t i = 0; rc == AB_OK && i < n; i++) {
            const ab_sod_pair *p = ab_sod_pair_at(c, i);
            rc = ab_buf_printf(b, ctx, "  %s / %s: %llu cases with both, %llu by one resource\n",
                               p->a, p->b, (unsigned long long)p->with_both,
                               (unsigned long long)p->same_resource);
        }
        return rc;
    }
    /* The JSON ends with "}\n": the section goes before it. */
    while (b->len > 0 && (b->ptr[b->len - 1] == '\n' || b->ptr[b->len - 1] == '}')) {
        int brace = b->ptr[b->len - 1] == '}';
        b->len--;
        if (brace) {
            break;
        }
    }
    rc = ab_buf_printf(b, ctx, ",\n  \"sod\": {\"rules\": [");
    for (uint32_t i = 0; rc == AB_OK && i < ab_sod_rule_count(rules); i++) {
        rc = ab_buf_printf(b, ctx, "%s", i ? ", " : "");
        rc = rc == AB_OK ? ab_buf_append_json_string(b, ctx, ab_sod_rule_text(rules, i)) : rc;
    }
    rc = rc == AB_OK ? ab_buf_printf(b, ctx, "], \"pairs\": [") : rc;
    for (uint32_t i = 0; rc == AB_OK && i < n; i++) {
        const ab_sod_pair *p = ab_sod_pair_at(c, i);
        rc = ab_buf_printf(b, ctx, "%s\n    {\"a\": ", i ? "," : "");
        rc = rc == AB_OK ? ab_buf_append_json_string(b, ctx, p->a) : rc;
        rc = rc == AB_OK ? ab_buf_printf(b, ctx, ", \"b\": ") : rc;
        rc = rc == AB_OK ? ab_buf_append_json_string(b, ctx, p->b) : rc;
        rc = rc == AB_OK ? ab_buf_printf(b, ctx, ", \"with_both\": %llu, \"same_resource\": %llu}",
                                         (unsigned long long)p->with_both,
                                         (unsigned long long)p->same_resource)
                         : rc;
    }
    return rc == AB_OK ? ab_buf_printf(b, ctx, "%s]}\n}\n", n ? "\n  " : "") : rc;
}

static int render_text(ab_buf *b, ab_ctx *ctx, const ab_stats_view *v, const char *const *files,
                       int nfiles)
{
    int rc = AB_OK;
#define P(...)                                                                                     \
    do {                                                                                           \
        if (rc == AB_OK) {                                                                         \
            rc = ab_buf_printf(b, ctx, __VA_ARGS__);                                               \
        }                                                                                          \
    } while (0)
    P("log        %s%s (%s)\n", files[0], nfiles > 1 ? " and more" : "",
      v->format ? v->format : "?");
    P("cases      %u\n", v->cases);
    P("events     %llu\n", (unsigned long long)v->events);
    P("activities %u\n", v->activities);
    P("variants   %u\n", v->variants);
    P("resources  %u\n", v->resources);
    if (v->first != AB_TIME_NONE) {
        char t1[40], t2[40];
        ab_time_format(v->first, t1, sizeof(t1));
        ab_time_format(v->last, t2, sizeof(t2));
        P("time span  %s .. %s (%.1f days)\n", t1, t2, (double)(v->last - v->first) / 86400e6);
    } else {
        P("time span  none (the log has no timestamps; events kept in file order)\n");
    }
    P("\nevents per activity\n");
    for (uint32_t a = 0; a < v->activities; a++) {
        uint64_t ev = v->activity_events[a];
        P("  %10llu  %5.1f%%  %s\n", (unsigned long long)ev,
          v->events ? 100.0 * (double)ev / (double)v->events : 0.0, v->activity_names[a]);
    }
    if (v->top_count > 0) {
        P("\ntop variants (cases, share, length: activities)\n");
        for (uint32_t k = 0; k < v->top_count; k++) {
            const ab_stats_variant *x = &v->top[k];
            P("  %8u  %5.1f%%  %3u: ", x->cases, 100.0 * x->cases / v->cases, x->length);
            for (uint32_t i = 0; i < x->length && i < 12; i++) {
                P("%s%s", i ? " > " : "", x->activities[i]);
            }
            P("%s\n", x->length > 12 ? " > ..." : "");
        }
    }
    const ab_data_quality *dq = v->dq;
    P("\ndata quality (%llu input records)\n", (unsigned long long)dq->records);
    int any = 0;
    for (int r = 0; r < AB_DROP__COUNT; r++) {
        const ab_dq_entry *e = &dq->dropped[r];
        if (e->count == 0) {
            continue;
        }
        any = 1;
        P("  dropped %-22s %llu (first lines:", ab_drop_reason_name((ab_drop_reason)r),
          (unsigned long long)e->count);
        for (uint32_t k = 0; k < e->line_count; k++) {
            P(" %llu", (unsigned long long)e->lines[k]);
        }
        P(")\n");
    }
    if (!any) {
        P("  no record dropped\n");
    }
    P("  timestamps without zone       %llu\n", (unsigned long long)dq->timestamps_coerced);
    P("  duplicate events              %llu\n", (unsigned long long)dq->duplicate_events);
    P("  cases with tied timestamps    %llu\n",
      (unsigned long long)dq->cases_with_equal_timestamps);
    if (dq->events_without_timestamp > 0) {
        P("  events without timestamp      %llu (file order kept)\n",
          (unsigned long long)dq->events_without_timestamp);
    }
#undef P
    return rc;
}

int cmd_stats(int argc, char **argv)
{
    const char *cmd = "stats";
    cli_log_opts o;
    cli_log_opts_init(&o);
    int json = 0;
    long top = 10;
    const char *output = NULL, *sod_file = NULL;
    const char **files = calloc((size_t)argc + 1, sizeof(*files));
    int nfiles = 0;
    if (files == NULL) {
        return cli_report_status(AB_ENOMEM, NULL);
    }
    int rc = EXIT_OK;
    cli_args opt;
    cli_args_start(&opt, cmd, argc, argv);
    while (cli_next(&opt)) {
        if (cli_flag(&opt, "-h", "--help")) {
            printf(help, cli_log_opts_help);
            free(files);
            return EXIT_OK;
        }
        if (cli_flag(&opt, "--json", NULL)) {
            json = 1;
        } else if (cli_value(&opt, "--top", NULL)) {
            unsigned long long n;
            if (cli_number(&opt, 0, UINT32_MAX, &n)) {
                top = (long)n;
            }
        } else if (cli_value(&opt, "--output", "-o")) {
            output = opt.v;
        } else if (cli_value(&opt, "--sod", NULL)) {
            sod_file = opt.v;
        } else {
            cli_log_arg(&opt, &o, files, &nfiles);
        }
    }
    if (opt.bad) {
        rc = EXIT_USAGE;
        goto done;
    }
    if (nfiles == 0) {
        rc = cli_usage_error(cmd, "no log file given");
        goto done;
    }
    ab_ctx *ctx = cli_ctx();
    if (ctx == NULL) {
        rc = EXIT_IO;
        goto done;
    }
    ab_log *log = NULL;
    ab_sod_rules *rules = NULL;
    ab_sod_counts *counts = NULL;
    if (sod_file != NULL) {
        ab_error err;
        ab_error_clear(&err);
        int st = ab_sod_read(&rules, ctx, sod_file, &err);
        if (st != AB_OK) {
            rc = cli_report_status(st, &err);
            ab_ctx_destroy(ctx);
            goto done;
        }
    }
    /* Four-eyes counts need the log; the rest can be counted without one. */
    ab_stats_view view;
    memset(&view, 0, sizeof(view));
    if (rules != NULL) {
        rc = cli_load_log(ctx, &o, files, nfiles, &log);
        if (rc == EXIT_OK && ab_stats_view_of(&view, ctx, log, (uint32_t)top) != AB_OK) {
            rc = cli_report_status(AB_ENOMEM, NULL);
        }
    } else {
        rc = cli_load_stats(ctx, &o, files, nfiles, (uint32_t)top, &view, &log);
    }
    if (rc == EXIT_OK) {
        ab_buf out = AB_BUF_INIT;
        int st = json ? ab_stats_view_write_json(&out, ctx, &view, files, (size_t)nfiles,
                                                 o.log.lifecycle)
                      : render_text(&out, ctx, &view, files, nfiles);
        if (st == AB_OK && rules != NULL) {
            ab_error err;
            ab_error_clear(&err);
            st = ab_sod_count(&counts, ctx, rules, log, &err);
            st = st == AB_OK ? render_sod(&out, ctx, rules, counts, json) : st;
        }
        if (st != AB_OK) {
            fprintf(stderr, "asbuilt: out of memory\n");
            rc = EXIT_IO;
        } else {
            rc = cli_write_output(output, &out);
        }
        ab_buf_dispose(&out);
    }
    cli_release_stats(ctx, &view, log);
    log = NULL;
    ab_sod_counts_destroy(counts);
    ab_sod_destroy(rules);
    ab_log_destroy(log);
    cli_log_opts_dispose(&o);
    ab_ctx_destroy(ctx);
done:
    free(files);
    return rc;
}
