/*
 * tools/cli.c: what the subcommands share: exit-code mapping, error and
 * usage messages, the long-option matcher ("--" ends the options), the
 * log-reading options and the progress line on stderr: the phase, its
 * percentage and the time left (only when stderr is a terminal and not
 * --quiet; no escape sequences with TERM=dumb), and the log's SHA-256 on a
 * thread of its own while the log is read.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gap/gap_int.h"

int cli_progress = 0;
int cli_quiet = 0;

static void progress_start(void);

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
    if (err->code == AB_OK) {
        /* A failure the library did not explain: never "ok", never exit 0. */
        return cli_report_status(AB_ERROR, err);
    }
    char msg[1024];
    ab_error_format(err, msg, sizeof(msg));
    cli_progress_clear();
    fprintf(stderr, "asbuilt: %s\n", msg);
    return cli_exit_for(err->code);
}

int cli_report_status(int status, const ab_error *err)
{
    if (status == AB_OK) {
        return EXIT_OK;
    }
    if (err != NULL && err->code != AB_OK) {
        cli_report(err);
        return cli_exit_for(status);
    }
    cli_progress_clear();
    if (status == AB_ENOMEM) {
        fprintf(stderr, "asbuilt: out of memory\n");
    } else if (status == AB_ERROR) {
        fprintf(stderr, "asbuilt: internal error: a call failed without saying why\n");
    } else {
        fprintf(stderr, "asbuilt: internal error: a call failed (%s) without saying why\n",
                ab_status_str(status));
    }
    return EXIT_IO;
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
        cli_progress_clear();
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
        return NULL;
    }
    cli_progress = !cli_quiet && isatty(STDERR_FILENO);
    progress_start();
    return ctx;
}

void cli_args_start(cli_args *a, const char *cmd, int argc, char **argv)
{
    a->cmd = cmd;
    a->argc = argc;
    a->argv = argv;
    a->i = 0;
    a->v = NULL;
    a->name = NULL;
    a->bad = 0;
    a->ended = 0;
}

int cli_next(cli_args *a)
{
    if (a->bad || ++a->i >= a->argc) {
        return 0;
    }
    if (!a->ended && strcmp(a->argv[a->i], "--") == 0) {
        a->ended = 1;
        return ++a->i < a->argc;
    }
    return 1;
}

int cli_flag(const cli_args *a, const char *name, const char *alt)
{
    if (a->ended) {
        return 0;
    }
    const char *s = a->argv[a->i];
    return strcmp(s, name) == 0 || (alt != NULL && strcmp(s, alt) == 0);
}

/* Matches name as "NAME VALUE" or "NAME=VALUE" at a->i. */
static int value_of(cli_args *a, const char *name)
{
    if (a->ended) {
        return 0;
    }
    const char *s = a->argv[a->i];
    size_t n = strlen(name);
    if (strncmp(s, name, n) != 0 || (s[n] != '\0' && s[n] != '=')) {
        return 0;
    }
    a->name = name;
    if (s[n] == '=') {
        a->v = s + n + 1;
    } else if (a->i + 1 < a->argc) {
        a->v = a->argv[++a->i];
    } else {
        a->v = "";
        cli_fail(a, "option %s needs a value", name);
    }
    return 1;
}

int cli_value(cli_args *a, const char *name, const char *alt)
{
    return value_of(a, name) || (alt != NULL && value_of(a, alt));
}

void cli_fail(cli_args *a, const char *fmt, ...)
{
    if (a->bad) {
        return; /* One message per command line. */
    }
    a->bad = 1;
    va_list ap;
    fprintf(stderr, "asbuilt %s: ", a->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'asbuilt %s --help'.\n", a->cmd);
}

int cli_number(cli_args *a, unsigned long long min, unsigned long long max, unsigned long long *out)
{
    const char *v = a->v;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    /* Digits only: strtoull would also take spaces, a sign, and wrap around. */
    if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno == ERANGE || n < min || n > max) {
        if (max == UINT64_MAX || max == UINT32_MAX) {
            cli_fail(a, "%s takes a whole number >= %llu, not '%s'", a->name, min, v);
        } else {
            cli_fail(a, "%s takes a whole number from %llu to %llu, not '%s'", a->name, min, max,
                     v);
        }
        return 0;
    }
    *out = n;
    return 1;
}

