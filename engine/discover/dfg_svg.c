/*
 * discover/dfg_svg.c: a graph drawn as SVG without Graphviz. A small layered
 * layout (Sugiyama-style): a depth-first search from the start node turns
 * the edges that loop back into upward edges, longest paths give the
 * layers, weighted barycentre sweeps order each layer, and edges are cubic
 * curves with arrowheads; loops back run in channels beside the picture.
 * Everything is computed in a fixed order with plain arithmetic, so the
 * same graph always gives the same bytes. Labels match the DOT output.
 */
#include "discover/discover_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define MARGIN 16.0
#define CAPTION_H 28.0
#define ROW_H 46.0
#define VGAP 62.0
#define HGAP 30.0
#define DUMMY_W 8.0
#define DUMMY_GAP 10.0
#define NAME_MAX_CP 40
#define ENDPOINT_R 11.0
#define SWEEPS 12
#define PLACE_ROUNDS 8

#define P(...)                                                                                     \
    do {                                                                                           \
        if (rc == AB_OK) {                                                                         \
            rc = ab_buf_printf(b, ctx, __VA_ARGS__);                                               \
        }                                                                                          \
    } while (0)

enum { K_ACT = 0, K_START = 1, K_END = 2, K_DUMMY = 3 };

/* A node of the layout: an activity, start, end, or a bend point of a long edge. */
typedef struct lnode {
    double w, h;    /* Size, px. */
    double cx;      /* Centre x, px. */
    double extra_r; /* Room kept free on the right (a self-loop and its label), px. */
    uint32_t layer; /* Row, 0 at the top. */
    uint32_t pos;   /* Position within the row. */
    double order;   /* Initial order within the row (depth-first discovery). */
    int kind;       /* K_ACT, K_START, K_END or K_DUMMY. */
} lnode;

typedef struct ledge {
    uint32_t from, to;       /* Real layout nodes. */
    uint64_t count;          /* Occurrences (cases for start and end edges). */
    const ab_dfg_edge *edge; /* The graph's edge, or NULL for start and end edges. */
    int back;                /* Loops back: laid out from `to` down to `from`. */
    uint32_t dummy_off;      /* Its bend points: dummies[dummy_off..+dummy_n), top to bottom. */
    uint32_t dummy_n;
    double top_x;    /* Port on the upper node's bottom side. */
    double bottom_x; /* Port on the lower node's top side. */
} ledge;

/* One segment of an edge between adjacent rows, seen from one of its ends. */
typedef struct adj {
    uint32_t node; /* The other end. */
    uint32_t edge; /* Edge index. */
    double weight; /* 1 + log(1 + count): heavier paths pull harder. */
} adj;

typedef struct layout {
    ab_ctx *ctx;
    uint32_t n_real; /* Activities, then start, then end. */
    uint32_t n;      /* Real nodes and dummies. */
    uint32_t m;      /* Edges. */
    lnode *nodes;
    ledge *edges;
    uint32_t *dummies;  /* Bend points of all edges, concatenated. */
    uint32_t *out_off;  /* CSR of out-edges of real nodes: n_real + 1 offsets... */
    uint32_t *out_edge; /* ...into edge indices, by count descending then target. */
    uint32_t *und_off;  /* CSR of segments at each node (n + 1 offsets). */
    adj *und;
    uint32_t layers;   /* Rows. */
    uint32_t *row_off; /* Nodes of each row: row_off[l] .. row_off[l + 1] in row_nodes. */
    uint32_t *row_nodes;
    double left;          /* Smallest x of anything drawn, in layout coordinates. */
    double width, height; /* Canvas, px. */
} layout;

/* ---- Text. ---- */

/*
 * Appends s as XML character data (also safe inside a double-quoted
 * attribute): markup characters escaped, characters XML 1.0 forbids and
 * bytes that are not UTF-8 replaced, at most max_cp characters (then "…").
 */
static int put_xml_text(ab_buf *b, ab_ctx *ctx, const char *s, uint32_t max_cp)
{
    int rc = AB_OK;
    uint32_t cps = 0;
    while (*s != '\0' && rc == AB_OK) {
        uint32_t cp;
        size_t n = ab__dfg_utf8_next(s, &cp);
        if (max_cp > 0 && cps + 1 == max_cp && s[n] != '\0') {
            rc = ab_buf_append(b, ctx, "\xe2\x80\xa6", 3);
            break;
        }
        cps++;
        if (cp == '&') {
            rc = ab_buf_append(b, ctx, "&amp;", 5);
        } else if (cp == '<') {
            rc = ab_buf_append(b, ctx, "&lt;", 4);
        } else if (cp == '>') {
            rc = ab_buf_append(b, ctx, "&gt;", 4);
        } else if (cp == '"') {
            rc = ab_buf_append(b, ctx, "&quot;", 6);
        } else if (cp == '\n') {
            rc = ab_buf_append(b, ctx, "&#10;", 5);
        } else if (cp < 0x20 || cp == 0x7f) {
            rc = ab_buf_append(b, ctx, " ", 1);
        } else if ((cp == 0xfffd && n == 1) || cp == 0xfffe || cp == 0xffff) {
            rc = ab_buf_append(b, ctx, "\xef\xbf\xbd", 3);
        } else {
            rc = ab_buf_append(b, ctx, s, n);
        }
        s += n;
    }
    return rc;
}

/* Estimated width of the displayed name at 12 px, wide scripts counted double. */
static double text_width(const char *s, uint32_t max_cp)
{
    double w = 0;
    uint32_t cps = 0;
    while (*s != '\0' && (max_cp == 0 || cps < max_cp)) {
        uint32_t cp;
        s += ab__dfg_utf8_next(s, &cp);
        w += cp >= 0x1100 ? 12.0 : 6.8;
        cps++;
    }
    return w;
}

