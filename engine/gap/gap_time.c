/*
 * gap/gap_time.c: the time impact of each deviation D (spec, "Time
 * impact"). The stratum S(D): for a skipped (or replaced) step, the closed
 * cases whose documented path requires it; for a repeated, reordered or
 * extra step, those containing it; for an undocumented activity or
 * transition, those that reached the step before it; without such an
 * anchor, those that ended at the same end event. The baseline B(D) is the
 * first with at least min_group cases of: the conforming cases of S(D); the
 * cases of S(D) without D. The Hodges-Lehmann shift of the cycle times and
 * its Lehmann-Moses interval are order statistics of the pairwise
 * differences (gap_stats.c), and the local impact compares the span around
 * the deviation with the same span in the baseline.
 *
 * Cost: the strata's case groups are listed in one pass over the groups,
 * and the cases' times laid out group after group in one pass over the
 * cases, where the cases are (g->parts: a finding's samples are the spans
 * of its groups' cases, from whichever share holds them). Each finding then reads only its own
 * groups and its stratum's: the stratum's candidates are sorted once per thread for the findings of
 * that stratum (jobs are ordered by stratum), the deviating cases are
 * taken out by a sorted difference, and the shift and its interval are
 * selected in O((n + m) log(n m)) without listing the pairs. Findings run
 * on several threads (job i on thread i mod threads), each thread with its
 * own work space allocated beforehand; a finding's result depends on its
 * samples only, so the report is the same whatever the thread count.
 */
#include "gap/gap_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { ST_ACT = 0, ST_LABEL = 1, ST_END = 2 };

typedef struct skey {
    uint32_t type, id;
} skey;

typedef struct stratum {
    skey key;
    uint32_t *groups; /* Closed groups with a cycle time, ascending. */
    uint32_t group_count;
    uint64_t valid, valid_conf; /* Their cases with a cycle time; the conforming ones. */
} stratum;

/* A deviating group's span around the deviation, for the local impact. */
typedef struct span {
    uint32_t from, to;         /* Activities, or AB__GAP_CODE_START / _END. */
    uint32_t from_pos, to_pos; /* Their instances. */
    uint32_t group;
    uint32_t weight; /* Cases with a cycle time. */
} span;

/* A pair of steps and the cases of D's spans between them, as processes
 * send them. */
typedef struct pair_n {
    uint32_t from, to;
    uint64_t n;
} pair_n;

typedef struct job {
    uint32_t entry;
    const ab__gap_entry *e;
    ab_gap_time *out;
    const stratum *s;
    int conforming_only; /* Baseline: conforming cases only. */
    int together;        /* Measured by all processes together (ab__gap_dist_measure). */
} job;

typedef struct work {
    int64_t *x, *y, *tmp;
    int64_t *lx, *ly; /* The local impact's spans: of D's cases, of the baseline's. */
    uint32_t nx, nr, nlx, nly;
    uint32_t from, to; /* The local impact's steps (UINT32_MAX: none found). */
    int64_t *rm;       /* The cycle times of D's cases among the baseline's candidates. */
    int64_t *cache;    /* The candidates of the last baseline built, sorted ... */
    uint32_t cache_n;
    const stratum *cache_s; /* ... for this stratum ... */
    int cache_conf;         /* ... and this kind ... */
    int cache_sorted;       /* ... once a finding measured here needed it. */
    uint8_t *mark;          /* Per group: has D. */
    span *spans;
    pair_n *pairs;       /* The spans' pairs (as many). */
    ab__gap_span *batch; /* The spans of the next sample (one per group at most). */
    size_t batch_n;
    ab__gap_sel sel;
    int here;         /* Samples of this process's cases alone (g->parts.values_here), ... */
    int64_t *hx, *hy; /* ... into these (the findings measured together). */
    int rc;           /* The first failure of g->parts.values on this thread. */
} work;

/* What the jobs read: the gap, and each group's cases with a cycle time
 * in this process (their values come from g->parts). Over processes each
 * takes the spans of its own groups, and what the findings count of them
 * is summed. */
typedef struct lay {
    const ab_gap *g;
    const uint32_t *here;
    int apart; /* The cases are in other processes too. */
} lay;

typedef struct pool {
    const lay *L;
    job *jobs;
    uint32_t count;
    unsigned threads;
    work *works;
    const ab_gap *g; /* Progress: jobs done, of count. */
    uint32_t done;
} pool;

static int cmp_skey(const void *pa, const void *pb)
{
    const skey *a = pa, *b = pb;
    if (a->type != b->type) {
        return a->type < b->type ? -1 : 1;
    }
    return a->id < b->id ? -1 : a->id > b->id;
}

static uint32_t find_stratum(const stratum *s, uint32_t count, skey k)
{
    uint32_t lo = 0, hi = count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = cmp_skey(&s[mid].key, &k);
        if (c == 0) {
            return mid;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return UINT32_MAX;
}

static int in_list(const uint32_t *v, uint32_t n, uint32_t x)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < n && v[lo] == x;
}

static int in_stratum(const stratum *s, uint32_t gi)
{
    return s != NULL && in_list(s->groups, s->group_count, gi);
}

static uint32_t move_label(const ab_gap *g, const ab_move *m)
{
    if (m->transition >= ab_net_transition_count(g->net)) {
        return AB_NET_SILENT;
    }
    return ab_net_transition_at(g->net, m->transition)->label_id;
}

typedef struct endc {
    uint32_t key;
    uint64_t n;
} endc;

static int cmp_endc(const void *pa, const void *pb)
{
    const endc *a = pa, *b = pb;
    return a->key < b->key ? -1 : a->key > b->key;
}

/* The ends the entry's closed groups reached, with their cases here, by
 * key, equal keys joined: *v (allocated) and *n of them. */
static int end_counts(const ab_gap *g, const ab__gap_entry *e, endc **v_out, uint32_t *n_out)
{
    endc *v = ab__malloc(g->ctx, sizeof(endc) * ((size_t)e->group_count + 1));
    *v_out = v;
    *n_out = 0;
    if (v == NULL) {
        return AB_ENOMEM;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < e->group_count; i++) {
        const ab__gap_group *gr = &g->groups[e->groups[i]];
        if (!gr->open && gr->here > 0) {
            v[n].key = gr->end_key;
            v[n].n = gr->here;
            n++;
        }
    }
    if (n > 1) {
        qsort(v, n, sizeof(endc), cmp_endc);
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (k > 0 && v[k - 1].key == v[i].key) {
            v[k - 1].n += v[i].n;
        } else {
            v[k++] = v[i];
        }
    }
    *n_out = k;
    return AB_OK;
}

/* An end by name, with cases, as processes send them. */
typedef struct end_named {
    const char *name;
    uint32_t len;
    uint64_t n;
} end_named;

