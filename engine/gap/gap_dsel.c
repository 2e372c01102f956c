/*
 * gap/gap_dsel.c: the medians of two samples, the Hodges-Lehmann shift of
 * one over the other and its Lehmann-Moses interval, exactly, where the
 * values are spread over processes and no process may hold a whole
 * sample. The figures are those gap_stats.c gives over the pooled values,
 * to the bit: they are order statistics, selected by counts summed over
 * the processes, and the tie term is an exact integer sum.
 *
 * The values are first cut by value range (one exchange of regular
 * samples gives the cuts, one all-to-all moves the values): process q then
 * holds the values of both samples in (s_q, s_q+1], sorted, so a run of
 * equal values lies in one process and the medians are where the counts
 * put them. The k-th smallest pairwise difference x - y is found by
 * passes over a pivot p: each distinct x goes, with its multiplicity, to
 * the process whose range holds x - p, which counts the y >= x - p there
 * and adds those of the processes above; it also gives the nearest
 * differences on either side of p, so that the bracket closes on values
 * that are differences. Pivots alternate interpolation on the counts and
 * halving, so a selection takes at most about 128 passes, usually a dozen.
 * Memory per process: its values of the two samples after the cut (about
 * (n + m) / P each, more where a single value repeats very often), and the
 * queries of a round, at most QUERY_BYTES per process in each direction.
 */
#include "gap/gap_int.h"

#include <stdlib.h>

/* A round's queries from one process, over all its destinations. */
#define QUERY_BYTES ((size_t)64 << 20)

typedef struct side {
    int64_t *v;
    uint64_t n; /* Here. */
} side;

/* One process's part of the pooled values after the cut. */
typedef struct cut {
    const ab__gap_parts *c;
    ab_ctx *ctx;
    uint32_t P, me;
    int64_t *s; /* P - 1 cuts: process q holds (s[q-1], s[q]]. */
    side x, y;
    int64_t *ux;  /* This process's distinct x ... */
    uint64_t *wx; /* ... and how often each occurs. */
    uint64_t dx;
    /* Of every process q: its counts, the y above it, the nearest y of
     * the processes below and above it (has_* 0: none). */
    uint64_t *nxq, *nyq, *above;
    int64_t *prev_max, *next_min;
    uint8_t *has_prev, *has_next;
    uint64_t rounds; /* Of each pass: the most distinct x of a process over the chunk. */
    uint64_t chunk;
} cut;

/* A selection of the k-th smallest difference. */
typedef struct sel {
    uint64_t k;
    int64_t lo, lo_next, hi; /* C(lo) < k <= C(hi), no difference in (lo, lo_next). */
    uint64_t clo, chi;
    int64_t p; /* This pass's pivot. */
    /* 0 counting at p, 3 listing [lo_next, hi], 1 probing for the
     * difference after hi, 2 done. */
    int state;
    int64_t after; /* Once listed: the smallest listed difference above hi (INT64_MAX: none). */
    int interpolate, first;
    uint64_t active_before;
    int64_t next; /* After state 1: the (k+1)-th. */
} sel;

/* ---- Collectives ---- */

/* Every process's words: all[q] (n words each, the same count everywhere),
 * in a block freed by the caller; AB_ENOMEM everywhere when any process
 * reports a failure in its first word (bad). */
static int gather_words(const cut *C, const int64_t *mine, size_t n, int bad, int64_t **out)
{
    *out = NULL;
    void **all;
    size_t *lens;
    uint32_t count;
    int rc = ab__gap_exchange_status(C->c, bad ? AB_ENOMEM : AB_OK, mine, sizeof(int64_t) * n, &all,
                                     &lens, &count);
    int64_t *w = NULL;
    if (rc == AB_OK && count != C->P) {
        rc = AB_EINVAL;
    }
    if (rc == AB_OK) {
        w = malloc(sizeof(int64_t) * ((size_t)count * n + 1));
        rc = w == NULL ? AB_ENOMEM : AB_OK;
    }
    for (uint32_t q = 0; rc == AB_OK && q < count && n > 0; q++) {
        memcpy(w + (size_t)q * n, all[q], sizeof(int64_t) * n);
    }
    ab__gap_exchange_free(all, lens, count);
    *out = w;
    return rc;
}

