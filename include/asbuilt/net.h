/*
 * asbuilt/net.h: a documented map compiled to a labelled workflow net (a
 * Petri net with one source place, one sink place, and visible transitions
 * labelled with task names), its soundness check and a replay check.
 *
 * Every transition points back to the BPMN element it comes from and every
 * place that stands for a sequence flow names it, so that what the
 * conformance and gap modules find on the net can be said in the words of the
 * map. Gateways, events, sub-process borders and loop markers become silent
 * transitions. What a Petri net cannot express exactly is approximated, and
 * each approximation is listed with the element id and what was done.
 *
 * Thread-safety: a compiled ab_net is immutable and may be read from many
 * threads (ab_net_check, ab_net_accepts and the getters included).
 */
#ifndef ASBUILT_NET_H
#define ASBUILT_NET_H

#include <stddef.h>
#include <stdint.h>

#include "bpmn.h"
#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ab_net (a labelled workflow net) is declared in types.h. */

/** A transition without a label, or an unknown label. */
#define AB_NET_SILENT UINT32_MAX

/** Where a transition comes from. */
typedef enum ab_net_tkind {
    AB_NET_T_TASK = 0, /**< A task, or an activity compiled as one step: visible. */
    AB_NET_T_GATEWAY,  /**< A gateway's split or join, or an implicit one: silent. */
    AB_NET_T_EVENT,    /**< A start, intermediate, end or boundary event: silent. */
    AB_NET_T_SCOPE,    /**< Entering or leaving a sub-process, call or pool: silent. */
    AB_NET_T_LOOP,     /**< Repeating or leaving a loop or multi-instance activity: silent. */
    AB_NET_T_CANCEL,   /**< Cancelling a region (interruption, terminate, error): silent. */
} ab_net_tkind;

/** What a place stands for. */
typedef enum ab_net_prole {
    AB_NET_P_FLOW = 0, /**< A sequence flow: flow_id names it. */
    AB_NET_P_SOURCE,   /**< The source place (the initial marking). */
    AB_NET_P_SINK,     /**< The sink place (the final marking). */
    AB_NET_P_INTERNAL, /**< Added by the compiler inside an element (element_id). */
    AB_NET_P_SKIP,     /**< An inclusive block's "branch not taken" place. */
    AB_NET_P_COUNTER,  /**< A counter of idle branches of a scope (several tokens): it
                            lets the scope end exactly when no branch is left running. */
} ab_net_prole;

/** An arc: weight tokens of a place. */
typedef struct ab_net_arc {
    uint32_t place;
    uint32_t weight;
} ab_net_arc;

typedef struct ab_net_place {
    const char *name;       /**< A readable name (not necessarily unique). */
    const char *flow_id;    /**< The sequence flow it stands for, or NULL. */
    const char *element_id; /**< The element an internal place belongs to, or NULL. */
    ab_net_prole role;
} ab_net_place;

typedef struct ab_net_transition {
    const char *name;       /**< A readable name (not necessarily unique). */
    const char *label;      /**< The visible label, or NULL for a silent transition. */
    const char *task;       /**< The task label it came from (equal to label unless
                                 relabelled by ab_net_relabel), or NULL when silent. */
    const char *element_id; /**< The BPMN element it comes from (never NULL). */
    uint32_t element;       /**< That element's node index in the compiled model, or
                                 AB_BPMN_NONE (an element of a called model, a pool). */
    const char *lane;       /**< Name of the element's lane (its role), or NULL. */
    uint32_t label_id;      /**< Index in the label table, or AB_NET_SILENT. */
    ab_net_tkind kind;
    const ab_net_arc *in;   /**< Input arcs, sorted by place. */
    uint32_t in_count;
    const ab_net_arc *out;  /**< Output arcs, sorted by place. */
    uint32_t out_count;
} ab_net_transition;

/** An approximation or a compile warning: the element and what was done. */
typedef struct ab_net_note {
    const char *element_id;
    const char *what;
} ab_net_note;

