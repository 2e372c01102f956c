/*
 * asbuilt/bpmn.h: documented maps. A BPMN 2.0 reader (any prefix or the
 * default namespace, vendor extensions ignored) that keeps every flow node,
 * sequence flow, lane, pool, message flow and the diagram geometry (DI) of a
 * file, checks its structure, and the label mapping between the map's task
 * names and a log's activity names. Compiling a map to a Petri net is in
 * asbuilt/net.h.
 *
 * The reader applies the same rules as the XES reader: no network access, no
 * DTD loading, no entity expansion. A document that declares entities is
 * refused (AB_EPARSE), so an external entity can never make it read a local
 * file and a "billion laughs" can never expand. Nesting deeper than
 * ab_limits.max_depth is AB_ELIMIT.
 *
 * Thread-safety: a finished ab_bpmn and ab_bpmn_mapping are immutable and
 * may be read from many threads; each is created by one thread.
 */
#ifndef ASBUILT_BPMN_H
#define ASBUILT_BPMN_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ab_bpmn (a documented map read from one BPMN file) and ab_bpmn_mapping (the
 * label mapping between its task names and a log's activities) are declared
 * in types.h. */

/** "No such index": a missing lane, parent, flow or node. */
#define AB_BPMN_NONE UINT32_MAX

/** What a flow node is. Counts by kind come from ab_bpmn_count(). */
typedef enum ab_bpmn_kind {
    AB_BPMN_TASK = 0,       /**< Any task element; see ab_bpmn_task_type. */
    AB_BPMN_CALL_ACTIVITY,  /**< callActivity; see ab_bpmn_node.called_element. */
    AB_BPMN_SUBPROCESS,     /**< subProcess, transaction, adHocSubProcess. */
    AB_BPMN_START_EVENT,
    AB_BPMN_END_EVENT,
    AB_BPMN_CATCH_EVENT,    /**< intermediateCatchEvent. */
    AB_BPMN_THROW_EVENT,    /**< intermediateThrowEvent. */
    AB_BPMN_BOUNDARY_EVENT, /**< boundaryEvent; see attached_to and interrupting. */
    AB_BPMN_GATEWAY,        /**< See ab_bpmn_gateway_type. */
    AB_BPMN_KIND__COUNT
} ab_bpmn_kind;

/** ab_bpmn_node.type for AB_BPMN_TASK. */
typedef enum ab_bpmn_task_type {
    AB_BPMN_TASK_PLAIN = 0, /**< task */
    AB_BPMN_TASK_USER,
    AB_BPMN_TASK_SERVICE,
    AB_BPMN_TASK_SEND,
    AB_BPMN_TASK_RECEIVE,
    AB_BPMN_TASK_MANUAL,
    AB_BPMN_TASK_SCRIPT,
    AB_BPMN_TASK_BUSINESS_RULE,
    AB_BPMN_TASK__COUNT
} ab_bpmn_task_type;

/** ab_bpmn_node.type for AB_BPMN_SUBPROCESS. */
typedef enum ab_bpmn_sub_type {
    AB_BPMN_SUB_EMBEDDED = 0, /**< subProcess */
    AB_BPMN_SUB_EVENT,        /**< subProcess triggeredByEvent="true" */
    AB_BPMN_SUB_TRANSACTION,  /**< transaction */
    AB_BPMN_SUB_ADHOC,        /**< adHocSubProcess */
    AB_BPMN_SUB__COUNT
} ab_bpmn_sub_type;

/** ab_bpmn_node.type for AB_BPMN_GATEWAY. */
typedef enum ab_bpmn_gateway_type {
    AB_BPMN_GW_EXCLUSIVE = 0,
    AB_BPMN_GW_PARALLEL,
    AB_BPMN_GW_INCLUSIVE,
    AB_BPMN_GW_EVENT_BASED,
    AB_BPMN_GW_COMPLEX,
    AB_BPMN_GW__COUNT
} ab_bpmn_gateway_type;

