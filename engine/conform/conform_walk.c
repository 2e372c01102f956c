/*
 * conform/conform_walk.c: complete runs and fitting traces without a search
 * over the state space. A wide parallel map has far too many markings for a
 * best-first search, yet a shortest complete run and the alignment of a
 * fitting trace are found by walking forward with one marking:
 *
 * - ab__cf_walk_run fires, depth first, only "tight" transitions: those
 *   whose firing lowers the potential of conform_net.c by exactly their
 *   cost. The potential of the source marking is a lower bound of the
 *   visible transitions of any complete run, and a run of tight transitions
 *   pays exactly that bound, so any complete run the walk finds is a
 *   shortest one.
 * - ab__cf_replay replays a trace token by token: each event fires the first
 *   enabled transition carrying its label, after the fewest silent
 *   transitions that enable one (a breadth-first search bounded in
 *   markings, local to that event); the end is reached the same way. When it
 *   reaches the final marking the alignment has no deviation, so it is
 *   optimal (cost 0).
 *
 * Both are bounded in work and say AB_ELIMIT when they give up: the caller
 * then takes the exhaustive search.
 */
#include "conform/conform_int.h"

#include <stdlib.h>

/* Transitions the depth-first walk may look at before it gives up: per
 * transition of the net, and at least. */
#define WALK_WORK_PER_TRANS 20000u
#define WALK_WORK_MIN 200000000u

/* ---- A marking as token counts, with the list of marked places ---- */

typedef struct wmark {
    uint32_t *cnt;  /* Place -> tokens. */
    uint32_t *list; /* Marked places, in no order. */
    uint32_t *pos;  /* Place -> index in list (valid when cnt > 0). */
    uint32_t marked;
    uint64_t tokens;
    uint64_t hash; /* Sum of ab__place_key(p) over the tokens: the same for equal markings. */
} wmark;

static int wm_init(wmark *m, ab_ctx *ctx, uint32_t np)
{
    memset(m, 0, sizeof(*m));
    m->cnt = ab__calloc(ctx, (size_t)np + 1, sizeof(uint32_t));
    m->list = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)np + 1));
    m->pos = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)np + 1));
    return m->cnt != NULL && m->list != NULL && m->pos != NULL ? AB_OK : AB_ENOMEM;
}

static void wm_finish(wmark *m, ab_ctx *ctx)
{
    ab__free(ctx, m->cnt);
    ab__free(ctx, m->list);
    ab__free(ctx, m->pos);
}

static void wm_add(wmark *m, uint32_t p, uint32_t w)
{
    if (m->cnt[p] == 0) {
        m->pos[p] = m->marked;
        m->list[m->marked++] = p;
    }
    m->cnt[p] += w;
    m->tokens += w;
    m->hash += ab__place_key(p) * w;
}

static void wm_sub(wmark *m, uint32_t p, uint32_t w)
{
    m->cnt[p] -= w;
    m->tokens -= w;
    m->hash -= ab__place_key(p) * w;
    if (m->cnt[p] == 0) {
        uint32_t last = m->list[--m->marked];
        m->list[m->pos[p]] = last;
        m->pos[last] = m->pos[p];
    }
}

static int wm_enabled(const ab__cnet *cn, const wmark *m, uint32_t t)
{
    for (uint32_t a = cn->in_first[t]; a < cn->in_first[t + 1]; a++) {
        if (m->cnt[cn->in[a].place] < cn->in[a].weight) {
            return 0;
        }
    }
    return 1;
}

static void wm_fire(const ab__cnet *cn, wmark *m, uint32_t t)
{
    for (uint32_t a = cn->in_first[t]; a < cn->in_first[t + 1]; a++) {
        wm_sub(m, cn->in[a].place, cn->in[a].weight);
    }
    for (uint32_t a = cn->out_first[t]; a < cn->out_first[t + 1]; a++) {
        wm_add(m, cn->out[a].place, cn->out[a].weight);
    }
}

