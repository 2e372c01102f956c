/*
 * conform/conform_run.c: the public entry point. It builds the traces,
 * flattens the net, finds the shortest complete run once, then aligns the
 * variants on a pool of threads that take the next variant index from a
 * shared counter; each result lands in its variant's slot, so the output
 * does not depend on which thread aligned what. The ambiguity check of
 * variants with instances no transition has runs after, once per distinct
 * trace without those instances (the verdict depends on nothing else, see
 * ab__cf_ambiguous), on the same pool. Worker threads allocate through a
 * copy of the context whose hooks hold a mutex around the caller's
 * allocator, so custom allocators need not be thread-safe.
 */
#include "conform/conform_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* More threads than this are not started, whatever is asked. */
#define MAX_THREADS 256

/* The budget defaults of conform.h. */
#define DEFAULT_MAX_STATES 2000000
#define DEFAULT_MAX_MEMORY ((uint64_t)512 << 20)

/* ---- A context whose allocator may be called from several threads ---- */

typedef struct locked_alloc {
    pthread_mutex_t mu;
    ab_allocator base;
} locked_alloc;

static void *locked_malloc(size_t n, void *payload)
{
    locked_alloc *la = payload;
    pthread_mutex_lock(&la->mu);
    void *p = la->base.malloc_fn(n, la->base.payload);
    pthread_mutex_unlock(&la->mu);
    return p;
}

static void *locked_realloc(void *q, size_t n, void *payload)
{
    locked_alloc *la = payload;
    pthread_mutex_lock(&la->mu);
    void *p = la->base.realloc_fn(q, n, la->base.payload);
    pthread_mutex_unlock(&la->mu);
    return p;
}

static void locked_free(void *q, void *payload)
{
    locked_alloc *la = payload;
    pthread_mutex_lock(&la->mu);
    la->base.free_fn(q, la->base.payload);
    pthread_mutex_unlock(&la->mu);
}

/* ---- The pool ---- */

typedef struct pool {
    ab_ctx *ctx; /* The context workers allocate with. */
    const ab__cnet *cn;
    const ab__cf_run *run;
    const ab_conform_options *opts;
    const uint32_t *label_activity; /* Net label -> log activity, or AB_CONFORM_NONE. */
    const uint32_t *activity_label; /* Log activity -> net label, or AB_NET_SILENT. */
    ab_conform_job *jobs;           /* First pass: the traces to align. */
    uint32_t job_count;
    const ab_conform *c; /* Second pass: the variants tasks index (see check_reduced). */
    const uint32_t *tasks;
    uint32_t task_count;
    int *verdict;          /* Second pass: each task's verdict */
    uint64_t *task_states; /* and the nodes its check expanded. */
    pthread_mutex_t mu;
    uint64_t done, total; /* Progress: trace length aligned, of all (first pass). */
    uint32_t next;        /* Next job (or task) to take. */
    int failed;           /* A worker ran out of memory: the others stop. */
    int rc;
} pool;

typedef struct worker {
    pool *p;
    pthread_t thread;
    int started;
} worker;

static uint32_t take(pool *p)
{
    uint32_t end = p->tasks != NULL ? p->task_count : p->job_count;
    pthread_mutex_lock(&p->mu);
    uint32_t v = p->failed || p->next >= end ? AB_CONFORM_NONE : p->next++;
    pthread_mutex_unlock(&p->mu);
    return v;
}

static void fail(pool *p, int rc)
{
    pthread_mutex_lock(&p->mu);
    if (!p->failed) {
        p->failed = 1;
        p->rc = rc;
    }
    pthread_mutex_unlock(&p->mu);
}

static const char *align_phase(const ab_conform_options *opts)
{
    return opts->check_ambiguity ? "aligning variants, checking ambiguity" : "aligning variants";
}

