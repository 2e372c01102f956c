/*
 * asbuilt/csv.h: the CSV reader. RFC 4180 (quoted fields holding delimiters,
 * quotes and newlines), UTF-8 with or without BOM, delimiter sniffing among
 * ',' ';' TAB '|', rows in any order. Column roles come from options or are
 * recognised from the names PM4Py, bupaR, Disco, Celonis and Simod exports
 * use; the timestamp layout is inferred per column from the data unless given.
 * Other columns become attributes ("case:"-prefixed ones case attributes).
 *
 * Thread-safety: one call reads one input on the calling thread; calls on
 * different inputs and builders may run concurrently.
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
    char delimiter;              /**< 0 = sniff among ',' ';' TAB '|'. */
    const char *case_col;        /**< Column names (exact, else ASCII case-insensitive); NULL =
                                      recognise from the usual export names. */
    const char *activity_col;
    const char *timestamp_col;   /**< "" = the log has no timestamp column (file order). */
    const char *start_col;       /**< Start timestamp column; NULL = recognise, "" = none. */
    const char *resource_col;    /**< "" = none. */
    const char *lifecycle_col;   /**< "" = none. */
    ab_ts_format ts_format;      /**< AB_TS_AUTO = infer per column from the data. Applies to
                                      the timestamp and the start column. */
    const ab_tz *tz;             /**< Zone for times without one; NULL = UTC. */
    size_t ts_probe_bytes;       /**< How far ab_csv_read may read ahead (buffering the rows)
                                      while a column could still be day-first or month-first;
                                      0 = 64 MiB. */
    /**
     * Version 2. Where the records after the header sit in a larger file,
     * for reading a chunk of it: the input is the file's header (its bytes
     * from the start of the file through the header record's terminator)
     * followed by the file's bytes from first_offset on, cut at a record
     * start. Lines and byte offsets of the header are the input's (they are
     * the file's); those of the records after it are counted from
     * first_line and first_offset, so that messages, data-quality lines and
     * event lines are the ones the whole file gives for those records. A
     * chunk with no data row is then not an error. The chunk is read as the
     * whole file is when its delimiter and timestamp layout are given (a
     * chunk would otherwise sniff and infer its own) and the header ends
     * with LF or CRLF; only the bytes that lie in the file's first 64 KiB
     * are checked for NUL, as for the whole file. ab_csv_sniff ignores both.
     */
    uint64_t first_line;         /**< Line (1-based) of the byte after the header; 0 = as read. */
    uint64_t first_offset;       /**< Byte offset in the file of the byte after the header;
                                      0 = as read. */
} ab_csv_options;

/* Version 1 callers (without first_line and first_offset) are still accepted. */
#define AB_CSV_OPTIONS_VERSION 2
#define AB_CSV_OPTIONS_INIT                                                                        \
    {AB_CSV_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0, 0, {AB_TS_AUTO, {0}}, 0, 0, 0, 0}

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
    char newline[3];             /**< Line terminator seen first: "\n", "\r\n" or "\r". */
    int quoted;                  /**< Non-zero when quoted fields were seen. */
    int bom;                     /**< Non-zero when the file starts with a UTF-8 BOM. */
    int utf8;                    /**< Non-zero when the sample is valid UTF-8. */
    uint64_t utf8_bad_line;      /**< When !utf8: line of the first invalid byte (1-based). */
    uint64_t utf8_bad_offset;    /**< When !utf8: its byte offset in the uncompressed input. */
    uint32_t columns;            /**< Header fields. */
    int case_idx, activity_idx, timestamp_idx; /**< Column of each role; -1 = none. */
    int start_idx, resource_idx, lifecycle_idx;
    ab_ts_format ts_format;      /**< Inferred layout of the timestamp column. */
    ab_ts_format start_format;   /**< Inferred layout of the start column. */
    int ts_ambiguous;            /**< Day-first and month-first both fit the sample. */
    int start_ambiguous;         /**< The same for the start column. */
    uint32_t ts_values;          /**< Non-empty timestamp values in the sample. */
    uint32_t ts_unparsed;        /**< Of those, values that ts_format does not read. */
    char ts_example[64];         /**< The first non-empty timestamp value (truncated). */
    char names[AB_CSV_MAX_SNIFF_COLS][64]; /**< Header names (truncated), for printing. */
    uint8_t roles[AB_CSV_MAX_SNIFF_COLS];  /**< ab_csv_role per column. */
    uint32_t sample_rows;        /**< Data rows looked at (blank lines excluded). */
    uint32_t ragged_rows;        /**< Of those, rows whose field count differs from the header. */
    int sample_complete;         /**< Non-zero when the sample is the whole input. */
} ab_csv_dialect;

