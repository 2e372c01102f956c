/*
 * tools/cmd_partial.c: `asbuilt partial LOG... -o PART`: reads logs (and
 * partials) as one log and writes its mergeable partial (asbuilt/partial.h),
 * atomically. stats, discover and diff read partials wherever they read logs,
 * so a large input can be cut into pieces, each piece turned into a partial
 * anywhere, and the partials read together for the report of the whole.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include "asbuilt/partial.h"

static const char help[] =
    "usage: asbuilt partial [options] LOG... -o PART\n"
    "\n"
    "Writes the mergeable partial of the logs: a versioned, checksummed binary file\n"
    "that holds their cases as asbuilt reads them (activity table, variants with\n"
    "their cases, every event's times, resource, lifecycle and attributes, case and\n"
    "log attributes, data quality). stats, discover and diff read partials wherever\n"
    "they read logs, recognised by their first bytes, and merge them: the report of\n"
    "partials of any split of the input (by case, or by time with cases crossing\n"
    "partials) is the report of the whole input. Partials read together must be\n"
    "built, and read, with the same log-reading options.\n"
    "\n"
    "Options:\n"
    "  -o, --output PART       the partial to write (atomically); '-' for stdout\n"
    "  --rank R/N              keep only the cases whose id hashes to rank R of N\n"
    "                          (FNV-1a 64 of the case id, modulo N)\n"
    "  -q, --quiet             no progress display\n"
    "  -h, --help              this help\n"
    "\n"
    "%s"
    "\n"
    "Example:\n"
    "  asbuilt partial day1.csv.gz -o day1.part\n"
    "  asbuilt diff day1.part day2.part --model process.bpmn --json gap.json\n";

typedef struct rank_sel {
    uint32_t rank;
    uint32_t ranks;
} rank_sel;

static int keep_rank(const ab_log *log, uint32_t c, void *payload)
{
    const rank_sel *s = payload;
    const char *id = ab_log_case_id(log, c);
    return ab_partial_case_rank(id, strlen(id), s->ranks) == s->rank;
}

/* Declared here and in asbuilt.c (cli.h lists the other commands). */
int cmd_partial(int argc, char **argv);

int cmd_partial(int argc, char **argv)
{
    const char *cmd = "partial";
    cli_log_opts o;
    cli_log_opts_init(&o);
    const char *output = NULL;
    rank_sel sel = {0, 0};
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
        if (cli_value(&opt, "--output", "-o")) {
            output = opt.v;
        } else if (cli_value(&opt, "--rank", NULL)) {
            unsigned r, n;
            char tail;
            if (sscanf(opt.v, "%u/%u%c", &r, &n, &tail) != 2 || n == 0 || r >= n) {
                cli_fail(&opt, "--rank takes R/N with 0 <= R < N, not '%s'", opt.v);
            } else {
                sel.rank = r;
                sel.ranks = n;
            }
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
    if (output == NULL) {
        rc = cli_usage_error(cmd, "no output given: -o PART");
        goto done;
    }
    ab_ctx *ctx = cli_ctx();
    if (ctx == NULL) {
        rc = EXIT_IO;
        goto done;
    }
    ab_log *log = NULL;
    rc = cli_load_log(ctx, &o, files, nfiles, &log);
    if (rc == EXIT_OK) {
        ab_read_options ro = AB_READ_OPTIONS_INIT;
        ro.log = o.log;
        ro.xes = o.xes;
        ro.csv = o.csv;
        ro.csv.tz = o.tz;
        ab_buf out = AB_BUF_INIT;
        ab_error err;
        ab_error_clear(&err);
        int st;
        if (sel.ranks == 0) {
            st = ab_partial_write(&out, ctx, log, &ro, NULL, NULL, &err);
        } else {
            /* The data quality of the input goes with rank 0's partial only. */
            uint32_t nc = ab_log_case_count(log);
            uint32_t *list = calloc((size_t)nc + 1, sizeof(*list));
            size_t n = 0;
            for (uint32_t c = 0; list != NULL && c < nc; c++) {
                if (keep_rank(log, c, &sel)) {
                    list[n++] = c;
                }
            }
            st = list == NULL
                     ? AB_ENOMEM
                     : ab_partial_write_cases(&out, ctx, log, &ro, list, n, sel.rank == 0, &err);
            free(list);
        }
        if (st != AB_OK) {
            rc = cli_report_status(st, &err);
        } else {
            rc = cli_write_output(output, &out);
        }
        ab_buf_dispose(&out);
    }
    ab_log_destroy(log);
    cli_log_opts_dispose(&o);
    ab_ctx_destroy(ctx);
done:
    free(files);
    return rc;
}
