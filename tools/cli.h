/*
 * tools/cli.h: what the subcommands of the `asbuilt` command share: exit
 * codes, error printing, option helpers and loading logs from the command
 * line. Each subcommand lives in tools/cmd_<name>.c as `int cmd_<name>(int
 * argc, char **argv)` with argv[0] = the subcommand name, and returns an exit
 * code.
 */
#ifndef AB_CLI_H
#define AB_CLI_H

#include <stdio.h>

#include "asbuilt/asbuilt.h"

/* The subcommands (each in tools/cmd_<name>.c). */
int cmd_stats(int argc, char **argv);
int cmd_sniff(int argc, char **argv);
int cmd_discover(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_diff(int argc, char **argv);

/* Exit codes (spec/cli.md). */
enum {
    EXIT_OK = 0,
    EXIT_GATE = 1,     /* A --fail-above threshold was exceeded. */
    EXIT_USAGE = 2,    /* Bad command line. */
    EXIT_DATA = 3,     /* Bad input data. */
    EXIT_IO = 4,       /* I/O or internal error. */
};

/* Maps an ab_status to an exit code: EPARSE/ELIMIT/ENOTFOUND -> 3, the rest -> 4. */
int cli_exit_for(int status);

/* Prints "asbuilt: source:line:col: msg" to stderr and returns cli_exit_for(err->code). */
int cli_report(const ab_error *err);

/* Prints "asbuilt <cmd>: msg\nTry 'asbuilt <cmd> --help'." and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Non-zero when stderr is a terminal and --quiet was not given (progress allowed). */
extern int cli_progress;
extern int cli_quiet;

/* A context with a diagnostics callback printing warnings to stderr. */
ab_ctx *cli_ctx(void);

/*
 * Long-option parsing shared by subcommands: matches "--name" and "--name=value"
 * forms. Returns 1 and sets *value (NULL for a flag) when argv[*i] matches,
 * advancing *i past a separate value; 0 when it does not match; -1 (after
 * printing a usage error) when a value is missing.
 */
int cli_opt(const char *cmd, int argc, char **argv, int *i, const char *name, int takes_value,
            const char **value);

/* Options for reading logs, shared by stats, discover and diff. */
typedef struct cli_log_opts {
    ab_csv_options csv;
    ab_xes_options xes;
    ab_log_options log;
    const char *tz_name;
    const char *ts_format;
    ab_tz *tz;
} cli_log_opts;

void cli_log_opts_init(cli_log_opts *o);
void cli_log_opts_dispose(cli_log_opts *o);
/*
 * Consumes one log-reading option at argv[*i] (--case, --activity, --timestamp,
 * --start-timestamp, --resource, --lifecycle-column, --delimiter,
 * --timestamp-format, --tz, --classifier, --lifecycle all|complete, --strict).
 * Returns 1 when consumed, 0 when argv[*i] is not one, -1 on a usage error.
 */
int cli_log_opt(const char *cmd, cli_log_opts *o, int argc, char **argv, int *i);
/* Help text lines for those options. */
extern const char cli_log_opts_help[];

/* Reads the files (several form one log) into *out. Returns an exit code. */
int cli_load_log(ab_ctx *ctx, cli_log_opts *o, const char *const *paths, int path_count,
                 ab_log **out);

/* Writes buf to path atomically ("-" or NULL = stdout). Returns an exit code. */
int cli_write_output(const char *path, const ab_buf *buf);

#endif