static int cmp_end_named(const void *pa, const void *pb)
{
    const end_named *a = pa, *b = pb;
    int c = memcmp(a->name, b->name, a->len < b->len ? a->len : b->len);
    return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

/* Whether the entry's stratum is its main end. */
static int needs_end(const ab__gap_entry *e)
{
    return e->anchor == AB__GAP_ANCHOR_END && !(e->kind == AB_GAP_K_REWORK && e->documented);
}

/*
 * The main end of every entry whose stratum it is (end[i], else
 * UINT32_MAX): the end most of its closed cases reached (ties: the smaller
 * name). Each process writes the ends its groups reached with their cases
 * here, by name (an interned id is a process's own); over processes the
 * writings are exchanged, in one process its own is read back, and the
 * cases are summed by name.
 */
static int main_ends(ab_gap *g, const ab__gap_entry *entries, uint32_t count, int apart,
                     uint32_t *end)
{
    ab_buf msg = AB_BUF_INIT;
    ab__wbytes w = {&msg, g->ctx, AB_OK};
    for (uint32_t i = 0; i < count && w.rc == AB_OK; i++) {
        end[i] = UINT32_MAX;
        if (!needs_end(&entries[i])) {
            continue;
        }
        endc *v;
        uint32_t n;
        w.rc = end_counts(g, &entries[i], &v, &n);
        ab__put_u32(&w, n);
        for (uint32_t k = 0; k < n; k++) {
            const char *name = ab__strtab_str(&g->names, v[k].key);
            ab__put_str(&w, name, strlen(name));
            ab__put_u64(&w, v[k].n);
        }
        ab__free(g->ctx, v);
    }
    void **all = NULL, *own = msg.ptr;
    size_t *lens = NULL, own_len = msg.len;
    uint32_t P = 1;
    int rc = w.rc;
    if (apart) {
        rc = ab__gap_exchange_varied(&g->parts, rc, msg.ptr, msg.len, &all, &lens, &P);
    } else {
        all = &own;
        lens = &own_len;
    }
    ab__rbytes *r = rc == AB_OK ? ab__calloc(g->ctx, (size_t)P + 1, sizeof(ab__rbytes)) : NULL;
    rc = rc == AB_OK && r == NULL ? AB_ENOMEM : rc;
    for (uint32_t q = 0; rc == AB_OK && q < P; q++) {
        r[q] = (ab__rbytes){all[q], lens[q], 0, 0};
    }
    end_named *v = NULL;
    size_t cap = 0;
    for (uint32_t i = 0; rc == AB_OK && i < count; i++) {
        if (!needs_end(&entries[i])) {
            continue;
        }
        /* Every process's ends of this entry, then by name, equal ones joined. */
        size_t n = 0;
        for (uint32_t q = 0; rc == AB_OK && q < P; q++) {
            uint32_t m = ab__get_u32(&r[q]);
            for (uint32_t k = 0; k < m && !r[q].bad; k++) {
                if (AB_GROW_FROM(g->ctx, v, cap, n + 1, 16) != AB_OK) {
                    rc = AB_ENOMEM;
                    break;
                }
                v[n].name = ab__get_str(&r[q], &v[n].len);
                v[n].n = ab__get_u64(&r[q]);
                n++;
            }
            rc = rc == AB_OK && r[q].bad ? AB_EINVAL : rc;
        }
        if (rc != AB_OK) {
            break;
        }
        if (n > 1) {
            qsort(v, n, sizeof(end_named), cmp_end_named);
        }
        const end_named *best = NULL;
        uint64_t best_n = 0;
        for (size_t k = 0; k < n;) {
            size_t j = k;
            uint64_t sum = 0;
            while (j < n && cmp_end_named(&v[j], &v[k]) == 0) {
                sum += v[j++].n;
            }
            if (sum > best_n) { /* Ties keep the first: the smaller name. */
                best = &v[k];
                best_n = sum;
            }
            k = j;
        }
        if (best != NULL && ab__strtab_find(&g->names, best->name, best->len, &end[i]) != AB_OK) {
            rc = ab__strtab_intern(&g->names, best->name, best->len, &end[i]);
        }
    }
    ab__free(g->ctx, v);
    ab__free(g->ctx, r);
    if (apart) {
        ab__gap_exchange_free(all, lens, P);
    }
    ab_buf_dispose(&msg);
    return rc;
}

/* ---- One finding, on any thread ---- */

/* Puts among the spans of the next sample those of a group's closed cases
 * with both times: from the instance from_pos (or the case's start) to
 * to_pos (or its end). */
static void add_spans(const lay *L, work *w, uint32_t gi, uint32_t from, uint32_t from_pos,
                      uint32_t to, uint32_t to_pos)
{
    if (L->here[gi] > 0) {
        w->batch[w->batch_n++] = (ab__gap_span){gi, from, from_pos, to, to_pos};
    }
}

/* Puts the cycle times of a group's closed cases among the next sample's. */
static void add_times(const lay *L, work *w, uint32_t gi)
{
    add_spans(L, w, gi, AB__GAP_CODE_START, 0, AB__GAP_CODE_END, 0);
}

/* The sample of the spans put: their durations appended to v (*n there),
 * in one call of the parts (where the cases are elsewhere, one exchange);
 * with parts over processes, process root keeps them (v NULL elsewhere),
 * or each process its own (w->here). */
static void take_sample(const lay *L, work *w, uint32_t root, int64_t *v, uint32_t *n)
{
    const ab__gap_parts *P = &L->g->parts;
    int rc = w->here                ? P->values_here(P->payload, w->batch, w->batch_n, v, n)
             : P->values_to != NULL ? P->values_to(P->payload, w->batch, w->batch_n, root, v, n)
                                    : P->values(P->payload, w->batch, w->batch_n, v, n);
    w->rc = w->rc != AB_OK ? w->rc : rc;
    w->batch_n = 0;
}

/* The moves [lo, hi] the deviation occupies at its first occurrence in a
 * group; 0 when it is not found. */
static int dev_moves(const ab_gap *g, const ab__gap_entry *e, uint32_t k, int64_t *lo, int64_t *hi)
{
    const ab__gap_group *gr = &g->groups[e->groups[k]];
    const ab_conform_variant *v = gr->v;
    if (e->kind != AB_GAP_K_TRANSITION) {
        *lo = *hi = e->moves[k];
        return e->moves[k] < v->move_count;
    }
    /* a -> b: the moves strictly between a's instance and b's (maybe none). */
    uint32_t a = e->key.a, b = e->key.b, len = v->length;
    for (int64_t p = a == AB__GAP_CODE_START ? -1 : 0; p < (int64_t)len; p++) {
        if (p >= 0 && v->activities[p] != a) {
            continue;
        }
        int at_end = p + 1 >= (int64_t)len;
        if (at_end ? b != AB__GAP_CODE_END : v->activities[p + 1] != b) {
            if (a == AB__GAP_CODE_START) {
                return 0;
            }
            continue;
        }
        *lo = p < 0 ? 0 : (int64_t)gr->pos_move[p] + 1;
        *hi = at_end ? (int64_t)v->move_count - 1 : (int64_t)gr->pos_move[p + 1] - 1;
        return 1;
    }
    return 0;
}

static int cmp_span(const void *pa, const void *pb)
{
    const span *a = pa, *b = pb;
    if (a->from != b->from) {
        return a->from < b->from ? -1 : 1;
    }
    return a->to < b->to ? -1 : a->to > b->to;
}

static const char *code_name(const ab_gap *g, uint32_t code)
{
    return code == AB__GAP_CODE_START ? "START"
           : code == AB__GAP_CODE_END ? "END"
                                      : ab__gap_act_name(g, code);
}

/* The local impact's figures from its samples' medians and shift. */
static void local_figures(ab_gap_local_time *l, double med_x, double med_y, const ab__gap_shift *sh)
{
    l->deviating_median_s = med_x / 1e6;
    l->baseline_median_s = med_y / 1e6;
    l->shift_s = sh->shift / 1e6;
    l->ci_lo_s = sh->lo / 1e6;
    l->ci_hi_s = sh->hi / 1e6;
}

static int cmp_pair_n(const void *pa, const void *pb)
{
    const pair_n *a = pa, *b = pb;
    if (a->from != b->from) {
        return a->from < b->from ? -1 : 1;
    }
    return a->to < b->to ? -1 : a->to > b->to;
}

/* Of pairs sorted by (from, to), equal ones joined, the one with the most
 * cases (ties: the smaller names); 0 when none has any. */
static int best_pair(const ab_gap *g, const pair_n *v, uint32_t n, uint32_t *from, uint32_t *to)
{
    uint32_t best = UINT32_MAX;
    uint64_t best_n = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t k = i;
        uint64_t sum = 0;
        while (k < n && v[k].from == v[i].from && v[k].to == v[i].to) {
            sum += v[k++].n;
        }
        int better = sum > best_n;
        if (!better && sum == best_n && best != UINT32_MAX) {
            int d = strcmp(code_name(g, v[i].from), code_name(g, v[best].from));
            better =
                d < 0 || (d == 0 && strcmp(code_name(g, v[i].to), code_name(g, v[best].to)) < 0);
        }
        if (better) {
            best = i;
            best_n = sum;
        }
        i = k;
    }
    if (best == UINT32_MAX) {
        return 0;
    }
    *from = v[best].from;
    *to = v[best].to;
    return 1;
}

