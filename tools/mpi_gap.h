/*
 * tools/mpi_gap.h: the per-case steps of the gap (ab__gap_parts,
 * engine/gap/gap_int.h) over the ranks, each rank holding one share of the
 * cases: its own (see mpi_gap.c).
 */
#ifndef AB_MPI_GAP_H
#define AB_MPI_GAP_H

#include "asbuilt/asbuilt.h"
#include "gap/gap_int.h"

/* A case's instances and start times in a conformance run (src), as the
 * gap's view reads them. */
const uint64_t *mpi_conf_events(const void *src, uint32_t c, uint32_t *n);
const ab_time *mpi_conf_starts(const void *src, uint32_t c);

typedef struct mpi_parts {
    ab_ctx *ctx;
    ab__gap_share_state *st; /* This rank's share: its whole cases. */
    const ab_log *log;       /* Their log (ids, times). */
    const uint32_t *global;  /* Per case of log: its index in the whole log (ascending). */
    uint32_t n;              /* Cases of log. */
    uint32_t variant_count;  /* Of the whole input. */
    uint32_t *group_len;     /* From lay_out to unlay: per group, its variant's length. */
    uint32_t group_count;
} mpi_parts;

/* Collective: the share of log (NULL: no case) whose cases are in the
 * variants variant_of gives (malloc'ed, taken over; global ids, of
 * variant_count), read through conf (its conformance run). An exit code,
 * the same on every rank. */
int mpi_parts_create(mpi_parts *p, ab_ctx *ctx, const ab_log *log, const ab_conform *conf,
                     const uint32_t *global, uint32_t *variant_of, uint32_t variant_count);
void mpi_parts_destroy(mpi_parts *p);

/*
 * The calls of ab__gap_parts, collective, each returning an ab_status (the
 * same on every rank): every rank runs its share, the results are added up
 * over the ranks (sums and maxima with MPI_Allreduce; the smallest ids of
 * each group merged by id; a time impact's values gathered to the rank
 * that measures it). Case indices are those of the whole log. What the in-process
 * calls read of the gap comes as arguments: the groups' open flags for
 * valid, their lengths for lay_out.
 */
int mpi_parts_times(mpi_parts *p, ab_time *log_last, uint64_t *with_ct, int64_t *max_ct);
int mpi_parts_count_ct(mpi_parts *p, const int64_t *at, size_t n, uint64_t *counts);
int mpi_parts_open(mpi_parts *p, ab_time log_last, double horizon, const uint8_t *never_open,
                   uint64_t *open_per_variant);
int mpi_parts_smallest(mpi_parts *p, const uint32_t *group_of, int exclude, uint32_t group_count,
                       uint32_t *out);
int mpi_parts_case_times(mpi_parts *p, size_t n, const uint32_t *cases, const uint32_t *pos,
                         ab_time *start, ab_time *end, ab_time *at);
int mpi_parts_valid(mpi_parts *p, const uint8_t *group_open, uint32_t group_count, uint32_t *valid);
int mpi_parts_lay_out(mpi_parts *p, const uint32_t *valid, const uint32_t *group_len,
                      uint32_t group_count);
void mpi_parts_unlay(mpi_parts *p);
/* values, gathered to rank root alone (v and n there). */
int mpi_parts_values_to(mpi_parts *p, const ab__gap_span *spans, size_t count, uint32_t root,
                        int64_t *v, uint32_t *n);

#endif
