/*
 * asbuilt/log.h: the event log. Readers feed an ab_log_builder event by event
 * (cases may interleave and span files); ab_log_builder_finish() sorts each
 * case's events stably by (timestamp, start timestamp, position in the input)
 * and returns an immutable, columnar ab_log: per event a case index, an
 * interned activity id, a completion timestamp, an optional start timestamp,
 * an interned resource id, a lifecycle transition, and the other attributes
 * packed and retrievable by key. Variants (distinct activity sequences) are
 * computed at finish, with their cases.
 *
 * Thread-safety: a builder is used by one thread at a time; a finished
 * ab_log is immutable and may be read from many threads at once.
 */
#ifndef ASBUILT_LOG_H
#define ASBUILT_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Attribute value types: the XES types (IEEE 1849-2016, section 5). */
typedef enum ab_attr_type {
    AB_ATTR_STRING = 0,
    AB_ATTR_DATE = 1,
    AB_ATTR_INT = 2,
    AB_ATTR_FLOAT = 3,
    AB_ATTR_BOOLEAN = 4,
    AB_ATTR_ID = 5,
    AB_ATTR_LIST = 6,      /**< Children follow, with parent = this attribute. */
    AB_ATTR_CONTAINER = 7, /**< Children follow, with parent = this attribute. */
} ab_attr_type;

/** A typed value. Strings are not NUL-terminated inputs; outputs are. */
typedef struct ab_value {
    ab_attr_type type;
    union {
        int64_t i;        /**< AB_ATTR_INT. */
        double f;         /**< AB_ATTR_FLOAT. */
        int b;            /**< AB_ATTR_BOOLEAN: 0 or 1. */
        ab_time t;        /**< AB_ATTR_DATE, UTC microseconds. */
        struct {
            const char *ptr;
            size_t len;
        } s;              /**< AB_ATTR_STRING and AB_ATTR_ID. */
    } u;
} ab_value;

/** One attribute handed to the builder. */
typedef struct ab_attr_in {
    const char *key;     /**< Not NUL-terminated. */
    size_t key_len;
    ab_value value;
    int32_t parent;      /**< Index of the enclosing list/container in the same array, or -1. */
} ab_attr_in;

/** Lifecycle transitions (XES lifecycle extension, standard model). */
typedef enum ab_lifecycle {
    AB_LC_NONE = 0,      /**< No lifecycle:transition attribute. */
    AB_LC_COMPLETE,
    AB_LC_START,
    AB_LC_SCHEDULE,
    AB_LC_ASSIGN,
    AB_LC_REASSIGN,
    AB_LC_SUSPEND,
    AB_LC_RESUME,
    AB_LC_ABORT,         /**< ate_abort and pi_abort. */
    AB_LC_WITHDRAW,
    AB_LC_AUTOSKIP,
    AB_LC_MANUALSKIP,
    AB_LC_OTHER,         /**< Any other value; the text is kept as an attribute. */
} ab_lifecycle;

/** Maps a lifecycle:transition value (case-insensitive) to the enum. */
AB_API ab_lifecycle ab_lifecycle_from_string(const char *s, size_t len);
AB_API const char *ab_lifecycle_name(ab_lifecycle lc);

/** One event handed to the builder. Strings need not be NUL-terminated. */
typedef struct ab_event_in {
    const char *case_id;     /**< NULL or empty: the event is dropped ("missing case id"). */
    size_t case_id_len;
    const char *activity;    /**< NULL or empty: dropped ("missing activity"). */
    size_t activity_len;
    ab_time ts;              /**< Completion (or only) time; AB_TIME_NONE if absent. */
    ab_time start_ts;        /**< Start time when the source has one column for it. */
    const char *resource;    /**< NULL when absent. */
    size_t resource_len;
    ab_lifecycle lifecycle;
    const ab_attr_in *attrs; /**< Other attributes of the event, or NULL. */
    size_t attr_count;
    uint64_t line;           /**< Line in the source, for data-quality reports (0 = unknown). */
} ab_event_in;

