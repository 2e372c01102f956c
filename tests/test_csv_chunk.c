/*
 * tests/test_csv_chunk.c: the CSV reader reading a chunk of a file
 * (ab_csv_options.first_line and first_offset): the file's header followed
 * by the file's records from a record start must give the lines, byte
 * offsets, messages and data-quality lines the whole file gives for those
 * records, at every record start, for LF and CRLF files, quoted line breaks,
 * blank lines, a BOM; and version 1 callers are still read as before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "asbuilt/csv.h"
#include "asbuilt/ingest.h"
#include "asbuilt/log.h"
#include "csv/csv_int.h"

/* ---- Helpers. ---- */

typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void put(text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
    memcpy(t->p + t->len, s, n + 1);
    t->len += n;
}

/* The header, then rows with every kind of drop and quoted line breaks; nl is "\n" or "\r\n". */
static text make_log(const char *nl, int bom)
{
    text t = {NULL, 0, 0};
    char row[256];
    if (bom) {
        put(&t, "\xEF\xBB\xBF");
        put(&t, nl); /* A blank line before the header. */
    }
    snprintf(row, sizeof(row), "case:concept:name,concept:name,time:timestamp,note%s", nl);
    put(&t, row);
    for (int i = 0; i < 60; i++) {
        char tsb[64];
        snprintf(tsb, sizeof(tsb), "2021-03-04T10:%02d:00Z", i % 60);
        const char *c = "c"; /* "" = no case id. */
        char note[96] = "plain";
        switch (i % 12) {
        case 2:
            snprintf(note, sizeof(note), "\"two%slines, a comma\"", nl);
            break;
        case 5:
            snprintf(note, sizeof(note), "\"%s%s\"", nl, nl);
            break;
        case 7:
            snprintf(note, sizeof(note), "\"a \"\"quoted\"\" word\"");
            break;
        default:
            break;
        }
        if (i == 13 || i == 41) {
            snprintf(tsb, sizeof(tsb), "not a time");
        }
        if (i == 19 || i == 50) {
            tsb[0] = '\0';
        }
        if (i == 23 || i == 47) {
            c = "";
        }
        if (i == 29 || i == 53) {
            snprintf(row, sizeof(row), "c%d,act%d%s", i % 7, i % 3, nl); /* Ragged. */
            put(&t, row);
            continue;
        }
        if (i == 31) {
            snprintf(row, sizeof(row), "c%d,,%s,plain%s", i % 7, tsb, nl); /* No activity. */
            put(&t, row);
            continue;
        }
        if (i == 17 || i == 37) {
            put(&t, nl); /* A blank line. */
        }
        if (*c == '\0') {
            snprintf(row, sizeof(row), ",act%d,%s,%s%s", i % 3, tsb, note, nl);
        } else {
            snprintf(row, sizeof(row), "c%d,act%d,%s,%s%s", i % 7, i % 3, tsb, note, nl);
        }
        put(&t, row);
    }
    return t;
}

/* Record starts after the header (the end of the first record that is not blank), and the end. */
typedef struct cuts {
    size_t at[4096];
    uint64_t line[4096]; /* Line of the file at each cut. */
    size_t n;
} cuts;

static void find_cuts(const char *p, size_t len, cuts *c)
{
    ab__csv_field f[64];
    ab__csv_scan s;
    memset(&s, 0, sizeof(s));
    s.delim = ',';
    s.nl = '\n';
    s.fields = f;
    s.cap = 64;
    size_t pos = 0;
    uint64_t line = 1;
    int header = 1;
    c->n = 0;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        pos = 3;
    }
    while (pos < len) {
        ptrdiff_t n = ab__csv_scan_record(&s, p + pos, len - pos, 1);
        assert_true(n > 0);
        int blank = s.count == 1 && f[0].len == 0 && f[0].flags == 0;
        pos += (size_t)n;
        line += 1 + s.newlines;
        if (header && !blank) {
            header = 0;
        }
        if (!header) {
            assert_true(c->n < 4096);
            c->at[c->n] = pos;
            c->line[c->n] = line;
            c->n++;
        }
    }
}

