/*
 * tests/test_time.c: the timestamp module: every layout, zones written in the
 * data, --tz zones (fixed, IANA, DST gaps and overlaps), range checks and
 * their messages, layout inference, formatting round trips, and the real
 * timestamps of the shared logs. Expected instants were computed
 * independently with Python's datetime/zoneinfo (fold=0) unless a comment
 * says otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "test_util.h"

#include "asbuilt/time.h"
#include "time/time_int.h"

/* ---- Helpers ---- */

static int parse_in(ab_time *out, const char *s, ab_ts_layout layout, const ab_tz *tz,
                    ab_error *err)
{
    ab_ts_format f;
    memset(&f, 0, sizeof(f));
    f.layout = layout;
    return ab_time_parse(out, s, strlen(s), &f, tz, err);
}

static ab_time parse_ok_tz(const char *s, ab_ts_layout layout, const ab_tz *tz)
{
    ab_error err;
    ab_error_clear(&err);
    ab_time t = AB_TIME_NONE;
    int rc = parse_in(&t, s, layout, tz, &err);
    if (rc != AB_OK) {
        print_error("'%s' (layout %d) failed: %s\n", s, (int)layout, err.msg);
    }
    assert_int_equal(rc, AB_OK);
    return t;
}

static ab_time parse_ok(const char *s, ab_ts_layout layout)
{
    return parse_ok_tz(s, layout, NULL);
}

/* Expects AB_EPARSE whose message contains want (NULL = any message). */
static void parse_bad(const char *s, ab_ts_layout layout, const char *want)
{
    ab_error err;
    ab_error_clear(&err);
    ab_time t = 12345;
    int rc = parse_in(&t, s, layout, NULL, &err);
    if (rc != AB_EPARSE) {
        print_error("'%s' (layout %d) gave %d, expected AB_EPARSE\n", s, (int)layout, rc);
    }
    assert_int_equal(rc, AB_EPARSE);
    assert_int_equal(err.code, AB_EPARSE);
    assert_true(t == 12345); /* *out untouched on failure. */
    assert_true(err.msg[0] != '\0');
    if (want != NULL && strstr(err.msg, want) == NULL) {
        print_error("'%s': message '%s' lacks '%s'\n", s, err.msg, want);
        fail();
    }
}

static void expect_format(ab_time t, const char *want)
{
    char buf[40];
    size_t n = ab_time_format(t, buf, sizeof(buf));
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static ab_tz *load_tz(ab_ctx *ctx, const char *name)
{
    ab_tz *tz = NULL;
    ab_error err;
    ab_error_clear(&err);
    int rc = ab_tz_load(&tz, ctx, name, &err);
    if (rc != AB_OK) {
        print_error("ab_tz_load(%s): %s\n", name, err.msg);
    }
    assert_int_equal(rc, AB_OK);
    assert_non_null(tz);
    return tz;
}

/* ---- ISO-8601 ---- */

static void test_iso_real_examples(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t want;
    } cases[] = {
        {"2011-10-11 13:45:40.276000+02:00", INT64_C(1318333540276000)}, /* pm4py receipt.csv */
        {"2023-02-09T08:02:40.621", INT64_C(1675929760621000)},          /* Simod LoanApp */
        {"2012-12-16T19:33:10.000Z", INT64_C(1355686390000000)},         /* bupaR hospital */
        {"2024-08-05 11:06:22.729340+00:00", INT64_C(1722855982729340)}, /* Simod branch rules */
        {"2014-05-20T01:00:00+03:00", INT64_C(1400536800000000)},        /* Simod BPIC15 */
        {"2010-12-30T11:02:00.000+01:00", INT64_C(1293703320000000)},    /* XES running example */
        {"1970-01-01T00:00:00.000+01:00", INT64_C(-3600000000)},         /* XES placeholder */
        {"2018-08-30T18:20:15.649-05:00", INT64_C(1535671215649000)},    /* Simod Purchasing */
        {"2012-10-09T14:50:17+00:00", INT64_C(1349794217000000)},        /* pm4py helpdesk */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_true(parse_ok(cases[i].text, AB_TS_ISO8601) == cases[i].want);
        assert_true(parse_ok(cases[i].text, AB_TS_AUTO) == cases[i].want);
    }
}

static void test_iso_variants(void **state)
{
    (void)state;
    const ab_time base = ab_time_from_civil(2024, 1, 31, 13, 45, 0, 0);
    const char *same[] = {
        "2024-01-31T13:45:00",       "2024-01-31 13:45:00",        "2024-01-31t13:45:00",
        "2024-01-31T13:45",          "2024-01-31T13:45:00Z",       "2024-01-31T13:45:00z",
        "2024-01-31T14:45:00+01:00", "2024-01-31T14:45:00+0100",   "2024-01-31T14:45:00+01",
        "2024-01-31T08:15:00-05:30", "2024-01-31T08:15-0530",      "2024-01-31T13:45:00.000Z",
        "2024-01-31T13:45:00,000Z",  "  2024-01-31T13:45:00Z \t",  "2024-01-31 13:45:00 UTC",
        "2024-01-31 13:45:00 GMT",   "2024-01-31 14:45:00 +01:00", "2024-01-31T13:45:00Z\r\n",
        "2024-01-31  13:45:00",      "2024-02-01T03:15:00+13:30",
    };
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        if (parse_ok(same[i], AB_TS_ISO8601) != base) {
            print_error("'%s' is not 2024-01-31T13:45:00Z\n", same[i]);
            fail();
        }
    }
    /* Date only: midnight. */
    assert_true(parse_ok("2024-01-31", AB_TS_ISO8601) ==
                ab_time_from_civil(2024, 1, 31, 0, 0, 0, 0));
    /* The zone written in the value wins over --tz. */
    ab_ctx *ctx = tu_ctx();
    ab_tz *ams = load_tz(ctx, "Europe/Amsterdam");
    assert_true(parse_ok_tz("2024-01-31T13:45:00Z", AB_TS_ISO8601, ams) == base);
    assert_true(parse_ok_tz("2024-01-31T13:45:00-00:00", AB_TS_AUTO, ams) == base);
    assert_true(parse_ok_tz("2024-01-31T14:45:00", AB_TS_ISO8601, ams) == base);
    ab_tz_destroy(ams);
    ab_ctx_destroy(ctx);
}

static void test_fractions(void **state)
{
    (void)state;
    const ab_time s = ab_time_from_civil(2024, 1, 31, 13, 45, 0, 0);
    static const struct {
        const char *frac;
        int usec;
    } cases[] = {
        {"5", 500000},       {"05", 50000},
        {"123", 123000},     {"1234", 123400},
        {"12345", 123450},   {"123456", 123456},
        {"1234567", 123456}, {"1234569", 123456},
        {"9999999", 999999}, {"999999999999999999999999999999", 999999},
        {"000000001", 0},    {"0000009", 0},
        {"000009", 9},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[80];
        snprintf(text, sizeof(text), "2024-01-31T13:45:00.%sZ", cases[i].frac);
        assert_true(parse_ok(text, AB_TS_ISO8601) == s + cases[i].usec);
        /* Truncation, not rounding, also before an offset and without a zone. */
        snprintf(text, sizeof(text), "2024-01-31 14:45:00.%s+01:00", cases[i].frac);
        assert_true(parse_ok(text, AB_TS_ISO8601) == s + cases[i].usec);
        snprintf(text, sizeof(text), "2024/01/31 13:45:00.%s", cases[i].frac);
        assert_true(parse_ok(text, AB_TS_YMD_SLASH) == s + cases[i].usec);
    }
    /* Before 1970 the fraction still adds to the written second. */
    assert_true(parse_ok("1969-12-31T23:59:59.25Z", AB_TS_ISO8601) == -750000);
    parse_bad("2024-01-31T13:45:00.Z", AB_TS_ISO8601, "unexpected 'Z' at offset 20");
    parse_bad("2024-01-31T13:45.5", AB_TS_ISO8601, "unexpected '.' at offset 16");
}