/** Why an input record was not used. */
typedef enum ab_drop_reason {
    AB_DROP_MISSING_CASE = 0,
    AB_DROP_MISSING_ACTIVITY,
    AB_DROP_MISSING_TIMESTAMP,
    AB_DROP_BAD_TIMESTAMP,
    AB_DROP_RAGGED_ROW,       /**< A CSV row with more or fewer fields than the header. */
    AB_DROP_LIFECYCLE_FILTER, /**< Left out by the lifecycle filter (not a defect). */
    AB_DROP_EMPTY_TRACE,      /**< An XES trace without events. */
    AB_DROP__COUNT
} ab_drop_reason;

AB_API const char *ab_drop_reason_name(ab_drop_reason r);

/** How many first line numbers are kept per drop reason. */
#define AB_DQ_LINES 5

typedef struct ab_dq_entry {
    uint64_t count;                /**< Records dropped for this reason. */
    uint64_t lines[AB_DQ_LINES];   /**< The first line numbers (0 = unknown). */
    uint32_t line_count;           /**< How many of lines[] are set. */
} ab_dq_entry;

/** Data-quality counts of a log. */
typedef struct ab_data_quality {
    uint64_t records;                    /**< Input records seen (events or rows). */
    ab_dq_entry dropped[AB_DROP__COUNT]; /**< Records not used, by reason. */
    uint64_t timestamps_coerced;         /**< Values read with a zone applied by --tz or assumed UTC. */
    uint64_t duplicate_events;           /**< Same case, activity, timestamp and lifecycle as the previous event. */
    uint64_t cases_with_equal_timestamps;/**< Cases where two events share a timestamp (order from input position). */
    uint64_t events_without_timestamp;   /**< Kept in input order because the log has no timestamps at all. */
} ab_data_quality;

/** Lifecycle filter applied by the builder. */
typedef enum ab_lc_filter {
    AB_LCF_ALL = 0,       /**< Every event record counts (PM4Py's default). */
    AB_LCF_COMPLETE,      /**< Only completion events (and events without a transition). */
} ab_lc_filter;

/**
 * A finished case handed to a case sink (one-pass reading). The events are
 * in the log's order (timestamp, start timestamp, input position), after
 * the lifecycle filter and the timestamp rules of ab_log_builder_finish.
 * Arrays have `length` entries and are valid during the call only.
 */
typedef struct ab_case_out {
    const char *case_id;              /**< Not NUL-terminated. */
    size_t case_id_len;
    uint32_t length;                  /**< Events (at least 1). */
    const uint32_t *activity;         /**< Activity ids (ab_log_builder_activity_name). */
    const ab_time *ts;                /**< Completion times; NULL while the log has none. */
    const ab_time *start;             /**< Start times; NULL when no event of the case has one. */
    const uint8_t *lifecycle;         /**< ab_lifecycle per event. */
    const ab_log_builder *builder;    /**< The builder, for activity names. */
} ab_case_out;

/** Receives one finished case; a non-zero ab_status (with err filled) stops the read. */
typedef int (*ab_case_sink_fn)(const ab_case_out *c, void *payload, ab_error *err);

typedef struct ab_log_options {
    unsigned version;          /**< AB_LOG_OPTIONS_VERSION. */
    ab_lc_filter lifecycle;    /**< Which events to keep. */
    int keep_attributes;       /**< Keep the other attributes (default 1). */
    int strict;                /**< Any dropped record fails the build with AB_EPARSE. */
    /**
     * One-pass reading: when set, events are not stored. They must arrive
     * grouped by case (XES traces, a CSV sorted by case); each case is handed
     * to case_sink when the next case starts (and at finish), so memory
     * grows with the largest case, the activities, and 16 bytes or so per
     * case id (kept as a 64-bit fingerprint to prove the grouping), not with
     * the events. A case id met again after another case fails the read
     * with AB_EPARSE. Attributes are not kept, and ab_limits.max_events does
     * not apply. ab_log_builder_finish() then returns a log without events
     * or cases but with the activity names, the data quality, the time span
     * and the facts of the whole input.
     */
    ab_case_sink_fn case_sink;
    void *case_sink_payload;   /**< Passed to case_sink. */
} ab_log_options;