/* The first index of v[0..n) (ascending) with v[i] >= t. */
static uint64_t lower_bound(const int64_t *v, uint64_t n, int64_t t)
{
    uint64_t lo = 0, hi = n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (v[mid] < t) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* The process whose range holds v: the first cut at or above it. */
static uint32_t owner(const cut *C, int64_t v)
{
    return (uint32_t)lower_bound(C->s, C->P - 1, v);
}

/* A process that cannot send takes part all the same, with messages too
 * short to read, so that the others learn it. */
static void drop_sends(void **send, size_t *len, uint32_t P)
{
    for (uint32_t q = 0; send != NULL && q < P; q++) {
        free(send[q]);
        send[q] = NULL;
        if (len != NULL) {
            len[q] = 0;
        }
    }
}

static int sort_side(ab_ctx *ctx, int64_t *v, uint64_t n)
{
    if (n < 2) {
        return AB_OK;
    }
    int64_t *tmp = ab__malloc(ctx, sizeof(int64_t) * n);
    if (tmp == NULL) {
        return AB_ENOMEM;
    }
    ab__sort_i64(v, n, tmp);
    ab__free(ctx, tmp);
    return AB_OK;
}

/* ---- The cut ---- */

/* Words of the first exchange: counts, extremes, then up to P - 1 samples. */
enum { W_NX, W_NY, W_MINX, W_MAXX, W_MINY, W_MAXY, W_NS, W_HEAD };

/*
 * Cuts the values by range: x[0..nx) and y[0..ny) (sorted here) are this
 * process's; head gets every process's counts and extremes. On success C
 * holds this process's values of the cut, sorted.
 */
static int make_cut(cut *C, int64_t *x, uint64_t nx, int64_t *y, uint64_t ny, int64_t **head_out)
{
    uint32_t P = C->P;
    size_t words = W_HEAD + P;
    int64_t *mine = calloc(words, sizeof(int64_t));
    int bad =
        mine == NULL || sort_side(C->ctx, x, nx) != AB_OK || sort_side(C->ctx, y, ny) != AB_OK;
    if (!bad) {
        mine[W_NX] = (int64_t)nx;
        mine[W_NY] = (int64_t)ny;
        mine[W_MINX] = nx > 0 ? x[0] : 0;
        mine[W_MAXX] = nx > 0 ? x[nx - 1] : 0;
        mine[W_MINY] = ny > 0 ? y[0] : 0;
        mine[W_MAXY] = ny > 0 ? y[ny - 1] : 0;
        /* Regular samples of the pooled values, merged in one walk. */
        uint64_t L = nx + ny, i = 0, j = 0, ns = 0;
        for (uint64_t r = 0; r < L && ns + 1 < P;) {
            int64_t v = j >= ny || (i < nx && x[i] <= y[j]) ? x[i++] : y[j++];
            if (r == (ns + 1) * L / P) {
                mine[W_HEAD + ns++] = v;
            }
            r++;
        }
        mine[W_NS] = (int64_t)ns;
    }
    int64_t *head = NULL;
    int rc = gather_words(C, mine, mine != NULL ? words : 0, bad, &head);
    free(mine);
    if (rc != AB_OK) {
        return rc;
    }
    /* The cuts: regular picks among every process's samples, sorted. */
    uint64_t S = 0;
    for (uint32_t q = 0; q < P; q++) {
        S += (uint64_t)head[(size_t)q * words + W_NS];
    }
    int64_t *all = malloc(sizeof(int64_t) * (S + 1));
    C->s = calloc(P, sizeof(int64_t));
    bad = all == NULL || C->s == NULL;
    if (!bad) {
        uint64_t k = 0;
        for (uint32_t q = 0; q < P; q++) {
            const int64_t *h = head + (size_t)q * words;
            for (int64_t t = 0; t < h[W_NS]; t++) {
                all[k++] = h[W_HEAD + t];
            }
        }
        bad = sort_side(C->ctx, all, S) != AB_OK;
        for (uint32_t q = 1; !bad && q < P; q++) {
            C->s[q - 1] = S > 0 ? all[(uint64_t)q * S / P] : 0;
        }
    }
    free(all);
    /* What goes where: x then y, each a run of the sorted values. */
    void **send = calloc(P, sizeof(void *));
    size_t *send_len = calloc(P, sizeof(size_t));
    bad = bad || send == NULL || send_len == NULL;
    uint64_t xi = 0, yi = 0;
    for (uint32_t q = 0; !bad && q < P; q++) {
        /* Up to and with the cut s[q]; the last process takes the rest. */
        uint64_t xe = nx, ye = ny;
        if (q + 1 < P && C->s[q] < INT64_MAX) {
            xe = xi + lower_bound(x + xi, nx - xi, C->s[q] + 1);
            ye = yi + lower_bound(y + yi, ny - yi, C->s[q] + 1);
        }
        uint64_t cx = xe - xi, cy = ye - yi;
        int64_t *m = malloc(sizeof(int64_t) * (2 + cx + cy));
        if (m == NULL) {
            bad = 1;
            break;
        }
        m[0] = (int64_t)cx;
        m[1] = (int64_t)cy;
        memcpy(m + 2, x + xi, sizeof(int64_t) * cx);
        memcpy(m + 2 + cx, y + yi, sizeof(int64_t) * cy);
        send[q] = m;
        send_len[q] = sizeof(int64_t) * (2 + cx + cy);
        xi = xe;
        yi = ye;
    }
    if (bad) {
        drop_sends(send, send_len, P);
    }
    void **recv = NULL;
    size_t *recv_len = NULL;
    if (send == NULL || send_len == NULL) {
        /* Nothing to take part with: the exchange below fails everywhere. */
        rc = C->c->alltoall(C->c->payload, NULL, NULL, &recv, &recv_len);
    } else {
        rc = C->c->alltoall(C->c->payload, send, send_len, &recv, &recv_len);
    }
    for (uint32_t q = 0; send != NULL && q < P; q++) {
        free(send[q]);
    }
    free(send);
    free(send_len);
    /* Every process's share arrived, or one failed: agree. */
    uint64_t gx = 0, gy = 0;
    int short_msg = rc != AB_OK;
    for (uint32_t q = 0; !short_msg && q < P; q++) {
        int64_t h[2];
        if (recv_len[q] < sizeof(h)) {
            short_msg = 1;
            break;
        }
        memcpy(h, recv[q], sizeof(h));
        if (recv_len[q] != sizeof(int64_t) * (2 + (size_t)h[0] + (size_t)h[1])) {
            short_msg = 1;
            break;
        }
        gx += (uint64_t)h[0];
        gy += (uint64_t)h[1];
    }
    if (!short_msg) {
        C->x.v = ab__malloc(C->ctx, sizeof(int64_t) * (gx + 1));
        C->y.v = ab__malloc(C->ctx, sizeof(int64_t) * (gy + 1));
        short_msg = C->x.v == NULL || C->y.v == NULL;
    }
    for (uint32_t q = 0; !short_msg && q < P; q++) {
        int64_t h[2];
        memcpy(h, recv[q], sizeof(h));
        const int64_t *m = (const int64_t *)recv[q] + 2;
        memcpy(C->x.v + C->x.n, m, sizeof(int64_t) * (size_t)h[0]);
        memcpy(C->y.v + C->y.n, m + h[0], sizeof(int64_t) * (size_t)h[1]);
        C->x.n += (uint64_t)h[0];
        C->y.n += (uint64_t)h[1];
    }
    ab__gap_exchange_free(recv, recv_len, recv != NULL ? P : 0);
    if (!short_msg) {
        short_msg = sort_side(C->ctx, C->x.v, C->x.n) != AB_OK ||
                    sort_side(C->ctx, C->y.v, C->y.n) != AB_OK;
    }
    if (rc == AB_OK && short_msg) {
        rc = AB_ENOMEM; /* Told to every process by the next exchange. */
    }
    *head_out = head;
    return rc;
}

/* ---- After the cut: counts, ties and order statistics ---- */

enum { V_NX, V_NY, V_HASY, V_MINY, V_MAXY, V_DX, V_T0, V_T1, V_T2, V_WORDS };

/* Sum of t^3 - t over the runs of equal values of x and y pooled, in three
 * 32-bit limbs (t^3 < 2^96). */
static void local_ties(const cut *C, uint64_t limb[3])
{
    ab__u128 sum = ab__gap_pooled_ties(C->x.v, C->x.n, C->y.v, C->y.n);
    for (int k = 0; k < 3; k++) {
        limb[k] = (uint64_t)(sum >> (32 * k)) & 0xffffffffu;
    }
}

/* Every process's counts and nearest y; the distinct x here; the ties. */
static int describe(cut *C, int failed, ab__u128 *ties_out)
{
    uint32_t P = C->P;
    int64_t mine[V_WORDS] = {0};
    C->nxq = calloc(P, sizeof(uint64_t));
    C->nyq = calloc(P, sizeof(uint64_t));
    C->above = calloc(P, sizeof(uint64_t));
    C->prev_max = calloc(P, sizeof(int64_t));
    C->next_min = calloc(P, sizeof(int64_t));
    C->has_prev = calloc(P, 1);
    C->has_next = calloc(P, 1);
    int bad = failed || C->nxq == NULL || C->nyq == NULL || C->above == NULL ||
              C->prev_max == NULL || C->next_min == NULL || C->has_prev == NULL ||
              C->has_next == NULL;
    if (!bad) {
        C->ux = ab__malloc(C->ctx, sizeof(int64_t) * (C->x.n + 1));
        C->wx = ab__malloc(C->ctx, sizeof(uint64_t) * (C->x.n + 1));
        bad = C->ux == NULL || C->wx == NULL;
    }
    if (!bad) {
        for (uint64_t i = 0; i < C->x.n; i++) {
            if (C->dx > 0 && C->ux[C->dx - 1] == C->x.v[i]) {
                C->wx[C->dx - 1]++;
            } else {
                C->ux[C->dx] = C->x.v[i];
                C->wx[C->dx++] = 1;
            }
        }
        uint64_t limb[3];
        local_ties(C, limb);
        mine[V_NX] = (int64_t)C->x.n;
        mine[V_NY] = (int64_t)C->y.n;
        mine[V_HASY] = C->y.n > 0;
        mine[V_MINY] = C->y.n > 0 ? C->y.v[0] : 0;
        mine[V_MAXY] = C->y.n > 0 ? C->y.v[C->y.n - 1] : 0;
        mine[V_DX] = (int64_t)C->dx;
        for (int k = 0; k < 3; k++) {
            mine[V_T0 + k] = (int64_t)limb[k];
        }
    }
    int64_t *all = NULL;
    int rc = gather_words(C, mine, V_WORDS, bad, &all);
    if (rc != AB_OK) {
        return rc;
    }
    uint64_t limb[3] = {0, 0, 0}, dmax = 0;
    for (uint32_t q = 0; q < P; q++) {
        const int64_t *h = all + (size_t)q * V_WORDS;
        C->nxq[q] = (uint64_t)h[V_NX];
        C->nyq[q] = (uint64_t)h[V_NY];
        dmax = (uint64_t)h[V_DX] > dmax ? (uint64_t)h[V_DX] : dmax;
        for (int k = 0; k < 3; k++) {
            limb[k] += (uint64_t)h[V_T0 + k];
        }
    }
    for (uint32_t q = P; q-- > 0;) {
        const int64_t *h = all + (size_t)(q + 1) * V_WORDS;
        if (q + 1 < P) {
            C->above[q] = C->above[q + 1] + C->nyq[q + 1];
            C->has_next[q] = C->has_next[q + 1] || h[V_HASY];
            C->next_min[q] = h[V_HASY] ? h[V_MINY] : C->next_min[q + 1];
        }
    }
    for (uint32_t q = 1; q < P; q++) {
        const int64_t *h = all + (size_t)(q - 1) * V_WORDS;
        C->has_prev[q] = C->has_prev[q - 1] || h[V_HASY];
        C->prev_max[q] = h[V_HASY] ? h[V_MAXY] : C->prev_max[q - 1];
    }
    free(all);
    *ties_out = (ab__u128)limb[0] + ((ab__u128)limb[1] << 32) + ((ab__u128)limb[2] << 64);
    /* Rounds of a pass: the queries of a round stay within QUERY_BYTES. */
    uint64_t per = QUERY_BYTES / (3 * 16 * (uint64_t)P);
    C->chunk = per > 1024 ? per : 1024;
    C->rounds = (dmax + C->chunk - 1) / C->chunk;
    return AB_OK;
}

/* The values at ranks at[0..n) (0-based) of x (side 0) or y (side 1),
 * from whichever process holds them. */
static int order_stats(const cut *C, const uint64_t *at, const int *sides, size_t n, int64_t *out)
{
    int64_t mine[8] = {0}, have[8] = {0};
    int64_t words[16];
    uint64_t before[2] = {0, 0};
    for (uint32_t q = 0; q < C->me; q++) {
        before[0] += C->nxq[q];
        before[1] += C->nyq[q];
    }
    for (size_t i = 0; i < n; i++) {
        const side *s = sides[i] == 0 ? &C->x : &C->y;
        if (at[i] >= before[sides[i]] && at[i] < before[sides[i]] + s->n) {
            mine[i] = s->v[at[i] - before[sides[i]]];
            have[i] = 1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        words[2 * i] = have[i];
        words[2 * i + 1] = mine[i];
    }
    int64_t *all = NULL;
    int rc = gather_words(C, words, 2 * n, 0, &all);
    if (rc != AB_OK) {
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = 0;
        for (uint32_t q = 0; q < C->P; q++) {
            if (all[(size_t)q * 2 * n + 2 * i]) {
                out[i] = all[(size_t)q * 2 * n + 2 * i + 1];
            }
        }
    }
    free(all);
    return AB_OK;
}

/* ---- The selections ---- */

/* A candidate difference and how many pairs give it. */
typedef struct cand {
    int64_t d;
    uint64_t w;
} cand;

static int cmp_cand(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    return a->d < b->d ? -1 : a->d > b->d;
}

/* The processes whose ranges meet the window of x: y in [x - hi, x - lo],
 * for a listing (lo, hi its bounds), or y >= x - p for a count. */
static void targets(const cut *C, const sel *s, int64_t x, uint32_t *q0, uint32_t *q1)
{
    if (s->state == 3) {
        *q0 = owner(C, x - s->hi);
        *q1 = owner(C, x - s->lo_next);
    } else {
        *q0 = *q1 = owner(C, x - s->p);
    }
}

/* What a process found for one selection of a pass. */
typedef struct found {
    uint64_t cnt;
    int64_t fl, ce;
    cand *c; /* A listing's candidates. */
    size_t n, cap;
} found;

static int add_cand(found *f, int64_t d, uint64_t w)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 256;
        cand *c = realloc(f->c, sizeof(cand) * cap);
        if (c == NULL) {
            return AB_ENOMEM;
        }
        f->c = c;
        f->cap = cap;
    }
    f->c[f->n++] = (cand){d, w};
    return AB_OK;
}

