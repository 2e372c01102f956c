/*
 * tools/mpi_load.h: the log of asbuilt-mpi, built over all ranks (see
 * mpi_load.c): cli_load_log_hook points at mpi_load_log.
 */
#ifndef AB_MPI_LOAD_H
#define AB_MPI_LOAD_H

#include "asbuilt/asbuilt.h"
#include "mpi_comm.h"

/*
 * Collective over MPI_COMM_WORLD. On rank 0: returns an exit code and, on
 * success, the merged log in *out. On the other ranks it never returns: once
 * their part is handed on they wait for rank 0's exit code and exit with it.
 */
int mpi_load_log(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths, int count,
                 ab_log **out);

/*
 * Steps 1 and 2 of mpi_load_log, collective: *owned gets the cases this
 * rank owns, each whole (NULL when none), with the facts of the span it
 * read. Returns an exit code, the same on every rank (the failure printed).
 */
int mpi_load_owned(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths, int count,
                   ab_log **owned);

/*
 * Step 3 of mpi_load_log, collective: gathers owned (destroyed) to rank 0,
 * where *out gets the merged log; rc is mpi_load_owned's (nothing is done
 * unless EXIT_OK). As mpi_load_log, the other ranks do not return.
 */
int mpi_gather_log(ab_ctx *ctx, const ab_read_options *ro, int rc, ab_log *owned, ab_log **out);

/* Collective: agrees on a step's outcome (an ab_status); the first rank that
 * failed prints why. Returns the exit code, the same on every rank. */
int mpi_settle(int status, const ab_error *err);

/* Frees the n buffers of b (NULL accepted). */
void mpi_free_all(mpi_bytes *b, int n);
/* The same, and b itself. */
void mpi_drop_all(mpi_bytes *b, int n);

/* The end of every rank: rank 0 hands rc to all; all exit with it. */
void mpi_finish(int rc) __attribute__((noreturn));

/* The end of a rank that has its exit code (rank 0's): finalises, exits. */
void mpi_exit(int rc) __attribute__((noreturn));

/* Sends stdout and stderr of a rank other than 0 to /dev/null. */
void mpi_stderr_quiet(void);

/* The other ranks keep stderr quiet until the log is read (usage errors are
 * rank 0's to print); this gives it back. */
void mpi_stderr_restore(void);

#endif
