/*
 * tests/test_columns.c: logs from columns (data frames). ab_keys_factorize
 * numbers keys, and ab_names_factorize the names a getter gives, in order of
 * first appearance; ab_columns_dfg_count gives, for
 * every order and defect of the rows (interleaved cases, times out of order,
 * equal and sub-microsecond times, start times, missing values, repeated and
 * empty names, the lifecycle filter, many activities), the counts that
 * ab_dfg_discover gives on the log ab_log_from_columns builds from the same
 * columns, the same errors at the same rows, and ENOMEM without leaks.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/discover.h"
#include "asbuilt/log.h"

/* ---- Columns made from a description. ---- */

#define MAXN 4096

/* A string column: names table (with repeats and empty names allowed) and codes. */
typedef struct tcol {
    int32_t codes[MAXN * 4];
    char names[MAXN * 16];
    uint64_t offsets[MAXN + 1];
    uint32_t count;
    size_t len;
} tcol;

static void tcol_add_name(tcol *c, const char *name)
{
    size_t l = strlen(name);
    memcpy(c->names + c->len, name, l);
    c->len += l;
    c->count++;
    c->offsets[c->count] = c->len;
}

static ab_log_dict_column tcol_dict(const tcol *c)
{
    ab_log_dict_column d = {c->codes, c->names, c->len, c->offsets, c->count};
    return d;
}

/* Small deterministic generator (xorshift). */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* ---- Comparison with the log's graph. ---- */

static const char *code_name(const ab_log_dict_column *d, int32_t code, size_t *len)
{
    *len = (size_t)(d->offsets[code + 1] - d->offsets[code]);
    return d->names + d->offsets[code];
}

/* Both ways give the same result: the same error at the same row, or the same counts. */
static void same_as_log(ab_ctx *ctx, const ab_log_columns *cols, const ab_log_options *lo)
{
    ab_log *log = NULL;
    ab_columns_dfg *cd = NULL;
    ab_error e1, e2;
    int r1 = ab_log_from_columns(&log, ctx, cols, lo, &e1);
    int r2 = ab_columns_dfg_count(&cd, ctx, cols, lo, &e2);
    assert_int_equal(r2, r1);
    if (r1 != AB_OK) {
        assert_null(cd);
        assert_int_equal(e2.line, e1.line);
        assert_string_equal(e2.msg, e1.msg);
        return;
    }
    const ab_columns_dfg_counts *c = ab_columns_dfg_get(cd);
    assert_int_equal(c->cases, ab_log_case_count(log));
    assert_int_equal(c->events, ab_log_event_count(log));
    ab_dfg_options o = AB_DFG_OPTIONS_INIT;
    o.quantiles = AB_DFG_SKETCH;
    o.examples = 0;
    o.max_variants = 1;
    ab_dfg *g = NULL;
    if (ab_log_event_count(log) > 0) {
        assert_int_equal(ab_dfg_discover(&g, ctx, log, &o, &e1), AB_OK);
        assert_int_equal(c->activity_count, ab_dfg_activity_count(g));
        const ab_dfg_activity *acts = ab_dfg_activities(g);
        for (uint32_t k = 0; k < c->activity_count; k++) {
            size_t len;
            const char *name = code_name(&cols->activity, c->activity_code[k], &len);
            assert_int_equal(len, strlen(acts[k].name));
            assert_memory_equal(name, acts[k].name, len);
            /* The smallest code with that name. */
            for (int32_t j = 0; j < c->activity_code[k]; j++) {
                size_t l2;
                const char *n2 = code_name(&cols->activity, j, &l2);
                assert_false(l2 == len && memcmp(n2, name, len) == 0);
            }
            assert_int_equal(c->activity_events[k], acts[k].events);
            assert_int_equal(c->starts[k], acts[k].starts);
            assert_int_equal(c->ends[k], acts[k].ends);
        }
        assert_int_equal(c->edge_count, ab_dfg_edge_count(g));
        const ab_dfg_edge *edges = ab_dfg_edges(g);
        for (uint32_t k = 0; k < c->edge_count; k++) {
            assert_int_equal(c->edge_from[k], edges[k].from);
            assert_int_equal(c->edge_to[k], edges[k].to);
            assert_int_equal(c->edge_counts[k], edges[k].count);
            assert_int_equal(c->edge_cases[k], edges[k].cases);
        }
    } else {
        assert_int_equal(c->activity_count, 0);
        assert_int_equal(c->edge_count, 0);
    }
    ab_dfg_destroy(g);
    ab_columns_dfg_destroy(cd);
    ab_log_destroy(log);
}

