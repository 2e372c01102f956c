/*
 * time/time_parse.c: reading and writing timestamps. ISO-8601 is on the hot
 * path of every XES and most CSV reads, so the parsers are hand-written over
 * (pointer, end) with no allocation, no locale and no libc time functions;
 * messages are built only once a value has failed.
 */
#include "time/time_int.h"

#include <stdio.h>

/* ---- Reading primitives ---- */

/* The value being read: where it starts (for error offsets), the cursor and its end. */
typedef struct ts_in {
    const char *base; /* First byte of the value, after the leading spaces. */
    const char *p;    /* Next byte to read. */
    const char *end;  /* One past the last byte, before the trailing spaces. */
} ts_in;

/* The fields of a written timestamp, before ranges are checked. */
typedef struct ts_fields {
    int year;         /* As written, 4 digits. */
    int month;        /* 1..12 once checked. */
    int day;          /* 1..days in month once checked. */
    int hour;         /* 0..24 (24 only as 24:00:00), or 1..12 with ampm. */
    int min;          /* 0..59. */
    int sec;          /* 0..60 (60 = leap second, see ts_to_time). */
    int usec;         /* Fraction of the second, truncated to microseconds. */
    int ampm;         /* 0 = none, 1 = AM, 2 = PM. */
    bool has_zone;    /* A zone was written ('Z', "UTC", or an offset). */
    int32_t zone_off; /* The written offset, seconds east of UTC. */
} ts_fields;

#define TS_FIELDS_INIT                                                                             \
    {                                                                                              \
        1970, 1, 1, 0, 0, 0, 0, 0, false, 0                                                        \
    }

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int fail_syntax(ab__ts_fail *fail, const ts_in *in)
{
    if (fail != NULL) {
        fail->kind = AB__TS_SYNTAX;
        fail->pos = (size_t)(in->p - in->base);
    }
    return AB_EPARSE;
}

static int fail_range(ab__ts_fail *fail, const char *field, long long value, int lo, int hi,
                      const char *note)
{
    if (fail != NULL) {
        fail->kind = AB__TS_RANGE;
        fail->field = field;
        fail->value = value;
        fail->lo = lo;
        fail->hi = hi;
        fail->note = note;
    }
    return AB_EPARSE;
}

/* Reads min..max digits (greedy) into *out; false when fewer than min are there. */
static inline bool read_digits(ts_in *in, int min, int max, int *out)
{
    int v = 0;
    int n = 0;
    while (n < max && in->p < in->end && is_digit(*in->p)) {
        v = v * 10 + (*in->p - '0');
        in->p++;
        n++;
    }
    *out = v;
    return n >= min;
}

static inline bool read_char(ts_in *in, char c)
{
    if (in->p < in->end && *in->p == c) {
        in->p++;
        return true;
    }
    return false;
}

static inline void skip_spaces(ts_in *in)
{
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t')) {
        in->p++;
    }
}

/*
 * A fraction after '.' or ',' (ISO 8601 allows both): any number of digits,
 * the first six kept and the rest dropped. Dropping truncates toward the
 * earlier microsecond of the written wall clock, the same for every value, so
 * equal prefixes give equal times and order is never inverted.
 */
static inline bool read_fraction(ts_in *in, int *usec)
{
    static const int scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    int v = 0;
    int n = 0;
    while (in->p < in->end && is_digit(*in->p)) {
        if (n < 6) {
            v = v * 10 + (*in->p - '0');
            n++;
        }
        in->p++;
    }
    if (n == 0) {
        return false;
    }
    *usec = v * scale[n];
    return true;
}

static bool word_at(const ts_in *in, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(in->end - in->p) >= n && ab__ieq(in->p, n, lit);
}

/*
 * A zone: 'Z', "UTC" or "GMT" (any case), or an offset +HH, +HH:MM, +HHMM (or
 * '-'). Offsets up to ±23:59 are read, as Python does; real ones stay within
 * -12:00..+14:00. Returns 0 when no zone starts here, 1 when one was read,
 * AB_EPARSE on a zone that is out of range.
 */
static int read_zone(ts_in *in, ts_fields *f, ab__ts_fail *fail)
{
    if (in->p >= in->end) {
        return 0;
    }
    char c = *in->p;
    if (c == 'Z' || c == 'z') {
        in->p++;
        f->has_zone = true;
        f->zone_off = 0;
        return 1;
    }
    if ((c == 'U' || c == 'u' || c == 'G' || c == 'g') &&
        (word_at(in, "UTC") || word_at(in, "GMT"))) {
        in->p += 3;
        f->has_zone = true;
        f->zone_off = 0;
        return 1;
    }
    if (c != '+' && c != '-') {
        return 0;
    }
    in->p++;
    int hh;
    int mm = 0;
    if (!read_digits(in, 2, 2, &hh)) {
        return fail_syntax(fail, in);
    }
    if (read_char(in, ':')) {
        if (!read_digits(in, 2, 2, &mm)) {
            return fail_syntax(fail, in);
        }
    } else if (in->p < in->end && is_digit(*in->p)) {
        if (!read_digits(in, 2, 2, &mm)) {
            return fail_syntax(fail, in);
        }
    }
    if (hh > 23) {
        return fail_range(fail, "zone hour", hh, 0, 23, NULL);
    }
    if (mm > 59) {
        return fail_range(fail, "zone minute", mm, 0, 59, NULL);
    }
    f->has_zone = true;
    f->zone_off = (int32_t)((hh * 60 + mm) * 60 * (c == '-' ? -1 : 1));
    return 1;
}