static void test_leap_years_and_calendar(void **state)
{
    (void)state;
    assert_true(parse_ok("2024-02-29", AB_TS_ISO8601) ==
                ab_time_from_civil(2024, 3, 0, 0, 0, 0, 0));
    parse_ok("2000-02-29T12:00:00Z", AB_TS_ISO8601);
    parse_ok("1600-02-29", AB_TS_ISO8601);
    parse_bad("2023-02-29", AB_TS_ISO8601, "day 29 out of range 1-28 in '2023-02-29'");
    parse_bad("1900-02-29", AB_TS_ISO8601, "day 29 out of range 1-28");
    parse_bad("2100-02-29", AB_TS_ISO8601, "day 29 out of range 1-28");
    parse_bad("2024-02-30", AB_TS_ISO8601, "day 30 out of range 1-29 in '2024-02-30'");
    parse_bad("2024-04-31", AB_TS_ISO8601, "day 31 out of range 1-30");
    parse_bad("29.02.2023", AB_TS_DMY, "day 29 out of range 1-28");
    parse_bad("02/29/2023", AB_TS_MDY, "day 29 out of range 1-28");

    /*
     * Every day from 0001-01-01 to 9999-12-31 against a calendar kept by
     * counting: ab_time_from_civil, ab_time_format and the ISO parser must
     * all agree with it. 0001-01-01 is 719162 days before 1970 (Python:
     * date(1970,1,1).toordinal() - 1); the count itself must reach
     * 1970-01-01 at 0.
     */
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t day = -719162;
    int y = 1;
    int m = 1;
    int d = 1;
    int reached_epoch = 0;
    while (y <= 9999) {
        ab_time t = ab_time_from_civil(y, m, d, 0, 0, 0, 0);
        if (t != day * 86400 * INT64_C(1000000)) {
            print_error("%04d-%02d-%02d: %lld != day %lld\n", y, m, d, (long long)t,
                        (long long)day);
            fail();
        }
        if (y == 1970 && m == 1 && d == 1) {
            assert_true(day == 0);
            reached_epoch = 1;
        }
        if (d == 1 || d == 28 || d >= 29) {
            char want[40];
            char got[40];
            snprintf(want, sizeof(want), "%04d-%02d-%02dT00:00:00Z", y, m, d);
            ab_time_format(t, got, sizeof(got));
            assert_string_equal(got, want);
            ab_time back;
            assert_int_equal(
                ab__time_parse_layout(&back, want, strlen(want), AB_TS_ISO8601, NULL, NULL, NULL),
                AB_OK);
            assert_true(back == t);
        }
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        int dim = m == 2 && leap ? 29 : mdays[m - 1];
        day++;
        if (++d > dim) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    assert_true(reached_epoch);
    assert_true(day == 2932897); /* 10000-01-01 (Python: date.max.toordinal() + 1 - 719163). */
}

static void test_time_ranges(void **state)
{
    (void)state;
    const ab_time jan31 = ab_time_from_civil(2024, 1, 31, 0, 0, 0, 0);
    /* 24:00:00 is the end of the day. */
    assert_true(parse_ok("2024-01-31T24:00:00", AB_TS_ISO8601) == jan31 + 86400 * INT64_C(1000000));
    assert_true(parse_ok("2024-12-31T24:00Z", AB_TS_ISO8601) ==
                ab_time_from_civil(2025, 1, 1, 0, 0, 0, 0));
    parse_bad("2024-01-31T24:00:01", AB_TS_ISO8601,
              "hour 24 out of range 0-23 (24 only as "
              "24:00:00)");
    parse_bad("2024-01-31T24:00:00.5", AB_TS_ISO8601, "24 only as 24:00:00");
    parse_bad("2024-01-31T25:00:00", AB_TS_ISO8601, "hour 25 out of range 0-23");
    parse_bad("2024-01-31T13:60:00", AB_TS_ISO8601, "minute 60 out of range 0-59");
    parse_bad("2024-01-31T13:45:61", AB_TS_ISO8601, "second 61 out of range 0-60");
    /* A leap second reads as the first second of the next minute. */
    assert_true(parse_ok("2016-12-31T23:59:60Z", AB_TS_ISO8601) ==
                ab_time_from_civil(2017, 1, 1, 0, 0, 0, 0));
    assert_true(parse_ok("2016-12-31T23:59:60.5Z", AB_TS_ISO8601) ==
                ab_time_from_civil(2017, 1, 1, 0, 0, 0, 500000));
    parse_bad("2024-13-01", AB_TS_ISO8601, "month 13 out of range 1-12 in '2024-13-01'");
    parse_bad("2024-00-10", AB_TS_ISO8601, "month 0 out of range 1-12");
    parse_bad("2024-01-00", AB_TS_ISO8601, "day 0 out of range 1-31");
    parse_bad("0000-01-01", AB_TS_ISO8601, "year 0 out of range 1-9999");
    parse_ok("0001-01-01T00:00:00Z", AB_TS_ISO8601);
    parse_ok("9999-12-31T23:59:59.999999Z", AB_TS_ISO8601);
    parse_bad("2024-01-31T13:45:00+24:00", AB_TS_ISO8601, "zone hour 24 out of range 0-23");
    parse_bad("2024-01-31T13:45:00+01:60", AB_TS_ISO8601, "zone minute 60 out of range 0-59");
    parse_ok("2024-01-31T13:45:00+23:59", AB_TS_ISO8601);
}

static void test_garbage_and_messages(void **state)
{
    (void)state;
    ab_error err;
    ab_time t;
    /* The exact message: what was expected, the value, where it went wrong. */
    assert_int_equal(parse_in(&t, "2024-01-31x", AB_TS_ISO8601, NULL, &err), AB_EPARSE);
    assert_string_equal(err.msg, "expected a timestamp like 2024-01-31T13:45:00[.fff][Z|+01:00], "
                                 "got '2024-01-31x' (unexpected 'x' at offset 10)");
    assert_int_equal(err.line, 0);
    assert_string_equal(err.source, "");
    /* Offsets count from the start of the value as given, leading spaces included. */
    assert_int_equal(parse_in(&t, "  2024-01-31T13:45:00Zjunk", AB_TS_ISO8601, NULL, &err),
                     AB_EPARSE);
    assert_non_null(strstr(err.msg, "got '  2024-01-31T13:45:00Zjunk' (unexpected 'j' at "
                                    "offset 22)"));
    assert_int_equal(parse_in(&t, "", 0, NULL, NULL), AB_EPARSE);
    assert_int_equal(parse_in(&t, "   ", AB_TS_ISO8601, NULL, &err), AB_EPARSE);
    assert_string_equal(err.msg, "expected a timestamp like 2024-01-31T13:45:00[.fff][Z|+01:00], "
                                 "got an empty value");
    parse_bad("", AB_TS_AUTO, "got an empty value");
    parse_bad("hello", AB_TS_ISO8601, "got 'hello' (unexpected 'h' at offset 0)");
    parse_bad("hello", AB_TS_AUTO, "expected a timestamp like");
    parse_bad("2024-01-31T", AB_TS_ISO8601, "(too short)");
    parse_bad("2024-1-31", AB_TS_ISO8601, "unexpected '-' at offset 6");
    parse_bad("2024-01-31T9:00", AB_TS_ISO8601, "unexpected ':' at offset 12");
    parse_bad("2024-01-31T13:45:00 PM", AB_TS_ISO8601, "unexpected 'P'");
    parse_bad("2024-01-31T13:45:00+1", AB_TS_ISO8601, NULL);
    parse_bad("2024-01-31T13:45:00Z Z", AB_TS_ISO8601, NULL);
    parse_bad("2024-01-31Z", AB_TS_ISO8601, "unexpected 'Z' at offset 10");
    parse_bad("2024/01/31", AB_TS_ISO8601, NULL);
    parse_bad("31.01.2024", AB_TS_ISO8601, NULL);
    parse_bad("1706708700", AB_TS_ISO8601, NULL);
    /* Control bytes and quotes are escaped; long values are cut near 60 bytes. */
    parse_bad("2024-01-31\x01'", AB_TS_ISO8601,
              "got '2024-01-31\\x01\\x27' (unexpected "
              "'\\x01' at offset 10)");
    char longv[200];
    memset(longv, 'z', sizeof(longv));
    memcpy(longv, "2024-01-31", 10);
    longv[sizeof(longv) - 1] = '\0';
    assert_int_equal(parse_in(&t, longv, AB_TS_ISO8601, NULL, &err), AB_EPARSE);
    assert_non_null(strstr(err.msg, "got '2024-01-31zzzz"));
    assert_non_null(strstr(err.msg, "zzz...' (unexpected 'z' at offset 10)"));
    assert_true(strlen(err.msg) < 200);
    /* A multi-byte character is never cut in half. */
    char utf[100] = "2024-01-31";
    for (int i = 0; i < 30; i++) {
        strcat(utf, "\xc3\xa9");
    }
    assert_int_equal(parse_in(&t, utf, AB_TS_ISO8601, NULL, &err), AB_EPARSE);
    const char *q = strstr(err.msg, "...'");
    assert_non_null(q);
    assert_true(((unsigned char)q[-1] & 0xC0) != 0xC0); /* Not a dangling lead byte. */
    assert_non_null(strstr(err.msg, "unexpected '\\xc3' at offset 10"));
    /* Embedded NUL: the length given is what counts. */
    assert_int_equal(ab_time_parse(&t, "2024-01-31\0junk", 15, NULL, NULL, &err), AB_EPARSE);
    assert_int_equal(ab_time_parse(&t, "2024-01-31\0junk", 10, NULL, NULL, &err), AB_OK);
    /* Invalid formats are the caller's error. */
    ab_ts_format bad = {(ab_ts_layout)42, {0}};
    assert_int_equal(ab_time_parse(&t, "2024-01-31", 10, &bad, NULL, &err), AB_EINVAL);
    ab_ts_format unterminated;
    unterminated.layout = AB_TS_PATTERN;
    memset(unterminated.pattern, 'x', sizeof(unterminated.pattern));
    assert_int_equal(ab_time_parse(&t, "2024-01-31", 10, &unterminated, NULL, &err), AB_EINVAL);
    assert_int_equal(ab_time_parse(NULL, "2024-01-31", 10, NULL, NULL, &err), AB_EINVAL);
}

/* ---- Other layouts ---- */

static void test_export_layouts(void **state)
{
    (void)state;
    const ab_time want = ab_time_from_civil(2024, 1, 31, 13, 45, 10, 123000);
    const ab_time want_min = ab_time_from_civil(2024, 1, 31, 13, 45, 0, 0);
    const ab_time want_day = ab_time_from_civil(2024, 1, 31, 0, 0, 0, 0);
    assert_true(parse_ok("2024/01/31 13:45:10.123", AB_TS_YMD_SLASH) == want);
    assert_true(parse_ok("2024/1/31 13:45:10.123", AB_TS_YMD_SLASH) == want);
    assert_true(parse_ok("2024/01/31", AB_TS_YMD_SLASH) == want_day);
    assert_true(parse_ok("2024/01/31 13:45:10.123", AB_TS_AUTO) == want);

    assert_true(parse_ok("31.01.2024 13:45:10.123", AB_TS_DMY) == want);
    assert_true(parse_ok("31-01-2024 13:45", AB_TS_DMY) == want_min);
    assert_true(parse_ok("31/01/2024 13:45", AB_TS_DMY) == want_min);
    assert_true(parse_ok("31.1.2024", AB_TS_DMY) == want_day);
    assert_true(parse_ok("31.01.2024 13:45:10.123", AB_TS_AUTO) == want);
    parse_bad("31.01-2024", AB_TS_DMY, "unexpected '-' at offset 5");
    parse_bad("31.13.2024", AB_TS_DMY, "month 13 out of range 1-12");

    assert_true(parse_ok("01/31/2024 13:45:10.123", AB_TS_MDY) == want);
    assert_true(parse_ok("01-31-2024 1:45:10.123 PM", AB_TS_MDY) == want);
    assert_true(parse_ok("1/31/2024 1:45 pm", AB_TS_MDY) == want_min);
    assert_true(parse_ok("1/31/2024 1:45PM", AB_TS_MDY) == want_min);
    assert_true(parse_ok("01/31/2024 12:00:00 AM", AB_TS_MDY) == want_day);
    assert_true(parse_ok("01/31/2024 12:30:00 PM", AB_TS_MDY) ==
                ab_time_from_civil(2024, 1, 31, 12, 30, 0, 0));
    assert_true(parse_ok("01/31/2024 11:59:59 PM", AB_TS_MDY) ==
                ab_time_from_civil(2024, 1, 31, 23, 59, 59, 0));
    assert_true(parse_ok("01/31/2024 1:45 PM +01:00", AB_TS_MDY) ==
                ab_time_from_civil(2024, 1, 31, 12, 45, 0, 0));
    assert_true(parse_ok("01/31/2024", AB_TS_MDY) == want_day);
    assert_true(parse_ok("1/31/2024 1:45 PM", AB_TS_AUTO) == want_min);
    parse_bad("01/31/2024 13:45 PM", AB_TS_MDY, "hour 13 out of range 1-12 with AM/PM");
    parse_bad("01/31/2024 0:45 AM", AB_TS_MDY, "hour 0 out of range 1-12 with AM/PM");
    parse_bad("31.01.2024", AB_TS_MDY, "unexpected '.' at offset 2");
    parse_bad("31/01/2024", AB_TS_MDY, "month 31 out of range 1-12");
    /* AUTO never assumes day-first for '/' or '-', but says what would read it. */
    parse_bad("31/01/2024", AB_TS_AUTO, "use --timestamp-format dmy");
    parse_bad("13/13/2024", AB_TS_AUTO, "month 13 out of range 1-12");
    ab_error err;
    ab_time t;
    assert_int_equal(parse_in(&t, "13/13/2024", AB_TS_AUTO, NULL, &err), AB_EPARSE);
    assert_null(strstr(err.msg, "dmy"));
}

static void test_epoch(void **state)
{
    (void)state;
    const ab_time want = ab_time_from_civil(2024, 1, 31, 13, 45, 0, 0);
    assert_true(parse_ok("1706708700", AB_TS_EPOCH_S) == want);
    assert_true(parse_ok("1706708700.25", AB_TS_EPOCH_S) == want + 250000);
    assert_true(parse_ok("1706708700.1234567", AB_TS_EPOCH_S) == want + 123456);
    assert_true(parse_ok("+1706708700", AB_TS_EPOCH_S) == want);
    assert_true(parse_ok("0", AB_TS_EPOCH_S) == 0);
    assert_true(parse_ok("-1.5", AB_TS_EPOCH_S) == -1500000);
    assert_true(parse_ok("-0.0000015", AB_TS_EPOCH_S) == -1); /* Truncated toward zero. */
    assert_true(parse_ok("1706708700000", AB_TS_EPOCH_MS) == want);
    assert_true(parse_ok("1706708700123.5", AB_TS_EPOCH_MS) == want + 123500);
    assert_true(parse_ok("42", AB_TS_EPOCH_MS) == 42000);
    assert_true(parse_ok("253402300799", AB_TS_EPOCH_S) ==
                ab_time_from_civil(9999, 12, 31, 23, 59, 59, 0));
    assert_true(parse_ok("-62135596800", AB_TS_EPOCH_S) == ab_time_from_civil(1, 1, 1, 0, 0, 0, 0));
    parse_bad("253402300800", AB_TS_EPOCH_S, "epoch time out of range (years 1-9999)");
    parse_bad("-62135596801", AB_TS_EPOCH_S, "out of range");
    parse_bad("99999999999999999999999999", AB_TS_EPOCH_MS, "out of range");
    parse_bad("1706708700.", AB_TS_EPOCH_S, "(too short)");
    parse_bad("1706708700x", AB_TS_EPOCH_S, "unexpected 'x' at offset 10");
    parse_bad("1.7e9", AB_TS_EPOCH_S, "unexpected 'e' at offset 3");
    parse_bad("2024-01-31", AB_TS_EPOCH_S, "seconds since 1970");
    /* AUTO: seconds from 10^8 to 10^11, milliseconds from 10^11, nothing below 10^8. */
    assert_true(parse_ok("1706708700", AB_TS_AUTO) == want);
    assert_true(parse_ok("1706708700000", AB_TS_AUTO) == want);
    assert_true(parse_ok("99999999999", AB_TS_AUTO) == INT64_C(99999999999) * 1000000);
    assert_true(parse_ok("100000000000", AB_TS_AUTO) == INT64_C(100000000000) * 1000);
    assert_true(parse_ok("100000000", AB_TS_AUTO) == INT64_C(100000000) * 1000000);
    parse_bad("99999999", AB_TS_AUTO, "plain number below 100000000");
    parse_bad("2024", AB_TS_AUTO, "plain number below 100000000");
}

static void test_pattern(void **state)
{
    (void)state;
    ab_ts_format f;
    ab_error err;
    ab_time t;
    /* Apache access-log time. Python strptime gives 971211336. */
    assert_int_equal(ab_ts_format_parse(&f, "%d/%b/%Y:%H:%M:%S %z", &err), AB_OK);
    assert_int_equal(f.layout, AB_TS_PATTERN);
    const char *apache = "10/Oct/2000:13:55:36 -0700";
    assert_int_equal(ab_time_parse(&t, apache, strlen(apache), &f, NULL, &err), AB_OK);
    assert_true(t == INT64_C(971211336) * 1000000);
    const char *full = "10/october/2000:13:55:36 -0700";
    assert_int_equal(ab_time_parse(&t, full, strlen(full), &f, NULL, &err), AB_OK);
    assert_true(t == INT64_C(971211336) * 1000000);

    assert_int_equal(ab_ts_format_parse(&f, "%Y%m%d %H%M%S.%f", &err), AB_OK);
    const char *compact = "20240131 134510.123";
    assert_int_equal(ab_time_parse(&t, compact, strlen(compact), &f, NULL, &err), AB_OK);
    assert_true(t == ab_time_from_civil(2024, 1, 31, 13, 45, 10, 123000));

    assert_int_equal(ab_ts_format_parse(&f, "%d %b %Y %H:%M %p", &err), AB_OK);
    const char *ampm = "31 Jan 2024  1:45 PM";
    assert_int_equal(ab_time_parse(&t, ampm, strlen(ampm), &f, NULL, &err), AB_OK);
    assert_true(t == ab_time_from_civil(2024, 1, 31, 13, 45, 0, 0));

    assert_int_equal(ab_ts_format_parse(&f, "%Y-%m-%d 100%%", &err), AB_OK);
    const char *pct = "2024-01-31 100%";
    assert_int_equal(ab_time_parse(&t, pct, strlen(pct), &f, NULL, &err), AB_OK);

    assert_int_equal(ab_ts_format_parse(&f, "%d.%m.%Y", &err), AB_OK);
    const char *bad = "31.02.2024";
    assert_int_equal(ab_time_parse(&t, bad, strlen(bad), &f, NULL, &err), AB_EPARSE);
    assert_string_equal(err.msg, "day 31 out of range 1-29 in '31.02.2024'");
    bad = "31.01.2024 10:00";
    assert_int_equal(ab_time_parse(&t, bad, strlen(bad), &f, NULL, &err), AB_EPARSE);
    assert_string_equal(err.msg, "expected a timestamp matching '%d.%m.%Y', got '31.01.2024 "
                                 "10:00' (unexpected ' ' at offset 10)");
    bad = "31-Foo-2024";
    assert_int_equal(ab_ts_format_parse(&f, "%d-%b-%Y", &err), AB_OK);
    assert_int_equal(ab_time_parse(&t, bad, strlen(bad), &f, NULL, &err), AB_EPARSE);
    assert_non_null(strstr(err.msg, "unexpected 'F' at offset 3"));
}

/* ---- Format names ---- */

static void test_format_names(void **state)
{
    (void)state;
    static const char *names[] = {"auto", "iso8601", "ymd", "dmy", "mdy", "epoch", "epoch_ms"};
    static const ab_ts_layout layouts[] = {AB_TS_AUTO, AB_TS_ISO8601, AB_TS_YMD_SLASH, AB_TS_DMY,
                                           AB_TS_MDY,  AB_TS_EPOCH_S, AB_TS_EPOCH_MS};
    ab_ts_format f;
    ab_error err;
    char buf[80];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        assert_int_equal(ab_ts_format_parse(&f, names[i], &err), AB_OK);
        assert_int_equal(f.layout, layouts[i]);
        assert_int_equal(ab_ts_format_name(&f, buf, sizeof(buf)), strlen(names[i]));
        assert_string_equal(buf, names[i]);
        ab_ts_format again;
        assert_int_equal(ab_ts_format_parse(&again, buf, &err), AB_OK);
        assert_memory_equal(&again, &f, sizeof(f));
    }
    /* Aliases and case are accepted; the canonical name is written back. */
    assert_int_equal(ab_ts_format_parse(&f, "ISO", &err), AB_OK);
    assert_int_equal(f.layout, AB_TS_ISO8601);
    assert_int_equal(ab_ts_format_parse(&f, "Epoch_S", &err), AB_OK);
    ab_ts_format_name(&f, buf, sizeof(buf));
    assert_string_equal(buf, "epoch");

    const char *pat = "%d.%m.%Y %H:%M:%S.%f %z";
    assert_int_equal(ab_ts_format_parse(&f, pat, &err), AB_OK);
    assert_int_equal(ab_ts_format_name(&f, buf, sizeof(buf)), strlen(pat));
    assert_string_equal(buf, pat);
    ab_ts_format again;
    assert_int_equal(ab_ts_format_parse(&again, buf, &err), AB_OK);
    assert_string_equal(again.pattern, pat);
    /* Truncated output still reports the full length. */
    assert_int_equal(ab_ts_format_name(&f, buf, 5), strlen(pat));
    assert_string_equal(buf, "%d.%");

    assert_int_equal(ab_ts_format_parse(&f, "julian", &err), AB_EINVAL);
    assert_non_null(strstr(err.msg, "unknown timestamp format 'julian'; expected auto, iso8601"));
    assert_int_equal(ab_ts_format_parse(&f, "%Y-%m-%d %Q", &err), AB_EINVAL);
    assert_non_null(strstr(err.msg, "unknown directive '%Q'"));
    assert_int_equal(ab_ts_format_parse(&f, "%Y-%m-%d %H:%H", &err), AB_EINVAL);
    assert_non_null(strstr(err.msg, "'%H' given twice"));
    assert_int_equal(ab_ts_format_parse(&f, "%Y-%m %H", &err), AB_EINVAL);
    assert_non_null(strstr(err.msg, "needs %Y, %m (or %b) and %d"));
    assert_int_equal(ab_ts_format_parse(&f, "%Y-%m-%d %", &err), AB_EINVAL);
    assert_int_equal(ab_ts_format_parse(&f, "%Y-%m-%b-%d", &err), AB_EINVAL);
    char longpat[80];
    memset(longpat, '-', sizeof(longpat));
    memcpy(longpat, "%Y%m%d", 6);
    longpat[sizeof(longpat) - 1] = '\0';
    assert_int_equal(ab_ts_format_parse(&f, longpat, &err), AB_EINVAL);
    assert_non_null(strstr(err.msg, "longer than 63 bytes"));
    assert_int_equal(ab_ts_format_parse(&f, "", &err), AB_EINVAL);
}