/* ---- ab_keys_factorize. ---- */

static void test_keys_factorize(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const uint64_t keys[] = {5, 5, 0, 7, 0, 5, 9};
    int32_t codes[7];
    uint64_t first[7];
    uint32_t count = 99;
    ab_error err;
    assert_int_equal(ab_keys_factorize(ctx, keys, 7, 0, codes, first, &count, &err), AB_OK);
    const int32_t want[] = {0, 0, 1, 2, 1, 0, 3};
    const uint64_t want_first[] = {0, 2, 3, 6};
    assert_int_equal(count, 4);
    assert_memory_equal(codes, want, sizeof(want));
    assert_memory_equal(first, want_first, sizeof(want_first));
    /* Many distinct keys, spaced as object addresses are: the table grows. */
    enum { N = 100000, D = 3001 };
    uint64_t *big = malloc(N * sizeof(uint64_t));
    int32_t *bc = malloc(N * sizeof(int32_t));
    uint64_t *bf = malloc(N * sizeof(uint64_t));
    assert_non_null(big);
    assert_non_null(bc);
    assert_non_null(bf);
    for (uint64_t r = 0; r < N; r++) {
        big[r] = 0x7f0000001000ull + (r % D) * 48;
    }
    assert_int_equal(ab_keys_factorize(ctx, big, N, 0, bc, bf, &count, &err), AB_OK);
    assert_int_equal(count, D);
    for (uint64_t r = 0; r < N; r++) {
        assert_int_equal(bc[r], (int32_t)(r % D));
    }
    for (uint32_t c = 0; c < D; c++) {
        assert_int_equal(bf[c], c);
    }
    /* A bound on distinct keys: stops at the first key past it. */
    assert_int_equal(ab_keys_factorize(ctx, big, N, D, bc, bf, &count, &err), AB_OK);
    assert_int_equal(ab_keys_factorize(ctx, big, N, D - 1, bc, bf, &count, &err), AB_ELIMIT);
    assert_int_equal(err.line, D);
    assert_int_equal(ab_keys_factorize(ctx, keys, 7, 3, codes, first, &count, &err), AB_ELIMIT);
    assert_int_equal(err.line, 7);
    free(big);
    free(bc);
    free(bf);
    assert_int_equal(ab_keys_factorize(ctx, NULL, 0, 0, NULL, NULL, &count, &err), AB_OK);
    assert_int_equal(count, 0);
    assert_int_equal(ab_keys_factorize(ctx, NULL, 3, 0, codes, first, &count, &err), AB_EINVAL);
    ab_ctx_destroy(ctx);
}

/* ---- ab_names_factorize. ---- */

/* An item of a test column: its name's bytes, or none (the getter gives NULL). */
typedef struct titem {
    const char *name;
    ptrdiff_t len;
} titem;

static unsigned getter_calls;

/* Gives the name in a buffer that the next call overwrites, as a getter may. */
static const char *titem_name(void *item, ptrdiff_t *len)
{
    static char buf[64];
    const titem *it = item;
    getter_calls++;
    if (it->name == NULL) {
        return NULL;
    }
    memcpy(buf, it->name, (size_t)it->len);
    memset(buf + it->len, '#', sizeof(buf) - (size_t)it->len);
    *len = it->len;
    return buf;
}