/* The pair of steps most of D's spans (sorted) have, weighted by their
 * cases; over processes, each sends its own pairs' cases and all choose
 * from their sums. 0 when there is none. */
static int most_spanned(const lay *L, work *w, const span *all, uint32_t ns, uint32_t *from,
                        uint32_t *to)
{
    const ab_gap *g = L->g;
    pair_n *mine = w->pairs;
    uint32_t n = 0;
    for (uint32_t i = 0; i < ns; i++) {
        if (n > 0 && mine[n - 1].from == all[i].from && mine[n - 1].to == all[i].to) {
            mine[n - 1].n += all[i].weight;
        } else {
            mine[n++] = (pair_n){all[i].from, all[i].to, all[i].weight};
        }
    }
    if (!L->apart) {
        return best_pair(g, mine, n, from, to);
    }
    void **got = NULL;
    size_t *lens = NULL;
    uint32_t count = 0, total = 0;
    int rc =
        ab__gap_exchange_varied(&g->parts, AB_OK, mine, sizeof(pair_n) * n, &got, &lens, &count);
    for (uint32_t q = 0; rc == AB_OK && q < count; q++) {
        total += (uint32_t)(lens[q] / sizeof(pair_n));
    }
    pair_n *v = rc == AB_OK ? ab__malloc(g->ctx, sizeof(pair_n) * ((size_t)total + 1)) : NULL;
    int found = 0;
    if (v != NULL) {
        size_t off = 0;
        for (uint32_t q = 0; q < count; q++) {
            memcpy((unsigned char *)v + off, got[q], lens[q] - lens[q] % sizeof(pair_n));
            off += lens[q] - lens[q] % sizeof(pair_n);
        }
        if (total > 1) {
            qsort(v, total, sizeof(pair_n), cmp_pair_n);
        }
        found = best_pair(g, v, total, from, to);
    } else if (rc == AB_OK) {
        rc = AB_ENOMEM;
    }
    ab__free(g->ctx, v);
    ab__gap_exchange_free(got, lens, count);
    w->rc = w->rc != AB_OK ? w->rc : rc;
    return found;
}

static void measure(ab_gap_local_time *l, const int64_t *x, uint32_t n, const int64_t *y,
                    uint32_t m, ab__gap_sel *sel)
{
    l->n_deviating = n;
    l->n_baseline = m;
    ab__gap_shift sh;
    ab__gap_shift_ci(x, n, y, m, sel, &sh);
    local_figures(l, ab__gap_median_sorted(x, n), ab__gap_median_sorted(y, m), &sh);
}

/* The local impact's samples (w: the work of the process that measures,
 * keep: this process is it): the pair of documented steps most of D's
 * groups have around it, and the same two steps in the baseline. */
static void sample_local(const lay *L, const job *j, work *w, uint32_t root, int keep)
{
    const ab_gap *g = L->g;
    const ab__gap_entry *e = j->e;
    ab_gap_local_time *l = &j->out->local;
    /* Each deviating group's neighbours of the deviation. */
    uint32_t ns = 0;
    for (uint32_t k = 0; k < e->group_count; k++) {
        uint32_t gi = e->groups[k];
        const ab__gap_group *gr = &g->groups[gi];
        int64_t lo, hi;
        if (L->here[gi] == 0 || gr->open || (e->filter && !in_stratum(j->s, gi)) ||
            !dev_moves(g, e, k, &lo, &hi)) {
            continue;
        }
        const ab_move *mv = gr->v->moves;
        span sp = {AB__GAP_CODE_START, AB__GAP_CODE_END, 0, 0, gi, 0};
        for (int64_t i = lo - 1; i >= 0; i--) {
            if (mv[i].kind == AB_MOVE_SYNC) {
                sp.from = mv[i].activity;
                sp.from_pos = mv[i].position;
                break;
            }
        }
        for (int64_t i = hi + 1; i < (int64_t)gr->v->move_count; i++) {
            if (mv[i].kind == AB_MOVE_SYNC) {
                sp.to = mv[i].activity;
                sp.to_pos = mv[i].position;
                break;
            }
        }
        sp.weight = L->here[gi];
        w->spans[ns++] = sp;
    }
    /* The pair most of them have. */
    span *all = w->spans;
    if (ns > 1) {
        qsort(all, ns, sizeof(span), cmp_span);
    }
    uint32_t from, to;
    l->status = AB_GAP_TIME_TOO_FEW;
    if (keep) {
        w->from = w->to = UINT32_MAX;
    }
    if (!most_spanned(L, w, all, ns, &from, &to)) {
        return;
    }
    l->from = code_name(g, from);
    l->to = code_name(g, to);
    if (keep) {
        w->from = from;
        w->to = to;
        w->nlx = w->nly = 0;
    }
    uint32_t none = 0;
    for (uint32_t i = 0; i < ns; i++) {
        if (all[i].from == from && all[i].to == to) {
            add_spans(L, w, all[i].group, from, all[i].from_pos, to, all[i].to_pos);
        }
    }
    take_sample(L, w, root, keep ? w->lx : NULL, keep ? &w->nlx : &none);
    /* The same two steps in the baseline: the first `from` done as
     * documented, then the first `to` done as documented after it. */
    for (uint32_t k = 0; k < j->s->group_count; k++) {
        uint32_t gi = j->s->groups[k];
        const ab__gap_group *gr = &g->groups[gi];
        if (w->mark[gi] || (j->conforming_only && gr->deviating)) {
            continue;
        }
        const ab_move *mv = gr->v->moves;
        uint32_t i = 0, mc = gr->v->move_count, fpos = 0, tpos = 0;
        if (from != AB__GAP_CODE_START) {
            while (i < mc && !(mv[i].kind == AB_MOVE_SYNC && mv[i].activity == from)) {
                i++;
            }
            if (i == mc) {
                continue;
            }
            fpos = mv[i++].position;
        }
        if (to != AB__GAP_CODE_END) {
            while (i < mc && !(mv[i].kind == AB_MOVE_SYNC && mv[i].activity == to)) {
                i++;
            }
            if (i == mc) {
                continue;
            }
            tpos = mv[i].position;
        }
        add_spans(L, w, gi, from, fpos, to, tpos);
    }
    take_sample(L, w, root, keep ? w->ly : NULL, keep ? &w->nly : &none);
}

