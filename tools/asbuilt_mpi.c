/*
 * tools/asbuilt_mpi.c: `mpirun -np N asbuilt-mpi stats|discover|diff ...`:
 * the commands of `asbuilt`, with their own options (tools/cmd_*.c), over
 * MPI ranks. The ranks read the input in shares and send each case to the
 * rank that owns it (tools/mpi_load.c); stats, discover and diff then run
 * where the cases are (mpi_stats.c, mpi_discover.c, mpi_diff.c) and rank 0
 * writes the outputs as `asbuilt` does (under diff --cases, each rank's
 * case lines merged in the log's order). Where a command needs the whole
 * log (discover --one-pass, a log without timestamps ...) rank 0 gathers
 * it. The JSON
 * outputs are those of `asbuilt` on the same input, whatever the number of
 * ranks. Exit codes as for `asbuilt`, the same on every rank.
 */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mpi_ctl.h"
#include "mpi_comm.h"
#include "mpi_diff.h"
#include "mpi_load.h"
#include "mpi_discover.h"
#include "mpi_stats.h"

typedef struct command {
    const char *name;
    int (*fn)(int, char **);
} command;

static const command commands[] = {
    {"stats", cmd_stats},
    {"discover", cmd_discover},
    {"diff", cmd_diff},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: mpirun -np N asbuilt-mpi <command> [options] [files...]\n\n"
               "Runs an asbuilt command over N MPI ranks: each rank reads its share of the\n"
               "input (whole files, or record ranges of a plain CSV file), the cases are sent\n"
               "to the rank that owns them, and rank 0 writes the outputs. The results are\n"
               "those of 'asbuilt <command>' on the same input, whatever N.\n\ncommands:\n"
               "  stats      cases, events, activities, variants, time span and data quality\n"
               "             (counted where the cases are: no rank holds more than its share)\n"
               "  discover   the as-is process: directly-follows graph and variants (summarised\n"
               "             where the cases are; the percentiles are selected over the ranks)\n"
               "  diff       the Work Reality Gap between a log and its documented map (each\n"
               "             rank on its own cases; the case lines of --cases merged on rank 0)\n\n"
               "Each takes the options of 'asbuilt <command>' (asbuilt-mpi <command> --help).\n"
               "Exit codes: 0 success, 1 a --fail-above gate was exceeded, 2 usage error,\n"
               "3 bad input data, 4 I/O or internal error.\n");
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    mpi_comm_init();
    if (argc < 2) {
        if (mpi_rank == 0) {
            usage(stderr);
        }
        mpi_finish(EXIT_USAGE);
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        if (mpi_rank == 0) {
            usage(stdout);
        }
        mpi_finish(EXIT_OK);
    }
    if (strcmp(name, "--version") == 0) {
        if (mpi_rank == 0) {
            printf("asbuilt-mpi %s\n", ab_version());
        }
        mpi_finish(EXIT_OK);
    }
    const command *c = NULL;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, name) == 0) {
            c = &commands[i];
        }
    }
    if (c == NULL) {
        if (mpi_rank == 0) {
            fprintf(stderr, "asbuilt-mpi: unknown command '%s'\n\n", name);
            usage(stderr);
        }
        mpi_finish(EXIT_USAGE);
    }
    if (mpi_rank != 0) {
        mpi_stderr_quiet(); /* Rank 0 prints the usage errors, once. */
    } else {
        cli_catch_signals(); /* Rank 0 writes the outputs. */
    }
    cli_load_log_hook = mpi_load_log;
    /* Rank 0 writes the report: it alone hashes the log, while the ranks read. */
    cli_hash_early = mpi_rank == 0;
    /* stats counts on the ranks that own the cases, without gathering them. */
    cli_stats_hook = mpi_stats_view;
    cli_stats_release_hook = mpi_stats_release;
    /* discover too: each rank summarises its cases; rank 0 merges the summaries. */
    cli_discover_hook = mpi_discover;
    int spread = strcmp(name, "diff") == 0;
    if (spread && mpi_size == 1) {
        /* One rank holds every case: the command runs as asbuilt runs it. */
        cli_load_log_hook = mpi_diff_load;
    } else if (spread) {
        /* Every rank runs diff on its own cases; rank 0 writes the reports. */
        cli_load_log_hook = mpi_diff_load;
        cli_mapping_coverage_hook = mpi_diff_coverage;
        cli_conform_run_hook = mpi_diff_conform;
        cli_gap_compute_hook = mpi_diff_gap;
        cli_write_reports = mpi_rank == 0;
        /* The case lines: each rank's, merged on rank 0 in the log's order. */
        if (mpi_rank == 0) {
            cli_case_lines = mpi_diff_case_lines;
            cli_case_lines_end = mpi_diff_case_lines_end;
        } else {
            cli_case_lines_serve = mpi_diff_case_lines_serve;
        }
    }
    int rc = c->fn(argc - 1, argv + 1);
    mpi_diff_release();
    mpi_finish(rc);
}
