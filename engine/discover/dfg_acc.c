/*
 * discover/dfg_acc.c: the accumulator that turns cases, one at a time, into
 * a directly-follows graph with variants. It holds per activity, per edge
 * and per variant counters and duration series and nothing per event, so
 * the summary of a full log and the one-pass summary of a stream share this
 * code. finish() orders everything by name so that the result does not
 * depend on the order in which cases or activities were first seen.
 */
#include "discover/discover_int.h"

#include <stdlib.h>

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

int ab__dfg_options_load(const ab_dfg_options *in, ab_dfg_options *out)
{
    static const ab_dfg_options defaults = AB_DFG_OPTIONS_INIT;
    *out = defaults;
    if (in == NULL) {
        return AB_OK;
    }
    if (in->version == 1) {
        /* A version 1 struct ends before `instances`. */
        memcpy(out, in, offsetof(ab_dfg_options, instances));
        out->version = AB_DFG_OPTIONS_VERSION;
        out->instances = 0;
        return AB_OK;
    }
    if (in->version != AB_DFG_OPTIONS_VERSION) {
        return AB_EINVAL;
    }
    *out = *in;
    return AB_OK;
}

static int check_options(const ab_dfg_options *o)
{
    if (o->version != AB_DFG_OPTIONS_VERSION || o->examples > AB__DFG_MAX_EXAMPLES ||
        (o->quantiles != AB_DFG_EXACT && o->quantiles != AB_DFG_SKETCH) ||
        !(o->activities_percent > 0.0 && o->activities_percent <= 100.0)) {
        return AB_EINVAL;
    }
    return AB_OK;
}

int ab_dfg_acc_create(ab_dfg_acc **out, ab_ctx *ctx, const ab_dfg_options *opts,
                      ab_dfg_name_fn names, void *payload)
{
    ab_dfg_options o;
    *out = NULL;
    if (ab__dfg_options_load(opts, &o) != AB_OK || check_options(&o) != AB_OK || names == NULL) {
        return AB_EINVAL;
    }
    opts = &o;
    ab_dfg_acc *acc = ab__calloc(ctx, 1, sizeof(*acc));
    if (acc == NULL) {
        return AB_ENOMEM;
    }
    acc->ctx = ctx;
    acc->opts = *opts;
    acc->names = names;
    acc->payload = payload;
    if (ab__strtab_init(&acc->act_names, ctx) != AB_OK) {
        ab__free(ctx, acc);
        return AB_ENOMEM;
    }
    if (ab__strtab_init(&acc->log_acts, ctx) != AB_OK) {
        ab__strtab_finish(&acc->act_names);
        ab__free(ctx, acc);
        return AB_ENOMEM;
    }
    *out = acc;
    return AB_OK;
}

void ab_dfg_acc_destroy(ab_dfg_acc *acc)
{
    if (acc == NULL) {
        return;
    }
    ab_ctx *ctx = acc->ctx;
    for (uint32_t a = 0; a < acc->act_names.count; a++) {
        ab__dstat_dispose(ctx, &acc->acts[a].service);
    }
    for (uint32_t e = 0; e < acc->n_edges; e++) {
        ab__dstat_dispose(ctx, &acc->edges[e].dur);
    }
    for (uint32_t v = 0; v < acc->n_vars; v++) {
        ab__dstat_dispose(ctx, &acc->vars[v].cycle);
        for (uint32_t k = 0; k < acc->vars[v].n_ex; k++) {
            ab__free(ctx, acc->vars[v].ex[k].id);
        }
        ab__free(ctx, acc->vars[v].ex);
    }
    ab__strtab_finish(&acc->act_names);
    ab__strtab_finish(&acc->log_acts);
    ab__free(ctx, acc->idmap);
    ab__free(ctx, acc->acts);
    ab__free(ctx, acc->edges);
    ab__free(ctx, acc->edge_slots);
    ab__free(ctx, acc->vars);
    ab__free(ctx, acc->var_slots);
    ab__free(ctx, acc->var_seq);
    ab__free(ctx, acc->seq);
    ab__free(ctx, acc->pend);
    ab__free(ctx, acc);
}