/* ---- Formatting ---- */

static void test_format(void **state)
{
    (void)state;
    expect_format(ab_time_from_civil(2011, 10, 1, 9, 45, 13, 917000), "2011-10-01T09:45:13.917Z");
    expect_format(ab_time_from_civil(2011, 10, 1, 9, 45, 13, 0), "2011-10-01T09:45:13Z");
    expect_format(ab_time_from_civil(2011, 10, 1, 9, 45, 13, 917001),
                  "2011-10-01T09:45:13.917001Z");
    expect_format(ab_time_from_civil(2011, 10, 1, 9, 45, 13, 1000), "2011-10-01T09:45:13.001Z");
    expect_format(0, "1970-01-01T00:00:00Z");
    expect_format(-1, "1969-12-31T23:59:59.999999Z");
    expect_format(-1000, "1969-12-31T23:59:59.999Z");
    expect_format(ab_time_from_civil(1, 1, 1, 0, 0, 0, 0), "0001-01-01T00:00:00Z");
    expect_format(ab_time_from_civil(9999, 12, 31, 23, 59, 59, 999999),
                  "9999-12-31T23:59:59.999999Z");
    /* Outside the parsers' range: expanded years, still at most 32 bytes. */
    char buf[40];
    size_t n = ab_time_format(INT64_MIN, buf, sizeof(buf));
    assert_int_equal(n, strlen(buf));
    assert_true(n <= 32);
    assert_true(buf[0] == '-');
    n = ab_time_format(INT64_MAX, buf, sizeof(buf));
    assert_true(n <= 32 && buf[0] == '+');
    /* snprintf-like truncation. */
    n = ab_time_format(0, buf, 5);
    assert_int_equal(n, 20);
    assert_string_equal(buf, "1970");
    assert_int_equal(ab_time_format(0, NULL, 0), 20);
}

