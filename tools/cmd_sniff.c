/*
 * tools/cmd_sniff.c: `asbuilt sniff FILE.csv[.gz]`: shows how asbuilt reads
 * a CSV export (delimiter, quoting, encoding, line ends, the role of every
 * column, the timestamp layout) and prints it as flags to re-run, so a user
 * can check the guess, fix one flag and pin the rest in a script. When the
 * first 64 KiB leave day-first and month-first open, the file is read to
 * the end to settle it, as `stats` would.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: asbuilt sniff [options] FILE.csv[.gz]\n"
    "\n"
    "Shows how asbuilt reads a CSV event log: the delimiter, quoting, encoding and\n"
    "line ends, which column holds the case, the activity, the timestamps, the\n"
    "resource and the lifecycle, and the timestamp layout, with warnings about what\n"
    "looks doubtful. It ends with the command line that reads the file exactly so;\n"
    "add the flags below to correct a guess and sniff again.\n"
    "\n"
    "Options:\n"
    "  --json                  machine-readable output\n"
    "  -o, --output FILE       write to FILE (atomically) instead of stdout\n"
    "  -q, --quiet             no warnings on stderr\n"
    "  -h, --help              this help\n"
    "\n"
    "%s"
    "\n"
    "Example:\n"
    "  asbuilt sniff export.csv.gz\n"
    "  asbuilt sniff --delimiter ';' --timestamp 'Completed At' export.csv\n"
    "\n"
    "Exit codes: 0 read as shown, 2 usage error, 3 the file is not a usable CSV log\n"
    "(binary, empty, not UTF-8, or no case/activity/timestamp column: the flags to\n"
    "name them are suggested), 4 I/O error.\n";

static const char *const role_names[] = {
    "attribute", "case", "activity", "timestamp", "start timestamp", "resource", "lifecycle",
    "case attribute", "index (ignored)",
};

static const char *const role_keys[] = {
    "attribute", "case", "activity", "timestamp", "start_timestamp", "resource", "lifecycle",
    "case_attribute", "index",
};

/* Appends s as one POSIX shell word: bare when every byte is safe, else in single quotes. */
static int shell_word(ab_buf *b, ab_ctx *ctx, const char *s)
{
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                               "_@%+=:,./-";
    size_t n = strlen(s);
    if (n > 0 && strspn(s, safe) == n) {
        return ab_buf_append(b, ctx, s, n);
    }
    int rc = ab_buf_append(b, ctx, "'", 1);
    for (const char *p = s; rc == AB_OK && *p != '\0'; p++) {
        rc = *p == '\'' ? ab_buf_append(b, ctx, "'\\''", 4) : ab_buf_append(b, ctx, p, 1);
    }
    if (rc == AB_OK) {
        rc = ab_buf_append(b, ctx, "'", 1);
    }
    return rc;
}

#define MAX_FLAGS 24
#define MAX_WARNINGS 12

/* What sniff found, ready to print. */
typedef struct sniff_report {
    const char *file;
    int gzip;
    ab_csv_dialect *d;
    int roles_ok;                 /* Case, activity and timestamp were found. */
    char error[600];              /* Why not, when !roles_ok. */
    char ts_format[72];           /* Layout name of the timestamp column, or "". */
    char start_format[72];
    int ts_ambiguous;             /* Still open after everything was read. */
    const char *flags[MAX_FLAGS]; /* The re-run flags, one word each. */
    int nflags;
    char flag_store[MAX_FLAGS][80];
    char warnings[MAX_WARNINGS][400];
    int nwarnings;
} sniff_report;

static const char *store(sniff_report *r, const char *s)
{
    char *slot = r->flag_store[r->nflags];
    snprintf(slot, sizeof(r->flag_store[0]), "%s", s);
    return slot;
}