size_t ab_dfg_acc_memory(const ab_dfg_acc *acc)
{
    size_t n = sizeof(*acc) + acc->idmap_cap * sizeof(uint32_t) + acc->acts_cap * sizeof(acc_act) +
               acc->edges_cap * sizeof(acc_edge) +
               ((size_t)acc->edge_mask + (acc->edge_mask != 0)) * sizeof(uint32_t) +
               acc->vars_cap * sizeof(acc_var) +
               ((size_t)acc->var_mask + (acc->var_mask != 0)) * sizeof(uint32_t) +
               acc->var_seq_cap * sizeof(uint32_t) + acc->seq_cap * sizeof(uint32_t) +
               acc->pend_cap * sizeof(pending_start) + acc->ex_bytes +
               ab__strtab_bytes(&acc->act_names) + ab__strtab_bytes(&acc->log_acts);
    for (uint32_t a = 0; a < acc->act_names.count; a++) {
        n += ab__dstat_bytes(&acc->acts[a].service);
    }
    for (uint32_t e = 0; e < acc->n_edges; e++) {
        n += ab__dstat_bytes(&acc->edges[e].dur);
    }
    for (uint32_t v = 0; v < acc->n_vars; v++) {
        n += ab__dstat_bytes(&acc->vars[v].cycle) +
             acc->opts.examples * sizeof(acc_example) * (acc->vars[v].ex != NULL);
    }
    return n;
}