static void measure_local(const lay *L, const job *j, work *w)
{
    ab_gap_local_time *l = &j->out->local;
    uint32_t min_group = L->g->opts.min_group, n = w->nlx, m = w->nly;
    if (w->from == UINT32_MAX) {
        return;
    }
    l->n_deviating = n;
    l->n_baseline = m;
    if (n < min_group) {
        l->status = AB_GAP_TIME_TOO_FEW;
    } else if (m < min_group) {
        l->status = AB_GAP_TIME_NO_BASELINE;
    } else {
        l->status = AB_GAP_TIME_OK;
        ab__sort_i64(w->lx, n, w->tmp);
        ab__sort_i64(w->ly, m, w->tmp);
        measure(l, w->lx, n, w->ly, m, &w->sel);
    }
}

/*
 * A finding's samples: its cases' cycle times, the stratum's candidates
 * (kept by st, the work whose turn it is: the same in every process, so
 * that parts whose calls are collectives see the same calls everywhere),
 * those of D's cases among them, and the local impact's spans. Process
 * root keeps them in w, its work (keep set there).
 */
static void sample_job(const lay *L, const job *j, work *w, work *st, uint32_t root, int keep)
{
    const ab_gap *g = L->g;
    const ab__gap_entry *e = j->e;
    uint32_t none = 0;
    for (uint32_t k = 0; k < e->group_count; k++) {
        w->mark[e->groups[k]] = 1;
    }
    for (uint32_t k = 0; k < e->group_count; k++) {
        const ab__gap_group *gr = &g->groups[e->groups[k]];
        if (gr->open || (e->filter && !in_stratum(j->s, e->groups[k]))) {
            continue;
        }
        add_times(L, w, e->groups[k]);
    }
    if (keep) {
        w->nx = w->nr = 0;
    }
    take_sample(L, w, root, keep ? w->x : NULL, keep ? &w->nx : &none);
    /* The baseline: the stratum's candidates (its cases, or its conforming
     * ones), sorted once for the findings of the stratum that follow on
     * this work, less the cases with D among them. */
    if (st->cache_s != j->s || st->cache_conf != j->conforming_only) {
        st->cache_n = 0;
        for (uint32_t k = 0; k < j->s->group_count; k++) {
            if (!(j->conforming_only && g->groups[j->s->groups[k]].deviating)) {
                add_times(L, w, j->s->groups[k]);
            }
        }
        take_sample(L, w, root, keep ? st->cache : NULL, keep ? &st->cache_n : &none);
        st->cache_s = j->s;
        st->cache_conf = j->conforming_only;
        st->cache_sorted = 0;
    }
    for (uint32_t k = 0; k < e->group_count; k++) {
        uint32_t gi = e->groups[k];
        if (in_stratum(j->s, gi) && !(j->conforming_only && g->groups[gi].deviating)) {
            add_times(L, w, gi);
        }
    }
    take_sample(L, w, root, keep ? w->rm : NULL, keep ? &w->nr : &none);
    sample_local(L, j, w, root, keep);
    for (uint32_t k = 0; k < e->group_count; k++) {
        w->mark[e->groups[k]] = 0;
    }
}

void ab__gap_time_figures(ab_gap_time *t, double med_x, double med_y, const ab__gap_shift *sh)
{
    t->deviating_median_s = med_x / 1e6;
    t->baseline_median_s = med_y / 1e6;
    t->delta_s = t->deviating_median_s - t->baseline_median_s;
    t->relative = t->baseline_median_s > 0 ? t->delta_s / t->baseline_median_s : 0;
    t->shift_s = sh->shift / 1e6;
    t->ci_lo_s = sh->lo / 1e6;
    t->ci_hi_s = sh->hi / 1e6;
    t->ci_exact = sh->exact;
}

/* A finding's figures from its samples in w. */
static void measure_job(const lay *L, const job *j, work *w)
{
    ab_gap_time *t = j->out;
    uint32_t n = w->nx, r = w->nr, m;
    ab__sort_i64(w->x, n, w->tmp);
    if (!w->cache_sorted) {
        ab__sort_i64(w->cache, w->cache_n, w->tmp);
        w->cache_sorted = 1;
    }
    const int64_t *y = w->cache;
    m = w->cache_n;
    if (r > 0) {
        /* Sorted multiset difference: D's cases are among the candidates. */
        ab__sort_i64(w->rm, r, w->tmp);
        uint32_t q = 0;
        m = 0;
        for (uint32_t i = 0; i < w->cache_n; i++) {
            if (q < r && w->rm[q] == w->cache[i]) {
                q++;
            } else {
                w->y[m++] = w->cache[i];
            }
        }
        y = w->y;
    }
    /* n and m were counted before; they agree by construction. */
    ab__gap_shift sh;
    ab__gap_shift_ci(w->x, n, y, m, &w->sel, &sh);
    ab__gap_time_figures(t, ab__gap_median_sorted(w->x, n), ab__gap_median_sorted(y, m), &sh);
    measure_local(L, j, w);
}

/*
 * A finding too large for one process to gather (parts over processes):
 * every process takes the samples of its own cases, and all measure them
 * together. The same calls in every process, in the same order.
 */