/**
 * Guesses the dialect and the column roles from the start of in (the first
 * 64 KiB, peeked, not consumed: ab_csv_read may follow on the same input),
 * honouring what opts fixes (delimiter, named columns, timestamp layout).
 * Allocates nothing; out is filled as far as the sample allows, also when a
 * role is missing, so a caller can show what was found.
 *
 * Returns AB_OK; AB_ENOTFOUND when no case, activity or timestamp column is
 * found or a named column is absent (err->msg lists the header and the flag
 * that fixes it); AB_EPARSE for input that is not CSV text (empty, a NUL
 * byte, UTF-16, no complete header line); AB_EINVAL for bad options; or the
 * input's errors (AB_EIO, a corrupt gzip stream). Invalid UTF-8 and an
 * ambiguous timestamp layout are reported in out, not as errors.
 */
AB_API int ab_csv_sniff(ab_csv_dialect *out, ab_input *in, const ab_csv_options *opts,
                        ab_error *err);

/**
 * Reads the whole CSV from in and feeds the builder b, one event per row.
 *
 * Format: RFC 4180 (quoted fields holding delimiters, doubled quotes and line
 * breaks; text after a closing quote is kept, as pandas does), records ended
 * by LF, CRLF or CR alone, UTF-8 with or without a BOM, blank lines skipped.
 * The first non-blank record is the header.
 *
 * Columns not named in opts are recognised by name, compared without ASCII
 * case, spaces, '_', '-' and '.', best first (so concept:name beats a Disco
 * "Activity" column kept beside it, as in PM4Py):
 *   case       case:concept:name, case_id, CaseID, case, _CASE_KEY, trace_id
 *   activity   concept:name, activity, activity_name, ACTIVITY_EN, activity_id,
 *              Event, event_name, task
 *   timestamp  time:timestamp, timestamp, Complete Timestamp, end_timestamp,
 *              end_time, complete_time, EVENTTIME, complete, end, datetime, time
 *   start      start_timestamp, start_time, start, start_date
 *   resource   org:resource, resource, resource_id, User, USER_NAME, originator
 *   lifecycle  lifecycle:transition, lifecycle, lifecycle_id, transition
 * A file with a start column and no other time uses it as the timestamp.
 * The case, activity, timestamp, start, resource and lifecycle columns fill
 * the event's fields; "case:" columns become case attributes (key without the
 * prefix; the first row of each case that is kept sets them, as in PM4Py);
 * an unnamed first column (a pandas index) is ignored; every other named
 * column becomes a string attribute when the value is not empty (numbers
 * stay strings: CSV carries no types). A lifecycle value outside the XES
 * standard model is AB_LC_OTHER, its text kept as "lifecycle:transition".
 *
 * Missing values: empty fields and the strings pandas reads as missing
 * ("NA", "NaN", "null", "None", "N/A", "#N/A", "NaT"...) count as missing in
 * the case, activity, timestamp and resource columns, so the rows PM4Py
 * drops are dropped here too, each for one reason in PM4Py's order: case
 * (AB_DROP_MISSING_CASE), activity, then timestamp (AB_DROP_MISSING_TIMESTAMP,
 * or AB_DROP_BAD_TIMESTAMP when it does not parse). A row with another field
 * count than the header is AB_DROP_RAGGED_ROW. Drops go through
 * ab_log_builder_drop with the row's line: fatal (AB_EPARSE) when the
 * builder is strict. Lines are physical lines of the file; a record with
 * quoted line breaks is reported at its first line.
 *
 * Timestamps: opts->ts_format, else inferred per column from the data. While
 * day-first and month-first both fit every value seen, rows are held in
 * memory (at most opts->ts_probe_bytes, 64 MiB by default) rather than
 * turned into events, and replayed once a day above 12 decides. A column
 * still open at that bound, or at the end of the file, is read month-first
 * with a warning (diagnostics callback, and the "timestamp_ambiguous" meta);
 * should a value later in the file read only day-first, the read stops with
 * AB_EPARSE naming it and --timestamp-format dmy, rather than misreading.
 * Times without a zone are read in opts->tz (UTC when NULL) and counted with
 * ab_log_builder_note_coerced; a zone in the data is converted.
 *
 * Facts recorded with ab_log_builder_set_meta: "format" ("csv"), "delimiter"
 * (",", ";", "|" or "tab"), "encoding", "timestamp_format",
 * "start_timestamp_format", "timestamp_ambiguous" (when so), and the column
 * of each role ("case_column", "activity_column", "timestamp_column",
 * "start_column", "resource_column", "lifecycle_column").
 *
 * Memory: a window of 4 MiB that grows only for a record longer than that
 * (at most twice ab_limits.max_field_len) or while probing a layout; no
 * allocation per row.
 *
 * Returns AB_OK; AB_EPARSE for input that is not CSV text (empty, binary,
 * UTF-16, header only), an unterminated quote at the end of the file, invalid
 * UTF-8, or an ambiguous layout contradicted late (err has the file, line,
 * column and byte offset); AB_ENOTFOUND when a needed column is absent;
 * AB_ELIMIT for a field or record past ab_limits; AB_EINVAL for bad options;
 * AB_EIO and gzip errors from the input; AB_ENOMEM. On failure the builder
 * keeps what was fed; the caller destroys it.
 */
AB_API int ab_csv_read(ab_log_builder *b, ab_input *in, const ab_csv_options *opts,
                       ab_error *err);

#ifdef __cplusplus
}
#endif

#endif