int ab__dfg_acc_name(ab_dfg_acc *acc, const char *name, size_t len, uint32_t *out)
{
    /* Room for a new activity first, so the name table never runs ahead of acts. */
    uint32_t before = acc->act_names.count;
    if (AB_GROW(acc->ctx, acc->acts, acc->acts_cap, (size_t)before + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    int rc = ab__strtab_intern(&acc->act_names, name, len, out);
    if (rc == AB_OK && acc->act_names.count != before) {
        memset(&acc->acts[*out], 0, sizeof(acc->acts[*out]));
    }
    return rc;
}

/* Maps a caller activity id to an accumulator id, learning its name on first sight. */
static int map_activity(ab_dfg_acc *acc, uint32_t id, uint32_t *out, ab_error *err)
{
    if (id < acc->idmap_cap && acc->idmap[id] != 0) {
        *out = acc->idmap[id] - 1;
        return AB_OK;
    }
    if (id == UINT32_MAX) {
        return ab__error(err, AB_EINVAL, "discover", 0, 0, "activity id %u is reserved", id);
    }
    size_t old = acc->idmap_cap;
    if (AB_GROW(acc->ctx, acc->idmap, acc->idmap_cap, (size_t)id + 1) != AB_OK) {
        return ab__error(err, AB_ENOMEM, "discover", 0, 0, "out of memory");
    }
    memset(acc->idmap + old, 0, (acc->idmap_cap - old) * sizeof(uint32_t));
    size_t len = 0;
    const char *name = acc->names(id, &len, acc->payload);
    if (name == NULL) {
        return ab__error(err, AB_EINVAL, "discover", 0, 0, "no name for activity id %u", id);
    }
    /* Two caller ids may share one name, e.g. from two sources. */
    uint32_t aid;
    int rc = ab__dfg_acc_name(acc, name, len, &aid);
    if (rc != AB_OK) {
        return ab__error(err, rc, "discover", 0, 0, "%s", ab_status_str(rc));
    }
    acc->idmap[id] = aid + 1;
    *out = aid;
    return AB_OK;
}

static int edge_rehash(ab_dfg_acc *acc)
{
    uint32_t size = acc->edge_mask == 0 ? 64 : (acc->edge_mask + 1) * 2;
    if (size == 0 || size > (UINT32_MAX >> 1)) {
        return AB_ELIMIT;
    }
    uint32_t *slots = ab__calloc(acc->ctx, size, sizeof(uint32_t));
    if (slots == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t e = 0; e < acc->n_edges; e++) {
        uint64_t key = (uint64_t)acc->edges[e].from << 32 | acc->edges[e].to;
        uint32_t i = (uint32_t)mix64(key) & (size - 1);
        while (slots[i] != 0) {
            i = (i + 1) & (size - 1);
        }
        slots[i] = e + 1;
    }
    ab__free(acc->ctx, acc->edge_slots);
    acc->edge_slots = slots;
    acc->edge_mask = size - 1;
    return AB_OK;
}

/* Finds or creates the edge from -> to; *out is its index. */
int ab__dfg_edge_get(ab_dfg_acc *acc, uint32_t from, uint32_t to, uint32_t *out)
{
    int rc;
    if ((uint64_t)(acc->n_edges + 1) * 2 > (uint64_t)acc->edge_mask + 1) {
        if ((rc = edge_rehash(acc)) != AB_OK) {
            return rc;
        }
    }
    uint64_t key = (uint64_t)from << 32 | to;
    uint32_t i = (uint32_t)mix64(key) & acc->edge_mask;
    while (acc->edge_slots[i] != 0) {
        acc_edge *e = &acc->edges[acc->edge_slots[i] - 1];
        if (e->from == from && e->to == to) {
            *out = acc->edge_slots[i] - 1;
            return AB_OK;
        }
        i = (i + 1) & acc->edge_mask;
    }
    if (acc->n_edges == UINT32_MAX - 1) {
        return AB_ELIMIT;
    }
    if ((rc = AB_GROW(acc->ctx, acc->edges, acc->edges_cap, (size_t)acc->n_edges + 1)) != AB_OK) {
        return rc;
    }
    acc_edge *e = &acc->edges[acc->n_edges];
    memset(e, 0, sizeof(*e));
    e->from = from;
    e->to = to;
    acc->edge_slots[i] = acc->n_edges + 1;
    *out = acc->n_edges++;
    return AB_OK;
}

uint32_t ab__dfg_edge_find(const ab_dfg_acc *acc, uint32_t from, uint32_t to)
{
    if (acc->edge_mask == 0) {
        return UINT32_MAX;
    }
    uint64_t key = (uint64_t)from << 32 | to;
    uint32_t i = (uint32_t)mix64(key) & acc->edge_mask;
    while (acc->edge_slots[i] != 0) {
        const acc_edge *e = &acc->edges[acc->edge_slots[i] - 1];
        if (e->from == from && e->to == to) {
            return acc->edge_slots[i] - 1;
        }
        i = (i + 1) & acc->edge_mask;
    }
    return UINT32_MAX;
}

static int var_rehash(ab_dfg_acc *acc)
{
    uint32_t size = acc->var_mask == 0 ? 64 : (acc->var_mask + 1) * 2;
    if (size == 0 || size > (UINT32_MAX >> 1)) {
        return AB_ELIMIT;
    }
    uint32_t *slots = ab__calloc(acc->ctx, size, sizeof(uint32_t));
    if (slots == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t v = 0; v < acc->n_vars; v++) {
        uint32_t i = (uint32_t)acc->vars[v].hash & (size - 1);
        while (slots[i] != 0) {
            i = (i + 1) & (size - 1);
        }
        slots[i] = v + 1;
    }
    ab__free(acc->ctx, acc->var_slots);
    acc->var_slots = slots;
    acc->var_mask = size - 1;
    return AB_OK;
}

/* Finds or creates the variant of seq[0..len); *out is its index. */
int ab__dfg_var_get(ab_dfg_acc *acc, const uint32_t *seq, uint32_t len, uint32_t *out)
{
    int rc;
    if ((uint64_t)(acc->n_vars + 1) * 2 > (uint64_t)acc->var_mask + 1) {
        if ((rc = var_rehash(acc)) != AB_OK) {
            return rc;
        }
    }
    uint64_t h = ab__hash64(seq, (size_t)len * sizeof(uint32_t), len);
    uint32_t i = (uint32_t)h & acc->var_mask;
    while (acc->var_slots[i] != 0) {
        acc_var *v = &acc->vars[acc->var_slots[i] - 1];
        if (v->hash == h && v->len == len &&
            memcmp(acc->var_seq + v->seq_off, seq, (size_t)len * sizeof(uint32_t)) == 0) {
            *out = acc->var_slots[i] - 1;
            return AB_OK;
        }
        i = (i + 1) & acc->var_mask;
    }
    if (acc->n_vars == UINT32_MAX - 1) {
        return AB_ELIMIT;
    }
    if ((rc = AB_GROW(acc->ctx, acc->vars, acc->vars_cap, (size_t)acc->n_vars + 1)) != AB_OK ||
        (rc = AB_GROW(acc->ctx, acc->var_seq, acc->var_seq_cap, acc->var_seq_len + len)) != AB_OK) {
        return rc;
    }
    acc_var *v = &acc->vars[acc->n_vars];
    memset(v, 0, sizeof(*v));
    if (acc->opts.examples > 0) {
        v->ex = ab__calloc(acc->ctx, acc->opts.examples, sizeof(acc_example));
        if (v->ex == NULL) {
            return AB_ENOMEM;
        }
    }
    v->hash = h;
    v->len = len;
    v->seq_off = acc->var_seq_len;
    memcpy(acc->var_seq + acc->var_seq_len, seq, (size_t)len * sizeof(uint32_t));
    acc->var_seq_len += len;
    acc->var_slots[i] = acc->n_vars + 1;
    *out = acc->n_vars++;
    return AB_OK;
}

uint32_t ab__dfg_var_find(const ab_dfg_acc *acc, const uint32_t *seq, uint32_t len)
{
    if (acc->var_mask == 0) {
        return UINT32_MAX;
    }
    uint64_t h = ab__hash64(seq, (size_t)len * sizeof(uint32_t), len);
    uint32_t i = (uint32_t)h & acc->var_mask;
    while (acc->var_slots[i] != 0) {
        const acc_var *v = &acc->vars[acc->var_slots[i] - 1];
        if (v->hash == h && v->len == len &&
            memcmp(acc->var_seq + v->seq_off, seq, (size_t)len * sizeof(uint32_t)) == 0) {
            return acc->var_slots[i] - 1;
        }
        i = (i + 1) & acc->var_mask;
    }
    return UINT32_MAX;
}

/* Byte order, a prefix first: the order of case ids everywhere in discovery. */
int ab__dfg_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0) {
        return c;
    }
    return (alen > blen) - (alen < blen);
}

