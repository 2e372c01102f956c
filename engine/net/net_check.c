/*
 * net/net_check.c: soundness of a workflow net (van der Aalst): from every
 * reachable marking the sink can be marked, when it is marked nothing else
 * is, and every transition can fire; plus boundedness and safeness. The
 * reachability graph is built breadth first up to a state limit; what the
 * limit leaves undecided is reported as unknown, never guessed.
 */
#include "net/net_int.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct redge {
    uint32_t from, to;
} redge;

/* Writes a marking as "[p1, p2 x2]" with place names. */
static void marking_str(const ab_net *n, const uint32_t *m, uint32_t len, char *buf, size_t cap)
{
    size_t o = 0;
    o += (size_t)snprintf(buf + o, cap - o, "[");
    for (uint32_t i = 0; i < len && o + 8 < cap; i++) {
        if (i > 0 && m[i] == m[i - 1]) {
            continue;
        }
        uint32_t k = 1;
        while (i + k < len && m[i + k] == m[i]) {
            k++;
        }
        const ab__place *p = &n->places[m[i]];
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", o > 1 ? ", " : "", p->name);
        if (k > 1 && o + 8 < cap) {
            o += (size_t)snprintf(buf + o, cap - o, " x%u", k);
        }
    }
    if (o + 2 < cap) {
        snprintf(buf + o, cap - o, "]");
    }
}

static int cmp_redge(const void *pa, const void *pb)
{
    const redge *a = pa, *b = pb;
    if (a->to != b->to) {
        return a->to < b->to ? -1 : 1;
    }
    return a->from < b->from ? -1 : a->from > b->from;
}

static int strictly_covers(const uint32_t *a, uint32_t la, const uint32_t *b, uint32_t lb)
{
    if (la <= lb) {
        return 0;
    }
    uint32_t i = 0;
    for (uint32_t j = 0; j < lb; j++) {
        while (i < la && a[i] < b[j]) {
            i++;
        }
        if (i == la || a[i] != b[j]) {
            return 0;
        }
        i++;
    }
    return 1;
}

