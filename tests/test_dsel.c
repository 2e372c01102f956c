/*
 * tests/test_dsel.c: the medians, shift and interval of two samples spread
 * over processes (gap/gap_dsel.c) are those of one process over the pooled
 * values, to the bit. The processes are threads here, meeting at a barrier
 * for each exchange; the samples are split at random (some processes
 * empty, or one holding all), with many ties, few, negative values and
 * values far apart. The replay on the map spread over the same processes
 * (each replays every P-th variant) gives one process's flags, and the
 * first variant that does not replay, wherever it is, gives the reason.
 */
#include "test_util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "asbuilt/ingest.h"
#include "gap/gap_int.h"

enum { MAXP = 8 };

/* The meeting point of the threads. */
typedef struct hub {
    pthread_barrier_t bar;
    uint32_t P;
    void *slot[MAXP * MAXP];
    size_t slot_len[MAXP * MAXP];
    int fail_at; /* The alltoall call (counted in process 1) that fails there, or -1. */
    int failed;
} hub;

typedef struct proc {
    hub *h;
    uint32_t me;
    int calls;
    ab__gap_parts parts;
    int64_t *x, *y;
    size_t nx, ny;
    uint64_t min_n, min_m;
    ab__gap_dist out;
    int rc;
    ab_ctx *ctx;
    void *job; /* The replay's, per process. */
} proc;

static void *dup_bytes(const void *p, size_t n)
{
    void *d = malloc(n + 1);
    assert_non_null(d);
    if (n > 0) {
        memcpy(d, p, n);
    }
    return d;
}

static int t_exchange(void *payload, const void *mine, size_t len, void ***all, size_t **lens,
                      uint32_t *count)
{
    proc *pr = payload;
    hub *h = pr->h;
    h->slot[pr->me] = (void *)mine;
    h->slot_len[pr->me] = len;
    pthread_barrier_wait(&h->bar);
    *all = calloc(h->P, sizeof(void *));
    *lens = calloc(h->P, sizeof(size_t));
    for (uint32_t q = 0; q < h->P; q++) {
        (*all)[q] = dup_bytes(h->slot[q], h->slot_len[q]);
        (*lens)[q] = h->slot_len[q];
    }
    *count = h->P;
    pthread_barrier_wait(&h->bar);
    return AB_OK;
}

/* A failure agreed by all, as the MPI driver agrees on one. */
static int t_alltoall(void *payload, void *const *send, const size_t *lens, void ***recv,
                      size_t **recv_lens)
{
    proc *pr = payload;
    hub *h = pr->h;
    int fails = pr->me == 1 % h->P && h->fail_at == pr->calls;
    pr->calls++;
    for (uint32_t q = 0; q < h->P; q++) {
        h->slot[pr->me * MAXP + q] = send != NULL ? send[q] : NULL;
        h->slot_len[pr->me * MAXP + q] = send != NULL ? lens[q] : 0;
    }
    h->failed = 0;
    pthread_barrier_wait(&h->bar);
    if (fails) {
        h->failed = 1;
    }
    pthread_barrier_wait(&h->bar);
    int failed = h->failed;
    *recv = NULL;
    *recv_lens = NULL;
    if (!failed) {
        *recv = calloc(h->P, sizeof(void *));
        *recv_lens = calloc(h->P, sizeof(size_t));
        for (uint32_t q = 0; q < h->P; q++) {
            (*recv)[q] = dup_bytes(h->slot[q * MAXP + pr->me], h->slot_len[q * MAXP + pr->me]);
            (*recv_lens)[q] = h->slot_len[q * MAXP + pr->me];
        }
    }
    pthread_barrier_wait(&h->bar);
    return failed ? AB_ENOMEM : AB_OK;
}

/* Runs fn on P threads, one per process, and waits for them. */
static void run_all(proc *pr, uint32_t P, void *(*fn)(void *))
{
    pthread_t tid[MAXP];
    for (uint32_t q = 0; q < P; q++) {
        assert_int_equal(pthread_create(&tid[q], NULL, fn, &pr[q]), 0);
    }
    for (uint32_t q = 0; q < P; q++) {
        pthread_join(tid[q], NULL);
    }
}

static void *run(void *arg)
{
    proc *pr = arg;
    pr->rc = ab__gap_dist_measure(&pr->parts, pr->ctx, pr->x, pr->nx, pr->y, pr->ny, pr->min_n,
                                  pr->min_m, &pr->out);
    return NULL;
}

/* Splits x and y over P threads (owner[i] per value), measures, and
 * returns process 0's result after checking that all agree. */
