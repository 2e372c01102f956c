/*
 * gap/gap_stats.c: the statistics of the report: Wilson score intervals for
 * rates, medians and percentiles, the Hodges-Lehmann shift between two
 * groups of durations with its Lehmann-Moses interval, and the sort they
 * need. The shift and the interval are order statistics of the n * m
 * pairwise differences, selected without listing them; nothing is random.
 * The generator (xoshiro256** seeded by splitmix64) stays for the tests.
 */
#include "gap/gap_int.h"

#include <math.h>
#include <stdlib.h>

/* The 97.5th percentile of the standard normal distribution. */
#define Z975 1.959963984540054

void ab_gap_wilson(uint64_t count, uint64_t of, double *lo_out, double *hi_out)
{
    if (of == 0 || count > of) {
        *lo_out = 0;
        *hi_out = 0;
        return;
    }
    double n = (double)of, p = (double)count / n, z2 = Z975 * Z975;
    double denom = 1 + z2 / n;
    double center = (p + z2 / (2 * n)) / denom;
    double half = Z975 * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom;
    /* The bounds are exact at the ends; rounding must not move them off. */
    *lo_out = count == 0 ? 0 : fmax(0, center - half);
    *hi_out = count == of ? 1 : fmin(1, center + half);
}

ab_gap_rate ab__gap_rate(uint64_t count, uint64_t of)
{
    ab_gap_rate r;
    r.count = count;
    r.of = of;
    r.rate = of > 0 ? (double)count / (double)of : 0;
    ab_gap_wilson(count, of, &r.lo, &r.hi);
    return r;
}

/* ---- Generator ---- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void ab__gap_rng_seed(ab__gap_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        r->s[i] = splitmix64(&x);
    }
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t ab__gap_rng_next(ab__gap_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

uint32_t ab__gap_rng_below(ab__gap_rng *r, uint32_t n)
{
    /* The top 32 bits scaled by n: bias below 2^-32 per draw, and no
     * rejection loop, so the number of draws is fixed. */
    return (uint32_t)(((ab__gap_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* ---- Order statistics ---- */

double ab__gap_median_sorted(const int64_t *v, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if (n % 2 == 1) {
        return (double)v[n / 2];
    }
    /* Halves first: the sum of two large times could overflow. */
    return (double)v[n / 2 - 1] / 2 + (double)v[n / 2] / 2;
}

size_t ab__gap_quantile_at(size_t n, double q, size_t *i, double *frac)
{
    double pos = q * (double)(n - 1);
    *i = (size_t)pos;
    *frac = pos - (double)*i;
    return *i + 1 >= n ? 1 : 2;
}

double ab__gap_quantile_of(const double *at, size_t k, double frac)
{
    return k == 1 ? at[0] : at[0] + (at[1] - at[0]) * frac;
}

/* ---- Selection among the pairwise differences ---- */

/*
 * The n * m differences x_i - y_j form a matrix whose row i holds x_i minus
 * y taken from the largest down: every row and every column ascends. Row i
 * keeps its candidates in the columns [lo_i, hi_i): the columns left of
 * them hold values at most vlo, the ones right of them at least vhi, and
 * the wanted value lies strictly between. Each step takes a pivot, counts
 * in one pass over x and y the values below and at most the pivot in every
 * row (both counts fall as the row grows, so two pointers suffice), and
 * drops the side of the pivot the wanted value is not on. The pivot is
 * interpolated between vlo and vhi from the counts; when that step did not
 * halve the candidates, the next pivot is the weighted median of the rows'
 * middle candidates, which drops at least a quarter of them (Johnson and
 * Mizoguchi 1978). So at most O(log(n m)) passes of O(n + m) each; once the
 * candidates fit the buffer (n + m of them), they are listed and selected.
 */

static inline int64_t cell(const int64_t *x, const int64_t *y, size_t m, size_t i, size_t c)
{
    return x[i] - y[m - 1 - c];
}

/* The r-th smallest (0-based) of a[0..n) moved to a[r], smaller ones before
 * it and larger ones after. Three-way partitions around the median of three,
 * so that ties cost nothing. */
static void qselect(int64_t *a, size_t n, size_t r)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        /* The median of the first, middle and last values. */
        int64_t p0 = a[lo], p1 = a[lo + (hi - lo) / 2], p2 = a[hi - 1];
        int64_t small = p0 < p1 ? p0 : p1, large = p0 < p1 ? p1 : p0;
        int64_t pivot = p2 < small ? small : p2 > large ? large : p2;
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            if (a[i] < pivot) {
                int64_t t = a[lt];
                a[lt++] = a[i];
                a[i++] = t;
            } else if (a[i] > pivot) {
                int64_t t = a[--gt];
                a[gt] = a[i];
                a[i] = t;
            } else {
                i++;
            }
        }
        if (r < lt) {
            hi = lt;
        } else if (r < gt) {
            return;
        } else {
            lo = gt;
        }
    }
}