/* The first index j >= from of v[0..n) (ascending) with v[j] >= t, given
 * v[from - 1] < t: galloping, so that ascending queries cost the log of
 * their gaps. */
static uint64_t gallop(const int64_t *v, uint64_t n, uint64_t from, int64_t t)
{
    uint64_t step = 1, lo = from, hi = from;
    while (hi < n && v[hi] < t) {
        lo = hi + 1;
        hi = n - hi > step ? hi + step : n;
        step *= 2;
    }
    return lo + lower_bound(v + lo, hi - lo, t);
}

/* The queries of one selection that reached this process, from one process
 * (its x ascending, so that the searches in y only move forward). */
static int answer(const cut *C, const sel *s, const int64_t *m, int64_t c, found *f)
{
    const int64_t *y = C->y.v;
    uint64_t ny = C->y.n, above = C->above[C->me], at = 0;
    for (int64_t t = 0; t < c; t++) {
        int64_t x = m[2 * t];
        uint64_t w = (uint64_t)m[2 * t + 1];
        if (s->state == 3) {
            /* Every difference in [lo_next, hi]: y in [x - hi, x - lo_next]. */
            uint64_t j = at = gallop(y, ny, at, x - s->hi);
            for (; j < ny && y[j] <= x - s->lo_next; j++) {
                if (add_cand(f, x - y[j], w) != AB_OK) {
                    return AB_ENOMEM;
                }
            }
            continue;
        }
        uint64_t j = at = gallop(y, ny, at, x - s->p);
        f->cnt += w * (ny - j + above);
        if (j < ny || C->has_next[C->me]) {
            int64_t d = x - (j < ny ? y[j] : C->next_min[C->me]);
            f->fl = d > f->fl ? d : f->fl;
        }
        if (j > 0 || C->has_prev[C->me]) {
            int64_t d = x - (j > 0 ? y[j - 1] : C->prev_max[C->me]);
            f->ce = d < f->ce ? d : f->ce;
        }
    }
    return AB_OK;
}

