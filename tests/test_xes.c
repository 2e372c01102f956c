/*
 * tests/test_xes.c: the XES reader. Every shared XES log must give PM4Py's
 * counts (read from the expected JSON files at run time), the XES and CSV
 * exports of one log the same counts, every attribute type a faithful round
 * trip; hostile inputs (truncated or corrupt gzip, unclosed XML, invalid
 * UTF-8, external entities, billion laughs, deep nesting, bad timestamps,
 * empty, binary and missing files) the exact error and position; and every
 * failed allocation AB_ENOMEM without a leak.
 */
#include "test_util.h"

#include <dirent.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "asbuilt/ingest.h"
#include "asbuilt/xes.h"
#include "log/log_int.h"

/* ---- Helpers. ---- */

static char *slurp(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

/* Reads XES from memory into a finished log. Returns the status; *out is NULL on failure. */
static int read_mem(ab_ctx *ctx, const void *data, size_t len, const char *name,
                    const ab_xes_options *xo, const ab_log_options *lo, ab_log **out, ab_error *err)
{
    *out = NULL;
    ab_log_builder *b = NULL;
    ab_input *in = NULL;
    int rc = ab_log_builder_create(&b, ctx, lo);
    if (rc != AB_OK) {
        return rc;
    }
    rc = ab_input_open_memory(&in, ctx, data, len, name, err);
    if (rc == AB_OK) {
        rc = ab_xes_read(b, in, xo, err);
    }
    ab_input_destroy(in);
    if (rc != AB_OK) {
        ab_log_builder_destroy(b);
        return rc;
    }
    return ab_log_builder_finish(b, out, err);
}

static int read_path(ab_ctx *ctx, const char *path, const ab_xes_options *xo,
                     const ab_log_options *lo, ab_log **out, ab_error *err)
{
    *out = NULL;
    ab_log_builder *b = NULL;
    ab_input *in = NULL;
    int rc = ab_log_builder_create(&b, ctx, lo);
    if (rc != AB_OK) {
        return rc;
    }
    rc = ab_input_open(&in, ctx, path, err);
    if (rc == AB_OK) {
        rc = ab_xes_read(b, in, xo, err);
    }
    ab_input_destroy(in);
    if (rc != AB_OK) {
        ab_log_builder_destroy(b);
        return rc;
    }
    return ab_log_builder_finish(b, out, err);
}

/* gzip of data (deflate with the gzip wrapper), malloc'd. */
static unsigned char *gzip_mem(const void *data, size_t len, size_t *out_len)
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
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

/* 1-based line of the first occurrence of needle in text. */
static uint64_t line_of(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    assert_non_null(p);
    uint64_t line = 1;
    for (const char *q = text; q < p; q++) {
        line += *q == '\n';
    }
    return line;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL) {
        fail_msg("'%s' does not contain '%s'", hay, needle);
    }
}

/* ---- A minimal JSON reader for the expected files. ---- */

typedef struct js {
    const char *p;
    const char *end;
} js;

static void js_ws(js *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')) {
        j->p++;
    }
}

static void put_utf8(char *out, size_t cap, size_t *o, unsigned cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    for (size_t i = 0; i < n && *o + 1 < cap; i++) {
        out[(*o)++] = b[i];
    }
}

static unsigned js_hex4(js *j)
{
    char h[5] = {0};
    assert_true(j->end - j->p >= 4);
    memcpy(h, j->p, 4);
    j->p += 4;
    return (unsigned)strtoul(h, NULL, 16);
}

/* Reads a JSON string into out (NUL-terminated, UTF-8); out may be NULL. */
static void js_string(js *j, char *out, size_t cap)
{
    size_t o = 0;
    js_ws(j);
    assert_true(j->p < j->end && *j->p == '"');
    j->p++;
    while (j->p < j->end && *j->p != '"') {
        char c = *j->p++;
        if (c != '\\') {
            if (out != NULL && o + 1 < cap) {
                out[o++] = c;
            }
            continue;
        }
        c = *j->p++;
        unsigned cp;
        switch (c) {
        case 'n':
            cp = '\n';
            break;
        case 't':
            cp = '\t';
            break;
        case 'r':
            cp = '\r';
            break;
        case 'b':
            cp = '\b';
            break;
        case 'f':
            cp = '\f';
            break;
        case 'u':
            cp = js_hex4(j);
            if (cp >= 0xD800 && cp < 0xDC00 && j->end - j->p >= 6 && j->p[0] == '\\' &&
                j->p[1] == 'u') {
                j->p += 2;
                unsigned lo = js_hex4(j);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            break;
        default:
            cp = (unsigned char)c;
            break;
        }
        if (out != NULL) {
            put_utf8(out, cap, &o, cp);
        }
    }
    assert_true(j->p < j->end);
    j->p++;
    if (out != NULL) {
        out[o] = '\0';
    }
}

static void js_skip(js *j)
{
    js_ws(j);
    assert_true(j->p < j->end);
    char c = *j->p;
    if (c == '"') {
        js_string(j, NULL, 0);
    } else if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->p++;
        js_ws(j);
        if (*j->p == close) {
            j->p++;
            return;
        }
        for (;;) {
            if (c == '{') {
                js_string(j, NULL, 0);
                js_ws(j);
                assert_true(*j->p == ':');
                j->p++;
            }
            js_skip(j);
            js_ws(j);
            if (*j->p == ',') {
                j->p++;
                continue;
            }
            assert_true(*j->p == close);
            j->p++;
            return;
        }
    } else {
        while (j->p < j->end && *j->p != ',' && *j->p != '}' && *j->p != ']' && *j->p != ' ' &&
               *j->p != '\n') {
            j->p++;
        }
    }
}

/* Positions j at the value of key in the object at j; fails the test when absent. */
static void js_member(js *j, const char *key)
{
    js_ws(j);
    assert_true(*j->p == '{');
    j->p++;
    char name[512];
    for (;;) {
        js_ws(j);
        if (*j->p == '}') {
            fail_msg("key '%s' not found in the expected JSON", key);
        }
        js_string(j, name, sizeof(name));
        js_ws(j);
        assert_true(*j->p == ':');
        j->p++;
        if (strcmp(name, key) == 0) {
            js_ws(j);
            return;
        }
        js_skip(j);
        js_ws(j);
        if (*j->p == ',') {
            j->p++;
        }
    }
}

static long long js_int(js *j)
{
    js_ws(j);
    char *end;
    long long v = strtoll(j->p, &end, 10);
    assert_true(end > j->p);
    j->p = end;
    return v;
}

/* Compares a log with the "log" section of a PM4Py expected file. */
static void check_pm4py(const ab_log *log, const char *json_path, const char *label)
{
    size_t len;
    char *text = slurp(json_path, &len);
    js root = {text, text + len};
    js_member(&root, "log");
    const char *log_obj = root.p;
    const char *fields[] = {"cases", "events", "activities", "variants"};
    long long got[] = {ab_log_case_count(log), (long long)ab_log_event_count(log),
                       ab_log_activity_count(log), ab_log_variant_count(log)};
    for (int i = 0; i < 4; i++) {
        js j = {log_obj, text + len};
        js_member(&j, fields[i]);
        long long want = js_int(&j);
        if (want != got[i]) {
            fail_msg("%s: %s = %lld, PM4Py %lld", label, fields[i], got[i], want);
        }
    }
    js j = {log_obj, text + len};
    js_member(&j, "activity_counts");
    assert_true(*j.p == '{');
    j.p++;
    uint32_t seen = 0;
    for (;;) {
        js_ws(&j);
        if (*j.p == '}') {
            break;
        }
        char name[1024];
        js_string(&j, name, sizeof(name));
        js_ws(&j);
        assert_true(*j.p == ':');
        j.p++;
        long long want = js_int(&j);
        uint32_t id;
        if (ab_log_activity_find(log, name, strlen(name), &id) != AB_OK) {
            fail_msg("%s: activity '%s' (PM4Py: %lld events) is missing", label, name, want);
        }
        if ((long long)ab_log_activity_events(log, id) != want) {
            fail_msg("%s: activity '%s' has %llu events, PM4Py %lld", label, name,
                     (unsigned long long)ab_log_activity_events(log, id), want);
        }
        seen++;
        js_ws(&j);
        if (*j.p == ',') {
            j.p++;
        }
    }
    assert_int_equal(seen, ab_log_activity_count(log));
    free(text);
}

