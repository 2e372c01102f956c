/*
 * net/net_check.c: soundness of a workflow net (van der Aalst): from every
 * reachable marking the sink can be marked, when it is marked nothing else
 * is, and every transition can fire; plus boundedness and safeness. The
 * reachability graph is built breadth first, its markings stored compactly,
 * within a memory budget and a state limit; what the budget leaves undecided
 * is reported as unknown, never guessed, and unboundedness only from a
 * marking that covers an earlier one on its path. Whether a step is
 * mandatory is settled by two cheap proofs before any exploration.
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

/* ---- A compact store of markings ---- */

/*
 * The reachability graph of a wide net holds many markings with many tokens
 * each, so a marking is stored encoded, in the shorter of two forms chosen
 * by a rule of the marking alone (so equal markings have equal bytes):
 *   tag 1: a bitset over all places, when no place holds two tokens and the
 *          tokens are at least half as many as the bitset's bytes;
 *   tag 0: the sorted token list as varint gaps (a repeated place is a gap
 *          of 0).
 * A 1-safe marking of 5,000 tokens over 10,000 places takes 1,251 bytes
 * instead of 20,000.
 */
enum { ENC_LIST = 0, ENC_BITS = 1 };

typedef struct cstore {
    ab_ctx *ctx;
    uint32_t nbytes; /* Bytes of a bitset over all places. */
    uint8_t *data;   /* Concatenated encodings. */
    size_t data_len, data_cap;
    uint64_t *off; /* id -> offset (count + 1 entries). */
    size_t off_cap;
    uint32_t *tok; /* id -> tokens in the marking. */
    size_t tok_cap;
    uint64_t *sig; /* id -> bit p % 64 set for each marked place p: a marking covers
                      another only if its bits include the other's. */
    size_t sig_cap;
    uint32_t *hash; /* id -> hash of the encoding. */
    size_t hash_cap;
    uint32_t *slots; /* Open addressing: id + 1, 0 = empty. */
    uint32_t mask;
    uint32_t count;
} cstore;

static int cs_init(cstore *c, ab_ctx *ctx, uint32_t places)
{
    memset(c, 0, sizeof(*c));
    c->ctx = ctx;
    c->nbytes = (places + 7) / 8;
    c->slots = ab__calloc(ctx, 1024, sizeof(uint32_t));
    if (c->slots == NULL || AB_GROW(ctx, c->off, c->off_cap, 1) != AB_OK) {
        ab__free(ctx, c->slots);
        return AB_ENOMEM;
    }
    c->mask = 1023;
    c->off[0] = 0;
    return AB_OK;
}

static void cs_finish(cstore *c)
{
    ab__free(c->ctx, c->data);
    ab__free(c->ctx, c->off);
    ab__free(c->ctx, c->tok);
    ab__free(c->ctx, c->sig);
    ab__free(c->ctx, c->hash);
    ab__free(c->ctx, c->slots);
    memset(c, 0, sizeof(*c));
}

/* Bytes the store holds. */
static uint64_t cs_bytes(const cstore *c)
{
    return (uint64_t)c->data_cap + ((uint64_t)c->off_cap + c->sig_cap) * sizeof(uint64_t) +
           ((uint64_t)c->tok_cap + c->hash_cap + (uint64_t)c->mask + 1) * sizeof(uint32_t);
}

/* Whether a sorted marking is stored as a bitset. */
static int use_bits(const cstore *c, const uint32_t *m, uint32_t len)
{
    if ((uint64_t)len * 2 < c->nbytes) {
        return 0;
    }
    for (uint32_t i = 1; i < len; i++) {
        if (m[i] == m[i - 1]) {
            return 0;
        }
    }
    return 1;
}

