/*
 * asbuilt/csv.h: the CSV reader. RFC 4180 (quoted fields holding delimiters,
 * quotes and newlines), UTF-8 with or without BOM, delimiter sniffing among
 * ',' ';' TAB '|', rows in any order. Column roles come from options or are
 * recognised from the names PM4Py, bupaR, Disco, Celonis and Simod exports
 * use; the timestamp layout is inferred per column from the data unless given.
 * Other columns become attributes ("case:"-prefixed ones case attributes).
 *
 * Thread-safety: one call reads one input on the calling thread.
 */
#ifndef ASBUILT_CSV_H
#define ASBUILT_CSV_H

#include "input.h"
#include "log.h"
#include "time.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ab_csv_options {
    unsigned version;            /**< AB_CSV_OPTIONS_VERSION. */
    char delimiter;              /**< 0 = sniff. */
    const char *case_col;        /**< Column names; NULL = recognise. */
    const char *activity_col;
    const char *timestamp_col;
    const char *start_col;       /**< Start timestamp column; NULL = recognise, "" = none. */
    const char *resource_col;    /**< "" = none. */
    const char *lifecycle_col;   /**< "" = none. */
    ab_ts_format ts_format;      /**< AB_TS_AUTO = infer per column from the data. */
    const ab_tz *tz;             /**< Zone for times without one; NULL = UTC. */
} ab_csv_options;

#define AB_CSV_OPTIONS_VERSION 1
#define AB_CSV_OPTIONS_INIT {AB_CSV_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0, 0, {AB_TS_AUTO, {0}}, 0}

/** Column roles. */
typedef enum ab_csv_role {
    AB_CSV_ROLE_NONE = 0,        /**< An ordinary attribute. */
    AB_CSV_ROLE_CASE,
    AB_CSV_ROLE_ACTIVITY,
    AB_CSV_ROLE_TIMESTAMP,
    AB_CSV_ROLE_START,
    AB_CSV_ROLE_RESOURCE,
    AB_CSV_ROLE_LIFECYCLE,
    AB_CSV_ROLE_CASE_ATTR,       /**< "case:..." columns. */
    AB_CSV_ROLE_INDEX,           /**< An unnamed leading row-number column (pandas). */
} ab_csv_role;

#define AB_CSV_MAX_SNIFF_COLS 256

/** What the sniffer found; filled by ab_csv_sniff. */
typedef struct ab_csv_dialect {
    char delimiter;              /**< ',', ';', '\t' or '|'. */
    int quoted;                  /**< Non-zero when quoted fields were seen. */
    int bom;                     /**< Non-zero when the file starts with a UTF-8 BOM. */
    int utf8;                    /**< Non-zero when the sample is valid UTF-8. */
    uint32_t columns;            /**< Header fields. */
    int case_idx, activity_idx, timestamp_idx, start_idx, resource_idx, lifecycle_idx; /**< -1 = none. */
    ab_ts_format ts_format;      /**< Inferred layout of the timestamp column. */
    ab_ts_format start_format;   /**< Inferred layout of the start column. */
    int ts_ambiguous;            /**< Day-first and month-first both fit the sample. */
    char names[AB_CSV_MAX_SNIFF_COLS][64]; /**< Header names (truncated), for printing. */
    uint8_t roles[AB_CSV_MAX_SNIFF_COLS];  /**< ab_csv_role per column. */
    uint32_t sample_rows;        /**< Data rows looked at. */
} ab_csv_dialect;

/**
 * Guesses the dialect and the column roles from the start of in (peeked,
 * not consumed), honouring what opts fixes. AB_ENOTFOUND with a message when
 * no case, activity or timestamp column can be found (the message lists the
 * header and the flags that would fix it); AB_EPARSE for a file that is not
 * text.
 */
AB_API int ab_csv_sniff(ab_csv_dialect *out, ab_input *in, const ab_csv_options *opts,
                        ab_error *err);

/**
 * Reads the whole CSV from in and feeds the builder. Ragged rows and
 * unparsable timestamps are counted through ab_log_builder_drop (fatal when
 * the builder is strict). AB_EPARSE for an unterminated quote or invalid
 * UTF-8 (with line and byte offset), AB_ENOTFOUND for missing columns.
 */
AB_API int ab_csv_read(ab_log_builder *b, ab_input *in, const ab_csv_options *opts,
                       ab_error *err);

#ifdef __cplusplus
}
#endif

#endif
