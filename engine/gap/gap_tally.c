/*
 * gap/gap_tally.c: the findings' tally. Everything the findings count over
 * the groups is a sum over cases (gap_metrics.c adds each group's cases),
 * so the tallies of any split of the groups add up to the tally of them
 * all. The written form is canonical: the summary's sums, the per-activity
 * and per-label sums, then the findings and the context counters sorted by
 * key, with the interned names in the keys written as text and a rework
 * finding's repetitions as (value, cases) pairs by value. Tallies merged in
 * any order thus write the same bytes as one tally.
 */
#include "gap/gap_int.h"

#include <stdlib.h>

#define TALLY_MAGIC 0x31544241u /* "ABT1" */

/* The summary's sums, in the order they are written. */
#define SUMS(A)                                                                                    \
    &(A)->m1, &(A)->m1_raw, &(A)->log_moves, &(A)->model_moves, &(A)->sync_moves, &(A)->events,    \
        &(A)->cost, &(A)->worst, &(A)->m7, &(A)->m7b, &(A)->m8, &(A)->m10, &(A)->undoc_cases,      \
        &(A)->ctrl_num, &(A)->ctrl_den, &(A)->closed_cases, &(A)->approximate_cases

/* The index of key k in m, with arr (cap elements of size bytes) grown to
 * hold it; *is_new when k was added. */
static int map_slot(ab__gap_map *m, ab_ctx *ctx, void **arr, size_t *cap, size_t size,
                    ab__gap_key k, uint32_t *idx, int *is_new)
{
    int rc = ab__gap_map_get(m, k, idx, is_new);
    if (rc == AB_OK && *is_new && ab__grow(ctx, arr, cap, (size_t)*idx + 1, size) != AB_OK) {
        rc = AB_ENOMEM;
    }
    return rc;
}

int ab__gap_acc_entry(ab__gap_acc *A, ab__gap_key k, uint32_t *index_out)
{
    uint32_t idx;
    int is_new;
    int rc = map_slot(&A->map, A->g->ctx, (void **)&A->entries, &A->entries_cap,
                      sizeof(*A->entries), k, &idx, &is_new);
    if (rc != AB_OK) {
        return rc;
    }
    if (is_new) {
        ab__gap_entry *e = &A->entries[idx];
        memset(e, 0, sizeof(*e));
        e->kind = (ab_gap_kind)k.kind;
        e->key = k;
        e->last_group = UINT32_MAX;
        e->best_b = e->best_c = UINT32_MAX;
        A->entry_count = idx + 1;
    }
    *index_out = idx;
    return AB_OK;
}

int ab__gap_acc_count(ab__gap_acc *A, uint32_t kind, uint32_t a, uint32_t b, uint32_t c, uint64_t n)
{
    ab__gap_key k = {kind, a, b, c};
    uint32_t idx;
    int is_new;
    int rc = map_slot(&A->cmap, A->g->ctx, (void **)&A->counts, &A->counts_cap, sizeof(*A->counts),
                      k, &idx, &is_new);
    if (rc != AB_OK) {
        return rc;
    }
    if (is_new) {
        A->counts[idx] = 0;
    }
    A->counts[idx] += n;
    return AB_OK;
}

/* Which field of a key is an interned name: 2 for b, 3 for c, 0 none. */
static int name_field(int is_count, uint32_t kind)
{
    if (is_count) {
        return kind == AB__GAP_CNT_SKIPPED ? 3 : 0;
    }
    return kind == AB_GAP_K_EARLY_EXIT ? 2 : 0;
}

typedef struct sort_ctx {
    const ab__gap_acc *A;
    const ab__gap_key *keys;
    int is_count;
} sort_ctx;

static int cmp_u32(uint32_t x, uint32_t y)
{
    return x < y ? -1 : x > y;
}

static int cmp_name(const ab__strtab *t, uint32_t x, uint32_t y)
{
    uint32_t lx = ab__strtab_len(t, x), ly = ab__strtab_len(t, y);
    int d = memcmp(ab__strtab_str(t, x), ab__strtab_str(t, y), lx < ly ? lx : ly);
    return d != 0 ? d : cmp_u32(lx, ly);
}

