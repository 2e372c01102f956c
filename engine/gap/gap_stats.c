/*
 * gap/gap_stats.c: the statistics of the report: Wilson score intervals for
 * rates, medians and percentiles, the Hodges-Lehmann shift between two
 * groups of cycle times and its bootstrap interval. The generator is our
 * own (xoshiro256** seeded by splitmix64) so that a fixed seed gives the
 * same interval on every platform and libc.
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
     * rejection loop, so the number of draws per resample is fixed. */
    return (uint32_t)(((ab__gap_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* ---- Order statistics ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void ab__gap_sort_i64(int64_t *v, size_t n)
{
    if (n > 1) {
        qsort(v, n, sizeof(*v), cmp_i64);
    }
}

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

double ab__gap_quantile_sorted(const double *v, size_t n, double q)
{
    if (n == 0) {
        return 0;
    }
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    if (i + 1 >= n) {
        return v[n - 1];
    }
    double f = pos - (double)i;
    return v[i] + (v[i + 1] - v[i]) * f;
}

/* ---- Hodges-Lehmann ---- */

static uint64_t weight(const uint32_t *w, size_t i)
{
    return w != NULL ? w[i] : 1;
}

/* Pairs (i, j), counted with weights, with x_i - y_j <= d. */
static uint64_t count_le(const int64_t *x, const uint32_t *wx, size_t n, const int64_t *y,
                         const uint32_t *wy, size_t m, uint64_t wy_total, int64_t d)
{
    /* As x_i grows, so does the threshold x_i - d, so the y below it only
     * grow: one pass over both arrays. */
    uint64_t total = 0, below = 0;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t w = weight(wx, i);
        if (w == 0) {
            continue;
        }
        int64_t t = x[i] - d;
        while (j < m && y[j] < t) {
            below += weight(wy, j);
            j++;
        }
        total += w * (wy_total - below);
    }
    return total;
}

/* The smallest difference x_i - y_j greater than d (weights > 0). */
static int64_t next_above(const int64_t *x, const uint32_t *wx, size_t n, const int64_t *y,
                          const uint32_t *wy, size_t m, int64_t d)
{
    int64_t best = INT64_MAX;
    size_t j = 0;
    size_t last = SIZE_MAX; /* The largest y below the threshold seen so far. */
    for (size_t i = 0; i < n; i++) {
        if (weight(wx, i) == 0) {
            continue;
        }
        int64_t t = x[i] - d;
        while (j < m && y[j] < t) {
            if (weight(wy, j) > 0) {
                last = j;
            }
            j++;
        }
        if (last != SIZE_MAX && x[i] - y[last] < best) {
            best = x[i] - y[last];
        }
    }
    return best;
}

/* Weighted 25th, 50th and 75th percentiles (lower order statistics). */
static void wquartiles(const int64_t *v, const uint32_t *w, size_t n, uint64_t total,
                       int64_t out[3])
{
    uint64_t ranks[3] = {(total + 3) / 4, (total + 1) / 2, (3 * total + 3) / 4};
    uint64_t cum = 0;
    int q = 0;
    for (size_t i = 0; i < n && q < 3; i++) {
        cum += weight(w, i);
        while (q < 3 && cum >= ranks[q]) {
            out[q++] = v[i];
        }
    }
    while (q < 3) {
        out[q] = v[n - 1];
        q++;
    }
}

/* The differences in (lo, hi] with their weights, in no order; SIZE_MAX
 * when more than cap pairs fall there. */
static size_t enumerate(const int64_t *x, const uint32_t *wx, size_t n, const int64_t *y,
                        const uint32_t *wy, size_t m, int64_t lo, int64_t hi, ab__gap_pair *out,
                        size_t cap)
{
    size_t k = 0, ja = 0, jb = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t w = weight(wx, i);
        if (w == 0) {
            continue;
        }
        /* lo < x_i - y_j <= hi  <=>  x_i - hi <= y_j < x_i - lo. */
        while (ja < m && y[ja] < x[i] - hi) {
            ja++;
        }
        while (jb < m && y[jb] < x[i] - lo) {
            jb++;
        }
        for (size_t j = ja; j < jb; j++) {
            uint64_t v = weight(wy, j);
            if (v == 0) {
                continue;
            }
            if (k == cap) {
                return SIZE_MAX;
            }
            out[k].d = x[i] - y[j];
            out[k].w = w * v;
            k++;
        }
    }
    return k;
}

/*
 * The smallest difference v among p[0..n) such that base plus the weight of
 * the differences <= v reaches rank; *cum_out gets that weight. Weighted
 * quickselect with a three-way partition: linear on average, and the
 * middle element as pivot keeps it deterministic.
 */
static int64_t wselect(ab__gap_pair *p, size_t n, uint64_t base, uint64_t rank, uint64_t *cum_out)
{
    size_t lo = 0, hi = n;
    uint64_t acc = base;
    while (lo < hi) {
        int64_t pivot = p[lo + (hi - lo) / 2].d;
        /* [lo, lt) < pivot, [lt, i) == pivot, (gt, hi) > pivot. */
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
            *cum_out = acc + wl + we;
            return pivot;
        } else {
            acc += wl + we;
            lo = gt;
        }
    }
    *cum_out = acc;
    return lo < n ? p[lo].d : p[n - 1].d; /* Not reached when the weights add up. */
}