/* Keeps the smallest case ids of a variant, so examples do not depend on input order. */
int ab__dfg_note_example(ab_dfg_acc *acc, acc_var *v, const char *id, size_t len)
{
    uint32_t cap = acc->opts.examples;
    if (cap == 0) {
        return AB_OK;
    }
    if (v->n_ex == cap && ab__dfg_cmp_bytes(id, len, v->ex[cap - 1].id, v->ex[cap - 1].len) >= 0) {
        return AB_OK;
    }
    uint32_t pos = 0;
    while (pos < v->n_ex && ab__dfg_cmp_bytes(v->ex[pos].id, v->ex[pos].len, id, len) < 0) {
        pos++;
    }
    if (pos < v->n_ex && ab__dfg_cmp_bytes(v->ex[pos].id, v->ex[pos].len, id, len) == 0) {
        return AB_OK; /* The same id again (a case split across inputs): keep one. */
    }
    char *copy = ab__strndup(acc->ctx, id, len);
    if (copy == NULL) {
        return AB_ENOMEM;
    }
    if (v->n_ex == cap) {
        acc->ex_bytes -= v->ex[cap - 1].len + 1;
        ab__free(acc->ctx, v->ex[cap - 1].id);
        v->n_ex--;
    }
    memmove(&v->ex[pos + 1], &v->ex[pos], (size_t)(v->n_ex - pos) * sizeof(acc_example));
    v->ex[pos].id = copy;
    v->ex[pos].len = len;
    v->n_ex++;
    acc->ex_bytes += len + 1;
    return AB_OK;
}

/* A later time minus an earlier one in microseconds, clipped to [0, INT64_MAX]. */
static int64_t span_us(ab_time from, ab_time to)
{
    if (to <= from) {
        return 0;
    }
    uint64_t d = (uint64_t)to - (uint64_t)from;
    return d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
}

/*
 * Service times of one case. An event with a start time gives one directly.
 * Otherwise lifecycle "start" events queue per activity, and each "complete"
 * takes the oldest queued start of its activity (first in, first out, as
 * the XES lifecycle model pairs them when there are no instance ids).
 */
