/*
 * tools/mpi_load.h: the log of asbuilt-mpi, built over all ranks (see
 * mpi_load.c): cli_load_log_hook points at mpi_load_log.
 */
#ifndef AB_MPI_LOAD_H
#define AB_MPI_LOAD_H

#include "asbuilt/asbuilt.h"

/*
 * Collective over MPI_COMM_WORLD. On rank 0: returns an exit code and, on
 * success, the merged log in *out. On the other ranks it never returns: once
 * their part is handed on they wait for rank 0's exit code and exit with it.
 */
int mpi_load_log(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths, int count,
                 ab_log **out);

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
