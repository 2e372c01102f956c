/*
 * report/report_map.c: a documented map drawn as SVG, with reality drawn on
 * it. The geometry is the file's first diagram (BPMN DI) or, without one, a
 * computed layout (report_layout.c); either way it becomes a scene of shapes
 * and polylines that one drawer paints in BPMN's visual language, then the
 * overlay goes on top: bypass rates as fills and "n/m cases" badges, dead
 * flows greyed, undocumented transitions as red dashed arcs and undocumented
 * activities as red boxes beside their usual context. The body is written
 * first and the header last, because the picture's bounds are only known
 * once the overlay has been placed.
 */
#include "report/report_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define P(...)                                                                                     \
    do {                                                                                           \
        if (rc == AB_OK) {                                                                         \
            rc = ab_buf_printf(b, ctx, __VA_ARGS__);                                               \
        }                                                                                          \
    } while (0)
#define T(s, max_cp)                                                                               \
    do {                                                                                           \
        if (rc == AB_OK) {                                                                         \
            rc = ab__report_text(b, ctx, (s), (max_cp));                                           \
        }                                                                                          \
    } while (0)

#define INK "#1f2933"
#define LINE "#3d4852"
#define RED "#c62828"
#define GREY "#a3a9b0"
#define MARGIN 20.0
#define FONT 12.0
#define SMALL 10.0
#define EXTRA_W 124.0
#define EXTRA_H 54.0
#define COORD_MAX 1e7 /* Coordinates past this are treated as broken DI. */
#define AB_PI 3.14159265358979323846

/* What a string names, for shapes and edges whose element is not a flow node. */
enum { ID_PARTICIPANT = 0, ID_LANE = 1, ID_MESSAGE = 2 };

typedef struct idref {
    const char *id;
    int kind;
    uint32_t index; /* Process (for a participant), lane or message flow. */
} idref;

typedef struct rect {
    double x, y, w, h;
} rect;

/* An end of an arc: a box, an ellipse or a diamond around a centre. */
typedef struct endpt {
    double cx, cy, hw, hh;
    int outline;  /* 0 rectangle, 1 ellipse, 2 diamond. */
    int ok;       /* Found. */
    uint32_t key; /* Shape index, or shape_count + extra index, to tell ends apart. */
} endpt;

typedef struct extra_geo {
    int placed;
    rect r;
    uint32_t before, after; /* Anchor shapes, or AB_BPMN_NONE. */
    uint32_t lines;         /* Lines of its label. */
} extra_geo;

/* Where a case start or end marker goes: a short stem from the step to the marker, a tag. */
typedef struct end_geo {
    int placed;
    double x0, y0, x1, y1; /* The stem, from the step's border to the marker's. */
    double mx, my;         /* The marker's centre. */
    double tx, ty;         /* The tag's centre and baseline. */
} end_geo;

/* A kept rectangle in one bucket of the grid. */
typedef struct keep_link {
    uint32_t rect; /* Index in keep, or KEEP_WIDE for the list of wide ones. */
    uint32_t next; /* Next link of the bucket, or UINT32_MAX. */
} keep_link;

/* An arc's case count, placed and waiting to be drawn. */
typedef struct arc_label {
    const char *text;
    double cx, baseline;
    int outline; /* Drawn with a red outline (the self-loop's has none). */
} arc_label;

typedef struct drawer {
    ab_ctx *ctx;
    ab_buf *b;
    const ab_bpmn *m;
    const ab_report_overlay *ov;
    ab__scene sc;
    idref *ids;
    uint32_t id_count;
    const ab_report_task_mark **mark; /* Node -> its overlay mark, or NULL. */
    uint8_t *edge_dead;               /* Scene edge -> never traversed. */
    extra_geo *extras;
    rect *keep; /* What nothing may cover: shapes, labels, badges, tags, red boxes. */
    uint32_t n_keep, cap_keep;
    uint32_t *keep_head; /* Grid bucket -> first link, or UINT32_MAX (see keep()). */
    keep_link *links;
    uint32_t n_links, cap_links;
    int keep_failed; /* The registry could not grow (out of memory). */
    rect *badge;     /* Task mark -> where its badge goes (w = 0: none). */
    end_geo *ends;   /* Case end -> where it goes. */
    uint32_t end_count;
    arc_label *arc_labels; /* Case counts of the arcs, drawn after every arc's line. */
    uint32_t n_arc_labels;
    double minx, miny, maxx, maxy; /* Bounds of everything drawn so far. */
    int has_bounds;
    ab_report_map_info info;
} drawer;

/* ---- Bounds and small geometry. ---- */

static void grow(drawer *d, double x0, double y0, double x1, double y1)
{
    if (!d->has_bounds) {
        d->minx = x0;
        d->miny = y0;
        d->maxx = x1;
        d->maxy = y1;
        d->has_bounds = 1;
        return;
    }
    d->minx = x0 < d->minx ? x0 : d->minx;
    d->miny = y0 < d->miny ? y0 : d->miny;
    d->maxx = x1 > d->maxx ? x1 : d->maxx;
    d->maxy = y1 > d->maxy ? y1 : d->maxy;
}

static int sane(double v)
{
    return isfinite(v) && fabs(v) <= COORD_MAX;
}

static int overlap(rect a, rect b, double pad)
{
    return a.x < b.x + b.w + pad && b.x < a.x + a.w + pad && a.y < b.y + b.h + pad &&
           b.y < a.y + a.h + pad;
}

/*
 * The rectangles that nothing placed later may cover sit in a grid of
 * KEEP_CELL px cells hashed into KEEP_BUCKETS chains, so that finding a free
 * spot looks at the neighbourhood and not at every label of a large map. A
 * rectangle over more than KEEP_MAX_CELLS cells (a pool's header strip) goes
 * in a list that every query reads.
 */
#define KEEP_CELL 128.0
#define KEEP_BUCKETS 4096u
#define KEEP_MAX_CELLS 64
#define KEEP_WIDE (KEEP_BUCKETS) /* The chain of wide rectangles. */

/* The cells r spans: [*x0, *x1] x [*y0, *y1]; 0 when there are too many. */
static int keep_cells(rect r, int64_t *x0, int64_t *y0, int64_t *x1, int64_t *y1)
{
    *x0 = (int64_t)floor(r.x / KEEP_CELL);
    *y0 = (int64_t)floor(r.y / KEEP_CELL);
    *x1 = (int64_t)floor((r.x + r.w) / KEEP_CELL);
    *y1 = (int64_t)floor((r.y + r.h) / KEEP_CELL);
    return (*x1 - *x0 + 1) * (*y1 - *y0 + 1) <= KEEP_MAX_CELLS;
}

static uint32_t keep_bucket(int64_t cx, int64_t cy)
{
    return ((uint32_t)cx * 73856093u ^ (uint32_t)cy * 19349663u) & (KEEP_BUCKETS - 1);
}

static void keep_link_add(drawer *d, uint32_t bucket, uint32_t ri)
{
    if (d->n_links == d->cap_links) {
        uint32_t cap = d->cap_links != 0 ? d->cap_links * 2 : 256;
        keep_link *n = ab__arena_alloc(&d->sc.arena, (size_t)cap * sizeof(keep_link));
        if (n == NULL) {
            d->keep_failed = 1;
            return;
        }
        if (d->n_links > 0) {
            memcpy(n, d->links, (size_t)d->n_links * sizeof(keep_link));
        }
        d->links = n;
        d->cap_links = cap;
    }
    d->links[d->n_links] = (keep_link){ri, d->keep_head[bucket]};
    d->keep_head[bucket] = d->n_links++;
}

/* Remembers a rectangle that nothing placed later may cover. */
static void keep(drawer *d, rect r)
{
    if (d->keep_head == NULL) {
        d->keep_head = ab__arena_alloc(&d->sc.arena, (KEEP_BUCKETS + 1) * sizeof(uint32_t));
        if (d->keep_head == NULL) {
            d->keep_failed = 1;
            return;
        }
        memset(d->keep_head, 0xff, (KEEP_BUCKETS + 1) * sizeof(uint32_t));
    }
    if (d->n_keep == d->cap_keep) {
        uint32_t cap = d->cap_keep != 0 ? d->cap_keep * 2 : 64;
        rect *n = ab__arena_alloc(&d->sc.arena, (size_t)cap * sizeof(rect));
        if (n == NULL) {
            d->keep_failed = 1;
            return;
        }
        if (d->n_keep > 0) {
            memcpy(n, d->keep, (size_t)d->n_keep * sizeof(rect));
        }
        d->keep = n;
        d->cap_keep = cap;
    }
    uint32_t ri = d->n_keep++;
    d->keep[ri] = r;
    int64_t x0, y0, x1, y1;
    if (!keep_cells(r, &x0, &y0, &x1, &y1)) {
        keep_link_add(d, KEEP_WIDE, ri);
        return;
    }
    for (int64_t cy = y0; cy <= y1; cy++) {
        for (int64_t cx = x0; cx <= x1; cx++) {
            keep_link_add(d, keep_bucket(cx, cy), ri);
        }
    }
}

static int chain_free(const drawer *d, uint32_t bucket, rect r, double pad)
{
    for (uint32_t l = d->keep_head[bucket]; l != UINT32_MAX; l = d->links[l].next) {
        if (overlap(r, d->keep[d->links[l].rect], pad)) {
            return 0;
        }
    }
    return 1;
}

/* Nothing kept meets r (with pad px around it). */
static int is_free(const drawer *d, rect r, double pad)
{
    if (d->keep_head == NULL) {
        return 1;
    }
    int64_t x0, y0, x1, y1;
    if (!keep_cells((rect){r.x - pad, r.y - pad, r.w + 2 * pad, r.h + 2 * pad}, &x0, &y0, &x1,
                    &y1)) {
        for (uint32_t i = 0; i < d->n_keep; i++) {
            if (overlap(r, d->keep[i], pad)) {
                return 0;
            }
        }
        return 1;
    }
    if (!chain_free(d, KEEP_WIDE, r, pad)) {
        return 0;
    }
    for (int64_t cy = y0; cy <= y1; cy++) {
        for (int64_t cx = x0; cx <= x1; cx++) {
            if (!chain_free(d, keep_bucket(cx, cy), r, pad)) {
                return 0;
            }
        }
    }
    return 1;
}

/* r crosses the border of a pool or lane (it is partly inside, partly outside). */
static int crosses_band(const drawer *d, rect r, uint32_t *band_out)
{
    for (uint32_t i = 0; i < d->sc.shape_count; i++) {
        const ab__rshape *s = &d->sc.shapes[i];
        if (s->kind != AB__RS_POOL && s->kind != AB__RS_LANE) {
            continue;
        }
        rect b = {s->x, s->y, s->w, s->h};
        int inside_b = r.x >= b.x && r.y >= b.y && r.x + r.w <= b.x + b.w && r.y + r.h <= b.y + b.h;
        if (overlap(r, b, 0) && !inside_b) {
            *band_out = i;
            return 1;
        }
    }
    return 0;
}

static int is_event(ab_bpmn_kind k)
{
    return k == AB_BPMN_START_EVENT || k == AB_BPMN_END_EVENT || k == AB_BPMN_CATCH_EVENT ||
           k == AB_BPMN_THROW_EVENT || k == AB_BPMN_BOUNDARY_EVENT;
}

/* Shapes whose label goes inside them. */
static int is_box(ab_bpmn_kind k)
{
    return k == AB_BPMN_TASK || k == AB_BPMN_CALL_ACTIVITY || k == AB_BPMN_SUBPROCESS;
}

/* ---- Building the scene from DI. ---- */

static int cmp_idref(const void *pa, const void *pb)
{
    const idref *a = pa, *b = pb;
    int c = strcmp(a->id, b->id);
    if (c != 0) {
        return c;
    }
    if (a->kind != b->kind) {
        return a->kind < b->kind ? -1 : 1;
    }
    return (a->index > b->index) - (a->index < b->index);
}

