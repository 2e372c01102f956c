/*
 * asbuilt/discover.h: the as-is process of an event log. A directly-follows
 * graph (DFG) with, for every edge a -> b, how often b directly follows a,
 * in how many cases, and how long the hand-over took; artificial start and
 * end edges; per activity its events, cases and service times; the variants
 * (distinct activity sequences) with their cases, share, cycle times and
 * example case ids; and the structure that later stages name in sentences:
 * self-loops and rework cycles (strongly connected components).
 *
 * Two ways in, one code path. ab_dfg_discover() summarises a finished
 * ab_log. An accumulator (ab_dfg_acc) takes one case at a time and never
 * looks back, so a reader that delivers cases one by one (XES groups events
 * by trace) can summarise a log that does not fit in memory: its memory
 * grows with activities, edges and variants, not with events, when
 * durations are kept as sketches (AB_DFG_SKETCH). ab_dfg_discover() feeds
 * the same accumulator.
 *
 * Counting follows PM4Py's discover_dfg: every event of a case counts, in
 * the log's order (timestamp, then start timestamp, then input position),
 * so a log with lifecycle start and complete events gives "A -> A" edges
 * from each start to its completion, exactly as PM4Py does. Filter the log
 * (--lifecycle complete) for a map of completions only.
 *
 * Durations, in seconds in every output:
 * - edge a -> b: from the completion of a to the start of b (b's completion
 *   when the log gives no start time for it), clipped at 0 as PM4Py does
 *   when b started before a ended (parallel work waits no time);
 * - service time of an activity: from its start to its completion, for
 *   events that carry a start time, or for lifecycle "start" events matched
 *   with later "complete" events of the same activity in the same case,
 *   first in first out;
 * - cycle time of a case: from the earliest start (or completion) to the
 *   latest completion of its events.
 * Percentiles use linear interpolation between order statistics (numpy's
 * and pandas' default, "method 7"): for n sorted values x[0..n-1] and
 * p in [0, 1], h = (n - 1) p and q = x[floor h] + (h - floor h) (x[floor h
 * + 1] - x[floor h]). The median of an even count is the mean of the middle
 * two. A sketch keeps the first 32 values of each series exactly and then
 * counts values in logarithmic buckets (64 per power of two); its median
 * and p90 are then within 0.8% of the exact ones. min, max and mean are
 * always exact (the mean from an exact integer sum of microseconds).
 *
 * Output is deterministic: activities are ordered by name (byte order),
 * edges by count, cases, then names; variants by cases, then by their
 * activity names; example case ids are the smallest ids (byte order). The
 * order of the input rows does not change any number or any byte of the
 * writers' output, except where it decides the order of events with equal
 * timestamps in a case.
 *
 * Thread-safety: an accumulator is used by one thread at a time. A finished
 * ab_dfg is immutable and may be read (and written out) from many threads.
 * Discovery reads an ab_log without changing it. The structure analysis
 * calls igraph, whose error handler ab_ctx_create() sets process-wide; its
 * allocations do not go through the context's allocator.
 */
#ifndef ASBUILT_DISCOVER_H
#define ASBUILT_DISCOVER_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "log.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ab_dfg (a finished directly-follows graph with variants) and ab_dfg_acc
 * (takes cases one at a time and turns them into an ab_dfg) are declared in
 * types.h. */

/** How durations are kept until the percentiles are computed. */
typedef enum ab_dfg_quantiles {
    AB_DFG_EXACT = 0,  /**< Every duration is kept: exact, memory grows with events. */
    AB_DFG_SKETCH = 1, /**< Bounded memory per series; median and p90 within 0.8%. */
} ab_dfg_quantiles;