/* Characters (code points) of a UTF-8 string. */
static size_t cp_count(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++) {
        n += ((unsigned char)*s & 0xc0) != 0x80;
    }
    return n;
}

/* The label of an edge: count, then the median time when known. Returns its width, px. */
static double edge_label(uint64_t count, const ab_dfg_edge *edge, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%llu", (unsigned long long)count);
    if (edge != NULL && edge->duration.count > 0 && n > 0 && (size_t)n < cap) {
        char h[32];
        ab__dfg_human_duration(edge->duration.median, h, sizeof(h));
        snprintf(buf + n, cap - (size_t)n, " \xc2\xb7 %s", h);
    }
    return 6.0 * (double)cp_count(buf) + 6;
}

/* ---- Layout. ---- */

static void layout_free(layout *L)
{
    ab__free(L->ctx, L->nodes);
    ab__free(L->ctx, L->edges);
    ab__free(L->ctx, L->dummies);
    ab__free(L->ctx, L->out_off);
    ab__free(L->ctx, L->out_edge);
    ab__free(L->ctx, L->und_off);
    ab__free(L->ctx, L->und);
    ab__free(L->ctx, L->row_off);
    ab__free(L->ctx, L->row_nodes);
}

static uint32_t upper_of(const ledge *e)
{
    return e->back ? e->to : e->from;
}

static uint32_t lower_of(const ledge *e)
{
    return e->back ? e->from : e->to;
}

/* The k-th node of an edge's chain from its upper to its lower node (k <= dummy_n + 1). */
static uint32_t chain_node(const layout *L, const ledge *e, uint32_t k)
{
    if (k == 0) {
        return upper_of(e);
    }
    if (k > e->dummy_n) {
        return lower_of(e);
    }
    return L->dummies[e->dummy_off + k - 1];
}

typedef struct out_key {
    uint32_t from;
    uint32_t to;
    uint64_t count;
    uint32_t edge;
} out_key;

static int cmp_out_key(const void *pa, const void *pb)
{
    const out_key *a = pa, *b = pb;
    if (a->from != b->from) {
        return a->from < b->from ? -1 : 1;
    }
    if (a->count != b->count) {
        return a->count > b->count ? -1 : 1;
    }
    if (a->to != b->to) {
        return a->to < b->to ? -1 : 1;
    }
    return (a->edge > b->edge) - (a->edge < b->edge);
}

/* Real nodes, edges, and out-edges of each node by count (for the search). */
static int build_graph(layout *L, const ab_dfg *d)
{
    uint32_t na = d->n_acts;
    L->n_real = L->n = na + 2;
    L->m = d->n_edges + d->n_starts + d->n_ends;
    L->nodes = ab__calloc(L->ctx, L->n, sizeof(*L->nodes));
    L->edges = ab__calloc(L->ctx, (size_t)L->m + 1, sizeof(*L->edges));
    L->out_off = ab__calloc(L->ctx, (size_t)L->n + 1, sizeof(uint32_t));
    L->out_edge = ab__malloc(L->ctx, ((size_t)L->m + 1) * sizeof(uint32_t));
    out_key *keys = ab__malloc(L->ctx, ((size_t)L->m + 1) * sizeof(*keys));
    if (L->nodes == NULL || L->edges == NULL || L->out_off == NULL || L->out_edge == NULL ||
        keys == NULL) {
        ab__free(L->ctx, keys);
        return AB_ENOMEM;
    }
    for (uint32_t i = 0; i < na; i++) {
        lnode *v = &L->nodes[i];
        v->kind = K_ACT;
        double tw = text_width(d->acts[i].name, NAME_MAX_CP);
        v->w = tw + 28.0 < 110.0 ? 110.0 : tw + 28.0;
        v->h = ROW_H;
    }
    for (uint32_t k = 0; k < 2; k++) {
        lnode *v = &L->nodes[na + k];
        v->kind = k == 0 ? K_START : K_END;
        v->w = v->h = 2 * ENDPOINT_R;
    }
    uint32_t m = 0;
    for (uint32_t i = 0; i < d->n_starts; i++, m++) {
        L->edges[m].from = na;
        L->edges[m].to = d->starts[i].activity;
        L->edges[m].count = d->starts[i].count;
    }
    for (uint32_t i = 0; i < d->n_edges; i++, m++) {
        const ab_dfg_edge *e = &d->edges[d->edge_by_pair[i]];
        L->edges[m].from = e->from;
        L->edges[m].to = e->to;
        L->edges[m].count = e->count;
        L->edges[m].edge = e;
    }
    for (uint32_t i = 0; i < d->n_ends; i++, m++) {
        L->edges[m].from = d->ends[i].activity;
        L->edges[m].to = na + 1;
        L->edges[m].count = d->ends[i].count;
    }
    for (uint32_t e = 0; e < m; e++) {
        if (L->edges[e].from == L->edges[e].to) {
            char text[48];
            double lw = edge_label(L->edges[e].count, L->edges[e].edge, text, sizeof(text));
            L->nodes[L->edges[e].from].extra_r = 42 + lw;
        }
    }
    for (uint32_t e = 0; e < m; e++) {
        keys[e] = (out_key){L->edges[e].from, L->edges[e].to, L->edges[e].count, e};
        L->out_off[L->edges[e].from + 1]++;
    }
    qsort(keys, m, sizeof(*keys), cmp_out_key);
    for (uint32_t v = 0; v < L->n; v++) {
        L->out_off[v + 1] += L->out_off[v];
    }
    for (uint32_t e = 0; e < m; e++) {
        L->out_edge[e] = keys[e].edge;
    }
    ab__free(L->ctx, keys);
    return AB_OK;
}

/*
 * Depth-first search from the start node (then from anything not reached),
 * following heavier edges first: an edge to a node still on the stack loops
 * back and is laid out upwards. Also records the discovery order.
 */