void cli_log_arg(cli_args *a, cli_log_opts *o, const char **files, int *nfiles)
{
    if (cli_flag(a, "-q", "--quiet")) {
        cli_quiet = 1;
    } else if (!cli_log_opt(a, o) && !cli_unknown(a)) {
        files[(*nfiles)++] = a->argv[a->i];
    }
}

int cli_unknown(cli_args *a)
{
    const char *s = a->argv[a->i];
    if (!a->ended && s[0] == '-' && s[1] != '\0') {
        cli_fail(a, "unknown option '%s'", s);
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
    "  --role COL              column (XES: event attribute) of the resource's role\n"
    "                          (default: org:role, role, then org:group when present)\n"
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

int cli_log_opt(cli_args *a, cli_log_opts *o)
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
    for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
        if (cli_value(a, cols[k].name, NULL)) {
            *(const char **)((char *)&o->csv + cols[k].off) = a->v;
            return 1;
        }
    }
    const char *v;
    if (cli_value(a, "--delimiter", NULL)) {
        v = a->v;
        if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0 || strcmp(v, "\t") == 0) {
            o->csv.delimiter = '\t';
        } else if (strlen(v) == 1 && strchr(",;|", v[0]) != NULL) {
            o->csv.delimiter = v[0];
        } else {
            cli_fail(a, "--delimiter takes ',', ';', '|' or 'tab', not '%s'", v);
        }
    } else if (cli_value(a, "--timestamp-format", NULL)) {
        ab_error err;
        if (!a->bad && ab_ts_format_parse(&o->csv.ts_format, a->v, &err) != AB_OK) {
            cli_fail(a, "--timestamp-format: %s", err.msg);
        }
    } else if (cli_value(a, "--tz", NULL)) {
        o->tz_name = a->v;
    } else if (cli_value(a, "--classifier", NULL)) {
        o->xes.classifier = a->v;
    } else if (cli_value(a, "--role", NULL)) {
        if (a->v[0] == '\0') {
            cli_fail(a, "--role needs a column name");
        }
        o->role_col = a->v;
    } else if (cli_value(a, "--lifecycle", NULL)) {
        v = a->v;
        if (strcmp(v, "all") == 0) {
            o->log.lifecycle = AB_LCF_ALL;
        } else if (strcmp(v, "complete") == 0) {
            o->log.lifecycle = AB_LCF_COMPLETE;
        } else {
            cli_fail(a, "--lifecycle takes 'all' or 'complete', not '%s'", v);
        }
    } else if (cli_flag(a, "--strict", NULL)) {
        o->log.strict = 1;
    } else {
        return 0;
    }
    return 1;
}

/* ---- The progress line ---- */

typedef struct progress_line {
    char phase[96];          /* The phase shown, or "". */
    struct timespec started; /* When that phase started. */
    struct timespec last;    /* When the line was last written. */
    char text[192];          /* What the line shows, or "" when clear. */
    int plain;               /* TERM=dumb (or unset): no escape sequences. */
} progress_line;

static progress_line pl;

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Writes text over the line shown (blanks over the rest on a dumb terminal). */
static void progress_put(const char *text)
{
    size_t old = strlen(pl.text), len = strlen(text);
    if (pl.plain) {
        fputc('\r', stderr);
        fputs(text, stderr);
        for (size_t i = len; i < old; i++) {
            fputc(' ', stderr);
        }
        if (len == 0) {
            fputc('\r', stderr); /* Cleared: back to the line's start. */
        }
    } else {
        fputs("\r\033[K", stderr);
        fputs(text, stderr);
    }
    fflush(stderr);
    snprintf(pl.text, sizeof(pl.text), "%s", text);
}