static void add_flag(sniff_report *r, const char *flag, const char *value)
{
    if (r->nflags + 2 > MAX_FLAGS) {
        return;
    }
    r->flags[r->nflags] = store(r, flag);
    r->nflags++;
    r->flags[r->nflags] = store(r, value);
    r->nflags++;
}

static void warn(sniff_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(sniff_report *r, const char *fmt, ...)
{
    if (r->nwarnings >= MAX_WARNINGS) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->warnings[r->nwarnings++], sizeof(r->warnings[0]), fmt, ap);
    va_end(ap);
}

static const char *col_name(const ab_csv_dialect *d, int idx)
{
    return idx >= 0 && idx < AB_CSV_MAX_SNIFF_COLS ? d->names[idx] : NULL;
}

/*
 * Reads the whole file as `stats` would, to learn the layout the reader
 * settles on when the sample left day-first and month-first open.
 */
static void settle_layout(sniff_report *r, ab_ctx *ctx, const cli_log_opts *o)
{
    ab_input *in = NULL;
    ab_log_builder *b = NULL;
    ab_log *log = NULL;
    ab_error err;
    ab_error_clear(&err);
    ab_log_options lo = AB_LOG_OPTIONS_INIT;
    lo.keep_attributes = 0;
    int rc = ab_input_open(&in, ctx, r->file, &err);
    if (rc == AB_OK) {
        rc = ab_log_builder_create(&b, ctx, &lo);
    }
    if (rc == AB_OK) {
        ab_csv_options co = o->csv;
        co.tz = o->tz;
        rc = ab_csv_read(b, in, &co, &err);
        if (rc == AB_OK) {
            rc = ab_log_builder_finish(b, &log, &err);
            b = NULL;
        }
    }
    if (rc == AB_OK) {
        const char *fmt = ab_log_meta(log, "timestamp_format");
        if (fmt != NULL && strcmp(fmt, r->ts_format) != 0) {
            warn(r, "the first 64 KiB fit both month-first and day-first timestamps; the whole "
                    "file says %s", fmt);
            snprintf(r->ts_format, sizeof(r->ts_format), "%s", fmt);
        }
        r->ts_ambiguous = ab_log_meta(log, "timestamp_ambiguous") != NULL;
    } else {
        char msg[700];
        ab_error_format(&err, msg, sizeof(msg));
        warn(r, "reading the whole file failed: %s", msg);
    }
    ab_log_destroy(log);
    ab_log_builder_destroy(b);
    ab_input_destroy(in);
}

