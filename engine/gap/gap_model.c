/*
 * gap/gap_model.c: what the gap needs to know of the documented model
 * itself. The visible directly-follows relation DF_M (b may come right after
 * a, silent steps in between allowed, with START and END) is read off the
 * net's reachability graph, closed under silent moves; past a state limit it
 * is "unknown" rather than guessed. Replaying the alignments' model
 * projections tells which sequence flows and which gateway options no case
 * ever used (M12, M13).
 */
#include "gap/gap_int.h"
#include "net/net_int.h"

#include <stdio.h>

/* Markings longer than this are taken as a sign of an unbounded net. */
#define MAX_TOKENS 1024u

typedef struct edge {
    uint32_t src, t, dst;
} edge;

static uint32_t max_out_tokens(const ab_net *net)
{
    uint32_t g = 0;
    for (uint32_t t = 0; t < ab_net_transition_count(net); t++) {
        const ab_net_transition *x = ab_net_transition_at(net, t);
        uint32_t w = 0;
        for (uint32_t i = 0; i < x->out_count; i++) {
            w += x->out[i].weight;
        }
        g = w > g ? w : g;
    }
    return g;
}

void ab__gap_model_finish(ab__gap_model *m, ab_ctx *ctx)
{
    ab__free(ctx, m->df);
    m->df = NULL;
}

