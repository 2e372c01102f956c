/*
 * tests/test_ingest.c: reading logs whatever their format and compression:
 * inflate on a background thread gives the same log and the same errors as
 * inflate on the reader's thread (real shared logs, truncated and corrupt
 * gzip); peeked bytes count in error offsets; generated XES case ids stay
 * unique across files; and one-pass reading of every shared XES log gives
 * the cases a normal read gives.
 */
#include "test_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "asbuilt/ingest.h"
#include "asbuilt/input.h"

/* ---- Helpers. ---- */

/* gzip-compresses data (level 6) into a malloc'd buffer. */
static unsigned char *gzip(const void *data, size_t len, size_t *len_out)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, (uLong)len) + 64;
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *len_out = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

/* An XES document of `traces` traces of `events` events, without case names when anon. */
static char *make_xes(int traces, int events, int anon, size_t *len_out)
{
    size_t cap = 4096 + (size_t)traces * (size_t)events * 400, o = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    o += (size_t)snprintf(s + o, cap - o, "<?xml version=\"1.0\"?>\n<log xes.version=\"1.0\">\n");
    for (int t = 0; t < traces; t++) {
        o += (size_t)snprintf(s + o, cap - o, "<trace>\n");
        if (!anon) {
            o += (size_t)snprintf(s + o, cap - o, "<string key=\"concept:name\" value=\"t%d\"/>\n",
                                  t);
        }
        for (int e = 0; e < events; e++) {
            o += (size_t)snprintf(
                s + o, cap - o,
                "<event><string key=\"concept:name\" value=\"act%d\"/>"
                "<date key=\"time:timestamp\" value=\"2020-01-%02dT10:%02d:00.000+00:00\"/>"
                "<id key=\"identity:id\" value=\"id-%d-%d-0123456789abcdef\"/></event>\n",
                (t + e) % 5, 1 + t % 28, e % 60, t, e);
        }
        o += (size_t)snprintf(s + o, cap - o, "</trace>\n");
    }
    o += (size_t)snprintf(s + o, cap - o, "</log>\n");
    *len_out = o;
    return s;
}

/* Reads memory as one log; returns the status. */
static int ingest_mem(ab_ctx *ctx, const void *data, size_t len, int thread, ab_log **out,
                      ab_error *err)
{
    *out = NULL;
    ab_read_options o = AB_READ_OPTIONS_INIT;
    o.inflate_thread = thread;
    ab_log_builder *b;
    int rc = ab_log_builder_create(&b, ctx, &o.log);
    if (rc != AB_OK) {
        return rc;
    }
    ab_input *in;
    rc = ab_input_open_memory(&in, ctx, data, len, "mem.gz", err);
    if (rc == AB_OK) {
        rc = ab_ingest_input(b, in, &o, err);
        ab_input_destroy(in);
    }
    if (rc != AB_OK) {
        ab_log_builder_destroy(b);
        return rc;
    }
    return ab_log_builder_finish(b, out, err);
}

/* Two logs hold the same cases, events, columns and attributes. */
static void assert_same_log(const ab_log *a, const ab_log *b)
{
    assert_int_equal(ab_log_case_count(a), ab_log_case_count(b));
    assert_int_equal(ab_log_event_count(a), ab_log_event_count(b));
    assert_int_equal(ab_log_activity_count(a), ab_log_activity_count(b));
    assert_int_equal(ab_log_variant_count(a), ab_log_variant_count(b));
    uint64_t n = ab_log_event_count(a);
    assert_memory_equal(ab_log_col_activity(a), ab_log_col_activity(b), n * sizeof(uint32_t));
    assert_memory_equal(ab_log_col_time(a), ab_log_col_time(b), n * sizeof(ab_time));
    for (uint32_t c = 0; c < ab_log_case_count(a); c++) {
        assert_string_equal(ab_log_case_id(a, c), ab_log_case_id(b, c));
    }
    assert_int_equal(ab_log_data_quality(a)->records, ab_log_data_quality(b)->records);
}

/* ---- Tests. ---- */