static void test_round_trip(void **state)
{
    (void)state;
    /* A fixed LCG walks instants over years 1..9999 with all fraction kinds. */
    uint64_t x = 0x9E3779B97F4A7C15u;
    const int64_t lo = ab_time_from_civil(1, 1, 1, 0, 0, 0, 0);
    const int64_t span = ab_time_from_civil(9999, 12, 31, 23, 59, 59, 999999) - lo;
    for (int i = 0; i < 200000; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        int64_t t = lo + (int64_t)((x >> 1) % (uint64_t)span);
        if (i % 3 == 0) {
            t -= ((t % 1000000) + 1000000) % 1000000; /* Whole second. */
        } else if (i % 3 == 1) {
            t -= ((t % 1000) + 1000) % 1000; /* Whole millisecond. */
        }
        char buf[40];
        size_t n = ab_time_format(t, buf, sizeof(buf));
        assert_true(n >= 20 && n <= 27);
        ab_time back = AB_TIME_NONE;
        ab_error err;
        if (ab_time_parse(&back, buf, n, NULL, NULL, &err) != AB_OK || back != t) {
            print_error("%lld -> '%s' -> %lld (%s)\n", (long long)t, buf, (long long)back, err.msg);
            fail();
        }
    }
    /* Canonical UTC text survives parse then format byte for byte. */
    static const char *texts[] = {"2011-10-01T09:45:13.917Z", "2024-02-29T00:00:00Z",
                                  "1969-07-20T20:17:40.000001Z", "0001-01-01T00:00:00Z"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        expect_format(parse_ok(texts[i], AB_TS_ISO8601), texts[i]);
    }
}

static void test_from_civil(void **state)
{
    (void)state;
    const ab_time feb1 = ab_time_from_civil(2024, 2, 1, 0, 0, 0, 0);
    assert_true(ab_time_from_civil(2024, 1, 32, 0, 0, 0, 0) == feb1);
    assert_true(ab_time_from_civil(2024, 2, 0, 24, 0, 0, 0) == feb1);
    assert_true(ab_time_from_civil(2023, 14, 1, 0, 0, 0, 0) == feb1);
    assert_true(ab_time_from_civil(2025, -10, 1, 0, 0, 0, 0) == feb1);
    assert_true(ab_time_from_civil(2024, 1, 31, 23, 59, 59, 1000000) == feb1);
    assert_true(ab_time_from_civil(2024, 2, 1, 0, 0, 0, -1) == feb1 - 1);
    assert_true(ab_time_from_civil(1970, 1, 1, 0, 0, 0, 0) == 0);
    assert_true(ab_time_from_civil(0, 1, 1, 0, 0, 0, 0) == AB_TIME_NONE);
    assert_true(ab_time_from_civil(10000, 1, 1, 0, 0, 0, 0) == AB_TIME_NONE);
    assert_true(ab_time_from_civil(2024, 1, 2147483647, 0, 0, 0, 0) == AB_TIME_NONE);
    assert_true(ab_time_from_civil(2024, 1, 1, 2147483647, 2147483647, 2147483647, 2147483647) !=
                AB_TIME_NONE);
}

/* ---- Zones ---- */

