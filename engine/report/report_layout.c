/*
 * report/report_layout.c: a picture for a map whose file carries no diagram
 * geometry. Layers come from the longest path from the start events after a
 * depth-first search has turned the flows that loop back around (so the
 * documented order reads left to right); igraph's Sugiyama layout then
 * orders each layer to reduce crossings, places the nodes and gives the bend
 * points of flows that span several layers. igraph lays layers out top to
 * bottom; here a layer is a column. No random choice is made anywhere, so
 * the same map always gets the same picture.
 */
#include "report/report_int.h"

#include <math.h>

#include <igraph.h>

#define COL_GAP 64.0 /* Between the widest shapes of adjacent columns, px. */
#define ROW_GAP 36.0 /* Between rows, added to the tallest shape, px. */
#define LOOP_H 22.0  /* Height of a flow from a node to itself, px. */

/* An edge of the layout: a flow, or a tie that keeps related nodes together. */
typedef struct lay_edge {
    uint32_t from, to;
    ab__redge_kind kind;
    uint32_t index; /* Sequence or message flow, or AB_BPMN_NONE for a tie. */
    int back;       /* Loops back: reversed for layering. */
} lay_edge;

typedef struct lay {
    ab__scene *sc;
    uint32_t n;      /* Flow nodes. */
    lay_edge *edges; /* Layered edges (no self-loops), in the order given to igraph. */
    uint32_t m;
    uint32_t *off;    /* CSR of out-edges by node: off[v] .. off[v + 1] in adj. */
    uint32_t *adj;    /* Edge indices. */
    uint32_t *layer;  /* Column of each node. */
    uint8_t *touched; /* Non-zero: some layout edge enters (1) or leaves (2) the node. */
    uint32_t *gv;     /* Node -> igraph vertex, or AB_BPMN_NONE for a node no edge touches. */
    uint32_t gn;      /* igraph vertices. */
} lay;

static int ig_status(igraph_error_t e, const char *what, ab_error *err)
{
    if (e == IGRAPH_SUCCESS) {
        return AB_OK;
    }
    int code = e == IGRAPH_ENOMEM ? AB_ENOMEM : AB_ERROR;
    return ab__error(err, code, "report", 0, 0, "igraph %s failed: %s", what, igraph_strerror(e));
}

static void node_size(const ab_bpmn_node *nd, double *w, double *h)
{
    switch (nd->kind) {
    case AB_BPMN_START_EVENT:
    case AB_BPMN_END_EVENT:
    case AB_BPMN_CATCH_EVENT:
    case AB_BPMN_THROW_EVENT:
    case AB_BPMN_BOUNDARY_EVENT:
        *w = *h = AB__RL_EVENT;
        break;
    case AB_BPMN_GATEWAY:
        *w = *h = AB__RL_GATEWAY;
        break;
    default:
        *w = AB__RL_TASK_W;
        *h = AB__RL_TASK_H;
    }
}

/*
 * The edges that decide the layout: sequence flows between two distinct
 * nodes, then a tie from each activity to its boundary events and from each
 * sub-process to the content nodes that no flow enters (they follow it).
 */
