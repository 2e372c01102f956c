/*
 * tests/test_csv.c: the CSV reader and sniffer. The shared real logs must
 * give PM4Py's numbers (read from the expected JSON at run time); small
 * fixtures imitate each exporter's header; broken inputs expect the exact
 * message and position; allocation failures are injected one by one.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "asbuilt/csv.h"
#include "asbuilt/log.h"
#include "csv/csv_int.h"

/* ---- Helpers. ---- */

static int read_input(ab_ctx *ctx, ab_input *in, const ab_csv_options *co,
                      const ab_log_options *lo, ab_log **out, ab_error *err)
{
    ab_log_builder *b = NULL;
    *out = NULL;
    int rc = ab_log_builder_create(&b, ctx, lo);
    if (rc != AB_OK) {
        return rc;
    }
    rc = ab_csv_read(b, in, co, err);
    if (rc != AB_OK) {
        ab_log_builder_destroy(b);
        return rc;
    }
    return ab_log_builder_finish(b, out, err);
}

static int read_mem(ab_ctx *ctx, const char *data, size_t len, const ab_csv_options *co,
                    const ab_log_options *lo, ab_log **out, ab_error *err)
{
    ab_input *in = NULL;
    *out = NULL;
    int rc = ab_input_open_memory(&in, ctx, data, len, "mem.csv", err);
    if (rc != AB_OK) {
        return rc;
    }
    rc = read_input(ctx, in, co, lo, out, err);
    ab_input_destroy(in);
    return rc;
}

static int read_path(ab_ctx *ctx, const char *path, const ab_csv_options *co,
                     const ab_log_options *lo, ab_log **out, ab_error *err)
{
    ab_input *in = NULL;
    *out = NULL;
    int rc = ab_input_open(&in, ctx, path, err);
    if (rc != AB_OK) {
        return rc;
    }
    rc = read_input(ctx, in, co, lo, out, err);
    ab_input_destroy(in);
    return rc;
}

/* Reads text that must parse; prints the error otherwise. */
static ab_log *must_read(ab_ctx *ctx, const char *text, const ab_csv_options *co)
{
    ab_log *log = NULL;
    ab_error err;
    ab_error_clear(&err);
    int rc = read_mem(ctx, text, strlen(text), co, NULL, &log, &err);
    if (rc != AB_OK) {
        fprintf(stderr, "read failed: %d line %llu: %s\n", rc, (unsigned long long)err.line,
                err.msg);
    }
    assert_int_equal(rc, AB_OK);
    return log;
}

/* Reads text that must fail; returns the error. */
static ab_error must_fail(ab_ctx *ctx, const char *text, size_t len, const ab_csv_options *co,
                          const ab_log_options *lo, int code)
{
    ab_log *log = NULL;
    ab_error err;
    ab_error_clear(&err);
    int rc = read_mem(ctx, text, len, co, lo, &log, &err);
    if (rc != code) {
        fprintf(stderr, "expected %d, got %d: %s\n", code, rc, err.msg);
    }
    assert_int_equal(rc, code);
    assert_null(log);
    assert_int_equal(err.code, code);
    return err;
}

static int find_case(const ab_log *log, const char *id)
{
    for (uint32_t c = 0; c < ab_log_case_count(log); c++) {
        if (strcmp(ab_log_case_id(log, c), id) == 0) {
            return (int)c;
        }
    }
    return -1;
}

/* "a>b>c": the activities of a case in log order. */
static const char *case_trace(const ab_log *log, const char *id, char *buf, size_t cap)
{
    int c = find_case(log, id);
    assert_true(c >= 0);
    buf[0] = '\0';
    size_t len = 0;
    uint64_t first = ab_log_case_first(log, (uint32_t)c);
    for (uint32_t k = 0; k < ab_log_case_length(log, (uint32_t)c); k++) {
        const char *a = ab_log_activity_name(log, ab_log_col_activity(log)[first + k]);
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", k ? ">" : "", a);
    }
    return buf;
}

/* The event of case `id` at position k. */
static uint64_t case_event(const ab_log *log, const char *id, uint32_t k)
{
    int c = find_case(log, id);
    assert_true(c >= 0);
    assert_true(k < ab_log_case_length(log, (uint32_t)c));
    return ab_log_case_first(log, (uint32_t)c) + k;
}

static const char *event_str(const ab_log *log, uint64_t ev, const char *key)
{
    ab_value v;
    if (ab_log_event_attr(log, ev, key, &v) != AB_OK) {
        return NULL;
    }
    assert_int_equal(v.type, AB_ATTR_STRING);
    return v.u.s.ptr;
}

static char *slurp(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len_out = (size_t)n;
    return buf;
}

/* ---- A small reader for PM4Py's expected JSON (objects, strings, numbers). ---- */

static void put_utf8(char *out, size_t *o, uint32_t cp)
{
    if (cp < 0x80) {
        out[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*o)++] = (char)(0xC0 | (cp >> 6));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*o)++] = (char)(0xE0 | (cp >> 12));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*o)++] = (char)(0xF0 | (cp >> 18));
        out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* Decodes the JSON string at *p (at its opening quote) into out; advances *p. */
static size_t json_string(const char **p, char *out, size_t cap)
{
    const char *s = *p;
    assert_int_equal(*s, '"');
    s++;
    size_t o = 0;
    while (*s != '"') {
        assert_true(o + 4 < cap);
        if (*s != '\\') {
            out[o++] = *s++;
            continue;
        }
        s++;
        char e = *s++;
        switch (e) {
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'r': out[o++] = '\r'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'u': {
            uint32_t cp = (uint32_t)strtoul((char[]){s[0], s[1], s[2], s[3], 0}, NULL, 16);
            s += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && s[0] == '\\' && s[1] == 'u') {
                uint32_t lo = (uint32_t)strtoul((char[]){s[2], s[3], s[4], s[5], 0}, NULL, 16);
                s += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            put_utf8(out, &o, cp);
            break;
        }
        default: out[o++] = e; break;
        }
    }
    *p = s + 1;
    out[o] = '\0';
    return o;
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t') {
        s++;
    }
    return s;
}

/* The number after "key": inside the "log" object of the expected JSON. */
static long long json_log_number(const char *doc, const char *key)
{
    const char *log = strstr(doc, "\"log\": {");
    assert_non_null(log);
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\":", key);
    const char *k = strstr(log, pat);
    assert_non_null(k);
    return strtoll(k + strlen(pat), NULL, 10);
}