void cli_progress_clear(void)
{
    if (pl.text[0] != '\0') {
        progress_put("");
    }
}

static void progress_start(void)
{
    const char *term = getenv("TERM");
    pl.plain = term == NULL || term[0] == '\0' || strcmp(term, "dumb") == 0;
}

/* The line for done of total; with bytes, the megabytes too. */
static void progress_show(const char *phase, uint64_t done, uint64_t total, int bytes)
{
    if (!cli_progress) {
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (strcmp(phase, pl.phase) != 0) {
        snprintf(pl.phase, sizeof(pl.phase), "%s", phase);
        pl.started = now;
    } else if (seconds_between(&pl.last, &now) < 0.2 && done < total) {
        return; /* At most five updates a second. */
    }
    char text[sizeof(pl.text)];
    if (total > 0) {
        if (done > total) {
            done = total;
        }
        /* Rounded down: 100% only when done. */
        unsigned pct = (unsigned)((double)done * 100.0 / (double)total);
        int n = bytes ? snprintf(text, sizeof(text), "%s: %u%% (%.1f of %.1f MB)", phase, pct,
                                 (double)done / 1e6, (double)total / 1e6)
                      : snprintf(text, sizeof(text), "%s: %u%%", phase, pct);
        double elapsed = seconds_between(&pl.started, &now);
        if (done > 0 && done < total && elapsed >= 1.0 && n > 0 && (size_t)n < sizeof(text)) {
            /* The phase's rate so far, applied to what is left. */
            double left = elapsed * (double)(total - done) / (double)done;
            if (left < 60) {
                snprintf(text + n, sizeof(text) - (size_t)n, ", about %.0f s left", left + 0.5);
            } else if (left < 3600) {
                snprintf(text + n, sizeof(text) - (size_t)n, ", about %.0f min left",
                         left / 60 + 0.5);
            } else {
                snprintf(text + n, sizeof(text) - (size_t)n, ", about %.1f h left", left / 3600);
            }
        }
    } else if (bytes && done > 0) {
        snprintf(text, sizeof(text), "%s: %.1f MB", phase, (double)done / 1e6);
    } else {
        snprintf(text, sizeof(text), "%s...", phase);
    }
    if (strcmp(text, pl.text) == 0) {
        return; /* The same value is not written again. */
    }
    pl.last = now;
    progress_put(text);
}

void cli_progress_update(const char *phase, uint64_t done, uint64_t total)
{
    progress_show(phase, done, total, 0);
}

void cli_progress_cb(const char *phase, uint64_t done, uint64_t total, void *payload)
{
    (void)payload;
    cli_progress_update(phase, done, total);
}

/* The reader's progress: the file's name, by bytes. */
static void read_progress(const char *name, uint64_t done, uint64_t total, void *payload)
{
    (void)payload;
    const char *base = strrchr(name, '/');
    char phase[96];
    snprintf(phase, sizeof(phase), "reading %s", base != NULL ? base + 1 : name);
    progress_show(phase, done, total, 1);
}

int (*cli_load_log_hook)(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths,
                         int path_count, ab_log **out) = NULL;

int (*cli_discover_hook)(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths,
                         int path_count, const ab_dfg_options *dopts, ab_dfg **out) = NULL;

int (*cli_conform_run_hook)(ab_conform **out, ab_ctx *ctx, const ab_log *log, const ab_net *net,
                            const ab_conform_options *opts, ab_error *err) = NULL;

/* The reading options of o (the time zone loaded). An exit code. */
int cli_read_options(cli_log_opts *o, ab_read_options *ro, ab_ctx *ctx)
{
    ab_error err;
    ab_error_clear(&err);
    if (o->tz_name != NULL && o->tz == NULL) {
        int rc = ab_tz_load(&o->tz, ctx, o->tz_name, &err);
        if (rc == AB_ENOMEM) {
            return cli_report_status(rc, &err);
        }
        if (rc != AB_OK) {
            fprintf(stderr, "asbuilt: --tz %s: %s\n", o->tz_name, err.msg);
            return EXIT_USAGE;
        }
    }
    ab_read_options d = AB_READ_OPTIONS_INIT;
    *ro = d;
    ro->log = o->log;
    ro->xes = o->xes;
    ro->csv = o->csv;
    ro->csv.tz = o->tz;
    return EXIT_OK;
}

int cli_load_log(ab_ctx *ctx, cli_log_opts *o, const char *const *paths, int path_count,
                 ab_log **out)
{
    ab_error err;
    ab_error_clear(&err);
    ab_read_options ro;
    int rc = cli_read_options(o, &ro, ctx);
    if (rc != EXIT_OK) {
        return rc;
    }
    if (cli_load_log_hook != NULL) {
        return cli_load_log_hook(ctx, &ro, paths, path_count, out);
    }
    if (cli_progress) {
        ro.progress = read_progress;
        read_progress(paths[0], 0, 0, NULL); /* Named before its first megabyte. */
    }
    rc = ab_ingest_files(out, ctx, paths, (size_t)path_count, &ro, &err);
    cli_progress_clear();
    if (rc != AB_OK) {
        return cli_report_status(rc, &err);
    }
    return EXIT_OK;
}

int (*cli_stats_hook)(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths,
                      int path_count, uint32_t top, ab_stats_view *out) = NULL;
void (*cli_stats_release_hook)(ab_ctx *ctx, ab_stats_view *v) = NULL;

int cli_load_stats(ab_ctx *ctx, cli_log_opts *o, const char *const *paths, int path_count,
                   uint32_t top, ab_stats_view *out, ab_log **log_out)
{
    memset(out, 0, sizeof(*out));
    *log_out = NULL;
    if (cli_stats_hook != NULL) {
        ab_read_options ro;
        int rc = cli_read_options(o, &ro, ctx);
        return rc == EXIT_OK ? cli_stats_hook(ctx, &ro, paths, path_count, top, out) : rc;
    }
    int rc = cli_load_log(ctx, o, paths, path_count, log_out);
    if (rc == EXIT_OK && ab_stats_view_of(out, ctx, *log_out, top) != AB_OK) {
        rc = cli_report_status(AB_ENOMEM, NULL);
    }
    return rc;
}

void cli_release_stats(ab_ctx *ctx, ab_stats_view *v, ab_log *log)
{
    if (log == NULL && cli_stats_release_hook != NULL) {
        cli_stats_release_hook(ctx, v);
    } else {
        ab_stats_view_dispose(v, ctx);
    }
    ab_log_destroy(log);
}

/* ---- The log's hash, on a thread of its own ---- */

int cli_hash_early = 1;
int (*cli_mapping_coverage_hook)(const ab_log *log, const ab_net *net,
                                 const ab_bpmn_mapping *mapping, ab_gap_rate *events,
                                 ab_gap_rate *tasks, char *warning, size_t cap) = NULL;
int (*cli_gap_compute_hook)(ab_gap **out, ab_ctx *ctx, const ab_log *log, const ab_net *net,
                            const ab_conform *conf, const ab_gap_options *opts,
                            ab_error *err) = NULL;
int cli_write_reports = 1;
int (*cli_case_lines)(void *gap, ab_buf *out, int *done, ab_error *err) = NULL;
int (*cli_case_lines_serve)(const ab_gap *gap) = NULL;
void (*cli_case_lines_end)(void) = NULL;

static void *hash_thread(void *arg)
{
    cli_hash *h = arg;
    ab_error err;
    ab_error_clear(&err);
    h->status = ab__sha256_files(h->paths, h->count, h->hex, &err);
    return NULL;
}

void cli_hash_start(cli_hash *h, const char *const *paths, int path_count)
{
    memset(h, 0, sizeof(*h));
    h->status = AB_EINVAL; /* No digest until one is made. */
    if (!cli_hash_early || path_count <= 0) {
        return;
    }
    for (int i = 0; i < path_count; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0 || !S_ISREG(st.st_mode)) {
            return;
        }
    }
    h->paths = paths;
    h->count = (size_t)path_count;
    h->running = pthread_create(&h->thread, NULL, hash_thread, h) == 0;
}