/* Reads p[0..hdr) + p[from..to) as a chunk (or, when from == hdr and first_line == 0, plainly). */
static int read_chunk(ab_log_builder *b, ab_ctx *ctx, const char *p, size_t hdr, size_t from,
                      size_t to, uint64_t first_line, const ab_csv_options *base, ab_error *err)
{
    char *buf = malloc(hdr + (to - from) + 1);
    assert_non_null(buf);
    memcpy(buf, p, hdr);
    memcpy(buf + hdr, p + from, to - from);
    ab_csv_options co = *base;
    co.first_line = first_line;
    co.first_offset = first_line != 0 ? from : 0;
    ab_input *in = NULL;
    int rc = ab_input_open_memory(&in, ctx, buf, hdr + (to - from), "log.csv", err);
    if (rc == AB_OK) {
        rc = ab_csv_read(b, in, &co, err);
    }
    ab_input_destroy(in);
    free(buf);
    return rc;
}

static void same_quality(const ab_log *a, const ab_log *b)
{
    const ab_data_quality *x = ab_log_data_quality(a), *y = ab_log_data_quality(b);
    assert_int_equal(x->records, y->records);
    for (int r = 0; r < AB_DROP__COUNT; r++) {
        assert_int_equal(x->dropped[r].count, y->dropped[r].count);
        assert_int_equal(x->dropped[r].line_count, y->dropped[r].line_count);
        for (uint32_t k = 0; k < x->dropped[r].line_count; k++) {
            assert_int_equal(x->dropped[r].lines[k], y->dropped[r].lines[k]);
        }
    }
    assert_int_equal(ab_log_event_count(a), ab_log_event_count(b));
    assert_int_equal(ab_log_case_count(a), ab_log_case_count(b));
}

static void same_error(const ab_error *want, const ab_error *got)
{
    if (strcmp(want->msg, got->msg) != 0 || want->line != got->line || want->col != got->col ||
        want->has_offset != got->has_offset || want->offset != got->offset) {
        fprintf(stderr,
                "want line %llu col %llu offset %llu: %s\n got line %llu col %llu offset "
                "%llu: %s\n",
                (unsigned long long)want->line, (unsigned long long)want->col,
                (unsigned long long)want->offset, want->msg, (unsigned long long)got->line,
                (unsigned long long)got->col, (unsigned long long)got->offset, got->msg);
    }
    assert_int_equal(want->code, got->code);
    assert_string_equal(want->msg, got->msg);
    assert_string_equal(want->source, got->source);
    assert_int_equal(want->line, got->line);
    assert_int_equal(want->col, got->col);
    assert_int_equal(want->has_offset, got->has_offset);
    assert_int_equal(want->offset, got->offset);
}

static ab_log *read_whole(ab_ctx *ctx, const text *t, const ab_csv_options *co,
                          const ab_log_options *lo, int want, ab_error *err)
{
    ab_log_builder *b;
    ab_log *log = NULL;
    assert_int_equal(ab_log_builder_create(&b, ctx, lo), AB_OK);
    ab_error_clear(err);
    ab_input *in = NULL;
    assert_int_equal(ab_input_open_memory(&in, ctx, t->p, t->len, "log.csv", err), AB_OK);
    int rc = ab_csv_read(b, in, co, err);
    ab_input_destroy(in);
    if (rc != want) {
        fprintf(stderr, "whole file: %d, wanted %d: %s\n", rc, want, err->msg);
    }
    assert_int_equal(rc, want);
    if (rc == AB_OK) {
        assert_int_equal(ab_log_builder_finish(b, &log, err), AB_OK);
    } else {
        ab_log_builder_destroy(b);
    }
    return log;
}

static ab_csv_options fixed_options(void)
{
    ab_csv_options co = AB_CSV_OPTIONS_INIT;
    co.delimiter = ',';
    ab_error err;
    assert_int_equal(ab_ts_format_parse(&co.ts_format, "iso8601", &err), AB_OK);
    return co;
}

/* ---- Tests. ---- */

