/*
 * net/net_state.c: markings and their exploration. A marking is a sorted
 * array of place indices with one entry per token; a store interns markings
 * to dense ids with an open-addressing table. The breadth-first explorer is
 * what the compiler (ends, cancellations) and the mandatory-step test build
 * on; it always stops at a state limit or a memory budget.
 */
#include "net/net_int.h"

#include <stdlib.h>

int ab__mstore_init(ab__mstore *s, ab_ctx *ctx)
{
    memset(s, 0, sizeof(*s));
    s->ctx = ctx;
    s->off = ab__malloc(ctx, sizeof(uint64_t) * 64);
    s->slots = ab__calloc(ctx, 64, sizeof(uint32_t));
    if (s->off == NULL || s->slots == NULL) {
        ab__free(ctx, s->off);
        ab__free(ctx, s->slots);
        s->off = NULL;
        s->slots = NULL;
        return AB_ENOMEM;
    }
    s->off_cap = 64;
    s->off[0] = 0;
    s->mask = 63;
    return AB_OK;
}

void ab__mstore_finish(ab__mstore *s)
{
    ab__free(s->ctx, s->data);
    ab__free(s->ctx, s->off);
    ab__free(s->ctx, s->slots);
    memset(s, 0, sizeof(*s));
}

void ab__mstore_clear(ab__mstore *s)
{
    s->count = 0;
    s->data_len = 0;
    s->off[0] = 0;
    memset(s->slots, 0, sizeof(uint32_t) * ((size_t)s->mask + 1));
}

static uint32_t hash_marking(const uint32_t *m, uint32_t len)
{
    uint64_t h = ab__hash64(m, sizeof(uint32_t) * (size_t)len, 0x9E3779B97F4A7C15ull);
    return (uint32_t)(h ^ (h >> 32));
}

static int rehash(ab__mstore *s)
{
    uint32_t nsize = (s->mask + 1) * 2;
    uint32_t *slots = ab__calloc(s->ctx, nsize, sizeof(uint32_t));
    if (slots == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t id = 0; id < s->count; id++) {
        uint32_t len;
        const uint32_t *m = ab__mstore_get(s, id, &len);
        uint32_t i = hash_marking(m, len) & (nsize - 1);
        while (slots[i] != 0) {
            i = (i + 1) & (nsize - 1);
        }
        slots[i] = id + 1;
    }
    ab__free(s->ctx, s->slots);
    s->slots = slots;
    s->mask = nsize - 1;
    return AB_OK;
}

int ab__mstore_add(ab__mstore *s, const uint32_t *m, uint32_t len, uint32_t *id_out, int *is_new)
{
    uint32_t i = hash_marking(m, len) & s->mask;
    while (s->slots[i] != 0) {
        uint32_t id = s->slots[i] - 1;
        uint32_t l2;
        const uint32_t *m2 = ab__mstore_get(s, id, &l2);
        if (l2 == len && memcmp(m, m2, sizeof(uint32_t) * len) == 0) {
            *id_out = id;
            *is_new = 0;
            return AB_OK;
        }
        i = (i + 1) & s->mask;
    }
    if (s->count == UINT32_MAX - 1) {
        return AB_ELIMIT;
    }
    if (AB_GROW(s->ctx, s->data, s->data_cap, s->data_len + len + 1) != AB_OK ||
        AB_GROW(s->ctx, s->off, s->off_cap, (size_t)s->count + 2) != AB_OK) {
        return AB_ENOMEM;
    }
    memcpy(s->data + s->data_len, m, sizeof(uint32_t) * len);
    s->data_len += len;
    uint32_t id = s->count++;
    s->off[id + 1] = s->data_len;
    s->slots[i] = id + 1;
    *id_out = id;
    *is_new = 1;
    if ((uint64_t)s->count * 2 > (uint64_t)s->mask + 1) {
        return rehash(s);
    }
    return AB_OK;
}

/* ---- Index and firing ---- */