/* Every shared gzip log reads the same with inflate on a background thread. */
static void test_background_inflate_same_log(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    DIR *d = opendir(tu_shared("logs"));
    assert_non_null(d);
    struct dirent *de;
    int checked = 0;
    while ((de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (nl < 4 || strcmp(de->d_name + nl - 3, ".gz") != 0) {
            continue;
        }
        char rel[512];
        snprintf(rel, sizeof(rel), "logs/%s", de->d_name);
        const char *path = tu_shared(rel);
        ab_log *logs[2];
        for (int t = 0; t < 2; t++) {
            ab_read_options o = AB_READ_OPTIONS_INIT;
            o.inflate_thread = t;
            ab_error err;
            int rc = ab_ingest_files(&logs[t], ctx, &path, 1, &o, &err);
            if (rc != AB_OK) {
                fprintf(stderr, "%s: %s\n", path, err.msg);
            }
            assert_int_equal(rc, AB_OK);
        }
        assert_same_log(logs[0], logs[1]);
        ab_value v0, v1;
        int r0 = ab_log_event_attr(logs[0], 0, "org:resource", &v0);
        assert_int_equal(r0, ab_log_event_attr(logs[1], 0, "org:resource", &v1));
        ab_log_destroy(logs[0]);
        ab_log_destroy(logs[1]);
        checked++;
    }
    closedir(d);
    assert_true(checked > 0);
    ab_ctx_destroy(ctx);
}

/* Truncated and corrupt gzip fail the same way, at the same offset, in both modes. */
static void test_background_inflate_errors(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t xlen, glen;
    char *xes = make_xes(400, 30, 0, &xlen); /* About 5 MB: several ring buffers. */
    unsigned char *gz = gzip(xes, xlen, &glen);
    ab_log *logs[2];
    ab_error err;
    for (int t = 0; t < 2; t++) {
        assert_int_equal(ingest_mem(ctx, gz, glen, t, &logs[t], &err), AB_OK);
    }
    assert_int_equal(ab_log_event_count(logs[0]), 400 * 30);
    assert_same_log(logs[0], logs[1]);
    ab_log_destroy(logs[0]);
    ab_log_destroy(logs[1]);

    /* Cut in the middle: "truncated gzip stream", same message and offset either way. */
    ab_error e[2];
    for (int t = 0; t < 2; t++) {
        ab_log *log;
        assert_int_equal(ingest_mem(ctx, gz, glen / 2, t, &log, &e[t]), AB_EPARSE);
        assert_null(log);
        assert_non_null(strstr(e[t].msg, "truncated gzip stream"));
        assert_true(e[t].has_offset);
        assert_true(e[t].offset > 0 && e[t].offset < xlen);
    }
    assert_string_equal(e[0].msg, e[1].msg);
    assert_int_equal(e[0].offset, e[1].offset);

    /* A flipped byte past the first buffers: "corrupt gzip data" (or the CRC check). */
    unsigned char *bad = malloc(glen);
    assert_non_null(bad);
    memcpy(bad, gz, glen);
    bad[glen * 3 / 4] ^= 0x55;
    for (int t = 0; t < 2; t++) {
        ab_log *log;
        int rc = ingest_mem(ctx, bad, glen, t, &log, &e[t]);
        assert_true(rc == AB_EPARSE);
        assert_null(log);
    }
    assert_string_equal(e[0].msg, e[1].msg);
    free(bad);
    free(gz);
    free(xes);
    ab_ctx_destroy(ctx);
}

/* An error met while peeking counts the bytes already peeked in its offset. */
static void test_peek_error_offset(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t xlen, glen;
    char *xes = make_xes(20, 10, 0, &xlen); /* Less than the 64 KiB peek window. */
    assert_true(xlen < 64 * 1024);
    unsigned char *gz = gzip(xes, xlen, &glen);
    ab_input *in;
    ab_error err;
    ab_error_clear(&err);
    assert_int_equal(ab_input_open_memory(&in, ctx, gz, glen - 12, "cut.gz", &err), AB_OK);
    const void *data;
    size_t len;
    assert_int_equal(ab_input_peek(in, &data, &len, &err), AB_EPARSE);
    assert_non_null(strstr(err.msg, "truncated gzip stream"));
    assert_true(err.has_offset);
    /* All the text was inflated before the trailer went missing. */
    assert_true(err.offset > 0);
    assert_true(err.offset <= xlen);
    ab_input_destroy(in);
    free(gz);
    free(xes);
    ab_ctx_destroy(ctx);
}

/* Traces without concept:name in two files are different cases. */
static void test_generated_ids_unique_across_files(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t len;
    char *xes = make_xes(3, 2, 1, &len);
    const char *p1 = tu_tmpfile(xes, len, ".xes");
    char first[512];
    snprintf(first, sizeof(first), "%s", p1);
    const char *p2 = tu_tmpfile(xes, len, ".xes");
    const char *paths[2] = {first, p2};
    ab_log *log;
    ab_error err;
    assert_int_equal(ab_ingest_files(&log, ctx, paths, 2, NULL, &err), AB_OK);
    assert_int_equal(ab_log_case_count(log), 6);
    assert_int_equal(ab_log_event_count(log), 12);
    /* Cases come in canonical order (first time, then id): each of #1 to #6 once. */
    for (int k = 1; k <= 6; k++) {
        char id[8];
        snprintf(id, sizeof(id), "#%d", k);
        int found = 0;
        for (uint32_t c = 0; c < 6; c++) {
            found += strcmp(ab_log_case_id(log, c), id) == 0;
        }
        assert_int_equal(found, 1);
    }
    ab_log_destroy(log);
    free(xes);
    ab_ctx_destroy(ctx);
}

/* ---- One-pass reading. ---- */

typedef struct collected {
    uint64_t cases;
    uint64_t events;
    uint64_t hash; /* Order-independent sum of per-case hashes of (id, activity names, times). */
} collected;

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static uint64_t case_hash(const char *id, size_t id_len, uint32_t n, const char *const *names,
                          const ab_time *ts)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < id_len; i++) {
        h = mix(h, (unsigned char)id[i]);
    }
    for (uint32_t k = 0; k < n; k++) {
        for (const char *p = names[k]; *p != '\0'; p++) {
            h = mix(h, (unsigned char)*p);
        }
        h = mix(h, ts != NULL ? (uint64_t)ts[k] : 0);
    }
    return h;
}