static int add_service_times(ab_dfg_acc *acc, const ab_dfg_case *c)
{
    int rc = AB_OK;
    ab_dfg_quantiles mode = acc->opts.quantiles;
    acc->n_pend = 0;
    for (uint32_t k = 0; k < c->length && rc == AB_OK; k++) {
        acc_act *a = &acc->acts[acc->seq[k]];
        ab_time ts = c->ts[k];
        uint8_t lc = c->lifecycle != NULL ? c->lifecycle[k] : AB_LC_NONE;
        if (ts == AB_TIME_NONE) {
            continue;
        }
        if (c->start != NULL && c->start[k] != AB_TIME_NONE && lc != AB_LC_START) {
            rc = ab__dstat_add(acc->ctx, &a->service, mode, span_us(c->start[k], ts));
        } else if (lc == AB_LC_START) {
            if (AB_GROW(acc->ctx, acc->pend, acc->pend_cap, (size_t)acc->n_pend + 1) != AB_OK) {
                rc = AB_ENOMEM;
                break;
            }
            pending_start *p = &acc->pend[acc->n_pend];
            p->ts = ts;
            p->next = 0;
            acc->n_pend++;
            if (a->fifo_tail != 0) {
                acc->pend[a->fifo_tail - 1].next = acc->n_pend;
            } else {
                a->fifo_head = acc->n_pend;
            }
            a->fifo_tail = acc->n_pend;
        } else if (lc == AB_LC_COMPLETE && a->fifo_head != 0) {
            pending_start *p = &acc->pend[a->fifo_head - 1];
            a->fifo_head = p->next;
            if (a->fifo_head == 0) {
                a->fifo_tail = 0;
            }
            rc = ab__dstat_add(acc->ctx, &a->service, mode, span_us(p->ts, ts));
        }
    }
    /* Starts never completed are dropped with the case. */
    for (uint32_t k = 0; k < c->length; k++) {
        acc->acts[acc->seq[k]].fifo_head = 0;
        acc->acts[acc->seq[k]].fifo_tail = 0;
    }
    return rc;
}

int ab_dfg_acc_add_case(ab_dfg_acc *acc, const ab_dfg_case *c, ab_error *err)
{
    int rc;
    uint32_t len = c->length;
    if (acc->merged) {
        return ab__error(err, AB_EINVAL, "discover", 0, 0,
                         "an accumulator that loaded saved parts takes no cases");
    }
    if (len == 0) {
        return AB_OK;
    }
    if (AB_GROW(acc->ctx, acc->seq, acc->seq_cap, len) != AB_OK) {
        return ab__error(err, AB_ENOMEM, "discover", 0, 0, "out of memory");
    }
    for (uint32_t k = 0; k < len; k++) {
        if ((rc = map_activity(acc, c->activity[k], &acc->seq[k], err)) != AB_OK) {
            return rc;
        }
    }
    uint64_t serial = ++acc->serial;
    const uint32_t *seq = acc->seq;
    ab_dfg_quantiles mode = acc->opts.quantiles;
    for (uint32_t k = 0; k < len; k++) {
        acc_act *a = &acc->acts[seq[k]];
        a->events++;
        if (a->last_case != serial) {
            a->last_case = serial;
            a->cases++;
        }
    }
    acc->acts[seq[0]].starts++;
    acc->acts[seq[len - 1]].ends++;
    acc->events += len;
    for (uint32_t k = 0; k + 1 < len; k++) {
        uint32_t ei;
        if ((rc = ab__dfg_edge_get(acc, seq[k], seq[k + 1], &ei)) != AB_OK) {
            goto fail;
        }
        acc_edge *e = &acc->edges[ei];
        e->count++;
        if (e->last_case != serial) {
            e->last_case = serial;
            e->cases++;
        }
        if (c->ts == NULL) {
            continue;
        }
        ab_time from = c->ts[k];
        ab_time to =
            c->start != NULL && c->start[k + 1] != AB_TIME_NONE ? c->start[k + 1] : c->ts[k + 1];
        if (from != AB_TIME_NONE && to != AB_TIME_NONE) {
            if ((rc = ab__dstat_add(acc->ctx, &e->dur, mode, span_us(from, to))) != AB_OK) {
                goto fail;
            }
            acc->has_times = 1;
        }
    }
    uint32_t vi;
    if ((rc = ab__dfg_var_get(acc, seq, len, &vi)) != AB_OK) {
        goto fail;
    }
    acc_var *v = &acc->vars[vi];
    v->cases++;
    if ((rc = ab__dfg_note_example(acc, v, c->case_id, c->case_id_len)) != AB_OK) {
        goto fail;
    }
    if (c->ts != NULL) {
        ab_time first = AB_TIME_NONE, last = AB_TIME_NONE;
        for (uint32_t k = 0; k < len; k++) {
            ab_time t = c->ts[k];
            if (t == AB_TIME_NONE) {
                continue;
            }
            ab_time s = c->start != NULL && c->start[k] != AB_TIME_NONE && c->start[k] < t
                            ? c->start[k]
                            : t;
            if (first == AB_TIME_NONE || s < first) {
                first = s;
            }
            if (last == AB_TIME_NONE || t > last) {
                last = t;
            }
        }
        if (first != AB_TIME_NONE) {
            if ((rc = ab__dstat_add(acc->ctx, &v->cycle, mode, span_us(first, last))) != AB_OK) {
                goto fail;
            }
            acc->has_times = 1;
        }
        if ((rc = add_service_times(acc, c)) != AB_OK) {
            goto fail;
        }
    }
    return AB_OK;
fail:
    if (rc == AB_ELIMIT) {
        return ab__error(err, rc, "discover", 0, 0, "more than %u edges or variants",
                         UINT32_MAX - 2);
    }
    return ab__error(err, rc, "discover", 0, 0, "out of memory");
}