#define AB_LOG_OPTIONS_VERSION 1
#define AB_LOG_OPTIONS_INIT {AB_LOG_OPTIONS_VERSION, AB_LCF_ALL, 1, 0, 0, 0}

AB_API int ab_log_builder_create(ab_log_builder **out, ab_ctx *ctx, const ab_log_options *opts);
/** Destroys an unfinished builder; NULL is accepted. */
AB_API void ab_log_builder_destroy(ab_log_builder *b);

/**
 * Names the source of the events that follow (a file name), for messages.
 * Returns AB_ENOMEM only.
 */
AB_API int ab_log_builder_set_source(ab_log_builder *b, const char *name);

/**
 * Adds one event. Records that cannot be used are counted by reason (with
 * their line) and skipped, unless the builder is strict: then AB_EPARSE with
 * err naming the source and line. AB_ELIMIT past ab_limits.max_events.
 */
AB_API int ab_log_builder_add_event(ab_log_builder *b, const ab_event_in *ev, ab_error *err);

/**
 * Adds case-level attributes (XES trace attributes, CSV "case:" columns) to
 * the case with this id, creating the case entry if needed; a case without
 * events is not counted as a case. Later values for the same key are kept
 * after earlier ones.
 */
AB_API int ab_log_builder_add_case_attrs(ab_log_builder *b, const char *case_id,
                                         size_t case_id_len, const ab_attr_in *attrs,
                                         size_t attr_count, ab_error *err);

/** Adds log-level attributes (XES log attributes, globals are not included). */
AB_API int ab_log_builder_add_log_attrs(ab_log_builder *b, const ab_attr_in *attrs,
                                        size_t attr_count, ab_error *err);

/**
 * Counts a record that the reader itself could not use (a ragged CSV row, an
 * unparsable timestamp): in dq.records and under its reason (an empty trace
 * is not a record: it counts under its reason only). With a strict builder
 * returns AB_EPARSE, and err receives msg with the source and line.
 */
AB_API int ab_log_builder_drop(ab_log_builder *b, ab_drop_reason reason, uint64_t line,
                               const char *msg, ab_error *err);

/** Counts a timestamp read without a zone (a zone was applied or UTC assumed). */
AB_API void ab_log_builder_note_coerced(ab_log_builder *b, uint64_t n);

/**
 * Records a fact about the input for the report: "format", "classifier",
 * "delimiter", "timestamp_format" ... Later values replace earlier ones.
 */
AB_API int ab_log_builder_set_meta(ab_log_builder *b, const char *key, const char *value);

/** Events accepted so far (with a case sink: handed over or pending). */
AB_API uint64_t ab_log_builder_event_count(const ab_log_builder *b);

/** The name of an activity id given so far (its length in *len_out), or NULL if unknown. */
AB_API const char *ab_log_builder_activity_name(const ab_log_builder *b, uint32_t activity_id,
                                                size_t *len_out);

/** Cases handed to the case sink so far (0 without one). */
AB_API uint64_t ab_log_builder_sink_cases(const ab_log_builder *b);

/**
 * Sorts, groups and computes variants, then hands the log over and destroys
 * the builder (also on failure). AB_ENOMEM, or AB_EPARSE when strict and a
 * record was dropped.
 */
AB_API int ab_log_builder_finish(ab_log_builder *b, ab_log **out, ab_error *err);

/** Destroys a log; NULL is accepted. */
AB_API void ab_log_destroy(ab_log *log);

/* ---- Reading a finished log. Indices are 0-based; ids are interned. ---- */

AB_API uint32_t ab_log_case_count(const ab_log *log);
AB_API uint64_t ab_log_event_count(const ab_log *log);
AB_API uint32_t ab_log_activity_count(const ab_log *log);
AB_API uint32_t ab_log_resource_count(const ab_log *log);
AB_API uint32_t ab_log_variant_count(const ab_log *log);

/**
 * Activity names by id. In a finished log, ids follow the byte order of the
 * names (so ab_log_activity_sorted() is the identity), whatever the order in
 * which the input met them; resource ids likewise. While building,
 * ab_log_builder_activity_name() uses the ids of first appearance.
 */
