/*
 * csv/csv_int.h: what the CSV reader and the sniffer share: the record
 * scanner (RFC 4180 over a byte range, no allocation), quote unescaping,
 * the dialect prelude (BOM, binary check, line ends, delimiter) and column
 * role recognition.
 */
#ifndef AB_CSV_INT_H
#define AB_CSV_INT_H

#include <stddef.h>
#include <stdint.h>

#include "asbuilt/csv.h"
#include "core/core_int.h"

/* One field of a scanned record, as a span relative to the record start. */
typedef struct ab__csv_field {
    size_t off;     /* Offset of the span from the record start, bytes. */
    uint32_t len;   /* Span length, bytes. */
    uint32_t flags; /* AB__CSV_QUOTED, AB__CSV_ESCAPED. */
} ab__csv_field;

/* The field was written in quotes (the span excludes them unless ESCAPED). */
#define AB__CSV_QUOTED 1u
/*
 * The span is the raw text from the opening quote to the field's end and
 * must go through ab__csv_unescape: it holds doubled quotes, or text after
 * the closing quote (kept, as pandas and Python's csv module do).
 */
#define AB__CSV_ESCAPED 2u

/* ab__csv_scan_record found a quote that the input never closes. */
#define AB__CSV_UNTERMINATED (-1)

typedef struct ab__csv_scan {
    char delim;             /* Field separator. */
    char nl;                /* Record terminator: '\n', or '\r' for files with CR-only lines. */
    ab__csv_field *fields;  /* Spans of the last record; the first `cap` are stored. */
    uint32_t cap;           /* Capacity of fields. */
    uint32_t count;         /* Fields in the last record (may exceed cap). */
    uint32_t newlines;      /* Terminators inside quoted fields of the last record. */
    uint32_t escaped;       /* Fields of the last record flagged AB__CSV_ESCAPED. */
    size_t quote_off;       /* After AB__CSV_UNTERMINATED: offset of the opening quote. */
} ab__csv_scan;

/*
 * Scans one record at p[0..avail). Returns its length including the
 * terminator (> 0), 0 when the record may continue past avail (only when
 * !eof), or AB__CSV_UNTERMINATED (only when eof). avail must be > 0.
 */
ptrdiff_t ab__csv_scan_record(ab__csv_scan *s, const char *p, size_t avail, int eof);
/* The byte-at-a-time reference (and the only scanner where SSE2 is missing). */
ptrdiff_t ab__csv_scan_record_scalar(ab__csv_scan *s, const char *p, size_t avail, int eof);

/* Unescapes an AB__CSV_ESCAPED span into dst (which may equal src); returns the new length. */
size_t ab__csv_unescape(char *dst, const char *src, size_t len);

/* The bytes of a field, unescaped into tmp[0..cap) when needed (truncated to cap). */
const char *ab__csv_field_text(const char *rec, const ab__csv_field *f, char *tmp, size_t cap,
                               size_t *len_out);

/* Non-zero when text is one of the strings pandas reads as missing ("NA", "null", ...). */
int ab__csv_is_na(const char *s, size_t len);

/* Non-zero when a timestamp text carries its own zone ("Z", "+02:00", "-0530", " UTC"). */
int ab__csv_has_zone(const char *s, size_t len);

/* What the first bytes say about the file, before any record is read. */
typedef struct ab__csv_prelude {
    size_t bom_len;   /* 3 when a UTF-8 BOM starts the file, else 0. */
    char delim;       /* Delimiter given or sniffed. */
    char nl;          /* '\n' or '\r'. */
    char newline[3];  /* The first terminator as written ("\r\n", "\n" or "\r"). */
} ab__csv_prelude;

/*
 * Looks at the sample p[0..len) (eof: it is the whole input): refuses empty,
 * binary (when check_nul) and UTF-16 input with AB_EPARSE, finds the BOM and
 * the line terminator, and sniffs the delimiter unless opts fixes it.
 */
int ab__csv_prelude_read(ab__csv_prelude *out, const char *p, size_t len, int eof, int check_nul,
                         const ab_csv_options *opts, const char *source, ab_error *err);

/*
 * AB_EPARSE ("binary data") when p[0..len) holds a NUL byte; p[0] is at
 * line line0 and byte offset off0 of the file (lines counted by LF).
 */
int ab__csv_nul_check(const char *p, size_t len, uint64_t line0, uint64_t off0, const char *source,
                      ab_error *err);

/* A header name (not NUL-terminated). */
typedef struct ab__csv_name {
    const char *ptr;
    size_t len;
} ab__csv_name;

/* Indices into ab__csv_roles.idx, in the order of ab_csv_role 1..6. */
enum { AB__R_CASE, AB__R_ACTIVITY, AB__R_TIMESTAMP, AB__R_START, AB__R_RESOURCE, AB__R_LIFECYCLE,
       AB__R_COUNT };

/*
 * Assigns a role to every column: the ones opts names, then the usual export
 * names (XES names first), "case:" columns as case attributes, an unnamed
 * first column as a pandas index. roles_out has count entries; idx_out[r]
 * is the column of role r or -1. Everything is filled even on failure.
 * AB_ENOTFOUND when a named column is absent or no case, activity or
 * timestamp column is found; the message lists the header and the flag.
 */
int ab__csv_roles(const ab__csv_name *names, uint32_t count, const ab_csv_options *opts,
                  uint8_t *roles_out, int idx_out[AB__R_COUNT], const char *source,
                  ab_error *err);

/*
 * Reads a column's inferred layout from its guess: ab_ts_guess_result, or,
 * when no layout reads every sample, the one that reads the most. Returns
 * the number of samples the layout reads; *ambiguous_out is set when it is
 * day-first or month-first and the other fits as many samples.
 */
uint32_t ab__csv_ts_choose(const ab_ts_guess *g, ab_ts_format *out, int *ambiguous_out);

#endif
