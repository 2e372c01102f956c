/*
 * tests/test_log.c: the log builder and the finished log: grouping of
 * interleaved cases, the stable order within a case, variants and their
 * order, drops by reason, the lifecycle filter, attributes by key, strict
 * mode and fault injection (cases first met by a dropped event keep their
 * own events); values stored in place once a key proves
 * unique, depths past 64 attributes, and the one-pass case sink.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/log.h"
#include "log/log_int.h"

static ab_event_in ev(const char *c, const char *a, ab_time ts, uint64_t line)
{
    ab_event_in e;
    memset(&e, 0, sizeof(e));
    e.case_id = c;
    e.case_id_len = c ? strlen(c) : 0;
    e.activity = a;
    e.activity_len = a ? strlen(a) : 0;
    e.ts = ts;
    e.start_ts = AB_TIME_NONE;
    e.line = line;
    return e;
}

static ab_log *build(ab_ctx *ctx, const ab_event_in *evs, size_t n, const ab_log_options *o)
{
    ab_log_builder *b;
    ab_error err;
    assert_int_equal(ab_log_builder_create(&b, ctx, o), AB_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ab_log_builder_add_event(b, &evs[i], &err), AB_OK);
    }
    ab_log *log;
    assert_int_equal(ab_log_builder_finish(b, &log, &err), AB_OK);
    return log;
}

static void seq_str(const ab_log *log, uint32_t c, char *buf, size_t cap)
{
    buf[0] = '\0';
    uint64_t f = ab_log_case_first(log, c);
    const uint32_t *act = ab_log_col_activity(log);
    for (uint32_t k = 0; k < ab_log_case_length(log, c); k++) {
        strncat(buf, ab_log_activity_name(log, act[f + k]), cap - strlen(buf) - 1);
        if (k + 1 < ab_log_case_length(log, c)) {
            strncat(buf, ",", cap - strlen(buf) - 1);
        }
    }
}

static void test_grouping_and_order(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    /* Cases interleaved, one event out of time order, a tie kept in input order. */
    ab_event_in evs[] = {
        ev("c2", "A", 100, 1), ev("c1", "A", 50, 2), ev("c2", "C", 300, 3),
        ev("c1", "B", 70, 4),  ev("c2", "B", 200, 5), ev("c1", "C", 70, 6),
        ev("c3", "A", 10, 7),  ev("c3", "B", 20, 8),  ev("c3", "C", 30, 9),
    };
    ab_log *log = build(ctx, evs, 9, NULL);
    assert_int_equal(ab_log_case_count(log), 3);
    assert_int_equal(ab_log_event_count(log), 9);
    assert_int_equal(ab_log_activity_count(log), 3);
    /* Cases in canonical order: by the time of their first event (c3 at 10, c1 at 50, c2 at
     * 100), whatever the input order. */
    assert_string_equal(ab_log_case_id(log, 0), "c3");
    assert_string_equal(ab_log_case_id(log, 1), "c1");
    assert_string_equal(ab_log_case_id(log, 2), "c2");
    char s[128];
    seq_str(log, 2, s, sizeof(s));
    assert_string_equal(s, "A,B,C"); /* Sorted by time. */
    seq_str(log, 1, s, sizeof(s));
    assert_string_equal(s, "A,B,C"); /* B and C tie at 70: input order. */
    /* One variant of three cases. */
    assert_int_equal(ab_log_variant_count(log), 1);
    assert_int_equal(ab_log_variant_cases(log, 0), 3);
    assert_int_equal(ab_log_case_variant(log, 2), 0);
    const ab_data_quality *dq = ab_log_data_quality(log);
    assert_int_equal(dq->records, 9);
    assert_int_equal(dq->cases_with_equal_timestamps, 1);
    ab_time first, last;
    ab_log_time_span(log, &first, &last);
    assert_int_equal(first, 10);
    assert_int_equal(last, 300);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_variant_order(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    /* Two variants with two cases each (tie broken by names), one with one. */
    ab_event_in evs[] = {
        ev("1", "b", 1, 0), ev("1", "a", 2, 0), ev("2", "a", 1, 0), ev("2", "b", 2, 0),
        ev("3", "b", 1, 0), ev("3", "a", 2, 0), ev("4", "a", 1, 0), ev("4", "b", 2, 0),
        ev("5", "a", 1, 0),
    };
    ab_log *log = build(ctx, evs, 9, NULL);
    assert_int_equal(ab_log_variant_count(log), 3);
    const uint32_t *v0 = ab_log_variant_activities(log, 0);
    assert_string_equal(ab_log_activity_name(log, v0[0]), "a");
    assert_string_equal(ab_log_activity_name(log, v0[1]), "b");
    assert_int_equal(ab_log_variant_cases(log, 0), 2);
    const uint32_t *cl = ab_log_variant_case_list(log, 0);
    assert_string_equal(ab_log_case_id(log, cl[0]), "2");
    assert_string_equal(ab_log_case_id(log, cl[1]), "4");
    assert_int_equal(ab_log_variant_cases(log, 2), 1);
    assert_int_equal(ab_log_variant_length(log, 2), 1);
    /* Activities sorted by name. */
    const uint32_t *sorted = ab_log_activity_sorted(log);
    assert_string_equal(ab_log_activity_name(log, sorted[0]), "a");
    assert_int_equal(ab_log_activity_events(log, sorted[0]), 5);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

/* A share's log widened to a larger log's activities: the union in byte
 * order, the events and variants under the new ids, the new names with no
 * events, and the variants in the same order. */
static void test_add_activities(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_event_in evs[] = {
        ev("1", "d", 1, 0), ev("1", "b", 2, 0), ev("2", "b", 1, 0), ev("2", "d", 2, 0),
        ev("3", "d", 1, 0), ev("3", "b", 2, 0), ev("4", "b", 3, 0),
    };
    ab_log *log = build(ctx, evs, 7, NULL);
    char before[4][64], after[64];
    for (uint32_t c = 0; c < 4; c++) {
        seq_str(log, c, before[c], sizeof(before[c]));
    }
    const char *names[] = {"e", "a", "d", "c", "bb", "a"};
    assert_int_equal(ab__log_add_activities(log, names, 6), AB_OK);
    const char *want[] = {"a", "b", "bb", "c", "d", "e"};
    const uint64_t want_events[] = {0, 4, 0, 0, 3, 0};
    assert_int_equal(ab_log_activity_count(log), 6);
    const uint32_t *sorted = ab_log_activity_sorted(log);
    for (uint32_t a = 0; a < 6; a++) {
        assert_string_equal(ab_log_activity_name(log, a), want[a]);
        assert_int_equal(ab_log_activity_events(log, a), want_events[a]);
        assert_int_equal(sorted[a], a);
    }
    for (uint32_t c = 0; c < 4; c++) {
        seq_str(log, c, after, sizeof(after));
        assert_string_equal(after, before[c]);
    }
    /* Variants: d,b (2 cases) first, then b and b,d (by names); their names unchanged. */
    assert_int_equal(ab_log_variant_count(log), 3);
    const uint32_t *v0 = ab_log_variant_activities(log, 0);
    assert_int_equal(ab_log_variant_cases(log, 0), 2);
    assert_string_equal(ab_log_activity_name(log, v0[0]), "d");
    assert_string_equal(ab_log_activity_name(log, v0[1]), "b");
    const uint32_t *v1 = ab_log_variant_activities(log, 1);
    assert_int_equal(ab_log_variant_length(log, 1), 1);
    assert_string_equal(ab_log_activity_name(log, v1[0]), "b");
    const uint32_t *v2 = ab_log_variant_activities(log, 2);
    assert_string_equal(ab_log_activity_name(log, v2[0]), "b");
    assert_string_equal(ab_log_activity_name(log, v2[1]), "d");
    /* Nothing new: the same table. */
    assert_int_equal(ab__log_add_activities(log, names, 0), AB_OK);
    assert_int_equal(ab_log_activity_count(log), 6);
    assert_string_equal(ab_log_activity_name(log, 5), "e");
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_drops(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_event_in evs[] = {
        ev("1", "a", 1, 2),  ev(NULL, "a", 1, 3), ev("1", NULL, 1, 4),
        ev("1", "b", AB_TIME_NONE, 5), ev("1", "c", 3, 6),
    };
    ab_log *log = build(ctx, evs, 5, NULL);
    const ab_data_quality *dq = ab_log_data_quality(log);
    assert_int_equal(dq->records, 5);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_CASE].count, 1);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_CASE].lines[0], 3);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_ACTIVITY].lines[0], 4);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_TIMESTAMP].count, 1);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_TIMESTAMP].lines[0], 5);
    assert_int_equal(ab_log_event_count(log), 2);
    ab_log_destroy(log);

    /* A log without any timestamp keeps every event in input order. */
    ab_event_in untimed[] = {ev("1", "z", AB_TIME_NONE, 1), ev("1", "y", AB_TIME_NONE, 2)};
    log = build(ctx, untimed, 2, NULL);
    assert_int_equal(ab_log_event_count(log), 2);
    assert_int_equal(ab_log_data_quality(log)->events_without_timestamp, 2);
    assert_false(ab_log_has_timestamps(log));
    char s[64];
    seq_str(log, 0, s, sizeof(s));
    assert_string_equal(s, "z,y");
    ab_log_destroy(log);

    /* A case first met by an event that is dropped for want of a timestamp,
     * its kept events after another case's: every case keeps its own events
     * (the ids were interned in another order than the cases end up in). */
    ab_event_in first_untimed[] = {ev("B", "x", AB_TIME_NONE, 1), ev("A", "a", 10, 2),
                                   ev("B", "b", 20, 3), ev("C", "y", AB_TIME_NONE, 4),
                                   ev("C", "c", 30, 5)};
    log = build(ctx, first_untimed, 5, NULL);
    assert_int_equal(ab_log_case_count(log), 3);
    const char *want[3][2] = {{"A", "a"}, {"B", "b"}, {"C", "c"}};
    for (uint32_t c = 0; c < 3; c++) {
        assert_string_equal(ab_log_case_id(log, c), want[c][0]);
        seq_str(log, c, s, sizeof(s));
        assert_string_equal(s, want[c][1]);
    }
    ab_log_destroy(log);

    /* Strict: the first unusable record is fatal, with its line. */
    ab_log_options o = AB_LOG_OPTIONS_INIT;
    o.strict = 1;
    ab_log_builder *b;
    ab_error err;
    assert_int_equal(ab_log_builder_create(&b, ctx, &o), AB_OK);
    assert_int_equal(ab_log_builder_set_source(b, "x.csv"), AB_OK);
    assert_int_equal(ab_log_builder_add_event(b, &evs[0], &err), AB_OK);
    assert_int_equal(ab_log_builder_add_event(b, &evs[1], &err), AB_EPARSE);
    assert_string_equal(err.source, "x.csv");
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.msg, "missing case id"));
    ab_log_builder_destroy(b);
    ab_ctx_destroy(ctx);
}

