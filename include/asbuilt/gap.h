/*
 * asbuilt/gap.h: the Work Reality Gap between a log and its documented map
 * (spec/gap-metrics.md). From the canonical alignments of a conformance run
 * it classifies every deviation (rule R3), counts the metrics M0-M13 over
 * explicit denominators with Wilson intervals, measures the time impact of
 * each deviation against a stratified baseline, picks example cases, writes
 * the sentences of the report, and renders the report as JSON (schema
 * asbuilt.gap/1), Markdown, a short text summary and one JSON line per case.
 *
 * Every number of a report comes from here, so the JSON, the Markdown and the
 * text can never disagree. Results are deterministic: the same inputs and
 * options give byte-identical output, whatever the thread count.
 *
 * Thread-safety: ab_gap_classify is a pure function. ab_gap_compute uses the
 * context from one thread; a finished ab_gap is immutable and may be read
 * (and written out) from many threads, while the log, net, conformance
 * result, map and mapping it was computed from stay alive and unchanged.
 */
#ifndef ASBUILT_GAP_H
#define ASBUILT_GAP_H

#include <stddef.h>
#include <stdint.h>

#include "bpmn.h"
#include "conform.h"
#include "core.h"
#include "log.h"
#include "net.h"
#include "types.h"
#include "who.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ab_gap (the gap of one log against one documented map) is declared in types.h. */

/* ---- Classification of alignment moves (rule R3) ---- */

/** The class of one move of an alignment. */
typedef enum ab_gap_class {
    AB_GAP_SYNC = 0,     /**< A synchronous move: no deviation. */
    AB_GAP_SILENT,       /**< A silent move: ignored by every count. */
    AB_GAP_OUT_OF_ORDER, /**< R3.1: log(a) and model(a) in one case: a done elsewhere. */
    AB_GAP_REWORK,       /**< R3.2: log(a) after an earlier sync(a): undocumented rework. */
    AB_GAP_SUBSTITUTION, /**< R3.3: log(x) next to model(t), no sync between: t replaced by x. */
    AB_GAP_UNDOCUMENTED, /**< R3.4: log(x), x is no documented step. */
    AB_GAP_EXTRA_STEP,   /**< R3.5: log(a), a documented step done where not foreseen. */
    AB_GAP_BYPASS,       /**< R3.6: model(t): a documented step not done. */
    AB_GAP_DROPPED,      /**< A model move after the last sync of a possibly open case,
                              dropped under --open-cases exclude (R0): not a deviation. */
} ab_gap_class;

/** The classification of one move. */
typedef struct ab_gap_move_class {
    ab_gap_class cls;
    uint32_t partner; /**< Out of order and substitution: the index of the other move of
                           the pair; AB_CONFORM_NONE otherwise. */
    int early_exit;   /**< Bypasses only: every move after the case's last sync is a
                           model move and the case is treated as closed. */
} ab_gap_move_class;

/**
 * Classifies the moves of one alignment by rule R3, in the rule's order:
 * 1. out of order: each log(a) is paired with the first not yet paired
 *    model(t) of the same activity (moves in alignment order), and both get
 *    the class; 2. undocumented rework: a remaining log(a) with a sync(a)
 *    earlier in the alignment; 3. substitution: among the remaining log and
 *    model moves, read in order with silent moves skipped and sync moves
 *    separating runs, two adjacent moves of different kinds and different
 *    activities form a pair, greedily from the left; 4. a remaining log(x)
 *    with documented[x] == 0 is undocumented; 5. another remaining log move
 *    is an extra step; 6. a remaining model move is a bypass, tagged early
 *    exit when all the non-silent moves after the last sync are model moves.
 *
 * A model move's activity is its `activity` field (AB_CONFORM_NONE when the
 * log lacks its label: it then equals no logged activity). documented has
 * activity_count entries, non-zero for activities some transition carries.
 * With drop_open_tail, the model moves after the last sync are
 * AB_GAP_DROPPED before anything else and no early exit is tagged (spec R0,
 * --open-cases exclude). out receives move_count entries. Allocates nothing.
 * Returns AB_OK, or AB_EINVAL when a log or sync move names an activity
 * outside [0, activity_count).
 */