/*
 * One pass over the selections in state 0 (a count at the pivot p), 1 (the
 * same at hi, for the difference after it) and 3 (the listing of every
 * difference in [lo_next, hi]): each distinct x, with its multiplicity,
 * goes to the processes whose range its window meets, in rounds of
 * C->chunk of them; out[i] gets, summed over the processes, the count of
 * differences <= p, the largest <= p and the smallest above it, or the
 * listed differences (every process gets them all: few, by construction).
 */
static int pass(const cut *C, const sel *sv, int ns, found *out)
{
    uint32_t P = C->P;
    int act[3], na = 0;
    for (int i = 0; i < ns; i++) {
        if (sv[i].state != 2) {
            act[na++] = i;
        }
    }
    found f[3];
    memset(f, 0, sizeof(f));
    for (int a = 0; a < na; a++) {
        f[a].fl = INT64_MIN;
        f[a].ce = INT64_MAX;
    }
    size_t *len = calloc(P, sizeof(size_t));
    void **send = calloc(P, sizeof(void *));
    int bad = len == NULL || send == NULL;
    for (uint64_t r = 0; r < C->rounds; r++) {
        uint64_t b = r * C->chunk, e = b + C->chunk;
        b = b < C->dx ? b : C->dx;
        e = e < C->dx ? e : C->dx;
        /* Per destination: for each active selection, a count and then
         * (x, multiplicity) pairs. */
        for (uint32_t q = 0; !bad && q < P; q++) {
            len[q] = sizeof(int64_t) * (size_t)na;
        }
        for (int a = 0; !bad && a < na; a++) {
            for (uint64_t i = b; i < e; i++) {
                uint32_t q0, q1;
                targets(C, &sv[act[a]], C->ux[i], &q0, &q1);
                for (uint32_t q = q0; q <= q1; q++) {
                    len[q] += 2 * sizeof(int64_t);
                }
            }
        }
        for (uint32_t q = 0; !bad && q < P; q++) {
            send[q] = malloc(len[q]);
            bad = send[q] == NULL;
        }
        size_t *at = bad ? NULL : calloc(P, sizeof(size_t));
        bad = bad || at == NULL;
        for (int a = 0; !bad && a < na; a++) {
            size_t head[64], *hp = P <= 64 ? head : malloc(sizeof(size_t) * P);
            if (hp == NULL) {
                bad = 1;
                break;
            }
            for (uint32_t q = 0; q < P; q++) {
                hp[q] = at[q]++;
                ((int64_t *)send[q])[hp[q]] = 0;
            }
            for (uint64_t i = b; i < e; i++) {
                uint32_t q0, q1;
                targets(C, &sv[act[a]], C->ux[i], &q0, &q1);
                for (uint32_t q = q0; q <= q1; q++) {
                    int64_t *m = send[q];
                    m[hp[q]]++;
                    m[at[q]++] = C->ux[i];
                    m[at[q]++] = (int64_t)C->wx[i];
                }
            }
            if (hp != head) {
                free(hp);
            }
        }
        free(at);
        if (bad) {
            drop_sends(send, len, P);
        }
        void **recv = NULL;
        size_t *rlen = NULL;
        int rc = C->c->alltoall(C->c->payload, send, len, &recv, &rlen);
        for (uint32_t q = 0; send != NULL && q < P; q++) {
            free(send[q]);
            send[q] = NULL;
        }
        if (rc != AB_OK) {
            for (int a = 0; a < na; a++) {
                free(f[a].c);
            }
            free(len);
            free(send);
            return rc;
        }
        /* The queries that came here, answered from this process's y. */
        for (uint32_t q = 0; !bad && q < P; q++) {
            const int64_t *m = recv[q];
            size_t words = rlen[q] / sizeof(int64_t), off = 0;
            for (int a = 0; a < na && !bad; a++) {
                int64_t c = off < words ? m[off++] : -1;
                if (c < 0 || (size_t)c > (words - off) / 2) {
                    bad = 1;
                    break;
                }
                bad = answer(C, &sv[act[a]], m + off, c, &f[a]) != AB_OK;
                off += 2 * (size_t)c;
            }
        }
        ab__gap_exchange_free(recv, rlen, P);
    }
    free(len);
    free(send);
    /* To every process: the counts and extremes, then the listings. */
    size_t words = 1 + 4 * (size_t)na;
    for (int a = 0; a < na; a++) {
        words += 2 * f[a].n;
    }
    int64_t *mine = malloc(sizeof(int64_t) * words);
    bad = bad || mine == NULL;
    if (mine != NULL) {
        size_t o = 1;
        mine[0] = bad;
        for (int a = 0; a < na; a++) {
            mine[o++] = (int64_t)f[a].cnt;
            mine[o++] = f[a].fl;
            mine[o++] = f[a].ce;
            mine[o++] = (int64_t)f[a].n;
        }
        for (int a = 0; a < na; a++) {
            for (size_t i = 0; i < f[a].n; i++) {
                mine[o++] = f[a].c[i].d;
                mine[o++] = (int64_t)f[a].c[i].w;
            }
        }
    }
    for (int a = 0; a < na; a++) {
        free(f[a].c);
    }
    int64_t flag = 1;
    void **all = NULL;
    size_t *lens = NULL;
    uint32_t count = 0;
    int rc =
        C->c->exchange(C->c->payload, mine != NULL ? (const void *)mine : (const void *)&flag,
                       mine != NULL ? sizeof(int64_t) * words : sizeof(flag), &all, &lens, &count);
    free(mine);
    for (int a = 0; a < na; a++) {
        found *o = &out[act[a]];
        memset(o, 0, sizeof(*o));
        o->fl = INT64_MIN;
        o->ce = INT64_MAX;
    }
    for (uint32_t q = 0; rc == AB_OK && q < count; q++) {
        const int64_t *h = all[q];
        size_t hw = lens[q] / sizeof(int64_t), o = 1 + 4 * (size_t)na;
        if (hw < o || h[0] != 0) {
            rc = AB_ENOMEM; /* That process ran out of memory. */
            break;
        }
        for (int a = 0; a < na && rc == AB_OK; a++) {
            found *d = &out[act[a]];
            const int64_t *v = h + 1 + 4 * (size_t)a;
            d->cnt += (uint64_t)v[0];
            d->fl = v[1] > d->fl ? v[1] : d->fl;
            d->ce = v[2] < d->ce ? v[2] : d->ce;
            size_t n = (size_t)v[3];
            if (v[3] < 0 || n > (hw - o) / 2) {
                rc = AB_EINVAL;
                break;
            }
            for (size_t i = 0; i < n && rc == AB_OK; i++, o += 2) {
                rc = add_cand(d, h[o], (uint64_t)h[o + 1]);
            }
        }
    }
    ab__gap_exchange_free(all, lens, count);
    if (rc != AB_OK) {
        for (int a = 0; a < na; a++) {
            free(out[act[a]].c);
            out[act[a]].c = NULL;
        }
    }
    return rc;
}