/* Participants, lanes and message flows by id: what DI shapes and edges may name. */
static int build_ids(drawer *d)
{
    const ab_bpmn *m = d->m;
    uint32_t np = ab_bpmn_process_count(m), nl = ab_bpmn_lane_count(m);
    uint32_t nmf = ab_bpmn_message_flow_count(m);
    d->ids = ab__arena_alloc(&d->sc.arena, ((size_t)np + nl + nmf + 1) * sizeof(idref));
    if (d->ids == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t i = 0; i < np; i++) {
        const ab_bpmn_process *p = ab_bpmn_process_at(m, i);
        if (p->participant_id[0] != '\0') {
            d->ids[d->id_count++] = (idref){p->participant_id, ID_PARTICIPANT, i};
        }
    }
    for (uint32_t i = 0; i < nl; i++) {
        d->ids[d->id_count++] = (idref){ab_bpmn_lane_at(m, i)->id, ID_LANE, i};
    }
    for (uint32_t i = 0; i < nmf; i++) {
        d->ids[d->id_count++] = (idref){ab_bpmn_message_flow_at(m, i)->id, ID_MESSAGE, i};
    }
    qsort(d->ids, d->id_count, sizeof(idref), cmp_idref);
    return AB_OK;
}

/* The first entry with this id (the sort puts equal ids together, by kind). */
static const idref *find_id(const drawer *d, const char *id)
{
    uint32_t lo = 0, hi = d->id_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(d->ids[mid].id, id) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < d->id_count && strcmp(d->ids[lo].id, id) == 0 ? &d->ids[lo] : NULL;
}

static int has_node_shape_on_first_plane(const ab_bpmn *m)
{
    for (uint32_t i = 0; i < ab_bpmn_shape_count(m); i++) {
        const ab_bpmn_shape *s = ab_bpmn_shape_at(m, i);
        if (s->plane == 0 && s->node != AB_BPMN_NONE) {
            return 1;
        }
    }
    return 0;
}

static int scene_from_di(drawer *d)
{
    ab__scene *sc = &d->sc;
    const ab_bpmn *m = d->m;
    uint32_t ns = ab_bpmn_shape_count(m), ne = ab_bpmn_edge_count(m);
    sc->shapes = ab__arena_alloc(&sc->arena, ((size_t)ns + 1) * sizeof(*sc->shapes));
    sc->edges = ab__arena_alloc(&sc->arena, ((size_t)ne + 1) * sizeof(*sc->edges));
    if (sc->shapes == NULL || sc->edges == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t i = 0; i < ns; i++) {
        const ab_bpmn_shape *s = ab_bpmn_shape_at(m, i);
        if (s->plane != 0 || !sane(s->x) || !sane(s->y) || !sane(s->width) || !sane(s->height) ||
            s->width < 0 || s->height < 0) {
            continue;
        }
        ab__rshape r = {AB__RS_ARTIFACT,
                        AB_BPMN_NONE,
                        s->element_id,
                        "",
                        s->x,
                        s->y,
                        s->width,
                        s->height,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0};
        if (s->has_label && sane(s->label_x) && sane(s->label_y) && sane(s->label_width) &&
            sane(s->label_height) && s->label_width >= 0 && s->label_height >= 0) {
            r.has_label = 1;
            r.lx = s->label_x;
            r.ly = s->label_y;
            r.lw = s->label_width;
            r.lh = s->label_height;
        }
        if (s->node != AB_BPMN_NONE && s->node < ab_bpmn_node_count(m)) {
            const ab_bpmn_node *nd = ab_bpmn_node_at(m, s->node);
            r.kind = AB__RS_NODE;
            r.node = s->node;
            r.name = nd->label;
            r.container = nd->kind == AB_BPMN_SUBPROCESS && s->expanded;
            if (sc->node_shape[s->node] == AB_BPMN_NONE) {
                sc->node_shape[s->node] = sc->shape_count;
            }
        } else {
            const idref *ref = find_id(d, s->element_id);
            if (ref != NULL && ref->kind == ID_PARTICIPANT) {
                r.kind = AB__RS_POOL;
                r.name = ab_bpmn_process_at(m, ref->index)->participant_name;
            } else if (ref != NULL && ref->kind == ID_LANE) {
                r.kind = AB__RS_LANE;
                r.name = ab_bpmn_lane_at(m, ref->index)->name;
            }
        }
        sc->shapes[sc->shape_count++] = r;
    }
    /* A sub-process whose content is drawn on this diagram is a container, flag or not. */
    for (uint32_t i = 0; i < sc->shape_count; i++) {
        const ab__rshape *r = &sc->shapes[i];
        if (r->kind != AB__RS_NODE) {
            continue;
        }
        uint32_t parent = ab_bpmn_node_at(m, r->node)->parent;
        if (parent != AB_BPMN_NONE && parent < ab_bpmn_node_count(m) &&
            sc->node_shape[parent] != AB_BPMN_NONE) {
            sc->shapes[sc->node_shape[parent]].container = 1;
        }
    }
    for (uint32_t i = 0; i < ne; i++) {
        const ab_bpmn_edge *e = ab_bpmn_edge_at(m, i);
        if (e->plane != 0 || e->point_count < 2) {
            continue;
        }
        int ok = 1;
        for (uint32_t k = 0; k < 2 * e->point_count && ok; k++) {
            ok = sane(e->points[k]);
        }
        if (!ok) {
            continue;
        }
        ab__redge r = {AB__RE_OTHER, AB_BPMN_NONE, e->element_id, e->points, e->point_count};
        if (e->flow != AB_BPMN_NONE && e->flow < ab_bpmn_flow_count(m)) {
            r.kind = AB__RE_SEQUENCE;
            r.index = e->flow;
            if (sc->flow_edge[e->flow] == AB_BPMN_NONE) {
                sc->flow_edge[e->flow] = sc->edge_count;
            }
        } else {
            const idref *ref = find_id(d, e->element_id);
            while (ref != NULL && ref < d->ids + d->id_count && ref->kind != ID_MESSAGE &&
                   strcmp(ref->id, e->element_id) == 0) {
                ref++;
            }
            if (ref != NULL && ref < d->ids + d->id_count && ref->kind == ID_MESSAGE &&
                strcmp(ref->id, e->element_id) == 0) {
                r.kind = AB__RE_MESSAGE;
                r.index = ref->index;
            }
        }
        sc->edges[sc->edge_count++] = r;
    }
    return AB_OK;
}

/* ---- Primitives. ---- */

static int put_points(drawer *d, const double *pts, uint32_t n)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    for (uint32_t k = 0; k < n; k++) {
        P("%s%.1f,%.1f", k > 0 ? " " : "", pts[2 * k], pts[2 * k + 1]);
        grow(d, pts[2 * k], pts[2 * k + 1], pts[2 * k], pts[2 * k + 1]);
    }
    return rc;
}

/* A filled (or open) arrowhead at (tx, ty) pointing along (dx, dy). */
static int put_arrow(drawer *d, double tx, double ty, double dx, double dy, double size,
                     const char *fill, const char *stroke)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    double len = sqrt(dx * dx + dy * dy);
    if (len < 1e-9) {
        dx = 1;
        dy = 0;
        len = 1;
    }
    dx /= len;
    dy /= len;
    double bx = tx - dx * size, by = ty - dy * size, hw = size * 0.45;
    P("<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"", tx, ty, bx - dy * hw,
      by + dx * hw, bx + dy * hw, by - dx * hw, fill);
    if (stroke != NULL) {
        P(" stroke=\"%s\" stroke-width=\"1.2\"", stroke);
    }
    P("/>");
    return rc;
}

/*
 * Wrapped lines of a label, centred on cx. With box_h > 0 the block is
 * centred vertically on top + box_h / 2; otherwise it starts at top.
 * Returns the height taken in *h_out.
 */
static int put_label(drawer *d, const char *text, double cx, double top, double box_h, double max_w,
                     double font, uint32_t max_lines, const char *ink, double *h_out)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    ab__report_line lines[16];
    uint32_t n = ab__report_wrap_ends(text, max_w, font, max_lines, lines);
    double lh = font * 1.2;
    double y0 = box_h > 0 ? top + box_h / 2 - n * lh / 2 + font * 0.85 : top + font * 0.85;
    double wmax = 0;
    for (uint32_t i = 0; i < n; i++) {
        P("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%.0f\" fill=\"%s\">", cx,
          y0 + i * lh, font, ink);
        if (rc == AB_OK) {
            rc = ab__report_line_put(b, ctx, text, &lines[i]);
        }
        P("</text>");
        double w = lines[i].width + (lines[i].ellipsis ? font : 0) + (lines[i].lead ? font : 0);
        wmax = w > wmax ? w : wmax;
    }
    if (n > 0) {
        double ytop = box_h > 0 ? top + box_h / 2 - n * lh / 2 : top;
        grow(d, cx - wmax / 2, ytop, cx + wmax / 2, ytop + n * lh);
        keep(d, (rect){cx - wmax / 2, ytop, wmax, n * lh});
    }
    if (h_out != NULL) {
        *h_out = n * lh;
    }
    return rc;
}

/* The box of a tag (see put_tag) centred on (cx, baseline). */
static rect tag_rect(const char *text, double cx, double baseline)
{
    double w = ab__report_text_width(text, strlen(text), SMALL) + 8;
    return (rect){cx - w / 2, baseline - SMALL - 1, w, SMALL + 5};
}

/* A small text on a white rounded background, centred on (cx, baseline). */
static int put_tag(drawer *d, const char *cls, const char *text, double cx, double baseline,
                   const char *ink, const char *bg, const char *stroke)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    double w = ab__report_text_width(text, strlen(text), SMALL) + 8;
    double h = SMALL + 5;
    keep(d, tag_rect(text, cx, baseline));
    P("<g class=\"%s\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"3\" "
      "fill=\"%s\"",
      cls, cx - w / 2, baseline - SMALL - 1, w, h, bg);
    if (stroke != NULL) {
        P(" stroke=\"%s\" stroke-width=\"0.8\"", stroke);
    }
    P("/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%.0f\" fill=\"%s\">", cx,
      baseline, SMALL, ink);
    T(text, 0);
    P("</text></g>");
    grow(d, cx - w / 2, baseline - SMALL - 1, cx + w / 2, baseline + 4);
    return rc;
}

/* ---- Pools, lanes, artifacts. ---- */

static int draw_band(drawer *d, const ab__rshape *s)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    int pool = s->kind == AB__RS_POOL;
    P("<g class=\"%s\" data-element=\"", pool ? "pool" : "lane");
    T(s->element_id, 0);
    P("\"><title>%s: ", pool ? "Pool" : "Lane");
    T(s->name[0] != '\0' ? s->name : s->element_id, 0);
    /* A lane of the overlay: tinted by the share of its steps done outside it. */
    const ab_report_lane_mark *lm = NULL;
    for (uint32_t i = 0; !pool && d->ov != NULL && d->ov->version >= 3 && i < d->ov->lane_count;
         i++) {
        if (d->ov->lanes[i].lane != NULL && strcmp(d->ov->lanes[i].lane, s->name) == 0 &&
            d->ov->lanes[i].of > 0) {
            lm = &d->ov->lanes[i];
        }
    }
    char tint[8] = "none";
    if (lm != NULL) {
        double share = (double)lm->outside / (double)lm->of;
        ab__report_rate_color(share, tint);
        P(" (%llu of %llu step instances done by someone outside the lane, %.1f%%)",
          (unsigned long long)lm->outside, (unsigned long long)lm->of, 100.0 * share);
    }
    P("</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
      "%sstroke=\"%s\" stroke-width=\"%s\"/>",
      s->x, s->y, s->w, s->h, pool ? "#ffffff" : tint,
      lm != NULL ? "fill-opacity=\"0.35\" class=\"ab-lane-share\" " : "", LINE,
      pool ? "1.5" : "0.8");
    grow(d, s->x, s->y, s->x + s->w, s->y + s->h);
    /*
     * The name reads along the band's header, on the left: BPMN DI's
     * isHorizontal defaults to true and the reader does not keep it, and a
     * tall pool is far more often a horizontal one with many lanes than a
     * vertical one.
     */
    int horizontal = 1;
    if (pool && horizontal && s->w > 30) {
        P("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
          "stroke-width=\"1\"/>",
          s->x + 30, s->y, s->x + 30, s->y + s->h, LINE);
    } else if (pool && !horizontal && s->h > 30) {
        P("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
          "stroke-width=\"1\"/>",
          s->x, s->y + 30, s->x + s->w, s->y + 30, LINE);
    }
    if (s->name[0] != '\0') {
        keep(d, horizontal ? (rect){s->x, s->y, 30, s->h} : (rect){s->x, s->y, s->w, 30});
        ab__report_line line[1];
        double span = (horizontal ? s->h : s->w) - 8;
        if (ab__report_wrap(s->name, span > 20 ? span : 20, FONT, 1, line) == 1) {
            double cx = horizontal ? s->x + 15 : s->x + s->w / 2;
            double cy = horizontal ? s->y + s->h / 2 : s->y + 15;
            P("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" dominant-baseline=\"central\" "
              "font-size=\"%.0f\" fill=\"%s\"",
              cx, cy, FONT, INK);
            if (horizontal) {
                P(" transform=\"rotate(-90 %.1f %.1f)\"", cx, cy);
            }
            P(">");
            if (rc == AB_OK) {
                rc = ab__report_line_put(b, ctx, s->name, &line[0]);
            }
            P("</text>");
        }
    }
    P("</g>\n");
    return rc;
}