/** The trigger or result of an event (its event definition). */
typedef enum ab_bpmn_event_def {
    AB_BPMN_EV_NONE = 0,
    AB_BPMN_EV_MESSAGE,
    AB_BPMN_EV_TIMER,
    AB_BPMN_EV_SIGNAL,
    AB_BPMN_EV_LINK,
    AB_BPMN_EV_TERMINATE,
    AB_BPMN_EV_ERROR,
    AB_BPMN_EV_ESCALATION,
    AB_BPMN_EV_CANCEL,
    AB_BPMN_EV_COMPENSATE,
    AB_BPMN_EV_CONDITIONAL,
    AB_BPMN_EV_MULTIPLE,          /**< Several definitions, any one triggers. */
    AB_BPMN_EV_PARALLEL_MULTIPLE, /**< Several definitions, all needed. */
    AB_BPMN_EV__COUNT
} ab_bpmn_event_def;

/** Loop and multi-instance markers of an activity. */
typedef enum ab_bpmn_loop {
    AB_BPMN_LOOP_NONE = 0,
    AB_BPMN_LOOP_STANDARD,      /**< standardLoopCharacteristics */
    AB_BPMN_LOOP_MI_PARALLEL,   /**< multiInstanceLoopCharacteristics */
    AB_BPMN_LOOP_MI_SEQUENTIAL, /**< ... isSequential="true" */
} ab_bpmn_loop;

/**
 * One flow node. Strings are NUL-terminated, never NULL ("" when absent),
 * valid while the model lives. Nodes are numbered in document order, which is
 * also the order the net compiler and the alignments use (spec R1).
 */
typedef struct ab_bpmn_node {
    const char *id;             /**< The id attribute. */
    const char *name;           /**< The name attribute as written. */
    const char *label;          /**< name with runs of white space (line breaks
                                     included) turned into one space, trimmed. */
    const char *documentation;  /**< Text of the documentation children. */
    ab_bpmn_kind kind;
    int type;                   /**< ab_bpmn_task_type, ab_bpmn_sub_type or
                                     ab_bpmn_gateway_type, by kind; else 0. */
    ab_bpmn_event_def event;    /**< Events: the definition; else NONE. */
    ab_bpmn_loop loop;          /**< Activities: the loop marker. */
    int test_before;            /**< Standard loop with testBefore="true". */
    int interrupting;           /**< Boundary events: cancelActivity (default 1);
                                     start events: isInterrupting (default 1). */
    int for_compensation;       /**< Activities with isForCompensation="true". */
    uint32_t process;           /**< Index of the process that holds it. */
    uint32_t parent;            /**< Enclosing sub-process node, or NONE. */
    uint32_t lane;              /**< Innermost lane that lists it, or NONE. */
    uint32_t attached_to;       /**< Boundary events: the activity node, or NONE. */
    uint32_t default_flow;      /**< Gateways and activities: the default flow, or NONE. */
    const char *called_element; /**< Call activities: calledElement. */
    const char *event_ref;      /**< The link name, or the errorRef, escalationRef,
                                     messageRef or signalRef of the definition. */
    uint64_t line;              /**< Line of the element in the file. */
} ab_bpmn_node;

/** One sequence flow. */
typedef struct ab_bpmn_flow {
    const char *id;
    const char *name;
    const char *source_ref; /**< sourceRef as written. */
    const char *target_ref; /**< targetRef as written. */
    uint32_t source;        /**< Node index, or NONE when sourceRef is dangling. */
    uint32_t target;        /**< Node index, or NONE when targetRef is dangling. */
    uint32_t process;       /**< Process that holds it. */
    uint32_t parent;        /**< Enclosing sub-process node, or NONE. */
    int has_condition;      /**< A conditionExpression child is present. */
    int is_default;         /**< It is its source's default flow. */
    uint64_t line;
} ab_bpmn_flow;

/** A process (one pool of a collaboration, or a process on its own). */
typedef struct ab_bpmn_process {
    const char *id;
    const char *name;
    const char *participant_id;   /**< The participant (pool) that shows it, or "". */
    const char *participant_name; /**< That pool's name, or "". */
    uint32_t node_count;          /**< Flow nodes in it, sub-processes included. */
    uint64_t line;
} ab_bpmn_process;