int ab_net_check(const ab_net *n, const ab_net_check_options *opts, ab_net_verdict *out,
                 ab_error *err)
{
    ab_net_check_options defaults = AB_NET_CHECK_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    if (opts->version != AB_NET_CHECK_OPTIONS_VERSION || out == NULL) {
        return ab__error(err, AB_EINVAL, "net", 0, 0, "ab_net_check: bad arguments");
    }
    ab_ctx *ctx = n->ctx;
    uint64_t max_states = opts->max_states != 0 ? opts->max_states : 200000;
    memset(out, 0, sizeof(*out));
    ab__mstore st;
    ab__netidx idx = {NULL, NULL};
    redge *edges = NULL;
    size_t edge_cap = 0, edge_count = 0;
    uint32_t *parent = NULL, *cur = NULL, *next = NULL, *first = NULL, *queue = NULL;
    size_t parent_cap = 0;
    uint8_t *fired = NULL, *reach_end = NULL;
    int rc = AB_OK;
    int complete = 1, unbounded = 0, unsafe = 0, improper = 0;
    char improper_at[200] = "";
    if (ab__mstore_init(&st, ctx) != AB_OK) {
        return ab__error(err, AB_ENOMEM, "net", 0, 0, "out of memory");
    }
    AB_TRY(ab__netidx_build(&idx, ctx, n, NULL));
    size_t buf_cap = 8192;
    cur = ab__malloc(ctx, sizeof(uint32_t) * buf_cap);
    next = ab__malloc(ctx, sizeof(uint32_t) * buf_cap);
    fired = ab__calloc(ctx, (size_t)n->trans_count + 1, 1);
    if (cur == NULL || next == NULL || fired == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    uint32_t id;
    int is_new;
    AB_TRY(ab__mstore_add(&st, &n->source, 1, &id, &is_new));
    AB_TRY(AB_GROW(ctx, parent, parent_cap, 1));
    parent[0] = UINT32_MAX;
    for (uint32_t s = 0; s < st.count && complete; s++) {
        uint32_t len;
        const uint32_t *m = ab__mstore_get(&st, s, &len);
        if (len + 64 > buf_cap) {
            complete = 0;
            unbounded = 1;
            break;
        }
        memcpy(cur, m, sizeof(uint32_t) * len);
        for (uint32_t i = 1; i < len; i++) {
            if (cur[i] == cur[i - 1] && n->places[cur[i]].role != AB_NET_P_COUNTER) {
                unsafe = 1;
            }
        }
        uint32_t sinks = 0;
        for (uint32_t i = 0; i < len; i++) {
            sinks += cur[i] == n->sink;
        }
        if (sinks > 0 && len > 1 && !improper) {
            improper = 1;
            marking_str(n, cur, len, improper_at, sizeof(improper_at));
        }
        for (uint32_t i = 0; i < len; i++) {
            if (i > 0 && cur[i] == cur[i - 1]) {
                continue;
            }
            uint32_t p = cur[i];
            for (uint32_t k = idx.first[p]; k < idx.first[p + 1]; k++) {
                uint32_t t = idx.trans[k];
                if (!ab__net_enabled(n, t, cur, len)) {
                    continue;
                }
                uint32_t grow = 0;
                for (uint32_t a = 0; a < n->trans[t].out_count; a++) {
                    grow += n->trans[t].out[a].weight;
                }
                if (len + grow + 1 > buf_cap) {
                    complete = 0;
                    unbounded = 1;
                    goto explored;
                }
                fired[t] = 1;
                uint32_t nl = ab__net_fire(n, t, cur, len, next, NULL);
                uint32_t to;
                AB_TRY(ab__mstore_add(&st, next, nl, &to, &is_new));
                AB_TRY(AB_GROW(ctx, edges, edge_cap, edge_count + 1));
                edges[edge_count].from = s;
                edges[edge_count].to = to;
                edge_count++;
                if (is_new) {
                    AB_TRY(AB_GROW(ctx, parent, parent_cap, (size_t)st.count));
                    parent[to] = s;
                    for (uint32_t a = s, hops = 0; a != UINT32_MAX && hops < 100000;
                         a = parent[a], hops++) {
                        uint32_t la;
                        const uint32_t *ma = ab__mstore_get(&st, a, &la);
                        if (strictly_covers(next, nl, ma, la)) {
                            unbounded = 1;
                            complete = 0;
                            goto explored;
                        }
                    }
                    if ((uint64_t)st.count > max_states) {
                        complete = 0;
                    }
                }
            }
        }
    }
explored:
    out->states = st.count;
    out->edges = edge_count;
    out->bounded = unbounded ? AB_NET_NO : complete ? AB_NET_YES : AB_NET_UNKNOWN;
    out->safe = unsafe ? AB_NET_NO : complete ? AB_NET_YES : AB_NET_UNKNOWN;
    out->proper_completion = improper ? AB_NET_NO : complete ? AB_NET_YES : AB_NET_UNKNOWN;
    /* Option to complete: backwards from the final marking. */
    uint32_t final_id = UINT32_MAX;
    {
        uint32_t fm = n->sink;
        uint32_t h;
        (void)h;
        for (uint32_t s = 0; s < st.count; s++) {
            uint32_t len;
            const uint32_t *m = ab__mstore_get(&st, s, &len);
            if (len == 1 && m[0] == fm) {
                final_id = s;
                break;
            }
        }
    }
    reach_end = ab__calloc(ctx, (size_t)st.count + 1, 1);
    first = ab__calloc(ctx, (size_t)st.count + 2, sizeof(uint32_t));
    queue = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)st.count + 1));
    if (reach_end == NULL || first == NULL || queue == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    ab__net_sort(edges, edge_count, sizeof(*edges), cmp_redge);
    for (size_t e = 0; e < edge_count; e++) {
        first[edges[e].to + 1]++;
    }
    for (uint32_t s = 0; s <= st.count; s++) {
        first[s + 1] += first[s];
    }
    uint32_t head = 0, tail = 0;
    if (final_id != UINT32_MAX) {
        reach_end[final_id] = 1;
        queue[tail++] = final_id;
    }
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t e = first[v]; e < first[v + 1]; e++) {
            uint32_t w = edges[e].from;
            if (!reach_end[w]) {
                reach_end[w] = 1;
                queue[tail++] = w;
            }
        }
    }
    uint32_t stuck = UINT32_MAX;
    for (uint32_t s = 0; s < st.count && stuck == UINT32_MAX; s++) {
        if (!reach_end[s]) {
            /* Unexpanded markings (past the limit) prove nothing. */
            uint32_t len;
            const uint32_t *m = ab__mstore_get(&st, s, &len);
            int has_succ = 0;
            for (uint32_t i = 0; i < len && !has_succ; i++) {
                for (uint32_t k = idx.first[m[i]]; k < idx.first[m[i] + 1]; k++) {
                    if (ab__net_enabled(n, idx.trans[k], m, len)) {
                        has_succ = 1;
                        break;
                    }
                }
            }
            if (complete || (!has_succ && !(len == 1 && m[0] == n->sink))) {
                stuck = s;
            }
        }
    }
    out->option_to_complete = stuck != UINT32_MAX ? AB_NET_NO
                              : complete          ? AB_NET_YES
                                                  : AB_NET_UNKNOWN;
    uint32_t dead = 0;
    for (uint32_t t = 0; t < n->trans_count; t++) {
        if (!fired[t]) {
            if (dead < 16) {
                out->dead[dead] = t;
            }
            dead++;
        }
    }
    out->dead_count = complete ? dead : 0;
    out->no_dead_transitions = dead == 0 ? AB_NET_YES : complete ? AB_NET_NO : AB_NET_UNKNOWN;
    if (!complete && dead > 0) {
        memset(out->dead, 0, sizeof(out->dead));
    }
    if (out->option_to_complete == AB_NET_NO || out->proper_completion == AB_NET_NO ||
        out->no_dead_transitions == AB_NET_NO || out->bounded == AB_NET_NO) {
        out->sound = AB_NET_NO;
    } else if (out->option_to_complete == AB_NET_YES && out->proper_completion == AB_NET_YES &&
               out->no_dead_transitions == AB_NET_YES && out->bounded == AB_NET_YES) {
        out->sound = AB_NET_YES;
    } else {
        out->sound = AB_NET_UNKNOWN;
    }
    /* The first problem, in words. */
    if (out->bounded == AB_NET_NO) {
        snprintf(out->reason, sizeof(out->reason),
                 "unbounded: some place can collect tokens without limit");
    } else if (out->option_to_complete == AB_NET_NO) {
        char ms[200];
        uint32_t len;
        const uint32_t *m = ab__mstore_get(&st, stuck, &len);
        marking_str(n, m, len, ms, sizeof(ms));
        snprintf(out->reason, sizeof(out->reason), "from the marking %s the end cannot be reached",
                 ms);
    } else if (out->proper_completion == AB_NET_NO) {
        snprintf(out->reason, sizeof(out->reason),
                 "the end is reached while tokens remain elsewhere: %s", improper_at);
    } else if (out->no_dead_transitions == AB_NET_NO) {
        const ab__trans *x = &n->trans[out->dead[0]];
        snprintf(out->reason, sizeof(out->reason),
                 "%u transition%s can never fire, the first from '%s'", dead,
                 dead == 1 ? "" : "s", x->element_id);
    } else if (out->sound == AB_NET_UNKNOWN) {
        snprintf(out->reason, sizeof(out->reason),
                 "undecided: more than %llu reachable markings (state limit)",
                 (unsigned long long)max_states);
    }
