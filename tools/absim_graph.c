/*
 * tools/absim_graph.c: the graph of reachable markings of a compiled map, and seeded walks on
 * it. absim needs the whole graph twice: to simulate (a walk that is always able to finish,
 * because every firing is checked against the distance to the final marking) and to decide
 * exactly which alignments a deviating trace has (absim_check.c). Documented maps are small
 * enough for that; a limit on the number of markings keeps a large one from running away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "absim_int.h"

#include "gen_util.h"

/* ---------------------------------------------------------------------------------------------
 * Random numbers
 */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void sim_rng_seed(sim_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        r->s[i] = splitmix64(&seed);
    }
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_next(sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double sim_rng_unit(sim_rng *r)
{
    return (double)((sim_rng_next(r) >> 11) + 1) * 0x1.0p-53;
}

uint32_t sim_rng_below(sim_rng *r, uint32_t n)
{
    /* Multiply-shift: the bias is below 2^-32, far under anything a test could see. */
    return (uint32_t)(((sim_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

void sim_rng_shuffle(sim_rng *r, uint32_t *a, uint32_t n)
{
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = sim_rng_below(r, i);
        uint32_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

int64_t sim_rng_exp_ms(sim_rng *r, int64_t mean)
{
    return (int64_t)(-gen_ln(sim_rng_unit(r)) * (double)mean);
}

/* ---------------------------------------------------------------------------------------------
 * Reachable markings
 */

/* Token counts are kept in 16 bits: a place past that is taken as unbounded. */
#define TOKEN_MAX 0xffffu

typedef struct build {
    const ab_net *net;
    uint32_t np;                       /* Places. */
    uint16_t *marks;                   /* state_count x np token counts. */
    size_t marks_cap;                  /* States the array holds. */
    uint32_t *table;                   /* Open addressing: state id + 1, 0 = empty. */
    size_t table_cap;                  /* Power of two. */
    uint32_t count;                    /* States. */
    uint32_t *e_from, *e_to, *e_trans; /* Edges, in discovery order (grouped by source). */
    size_t e_count, e_cap;
} build;

static uint64_t mark_hash(const uint16_t *m, uint32_t np)
{
    uint64_t h = 0x84222325cbf29ce4ULL;
    for (uint32_t i = 0; i < np; i++) {
        h = (h ^ m[i]) * 0x100000001b3ULL;
    }
    return h ^ (h >> 29);
}

static int table_grow(build *b)
{
    size_t cap = b->table_cap ? b->table_cap * 2 : 1024;
    uint32_t *t = calloc(cap, sizeof *t);
    if (t == NULL) {
        return -1;
    }
    for (uint32_t s = 0; s < b->count; s++) {
        size_t i = mark_hash(b->marks + (size_t)s * b->np, b->np) & (cap - 1);
        while (t[i] != 0) {
            i = (i + 1) & (cap - 1);
        }
        t[i] = s + 1;
    }
    free(b->table);
    b->table = t;
    b->table_cap = cap;
    return 0;
}

/* Finds or adds marking m; *id_out gets its state. Returns 0, 1 when new, -2 out of memory. */
static int state_intern(build *b, const uint16_t *m, uint32_t *id_out)
{
    if ((size_t)(b->count + 1) * 2 > b->table_cap && table_grow(b) != 0) {
        return -2;
    }
    size_t bytes = sizeof(uint16_t) * b->np;
    size_t i = mark_hash(m, b->np) & (b->table_cap - 1);
    while (b->table[i] != 0) {
        uint32_t s = b->table[i] - 1;
        if (memcmp(b->marks + (size_t)s * b->np, m, bytes) == 0) {
            *id_out = s;
            return 0;
        }
        i = (i + 1) & (b->table_cap - 1);
    }
    if (b->count == b->marks_cap) {
        size_t cap = b->marks_cap ? b->marks_cap * 2 : 256;
        uint16_t *p = realloc(b->marks, cap * (b->np ? bytes : 1));
        if (p == NULL) {
            return -2;
        }
        b->marks = p;
        b->marks_cap = cap;
    }
    memcpy(b->marks + (size_t)b->count * b->np, m, bytes);
    b->table[i] = b->count + 1;
    *id_out = b->count++;
    return 1;
}

static int edge_add(build *b, uint32_t from, uint32_t to, uint32_t trans)
{
    if (b->e_count == b->e_cap) {
        size_t cap = b->e_cap ? b->e_cap * 2 : 1024;
        uint32_t *f = realloc(b->e_from, cap * sizeof *f);
        if (f == NULL) {
            return -2;
        }
        b->e_from = f;
        uint32_t *t = realloc(b->e_to, cap * sizeof *t);
        if (t == NULL) {
            return -2;
        }
        b->e_to = t;
        uint32_t *x = realloc(b->e_trans, cap * sizeof *x);
        if (x == NULL) {
            return -2;
        }
        b->e_trans = x;
        b->e_cap = cap;
    }
    b->e_from[b->e_count] = from;
    b->e_to[b->e_count] = to;
    b->e_trans[b->e_count] = trans;
    b->e_count++;
    return 0;
}

static void build_free(build *b)
{
    free(b->marks);
    free(b->table);
    free(b->e_from);
    free(b->e_to);
    free(b->e_trans);
}

void sim_graph_free(sim_graph *g)
{
    if (g == NULL) {
        return;
    }
    free(g->out_first);
    free(g->out_to);
    free(g->out_trans);
    free(g->out_label);
    free(g->in_first);
    free(g->in_edge);
    free(g->in_from);
    free(g->dist);
    memset(g, 0, sizeof *g);
}

/* Breadth-first distances to the final state over the reversed edges. */
static int graph_distances(sim_graph *g)
{
    g->dist = malloc(sizeof(uint32_t) * (g->state_count ? g->state_count : 1));
    uint32_t *queue = malloc(sizeof(uint32_t) * (g->state_count ? g->state_count : 1));
    if (g->dist == NULL || queue == NULL) {
        free(queue);
        return -2;
    }
    for (uint32_t s = 0; s < g->state_count; s++) {
        g->dist[s] = SIM_NONE;
    }
    uint32_t head = 0, tail = 0;
    if (g->final != SIM_NONE) {
        g->dist[g->final] = 0;
        queue[tail++] = g->final;
    }
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t k = g->in_first[v]; k < g->in_first[v + 1]; k++) {
            uint32_t u = g->in_from[k];
            if (g->dist[u] == SIM_NONE) {
                g->dist[u] = g->dist[v] + 1;
                queue[tail++] = u;
            }
        }
    }
    free(queue);
    return 0;
}

int sim_graph_build(sim_graph *g, const ab_net *net, uint32_t max_states, char *msg, size_t msg_cap)
{
    memset(g, 0, sizeof *g);
    build b = {0};
    b.net = net;
    b.np = ab_net_place_count(net);
    uint32_t nt = ab_net_transition_count(net);
    uint16_t *cur = calloc((size_t)b.np + 1, sizeof *cur);
    uint16_t *next = calloc((size_t)b.np + 1, sizeof *next);
    int rc = -2;
    if (cur == NULL || next == NULL) {
        goto done;
    }
    uint32_t id;
    cur[ab_net_source(net)] = 1;
    if (state_intern(&b, cur, &id) < 0) {
        goto done;
    }
    /* States are numbered in discovery order, so the loop below is a breadth-first search. */
    for (uint32_t s = 0; s < b.count; s++) {
        memcpy(cur, b.marks + (size_t)s * b.np, sizeof(uint16_t) * b.np);
        for (uint32_t t = 0; t < nt; t++) {
            const ab_net_transition *tr = ab_net_transition_at(net, t);
            int enabled = 1;
            for (uint32_t i = 0; i < tr->in_count && enabled; i++) {
                enabled = cur[tr->in[i].place] >= tr->in[i].weight;
            }
            if (!enabled) {
                continue;
            }
            memcpy(next, cur, sizeof(uint16_t) * b.np);
            for (uint32_t i = 0; i < tr->in_count; i++) {
                next[tr->in[i].place] = (uint16_t)(next[tr->in[i].place] - tr->in[i].weight);
            }
            for (uint32_t i = 0; i < tr->out_count; i++) {
                uint32_t v = next[tr->out[i].place] + tr->out[i].weight;
                if (v > TOKEN_MAX) {
                    snprintf(msg, msg_cap,
                             "the place '%s' of the compiled net grows without bound (transition "
                             "'%s' of element '%s'); absim needs a bounded net",
                             ab_net_place_at(net, tr->out[i].place)->name, tr->name,
                             tr->element_id);
                    rc = -1;
                    goto done;
                }
                next[tr->out[i].place] = (uint16_t)v;
            }
            int added = state_intern(&b, next, &id);
            if (added < 0 || edge_add(&b, s, id, t) != 0) {
                goto done;
            }
            if (b.count > max_states) {
                snprintf(msg, msg_cap,
                         "the compiled net has more than %u reachable markings (raise "
                         "--max-states); absim needs all of them",
                         max_states);
                rc = -1;
                goto done;
            }
        }
    }
    if (b.e_count >= UINT32_MAX) {
        snprintf(msg, msg_cap, "the compiled net has too many firings");
        rc = -1;
        goto done;
    }

    g->place_count = b.np;
    g->trans_count = nt;
    g->label_count = ab_net_label_count(net);
    g->state_count = b.count;
    g->edge_count = (uint32_t)b.e_count;
    g->initial = 0;
    g->final = SIM_NONE;
    memset(cur, 0, sizeof(uint16_t) * b.np);
    cur[ab_net_sink(net)] = 1;
    {
        size_t i = mark_hash(cur, b.np) & (b.table_cap - 1);
        while (b.table[i] != 0) {
            uint32_t s = b.table[i] - 1;
            if (memcmp(b.marks + (size_t)s * b.np, cur, sizeof(uint16_t) * b.np) == 0) {
                g->final = s;
                break;
            }
            i = (i + 1) & (b.table_cap - 1);
        }
    }

    size_t ns = (size_t)b.count + 1;
    size_t ne = b.e_count ? b.e_count : 1;
    g->out_first = calloc(ns, sizeof(uint32_t));
    g->out_to = malloc(ne * sizeof(uint32_t));
    g->out_trans = malloc(ne * sizeof(uint32_t));
    g->out_label = malloc(ne * sizeof(uint32_t));
    g->in_first = calloc(ns, sizeof(uint32_t));
    g->in_edge = malloc(ne * sizeof(uint32_t));
    g->in_from = malloc(ne * sizeof(uint32_t));
    if (g->out_first == NULL || g->out_to == NULL || g->out_trans == NULL || g->out_label == NULL ||
        g->in_first == NULL || g->in_edge == NULL || g->in_from == NULL) {
        goto done;
    }
    /* Edges were added source by source in increasing order: already grouped. */
    for (size_t e = 0; e < b.e_count; e++) {
        g->out_first[b.e_from[e] + 1]++;
        g->in_first[b.e_to[e] + 1]++;
        g->out_to[e] = b.e_to[e];
        g->out_trans[e] = b.e_trans[e];
        g->out_label[e] = ab_net_transition_at(net, b.e_trans[e])->label_id;
    }
    for (uint32_t s = 0; s < b.count; s++) {
        g->out_first[s + 1] += g->out_first[s];
        g->in_first[s + 1] += g->in_first[s];
    }
    {
        uint32_t *fill = malloc(ns * sizeof(uint32_t));
        if (fill == NULL) {
            goto done;
        }
        memcpy(fill, g->in_first, ns * sizeof(uint32_t));
        for (size_t e = 0; e < b.e_count; e++) {
            uint32_t k = fill[b.e_to[e]]++;
            g->in_edge[k] = (uint32_t)e;
            g->in_from[k] = b.e_from[e];
        }
        free(fill);
    }
    if (graph_distances(g) != 0) {
        goto done;
    }
    if (g->final == SIM_NONE || g->dist[g->initial] == SIM_NONE) {
        snprintf(msg, msg_cap,
                 "the compiled net has no complete run (the sink cannot be reached with "
                 "nothing else marked)");
        rc = -1;
        goto done;
    }
    rc = 0;
done:
    if (rc == -2) {
        snprintf(msg, msg_cap, "out of memory");
    }
    if (rc != 0) {
        sim_graph_free(g);
    }
    build_free(&b);
    free(cur);
    free(next);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Walks
 */

int sim_graph_walk(const sim_graph *g, sim_rng *r, uint32_t loop_limit, uint32_t *counts,
                   uint32_t **out, uint32_t *len, uint32_t *cap)
{
    uint32_t s = g->initial;
    /* Transitions fired in this run, to reset counts at the end without touching them all. */
    uint32_t fired_cap = 64, fired_len = 0;
    uint32_t *fired = malloc(sizeof(uint32_t) * fired_cap);
    uint32_t pick_cap = 64;
    uint32_t *pick = malloc(sizeof(uint32_t) * pick_cap);
    int rc = -1;
    if (fired == NULL || pick == NULL) {
        goto done;
    }
    while (s != g->final) {
        uint32_t first = g->out_first[s], last = g->out_first[s + 1];
        if (last - first > pick_cap) {
            uint32_t *p = realloc(pick, sizeof(uint32_t) * (last - first));
            if (p == NULL) {
                goto done;
            }
            pick = p;
            pick_cap = last - first;
        }
        uint32_t n = 0;
        for (uint32_t e = first; e < last; e++) {
            if (g->dist[g->out_to[e]] != SIM_NONE && counts[g->out_trans[e]] < loop_limit) {
                pick[n++] = e;
            }
        }
        if (n == 0) {
            /* Every way on has been taken loop_limit times: head for the end. */
            for (uint32_t e = first; e < last; e++) {
                if (g->dist[g->out_to[e]] < g->dist[s]) {
                    pick[n++] = e;
                }
            }
        }
        /* n > 0: s can reach the final state, so some edge gets closer to it. */
        uint32_t e = pick[n == 1 ? 0 : sim_rng_below(r, n)];
        uint32_t t = g->out_trans[e];
        if (counts[t] == 0) {
            if (fired_len == fired_cap) {
                uint32_t *p = realloc(fired, sizeof(uint32_t) * fired_cap * 2);
                if (p == NULL) {
                    goto done;
                }
                fired = p;
                fired_cap *= 2;
            }
            fired[fired_len++] = t;
        }
        counts[t]++;
        if (g->out_label[e] != SIM_TAU) {
            if (*len == *cap) {
                uint32_t nc = *cap ? *cap * 2 : 64;
                uint32_t *p = realloc(*out, sizeof(uint32_t) * nc);
                if (p == NULL) {
                    goto done;
                }
                *out = p;
                *cap = nc;
            }
            (*out)[(*len)++] = t;
        }
        s = g->out_to[e];
    }
    rc = 0;
done:
    for (uint32_t i = 0; i < fired_len; i++) {
        counts[fired[i]] = 0;
    }
    free(fired);
    free(pick);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Documented hand-offs: lane changes along the map's sequence flows
 */

typedef struct flow_walk {
    const ab_bpmn *model;
    uint32_t *stack;
    uint32_t len, cap;
} flow_walk;

static int walk_push(flow_walk *w, uint32_t node)
{
    if (node == AB_BPMN_NONE) {
        return 0;
    }
    if (w->len == w->cap) {
        uint32_t cap = w->cap ? w->cap * 2 : 64;
        uint32_t *p = realloc(w->stack, sizeof(uint32_t) * cap);
        if (p == NULL) {
            return -1;
        }
        w->stack = p;
        w->cap = cap;
    }
    w->stack[w->len++] = node;
    return 0;
}

/* What follows node v: its outgoing flows' targets; after a node without outgoing flow inside
 * a sub-process, what follows the sub-process (and so on outwards). */
static int push_exits(flow_walk *w, uint32_t v)
{
    for (;;) {
        uint32_t count;
        const uint32_t *out = ab_bpmn_node_outgoing(w->model, v, &count);
        for (uint32_t i = 0; i < count; i++) {
            if (walk_push(w, ab_bpmn_flow_at(w->model, out[i])->target) != 0) {
                return -1;
            }
        }
        uint32_t parent = ab_bpmn_node_at(w->model, v)->parent;
        if (count > 0 || parent == AB_BPMN_NONE) {
            return 0;
        }
        v = parent;
    }
}

/* Where an embedded sub-process starts: its start events, else its nodes without incoming
 * flow (boundary events, compensation handlers and event sub-processes aside). Returns the
 * nodes pushed, or -1 when memory ran out. */
static int push_entries(flow_walk *w, uint32_t sub)
{
    uint32_t before = w->len;
    uint32_t nn = ab_bpmn_node_count(w->model);
    int any_start = 0;
    for (uint32_t v = 0; v < nn; v++) {
        const ab_bpmn_node *node = ab_bpmn_node_at(w->model, v);
        if (node->parent == sub && node->kind == AB_BPMN_START_EVENT) {
            any_start = 1;
            if (walk_push(w, v) != 0) {
                return -1;
            }
        }
    }
    for (uint32_t v = 0; v < nn && !any_start; v++) {
        const ab_bpmn_node *node = ab_bpmn_node_at(w->model, v);
        uint32_t in_count;
        ab_bpmn_node_incoming(w->model, v, &in_count);
        if (node->parent == sub && in_count == 0 && node->kind != AB_BPMN_BOUNDARY_EVENT &&
            !node->for_compensation &&
            !(node->kind == AB_BPMN_SUBPROCESS && node->type == AB_BPMN_SUB_EVENT)) {
            if (walk_push(w, v) != 0) {
                return -1;
            }
        }
    }
    return (int)(w->len - before);
}

int sim_documented_lanes(const ab_bpmn *model, const ab_net *net, const uint32_t *trans_lane,
                         uint32_t lane_count, uint8_t *documented)
{
    uint32_t nn = ab_bpmn_node_count(model);
    uint32_t *node_lane = malloc(sizeof(uint32_t) * ((size_t)nn + 1));
    uint32_t *seen = calloc((size_t)nn + 1, sizeof(uint32_t));
    uint8_t *is_step = calloc((size_t)nn + 1, 1);
    flow_walk w = {model, NULL, 0, 0};
    int rc = node_lane == NULL || seen == NULL || is_step == NULL ? -1 : 0;
    for (uint32_t t = 0; t < ab_net_transition_count(net) && rc == 0; t++) {
        const ab_net_transition *tr = ab_net_transition_at(net, t);
        if (tr->label_id != AB_NET_SILENT && tr->element != AB_BPMN_NONE && tr->element < nn) {
            is_step[tr->element] = 1;
            node_lane[tr->element] = trans_lane[t];
        }
    }
    for (uint32_t x = 0; x < nn && rc == 0; x++) {
        if (!is_step[x]) {
            continue;
        }
        uint32_t lx = node_lane[x];
        w.len = 0;
        rc = push_exits(&w, x);
        uint32_t bcount;
        const uint32_t *bound = ab_bpmn_node_boundary(model, x, &bcount);
        for (uint32_t i = 0; i < bcount && rc == 0; i++) {
            rc = walk_push(&w, bound[i]);
        }
        while (w.len > 0 && rc == 0) {
            uint32_t v = w.stack[--w.len];
            if (seen[v] == x + 1) {
                continue;
            }
            seen[v] = x + 1;
            if (is_step[v]) {
                uint32_t lv = node_lane[v];
                if (lx != SIM_NONE && lv != SIM_NONE && lx != lv) {
                    documented[(size_t)lx * lane_count + lv] = 1;
                }
                continue;
            }
            const ab_bpmn_node *node = ab_bpmn_node_at(model, v);
            if (node->kind == AB_BPMN_SUBPROCESS && node->type != AB_BPMN_SUB_EVENT) {
                /* Its outgoing flows follow its ends (push_exits); an empty one is passed. */
                int entries = push_entries(&w, v);
                rc = entries < 0 ? -1 : entries == 0 ? push_exits(&w, v) : 0;
                continue;
            }
            rc = push_exits(&w, v);
        }
    }
    free(w.stack);
    free(is_step);
    free(seen);
    free(node_lane);
    return rc;
}