static int draw_artifact(drawer *d, const ab__rshape *s)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    P("<g class=\"artifact\" data-element=\"");
    T(s->element_id, 0);
    P("\"><title>");
    T(s->element_id, 0);
    P(" (not part of the control flow)</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
      "height=\"%.1f\" rx=\"3\" fill=\"none\" stroke=\"#c5cad0\" stroke-dasharray=\"3,3\"/></g>\n",
      s->x, s->y, s->w, s->h);
    grow(d, s->x, s->y, s->x + s->w, s->y + s->h);
    return rc;
}

/* ---- Flow nodes. ---- */

/* A task's type, as a small glyph in its top-left corner. */
static int put_task_glyph(drawer *d, int type, double x, double y, const char *ink)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    switch (type) {
    case AB_BPMN_TASK_USER:
        P("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.2\" fill=\"none\" stroke=\"%s\"/>"
          "<path d=\"M%.1f,%.1f q0,-6 6,-6 q6,0 6,6 z\" fill=\"none\" stroke=\"%s\"/>",
          x + 7, y + 4.5, ink, x + 1, y + 14, ink);
        break;
    case AB_BPMN_TASK_SERVICE:
        P("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"none\" stroke=\"%s\" "
          "stroke-width=\"3\" stroke-dasharray=\"2,1.6\"/><circle cx=\"%.1f\" cy=\"%.1f\" "
          "r=\"2\" fill=\"none\" stroke=\"%s\"/>",
          x + 7, y + 7, ink, x + 7, y + 7, ink);
        break;
    case AB_BPMN_TASK_SEND:
    case AB_BPMN_TASK_RECEIVE: {
        int filled = type == AB_BPMN_TASK_SEND;
        P("<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\" stroke=\"%s\"/>"
          "<path d=\"M%.1f,%.1f l7,5 l7,-5\" fill=\"none\" stroke=\"%s\"/>",
          x, y + 2, filled ? ink : "none", ink, x, y + 2, filled ? "#ffffff" : ink);
        break;
    }
    case AB_BPMN_TASK_MANUAL:
        P("<path d=\"M%.1f,%.1f h9 a2,2 0 0 1 0,4 h-2 a2,2 0 0 1 0,4 h-7 z\" fill=\"none\" "
          "stroke=\"%s\"/>",
          x, y + 3, ink);
        break;
    case AB_BPMN_TASK_SCRIPT:
        P("<path d=\"M%.1f,%.1f h9 q-3,6 0,12 h-9 q3,-6 0,-12 z M%.1f,%.1f h5 M%.1f,%.1f h5\" "
          "fill=\"none\" stroke=\"%s\"/>",
          x + 2, y + 1, x + 4.5, y + 5, x + 4.5, y + 9, ink);
        break;
    case AB_BPMN_TASK_BUSINESS_RULE:
        P("<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"11\" fill=\"none\" stroke=\"%s\"/>"
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"3\" fill=\"%s\"/>"
          "<path d=\"M%.1f,%.1f h14 M%.1f,%.1f v8\" stroke=\"%s\"/>",
          x, y + 1, ink, x, y + 1, ink, x, y + 8, x + 4, y + 4, ink);
        break;
    default:
        break;
    }
    return rc;
}

/* Loop, multi-instance, collapsed and ad-hoc markers along the bottom of a box. */
static int put_box_markers(drawer *d, const ab_bpmn_node *nd, const ab__rshape *s, const char *ink)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    int collapsed = nd->kind == AB_BPMN_SUBPROCESS && !s->container;
    int adhoc = nd->kind == AB_BPMN_SUBPROCESS && nd->type == AB_BPMN_SUB_ADHOC;
    int count = (nd->loop != AB_BPMN_LOOP_NONE) + collapsed + adhoc;
    if (count == 0) {
        return AB_OK;
    }
    double x = s->x + s->w / 2 - count * 8 + 1, y = s->y + s->h - 15;
    if (nd->loop == AB_BPMN_LOOP_STANDARD) {
        P("<path d=\"M%.1f,%.1f a5,5 0 1 1 4,2\" fill=\"none\" stroke=\"%s\"/>", x + 4, y + 11,
          ink);
        rc = rc == AB_OK ? put_arrow(d, x + 8, y + 13, 1, 0.3, 4, ink, NULL) : rc;
        x += 16;
    } else if (nd->loop == AB_BPMN_LOOP_MI_PARALLEL) {
        P("<path d=\"M%.1f,%.1f v11 M%.1f,%.1f v11 M%.1f,%.1f v11\" stroke=\"%s\" "
          "stroke-width=\"2\"/>",
          x + 2, y + 1, x + 7, y + 1, x + 12, y + 1, ink);
        x += 16;
    } else if (nd->loop == AB_BPMN_LOOP_MI_SEQUENTIAL) {
        P("<path d=\"M%.1f,%.1f h11 M%.1f,%.1f h11 M%.1f,%.1f h11\" stroke=\"%s\" "
          "stroke-width=\"2\"/>",
          x + 1, y + 2, x + 1, y + 7, x + 1, y + 12, ink);
        x += 16;
    }
    if (collapsed) {
        P("<rect x=\"%.1f\" y=\"%.1f\" width=\"13\" height=\"13\" fill=\"none\" stroke=\"%s\"/>"
          "<path d=\"M%.1f,%.1f h7 M%.1f,%.1f v7\" stroke=\"%s\" stroke-width=\"1.5\"/>",
          x, y, ink, x + 3, y + 6.5, x + 6.5, y + 3, ink);
        x += 16;
    }
    if (adhoc) {
        P("<path d=\"M%.1f,%.1f q3,-5 6,0 t6,0\" fill=\"none\" stroke=\"%s\" "
          "stroke-width=\"1.5\"/>",
          x + 1, y + 7, ink);
    }
    return rc;
}

/* The trigger of an event, drawn inside its circle (filled for events that throw). */
static int put_event_marker(drawer *d, const ab_bpmn_node *nd, double cx, double cy, double r)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    int thr = nd->kind == AB_BPMN_END_EVENT || nd->kind == AB_BPMN_THROW_EVENT;
    const char *fill = thr ? INK : "none";
    double k = r / 18.0; /* Glyphs are designed for an 18 px radius. */
    switch (nd->event) {
    case AB_BPMN_EV_MESSAGE:
        P("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" stroke=\"%s\"/>"
          "<path d=\"M%.1f,%.1f l%.1f,%.1f l%.1f,%.1f\" fill=\"none\" stroke=\"%s\"/>",
          cx - 9 * k, cy - 6 * k, 18 * k, 12 * k, fill, INK, cx - 9 * k, cy - 6 * k, 9 * k, 6 * k,
          9 * k, -6 * k, thr ? "#ffffff" : INK);
        break;
    case AB_BPMN_EV_TIMER:
        P("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#ffffff\" stroke=\"%s\" "
          "stroke-width=\"1.5\"/><path d=\"M%.1f,%.1f v%.1f h%.1f\" fill=\"none\" stroke=\"%s\" "
          "stroke-width=\"1.5\"/>",
          cx, cy, 11 * k, INK, cx, cy - 8 * k, 8 * k, 5 * k, INK);
        break;
    case AB_BPMN_EV_TERMINATE:
        P("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>", cx, cy, 10 * k, INK);
        break;
    case AB_BPMN_EV_SIGNAL:
        P("<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\" stroke=\"%s\"/>", cx,
          cy - 10 * k, cx + 9 * k, cy + 6 * k, cx - 9 * k, cy + 6 * k, fill, INK);
        break;
    case AB_BPMN_EV_ERROR:
        P("<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" "
          "fill=\"%s\" stroke=\"%s\" stroke-linejoin=\"round\"/>",
          cx - 9 * k, cy + 8 * k, cx - 4 * k, cy - 8 * k, cx + 2 * k, cy + 1 * k, cx + 9 * k,
          cy - 8 * k, cx + 4 * k, cy + 8 * k, cx - 2 * k, cy - 1 * k, fill, INK);
        break;
    case AB_BPMN_EV_ESCALATION:
        P("<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\" "
          "stroke=\"%s\"/>",
          cx, cy - 10 * k, cx + 7 * k, cy + 9 * k, cx, cy + 3 * k, cx - 7 * k, cy + 9 * k, fill,
          INK);
        break;
    case AB_BPMN_EV_LINK:
        P("<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f "
          "%.1f,%.1f\" fill=\"%s\" stroke=\"%s\"/>",
          cx - 9 * k, cy - 4 * k, cx + 1 * k, cy - 4 * k, cx + 1 * k, cy - 9 * k, cx + 10 * k, cy,
          cx + 1 * k, cy + 9 * k, cx + 1 * k, cy + 4 * k, cx - 9 * k, cy + 4 * k, fill, INK);
        break;
    case AB_BPMN_EV_CANCEL:
        P("<path d=\"M%.1f,%.1f l%.1f,%.1f M%.1f,%.1f l%.1f,%.1f\" stroke=\"%s\" "
          "stroke-width=\"3\"/>",
          cx - 7 * k, cy - 7 * k, 14 * k, 14 * k, cx + 7 * k, cy - 7 * k, -14 * k, 14 * k, INK);
        break;
    case AB_BPMN_EV_COMPENSATE:
        P("<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\" stroke=\"%s\"/>"
          "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\" stroke=\"%s\"/>",
          cx - 10 * k, cy, cx, cy - 7 * k, cx, cy + 7 * k, fill, INK, cx, cy, cx + 10 * k,
          cy - 7 * k, cx + 10 * k, cy + 7 * k, fill, INK);
        break;
    case AB_BPMN_EV_CONDITIONAL:
        P("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
          "stroke=\"%s\"/><path d=\"M%.1f,%.1f h%.1f M%.1f,%.1f h%.1f M%.1f,%.1f h%.1f\" "
          "stroke=\"%s\"/>",
          cx - 7 * k, cy - 9 * k, 14 * k, 18 * k, INK, cx - 5 * k, cy - 5 * k, 10 * k, cx - 5 * k,
          cy, 10 * k, cx - 5 * k, cy + 5 * k, 10 * k, INK);
        break;
    case AB_BPMN_EV_MULTIPLE: {
        double pts[10];
        for (int i = 0; i < 5; i++) {
            double a = -AB_PI / 2 + i * 2 * AB_PI / 5;
            pts[2 * i] = cx + 10 * k * cos(a);
            pts[2 * i + 1] = cy + 10 * k * sin(a);
        }
        P("<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\" "
          "stroke=\"%s\"/>",
          pts[0], pts[1], pts[2], pts[3], pts[4], pts[5], pts[6], pts[7], pts[8], pts[9], fill,
          INK);
        break;
    }
    case AB_BPMN_EV_PARALLEL_MULTIPLE:
        P("<path d=\"M%.1f,%.1f h%.1f M%.1f,%.1f v%.1f\" stroke=\"%s\" stroke-width=\"4\"/>",
          cx - 9 * k, cy, 18 * k, cx, cy - 9 * k, 18 * k, INK);
        break;
    default:
        break;
    }
    return rc;
}

static const char *node_class(const ab_bpmn_node *nd)
{
    switch (nd->kind) {
    case AB_BPMN_TASK:
        return "task";
    case AB_BPMN_CALL_ACTIVITY:
        return "call";
    case AB_BPMN_SUBPROCESS:
        return "subprocess";
    case AB_BPMN_GATEWAY:
        return "gateway";
    default:
        return "event";
    }
}

static const char *node_type_name(const ab_bpmn_node *nd)
{
    switch (nd->kind) {
    case AB_BPMN_TASK:
        return ab_bpmn_task_type_name((ab_bpmn_task_type)nd->type);
    case AB_BPMN_SUBPROCESS:
        return ab_bpmn_sub_type_name((ab_bpmn_sub_type)nd->type);
    case AB_BPMN_GATEWAY:
        return ab_bpmn_gateway_type_name((ab_bpmn_gateway_type)nd->type);
    default:
        return ab_bpmn_kind_name(nd->kind);
    }
}

