/*
 * tests/test_partial.c: the partial format. A log written as a partial and
 * merged back is the same log (every column, attribute, case and log
 * attribute, data-quality count and fact); partials of cases split apart,
 * or of one case's events split in time, merge into the log of the whole;
 * every truncation, a wrong version, every flipped byte and trailing bytes
 * are refused with AB_EPARSE and the byte offset; a damaged body with a
 * forged checksum is refused or read, never out of bounds; partials of other options
 * do not merge; the routing hash has FNV-1a's published values; and every
 * allocation failure ends in AB_ENOMEM without a leak.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/partial.h"

static ab_event_in ev(const char *c, const char *a, ab_time ts, const char *res)
{
    ab_event_in e;
    memset(&e, 0, sizeof(e));
    e.case_id = c;
    e.case_id_len = strlen(c);
    e.activity = a;
    e.activity_len = strlen(a);
    e.ts = ts;
    e.start_ts = AB_TIME_NONE;
    e.resource = res;
    e.resource_len = res != NULL ? strlen(res) : 0;
    e.lifecycle = AB_LC_COMPLETE;
    return e;
}

/* Events of the test log: interleaved cases, ties, attributes of every type. */
#define N_EVENTS 9
static ab_attr_in attrs_a[5];
static ab_attr_in case_attrs[1];
static ab_attr_in log_attrs[1];

static void fill_events(ab_event_in *evs)
{
    memset(attrs_a, 0, sizeof(attrs_a));
    attrs_a[0] = (ab_attr_in){"org:role", 8, {.type = AB_ATTR_STRING}, -1};
    attrs_a[0].value.u.s.ptr = "clerk";
    attrs_a[0].value.u.s.len = 5;
    attrs_a[1] = (ab_attr_in){"amount", 6, {.type = AB_ATTR_FLOAT}, -1};
    attrs_a[1].value.u.f = 12.5;
    attrs_a[2] = (ab_attr_in){"items", 5, {.type = AB_ATTR_LIST}, -1};
    attrs_a[3] = (ab_attr_in){"n", 1, {.type = AB_ATTR_INT}, 2};
    attrs_a[3].value.u.i = -42;
    attrs_a[4] = (ab_attr_in){"ok", 2, {.type = AB_ATTR_BOOLEAN}, 2};
    attrs_a[4].value.u.b = 1;
    case_attrs[0] = (ab_attr_in){"org:group", 9, {.type = AB_ATTR_STRING}, -1};
    case_attrs[0].value.u.s.ptr = "north";
    case_attrs[0].value.u.s.len = 5;
    log_attrs[0] = (ab_attr_in){"source", 6, {.type = AB_ATTR_DATE}, -1};
    log_attrs[0].value.u.t = 1234567;
    evs[0] = ev("c2", "register", 100, "ann");
    evs[1] = ev("c1", "register", 50, "bob");
    evs[2] = ev("c2", "decide", 300, NULL);
    evs[3] = ev("c1", "check", 70, "ann");
    evs[4] = ev("c2", "check", 200, "bob");
    evs[5] = ev("c1", "decide", 70, "ann"); /* Ties with check at 70: input order. */
    evs[6] = ev("c3", "register", 10, NULL);
    evs[7] = ev("c3", "pay", 20, "cy");
    evs[8] = ev("c3", "decide", 30, "cy");
    evs[3].attrs = attrs_a;
    evs[3].attr_count = 5;
    evs[4].start_ts = 150;
    evs[4].lifecycle = AB_LC_OTHER;
}

