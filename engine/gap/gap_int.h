/*
 * gap/gap_int.h: the gap while it is computed and after: groups of cases
 * that share an alignment and its classification, the findings being
 * accumulated, the model relations, the statistics helpers and the writers'
 * shared formatting. The computation reads its alignments through a view
 * (ab__gap_view), so that tests can feed hand-built alignments without a
 * conformance run.
 */
#ifndef AB_GAP_INT_H
#define AB_GAP_INT_H

#include "asbuilt/gap.h"
#include "core/core_int.h"

/* ---- The input view ---- */

/*
 * What the computation needs of a conformance run. variants[v]->cases lists
 * each case once over all variants; case_events / case_starts give a case's
 * instances (completion events, global indices) and their start times (NULL
 * = none), as ab_conform_case_events / ab_conform_case_starts do.
 */
/* A share of the cases: their global indices, ascending. */
typedef struct ab__gap_share {
    uint32_t count;
    const uint32_t *cases;
} ab__gap_share;

/*
 * What the report says of the log beyond its cases' steps: its activities
 * under the ids the variants use (names, events), its counts, whether it
 * has timestamps, its data quality, and a case's id (for the examples and
 * the case lines). ab_gap_compute takes it from the log
 * (ab__gap_header_of_log); a driver whose cases are elsewhere gives its
 * own. What it points to must outlive the gap, as the log must.
 */
typedef struct ab__gap_header {
    uint32_t activity_count;
    const char *const *activity_names; /* Per activity id; NULL: take all this from log. */
    const uint64_t *activity_events;   /* Per activity id. */
    const uint32_t *activity_sorted;   /* The ids in byte order of the names. */
    uint32_t case_count;
    uint64_t event_count;
    uint32_t variant_count; /* Distinct activity sequences, as stats counts them. */
    int has_timestamps;
    ab_data_quality data_quality;
    const char *(*case_id)(const void *case_src, uint32_t c);
    const void *case_src;
} ab__gap_header;

typedef struct ab__gap_parts ab__gap_parts; /* Below. */

typedef struct ab__gap_view {
    const ab_log *log; /* The cases (the local shares, who did the work). */
    ab__gap_header header;
    const ab_net *net;
    uint32_t variant_count;
    const ab_conform_variant *const *variants;
    const void *src;
    const uint64_t *(*case_events)(const void *src, uint32_t case_index, uint32_t *count_out);
    const ab_time *(*case_starts)(const void *src, uint32_t case_index);
    ab_conform_stats stats; /* Copied into the report's data-quality section. */
    /* The cases split into shares whose per-case steps run apart and meet
     * only through ab__gap_parts (tests: the report must not depend on the
     * split); share_count 0 = one share of every case. */
    const ab__gap_share *shares;
    uint32_t share_count;
    /* A driver whose other cases are in other processes: the parts it gives
     * (destroy(), unless NULL, is called with the gap's). log holds
     * this process's cases, case_global[c] the index in the whole log of
     * its case c; the variants carry no case lists (cases NULL). The
     * header is the whole log's. NULL: every case is here. */
    const struct ab__gap_parts *parts;
    const uint32_t *case_global;
} ab__gap_view;

/* A span in each closed case of a group: from its instance from_pos (its
 * start when from is AB__GAP_CODE_START) to its instance to_pos (its end
 * when to is AB__GAP_CODE_END). From start to end it is the cycle time. */
typedef struct ab__gap_span {
    uint32_t group;
    uint32_t from, from_pos, to, to_pos;
} ab__gap_span;

/*
 * The per-case steps of the computation run where the cases are, on shares
 * of them, and their results meet only through these calls: sums, maxima
 * and order statistics over the shares. One process has them over the
 * view's shares (gap_parts.c); a driver whose shares live in other
 * processes would implement them as collectives. Every call returns AB_OK
 * or a status that stops the computation.
 *
 * Done this way so far: the cycle times, the open-case horizon (the 95th
 * percentile of the cycle times, two order statistics), the open flags,
 * the groups' sizes and example cases, the examples' times, and the
 * samples of the time impacts. One case's group, cycle time and open flag
 * (the case lines, ab_gap_case_*, who did the work) come from the local
 * shares (ab__gap_case_group ...).
 */