static void wm_unfire(const ab__cnet *cn, wmark *m, uint32_t t)
{
    for (uint32_t a = cn->out_first[t]; a < cn->out_first[t + 1]; a++) {
        wm_sub(m, cn->out[a].place, cn->out[a].weight);
    }
    for (uint32_t a = cn->in_first[t]; a < cn->in_first[t + 1]; a++) {
        wm_add(m, cn->in[a].place, cn->in[a].weight);
    }
}

/* The hash the marking would have after firing t. */
static uint64_t hash_after(const ab__cnet *cn, const wmark *m, uint32_t t)
{
    uint64_t h = m->hash;
    for (uint32_t a = cn->in_first[t]; a < cn->in_first[t + 1]; a++) {
        h -= ab__place_key(cn->in[a].place) * cn->in[a].weight;
    }
    for (uint32_t a = cn->out_first[t]; a < cn->out_first[t + 1]; a++) {
        h += ab__place_key(cn->out[a].place) * cn->out[a].weight;
    }
    return h;
}

static int wm_is_final(const ab__cnet *cn, const wmark *m)
{
    return m->tokens == 1 && m->cnt[cn->sink] == 1;
}

/* ---- A set of 64-bit marking hashes ---- */

typedef struct hset {
    uint64_t *slots; /* 0 = empty (hashes are odd-summed, a 0 is mapped to 1). */
    size_t mask, count;
} hset;

static int hs_init(hset *s, ab_ctx *ctx)
{
    s->slots = ab__calloc(ctx, 1024, sizeof(uint64_t));
    s->mask = 1023;
    s->count = 0;
    return s->slots != NULL ? AB_OK : AB_ENOMEM;
}

static int hs_has(const hset *s, uint64_t h)
{
    h = h != 0 ? h : 1;
    for (size_t i = (size_t)(h ^ (h >> 29)) & s->mask; s->slots[i] != 0; i = (i + 1) & s->mask) {
        if (s->slots[i] == h) {
            return 1;
        }
    }
    return 0;
}

static int hs_add(hset *s, ab_ctx *ctx, uint64_t h)
{
    h = h != 0 ? h : 1;
    if ((s->count + 1) * 2 > s->mask + 1) {
        size_t nsize = (s->mask + 1) * 2;
        uint64_t *ns = ab__calloc(ctx, nsize, sizeof(uint64_t));
        if (ns == NULL) {
            return AB_ENOMEM;
        }
        for (size_t i = 0; i <= s->mask; i++) {
            uint64_t v = s->slots[i];
            if (v != 0) {
                size_t j = (size_t)(v ^ (v >> 29)) & (nsize - 1);
                while (ns[j] != 0) {
                    j = (j + 1) & (nsize - 1);
                }
                ns[j] = v;
            }
        }
        ab__free(ctx, s->slots);
        s->slots = ns;
        s->mask = nsize - 1;
    }
    size_t i = (size_t)(h ^ (h >> 29)) & s->mask;
    while (s->slots[i] != 0) {
        if (s->slots[i] == h) {
            return AB_OK;
        }
        i = (i + 1) & s->mask;
    }
    s->slots[i] = h;
    s->count++;
    return AB_OK;
}

/* ---- The complete run ---- */

/* Whether firing t lowers the potential by exactly its cost and keeps the sink reachable. */
static int tight(const ab__cnet *cn, uint32_t t)
{
    uint64_t lhs = 0, rhs = cn->label[t] != AB_NET_SILENT;
    for (uint32_t a = cn->in_first[t]; a < cn->in_first[t + 1]; a++) {
        lhs += (uint64_t)cn->pot[cn->in[a].place] * cn->in[a].weight;
    }
    for (uint32_t a = cn->out_first[t]; a < cn->out_first[t + 1]; a++) {
        if (cn->dist[cn->out[a].place] == AB__CF_INF) {
            return 0;
        }
        rhs += (uint64_t)cn->pot[cn->out[a].place] * cn->out[a].weight;
    }
    return lhs == rhs;
}

