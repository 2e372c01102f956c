/*
 * conform/conform_net.c: the compiled net flattened into arrays for the
 * alignment search (arcs per transition, the transitions to try per marked
 * place), plus two per-place tables the search heuristic is made of: how
 * many visible transitions a token in a place must still pass at least, and
 * which labels it may still lead to. Both are relaxations that ignore
 * synchronisation, which is what makes them lower bounds (conform_search.c).
 */
#include "conform/conform_int.h"

#include <stdlib.h>

/* Reach tables larger than this many 64-bit words are not built: the
 * heuristic then counts only activities that no transition carries. */
#define REACH_MAX_WORDS ((uint64_t)8 << 20)

/* The cost a table counts: visible transitions, or silent ones. The same
 * bounds are built for both, the second for the silent moves' epsilon. */
#define COST(cn, t, silent) ((uint32_t)(((cn)->label[(t)] == AB_NET_SILENT) == ((silent) != 0)))

void ab__cnet_finish(ab__cnet *cn, ab_ctx *ctx)
{
    ab__free(ctx, cn->in_first);
    ab__free(ctx, cn->in);
    ab__free(ctx, cn->out_first);
    ab__free(ctx, cn->out);
    ab__free(ctx, cn->cons_first);
    ab__free(ctx, cn->cons);
    ab__free(ctx, cn->free_trans);
    ab__free(ctx, cn->label);
    ab__free(ctx, cn->urgent);
    ab__free(ctx, cn->out_tokens);
    ab__free(ctx, cn->dist);
    ab__free(ctx, cn->pot);
    ab__free(ctx, cn->dist_sil);
    ab__free(ctx, cn->pot_sil);
    ab__free(ctx, cn->reach);
    ab__free(ctx, cn->all_cons_first);
    ab__free(ctx, cn->all_cons);
    ab__free(ctx, cn->prod_first);
    ab__free(ctx, cn->prod);
    ab__free(ctx, cn->recv);
    memset(cn, 0, sizeof(*cn));
}

/* Place -> transitions with an arc from (consumers) or to (producers) it. */
static int place_index(ab_ctx *ctx, const ab__cnet *cn, int producers, uint32_t **first_out,
                       uint32_t **list_out)
{
    const uint32_t *tf = producers ? cn->out_first : cn->in_first;
    const ab_net_arc *arcs = producers ? cn->out : cn->in;
    uint32_t *first = ab__calloc(ctx, (size_t)cn->place_count + 2, sizeof(uint32_t));
    uint32_t *list = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)tf[cn->trans_count] + 1));
    uint32_t *fill = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)cn->place_count + 1));
    if (first == NULL || list == NULL || fill == NULL) {
        ab__free(ctx, first);
        ab__free(ctx, list);
        ab__free(ctx, fill);
        return AB_ENOMEM;
    }
    for (uint32_t a = 0; a < tf[cn->trans_count]; a++) {
        first[arcs[a].place + 1]++;
    }
    for (uint32_t p = 0; p < cn->place_count; p++) {
        first[p + 1] += first[p];
        fill[p] = first[p];
    }
    for (uint32_t t = 0; t < cn->trans_count; t++) {
        for (uint32_t a = tf[t]; a < tf[t + 1]; a++) {
            list[fill[arcs[a].place]++] = t;
        }
    }
    ab__free(ctx, fill);
    *first_out = first;
    *list_out = list;
    return AB_OK;
}

/*
 * dist[p]: a token in p is consumed by some transition t, whose output
 * tokens must in turn be consumed or be the final sink token; following any
 * one output gives a chain of distinct firings that ends at the sink or at a
 * transition without outputs. The cheapest such chain (visible transitions
 * counted) is computed backwards from the sink by a 0-1 breadth-first
 * search, level by level.
 */
