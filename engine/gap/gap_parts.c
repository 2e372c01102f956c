/*
 * gap/gap_parts.c: the per-case steps of the gap computation over shares
 * of the cases in this process (ab__gap_parts, gap_int.h). Each share works
 * on its own cases only and the results meet as sums, maxima and counts,
 * which is all a driver with the shares in other processes has to provide.
 * With one share of every case it is the plain computation.
 */
#include "gap/gap_int.h"

/*
 * A share's times for the time impacts, laid out group after group (the
 * share's cases of a group in case order, each case's instances in trace
 * order), so that a finding reads its groups' times sequentially instead
 * of jumping across the log.
 */
typedef struct lay {
    uint64_t *cslot;       /* Per group + 1: its first case's slot (the next group's
                              first is its end). */
    uint64_t *islot;       /* Per group: its first instance's slot. */
    int64_t *ct;           /* Per case slot: cycle time or INT64_MIN. */
    ab_time *first, *last; /* Per case slot: the case's first and last times. */
    ab_time *times;        /* Per instance slot: the completion time. */
} lay;

/* What a share knows of each of its cases, by its position in the share. */
typedef struct share_cases {
    uint32_t *group;       /* Its variant, then (from smallest) its group. */
    int64_t *ct;           /* Cycle time (us), or INT64_MIN. */
    ab_time *first, *last; /* First and last times, or AB_TIME_NONE. */
    uint8_t *open;         /* Possibly open (R0). */
} share_cases;

typedef struct local {
    ab_gap *g;
    uint32_t count;              /* Shares. */
    share_cases *sc;             /* Per share. */
    uint32_t *share_of, *pos_of; /* Per case: its share and position there (NULL
                                    with one share: share 0, position = case). */
    int64_t **sorted;            /* Per share: its cycle times, ascending (after times). */
    uint64_t *sorted_n;
    lay *lays; /* Per share, between lay_out and unlay. */
} local;

uint32_t ab__gap_share_count(const ab_gap *g)
{
    return g->view->share_count > 0 ? g->view->share_count : 1;
}

uint32_t ab__gap_share_size(const ab_gap *g, uint32_t s)
{
    return g->view->share_count > 0 ? g->view->shares[s].count : g->case_count;
}

uint32_t ab__gap_share_case(const ab_gap *g, uint32_t s, uint32_t i)
{
    return g->view->share_count > 0 ? g->view->shares[s].cases[i] : i;
}

/* Where case c is kept: share *s, position *i there. */
static void locate(const local *p, uint32_t c, uint32_t *s, uint32_t *i)
{
    *s = p->share_of != NULL ? p->share_of[c] : 0;
    *i = p->pos_of != NULL ? p->pos_of[c] : c;
}

uint32_t ab__gap_case_group(const ab_gap *g, uint32_t c)
{
    const local *p = g->parts.payload;
    uint32_t s, i;
    locate(p, c, &s, &i);
    return p->sc[s].group[i];
}

int64_t ab__gap_case_ct(const ab_gap *g, uint32_t c)
{
    const local *p = g->parts.payload;
    uint32_t s, i;
    locate(p, c, &s, &i);
    return p->sc[s].ct[i];
}

int ab__gap_case_open(const ab_gap *g, uint32_t c)
{
    const local *p = g->parts.payload;
    uint32_t s, i;
    locate(p, c, &s, &i);
    return p->sc[s].open[i];
}

/* A case's first time (its first start, else first completion), last
 * completion and cycle time (INT64_MIN without one), into slot i of sc. */
static void case_time(ab_gap *g, const ab_time *ts, uint32_t c, share_cases *sc, uint32_t at)
{
    uint32_t n = 0;
    const uint64_t *ev = g->view->case_events(g->view->src, c, &n);
    const ab_time *st = g->view->case_starts(g->view->src, c);
    ab_time first = AB_TIME_NONE, last = AB_TIME_NONE;
    for (uint32_t i = 0; i < n && ts != NULL; i++) {
        ab_time t = ts[ev[i]];
        ab_time s = st != NULL && st[i] != AB_TIME_NONE ? st[i] : t;
        if (s != AB_TIME_NONE && (first == AB_TIME_NONE || s < first)) {
            first = s;
        }
        if (t != AB_TIME_NONE && (last == AB_TIME_NONE || t > last)) {
            last = t;
        }
    }
    sc->first[at] = first;
    sc->last[at] = last;
    sc->ct[at] =
        first != AB_TIME_NONE && last != AB_TIME_NONE && last >= first ? last - first : INT64_MIN;
}