/* Builds the log of events [from, to) (all when to = 0), with its attributes. */
static ab_log *build_range(ab_ctx *ctx, size_t from, size_t to)
{
    ab_event_in evs[N_EVENTS];
    fill_events(evs);
    ab_log_builder *b;
    ab_error err;
    assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
    assert_int_equal(ab_log_builder_set_meta(b, "format", "test"), AB_OK);
    assert_int_equal(ab_log_builder_add_log_attrs(b, log_attrs, 1, &err), AB_OK);
    for (size_t i = from; i < (to ? to : N_EVENTS); i++) {
        assert_int_equal(ab_log_builder_add_event(b, &evs[i], &err), AB_OK);
        if (strcmp(evs[i].case_id, "c1") == 0 && i == 1) {
            assert_int_equal(ab_log_builder_add_case_attrs(b, "c1", 2, case_attrs, 1, &err), AB_OK);
        }
    }
    /* A dropped record, with its line. */
    assert_int_equal(ab_log_builder_drop(b, AB_DROP_RAGGED_ROW, 17 + from, "ragged", &err), AB_OK);
    ab_log *log;
    assert_int_equal(ab_log_builder_finish(b, &log, &err), AB_OK);
    return log;
}

typedef struct attr_dump {
    char text[1024];
} attr_dump;

static int dump_attr(const char *key, const ab_value *v, int depth, void *payload)
{
    attr_dump *d = payload;
    char one[160];
    switch (v->type) {
    case AB_ATTR_STRING:
    case AB_ATTR_ID:
        snprintf(one, sizeof(one), "%d:%s=%.*s;", depth, key, (int)v->u.s.len, v->u.s.ptr);
        break;
    case AB_ATTR_INT:
        snprintf(one, sizeof(one), "%d:%s=%lld;", depth, key, (long long)v->u.i);
        break;
    case AB_ATTR_FLOAT:
        snprintf(one, sizeof(one), "%d:%s=%g;", depth, key, v->u.f);
        break;
    case AB_ATTR_BOOLEAN:
        snprintf(one, sizeof(one), "%d:%s=%d;", depth, key, v->u.b);
        break;
    case AB_ATTR_DATE:
        snprintf(one, sizeof(one), "%d:%s=t%lld;", depth, key, (long long)v->u.t);
        break;
    default:
        snprintf(one, sizeof(one), "%d:%s=[%d];", depth, key, (int)v->type);
        break;
    }
    strncat(d->text, one, sizeof(d->text) - strlen(d->text) - 1);
    return 0;
}

/* Every fact of a log that reports use, as text. */
static void log_text(const ab_log *log, char *buf, size_t cap)
{
    buf[0] = '\0';
    char line[1200];
#define ADD(...)                                                                                   \
    do {                                                                                           \
        snprintf(line, sizeof(line), __VA_ARGS__);                                                 \
        strncat(buf, line, cap - strlen(buf) - 1);                                                 \
    } while (0)
    ADD("cases %u events %llu acts %u res %u vars %u\n", ab_log_case_count(log),
        (unsigned long long)ab_log_event_count(log), ab_log_activity_count(log),
        ab_log_resource_count(log), ab_log_variant_count(log));
    const uint32_t *act = ab_log_col_activity(log);
    const ab_time *ts = ab_log_col_time(log);
    const ab_time *st = ab_log_col_start(log);
    const uint32_t *res = ab_log_col_resource(log);
    const uint8_t *lc = ab_log_col_lifecycle(log);
    for (uint32_t c = 0; c < ab_log_case_count(log); c++) {
        ab_value v;
        int has = ab_log_case_attr(log, c, "org:group", &v) == AB_OK;
        ADD("case %s var %u group %.*s:", ab_log_case_id(log, c), ab_log_case_variant(log, c),
            has ? (int)v.u.s.len : 1, has ? v.u.s.ptr : "-");
        uint64_t f = ab_log_case_first(log, c);
        for (uint32_t k = 0; k < ab_log_case_length(log, c); k++) {
            uint64_t e = f + k;
            attr_dump d;
            d.text[0] = '\0';
            ab_log_event_attrs_visit(log, e, dump_attr, &d);
            ADD(" [%u %s %lld %lld %s %u %s]", act[e], ab_log_activity_name(log, act[e]),
                (long long)ts[e], st != NULL ? (long long)st[e] : -1LL,
                res[e] == UINT32_MAX ? "-" : ab_log_resource_name(log, res[e]), lc[e], d.text);
        }
        ADD("\n");
    }
    const ab_data_quality *q = ab_log_data_quality(log);
    ADD("records %llu ragged %llu line %llu dup %llu ties %llu\n", (unsigned long long)q->records,
        (unsigned long long)q->dropped[AB_DROP_RAGGED_ROW].count,
        (unsigned long long)q->dropped[AB_DROP_RAGGED_ROW].lines[0],
        (unsigned long long)q->duplicate_events,
        (unsigned long long)q->cases_with_equal_timestamps);
    ADD("format %s\n", ab_log_meta(log, "format") ? ab_log_meta(log, "format") : "-");
#undef ADD
}