/* Every cut into two chunks read into one builder gives the whole file's data quality. */
static void two_chunks_give_the_whole_files_quality(const char *nl, int bom)
{
    ab_ctx *ctx = tu_ctx();
    text t = make_log(nl, bom);
    ab_csv_options co = fixed_options();
    ab_error err;
    ab_log *whole = read_whole(ctx, &t, &co, NULL, AB_OK, &err);
    const ab_data_quality *q = ab_log_data_quality(whole);
    /* The fixture drops rows of every reason past its first lines. */
    assert_int_equal(q->dropped[AB_DROP_BAD_TIMESTAMP].count, 2);
    assert_int_equal(q->dropped[AB_DROP_MISSING_TIMESTAMP].count, 2);
    assert_int_equal(q->dropped[AB_DROP_MISSING_CASE].count, 2);
    assert_int_equal(q->dropped[AB_DROP_RAGGED_ROW].count, 2);
    assert_int_equal(q->dropped[AB_DROP_MISSING_ACTIVITY].count, 1);
    static cuts c;
    find_cuts(t.p, t.len, &c);
    assert_true(c.n > 60);
    size_t hdr = c.at[0];
    for (size_t k = 0; k + 1 < c.n; k++) {
        ab_log_builder *b;
        assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
        ab_error_clear(&err);
        /* The first chunk as a chunk too (from the header's end, on its line). */
        int rc = k == 0 ? AB_OK : read_chunk(b, ctx, t.p, hdr, hdr, c.at[k], c.line[0], &co, &err);
        if (rc == AB_OK) {
            rc = read_chunk(b, ctx, t.p, hdr, c.at[k], t.len, c.line[k], &co, &err);
        }
        if (rc != AB_OK) {
            fprintf(stderr, "cut %zu at %zu: %s\n", k, c.at[k], err.msg);
        }
        assert_int_equal(rc, AB_OK);
        ab_log *log = NULL;
        assert_int_equal(ab_log_builder_finish(b, &log, &err), AB_OK);
        same_quality(whole, log);
        ab_log_destroy(log);
    }
    ab_log_destroy(whole);
    free(t.p);
    ab_ctx_destroy(ctx);
}

static void test_quality_lf(void **state)
{
    (void)state;
    two_chunks_give_the_whole_files_quality("\n", 0);
}

static void test_quality_crlf_bom(void **state)
{
    (void)state;
    two_chunks_give_the_whole_files_quality("\r\n", 1);
}

/*
 * text + tail must fail (strict when lo says so) the same way read whole and
 * as a chunk from every record start before the tail: message, line, column
 * and byte offset.
 */
static void same_error_from_every_cut(const char *nl, const char *tail, int strict, int code)
{
    ab_ctx *ctx = tu_ctx();
    text t = make_log(nl, 0);
    /* Only the tail may fail: keep the rows that drop out of a strict read. */
    if (strict) {
        free(t.p);
        t.p = NULL;
        t.len = t.cap = 0;
        char row[128];
        snprintf(row, sizeof(row), "case,activity,time%s", nl);
        put(&t, row);
        for (int i = 0; i < 40; i++) {
            snprintf(row, sizeof(row), "c%d,\"a%s%d\",2021-03-04T10:%02d:00Z%s", i % 5,
                     i % 4 == 0 ? nl : "", i, i, nl);
            put(&t, row);
        }
    }
    size_t body = t.len;
    put(&t, tail);
    ab_csv_options co = fixed_options();
    ab_log_options lo = AB_LOG_OPTIONS_INIT;
    lo.strict = strict;
    ab_error want, got;
    read_whole(ctx, &t, &co, &lo, code, &want);
    static cuts c;
    find_cuts(t.p, body, &c);
    size_t hdr = c.at[0];
    for (size_t k = 0; k < c.n; k++) {
        ab_log_builder *b;
        assert_int_equal(ab_log_builder_create(&b, ctx, &lo), AB_OK);
        ab_error_clear(&got);
        int rc = read_chunk(b, ctx, t.p, hdr, c.at[k], t.len, c.line[k], &co, &got);
        assert_int_equal(rc, code);
        same_error(&want, &got);
        ab_log_builder_destroy(b);
    }
    free(t.p);
    ab_ctx_destroy(ctx);
}

static void test_error_invalid_utf8(void **state)
{
    (void)state;
    /* An offset-bearing error on the second line of a record with a quoted line break. */
    same_error_from_every_cut("\n", "c1,act1,2021-03-04T10:00:00Z,\"ok\nbad \xC3\x28 byte\"\n", 0,
                              AB_EPARSE);
    same_error_from_every_cut("\r\n", "c1,act1,2021-03-04T10:00:00Z,\"ok\r\nbad \xC3\x28\"\r\n", 0,
                              AB_EPARSE);
}

static void test_error_unterminated(void **state)
{
    (void)state;
    same_error_from_every_cut("\n", "c1,act1,2021-03-04T10:00:00Z,\"never\nclosed\n", 0, AB_EPARSE);
    same_error_from_every_cut("\r\n", "c1,act1,2021-03-04T10:00:00Z,\"never\r\nclosed\r\n", 0,
                              AB_EPARSE);
}