AB_API const char *ab_log_activity_name(const ab_log *log, uint32_t activity_id);
AB_API const uint32_t *ab_log_activity_sorted(const ab_log *log);
/** Looks up an activity by name; AB_ENOTFOUND when absent. */
AB_API int ab_log_activity_find(const ab_log *log, const char *name, size_t len,
                                uint32_t *id_out);
/** Events per activity (after filtering). */
AB_API uint64_t ab_log_activity_events(const ab_log *log, uint32_t activity_id);
AB_API const char *ab_log_resource_name(const ab_log *log, uint32_t resource_id);

/**
 * Cases are numbered in a canonical order that does not depend on the order
 * or split of the input: by the completion time of their first event (cases
 * without timestamps first), then by id in byte order.
 */
AB_API const char *ab_log_case_id(const ab_log *log, uint32_t case_index);
/** The first event index of a case; its events are [first, first + count). */
AB_API uint64_t ab_log_case_first(const ab_log *log, uint32_t case_index);
AB_API uint32_t ab_log_case_length(const ab_log *log, uint32_t case_index);
AB_API uint32_t ab_log_case_variant(const ab_log *log, uint32_t case_index);

/**
 * Column access: arrays of ab_log_event_count() entries, in case order
 * (events of case 0, then case 1, ...), each case sorted stably by
 * (timestamp, start timestamp, input position).
 */
AB_API const uint32_t *ab_log_col_case(const ab_log *log);
AB_API const uint32_t *ab_log_col_activity(const ab_log *log);
AB_API const ab_time *ab_log_col_time(const ab_log *log);
/** Start timestamps, or NULL when no event has one. */
AB_API const ab_time *ab_log_col_start(const ab_log *log);
/** Resource ids; UINT32_MAX = none. */
AB_API const uint32_t *ab_log_col_resource(const ab_log *log);
/** Lifecycle transitions (ab_lifecycle values). */
AB_API const uint8_t *ab_log_col_lifecycle(const ab_log *log);
/** Non-zero when at least one event has a timestamp. */
AB_API int ab_log_has_timestamps(const ab_log *log);

/**
 * Looks up an event attribute by key (NUL-terminated). For list and
 * container attributes, *out has the type and no value; strings point into
 * the log. AB_ENOTFOUND when the event has no such attribute. The standard
 * fields (concept:name, time:timestamp, org:resource, lifecycle:transition)
 * are columns, not attributes.
 */
AB_API int ab_log_event_attr(const ab_log *log, uint64_t event, const char *key, ab_value *out);
/** The same for case attributes. */
AB_API int ab_log_case_attr(const ab_log *log, uint32_t case_index, const char *key,
                            ab_value *out);

/** Calls fn for every attribute of an event in input order; stops when fn returns non-zero. */
typedef int (*ab_attr_visit_fn)(const char *key, const ab_value *value, int depth, void *payload);
AB_API int ab_log_event_attrs_visit(const ab_log *log, uint64_t event, ab_attr_visit_fn fn,
                                    void *payload);

/**
 * Variants: distinct activity sequences. Variant indices are ordered by case
 * count (descending), then by the sequence of activity names (byte order),
 * so that output is deterministic.
 */
AB_API uint32_t ab_log_variant_cases(const ab_log *log, uint32_t variant);
AB_API uint32_t ab_log_variant_length(const ab_log *log, uint32_t variant);
/** The activity ids of a variant (length entries), valid while the log lives. */
AB_API const uint32_t *ab_log_variant_activities(const ab_log *log, uint32_t variant);
/** The case indices of a variant, in case order. */
AB_API const uint32_t *ab_log_variant_case_list(const ab_log *log, uint32_t variant);

/** Data-quality counts. */
AB_API const ab_data_quality *ab_log_data_quality(const ab_log *log);
/** First and last timestamp (AB_TIME_NONE when none). */
AB_API void ab_log_time_span(const ab_log *log, ab_time *first_out, ab_time *last_out);
/** A fact recorded with ab_log_builder_set_meta, or NULL. */
AB_API const char *ab_log_meta(const ab_log *log, const char *key);

