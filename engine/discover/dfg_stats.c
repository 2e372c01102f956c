/*
 * discover/dfg_stats.c: series of durations and their figures (min, median,
 * mean, p90, max). Percentiles interpolate linearly between order
 * statistics, as numpy and pandas do by default, found by selection in
 * linear time rather than by sorting. The sketch mode bounds the memory of
 * a series for one-pass summaries of very large logs.
 */
#include "discover/discover_int.h"

#include <math.h>
#include <stdlib.h>

/*
 * Sketch buckets. Values below 128 us have a bucket each. Above, a value
 * with its highest bit at position e (e >= 6) falls into one of 64 buckets
 * of the octave [2^e, 2^(e+1)): the 6 bits after the leading one. A bucket
 * is 1/64 of its octave's lower bound wide and is represented by its
 * midpoint, so the relative error is at most 1/128 (0.8%). e <= 62 for an
 * int64, hence at most (62 - 5) * 64 + 64 buckets.
 */
#define SK_SUB 64u
#define SK_BUCKETS ((62u - 5u) * SK_SUB + SK_SUB)

static uint32_t sk_index(uint64_t v)
{
    if (v < 2 * SK_SUB) {
        return (uint32_t)v;
    }
    unsigned e = 63u - (unsigned)__builtin_clzll(v);
    uint32_t m = (uint32_t)(v >> (e - 6)) & (SK_SUB - 1);
    return (e - 5) * SK_SUB + m;
}

static double sk_value(uint32_t idx)
{
    if (idx < 2 * SK_SUB) {
        return (double)idx;
    }
    unsigned e = idx / SK_SUB + 5;
    uint32_t m = idx % SK_SUB;
    double width = ldexp(1.0, (int)e - 6);
    double lower = (double)(SK_SUB + m) * width;
    return lower + (width - 1.0) / 2.0;
}

/*
 * Makes room for bucket idx. The dense range grows by whole octaves (64
 * buckets): memory then steps with the octaves the values touch, at most
 * SK_BUCKETS * 8 bytes per series, and stops growing once the range of the
 * data is covered, however many values follow.
 */
static int sk_reserve(ab_ctx *ctx, ab__dstat *s, uint32_t idx)
{
    if (s->bk != NULL && idx >= s->bk_lo && idx < s->bk_lo + s->bk_n) {
        return AB_OK;
    }
    uint32_t lo = idx / SK_SUB * SK_SUB, hi = (idx / SK_SUB + 1) * SK_SUB;
    if (s->bk != NULL) {
        lo = s->bk_lo < lo ? s->bk_lo : lo;
        hi = s->bk_lo + s->bk_n > hi ? s->bk_lo + s->bk_n : hi;
    }
    uint64_t *nb = ab__calloc(ctx, hi - lo, sizeof(uint64_t));
    if (nb == NULL) {
        return AB_ENOMEM;
    }
    if (s->bk != NULL) {
        memcpy(nb + (s->bk_lo - lo), s->bk, (size_t)s->bk_n * sizeof(uint64_t));
        ab__free(ctx, s->bk);
    }
    s->bk = nb;
    s->bk_lo = lo;
    s->bk_n = hi - lo;
    return AB_OK;
}

/* Moves the kept values into buckets. All or nothing on AB_ENOMEM. */
static int sk_convert(ab_ctx *ctx, ab__dstat *s)
{
    /*
     * Reserve the range of every kept value first, so a failure changes
     * nothing. Zeros (ties, overlaps) are counted apart: a dense range from 0
     * to the first real duration would hold hundreds of empty buckets.
     */
    int64_t lo = INT64_MAX, hi = s->max;
    for (uint64_t i = 0; i < s->n; i++) {
        lo = s->vals[i] > 0 && s->vals[i] < lo ? s->vals[i] : lo;
    }
    int rc = AB_OK;
    if (lo != INT64_MAX) {
        rc = sk_reserve(ctx, s, sk_index((uint64_t)lo));
        if (rc == AB_OK) {
            rc = sk_reserve(ctx, s, sk_index((uint64_t)hi));
        }
    }
    if (rc != AB_OK) {
        return rc;
    }
    for (uint64_t i = 0; i < s->n; i++) {
        if (s->vals[i] == 0) {
            s->zeros++;
        } else {
            s->bk[sk_index((uint64_t)s->vals[i]) - s->bk_lo]++;
        }
    }
    ab__free(ctx, s->vals);
    s->vals = NULL;
    s->vals_cap = 0;
    return AB_OK;
}