/* ---- Shared real logs. ---- */

static int is_xes_name(const char *n)
{
    size_t l = strlen(n);
    return (l > 4 && strcmp(n + l - 4, ".xes") == 0) ||
           (l > 7 && strcmp(n + l - 7, ".xes.gz") == 0);
}

static void test_shared_logs_match_pm4py(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", tu_shared("logs"));
    DIR *d = opendir(dir);
    if (d == NULL) {
        fail_msg("shared logs not found at %s (set AB_SHARED_DATA)", dir);
    }
    ab_ctx *ctx = tu_ctx();
    int checked = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_xes_name(e->d_name)) {
            continue;
        }
        char path[4096 + 256], exp[4096 + 256];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        snprintf(exp, sizeof(exp), "%s/%s.json", tu_shared("expected"), e->d_name);
        assert_true(tu_exists(exp));
        ab_log *log;
        ab_error err;
        int rc = read_path(ctx, path, NULL, NULL, &log, &err);
        if (rc != AB_OK) {
            fail_msg("%s: %s", e->d_name, err.msg);
        }
        check_pm4py(log, exp, e->d_name);
        assert_string_equal(ab_log_meta(log, "format"), "xes");
        assert_string_equal(ab_log_meta(log, "classifier"), "concept:name");
        ab_log_destroy(log);
        checked++;
    }
    closedir(d);
    ab_ctx_destroy(ctx);
    /* The full shared set holds nine XES logs, the shipped subset four; an
     * empty folder must not pass. */
    assert_true(checked >= 4);
}

/* Same counts from the XES and the CSV export of one log. */
static void compare_logs(const ab_log *a, const ab_log *b, const char *label)
{
    assert_int_equal(ab_log_case_count(a), ab_log_case_count(b));
    assert_int_equal(ab_log_event_count(a), ab_log_event_count(b));
    assert_int_equal(ab_log_activity_count(a), ab_log_activity_count(b));
    assert_int_equal(ab_log_variant_count(a), ab_log_variant_count(b));
    for (uint32_t i = 0; i < ab_log_activity_count(a); i++) {
        const char *name = ab_log_activity_name(a, i);
        uint32_t id;
        if (ab_log_activity_find(b, name, strlen(name), &id) != AB_OK) {
            fail_msg("%s: activity '%s' missing in the CSV", label, name);
        }
        assert_int_equal(ab_log_activity_events(a, i), ab_log_activity_events(b, id));
    }
}

static void test_xes_and_csv_agree(void **state)
{
    (void)state;
    const char *pairs[][2] = {
        {"logs/pm4py_running-example.xes", "logs/pm4py_running-example.csv"},
        {"logs/pm4py_08_receipt.xes.gz", "logs/pm4py_receipt.csv"},
    };
    ab_ctx *ctx = tu_ctx();
    for (size_t i = 0; i < 2; i++) {
        char xes[4096], csv[4096];
        snprintf(xes, sizeof(xes), "%s", tu_shared(pairs[i][0]));
        snprintf(csv, sizeof(csv), "%s", tu_shared(pairs[i][1]));
        if (i > 0 && !tu_exists(csv)) {
            print_message("skipping %s: not in this reference set\n", csv);
            continue;
        }
        ab_log *lx, *lc;
        ab_error err;
        assert_int_equal(read_path(ctx, xes, NULL, NULL, &lx, &err), AB_OK);
        const char *paths[] = {csv};
        int rc = ab_ingest_files(&lc, ctx, paths, 1, NULL, &err);
        if (rc != AB_OK) {
            fail_msg("%s: %s", csv, err.msg);
        }
        assert_string_equal(ab_log_meta(lc, "format"), "csv");
        compare_logs(lx, lc, pairs[i][0]);
        ab_log_destroy(lx);
        ab_log_destroy(lc);
    }
    ab_ctx_destroy(ctx);
}

/* ---- Attribute types. ---- */

typedef struct visit_buf {
    char text[1024];
} visit_buf;

static int collect(const char *key, const ab_value *v, int depth, void *payload)
{
    visit_buf *vb = payload;
    (void)v;
    size_t o = strlen(vb->text);
    snprintf(vb->text + o, sizeof(vb->text) - o, "%s@%d;", key, depth);
    return 0;
}

static void want_string(const ab_value *v, ab_attr_type type, const char *want)
{
    assert_int_equal(v->type, type);
    assert_int_equal(v->u.s.len, strlen(want));
    assert_memory_equal(v->u.s.ptr, want, strlen(want));
}

/* Finds a log attribute by key through the packed log-attribute chunks. */
static int log_attr(const ab_log *log, const char *key, ab_value *out, int32_t *parent_out)
{
    const uint8_t *p = log->lattr_blob;
    const uint8_t *end = p + log->lattr_len;
    while (p != NULL && p < end) {
        (void)ab__varint_get(&p); /* Link to the previous chunk. */
        uint64_t count = ab__varint_get(&p);
        for (uint64_t i = 0; i < count; i++) {
            uint32_t k;
            ab_value v;
            int32_t parent;
            p += ab__log_get_attr(log, p, &k, &v, &parent);
            if (strcmp(ab__strtab_str(&log->keys, k), key) == 0) {
                *out = v;
                *parent_out = parent;
                return AB_OK;
            }
        }
    }
    return AB_ENOTFOUND;
}

