/*
 * tools/absim_check.c: decides whether an injected deviation is detectable and has exactly one
 * explanation. It aligns the deviating trace against the graph of reachable markings with the
 * standard costs (log and visible model moves 1, synchronous and silent moves 0), finds every
 * deviating move that lies on some optimal alignment, and classifies each optimal alignment by
 * rule R3 of the gap specification. Only when all of them cost what was injected and classify
 * into what was injected is the ground truth exact whatever tie-breaking a conformance engine
 * uses, so the caller places the deviation elsewhere otherwise.
 *
 * The search works on nodes (trace position, marking) in three passes: forward costs up to the
 * injected cost (a layer per trace position, Dial's buckets inside a layer for silent and model
 * moves), backward costs to the end over the nodes found, then an enumeration of the optimal
 * paths that keeps, per node, the distinct sets of deviating moves (with their positions) that
 * reach it. Costs are small (at most two per deviation), so the sets stay small.
 */
#include <stdlib.h>
#include <string.h>

#include "absim_int.h"

/* Deviations per trace at most 4, each costing at most 2. */
#define MAX_COST 8
#define INF_COST 0xff
/* Search nodes and (node, move set) pairs one check may create: past them the answer is no. */
#define MAX_NODES 4000000u
#define MAX_VISITS 4000000u

/* A move in a set: position << 33 | is_log << 32 | label, so the sort order is alignment order
 * (a model move with p events consumed before it comes before the log move of event p). */
#define MOVE(pos, is_log, label) (((uint64_t)(pos) << 33) | ((uint64_t)(is_log) << 32) | (label))
#define MOVE_POS(m) ((uint32_t)((m) >> 33))
#define MOVE_IS_LOG(m) ((uint32_t)(((m) >> 32) & 1u))
#define MOVE_LABEL(m) ((uint32_t)(m))

typedef struct sig {
    uint32_t len;
    uint64_t m[MAX_COST];
} sig;

/* A hash map from uint64 keys to uint32 values, open addressing. */
typedef struct map64 {
    uint64_t *keys;
    uint32_t *vals;
    uint32_t *epochs; /* A slot is in use when its epoch is the map's: clearing is O(1). */
    uint32_t epoch;
    size_t cap;
    size_t count;
} map64;

struct sim_checker {
    const sim_graph *g;
    /* Search nodes of the current check. */
    uint32_t *n_state;
    uint32_t *n_layer;
    uint8_t *n_g;    /* Forward cost, INF_COST = not reached within the bound. */
    uint8_t *n_b;    /* Backward cost to the final node. */
    uint8_t *n_done; /* Bit 0: settled forward; bit 1: settled backward. */
    size_t n_count, n_cap;
    uint32_t *layer_first; /* Nodes of layer j: [layer_first[j], layer_first[j + 1]). */
    size_t layer_cap;
    map64 nodes; /* (layer << 32 | state) -> node. */
    uint32_t *bucket[MAX_COST + 2];
    size_t bucket_len[MAX_COST + 2], bucket_cap[MAX_COST + 2];
    /* Move sets, interned. */
    sig *sigs;
    size_t sig_count, sig_cap;
    map64 sig_index; /* hash -> first sig id with it (chained through sig_next). */
    uint32_t *sig_next;
    map64 visited; /* (node << 32 | sig) -> 1. */
    uint64_t *stack;
    size_t stack_len, stack_cap;
    uint32_t *finals; /* Move sets that reach the final node. */
    size_t final_count, final_cap;
    uint8_t *logged; /* Scratch: per trace position, whether it is a log move. */
    size_t logged_cap;
    /* Answers already computed. */
    sim_seqmap *cache;
    uint32_t *key;
    size_t key_cap;
    uint64_t asked, cached, expanded;
};

/* ---------------------------------------------------------------------------------------------
 * Small containers
 */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static void map_clear(map64 *m)
{
    m->count = 0;
    if (++m->epoch == 0) {
        if (m->epochs != NULL) {
            memset(m->epochs, 0, m->cap * sizeof *m->epochs);
        }
        m->epoch = 1;
    }
}

