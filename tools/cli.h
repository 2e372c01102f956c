/*
 * tools/cli.h: what the subcommands of the `asbuilt` command share: exit
 * codes, error printing, option helpers and loading logs from the command
 * line. Each subcommand lives in tools/cmd_<name>.c as `int cmd_<name>(int
 * argc, char **argv)` with argv[0] = the subcommand name, and returns an exit
 * code.
 */
#ifndef AB_CLI_H
#define AB_CLI_H

#include <pthread.h>
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
    EXIT_GATE = 1,  /* A --fail-above threshold was exceeded. */
    EXIT_USAGE = 2, /* Bad command line. */
    EXIT_DATA = 3,  /* Bad input data. */
    EXIT_IO = 4,    /* I/O or internal error. */
};

/* Maps an ab_status to an exit code: EPARSE/ELIMIT/ENOTFOUND -> 3, the rest -> 4. */
int cli_exit_for(int status);

/* Prints "asbuilt: source:line:col: msg" to stderr and returns cli_exit_for(err->code).
 * An error that was never filled (code AB_OK) is an internal error: exit 4. */
int cli_report(const ab_error *err);

/*
 * Reports a failed call by its returned status: the exit code comes from
 * status, the message from err when the call filled it. A failure that left
 * err empty says "out of memory" (AB_ENOMEM) or "internal error" and exits
 * 4. Returns EXIT_OK when status is AB_OK. err may be NULL.
 */
int cli_report_status(int status, const ab_error *err);

/* Prints "asbuilt <cmd>: msg\nTry 'asbuilt <cmd> --help'." and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Non-zero when stderr is a terminal and --quiet was not given (progress allowed). */
extern int cli_progress;
extern int cli_quiet;

/*
 * The progress line on stderr (only when cli_progress): "PHASE: 42%, about
 * 12 s left" where done of total is known (total > 0), "PHASE..." where it
 * is not. Written at most five times a second within a phase, never twice
 * the same; a new phase shows at once. With TERM=dumb (or no TERM) the line
 * is redrawn with carriage returns and blanks, no escape sequences.
 */
void cli_progress_update(const char *phase, uint64_t done, uint64_t total);
/* The same, with the signature of the library's progress callbacks. */
void cli_progress_cb(const char *phase, uint64_t done, uint64_t total, void *payload);
/* Erases the progress line, if shown (before any other message). */
void cli_progress_clear(void);

/* A context with a diagnostics callback printing warnings to stderr; NULL
 * after printing "out of memory" (the command exits 4). */
ab_ctx *cli_ctx(void);

/*
 * The option loop of a subcommand:
 *
 *     cli_args a;
 *     cli_args_start(&a, cmd, argc, argv);
 *     while (cli_next(&a)) {
 *         if (cli_flag(&a, "--json", NULL)) { ... }
 *         else if (cli_value(&a, "--output", "-o")) { output = a.v; }
 *         else if (cli_unknown(&a)) { }
 *         else { files[n++] = a.argv[a.i]; }
 *     }
 *     if (a.bad) { return EXIT_USAGE; }
 *
 * The first usage error is printed (cli_fail) and ends the loop; later ones
 * are not printed, so a branch may run on a value already found wanting.
 */
typedef struct cli_args {
    const char *cmd; /* The subcommand, for messages. */
    int argc;
    char **argv;
    int i;            /* The argument being looked at. */
    const char *v;    /* The value cli_value matched ("" when it was missing). */
    const char *name; /* The option cli_value matched. */
    int bad;          /* A usage error was printed: the command exits with EXIT_USAGE. */
    int ended;        /* "--" was passed: what follows are operands, never options. */
} cli_args;

void cli_args_start(cli_args *a, const char *cmd, int argc, char **argv);
/*
 * Moves to the next argument: 0 at the end or after a usage error. A "--"
 * ends the options: it is skipped, and no later argument matches a flag or
 * an option (cli_flag, cli_value and cli_unknown answer 0), so "-" and names
 * starting with '-' reach the command as files.
 */