/* Encodes a sorted marking into enc (room: 1 + max(nbytes, 5 * len)); returns its length. */
static size_t cs_encode(const cstore *c, const uint32_t *m, uint32_t len, uint8_t *enc)
{
    if (use_bits(c, m, len)) {
        enc[0] = ENC_BITS;
        memset(enc + 1, 0, c->nbytes);
        for (uint32_t i = 0; i < len; i++) {
            enc[1 + m[i] / 8] |= (uint8_t)(1u << (m[i] % 8));
        }
        return 1 + (size_t)c->nbytes;
    }
    size_t o = 0;
    enc[o++] = ENC_LIST;
    uint32_t prev = 0;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t d = m[i] - prev;
        prev = m[i];
        while (d >= 0x80) {
            enc[o++] = (uint8_t)(d | 0x80);
            d >>= 7;
        }
        enc[o++] = (uint8_t)d;
    }
    return o;
}

/* Decodes marking id into m (room: its token count); returns the length. */
static uint32_t cs_decode(const cstore *c, uint32_t id, uint32_t *m)
{
    const uint8_t *e = c->data + c->off[id];
    size_t elen = (size_t)(c->off[id + 1] - c->off[id]);
    uint32_t len = 0;
    if (e[0] == ENC_BITS) {
        for (uint32_t b = 0; b < c->nbytes; b++) {
            uint32_t v = e[1 + b];
            while (v != 0) {
                m[len++] = b * 8 + (uint32_t)__builtin_ctz(v);
                v &= v - 1;
            }
        }
        return len;
    }
    uint32_t prev = 0;
    for (size_t o = 1; o < elen;) {
        uint32_t d = 0, shift = 0;
        while (e[o] & 0x80) {
            d |= (uint32_t)(e[o++] & 0x7f) << shift;
            shift += 7;
        }
        d |= (uint32_t)e[o++] << shift;
        prev += d;
        m[len++] = prev;
    }
    return len;
}

static uint32_t enc_hash(const uint8_t *enc, size_t len)
{
    uint64_t h = ab__hash64(enc, len, 0x9E3779B97F4A7C15ull);
    return (uint32_t)(h ^ (h >> 32));
}

static int cs_rehash(cstore *c)
{
    uint32_t nsize = (c->mask + 1) * 2;
    uint32_t *slots = ab__calloc(c->ctx, nsize, sizeof(uint32_t));
    if (slots == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t id = 0; id < c->count; id++) {
        uint32_t i = c->hash[id] & (nsize - 1);
        while (slots[i] != 0) {
            i = (i + 1) & (nsize - 1);
        }
        slots[i] = id + 1;
    }
    ab__free(c->ctx, c->slots);
    c->slots = slots;
    c->mask = nsize - 1;
    return AB_OK;
}

/* The place signature of an encoding. */
static uint64_t enc_sig(const cstore *c, const uint8_t *enc, size_t elen)
{
    uint64_t sig = 0;
    if (enc[0] == ENC_BITS) {
        /* Place 8b + i has bit (8b + i) % 64 = 8 (b % 8) + i. */
        for (uint32_t b = 0; b < c->nbytes; b++) {
            sig |= (uint64_t)enc[1 + b] << (8 * (b % 8));
        }
        return sig;
    }
    uint32_t prev = 0;
    for (size_t o = 1; o < elen;) {
        uint32_t d = 0, shift = 0;
        while (enc[o] & 0x80) {
            d |= (uint32_t)(enc[o++] & 0x7f) << shift;
            shift += 7;
        }
        d |= (uint32_t)enc[o++] << shift;
        prev += d;
        sig |= (uint64_t)1 << (prev % 64);
    }
    return sig;
}

