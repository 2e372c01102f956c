/*
 * tools/cli.c: what the subcommands share: exit-code mapping, error and
 * usage messages, the long-option matcher, the log-reading options and a
 * progress line on stderr (only when stderr is a terminal and not --quiet).
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_progress = 0;
int cli_quiet = 0;

int cli_exit_for(int status)
{
    switch (status) {
    case AB_OK:
        return EXIT_OK;
    case AB_EPARSE:
    case AB_ELIMIT:
    case AB_ENOTFOUND:
        return EXIT_DATA;
    case AB_EINVAL:
        return EXIT_USAGE;
    default:
        return EXIT_IO;
    }
}

int cli_report(const ab_error *err)
{
    char msg[1024];
    ab_error_format(err, msg, sizeof(msg));
    if (cli_progress) {
        fputs("\r\033[K", stderr);
    }
    fprintf(stderr, "asbuilt: %s\n", msg);
    return cli_exit_for(err->code);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "asbuilt %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'asbuilt %s --help'.\n", cmd);
    return EXIT_USAGE;
}

static void diag_stderr(int level, const char *msg, void *payload)
{
    (void)payload;
    if (level >= AB_DIAG_WARN && !cli_quiet) {
        if (cli_progress) {
            fputs("\r\033[K", stderr);
        }
        fprintf(stderr, "asbuilt: warning: %s\n", msg);
    }
}

ab_ctx *cli_ctx(void)
{
    ab_ctx_options o = AB_CTX_OPTIONS_INIT;
    o.diag = diag_stderr;
    ab_ctx *ctx = NULL;
    if (ab_ctx_create(&ctx, &o) != AB_OK) {
        fprintf(stderr, "asbuilt: out of memory\n");
        exit(EXIT_IO);
    }
    cli_progress = !cli_quiet && isatty(STDERR_FILENO);
    return ctx;
}

int cli_opt(const char *cmd, int argc, char **argv, int *i, const char *name, int takes_value,
            const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) {
        return 0;
    }
    if (a[n] == '\0') {
        if (!takes_value) {
            *value = NULL;
            return 1;
        }
        if (*i + 1 >= argc) {
            cli_usage_error(cmd, "option %s needs a value", name);
            return -1;
        }
        *value = argv[++*i];
        return 1;
    }
    if (a[n] == '=' && takes_value) {
        *value = a + n + 1;
        return 1;
    }
    return 0;
}

const char cli_log_opts_help[] =
    "Reading logs (several files form one log; '-' reads stdin; .gz told by content):\n"
    "  --case COL              CSV column of the case id\n"
    "  --activity COL          CSV column of the activity\n"
    "  --timestamp COL         CSV column of the (completion) timestamp\n"
    "  --start-timestamp COL   CSV column of the start timestamp ('' for none)\n"
    "  --resource COL          CSV column of the resource ('' for none)\n"
    "  --lifecycle-column COL  CSV column of the lifecycle transition ('' for none)\n"
    "  --delimiter C           CSV delimiter: ',' ';' '|' or 'tab' (default: sniffed)\n"
    "  --timestamp-format F    iso8601, ymd, dmy, mdy, epoch, epoch_ms or a %Y-%m-%d pattern\n"
    "                          (default: inferred per column from the data)\n"
    "  --tz ZONE               zone for timestamps written without one: UTC, +01:00 or an\n"
    "                          IANA name such as Europe/Amsterdam (default: UTC)\n"
    "  --classifier NAME       XES classifier (name from the log header, or keys)\n"
    "  --lifecycle all|complete  keep every event (default, as PM4Py) or completions only\n"
    "  --strict                unusable records are fatal instead of counted\n";

void cli_log_opts_init(cli_log_opts *o)
{
    memset(o, 0, sizeof(*o));
    ab_csv_options c = AB_CSV_OPTIONS_INIT;
    ab_xes_options x = AB_XES_OPTIONS_INIT;
    ab_log_options l = AB_LOG_OPTIONS_INIT;
    o->csv = c;
    o->xes = x;
    o->log = l;
}

void cli_log_opts_dispose(cli_log_opts *o)
{
    ab_tz_destroy(o->tz);
    o->tz = NULL;
}

int cli_log_opt(const char *cmd, cli_log_opts *o, int argc, char **argv, int *i)
{
    static const struct {
        const char *name;
        size_t off;
    } cols[] = {
        {"--case", offsetof(ab_csv_options, case_col)},
        {"--activity", offsetof(ab_csv_options, activity_col)},
        {"--timestamp", offsetof(ab_csv_options, timestamp_col)},
        {"--start-timestamp", offsetof(ab_csv_options, start_col)},
        {"--resource", offsetof(ab_csv_options, resource_col)},
        {"--lifecycle-column", offsetof(ab_csv_options, lifecycle_col)},
    };
    const char *v;
    int r;
    for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
        if ((r = cli_opt(cmd, argc, argv, i, cols[k].name, 1, &v)) != 0) {
            if (r > 0) {
                *(const char **)((char *)&o->csv + cols[k].off) = v;
            }
            return r;
        }
    }
    if ((r = cli_opt(cmd, argc, argv, i, "--delimiter", 1, &v)) != 0) {
        if (r < 0) {
            return r;
        }
        if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0 || strcmp(v, "\t") == 0) {
            o->csv.delimiter = '\t';
        } else if (strlen(v) == 1 && strchr(",;|", v[0]) != NULL) {
            o->csv.delimiter = v[0];
        } else {
            cli_usage_error(cmd, "--delimiter takes ',', ';', '|' or 'tab', not '%s'", v);
            return -1;
        }
        return 1;
    }
    if ((r = cli_opt(cmd, argc, argv, i, "--timestamp-format", 1, &v)) != 0) {
        if (r < 0) {
            return r;
        }
        ab_error err;
        if (ab_ts_format_parse(&o->csv.ts_format, v, &err) != AB_OK) {
            cli_usage_error(cmd, "--timestamp-format: %s", err.msg);
            return -1;
        }
        return 1;
    }
    if ((r = cli_opt(cmd, argc, argv, i, "--tz", 1, &v)) != 0) {
        if (r > 0) {
            o->tz_name = v;
        }
        return r;
    }
    if ((r = cli_opt(cmd, argc, argv, i, "--classifier", 1, &v)) != 0) {
        if (r > 0) {
            o->xes.classifier = v;
        }
        return r;
    }
    if ((r = cli_opt(cmd, argc, argv, i, "--lifecycle", 1, &v)) != 0) {
        if (r < 0) {
            return r;
        }
        if (strcmp(v, "all") == 0) {
            o->log.lifecycle = AB_LCF_ALL;
        } else if (strcmp(v, "complete") == 0) {
            o->log.lifecycle = AB_LCF_COMPLETE;
        } else {
            cli_usage_error(cmd, "--lifecycle takes 'all' or 'complete', not '%s'", v);
            return -1;
        }
        return 1;
    }
    if ((r = cli_opt(cmd, argc, argv, i, "--strict", 0, &v)) != 0) {
        o->log.strict = 1;
        return 1;
    }
    return 0;
}

typedef struct progress_state {
    struct timespec last;
    int shown;
} progress_state;

static void progress_cb(const char *name, uint64_t done, uint64_t total, void *payload)
{
    progress_state *p = payload;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double dt = (double)(now.tv_sec - p->last.tv_sec) + (double)(now.tv_nsec - p->last.tv_nsec) / 1e9;
    if (p->shown && dt < 0.2) {
        return;
    }
    p->last = now;
    p->shown = 1;
    if (total > 0) {
        fprintf(stderr, "\r\033[Kreading %s: %.0f%% (%.1f of %.1f MB)", name,
                100.0 * (double)done / (double)total, (double)done / 1e6, (double)total / 1e6);
    } else {
        fprintf(stderr, "\r\033[Kreading %s: %.1f MB", name, (double)done / 1e6);
    }
}

int cli_load_log(ab_ctx *ctx, cli_log_opts *o, const char *const *paths, int path_count,
                 ab_log **out)
{
    ab_error err;
    ab_error_clear(&err);
    if (o->tz_name != NULL && o->tz == NULL) {
        int rc = ab_tz_load(&o->tz, ctx, o->tz_name, &err);
        if (rc != AB_OK) {
            fprintf(stderr, "asbuilt: --tz %s: %s\n", o->tz_name, err.msg);
            return EXIT_USAGE;
        }
    }
    ab_read_options ro = AB_READ_OPTIONS_INIT;
    ro.log = o->log;
    ro.xes = o->xes;
    ro.csv = o->csv;
    ro.csv.tz = o->tz;
    progress_state ps;
    memset(&ps, 0, sizeof(ps));
    if (cli_progress) {
        ro.progress = progress_cb;
        ro.progress_payload = &ps;
    }
    int rc = ab_ingest_files(out, ctx, paths, (size_t)path_count, &ro, &err);
    if (ps.shown) {
        fputs("\r\033[K", stderr);
    }
    if (rc != AB_OK) {
        return cli_report(&err);
    }
    return EXIT_OK;
}

int cli_write_output(const char *path, const ab_buf *buf)
{
    ab_error err;
    ab_error_clear(&err);
    int rc = ab_write_file_atomic(path, buf->ptr != NULL ? buf->ptr : "", buf->len, &err);
    if (rc != AB_OK) {
        return cli_report(&err);
    }
    return EXIT_OK;
}