int cli_next(cli_args *a);
/* argv[i] is the flag name (or alt, when not NULL). */
int cli_flag(const cli_args *a, const char *name, const char *alt);
/*
 * argv[i] is the option name (or alt) with a value, as "NAME VALUE" or
 * "NAME=VALUE": returns 1 with the value in a->v (a missing value is a usage
 * error, and a->v is ""); 0 when argv[i] is something else.
 */
int cli_value(cli_args *a, const char *name, const char *alt);
/* Prints "asbuilt <cmd>: msg" and the --help hint, unless an error was printed already. */
void cli_fail(cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads a->v as a whole number in [min, max] into *out; 1, or 0 after cli_fail. */
int cli_number(cli_args *a, unsigned long long min, unsigned long long max,
               unsigned long long *out);
/* Reads the current option's value as a size in bytes ("512M", "2G",
 * "300000K", or bytes; at least 1 MiB) into *out; on a bad value prints a
 * usage error and returns 0. */
int cli_size(cli_args *a, const char *name, uint64_t *out);
/* argv[i] looks like an option no branch took: fails and returns 1. */
int cli_unknown(cli_args *a);

/* Options for reading logs, shared by stats, discover and diff. */
typedef struct cli_log_opts {
    ab_csv_options csv;
    ab_xes_options xes;
    ab_log_options log;
    const char *tz_name;
    const char *ts_format;
    ab_tz *tz;
    const char *role_col; /* --role: the event attribute (CSV column) of the role, or NULL. */
} cli_log_opts;

void cli_log_opts_init(cli_log_opts *o);
void cli_log_opts_dispose(cli_log_opts *o);
/*
 * Consumes one log-reading option at argv[i] (--case, --activity, --timestamp,
 * --start-timestamp, --resource, --lifecycle-column, --delimiter,
 * --timestamp-format, --tz, --classifier, --lifecycle all|complete, --strict,
 * --role).
 * Returns 1 when consumed (a bad value fails a), 0 when argv[i] is not one.
 */
int cli_log_opt(cli_args *a, cli_log_opts *o);
/*
 * The end of the option chain of a command that reads logs: -q, a
 * log-reading option, an unknown option (a usage error), or a log file,
 * appended to files.
 */
void cli_log_arg(cli_args *a, cli_log_opts *o, const char **files, int *nfiles);
/* Help text lines for those options. */
extern const char cli_log_opts_help[];

/* Reads the files (several form one log) into *out. Returns an exit code. */
int cli_load_log(ab_ctx *ctx, cli_log_opts *o, const char *const *paths, int path_count,
                 ab_log **out);
/*
 * Set by a driver that builds the log in its own way (asbuilt-mpi): when not
 * NULL, cli_load_log hands it the read options (the time zone loaded) in
 * place of reading the files itself. Returns an exit code, errors reported.
 */
extern int (*cli_load_log_hook)(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths,
                                int path_count, ab_log **out);

/*
 * What `stats` reports on the files, with at most top variants: from the
 * log (*log_out, which the view points into) or, when a driver counts in
 * its own way (cli_stats_hook, asbuilt-mpi), without one (*log_out NULL).
 * Returns an exit code; release with cli_release_stats.
 */
int cli_load_stats(ab_ctx *ctx, cli_log_opts *o, const char *const *paths, int path_count,
                   uint32_t top, ab_stats_view *out, ab_log **log_out);
void cli_release_stats(ab_ctx *ctx, ab_stats_view *v, ab_log *log);
extern int (*cli_stats_hook)(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths,
                             int path_count, uint32_t top, ab_stats_view *out);
extern void (*cli_stats_release_hook)(ab_ctx *ctx, ab_stats_view *v);

/*
 * Set by a driver that discovers in its own way (asbuilt-mpi): when not
 * NULL, discover (without --one-pass or --network) calls it in place of
 * reading the log and ab_dfg_discover: it returns an exit code (errors
 * reported) and, on success, the graph in *out.
 */
extern int (*cli_discover_hook)(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths,
                                int path_count, const ab_dfg_options *dopts, ab_dfg **out);
/* The read options of o for a hook (the time zone loaded). An exit code. */
int cli_read_options(cli_log_opts *o, ab_read_options *ro, ab_ctx *ctx);

/*
 * Set by a driver that aligns in its own way (asbuilt-mpi): when not NULL,
 * diff calls it in place of ab_conform_run, with the same arguments and
 * meaning. It may not return (a process that only helps another).
 */
extern int (*cli_conform_run_hook)(ab_conform **out, ab_ctx *ctx, const ab_log *log,
                                   const ab_net *net, const ab_conform_options *opts,
                                   ab_error *err);

/*
 * Set by a driver whose processes each hold a share of the cases
 * (asbuilt-mpi diff): when not NULL, diff calls the first in place of
 * ab_gap_mapping_coverage and the second in place of ab_gap_compute, with
 * the same arguments and meaning (the log this process's share), and
 * writes the reports only when cli_write_reports is set (the process that
 * writes them).
 */
extern int (*cli_mapping_coverage_hook)(const ab_log *log, const ab_net *net,
                                        const ab_bpmn_mapping *mapping, ab_gap_rate *events,
                                        ab_gap_rate *tasks, char *warning, size_t cap);
extern int (*cli_gap_compute_hook)(ab_gap **out, ab_ctx *ctx, const ab_log *log, const ab_net *net,
                                   const ab_conform *conf, const ab_gap_options *opts,
                                   ab_error *err);
extern int cli_write_reports;
/*
 * The same driver, under --cases: the process that writes the reports makes
 * the case lines with cli_case_lines (every case's line in the whole log's
 * order, piece by piece, as an ab_output_writer whose payload is the gap),
 * while the others run cli_case_lines_serve (an exit code) until that
 * process calls cli_case_lines_end, which it does once, lines written or
 * not. NULL: the lines of the gap's cases, made here.
 */
extern int (*cli_case_lines)(void *gap, ab_buf *out, int *done, ab_error *err);
extern int (*cli_case_lines_serve)(const ab_gap *gap);
extern void (*cli_case_lines_end)(void);

/*
 * Hashing the log files (SHA-256, for the report header) while the log is
 * read, on a thread of its own, so that the report does not wait for a
 * second pass over the files:
 *
 *     cli_hash h = {0};
 *     cli_hash_start(&h, paths, n);   (before cli_load_log)
 *     ...
 *     go.log_sha256 = cli_hash_finish(&h);
 *
 * Only regular files are hashed early: a pipe read twice at once would lose
 * the log's bytes. cli_hash_finish joins the thread and returns the digest,
 * or NULL when there is none (cli_hash_early off, a file "-", not a regular
 * file, an error while hashing): ab_gap_compute then hashes the files
 * itself, with its own messages, as without the early start. cli_hash_finish
 * may be called again (on the way out) and returns the same.
 */
typedef struct cli_hash {
    pthread_t thread;
    int running; /* The thread was started and not yet joined. */
    int status;  /* ab_status of the hashing; AB_OK with hex set = a digest. */
    const char *const *paths;
    size_t count;
    char hex[65]; /* "" = no digest. */
} cli_hash;

/* 1 (the default): cli_hash_start starts the thread; 0: it does nothing (a
 * driver whose process does not write the report). */
extern int cli_hash_early;

void cli_hash_start(cli_hash *h, const char *const *paths, int path_count);
const char *cli_hash_finish(cli_hash *h);

/*
 * Maps the net's labels to the log's activities (map_file, or by name) into
 * *map_out and relabels the net into *relabelled_out. Returns an exit code;
 * errors are reported.
 */
int cli_relabel(ab_ctx *ctx, const ab_log *log, const ab_net *net, const char *map_file,
                ab_bpmn_mapping **map_out, ab_net **relabelled_out);

/*
 * Removes the temporary files of the outputs being written on SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT and SIGPIPE, then ends the process as the signal
 * would have; a signal ignored by whoever started the process stays ignored.
 */
void cli_catch_signals(void);

/* Non-zero when path names stdout: "-", /dev/stdout, /dev/fd/1, /proc/self/fd/1. */
int cli_is_stdout(const char *path);

/* Writes buf to path atomically ("-" or NULL = stdout). Returns an exit code. */
int cli_write_output(const char *path, const ab_buf *buf);

#endif