/* The smallest value w with at least rank of the weights of p[0..n) on
 * values <= w. Weighted quickselect, deterministic pivot. */
static int64_t wselect(ab__gap_pair *p, size_t n, uint64_t rank)
{
    size_t lo = 0, hi = n;
    uint64_t acc = 0;
    while (lo < hi) {
        int64_t pivot = p[lo + (hi - lo) / 2].d;
        size_t lt = lo, i = lo, gt = hi;
        uint64_t wl = 0, we = 0;
        while (i < gt) {
            if (p[i].d < pivot) {
                wl += p[i].w;
                ab__gap_pair t = p[lt];
                p[lt++] = p[i];
                p[i++] = t;
            } else if (p[i].d > pivot) {
                ab__gap_pair t = p[--gt];
                p[gt] = p[i];
                p[i] = t;
            } else {
                we += p[i].w;
                i++;
            }
        }
        if (acc + wl >= rank) {
            hi = lt;
        } else if (acc + wl + we >= rank) {
            return pivot;
        } else {
            acc += wl + we;
            lo = gt;
        }
    }
    return p[n - 1].d; /* Not reached when the weights add up to rank. */
}

int ab__gap_sel_init(ab__gap_sel *w, ab_ctx *ctx, size_t n_max, size_t m_max)
{
    memset(w, 0, sizeof(*w));
    size_t n = n_max + 1;
    w->rows = ab__malloc(ctx, sizeof(uint32_t) * 4 * n);
    w->meds = ab__malloc(ctx, sizeof(ab__gap_pair) * n);
    w->cap = n_max + m_max + 64;
    w->buf = ab__malloc(ctx, sizeof(int64_t) * w->cap);
    w->dp = ab__malloc(ctx, sizeof(double) * AB__GAP_DP_DOUBLES);
    w->n_max = n_max;
    w->m_max = m_max;
    if (w->rows == NULL || w->meds == NULL || w->buf == NULL || w->dp == NULL) {
        ab__gap_sel_finish(w, ctx);
        return AB_ENOMEM;
    }
    return AB_OK;
}

void ab__gap_sel_finish(ab__gap_sel *w, ab_ctx *ctx)
{
    ab__free(ctx, w->rows);
    ab__free(ctx, w->meds);
    ab__free(ctx, w->buf);
    ab__free(ctx, w->dp);
    memset(w, 0, sizeof(*w));
}