static int collect(const ab_case_out *c, void *payload, ab_error *err)
{
    (void)err;
    collected *s = payload;
    const char *names[4096];
    assert_true(c->length <= 4096);
    for (uint32_t k = 0; k < c->length; k++) {
        names[k] = ab_log_builder_activity_name(c->builder, c->activity[k], NULL);
    }
    s->cases++;
    s->events += c->length;
    s->hash += case_hash(c->case_id, c->case_id_len, c->length, names, c->ts);
    return AB_OK;
}

/* Every shared XES log (traces are grouped) gives the same cases read in one pass. */
static void test_one_pass_matches(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    DIR *d = opendir(tu_shared("logs"));
    assert_non_null(d);
    struct dirent *de;
    int checked = 0;
    while ((de = readdir(d)) != NULL) {
        if (strstr(de->d_name, ".xes") == NULL) {
            continue;
        }
        char rel[512];
        snprintf(rel, sizeof(rel), "logs/%s", de->d_name);
        const char *path = tu_shared(rel);
        ab_error err;
        ab_log *log;
        assert_int_equal(ab_ingest_files(&log, ctx, &path, 1, NULL, &err), AB_OK);
        collected want = {0, 0, 0};
        const char *names[4096];
        const uint32_t *act = ab_log_col_activity(log);
        const ab_time *ts = ab_log_col_time(log);
        for (uint32_t c = 0; c < ab_log_case_count(log); c++) {
            uint64_t f = ab_log_case_first(log, c);
            uint32_t n = ab_log_case_length(log, c);
            assert_true(n <= 4096);
            for (uint32_t k = 0; k < n; k++) {
                names[k] = ab_log_activity_name(log, act[f + k]);
            }
            const char *id = ab_log_case_id(log, c);
            want.cases++;
            want.events += n;
            want.hash += case_hash(id, strlen(id), n, names,
                                   ab_log_has_timestamps(log) ? ts + f : NULL);
        }
        collected got = {0, 0, 0};
        ab_read_options o = AB_READ_OPTIONS_INIT;
        o.log.case_sink = collect;
        o.log.case_sink_payload = &got;
        ab_log *summary;
        assert_int_equal(ab_ingest_files(&summary, ctx, &path, 1, &o, &err), AB_OK);
        assert_int_equal(got.cases, want.cases);
        assert_int_equal(got.events, want.events);
        assert_true(got.hash == want.hash);
        const ab_data_quality *qa = ab_log_data_quality(log), *qb = ab_log_data_quality(summary);
        assert_int_equal(qa->records, qb->records);
        assert_int_equal(qa->duplicate_events, qb->duplicate_events);
        assert_int_equal(qa->cases_with_equal_timestamps, qb->cases_with_equal_timestamps);
        ab_time f0, l0, f1, l1;
        ab_log_time_span(log, &f0, &l0);
        ab_log_time_span(summary, &f1, &l1);
        assert_int_equal(f0, f1);
        assert_int_equal(l0, l1);
        ab_log_destroy(summary);
        ab_log_destroy(log);
        checked++;
    }
    closedir(d);
    assert_true(checked > 0);
    ab_ctx_destroy(ctx);
}