done:
    ab__free(ctx, edges);
    ab__free(ctx, parent);
    ab__free(ctx, cur);
    ab__free(ctx, next);
    ab__free(ctx, first);
    ab__free(ctx, queue);
    ab__free(ctx, fired);
    ab__free(ctx, reach_end);
    ab__netidx_finish(&idx, ctx);
    ab__mstore_finish(&st);
    if (rc != AB_OK) {
        return ab__error(err, rc, "net", 0, 0, "out of memory");
    }
    return AB_OK;
}

int ab_net_label_is_mandatory(const ab_net *n, uint32_t label_id, uint64_t max_states, int *out,
                              ab_error *err)
{
    ab_ctx *ctx = n->ctx;
    *out = AB_NET_UNKNOWN;
    uint8_t *allow = ab__calloc(ctx, (size_t)n->trans_count + 1, 1);
    if (allow == NULL) {
        return ab__error(err, AB_ENOMEM, "net", 0, 0, "out of memory");
    }
    for (uint32_t t = 0; t < n->trans_count; t++) {
        allow[t] = n->pub_trans[t].label_id != label_id || label_id == AB_NET_SILENT;
    }
    ab__mstore st;
    if (ab__mstore_init(&st, ctx) != AB_OK) {
        ab__free(ctx, allow);
        return ab__error(err, AB_ENOMEM, "net", 0, 0, "out of memory");
    }
    int complete = 0;
    int rc = ab__net_explore(n, allow, NULL, &n->source, 1, max_states != 0 ? max_states : 200000,
                             &st, NULL, &complete, NULL);
    if (rc == AB_OK) {
        int reached = 0;
        for (uint32_t s = 0; s < st.count && !reached; s++) {
            uint32_t len;
            const uint32_t *m = ab__mstore_get(&st, s, &len);
            reached = len == 1 && m[0] == n->sink;
        }
        *out = reached ? AB_NET_NO : complete ? AB_NET_YES : AB_NET_UNKNOWN;
    }
    ab__mstore_finish(&st);
    ab__free(ctx, allow);
    if (rc != AB_OK) {
        return ab__error(err, rc, "net", 0, 0, "out of memory");
    }
    return AB_OK;
}
