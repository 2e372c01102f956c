/*
 * conform/conform_trace.c: from events to activity instances. A start event
 * waits in a first-in first-out queue per (case, activity) for the next
 * completion of that activity; instances are ordered by (completion time,
 * start time, position), grouped into conformance variants by their
 * activity sequence, and the variants ordered by case count, then by their
 * smallest case id. Also maps net labels to log activities (exact names).
 */
#include "conform/conform_int.h"

#include <stdlib.h>

typedef struct inst_key {
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

/* Orders a case's instances [from, to) when pairing moved any of them. */
static int sort_case(ab_conform *c, const ab_time *ts, uint64_t from, uint64_t to, inst_key **keys,
                     size_t *keys_cap)
{
    int sorted = 1;
    for (uint64_t i = from + 1; i < to && sorted; i++) {
        inst_key a = {time_at(ts, c->inst_event[i - 1]), c->inst_start[i - 1], c->inst_event[i - 1],
                      0};
        inst_key b = {time_at(ts, c->inst_event[i]), c->inst_start[i], c->inst_event[i], 0};
        sorted = cmp_inst(&a, &b) <= 0;
    }
    if (sorted) {
        return AB_OK;
    }
    size_t n = (size_t)(to - from);
    if (AB_GROW(c->ctx, *keys, *keys_cap, n) != AB_OK) {
        return AB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        inst_key *k = &(*keys)[i];
        k->event = c->inst_event[from + i];
        k->ts = time_at(ts, k->event);
        k->start = c->inst_start[from + i];
        k->act = c->inst_act[from + i];
    }
    qsort(*keys, n, sizeof(inst_key), cmp_inst);
    for (size_t i = 0; i < n; i++) {
        c->inst_event[from + i] = (*keys)[i].event;
        c->inst_start[from + i] = (*keys)[i].start;
        c->inst_act[from + i] = (*keys)[i].act;
    }
    return AB_OK;
}

/* Pairs starts with completions and fills the instance arrays. */
static int build_instances(ab_conform *c, const ab_log *log)
{
    ab_ctx *ctx = c->ctx;
    uint32_t nc = ab_log_case_count(log), na = ab_log_activity_count(log);
    uint64_t ne = ab_log_event_count(log);
    const uint32_t *act = ab_log_col_activity(log);
    const ab_time *ts = ab_log_col_time(log);
    const ab_time *stcol = ab_log_col_start(log);
    const uint8_t *lc = ab_log_col_lifecycle(log);
    int rc = AB_OK;
    uint32_t maxlen = 0;
    for (uint32_t k = 0; k < nc; k++) {
        uint32_t len = ab_log_case_length(log, k);
        maxlen = len > maxlen ? len : maxlen;
    }
    uint32_t *qhead = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)na + 1));
    uint32_t *qtail = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)na + 1));
    uint32_t *next = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)maxlen + 1));
    inst_key *keys = NULL;
    size_t keys_cap = 0;
    c->case_first = ab__malloc(ctx, sizeof(uint64_t) * ((size_t)nc + 1));
    c->inst_event = ab__malloc(ctx, sizeof(uint64_t) * ((size_t)ne + 1));
    c->inst_start = ab__malloc(ctx, sizeof(ab_time) * ((size_t)ne + 1));
    c->inst_act = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)ne + 1));
    if (qhead == NULL || qtail == NULL || next == NULL || c->case_first == NULL ||
        c->inst_event == NULL || c->inst_start == NULL || c->inst_act == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (uint32_t a = 0; a < na; a++) {
        qhead[a] = qtail[a] = AB_CONFORM_NONE;
    }
    uint64_t ni = 0;
    for (uint32_t k = 0; k < nc; k++) {
        uint64_t first = ab_log_case_first(log, k);
        uint32_t len = ab_log_case_length(log, k);
        c->case_first[k] = ni;
        uint64_t starts = 0, paired = 0;
        for (uint32_t i = 0; i < len; i++) {
            uint64_t e = first + i;
            uint32_t a = act[e];
            ab_lifecycle l = lc != NULL ? (ab_lifecycle)lc[e] : AB_LC_NONE;
            switch (l) {
            case AB_LC_START:
                next[i] = AB_CONFORM_NONE;
                if (qtail[a] == AB_CONFORM_NONE) {
                    qhead[a] = i;
                } else {
                    next[qtail[a]] = i;
                }
                qtail[a] = i;
                starts++;
                break;
            case AB_LC_COMPLETE:
            case AB_LC_NONE:
                c->inst_event[ni] = e;
                c->inst_act[ni] = a;
                c->inst_start[ni] = time_at(stcol, e);
                if (l == AB_LC_COMPLETE && qhead[a] != AB_CONFORM_NONE) {
                    uint32_t s = qhead[a];
                    qhead[a] = next[s];
                    if (qhead[a] == AB_CONFORM_NONE) {
                        qtail[a] = AB_CONFORM_NONE;
                    }
                    c->inst_start[ni] = time_at(ts, first + s);
                    paired++;
                }
                ni++;
                break;
            default:
                c->stats.other_lifecycle++;
                break;
            }
        }
        if (starts > 0) {
            for (uint32_t i = 0; i < len; i++) {
                if (lc != NULL && lc[first + i] == AB_LC_START) {
                    qhead[act[first + i]] = qtail[act[first + i]] = AB_CONFORM_NONE;
                }
            }
        }
        c->stats.paired_starts += paired;
        c->stats.unpaired_starts += starts - paired;
        AB_TRY(sort_case(c, ts, c->case_first[k], ni, &keys, &keys_cap));
    }
    c->case_first[nc] = ni;
    c->stats.instances = ni;
done:
    ab__free(ctx, qhead);
    ab__free(ctx, qtail);
    ab__free(ctx, next);
    ab__free(ctx, keys);
    return rc;
}