/* Interns an encoding of a marking of tok tokens. */
static int cs_add(cstore *c, const uint8_t *enc, size_t elen, uint32_t tok, uint32_t *id_out,
                  int *is_new)
{
    uint32_t h = enc_hash(enc, elen);
    uint32_t i = h & c->mask;
    while (c->slots[i] != 0) {
        uint32_t id = c->slots[i] - 1;
        if (c->hash[id] == h && c->off[id + 1] - c->off[id] == elen &&
            memcmp(c->data + c->off[id], enc, elen) == 0) {
            *id_out = id;
            *is_new = 0;
            return AB_OK;
        }
        i = (i + 1) & c->mask;
    }
    if (c->count == UINT32_MAX - 1) {
        return AB_ELIMIT;
    }
    size_t n = (size_t)c->count + 1;
    if (AB_GROW(c->ctx, c->data, c->data_cap, c->data_len + elen) != AB_OK ||
        AB_GROW(c->ctx, c->off, c->off_cap, n + 1) != AB_OK ||
        AB_GROW(c->ctx, c->tok, c->tok_cap, n) != AB_OK ||
        AB_GROW(c->ctx, c->sig, c->sig_cap, n) != AB_OK ||
        AB_GROW(c->ctx, c->hash, c->hash_cap, n) != AB_OK) {
        return AB_ENOMEM;
    }
    memcpy(c->data + c->data_len, enc, elen);
    c->data_len += elen;
    uint32_t id = c->count++;
    c->off[id + 1] = c->data_len;
    c->tok[id] = tok;
    c->sig[id] = enc_sig(c, enc, elen);
    c->hash[id] = h;
    c->slots[i] = id + 1;
    *id_out = id;
    *is_new = 1;
    if ((uint64_t)c->count * 2 > (uint64_t)c->mask + 1) {
        return cs_rehash(c);
    }
    return AB_OK;
}

/* Fires t (enabled) in the sorted marking m into out, sorted; returns the length. */
static uint32_t fire_sorted(const ab_net *n, uint32_t t, const uint32_t *m, uint32_t len,
                            uint32_t *out)
{
    return ab__net_fire(n, t, m, len, out, NULL);
}

/*
 * The successor of a bitset-stored marking (enc, len tokens) by t, built by
 * flipping bits when it is 1-safe and stored as a bitset too; 0 when the
 * general way must be taken.
 */
static size_t fire_bits(const cstore *c, const ab_net *n, uint32_t t, const uint8_t *enc,
                        uint32_t len, uint8_t *out, uint32_t *len_out)
{
    const ab__trans *x = &n->trans[t];
    uint64_t nl = (uint64_t)len - x->in_count + x->out_count;
    if (nl * 2 < c->nbytes) {
        return 0;
    }
    for (uint32_t i = 0; i < x->in_count; i++) {
        if (x->in[i].weight != 1) {
            return 0;
        }
    }
    for (uint32_t i = 0; i < x->out_count; i++) {
        if (x->out[i].weight != 1) {
            return 0;
        }
    }
    memcpy(out, enc, 1 + (size_t)c->nbytes);
    for (uint32_t i = 0; i < x->in_count; i++) {
        uint32_t p = x->in[i].place;
        out[1 + p / 8] &= (uint8_t) ~(1u << (p % 8));
    }
    for (uint32_t i = 0; i < x->out_count; i++) {
        uint32_t p = x->out[i].place;
        if (out[1 + p / 8] & (1u << (p % 8))) {
            return 0; /* Two tokens: not a bitset. */
        }
        out[1 + p / 8] |= (uint8_t)(1u << (p % 8));
    }
    *len_out = (uint32_t)nl;
    return 1 + (size_t)c->nbytes;
}

/* Room for a marking of len tokens, its successors and their encodings. */
static int room(ab_ctx *ctx, uint32_t **a, size_t *acap, uint8_t **e, size_t *ecap, uint64_t len,
                uint32_t nbytes)
{
    size_t need = (size_t)len + 1;
    size_t eneed = 1 + (nbytes > 5 * need ? (size_t)nbytes : 5 * need);
    return AB_GROW(ctx, *a, *acap, need) == AB_OK && AB_GROW(ctx, *e, *ecap, eneed) == AB_OK
               ? AB_OK
               : AB_ENOMEM;
}