/* AM or PM (any case) right here. */
static bool read_ampm(ts_in *in, ts_fields *f)
{
    if (word_at(in, "AM")) {
        f->ampm = 1;
    } else if (word_at(in, "PM")) {
        f->ampm = 2;
    } else {
        return false;
    }
    in->p += 2;
    return true;
}

static int read_after_seconds(ts_in *in, ts_fields *f, bool iso, ab__ts_fail *fail);
static int read_after_minutes(ts_in *in, ts_fields *f, bool iso, ab__ts_fail *fail);

/*
 * The part after the date: nothing, or 'T' / spaces, then H:MM[:SS[.f]],
 * then AM/PM (not in ISO), then a zone, then the end of the value.
 * ISO wants a two-digit hour; the export layouts write "9:05 AM" too.
 */
static int read_time_tail(ts_in *in, ts_fields *f, bool iso, ab__ts_fail *fail)
{
    if (in->p == in->end) {
        return AB_OK;
    }
    if (*in->p == 'T' || *in->p == 't') {
        in->p++;
    } else if (*in->p == ' ' || *in->p == '\t') {
        skip_spaces(in);
    } else {
        return fail_syntax(fail, in);
    }
    if (!read_digits(in, iso ? 2 : 1, 2, &f->hour) || !read_char(in, ':') ||
        !read_digits(in, 2, 2, &f->min)) {
        return fail_syntax(fail, in);
    }
    if (read_char(in, ':')) {
        if (!read_digits(in, 2, 2, &f->sec)) {
            return fail_syntax(fail, in);
        }
        return read_after_seconds(in, f, iso, fail);
    }
    return read_after_minutes(in, f, iso, fail);
}

/* What may follow the seconds: a fraction, then as read_after_minutes. */
static int read_after_seconds(ts_in *in, ts_fields *f, bool iso, ab__ts_fail *fail)
{
    if (in->p < in->end && (*in->p == '.' || *in->p == ',')) {
        in->p++;
        if (!read_fraction(in, &f->usec)) {
            return fail_syntax(fail, in);
        }
    }
    return read_after_minutes(in, f, iso, fail);
}

/* After the clock: spaces, AM/PM (not in ISO), a zone, then the end. */
static int read_after_minutes(ts_in *in, ts_fields *f, bool iso, ab__ts_fail *fail)
{
    skip_spaces(in);
    if (!iso && read_ampm(in, f)) {
        skip_spaces(in);
    }
    int rc = read_zone(in, f, fail);
    if (rc < 0) {
        return rc;
    }
    if (in->p != in->end) {
        return fail_syntax(fail, in);
    }
    return AB_OK;
}

/* ---- Layouts ---- */

/* Two digits at s, or -1. */
static inline int two_digits(const char *s)
{
    unsigned a = (unsigned)(s[0] - '0'), b = (unsigned)(s[1] - '0');
    return a <= 9 && b <= 9 ? (int)(a * 10 + b) : -1;
}

/*
 * The shape nearly every log writes, YYYY-MM-DD[T ]HH:MM:SS, read by
 * position; what follows the seconds goes through the same code as the
 * general path, so both accept and reject the same texts. False when the
 * value has another shape (the general path then reads it).
 */
static bool iso_by_position(ts_in *in, ts_fields *f)
{
    const char *s = in->p;
    if (in->end - s < 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) {
        return false;
    }
    int y1 = two_digits(s), y2 = two_digits(s + 2), mo = two_digits(s + 5), d = two_digits(s + 8),
        h = two_digits(s + 11), mi = two_digits(s + 14), se = two_digits(s + 17);
    if ((y1 | y2 | mo | d | h | mi | se) < 0 || (s[10] == ' ' && (s[11] == ' ' || s[11] == '\t'))) {
        return false;
    }
    f->year = y1 * 100 + y2;
    f->month = mo;
    f->day = d;
    f->hour = h;
    f->min = mi;
    f->sec = se;
    in->p = s + 19;
    return true;
}

static int parse_iso_general(ts_in *in, ts_fields *f, ab__ts_fail *fail)
{
    if (!read_digits(in, 4, 4, &f->year) || !read_char(in, '-') ||
        !read_digits(in, 2, 2, &f->month) || !read_char(in, '-') ||
        !read_digits(in, 2, 2, &f->day)) {
        return fail_syntax(fail, in);
    }
    return read_time_tail(in, f, true, fail);
}

static int parse_iso(ts_in *in, ts_fields *f, ab__ts_fail *fail)
{
    if (iso_by_position(in, f)) {
        return read_after_seconds(in, f, true, fail);
    }
    return parse_iso_general(in, f, fail);
}