static uint32_t min_input(const ab_net *n, uint32_t t)
{
    const ab__trans *x = &n->trans[t];
    uint32_t p = UINT32_MAX;
    for (uint32_t i = 0; i < x->in_count; i++) {
        if (x->in[i].place < p) {
            p = x->in[i].place;
        }
    }
    return p;
}

int ab__netidx_build(ab__netidx *x, ab_ctx *ctx, const ab_net *n, const uint8_t *allow)
{
    x->first = ab__calloc(ctx, (size_t)n->place_count + 2, sizeof(uint32_t));
    x->trans = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)n->trans_count + 1));
    if (x->first == NULL || x->trans == NULL) {
        ab__netidx_finish(x, ctx);
        return AB_ENOMEM;
    }
    /* Each transition is listed under its smallest input place only, so that
     * walking the marked places meets it once. Transitions without inputs are
     * never listed (the compiler makes none). */
    for (uint32_t t = 0; t < n->trans_count; t++) {
        uint32_t p = min_input(n, t);
        if ((allow == NULL || allow[t]) && p != UINT32_MAX) {
            x->first[p + 1]++;
        }
    }
    for (uint32_t p = 0; p < n->place_count; p++) {
        x->first[p + 1] += x->first[p];
    }
    uint32_t *fill = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)n->place_count + 1));
    if (fill == NULL) {
        ab__netidx_finish(x, ctx);
        return AB_ENOMEM;
    }
    memcpy(fill, x->first, sizeof(uint32_t) * n->place_count);
    for (uint32_t t = 0; t < n->trans_count; t++) {
        uint32_t p = min_input(n, t);
        if ((allow == NULL || allow[t]) && p != UINT32_MAX) {
            x->trans[fill[p]++] = t;
        }
    }
    ab__free(ctx, fill);
    return AB_OK;
}

void ab__netidx_finish(ab__netidx *x, ab_ctx *ctx)
{
    ab__free(ctx, x->first);
    ab__free(ctx, x->trans);
    x->first = NULL;
    x->trans = NULL;
}

/* Tokens on place p in a sorted marking. */
static uint32_t tokens(const uint32_t *m, uint32_t len, uint32_t p)
{
    uint32_t lo = 0, hi = len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m[mid] < p) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    uint32_t c = 0;
    while (lo + c < len && m[lo + c] == p) {
        c++;
    }
    return c;
}