struct ab__gap_parts {
    void *payload;
    /* Every case's cycle time, first and last time; *log_last the latest
     * time of any case (AB_TIME_NONE: none), *with_ct the cases with a
     * cycle time, *max_ct the largest (0 when none). */
    int (*times)(void *payload, ab_time *log_last, uint64_t *with_ct, int64_t *max_ct);
    /* For j < n: counts[j] = the cases whose cycle time is at most at[j]
     * (only between times() and open()). */
    int (*count_ct)(void *payload, const int64_t *at, size_t n, uint64_t *counts);
    /* Flags as possibly open the cases with a last time, whose variant v
     * has never_open[v] == 0, that ended within horizon (us) of log_last;
     * open_per_variant[v] gets the number of them (it holds zeros). */
    int (*open)(void *payload, ab_time log_last, double horizon, const uint8_t *never_open,
                uint64_t *open_per_variant);
    /* Puts each case in its group: a case of variant v is in group
     * group_of[2 v + open], open its flag when exclude is set, else 0.
     * For each group: out[g * AB__GAP_SMALLEST + j] = its case with the
     * j-th smallest id (byte order), UINT32_MAX past its last. */
    int (*smallest)(void *payload, const uint32_t *group_of, int exclude, uint32_t group_count,
                    uint32_t *out);
    /* For i < n, of the case cases[i] (as smallest gave it): start[i] and
     * end[i] its first and last times, at[i] the completion time of its
     * instance pos[i] (AB_TIME_NONE when pos[i] is UINT32_MAX or past its
     * end). */
    int (*case_times)(void *payload, size_t n, const uint32_t *cases, const uint32_t *pos,
                      ab_time *start, ab_time *end, ab_time *at);
    /* valid[g] = the cases of group g with a cycle time (0 when the group
     * is open: group_open[g]). */
    int (*valid)(void *payload, const uint8_t *group_open, uint32_t group_count, uint32_t *valid);
    /* Makes ready what values() reads (the times of the groups with valid
     * cases, laid out group after group; group_len[g] the length of group
     * g's variant), until unlay(). */
    int (*lay_out)(void *payload, const uint32_t *valid, const uint32_t *group_len,
                   uint32_t group_count);
    void (*unlay)(void *payload);
    /* Appends to v (*n values there) the durations of the spans over the
     * cases of their groups with a cycle time and both ends timed, in any
     * order. Called from the time-impact threads at once. */
    int (*values)(void *payload, const ab__gap_span *spans, size_t count, int64_t *v, uint32_t *n);
    /* Where the shares are in other processes, in place of values (which
     * may then be NULL): the values go to process root alone (v and n
     * there; NULL and untouched elsewhere). */
    int (*values_to)(void *payload, const ab__gap_span *spans, size_t count, uint32_t root,
                     int64_t *v, uint32_t *n);
    /* Appends to v (*n values there) the cycle times of the cases that have
     * one, of the groups in_group marks, in any order. Called from several
     * threads at once. */
    int (*cts)(void *payload, const uint8_t *in_group, int64_t *v, uint32_t *n);
    /* The same over the cases listed (case indices of the whole log,
     * ascending): the cycle times of those in a group in_group marks. */
    int (*list_cts)(void *payload, const uint32_t *cases, uint64_t count, const uint8_t *in_group,
                    int64_t *v, uint32_t *n);
    /* What the parts hold of the view's case c (an index of view->log): its
     * group, its cycle time (INT64_MIN: none), whether it is possibly open. */
    uint32_t (*case_group)(const void *payload, uint32_t c);
    int64_t (*case_ct)(const void *payload, uint32_t c);
    int (*case_open)(const void *payload, uint32_t c);
    /* Shares in other processes: *all gets every process's bytes (mine from
     * this one), *count of them, in an order that is the same everywhere;
     * freed with ab__gap_exchange_free. NULL: this process holds every
     * share; otherwise every call is a collective, made from one thread at
     * a time in the same order in every process, and the time impacts are
     * measured in turns, one per process (this one: process of
     * processes), their figures exchanged. */
    int (*exchange)(void *payload, const void *mine, size_t len, void ***all, size_t **lens,
                    uint32_t *count);
    /* With exchange: every process sends send[q] (lens[q] bytes; send NULL:
     * nothing to anyone) to process q and gets in (*recv)[q] (*recv_lens)[q]
     * bytes from process q, processes entries of each (freed with
     * ab__gap_exchange_free). A collective as exchange. */
    int (*alltoall)(void *payload, void *const *send, const size_t *lens, void ***recv,
                    size_t **recv_lens);
    /* With alltoall: as values, of this process's cases alone. */
    int (*values_here)(void *payload, const ab__gap_span *spans, size_t count, int64_t *v,
                       uint32_t *n);
    /* A time impact whose two samples hold more than this many values is
     * measured by all processes together (ab__gap_dist_measure), not by
     * one that gathers them; negative: the whole log's closed cases with a
     * cycle time over the processes, at least 65,536. */
    int64_t gather_max;
    uint32_t process, processes;
    /* Frees the payload. */
    void (*destroy)(void *payload);
};

/*
 * One share of the cases and what it finds of them, apart from any ab_gap
 * (gap_parts.c): what a process holding the share runs for each call of
 * ab__gap_parts. What it needs of the computation comes as arguments, and
 * what it finds is added into the caller's sums, maxima and counts, which
 * the caller then adds up over the shares (in this process, or with a
 * driver's collectives).
 */
typedef struct ab__gap_share_state ab__gap_share_state;

typedef struct ab__gap_share_input {
    const ab_log *log; /* Case ids and the time column. */
    const void *src;   /* For case_events and case_starts, as in the view. */
    const uint64_t *(*case_events)(const void *src, uint32_t case_index, uint32_t *count_out);
    const ab_time *(*case_starts)(const void *src, uint32_t case_index);
    uint32_t count;        /* Its cases ... */
    const uint32_t *cases; /* ... their indices, ascending (NULL: 0 .. count - 1). */
    uint32_t *variant_of;  /* Per position: the case's variant; taken over. */
} ab__gap_share_input;

/* AB_OK or AB_ENOMEM (in->variant_of is freed then too). */
int ab__gap_share_create(ab__gap_share_state **out, ab_ctx *ctx, const ab__gap_share_input *in);
void ab__gap_share_destroy(ab__gap_share_state *st);
/* The calls of ab__gap_parts for one share, adding into what they are
 * given: times() (with *log_last AB_TIME_NONE, the rest 0 to start),
 * count_ct(), open(), smallest() (out holds its group's smallest so far;
 * from here a position's group is its group, no longer its variant),
 * valid() (group_open: per group), lay_out(), values(); group_len is the
 * length of each group's variant. case_times() takes the case at position
 * i of the share. cts() as the call of that name. */
int ab__gap_share_times(ab__gap_share_state *st, ab_time *log_last, uint64_t *with_ct,
                        int64_t *max_ct);
void ab__gap_share_count_ct(const ab__gap_share_state *st, const int64_t *at, size_t n,
                            uint64_t *counts);
void ab__gap_share_open(ab__gap_share_state *st, ab_time log_last, double horizon,
                        const uint8_t *never_open, uint64_t *open_per_variant);