static void test_tz_fixed(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const ab_time utc = ab_time_from_civil(2024, 1, 31, 13, 45, 0, 0);
    static const struct {
        const char *name;
        const char *local;
    } cases[] = {
        {"UTC", "2024-01-31T13:45:00"},    {"utc", "2024-01-31 13:45"},
        {"Z", "2024-01-31T13:45:00"},      {"+02:00", "2024-01-31T15:45:00"},
        {"-0530", "2024-01-31T08:15:00"},  {"+02", "2024-01-31T15:45:00"},
        {"-00:00", "2024-01-31T13:45:00"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ab_tz *tz = load_tz(ctx, cases[i].name);
        assert_string_equal(ab_tz_name(tz), cases[i].name);
        assert_true(parse_ok_tz(cases[i].local, AB_TS_AUTO, tz) == utc);
        ab_tz_destroy(tz);
    }
    ab_tz_destroy(NULL);
    assert_null(ab_tz_name(NULL));
    static const char *bad[] = {"+2", "+25:00", "+02:60", "+02:0", "+0200x", "-"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ab_tz *tz = (ab_tz *)1;
        ab_error err;
        assert_int_equal(ab_tz_load(&tz, ctx, bad[i], &err), AB_EINVAL);
        assert_null(tz);
        assert_non_null(strstr(err.msg, "bad time zone offset"));
    }
    ab_ctx_destroy(ctx);
}

static void test_tz_names_rejected(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_tz *tz = NULL;
    ab_error err;
    assert_int_equal(ab_tz_load(&tz, ctx, "Europe/Amsterdm", &err), AB_ENOTFOUND);
    assert_null(tz);
    assert_non_null(strstr(err.msg, "unknown time zone 'Europe/Amsterdm'"));
    assert_non_null(strstr(err.msg, "Europe/Amsterdam"));
    /* A region is not a zone, nor is a table that sits next to the zones. */
    assert_int_equal(ab_tz_load(&tz, ctx, "Europe", &err), AB_ENOTFOUND);
    assert_non_null(strstr(err.msg, "not a zone"));
    if (tu_exists("/usr/share/zoneinfo/zone.tab")) {
        assert_int_equal(ab_tz_load(&tz, ctx, "zone.tab", &err), AB_ENOTFOUND);
        assert_non_null(strstr(err.msg, "not a TZif file"));
    }
    static const char *traversal[] = {
        "../../../etc/passwd",
        "/etc/localtime",
        "Europe/../Europe/Amsterdam",
        "./UTC",
        "Europe//Amsterdam",
        "Europe/",
        "",
        "Europe/Amsterdam\n",
        "Europe/Am sterdam",
        "..",
    };
    for (size_t i = 0; i < sizeof(traversal) / sizeof(traversal[0]); i++) {
        tz = NULL;
        assert_int_equal(ab_tz_load(&tz, ctx, traversal[i], &err), AB_EINVAL);
        assert_null(tz);
        assert_non_null(strstr(err.msg, "invalid time zone name"));
    }
    assert_int_equal(ab_tz_load(&tz, ctx, NULL, &err), AB_EINVAL);
    assert_int_equal(ab_tz_load(NULL, ctx, "UTC", &err), AB_EINVAL);
    assert_int_equal(ab_tz_load(&tz, NULL, "UTC", &err), AB_EINVAL);
    ab_ctx_destroy(ctx);
}

static void check_local(const ab_tz *tz, const char *local, int64_t want_us)
{
    ab_time t = parse_ok_tz(local, AB_TS_ISO8601, tz);
    if (t != want_us) {
        char got[40];
        char exp[40];
        ab_time_format(t, got, sizeof(got));
        ab_time_format(want_us, exp, sizeof(exp));
        print_error("%s in %s: got %s, want %s\n", local, ab_tz_name(tz), got, exp);
        fail();
    }
}

static void test_tz_amsterdam_dst(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_tz *tz = load_tz(ctx, "Europe/Amsterdam");
    check_local(tz, "2024-01-15 12:00", INT64_C(1705316400000000)); /* CET, +01:00 */
    check_local(tz, "2024-07-01 12:00", INT64_C(1719828000000000)); /* CEST, +02:00 */
    /* Spring gap: 02:00-03:00 does not exist; read with the offset before (+01:00). */
    check_local(tz, "2024-03-31 01:59:59", INT64_C(1711846799000000));
    check_local(tz, "2024-03-31 02:00:00", INT64_C(1711846800000000));
    check_local(tz, "2024-03-31 02:30:00", INT64_C(1711848600000000));
    check_local(tz, "2024-03-31 03:00:00", INT64_C(1711846800000000));
    /* Autumn overlap: 02:00-03:00 happens twice; the first (CEST) instant is taken. */
    check_local(tz, "2024-10-27 02:30:00", INT64_C(1729989000000000));
    check_local(tz, "2024-10-27 01:59:59", INT64_C(1729987199000000));
    check_local(tz, "2024-10-27 03:00:00", INT64_C(1729994400000000));
    /* Amsterdam Mean Time (+00:19:32) before 1937, from the 64-bit table. */
    check_local(tz, "1930-01-01 12:00", INT64_C(-1262261972000000));
    /* Past the table: the footer rule "CET-1CEST,M3.5.0,M10.5.0/3". */
    check_local(tz, "2100-07-01 12:00", INT64_C(4118119200000000));
    check_local(tz, "2100-03-28 02:30", INT64_C(4109880600000000));
    check_local(tz, "2100-10-31 02:30", INT64_C(4128625800000000));
    /* Other layouts go through the same zone. */
    assert_true(parse_ok_tz("27.10.2024 02:30", AB_TS_DMY, tz) == INT64_C(1729989000000000));
    assert_true(parse_ok_tz("1729989000", AB_TS_EPOCH_S, tz) == INT64_C(1729989000000000));
    ab_tz_destroy(tz);
    ab_ctx_destroy(ctx);
}

static void test_tz_other_zones(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_tz *tz = load_tz(ctx, "America/New_York");
    check_local(tz, "2024-03-10 02:30", INT64_C(1710055800000000)); /* Gap: EST kept. */
    check_local(tz, "2024-11-03 01:30", INT64_C(1730611800000000)); /* Overlap: EDT. */
    ab_tz_destroy(tz);
    tz = load_tz(ctx, "Australia/Sydney"); /* Southern hemisphere: DST across the new year. */
    check_local(tz, "2024-01-15 12:00", INT64_C(1705280400000000));
    check_local(tz, "2024-04-07 02:30", INT64_C(1712417400000000));
    check_local(tz, "2024-10-06 02:30", INT64_C(1728145800000000));
    ab_tz_destroy(tz);
    tz = load_tz(ctx, "Europe/Dublin"); /* Negative DST: "IST-1GMT0,M10.5.0,M3.5.0/1". */
    check_local(tz, "2024-01-15 12:00", INT64_C(1705320000000000));
    check_local(tz, "2024-07-01 12:00", INT64_C(1719831600000000));
    check_local(tz, "2200-01-15 12:00", INT64_C(7259371200000000));
    check_local(tz, "2200-07-01 12:00", INT64_C(7273796400000000));
    ab_tz_destroy(tz);
    tz = load_tz(ctx, "America/Nuuk"); /* Rule times of -1 and -2 hours. */
    check_local(tz, "2030-07-01 12:00", INT64_C(1909141200000000));
    check_local(tz, "2030-01-01 12:00", INT64_C(1893506400000000));
    ab_tz_destroy(tz);
    tz = load_tz(ctx, "Australia/Lord_Howe"); /* Half-hour DST. */
    check_local(tz, "2024-10-06 02:15", INT64_C(1728143100000000));
    check_local(tz, "2050-01-01 12:00", INT64_C(2524611600000000));
    ab_tz_destroy(tz);
    ab_ctx_destroy(ctx);
}

/*
 * Offsets against an independent reader of the same tzdata: glibc's
 * localtime_r (TZ is set in this test process only). Then the local-to-UTC
 * direction is checked by its invariant: reading back the wall clock of any
 * instant gives that instant, or an earlier one with the same wall clock
 * (the first of an overlap).
 */
static void test_tz_against_libc(void **state)
{
    (void)state;
    static const char *zones[] = {"Europe/Amsterdam",  "America/New_York", "Australia/Sydney",
                                  "Europe/Dublin",     "America/Nuuk",     "Australia/Lord_Howe",
                                  "Pacific/Chatham",   "Asia/Kathmandu",   "America/Santiago",
                                  "Africa/Casablanca", "Asia/Tehran",      "America/Sao_Paulo"};
    ab_ctx *ctx = tu_ctx();
    const int64_t lo = ab_time_from_civil(1925, 1, 1, 0, 0, 0, 0) / 1000000;
    const int64_t hi = ab_time_from_civil(2300, 1, 1, 0, 0, 0, 0) / 1000000;
    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        char path[128];
        snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zones[z]);
        if (!tu_exists(path)) {
            continue;
        }
        ab_tz *tz = load_tz(ctx, zones[z]);
        char env[140];
        snprintf(env, sizeof(env), ":%s", zones[z]);
        assert_int_equal(setenv("TZ", env, 1), 0);
        tzset();
        uint64_t x = 12345 + z;
        for (int i = 0; i < 20000; i++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            int64_t u = lo + (int64_t)((x >> 1) % (uint64_t)(hi - lo));
            time_t tt = (time_t)u;
            struct tm tm;
            assert_non_null(localtime_r(&tt, &tm));
            int64_t local =
                ab__days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
                tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
            int32_t off = ab__tz_offset_at(tz, u);
            if (local - u != off) {
                print_error("%s at %lld: libc %lld, ours %d\n", zones[z], (long long)u,
                            (long long)(local - u), off);
                fail();
            }
            int64_t back = ab__tz_local_to_utc(tz, local);
            if (!(back == u || (back < u && back + ab__tz_offset_at(tz, back) == local))) {
                print_error("%s: wall clock %lld of %lld read back as %lld\n", zones[z],
                            (long long)local, (long long)u, (long long)back);
                fail();
            }
        }
        ab_tz_destroy(tz);
    }
    unsetenv("TZ");
    tzset();
    ab_ctx_destroy(ctx);
}

