/*
 * discover/discover_int.h: what the files of engine/discover share: the
 * layout of a finished graph, the duration series (exact or sketched) with
 * their percentiles, and the small formatting helpers of the writers.
 */
#ifndef AB_DISCOVER_INT_H
#define AB_DISCOVER_INT_H

#include "asbuilt/discover.h"
#include "core/core_int.h"

/* Most example case ids per variant (a bound, so memory stays per variant). */
#define AB__DFG_MAX_EXAMPLES 16

struct ab_dfg {
    ab_ctx *ctx;
    ab__arena arena; /* Every array and string below. */
    ab_dfg_info info;
    int has_times; /* Some duration was measured. */
    uint32_t n_acts;
    ab_dfg_activity *acts; /* By name. */
    uint32_t n_edges;
    ab_dfg_edge *edges;     /* By count, cases, from, to. */
    uint32_t *edge_by_pair; /* Edge indices ordered by (from, to), for lookups. */
    uint32_t n_starts;
    ab_dfg_endpoint *starts;
    uint32_t n_ends;
    ab_dfg_endpoint *ends;
    uint32_t n_variants;
    ab_dfg_variant *variants;
    uint32_t n_cycles;
    ab_dfg_cycle *cycles;
};

/* ---- Duration series (dfg_stats.c). ---- */

/*
 * A series of non-negative durations in microseconds. min, max, count and
 * the 128-bit sum are exact in both modes. Exact mode keeps every value;
 * sketch mode keeps the first AB__DSTAT_EXACT values and then moves to
 * logarithmic buckets over [bk_lo, bk_lo + bk_n).
 */
#define AB__DSTAT_EXACT 32

typedef struct ab__dstat {
    uint64_t n;       /* Values added. */
    int64_t min, max; /* Extremes, microseconds. */
    uint64_t sum_lo;  /* Low 64 bits of the exact sum. */
    uint64_t sum_hi;  /* High 64 bits of the exact sum. */
    int64_t *vals;    /* Kept values (all in exact mode), or NULL once sketched. */
    size_t vals_cap;  /* Capacity of vals. */
    uint64_t zeros;   /* Zero values, once sketched (kept apart from the buckets). */
    uint64_t *bk;     /* Bucket counts in sketch mode, or NULL. */
    uint32_t bk_lo;   /* Bucket index of bk[0]. */
    uint32_t bk_n;    /* Buckets held. */
} ab__dstat;

/* Copies options of any accepted version into the current struct (defaults
 * for NULL). AB_EINVAL for an unknown version. */
int ab__dfg_options_load(const ab_dfg_options *in, ab_dfg_options *out);

/* Adds one value (>= 0). AB_OK or AB_ENOMEM (the series is unchanged). */
int ab__dstat_add(ab_ctx *ctx, ab__dstat *s, ab_dfg_quantiles mode, int64_t v);
/* Computes the figures in seconds; may reorder the kept values. */
void ab__dstat_result(ab__dstat *s, ab_dfg_stats *out);
/* Frees what the series holds and resets it. */
void ab__dstat_dispose(ab_ctx *ctx, ab__dstat *s);
/* Bytes held by the series outside its struct. */
size_t ab__dstat_bytes(const ab__dstat *s);
/*
 * The p-quantile (0 <= p <= 1) of a[0..n) with linear interpolation, in the
 * units of a. Reorders a. n > 0.
 */
double ab__quantile_exact(int64_t *a, size_t n, double p);

/* ---- Structure (dfg_struct.c). ---- */

/* Fills d->cycles from d->edges with igraph's strongly connected components. */
int ab__dfg_find_cycles(ab_dfg *d, ab_error *err);

/* ---- Formatting helpers for the writers (dfg_format.c). ---- */

/* Appends a number of seconds as JSON: up to 6 decimals, trailing zeros cut. */
int ab__dfg_put_seconds(ab_buf *b, ab_ctx *ctx, double s);
/* Formats a duration for a label: "45s", "12.5m", "3.2h", "4.1d". */
void ab__dfg_human_duration(double seconds, char *buf, size_t cap);
/*
 * Colour for a frequency: t in [0, 1] from light (0) to dark blue (1), as
 * "#rrggbb" into buf (8 bytes).
 */
void ab__dfg_color(double t, char buf[8]);
/* Frequency scale in [0, 1]: log(1 + v) / log(1 + max). */
double ab__dfg_scale(uint64_t v, uint64_t max);
/*
 * Decodes one UTF-8 character at s (NUL-terminated): returns the bytes it
 * takes (1 to 4) and the code point in *cp, or 1 and U+FFFD for a byte that
 * does not start a valid, shortest-form character.
 */
size_t ab__dfg_utf8_next(const char *s, uint32_t *cp);

#endif
