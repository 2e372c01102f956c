/*
 * tools/mpi_align.h: the alignments of `asbuilt-mpi diff` spread over the
 * ranks (see mpi_align.c), and the control messages rank 0 sends the other
 * ranks while they wait.
 */
#ifndef AB_MPI_ALIGN_H
#define AB_MPI_ALIGN_H

#include "asbuilt/asbuilt.h"

/* Set when the command aligns (diff) over more than one rank: the other
 * ranks then stay after the load, to align their share of the variants. */
extern int mpi_align_spread;

/* What rank 0 tells the waiting ranks; an exit code (>= 0) ends them. */
enum {
    MPI_CTL_NAMES = -1,    /* The activity names follow (mpi_names_send). */
    MPI_CTL_ALIGN = -2,    /* Are you ready to align? (a gather of one int) */
    MPI_CTL_GO = -3,       /* Everyone is: the shares follow. */
    MPI_CTL_SKIP = -4,     /* Someone is not: rank 0 aligns alone. */
    MPI_CTL_ORDERS = -5,   /* Order statistics of discover follow (mpi_discover.c). */
    MPI_CTL_VARIANTS = -6, /* The check of the global variants (mpi_variants_check). */
};

/*
 * Rank 0: sends v to every other rank (an exit code, or an MPI_CTL_*).
 * Other ranks: waits, asleep, for it and returns it. Collective.
 */
int mpi_control(int v);

/*
 * Rank 0, after the merge: the log's activity names, in id order, to the
 * other ranks, which build a log of these names only (mpi_names_recv), so
 * that their relabelled net and activity ids are rank 0's. An exit code.
 */
int mpi_names_send(const ab_log *log);

/* The other ranks: receives them (after MPI_CTL_NAMES) into *out. An
 * ab_status; err says why not. */
int mpi_names_recv(ab_ctx *ctx, ab_log **out, ab_error *err);
/* The log of the names in p (as mpi_names_send puts them: a u32 count,
 * then each name's u32 length and bytes): no case, the activities
 * numbered in byte order. An ab_status. */
int mpi_names_log(ab_ctx *ctx, const unsigned char *p, uint64_t len, ab_log **out, ab_error *err);

/*
 * cli_conform_run_hook under asbuilt-mpi diff. Rank 0: ab_conform_run, the
 * variants' alignments spread over the ranks by their trace length; the
 * result is that of ab_conform_run alone. Other ranks: align their shares
 * as rank 0 asks, then exit with its exit code (never returns).
 */
int mpi_conform_run(ab_conform **out, ab_ctx *ctx, const ab_log *log, const ab_net *net,
                    const ab_conform_options *opts, ab_error *err);

/* A rank other than 0 that has failed (its share will not come): answers
 * rank 0's controls until the exit code arrives. */
int mpi_wait_exit(void);

#endif