/* Candidates of a selection at most this many pairs: listed, not counted. */
#define LIST_PAIRS 65536

static void sel_start(sel *s, uint64_t k, uint64_t total, int64_t dmin, int64_t dmax)
{
    memset(s, 0, sizeof(*s));
    s->k = k;
    s->lo = dmin - 1;
    s->lo_next = dmin;
    s->hi = dmax;
    s->clo = 0;
    s->chi = total;
    s->interpolate = 1;
    s->first = 1;
    s->after = INT64_MAX;
    s->state = s->lo_next == s->hi ? 2 : 0;
}

/* The next pivot, in [lo_next, hi - 1]. */
static void sel_pivot(sel *s, int64_t guess)
{
    int64_t a = s->lo_next, b = s->hi - 1;
    uint64_t span = (uint64_t)b - (uint64_t)a;
    int64_t p;
    if (s->first && guess >= a && guess <= b) {
        p = guess;
    } else if (s->interpolate) {
        long double f = ((long double)(s->k - s->clo) - 0.5L) / (long double)(s->chi - s->clo);
        p = a + (int64_t)(f * (long double)span);
    } else {
        p = a + (int64_t)(span / 2);
    }
    s->p = p < a ? a : p > b ? b : p;
    s->first = 0;
    s->active_before = s->chi - s->clo;
}

