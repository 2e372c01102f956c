/*
 * tools/mpi_part.h: what asbuilt-mpi sends between ranks: mergeable
 * partials (asbuilt/partial.h) of a log's cases, by the rank that owns them,
 * and their merge. The log the merge builds numbers cases, activities and
 * resources in a canonical order, so the order in which ranks read and send
 * does not reach the outputs.
 */
#ifndef AB_MPI_PART_H
#define AB_MPI_PART_H

#include "asbuilt/asbuilt.h"
#include "mpi_comm.h"

/* Moves an engine buffer's bytes into *out (malloc'ed; the buffer is left
 * empty, also on failure). AB_OK or AB_ENOMEM. */
int mpi_take_buf(mpi_bytes *out, ab_buf *b);

/*
 * Writes into *out the partial of the cases of log owned by rank `owner`
 * of `ranks` (ab_partial_case_rank), or of all its cases when owner < 0;
 * the log-wide facts (data quality, reading facts) go with all cases, or
 * with owner `facts_to` only. Nothing (len 0) when there is nothing to send.
 * ro: the reading options (the partials' fingerprint). An ab_status.
 */
int mpi_part_write(mpi_bytes *out, ab_ctx *ctx, const ab_log *log, const ab_read_options *ro,
                   int owner, int ranks, int facts_to, ab_error *err);

/*
 * Merges parts[0..n) (empty ones skipped), in that order, into *out (the
 * buffers are freed as they are read); *out is NULL when every part is
 * empty. Returns an ab_status; err names the part ("rank R") on bad data.
 */
int mpi_part_merge(ab_log **out, ab_ctx *ctx, mpi_bytes *parts, int n, const ab_read_options *ro,
                   ab_error *err);

#endif
