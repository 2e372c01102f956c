/*
 * discover/dfg_merge.c: one graph from accumulators that summarised parts
 * of a log apart (each case whole in one part), as asbuilt-mpi builds it.
 *
 * A part saves its counters by name: totals, activities, edges and the
 * log's activity names in one buffer, its variants in buffers chosen by a
 * hash of their names, so that a variant seen in several parts meets
 * itself in one place. Counts and the extremes and exact sums of the
 * duration series add up in any order; example ids keep the smallest.
 * The values of the series stay in the parts: a merged finish asks for the
 * order statistics its medians and p90 need, and the parts find them
 * together by counting their values below a candidate (ab_dfg_acc_order_
 * count), so nothing is approximated that one accumulator would not.
 *
 * The format (native byte order: the parts run on one cluster):
 *   "ABDFGACC", u32 format version, the options, u32 what (1 graph, 2
 *   variants), u32 names then each name (u32 length, bytes);
 *   graph: u64 cases, events, log cases, log events, u32 has_times,
 *          u32 log activity names then each, per name: u64 events, cases,
 *          starts, ends, series; u32 edges then each: u32 from, to (name
 *          indices), u64 count, cases, series;
 *   variants: u32 count then each: u32 length, its name indices, u64 cases,
 *          u32 examples then each id (u32 length, bytes), series;
 *   a series: u64 n, i64 min, i64 max, u64 sum low and high.
 */
#include "discover/discover_int.h"

#include <stdlib.h>

#define MERGE_MAGIC "ABDFGACC"
#define MERGE_FORMAT 1u
#define WHAT_GRAPH 1u
#define WHAT_VARIANTS 2u

/* ---- Writing ---- */

/* A name table: its count, then each name. */
static void put_names(ab__wbytes *w, const ab__strtab *t)
{
    ab__put_u32(w, t->count);
    for (uint32_t a = 0; a < t->count; a++) {
        ab__put_str(w, ab__strtab_str(t, a), ab__strtab_len(t, a));
    }
}

static void put_series(ab__wbytes *w, const ab__dstat *s)
{
    ab__put_u64(w, s->n);
    ab__put(w, &s->min, sizeof(s->min));
    ab__put(w, &s->max, sizeof(s->max));
    ab__put_u64(w, s->sum_lo);
    ab__put_u64(w, s->sum_hi);
}

static void put_header(ab__wbytes *w, const ab_dfg_acc *acc, uint32_t what)
{
    const ab_dfg_options *o = &acc->opts;
    ab__put(w, MERGE_MAGIC, 8);
    ab__put_u32(w, MERGE_FORMAT);
    ab__put_u32(w, (uint32_t)o->quantiles);
    ab__put_u32(w, (uint32_t)o->instances);
    ab__put_u64(w, o->min_edge_cases);
    ab__put_u32(w, o->examples);
    ab__put_u32(w, o->max_variants);
    ab__put_u32(w, o->top_variants);
    ab__put(w, &o->activities_percent, sizeof(o->activities_percent));
    ab__put_u32(w, what);
    put_names(w, &acc->act_names);
}

static void put_variant(ab__wbytes *w, const ab_dfg_acc *acc, const acc_var *v)
{
    ab__put_u32(w, v->len);
    ab__put(w, acc->var_seq + v->seq_off, (size_t)v->len * sizeof(uint32_t));
    ab__put_u64(w, v->cases);
    ab__put_u32(w, v->n_ex);
    for (uint32_t k = 0; k < v->n_ex; k++) {
        ab__put_str(w, v->ex[k].id, v->ex[k].len);
    }
    put_series(w, &v->cycle);
}

/* The part a variant goes to: FNV-1a over its names, each with its NUL. */
static uint64_t variant_hash(const ab_dfg_acc *acc, const acc_var *v)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t k = 0; k < v->len; k++) {
        uint32_t a = acc->var_seq[v->seq_off + k];
        const unsigned char *s = (const unsigned char *)ab__strtab_str(&acc->act_names, a);
        size_t n = ab__strtab_len(&acc->act_names, a);
        for (size_t i = 0; i <= n; i++) {
            h = (h ^ (i < n ? s[i] : 0u)) * 0x100000001B3ull;
        }
    }
    return h;
}