AB_API int ab_gap_classify(ab_gap_move_class *out, const ab_move *moves, uint32_t move_count,
                           const uint8_t *documented, uint32_t activity_count, int drop_open_tail);

/** "sync", "out_of_order", "undocumented_rework", "bypass" ... Never NULL. */
AB_API const char *ab_gap_class_name(ab_gap_class cls);

/* ---- Computing the gap ---- */

/** How possibly open cases are analysed (spec R0). */
typedef enum ab_gap_open_mode {
    AB_GAP_OPEN_CLOSED = 0, /**< Every case is analysed as closed (the default). */
    AB_GAP_OPEN_EXCLUDE,    /**< A possibly open case is unfinished, not deviating at its end. */
} ab_gap_open_mode;

typedef struct ab_gap_options {
    unsigned version;            /**< AB_GAP_OPTIONS_VERSION. */
    ab_gap_open_mode open_cases; /**< R0 treatment of possibly open cases. */
    double open_horizon;         /**< Open-case horizon as a multiple of the 95th
                                      percentile cycle time (0 = 2). */
    const char *controls;        /**< Comma-separated name fragments that tag a step
                                      as a control, matched case-insensitively in
                                      its label or task name (NULL = "approv,check,
                                      review,sign"; "" = no controls). */
    uint64_t max_states;         /**< Markings the model analyses (directly-follows
                                      relation, mandatory steps) explore at most
                                      (0 = 200000); past it the answer is unknown. */
    uint64_t seed;               /**< Ignored: kept for compatibility (the time impact's
                                      interval is no longer resampled, see ab_gap_time). */
    uint32_t resamples;          /**< Ignored, as seed. */
    uint32_t min_group;          /**< Smallest group a time impact is measured on (0 = 30). */
    unsigned threads;            /**< Threads for the time impacts (0 or 1 = none). The
                                      result does not depend on it. */
    const char *accept_file;     /**< Accepted deviations (see ab_gap_compute), or NULL. */
    /* What the report header records; none of it changes a number. */
    const char *const *log_files; /**< The log's files, hashed (SHA-256) unless "-". */
    size_t log_file_count;
    const char *model_file;           /**< The map's file, hashed; NULL = unknown. */
    const char *const *library_files; /**< Maps of called processes, hashed. */
    size_t library_file_count;
    const char *map_file;           /**< The mapping file, or NULL. */
    const ab_bpmn *model;           /**< The map read (element counts, the two ends of a
                                         dead sequence flow, gateway names), or NULL. */
    const ab_bpmn_mapping *mapping; /**< The label mapping (report appendix), or NULL. */
    uint64_t conform_max_states;    /**< The alignment budget used, recorded as an option. */
    const char *gate;               /**< The --fail-above text, recorded as an option, or NULL. */
    /**
     * Version 2. Called with the name of each phase as it starts ("hashing
     * inputs", "analysing the map", "classifying", "replaying on the map",
     * "time impacts") and, where the work is countable, with done of total
     * units as it goes ("classifying": variants; "time impacts": findings
     * measured); total 0 when not countable. Called from one thread at a
     * time, at most once per unit (never per event); it may be called from
     * a worker thread. NULL = none. It changes no number.
     */
    void (*progress)(const char *phase, uint64_t done, uint64_t total, void *payload);
    void *progress_payload;
    /**
     * Version 3. Who did the work (see asbuilt/who.h): the roles, the lanes'
     * roles, the segregation-of-duties pairs and the system accounts; NULL =
     * roles from the events' org:role (else org:group), nothing else. The
     * files are read during ab_gap_compute: AB_EIO or AB_EPARSE name them.
     */
    const ab_who_options *who;
    /**
     * Version 4. The SHA-256 of log_files (their concatenation, as 64 hex
     * digits) when the caller has it already, e.g. hashed while the log was
     * read; NULL = ab_gap_compute reads the files again to hash them. Not
     * used when a log file is "-" (no hash is recorded then). Anything but 64
     * hex digits is AB_EINVAL.
     */
    const char *log_sha256;
} ab_gap_options;