static void test_hash(void **state)
{
    (void)state;
    /* FNV-1a 64 test vectors (Fowler, Noll, Vo). */
    assert_true(ab_partial_case_hash("", 0) == 0xcbf29ce484222325ull);
    assert_true(ab_partial_case_hash("a", 1) == 0xaf63dc4c8601ec8cull);
    assert_true(ab_partial_case_hash("foobar", 6) == 0x85944171f73967e8ull);
    assert_int_equal(ab_partial_case_rank("foobar", 6, 7), (int)(0x85944171f73967e8ull % 7));
}

static void test_roundtrip(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_log *log = build_range(ctx, 0, 0);
    ab_buf buf = AB_BUF_INIT;
    ab_error err;
    assert_int_equal(ab_partial_write(&buf, ctx, log, NULL, NULL, NULL, &err), AB_OK);
    assert_true(ab_partial_detect(buf.ptr, buf.len));
    assert_memory_equal(buf.ptr, AB_PARTIAL_MAGIC, AB_PARTIAL_MAGIC_LEN);
    ab_partial *p;
    assert_int_equal(ab_partial_open_memory(&p, ctx, buf.ptr, buf.len, "t.part", &err), AB_OK);
    assert_int_equal(ab_partial_case_count(p), 3);
    assert_int_equal(ab_partial_event_count(p), N_EVENTS);
    ab_log *back;
    const ab_partial *parts[] = {p};
    assert_int_equal(ab_partial_merge(&back, ctx, parts, 1, NULL, &err), AB_OK);
    static char a[8192], b[8192];
    log_text(log, a, sizeof(a));
    log_text(back, b, sizeof(b));
    assert_string_equal(a, b);
    /* Canonical order: cases by first time then id, ids by name. */
    assert_string_equal(ab_log_case_id(back, 0), "c3");
    assert_string_equal(ab_log_case_id(back, 1), "c1");
    assert_string_equal(ab_log_activity_name(back, 0), "check");
    assert_non_null(strstr(a, "1:n=-42;"));
    assert_non_null(strstr(a, "group north"));
    ab_partial_destroy(p);
    ab_log_destroy(back);
    ab_log_destroy(log);
    ab_buf_dispose(&buf);
    ab_ctx_destroy(ctx);
}

static int keep_odd(const ab_log *log, uint32_t c, void *payload)
{
    (void)log;
    (void)payload;
    return c % 2;
}

