/*
 * tests/test_discover.c: discovery of the directly-follows graph. Hand-made
 * logs with known edges, durations and percentiles; lifecycle and start-time
 * service times; variants; self-loops and rework cycles; the filters; the
 * sketch against exact figures and its flat memory; byte-identical output
 * whatever the input order; the writers checked by Graphviz and xmllint;
 * fault injection; and, for every shared log, the same graph and start and
 * end activities as PM4Py's discover_dfg (read from the expected files at
 * run time).
 */
#include "test_util.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "asbuilt/discover.h"
#include "asbuilt/ingest.h"
#include "discover/discover_int.h"

/* ---- Building logs. ---- */

#define NOTIME -1.0

typedef struct tev {
    const char *c; /* Case id. */
    const char *a; /* Activity. */
    double t;      /* Completion, seconds (NOTIME = none). */
    double st;     /* Start, seconds (NOTIME = none). */
    int lc;        /* ab_lifecycle. */
} tev;

static ab_time us(double s)
{
    return s == NOTIME ? AB_TIME_NONE : (ab_time)llround(s * 1e6);
}

static ab_log *mklog(ab_ctx *ctx, const tev *evs, size_t n)
{
    ab_log_builder *b;
    ab_error err;
    assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
    for (size_t i = 0; i < n; i++) {
        ab_event_in e;
        memset(&e, 0, sizeof(e));
        e.case_id = evs[i].c;
        e.case_id_len = strlen(evs[i].c);
        e.activity = evs[i].a;
        e.activity_len = strlen(evs[i].a);
        e.ts = us(evs[i].t);
        e.start_ts = us(evs[i].st);
        e.lifecycle = (ab_lifecycle)evs[i].lc;
        e.line = i + 2;
        assert_int_equal(ab_log_builder_add_event(b, &e, &err), AB_OK);
    }
    ab_log *log;
    assert_int_equal(ab_log_builder_finish(b, &log, &err), AB_OK);
    return log;
}

static ab_dfg *discover(ab_ctx *ctx, const ab_log *log, const ab_dfg_options *o)
{
    ab_dfg *d = NULL;
    ab_error err;
    ab_error_clear(&err);
    int rc = ab_dfg_discover(&d, ctx, log, o, &err);
    if (rc != AB_OK) {
        fprintf(stderr, "discover: %s\n", err.msg);
    }
    assert_int_equal(rc, AB_OK);
    return d;
}

static uint32_t act(const ab_dfg *d, const char *name)
{
    uint32_t i = UINT32_MAX;
    assert_int_equal(ab_dfg_activity_find(d, name, &i), AB_OK);
    return i;
}

static const ab_dfg_edge *edge(const ab_dfg *d, const char *from, const char *to)
{
    return ab_dfg_edge_find(d, act(d, from), act(d, to));
}

static void assert_near(double got, double want)
{
    if (fabs(got - want) > 1e-9 * (1 + fabs(want))) {
        fail_msg("got %.9f, want %.9f", got, want);
    }
}

/* The hand-made log of tests/data/discover/handmade.csv, in seconds. */
static const tev handmade[] = {
    {"c1", "A", 0, NOTIME, 0},  {"c1", "B", 10, NOTIME, 0},  {"c1", "C", 30, NOTIME, 0},
    {"c2", "A", 0, NOTIME, 0},  {"c2", "B", 20, NOTIME, 0},  {"c2", "C", 60, NOTIME, 0},
    {"c3", "A", 0, NOTIME, 0},  {"c3", "C", 100, NOTIME, 0}, {"c4", "A", 0, NOTIME, 0},
    {"c4", "B", 30, NOTIME, 0}, {"c4", "B", 40, NOTIME, 0},  {"c4", "C", 50, NOTIME, 0},
    {"c5", "A", 0, NOTIME, 0},  {"c5", "B", 40, NOTIME, 0},  {"c5", "C", 45, NOTIME, 0},
};
#define HANDMADE_N (sizeof(handmade) / sizeof(handmade[0]))

/* ---- Percentiles. ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* numpy.percentile(..., method="linear") by sorting, the reference. */
static double ref_quantile(const int64_t *v, size_t n, double p)
{
    int64_t *s = malloc(n * sizeof(*s));
    memcpy(s, v, n * sizeof(*s));
    qsort(s, n, sizeof(*s), cmp_i64);
    double h = (double)(n - 1) * p;
    size_t k = (size_t)floor(h);
    double r =
        k + 1 < n ? (double)s[k] + (h - (double)k) * (double)(s[k + 1] - s[k]) : (double)s[n - 1];
    free(s);
    return r;
}

static void test_quantiles(void **state)
{
    (void)state;
    int64_t a[] = {10, 4, 1, 3, 2};
    assert_near(ab__quantile_exact(a, 5, 0.5), 3);
    assert_near(ab__quantile_exact(a, 5, 0.9), 7.6); /* h = 3.6: 4 + 0.6 * (10 - 4). */
    assert_near(ab__quantile_exact(a, 5, 0.0), 1);
    assert_near(ab__quantile_exact(a, 5, 1.0), 10);
    int64_t b[] = {2, 1};
    assert_near(ab__quantile_exact(b, 2, 0.5), 1.5); /* An even count: mean of the middle two. */
    assert_near(ab__quantile_exact(b, 2, 0.9), 1.9);
    int64_t c[] = {7};
    assert_near(ab__quantile_exact(c, 1, 0.9), 7);
    /* Random, sorted, reversed and constant inputs against sorting. */
    srand(12345);
    for (int round = 0; round < 40; round++) {
        size_t n = 1 + (size_t)(rand() % 3000);
        int64_t *v = malloc(n * sizeof(*v));
        for (size_t i = 0; i < n; i++) {
            switch (round % 4) {
            case 0:
                v[i] = rand() % 1000000;
                break;
            case 1:
                v[i] = (int64_t)i;
                break;
            case 2:
                v[i] = (int64_t)(n - i);
                break;
            default:
                v[i] = 42 + (int64_t)(i % 3 == 0);
                break;
            }
        }
        double want50 = ref_quantile(v, n, 0.5), want90 = ref_quantile(v, n, 0.9);
        assert_near(ab__quantile_exact(v, n, 0.5), want50);
        assert_near(ab__quantile_exact(v, n, 0.9), want90);
        free(v);
    }
}

/* ---- The graph of hand-made logs. ---- */