static int find_back_edges(layout *L)
{
    uint32_t n = L->n_real;
    uint8_t *state = ab__calloc(L->ctx, n, 1);
    uint32_t *stack = ab__malloc(L->ctx, (size_t)n * sizeof(uint32_t));
    uint32_t *cursor = ab__malloc(L->ctx, (size_t)n * sizeof(uint32_t));
    if (state == NULL || stack == NULL || cursor == NULL) {
        ab__free(L->ctx, state);
        ab__free(L->ctx, stack);
        ab__free(L->ctx, cursor);
        return AB_ENOMEM;
    }
    uint32_t order = 0;
    uint32_t start = n - 2, end = n - 1;
    for (uint32_t r = 0; r < n; r++) {
        /* Roots: start, then activities in name order, then end. */
        uint32_t root = r == 0 ? start : (r < n - 1 ? r - 1 : end);
        if (state[root] != 0) {
            continue;
        }
        uint32_t top = 0;
        stack[top++] = root;
        cursor[root] = L->out_off[root];
        state[root] = 1;
        L->nodes[root].order = order++;
        while (top > 0) {
            uint32_t v = stack[top - 1];
            if (cursor[v] == L->out_off[v + 1]) {
                state[v] = 2;
                top--;
                continue;
            }
            uint32_t e = L->out_edge[cursor[v]++];
            uint32_t w = L->edges[e].to;
            if (w == v) {
                continue;
            }
            if (state[w] == 1) {
                L->edges[e].back = 1;
            } else if (state[w] == 0) {
                state[w] = 1;
                cursor[w] = L->out_off[w];
                L->nodes[w].order = order++;
                stack[top++] = w;
            }
        }
    }
    ab__free(L->ctx, state);
    ab__free(L->ctx, stack);
    ab__free(L->ctx, cursor);
    return AB_OK;
}

/* Longest-path layering of the acyclic orientation (Kahn's algorithm). */
static int assign_layers(layout *L)
{
    uint32_t n = L->n_real;
    uint32_t *indeg = ab__calloc(L->ctx, n, sizeof(uint32_t));
    uint32_t *off = ab__calloc(L->ctx, (size_t)n + 1, sizeof(uint32_t));
    uint32_t *adjv = ab__malloc(L->ctx, ((size_t)L->m + 1) * sizeof(uint32_t));
    uint32_t *queue = ab__malloc(L->ctx, (size_t)n * sizeof(uint32_t));
    int rc = AB_ENOMEM;
    if (indeg == NULL || off == NULL || adjv == NULL || queue == NULL) {
        goto done;
    }
    for (uint32_t e = 0; e < L->m; e++) {
        const ledge *ed = &L->edges[e];
        if (ed->from != ed->to) {
            off[upper_of(ed) + 1]++;
            indeg[lower_of(ed)]++;
        }
    }
    for (uint32_t v = 0; v < n; v++) {
        off[v + 1] += off[v];
    }
    for (uint32_t e = 0; e < L->m; e++) {
        const ledge *ed = &L->edges[e];
        if (ed->from != ed->to) {
            adjv[off[upper_of(ed)]++] = lower_of(ed);
        }
    }
    /* off[v] now ends v's list; shift back to starts. */
    for (uint32_t v = n; v > 0; v--) {
        off[v] = off[v - 1];
    }
    off[0] = 0;
    uint32_t head = 0, tail = 0;
    for (uint32_t v = 0; v < n; v++) {
        L->nodes[v].layer = 0;
        if (indeg[v] == 0) {
            queue[tail++] = v;
        }
    }
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t k = off[u]; k < off[u + 1]; k++) {
            uint32_t w = adjv[k];
            if (L->nodes[w].layer < L->nodes[u].layer + 1) {
                L->nodes[w].layer = L->nodes[u].layer + 1;
            }
            if (--indeg[w] == 0) {
                queue[tail++] = w;
            }
        }
    }
    uint32_t maxl = 0;
    for (uint32_t v = 0; v + 1 < n; v++) {
        maxl = L->nodes[v].layer > maxl ? L->nodes[v].layer : maxl;
    }
    /* The end sits alone below everything; the start has no in-edges, so it is on row 0. */
    L->nodes[n - 1].layer = maxl + 1;
    L->layers = maxl + 2;
    rc = AB_OK;
done:
    ab__free(L->ctx, indeg);
    ab__free(L->ctx, off);
    ab__free(L->ctx, adjv);
    ab__free(L->ctx, queue);
    return rc;
}

/* A bend point in every row a long edge crosses, so edges pass between boxes. */
static int add_dummies(layout *L)
{
    size_t total = 0;
    for (uint32_t e = 0; e < L->m; e++) {
        ledge *ed = &L->edges[e];
        if (ed->from == ed->to) {
            continue;
        }
        uint32_t span = L->nodes[lower_of(ed)].layer - L->nodes[upper_of(ed)].layer;
        ed->dummy_off = (uint32_t)total;
        ed->dummy_n = span - 1;
        total += span - 1;
    }
    if (total > UINT32_MAX - L->n_real) {
        return AB_ENOMEM;
    }
    lnode *nodes = ab__realloc(L->ctx, L->nodes, ((size_t)L->n_real + total) * sizeof(*nodes));
    if (nodes == NULL) {
        return AB_ENOMEM;
    }
    L->nodes = nodes;
    L->dummies = ab__malloc(L->ctx, (total + 1) * sizeof(uint32_t));
    if (L->dummies == NULL) {
        return AB_ENOMEM;
    }
    uint32_t next = L->n_real;
    for (uint32_t e = 0; e < L->m; e++) {
        const ledge *ed = &L->edges[e];
        const lnode *up = &L->nodes[upper_of(ed)];
        for (uint32_t k = 0; k < ed->dummy_n; k++) {
            lnode *v = &L->nodes[next];
            memset(v, 0, sizeof(*v));
            v->kind = K_DUMMY;
            v->w = DUMMY_W;
            v->h = ROW_H;
            v->layer = up->layer + 1 + k;
            v->order = up->order + 0.5;
            L->dummies[ed->dummy_off + k] = next++;
        }
    }
    L->n = next;
    return AB_OK;
}