static int parse_ymd(ts_in *in, ts_fields *f, ab__ts_fail *fail)
{
    if (!read_digits(in, 4, 4, &f->year) || !read_char(in, '/') ||
        !read_digits(in, 1, 2, &f->month) || !read_char(in, '/') ||
        !read_digits(in, 1, 2, &f->day)) {
        return fail_syntax(fail, in);
    }
    return read_time_tail(in, f, false, fail);
}

/* DD.MM.YYYY, DD-MM-YYYY, DD/MM/YYYY (dmy) or MM/DD/YYYY, MM-DD-YYYY (mdy); one separator. */
static int parse_two_first(ts_in *in, ts_fields *f, bool day_first, ab__ts_fail *fail)
{
    int a;
    int b;
    if (!read_digits(in, 1, 2, &a) || in->p == in->end) {
        return fail_syntax(fail, in);
    }
    char sep = *in->p;
    if (sep != '/' && sep != '-' && !(sep == '.' && day_first)) {
        return fail_syntax(fail, in);
    }
    in->p++;
    if (!read_digits(in, 1, 2, &b) || !read_char(in, sep) || !read_digits(in, 4, 4, &f->year)) {
        return fail_syntax(fail, in);
    }
    f->day = day_first ? a : b;
    f->month = day_first ? b : a;
    return read_time_tail(in, f, false, fail);
}