static void test_names_factorize(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    /* Equal names in distinct items, a name with a NUL, an empty name, non-ASCII bytes. */
    titem a1 = {"A", 1}, a2 = {"A", 1}, b = {"B", 1}, nul1 = {"A\0B", 3}, nul2 = {"A\0B", 3};
    titem e = {"", 0}, u = {"\xc3\xa9t\xc3\xa9", 6}, u2 = {"\xc3\xa9t\xc3\xa9", 6}, ab = {"AB", 2};
    void *items[] = {&a1, &a1, &b, &a2, &nul1, &e, &nul2, &u, &ab, &u2, &a1};
    enum { R = sizeof(items) / sizeof(items[0]) };
    int32_t codes[R];
    uint64_t first[R];
    uint32_t count = 99;
    uint64_t done = 99;
    ab_error err;
    getter_calls = 0;
    assert_int_equal(
        ab_names_factorize(ctx, items, R, titem_name, codes, first, &count, &done, &err), AB_OK);
    const int32_t want[] = {0, 0, 1, 0, 2, 3, 2, 4, 5, 4, 0};
    const uint64_t want_first[] = {0, 2, 4, 5, 7, 8};
    assert_int_equal(count, 6);
    assert_int_equal(done, R);
    assert_memory_equal(codes, want, sizeof(want));
    assert_memory_equal(first, want_first, sizeof(want_first));
    assert_int_equal(getter_calls, R - 1); /* Row 1 repeats row 0's item. */
    /* An item without a name: numbering stops there and says how far it got. */
    titem none = {NULL, 0};
    void *stop[] = {&a1, &b, &a2, &none, &u};
    assert_int_equal(
        ab_names_factorize(ctx, stop, 5, titem_name, codes, first, &count, &done, &err), AB_OK);
    assert_int_equal(done, 3);
    assert_int_equal(count, 2);
    assert_int_equal(codes[2], 0);
    void *stop0[] = {&none, &a1};
    assert_int_equal(
        ab_names_factorize(ctx, stop0, 2, titem_name, codes, first, &count, &done, &err), AB_OK);
    assert_int_equal(done, 0);
    assert_int_equal(count, 0);
    /* Many distinct long names: the table and the copies of the names grow. */
    enum { N = 50000, D = 3001 };
    titem *its = malloc(N * sizeof(titem));
    void **big = malloc(N * sizeof(void *));
    char(*text)[48] = malloc(D * sizeof(*text));
    int32_t *bc = malloc(N * sizeof(int32_t));
    uint64_t *bf = malloc(N * sizeof(uint64_t));
    assert_non_null(its);
    assert_non_null(big);
    assert_non_null(text);
    assert_non_null(bc);
    assert_non_null(bf);
    for (uint32_t d = 0; d < D; d++) {
        snprintf(text[d], sizeof(text[d]), "a rather long activity name, number %u", d);
    }
    for (uint64_t r = 0; r < N; r++) {
        its[r].name = text[r % D];
        its[r].len = (ptrdiff_t)strlen(text[r % D]);
        big[r] = &its[r];
    }
    assert_int_equal(ab_names_factorize(ctx, big, N, titem_name, bc, bf, &count, &done, &err),
                     AB_OK);
    assert_int_equal(count, D);
    assert_int_equal(done, N);
    for (uint64_t r = 0; r < N; r++) {
        assert_int_equal(bc[r], (int32_t)(r % D));
    }
    for (uint32_t c = 0; c < D; c++) {
        assert_int_equal(bf[c], c);
    }
    /* Out of memory at every allocation: AB_ENOMEM, nothing left allocated. */
    for (uint64_t n = 1;; n++) {
        tu_alloc al = {0};
        al.fail_at = n;
        ab_ctx *c2 = tu_ctx_counting(&al);
        int rc = ab_names_factorize(c2, big, N, titem_name, bc, bf, &count, &done, &err);
        ab_ctx_destroy(c2);
        assert_int_equal(al.live, 0);
        if (al.failed == 0) {
            assert_int_equal(rc, AB_OK);
            assert_int_equal(count, D);
            break;
        }
        assert_int_equal(rc, AB_ENOMEM);
    }
    free(its);
    free(big);
    free(text);
    free(bc);
    free(bf);
    assert_int_equal(ab_names_factorize(ctx, NULL, 0, titem_name, NULL, NULL, &count, &done, &err),
                     AB_OK);
    assert_int_equal(count, 0);
    assert_int_equal(done, 0);
    assert_int_equal(
        ab_names_factorize(ctx, NULL, 3, titem_name, codes, first, &count, &done, &err), AB_EINVAL);
    assert_int_equal(ab_names_factorize(ctx, items, R, NULL, codes, first, &count, &done, &err),
                     AB_EINVAL);
    ab_ctx_destroy(ctx);
}

