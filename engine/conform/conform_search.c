/*
 * conform/conform_search.c: optimal alignments by A* over the synchronous
 * product of a trace and the net. A node is (marking, instances consumed);
 * its cost orders alignments by (log + visible model moves, silent moves) in
 * one integer (AB__CF_DEV), and so does the heuristic (see heuristic()).
 * The search is canonical (spec R1): successors are generated per enabled
 * transition in net order (its synchronous move, then its model or silent
 * move), then the log move, except that an enabled urgent transition (see
 * ab__cnet_build) is the only successor; the open list pops the lowest f,
 * then the node with more trace consumed, then the earliest inserted; a
 * node's parent changes only on a strictly cheaper path, and each
 * improvement is a new insertion. The fast path is the same search with only
 * synchronous and silent moves (see ab__cf_align for why it returns exactly
 * what the full search would). Past the budget, see approximate(). Spec
 * R1's ambiguity check lets the same search go on past its goal through
 * every node on an optimal path (see search()) and compares the multisets
 * of deviations of all those paths in one walk (see check_plateau()).
 */
#include "conform/conform_int.h"

#include <stdlib.h>

/* Suffix-count tables larger than this (entries) are not built; the
 * heuristic then ignores labels the marking can no longer reach. */
#define SUF_MAX_ENTRIES ((size_t)4 << 20)

/* Past this many bytes held between two searches, a workspace gives its
 * arrays back, so one large variant does not pin memory for the others. */
#define KEEP_BYTES_MAX ((size_t)64 << 20)

enum { SEARCH_FOUND = 0, SEARCH_BUDGET = 1, SEARCH_EXHAUSTED = 2 };

typedef struct cstate {
    uint64_t g;      /* Cost from the root (AB__CF_DEV per deviation, 1 per silent move). */
    uint32_t mark;   /* Marking id. */
    uint32_t pos;    /* Instances consumed. */
    uint32_t parent; /* State it was reached from, AB_CONFORM_NONE for the root. */
    uint32_t trans;  /* Transition of that move, AB_CONFORM_NONE for a log move. */
    uint64_t h;      /* Heuristic, in the units of g. */
    uint8_t kind;    /* ab_move_kind of that move. */
    uint8_t closed;  /* Expanded: its g is optimal. */
} cstate;

/* An edge of the product: a move from an expanded node to a node of the
 * search. key says which deviation the move is (see move_key), or KEY_NONE
 * for synchronous and silent moves. */
typedef struct cedge {
    uint32_t from, to, key;
} cedge;

/* Deviation keys: a log move's activity id, or a model move's net label id
 * with KEY_MODEL set (check_plateau gives no verdict for a trace with an
 * activity id that high). */
#define KEY_MODEL ((uint32_t)1 << 31)
#define KEY_NONE UINT32_MAX

typedef struct hent {
    uint64_t f;   /* g + h at insertion. */
    uint64_t seq; /* Insertion number. */
    uint32_t pos; /* Instances consumed (more first among equal f). */
    uint32_t state;
} hent;

struct ab__cws {
    ab_ctx *ctx;
    const ab__cnet *cn;
    const uint32_t *label_activity;
    uint64_t max_states;
    uint64_t max_memory;
    size_t bytes; /* Held by the growable arrays below. */
    /* Markings: concatenated sorted token arrays, interned. */
    uint32_t *mdata;
    size_t mdata_len, mdata_cap;
    uint64_t *moff; /* mcount + 1 offsets. */
    size_t moff_cap;
    uint32_t *mhash;
    size_t mhash_cap;
    uint32_t *mdist; /* Per marking: visible transitions still needed at least (AB__CF_INF:
                        the sink cannot be reached any more). */
    size_t mdist_cap;
    uint32_t *msil; /* Per marking: silent transitions still needed at least. */
    size_t msil_cap;
    uint32_t *mabs; /* Per marking: model moves on labels the trace lacks, at least. */
    size_t mabs_cap;
    uint64_t *mbits; /* Per marking: kw words, bit j = trace label j is out of reach. */
    size_t mbits_cap;
    uint32_t mcount;
    uint32_t *mslots; /* Open addressing: id + 1, 0 = empty. */
    uint32_t mmask;
    /* Product states. */
    cstate *st;
    size_t st_cap;
    uint32_t st_count;
    uint32_t *sslots;
    uint32_t smask;
    /* Open list. */
    hent *heap;
    size_t heap_len, heap_cap;
    uint64_t seq;
    /* The trace being aligned. */
    const uint32_t *acts;
    uint32_t n;
    uint32_t *tlab; /* Instance -> net label, AB_NET_SILENT when no transition has it. */
    size_t tlab_cap;
    uint32_t *unk; /* unk[i]: instances at i or later whose activity no transition has. */
    size_t unk_cap;
    uint32_t *suf; /* suf[i * k + j]: instances at i or later with trace label j. */
    size_t suf_cap;
    uint64_t *present; /* present[i * kw ...]: bit j when trace label j is at i or later. */
    size_t present_cap;
    uint64_t *preach; /* Place -> the trace labels it may lead to (kw words), filled
                         when first needed for the current trace. */
    size_t preach_cap;
    uint8_t *tcost; /* Transition -> 1 when visible with a label the trace lacks. */
    uint32_t *pabs; /* Place -> potential for tcost (see ab__cnet_potential). */
    uint64_t *pv;   /* Scratch of the potential. */
    uint32_t *pq;
    uint8_t *pqd;
    int use_abs;      /* Some transition has tcost 1. */
    uint32_t *pstamp; /* Place -> trace number its preach row was filled for. */
    uint32_t stamp;   /* Trace number (set_trace counts them). */
    uint32_t *tl;     /* Trace label j -> net label. */
    size_t tl_cap;
    uint32_t k;      /* Distinct known labels in the trace. */
    uint32_t kw;     /* Words of mbits per marking (0: reach not used). */
    uint32_t *lab2j; /* Net label -> j while a trace is set up (AB_CONFORM_NONE otherwise). */
    /* Scratch. */
    uint32_t *cur; /* The marking being expanded (mdata may move). */
    size_t cur_cap;
    uint32_t *buf; /* A successor marking. */
    size_t buf_cap;
    uint32_t *cand;  /* Transitions to try. */
    uint64_t *ubits; /* Union of reach sets (kw words). */
    size_t ubits_cap;
    ab_move *path;
    size_t path_cap;
    uint32_t best; /* Deepest expanded state (first expanded among equals). */
    int no_fast_path;
    int dive;             /* Silent moves free and, among equal priority, the latest inserted
                             first: a depth-first search for the fewest deviations only. */
    uint64_t trace_bytes; /* What the trace set-up needs (see ws_need). */
    /* The ambiguity check (see check_plateau). */
    int check;          /* Asked for: the search records its edges and, past the
                           goal, expands every node whose f has the optimal number
                           of deviations. */
    int recording;      /* Edges are being recorded (0 once they passed the budget). */
    int check_complete; /* The last search explored the whole plateau. */
    uint64_t check_expanded; /* Nodes the last search expanded past its goal. */
    uint64_t bound;     /* Past the goal: nodes with f at or above it are left out. */
    cedge *edges;       /* Every edge out of an expanded node, in expansion order. */
    size_t edge_len, edge_cap;
    uint32_t *dcnt; /* Scratch of the plateau analysis (see check_plateau). */
    size_t dcnt_cap;
    uint32_t *dlist;
    size_t dlist_cap;
    uint32_t *dfirst;
    size_t dfirst_cap;
    uint32_t *dnum;
    size_t dnum_cap;
    uint32_t *dco;
    size_t dco_cap;
    uint32_t *dqueue;
    size_t dqueue_cap;
    uint64_t *dcode;
    size_t dcode_cap;
    uint32_t *dkeys;
    size_t dkeys_cap;
};

/* ---- Memory ---- */

static int ws_grow(ab__cws *ws, void **p, size_t *cap, size_t need, size_t elem)
{
    size_t before = *cap;
    int rc = ab__grow(ws->ctx, p, cap, need, elem);
    ws->bytes += (*cap - before) * elem;
    return rc;
}
#define WS_GROW(ws, arr, cap, need) ws_grow((ws), (void **)&(arr), &(cap), (need), sizeof(*(arr)))