/* ---- finish(): figures, order, filters. ---- */

typedef struct name_key {
    const char *s;
    uint32_t len;
    uint32_t id;
} name_key;

static int cmp_name_key(const void *pa, const void *pb)
{
    const name_key *a = pa, *b = pb;
    return ab__dfg_cmp_bytes(a->s, a->len, b->s, b->len);
}

static int cmp_edge(const void *pa, const void *pb)
{
    const ab_dfg_edge *a = pa, *b = pb;
    if (a->count != b->count) {
        return a->count > b->count ? -1 : 1;
    }
    if (a->cases != b->cases) {
        return a->cases > b->cases ? -1 : 1;
    }
    if (a->from != b->from) {
        return a->from < b->from ? -1 : 1;
    }
    return (a->to > b->to) - (a->to < b->to);
}

/* For qsort of edge indices by (from, to): qsort has no payload, so the pairs are packed. */
static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

int ab__dfg_cmp_variant(uint64_t ca, const uint32_t *sa, uint32_t la, uint64_t cb,
                        const uint32_t *sb, uint32_t lb, const uint32_t *rank)
{
    if (ca != cb) {
        return ca > cb ? -1 : 1;
    }
    uint32_t n = la < lb ? la : lb;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t x = rank != NULL ? rank[sa[i]] : sa[i], y = rank != NULL ? rank[sb[i]] : sb[i];
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    return (la > lb) - (la < lb);
}

static int cmp_variant(const void *pa, const void *pb)
{
    const ab_dfg_variant *a = pa, *b = pb;
    return ab__dfg_cmp_variant(a->cases, a->activities, a->length, b->cases, b->activities,
                               b->length, NULL);
}

static int finish_activities(ab_dfg_acc *acc, ab_dfg *d, uint32_t *rank)
{
    uint32_t n = acc->act_names.count;
    name_key *keys = ab__malloc(acc->ctx, (size_t)n * sizeof(*keys) + 1);
    if (keys == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t a = 0; a < n; a++) {
        keys[a].s = ab__strtab_str(&acc->act_names, a);
        keys[a].len = ab__strtab_len(&acc->act_names, a);
        keys[a].id = a;
    }
    qsort(keys, n, sizeof(*keys), cmp_name_key);
    int rc = AB_OK;
    d->acts = ab__arena_alloc(&d->arena, (size_t)n * sizeof(*d->acts) + 1);
    if (d->acts == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    d->n_acts = n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = keys[i].id;
        const acc_act *src = &acc->acts[a];
        ab_dfg_activity *dst = &d->acts[i];
        rank[a] = i;
        dst->name = ab__arena_strndup(&d->arena, keys[i].s, keys[i].len);
        if (dst->name == NULL) {
            rc = AB_ENOMEM;
            goto done;
        }
        dst->events = src->events;
        dst->cases = src->cases;
        dst->starts = src->starts;
        dst->ends = src->ends;
        ab__dstat_result(&acc->acts[a].service, &dst->service);
    }
done:
    ab__free(acc->ctx, keys);
    return rc;
}