static int mark_has_rate(const ab_report_task_mark *mk)
{
    return mk != NULL && mk->rate >= 0.0 && mk->rate <= 1.0;
}

/* The tooltip of a node: name, kind, id, what the overlay says, documentation. */
static int put_node_title(drawer *d, const ab_bpmn_node *nd, const ab_report_task_mark *mk)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    P("<title>");
    T(nd->label[0] != '\0' ? nd->label : nd->id, 0);
    P(" (%s, id ", node_type_name(nd));
    T(nd->id, 0);
    P(")");
    if (mark_has_rate(mk)) {
        P("&#10;Bypassed in %llu of %llu cases (%.1f%%)", (unsigned long long)mk->cases,
          (unsigned long long)mk->of, mk->rate * 100.0);
    }
    if (mk != NULL && mk->dead) {
        P("&#10;Never done as documented");
    }
    if (nd->documentation[0] != '\0') {
        P("&#10;");
        T(nd->documentation, 400);
    }
    P("</title>");
    return rc;
}

static int draw_node(drawer *d, const ab__rshape *s)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    const ab_bpmn_node *nd = ab_bpmn_node_at(d->m, s->node);
    const ab_report_task_mark *mk = d->mark[s->node];
    int dead = mk != NULL && mk->dead;
    P("<g class=\"node %s%s%s\" data-element=\"", node_class(nd),
      mark_has_rate(mk) ? " ab-bypass-fill" : "", dead ? " ab-dead" : "");
    T(nd->id, 0);
    P("\">");
    if (rc == AB_OK) {
        rc = put_node_title(d, nd, mk);
    }
    grow(d, s->x, s->y, s->x + s->w, s->y + s->h);
    if (!s->container) {
        keep(d, (rect){s->x, s->y, s->w, s->h});
    }
    double cx = s->x + s->w / 2, cy = s->y + s->h / 2;
    const char *stroke = dead ? GREY : LINE;
    if (is_box(nd->kind)) {
        char fill[8] = "#ffffff";
        const char *ink = dead && !mark_has_rate(mk) ? "#7b8490" : INK;
        if (mark_has_rate(mk)) {
            ab__report_rate_color(mk->rate, fill);
            ink = ab__report_rate_ink(mk->rate);
        } else if (dead) {
            memcpy(fill, "#eef0f2", 8);
        }
        const char *dash = dead || (nd->kind == AB_BPMN_SUBPROCESS && nd->type == AB_BPMN_SUB_EVENT)
                               ? " stroke-dasharray=\"4,3\""
                               : "";
        double sw = nd->kind == AB_BPMN_CALL_ACTIVITY ? 3.5 : 1.5;
        /* A container is drawn under its content: no fill hides it. */
        P("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"8\" fill=\"%s\" "
          "fill-opacity=\"%s\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>",
          s->x, s->y, s->w, s->h, fill, s->container ? "0.35" : "1", stroke, sw, dash);
        if (nd->kind == AB_BPMN_SUBPROCESS && nd->type == AB_BPMN_SUB_TRANSACTION && s->w > 8 &&
            s->h > 8) {
            P("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"6\" fill=\"none\" "
              "stroke=\"%s\"/>",
              s->x + 3, s->y + 3, s->w - 6, s->h - 6, stroke);
        }
        if (nd->kind == AB_BPMN_TASK && rc == AB_OK) {
            rc = put_task_glyph(d, nd->type, s->x + 6, s->y + 5, ink);
        }
        if (rc == AB_OK) {
            rc = put_box_markers(d, nd, s, ink);
        }
        if (s->container) {
            if (rc == AB_OK) {
                rc = put_label(d, nd->label, s->x + s->w / 2, s->y + 4, 0, s->w - 12, FONT, 2, ink,
                               NULL);
            }
        } else {
            int glyph = nd->kind == AB_BPMN_TASK && nd->type != AB_BPMN_TASK_PLAIN;
            int markers = nd->loop != AB_BPMN_LOOP_NONE || nd->kind == AB_BPMN_SUBPROCESS;
            double top = s->y + (glyph ? 14 : 3), bottom = s->y + s->h - (markers ? 16 : 3);
            double avail = bottom - top;
            uint32_t lines = avail > FONT * 1.2 ? (uint32_t)(avail / (FONT * 1.2)) : 1;
            if (rc == AB_OK) {
                rc = put_label(d, nd->label, cx, top, avail, s->w - 10, FONT, lines, ink, NULL);
            }
        }
    } else {
        if (nd->kind == AB_BPMN_GATEWAY) {
            P("<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"#ffffff\" "
              "stroke=\"%s\" stroke-width=\"1.5\"/>",
              cx, s->y, s->x + s->w, cy, cx, s->y + s->h, s->x, cy, stroke);
            double r = (s->w < s->h ? s->w : s->h) / 2, q = r * 0.38;
            switch (nd->type) {
            case AB_BPMN_GW_EXCLUSIVE:
                P("<path d=\"M%.1f,%.1f L%.1f,%.1f M%.1f,%.1f L%.1f,%.1f\" stroke=\"%s\" "
                  "stroke-width=\"3.5\"/>",
                  cx - q, cy - q, cx + q, cy + q, cx + q, cy - q, cx - q, cy + q, INK);
                break;
            case AB_BPMN_GW_PARALLEL:
                P("<path d=\"M%.1f,%.1f h%.1f M%.1f,%.1f v%.1f\" stroke=\"%s\" "
                  "stroke-width=\"3.5\"/>",
                  cx - r * 0.5, cy, r, cx, cy - r * 0.5, r, INK);
                break;
            case AB_BPMN_GW_INCLUSIVE:
                P("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" stroke=\"%s\" "
                  "stroke-width=\"2.5\"/>",
                  cx, cy, r * 0.42, INK);
                break;
            case AB_BPMN_GW_EVENT_BASED:
                P("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" stroke=\"%s\"/>"
                  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" stroke=\"%s\"/>",
                  cx, cy, r * 0.5, INK, cx, cy, r * 0.42, INK);
                break;
            case AB_BPMN_GW_COMPLEX:
                P("<path d=\"M%.1f,%.1f L%.1f,%.1f M%.1f,%.1f L%.1f,%.1f M%.1f,%.1f h%.1f "
                  "M%.1f,%.1f v%.1f\" stroke=\"%s\" stroke-width=\"3\"/>",
                  cx - q, cy - q, cx + q, cy + q, cx + q, cy - q, cx - q, cy + q, cx - r * 0.5, cy,
                  r, cx, cy - r * 0.5, r, INK);
                break;
            default:
                break;
            }
        } else {
            double r = (s->w < s->h ? s->w : s->h) / 2;
            double sw = nd->kind == AB_BPMN_END_EVENT ? 4.0 : 1.5;
            int non_int = (nd->kind == AB_BPMN_BOUNDARY_EVENT || nd->kind == AB_BPMN_START_EVENT) &&
                          !nd->interrupting;
            const char *dash = non_int ? " stroke-dasharray=\"5,3\"" : "";
            P("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#ffffff\" stroke=\"%s\" "
              "stroke-width=\"%.1f\"%s/>",
              cx, cy, nd->kind == AB_BPMN_END_EVENT ? r - 1.5 : r, stroke, sw, dash);
            if (nd->kind == AB_BPMN_CATCH_EVENT || nd->kind == AB_BPMN_THROW_EVENT ||
                nd->kind == AB_BPMN_BOUNDARY_EVENT) {
                P("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" stroke=\"%s\" "
                  "stroke-width=\"1\"%s/>",
                  cx, cy, r - 3 > 1 ? r - 3 : 1, stroke, dash);
            }
            if (rc == AB_OK) {
                rc = put_event_marker(d, nd, cx, cy, r);
            }
        }
        /* Outside labels: where the DI puts them, else under the shape. */
        if (nd->label[0] != '\0' && rc == AB_OK) {
            if (s->has_label && s->lw > 0) {
                rc = put_label(d, nd->label, s->lx + s->lw / 2, s->ly, 0, s->lw + 24, SMALL + 1, 4,
                               INK, NULL);
            } else {
                rc = put_label(d, nd->label, cx, s->y + s->h + 3, 0, 130, SMALL + 1, 3, INK, NULL);
            }
        }
    }
    P("</g>\n");
    d->info.nodes_drawn++;
    d->info.tasks_drawn += nd->kind == AB_BPMN_TASK;
    return rc;
}

/* ---- Flows. ---- */

/* The last point before the end that differs from it: the direction of the arrowhead. */
static void end_direction(const double *p, uint32_t n, double *dx, double *dy)
{
    double ex = p[2 * n - 2], ey = p[2 * n - 1];
    for (uint32_t k = n - 1; k-- > 0;) {
        double ddx = ex - p[2 * k], ddy = ey - p[2 * k + 1];
        if (fabs(ddx) + fabs(ddy) > 0.5) {
            *dx = ddx;
            *dy = ddy;
            return;
        }
    }
    *dx = 1;
    *dy = 0;
}

static void start_direction(const double *p, uint32_t n, double *dx, double *dy)
{
    for (uint32_t k = 1; k < n; k++) {
        double ddx = p[2 * k] - p[0], ddy = p[2 * k + 1] - p[1];
        if (fabs(ddx) + fabs(ddy) > 0.5) {
            double len = sqrt(ddx * ddx + ddy * ddy);
            *dx = ddx / len;
            *dy = ddy / len;
            return;
        }
    }
    *dx = 1;
    *dy = 0;
}

/* The point halfway along a polyline, for a flow's name. */
static void mid_point(const double *p, uint32_t n, double *mx, double *my)
{
    double total = 0;
    for (uint32_t k = 1; k < n; k++) {
        total += hypot(p[2 * k] - p[2 * k - 2], p[2 * k + 1] - p[2 * k - 1]);
    }
    double half = total / 2, acc = 0;
    for (uint32_t k = 1; k < n; k++) {
        double seg = hypot(p[2 * k] - p[2 * k - 2], p[2 * k + 1] - p[2 * k - 1]);
        if (acc + seg >= half && seg > 0) {
            double t = (half - acc) / seg;
            *mx = p[2 * k - 2] + t * (p[2 * k] - p[2 * k - 2]);
            *my = p[2 * k - 1] + t * (p[2 * k + 1] - p[2 * k - 1]);
            return;
        }
        acc += seg;
    }
    *mx = p[0];
    *my = p[1];
}