int ab__net_enabled(const ab_net *n, uint32_t t, const uint32_t *m, uint32_t len)
{
    const ab__trans *x = &n->trans[t];
    if (x->in_count == 0) {
        return 0;
    }
    for (uint32_t i = 0; i < x->in_count; i++) {
        if (tokens(m, len, x->in[i].place) < x->in[i].weight) {
            return 0;
        }
    }
    return 1;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int arcs_sorted(const ab_net_arc *a, uint32_t count)
{
    for (uint32_t i = 1; i < count; i++) {
        if (a[i].place <= a[i - 1].place) {
            return 0;
        }
    }
    return 1;
}

/* Arcs in any order (the compiler's nets before ab__net_finish): remove,
 * append, sort. */
static uint32_t fire_unsorted(const ab_net *n, uint32_t t, const uint32_t *m, uint32_t len,
                              uint32_t *out, const uint8_t *keep)
{
    const ab__trans *x = &n->trans[t];
    memcpy(out, m, sizeof(uint32_t) * len);
    uint32_t l = len;
    for (uint32_t i = 0; i < x->in_count; i++) {
        for (uint32_t w = 0; w < x->in[i].weight; w++) {
            for (uint32_t k = 0; k < l; k++) {
                if (out[k] == x->in[i].place) {
                    out[k] = out[--l];
                    break;
                }
            }
        }
    }
    for (uint32_t i = 0; i < x->out_count; i++) {
        if (keep != NULL && !keep[x->out[i].place]) {
            continue;
        }
        for (uint32_t w = 0; w < x->out[i].weight; w++) {
            out[l++] = x->out[i].place;
        }
    }
    if (l < 16) {
        for (uint32_t i = 1; i < l; i++) {
            uint32_t v = out[i], j = i;
            while (j > 0 && out[j - 1] > v) {
                out[j] = out[j - 1];
                j--;
            }
            out[j] = v;
        }
    } else {
        ab__net_sort(out, l, sizeof(uint32_t), cmp_u32);
    }
    return l;
}

uint32_t ab__net_fire(const ab_net *n, uint32_t t, const uint32_t *m, uint32_t len, uint32_t *out,
                      const uint8_t *keep)
{
    const ab__trans *x = &n->trans[t];
    if (!arcs_sorted(x->in, x->in_count) || !arcs_sorted(x->out, x->out_count)) {
        return fire_unsorted(n, t, m, len, out, keep);
    }
    /* One merge of the sorted marking with the sorted arcs: linear in the
     * tokens, where sorting was not. */
    uint32_t o = 0, ia = 0, oa = 0;
    uint32_t rem = x->in_count > 0 ? x->in[0].weight : 0;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t p = m[i];
        while (ia < x->in_count && x->in[ia].place < p) {
            ia++;
            rem = ia < x->in_count ? x->in[ia].weight : 0;
        }
        while (oa < x->out_count && x->out[oa].place <= p) {
            if (keep == NULL || keep[x->out[oa].place]) {
                for (uint32_t w = 0; w < x->out[oa].weight; w++) {
                    out[o++] = x->out[oa].place;
                }
            }
            oa++;
        }
        if (ia < x->in_count && x->in[ia].place == p && rem > 0) {
            rem--;
            continue;
        }
        out[o++] = p;
    }
    for (; oa < x->out_count; oa++) {
        if (keep == NULL || keep[x->out[oa].place]) {
            for (uint32_t w = 0; w < x->out[oa].weight; w++) {
                out[o++] = x->out[oa].place;
            }
        }
    }
    return o;
}

int ab__net_each_enabled(const ab_net *n, const ab__netidx *x, const uint32_t *m, uint32_t len,
                         ab__enabled_fn fn, void *payload)
{
    for (uint32_t i = 0; i < len; i++) {
        if (i > 0 && m[i] == m[i - 1]) {
            continue;
        }
        uint32_t p = m[i];
        for (uint32_t k = x->first[p]; k < x->first[p + 1]; k++) {
            uint32_t t = x->trans[k];
            if (ab__net_enabled(n, t, m, len)) {
                int rc = fn(t, payload);
                if (rc != 0) {
                    return rc;
                }
            }
        }
    }
    return 0;
}

uint32_t ab__net_max_growth(const ab_net *n)
{
    uint32_t g = 0;
    for (uint32_t t = 0; t < n->trans_count; t++) {
        uint32_t w = 0;
        for (uint32_t i = 0; i < n->trans[t].out_count; i++) {
            w += n->trans[t].out[i].weight;
        }
        if (w > g) {
            g = w;
        }
    }
    return g;
}

/* Whether a strictly covers b (both sorted). */
static int covers_strictly(const uint32_t *a, uint32_t la, const uint32_t *b, uint32_t lb)
{
    if (la <= lb) {
        return 0;
    }
    uint32_t i = 0, j = 0;
    while (j < lb) {
        while (i < la && a[i] < b[j]) {
            i++;
        }
        if (i == la || a[i] != b[j]) {
            return 0;
        }
        i++;
        j++;
    }
    return 1;
}