static int compute_dist(ab__cnet *cn, ab_ctx *ctx, int silent, uint32_t *dist)
{
    const uint32_t *prod_first = cn->prod_first, *prod = cn->prod;
    uint32_t np = cn->place_count;
    size_t qcap = (size_t)cn->in_first[cn->trans_count] + np + 1;
    uint32_t *cur = ab__malloc(ctx, sizeof(uint32_t) * qcap);
    uint32_t *nxt = ab__malloc(ctx, sizeof(uint32_t) * qcap);
    uint32_t *val = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)cn->trans_count + 1));
    uint8_t *done = ab__calloc(ctx, (size_t)np + 1, 1);
    if (cur == NULL || nxt == NULL || val == NULL || done == NULL) {
        ab__free(ctx, cur);
        ab__free(ctx, nxt);
        ab__free(ctx, val);
        ab__free(ctx, done);
        return AB_ENOMEM;
    }
    size_t ncur = 0, nnxt = 0;
    for (uint32_t p = 0; p < np; p++) {
        dist[p] = AB__CF_INF;
    }
    dist[cn->sink] = 0;
    cur[ncur++] = cn->sink;
    for (uint32_t t = 0; t < cn->trans_count; t++) {
        val[t] = AB__CF_INF;
        if (cn->out_first[t] == cn->out_first[t + 1]) {
            uint32_t v = COST(cn, t, silent);
            val[t] = v;
            for (uint32_t a = cn->in_first[t]; a < cn->in_first[t + 1]; a++) {
                uint32_t p = cn->in[a].place;
                if (v < dist[p]) {
                    dist[p] = v;
                    if (v == 0) {
                        cur[ncur++] = p;
                    } else {
                        nxt[nnxt++] = p;
                    }
                }
            }
        }
    }
    uint32_t level = 0;
    while (ncur > 0) {
        for (size_t k = 0; k < ncur; k++) {
            uint32_t q = cur[k];
            if (done[q] || dist[q] != level) {
                continue;
            }
            done[q] = 1;
            for (uint32_t i = prod_first[q]; i < prod_first[q + 1]; i++) {
                uint32_t t = prod[i];
                if (val[t] != AB__CF_INF) {
                    continue; /* An output finalised earlier gave the minimum. */
                }
                uint32_t v = level + COST(cn, t, silent);
                val[t] = v;
                for (uint32_t a = cn->in_first[t]; a < cn->in_first[t + 1]; a++) {
                    uint32_t p = cn->in[a].place;
                    if (v < dist[p]) {
                        dist[p] = v;
                        /* Each place enters a queue at most once per
                         * improvement, and improvements are bounded by the
                         * arcs: qcap holds them all. */
                        if (v == level) {
                            cur[ncur++] = p;
                        } else {
                            nxt[nnxt++] = p;
                        }
                    }
                }
            }
        }
        uint32_t *tmp = cur;
        cur = nxt;
        nxt = tmp;
        ncur = nnxt;
        nnxt = 0;
        level++;
    }
    ab__free(ctx, cur);
    ab__free(ctx, nxt);
    ab__free(ctx, val);
    ab__free(ctx, done);
    return AB_OK;
}

/*
 * pot[p]: a potential with, for every transition t,
 *   sum over inputs of w * pot <= visible(t) + sum over outputs of w * pot,
 * and pot[sink] = 0: a feasible solution of the dual of the marking
 * equation, so that the sum over a marking's tokens is a lower bound of the
 * visible transitions any completion fires, which firing t lowers by at most
 * visible(t) (a consistent heuristic). Unlike the largest place distance it
 * adds up parallel branches. Built greedily: a transition hands its whole
 * right-hand side to one input place, its recipient, and nothing to the
 * others (so an AND split sums its branches and an AND join counts what
 * follows it once), and a place takes the smallest share its consumers
 * offer, iterated to a fixpoint from above. A place gets a share only if it
 * is the recipient of every consumer, so recipients are chosen place by
 * place, most consumers first: a place claims its consumers when none is
 * claimed yet. For an inclusive join compiled as one transition per subset
 * this makes one branch (its done place or its skip place) carry what
 * follows the join in every subset. The result is checked against every
 * transition; if the iteration did not settle, the potential is all zero
 * (no help, no harm).
 */