int64_t ab__gap_pair_select(const int64_t *x, size_t n, const int64_t *y, size_t m, uint64_t k,
                            int64_t guess, ab__gap_sel *w, int64_t *next_out)
{
    uint64_t total = (uint64_t)n * m;
    uint32_t *lo = w->rows, *hi = lo + n, *tle = hi + n, *tlt = tle + n;
    for (size_t i = 0; i < n; i++) {
        lo[i] = 0;
        hi[i] = (uint32_t)m;
    }
    int64_t vlo = x[0] - y[m - 1] - 1, vhi = x[n - 1] - y[0] + 1;
    uint64_t clo = 0, chi = total;
    int first = 1, interpolate = 1;
    /* With few rows against many columns, a pass binary-searches each row
     * (n log m) instead of walking all of y (n + m), and the candidates are
     * listed once they are few against the rows. */
    int log_m = 1;
    while (log_m < 64 && ((uint64_t)1 << log_m) < m) {
        log_m++;
    }
    int search = (uint64_t)n * (uint64_t)log_m < m;
    uint64_t list_at = w->cap;
    if (search && list_at > 8 * (uint64_t)n + 1024) {
        list_at = 8 * (uint64_t)n + 1024;
    }
    w->passes = 0;
    for (;;) {
        uint64_t active = chi - clo;
        if (active <= list_at) {
            /* List the candidates and select among them. */
            size_t c = 0;
            for (size_t i = 0; i < n; i++) {
                for (uint32_t j = lo[i]; j < hi[i]; j++) {
                    w->buf[c++] = cell(x, y, m, i, j);
                }
            }
            size_t r = (size_t)(k - clo - 1);
            qselect(w->buf, c, r);
            int64_t v = w->buf[r];
            if (next_out != NULL) {
                int64_t next = INT64_MAX;
                for (size_t i = r + 1; i < c; i++) {
                    next = w->buf[i] < next ? w->buf[i] : next;
                }
                if (r + 1 == c) {
                    for (size_t i = 0; i < n; i++) {
                        if (hi[i] < m && cell(x, y, m, i, hi[i]) < next) {
                            next = cell(x, y, m, i, hi[i]);
                        }
                    }
                }
                *next_out = next == INT64_MAX ? v : next;
            }
            return v;
        }
        int64_t p;
        if (first && guess > vlo && guess < vhi) {
            p = guess;
        } else if (interpolate) {
            long double f = ((long double)(k - clo) - 0.5L) / (long double)active;
            p = vlo + (int64_t)(f * (long double)(vhi - vlo));
            p = p <= vlo ? vlo + 1 : p >= vhi ? vhi - 1 : p;
        } else {
            size_t r = 0;
            for (size_t i = 0; i < n; i++) {
                if (hi[i] > lo[i]) {
                    w->meds[r].d = cell(x, y, m, i, lo[i] + (hi[i] - lo[i] - 1) / 2);
                    w->meds[r].w = hi[i] - lo[i];
                    r++;
                }
            }
            p = wselect(w->meds, r, (active + 1) / 2);
        }
        first = 0;
        w->passes++;
        /* Per row, the columns < p and <= p: y_j > x_i - p and y_j >= x_i - p. */
        uint64_t sle = 0, slt = 0;
        size_t jl = 0, ju = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t t = x[i] - p;
            if (search) {
                /* Within the row's candidates: the columns left of lo_i are
                 * below p, those from hi_i on above it, so y[m - hi_i ..
                 * m - lo_i) holds the answer. jl, ju only grow with i. */
                size_t a = m - hi[i] > jl ? m - hi[i] : jl, b = m - lo[i];
                while (a < b) {
                    size_t mid = a + (b - a) / 2;
                    if (y[mid] < t) {
                        a = mid + 1;
                    } else {
                        b = mid;
                    }
                }
                jl = a;
                a = m - hi[i] > ju ? m - hi[i] : ju;
                a = a > jl ? a : jl;
                b = m - lo[i];
                while (a < b) {
                    size_t mid = a + (b - a) / 2;
                    if (y[mid] <= t) {
                        a = mid + 1;
                    } else {
                        b = mid;
                    }
                }
                ju = a;
            } else {
                while (jl < m && y[jl] < t) {
                    jl++;
                }
                while (ju < m && y[ju] <= t) {
                    ju++;
                }
            }
            tle[i] = (uint32_t)(m - jl);
            tlt[i] = (uint32_t)(m - ju);
            sle += m - jl;
            slt += m - ju;
        }
        if (slt >= k) {
            uint32_t *t = hi;
            hi = tlt;
            tlt = t;
            vhi = p;
            chi = slt;
        } else if (sle >= k) {
            if (next_out != NULL) {
                int64_t next = p;
                if (sle == k) {
                    next = INT64_MAX;
                    for (size_t i = 0; i < n; i++) {
                        if (tle[i] < m && cell(x, y, m, i, tle[i]) < next) {
                            next = cell(x, y, m, i, tle[i]);
                        }
                    }
                    next = next == INT64_MAX ? p : next;
                }
                *next_out = next;
            }
            return p;
        } else {
            uint32_t *t = lo;
            lo = tle;
            tle = t;
            vlo = p;
            clo = sle;
        }
        /* After a median step, interpolate again; after an interpolation
         * that did not halve the candidates, take the median. */
        if (!interpolate) {
            interpolate = 1;
        } else if ((chi - clo) * 2 > active) {
            interpolate = 0;
        }
    }
}