/* A CSV whose cases interleave is refused in one pass, naming the case and line. */
static void test_one_pass_refuses_interleaved(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const char csv[] = "case,activity,timestamp\n"
                       "1,a,2020-01-01 10:00:00\n"
                       "2,a,2020-01-01 10:01:00\n"
                       "1,b,2020-01-01 10:02:00\n";
    const char *path = tu_tmpfile(csv, sizeof(csv) - 1, ".csv");
    collected got = {0, 0, 0};
    ab_read_options o = AB_READ_OPTIONS_INIT;
    o.log.case_sink = collect;
    o.log.case_sink_payload = &got;
    ab_log *log;
    ab_error err;
    assert_int_equal(ab_ingest_files(&log, ctx, &path, 1, &o, &err), AB_EPARSE);
    assert_null(log);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.msg, "case '1' appears again after other cases"));
    /* Sorted by case, the same rows are fine. */
    const char sorted[] = "case,activity,timestamp\n"
                          "1,a,2020-01-01 10:00:00\n"
                          "1,b,2020-01-01 10:02:00\n"
                          "2,a,2020-01-01 10:01:00\n";
    path = tu_tmpfile(sorted, sizeof(sorted) - 1, ".csv");
    memset(&got, 0, sizeof(got));
    assert_int_equal(ab_ingest_files(&log, ctx, &path, 1, &o, &err), AB_OK);
    assert_int_equal(got.cases, 2);
    assert_int_equal(got.events, 3);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

/* One XES file: each trace is a case (as in PM4Py), so no per-case check
 * runs and a trace name met again is a case of its own. Split over two
 * files, where a case may span files, the same trace name is refused. */
static void test_one_pass_xes_traces(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
#define XES_TRACE(id, act, ts)                                                                     \
    "<trace><string key=\"concept:name\" value=\"" id "\"/><event><string key=\"concept:name\" " \
    "value=\"" act "\"/><date key=\"time:timestamp\" value=\"" ts "\"/></event></trace>"
    const char one[] = "<?xml version=\"1.0\"?><log xes.version=\"1.0\">"
        XES_TRACE("1", "a", "2020-01-01T10:00:00Z") XES_TRACE("2", "a", "2020-01-01T10:01:00Z")
        XES_TRACE("1", "b", "2020-01-01T10:02:00Z") "</log>";
    const char part1[] = "<?xml version=\"1.0\"?><log xes.version=\"1.0\">"
        XES_TRACE("1", "a", "2020-01-01T10:00:00Z") XES_TRACE("2", "a", "2020-01-01T10:01:00Z")
        "</log>";
    const char part2[] = "<?xml version=\"1.0\"?><log xes.version=\"1.0\">"
        XES_TRACE("1", "b", "2020-01-01T10:02:00Z") "</log>";
#undef XES_TRACE
    collected got = {0, 0, 0};
    ab_read_options o = AB_READ_OPTIONS_INIT;
    o.log.case_sink = collect;
    o.log.case_sink_payload = &got;
    ab_log *log;
    ab_error err;
    const char *path = tu_tmpfile(one, sizeof(one) - 1, ".xes");
    assert_int_equal(ab_ingest_files(&log, ctx, &path, 1, &o, &err), AB_OK);
    assert_int_equal(got.cases, 3);
    assert_int_equal(got.events, 3);
    ab_log_destroy(log);

    char p1[4096], p2[4096];
    snprintf(p1, sizeof(p1), "%s", tu_tmpfile(part1, sizeof(part1) - 1, ".xes"));
    snprintf(p2, sizeof(p2), "%s", tu_tmpfile(part2, sizeof(part2) - 1, ".xes"));
    const char *paths[2] = {p1, p2};
    memset(&got, 0, sizeof(got));
    assert_int_equal(ab_ingest_files(&log, ctx, paths, 2, &o, &err), AB_EPARSE);
    assert_null(log);
    assert_non_null(strstr(err.msg, "case '1' appears again after other cases"));
    ab_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_background_inflate_same_log),
        cmocka_unit_test(test_background_inflate_errors),
        cmocka_unit_test(test_peek_error_offset),
        cmocka_unit_test(test_generated_ids_unique_across_files),
        cmocka_unit_test(test_one_pass_matches),
        cmocka_unit_test(test_one_pass_refuses_interleaved),
        cmocka_unit_test(test_one_pass_xes_traces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