static void build_report(sniff_report *r, ab_ctx *ctx, const cli_log_opts *o)
{
    ab_csv_dialect *d = r->d;
    if (d->timestamp_idx >= 0) {
        ab_ts_format_name(&d->ts_format, r->ts_format, sizeof(r->ts_format));
        if (d->ts_format.layout == AB_TS_AUTO) {
            r->ts_format[0] = '\0';
        }
    }
    if (d->start_idx >= 0) {
        ab_ts_format_name(&d->start_format, r->start_format, sizeof(r->start_format));
        if (d->start_format.layout == AB_TS_AUTO) {
            r->start_format[0] = '\0';
        }
    }
    r->ts_ambiguous = d->ts_ambiguous;
    if (r->roles_ok && d->ts_ambiguous && !d->sample_complete &&
        o->csv.ts_format.layout == AB_TS_AUTO) {
        settle_layout(r, ctx, o);
    }

    /* Warnings, most serious first. */
    if (!d->utf8) {
        warn(r, "invalid UTF-8 at line %llu (byte offset %llu): reading stops there; a Latin-1 "
                "or Windows-1252 file converts with iconv -f WINDOWS-1252 -t UTF-8",
             (unsigned long long)d->utf8_bad_line, (unsigned long long)d->utf8_bad_offset);
    }
    if (r->ts_ambiguous) {
        warn(r, "every timestamp fits both month-first and day-first; read as month-first "
                "(mdy): add --timestamp-format dmy if days come first");
    }
    if (d->start_ambiguous && o->csv.ts_format.layout == AB_TS_AUTO) {
        warn(r, "start timestamps fit both month-first and day-first in the sample");
    }
    if (d->ts_unparsed > 0) {
        warn(r, "%u of %u timestamp values in the sample do not read as %s; those rows will be "
                "dropped (unparsable_timestamp)",
             d->ts_unparsed, d->ts_values, r->ts_format[0] ? r->ts_format : "any layout");
    }
    if (d->ragged_rows > 0) {
        warn(r, "%u of %u rows in the sample have another number of fields than the header "
                "(%u); they will be dropped (ragged_row)",
             d->ragged_rows, d->sample_rows, d->columns);
    }
    if (d->columns > AB_CSV_MAX_SNIFF_COLS) {
        warn(r, "only the first %d of %u columns are shown", AB_CSV_MAX_SNIFF_COLS, d->columns);
    }
    if (r->roles_ok && d->sample_rows == 0) {
        warn(r, "no data rows in the sample");
    }

    /* The flags that pin this reading. */
    char delim[4] = {d->delimiter, '\0'};
    add_flag(r, "--delimiter", d->delimiter == '\t' ? "tab" : delim);
    static const char *const flag_names[] = {"--case", "--activity", "--timestamp",
                                             "--start-timestamp", "--resource",
                                             "--lifecycle-column"};
    int idx[6] = {d->case_idx, d->activity_idx, d->timestamp_idx,
                  d->start_idx, d->resource_idx, d->lifecycle_idx};
    const char *given[6] = {o->csv.case_col, o->csv.activity_col, o->csv.timestamp_col,
                            o->csv.start_col, o->csv.resource_col, o->csv.lifecycle_col};
    for (int k = 0; k < 6; k++) {
        if (idx[k] >= 0) {
            add_flag(r, flag_names[k], col_name(d, idx[k]));
        } else if (given[k] != NULL && given[k][0] == '\0') {
            add_flag(r, flag_names[k], "");
        }
    }
    if (o->csv.ts_format.layout != AB_TS_AUTO) {
        char name[72];
        ab_ts_format_name(&o->csv.ts_format, name, sizeof(name));
        add_flag(r, "--timestamp-format", name);
    } else if (r->ts_format[0] != '\0') {
        add_flag(r, "--timestamp-format", r->ts_format);
    }
    if (o->tz_name != NULL) {
        add_flag(r, "--tz", o->tz_name);
    }
}

static int command_line(ab_buf *b, ab_ctx *ctx, const sniff_report *r)
{
    int rc = ab_buf_append(b, ctx, "asbuilt stats", 13);
    for (int k = 0; k < r->nflags && rc == AB_OK; k++) {
        rc = ab_buf_append(b, ctx, " ", 1);
        if (rc == AB_OK) {
            rc = shell_word(b, ctx, r->flags[k]);
        }
    }
    if (rc == AB_OK) {
        rc = ab_buf_append(b, ctx, " ", 1);
    }
    if (rc == AB_OK) {
        rc = shell_word(b, ctx, r->file);
    }
    return rc;
}

static const char *line_ending_name(const ab_csv_dialect *d)
{
    return strcmp(d->newline, "\r\n") == 0 ? "CRLF" : strcmp(d->newline, "\r") == 0 ? "CR" : "LF";
}

static const char *delimiter_name(char c)
{
    switch (c) {
    case ',':
        return "',' (comma)";
    case ';':
        return "';' (semicolon)";
    case '\t':
        return "tab";
    case '|':
        return "'|' (pipe)";
    default:
        return "?";
    }
}

