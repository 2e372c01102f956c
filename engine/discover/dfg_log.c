/*
 * discover/dfg_log.c: discovery on a finished log. Chooses the cases (top
 * variants) and the activities (the most frequent covering a share of the
 * events), projects each case onto those activities, and feeds the cases to
 * the same accumulator a one-pass reader would use. In activity-instance mode
 * each case's starts and completions are first paired into instances
 * (log/log_inst.c, as conformance pairs them).
 */
#include "discover/discover_int.h"
#include "log/log_inst.h"

#include <stdlib.h>

const char *ab_dfg_log_name(uint32_t id, size_t *len_out, void *payload)
{
    const ab_log *log = payload;
    if (id >= ab_log_activity_count(log)) {
        return NULL;
    }
    const char *s = ab_log_activity_name(log, id);
    *len_out = strlen(s);
    return s;
}

typedef struct act_freq {
    uint64_t events; /* Events in the selected cases. */
    uint32_t rank;   /* Position of the name in byte order: the tie-break. */
} act_freq;

static int cmp_freq(const void *pa, const void *pb)
{
    const act_freq *a = pa, *b = pb;
    if (a->events != b->events) {
        return a->events > b->events ? -1 : 1;
    }
    return (a->rank > b->rank) - (a->rank < b->rank);
}

int ab_dfg_choose_activities(ab_ctx *ctx, const uint64_t *events, uint32_t n, double percent,
                             uint8_t *keep)
{
    act_freq *f = ab__calloc(ctx, (size_t)n + 1, sizeof(*f));
    if (f == NULL) {
        return AB_ENOMEM;
    }
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        f[i].events = events[i];
        f[i].rank = i;
        total += events[i];
    }
    qsort(f, n, sizeof(*f), cmp_freq);
    memset(keep, 0, n);
    uint64_t cum = 0;
    for (uint32_t i = 0; i < n && f[i].events > 0; i++) {
        if ((double)cum * 100.0 >= percent * (double)total) {
            break;
        }
        keep[f[i].rank] = 1;
        cum += f[i].events;
    }
    ab__free(ctx, f);
    return AB_OK;
}

/*
 * keep[a] = 1 for the activities that activities_percent keeps over the
 * selected cases (ab_dfg_choose_activities). The log's activity ids follow
 * the byte order of the names.
 */
static int choose_activities(ab_ctx *ctx, const ab_log *log, const uint8_t *case_keep,
                             double percent, uint8_t *keep)
{
    uint32_t n = ab_log_activity_count(log);
    uint64_t *events = ab__calloc(ctx, (size_t)n + 1, sizeof(*events));
    if (events == NULL) {
        return AB_ENOMEM;
    }
    const uint32_t *act = ab_log_col_activity(log);
    for (uint32_t c = 0; c < ab_log_case_count(log); c++) {
        if (case_keep != NULL && !case_keep[c]) {
            continue;
        }
        uint64_t first = ab_log_case_first(log, c);
        uint32_t len = ab_log_case_length(log, c);
        for (uint32_t k = 0; k < len; k++) {
            events[act[first + k]]++;
        }
    }
    int rc = ab_dfg_choose_activities(ctx, events, n, percent, keep);
    ab__free(ctx, events);
    return rc;
}

/* The columns of one projected case. */
typedef struct scratch {
    uint32_t *act;  /* Activity ids. */
    ab_time *ts;    /* Completion times. */
    ab_time *start; /* Start times. */
    uint8_t *lc;    /* Lifecycle transitions. */
    uint64_t *ev;   /* Instance mode: the log event of each instance. */
    size_t cap;     /* Entries each column holds. */
} scratch;