static void test_all_attribute_types(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t len;
    char *text = slurp(tu_testdata("xes/all_types.xes"), &len);
    ab_log *log;
    ab_error err;
    assert_int_equal(read_mem(ctx, text, len, "all_types.xes", NULL, NULL, &log, &err), AB_OK);

    /* Cases: the concept:name written after the events, then "#2" for a trace without one. */
    assert_int_equal(ab_log_case_count(log), 2);
    assert_string_equal(ab_log_case_id(log, 0), "case-1");
    assert_string_equal(ab_log_case_id(log, 1), "#2");
    assert_int_equal(ab_log_event_count(log), 3);
    const ab_data_quality *dq = ab_log_data_quality(log);
    assert_int_equal(dq->dropped[AB_DROP_EMPTY_TRACE].count, 1);
    assert_int_equal(dq->dropped[AB_DROP_EMPTY_TRACE].lines[0],
                     line_of(text, "value=\"empty-trace\"") - 1);
    assert_int_equal(dq->timestamps_coerced, 1);

    /* Columns of event 0. */
    const uint32_t *act = ab_log_col_activity(log);
    assert_string_equal(ab_log_activity_name(log, act[0]), "Register & check");
    assert_string_equal(ab_log_activity_name(log, act[1]), "Decide");
    assert_int_equal(ab_log_col_time(log)[0], ab_time_from_civil(2011, 10, 1, 8, 0, 0, 0));
    assert_int_equal(ab_log_col_time(log)[2], ab_time_from_civil(2011, 10, 2, 9, 0, 0, 0));
    assert_string_equal(ab_log_resource_name(log, ab_log_col_resource(log)[0]), "Ann");
    assert_int_equal(ab_log_col_resource(log)[1], UINT32_MAX);
    assert_int_equal(ab_log_col_lifecycle(log)[0], AB_LC_START);
    assert_int_equal(ab_log_col_lifecycle(log)[1], AB_LC_COMPLETE);
    assert_int_equal(ab_log_col_lifecycle(log)[2], AB_LC_OTHER);

    /* Event attributes, their order and nesting; standard fields are columns, globals
     * and unknown elements are not attributes. */
    visit_buf vb = {""};
    ab_log_event_attrs_visit(log, 0, collect, &vb);
    assert_string_equal(vb.text, "order type@0;e-string@0;e-date@0;e-int@0;e-float@0;e-bool@0;"
                                 "e-id@0;e-list@0;when@1;c@1;deep@2;e-container@0;flag@1;");
    ab_value v;
    assert_int_equal(ab_log_event_attr(log, 0, "order type", &v), AB_OK);
    want_string(&v, AB_ATTR_STRING, "rush");
    assert_int_equal(ab_log_event_attr(log, 0, "e-string", &v), AB_OK);
    want_string(&v, AB_ATTR_STRING, "<b>\xE2\x98\xBA");
    assert_int_equal(ab_log_event_attr(log, 0, "e-date", &v), AB_OK);
    assert_int_equal(v.type, AB_ATTR_DATE);
    assert_int_equal(v.u.t, ab_time_from_civil(2011, 10, 1, 10, 0, 0, 0));
    assert_int_equal(ab_log_event_attr(log, 0, "e-int", &v), AB_OK);
    assert_int_equal(v.type, AB_ATTR_INT);
    assert_int_equal(v.u.i, 12);
    assert_int_equal(ab_log_event_attr(log, 0, "e-float", &v), AB_OK);
    assert_int_equal(v.type, AB_ATTR_FLOAT);
    assert_true(isinf(v.u.f) && v.u.f > 0);
    assert_int_equal(ab_log_event_attr(log, 0, "e-bool", &v), AB_OK);
    assert_int_equal(v.type, AB_ATTR_BOOLEAN);
    assert_int_equal(v.u.b, 1);
    assert_int_equal(ab_log_event_attr(log, 0, "e-id", &v), AB_OK);
    want_string(&v, AB_ATTR_ID, "ev-1");
    assert_int_equal(ab_log_event_attr(log, 0, "e-list", &v), AB_OK);
    assert_int_equal(v.type, AB_ATTR_LIST);
    assert_int_equal(ab_log_event_attr(log, 0, "e-container", &v), AB_OK);
    assert_int_equal(v.type, AB_ATTR_CONTAINER);
    const char *absent[] = {
        "concept:name", "time:timestamp", "org:resource", "lifecycle:transition",
        "ignored",      "global-only",    "when"};
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
        assert_int_equal(ab_log_event_attr(log, 0, absent[i], &v), AB_ENOTFOUND);
    }
    /* A transition outside the standard model keeps its text. */
    assert_int_equal(ab_log_event_attr(log, 2, "lifecycle:transition", &v), AB_OK);
    want_string(&v, AB_ATTR_STRING, "manual_review");

    /* Trace attributes, entities decoded; concept:name is the case id, not an attribute. */
    assert_int_equal(ab_log_case_attr(log, 0, "t-string", &v), AB_OK);
    want_string(&v, AB_ATTR_STRING, "Tom & Jerry");
    assert_int_equal(ab_log_case_attr(log, 0, "t-date", &v), AB_OK);
    assert_int_equal(v.type, AB_ATTR_DATE);
    assert_int_equal(v.u.t, ab_time_from_civil(2011, 10, 1, 0, 38, 44, 546000));
    assert_int_equal(ab_log_case_attr(log, 0, "t-int", &v), AB_OK);
    assert_int_equal(v.u.i, 42);
    assert_int_equal(ab_log_case_attr(log, 0, "t-float", &v), AB_OK);
    assert_true(v.type == AB_ATTR_FLOAT && v.u.f == -0.25);
    assert_int_equal(ab_log_case_attr(log, 0, "t-bool", &v), AB_OK);
    assert_true(v.type == AB_ATTR_BOOLEAN && v.u.b == 0);
    assert_int_equal(ab_log_case_attr(log, 0, "t-id", &v), AB_OK);
    want_string(&v, AB_ATTR_ID, "id-1");
    assert_int_equal(ab_log_case_attr(log, 0, "t-list", &v), AB_OK);
    assert_int_equal(v.type, AB_ATTR_LIST);
    assert_int_equal(ab_log_case_attr(log, 0, "t-container", &v), AB_OK);
    assert_int_equal(v.type, AB_ATTR_CONTAINER);
    assert_int_equal(ab_log_case_attr(log, 0, "concept:name", &v), AB_ENOTFOUND);

    /* Log attributes, with parents. */
    int32_t parent;
    assert_int_equal(log_attr(log, "log-string", &v, &parent), AB_OK);
    want_string(&v, AB_ATTR_STRING, "R&D <log> caf\xC3\xA9 \"q\" 'a' &amp;");
    assert_int_equal(parent, -1);
    assert_int_equal(log_attr(log, "log-date", &v, &parent), AB_OK);
    assert_int_equal(v.u.t, ab_time_from_civil(2020, 2, 29, 22, 59, 59, 999000));
    assert_int_equal(log_attr(log, "log-int", &v, &parent), AB_OK);
    assert_true(v.type == AB_ATTR_INT && v.u.i == INT64_MIN);
    assert_int_equal(log_attr(log, "log-float", &v, &parent), AB_OK);
    assert_true(v.type == AB_ATTR_FLOAT && v.u.f == 1.5e-3);
    assert_int_equal(log_attr(log, "log-bool", &v, &parent), AB_OK);
    assert_true(v.type == AB_ATTR_BOOLEAN && v.u.b == 1);
    assert_int_equal(log_attr(log, "log-id", &v, &parent), AB_OK);
    want_string(&v, AB_ATTR_ID, "123e4567-e89b-12d3-a456-426614174000");
    int32_t list_parent;
    assert_int_equal(log_attr(log, "log-list", &v, &list_parent), AB_OK);
    assert_int_equal(v.type, AB_ATTR_LIST);
    assert_int_equal(log_attr(log, "item", &v, &parent), AB_OK);
    want_string(&v, AB_ATTR_STRING, "one");
    assert_int_equal(parent, 6); /* log-list is the seventh log attribute. */
    assert_int_equal(log_attr(log, "inner", &v, &parent), AB_OK);
    assert_int_equal(parent, 9);
    assert_int_equal(log_attr(log, "global-only", &v, &parent), AB_ENOTFOUND);

    /* Facts about the input. */
    assert_string_equal(ab_log_meta(log, "format"), "xes");
    assert_string_equal(ab_log_meta(log, "classifier"), "concept:name");
    assert_string_equal(ab_log_meta(log, "xes_version"), "2.0");
    assert_string_equal(ab_log_meta(log, "xes_extensions"), "concept time lifecycle org");
    ab_log_destroy(log);
    free(text);
    ab_ctx_destroy(ctx);
}

/* ---- Classifiers. ---- */


/*
 * Attribute keys are remembered across events (a small table by hash, with
 * replacement): many distinct keys, keys that collide, and keys written with
 * an entity must each still reach the right event, decoded.
 */
static void test_key_memo(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t cap = 1 << 20, o = 0;
    char *x = malloc(cap);
    o += (size_t)snprintf(x + o, cap - o,
                          "<log xes.version=\"1.0\"><trace><string key=\"concept:name\" "
                          "value=\"c\"/>\n");
    enum { N = 600 };
    for (int i = 0; i < N; i++) {
        o += (size_t)snprintf(x + o, cap - o,
                              "<event><string key=\"concept:name\" value=\"a\"/>"
                              "<date key=\"time:timestamp\" value=\"2020-01-01T00:%02d:%02d\"/>"
                              "<string key=\"k%d\" value=\"v%d\"/>"
                              "<string key=\"R&amp;D%d\" value=\"x%d\"/></event>\n",
                              i / 60, i % 60, i % 250, i, i % 3, i);
    }
    o += (size_t)snprintf(x + o, cap - o, "</trace></log>\n");
    ab_log *log;
    ab_error err;
    assert_int_equal(read_mem(ctx, x, o, "memo.xes", NULL, NULL, &log, &err), AB_OK);
    assert_int_equal(ab_log_event_count(log), N);
    for (int i = 0; i < N; i++) {
        char key[32], want[32];
        ab_value v;
        snprintf(key, sizeof(key), "k%d", i % 250);
        snprintf(want, sizeof(want), "v%d", i);
        assert_int_equal(ab_log_event_attr(log, (uint64_t)i, key, &v), AB_OK);
        want_string(&v, AB_ATTR_STRING, want);
        snprintf(key, sizeof(key), "k%d", (i + 1) % 250);
        assert_int_equal(ab_log_event_attr(log, (uint64_t)i, key, &v), AB_ENOTFOUND);
        snprintf(key, sizeof(key), "R&D%d", i % 3);
        snprintf(want, sizeof(want), "x%d", i);
        assert_int_equal(ab_log_event_attr(log, (uint64_t)i, key, &v), AB_OK);
        want_string(&v, AB_ATTR_STRING, want);
    }
    ab_log_destroy(log);
    free(x);
    ab_ctx_destroy(ctx);
}