int ab_net_check(const ab_net *n, const ab_net_check_options *opts, ab_net_verdict *out,
                 ab_error *err)
{
    ab_net_check_options o = AB_NET_CHECK_OPTIONS_INIT;
    if (opts != NULL && opts->version == 1) {
        /* Version 1 ends there, and its 0 meant the default. */
        o.max_states = opts->max_states != 0 ? opts->max_states : 200000;
        o.max_memory = 0;
    } else if (opts != NULL) {
        o = *opts;
    }
    if ((opts != NULL && opts->version != 1 && opts->version != AB_NET_CHECK_OPTIONS_VERSION) ||
        out == NULL) {
        return ab__error(err, AB_EINVAL, "net", 0, 0, "ab_net_check: bad arguments");
    }
    ab_ctx *ctx = n->ctx;
    uint64_t max_states = o.max_states; /* 0: no limit on the count. */
    uint64_t max_memory = o.max_memory != 0 ? o.max_memory : AB_NET_CHECK_DEFAULT_MEMORY;
    memset(out, 0, sizeof(*out));
    cstore st;
    ab__netidx idx = {NULL, NULL};
    redge *edges = NULL;
    size_t edge_cap = 0, edge_count = 0;
    uint32_t *parent = NULL, *cur = NULL, *next = NULL, *anc = NULL, *first = NULL, *queue = NULL;
    size_t parent_cap = 0, cur_cap = 0, next_cap = 0, anc_cap = 0, cenc_cap = 0, nenc_cap = 0;
    uint8_t *cenc = NULL, *nenc = NULL;
    uint8_t *fired = NULL, *reach_end = NULL;
    int rc = AB_OK;
    int complete = 1, unbounded = 0, unsafe = 0, improper = 0, by_memory = 0;
    char improper_at[200] = "";
    if (cs_init(&st, ctx, n->place_count) != AB_OK) {
        return ab__error(err, AB_ENOMEM, "net", 0, 0, "out of memory");
    }
    AB_TRY(ab__netidx_build(&idx, ctx, n, NULL));
    fired = ab__calloc(ctx, (size_t)n->trans_count + 1, 1);
    if (fired == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    uint32_t growth = ab__net_max_growth(n);
    uint32_t id;
    int is_new;
    AB_TRY(room(ctx, &cur, &cur_cap, &cenc, &cenc_cap, 1, st.nbytes));
    cur[0] = n->source;
    AB_TRY(cs_add(&st, cenc, cs_encode(&st, cur, 1, cenc), 1, &id, &is_new));
    AB_TRY(AB_GROW(ctx, parent, parent_cap, 1));
    parent[0] = UINT32_MAX;
    for (uint32_t s = 0; s < st.count && complete; s++) {
        uint32_t len = st.tok[s];
        AB_TRY(room(ctx, &cur, &cur_cap, &cenc, &cenc_cap, len, st.nbytes));
        AB_TRY(room(ctx, &next, &next_cap, &nenc, &nenc_cap, (uint64_t)len + growth, st.nbytes));
        cs_decode(&st, s, cur);
        size_t celen = (size_t)(st.off[s + 1] - st.off[s]);
        memcpy(cenc, st.data + st.off[s], celen);
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
                fired[t] = 1;
                uint32_t nl = 0;
                size_t elen = 0;
                int in_next = 0; /* next holds the successor decoded. */
                if (cenc[0] == ENC_BITS) {
                    elen = fire_bits(&st, n, t, cenc, len, nenc, &nl);
                }
                if (elen == 0) {
                    nl = fire_sorted(n, t, cur, len, next);
                    elen = cs_encode(&st, next, nl, nenc);
                    in_next = 1;
                }
                uint32_t to;
                AB_TRY(cs_add(&st, nenc, elen, nl, &to, &is_new));
                AB_TRY(AB_GROW(ctx, edges, edge_cap, edge_count + 1));
                edges[edge_count].from = s;
                edges[edge_count].to = to;
                edge_count++;
                if (!is_new) {
                    continue;
                }
                AB_TRY(AB_GROW(ctx, parent, parent_cap, (size_t)st.count));
                parent[to] = s;
                /* Karp-Miller: a marking that strictly covers one on its own
                 * path can repeat that path's growth for ever. Only
                 * markings with fewer tokens can be strictly covered. */
                uint64_t nsig = st.sig[to];
                for (uint32_t a = s, hops = 0; a != UINT32_MAX && hops < 100000;
                     a = parent[a], hops++) {
                    if (st.tok[a] >= nl || (st.sig[a] & ~nsig) != 0) {
                        continue;
                    }
                    AB_TRY(AB_GROW(ctx, anc, anc_cap, (size_t)st.tok[a] + 1));
                    uint32_t la = cs_decode(&st, a, anc);
                    int covers;
                    if (nenc[0] == ENC_BITS) {
                        /* Against the successor's bitset, without decoding it. */
                        covers = 1;
                        for (uint32_t j = 0; j < la && covers; j++) {
                            covers = (j == 0 || anc[j] != anc[j - 1]) &&
                                     (nenc[1 + anc[j] / 8] >> (anc[j] % 8) & 1u);
                        }
                    } else {
                        if (!in_next) {
                            cs_decode(&st, to, next);
                            in_next = 1;
                        }
                        covers = strictly_covers(next, nl, anc, la);
                    }
                    if (covers) {
                        unbounded = 1;
                        complete = 0;
                        goto explored;
                    }
                }
                if (max_states != 0 && (uint64_t)st.count > max_states) {
                    complete = 0;
                }
            }
        }
        uint64_t bytes = cs_bytes(&st) + (uint64_t)edge_cap * sizeof(redge) +
                         (uint64_t)parent_cap * sizeof(uint32_t) +
                         ((uint64_t)cur_cap + next_cap + anc_cap) * sizeof(uint32_t) + cenc_cap +
                         nenc_cap;
        /* What the backward pass below adds: one byte, two and one words per
         * marking. */
        bytes += (uint64_t)st.count * (1 + 3 * sizeof(uint32_t));
        if (complete && bytes > max_memory && s + 1 < st.count) {
            complete = 0;
            by_memory = 1;
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
        AB_TRY(room(ctx, &next, &next_cap, &nenc, &nenc_cap, 1, st.nbytes));
        next[0] = n->sink;
        size_t fl = cs_encode(&st, next, 1, nenc);
        uint32_t h = enc_hash(nenc, fl);
        for (uint32_t i = h & st.mask; st.slots[i] != 0; i = (i + 1) & st.mask) {
            uint32_t c = st.slots[i] - 1;
            if (st.hash[c] == h && st.off[c + 1] - st.off[c] == fl &&
                memcmp(st.data + st.off[c], nenc, fl) == 0) {
                final_id = c;
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
            if (complete) {
                stuck = s;
                break;
            }
            /* Unexpanded markings (past the limit) prove nothing, unless
             * nothing is enabled in them. */
            AB_TRY(room(ctx, &cur, &cur_cap, &cenc, &cenc_cap, st.tok[s], st.nbytes));
            uint32_t len = cs_decode(&st, s, cur);
            const uint32_t *m = cur;
            int has_succ = 0;
            for (uint32_t i = 0; i < len && !has_succ; i++) {
                for (uint32_t k = idx.first[m[i]]; k < idx.first[m[i] + 1]; k++) {
                    if (ab__net_enabled(n, idx.trans[k], m, len)) {
                        has_succ = 1;
                        break;
                    }
                }
            }
            if (!has_succ && !(len == 1 && m[0] == n->sink)) {
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
                 "unbounded: a reachable marking strictly covers an earlier one on its path, "
                 "so some place can collect tokens without limit");
    } else if (out->option_to_complete == AB_NET_NO) {
        char ms[200];
        AB_TRY(room(ctx, &cur, &cur_cap, &cenc, &cenc_cap, st.tok[stuck], st.nbytes));
        uint32_t len = cs_decode(&st, stuck, cur);
        marking_str(n, cur, len, ms, sizeof(ms));
        snprintf(out->reason, sizeof(out->reason), "from the marking %s the end cannot be reached",
                 ms);
    } else if (out->proper_completion == AB_NET_NO) {
        snprintf(out->reason, sizeof(out->reason),
                 "the end is reached while tokens remain elsewhere: %s", improper_at);
    } else if (out->no_dead_transitions == AB_NET_NO) {
        const ab__trans *x = &n->trans[out->dead[0]];
        snprintf(out->reason, sizeof(out->reason),
                 "%u transition%s can never fire, the first from '%s'", dead, dead == 1 ? "" : "s",
                 x->element_id);
    } else if (out->sound == AB_NET_UNKNOWN && by_memory) {
        snprintf(out->reason, sizeof(out->reason),
                 "not decided within the budget (%llu reachable markings explored within the "
                 "memory budget of %llu MiB)",
                 (unsigned long long)st.count, (unsigned long long)(max_memory >> 20));
    } else if (out->sound == AB_NET_UNKNOWN) {
        snprintf(out->reason, sizeof(out->reason),
                 "not decided within the budget (more than %llu reachable markings: state limit)",
                 (unsigned long long)max_states);
    }
done:
    ab__free(ctx, edges);
    ab__free(ctx, parent);
    ab__free(ctx, cur);
    ab__free(ctx, next);
    ab__free(ctx, anc);
    ab__free(ctx, cenc);
    ab__free(ctx, nenc);
    ab__free(ctx, first);
    ab__free(ctx, queue);
    ab__free(ctx, fired);
    ab__free(ctx, reach_end);
    ab__netidx_finish(&idx, ctx);
    cs_finish(&st);
    if (rc != AB_OK) {
        return ab__error(err, rc, "net", 0, 0, "out of memory");
    }
    return AB_OK;
}

/* ---- Mandatory steps ---- */

/*
 * Whether the sink can be marked at all with the allowed transitions when
 * token counts are ignored: a place is markable when an allowed transition
 * with all its inputs markable produces into it. Every reachable marking
 * marks markable places only, so "no" is a proof that the final marking is
 * unreachable.
 */
static int sink_markable(const ab_net *n, const uint8_t *allow, ab_ctx *ctx, int *out)
{
    uint8_t *mark = ab__calloc(ctx, (size_t)n->place_count + 1, 1);
    uint8_t *done = ab__calloc(ctx, (size_t)n->trans_count + 1, 1);
    if (mark == NULL || done == NULL) {
        ab__free(ctx, mark);
        ab__free(ctx, done);
        return AB_ENOMEM;
    }
    mark[n->source] = 1;
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t t = 0; t < n->trans_count; t++) {
            if (done[t] || !allow[t]) {
                continue;
            }
            int ok = 1;
            for (uint32_t i = 0; i < n->trans[t].in_count && ok; i++) {
                ok = mark[n->trans[t].in[i].place];
            }
            if (!ok) {
                continue;
            }
            done[t] = 1;
            changed = 1;
            for (uint32_t i = 0; i < n->trans[t].out_count; i++) {
                mark[n->trans[t].out[i].place] = 1;
            }
        }
    }
    *out = mark[n->sink];
    ab__free(ctx, mark);
    ab__free(ctx, done);
    return AB_OK;
}