static void *work(void *arg)
{
    pool *p = ((worker *)arg)->p;
    ab__cws *ws = NULL;
    int rc = ab__cws_create(&ws, p->ctx, p->cn, p->label_activity, p->opts->max_states,
                            p->opts->max_memory);
    if (rc != AB_OK) {
        fail(p, rc);
        return NULL;
    }
    uint32_t v;
    uint32_t *reduced = NULL;
    size_t reduced_cap = 0;
    while ((v = take(p)) != AB_CONFORM_NONE) {
        if (p->tasks != NULL) {
            /* The variant's trace without the instances no transition has. */
            const ab_conform_variant *x = &p->c->variants[p->tasks[v]];
            if (AB_GROW(p->ctx, reduced, reduced_cap, (size_t)x->length + 1) != AB_OK) {
                fail(p, AB_ENOMEM);
                break;
            }
            uint32_t n = 0;
            for (uint32_t i = 0; i < x->length; i++) {
                if (p->activity_label[x->activities[i]] != AB_NET_SILENT) {
                    reduced[n++] = x->activities[i];
                }
            }
            rc = ab__cf_ambiguous(ws, reduced, n, p->activity_label, &p->verdict[v],
                                  &p->task_states[v]);
            if (rc != AB_OK) {
                fail(p, rc);
                break;
            }
            continue;
        }
        ab_conform_job *x = &p->jobs[v];
        ab__cf_alignment al;
        rc = ab__cf_align(ws, x->activities, x->length, p->activity_label, p->run,
                          p->opts->check_ambiguity, &al);
        if (rc != AB_OK) {
            fail(p, rc);
            break;
        }
        x->moves = al.moves;
        x->move_count = al.move_count;
        x->cost = al.cost;
        x->approximate = al.approximate;
        x->fast_path = al.fast_path != 0;
        x->states = al.fast_path ? 0 : al.states;
        /* -2 (left to check_reduced) or the verdict; -1 when approximate. */
        x->ambiguous = al.approximate ? -1 : al.ambiguous;
        x->check_states = al.check_states;
        pthread_mutex_lock(&p->mu);
        p->done += (uint64_t)x->length + 1;
        if (p->opts->progress != NULL) {
            p->opts->progress(align_phase(p->opts), p->done, p->total, p->opts->progress_payload);
        }
        pthread_mutex_unlock(&p->mu);
    }
    ab__free(p->ctx, reduced);
    ab__cws_destroy(ws);
    return NULL;
}

static unsigned thread_count(const ab_conform_options *opts, uint32_t variants)
{
    long n = opts->threads;
    if (n == 0) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
    }
    if (n < 1) {
        n = 1;
    }
    if (n > MAX_THREADS) {
        n = MAX_THREADS;
    }
    if ((uint32_t)n > variants) {
        n = variants > 0 ? (long)variants : 1;
    }
    return (unsigned)n;
}

/* Runs work() on nt threads (the caller's among them) until p has no
 * job or task left. */
static int run_pool(ab_ctx *ctx, pool *p, unsigned nt)
{
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        return AB_ERROR;
    }
    if (nt <= 1) {
        worker w = {p, 0, 0};
        p->ctx = ctx;
        work(&w);
        pthread_mutex_destroy(&p->mu);
        return p->failed ? p->rc : AB_OK;
    }
    locked_alloc la;
    la.base = ctx->alloc;
    if (pthread_mutex_init(&la.mu, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        return AB_ERROR;
    }
    struct ab_ctx shared = *ctx;
    shared.alloc.malloc_fn = locked_malloc;
    shared.alloc.realloc_fn = locked_realloc;
    shared.alloc.free_fn = locked_free;
    shared.alloc.payload = &la;
    p->ctx = &shared;
    worker ws[MAX_THREADS];
    /* The calling thread is worker 0; a thread that cannot be started just
     * leaves its share to the others. */
    for (unsigned i = 1; i < nt; i++) {
        ws[i].p = p;
        ws[i].started = pthread_create(&ws[i].thread, NULL, work, &ws[i]) == 0;
    }
    ws[0].p = p;
    work(&ws[0]);
    for (unsigned i = 1; i < nt; i++) {
        if (ws[i].started) {
            pthread_join(ws[i].thread, NULL);
        }
    }
    pthread_mutex_destroy(&la.mu);
    pthread_mutex_destroy(&p->mu);
    return p->failed ? p->rc : AB_OK;
}