static void activities_of(const ab_log *log, char *buf, size_t cap)
{
    buf[0] = '\0';
    const uint32_t *act = ab_log_col_activity(log);
    for (uint64_t i = 0; i < ab_log_event_count(log); i++) {
        size_t o = strlen(buf);
        snprintf(buf + o, cap - o, "%s|", ab_log_activity_name(log, act[i]));
    }
}

static void test_classifiers(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t len;
    char *text = slurp(tu_testdata("xes/all_types.xes"), &len);
    ab_xes_options xo = AB_XES_OPTIONS_INIT;
    ab_log *log;
    ab_error err;
    char acts[512];

    /* A classifier of the log, by name: values joined with '+' as PM4Py and ProM do. */
    xo.classifier = "Activity and transition";
    assert_int_equal(read_mem(ctx, text, len, "t.xes", &xo, NULL, &log, &err), AB_OK);
    activities_of(log, acts, sizeof(acts));
    assert_string_equal(acts, "Register & check+start|Decide+complete|Decide+manual_review|");
    assert_string_equal(ab_log_meta(log, "classifier"), "Activity and transition");
    /* concept:name is no longer the activity, so it is kept as an attribute. */
    ab_value v;
    assert_int_equal(ab_log_event_attr(log, 0, "concept:name", &v), AB_OK);
    want_string(&v, AB_ATTR_STRING, "Register & check");
    ab_log_destroy(log);

    /* Names match ignoring case; a quoted key holds a space; a missing key is empty (ProM). */
    xo.classifier = "QUOTED";
    assert_int_equal(read_mem(ctx, text, len, "t.xes", &xo, NULL, &log, &err), AB_OK);
    activities_of(log, acts, sizeof(acts));
    assert_string_equal(acts, "rush+Register & check|normal+Decide|+Decide|");
    assert_string_equal(ab_log_meta(log, "classifier"), "Quoted");
    ab_log_destroy(log);

    /* A key list: events without the key have no activity and are dropped. */
    xo.classifier = "org:resource";
    assert_int_equal(read_mem(ctx, text, len, "t.xes", &xo, NULL, &log, &err), AB_OK);
    activities_of(log, acts, sizeof(acts));
    assert_string_equal(acts, "Ann|");
    assert_int_equal(ab_log_data_quality(log)->dropped[AB_DROP_MISSING_ACTIVITY].count, 2);
    ab_log_destroy(log);

    /* The plain concept:name classifier is the default. */
    xo.classifier = "Activity";
    assert_int_equal(read_mem(ctx, text, len, "t.xes", &xo, NULL, &log, &err), AB_OK);
    activities_of(log, acts, sizeof(acts));
    assert_string_equal(acts, "Register & check|Decide|Decide|");
    ab_log_destroy(log);

    /* Unknown: neither a classifier name nor a key of the first event. */
    xo.classifier = "Activty";
    assert_int_equal(read_mem(ctx, text, len, "t.xes", &xo, NULL, &log, &err), AB_ENOTFOUND);
    assert_null(log);
    assert_contains(err.msg, "classifier 'Activty' not found");
    assert_contains(err.msg, "'Activity', 'Activity and transition', 'Quoted'");
    assert_string_equal(err.source, "t.xes");
    assert_true(err.line > 0);

    /* An unclosed quote in a key list. */
    xo.classifier = "'order type";
    assert_int_equal(read_mem(ctx, text, len, "t.xes", &xo, NULL, &log, &err), AB_ENOTFOUND);
    assert_contains(err.msg, "unclosed quote");

    /* Version check. */
    xo.version = 99;
    assert_int_equal(read_mem(ctx, text, len, "t.xes", &xo, NULL, &log, &err), AB_EINVAL);
    free(text);
    ab_ctx_destroy(ctx);
}

/* Receipt log: the "Activity classifier" (concept:name lifecycle:transition) gives one
 * activity per distinct pair of the default reading. */
static void test_classifier_on_real_log(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    char path[4096];
    snprintf(path, sizeof(path), "%s", tu_shared("logs/pm4py_08_receipt.xes.gz"));
    ab_log *plain, *cls;
    ab_error err;
    assert_int_equal(read_path(ctx, path, NULL, NULL, &plain, &err), AB_OK);
    ab_xes_options xo = AB_XES_OPTIONS_INIT;
    xo.classifier = "Activity classifier";
    assert_int_equal(read_path(ctx, path, &xo, NULL, &cls, &err), AB_OK);
    assert_int_equal(ab_log_event_count(cls), ab_log_event_count(plain));
    /* Count the distinct (activity, transition) pairs of the plain reading. */
    uint32_t n_act = ab_log_activity_count(plain);
    uint8_t *seen = calloc((size_t)n_act * 16, 1);
    assert_non_null(seen);
    uint32_t pairs = 0;
    const uint32_t *act = ab_log_col_activity(plain);
    const uint8_t *lc = ab_log_col_lifecycle(plain);
    for (uint64_t i = 0; i < ab_log_event_count(plain); i++) {
        assert_true(lc[i] < 16);
        uint8_t *s = &seen[(size_t)act[i] * 16 + lc[i]];
        pairs += *s == 0;
        *s = 1;
    }
    assert_int_equal(ab_log_activity_count(cls), pairs);
    /* Each classified name is the plain name, '+', the transition as written. */
    const uint32_t *cact = ab_log_col_activity(cls);
    for (uint64_t i = 0; i < ab_log_event_count(cls); i++) {
        const char *name = ab_log_activity_name(cls, cact[i]);
        const char *plus = strrchr(name, '+');
        assert_non_null(plus);
        assert_true(ab_lifecycle_from_string(plus + 1, strlen(plus + 1)) != AB_LC_NONE);
    }
    free(seen);
    ab_log_destroy(plain);
    ab_log_destroy(cls);
    ab_ctx_destroy(ctx);
}

/* ---- Hostile and broken inputs. ---- */