typedef struct place_key {
    uint32_t consumers;
    uint32_t place;
} place_key;

static int cmp_place_key(const void *pa, const void *pb)
{
    const place_key *a = pa, *b = pb;
    if (a->consumers != b->consumers) {
        return a->consumers > b->consumers ? -1 : 1;
    }
    return a->place < b->place ? -1 : a->place > b->place;
}

/* recv[t]: the input place that receives t's share (AB__CF_INF: none). */
static int choose_recipients(const ab__cnet *cn, ab_ctx *ctx, uint32_t *recv)
{
    const uint32_t *cons_first = cn->all_cons_first, *cons_all = cn->all_cons;
    uint32_t np = cn->place_count;
    place_key *keys = ab__malloc(ctx, sizeof(place_key) * ((size_t)np + 1));
    if (keys == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t t = 0; t < cn->trans_count; t++) {
        uint32_t nin = cn->in_first[t + 1] - cn->in_first[t];
        recv[t] = nin == 1 ? cn->in[cn->in_first[t]].place : AB__CF_INF;
    }
    for (uint32_t p = 0; p < np; p++) {
        keys[p].consumers = cons_first[p + 1] - cons_first[p];
        keys[p].place = p;
    }
    qsort(keys, np, sizeof(place_key), cmp_place_key);
    for (uint32_t k = 0; k < np; k++) {
        uint32_t p = keys[k].place;
        int free_all = 1;
        for (uint32_t i = cons_first[p]; i < cons_first[p + 1] && free_all; i++) {
            uint32_t r = recv[cons_all[i]];
            free_all = r == AB__CF_INF || r == p;
        }
        if (free_all) {
            for (uint32_t i = cons_first[p]; i < cons_first[p + 1]; i++) {
                recv[cons_all[i]] = p;
            }
        }
    }
    for (uint32_t t = 0; t < cn->trans_count; t++) {
        if (recv[t] == AB__CF_INF && cn->in_first[t] < cn->in_first[t + 1]) {
            recv[t] = cn->in[cn->in_first[t]].place;
        }
    }
    ab__free(ctx, keys);
    return AB_OK;
}