/* Keys by kind, a, b, c; a name by its bytes. */
static int cmp_key(const void *pa, const void *pb, void *arg)
{
    const sort_ctx *s = arg;
    const ab__gap_key *x = &s->keys[*(const uint32_t *)pa], *y = &s->keys[*(const uint32_t *)pb];
    int d = cmp_u32(x->kind, y->kind);
    d = d != 0 ? d : cmp_u32(x->a, y->a);
    int nf = name_field(s->is_count, x->kind);
    const ab__strtab *t = &s->A->g->names;
    d = d != 0 ? d : nf == 2 ? cmp_name(t, x->b, y->b) : cmp_u32(x->b, y->b);
    d = d != 0 ? d : nf == 3 ? cmp_name(t, x->c, y->c) : cmp_u32(x->c, y->c);
    return d;
}

static void put_key(ab__wbytes *w, const ab__strtab *t, int is_count, ab__gap_key k)
{
    int nf = name_field(is_count, k.kind);
    ab__put_u32(w, k.kind);
    ab__put_u32(w, k.a);
    if (nf == 2) {
        ab__put_str(w, ab__strtab_str(t, k.b), ab__strtab_len(t, k.b));
    } else {
        ab__put_u32(w, k.b);
    }
    if (nf == 3) {
        ab__put_str(w, ab__strtab_str(t, k.c), ab__strtab_len(t, k.c));
    } else {
        ab__put_u32(w, k.c);
    }
}

static int get_key(ab__rbytes *r, ab__strtab *t, int is_count, ab__gap_key *k)
{
    k->kind = ab__get_u32(r);
    k->a = ab__get_u32(r);
    if (is_count ? k->kind < AB__GAP_CNT_ELEMENT || k->kind > AB__GAP_CNT_ORDER
                 : k->kind >= AB_GAP_K__COUNT) {
        return AB_EINVAL;
    }
    int nf = name_field(is_count, k->kind);
    uint32_t *named[2] = {&k->b, &k->c};
    for (int f = 2; f <= 3; f++) {
        if (nf != f) {
            *named[f - 2] = ab__get_u32(r);
            continue;
        }
        uint32_t len;
        const char *s = ab__get_str(r, &len);
        if (s == NULL) {
            return AB_EINVAL;
        }
        int rc = ab__strtab_intern(t, s, len, named[f - 2]);
        if (rc != AB_OK) {
            return rc;
        }
    }
    return r->bad ? AB_EINVAL : AB_OK;
}

/* The finding a written key names, added when new. */
static int get_entry(ab__rbytes *r, ab__gap_acc *A, ab__gap_entry **out)
{
    ab__gap_key k;
    uint32_t idx;
    int rc = get_key(r, &A->g->names, 0, &k);
    rc = rc == AB_OK ? ab__gap_acc_entry(A, k, &idx) : rc;
    *out = rc == AB_OK ? &A->entries[idx] : NULL;
    return rc;
}

/* Indices 0..n-1 sorted by key; NULL when out of memory. */
static uint32_t *sorted(const ab__gap_acc *A, const ab__gap_key *keys, uint32_t n, int is_count)
{
    uint32_t *ix = ab__malloc(A->g->ctx, sizeof(uint32_t) * ((size_t)n + 1));
    if (ix != NULL) {
        for (uint32_t i = 0; i < n; i++) {
            ix[i] = i;
        }
        sort_ctx s = {A, keys, is_count};
        ab__sort_r(ix, n, sizeof(uint32_t), cmp_key, &s);
    }
    return ix;
}

static int cmp_rep_value(const void *a, const void *b)
{
    const ab__gap_rep *x = a, *y = b;
    return x->value < y->value ? -1 : x->value > y->value;
}

/* A finding's repetitions sorted by value, equal values joined, none of no
 * case. */