void ab__gap_share_smallest(ab__gap_share_state *st, const uint32_t *group_of, int exclude,
                            uint32_t *out);
void ab__gap_share_case_times(const ab__gap_share_state *st, uint32_t i, uint32_t pos,
                              ab_time *start, ab_time *end, ab_time *at);
void ab__gap_share_valid(const ab__gap_share_state *st, const uint8_t *group_open, uint32_t *valid);
int ab__gap_share_lay_out(ab__gap_share_state *st, const uint32_t *valid, const uint32_t *group_len,
                          uint32_t group_count);
void ab__gap_share_unlay(ab__gap_share_state *st);
void ab__gap_share_values(const ab__gap_share_state *st, const ab__gap_span *spans, size_t count,
                          const uint32_t *group_len, int64_t *v, uint32_t *n);
void ab__gap_share_cts(const ab__gap_share_state *st, const uint8_t *in_group, int64_t *v,
                       uint32_t *n);
/* The cases of group g it laid out (at most the values a span of g gives). */
uint64_t ab__gap_share_laid(const ab__gap_share_state *st, uint32_t group);
/* What it holds of the case at position i. */
uint32_t ab__gap_share_group_at(const ab__gap_share_state *st, uint32_t i);
int64_t ab__gap_share_ct_at(const ab__gap_share_state *st, uint32_t i);
int ab__gap_share_open_at(const ab__gap_share_state *st, uint32_t i);
/* Puts case c among the AB__GAP_SMALLEST smallest ids (byte order) of
 * best[], kept ascending (UINT32_MAX: empty). */
void ab__gap_keep_smallest(const ab_log *log, uint32_t *best, uint32_t c);

/* The computation proper; ab_gap_compute builds the view from an ab_conform. */
int ab__gap_compute_view(ab_gap **out, ab_ctx *ctx, const ab__gap_view *view,
                         const ab_gap_options *opts, ab_error *err);

/* ---- A small hash map: (kind, a, b, c) -> dense index ---- */

typedef struct ab__gap_key {
    uint32_t kind, a, b, c;
} ab__gap_key;

typedef struct ab__gap_map {
    ab_ctx *ctx;
    ab__gap_key *keys; /* index -> key. */
    size_t keys_cap;
    uint32_t count;
    uint32_t *slots; /* index + 1, 0 = empty. */
    uint32_t mask;
} ab__gap_map;

int ab__gap_map_init(ab__gap_map *m, ab_ctx *ctx);
void ab__gap_map_finish(ab__gap_map *m);
/* Finds or inserts; *index_out gets the index, *is_new 1 when inserted. */
int ab__gap_map_get(ab__gap_map *m, ab__gap_key k, uint32_t *index_out, int *is_new);
/* UINT32_MAX when absent. */
uint32_t ab__gap_map_find(const ab__gap_map *m, ab__gap_key k);

/* ---- Model relations (gap_model.c) ---- */

/* Pseudo-labels of the directly-follows relation: label_count and label_count + 1. */
#define AB__GAP_START(L) (L)
#define AB__GAP_END(L) ((L) + 1)

typedef struct ab__gap_model {
    uint32_t labels;  /* L: visible labels of the net. */
    uint32_t words;   /* 64-bit words per row of df. */
    uint64_t *df;     /* (L + 2) rows: row a has bit b when b may directly follow a. */
    int known;        /* The reachability graph was explored completely. */
    uint64_t states;  /* Markings explored. */
    char reason[160]; /* Why it is not known. */
} ab__gap_model;

int ab__gap_model_relations(ab__gap_model *m, ab_ctx *ctx, const ab_net *net, uint64_t max_states);
void ab__gap_model_finish(ab__gap_model *m, ab_ctx *ctx);
static inline int ab__gap_df(const ab__gap_model *m, uint32_t a, uint32_t b)
{
    return (int)((m->df[(size_t)a * m->words + b / 64] >> (b % 64)) & 1u);
}

/* What replaying the alignments' model projections found (M12, M13). */
typedef struct ab__gap_replay {
    int valid;        /* Every projection fired in order from the source. */
    char reason[160]; /* Why not. */
    uint32_t failed;  /* The variant that did not replay (UINT32_MAX: none). */
    uint8_t *fired;   /* Per transition: fired in some alignment. */
    uint8_t *marked;  /* Per place: received a token in some alignment. */
    uint8_t *enabled; /* Per transition: enabled at some marking an alignment visited. */
} ab__gap_replay;

/* Replays the variants first, first + step, ... (all: 0 and 1), until
 * the first that does not replay. */
int ab__gap_replay_run(ab__gap_replay *r, ab_ctx *ctx, const ab_net *net,
                       const ab_conform_variant *const *variants, uint32_t variant_count,
                       uint32_t first, uint32_t step);
/* Parts over processes (collective, through parts->exchange): each process
 * replays every processes-th variant from its own number, and the flags are
 * ORed over the processes; the first variant of the whole list that does
 * not replay gives the reason. The result is one process's replay of all. */
int ab__gap_replay_spread(ab__gap_replay *r, ab_ctx *ctx, const ab_net *net,
                          const ab_conform_variant *const *variants, uint32_t variant_count,
                          const ab__gap_parts *parts);
void ab__gap_replay_finish(ab__gap_replay *r, ab_ctx *ctx);

/* ---- Statistics (gap_stats.c) ---- */

/* A small deterministic generator (splitmix64 seeding xoshiro256**), for tests. */
typedef struct ab__gap_rng {
    uint64_t s[4];
} ab__gap_rng;

void ab__gap_rng_seed(ab__gap_rng *r, uint64_t seed);
uint64_t ab__gap_rng_next(ab__gap_rng *r);
/* Uniform in [0, n), n > 0 and < 2^32. */
uint32_t ab__gap_rng_below(ab__gap_rng *r, uint32_t n);