const char *cli_hash_finish(cli_hash *h)
{
    if (h->running) {
        pthread_join(h->thread, NULL);
        h->running = 0;
    }
    return h->status == AB_OK && h->hex[0] != '\0' ? h->hex : NULL;
}

int cli_is_stdout(const char *path)
{
    return path == NULL || strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0 ||
           strcmp(path, "/dev/fd/1") == 0 || strcmp(path, "/proc/self/fd/1") == 0;
}

int cli_write_output(const char *path, const ab_buf *buf)
{
    ab_error err;
    ab_error_clear(&err);
    int rc = ab_write_file_atomic(path, buf->ptr != NULL ? buf->ptr : "", buf->len, &err);
    if (rc != AB_OK) {
        return cli_report_status(rc, &err);
    }
    return EXIT_OK;
}

int cli_relabel(ab_ctx *ctx, const ab_log *log, const ab_net *net, const char *map_file,
                ab_bpmn_mapping **map_out, ab_net **relabelled_out)
{
    uint32_t na = ab_log_activity_count(log);
    const char **acts = calloc((size_t)na + 1, sizeof(*acts));
    if (acts == NULL) {
        return cli_report_status(AB_ENOMEM, NULL);
    }
    for (uint32_t a = 0; a < na; a++) {
        acts[a] = ab_log_activity_name(log, a);
    }
    ab_bpmn_map_options mo = AB_BPMN_MAP_OPTIONS_INIT;
    mo.map_file = map_file;
    ab_error err;
    ab_error_clear(&err);
    int st = ab_bpmn_map_create(map_out, ctx, ab_net_labels(net), ab_net_label_count(net), acts, na,
                                &mo, &err);
    free(acts); /* The mapping keeps its own copy. */
    if (st == AB_OK) {
        st = ab_net_relabel(relabelled_out, net, *map_out, &err);
    }
    return cli_report_status(st, &err);
}