/* Every transition of the table, both sides, through both directions. */
static void test_tz_transitions(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_tz *tz = load_tz(ctx, "Europe/Amsterdam");
    assert_true(tz->count > 100);
    assert_true(tz->has_posix);
    assert_int_equal(tz->posix.std_off, 3600);
    assert_int_equal(tz->posix.dst_off, 7200);
    for (uint32_t i = 0; i < tz->count; i++) {
        int64_t t = tz->trans[i];
        int32_t before = i == 0 ? tz->first_off : tz->offs[i - 1];
        int32_t after = tz->offs[i];
        assert_int_equal(ab__tz_offset_at(tz, t - 1), before);
        assert_int_equal(ab__tz_offset_at(tz, t), after);
        /* Just before the switch in old wall-clock terms: still the old offset. */
        assert_true(ab__tz_local_to_utc(tz, t - 1 + before) == t - 1);
        /* From the later of the two wall clocks on, the new offset. */
        int32_t later = before > after ? before : after;
        assert_true(ab__tz_local_to_utc(tz, t + later) == t + later - after);
        if (after > before) {
            /* In the gap: the old offset. */
            assert_true(ab__tz_local_to_utc(tz, t + before) == t);
        } else if (after < before) {
            /* In the overlap: the first instant. */
            assert_true(ab__tz_local_to_utc(tz, t + after) == t + after - before);
        }
    }
    ab_tz_destroy(tz);
    ab_ctx_destroy(ctx);
}

static void test_tz_posix_rules(void **state)
{
    (void)state;
    ab__tz_posix p;
    const char *s = "CET-1CEST,M3.5.0,M10.5.0/3";
    assert_int_equal(ab__tz_posix_parse(&p, s, strlen(s)), AB_OK);
    assert_int_equal(p.std_off, 3600);
    assert_int_equal(p.dst_off, 7200);
    assert_int_equal(p.start.month, 3);
    assert_int_equal(p.start.week, 5);
    assert_int_equal(p.start.time, 7200);
    assert_int_equal(p.end.time, 10800);
    s = "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1";
    assert_int_equal(ab__tz_posix_parse(&p, s, strlen(s)), AB_OK);
    assert_int_equal(p.std_off, -10800);
    assert_int_equal(p.dst_off, -7200);
    assert_int_equal(p.start.time, -7200);
    s = "<+0545>-5:45";
    assert_int_equal(ab__tz_posix_parse(&p, s, strlen(s)), AB_OK);
    assert_int_equal(p.std_off, 5 * 3600 + 45 * 60);
    assert_false(p.has_dst);
    s = "EST5EDT,0/0,J365/25"; /* Daylight time all year (RFC 8536 example). */
    assert_int_equal(ab__tz_posix_parse(&p, s, strlen(s)), AB_OK);
    assert_int_equal(p.start.kind, AB__TZ_JULIAN_0);
    assert_int_equal(p.end.kind, AB__TZ_JULIAN_1);
    assert_int_equal(p.end.time, 25 * 3600);
    static const char *bad[] = {"",
                                "CET",
                                "CE-1",
                                "CET-1CEST",
                                "CET-1CEST,M3.5.0",
                                "CET-1CEST,M13.5.0,M10.5.0",
                                "CET-1CEST,M3.6.0,M10.5.0",
                                "CET-1CEST,M3.5.7,M10.5.0",
                                "CET-1CEST,J0,J365",
                                "<>-1",
                                "CET-1CEST,M3.5.0,M10.5.0/168",
                                "CET-25",
                                "CET-1x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (ab__tz_posix_parse(&p, bad[i], strlen(bad[i])) != AB_EPARSE) {
            print_error("'%s' accepted\n", bad[i]);
            fail();
        }
    }
}

/* Writes a minimal TZif v2 file (one transition, a footer) and breaks it in turn. */
static size_t put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return 4;
}

static size_t make_tzif(unsigned char *b, const char *footer)
{
    size_t n = 0;
    for (int block = 0; block < 2; block++) {
        memcpy(b + n, "TZif2", 5);
        memset(b + n + 5, 0, 15);
        n += 20;
        n += put_be32(b + n, 0); /* isutcnt */
        n += put_be32(b + n, 0); /* isstdcnt */
        n += put_be32(b + n, 0); /* leapcnt */
        n += put_be32(b + n, 1); /* timecnt */
        n += put_be32(b + n, 2); /* typecnt */
        n += put_be32(b + n, 8); /* charcnt */
        if (block == 1) {
            n += put_be32(b + n, 0); /* 64-bit time: 1e9 */
        }
        n += put_be32(b + n, 1000000000u);
        b[n++] = 1;
        n += put_be32(b + n, 3600);
        b[n++] = 0;
        b[n++] = 0;
        n += put_be32(b + n, 7200);
        b[n++] = 1;
        b[n++] = 4;
        memcpy(b + n, "AAA\0BBB\0", 8);
        n += 8;
    }
    b[n++] = '\n';
    memcpy(b + n, footer, strlen(footer));
    n += strlen(footer);
    b[n++] = '\n';
    return n;
}

static void test_tzif_parser(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    unsigned char img[512];
    ab_tz *tz = NULL;
    ab_error err;
    /* +01:00 until 2001-09-09T01:46:40Z, then +02:00; the footer keeps +02:00. */
    size_t n = make_tzif(img, "BBB-2");
    assert_int_equal(ab__tz_from_tzif(&tz, ctx, "Test/Zone", img, n, &err), AB_OK);
    assert_string_equal(ab_tz_name(tz), "Test/Zone");
    assert_int_equal(ab__tz_offset_at(tz, 999999999), 3600);
    assert_int_equal(ab__tz_offset_at(tz, 1000000000), 7200);
    assert_int_equal(ab__tz_offset_at(tz, INT64_C(4000000000)), 7200);
    assert_true(ab__tz_local_to_utc(tz, 1000000000 + 3600) == 1000000000); /* In the gap. */
    ab_tz_destroy(tz);
    /* An empty footer: the last type stays in force. */
    n = make_tzif(img, "");
    assert_int_equal(ab__tz_from_tzif(&tz, ctx, "Test/Zone", img, n, &err), AB_OK);
    assert_int_equal(ab__tz_offset_at(tz, INT64_C(4000000000)), 7200);
    ab_tz_destroy(tz);
    /* Every truncation fails cleanly (no read past the end, no leak). */
    n = make_tzif(img, "BBB-2");
    for (size_t cut = 0; cut < n; cut++) {
        tz = (ab_tz *)1;
        int rc = ab__tz_from_tzif(&tz, ctx, "Test/Zone", img, cut, &err);
        assert_int_equal(rc, AB_EPARSE);
        assert_null(tz);
        assert_non_null(strstr(err.msg, "is not a valid TZif file"));
    }
    /* Damage one field at a time. */
    static const struct {
        size_t at;          /* Byte offset in the second (64-bit) block, from its header. */
        unsigned char byte; /* New value. */
        const char *why;
    } damage[] = {
        {44 + 8 + 0, 2, "transitions out of order"},            /* Type index 2 of 2 types. */
        {39, 0, "inconsistent counts"},                         /* typecnt = 0 */
        {44 + 8 + 1 + 5, 9, "local time type out of range"},    /* Abbreviation index 9 of 8. */
        {44 + 8 + 1 + 0, 0x7f, "local time type out of range"}, /* Offset beyond 26 h. */
        {4, '9', "unknown TZif version"},
    };
    const size_t v1 = 44 + 4 + 1 + 12 + 8;
    for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
        n = make_tzif(img, "BBB-2");
        img[v1 + damage[i].at] = damage[i].byte;
        assert_int_equal(ab__tz_from_tzif(&tz, ctx, "Test/Zone", img, n, &err), AB_EPARSE);
        if (strstr(err.msg, damage[i].why) == NULL) {
            print_error("damage %zu: '%s'\n", i, err.msg);
            fail();
        }
    }
    n = make_tzif(img, "BBB-2BBX,M13.1.0,M1.1.0");
    assert_int_equal(ab__tz_from_tzif(&tz, ctx, "Test/Zone", img, n, &err), AB_EPARSE);
    assert_non_null(strstr(err.msg, "unreadable POSIX TZ footer"));
    n = make_tzif(img, "BBB-2");
    img[n - 1] = 'x';
    assert_int_equal(ab__tz_from_tzif(&tz, ctx, "Test/Zone", img, n, &err), AB_EPARSE);
    assert_non_null(strstr(err.msg, "unterminated footer"));
    /* A version 1 file: the 32-bit block only, no footer. */
    n = make_tzif(img, "BBB-2");
    img[4] = 0;
    assert_int_equal(ab__tz_from_tzif(&tz, ctx, "Test/Zone", img, v1, &err), AB_OK);
    assert_int_equal(ab__tz_offset_at(tz, 1000000000), 7200);
    assert_false(tz->has_posix);
    ab_tz_destroy(tz);
    /* A random walk of single-byte corruptions never crashes. */
    uint64_t x = 7;
    for (int i = 0; i < 20000; i++) {
        n = make_tzif(img, "BBB-2CCC,M3.5.0,M10.5.0/3");
        for (int k = 0; k < 3; k++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            img[(x >> 33) % n] = (unsigned char)(x >> 8);
        }
        if (ab__tz_from_tzif(&tz, ctx, "Test/Zone", img, n, &err) == AB_OK) {
            (void)ab__tz_offset_at(tz, (int64_t)(x >> 20));
            (void)ab__tz_local_to_utc(tz, (int64_t)(x >> 20));
            ab_tz_destroy(tz);
        }
    }
    ab_ctx_destroy(ctx);
}