static int finish_edges(ab_dfg_acc *acc, ab_dfg *d, const uint32_t *rank)
{
    uint64_t min = acc->opts.min_edge_cases;
    uint32_t kept = 0;
    for (uint32_t e = 0; e < acc->n_edges; e++) {
        kept += acc->edges[e].cases >= min;
    }
    d->info.edges_before_filter = acc->n_edges;
    d->edges = ab__arena_alloc(&d->arena, (size_t)kept * sizeof(*d->edges) + 1);
    d->edge_by_pair = ab__arena_alloc(&d->arena, (size_t)kept * sizeof(uint32_t) + 1);
    uint64_t *pairs = ab__malloc(acc->ctx, (size_t)kept * sizeof(uint64_t) + 1);
    if (d->edges == NULL || d->edge_by_pair == NULL || pairs == NULL) {
        ab__free(acc->ctx, pairs);
        return AB_ENOMEM;
    }
    uint32_t k = 0;
    for (uint32_t e = 0; e < acc->n_edges; e++) {
        acc_edge *src = &acc->edges[e];
        if (src->cases < min) {
            continue;
        }
        ab_dfg_edge *dst = &d->edges[k++];
        dst->from = rank[src->from];
        dst->to = rank[src->to];
        dst->count = src->count;
        dst->cases = src->cases;
        ab__dstat_result(&src->dur, &dst->duration);
    }
    d->n_edges = kept;
    qsort(d->edges, kept, sizeof(*d->edges), cmp_edge);
    for (uint32_t e = 0; e < kept; e++) {
        pairs[e] = (uint64_t)d->edges[e].from << 32 | d->edges[e].to;
    }
    /* The index of each pair is found again by binary search on the packed keys. */
    qsort(pairs, kept, sizeof(*pairs), cmp_u64);
    for (uint32_t e = 0; e < kept; e++) {
        uint64_t key = (uint64_t)d->edges[e].from << 32 | d->edges[e].to;
        uint64_t *hit = bsearch(&key, pairs, kept, sizeof(*pairs), cmp_u64);
        d->edge_by_pair[hit - pairs] = e;
    }
    ab__free(acc->ctx, pairs);
    return AB_OK;
}

static int finish_endpoints(ab_dfg_acc *acc, ab_dfg *d)
{
    uint64_t min = acc->opts.min_edge_cases;
    uint32_t ns = 0, ne = 0;
    for (uint32_t i = 0; i < d->n_acts; i++) {
        ns += d->acts[i].starts > 0 && d->acts[i].starts >= min;
        ne += d->acts[i].ends > 0 && d->acts[i].ends >= min;
    }
    d->starts = ab__arena_alloc(&d->arena, (size_t)ns * sizeof(*d->starts) + 1);
    d->ends = ab__arena_alloc(&d->arena, (size_t)ne * sizeof(*d->ends) + 1);
    if (d->starts == NULL || d->ends == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t i = 0; i < d->n_acts; i++) {
        if (d->acts[i].starts > 0 && d->acts[i].starts >= min) {
            d->starts[d->n_starts].activity = i;
            d->starts[d->n_starts++].count = d->acts[i].starts;
        }
        if (d->acts[i].ends > 0 && d->acts[i].ends >= min) {
            d->ends[d->n_ends].activity = i;
            d->ends[d->n_ends++].count = d->acts[i].ends;
        }
    }
    return AB_OK;
}

static int finish_variants(ab_dfg_acc *acc, ab_dfg *d, const uint32_t *rank)
{
    uint32_t nv = acc->n_vars;
    d->variants = ab__arena_alloc(&d->arena, (size_t)nv * sizeof(*d->variants) + 1);
    if (d->variants == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t v = 0; v < nv; v++) {
        acc_var *src = &acc->vars[v];
        ab_dfg_variant *dst = &d->variants[v];
        uint32_t *acts = ab__arena_alloc(&d->arena, (size_t)src->len * sizeof(uint32_t));
        const char **ex = ab__arena_alloc(&d->arena, (size_t)src->n_ex * sizeof(char *) + 1);
        if (acts == NULL || ex == NULL) {
            return AB_ENOMEM;
        }
        for (uint32_t k = 0; k < src->len; k++) {
            acts[k] = rank[acc->var_seq[src->seq_off + k]];
        }
        for (uint32_t k = 0; k < src->n_ex; k++) {
            ex[k] = ab__arena_strndup(&d->arena, src->ex[k].id, src->ex[k].len);
            if (ex[k] == NULL) {
                return AB_ENOMEM;
            }
        }
        dst->length = src->len;
        dst->activities = acts;
        dst->cases = src->cases;
        dst->share = acc->serial > 0 ? (double)src->cases / (double)acc->serial : 0.0;
        ab__dstat_result(&src->cycle, &dst->cycle_time);
        dst->example_count = src->n_ex;
        dst->examples = ex;
    }
    qsort(d->variants, nv, sizeof(*d->variants), cmp_variant);
    d->info.variants_total = nv;
    uint32_t keep = acc->opts.max_variants;
    d->n_variants = keep > 0 && keep < nv ? keep : nv;
    return AB_OK;
}