static int draw_edge(drawer *d, uint32_t ei)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    const ab__redge *e = &d->sc.edges[ei];
    const ab_bpmn *m = d->m;
    int dead = d->edge_dead[ei];
    const char *name = "";
    const char *color = dead ? GREY : LINE;
    if (e->kind == AB__RE_OTHER || e->kind == AB__RE_ATTACH) {
        P("<g class=\"%s\"><polyline points=\"", e->kind == AB__RE_OTHER ? "association" : "tie");
        if (rc == AB_OK) {
            rc = put_points(d, e->pts, e->n);
        }
        P("\" fill=\"none\" stroke=\"#b8bec5\" stroke-width=\"1\" stroke-dasharray=\"2,3\"/>"
          "</g>\n");
        return rc;
    }
    if (e->kind == AB__RE_SEQUENCE) {
        const ab_bpmn_flow *f = ab_bpmn_flow_at(m, e->index);
        name = f->name;
        P("<g class=\"flow%s\" data-element=\"", dead ? " ab-dead" : "");
        T(f->id, 0);
        P("\"><title>Sequence flow ");
        T(f->id, 0);
        if (f->name[0] != '\0') {
            P(" \xe2\x80\x9c");
            T(f->name, 0);
            P("\xe2\x80\x9d");
        }
        P(": ");
        T(f->source < ab_bpmn_node_count(m) ? ab_bpmn_node_at(m, f->source)->label : f->source_ref,
          0);
        P(" \xe2\x86\x92 ");
        T(f->target < ab_bpmn_node_count(m) ? ab_bpmn_node_at(m, f->target)->label : f->target_ref,
          0);
        if (dead) {
            P("&#10;Never traversed by any case");
        }
        P("</title><polyline points=\"");
        if (rc == AB_OK) {
            rc = put_points(d, e->pts, e->n);
        }
        P("\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-linejoin=\"round\"%s/>",
          color, dead ? " stroke-dasharray=\"6,4\"" : "");
        double dx, dy, sx, sy;
        end_direction(e->pts, e->n, &dx, &dy);
        if (rc == AB_OK) {
            rc = put_arrow(d, e->pts[2 * e->n - 2], e->pts[2 * e->n - 1], dx, dy, 10, color, NULL);
        }
        start_direction(e->pts, e->n, &sx, &sy);
        double x0 = e->pts[0], y0 = e->pts[1];
        const ab_bpmn_node *src =
            f->source < ab_bpmn_node_count(m) ? ab_bpmn_node_at(m, f->source) : NULL;
        if (f->is_default) {
            double qx = x0 + sx * 10, qy = y0 + sy * 10;
            double ux = (sx - sy) * 0.7071 * 6, uy = (sy + sx) * 0.7071 * 6;
            P("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
              "stroke-width=\"1.5\"/>",
              qx - uy, qy + ux, qx + uy, qy - ux, color);
        } else if (f->has_condition && src != NULL && src->kind != AB_BPMN_GATEWAY) {
            P("<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"#ffffff\" "
              "stroke=\"%s\"/>",
              x0, y0, x0 + sx * 8 - sy * 4, y0 + sy * 8 + sx * 4, x0 + sx * 16, y0 + sy * 16,
              x0 + sx * 8 + sy * 4, y0 + sy * 8 - sx * 4, color);
        }
        d->info.flows_drawn++;
    } else {
        const ab_bpmn_message_flow *f = ab_bpmn_message_flow_at(m, e->index);
        name = f->name;
        P("<g class=\"message\" data-element=\"");
        T(f->id, 0);
        P("\"><title>Message flow ");
        T(f->id, 0);
        if (f->name[0] != '\0') {
            P(" \xe2\x80\x9c");
            T(f->name, 0);
            P("\xe2\x80\x9d");
        }
        P("</title><polyline points=\"");
        if (rc == AB_OK) {
            rc = put_points(d, e->pts, e->n);
        }
        P("\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\" stroke-dasharray=\"7,4\"/>", LINE);
        P("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#ffffff\" stroke=\"%s\"/>", e->pts[0],
          e->pts[1], LINE);
        double dx, dy;
        end_direction(e->pts, e->n, &dx, &dy);
        if (rc == AB_OK) {
            rc = put_arrow(d, e->pts[2 * e->n - 2], e->pts[2 * e->n - 1], dx, dy, 10, "#ffffff",
                           LINE);
        }
    }
    if (name[0] != '\0') {
        double mx, my;
        mid_point(e->pts, e->n, &mx, &my);
        ab__report_line line[2];
        uint32_t n = ab__report_wrap(name, 140, SMALL, 2, line);
        for (uint32_t i = 0; i < n; i++) {
            double y = my - 5 - (n - 1 - i) * (SMALL * 1.2);
            P("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%.0f\" "
              "fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">",
              mx, y, SMALL, dead ? GREY : "#4a5560");
            if (rc == AB_OK) {
                rc = ab__report_line_put(b, ctx, name, &line[i]);
            }
            P("</text>");
            grow(d, mx - line[i].width / 2 - SMALL, y - SMALL, mx + line[i].width / 2 + SMALL, y);
            keep(d, (rect){mx - line[i].width / 2 - 2, y - SMALL, line[i].width + 4, SMALL + 3});
        }
    }
    P("</g>\n");
    return rc;
}

/* ---- The overlay. ---- */

static int find_node_shape(const drawer *d, const char *id, uint32_t *shape_out)
{
    uint32_t v;
    if (id == NULL || id[0] == '\0' || ab_bpmn_node_find(d->m, id, &v) != AB_OK ||
        v >= ab_bpmn_node_count(d->m) || d->sc.node_shape[v] == AB_BPMN_NONE) {
        return AB_ENOTFOUND;
    }
    *shape_out = d->sc.node_shape[v];
    return AB_OK;
}

static endpt shape_endpt(const drawer *d, uint32_t si)
{
    const ab__rshape *s = &d->sc.shapes[si];
    endpt e = {s->x + s->w / 2, s->y + s->h / 2, s->w / 2, s->h / 2, 0, 1, si};
    if (s->kind == AB__RS_NODE) {
        ab_bpmn_kind k = ab_bpmn_node_at(d->m, s->node)->kind;
        e.outline = is_event(k) ? 1 : (k == AB_BPMN_GATEWAY ? 2 : 0);
    }
    return e;
}

static endpt extra_endpt(const drawer *d, uint32_t xi)
{
    const extra_geo *g = &d->extras[xi];
    endpt e = {g->r.x + g->r.w / 2, g->r.y + g->r.h / 2,   g->r.w / 2, g->r.h / 2, 0,
               g->placed,           d->sc.shape_count + xi};
    return e;
}

/* The extra (undocumented activity) with this name, or AB_BPMN_NONE. */
static uint32_t find_extra(const drawer *d, const char *name)
{
    for (uint32_t i = 0; i < d->ov->extra_count; i++) {
        const char *xn = d->ov->extras[i].name;
        if (xn != NULL && strcmp(xn, name) == 0) {
            return i;
        }
    }
    return AB_BPMN_NONE;
}

static endpt arc_end(const drawer *d, const char *id, const char *activity)
{
    endpt none = {0, 0, 0, 0, 0, 0, 0};
    if (activity != NULL) {
        uint32_t xi = find_extra(d, activity);
        return xi != AB_BPMN_NONE ? extra_endpt(d, xi) : none;
    }
    uint32_t si;
    return find_node_shape(d, id, &si) == AB_OK ? shape_endpt(d, si) : none;
}

static int inside(const endpt *e, double x, double y, double pad)
{
    double dx = fabs(x - e->cx) / (e->hw + pad), dy = fabs(y - e->cy) / (e->hh + pad);
    switch (e->outline) {
    case 1:
        return dx * dx + dy * dy <= 1.0;
    case 2:
        return dx + dy <= 1.0;
    default:
        return dx <= 1.0 && dy <= 1.0;
    }
}

/* Quadratic Bézier p0, c, p2 at t; and its blossom b(u, v) for sub-curves. */
static void blossom(const double *q, double u, double v, double *x, double *y)
{
    double a = (1 - u) * (1 - v), m = (1 - u) * v + u * (1 - v), c = u * v;
    *x = a * q[0] + m * q[2] + c * q[4];
    *y = a * q[1] + m * q[3] + c * q[5];
}

#define EXTRA_FONT (SMALL + 1)
#define EXTRA_LABEL_W 150.0 /* Widest line of a red box's label, px. */
#define EXTRA_LINES 3

/* A red box sized to its label: up to three lines, the middle left out past that. */
static rect extra_size(const char *name, uint32_t *lines_out)
{
    ab__report_line lines[16];
    uint32_t n = ab__report_wrap_ends(name, EXTRA_LABEL_W, EXTRA_FONT, EXTRA_LINES, lines);
    double wmax = 0;
    for (uint32_t k = 0; k < n; k++) {
        double w = lines[k].width + (lines[k].ellipsis || lines[k].lead ? EXTRA_FONT : 0);
        wmax = w > wmax ? w : wmax;
    }
    *lines_out = n > 0 ? n : 1;
    double w = wmax + 16 > EXTRA_W ? wmax + 16 : EXTRA_W;
    return (rect){0, 0, w, 5 + *lines_out * EXTRA_FONT * 1.2 + 18};
}

/*
 * Places the undocumented activities beside their context, clear of every
 * shape, label and badge and of each other, and never across the border of
 * a pool or lane: a box that would cross one moves above that band.
 */
static void place_extras(drawer *d)
{
    const ab_report_overlay *ov = d->ov;
    double bottom = d->maxy;
    for (uint32_t k = 0; k < d->n_keep; k++) {
        double y1 = d->keep[k].y + d->keep[k].h;
        bottom = y1 > bottom ? y1 : bottom;
    }
    double row_left = d->minx, row_right = d->maxx > d->minx + 600 ? d->maxx : d->minx + 600;
    double row_x = row_left, row_y = bottom + 34, row_h = 0;
    for (uint32_t i = 0; i < ov->extra_count; i++) {
        const ab_report_extra *x = &ov->extras[i];
        extra_geo *g = &d->extras[i];
        g->before = g->after = AB_BPMN_NONE;
        if (x->name == NULL) {
            continue;
        }
        rect size = extra_size(x->name, &g->lines);
        uint32_t sa, sb;
        int ha = find_node_shape(d, x->before_id, &sa) == AB_OK;
        int hb = find_node_shape(d, x->after_id, &sb) == AB_OK;
        g->before = ha ? sa : AB_BPMN_NONE;
        g->after = hb ? sb : AB_BPMN_NONE;
        double cx, top;
        if (ha || hb) {
            const ab__rshape *a = ha ? &d->sc.shapes[sa] : NULL, *c = hb ? &d->sc.shapes[sb] : NULL;
            if (a != NULL && c != NULL) {
                cx = (a->x + a->w / 2 + c->x + c->w / 2) / 2;
                top = a->y < c->y ? a->y : c->y;
            } else if (a != NULL) {
                cx = a->x + a->w;
                top = a->y;
            } else {
                cx = c->x;
                top = c->y;
            }
            rect r = {cx - size.w / 2, top - 30 - size.h, size.w, size.h};
            /*
             * Up until clear, by a fixed rule so that the same overlay lands in
             * the same place: above a band whose border it would cross, else a
             * step up past whatever it meets. y only decreases, so this ends.
             */
            for (int tries = 0; tries < 400; tries++) {
                uint32_t band;
                if (crosses_band(d, r, &band)) {
                    r.y = d->sc.shapes[band].y - r.h - 10;
                    continue;
                }
                int clash = 0;
                for (uint32_t s = 0; s < d->sc.shape_count && !clash; s++) {
                    const ab__rshape *sh = &d->sc.shapes[s];
                    if (sh->kind == AB__RS_NODE && !sh->container) {
                        clash = overlap(r, (rect){sh->x, sh->y - 18, sh->w, sh->h + 18}, 6);
                    }
                }
                if (!clash && is_free(d, r, 6)) {
                    break;
                }
                r.y -= 12;
            }
            g->r = r;
        } else {
            if (row_x > row_left && row_x + size.w > row_right) {
                row_x = row_left;
                row_y += row_h + 20;
                row_h = 0;
            }
            g->r = (rect){row_x, row_y, size.w, size.h};
            row_x += size.w + 20;
            row_h = size.h > row_h ? size.h : row_h;
        }
        g->placed = 1;
        keep(d, g->r);
    }
}

/*
 * How far an arc bows, and to which side: the first of a fixed list of
 * candidates (left of its direction first, so a -> b and b -> a bow apart)
 * whose curve crosses the fewest other shapes and red boxes, sampled.
 */
static double choose_bulge(const drawer *d, const endpt *a, const endpt *z)
{
    static const double factors[] = {0.25, -0.25, 0.45, -0.45, 0.12, -0.12, 0.7, -0.7};
    double dx = z->cx - a->cx, dy = z->cy - a->cy, len = sqrt(dx * dx + dy * dy);
    double nx = dy / len, ny = -dx / len;
    double best = 0;
    uint32_t best_hits = UINT32_MAX;
    for (size_t f = 0; f < sizeof(factors) / sizeof(factors[0]); f++) {
        double mag = fabs(factors[f]) * len;
        mag = mag < 36 ? 36 : (mag > 160 ? 160 : mag);
        double bulge = factors[f] < 0 ? -mag : mag;
        double q[6] = {a->cx,
                       a->cy,
                       (a->cx + z->cx) / 2 + nx * bulge * 2,
                       (a->cy + z->cy) / 2 + ny * bulge * 2,
                       z->cx,
                       z->cy};
        uint32_t hits = 0;
        for (int k = 1; k < 32; k++) {
            double x, y, t = k / 32.0;
            blossom(q, t, t, &x, &y);
            if (inside(a, x, y, 4) || inside(z, x, y, 4)) {
                continue;
            }
            for (uint32_t s = 0; s < d->sc.shape_count; s++) {
                const ab__rshape *sh = &d->sc.shapes[s];
                if (sh->kind == AB__RS_NODE && !sh->container) {
                    endpt e = shape_endpt(d, s);
                    /* The badge above a node counts as part of it. */
                    e.cy -= 9;
                    e.hh += 9;
                    hits += (uint32_t)inside(&e, x, y, 6);
                }
            }
            for (uint32_t i = 0; d->ov != NULL && i < d->ov->extra_count; i++) {
                if (d->extras[i].placed) {
                    endpt e = extra_endpt(d, i);
                    hits += (uint32_t)inside(&e, x, y, 6);
                }
            }
        }
        if (hits < best_hits) {
            best_hits = hits;
            best = bulge;
        }
    }
    return best;
}

