/*
 * gap/gap_time.c: the time impact of each deviation, measured against
 * closed conforming cases of the same stratum (spec, "Time impact"): for a
 * step skipped or repeated, the conforming cases that did that step; for an
 * undocumented activity or transition, those that reached the step before
 * it; without such an anchor, those that ended at the same end event. Fewer
 * than min_group cases on either side gives a status, not a number. The
 * bootstrap of the Hodges-Lehmann shift is the costly part; it may run on
 * several threads, each finding with its own seed, so the result does not
 * depend on how many.
 */
#include "gap/gap_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct job {
    int64_t *x; /* Deviating cycle times (us), sorted. */
    uint32_t n;
    int64_t *y; /* Baseline cycle times (us), sorted. */
    uint32_t m;
    uint64_t seed;
    uint64_t hash;    /* Of the two samples: equal samples, equal result. */
    uint32_t same_as; /* An earlier job with the same samples, or UINT32_MAX. */
    ab__gap_boot_work work;
    ab_gap_time *out;
} job;

typedef struct pool {
    job *jobs;
    uint32_t count;
    uint32_t resamples;
    unsigned threads;
    unsigned index;
    const ab_gap *g; /* Progress: jobs done, of count. */
    uint32_t done;
} pool;

static void run_job(job *j, uint32_t resamples)
{
    if (j->same_as != UINT32_MAX) {
        return;
    }
    j->out->shift_s = ab__gap_hodges_lehmann(j->x, NULL, j->n, j->y, NULL, j->m, j->work.pairs,
                                             j->work.pair_cap) /
                      1e6;
    double lo, hi;
    ab__gap_bootstrap_hl(j->x, j->n, j->y, j->m, resamples, j->seed, &j->work, &lo, &hi);
    j->out->ci_lo_s = lo / 1e6;
    j->out->ci_hi_s = hi / 1e6;
}

typedef struct worker {
    pool *p;
    unsigned index;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    /* A fixed share per thread: job i goes to thread i mod threads. */
    for (uint32_t i = w->index; i < w->p->count; i += w->p->threads) {
        run_job(&w->p->jobs[i], w->p->resamples);
        ab__gap_progress_step(w->p->g, "time impacts", &w->p->done, w->p->count);
    }
    return NULL;
}

static int contains(const ab_gap *g, uint32_t variant, uint32_t activity)
{
    const uint32_t *s = g->variant_acts[variant];
    uint32_t lo = 0, hi = g->variant_act_count[variant];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s[mid] < activity) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < g->variant_act_count[variant] && s[lo] == activity;
}

/* The end stratum most of the entry's closed cases reached. */
static uint32_t main_end(const ab_gap *g, const ab__gap_entry *e)
{
    uint32_t best = UINT32_MAX;
    uint64_t best_n = 0;
    for (uint32_t i = 0; i < e->group_count; i++) {
        const ab__gap_group *gr = &g->groups[e->groups[i]];
        if (gr->open) {
            continue;
        }
        uint64_t n = 0;
        for (uint32_t k = 0; k < e->group_count; k++) {
            const ab__gap_group *o = &g->groups[e->groups[k]];
            n += !o->open && o->end_key == gr->end_key ? o->case_count : 0;
        }
        if (n > best_n ||
            (n == best_n && best != UINT32_MAX &&
             strcmp(ab__strtab_str(&g->names, gr->end_key), ab__strtab_str(&g->names, best)) < 0)) {
            best = gr->end_key;
            best_n = n;
        }
    }
    return best;
}

static int in_stratum(const ab_gap *g, const ab__gap_group *gr, uint32_t anchor, uint32_t endk)
{
    if (anchor == AB__GAP_ANCHOR_NONE) {
        return 0;
    }
    if (anchor == AB__GAP_ANCHOR_END) {
        return endk != UINT32_MAX && gr->end_key == endk;
    }
    return contains(g, gr->variant, anchor);
}

/* Appends the cycle times of a group's cases to v. */
static void add_times(const ab_gap *g, const ab__gap_group *gr, int64_t *v, uint32_t *n)
{
    for (uint32_t i = 0; i < gr->case_count; i++) {
        int64_t ct = g->ct[gr->cases[i]];
        if (ct != INT64_MIN) {
            v[(*n)++] = ct;
        }
    }
}