/* The k-th among the listed differences in [lo_next, hi] (clo below them). */
static int sel_listed(sel *s, found *f)
{
    uint64_t total = 0;
    for (size_t i = 0; i < f->n; i++) {
        total += f->c[i].w;
    }
    if (total != s->chi - s->clo) {
        return AB_EINVAL; /* The listing and the counts disagree. */
    }
    if (f->n > 1) {
        qsort(f->c, f->n, sizeof(cand), cmp_cand);
    }
    uint64_t acc = s->clo;
    size_t i = 0;
    while (i < f->n && acc + f->c[i].w < s->k) {
        acc += f->c[i++].w;
    }
    s->hi = f->c[i].d;
    /* C(hi): every listed difference up to it. */
    while (i < f->n && f->c[i].d == s->hi) {
        acc += f->c[i++].w;
    }
    s->chi = acc;
    s->after = i < f->n ? f->c[i].d : INT64_MAX;
    s->state = 2;
    return AB_OK;
}

static void sel_update(sel *s, const found *f, int was_interpolation)
{
    if (s->state == 1) {
        s->next = f->ce;
        s->state = 2;
        return;
    }
    if (f->cnt >= s->k) {
        s->hi = f->fl;
        s->chi = f->cnt;
    } else {
        s->lo = s->p;
        s->clo = f->cnt;
        s->lo_next = f->ce;
    }
    if (s->lo_next >= s->hi) {
        s->state = 2;
        return;
    }
    /* As in the selection of one process: after a halving, interpolate
     * again; after an interpolation that did not halve, halve. */
    if (!was_interpolation) {
        s->interpolate = 1;
    } else if ((s->chi - s->clo) * 2 > s->active_before) {
        s->interpolate = 0;
    }
}