/* An English month name, full or abbreviated, any case (%b). */
static bool read_month_name(ts_in *in, int *month)
{
    static const char *const names[12] = {"january",   "february", "march",    "april",
                                          "may",       "june",     "july",     "august",
                                          "september", "october",  "november", "december"};
    static const char *const abbrevs[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
    for (int i = 0; i < 12; i++) {
        const char *name = word_at(in, names[i]) ? names[i] : abbrevs[i];
        if (word_at(in, name)) {
            in->p += strlen(name);
            *month = i + 1;
            return true;
        }
    }
    return false;
}

/*
 * A strftime-like pattern (validated by ab_ts_format_parse). Numbers take one
 * or two digits like Python's strptime, %Y exactly four, %f any number; a
 * space matches one or more spaces; other bytes match themselves.
 */
static int parse_pattern(ts_in *in, ts_fields *f, const char *pat, ab__ts_fail *fail)
{
    for (const char *q = pat; *q != '\0'; q++) {
        if (*q == ' ') {
            if (in->p == in->end || (*in->p != ' ' && *in->p != '\t')) {
                return fail_syntax(fail, in);
            }
            skip_spaces(in);
            continue;
        }
        if (*q != '%') {
            if (!read_char(in, *q)) {
                return fail_syntax(fail, in);
            }
            continue;
        }
        q++;
        bool ok;
        switch (*q) {
        case 'Y':
            ok = read_digits(in, 4, 4, &f->year);
            break;
        case 'm':
            ok = read_digits(in, 1, 2, &f->month);
            break;
        case 'd':
            ok = read_digits(in, 1, 2, &f->day);
            break;
        case 'H':
            ok = read_digits(in, 1, 2, &f->hour);
            break;
        case 'M':
            ok = read_digits(in, 1, 2, &f->min);
            break;
        case 'S':
            ok = read_digits(in, 1, 2, &f->sec);
            break;
        case 'f':
            ok = read_fraction(in, &f->usec);
            break;
        case 'p':
            ok = read_ampm(in, f);
            break;
        case 'b':
            ok = read_month_name(in, &f->month);
            break;
        case 'z': {
            int rc = read_zone(in, f, fail);
            if (rc < 0) {
                return rc;
            }
            ok = rc == 1;
            break;
        }
        case '%':
            ok = read_char(in, '%');
            break;
        default:
            return AB_EINVAL;
        }
        if (!ok) {
            return fail_syntax(fail, in);
        }
    }
    if (in->p != in->end) {
        return fail_syntax(fail, in);
    }
    return AB_OK;
}

/*
 * Checks the fields and converts them. A leap second (:60) is accepted and,
 * as ab_time counts POSIX seconds that have no leap seconds, it reads as the
 * first second of the next minute (PostgreSQL does the same). 24:00:00 is the
 * end of the day, i.e. 00:00:00 of the next one (ISO 8601).
 */
static int ts_to_time(ab_time *out, ts_fields *f, const ab_tz *tz, ab__ts_fail *fail)
{
    if (f->year < 1) {
        return fail_range(fail, "year", f->year, 1, 9999, NULL);
    }
    if (f->month < 1 || f->month > 12) {
        return fail_range(fail, "month", f->month, 1, 12, NULL);
    }
    int dim = ab__days_in_month(f->year, f->month);
    if (f->day < 1 || f->day > dim) {
        return fail_range(fail, "day", f->day, 1, dim, NULL);
    }
    if (f->ampm != 0) {
        if (f->hour < 1 || f->hour > 12) {
            return fail_range(fail, "hour", f->hour, 1, 12, " with AM/PM");
        }
        f->hour = f->hour % 12 + (f->ampm == 2 ? 12 : 0);
    } else if (f->hour == 24) {
        if (f->min != 0 || f->sec != 0 || f->usec != 0) {
            return fail_range(fail, "hour", f->hour, 0, 23, " (24 only as 24:00:00)");
        }
    } else if (f->hour > 23) {
        return fail_range(fail, "hour", f->hour, 0, 23, NULL);
    }
    if (f->min > 59) {
        return fail_range(fail, "minute", f->min, 0, 59, NULL);
    }
    if (f->sec > 60) {
        return fail_range(fail, "second", f->sec, 0, 60, NULL);
    }
    int64_t local = ab__days_from_civil(f->year, f->month, f->day) * 86400 +
                    (int64_t)f->hour * 3600 + f->min * 60 + f->sec;
    int64_t utc;
    if (f->has_zone) {
        utc = local - f->zone_off;
    } else if (tz != NULL) {
        utc = ab__tz_local_to_utc(tz, local);
    } else {
        utc = local;
    }
    *out = utc * AB__USEC + f->usec;
    return AB_OK;
}

/* ---- Numbers ---- */

bool ab__ts_scan_number(const char *text, size_t len, ab__ts_number *out)
{
    static const uint32_t scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    const char *p = text;
    const char *end = text + len;
    out->neg = false;
    out->ipart = 0;
    out->frac6 = 0;
    if (p < end && (*p == '+' || *p == '-')) {
        out->neg = *p == '-';
        p++;
    }
    const char *digits = p;
    while (p < end && is_digit(*p)) {
        /* Saturate: anything this large is out of every range anyway. */
        if (out->ipart < UINT64_C(100000000000000000)) {
            out->ipart = out->ipart * 10 + (uint64_t)(*p - '0');
        } else {
            out->ipart = UINT64_C(1000000000000000000);
        }
        p++;
    }
    if (p == digits) {
        return false;
    }
    if (p < end && *p == '.') {
        p++;
        const char *frac = p;
        uint32_t v = 0;
        int n = 0;
        while (p < end && is_digit(*p)) {
            if (n < 6) {
                v = v * 10 + (uint32_t)(*p - '0');
                n++;
            }
            p++;
        }
        if (p == frac) {
            return false;
        }
        out->frac6 = v * scale[n];
    }
    return p == end;
}

/*
 * Epoch seconds or milliseconds, years 1..9999. Fraction digits past the
 * microsecond are dropped, i.e. truncated toward zero (toward 1970).
 */
static int epoch_to_time(ab_time *out, const ab__ts_number *num, bool ms, ab__ts_fail *fail)
{
    uint64_t lim = (uint64_t)(num->neg ? -AB__SEC_MIN : AB__SEC_MAX);
    uint64_t frac_us = num->frac6;
    if (ms) {
        lim *= 1000;
        frac_us /= 1000;
    }
    if (num->ipart > lim || (num->ipart == lim && frac_us != 0)) {
        if (fail != NULL) {
            fail->kind = AB__TS_RANGE;
            fail->field = NULL;
        }
        return AB_EPARSE;
    }
    int64_t us = (int64_t)num->ipart * (ms ? 1000 : AB__USEC) + (int64_t)frac_us;
    *out = num->neg ? -us : us;
    return AB_OK;
}

static int parse_number(ab_time *out, ts_in *in, ab_ts_layout layout, ab__ts_fail *fail)
{
    ab__ts_number num;
    if (!ab__ts_scan_number(in->p, (size_t)(in->end - in->p), &num)) {
        /* Point at the first byte that is not part of a number. */
        if (in->p < in->end && (*in->p == '+' || *in->p == '-')) {
            in->p++;
        }
        while (in->p < in->end && is_digit(*in->p)) {
            in->p++;
        }
        if (in->p < in->end && *in->p == '.') {
            in->p++;
            while (in->p < in->end && is_digit(*in->p)) {
                in->p++;
            }
        }
        return fail_syntax(fail, in);
    }
    if (layout == AB_TS_AUTO) {
        if (num.ipart < AB__EPOCH_MIN) {
            if (fail != NULL) {
                fail->kind = AB__TS_SMALL;
            }
            return AB_EPARSE;
        }
        layout = num.ipart >= AB__EPOCH_MS_MIN ? AB_TS_EPOCH_MS : AB_TS_EPOCH_S;
    }
    return epoch_to_time(out, &num, layout == AB_TS_EPOCH_MS, fail);
}

/*
 * AUTO looks at the first field to pick one layout rather than trying them in
 * turn: four digits and '-' is ISO, four and '/' is YYYY/MM/DD, a dotted date
 * is day-first (no one writes MM.DD.YYYY), a slashed or dashed one is
 * month-first, and a plain number is epoch time by magnitude. Day-first is
 * never assumed for '/' and '-': such a value with a first field above 12
 * fails, with a hint, instead of silently swapping day and month.
 */
static int parse_auto(ab_time *out, ts_in *in, ts_fields *f, const ab_tz *tz, ab__ts_fail *fail)
{
    const char *q = in->p;
    while (q < in->end && is_digit(*q)) {
        q++;
    }
    size_t n = (size_t)(q - in->p);
    char c = q < in->end ? *q : '\0';
    int rc;
    if (n == 4 && c == '-') {
        rc = parse_iso(in, f, fail);
    } else if (n == 4 && c == '/') {
        rc = parse_ymd(in, f, fail);
    } else if ((n == 1 || n == 2) && c == '.') {
        rc = parse_two_first(in, f, true, fail);
    } else if ((n == 1 || n == 2) && (c == '/' || c == '-')) {
        const char *start = in->p;
        rc = parse_two_first(in, f, false, fail);
        if (rc == AB_OK) {
            rc = ts_to_time(out, f, tz, fail);
        }
        if (rc == AB_EPARSE && fail != NULL && fail->kind == AB__TS_RANGE && fail->field != NULL &&
            strcmp(fail->field, "month") == 0) {
            ts_in again = {in->base, start, in->end};
            ts_fields g = TS_FIELDS_INIT;
            ab_time ignored;
            if (parse_two_first(&again, &g, true, NULL) == AB_OK &&
                ts_to_time(&ignored, &g, tz, NULL) == AB_OK) {
                fail->dayfirst_hint = AB_TS_DMY;
            }
        }
        return rc;
    } else if (n > 0 || c == '+' || c == '-') {
        return parse_number(out, in, AB_TS_AUTO, fail);
    } else {
        return fail_syntax(fail, in);
    }
    if (rc == AB_OK) {
        rc = ts_to_time(out, f, tz, fail);
    }
    return rc;
}

int ab__time_parse_layout(ab_time *out, const char *text, size_t len, ab_ts_layout layout,
                          const char *pattern, const ab_tz *tz, ab__ts_fail *fail)
{
    const char *end = text + len;
    while (text < end && is_space(*text)) {
        text++;
    }
    while (end > text && is_space(end[-1])) {
        end--;
    }
    if (fail != NULL) {
        memset(fail, 0, sizeof(*fail));
    }
    if (text == end) {
        if (fail != NULL) {
            fail->kind = AB__TS_EMPTY;
        }
        return AB_EPARSE;
    }
    ts_in in = {text, text, end};
    ts_fields f = TS_FIELDS_INIT;
    int rc;
    switch ((int)layout) {
    case AB_TS_AUTO:
        return parse_auto(out, &in, &f, tz, fail);
    case AB_TS_ISO8601:
        rc = parse_iso(&in, &f, fail);
        break;
    case AB__TS_ISO8601_GENERAL:
        rc = parse_iso_general(&in, &f, fail);
        break;
    case AB_TS_YMD_SLASH:
        rc = parse_ymd(&in, &f, fail);
        break;
    case AB_TS_DMY:
        rc = parse_two_first(&in, &f, true, fail);
        break;
    case AB_TS_MDY:
        rc = parse_two_first(&in, &f, false, fail);
        break;
    case AB_TS_EPOCH_S:
    case AB_TS_EPOCH_MS:
        return parse_number(out, &in, layout, fail);
    case AB_TS_PATTERN:
        if (pattern == NULL) {
            return AB_EINVAL;
        }
        rc = parse_pattern(&in, &f, pattern, fail);
        break;
    default:
        return AB_EINVAL;
    }
    if (rc != AB_OK) {
        return rc;
    }
    return ts_to_time(out, &f, tz, fail);
}

/*
 * The one shape nearly every XES and CSV writer uses, with nothing around it:
 * YYYY-MM-DD[T ]HH:MM:SS[.digits][Z|+HH:MM|-HH:MM], fields in range. Read in
 * one pass with no cursor; false for any other text, which the general path
 * then reads (and rejects with its message). Accepts nothing that path would
 * not, with the same instant: test_time compares the two.
 */
static bool iso_exact(ab_time *out, const char *s, size_t len, const ab_tz *tz, bool *has_zone)
{
    if (AB__UNLIKELY(len < 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' ||
                     (s[10] != 'T' && s[10] != ' '))) {
        return false;
    }
    int y1 = two_digits(s), y2 = two_digits(s + 2), mo = two_digits(s + 5), d = two_digits(s + 8),
        h = two_digits(s + 11), mi = two_digits(s + 14), se = two_digits(s + 17);
    if (AB__UNLIKELY((y1 | y2 | mo | d | h | mi | se) < 0)) {
        return false;
    }
    int year = y1 * 100 + y2;
    if (AB__UNLIKELY(year < 1 || mo < 1 || mo > 12 || d < 1 || d > ab__days_in_month(year, mo) ||
                     h > 23 || mi > 59 || se > 60)) {
        return false;
    }
    size_t i = 19;
    int usec = 0;
    if (i < len && s[i] == '.') {
        static const int scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
        size_t first = ++i;
        int n = 0;
        for (; i < len && is_digit(s[i]); i++) {
            if (n < 6) {
                usec = usec * 10 + (s[i] - '0');
                n++;
            }
        }
        if (AB__UNLIKELY(i == first)) {
            return false;
        }
        usec *= scale[n];
    }
    int32_t off = 0;
    if (i == len) {
        *has_zone = false;
    } else if (len - i == 1 && s[i] == 'Z') {
        *has_zone = true;
    } else if (len - i == 6 && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        int zh = two_digits(s + i + 1), zm = two_digits(s + i + 4);
        if (AB__UNLIKELY(zh < 0 || zm < 0 || zh > 23 || zm > 59)) {
            return false;
        }
        off = (int32_t)((zh * 60 + zm) * 60 * (s[i] == '-' ? -1 : 1));
        *has_zone = true;
    } else {
        return false;
    }
    int64_t local = ab__days_from_civil(year, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + se;
    int64_t utc = *has_zone ? local - off : tz != NULL ? ab__tz_local_to_utc(tz, local) : local;
    *out = utc * AB__USEC + usec;
    return true;
}

int ab__time_parse_fast(ab_time *out, const char *text, size_t len, const ab_ts_format *fmt,
                        const ab_tz *tz, bool *has_zone)
{
    *has_zone = false;
    if (fmt->layout == AB_TS_ISO8601 && iso_exact(out, text, len, tz, has_zone)) {
        return AB_OK;
    }
    if (fmt->layout != AB_TS_ISO8601) {
        const char *pattern = NULL;
        if (fmt->layout == AB_TS_PATTERN) {
            if (memchr(fmt->pattern, '\0', sizeof(fmt->pattern)) == NULL) {
                return AB_EINVAL;
            }
            pattern = fmt->pattern;
        }
        return ab__time_parse_layout(out, text, len, fmt->layout, pattern, tz, NULL);
    }
    const char *end = text + len;
    while (text < end && is_space(*text)) {
        text++;
    }
    while (end > text && is_space(end[-1])) {
        end--;
    }
    ts_in in = {text, text, end};
    ts_fields f = TS_FIELDS_INIT;
    int rc = parse_iso(&in, &f, NULL);
    if (rc == AB_OK) {
        rc = ts_to_time(out, &f, tz, NULL);
    }
    *has_zone = f.has_zone;
    return rc;
}

/* ---- Messages ---- */

/*
 * Copies at most ~60 bytes of the value for a message, cut on a UTF-8
 * boundary, with control bytes and quotes shown as \xNN so the message stays
 * one printable line.
 */
void ab__ts_quote(char *dst, size_t cap, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    enum { SHOWN = 60 };
    size_t n = len;
    bool cut = false;
    if (n > SHOWN) {
        n = SHOWN;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
            n--;
        }
        cut = true;
    }
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\') {
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        } else {
            dst[o++] = (char)c;
        }
    }
    if (cut && o + 4 < cap) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o] = '\0';
}

