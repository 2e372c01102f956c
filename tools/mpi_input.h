/*
 * tools/mpi_input.h: which part of the input each rank of asbuilt-mpi
 * reads, and reading it. The files' bytes, in the order given, are cut into
 * as many equal spans as there are ranks; a plain CSV file is cut inside at
 * record boundaries, anything else (gzip, XES, stdin, a CSV whose layout the
 * head does not settle or whose lines end with CR alone) goes whole to the
 * rank holding its first byte. So
 * every rank reads a contiguous run of the input, in rank order.
 */
#ifndef AB_MPI_INPUT_H
#define AB_MPI_INPUT_H

#include "asbuilt/asbuilt.h"

/*
 * Collective: reads this rank's share of paths[0..count) into *out (NULL
 * when the share is empty). Returns an exit code; on failure err is filled
 * (not printed). *bytes_out gets the input bytes this rank parsed.
 */
int mpi_input_read(ab_ctx *ctx, const ab_read_options *ro, const char *const *paths, int count,
                   ab_log **out, uint64_t *bytes_out, ab_error *err);

#endif