double ab__gap_hodges_lehmann(const int64_t *x, size_t n, const int64_t *y, size_t m,
                              ab__gap_sel *w)
{
    if (n == 0 || m == 0) {
        return 0;
    }
    uint64_t total = (uint64_t)n * m;
    /* The difference of the medians is close to the shift: a good first pivot. */
    int64_t guess = x[(n - 1) / 2] - y[(m - 1) / 2];
    if (total % 2 == 1) {
        return (double)ab__gap_pair_select(x, n, y, m, (total + 1) / 2, guess, w, NULL);
    }
    int64_t next;
    int64_t v = ab__gap_pair_select(x, n, y, m, total / 2, guess, w, &next);
    /* Halves first: the sum of two large values could overflow. */
    return (double)v / 2 + (double)next / 2;
}

/* ---- The Lehmann-Moses interval ---- */

/* One run's t^3 - t. */
static ab__u128 tie_term(uint64_t t)
{
    return (ab__u128)t * t * t - t;
}

ab__u128 ab__gap_pooled_ties(const int64_t *x, size_t n, const int64_t *y, size_t m)
{
    ab__u128 sum = 0;
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        int64_t v = j >= m || (i < n && x[i] <= y[j]) ? x[i] : y[j];
        uint64_t t = 0;
        while (i < n && x[i] == v) {
            i++;
            t++;
        }
        while (j < m && y[j] == v) {
            j++;
            t++;
        }
        sum += tie_term(t);
    }
    return sum;
}

/*
 * P(U <= u) for u = 0 .. n*m under the null hypothesis, U the Mann-Whitney
 * count of pairs with x above y, n and m below AB__GAP_EXACT_MAX, into
 * cdf[0 .. n*m]. By the largest of the n + m values: it is an x with
 * probability n / (n + m), and then beats all m values of y, so
 * p(n, m; u) = n/(n+m) p(n-1, m; u - m) + m/(n+m) p(n, m-1; u): sums of
 * positive terms only. dp holds AB__GAP_DP_DOUBLES doubles.
 */