int ab_dfg_acc_save(const ab_dfg_acc *acc, ab_buf *graph, ab_buf *variants, uint32_t parts)
{
    ab_ctx *ctx = acc->ctx;
    if (graph != NULL) {
        ab__wbytes w = {graph, ctx, AB_OK};
        put_header(&w, acc, WHAT_GRAPH);
        ab__put_u64(&w, acc->serial);
        ab__put_u64(&w, acc->events);
        ab__put_u64(&w, acc->has_log ? acc->log_cases : acc->serial);
        ab__put_u64(&w, acc->has_log ? acc->log_events : acc->events);
        ab__put_u32(&w, (uint32_t)acc->has_times);
        put_names(&w, acc->has_log ? &acc->log_acts : &acc->act_names);
        for (uint32_t a = 0; a < acc->act_names.count; a++) {
            const acc_act *x = &acc->acts[a];
            ab__put_u64(&w, x->events);
            ab__put_u64(&w, x->cases);
            ab__put_u64(&w, x->starts);
            ab__put_u64(&w, x->ends);
            put_series(&w, &x->service);
        }
        ab__put_u32(&w, acc->n_edges);
        for (uint32_t e = 0; e < acc->n_edges; e++) {
            const acc_edge *x = &acc->edges[e];
            ab__put_u32(&w, x->from);
            ab__put_u32(&w, x->to);
            ab__put_u64(&w, x->count);
            ab__put_u64(&w, x->cases);
            put_series(&w, &x->dur);
        }
        ab__put_u32(&w, 0); /* No variants here. */
        if (w.rc != AB_OK) {
            return w.rc;
        }
    }
    if (variants == NULL || parts == 0) {
        return AB_OK;
    }
    uint32_t *count = ab__calloc(ctx, parts, sizeof(uint32_t));
    size_t *at = ab__calloc(ctx, parts, sizeof(size_t));
    if (count == NULL || at == NULL) {
        ab__free(ctx, count);
        ab__free(ctx, at);
        return AB_ENOMEM;
    }
    int rc = AB_OK;
    for (uint32_t p = 0; p < parts && rc == AB_OK; p++) {
        ab__wbytes w = {&variants[p], ctx, AB_OK};
        put_header(&w, acc, WHAT_VARIANTS);
        at[p] = variants[p].len;
        ab__put_u32(&w, 0); /* The count, set below. */
        rc = w.rc;
    }
    for (uint32_t v = 0; v < acc->n_vars && rc == AB_OK; v++) {
        uint32_t p = (uint32_t)(variant_hash(acc, &acc->vars[v]) % parts);
        ab__wbytes w = {&variants[p], ctx, AB_OK};
        put_variant(&w, acc, &acc->vars[v]);
        count[p]++;
        rc = w.rc;
    }
    for (uint32_t p = 0; p < parts && rc == AB_OK; p++) {
        memcpy(variants[p].ptr + at[p], &count[p], sizeof(uint32_t));
    }
    ab__free(ctx, count);
    ab__free(ctx, at);
    return rc;
}

/* Variants in the order of the result: cases descending, then names. */
typedef struct var_key {
    uint64_t cases;
    const uint32_t *seq; /* Accumulator ids. */
    uint32_t len;
    uint32_t index;
    const uint32_t *rank; /* Accumulator id -> position of its name in byte order. */
} var_key;

static int cmp_var_key(const void *pa, const void *pb)
{
    const var_key *a = pa, *b = pb;
    return ab__dfg_cmp_variant(a->cases, a->seq, a->len, b->cases, b->seq, b->len, a->rank);
}

typedef struct name_ref {
    const char *s;
    uint32_t len, id;
} name_ref;

static int cmp_name_ref(const void *pa, const void *pb)
{
    const name_ref *a = pa, *b = pb;
    return ab__dfg_cmp_bytes(a->s, a->len, b->s, b->len);
}