static void test_edges_and_durations(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_log *log = mklog(ctx, handmade, HANDMADE_N);
    ab_dfg *d = discover(ctx, log, NULL);
    const ab_dfg_info *in = ab_dfg_get_info(d);
    assert_int_equal(in->cases, 5);
    assert_int_equal(in->events, 15);
    assert_int_equal(ab_dfg_activity_count(d), 3);
    assert_int_equal(ab_dfg_edge_count(d), 4);
    const ab_dfg_edge *ab = edge(d, "A", "B");
    assert_non_null(ab);
    assert_int_equal(ab->count, 4);
    assert_int_equal(ab->cases, 4);
    /* Hand-overs 10, 20, 30, 40 s: median 25, p90 at h = 2.7: 30 + 0.7 * 10. */
    assert_int_equal(ab->duration.count, 4);
    assert_near(ab->duration.min, 10);
    assert_near(ab->duration.median, 25);
    assert_near(ab->duration.mean, 25);
    assert_near(ab->duration.p90, 37);
    assert_near(ab->duration.max, 40);
    const ab_dfg_edge *bc = edge(d, "B", "C");
    assert_int_equal(bc->count, 4);
    /* 20, 40, 10, 5 s. */
    assert_near(bc->duration.median, 15);
    assert_near(bc->duration.mean, 18.75);
    assert_near(bc->duration.p90, 34);
    const ab_dfg_edge *bb = edge(d, "B", "B");
    assert_int_equal(bb->count, 1);
    assert_near(bb->duration.median, 10);
    assert_int_equal(edge(d, "A", "C")->count, 1);
    assert_null(edge(d, "C", "A"));
    /* Edges by count, then cases, then names. */
    const ab_dfg_edge *es = ab_dfg_edges(d);
    assert_ptr_equal(&es[0], ab);
    assert_ptr_equal(&es[1], bc);
    /* Activities by name, with events, cases, starts and ends. */
    const ab_dfg_activity *as = ab_dfg_activities(d);
    assert_string_equal(as[0].name, "A");
    assert_string_equal(as[2].name, "C");
    assert_int_equal(as[1].events, 5);
    assert_int_equal(as[1].cases, 4);
    assert_int_equal(as[1].service.count, 0);
    uint32_t ns, ne;
    const ab_dfg_endpoint *st = ab_dfg_starts(d, &ns);
    const ab_dfg_endpoint *en = ab_dfg_ends(d, &ne);
    assert_int_equal(ns, 1);
    assert_int_equal(st[0].activity, act(d, "A"));
    assert_int_equal(st[0].count, 5);
    assert_int_equal(ne, 1);
    assert_int_equal(en[0].activity, act(d, "C"));
    /* Variants: three cases of A,B,C first, then by names (A,B,B,C before A,C). */
    assert_int_equal(ab_dfg_variant_count(d), 3);
    const ab_dfg_variant *v = ab_dfg_variants(d);
    assert_int_equal(v[0].cases, 3);
    assert_near(v[0].share, 0.6);
    assert_near(v[0].cycle_time.median, 45); /* Cycle times 30, 60, 45. */
    assert_int_equal(v[0].example_count, 3);
    assert_string_equal(v[0].examples[0], "c1");
    assert_string_equal(v[0].examples[2], "c5");
    assert_int_equal(v[1].length, 4);
    assert_string_equal(v[1].examples[0], "c4");
    assert_int_equal(v[2].length, 2);
    /* Structure: the self-loop on B, no larger cycle. */
    assert_int_equal(ab_dfg_cycle_count(d), 1);
    assert_int_equal(ab_dfg_cycles(d)[0].size, 1);
    assert_int_equal(ab_dfg_cycles(d)[0].activities[0], act(d, "B"));
    ab_dfg_destroy(d);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_lifecycle_service_times(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    /* c2 starts A twice before completing it: first in, first out gives 20 and 25. */
    const tev evs[] = {
        {"c1", "A", 0, NOTIME, AB_LC_START},     {"c1", "A", 10, NOTIME, AB_LC_COMPLETE},
        {"c1", "B", 15, NOTIME, AB_LC_START},    {"c1", "B", 35, NOTIME, AB_LC_COMPLETE},
        {"c2", "A", 0, NOTIME, AB_LC_START},     {"c2", "A", 5, NOTIME, AB_LC_START},
        {"c2", "A", 20, NOTIME, AB_LC_COMPLETE}, {"c2", "A", 30, NOTIME, AB_LC_COMPLETE},
        {"c2", "B", 31, NOTIME, AB_LC_START},
    };
    ab_log *log = mklog(ctx, evs, sizeof(evs) / sizeof(evs[0]));
    ab_dfg *d = discover(ctx, log, NULL);
    const ab_dfg_activity *a = &ab_dfg_activities(d)[act(d, "A")];
    assert_int_equal(a->events, 6);
    assert_int_equal(a->service.count, 3);
    assert_near(a->service.min, 10);
    assert_near(a->service.median, 20);
    assert_near(a->service.max, 25);
    const ab_dfg_activity *b = &ab_dfg_activities(d)[act(d, "B")];
    assert_int_equal(b->service.count, 1); /* c2's B never completes. */
    assert_near(b->service.median, 20);
    /* As PM4Py, every lifecycle event is an event: A -> A from start to completion. */
    assert_int_equal(edge(d, "A", "A")->count, 4);
    assert_int_equal(edge(d, "A", "B")->count, 2);
    assert_near(edge(d, "A", "B")->duration.min, 1);
    assert_int_equal(edge(d, "B", "B")->count, 1);
    ab_dfg_destroy(d);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

/* The activity-instance mode on the same log: each start is paired with
 * the next completion of its activity (first in, first out), so there is no
 * A -> A edge, an edge is the wait from one completion to the next start, and
 * version 1 options still read (without the mode). */
static void test_lifecycle_instances(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const tev evs[] = {
        {"c1", "A", 0, NOTIME, AB_LC_START},     {"c1", "A", 10, NOTIME, AB_LC_COMPLETE},
        {"c1", "B", 15, NOTIME, AB_LC_START},    {"c1", "B", 35, NOTIME, AB_LC_COMPLETE},
        {"c2", "A", 0, NOTIME, AB_LC_START},     {"c2", "A", 5, NOTIME, AB_LC_START},
        {"c2", "A", 20, NOTIME, AB_LC_COMPLETE}, {"c2", "A", 30, NOTIME, AB_LC_COMPLETE},
        {"c2", "B", 31, NOTIME, AB_LC_START},    {"c3", "C", 40, 38, AB_LC_NONE},
        {"c3", "A", 41, NOTIME, AB_LC_START},    {"c3", "A", 47, NOTIME, AB_LC_COMPLETE},
        {"c3", "C", 50, NOTIME, AB_LC_SCHEDULE}, {"c3", "C", 60, 55, AB_LC_NONE},
    };
    ab_log *log = mklog(ctx, evs, sizeof(evs) / sizeof(evs[0]));
    ab_dfg_options o = AB_DFG_OPTIONS_INIT;
    o.instances = 1;
    ab_dfg *d = discover(ctx, log, &o);
    const ab_dfg_info *in = ab_dfg_get_info(d);
    assert_int_equal(in->events, 7); /* c1: A B; c2: A A (B never completes); c3: C A C. */
    const ab_dfg_activity *a = &ab_dfg_activities(d)[act(d, "A")];
    assert_int_equal(a->events, 4);
    assert_int_equal(a->service.count, 4);
    assert_near(a->service.min, 6);
    assert_near(a->service.max, 25);
    const ab_dfg_activity *c = &ab_dfg_activities(d)[act(d, "C")];
    assert_int_equal(c->events, 2);
    assert_near(c->service.min, 2);
    assert_near(c->service.max, 5);
    /* A -> A only where one instance follows another (c2), from 20 to the
     * second start at 5: waits clip at 0, as parallel work waits no time. */
    assert_int_equal(edge(d, "A", "A")->count, 1);
    assert_near(edge(d, "A", "A")->duration.max, 0);
    assert_int_equal(edge(d, "A", "B")->count, 1);
    assert_near(edge(d, "A", "B")->duration.median, 5); /* 10 -> 15. */
    assert_near(edge(d, "C", "A")->duration.median, 1); /* 40 -> 41. */
    assert_near(edge(d, "A", "C")->duration.median, 8); /* 47 -> 55. */
    assert_null(ab_dfg_edge_find(d, act(d, "B"), act(d, "B")));
    ab_buf json = AB_BUF_INIT;
    assert_int_equal(ab_dfg_write_json(&json, d), AB_OK);
    assert_non_null(strstr(json.ptr, "\"counts\": \"activity_instances\""));
    ab_buf_dispose(&json);
    ab_dfg_destroy(d);

    /* Version 1 callers get the event view. */
    ab_dfg_options v1 = AB_DFG_OPTIONS_INIT;
    v1.version = 1;
    d = discover(ctx, log, &v1);
    assert_int_equal(ab_dfg_get_info(d)->events, 14);
    assert_int_equal(edge(d, "A", "A")->count, 5);
    ab_dfg_destroy(d);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_start_timestamps(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    /* C starts before B completes (parallel work): its hand-over is 0, as in PM4Py. */
    const tev evs[] = {
        {"c1", "A", 10, 0, 0},   {"c1", "B", 30, 15, 0},   {"c1", "C", 40, 25, 0},
        {"c2", "A", 100, 95, 0}, {"c2", "B", 160, 130, 0},
    };
    ab_log *log = mklog(ctx, evs, sizeof(evs) / sizeof(evs[0]));
    ab_dfg *d = discover(ctx, log, NULL);
    const ab_dfg_edge *ab = edge(d, "A", "B");
    assert_int_equal(ab->count, 2);
    assert_near(ab->duration.min, 5);
    assert_near(ab->duration.max, 30);
    assert_near(edge(d, "B", "C")->duration.max, 0);
    const ab_dfg_activity *as = ab_dfg_activities(d);
    assert_near(as[act(d, "A")].service.median, 7.5);  /* 10 and 5. */
    assert_near(as[act(d, "B")].service.median, 22.5); /* 15 and 30. */
    assert_int_equal(as[act(d, "C")].service.count, 1);
    /* Cycle time from the first start to the last completion. */
    const ab_dfg_variant *v = ab_dfg_variants(d);
    assert_int_equal(ab_dfg_variant_count(d), 2);
    assert_int_equal(v[0].length, 2); /* A,B before A,B,C: a prefix comes first. */
    assert_near(v[0].cycle_time.median, 65);
    assert_near(v[1].cycle_time.median, 40);
    ab_dfg_destroy(d);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_no_timestamps(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const tev evs[] = {
        {"t1", "A", NOTIME, NOTIME, 0},
        {"t1", "B", NOTIME, NOTIME, 0},
        {"t2", "B", NOTIME, NOTIME, 0},
        {"t2", "A", NOTIME, NOTIME, 0},
    };
    ab_log *log = mklog(ctx, evs, 4);
    ab_dfg *d = discover(ctx, log, NULL);
    assert_int_equal(edge(d, "A", "B")->count, 1);
    assert_int_equal(edge(d, "A", "B")->duration.count, 0);
    assert_int_equal(ab_dfg_variants(d)[0].cycle_time.count, 0);
    /* A and B follow each other both ways: a rework cycle of two. */
    assert_int_equal(ab_dfg_cycle_count(d), 1);
    assert_int_equal(ab_dfg_cycles(d)[0].size, 2);
    ab_buf out = AB_BUF_INIT;
    assert_int_equal(ab_dfg_write_json(&out, d), AB_OK);
    assert_non_null(strstr(out.ptr, "\"duration\": null"));
    assert_non_null(strstr(out.ptr, "\"median_cycle_time\": null"));
    ab_buf_dispose(&out);
    ab_dfg_destroy(d);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_rework_cycles(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    /* B <-> C (three activities with D), E <-> F, a self-loop on G, and H -> I acyclic. */
    const char *seqs[] = {"ABCBDCBZ", "AEFEFEZ", "AGGGZ", "AHIZ", "ABDBZ"};
    tev evs[64];
    size_t n = 0;
    char names[64][2];
    const char *cases[] = {"k1", "k2", "k3", "k4", "k5"};
    for (size_t c = 0; c < 5; c++) {
        for (size_t k = 0; seqs[c][k] != '\0'; k++) {
            names[n][0] = seqs[c][k];
            names[n][1] = '\0';
            evs[n] = (tev){cases[c], names[n], (double)(10 * k), NOTIME, 0};
            n++;
        }
    }
    ab_log *log = mklog(ctx, evs, n);
    ab_dfg *d = discover(ctx, log, NULL);
    /* Components {B, C, D} (B->C->B, B->D->C, D->B), {E, F}; self-loop G. */
    assert_int_equal(ab_dfg_cycle_count(d), 3);
    const ab_dfg_cycle *cy = ab_dfg_cycles(d);
    assert_int_equal(cy[0].size, 3);
    assert_int_equal(cy[0].activities[0], act(d, "B"));
    assert_int_equal(cy[0].activities[1], act(d, "C"));
    assert_int_equal(cy[0].activities[2], act(d, "D"));
    assert_int_equal(cy[0].edges, 5); /* B->C, C->B, B->D, D->C, D->B. */
    assert_int_equal(cy[1].size, 2);
    assert_int_equal(cy[1].activities[0], act(d, "E"));
    assert_int_equal(cy[1].count, 4);
    assert_int_equal(cy[2].size, 1);
    assert_int_equal(cy[2].activities[0], act(d, "G"));
    assert_int_equal(cy[2].count, 2);
    ab_buf out = AB_BUF_INIT;
    assert_int_equal(ab_dfg_write_json(&out, d), AB_OK);
    assert_non_null(strstr(out.ptr, "{\"activities\": [\"B\", \"C\", \"D\"], \"edges\": 5"));
    assert_non_null(strstr(out.ptr, "\"self_loops\": [\n    {\"activity\": \"G\", \"count\": 2}"));
    ab_buf_dispose(&out);
    ab_dfg_destroy(d);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

/* ---- Filters. ---- */

static void test_filters(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_log *log = mklog(ctx, handmade, HANDMADE_N);
    ab_dfg_options o = AB_DFG_OPTIONS_INIT;
    o.min_edge_cases = 2;
    ab_dfg *d = discover(ctx, log, &o);
    assert_int_equal(ab_dfg_edge_count(d), 2);
    assert_int_equal(ab_dfg_get_info(d)->edges_before_filter, 4);
    assert_null(edge(d, "B", "B"));
    assert_int_equal(ab_dfg_cycle_count(d), 0); /* The self-loop went with its edge. */
    ab_dfg_destroy(d);
    /* Start and end edges follow the same threshold. */
    o.min_edge_cases = 6;
    d = discover(ctx, log, &o);
    uint32_t ns;
    ab_dfg_starts(d, &ns);
    assert_int_equal(ns, 0);
    assert_int_equal(ab_dfg_activities(d)[0].starts, 5); /* The activity keeps its figure. */
    ab_dfg_destroy(d);
    /* The most frequent variant only: c1, c2, c5. */
    o = (ab_dfg_options)AB_DFG_OPTIONS_INIT;
    o.top_variants = 1;
    d = discover(ctx, log, &o);
    assert_int_equal(ab_dfg_get_info(d)->cases, 3);
    assert_int_equal(ab_dfg_get_info(d)->log_cases, 5);
    assert_int_equal(ab_dfg_edge_count(d), 2);
    assert_int_equal(edge(d, "A", "B")->count, 3);
    assert_int_equal(ab_dfg_variant_count(d), 1);
    assert_near(ab_dfg_variants(d)[0].share, 1.0);
    ab_dfg_destroy(d);
    /* Listing two variants keeps the graph and the count of all three. */
    o = (ab_dfg_options)AB_DFG_OPTIONS_INIT;
    o.max_variants = 2;
    d = discover(ctx, log, &o);
    assert_int_equal(ab_dfg_variant_count(d), 2);
    assert_int_equal(ab_dfg_get_info(d)->variants_total, 3);
    assert_int_equal(ab_dfg_variants(d)[1].length, 4);
    assert_int_equal(ab_dfg_edge_count(d), 4);
    ab_dfg_destroy(d);
    ab_log_destroy(log);

    /* Activities: A 3, B 3, X 1 event. */
    const tev evs[] = {
        {"c1", "A", 0, NOTIME, 0}, {"c1", "X", 5, NOTIME, 0}, {"c1", "B", 9, NOTIME, 0},
        {"c2", "A", 0, NOTIME, 0}, {"c2", "B", 2, NOTIME, 0}, {"c3", "A", 0, NOTIME, 0},
        {"c3", "B", 4, NOTIME, 0},
    };
    log = mklog(ctx, evs, 7);
    o = (ab_dfg_options)AB_DFG_OPTIONS_INIT;
    d = discover(ctx, log, &o);
    assert_int_equal(edge(d, "A", "B")->count, 2);
    assert_int_equal(edge(d, "A", "X")->count, 1);
    ab_dfg_destroy(d);
    /* 80% of 7 events needs A and B (6): X is removed from c1, which becomes A -> B. */
    o.activities_percent = 80;
    d = discover(ctx, log, &o);
    assert_int_equal(ab_dfg_activity_count(d), 2);
    uint32_t x;
    assert_int_equal(ab_dfg_activity_find(d, "X", &x), AB_ENOTFOUND);
    assert_int_equal(edge(d, "A", "B")->count, 3);
    assert_near(edge(d, "A", "B")->duration.max, 9); /* From A to B across the removed X. */
    assert_int_equal(ab_dfg_get_info(d)->events, 6);
    assert_int_equal(ab_dfg_variant_count(d), 1);
    ab_dfg_destroy(d);
    /* 40% needs 2.8 events: A alone, chosen over B (same count) by name. */
    o.activities_percent = 40;
    d = discover(ctx, log, &o);
    assert_int_equal(ab_dfg_activity_count(d), 1);
    assert_string_equal(ab_dfg_activities(d)[0].name, "A");
    assert_int_equal(ab_dfg_edge_count(d), 0);
    ab_dfg_destroy(d);
    /* Bad options. */
    ab_error err;
    o.activities_percent = 0;
    assert_int_equal(ab_dfg_discover(&d, ctx, log, &o, &err), AB_EINVAL);
    o.activities_percent = 100.5;
    assert_int_equal(ab_dfg_discover(&d, ctx, log, &o, &err), AB_EINVAL);
    o = (ab_dfg_options)AB_DFG_OPTIONS_INIT;
    o.examples = 17;
    assert_int_equal(ab_dfg_discover(&d, ctx, log, &o, &err), AB_EINVAL);
    o = (ab_dfg_options)AB_DFG_OPTIONS_INIT;
    o.version = 99;
    assert_int_equal(ab_dfg_discover(&d, ctx, log, &o, &err), AB_EINVAL);
    assert_null(d);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

/* ---- Writers and determinism. ---- */

typedef struct outputs {
    ab_buf json, dot, svg, dfg;
} outputs;

static void write_all(const ab_dfg *d, outputs *o)
{
    ab_error err;
    memset(o, 0, sizeof(*o));
    assert_int_equal(ab_dfg_write_json(&o->json, d), AB_OK);
    assert_int_equal(ab_dfg_write_dot(&o->dot, d), AB_OK);
    assert_int_equal(ab_dfg_write_svg(&o->svg, d), AB_OK);
    assert_int_equal(ab_dfg_write_pm4py(&o->dfg, d, &err), AB_OK);
}

static void outputs_dispose(outputs *o)
{
    ab_buf_dispose(&o->json);
    ab_buf_dispose(&o->dot);
    ab_buf_dispose(&o->svg);
    ab_buf_dispose(&o->dfg);
}

static void assert_same_buf(const ab_buf *a, const ab_buf *b, const char *what)
{
    if (a->len != b->len || memcmp(a->ptr, b->ptr, a->len) != 0) {
        fail_msg("%s output differs (%zu vs %zu bytes)", what, a->len, b->len);
    }
}

/* A random log: sequences over 9 activities, increasing times within a case. */
static tev *random_log(unsigned seed, size_t cases, size_t *n_out, char (**names)[32])
{
    static const char *acts[] = {"register", "check",   "approve", "reject",  "pay",
                                 "notify",   "archive", "rework",  "escalate"};
    srand(seed);
    size_t cap = cases * 12;
    tev *evs = malloc(cap * sizeof(*evs));
    *names = malloc(cases * sizeof(**names));
    size_t n = 0;
    for (size_t c = 0; c < cases; c++) {
        snprintf((*names)[c], 32, "case%zu", c);
        size_t len = 2 + (size_t)(rand() % 9);
        double t = rand() % 100000;
        for (size_t k = 0; k < len; k++) {
            /* Unique times: input order never decides the order within a case. */
            t += 1 + rand() % 50000 + (double)(rand() % 1000) / 1000.0;
            int a = k == 0 ? 0 : 1 + rand() % 8;
            evs[n++] = (tev){(*names)[c], acts[a], t, NOTIME, 0};
        }
    }
    *n_out = n;
    return evs;
}

static void test_input_order_does_not_matter(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    size_t n;
    char(*names)[32];
    tev *evs = random_log(99, 400, &n, &names);
    ab_log *log1 = mklog(ctx, evs, n);
    /* Shuffle the events (Fisher-Yates, fixed seed). */
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)rand() % (i + 1);
        tev t = evs[i];
        evs[i] = evs[j];
        evs[j] = t;
    }
    ab_log *log2 = mklog(ctx, evs, n);
    /* Activity ids follow the names, not the input order. */
    assert_string_equal(ab_log_activity_name(log1, 0), ab_log_activity_name(log2, 0));
    ab_dfg *d1 = discover(ctx, log1, NULL), *d2 = discover(ctx, log2, NULL);
    outputs o1, o2;
    write_all(d1, &o1);
    write_all(d2, &o2);
    assert_same_buf(&o1.json, &o2.json, "json");
    assert_same_buf(&o1.dot, &o2.dot, "dot");
    assert_same_buf(&o1.svg, &o2.svg, "svg");
    assert_same_buf(&o1.dfg, &o2.dfg, "dfg");
    outputs_dispose(&o1);
    outputs_dispose(&o2);
    ab_dfg_destroy(d1);
    ab_dfg_destroy(d2);
    ab_log_destroy(log1);
    ab_log_destroy(log2);
    free(evs);
    free(names);
    ab_ctx_destroy(ctx);
}

static char *read_text(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)len + 1);
    if (fread(s, 1, (size_t)len, f) != (size_t)len) {
        free(s);
        fclose(f);
        return NULL;
    }
    s[len] = '\0';
    fclose(f);
    if (len_out != NULL) {
        *len_out = (size_t)len;
    }
    return s;
}

static ab_log *ingest(ab_ctx *ctx, const char *path, ab_lc_filter lc)
{
    ab_read_options ro = AB_READ_OPTIONS_INIT;
    ro.log.lifecycle = lc;
    ab_log *log = NULL;
    ab_error err;
    ab_error_clear(&err);
    int rc = ab_ingest_files(&log, ctx, &path, 1, &ro, &err);
    if (rc != AB_OK) {
        char msg[1024];
        ab_error_format(&err, msg, sizeof(msg));
        fail_msg("reading %s: %s", path, msg);
    }
    return log;
}

/* tests/data/discover/handmade.csv against the expected JSON and .dfg next to it. */
static void test_expected_outputs(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    char path[4096];
    snprintf(path, sizeof(path), "%s", tu_testdata("discover/handmade.csv"));
    ab_log *log = ingest(ctx, path, AB_LCF_ALL);
    ab_dfg *d = discover(ctx, log, NULL);
    outputs o;
    write_all(d, &o);
    const char *pairs[][2] = {{"discover/handmade.json", NULL}, {"discover/handmade.dfg", NULL}};
    const ab_buf *got[] = {&o.json, &o.dfg};
    for (int i = 0; i < 2; i++) {
        size_t len;
        char *want = read_text(tu_testdata(pairs[i][0]), &len);
        assert_non_null(want);
        if (len != got[i]->len || memcmp(want, got[i]->ptr, len) != 0) {
            fail_msg("%s differs from the output:\n%s", pairs[i][0], got[i]->ptr);
        }
        free(want);
    }
    outputs_dispose(&o);
    ab_dfg_destroy(d);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

/* Runs a shell command; returns its exit status, or -1 when it could not run. */
static int run(const char *cmd)
{
    int st = system(cmd);
    if (st == -1 || !WIFEXITED(st)) {
        return -1;
    }
    return WEXITSTATUS(st);
}

static void test_writers_escape_and_validate(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    /* Names that break naive writers: quotes, backslashes, markup, a tab, bad UTF-8. */
    const char *nasty[] = {"say \"hi\"", "back\\slash \\N",          "<b>&amp;</b>",
                           "tab\there",  "caf\xc3\xa9 \xff\xfe bad", "\xe2\x86\x92 arrow"};
    tev evs[32];
    size_t n = 0;
    const char *cases[] = {"x1", "x2", "x3"};
    for (size_t c = 0; c < 3; c++) {
        for (size_t k = 0; k < 6; k++) {
            evs[n] = (tev){cases[c], nasty[(k + c) % 6], (double)(60 * k + c), NOTIME, 0};
            n++;
        }
    }
    ab_log *log = mklog(ctx, evs, n);
    ab_dfg *d = discover(ctx, log, NULL);
    outputs o;
    write_all(d, &o);
    assert_non_null(strstr(o.dot.ptr, "label=\"say \\\"hi\\\"\\n"));
    assert_non_null(strstr(o.dot.ptr, "back\\\\slash \\\\N"));
    assert_non_null(strstr(o.svg.ptr, "&lt;b&gt;&amp;amp;&lt;/b&gt;"));
    assert_non_null(strstr(o.svg.ptr, "say &quot;hi&quot;"));
    assert_null(strstr(o.svg.ptr, "\xff"));
    assert_non_null(strstr(o.json.ptr, "\"say \\\"hi\\\"\""));
    const char *dot_path = tu_tmpfile(o.dot.ptr, o.dot.len, ".dot");
    const char *svg_path = tu_tmpfile(o.svg.ptr, o.svg.len, ".svg");
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "command -v dot >/dev/null 2>&1");
    if (run(cmd) != 0) {
        fprintf(stderr, "SKIP part: Graphviz `dot` not installed (apt-get install graphviz)\n");
    } else {
        snprintf(cmd, sizeof(cmd), "dot -Tsvg '%s' -o /dev/null", dot_path);
        assert_int_equal(run(cmd), 0);
    }
    snprintf(cmd, sizeof(cmd), "command -v xmllint >/dev/null 2>&1");
    if (run(cmd) != 0) {
        fprintf(stderr, "SKIP part: xmllint not installed (apt-get install libxml2-utils)\n");
    } else {
        snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", svg_path);
        assert_int_equal(run(cmd), 0);
    }
    remove(dot_path);
    remove(svg_path);
    outputs_dispose(&o);
    ab_dfg_destroy(d);
    ab_log_destroy(log);
    /* A line break in a name: the .dfg format cannot hold it. */
    const tev bad[] = {{"y", "two\nlines", 0, NOTIME, 0}, {"y", "B", 1, NOTIME, 0}};
    log = mklog(ctx, bad, 2);
    d = discover(ctx, log, NULL);
    ab_buf b = AB_BUF_INIT;
    ab_error err;
    assert_int_equal(ab_dfg_write_pm4py(&b, d, &err), AB_EINVAL);
    assert_non_null(strstr(err.msg, "line break"));
    ab_buf_dispose(&b);
    assert_int_equal(ab_dfg_write_dot(&b, d), AB_OK);
    assert_non_null(strstr(b.ptr, "two\\nlines"));
    ab_buf_dispose(&b);
    ab_dfg_destroy(d);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

static void test_empty_log(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_log *log = mklog(ctx, NULL, 0);
    ab_dfg *d = discover(ctx, log, NULL);
    assert_int_equal(ab_dfg_activity_count(d), 0);
    assert_int_equal(ab_dfg_edge_count(d), 0);
    assert_int_equal(ab_dfg_variant_count(d), 0);
    outputs o;
    write_all(d, &o);
    assert_non_null(strstr(o.json.ptr, "\"edges\": []"));
    assert_non_null(strstr(o.svg.ptr, "</svg>"));
    assert_string_equal(o.dfg.ptr, "0\n0\n0\n");
    outputs_dispose(&o);
    ab_dfg_destroy(d);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

/* ---- The accumulator: sketch and memory. ---- */

static const char *names_fn(uint32_t id, size_t *len, void *payload)
{
    const char *const *names = payload;
    if (id >= 6) {
        return NULL;
    }
    *len = strlen(names[id]);
    return names[id];
}

/*
 * Feeds `cases` cases over 6 activities, cycling through a pool of 5000
 * random ones (fixed seed) under new case ids: more events of the same
 * process. Durations are whole seconds, log-uniform from 1 s to 1.5 days,
 * one in ten a tie (0), as in real logs.
 */
static ab_dfg_acc *feed(ab_ctx *ctx, ab_dfg_quantiles q, size_t cases, unsigned seed)
{
    static const char *const names[] = {"a", "b", "c", "d", "e", "f"};
    enum { POOL = 5000 };
    ab_dfg_options o = AB_DFG_OPTIONS_INIT;
    o.quantiles = q;
    ab_dfg_acc *acc = NULL;
    assert_int_equal(ab_dfg_acc_create(&acc, ctx, &o, names_fn, (void *)names), AB_OK);
    uint32_t(*act_ids)[8] = malloc(POOL * sizeof(*act_ids));
    ab_time(*ts)[8] = malloc(POOL * sizeof(*ts));
    uint32_t *lens = malloc(POOL * sizeof(*lens));
    srand(seed);
    for (size_t c = 0; c < POOL; c++) {
        lens[c] = 2 + (uint32_t)(rand() % 5);
        ab_time t = 0;
        for (uint32_t k = 0; k < lens[c]; k++) {
            act_ids[c][k] = k == 0 ? 0 : 1 + (uint32_t)(rand() % 2) + (k > 2 ? 2 : 0);
            if (rand() % 10 != 0) {
                t += (ab_time)exp2(17.0 * rand() / (double)RAND_MAX) * 1000000;
            }
            ts[c][k] = t;
        }
    }
    char id[32];
    for (size_t c = 0; c < cases; c++) {
        snprintf(id, sizeof(id), "case-%zu", c);
        ab_dfg_case v = {id,   strlen(id), lens[c % POOL], act_ids[c % POOL], ts[c % POOL],
                         NULL, NULL};
        ab_error err;
        assert_int_equal(ab_dfg_acc_add_case(acc, &v, &err), AB_OK);
    }
    free(act_ids);
    free(ts);
    free(lens);
    return acc;
}

static void test_sketch_close_and_flat(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_error err;
    ab_dfg *exact = NULL, *sketch = NULL;
    assert_int_equal(ab_dfg_acc_finish(feed(ctx, AB_DFG_EXACT, 20000, 5), &exact, &err), AB_OK);
    assert_int_equal(ab_dfg_acc_finish(feed(ctx, AB_DFG_SKETCH, 20000, 5), &sketch, &err), AB_OK);
    assert_int_equal(ab_dfg_edge_count(exact), ab_dfg_edge_count(sketch));
    for (uint32_t i = 0; i < ab_dfg_edge_count(exact); i++) {
        const ab_dfg_edge *e = &ab_dfg_edges(exact)[i], *s = &ab_dfg_edges(sketch)[i];
        assert_int_equal(e->from, s->from);
        assert_int_equal(e->count, s->count);
        assert_int_equal(e->cases, s->cases);
        /* min, max and mean are exact in both modes. */
        assert_true(e->duration.min == s->duration.min);
        assert_true(e->duration.max == s->duration.max);
        assert_true(e->duration.mean == s->duration.mean);
        if (e->count > AB__DSTAT_EXACT) {
            assert_true(fabs(s->duration.median - e->duration.median) <=
                        0.008 * e->duration.median + 1e-6);
            assert_true(fabs(s->duration.p90 - e->duration.p90) <= 0.008 * e->duration.p90 + 1e-6);
        } else {
            assert_true(s->duration.median == e->duration.median);
        }
    }
    ab_dfg_destroy(exact);
    ab_dfg_destroy(sketch);
    /* Memory: ten times the events of the same process, the same memory in sketch mode. */
    /* Past 32 values a series is a sketch; every series of the pool is one at 50000 cases. */
    ab_dfg_acc *small = feed(ctx, AB_DFG_SKETCH, 50000, 9);
    ab_dfg_acc *large = feed(ctx, AB_DFG_SKETCH, 500000, 9);
    size_t ms = ab_dfg_acc_memory(small), ml = ab_dfg_acc_memory(large);
    /* Only example ids may change (a smaller id can be a longer one). */
    if (ml > ms + ms / 100) {
        fail_msg("sketch memory grew from %zu to %zu bytes", ms, ml);
    }
    ab_dfg_acc_destroy(small);
    ab_dfg_acc_destroy(large);
    small = feed(ctx, AB_DFG_EXACT, 50000, 9);
    large = feed(ctx, AB_DFG_EXACT, 500000, 9);
    assert_true(ab_dfg_acc_memory(large) > 5 * ab_dfg_acc_memory(small));
    ab_dfg_acc_destroy(small);
    ab_dfg_acc_destroy(large);
    ab_ctx_destroy(ctx);
}

/* ---- Out of memory at every allocation. ---- */

static void test_enomem(void **state)
{
    (void)state;
    tu_alloc setup = {0};
    ab_ctx *lctx = tu_ctx_counting(&setup);
    ab_log *log = mklog(lctx, handmade, HANDMADE_N);
    for (uint64_t n = 1;; n++) {
        tu_alloc al = {0};
        al.fail_at = n;
        ab_ctx *ctx = tu_ctx_counting(&al);
        ab_dfg *d = NULL;
        ab_error err;
        ab_dfg_options o = AB_DFG_OPTIONS_INIT;
        o.activities_percent = 90; /* Also exercises the projection. */
        int rc = ab_dfg_discover(&d, ctx, log, &o, &err);
        ab_buf b = AB_BUF_INIT;
        if (rc == AB_OK) {
            rc = ab_dfg_write_json(&b, d);
        }
        ab_buf_dispose(&b);
        if (rc == AB_OK) {
            rc = ab_dfg_write_dot(&b, d);
        }
        ab_buf_dispose(&b);
        if (rc == AB_OK) {
            rc = ab_dfg_write_svg(&b, d);
        }
        ab_buf_dispose(&b);
        if (rc == AB_OK) {
            rc = ab_dfg_write_pm4py(&b, d, &err);
        }
        ab_buf_dispose(&b);
        ab_dfg_destroy(d);
        ab_ctx_destroy(ctx);
        assert_int_equal(al.live, 0);
        if (al.failed == 0) {
            assert_int_equal(rc, AB_OK);
            break;
        }
        assert_int_equal(rc, AB_ENOMEM);
    }
    /* The sketch path, through the accumulator directly. */
    for (uint64_t n = 1;; n++) {
        tu_alloc al = {0};
        al.fail_at = n;
        ab_ctx *ctx = tu_ctx_counting(&al);
        static const char *const names[] = {"a", "b", "c", "d", "e", "f"};
        ab_dfg_options o = AB_DFG_OPTIONS_INIT;
        o.quantiles = AB_DFG_SKETCH;
        ab_dfg_acc *acc = NULL;
        int rc = ab_dfg_acc_create(&acc, ctx, &o, names_fn, (void *)names);
        uint32_t ids[4] = {0, 1, 2, 1};
        ab_time ts[4] = {0, 1000, 5000000, 90000000000};
        ab_error err;
        for (int c = 0; rc == AB_OK && c < 80; c++) {
            char id[16];
            snprintf(id, sizeof(id), "k%d", c);
            ts[1] = 1000 * (c + 1);
            ab_dfg_case v = {id, strlen(id), 4, ids, ts, NULL, NULL};
            rc = ab_dfg_acc_add_case(acc, &v, &err);
        }
        ab_dfg *d = NULL;
        if (rc == AB_OK) {
            rc = ab_dfg_acc_finish(acc, &d, &err);
        } else {
            ab_dfg_acc_destroy(acc);
        }
        ab_dfg_destroy(d);
        ab_ctx_destroy(ctx);
        assert_int_equal(al.live, 0);
        if (al.failed == 0) {
            assert_int_equal(rc, AB_OK);
            break;
        }
        assert_int_equal(rc, AB_ENOMEM);
    }
    ab_log_destroy(log);
    ab_ctx_destroy(lctx);
}

/* ---- PM4Py's numbers on the shared logs. ---- */

/* A small JSON reader, enough for the expected files. */
typedef struct jv {
    char t;       /* 'n' null, 'b' boolean, 'd' number, 's' string, 'a' array, 'o' object. */
    double d;     /* Number or boolean. */
    char *s;      /* String (UTF-8, NUL-terminated). */
    size_t n;     /* Items of an array or object. */
    struct jv *v; /* The items (object values). */
    char **k;     /* Object keys. */
} jv;

static const char *jws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') {
        p++;
    }
    return p;
}

static void put_utf8(char **w, unsigned cp)
{
    char *o = *w;
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | cp >> 12);
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | cp >> 18);
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    *w = o;
}

static const char *jstr(const char *p, char **out)
{
    const char *q = p + 1;
    char *s = malloc(strlen(p) + 1), *w = s;
    while (*q != '"') {
        if (*q == '\0') {
            free(s);
            return NULL;
        }
        if (*q != '\\') {
            *w++ = *q++;
            continue;
        }
        q++;
        char e = *q++;
        switch (e) {
        case 'n':
            *w++ = '\n';
            break;
        case 't':
            *w++ = '\t';
            break;
        case 'r':
            *w++ = '\r';
            break;
        case 'b':
            *w++ = '\b';
            break;
        case 'f':
            *w++ = '\f';
            break;
        case 'u': {
            unsigned cp = (unsigned)strtoul((char[5]){q[0], q[1], q[2], q[3], 0}, NULL, 16);
            q += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && q[0] == '\\' && q[1] == 'u') {
                unsigned lo = (unsigned)strtoul((char[5]){q[2], q[3], q[4], q[5], 0}, NULL, 16);
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                q += 6;
            }
            put_utf8(&w, cp);
            break;
        }
        default:
            *w++ = e;
            break;
        }
    }
    *w = '\0';
    *out = s;
    return q + 1;
}