/* The segments of every chain, seen from both ends. */
static int build_segments(layout *L)
{
    L->und_off = ab__calloc(L->ctx, (size_t)L->n + 1, sizeof(uint32_t));
    size_t segs = 0;
    for (uint32_t e = 0; e < L->m; e++) {
        if (L->edges[e].from != L->edges[e].to) {
            segs += (size_t)L->edges[e].dummy_n + 1;
        }
    }
    L->und = ab__malloc(L->ctx, (2 * segs + 1) * sizeof(*L->und));
    uint32_t *fill = ab__malloc(L->ctx, ((size_t)L->n + 1) * sizeof(uint32_t));
    if (L->und_off == NULL || L->und == NULL || fill == NULL) {
        ab__free(L->ctx, fill);
        return AB_ENOMEM;
    }
    for (uint32_t e = 0; e < L->m; e++) {
        const ledge *ed = &L->edges[e];
        for (uint32_t k = 0; ed->from != ed->to && k <= ed->dummy_n; k++) {
            L->und_off[chain_node(L, ed, k) + 1]++;
            L->und_off[chain_node(L, ed, k + 1) + 1]++;
        }
    }
    for (uint32_t v = 0; v < L->n; v++) {
        L->und_off[v + 1] += L->und_off[v];
    }
    memcpy(fill, L->und_off, (size_t)L->n * sizeof(uint32_t));
    for (uint32_t e = 0; e < L->m; e++) {
        const ledge *ed = &L->edges[e];
        double w = 1.0 + log1p((double)ed->count);
        for (uint32_t k = 0; ed->from != ed->to && k <= ed->dummy_n; k++) {
            uint32_t a = chain_node(L, ed, k), c = chain_node(L, ed, k + 1);
            L->und[fill[a]++] = (adj){c, e, w};
            L->und[fill[c]++] = (adj){a, e, w};
        }
    }
    ab__free(L->ctx, fill);
    return AB_OK;
}

typedef struct row_key {
    double key;   /* Barycentre (or discovery order at first). */
    uint32_t pos; /* Current position, then node id: the tie-breaks. */
    uint32_t node;
} row_key;

static int cmp_row_key(const void *pa, const void *pb)
{
    const row_key *a = pa, *b = pb;
    if (a->key != b->key) {
        return a->key < b->key ? -1 : 1;
    }
    if (a->pos != b->pos) {
        return a->pos < b->pos ? -1 : 1;
    }
    return (a->node > b->node) - (a->node < b->node);
}

static double norm_pos(const layout *L, uint32_t v)
{
    uint32_t l = L->nodes[v].layer;
    return ((double)L->nodes[v].pos + 0.5) / (double)(L->row_off[l + 1] - L->row_off[l]);
}

/* Rows, first in discovery order, then barycentre sweeps down and up. */
static int order_rows(layout *L)
{
    uint32_t n = L->n, nl = L->layers;
    L->row_off = ab__calloc(L->ctx, (size_t)nl + 1, sizeof(uint32_t));
    L->row_nodes = ab__malloc(L->ctx, (size_t)n * sizeof(uint32_t));
    row_key *keys = ab__malloc(L->ctx, (size_t)n * sizeof(*keys));
    uint32_t *fill = ab__malloc(L->ctx, (size_t)nl * sizeof(uint32_t));
    if (L->row_off == NULL || L->row_nodes == NULL || keys == NULL || fill == NULL) {
        ab__free(L->ctx, keys);
        ab__free(L->ctx, fill);
        return AB_ENOMEM;
    }
    for (uint32_t v = 0; v < n; v++) {
        L->row_off[L->nodes[v].layer + 1]++;
    }
    for (uint32_t l = 0; l < nl; l++) {
        L->row_off[l + 1] += L->row_off[l];
    }
    for (uint32_t v = 0; v < n; v++) {
        keys[v] = (row_key){L->nodes[v].order, 0, v};
    }
    memcpy(fill, L->row_off, (size_t)nl * sizeof(uint32_t));
    qsort(keys, n, sizeof(*keys), cmp_row_key);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v = keys[i].node;
        uint32_t l = L->nodes[v].layer;
        L->nodes[v].pos = fill[l] - L->row_off[l];
        L->row_nodes[fill[l]++] = v;
    }
    ab__free(L->ctx, fill);
    for (int sweep = 0; sweep < SWEEPS; sweep++) {
        int down = sweep % 2 == 0;
        for (uint32_t step = 0; step < nl; step++) {
            uint32_t l = down ? step : nl - 1 - step;
            uint32_t lo = L->row_off[l], cnt = L->row_off[l + 1] - lo;
            for (uint32_t i = 0; i < cnt; i++) {
                uint32_t v = L->row_nodes[lo + i];
                double sum = 0, wsum = 0;
                for (uint32_t k = L->und_off[v]; k < L->und_off[v + 1]; k++) {
                    uint32_t u = L->und[k].node;
                    uint32_t lu = L->nodes[u].layer;
                    if (down ? lu < l : lu > l) {
                        sum += L->und[k].weight * norm_pos(L, u);
                        wsum += L->und[k].weight;
                    }
                }
                keys[i].key = wsum > 0 ? sum / wsum : norm_pos(L, v);
                keys[i].pos = i;
                keys[i].node = v;
            }
            qsort(keys, cnt, sizeof(*keys), cmp_row_key);
            for (uint32_t i = 0; i < cnt; i++) {
                L->row_nodes[lo + i] = keys[i].node;
                L->nodes[keys[i].node].pos = i;
            }
        }
    }
    ab__free(L->ctx, keys);
    return AB_OK;
}

