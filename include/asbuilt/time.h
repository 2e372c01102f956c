/*
 * asbuilt/time.h: timestamps as logs write them. Parses ISO-8601 (with or
 * without zone and fraction) and the usual export layouts, infers a column's
 * layout from its values (a day-first column shows itself by a day above 12),
 * and converts to UTC microseconds. A zone written in the data is converted,
 * never relabelled; ab_tz applies only to times written without a zone.
 *
 * Thread-safety: parsing functions are reentrant; an ab_tz is immutable after
 * loading and may be shared; an ab_ts_guess is used by one thread at a time.
 */
#ifndef ASBUILT_TIME_H
#define ASBUILT_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Timestamp layouts. The separator between date and time may be 'T' or ' '. */
typedef enum ab_ts_layout {
    AB_TS_AUTO = 0,    /**< Infer from the data (ab_ts_guess). */
    AB_TS_ISO8601,     /**< YYYY-MM-DD[THH:MM[:SS[.f]]][Z|±HH[:MM]] */
    AB_TS_YMD_SLASH,   /**< YYYY/MM/DD[ HH:MM[:SS[.f]]] */
    AB_TS_DMY,         /**< DD.MM.YYYY, DD-MM-YYYY or DD/MM/YYYY [HH:MM[:SS[.f]]] */
    AB_TS_MDY,         /**< MM/DD/YYYY or MM-DD-YYYY [HH:MM[:SS[.f]]] [AM|PM] */
    AB_TS_EPOCH_S,     /**< Seconds since 1970 (integer or decimal). */
    AB_TS_EPOCH_MS,    /**< Milliseconds since 1970. */
    AB_TS_PATTERN,     /**< A strftime-like pattern: %Y %m %d %H %M %S %f %z %p %b %%. */
} ab_ts_layout;

/** How to read one column of timestamps. */
typedef struct ab_ts_format {
    ab_ts_layout layout;
    char pattern[64];    /**< For AB_TS_PATTERN only, NUL-terminated. */
} ab_ts_format;

/**
 * Parses a --timestamp-format value: a layout name ("iso8601", "ymd", "dmy",
 * "mdy", "epoch", "epoch_ms", "auto"; any case; "iso" and "epoch_s" are
 * accepted as aliases) or a pattern containing '%'. A pattern must hold %Y,
 * %m (or %b) and %d, each directive at most once, and be shorter than 64
 * bytes. In a pattern, %m %d %H %M %S read one or two digits, %Y four, %f any
 * number of fraction digits, %b an English month name (full or abbreviated),
 * %p AM/PM (the hour is then 1-12), %z a zone as ab_time_parse reads it
 * ('Z', "UTC", ±HH[:MM]), and a space one or more spaces. AB_EINVAL with a
 * message naming what is accepted.
 */
AB_API int ab_ts_format_parse(ab_ts_format *out, const char *text, ab_error *err);

/**
 * Writes the --timestamp-format value that selects fmt (for `asbuilt sniff`):
 * the canonical layout name or the pattern. Like snprintf, returns the length
 * of the full name and writes at most cap - 1 bytes plus a NUL (cap > 0).
 */
AB_API size_t ab_ts_format_name(const ab_ts_format *fmt, char *buf, size_t cap);

/**
 * Loads a zone for times written without one: "UTC" (or "Z", any case), a
 * fixed offset ("+02:00", "-0530", "+02") or an IANA name ("Europe/Amsterdam",
 * read from /usr/share/zoneinfo, /usr/lib/zoneinfo or /usr/share/lib/zoneinfo
 * in TZif form, versions 1-4, with the POSIX TZ footer for times after the
 * last transition). The TZ environment variable is never read. "GMT+5" and
 * the like are zoneinfo names with POSIX signs (GMT+5 is UTC-05:00); write
 * "-05:00" for an offset.
 *
 * A wall-clock time that falls in a gap (clocks jump forward) or an overlap
 * (clocks fall back) is read with the offset in force just before the
 * transition, as Python does with fold=0: in Europe/Amsterdam, 2024-03-31
 * 02:30 is 01:30Z (= 03:30 CEST) and 2024-10-27 02:30 is 00:30Z (the first,
 * CEST, instant).
 *
 * Returns AB_OK; AB_ENOTFOUND for an unknown name (no such file, a directory
 * such as "Europe", or a file that is not TZif); AB_EINVAL for a malformed
 * offset or a name that is not a relative path of letters, digits, '_', '-',
 * '+' and '.' without "." or ".." components (no absolute path, no
 * traversal); AB_EPARSE for a damaged TZif file; AB_EIO when the file cannot
 * be read; AB_ENOMEM. On failure *out is NULL.
 */
AB_API int ab_tz_load(ab_tz **out, ab_ctx *ctx, const char *name, ab_error *err);
/** Destroys a zone; NULL is accepted. */
AB_API void ab_tz_destroy(ab_tz *tz);
/** The name given at load, valid while the zone lives. */
AB_API const char *ab_tz_name(const ab_tz *tz);