/* Version 1 callers (without progress), 2 (without who) and 3 (without
 * log_sha256) are still accepted. */
#define AB_GAP_OPTIONS_VERSION 4
#define AB_GAP_OPTIONS_INIT                                                                        \
    {                                                                                              \
        AB_GAP_OPTIONS_VERSION, AB_GAP_OPEN_CLOSED, 0, NULL, 0, 20240601u, 0, 0, 0, NULL, NULL, 0, \
            NULL, NULL, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL                       \
    }

/**
 * Computes the gap of a log against net (relabelled with the label mapping,
 * see ab_net_relabel) from the alignments in conf (computed on that log and
 * net). The log, net, conf, opts->model and opts->mapping must outlive the
 * result; opts strings are copied.
 *
 * The accept file lists deviations a reviewer accepted, one per line; '#'
 * starts a comment, blank lines are skipped, fields are separated by ','
 * (or ';' or TAB), may be double-quoted, and are matched to names after
 * ab_bpmn_label_normalise; '*' matches any name:
 *   bypass,A                    the documented step A not done
 *   undocumented_activity,X     the undocumented activity X
 *   extra_step,A                A done where the documentation does not foresee it
 *   rework,A                    undocumented repetitions of A
 *   out_of_order,A              A done out of its documented order
 *   substitution,A,X            X done instead of the documented A
 *   transition,A,B              B directly after A (START and END name the case's
 *                               ends): every deviating move between A's and B's
 *                               moves, in each occurrence, is accepted
 *   role,TASK,ROLE              a role violation of TASK by a resource acting as ROLE
 *   sod,A,B                     one resource did both A and B (either order)
 *   handoff,FROM,TO             an undocumented hand-off from role FROM to role TO
 * (the last three are listed as before but make no case count in ROLE, ROLEc,
 * SOD or HANDOFF)
 * Accepted deviations stay in the report, marked accepted; a case counts in
 * M1 only when it has a deviation that is not accepted. Other metrics do not
 * change.
 *
 * Returns AB_OK; AB_EIO (an input file to hash or the accept file cannot be
 * read); AB_EPARSE (a malformed accept line, with its line number); AB_EINVAL
 * (bad arguments, or conf does not belong to this log); AB_ENOMEM.
 */
AB_API int ab_gap_compute(ab_gap **out, ab_ctx *ctx, const ab_log *log, const ab_net *net,
                          const ab_conform *conf, const ab_gap_options *opts, ab_error *err);

/** Destroys a gap; NULL is accepted. */
AB_API void ab_gap_destroy(ab_gap *gap);

/* ---- Results ---- */

/** A rate: count of of, with its 95% Wilson interval (rate, lo, hi are 0 when of = 0). */
typedef struct ab_gap_rate {
    uint64_t count;
    uint64_t of;
    double rate;
    double lo;
    double hi;
} ab_gap_rate;

/**
 * How much of the log and of the map a label mapping joins, as ab_gap_compute
 * reports it (the summary's mapped_events, mapped_tasks and mapping_warning),
 * before any alignment: a caller can warn, or stop, early. net is the map
 * relabelled with mapping (NULL: its labels are the log's names). warning
 * gets the text of the warning, or "" when the two match well enough (at
 * most cap bytes; 512 hold it). AB_OK, AB_EINVAL, AB_ENOMEM.
 */
AB_API int ab_gap_mapping_coverage(const ab_log *log, const ab_net *net,
                                   const ab_bpmn_mapping *mapping, ab_gap_rate *events,
                                   ab_gap_rate *tasks, char *warning, size_t cap);

/** Why a time impact has no number. */
typedef enum ab_gap_time_status {
    AB_GAP_TIME_OK = 0,         /**< Measured. */
    AB_GAP_TIME_NO_BASELINE,    /**< Fewer than min_group cases in either baseline. */
    AB_GAP_TIME_TOO_FEW,        /**< Fewer than min_group cases with the deviation. */
    AB_GAP_TIME_NO_TIMESTAMPS,  /**< The log has no timestamps. */
    AB_GAP_TIME_NOT_APPLICABLE, /**< Not measured for this kind of finding. */
    AB_GAP_TIME_BELOW_SUPPORT,  /**< Not measured: the finding is below the minimum
                                     support and is reported only among the other
                                     deviations (it has no examples either). */
} ab_gap_time_status;