static int local_times(void *payload, ab_time *log_last, uint64_t *with_ct, int64_t *max_ct)
{
    local *p = payload;
    ab_gap *g = p->g;
    const ab_time *ts = ab_log_col_time(g->log);
    *log_last = AB_TIME_NONE;
    *with_ct = 0;
    *max_ct = 0;
    for (uint32_t s = 0; s < p->count; s++) {
        uint32_t n = ab__gap_share_size(g, s);
        int64_t *v = ab__malloc(g->ctx, sizeof(int64_t) * ((size_t)n + 1));
        int64_t *tmp = ab__malloc(g->ctx, sizeof(int64_t) * ((size_t)n + 1));
        if (v == NULL || tmp == NULL) {
            ab__free(g->ctx, v);
            ab__free(g->ctx, tmp);
            return AB_ENOMEM;
        }
        uint64_t k = 0;
        share_cases *sc = &p->sc[s];
        for (uint32_t i = 0; i < n; i++) {
            case_time(g, ts, ab__gap_share_case(g, s, i), sc, i);
            ab_time last = sc->last[i];
            if (last != AB_TIME_NONE && (*log_last == AB_TIME_NONE || last > *log_last)) {
                *log_last = last;
            }
            if (sc->ct[i] != INT64_MIN) {
                v[k++] = sc->ct[i];
                *max_ct = sc->ct[i] > *max_ct ? sc->ct[i] : *max_ct;
            }
        }
        ab__sort_i64(v, k, tmp);
        ab__free(g->ctx, tmp);
        p->sorted[s] = v;
        p->sorted_n[s] = k;
        *with_ct += k;
    }
    return AB_OK;
}