/* Runs the selections to their end. */
static int select_all(const cut *C, sel *sv, int ns, int64_t guess, unsigned *passes)
{
    for (;;) {
        int any = 0, interp[3] = {0, 0, 0};
        for (int i = 0; i < ns; i++) {
            if (sv[i].state == 0 && sv[i].chi - sv[i].clo <= LIST_PAIRS) {
                sv[i].state = 3;
            }
            if (sv[i].state == 0) {
                interp[i] = sv[i].interpolate &&
                            !(sv[i].first && guess >= sv[i].lo_next && guess <= sv[i].hi - 1);
                sel_pivot(&sv[i], guess);
            } else if (sv[i].state == 1) {
                sv[i].p = sv[i].hi;
            }
            any |= sv[i].state != 2;
        }
        if (!any) {
            return AB_OK;
        }
        found f[3];
        memset(f, 0, sizeof(f));
        int rc = pass(C, sv, ns, f);
        (*passes)++;
        for (int i = 0; i < ns; i++) {
            if (rc == AB_OK && sv[i].state == 3) {
                rc = sel_listed(&sv[i], &f[i]);
            } else if (rc == AB_OK && sv[i].state != 2) {
                sel_update(&sv[i], &f[i], interp[i]);
            }
            free(f[i].c);
        }
        if (rc != AB_OK) {
            return rc;
        }
    }
}

/* ---- The whole ---- */

static void cut_free(cut *C)
{
    ab__free(C->ctx, C->x.v);
    ab__free(C->ctx, C->y.v);
    ab__free(C->ctx, C->ux);
    ab__free(C->ctx, C->wx);
    free(C->s);
    free(C->nxq);
    free(C->nyq);
    free(C->above);
    free(C->prev_max);
    free(C->next_min);
    free(C->has_prev);
    free(C->has_next);
}