/* Least distance between the centres of two neighbours in a row. */
static double separation(const lnode *a, const lnode *b)
{
    double gap = a->kind == K_DUMMY || b->kind == K_DUMMY ? DUMMY_GAP : HGAP;
    return a->w / 2 + a->extra_r + gap + b->w / 2;
}

/*
 * Positions x[0..n) as close as possible (least squares) to want[0..n),
 * in order, with x[i + 1] - x[i] >= gap[i] (gap[0] unused). With offsets
 * o_i = sum of the gaps, y_i = x_i - o_i must not decrease: isotonic
 * regression, solved exactly by pooling adjacent violators. off, bsum and
 * bcnt are scratch of n entries.
 */
static void pav(uint32_t n, const double *want, const double *gap, double *x, double *off,
                double *bsum, uint32_t *bcnt)
{
    uint32_t top = 0;
    for (uint32_t i = 0; i < n; i++) {
        off[i] = i == 0 ? 0 : off[i - 1] + gap[i];
        bsum[top] = want[i] - off[i];
        bcnt[top] = 1;
        top++;
        while (top >= 2 && bsum[top - 2] * bcnt[top - 1] > bsum[top - 1] * bcnt[top - 2]) {
            bsum[top - 2] += bsum[top - 1];
            bcnt[top - 2] += bcnt[top - 1];
            top--;
        }
    }
    uint32_t i = 0;
    for (uint32_t b = 0; b < top; b++) {
        double y = bsum[b] / bcnt[b];
        for (uint32_t k = 0; k < bcnt[b]; k++, i++) {
            x[i] = y + off[i];
        }
    }
}

/* Places the centres of row l as near `want` as their order and separations allow. */
static void place_row(layout *L, uint32_t l, double *want, double *gap, double *x, double *off,
                      double *bsum, uint32_t *bcnt)
{
    uint32_t lo = L->row_off[l], cnt = L->row_off[l + 1] - lo;
    for (uint32_t i = 1; i < cnt; i++) {
        gap[i] = separation(&L->nodes[L->row_nodes[lo + i - 1]], &L->nodes[L->row_nodes[lo + i]]);
    }
    pav(cnt, want, gap, x, off, bsum, bcnt);
    for (uint32_t i = 0; i < cnt; i++) {
        L->nodes[L->row_nodes[lo + i]].cx = x[i];
    }
}

/*
 * x coordinates: rows packed and centred, then rounds in which each row
 * moves towards the weighted mean of its neighbours in the row above
 * (going down), below (going up), and finally both.
 */
static int place_x(layout *L)
{
    uint32_t maxrow = 1;
    for (uint32_t l = 0; l < L->layers; l++) {
        uint32_t c = L->row_off[l + 1] - L->row_off[l];
        maxrow = c > maxrow ? c : maxrow;
    }
    /* One block: want, gap, x, off, bsum (doubles), then bcnt. */
    double *want = ab__malloc(L->ctx, (size_t)maxrow * (5 * sizeof(double) + sizeof(uint32_t)));
    if (want == NULL) {
        return AB_ENOMEM;
    }
    double *gap = want + maxrow, *x = gap + maxrow, *off = x + maxrow, *bsum = off + maxrow;
    uint32_t *bcnt = (uint32_t *)(bsum + maxrow);
    for (uint32_t l = 0; l < L->layers; l++) {
        uint32_t lo = L->row_off[l], cnt = L->row_off[l + 1] - lo;
        double run = 0;
        for (uint32_t i = 0; i < cnt; i++) {
            if (i > 0) {
                run += separation(&L->nodes[L->row_nodes[lo + i - 1]],
                                  &L->nodes[L->row_nodes[lo + i]]);
            }
            L->nodes[L->row_nodes[lo + i]].cx = run;
        }
        for (uint32_t i = 0; i < cnt; i++) {
            L->nodes[L->row_nodes[lo + i]].cx -= run / 2;
        }
    }
    for (int round = 0; round < 2 * PLACE_ROUNDS + 1; round++) {
        int dir = round == 2 * PLACE_ROUNDS ? 0 : (round % 2 == 0 ? 1 : -1);
        for (uint32_t step = 0; step < L->layers; step++) {
            uint32_t l = dir >= 0 ? step : L->layers - 1 - step;
            uint32_t lo = L->row_off[l], cnt = L->row_off[l + 1] - lo;
            for (uint32_t i = 0; i < cnt; i++) {
                uint32_t v = L->row_nodes[lo + i];
                double sum = 0, wsum = 0;
                for (uint32_t k = L->und_off[v]; k < L->und_off[v + 1]; k++) {
                    uint32_t lu = L->nodes[L->und[k].node].layer;
                    if (dir == 0 || (dir > 0 ? lu < l : lu > l)) {
                        sum += L->und[k].weight * L->nodes[L->und[k].node].cx;
                        wsum += L->und[k].weight;
                    }
                }
                want[i] = wsum > 0 ? sum / wsum : L->nodes[v].cx;
            }
            place_row(L, l, want, gap, x, off, bsum, bcnt);
        }
    }
    ab__free(L->ctx, want);
    return AB_OK;
}

typedef struct port_key {
    double x;      /* Centre of the node at the other end of the segment. */
    uint32_t edge; /* The tie-break. */
    int bottom;    /* On the node's bottom side. */
} port_key;

static int cmp_port_key(const void *pa, const void *pb)
{
    const port_key *a = pa, *b = pb;
    if (a->x != b->x) {
        return a->x < b->x ? -1 : 1;
    }
    return (a->edge > b->edge) - (a->edge < b->edge);
}