static void test_unclosed_xml(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t len;
    char *text = slurp(tu_testdata("xes/unclosed.xes"), &len);
    ab_log *log;
    ab_error err;
    assert_int_equal(read_mem(ctx, text, len, "unclosed.xes", NULL, NULL, &log, &err), AB_EPARSE);
    assert_string_equal(err.msg, "unexpected end of input: the document ends inside <trace> "
                                 "opened at line 3 (truncated file?); expected </trace> </log>");
    assert_string_equal(err.source, "unclosed.xes");
    assert_int_equal(err.line, line_of(text, "</event>"));
    assert_true(err.has_offset);
    assert_int_equal(err.offset, len);
    /* Cut inside a start tag, and inside an attribute value. */
    const char *cuts[] = {"<event>", "value=\"A"};
    for (size_t i = 0; i < 2; i++) {
        size_t cut = (size_t)(strstr(text, cuts[i]) - text) + 3;
        assert_int_equal(read_mem(ctx, text, cut, "cut.xes", NULL, NULL, &log, &err), AB_EPARSE);
        assert_contains(err.msg, "unexpected end of input");
        assert_contains(err.msg, "expected ");
        assert_int_equal(err.offset, cut);
    }
    free(text);
    ab_ctx_destroy(ctx);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t len;
    char *text = slurp(tu_testdata("xes/bad_utf8.xes"), &len);
    const char *bad = strstr(text, "\xC3\x28");
    assert_non_null(bad);
    ab_log *log;
    ab_error err;
    assert_int_equal(read_mem(ctx, text, len, "bad_utf8.xes", NULL, NULL, &log, &err), AB_EPARSE);
    assert_string_equal(err.msg, "invalid UTF-8 (bytes 0xC3 0x28 0x22 0x2F): expected UTF-8 text "
                                 "(or an encoding declared in the XML header)");
    assert_int_equal(err.line, line_of(text, "\xC3\x28"));
    const char *line_start = bad;
    while (line_start > text && line_start[-1] != '\n') {
        line_start--;
    }
    assert_int_equal(err.col, (uint64_t)(bad - line_start) + 1);
    assert_int_equal(err.offset, (uint64_t)(bad - text));
    free(text);
    ab_ctx_destroy(ctx);
}

static void test_truncated_and_corrupt_gzip(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t len, glen;
    char *text = slurp(tu_shared("logs/pm4py_running-example.xes"), &len);
    unsigned char *gz = gzip_mem(text, len, &glen);
    ab_log *log;
    ab_error err;
    /* Whole: fine. */
    const char *p = tu_tmpfile(gz, glen, ".xes.gz");
    assert_int_equal(read_path(ctx, p, NULL, NULL, &log, &err), AB_OK);
    assert_int_equal(ab_log_event_count(log), 42);
    ab_log_destroy(log);
    /* Truncated: half the compressed bytes. */
    p = tu_tmpfile(gz, glen / 2, ".xes.gz");
    assert_int_equal(read_path(ctx, p, NULL, NULL, &log, &err), AB_EPARSE);
    assert_contains(err.msg, "truncated gzip stream");
    assert_string_equal(err.source, p);
    assert_true(err.has_offset);
    /* Corrupt: garbage in the middle of the deflate stream. */
    for (size_t i = glen / 3; i < glen / 3 + 64; i++) {
        gz[i] ^= 0x5A;
    }
    p = tu_tmpfile(gz, glen, ".xes.gz");
    int rc = read_path(ctx, p, NULL, NULL, &log, &err);
    assert_int_equal(rc, AB_EPARSE);
    /* zlib meets an invalid code in the damaged block and names its compressed offset. */
    assert_contains(err.msg, "corrupt gzip data at compressed byte ");
    assert_true(err.has_offset);
    assert_string_equal(err.source, p);
    free(gz);
    free(text);
    ab_ctx_destroy(ctx);
}

/* The secret must not appear in the log or in the error. */
static int contains_secret(const ab_log *log, const char *secret)
{
    for (uint32_t i = 0; i < ab_log_activity_count(log); i++) {
        if (strstr(ab_log_activity_name(log, i), secret) != NULL) {
            return 1;
        }
    }
    for (uint32_t c = 0; c < ab_log_case_count(log); c++) {
        if (strstr(ab_log_case_id(log, c), secret) != NULL) {
            return 1;
        }
    }
    for (uint32_t i = 0; i < log->vals.count; i++) {
        if (strstr(ab__strtab_str(&log->vals, i), secret) != NULL) {
            return 1;
        }
    }
    /* Values of keys that rarely repeat are stored in place, in the packed attributes. */
    const uint8_t *blobs[3] = {log->attr_blob, log->cattr_blob, log->lattr_blob};
    size_t lens[3] = {log->attr_len, log->cattr_len, log->lattr_len};
    size_t sl = strlen(secret);
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; blobs[k] != NULL && i + sl <= lens[k]; i++) {
            if (memcmp(blobs[k] + i, secret, sl) == 0) {
                return 1;
            }
        }
    }
    return 0;
}

static void test_external_entities_never_read(void **state)
{
    (void)state;
    const char *secret = "SECRET-7f3a9c-do-not-leak";
    char secret_text[256];
    snprintf(secret_text, sizeof(secret_text), "%s\n", secret);
    char secret_path[256];
    snprintf(secret_path, sizeof(secret_path), "%s",
             tu_tmpfile(secret_text, strlen(secret_text), ".txt"));
    ab_ctx *ctx = tu_ctx();
    ab_log *log;
    ab_error err;
    char doc[2048];

    /* An external general entity: refused at its declaration, never resolved. */
    snprintf(doc, sizeof(doc),
             "<?xml version=\"1.0\"?>\n<!DOCTYPE log [\n<!ENTITY xxe SYSTEM \"file://%s\">\n]>\n"
             "<log>\n<trace>\n<string key=\"concept:name\" value=\"&xxe;\"/>\n<event>\n"
             "<string key=\"concept:name\" value=\"&xxe;\"/>\n</event>\n</trace>\n</log>\n",
             secret_path);
    assert_int_equal(read_mem(ctx, doc, strlen(doc), "xxe.xes", NULL, NULL, &log, &err), AB_EPARSE);
    assert_contains(err.msg, "DOCTYPE with entity declarations is not accepted");
    assert_null(strstr(err.msg, secret));
    assert_int_equal(err.line, 3);

    /* A parameter entity pulling the file into the DTD. */
    snprintf(
        doc, sizeof(doc),
        "<?xml version=\"1.0\"?>\n<!DOCTYPE log [\n<!ENTITY %% p SYSTEM \"file://%s\">\n%%p;\n]>\n"
        "<log/>\n",
        secret_path);
    assert_int_equal(read_mem(ctx, doc, strlen(doc), "pe.xes", NULL, NULL, &log, &err), AB_EPARSE);
    assert_contains(err.msg, "DOCTYPE with entity declarations is not accepted");
    assert_null(strstr(err.msg, secret));

    /* An external DTD subset: a DOCTYPE without entity declarations is read, but the DTD
     * is never loaded. Were it loaded, its entity would expand to the secret. */
    char dtd[512];
    snprintf(dtd, sizeof(dtd), "<!ENTITY leak \"%s\">\n", secret);
    char dtd_path[256];
    snprintf(dtd_path, sizeof(dtd_path), "%s", tu_tmpfile(dtd, strlen(dtd), ".dtd"));
    snprintf(doc, sizeof(doc),
             "<?xml version=\"1.0\"?>\n<!DOCTYPE log SYSTEM \"file://%s\">\n<log>\n<trace>\n"
             "<string key=\"concept:name\" value=\"c1\"/>\n<event>\n"
             "<string key=\"concept:name\" value=\"A&leak;\"/>\n</event>\n</trace>\n</log>\n",
             dtd_path);
    int rc = read_mem(ctx, doc, strlen(doc), "dtd.xes", NULL, NULL, &log, &err);
    if (rc == AB_OK) {
        assert_false(contains_secret(log, secret));
        ab_log_destroy(log);
    } else {
        assert_int_equal(rc, AB_EPARSE);
        assert_null(strstr(err.msg, secret));
    }
    ab_ctx_destroy(ctx);
}