typedef struct ab_dfg_options {
    unsigned version;           /**< AB_DFG_OPTIONS_VERSION. */
    ab_dfg_quantiles quantiles; /**< AB_DFG_EXACT (default) or AB_DFG_SKETCH. */
    uint64_t min_edge_cases;    /**< Edges (start and end edges too) seen in fewer cases are
                                     left out of the graph; 0 or 1 keeps every edge. */
    uint32_t top_variants;      /**< Only the cases of the K most frequent variants of the
                                     log (in the variant order above); 0 = every case.
                                     ab_dfg_discover() only. */
    double activities_percent;  /**< Keep the most frequent activities (events descending,
                                     then name) that together hold at least this percentage
                                     of the events of the selected cases, and project every
                                     case onto them: events of other activities are removed
                                     before discovery, so a -> x -> b becomes a -> b, as
                                     PM4Py's log filters do. Cases left empty are dropped.
                                     In (0, 100]; 100 keeps all. ab_dfg_discover() only. */
    uint32_t examples;          /**< Example case ids kept per variant (at most 16). */
    uint32_t max_variants;      /**< Variants kept in the result, the most frequent first
                                     (0 = all). They are all counted either way; a log of
                                     a million cases may have as many variants. */
    /* Version 2: */
    int instances; /**< 1: draw activity instances rather than events. A lifecycle start
                        and the next completion of the same activity in the case (first
                        in, first out) are one instance, as conformance pairs them; an
                        edge a -> b then carries the wait from a's completion to b's start,
                        and each activity its service time (start to completion). Other
                        lifecycle transitions and starts never completed are left out.
                        0 (default): every event counts, as in PM4Py, so a start/complete
                        log has an a -> a edge from each start to its completion.
                        ab_dfg_discover() only. */
} ab_dfg_options;

/** 2 adds `instances`; options of version 1 are still accepted. */
#define AB_DFG_OPTIONS_VERSION 2
#define AB_DFG_OPTIONS_INIT {AB_DFG_OPTIONS_VERSION, AB_DFG_EXACT, 0, 0, 100.0, 3, 0, 0}

/** Summary figures of a series of durations, in seconds. All 0 when count is 0. */
typedef struct ab_dfg_stats {
    uint64_t count; /**< Durations measured (both times known). */
    double min;     /**< Shortest. */
    double median;  /**< 50th percentile (linear interpolation). */
    double mean;    /**< Arithmetic mean. */
    double p90;     /**< 90th percentile (linear interpolation). */
    double max;     /**< Longest. */
} ab_dfg_stats;

/** An activity of the graph. Index = position in byte order of the names. */
typedef struct ab_dfg_activity {
    const char *name;     /**< NUL-terminated, owned by the ab_dfg. */
    uint64_t events;      /**< Events of this activity (every lifecycle transition). */
    uint64_t cases;       /**< Cases with at least one such event. */
    uint64_t starts;      /**< Cases whose first event it is (artificial start edge). */
    uint64_t ends;        /**< Cases whose last event it is (artificial end edge). */
    ab_dfg_stats service; /**< Service times; count 0 when the log has no start times. */
} ab_dfg_activity;

/** A directly-follows edge. */
typedef struct ab_dfg_edge {
    uint32_t from;         /**< Activity index. */
    uint32_t to;           /**< Activity index (== from for a self-loop). */
    uint64_t count;        /**< Times `to` directly follows `from`. */
    uint64_t cases;        /**< Cases in which it does at least once. */
    ab_dfg_stats duration; /**< Completion of `from` to start of `to`. */
} ab_dfg_edge;

/** An artificial start or end edge: cases that begin (end) with an activity. */
typedef struct ab_dfg_endpoint {
    uint32_t activity; /**< Activity index. */
    uint64_t count;    /**< Cases (each case starts and ends once). */
} ab_dfg_endpoint;

/** A variant of the summarised cases. */
typedef struct ab_dfg_variant {
    uint32_t length;             /**< Events in the sequence. */
    const uint32_t *activities;  /**< Activity indices, `length` entries. */
    uint64_t cases;              /**< Cases following it. */
    double share;                /**< cases / all summarised cases. */
    ab_dfg_stats cycle_time;     /**< Cycle times of its cases. */
    uint32_t example_count;      /**< Entries in examples. */
    const char *const *examples; /**< The smallest case ids (byte order). */
} ab_dfg_variant;