/*
 * The smallest transition above `after` (AB_CONFORM_NONE: from the first)
 * that is tight, enabled, and leads to a marking not visited yet; or
 * AB_CONFORM_NONE.
 */
static uint32_t next_move(const ab__cnet *cn, const wmark *m, const uint8_t *is_tight,
                          const hset *seen, uint32_t after, uint64_t *work)
{
    uint32_t best = AB_CONFORM_NONE;
    *work += cn->free_count + 1;
    for (uint32_t i = 0; i < m->marked; i++) {
        uint32_t p = m->list[i];
        *work += cn->cons_first[p + 1] - cn->cons_first[p] + 1;
        for (uint32_t k = cn->cons_first[p]; k < cn->cons_first[p + 1]; k++) {
            uint32_t t = cn->cons[k];
            if ((after != AB_CONFORM_NONE && t <= after) || t >= best || !is_tight[t] ||
                !wm_enabled(cn, m, t) || hs_has(seen, hash_after(cn, m, t))) {
                continue;
            }
            best = t;
        }
    }
    for (uint32_t k = 0; k < cn->free_count; k++) {
        uint32_t t = cn->free_trans[k];
        if ((after != AB_CONFORM_NONE && t <= after) || t >= best || !is_tight[t] ||
            hs_has(seen, hash_after(cn, m, t))) {
            continue;
        }
        best = t;
    }
    return best;
}