static double median_of(int64_t a, int64_t b, uint64_t n)
{
    if (n == 0) {
        return 0;
    }
    /* As ab__gap_median_sorted: the halves first. */
    return n % 2 == 1 ? (double)b : (double)a / 2 + (double)b / 2;
}

int ab__gap_dist_measure(const ab__gap_parts *c, ab_ctx *ctx, int64_t *x, size_t nx, int64_t *y,
                         size_t ny, uint64_t min_n, uint64_t min_m, ab__gap_dist *out)
{
    memset(out, 0, sizeof(*out));
    cut C;
    memset(&C, 0, sizeof(C));
    C.c = c;
    C.ctx = ctx;
    C.P = c->processes > 0 ? c->processes : 1;
    C.me = c->process;
    int64_t *head = NULL;
    int rc = make_cut(&C, x, nx, y, ny, &head);
    if (head == NULL) {
        cut_free(&C);
        return rc;
    }
    size_t words = W_HEAD + C.P;
    uint64_t N = 0, M = 0;
    int64_t minx = INT64_MAX, maxx = INT64_MIN, miny = INT64_MAX, maxy = INT64_MIN;
    for (uint32_t q = 0; q < C.P; q++) {
        const int64_t *h = head + (size_t)q * words;
        N += (uint64_t)h[W_NX];
        M += (uint64_t)h[W_NY];
        if (h[W_NX] > 0) {
            minx = h[W_MINX] < minx ? h[W_MINX] : minx;
            maxx = h[W_MAXX] > maxx ? h[W_MAXX] : maxx;
        }
        if (h[W_NY] > 0) {
            miny = h[W_MINY] < miny ? h[W_MINY] : miny;
            maxy = h[W_MAXY] > maxy ? h[W_MAXY] : maxy;
        }
    }
    free(head);
    out->n = N;
    out->m = M;
    ab__u128 ties = 0;
    rc = describe(&C, rc != AB_OK, &ties);
    if (rc != AB_OK || N < min_n || M < min_m) {
        cut_free(&C);
        return rc;
    }
    out->measured = 1;
    /* The medians: the middle one, or the middle two, of each side. */
    uint64_t at[4] = {N > 0 ? (N - 1) / 2 : 0, N > 0 ? N / 2 : 0, M > 0 ? (M - 1) / 2 : 0,
                      M > 0 ? M / 2 : 0};
    int sides[4] = {0, 0, 1, 1};
    int64_t v[4];
    if ((rc = order_stats(&C, at, sides, 4, v)) != AB_OK) {
        cut_free(&C);
        return rc;
    }
    out->median_x = median_of(v[0], v[1], N);
    out->median_y = median_of(v[2], v[3], M);
    if (N == 0 || M == 0) {
        cut_free(&C);
        return AB_OK;
    }
    /* The rank of the interval; the exact null distribution only for
     * small samples without ties. */
    uint64_t total = N * M;
    double *dp = NULL;
    if (N < AB__GAP_EXACT_MAX && M < AB__GAP_EXACT_MAX && ties == 0) {
        dp = ab__malloc(ctx, sizeof(double) * AB__GAP_DP_DOUBLES);
    }
    int exact = 0;
    uint64_t k = ab__gap_lm_rank_of(N, M, ties, dp, &exact);
    ab__free(ctx, dp);
    sel sv[3];
    int ns = 1;
    int64_t dmin = minx - maxy, dmax = maxx - miny;
    sel_start(&sv[0], total % 2 == 1 ? (total + 1) / 2 : total / 2, total, dmin, dmax);
    if (k > 0) {
        sel_start(&sv[1], k, total, dmin, dmax);
        sel_start(&sv[2], total + 1 - k, total, dmin, dmax);
        ns = 3;
    }
    unsigned passes = 0;
    int64_t guess = v[0] - v[2]; /* As one process's first pivot. */
    rc = select_all(&C, sv, ns, guess, &passes);
    if (rc == AB_OK && total % 2 == 0) {
        /* The (k+1)-th: the k-th itself when as many differences equal it. */
        if (sv[0].chi >= sv[0].k + 1) {
            sv[0].next = sv[0].hi;
        } else if (sv[0].after != INT64_MAX) {
            sv[0].next = sv[0].after;
        } else {
            sv[0].state = 1;
            rc = select_all(&C, sv, 1, guess, &passes);
        }
    }
    cut_free(&C);
    if (rc != AB_OK) {
        return rc;
    }
    ab__gap_shift *sh = &out->shift;
    sh->shift = total % 2 == 1 ? (double)sv[0].hi : (double)sv[0].hi / 2 + (double)sv[0].next / 2;
    sh->rank = k;
    sh->exact = exact;
    if (k > 0) {
        sh->lo = (double)sv[1].hi;
        sh->hi = (double)sv[2].hi;
    }
    sh->passes = passes;
    return AB_OK;
}