static void test_split_merge(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_error err;
    ab_log *whole = build_range(ctx, 0, 0);
    static char a[8192], b[8192];
    log_text(whole, a, sizeof(a));
    /* By case: odd cases, then the even cases with the data quality. */
    ab_buf odd = AB_BUF_INIT, even = AB_BUF_INIT;
    assert_int_equal(ab_partial_write(&odd, ctx, whole, NULL, keep_odd, NULL, &err), AB_OK);
    uint32_t evens[] = {2, 0};
    assert_int_equal(ab_partial_write_cases(&even, ctx, whole, NULL, evens, 2, 1, &err), AB_OK);
    ab_partial *p1, *p2;
    assert_int_equal(ab_partial_open_memory(&p1, ctx, odd.ptr, odd.len, "odd", &err), AB_OK);
    assert_int_equal(ab_partial_open_memory(&p2, ctx, even.ptr, even.len, "even", &err), AB_OK);
    const ab_partial *parts[] = {p1, p2};
    ab_log *m;
    assert_int_equal(ab_partial_merge(&m, ctx, parts, 2, NULL, &err), AB_OK);
    log_text(m, b, sizeof(b));
    assert_string_equal(a, b);
    ab_log_destroy(m);
    ab_partial_destroy(p1);
    ab_partial_destroy(p2);
    /* By time: every case's events spread over two logs, then merged. */
    ab_log *first = build_range(ctx, 0, 4), *second = build_range(ctx, 4, 0);
    ab_buf f1 = AB_BUF_INIT, f2 = AB_BUF_INIT;
    assert_int_equal(ab_partial_write(&f1, ctx, first, NULL, NULL, NULL, &err), AB_OK);
    assert_int_equal(ab_partial_write(&f2, ctx, second, NULL, NULL, NULL, &err), AB_OK);
    assert_int_equal(ab_partial_open_memory(&p1, ctx, f1.ptr, f1.len, "t1", &err), AB_OK);
    assert_int_equal(ab_partial_open_memory(&p2, ctx, f2.ptr, f2.len, "t2", &err), AB_OK);
    parts[0] = p1;
    parts[1] = p2;
    assert_int_equal(ab_partial_merge(&m, ctx, parts, 2, NULL, &err), AB_OK);
    log_text(m, b, sizeof(b));
    /* The same but for the data quality, which each half counted. */
    char *qa = strstr(a, "records"), *qb = strstr(b, "records");
    assert_non_null(qa);
    assert_non_null(qb);
    assert_memory_equal(a, b, (size_t)(qa - a));
    assert_int_equal(ab_log_data_quality(m)->records, N_EVENTS + 2);
    assert_int_equal(ab_log_data_quality(m)->dropped[AB_DROP_RAGGED_ROW].count, 2);
    /* A log fed with a filter, beside a partial. */
    ab_log_builder *bld;
    assert_int_equal(ab_log_builder_create(&bld, ctx, NULL), AB_OK);
    assert_int_equal(ab_partial_feed_log(bld, whole, keep_odd, NULL, &err), AB_OK);
    ab_partial *pe;
    assert_int_equal(ab_partial_open_memory(&pe, ctx, even.ptr, even.len, "even", &err), AB_OK);
    assert_int_equal(ab_partial_feed(bld, pe, &err), AB_OK);
    ab_log *m2;
    assert_int_equal(ab_log_builder_finish(bld, &m2, &err), AB_OK);
    log_text(m2, b, sizeof(b));
    assert_string_equal(a, b);
    ab_log_destroy(m2);
    ab_partial_destroy(pe);
    ab_log_destroy(m);
    ab_partial_destroy(p1);
    ab_partial_destroy(p2);
    ab_log_destroy(first);
    ab_log_destroy(second);
    ab_log_destroy(whole);
    ab_buf_dispose(&odd);
    ab_buf_dispose(&even);
    ab_buf_dispose(&f1);
    ab_buf_dispose(&f2);
    ab_ctx_destroy(ctx);
}

static void put32(char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (char)(v >> (8 * i));
    }
}