static void ws_release(ab__cws *ws)
{
    ab_ctx *ctx = ws->ctx;
    ab__free(ctx, ws->mdata);
    ab__free(ctx, ws->moff);
    ab__free(ctx, ws->mhash);
    ab__free(ctx, ws->mdist);
    ab__free(ctx, ws->msil);
    ab__free(ctx, ws->mabs);
    ab__free(ctx, ws->mbits);
    ab__free(ctx, ws->mslots);
    ab__free(ctx, ws->st);
    ab__free(ctx, ws->sslots);
    ab__free(ctx, ws->heap);
    ab__free(ctx, ws->tlab);
    ab__free(ctx, ws->unk);
    ab__free(ctx, ws->suf);
    ab__free(ctx, ws->present);
    ab__free(ctx, ws->preach);
    ab__free(ctx, ws->ubits);
    ab__free(ctx, ws->tl);
    ab__free(ctx, ws->cur);
    ab__free(ctx, ws->buf);
    ab__free(ctx, ws->path);
    ab__free(ctx, ws->edges);
    ab__free(ctx, ws->dcnt);
    ab__free(ctx, ws->dlist);
    ab__free(ctx, ws->dfirst);
    ab__free(ctx, ws->dnum);
    ab__free(ctx, ws->dco);
    ab__free(ctx, ws->dqueue);
    ab__free(ctx, ws->dcode);
    ab__free(ctx, ws->dkeys);
    ws->edges = NULL;
    ws->dcnt = ws->dlist = ws->dco = ws->dqueue = ws->dkeys = ws->dfirst = ws->dnum = NULL;
    ws->dcode = NULL;
    ws->edge_cap = ws->dcnt_cap = ws->dlist_cap = ws->dco_cap = ws->dqueue_cap = 0;
    ws->dcode_cap = ws->dkeys_cap = ws->dfirst_cap = ws->dnum_cap = 0;
    ws->mdata = NULL;
    ws->moff = NULL;
    ws->mhash = NULL;
    ws->mdist = NULL;
    ws->msil = NULL;
    ws->mabs = NULL;
    ws->mbits = NULL;
    ws->mslots = NULL;
    ws->st = NULL;
    ws->sslots = NULL;
    ws->heap = NULL;
    ws->tlab = NULL;
    ws->unk = NULL;
    ws->suf = NULL;
    ws->present = NULL;
    ws->preach = NULL;
    ws->ubits = NULL;
    ws->tl = NULL;
    ws->cur = NULL;
    ws->buf = NULL;
    ws->path = NULL;
    ws->mdata_cap = ws->moff_cap = ws->mhash_cap = ws->mdist_cap = ws->mbits_cap = 0;
    ws->msil_cap = ws->mabs_cap = ws->present_cap = ws->preach_cap = ws->ubits_cap = 0;
    ws->st_cap = ws->heap_cap = ws->tlab_cap = ws->unk_cap = ws->suf_cap = ws->tl_cap = 0;
    ws->cur_cap = ws->buf_cap = ws->path_cap = 0;
    ws->mdata_len = ws->heap_len = 0;
    ws->mcount = ws->st_count = 0;
    ws->mmask = ws->smask = 0;
    ws->bytes = 0;
}

int ab__cws_create(ab__cws **out, ab_ctx *ctx, const ab__cnet *cn, const uint32_t *label_activity,
                   uint64_t max_states, uint64_t max_memory)
{
    *out = NULL;
    ab__cws *ws = ab__calloc(ctx, 1, sizeof(*ws));
    if (ws == NULL) {
        return AB_ENOMEM;
    }
    ws->ctx = ctx;
    ws->cn = cn;
    ws->label_activity = label_activity;
    ws->max_states = max_states;
    ws->max_memory = max_memory;
    ws->lab2j = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)cn->label_count + 1));
    ws->cand = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)cn->trans_count + 1));
    ws->pstamp = ab__calloc(ctx, (size_t)cn->place_count + 1, sizeof(uint32_t));
    ws->tcost = ab__malloc(ctx, (size_t)cn->trans_count + 1);
    ws->pabs = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)cn->place_count + 1));
    ws->pv = ab__malloc(ctx, sizeof(uint64_t) * ((size_t)cn->place_count + 1));
    ws->pq = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)cn->place_count + 1));
    ws->pqd = ab__malloc(ctx, (size_t)cn->place_count + 1);
    if (ws->lab2j == NULL || ws->cand == NULL || ws->pstamp == NULL || ws->tcost == NULL ||
        ws->pabs == NULL || ws->pv == NULL || ws->pq == NULL || ws->pqd == NULL) {
        ab__cws_destroy(ws);
        return AB_ENOMEM;
    }
    for (uint32_t l = 0; l < cn->label_count; l++) {
        ws->lab2j[l] = AB_CONFORM_NONE;
    }
    *out = ws;
    return AB_OK;
}

void ab__cws_set_fast_path(ab__cws *ws, int enabled)
{
    ws->no_fast_path = !enabled;
}

void ab__cws_destroy(ab__cws *ws)
{
    if (ws == NULL) {
        return;
    }
    ws_release(ws);
    ab__free(ws->ctx, ws->lab2j);
    ab__free(ws->ctx, ws->cand);
    ab__free(ws->ctx, ws->pstamp);
    ab__free(ws->ctx, ws->tcost);
    ab__free(ws->ctx, ws->pabs);
    ab__free(ws->ctx, ws->pv);
    ab__free(ws->ctx, ws->pq);
    ab__free(ws->ctx, ws->pqd);
    ab__free(ws->ctx, ws);
}

/* Empties the stores for a new search, keeping their memory unless it is
 * large. Table slots are cleared one by one when few were used. */
static int ws_reset(ab__cws *ws)
{
    if (ws->bytes > KEEP_BYTES_MAX || ws->bytes > ws->max_memory / 4) {
        /* The trace set-up lives in the same arrays: callers reset before
         * setting a trace up. */
        ws_release(ws);
    }
    if (ws->mslots != NULL) {
        if ((size_t)ws->mcount * 8 < (size_t)ws->mmask + 1) {
            for (uint32_t id = 0; id < ws->mcount; id++) {
                uint32_t i = ws->mhash[id] & ws->mmask;
                while (ws->mslots[i] != id + 1) {
                    i = (i + 1) & ws->mmask;
                }
                ws->mslots[i] = 0;
            }
        } else {
            memset(ws->mslots, 0, sizeof(uint32_t) * ((size_t)ws->mmask + 1));
        }
    }
    if (ws->sslots != NULL) {
        memset(ws->sslots, 0, sizeof(uint32_t) * ((size_t)ws->smask + 1));
    }
    ws->mcount = 0;
    ws->mdata_len = 0;
    ws->st_count = 0;
    ws->heap_len = 0;
    ws->seq = 0;
    ws->best = AB_CONFORM_NONE;
    ws->edge_len = 0;
    ws->bound = UINT64_MAX;
    ws->recording = 0;
    ws->check_complete = 0;
    ws->check_expanded = 0;
    if (ws->mslots == NULL) {
        ws->mslots = ab__calloc(ws->ctx, 1024, sizeof(uint32_t));
        if (ws->mslots == NULL) {
            return AB_ENOMEM;
        }
        ws->mmask = 1023;
        ws->bytes += 1024 * sizeof(uint32_t);
    }
    if (ws->sslots == NULL) {
        ws->sslots = ab__calloc(ws->ctx, 1024, sizeof(uint32_t));
        if (ws->sslots == NULL) {
            return AB_ENOMEM;
        }
        ws->smask = 1023;
        ws->bytes += 1024 * sizeof(uint32_t);
    }
    if (WS_GROW(ws, ws->moff, ws->moff_cap, 1) != AB_OK) {
        return AB_ENOMEM;
    }
    ws->moff[0] = 0;
    return AB_OK;
}

/* ---- The trace ---- */