int ab__dfg_acc_build(ab_dfg_acc *acc, ab_dfg **out, ab_error *err)
{
    *out = NULL;
    ab_ctx *ctx = acc->ctx;
    int rc = AB_ENOMEM;
    uint32_t *rank = ab__malloc(ctx, (size_t)acc->act_names.count * sizeof(uint32_t) + 1);
    ab_dfg *d = ab__calloc(ctx, 1, sizeof(*d));
    if (rank == NULL || d == NULL) {
        ab__free(ctx, d);
        d = NULL;
        goto done;
    }
    d->ctx = ctx;
    ab__arena_init(&d->arena, ctx, 64 * 1024);
    d->has_times = acc->has_times;
    d->info.cases = acc->serial;
    d->info.events = acc->events;
    d->info.log_cases = acc->has_log ? acc->log_cases : acc->serial;
    d->info.log_events = acc->has_log ? acc->log_events : acc->events;
    d->info.log_activities = acc->has_log ? acc->log_acts.count : acc->act_names.count;
    d->info.options = acc->opts;
    if ((rc = finish_activities(acc, d, rank)) != AB_OK ||
        (rc = finish_edges(acc, d, rank)) != AB_OK || (rc = finish_endpoints(acc, d)) != AB_OK ||
        (rc = finish_variants(acc, d, rank)) != AB_OK) {
        goto done;
    }
    rc = ab__dfg_find_cycles(d, err);
    if (rc != AB_OK) {
        goto done;
    }
    *out = d;
    d = NULL;
done:
    if (rc == AB_ENOMEM) {
        ab__error(err, rc, "discover", 0, 0, "out of memory");
    }
    ab_dfg_destroy(d);
    ab__free(ctx, rank);
    return rc;
}

int ab_dfg_acc_finish(ab_dfg_acc *acc, ab_dfg **out, ab_error *err)
{
    int rc = ab__dfg_acc_build(acc, out, err);
    ab_dfg_acc_destroy(acc);
    return rc;
}

void ab_dfg_destroy(ab_dfg *dfg)
{
    if (dfg == NULL) {
        return;
    }
    ab__arena_finish(&dfg->arena);
    ab__free(dfg->ctx, dfg);
}

/* ---- Getters. ---- */

const ab_dfg_info *ab_dfg_get_info(const ab_dfg *dfg)
{
    return &dfg->info;
}

uint32_t ab_dfg_activity_count(const ab_dfg *dfg)
{
    return dfg->n_acts;
}

const ab_dfg_activity *ab_dfg_activities(const ab_dfg *dfg)
{
    return dfg->acts;
}

int ab_dfg_activity_find(const ab_dfg *dfg, const char *name, uint32_t *index_out)
{
    size_t len = strlen(name);
    uint32_t lo = 0, hi = dfg->n_acts;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const char *s = dfg->acts[mid].name;
        int c = ab__dfg_cmp_bytes(s, strlen(s), name, len);
        if (c == 0) {
            *index_out = mid;
            return AB_OK;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return AB_ENOTFOUND;
}

uint32_t ab_dfg_edge_count(const ab_dfg *dfg)
{
    return dfg->n_edges;
}

const ab_dfg_edge *ab_dfg_edges(const ab_dfg *dfg)
{
    return dfg->edges;
}

const ab_dfg_edge *ab_dfg_edge_find(const ab_dfg *dfg, uint32_t from, uint32_t to)
{
    uint64_t key = (uint64_t)from << 32 | to;
    uint32_t lo = 0, hi = dfg->n_edges;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const ab_dfg_edge *e = &dfg->edges[dfg->edge_by_pair[mid]];
        uint64_t k = (uint64_t)e->from << 32 | e->to;
        if (k == key) {
            return e;
        }
        if (k < key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

const ab_dfg_endpoint *ab_dfg_starts(const ab_dfg *dfg, uint32_t *count_out)
{
    *count_out = dfg->n_starts;
    return dfg->starts;
}

const ab_dfg_endpoint *ab_dfg_ends(const ab_dfg *dfg, uint32_t *count_out)
{
    *count_out = dfg->n_ends;
    return dfg->ends;
}

uint32_t ab_dfg_variant_count(const ab_dfg *dfg)
{
    return dfg->n_variants;
}

const ab_dfg_variant *ab_dfg_variants(const ab_dfg *dfg)
{
    return dfg->variants;
}

uint32_t ab_dfg_cycle_count(const ab_dfg *dfg)
{
    return dfg->n_cycles;
}

const ab_dfg_cycle *ab_dfg_cycles(const ab_dfg *dfg)
{
    return dfg->cycles;
}