static void join_reps(ab__gap_entry *e)
{
    if (e->rep_count > 1) {
        qsort(e->reps, e->rep_count, sizeof(*e->reps), cmp_rep_value);
    }
    uint32_t m = 0;
    for (uint32_t i = 0; i < e->rep_count; i++) {
        if (m > 0 && e->reps[m - 1].value == e->reps[i].value) {
            e->reps[m - 1].weight += e->reps[i].weight;
        } else if (e->reps[i].weight > 0) {
            e->reps[m++] = e->reps[i];
        }
    }
    e->rep_count = m;
}

int ab__gap_acc_reps(ab__gap_acc *A)
{
    for (uint32_t i = 0; i < A->entry_count; i++) {
        ab__gap_entry *e = &A->entries[i];
        uint32_t from = e->groups_folded, n = e->group_count - from;
        if (n == 0 || e->kind != AB_GAP_K_REWORK) {
            continue; /* Only rework counts repetitions. */
        }
        if (AB_GROW_FROM(A->g->ctx, e->reps, e->reps_cap, (size_t)e->rep_count + n, 1) != AB_OK) {
            return AB_ENOMEM;
        }
        for (uint32_t k = from; k < e->group_count; k++) {
            e->reps[e->rep_count++] = (ab__gap_rep){e->repeats[k], A->g->groups[e->groups[k]].here};
        }
        e->groups_folded = e->group_count;
        join_reps(e);
    }
    return AB_OK;
}

static void put_reps(ab__wbytes *w, const ab__gap_entry *e)
{
    ab__put_u32(w, e->rep_count);
    for (uint32_t i = 0; i < e->rep_count; i++) {
        ab__put_u32(w, e->reps[i].value);
        ab__put_u64(w, e->reps[i].weight);
    }
}

/* The per-activity and per-label sums, in the order they are written, and
 * their lengths. */
enum { ARRAYS = 6 };
static void arrays(const ab__gap_acc *A, uint64_t *v[ARRAYS], uint32_t n[ARRAYS])
{
    const uint32_t K = A->g->activity_count, L = A->g->label_count;
    uint64_t *all[ARRAYS] = {A->act_cases,        A->act_events,   A->label_required,
                             A->label_sync_cases, A->label_absent, A->label_bypass_cases};
    for (int i = 0; i < ARRAYS; i++) {
        v[i] = all[i];
        n[i] = i < 2 ? K : L;
    }
}

static void put_array(ab__wbytes *w, const uint64_t *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        ab__put_u64(w, v[i]);
    }
}

int ab__gap_tally_write(const ab__gap_acc *A, ab_buf *out)
{
    const ab_gap *g = A->g;
    const uint32_t K = g->activity_count, L = g->label_count;
    ab__wbytes w = {out, g->ctx, AB_OK};
    ab__put_u32(&w, TALLY_MAGIC);
    ab__put_u32(&w, K);
    ab__put_u32(&w, L);
    const uint64_t *sums[] = {SUMS(A)};
    for (size_t i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
        ab__put_u64(&w, *sums[i]);
    }
    uint64_t *v[ARRAYS];
    uint32_t vn[ARRAYS];
    arrays(A, v, vn);
    for (int i = 0; i < ARRAYS; i++) {
        put_array(&w, v[i], vn[i]);
    }
    uint32_t *ix = sorted(A, A->map.keys, A->entry_count, 0);
    if (ix == NULL) {
        return AB_ENOMEM;
    }
    ab__put_u32(&w, A->entry_count);
    for (uint32_t i = 0; i < A->entry_count; i++) {
        const ab__gap_entry *e = &A->entries[ix[i]];
        put_key(&w, &g->names, 0, e->key);
        ab__put_u64(&w, e->cases);
        ab__put_u64(&w, e->occurrences);
        ab__put_u64(&w, e->early_exit_cases);
        for (int k = 0; k < 3; k++) {
            ab__put_u64(&w, e->attribution[k]);
        }
        ab__put_u64(&w, e->approximate_cases);
        ab__put_u32(&w, (uint32_t)e->documented);
        put_reps(&w, e);
    }
    ab__free(g->ctx, ix);
    uint32_t nc = A->cmap.count;
    ix = sorted(A, A->cmap.keys, nc, 1);
    if (ix == NULL) {
        return AB_ENOMEM;
    }
    ab__put_u32(&w, nc);
    for (uint32_t i = 0; i < nc; i++) {
        put_key(&w, &g->names, 1, A->cmap.keys[ix[i]]);
        ab__put_u64(&w, A->counts[ix[i]]);
    }
    ab__free(g->ctx, ix);
    return w.rc;
}