static void test_error_strict_drop(void **state)
{
    (void)state;
    same_error_from_every_cut("\n", "c1,act1,yesterday\n", 1, AB_EPARSE);
    same_error_from_every_cut("\r\n", "c1,act1\r\n", 1, AB_EPARSE);
    same_error_from_every_cut("\n", ",act1,2021-03-04T10:00:00Z\n", 1, AB_EPARSE);
}

/*
 * A NUL byte is refused only in the file's first 64 KiB (where the whole
 * file's sniffing looks): one past it, read whole, is text; in a chunk it
 * may sit in the chunk's first 64 KiB and must not be refused there.
 */
static void test_nul_only_in_the_files_head(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    text t = {NULL, 0, 0};
    put(&t, "case,activity,time,note\n");
    char row[128];
    int i = 0;
    while (t.len < (70u << 10)) {
        snprintf(row, sizeof(row), "c%d,a%d,2021-03-04T10:%02d:00Z,note %d\n", i % 50, i % 4,
                 i % 60, i);
        put(&t, row);
        i++;
    }
    size_t nul_row = t.len;
    put(&t, "c1,a1,2021-03-04T10:00:00Z,n?l\n");
    t.p[nul_row + strlen("c1,a1,2021-03-04T10:00:00Z,n")] = '\0';
    put(&t, "c2,a2,2021-03-04T10:00:00Z,after\n");
    ab_csv_options co = fixed_options();
    ab_error err;
    ab_log *whole = read_whole(ctx, &t, &co, NULL, AB_OK, &err);
    static cuts c;
    find_cuts(t.p, t.len, &c);
    for (size_t k = 0; k + 1 < c.n; k += 97) {
        ab_log_builder *b;
        assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
        int rc = k == 0 ? AB_OK
                        : read_chunk(b, ctx, t.p, c.at[0], c.at[0], c.at[k], c.line[0], &co, &err);
        if (rc == AB_OK) {
            rc = read_chunk(b, ctx, t.p, c.at[0], c.at[k], t.len, c.line[k], &co, &err);
        }
        if (rc != AB_OK) {
            fprintf(stderr, "cut at %zu: %s\n", c.at[k], err.msg);
        }
        assert_int_equal(rc, AB_OK);
        ab_log *log = NULL;
        assert_int_equal(ab_log_builder_finish(b, &log, &err), AB_OK);
        same_quality(whole, log);
        ab_log_destroy(log);
    }
    ab_log_destroy(whole);

    /* In the file's head it is refused, read whole or as a chunk, at the same line and offset. */
    text h = {NULL, 0, 0};
    put(&h, "case,activity,time,note\n");
    for (i = 0; i < 30; i++) {
        snprintf(row, sizeof(row), "c%d,a%d,2021-03-04T10:%02d:00Z,\"n\n%d\"\n", i % 5, i % 4, i,
                 i);
        put(&h, row);
    }
    size_t body = h.len;
    put(&h, "c1,a1,2021-03-04T10:00:00Z,n?l\n");
    h.p[body + strlen("c1,a1,2021-03-04T10:00:00Z,n")] = '\0';
    ab_error want, got;
    read_whole(ctx, &h, &co, NULL, AB_EPARSE, &want);
    assert_non_null(strstr(want.msg, "NUL"));
    find_cuts(h.p, body, &c);
    for (size_t k = 0; k < c.n; k++) {
        ab_log_builder *b;
        assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
        ab_error_clear(&got);
        assert_int_equal(read_chunk(b, ctx, h.p, c.at[0], c.at[k], h.len, c.line[k], &co, &got),
                         AB_EPARSE);
        same_error(&want, &got);
        ab_log_builder_destroy(b);
    }
    free(t.p);
    free(h.p);
    ab_ctx_destroy(ctx);
}

/* A chunk of blank lines only is not "header only"; the whole file with none is. */
static void test_blank_chunk(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const char *f = "case,activity,time\nc1,a,2021-03-04T10:00:00Z\n\n\n";
    size_t hdr = strlen("case,activity,time\n"), two = hdr + strlen("c1,a,2021-03-04T10:00:00Z\n");
    ab_csv_options co = fixed_options();
    ab_log_builder *b;
    ab_error err;
    assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
    assert_int_equal(read_chunk(b, ctx, f, hdr, two, strlen(f), 3, &co, &err), AB_OK);
    assert_int_equal(ab_log_builder_event_count(b), 0);
    ab_log_builder_destroy(b);
    assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
    assert_int_equal(read_chunk(b, ctx, f, hdr, two, strlen(f), 0, &co, &err), AB_EPARSE);
    assert_non_null(strstr(err.msg, "header only"));
    ab_log_builder_destroy(b);
    ab_ctx_destroy(ctx);
}