void ab__cnet_potential(const ab__cnet *cn, const uint8_t *cost, uint64_t *v, uint32_t *queue,
                        uint8_t *queued, uint32_t *pot)
{
    const uint64_t inf = AB__CF_INF;
    const uint32_t *cons_first = cn->all_cons_first, *cons_all = cn->all_cons;
    const uint32_t *prod_first = cn->prod_first, *prod = cn->prod, *recv = cn->recv;
    uint32_t np = cn->place_count;
    for (uint32_t p = 0; p < np; p++) {
        v[p] = p == cn->sink ? 0 : inf;
        queue[p] = np - 1 - p;
        queued[p] = 1;
    }
    size_t head = 0, count = np;
    /* Each update lowers a value; a generous cap on the work keeps odd nets
     * from taking long (the potential is then dropped). */
    uint64_t work = 0, work_max = (uint64_t)64 * (cn->in_first[cn->trans_count] + np + 16);
    int settled = 1;
    while (count > 0) {
        if (++work > work_max) {
            settled = 0;
            break;
        }
        uint32_t p = queue[head];
        head = (head + 1) % np;
        count--;
        queued[p] = 0;
        if (p == cn->sink) {
            continue;
        }
        uint64_t best = inf;
        for (uint32_t i = cons_first[p]; i < cons_first[p + 1] && best > 0; i++) {
            uint32_t t = cons_all[i];
            if (recv[t] != p) {
                best = 0;
                break;
            }
            uint32_t w = 1;
            for (uint32_t a = cn->in_first[t]; a < cn->in_first[t + 1]; a++) {
                w = cn->in[a].place == p ? cn->in[a].weight : w;
            }
            uint64_t b = cost[t];
            for (uint32_t a = cn->out_first[t]; a < cn->out_first[t + 1] && b < inf; a++) {
                uint64_t x = v[cn->out[a].place];
                b = x >= inf ? inf : b + x * cn->out[a].weight;
            }
            if (b < inf) {
                b /= w;
            }
            best = b < best ? b : best;
        }
        if (best >= v[p]) {
            continue;
        }
        v[p] = best;
        for (uint32_t i = prod_first[p]; i < prod_first[p + 1]; i++) {
            uint32_t q = recv[prod[i]];
            if (q == AB__CF_INF) {
                continue; /* A transition without inputs. */
            }
            if (!queued[q]) {
                queued[q] = 1;
                queue[(head + count) % np] = q;
                count++;
            }
        }
    }
    for (uint32_t p = 0; p < np; p++) {
        pot[p] = settled && v[p] < inf ? (uint32_t)v[p] : 0;
    }
    /* The check that makes it a lower bound whatever happened above. A
     * transition that marks a place from which the sink cannot be reached
     * is left out: the search never keeps such a marking. */
    for (uint32_t t = 0; t < cn->trans_count && settled; t++) {
        uint64_t lhs = 0, rhs = cost[t];
        int dead = 0;
        for (uint32_t a = cn->in_first[t]; a < cn->in_first[t + 1]; a++) {
            lhs += (uint64_t)pot[cn->in[a].place] * cn->in[a].weight;
            dead |= cn->dist[cn->in[a].place] == AB__CF_INF;
        }
        for (uint32_t a = cn->out_first[t]; a < cn->out_first[t + 1]; a++) {
            rhs += (uint64_t)pot[cn->out[a].place] * cn->out[a].weight;
            dead |= cn->dist[cn->out[a].place] == AB__CF_INF;
        }
        settled = dead || lhs <= rhs;
    }
    if (!settled || pot[cn->sink] != 0) {
        memset(pot, 0, sizeof(uint32_t) * np);
    }
}

static int compute_pot(ab__cnet *cn, ab_ctx *ctx, int silent, uint32_t *pot)
{
    uint32_t np = cn->place_count;
    uint64_t *v = ab__malloc(ctx, sizeof(uint64_t) * ((size_t)np + 1));
    uint32_t *queue = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)np + 1));
    uint8_t *queued = ab__malloc(ctx, (size_t)np + 1);
    uint8_t *cost = ab__malloc(ctx, (size_t)cn->trans_count + 1);
    int rc = v != NULL && queue != NULL && queued != NULL && cost != NULL ? AB_OK : AB_ENOMEM;
    if (rc == AB_OK) {
        for (uint32_t t = 0; t < cn->trans_count; t++) {
            cost[t] = (uint8_t)COST(cn, t, silent);
        }
        ab__cnet_potential(cn, cost, v, queue, queued, pot);
    }
    ab__free(ctx, v);
    ab__free(ctx, queue);
    ab__free(ctx, queued);
    ab__free(ctx, cost);
    return rc;
}

/*
 * reach[p]: the labels of every transition that can be reached from p in the
 * place/transition graph. Whatever fires later consumes a token that was in
 * the marking or was produced by something that fired, so the union over a
 * marking's places over-approximates the labels still possible. Computed as
 * a fixpoint with a worklist of places whose successors changed.
 */