/* "512M", "2G", "300000K", or bytes; at least 1 MiB. */
static int parse_size(const char *v, uint64_t *out)
{
    char *end;
    if (v[0] < '0' || v[0] > '9') {
        return 0;
    }
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') {
        shift = 10;
    } else if (*end == 'M' || *end == 'm') {
        shift = 20;
    } else if (*end == 'G' || *end == 'g') {
        shift = 30;
    }
    if (shift > 0) {
        end++;
    }
    if (errno == ERANGE || *end != '\0' || n > (UINT64_MAX >> shift) || (n << shift) < (1u << 20)) {
        return 0;
    }
    *out = (uint64_t)n << shift;
    return 1;
}

int cli_size(cli_args *a, const char *name, uint64_t *out)
{
    if (!parse_size(a->v, out)) {
        cli_fail(a, "%s takes a size such as 512M or 2G (at least 1M), not '%s'", name, a->v);
        return 0;
    }
    return 1;
}

/* Removes the temporary files of the outputs being written, then lets the
 * signal end the process as it would have (SA_RESETHAND restored the
 * default action; the signal is delivered when the handler returns). */
static void on_signal(int sig)
{
    ab_output_signal_cleanup();
    raise(sig);
}

void cli_catch_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction old;
        /* A signal ignored by whoever started us stays ignored. */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) {
            continue;
        }
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sa.sa_flags = SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}