int ab_dfg_acc_save_top(const ab_dfg_acc *acc, uint32_t k, ab_buf *out)
{
    ab_ctx *ctx = acc->ctx;
    uint32_t na = acc->act_names.count, nv = acc->n_vars;
    name_ref *names = ab__malloc(ctx, sizeof(*names) * ((size_t)na + 1));
    uint32_t *rank = ab__malloc(ctx, sizeof(*rank) * ((size_t)na + 1));
    var_key *keys = ab__malloc(ctx, sizeof(*keys) * ((size_t)nv + 1));
    int rc = AB_ENOMEM;
    if (names != NULL && rank != NULL && keys != NULL) {
        for (uint32_t a = 0; a < na; a++) {
            names[a] = (name_ref){ab__strtab_str(&acc->act_names, a),
                                  ab__strtab_len(&acc->act_names, a), a};
        }
        qsort(names, na, sizeof(*names), cmp_name_ref);
        for (uint32_t i = 0; i < na; i++) {
            rank[names[i].id] = i;
        }
        for (uint32_t v = 0; v < nv; v++) {
            const acc_var *x = &acc->vars[v];
            keys[v] = (var_key){x->cases, acc->var_seq + x->seq_off, x->len, v, rank};
        }
        qsort(keys, nv, sizeof(*keys), cmp_var_key);
        uint32_t n = k > 0 && k < nv ? k : nv;
        ab__wbytes w = {out, ctx, AB_OK};
        put_header(&w, acc, WHAT_VARIANTS);
        ab__put_u32(&w, n);
        for (uint32_t i = 0; i < n; i++) {
            put_variant(&w, acc, &acc->vars[keys[i].index]);
        }
        rc = w.rc;
    }
    ab__free(ctx, names);
    ab__free(ctx, rank);
    ab__free(ctx, keys);
    return rc;
}

uint64_t ab_dfg_acc_variant_count(const ab_dfg_acc *acc)
{
    return acc->n_vars;
}

/* seq[0..n) gets the accumulator ids of names; 0 when one is unknown. */
static int ids_of(const ab_dfg_acc *acc, const char *const *names, uint32_t n, uint32_t *seq)
{
    for (uint32_t k = 0; k < n; k++) {
        if (ab__strtab_find(&acc->act_names, names[k], strlen(names[k]), &seq[k]) != AB_OK) {
            return 0;
        }
    }
    return 1;
}

int ab_dfg_acc_has_variant(const ab_dfg_acc *acc, const char *const *names, uint32_t n)
{
    uint32_t stack[64];
    uint32_t *seq = n <= 64 ? stack : ab__malloc(acc->ctx, sizeof(*seq) * n);
    if (seq == NULL) {
        return 0;
    }
    int has = ids_of(acc, names, n, seq) && ab__dfg_var_find(acc, seq, n) != UINT32_MAX;
    if (seq != stack) {
        ab__free(acc->ctx, seq);
    }
    return has;
}

/* ---- Reading ---- */

/* Adds a saved series (count, extremes, sum) to s, which keeps no values. */
static void get_series(ab__rbytes *r, ab__dstat *s)
{
    uint64_t n = ab__get_u64(r);
    int64_t min, max;
    ab__get(r, &min, sizeof(min));
    ab__get(r, &max, sizeof(max));
    uint64_t lo = ab__get_u64(r), hi = ab__get_u64(r);
    if (r->bad || n == 0) {
        return;
    }
    if (min < 0 || max < min) {
        r->bad = 1;
        return;
    }
    if (s->n == 0 || min < s->min) {
        s->min = min;
    }
    if (s->n == 0 || max > s->max) {
        s->max = max;
    }
    uint64_t sum = s->sum_lo + lo;
    s->sum_hi += hi + (sum < s->sum_lo);
    s->sum_lo = sum;
    s->n += n;
}