/** Which baseline B(D) a time impact was measured against (spec, "Time impact"). */
typedef enum ab_gap_baseline_kind {
    AB_GAP_BASELINE_CONFORMING = 0, /**< The closed conforming cases of the stratum S(D). */
    AB_GAP_BASELINE_WITHOUT,        /**< The closed cases of S(D) without D, which may
                                         deviate otherwise (used when fewer than min_group
                                         conform). */
} ab_gap_baseline_kind;

/**
 * The local impact: the span around the deviation, from the last documented
 * step done (synchronous move) before it to the first one done after it,
 * completion to completion ("START" = the case's first timestamp, "END" =
 * its last). In a case with D: around D's first occurrence in the case's
 * alignment (an undocumented transition a -> b: from the last step done up
 * to a's instance to the first done from b's on). Cases with D have
 * different neighbours; the pair (from, to) reported is the one most of
 * them have (ties: names in byte order), and only those cases count. In a
 * baseline case: from the first instance of `from` done as documented to
 * the first instance of `to` done as documented after it; cases without
 * both do not count. Seconds.
 */
typedef struct ab_gap_local_time {
    ab_gap_time_status status; /**< OK, TOO_FEW (cases with D), NO_BASELINE (baseline). */
    const char *from, *to;     /**< The two documented steps; NULL when none was found. */
    uint32_t n_deviating;      /**< Cases with D whose span is measured. */
    uint32_t n_baseline;       /**< Baseline cases with both steps. */
    double deviating_median_s, baseline_median_s;
    double shift_s;          /**< Hodges-Lehmann shift of the spans. */
    double ci_lo_s, ci_hi_s; /**< Its Lehmann-Moses 95% interval. */
} ab_gap_local_time;

/**
 * The time impact of a deviation D against its comparison group B(D):
 * cycle times (first start, else first completion, to last completion) of
 * closed cases. B(D) is the first with at least min_group cases of: the
 * conforming cases of the stratum S(D); the cases of S(D) without D.
 * The interval is Lehmann-Moses: the order statistics of the pairwise
 * differences at the Mann-Whitney critical ranks (exact distribution when
 * both groups are under 50 cases without ties, else the normal
 * approximation with tie correction). Deterministic: no resampling.
 * Seconds.
 */
typedef struct ab_gap_time {
    ab_gap_time_status status;
    uint32_t n_deviating;      /**< Closed cases with D and a cycle time (in S(D) when
                                    the stratum restricts them, see the report notes). */
    uint32_t n_baseline;       /**< Cases of the baseline used (or, without a number,
                                    of the larger of the two candidates). */
    double deviating_median_s; /**< Median cycle time of the cases with D. */
    double baseline_median_s;  /**< Median cycle time of the baseline. */
    double delta_s;            /**< Difference of the medians. */
    double shift_s;            /**< Hodges-Lehmann shift (median of pairwise differences). */
    double ci_lo_s, ci_hi_s;   /**< Lehmann-Moses 95% interval of the shift. */
    double relative;           /**< delta_s / baseline_median_s (0 when the median is 0). */
    const char *stratum;       /**< The baseline in words ("closed conforming cases
                                    containing A"). */
    ab_gap_baseline_kind baseline_kind;
    uint32_t n_baseline_conforming; /**< Baseline cases that conform (all of them for
                                         AB_GAP_BASELINE_CONFORMING). */
    uint32_t n_stratum_conforming;  /**< Conforming candidates (the first baseline). */
    uint32_t n_stratum_without;     /**< Candidates of the second baseline. */
    int ci_exact;                   /**< The interval's ranks are exact. */
    ab_gap_local_time local;        /**< Set when status is AB_GAP_TIME_OK. */
} ab_gap_time;