static void test_billion_laughs(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t len;
    char *text = slurp(tu_testdata("xes/billion_laughs.xes"), &len);
    ab_log *log;
    ab_error err;
    clock_t t0 = clock();
    assert_int_equal(read_mem(ctx, text, len, "lol.xes", NULL, NULL, &log, &err), AB_EPARSE);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
    assert_string_equal(err.msg, "DOCTYPE with entity declarations is not accepted (entity "
                                 "'lol'): expected an XES document without entity declarations");
    assert_int_equal(err.line, line_of(text, "<!ENTITY lol "));
    assert_true(err.has_offset);
    free(text);
    ab_ctx_destroy(ctx);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    const size_t levels = 200000;
    const char *head = "<?xml version=\"1.0\"?>\n<log>";
    const char *open = "<container key=\"k\">";
    size_t hl = strlen(head), ol = strlen(open);
    size_t len = hl + levels * ol;
    char *doc = malloc(len);
    assert_non_null(doc);
    memcpy(doc, head, hl);
    for (size_t i = 0; i < levels; i++) {
        memcpy(doc + hl + i * ol, open, ol);
    }
    ab_ctx *ctx = tu_ctx();
    size_t max_depth = ab_ctx_limits(ctx)->max_depth;
    ab_log *log;
    ab_error err;
    clock_t t0 = clock();
    assert_int_equal(read_mem(ctx, doc, len, "deep.xes", NULL, NULL, &log, &err), AB_ELIMIT);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
    char want[256];
    snprintf(want, sizeof(want), "elements nested deeper than %zu levels", max_depth);
    assert_contains(err.msg, want);
    assert_int_equal(err.line, 2);
    /* The element past the limit: <log> is level 1, so it is container number max_depth;
     * the position is the end of its start tag. */
    uint64_t end_of_tag = hl + max_depth * ol - 1;
    assert_int_equal(err.offset, end_of_tag);
    assert_int_equal(err.col, end_of_tag - (strlen("<?xml version=\"1.0\"?>\n")) + 1);
    free(doc);
    ab_ctx_destroy(ctx);
}

static void test_bad_timestamps(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t len;
    char *text = slurp(tu_testdata("xes/bad_timestamp.xes"), &len);
    ab_log *log;
    ab_error err;
    assert_int_equal(read_mem(ctx, text, len, "ts.xes", NULL, NULL, &log, &err), AB_OK);
    assert_int_equal(ab_log_event_count(log), 1);
    const ab_dq_entry *d = &ab_log_data_quality(log)->dropped[AB_DROP_BAD_TIMESTAMP];
    assert_int_equal(d->count, 2);
    uint64_t l2 = line_of(text, "value=\"B\"") - 1;
    uint64_t l3 = line_of(text, "value=\"C\"") - 1;
    assert_int_equal(d->lines[0], l2);
    assert_int_equal(d->lines[1], l3);
    ab_log_destroy(log);

    ab_log_options lo = AB_LOG_OPTIONS_INIT;
    lo.strict = 1;
    assert_int_equal(read_mem(ctx, text, len, "ts.xes", NULL, &lo, &log, &err), AB_EPARSE);
    assert_contains(err.msg, "unparsable time:timestamp");
    assert_contains(err.msg, "2011-02-30");
    assert_string_equal(err.source, "ts.xes");
    assert_int_equal(err.line, l2);
    free(text);
    ab_ctx_destroy(ctx);
}

static void test_empty_binary_missing(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_log *log;
    ab_error err;
    /* Empty file. */
    const char *p = tu_tmpfile("", 0, ".xes");
    assert_int_equal(read_path(ctx, p, NULL, NULL, &log, &err), AB_EPARSE);
    assert_string_equal(err.msg,
                        "empty input: expected an XES document (<?xml ...?> and a <log> element)");
    assert_string_equal(err.source, p);
    assert_true(err.has_offset);
    assert_int_equal(err.offset, 0);
    /* White space only. */
    assert_int_equal(read_mem(ctx, "\n  \n", 4, "ws.xes", NULL, NULL, &log, &err), AB_EPARSE);
    assert_contains(err.msg, "no content (only white space)");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 1);
    /* Binary. */
    const unsigned char bin[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D};
    p = tu_tmpfile(bin, sizeof(bin), ".xes");
    assert_int_equal(read_path(ctx, p, NULL, NULL, &log, &err), AB_EPARSE);
    assert_string_equal(err.msg, "not an XML document (byte 0x89, binary data?): expected an XES "
                                 "document starting with '<?xml' or '<log>'");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 1);
    assert_int_equal(err.offset, 0);
    /* Text that is not XML. */
    assert_int_equal(read_mem(ctx, "case,activity\n", 14, "x.csv", NULL, NULL, &log, &err),
                     AB_EPARSE);
    assert_contains(err.msg, "not an XML document (byte 0x63)");
    /* A document without a <log>. */
    assert_int_equal(
        read_mem(ctx, "<?xml version=\"1.0\"?>\n", 22, "nolog.xes", NULL, NULL, &log, &err),
        AB_EPARSE);
    assert_string_equal(err.msg, "no <log> element: expected an XES document (a <log> root "
                                 "element)");
    /* Missing file. */
    ab_input *in;
    assert_int_equal(ab_input_open(&in, ctx, "/nonexistent/dir/log.xes", &err), AB_EIO);
    assert_contains(err.msg, "cannot open");
    assert_string_equal(err.source, "/nonexistent/dir/log.xes");
    ab_ctx_destroy(ctx);
}