static int collect_edges(lay *L)
{
    const ab_bpmn *m = L->sc->model;
    uint32_t nf = ab_bpmn_flow_count(m);
    uint32_t cap = nf + L->n + 1;
    L->edges = ab__arena_alloc(&L->sc->arena, (size_t)cap * sizeof(*L->edges));
    if (L->edges == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t f = 0; f < nf; f++) {
        const ab_bpmn_flow *fl = ab_bpmn_flow_at(m, f);
        if (fl->source < L->n && fl->target < L->n && fl->source != fl->target) {
            L->edges[L->m++] = (lay_edge){fl->source, fl->target, AB__RE_SEQUENCE, f, 0};
        }
    }
    for (uint32_t v = 0; v < L->n; v++) {
        const ab_bpmn_node *nd = ab_bpmn_node_at(m, v);
        uint32_t in_count = 0;
        ab_bpmn_node_incoming(m, v, &in_count);
        if (nd->kind == AB_BPMN_BOUNDARY_EVENT && nd->attached_to < L->n && nd->attached_to != v) {
            L->edges[L->m++] = (lay_edge){nd->attached_to, v, AB__RE_ATTACH, AB_BPMN_NONE, 0};
        } else if (nd->parent < L->n && nd->parent != v && in_count == 0) {
            L->edges[L->m++] = (lay_edge){nd->parent, v, AB__RE_ATTACH, AB_BPMN_NONE, 0};
        }
    }
    L->touched = ab__arena_alloc(&L->sc->arena, (size_t)L->n + 1);
    if (L->touched == NULL) {
        return AB_ENOMEM;
    }
    memset(L->touched, 0, (size_t)L->n + 1);
    for (uint32_t e = 0; e < L->m; e++) {
        L->touched[L->edges[e].to] = 1;
    }
    L->gv = ab__arena_alloc(&L->sc->arena, ((size_t)L->n + 1) * sizeof(uint32_t));
    if (L->gv == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t e = 0; e < L->m; e++) {
        L->touched[L->edges[e].from] |= 2;
    }
    for (uint32_t v = 0; v < L->n; v++) {
        L->gv[v] = L->touched[v] != 0 ? L->gn++ : AB_BPMN_NONE;
    }
    L->off = ab__arena_alloc(&L->sc->arena, ((size_t)L->n + 1) * sizeof(uint32_t));
    L->adj = ab__arena_alloc(&L->sc->arena, ((size_t)L->m + 1) * sizeof(uint32_t));
    if (L->off == NULL || L->adj == NULL) {
        return AB_ENOMEM;
    }
    memset(L->off, 0, ((size_t)L->n + 1) * sizeof(uint32_t));
    for (uint32_t e = 0; e < L->m; e++) {
        L->off[L->edges[e].from + 1]++;
    }
    for (uint32_t v = 0; v < L->n; v++) {
        L->off[v + 1] += L->off[v];
    }
    /* Fill in edge order, so each node's out-edges keep the document order of the flows. */
    uint32_t *fill = ab__malloc(L->sc->ctx, ((size_t)L->n + 1) * sizeof(uint32_t));
    if (fill == NULL) {
        return AB_ENOMEM;
    }
    memcpy(fill, L->off, ((size_t)L->n + 1) * sizeof(uint32_t));
    for (uint32_t e = 0; e < L->m; e++) {
        L->adj[fill[L->edges[e].from]++] = e;
    }
    ab__free(L->sc->ctx, fill);
    return AB_OK;
}

/*
 * Depth-first search from the nodes no edge enters (start events first, in
 * document order), then from any node not reached: an edge to a node still
 * on the stack closes a loop and is marked back.
 */
static int mark_back_edges(lay *L)
{
    ab_ctx *ctx = L->sc->ctx;
    uint32_t n = L->n;
    uint8_t *state = ab__calloc(ctx, (size_t)n + 1, 1);
    uint32_t *indeg = ab__calloc(ctx, (size_t)n + 1, sizeof(uint32_t));
    uint32_t *stack = ab__malloc(ctx, ((size_t)n + 1) * sizeof(uint32_t));
    uint32_t *cursor = ab__malloc(ctx, ((size_t)n + 1) * sizeof(uint32_t));
    int rc = AB_ENOMEM;
    if (state == NULL || indeg == NULL || stack == NULL || cursor == NULL) {
        goto done;
    }
    for (uint32_t e = 0; e < L->m; e++) {
        indeg[L->edges[e].to]++;
    }
    const ab_bpmn *m = L->sc->model;
    for (uint32_t pass = 0; pass < 3; pass++) {
        for (uint32_t r = 0; r < n; r++) {
            int is_start = ab_bpmn_node_at(m, r)->kind == AB_BPMN_START_EVENT;
            if (state[r] != 0 || (pass == 0 && !(is_start && indeg[r] == 0)) ||
                (pass == 1 && indeg[r] != 0)) {
                continue;
            }
            uint32_t top = 0;
            stack[top++] = r;
            cursor[r] = L->off[r];
            state[r] = 1;
            while (top > 0) {
                uint32_t v = stack[top - 1];
                if (cursor[v] == L->off[v + 1]) {
                    state[v] = 2;
                    top--;
                    continue;
                }
                uint32_t e = L->adj[cursor[v]++];
                uint32_t w = L->edges[e].to;
                if (state[w] == 1) {
                    L->edges[e].back = 1;
                } else if (state[w] == 0) {
                    state[w] = 1;
                    cursor[w] = L->off[w];
                    stack[top++] = w;
                }
            }
        }
    }
    rc = AB_OK;
done:
    ab__free(ctx, state);
    ab__free(ctx, indeg);
    ab__free(ctx, stack);
    ab__free(ctx, cursor);
    return rc;
}