static int render_text(ab_buf *b, ab_ctx *ctx, const sniff_report *r)
{
    const ab_csv_dialect *d = r->d;
    int rc = ab_buf_printf(b, ctx, "file        %s%s\n", r->file, r->gzip ? " (gzip)" : "");
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, "encoding    %s%s\n", d->utf8 ? "UTF-8" : "not UTF-8",
                           d->bom ? ", with byte-order mark" : "");
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, "line ends   %s\n", line_ending_name(d));
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, "delimiter   %s\n", delimiter_name(d->delimiter));
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, "quoting     %s\n",
                           d->quoted ? "double quotes (RFC 4180)" : "none seen");
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, "sample      %u row%s (%s)\n", d->sample_rows,
                           d->sample_rows == 1 ? "" : "s",
                           d->sample_complete ? "the whole file" : "the first 64 KiB");
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, "columns     %u\n", d->columns);
    }
    uint32_t shown = d->columns < AB_CSV_MAX_SNIFF_COLS ? d->columns : AB_CSV_MAX_SNIFF_COLS;
    int width = 6;
    for (uint32_t c = 0; c < shown; c++) {
        int n = (int)strlen(d->names[c]);
        width = n > width ? (n > 40 ? 40 : n) : width;
    }
    for (uint32_t c = 0; c < shown && rc == AB_OK; c++) {
        unsigned role = d->roles[c] <= AB_CSV_ROLE_INDEX ? d->roles[c] : 0;
        const char *fmt = (int)c == d->timestamp_idx ? r->ts_format
                          : (int)c == d->start_idx   ? r->start_format
                                                     : "";
        int example = (int)c == d->timestamp_idx && d->ts_example[0] != '\0';
        rc = ab_buf_printf(b, ctx, "  %3u  %-*s  %-*s%s", c + 1, width,
                           d->names[c][0] ? d->names[c] : "(unnamed)",
                           fmt[0] || example ? 16 : 0, role_names[role], fmt);
        if (rc == AB_OK && example) {
            rc = ab_buf_printf(b, ctx, "%se.g. %s", fmt[0] ? ", " : "", d->ts_example);
        }
        if (rc == AB_OK) {
            rc = ab_buf_append(b, ctx, "\n", 1);
        }
    }
    if (rc == AB_OK && r->nwarnings > 0) {
        rc = ab_buf_printf(b, ctx, "warnings\n");
        for (int k = 0; k < r->nwarnings && rc == AB_OK; k++) {
            rc = ab_buf_printf(b, ctx, "  - %s\n", r->warnings[k]);
        }
    }
    if (rc == AB_OK && !r->roles_ok) {
        rc = ab_buf_printf(b, ctx, "error\n  %s\n", r->error);
    }
    if (rc == AB_OK && r->roles_ok) {
        rc = ab_buf_printf(b, ctx, "re-run with\n  ");
        if (rc == AB_OK) {
            rc = command_line(b, ctx, r);
        }
        if (rc == AB_OK) {
            rc = ab_buf_append(b, ctx, "\n", 1);
        }
    }
    return rc;
}