static void map_free(map64 *m)
{
    free(m->keys);
    free(m->vals);
    free(m->epochs);
    memset(m, 0, sizeof *m);
}

static int map_grow(map64 *m)
{
    size_t cap = m->cap ? m->cap * 2 : 4096;
    uint64_t *k = malloc(cap * sizeof *k);
    uint32_t *v = malloc(cap * sizeof *v);
    uint32_t *e = calloc(cap, sizeof *e);
    if (k == NULL || v == NULL || e == NULL) {
        free(k);
        free(v);
        free(e);
        return -1;
    }
    if (m->epoch == 0) {
        m->epoch = 1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->epochs[i] == m->epoch) {
            size_t j = mix64(m->keys[i]) & (cap - 1);
            while (e[j] == m->epoch) {
                j = (j + 1) & (cap - 1);
            }
            k[j] = m->keys[i];
            v[j] = m->vals[i];
            e[j] = m->epoch;
        }
    }
    free(m->keys);
    free(m->vals);
    free(m->epochs);
    m->keys = k;
    m->vals = v;
    m->epochs = e;
    m->cap = cap;
    return 0;
}

/* The value of key, or SIM_NONE. */
static uint32_t map_get(const map64 *m, uint64_t key)
{
    if (m->cap == 0) {
        return SIM_NONE;
    }
    size_t i = mix64(key) & (m->cap - 1);
    while (m->epochs[i] == m->epoch) {
        if (m->keys[i] == key) {
            return m->vals[i];
        }
        i = (i + 1) & (m->cap - 1);
    }
    return SIM_NONE;
}