/* ---- A log from columns (data frames and other columnar sources). ---- */

/**
 * A column of strings given as codes into a table of names (a pandas
 * categorical): row r has the name names[offsets[codes[r]] ..
 * offsets[codes[r] + 1]), or none when codes[r] is -1. Names are UTF-8,
 * not NUL-terminated; an empty name counts as none.
 */
typedef struct ab_log_dict_column {
    const int32_t *codes;     /**< One per row; -1 = missing. NULL = no such column. */
    const char *names;        /**< The names, one after the other. */
    size_t names_len;         /**< Bytes in names. */
    const uint64_t *offsets;  /**< count + 1 entries, non-decreasing, the last <= names_len. */
    uint32_t count;           /**< Names in the table. */
} ab_log_dict_column;

/**
 * The columns of a log, one entry per row (event) in input order. Timestamps
 * are nanoseconds since 1970-01-01 UTC (numpy's datetime64[ns]), INT64_MIN
 * for a missing value (NaT); they are floored to microseconds.
 */
typedef struct ab_log_columns {
    unsigned version;                /**< AB_LOG_COLUMNS_VERSION. */
    uint64_t rows;                   /**< Rows in every column. */
    ab_log_dict_column case_id;      /**< Required. */
    ab_log_dict_column activity;     /**< Required. */
    const int64_t *timestamp;        /**< Completion times, or NULL for a log without. */
    const int64_t *start_timestamp;  /**< Start times, or NULL. */
    ab_log_dict_column resource;     /**< codes NULL when absent. */
    ab_log_dict_column lifecycle;    /**< lifecycle:transition values; codes NULL when absent. */
    int timestamps_without_zone;     /**< Non-zero: the times were written without a zone and
                                          read as UTC; each is counted as coerced, as the CSV
                                          reader counts such values. */
    const char *source;              /**< Name for messages and the "format" fact, or NULL
                                          ("columns"). */
    /* Version 2. */
    ab_log_dict_column role;         /**< The performer's role per row; codes NULL when absent.
                                          An empty name is no role. Stored as the event
                                          attribute role_key, where the who-analysis finds
                                          a role (org:role, role or org:group). */
    const char *role_key;            /**< The role's attribute key, or NULL ("org:role"). */
} ab_log_columns;

/* Version 1 callers (without the role) are still accepted. */
#define AB_LOG_COLUMNS_VERSION 2

/**
 * Builds a log from columns, as a reader would from the same rows: rows go to
 * a builder with opts (NULL = AB_LOG_OPTIONS_INIT; a case sink is not
 * allowed) in order, with line = row number + 1, so data quality counts
 * missing values by reason with their rows. The log's "format" fact is
 * "columns". Returns AB_OK, AB_EINVAL (a code out of its table, offsets out
 * of order, a missing required column; err names the column and row),
 * AB_EPARSE (strict and a row was dropped), AB_ELIMIT or AB_ENOMEM.
 */
AB_API int ab_log_from_columns(ab_log **out, ab_ctx *ctx, const ab_log_columns *cols,
                               const ab_log_options *opts, ab_error *err);

/**
 * Numbers the distinct values of a column of 64-bit keys, in order of first
 * appearance: codes_out[r] is the number of keys[r], and first_out[c] the
 * first row whose key has number c. A key is any 64-bit value that stands
 * for a name: an integer, the bits of a float, or the identity of an object
 * whose name the caller looks up once per number (a Python object array
 * holds the addresses of its objects). codes_out has `rows` entries, and so
 * has first_out (at most that many are written); *count_out receives the
 * number of distinct keys. max_count > 0 stops at the first key past
 * max_count distinct ones, so that a caller whose keys turn out to be mostly
 * distinct can turn to another way early. AB_OK, AB_EINVAL (a NULL
 * argument), AB_ELIMIT (more than max_count, or 2^31-1, distinct keys; err
 * names the row) or AB_ENOMEM.
 */