static int set_trace(ab__cws *ws, const uint32_t *acts, uint32_t n, const uint32_t *activity_label)
{
    const ab__cnet *cn = ws->cn;
    ws->acts = acts;
    ws->n = n;
    if (WS_GROW(ws, ws->tlab, ws->tlab_cap, (size_t)n + 1) != AB_OK ||
        WS_GROW(ws, ws->unk, ws->unk_cap, (size_t)n + 1) != AB_OK ||
        WS_GROW(ws, ws->tl, ws->tl_cap, (size_t)n + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    ws->k = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t l = activity_label != NULL ? activity_label[acts[i]] : AB_NET_SILENT;
        ws->tlab[i] = l;
        if (l != AB_NET_SILENT && ws->lab2j[l] == AB_CONFORM_NONE) {
            ws->lab2j[l] = ws->k;
            ws->tl[ws->k++] = l;
        }
    }
    ws->unk[n] = 0;
    for (uint32_t i = n; i > 0; i--) {
        ws->unk[i - 1] = ws->unk[i] + (ws->tlab[i - 1] == AB_NET_SILENT);
    }
    ws->kw = 0;
    uint32_t k = ws->k;
    int rc = AB_OK;
    ws->trace_bytes = ((uint64_t)n + 1) * 3 * sizeof(uint32_t);
    if (cn->reach != NULL && k > 0 && (size_t)k * ((size_t)n + 1) <= SUF_MAX_ENTRIES) {
        if (WS_GROW(ws, ws->suf, ws->suf_cap, (size_t)k * ((size_t)n + 1)) != AB_OK) {
            rc = AB_ENOMEM;
        } else {
            uint32_t *row = ws->suf + (size_t)n * k;
            memset(row, 0, sizeof(uint32_t) * k);
            for (uint32_t i = n; i > 0; i--) {
                uint32_t *prev = ws->suf + (size_t)(i - 1) * k;
                memcpy(prev, prev + k, sizeof(uint32_t) * k);
                if (ws->tlab[i - 1] != AB_NET_SILENT) {
                    prev[ws->lab2j[ws->tlab[i - 1]]]++;
                }
            }
            ws->kw = (k + 63) / 64;
            ws->trace_bytes += (uint64_t)k * ((uint64_t)n + 1) * sizeof(uint32_t);
        }
    }
    /* Transitions whose label the trace lacks can only be model moves: a
     * potential over them bounds the model moves still to come. */
    ws->use_abs = 0;
    for (uint32_t t = 0; t < cn->trans_count; t++) {
        uint32_t l = cn->label[t];
        ws->tcost[t] = (uint8_t)(l != AB_NET_SILENT && ws->lab2j[l] == AB_CONFORM_NONE);
        ws->use_abs |= ws->tcost[t];
    }
    if (ws->use_abs) {
        ab__cnet_potential(cn, ws->tcost, ws->pv, ws->pq, ws->pqd, ws->pabs);
    }
    for (uint32_t j = 0; j < k; j++) {
        ws->lab2j[ws->tl[j]] = AB_CONFORM_NONE;
    }
    uint32_t kw = ws->kw;
    if (rc == AB_OK && kw > 0) {
        if (WS_GROW(ws, ws->present, ws->present_cap, ((size_t)n + 1) * kw) != AB_OK ||
            WS_GROW(ws, ws->preach, ws->preach_cap, (size_t)cn->place_count * kw) != AB_OK ||
            WS_GROW(ws, ws->ubits, ws->ubits_cap, kw) != AB_OK) {
            return AB_ENOMEM;
        }
        memset(ws->present, 0, sizeof(uint64_t) * ((size_t)n + 1) * kw);
        for (uint32_t i = 0; i < n; i++) {
            const uint32_t *row = ws->suf + (size_t)i * k;
            uint64_t *bits = ws->present + (size_t)i * kw;
            for (uint32_t j = 0; j < k; j++) {
                if (row[j] != 0) {
                    bits[j / 64] |= (uint64_t)1 << (j % 64);
                }
            }
        }
        ws->trace_bytes += ((uint64_t)n + 1 + cn->place_count) * kw * sizeof(uint64_t);
        /* A new trace number invalidates every place's row. */
        if (++ws->stamp == 0) {
            memset(ws->pstamp, 0, sizeof(uint32_t) * ws->cn->place_count);
            ws->stamp = 1;
        }
    }
    return rc;
}

/* The trace labels a token in p may lead to, as kw words. */
static const uint64_t *place_reach(ab__cws *ws, uint32_t p)
{
    uint64_t *bits = ws->preach + (size_t)p * ws->kw;
    if (ws->pstamp[p] != ws->stamp) {
        const uint64_t *r = ws->cn->reach + (size_t)p * ws->cn->reach_words;
        memset(bits, 0, sizeof(uint64_t) * ws->kw);
        for (uint32_t j = 0; j < ws->k; j++) {
            uint32_t l = ws->tl[j];
            if (r[l / 64] & ((uint64_t)1 << (l % 64))) {
                bits[j / 64] |= (uint64_t)1 << (j % 64);
            }
        }
        ws->pstamp[p] = ws->stamp;
    }
    return bits;
}

/* ---- Markings ---- */

static uint32_t hash_marking(const uint32_t *m, uint32_t len)
{
    uint64_t h = ab__hash64(m, sizeof(uint32_t) * (size_t)len, 0x9E3779B97F4A7C15ull);
    return (uint32_t)(h ^ (h >> 32));
}

static int mark_rehash(ab__cws *ws)
{
    uint32_t nsize = (ws->mmask + 1) * 2;
    uint32_t *slots = ab__calloc(ws->ctx, nsize, sizeof(uint32_t));
    if (slots == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t id = 0; id < ws->mcount; id++) {
        uint32_t i = ws->mhash[id] & (nsize - 1);
        while (slots[i] != 0) {
            i = (i + 1) & (nsize - 1);
        }
        slots[i] = id + 1;
    }
    ab__free(ws->ctx, ws->mslots);
    ws->bytes += (size_t)(nsize / 2) * sizeof(uint32_t);
    ws->mslots = slots;
    ws->mmask = nsize - 1;
    return AB_OK;
}

/* The heuristic's view of a new marking: lower bounds of the visible and of
 * the silent transitions still to fire (the larger of the largest place
 * distance and the tokens' potential; AB__CF_INF when the sink cannot be
 * reached), and which of the trace's labels no marked place can lead to. */
static void mark_info(ab__cws *ws, uint32_t id, const uint32_t *m, uint32_t len)
{
    const ab__cnet *cn = ws->cn;
    uint32_t d = 0, ds = 0;
    uint64_t pot = 0, pots = 0;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t p = m[i];
        d = cn->dist[p] > d ? cn->dist[p] : d;
        ds = cn->dist_sil[p] > ds ? cn->dist_sil[p] : ds;
        pot += cn->pot[p];
        pots += cn->pot_sil[p];
    }
    if (d != AB__CF_INF && pot > d) {
        d = pot >= AB__CF_INF ? AB__CF_INF - 1 : (uint32_t)pot;
    }
    if (ds != AB__CF_INF && pots > ds) {
        ds = pots >= AB__CF_INF ? AB__CF_INF - 1 : (uint32_t)pots;
    }
    ws->mdist[id] = d;
    ws->msil[id] = ds == AB__CF_INF ? 0 : ds;
    if (ws->use_abs) {
        uint64_t pa = 0;
        for (uint32_t i = 0; i < len; i++) {
            pa += ws->pabs[m[i]];
        }
        ws->mabs[id] = pa >= AB__CF_INF ? AB__CF_INF - 1 : (uint32_t)pa;
    } else {
        ws->mabs[id] = 0;
    }
    uint32_t kw = ws->kw;
    if (kw == 0) {
        return;
    }
    memset(ws->ubits, 0, sizeof(uint64_t) * kw);
    for (uint32_t i = 0; i < len; i++) {
        if (i > 0 && m[i] == m[i - 1]) {
            continue;
        }
        const uint64_t *r = place_reach(ws, m[i]);
        for (uint32_t w = 0; w < kw; w++) {
            ws->ubits[w] |= r[w];
        }
    }
    uint64_t *bits = ws->mbits + (size_t)id * kw;
    for (uint32_t w = 0; w < kw; w++) {
        bits[w] = ~ws->ubits[w];
    }
    if (ws->k % 64 != 0) {
        bits[kw - 1] &= ((uint64_t)1 << (ws->k % 64)) - 1;
    }
}

static int mark_intern(ab__cws *ws, const uint32_t *m, uint32_t len, uint32_t *id_out)
{
    uint32_t h = hash_marking(m, len);
    uint32_t i = h & ws->mmask;
    while (ws->mslots[i] != 0) {
        uint32_t id = ws->mslots[i] - 1;
        if (ws->mhash[id] == h && ws->moff[id + 1] - ws->moff[id] == len &&
            memcmp(ws->mdata + ws->moff[id], m, sizeof(uint32_t) * len) == 0) {
            *id_out = id;
            return AB_OK;
        }
        i = (i + 1) & ws->mmask;
    }
    if (ws->mcount == UINT32_MAX - 1) {
        return AB_ENOMEM;
    }
    size_t c = (size_t)ws->mcount + 1;
    if (WS_GROW(ws, ws->mdata, ws->mdata_cap, ws->mdata_len + len + 1) != AB_OK ||
        WS_GROW(ws, ws->moff, ws->moff_cap, c + 1) != AB_OK ||
        WS_GROW(ws, ws->mhash, ws->mhash_cap, c) != AB_OK ||
        WS_GROW(ws, ws->mdist, ws->mdist_cap, c) != AB_OK ||
        WS_GROW(ws, ws->msil, ws->msil_cap, c) != AB_OK ||
        WS_GROW(ws, ws->mabs, ws->mabs_cap, c) != AB_OK ||
        (ws->kw > 0 && WS_GROW(ws, ws->mbits, ws->mbits_cap, c * ws->kw) != AB_OK)) {
        return AB_ENOMEM;
    }
    uint32_t id = ws->mcount++;
    memcpy(ws->mdata + ws->mdata_len, m, sizeof(uint32_t) * len);
    ws->mdata_len += len;
    ws->moff[id + 1] = ws->mdata_len;
    ws->mhash[id] = h;
    ws->mslots[i] = id + 1;
    mark_info(ws, id, m, len);
    *id_out = id;
    if ((uint64_t)ws->mcount * 2 > (uint64_t)ws->mmask + 1) {
        return mark_rehash(ws);
    }
    return AB_OK;
}