/* ---- ab_columns_dfg_count. ---- */

typedef struct gen {
    uint32_t rows;
    uint32_t cases;      /* Distinct case ids. */
    uint32_t activities; /* Distinct activity names. */
    int shuffle;         /* Interleave the cases' rows at random. */
    int time_range;      /* Times drawn from [0, time_range) microseconds: small = ties. */
    int sub_us;          /* Add 0..999 ns: equal microseconds, different nanoseconds. */
    int with_start;      /* A start-timestamp column. */
    int with_times;      /* A timestamp column. */
    int defects;         /* Missing codes, empty and repeated names, NaT. */
    int lifecycle;       /* A lifecycle column (start/complete/schedule/empty). */
} gen;

typedef struct gcols {
    tcol cases, acts, lcs;
    int64_t ts[MAXN * 4], start[MAXN * 4];
    ab_log_columns cols;
} gcols;

static void generate(gcols *g, const gen *p, uint64_t seed)
{
    memset(g, 0, sizeof(*g));
    uint64_t s = seed * 2654435761u + 1;
    char buf[32];
    /* Name tables: with defects, some names twice and an empty one. */
    for (uint32_t k = 0; k < p->cases; k++) {
        snprintf(buf, sizeof(buf), "case %u", k);
        tcol_add_name(&g->cases, buf);
    }
    for (uint32_t k = 0; k < p->activities; k++) {
        snprintf(buf, sizeof(buf), "act %03u", (k * 7919u) % 1000u);
        tcol_add_name(&g->acts, buf);
    }
    if (p->defects) {
        tcol_add_name(&g->cases, "case 1");
        tcol_add_name(&g->cases, "");
        tcol_add_name(&g->acts, "act 000");
        tcol_add_name(&g->acts, "");
    }
    static const char *const lc[] = {"complete", "start", "schedule", "", "COMPLETE"};
    for (int k = 0; k < 5; k++) {
        tcol_add_name(&g->lcs, lc[k]);
    }
    /* Rows case by case (each in time order), then shuffled if asked. */
    uint32_t n = p->rows;
    for (uint32_t r = 0; r < n; r++) {
        g->cases.codes[r] = (int32_t)(r * p->cases / n);
        g->acts.codes[r] = (int32_t)(rng_next(&s) % p->activities);
        g->lcs.codes[r] = (int32_t)(rng_next(&s) % 5);
        int64_t t = (int64_t)(rng_next(&s) % (uint64_t)p->time_range) * 1000;
        if (p->sub_us) {
            t += (int64_t)(rng_next(&s) % 1000);
        }
        g->ts[r] = t + 1600000000000000000ll;
        g->start[r] = g->ts[r] - (int64_t)(rng_next(&s) % 3) * 1000;
        if (p->defects) {
            uint64_t d = rng_next(&s) % 40;
            if (d == 0) {
                g->cases.codes[r] = -1;
            } else if (d == 1) {
                g->acts.codes[r] = -1;
            } else if (d == 2) {
                g->ts[r] = INT64_MIN;
            } else if (d == 3) {
                g->cases.codes[r] = (int32_t)g->cases.count - 2 + (int32_t)(rng_next(&s) % 2);
            } else if (d == 4) {
                g->acts.codes[r] = (int32_t)g->acts.count - 2 + (int32_t)(rng_next(&s) % 2);
            } else if (d == 5) {
                g->start[r] = INT64_MIN;
            }
        }
    }
    if (!p->shuffle) {
        /* Each case in time order: sort the rows of each case by (ts, start). */
        for (uint32_t i = 1; i < n; i++) {
            for (uint32_t j = i; j > 0 && g->cases.codes[j - 1] == g->cases.codes[j] &&
                                 (g->ts[j - 1] > g->ts[j] ||
                                  (g->ts[j - 1] == g->ts[j] && g->start[j - 1] > g->start[j]));
                 j--) {
                int64_t t = g->ts[j];
                g->ts[j] = g->ts[j - 1];
                g->ts[j - 1] = t;
                t = g->start[j];
                g->start[j] = g->start[j - 1];
                g->start[j - 1] = t;
            }
        }
    } else {
        for (uint32_t i = n; i > 1; i--) {
            uint32_t j = (uint32_t)(rng_next(&s) % i);
            int32_t c = g->cases.codes[i - 1];
            g->cases.codes[i - 1] = g->cases.codes[j];
            g->cases.codes[j] = c;
            c = g->acts.codes[i - 1];
            g->acts.codes[i - 1] = g->acts.codes[j];
            g->acts.codes[j] = c;
            int64_t t = g->ts[i - 1];
            g->ts[i - 1] = g->ts[j];
            g->ts[j] = t;
            t = g->start[i - 1];
            g->start[i - 1] = g->start[j];
            g->start[j] = t;
        }
    }
    ab_log_columns *c = &g->cols;
    c->version = AB_LOG_COLUMNS_VERSION;
    c->rows = n;
    c->case_id = tcol_dict(&g->cases);
    c->activity = tcol_dict(&g->acts);
    c->timestamp = p->with_times ? g->ts : NULL;
    c->start_timestamp = p->with_start ? g->start : NULL;
    if (p->lifecycle) {
        c->lifecycle = tcol_dict(&g->lcs);
    }
    c->source = "gen";
}