/* Where each edge meets its real nodes: spread along the side it arrives on, by direction. */
static int assign_ports(layout *L)
{
    port_key *keys = ab__malloc(L->ctx, ((size_t)L->und_off[L->n] + 1) * sizeof(*keys));
    if (keys == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t v = 0; v < L->n_real; v++) {
        const lnode *nv = &L->nodes[v];
        for (int bottom = 0; bottom < 2; bottom++) {
            uint32_t k = 0;
            for (uint32_t j = L->und_off[v]; j < L->und_off[v + 1]; j++) {
                const lnode *o = &L->nodes[L->und[j].node];
                if ((o->layer > nv->layer) == bottom) {
                    keys[k++] = (port_key){o->cx, L->und[j].edge, bottom};
                }
            }
            qsort(keys, k, sizeof(*keys), cmp_port_key);
            for (uint32_t i = 0; i < k; i++) {
                double x =
                    nv->kind == K_ACT ? nv->cx - nv->w / 2 + nv->w * (i + 1) / (k + 1) : nv->cx;
                if (bottom) {
                    L->edges[keys[i].edge].top_x = x;
                } else {
                    L->edges[keys[i].edge].bottom_x = x;
                }
            }
        }
    }
    ab__free(L->ctx, keys);
    return AB_OK;
}

typedef struct label {
    double x, y;   /* Centre of the baseline, px. */
    double w;      /* Estimated width, px. */
    uint32_t gap;  /* Row above the gap it sits in; UINT32_MAX for a self-loop. */
    uint32_t edge; /* Its edge: the tie-break. */
    char text[48]; /* Count and median time. */
} label;

static int cmp_label(const void *pa, const void *pb)
{
    const label *a = pa, *b = pb;
    if (a->gap != b->gap) {
        return a->gap < b->gap ? -1 : 1;
    }
    if (a->x != b->x) {
        return a->x < b->x ? -1 : 1;
    }
    return (a->edge > b->edge) - (a->edge < b->edge);
}

/* Labels in one gap between rows share a baseline: spread them so none overlap. */
static int spread_labels(ab_ctx *ctx, label *lab, uint32_t m)
{
    qsort(lab, m, sizeof(*lab), cmp_label);
    double *want = ab__malloc(ctx, ((size_t)m + 1) * (5 * sizeof(double) + sizeof(uint32_t)));
    if (want == NULL) {
        return AB_ENOMEM;
    }
    double *gap = want + m + 1, *x = gap + m + 1, *off = x + m + 1, *bsum = off + m + 1;
    uint32_t *bcnt = (uint32_t *)(bsum + m + 1);
    for (uint32_t i = 0; i < m;) {
        uint32_t j = i;
        while (j < m && lab[j].gap == lab[i].gap) {
            j++;
        }
        if (lab[i].gap != UINT32_MAX) {
            for (uint32_t k = i; k < j; k++) {
                want[k - i] = lab[k].x;
                gap[k - i] = k > i ? (lab[k - 1].w + lab[k].w) / 2 + 4 : 0;
            }
            pav(j - i, want, gap, x, off, bsum, bcnt);
            for (uint32_t k = i; k < j; k++) {
                lab[k].x = x[k - i];
            }
        }
        i = j;
    }
    ab__free(ctx, want);
    return AB_OK;
}

static double row_top(uint32_t l)
{
    return MARGIN + CAPTION_H + l * (ROW_H + VGAP);
}

/*
 * Label positions in layout coordinates: a self-loop's beside its loop, any
 * other edge's on its middle segment, half way between the two rows, then
 * spread apart. Also fixes the canvas: nodes and labels all fit.
 */
static int layout_labels(layout *L, label *lab)
{
    for (uint32_t e = 0; e < L->m; e++) {
        const ledge *ed = &L->edges[e];
        label *lb = &lab[e];
        lb->w = edge_label(ed->count, ed->edge, lb->text, sizeof(lb->text));
        lb->edge = e;
        if (ed->from == ed->to) {
            const lnode *v = &L->nodes[ed->from];
            lb->gap = UINT32_MAX;
            lb->x = v->cx + v->w / 2 + 38 + lb->w / 2;
            lb->y = row_top(v->layer) + ROW_H / 2 + 4;
            continue;
        }
        uint32_t mid = ed->dummy_n / 2;
        const lnode *a = &L->nodes[chain_node(L, ed, mid)];
        const lnode *c = &L->nodes[chain_node(L, ed, mid + 1)];
        double ax = mid == 0 ? ed->top_x : a->cx;
        double cx = mid + 1 > ed->dummy_n ? ed->bottom_x : c->cx;
        lb->gap = a->layer;
        lb->x = (ax + cx) / 2;
        lb->y = row_top(lb->gap) + ROW_H + VGAP / 2 + 4;
    }
    int rc = spread_labels(L->ctx, lab, L->m);
    if (rc != AB_OK) {
        return rc;
    }
    double left = 0, right = 0;
    for (uint32_t v = 0; v < L->n; v++) {
        const lnode *nv = &L->nodes[v];
        double a = nv->cx - nv->w / 2, b = nv->cx + nv->w / 2 + nv->extra_r;
        left = v == 0 || a < left ? a : left;
        right = v == 0 || b > right ? b : right;
    }
    for (uint32_t e = 0; e < L->m; e++) {
        left = lab[e].x - lab[e].w / 2 < left ? lab[e].x - lab[e].w / 2 : left;
        right = lab[e].x + lab[e].w / 2 > right ? lab[e].x + lab[e].w / 2 : right;
    }
    L->left = left;
    L->width = (right - left) + 2 * MARGIN;
    L->height = MARGIN + CAPTION_H + L->layers * ROW_H + (L->layers - 1) * VGAP + MARGIN;
    return AB_OK;
}

/* ---- Drawing. ---- */

