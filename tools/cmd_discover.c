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
    "of its timestamp; --lifecycle complete keeps completions only.\n"
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

/* Parses an unsigned number into *out; returns 0 on success. */
static int parse_count(const char *v, unsigned long long max, unsigned long long *out)
{
    char *end;
    if (v[0] == '\0' || v[0] == '-') {
        return -1;
    }
    unsigned long long n = strtoull(v, &end, 10);
    if (*end != '\0' || n > max) {
        return -1;
    }
    *out = n;
    return 0;
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
    int one_pass_mode = 0;
    const char **files = calloc((size_t)argc + 1, sizeof(*files));
    int nfiles = 0;
    if (files == NULL) {
        return EXIT_IO;
    }
    int rc = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r;
        unsigned long long n;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf(help, cli_log_opts_help);
            goto done;
        }
        if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            cli_quiet = 1;
        } else if (strcmp(argv[i], "--sketch") == 0) {
            dopts.quantiles = AB_DFG_SKETCH;
        } else if (strcmp(argv[i], "--one-pass") == 0) {
            one_pass_mode = 1;
        } else if ((r = cli_opt(cmd, argc, argv, &i, "--format", 1, &v)) != 0) {
            if (r < 0) {
                rc = EXIT_USAGE;
                goto done;
            }
            if (strcmp(v, "json") != 0 && strcmp(v, "dot") != 0 && strcmp(v, "svg") != 0 &&
                strcmp(v, "dfg") != 0) {
                rc = cli_usage_error(cmd, "--format takes json, dot, svg or dfg, not '%s'", v);
                goto done;
            }
            format = v;
        } else if ((r = cli_opt(cmd, argc, argv, &i, "--min-edge-cases", 1, &v)) != 0) {
            if (r < 0) {
                rc = EXIT_USAGE;
                goto done;
            }
            if (parse_count(v, UINT64_MAX, &n) != 0) {
                rc = cli_usage_error(cmd, "--min-edge-cases takes a number >= 0, not '%s'", v);
                goto done;
            }
            dopts.min_edge_cases = n;
        } else if ((r = cli_opt(cmd, argc, argv, &i, "--top-variants", 1, &v)) != 0) {
            if (r < 0) {
                rc = EXIT_USAGE;
                goto done;
            }
            if (parse_count(v, UINT32_MAX, &n) != 0 || n == 0) {
                rc = cli_usage_error(cmd, "--top-variants takes a number >= 1, not '%s'", v);
                goto done;
            }
            dopts.top_variants = (uint32_t)n;
        } else if ((r = cli_opt(cmd, argc, argv, &i, "--examples", 1, &v)) != 0) {
            if (r < 0) {
                rc = EXIT_USAGE;
                goto done;
            }
            if (parse_count(v, 16, &n) != 0) {
                rc = cli_usage_error(cmd, "--examples takes a number from 0 to 16, not '%s'", v);
                goto done;
            }
            dopts.examples = (uint32_t)n;
        } else if ((r = cli_opt(cmd, argc, argv, &i, "--variants", 1, &v)) != 0) {
            if (r < 0) {
                rc = EXIT_USAGE;
                goto done;
            }
            if (parse_count(v, UINT32_MAX, &n) != 0) {
                rc = cli_usage_error(cmd, "--variants takes a number >= 0, not '%s'", v);
                goto done;
            }
            dopts.max_variants = (uint32_t)n;
        } else if ((r = cli_opt(cmd, argc, argv, &i, "--activities", 1, &v)) != 0) {
            if (r < 0) {
                rc = EXIT_USAGE;
                goto done;
            }
            char *end;
            double p = strtod(v, &end);
            if (*end == '%') {
                end++;
            }
            if (end == v || *end != '\0' || !(p > 0.0 && p <= 100.0)) {
                rc = cli_usage_error(cmd, "--activities takes a percentage in (0, 100], not '%s'",
                                     v);
                goto done;
            }
            dopts.activities_percent = p;
        } else if ((r = cli_opt(cmd, argc, argv, &i, "--output", 1, &v)) != 0 ||
                   (r = cli_opt(cmd, argc, argv, &i, "-o", 1, &v)) != 0) {
            if (r < 0) {
                rc = EXIT_USAGE;
                goto done;
            }
            output = v;
        } else if ((r = cli_log_opt(cmd, &o, argc, argv, &i)) != 0) {
            if (r < 0) {
                rc = EXIT_USAGE;
                goto done;
            }
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            rc = cli_usage_error(cmd, "unknown option '%s'", argv[i]);
            goto done;
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (nfiles == 0) {
        rc = cli_usage_error(cmd, "no log file given");
        goto done;
    }
    if (one_pass_mode && (dopts.top_variants > 0 || dopts.activities_percent < 100.0)) {
        rc = cli_usage_error(cmd, "--one-pass cannot be combined with %s: %s",
                             dopts.top_variants > 0 ? "--top-variants" : "--activities",
                             "both need the whole log before the first case is counted");
        goto done;
    }
    ab_ctx *ctx = cli_ctx();
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
    rc = cli_load_log(ctx, &o, files, nfiles, &log);
    if (rc == EXIT_OK) {
        ab_dfg *dfg = NULL;
        ab_error err;
        ab_error_clear(&err);
        int st;
        if (one_pass_mode) {
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