static int dist_job(const lay *L, const job *j, work *w)
{
    const ab_gap *g = L->g;
    const ab__gap_entry *e = j->e;
    uint32_t min_group = g->opts.min_group, nx = 0, ny = 0;
    w->here = 1;
    for (uint32_t k = 0; k < e->group_count; k++) {
        w->mark[e->groups[k]] = 1;
    }
    for (uint32_t k = 0; k < e->group_count; k++) {
        const ab__gap_group *gr = &g->groups[e->groups[k]];
        if (!gr->open && !(e->filter && !in_stratum(j->s, e->groups[k]))) {
            add_times(L, w, e->groups[k]);
        }
    }
    take_sample(L, w, 0, w->hx, &nx);
    /* The baseline: the stratum's candidates without D's cases. */
    for (uint32_t k = 0; k < j->s->group_count; k++) {
        uint32_t gi = j->s->groups[k];
        if (!w->mark[gi] && !(j->conforming_only && g->groups[gi].deviating)) {
            add_times(L, w, gi);
        }
    }
    take_sample(L, w, 0, w->hy, &ny);
    ab__gap_dist d;
    int rc = ab__gap_dist_measure(&g->parts, g->ctx, w->hx, nx, w->hy, ny, 0, 0, &d);
    if (rc == AB_OK) {
        ab__gap_time_figures(j->out, d.median_x, d.median_y, &d.shift);
        /* The local impact's spans, into the same buffers. */
        int64_t *lx = w->lx, *ly = w->ly;
        w->lx = w->hx;
        w->ly = w->hy;
        sample_local(L, j, w, 0, 1);
        w->lx = lx;
        w->ly = ly;
    }
    if (rc == AB_OK && w->from != UINT32_MAX) {
        ab_gap_local_time *l = &j->out->local;
        rc = ab__gap_dist_measure(&g->parts, g->ctx, w->hx, w->nlx, w->hy, w->nly, min_group,
                                  min_group, &d);
        l->n_deviating = (uint32_t)d.n;
        l->n_baseline = (uint32_t)d.m;
        l->status = d.n < min_group   ? AB_GAP_TIME_TOO_FEW
                    : d.m < min_group ? AB_GAP_TIME_NO_BASELINE
                                      : AB_GAP_TIME_OK;
        if (d.measured) {
            local_figures(l, d.median_x, d.median_y, &d.shift);
        }
    }
    for (uint32_t k = 0; k < e->group_count; k++) {
        w->mark[e->groups[k]] = 0;
    }
    w->here = 0;
    return rc != AB_OK ? rc : w->rc;
}

/* One finding in this process, on any thread. */
static void run_job(const lay *L, const job *j, work *w)
{
    sample_job(L, j, w, w, 0, 1);
    measure_job(L, j, w);
}

/* Jobs by stratum and kind of baseline, so that a thread's consecutive
 * jobs share the sorted candidates; then by finding. */
static int cmp_job(const void *pa, const void *pb)
{
    const job *a = pa, *b = pb;
    if (a->s != b->s) {
        return a->s < b->s ? -1 : 1;
    }
    if (a->conforming_only != b->conforming_only) {
        return a->conforming_only < b->conforming_only ? -1 : 1;
    }
    return a->entry < b->entry ? -1 : a->entry > b->entry;
}

typedef struct worker {
    pool *p;
    unsigned index;
} worker;

static void *worker_main(void *arg)
{
    worker *wk = arg;
    /* A fixed share per thread: job i goes to thread i mod threads. */
    for (uint32_t i = wk->index; i < wk->p->count; i += wk->p->threads) {
        run_job(wk->p->L, &wk->p->jobs[i], &wk->p->works[wk->index]);
        ab__gap_progress_step(wk->p->g, "time impacts", &wk->p->done, wk->p->count);
    }
    return NULL;
}

/* The figures measure_job makes, as they travel between processes. */
enum { FIGURES = 16 };

static void figures_put(const ab_gap_time *t, double *f)
{
    const double v[FIGURES] = {t->deviating_median_s,
                               t->baseline_median_s,
                               t->delta_s,
                               t->relative,
                               t->shift_s,
                               t->ci_lo_s,
                               t->ci_hi_s,
                               (double)t->ci_exact,
                               t->local.deviating_median_s,
                               t->local.baseline_median_s,
                               t->local.shift_s,
                               t->local.ci_lo_s,
                               t->local.ci_hi_s,
                               (double)t->local.status,
                               (double)t->local.n_deviating,
                               (double)t->local.n_baseline};
    memcpy(f, v, sizeof(v));
}

static void figures_get(ab_gap_time *t, const double *f)
{
    t->deviating_median_s = f[0];
    t->baseline_median_s = f[1];
    t->delta_s = f[2];
    t->relative = f[3];
    t->shift_s = f[4];
    t->ci_lo_s = f[5];
    t->ci_hi_s = f[6];
    t->ci_exact = (int)f[7];
    t->local.deviating_median_s = f[8];
    t->local.baseline_median_s = f[9];
    t->local.shift_s = f[10];
    t->local.ci_lo_s = f[11];
    t->local.ci_hi_s = f[12];
    t->local.status = (ab_gap_time_status)f[13];
    t->local.n_deviating = (uint32_t)f[14];
    t->local.n_baseline = (uint32_t)f[15];
}

/*
 * Parts whose calls are collectives over processes: the findings go in
 * turns, finding i to process i mod P. Every process takes the samples of
 * P findings in a row, each kept by the process whose turn it is (the
 * stratum's candidates follow each turn's state, the same everywhere), then
 * each measures its own while the others measure theirs; at the end the
 * processes exchange their figures, so that each ends with all of them.
 * The findings whose samples are too large to gather to one process come
 * after, each measured by all processes together.
 */
static int spread_jobs(pool *p)
{
    const ab_gap *g = p->g;
    uint32_t P = g->parts.processes > 0 ? g->parts.processes : 1, me = g->parts.process;
    uint32_t n = p->count, mine_n = 0, ng = 0;
    work *w = &p->works[0];
    work *turn = ab__calloc(g->ctx, P, sizeof(work));
    uint32_t *gathered = ab__malloc(g->ctx, sizeof(uint32_t) * ((size_t)n + 1));
    if (turn == NULL || gathered == NULL) {
        ab__free(g->ctx, turn);
        ab__free(g->ctx, gathered);
        return AB_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!p->jobs[i].together) {
            gathered[ng++] = i;
        }
    }
    for (uint32_t b = 0; b < ng; b += P) {
        uint32_t end = ng - b > P ? b + P : ng;
        for (uint32_t i = b; i < end; i++) {
            uint32_t k = i - b;
            sample_job(p->L, &p->jobs[gathered[i]], w, k == me ? w : &turn[k], k, k == me);
        }
        if (b + me < end && w->rc == AB_OK) {
            measure_job(p->L, &p->jobs[gathered[b + me]], w);
            mine_n++;
        }
        for (uint32_t i = b; i < end; i++) {
            ab__gap_progress_step(g, "time impacts", &p->done, n);
        }
    }
    ab__free(g->ctx, turn);
    uint32_t nt = n - ng, done = 0;
    if (nt > 0) {
        ab__gap_progress(g, "time impacts measured together", 0, nt);
    }
    for (uint32_t i = 0; i < n && w->rc == AB_OK; i++) {
        if (p->jobs[i].together) {
            w->rc = dist_job(p->L, &p->jobs[i], w);
            ab__gap_progress_step(g, "time impacts measured together", &done, nt);
        }
    }
    if (w->rc != AB_OK || P == 1) {
        ab__free(g->ctx, gathered);
        return w->rc;
    }
    /* Per finding measured here: its index, then its figures. */
    const size_t rec = sizeof(uint32_t) + sizeof(double) * FIGURES;
    unsigned char *mine = malloc(rec * mine_n + 1);
    if (mine == NULL) {
        ab__free(g->ctx, gathered);
        return AB_ENOMEM;
    }
    size_t len = 0;
    for (uint32_t q = me; q < ng; q += P) {
        uint32_t i = gathered[q];
        double f[FIGURES];
        figures_put(p->jobs[i].out, f);
        memcpy(mine + len, &i, sizeof(uint32_t));
        memcpy(mine + len + sizeof(uint32_t), f, sizeof(f));
        len += rec;
    }
    void **all = NULL;
    size_t *lens = NULL;
    uint32_t count = 0;
    int rc = g->parts.exchange(g->parts.payload, mine, len, &all, &lens, &count);
    free(mine);
    uint32_t got = 0;
    for (uint32_t q = 0; rc == AB_OK && q < count; q++) {
        for (size_t off = 0; off + rec <= lens[q]; off += rec, got++) {
            uint32_t i;
            double f[FIGURES];
            memcpy(&i, (const unsigned char *)all[q] + off, sizeof(uint32_t));
            memcpy(f, (const unsigned char *)all[q] + off + sizeof(uint32_t), sizeof(f));
            if (i >= n) {
                rc = AB_EINVAL;
                break;
            }
            figures_get(p->jobs[i].out, f);
        }
    }
    ab__gap_exchange_free(all, lens, count);
    ab__free(g->ctx, gathered);
    return rc == AB_OK && got != ng ? AB_EINVAL : rc;
}