/* Place -> fewest allowed transitions from a token there to the sink in the
 * net's graph (ignoring synchronisation), UINT32_MAX when there is no way. */
static int sink_distance(const ab_net *n, const uint8_t *allow, ab_ctx *ctx, uint32_t *d)
{
    for (uint32_t p = 0; p < n->place_count; p++) {
        d[p] = UINT32_MAX;
    }
    d[n->sink] = 0;
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t t = 0; t < n->trans_count; t++) {
            if (!allow[t]) {
                continue;
            }
            uint32_t best = UINT32_MAX;
            for (uint32_t i = 0; i < n->trans[t].out_count; i++) {
                uint32_t q = d[n->trans[t].out[i].place];
                best = q < best ? q : best;
            }
            if (n->trans[t].out_count == 0 || best == UINT32_MAX) {
                continue;
            }
            for (uint32_t i = 0; i < n->trans[t].in_count; i++) {
                uint32_t p = n->trans[t].in[i].place;
                if (best + 1 < d[p]) {
                    d[p] = best + 1;
                    changed = 1;
                }
            }
        }
    }
    (void)ctx;
    return AB_OK;
}

/* Whether a set of 64-bit hashes (open addressing, 0 = empty) holds h; adds it if not. */
static int seen_add(uint64_t **slots, size_t *mask, size_t *count, ab_ctx *ctx, uint64_t h,
                    int *had)
{
    h = h != 0 ? h : 1;
    size_t i = (size_t)(h ^ (h >> 29)) & *mask;
    for (; (*slots)[i] != 0; i = (i + 1) & *mask) {
        if ((*slots)[i] == h) {
            *had = 1;
            return AB_OK;
        }
    }
    *had = 0;
    (*slots)[i] = h;
    if (++*count * 2 > *mask + 1) {
        size_t nsize = (*mask + 1) * 2;
        uint64_t *ns = ab__calloc(ctx, nsize, sizeof(uint64_t));
        if (ns == NULL) {
            return AB_ENOMEM;
        }
        for (size_t k = 0; k <= *mask; k++) {
            uint64_t v = (*slots)[k];
            if (v != 0) {
                size_t j = (size_t)(v ^ (v >> 29)) & (nsize - 1);
                while (ns[j] != 0) {
                    j = (j + 1) & (nsize - 1);
                }
                ns[j] = v;
            }
        }
        ab__free(ctx, *slots);
        *slots = ns;
        *mask = nsize - 1;
    }
    return AB_OK;
}