/**
 * A rework structure: a strongly connected component of the graph (after the
 * edge filter) with two or more activities, or a single activity with an
 * edge to itself (a self-loop).
 */
typedef struct ab_dfg_cycle {
    uint32_t size;              /**< Activities in it (1 = self-loop). */
    const uint32_t *activities; /**< Activity indices, ascending (name order). */
    uint32_t edges;             /**< Edges inside it, self-loops included. */
    uint64_t count;             /**< Occurrences of those edges. */
} ab_dfg_cycle;

/** What was summarised and how. */
typedef struct ab_dfg_info {
    uint64_t cases;               /**< Cases summarised (after the case and activity filters). */
    uint64_t events;              /**< Events summarised. */
    uint64_t log_cases;           /**< Cases in the log (ab_dfg_discover), else == cases. */
    uint64_t log_events;          /**< Events in the log (ab_dfg_discover), else == events. */
    uint32_t log_activities;      /**< Activities in the log before the activity filter. */
    uint32_t edges_before_filter; /**< Edges before min_edge_cases. */
    uint32_t variants_total;      /**< Variants of the summarised cases (before max_variants). */
    ab_dfg_options options;       /**< The options in force. */
} ab_dfg_info;

/**
 * Summarises a finished log. opts may be NULL for the defaults. On success
 * *out holds a graph to release with ab_dfg_destroy(). Returns AB_OK,
 * AB_EINVAL (bad options: version, activities_percent outside (0, 100],
 * examples above 16), AB_ENOMEM, or AB_ERROR when igraph fails (err says
 * why). The log is only read.
 */
AB_API int ab_dfg_discover(ab_dfg **out, ab_ctx *ctx, const ab_log *log, const ab_dfg_options *opts,
                           ab_error *err);

/** Destroys a graph; NULL is accepted. */
AB_API void ab_dfg_destroy(ab_dfg *dfg);

/* ---- Reading a graph. Pointers stay valid while the graph lives. ---- */

AB_API const ab_dfg_info *ab_dfg_get_info(const ab_dfg *dfg);
AB_API uint32_t ab_dfg_activity_count(const ab_dfg *dfg);
/** Activities in byte order of their names. */
AB_API const ab_dfg_activity *ab_dfg_activities(const ab_dfg *dfg);
/** Looks an activity up by name; AB_ENOTFOUND when absent. */
AB_API int ab_dfg_activity_find(const ab_dfg *dfg, const char *name, uint32_t *index_out);
AB_API uint32_t ab_dfg_edge_count(const ab_dfg *dfg);
/** Edges by count (descending), cases (descending), then from and to indices. */
AB_API const ab_dfg_edge *ab_dfg_edges(const ab_dfg *dfg);
/** Looks an edge up; NULL when absent (or filtered out). */
AB_API const ab_dfg_edge *ab_dfg_edge_find(const ab_dfg *dfg, uint32_t from, uint32_t to);
/** Start edges in activity order; *count_out receives their number. */
AB_API const ab_dfg_endpoint *ab_dfg_starts(const ab_dfg *dfg, uint32_t *count_out);
/** End edges in activity order; *count_out receives their number. */
AB_API const ab_dfg_endpoint *ab_dfg_ends(const ab_dfg *dfg, uint32_t *count_out);
AB_API uint32_t ab_dfg_variant_count(const ab_dfg *dfg);
/** Variants by cases (descending), then activity names. */
AB_API const ab_dfg_variant *ab_dfg_variants(const ab_dfg *dfg);
AB_API uint32_t ab_dfg_cycle_count(const ab_dfg *dfg);
/** Rework structures: larger first, then more occurrences, then first activity. */
AB_API const ab_dfg_cycle *ab_dfg_cycles(const ab_dfg *dfg);

/* ---- The accumulator: one case at a time. ---- */