static int render_json(ab_buf *b, ab_ctx *ctx, const sniff_report *r)
{
    const ab_csv_dialect *d = r->d;
    char delim[2] = {d->delimiter, '\0'};
    int rc = ab_buf_printf(b, ctx, "{\n  \"schema\": \"asbuilt.sniff/1\",\n  \"file\": ");
    if (rc == AB_OK) {
        rc = ab_buf_append_json_string(b, ctx, r->file);
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx,
                           ",\n  \"gzip\": %s,\n  \"utf8\": %s,\n  \"bom\": %s,\n"
                           "  \"line_ending\": \"%s\",\n  \"delimiter\": ",
                           r->gzip ? "true" : "false", d->utf8 ? "true" : "false",
                           d->bom ? "true" : "false", line_ending_name(d));
    }
    if (rc == AB_OK) {
        rc = ab_buf_append_json_string(b, ctx, delim);
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx,
                           ",\n  \"quoted\": %s,\n  \"sample_rows\": %u,\n"
                           "  \"sample_complete\": %s,\n  \"ragged_rows\": %u,\n"
                           "  \"column_count\": %u,\n  \"columns\": [",
                           d->quoted ? "true" : "false", d->sample_rows,
                           d->sample_complete ? "true" : "false", d->ragged_rows, d->columns);
    }
    uint32_t shown = d->columns < AB_CSV_MAX_SNIFF_COLS ? d->columns : AB_CSV_MAX_SNIFF_COLS;
    for (uint32_t c = 0; c < shown && rc == AB_OK; c++) {
        unsigned role = d->roles[c] <= AB_CSV_ROLE_INDEX ? d->roles[c] : 0;
        rc = ab_buf_printf(b, ctx, "%s\n    {\"name\": ", c ? "," : "");
        if (rc == AB_OK) {
            rc = ab_buf_append_json_string(b, ctx, d->names[c]);
        }
        if (rc == AB_OK) {
            rc = ab_buf_printf(b, ctx, ", \"role\": \"%s\"}", role_keys[role]);
        }
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, "\n  ],\n  \"roles\": {");
    }
    int idx[6] = {d->case_idx, d->activity_idx, d->timestamp_idx,
                  d->start_idx, d->resource_idx, d->lifecycle_idx};
    for (int k = 0; k < 6 && rc == AB_OK; k++) {
        rc = ab_buf_printf(b, ctx, "%s\"%s\": ", k ? ", " : "", role_keys[k + 1]);
        if (rc == AB_OK) {
            rc = ab_buf_append_json_string(b, ctx, col_name(d, idx[k]));
        }
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, "},\n  \"timestamp_format\": ");
    }
    if (rc == AB_OK) {
        rc = ab_buf_append_json_string(b, ctx, r->ts_format[0] ? r->ts_format : NULL);
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, ",\n  \"start_timestamp_format\": ");
    }
    if (rc == AB_OK) {
        rc = ab_buf_append_json_string(b, ctx, r->start_format[0] ? r->start_format : NULL);
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, ",\n  \"timestamp_ambiguous\": %s,\n  \"timestamp_example\": ",
                           r->ts_ambiguous ? "true" : "false");
    }
    if (rc == AB_OK) {
        rc = ab_buf_append_json_string(b, ctx, d->ts_example[0] ? d->ts_example : NULL);
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, ",\n  \"warnings\": [");
    }
    for (int k = 0; k < r->nwarnings && rc == AB_OK; k++) {
        rc = ab_buf_printf(b, ctx, "%s\n    ", k ? "," : "");
        if (rc == AB_OK) {
            rc = ab_buf_append_json_string(b, ctx, r->warnings[k]);
        }
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, "%s],\n  \"error\": ", r->nwarnings ? "\n  " : "");
    }
    if (rc == AB_OK) {
        rc = ab_buf_append_json_string(b, ctx, r->roles_ok ? NULL : r->error);
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, ",\n  \"flags\": [");
    }
    for (int k = 0; k < r->nflags && rc == AB_OK && r->roles_ok; k++) {
        rc = ab_buf_printf(b, ctx, "%s", k ? ", " : "");
        if (rc == AB_OK) {
            rc = ab_buf_append_json_string(b, ctx, r->flags[k]);
        }
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, "],\n  \"command\": ");
    }
    if (rc == AB_OK && r->roles_ok) {
        ab_buf line = AB_BUF_INIT;
        rc = command_line(&line, ctx, r);
        if (rc == AB_OK) {
            rc = ab_buf_append_json_string(b, ctx, line.ptr);
        }
        ab_buf_dispose(&line);
    } else if (rc == AB_OK) {
        rc = ab_buf_append(b, ctx, "null", 4);
    }
    if (rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, "\n}\n");
    }
    return rc;
}