/*
 * Looks for a complete run of allowed transitions by a depth-first walk
 * with one marking (token counts per place), trying first the transitions
 * whose outputs are nearest to the sink and never entering a marking seen
 * before. *found is 1 when the final marking was reached (a proof that the
 * forbidden transitions are not needed), 0 when the walk gave up.
 */
static int walk_to_sink(const ab_net *n, const uint8_t *allow, ab_ctx *ctx, int *found)
{
    *found = 0;
    uint32_t np = n->place_count, nt = n->trans_count;
    uint32_t *d = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)np + 1));
    uint32_t *cnt = ab__calloc(ctx, (size_t)np + 1, sizeof(uint32_t));
    uint32_t *stack = NULL, *tried = NULL;
    size_t stack_cap = 0, tried_cap = 0, depth = 0;
    size_t mask = 1023, count = 0;
    uint64_t *slots = ab__calloc(ctx, mask + 1, sizeof(uint64_t));
    int rc = AB_OK;
    if (d == NULL || cnt == NULL || slots == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    AB_TRY(sink_distance(n, allow, ctx, d));
    if (d[n->source] == UINT32_MAX) {
        goto done;
    }
    cnt[n->source] = 1;
    uint64_t tokens = 1, hash = ab__place_key(n->source), work = 0;
    uint64_t max_work = (uint64_t)nt * 2000 + 50000000ull;
    int had;
    AB_TRY(seen_add(&slots, &mask, &count, ctx, hash, &had));
    /* tried[depth]: the last transition tried at that depth (UINT32_MAX: none). */
    AB_TRY(AB_GROW(ctx, tried, tried_cap, 1));
    tried[0] = UINT32_MAX;
    while (work < max_work) {
        if (tokens == 1 && cnt[n->sink] == 1) {
            *found = 1;
            break;
        }
        /* The best untried move: smallest (distance of its nearest output, index). */
        uint32_t best = UINT32_MAX, best_d = UINT32_MAX;
        uint32_t last = tried[depth], last_d = UINT32_MAX;
        if (last != UINT32_MAX) {
            last_d = UINT32_MAX;
            for (uint32_t i = 0; i < n->trans[last].out_count; i++) {
                uint32_t q = d[n->trans[last].out[i].place];
                last_d = q < last_d ? q : last_d;
            }
        }
        for (uint32_t t = 0; t < nt; t++) {
            work++;
            const ab__trans *x = &n->trans[t];
            if (!allow[t] || x->in_count == 0) {
                continue;
            }
            uint32_t td = UINT32_MAX;
            int ok = 1;
            for (uint32_t i = 0; i < x->out_count && ok; i++) {
                uint32_t q = d[x->out[i].place];
                ok = q != UINT32_MAX;
                td = q < td ? q : td;
            }
            for (uint32_t i = 0; i < x->in_count && ok; i++) {
                ok = cnt[x->in[i].place] >= x->in[i].weight;
            }
            if (!ok) {
                continue;
            }
            /* Order: (td, t); skip what was tried at this depth already. */
            if (last != UINT32_MAX && (td < last_d || (td == last_d && t <= last))) {
                continue;
            }
            if (td > best_d || (td == best_d && t > best)) {
                continue;
            }
            uint64_t h = hash;
            for (uint32_t i = 0; i < x->in_count; i++) {
                h -= ab__place_key(x->in[i].place) * x->in[i].weight;
            }
            for (uint32_t i = 0; i < x->out_count; i++) {
                h += ab__place_key(x->out[i].place) * x->out[i].weight;
            }
            h = h != 0 ? h : 1;
            int seen = 0;
            for (size_t k = (size_t)(h ^ (h >> 29)) & mask; slots[k] != 0 && !seen;
                 k = (k + 1) & mask) {
                seen = slots[k] == h;
            }
            if (seen) {
                continue;
            }
            best = t;
            best_d = td;
        }
        const ab__trans *x = best != UINT32_MAX ? &n->trans[best] : NULL;
        if (x == NULL) {
            if (depth == 0) {
                break;
            }
            /* Back: undo the move that led here. */
            uint32_t t = stack[--depth];
            const ab__trans *y = &n->trans[t];
            for (uint32_t i = 0; i < y->out_count; i++) {
                cnt[y->out[i].place] -= y->out[i].weight;
                tokens -= y->out[i].weight;
                hash -= ab__place_key(y->out[i].place) * y->out[i].weight;
            }
            for (uint32_t i = 0; i < y->in_count; i++) {
                cnt[y->in[i].place] += y->in[i].weight;
                tokens += y->in[i].weight;
                hash += ab__place_key(y->in[i].place) * y->in[i].weight;
            }
            continue;
        }
        tried[depth] = best;
        AB_TRY(AB_GROW(ctx, stack, stack_cap, depth + 1));
        AB_TRY(AB_GROW(ctx, tried, tried_cap, depth + 2));
        stack[depth++] = best;
        tried[depth] = UINT32_MAX;
        for (uint32_t i = 0; i < x->in_count; i++) {
            cnt[x->in[i].place] -= x->in[i].weight;
            tokens -= x->in[i].weight;
            hash -= ab__place_key(x->in[i].place) * x->in[i].weight;
        }
        for (uint32_t i = 0; i < x->out_count; i++) {
            cnt[x->out[i].place] += x->out[i].weight;
            tokens += x->out[i].weight;
            hash += ab__place_key(x->out[i].place) * x->out[i].weight;
        }
        AB_TRY(seen_add(&slots, &mask, &count, ctx, hash, &had));
    }
done:
    ab__free(ctx, d);
    ab__free(ctx, cnt);
    ab__free(ctx, stack);
    ab__free(ctx, tried);
    ab__free(ctx, slots);
    return rc;
}

/*
 * Cheap proofs first: the sink cannot be marked without the label even
 * ignoring token counts (mandatory), or a walk finds a complete run without
 * it (not mandatory). Only when neither settles it are the markings
 * explored, within max_states.
 */
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
    int markable = 1, found = 0;
    int rc = sink_markable(n, allow, ctx, &markable);
    if (rc == AB_OK && !markable) {
        *out = AB_NET_YES;
    } else if (rc == AB_OK) {
        rc = walk_to_sink(n, allow, ctx, &found);
        if (rc == AB_OK && found) {
            *out = AB_NET_NO;
        }
    }
    if (rc == AB_OK && *out == AB_NET_UNKNOWN) {
        ab__mstore st;
        if (ab__mstore_init(&st, ctx) != AB_OK) {
            ab__free(ctx, allow);
            return ab__error(err, AB_ENOMEM, "net", 0, 0, "out of memory");
        }
        int complete = 0;
        rc = ab__net_explore(n, allow, NULL, &n->source, 1, max_states != 0 ? max_states : 200000,
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
    }
    ab__free(ctx, allow);
    if (rc != AB_OK) {
        return ab__error(err, rc, "net", 0, 0, "out of memory");
    }
    return AB_OK;
}