/* ---- Inference ---- */

static int guess(const char *const *values, size_t count, ab_ts_format *out, int *ambiguous)
{
    ab_ts_guess g = AB_TS_GUESS_INIT;
    for (size_t i = 0; i < count; i++) {
        ab_ts_guess_feed(&g, values[i], strlen(values[i]));
    }
    return ab_ts_guess_result(&g, out, ambiguous);
}

#define GUESS(out, amb, ...)                                                                       \
    guess((const char *const[]){__VA_ARGS__},                                                      \
          sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *), (out), (amb))

static void test_guess(void **state)
{
    (void)state;
    ab_ts_format f;
    int amb = -1;
    assert_int_equal(
        GUESS(&f, &amb, "2024-01-31T13:45:00Z", "2024-02-01 08:00:00.5+01:00", "2024-02-02"),
        AB_OK);
    assert_int_equal(f.layout, AB_TS_ISO8601);
    assert_int_equal(amb, 0);
    assert_int_equal(GUESS(&f, &amb, "2024/01/31 13:45:00.123", "2024/2/1 08:00"), AB_OK);
    assert_int_equal(f.layout, AB_TS_YMD_SLASH);
    /* A first field above 12 in one value makes the whole column day-first. */
    assert_int_equal(GUESS(&f, &amb, "01/02/2024 10:00", "05/06/2024 11:00", "13/01/2024 09:00"),
                     AB_OK);
    assert_int_equal(f.layout, AB_TS_DMY);
    assert_int_equal(amb, 0);
    assert_int_equal(GUESS(&f, &amb, "01/02/2024 10:00", "01/13/2024 9:00 PM"), AB_OK);
    assert_int_equal(f.layout, AB_TS_MDY);
    assert_int_equal(amb, 0);
    /* Nothing above 12: month-first, flagged. */
    assert_int_equal(GUESS(&f, &amb, "01/02/2024 10:00", "03/04/2024 10:00"), AB_OK);
    assert_int_equal(f.layout, AB_TS_MDY);
    assert_int_equal(amb, 1);
    assert_int_equal(GUESS(&f, NULL, "01-02-2024", "12-11-2024"), AB_OK);
    assert_int_equal(f.layout, AB_TS_MDY);
    /* Dotted dates are day-first only. */
    assert_int_equal(GUESS(&f, &amb, "01.02.2024 10:00", "03.04.2024 10:00:00"), AB_OK);
    assert_int_equal(f.layout, AB_TS_DMY);
    assert_int_equal(amb, 0);
    /* Both a day above 12 first and one second: no layout reads the column. */
    assert_int_equal(GUESS(&f, &amb, "13/01/2024", "01/13/2024"), AB_ENOTFOUND);
    /* Epoch units by magnitude. */
    assert_int_equal(GUESS(&f, &amb, "1706708700", "1706708760.5", "0"), AB_OK);
    assert_int_equal(f.layout, AB_TS_EPOCH_S);
    assert_int_equal(GUESS(&f, &amb, "1706708700000", "1706708760000", "0"), AB_OK);
    assert_int_equal(f.layout, AB_TS_EPOCH_MS);
    assert_int_equal(GUESS(&f, &amb, "1706708700", "1706708760000"), AB_ENOTFOUND);
    assert_int_equal(GUESS(&f, &amb, "1", "2", "3000"), AB_ENOTFOUND); /* Counts, not times. */
    assert_int_equal(GUESS(&f, &amb, "0.0", "0.04"), AB_ENOTFOUND);
    assert_int_equal(GUESS(&f, &amb, "99999999999999999"), AB_ENOTFOUND); /* Past year 9999. */
    /* Mixed layouts and junk. */
    assert_int_equal(GUESS(&f, &amb, "2024-01-31T13:45:00Z", "31.01.2024 13:45"), AB_ENOTFOUND);
    assert_int_equal(GUESS(&f, &amb, "2024-01-31T13:45:00Z", "1706708700"), AB_ENOTFOUND);
    assert_int_equal(GUESS(&f, &amb, "2024-01-31T13:45:00Z", "2024-02-30T00:00:00Z"), AB_ENOTFOUND);
    assert_int_equal(GUESS(&f, &amb, "Pete", "Mike"), AB_ENOTFOUND);
    /* Empty values are skipped; nothing at all is not found. */
    assert_int_equal(GUESS(&f, &amb, "", "  ", "2024-01-31"), AB_OK);
    assert_int_equal(f.layout, AB_TS_ISO8601);
    assert_int_equal(GUESS(&f, &amb, "", " "), AB_ENOTFOUND);
    ab_ts_guess g = AB_TS_GUESS_INIT;
    assert_int_equal(ab_ts_guess_result(&g, &f, &amb), AB_ENOTFOUND);

    /* The counters. */
    const char *vals[] = {"13/01/2024", "01/02/2024", "01/13/2024", "", "1706708700", "x"};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        ab_ts_guess_feed(&g, vals[i], strlen(vals[i]));
    }
    assert_int_equal(g.seen, 5);
    assert_int_equal(g.dayfirst, 1);
    assert_int_equal(g.monthfirst, 1);
    assert_int_equal(g.numeric, 1);
    assert_int_equal(g.ok[AB_TS_DMY], 2);
    assert_int_equal(g.ok[AB_TS_MDY], 2);
    assert_int_equal(g.ok[AB_TS_EPOCH_S], 1);
    assert_int_equal(g.ok[AB_TS_ISO8601], 0);
    ab_ts_guess_feed(NULL, "x", 1);
    ab_ts_guess_feed(&g, NULL, 0);
}

/* ---- Real files ---- */

/* Reads a (possibly gzipped) text file line by line. */
typedef void (*line_fn)(const char *line, size_t len, void *payload);

static void each_line(const char *path, line_fn fn, void *payload)
{
    gzFile gz = gzopen(path, "rb");
    assert_non_null(gz);
    static char line[1 << 16];
    int first = 1;
    while (gzgets(gz, line, sizeof(line)) != NULL) {
        size_t len = strlen(line);
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
            len--;
        }
        if (!first) {
            fn(line, len, payload);
        }
        first = 0;
    }
    gzclose(gz);
}

typedef struct column_sum {
    int col;           /* 0-based CSV column (no quoted commas in these files). */
    uint64_t count;    /* Values read. */
    uint64_t sum;      /* Sum of the instants, modulo 2^64. */
    int64_t min, max;  /* Earliest and latest instant. */
    ab_ts_guess guess; /* Layout inference over the same values. */
} column_sum;

static void add_value(column_sum *s, const char *v, size_t len)
{
    if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
        v++;
        len -= 2;
    }
    if (len == 0) {
        return;
    }
    ab_time t;
    ab_error err;
    ab_ts_format iso = {AB_TS_ISO8601, {0}};
    if (ab_time_parse(&t, v, len, &iso, NULL, &err) != AB_OK) {
        print_error("%.*s: %s\n", (int)len, v, err.msg);
        fail();
    }
    ab_ts_guess_feed(&s->guess, v, len);
    s->count++;
    s->sum += (uint64_t)t;
    if (s->count == 1 || t < s->min) {
        s->min = t;
    }
    if (s->count == 1 || t > s->max) {
        s->max = t;
    }
}

static void csv_line(const char *line, size_t len, void *payload)
{
    column_sum *s = payload;
    const char *p = line;
    const char *end = line + len;
    for (int c = 0; c < s->col; c++) {
        p = memchr(p, ',', (size_t)(end - p));
        assert_non_null(p);
        p++;
    }
    const char *e = memchr(p, ',', (size_t)(end - p));
    add_value(s, p, (size_t)((e != NULL ? e : end) - p));
}

