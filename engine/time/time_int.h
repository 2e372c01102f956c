/*
 * time/time_int.h: internals shared by the timestamp parser, the layout guesser
 * and the zone loader: proleptic Gregorian day arithmetic, the loaded zone and
 * the layout parser without message building (the guesser calls it thousands
 * of times and only wants yes or no).
 */
#ifndef AB_TIME_INT_H
#define AB_TIME_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "asbuilt/time.h"
#include "core/core_int.h"

/* Microseconds per second; ab_time is UTC microseconds since 1970. */
#define AB__USEC INT64_C(1000000)

/* Seconds since 1970 of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define AB__SEC_MIN INT64_C(-62135596800)
#define AB__SEC_MAX INT64_C(253402300799)

static inline bool ab__is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static inline int ab__days_in_month(int64_t y, int m)
{
    static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ab__is_leap(y) ? 29 : mdays[m - 1];
}

/*
 * Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (m in
 * 1..12, d may run past the month: it simply adds days). This is Howard
 * Hinnant's days_from_civil: eras of 400 years (146097 days) starting on
 * March 1st, so that the leap day falls at the end of each year of the era.
 */
static inline int64_t ab__days_from_civil(int64_t y, int m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* March 1st = 0 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* The inverse of ab__days_from_civil, valid for any int64 day count / 2. */
static inline void ab__civil_from_days(int64_t z, int64_t *y_out, int *m_out, int *d_out)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y_out = yoe + era * 400 + (m <= 2);
    *m_out = m;
    *d_out = d;
}

/* Division rounding toward minus infinity (b > 0). */
static inline int64_t ab__floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- Zones ---- */

/* One date of a POSIX TZ rule ("Mm.w.d", "Jn" or "n", then "/time"). */
typedef struct ab__tz_date {
    int kind;     /* AB__TZ_MONTH_WEEK_DAY, AB__TZ_JULIAN_1 or AB__TZ_JULIAN_0. */
    int month;    /* 1..12, for Mm.w.d. */
    int week;     /* 1..5 (5 = last), for Mm.w.d. */
    int day;      /* Weekday 0..6 (Sunday = 0) for Mm.w.d; day number for Jn / n. */
    int32_t time; /* Local time of day of the switch, seconds; may be negative or > 24 h. */
} ab__tz_date;

enum { AB__TZ_MONTH_WEEK_DAY = 0, AB__TZ_JULIAN_1 = 1, AB__TZ_JULIAN_0 = 2 };

/* A POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3" (the TZif footer). */
typedef struct ab__tz_posix {
    int32_t std_off;   /* Standard time, seconds east of UTC (POSIX writes it west). */
    int32_t dst_off;   /* Daylight time, seconds east of UTC (when has_dst). */
    bool has_dst;      /* False for a zone without daylight saving. */
    ab__tz_date start; /* Switch to daylight time, given in standard local time. */
    ab__tz_date end;   /* Switch back, given in daylight local time. */
} ab__tz_posix;

struct ab_tz {
    ab_ctx *ctx;        /* The context that allocated this zone. */
    char *name;         /* The name given at load (NUL-terminated). */
    int32_t first_off;  /* Offset before the first transition (the only one when fixed). */
    uint32_t count;     /* Transitions in the table (0 for a fixed offset). */
    int64_t *trans;     /* UTC seconds of each transition, strictly ascending. */
    int64_t *keys;      /* Local seconds from which transition i applies (see time_tz.c). */
    int32_t *offs;      /* Offset in force from transition i on, seconds east of UTC. */
    bool has_posix;     /* The footer rule applies after the last transition. */
    ab__tz_posix posix; /* The footer rule, when has_posix. */
};

/*
 * Loads a zone from a TZif image in memory (the file reader's second half;
 * also what tests and fuzzers drive). AB_EPARSE for a damaged image, AB_ENOMEM.
 */
int ab__tz_from_tzif(ab_tz **out, ab_ctx *ctx, const char *name, const void *data, size_t len,
                     ab_error *err);