/* Median of n values sorted ascending (mean of the middle two when n is even). */
double ab__gap_median_sorted(const int64_t *v, size_t n);
/* Percentile q in [0, 1] of n > 0 values, interpolated linearly (numpy's
 * default): it lies between the i-th and (i + 1)-th smallest (0-based),
 * frac of the way. Returns how many of them it needs (1: the i-th alone).
 * ab__gap_quantile_of() gives it from those order statistics at[0..k). */
size_t ab__gap_quantile_at(size_t n, double q, size_t *i, double *frac);
double ab__gap_quantile_of(const double *at, size_t k, double frac);

/* A value and its weight, for the weighted median of the selection. */
typedef struct ab__gap_pair {
    int64_t d;
    uint64_t w;
} ab__gap_pair;

/* Groups below this size on both sides, without ties, get the exact null
 * distribution of the Mann-Whitney U (as R's wilcox.test does). */
#define AB__GAP_EXACT_MAX 50
#define AB__GAP_DP_DOUBLES                                                                         \
    (2 * (size_t)AB__GAP_EXACT_MAX * AB__GAP_EXACT_MAX * AB__GAP_EXACT_MAX +                       \
     (size_t)AB__GAP_EXACT_MAX * AB__GAP_EXACT_MAX)

/* Work space of the selection, for x of up to n_max and y of up to m_max
 * values; one per thread, allocated beforehand. */
typedef struct ab__gap_sel {
    uint32_t *rows;     /* 4 * (n_max + 1): candidate bounds per row, and the next ones. */
    ab__gap_pair *meds; /* n_max + 1: the rows' middle candidates. */
    int64_t *buf;       /* cap: the candidates once few are left. */
    size_t cap;         /* n_max + m_max + 64. */
    double *dp;         /* AB__GAP_DP_DOUBLES: the exact distribution of U. */
    size_t n_max, m_max;
    unsigned passes; /* Passes over x and y of the last selection. */
} ab__gap_sel;

int ab__gap_sel_init(ab__gap_sel *w, ab_ctx *ctx, size_t n_max, size_t m_max);
void ab__gap_sel_finish(ab__gap_sel *w, ab_ctx *ctx);

/*
 * The k-th smallest (1-based, 1 <= k <= n*m) of the n*m differences
 * x_i - y_j, x and y sorted ascending, n <= w->n_max, m <= w->m_max,
 * values within +-2^61. Never lists the pairs: O(log(n m)) passes of
 * O(n + m) each, guess (any value) only a first pivot. With next_out, also
 * the (k+1)-th (the k-th itself when k = n*m).
 */
int64_t ab__gap_pair_select(const int64_t *x, size_t n, const int64_t *y, size_t m, uint64_t k,
                            int64_t guess, ab__gap_sel *w, int64_t *next_out);

/* Hodges-Lehmann shift of x over y: the median of the n*m differences
 * x_i - y_j (mean of the middle two when n*m is even); 0 when a side is empty. */
double ab__gap_hodges_lehmann(const int64_t *x, size_t n, const int64_t *y, size_t m,
                              ab__gap_sel *w);

/*
 * The rank k of the Lehmann-Moses 95% interval [D_(k), D_(nm+1-k)] of the
 * shift (D the sorted pairwise differences): k - 1 is the largest c with
 * P(U <= c) <= 2.5% under the null hypothesis, U the Mann-Whitney count.
 * Exact (*exact_out = 1) when n and m are both below AB__GAP_EXACT_MAX and
 * no value repeats in x and y together (dp: AB__GAP_DP_DOUBLES doubles);
 * otherwise the normal approximation with tie correction and continuity
 * correction, k = floor(nm/2 + 1/2 - 1.96 sigma),
 * sigma^2 = nm/12 ((N+1) - sum(t^3 - t) / (N(N-1))), N = n + m.
 * 0 when no such interval exists (tiny groups).
 */
uint64_t ab__gap_lm_rank(const int64_t *x, size_t n, const int64_t *y, size_t m, double *dp,
                         int *exact_out);

/* Sums of t^3 - t, exact (t below 2^32: under 2^96). */
__extension__ typedef unsigned __int128 ab__u128;
/* Sum of t^3 - t over the runs of t equal values of x and y together (both
 * sorted ascending), exact: the same whatever order the runs are added in. */
ab__u128 ab__gap_pooled_ties(const int64_t *x, size_t n, const int64_t *y, size_t m);
/* The same rank from the sizes and the sum of t^3 - t over the runs of
 * equal values (dp as above; NULL: no exact distribution). */
uint64_t ab__gap_lm_rank_of(uint64_t n, uint64_t m, ab__u128 tie_sum, double *dp, int *exact_out);

/* The shift with its interval, in the unit of x and y. */
typedef struct ab__gap_shift {
    double shift, lo, hi;
    uint64_t rank; /* Of the lower bound; 0 = no interval (lo = hi = 0). */
    int exact;     /* The rank came from the exact distribution. */
    unsigned passes;
} ab__gap_shift;

/* Hodges-Lehmann shift and Lehmann-Moses interval; 1 when the interval exists. */
int ab__gap_shift_ci(const int64_t *x, size_t n, const int64_t *y, size_t m, ab__gap_sel *w,
                     ab__gap_shift *out);

/* A time impact's figures (its medians, their difference, the shift and
 * its interval, in seconds) from its samples' medians and shift (us). */
void ab__gap_time_figures(ab_gap_time *t, double med_x, double med_y, const ab__gap_shift *sh);