int cmd_sniff(int argc, char **argv)
{
    const char *cmd = "sniff";
    cli_log_opts o;
    cli_log_opts_init(&o);
    int json = 0;
    const char *output = NULL;
    const char *file = NULL;
    cli_args opt;
    cli_args_start(&opt, cmd, argc, argv);
    while (cli_next(&opt)) {
        if (cli_flag(&opt, "-h", "--help")) {
            printf(help, cli_log_opts_help);
            return EXIT_OK;
        }
        if (cli_flag(&opt, "--json", NULL)) {
            json = 1;
        } else if (cli_flag(&opt, "-q", "--quiet")) {
            cli_quiet = 1;
        } else if (cli_value(&opt, "--output", "-o")) {
            output = opt.v;
        } else if (cli_log_opt(&opt, &o) || cli_unknown(&opt)) {
            continue;
        } else if (file != NULL) {
            cli_fail(&opt, "one file at a time ('%s' and '%s')", file, argv[opt.i]);
        } else {
            file = argv[opt.i];
        }
    }
    if (opt.bad) {
        return EXIT_USAGE;
    }
    if (file == NULL) {
        return cli_usage_error(cmd, "no CSV file given");
    }

    ab_ctx *ctx = cli_ctx();
    ab_input *in = NULL;
    ab_buf out = AB_BUF_INIT;
    sniff_report *r = calloc(1, sizeof(*r));
    ab_csv_dialect *d = calloc(1, sizeof(*d));
    ab_error err;
    ab_error_clear(&err);
    int rc = EXIT_OK;
    if (ctx == NULL) {
        rc = EXIT_IO;
        goto done;
    }
    if (r == NULL || d == NULL) {
        fprintf(stderr, "asbuilt: out of memory\n");
        rc = EXIT_IO;
        goto done;
    }
    if (o.tz_name != NULL) {
        int st = ab_tz_load(&o.tz, ctx, o.tz_name, &err);
        if (st != AB_OK) {
            fprintf(stderr, "asbuilt: --tz %s: %s\n", o.tz_name, err.msg);
            rc = EXIT_USAGE;
            goto done;
        }
    }
    int st = ab_input_open(&in, ctx, file, &err);
    if (st != AB_OK) {
        rc = cli_report(&err);
        goto done;
    }
    r->file = file;
    r->d = d;
    r->gzip = ab_input_is_gzip(in);
    ab_csv_options co = o.csv;
    co.tz = o.tz;
    st = ab_csv_sniff(d, in, &co, &err);
    ab_input_destroy(in);
    in = NULL;
    if (st != AB_OK && st != AB_ENOTFOUND) {
        /* Nothing to show: not text, empty, or unreadable. */
        rc = cli_report(&err);
        goto done;
    }
    r->roles_ok = st == AB_OK;
    if (!r->roles_ok) {
        snprintf(r->error, sizeof(r->error), "%s", err.msg);
    }
    build_report(r, ctx, &o);
    st = json ? render_json(&out, ctx, r) : render_text(&out, ctx, r);
    if (st != AB_OK) {
        fprintf(stderr, "asbuilt: out of memory\n");
        rc = EXIT_IO;
        goto done;
    }
    rc = cli_write_output(output, &out);
    if (rc == EXIT_OK && !r->roles_ok) {
        if (!cli_quiet) {
            fprintf(stderr, "asbuilt: %s: %s\n", file, r->error);
        }
        rc = EXIT_DATA;
    } else if (rc == EXIT_OK && !d->utf8) {
        /* Shown for what it is worth, but reading would stop at that byte. */
        if (!cli_quiet) {
            fprintf(stderr, "asbuilt: %s:%llu: (byte %llu) invalid UTF-8\n", file,
                    (unsigned long long)d->utf8_bad_line,
                    (unsigned long long)d->utf8_bad_offset);
        }
        rc = EXIT_DATA;
    }
done:
    ab_input_destroy(in);
    ab_buf_dispose(&out);
    free(r);
    free(d);
    cli_log_opts_dispose(&o);
    ab_ctx_destroy(ctx);
    return rc;
}