/* Longest path over the edges with back edges reversed (Kahn's order). */
static int assign_layers(lay *L)
{
    ab_ctx *ctx = L->sc->ctx;
    uint32_t n = L->n;
    uint32_t *indeg = ab__calloc(ctx, (size_t)n + 1, sizeof(uint32_t));
    uint32_t *off = ab__calloc(ctx, (size_t)n + 2, sizeof(uint32_t));
    uint32_t *adjv = ab__malloc(ctx, ((size_t)L->m + 1) * sizeof(uint32_t));
    uint32_t *queue = ab__malloc(ctx, ((size_t)n + 1) * sizeof(uint32_t));
    L->layer = ab__arena_alloc(&L->sc->arena, ((size_t)n + 1) * sizeof(uint32_t));
    int rc = AB_ENOMEM;
    if (indeg == NULL || off == NULL || adjv == NULL || queue == NULL || L->layer == NULL) {
        goto done;
    }
    for (uint32_t e = 0; e < L->m; e++) {
        const lay_edge *ed = &L->edges[e];
        uint32_t a = ed->back ? ed->to : ed->from, b = ed->back ? ed->from : ed->to;
        off[a + 2]++;
        indeg[b]++;
    }
    for (uint32_t v = 0; v < n; v++) {
        off[v + 2] += off[v + 1];
    }
    for (uint32_t e = 0; e < L->m; e++) {
        const lay_edge *ed = &L->edges[e];
        uint32_t a = ed->back ? ed->to : ed->from, b = ed->back ? ed->from : ed->to;
        adjv[off[a + 1]++] = b;
    }
    uint32_t head = 0, tail = 0;
    for (uint32_t v = 0; v < n; v++) {
        L->layer[v] = 0;
        if (indeg[v] == 0) {
            queue[tail++] = v;
        }
    }
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t k = off[u]; k < off[u + 1]; k++) {
            uint32_t w = adjv[k];
            if (L->layer[w] < L->layer[u] + 1) {
                L->layer[w] = L->layer[u] + 1;
            }
            if (--indeg[w] == 0) {
                queue[tail++] = w;
            }
        }
    }
    /* The search left no cycle; every node was reached (checked, not assumed). */
    rc = tail == n ? AB_OK : AB_ERROR;
done:
    ab__free(ctx, indeg);
    ab__free(ctx, off);
    ab__free(ctx, adjv);
    ab__free(ctx, queue);
    return rc;
}

/* Where the segment from the centre of s towards (tx, ty) leaves s's outline. */
static void border_point(const ab__rshape *s, const ab_bpmn_node *nd, double tx, double ty,
                         double *x, double *y)
{
    double cx = s->x + s->w / 2, cy = s->y + s->h / 2;
    double dx = tx - cx, dy = ty - cy;
    double hw = s->w / 2, hh = s->h / 2;
    if (fabs(dx) < 1e-9 && fabs(dy) < 1e-9) {
        *x = cx;
        *y = cy;
        return;
    }
    double k;
    if (nd->kind == AB_BPMN_GATEWAY) {
        k = 1.0 / (fabs(dx) / hw + fabs(dy) / hh);
    } else if (nd->kind >= AB_BPMN_START_EVENT && nd->kind <= AB_BPMN_BOUNDARY_EVENT) {
        k = hw / sqrt(dx * dx + dy * dy);
    } else {
        double kx = fabs(dx) > 1e-9 ? hw / fabs(dx) : INFINITY;
        double ky = fabs(dy) > 1e-9 ? hh / fabs(dy) : INFINITY;
        k = kx < ky ? kx : ky;
    }
    *x = cx + dx * k;
    *y = cy + dy * k;
}