/* What ab__gap_dist_measure finds of two samples spread over processes. */
typedef struct ab__gap_dist {
    uint64_t n, m;    /* The samples' sizes. */
    int measured;     /* n >= min_n and m >= min_m: the figures below are set. */
    double median_x, median_y; /* As ab__gap_median_sorted. */
    ab__gap_shift shift;       /* As ab__gap_shift_ci (zeros when a side is empty). */
} ab__gap_dist;

/*
 * Collective over the processes of c (its exchange and alltoall): x[0..nx)
 * and y[0..ny) are this process's values of the two samples (sorted here,
 * in place). Gives every process the samples' sizes and, when they reach
 * min_n and min_m, the medians, the shift and its interval that one
 * process would find over the pooled values, to the bit, without a
 * process holding more than its part of them (gap_dsel.c).
 */
int ab__gap_dist_measure(const ab__gap_parts *c, ab_ctx *ctx, int64_t *x, size_t nx, int64_t *y,
                         size_t ny, uint64_t min_n, uint64_t min_m, ab__gap_dist *out);

/* ---- SHA-256 (gap_sha256.c) ---- */

/* libcrypto's SHA256_CTX (112 bytes), held in place: hashing allocates nothing. */
typedef struct ab__sha256 {
    uint64_t ctx[16];
} ab__sha256;

void ab__sha256_init(ab__sha256 *s);
void ab__sha256_update(ab__sha256 *s, const void *data, size_t len);
/* Writes 64 lower-case hex digits and a NUL. */
void ab__sha256_hex(ab__sha256 *s, char hex[65]);
/* Hashes files one after the other (their concatenation). A file that is
 * not a regular one (a pipe, a terminal) was consumed by the read and cannot
 * be read again: then there is no digest (hex is ""), as for stdin. AB_EIO
 * with err naming the file. Allocates nothing; safe to call from any thread. */
int ab__sha256_files(const char *const *paths, size_t count, char hex[65], ab_error *err);

/* ---- Accept file (gap_accept.c) ---- */

typedef enum ab__gap_rule_type {
    AB__RULE_BYPASS = 0,
    AB__RULE_UNDOCUMENTED,
    AB__RULE_EXTRA,
    AB__RULE_REWORK,
    AB__RULE_OUT_OF_ORDER,
    AB__RULE_SUBSTITUTION,
    AB__RULE_TRANSITION,
    AB__RULE_ROLE,    /* role,TASK,ROLE: a role violation of TASK by ROLE. */
    AB__RULE_SOD,     /* sod,A,B: one resource did both A and B. */
    AB__RULE_HANDOFF, /* handoff,FROM_ROLE,TO_ROLE: an undocumented hand-off. */
} ab__gap_rule_type;

typedef struct ab__gap_rule {
    ab__gap_rule_type type;
    char *a;    /* Normalised; "*" matches anything. */
    char *b;    /* Substitution and transition: the second name; else NULL. */
    char *text; /* The line as written (trimmed). */
    uint64_t line;
    uint64_t cases; /* Cases where it accepted something. */
} ab__gap_rule;

/* Parses the accept file into rules allocated from arena. */
int ab__gap_accept_parse(ab__arena *arena, const char *path, ab__gap_rule **rules_out,
                         uint32_t *count_out, ab_error *err);
/* Whether a rule name pattern matches a normalised name. */
int ab__gap_rule_match(const char *pattern, const char *norm);
/* The rule type's keyword ("bypass" ...). */
const char *ab__gap_rule_type_name(ab__gap_rule_type t);

/* ---- The gap ---- */

/* Cases a group names by their ids: as many as a finding shows examples. */
#define AB__GAP_SMALLEST 3

/* One group of cases: a conformance variant, split by the open flag under
 * --open-cases exclude. Its cases share the alignment and its classes. */
typedef struct ab__gap_group {
    uint32_t variant;
    const ab_conform_variant *v;
    uint8_t open;          /* Possibly open and treated as unfinished (tail dropped). */
    uint8_t deviating;     /* Has a deviation that is not accepted. */
    uint8_t deviating_raw; /* Has a deviation. */
    uint32_t case_count;
    uint32_t smallest[AB__GAP_SMALLEST]; /* Its cases with the smallest ids (byte
                                            order), ascending; UINT32_MAX past the end. */
    ab_gap_move_class *cls;              /* Per move. */
    uint8_t *accepted;                   /* Per move. */
    ab_gap_deviation *devs;
    uint32_t dev_count;
    uint32_t *pos_move; /* Instance index -> its move (length entries). */
    uint32_t end_key;   /* End stratum: interned name of the end reached. */
    uint32_t here;      /* Its cases in this process. Only groups with cases here are
                           classified (cls, accepted, devs), and those the examples show;
                           the deviating flags are every group's. */
} ab__gap_group;

/* A finding while it is accumulated. */
typedef struct ab__gap_entry {
    ab_gap_kind kind;
    ab__gap_key key;
    uint64_t cases; /* Numerator: cases with it. */
    uint64_t of;    /* Denominator, set when finishing. */
    uint64_t occurrences;
    uint32_t last_group; /* The last group counted (UINT32_MAX = none). */
    uint32_t *groups;    /* Groups with it, in order. */
    uint32_t *moves;     /* Per group: the move of its first occurrence. */
    uint32_t *repeats;   /* Per group: repetitions (rework). */
    size_t groups_cap, moves_cap, repeats_cap;
    uint32_t group_count;
    uint32_t early_exit_cases;
    uint64_t attribution[3];
    uint32_t approximate_cases;
    uint32_t element_trans; /* Bypasses: the transition most often skipped. */
    int documented;         /* Rework: documented repetitions. */
    uint32_t anchor;        /* Time stratum: an activity, AB__GAP_ANCHOR_END (the end
                               reached), or AB__GAP_ANCHOR_NONE (a step the log lacks). */
    int filter;             /* Restrict the deviating cases to the stratum too. */
    uint64_t best_count;    /* The most frequent context / element / skipped list. */
    uint32_t best_b, best_c;
    struct ab__gap_rep *reps; /* Rework: repetitions and their cases, by value. */
    size_t reps_cap;
    uint32_t rep_count;
    uint32_t groups_folded; /* Its first groups whose repetitions are in reps. */
} ab__gap_entry;