/** What a reported finding is. */
typedef enum ab_gap_kind {
    AB_GAP_K_BYPASS = 0,   /**< M9: a documented step not done. */
    AB_GAP_K_UNDOCUMENTED, /**< M4: an activity the map does not have. */
    AB_GAP_K_TRANSITION,   /**< M5/M6: b directly after a, which the map never does. */
    AB_GAP_K_REWORK,       /**< M7 (documented = 0) and M7b (documented = 1). */
    AB_GAP_K_OUT_OF_ORDER, /**< M8. */
    AB_GAP_K_SUBSTITUTION, /**< R3.3: x done instead of the documented a. */
    AB_GAP_K_EXTRA_STEP,   /**< R3.5: a documented step done where not foreseen. */
    AB_GAP_K_EARLY_EXIT,   /**< M10: cases that stopped after a without the rest. */
    AB_GAP_K__COUNT
} ab_gap_kind;

/** An example case of a finding. */
typedef struct ab_gap_example {
    uint32_t case_index; /**< Log case index. */
    uint32_t move;       /**< Index in the case's alignment of the deviation's move. */
    const char *excerpt; /**< The alignment around it: "... ✓a  ✗[b]  +x  ✓c ...". */
    ab_time at;          /**< When: the instance's completion, or the one before a
                              missing step (case start when none); AB_TIME_NONE. */
    ab_time start, end;  /**< The case's first and last timestamps. */
} ab_gap_example;

/** One finding of the report (a deviation aggregated over cases). */
typedef struct ab_gap_item {
    ab_gap_kind kind;
    const char *activity;       /**< The step or activity; transitions: a (or "START");
                                     substitutions: the documented step; early exits: the
                                     last step done. */
    const char *other;          /**< Transitions: b (or "END"); substitutions: what was done
                                     instead; early exits: the skipped steps, ", "-joined. */
    const char *element_id;     /**< Bypasses: the map element most often skipped. */
    const char *lane;           /**< Its lane, or NULL. */
    int mandatory;              /**< Bypasses: AB_NET_YES / AB_NET_NO / AB_NET_UNKNOWN. */
    int control;                /**< Bypasses: the step is tagged as a control (M9c). */
    int documented;             /**< Rework: repetitions the map allows (M7b). */
    int accepted;               /**< Matched by the accept file. */
    int supported;              /**< At least max(5, 0.5% of N) cases (minimum support). */
    ab_gap_rate cases;          /**< Cases over the kind's denominator (see the spec). */
    ab_gap_rate events;         /**< Undocumented activities: events over E. */
    ab_gap_rate absent;         /**< Mandatory bypasses: cases without a at all (M9m). */
    uint64_t occurrences;       /**< Moves (or transition occurrences) in all cases. */
    uint32_t early_exit_cases;  /**< Bypasses: cases where the skip was an early exit. */
    double median_repeats;      /**< Rework: median repetitions per case. */
    const char *before;         /**< Undocumented activities: the most frequent predecessor. */
    const char *after;          /**< ... and successor ("START" / "END" at the case's ends). */
    uint64_t attribution[3];    /**< Transitions (M6): occurrences caused by a bypass, by an
                                     extra or undocumented step, by reordering. */
    const char *skipped;        /**< Transitions: the steps most often skipped between a and b. */
    const char *neighbour;      /**< Out of order: the step a was most often swapped with. */
    int happened_after;         /**< Out of order: a happened after `neighbour` although the
                                     map puts it before (1), or the other way round (0). */
    uint32_t approximate_cases; /**< Cases whose alignment passed the search budget. */
    ab_gap_time time;
    uint32_t example_count;
    const ab_gap_example *examples;
} ab_gap_item;

/** A documented step that never happened as documented (M11). */
typedef struct ab_gap_dead_step {
    const char *activity;
    const char *element_id; /**< The first element carrying it. */
    uint32_t sync_cases;    /**< Cases where it happened as documented. */
    int dead;               /**< 1: never (M11); 0: rarely (under 1% of cases). */
} ab_gap_dead_step;

/** A sequence flow no case's documented path traversed (M12). */
typedef struct ab_gap_dead_path {
    const char *flow_id;
    const char *from_element; /**< Its sourceRef, or NULL when the map is not known. */
    const char *to_element;   /**< Its targetRef, or NULL. */
} ab_gap_dead_path;