/* A hash of variant v's trace without the instances no transition has. */
static uint64_t reduced_hash(const ab_conform *c, uint32_t v)
{
    const ab_conform_variant *x = &c->variants[v];
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (uint32_t i = 0; i < x->length; i++) {
        uint32_t a = x->activities[i];
        if (c->activity_label[a] != AB_NET_SILENT) {
            h = (h ^ a) * 0x100000001B3ull;
            h ^= h >> 29;
        }
    }
    return h;
}

/* Whether variants v and w have the same trace without those instances. */
static int reduced_equal(const ab_conform *c, uint32_t v, uint32_t w)
{
    const ab_conform_variant *x = &c->variants[v], *y = &c->variants[w];
    uint32_t i = 0, j = 0;
    for (;;) {
        while (i < x->length && c->activity_label[x->activities[i]] == AB_NET_SILENT) {
            i++;
        }
        while (j < y->length && c->activity_label[y->activities[j]] == AB_NET_SILENT) {
            j++;
        }
        if (i == x->length || j == y->length) {
            return i == x->length && j == y->length;
        }
        if (x->activities[i++] != y->activities[j++]) {
            return 0;
        }
    }
}

/*
 * The check of the variants align_all left at -2 (instances no transition
 * has): one check per distinct reduced trace, on its first variant in
 * variant order, the verdict copied to the others. The verdict depends on
 * the reduced trace only, so neither the grouping nor the threads change
 * it.
 */
static int check_reduced(ab_conform *c, const ab__cnet *cn, const ab_conform_options *opts)
{
    ab_ctx *ctx = c->ctx;
    uint32_t pending = 0;
    for (uint32_t v = 0; v < c->variant_count; v++) {
        pending += c->variants[v].ambiguous == -2;
    }
    if (pending == 0) {
        return AB_OK;
    }
    size_t size = 16;
    while (size < (size_t)pending * 2) {
        size *= 2;
    }
    int rc = AB_OK;
    uint32_t *slots = ab__malloc(ctx, sizeof(uint32_t) * size);
    uint64_t *hashes = ab__malloc(ctx, sizeof(uint64_t) * pending);
    uint32_t *tasks = ab__malloc(ctx, sizeof(uint32_t) * pending);
    uint32_t *task_of = ab__malloc(ctx, sizeof(uint32_t) * pending);
    int *verdict = ab__malloc(ctx, sizeof(int) * pending);
    uint64_t *task_states = ab__malloc(ctx, sizeof(uint64_t) * pending);
    uint32_t task_count = 0, k = 0;
    if (slots == NULL || hashes == NULL || tasks == NULL || task_of == NULL || verdict == NULL ||
        task_states == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < size; i++) {
        slots[i] = AB_CONFORM_NONE;
    }
    for (uint32_t v = 0; v < c->variant_count; v++) {
        if (c->variants[v].ambiguous != -2) {
            continue;
        }
        uint64_t h = reduced_hash(c, v);
        size_t i = (size_t)h & (size - 1);
        while (slots[i] != AB_CONFORM_NONE &&
               (hashes[slots[i]] != h || !reduced_equal(c, tasks[slots[i]], v))) {
            i = (i + 1) & (size - 1);
        }
        if (slots[i] == AB_CONFORM_NONE) {
            slots[i] = task_count;
            hashes[task_count] = h;
            tasks[task_count++] = v;
        }
        task_of[k++] = slots[i];
    }
    pool p;
    memset(&p, 0, sizeof(p));
    p.c = c;
    p.cn = cn;
    p.opts = opts;
    p.label_activity = c->label_activity;
    p.activity_label = c->activity_label;
    p.tasks = tasks;
    p.task_count = task_count;
    p.verdict = verdict;
    p.task_states = task_states;
    AB_TRY(run_pool(ctx, &p, thread_count(opts, task_count)));
    for (uint32_t t = 0; t < task_count; t++) {
        c->stats.check_states += task_states[t];
    }
    k = 0;
    for (uint32_t v = 0; v < c->variant_count; v++) {
        if (c->variants[v].ambiguous == -2) {
            c->variants[v].ambiguous = verdict[task_of[k++]];
        }
    }
done:
    ab__free(ctx, slots);
    ab__free(ctx, hashes);
    ab__free(ctx, tasks);
    ab__free(ctx, task_of);
    ab__free(ctx, verdict);
    ab__free(ctx, task_states);
    return rc;
}