static int local_count_ct(void *payload, const int64_t *at, size_t n, uint64_t *counts)
{
    local *p = payload;
    for (size_t j = 0; j < n; j++) {
        counts[j] = 0;
        for (uint32_t s = 0; s < p->count; s++) {
            /* Values at most at[j]: the first index above it. */
            const int64_t *v = p->sorted[s];
            uint64_t lo = 0, hi = p->sorted_n[s];
            while (lo < hi) {
                uint64_t mid = lo + (hi - lo) / 2;
                if (v[mid] <= at[j]) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            counts[j] += lo;
        }
    }
    return AB_OK;
}

static int local_open(void *payload, ab_time log_last, double horizon, const uint8_t *never_open,
                      uint64_t *open_per_variant)
{
    local *p = payload;
    ab_gap *g = p->g;
    /* The order statistics are found: the sorted cycle times go. */
    for (uint32_t s = 0; s < p->count; s++) {
        ab__free(g->ctx, p->sorted[s]);
        p->sorted[s] = NULL;
        p->sorted_n[s] = 0;
    }
    for (uint32_t s = 0; s < p->count; s++) {
        share_cases *sc = &p->sc[s];
        for (uint32_t i = 0, n = ab__gap_share_size(g, s); i < n; i++) {
            /* Before the groups exist, group holds the case's variant. */
            uint32_t v = sc->group[i];
            if (sc->last[i] != AB_TIME_NONE && !never_open[v] &&
                (double)(log_last - sc->last[i]) <= horizon) {
                sc->open[i] = 1;
                open_per_variant[v]++;
            }
        }
    }
    return AB_OK;
}

/* Puts case c among the AB__GAP_SMALLEST smallest ids of best[], kept ascending. */
static void keep_smallest(const ab_log *log, uint32_t *best, uint32_t c)
{
    const char *id = ab_log_case_id(log, c);
    uint32_t j = AB__GAP_SMALLEST;
    while (j > 0 &&
           (best[j - 1] == UINT32_MAX || strcmp(id, ab_log_case_id(log, best[j - 1])) < 0)) {
        j--;
    }
    if (j == AB__GAP_SMALLEST) {
        return;
    }
    memmove(best + j + 1, best + j, sizeof(uint32_t) * (AB__GAP_SMALLEST - 1 - j));
    best[j] = c;
}

static int local_smallest(void *payload, const uint32_t *group_of, int exclude,
                          uint32_t group_count, uint32_t *out)
{
    local *p = payload;
    ab_gap *g = p->g;
    for (size_t i = 0; i < (size_t)group_count * AB__GAP_SMALLEST; i++) {
        out[i] = UINT32_MAX;
    }
    /* Each share keeps its own smallest and they merge, as shares in other
     * processes would: the smallest of a union are among the parts'. */
    uint32_t *mine =
        ab__malloc(g->ctx, sizeof(uint32_t) * ((size_t)group_count + 1) * AB__GAP_SMALLEST);
    if (mine == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t s = 0; s < p->count; s++) {
        for (size_t i = 0; i < (size_t)group_count * AB__GAP_SMALLEST; i++) {
            mine[i] = UINT32_MAX;
        }
        share_cases *sc = &p->sc[s];
        for (uint32_t i = 0, n = ab__gap_share_size(g, s); i < n; i++) {
            /* Until now group held the case's variant. */
            uint32_t v = sc->group[i];
            uint32_t gi = group_of[2 * (size_t)v + (exclude && sc->open[i])];
            sc->group[i] = gi;
            keep_smallest(g->log, mine + (size_t)gi * AB__GAP_SMALLEST,
                          ab__gap_share_case(g, s, i));
        }
        for (uint32_t gi = 0; gi < group_count; gi++) {
            for (uint32_t j = 0; j < AB__GAP_SMALLEST; j++) {
                uint32_t c = mine[(size_t)gi * AB__GAP_SMALLEST + j];
                if (c != UINT32_MAX) {
                    keep_smallest(g->log, out + (size_t)gi * AB__GAP_SMALLEST, c);
                }
            }
        }
    }
    ab__free(g->ctx, mine);
    return AB_OK;
}

static int local_case_times(void *payload, size_t n, const uint32_t *cases, const uint32_t *pos,
                            ab_time *start, ab_time *end, ab_time *at)
{
    local *p = payload;
    ab_gap *g = p->g;
    const ab_time *ts = ab_log_col_time(g->log);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cases[i], k = 0, s, q;
        locate(p, c, &s, &q);
        const uint64_t *ev = g->view->case_events(g->view->src, c, &k);
        start[i] = p->sc[s].first[q];
        end[i] = p->sc[s].last[q];
        at[i] = ts != NULL && ev != NULL && pos[i] < k ? ts[ev[pos[i]]] : AB_TIME_NONE;
    }
    return AB_OK;
}

static int local_valid(void *payload, uint32_t *valid)
{
    local *p = payload;
    ab_gap *g = p->g;
    memset(valid, 0, sizeof(uint32_t) * g->group_count);
    for (uint32_t s = 0; s < p->count; s++) {
        const share_cases *sc = &p->sc[s];
        for (uint32_t i = 0, n = ab__gap_share_size(g, s); i < n; i++) {
            uint32_t gi = sc->group[i];
            valid[gi] += !g->groups[gi].open && sc->ct[i] != INT64_MIN;
        }
    }
    return AB_OK;
}

static void local_unlay(void *payload)
{
    local *p = payload;
    for (uint32_t s = 0; p->lays != NULL && s < p->count; s++) {
        lay *L = &p->lays[s];
        ab__free(p->g->ctx, L->cslot);
        ab__free(p->g->ctx, L->islot);
        ab__free(p->g->ctx, L->ct);
        ab__free(p->g->ctx, L->first);
        ab__free(p->g->ctx, L->last);
        ab__free(p->g->ctx, L->times);
    }
    ab__free(p->g->ctx, p->lays);
    p->lays = NULL;
}

