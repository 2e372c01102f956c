/*
 * conform/conform_trace.c: from events to activity instances (paired and
 * ordered by log/log_inst.c), grouped into conformance variants by their
 * activity sequence, and the variants ordered by case count, then by their
 * smallest case id. Also maps net labels to log activities (exact names).
 */
#include "conform/conform_int.h"
#include "log/log_inst.h"

#include <stdlib.h>

/* Pairs starts with completions and fills the instance arrays (log_inst.c
 * does the pairing and ordering, case by case). */
static int build_instances(ab_conform *c, const ab_log *log)
{
    ab_ctx *ctx = c->ctx;
    uint32_t nc = ab_log_case_count(log);
    uint64_t ne = ab_log_event_count(log);
    ab__inst_pairer pairer;
    int rc = ab__inst_pairer_init(&pairer, ctx, log);
    if (rc != AB_OK) {
        return rc;
    }
    c->case_first = ab__malloc(ctx, sizeof(uint64_t) * ((size_t)nc + 1));
    c->inst_event = ab__malloc(ctx, sizeof(uint64_t) * ((size_t)ne + 1));
    c->inst_start = ab__malloc(ctx, sizeof(ab_time) * ((size_t)ne + 1));
    c->inst_act = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)ne + 1));
    if (c->case_first == NULL || c->inst_event == NULL || c->inst_start == NULL ||
        c->inst_act == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    ab__inst_counts counts = {0, 0, 0, 0};
    for (uint32_t k = 0; k < nc; k++) {
        uint64_t ni = counts.instances;
        c->case_first[k] = ni;
        AB_TRY(ab__inst_pair_case(&pairer, k, c->inst_event + ni, c->inst_act + ni,
                                  c->inst_start + ni, &counts));
    }
    c->case_first[nc] = counts.instances;
    /* Most logs have no start times: then the run keeps none (8 bytes an
     * instance), and ab_conform_case_starts says so with NULL. */
    uint64_t with_start = 0;
    for (uint64_t i = 0; i < counts.instances && with_start == 0; i++) {
        with_start += c->inst_start[i] != AB_TIME_NONE;
    }
    if (with_start == 0) {
        ab__free(ctx, c->inst_start);
        c->inst_start = NULL;
    }
    c->stats.instances = counts.instances;
    c->stats.paired_starts += counts.paired_starts;
    c->stats.unpaired_starts += counts.unpaired_starts;
    c->stats.other_lifecycle += counts.other_lifecycle;
done:
    ab__inst_pairer_finish(&pairer);
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
    /* Only the variants' sequences are read from here: they move into an
     * array of their own and the per-instance activities (4 bytes an
     * instance) go. */
    {
        uint64_t total = 0;
        for (uint32_t v = 0; v < nv; v++) {
            total += c->variants[v].length;
        }
        uint32_t *seqs = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)total + 1));
        if (seqs == NULL) {
            rc = AB_ENOMEM;
            goto done;
        }
        uint64_t at = 0;
        for (uint32_t v = 0; v < nv; v++) {
            ab_conform_variant *x = &c->variants[v];
            if (x->length > 0) {
                memcpy(seqs + at, x->activities, sizeof(uint32_t) * x->length);
            }
            x->activities = seqs + at;
            at += x->length;
        }
        ab__free(ctx, c->inst_act);
        c->inst_act = seqs;
    }
done:
    ab__free(ctx, slots);
    ab__free(ctx, hashes);
    ab__free(ctx, vi);
    ab__free(ctx, order);
    ab__free(ctx, fill);
    return rc;
}

int ab__cf_label_maps(ab_conform *c, const ab_log *log, const ab_net *net)
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
        (rc = ab__cf_label_maps(c, log, net)) != AB_OK) {
        return rc;
    }
    return AB_OK;
}