/** A lane (a role). Nested lanes name their parent. */
typedef struct ab_bpmn_lane {
    const char *id;
    const char *name;
    uint32_t process;     /**< Process that holds it. */
    uint32_t parent;      /**< Enclosing lane, or NONE. */
    uint32_t node_count;  /**< Nodes whose innermost lane this is. */
    uint64_t line;
} ab_bpmn_lane;

/** A message flow between pools. Endpoints are nodes or participants. */
typedef struct ab_bpmn_message_flow {
    const char *id;
    const char *name;
    const char *source_ref;
    const char *target_ref;
    uint32_t source; /**< Node index, or NONE when the end is a pool or unknown. */
    uint32_t target;
    uint64_t line;
} ab_bpmn_message_flow;

/** A global task (globalTask, globalUserTask ...), callable by a call activity. */
typedef struct ab_bpmn_global_task {
    const char *id;
    const char *name;
    ab_bpmn_task_type type;
} ab_bpmn_global_task;

/** Geometry of a DI shape, kept for drawing only; never used for semantics. */
typedef struct ab_bpmn_shape {
    const char *element_id; /**< bpmnElement. */
    uint32_t node;          /**< Node index, or NONE (pools, lanes, artifacts). */
    uint32_t plane;         /**< Which BPMNPlane (0 = the first diagram). */
    double x, y, width, height;
    int expanded;           /**< isExpanded="true". */
    int has_label;          /**< A BPMNLabel with bounds is present. */
    double label_x, label_y, label_width, label_height;
} ab_bpmn_shape;

/** Geometry of a DI edge: its waypoints. */
typedef struct ab_bpmn_edge {
    const char *element_id; /**< bpmnElement. */
    uint32_t flow;          /**< Sequence flow index, or NONE. */
    uint32_t plane;
    const double *points;   /**< x0, y0, x1, y1 ... (2 * point_count values). */
    uint32_t point_count;
} ab_bpmn_edge;

/** What a warning is about, so that tests and reports can sort them. */
typedef enum ab_bpmn_issue_kind {
    AB_BPMN_ISSUE_DUPLICATE_ID = 0, /**< Two elements share an id; references use the first. */
    AB_BPMN_ISSUE_DANGLING_FLOW,    /**< A flow whose sourceRef/targetRef names no flow node. */
    AB_BPMN_ISSUE_UNREACHABLE,      /**< A node no start can reach. */
    AB_BPMN_ISSUE_NO_END,           /**< A node from which no end can be reached. */
    AB_BPMN_ISSUE_UNSUPPORTED,      /**< A BPMN element the reader does not know, ignored. */
    AB_BPMN_ISSUE_INVALID,          /**< Something BPMN forbids (a flow across pools ...). */
    AB_BPMN_ISSUE_OTHER,
} ab_bpmn_issue_kind;

/** A warning about the map. */
typedef struct ab_bpmn_issue {
    ab_bpmn_issue_kind kind;
    const char *element_id; /**< The element concerned ("" when none). */
    const char *what;       /**< A sentence. */
    uint64_t line;          /**< Line in the file, or 0. */
} ab_bpmn_issue;

typedef struct ab_bpmn_options {
    unsigned version; /**< AB_BPMN_OPTIONS_VERSION. */
    int keep_di;      /**< Keep shapes and edges (default 1). */
} ab_bpmn_options;

#define AB_BPMN_OPTIONS_VERSION 1
#define AB_BPMN_OPTIONS_INIT {AB_BPMN_OPTIONS_VERSION, 1}

/**
 * Reads a BPMN file (plain or gzip; "-" = stdin) into *out. opts may be NULL.
 * Returns AB_OK; AB_EIO when the file cannot be read; AB_EPARSE for XML that
 * is not well formed, a document that declares entities, or a root that is
 * not BPMN's <definitions> (err has the file, line and column); AB_ELIMIT for
 * nesting deeper than ab_limits.max_depth; AB_ENOMEM. Structural problems of a
 * well-formed map (dangling flows, unreachable nodes ...) are warnings, see
 * ab_bpmn_issue_count(). On failure *out is NULL.
 */
