/*
 * gap/gap_parts.c: the per-case steps of the gap computation over shares
 * of the cases (ab__gap_parts, gap_int.h), in two layers. A share
 * (ab__gap_share) works on its own cases only, with no ab_gap: what it
 * needs of the computation comes as arguments, and what it finds is added
 * into the caller's sums, maxima and counts. The local parts below run
 * every share of this process and add them up; a driver whose shares are
 * in other processes runs one share each and adds them up with its
 * collectives. With one share of every case it is the plain computation.
 */
#include "gap/gap_int.h"

#include <stdlib.h>

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
    ab_time *first, *last; /* Per case slot: the case's first and last times. */
    ab_time *times;        /* Per instance slot: the completion time. */
} lay;

struct ab__gap_share_state {
    ab_ctx *ctx;
    ab__gap_share_input in;
    /* Per position in the share: */
    uint32_t *group;       /* The case's variant, then (from smallest) its group. */
    ab_time *first, *last; /* First and last times, or AB_TIME_NONE (the cycle time
                              is cycle_time() of them). */
    uint8_t *open;         /* Possibly open (R0). */
    int64_t *sorted;       /* The cycle times, ascending, from times to open. */
    uint64_t sorted_n;
    lay lay; /* Between lay_out and unlay (lay.cslot set). */
};

/* A case's cycle time from its first and last times (us), INT64_MIN
 * without one. */
static int64_t cycle_time(ab_time first, ab_time last)
{
    return first != AB_TIME_NONE && last != AB_TIME_NONE && last >= first ? last - first
                                                                          : INT64_MIN;
}

static uint32_t case_at(const ab__gap_share_state *st, uint32_t i)
{
    return st->in.cases != NULL ? st->in.cases[i] : i;
}

int ab__gap_share_create(ab__gap_share_state **out, ab_ctx *ctx, const ab__gap_share_input *in)
{
    *out = NULL;
    ab__gap_share_state *st = ab__calloc(ctx, 1, sizeof(*st));
    if (st == NULL) {
        ab__free(ctx, in->variant_of);
        return AB_ENOMEM;
    }
    st->ctx = ctx;
    st->in = *in;
    st->group = in->variant_of;
    st->in.variant_of = NULL;
    size_t n = (size_t)in->count + 1;
    st->first = ab__malloc(ctx, sizeof(ab_time) * n);
    st->last = ab__malloc(ctx, sizeof(ab_time) * n);
    st->open = ab__calloc(ctx, n, 1);
    if (st->first == NULL || st->last == NULL || st->open == NULL) {
        ab__gap_share_destroy(st);
        return AB_ENOMEM;
    }
    *out = st;
    return AB_OK;
}

void ab__gap_share_unlay(ab__gap_share_state *st)
{
    lay *L = &st->lay;
    ab__free(st->ctx, L->cslot);
    ab__free(st->ctx, L->islot);
    ab__free(st->ctx, L->first);
    ab__free(st->ctx, L->last);
    ab__free(st->ctx, L->times);
    memset(L, 0, sizeof(*L));
}

void ab__gap_share_destroy(ab__gap_share_state *st)
{
    if (st == NULL) {
        return;
    }
    ab_ctx *ctx = st->ctx;
    ab__gap_share_unlay(st);
    ab__free(ctx, st->group);
    ab__free(ctx, st->first);
    ab__free(ctx, st->last);
    ab__free(ctx, st->open);
    ab__free(ctx, st->sorted);
    ab__free(ctx, st);
}

uint32_t ab__gap_share_group_at(const ab__gap_share_state *st, uint32_t i)
{
    return st->group[i];
}

int64_t ab__gap_share_ct_at(const ab__gap_share_state *st, uint32_t i)
{
    return cycle_time(st->first[i], st->last[i]);
}

int ab__gap_share_open_at(const ab__gap_share_state *st, uint32_t i)
{
    return st->open[i];
}

/* A case's first time (its first start, else first completion) and last
 * completion, into position at. */
static void case_time(ab__gap_share_state *st, const ab_time *ts, uint32_t at)
{
    uint32_t n = 0, c = case_at(st, at);
    const uint64_t *ev = st->in.case_events(st->in.src, c, &n);
    const ab_time *sts = st->in.case_starts(st->in.src, c);
    ab_time first = AB_TIME_NONE, last = AB_TIME_NONE;
    for (uint32_t i = 0; i < n && ts != NULL; i++) {
        ab_time t = ts[ev[i]];
        ab_time s = sts != NULL && sts[i] != AB_TIME_NONE ? sts[i] : t;
        if (s != AB_TIME_NONE && (first == AB_TIME_NONE || s < first)) {
            first = s;
        }
        if (t != AB_TIME_NONE && (last == AB_TIME_NONE || t > last)) {
            last = t;
        }
    }
    st->first[at] = first;
    st->last[at] = last;
}