/* The version 1 structure (without first_line) reads as before, also inside ab_read_options. */
typedef struct csv_options_v1 {
    unsigned version;
    char delimiter;
    const char *case_col, *activity_col, *timestamp_col, *start_col, *resource_col, *lifecycle_col;
    ab_ts_format ts_format;
    const ab_tz *tz;
    size_t ts_probe_bytes;
} csv_options_v1;

typedef struct read_options_v1 {
    unsigned version;
    ab_log_options log;
    ab_xes_options xes;
    csv_options_v1 csv;
    void (*progress)(const char *name, uint64_t done, uint64_t total, void *payload);
    void *progress_payload;
    int inflate_thread;
} read_options_v1;

static void test_version_1(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const char *f = "case;activity;time\nc1;a;2021-03-04T10:00:00Z\nc1;b;bad\n";
    /* Past the version 1 structure: bytes that a version 2 reader would take as first_line. */
    struct {
        csv_options_v1 o;
        uint64_t junk[2];
    } v1;
    memset(&v1, 0, sizeof(v1));
    v1.o.version = 1;
    v1.o.ts_format.layout = AB_TS_AUTO;
    v1.junk[0] = 1000;
    v1.junk[1] = 5000;
    ab_log_builder *b;
    ab_input *in;
    ab_error err;
    ab_log *log;
    assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
    assert_int_equal(ab_input_open_memory(&in, ctx, f, strlen(f), "v1.csv", &err), AB_OK);
    assert_int_equal(ab_csv_read(b, in, (const ab_csv_options *)(const void *)&v1.o, &err), AB_OK);
    ab_input_destroy(in);
    assert_int_equal(ab_log_builder_finish(b, &log, &err), AB_OK);
    assert_int_equal(ab_log_data_quality(log)->dropped[AB_DROP_BAD_TIMESTAMP].lines[0], 3);
    assert_string_equal(ab_log_meta(log, "delimiter"), ";");
    ab_log_destroy(log);

    ab_csv_dialect d;
    assert_int_equal(ab_input_open_memory(&in, ctx, f, strlen(f), "v1.csv", &err), AB_OK);
    assert_int_equal(ab_csv_sniff(&d, in, (const ab_csv_options *)(const void *)&v1.o, &err),
                     AB_OK);
    ab_input_destroy(in);
    assert_int_equal(d.delimiter, ';');

    /* ab_read_options version 1, its csv member version 1, followed by its own fields. */
    read_options_v1 ro;
    memset(&ro, 0, sizeof(ro));
    ab_log_options lo = AB_LOG_OPTIONS_INIT;
    ab_xes_options xo = AB_XES_OPTIONS_INIT;
    ro.version = 1;
    ro.log = lo;
    ro.log.strict = 1;
    ro.xes = xo;
    ro.csv = v1.o;
    ro.inflate_thread = 0;
    assert_int_equal(ab_log_builder_create(&b, ctx, &ro.log), AB_OK);
    assert_int_equal(ab_input_open_memory(&in, ctx, f, strlen(f), "v1.csv", &err), AB_OK);
    assert_int_equal(ab_ingest_input(b, in, (const ab_read_options *)(const void *)&ro, &err),
                     AB_EPARSE);
    assert_int_equal(err.line, 3);
    ab_input_destroy(in);
    ab_log_builder_destroy(b);
    const char *path = tu_tmpfile(f, strlen(f), ".csv");
    ro.log.strict = 0;
    assert_int_equal(
        ab_ingest_files(&log, ctx, &path, 1, (const ab_read_options *)(const void *)&ro, &err),
        AB_OK);
    assert_int_equal(ab_log_event_count(log), 1);
    ab_log_destroy(log);
    ro.version = 3;
    assert_int_equal(
        ab_ingest_files(&log, ctx, &path, 1, (const ab_read_options *)(const void *)&ro, &err),
        AB_EINVAL);
    ab_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quality_lf),
        cmocka_unit_test(test_quality_crlf_bom),
        cmocka_unit_test(test_error_invalid_utf8),
        cmocka_unit_test(test_error_unterminated),
        cmocka_unit_test(test_error_strict_drop),
        cmocka_unit_test(test_nul_only_in_the_files_head),
        cmocka_unit_test(test_blank_chunk),
        cmocka_unit_test(test_version_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