static const char *jparse(const char *p, jv *out)
{
    memset(out, 0, sizeof(*out));
    p = jws(p);
    if (*p == '"') {
        out->t = 's';
        return jstr(p, &out->s);
    }
    if (*p == '[' || *p == '{') {
        int obj = *p == '{';
        out->t = obj ? 'o' : 'a';
        p = jws(p + 1);
        size_t cap = 0;
        while (*p != (obj ? '}' : ']')) {
            if (out->n == cap) {
                cap = cap ? cap * 2 : 8;
                out->v = realloc(out->v, cap * sizeof(*out->v));
                out->k = realloc(out->k, cap * sizeof(*out->k));
            }
            out->k[out->n] = NULL;
            if (obj) {
                p = jstr(jws(p), &out->k[out->n]);
                if (p == NULL || *(p = jws(p)) != ':') {
                    return NULL;
                }
                p++;
            }
            p = jparse(p, &out->v[out->n]);
            if (p == NULL) {
                return NULL;
            }
            out->n++;
            p = jws(p);
            if (*p == ',') {
                p = jws(p + 1);
            }
        }
        return p + 1;
    }
    if (strncmp(p, "null", 4) == 0) {
        out->t = 'n';
        return p + 4;
    }
    if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0) {
        out->t = 'b';
        out->d = *p == 't';
        return p + (*p == 't' ? 4 : 5);
    }
    char *end;
    out->t = 'd';
    out->d = strtod(p, &end);
    return end == p ? NULL : end;
}