static int spread(ab_ctx *ctx, const int64_t *x, size_t n, const int64_t *y, size_t m, uint32_t P,
                  ab__gap_rng *rng, int mode, uint64_t min_n, uint64_t min_m, int fail_at,
                  ab__gap_dist *out)
{
    hub h;
    memset(&h, 0, sizeof(h));
    h.P = P;
    h.fail_at = fail_at;
    pthread_barrier_init(&h.bar, NULL, P);
    proc pr[MAXP];
    memset(pr, 0, sizeof(pr));
    for (uint32_t q = 0; q < P; q++) {
        pr[q].h = &h;
        pr[q].me = q;
        pr[q].ctx = ctx;
        pr[q].min_n = min_n;
        pr[q].min_m = min_m;
        pr[q].x = malloc(sizeof(int64_t) * (n + 1));
        pr[q].y = malloc(sizeof(int64_t) * (m + 1));
        pr[q].parts.payload = &pr[q];
        pr[q].parts.exchange = t_exchange;
        pr[q].parts.alltoall = t_alltoall;
        pr[q].parts.process = q;
        pr[q].parts.processes = P;
    }
    /* mode 0: at random; 1: all on the last process; 2: x on one, y on another. */
    for (size_t i = 0; i < n; i++) {
        uint32_t q = mode == 0 ? ab__gap_rng_below(rng, P) : P - 1;
        pr[q].x[pr[q].nx++] = x[(i * 7919) % n];
    }
    for (size_t i = 0; i < m; i++) {
        uint32_t q = mode == 0 ? ab__gap_rng_below(rng, P) : mode == 1 ? P - 1 : 0;
        pr[q].y[pr[q].ny++] = y[(i * 104729) % m];
    }
    run_all(pr, P, run);
    for (uint32_t q = 0; q < P; q++) {
        assert_int_equal(pr[q].rc, pr[0].rc);
        if (pr[0].rc == AB_OK) {
            assert_memory_equal(&pr[q].out, &pr[0].out, sizeof(ab__gap_dist));
        }
        free(pr[q].x);
        free(pr[q].y);
    }
    pthread_barrier_destroy(&h.bar);
    *out = pr[0].out;
    return pr[0].rc;
}

/* What one process finds over the pooled values. */
static void pooled(ab_ctx *ctx, const int64_t *x0, size_t n, const int64_t *y0, size_t m,
                   ab__gap_dist *want)
{
    int64_t *x = malloc(sizeof(int64_t) * (n + 1)), *y = malloc(sizeof(int64_t) * (m + 1));
    memcpy(x, x0, sizeof(int64_t) * n);
    memcpy(y, y0, sizeof(int64_t) * m);
    ab__sort_i64(x, n, NULL);
    ab__sort_i64(y, m, NULL);
    memset(want, 0, sizeof(*want));
    want->n = n;
    want->m = m;
    want->measured = 1;
    want->median_x = ab__gap_median_sorted(x, n);
    want->median_y = ab__gap_median_sorted(y, m);
    ab__gap_sel w;
    assert_int_equal(ab__gap_sel_init(&w, ctx, n, m), AB_OK);
    ab__gap_shift_ci(x, n, y, m, &w, &want->shift);
    ab__gap_sel_finish(&w, ctx);
    free(x);
    free(y);
}

static void same(const ab__gap_dist *got, const ab__gap_dist *want)
{
    assert_int_equal(got->n, want->n);
    assert_int_equal(got->m, want->m);
    assert_int_equal(got->measured, want->measured);
    /* Bit for bit. */
    assert_memory_equal(&got->median_x, &want->median_x, sizeof(double));
    assert_memory_equal(&got->median_y, &want->median_y, sizeof(double));
    assert_memory_equal(&got->shift.shift, &want->shift.shift, sizeof(double));
    assert_memory_equal(&got->shift.lo, &want->shift.lo, sizeof(double));
    assert_memory_equal(&got->shift.hi, &want->shift.hi, sizeof(double));
    assert_int_equal(got->shift.rank, want->shift.rank);
    assert_int_equal(got->shift.exact, want->shift.exact);
}

static void fill(ab__gap_rng *rng, int64_t *v, size_t n, int kind, int64_t offset)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t r = ab__gap_rng_next(rng);
        switch (kind) {
        case 0: /* Few distinct values: long runs of ties. */
            v[i] = (int64_t)(r % 5) * 1000000 + offset;
            break;
        case 1: /* Seconds, as logs give them. */
            v[i] = (int64_t)(r % 100000) * 1000000 + offset;
            break;
        case 2: /* Microseconds, distinct mostly, some negative. */
            v[i] = (int64_t)(r % 4000000000ull) - 1000000000 + offset;
            break;
        default: /* Far apart: within +-2^60. */
            v[i] = (int64_t)(r >> 4) - ((int64_t)1 << 59) + offset;
            break;
        }
    }
}