/**
 * Parses text[0..len) in the given layout (fmt NULL = AB_TS_AUTO). Times
 * without a zone are read in tz (NULL = UTC); a zone written in the value
 * always wins. Leading and trailing spaces, tabs, CR and LF are ignored.
 * Does not allocate; safe to call from several threads.
 *
 * AB_TS_AUTO picks one layout from the first field: "YYYY-" is ISO-8601,
 * "YYYY/" is YMD_SLASH, "DD." is DMY (dotted dates are day-first by
 * convention), "NN/" and "NN-" are MDY (day-first is never assumed: a first
 * field above 12 fails, with a hint to use dmy), and a plain number is epoch
 * time by magnitude: milliseconds from 10^11 on, seconds from 10^8 (1973) to
 * 10^11, and below 10^8 not a time at all (counts, amounts, ids).
 *
 * Rules for every layout:
 * - The date-time separator is 'T' or spaces; the time is HH:MM[:SS[.f]]
 *   (ISO wants two-digit hours, the export layouts also "9:05"); the
 *   fraction is introduced by '.' or ','.
 * - Fractions of any length are read; digits past the sixth are dropped
 *   (truncated toward the earlier microsecond of the written wall clock;
 *   toward zero for epoch numbers), never rounded.
 * - A zone is 'Z', "UTC", "GMT" or ±HH, ±HH:MM, ±HHMM (up to ±23:59), right
 *   after the time or after spaces. AM/PM (any case) may follow the time in
 *   the non-ISO layouts; the hour is then 1-12.
 * - Year 1-9999, month 1-12, day within the month (leap years by the
 *   Gregorian rule), hour 0-23, minute 0-59, second 0-60. 24:00:00 (nothing
 *   else with hour 24) is midnight at the end of the day. Second 60 (a leap
 *   second) reads as the first second of the next minute: ab_time counts
 *   POSIX seconds, which have no leap seconds.
 * - Epoch numbers: [+-]digits[.digits], years 1-9999.
 *
 * Returns AB_OK with *out in UTC microseconds; AB_EPARSE when the value does
 * not parse (err->msg says what was expected and quotes up to ~60 bytes of
 * the value, e.g. "expected a timestamp like 2024-01-31T13:45:00[.fff]
 * [Z|+01:00], got '2024-01-31x' (unexpected 'x' at offset 10)" or
 * "day 30 out of range 1-29 in '2024-02-30'"; the caller fills in the
 * position); AB_EINVAL for an invalid fmt (unknown layout, unterminated or
 * bad pattern). *out is left untouched on failure.
 */
AB_API int ab_time_parse(ab_time *out, const char *text, size_t len, const ab_ts_format *fmt,
                         const ab_tz *tz, ab_error *err);

/**
 * Formats t as ISO-8601 in UTC with microseconds only when non-zero:
 * "2011-10-01T09:45:13.917Z" style ("2011-10-01T09:45:13Z" without fraction;
 * milliseconds when the fraction is a whole millisecond). Years outside
 * 0-9999 (never produced by the parsers) are written with a sign, as ISO
 * 8601's expanded years. Like snprintf, returns the full length (at most 32)
 * and writes at most cap - 1 bytes plus a NUL (cap > 0); cap >= 33 always
 * suffices.
 */
AB_API size_t ab_time_format(ab_time t, char *buf, size_t cap);

/**
 * Converts a civil UTC date-time (proleptic Gregorian) to ab_time. Only the
 * year is checked (1..9999, else AB_TIME_NONE); the other fields carry over
 * arithmetically (month 13 is January of the next year, day 0 the last day
 * of the previous month, hour 24 the next day). AB_TIME_NONE also when the
 * result does not fit in an ab_time.
 */
AB_API ab_time ab_time_from_civil(int year, int month, int day, int hour, int min, int sec,
                                  int usec);

/**
 * Layout inference for one column: feed sample values (all of them or the
 * first thousands), then ask. The result is the layout that parses every
 * non-empty sample, in the order ISO-8601, YMD_SLASH, DMY/MDY, epoch; between
 * DMY and MDY a day above 12 decides; a column where both parse every value
 * is reported as ambiguous (MDY chosen, like most export tools, and the
 * caller warns). Dotted dates (31.01.2024) read only as DMY.
 *
 * A column of plain numbers is epoch time by magnitude: milliseconds when
 * every number of at least 10^8 is also at least 10^11 (10^11 ms is
 * 1973-03-03; 10^11 s would be the year 5138), seconds when they all lie in
 * [10^8, 10^11) (10^8 s is 1973-03-03). Smaller numbers (0, placeholders) do
 * not vote. A column with numbers in both ranges, or only below 10^8 (counts,
 * amounts, ids, relative times), is not inferred: AB_ENOTFOUND (the caller
 * can still pass --timestamp-format epoch).
 */
typedef struct ab_ts_guess {
    uint32_t seen;        /**< Non-empty samples fed. */
    uint32_t ok[8];       /**< Samples that parse, per ab_ts_layout. */
    uint32_t dayfirst;    /**< Samples whose first field is above 12 (D/M ambiguity). */
    uint32_t monthfirst;  /**< Samples whose second field is above 12. */
    uint32_t numeric;     /**< Samples that are plain numbers. */
    uint32_t flags;       /**< Internal. */
} ab_ts_guess;

#define AB_TS_GUESS_INIT {0, {0}, 0, 0, 0, 0}

/** Counts one value (spaces around are ignored; empty values are skipped). */
AB_API void ab_ts_guess_feed(ab_ts_guess *g, const char *text, size_t len);

/**
 * The inferred format. Returns AB_OK, or AB_ENOTFOUND when no layout parses
 * every non-empty sample (or nothing was fed). *ambiguous_out (may be NULL)
 * is set when day-first and month-first both fit.
 */
AB_API int ab_ts_guess_result(const ab_ts_guess *g, ab_ts_format *out, int *ambiguous_out);

#ifdef __cplusplus
}
#endif

#endif