static int options_agree(const ab_dfg_options *o, ab__rbytes *r)
{
    uint32_t quantiles = ab__get_u32(r), instances = ab__get_u32(r);
    uint64_t min_edge_cases = ab__get_u64(r);
    uint32_t examples = ab__get_u32(r), max_variants = ab__get_u32(r),
             top_variants = ab__get_u32(r);
    double percent;
    ab__get(r, &percent, sizeof(percent));
    return quantiles == (uint32_t)o->quantiles && instances == (uint32_t)o->instances &&
           min_edge_cases == o->min_edge_cases && examples == o->examples &&
           max_variants == o->max_variants && top_variants == o->top_variants &&
           memcmp(&percent, &o->activities_percent, sizeof(percent)) == 0;
}

static int load_variants(ab_dfg_acc *acc, ab__rbytes *r, const uint32_t *ids, uint32_t nn)
{
    uint32_t nv = ab__get_u32(r);
    for (uint32_t v = 0; v < nv && !r->bad; v++) {
        uint32_t len = ab__get_u32(r);
        if (r->bad || len == 0 || len > (r->len - r->off) / sizeof(uint32_t)) {
            r->bad = 1;
            break;
        }
        if (AB_GROW(acc->ctx, acc->seq, acc->seq_cap, len) != AB_OK) {
            return AB_ENOMEM;
        }
        for (uint32_t k = 0; k < len; k++) {
            uint32_t i = ab__get_u32(r);
            if (i >= nn) {
                r->bad = 1;
                break;
            }
            acc->seq[k] = ids[i];
        }
        if (r->bad) {
            break;
        }
        uint32_t vi;
        int rc = ab__dfg_var_get(acc, acc->seq, len, &vi);
        if (rc != AB_OK) {
            return rc;
        }
        acc_var *x = &acc->vars[vi];
        x->cases += ab__get_u64(r);
        uint32_t nex = ab__get_u32(r);
        for (uint32_t k = 0; k < nex && !r->bad; k++) {
            uint32_t n;
            const char *id = ab__get_str(r, &n);
            if (id != NULL && (rc = ab__dfg_note_example(acc, x, id, n)) != AB_OK) {
                return rc;
            }
        }
        get_series(r, &x->cycle);
    }
    return AB_OK;
}

static int load_graph(ab_dfg_acc *acc, ab__rbytes *r, const uint32_t *ids, uint32_t nn)
{
    acc->serial += ab__get_u64(r);
    acc->events += ab__get_u64(r);
    acc->log_cases += ab__get_u64(r);
    acc->log_events += ab__get_u64(r);
    acc->has_times |= ab__get_u32(r) != 0;
    uint32_t nl = ab__get_u32(r);
    for (uint32_t a = 0; a < nl && !r->bad; a++) {
        uint32_t n, id;
        const char *s = ab__get_str(r, &n);
        if (s != NULL && ab__strtab_intern(&acc->log_acts, s, n, &id) != AB_OK) {
            return AB_ENOMEM;
        }
    }
    for (uint32_t a = 0; a < nn && !r->bad; a++) {
        acc_act *x = &acc->acts[ids[a]];
        x->events += ab__get_u64(r);
        x->cases += ab__get_u64(r);
        x->starts += ab__get_u64(r);
        x->ends += ab__get_u64(r);
        get_series(r, &x->service);
    }
    uint32_t ne = ab__get_u32(r);
    for (uint32_t e = 0; e < ne && !r->bad; e++) {
        uint32_t from = ab__get_u32(r), to = ab__get_u32(r);
        if (from >= nn || to >= nn) {
            r->bad = 1;
            break;
        }
        uint32_t ei;
        int rc = ab__dfg_edge_get(acc, ids[from], ids[to], &ei);
        if (rc != AB_OK) {
            return rc;
        }
        acc_edge *x = &acc->edges[ei];
        x->count += ab__get_u64(r);
        x->cases += ab__get_u64(r);
        get_series(r, &x->dur);
    }
    return AB_OK;
}

