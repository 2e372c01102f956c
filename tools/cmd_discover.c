/*
 * tools/cmd_discover.c: `asbuilt discover LOG...`: the as-is process of a
 * log as a directly-follows graph with frequencies and hand-over times,
 * start and end activities, variants, self-loops and rework cycles, written
 * as JSON, Graphviz DOT, SVG or PM4Py's .dfg format, with filters for a
 * readable map. With --one-pass the cases go from the reader straight to the
 * accumulator, so a log far larger than memory can be summarised.
 */
#include <stdlib.h>
#include <string.h>

#include "asbuilt/discover.h"
#include "cli.h"

static const char help[] =
    "usage: asbuilt discover [options] LOG...\n"
    "\n"
    "Shows how the process really runs: the directly-follows graph (for every pair of\n"
    "activities a -> b, how often b directly follows a, in how many cases, and the time\n"
    "from the completion of a to the start of b: min, median, mean, p90, max), start and\n"
    "end activities, events, cases and service times per activity, the variants with\n"
    "their cases, share, median cycle time and example cases, and where work loops\n"
    "back (self-loops and rework cycles). As in PM4Py, every event counts, in the order\n"
    "of its timestamp; --lifecycle complete keeps completions only, and --instances\n"
    "draws activity instances.\n"
    "\n"
    "Options:\n"
    "  --format F              json (default), dot (Graphviz), svg (a picture laid out\n"
    "                          by asbuilt) or dfg (PM4Py's .dfg text format)\n"
    "  --min-edge-cases N      leave out edges (and start/end edges) seen in fewer than\n"
    "                          N cases\n"
    "  --top-variants K        only the cases of the K most frequent variants\n"
    "  --activities P[%%]       only the most frequent activities that hold P%% of the\n"
    "                          events; the others are removed from each case first, so\n"
    "                          a -> x -> b becomes a -> b\n"
    "  --examples N            example case ids per variant (default 3, at most 16)\n"
    "  --variants N            variants listed, the most frequent first (default 100;\n"
    "                          0 lists all)\n"
    "  --instances             draw activity instances, not events: a lifecycle start and\n"
    "                          the next completion of the same activity in the case are\n"
    "                          one instance (as diff pairs them), so an edge a -> b is the\n"
    "                          wait from a's completion to b's start and each activity\n"
    "                          carries its service time; without it a start/complete log\n"
    "                          has an a -> a edge from each start to its completion\n"
    "  --sketch                approximate median and p90 (within 0.8%%) in memory that\n"
    "                          does not grow with the events, as a one-pass run would\n"
    "  --one-pass              summarise while reading, without keeping the events: the\n"
    "                          log must be grouped by case (XES traces, or a CSV sorted\n"
    "                          by case; a case met again after another one stops the\n"
    "                          run with exit code 3). Implies --sketch; the output is\n"
    "                          the same as with --sketch. Not with --top-variants or\n"
    "                          --activities. One XES file: each trace is a case, as in\n"
    "                          PM4Py, and memory stays flat as the events grow; several\n"
    "                          files or a CSV: 16 bytes per case check the grouping\n"
    "  --network handover      the handover-of-work network instead of the map: how\n"
    "                          often resource B did a case's next event after resource A\n"
    "                          (events without a resource left out first, as PM4Py's\n"
    "                          discover_handover_of_work_network); formats json, csv, dot\n"
    "  -o, --output FILE       write to FILE (atomically) instead of stdout\n"
    "  -q, --quiet             no progress display\n"
    "  -h, --help              this help\n"
    "\n"
    "%s"
    "\n"
    "Durations are in seconds; percentiles interpolate linearly between order\n"
    "statistics (numpy's default). Output is byte-identical for the same data.\n"
    "\n"
    "Examples:\n"
    "  asbuilt discover datasets/logs/pm4py_running-example.xes\n"
    "  asbuilt discover --format svg -o map.svg --min-edge-cases 5 log.xes.gz\n"
    "  asbuilt discover --format dot --activities 80%% log.csv | dot -Tpng -o map.png\n";

/* One-pass reading: the builder hands each case to the accumulator. */
typedef struct one_pass {
    ab_dfg_acc *acc;
    const ab_log_builder *builder; /* Set at the first case; names activity ids. */
} one_pass;