AB_API int ab_bpmn_read(ab_bpmn **out, ab_ctx *ctx, const char *path, const ab_bpmn_options *opts,
                        ab_error *err);

/** The same from memory; name appears in messages. */
AB_API int ab_bpmn_read_memory(ab_bpmn **out, ab_ctx *ctx, const void *data, size_t len,
                               const char *name, const ab_bpmn_options *opts, ab_error *err);

/** Destroys a model; NULL is accepted. */
AB_API void ab_bpmn_destroy(ab_bpmn *model);

/** The name given when reading. */
AB_API const char *ab_bpmn_source(const ab_bpmn *model);
/** The id of <definitions>, or "". */
AB_API const char *ab_bpmn_definitions_id(const ab_bpmn *model);
/** The exporter attribute of <definitions> ("Camunda Modeler" ...), or "". */
AB_API const char *ab_bpmn_exporter(const ab_bpmn *model);

AB_API uint32_t ab_bpmn_node_count(const ab_bpmn *model);
AB_API const ab_bpmn_node *ab_bpmn_node_at(const ab_bpmn *model, uint32_t index);
/** Sequence flows into / out of a node: *count_out receives their number. */
AB_API const uint32_t *ab_bpmn_node_incoming(const ab_bpmn *model, uint32_t index,
                                             uint32_t *count_out);
AB_API const uint32_t *ab_bpmn_node_outgoing(const ab_bpmn *model, uint32_t index,
                                             uint32_t *count_out);
/** Boundary events attached to an activity. */
AB_API const uint32_t *ab_bpmn_node_boundary(const ab_bpmn *model, uint32_t index,
                                             uint32_t *count_out);
/** Looks a node up by id; AB_ENOTFOUND when no flow node has it. */
AB_API int ab_bpmn_node_find(const ab_bpmn *model, const char *id, uint32_t *index_out);

/**
 * Nodes of a kind; for tasks, sub-processes and gateways, subtype selects one
 * type (-1 = all types). Events: subtype -1 counts all of the kind.
 */
AB_API uint32_t ab_bpmn_count(const ab_bpmn *model, ab_bpmn_kind kind, int subtype);

AB_API uint32_t ab_bpmn_flow_count(const ab_bpmn *model);
AB_API const ab_bpmn_flow *ab_bpmn_flow_at(const ab_bpmn *model, uint32_t index);
AB_API int ab_bpmn_flow_find(const ab_bpmn *model, const char *id, uint32_t *index_out);

AB_API uint32_t ab_bpmn_process_count(const ab_bpmn *model);
AB_API const ab_bpmn_process *ab_bpmn_process_at(const ab_bpmn *model, uint32_t index);
/** Looks a process up by id; AB_ENOTFOUND when absent. */
AB_API int ab_bpmn_process_find(const ab_bpmn *model, const char *id, uint32_t *index_out);

AB_API uint32_t ab_bpmn_lane_count(const ab_bpmn *model);
AB_API const ab_bpmn_lane *ab_bpmn_lane_at(const ab_bpmn *model, uint32_t index);

AB_API uint32_t ab_bpmn_message_flow_count(const ab_bpmn *model);
AB_API const ab_bpmn_message_flow *ab_bpmn_message_flow_at(const ab_bpmn *model, uint32_t index);

AB_API uint32_t ab_bpmn_global_task_count(const ab_bpmn *model);
AB_API const ab_bpmn_global_task *ab_bpmn_global_task_at(const ab_bpmn *model, uint32_t index);
/** Looks a global task up by id; AB_ENOTFOUND when absent. */
AB_API int ab_bpmn_global_task_find(const ab_bpmn *model, const char *id, uint32_t *index_out);

AB_API uint32_t ab_bpmn_shape_count(const ab_bpmn *model);
AB_API const ab_bpmn_shape *ab_bpmn_shape_at(const ab_bpmn *model, uint32_t index);
AB_API uint32_t ab_bpmn_edge_count(const ab_bpmn *model);
AB_API const ab_bpmn_edge *ab_bpmn_edge_at(const ab_bpmn *model, uint32_t index);