/* ---- Product states and the open list ---- */

static uint32_t hash_state(uint32_t mark, uint32_t pos)
{
    uint64_t h = (uint64_t)mark * 0x9E3779B97F4A7C15ull ^ (uint64_t)pos * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 29;
    return (uint32_t)(h ^ (h >> 32));
}

/* The state's index, or AB_CONFORM_NONE with *slot_out where to insert it. */
static uint32_t state_find(const ab__cws *ws, uint32_t mark, uint32_t pos, uint32_t *slot_out)
{
    uint32_t i = hash_state(mark, pos) & ws->smask;
    while (ws->sslots[i] != 0) {
        uint32_t s = ws->sslots[i] - 1;
        if (ws->st[s].mark == mark && ws->st[s].pos == pos) {
            return s;
        }
        i = (i + 1) & ws->smask;
    }
    *slot_out = i;
    return AB_CONFORM_NONE;
}

static int state_rehash(ab__cws *ws)
{
    uint32_t nsize = (ws->smask + 1) * 2;
    uint32_t *slots = ab__calloc(ws->ctx, nsize, sizeof(uint32_t));
    if (slots == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t s = 0; s < ws->st_count; s++) {
        uint32_t i = hash_state(ws->st[s].mark, ws->st[s].pos) & (nsize - 1);
        while (slots[i] != 0) {
            i = (i + 1) & (nsize - 1);
        }
        slots[i] = s + 1;
    }
    ab__free(ws->ctx, ws->sslots);
    ws->bytes += (size_t)(nsize / 2) * sizeof(uint32_t);
    ws->sslots = slots;
    ws->smask = nsize - 1;
    return AB_OK;
}

static int hent_less(const hent *a, const hent *b, int dive)
{
    if (a->f != b->f) {
        return a->f < b->f;
    }
    if (a->pos != b->pos) {
        return a->pos > b->pos;
    }
    return dive ? a->seq > b->seq : a->seq < b->seq;
}

static int heap_push(ab__cws *ws, uint32_t s)
{
    if (WS_GROW(ws, ws->heap, ws->heap_cap, ws->heap_len + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    const cstate *x = &ws->st[s];
    hent e = {x->g + x->h, ws->seq++, x->pos, s};
    size_t i = ws->heap_len++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!hent_less(&e, &ws->heap[p], ws->dive)) {
            break;
        }
        ws->heap[i] = ws->heap[p];
        i = p;
    }
    ws->heap[i] = e;
    return AB_OK;
}

static hent heap_pop(ab__cws *ws)
{
    hent top = ws->heap[0];
    hent last = ws->heap[--ws->heap_len];
    size_t n = ws->heap_len, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) {
            break;
        }
        if (c + 1 < n && hent_less(&ws->heap[c + 1], &ws->heap[c], ws->dive)) {
            c++;
        }
        if (!hent_less(&ws->heap[c], &last, ws->dive)) {
            break;
        }
        ws->heap[i] = ws->heap[c];
        i = c;
    }
    if (n > 0) {
        ws->heap[i] = last;
    }
    return top;
}

/*
 * The heuristic h(m, i) = hd * AB__CF_DEV + hs. Deviations hd: let u be the
 * instances from i on that cannot be synchronous any more (no transition
 * has their activity, or no marked place leads to their label), R = n - i -
 * u the others, and D the visible lower bound of mark_info (a distance or a
 * potential, each lowered by at most visible(t) when t fires): a completion
 * fires V >= D visible transitions and S <= min(V, R) synchronous moves, so
 * it has (n - i - S) + (V - S) >= u + max(0, D - R) deviations; and the
 * model moves on labels the trace lacks, at least A (the tokens' sum of that
 * potential, mark_info), come on top of the u log moves: hd = u + max(D - R,
 * A, 0). Silent moves hs: the silent lower bound of mark_info, which every
 * completion needs at least (the optimal one included, so the sum stays
 * admissible). Consistent, move by move: a log move lowers hd by at most
 * its cost 1; a synchronous move lowers D by at most 1 while it lowers R by
 * 1, and never lowers A; a model move lowers D and A by at most 1; a silent
 * move never lowers D or A and lowers hs by at most 1; u never falls except
 * by a log move on an unreachable instance (reach sets only shrink as
 * transitions fire). So the first expansion of a node is optimal.
 */
static uint64_t heuristic(const ab__cws *ws, uint32_t mark, uint32_t pos)
{
    uint32_t d = ws->mdist[mark];
    if (d == AB__CF_INF) {
        return UINT64_MAX;
    }
    uint32_t u = ws->unk[pos];
    if (ws->kw > 0) {
        const uint64_t *bits = ws->mbits + (size_t)mark * ws->kw;
        const uint64_t *here = ws->present + (size_t)pos * ws->kw;
        const uint32_t *row = ws->suf + (size_t)pos * ws->k;
        for (uint32_t w = 0; w < ws->kw; w++) {
            uint64_t b = bits[w] & here[w];
            while (b != 0) {
                uint32_t j = w * 64 + (uint32_t)__builtin_ctzll(b);
                b &= b - 1;
                u += row[j];
            }
        }
    }
    uint32_t r = ws->n - pos - u;
    uint32_t model = d > r ? d - r : 0;
    model = ws->mabs[mark] > model ? ws->mabs[mark] : model;
    uint64_t dev = (uint64_t)u + model;
    /* A dive counts no silent moves, so it must not expect any. */
    return dev * AB__CF_DEV + (ws->dive ? 0 : ws->msil[mark]);
}

/* Records the edge parent --move--> s for the ambiguity check, unless s
 * was expanded already and the edge is not tight (see plateau_edges()). */