static int scratch_reserve(ab_ctx *ctx, scratch *s, size_t n)
{
    if (n <= s->cap) {
        return AB_OK;
    }
    size_t cap = n < 64 ? 64 : n + n / 2;
    /* Each column is replaced only when its realloc succeeds; cap moves last. */
    void *a = ab__realloc(ctx, s->act, cap * sizeof(*s->act));
    if (a == NULL) {
        return AB_ENOMEM;
    }
    s->act = a;
    void *t = ab__realloc(ctx, s->ts, cap * sizeof(*s->ts));
    if (t == NULL) {
        return AB_ENOMEM;
    }
    s->ts = t;
    void *st = ab__realloc(ctx, s->start, cap * sizeof(*s->start));
    if (st == NULL) {
        return AB_ENOMEM;
    }
    s->start = st;
    void *l = ab__realloc(ctx, s->lc, cap);
    if (l == NULL) {
        return AB_ENOMEM;
    }
    s->lc = l;
    void *e = ab__realloc(ctx, s->ev, cap * sizeof(*s->ev));
    if (e == NULL) {
        return AB_ENOMEM;
    }
    s->ev = e;
    s->cap = cap;
    return AB_OK;
}

static void scratch_dispose(ab_ctx *ctx, scratch *s)
{
    ab__free(ctx, s->act);
    ab__free(ctx, s->ts);
    ab__free(ctx, s->start);
    ab__free(ctx, s->lc);
    ab__free(ctx, s->ev);
    memset(s, 0, sizeof(*s));
}