static int put_arrow(ab_buf *b, ab_ctx *ctx, double cx, double cy, double tx, double ty, double sw,
                     const char *color)
{
    int rc = AB_OK;
    double dx = tx - cx, dy = ty - cy;
    double len = sqrt(dx * dx + dy * dy);
    if (len < 1e-9) {
        dx = 0;
        dy = 1;
        len = 1;
    }
    dx /= len;
    dy /= len;
    double al = 7.0 + sw, hw = 3.0 + sw / 2;
    double bx = tx - dx * al, by = ty - dy * al;
    P("<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"/>", tx, ty, bx - dy * hw,
      by + dx * hw, bx + dy * hw, by - dx * hw, color);
    return rc;
}

typedef struct pt {
    double x, y;
} pt;

/*
 * The points of an edge from its upper to its lower node: the upper port,
 * then the top and bottom of each bend point, then the lower port; 2k
 * points for k segments. Returns k.
 */
static uint32_t edge_points(const layout *L, const ledge *e, double ox, pt *p)
{
    const lnode *up = &L->nodes[upper_of(e)], *low = &L->nodes[lower_of(e)];
    uint32_t k = e->dummy_n + 1;
    p[0] = (pt){e->top_x + ox, row_top(up->layer) + (ROW_H + up->h) / 2};
    for (uint32_t j = 0; j < e->dummy_n; j++) {
        const lnode *dn = &L->nodes[L->dummies[e->dummy_off + j]];
        p[2 * j + 1] = (pt){dn->cx + ox, row_top(dn->layer)};
        p[2 * j + 2] = (pt){dn->cx + ox, row_top(dn->layer) + ROW_H};
    }
    p[2 * k - 1] = (pt){e->bottom_x + ox, row_top(low->layer) + (ROW_H - low->h) / 2};
    return k;
}

/* One edge's path and arrowhead. Segments leave and enter rows vertically. */
static int put_edge_path(ab_buf *b, ab_ctx *ctx, const layout *L, const ledge *e, double ox, pt *p,
                         const char *color, double sw)
{
    int rc = AB_OK;
    const char *dash = e->edge == NULL ? " stroke-dasharray=\"5,3\"" : "";
    if (e->from == e->to) {
        const lnode *v = &L->nodes[e->from];
        double x = v->cx + v->w / 2 + ox, y = row_top(v->layer) + ROW_H / 2;
        P("<path d=\"M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f\" stroke=\"%s\" "
          "stroke-width=\"%.2f\"%s/>",
          x, y - 8, x + 34, y - 26, x + 34, y + 26, x, y + 8, color, sw, dash);
        return rc == AB_OK ? put_arrow(b, ctx, x + 34, y + 26, x, y + 8, sw, color) : rc;
    }
    uint32_t k = edge_points(L, e, ox, p);
    if (!e->back) {
        P("<path d=\"M%.1f,%.1f", p[0].x, p[0].y);
        for (uint32_t i = 0; i < k; i++) {
            pt a = p[2 * i], c = p[2 * i + 1];
            double dy = (c.y - a.y) / 2;
            P(" C%.1f,%.1f %.1f,%.1f %.1f,%.1f", a.x, a.y + dy, c.x, c.y - dy, c.x, c.y);
            if (i + 1 < k) {
                P(" L%.1f,%.1f", p[2 * i + 2].x, p[2 * i + 2].y);
            }
        }
    } else {
        /* Laid out downwards from the target; drawn upwards from the source. */
        P("<path d=\"M%.1f,%.1f", p[2 * k - 1].x, p[2 * k - 1].y);
        for (uint32_t i = k; i-- > 0;) {
            pt a = p[2 * i], c = p[2 * i + 1];
            double dy = (c.y - a.y) / 2;
            P(" C%.1f,%.1f %.1f,%.1f %.1f,%.1f", c.x, c.y - dy, a.x, a.y + dy, a.x, a.y);
            if (i > 0) {
                P(" L%.1f,%.1f", p[2 * i - 1].x, p[2 * i - 1].y);
            }
        }
    }
    P("\" stroke=\"%s\" stroke-width=\"%.2f\"%s/>", color, sw, dash);
    pt tip = e->back ? p[0] : p[2 * k - 1];
    double ctl = e->back ? tip.y + 10 : tip.y - 10;
    if (rc == AB_OK) {
        rc = put_arrow(b, ctx, tip.x, ctl, tip.x, tip.y, sw, color);
    }
    return rc;
}

static int put_edge_title(ab_buf *b, ab_ctx *ctx, const ab_dfg *d, const ledge *ed)
{
    int rc = AB_OK;
    uint32_t na = d->n_acts;
    P("<title>");
    if (ed->from < na) {
        rc = rc == AB_OK ? put_xml_text(b, ctx, d->acts[ed->from].name, 0) : rc;
    } else {
        P("start");
    }
    P(" \xe2\x86\x92 ");
    if (ed->to < na) {
        rc = rc == AB_OK ? put_xml_text(b, ctx, d->acts[ed->to].name, 0) : rc;
    } else {
        P("end");
    }
    P(": %llu", (unsigned long long)ed->count);
    if (ed->edge != NULL) {
        const ab_dfg_stats *st = &ed->edge->duration;
        P(" times in %llu cases", (unsigned long long)ed->edge->cases);
        if (st->count > 0) {
            char h1[32], h2[32], h3[32];
            ab__dfg_human_duration(st->median, h1, sizeof(h1));
            ab__dfg_human_duration(st->mean, h2, sizeof(h2));
            ab__dfg_human_duration(st->p90, h3, sizeof(h3));
            P("; median %s, mean %s, p90 %s", h1, h2, h3);
        }
    } else {
        P(" cases");
    }
    P("</title>");
    return rc;
}