static void jfree(jv *j)
{
    for (size_t i = 0; i < j->n; i++) {
        jfree(&j->v[i]);
        free(j->k[i]);
    }
    free(j->v);
    free(j->k);
    free(j->s);
}

static const jv *jget(const jv *o, const char *key)
{
    for (size_t i = 0; o->t == 'o' && i < o->n; i++) {
        if (strcmp(o->k[i], key) == 0) {
            return &o->v[i];
        }
    }
    return NULL;
}

static int compare_endpoints(const char *label, const ab_dfg *d, const jv *want, int start)
{
    uint32_t n;
    if (start) {
        ab_dfg_starts(d, &n);
    } else {
        ab_dfg_ends(d, &n);
    }
    int bad = n != want->n;
    for (size_t i = 0; i < want->n; i++) {
        uint32_t a;
        uint64_t got = 0;
        if (ab_dfg_activity_find(d, want->k[i], &a) == AB_OK) {
            got = start ? ab_dfg_activities(d)[a].starts : ab_dfg_activities(d)[a].ends;
        }
        if (got != (uint64_t)want->v[i].d) {
            fprintf(stderr, "%s: %s activity '%s': asbuilt %llu, PM4Py %.0f\n", label,
                    start ? "start" : "end", want->k[i], (unsigned long long)got, want->v[i].d);
            bad = 1;
        }
    }
    return bad;
}