/* The scene from igraph's coordinates: one shape per node, the flows through their bends. */
static int build_scene(lay *L, const igraph_matrix_t *res, const igraph_t *extd,
                       const igraph_vector_int_t *eids)
{
    ab__scene *sc = L->sc;
    const ab_bpmn *m = sc->model;
    uint32_t n = L->n, layers = 0;
    double max_h = 0;
    for (uint32_t v = 0; v < n; v++) {
        layers = L->layer[v] + 1 > layers ? L->layer[v] + 1 : layers;
    }
    double *col_w = ab__arena_alloc(&sc->arena, ((size_t)layers + 1) * sizeof(double));
    double *col_x = ab__arena_alloc(&sc->arena, ((size_t)layers + 1) * sizeof(double));
    sc->shapes = ab__arena_alloc(&sc->arena, ((size_t)n + 1) * sizeof(*sc->shapes));
    if (col_w == NULL || col_x == NULL || sc->shapes == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t l = 0; l <= layers; l++) {
        col_w[l] = 0;
    }
    for (uint32_t v = 0; v < n; v++) {
        double w, h;
        node_size(ab_bpmn_node_at(m, v), &w, &h);
        col_w[L->layer[v]] = w > col_w[L->layer[v]] ? w : col_w[L->layer[v]];
        max_h = h > max_h ? h : max_h;
    }
    double x = 0;
    for (uint32_t l = 0; l < layers; l++) {
        col_x[l] = x + col_w[l] / 2;
        x += col_w[l] + COL_GAP;
    }
    double row = max_h + ROW_GAP;
    /*
     * Nodes that no edge touches would each take a row of their own (igraph
     * places components side by side); they go in a grid under the rest.
     */
    uint32_t isolated = 0;
    double bottom = 0;
    for (uint32_t v = 0; v < n; v++) {
        if (L->gv[v] == AB_BPMN_NONE) {
            isolated++;
        } else {
            double cy = MATRIX(*res, L->gv[v], 0) * row + max_h / 2;
            bottom = cy + max_h / 2 > bottom ? cy + max_h / 2 : bottom;
        }
    }
    uint32_t grid_cols = 4, grid_k = 0;
    while (grid_cols * grid_cols < isolated) {
        grid_cols++;
    }
    double grid_top = isolated < n ? bottom + ROW_GAP * 2 : 0;
    for (uint32_t v = 0; v < n; v++) {
        const ab_bpmn_node *nd = ab_bpmn_node_at(m, v);
        double w, h, cx, cy;
        node_size(nd, &w, &h);
        if (L->gv[v] == AB_BPMN_NONE) {
            cx = AB__RL_TASK_W / 2 + (grid_k % grid_cols) * (AB__RL_TASK_W + COL_GAP);
            cy = grid_top + max_h / 2 + (grid_k / grid_cols) * (row + ROW_GAP);
            grid_k++;
        } else {
            cx = col_x[L->layer[v]];
            cy = MATRIX(*res, L->gv[v], 0) * row + max_h / 2;
        }
        sc->shapes[v] = (ab__rshape){AB__RS_NODE, v, nd->id, nd->label, cx - w / 2, cy - h / 2, w,
                                     h,           0, 0,      0,         0,          0,          0};
        sc->node_shape[v] = v;
    }
    sc->shape_count = n;

    /* Extended-graph edges of each layout edge, to walk its chain of bend points. */
    igraph_integer_t xm = igraph_ecount(extd);
    uint32_t *xoff = ab__calloc(sc->ctx, (size_t)L->m + 2, sizeof(uint32_t));
    uint32_t *xlist = ab__malloc(sc->ctx, ((size_t)xm + 1) * sizeof(uint32_t));
    uint32_t nf = ab_bpmn_flow_count(m), nmf = ab_bpmn_message_flow_count(m);
    sc->edges = ab__arena_alloc(&sc->arena, ((size_t)L->m + nf + nmf + 1) * sizeof(*sc->edges));
    int rc = AB_ENOMEM;
    if (xoff == NULL || xlist == NULL || sc->edges == NULL) {
        goto done;
    }
    for (igraph_integer_t k = 0; k < xm; k++) {
        igraph_integer_t oe = VECTOR(*eids)[k];
        if (oe >= 0 && (uint64_t)oe < L->m) {
            xoff[oe + 2]++;
        }
    }
    for (uint32_t e = 0; e < L->m; e++) {
        xoff[e + 2] += xoff[e + 1];
    }
    for (igraph_integer_t k = 0; k < xm; k++) {
        igraph_integer_t oe = VECTOR(*eids)[k];
        if (oe >= 0 && (uint64_t)oe < L->m) {
            xlist[xoff[oe + 1]++] = (uint32_t)k;
        }
    }
    for (uint32_t e = 0; e < L->m; e++) {
        const lay_edge *ed = &L->edges[e];
        uint32_t segs = xoff[e + 1] - xoff[e];
        double *pts = ab__arena_alloc(&sc->arena, ((size_t)segs + 2) * 2 * sizeof(double));
        if (pts == NULL) {
            goto done;
        }
        uint32_t np = 0;
        igraph_integer_t cur = L->gv[ed->from], last = L->gv[ed->to];
        pts[np++] = sc->shapes[ed->from].x + sc->shapes[ed->from].w / 2;
        pts[np++] = sc->shapes[ed->from].y + sc->shapes[ed->from].h / 2;
        for (uint32_t step = 0; step < segs && cur != last; step++) {
            igraph_integer_t next = -1;
            for (uint32_t k = xoff[e]; k < xoff[e + 1]; k++) {
                if (IGRAPH_FROM(extd, xlist[k]) == cur) {
                    next = IGRAPH_TO(extd, xlist[k]);
                    break;
                }
            }
            if (next < 0) {
                break;
            }
            if (next != last) {
                /* A bend: its layer from its y, its row from its x. */
                double lyr = MATRIX(*res, next, 1);
                uint32_t l = lyr < 0 ? 0 : (uint32_t)lround(lyr);
                pts[np++] = col_x[l < layers ? l : layers - 1];
                pts[np++] = MATRIX(*res, next, 0) * row + max_h / 2;
            }
            cur = next;
        }
        pts[np++] = sc->shapes[ed->to].x + sc->shapes[ed->to].w / 2;
        pts[np++] = sc->shapes[ed->to].y + sc->shapes[ed->to].h / 2;
        uint32_t k = np / 2;
        border_point(&sc->shapes[ed->from], ab_bpmn_node_at(m, ed->from), pts[2], pts[3], &pts[0],
                     &pts[1]);
        border_point(&sc->shapes[ed->to], ab_bpmn_node_at(m, ed->to), pts[2 * k - 4],
                     pts[2 * k - 3], &pts[2 * k - 2], &pts[2 * k - 1]);
        const char *eid = ed->index != AB_BPMN_NONE ? ab_bpmn_flow_at(m, ed->index)->id : "";
        sc->edges[sc->edge_count] = (ab__redge){ed->kind, ed->index, eid, pts, k};
        if (ed->kind == AB__RE_SEQUENCE) {
            sc->flow_edge[ed->index] = sc->edge_count;
        }
        sc->edge_count++;
    }
    /* Flows from a node to itself: a small loop over its top side. */
    for (uint32_t f = 0; f < nf; f++) {
        const ab_bpmn_flow *fl = ab_bpmn_flow_at(m, f);
        if (fl->source >= n || fl->source != fl->target) {
            continue;
        }
        const ab__rshape *s = &sc->shapes[fl->source];
        double *pts = ab__arena_alloc(&sc->arena, 8 * sizeof(double));
        if (pts == NULL) {
            goto done;
        }
        double q = s->w / 4;
        double lp[8] = {s->x + s->w / 2 + q, s->y,          s->x + s->w / 2 + q, s->y - LOOP_H,
                        s->x + s->w / 2 - q, s->y - LOOP_H, s->x + s->w / 2 - q, s->y};
        memcpy(pts, lp, sizeof(lp));
        sc->flow_edge[f] = sc->edge_count;
        sc->edges[sc->edge_count++] = (ab__redge){AB__RE_SEQUENCE, f, fl->id, pts, 4};
    }
    /* Message flows between two placed nodes: straight, outside the layering. */
    for (uint32_t f = 0; f < nmf; f++) {
        const ab_bpmn_message_flow *mf = ab_bpmn_message_flow_at(m, f);
        if (mf->source >= n || mf->target >= n || mf->source == mf->target) {
            continue;
        }
        const ab__rshape *a = &sc->shapes[mf->source], *b = &sc->shapes[mf->target];
        double *pts = ab__arena_alloc(&sc->arena, 4 * sizeof(double));
        if (pts == NULL) {
            goto done;
        }
        border_point(a, ab_bpmn_node_at(m, mf->source), b->x + b->w / 2, b->y + b->h / 2, &pts[0],
                     &pts[1]);
        border_point(b, ab_bpmn_node_at(m, mf->target), a->x + a->w / 2, a->y + a->h / 2, &pts[2],
                     &pts[3]);
        sc->edges[sc->edge_count++] = (ab__redge){AB__RE_MESSAGE, f, mf->id, pts, 2};
    }
    rc = AB_OK;
done:
    ab__free(sc->ctx, xoff);
    ab__free(sc->ctx, xlist);
    return rc;
}