/* The summary's sums and the per-activity and per-label sums: with r, the
 * written ones added; without, set to zero. */
static void add_sums(ab__gap_acc *A, ab__rbytes *r)
{
    uint64_t *sums[] = {SUMS(A)};
    for (size_t i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
        *sums[i] = r != NULL ? *sums[i] + ab__get_u64(r) : 0;
    }
    uint64_t *v[ARRAYS];
    uint32_t vn[ARRAYS];
    arrays(A, v, vn);
    for (int i = 0; i < ARRAYS; i++) {
        for (uint32_t j = 0; j < vn[i]; j++) {
            v[i][j] = r != NULL ? v[i][j] + ab__get_u64(r) : 0;
        }
    }
}

void ab__gap_tally_clear(ab__gap_acc *A)
{
    add_sums(A, NULL);
    for (uint32_t i = 0; i < A->entry_count; i++) {
        ab__gap_entry *e = &A->entries[i];
        e->cases = e->occurrences = 0;
        e->early_exit_cases = 0;
        memset(e->attribution, 0, sizeof(e->attribution));
        e->approximate_cases = 0;
        e->documented = 0;
        e->rep_count = 0;
    }
    if (A->cmap.count > 0) {
        memset(A->counts, 0, sizeof(uint64_t) * A->cmap.count);
    }
}

int ab__gap_tally_merge(ab__gap_acc *A, const void *bytes, size_t len)
{
    ab_gap *g = A->g;
    ab_ctx *ctx = g->ctx;
    const uint32_t K = g->activity_count, L = g->label_count;
    ab__rbytes r = {bytes, len, 0, 0};
    if (ab__get_u32(&r) != TALLY_MAGIC || ab__get_u32(&r) != K || ab__get_u32(&r) != L) {
        return AB_EINVAL;
    }
    add_sums(A, &r);
    uint32_t n = ab__get_u32(&r);
    for (uint32_t i = 0; i < n && !r.bad; i++) {
        ab__gap_entry *e;
        int rc = get_entry(&r, A, &e);
        if (rc != AB_OK) {
            return rc;
        }
        e->cases += ab__get_u64(&r);
        e->occurrences += ab__get_u64(&r);
        e->early_exit_cases += (uint32_t)ab__get_u64(&r);
        for (int j = 0; j < 3; j++) {
            e->attribution[j] += ab__get_u64(&r);
        }
        e->approximate_cases += (uint32_t)ab__get_u64(&r);
        e->documented |= (int)ab__get_u32(&r);
        uint32_t m = ab__get_u32(&r);
        if (m > len / 12 ||
            AB_GROW_FROM(ctx, e->reps, e->reps_cap, (size_t)e->rep_count + m + 1, 1) != AB_OK) {
            return m > len / 12 ? AB_EINVAL : AB_ENOMEM;
        }
        for (uint32_t j = 0; j < m; j++) {
            e->reps[e->rep_count].value = ab__get_u32(&r);
            e->reps[e->rep_count++].weight = ab__get_u64(&r);
        }
        join_reps(e);
    }
    n = ab__get_u32(&r);
    for (uint32_t i = 0; i < n && !r.bad; i++) {
        ab__gap_key k;
        int rc = get_key(&r, &g->names, 1, &k);
        uint64_t c = ab__get_u64(&r);
        rc = rc == AB_OK ? ab__gap_acc_count(A, k.kind, k.a, k.b, k.c, c) : rc;
        if (rc != AB_OK) {
            return rc;
        }
    }
    return r.bad || r.off != r.len ? AB_EINVAL : AB_OK;
}