/**
 * One case handed to an accumulator: its events in order. Arrays have
 * `length` entries and are only read during the call. Activity ids are the
 * caller's (for instance a log's interned ids); the accumulator asks the
 * name function once per id it has not seen.
 */
typedef struct ab_dfg_case {
    const char *case_id; /**< Not NUL-terminated. */
    size_t case_id_len;
    uint32_t length;          /**< Events (0: the case is ignored). */
    const uint32_t *activity; /**< Activity id per event. */
    const ab_time *ts;        /**< Completion time per event, or NULL (no times). */
    const ab_time *start;     /**< Start time per event (AB_TIME_NONE: none), or NULL. */
    const uint8_t *lifecycle; /**< ab_lifecycle per event, or NULL. */
} ab_dfg_case;

/** Returns the name of an activity id (and its length in *len_out), or NULL if unknown. */
typedef const char *(*ab_dfg_name_fn)(uint32_t activity_id, size_t *len_out, void *payload);

/** The ab_dfg_name_fn of a finished log's activity ids (payload: the const ab_log *). */
AB_API const char *ab_dfg_log_name(uint32_t activity_id, size_t *len_out, void *payload);

/**
 * Creates an accumulator. Only quantiles, min_edge_cases, examples and
 * max_variants of opts apply (case and activity filters belong to whoever
 * feeds the cases).
 * names resolves activity ids; payload is passed to it. AB_EINVAL on bad
 * options, AB_ENOMEM.
 */
AB_API int ab_dfg_acc_create(ab_dfg_acc **out, ab_ctx *ctx, const ab_dfg_options *opts,
                             ab_dfg_name_fn names, void *payload);

/**
 * Adds one case. Cases may come in any order; the result does not depend on
 * it. Returns AB_OK, AB_ENOMEM, AB_EINVAL when the name function returns
 * NULL for an id, or AB_ELIMIT past 2^32-2 activities, edges or variants.
 * After a failure the case may be partly counted: destroy the accumulator.
 */
AB_API int ab_dfg_acc_add_case(ab_dfg_acc *acc, const ab_dfg_case *c, ab_error *err);

/** Bytes the accumulator holds now (for benchmarks and the one-pass memory bound). */
AB_API size_t ab_dfg_acc_memory(const ab_dfg_acc *acc);

/**
 * Computes the figures, applies min_edge_cases, finds the rework structure,
 * and returns the graph. The accumulator is destroyed in every case.
 * AB_ENOMEM, or AB_ERROR when igraph fails.
 */
AB_API int ab_dfg_acc_finish(ab_dfg_acc *acc, ab_dfg **out, ab_error *err);

/** Destroys an unfinished accumulator; NULL is accepted. */
AB_API void ab_dfg_acc_destroy(ab_dfg_acc *acc);

/**
 * The accumulator of a finished log: what ab_dfg_discover() feeds before it
 * finishes (every option applies). case_keep (one byte per case) and
 * act_keep (one per activity id), when not NULL, replace what top_variants
 * and activities_percent would choose on this log: for a part of a larger
 * log, whose choice was made on the whole. *out is NULL on failure.
 */
AB_API int ab_dfg_discover_acc(ab_dfg_acc **out, ab_ctx *ctx, const ab_log *log,
                               const ab_dfg_options *opts, const uint8_t *case_keep,
                               const uint8_t *act_keep, ab_error *err);

/**
 * The activities activities_percent keeps: events[i] are the events of
 * activity i (activities in byte order of their names) in the selected
 * cases; keep[i] = 1 for the most frequent (events descending, then name)
 * that together hold at least percent of the events, the shortest such
 * prefix. AB_OK or AB_ENOMEM.
 */
AB_API int ab_dfg_choose_activities(ab_ctx *ctx, const uint64_t *events, uint32_t n, double percent,
                                    uint8_t *keep);