int ab_dfg_acc_load(ab_dfg_acc *acc, const void *data, size_t len, ab_error *err)
{
    if (acc->serial > 0 && !acc->merged) {
        return ab__error(err, AB_EINVAL, "discover", 0, 0,
                         "an accumulator that took cases cannot load saved parts");
    }
    ab__rbytes r = {data, len, 0, 0};
    char magic[8];
    ab__get(&r, magic, sizeof(magic));
    uint32_t format = ab__get_u32(&r);
    if (r.bad || memcmp(magic, MERGE_MAGIC, 8) != 0 || format != MERGE_FORMAT) {
        return ab__error(err, AB_EPARSE, "discover", 0, 0,
                         "not a saved discovery part (format %u expected)", MERGE_FORMAT);
    }
    if (!options_agree(&acc->opts, &r)) {
        return ab__error(err, r.bad ? AB_EPARSE : AB_EINVAL, "discover", 0, 0,
                         r.bad ? "a saved discovery part ends early"
                               : "a saved discovery part was made with other options");
    }
    acc->merged = 1;
    acc->has_log = 1;
    uint32_t what = ab__get_u32(&r), nn = ab__get_u32(&r);
    if (r.bad || (what != WHAT_GRAPH && what != WHAT_VARIANTS) || nn > (len - r.off) / 4) {
        return ab__error(err, AB_EPARSE, "discover", 0, 0, "a damaged saved discovery part");
    }
    uint32_t *ids = ab__malloc(acc->ctx, sizeof(*ids) * ((size_t)nn + 1));
    if (ids == NULL) {
        return ab__error(err, AB_ENOMEM, "discover", 0, 0, "out of memory");
    }
    int rc = AB_OK;
    for (uint32_t a = 0; a < nn && rc == AB_OK && !r.bad; a++) {
        uint32_t n;
        const char *s = ab__get_str(&r, &n);
        rc = s != NULL ? ab__dfg_acc_name(acc, s, n, &ids[a]) : AB_OK;
    }
    if (rc == AB_OK && !r.bad && what == WHAT_GRAPH) {
        rc = load_graph(acc, &r, ids, nn);
    }
    if (rc == AB_OK && !r.bad) {
        rc = load_variants(acc, &r, ids, nn);
    }
    ab__free(acc->ctx, ids);
    if (rc == AB_OK && (r.bad || r.off != r.len)) {
        rc = AB_EPARSE;
    }
    if (rc == AB_EPARSE) {
        return ab__error(err, rc, "discover", 0, 0, "a damaged saved discovery part");
    }
    if (rc == AB_ELIMIT) {
        return ab__error(err, rc, "discover", 0, 0, "more than %u edges or variants",
                         UINT32_MAX - 2);
    }
    if (rc != AB_OK) {
        return ab__error(err, rc, "discover", 0, 0, "out of memory");
    }
    return AB_OK;
}

/* ---- The merged finish ---- */

/* A series whose median and p90 are wanted, and where its figures go. */
typedef struct want {
    ab_dfg_stats *out;
    const ab__dstat *s; /* The merged summary (count, extremes, sum). */
    uint32_t n_names;
    const char **names; /* In the graph's arena. */
    ab_dfg_series_kind kind;
} want;

/*
 * The two passes over the wanted quantiles, through ab__quantile_by as one
 * accumulator computes them: the first records each order statistic as it
 * is asked for, the second answers in the same sequence.
 */
typedef struct quant_pass {
    const want *w;
    int buckets;
    int answering;
    ab_dfg_order *orders;
    size_t n, cap; /* Orders recorded (answered) so far; room. */
    ab_ctx *ctx;
    int rc;
} quant_pass;

static double pass_kth(uint64_t k, void *payload)
{
    quant_pass *q = payload;
    if (q->answering) {
        const ab_dfg_order *o = &q->orders[q->n++];
        return q->buckets ? ab__sk_order_value(q->w->s, (uint32_t)o->value) : (double)o->value;
    }
    if (q->rc != AB_OK || AB_GROW(q->ctx, q->orders, q->cap, q->n + 1) != AB_OK) {
        q->rc = AB_ENOMEM;
        return 0.0;
    }
    const want *w = q->w;
    ab_dfg_order *o = &q->orders[q->n++];
    memset(o, 0, sizeof(*o));
    o->kind = w->kind;
    o->n_names = w->n_names;
    o->names = w->names;
    o->buckets = q->buckets;
    o->k = k;
    o->lo = q->buckets ? (int64_t)ab__sk_index((uint64_t)w->s->min) : w->s->min;
    o->hi = q->buckets ? (int64_t)ab__sk_index((uint64_t)w->s->max) : w->s->max;
    return 0.0;
}