/* Edge for edge and count for count, plus the start and end activities. */
static int compare_with_pm4py(const char *label, const ab_dfg *d, const jv *exp)
{
    const jv *dfg = jget(exp, "dfg");
    const jv *sa = jget(exp, "start_activities"), *ea = jget(exp, "end_activities");
    assert_non_null(dfg);
    assert_non_null(sa);
    assert_non_null(ea);
    int bad = 0;
    if (ab_dfg_edge_count(d) != dfg->n) {
        fprintf(stderr, "%s: %u edges, PM4Py has %zu\n", label, ab_dfg_edge_count(d), dfg->n);
        bad = 1;
    }
    for (size_t i = 0; i < dfg->n; i++) {
        const jv *t = &dfg->v[i];
        assert_int_equal(t->n, 3);
        uint32_t a, b;
        const ab_dfg_edge *e = NULL;
        if (ab_dfg_activity_find(d, t->v[0].s, &a) == AB_OK &&
            ab_dfg_activity_find(d, t->v[1].s, &b) == AB_OK) {
            e = ab_dfg_edge_find(d, a, b);
        }
        if (e == NULL || e->count != (uint64_t)t->v[2].d) {
            fprintf(stderr, "%s: edge '%s' -> '%s': asbuilt %llu, PM4Py %.0f\n", label, t->v[0].s,
                    t->v[1].s, e ? (unsigned long long)e->count : 0ULL, t->v[2].d);
            bad = 1;
        }
    }
    bad |= compare_endpoints(label, d, sa, 1);
    bad |= compare_endpoints(label, d, ea, 0);
    return bad;
}