/* Lays out share s's cases of the groups with valid cases. */
static int lay_share(local *p, uint32_t s, const uint32_t *valid, lay *L)
{
    ab_gap *g = p->g;
    ab_ctx *ctx = g->ctx;
    uint32_t G = g->group_count;
    L->cslot = ab__calloc(ctx, (size_t)G + 2, sizeof(uint64_t));
    L->islot = ab__calloc(ctx, (size_t)G + 1, sizeof(uint64_t));
    if (L->cslot == NULL || L->islot == NULL) {
        return AB_ENOMEM;
    }
    uint32_t n = ab__gap_share_size(g, s);
    const share_cases *sc = &p->sc[s];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t gi = sc->group[i];
        L->cslot[gi + 1] += valid[gi] > 0;
    }
    uint64_t ni = 0;
    for (uint32_t gi = 0; gi < G; gi++) {
        L->islot[gi] = ni;
        ni += L->cslot[gi + 1] * g->groups[gi].v->length;
        L->cslot[gi + 1] += L->cslot[gi];
    }
    uint64_t nc = L->cslot[G];
    L->ct = ab__malloc(ctx, sizeof(int64_t) * (nc + 1));
    L->first = ab__malloc(ctx, sizeof(ab_time) * (nc + 1));
    L->last = ab__malloc(ctx, sizeof(ab_time) * (nc + 1));
    L->times = ab__malloc(ctx, sizeof(ab_time) * (ni + 1));
    uint64_t *fill = ab__calloc(ctx, (size_t)G + 1, sizeof(uint64_t));
    if (L->ct == NULL || L->first == NULL || L->last == NULL || L->times == NULL || fill == NULL) {
        ab__free(ctx, fill);
        return AB_ENOMEM;
    }
    const ab_time *ts = ab_log_col_time(g->log);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = ab__gap_share_case(g, s, i), gi = sc->group[i], k = 0;
        if (valid[gi] == 0) {
            continue;
        }
        uint32_t len = g->groups[gi].v->length;
        uint64_t at = fill[gi]++;
        uint64_t slot = L->cslot[gi] + at;
        L->ct[slot] = sc->ct[i];
        L->first[slot] = sc->first[i];
        L->last[slot] = sc->last[i];
        const uint64_t *ev = g->view->case_events(g->view->src, c, &k);
        ab_time *t = L->times + L->islot[gi] + at * len;
        for (uint32_t q = 0; q < len; q++) {
            t[q] = q < k && ts != NULL ? ts[ev[q]] : AB_TIME_NONE;
        }
    }
    ab__free(ctx, fill);
    return AB_OK;
}

static int local_lay_out(void *payload, const uint32_t *valid)
{
    local *p = payload;
    local_unlay(p);
    p->lays = ab__calloc(p->g->ctx, p->count, sizeof(lay));
    if (p->lays == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t s = 0; s < p->count; s++) {
        int rc = lay_share(p, s, valid, &p->lays[s]);
        if (rc != AB_OK) {
            local_unlay(p);
            return rc;
        }
    }
    return AB_OK;
}

static int local_values(void *payload, const ab__gap_span *spans, size_t count, int64_t *v,
                        uint32_t *n)
{
    const local *p = payload;
    for (size_t q = 0; q < count; q++) {
        const ab__gap_span *sp = &spans[q];
        uint32_t len = p->g->groups[sp->group].v->length;
        for (uint32_t s = 0; s < p->count; s++) {
            const lay *L = &p->lays[s];
            uint64_t cs = L->cslot[sp->group], ce = L->cslot[sp->group + 1];
            for (uint64_t k = 0; k < ce - cs; k++) {
                if (L->ct[cs + k] == INT64_MIN) {
                    continue;
                }
                const ab_time *t = L->times + L->islot[sp->group] + k * len;
                ab_time a = sp->from == AB__GAP_CODE_START ? L->first[cs + k]
                            : sp->from_pos < len           ? t[sp->from_pos]
                                                           : AB_TIME_NONE;
                ab_time b = sp->to == AB__GAP_CODE_END ? L->last[cs + k]
                            : sp->to_pos < len         ? t[sp->to_pos]
                                                       : AB_TIME_NONE;
                if (a != AB_TIME_NONE && b != AB_TIME_NONE && b >= a) {
                    v[(*n)++] = b - a;
                }
            }
        }
    }
    return AB_OK;
}

