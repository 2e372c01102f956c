/*
 * tools/mpi_part.h: what asbuilt-mpi needs of the mergeable partials
 * (asbuilt/partial.h): the rank that owns a case, a log's cases of one
 * owner as a partial in memory, and the merge of partials into one log.
 */
#ifndef AB_MPI_PART_H
#define AB_MPI_PART_H

#include "asbuilt/asbuilt.h"
#include "mpi_comm.h"

/*
 * Writes the partial of the cases of log owned by rank `owner` of `ranks`
 * (by the case-id hash of partial.h) into *out; the log-wide facts (data
 * quality, sources) go with owner `facts_to` only. Returns an ab_status.
 */
int mpi_part_write(mpi_bytes *out, ab_ctx *ctx, const ab_log *log, int owner, int ranks,
                   int facts_to, ab_error *err);

/*
 * Merges parts[0..n) (empty ones skipped), in that order, into *out; *out
 * is NULL when every part is empty. Returns an ab_status; err names the
 * part ("rank R") on bad data.
 */
int mpi_part_merge(ab_log **out, ab_ctx *ctx, const mpi_bytes *parts, int n,
                   const ab_read_options *ro, ab_error *err);

#endif