/* ---- Merging accumulators: one graph from logs summarised apart. ----
 *
 * Processes that each summarise a part of a log, every case whole in one
 * part, give the graph of the whole log: each saves its counters, one
 * accumulator loads them all, and its finish asks for the order statistics
 * that medians and p90 need (the k-th smallest duration of a series), which
 * the parts answer together with ab_dfg_acc_order_count(): counts summed
 * over the parts narrow the value down (a distributed selection), so every
 * percentile is exact, or, in sketch mode, the very bucket one accumulator
 * would have chosen. The graph is that of ab_dfg_discover() on the whole
 * log, byte for byte in every writer.
 */

/**
 * Appends the counters of acc to `graph` (totals, activities, edges, the
 * log's activity names) and its variants to variants[h % parts], where h
 * hashes the variant's activity names (so that each variant of a split log
 * meets itself in one part). Duration series go as their count, extremes
 * and exact sum; their values stay in acc. graph or variants may be NULL to
 * leave that out. AB_OK or AB_ENOMEM.
 */
AB_API int ab_dfg_acc_save(const ab_dfg_acc *acc, ab_buf *graph, ab_buf *variants, uint32_t parts);

/**
 * Appends the first k variants of acc (all for k == 0) in the order of the
 * result (cases descending, then activity names), as ab_dfg_acc_save does.
 */
AB_API int ab_dfg_acc_save_top(const ab_dfg_acc *acc, uint32_t k, ab_buf *out);

/**
 * Adds what ab_dfg_acc_save() or ab_dfg_acc_save_top() wrote to acc, which
 * then takes no more cases. The options of both must agree. AB_EPARSE for
 * a damaged or foreign buffer, AB_EINVAL for other options, AB_ENOMEM,
 * AB_ELIMIT; err says which.
 */
AB_API int ab_dfg_acc_load(ab_dfg_acc *acc, const void *data, size_t len, ab_error *err);

/** Distinct variants of acc (after loads: of what was loaded). */
AB_API uint64_t ab_dfg_acc_variant_count(const ab_dfg_acc *acc);

/** 1 when acc holds the variant of the activity names names[0..n), else 0. */
AB_API int ab_dfg_acc_has_variant(const ab_dfg_acc *acc, const char *const *names, uint32_t n);

/** The series an order statistic is asked of. */
typedef enum ab_dfg_series_kind {
    AB_DFG_SERIES_SERVICE = 0, /**< Service times of an activity: names[0]. */
    AB_DFG_SERIES_EDGE = 1,    /**< Durations of the edge names[0] -> names[1]. */
    AB_DFG_SERIES_CYCLE = 2,   /**< Cycle times of the variant names[0..n_names). */
} ab_dfg_series_kind;

/** One order statistic wanted by a merged finish. */
typedef struct ab_dfg_order {
    ab_dfg_series_kind kind;
    uint32_t n_names;
    const char *const *names; /**< Valid during the callback. */
    int buckets;              /**< 1: the answer is a sketch bucket, 0: a value (us). */
    uint64_t k;               /**< The k-th smallest, 0-based, over all parts. */
    int64_t lo, hi;           /**< The answer lies in [lo, hi] (from the extremes). */
    int64_t value;            /**< Out: the answer. */
} ab_dfg_order;

/**
 * Finds orders[i].value for i < n: the smallest v in [lo, hi] such that
 * more than k values of the series (summed over the parts) are at most v.
 */
typedef int (*ab_dfg_order_fn)(ab_dfg_order *orders, size_t n, void *payload, ab_error *err);

/**
 * Finishes an accumulator that loaded saved parts, as ab_dfg_acc_finish()
 * does; variants_total is the number of distinct variants over all parts
 * (the sum of ab_dfg_acc_variant_count() over the accumulators that loaded
 * the variants, when each loaded the variants of one h % parts). order is
 * called once, with every order statistic the graph needs (maybe none).
 * The accumulator is destroyed in every case.
 */
AB_API int ab_dfg_acc_finish_merged(ab_dfg_acc *acc, uint64_t variants_total, ab_dfg_order_fn order,
                                    void *payload, ab_dfg **out, ab_error *err);