/* ---- PM4Py's numbers on the shared CSV logs. ---- */

static char *expected_for(const char *log_name)
{
    char rel[512];
    snprintf(rel, sizeof(rel), "expected/%s.json", log_name);
    size_t len;
    if (tu_exists(tu_shared(rel))) {
        return slurp(tu_shared(rel), &len);
    }
    /* Only a log+model file: its "log" section holds the same numbers. */
    char dir[512];
    snprintf(dir, sizeof(dir), "%s", tu_shared("expected"));
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    char *doc = NULL;
    size_t nlen = strlen(log_name);
    while (doc == NULL && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, log_name, nlen) == 0 && strncmp(e->d_name + nlen, "__", 2) == 0) {
            snprintf(rel, sizeof(rel), "expected/%s", e->d_name);
            doc = slurp(tu_shared(rel), &len);
        }
    }
    closedir(d);
    return doc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void check_against_pm4py(const char *name)
{
    char rel[512];
    snprintf(rel, sizeof(rel), "logs/%s", name);
    char *doc = expected_for(name);
    if (doc == NULL) {
        fprintf(stderr, "note: no expected JSON for %s\n", name);
        return;
    }
    ab_ctx *ctx = tu_ctx();
    ab_log *log = NULL;
    ab_error err;
    ab_error_clear(&err);
    int rc = read_path(ctx, tu_shared(rel), NULL, NULL, &log, &err);
    if (rc != AB_OK) {
        fprintf(stderr, "%s: %s\n", name, err.msg);
    }
    assert_int_equal(rc, AB_OK);
    fprintf(stderr, "%s: %u cases, %llu events, %u activities, %u variants\n", name,
            ab_log_case_count(log), (unsigned long long)ab_log_event_count(log),
            ab_log_activity_count(log), ab_log_variant_count(log));
    assert_int_equal(ab_log_case_count(log), json_log_number(doc, "cases"));
    assert_int_equal(ab_log_event_count(log), json_log_number(doc, "events"));
    assert_int_equal(ab_log_activity_count(log), json_log_number(doc, "activities"));
    assert_int_equal(ab_log_variant_count(log), json_log_number(doc, "variants"));

    const char *p = strstr(strstr(doc, "\"log\": {"), "\"activity_counts\": {");
    assert_non_null(p);
    p = skip_ws(strchr(p, '{') + 1);
    uint32_t seen = 0;
    while (*p == '"') {
        char act[1024];
        size_t alen = json_string(&p, act, sizeof(act));
        p = skip_ws(p);
        assert_int_equal(*p, ':');
        long long count = strtoll(p + 1, (char **)&p, 10);
        uint32_t id;
        if (ab_log_activity_find(log, act, alen, &id) != AB_OK) {
            fprintf(stderr, "%s: activity '%s' missing\n", name, act);
            fail();
        }
        assert_int_equal(ab_log_activity_events(log, id), count);
        seen++;
        p = skip_ws(p);
        if (*p == ',') {
            p = skip_ws(p + 1);
        }
    }
    assert_int_equal(seen, ab_log_activity_count(log));
    const ab_data_quality *dq = ab_log_data_quality(log);
    uint64_t dropped = 0;
    for (int r = 0; r < AB_DROP__COUNT; r++) {
        dropped += dq->dropped[r].count;
    }
    /* PM4Py warns when it removes rows; without the warning, nothing may be dropped. */
    if (strstr(doc, "have been removed because of empty") == NULL) {
        assert_int_equal(dropped, 0);
    } else {
        assert_true(dropped > 0);
    }
    assert_string_equal(ab_log_meta(log, "format"), "csv");
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
    free(doc);
}

static void test_shared_logs(void **state)
{
    (void)state;
    DIR *d = opendir(tu_shared("logs"));
    if (d == NULL) {
        fail_msg("reference logs not found at %s", tu_shared("logs"));
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64) {
        if (ends_with(e->d_name, ".csv") || ends_with(e->d_name, ".csv.gz")) {
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    /* Five CSV logs in the full shared set, three in the shipped subset. */
    assert_true(n >= 3);
    for (int i = 0; i < n; i++) {
        check_against_pm4py(names[i]);
        free(names[i]);
    }
}

/* The one row PM4Py drops in the hospital log has an empty ("") case id on line 214. */
static void test_hospital_drop(void **state)
{
    (void)state;
    const char *path = tu_shared("logs/eventdatar_hospital_billing.csv.gz");
    if (!tu_exists(path)) {
        skip();
    }
    ab_ctx *ctx = tu_ctx();
    ab_log *log = NULL;
    ab_error err;
    assert_int_equal(read_path(ctx, path, NULL, NULL, &log, &err), AB_OK);
    const ab_data_quality *dq = ab_log_data_quality(log);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_CASE].count, 1);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_CASE].lines[0], 214);
    assert_string_equal(ab_log_meta(log, "case_column"), "case_id");
    assert_string_equal(ab_log_meta(log, "timestamp_format"), "iso8601");
    ab_log_destroy(log);

    /* --strict turns that row into the error. */
    ab_log_options lo = AB_LOG_OPTIONS_INIT;
    lo.strict = 1;
    ab_error_clear(&err);
    assert_int_equal(read_path(ctx, path, NULL, &lo, &log, &err), AB_EPARSE);
    assert_int_equal(err.line, 214);
    assert_non_null(strstr(err.msg, "missing case id"));
    ab_ctx_destroy(ctx);
}

/* ---- RFC 4180. ---- */

/* "NA" and other pandas NA tokens are real ids in the case and activity
 * columns (the sepsis log has a patient case "NA"); only an empty field is
 * missing there. In the resource and time columns they still mean no value. */