static const char *one_pass_name(uint32_t id, size_t *len_out, void *payload)
{
    const one_pass *op = payload;
    return op->builder != NULL ? ab_log_builder_activity_name(op->builder, id, len_out) : NULL;
}

static int one_pass_case(const ab_case_out *c, void *payload, ab_error *err)
{
    one_pass *op = payload;
    op->builder = c->builder;
    ab_dfg_case v = {c->case_id, c->case_id_len, c->length, c->activity,
                     c->ts,      c->start,       c->lifecycle};
    return ab_dfg_acc_add_case(op->acc, &v, err);
}

int cmd_discover(int argc, char **argv)
{
    const char *cmd = "discover";
    cli_log_opts o;
    cli_log_opts_init(&o);
    ab_dfg_options dopts = AB_DFG_OPTIONS_INIT;
    dopts.max_variants = 100;
    const char *format = "json";
    const char *output = NULL;
    int one_pass_mode = 0, handover = 0;
    const char **files = calloc((size_t)argc + 1, sizeof(*files));
    int nfiles = 0;
    if (files == NULL) {
        return cli_report_status(AB_ENOMEM, NULL);
    }
    int rc = EXIT_OK;
    cli_args opt;
    cli_args_start(&opt, cmd, argc, argv);
    while (cli_next(&opt)) {
        unsigned long long n;
        if (cli_flag(&opt, "-h", "--help")) {
            printf(help, cli_log_opts_help);
            goto done;
        }
        if (cli_flag(&opt, "--sketch", NULL)) {
            dopts.quantiles = AB_DFG_SKETCH;
        } else if (cli_flag(&opt, "--instances", NULL)) {
            dopts.instances = 1;
        } else if (cli_flag(&opt, "--one-pass", NULL)) {
            one_pass_mode = 1;
        } else if (cli_value(&opt, "--format", NULL)) {
            const char *v = opt.v;
            if (strcmp(v, "json") != 0 && strcmp(v, "dot") != 0 && strcmp(v, "svg") != 0 &&
                strcmp(v, "dfg") != 0 && strcmp(v, "csv") != 0) {
                cli_fail(&opt, "--format takes json, dot, svg, dfg or csv, not '%s'", v);
            }
            format = v;
        } else if (cli_value(&opt, "--network", NULL)) {
            if (strcmp(opt.v, "handover") != 0) {
                cli_fail(&opt, "--network takes 'handover', not '%s'", opt.v);
            }
            handover = 1;
        } else if (cli_value(&opt, "--min-edge-cases", NULL)) {
            if (cli_number(&opt, 0, UINT64_MAX, &n)) {
                dopts.min_edge_cases = n;
            }
        } else if (cli_value(&opt, "--top-variants", NULL)) {
            if (cli_number(&opt, 1, UINT32_MAX, &n)) {
                dopts.top_variants = (uint32_t)n;
            }
        } else if (cli_value(&opt, "--examples", NULL)) {
            if (cli_number(&opt, 0, 16, &n)) {
                dopts.examples = (uint32_t)n;
            }
        } else if (cli_value(&opt, "--variants", NULL)) {
            if (cli_number(&opt, 0, UINT32_MAX, &n)) {
                dopts.max_variants = (uint32_t)n;
            }
        } else if (cli_value(&opt, "--activities", NULL)) {
            const char *v = opt.v;
            char *end;
            double p = strtod(v, &end);
            if (*end == '%') {
                end++;
            }
            if (end == v || *end != '\0' || !(p > 0.0 && p <= 100.0)) {
                cli_fail(&opt, "--activities takes a percentage in (0, 100], not '%s'", v);
            }
            dopts.activities_percent = p;
        } else if (cli_value(&opt, "--output", "-o")) {
            output = opt.v;
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
    if (handover && (strcmp(format, "svg") == 0 || strcmp(format, "dfg") == 0)) {
        rc = cli_usage_error(cmd, "--network handover is written as json, csv or dot, not %s",
                             format);
        goto done;
    }
    if (!handover && strcmp(format, "csv") == 0) {
        rc = cli_usage_error(cmd, "--format csv is for --network handover");
        goto done;
    }
    if (handover && one_pass_mode) {
        rc = cli_usage_error(cmd, "--network handover cannot be combined with --one-pass");
        goto done;
    }
    if (one_pass_mode &&
        (dopts.top_variants > 0 || dopts.activities_percent < 100.0 || dopts.instances)) {
        rc = cli_usage_error(cmd, "--one-pass cannot be combined with %s: %s",
                             dopts.top_variants > 0         ? "--top-variants"
                             : dopts.activities_percent < 100.0 ? "--activities"
                                                                : "--instances",
                             "it needs the whole log before the first case is counted");
        goto done;
    }
    ab_ctx *ctx = cli_ctx();
    if (ctx == NULL) {
        rc = EXIT_IO;
        goto done;
    }
    ab_log *log = NULL;
    one_pass op = {NULL, NULL};
    if (one_pass_mode) {
        dopts.quantiles = AB_DFG_SKETCH;
        if (ab_dfg_acc_create(&op.acc, ctx, &dopts, one_pass_name, &op) != AB_OK) {
            fprintf(stderr, "asbuilt: out of memory\n");
            ab_ctx_destroy(ctx);
            rc = EXIT_IO;
            goto done;
        }
        o.log.case_sink = one_pass_case;
        o.log.case_sink_payload = &op;
    }
    ab_dfg *hooked = NULL;
    if (cli_discover_hook != NULL && !one_pass_mode && !handover) {
        ab_read_options ro;
        rc = cli_read_options(&o, &ro, ctx);
        rc = rc == EXIT_OK ? cli_discover_hook(ctx, &ro, files, nfiles, &dopts, &hooked) : rc;
    } else {
        rc = cli_load_log(ctx, &o, files, nfiles, &log);
    }
    if (rc == EXIT_OK && handover) {
        ab_handover *h = NULL;
        ab_error err;
        ab_error_clear(&err);
        int st = ab_handover_compute(&h, ctx, log, &err);
        ab_buf out = AB_BUF_INIT;
        if (st == AB_OK) {
            st = strcmp(format, "dot") == 0   ? ab_handover_write_dot(h, &out, ctx)
                 : strcmp(format, "csv") == 0 ? ab_handover_write_csv(h, &out, ctx)
                                              : ab_handover_write_json(h, &out, ctx);
        }
        rc = st == AB_OK ? cli_write_output(output, &out) : cli_report_status(st, &err);
        ab_buf_dispose(&out);
        ab_handover_destroy(h);
    } else if (rc == EXIT_OK) {
        ab_dfg *dfg = NULL;
        ab_error err;
        ab_error_clear(&err);
        int st;
        if (hooked != NULL) {
            dfg = hooked;
            st = AB_OK;
        } else if (one_pass_mode) {
            st = ab_dfg_acc_finish(op.acc, &dfg, &err);
            op.acc = NULL;
        } else {
            st = ab_dfg_discover(&dfg, ctx, log, &dopts, &err);
        }
        if (st == AB_OK) {
            ab_buf out = AB_BUF_INIT;
            if (strcmp(format, "dot") == 0) {
                st = ab_dfg_write_dot(&out, dfg);
            } else if (strcmp(format, "svg") == 0) {
                st = ab_dfg_write_svg(&out, dfg);
            } else if (strcmp(format, "dfg") == 0) {
                st = ab_dfg_write_pm4py(&out, dfg, &err);
            } else {
                st = ab_dfg_write_json(&out, dfg);
            }
            if (st == AB_OK) {
                rc = cli_write_output(output, &out);
            } else if (st == AB_ENOMEM) {
                fprintf(stderr, "asbuilt: out of memory\n");
                rc = EXIT_IO;
            } else {
                rc = cli_report(&err);
                /* A name the .dfg format cannot carry is a property of the data. */
                rc = st == AB_EINVAL ? EXIT_DATA : rc;
            }
            ab_buf_dispose(&out);
        } else {
            rc = cli_report(&err);
        }
        ab_dfg_destroy(dfg);
    }
    ab_dfg_acc_destroy(op.acc);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
done:
    cli_log_opts_dispose(&o);
    free(files);
    return rc;
}