static const char *layout_example(ab_ts_layout layout)
{
    switch (layout) {
    case AB_TS_ISO8601:
        return "a timestamp like 2024-01-31T13:45:00[.fff][Z|+01:00]";
    case AB_TS_YMD_SLASH:
        return "a timestamp like 2024/01/31 13:45:00[.fff]";
    case AB_TS_DMY:
        return "a day-first timestamp like 31.01.2024 13:45[:00] (or 31/01/2024, 31-01-2024)";
    case AB_TS_MDY:
        return "a month-first timestamp like 01/31/2024 1:45:00 PM (or 01-31-2024 13:45)";
    case AB_TS_EPOCH_S:
        return "seconds since 1970 like 1706708700 or 1706708700.25";
    case AB_TS_EPOCH_MS:
        return "milliseconds since 1970 like 1706708700000";
    default:
        return "a timestamp like 2024-01-31T13:45:00[.fff][Z|+01:00] (or 2024/01/31 13:45, "
               "31.01.2024, 01/31/2024, epoch seconds)";
    }
}

static int parse_message(ab_error *err, const char *text, size_t len, const ab_ts_format *fmt,
                         const ab__ts_fail *fail)
{
    char shown[256];
    char expected[320];
    size_t lead = 0;
    while (lead < len && is_space(text[lead])) {
        lead++;
    }
    ab__ts_quote(shown, sizeof(shown), text, len);
    if (fmt->layout == AB_TS_PATTERN) {
        char pat[sizeof(fmt->pattern) * 4 + 8];
        ab__ts_quote(pat, sizeof(pat), fmt->pattern, strnlen(fmt->pattern, sizeof(fmt->pattern)));
        snprintf(expected, sizeof(expected), "a timestamp matching '%s'", pat);
    } else {
        snprintf(expected, sizeof(expected), "%s", layout_example(fmt->layout));
    }
    switch (fail->kind) {
    case AB__TS_EMPTY:
        return ab__error(err, AB_EPARSE, NULL, 0, 0, "expected %s, got an empty value", expected);
    case AB__TS_RANGE:
        if (fail->field == NULL) {
            return ab__error(err, AB_EPARSE, NULL, 0, 0,
                             "epoch time out of range (years 1-9999) in '%s'", shown);
        }
        return ab__error(
            err, AB_EPARSE, NULL, 0, 0, "%s %lld out of range %d-%d%s in '%s'%s", fail->field,
            fail->value, fail->lo, fail->hi, fail->note != NULL ? fail->note : "", shown,
            fail->dayfirst_hint == AB_TS_DMY ? " (it reads day-first: use --timestamp-format dmy)"
                                             : "");
    case AB__TS_SMALL:
        return ab__error(err, AB_EPARSE, NULL, 0, 0,
                         "expected %s, got '%s' (a plain number below 100000000 is not taken "
                         "for a time; use --timestamp-format epoch or epoch_ms)",
                         expected, shown);
    default:
        break;
    }
    size_t at = lead + fail->pos;
    char what[16];
    if (at >= len) {
        snprintf(what, sizeof(what), "end");
    } else {
        ab__ts_quote(what, sizeof(what), text + at, 1);
        if (((unsigned char)text[at] & 0x80) != 0) {
            snprintf(what, sizeof(what), "\\x%02x", (unsigned char)text[at]);
        }
    }
    if (at >= len) {
        return ab__error(err, AB_EPARSE, NULL, 0, 0, "expected %s, got '%s' (too short)", expected,
                         shown);
    }
    return ab__error(err, AB_EPARSE, NULL, 0, 0,
                     "expected %s, got '%s' (unexpected '%s' at offset %zu)", expected, shown, what,
                     at);
}