/*
 * An arc's case count, placed now (nothing placed later covers it) and
 * drawn after every arc's line, so that no other arc runs across it.
 */
static int defer_arc_label(drawer *d, const char *text, double cx, double baseline, int outline)
{
    uint32_t cap = d->ov->arc_count + 1;
    if (d->arc_labels == NULL) {
        d->arc_labels = ab__arena_alloc(&d->sc.arena, (size_t)cap * sizeof(*d->arc_labels));
    }
    char *copy = ab__arena_strndup(&d->sc.arena, text, strlen(text));
    if (d->arc_labels == NULL || copy == NULL) {
        return AB_ENOMEM;
    }
    if (d->n_arc_labels < cap) {
        d->arc_labels[d->n_arc_labels++] = (arc_label){copy, cx, baseline, outline};
    }
    keep(d, tag_rect(text, cx, baseline));
    grow(d, cx, baseline, cx, baseline);
    return AB_OK;
}

/*
 * A dashed arc between two ends: a quadratic curve bowed to one side (see
 * choose_bulge; connectors are straight), cut where it leaves the first end
 * and enters the second, with an arrowhead and, when label is set, a
 * case count on its crest.
 */
static int put_arc(drawer *d, const endpt *a, const endpt *z, double sw, const char *dash,
                   const char *label)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    if (a->key == z->key) {
        /* From an element to itself: a loop over its top. */
        double x0 = a->cx - a->hw / 3, x1 = a->cx + a->hw / 3, top = a->cy - a->hh;
        P("<path d=\"M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"none\" stroke=\"%s\" "
          "stroke-width=\"%.1f\" stroke-dasharray=\"%s\"/>",
          x0, top, x0 - 14, top - 50, x1 + 14, top - 50, x1, top + 0.5, RED, sw, dash);
        rc = rc == AB_OK ? put_arrow(d, x1, top, 0.25, 1, 8 + sw, RED, NULL) : rc;
        grow(d, x0 - 14, top - 52, x1 + 14, top);
        if (label != NULL && rc == AB_OK) {
            rc = defer_arc_label(d, label, a->cx, top - 40, 0);
        }
        return rc;
    }
    double q[6] = {a->cx, a->cy, 0, 0, z->cx, z->cy};
    double dx = z->cx - a->cx, dy = z->cy - a->cy, len = sqrt(dx * dx + dy * dy);
    double bulge = 0;
    if (label != NULL) {
        bulge = choose_bulge(d, a, z);
    }
    double nx = dy / len, ny = -dx / len;
    q[2] = (a->cx + z->cx) / 2 + nx * bulge * 2;
    q[3] = (a->cy + z->cy) / 2 + ny * bulge * 2;
    double lo = 0, hi = 0.5, x, y;
    blossom(q, 0.5, 0.5, &x, &y);
    double t0 = 0, t1 = 1;
    if (!inside(a, x, y, 2)) {
        for (int it = 0; it < 24; it++) {
            double mid = (lo + hi) / 2;
            blossom(q, mid, mid, &x, &y);
            if (inside(a, x, y, 2)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        t0 = hi;
    }
    lo = 0.5;
    hi = 1;
    blossom(q, 0.5, 0.5, &x, &y);
    if (!inside(z, x, y, 2)) {
        for (int it = 0; it < 24; it++) {
            double mid = (lo + hi) / 2;
            blossom(q, mid, mid, &x, &y);
            if (inside(z, x, y, 2)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        t1 = lo;
    }
    double sx, sy, cx, cy, ex, ey;
    blossom(q, t0, t0, &sx, &sy);
    blossom(q, t0, t1, &cx, &cy);
    blossom(q, t1, t1, &ex, &ey);
    double al = 8 + sw;
    /* The line stops where the arrowhead begins, so the dashes do not blunt its tip. */
    double tx = 2 * (1 - t1) * (q[2] - q[0]) + 2 * t1 * (q[4] - q[2]);
    double ty = 2 * (1 - t1) * (q[3] - q[1]) + 2 * t1 * (q[5] - q[3]);
    double tl = sqrt(tx * tx + ty * ty);
    if (tl < 1e-9) {
        tx = dx;
        ty = dy;
        tl = len;
    }
    P("<path d=\"M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f\" fill=\"none\" stroke=\"%s\" "
      "stroke-width=\"%.1f\" stroke-dasharray=\"%s\"/>",
      sx, sy, cx, cy, ex - tx / tl * al * 0.6, ey - ty / tl * al * 0.6, RED, sw, dash);
    rc = rc == AB_OK ? put_arrow(d, ex, ey, tx, ty, al, RED, NULL) : rc;
    grow(d, sx < ex ? sx : ex, sy < ey ? sy : ey, sx > ex ? sx : ex, sy > ey ? sy : ey);
    double apx, apy;
    blossom(q, 0.5, 0.5, &apx, &apy);
    grow(d, apx, apy, apx, apy);
    if (label != NULL && rc == AB_OK) {
        /* The count on the curve, at the first point from its crest where it covers nothing. */
        static const double ts[] = {0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82};
        for (size_t k = 0; k < sizeof(ts) / sizeof(ts[0]); k++) {
            double tx2, ty2;
            double t = t0 + (t1 - t0) * ts[k];
            blossom(q, t, t, &tx2, &ty2);
            if (is_free(d, tag_rect(label, tx2, ty2 + 4), 1)) {
                apx = tx2;
                apy = ty2;
                break;
            }
        }
        rc = defer_arc_label(d, label, apx, apy + 4, 1);
    }
    return rc;
}

static void cases_text(uint64_t n, char *buf, size_t cap)
{
    snprintf(buf, cap, "%llu case%s", (unsigned long long)n, n == 1 ? "" : "s");
}

/* An explicit arc already joins these ends (so the extra's own connector is not drawn). */
static int arc_joins(const drawer *d, const endpt *a, const endpt *z)
{
    for (uint32_t i = 0; i < d->ov->arc_count; i++) {
        const ab_report_arc *arc = &d->ov->arcs[i];
        endpt p = arc_end(d, arc->from_id, arc->from_activity);
        endpt q = arc_end(d, arc->to_id, arc->to_activity);
        if (p.ok && q.ok && p.key == a->key && q.key == z->key) {
            return 1;
        }
    }
    return 0;
}

static int draw_extras(drawer *d)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    const ab_report_overlay *ov = d->ov;
    /* Connectors first, under the boxes. */
    for (uint32_t i = 0; i < ov->extra_count && rc == AB_OK; i++) {
        const extra_geo *g = &d->extras[i];
        if (!g->placed) {
            continue;
        }
        endpt box = extra_endpt(d, i);
        if (g->before != AB_BPMN_NONE) {
            endpt a = shape_endpt(d, g->before);
            if (!arc_joins(d, &a, &box)) {
                P("<g class=\"ab-extra-link\">");
                rc = rc == AB_OK ? put_arc(d, &a, &box, 1.2, "2,3", NULL) : rc;
                P("</g>\n");
            }
        }
        if (g->after != AB_BPMN_NONE) {
            endpt z = shape_endpt(d, g->after);
            if (!arc_joins(d, &box, &z)) {
                P("<g class=\"ab-extra-link\">");
                rc = rc == AB_OK ? put_arc(d, &box, &z, 1.2, "2,3", NULL) : rc;
                P("</g>\n");
            }
        }
    }
    for (uint32_t i = 0; i < ov->extra_count && rc == AB_OK; i++) {
        const ab_report_extra *x = &ov->extras[i];
        const extra_geo *g = &d->extras[i];
        if (!g->placed) {
            d->info.overlay_missing++;
            continue;
        }
        char cases[40];
        cases_text(x->cases, cases, sizeof(cases));
        P("<g class=\"ab-extra\" data-activity=\"");
        T(x->name, 0);
        P("\"><title>Undocumented activity: ");
        T(x->name, 0);
        P("&#10;%s", cases);
        if (g->before != AB_BPMN_NONE || g->after != AB_BPMN_NONE) {
            P("; usually between ");
            T(g->before != AB_BPMN_NONE ? d->sc.shapes[g->before].name : "the start", 0);
            P(" and ");
            T(g->after != AB_BPMN_NONE ? d->sc.shapes[g->after].name : "the end", 0);
        }
        P("</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"8\" "
          "fill=\"#fdecea\" stroke=\"%s\" stroke-width=\"1.8\" stroke-dasharray=\"5,3\"/>",
          g->r.x, g->r.y, g->r.w, g->r.h, RED);
        grow(d, g->r.x, g->r.y, g->r.x + g->r.w, g->r.y + g->r.h);
        if (rc == AB_OK) {
            rc = put_label(d, x->name, g->r.x + g->r.w / 2, g->r.y + 5, 0, EXTRA_LABEL_W,
                           EXTRA_FONT, EXTRA_LINES, "#7f1010", NULL);
        }
        P("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%.0f\" "
          "fill=\"%s\">%s</text></g>\n",
          g->r.x + g->r.w / 2, g->r.y + g->r.h - 5, SMALL, RED, cases);
        d->info.overlay_drawn++;
    }
    return rc;
}

/* The most cases of an arc or case end: the thickest line. */
static uint64_t max_arc_cases(const drawer *d)
{
    uint64_t max_cases = 1;
    for (uint32_t i = 0; i < d->ov->arc_count; i++) {
        max_cases = d->ov->arcs[i].cases > max_cases ? d->ov->arcs[i].cases : max_cases;
    }
    for (uint32_t i = 0; i < d->end_count; i++) {
        uint64_t c = d->ov->ends[i].cases;
        max_cases = c > max_cases ? c : max_cases;
    }
    return max_cases;
}

static int draw_arcs(drawer *d)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    const ab_report_overlay *ov = d->ov;
    uint64_t max_cases = max_arc_cases(d);
    for (uint32_t i = 0; i < ov->arc_count && rc == AB_OK; i++) {
        const ab_report_arc *arc = &ov->arcs[i];
        endpt a = arc_end(d, arc->from_id, arc->from_activity);
        endpt z = arc_end(d, arc->to_id, arc->to_activity);
        if (!a.ok || !z.ok) {
            d->info.overlay_missing++;
            continue;
        }
        const char *an = arc->from_activity != NULL ? arc->from_activity : arc->from_id;
        const char *zn = arc->to_activity != NULL ? arc->to_activity : arc->to_id;
        if (arc->from_activity == NULL && a.key < d->sc.shape_count) {
            an = d->sc.shapes[a.key].name[0] != '\0' ? d->sc.shapes[a.key].name : an;
        }
        if (arc->to_activity == NULL && z.key < d->sc.shape_count) {
            zn = d->sc.shapes[z.key].name[0] != '\0' ? d->sc.shapes[z.key].name : zn;
        }
        char cases[40];
        cases_text(arc->cases, cases, sizeof(cases));
        P("<g class=\"ab-arc\" data-from=\"");
        T(an, 0);
        P("\" data-to=\"");
        T(zn, 0);
        P("\"><title>Undocumented transition: ");
        T(an, 0);
        P(" \xe2\x86\x92 ");
        T(zn, 0);
        P(" in %s</title>", cases);
        double sw = 1.5 + 2.5 * sqrt((double)arc->cases / (double)max_cases);
        if (rc == AB_OK) {
            rc = put_arc(d, &a, &z, sw, "6,4", cases);
        }
        P("</g>\n");
        d->info.overlay_drawn++;
    }
    for (uint32_t i = 0; i < d->n_arc_labels && rc == AB_OK; i++) {
        const arc_label *l = &d->arc_labels[i];
        rc = put_tag(d, "ab-arc-label", l->text, l->cx, l->baseline, RED, "#ffffff",
                     l->outline ? RED : NULL);
    }
    return rc;
}

/* The text of a mark's badge; 0 when it has none. */
static int badge_text(const ab_report_task_mark *mk, char *text, size_t cap)
{
    if (mark_has_rate(mk)) {
        /* A rate says more than "dead" (a step bypassed in every case is both). */
        if (mk->of > 0) {
            snprintf(text, cap, "%llu/%llu cases \xc2\xb7 %.1f%%%s", (unsigned long long)mk->cases,
                     (unsigned long long)mk->of, mk->rate * 100.0,
                     mk->dead ? " \xc2\xb7 never done" : "");
        } else {
            snprintf(text, cap, "%.1f%%%s", mk->rate * 100.0,
                     mk->dead ? " \xc2\xb7 never done" : "");
        }
        return 1;
    }
    if (mk->dead) {
        snprintf(text, cap, "never done as documented");
        return 1;
    }
    return 0;
}

/*
 * Where each badge goes: above its step, centred or flush with either side,
 * then below it, then higher up; the first spot that covers no label, shape
 * or other badge (the first of all when every one does).
 */
static void place_badges(drawer *d)
{
    const ab_report_overlay *ov = d->ov;
    for (uint32_t i = 0; i < ov->task_count; i++) {
        const ab_report_task_mark *mk = &ov->tasks[i];
        uint32_t si;
        char text[128];
        d->badge[i] = (rect){0, 0, 0, 0};
        if (find_node_shape(d, mk->element_id, &si) != AB_OK ||
            d->mark[d->sc.shapes[si].node] != mk || !badge_text(mk, text, sizeof(text))) {
            continue;
        }
        const ab__rshape *s = &d->sc.shapes[si];
        rect r0 = tag_rect(text, 0, 0);
        double w = r0.w;
        double xs[3] = {s->x + s->w / 2, s->x + s->w - w / 2, s->x + w / 2};
        double above = s->y - 5, below = s->y + s->h + SMALL + 3;
        double ys[6] = {above, below, above - 16, below + 16, above - 32, below + 32};
        rect best = tag_rect(text, xs[0], ys[0]);
        int found = 0;
        for (int yi = 0; yi < 6 && !found; yi++) {
            for (int xi = 0; xi < 3 && !found; xi++) {
                rect r = tag_rect(text, xs[xi], ys[yi]);
                if (is_free(d, r, 1)) {
                    best = r;
                    found = 1;
                }
            }
        }
        d->badge[i] = best;
        keep(d, best);
    }
}

static int draw_badges(drawer *d)
{
    int rc = AB_OK;
    const ab_report_overlay *ov = d->ov;
    for (uint32_t i = 0; i < ov->task_count && rc == AB_OK; i++) {
        const ab_report_task_mark *mk = &ov->tasks[i];
        uint32_t si, v;
        if (find_node_shape(d, mk->element_id, &si) != AB_OK) {
            d->info.overlay_missing++;
            continue;
        }
        d->info.overlay_drawn++;
        const ab__rshape *s = &d->sc.shapes[si];
        v = s->node;
        if (d->mark[v] != mk) {
            continue; /* A later mark for the same node wins; draw its badge only. */
        }
        char text[128];
        double bx = d->badge[i].x + d->badge[i].w / 2, by = d->badge[i].y + SMALL + 1;
        if (!badge_text(mk, text, sizeof(text))) {
            continue;
        }
        if (mark_has_rate(mk)) {
            char fill[8];
            ab__report_rate_color(mk->rate, fill);
            rc = put_tag(d, "ab-bypass", text, bx, by, mk->rate > 0.62 ? "#ffffff" : "#5a1a00",
                         fill, "#7a2a0a");
        } else {
            rc = put_tag(d, "ab-dead-tag", text, bx, by, "#5b6570", "#eef0f2", GREY);
        }
    }
    return rc;
}

/* ---- Cases that start or end off the map's path. ---- */

#define END_MARK 5.0 /* Half the side of a stop marker, px. */

static const ab_report_case_end *case_end_at(const drawer *d, uint32_t i)
{
    return d->ov->version >= 2 && i < d->ov->end_count ? &d->ov->ends[i] : NULL;
}

static void end_text(const ab_report_case_end *ce, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s \xc2\xb7 %llu case%s", ce->start ? "case started" : "case ended",
             (unsigned long long)ce->cases, ce->cases == 1 ? "" : "s");
}

