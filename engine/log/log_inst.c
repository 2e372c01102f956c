/*
 * log/log_inst.c: pairs lifecycle start and complete events into activity
 * instances, one case at a time (see log_inst.h).
 */
#include "log/log_inst.h"

#include <stdlib.h>

typedef struct ab__inst_key {
    ab_time ts;
    ab_time start;
    uint64_t event;
    uint32_t act;
} inst_key;

/* A column value, or the default when the log has no such column (an empty
 * log has none at all). */
static ab_time time_at(const ab_time *col, uint64_t e)
{
    return col != NULL ? col[e] : AB_TIME_NONE;
}

static int cmp_inst(const void *pa, const void *pb)
{
    const inst_key *a = pa, *b = pb;
    if (a->ts != b->ts) {
        return a->ts < b->ts ? -1 : 1;
    }
    if (a->start != b->start) {
        return a->start < b->start ? -1 : 1;
    }
    return a->event < b->event ? -1 : a->event > b->event;
}

int ab__inst_pairer_init(ab__inst_pairer *p, ab_ctx *ctx, const ab_log *log)
{
    memset(p, 0, sizeof(*p));
    p->ctx = ctx;
    p->log = log;
    uint32_t na = ab_log_activity_count(log), maxlen = 0;
    for (uint32_t k = 0; k < ab_log_case_count(log); k++) {
        uint32_t len = ab_log_case_length(log, k);
        maxlen = len > maxlen ? len : maxlen;
    }
    p->qhead = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)na + 1));
    p->qtail = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)na + 1));
    p->next = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)maxlen + 1));
    if (p->qhead == NULL || p->qtail == NULL || p->next == NULL) {
        ab__inst_pairer_finish(p);
        return AB_ENOMEM;
    }
    for (uint32_t a = 0; a < na; a++) {
        p->qhead[a] = p->qtail[a] = UINT32_MAX;
    }
    return AB_OK;
}

void ab__inst_pairer_finish(ab__inst_pairer *p)
{
    if (p->ctx == NULL) {
        return; /* Never initialised. */
    }
    ab__free(p->ctx, p->qhead);
    ab__free(p->ctx, p->qtail);
    ab__free(p->ctx, p->next);
    ab__free(p->ctx, p->keys);
    p->qhead = p->qtail = p->next = NULL;
    p->keys = NULL;
    p->keys_cap = 0;
}

/* Orders the n instances written when pairing moved any of them. */
static int sort_instances(ab__inst_pairer *p, const ab_time *ts, uint64_t *event, uint32_t *act,
                          ab_time *start, size_t n)
{
    int sorted = 1;
    for (size_t i = 1; i < n && sorted; i++) {
        inst_key a = {time_at(ts, event[i - 1]), start[i - 1], event[i - 1], 0};
        inst_key b = {time_at(ts, event[i]), start[i], event[i], 0};
        sorted = cmp_inst(&a, &b) <= 0;
    }
    if (sorted) {
        return AB_OK;
    }
    if (AB_GROW(p->ctx, p->keys, p->keys_cap, n) != AB_OK) {
        return AB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        inst_key *k = &p->keys[i];
        k->event = event[i];
        k->ts = time_at(ts, event[i]);
        k->start = start[i];
        k->act = act[i];
    }
    qsort(p->keys, n, sizeof(inst_key), cmp_inst);
    for (size_t i = 0; i < n; i++) {
        event[i] = p->keys[i].event;
        start[i] = p->keys[i].start;
        act[i] = p->keys[i].act;
    }
    return AB_OK;
}

int ab__inst_pair_case(ab__inst_pairer *p, uint32_t k, uint64_t *event_out, uint32_t *act_out,
                       ab_time *start_out, ab__inst_counts *counts)
{
    const ab_log *log = p->log;
    const uint32_t *act = ab_log_col_activity(log);
    const ab_time *ts = ab_log_col_time(log);
    const ab_time *stcol = ab_log_col_start(log);
    const uint8_t *lc = ab_log_col_lifecycle(log);
    uint64_t first = ab_log_case_first(log, k);
    uint32_t len = ab_log_case_length(log, k);
    uint64_t ni = 0, starts = 0, paired = 0;
    for (uint32_t i = 0; i < len; i++) {
        uint64_t e = first + i;
        uint32_t a = act[e];
        ab_lifecycle l = lc != NULL ? (ab_lifecycle)lc[e] : AB_LC_NONE;
        switch (l) {
        case AB_LC_START:
            p->next[i] = UINT32_MAX;
            if (p->qtail[a] == UINT32_MAX) {
                p->qhead[a] = i;
            } else {
                p->next[p->qtail[a]] = i;
            }
            p->qtail[a] = i;
            starts++;
            break;
        case AB_LC_COMPLETE:
        case AB_LC_NONE:
            event_out[ni] = e;
            act_out[ni] = a;
            start_out[ni] = time_at(stcol, e);
            if (l == AB_LC_COMPLETE && p->qhead[a] != UINT32_MAX) {
                uint32_t s = p->qhead[a];
                p->qhead[a] = p->next[s];
                if (p->qhead[a] == UINT32_MAX) {
                    p->qtail[a] = UINT32_MAX;
                }
                start_out[ni] = time_at(ts, first + s);
                paired++;
            }
            ni++;
            break;
        default:
            counts->other_lifecycle++;
            break;
        }
    }
    if (starts > 0) {
        for (uint32_t i = 0; i < len; i++) {
            if (lc != NULL && lc[first + i] == AB_LC_START) {
                p->qhead[act[first + i]] = p->qtail[act[first + i]] = UINT32_MAX;
            }
        }
    }
    counts->instances += ni;
    counts->paired_starts += paired;
    counts->unpaired_starts += starts - paired;
    return sort_instances(p, ts, event_out, act_out, start_out, (size_t)ni);
}