static int record(ab__cws *ws, uint32_t parent, uint32_t s, uint32_t pos, uint32_t trans,
                  ab_move_kind kind)
{
    uint32_t dev = (uint32_t)(ws->st[parent].g / AB__CF_DEV) + (kind == AB_MOVE_LOG) +
                   (kind == AB_MOVE_MODEL);
    if (ws->st[s].closed && (uint32_t)(ws->st[s].g / AB__CF_DEV) != dev) {
        return AB_OK;
    }
    if (WS_GROW(ws, ws->edges, ws->edge_cap, ws->edge_len + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    cedge *e = &ws->edges[ws->edge_len++];
    e->from = parent;
    e->to = s;
    e->key = kind == AB_MOVE_LOG     ? ws->acts[pos - 1]
             : kind == AB_MOVE_MODEL ? ws->cn->label[trans] | KEY_MODEL
                                     : KEY_NONE;
    return AB_OK;
}

/* Offers the path parent --move--> (mark, pos) of cost g. */
static int relax(ab__cws *ws, uint32_t mark, uint32_t pos, uint64_t g, uint32_t parent,
                 uint32_t trans, ab_move_kind kind, int zero_only)
{
    uint32_t slot = 0;
    uint32_t s = state_find(ws, mark, pos, &slot);
    if (s == AB_CONFORM_NONE) {
        uint64_t h = heuristic(ws, mark, pos);
        if (h == UINT64_MAX || (zero_only && h >= AB__CF_DEV)) {
            return AB_OK; /* No completion, or none without a deviation. */
        }
        if (h >= ws->bound || g >= ws->bound - h) {
            return AB_OK; /* Past the goal, off the plateau: no optimal path through it. */
        }
        if (ws->st_count == UINT32_MAX - 1 ||
            WS_GROW(ws, ws->st, ws->st_cap, (size_t)ws->st_count + 1) != AB_OK) {
            return AB_ENOMEM;
        }
        s = ws->st_count++;
        cstate *x = &ws->st[s];
        x->g = g;
        x->mark = mark;
        x->pos = pos;
        x->parent = parent;
        x->trans = trans;
        x->h = h;
        x->kind = (uint8_t)kind;
        x->closed = 0;
        ws->sslots[slot] = s + 1;
        if ((uint64_t)ws->st_count * 2 > (uint64_t)ws->smask + 1 && state_rehash(ws) != AB_OK) {
            return AB_ENOMEM;
        }
        if (ws->recording && parent != AB_CONFORM_NONE &&
            record(ws, parent, s, pos, trans, kind) != AB_OK) {
            return AB_ENOMEM;
        }
        return heap_push(ws, s);
    }
    if (ws->recording && record(ws, parent, s, pos, trans, kind) != AB_OK) {
        return AB_ENOMEM;
    }
    cstate *x = &ws->st[s];
    if (x->closed || g >= x->g || g + x->h >= ws->bound) {
        return AB_OK;
    }
    x->g = g;
    x->parent = parent;
    x->trans = trans;
    x->kind = (uint8_t)kind;
    return heap_push(ws, s);
}

static int enabled(const ab__cnet *cn, uint32_t t, const uint32_t *m, uint32_t len)
{
    uint32_t j = 0;
    for (uint32_t a = cn->in_first[t]; a < cn->in_first[t + 1]; a++) {
        uint32_t p = cn->in[a].place;
        while (j < len && m[j] < p) {
            j++;
        }
        uint32_t c = 0;
        while (j < len && m[j] == p) {
            c++;
            j++;
        }
        if (c < cn->in[a].weight) {
            return 0;
        }
    }
    return 1;
}

/* Fires t (enabled) in m into out; returns the new length. Both sorted. */
static uint32_t fire(const ab__cnet *cn, uint32_t t, const uint32_t *m, uint32_t len, uint32_t *out)
{
    uint32_t o = 0;
    uint32_t ia = cn->in_first[t], ie = cn->in_first[t + 1];
    uint32_t rem = ia < ie ? cn->in[ia].weight : 0;
    uint32_t oa = cn->out_first[t], oe = cn->out_first[t + 1];
    for (uint32_t i = 0; i < len; i++) {
        uint32_t p = m[i];
        while (ia < ie && cn->in[ia].place < p) {
            ia++;
            rem = ia < ie ? cn->in[ia].weight : 0;
        }
        while (oa < oe && cn->out[oa].place <= p) {
            for (uint32_t w = 0; w < cn->out[oa].weight; w++) {
                out[o++] = cn->out[oa].place;
            }
            oa++;
        }
        if (ia < ie && cn->in[ia].place == p && rem > 0) {
            rem--;
            continue;
        }
        out[o++] = p;
    }
    for (; oa < oe; oa++) {
        for (uint32_t w = 0; w < cn->out[oa].weight; w++) {
            out[o++] = cn->out[oa].place;
        }
    }
    return o;
}

static void sort_u32(uint32_t *a, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        uint32_t v = a[i], j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Generates the successors of state s in the canonical order. */
static int expand(ab__cws *ws, uint32_t s, int zero_only)
{
    const ab__cnet *cn = ws->cn;
    const cstate cur = ws->st[s];
    uint32_t len = (uint32_t)(ws->moff[cur.mark + 1] - ws->moff[cur.mark]);
    if (WS_GROW(ws, ws->cur, ws->cur_cap, (size_t)len + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    uint32_t *m = ws->cur;
    memcpy(m, ws->mdata + ws->moff[cur.mark], sizeof(uint32_t) * len);
    uint32_t nc = 0;
    for (uint32_t i = 0; i < len; i++) {
        if (i > 0 && m[i] == m[i - 1]) {
            continue;
        }
        for (uint32_t k = cn->cons_first[m[i]]; k < cn->cons_first[m[i] + 1]; k++) {
            ws->cand[nc++] = cn->cons[k];
        }
    }
    for (uint32_t k = 0; k < cn->free_count; k++) {
        ws->cand[nc++] = cn->free_trans[k];
    }
    if (nc > 32) {
        qsort(ws->cand, nc, sizeof(uint32_t), cmp_u32);
    } else {
        sort_u32(ws->cand, nc);
    }
    uint32_t lab_here = cur.pos < ws->n ? ws->tlab[cur.pos] : AB_NET_SILENT;
    /* An enabled urgent transition (the first in net order) is the only
     * successor: see ab__cnet_build. */
    uint32_t urgent = AB_CONFORM_NONE;
    for (uint32_t k = 0; k < nc && urgent == AB_CONFORM_NONE; k++) {
        if (cn->urgent[ws->cand[k]] && enabled(cn, ws->cand[k], m, len)) {
            urgent = ws->cand[k];
        }
    }
    if (urgent != AB_CONFORM_NONE) {
        ws->cand[0] = urgent;
        nc = 1;
    }
    for (uint32_t k = 0; k < nc; k++) {
        uint32_t t = ws->cand[k];
        if (urgent == AB_CONFORM_NONE && !enabled(cn, t, m, len)) {
            continue;
        }
        if (WS_GROW(ws, ws->buf, ws->buf_cap, (size_t)len + cn->out_tokens[t] + 1) != AB_OK) {
            return AB_ENOMEM;
        }
        uint32_t nl = fire(cn, t, m, len, ws->buf);
        uint32_t mid;
        if (mark_intern(ws, ws->buf, nl, &mid) != AB_OK) {
            return AB_ENOMEM;
        }
        if (ws->mdist[mid] == AB__CF_INF) {
            continue; /* The sink can no longer be reached. */
        }
        uint32_t lab = cn->label[t];
        int rc;
        if (lab == AB_NET_SILENT) {
            /* A dive looks for fewest visible transitions only: silent moves
             * are free there, which keeps its priority flat along a run. */
            rc = relax(ws, mid, cur.pos, cur.g + (ws->dive ? 0 : 1), s, t, AB_MOVE_SILENT,
                       zero_only);
        } else {
            rc = AB_OK;
            if (lab == lab_here) {
                rc = relax(ws, mid, cur.pos + 1, cur.g, s, t, AB_MOVE_SYNC, zero_only);
            }
            if (rc == AB_OK && !zero_only) {
                rc = relax(ws, mid, cur.pos, cur.g + AB__CF_DEV, s, t, AB_MOVE_MODEL, 0);
            }
        }
        if (rc != AB_OK) {
            return rc;
        }
    }
    if (!zero_only && cur.pos < ws->n && urgent == AB_CONFORM_NONE) {
        return relax(ws, cur.mark, cur.pos + 1, cur.g + AB__CF_DEV, s, AB_CONFORM_NONE, AB_MOVE_LOG,
                     0);
    }
    return AB_OK;
}

/*
 * The bytes a search holds, counted from what its stores contain rather than
 * from their capacities, which depend on the variants the same thread
 * aligned before: the budget must not (the result would depend on the
 * thread count). Growth slack is included: arrays grow by half and hash
 * tables are at most half full, so this is about what a workspace that
 * started empty would hold.
 */
static uint64_t ws_need(const ab__cws *ws)
{
    uint64_t arrays =
        (uint64_t)ws->mdata_len * sizeof(uint32_t) +
        (uint64_t)ws->mcount *
            (sizeof(uint64_t) + 4 * sizeof(uint32_t) + (uint64_t)ws->kw * sizeof(uint64_t)) +
        (uint64_t)ws->st_count * sizeof(cstate) + (uint64_t)ws->heap_len * sizeof(hent);
    uint64_t tables = ((uint64_t)ws->mcount + ws->st_count) * 4 * sizeof(uint32_t);
    return arrays + arrays / 2 + tables + ws->trace_bytes;
}

/*
 * Best-first search from marking m0 with the trace set up. SEARCH_FOUND with
 * *goal_out, SEARCH_BUDGET (ws->best is the deepest expanded node),
 * SEARCH_EXHAUSTED, or AB_ENOMEM. *expanded_out counts expansions up to the
 * goal.
 *
 * With ws->check, the edges out of every expanded node are recorded and the
 * search goes on past the goal (which it closes without expanding) until
 * the open list holds nothing whose f has as few deviations as the goal's:
 * then every node on an optimal path (fewest deviations, any silent moves)
 * has been expanded, because such a node's f = g* + h has at most the
 * optimal deviations (h is consistent, so it never overestimates) and A*
 * expands every node whose f is below the f it stops at. Nodes found past
 * the goal with f above that bound are not even stored. ws->check_complete
 * says whether this went through; it does not when the edges or the
 * continuation pass the budget (max_states more expansions, max_memory for
 * everything), and then the alignment is the same, only without a verdict.
 * The edges' memory is kept out of the budget of the search up to the
 * goal, so the alignment never depends on whether the check was asked for.
 */
static int search(ab__cws *ws, const uint32_t *m0, uint32_t len0, int zero_only,
                  uint64_t *expanded_out, uint32_t *goal_out)
{
    const ab__cnet *cn = ws->cn;
    uint64_t expanded = 0, extra = 0;
    uint32_t goal = AB_CONFORM_NONE;
    int passed = 0; /* The continuation passed the budget. */
    *expanded_out = 0;
    ws->recording = ws->check && !zero_only;
    uint32_t final, root;
    if (mark_intern(ws, &cn->sink, 1, &final) != AB_OK ||
        mark_intern(ws, m0, len0, &root) != AB_OK) {
        return AB_ENOMEM;
    }
    if (relax(ws, root, 0, 0, AB_CONFORM_NONE, AB_CONFORM_NONE, AB_MOVE_SILENT, zero_only) !=
        AB_OK) {
        return AB_ENOMEM;
    }
    while (ws->heap_len > 0) {
        hent e = heap_pop(ws);
        if (e.f >= ws->bound) {
            break; /* The plateau is exhausted. */
        }
        cstate *x = &ws->st[e.state];
        if (x->closed || e.f != x->g + x->h) {
            continue; /* Superseded by a cheaper path. */
        }
        if (x->mark == final && x->pos == ws->n) {
            *goal_out = e.state;
            *expanded_out = expanded;
            if (!ws->recording) {
                return SEARCH_FOUND;
            }
            goal = e.state;
            x->closed = 1;
            ws->bound = (e.f / AB__CF_DEV + 1) * AB__CF_DEV;
            continue;
        }
        uint64_t edge_bytes = ws->recording ? (uint64_t)ws->edge_len * sizeof(cedge) : 0;
        if (goal == AB_CONFORM_NONE) {
            if (expanded >= ws->max_states || ws_need(ws) > ws->max_memory) {
                *expanded_out = expanded;
                return SEARCH_BUDGET;
            }
            if (ws->recording && ws_need(ws) + edge_bytes > ws->max_memory) {
                ws->recording = 0; /* No verdict, the same alignment. */
            }
            expanded++;
        } else {
            if (extra >= ws->max_states || ws_need(ws) + edge_bytes > ws->max_memory) {
                passed = 1; /* No verdict. */
                break;
            }
            extra++;
        }
        x->closed = 1;
        if (ws->best == AB_CONFORM_NONE || x->pos > ws->st[ws->best].pos) {
            ws->best = e.state;
        }
        if (expand(ws, e.state, zero_only) != AB_OK) {
            *expanded_out = expanded;
            return AB_ENOMEM;
        }
    }
    if (goal != AB_CONFORM_NONE) {
        ws->check_expanded = extra;
        ws->check_complete = ws->recording && !passed;
        return SEARCH_FOUND;
    }
    *expanded_out = expanded;
    return SEARCH_EXHAUSTED;
}

/* The moves from the root to state s, in order, into ws->path. */
static int path_to(ab__cws *ws, uint32_t s, uint32_t *count_out)
{
    uint32_t count = 0;
    for (uint32_t x = s; ws->st[x].parent != AB_CONFORM_NONE; x = ws->st[x].parent) {
        count++;
    }
    if (WS_GROW(ws, ws->path, ws->path_cap, (size_t)count + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    uint32_t i = count;
    for (uint32_t x = s; ws->st[x].parent != AB_CONFORM_NONE; x = ws->st[x].parent) {
        const cstate *c = &ws->st[x];
        const cstate *p = &ws->st[c->parent];
        ab_move *mv = &ws->path[--i];
        mv->kind = (ab_move_kind)c->kind;
        mv->transition = c->trans;
        mv->position = p->pos;
        switch (mv->kind) {
        case AB_MOVE_SYNC:
        case AB_MOVE_LOG:
            mv->activity = ws->acts[p->pos];
            break;
        case AB_MOVE_MODEL:
            mv->activity = ws->label_activity != NULL ? ws->label_activity[ws->cn->label[c->trans]]
                                                      : AB_CONFORM_NONE;
            break;
        default:
            mv->activity = AB_CONFORM_NONE;
            break;
        }
    }
    *count_out = count;
    return AB_OK;
}

static uint32_t deviations(const ab_move *mv, uint32_t count)
{
    uint32_t d = 0;
    for (uint32_t i = 0; i < count; i++) {
        d += mv[i].kind == AB_MOVE_LOG || mv[i].kind == AB_MOVE_MODEL;
    }
    return d;
}

/*
 * A model run is not an alignment: which of several runs with the fewest
 * visible transitions is found does not matter, so the search dives (silent
 * moves free, latest first among equal priority) instead of widening over
 * every interleaving of parallel branches.
 */
int ab__cf_shortest_run(ab__cws *ws, ab__cf_run *out)
{
    memset(out, 0, sizeof(*out));
    if (ws_reset(ws) != AB_OK || set_trace(ws, NULL, 0, NULL) != AB_OK) {
        return AB_ENOMEM;
    }
    uint64_t expanded;
    uint32_t goal = 0, count = 0;
    ws->dive = 1;
    int rc = search(ws, &ws->cn->source, 1, 0, &expanded, &goal);
    ws->dive = 0;
    if (rc < 0) {
        return rc;
    }
    if (rc == SEARCH_BUDGET) {
        return AB_ELIMIT;
    }
    if (rc == SEARCH_EXHAUSTED) {
        return AB_EINVAL;
    }
    if (path_to(ws, goal, &count) != AB_OK) {
        return AB_ENOMEM;
    }
    out->trans = ab__malloc(ws->ctx, sizeof(uint32_t) * ((size_t)count + 1));
    if (out->trans == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t i = 0; i < count; i++) {
        out->trans[i] = ws->path[i].transition;
        out->visible += ws->path[i].kind == AB_MOVE_MODEL;
    }
    out->count = count;
    return AB_OK;
}

/* Appends moves to a result array allocated with the workspace context. */
static int out_append(ab__cws *ws, ab__cf_alignment *out, size_t *cap, const ab_move *mv,
                      uint32_t count)
{
    if (ab__grow(ws->ctx, (void **)&out->moves, cap, (size_t)out->move_count + count + 1,
                 sizeof(ab_move)) != AB_OK) {
        return AB_ENOMEM;
    }
    memcpy(out->moves + out->move_count, mv, sizeof(ab_move) * count);
    out->move_count += count;
    return AB_OK;
}

static int out_log_moves(ab__cws *ws, ab__cf_alignment *out, size_t *cap, const uint32_t *acts,
                         uint32_t from, uint32_t n)
{
    for (uint32_t i = from; i < n; i++) {
        ab_move mv = {AB_MOVE_LOG, AB_CONFORM_NONE, acts[i], i};
        if (out_append(ws, out, cap, &mv, 1) != AB_OK) {
            return AB_ENOMEM;
        }
    }
    return AB_OK;
}

/*
 * Past the budget. First the same search dives (silent moves free, latest
 * first among equal priority): with the same consistent heuristic its first
 * goal still has the fewest deviations, and on a plateau of equal priority
 * it goes deep instead of wide, so it often finishes where the canonical
 * search did not; its alignment is optimal in deviations but not R1's
 * choice, hence still flagged approximate. If it passes the budget too,
 * candidate A completes its deepest node (whose path is optimal) with log
 * moves for the rest of the trace and a shortest model run from its
 * marking; candidate B is all log moves plus the net's shortest complete
 * run, so the result never costs more than worst_cost.
 */
static int approximate(ab__cws *ws, const uint32_t *acts, uint32_t n,
                       const uint32_t *activity_label, const ab__cf_run *run, ab__cf_alignment *out,
                       size_t *cap)
{
    int rc = AB_OK;
    ab_move *prefix = NULL;
    uint32_t *mbest = NULL;
    uint32_t plen = 0, pos = 0, mlen = 0, cost_a = UINT32_MAX, goal = 0, tail = 0;
    uint64_t expanded;
    AB_TRY(ws_reset(ws));
    AB_TRY(set_trace(ws, acts, n, activity_label));
    ws->dive = 1;
    int sr = search(ws, &ws->cn->source, 1, 0, &expanded, &goal);
    ws->dive = 0;
    out->states += expanded;
    if (sr < 0) {
        rc = sr;
        goto done;
    }
    if (sr == SEARCH_FOUND) {
        AB_TRY(path_to(ws, goal, &tail));
        AB_TRY(out_append(ws, out, cap, ws->path, tail));
        out->cost = (uint32_t)(ws->st[goal].g / AB__CF_DEV);
        goto done;
    }
    if (ws->best != AB_CONFORM_NONE) {
        const cstate *b = &ws->st[ws->best];
        pos = b->pos;
        mlen = (uint32_t)(ws->moff[b->mark + 1] - ws->moff[b->mark]);
        mbest = ab__malloc(ws->ctx, sizeof(uint32_t) * ((size_t)mlen + 1));
        if (mbest == NULL || path_to(ws, ws->best, &plen) != AB_OK) {
            rc = AB_ENOMEM;
            goto done;
        }
        memcpy(mbest, ws->mdata + ws->moff[b->mark], sizeof(uint32_t) * mlen);
        prefix = ab__malloc(ws->ctx, sizeof(ab_move) * ((size_t)plen + 1));
        if (prefix == NULL) {
            rc = AB_ENOMEM;
            goto done;
        }
        memcpy(prefix, ws->path, sizeof(ab_move) * plen);
        AB_TRY(ws_reset(ws));
        AB_TRY(set_trace(ws, NULL, 0, NULL));
        ws->dive = 1; /* A model run to complete with: any shortest one. */
        sr = search(ws, mbest, mlen, 0, &expanded, &goal);
        ws->dive = 0;
        out->states += expanded;
        if (sr < 0) {
            rc = sr;
            goto done;
        }
        if (sr == SEARCH_FOUND) {
            AB_TRY(path_to(ws, goal, &tail));
            cost_a = deviations(prefix, plen) + (n - pos) + deviations(ws->path, tail);
        }
    }
    if (cost_a <= n + run->visible) {
        AB_TRY(out_append(ws, out, cap, prefix, plen));
        AB_TRY(out_log_moves(ws, out, cap, acts, pos, n));
        for (uint32_t i = 0; i < tail; i++) {
            ws->path[i].position = n;
        }
        AB_TRY(out_append(ws, out, cap, ws->path, tail));
        out->cost = cost_a;
    } else {
        AB_TRY(out_log_moves(ws, out, cap, acts, 0, n));
        for (uint32_t i = 0; i < run->count; i++) {
            uint32_t t = run->trans[i];
            uint32_t l = ws->cn->label[t];
            ab_move mv = {l == AB_NET_SILENT ? AB_MOVE_SILENT : AB_MOVE_MODEL, t,
                          l == AB_NET_SILENT ? AB_CONFORM_NONE : ws->label_activity[l], n};
            AB_TRY(out_append(ws, out, cap, &mv, 1));
        }
        out->cost = n + run->visible;
    }
done:
    ab__free(ws->ctx, prefix);
    ab__free(ws->ctx, mbest);
    return rc;
}

/* ---- The ambiguity check (spec R1) ---- */

/* A move's deviation key (see cedge), KEY_NONE for synchronous and silent moves. */
static uint32_t move_key(const ab__cws *ws, const ab_move *mv)
{
    return mv->kind == AB_MOVE_LOG     ? mv->activity
           : mv->kind == AB_MOVE_MODEL ? ws->cn->label[mv->transition] | KEY_MODEL
                                       : KEY_NONE;
}

/*
 * Keeps the tight edges only, in their order: an edge lies on an optimal
 * path only if its source's fewest deviations plus its own are its
 * target's (both expanded, so both exact). Then dlist lists them by target
 * (dcnt[v] .. dcnt[v + 1]), and, as each node's edges were recorded
 * together when it was expanded, dfirst[u] is where u's edges start in
 * ws->edges (their number in dnum[u]).
 */
static int plateau_edges(ab__cws *ws)
{
    uint32_t ns = ws->st_count;
    if (WS_GROW(ws, ws->dcnt, ws->dcnt_cap, (size_t)ns + 2) != AB_OK ||
        WS_GROW(ws, ws->dfirst, ws->dfirst_cap, (size_t)ns + 1) != AB_OK ||
        WS_GROW(ws, ws->dnum, ws->dnum_cap, (size_t)ns + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    uint32_t *cnt = ws->dcnt;
    memset(cnt, 0, sizeof(uint32_t) * ((size_t)ns + 2));
    memset(ws->dnum, 0, sizeof(uint32_t) * ns);
    size_t count = 0;
    for (size_t i = 0; i < ws->edge_len; i++) {
        cedge e = ws->edges[i];
        const cstate *v = &ws->st[e.to];
        /* A node's edges are together: its g is read from the cache. */
        uint32_t dev = (uint32_t)(ws->st[e.from].g / AB__CF_DEV) + (e.key != KEY_NONE);
        if (v->closed && (uint32_t)(v->g / AB__CF_DEV) == dev) {
            if (ws->dnum[e.from]++ == 0) {
                ws->dfirst[e.from] = (uint32_t)count;
            }
            ws->edges[count++] = e;
            cnt[e.to + 2]++;
        }
    }
    ws->edge_len = count;
    if (count >= UINT32_MAX || WS_GROW(ws, ws->dlist, ws->dlist_cap, count + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    for (uint32_t v = 0; v < ns; v++) {
        cnt[v + 2] += cnt[v + 1];
    }
    /* cnt[v + 1] is now v's start; filling moves it to v's end = (v + 1)'s start. */
    for (size_t i = 0; i < count; i++) {
        ws->dlist[cnt[ws->edges[i].to + 1]++] = (uint32_t)i;
    }
    return AB_OK;
}

/*
 * The verdict on the plateau a search with ws->check left behind (see
 * search), given the goal and the moves of the path the search returned
 * (ref): *out = 1 when two optimal alignments have different multisets of
 * deviations, 0 when all have the same, -1 when the plateau was not
 * explored completely. AB_OK or AB_ENOMEM.
 *
 * Why it is exact. An optimal alignment is a path from the root to the goal
 * whose every edge is tight (see tight(): along a path of optimal total,
 * every node's prefix is optimal), and every path of tight edges from the
 * root to the goal is optimal. All their nodes were expanded (see search),
 * so all their edges are recorded; the nodes that lie on such a path are
 * those the goal can be reached from backwards over tight edges ("the
 * plateau"). If every path from the root to a plateau node v carries the
 * same multiset phi(v), every optimal alignment carries phi(goal): not
 * ambiguous. If two paths to some plateau node v carry different
 * multisets, both continue to the goal along the same tight path from v:
 * two optimal alignments with different multisets, ambiguous. So a
 * breadth-first walk from the root over the plateau's tight edges gives
 * each node the multiset of the first path that reaches it, and compares it
 * with what every other edge into the node brings: one difference decides.
 * The product searched leaves out every successor but an enabled urgent
 * transition (see ab__cnet_build); firing that one first only reorders an
 * alignment, with the same moves, so every multiset of an optimal alignment
 * is still that of a path here.
 *
 * Multisets are stored as counts in bit fields, one field per key of ref's
 * multiset R, as wide as R's count of that key needs. A plateau node's
 * multiset cannot exceed R in any key without ambiguity (the path continues
 * to the goal, and that alignment has more of the key than R), so the walk
 * stops with 1 the moment an edge would overflow a field or brings a key R
 * lacks, and the fields never overflow: comparing the words compares the
 * multisets exactly.
 */
static int check_plateau(ab__cws *ws, uint32_t goal, const ab_move *ref, uint32_t ref_count,
                         int *out)
{
    *out = -1;
    if (!ws->check_complete) {
        return AB_OK;
    }
    for (uint32_t i = 0; i < ws->n; i++) {
        if (ws->acts[i] >= KEY_MODEL) {
            return AB_OK; /* Activity ids would collide with the model keys. */
        }
    }
    uint32_t ns = ws->st_count;
    const uint32_t unseen = AB_CONFORM_NONE - 1;
    /* The analysis' memory counts against the budget like the search's:
     * five arrays over the nodes, one over the edges, then the codes. */
    uint64_t need = ws_need(ws) + (uint64_t)ws->edge_len * (sizeof(cedge) + sizeof(uint32_t)) +
                    ((uint64_t)ns + 2) * 5 * sizeof(uint32_t);
    if (need > ws->max_memory) {
        return AB_OK;
    }
    /* The plateau: backwards from the goal over tight edges. */
    if (plateau_edges(ws) != AB_OK ||
        WS_GROW(ws, ws->dco, ws->dco_cap, (size_t)ns + 1) != AB_OK ||
        WS_GROW(ws, ws->dqueue, ws->dqueue_cap, (size_t)ns + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    uint32_t *co = ws->dco, *queue = ws->dqueue;
    for (uint32_t v = 0; v < ns; v++) {
        co[v] = AB_CONFORM_NONE;
    }
    uint32_t qlen = 0, co_count = 0;
    co[goal] = unseen;
    queue[qlen++] = goal;
    for (uint32_t q = 0; q < qlen; q++) {
        uint32_t v = queue[q];
        for (uint32_t k = ws->dcnt[v]; k < ws->dcnt[v + 1]; k++) {
            uint32_t u = ws->edges[ws->dlist[k]].from;
            if (co[u] == AB_CONFORM_NONE) {
                co[u] = unseen;
                queue[qlen++] = u;
            }
        }
    }
    co_count = qlen;
    if (co[0] == AB_CONFORM_NONE) {
        return AB_OK; /* Cannot be: the returned path is tight. */
    }
    /* R's keys, sorted, with their counts and fields. */
    uint32_t nk = 0;
    if (WS_GROW(ws, ws->dkeys, ws->dkeys_cap, (size_t)ref_count * 3 + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    uint32_t *keys = ws->dkeys;
    for (uint32_t i = 0; i < ref_count; i++) {
        uint32_t key = move_key(ws, &ref[i]);
        if (key != KEY_NONE) {
            keys[nk++] = key;
        }
    }
    if (nk > 32) {
        qsort(keys, nk, sizeof(uint32_t), cmp_u32);
    } else {
        sort_u32(keys, nk);
    }
    uint32_t *have = keys + ref_count, *field = keys + 2 * ref_count;
    uint32_t distinct = 0, bits = 0;
    for (uint32_t i = 0; i < nk; i++) {
        if (distinct > 0 && keys[distinct - 1] == keys[i]) {
            have[distinct - 1]++;
            continue;
        }
        keys[distinct] = keys[i];
        have[distinct++] = 1;
    }
    for (uint32_t f = 0; f < distinct; f++) {
        uint32_t width = 32 - (uint32_t)__builtin_clz(have[f]); /* Holds 0..have[f]. */
        if (bits % 64 + width > 64) {
            bits += 64 - bits % 64; /* Fields do not straddle words. */
        }
        field[f] = bits;
        bits += width;
    }
    uint32_t words = bits / 64 + 1;
    if (need + ((uint64_t)co_count + 1) * words * sizeof(uint64_t) > ws->max_memory) {
        return AB_OK;
    }
    /* The walk: forwards from the root over the plateau's tight edges. */
    if (WS_GROW(ws, ws->dcode, ws->dcode_cap, ((size_t)co_count + 1) * words) != AB_OK) {
        return AB_ENOMEM;
    }
    uint64_t *cand = ws->dcode + (size_t)co_count * words;
    qlen = 0;
    co[0] = 0;
    memset(ws->dcode, 0, sizeof(uint64_t) * words);
    queue[qlen++] = 0;
    for (uint32_t q = 0; q < qlen; q++) {
        uint32_t u = queue[q];
        for (uint32_t k = ws->dfirst[u], end = k + ws->dnum[u]; k < end; k++) {
            const cedge *e = &ws->edges[k];
            if (co[e->to] == AB_CONFORM_NONE) {
                continue; /* Tight, but no optimal path goes on from there. */
            }
            /* dcode may not move while cand and the codes are in use: it was
             * sized for every plateau node above. */
            memcpy(cand, ws->dcode + (size_t)co[u] * words, sizeof(uint64_t) * words);
            if (e->key != KEY_NONE) {
                uint32_t lo = 0, hi = distinct;
                while (lo < hi) {
                    uint32_t mid = lo + (hi - lo) / 2;
                    if (keys[mid] < e->key) {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                if (lo == distinct || keys[lo] != e->key) {
                    *out = 1; /* A key R does not have. */
                    return AB_OK;
                }
                uint32_t w = field[lo] / 64, sh = field[lo] % 64;
                uint64_t mask = ((uint64_t)2 << (32 - __builtin_clz(have[lo]) - 1)) - 1;
                if (((cand[w] >> sh) & mask) == have[lo]) {
                    *out = 1; /* More of this key than R has. */
                    return AB_OK;
                }
                cand[w] += (uint64_t)1 << sh;
            }
            uint32_t v = e->to;
            if (co[v] == unseen) {
                co[v] = qlen;
                memcpy(ws->dcode + (size_t)qlen * words, cand, sizeof(uint64_t) * words);
                queue[qlen++] = v;
            } else if (memcmp(ws->dcode + (size_t)co[v] * words, cand,
                              sizeof(uint64_t) * words) != 0) {
                *out = 1; /* Two paths to v with different multisets. */
                return AB_OK;
            }
        }
    }
    *out = 0;
    return AB_OK;
}

/*
 * Why the fast path returns the full search's alignment: a node of the full
 * search with f below one deviation has g and h without deviation, and the
 * full search pops every such node before any other. The restricted search
 * generates exactly those nodes, in the same order (only synchronous and
 * silent moves lead to them, and nodes with h > 0 are the ones it drops),
 * with the same insertion order among them, because a node first reached
 * through a deviation is inserted anew when a deviation-free path improves
 * it. So when it reaches the goal, the full search would pop the same goal
 * with the same parents; when it does not, the trace needs a deviation.
 *
 * With check, the full search also explores the plateau of optimal paths
 * (see search) and out->ambiguous gets check_plateau's verdict; the
 * alignment is the same either way. A trace that fits needs no check (every
 * optimal alignment has no deviation): 0. A trace with instances no
 * transition has is left to the caller (-2, see ab__cf_ambiguous): those
 * instances multiply the plateau by every place their log moves could take.
 */
int ab__cf_align(ab__cws *ws, const uint32_t *acts, uint32_t n, const uint32_t *activity_label,
                 const ab__cf_run *run, int check, ab__cf_alignment *out)
{
    memset(out, 0, sizeof(*out));
    out->ambiguous = -1;
    size_t cap = 0;
    uint64_t expanded = 0;
    uint32_t goal = 0, count = 0;
    int rc = AB_OK, sr;
    const uint32_t *m0 = &ws->cn->source;
    AB_TRY(ws_reset(ws));
    AB_TRY(set_trace(ws, acts, n, activity_label));
    if (!ws->no_fast_path && ws->unk[0] == 0) {
        rc = ab__cf_replay(ws->cn, ws->ctx, acts, n, activity_label, out);
        if (rc == AB_OK) {
            /* A fitting trace has no deviation: no other multiset exists. */
            out->ambiguous = check ? 0 : -1;
            out->check_states = 0;
        }
        if (rc != AB_ELIMIT) {
            return rc; /* Aligned by replay, or out of memory. */
        }
        rc = AB_OK;
        sr = search(ws, m0, 1, 1, &expanded, &goal);
        if (sr < 0) {
            rc = sr;
            goto done;
        }
        if (sr == SEARCH_FOUND) {
            AB_TRY(path_to(ws, goal, &count));
            AB_TRY(out_append(ws, out, &cap, ws->path, count));
            out->fast_path = 1;
            out->ambiguous = check ? 0 : -1;
            goto done;
        }
        out->states += expanded;
        AB_TRY(ws_reset(ws));
        AB_TRY(set_trace(ws, acts, n, activity_label));
    }
    ws->check = check && ws->unk[0] == 0;
    sr = search(ws, m0, 1, 0, &expanded, &goal);
    ws->check = 0;
    out->states += expanded;
    out->check_states = ws->check_expanded;
    if (sr < 0) {
        rc = sr;
        goto done;
    }
    if (sr == SEARCH_FOUND) {
        AB_TRY(path_to(ws, goal, &count));
        AB_TRY(out_append(ws, out, &cap, ws->path, count));
        out->cost = (uint32_t)(ws->st[goal].g / AB__CF_DEV);
        if (!check) {
            out->ambiguous = -1;
        } else if (out->cost == 0) {
            out->ambiguous = 0;
        } else if (ws->unk[0] > 0) {
            out->ambiguous = -2;
        } else {
            AB_TRY(check_plateau(ws, goal, out->moves, out->move_count, &out->ambiguous));
        }
        goto done;
    }
    /* Past the budget, or (with a net that has a complete run, which the
     * caller checked) never: the search is complete otherwise. */
    out->approximate = 1;
    if (run != NULL) {
        rc = approximate(ws, acts, n, activity_label, run, out, &cap);
    }
done:
    ws->check = 0;
    if (rc != AB_OK) {
        ab__free(ws->ctx, out->moves);
        out->moves = NULL;
        out->move_count = 0;
    }
    return rc;
}

/*
 * The check of a trace whose instances all have a transition with their
 * activity: the caller passes a trace with the other instances removed.
 * Why that is exact: every alignment of the full trace has a log move for
 * each removed instance (no transition can synchronise with it), and
 * dropping those moves leaves an alignment of the reduced trace, while
 * every alignment of the reduced trace becomes one of the full trace by
 * putting each removed instance's log move between the moves of its
 * neighbours. So the optimal alignments of the two correspond, their costs
 * differ by the removed instances, and their multisets by the same fixed
 * log moves: one has two optimal multisets exactly when the other has. The
 * verdict depends on the reduced trace alone, so variants that reduce to
 * the same trace share it.
 */
int ab__cf_ambiguous(ab__cws *ws, const uint32_t *acts, uint32_t n,
                     const uint32_t *activity_label, int *out, uint64_t *states_out)
{
    ab__cf_alignment al;
    int rc = ab__cf_align(ws, acts, n, activity_label, NULL, 1, &al);
    *out = rc != AB_OK || al.approximate || al.ambiguous == -2 ? -1 : al.ambiguous;
    *states_out = al.states + al.check_states;
    ab__free(ws->ctx, al.moves);
    return rc;
}