typedef struct ab_net_options {
    unsigned version;                /**< AB_NET_OPTIONS_VERSION. */
    const ab_bpmn *const *library;   /**< Other maps whose processes and global tasks
                                          call activities may call, or NULL. */
    size_t library_count;
    const char *process_id;          /**< Compile this process only; NULL = every pool
                                          (process) that no call activity calls. */
    int visible_events;              /**< Named intermediate events become visible (0). */
    uint32_t max_inclusive_subsets;  /**< Inclusive gateways with up to this many
                                          branches get one transition per subset of
                                          branches; wider ones a chain (default 6). */
    uint64_t max_states;             /**< State limit of the analyses the compiler runs
                                          to translate ends, terminations and
                                          interruptions exactly (default 20000). */
    uint32_t max_cancel_markings;    /**< Most states a region may have for an exact
                                          cancellation (default 64). */
} ab_net_options;

#define AB_NET_OPTIONS_VERSION 1
#define AB_NET_OPTIONS_INIT {AB_NET_OPTIONS_VERSION, NULL, 0, NULL, 0, 6, 20000, 64}

/**
 * Compiles a map to a workflow net. The net does not keep the model; element
 * ids are copied. Pools (processes) run as parallel branches between the
 * source and the sink; message flows between them are not enforced (listed as
 * approximations). Returns AB_OK; AB_ENOTFOUND when process_id names no
 * process or the map has no process with flow nodes; AB_ENOMEM.
 */
AB_API int ab_net_compile(ab_net **out, ab_ctx *ctx, const ab_bpmn *model,
                          const ab_net_options *opts, ab_error *err);

/** Destroys a net; NULL is accepted. */
AB_API void ab_net_destroy(ab_net *net);

/**
 * Bounds the memory of the analyses run on this net later (mandatory steps,
 * the model's directly-follows relation in the gap, replays that explore
 * markings): past `bytes` they stop with "not decided within the budget".
 * 0 restores the default, 256 MiB. ab_net_relabel() copies it.
 */
AB_API void ab_net_set_model_memory(ab_net *net, uint64_t bytes);

AB_API uint32_t ab_net_place_count(const ab_net *net);
AB_API const ab_net_place *ab_net_place_at(const ab_net *net, uint32_t index);
/**
 * Transitions, ordered by the document order of their BPMN element and then
 * by creation: the order the canonical alignment expands them in (spec R1).
 */
AB_API uint32_t ab_net_transition_count(const ab_net *net);
AB_API const ab_net_transition *ab_net_transition_at(const ab_net *net, uint32_t index);
/** Arcs in total. */
AB_API uint64_t ab_net_arc_count(const ab_net *net);
/** The source place (initial marking: one token there). */
AB_API uint32_t ab_net_source(const ab_net *net);
/** The sink place (final marking: one token there). */
AB_API uint32_t ab_net_sink(const ab_net *net);

/** Distinct visible labels, in byte order; ids index this table. */
AB_API uint32_t ab_net_label_count(const ab_net *net);
AB_API const char *ab_net_label(const ab_net *net, uint32_t label_id);
/** The whole label table (label_count entries), e.g. for ab_bpmn_map_create. */
AB_API const char *const *ab_net_labels(const ab_net *net);
/** Looks a label up; AB_ENOTFOUND when no transition has it. */
AB_API int ab_net_label_find(const ab_net *net, const char *label, uint32_t *id_out);

/** What was approximated, in the order it was done. */
AB_API uint32_t ab_net_approximation_count(const ab_net *net);
AB_API const ab_net_note *ab_net_approximation_at(const ab_net *net, uint32_t index);
/** Compile warnings (unnamed tasks made silent ...). */
AB_API uint32_t ab_net_warning_count(const ab_net *net);
AB_API const ab_net_note *ab_net_warning_at(const ab_net *net, uint32_t index);

/**
 * A copy of net whose visible transitions carry log activities: a transition
 * whose task maps to activities a1..ak becomes k transitions labelled a1..ak
 * (same arcs, same element); a task mapped to nothing keeps its label.
 * Pairs restricted to a lane apply to the transitions of that lane only
 * (lane names compared after normalisation); a transition that is left
 * without activity that way is noted in the copy's warnings. `task` keeps
 * the task label. AB_OK or AB_ENOMEM.
 */
AB_API int ab_net_relabel(ab_net **out, const ab_net *net, const ab_bpmn_mapping *map,
                          ab_error *err);

/* ---- Analysis ---- */