double ab__gap_hodges_lehmann(const int64_t *x, const uint32_t *wx, size_t n, const int64_t *y,
                              const uint32_t *wy, size_t m, ab__gap_pair *scratch,
                              size_t scratch_cap)
{
    uint64_t wxt = 0, wyt = 0;
    int64_t xmin = INT64_MAX, xmax = INT64_MIN, ymin = INT64_MAX, ymax = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        if (weight(wx, i) > 0) {
            wxt += weight(wx, i);
            xmin = x[i] < xmin ? x[i] : xmin;
            xmax = x[i] > xmax ? x[i] : xmax;
        }
    }
    for (size_t j = 0; j < m; j++) {
        if (weight(wy, j) > 0) {
            wyt += weight(wy, j);
            ymin = y[j] < ymin ? y[j] : ymin;
            ymax = y[j] > ymax ? y[j] : ymax;
        }
    }
    if (wxt == 0 || wyt == 0) {
        return 0;
    }
    uint64_t total = wxt * wyt;
    uint64_t k = (total + 1) / 2; /* The lower median's rank (1-based). */
    /* The smallest d with at least k differences <= d. The bracket
     * (lo, hi] always holds it: count(lo) < k <= count(hi). Steps guess by
     * interpolating the counts (they grow almost linearly near the median)
     * and fall back to halving when a guess gains little; once few pairs
     * are left in the bracket, they are listed and sorted. Exact either
     * way. */
    int64_t lo = xmin - ymax - 1, hi = xmax - ymin;
    uint64_t clo = 0, chi = total;
    /* Start next to the difference of the medians, which is close to the
     * shift, and gallop outwards by steps of a fraction of the spread: the
     * bracket is then narrow and the counts nearly linear across it. */
    int64_t qx[3], qy[3];
    wquartiles(x, wx, n, wxt, qx);
    wquartiles(y, wy, m, wyt, qy);
    int64_t step = ((qx[2] - qx[0]) + (qy[2] - qy[0])) / 64;
    step = step < 1 ? 1 : step;
    int64_t g = qx[1] - qy[1];
    if (g > lo && g < hi) {
        uint64_t c = count_le(x, wx, n, y, wy, m, wyt, g);
        int up = c < k;
        if (up) {
            lo = g;
            clo = c;
        } else {
            hi = g;
            chi = c;
        }
        for (;;) {
            int64_t d = up ? (hi - lo > step ? lo + step : hi) : (hi - lo > step ? hi - step : lo);
            if (d == lo || d == hi) {
                break;
            }
            c = count_le(x, wx, n, y, wy, m, wyt, d);
            if (c >= k) {
                hi = d;
                chi = c;
                if (up) {
                    break;
                }
            } else {
                lo = d;
                clo = c;
                if (!up) {
                    break;
                }
            }
            step = step > INT64_MAX / 4 ? step : step * 2;
        }
    }
    int halve = 0;
    while (hi - lo > 1) {
        if (scratch != NULL && chi - clo <= scratch_cap) {
            size_t np = enumerate(x, wx, n, y, wy, m, lo, hi, scratch, scratch_cap);
            if (np != SIZE_MAX) {
                uint64_t cum;
                int64_t v1 = wselect(scratch, np, clo, k, &cum);
                if (total % 2 == 1) {
                    return (double)v1;
                }
                int64_t v2 = v1;
                if (cum < k + 1) {
                    /* The next difference up: in the bracket, or past it. */
                    v2 = INT64_MAX;
                    for (size_t i = 0; i < np; i++) {
                        if (scratch[i].d > v1 && scratch[i].d < v2) {
                            v2 = scratch[i].d;
                        }
                    }
                    if (v2 == INT64_MAX) {
                        v2 = next_above(x, wx, n, y, wy, m, hi);
                    }
                }
                return (double)v1 / 2 + (double)v2 / 2;
            }
        }
        int64_t d;
        if (halve) {
            d = lo + (hi - lo) / 2;
        } else {
            long double f = ((long double)k - (long double)clo) / (long double)(chi - clo);
            d = lo + (int64_t)(f * (long double)(hi - lo));
            d = d <= lo ? lo + 1 : d >= hi ? hi - 1 : d;
        }
        uint64_t c = count_le(x, wx, n, y, wy, m, wyt, d);
        uint64_t before = chi - clo;
        if (c >= k) {
            hi = d;
            chi = c;
        } else {
            lo = d;
            clo = c;
        }
        halve = !halve && (chi - clo) * 2 > before;
    }
    int64_t v1 = hi;
    if (total % 2 == 1) {
        return (double)v1;
    }
    int64_t v2 = v1;
    if (count_le(x, wx, n, y, wy, m, wyt, v1) < k + 1) {
        v2 = next_above(x, wx, n, y, wy, m, v1);
    }
    return (double)v1 / 2 + (double)v2 / 2;
}