static void test_dist_matches_pooled(void **state)
{
    (void)state;
    ab_ctx *ctx = NULL;
    assert_int_equal(ab_ctx_create(&ctx, NULL), AB_OK);
    ab__gap_rng rng;
    ab__gap_rng_seed(&rng, 7);
    static const size_t sizes[] = {0, 1, 2, 3, 17, 49, 50, 333, 4000};
    int cases = 0, exact = 0, passes_max = 0;
    for (int round = 0; round < 160; round++) {
        size_t n = sizes[ab__gap_rng_below(&rng, 9)], m = sizes[ab__gap_rng_below(&rng, 9)];
        int kind = round % 4;
        uint32_t P = 1 + ab__gap_rng_below(&rng, MAXP);
        int mode = round % 5 == 3 ? 1 : round % 5 == 4 ? 2 : 0;
        int64_t *x = malloc(sizeof(int64_t) * (n + 1)), *y = malloc(sizeof(int64_t) * (m + 1));
        fill(&rng, x, n, kind, kind == 3 ? 0 : 7000000);
        fill(&rng, y, m, kind, 0);
        ab__gap_dist want, got;
        pooled(ctx, x, n, y, m, &want);
        assert_int_equal(spread(ctx, x, n, y, m, P, &rng, mode, 0, 0, -1, &got), AB_OK);
        same(&got, &want);
        cases++;
        exact += want.shift.exact;
        passes_max = (int)got.shift.passes > passes_max ? (int)got.shift.passes : passes_max;
        free(x);
        free(y);
    }
    /* The exact null distribution was reached, and a selection stays far
     * below its bound of about 128 passes. */
    assert_true(exact > 5);
    assert_true(passes_max < 100);
    printf("# %d spread samples as one, %d with the exact interval, at most %d passes\n", cases,
           exact, passes_max);
    ab_ctx_destroy(ctx);
}

/* Below the sizes asked for, the sizes alone; a failure in one process
 * fails all of them with AB_ENOMEM, at every alltoall. */
static void test_dist_sizes_and_failure(void **state)
{
    (void)state;
    ab_ctx *ctx = NULL;
    assert_int_equal(ab_ctx_create(&ctx, NULL), AB_OK);
    ab__gap_rng rng;
    ab__gap_rng_seed(&rng, 11);
    enum { N = 300, M = 500 };
    int64_t x[N], y[M];
    fill(&rng, x, N, 1, 5000000);
    fill(&rng, y, M, 1, 0);
    ab__gap_dist got;
    assert_int_equal(spread(ctx, x, N, y, M, 3, &rng, 0, N + 1, 0, -1, &got), AB_OK);
    assert_int_equal(got.n, N);
    assert_int_equal(got.m, M);
    assert_false(got.measured);
    assert_true(got.median_x == 0 && got.shift.shift == 0);
    int failures = 0;
    for (int at = 0;; at++) {
        int rc = spread(ctx, x, N, y, M, 3, &rng, 0, 0, 0, at, &got);
        if (rc == AB_OK) {
            break;
        }
        assert_int_equal(rc, AB_ENOMEM);
        failures++;
    }
    assert_true(failures > 3); /* The cut, and the passes. */
    ab_ctx_destroy(ctx);
}

/* ---- The replay on the map over processes ---- */

typedef struct replay_job {
    const ab_net *net;
    const ab_conform_variant *const *vars;
    uint32_t count;
    ab__gap_replay r;
} replay_job;

static void *run_replay(void *arg)
{
    proc *pr = arg;
    replay_job *j = pr->job;
    pr->rc = ab__gap_replay_spread(&j->r, pr->ctx, j->net, j->vars, j->count, &pr->parts);
    return NULL;
}