/**
 * Elements of BPMN that carry no control flow (data objects and stores,
 * associations, text annotations, groups, categories ...) are not compiled;
 * they are counted here by element name, in byte order of the name.
 */
AB_API uint32_t ab_bpmn_ignored_count(const ab_bpmn *model);
AB_API const char *ab_bpmn_ignored_name(const ab_bpmn *model, uint32_t index);
AB_API uint32_t ab_bpmn_ignored_elements(const ab_bpmn *model, uint32_t index);

/** Warnings, in document order of the element concerned, then by kind. */
AB_API uint32_t ab_bpmn_issue_count(const ab_bpmn *model);
AB_API const ab_bpmn_issue *ab_bpmn_issue_at(const ab_bpmn *model, uint32_t index);

/** Short names for the enums ("userTask", "exclusive", "timer" ...). Never NULL. */
AB_API const char *ab_bpmn_kind_name(ab_bpmn_kind kind);
AB_API const char *ab_bpmn_task_type_name(ab_bpmn_task_type type);
AB_API const char *ab_bpmn_sub_type_name(ab_bpmn_sub_type type);
AB_API const char *ab_bpmn_gateway_type_name(ab_bpmn_gateway_type type);
AB_API const char *ab_bpmn_event_def_name(ab_bpmn_event_def def);
AB_API const char *ab_bpmn_issue_kind_name(ab_bpmn_issue_kind kind);

/**
 * Normalises a label for matching: white space runs (line breaks, tabs,
 * no-break spaces) become one space, leading and trailing space is dropped,
 * ASCII letters are lower-cased, and '_' and '-' count as spaces. Writes at
 * most cap bytes including the NUL into buf and returns the length the full
 * result needs (like snprintf).
 */
AB_API size_t ab_bpmn_label_normalise(const char *s, char *buf, size_t cap);

/* ---- Label mapping (spec R2) ---- */

/** How a task was mapped to an activity. */
typedef enum ab_bpmn_map_how {
    AB_BPMN_MAP_EXACT = 0,  /**< The label equals the activity name. */
    AB_BPMN_MAP_NORMALISED, /**< Equal after ab_bpmn_label_normalise. */
    AB_BPMN_MAP_FILE,       /**< Given by the mapping file. */
    AB_BPMN_MAP_SILENT,     /**< Declared silent by a `task,` line of the mapping file:
                                 the task is no step of the log (an artificial start or
                                 end of a discovered map); its activity is "". */
} ab_bpmn_map_how;

/** One task-to-activity pair. */
typedef struct ab_bpmn_map_pair {
    const char *task;     /**< The task label (as in the net). */
    const char *activity; /**< The log activity. */
    const char *lane;     /**< Only for the task in this lane (role), as the mapping
                               file's third column says; NULL = in any lane. */
    ab_bpmn_map_how how;
} ab_bpmn_map_pair;

/** A near match offered for an unmapped task. */
typedef struct ab_bpmn_map_suggestion {
    const char *task;
    const char *activity;
    double score; /**< 0..1, higher is closer. */
} ab_bpmn_map_suggestion;

typedef struct ab_bpmn_map_options {
    unsigned version;       /**< AB_BPMN_MAP_OPTIONS_VERSION. */
    const char *map_file;   /**< CSV `task,activity` lines, or NULL. */
    int normalise;          /**< Also match normalised names (default 1). */
    double suggest_min;     /**< Smallest score suggested (default 0.5). */
    unsigned suggest_max;   /**< Suggestions per unmapped task (default 3). */
} ab_bpmn_map_options;

#define AB_BPMN_MAP_OPTIONS_VERSION 1
#define AB_BPMN_MAP_OPTIONS_INIT {AB_BPMN_MAP_OPTIONS_VERSION, NULL, 1, 0.5, 3}