int ab__dstat_add(ab_ctx *ctx, ab__dstat *s, ab_dfg_quantiles mode, int64_t v)
{
    int rc;
    if (v < 0) {
        v = 0;
    }
    if (mode == AB_DFG_SKETCH && s->n >= AB__DSTAT_EXACT) {
        if (s->vals != NULL) {
            /* The 33rd value: the kept ones move into buckets (all or nothing). */
            rc = sk_convert(ctx, s);
            if (rc != AB_OK) {
                return rc;
            }
        }
        if (v == 0) {
            s->zeros++;
        } else {
            rc = sk_reserve(ctx, s, sk_index((uint64_t)v));
            if (rc != AB_OK) {
                return rc;
            }
            s->bk[sk_index((uint64_t)v) - s->bk_lo]++;
        }
    } else {
        /* From 2: most edges of a large graph hold one or two durations. */
        rc = AB_GROW_FROM(ctx, s->vals, s->vals_cap, (size_t)s->n + 1, 2);
        if (rc != AB_OK) {
            return rc;
        }
        s->vals[s->n] = v;
    }
    if (s->n == 0 || v < s->min) {
        s->min = v;
    }
    if (s->n == 0 || v > s->max) {
        s->max = v;
    }
    uint64_t lo = s->sum_lo + (uint64_t)v;
    s->sum_hi += lo < s->sum_lo;
    s->sum_lo = lo;
    s->n++;
    return AB_OK;
}

void ab__dstat_dispose(ab_ctx *ctx, ab__dstat *s)
{
    ab__free(ctx, s->vals);
    ab__free(ctx, s->bk);
    memset(s, 0, sizeof(*s));
}

size_t ab__dstat_bytes(const ab__dstat *s)
{
    return s->vals_cap * sizeof(int64_t) + (s->bk != NULL ? (size_t)s->bk_n * sizeof(uint64_t) : 0);
}

static void swap64(int64_t *a, int64_t *b)
{
    int64_t t = *a;
    *a = *b;
    *b = t;
}

static int cmp_i64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

/*
 * Puts the k-th smallest of a[0..n) at a[k], smaller-or-equal values
 * before it and greater-or-equal after. Quickselect with a median-of-three
 * pivot; past 2 log2(n) rounds (an adversarial order) it sorts what is
 * left, so the worst case stays O(n log n).
 */
static void select_kth(int64_t *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    unsigned budget = 2;
    for (size_t m = n; m > 1; m >>= 1) {
        budget += 2;
    }
    while (hi > lo) {
        if (budget-- == 0) {
            qsort(a + lo, hi - lo + 1, sizeof(*a), cmp_i64);
            return;
        }
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo]) {
            swap64(&a[mid], &a[lo]);
        }
        if (a[hi] < a[lo]) {
            swap64(&a[hi], &a[lo]);
        }
        if (a[hi] < a[mid]) {
            swap64(&a[hi], &a[mid]);
        }
        int64_t pivot = a[mid];
        /* Hoare partition: [lo, j] <= pivot <= [j + 1, hi]. */
        size_t i = lo, j = hi;
        for (;;) {
            while (a[i] < pivot) {
                i++;
            }
            while (a[j] > pivot) {
                j--;
            }
            if (i >= j) {
                break;
            }
            swap64(&a[i], &a[j]);
            i++;
            j--;
        }
        if (k <= j) {
            hi = j;
        } else {
            lo = j + 1;
        }
    }
}