/* Aligns jobs[0..n) on the pool; on failure the moves found are left in the
 * jobs, for the caller to free. */
static int align_jobs(ab_ctx *ctx, ab_conform_job *jobs, uint32_t n, const ab__cnet *cn,
                      const ab__cf_run *run, const uint32_t *label_activity,
                      const uint32_t *activity_label, const ab_conform_options *opts)
{
    pool p;
    memset(&p, 0, sizeof(p));
    p.cn = cn;
    p.run = run;
    p.opts = opts;
    p.label_activity = label_activity;
    p.activity_label = activity_label;
    p.jobs = jobs;
    p.job_count = n;
    for (uint32_t v = 0; v < n; v++) {
        p.total += (uint64_t)jobs[v].length + 1;
    }
    if (opts->progress != NULL) {
        opts->progress(align_phase(opts), 0, p.total, opts->progress_payload);
    }
    return run_pool(ctx, &p, thread_count(opts, n));
}

/* The options of any version, completed with the defaults. */
static int read_options(ab_conform_options *o, const ab_conform_options *opts)
{
    ab_conform_options d = AB_CONFORM_OPTIONS_INIT;
    *o = d;
    if (opts != NULL && (opts->version < 1 || opts->version > AB_CONFORM_OPTIONS_VERSION)) {
        return AB_EINVAL;
    }
    if (opts != NULL && opts->version == 1) {
        /* Version 1 ends before check_ambiguity. */
        o->threads = opts->threads;
        o->max_states = opts->max_states;
        o->max_memory = opts->max_memory;
    } else if (opts != NULL && opts->version == 2) {
        /* Version 2 ends before progress. */
        memcpy(o, opts, offsetof(ab_conform_options, progress));
    } else if (opts != NULL && opts->version == 3) {
        /* Version 3 ends before align. */
        memcpy(o, opts, offsetof(ab_conform_options, align));
    } else if (opts != NULL) {
        *o = *opts;
    }
    o->version = AB_CONFORM_OPTIONS_VERSION;
    if (o->max_states == 0) {
        o->max_states = DEFAULT_MAX_STATES;
    }
    if (o->max_memory == 0) {
        o->max_memory = DEFAULT_MAX_MEMORY;
    }
    return AB_OK;
}

/* Flattens the net and finds its shortest complete run, once for all traces:
 * by a walk when it can, else by a search with at least the default budget,
 * whatever the per-variant one. */
static int prepare_net(ab__cnet *cn, int *have_cn, ab__cf_run *run, ab_ctx *ctx, const ab_net *net,
                       const uint32_t *label_activity, const ab_conform_options *o, ab_error *err)
{
    int rc = ab__cnet_build(cn, ctx, net);
    if (rc != AB_OK) {
        return rc;
    }
    *have_cn = 1;
    rc = ab__cf_walk_run(cn, ctx, run);
    uint64_t states = o->max_states > DEFAULT_MAX_STATES ? o->max_states : DEFAULT_MAX_STATES;
    uint64_t memory = o->max_memory > DEFAULT_MAX_MEMORY ? o->max_memory : DEFAULT_MAX_MEMORY;
    if (rc == AB_ELIMIT) {
        ab__cws *ws = NULL;
        rc = ab__cws_create(&ws, ctx, cn, label_activity, states, memory);
        if (rc == AB_OK) {
            rc = ab__cf_shortest_run(ws, run);
        }
        ab__cws_destroy(ws);
    }
    if (rc == AB_EINVAL) {
        ab__error(err, rc, "conform", 0, 0,
                  "the net has no complete run: the sink cannot be reached from the source");
    } else if (rc == AB_ELIMIT) {
        ab__error(err, rc, "conform", 0, 0,
                  "whether the net has a complete run was not decided within the budget "
                  "(%llu states, %llu MiB)",
                  (unsigned long long)states, (unsigned long long)(memory >> 20));
    }
    return rc;
}

