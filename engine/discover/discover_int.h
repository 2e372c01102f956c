/*
 * discover/discover_int.h: what the files of engine/discover share: the
 * layout of a finished graph, the duration series (exact or sketched) with
 * their percentiles, the accumulator (dfg_acc.c, saved and merged by
 * dfg_merge.c), and the small formatting helpers of the writers.
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
/* The k-th smallest (0-based) of a series, as a double. */
typedef double (*ab__kth_fn)(uint64_t k, void *payload);
/*
 * The p-quantile of n > 0 values whose largest is max, from their order
 * statistics: kth is asked for floor((n - 1) p), then maybe the next one.
 */
double ab__quantile_by(uint64_t n, double p, double max, ab__kth_fn kth, void *payload);
/* The sketch bucket of a value. */
uint32_t ab__sk_index(uint64_t v);
/* What a sketch says of a value in bucket idx: the bucket's midpoint within
 * the series' extremes. */
double ab__sk_order_value(const ab__dstat *s, uint32_t idx);


/* ---- The accumulator (dfg_acc.c), shared with its merging (dfg_merge.c). ---- */

typedef struct acc_act {
    uint64_t events;    /* Events of the activity. */
    uint64_t cases;     /* Cases with such an event. */
    uint64_t starts;    /* Cases starting with it. */
    uint64_t ends;      /* Cases ending with it. */
    uint64_t last_case; /* Serial of the last case counted in `cases`. */
    uint32_t fifo_head; /* Pending lifecycle starts of the current case: index + 1, 0 = none. */
    uint32_t fifo_tail; /* Last pending start: index + 1. */
    ab__dstat service;  /* Service times. */
} acc_act;

typedef struct acc_edge {
    uint32_t from, to;  /* Accumulator activity ids. */
    uint64_t count;     /* Occurrences. */
    uint64_t cases;     /* Distinct cases. */
    uint64_t last_case; /* Serial of the last case counted in `cases`. */
    ab__dstat dur;      /* Completion of `from` to start of `to`. */
} acc_edge;

typedef struct acc_example {
    char *id;   /* Case id, NUL-terminated (owned). */
    size_t len; /* Its length in bytes. */
} acc_example;

typedef struct acc_var {
    uint64_t hash;   /* Hash of the activity sequence. */
    size_t seq_off;  /* Offset of the sequence in var_seq. */
    uint32_t len;    /* Sequence length. */
    uint32_t n_ex;   /* Examples held. */
    uint64_t cases;  /* Cases with this sequence. */
    ab__dstat cycle; /* Cycle times. */
    acc_example *ex; /* The smallest case ids seen, ascending; opts.examples entries. */
} acc_var;

typedef struct pending_start {
    ab_time ts;    /* Time of the lifecycle start event. */
    uint32_t next; /* Next pending start of the same activity: index + 1, 0 = none. */
} pending_start;

struct ab_dfg_acc {
    ab_ctx *ctx;
    ab_dfg_options opts;
    ab_dfg_name_fn names; /* Resolves the caller's activity ids. */
    void *payload;        /* For names. */
    ab__strtab act_names; /* Accumulator activity id -> name. */
    uint32_t *idmap;      /* Caller id -> accumulator id + 1 (0 = not seen yet). */
    size_t idmap_cap;
    acc_act *acts;
    size_t acts_cap;
    acc_edge *edges;
    size_t edges_cap;
    uint32_t n_edges;
    uint32_t *edge_slots; /* Open addressing on (from, to): edge index + 1. */
    uint32_t edge_mask;   /* Slots - 1 (a power of two), 0 before the first edge. */
    acc_var *vars;
    size_t vars_cap;
    uint32_t n_vars;
    uint32_t *var_slots; /* Open addressing on the sequence: variant index + 1. */
    uint32_t var_mask;
    uint32_t *var_seq; /* Sequences of all variants, concatenated. */
    size_t var_seq_len;
    size_t var_seq_cap;
    uint32_t *seq; /* The current case in accumulator ids. */
    size_t seq_cap;
    pending_start *pend; /* Lifecycle starts waiting for their completion. */
    size_t pend_cap;
    uint32_t n_pend;
    size_t ex_bytes; /* Bytes held by example ids. */
    uint64_t serial; /* Cases added, also the serial of the current case. */
    uint64_t events; /* Events added. */
    int has_times;   /* Some duration was measured. */
    /* The log behind the cases (ab_dfg_discover_acc), for its info: */
    uint64_t log_cases, log_events;
    ab__strtab log_acts; /* Its activities with events. */
    int has_log;         /* log_* set; else they are the accumulator's own. */
    int merged;          /* Parts were loaded: series hold summaries only. */
};

/* The byte order of names and case ids (a prefix first). */
int ab__dfg_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen);
/* The accumulator id of a name, which it learns if new. */
int ab__dfg_acc_name(ab_dfg_acc *acc, const char *name, size_t len, uint32_t *out);
/* Finds or creates the edge from -> to (accumulator ids); *out its index. */
int ab__dfg_edge_get(ab_dfg_acc *acc, uint32_t from, uint32_t to, uint32_t *out);
/* The edge from -> to, or UINT32_MAX. */
uint32_t ab__dfg_edge_find(const ab_dfg_acc *acc, uint32_t from, uint32_t to);
/* Finds or creates the variant of seq[0..len) (accumulator ids). */
int ab__dfg_var_get(ab_dfg_acc *acc, const uint32_t *seq, uint32_t len, uint32_t *out);
/* The variant of seq[0..len), or UINT32_MAX. */
uint32_t ab__dfg_var_find(const ab_dfg_acc *acc, const uint32_t *seq, uint32_t len);
/* Keeps id among the variant's smallest example ids. */
int ab__dfg_note_example(ab_dfg_acc *acc, acc_var *v, const char *id, size_t len);
/* The order of variants in a graph: more cases first, then the sequences
 * of activity positions in byte order of names (rank[id], or the ids
 * themselves when rank is NULL), a prefix first. Like strcmp. */
int ab__dfg_cmp_variant(uint64_t ca, const uint32_t *sa, uint32_t la, uint64_t cb,
                        const uint32_t *sb, uint32_t lb, const uint32_t *rank);
/* Finishes into *out without destroying acc. */
int ab__dfg_acc_build(ab_dfg_acc *acc, ab_dfg **out, ab_error *err);

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
