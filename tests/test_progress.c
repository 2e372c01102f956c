/*
 * tests/test_progress.c: the progress callbacks of ab_conform_run and
 * ab_gap_compute: the phases in order, done never going down and reaching
 * total, a bounded number of calls (per variant or finding, never per
 * event), results that do not depend on them, and callers of the earlier
 * option versions, whose structs end before the callback, still accepted.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/asbuilt.h"

typedef struct call {
    char phase[64];
    uint64_t done, total;
} call;

typedef struct calls {
    call c[4096];
    uint32_t n;
    uint32_t overflow;
} calls;

static void record(const char *phase, uint64_t done, uint64_t total, void *payload)
{
    calls *k = payload;
    if (k->n == sizeof(k->c) / sizeof(k->c[0])) {
        k->overflow++;
        return;
    }
    snprintf(k->c[k->n].phase, sizeof(k->c[k->n].phase), "%s", phase);
    k->c[k->n].done = done;
    k->c[k->n].total = total;
    k->n++;
}

static void must_not_call(const char *phase, uint64_t done, uint64_t total, void *payload)
{
    (void)done;
    (void)total;
    (void)payload;
    fail_msg("a callback past the struct of an earlier version was called (%s)", phase);
}

#define LOANAPP_LOG "logs/simod_LoanApp_simplified_without_approve_loan_offer.csv"
#define LOANAPP_MAP "models/simod_LoanApp_simplified.bpmn"
/* A pair whose time impacts are measured (tests/data/gap). */
#define REVIEW_LOG "gap/review.csv"
#define REVIEW_MAP "gap/review.bpmn"

typedef struct fixture {
    ab_ctx *ctx;
    ab_log *log;
    ab_bpmn *model;
    ab_net *net, *relabelled;
    ab_bpmn_mapping *map;
} fixture;

/* Reads the pair (under $AB_DATASETS, or $AB_TESTDATA with testdata). */
static void setup_from(fixture *f, const char *log, const char *model, int testdata)
{
    memset(f, 0, sizeof(*f));
    f->ctx = tu_ctx();
    ab_error err;
    ab_error_clear(&err);
    static char logp[4200], modelp[4200];
    snprintf(logp, sizeof(logp), "%s", testdata ? tu_testdata(log) : tu_datasets(log));
    snprintf(modelp, sizeof(modelp), "%s", testdata ? tu_testdata(model) : tu_datasets(model));
    const char *paths[] = {logp};
    ab_read_options ro = AB_READ_OPTIONS_INIT;
    if (ab_ingest_files(&f->log, f->ctx, paths, 1, &ro, &err) != AB_OK ||
        ab_bpmn_read(&f->model, f->ctx, modelp, NULL, &err) != AB_OK ||
        ab_net_compile(&f->net, f->ctx, f->model, NULL, &err) != AB_OK) {
        fail_msg("%s", err.msg);
    }
    uint32_t na = ab_log_activity_count(f->log);
    const char **acts = calloc(na + 1, sizeof(*acts));
    assert_non_null(acts);
    for (uint32_t a = 0; a < na; a++) {
        acts[a] = ab_log_activity_name(f->log, a);
    }
    ab_bpmn_map_options mo = AB_BPMN_MAP_OPTIONS_INIT;
    assert_int_equal(ab_bpmn_map_create(&f->map, f->ctx, ab_net_labels(f->net),
                                        ab_net_label_count(f->net), acts, na, &mo, &err),
                     AB_OK);
    free(acts);
    assert_int_equal(ab_net_relabel(&f->relabelled, f->net, f->map, &err), AB_OK);
}

static void setup(fixture *f, const char *log, const char *model)
{
    setup_from(f, log, model, 0);
}

static void teardown(fixture *f)
{
    ab_net_destroy(f->relabelled);
    ab_bpmn_map_destroy(f->map);
    ab_net_destroy(f->net);
    ab_bpmn_destroy(f->model);
    ab_log_destroy(f->log);
    ab_ctx_destroy(f->ctx);
}

/* Within each phase, done never goes down and never passes total. */
static void check_monotone(const calls *k)
{
    for (uint32_t i = 0; i < k->n; i++) {
        const call *c = &k->c[i];
        assert_true(c->total == 0 || c->done <= c->total);
        if (i > 0 && strcmp(k->c[i - 1].phase, c->phase) == 0) {
            assert_true(c->done >= k->c[i - 1].done);
            assert_true(c->total == k->c[i - 1].total);
        }
    }
}