/* The errors of the module's entry points that have no message yet. */
static int finish_error(int rc, ab_error *err)
{
    if (rc == AB_ENOMEM) {
        return ab__error(err, rc, "conform", 0, 0, "out of memory");
    }
    if (rc == AB_ERROR) {
        return ab__error(err, rc, "conform", 0, 0, "could not set up the worker threads");
    }
    return rc;
}

/* Whether a job's alignment, made elsewhere, is one of a trace of its length
 * over this net and log: a check that it can be read safely, not that it is
 * optimal. */
static int job_valid(const ab_conform_job *j, uint32_t trans_count, uint32_t activity_count)
{
    if (j->move_count > 0 && j->moves == NULL) {
        return 0;
    }
    uint32_t consumed = 0;
    for (uint32_t m = 0; m < j->move_count; m++) {
        const ab_move *x = &j->moves[m];
        int inst = x->kind == AB_MOVE_SYNC || x->kind == AB_MOVE_LOG;
        if ((unsigned)x->kind > AB_MOVE_SILENT ||
            (x->kind == AB_MOVE_LOG ? x->transition != AB_CONFORM_NONE
                                    : x->transition >= trans_count) ||
            (x->activity != AB_CONFORM_NONE && x->activity >= activity_count) ||
            (inst && (consumed >= j->length || x->position != consumed ||
                      j->activities[consumed] != x->activity)) ||
            (!inst && x->position != consumed)) {
            return 0;
        }
        consumed += inst;
    }
    return consumed == j->length && j->ambiguous >= -2 && j->ambiguous <= 1;
}