static void test_bad_partials(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_error err;
    ab_log *log = build_range(ctx, 0, 0);
    ab_buf buf = AB_BUF_INIT;
    assert_int_equal(ab_partial_write(&buf, ctx, log, NULL, NULL, NULL, &err), AB_OK);
    ab_partial *p;
    /* Every truncation. */
    for (size_t n = 0; n < buf.len; n++) {
        assert_int_equal(ab_partial_open_memory(&p, ctx, buf.ptr, n, "t.part", &err), AB_EPARSE);
        assert_null(p);
        assert_string_equal(err.source, "t.part");
        if (n >= AB_PARTIAL_MAGIC_LEN + 40) {
            assert_non_null(strstr(err.msg, "truncated"));
            assert_int_equal(err.offset, n);
        }
    }
    /* Trailing bytes. */
    char *big = malloc(buf.len + 1);
    memcpy(big, buf.ptr, buf.len);
    big[buf.len] = 0;
    assert_int_equal(ab_partial_open_memory(&p, ctx, big, buf.len + 1, "t.part", &err), AB_EPARSE);
    assert_int_equal(err.offset, buf.len);
    /* Another version. */
    char *bad = malloc(buf.len);
    memcpy(bad, buf.ptr, buf.len);
    put32(bad + 8, 2);
    assert_int_equal(ab_partial_open_memory(&p, ctx, bad, buf.len, "t.part", &err), AB_EPARSE);
    assert_non_null(strstr(err.msg, "version 2"));
    assert_int_equal(err.offset, 8);
    /* Every flipped bit of every byte is caught (magic, header or checksum). */
    for (size_t i = 0; i < buf.len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(bad, buf.ptr, buf.len);
            bad[i] ^= (char)(1 << bit);
            assert_int_equal(ab_partial_open_memory(&p, ctx, bad, buf.len, "t.part", &err),
                             AB_EPARSE);
        }
    }
    memcpy(bad, buf.ptr, buf.len);
    bad[buf.len / 2] ^= 1;
    assert_int_equal(ab_partial_open_memory(&p, ctx, bad, buf.len, "t.part", &err), AB_EPARSE);
    assert_non_null(strstr(err.msg, "checksum mismatch"));
    assert_int_equal(err.offset, buf.len - 4);
    free(bad);
    free(big);
    ab_buf_dispose(&buf);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

/* CRC-32 (ISO-HDLC, as gzip's), bit by bit: to forge checksums of damaged bodies. */
static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
        }
    }
    return ~c;
}

/* A damaged body with a valid checksum (a crafted file): every byte changed, in turn, to
 * several values is refused with AB_EPARSE or read as some log, never read out of bounds. */