/* Inserts key -> val unless present; *stored gets the value kept. 1 added, 0 present, -1 OOM. */
static int map_put(map64 *m, uint64_t key, uint32_t val, uint32_t *stored)
{
    if ((m->count + 1) * 2 > m->cap && map_grow(m) != 0) {
        return -1;
    }
    size_t i = mix64(key) & (m->cap - 1);
    while (m->epochs[i] == m->epoch) {
        if (m->keys[i] == key) {
            *stored = m->vals[i];
            return 0;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->keys[i] = key;
    m->vals[i] = val;
    m->epochs[i] = m->epoch;
    m->count++;
    *stored = val;
    return 1;
}

/* Replaces the value of a key that is present. */
static void map_set(map64 *m, uint64_t key, uint32_t val)
{
    size_t i = mix64(key) & (m->cap - 1);
    while (m->keys[i] != key || m->epochs[i] != m->epoch) {
        i = (i + 1) & (m->cap - 1);
    }
    m->vals[i] = val;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) {
        return 0;
    }
    size_t c = *cap ? *cap : 64;
    while (c < need) {
        c *= 2;
    }
    void *q = realloc(*p, c * size);
    if (q == NULL) {
        return -1;
    }
    *p = q;
    *cap = c;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Sequence maps (also used by absim.c for the replay cache)
 */

struct sim_seqmap {
    uint32_t *data; /* Keys laid end to end: length, then the words. */
    size_t data_len, data_cap;
    size_t *slot_off; /* Per slot: offset of the key in data + 1, 0 = empty. */
    int *slot_val;
    size_t cap, count;
};

sim_seqmap *sim_seqmap_create(void)
{
    return calloc(1, sizeof(sim_seqmap));
}

void sim_seqmap_destroy(sim_seqmap *m)
{
    if (m == NULL) {
        return;
    }
    free(m->data);
    free(m->slot_off);
    free(m->slot_val);
    free(m);
}

static uint64_t seq_hash(const uint32_t *key, uint32_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    for (uint32_t i = 0; i < n; i++) {
        h = mix64(h ^ key[i]) + i;
    }
    return h;
}

static size_t seq_find(const sim_seqmap *m, const uint32_t *key, uint32_t n, uint64_t h)
{
    size_t i = h & (m->cap - 1);
    while (m->slot_off[i] != 0) {
        const uint32_t *k = m->data + m->slot_off[i] - 1;
        if (k[0] == n && memcmp(k + 1, key, sizeof(uint32_t) * n) == 0) {
            return i;
        }
        i = (i + 1) & (m->cap - 1);
    }
    return i;
}

int sim_seqmap_get(const sim_seqmap *m, const uint32_t *key, uint32_t n)
{
    if (m->cap == 0) {
        return -1;
    }
    size_t i = seq_find(m, key, n, seq_hash(key, n));
    return m->slot_off[i] != 0 ? m->slot_val[i] : -1;
}

int sim_seqmap_put(sim_seqmap *m, const uint32_t *key, uint32_t n, int value)
{
    if ((m->count + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        size_t *off = calloc(cap, sizeof *off);
        int *val = malloc(cap * sizeof *val);
        if (off == NULL || val == NULL) {
            free(off);
            free(val);
            return -1;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (m->slot_off[i] != 0) {
                const uint32_t *k = m->data + m->slot_off[i] - 1;
                size_t j = seq_hash(k + 1, k[0]) & (cap - 1);
                while (off[j] != 0) {
                    j = (j + 1) & (cap - 1);
                }
                off[j] = m->slot_off[i];
                val[j] = m->slot_val[i];
            }
        }
        free(m->slot_off);
        free(m->slot_val);
        m->slot_off = off;
        m->slot_val = val;
        m->cap = cap;
    }
    size_t i = seq_find(m, key, n, seq_hash(key, n));
    if (m->slot_off[i] != 0) {
        m->slot_val[i] = value;
        return 0;
    }
    if (grow((void **)&m->data, &m->data_cap, m->data_len + n + 1, sizeof(uint32_t)) != 0) {
        return -1;
    }
    m->data[m->data_len] = n;
    memcpy(m->data + m->data_len + 1, key, sizeof(uint32_t) * n);
    m->slot_off[i] = m->data_len + 1;
    m->slot_val[i] = value;
    m->data_len += n + 1;
    m->count++;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Checker
 */

sim_checker *sim_checker_create(const sim_graph *g)
{
    sim_checker *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return NULL;
    }
    c->g = g;
    c->cache = sim_seqmap_create();
    if (c->cache == NULL) {
        free(c);
        return NULL;
    }
    return c;
}

void sim_checker_destroy(sim_checker *c)
{
    if (c == NULL) {
        return;
    }
    free(c->n_state);
    free(c->n_layer);
    free(c->n_g);
    free(c->n_b);
    free(c->n_done);
    free(c->layer_first);
    map_free(&c->nodes);
    for (int k = 0; k < MAX_COST + 2; k++) {
        free(c->bucket[k]);
    }
    free(c->sigs);
    free(c->sig_next);
    map_free(&c->sig_index);
    map_free(&c->visited);
    free(c->stack);
    free(c->finals);
    free(c->logged);
    sim_seqmap_destroy(c->cache);
    free(c->key);
    free(c);
}

void sim_checker_stats(const sim_checker *c, uint64_t *asked, uint64_t *cached, uint64_t *nodes)
{
    *asked = c->asked;
    *cached = c->cached;
    *nodes = c->expanded;
}

static int bucket_push(sim_checker *c, uint32_t k, uint32_t node)
{
    if (grow((void **)&c->bucket[k], &c->bucket_cap[k], c->bucket_len[k] + 1, sizeof(uint32_t))) {
        return -1;
    }
    c->bucket[k][c->bucket_len[k]++] = node;
    return 0;
}

/* The node (layer, state), created unreached when absent. SIM_NONE on out of memory or limit. */
static uint32_t node_get(sim_checker *c, uint32_t layer, uint32_t state, int *oom)
{
    uint64_t key = ((uint64_t)layer << 32) | state;
    uint32_t id = map_get(&c->nodes, key);
    if (id != SIM_NONE) {
        return id;
    }
    if (c->n_count >= MAX_NODES) {
        return SIM_NONE;
    }
    size_t need = c->n_count + 1;
    size_t cap = c->n_cap;
    if (need > cap) {
        size_t nc = cap ? cap * 2 : 1024;
        uint32_t *s = realloc(c->n_state, nc * sizeof *s);
        if (s != NULL) {
            c->n_state = s;
        }
        uint32_t *l = realloc(c->n_layer, nc * sizeof *l);
        if (l != NULL) {
            c->n_layer = l;
        }
        uint8_t *gg = realloc(c->n_g, nc);
        if (gg != NULL) {
            c->n_g = gg;
        }
        uint8_t *b = realloc(c->n_b, nc);
        if (b != NULL) {
            c->n_b = b;
        }
        uint8_t *d = realloc(c->n_done, nc);
        if (d != NULL) {
            c->n_done = d;
        }
        if (s == NULL || l == NULL || gg == NULL || b == NULL || d == NULL) {
            *oom = 1;
            return SIM_NONE;
        }
        c->n_cap = nc;
    }
    id = (uint32_t)c->n_count;
    uint32_t stored;
    if (map_put(&c->nodes, key, id, &stored) < 0) {
        *oom = 1;
        return SIM_NONE;
    }
    c->n_state[id] = state;
    c->n_layer[id] = layer;
    c->n_g[id] = INF_COST;
    c->n_b[id] = INF_COST;
    c->n_done[id] = 0;
    c->n_count++;
    return id;
}

static uint32_t node_find(const sim_checker *c, uint32_t layer, uint32_t state)
{
    return map_get(&c->nodes, ((uint64_t)layer << 32) | state);
}

/* Lowers the forward cost of (layer, state) to k. Returns 0, 1 at the node limit, -1 OOM. */
static int relax_forward(sim_checker *c, uint32_t layer, uint32_t state, uint32_t k)
{
    int oom = 0;
    uint32_t v = node_get(c, layer, state, &oom);
    if (v == SIM_NONE) {
        return oom ? -1 : 1;
    }
    if (k < c->n_g[v]) {
        c->n_g[v] = (uint8_t)k;
        return bucket_push(c, k, v);
    }
    return 0;
}

/*
 * Forward costs up to bound, layer by layer. Returns 0, 1 when the node limit was passed, -1
 * on out of memory.
 */
static int forward(sim_checker *c, const uint32_t *trace, uint32_t n, uint32_t bound)
{
    const sim_graph *g = c->g;
    c->n_count = 0;
    map_clear(&c->nodes);
    if (grow((void **)&c->layer_first, &c->layer_cap, (size_t)n + 2, sizeof(uint32_t)) != 0) {
        return -1;
    }
    c->layer_first[0] = 0;
    int rc = relax_forward(c, 0, g->initial, 0);
    if (rc != 0) {
        return rc;
    }
    for (uint32_t j = 0;; j++) {
        for (uint32_t k = 0; k <= bound; k++) {
            while (c->bucket_len[k] > 0) {
                uint32_t u = c->bucket[k][--c->bucket_len[k]];
                if (c->n_g[u] != k || (c->n_done[u] & 1)) {
                    continue;
                }
                c->n_done[u] |= 1;
                c->expanded++;
                uint32_t s = c->n_state[u];
                for (uint32_t e = g->out_first[s]; e < g->out_first[s + 1]; e++) {
                    uint32_t nk = k + (g->out_label[e] != SIM_TAU);
                    if (nk <= bound && (rc = relax_forward(c, j, g->out_to[e], nk)) != 0) {
                        return rc;
                    }
                }
            }
        }
        c->layer_first[j + 1] = (uint32_t)c->n_count;
        if (j == n) {
            return 0;
        }
        /* Into layer j + 1: synchronous moves on trace[j], and the log move of trace[j]. */
        for (uint32_t u = c->layer_first[j]; u < c->layer_first[j + 1]; u++) {
            uint32_t k = c->n_g[u];
            if (k > bound) {
                continue;
            }
            uint32_t s = c->n_state[u];
            for (uint32_t e = g->out_first[s]; e < g->out_first[s + 1]; e++) {
                if (g->out_label[e] == trace[j] &&
                    (rc = relax_forward(c, j + 1, g->out_to[e], k)) != 0) {
                    return rc;
                }
            }
            if (k + 1 <= bound && (rc = relax_forward(c, j + 1, s, k + 1)) != 0) {
                return rc;
            }
        }
    }
}

/* Backward costs to (n, final) over the nodes the forward pass created. -1 on out of memory. */
static int backward(sim_checker *c, const uint32_t *trace, uint32_t n, uint32_t bound)
{
    const sim_graph *g = c->g;
    for (uint32_t jj = n + 1; jj-- > 0;) {
        uint32_t j = jj;
        for (uint32_t u = c->layer_first[j]; u < c->layer_first[j + 1]; u++) {
            uint32_t s = c->n_state[u];
            uint32_t best = INF_COST;
            if (j == n) {
                best = s == g->final ? 0 : INF_COST;
            } else {
                for (uint32_t e = g->out_first[s]; e < g->out_first[s + 1]; e++) {
                    if (g->out_label[e] == trace[j]) {
                        uint32_t v = node_find(c, j + 1, g->out_to[e]);
                        if (v != SIM_NONE && c->n_b[v] < best) {
                            best = c->n_b[v];
                        }
                    }
                }
                uint32_t v = node_find(c, j + 1, s);
                if (v != SIM_NONE && c->n_b[v] + 1u < best) {
                    best = c->n_b[v] + 1u;
                }
            }
            if (best <= bound) {
                c->n_b[u] = (uint8_t)best;
                if (bucket_push(c, best, u) != 0) {
                    return -1;
                }
            }
        }
        for (uint32_t k = 0; k <= bound; k++) {
            while (c->bucket_len[k] > 0) {
                uint32_t v = c->bucket[k][--c->bucket_len[k]];
                if (c->n_b[v] != k || (c->n_done[v] & 2)) {
                    continue;
                }
                c->n_done[v] |= 2;
                uint32_t sv = c->n_state[v];
                for (uint32_t i = g->in_first[sv]; i < g->in_first[sv + 1]; i++) {
                    uint32_t e = g->in_edge[i];
                    uint32_t nk = k + (g->out_label[e] != SIM_TAU);
                    if (nk > bound) {
                        continue;
                    }
                    uint32_t u = node_find(c, j, g->in_from[i]);
                    if (u != SIM_NONE && nk < c->n_b[u]) {
                        c->n_b[u] = (uint8_t)nk;
                        if (bucket_push(c, nk, u) != 0) {
                            return -1;
                        }
                    }
                }
            }
        }
    }
    return 0;
}

static uint64_t sig_hash(const sig *s)
{
    uint64_t h = s->len;
    for (uint32_t i = 0; i < s->len; i++) {
        h = mix64(h ^ s->m[i]);
    }
    return h;
}

/* Interns s; *id_out gets its id. -1 on out of memory. */
static int sig_intern(sim_checker *c, const sig *s, uint32_t *id_out)
{
    uint64_t h = sig_hash(s);
    uint32_t id = map_get(&c->sig_index, h);
    for (uint32_t i = id; i != SIM_NONE; i = c->sig_next[i]) {
        if (c->sigs[i].len == s->len &&
            memcmp(c->sigs[i].m, s->m, sizeof(uint64_t) * s->len) == 0) {
            *id_out = i;
            return 0;
        }
    }
    if (grow((void **)&c->sigs, &c->sig_cap, c->sig_count + 1, sizeof(sig)) != 0) {
        return -1;
    }
    size_t cap_next = c->sig_cap;
    uint32_t *next = realloc(c->sig_next, cap_next * sizeof *next);
    if (next == NULL) {
        return -1;
    }
    c->sig_next = next;
    uint32_t nid = (uint32_t)c->sig_count++;
    c->sigs[nid] = *s;
    c->sig_next[nid] = id;
    if (id == SIM_NONE) {
        uint32_t stored;
        if (map_put(&c->sig_index, h, nid, &stored) < 0) {
            return -1;
        }
    } else {
        map_set(&c->sig_index, h, nid); /* The new set heads the chain. */
    }
    *id_out = nid;
    return 0;
}

/* The set sid plus one move, kept sorted. -1 on out of memory. */
static int sig_add(sim_checker *c, uint32_t sid, uint64_t move, uint32_t *id_out)
{
    sig s = c->sigs[sid];
    if (s.len >= MAX_COST) {
        return -1;
    }
    uint32_t i = s.len;
    while (i > 0 && s.m[i - 1] > move) {
        s.m[i] = s.m[i - 1];
        i--;
    }
    s.m[i] = move;
    s.len++;
    return sig_intern(c, &s, id_out);
}

/* Pushes (node, sig) unless seen. Returns 0, 1 at the limit, -1 out of memory. */
static int visit(sim_checker *c, uint32_t node, uint32_t sid)
{
    uint32_t stored;
    int r = map_put(&c->visited, ((uint64_t)node << 32) | sid, 1, &stored);
    if (r < 0) {
        return -1;
    }
    if (r == 0) {
        return 0;
    }
    if (c->visited.count > MAX_VISITS) {
        return 1;
    }
    if (grow((void **)&c->stack, &c->stack_cap, c->stack_len + 1, sizeof(uint64_t)) != 0) {
        return -1;
    }
    c->stack[c->stack_len++] = ((uint64_t)node << 32) | sid;
    return 0;
}

/*
 * Collects into c->finals every set of deviating moves of an optimal alignment (cost opt).
 * Returns 0, 1 at the limit, -1 out of memory.
 */
static int enumerate(sim_checker *c, const uint32_t *trace, uint32_t n, uint32_t opt)
{
    const sim_graph *g = c->g;
    c->sig_count = 0;
    map_clear(&c->sig_index);
    map_clear(&c->visited);
    c->stack_len = 0;
    c->final_count = 0;
    sig empty = {0};
    uint32_t sid0, sid;
    if (sig_intern(c, &empty, &sid0) != 0) {
        return -1;
    }
    uint32_t start = node_find(c, 0, g->initial);
    int rc = visit(c, start, sid0);
    while (rc == 0 && c->stack_len > 0) {
        uint64_t item = c->stack[--c->stack_len];
        uint32_t u = (uint32_t)(item >> 32);
        uint32_t cur = (uint32_t)item;
        uint32_t k = c->sigs[cur].len;
        uint32_t j = c->n_layer[u];
        uint32_t s = c->n_state[u];
        if (j == n && s == g->final && k == opt) {
            if (grow((void **)&c->finals, &c->final_cap, c->final_count + 1, sizeof(uint32_t))) {
                return -1;
            }
            c->finals[c->final_count++] = cur;
        }
        for (uint32_t e = g->out_first[s]; e < g->out_first[s + 1] && rc == 0; e++) {
            uint32_t lab = g->out_label[e];
            uint32_t v = node_find(c, j, g->out_to[e]);
            if (lab == SIM_TAU) {
                if (v != SIM_NONE && k + c->n_b[v] == opt) {
                    rc = visit(c, v, cur);
                }
                continue;
            }
            if (v != SIM_NONE && k + 1 + c->n_b[v] == opt) {
                if (sig_add(c, cur, MOVE(j, 0, lab), &sid) != 0) {
                    return -1;
                }
                rc = visit(c, v, sid);
            }
            if (rc == 0 && j < n && lab == trace[j]) {
                v = node_find(c, j + 1, g->out_to[e]);
                if (v != SIM_NONE && k + c->n_b[v] == opt) {
                    rc = visit(c, v, cur);
                }
            }
        }
        if (rc == 0 && j < n) {
            uint32_t v = node_find(c, j + 1, s);
            if (v != SIM_NONE && k + 1 + c->n_b[v] == opt) {
                if (sig_add(c, cur, MOVE(j, 1, trace[j]), &sid) != 0) {
                    return -1;
                }
                rc = visit(c, v, sid);
            }
        }
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Rule R3
 */

#define CLS(cls, label) (((uint64_t)(cls) << 32) | (label))

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts and removes duplicates; returns the new length. */
static uint32_t u64_unique(uint64_t *a, uint32_t n)
{
    qsort(a, n, sizeof *a, u64_cmp);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (k == 0 || a[k - 1] != a[i]) {
            a[k++] = a[i];
        }
    }
    return k;
}

/*
 * Classifies one optimal alignment's deviating moves by rule R3 into a sorted set of
 * CLS(class, label) in out (at most MAX_COST entries). Returns the set's size, or -1 when the
 * rule leaves the outcome to the engine (an unequal number of log and model moves on one
 * activity).
 */
static int classify(sim_checker *c, const uint32_t *trace, uint32_t n, const sig *sg, uint64_t *out)
{
    uint32_t nm = sg->len;
    uint64_t mv[MAX_COST];
    int cls[MAX_COST];
    memcpy(mv, sg->m, sizeof(uint64_t) * nm);
    uint8_t *logged = c->logged;
    memset(logged, 0, n);
    for (uint32_t i = 0; i < nm; i++) {
        if (MOVE_IS_LOG(mv[i])) {
            logged[MOVE_POS(mv[i])] = 1;
        }
    }
    /*
     * Two equal events in a row of which one is a log move give two optimal alignments that
     * differ only in which of the two is synchronous, and R3 calls the first an extra step
     * (R3.5) and the second rework (R3.2): the outcome is the engine's tie-break, so such a
     * placement gets both classifications here and is refused.
     */
    qsort(mv, nm, sizeof *mv, u64_cmp);
    for (uint32_t i = 0; i < nm; i++) {
        cls[i] = -1;
    }
    /* R3.1: log and model moves on one activity are out of order. */
    for (uint32_t i = 0; i < nm; i++) {
        if (cls[i] >= 0) {
            continue;
        }
        uint32_t lab = MOVE_LABEL(mv[i]);
        uint32_t nlog = 0, nmodel = 0;
        for (uint32_t k = 0; k < nm; k++) {
            if (cls[k] < 0 && MOVE_LABEL(mv[k]) == lab) {
                if (MOVE_IS_LOG(mv[k])) {
                    nlog++;
                } else {
                    nmodel++;
                }
            }
        }
        if (nlog > 0 && nmodel > 0) {
            if (nlog != nmodel) {
                return -1;
            }
            for (uint32_t k = 0; k < nm; k++) {
                if (cls[k] < 0 && MOVE_LABEL(mv[k]) == lab) {
                    cls[k] = SIM_C_OUT_OF_ORDER;
                }
            }
        }
    }
    /* R3.2: a log move on an activity done synchronously earlier is rework. */
    for (uint32_t i = 0; i < nm; i++) {
        if (cls[i] >= 0 || !MOVE_IS_LOG(mv[i])) {
            continue;
        }
        uint32_t p = MOVE_POS(mv[i]);
        for (uint32_t q = 0; q < p; q++) {
            if (trace[q] == trace[p] && !logged[q]) {
                cls[i] = SIM_C_REWORK;
                break;
            }
        }
    }
    /* R3.3: a log and a model move with no synchronous move between them: substitution. */
    for (uint32_t i = 0; i < nm;) {
        uint32_t end = i + 1;
        while (end < nm) {
            uint64_t a = mv[end - 1], b = mv[end];
            uint32_t from = MOVE_POS(a) + MOVE_IS_LOG(a), to = MOVE_POS(b);
            int sync_between = 0;
            for (uint32_t q = from; q < to && !sync_between; q++) {
                sync_between = !logged[q];
            }
            if (sync_between) {
                break;
            }
            end++;
        }
        int has_log = 0, has_model = 0;
        for (uint32_t k = i; k < end; k++) {
            if (cls[k] < 0) {
                has_log |= MOVE_IS_LOG(mv[k]) != 0;
                has_model |= MOVE_IS_LOG(mv[k]) == 0;
            }
        }
        if (has_log && has_model) {
            for (uint32_t k = i; k < end; k++) {
                if (cls[k] < 0) {
                    cls[k] = SIM_C_SUBSTITUTION;
                }
            }
        }
        i = end;
    }
    /* R3.4 to R3.6. */
    for (uint32_t i = 0; i < nm; i++) {
        if (cls[i] >= 0) {
            continue;
        }
        if (MOVE_IS_LOG(mv[i])) {
            cls[i] = MOVE_LABEL(mv[i]) >= c->g->label_count ? SIM_C_UNDOCUMENTED : SIM_C_EXTRA;
        } else {
            cls[i] = SIM_C_BYPASS;
        }
    }
    for (uint32_t i = 0; i < nm; i++) {
        out[i] = CLS(cls[i], MOVE_LABEL(mv[i]));
    }
    return (int)u64_unique(out, nm);
}

/* Whether the set got[0..ng) is what exp allows (one choice per swap). */
static int matches(const uint64_t *got, uint32_t ng, const sim_expect *exp, uint32_t ne)
{
    uint32_t combos = 1;
    for (uint32_t i = 0; i < ne; i++) {
        combos *= exp[i].label_alts;
    }
    for (uint32_t m = 0; m < combos; m++) {
        uint64_t want[MAX_COST];
        uint32_t rest = m;
        for (uint32_t i = 0; i < ne; i++) {
            want[i] = CLS(exp[i].cls, exp[i].label[rest % exp[i].label_alts]);
            rest /= exp[i].label_alts;
        }
        uint32_t nw = u64_unique(want, ne);
        if (nw == ng && memcmp(want, got, sizeof(uint64_t) * ng) == 0) {
            return 1;
        }
    }
    return 0;
}

static int check_uncached(sim_checker *c, const uint32_t *trace, uint32_t n, uint32_t cost,
                          const sim_expect *exp, uint32_t exp_count)
{
    if (grow((void **)&c->logged, &c->logged_cap, (size_t)n + 1, 1) != 0) {
        return -1;
    }
    for (int k = 0; k < MAX_COST + 2; k++) {
        c->bucket_len[k] = 0;
    }
    /*
     * Most placements that fail do so because the net accepts the trace as it is (two
     * concurrent steps swapped, a step repeated inside a loop): replay without deviations first,
     * which explores only the markings consistent with the trace.
     */
    int rc = forward(c, trace, n, 0);
    if (rc != 0) {
        return rc < 0 ? -1 : 0;
    }
    if (node_find(c, n, c->g->final) != SIM_NONE) {
        return 0;
    }
    rc = forward(c, trace, n, cost);
    if (rc != 0) {
        return rc < 0 ? -1 : 0;
    }
    uint32_t fin = node_find(c, n, c->g->final);
    /* A cheaper alignment explains the trace otherwise than injected. */
    if (fin == SIM_NONE || c->n_g[fin] != cost) {
        return 0;
    }
    if (backward(c, trace, n, cost) != 0) {
        return -1;
    }
    rc = enumerate(c, trace, n, cost);
    if (rc != 0) {
        return rc < 0 ? -1 : 0;
    }
    if (c->final_count == 0) {
        return 0;
    }
    for (size_t i = 0; i < c->final_count; i++) {
        uint64_t got[MAX_COST];
        int ng = classify(c, trace, n, &c->sigs[c->finals[i]], got);
        if (ng < 0 || !matches(got, (uint32_t)ng, exp, exp_count)) {
            return 0;
        }
    }
    return 1;
}

int sim_check(sim_checker *c, const uint32_t *trace, uint32_t n, uint32_t cost,
              const sim_expect *exp, uint32_t exp_count)
{
    if (cost == 0 || cost > MAX_COST || exp_count == 0 || exp_count > MAX_COST) {
        return 0;
    }
    c->asked++;
    /* The cache key: cost, then each expectation, then the trace. */
    size_t klen = 2 + (size_t)exp_count * 4 + n;
    if (grow((void **)&c->key, &c->key_cap, klen, sizeof(uint32_t)) != 0) {
        return -1;
    }
    uint32_t *k = c->key;
    k[0] = cost;
    k[1] = exp_count;
    for (uint32_t i = 0; i < exp_count; i++) {
        k[2 + i * 4] = exp[i].cls;
        k[3 + i * 4] = exp[i].label[0];
        k[4 + i * 4] = exp[i].label_alts > 1 ? exp[i].label[1] : SIM_NONE;
        k[5 + i * 4] = exp[i].label_alts;
    }
    memcpy(k + 2 + exp_count * 4, trace, sizeof(uint32_t) * n);
    int known = sim_seqmap_get(c->cache, k, (uint32_t)klen);
    if (known >= 0) {
        c->cached++;
        return known;
    }
    int r = check_uncached(c, trace, n, cost, exp, exp_count);
    if (r < 0) {
        return -1;
    }
    if (sim_seqmap_put(c->cache, c->key, (uint32_t)klen, r) != 0) {
        return -1;
    }
    return r;
}
