/*
 * asbuilt/conform.h: optimal alignments of a log's cases against a compiled
 * workflow net, computed once per conformance variant.
 *
 * A case's trace for conformance is its sequence of activity instances: a
 * start event and the next complete event of the same activity in the same
 * case (first in, first out) form one instance; a complete event without a
 * start, and an event without lifecycle, form one instance on their own.
 * Instances are ordered by (completion time, start time, position in the
 * file). Other lifecycle transitions (schedule, suspend, ...) and starts left
 * without a completion are left out and counted. Cases with the same instance
 * activity sequence form a conformance variant and share one alignment.
 *
 * Alignments use the standard costs (synchronous 0, log move 1, visible model
 * move 1, silent move nearly 0) and are canonical (spec rule R1): among the
 * optimal ones, the one a deterministic search finds first, expanding
 * transitions in BPMN document order (the net's transition order) and
 * breaking priority ties by more trace consumed first, then insertion order.
 * A variant whose search passes the per-variant budget gets a valid but
 * possibly non-optimal alignment and is flagged approximate.
 *
 * The net's visible labels are matched to log activity names exactly (the
 * net is relabelled with the label mapping before, see net.h); an activity
 * no transition carries can only be a log move.
 *
 * Thread-safety: ab_conform_run spreads variants over threads internally and
 * merges in a fixed order, so the result does not depend on the thread
 * count. Its worker threads allocate through the context's allocator under
 * a lock held by ab_conform_run, so a custom allocator need not be
 * thread-safe (the default, malloc, is anyway); the context must not be used
 * elsewhere during the call. A finished ab_conform is immutable and may be
 * read from many threads.
 */
#ifndef ASBUILT_CONFORM_H
#define ASBUILT_CONFORM_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "log.h"
#include "net.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ab_conform (the alignments of one log against one net) is declared in types.h. */

/** No transition, no activity, no position. */
#define AB_CONFORM_NONE UINT32_MAX

typedef enum ab_move_kind {
    AB_MOVE_SYNC = 0, /**< An instance and a transition with its label. */
    AB_MOVE_LOG,      /**< An instance the model cannot explain at this point. */
    AB_MOVE_MODEL,    /**< A visible transition fired without an instance: a step not done. */
    AB_MOVE_SILENT,   /**< A silent transition; ignored by every count. */
} ab_move_kind;

typedef struct ab_move {
    ab_move_kind kind;
    uint32_t transition; /**< Net transition index; AB_CONFORM_NONE for log moves. */
    uint32_t activity;   /**< Log activity id of the instance (sync, log) or of the
                              transition's label when the log knows it (model);
                              AB_CONFORM_NONE otherwise. */
    uint32_t position;   /**< Sync and log moves: index of the instance in the trace.
                              Model and silent moves: instances consumed before it. */
} ab_move;

typedef struct ab_conform_variant {
    const uint32_t *activities; /**< The instances' log activity ids. */
    uint32_t length;            /**< Instances. */
    uint32_t case_count;
    const uint32_t *cases;      /**< Its cases (log case indices), ascending. */
    const ab_move *moves;       /**< The canonical alignment, in order. */
    uint32_t move_count;
    uint32_t cost;              /**< Log moves + visible model moves. */
    uint32_t worst_cost;        /**< length + the fewest visible transitions of a complete
                                     run of the net (fitness denominator, M0). */
    int approximate;            /**< The budget was passed: valid, maybe not optimal. */
    uint64_t states;            /**< Search nodes expanded (0 on the fast path). */
    int ambiguous;              /**< Spec R1, with ab_conform_options.check_ambiguity: 1 when
                                     another optimal alignment has a different multiset of
                                     deviations (kind and activity), 0 when none has; -1 when
                                     not checked (the option is off, the variant is approximate,
                                     or a check passed the budget). */
} ab_conform_variant;

/** Counts over the whole run. */
typedef struct ab_conform_stats {
    uint32_t cases;
    uint64_t instances;          /**< Activity instances in all traces. */
    uint64_t paired_starts;      /**< Start events joined to a completion. */
    uint64_t unpaired_starts;    /**< Start events without a later completion: left out. */
    uint64_t other_lifecycle;    /**< Events of other transitions: left out. */
    uint32_t variants;
    uint32_t fitting_variants;   /**< Cost 0. */
    uint32_t fast_path_variants; /**< Decided by deterministic replay, without search. */
    uint32_t approximate_variants;
    uint64_t states;             /**< Search nodes expanded in all. */
    uint32_t min_model_cost;     /**< Fewest visible transitions of a complete run. */
    uint64_t check_states;       /**< Search nodes the ambiguity check expanded beyond
                                      those counted in states. */
} ab_conform_stats;

typedef struct ab_conform_job ab_conform_job; /* Below. */