typedef struct vinfo {
    uint32_t rep;      /* Smallest case index (its instances are the sequence). */
    uint32_t count;    /* Cases. */
    uint32_t min_case; /* The case with the smallest id (byte order). */
    const char *min_id;
} vinfo;

static int cmp_vinfo(const void *pa, const void *pb)
{
    const vinfo *a = pa, *b = pb;
    if (a->count != b->count) {
        return a->count > b->count ? -1 : 1;
    }
    return strcmp(a->min_id, b->min_id);
}

static uint32_t seq_hash(const uint32_t *s, uint64_t len)
{
    uint64_t h = ab__hash64(s, sizeof(uint32_t) * (size_t)len, 0x51ED270B27D4EB4Full);
    return (uint32_t)(h ^ (h >> 32));
}

/* Groups cases by instance sequence and orders the variants. */
static int build_variants(ab_conform *c, const ab_log *log)
{
    ab_ctx *ctx = c->ctx;
    uint32_t nc = c->case_count;
    int rc = AB_OK;
    uint32_t size = 16;
    while (size < (uint64_t)nc * 2 + 2) {
        size *= 2;
    }
    uint32_t *slots = ab__calloc(ctx, size, sizeof(uint32_t));
    uint32_t *hashes = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nc + 1));
    vinfo *vi = ab__malloc(ctx, sizeof(vinfo) * ((size_t)nc + 1));
    uint32_t *order = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nc + 1));
    uint32_t *fill = NULL;
    c->case_variant = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nc + 1));
    c->variant_cases = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nc + 1));
    if (slots == NULL || hashes == NULL || vi == NULL || order == NULL || c->case_variant == NULL ||
        c->variant_cases == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    uint32_t nv = 0;
    for (uint32_t k = 0; k < nc; k++) {
        const uint32_t *s = c->inst_act + c->case_first[k];
        uint64_t len = c->case_first[k + 1] - c->case_first[k];
        uint32_t h = seq_hash(s, len);
        uint32_t i = h & (size - 1);
        uint32_t v = AB_CONFORM_NONE;
        while (slots[i] != 0) {
            uint32_t cand = slots[i] - 1;
            uint32_t r = vi[cand].rep;
            if (hashes[cand] == h && c->case_first[r + 1] - c->case_first[r] == len &&
                memcmp(c->inst_act + c->case_first[r], s, sizeof(uint32_t) * (size_t)len) == 0) {
                v = cand;
                break;
            }
            i = (i + 1) & (size - 1);
        }
        const char *id = ab_log_case_id(log, k);
        if (v == AB_CONFORM_NONE) {
            v = nv++;
            slots[i] = v + 1;
            hashes[v] = h;
            vi[v].rep = k;
            vi[v].count = 0;
            vi[v].min_case = k;
            vi[v].min_id = id;
        } else if (strcmp(id, vi[v].min_id) < 0) {
            vi[v].min_case = k;
            vi[v].min_id = id;
        }
        vi[v].count++;
        c->case_variant[k] = v;
    }
    /* Sort; order[old index] = new index, the old index being found through
     * the representative case (its case_variant is still the old one). */
    {
        vinfo *sorted = ab__malloc(ctx, sizeof(vinfo) * ((size_t)nv + 1));
        if (sorted == NULL) {
            rc = AB_ENOMEM;
            goto done;
        }
        memcpy(sorted, vi, sizeof(vinfo) * nv);
        qsort(sorted, nv, sizeof(vinfo), cmp_vinfo); /* Keys are unique: no ties. */
        for (uint32_t v = 0; v < nv; v++) {
            order[c->case_variant[sorted[v].rep]] = v;
        }
        memcpy(vi, sorted, sizeof(vinfo) * nv);
        ab__free(ctx, sorted);
    }
    c->variants = ab__calloc(ctx, (size_t)nv + 1, sizeof(ab_conform_variant));
    fill = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nv + 1));
    if (c->variants == NULL || fill == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    uint32_t off = 0;
    for (uint32_t v = 0; v < nv; v++) {
        ab_conform_variant *x = &c->variants[v];
        uint32_t r = vi[v].rep;
        x->activities = c->inst_act + c->case_first[r];
        x->length = (uint32_t)(c->case_first[r + 1] - c->case_first[r]);
        x->case_count = vi[v].count;
        x->cases = c->variant_cases + off;
        fill[v] = off;
        off += vi[v].count;
    }
    for (uint32_t k = 0; k < nc; k++) {
        uint32_t v = order[c->case_variant[k]];
        c->case_variant[k] = v;
        c->variant_cases[fill[v]++] = k;
    }
    c->variant_count = nv;
    c->stats.variants = nv;
done:
    ab__free(ctx, slots);
    ab__free(ctx, hashes);
    ab__free(ctx, vi);
    ab__free(ctx, order);
    ab__free(ctx, fill);
    return rc;
}