static int compute_reach(ab__cnet *cn, ab_ctx *ctx)
{
    const uint32_t *cons_first = cn->all_cons_first, *cons_all = cn->all_cons;
    const uint32_t *prod_first = cn->prod_first, *prod = cn->prod;
    uint32_t np = cn->place_count, w = cn->reach_words;
    uint32_t *queue = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)np + 1));
    uint8_t *queued = ab__malloc(ctx, (size_t)np + 1);
    uint64_t *tmp = ab__malloc(ctx, sizeof(uint64_t) * ((size_t)w + 1));
    if (queue == NULL || queued == NULL || tmp == NULL) {
        ab__free(ctx, queue);
        ab__free(ctx, queued);
        ab__free(ctx, tmp);
        return AB_ENOMEM;
    }
    /* A circular queue: a place is in it at most once. Places are taken in
     * reverse index order first, which tends to follow the flow backwards. */
    size_t head = 0, count = 0;
    for (uint32_t k = 0; k < np; k++) {
        queue[k] = np - 1 - k;
        queued[k] = 1;
    }
    count = np;
    while (count > 0) {
        uint32_t p = queue[head];
        head = (head + 1) % np;
        count--;
        queued[p] = 0;
        memset(tmp, 0, sizeof(uint64_t) * w);
        for (uint32_t i = cons_first[p]; i < cons_first[p + 1]; i++) {
            uint32_t t = cons_all[i];
            if (cn->label[t] != AB_NET_SILENT) {
                tmp[cn->label[t] / 64] |= (uint64_t)1 << (cn->label[t] % 64);
            }
            for (uint32_t a = cn->out_first[t]; a < cn->out_first[t + 1]; a++) {
                const uint64_t *r = cn->reach + (size_t)cn->out[a].place * w;
                for (uint32_t k = 0; k < w; k++) {
                    tmp[k] |= r[k];
                }
            }
        }
        uint64_t *mine = cn->reach + (size_t)p * w;
        if (memcmp(tmp, mine, sizeof(uint64_t) * w) == 0) {
            continue;
        }
        memcpy(mine, tmp, sizeof(uint64_t) * w);
        for (uint32_t i = prod_first[p]; i < prod_first[p + 1]; i++) {
            uint32_t t = prod[i];
            for (uint32_t a = cn->in_first[t]; a < cn->in_first[t + 1]; a++) {
                uint32_t q = cn->in[a].place;
                if (!queued[q]) {
                    queued[q] = 1;
                    queue[(head + count) % np] = q;
                    count++;
                }
            }
        }
    }
    ab__free(ctx, queue);
    ab__free(ctx, queued);
    ab__free(ctx, tmp);
    return AB_OK;
}