static void xes_line(const char *line, size_t len, void *payload)
{
    static const char key[] = "key=\"time:timestamp\" value=\"";
    const char *p = strstr(line, key);
    if (p != NULL) {
        p += sizeof(key) - 1;
        const char *e = strchr(p, '"');
        assert_non_null(e);
        add_value(payload, p, (size_t)(e - p));
    }
    (void)len;
}

static void test_real_files(void **state)
{
    (void)state;
    /* Count, sum mod 2^64, min and max of each column, computed with Python's datetime. */
    static const struct {
        const char *file;
        int col; /* -1 = XES attribute values. */
        uint64_t count;
        uint64_t sum;
        int64_t min, max;
    } files[] = {
        {"logs/pm4py_receipt.csv", 14, 8577, UINT64_C(11202765606624687000),
         INT64_C(1286004039266000), INT64_C(1327329774644000)},
        {"logs/simod_branch_rules_or_1.csv.gz", 4, 3507, UINT64_C(6051480618920849358),
         INT64_C(1722856882729340), INT64_C(1728253859124479)},
        {"logs/eventdatar_hospital_billing.csv.gz", 4, 49951, UINT64_C(13126090805428345152),
         INT64_C(1355393598000000), INT64_C(1450014915000000)},
        {"logs/simod_LoanApp_simplified.csv.gz", 9, 3620, UINT64_C(6073765574528627000),
         INT64_C(1675929760621000), INT64_C(1679660404490000)},
        {"logs/pm4py_running-example.xes", -1, 43, UINT64_C(55673093851199000),
         INT64_C(1293703320000000), INT64_C(1302696151199000)},
        {"logs/pm4py_roadtraffic100traces.xes", -1, 390, UINT64_C(446992131600000000),
         INT64_C(953074800000000), INT64_C(1366754400000000)},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        const char *path = tu_shared(files[i].file);
        if (!tu_exists(path)) {
            print_message("skipping %s: not found\n", path);
            continue;
        }
        column_sum s;
        memset(&s, 0, sizeof(s));
        s.col = files[i].col;
        each_line(path, files[i].col >= 0 ? csv_line : xes_line, &s);
        assert_int_equal(s.count, files[i].count);
        assert_true(s.sum == files[i].sum);
        assert_true(s.min == files[i].min);
        assert_true(s.max == files[i].max);
        ab_ts_format f;
        int amb = -1;
        assert_int_equal(ab_ts_guess_result(&s.guess, &f, &amb), AB_OK);
        assert_int_equal(f.layout, AB_TS_ISO8601);
        assert_int_equal(amb, 0);
    }
}

/* ---- Allocation failures ---- */

static void test_tz_alloc_failures(void **state)
{
    (void)state;
    static const char *names[] = {"Europe/Amsterdam", "+02:00", "UTC"};
    for (size_t z = 0; z < sizeof(names) / sizeof(names[0]); z++) {
        int succeeded = 0;
        for (uint64_t n = 1; n < 50 && !succeeded; n++) {
            tu_alloc a;
            memset(&a, 0, sizeof(a));
            a.fail_at = n;
            ab_ctx *ctx = tu_ctx_counting(&a);
            ab_tz *tz = NULL;
            ab_error err;
            int rc = ab_tz_load(&tz, ctx, names[z], &err);
            if (rc == AB_OK) {
                assert_int_equal(a.failed, 0);
                assert_true(a.count >= 2);
                succeeded = 1;
                ab_tz_destroy(tz);
            } else {
                assert_int_equal(rc, AB_ENOMEM);
                assert_null(tz);
                assert_int_equal(a.failed, 1);
            }
            ab_ctx_destroy(ctx);
            assert_int_equal(a.live, 0);
        }
        assert_true(succeeded);
    }
}


static uint64_t next_rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/*
 * The by-position fast path for YYYY-MM-DD[T ]HH:MM:SS must accept and reject
 * exactly what the general ISO reader does, with the same instant and the
 * same failure: compared on real shapes and on 300,000 random mutations of
 * them (characters replaced, dropped or inserted). So must the readers' call,
 * ab__time_parse_fast, which tries the exact common shape before either.
 */
static void test_iso_fast_path_agrees(void **state)
{
    (void)state;
    static const char *const seeds[] = {
        "2011-10-01T00:38:44.546+02:00", "2011-10-01 00:38:44.546000+02:00",
        "2019-03-31T02:30:00Z",          "2020-02-29t23:59:60",
        "1970-01-01T00:00:00.000+01:00", "2024-12-31 24:00:00",
        "2016-01-04T12:09:44.000-0500",  "2023-06-01T08:00:00,5 UTC",
        "0001-01-01T00:00:00",           "9999-12-31T23:59:59.9999999Z",
    };
    static const char alphabet[] = "0123456789-:T tZ+.,\t";
    ab_ctx *ctx = tu_ctx();
    ab_tz *ams = load_tz(ctx, "Europe/Amsterdam");
    uint64_t rng = 12345;
    size_t agreed_ok = 0;
    for (int round = 0; round < 300000; round++) {
        char buf[64];
        const char *seed = seeds[round % (int)(sizeof(seeds) / sizeof(seeds[0]))];
        size_t n = strlen(seed);
        memcpy(buf, seed, n);
        int edits = round < 20 ? 0 : 1 + (int)(next_rand(&rng) % 3);
        for (int e = 0; e < edits && n > 0 && n < sizeof(buf) - 1; e++) {
            size_t at = (size_t)(next_rand(&rng) % n);
            char c = alphabet[next_rand(&rng) % (sizeof(alphabet) - 1)];
            switch (next_rand(&rng) % 3) {
            case 0:
                buf[at] = c;
                break;
            case 1:
                memmove(buf + at, buf + at + 1, n - at - 1);
                n--;
                break;
            default:
                memmove(buf + at + 1, buf + at, n - at);
                buf[at] = c;
                n++;
                break;
            }
        }
        const ab_tz *tz = round % 2 ? ams : NULL;
        ab_time fast = 0, slow = 0;
        ab__ts_fail ff, fs;
        int rf = ab__time_parse_layout(&fast, buf, n, AB_TS_ISO8601, NULL, tz, &ff);
        int rs = ab__time_parse_layout(&slow, buf, n, AB__TS_ISO8601_GENERAL, NULL, tz, &fs);
        if (rf != rs || (rf == AB_OK && fast != slow) ||
            (rf != AB_OK && (ff.kind != fs.kind || ff.pos != fs.pos || ff.value != fs.value))) {
            fail_msg("'%.*s': fast path rc %d t %lld, general rc %d t %lld", (int)n, buf, rf,
                     (long long)fast, rs, (long long)slow);
        }
        /* The readers' call (its exact-shape path first) agrees too, and says
         * whether a zone was written: a value without one moves with the zone
         * it is read in (Amsterdam is never UTC). */
        static const ab_ts_format iso = {AB_TS_ISO8601, {0}};
        ab_time quick = 0, in_utc = 0, in_ams = 0;
        bool zone = false;
        int rq = ab__time_parse_fast(&quick, buf, n, &iso, tz, &zone);
        if (rq != rs || (rq == AB_OK && quick != slow)) {
            fail_msg("'%.*s': readers' path rc %d t %lld, general rc %d t %lld", (int)n, buf, rq,
                     (long long)quick, rs, (long long)slow);
        }
        if (rq == AB_OK) {
            assert_int_equal(
                ab__time_parse_layout(&in_utc, buf, n, AB__TS_ISO8601_GENERAL, NULL, NULL, NULL),
                AB_OK);
            assert_int_equal(
                ab__time_parse_layout(&in_ams, buf, n, AB__TS_ISO8601_GENERAL, NULL, ams, NULL),
                AB_OK);
            if (zone != (in_utc == in_ams)) {
                fail_msg("'%.*s': has_zone %d", (int)n, buf, zone);
            }
        }
        agreed_ok += rf == AB_OK;
    }
    /* Both outcomes were exercised, not just one. */
    assert_true(agreed_ok > 20000);
    assert_true(agreed_ok < 280000);
    ab_tz_destroy(ams);
    ab_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_real_examples),
        cmocka_unit_test(test_iso_variants),
        cmocka_unit_test(test_iso_fast_path_agrees),
        cmocka_unit_test(test_fractions),
        cmocka_unit_test(test_leap_years_and_calendar),
        cmocka_unit_test(test_time_ranges),
        cmocka_unit_test(test_garbage_and_messages),
        cmocka_unit_test(test_export_layouts),
        cmocka_unit_test(test_epoch),
        cmocka_unit_test(test_pattern),
        cmocka_unit_test(test_format_names),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_from_civil),
        cmocka_unit_test(test_tz_fixed),
        cmocka_unit_test(test_tz_names_rejected),
        cmocka_unit_test(test_tz_amsterdam_dst),
        cmocka_unit_test(test_tz_other_zones),
        cmocka_unit_test(test_tz_against_libc),
        cmocka_unit_test(test_tz_transitions),
        cmocka_unit_test(test_tz_posix_rules),
        cmocka_unit_test(test_tzif_parser),
        cmocka_unit_test(test_guess),
        cmocka_unit_test(test_real_files),
        cmocka_unit_test(test_tz_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