int ab_time_parse(ab_time *out, const char *text, size_t len, const ab_ts_format *fmt,
                  const ab_tz *tz, ab_error *err)
{
    static const ab_ts_format auto_fmt = {AB_TS_AUTO, {0}};
    if (out == NULL || (text == NULL && len > 0)) {
        return ab__error(err, AB_EINVAL, NULL, 0, 0, "ab_time_parse: NULL argument");
    }
    if (fmt == NULL) {
        fmt = &auto_fmt;
    }
    if (text == NULL) {
        text = "";
    }
    const char *pattern = NULL;
    if (fmt->layout == AB_TS_PATTERN) {
        if (memchr(fmt->pattern, '\0', sizeof(fmt->pattern)) == NULL) {
            return ab__error(err, AB_EINVAL, NULL, 0, 0, "timestamp pattern is not terminated");
        }
        pattern = fmt->pattern;
    }
    ab__ts_fail fail;
    ab_time t = 0;
    int rc = ab__time_parse_layout(&t, text, len, fmt->layout, pattern, tz, &fail);
    if (rc == AB_OK) {
        *out = t;
        return AB_OK;
    }
    if (rc == AB_EINVAL) {
        return ab__error(err, AB_EINVAL, NULL, 0, 0, "invalid timestamp format (layout %d)",
                         (int)fmt->layout);
    }
    if (err == NULL) {
        return rc; /* Readers that count bad values skip the message. */
    }
    return parse_message(err, text, len, fmt, &fail);
}