static void test_lifecycle(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    assert_int_equal(ab_lifecycle_from_string("COMPLETE", 8), AB_LC_COMPLETE);
    assert_int_equal(ab_lifecycle_from_string("start", 5), AB_LC_START);
    assert_int_equal(ab_lifecycle_from_string("pi_abort", 8), AB_LC_ABORT);
    assert_int_equal(ab_lifecycle_from_string("weird", 5), AB_LC_OTHER);
    ab_event_in evs[] = {ev("1", "a", 1, 1), ev("1", "a", 2, 2), ev("1", "b", 3, 3)};
    evs[0].lifecycle = AB_LC_START;
    evs[1].lifecycle = AB_LC_COMPLETE;
    ab_log *log = build(ctx, evs, 3, NULL);
    assert_int_equal(ab_log_event_count(log), 3);
    assert_int_equal(ab_log_col_lifecycle(log)[0], AB_LC_START);
    ab_log_destroy(log);
    ab_log_options o = AB_LOG_OPTIONS_INIT;
    o.lifecycle = AB_LCF_COMPLETE;
    log = build(ctx, evs, 3, &o);
    assert_int_equal(ab_log_event_count(log), 2); /* The start is left out; "b" has none. */
    assert_int_equal(ab_log_data_quality(log)->dropped[AB_DROP_LIFECYCLE_FILTER].count, 1);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_attributes(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_log_builder *b;
    ab_error err;
    assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
    ab_attr_in attrs[6];
    memset(attrs, 0, sizeof(attrs));
    attrs[0] = (ab_attr_in){"amount", 6, {.type = AB_ATTR_FLOAT, .u.f = 12.5}, -1};
    attrs[1] = (ab_attr_in){"n", 1, {.type = AB_ATTR_INT, .u.i = -42}, -1};
    attrs[2] = (ab_attr_in){"ok", 2, {.type = AB_ATTR_BOOLEAN, .u.b = 1}, -1};
    attrs[3] = (ab_attr_in){"note", 4, {.type = AB_ATTR_STRING, .u.s = {"h\xc3\xa9", 3}}, -1};
    attrs[4] = (ab_attr_in){"items", 5, {.type = AB_ATTR_LIST}, -1};
    attrs[5] = (ab_attr_in){"note", 4, {.type = AB_ATTR_STRING, .u.s = {"inner", 5}}, 4};
    ab_event_in e = ev("c", "a", 5, 1);
    e.attrs = attrs;
    e.attr_count = 6;
    assert_int_equal(ab_log_builder_add_event(b, &e, &err), AB_OK);
    ab_attr_in cattr = {"dept", 4, {.type = AB_ATTR_STRING, .u.s = {"sales", 5}}, -1};
    assert_int_equal(ab_log_builder_add_case_attrs(b, "c", 1, &cattr, 1, &err), AB_OK);
    cattr.value.u.s.ptr = "after";
    assert_int_equal(ab_log_builder_add_case_attrs(b, "c", 1, &cattr, 1, &err), AB_OK);
    ab_log *log;
    assert_int_equal(ab_log_builder_finish(b, &log, &err), AB_OK);
    ab_value v;
    assert_int_equal(ab_log_event_attr(log, 0, "amount", &v), AB_OK);
    assert_int_equal(v.type, AB_ATTR_FLOAT);
    assert_true(v.u.f == 12.5);
    assert_int_equal(ab_log_event_attr(log, 0, "n", &v), AB_OK);
    assert_int_equal(v.u.i, -42);
    assert_int_equal(ab_log_event_attr(log, 0, "ok", &v), AB_OK);
    assert_int_equal(v.u.b, 1);
    /* The top-level "note", not the one nested in the list. */
    assert_int_equal(ab_log_event_attr(log, 0, "note", &v), AB_OK);
    assert_int_equal(v.u.s.len, 3);
    assert_memory_equal(v.u.s.ptr, "h\xc3\xa9", 3);
    assert_int_equal(ab_log_event_attr(log, 0, "items", &v), AB_OK);
    assert_int_equal(v.type, AB_ATTR_LIST);
    assert_int_equal(ab_log_event_attr(log, 0, "missing", &v), AB_ENOTFOUND);
    assert_int_equal(ab_log_case_attr(log, 0, "dept", &v), AB_OK);
    assert_string_equal(v.u.s.ptr, "after");
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_builder_enomem(void **state)
{
    (void)state;
    for (uint64_t n = 1;; n++) {
        tu_alloc al = {0};
        al.fail_at = n;
        ab_ctx *ctx = tu_ctx_counting(&al);
        ab_log_builder *b = NULL;
        ab_error err;
        int rc = ab_log_builder_create(&b, ctx, NULL);
        ab_attr_in at = {"k", 1, {.type = AB_ATTR_STRING, .u.s = {"v", 1}}, -1};
        for (int i = 0; rc == AB_OK && i < 3000; i++) {
            char c[16], a[16];
            snprintf(c, sizeof(c), "c%d", i % 97);
            snprintf(a, sizeof(a), "a%d", i % 7);
            ab_event_in e = ev(c, a, 1000 - i, (uint64_t)i);
            e.attrs = &at;
            e.attr_count = 1;
            rc = ab_log_builder_add_event(b, &e, &err);
        }
        ab_log *log = NULL;
        if (rc == AB_OK) {
            rc = ab_log_builder_finish(b, &log, &err);
        } else {
            ab_log_builder_destroy(b);
        }
        ab_log_destroy(log);
        ab_ctx_destroy(ctx);
        assert_int_equal(al.live, 0);
        if (al.failed == 0) {
            assert_int_equal(rc, AB_OK);
            break;
        }
        assert_int_equal(rc, AB_ENOMEM);
    }
}

/* Reader-level drops count as records once; builder-level drops are not counted twice. */
static void test_drop_records(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_log_builder *b;
    ab_error err;
    assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
    ab_event_in e1 = ev("1", "a", 1, 2), e2 = ev(NULL, "a", 1, 3);
    assert_int_equal(ab_log_builder_add_event(b, &e1, &err), AB_OK);
    assert_int_equal(ab_log_builder_add_event(b, &e2, &err), AB_OK); /* Missing case. */
    assert_int_equal(ab_log_builder_drop(b, AB_DROP_RAGGED_ROW, 4, "ragged", &err), AB_OK);
    assert_int_equal(ab_log_builder_drop(b, AB_DROP_BAD_TIMESTAMP, 5, "bad", &err), AB_OK);
    assert_int_equal(ab_log_builder_drop(b, AB_DROP_EMPTY_TRACE, 6, "empty", &err), AB_OK);
    ab_log *log;
    assert_int_equal(ab_log_builder_finish(b, &log, &err), AB_OK);
    const ab_data_quality *dq = ab_log_data_quality(log);
    assert_int_equal(dq->records, 4); /* Two events and two rows; the empty trace is no record. */
    assert_int_equal(dq->dropped[AB_DROP_MISSING_CASE].count, 1);
    assert_int_equal(dq->dropped[AB_DROP_RAGGED_ROW].count, 1);
    assert_int_equal(dq->dropped[AB_DROP_RAGGED_ROW].lines[0], 4);
    assert_int_equal(dq->dropped[AB_DROP_EMPTY_TRACE].count, 1);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

/* Unique values go in place after a sample, repeating ones stay interned: both read back. */
/*
 * The builder's key and resource caches (by position, by a hash of the key's
 * length and end bytes, the last resource) never hand out the wrong id:
 * events carry random subsets of 90 keys in random order, many of which
 * share length and end bytes, and resources in runs and alone.
 */
static void test_attr_keys_shuffled(void **state)
{
    (void)state;
    enum { N = 3000, KEYS = 90, MAXA = 14 };
    ab_ctx *ctx = tu_ctx();
    ab_log_builder *b;
    ab_error err;
    assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
    static char names[KEYS][16];
    for (int k = 0; k < KEYS; k++) {
        /* k_00_x .. k_89_x: one length, three end bytes, so the hash memo collides. */
        snprintf(names[k], sizeof(names[k]), "k_%02d_%c", k, "xyz"[k % 3]);
    }
    static const char *const res[] = {"r1", "r2", "Resource-Long-Name", "r1x", ""};
    static int which[N][MAXA], count[N], value[N][MAXA], rsel[N];
    uint64_t rng = 99;
    for (int i = 0; i < N; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        count[i] = 1 + (int)((rng >> 33) % MAXA);
        int used[KEYS] = {0};
        ab_attr_in at[MAXA];
        char vbuf[MAXA][16];
        for (int a = 0; a < count[i]; a++) {
            int k;
            do {
                rng = rng * 6364136223846793005ull + 1442695040888963407ull;
                k = (int)((rng >> 33) % KEYS);
            } while (used[k]);
            used[k] = 1;
            which[i][a] = k;
            value[i][a] = (int)((rng >> 20) % 7);
            snprintf(vbuf[a], sizeof(vbuf[a]), "v%d", value[i][a]);
            at[a] = (ab_attr_in){names[k],
                                 strlen(names[k]),
                                 {.type = AB_ATTR_STRING, .u.s = {vbuf[a], strlen(vbuf[a])}},
                                 -1};
        }
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        rsel[i] = i > 0 && (rng >> 40) % 3 != 0 ? rsel[i - 1] : (int)((rng >> 33) % 5);
        ab_event_in e = ev("c", "a", i, (uint64_t)i + 1);
        e.resource = res[rsel[i]];
        e.resource_len = strlen(res[rsel[i]]);
        e.attrs = at;
        e.attr_count = (size_t)count[i];
        assert_int_equal(ab_log_builder_add_event(b, &e, &err), AB_OK);
    }
    ab_log *log;
    assert_int_equal(ab_log_builder_finish(b, &log, &err), AB_OK);
    assert_int_equal(ab_log_event_count(log), N);
    const uint32_t *rcol = ab_log_col_resource(log);
    for (int i = 0; i < N; i++) {
        if (res[rsel[i]][0] == '\0') {
            assert_int_equal(rcol[i], UINT32_MAX);
        } else {
            assert_string_equal(ab_log_resource_name(log, rcol[i]), res[rsel[i]]);
        }
        int want[KEYS];
        for (int k = 0; k < KEYS; k++) {
            want[k] = -1;
        }
        for (int a = 0; a < count[i]; a++) {
            want[which[i][a]] = value[i][a];
        }
        for (int k = 0; k < KEYS; k++) {
            ab_value v;
            int rc = ab_log_event_attr(log, (uint64_t)i, names[k], &v);
            if (want[k] < 0) {
                assert_int_equal(rc, AB_ENOTFOUND);
                continue;
            }
            assert_int_equal(rc, AB_OK);
            char w[16];
            snprintf(w, sizeof(w), "v%d", want[k]);
            assert_string_equal(v.u.s.ptr, w);
        }
    }
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_inline_values(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_log_builder *b;
    ab_error err;
    assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
    enum { N = 500 };
    for (int i = 0; i < N; i++) {
        char id[32], c[16];
        snprintf(id, sizeof(id), "uuid-%08d", i * 7919);
        snprintf(c, sizeof(c), "c%d", i / 10);
        ab_attr_in at[3] = {
            {"identity:id", 11, {.type = AB_ATTR_ID, .u.s = {id, strlen(id)}}, -1},
            {"origin", 6, {.type = AB_ATTR_STRING, .u.s = {i % 3 ? "App" : "Flow", i % 3 ? 3u : 4u}},
             -1},
            {"empty", 5, {.type = AB_ATTR_STRING, .u.s = {NULL, 0}}, -1},
        };
        ab_event_in e = ev(c, "a", i, (uint64_t)i + 1);
        e.attrs = at;
        e.attr_count = 3;
        assert_int_equal(ab_log_builder_add_event(b, &e, &err), AB_OK);
    }
    ab_log *log;
    assert_int_equal(ab_log_builder_finish(b, &log, &err), AB_OK);
    assert_int_equal(ab_log_event_count(log), N);
    for (int i = 0; i < N; i++) {
        char want[32];
        snprintf(want, sizeof(want), "uuid-%08d", i * 7919);
        ab_value v;
        assert_int_equal(ab_log_event_attr(log, (uint64_t)i, "identity:id", &v), AB_OK);
        assert_int_equal(v.type, AB_ATTR_ID);
        assert_int_equal(v.u.s.len, strlen(want));
        assert_string_equal(v.u.s.ptr, want); /* NUL-terminated in place too. */
        assert_int_equal(ab_log_event_attr(log, (uint64_t)i, "origin", &v), AB_OK);
        assert_string_equal(v.u.s.ptr, i % 3 ? "App" : "Flow");
        assert_int_equal(ab_log_event_attr(log, (uint64_t)i, "empty", &v), AB_OK);
        assert_int_equal(v.u.s.len, 0);
    }
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

typedef struct depth_seen {
    int depth[200];
    int n;
} depth_seen;

static int record_depth(const char *key, const ab_value *value, int depth, void *payload)
{
    (void)key;
    (void)value;
    depth_seen *d = payload;
    if (d->n < 200) {
        d->depth[d->n++] = depth;
    }
    return 0;
}

/* Depths are exact for every attribute, not only for the first 64. */
static void test_attr_depth_past_64(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_log_builder *b;
    ab_error err;
    assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
    /* 70 flat attributes, then a list at 70 holding a container at 71 holding a string. */
    ab_attr_in at[75];
    for (int i = 0; i < 70; i++) {
        at[i] = (ab_attr_in){"k", 1, {.type = AB_ATTR_INT, .u.i = i}, -1};
    }
    at[70] = (ab_attr_in){"l", 1, {.type = AB_ATTR_LIST}, -1};
    at[71] = (ab_attr_in){"c", 1, {.type = AB_ATTR_CONTAINER}, 70};
    at[72] = (ab_attr_in){"s", 1, {.type = AB_ATTR_STRING, .u.s = {"x", 1}}, 71};
    at[73] = (ab_attr_in){"t", 1, {.type = AB_ATTR_STRING, .u.s = {"y", 1}}, 70};
    at[74] = (ab_attr_in){"u", 1, {.type = AB_ATTR_INT, .u.i = 1}, -1};
    ab_event_in e = ev("c", "a", 1, 1);
    e.attrs = at;
    e.attr_count = 75;
    assert_int_equal(ab_log_builder_add_event(b, &e, &err), AB_OK);
    ab_log *log;
    assert_int_equal(ab_log_builder_finish(b, &log, &err), AB_OK);
    depth_seen d;
    memset(&d, 0, sizeof(d));
    assert_int_equal(ab_log_event_attrs_visit(log, 0, record_depth, &d), 0);
    assert_int_equal(d.n, 75);
    assert_int_equal(d.depth[69], 0);
    assert_int_equal(d.depth[70], 0);
    assert_int_equal(d.depth[71], 1);
    assert_int_equal(d.depth[72], 2);
    assert_int_equal(d.depth[73], 1);
    assert_int_equal(d.depth[74], 0);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

/* What a case sink received, as text: "id:a,b|id2:c|". */
typedef struct sink_log {
    char text[512];
    int fail_at; /* Case number (1-based) whose sink call fails, 0 = none. */
    int calls;
} sink_log;

static int sink_record(const ab_case_out *c, void *payload, ab_error *err)
{
    sink_log *s = payload;
    s->calls++;
    if (s->calls == s->fail_at) {
        snprintf(err->msg, sizeof(err->msg), "sink says no");
        err->code = AB_ELIMIT;
        return AB_ELIMIT;
    }
    size_t o = strlen(s->text);
    o += (size_t)snprintf(s->text + o, sizeof(s->text) - o, "%.*s:", (int)c->case_id_len,
                          c->case_id);
    for (uint32_t k = 0; k < c->length; k++) {
        size_t len;
        const char *name = ab_log_builder_activity_name(c->builder, c->activity[k], &len);
        assert_non_null(name);
        o += (size_t)snprintf(s->text + o, sizeof(s->text) - o, "%s%.*s", k ? "," : "", (int)len,
                              name);
    }
    snprintf(s->text + o, sizeof(s->text) - o, "|");
    return AB_OK;
}

/* One-pass: cases reach the sink in log order, grouped input only. */
static void test_case_sink(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    sink_log sl;
    memset(&sl, 0, sizeof(sl));
    ab_log_options o = AB_LOG_OPTIONS_INIT;
    o.case_sink = sink_record;
    o.case_sink_payload = &sl;
    /* Case 1 out of time order with a tie; an untimed event in a timed log; a dropped row. */
    ab_event_in evs[] = {
        ev("1", "b", 20, 1), ev("1", "a", 10, 2), ev("1", "c", 20, 3),
        ev("2", "x", AB_TIME_NONE, 4), ev("2", "y", 5, 5), ev(NULL, "z", 1, 6),
        ev("3", "a", 30, 7),
    };
    ab_log *log = build(ctx, evs, 7, &o);
    assert_string_equal(sl.text, "1:a,b,c|2:y|3:a|");
    assert_int_equal(ab_log_event_count(log), 0);
    assert_int_equal(ab_log_case_count(log), 0);
    assert_int_equal(ab_log_activity_count(log), 4); /* "x" was dropped before it was named. */
    const ab_data_quality *dq = ab_log_data_quality(log);
    assert_int_equal(dq->records, 7);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_TIMESTAMP].count, 1);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_TIMESTAMP].lines[0], 4);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_CASE].count, 1);
    assert_int_equal(dq->cases_with_equal_timestamps, 1);
    ab_time first, last;
    ab_log_time_span(log, &first, &last);
    assert_int_equal(first, 5);
    assert_int_equal(last, 30);
    /* The same events read normally give the same cases and figures. */
    ab_log *full = build(ctx, evs, 7, NULL);
    assert_int_equal(ab_log_case_count(full), 3);
    assert_int_equal(ab_log_data_quality(full)->cases_with_equal_timestamps, 1);
    assert_int_equal(ab_log_data_quality(full)->records, 7);
    for (uint32_t a = 0; a < ab_log_activity_count(log); a++) {
        uint32_t id;
        assert_int_equal(ab_log_activity_find(full, ab_log_activity_name(log, a),
                                              strlen(ab_log_activity_name(log, a)), &id),
                         AB_OK);
        assert_int_equal(ab_log_activity_events(full, id), ab_log_activity_events(log, a));
    }
    ab_log_destroy(full);
    ab_log_destroy(log);

    /* A case met again after another one is refused with its line. */
    memset(&sl, 0, sizeof(sl));
    ab_log_builder *b;
    ab_error err;
    assert_int_equal(ab_log_builder_create(&b, ctx, &o), AB_OK);
    assert_int_equal(ab_log_builder_set_source(b, "x.csv"), AB_OK);
    ab_event_in again[] = {ev("1", "a", 1, 2), ev("2", "a", 2, 3), ev("1", "b", 3, 4)};
    assert_int_equal(ab_log_builder_add_event(b, &again[0], &err), AB_OK);
    assert_int_equal(ab_log_builder_add_event(b, &again[1], &err), AB_OK);
    assert_int_equal(ab_log_builder_add_event(b, &again[2], &err), AB_EPARSE);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.msg, "case '1' appears again"));
    assert_string_equal(sl.text, "1:a|2:a|");
    ab_log_builder_destroy(b);

    /* Untimed cases handed over before the first timestamp cannot be taken back. */
    assert_int_equal(ab_log_builder_create(&b, ctx, &o), AB_OK);
    ab_event_in late[] = {ev("1", "a", AB_TIME_NONE, 1), ev("2", "a", 7, 2)};
    assert_int_equal(ab_log_builder_add_event(b, &late[0], &err), AB_OK);
    assert_int_equal(ab_log_builder_add_event(b, &late[1], &err), AB_EPARSE);
    assert_non_null(strstr(err.msg, "without --one-pass"));
    ab_log_builder_destroy(b);

    /* A failing sink stops the read with its status and message. */
    memset(&sl, 0, sizeof(sl));
    sl.fail_at = 2;
    assert_int_equal(ab_log_builder_create(&b, ctx, &o), AB_OK);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(ab_log_builder_add_event(b, &again[i], &err), AB_OK);
    }
    ab_log *none = NULL;
    assert_int_equal(ab_log_builder_finish(b, &none, &err), AB_ELIMIT);
    assert_null(none);
    assert_string_equal(err.msg, "sink says no");
    ab_ctx_destroy(ctx);
}