static void test_na_ids(void **state)
{
    (void)state;
    const char *text = "case_id,activity,timestamp,resource\n"
                       "NA,A,2020-01-01T10:00:00Z,NA\n"
                       "NA,None,2020-01-01T11:00:00Z,ann\n"
                       "null,A,2020-01-02T10:00:00Z,bob\n"
                       ",A,2020-01-02T11:00:00Z,bob\n"
                       "2,,2020-01-02T12:00:00Z,bob\n"
                       "3,A,NaT,bob\n";
    ab_ctx *ctx = tu_ctx();
    ab_log *log = must_read(ctx, text, NULL);
    char buf[256];
    assert_int_equal(ab_log_case_count(log), 2);
    assert_string_equal(case_trace(log, "NA", buf, sizeof(buf)), "A>None");
    assert_string_equal(case_trace(log, "null", buf, sizeof(buf)), "A");
    const ab_data_quality *dq = ab_log_data_quality(log);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_CASE].count, 1);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_CASE].lines[0], 5);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_ACTIVITY].count, 1);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_TIMESTAMP].count, 1);
    assert_int_equal(ab_log_resource_count(log), 2);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_quoting(void **state)
{
    (void)state;
    const char *text =
        "case_id,activity,timestamp,note\r\n"
        "1,\"Check, then sign\",2020-01-01T10:00:00Z,\"say \"\"hi\"\"\"\r\n"
        "1,B,2020-01-01T11:00:00Z,\"two\r\nlines\"\r\n"
        "2,\"A\",2020-01-02T10:00:00Z,\"\"\r\n"
        "2,C,2020-01-02T11:00:00Z,\"x\"tail\r\n"
        "2,D,2020-01-02T12:00:00Z,\"lf\nonly\"\r\n"
        "3,E,2020-01-03T10:00:00Z\r\n";
    ab_ctx *ctx = tu_ctx();
    ab_log *log = must_read(ctx, text, NULL);
    char buf[256];
    assert_string_equal(case_trace(log, "1", buf, sizeof(buf)), "Check, then sign>B");
    assert_string_equal(case_trace(log, "2", buf, sizeof(buf)), "A>C>D");
    assert_string_equal(event_str(log, case_event(log, "1", 0), "note"), "say \"hi\"");
    assert_string_equal(event_str(log, case_event(log, "1", 1), "note"), "two\r\nlines");
    assert_null(event_str(log, case_event(log, "2", 0), "note"));
    assert_string_equal(event_str(log, case_event(log, "2", 1), "note"), "xtail");
    assert_string_equal(event_str(log, case_event(log, "2", 2), "note"), "lf\nonly");
    /* The ragged last row is reported on its physical line: records 3 and 6 span two lines. */
    const ab_data_quality *dq = ab_log_data_quality(log);
    assert_int_equal(dq->dropped[AB_DROP_RAGGED_ROW].count, 1);
    assert_int_equal(dq->dropped[AB_DROP_RAGGED_ROW].lines[0], 9);
    ab_log_destroy(log);

    /* The last record may lack its line end, quoted or not. */
    log = must_read(ctx, "case_id,activity,timestamp\n1,A,2020-01-01\n1,\"B\",\"2020-01-02\"",
                    NULL);
    assert_string_equal(case_trace(log, "1", buf, sizeof(buf)), "A>B");
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_bom_and_line_ends(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_log *log = must_read(ctx, "\xEF\xBB\xBF" "case:concept:name,concept:name,time:timestamp\n"
                                 "1,A,2020-01-01\n1,B,2020-01-02\n", NULL);
    assert_string_equal(ab_log_meta(log, "case_column"), "case:concept:name");
    assert_string_equal(ab_log_meta(log, "encoding"), "UTF-8 with BOM");
    assert_int_equal(ab_log_event_count(log), 2);
    ab_log_destroy(log);

    /* Classic Mac OS line ends (CR only). */
    log = must_read(ctx, "case,activity,timestamp\r1,A,2020-01-01\r1,B,2020-01-02\r2,A,2020-01-03",
                    NULL);
    assert_int_equal(ab_log_case_count(log), 2);
    assert_int_equal(ab_log_event_count(log), 3);
    ab_log_destroy(log);

    /* Blank lines are skipped, as pandas does, and are not ragged rows. */
    log = must_read(ctx, "\n\ncase,activity,timestamp\n\n1,A,2020-01-01\r\n\r\n1,B,2020-01-02\n\n",
                    NULL);
    assert_int_equal(ab_log_event_count(log), 2);
    assert_int_equal(ab_log_data_quality(log)->dropped[AB_DROP_RAGGED_ROW].count, 0);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_delimiters(void **state)
{
    (void)state;
    static const char delims[] = {',', ';', '\t', '|'};
    static const char *const names[] = {",", ";", "tab", "|"};
    ab_ctx *ctx = tu_ctx();
    for (int k = 0; k < 4; k++) {
        char d = delims[k];
        /* The other candidates, unquoted in values: only the right one gives even rows. */
        char others[4];
        int n = 0;
        for (int j = 0; j < 4; j++) {
            if (j != k) {
                others[n++] = delims[j];
            }
        }
        others[n] = '\0';
        char text[1024];
        snprintf(text, sizeof(text),
                 "case_id%cactivity%ctimestamp%cnote\n"
                 "1%cA%c2020-01-01 10:00:00%c\"x%cy\"\n"
                 "1%cB%c2020-01-01 11:00:00%c%s\n"
                 "2%cA%c2020-01-02 10:00:00%c%s%s\n",
                 d, d, d, d, d, d, d, d, d, d, others, d, d, d, others, others);
        ab_log *log = must_read(ctx, text, NULL);
        char buf[128];
        assert_string_equal(ab_log_meta(log, "delimiter"), names[k]);
        assert_int_equal(ab_log_case_count(log), 2);
        assert_int_equal(ab_log_data_quality(log)->dropped[AB_DROP_RAGGED_ROW].count, 0);
        assert_string_equal(case_trace(log, "1", buf, sizeof(buf)), "A>B");
        char xy[4] = {'x', d, 'y', '\0'};
        assert_string_equal(event_str(log, case_event(log, "1", 0), "note"), xy);
        assert_string_equal(event_str(log, case_event(log, "1", 1), "note"), others);
        ab_log_destroy(log);
    }
    ab_ctx_destroy(ctx);
}

/* ---- Rows in any order. ---- */

static void test_shuffled(void **state)
{
    (void)state;
    const char *path = tu_shared("logs/pm4py_running-example.csv");
    if (!tu_exists(path)) {
        skip();
    }
    size_t len;
    char *text = slurp(path, &len);
    /* Split into lines (this file has no quoted line breaks) and shuffle the data lines. */
    char *lines[256];
    int n = 0;
    for (char *s = strtok(text, "\n"); s != NULL && n < 256; s = strtok(NULL, "\n")) {
        lines[n++] = s;
    }
    uint64_t seed = 42;
    for (int i = n - 1; i > 1; i--) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int j = 1 + (int)((seed >> 33) % (uint64_t)i);
        char *t = lines[i];
        lines[i] = lines[j];
        lines[j] = t;
    }
    char *shuffled = malloc(len + 2);
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        o += (size_t)sprintf(shuffled + o, "%s\n", lines[i]);
    }
    ab_ctx *ctx = tu_ctx();
    ab_log *a = NULL, *b = NULL;
    ab_error err;
    assert_int_equal(read_path(ctx, path, NULL, NULL, &a, &err), AB_OK);
    assert_int_equal(read_mem(ctx, shuffled, o, NULL, NULL, &b, &err), AB_OK);
    assert_int_equal(ab_log_case_count(a), ab_log_case_count(b));
    assert_int_equal(ab_log_event_count(a), ab_log_event_count(b));
    assert_int_equal(ab_log_variant_count(a), ab_log_variant_count(b));
    int moved = 0;
    for (uint32_t c = 0; c < ab_log_case_count(a); c++) {
        char ta[1024], tb[1024];
        const char *id = ab_log_case_id(a, c);
        assert_string_equal(case_trace(a, id, ta, sizeof(ta)), case_trace(b, id, tb, sizeof(tb)));
        moved += strcmp(ab_log_case_id(b, c), id) != 0;
    }
    assert_int_equal(moved, 0); /* Cases are in canonical order, whatever the row order. */
    ab_log_destroy(a);
    ab_log_destroy(b);
    ab_ctx_destroy(ctx);
    free(shuffled);
    free(text);
}

