/*
 * tools/mpi_discover.h: `asbuilt-mpi discover` from what each rank
 * summarises of the cases it owns, without gathering the log (see
 * mpi_discover.c).
 */
#ifndef AB_MPI_DISCOVER_H
#define AB_MPI_DISCOVER_H

#include "asbuilt/asbuilt.h"

/*
 * cli_discover_hook under asbuilt-mpi, collective. Rank 0: *out gets the
 * graph `asbuilt discover` draws of the whole input, and the exit code is
 * returned (errors reported); the other ranks exit with rank 0's code once
 * they have helped.
 */
int mpi_discover(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths, int count,
                 const ab_dfg_options *dopts, ab_dfg **out);

#endif