int ab__report_layout(ab__scene *sc, ab_error *err)
{
    lay L;
    memset(&L, 0, sizeof(L));
    L.sc = sc;
    L.n = ab_bpmn_node_count(sc->model);
    sc->computed = 1;
    if (L.n == 0) {
        return AB_OK;
    }
    int rc = collect_edges(&L);
    if (rc == AB_OK) {
        rc = mark_back_edges(&L);
    }
    if (rc == AB_OK) {
        rc = assign_layers(&L);
        if (rc == AB_ERROR) {
            return ab__error(err, rc, "report", 0, 0, "layering left a cycle (a bug)");
        }
    }
    if (rc != AB_OK) {
        return rc;
    }

    igraph_vector_int_t ev, layers, eids;
    igraph_matrix_t res;
    igraph_t g, extd;
    int have_ev = 0, have_layers = 0, have_eids = 0, have_res = 0, have_g = 0, have_extd = 0;
    rc = ig_status(igraph_vector_int_init(&ev, 2 * (igraph_integer_t)L.m), "vector", err);
    have_ev = rc == AB_OK;
    if (rc == AB_OK) {
        rc = ig_status(igraph_vector_int_init(&layers, (igraph_integer_t)L.gn), "vector", err);
        have_layers = rc == AB_OK;
    }
    if (rc == AB_OK) {
        rc = ig_status(igraph_vector_int_init(&eids, 0), "vector", err);
        have_eids = rc == AB_OK;
    }
    if (rc == AB_OK) {
        rc = ig_status(igraph_matrix_init(&res, 0, 0), "matrix", err);
        have_res = rc == AB_OK;
    }
    if (rc == AB_OK) {
        for (uint32_t e = 0; e < L.m; e++) {
            VECTOR(ev)[2 * e] = L.gv[L.edges[e].from];
            VECTOR(ev)[2 * e + 1] = L.gv[L.edges[e].to];
        }
        for (uint32_t v = 0; v < L.n; v++) {
            if (L.gv[v] != AB_BPMN_NONE) {
                VECTOR(layers)[L.gv[v]] = L.layer[v];
            }
        }
        rc = ig_status(igraph_create(&g, &ev, (igraph_integer_t)L.gn, IGRAPH_DIRECTED), "create",
                       err);
        have_g = rc == AB_OK;
    }
    if (rc == AB_OK) {
        /* Unit gaps: igraph decides order and relative position, we decide the spacing. */
        rc = ig_status(igraph_layout_sugiyama(&g, &res, &extd, &eids, &layers, 1.0, 1.0, 100, NULL),
                       "layout_sugiyama", err);
        have_extd = rc == AB_OK;
    }
    if (rc == AB_OK) {
        rc = build_scene(&L, &res, &extd, &eids);
    }
    if (have_extd) {
        igraph_destroy(&extd);
    }
    if (have_g) {
        igraph_destroy(&g);
    }
    if (have_res) {
        igraph_matrix_destroy(&res);
    }
    if (have_eids) {
        igraph_vector_int_destroy(&eids);
    }
    if (have_layers) {
        igraph_vector_int_destroy(&layers);
    }
    if (have_ev) {
        igraph_vector_int_destroy(&ev);
    }
    return rc;
}