/* ---- Writing ---- */

static char *put2(char *o, int v)
{
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
    return o + 2;
}

size_t ab_time_format(ab_time t, char *buf, size_t cap)
{
    char tmp[48];
    char *o = tmp;
    /* Remainder first: secs * AB__USEC would overflow for the most negative times. */
    int64_t rem = t % AB__USEC;
    int usec = (int)(rem < 0 ? rem + AB__USEC : rem);
    int64_t secs = ab__floordiv(t, AB__USEC);
    int64_t days = ab__floordiv(secs, 86400);
    int sod = (int)(secs - days * 86400);
    int64_t year;
    int month;
    int day;
    ab__civil_from_days(days, &year, &month, &day);
    if (year >= 0 && year <= 9999) {
        o = put2(o, (int)(year / 100));
        o = put2(o, (int)(year % 100));
    } else {
        /* ISO 8601 expanded years, reached only by times no parser produces. */
        o += snprintf(o, 16, "%+05lld", (long long)year);
    }
    *o++ = '-';
    o = put2(o, month);
    *o++ = '-';
    o = put2(o, day);
    *o++ = 'T';
    o = put2(o, sod / 3600);
    *o++ = ':';
    o = put2(o, sod / 60 % 60);
    *o++ = ':';
    o = put2(o, sod % 60);
    if (usec != 0) {
        int digits = usec % 1000 == 0 ? 3 : 6;
        int v = digits == 3 ? usec / 1000 : usec;
        *o++ = '.';
        for (int i = digits - 1; i >= 0; i--) {
            o[i] = (char)('0' + v % 10);
            v /= 10;
        }
        o += digits;
    }
    *o++ = 'Z';
    size_t n = (size_t)(o - tmp);
    if (cap > 0) {
        size_t k = n < cap - 1 ? n : cap - 1;
        memcpy(buf, tmp, k);
        buf[k] = '\0';
    }
    return n;
}

ab_time ab_time_from_civil(int year, int month, int day, int hour, int min, int sec, int usec)
{
    if (year < 1 || year > 9999) {
        return AB_TIME_NONE;
    }
    /* Months outside 1..12 carry into the year, other fields add linearly. */
    int64_t m0 = (int64_t)month - 1;
    int64_t y = year + ab__floordiv(m0, 12);
    int m = (int)(m0 - ab__floordiv(m0, 12) * 12) + 1;
    int64_t days = ab__days_from_civil(y, m, 1) + ((int64_t)day - 1);
    int64_t secs = (int64_t)hour * 3600 + (int64_t)min * 60 + sec;
    int64_t r;
    if (__builtin_mul_overflow(days, INT64_C(86400), &r) || __builtin_add_overflow(r, secs, &r) ||
        __builtin_mul_overflow(r, AB__USEC, &r) || __builtin_add_overflow(r, usec, &r) ||
        r == AB_TIME_NONE) {
        return AB_TIME_NONE;
    }
    return r;
}