int ab__gap_model_relations(ab__gap_model *m, ab_ctx *ctx, const ab_net *net, uint64_t max_states)
{
    uint32_t L = ab_net_label_count(net);
    memset(m, 0, sizeof(*m));
    m->labels = L;
    m->words = (L + 2 + 63) / 64;
    m->df = ab__calloc(ctx, (size_t)(L + 2) * m->words, sizeof(uint64_t));
    if (m->df == NULL) {
        return AB_ENOMEM;
    }
    int rc = AB_OK;
    ab__mstore st;
    int have_st = 0;
    ab__netidx idx = {NULL, NULL};
    edge *edges = NULL;
    size_t edges_cap = 0, edge_count = 0;
    uint32_t *cur = NULL, *nxt = NULL;
    uint64_t *next = NULL;
    uint32_t *pred_first = NULL, *pred = NULL, *queue = NULL;
    uint8_t *queued = NULL;
    size_t cap = MAX_TOKENS + max_out_tokens(net) + 2;
    AB_TRY(ab__mstore_init(&st, ctx));
    have_st = 1;
    AB_TRY(ab__netidx_build(&idx, ctx, net, NULL));
    cur = ab__malloc(ctx, sizeof(uint32_t) * cap);
    nxt = ab__malloc(ctx, sizeof(uint32_t) * cap);
    if (cur == NULL || nxt == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    uint32_t src = ab_net_source(net), sink = ab_net_sink(net);
    uint32_t id;
    int is_new;
    AB_TRY(ab__mstore_add(&st, &src, 1, &id, &is_new));
    int known = 1;
    for (uint32_t s = 0; s < st.count && known; s++) {
        uint32_t len;
        const uint32_t *mk = ab__mstore_get(&st, s, &len);
        memcpy(cur, mk, sizeof(uint32_t) * len);
        for (uint32_t i = 0; i < len && known; i++) {
            if (i > 0 && cur[i] == cur[i - 1]) {
                continue;
            }
            for (uint32_t k = idx.first[cur[i]]; k < idx.first[cur[i] + 1]; k++) {
                uint32_t t = idx.trans[k];
                if (!ab__net_enabled(net, t, cur, len)) {
                    continue;
                }
                uint32_t nl = ab__net_fire(net, t, cur, len, nxt, NULL);
                if (nl > MAX_TOKENS) {
                    known = 0;
                    snprintf(m->reason, sizeof(m->reason),
                             "not decided within the budget (a marking of the model holds more "
                             "than %u tokens)",
                             MAX_TOKENS);
                    break;
                }
                AB_TRY(ab__mstore_add(&st, nxt, nl, &id, &is_new));
                AB_TRY(AB_GROW(ctx, edges, edges_cap, edge_count + 1));
                edges[edge_count].src = s;
                edges[edge_count].t = t;
                edges[edge_count].dst = id;
                edge_count++;
                if (st.count > max_states) {
                    known = 0;
                    snprintf(m->reason, sizeof(m->reason),
                             "not decided within the budget (the model has more than %llu "
                             "reachable markings)",
                             (unsigned long long)max_states);
                    break;
                }
                if (ab__mstore_bytes(&st) + (uint64_t)edges_cap * sizeof(edge) >
                    net->model_memory) {
                    known = 0;
                    snprintf(m->reason, sizeof(m->reason),
                             "not decided within the budget (%u reachable markings when %llu MiB "
                             "were used)",
                             st.count, (unsigned long long)(net->model_memory >> 20));
                    break;
                }
            }
        }
    }
    m->states = st.count;
    if (!known) {
        goto done;
    }
    /* next[s]: the visible labels that can fire next from s, after silent
     * moves only, plus END when the final marking is silently reachable. */
    uint32_t n = st.count, w = m->words;
    next = ab__calloc(ctx, (size_t)n * w, sizeof(uint64_t));
    pred_first = ab__calloc(ctx, (size_t)n + 1, sizeof(uint32_t));
    pred = ab__malloc(ctx, sizeof(uint32_t) * (edge_count + 1));
    queue = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)n + 1));
    queued = ab__calloc(ctx, (size_t)n + 1, 1);
    if (next == NULL || pred_first == NULL || pred == NULL || queue == NULL || queued == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (uint32_t s = 0; s < n; s++) {
        uint32_t len;
        const uint32_t *mk = ab__mstore_get(&st, s, &len);
        if (len == 1 && mk[0] == sink) {
            next[(size_t)s * w + (L + 1) / 64] |= 1ull << ((L + 1) % 64);
        }
    }
    for (size_t e = 0; e < edge_count; e++) {
        uint32_t l = ab_net_transition_at(net, edges[e].t)->label_id;
        if (l != AB_NET_SILENT) {
            next[(size_t)edges[e].src * w + l / 64] |= 1ull << (l % 64);
        } else {
            pred_first[edges[e].dst + 1]++;
        }
    }
    for (uint32_t s = 0; s < n; s++) {
        pred_first[s + 1] += pred_first[s];
    }
    {
        uint32_t *fill = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)n + 1));
        if (fill == NULL) {
            rc = AB_ENOMEM;
            goto done;
        }
        memcpy(fill, pred_first, sizeof(uint32_t) * n);
        for (size_t e = 0; e < edge_count; e++) {
            if (ab_net_transition_at(net, edges[e].t)->label_id == AB_NET_SILENT) {
                pred[fill[edges[e].dst]++] = edges[e].src;
            }
        }
        ab__free(ctx, fill);
    }
    /* Propagate backwards along silent edges until nothing changes (silent
     * cycles converge because sets only grow). */
    uint32_t head = 0, count = n;
    for (uint32_t s = 0; s < n; s++) {
        queue[s] = s;
        queued[s] = 1;
    }
    while (count > 0) {
        uint32_t s = queue[head];
        head = (head + 1) % n;
        count--;
        queued[s] = 0;
        for (uint32_t k = pred_first[s]; k < pred_first[s + 1]; k++) {
            uint32_t p = pred[k];
            int changed = 0;
            for (uint32_t i = 0; i < w; i++) {
                uint64_t v = next[(size_t)p * w + i] | next[(size_t)s * w + i];
                changed |= v != next[(size_t)p * w + i];
                next[(size_t)p * w + i] = v;
            }
            if (changed && !queued[p]) {
                queued[p] = 1;
                queue[(head + count) % n] = p;
                count++;
            }
        }
    }
    for (size_t e = 0; e < edge_count; e++) {
        uint32_t l = ab_net_transition_at(net, edges[e].t)->label_id;
        if (l == AB_NET_SILENT) {
            continue;
        }
        for (uint32_t i = 0; i < w; i++) {
            m->df[(size_t)l * w + i] |= next[(size_t)edges[e].dst * w + i];
        }
    }
    for (uint32_t i = 0; i < w; i++) {
        m->df[(size_t)L * w + i] = next[i]; /* State 0 is the initial marking. */
    }
    m->known = 1;