/* Every allocation failure of the one-pass path is AB_ENOMEM, without leaks. */
static void test_case_sink_enomem(void **state)
{
    (void)state;
    for (uint64_t n = 1;; n++) {
        tu_alloc al = {0};
        al.fail_at = n;
        ab_ctx *ctx = tu_ctx_counting(&al);
        sink_log sl;
        memset(&sl, 0, sizeof(sl));
        ab_log_options o = AB_LOG_OPTIONS_INIT;
        o.case_sink = sink_record;
        o.case_sink_payload = &sl;
        ab_log_builder *b = NULL;
        ab_error err;
        int rc = ab_log_builder_create(&b, ctx, &o);
        for (int i = 0; rc == AB_OK && i < 3000; i++) {
            char c[16], a[16];
            snprintf(c, sizeof(c), "c%d", i / 3);
            snprintf(a, sizeof(a), "a%d", i % 7);
            ab_event_in e = ev(c, a, 1000 - i, (uint64_t)i);
            rc = ab_log_builder_add_event(b, &e, &err);
            sl.text[0] = '\0';
        }
        ab_log *log = NULL;
        if (rc == AB_OK) {
            rc = ab_log_builder_finish(b, &log, &err);
        } else {
            ab_log_builder_destroy(b);
        }
        ab_log_destroy(log);
        ab_ctx_destroy(ctx);
        assert_int_equal(al.live, 0);
        if (al.failed == 0) {
            assert_int_equal(rc, AB_OK);
            assert_int_equal(sl.calls, 1000);
            break;
        }
        assert_int_equal(rc, AB_ENOMEM);
    }
}