/**
 * For a part (an accumulator that took cases): refs[i] gets the handle of
 * acc's series that orders[i] names (UINT64_MAX when acc has none), for
 * ab_dfg_acc_order_count(). Sorts the values of those series. AB_OK or
 * AB_ENOMEM.
 */
AB_API int ab_dfg_acc_order_bind(ab_dfg_acc *acc, const ab_dfg_order *orders, size_t n,
                                 uint64_t *refs);

/**
 * For j < n, with i = which[j]: counts[j] = how many values of the series
 * refs[i] are at most at[j] (a value, or a bucket when orders[i].buckets).
 */
AB_API void ab_dfg_acc_order_count(const ab_dfg_acc *acc, const ab_dfg_order *orders,
                                   const uint64_t *refs, const uint32_t *which, size_t n,
                                   const int64_t *at, uint64_t *counts);

/**
 * Counts over all parts for ab_dfg_order_select(): for j < n, counts[j] =
 * the values at most at[j] in the series of orders[which[j]], summed over
 * the parts. Returns AB_OK or a status that stops the selection.
 */
typedef int (*ab_dfg_count_fn)(const uint32_t *which, size_t n, const int64_t *at,
                               uint64_t *counts, void *payload);

/** Bytes of scratch ab_dfg_order_select() needs for n orders. */
AB_API size_t ab_dfg_order_scratch_bytes(size_t n);

/**
 * Answers orders[0..n) by bisection on [lo, hi] (hi is narrowed as it
 * goes): each round asks count for the middle of every open range, at most
 * 64 rounds. scratch holds
 * ab_dfg_order_scratch_bytes(n) bytes, so that nothing can fail but count:
 * every part runs it with the same orders, and a count function that sums
 * over processes (an all-reduce) meets the same calls everywhere. AB_OK or
 * count's status.
 */
AB_API int ab_dfg_order_select(ab_dfg_order *orders, size_t n, void *scratch,
                               ab_dfg_count_fn count, void *payload);

/* ---- Writers. Each appends to a caller-owned buffer (see ab_buf). ---- */

/**
 * JSON, schema "asbuilt.dfg/1": an object with "cases", "events",
 * "filters", "durations" (unit and method), "activities", "start_activities"
 * and "end_activities" (objects: name -> cases), "edges" (a list of {from,
 * to, count, cases, duration: {count, min, median, mean, p90, max} or
 * null}), "self_loops", "rework_cycles", "variants_total" and "variants"
 * (each {cases, share, length, median_cycle_time, activities, examples}).
 * AB_ENOMEM.
 */
AB_API int ab_dfg_write_json(ab_buf *out, const ab_dfg *dfg);

/**
 * Graphviz DOT: one box per activity (name and events), edges whose width
 * and colour grow with their count, labelled with count and median time;
 * start and end as small circles. Every string is escaped. AB_ENOMEM.
 */
AB_API int ab_dfg_write_dot(ab_buf *out, const ab_dfg *dfg);

/**
 * A self-contained SVG picture of the graph, laid out by asbuilt itself in
 * layers from start to end (no Graphviz needed), with the same labels as the
 * DOT output and a <title> tooltip carrying every figure. AB_ENOMEM.
 */
AB_API int ab_dfg_write_svg(ab_buf *out, const ab_dfg *dfg);

/**
 * PM4Py's .dfg text format: the number of activities, one name per line,
 * the number of start activities, "index x count" lines (written
 * "3x12"), the same for end activities, then one "from>to x count" line
 * per edge ("0>3x7"). Activities in name order, edges in index order.
 * AB_EINVAL when an activity name holds a line break, which the format
 * cannot carry; AB_ENOMEM.
 */
AB_API int ab_dfg_write_pm4py(ab_buf *out, const ab_dfg *dfg, ab_error *err);

#ifdef __cplusplus
}
#endif

#endif