int ab__gap_lists_write(const ab__gap_acc *A, ab_buf *out)
{
    const ab_gap *g = A->g;
    ab__wbytes w = {out, g->ctx, AB_OK};
    uint32_t n = 0;
    for (uint32_t i = 0; i < A->entry_count; i++) {
        n += A->entries[i].group_count > 0;
    }
    ab__put_u32(&w, n);
    for (uint32_t i = 0; i < A->entry_count; i++) {
        const ab__gap_entry *e = &A->entries[i];
        if (e->group_count == 0) {
            continue;
        }
        put_key(&w, &g->names, 0, e->key);
        ab__put_u32(&w, e->group_count);
        /* Groups as steps from the one before (ascending: small), modulo 2^32. */
        for (uint32_t k = 0, prev = 0; k < e->group_count; prev = e->groups[k++]) {
            ab__put_varint(&w, (uint32_t)(e->groups[k] - prev));
            ab__put_varint(&w, e->moves[k]);
            ab__put_varint(&w, e->repeats[k]);
        }
    }
    return w.rc;
}

int ab__gap_lists_merge(ab__gap_acc *A, const void *bytes, size_t len)
{
    ab_gap *g = A->g;
    ab_ctx *ctx = g->ctx;
    ab__rbytes r = {bytes, len, 0, 0};
    uint32_t n = ab__get_u32(&r);
    for (uint32_t i = 0; i < n && !r.bad; i++) {
        ab__gap_entry *e;
        int rc = get_entry(&r, A, &e);
        if (rc != AB_OK) {
            return rc;
        }
        uint32_t m = ab__get_u32(&r);
        if (m > (len - r.off) / 3) { /* At least three bytes a group. */
            return AB_EINVAL;
        }
        size_t need = (size_t)e->group_count + m;
        if (AB_GROW_FROM(ctx, e->groups, e->groups_cap, need, 1) != AB_OK ||
            AB_GROW_FROM(ctx, e->moves, e->moves_cap, need, 1) != AB_OK ||
            AB_GROW_FROM(ctx, e->repeats, e->repeats_cap, need, 1) != AB_OK) {
            return AB_ENOMEM;
        }
        for (uint32_t j = 0, prev = 0; j < m; j++, e->group_count++) {
            uint64_t step = ab__get_varint(&r), move = ab__get_varint(&r);
            uint64_t repeats = ab__get_varint(&r);
            if (step > UINT32_MAX || move > UINT32_MAX || repeats > UINT32_MAX) {
                return AB_EINVAL;
            }
            prev += (uint32_t)step;
            e->groups[e->group_count] = prev;
            e->moves[e->group_count] = (uint32_t)move;
            e->repeats[e->group_count] = (uint32_t)repeats;
            if (prev >= g->group_count) {
                return AB_EINVAL;
            }
        }
    }
    return r.bad || r.off != r.len ? AB_EINVAL : AB_OK;
}

typedef struct listed {
    uint32_t group, move, repeats;
} listed;

static int cmp_listed(const void *pa, const void *pb)
{
    const listed *a = pa, *b = pb;
    return a->group < b->group ? -1 : a->group > b->group;
}

int ab__gap_lists_finish(ab__gap_acc *A)
{
    ab_ctx *ctx = A->g->ctx;
    listed *t = NULL;
    size_t cap = 0;
    for (uint32_t i = 0; i < A->entry_count; i++) {
        ab__gap_entry *e = &A->entries[i];
        if (e->group_count < 2) {
            continue;
        }
        if (AB_GROW(ctx, t, cap, e->group_count) != AB_OK) {
            ab__free(ctx, t);
            return AB_ENOMEM;
        }
        for (uint32_t k = 0; k < e->group_count; k++) {
            t[k] = (listed){e->groups[k], e->moves[k], e->repeats[k]};
        }
        qsort(t, e->group_count, sizeof(listed), cmp_listed);
        /* A group with cases in several processes was listed by each. */
        uint32_t m = 0;
        for (uint32_t k = 0; k < e->group_count; k++) {
            if (m == 0 || t[m - 1].group != t[k].group) {
                t[m++] = t[k];
            }
        }
        for (uint32_t k = 0; k < m; k++) {
            e->groups[k] = t[k].group;
            e->moves[k] = t[k].move;
            e->repeats[k] = t[k].repeats;
        }
        e->group_count = m;
    }
    ab__free(ctx, t);
    return AB_OK;
}