typedef struct ab_conform_options {
    unsigned version;    /**< AB_CONFORM_OPTIONS_VERSION. */
    unsigned threads;    /**< 0 = one per online core. */
    uint64_t max_states; /**< Search nodes expanded per variant at most (default 2,000,000). */
    uint64_t max_memory; /**< Bytes a variant's search may hold at most (default 512 MiB). */
    int check_ambiguity; /**< Check every deviating variant for a second optimal alignment
                              with other deviations (R1). The alignment's search goes on
                              past its goal through every node on an optimal path
                              (max_states more nodes at most, max_memory for all), then
                              the multisets of those paths are compared; a variant with
                              activities no transition has is checked without them,
                              once per distinct remainder. The alignments are the same
                              either way. Off by default. (Version 2.) */
    /**
     * Version 3. Called with "building traces and variants" as that
     * starts, then with "aligning variants" ("aligning variants, checking
     * ambiguity" with check_ambiguity) once before the first variant and
     * once after each: done of total, in units of trace length (a variant
     * of n instances weighs n + 1: its search grows with its length, and
     * this predicts the time left better than counting variants or cases).
     * Called from one worker thread at a time. NULL = none. It changes no
     * result.
     */
    void (*progress)(const char *phase, uint64_t done, uint64_t total, void *payload);
    void *progress_payload;
    /**
     * Version 4. Aligning elsewhere: when set, ab_conform_run does not align
     * the variants itself but calls align once, after building them, with
     * one job per conformance variant (in variant order, outputs zeroed). It
     * must fill every job's outputs, for example with ab_conform_align here
     * and in other processes (over the same net and options, with a log of
     * the same activity names under the same ids), and return AB_OK, or an
     * ab_status with err set, which ab_conform_run returns. The run checks
     * and copies the alignments; the moves stay the hook's. The jobs'
     * activities stay valid until the run returns. NULL = align here.
     */
    int (*align)(void *payload, ab_conform_job *jobs, uint32_t count, ab_error *err);
    void *align_payload;
} ab_conform_options;

/* Version 1 (without check_ambiguity), 2 (without progress) and 3 (without
 * align) callers are still accepted. */
#define AB_CONFORM_OPTIONS_VERSION 4
#define AB_CONFORM_OPTIONS_INIT {AB_CONFORM_OPTIONS_VERSION, 0, 0, 0, 0, NULL, NULL, NULL, NULL}

/**
 * One trace to align and what its alignment came to: a conformance
 * variant's work, which ab_conform_align does wherever it runs.
 */
struct ab_conform_job {
    const uint32_t *activities; /**< In: the instances' log activity ids. */
    uint32_t length;            /**< In: instances. */
    ab_move *moves;             /**< Out: the canonical alignment, in order. */
    uint32_t move_count;
    uint32_t cost;              /**< Log moves + visible model moves. */
    int approximate;            /**< The budget was passed: valid, maybe not optimal. */
    int fast_path;              /**< Decided by deterministic replay, without search. */
    uint64_t states;            /**< As ab_conform_variant.states. */
    int ambiguous;              /**< As ab_conform_variant.ambiguous, or -2 with
                                     check_ambiguity when the trace has instances no
                                     transition has: ab_conform_run checks those once
                                     per trace without them. */
    uint64_t check_states;      /**< Search nodes the ambiguity check expanded beyond
                                     states. */
};

/**
 * Aligns count traces against net as ab_conform_run aligns its variants
 * (opts: threads, budgets, check_ambiguity, progress; align is ignored):
 * the result of a trace is the same, move for move, wherever and with
 * whatever others it is aligned. log gives the activity names behind the
 * ids (its events are not read). The moves are allocated with ctx: release
 * them with ab_conform_jobs_release. AB_OK; AB_EINVAL (bad arguments, an
 * activity id the log does not have, or a net without a complete run);
 * AB_ELIMIT (no complete run found within the budget); AB_ENOMEM.
 */
AB_API int ab_conform_align(ab_conform_job *jobs, uint32_t count, ab_ctx *ctx, const ab_log *log,
                            const ab_net *net, const ab_conform_options *opts, ab_error *err);

/** Frees the moves ab_conform_align gave jobs[0..count) and sets them to NULL. */
AB_API void ab_conform_jobs_release(ab_conform_job *jobs, uint32_t count, ab_ctx *ctx);

/**
 * Builds every case's trace and aligns each conformance variant. Returns
 * AB_OK, AB_ENOMEM, or AB_EINVAL when the net has no complete run (the
 * fitness denominator would not exist) or when an argument is invalid;
 * AB_ELIMIT when no complete run was found within the state budget (the
 * larger of max_states and its default). The result keeps no reference to
 * the log or the net.
 */
AB_API int ab_conform_run(ab_conform **out, ab_ctx *ctx, const ab_log *log, const ab_net *net,
                          const ab_conform_options *opts, ab_error *err);

/** Destroys the result; NULL is accepted. */
AB_API void ab_conform_destroy(ab_conform *c);

AB_API const ab_conform_stats *ab_conform_get_stats(const ab_conform *c);

/**
 * Conformance variants, ordered by case count (descending), then by their
 * smallest case's id (byte order).
 */
AB_API uint32_t ab_conform_variant_count(const ab_conform *c);
AB_API const ab_conform_variant *ab_conform_variant_at(const ab_conform *c, uint32_t index);

/** A case's conformance variant. */
AB_API uint32_t ab_conform_case_variant(const ab_conform *c, uint32_t case_index);
/** A case's instances: their completion events (global event indices, as in log.h). */
AB_API const uint64_t *ab_conform_case_events(const ab_conform *c, uint32_t case_index,
                                              uint32_t *count_out);
/**
 * The start time of each of a case's instances: the paired start event's
 * time, else the event's start-timestamp column, else AB_TIME_NONE. NULL
 * when no instance of the run has a start time (the log has neither start
 * events nor a start column), as for a case index out of range.
 */
AB_API const ab_time *ab_conform_case_starts(const ab_conform *c, uint32_t case_index);

/** The log activity a net label stands for, or AB_CONFORM_NONE when the log lacks it. */
AB_API uint32_t ab_conform_label_activity(const ab_conform *c, uint32_t label_id);
/** The net label a log activity matches, or AB_NET_SILENT when no transition has it. */
AB_API uint32_t ab_conform_activity_label(const ab_conform *c, uint32_t activity_id);

AB_API const char *ab_move_kind_name(ab_move_kind kind);

#ifdef __cplusplus
}
#endif

#endif