/* Parses a POSIX TZ string. AB_OK or AB_EPARSE (no message). */
int ab__tz_posix_parse(ab__tz_posix *out, const char *s, size_t len);

/*
 * UTC seconds for a local wall-clock time written without zone (local_sec is
 * the wall clock counted as if it were UTC). In a gap or an overlap the offset
 * in force just before the transition is used (Python's fold=0).
 */
int64_t ab__tz_local_to_utc(const ab_tz *tz, int64_t local_sec);

/* The offset (seconds east of UTC) in force at the UTC instant utc_sec. */
int32_t ab__tz_offset_at(const ab_tz *tz, int64_t utc_sec);

/* ---- Parsing without messages ---- */

/* Why a parse failed, for the message that ab_time_parse builds. */
typedef struct ab__ts_fail {
    int kind;                   /* AB__TS_SYNTAX, AB__TS_RANGE, AB__TS_EMPTY or AB__TS_SMALL. */
    size_t pos;                 /* Offset in the value where reading stopped (SYNTAX). */
    const char *field;          /* The field out of range ("month", "day", ...) (RANGE). */
    long long value;            /* Its value (RANGE). */
    int lo, hi;                 /* The accepted range (RANGE). */
    const char *note;           /* Added after the range, or NULL (RANGE). */
    ab_ts_layout dayfirst_hint; /* AB_TS_DMY when an AUTO value reads only day-first. */
} ab__ts_fail;

enum { AB__TS_SYNTAX = 1, AB__TS_RANGE = 2, AB__TS_EMPTY = 3, AB__TS_SMALL = 4 };

/*
 * Parses text[0..len) (spaces around already allowed) in one layout. pattern
 * is used for AB_TS_PATTERN only. Returns AB_OK, AB_EPARSE with *fail filled
 * (when fail is non-NULL) or AB_EINVAL for an unknown layout or bad pattern.
 */
int ab__time_parse_layout(ab_time *out, const char *text, size_t len, ab_ts_layout layout,
                          const char *pattern, const ab_tz *tz, ab__ts_fail *fail);
/*
 * The readers' hot path: ab_time_parse without failure details (a reader
 * that needs the message parses again with ab_time_parse), and for ISO 8601
 * whether the value wrote a zone (*has_zone; false for other layouts, whose
 * zone the caller judges). AB_OK, AB_EPARSE, or AB_EINVAL for a bad format.
 */
int ab__time_parse_fast(ab_time *out, const char *text, size_t len, const ab_ts_format *fmt,
                        const ab_tz *tz, bool *has_zone);
/* ISO 8601 without the by-position fast path, for the test that checks the
 * two agree (a layout value ab__time_parse_layout takes, never public). */
#define AB__TS_ISO8601_GENERAL 1000

/* A plain number "[+-]digits[.digits]" as written. */
typedef struct ab__ts_number {
    bool neg;       /* A leading '-'. */
    uint64_t ipart; /* The integer part, saturated at 10^18. */
    uint32_t frac6; /* The first six fraction digits, as microseconds of the unit. */
} ab__ts_number;

/* Reads a plain number filling all of text[0..len). False when it is not one. */
bool ab__ts_scan_number(const char *text, size_t len, ab__ts_number *out);

/*
 * Copies at most ~60 bytes of s[0..len) for a message, cut on a UTF-8
 * boundary, with control bytes, quotes and backslashes shown as \xNN.
 */
void ab__ts_quote(char *dst, size_t cap, const char *s, size_t len);

/*
 * Magnitudes that decide epoch units: below AB__EPOCH_MIN a number is not
 * taken for a time unless the layout says so; from AB__EPOCH_MS_MIN on it is
 * milliseconds. See ab_ts_guess_result in time.h.
 */
#define AB__EPOCH_MIN UINT64_C(100000000)
#define AB__EPOCH_MS_MIN UINT64_C(100000000000)

#endif