/** An option a gateway allows that no case took (M13). */
typedef struct ab_gap_unused_option {
    const char *gateway;      /**< The gateway's element id. */
    const char *gateway_name; /**< Its name ("" when unnamed or unknown). */
    const char *option;       /**< The first documented step of the branch, or its flow id. */
    const char *flow_id;      /**< The branch's sequence flow, or NULL. */
} ab_gap_unused_option;

/** The headline and summary numbers. */
typedef struct ab_gap_summary {
    uint32_t cases;               /**< N. */
    uint64_t events;              /**< E: activity instances in all traces. */
    uint64_t log_events;          /**< Events of the log (before pairing). */
    uint32_t variants;            /**< Conformance variants. */
    uint32_t possibly_open_cases; /**< R0. */
    uint32_t excluded_open_cases; /**< Treated as unfinished (--open-cases exclude). */
    uint32_t approximate_variants;
    uint32_t approximate_cases;
    ab_gap_rate case_deviation;     /**< M1, accepted deviations left out. */
    ab_gap_rate case_deviation_raw; /**< M1 before the accept file. */
    ab_gap_rate off_model_events;   /**< M2. */
    ab_gap_rate missing_steps;      /**< M3. */
    double fitness;                 /**< M0. */
    ab_gap_rate undocumented_cases; /**< Cases with an undocumented activity. */
    ab_gap_rate rework;             /**< M7. */
    ab_gap_rate documented_rework;  /**< M7b. */
    ab_gap_rate out_of_order;       /**< M8. */
    ab_gap_rate early_exit;         /**< M10. */
    ab_gap_rate control_bypass;     /**< Cases skipping a control they required (M9c pooled). */
    ab_gap_rate control_bypass_max; /**< The control step with the highest M9. */
    ab_gap_rate bypass_max;         /**< The step with the highest M9. */
    int model_relation_known;       /**< The directly-follows relation was computed. */
    uint64_t model_states;          /**< Markings of the model's reachability graph. */
    double open_horizon_s;          /**< The open-case horizon used. */
    ab_gap_rate ambiguous;          /**< R1: cases whose variant has a second optimal alignment
                                         with other deviations, over the cases. */
    uint32_t ambiguity_unchecked_cases; /**< Cases the check did not decide (approximate
                                             variants, budget); all when it was not run. */
    ab_gap_rate mapped_events; /**< Log events whose activity a task of the map names
                                    (over all log events). */
    ab_gap_rate mapped_tasks;  /**< Tasks of the map matched to an activity or declared
                                    silent (over all tasks). */
    const char *mapping_warning; /**< When either share is under one half (the map may not
                                      document this log), the warning the report's headline
                                      gives, as a sentence; else NULL. */
    /* Who did the work (version 3): over the analysed cases; `of` is 0 when the
     * input lacks what the rate needs (no roles; no segregation-of-duties file). */
    ab_gap_rate role_violation;       /**< Cases with a role violation. */
    ab_gap_rate control_outside_lane; /**< Cases with a control done outside its lane. */
    ab_gap_rate sod_violation;        /**< Cases where one resource did both steps of a pair. */
    ab_gap_rate undocumented_handoff; /**< Cases with an undocumented hand-off. */
} ab_gap_summary;

AB_API const ab_gap_summary *ab_gap_get_summary(const ab_gap *gap);

/**
 * Findings of a kind, sorted by cases (descending), then by names (byte
 * order); transitions by cases, then by time impact (larger first), then
 * names. Every finding is listed, with `supported` telling which the
 * report shows on their own.
 */
AB_API uint32_t ab_gap_item_count(const ab_gap *gap, ab_gap_kind kind);
AB_API const ab_gap_item *ab_gap_item_at(const ab_gap *gap, ab_gap_kind kind, uint32_t index);
/** Looks a finding up by names (other may be NULL); NULL when absent. */
AB_API const ab_gap_item *ab_gap_item_find(const ab_gap *gap, ab_gap_kind kind,
                                           const char *activity, const char *other);