int ab__cf_walk_run(const ab__cnet *cn, ab_ctx *ctx, ab__cf_run *out)
{
    memset(out, 0, sizeof(out[0]));
    uint64_t bound = cn->pot[cn->source];
    if (cn->dist[cn->source] == AB__CF_INF || bound < cn->dist[cn->source]) {
        return AB_ELIMIT; /* No potential to be tight against. */
    }
    wmark m;
    hset seen = {NULL, 0, 0};
    uint8_t *is_tight = ab__malloc(ctx, (size_t)cn->trans_count + 1);
    uint32_t *stack = NULL;
    size_t stack_cap = 0, depth = 0;
    int rc = wm_init(&m, ctx, cn->place_count);
    if (rc == AB_OK) {
        rc = hs_init(&seen, ctx);
    }
    if (rc != AB_OK || is_tight == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (uint32_t t = 0; t < cn->trans_count; t++) {
        is_tight[t] = (uint8_t)tight(cn, t);
    }
    wm_add(&m, cn->source, 1);
    AB_TRY(hs_add(&seen, ctx, m.hash));
    uint64_t work = 0, max_work = (uint64_t)WALK_WORK_PER_TRANS * cn->trans_count;
    max_work = max_work < WALK_WORK_MIN ? WALK_WORK_MIN : max_work;
    uint32_t after = AB_CONFORM_NONE;
    int found = 0;
    while (work < max_work) {
        if (wm_is_final(cn, &m)) {
            found = 1;
            break;
        }
        uint32_t t = next_move(cn, &m, is_tight, &seen, after, &work);
        if (t == AB_CONFORM_NONE) {
            if (depth == 0) {
                break; /* Every tight way was tried. */
            }
            after = stack[--depth];
            wm_unfire(cn, &m, after);
            continue;
        }
        AB_TRY(AB_GROW(ctx, stack, stack_cap, depth + 1));
        stack[depth++] = t;
        wm_fire(cn, &m, t);
        AB_TRY(hs_add(&seen, ctx, m.hash));
        after = AB_CONFORM_NONE;
    }
    rc = AB_ELIMIT;
    if (found) {
        uint32_t visible = 0;
        for (size_t i = 0; i < depth; i++) {
            visible += cn->label[stack[i]] != AB_NET_SILENT;
        }
        if (visible == bound && depth < UINT32_MAX) {
            /* Cannot differ with a consistent potential; never trusted blindly. */
            rc = AB_OK;
            out->trans = ab__malloc(ctx, sizeof(uint32_t) * (depth + 1));
            if (out->trans == NULL) {
                rc = AB_ENOMEM;
                goto done;
            }
            memcpy(out->trans, stack, sizeof(uint32_t) * depth);
            out->count = (uint32_t)depth;
            out->visible = visible;
        }
    }
done:
    ab__free(ctx, stack);
    ab__free(ctx, is_tight);
    ab__free(ctx, seen.slots);
    wm_finish(&m, ctx);
    return rc;
}

/* ---- Replay of a fitting trace ---- */

/*
 * The replay takes a step only where the fast path of conform_search.c has a
 * single successor: an enabled urgent transition (the first in net order is
 * the only successor there), or else exactly one enabled transition that is
 * silent or carries the next event's label. Along such steps the product
 * graph of synchronous and silent moves is a single path, so when the walk
 * ends in the final marking with the trace consumed, that path is the
 * alignment the search returns, move for move (its cost is 0, and no node of
 * a deviation-free path is pruned by an admissible heuristic). Where there is
 * a choice the replay gives up and the search decides.
 */
/* A set of transitions with O(1) insertion and removal. */
typedef struct tset {
    uint32_t *items;
    uint32_t *at; /* Transition -> index in items. */
    uint32_t count;
} tset;

static void ts_add(tset *s, uint32_t t)
{
    s->at[t] = s->count;
    s->items[s->count++] = t;
}

static void ts_remove(tset *s, uint32_t t)
{
    uint32_t last = s->items[--s->count];
    s->items[s->at[t]] = last;
    s->at[last] = s->at[t];
}

/* What the replay keeps up to date as transitions fire. */
typedef struct rstate {
    const ab__cnet *cn;
    wmark m;
    uint8_t *en;         /* Transition -> enabled. */
    tset silent, urgent; /* Enabled silent transitions; the urgent among them. */
    uint32_t *lab_en;    /* Label -> enabled transitions carrying it. */
    uint32_t *by_first;  /* Label -> its transitions in by_lab (CSR). */
    uint32_t *by_lab;
} rstate;

static void rs_update(rstate *r, uint32_t t)
{
    const ab__cnet *cn = r->cn;
    uint8_t now = (uint8_t)(cn->in_first[t] < cn->in_first[t + 1] && wm_enabled(cn, &r->m, t));
    if (now == r->en[t]) {
        return;
    }
    r->en[t] = now;
    uint32_t l = cn->label[t];
    if (l != AB_NET_SILENT) {
        r->lab_en[l] += now ? 1 : (uint32_t)-1;
    } else if (now) {
        ts_add(&r->silent, t);
        if (cn->urgent[t]) {
            ts_add(&r->urgent, t);
        }
    } else {
        ts_remove(&r->silent, t);
        if (cn->urgent[t]) {
            ts_remove(&r->urgent, t);
        }
    }
}

/* Fires t and updates what depends on the places it touched. */
static void rs_fire(rstate *r, uint32_t t)
{
    const ab__cnet *cn = r->cn;
    wm_fire(cn, &r->m, t);
    for (int side = 0; side < 2; side++) {
        const uint32_t *first = side == 0 ? cn->in_first : cn->out_first;
        const ab_net_arc *arcs = side == 0 ? cn->in : cn->out;
        for (uint32_t a = first[t]; a < first[t + 1]; a++) {
            uint32_t p = arcs[a].place;
            for (uint32_t k = cn->all_cons_first[p]; k < cn->all_cons_first[p + 1]; k++) {
                rs_update(r, cn->all_cons[k]);
            }
        }
    }
}

int ab__cf_replay(const ab__cnet *cn, ab_ctx *ctx, const uint32_t *acts, uint32_t n,
                  const uint32_t *activity_label, ab__cf_alignment *out)
{
    memset(out, 0, sizeof(*out));
    if (cn->free_count > 0) {
        return AB_ELIMIT;
    }
    uint32_t nt = cn->trans_count;
    rstate r;
    memset(&r, 0, sizeof(r));
    r.cn = cn;
    ab_move *moves = NULL;
    size_t cap = 0, count = 0;
    int rc = wm_init(&r.m, ctx, cn->place_count);
    r.en = ab__calloc(ctx, (size_t)nt + 1, 1);
    r.silent.items = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nt + 1));
    r.silent.at = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nt + 1));
    r.urgent.items = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nt + 1));
    r.urgent.at = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nt + 1));
    r.lab_en = ab__calloc(ctx, (size_t)cn->label_count + 1, sizeof(uint32_t));
    r.by_first = ab__calloc(ctx, (size_t)cn->label_count + 2, sizeof(uint32_t));
    r.by_lab = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nt + 1));
    if (rc != AB_OK || r.en == NULL || r.silent.items == NULL || r.silent.at == NULL ||
        r.urgent.items == NULL || r.urgent.at == NULL || r.lab_en == NULL || r.by_first == NULL ||
        r.by_lab == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (uint32_t t = 0; t < nt; t++) {
        if (cn->label[t] != AB_NET_SILENT) {
            r.by_first[cn->label[t] + 2]++;
        }
    }
    for (uint32_t l = 0; l < cn->label_count; l++) {
        r.by_first[l + 2] += r.by_first[l + 1];
    }
    for (uint32_t t = 0; t < nt; t++) { /* by_first[l + 1] is the fill cursor. */
        if (cn->label[t] != AB_NET_SILENT) {
            r.by_lab[r.by_first[cn->label[t] + 1]++] = t;
        }
    }
    wm_add(&r.m, cn->source, 1);
    for (uint32_t t = 0; t < nt; t++) {
        rs_update(&r, t);
    }
    uint32_t pos = 0, silent_run = 0;
    rc = AB_ELIMIT;
    for (;;) {
        if (pos == n && wm_is_final(cn, &r.m)) {
            rc = AB_OK;
            break;
        }
        uint32_t lab = pos < n ? activity_label[acts[pos]] : AB_NET_SILENT;
        uint32_t t = AB_CONFORM_NONE;
        if (r.urgent.count > 0) {
            for (uint32_t i = 0; i < r.urgent.count; i++) {
                t = r.urgent.items[i] < t ? r.urgent.items[i] : t;
            }
        } else {
            uint32_t labelled = lab != AB_NET_SILENT ? r.lab_en[lab] : 0;
            if (labelled + r.silent.count != 1) {
                break; /* A choice, or no way on: the search decides. */
            }
            if (r.silent.count == 1) {
                t = r.silent.items[0];
            } else {
                for (uint32_t k = r.by_first[lab]; k < r.by_first[lab + 1]; k++) {
                    if (r.en[r.by_lab[k]]) {
                        t = r.by_lab[k];
                        break;
                    }
                }
            }
        }
        if (cn->label[t] == AB_NET_SILENT && ++silent_run > 4 * (uint64_t)nt + 64) {
            break; /* A silent cycle: the search decides. */
        }
        if (AB_GROW(ctx, moves, cap, count + 1) != AB_OK) {
            rc = AB_ENOMEM;
            break;
        }
        ab_move *mv = &moves[count++];
        mv->transition = t;
        mv->position = pos;
        if (cn->label[t] == AB_NET_SILENT) {
            mv->kind = AB_MOVE_SILENT;
            mv->activity = AB_CONFORM_NONE;
        } else {
            mv->kind = AB_MOVE_SYNC;
            mv->activity = acts[pos];
            pos++;
            silent_run = 0;
        }
        rs_fire(&r, t);
    }
done:
    wm_finish(&r.m, ctx);
    ab__free(ctx, r.en);
    ab__free(ctx, r.silent.items);
    ab__free(ctx, r.silent.at);
    ab__free(ctx, r.urgent.items);
    ab__free(ctx, r.urgent.at);
    ab__free(ctx, r.lab_en);
    ab__free(ctx, r.by_first);
    ab__free(ctx, r.by_lab);
    if (rc != AB_OK || count > UINT32_MAX - 1) {
        ab__free(ctx, moves);
        return rc == AB_OK ? AB_ELIMIT : rc;
    }
    out->moves = moves;
    out->move_count = (uint32_t)count;
    out->fast_path = 1;
    return AB_OK;
}