static int put_node(ab_buf *b, ab_ctx *ctx, const ab_dfg *d, const lnode *nv, uint32_t v, double ox,
                    uint64_t max_events)
{
    int rc = AB_OK;
    double cx = nv->cx + ox, cy = row_top(nv->layer) + ROW_H / 2;
    if (nv->kind == K_START) {
        P("<g><title>start</title><circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" "
          "fill=\"#2e7d32\"/></g>\n",
          cx, cy, ENDPOINT_R);
        return rc;
    }
    if (nv->kind == K_END) {
        P("<g><title>end</title><circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#c62828\"/>"
          "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" stroke=\"#ffffff\" "
          "stroke-width=\"1.5\"/></g>\n",
          cx, cy, ENDPOINT_R, cx, cy, ENDPOINT_R - 4);
        return rc;
    }
    const ab_dfg_activity *a = &d->acts[v];
    double t = ab__dfg_scale(a->events, max_events) * 0.85;
    char fill[8];
    ab__dfg_color(t, fill);
    const char *ink = t > 0.55 ? "#ffffff" : "#000000";
    P("<g class=\"activity\"><title>");
    rc = rc == AB_OK ? put_xml_text(b, ctx, a->name, 0) : rc;
    P("&#10;%llu events in %llu cases", (unsigned long long)a->events,
      (unsigned long long)a->cases);
    if (a->service.count > 0) {
        char h[32];
        ab__dfg_human_duration(a->service.median, h, sizeof(h));
        P("&#10;median service time %s", h);
    }
    P("</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"6\" "
      "fill=\"%s\" stroke=\"#08306b\"/>",
      cx - nv->w / 2, cy - nv->h / 2, nv->w, nv->h, fill);
    P("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\" fill=\"%s\">", cx,
      cy - 3, ink);
    rc = rc == AB_OK ? put_xml_text(b, ctx, a->name, NAME_MAX_CP) : rc;
    P("</text><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" "
      "fill=\"%s\">%llu</text></g>\n",
      cx, cy + 13, ink, (unsigned long long)a->events);
    return rc;
}

static int draw(ab_buf *b, const ab_dfg *d, const layout *L, const label *lab)
{
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    uint64_t max_count = 0, max_events = 0;
    uint32_t max_k = 1;
    for (uint32_t e = 0; e < L->m; e++) {
        max_count = L->edges[e].count > max_count ? L->edges[e].count : max_count;
        max_k = L->edges[e].dummy_n + 1 > max_k ? L->edges[e].dummy_n + 1 : max_k;
    }
    for (uint32_t i = 0; i < d->n_acts; i++) {
        max_events = d->acts[i].events > max_events ? d->acts[i].events : max_events;
    }
    double ox = MARGIN - L->left;
    pt *p = ab__malloc(ctx, 2 * (size_t)max_k * sizeof(*p));
    if (p == NULL) {
        return AB_ENOMEM;
    }
    P("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    P("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "viewBox=\"0 0 %.0f %.0f\" font-family=\"Helvetica, Arial, sans-serif\">\n",
      ceil(L->width), ceil(L->height), ceil(L->width), ceil(L->height));
    P("<title>Directly-follows graph: %llu cases, %llu events, %u activities</title>\n",
      (unsigned long long)d->info.cases, (unsigned long long)d->info.events, d->n_acts);
    P("<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
    P("<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" fill=\"#202020\">%llu cases, %llu events"
      "</text>\n",
      MARGIN, MARGIN + 12, (unsigned long long)d->info.cases, (unsigned long long)d->info.events);
    /* Edges, then nodes over them, then labels over both. */
    P("<g class=\"edges\" fill=\"none\">\n");
    for (uint32_t e = 0; e < L->m && rc == AB_OK; e++) {
        const ledge *ed = &L->edges[e];
        double t = ab__dfg_scale(ed->count, max_count);
        char color[8];
        ab__dfg_color(t, color);
        P("<g>");
        if (rc == AB_OK) {
            rc = put_edge_title(b, ctx, d, ed);
        }
        if (rc == AB_OK) {
            rc = put_edge_path(b, ctx, L, ed, ox, p, color, 1.0 + 5.0 * t);
        }
        P("</g>\n");
    }
    P("</g>\n<g class=\"nodes\">\n");
    for (uint32_t v = 0; v < L->n_real && rc == AB_OK; v++) {
        rc = put_node(b, ctx, d, &L->nodes[v], v, ox, max_events);
    }
    P("</g>\n<g class=\"labels\">\n");
    for (uint32_t e = 0; e < L->m && rc == AB_OK; e++) {
        const label *lb = &lab[e];
        double x = lb->x + ox;
        P("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" rx=\"3\" fill=\"#ffffff\" "
          "fill-opacity=\"0.85\"/>",
          x - lb->w / 2, lb->y - 10, lb->w);
        P("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" "
          "fill=\"#404040\">%s</text>\n",
          x, lb->y, lb->text);
    }
    P("</g>\n</svg>\n");
    ab__free(ctx, p);
    return rc;
}

int ab_dfg_write_svg(ab_buf *b, const ab_dfg *d)
{
    layout L;
    memset(&L, 0, sizeof(L));
    L.ctx = d->ctx;
    label *lab = NULL;
    int rc = build_graph(&L, d);
    if (rc == AB_OK) {
        rc = find_back_edges(&L);
    }
    if (rc == AB_OK) {
        rc = assign_layers(&L);
    }
    if (rc == AB_OK) {
        rc = add_dummies(&L);
    }
    if (rc == AB_OK) {
        rc = build_segments(&L);
    }
    if (rc == AB_OK) {
        rc = order_rows(&L);
    }
    if (rc == AB_OK) {
        rc = place_x(&L);
    }
    if (rc == AB_OK) {
        rc = assign_ports(&L);
    }
    if (rc == AB_OK) {
        lab = ab__malloc(L.ctx, ((size_t)L.m + 1) * sizeof(*lab));
        rc = lab == NULL ? AB_ENOMEM : layout_labels(&L, lab);
    }
    if (rc == AB_OK) {
        rc = draw(b, d, &L, lab);
    }
    ab__free(L.ctx, lab);
    layout_free(&L);
    return rc;
}