int ab_dfg_discover_acc(ab_dfg_acc **out, ab_ctx *ctx, const ab_log *log,
                        const ab_dfg_options *opts, const uint8_t *case_keep_in,
                        const uint8_t *act_keep_in, ab_error *err)
{
    ab_dfg_options o;
    *out = NULL;
    if (ab__dfg_options_load(opts, &o) != AB_OK) {
        return ab__error(err, AB_EINVAL, "discover", 0, 0,
                         "invalid discovery options (version %u, expected 1 to %u)",
                         opts->version, (unsigned)AB_DFG_OPTIONS_VERSION);
    }
    opts = &o;
    ab_dfg_acc *acc = NULL;
    int rc = ab_dfg_acc_create(&acc, ctx, opts, ab_dfg_log_name, (void *)log);
    if (rc == AB_EINVAL) {
        return ab__error(err, rc, "discover", 0, 0,
                         "invalid discovery options (version %u, activities_percent %g, "
                         "examples %u)",
                         opts->version, opts->activities_percent, opts->examples);
    }
    if (rc != AB_OK) {
        return ab__error(err, rc, "discover", 0, 0, "out of memory");
    }
    uint32_t ncases = ab_log_case_count(log);
    uint32_t nacts = ab_log_activity_count(log);
    uint8_t *case_keep = NULL, *act_keep = NULL;
    scratch p;
    memset(&p, 0, sizeof(p));
    ab__inst_pairer pairer;
    memset(&pairer, 0, sizeof(pairer));
    rc = AB_ENOMEM;
    const uint8_t *case_keep_c = case_keep_in, *act_keep_c = act_keep_in;
    if (case_keep_c == NULL && opts->top_variants > 0) {
        case_keep = ab__malloc(ctx, (size_t)ncases + 1);
        if (case_keep == NULL) {
            goto fail;
        }
        for (uint32_t c = 0; c < ncases; c++) {
            case_keep[c] = ab_log_case_variant(log, c) < opts->top_variants;
        }
        case_keep_c = case_keep;
    }
    int project = act_keep_in != NULL || opts->activities_percent < 100.0;
    if (project && act_keep_c == NULL) {
        act_keep = ab__malloc(ctx, (size_t)nacts + 1);
        if (act_keep == NULL || choose_activities(ctx, log, case_keep_c, opts->activities_percent,
                                                  act_keep) != AB_OK) {
            goto fail;
        }
        act_keep_c = act_keep;
    }
    const uint32_t *act = ab_log_col_activity(log);
    const ab_time *ts = ab_log_has_timestamps(log) ? ab_log_col_time(log) : NULL;
    const ab_time *start = ab_log_col_start(log);
    const uint8_t *lc = ab_log_col_lifecycle(log);
    if (opts->instances && ab__inst_pairer_init(&pairer, ctx, log) != AB_OK) {
        goto fail;
    }
    for (uint32_t c = 0; c < ncases; c++) {
        if (case_keep_c != NULL && !case_keep_c[c]) {
            continue;
        }
        uint64_t first = ab_log_case_first(log, c);
        const char *id = ab_log_case_id(log, c);
        ab_dfg_case view = {id,
                            strlen(id),
                            ab_log_case_length(log, c),
                            act + first,
                            ts != NULL ? ts + first : NULL,
                            start != NULL ? start + first : NULL,
                            lc != NULL ? lc + first : NULL};
        if (opts->instances) {
            /* The case's instances, each at its completion, with the start of
             * the paired start event (or of the start column). */
            ab__inst_counts counts = {0, 0, 0, 0};
            if (scratch_reserve(ctx, &p, view.length) != AB_OK ||
                ab__inst_pair_case(&pairer, c, p.ev, p.act, p.start, &counts) != AB_OK) {
                rc = AB_ENOMEM;
                goto fail;
            }
            for (uint64_t k = 0; k < counts.instances; k++) {
                p.ts[k] = ts != NULL ? ts[p.ev[k]] : AB_TIME_NONE;
            }
            view.activity = p.act;
            view.ts = ts != NULL ? p.ts : NULL;
            view.start = p.start;
            view.lifecycle = NULL;
            view.length = (uint32_t)counts.instances;
        }
        if (project) {
            if (scratch_reserve(ctx, &p, view.length) != AB_OK) {
                rc = AB_ENOMEM;
                goto fail;
            }
            uint32_t w = 0;
            for (uint32_t k = 0; k < view.length; k++) {
                if (!act_keep_c[view.activity[k]]) {
                    continue;
                }
                p.act[w] = view.activity[k];
                p.ts[w] = view.ts != NULL ? view.ts[k] : AB_TIME_NONE;
                p.start[w] = view.start != NULL ? view.start[k] : AB_TIME_NONE;
                p.lc[w] = view.lifecycle != NULL ? view.lifecycle[k] : AB_LC_NONE;
                w++;
            }
            view.activity = p.act;
            view.ts = view.ts != NULL ? p.ts : NULL;
            view.start = view.start != NULL ? p.start : NULL;
            view.lifecycle = view.lifecycle != NULL ? p.lc : NULL;
            view.length = w;
        }
        rc = ab_dfg_acc_add_case(acc, &view, err);
        if (rc != AB_OK) {
            goto fail;
        }
    }
    /* The log's own figures, for the graph's info. */
    acc->has_log = 1;
    acc->log_cases = ncases;
    acc->log_events = ab_log_event_count(log);
    for (uint32_t a = 0; a < nacts; a++) {
        uint32_t id;
        const char *name = ab_log_activity_name(log, a);
        if (ab__strtab_intern(&acc->log_acts, name, strlen(name), &id) != AB_OK) {
            rc = AB_ENOMEM;
            goto fail;
        }
    }
    ab__free(ctx, case_keep);
    ab__free(ctx, act_keep);
    scratch_dispose(ctx, &p);
    ab__inst_pairer_finish(&pairer);
    *out = acc;
    return AB_OK;
fail:
    if (rc == AB_ENOMEM) {
        ab__error(err, rc, "discover", 0, 0, "out of memory");
    }
    ab__free(ctx, case_keep);
    ab__free(ctx, act_keep);
    scratch_dispose(ctx, &p);
    ab__inst_pairer_finish(&pairer);
    ab_dfg_acc_destroy(acc);
    return rc;
}

int ab_dfg_discover(ab_dfg **out, ab_ctx *ctx, const ab_log *log, const ab_dfg_options *opts,
                    ab_error *err)
{
    ab_dfg_acc *acc = NULL;
    *out = NULL;
    int rc = ab_dfg_discover_acc(&acc, ctx, log, opts, NULL, NULL, err);
    return rc == AB_OK ? ab_dfg_acc_finish(acc, out, err) : rc;
}