int ab_conform_run(ab_conform **out, ab_ctx *ctx, const ab_log *log, const ab_net *net,
                   const ab_conform_options *opts, ab_error *err)
{
    ab_conform_options o;
    if (out != NULL) {
        *out = NULL;
    }
    if (out == NULL || ctx == NULL || log == NULL || net == NULL ||
        read_options(&o, opts) != AB_OK) {
        return ab__error(err, AB_EINVAL, "conform", 0, 0, "ab_conform_run: bad arguments");
    }
    int rc = AB_OK;
    ab__cnet cn;
    int have_cn = 0;
    ab__cf_run run;
    memset(&run, 0, sizeof(run));
    ab_conform_job *jobs = NULL;
    ab_conform *c = ab__calloc(ctx, 1, sizeof(*c));
    if (c == NULL) {
        return ab__error(err, AB_ENOMEM, "conform", 0, 0, "out of memory");
    }
    c->ctx = ctx;
    if (o.progress != NULL) {
        o.progress("building traces and variants", 0, 0, o.progress_payload);
    }
    AB_TRY(ab__cf_build_traces(c, log, net));
    rc = prepare_net(&cn, &have_cn, &run, ctx, net, c->label_activity, &o, err);
    if (rc == AB_EINVAL || rc == AB_ELIMIT) {
        goto done;
    }
    AB_TRY(rc);
    c->stats.min_model_cost = run.visible;
    jobs = ab__calloc(ctx, (size_t)c->variant_count + 1, sizeof(*jobs));
    if (jobs == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (uint32_t v = 0; v < c->variant_count; v++) {
        jobs[v].activities = c->variants[v].activities;
        jobs[v].length = c->variants[v].length;
    }
    if (o.align != NULL) {
        /* Aligned elsewhere: the hook's moves are checked and copied. */
        rc = o.align(o.align_payload, jobs, c->variant_count, err);
        if (rc != AB_OK) {
            goto done;
        }
        uint32_t nt = ab_net_transition_count(net);
        for (uint32_t v = 0; v < c->variant_count; v++) {
            if (!job_valid(&jobs[v], nt, c->activity_count)) {
                rc = ab__error(err, AB_EINVAL, "conform", 0, 0,
                               "the alignment of variant %u made elsewhere does not fit its "
                               "trace or the net",
                               v + 1);
                goto done;
            }
        }
        for (uint32_t v = 0; v < c->variant_count; v++) {
            ab_conform_job *j = &jobs[v];
            ab_move *m = ab__malloc(ctx, sizeof(ab_move) * ((size_t)j->move_count + 1));
            if (m == NULL) {
                ab_conform_jobs_release(jobs, v, ctx); /* The copies made so far. */
                rc = AB_ENOMEM;
                goto done;
            }
            if (j->move_count > 0) {
                memcpy(m, j->moves, sizeof(ab_move) * j->move_count);
            }
            j->moves = m;
        }
    } else {
        rc = align_jobs(ctx, jobs, c->variant_count, &cn, &run, c->label_activity,
                        c->activity_label, &o);
    }
    /* The variants own the moves from here, also on failure. */
    for (uint32_t v = 0; v < c->variant_count; v++) {
        ab_conform_variant *x = &c->variants[v];
        const ab_conform_job *j = &jobs[v];
        x->moves = j->moves;
        x->move_count = j->move_count;
        x->cost = j->cost;
        x->approximate = j->approximate;
        x->states = j->states;
        x->ambiguous = o.check_ambiguity ? j->ambiguous : -1;
        c->stats.fast_path_variants += j->fast_path != 0;
        c->stats.check_states += j->check_states;
    }
    AB_TRY(rc);
    AB_TRY(check_reduced(c, &cn, &o));
    for (uint32_t v = 0; v < c->variant_count; v++) {
        ab_conform_variant *x = &c->variants[v];
        x->worst_cost = x->length + run.visible;
        c->stats.fitting_variants += x->cost == 0;
        c->stats.approximate_variants += x->approximate != 0;
        c->stats.states += x->states;
    }
done:
    ab__free(ctx, jobs);
    if (have_cn) {
        ab__cnet_finish(&cn, ctx);
    }
    ab__free(ctx, run.trans);
    if (rc != AB_OK) {
        ab_conform_destroy(c);
        return finish_error(rc, err);
    }
    *out = c;
    return AB_OK;
}

int ab_conform_align(ab_conform_job *jobs, uint32_t count, ab_ctx *ctx, const ab_log *log,
                     const ab_net *net, const ab_conform_options *opts, ab_error *err)
{
    ab_conform_options o;
    if ((jobs == NULL && count > 0) || ctx == NULL || log == NULL || net == NULL ||
        read_options(&o, opts) != AB_OK) {
        return ab__error(err, AB_EINVAL, "conform", 0, 0, "ab_conform_align: bad arguments");
    }
    uint32_t na = ab_log_activity_count(log);
    for (uint32_t v = 0; v < count; v++) {
        ab_conform_job *j = &jobs[v];
        j->moves = NULL;
        j->move_count = 0;
        if (j->length > 0 && j->activities == NULL) {
            return ab__error(err, AB_EINVAL, "conform", 0, 0,
                             "ab_conform_align: job %u has no activities", v);
        }
        for (uint32_t i = 0; i < j->length; i++) {
            if (j->activities[i] >= na) {
                return ab__error(err, AB_EINVAL, "conform", 0, 0,
                                 "ab_conform_align: job %u names activity %u, the log has %u", v,
                                 j->activities[i], na);
            }
        }
    }
    /* The label maps, in an ab_conform of their own. */
    ab_conform *c = ab__calloc(ctx, 1, sizeof(*c));
    if (c == NULL) {
        return ab__error(err, AB_ENOMEM, "conform", 0, 0, "out of memory");
    }
    c->ctx = ctx;
    ab__cnet cn;
    int have_cn = 0;
    ab__cf_run run;
    memset(&run, 0, sizeof(run));
    int rc = ab__cf_label_maps(c, log, net);
    if (rc == AB_OK) {
        rc = prepare_net(&cn, &have_cn, &run, ctx, net, c->label_activity, &o, err);
    }
    if (rc == AB_OK) {
        rc = align_jobs(ctx, jobs, count, &cn, &run, c->label_activity, c->activity_label, &o);
    }
    if (have_cn) {
        ab__cnet_finish(&cn, ctx);
    }
    ab__free(ctx, run.trans);
    ab_conform_destroy(c);
    if (rc != AB_OK) {
        ab_conform_jobs_release(jobs, count, ctx);
        return rc == AB_EINVAL || rc == AB_ELIMIT ? rc : finish_error(rc, err);
    }
    return AB_OK;
}

void ab_conform_jobs_release(ab_conform_job *jobs, uint32_t count, ab_ctx *ctx)
{
    for (uint32_t v = 0; jobs != NULL && ctx != NULL && v < count; v++) {
        ab__free(ctx, jobs[v].moves);
        jobs[v].moves = NULL;
        jobs[v].move_count = 0;
    }
}

void ab_conform_destroy(ab_conform *c)
{
    if (c == NULL) {
        return;
    }
    ab_ctx *ctx = c->ctx;
    if (c->variants != NULL) {
        for (uint32_t v = 0; v < c->variant_count; v++) {
            ab__free(ctx, (void *)c->variants[v].moves);
        }
    }
    ab__free(ctx, c->case_first);
    ab__free(ctx, c->inst_event);
    ab__free(ctx, c->inst_start);
    ab__free(ctx, c->inst_act);
    ab__free(ctx, c->case_variant);
    ab__free(ctx, c->variants);
    ab__free(ctx, c->variant_cases);
    ab__free(ctx, c->label_activity);
    ab__free(ctx, c->activity_label);
    ab__free(ctx, c);
}

const ab_conform_stats *ab_conform_get_stats(const ab_conform *c)
{
    return &c->stats;
}

uint32_t ab_conform_variant_count(const ab_conform *c)
{
    return c->variant_count;
}

const ab_conform_variant *ab_conform_variant_at(const ab_conform *c, uint32_t index)
{
    return index < c->variant_count ? &c->variants[index] : NULL;
}

uint32_t ab_conform_case_variant(const ab_conform *c, uint32_t case_index)
{
    return case_index < c->case_count ? c->case_variant[case_index] : AB_CONFORM_NONE;
}

const uint64_t *ab_conform_case_events(const ab_conform *c, uint32_t case_index,
                                       uint32_t *count_out)
{
    if (case_index >= c->case_count) {
        if (count_out != NULL) {
            *count_out = 0;
        }
        return NULL;
    }
    if (count_out != NULL) {
        *count_out = (uint32_t)(c->case_first[case_index + 1] - c->case_first[case_index]);
    }
    return c->inst_event + c->case_first[case_index];
}

const ab_time *ab_conform_case_starts(const ab_conform *c, uint32_t case_index)
{
    return case_index < c->case_count && c->inst_start != NULL
               ? c->inst_start + c->case_first[case_index]
               : NULL;
}

uint32_t ab_conform_label_activity(const ab_conform *c, uint32_t label_id)
{
    return label_id < c->label_count ? c->label_activity[label_id] : AB_CONFORM_NONE;
}

uint32_t ab_conform_activity_label(const ab_conform *c, uint32_t activity_id)
{
    return activity_id < c->activity_count ? c->activity_label[activity_id] : AB_NET_SILENT;
}

const char *ab_move_kind_name(ab_move_kind kind)
{
    switch (kind) {
    case AB_MOVE_SYNC:
        return "sync";
    case AB_MOVE_LOG:
        return "log";
    case AB_MOVE_MODEL:
        return "model";
    case AB_MOVE_SILENT:
        return "silent";
    }
    return "unknown";
}