/* ---- Export styles. ---- */

typedef struct style_case {
    const char *file;
    char delim;
    const char *cols[6];  /* case, activity, timestamp, start, resource, lifecycle (NULL = none). */
    const char *ts_format;
    uint32_t cases;
    uint64_t events;
    const char *case_id;  /* A case and its trace. */
    const char *trace;
    int y, mo, d, h, mi, s; /* Time of that case's first event, UTC. */
} style_case;

static const style_case styles[] = {
    {"disco.csv", ',',
     {"Case ID", "Activity", "Complete Timestamp", "Start Timestamp", "Resource", NULL},
     "ymd", 2, 4, "c1", "Register>Check>Decide", 2010, 12, 30, 11, 5, 0},
    {"celonis.csv", ';', {"_CASE_KEY", "ACTIVITY_EN", "EVENTTIME", NULL, "USER_NAME", NULL},
     "dmy", 2, 4, "4711", "Create Purchase Order>Approve Purchase Order>Send Purchase Order",
     2020, 3, 25, 14, 0, 0},
    {"bupar.csv", ',', {"case_id", "activity", "timestamp", NULL, "resource", "lifecycle"},
     "iso8601", 2, 3, "A", "NEW>FIN", 2012, 12, 16, 19, 33, 10},
    {"simod.csv", ',', {"case_id", "activity", "end_time", "start_time", "resource", NULL},
     "iso8601", 2, 3, "1", "A", 2024, 8, 5, 9, 45, 0},
    {"pm4py_index.csv", ',',
     {"case:concept:name", "concept:name", "time:timestamp", NULL, "org:resource",
      "lifecycle:transition"},
     "iso8601", 2, 3, "3", "register request>examine casually", 2010, 12, 30, 13, 32, 0},
    {"prom_tab.csv", '\t', {"Case", "Event", "Timestamp", NULL, "User", "lifecycle"}, "epoch", 2,
     3, "1", "start case>start case", 2020, 1, 1, 0, 0, 0},
    {"pipe_mdy.csv", '|',
     {"CaseID", "activity_name", "end_timestamp", "start_timestamp", "user", NULL}, "mdy", 1, 2,
     "X-1", "Pack>Ship", 2021, 3, 15, 22, 0, 0},
};

static void test_export_styles(void **state)
{
    (void)state;
    static const char *const meta_keys[6] = {"case_column",  "activity_column",
                                             "timestamp_column", "start_column",
                                             "resource_column", "lifecycle_column"};
    ab_ctx *ctx = tu_ctx();
    for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
        const style_case *sc = &styles[i];
        char rel[128];
        snprintf(rel, sizeof(rel), "csv/%s", sc->file);
        const char *path = tu_testdata(rel);

        ab_input *in = NULL;
        ab_error err;
        ab_csv_dialect *d = malloc(sizeof(*d));
        assert_int_equal(ab_input_open(&in, ctx, path, &err), AB_OK);
        int rc = ab_csv_sniff(d, in, NULL, &err);
        if (rc != AB_OK) {
            fprintf(stderr, "%s: %s\n", sc->file, err.msg);
        }
        assert_int_equal(rc, AB_OK);
        assert_int_equal(d->delimiter, sc->delim);
        int idx[6] = {d->case_idx, d->activity_idx, d->timestamp_idx,
                      d->start_idx, d->resource_idx, d->lifecycle_idx};
        for (int r = 0; r < 6; r++) {
            if (sc->cols[r] == NULL) {
                assert_int_equal(idx[r], -1);
            } else {
                assert_true(idx[r] >= 0);
                assert_string_equal(d->names[idx[r]], sc->cols[r]);
                assert_int_equal(d->roles[idx[r]], AB_CSV_ROLE_CASE + r);
            }
        }
        char fmt[64];
        ab_ts_format_name(&d->ts_format, fmt, sizeof(fmt));
        assert_string_equal(fmt, sc->ts_format);
        assert_false(d->ts_ambiguous);
        assert_int_equal(d->ts_unparsed, 0);
        /* Sniffing only peeks: the reader still sees the whole file. */
        ab_log *log = NULL;
        rc = read_input(ctx, in, NULL, NULL, &log, &err);
        if (rc != AB_OK) {
            fprintf(stderr, "%s: %s\n", sc->file, err.msg);
        }
        assert_int_equal(rc, AB_OK);
        ab_input_destroy(in);
        for (int r = 0; r < 6; r++) {
            const char *m = ab_log_meta(log, meta_keys[r]);
            if (sc->cols[r] == NULL) {
                assert_null(m);
            } else {
                assert_string_equal(m, sc->cols[r]);
            }
        }
        assert_string_equal(ab_log_meta(log, "timestamp_format"), sc->ts_format);
        assert_int_equal(ab_log_case_count(log), sc->cases);
        assert_int_equal(ab_log_event_count(log), sc->events);
        char buf[512];
        assert_string_equal(case_trace(log, sc->case_id, buf, sizeof(buf)), sc->trace);
        assert_int_equal(ab_log_col_time(log)[case_event(log, sc->case_id, 0)],
                         ab_time_from_civil(sc->y, sc->mo, sc->d, sc->h, sc->mi, sc->s, 0));
        ab_log_destroy(log);
        free(d);
    }
    ab_ctx_destroy(ctx);
}