/** Tri-state answers. */
enum { AB_NET_NO = 0, AB_NET_YES = 1, AB_NET_UNKNOWN = -1 };

typedef struct ab_net_check_options {
    unsigned version;    /**< AB_NET_CHECK_OPTIONS_VERSION (1 is accepted: no max_memory). */
    uint64_t max_states; /**< Reachable markings explored at most (default 200000, which keeps
                              the time bounded; 0 = no limit on the count, the memory
                              budget alone bounds the search). */
    uint64_t max_memory; /**< Bytes the reachability graph may take at most (0 = the default,
                              AB_NET_CHECK_DEFAULT_MEMORY). Markings are stored compactly
                              (a bitset when 1-safe and dense, varint gaps otherwise). */
} ab_net_check_options;

#define AB_NET_CHECK_DEFAULT_MEMORY ((uint64_t)256 << 20)
#define AB_NET_CHECK_OPTIONS_VERSION 2
#define AB_NET_CHECK_OPTIONS_INIT {AB_NET_CHECK_OPTIONS_VERSION, 200000, 0}

/** The verdict of ab_net_check (van der Aalst's soundness of workflow nets). */
typedef struct ab_net_verdict {
    int sound;               /**< All three properties below hold. */
    int bounded;             /**< No place can grow without limit. */
    int safe;                /**< No place ever holds two tokens (counter places aside). */
    int option_to_complete;  /**< From every reachable marking the sink can be marked. */
    int proper_completion;   /**< When the sink is marked, nothing else is. */
    int no_dead_transitions; /**< Every transition can fire in some run. */
    uint64_t states;         /**< Reachable markings explored. */
    uint64_t edges;          /**< Firings explored. */
    uint32_t dead_count;     /**< Dead transitions (when the graph is complete). */
    uint32_t dead[16];       /**< The first of them. */
    char reason[256];        /**< The first problem found, in words ("" when sound). */
} ab_net_verdict;

/**
 * Explores the reachability graph from the source marking breadth first,
 * within max_memory bytes (and max_states when set). Properties that could
 * not be decided within the budget are AB_NET_UNKNOWN and the reason says
 * "not decided within the budget (...)". The net is called unbounded only
 * when a reachable marking strictly covers an earlier marking on its own
 * path (Karp and Miller's argument), never from a token count. Returns
 * AB_OK (also when the answer is unknown) or AB_ENOMEM.
 */
AB_API int ab_net_check(const ab_net *net, const ab_net_check_options *opts, ab_net_verdict *out,
                        ab_error *err);

typedef struct ab_net_replay_options {
    unsigned version;    /**< AB_NET_REPLAY_OPTIONS_VERSION. */
    uint64_t max_states; /**< Markings held at once at most (default 100000). */
} ab_net_replay_options;

#define AB_NET_REPLAY_OPTIONS_VERSION 1
#define AB_NET_REPLAY_OPTIONS_INIT {AB_NET_REPLAY_OPTIONS_VERSION, 100000}

/**
 * Decides whether the net can produce exactly this sequence of visible
 * labels, silent transitions allowed anywhere, ending in the sink marking.
 * *accepted_out is 1 or 0. AB_ELIMIT when the set of markings to follow
 * passes max_states (the answer is then unknown); AB_ENOMEM.
 */
AB_API int ab_net_accepts(const ab_net *net, const char *const *labels, size_t count,
                          const ab_net_replay_options *opts, int *accepted_out, ab_error *err);
/** The same with label ids (AB_NET_SILENT or unknown ids are never accepted). */
AB_API int ab_net_accepts_ids(const ab_net *net, const uint32_t *label_ids, size_t count,
                              const ab_net_replay_options *opts, int *accepted_out,
                              ab_error *err);

/**
 * Whether every complete run fires a transition with this label (the final
 * marking is unreachable without them): *out is AB_NET_YES, AB_NET_NO or
 * AB_NET_UNKNOWN (state limit passed). AB_OK or AB_ENOMEM.
 */
AB_API int ab_net_label_is_mandatory(const ab_net *net, uint32_t label_id, uint64_t max_states,
                                     int *out, ab_error *err);

AB_API const char *ab_net_tkind_name(ab_net_tkind kind);
AB_API const char *ab_net_prole_name(ab_net_prole role);

#ifdef __cplusplus
}
#endif

#endif