/* ---- The findings' tally (gap_tally.c) ----
 *
 * What the findings count over the groups is a set of sums over cases: the
 * summary's counters, per activity and per label, and per finding (kind and
 * key) and per context counter. The tally writes them in a canonical form
 * (entries and counters sorted by key, interned names as text), so tallies
 * of any split of the groups, merged in any order, give the same bytes as
 * one tally of them all. A finding's groups stay where they were counted. */

/* Kinds of the context counters (beside the findings' ab_gap_kind). */
enum { AB__GAP_CNT_ELEMENT = 100, AB__GAP_CNT_CONTEXT, AB__GAP_CNT_SKIPPED, AB__GAP_CNT_ORDER };

/* A rework finding's repetitions: a value and the cases with it. */
typedef struct ab__gap_rep {
    uint32_t value;
    uint64_t weight;
} ab__gap_rep;

struct ab__gap_act_scr;
struct ab__gap_label_scr;

typedef struct ab__gap_acc {
    ab_gap *g;
    ab__gap_map map;
    ab__gap_entry *entries;
    size_t entries_cap;
    uint32_t entry_count; /* Entries initialised (the map may hold one more key). */
    ab__gap_map cmap;
    uint64_t *counts;
    size_t counts_cap;
    struct ab__gap_act_scr *act;
    struct ab__gap_label_scr *lab;
    char *text; /* Scratch for joined names. */
    size_t text_cap;
    int own_sums; /* The per-activity and per-label sums are its own, not g's. */
    /* Sums for the summary. */
    uint64_t m1, m1_raw, log_moves, model_moves, sync_moves, events, cost, worst;
    uint64_t m7, m7b, m8, m10, undoc_cases, ctrl_num, ctrl_den, closed_cases, approximate_cases;
    uint64_t *act_cases, *act_events;                 /* Per activity (g's unless own_sums). */
    uint64_t *label_required, *label_sync_cases;      /* Per label (g's unless own_sums). */
    uint64_t *label_absent, *label_bypass_cases;
} ab__gap_acc;

/* own_sums: the per-activity and per-label sums are allocated, else g's. */
int ab__gap_acc_init(ab__gap_acc *A, ab_gap *g, int own_sums);
void ab__gap_acc_finish(ab__gap_acc *A);
/* The finding with key k, added (with zero sums, no groups) when new. */
int ab__gap_acc_entry(ab__gap_acc *A, ab__gap_key k, uint32_t *index_out);
/* Adds n to the context counter with key (kind, a, b, c). */
int ab__gap_acc_count(ab__gap_acc *A, uint32_t kind, uint32_t a, uint32_t b, uint32_t c,
                      uint64_t n);
/* Counts groups first, first + step, ... (gap_metrics.c), then folds each
 * finding's new groups' repetitions into its reps (ab__gap_acc_reps). */
int ab__gap_acc_groups(ab__gap_acc *A, uint32_t first, uint32_t step);
/* Adds the repetitions of each rework finding's groups not yet folded to
 * its reps (with each group's cases here), kept sorted by value, equal
 * values joined. */
int ab__gap_acc_reps(ab__gap_acc *A);
/* Appends the tally's canonical bytes to out. */
int ab__gap_tally_write(const ab__gap_acc *A, ab_buf *out);
/* Sets every sum to zero; the findings, their keys and groups stay. */
void ab__gap_tally_clear(ab__gap_acc *A);
/* Adds a written tally's sums; AB_EINVAL when the bytes are not one of
 * this gap's tallies. The bytes come from the processes of one run: they
 * are checked for their shape, not for every id they hold. */
int ab__gap_tally_merge(ab__gap_acc *A, const void *bytes, size_t len);
/* Each finding's groups with, per group, the move and repetitions it was
 * counted with: appended to out; merged from written lists; then put in
 * group order, each group once. */
int ab__gap_lists_write(const ab__gap_acc *A, ab_buf *out);
int ab__gap_lists_merge(ab__gap_acc *A, const void *bytes, size_t len);
int ab__gap_lists_finish(ab__gap_acc *A);

/* Codes of the case's two ends in transition and context keys. */
#define AB__GAP_CODE_START 0xFFFFFFFEu
#define AB__GAP_CODE_END 0xFFFFFFFDu
#define AB__GAP_ANCHOR_END 0xFFFFFFFCu
#define AB__GAP_ANCHOR_NONE 0xFFFFFFFBu