static char *stratum_text(ab_gap *g, const ab__gap_entry *e, const ab_gap_item *it, uint32_t endk)
{
    char buf[1024];
    if (e->anchor == AB__GAP_ANCHOR_END) {
        snprintf(buf, sizeof(buf), "conforming cases ending at %s",
                 endk != UINT32_MAX ? ab__strtab_str(&g->names, endk) : "?");
    } else if (e->anchor == AB__GAP_ANCHOR_NONE) {
        snprintf(buf, sizeof(buf), "conforming cases containing %s", it->activity);
    } else {
        snprintf(buf, sizeof(buf), "conforming cases containing %s",
                 ab__gap_act_name(g, e->anchor));
    }
    return ab__arena_strndup(&g->arena, buf, strlen(buf));
}

int ab__gap_time_impacts(ab_gap *g, const ab__gap_entry *entries, ab_gap_item *const *items,
                         uint32_t count)
{
    ab_ctx *ctx = g->ctx;
    int rc = AB_OK;
    int timed = ab_log_has_timestamps(g->log);
    uint32_t min_group = g->opts.min_group, R = g->opts.resamples;
    job *jobs = ab__calloc(ctx, (size_t)count + 1, sizeof(job));
    uint32_t njobs = 0;
    uint32_t *conforming = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)g->group_count + 1));
    uint32_t nconf = 0;
    if (jobs == NULL || conforming == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (uint32_t gi = 0; gi < g->group_count; gi++) {
        if (!g->groups[gi].deviating && !g->groups[gi].open) {
            conforming[nconf++] = gi;
        }
    }
    for (uint32_t i = 0; i < count; i++) {
        const ab__gap_entry *e = &entries[i];
        ab_gap_item *it = items[i];
        ab_gap_time *t = &it->time;
        memset(t, 0, sizeof(*t));
        if (e->kind == AB_GAP_K_REWORK && e->documented) {
            t->status = AB_GAP_TIME_NOT_APPLICABLE;
            continue;
        }
        if (!timed) {
            t->status = AB_GAP_TIME_NO_TIMESTAMPS;
            continue;
        }
        uint32_t endk = e->anchor == AB__GAP_ANCHOR_END ? main_end(g, e) : UINT32_MAX;
        if ((t->stratum = stratum_text(g, e, it, endk)) == NULL) {
            rc = AB_ENOMEM;
            goto done;
        }
        uint64_t nx = 0, ny = 0;
        for (uint32_t k = 0; k < e->group_count; k++) {
            nx += g->groups[e->groups[k]].case_count;
        }
        for (uint32_t k = 0; k < nconf; k++) {
            ny += g->groups[conforming[k]].case_count;
        }
        job *j = &jobs[njobs];
        j->x = ab__malloc(ctx, sizeof(int64_t) * (nx + 1));
        j->y = ab__malloc(ctx, sizeof(int64_t) * (ny + 1));
        if (j->x == NULL || j->y == NULL) {
            ab__free(ctx, j->x);
            ab__free(ctx, j->y);
            j->x = j->y = NULL;
            rc = AB_ENOMEM;
            goto done;
        }
        for (uint32_t k = 0; k < e->group_count; k++) {
            const ab__gap_group *gr = &g->groups[e->groups[k]];
            if (!gr->open && (!e->filter || in_stratum(g, gr, e->anchor, endk))) {
                add_times(g, gr, j->x, &j->n);
            }
        }
        for (uint32_t k = 0; k < nconf; k++) {
            const ab__gap_group *gr = &g->groups[conforming[k]];
            if (in_stratum(g, gr, e->anchor, endk)) {
                add_times(g, gr, j->y, &j->m);
            }
        }
        ab__gap_sort_i64(j->x, j->n);
        ab__gap_sort_i64(j->y, j->m);
        t->n_deviating = j->n;
        t->n_baseline = j->m;
        t->deviating_median_s = ab__gap_median_sorted(j->x, j->n) / 1e6;
        t->baseline_median_s = ab__gap_median_sorted(j->y, j->m) / 1e6;
        if (j->n < min_group) {
            t->status = AB_GAP_TIME_TOO_FEW;
        } else if (j->m < min_group) {
            t->status = AB_GAP_TIME_NO_BASELINE;
        } else {
            t->status = AB_GAP_TIME_OK;
            t->delta_s = t->deviating_median_s - t->baseline_median_s;
            t->relative = t->baseline_median_s > 0 ? t->delta_s / t->baseline_median_s : 0;
            /* The seed comes from the samples themselves, so two findings
             * with the same cases get the same interval, computed once. */
            j->hash = ab__hash64(j->x, sizeof(int64_t) * j->n, j->n) ^
                      ab__hash64(j->y, sizeof(int64_t) * j->m, ~(uint64_t)j->m);
            j->seed = g->opts.seed ^ j->hash;
            j->out = t;
            j->same_as = UINT32_MAX;
            for (uint32_t k = 0; k < njobs && j->same_as == UINT32_MAX; k++) {
                const job *o = &jobs[k];
                if (o->same_as == UINT32_MAX && o->hash == j->hash && o->n == j->n &&
                    o->m == j->m && memcmp(o->x, j->x, sizeof(int64_t) * j->n) == 0 &&
                    memcmp(o->y, j->y, sizeof(int64_t) * j->m) == 0) {
                    j->same_as = k;
                }
            }
            njobs++; /* Counted first, so that cleanup frees what was allocated. */
            if (j->same_as != UINT32_MAX) {
                continue;
            }
            j->work.wx = ab__malloc(ctx, sizeof(uint32_t) * j->n);
            j->work.wy = ab__malloc(ctx, sizeof(uint32_t) * j->m);
            j->work.cx = ab__malloc(ctx, sizeof(uint32_t) * j->n);
            j->work.cy = ab__malloc(ctx, sizeof(uint32_t) * j->m);
            j->work.vx = ab__malloc(ctx, sizeof(int64_t) * j->n);
            j->work.vy = ab__malloc(ctx, sizeof(int64_t) * j->m);
            j->work.shifts = ab__malloc(ctx, sizeof(double) * ((size_t)R + 1));
            j->work.pairs = ab__malloc(ctx, sizeof(ab__gap_pair) * AB__GAP_PAIRS);
            j->work.pair_cap = AB__GAP_PAIRS;
            if (j->work.wx == NULL || j->work.wy == NULL || j->work.cx == NULL ||
                j->work.cy == NULL || j->work.vx == NULL || j->work.vy == NULL ||
                j->work.shifts == NULL || j->work.pairs == NULL) {
                rc = AB_ENOMEM;
                goto done;
            }
            continue;
        }
        ab__free(ctx, j->x);
        ab__free(ctx, j->y);
        j->x = j->y = NULL;
        j->n = j->m = 0;
    }
    pool p = {jobs, njobs, R, g->opts.threads > 1 ? g->opts.threads : 1, 0, g, 0};
    ab__gap_progress(g, "time impacts", 0, njobs);
    if (p.threads > njobs) {
        p.threads = njobs > 0 ? njobs : 1;
    }
    if (p.threads > 64) {
        p.threads = 64;
    }
    if (p.threads <= 1) {
        for (uint32_t i = 0; i < njobs; i++) {
            run_job(&jobs[i], R);
            ab__gap_progress_step(g, "time impacts", &p.done, njobs);
        }
    } else {
        pthread_t tid[64];
        worker w[64];
        unsigned started = 0;
        for (unsigned k = 1; k < p.threads; k++) {
            w[k].p = &p;
            w[k].index = k;
            if (pthread_create(&tid[k], NULL, worker_main, &w[k]) != 0) {
                break;
            }
            started = k;
        }
        /* This thread takes share 0, and the shares of threads that could
         * not start, so that every job runs exactly once. */
        w[0].p = &p;
        w[0].index = 0;
        worker_main(&w[0]);
        for (unsigned k = started + 1; k < p.threads; k++) {
            for (uint32_t i = k; i < njobs; i += p.threads) {
                run_job(&jobs[i], R);
                ab__gap_progress_step(g, "time impacts", &p.done, njobs);
            }
        }
        for (unsigned k = 1; k <= started; k++) {
            pthread_join(tid[k], NULL);
        }
    }
    for (uint32_t i = 0; i < njobs; i++) {
        if (jobs[i].same_as != UINT32_MAX) {
            const ab_gap_time *src = jobs[jobs[i].same_as].out;
            jobs[i].out->shift_s = src->shift_s;
            jobs[i].out->ci_lo_s = src->ci_lo_s;
            jobs[i].out->ci_hi_s = src->ci_hi_s;
        }
    }
done:
    for (uint32_t i = 0; i < njobs; i++) {
        ab__free(ctx, jobs[i].x);
        ab__free(ctx, jobs[i].y);
        ab__free(ctx, jobs[i].work.wx);
        ab__free(ctx, jobs[i].work.wy);
        ab__free(ctx, jobs[i].work.cx);
        ab__free(ctx, jobs[i].work.cy);
        ab__free(ctx, jobs[i].work.vx);
        ab__free(ctx, jobs[i].work.vy);
        ab__free(ctx, jobs[i].work.shifts);
        ab__free(ctx, jobs[i].work.pairs);
    }
    ab__free(ctx, jobs);
    ab__free(ctx, conforming);
    return rc;
}