AB_API uint32_t ab_gap_dead_step_count(const ab_gap *gap);
AB_API const ab_gap_dead_step *ab_gap_dead_step_at(const ab_gap *gap, uint32_t index);
AB_API uint32_t ab_gap_dead_path_count(const ab_gap *gap);
AB_API const ab_gap_dead_path *ab_gap_dead_path_at(const ab_gap *gap, uint32_t index);
AB_API uint32_t ab_gap_unused_option_count(const ab_gap *gap);
AB_API const ab_gap_unused_option *ab_gap_unused_option_at(const ab_gap *gap, uint32_t index);

/** The sentences of the report, in report order. */
AB_API uint32_t ab_gap_statement_count(const ab_gap *gap);
AB_API const char *ab_gap_statement_at(const ab_gap *gap, uint32_t index);

/** One deviation of one case. */
typedef struct ab_gap_deviation {
    ab_gap_class cls;
    const char *activity; /**< The step (bypass, out of order, substitution: the
                               documented one) or the logged activity. */
    const char *instead;  /**< Substitutions: the activity done instead; else NULL. */
    uint32_t position;    /**< Instances before it (model moves) or its instance index. */
    uint32_t move;        /**< Its (first) move in the alignment. */
    int early_exit;
    int accepted;
} ab_gap_deviation;

/** A case's deviations in alignment order (pairs once); *count_out gets their number. */
AB_API const ab_gap_deviation *ab_gap_case_deviations(const ab_gap *gap, uint32_t case_index,
                                                      uint32_t *count_out);
/** Non-zero when the case is possibly open (R0). */
AB_API int ab_gap_case_is_open(const ab_gap *gap, uint32_t case_index);

/**
 * A gate metric by id: "M1" "M2" "M3" "M7" "M7b" "M8" "M10", "M9" and "M9c"
 * (the step with the highest rate, among all steps or the controls), "M9cp"
 * (pooled controls); "ROLE", "ROLEc", "SOD", "HANDOFF" (who did the work,
 * exact case: `of` is 0 when the input lacks what the rate needs). AB_OK, or
 * AB_ENOTFOUND for another id.
 */
AB_API int ab_gap_metric(const ab_gap *gap, const char *id, ab_gap_rate *out);

/** 95% Wilson score interval of count successes in of trials ([0, 0] for of = 0). */
AB_API void ab_gap_wilson(uint64_t count, uint64_t of, double *lo_out, double *hi_out);

/* ---- Writers: each appends to buf (see ab_buf); AB_OK or AB_ENOMEM. ---- */

/** The report as JSON, schema "asbuilt.gap/1" (spec section 3). */
AB_API int ab_gap_write_json(const ab_gap *gap, ab_buf *buf, ab_error *err);
/** The report as Markdown: headline, controls, workarounds, ..., appendix. */
AB_API int ab_gap_write_markdown(const ab_gap *gap, ab_buf *buf, ab_error *err);
/** A few lines for a terminal: the headline, top bypasses and workarounds. */
AB_API int ab_gap_write_text(const ab_gap *gap, ab_buf *buf, ab_error *err);
/**
 * One JSON object per line and per case, in case order: {"case": id,
 * "variant": n, "possibly_open": bool, "deviating": bool, "deviations":
 * [{"class", "activity", "position", "early_exit", "accepted"} ...]}
 * (substitutions add "instead").
 */
AB_API int ab_gap_write_cases(const ab_gap *gap, ab_buf *buf, ab_error *err);
/**
 * The lines of cases first to first + count - 1 only (clipped to the cases
 * there are), as ab_gap_write_cases writes them: written range after range
 * they make the same bytes, without holding them all.
 */
AB_API int ab_gap_write_cases_range(const ab_gap *gap, ab_buf *buf, uint32_t first,
                                    uint32_t count, ab_error *err);

/** Names of the enums ("bypass", "no comparable baseline" ...). Never NULL. */
AB_API const char *ab_gap_kind_name(ab_gap_kind kind);
AB_API const char *ab_gap_time_status_name(ab_gap_time_status status);
/** "conforming" or "without_deviation". Never NULL. */
AB_API const char *ab_gap_baseline_kind_name(ab_gap_baseline_kind kind);

#ifdef __cplusplus
}
#endif

#endif