static void local_destroy(void *payload)
{
    local *p = payload;
    if (p == NULL) {
        return;
    }
    ab_ctx *ctx = p->g->ctx;
    local_unlay(p);
    for (uint32_t s = 0; p->sorted != NULL && s < p->count; s++) {
        ab__free(ctx, p->sorted[s]);
    }
    for (uint32_t s = 0; p->sc != NULL && s < p->count; s++) {
        share_cases *sc = &p->sc[s];
        ab__free(ctx, sc->group);
        ab__free(ctx, sc->ct);
        ab__free(ctx, sc->first);
        ab__free(ctx, sc->last);
        ab__free(ctx, sc->open);
    }
    ab__free(ctx, p->sc);
    ab__free(ctx, p->share_of);
    ab__free(ctx, p->pos_of);
    ab__free(ctx, p->sorted);
    ab__free(ctx, p->sorted_n);
    ab__free(ctx, p);
}

/* Gives each share its cases' variants (variant_of: per case, taken over)
 * and room for the rest. */
static int local_init(local *p, uint32_t *variant_of)
{
    ab_gap *g = p->g;
    ab_ctx *ctx = g->ctx;
    p->sc = ab__calloc(ctx, p->count, sizeof(share_cases));
    p->sorted = ab__calloc(ctx, p->count, sizeof(int64_t *));
    p->sorted_n = ab__calloc(ctx, p->count, sizeof(uint64_t));
    if (p->sc == NULL || p->sorted == NULL || p->sorted_n == NULL) {
        ab__free(ctx, variant_of);
        return AB_ENOMEM;
    }
    if (g->view->share_count == 0) {
        p->sc[0].group = variant_of;
    } else {
        p->share_of = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)g->case_count + 1));
        p->pos_of = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)g->case_count + 1));
        if (p->share_of == NULL || p->pos_of == NULL) {
            ab__free(ctx, variant_of);
            return AB_ENOMEM;
        }
        for (uint32_t s = 0; s < p->count; s++) {
            uint32_t n = ab__gap_share_size(g, s);
            p->sc[s].group = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)n + 1));
            if (p->sc[s].group == NULL) {
                ab__free(ctx, variant_of);
                return AB_ENOMEM;
            }
            for (uint32_t i = 0; i < n; i++) {
                uint32_t c = ab__gap_share_case(g, s, i);
                p->sc[s].group[i] = variant_of[c];
                p->share_of[c] = s;
                p->pos_of[c] = i;
            }
        }
        ab__free(ctx, variant_of);
    }
    for (uint32_t s = 0; s < p->count; s++) {
        share_cases *sc = &p->sc[s];
        size_t n = (size_t)ab__gap_share_size(g, s) + 1;
        sc->ct = ab__malloc(ctx, sizeof(int64_t) * n);
        sc->first = ab__malloc(ctx, sizeof(ab_time) * n);
        sc->last = ab__malloc(ctx, sizeof(ab_time) * n);
        sc->open = ab__calloc(ctx, n, 1);
        if (sc->ct == NULL || sc->first == NULL || sc->last == NULL || sc->open == NULL) {
            return AB_ENOMEM;
        }
    }
    return AB_OK;
}

int ab__gap_parts_local(ab_gap *g, uint32_t *variant_of, ab__gap_parts *out)
{
    memset(out, 0, sizeof(*out));
    local *p = ab__calloc(g->ctx, 1, sizeof(*p));
    if (p == NULL) {
        ab__free(g->ctx, variant_of);
        return AB_ENOMEM;
    }
    p->g = g;
    p->count = ab__gap_share_count(g);
    if (local_init(p, variant_of) != AB_OK) {
        local_destroy(p);
        return AB_ENOMEM;
    }
    out->payload = p;
    out->times = local_times;
    out->count_ct = local_count_ct;
    out->open = local_open;
    out->smallest = local_smallest;
    out->case_times = local_case_times;
    out->valid = local_valid;
    out->lay_out = local_lay_out;
    out->unlay = local_unlay;
    out->values = local_values;
    out->destroy = local_destroy;
    return AB_OK;
}