/* ---- Format names ---- */

static const struct {
    const char *name;
    ab_ts_layout layout;
} layout_names[] = {
    {"auto", AB_TS_AUTO},
    {"iso8601", AB_TS_ISO8601},
    {"ymd", AB_TS_YMD_SLASH},
    {"dmy", AB_TS_DMY},
    {"mdy", AB_TS_MDY},
    {"epoch", AB_TS_EPOCH_S},
    {"epoch_ms", AB_TS_EPOCH_MS},
    /* Aliases, accepted but never written. */
    {"iso", AB_TS_ISO8601},
    {"epoch_s", AB_TS_EPOCH_S},
};

/* Checks a pattern; on failure writes why into why[0..cap). */
static bool pattern_valid(const char *pat, char *why, size_t cap)
{
    static const char allowed[] = "YmdHMSfzpb";
    unsigned seen = 0;
    for (const char *q = pat; *q != '\0'; q++) {
        if (*q != '%') {
            continue;
        }
        q++;
        if (*q == '%') {
            continue;
        }
        const char *k = *q != '\0' ? strchr(allowed, *q) : NULL;
        if (k == NULL) {
            if (*q == '\0') {
                snprintf(why, cap, "a lone '%%' at the end");
            } else {
                snprintf(why, cap, "unknown directive '%%%c'", *q);
            }
            return false;
        }
        unsigned bit = 1u << (k - allowed);
        if ((seen & bit) != 0) {
            snprintf(why, cap, "'%%%c' given twice", *q);
            return false;
        }
        seen |= bit;
    }
    bool has_month = (seen & (1u << 1)) != 0 || (seen & (1u << 9)) != 0;
    if ((seen & 1u) == 0 || !has_month || (seen & (1u << 2)) == 0) {
        snprintf(why, cap, "it needs %%Y, %%m (or %%b) and %%d");
        return false;
    }
    if ((seen & (1u << 1)) != 0 && (seen & (1u << 9)) != 0) {
        snprintf(why, cap, "'%%m' and '%%b' both given");
        return false;
    }
    return true;
}

int ab_ts_format_parse(ab_ts_format *out, const char *text, ab_error *err)
{
    static const char accepted[] =
        "auto, iso8601, ymd, dmy, mdy, epoch, epoch_ms, or a pattern such as "
        "'%d.%m.%Y %H:%M:%S' using %Y %m %d %H %M %S %f %z %p %b %%";
    if (out == NULL || text == NULL) {
        return ab__error(err, AB_EINVAL, NULL, 0, 0, "ab_ts_format_parse: NULL argument");
    }
    size_t len = strlen(text);
    char shown[256];
    ab__ts_quote(shown, sizeof(shown), text, len);
    if (memchr(text, '%', len) != NULL) {
        char why[64];
        if (len >= sizeof(out->pattern)) {
            return ab__error(err, AB_EINVAL, NULL, 0, 0,
                             "timestamp pattern '%s' is longer than %zu bytes", shown,
                             sizeof(out->pattern) - 1);
        }
        if (!pattern_valid(text, why, sizeof(why))) {
            return ab__error(err, AB_EINVAL, NULL, 0, 0,
                             "bad timestamp pattern '%s': %s; expected %s", shown, why, accepted);
        }
        memset(out, 0, sizeof(*out));
        out->layout = AB_TS_PATTERN;
        memcpy(out->pattern, text, len + 1);
        return AB_OK;
    }
    for (size_t i = 0; i < sizeof(layout_names) / sizeof(layout_names[0]); i++) {
        if (ab__ieq(text, len, layout_names[i].name)) {
            memset(out, 0, sizeof(*out));
            out->layout = layout_names[i].layout;
            return AB_OK;
        }
    }
    return ab__error(err, AB_EINVAL, NULL, 0, 0, "unknown timestamp format '%s'; expected %s",
                     shown, accepted);
}

size_t ab_ts_format_name(const ab_ts_format *fmt, char *buf, size_t cap)
{
    const char *name = "auto";
    size_t n;
    if (fmt != NULL && fmt->layout == AB_TS_PATTERN) {
        name = fmt->pattern;
        n = strnlen(fmt->pattern, sizeof(fmt->pattern));
    } else {
        if (fmt != NULL) {
            for (size_t i = 0; i < sizeof(layout_names) / sizeof(layout_names[0]); i++) {
                if (layout_names[i].layout == fmt->layout) {
                    name = layout_names[i].name;
                    break;
                }
            }
        }
        n = strlen(name);
    }
    if (cap > 0) {
        size_t k = n < cap - 1 ? n : cap - 1;
        memcpy(buf, name, k);
        buf[k] = '\0';
    }
    return n;
}