static gcols G;

static void check_gen(const gen *p, int seeds)
{
    ab_ctx *ctx = tu_ctx();
    for (int seed = 1; seed <= seeds; seed++) {
        generate(&G, p, (uint64_t)seed);
        same_as_log(ctx, &G.cols, NULL);
        ab_log_options lo = AB_LOG_OPTIONS_INIT;
        lo.lifecycle = AB_LCF_COMPLETE;
        same_as_log(ctx, &G.cols, &lo);
    }
    ab_ctx_destroy(ctx);
}

static void test_grouped_rows(void **state)
{
    (void)state;
    gen p = {3000, 200, 9, 0, 1000000, 0, 0, 1, 0, 0};
    check_gen(&p, 5);
    p.lifecycle = 1;
    check_gen(&p, 5);
}

static void test_interleaved_rows(void **state)
{
    (void)state;
    gen p = {3000, 150, 9, 1, 1000000, 0, 0, 1, 0, 1};
    check_gen(&p, 10);
}

/* Few distinct times: ties keep row order; start times break ties first. */
static void test_equal_times(void **state)
{
    (void)state;
    gen p = {2000, 40, 6, 1, 3, 0, 0, 1, 0, 0};
    check_gen(&p, 10);
    p.with_start = 1;
    check_gen(&p, 10);
    p.shuffle = 0;
    check_gen(&p, 10);
}

/* Nanoseconds within one microsecond are equal times, as the log floors them. */
static void test_sub_microsecond_times(void **state)
{
    (void)state;
    gen p = {2000, 40, 6, 1, 4, 1, 0, 1, 0, 0};
    check_gen(&p, 10);
    p.shuffle = 0;
    check_gen(&p, 10);
    p.with_start = 1;
    check_gen(&p, 10);
}

static void test_missing_values_and_repeated_names(void **state)
{
    (void)state;
    gen p = {3000, 100, 12, 1, 50, 1, 1, 1, 1, 1};
    check_gen(&p, 10);
    p.shuffle = 0;
    check_gen(&p, 10);
    p.with_times = 0; /* No times at all: rows in order, by start time if any. */
    check_gen(&p, 5);
    p.with_start = 0;
    check_gen(&p, 5);
}

/* More activities than the matrix takes: the pairs go to a growing table. */
static void test_many_activities(void **state)
{
    (void)state;
    gen p = {MAXN * 4, 300, 900, 1, 1000000, 0, 0, 1, 1, 0};
    check_gen(&p, 3);
    p.shuffle = 0;
    check_gen(&p, 3);
}

static void test_no_rows_and_all_dropped(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    gen p = {100, 10, 3, 0, 1000, 0, 0, 1, 0, 0};
    generate(&G, &p, 1);
    G.cols.rows = 0;
    same_as_log(ctx, &G.cols, NULL);
    G.cols.rows = 100;
    for (int r = 0; r < 100; r++) {
        G.cases.codes[r] = -1;
    }
    same_as_log(ctx, &G.cols, NULL);
    ab_ctx_destroy(ctx);
}