static void test_forged_checksum(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_error err;
    ab_log *log = build_range(ctx, 0, 0);
    ab_buf buf = AB_BUF_INIT;
    assert_int_equal(ab_partial_write(&buf, ctx, log, NULL, NULL, NULL, &err), AB_OK);
    unsigned char *bad = malloc(buf.len);
    static const unsigned char values[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
    size_t refused = 0, read = 0;
    /* The crc itself is a right answer for the unchanged bytes. */
    assert_true(crc32_of((const unsigned char *)buf.ptr, buf.len - 4) ==
                ((uint32_t)(unsigned char)buf.ptr[buf.len - 4] |
                 (uint32_t)(unsigned char)buf.ptr[buf.len - 3] << 8 |
                 (uint32_t)(unsigned char)buf.ptr[buf.len - 2] << 16 |
                 (uint32_t)(unsigned char)buf.ptr[buf.len - 1] << 24));
    for (size_t i = 48; i + 4 < buf.len; i++) {
        for (size_t v = 0; v < sizeof(values); v++) {
            memcpy(bad, buf.ptr, buf.len);
            if (bad[i] == values[v]) {
                continue;
            }
            bad[i] = values[v];
            uint32_t c = crc32_of(bad, buf.len - 4);
            for (int k = 0; k < 4; k++) {
                bad[buf.len - 4 + (size_t)k] = (unsigned char)(c >> (8 * k));
            }
            ab_partial *p;
            int rc = ab_partial_open_memory(&p, ctx, bad, buf.len, "f.part", &err);
            if (rc != AB_OK) {
                assert_int_equal(rc, AB_EPARSE);
                assert_true(err.has_offset);
                refused++;
                continue;
            }
            const ab_partial *parts[] = {p};
            ab_log *m = NULL;
            rc = ab_partial_merge(&m, ctx, parts, 1, NULL, &err);
            assert_true(rc == AB_OK || rc == AB_EPARSE || rc == AB_ELIMIT);
            ab_log_destroy(m);
            ab_partial_destroy(p);
            read++;
        }
    }
    assert_true(refused > 0);
    assert_true(read > 0); /* A changed time or value is still a partial. */
    free(bad);
    ab_buf_dispose(&buf);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_options_fingerprint(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_error err;
    ab_log *log = build_range(ctx, 0, 0);
    ab_read_options r1 = AB_READ_OPTIONS_INIT, r2 = AB_READ_OPTIONS_INIT;
    r2.log.lifecycle = AB_LCF_COMPLETE;
    r2.csv.case_col = "Case ID";
    uint64_t f1, f2, f0;
    assert_int_equal(ab_partial_options_fingerprint(ctx, &r1, &f1), AB_OK);
    assert_int_equal(ab_partial_options_fingerprint(ctx, &r2, &f2), AB_OK);
    assert_int_equal(ab_partial_options_fingerprint(ctx, NULL, &f0), AB_OK);
    assert_true(f1 == f0);
    assert_true(f1 != f2);
    /* Speed options do not count. */
    r1.inflate_thread = 0;
    r1.csv.ts_probe_bytes = 1000;
    assert_int_equal(ab_partial_options_fingerprint(ctx, &r1, &f0), AB_OK);
    assert_true(f1 == f0);
    ab_buf t = AB_BUF_INIT;
    assert_int_equal(ab_partial_options_text(&t, ctx, &r2), AB_OK);
    assert_non_null(strstr(t.ptr, "case=col:Case%20ID"));
    ab_buf_dispose(&t);
    ab_buf b1 = AB_BUF_INIT, b2 = AB_BUF_INIT;
    assert_int_equal(ab_partial_write(&b1, ctx, log, &r1, NULL, NULL, &err), AB_OK);
    assert_int_equal(ab_partial_write(&b2, ctx, log, &r2, NULL, NULL, &err), AB_OK);
    ab_partial *p1, *p2;
    assert_int_equal(ab_partial_open_memory(&p1, ctx, b1.ptr, b1.len, "one.part", &err), AB_OK);
    assert_int_equal(ab_partial_open_memory(&p2, ctx, b2.ptr, b2.len, "two.part", &err), AB_OK);
    assert_true(ab_partial_fingerprint(p1) == f1);
    assert_true(ab_partial_fingerprint(p2) == f2);
    const ab_partial *parts[] = {p1, p2};
    ab_log *m;
    assert_int_equal(ab_partial_merge(&m, ctx, parts, 2, NULL, &err), AB_EPARSE);
    assert_null(m);
    assert_string_equal(err.source, "two.part");
    assert_non_null(strstr(err.msg, "lifecycle: expected all, found complete"));
    assert_non_null(strstr(err.msg, "case: expected auto, found col:Case%20ID"));
    assert_int_equal(err.offset, 16);
    ab_partial_destroy(p1);
    ab_partial_destroy(p2);
    ab_buf_dispose(&b1);
    ab_buf_dispose(&b2);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_enomem(void **state)
{
    (void)state;
    ab_ctx *c0 = tu_ctx();
    ab_log *log = build_range(c0, 0, 0);
    int ok = 0;
    for (uint64_t n = 1; n < 2000 && !ok; n++) {
        tu_alloc al = {0, n, 0, 0};
        ab_ctx *ctx = tu_ctx_counting(&al);
        ab_error err;
        ab_buf buf = AB_BUF_INIT;
        ab_partial *p = NULL;
        ab_log *m = NULL;
        int rc = ab_partial_write(&buf, ctx, log, NULL, NULL, NULL, &err);
        if (rc == AB_OK) {
            rc = ab_partial_open_memory(&p, ctx, buf.ptr, buf.len, "t.part", &err);
        }
        if (rc == AB_OK) {
            const ab_partial *parts[] = {p};
            rc = ab_partial_merge(&m, ctx, parts, 1, NULL, &err);
        }
        if (al.failed == 0) {
            assert_int_equal(rc, AB_OK);
            ok = 1;
        } else {
            assert_int_equal(rc, AB_ENOMEM);
            assert_int_equal(err.code, AB_ENOMEM);
        }
        ab_log_destroy(m);
        ab_partial_destroy(p);
        ab_buf_dispose(&buf);
        ab_ctx_destroy(ctx);
        assert_int_equal(al.live, 0);
    }
    assert_true(ok);
    ab_log_destroy(log);
    ab_ctx_destroy(c0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_split_merge),
        cmocka_unit_test(test_bad_partials),
        cmocka_unit_test(test_forged_checksum),
        cmocka_unit_test(test_options_fingerprint),
        cmocka_unit_test(test_enomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