struct ab_gap {
    ab_ctx *ctx;
    ab__arena arena;    /* Strings and everything sized once. */
    ab__strtab names;   /* Interned texts: end strata, skipped lists. */
    const ab_log *log;  /* The cases, for the local shares and who did the work. */
    ab__gap_header hdr; /* The rest of what the report says of the log. */
    const ab_net *net;
    ab_gap_options opts; /* Strings point into the arena. */
    char *controls_text;
    ab_conform_stats cstats;
    /* Activities and labels. */
    uint32_t activity_count;
    uint32_t label_count;
    uint32_t *act_label; /* Activity -> net label, or AB_NET_SILENT. */
    uint32_t *label_act; /* Net label -> activity, or AB_CONFORM_NONE. */
    uint8_t *documented; /* Activity carried by some transition. */
    char **act_norm;     /* Normalised names, for the accept rules. */
    char **label_norm;
    uint64_t *act_cases;        /* Cases whose trace contains the activity. */
    uint64_t *act_events;       /* Instances of the activity. */
    uint64_t *label_required;   /* Closed cases whose path required the label (M9 of). */
    uint64_t *label_sync_cases; /* Cases with a sync of the label (M11). */
    uint64_t *label_absent;     /* Closed cases without the label's activity (M9m). */
    int8_t *mandatory;          /* Per label: AB_NET_YES/NO/UNKNOWN, or 2 = not asked. */
    uint8_t *control;           /* Per label. */
    /* Variants and cases. */
    uint32_t variant_count;
    const ab_conform_variant **variants;
    uint32_t case_count; /* Each case's group, times and open flag are the shares'
                            (g->parts; in this process ab__gap_case_group ...). */
    ab__gap_group *groups;
    uint32_t group_count;
    /* Model. */
    ab__gap_model model;
    ab__gap_replay replay;
    /* Findings. */
    ab_gap_item *items[AB_GAP_K__COUNT];
    uint32_t item_count[AB_GAP_K__COUNT];
    ab_gap_dead_step *dead_steps;
    uint32_t dead_step_count;
    ab_gap_dead_path *dead_paths;
    uint32_t dead_path_count;
    ab_gap_unused_option *options;
    uint32_t option_count;
    const char **statements;
    uint32_t statement_count;
    ab__gap_rule *rules;
    uint32_t rule_count;
    ab_gap_summary summary;
    /* Header. */
    char log_sha[65], model_sha[65], map_sha[65], mapping_sha[65], accept_sha[65];
    char **lib_sha;
    uint64_t min_support;
    uint32_t other_kinds[AB_GAP_K__COUNT]; /* Findings below minimum support ... */
    uint64_t other_cases[AB_GAP_K__COUNT]; /* ... and the cases that have one. */
    uint64_t other_total_cases;            /* Cases with any of them. */
    uint32_t other_dead_labels;
    const ab__gap_view *view;     /* The input, during ab__gap_compute_view only. */
    uint64_t closed_cases;        /* N minus the cases excluded as open (bypass metrics). */
    uint64_t *label_bypass_cases; /* Per label: closed cases that skipped it (M9). */
    uint32_t **variant_acts;      /* Per variant: its distinct activities, ascending. */
    uint32_t *variant_act_count;
    struct ab__who *who;    /* Who did the work (who/who_gap.c). */
    ab__gap_parts parts;    /* The per-case steps, during ab__gap_compute_view. */
    uint64_t *variant_open; /* Per variant: its possibly open cases (until the groups). */
};

/* The view's shares, in this process: ab__gap_share_count() of them (1
 * when the view gives none), share s has ab__gap_share_size() cases, the
 * i-th ab__gap_share_case(). */
uint32_t ab__gap_share_count(const ab_gap *g);
uint32_t ab__gap_share_size(const ab_gap *g, uint32_t s);
uint32_t ab__gap_share_case(const ab_gap *g, uint32_t s, uint32_t i);

/* The per-case steps over the view's shares, in this process. Each share
 * keeps what it finds of its cases (variant, then group; times; open flag),
 * starting from variant_of (per case; taken over, freed on failure too).
 * AB_OK or AB_ENOMEM. */
int ab__gap_parts_local(ab_gap *g, uint32_t *variant_of, ab__gap_parts *out);
/* What the local shares hold of case c, for the calls that name one case
 * (the case lines, ab_gap_case_*, who did the work): its group, its cycle
 * time (INT64_MIN: none), whether it is possibly open. */
uint32_t ab__gap_case_group(const ab_gap *g, uint32_t c);
int64_t ab__gap_case_ct(const ab_gap *g, uint32_t c);
int ab__gap_case_open(const ab_gap *g, uint32_t c);
/* The index in the whole log of the view's case c. */
uint32_t ab__gap_case_global(const ab_gap *g, uint32_t c);
/* Whether the cases are all in this process (the case lines and the
 * public per-case calls need them). */
int ab__gap_cases_here(const ab_gap *g);
/* Frees what the parts' exchange() gave. */
void ab__gap_exchange_free(void **all, size_t *lens, uint32_t count);
/* Appends the line of case c (an index of the view's log) that
 * ab_gap_write_cases writes, under the given id. AB_OK or AB_ENOMEM. */
int ab__gap_write_case_line(const ab_gap *g, ab_buf *buf, uint32_t c, const char *id);

/* Parts over processes (collective): every process sends its status rc
 * and, when it is AB_OK, the n bytes at mine. Returns the first status
 * other than AB_OK in process order (AB_EINVAL for a message of another
 * length), the same everywhere; when AB_OK, (*all)[q] holds process q's n
 * bytes (freed with ab__gap_exchange_free), else *all is NULL. */
int ab__gap_exchange_status(const ab__gap_parts *c, int rc, const void *mine, size_t n,
                            void ***all, size_t **lens, uint32_t *count);
/* The same with messages of any length: (*lens)[q] is process q's. */
int ab__gap_exchange_varied(const ab__gap_parts *c, int rc, const void *mine, size_t n,
                            void ***all, size_t **lens, uint32_t *count);
/* The same with no bytes: the first status other than AB_OK of the
 * processes' rc, in process order; AB_OK when all are. */
int ab__gap_agree(const ab_gap *g, int rc);
/* Over processes (collective): v[0 .. n) summed over them, in place, when
 * every process's rc is AB_OK; else the first failure, v untouched. */
int ab__gap_sum_u64(const ab_gap *g, int rc, uint64_t *v, size_t n);
/* This process's closed cases with a cycle time, per group (here[g],
 * zeroed first): the groups it holds cases of. */