AB_API int ab_keys_factorize(ab_ctx *ctx, const uint64_t *keys, uint64_t rows, uint32_t max_count,
                             int32_t *codes_out, uint64_t *first_out, uint32_t *count_out,
                             ab_error *err);

/**
 * The name of item as len bytes (UTF-8 for a name to be shown), or NULL when
 * the caller cannot give the item a name; see ab_names_factorize().
 */
typedef const char *(*ab_name_of_fn)(void *item, ptrdiff_t *len);

/**
 * Numbers the distinct names of a column of items, in order of first
 * appearance: name_of(items[r], &len) gives the bytes of row r's name, and
 * names are equal when their bytes are; codes_out[r] is the number of row r's
 * name, and first_out[c] the first row whose name has number c. A row whose
 * item is the previous row's (the same pointer) gets its number without a
 * call. The bytes are copied before the next call, so they need only live
 * until name_of is called again. name_of runs on the calling thread and may
 * use what that thread holds (a Python caller passes
 * PyUnicode_AsUTF8AndSize with the GIL held). codes_out and first_out have
 * `rows` entries. Numbering stops at the first row whose item name_of gives
 * no name (NULL, or a negative len): *rows_done receives the rows numbered
 * (rows when all were), *count_out the distinct names among them. AB_OK,
 * AB_EINVAL (a NULL argument), AB_ELIMIT (more than 2^31-1 distinct names;
 * err names the row) or AB_ENOMEM.
 */
AB_API int ab_names_factorize(ab_ctx *ctx, void *const *items, uint64_t rows, ab_name_of_fn name_of,
                              int32_t *codes_out, uint64_t *first_out, uint32_t *count_out,
                              uint64_t *rows_done, ab_error *err);

/** Directly-follows counts of columns; see ab_columns_dfg_count(). */
typedef struct ab_columns_dfg ab_columns_dfg;

/**
 * What ab_columns_dfg_count() found. Activities are those with counted
 * events, in byte order of their names (as ab_dfg_activities() orders
 * them); arrays are owned by the ab_columns_dfg.
 */
typedef struct ab_columns_dfg_counts {
    uint64_t cases;                 /**< Cases with at least one counted event. */
    uint64_t events;                /**< Events counted. */
    uint32_t activity_count;        /**< Activities with events. */
    const int32_t *activity_code;   /**< Per activity: the smallest code of the activity
                                         column with its name. */
    const uint64_t *activity_events; /**< Per activity: its events. */
    const uint64_t *starts;         /**< Per activity: cases whose first event it is. */
    const uint64_t *ends;           /**< Per activity: cases whose last event it is. */
    uint32_t edge_count;            /**< Directly-follows pairs seen. */
    const uint32_t *edge_from;      /**< Per edge: activity index (into the arrays above). */
    const uint32_t *edge_to;        /**< Per edge: activity index of the next event. */
    const uint64_t *edge_counts;    /**< Per edge: times `to` directly follows `from`. */
    const uint64_t *edge_cases;     /**< Per edge: cases in which it does at least once. */
} ab_columns_dfg_counts;

/**
 * Counts the directly-follows graph of columns without building a log: the
 * activities, the edges with their counts (every event counts, as in PM4Py
 * and ab_dfg_discover() with instances 0), and the cases' first and last
 * activities. The figures are those of ab_dfg_discover() with every case and
 * activity kept, on the log ab_log_from_columns() builds from the same
 * columns and options: rows without a case id or an activity are left out,
 * and so are rows the lifecycle filter leaves out, and rows without a time
 * when others have one; names are compared as bytes (two codes with equal
 * names are one case or activity); each case is ordered by (timestamp
 * floored to the microsecond, start timestamp, row). Edges are ordered as
 * ab_dfg_edges() orders them: count and cases descending, then from and to.
 * Rows that already come grouped by case and in time order within each case
 * are counted in one pass; other orders are grouped with a counting sort.
 * The resource column is only checked. Returns AB_OK, or what
 * ab_log_from_columns() returns for the same columns (AB_EINVAL, AB_EPARSE
 * under opts->strict, AB_ELIMIT, AB_ENOMEM; err names the column and row), or
 * AB_ELIMIT for more than 2^32-2 rows. *out is released with
 * ab_columns_dfg_destroy() before ctx is destroyed.
 */