static void test_structure_errors(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t len;
    ab_log *log;
    ab_error err;
    char *text = slurp(tu_testdata("xes/wrong_root.xes"), &len);
    assert_int_equal(read_mem(ctx, text, len, "w.xes", NULL, NULL, &log, &err), AB_EPARSE);
    assert_string_equal(err.msg,
                        "the root element is <trace>: expected <log> (an XES document, IEEE 1849)");
    assert_int_equal(err.line, 2);
    free(text);

    text = slurp(tu_testdata("xes/bad_int.xes"), &len);
    assert_int_equal(read_mem(ctx, text, len, "i.xes", NULL, NULL, &log, &err), AB_EPARSE);
    assert_string_equal(err.msg, "bad value '12a' for key 'amount': expected an integer (xs:long)");
    assert_int_equal(err.line, line_of(text, "12a"));
    free(text);

    const char *cases[][2] = {
        {"<log><trace><event><event/></event></trace></log>", "unexpected <event> inside <event>"},
        {"<log><trace><trace/></trace></log>", "unexpected <trace> inside <trace>"},
        {"<log><trace><string value=\"x\"/></trace></log>", "<string> without a key"},
        {"<log><trace><int key=\"n\"/></trace></log>", "<int key=\"n\"> without a value"},
        {"<log><trace><float key=\"f\" value=\"1,5\"/></trace></log>", "expected a number"},
        {"<log><trace><boolean key=\"b\" value=\"yes\"/></trace></log>", "expected true or false"},
        {"<log><trace><date key=\"d\" value=\"01/02/2020\"/></trace></log>", "bad <date> value"},
        {"<log><trace><int key=\"n\" value=\"99999999999999999999\"/></trace></log>",
         "expected an integer"},
        {"<log><log/></log>", "unexpected <log> inside <log>"},
        {"<log></log><log></log>", "malformed XML"},
        {"<log><trace></event></trace></log>", "malformed XML"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = read_mem(ctx, cases[i][0], strlen(cases[i][0]), "s.xes", NULL, NULL, &log, &err);
        if (rc != AB_EPARSE || strstr(err.msg, cases[i][1]) == NULL) {
            fail_msg("case %zu: rc %d, '%s' (expected '%s')", i, rc, err.msg, cases[i][1]);
        }
        assert_int_equal(err.line, 1);
        assert_true(err.has_offset);
    }
    ab_ctx_destroy(ctx);
}

static void test_events_outside_traces(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t len;
    char *text = slurp(tu_testdata("xes/outside_events.xes"), &len);
    ab_log *log;
    ab_error err;
    assert_int_equal(read_mem(ctx, text, len, "o.xes", NULL, NULL, &log, &err), AB_OK);
    assert_int_equal(ab_log_event_count(log), 1);
    const ab_dq_entry *d = &ab_log_data_quality(log)->dropped[AB_DROP_MISSING_CASE];
    assert_int_equal(d->count, 2);
    assert_int_equal(d->lines[0], 3);
    ab_log_destroy(log);
    ab_log_options lo = AB_LOG_OPTIONS_INIT;
    lo.strict = 1;
    assert_int_equal(read_mem(ctx, text, len, "o.xes", NULL, &lo, &log, &err), AB_EPARSE);
    assert_contains(err.msg, "outside any <trace>");
    assert_int_equal(err.line, 3);
    free(text);
    ab_ctx_destroy(ctx);
}

/* A document of several chunks: values across chunk boundaries, entities everywhere, and
 * an error position far into the input. */
static void test_many_chunks(void **state)
{
    (void)state;
    const size_t traces = 3000;
    size_t cap = traces * 1200 + 1024, o = 0;
    char *doc = malloc(cap);
    assert_non_null(doc);
    o += (size_t)snprintf(doc + o, cap - o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<log>\n");
    for (size_t t = 0; t < traces; t++) {
        o += (size_t)snprintf(doc + o, cap - o,
                              "<trace>\n<string key=\"concept:name\" value=\"case &amp; %zu\"/>\n",
                              t);
        for (int e = 0; e < 3; e++) {
            o += (size_t)snprintf(
                doc + o, cap - o,
                "<event>\n<string key=\"concept:name\" value=\"act &lt;%d&gt; &#233;&amp;\"/>\n"
                "<date key=\"time:timestamp\" value=\"2020-01-01T00:00:%02d.000+00:00\"/>\n"
                "<string key=\"note\" value=\"%0120d\"/>\n</event>\n",
                e, e, e);
        }
        o += (size_t)snprintf(doc + o, cap - o, "</trace>\n");
    }
    o += (size_t)snprintf(doc + o, cap - o, "</log>\n");
    assert_true(o > 4 * 256 * 1024);
    ab_ctx *ctx = tu_ctx();
    ab_log *log;
    ab_error err;
    int rc = read_mem(ctx, doc, o, "big.xes", NULL, NULL, &log, &err);
    if (rc != AB_OK) {
        fail_msg("%s:%llu:%llu: %s", err.source, (unsigned long long)err.line,
                 (unsigned long long)err.col, err.msg);
    }
    assert_int_equal(ab_log_case_count(log), traces);
    assert_int_equal(ab_log_event_count(log), traces * 3);
    assert_int_equal(ab_log_activity_count(log), 3);
    /* Same first times: cases in byte order of their ids. */
    assert_string_equal(ab_log_case_id(log, traces - 1), "case & 999");
    uint32_t id;
    assert_int_equal(
        ab_log_activity_find(log, "act <1> \xC3\xA9&", strlen("act <1> \xC3\xA9&"), &id), AB_OK);
    ab_log_destroy(log);
    /* The same through gzip. */
    size_t glen;
    unsigned char *gz = gzip_mem(doc, o, &glen);
    assert_int_equal(read_mem(ctx, gz, glen, "big.xes.gz", NULL, NULL, &log, &err), AB_OK);
    assert_int_equal(ab_log_event_count(log), traces * 3);
    ab_log_destroy(log);
    /* Truncated gzip past the first chunks: the offset is where the inflated data stops. */
    assert_int_equal(read_mem(ctx, gz, glen / 2, "big.xes.gz", NULL, NULL, &log, &err), AB_EPARSE);
    assert_contains(err.msg, "truncated gzip stream");
    assert_true(err.has_offset);
    assert_true(err.offset > 256 * 1024 && err.offset < o);
    free(gz);
    /* A bad byte deep inside: exact line, column and offset. */
    char *bad = strstr(doc + o * 3 / 4, "act &lt;");
    assert_non_null(bad);
    bad[3] = (char)0xFF;
    uint64_t want_off = (uint64_t)(bad + 3 - doc), want_line = 1;
    for (const char *q = doc; q < bad; q++) {
        want_line += *q == '\n';
    }
    const char *ls = bad;
    while (ls[-1] != '\n') {
        ls--;
    }
    assert_int_equal(read_mem(ctx, doc, o, "big.xes", NULL, NULL, &log, &err), AB_EPARSE);
    assert_contains(err.msg, "invalid UTF-8");
    assert_int_equal(err.line, want_line);
    assert_int_equal(err.col, (uint64_t)(bad + 3 - ls) + 1);
    assert_int_equal(err.offset, want_off);
    free(doc);
    ab_ctx_destroy(ctx);
}

/* ---- Fault injection. ---- */

static void fault_run(const void *data, size_t len, const char *name)
{
    int succeeded = 0;
    uint64_t n = 1;
    for (; n < 100000 && !succeeded; n++) {
        tu_alloc a = {0, n, 0, 0};
        ab_ctx *ctx = tu_ctx_counting(&a);
        ab_log *log = NULL;
        ab_error err;
        int rc = read_mem(ctx, data, len, name, NULL, NULL, &log, &err);
        if (rc == AB_OK) {
            assert_non_null(log);
            ab_log_destroy(log);
        }
        ab_ctx_destroy(ctx);
        if (a.failed == 0) {
            assert_int_equal(rc, AB_OK);
            succeeded = 1;
        } else if (rc != AB_ENOMEM) {
            fail_msg("%s: allocation %llu failed, got %d (%s), expected AB_ENOMEM", name,
                     (unsigned long long)n, rc, err.msg);
        }
        if (a.live != 0) {
            fail_msg("%s: allocation %llu failed: %lld blocks leaked", name, (unsigned long long)n,
                     (long long)a.live);
        }
    }
    assert_true(succeeded);
    /* Reader, input and builder allocate at many points: a run that never
     * failed one would test nothing. */
    assert_true(n > 10);
}

static void test_fault_injection(void **state)
{
    (void)state;
    size_t len, glen;
    char *text = slurp(tu_testdata("xes/all_types.xes"), &len);
    fault_run(text, len, "all_types.xes");
    unsigned char *gz = gzip_mem(text, len, &glen);
    fault_run(gz, glen, "all_types.xes.gz");
    free(gz);
    free(text);
    text = slurp(tu_testdata("xes/bad_timestamp.xes"), &len);
    fault_run(text, len, "bad_timestamp.xes");
    free(text);
}

/* ---- Detection and arguments. ---- */

static void test_detect(void **state)
{
    (void)state;
    assert_true(ab_xes_detect("<?xml version=\"1.0\"?><log/>", 26));
    assert_true(ab_xes_detect("\xEF\xBB\xBF\n  <log>", 11));
    assert_true(ab_xes_detect("<!-- c --><log/>", 16));
    assert_true(ab_xes_detect("\xFF\xFE<\0?\0", 6));
    assert_false(ab_xes_detect("case,activity\n", 14));
    assert_false(ab_xes_detect("", 0));
    assert_false(ab_xes_detect("<html>", 6));
    assert_false(ab_xes_detect(NULL, 0));

    ab_ctx *ctx = tu_ctx();
    ab_error err;
    assert_int_equal(ab_xes_read(NULL, NULL, NULL, &err), AB_EINVAL);
    ab_ctx_destroy(ctx);
}

/* ---- The reader's fast path and its general path agree. ---- */

typedef struct spell_buf {
    char *p;
    size_t len, cap;
} spell_buf;

static void sb_add(spell_buf *b, const char *fmt, ...) AB__PRINTF(2, 3);
static void sb_add(spell_buf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)n + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
}

/* One attribute element in one of three spellings: key first (the fast
 * path), value first, or with a foreign attribute (both the general path). */
static void spell(spell_buf *b, int how, const char *type, const char *key, const char *value,
                  const char *children)
{
    const char *close = children != NULL ? ">" : "/>";
    switch (how) {
    case 0:
        sb_add(b, "<%s key=\"%s\" value=\"%s\"%s", type, key, value, close);
        break;
    case 1:
        sb_add(b, "<%s value=\"%s\" key=\"%s\"%s", type, value, key, close);
        break;
    default:
        sb_add(b, "<%s key=\"%s\" value=\"%s\" origin=\"x\"%s", type, key, value, close);
        break;
    }
    if (children != NULL) {
        sb_add(b, "%s</%s>", children, type);
    }
    sb_add(b, "\n");
}

/* A log of random events, every attribute element spelt as `how` says (-1: at random). */
static char *spelt_log(int how, size_t *len_out)
{
    static const char *const acts[] = {"A_SUBMITTED", "W_Completeren aanvraag", "R&amp;D review",
                                       "O_SENT"};
    static const char *const stamps[] = {
        "2011-10-01T00:38:44.546+02:00", "2011-10-01T00:38:44Z", "2011-10-01 00:38:44.5",
        "2011-10-01t00:38:44-05:30",     "2011-10-01T00:38:44",  " 2011-10-01T00:38:44.123456789+01:00 ",
    };
    static const char *const lcs[] = {"complete", "COMPLETE", "start", "review"};
    spell_buf b = {malloc(1024), 0, 1024};
    assert_non_null(b.p);
    uint64_t rng = 7;
    sb_add(&b, "<?xml version=\"1.0\"?>\n<log xes.version=\"1.0\">\n");
    for (int t = 0; t < 40; t++) {
        sb_add(&b, "<trace>\n<string key=\"concept:name\" value=\"case %d\"/>\n", t);
        for (int e = 0; e < 8; e++) {
            sb_add(&b, "<event>\n");
            for (int a = 0; a < 12; a++) {
                rng = rng * 6364136223846793005ull + 1442695040888963407ull;
                unsigned r = (unsigned)(rng >> 33);
                int h = how >= 0 ? how : (int)(r % 3);
                char v[64];
                switch (a) {
                case 0:
                    spell(&b, h, "string", "concept:name", acts[r % 4], NULL);
                    break;
                case 1:
                    spell(&b, h, "date", "time:timestamp", stamps[(r >> 3) % 6], NULL);
                    break;
                case 2:
                    if (r % 5 != 0) {
                        snprintf(v, sizeof(v), "res%u", (r >> 4) % 3);
                        spell(&b, h, "string", "org:resource", v, NULL);
                    }
                    break;
                case 3:
                    spell(&b, h, "string", "lifecycle:transition", lcs[(r >> 5) % 4], NULL);
                    break;
                case 4:
                    snprintf(v, sizeof(v), "%d", (int)(r % 2001) - 1000);
                    spell(&b, h, "int", "n", v, NULL);
                    break;
                case 5:
                    snprintf(v, sizeof(v), "%u.%02u", r % 100, (r >> 7) % 100);
                    spell(&b, h, "float", "f", v, NULL);
                    break;
                case 6:
                    spell(&b, h, "boolean", "b", r % 2 ? "true" : "false", NULL);
                    break;
                case 7:
                    spell(&b, h, "id", "uid", r % 3 ? "00835b2f-48e8-4a86-93e1-025f125780b6" : "id&amp;1",
                          NULL);
                    break;
                case 8:
                    spell(&b, h, "date", "due", "2011-10-03T00:38:55.694+02:00", NULL);
                    break;
                case 9:
                    /* XES 1.0 meta-attributes under a plain string. */
                    snprintf(v, sizeof(v), "note %u", r % 7);
                    spell(&b, h, "string", "note", v,
                          r % 2 ? "<int key=\"meta\" value=\"3\"/><string key=\"by\" value=\"x\"/>"
                                : NULL);
                    break;
                case 10:
                    if (r % 4 == 0) {
                        spell(&b, h, "string", "time:timestamp", "not a time", NULL);
                    }
                    break;
                default:
                    spell(&b, h, "string", "", "empty key", NULL);
                    break;
                }
            }
            sb_add(&b, "</event>\n");
        }
        sb_add(&b, "</trace>\n");
    }
    sb_add(&b, "</log>\n");
    *len_out = b.len;
    return b.p;
}

static int visit_dump(const char *key, const ab_value *v, int depth, void *payload)
{
    spell_buf *b = payload;
    sb_add(b, "[%d %s %d ", depth, key, (int)v->type);
    switch (v->type) {
    case AB_ATTR_STRING:
    case AB_ATTR_ID:
        sb_add(b, "'%.*s'", (int)v->u.s.len, v->u.s.ptr);
        break;
    case AB_ATTR_INT:
        sb_add(b, "%lld", (long long)v->u.i);
        break;
    case AB_ATTR_FLOAT:
        sb_add(b, "%.17g", v->u.f);
        break;
    case AB_ATTR_BOOLEAN:
        sb_add(b, "%d", v->u.b);
        break;
    case AB_ATTR_DATE:
        sb_add(b, "%lld", (long long)v->u.t);
        break;
    default:
        break;
    }
    sb_add(b, "]");
    return 0;
}

/* Everything a log says about its events and their drops, as text. */
static char *dump_log(const ab_log *log)
{
    spell_buf b = {malloc(1024), 0, 1024};
    assert_non_null(b.p);
    const ab_data_quality *dq = ab_log_data_quality(log);
    sb_add(&b, "events %llu cases %u records %llu\n", (unsigned long long)ab_log_event_count(log),
           ab_log_case_count(log), (unsigned long long)dq->records);
    for (int k = 0; k < AB_DROP__COUNT; k++) {
        sb_add(&b, "drop %d: %llu\n", k, (unsigned long long)dq->dropped[k].count);
    }
    const uint32_t *act = ab_log_col_activity(log), *res = ab_log_col_resource(log);
    const ab_time *ts = ab_log_col_time(log);
    const uint8_t *lc = ab_log_col_lifecycle(log);
    for (uint64_t e = 0; e < ab_log_event_count(log); e++) {
        sb_add(&b, "%s|%lld|%s|%d|", ab_log_activity_name(log, act[e]), (long long)ts[e],
               res[e] == UINT32_MAX ? "-" : ab_log_resource_name(log, res[e]), lc[e]);
        assert_int_equal(ab_log_event_attrs_visit(log, e, visit_dump, &b), 0);
        sb_add(&b, "\n");
    }
    return b.p;
}

/*
 * Attribute elements written key first take the reader's fast path; written
 * value first, or with one more XML attribute, they take the general one.
 * The three spellings, and a mix of them, must give the same log: standard
 * fields, timestamps of every shape, entities, typed values, nested
 * meta-attributes, empty keys and unparsable timestamps alike.
 */
static void test_attr_spellings_agree(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    char *want = NULL;
    for (int how = 0; how <= 3; how++) {
        size_t len;
        char *xml = spelt_log(how == 3 ? -1 : how, &len);
        ab_log *log;
        ab_error err;
        assert_int_equal(read_mem(ctx, xml, len, "spelt.xes", NULL, NULL, &log, &err), AB_OK);
        char *got = dump_log(log);
        if (want == NULL) {
            want = got;
            /* The log exercises what it should: kept events, drops, nested attributes. */
            assert_true(ab_log_event_count(log) > 200);
            assert_true(ab_log_data_quality(log)->dropped[AB_DROP_BAD_TIMESTAMP].count > 10);
            assert_non_null(strstr(want, "[1 meta 2 3]"));
            assert_non_null(strstr(want, "R&D review"));
            assert_non_null(strstr(want, "'id&1'"));
        } else {
            if (strcmp(want, got) != 0) {
                fail_msg("spelling %d reads differently", how);
            }
            free(got);
        }
        ab_log_destroy(log);
        free(xml);
    }
    free(want);
    ab_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_logs_match_pm4py),
        cmocka_unit_test(test_xes_and_csv_agree),
        cmocka_unit_test(test_all_attribute_types),
        cmocka_unit_test(test_key_memo),
        cmocka_unit_test(test_classifiers),
        cmocka_unit_test(test_classifier_on_real_log),
        cmocka_unit_test(test_unclosed_xml),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_truncated_and_corrupt_gzip),
        cmocka_unit_test(test_external_entities_never_read),
        cmocka_unit_test(test_billion_laughs),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_bad_timestamps),
        cmocka_unit_test(test_empty_binary_missing),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_events_outside_traces),
        cmocka_unit_test(test_many_chunks),
        cmocka_unit_test(test_fault_injection),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_attr_spellings_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
