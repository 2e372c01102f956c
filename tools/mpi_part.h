/*
 * tools/mpi_part.h: what asbuilt-mpi sends between ranks: partials
 * (asbuilt/partial.h) with a few bytes beside them that keep the cases in
 * the order `asbuilt` gives them, the order of first appearance in the input.
 *
 * Each case carries a key: (rank that read its first event) << 32 | (its
 * index in that rank's log). Ranks read the input in order, so sorting by
 * key is sorting by first appearance. In the shuffle each case travels with
 * its id and its index on the sending rank; the owner keeps, per case, the
 * key of the first sender (its log's order is already that of the keys);
 * in the gather each case travels with its key, and rank 0 puts the merged
 * log in key order.
 *
 * A message: u64 partial length, the partial, then 'I' u32 n and n times
 * (u32 index, u32 id length, id bytes), or 'K' u32 n and n u64 keys.
 */
#ifndef AB_MPI_PART_H
#define AB_MPI_PART_H

#include "asbuilt/asbuilt.h"
#include "mpi_comm.h"

/*
 * Writes the message for rank `owner` of `ranks`: the partial of the cases
 * of log that rank owns (ab_partial_case_rank), with their ids and indices;
 * the log-wide facts (data quality, reading facts) go with owner `facts_to`
 * only. With owner < 0: all the cases and facts, with keys[case] beside
 * them. ro: the reading options (the partials' fingerprint). An ab_status.
 */
int mpi_part_write(mpi_bytes *out, ab_ctx *ctx, const ab_log *log, const ab_read_options *ro,
                   int owner, int ranks, int facts_to, const uint64_t *keys, ab_error *err);

/*
 * Merges the messages parts[0..n) (empty ones skipped), in that order, into
 * *out (the buffers are freed as they are read), and sets *keys_out
 * (malloc'ed) to each case's key. *out is NULL when every part is empty.
 * Returns an ab_status; err names the part ("rank R") on bad data.
 */
int mpi_part_merge(ab_log **out, uint64_t **keys_out, ab_ctx *ctx, mpi_bytes *parts, int n,
                   const ab_read_options *ro, ab_error *err);

/* Puts the cases of *log in the order of keys (rebuilding it when they are
 * not in order already). An ab_status; on failure *log is unchanged. */
int mpi_part_order(ab_log **log, ab_ctx *ctx, const uint64_t *keys, const ab_read_options *ro,
                   ab_error *err);

#endif