int ab__net_explore(const ab_net *n, const uint8_t *allow, const uint8_t *keep,
                    const uint32_t *init, uint32_t init_len, uint64_t max_states,
                    ab__mstore *st, uint8_t **terminal, int *complete_out, int *unbounded_out)
{
    ab_ctx *ctx = n->ctx;
    ab__netidx idx = {NULL, NULL};
    uint32_t *cur = NULL, *next = NULL, *parent = NULL;
    size_t parent_cap = 0, term_cap = 0;
    uint8_t *term = NULL;
    int rc = AB_OK, complete = 1;
    uint32_t expanded = 0;
    uint32_t growth = ab__net_max_growth(n);
    size_t buf_cap = 0, next_cap = 0;
    *complete_out = 0;
    if (unbounded_out != NULL) {
        *unbounded_out = 0;
    }
    AB_TRY(ab__netidx_build(&idx, ctx, n, allow));
    AB_TRY(AB_GROW(ctx, cur, buf_cap, (size_t)init_len + 1));
    memcpy(cur, init, sizeof(uint32_t) * init_len);
    ab__net_sort(cur, init_len, sizeof(uint32_t), cmp_u32);
    uint32_t first_id;
    int is_new;
    AB_TRY(ab__mstore_add(st, cur, init_len, &first_id, &is_new));
    if (unbounded_out != NULL) {
        AB_TRY(AB_GROW(ctx, parent, parent_cap, (size_t)st->count));
        parent[first_id] = UINT32_MAX;
    }
    for (uint32_t s = first_id; s < st->count; s++) {
        uint32_t len;
        const uint32_t *m = ab__mstore_get(st, s, &len);
        /* Buffers grow with the markings: a count of tokens proves nothing. */
        AB_TRY(AB_GROW(ctx, cur, buf_cap, (size_t)len + 1));
        AB_TRY(AB_GROW(ctx, next, next_cap, (size_t)len + growth + 1));
        m = ab__mstore_get(st, s, &len);
        memcpy(cur, m, sizeof(uint32_t) * len);
        int any = 0;
        for (uint32_t i = 0; i < len && rc == AB_OK; i++) {
            if (i > 0 && cur[i] == cur[i - 1]) {
                continue;
            }
            uint32_t p = cur[i];
            for (uint32_t k = idx.first[p]; k < idx.first[p + 1]; k++) {
                uint32_t t = idx.trans[k];
                if (!ab__net_enabled(n, t, cur, len)) {
                    continue;
                }
                any = 1;
                uint32_t nl = ab__net_fire(n, t, cur, len, next, keep);
                uint32_t id;
                AB_TRY(ab__mstore_add(st, next, nl, &id, &is_new));
                if (!is_new) {
                    continue;
                }
                if (unbounded_out != NULL) {
                    AB_TRY(AB_GROW(ctx, parent, parent_cap, (size_t)st->count));
                    parent[id] = s;
                    /* Karp-Miller's test along the search path. */
                    for (uint32_t a = s, hops = 0; a != UINT32_MAX && hops < 100000;
                         a = parent[a], hops++) {
                        uint32_t la;
                        const uint32_t *ma = ab__mstore_get(st, a, &la);
                        if (covers_strictly(next, nl, ma, la)) {
                            *unbounded_out = 1;
                            complete = 0;
                            goto stop;
                        }
                    }
                }
                if ((uint64_t)st->count >= max_states ||
                    ab__mstore_bytes(st) > n->model_memory) {
                    complete = 0;
                }
            }
        }
        if (terminal != NULL) {
            AB_TRY(AB_GROW(ctx, term, term_cap, (size_t)s + 1));
            term[s] = (uint8_t)!any;
            expanded = s + 1;
        }
        if (!complete) {
            break;
        }
    }
stop:
    *complete_out = complete;
done:
    if (terminal != NULL && rc == AB_OK) {
        /* Markings not expanded (limit hit) are not known to be terminal. */
        if (AB_GROW(ctx, term, term_cap, (size_t)st->count + 1) != AB_OK) {
            rc = AB_ENOMEM;
        } else {
            memset(term + expanded, 0, (size_t)st->count + 1 - expanded);
            *terminal = term;
            term = NULL;
        }
    }
    ab__free(ctx, term);
    ab__free(ctx, parent);
    ab__free(ctx, cur);
    ab__free(ctx, next);
    ab__netidx_finish(&idx, ctx);
    return rc;
}