static void test_style_details(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_log *log = NULL;
    ab_error err;
    /* PM4Py frame with a pandas index, a case attribute and two "Activity" columns. */
    assert_int_equal(read_path(ctx, tu_testdata("csv/pm4py_index.csv"), NULL, NULL, &log, &err),
                     AB_OK);
    ab_value v;
    int c3 = find_case(log, "3");
    assert_int_equal(ab_log_case_attr(log, (uint32_t)c3, "creator", &v), AB_OK);
    assert_string_equal(v.u.s.ptr, "Fluxicon Nitro");
    uint64_t e = case_event(log, "3", 0);
    assert_string_equal(event_str(log, e, "Activity"), "Register");
    assert_null(event_str(log, e, "")); /* The index column is not an attribute. */
    assert_string_equal(ab_log_resource_name(log, ab_log_col_resource(log)[e]), "Pete");
    assert_int_equal(ab_log_col_lifecycle(log)[e], AB_LC_COMPLETE);
    ab_log_destroy(log);

    /* bupaR: NA is missing (no resource; the row without time is dropped). */
    assert_int_equal(read_path(ctx, tu_testdata("csv/bupar.csv"), NULL, NULL, &log, &err), AB_OK);
    const ab_data_quality *dq = ab_log_data_quality(log);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_TIMESTAMP].count, 1);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_TIMESTAMP].lines[0], 5);
    assert_int_equal(ab_log_col_resource(log)[case_event(log, "A", 1)], UINT32_MAX);
    assert_string_equal(event_str(log, case_event(log, "A", 1), ".order"), "2");
    ab_log_destroy(log);

    /* Disco: start timestamps go to the start column. */
    assert_int_equal(read_path(ctx, tu_testdata("csv/disco.csv"), NULL, NULL, &log, &err), AB_OK);
    assert_non_null(ab_log_col_start(log));
    assert_int_equal(ab_log_col_start(log)[case_event(log, "c1", 0)],
                     ab_time_from_civil(2010, 12, 30, 11, 2, 0, 0));
    assert_string_equal(event_str(log, case_event(log, "c1", 0), "Variant"), "Variant 1");
    assert_int_equal(ab_log_data_quality(log)->timestamps_coerced, 8);
    ab_log_destroy(log);

    /* Columns named by the caller win over recognition; a wrong name says what exists. */
    ab_csv_options co = AB_CSV_OPTIONS_INIT;
    co.activity_col = "activity";  /* ASCII case-insensitive match of "Activity". */
    co.resource_col = "";
    assert_int_equal(read_path(ctx, tu_testdata("csv/disco.csv"), &co, NULL, &log, &err), AB_OK);
    assert_null(ab_log_meta(log, "resource_column"));
    assert_string_equal(event_str(log, case_event(log, "c1", 0), "Resource"), "Pete");
    ab_log_destroy(log);
    co.activity_col = "Task";
    ab_error_clear(&err);
    assert_int_equal(read_path(ctx, tu_testdata("csv/disco.csv"), &co, NULL, &log, &err),
                     AB_ENOTFOUND);
    assert_string_equal(err.msg, "no column 'Task' (--activity) in the header: 'Case ID', "
                                 "'Activity', 'Resource', 'Start Timestamp', 'Complete "
                                 "Timestamp', 'Variant', 'Variant index'");
    ab_ctx_destroy(ctx);
}