static int build_label_maps(ab_conform *c, const ab_log *log, const ab_net *net)
{
    c->label_count = ab_net_label_count(net);
    c->activity_count = ab_log_activity_count(log);
    c->label_activity = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)c->label_count + 1));
    c->activity_label = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)c->activity_count + 1));
    if (c->label_activity == NULL || c->activity_label == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t a = 0; a < c->activity_count; a++) {
        c->activity_label[a] = AB_NET_SILENT;
    }
    for (uint32_t l = 0; l < c->label_count; l++) {
        const char *name = ab_net_label(net, l);
        uint32_t a;
        if (ab_log_activity_find(log, name, strlen(name), &a) == AB_OK) {
            c->label_activity[l] = a;
            c->activity_label[a] = l;
        } else {
            c->label_activity[l] = AB_CONFORM_NONE;
        }
    }
    return AB_OK;
}

int ab__cf_build_traces(ab_conform *c, const ab_log *log, const ab_net *net)
{
    int rc;
    c->case_count = ab_log_case_count(log);
    c->stats.cases = c->case_count;
    if ((rc = build_instances(c, log)) != AB_OK || (rc = build_variants(c, log)) != AB_OK ||
        (rc = build_label_maps(c, log, net)) != AB_OK) {
        return rc;
    }
    return AB_OK;
}