/* numpy's lerp: exact at both ends and monotonic in t. */
static double lerp(double a, double b, double t)
{
    double d = b - a;
    return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

double ab__quantile_by(uint64_t n, double p, double max, ab__kth_fn kth, void *payload)
{
    double h = (double)(n - 1) * p;
    uint64_t k = (uint64_t)floor(h);
    if (k >= n - 1) {
        return max;
    }
    double t = h - (double)k;
    double lo = kth(k, payload);
    if (t == 0.0) {
        return lo;
    }
    return lerp(lo, kth(k + 1, payload), t);
}

/* Order statistics of kept values: a selection for the k-th, and for the
 * (k+1)-th, asked right after, the least of what the selection put above. */
typedef struct exact_kth {
    int64_t *a;
    size_t n;
    uint64_t last; /* The k last selected + 1, 0 = none. */
} exact_kth;

static double exact_kth_of(uint64_t k, void *payload)
{
    exact_kth *e = payload;
    if (e->last != 0 && k == e->last) {
        int64_t next = e->a[k];
        for (size_t i = (size_t)k + 1; i < e->n; i++) {
            next = e->a[i] < next ? e->a[i] : next;
        }
        return (double)next;
    }
    select_kth(e->a, e->n, (size_t)k);
    e->last = k + 1;
    return (double)e->a[k];
}

/* The p-quantile of kept values whose largest, max, is known. */
static double quantile_kept(int64_t *a, size_t n, double p, int64_t max)
{
    exact_kth e = {a, n, 0};
    return ab__quantile_by(n, p, (double)max, exact_kth_of, &e);
}

double ab__quantile_exact(int64_t *a, size_t n, double p)
{
    int64_t max = a[0];
    for (size_t i = 1; i < n; i++) {
        max = a[i] > max ? a[i] : max;
    }
    return quantile_kept(a, n, p, max);
}

uint32_t ab__sk_index(uint64_t v)
{
    return sk_index(v);
}

double ab__sk_order_value(const ab__dstat *s, uint32_t idx)
{
    double v = sk_value(idx);
    /* The extremes are known exactly; no estimate lies outside them. */
    if (v < (double)s->min) {
        v = (double)s->min;
    }
    if (v > (double)s->max) {
        v = (double)s->max;
    }
    return v;
}

/* The k-th smallest value (0-based) of a sketch: its bucket's representative. */
static double sk_kth(uint64_t k, void *payload)
{
    const ab__dstat *s = payload;
    if (k < s->zeros) {
        return 0.0;
    }
    uint64_t seen = s->zeros;
    for (uint32_t i = 0; i < s->bk_n; i++) {
        seen += s->bk[i];
        if (seen > k) {
            return ab__sk_order_value(s, s->bk_lo + i);
        }
    }
    return (double)s->max;
}

void ab__dstat_result(ab__dstat *s, ab_dfg_stats *out)
{
    memset(out, 0, sizeof(*out));
    out->count = s->n;
    if (s->n == 0) {
        return;
    }
    double med, p90;
    if (s->vals != NULL) {
        /* The series knows its largest value: no pass over the values for it. */
        med = quantile_kept(s->vals, (size_t)s->n, 0.5, s->max);
        p90 = quantile_kept(s->vals, (size_t)s->n, 0.9, s->max);
    } else {
        med = ab__quantile_by(s->n, 0.5, (double)s->max, sk_kth, s);
        p90 = ab__quantile_by(s->n, 0.9, (double)s->max, sk_kth, s);
    }
    double sum = ldexp((double)s->sum_hi, 64) + (double)s->sum_lo;
    out->min = (double)s->min / 1e6;
    out->max = (double)s->max / 1e6;
    out->mean = sum / (double)s->n / 1e6;
    out->median = med / 1e6;
    out->p90 = p90 / 1e6;
}