/* The builder's errors, at the same rows. */
static void test_errors_as_the_builder(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    gen p = {500, 20, 5, 1, 1000, 0, 0, 1, 0, 1};
    /* A code out of its table, in each column. */
    for (int k = 0; k < 3; k++) {
        generate(&G, &p, 2);
        int32_t *col = k == 0 ? G.cases.codes : k == 1 ? G.acts.codes : G.lcs.codes;
        col[123] = k == 2 ? 5 : -2;
        same_as_log(ctx, &G.cols, NULL);
        ab_columns_dfg *cd = NULL;
        ab_error err;
        assert_int_equal(ab_columns_dfg_count(&cd, ctx, &G.cols, NULL, &err), AB_EINVAL);
        assert_int_equal(err.line, 124);
    }
    /* Strict: a missing case id, a missing activity, a missing time among times. */
    ab_log_options strict = AB_LOG_OPTIONS_INIT;
    strict.strict = 1;
    for (int k = 0; k < 3; k++) {
        generate(&G, &p, 3);
        same_as_log(ctx, &G.cols, &strict);
        if (k == 0) {
            G.cases.codes[321] = -1;
        } else if (k == 1) {
            G.acts.codes[321] = -1;
        } else {
            G.ts[321] = INT64_MIN;
            G.acts.codes[400] = 99; /* A bad code after it comes first. */
        }
        same_as_log(ctx, &G.cols, &strict);
        same_as_log(ctx, &G.cols, NULL);
    }
    /* A version the library does not know. */
    generate(&G, &p, 4);
    G.cols.version = 99;
    ab_columns_dfg *cd = NULL;
    ab_error err;
    assert_int_equal(ab_columns_dfg_count(&cd, ctx, &G.cols, NULL, &err), AB_EINVAL);
    G.cols.version = AB_LOG_COLUMNS_VERSION;
    ab_log_options bad = AB_LOG_OPTIONS_INIT;
    bad.version = 99;
    same_as_log(ctx, &G.cols, &bad);
    ab_ctx_destroy(ctx);
    /* The event limit. */
    ab_ctx_options co = AB_CTX_OPTIONS_INIT;
    co.limits.max_events = 100;
    assert_int_equal(ab_ctx_create(&ctx, &co), AB_OK);
    generate(&G, &p, 5);
    same_as_log(ctx, &G.cols, NULL);
    ab_columns_dfg_count(&cd, ctx, &G.cols, NULL, &err);
    assert_int_equal(err.code, AB_ELIMIT);
    ab_ctx_destroy(ctx);
}

static void test_enomem(void **state)
{
    (void)state;
    gen variants[] = {
        {400, 30, 5, 0, 1000, 0, 0, 1, 1, 0},    /* Grouped. */
        {400, 30, 5, 1, 1000, 0, 0, 1, 1, 0},    /* Interleaved. */
        {2000, 30, 300, 1, 1000, 0, 0, 1, 0, 0}, /* Table of pairs. */
    };
    for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
        generate(&G, &variants[v], 7);
        for (uint64_t n = 1;; n++) {
            tu_alloc al = {0};
            al.fail_at = n;
            ab_ctx *ctx = tu_ctx_counting(&al);
            ab_columns_dfg *cd = NULL;
            ab_error err;
            int rc = ab_columns_dfg_count(&cd, ctx, &G.cols, NULL, &err);
            ab_columns_dfg_destroy(cd);
            ab_ctx_destroy(ctx);
            assert_int_equal(al.live, 0);
            if (al.failed == 0) {
                assert_int_equal(rc, AB_OK);
                break;
            }
            assert_int_equal(rc, AB_ENOMEM);
            assert_null(cd);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_factorize),
        cmocka_unit_test(test_names_factorize),
        cmocka_unit_test(test_grouped_rows),
        cmocka_unit_test(test_interleaved_rows),
        cmocka_unit_test(test_equal_times),
        cmocka_unit_test(test_sub_microsecond_times),
        cmocka_unit_test(test_missing_values_and_repeated_names),
        cmocka_unit_test(test_many_activities),
        cmocka_unit_test(test_no_rows_and_all_dropped),
        cmocka_unit_test(test_errors_as_the_builder),
        cmocka_unit_test(test_enomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