/* The index of the first call of phase, or -1. */
static int first_of(const calls *k, const char *phase)
{
    for (uint32_t i = 0; i < k->n; i++) {
        if (strcmp(k->c[i].phase, phase) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* The last call of phase (which must exist). */
static const call *last_of(const calls *k, const char *phase)
{
    const call *c = NULL;
    for (uint32_t i = 0; i < k->n; i++) {
        if (strcmp(k->c[i].phase, phase) == 0) {
            c = &k->c[i];
        }
    }
    assert_non_null(c);
    return c;
}

static void test_conform_progress(void **state)
{
    (void)state;
    fixture f;
    setup(&f, LOANAPP_LOG, LOANAPP_MAP);
    for (unsigned threads = 1; threads <= 2; threads++) {
        calls *k = calloc(1, sizeof(*k));
        assert_non_null(k);
        ab_conform_options co = AB_CONFORM_OPTIONS_INIT;
        co.threads = threads;
        co.check_ambiguity = 1;
        co.progress = record;
        co.progress_payload = k;
        ab_conform *conf = NULL;
        ab_error err;
        assert_int_equal(ab_conform_run(&conf, f.ctx, f.log, f.relabelled, &co, &err), AB_OK);
        uint32_t V = ab_conform_variant_count(conf);
        uint64_t weight = 0;
        for (uint32_t v = 0; v < V; v++) {
            weight += (uint64_t)ab_conform_variant_at(conf, v)->length + 1;
        }
        const char *align = "aligning variants, checking ambiguity";
        assert_int_equal(first_of(k, "building traces and variants"), 0);
        int a = first_of(k, align);
        assert_true(a > 0);
        assert_int_equal(k->c[a].done, 0);
        assert_int_equal(k->c[a].total, weight);
        assert_int_equal(last_of(k, align)->done, weight);
        assert_int_equal(k->n, 1 + 1 + V); /* Once to start, once per variant. */
        assert_int_equal(k->overflow, 0);
        check_monotone(k);
        ab_conform_destroy(conf);
        free(k);
    }
    teardown(&f);
}

static void test_gap_progress(void **state)
{
    (void)state;
    fixture f;
    setup_from(&f, REVIEW_LOG, REVIEW_MAP, 1);
    ab_conform_options co = AB_CONFORM_OPTIONS_INIT;
    co.threads = 2;
    ab_conform *conf = NULL;
    ab_error err;
    assert_int_equal(ab_conform_run(&conf, f.ctx, f.log, f.relabelled, &co, &err), AB_OK);
    uint32_t V = ab_conform_variant_count(conf);

    ab_gap_options plain = AB_GAP_OPTIONS_INIT;
    plain.threads = 2;
    ab_gap *g0 = NULL;
    assert_int_equal(ab_gap_compute(&g0, f.ctx, f.log, f.relabelled, conf, &plain, &err), AB_OK);

    calls *k = calloc(1, sizeof(*k));
    assert_non_null(k);
    ab_gap_options o = plain;
    o.progress = record;
    o.progress_payload = k;
    ab_gap *g1 = NULL;
    assert_int_equal(ab_gap_compute(&g1, f.ctx, f.log, f.relabelled, conf, &o, &err), AB_OK);
    const char *order[] = {"hashing inputs", "analysing the map", "classifying",
                           "replaying on the map", "time impacts"};
    int prev = -1;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        int at = first_of(k, order[i]);
        assert_true(at > prev);
        prev = at;
    }
    assert_int_equal(last_of(k, "classifying")->done, V);
    assert_int_equal(last_of(k, "classifying")->total, V);
    const call *t = last_of(k, "time impacts");
    assert_true(t->total > 0);
    assert_int_equal(t->done, t->total);
    /* Bounded: every 64 variants classified, once per finding measured. */
    uint32_t cls = 0;
    for (uint32_t i = 0; i < k->n; i++) {
        cls += strcmp(k->c[i].phase, "classifying") == 0;
    }
    assert_true(cls <= V / 64 + 2);
    uint32_t timed = 0;
    for (uint32_t i = 0; i < k->n; i++) {
        timed += strcmp(k->c[i].phase, "time impacts") == 0;
    }
    assert_int_equal(timed, t->total + 1); /* Once to start, once per finding. */
    assert_int_equal(k->overflow, 0);
    check_monotone(k);

    /* The report does not depend on the callback. */
    ab_buf j0 = AB_BUF_INIT, j1 = AB_BUF_INIT;
    assert_int_equal(ab_gap_write_json(g0, &j0, &err), AB_OK);
    assert_int_equal(ab_gap_write_json(g1, &j1, &err), AB_OK);
    assert_int_equal(j0.len, j1.len);
    assert_memory_equal(j0.ptr, j1.ptr, j0.len);
    ab_buf_dispose(&j0);
    ab_buf_dispose(&j1);
    ab_gap_destroy(g0);
    ab_gap_destroy(g1);
    free(k);
    ab_conform_destroy(conf);
    teardown(&f);
}

/* A caller built against version 1 of ab_gap_options, or 1 and 2 of
 * ab_conform_options, has no callback fields: whatever lies past its struct
 * is never read (here: a callback that fails the test if called). */
static void test_earlier_versions(void **state)
{
    (void)state;
    fixture f;
    setup(&f, LOANAPP_LOG, LOANAPP_MAP);
    ab_error err;
    for (unsigned version = 1; version <= 2; version++) {
        ab_conform_options co = AB_CONFORM_OPTIONS_INIT;
        co.version = version;
        co.progress = must_not_call;
        ab_conform *conf = NULL;
        assert_int_equal(ab_conform_run(&conf, f.ctx, f.log, f.relabelled, &co, &err), AB_OK);
        if (version == 2) {
            ab_gap_options o = AB_GAP_OPTIONS_INIT;
            o.version = 1;
            o.progress = must_not_call;
            ab_gap *g = NULL;
            assert_int_equal(ab_gap_compute(&g, f.ctx, f.log, f.relabelled, conf, &o, &err), AB_OK);
            ab_gap_destroy(g);
            o.version = AB_GAP_OPTIONS_VERSION + 1;
            assert_int_equal(ab_gap_compute(&g, f.ctx, f.log, f.relabelled, conf, &o, &err),
                             AB_EINVAL);
        }
        ab_conform_destroy(conf);
    }
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conform_progress),
        cmocka_unit_test(test_gap_progress),
        cmocka_unit_test(test_earlier_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
