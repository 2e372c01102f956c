/*
 * tools/mpi_stats.h: `asbuilt-mpi stats` from what each rank counts of the
 * cases it owns, without gathering the log (see mpi_stats.c).
 */
#ifndef AB_MPI_STATS_H
#define AB_MPI_STATS_H

#include "asbuilt/asbuilt.h"

/*
 * cli_stats_hook under asbuilt-mpi, collective. Rank 0: fills *out with
 * what `asbuilt stats` would report on the whole input (valid until
 * mpi_stats_release) and returns an exit code; the other ranks exit with
 * rank 0's code once their share is sent.
 */
int mpi_stats_view(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths, int count,
                   uint32_t top, ab_stats_view *out);

/* Frees what mpi_stats_view kept for the view. */
void mpi_stats_release(ab_ctx *ctx, ab_stats_view *v);

#endif