/*
 * The stats view: ab_stats_view_sort puts a view filled in any order
 * (as asbuilt-mpi fills it from the ranks' counts) in the order that
 * ab_stats_view_of takes from the log, and both write the same JSON.
 * Variants tie on cases and differ by a prefix and by names.
 */
static void test_stats_view_sort(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_event_in evs[] = {
        ev("c1", "b", 1, 1), ev("c1", "a", 2, 2), ev("c2", "a", 3, 3), ev("c3", "a", 4, 4),
        ev("c3", "b", 5, 5), ev("c4", "b", 6, 6), ev("c4", "a", 7, 7), ev("c5", "a", 8, 8),
        ev("c5", "c", 9, 9), ev("c6", "a", 10, 10), ev("c6", "b", 11, 11),
    };
    ab_log *log = build(ctx, evs, sizeof(evs) / sizeof(evs[0]), NULL);
    ab_stats_view v;
    assert_int_equal(ab_stats_view_of(&v, ctx, log, 10), AB_OK);
    assert_int_equal(v.top_count, 4);
    /* "a b" and "b a" have two cases each: names decide; then "a" before "a c". */
    assert_int_equal(v.top[0].cases, 2);
    assert_string_equal(v.top[0].activities[0], "a");
    assert_string_equal(v.top[1].activities[0], "b");
    assert_int_equal(v.top[2].length, 1);
    assert_int_equal(v.top[3].length, 2);
    ab_buf a = AB_BUF_INIT, b = AB_BUF_INIT;
    const char *files[] = {"x.csv"};
    assert_int_equal(ab_stats_view_write_json(&a, ctx, &v, files, 1, AB_LCF_ALL), AB_OK);
    /* The same view with its rows reversed, then sorted again. */
    ab_stats_view w = v;
    const char *names[8];
    uint64_t events[8];
    ab_stats_variant top[8];
    for (uint32_t k = 0; k < v.activities; k++) {
        names[k] = v.activity_names[v.activities - 1 - k];
        events[k] = v.activity_events[v.activities - 1 - k];
    }
    for (uint32_t k = 0; k < v.top_count; k++) {
        top[k] = v.top[v.top_count - 1 - k];
    }
    w.activity_names = names;
    w.activity_events = events;
    w.top = top;
    w.owned_ = NULL;
    assert_int_equal(ab_stats_view_sort(&w, ctx), AB_OK);
    assert_int_equal(ab_stats_view_write_json(&b, ctx, &w, files, 1, AB_LCF_ALL), AB_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.ptr, b.ptr, a.len);
    ab_buf c = AB_BUF_INIT;
    assert_int_equal(ab_log_write_stats_json(&c, ctx, log, files, 1, AB_LCF_ALL, 10), AB_OK);
    assert_int_equal(a.len, c.len);
    assert_memory_equal(a.ptr, c.ptr, a.len);
    ab_buf_dispose(&a);
    ab_buf_dispose(&b);
    ab_buf_dispose(&c);
    ab_stats_view_dispose(&v, ctx);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grouping_and_order),
        cmocka_unit_test(test_variant_order),
        cmocka_unit_test(test_drops),
        cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_builder_enomem),
        cmocka_unit_test(test_drop_records),
        cmocka_unit_test(test_inline_values),
        cmocka_unit_test(test_attr_depth_past_64),
        cmocka_unit_test(test_case_sink),
        cmocka_unit_test(test_case_sink_enomem),
        cmocka_unit_test(test_attr_keys_shuffled),
        cmocka_unit_test(test_stats_view_sort),
        cmocka_unit_test(test_add_activities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