int ab__cnet_build(ab__cnet *cn, ab_ctx *ctx, const ab_net *net)
{
    memset(cn, 0, sizeof(*cn));
    int rc = AB_OK;
    uint32_t np = ab_net_place_count(net), nt = ab_net_transition_count(net);
    cn->place_count = np;
    cn->trans_count = nt;
    cn->label_count = ab_net_label_count(net);
    cn->source = ab_net_source(net);
    cn->sink = ab_net_sink(net);
    size_t nin = 0, nout = 0;
    for (uint32_t t = 0; t < nt; t++) {
        nin += ab_net_transition_at(net, t)->in_count;
        nout += ab_net_transition_at(net, t)->out_count;
    }
    if (nin >= UINT32_MAX || nout >= UINT32_MAX) {
        return AB_ENOMEM; /* Arc offsets are 32-bit. */
    }
    cn->in_first = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nt + 1));
    cn->out_first = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nt + 1));
    cn->in = ab__malloc(ctx, sizeof(ab_net_arc) * (nin + 1));
    cn->out = ab__malloc(ctx, sizeof(ab_net_arc) * (nout + 1));
    cn->cons_first = ab__calloc(ctx, (size_t)np + 2, sizeof(uint32_t));
    cn->cons = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nt + 1));
    cn->free_trans = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nt + 1));
    cn->label = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nt + 1));
    cn->urgent = ab__calloc(ctx, (size_t)nt + 1, 1);
    cn->out_tokens = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nt + 1));
    cn->dist = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)np + 1));
    cn->pot = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)np + 1));
    cn->dist_sil = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)np + 1));
    cn->pot_sil = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)np + 1));
    if (cn->in_first == NULL || cn->out_first == NULL || cn->in == NULL || cn->out == NULL ||
        cn->cons_first == NULL || cn->cons == NULL || cn->free_trans == NULL || cn->pot == NULL ||
        cn->dist_sil == NULL || cn->pot_sil == NULL || cn->label == NULL || cn->urgent == NULL ||
        cn->out_tokens == NULL || cn->dist == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    nin = nout = 0;
    for (uint32_t t = 0; t < nt; t++) {
        const ab_net_transition *x = ab_net_transition_at(net, t);
        cn->in_first[t] = (uint32_t)nin;
        cn->out_first[t] = (uint32_t)nout;
        memcpy(cn->in + nin, x->in, sizeof(ab_net_arc) * x->in_count);
        memcpy(cn->out + nout, x->out, sizeof(ab_net_arc) * x->out_count);
        nin += x->in_count;
        nout += x->out_count;
        cn->label[t] = x->label_id;
        uint32_t tokens = 0;
        for (uint32_t a = 0; a < x->out_count; a++) {
            tokens += x->out[a].weight;
        }
        cn->out_tokens[t] = tokens;
        if (x->in_count == 0) {
            cn->free_trans[cn->free_count++] = t;
        } else {
            cn->cons_first[x->in[0].place + 1]++; /* Arcs are sorted by place. */
        }
    }
    cn->in_first[nt] = (uint32_t)nin;
    cn->out_first[nt] = (uint32_t)nout;
    for (uint32_t p = 0; p < np; p++) {
        cn->cons_first[p + 1] += cn->cons_first[p];
    }
    {
        uint32_t *fill = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)np + 1));
        if (fill == NULL) {
            rc = AB_ENOMEM;
            goto done;
        }
        memcpy(fill, cn->cons_first, sizeof(uint32_t) * np);
        /* Transition order within a place keeps the lists in index order. */
        for (uint32_t t = 0; t < nt; t++) {
            if (cn->in_first[t] < cn->in_first[t + 1]) {
                cn->cons[fill[cn->in[cn->in_first[t]].place]++] = t;
            }
        }
        ab__free(ctx, fill);
    }
    AB_TRY(place_index(ctx, cn, 0, &cn->all_cons_first, &cn->all_cons));
    AB_TRY(place_index(ctx, cn, 1, &cn->prod_first, &cn->prod));
    const uint32_t *cons_first = cn->all_cons_first;
    /* Urgent transitions: tokens in their input places can leave only
     * through them and must leave (only the sink is marked at the end), so
     * every completion fires them, and firing them first changes no cost
     * (their outputs only enable more). The search fires an enabled one
     * as the only successor, which removes the interleavings of AND splits,
     * XOR joins and events with everything else. */
    for (uint32_t t = 0; t < nt; t++) {
        int ok = cn->label[t] == AB_NET_SILENT && cn->in_first[t] < cn->in_first[t + 1];
        for (uint32_t a = cn->in_first[t]; a < cn->in_first[t + 1] && ok; a++) {
            uint32_t p = cn->in[a].place;
            ok = p != cn->sink && cons_first[p + 1] - cons_first[p] == 1;
        }
        cn->urgent[t] = (uint8_t)ok;
    }
    AB_TRY(compute_dist(cn, ctx, 0, cn->dist));
    AB_TRY(compute_dist(cn, ctx, 1, cn->dist_sil));
    cn->recv = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nt + 1));
    if (cn->recv == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    AB_TRY(choose_recipients(cn, ctx, cn->recv));
    AB_TRY(compute_pot(cn, ctx, 0, cn->pot));
    AB_TRY(compute_pot(cn, ctx, 1, cn->pot_sil));
    cn->reach_words = (cn->label_count + 63) / 64;
    if (cn->reach_words > 0 && cn->free_count == 0 &&
        (uint64_t)np * cn->reach_words <= REACH_MAX_WORDS) {
        cn->reach = ab__calloc(ctx, (size_t)np * cn->reach_words, sizeof(uint64_t));
        if (cn->reach == NULL) {
            rc = AB_ENOMEM;
            goto done;
        }
        AB_TRY(compute_reach(cn, ctx));
    }
done:
    if (rc != AB_OK) {
        ab__cnet_finish(cn, ctx);
    }
    return rc;
}