/* The variants replayed on P processes against one process's replay. */
static void replay_matches(ab_ctx *ctx, const ab_net *net, const ab_conform_variant *const *vars,
                           uint32_t count, uint32_t P)
{
    ab__gap_replay want;
    assert_int_equal(ab__gap_replay_run(&want, ctx, net, vars, count, 0, 1), AB_OK);
    hub h;
    memset(&h, 0, sizeof(h));
    h.P = P;
    h.fail_at = -1;
    pthread_barrier_init(&h.bar, NULL, P);
    proc pr[MAXP];
    replay_job jobs[MAXP];
    memset(pr, 0, sizeof(pr));
    for (uint32_t q = 0; q < P; q++) {
        jobs[q] = (replay_job){net, vars, count, {0}};
        pr[q] = (proc){.h = &h, .me = q, .ctx = ctx, .job = &jobs[q]};
        pr[q].parts.payload = &pr[q];
        pr[q].parts.exchange = t_exchange;
        pr[q].parts.process = q;
        pr[q].parts.processes = P;
    }
    run_all(pr, P, run_replay);
    uint32_t T = ab_net_transition_count(net), NP = ab_net_place_count(net);
    for (uint32_t q = 0; q < P; q++) {
        const ab__gap_replay *r = &jobs[q].r;
        assert_int_equal(pr[q].rc, AB_OK);
        assert_int_equal(r->valid, want.valid);
        assert_int_equal(r->failed, want.failed);
        if (want.valid) {
            assert_memory_equal(r->fired, want.fired, T);
            assert_memory_equal(r->marked, want.marked, NP);
            assert_memory_equal(r->enabled, want.enabled, T);
        } else {
            assert_string_equal(r->reason, want.reason);
        }
        ab__gap_replay_finish(&jobs[q].r, ctx);
    }
    pthread_barrier_destroy(&h.bar);
    ab__gap_replay_finish(&want, ctx);
}

/* A variant whose model moves go backwards: its first one that is not the
 * source's does not fire. */
static ab_conform_variant reversed(const ab_conform_variant *v, ab_move *moves)
{
    ab_conform_variant r = *v;
    for (uint32_t i = 0; i < v->move_count; i++) {
        moves[i] = v->moves[v->move_count - 1 - i];
    }
    r.moves = moves;
    return r;
}

static void test_replay_spread(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    const char *log_path = tu_datasets("logs/pm4py_08_receipt.xes.gz");
    ab_read_options ro = AB_READ_OPTIONS_INIT;
    ab_log *log = NULL;
    ab_bpmn *model = NULL;
    ab_net *net = NULL;
    ab_conform *conf = NULL;
    assert_int_equal(ab_ingest_files(&log, ctx, &log_path, 1, &ro, NULL), AB_OK);
    assert_int_equal(
        ab_bpmn_read(&model, ctx, tu_datasets("models/pm4py_receipt.bpmn"), NULL, NULL), AB_OK);
    assert_int_equal(ab_net_compile(&net, ctx, model, NULL, NULL), AB_OK);
    ab_conform_options co = AB_CONFORM_OPTIONS_INIT;
    assert_int_equal(ab_conform_run(&conf, ctx, log, net, &co, NULL), AB_OK);
    uint32_t V = ab_conform_variant_count(conf);
    assert_true(V > 20);
    const ab_conform_variant **vars = calloc(V, sizeof(*vars));
    for (uint32_t v = 0; v < V; v++) {
        vars[v] = ab_conform_variant_at(conf, v);
    }
    for (uint32_t P = 1; P <= 5; P++) {
        replay_matches(ctx, net, vars, V, P);
    }
    /* Variants that do not replay: the first in the list gives the reason,
     * on whichever process it is, before or after the others. */
    ab__gap_rng rng;
    ab__gap_rng_seed(&rng, 5);
    for (int round = 0; round < 12; round++) {
        uint32_t a = ab__gap_rng_below(&rng, V), b = ab__gap_rng_below(&rng, V);
        ab_move *ma = malloc(sizeof(ab_move) * (vars[a]->move_count + 1));
        ab_move *mb = malloc(sizeof(ab_move) * (vars[b]->move_count + 1));
        ab_conform_variant ra = reversed(vars[a], ma), rb = reversed(vars[b], mb);
        const ab_conform_variant *keep_a = vars[a], *keep_b = vars[b];
        vars[a] = &ra;
        vars[b] = &rb;
        ab__gap_replay one;
        assert_int_equal(ab__gap_replay_run(&one, ctx, net, vars, V, 0, 1), AB_OK);
        assert_false(one.valid);
        assert_int_equal(one.failed, a < b ? a : b);
        ab__gap_replay_finish(&one, ctx);
        replay_matches(ctx, net, vars, V, 2 + (uint32_t)round % 4);
        vars[a] = keep_a;
        vars[b] = keep_b;
        free(ma);
        free(mb);
    }
    free(vars);
    ab_conform_destroy(conf);
    ab_net_destroy(net);
    ab_bpmn_destroy(model);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dist_matches_pooled),
        cmocka_unit_test(test_dist_sizes_and_failure),
        cmocka_unit_test(test_replay_spread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
