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
 * "mdy", "epoch", "epoch_ms", "auto") or a pattern containing '%'.
 * AB_EINVAL with a message naming what is accepted.
 */
AB_API int ab_ts_format_parse(ab_ts_format *out, const char *text, ab_error *err);

/** Writes the --timestamp-format value that selects fmt (for `asbuilt sniff`). */
AB_API size_t ab_ts_format_name(const ab_ts_format *fmt, char *buf, size_t cap);

/**
 * Loads a zone for times written without one: "UTC", a fixed offset
 * ("+02:00", "-0530") or an IANA name ("Europe/Amsterdam", read from the
 * system's zoneinfo in TZif form). AB_ENOTFOUND for an unknown name.
 */
AB_API int ab_tz_load(ab_tz **out, ab_ctx *ctx, const char *name, ab_error *err);
AB_API void ab_tz_destroy(ab_tz *tz);
/** The name given at load. */
AB_API const char *ab_tz_name(const ab_tz *tz);

/**
 * Parses text[0..len) in the given layout (AB_TS_AUTO tries ISO-8601 first,
 * then the others, day-first never assumed). Times without a zone are read
 * in tz (NULL = UTC). Leading and trailing spaces are ignored.
 * Returns AB_OK with *out in UTC microseconds, or AB_EPARSE (err->msg says
 * what was expected; the caller fills in the position).
 */
AB_API int ab_time_parse(ab_time *out, const char *text, size_t len, const ab_ts_format *fmt,
                         const ab_tz *tz, ab_error *err);

/**
 * Formats t as ISO-8601 in UTC with microseconds only when non-zero:
 * "2011-10-01T09:45:13.917Z" style ("2011-10-01T09:45:13Z" without fraction;
 * milliseconds when the fraction is a whole millisecond). Returns the length
 * (at most 32 with cap >= 33).
 */
AB_API size_t ab_time_format(ab_time t, char *buf, size_t cap);

/** Converts a civil UTC date-time to ab_time (no range checks beyond year 1..9999). */
AB_API ab_time ab_time_from_civil(int year, int month, int day, int hour, int min, int sec,
                                  int usec);

/**
 * Layout inference for one column: feed sample values (all of them or the
 * first thousands), then ask. The result is the layout that parses every
 * non-empty sample; between DMY and MDY a day above 12 decides; a column
 * where both parse every value is reported as ambiguous (MDY chosen, like
 * most export tools, and the caller warns).
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