static void test_roles_missing(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const char *text = "Ticket;What;When\n1;a;2020-01-01\n";
    ab_error err = must_fail(ctx, text, strlen(text), NULL, NULL, AB_ENOTFOUND);
    assert_string_equal(err.msg, "no case, activity or timestamp column recognised; name them with "
                                 "--case COLUMN --activity COLUMN --timestamp COLUMN. The header "
                                 "has 3 columns: 'Ticket', 'What', 'When'");
    assert_int_equal(err.line, 1);
    ab_csv_options co = AB_CSV_OPTIONS_INIT;
    co.case_col = "Ticket";
    co.activity_col = "What";
    co.timestamp_col = "When";
    ab_log *log = must_read(ctx, text, &co);
    assert_int_equal(ab_log_event_count(log), 1);
    ab_log_destroy(log);
    /* A log without timestamps keeps file order when asked to. */
    co.timestamp_col = "";
    log = must_read(ctx, "Ticket,What\n1,b\n1,a\n", &co);
    char buf[64];
    assert_string_equal(case_trace(log, "1", buf, sizeof(buf)), "b>a");
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

/* ---- Timestamps. ---- */

/* n rows of day-first dates with days <= 12, then (if late) one with day 25. */
static char *dayfirst_text(int n, int late, size_t *len_out)
{
    size_t cap = (size_t)n * 64 + 256;
    char *t = malloc(cap);
    *len_out = 0;
    if (t == NULL) {
        fail_msg("out of memory");
        return NULL;
    }
    size_t o = (size_t)sprintf(t, "case_id,activity,timestamp\n");
    for (int i = 0; i < n; i++) {
        o += (size_t)sprintf(t + o, "c%d,A,%02d/%02d/2020 10:%02d\n", i, 1 + i % 12,
                             1 + (i / 12) % 12, i % 60);
    }
    if (late) {
        o += (size_t)sprintf(t + o, "late,B,25/03/2020 10:00\n");
    }
    *len_out = o;
    return t;
}

static void test_dayfirst(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t len;
    /* 4000 rows (~100 KiB) fit both layouts; the last row says day-first. */
    char *text = dayfirst_text(4000, 1, &len);
    ab_log *log = NULL;
    ab_error err;
    ab_error_clear(&err);
    assert_int_equal(read_mem(ctx, text, len, NULL, NULL, &log, &err), AB_OK);
    assert_string_equal(ab_log_meta(log, "timestamp_format"), "dmy");
    assert_null(ab_log_meta(log, "timestamp_ambiguous"));
    /* Row c13: 02/02/2020 in both readings; row c1: 02/01 = 2 January. */
    assert_int_equal(ab_log_col_time(log)[case_event(log, "c1", 0)],
                     ab_time_from_civil(2020, 1, 2, 10, 1, 0, 0));
    assert_int_equal(ab_log_col_time(log)[case_event(log, "late", 0)],
                     ab_time_from_civil(2020, 3, 25, 10, 0, 0, 0));
    assert_int_equal(ab_log_event_count(log), 4001);
    ab_log_destroy(log);

    /* When the read-ahead ends first, the late value stops the read instead of a misreading. */
    ab_csv_options co = AB_CSV_OPTIONS_INIT;
    co.ts_probe_bytes = 16 << 10;
    err = must_fail(ctx, text, len, &co, NULL, AB_EPARSE);
    assert_string_equal(err.msg, "'25/03/2020 10:00' in the timestamp column 'timestamp' reads "
                                 "only as dmy, but earlier rows fitted both layouts and were read "
                                 "the other way; run again with --timestamp-format dmy");
    assert_int_equal(err.line, 4002);
    assert_int_equal(err.col, 8);
    assert_true(err.has_offset);
    assert_int_equal(err.offset, len - strlen("25/03/2020 10:00\n"));

    /* --timestamp-format settles it. */
    assert_int_equal(ab_ts_format_parse(&co.ts_format, "dmy", &err), AB_OK);
    assert_int_equal(read_mem(ctx, text, len, &co, NULL, &log, &err), AB_OK);
    assert_int_equal(ab_log_col_time(log)[case_event(log, "c1", 0)],
                     ab_time_from_civil(2020, 1, 2, 10, 1, 0, 0));
    ab_log_destroy(log);
    free(text);

    /* A file that never decides is read month-first and says so. */
    text = dayfirst_text(100, 0, &len);
    assert_int_equal(read_mem(ctx, text, len, NULL, NULL, &log, &err), AB_OK);
    assert_string_equal(ab_log_meta(log, "timestamp_format"), "mdy");
    assert_non_null(ab_log_meta(log, "timestamp_ambiguous"));
    assert_int_equal(ab_log_col_time(log)[case_event(log, "c1", 0)],
                     ab_time_from_civil(2020, 2, 1, 10, 1, 0, 0));
    ab_log_destroy(log);
    free(text);
    ab_ctx_destroy(ctx);
}

static void test_timestamp_drops_and_tz(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const char *text = "case,activity,timestamp\n"
                       "1,A,2020-01-01 10:00:00\n"
                       "1,B,\n"
                       "1,C,not a time\n"
                       ",D,2020-01-01 10:00:00\n"
                       "1,E,2020-01-01 12:00:00+01:00\n"
                       "1,,\n";
    ab_log *log = must_read(ctx, text, NULL);
    const ab_data_quality *dq = ab_log_data_quality(log);
    assert_int_equal(ab_log_event_count(log), 2);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_TIMESTAMP].count, 1);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_TIMESTAMP].lines[0], 3);
    assert_int_equal(dq->dropped[AB_DROP_BAD_TIMESTAMP].count, 1);
    assert_int_equal(dq->dropped[AB_DROP_BAD_TIMESTAMP].lines[0], 4);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_CASE].lines[0], 5);
    assert_int_equal(dq->dropped[AB_DROP_MISSING_ACTIVITY].lines[0], 7);
    assert_int_equal(dq->timestamps_coerced, 1);
    ab_log_destroy(log);

    /* --tz applies to times without a zone only. */
    ab_csv_options co = AB_CSV_OPTIONS_INIT;
    ab_tz *tz = NULL;
    ab_error err;
    assert_int_equal(ab_tz_load(&tz, ctx, "+02:00", &err), AB_OK);
    co.tz = tz;
    log = must_read(ctx, text, &co);
    assert_int_equal(ab_log_col_time(log)[case_event(log, "1", 0)],
                     ab_time_from_civil(2020, 1, 1, 8, 0, 0, 0));
    assert_int_equal(ab_log_col_time(log)[case_event(log, "1", 1)],
                     ab_time_from_civil(2020, 1, 1, 11, 0, 0, 0));
    ab_log_destroy(log);
    ab_tz_destroy(tz);

    /* --strict: the first unusable row is the error. */
    ab_log_options lo = AB_LOG_OPTIONS_INIT;
    lo.strict = 1;
    err = must_fail(ctx, text, strlen(text), NULL, &lo, AB_EPARSE);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.msg, "line 3: empty timestamp in column 'timestamp' (--strict)");
    const char *bad = "case,activity,timestamp\n1,A,2020-01-01\n1,C,31/31/2020\n";
    err = must_fail(ctx, bad, strlen(bad), NULL, &lo, AB_EPARSE);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.msg, "line 3: unparsable timestamp '31/31/2020' in column "
                                 "'timestamp' (expected iso8601) (--strict)");
    ab_ctx_destroy(ctx);
}

/* ---- Broken input: exact messages and positions. ---- */