AB_API int ab_columns_dfg_count(ab_columns_dfg **out, ab_ctx *ctx, const ab_log_columns *cols,
                                const ab_log_options *opts, ab_error *err);

/** The counts; valid while dfg lives. */
AB_API const ab_columns_dfg_counts *ab_columns_dfg_get(const ab_columns_dfg *dfg);

/** Releases the counts; NULL is accepted. */
AB_API void ab_columns_dfg_destroy(ab_columns_dfg *dfg);

/**
 * Writes the ids of all ab_log_activity_count() activities into ids_out,
 * most events first, then by name (byte order): the order in which stats
 * lists them. AB_OK or AB_ENOMEM.
 */
AB_API int ab_log_activities_by_events(const ab_log *log, ab_ctx *ctx, uint32_t *ids_out);

/** One variant as `stats` lists it. */
typedef struct ab_stats_variant {
    uint32_t cases;                /**< Cases with this activity sequence. */
    uint32_t length;               /**< Activities in the sequence. */
    const char *const *activities; /**< Their names, length entries. */
    const char *example_case;      /**< Its first case in case order. */
} ab_stats_variant;

/**
 * What `asbuilt stats` reports, whoever counted it: a log (ab_stats_view_of)
 * or processes that each counted a share of the cases. The writers take it
 * as it is: activities and variants must be in the report's order
 * (ab_stats_view_sort).
 */
typedef struct ab_stats_view {
    const char *format; /**< The "format" fact, or NULL. */
    uint32_t cases;
    uint64_t events;
    uint32_t activities;
    uint32_t variants;
    uint32_t resources;
    const char **activity_names; /**< activities entries: events descending, then name. */
    uint64_t *activity_events;
    ab_time first, last; /**< Time span (AB_TIME_NONE when the log has no timestamps). */
    const ab_data_quality *dq;
    ab_stats_variant *top; /**< The most frequent variants, in ab_stats_variant_cmp order. */
    uint32_t top_count;
    void *owned_; /**< What ab_stats_view_of allocated (ab_stats_view_dispose). */
} ab_stats_view;

/**
 * Order of variants in reports: more cases first, then the sequences of
 * activity names in byte order (a prefix first). Like strcmp.
 */
AB_API int ab_stats_variant_cmp(const ab_stats_variant *a, const ab_stats_variant *b);

/**
 * Puts activities (events descending, then name) and top
 * (ab_stats_variant_cmp) in order. AB_OK or AB_ENOMEM (v unchanged).
 */
AB_API int ab_stats_view_sort(ab_stats_view *v, ab_ctx *ctx);

/** The view of a log, with at most top variants; valid while log lives. AB_OK or AB_ENOMEM. */
AB_API int ab_stats_view_of(ab_stats_view *out, ab_ctx *ctx, const ab_log *log, uint32_t top);
/** Frees what ab_stats_view_of allocated; a view filled by hand is left alone. */
AB_API void ab_stats_view_dispose(ab_stats_view *v, ab_ctx *ctx);

/** Writes a view as ab_log_write_stats_json writes a log. AB_OK or AB_ENOMEM. */
AB_API int ab_stats_view_write_json(ab_buf *out, ab_ctx *ctx, const ab_stats_view *v,
                                    const char *const *files, size_t file_count,
                                    ab_lc_filter lifecycle);

/**
 * Writes what `asbuilt stats --json` prints (schema asbuilt.stats/1): the
 * input (files, the "format" fact, the lifecycle filter in force), counts,
 * events per activity, time span, data quality and the top variants (at
 * most top). Appends to out. AB_OK or AB_ENOMEM.
 */
AB_API int ab_log_write_stats_json(ab_buf *out, ab_ctx *ctx, const ab_log *log,
                                   const char *const *files, size_t file_count,
                                   ab_lc_filter lifecycle, uint32_t top);

#ifdef __cplusplus
}
#endif

#endif