/**
 * Maps task labels to activity names. tasks are the model's visible labels
 * (for instance the distinct labels of a compiled net, see
 * ab_net_labels()); activities are the log's activity names. Both lists
 * are copied. A mapping file, when given, decides for every task it names:
 * its lines are `task,activity` or `task,activity,lane` (a header line
 * `task,activity[,lane]` is skipped; fields may be double-quoted with "" for
 * a quote; `#` starts a comment line; ';' or TAB may replace ','); a task may
 * appear on several lines and several tasks may name one activity. A lane
 * restricts the line to the task's occurrences in that lane (a map often has
 * one "approve" task per role); ab_net_relabel() applies it. Names in the
 * file are matched after normalisation. Tasks the file does not name are
 * matched exactly, then by normalised name. A line `task,` with an empty
 * activity declares the task silent (AB_BPMN_MAP_SILENT): ab_net_relabel()
 * makes its transitions silent, so no case is said to bypass it. A task the
 * log does not carry whose name says it is an artificial start or end
 * ("Start", "End", "Start event" ...) gets a warning that suggests that line.
 * Returns AB_OK, AB_EIO (map file unreadable), AB_EPARSE (a malformed map
 * line, with its line number), AB_ENOMEM. Lines naming an unknown task or
 * activity are warnings (ab_bpmn_map_warning_count), not errors.
 */
AB_API int ab_bpmn_map_create(ab_bpmn_mapping **out, ab_ctx *ctx, const char *const *tasks,
                              size_t task_count, const char *const *activities,
                              size_t activity_count, const ab_bpmn_map_options *opts,
                              ab_error *err);
/** Destroys a mapping; NULL is accepted. */
AB_API void ab_bpmn_map_destroy(ab_bpmn_mapping *map);

/** Pairs sorted by task, then activity, then lane (byte order, NULL first). */
AB_API uint32_t ab_bpmn_map_pair_count(const ab_bpmn_mapping *map);
AB_API const ab_bpmn_map_pair *ab_bpmn_map_pair_at(const ab_bpmn_mapping *map, uint32_t index);
/** The activities a task maps to: pairs [*first_out, *first_out + count). */
AB_API uint32_t ab_bpmn_map_task_pairs(const ab_bpmn_mapping *map, const char *task,
                                       uint32_t *first_out);
/** Tasks mapped to nothing, in byte order. */
AB_API uint32_t ab_bpmn_map_unmapped_task_count(const ab_bpmn_mapping *map);
AB_API const char *ab_bpmn_map_unmapped_task(const ab_bpmn_mapping *map, uint32_t index);
/** Activities no task maps to (undocumented activities), in byte order. */
AB_API uint32_t ab_bpmn_map_unmapped_activity_count(const ab_bpmn_mapping *map);
AB_API const char *ab_bpmn_map_unmapped_activity(const ab_bpmn_mapping *map, uint32_t index);
/** Near matches for unmapped tasks among unmapped activities, best first per task
 *  (none when that would take more than 4,000,000 comparisons; a warning says so). */
AB_API uint32_t ab_bpmn_map_suggestion_count(const ab_bpmn_mapping *map);
AB_API const ab_bpmn_map_suggestion *ab_bpmn_map_suggestion_at(const ab_bpmn_mapping *map,
                                                               uint32_t index);
/**
 * What the mapping should tell its user, as sentences: lines of the mapping
 * file naming an unknown task or activity, tasks named like an artificial
 * start or end that match nothing, and near matches not searched because
 * the unmapped tasks times the unmapped activities passed 4,000,000.
 */
AB_API uint32_t ab_bpmn_map_warning_count(const ab_bpmn_mapping *map);
AB_API const char *ab_bpmn_map_warning(const ab_bpmn_mapping *map, uint32_t index);
AB_API const char *ab_bpmn_map_how_name(ab_bpmn_map_how how);

/**
 * Similarity of two labels in 0..1: the larger of a normalised edit-distance
 * similarity and a word-overlap (Dice) score, both on normalised labels.
 */
AB_API double ab_bpmn_label_similarity(const char *a, const char *b);

#ifdef __cplusplus
}
#endif

#endif