/*
 * A marker beside its step: a stem of len px out of one side, the marker,
 * then the tag further out on that side (beside it when the stem is
 * horizontal, under or over it when vertical). side: 0 right, 1 below,
 * 2 above, 3 left. Returns the box that all of it takes.
 */
static rect end_layout(const endpt *a, int side, double len, const char *text, end_geo *g)
{
    double dx = side == 0 ? 1 : (side == 3 ? -1 : 0), dy = side == 1 ? 1 : (side == 2 ? -1 : 0);
    g->x0 = a->cx + dx * a->hw;
    g->y0 = a->cy + dy * a->hh;
    g->x1 = g->x0 + dx * len;
    g->y1 = g->y0 + dy * len;
    g->mx = g->x1 + dx * END_MARK;
    g->my = g->y1 + dy * END_MARK;
    rect t0 = tag_rect(text, 0, 0);
    if (dy == 0) {
        g->tx = g->mx + dx * (END_MARK + 4 + t0.w / 2);
        g->ty = g->my + 4;
    } else {
        g->tx = g->mx;
        g->ty = dy > 0 ? g->my + END_MARK + 4 + SMALL + 1 : g->my - END_MARK - 8;
    }
    rect t = tag_rect(text, g->tx, g->ty);
    double x0 = fmin(fmin(g->x0, g->mx - END_MARK), t.x),
           y0 = fmin(fmin(g->y0, g->my - END_MARK), t.y);
    double x1 = fmax(fmax(g->x0, g->mx + END_MARK), t.x + t.w);
    double y1 = fmax(fmax(g->y0, g->my + END_MARK), t.y + t.h);
    /* The stem's own start touches the step: leave that pixel out of the box. */
    if (dx > 0) {
        x0 += 1;
    } else if (dx < 0) {
        x1 -= 1;
    } else if (dy > 0) {
        y0 += 1;
    } else {
        y1 -= 1;
    }
    return (rect){x0, y0, x1 - x0, y1 - y0};
}

/*
 * Where each start or end marker goes: the first side and stem length where
 * it covers nothing. Markers beside map elements are placed before the
 * badges (a badge can move up or down; a stop marker belongs beside its
 * step), those beside red boxes once the boxes are placed.
 */
static void place_ends(drawer *d, int on_extras)
{
    static const int end_sides[] = {0, 1, 2, 3}, start_sides[] = {3, 2, 1, 0};
    static const double lens[] = {20, 40, 64};
    for (uint32_t i = 0; i < d->end_count; i++) {
        const ab_report_case_end *ce = case_end_at(d, i);
        end_geo *g = &d->ends[i];
        if ((ce->activity != NULL) != on_extras) {
            continue;
        }
        g->placed = 0;
        endpt a = arc_end(d, ce->element_id, ce->activity);
        if (!a.ok) {
            continue;
        }
        char text[80];
        end_text(ce, text, sizeof(text));
        const int *sides = ce->start ? start_sides : end_sides;
        end_geo first;
        rect first_box = end_layout(&a, sides[0], lens[0], text, &first);
        int found = 0;
        for (size_t l = 0; l < 3 && !found; l++) {
            for (int k = 0; k < 4 && !found; k++) {
                end_geo cand;
                rect box = end_layout(&a, sides[k], lens[l], text, &cand);
                if (is_free(d, box, 1)) {
                    *g = cand;
                    keep(d, box);
                    found = 1;
                }
            }
        }
        if (!found) {
            *g = first;
            keep(d, first_box);
        }
        g->placed = 1;
    }
}

static int draw_ends(drawer *d, uint64_t max_cases)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    for (uint32_t i = 0; i < d->end_count && rc == AB_OK; i++) {
        const ab_report_case_end *ce = case_end_at(d, i);
        const end_geo *g = &d->ends[i];
        if (!g->placed) {
            d->info.overlay_missing++;
            continue;
        }
        endpt a = arc_end(d, ce->element_id, ce->activity);
        const char *name = ce->activity != NULL ? ce->activity : ce->element_id;
        if (ce->activity == NULL && a.key < d->sc.shape_count &&
            d->sc.shapes[a.key].name[0] != '\0') {
            name = d->sc.shapes[a.key].name;
        }
        char text[80];
        end_text(ce, text, sizeof(text));
        P("<g class=\"ab-case-end\" data-kind=\"%s\" data-step=\"", ce->start ? "start" : "end");
        T(name, 0);
        P("\"><title>%llu case%s %s ", (unsigned long long)ce->cases, ce->cases == 1 ? "" : "s",
          ce->start ? "started with" : "ended right after");
        T(name, 0);
        P(", where the documented process does not %s</title>", ce->start ? "start" : "end");
        double sw = 1.5 + 2.5 * sqrt((double)ce->cases / (double)max_cases);
        double al = 6 + sw;
        if (ce->start) {
            /* From the marker (a hollow circle) into the step. */
            double ux = g->x0 - g->x1, uy = g->y0 - g->y1, ul = hypot(ux, uy);
            ul = ul > 0 ? ul : 1;
            P("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
              "stroke-width=\"%.1f\"/>",
              g->x1, g->y1, g->x0 - ux / ul * al * 0.6, g->y0 - uy / ul * al * 0.6, RED, sw);
            rc = rc == AB_OK ? put_arrow(d, g->x0, g->y0, ux, uy, al, RED, NULL) : rc;
            P("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#ffffff\" stroke=\"%s\" "
              "stroke-width=\"2\"/>",
              g->mx, g->my, END_MARK, RED);
        } else {
            /* From the step to the marker (a filled square: the case stopped). */
            double ux = g->x1 - g->x0, uy = g->y1 - g->y0, ul = hypot(ux, uy);
            ul = ul > 0 ? ul : 1;
            P("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
              "stroke-width=\"%.1f\"/>",
              g->x0, g->y0, g->x1 - ux / ul * al * 0.6, g->y1 - uy / ul * al * 0.6, RED, sw);
            rc = rc == AB_OK ? put_arrow(d, g->x1, g->y1, ux, uy, al, RED, NULL) : rc;
            P("<rect class=\"ab-stop\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
              "fill=\"%s\"/>",
              g->mx - END_MARK, g->my - END_MARK, 2 * END_MARK, 2 * END_MARK, RED);
        }
        grow(d, g->mx - END_MARK, g->my - END_MARK, g->mx + END_MARK, g->my + END_MARK);
        grow(d, g->x0, g->y0, g->x0, g->y0);
        if (rc == AB_OK) {
            rc = put_tag(d, "ab-case-end-label", text, g->tx, g->ty, RED, "#ffffff", RED);
        }
        P("</g>\n");
        d->info.overlay_drawn++;
    }
    return rc;
}

/* The legend, at (x, y): the bypass scale and one sample of each overlay mark. */
static int draw_legend(drawer *d, double x, double y)
{
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    P("<g class=\"ab-legend\" font-size=\"%.0f\" fill=\"%s\">", SMALL + 1, INK);
    P("<text x=\"%.1f\" y=\"%.1f\">Bypass rate</text>", x, y + 10);
    if (d->ov->version >= 3 && d->ov->lane_count > 0) {
        P("<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\">lanes: steps done outside</text>", x,
          y + 24);
    }
    for (int i = 0; i <= 5; i++) {
        char fill[8];
        ab__report_rate_color(i / 5.0, fill);
        P("<rect x=\"%.1f\" y=\"%.1f\" width=\"30\" height=\"12\" fill=\"%s\" stroke=\"%s\" "
          "stroke-width=\"0.5\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
          "font-size=\"9\">%d%%</text>",
          x + 76 + i * 30, y, fill, LINE, x + 91 + i * 30, y + 24, i * 20);
    }
    double x2 = x + 280;
    P("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\" "
      "stroke-dasharray=\"6,4\"/><text x=\"%.1f\" y=\"%.1f\">never traversed</text>",
      x2, y + 6, x2 + 34, y + 6, GREY, x2 + 40, y + 10);
    double x3 = x2 + 150;
    P("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" "
      "stroke-dasharray=\"6,4\"/>",
      x3, y + 6, x3 + 30, y + 6, RED);
    rc = rc == AB_OK ? put_arrow(d, x3 + 38, y + 6, 1, 0, 9, RED, NULL) : rc;
    P("<text x=\"%.1f\" y=\"%.1f\">undocumented transition (cases)</text>", x3 + 44, y + 10);
    double x4 = x3 + 240;
    P("<rect x=\"%.1f\" y=\"%.1f\" width=\"30\" height=\"16\" rx=\"4\" fill=\"#fdecea\" "
      "stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"4,2\"/><text x=\"%.1f\" "
      "y=\"%.1f\">undocumented activity</text>",
      x4, y - 2, RED, x4 + 36, y + 10);
    double right = x4 + 36 + ab__report_text_width("undocumented activity", 21, SMALL + 1);
    if (d->ov->cases > 0) {
        P("<text x=\"%.1f\" y=\"%.1f\">%llu cases analysed</text>", right + 24, y + 10,
          (unsigned long long)d->ov->cases);
        right += 24 + ab__report_text_width("000000000 cases analysed", 24, SMALL + 1);
    }
    P("</g>\n");
    grow(d, x, y - 4, right, y + 28);
    return rc;
}