static void test_broken(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_error err = must_fail(ctx, "", 0, NULL, NULL, AB_EPARSE);
    assert_string_equal(err.msg, "empty file: expected a CSV header line");
    assert_string_equal(err.source, "mem.csv");
    assert_true(err.has_offset);
    assert_int_equal(err.offset, 0);

    static const char bin[] = "case,activity\n\x7f\x45\x4c\x46\x02\x01\x00\x00junk";
    err = must_fail(ctx, bin, sizeof(bin) - 1, NULL, NULL, AB_EPARSE);
    assert_string_equal(err.msg, "binary data (a NUL byte at byte offset 20): expected CSV text");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.offset, 20);

    const char *hdr = "case_id,activity,timestamp\r\n";
    err = must_fail(ctx, hdr, strlen(hdr), NULL, NULL, AB_EPARSE);
    assert_string_equal(err.msg, "header only: expected data rows after the header");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.offset, 28);

    const char *unterminated = "case_id,activity,timestamp\n"
                               "1,A,2020-01-01\n"
                               "1,\"B,2020-01-02\n"
                               "2,A,2020-01-03\n";
    err = must_fail(ctx, unterminated, strlen(unterminated), NULL, NULL, AB_EPARSE);
    assert_string_equal(err.msg, "unterminated quoted field (the record starts on line 3): "
                                 "expected a closing '\"' before the end of the file");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 3);
    assert_int_equal(err.offset, 44);

    const char *latin1 = "case_id,activity,timestamp\n"
                         "1,A,2020-01-01\n"
                         "1,\"multi\nline\",2020-01-02\n"
                         "1,Caf\xe9,2020-01-03\n";
    err = must_fail(ctx, latin1, strlen(latin1), NULL, NULL, AB_EPARSE);
    assert_string_equal(err.msg, "invalid UTF-8 (byte 0xE9): expected UTF-8 text; a Latin-1 or "
                                 "Windows-1252 file converts with iconv -f WINDOWS-1252 -t UTF-8");
    assert_int_equal(err.line, 5);
    assert_int_equal(err.col, 6);
    assert_int_equal(err.offset, strchr(latin1, '\xe9') - latin1);

    /* Invalid UTF-8 in the second line of a multi-line record: its own line. */
    const char *mid = "case_id,activity,timestamp\n1,\"x\ny\xff\",2020-01-01\n";
    err = must_fail(ctx, mid, strlen(mid), NULL, NULL, AB_EPARSE);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 2);

    static const char utf16[] = "\xff\xfe" "c\0a\0";
    err = must_fail(ctx, utf16, sizeof(utf16) - 1, NULL, NULL, AB_EPARSE);
    assert_string_equal(err.msg, "UTF-16 text (byte-order mark FF FE): expected UTF-8; convert "
                                 "with iconv -f UTF-16 -t UTF-8");

    /* Ragged rows: counted with their lines, fatal under --strict. */
    const char *ragged = "case_id,activity,timestamp\n"
                         "1,A,2020-01-01\n"
                         "1,B\n"
                         "1,C,2020-01-03,extra\n"
                         "1,D,2020-01-04\n";
    ab_log *log = must_read(ctx, ragged, NULL);
    const ab_dq_entry *rg = &ab_log_data_quality(log)->dropped[AB_DROP_RAGGED_ROW];
    assert_int_equal(rg->count, 2);
    assert_int_equal(rg->lines[0], 3);
    assert_int_equal(rg->lines[1], 4);
    assert_int_equal(ab_log_event_count(log), 2);
    ab_log_destroy(log);
    ab_log_options lo = AB_LOG_OPTIONS_INIT;
    lo.strict = 1;
    err = must_fail(ctx, ragged, strlen(ragged), NULL, &lo, AB_EPARSE);
    assert_string_equal(err.msg, "line 3: 2 fields where the header has 3 (--strict)");
    assert_int_equal(err.line, 3);

    /* A field past the context's limit. */
    ab_ctx_options copt = AB_CTX_OPTIONS_INIT;
    copt.limits.max_field_len = 16;
    ab_ctx *small = NULL;
    assert_int_equal(ab_ctx_create(&small, &copt), AB_OK);
    const char *longf = "case,activity,timestamp\n1,An activity name that is long,2020-01-01\n";
    err = must_fail(small, longf, strlen(longf), NULL, NULL, AB_ELIMIT);
    assert_string_equal(err.msg, "a field of 29 bytes in column 'activity' (the limit is 16)");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 3);
    ab_ctx_destroy(small);

    /* A missing file is an I/O error naming it. */
    ab_error_clear(&err);
    assert_int_equal(read_path(ctx, "/nonexistent/x.csv", NULL, NULL, &log, &err), AB_EIO);
    assert_string_equal(err.source, "/nonexistent/x.csv");
    ab_ctx_destroy(ctx);
}

/* Records cross the reader's 4 MiB window: a 10 MB log with long multi-line quoted fields. */
static void test_window_boundaries(void **state)
{
    (void)state;
    size_t cap = 12u << 20, o = 0;
    char *t = malloc(cap);
    o += (size_t)sprintf(t + o, "case_id,activity,timestamp,note\n");
    int rows = 0;
    while (o < cap - (64u << 10)) {
        int len = (rows * 7919) % 3000;
        o += (size_t)sprintf(t + o, "c%d,\"A \"\"%d\"\"\",2020-01-01T00:00:%02dZ,\"", rows % 97,
                             rows % 5, rows % 60);
        for (int k = 0; k < len; k++) {
            t[o++] = (k % 100 == 99) ? '\n' : (k % 37 == 0) ? ',' : 'x';
        }
        o += (size_t)sprintf(t + o, "\"\n");
        rows++;
    }
    ab_ctx *ctx = tu_ctx();
    ab_log *log = NULL;
    ab_error err;
    assert_int_equal(read_mem(ctx, t, o, NULL, NULL, &log, &err), AB_OK);
    assert_int_equal(ab_log_event_count(log), (uint64_t)rows);
    assert_int_equal(ab_log_case_count(log), 97);
    assert_int_equal(ab_log_activity_count(log), 5);
    uint32_t id;
    assert_int_equal(ab_log_activity_find(log, "A \"3\"", 5, &id), AB_OK);
    ab_log_destroy(log);

    /* The same with a ragged row at the end, to check the line count over all that. */
    uint64_t lines = 1;
    for (size_t i = 0; i < o; i++) {
        lines += t[i] == '\n';
    }
    o += (size_t)sprintf(t + o, "x,y\n");
    assert_int_equal(read_mem(ctx, t, o, NULL, NULL, &log, &err), AB_OK);
    assert_int_equal(ab_log_data_quality(log)->dropped[AB_DROP_RAGGED_ROW].lines[0], lines);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
    free(t);
}

/* ---- The sniffer. ---- */