done:
    ab__free(ctx, next);
    ab__free(ctx, pred_first);
    ab__free(ctx, pred);
    ab__free(ctx, queue);
    ab__free(ctx, queued);
    ab__free(ctx, cur);
    ab__free(ctx, nxt);
    ab__free(ctx, edges);
    ab__netidx_finish(&idx, ctx);
    if (have_st) {
        ab__mstore_finish(&st);
    }
    if (rc != AB_OK) {
        ab__gap_model_finish(m, ctx);
    }
    return rc;
}

/* ---- Replay of the model projections ---- */

void ab__gap_replay_finish(ab__gap_replay *r, ab_ctx *ctx)
{
    ab__free(ctx, r->fired);
    ab__free(ctx, r->marked);
    ab__free(ctx, r->enabled);
    r->fired = r->marked = r->enabled = NULL;
}

int ab__gap_replay_run(ab__gap_replay *r, ab_ctx *ctx, const ab_net *net,
                       const ab_conform_variant *const *variants, uint32_t variant_count,
                       uint32_t first, uint32_t step)
{
    uint32_t T = ab_net_transition_count(net), P = ab_net_place_count(net);
    memset(r, 0, sizeof(*r));
    r->failed = UINT32_MAX;
    r->fired = ab__calloc(ctx, (size_t)T + 1, 1);
    r->marked = ab__calloc(ctx, (size_t)P + 1, 1);
    r->enabled = ab__calloc(ctx, (size_t)T + 1, 1);
    int rc = AB_OK;
    ab__mstore st;
    int have_st = 0;
    ab__netidx idx = {NULL, NULL};
    uint32_t *cur = NULL, *nxt = NULL;
    size_t cap = MAX_TOKENS + max_out_tokens(net) + 2;
    if (r->fired == NULL || r->marked == NULL || r->enabled == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    AB_TRY(ab__mstore_init(&st, ctx));
    have_st = 1;
    AB_TRY(ab__netidx_build(&idx, ctx, net, NULL));
    cur = ab__malloc(ctx, sizeof(uint32_t) * cap);
    nxt = ab__malloc(ctx, sizeof(uint32_t) * cap);
    if (cur == NULL || nxt == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    r->valid = 1;
    r->marked[ab_net_source(net)] = 1;
    for (uint64_t vi = first; vi < variant_count && r->valid; vi += step) {
        uint32_t v = (uint32_t)vi;
        const ab_conform_variant *var = variants[v];
        uint32_t len = 1;
        cur[0] = ab_net_source(net);
        uint32_t id;
        int is_new;
        AB_TRY(ab__mstore_add(&st, cur, len, &id, &is_new));
        for (uint32_t i = 0; i < var->move_count; i++) {
            uint32_t t = var->moves[i].transition;
            if (var->moves[i].kind == AB_MOVE_LOG) {
                continue;
            }
            if (t >= T || !ab__net_enabled(net, t, cur, len)) {
                r->valid = 0;
                r->failed = v;
                snprintf(r->reason, sizeof(r->reason),
                         "move %u of conformance variant %u does not fire from the marking "
                         "before it (silent moves missing?)",
                         i, v);
                break;
            }
            uint32_t nl = ab__net_fire(net, t, cur, len, nxt, NULL);
            if (nl > MAX_TOKENS) {
                r->valid = 0;
                r->failed = v;
                snprintf(r->reason, sizeof(r->reason), "a replayed marking passed %u tokens",
                         MAX_TOKENS);
                break;
            }
            r->fired[t] = 1;
            const ab_net_transition *x = ab_net_transition_at(net, t);
            for (uint32_t k = 0; k < x->out_count; k++) {
                r->marked[x->out[k].place] = 1;
            }
            memcpy(cur, nxt, sizeof(uint32_t) * nl);
            len = nl;
            AB_TRY(ab__mstore_add(&st, cur, len, &id, &is_new));
        }
    }
    /* The options each visited marking offered (M13). */
    for (uint32_t s = 0; s < st.count && r->valid; s++) {
        uint32_t len;
        const uint32_t *mk = ab__mstore_get(&st, s, &len);
        for (uint32_t i = 0; i < len; i++) {
            if (i > 0 && mk[i] == mk[i - 1]) {
                continue;
            }
            for (uint32_t k = idx.first[mk[i]]; k < idx.first[mk[i] + 1]; k++) {
                uint32_t t = idx.trans[k];
                if (ab__net_enabled(net, t, mk, len)) {
                    r->enabled[t] = 1;
                }
            }
        }
    }
done:
    ab__free(ctx, cur);
    ab__free(ctx, nxt);
    ab__netidx_finish(&idx, ctx);
    if (have_st) {
        ab__mstore_finish(&st);
    }
    if (rc != AB_OK) {
        ab__gap_replay_finish(r, ctx);
    }
    return rc;
}

/* What one process sends of its replay (with its status): the variant
 * that did not replay and why, then its flags (fired, marked, enabled). */
typedef struct replay_head {
    uint32_t failed;
    char reason[160];
} replay_head;

int ab__gap_replay_spread(ab__gap_replay *r, ab_ctx *ctx, const ab_net *net,
                          const ab_conform_variant *const *variants, uint32_t variant_count,
                          const ab__gap_parts *parts)
{
    uint32_t T = ab_net_transition_count(net), P = ab_net_place_count(net);
    size_t len = sizeof(replay_head) + (size_t)T * 2 + P;
    int rc =
        ab__gap_replay_run(r, ctx, net, variants, variant_count, parts->process, parts->processes);
    unsigned char *msg = rc == AB_OK ? ab__malloc(ctx, len) : NULL;
    if (rc == AB_OK && msg == NULL) {
        rc = AB_ENOMEM;
    }
    if (rc == AB_OK) {
        replay_head h;
        memset(&h, 0, sizeof(h));
        h.failed = r->failed;
        memcpy(h.reason, r->reason, sizeof(h.reason));
        memcpy(msg, &h, sizeof(h));
        memcpy(msg + sizeof(h), r->fired, T);
        memcpy(msg + sizeof(h) + T, r->marked, P);
        memcpy(msg + sizeof(h) + T + P, r->enabled, T);
    }
    void **all;
    size_t *lens;
    uint32_t count;
    int st = ab__gap_exchange_status(parts, rc, msg, len, &all, &lens, &count);
    ab__free(ctx, msg);
    /* The first variant that did not replay, or every process's flags. */
    uint32_t by = UINT32_MAX, first = UINT32_MAX;
    for (uint32_t q = 0; st == AB_OK && q < count; q++) {
        replay_head x;
        memcpy(&x, all[q], sizeof(x));
        if (x.failed < first) {
            first = x.failed;
            by = q;
        }
    }
    if (st == AB_OK && by != UINT32_MAX) {
        replay_head x;
        memcpy(&x, all[by], sizeof(x));
        r->valid = 0;
        r->failed = first;
        memcpy(r->reason, x.reason, sizeof(r->reason));
        r->reason[sizeof(r->reason) - 1] = '\0';
    } else if (st == AB_OK) {
        r->valid = 1;
        for (uint32_t q = 0; q < count; q++) {
            const unsigned char *f = (const unsigned char *)all[q] + sizeof(replay_head);
            for (uint32_t t = 0; t < T; t++) {
                r->fired[t] |= f[t];
                r->enabled[t] |= f[T + P + t];
            }
            for (uint32_t p = 0; p < P; p++) {
                r->marked[p] |= f[T + p];
            }
        }
    }
    ab__gap_exchange_free(all, lens, count);
    if (st != AB_OK) {
        ab__gap_replay_finish(r, ctx);
    }
    return st;
}