static void test_pm4py_equality(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", tu_shared("expected"));
    DIR *dp = opendir(dir);
    if (dp == NULL) {
        fail_msg("shared data not found at %s (set AB_SHARED_DATA)", dir);
    }
    char *files[128];
    int nf = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL && nf < 128) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0) {
            files[nf++] = strdup(de->d_name);
        }
    }
    closedir(dp);
    /* Every log of the shared set must be checked at least once. */
    char logs_dir[4096];
    snprintf(logs_dir, sizeof(logs_dir), "%s", tu_shared("logs"));
    char *logs[128];
    int nl = 0, covered[128] = {0};
    dp = opendir(logs_dir);
    assert_non_null(dp);
    while ((de = readdir(dp)) != NULL && nl < 128) {
        if (de->d_name[0] != '.') {
            logs[nl++] = strdup(de->d_name);
        }
    }
    closedir(dp);
    ab_ctx *ctx = tu_ctx();
    int failures = 0, checked = 0;
    for (int i = 0; i < nf; i++) {
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        char *text = read_text(path, NULL);
        assert_non_null(text);
        jv exp;
        assert_non_null(jparse(text, &exp));
        free(text);
        const jv *input = jget(&exp, "input");
        const char *logname = jget(input, "log")->s;
        const jv *filt = jget(jget(input, "columns"), "lifecycle_filter");
        ab_lc_filter lc = AB_LCF_ALL;
        if (filt != NULL && filt->n == 1 && strcmp(filt->v[0].s, "complete") == 0) {
            lc = AB_LCF_COMPLETE;
        }
        char logpath[8192];
        snprintf(logpath, sizeof(logpath), "%s/%s", logs_dir, logname);
        ab_log *log = ingest(ctx, logpath, lc);
        ab_dfg *d = discover(ctx, log, NULL);
        int bad = compare_with_pm4py(files[i], d, &exp);
        fprintf(stderr, "%s %s (%u edges)\n", bad ? "FAIL" : "ok  ", files[i],
                ab_dfg_edge_count(d));
        failures += bad;
        checked++;
        for (int k = 0; k < nl; k++) {
            covered[k] |= strcmp(logs[k], logname) == 0;
        }
        ab_dfg_destroy(d);
        ab_log_destroy(log);
        jfree(&exp);
        free(files[i]);
    }
    for (int k = 0; k < nl; k++) {
        if (!covered[k]) {
            fprintf(stderr, "FAIL %s: no expected file checks it\n", logs[k]);
            failures++;
        }
        free(logs[k]);
    }
    ab_ctx_destroy(ctx);
    assert_true(checked > 0);
    assert_int_equal(failures, 0);
}

/* The same data as XES, as CSV, and as CSV with shuffled rows: the same bytes. */
static void test_xes_csv_shuffled_identical(void **state)
{
    (void)state;
    static const char *pairs[][2] = {
        {"logs/pm4py_running-example.xes", "logs/pm4py_running-example.csv"},
        {"logs/pm4py_08_receipt.xes.gz", "logs/pm4py_receipt.csv"},
    };
    ab_ctx *ctx = tu_ctx();
    for (size_t p = 0; p < 2; p++) {
        char xes[4096], csv[4096];
        snprintf(xes, sizeof(xes), "%s", tu_shared(pairs[p][0]));
        snprintf(csv, sizeof(csv), "%s", tu_shared(pairs[p][1]));
        if (p > 0 && !tu_exists(csv)) {
            print_message("skipping %s: not in this reference set\n", csv);
            continue;
        }
        /* Shuffle the CSV's data rows with a fixed seed. */
        size_t len;
        char *text = read_text(csv, &len);
        assert_non_null(text);
        char **rows = malloc((len / 2 + 2) * sizeof(char *));
        size_t nrows = 0;
        for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
            rows[nrows++] = line;
        }
        srand(2024);
        for (size_t i = nrows - 1; i > 1; i--) {
            size_t j = 1 + (size_t)rand() % i;
            char *t = rows[i];
            rows[i] = rows[j];
            rows[j] = t;
        }
        ab_buf sh = AB_BUF_INIT;
        for (size_t i = 0; i < nrows; i++) {
            assert_int_equal(ab_buf_append(&sh, ctx, rows[i], strlen(rows[i])), AB_OK);
            assert_int_equal(ab_buf_append(&sh, ctx, "\n", 1), AB_OK);
        }
        char shpath[4096];
        snprintf(shpath, sizeof(shpath), "%s", tu_tmpfile(sh.ptr, sh.len, ".csv"));
        ab_buf_dispose(&sh);
        free(rows);
        free(text);
        const char *paths[] = {xes, csv, shpath};
        ab_buf out[3];
        for (int k = 0; k < 3; k++) {
            ab_log *log = ingest(ctx, paths[k], AB_LCF_ALL);
            ab_dfg *d = discover(ctx, log, NULL);
            memset(&out[k], 0, sizeof(out[k]));
            assert_int_equal(ab_dfg_write_json(&out[k], d), AB_OK);
            ab_dfg_destroy(d);
            ab_log_destroy(log);
        }
        assert_same_buf(&out[0], &out[1], pairs[p][0]);
        assert_same_buf(&out[1], &out[2], pairs[p][1]);
        for (int k = 0; k < 3; k++) {
            ab_buf_dispose(&out[k]);
        }
        remove(shpath);
    }
    ab_ctx_destroy(ctx);
}

/* ---- One-pass discovery: cases from the reader straight to the accumulator. ---- */