/* ---- Setting the findings up, on the calling thread ---- */

/* The stratum phrase ("containing A") and the baseline in words. */
static int words(ab_gap *g, ab_gap_time *t, const skey *k, const ab_gap_item *it, int kind, int any)
{
    char phrase[768], buf[1024];
    if (k == NULL) {
        snprintf(phrase, sizeof(phrase), "containing %s", it->activity);
    } else if (k->type == ST_END) {
        snprintf(phrase, sizeof(phrase), "ending at %s", ab__strtab_str(&g->names, k->id));
    } else if (k->type == ST_LABEL) {
        snprintf(phrase, sizeof(phrase), "whose documented path requires %s",
                 ab__gap_label_name(g, k->id));
    } else {
        snprintf(phrase, sizeof(phrase), "containing %s", ab__gap_act_name(g, k->id));
    }
    if (any) {
        snprintf(buf, sizeof(buf), "closed cases %s", phrase);
    } else if (kind == AB_GAP_BASELINE_CONFORMING) {
        snprintf(buf, sizeof(buf), "closed conforming cases %s", phrase);
    } else {
        snprintf(buf, sizeof(buf), "closed cases %s without this deviation", phrase);
    }
    t->stratum = ab__arena_strndup(&g->arena, buf, strlen(buf));
    return t->stratum != NULL ? AB_OK : AB_ENOMEM;
}

/* The stratum of an entry, or 0 when it has none. */
static int entry_key(const ab_gap *g, const ab__gap_entry *e, uint32_t endk, skey *out)
{
    if (e->kind == AB_GAP_K_BYPASS || e->kind == AB_GAP_K_SUBSTITUTION) {
        if (e->key.a >= g->label_count) {
            return 0;
        }
        out->type = ST_LABEL;
        out->id = e->key.a;
        return 1;
    }
    if (e->anchor == AB__GAP_ANCHOR_END) {
        if (endk == UINT32_MAX) {
            return 0;
        }
        out->type = ST_END;
        out->id = endk;
        return 1;
    }
    if (e->anchor == AB__GAP_ANCHOR_NONE || e->anchor >= g->activity_count) {
        return 0;
    }
    out->type = ST_ACT;
    out->id = e->anchor;
    return 1;
}

const char *ab_gap_baseline_kind_name(ab_gap_baseline_kind kind)
{
    return kind == AB_GAP_BASELINE_WITHOUT ? "without_deviation" : "conforming";
}

/* A finding's stratum: the one of its key, if it has one. */
static const stratum *finding_stratum(const stratum *st, uint32_t nst, int has_key, skey k)
{
    uint32_t si = has_key ? find_stratum(st, nst, k) : UINT32_MAX;
    return si != UINT32_MAX ? &st[si] : NULL;
}

/* Over processes: the strata's cases summed (their groups stay this
 * process's). */
static int sum_strata(const ab_gap *g, stratum *st, uint32_t nst)
{
    uint64_t *v = ab__malloc(g->ctx, sizeof(uint64_t) * (2 * (size_t)nst + 1));
    for (uint32_t s = 0; v != NULL && s < nst; s++) {
        v[2 * s] = st[s].valid;
        v[2 * s + 1] = st[s].valid_conf;
    }
    int rc = ab__gap_sum_u64(g, v != NULL ? AB_OK : AB_ENOMEM, v, 2 * (size_t)nst);
    for (uint32_t s = 0; rc == AB_OK && s < nst; s++) {
        st[s].valid = v[2 * s];
        st[s].valid_conf = v[2 * s + 1];
    }
    ab__free(g->ctx, v);
    return rc;
}

