/*
 * log/log_inst.h: activity instances of one case. A lifecycle start event
 * waits in a first-in first-out queue per (case, activity) for the next
 * completion of that activity; a complete event without a start, and an
 * event without lifecycle, are an instance on their own. Instances come out
 * ordered by (completion time, start time, position in the log). Conformance
 * aligns these instances, and discovery's activity-instance mode draws them.
 */
#ifndef AB_LOG_INST_H
#define AB_LOG_INST_H

#include "asbuilt/log.h"
#include "core/core_int.h"

/* Scratch space for pairing, sized once for a log. */
typedef struct ab__inst_pairer {
    ab_ctx *ctx;
    const ab_log *log;
    uint32_t *qhead; /* Per activity: oldest pending start (case position), or UINT32_MAX. */
    uint32_t *qtail; /* Per activity: newest pending start. */
    uint32_t *next;  /* Per case position: the next pending start of the same activity. */
    struct ab__inst_key *keys; /* Sort keys, when pairing moved an instance. */
    size_t keys_cap;
} ab__inst_pairer;

/* What pairing one case found. */
typedef struct ab__inst_counts {
    uint64_t instances;       /* Instances written. */
    uint64_t paired_starts;   /* Starts matched to a completion. */
    uint64_t unpaired_starts; /* Starts left without one (dropped). */
    uint64_t other_lifecycle; /* Schedule, suspend, ... events (dropped). */
} ab__inst_counts;

int ab__inst_pairer_init(ab__inst_pairer *p, ab_ctx *ctx, const ab_log *log);
void ab__inst_pairer_finish(ab__inst_pairer *p);

/*
 * Pairs case k. event_out, act_out and start_out receive one entry per
 * instance (at most the case's length each): the log event of its
 * completion (or of the lone event), its activity, and its start time
 * (AB_TIME_NONE when unknown). Adds to *counts. AB_OK or AB_ENOMEM.
 */
int ab__inst_pair_case(ab__inst_pairer *p, uint32_t k, uint64_t *event_out, uint32_t *act_out,
                       ab_time *start_out, ab__inst_counts *counts);

#endif