typedef struct one_pass {
    ab_dfg_acc *acc;
    const ab_log_builder *b;
} one_pass;

static const char *one_pass_name(uint32_t id, size_t *len_out, void *payload)
{
    const one_pass *op = payload;
    return ab_log_builder_activity_name(op->b, id, len_out);
}

static int one_pass_case(const ab_case_out *c, void *payload, ab_error *err)
{
    one_pass *op = payload;
    op->b = c->builder;
    ab_dfg_case v = {c->case_id, c->case_id_len, c->length, c->activity,
                     c->ts,      c->start,       c->lifecycle};
    return ab_dfg_acc_add_case(op->acc, &v, err);
}

/* Every shared XES log gives byte-identical outputs in one pass and from a finished log. */
static void test_one_pass_identical(void **state)
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
        for (int lc = 0; lc < 2; lc++) {
            ab_dfg_options o = AB_DFG_OPTIONS_INIT;
            o.quantiles = AB_DFG_SKETCH;
            o.min_edge_cases = lc ? 2 : 0;
            ab_log *log = ingest(ctx, path, lc ? AB_LCF_COMPLETE : AB_LCF_ALL);
            ab_dfg *want = discover(ctx, log, &o);
            ab_log_destroy(log);

            one_pass op = {NULL, NULL};
            assert_int_equal(ab_dfg_acc_create(&op.acc, ctx, &o, one_pass_name, &op), AB_OK);
            ab_read_options ro = AB_READ_OPTIONS_INIT;
            ro.log.lifecycle = lc ? AB_LCF_COMPLETE : AB_LCF_ALL;
            ro.log.case_sink = one_pass_case;
            ro.log.case_sink_payload = &op;
            ab_error err;
            ab_log *summary;
            assert_int_equal(ab_ingest_files(&summary, ctx, &path, 1, &ro, &err), AB_OK);
            assert_int_equal(ab_log_event_count(summary), 0);
            ab_log_destroy(summary);
            ab_dfg *got;
            assert_int_equal(ab_dfg_acc_finish(op.acc, &got, &err), AB_OK);

            outputs a, b;
            write_all(want, &a);
            write_all(got, &b);
            assert_same_buf(&a.json, &b.json, de->d_name);
            assert_same_buf(&a.dot, &b.dot, de->d_name);
            assert_same_buf(&a.svg, &b.svg, de->d_name);
            assert_same_buf(&a.dfg, &b.dfg, de->d_name);
            outputs_dispose(&a);
            outputs_dispose(&b);
            ab_dfg_destroy(want);
            ab_dfg_destroy(got);
        }
        checked++;
    }
    closedir(d);
    assert_true(checked >= 2);
    ab_ctx_destroy(ctx);
}


/* ---- Merging accumulators of parts (as asbuilt-mpi does). ---- */

/* Accumulators that only load saved parts never ask for a name. */
static const char *no_names(uint32_t id, size_t *len_out, void *payload)
{
    (void)id;
    (void)len_out;
    (void)payload;
    return NULL;
}

/* The cases c of log with c % parts == part (or, when by_time, the cases
 * whose first event falls in the part-th slice of the log's time span). */
static ab_log *part_log(ab_ctx *ctx, const ab_log *log, uint32_t parts, uint32_t part)
{
    ab_log_builder *b;
    ab_error err;
    assert_int_equal(ab_log_builder_create(&b, ctx, NULL), AB_OK);
    const uint32_t *acts = ab_log_col_activity(log);
    const ab_time *ts = ab_log_has_timestamps(log) ? ab_log_col_time(log) : NULL;
    const ab_time *start = ab_log_col_start(log);
    const uint8_t *lc = ab_log_col_lifecycle(log);
    for (uint32_t c = 0; c < ab_log_case_count(log); c++) {
        /* A spread that is neither contiguous nor alternating. */
        if ((c * 2654435761u >> 7) % parts != part) {
            continue;
        }
        const char *id = ab_log_case_id(log, c);
        uint64_t first = ab_log_case_first(log, c);
        for (uint32_t k = 0; k < ab_log_case_length(log, c); k++) {
            uint64_t e = first + k;
            ab_event_in in;
            memset(&in, 0, sizeof(in));
            in.case_id = id;
            in.case_id_len = strlen(id);
            in.activity = ab_log_activity_name(log, acts[e]);
            in.activity_len = strlen(in.activity);
            in.ts = ts != NULL ? ts[e] : AB_TIME_NONE;
            in.start_ts = start != NULL ? start[e] : AB_TIME_NONE;
            in.lifecycle = lc != NULL ? (ab_lifecycle)lc[e] : AB_LC_NONE;
            in.line = e + 2;
            assert_int_equal(ab_log_builder_add_event(b, &in, &err), AB_OK);
        }
    }
    ab_log *out;
    assert_int_equal(ab_log_builder_finish(b, &out, &err), AB_OK);
    return out;
}

#define MERGE_PARTS 3

typedef struct id_keep {
    const char *id;
    uint8_t keep;
} id_keep;

static int cmp_id_keep(const void *a, const void *b)
{
    return strcmp(((const id_keep *)a)->id, ((const id_keep *)b)->id);
}

/*
 * The choices of the case and activity filters, made on the whole log, for
 * part: the cases of the top variants (by id), the activities kept (by name).
 * NULL when the filter is off.
 */
static void part_keeps(ab_ctx *ctx, const ab_log *whole, const ab_log *part,
                       const ab_dfg_options *o, uint8_t **case_keep, uint8_t **act_keep)
{
    *case_keep = NULL;
    *act_keep = NULL;
    uint32_t nc = ab_log_case_count(whole), na = ab_log_activity_count(whole);
    id_keep *ids = malloc(sizeof(*ids) * (nc + 1));
    for (uint32_t c = 0; c < nc; c++) {
        ids[c].id = ab_log_case_id(whole, c);
        ids[c].keep = o->top_variants == 0 || ab_log_case_variant(whole, c) < o->top_variants;
    }
    if (o->top_variants > 0) {
        *case_keep = malloc(ab_log_case_count(part) + 1);
        qsort(ids, nc, sizeof(*ids), cmp_id_keep);
        for (uint32_t c = 0; c < ab_log_case_count(part); c++) {
            id_keep key = {ab_log_case_id(part, c), 0};
            id_keep *hit = bsearch(&key, ids, nc, sizeof(*ids), cmp_id_keep);
            assert_non_null(hit);
            (*case_keep)[c] = hit->keep;
        }
    }
    if (o->activities_percent < 100.0) {
        uint64_t *events = calloc(na + 1, sizeof(*events));
        const uint32_t *act = ab_log_col_activity(whole);
        for (uint32_t c = 0; c < nc; c++) {
            if (o->top_variants > 0 && ab_log_case_variant(whole, c) >= o->top_variants) {
                continue;
            }
            for (uint32_t k = 0; k < ab_log_case_length(whole, c); k++) {
                events[act[ab_log_case_first(whole, c) + k]]++;
            }
        }
        uint8_t *keep = malloc(na + 1);
        assert_int_equal(ab_dfg_choose_activities(ctx, events, na, o->activities_percent, keep),
                         AB_OK);
        uint32_t np = ab_log_activity_count(part);
        *act_keep = calloc(np + 1, 1);
        for (uint32_t a = 0; a < np; a++) {
            for (uint32_t w = 0; w < na; w++) {
                if (strcmp(ab_log_activity_name(part, a), ab_log_activity_name(whole, w)) == 0) {
                    (*act_keep)[a] = keep[w];
                }
            }
        }
        free(keep);
        free(events);
    }
    free(ids);
}

typedef struct merge_parts {
    ab_ctx *ctx;
    ab_dfg_acc *acc[MERGE_PARTS];
    uint64_t *refs[MERGE_PARTS];
    const ab_dfg_order *orders;
    uint64_t *tmp;
    int calls;
} merge_parts;

static int sum_counts(const uint32_t *which, size_t n, const int64_t *at, uint64_t *counts,
                      void *payload)
{
    merge_parts *m = payload;
    memset(counts, 0, n * sizeof(*counts));
    for (int p = 0; p < MERGE_PARTS; p++) {
        ab_dfg_acc_order_count(m->acc[p], m->orders, m->refs[p], which, n, at, m->tmp);
        for (size_t j = 0; j < n; j++) {
            counts[j] += m->tmp[j];
        }
    }
    return AB_OK;
}

static int answer_orders(ab_dfg_order *orders, size_t n, void *payload, ab_error *err)
{
    (void)err;
    merge_parts *m = payload;
    m->calls++;
    m->orders = orders;
    m->tmp = malloc((n + 1) * sizeof(uint64_t));
    for (int p = 0; p < MERGE_PARTS; p++) {
        m->refs[p] = malloc((n + 1) * sizeof(uint64_t));
        assert_int_equal(ab_dfg_acc_order_bind(m->acc[p], orders, n, m->refs[p]), AB_OK);
    }
    void *scratch = malloc(ab_dfg_order_scratch_bytes(n));
    int rc = ab_dfg_order_select(orders, n, scratch, sum_counts, m);
    free(scratch);
    for (int p = 0; p < MERGE_PARTS; p++) {
        free(m->refs[p]);
        m->refs[p] = NULL;
    }
    free(m->tmp);
    return rc;
}