static void mann_whitney_cdf(size_t n, size_t m, double *dp, double *cdf)
{
    size_t S = AB__GAP_EXACT_MAX * AB__GAP_EXACT_MAX; /* Row stride: room for u <= n*m. */
    double *prev = dp, *cur = dp + (size_t)AB__GAP_EXACT_MAX * S;
    /* a = 0: U = 0 whatever b; b = 0: U = 0 whatever a. Every other
     * entry read below was written by an earlier step. */
    for (size_t b = 0; b <= m; b++) {
        prev[b * S] = 1;
    }
    for (size_t a = 1; a <= n; a++) {
        cur[0] = 1;
        for (size_t b = 1; b <= m; b++) {
            double *row = cur + b * S;
            const double *left = cur + (b - 1) * S; /* (a, b - 1): u <= a (b - 1). */
            const double *up = prev + b * S;        /* (a - 1, b): u <= (a - 1) b. */
            double pa = (double)a / (double)(a + b), pb = (double)b / (double)(a + b);
            for (size_t u = 0; u <= a * b; u++) {
                double v = u <= a * (b - 1) ? pb * left[u] : 0;
                if (u >= b) {
                    v += pa * up[u - b];
                }
                row[u] = v;
            }
        }
        double *t = prev;
        prev = cur;
        cur = t;
    }
    const double *dist = prev + m * S;
    double acc = 0;
    for (size_t u = 0; u <= n * m; u++) {
        acc += dist[u];
        cdf[u] = acc;
    }
}

uint64_t ab__gap_lm_rank(const int64_t *x, size_t n, const int64_t *y, size_t m, double *dp,
                         int *exact_out)
{
    *exact_out = 0;
    if (n == 0 || m == 0) {
        return 0;
    }
    return ab__gap_lm_rank_of(n, m, ab__gap_pooled_ties(x, n, y, m), dp, exact_out);
}

uint64_t ab__gap_lm_rank_of(uint64_t n, uint64_t m, ab__u128 tie_sum, double *dp, int *exact_out)
{
    *exact_out = 0;
    if (n == 0 || m == 0) {
        return 0;
    }
    double ties = (double)tie_sum;
    uint64_t total = n * m;
    if (n < AB__GAP_EXACT_MAX && m < AB__GAP_EXACT_MAX && tie_sum == 0 && dp != NULL) {
        /* The largest c with P(U <= c) <= 2.5%; the rank is c + 1. A tiny
         * relative slack keeps a probability of exactly 2.5% inside despite
         * rounding. */
        double *cdf = dp + 2 * (size_t)AB__GAP_EXACT_MAX * AB__GAP_EXACT_MAX * AB__GAP_EXACT_MAX;
        mann_whitney_cdf(n, m, dp, cdf);
        *exact_out = 1;
        uint64_t k = 0;
        while (k <= total && cdf[k] <= 0.025 * (1 + 1e-9)) {
            k++;
        }
        return k; /* 0: even the extremes do not reach 95%. */
    }
    /* Normal approximation with the tie correction and a continuity
     * correction: P(U <= c) ~ Phi((c + 0.5 - nm/2) / sigma) <= 2.5% gives
     * c = floor(nm/2 - 0.5 - z sigma), the rank c + 1. */
    double N = (double)n + (double)m, nm = (double)total;
    double var = nm / 12.0 * ((N + 1) - ties / (N * (N - 1)));
    double c = floor(nm / 2 - 0.5 - Z975 * sqrt(var > 0 ? var : 0));
    return c < 0 ? 0 : (uint64_t)c + 1;
}

int ab__gap_shift_ci(const int64_t *x, size_t n, const int64_t *y, size_t m, ab__gap_sel *w,
                     ab__gap_shift *out)
{
    memset(out, 0, sizeof(*out));
    if (n == 0 || m == 0) {
        return 0;
    }
    out->shift = ab__gap_hodges_lehmann(x, n, y, m, w);
    out->passes = w->passes;
    uint64_t total = (uint64_t)n * m;
    uint64_t k = ab__gap_lm_rank(x, n, y, m, w->dp, &out->exact);
    out->rank = k;
    if (k == 0) {
        return 0;
    }
    int64_t guess = (int64_t)out->shift;
    out->lo = (double)ab__gap_pair_select(x, n, y, m, k, guess, w, NULL);
    out->passes += w->passes;
    out->hi = (double)ab__gap_pair_select(x, n, y, m, total + 1 - k, guess, w, NULL);
    out->passes += w->passes;
    return 1;
}