/* ---- Putting it together. ---- */

/* Nesting depth of a container among containers drawn (for drawing outer ones first). */
static uint32_t container_depth(const drawer *d, uint32_t node)
{
    uint32_t depth = 0;
    uint32_t v = ab_bpmn_node_at(d->m, node)->parent;
    while (v != AB_BPMN_NONE && v < ab_bpmn_node_count(d->m) && depth < 1024) {
        depth++;
        v = ab_bpmn_node_at(d->m, v)->parent;
    }
    return depth;
}

static int draw_scene(drawer *d, int legend)
{
    int rc = AB_OK;
    ab__scene *sc = &d->sc;
    for (uint32_t i = 0; i < sc->shape_count && rc == AB_OK; i++) {
        if (sc->shapes[i].kind == AB__RS_POOL) {
            rc = draw_band(d, &sc->shapes[i]);
        }
    }
    for (uint32_t i = 0; i < sc->shape_count && rc == AB_OK; i++) {
        if (sc->shapes[i].kind == AB__RS_LANE) {
            rc = draw_band(d, &sc->shapes[i]);
        }
    }
    for (uint32_t i = 0; i < sc->shape_count && rc == AB_OK; i++) {
        if (sc->shapes[i].kind == AB__RS_ARTIFACT) {
            rc = draw_artifact(d, &sc->shapes[i]);
        }
    }
    /* Containers, outer ones first, then flows, then the other nodes over the flows. */
    uint32_t max_depth = 0;
    for (uint32_t i = 0; i < sc->shape_count; i++) {
        if (sc->shapes[i].kind == AB__RS_NODE && sc->shapes[i].container) {
            uint32_t dd = container_depth(d, sc->shapes[i].node);
            max_depth = dd > max_depth ? dd : max_depth;
        }
    }
    for (uint32_t depth = 0; depth <= max_depth && rc == AB_OK; depth++) {
        for (uint32_t i = 0; i < sc->shape_count && rc == AB_OK; i++) {
            const ab__rshape *s = &sc->shapes[i];
            if (s->kind == AB__RS_NODE && s->container && container_depth(d, s->node) == depth) {
                rc = draw_node(d, s);
            }
        }
    }
    for (uint32_t i = 0; i < sc->edge_count && rc == AB_OK; i++) {
        rc = draw_edge(d, i);
    }
    for (int pass = 0; pass < 2 && rc == AB_OK; pass++) {
        for (uint32_t i = 0; i < sc->shape_count && rc == AB_OK; i++) {
            const ab__rshape *s = &sc->shapes[i];
            if (s->kind != AB__RS_NODE || s->container) {
                continue;
            }
            int boundary = ab_bpmn_node_at(d->m, s->node)->kind == AB_BPMN_BOUNDARY_EVENT;
            if (boundary == pass) {
                rc = draw_node(d, s);
            }
        }
    }
    if (d->ov == NULL || rc != AB_OK) {
        return rc;
    }
    /* The overlay goes over the map, in its own group, placed against the map's bounds. */
    ab_buf *b = d->b;
    ab_ctx *ctx = d->ctx;
    if (!d->has_bounds) {
        grow(d, 0, 0, 0, 0);
    }
    place_ends(d, 0);
    place_badges(d);
    place_extras(d);
    place_ends(d, 1);
    P("<g class=\"ab-overlay\">\n");
    if (rc == AB_OK) {
        rc = draw_extras(d);
    }
    if (rc == AB_OK) {
        rc = draw_arcs(d);
    }
    if (rc == AB_OK) {
        rc = draw_ends(d, max_arc_cases(d));
    }
    if (rc == AB_OK) {
        rc = draw_badges(d);
    }
    if (rc == AB_OK && d->keep_failed) {
        rc = AB_ENOMEM;
    }
    for (uint32_t i = 0; i < d->ov->dead_flow_count; i++) {
        uint32_t f;
        const char *id = d->ov->dead_flows[i];
        if (id != NULL && ab_bpmn_flow_find(d->m, id, &f) == AB_OK &&
            sc->flow_edge[f] != AB_BPMN_NONE) {
            d->info.overlay_drawn++;
        } else {
            d->info.overlay_missing++;
        }
    }
    P("</g>\n");
    if (legend && rc == AB_OK) {
        rc = draw_legend(d, d->minx, d->maxy + 26);
    }
    return rc;
}

/* Resolves the overlay's task marks and dead flows onto the scene. */
static int resolve_overlay(drawer *d)
{
    const ab_report_overlay *ov = d->ov;
    uint32_t nn = ab_bpmn_node_count(d->m);
    d->mark = ab__arena_alloc(&d->sc.arena, ((size_t)nn + 1) * sizeof(*d->mark));
    d->edge_dead = ab__arena_alloc(&d->sc.arena, (size_t)d->sc.edge_count + 1);
    if (d->mark == NULL || d->edge_dead == NULL) {
        return AB_ENOMEM;
    }
    memset(d->mark, 0, ((size_t)nn + 1) * sizeof(*d->mark));
    memset(d->edge_dead, 0, (size_t)d->sc.edge_count + 1);
    if (ov == NULL) {
        return AB_OK;
    }
    d->extras = ab__arena_alloc(&d->sc.arena, ((size_t)ov->extra_count + 1) * sizeof(extra_geo));
    if (d->extras == NULL) {
        return AB_ENOMEM;
    }
    memset(d->extras, 0, ((size_t)ov->extra_count + 1) * sizeof(extra_geo));
    d->end_count = ov->version >= 2 ? ov->end_count : 0;
    d->badge = ab__arena_alloc(&d->sc.arena, ((size_t)ov->task_count + 1) * sizeof(rect));
    d->ends = ab__arena_alloc(&d->sc.arena, ((size_t)d->end_count + 1) * sizeof(end_geo));
    if (d->badge == NULL || d->ends == NULL) {
        return AB_ENOMEM;
    }
    memset(d->badge, 0, ((size_t)ov->task_count + 1) * sizeof(rect));
    memset(d->ends, 0, ((size_t)d->end_count + 1) * sizeof(end_geo));
    for (uint32_t i = 0; i < ov->task_count; i++) {
        uint32_t v;
        const char *id = ov->tasks[i].element_id;
        if (id != NULL && ab_bpmn_node_find(d->m, id, &v) == AB_OK && v < nn) {
            d->mark[v] = &ov->tasks[i];
        }
    }
    for (uint32_t i = 0; i < ov->dead_flow_count; i++) {
        uint32_t f;
        const char *id = ov->dead_flows[i];
        if (id != NULL && ab_bpmn_flow_find(d->m, id, &f) == AB_OK &&
            d->sc.flow_edge[f] != AB_BPMN_NONE) {
            d->edge_dead[d->sc.flow_edge[f]] = 1;
        }
    }
    return AB_OK;
}

int ab_report_map_svg(ab_buf *out, ab_ctx *ctx, const ab_bpmn *model, const ab_report_overlay *ov,
                      const ab_report_map_options *opts, ab_report_map_info *info_out,
                      ab_error *err)
{
    static const ab_report_map_options defaults = AB_REPORT_MAP_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    if (out == NULL || ctx == NULL || model == NULL) {
        return ab__error(err, AB_EINVAL, "report", 0, 0,
                         "a buffer, a context and a map are needed");
    }
    if (opts->version != AB_REPORT_MAP_OPTIONS_VERSION) {
        return ab__error(err, AB_EINVAL, "report", 0, 0, "map options version %u, expected %u",
                         opts->version, AB_REPORT_MAP_OPTIONS_VERSION);
    }
    if (ov != NULL && (ov->version < 1 || ov->version > AB_REPORT_OVERLAY_VERSION)) {
        return ab__error(err, AB_EINVAL, "report", 0, 0, "overlay version %u, expected 1 to %u",
                         ov->version, AB_REPORT_OVERLAY_VERSION);
    }
    if (ov != NULL &&
        ((ov->task_count > 0 && ov->tasks == NULL) || (ov->arc_count > 0 && ov->arcs == NULL) ||
         (ov->extra_count > 0 && ov->extras == NULL) ||
         (ov->dead_flow_count > 0 && ov->dead_flows == NULL) ||
         (ov->version >= 2 && ov->end_count > 0 && ov->ends == NULL) ||
         (ov->version >= 3 && ov->lane_count > 0 && ov->lanes == NULL))) {
        return ab__error(err, AB_EINVAL, "report", 0, 0, "overlay count without its array");
    }
    ab_error_clear(err);
    drawer d;
    memset(&d, 0, sizeof(d));
    d.ctx = ctx;
    d.m = model;
    d.ov = ov;
    d.sc.ctx = ctx;
    d.sc.model = model;
    ab__arena_init(&d.sc.arena, ctx, 64 * 1024);
    ab_buf body = AB_BUF_INIT;
    d.b = &body;
    uint32_t nn = ab_bpmn_node_count(model), nf = ab_bpmn_flow_count(model);
    int rc = AB_OK;
    d.sc.node_shape = ab__arena_alloc(&d.sc.arena, ((size_t)nn + 1) * sizeof(uint32_t));
    d.sc.flow_edge = ab__arena_alloc(&d.sc.arena, ((size_t)nf + 1) * sizeof(uint32_t));
    if (d.sc.node_shape == NULL || d.sc.flow_edge == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (uint32_t i = 0; i <= nn; i++) {
        d.sc.node_shape[i] = AB_BPMN_NONE;
    }
    for (uint32_t i = 0; i <= nf; i++) {
        d.sc.flow_edge[i] = AB_BPMN_NONE;
    }
    int computed = opts->layout == AB_REPORT_LAYOUT_COMPUTED ||
                   (opts->layout == AB_REPORT_LAYOUT_AUTO && !has_node_shape_on_first_plane(model));
    AB_TRY(build_ids(&d));
    if (computed) {
        AB_TRY(ab__report_layout(&d.sc, err));
    } else {
        AB_TRY(scene_from_di(&d));
    }
    d.info.computed_layout = computed;
    AB_TRY(resolve_overlay(&d));
    AB_TRY(draw_scene(&d, opts->legend && ov != NULL));
    for (uint32_t v = 0; v < nn; v++) {
        d.info.nodes_not_drawn += d.sc.node_shape[v] == AB_BPMN_NONE;
    }
    if (!d.has_bounds) {
        grow(&d, 0, 0, 200, 60);
    }
    double x0 = floor(d.minx - MARGIN), y0 = floor(d.miny - MARGIN);
    double w = ceil(d.maxx + MARGIN) - x0, h = ceil(d.maxy + MARGIN) - y0;
    d.info.width = w;
    d.info.height = h;
    ab_buf *b = out;
    if (opts->xml_declaration) {
        P("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }
    P("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ab-map\" width=\"%.0f\" "
      "height=\"%.0f\" viewBox=\"%.0f %.0f %.0f %.0f\" font-family=\"Helvetica, Arial, "
      "sans-serif\" role=\"img\">\n<title>Documented map ",
      w, h, x0, y0, w, h);
    T(ab_bpmn_source(model), 0);
    P("%s</title>\n", computed ? " (laid out by asbuilt: the file has no diagram)" : "");
    P("<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", x0, y0, w,
      h);
    if (rc == AB_OK && body.len > 0) {
        rc = ab_buf_append(out, ctx, body.ptr, body.len);
    }
    P("</svg>\n");
done:
    ab_buf_dispose(&body);
    ab__arena_finish(&d.sc.arena);
    if (rc == AB_OK && info_out != NULL) {
        *info_out = d.info;
    }
    return ab__error_settle(err, rc, "report", "cannot draw the map");
}