static void test_sniff(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const char *text = "\xEF\xBB\xBF\"Case ID\";\"Activity\";\"Complete Timestamp\";\"Cost\"\r\n"
                       "1;A;01.02.2020 10:00;\"1,5\"\r\n"
                       "1;B;03.02.2020 10:00;2\r\n"
                       "2;A;04.02.2020 10:00\r\n";
    ab_input *in = NULL;
    ab_error err;
    ab_csv_dialect *d = malloc(sizeof(*d));
    assert_int_equal(ab_input_open_memory(&in, ctx, text, strlen(text), "s.csv", &err), AB_OK);
    assert_int_equal(ab_csv_sniff(d, in, NULL, &err), AB_OK);
    assert_int_equal(d->delimiter, ';');
    assert_string_equal(d->newline, "\r\n");
    assert_true(d->bom);
    assert_true(d->quoted);
    assert_true(d->utf8);
    assert_int_equal(d->columns, 4);
    assert_string_equal(d->names[2], "Complete Timestamp");
    assert_int_equal(d->roles[3], AB_CSV_ROLE_NONE);
    assert_int_equal(d->sample_rows, 3);
    assert_int_equal(d->ragged_rows, 1);
    assert_true(d->sample_complete);
    assert_int_equal(d->ts_format.layout, AB_TS_DMY);
    assert_string_equal(d->ts_example, "01.02.2020 10:00");
    assert_int_equal(d->ts_values, 2);
    ab_input_destroy(in);

    /* Latin-1 and an ambiguous column are reported, not fatal. */
    const char *amb = "case,activity,timestamp\n1,Caf\xe9,01/02/2020\n1,B,03/04/2020\n";
    assert_int_equal(ab_input_open_memory(&in, ctx, amb, strlen(amb), "a.csv", &err), AB_OK);
    assert_int_equal(ab_csv_sniff(d, in, NULL, &err), AB_OK);
    assert_false(d->utf8);
    assert_int_equal(d->utf8_bad_line, 2);
    assert_int_equal(d->utf8_bad_offset, 29);
    assert_true(d->ts_ambiguous);
    assert_int_equal(d->ts_format.layout, AB_TS_MDY);
    ab_input_destroy(in);

    /* Missing roles: AB_ENOTFOUND, with what was found still filled in. */
    const char *none = "a,b,c\n1,2,3\n";
    assert_int_equal(ab_input_open_memory(&in, ctx, none, strlen(none), "n.csv", &err), AB_OK);
    assert_int_equal(ab_csv_sniff(d, in, NULL, &err), AB_ENOTFOUND);
    assert_int_equal(d->columns, 3);
    assert_string_equal(d->names[1], "b");
    ab_input_destroy(in);
    free(d);
    ab_ctx_destroy(ctx);
}

/* ---- The two scanners agree (the scalar one runs where SSE2 is missing). ---- */

static void scan_both(const char *p, size_t len, char delim, char nl, int eof, uint32_t cap)
{
    ab__csv_field fa[8], fb[8];
    ab__csv_scan a = {delim, nl, fa, cap, 0, 0, 0, 0};
    ab__csv_scan b = {delim, nl, fb, cap, 0, 0, 0, 0};
    ptrdiff_t ra = ab__csv_scan_record_scalar(&a, p, len, eof);
    ptrdiff_t rb = ab__csv_scan_record(&b, p, len, eof);
    if (ra != rb) {
        fprintf(stderr, "scanners differ on [%.*s] (eof %d): %td vs %td\n", (int)len, p, eof, ra,
                rb);
    }
    assert_int_equal(ra, rb);
    if (ra == AB__CSV_UNTERMINATED) {
        assert_int_equal(a.quote_off, b.quote_off);
    }
    if (ra <= 0) {
        return;
    }
    assert_int_equal(a.count, b.count);
    assert_int_equal(a.newlines, b.newlines);
    assert_int_equal(a.escaped, b.escaped);
    for (uint32_t k = 0; k < a.count && k < cap; k++) {
        assert_int_equal(fa[k].off, fb[k].off);
        assert_int_equal(fa[k].len, fb[k].len);
        assert_int_equal(fa[k].flags, fb[k].flags);
    }
}

static void test_scanner_agreement(void **state)
{
    (void)state;
    static const char alphabet[] = "ab,;\"\"\n\r\t| ";
    uint64_t seed = 7;
    char buf[80];
    for (int iter = 0; iter < 200000; iter++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t len = 1 + (size_t)((seed >> 40) % 70);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            buf[i] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
        }
        char delim = ",;\t|"[iter & 3];
        char nl = (iter & 4) ? '\r' : '\n';
        scan_both(buf, len, delim, nl, (iter >> 3) & 1, (uint32_t)(iter % 9));
    }
}

/* ---- Allocation failures. ---- */

static void test_fault_injection(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBF" ",case:concept:name,concept:name,time:timestamp,"
                       "org:resource,case:dept,lifecycle:transition,note\n"
                       "0,1,A,01/02/2020 10:00,Pete,X,complete,\"a, \"\"b\"\"\"\n"
                       "1,2,A,01/02/2020 11:00,Mike,Y,start,\"multi\nline\"\n"
                       "2,1,B,13/02/2020 10:00,Pete,X,weird,n\n"
                       "3,2,C,14/02/2020 10:00,,Y,complete,\n"
                       "4,2,D,,Sue,Y,complete,\n"
                       "5,3\n";
    uint64_t fail_at = 1;
    int passed = 0;
    for (; fail_at < 10000; fail_at++) {
        tu_alloc a;
        memset(&a, 0, sizeof(a));
        a.fail_at = fail_at;
        ab_ctx *ctx = tu_ctx_counting(&a);
        ab_log *log = NULL;
        ab_error err;
        int rc = read_mem(ctx, text, strlen(text), NULL, NULL, &log, &err);
        if (rc == AB_OK) {
            assert_int_equal(a.failed, 0);
            assert_int_equal(ab_log_event_count(log), 4);
            assert_int_equal(ab_log_case_count(log), 2);
            ab_log_destroy(log);
            ab_ctx_destroy(ctx);
            assert_int_equal(a.live, 0);
            passed = 1;
            break;
        }
        if (rc != AB_ENOMEM) {
            fprintf(stderr, "allocation %llu: rc %d: %s\n", (unsigned long long)fail_at, rc,
                    err.msg);
        }
        assert_int_equal(rc, AB_ENOMEM);
        assert_null(log);
        ab_ctx_destroy(ctx);
        assert_int_equal(a.live, 0);
    }
    assert_true(passed);
    assert_true(fail_at > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_logs),
        cmocka_unit_test(test_hospital_drop),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_na_ids),
        cmocka_unit_test(test_bom_and_line_ends),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_shuffled),
        cmocka_unit_test(test_export_styles),
        cmocka_unit_test(test_style_details),
        cmocka_unit_test(test_roles_missing),
        cmocka_unit_test(test_dayfirst),
        cmocka_unit_test(test_timestamp_drops_and_tz),
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_window_boundaries),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_scanner_agreement),
        cmocka_unit_test(test_fault_injection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