void ab__gap_valid_here(const ab_gap *g, uint32_t *here);
/* The parts' valid() and lay_out() with the groups' open flags and
 * lengths. */
int ab__gap_parts_valid(const ab_gap *g, uint32_t *valid);
int ab__gap_parts_lay_out(const ab_gap *g, const uint32_t *valid);

/* ---- Who did the work (who/who_gap.c) ---- */

/* Computes the resource perspective (during ab__gap_compute_view, with the
 * view set); AB_EIO / AB_EPARSE name the file. */
int ab__who_compute(ab_gap *g, ab_error *err);
void ab__who_destroy(ab_gap *g);
/* The cases its writers name: their count, and them into out unless NULL. */
size_t ab__who_named_cases(const ab_gap *g, uint32_t *out);
/* Every case the reports name (examples; not the case lines), ascending,
 * each once: *out malloc'ed (free()), *n of them. AB_OK or AB_ENOMEM. */
int ab__gap_named_cases(const ab_gap *g, uint32_t **out, size_t *n);

/* Classifies a group: its moves' classes, accepted moves and deviations;
 * the accept rules that apply count its cases here (gap_compute.c). */
int ab__gap_classify_group(ab_gap *g, ab__gap_group *gr);
/* Metrics and findings once the groups are classified (gap_metrics.c). */
int ab__gap_findings(ab_gap *g, ab_error *err);
/* Calls opts.progress, if any, from one thread at a time (gap_compute.c). */
void ab__gap_progress(const ab_gap *g, const char *phase, uint64_t done, uint64_t total);
/* Adds one to *done and reports it, under the same lock. */
void ab__gap_progress_step(const ab_gap *g, const char *phase, uint32_t *done, uint32_t total);
/* Time impacts of every finding (gap_time.c). */
int ab__gap_time_impacts(ab_gap *g, const ab__gap_entry *entries, ab_gap_item *const *items,
                         uint32_t count);
/* Example cases and their excerpts of each finding (gap_examples.c). */
int ab__gap_examples(ab_gap *g, const ab__gap_entry *entries, ab_gap_item *const *items,
                     uint32_t count);
/* The sentences (gap_statements.c). */
int ab__gap_statements(ab_gap *g);

/* ab_gap_mapping_coverage with each activity's events given (per activity
 * id of log; NULL: the log's own), for a driver whose log holds a share of
 * the cases. */
int ab__gap_mapping_coverage_of(const ab_log *log, const uint64_t *act_events, const ab_net *net,
                                const ab_bpmn_mapping *mapping, ab_gap_rate *events,
                                ab_gap_rate *tasks, char *warning, size_t cap);

/* A case's id, as the header gives it. */
const char *ab__gap_case_id(const ab_gap *g, uint32_t c);
/* The header of log as it is, its activities' names and events put into
 * names[] and events[] (one per activity; they must outlive the gap). */
void ab__gap_header_of_log(const ab_log *log, const char **names, uint64_t *events,
                           ab__gap_header *h);

/* The name of a label / activity / either side of a move. */
const char *ab__gap_label_name(const ab_gap *g, uint32_t label);
const char *ab__gap_act_name(const ab_gap *g, uint32_t activity);
/* The label of a move's step: the transition's label for model moves, else the activity's. */
const char *ab__gap_move_name(const ab_gap *g, const ab_move *m);

/* ---- Formatting shared by the writers (gap_format.c) ---- */

/* Output with a sticky error code, so that rendering is one call per item. */
typedef struct ab__gw {
    ab_buf *buf;
    ab_ctx *ctx;
    int rc;
} ab__gw;

void ab__gw_printf(ab__gw *w, const char *fmt, ...) AB__PRINTF(2, 3);
void ab__gw_puts(ab__gw *w, const char *s);
/* A JSON string with quotes; NULL becomes null. */
void ab__gw_jstr(ab__gw *w, const char *s);
/* Markdown text with the characters that format escaped. */
void ab__gw_md(ab__gw *w, const char *s);
/* A duration in seconds rounded to 2 significant digits, as a JSON number. */
void ab__gw_dur(ab__gw *w, double s);
/* Formats a duration in seconds, 2 significant digits, into buf. */
void ab__gap_fmt_sig2(double v, char *buf, size_t cap);
/* A percentage with one decimal, ".0" dropped ("62", "62.3", "0.1"). */
void ab__gap_fmt_pct(double rate, char *buf, size_t cap);
/* A duration in hours for sentences ("2.7 h", "0.0083 h"). */
void ab__gap_fmt_hours(double s, char *buf, size_t cap);
/* An ISO-8601 time, or "" for AB_TIME_NONE. */
void ab__gap_fmt_time(ab_time t, char *buf, size_t cap);

/* How the report reads the spec where it leaves a choice (JSON notes, Markdown appendix). */
extern const char *const ab__gap_notes[];
extern const size_t ab__gap_note_count;

/* Rate with its Wilson interval. */
ab_gap_rate ab__gap_rate(uint64_t count, uint64_t of);

/* JSON pieces shared with the who writers (gap_json.c). */
void ab__gap_json_rate(ab__gw *w, const ab_gap_rate *r);
void ab__gap_json_time(ab__gw *w, const ab_gap *g, const ab_gap_time *t);
/* The who writers (who/who_gap.c): the summary's four rates, the top-level
 * "who" object, a case line's "who" key, the Markdown section. */
void ab__who_json_summary(ab__gw *w, const ab_gap *g);
void ab__who_json(ab__gw *w, const ab_gap *g);
void ab__who_json_case(ab__gw *w, const ab_gap *g, uint32_t c);
void ab__who_markdown(ab__gw *w, const ab_gap *g);

#endif
