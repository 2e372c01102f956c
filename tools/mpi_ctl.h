/*
 * tools/mpi_ctl.h: the control messages rank 0 sends the other ranks while
 * they wait, and the log of the whole input's activity names (see
 * mpi_ctl.c).
 */
#ifndef AB_MPI_CTL_H
#define AB_MPI_CTL_H

#include "asbuilt/asbuilt.h"

/* What rank 0 tells the waiting ranks; an exit code (>= 0) ends them. */
enum {
    MPI_CTL_ORDERS = -5, /* Order statistics of discover follow (mpi_discover.c). */
};

/*
 * Rank 0: sends v to every other rank (an exit code, or an MPI_CTL_*).
 * Other ranks: waits, asleep, for it and returns it. Collective.
 */
int mpi_control(int v);

/* The log of the names in p (a u32 count, then each name's u32 length and
 * bytes): no case, the activities numbered in byte order. An ab_status. */
int mpi_names_log(ab_ctx *ctx, const unsigned char *p, uint64_t len, ab_log **out, ab_error *err);

/* A rank other than 0 that has failed, or is done: answers rank 0's
 * controls until the exit code arrives. */
int mpi_wait_exit(void);

#endif