/*
 * Each part summarised apart, variants met on their owner (hash of names),
 * each owner's first max_variants to the merge, medians and p90 found by
 * counting over the parts: the graph of one run over the whole log, byte
 * for byte in every writer.
 */
static ab_dfg *merged_discover(ab_ctx *ctx, const ab_log *log, const ab_dfg_options *o)
{
    merge_parts m;
    memset(&m, 0, sizeof(m));
    m.ctx = ctx;
    ab_error err;
    ab_error_clear(&err);
    ab_buf graph[MERGE_PARTS], vars[MERGE_PARTS][MERGE_PARTS];
    memset(graph, 0, sizeof(graph));
    memset(vars, 0, sizeof(vars));
    for (int p = 0; p < MERGE_PARTS; p++) {
        ab_log *pl = part_log(ctx, log, MERGE_PARTS, (uint32_t)p);
        uint8_t *case_keep = NULL, *act_keep = NULL;
        part_keeps(ctx, log, pl, o, &case_keep, &act_keep);
        assert_int_equal(ab_dfg_discover_acc(&m.acc[p], ctx, pl, o, case_keep, act_keep, &err),
                         AB_OK);
        free(case_keep);
        free(act_keep);
        ab_log_destroy(pl);
        assert_int_equal(ab_dfg_acc_save(m.acc[p], &graph[p], vars[p], MERGE_PARTS), AB_OK);
    }
    ab_dfg_acc *all;
    assert_int_equal(ab_dfg_acc_create(&all, ctx, o, no_names, NULL), AB_OK);
    uint64_t total = 0;
    for (int owner = 0; owner < MERGE_PARTS; owner++) {
        ab_dfg_acc *own;
        assert_int_equal(ab_dfg_acc_create(&own, ctx, o, no_names, NULL), AB_OK);
        for (int p = 0; p < MERGE_PARTS; p++) {
            assert_int_equal(ab_dfg_acc_load(own, vars[p][owner].ptr, vars[p][owner].len, &err),
                             AB_OK);
            ab_buf_dispose(&vars[p][owner]);
        }
        total += ab_dfg_acc_variant_count(own);
        ab_buf top = AB_BUF_INIT;
        assert_int_equal(ab_dfg_acc_save_top(own, o->max_variants, &top), AB_OK);
        assert_int_equal(ab_dfg_acc_load(all, top.ptr, top.len, &err), AB_OK);
        ab_buf_dispose(&top);
        ab_dfg_acc_destroy(own);
    }
    for (int p = 0; p < MERGE_PARTS; p++) {
        assert_int_equal(ab_dfg_acc_load(all, graph[p].ptr, graph[p].len, &err), AB_OK);
        ab_buf_dispose(&graph[p]);
    }
    ab_dfg *d = NULL;
    int rc = ab_dfg_acc_finish_merged(all, total, answer_orders, &m, &d, &err);
    if (rc != AB_OK) {
        fail_msg("merged finish: %s", err.msg);
    }
    assert_int_equal(m.calls, 1);
    for (int p = 0; p < MERGE_PARTS; p++) {
        ab_dfg_acc_destroy(m.acc[p]);
    }
    return d;
}

static void test_merged_parts_identical(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    static const char *const logs[] = {
        "logs/pm4py_running-example.xes",
        "logs/pm4py_08_receipt.xes.gz",
        "logs/simod_PurchasingExample.xes.gz",
        "logs/simod_LoanApp_simplified_without_approve_loan_offer.csv",
    };
    for (size_t f = 0; f < sizeof(logs) / sizeof(logs[0]); f++) {
        ab_log *log = ingest(ctx, tu_shared(logs[f]), AB_LCF_ALL);
        for (int mode = 0; mode < 6; mode++) {
            ab_dfg_options o = AB_DFG_OPTIONS_INIT;
            o.quantiles = mode & 1 ? AB_DFG_SKETCH : AB_DFG_EXACT;
            o.instances = (mode >> 1) & 1;
            /* The filters, chosen on the whole log and handed to the parts. */
            o.top_variants = mode == 4 ? 3 : mode == 5 ? 6 : 0;
            o.activities_percent = mode == 5 ? 80.0 : 100.0;
            o.max_variants = mode == 1 ? 0 : 4; /* Few: each owner's first must do. */
            o.min_edge_cases = mode == 2 ? 3 : 0;
            o.examples = mode == 3 ? 16 : 3;
            ab_dfg *want = discover(ctx, log, &o);
            ab_dfg *got = merged_discover(ctx, log, &o);
            char what[256];
            snprintf(what, sizeof(what), "%s, mode %d", logs[f], mode);
            outputs a, b;
            write_all(want, &a);
            write_all(got, &b);
            assert_same_buf(&a.json, &b.json, what);
            assert_same_buf(&a.dot, &b.dot, what);
            assert_same_buf(&a.svg, &b.svg, what);
            assert_same_buf(&a.dfg, &b.dfg, what);
            outputs_dispose(&a);
            outputs_dispose(&b);
            ab_dfg_destroy(want);
            ab_dfg_destroy(got);
        }
        ab_log_destroy(log);
    }
    ab_ctx_destroy(ctx);
}

/* A saved part that is cut short, damaged, or made with other options. */
static void test_merged_bad_parts(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_log *log = mklog(ctx, handmade, HANDMADE_N);
    ab_dfg_options o = AB_DFG_OPTIONS_INIT;
    ab_error err;
    ab_dfg_acc *acc;
    assert_int_equal(ab_dfg_discover_acc(&acc, ctx, log, &o, NULL, NULL, &err), AB_OK);
    ab_buf g = AB_BUF_INIT, v = AB_BUF_INIT;
    assert_int_equal(ab_dfg_acc_save(acc, &g, &v, 1), AB_OK);
    /* A part that took cases loads nothing. */
    assert_int_equal(ab_dfg_acc_load(acc, g.ptr, g.len, &err), AB_EINVAL);
    ab_dfg_acc_destroy(acc);
    for (size_t cut = 0; cut < g.len; cut += 7) {
        ab_dfg_acc *m;
        assert_int_equal(ab_dfg_acc_create(&m, ctx, &o, no_names, NULL), AB_OK);
        assert_int_equal(ab_dfg_acc_load(m, g.ptr, cut, &err), AB_EPARSE);
        ab_dfg_acc_destroy(m);
    }
    ab_dfg_acc *m;
    assert_int_equal(ab_dfg_acc_create(&m, ctx, &o, no_names, NULL), AB_OK);
    char *bad = malloc(v.len + 1);
    memcpy(bad, v.ptr, v.len);
    bad[v.len] = 0; /* A byte after the end. */
    assert_int_equal(ab_dfg_acc_load(m, bad, v.len + 1, &err), AB_EPARSE);
    bad[48] = 9; /* What the part holds: neither graph nor variants. */
    assert_int_equal(ab_dfg_acc_load(m, bad, v.len, &err), AB_EPARSE);
    memcpy(bad, v.ptr, v.len);
    bad[0] = 'X'; /* Not a part. */
    assert_int_equal(ab_dfg_acc_load(m, bad, v.len, &err), AB_EPARSE);
    free(bad);
    ab_dfg_acc_destroy(m);
    ab_dfg_options other = o;
    other.examples = 5;
    assert_int_equal(ab_dfg_acc_create(&m, ctx, &other, no_names, NULL), AB_OK);
    assert_int_equal(ab_dfg_acc_load(m, g.ptr, g.len, &err), AB_EINVAL);
    assert_non_null(strstr(err.msg, "other options"));
    /* Once loaded, an accumulator takes no cases. */
    ab_dfg_acc_destroy(m);
    assert_int_equal(ab_dfg_acc_create(&m, ctx, &o, no_names, NULL), AB_OK);
    assert_int_equal(ab_dfg_acc_load(m, g.ptr, g.len, &err), AB_OK);
    uint32_t a0 = 0;
    ab_dfg_case c = {"x", 1, 1, &a0, NULL, NULL, NULL};
    assert_int_equal(ab_dfg_acc_add_case(m, &c, &err), AB_EINVAL);
    ab_dfg_acc_destroy(m);
    ab_buf_dispose(&g);
    ab_buf_dispose(&v);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles),
        cmocka_unit_test(test_edges_and_durations),
        cmocka_unit_test(test_lifecycle_service_times),
        cmocka_unit_test(test_lifecycle_instances),
        cmocka_unit_test(test_start_timestamps),
        cmocka_unit_test(test_no_timestamps),
        cmocka_unit_test(test_rework_cycles),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_input_order_does_not_matter),
        cmocka_unit_test(test_expected_outputs),
        cmocka_unit_test(test_writers_escape_and_validate),
        cmocka_unit_test(test_empty_log),
        cmocka_unit_test(test_sketch_close_and_flat),
        cmocka_unit_test(test_enomem),
        cmocka_unit_test(test_pm4py_equality),
        cmocka_unit_test(test_xes_csv_shuffled_identical),
        cmocka_unit_test(test_one_pass_identical),
        cmocka_unit_test(test_merged_parts_identical),
        cmocka_unit_test(test_merged_bad_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