/* Keeps the entries of v drawn at least once, with their counts. */
static size_t compact(const int64_t *v, const uint32_t *w, size_t n, int64_t *vo, uint32_t *wo)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (w[i] > 0) {
            vo[k] = v[i];
            wo[k] = w[i];
            k++;
        }
    }
    return k;
}

void ab__gap_bootstrap_hl(const int64_t *x, size_t n, const int64_t *y, size_t m,
                          uint32_t resamples, uint64_t seed, ab__gap_boot_work *work,
                          double *lo_out, double *hi_out)
{
    ab__gap_rng rng;
    ab__gap_rng_seed(&rng, seed);
    for (uint32_t r = 0; r < resamples; r++) {
        /* A resample of a sorted array is the same array with multiplicities,
         * so no sorting is needed; the values not drawn are then dropped so
         * that the passes of the selection skip them. */
        memset(work->wx, 0, sizeof(uint32_t) * n);
        memset(work->wy, 0, sizeof(uint32_t) * m);
        for (size_t i = 0; i < n; i++) {
            work->wx[ab__gap_rng_below(&rng, (uint32_t)n)]++;
        }
        for (size_t j = 0; j < m; j++) {
            work->wy[ab__gap_rng_below(&rng, (uint32_t)m)]++;
        }
        size_t nx = compact(x, work->wx, n, work->vx, work->cx);
        size_t ny = compact(y, work->wy, m, work->vy, work->cy);
        work->shifts[r] = ab__gap_hodges_lehmann(work->vx, work->cx, nx, work->vy, work->cy, ny,
                                                 work->pairs, work->pair_cap);
    }
    if (resamples > 1) {
        qsort(work->shifts, resamples, sizeof(double), cmp_dbl);
    }
    *lo_out = ab__gap_quantile_sorted(work->shifts, resamples, 0.025);
    *hi_out = ab__gap_quantile_sorted(work->shifts, resamples, 0.975);
}