static void want_quantiles(quant_pass *q, const want *w, int sketch, double *med, double *p90)
{
    q->w = w;
    q->buckets = sketch && w->s->n > AB__DSTAT_EXACT;
    *med = ab__quantile_by(w->s->n, 0.5, (double)w->s->max, pass_kth, q);
    *p90 = ab__quantile_by(w->s->n, 0.9, (double)w->s->max, pass_kth, q);
}

static int add_want(ab_ctx *ctx, want **ws, size_t *n, size_t *cap, ab_dfg_stats *out,
                    const ab__dstat *s, ab_dfg_series_kind kind, const char **names,
                    uint32_t n_names)
{
    if (s->n == 0) {
        return AB_OK;
    }
    if (AB_GROW(ctx, *ws, *cap, *n + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    (*ws)[(*n)++] = (want){out, s, n_names, names, kind};
    return AB_OK;
}

/* The series of the graph d whose figures need order statistics, found in acc. */
static int collect_wants(ab_dfg_acc *acc, ab_dfg *d, want **ws, size_t *nw)
{
    ab_ctx *ctx = acc->ctx;
    size_t cap = 0;
    uint32_t *ids = ab__malloc(ctx, sizeof(*ids) * ((size_t)d->n_acts + 1));
    const char **names = ab__arena_alloc(&d->arena, sizeof(*names) * ((size_t)d->n_acts + 1));
    if (ids == NULL || names == NULL) {
        ab__free(ctx, ids);
        return AB_ENOMEM;
    }
    int rc = AB_OK;
    for (uint32_t i = 0; i < d->n_acts && rc == AB_OK; i++) {
        names[i] = d->acts[i].name;
        if (ab__strtab_find(&acc->act_names, names[i], strlen(names[i]), &ids[i]) != AB_OK) {
            rc = AB_ERROR;
            break;
        }
        rc = add_want(ctx, ws, nw, &cap, &d->acts[i].service, &acc->acts[ids[i]].service,
                      AB_DFG_SERIES_SERVICE, &names[i], 1);
    }
    for (uint32_t e = 0; e < d->n_edges && rc == AB_OK; e++) {
        ab_dfg_edge *x = &d->edges[e];
        uint32_t ei = ab__dfg_edge_find(acc, ids[x->from], ids[x->to]);
        const char **pair = ab__arena_alloc(&d->arena, 2 * sizeof(*pair));
        if (ei == UINT32_MAX || pair == NULL) {
            rc = pair == NULL ? AB_ENOMEM : AB_ERROR;
            break;
        }
        pair[0] = names[x->from];
        pair[1] = names[x->to];
        rc = add_want(ctx, ws, nw, &cap, &x->duration, &acc->edges[ei].dur, AB_DFG_SERIES_EDGE,
                      pair, 2);
    }
    for (uint32_t v = 0; v < d->n_variants && rc == AB_OK; v++) {
        ab_dfg_variant *x = &d->variants[v];
        const char **seq = ab__arena_alloc(&d->arena, sizeof(*seq) * ((size_t)x->length + 1));
        if (seq == NULL || AB_GROW(ctx, acc->seq, acc->seq_cap, x->length) != AB_OK) {
            rc = AB_ENOMEM;
            break;
        }
        for (uint32_t k = 0; k < x->length; k++) {
            seq[k] = names[x->activities[k]];
            acc->seq[k] = ids[x->activities[k]];
        }
        uint32_t vi = ab__dfg_var_find(acc, acc->seq, x->length);
        if (vi == UINT32_MAX) {
            rc = AB_ERROR;
            break;
        }
        rc = add_want(ctx, ws, nw, &cap, &x->cycle_time, &acc->vars[vi].cycle, AB_DFG_SERIES_CYCLE,
                      seq, x->length);
    }
    ab__free(ctx, ids);
    return rc;
}

int ab_dfg_acc_finish_merged(ab_dfg_acc *acc, uint64_t variants_total, ab_dfg_order_fn order,
                             void *payload, ab_dfg **out, ab_error *err)
{
    ab_ctx *ctx = acc->ctx;
    *out = NULL;
    ab_dfg *d = NULL;
    want *ws = NULL;
    size_t nw = 0;
    ab_dfg_order *orders = NULL;
    int rc = ab__dfg_acc_build(acc, &d, err);
    if (rc != AB_OK) {
        goto done;
    }
    d->info.variants_total = variants_total > UINT32_MAX ? UINT32_MAX : (uint32_t)variants_total;
    if ((rc = collect_wants(acc, d, &ws, &nw)) != AB_OK) {
        goto fail;
    }
    /* Record the orders, ask them all at once, then compute with the answers. */
    int sketch = acc->opts.quantiles == AB_DFG_SKETCH;
    quant_pass q = {NULL, 0, 0, NULL, 0, 0, ctx, AB_OK};
    double med, p90;
    for (size_t i = 0; i < nw; i++) {
        want_quantiles(&q, &ws[i], sketch, &med, &p90);
    }
    orders = q.orders;
    if ((rc = q.rc) != AB_OK || (rc = order(orders, q.n, payload, err)) != AB_OK) {
        goto fail;
    }
    q.answering = 1;
    q.n = 0;
    for (size_t i = 0; i < nw; i++) {
        want_quantiles(&q, &ws[i], sketch, &med, &p90);
        ws[i].out->median = med / 1e6;
        ws[i].out->p90 = p90 / 1e6;
    }
    *out = d;
    d = NULL;
    goto done;
fail:
    if (rc == AB_ENOMEM) {
        ab__error(err, rc, "discover", 0, 0, "out of memory");
    } else if (rc == AB_ERROR && err != NULL && err->code == AB_OK) {
        ab__error(err, rc, "discover", 0, 0, "internal error: a series of the graph is missing");
    }
done:
    ab_dfg_destroy(d);
    ab__free(ctx, ws);
    ab__free(ctx, orders);
    ab_dfg_acc_destroy(acc);
    return rc;
}

/* ---- A part's answers ---- */

#define REF_KIND_SHIFT 32

static int sorted_series(const ab__dstat *s)
{
    for (uint64_t i = 1; i < s->n; i++) {
        if (s->vals[i - 1] > s->vals[i]) {
            return 0;
        }
    }
    return 1;
}

int ab_dfg_acc_order_bind(ab_dfg_acc *acc, const ab_dfg_order *orders, size_t n, uint64_t *refs)
{
    for (size_t i = 0; i < n; i++) {
        const ab_dfg_order *o = &orders[i];
        refs[i] = UINT64_MAX;
        if (AB_GROW(acc->ctx, acc->seq, acc->seq_cap, (size_t)o->n_names + 1) != AB_OK) {
            return AB_ENOMEM;
        }
        if (!ids_of(acc, o->names, o->n_names, acc->seq)) {
            continue;
        }
        uint32_t index = UINT32_MAX;
        ab__dstat *s = NULL;
        if (o->kind == AB_DFG_SERIES_SERVICE && o->n_names == 1) {
            index = acc->seq[0];
            s = &acc->acts[index].service;
        } else if (o->kind == AB_DFG_SERIES_EDGE && o->n_names == 2) {
            index = ab__dfg_edge_find(acc, acc->seq[0], acc->seq[1]);
            s = index != UINT32_MAX ? &acc->edges[index].dur : NULL;
        } else if (o->kind == AB_DFG_SERIES_CYCLE) {
            index = ab__dfg_var_find(acc, acc->seq, o->n_names);
            s = index != UINT32_MAX ? &acc->vars[index].cycle : NULL;
        }
        if (s == NULL) {
            continue;
        }
        /* Sorted once, in the room of its unused capacity when it has some;
         * a series may be bound again (its median and p90). */
        if (s->vals != NULL && s->n > 1 && !sorted_series(s)) {
            int spare = s->vals_cap >= 2 * s->n;
            int64_t *tmp = spare ? s->vals + s->n : ab__malloc(acc->ctx, (size_t)s->n * 8);
            ab__sort_i64(s->vals, (size_t)s->n, tmp); /* tmp NULL: a slower sort. */
            if (!spare) {
                ab__free(acc->ctx, tmp);
            }
        }
        refs[i] = (uint64_t)o->kind << REF_KIND_SHIFT | index;
    }
    return AB_OK;
}

static const ab__dstat *ref_series(const ab_dfg_acc *acc, uint64_t ref)
{
    uint32_t index = (uint32_t)ref;
    switch ((ab_dfg_series_kind)(ref >> REF_KIND_SHIFT)) {
    case AB_DFG_SERIES_SERVICE:
        return &acc->acts[index].service;
    case AB_DFG_SERIES_EDGE:
        return &acc->edges[index].dur;
    case AB_DFG_SERIES_CYCLE:
        return &acc->vars[index].cycle;
    }
    return NULL;
}

/* Kept values at most v: the values are sorted (bind). */
static uint64_t count_values(const ab__dstat *s, int64_t v)
{
    size_t lo = 0, hi = (size_t)s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->vals[mid] <= v) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Values in buckets up to b (zeros are bucket 0). */
static uint64_t count_buckets(const ab__dstat *s, int64_t b)
{
    if (b < 0) {
        return 0;
    }
    if (s->vals != NULL) {
        uint64_t c = 0;
        for (uint64_t i = 0; i < s->n; i++) {
            c += (int64_t)ab__sk_index((uint64_t)s->vals[i]) <= b;
        }
        return c;
    }
    uint64_t c = s->zeros;
    for (uint32_t i = 0; i < s->bk_n && (int64_t)(s->bk_lo + i) <= b; i++) {
        c += s->bk[i];
    }
    return c;
}

void ab_dfg_acc_order_count(const ab_dfg_acc *acc, const ab_dfg_order *orders, const uint64_t *refs,
                            const uint32_t *which, size_t n, const int64_t *at, uint64_t *counts)
{
    for (size_t j = 0; j < n; j++) {
        uint32_t i = which[j];
        const ab__dstat *s = refs[i] != UINT64_MAX ? ref_series(acc, refs[i]) : NULL;
        if (s == NULL || s->n == 0) {
            counts[j] = 0;
        } else if (orders[i].buckets) {
            counts[j] = count_buckets(s, at[j]);
        } else if (s->vals != NULL) {
            counts[j] = count_values(s, at[j]);
        } else {
            counts[j] = 0; /* Sketched values are only asked for by bucket. */
        }
    }
}

size_t ab_dfg_order_scratch_bytes(size_t n)
{
    return (n + 1) * (sizeof(int64_t) + sizeof(uint64_t) + sizeof(uint32_t));
}

int ab_dfg_order_select(ab_dfg_order *orders, size_t n, void *scratch, ab_dfg_count_fn count,
                        void *payload)
{
    int64_t *at = scratch;
    uint64_t *counts = (uint64_t *)(at + n + 1);
    uint32_t *which = (uint32_t *)(counts + n + 1);
    /* value is the low end of the open range [value, hi]. */
    size_t open = 0;
    for (size_t i = 0; i < n; i++) {
        orders[i].value = orders[i].lo;
        if (orders[i].lo < orders[i].hi) {
            which[open++] = (uint32_t)i;
        }
    }
    while (open > 0) {
        for (size_t j = 0; j < open; j++) {
            const ab_dfg_order *o = &orders[which[j]];
            at[j] = o->value + (o->hi - o->value) / 2;
        }
        int rc = count(which, open, at, counts, payload);
        if (rc != AB_OK) {
            return rc;
        }
        size_t still = 0;
        for (size_t j = 0; j < open; j++) {
            ab_dfg_order *o = &orders[which[j]];
            if (counts[j] > o->k) {
                o->hi = at[j];
            } else {
                o->value = at[j] + 1;
            }
            if (o->value < o->hi) {
                which[still++] = which[j];
            }
        }
        open = still;
    }
    return AB_OK;
}