int ab__gap_share_times(ab__gap_share_state *st, ab_time *log_last, uint64_t *with_ct,
                        int64_t *max_ct)
{
    const ab_time *ts = ab_log_col_time(st->in.log);
    uint32_t n = st->in.count;
    int64_t *v = ab__malloc(st->ctx, sizeof(int64_t) * ((size_t)n + 1));
    int64_t *tmp = ab__malloc(st->ctx, sizeof(int64_t) * ((size_t)n + 1));
    if (v == NULL || tmp == NULL) {
        ab__free(st->ctx, v);
        ab__free(st->ctx, tmp);
        return AB_ENOMEM;
    }
    uint64_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        case_time(st, ts, i);
        ab_time last = st->last[i];
        if (last != AB_TIME_NONE && (*log_last == AB_TIME_NONE || last > *log_last)) {
            *log_last = last;
        }
        int64_t ct = cycle_time(st->first[i], last);
        if (ct != INT64_MIN) {
            v[k++] = ct;
            *max_ct = ct > *max_ct ? ct : *max_ct;
        }
    }
    ab__sort_i64(v, k, tmp);
    ab__free(st->ctx, tmp);
    ab__free(st->ctx, st->sorted);
    st->sorted = v;
    st->sorted_n = k;
    *with_ct += k;
    return AB_OK;
}

void ab__gap_share_count_ct(const ab__gap_share_state *st, const int64_t *at, size_t n,
                            uint64_t *counts)
{
    for (size_t j = 0; j < n; j++) {
        /* Values at most at[j]: the first index above it. */
        uint64_t lo = 0, hi = st->sorted_n;
        while (lo < hi) {
            uint64_t mid = lo + (hi - lo) / 2;
            if (st->sorted[mid] <= at[j]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        counts[j] += lo;
    }
}

void ab__gap_share_open(ab__gap_share_state *st, ab_time log_last, double horizon,
                        const uint8_t *never_open, uint64_t *open_per_variant)
{
    /* The order statistics are found: the sorted cycle times go. */
    ab__free(st->ctx, st->sorted);
    st->sorted = NULL;
    st->sorted_n = 0;
    for (uint32_t i = 0; i < st->in.count; i++) {
        /* Before the groups exist, group holds the case's variant. */
        uint32_t v = st->group[i];
        if (st->last[i] != AB_TIME_NONE && !never_open[v] &&
            (double)(log_last - st->last[i]) <= horizon) {
            st->open[i] = 1;
            open_per_variant[v]++;
        }
    }
}

void ab__gap_keep_smallest(const ab_log *log, uint32_t *best, uint32_t c)
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

void ab__gap_share_smallest(ab__gap_share_state *st, const uint32_t *group_of, int exclude,
                            uint32_t *out)
{
    for (uint32_t i = 0; i < st->in.count; i++) {
        /* Until now group held the case's variant. */
        uint32_t v = st->group[i];
        uint32_t gi = group_of[2 * (size_t)v + (exclude && st->open[i])];
        st->group[i] = gi;
        ab__gap_keep_smallest(st->in.log, out + (size_t)gi * AB__GAP_SMALLEST, case_at(st, i));
    }
}

void ab__gap_share_case_times(const ab__gap_share_state *st, uint32_t i, uint32_t pos,
                              ab_time *start, ab_time *end, ab_time *at)
{
    const ab_time *ts = ab_log_col_time(st->in.log);
    uint32_t k = 0;
    const uint64_t *ev = st->in.case_events(st->in.src, case_at(st, i), &k);
    *start = st->first[i];
    *end = st->last[i];
    *at = ts != NULL && ev != NULL && pos < k ? ts[ev[pos]] : AB_TIME_NONE;
}

void ab__gap_share_valid(const ab__gap_share_state *st, const uint8_t *group_open, uint32_t *valid)
{
    for (uint32_t i = 0; i < st->in.count; i++) {
        uint32_t gi = st->group[i];
        valid[gi] += !group_open[gi] && cycle_time(st->first[i], st->last[i]) != INT64_MIN;
    }
}

int ab__gap_share_lay_out(ab__gap_share_state *st, const uint32_t *valid, const uint32_t *group_len,
                          uint32_t group_count)
{
    ab_ctx *ctx = st->ctx;
    uint32_t G = group_count;
    ab__gap_share_unlay(st);
    lay *L = &st->lay;
    L->cslot = ab__calloc(ctx, (size_t)G + 2, sizeof(uint64_t));
    L->islot = ab__calloc(ctx, (size_t)G + 1, sizeof(uint64_t));
    if (L->cslot == NULL || L->islot == NULL) {
        ab__gap_share_unlay(st);
        return AB_ENOMEM;
    }
    uint32_t n = st->in.count;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t gi = st->group[i];
        L->cslot[gi + 1] += valid[gi] > 0;
    }
    uint64_t ni = 0;
    for (uint32_t gi = 0; gi < G; gi++) {
        L->islot[gi] = ni;
        ni += L->cslot[gi + 1] * group_len[gi];
        L->cslot[gi + 1] += L->cslot[gi];
    }
    uint64_t nc = L->cslot[G];
    L->first = ab__malloc(ctx, sizeof(ab_time) * (nc + 1));
    L->last = ab__malloc(ctx, sizeof(ab_time) * (nc + 1));
    L->times = ab__malloc(ctx, sizeof(ab_time) * (ni + 1));
    uint64_t *fill = ab__calloc(ctx, (size_t)G + 1, sizeof(uint64_t));
    if (L->first == NULL || L->last == NULL || L->times == NULL || fill == NULL) {
        ab__free(ctx, fill);
        ab__gap_share_unlay(st);
        return AB_ENOMEM;
    }
    const ab_time *ts = ab_log_col_time(st->in.log);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t gi = st->group[i], k = 0;
        if (valid[gi] == 0) {
            continue;
        }
        uint32_t len = group_len[gi];
        uint64_t at = fill[gi]++;
        uint64_t slot = L->cslot[gi] + at;
        L->first[slot] = st->first[i];
        L->last[slot] = st->last[i];
        const uint64_t *ev = st->in.case_events(st->in.src, case_at(st, i), &k);
        ab_time *t = L->times + L->islot[gi] + at * len;
        for (uint32_t q = 0; q < len; q++) {
            t[q] = q < k && ts != NULL ? ts[ev[q]] : AB_TIME_NONE;
        }
    }
    ab__free(ctx, fill);
    return AB_OK;
}