int ab__gap_time_impacts(ab_gap *g, const ab__gap_entry *entries, ab_gap_item *const *items,
                         uint32_t count)
{
    ab_ctx *ctx = g->ctx;
    int rc = AB_OK;
    int timed = g->hdr.has_timestamps;
    uint32_t min_group = g->opts.min_group, G = g->group_count;
    skey *keys = ab__calloc(ctx, (size_t)count + 1, sizeof(skey));
    skey *ekey = ab__calloc(ctx, (size_t)count + 1, sizeof(skey));
    uint8_t *has_key = ab__calloc(ctx, (size_t)count + 1, 1);
    uint32_t *valid = ab__calloc(ctx, (size_t)G + 1, sizeof(uint32_t));
    uint32_t *act2s = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)g->activity_count + 1));
    uint32_t *lab2s = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)g->label_count + 1));
    job *jobs = ab__calloc(ctx, (size_t)count + 1, sizeof(job));
    stratum *st = NULL;
    uint32_t *lists = NULL, *last = NULL, nst = 0, njobs = 0;
    work *works = NULL;
    unsigned threads = 0;
    int laid = 0;
    /* Over processes, this one's cases per group (here), and the counts of
     * every stratum and finding (cnt: N_ALL, D's cases, D's in the stratum,
     * D's conforming ones in it) summed over the processes. */
    int apart = timed && !ab__gap_cases_here(g);
    uint32_t *here = apart ? ab__calloc(ctx, (size_t)G + 1, sizeof(uint32_t)) : valid;
    uint64_t *cnt = ab__calloc(ctx, (size_t)count * 3 + 1, sizeof(uint64_t));
    uint32_t *ends = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)count + 1));
    lay L;
    memset(&L, 0, sizeof(L));
    if (keys == NULL || ekey == NULL || has_key == NULL || valid == NULL || act2s == NULL ||
        lab2s == NULL || jobs == NULL || here == NULL || cnt == NULL || ends == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    /* Each group's cases with a cycle time, counted where the cases are. */
    if (timed && (rc = ab__gap_parts_valid(g, valid)) != AB_OK) {
        goto done;
    }
    if (apart) {
        ab__gap_valid_here(g, here);
    }
    /* Each finding's stratum key (the main ends first). */
    if (timed && (rc = main_ends(g, entries, count, apart, ends)) != AB_OK) {
        goto done;
    }
    uint32_t nk = 0;
    for (uint32_t i = 0; i < count; i++) {
        const ab__gap_entry *e = &entries[i];
        ab_gap_time *t = &items[i]->time;
        memset(t, 0, sizeof(*t));
        if (e->kind == AB_GAP_K_REWORK && e->documented) {
            t->status = AB_GAP_TIME_NOT_APPLICABLE;
            continue;
        }
        if (!timed) {
            t->status = AB_GAP_TIME_NO_TIMESTAMPS;
            continue;
        }
        if (entry_key(g, e, ends[i], &ekey[i])) {
            keys[nk++] = ekey[i];
            has_key[i] = 1;
        }
    }
    if (nk > 1) {
        qsort(keys, nk, sizeof(skey), cmp_skey);
    }
    st = ab__calloc(ctx, (size_t)nk + 1, sizeof(stratum));
    last = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nk + 1));
    if (st == NULL || last == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (uint32_t i = 0; i < nk; i++) {
        if (nst == 0 || cmp_skey(&st[nst - 1].key, &keys[i]) != 0) {
            st[nst++].key = keys[i];
        }
    }
    for (uint32_t a = 0; a < g->activity_count; a++) {
        act2s[a] = UINT32_MAX;
    }
    for (uint32_t l = 0; l < g->label_count; l++) {
        lab2s[l] = UINT32_MAX;
    }
    for (uint32_t s = 0; s < nst; s++) {
        if (st[s].key.type == ST_ACT) {
            act2s[st[s].key.id] = s;
        } else if (st[s].key.type == ST_LABEL) {
            lab2s[st[s].key.id] = s;
        }
        last[s] = UINT32_MAX;
    }
    /* The strata's groups (this process's): counted, then listed, in one
     * pass each. */
    for (int fill = 0; fill < 2 && nst > 0; fill++) {
        for (uint32_t gi = 0; gi < G; gi++) {
            const ab__gap_group *gr = &g->groups[gi];
            if (gr->open || here[gi] == 0) {
                continue;
            }
            uint32_t cand[2] = {UINT32_MAX, UINT32_MAX};
            skey ek = {ST_END, gr->end_key};
            cand[0] = find_stratum(st, nst, ek);
            const uint32_t *acts = g->variant_acts[gr->variant];
            uint32_t na = g->variant_act_count[gr->variant];
            const ab_move *mv = gr->v->moves;
            uint32_t nm = gr->v->move_count;
            /* Activities, then the labels the path requires, then the end. */
            for (uint32_t i = 0; i < na + nm + 1; i++) {
                uint32_t s;
                if (i < na) {
                    s = act2s[acts[i]];
                } else if (i < na + nm) {
                    const ab_move *m = &mv[i - na];
                    uint32_t l = m->kind == AB_MOVE_SYNC || m->kind == AB_MOVE_MODEL
                                     ? move_label(g, m)
                                     : AB_NET_SILENT;
                    s = l < g->label_count ? lab2s[l] : UINT32_MAX;
                } else {
                    s = cand[0];
                }
                if (s == UINT32_MAX || last[s] == gi) {
                    continue;
                }
                last[s] = gi;
                if (fill == 0) {
                    st[s].group_count++;
                    st[s].valid += here[gi];
                    st[s].valid_conf += gr->deviating ? 0 : here[gi];
                } else {
                    st[s].groups[st[s].group_count++] = gi;
                }
            }
        }
        if (fill == 0) {
            if (apart && (rc = sum_strata(g, st, nst)) != AB_OK) {
                goto done;
            }
            size_t total = 0;
            for (uint32_t s = 0; s < nst; s++) {
                total += st[s].group_count;
            }
            lists = ab__malloc(ctx, sizeof(uint32_t) * (total + 1));
            if (lists == NULL) {
                rc = AB_ENOMEM;
                goto done;
            }
            total = 0;
            for (uint32_t s = 0; s < nst; s++) {
                st[s].groups = lists + total;
                total += st[s].group_count;
                st[s].group_count = 0;
                last[s] = UINT32_MAX;
            }
        }
    }
    /* Over processes, a finding whose samples hold more values than one
     * process may gather is measured by all together. */
    int spread =
        !ab__gap_cases_here(g) && g->parts.alltoall != NULL && g->parts.values_here != NULL;
    uint64_t budget = UINT64_MAX;
    if (spread && g->parts.gather_max >= 0) {
        budget = (uint64_t)g->parts.gather_max;
    } else if (spread) {
        uint64_t all = 0, P = g->parts.processes > 0 ? g->parts.processes : 1;
        for (uint32_t gi = 0; gi < G; gi++) {
            all += valid[gi];
        }
        budget = (all + P - 1) / P;
        budget = budget < 65536 ? 65536 : budget;
    }
    /* Each finding's cases: counted here, summed over processes. */
    for (uint32_t i = 0; i < count; i++) {
        const ab__gap_entry *e = &entries[i];
        const ab_gap_time *t = &items[i]->time;
        if (t->status == AB_GAP_TIME_NOT_APPLICABLE || t->status == AB_GAP_TIME_NO_TIMESTAMPS) {
            continue;
        }
        const stratum *s = finding_stratum(st, nst, has_key[i], ekey[i]);
        uint64_t *c = &cnt[3 * (size_t)i];
        for (uint32_t q = 0; q < e->group_count; q++) {
            uint32_t gi = e->groups[q];
            int ins = in_stratum(s, gi);
            if (!e->filter || ins) {
                c[0] += here[gi];
            }
            if (ins) {
                c[1] += here[gi];
                c[2] += g->groups[gi].deviating ? 0 : here[gi];
            }
        }
    }
    if (apart && (rc = ab__gap_sum_u64(g, AB_OK, cnt, (size_t)count * 3)) != AB_OK) {
        goto done;
    }
    /* Counts, status and baseline of every finding; the measured ones become jobs. */
    size_t n_max = 0, m_max = 0, d_max = 0;
    int together = 0;
    for (uint32_t i = 0; i < count; i++) {
        const ab__gap_entry *e = &entries[i];
        ab_gap_item *it = items[i];
        ab_gap_time *t = &it->time;
        if (t->status == AB_GAP_TIME_NOT_APPLICABLE || t->status == AB_GAP_TIME_NO_TIMESTAMPS) {
            continue;
        }
        const stratum *s = finding_stratum(st, nst, has_key[i], ekey[i]);
        uint64_t nx = cnt[3 * (size_t)i], d_valid = cnt[3 * (size_t)i + 1],
                 d_conf = cnt[3 * (size_t)i + 2];
        uint64_t conf = s != NULL ? s->valid_conf - d_conf : 0;
        uint64_t without = s != NULL ? s->valid - d_valid : 0;
        t->n_deviating = (uint32_t)nx;
        t->n_stratum_conforming = (uint32_t)conf;
        t->n_stratum_without = (uint32_t)without;
        int use_conf = conf >= min_group;
        t->baseline_kind = use_conf ? AB_GAP_BASELINE_CONFORMING : AB_GAP_BASELINE_WITHOUT;
        t->n_baseline = (uint32_t)(use_conf ? conf : without);
        t->n_baseline_conforming = (uint32_t)conf;
        int none = !use_conf && without < min_group;
        if ((rc = words(g, t, s != NULL ? &s->key : NULL, it, (int)t->baseline_kind,
                        none && nx >= min_group)) != AB_OK) {
            goto done;
        }
        if (nx < min_group) {
            t->status = AB_GAP_TIME_TOO_FEW;
        } else if (none) {
            t->status = AB_GAP_TIME_NO_BASELINE;
        } else {
            t->status = AB_GAP_TIME_OK;
            job *j = &jobs[njobs++];
            j->entry = i;
            j->e = e;
            j->out = t;
            j->s = s;
            j->conforming_only = use_conf;
            j->together = nx + t->n_baseline > budget;
            together |= j->together;
            d_max = e->group_count > d_max ? e->group_count : d_max;
            if (!j->together) {
                /* The stratum's candidates of its kind hold the baseline and D's cases in it. */
                uint64_t cand = use_conf ? s->valid_conf : s->valid;
                n_max = nx > n_max ? nx : n_max;
                m_max = cand > m_max ? cand : m_max;
            }
        }
    }
    /* One work space per thread, then the jobs. */
    /* Parts that are collectives take their calls from one thread. */
    threads = g->opts.threads > 1 && ab__gap_cases_here(g) ? g->opts.threads : 1;
    threads = threads > njobs ? (njobs > 0 ? njobs : 1) : threads;
    threads = threads > 64 ? 64 : threads;
    works = ab__calloc(ctx, threads, sizeof(work));
    if (works == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    if (njobs == 0) {
        goto done;
    }
    size_t big = n_max > m_max ? n_max : m_max;
    for (unsigned k = 0; k < threads; k++) {
        work *w = &works[k];
        w->x = ab__malloc(ctx, sizeof(int64_t) * (n_max + 1));
        w->y = ab__malloc(ctx, sizeof(int64_t) * (m_max + 1));
        w->cache = ab__malloc(ctx, sizeof(int64_t) * (m_max + 1));
        w->rm = ab__malloc(ctx, sizeof(int64_t) * (n_max + 1));
        w->lx = ab__malloc(ctx, sizeof(int64_t) * (n_max + 1));
        w->ly = ab__malloc(ctx, sizeof(int64_t) * (m_max + 1));
        w->tmp = ab__malloc(ctx, sizeof(int64_t) * (big + 1));
        w->mark = ab__calloc(ctx, (size_t)G + 1, 1);
        w->spans = ab__malloc(ctx, sizeof(span) * (d_max + 1));
        w->pairs = ab__malloc(ctx, sizeof(pair_n) * (d_max + 1));
        w->batch = ab__malloc(ctx, sizeof(ab__gap_span) * ((size_t)G + 1));
        if (together) {
            size_t cases = (size_t)ab_log_case_count(g->log) + 1;
            w->hx = ab__malloc(ctx, sizeof(int64_t) * cases);
            w->hy = ab__malloc(ctx, sizeof(int64_t) * cases);
            if (w->hx == NULL || w->hy == NULL) {
                rc = AB_ENOMEM;
                break;
            }
        }
        if (w->x == NULL || w->y == NULL || w->cache == NULL || w->rm == NULL || w->tmp == NULL ||
            w->lx == NULL || w->ly == NULL || w->mark == NULL || w->spans == NULL ||
            w->pairs == NULL || w->batch == NULL ||
            ab__gap_sel_init(&w->sel, ctx, n_max, m_max) != AB_OK) {
            rc = AB_ENOMEM;
            break;
        }
    }
    /* Over processes, all stop here if one is out of memory. */
    if (!ab__gap_cases_here(g)) {
        rc = ab__gap_agree(g, rc);
    }
    if (rc != AB_OK) {
        goto done;
    }
    /* The times, group after group, where the cases are. */
    L.g = g;
    L.here = here;
    L.apart = apart;
    if ((rc = ab__gap_parts_lay_out(g, valid)) != AB_OK) {
        goto done;
    }
    laid = 1;
    if (njobs > 1) {
        qsort(jobs, njobs, sizeof(job), cmp_job);
    }
    pool p = {&L, jobs, njobs, threads, works, g, 0};
    ab__gap_progress(g, "time impacts", 0, njobs);
    if (!ab__gap_cases_here(g)) {
        rc = spread_jobs(&p);
    } else if (threads <= 1) {
        for (uint32_t i = 0; i < njobs; i++) {
            run_job(&L, &jobs[i], &works[0]);
            ab__gap_progress_step(g, "time impacts", &p.done, njobs);
        }
    } else {
        pthread_t tid[64];
        worker wk[64];
        unsigned started = 0;
        for (unsigned k = 1; k < threads; k++) {
            wk[k].p = &p;
            wk[k].index = k;
            if (pthread_create(&tid[k], NULL, worker_main, &wk[k]) != 0) {
                break;
            }
            started = k;
        }
        /* This thread takes share 0, and the shares of threads that could
         * not start, so that every job runs exactly once. */
        wk[0].p = &p;
        wk[0].index = 0;
        worker_main(&wk[0]);
        for (unsigned k = started + 1; k < threads; k++) {
            for (uint32_t i = k; i < njobs; i += threads) {
                run_job(&L, &jobs[i], &works[0]);
                ab__gap_progress_step(g, "time impacts", &p.done, njobs);
            }
        }
        for (unsigned k = 1; k <= started; k++) {
            pthread_join(tid[k], NULL);
        }
    }
done:
    for (unsigned k = 0; works != NULL && k < threads; k++) {
        ab__free(ctx, works[k].x);
        ab__free(ctx, works[k].y);
        ab__free(ctx, works[k].cache);
        ab__free(ctx, works[k].rm);
        ab__free(ctx, works[k].lx);
        ab__free(ctx, works[k].ly);
        ab__free(ctx, works[k].tmp);
        ab__free(ctx, works[k].mark);
        ab__free(ctx, works[k].spans);
        ab__free(ctx, works[k].pairs);
        ab__free(ctx, works[k].batch);
        ab__free(ctx, works[k].hx);
        ab__free(ctx, works[k].hy);
        ab__gap_sel_finish(&works[k].sel, ctx);
    }
    for (unsigned k = 0; rc == AB_OK && works != NULL && k < threads; k++) {
        rc = works[k].rc;
    }
    ab__free(ctx, works);
    if (laid) {
        g->parts.unlay(g->parts.payload);
    }
    ab__free(ctx, keys);
    ab__free(ctx, ekey);
    ab__free(ctx, has_key);
    if (here != valid) {
        ab__free(ctx, here);
    }
    ab__free(ctx, valid);
    ab__free(ctx, cnt);
    ab__free(ctx, ends);
    ab__free(ctx, act2s);
    ab__free(ctx, lab2s);
    ab__free(ctx, jobs);
    ab__free(ctx, st);
    ab__free(ctx, lists);
    ab__free(ctx, last);
    return rc;
}