uint64_t ab__gap_share_laid(const ab__gap_share_state *st, uint32_t group)
{
    const lay *L = &st->lay;
    return L->cslot != NULL ? L->cslot[group + 1] - L->cslot[group] : 0;
}

void ab__gap_share_values(const ab__gap_share_state *st, const ab__gap_span *spans, size_t count,
                          const uint32_t *group_len, int64_t *v, uint32_t *n)
{
    const lay *L = &st->lay;
    for (size_t q = 0; q < count && L->cslot != NULL; q++) {
        const ab__gap_span *sp = &spans[q];
        uint32_t len = group_len[sp->group];
        uint64_t cs = L->cslot[sp->group], ce = L->cslot[sp->group + 1];
        for (uint64_t k = 0; k < ce - cs; k++) {
            if (cycle_time(L->first[cs + k], L->last[cs + k]) == INT64_MIN) {
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

void ab__gap_share_cts(const ab__gap_share_state *st, const uint8_t *in_group, int64_t *v,
                       uint32_t *n)
{
    for (uint32_t i = 0; i < st->in.count; i++) {
        int64_t ct = cycle_time(st->first[i], st->last[i]);
        if (in_group[st->group[i]] && ct != INT64_MIN) {
            v[(*n)++] = ct;
        }
    }
}

/* ---- The shares of this process, added up ---- */

typedef struct local {
    ab_gap *g;
    uint32_t count;              /* Shares. */
    ab__gap_share_state **sh;    /* Per share. */
    uint32_t *share_of, *pos_of; /* Per case: its share and position there (NULL
                                    with one share: share 0, position = case). */
    uint32_t *group_len;         /* Per group: its variant's length (from lay_out to unlay). */
} local;

uint32_t ab__gap_share_count(const ab_gap *g)
{
    return g->view->share_count > 0 ? g->view->share_count : 1;
}

uint32_t ab__gap_share_size(const ab_gap *g, uint32_t s)
{
    return g->view->share_count > 0 ? g->view->shares[s].count : ab_log_case_count(g->log);
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

static uint32_t local_case_group(const void *payload, uint32_t c)
{
    const local *p = payload;
    uint32_t s, i;
    locate(p, c, &s, &i);
    return ab__gap_share_group_at(p->sh[s], i);
}

static int64_t local_case_ct(const void *payload, uint32_t c)
{
    const local *p = payload;
    uint32_t s, i;
    locate(p, c, &s, &i);
    return ab__gap_share_ct_at(p->sh[s], i);
}

static int local_case_open(const void *payload, uint32_t c)
{
    const local *p = payload;
    uint32_t s, i;
    locate(p, c, &s, &i);
    return ab__gap_share_open_at(p->sh[s], i);
}

uint32_t ab__gap_case_group(const ab_gap *g, uint32_t c)
{
    return g->parts.case_group(g->parts.payload, c);
}

int64_t ab__gap_case_ct(const ab_gap *g, uint32_t c)
{
    return g->parts.case_ct(g->parts.payload, c);
}

int ab__gap_case_open(const ab_gap *g, uint32_t c)
{
    return g->parts.case_open(g->parts.payload, c);
}

uint32_t ab__gap_case_global(const ab_gap *g, uint32_t c)
{
    return g->view != NULL && g->view->case_global != NULL ? g->view->case_global[c] : c;
}

int ab__gap_cases_here(const ab_gap *g)
{
    return g->parts.exchange == NULL;
}

void ab__gap_exchange_free(void **all, size_t *lens, uint32_t count)
{
    for (uint32_t i = 0; all != NULL && i < count; i++) {
        free(all[i]);
    }
    free(all);
    free(lens);
}

/* exchange_status, or with fixed 0 exchange_varied. The status follows
 * the bytes, so that each process's bytes start their buffer as they come. */
static int exchange_with_status(const ab__gap_parts *c, int rc, const void *mine, size_t n,
                                int fixed, void ***all, size_t **lens, uint32_t *count)
{
    *all = NULL;
    *lens = NULL;
    *count = 0;
    int32_t status = rc;
    unsigned char *msg = rc == AB_OK ? malloc(n + sizeof(status)) : NULL;
    if (rc == AB_OK && msg == NULL) {
        status = AB_ENOMEM;
    }
    if (msg != NULL) {
        if (n > 0) {
            memcpy(msg, mine, n);
        }
        memcpy(msg + n, &status, sizeof(status));
    }
    int st = c->exchange(c->payload, msg != NULL ? (const void *)msg : (const void *)&status,
                         msg != NULL ? n + sizeof(status) : sizeof(status), all, lens, count);
    free(msg);
    for (uint32_t q = 0; st == AB_OK && q < *count; q++) {
        int32_t r;
        if ((*lens)[q] < sizeof(r)) {
            st = AB_EINVAL;
            break;
        }
        (*lens)[q] -= sizeof(r);
        memcpy(&r, (unsigned char *)(*all)[q] + (*lens)[q], sizeof(r));
        if (r != AB_OK) {
            st = r;
        } else if (fixed && (*lens)[q] != n) {
            st = AB_EINVAL;
        }
    }
    if (st != AB_OK) {
        ab__gap_exchange_free(*all, *lens, *count);
        *all = NULL;
        *lens = NULL;
        *count = 0;
    }
    return st;
}

int ab__gap_exchange_status(const ab__gap_parts *c, int rc, const void *mine, size_t n, void ***all,
                            size_t **lens, uint32_t *count)
{
    return exchange_with_status(c, rc, mine, n, 1, all, lens, count);
}

int ab__gap_exchange_varied(const ab__gap_parts *c, int rc, const void *mine, size_t n, void ***all,
                            size_t **lens, uint32_t *count)
{
    return exchange_with_status(c, rc, mine, n, 0, all, lens, count);
}

int ab__gap_agree(const ab_gap *g, int rc)
{
    void **all;
    size_t *lens;
    uint32_t count;
    int st = ab__gap_exchange_status(&g->parts, rc, NULL, 0, &all, &lens, &count);
    ab__gap_exchange_free(all, lens, count);
    return st;
}

int ab__gap_sum_u64(const ab_gap *g, int rc, uint64_t *v, size_t n)
{
    void **all;
    size_t *lens;
    uint32_t count;
    int st = ab__gap_exchange_status(&g->parts, rc, v, sizeof(uint64_t) * n, &all, &lens, &count);
    if (st == AB_OK) {
        memset(v, 0, sizeof(uint64_t) * n);
        for (uint32_t q = 0; q < count; q++) {
            for (size_t j = 0; j < n; j++) {
                uint64_t x;
                memcpy(&x, (const unsigned char *)all[q] + sizeof(uint64_t) * j, sizeof(x));
                v[j] += x;
            }
        }
    }
    ab__gap_exchange_free(all, lens, count);
    return st;
}

void ab__gap_valid_here(const ab_gap *g, uint32_t *here)
{
    const ab__gap_parts *P = &g->parts;
    uint32_t N = ab_log_case_count(g->log), G = g->group_count;
    memset(here, 0, sizeof(uint32_t) * G);
    for (uint32_t c = 0; c < N; c++) {
        uint32_t gi = P->case_group(P->payload, c);
        if (gi < G && !g->groups[gi].open && P->case_ct(P->payload, c) != INT64_MIN) {
            here[gi]++;
        }
    }
}

int ab__gap_parts_valid(const ab_gap *g, uint32_t *valid)
{
    uint32_t G = g->group_count;
    uint8_t *open = ab__malloc(g->ctx, (size_t)G + 1);
    if (open == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t gi = 0; gi < G; gi++) {
        open[gi] = g->groups[gi].open;
    }
    int rc = g->parts.valid(g->parts.payload, open, G, valid);
    ab__free(g->ctx, open);
    return rc;
}

int ab__gap_parts_lay_out(const ab_gap *g, const uint32_t *valid)
{
    uint32_t G = g->group_count;
    uint32_t *len = ab__malloc(g->ctx, sizeof(uint32_t) * ((size_t)G + 1));
    if (len == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t gi = 0; gi < G; gi++) {
        len[gi] = g->groups[gi].v->length;
    }
    int rc = g->parts.lay_out(g->parts.payload, valid, len, G);
    ab__free(g->ctx, len);
    return rc;
}

static int local_times(void *payload, ab_time *log_last, uint64_t *with_ct, int64_t *max_ct)
{
    local *p = payload;
    *log_last = AB_TIME_NONE;
    *with_ct = 0;
    *max_ct = 0;
    for (uint32_t s = 0; s < p->count; s++) {
        int rc = ab__gap_share_times(p->sh[s], log_last, with_ct, max_ct);
        if (rc != AB_OK) {
            return rc;
        }
    }
    return AB_OK;
}

static int local_count_ct(void *payload, const int64_t *at, size_t n, uint64_t *counts)
{
    local *p = payload;
    memset(counts, 0, sizeof(uint64_t) * n);
    for (uint32_t s = 0; s < p->count; s++) {
        ab__gap_share_count_ct(p->sh[s], at, n, counts);
    }
    return AB_OK;
}

static int local_open(void *payload, ab_time log_last, double horizon, const uint8_t *never_open,
                      uint64_t *open_per_variant)
{
    local *p = payload;
    for (uint32_t s = 0; s < p->count; s++) {
        ab__gap_share_open(p->sh[s], log_last, horizon, never_open, open_per_variant);
    }
    return AB_OK;
}

static int local_smallest(void *payload, const uint32_t *group_of, int exclude,
                          uint32_t group_count, uint32_t *out)
{
    local *p = payload;
    ab_gap *g = p->g;
    size_t cells = (size_t)group_count * AB__GAP_SMALLEST;
    for (size_t i = 0; i < cells; i++) {
        out[i] = UINT32_MAX;
    }
    /* Each share keeps its own smallest and they merge, as shares in other
     * processes would: the smallest of a union are among the parts'. */
    uint32_t *mine = ab__malloc(g->ctx, sizeof(uint32_t) * (cells + 1));
    if (mine == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t s = 0; s < p->count; s++) {
        for (size_t i = 0; i < cells; i++) {
            mine[i] = UINT32_MAX;
        }
        ab__gap_share_smallest(p->sh[s], group_of, exclude, mine);
        for (size_t i = 0; i < cells; i++) {
            if (mine[i] != UINT32_MAX) {
                ab__gap_keep_smallest(g->log, out + i / AB__GAP_SMALLEST * AB__GAP_SMALLEST,
                                      mine[i]);
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
    for (size_t i = 0; i < n; i++) {
        uint32_t s, q;
        locate(p, cases[i], &s, &q);
        ab__gap_share_case_times(p->sh[s], q, pos[i], &start[i], &end[i], &at[i]);
    }
    return AB_OK;
}

static int local_valid(void *payload, const uint8_t *group_open, uint32_t group_count,
                       uint32_t *valid)
{
    local *p = payload;
    memset(valid, 0, sizeof(uint32_t) * group_count);
    for (uint32_t s = 0; s < p->count; s++) {
        ab__gap_share_valid(p->sh[s], group_open, valid);
    }
    return AB_OK;
}

static void local_unlay(void *payload)
{
    local *p = payload;
    for (uint32_t s = 0; s < p->count; s++) {
        ab__gap_share_unlay(p->sh[s]);
    }
    ab__free(p->g->ctx, p->group_len);
    p->group_len = NULL;
}

static int local_lay_out(void *payload, const uint32_t *valid, const uint32_t *group_len,
                         uint32_t group_count)
{
    local *p = payload;
    ab_gap *g = p->g;
    local_unlay(p);
    p->group_len = ab__malloc(g->ctx, sizeof(uint32_t) * ((size_t)group_count + 1));
    if (p->group_len == NULL) {
        return AB_ENOMEM;
    }
    memcpy(p->group_len, group_len, sizeof(uint32_t) * group_count);
    for (uint32_t s = 0; s < p->count; s++) {
        int rc = ab__gap_share_lay_out(p->sh[s], valid, p->group_len, group_count);
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
    /* Span after span over the shares: a group's values in share order. */
    for (size_t q = 0; q < count; q++) {
        for (uint32_t s = 0; s < p->count; s++) {
            ab__gap_share_values(p->sh[s], &spans[q], 1, p->group_len, v, n);
        }
    }
    return AB_OK;
}

static int local_cts(void *payload, const uint8_t *in_group, int64_t *v, uint32_t *n)
{
    const local *p = payload;
    for (uint32_t s = 0; s < p->count; s++) {
        ab__gap_share_cts(p->sh[s], in_group, v, n);
    }
    return AB_OK;
}

static int local_list_cts(void *payload, const uint32_t *cases, uint64_t count,
                          const uint8_t *in_group, int64_t *v, uint32_t *n)
{
    const local *p = payload;
    for (uint64_t q = 0; q < count; q++) {
        uint32_t s, i;
        locate(p, cases[q], &s, &i);
        int64_t ct = ab__gap_share_ct_at(p->sh[s], i);
        if (in_group[ab__gap_share_group_at(p->sh[s], i)] && ct != INT64_MIN) {
            v[(*n)++] = ct;
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
    for (uint32_t s = 0; p->sh != NULL && s < p->count; s++) {
        ab__gap_share_destroy(p->sh[s]);
    }
    ab__free(ctx, p->sh);
    ab__free(ctx, p->share_of);
    ab__free(ctx, p->pos_of);
    ab__free(ctx, p->group_len);
    ab__free(ctx, p);
}

/* Makes the shares, each with its cases' variants (variant_of: per case,
 * taken over). */
static int local_init(local *p, uint32_t *variant_of)
{
    ab_gap *g = p->g;
    ab_ctx *ctx = g->ctx;
    const ab__gap_view *view = g->view;
    p->sh = ab__calloc(ctx, p->count, sizeof(*p->sh));
    int multi = view->share_count > 0;
    if (multi) {
        p->share_of = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)g->case_count + 1));
        p->pos_of = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)g->case_count + 1));
    }
    if (p->sh == NULL || (multi && (p->share_of == NULL || p->pos_of == NULL))) {
        ab__free(ctx, variant_of);
        return AB_ENOMEM;
    }
    ab__gap_share_input in = {view->log,     view->src, view->case_events, view->case_starts,
                              g->case_count, NULL,      variant_of};
    if (!multi) {
        return ab__gap_share_create(&p->sh[0], ctx, &in); /* It takes variant_of over. */
    }
    int rc = AB_OK;
    for (uint32_t s = 0; s < p->count && rc == AB_OK; s++) {
        in.count = view->shares[s].count;
        in.cases = view->shares[s].cases;
        in.variant_of = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)in.count + 1));
        if (in.variant_of == NULL) {
            rc = AB_ENOMEM;
            break;
        }
        for (uint32_t i = 0; i < in.count; i++) {
            uint32_t c = in.cases[i];
            in.variant_of[i] = variant_of[c];
            p->share_of[c] = s;
            p->pos_of[c] = i;
        }
        rc = ab__gap_share_create(&p->sh[s], ctx, &in);
    }
    ab__free(ctx, variant_of);
    return rc;
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
    out->cts = local_cts;
    out->list_cts = local_list_cts;
    out->case_group = local_case_group;
    out->case_ct = local_case_ct;
    out->case_open = local_case_open;
    out->destroy = local_destroy;
    return AB_OK;
}
