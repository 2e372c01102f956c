/*
 * net/net_build.c: the net as a data structure: places, transitions and arcs
 * added by the compiler, the scopes that delimit cancellation regions, the
 * notes (approximations and warnings), the final ordering of transitions
 * into document order, and the read-only getters. Relabelling with a label
 * mapping is a copy made here too.
 */
#include "net/net_int.h"

#include <stdio.h>
#include <stdlib.h>

int ab__net_create(ab_net **out, ab_ctx *ctx)
{
    ab_net *n = ab__calloc(ctx, 1, sizeof(*n));
    if (n == NULL) {
        return AB_ENOMEM;
    }
    n->ctx = ctx;
    n->model_memory = AB__NET_MODEL_MEMORY;
    ab__arena_init(&n->arena, ctx, 32 * 1024);
    n->source = n->sink = UINT32_MAX;
    *out = n;
    return AB_OK;
}

void ab_net_destroy(ab_net *n)
{
    if (n == NULL) {
        return;
    }
    ab_ctx *ctx = n->ctx;
    for (uint32_t t = 0; t < n->trans_count; t++) {
        ab__free(ctx, n->trans[t].in);
        ab__free(ctx, n->trans[t].out);
    }
    ab__free(ctx, n->trans);
    ab__free(ctx, n->places);
    ab__free(ctx, n->scope_parent);
    ab__free(ctx, n->approx);
    ab__free(ctx, n->warn);
    ab__free(ctx, n->pub_places);
    ab__free(ctx, n->pub_trans);
    ab__free(ctx, n->labels);
    ab__arena_finish(&n->arena);
    ab__free(ctx, n);
}

static const char *copy(ab_net *n, const char *s, int *oom)
{
    if (s == NULL) {
        return NULL;
    }
    char *d = ab__arena_strndup(&n->arena, s, strlen(s));
    if (d == NULL) {
        *oom = 1;
    }
    return d;
}

uint32_t ab__net_place(ab_net *n, ab_net_prole role, const char *name, const char *flow_id,
                       const char *element_id, uint32_t scope)
{
    if (AB_GROW(n->ctx, n->places, n->place_cap, (size_t)n->place_count + 1) != AB_OK) {
        return UINT32_MAX;
    }
    int oom = 0;
    ab__place *p = &n->places[n->place_count];
    p->name = copy(n, name != NULL ? name : "p", &oom);
    p->flow_id = copy(n, flow_id, &oom);
    p->element_id = copy(n, element_id, &oom);
    p->role = role;
    p->scope = scope;
    if (oom) {
        return UINT32_MAX;
    }
    return n->place_count++;
}

uint32_t ab__net_trans(ab_net *n, ab_net_tkind kind, const char *name, const char *label,
                       const char *element_id, uint32_t element, uint32_t order,
                       uint32_t suborder)
{
    if (AB_GROW(n->ctx, n->trans, n->trans_cap, (size_t)n->trans_count + 1) != AB_OK) {
        return UINT32_MAX;
    }
    int oom = 0;
    ab__trans *t = &n->trans[n->trans_count];
    memset(t, 0, sizeof(*t));
    t->name = copy(n, name != NULL ? name : element_id, &oom);
    t->label = copy(n, label, &oom);
    t->task = t->label;
    t->element_id = copy(n, element_id != NULL ? element_id : "", &oom);
    t->element = element;
    t->order = order;
    t->suborder = suborder;
    t->kind = kind;
    if (oom) {
        return UINT32_MAX;
    }
    return n->trans_count++;
}

static int add_arc(ab_net *n, ab_net_arc **arcs, uint32_t *count, uint32_t *cap, uint32_t p)
{
    for (uint32_t i = 0; i < *count; i++) {
        if ((*arcs)[i].place == p) {
            (*arcs)[i].weight++;
            return AB_OK;
        }
    }
    if (*count == *cap) {
        uint32_t ncap = *cap < 4 ? 4 : *cap * 2;
        ab_net_arc *na = ab__realloc(n->ctx, *arcs, sizeof(**arcs) * ncap);
        if (na == NULL) {
            return AB_ENOMEM;
        }
        *arcs = na;
        *cap = ncap;
    }
    (*arcs)[*count].place = p;
    (*arcs)[*count].weight = 1;
    (*count)++;
    return AB_OK;
}

int ab__net_in(ab_net *n, uint32_t t, uint32_t p)
{
    ab__trans *x = &n->trans[t];
    return add_arc(n, &x->in, &x->in_count, &x->in_cap, p);
}

int ab__net_out(ab_net *n, uint32_t t, uint32_t p)
{
    ab__trans *x = &n->trans[t];
    return add_arc(n, &x->out, &x->out_count, &x->out_cap, p);
}

void ab__net_redirect_out(ab_net *n, uint32_t t, uint32_t from, uint32_t to)
{
    ab__trans *x = &n->trans[t];
    for (uint32_t i = 0; i < x->out_count; i++) {
        if (x->out[i].place == from) {
            x->out[i].place = to;
        }
    }
}

void ab__net_drop_out(ab_net *n, uint32_t t, uint32_t p)
{
    ab__trans *x = &n->trans[t];
    for (uint32_t i = 0; i < x->out_count; i++) {
        if (x->out[i].place == p) {
            x->out[i] = x->out[--x->out_count];
            return;
        }
    }
}

uint32_t ab__net_scope(ab_net *n, uint32_t parent)
{
    if (AB_GROW(n->ctx, n->scope_parent, n->scope_cap, (size_t)n->scope_count + 1) != AB_OK) {
        return UINT32_MAX;
    }
    n->scope_parent[n->scope_count] = parent;
    return n->scope_count++;
}

int ab__net_scope_within(const ab_net *n, uint32_t s, uint32_t outer)
{
    while (s != UINT32_MAX) {
        if (s == outer) {
            return 1;
        }
        s = n->scope_parent[s];
    }
    return 0;
}

int ab__net_note(ab_net *n, int approximation, const char *element_id, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ab_net_note **arr = approximation ? &n->approx : &n->warn;
    size_t *cap = approximation ? &n->approx_cap : &n->warn_cap;
    uint32_t *count = approximation ? &n->approx_count : &n->warn_count;
    /* The same note twice (a process called twice) is said once. */
    for (uint32_t i = 0; i < *count; i++) {
        if (strcmp((*arr)[i].element_id, element_id) == 0 && strcmp((*arr)[i].what, msg) == 0) {
            return AB_OK;
        }
    }
    if (ab__grow(n->ctx, (void **)arr, cap, (size_t)*count + 1, sizeof(**arr)) != AB_OK) {
        return AB_ENOMEM;
    }
    int oom = 0;
    ab_net_note *note = &(*arr)[*count];
    note->element_id = copy(n, element_id, &oom);
    note->what = copy(n, msg, &oom);
    if (oom) {
        return AB_ENOMEM;
    }
    (*count)++;
    return AB_OK;
}

/* ---- Finishing ---- */

typedef struct tkey {
    uint32_t order, suborder, index;
} tkey;

static int cmp_tkey(const void *pa, const void *pb)
{
    const tkey *a = pa, *b = pb;
    if (a->order != b->order) {
        return a->order < b->order ? -1 : 1;
    }
    if (a->suborder != b->suborder) {
        return a->suborder < b->suborder ? -1 : 1;
    }
    return a->index < b->index ? -1 : a->index > b->index;
}

static int cmp_arc(const void *pa, const void *pb)
{
    const ab_net_arc *a = pa, *b = pb;
    return a->place < b->place ? -1 : a->place > b->place;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ab__net_finish(ab_net *n)
{
    ab_ctx *ctx = n->ctx;
    tkey *keys = ab__malloc(ctx, sizeof(*keys) * ((size_t)n->trans_count + 1));
    ab__trans *sorted = ab__malloc(ctx, sizeof(*sorted) * ((size_t)n->trans_count + 1));
    if (keys == NULL || sorted == NULL) {
        ab__free(ctx, keys);
        ab__free(ctx, sorted);
        return AB_ENOMEM;
    }
    for (uint32_t t = 0; t < n->trans_count; t++) {
        keys[t].order = n->trans[t].order;
        keys[t].suborder = n->trans[t].suborder;
        keys[t].index = t;
    }
    ab__net_sort(keys, n->trans_count, sizeof(*keys), cmp_tkey);
    for (uint32_t t = 0; t < n->trans_count; t++) {
        sorted[t] = n->trans[keys[t].index];
    }
    ab__free(ctx, keys);
    ab__free(ctx, n->trans);
    n->trans = sorted;
    n->trans_cap = (size_t)n->trans_count + 1;

    n->pub_places = ab__calloc(ctx, (size_t)n->place_count + 1, sizeof(*n->pub_places));
    n->pub_trans = ab__calloc(ctx, (size_t)n->trans_count + 1, sizeof(*n->pub_trans));
    n->labels = ab__calloc(ctx, (size_t)n->trans_count + 1, sizeof(*n->labels));
    if (n->pub_places == NULL || n->pub_trans == NULL || n->labels == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t p = 0; p < n->place_count; p++) {
        ab_net_place *q = &n->pub_places[p];
        q->name = n->places[p].name;
        q->flow_id = n->places[p].flow_id;
        q->element_id = n->places[p].element_id;
        q->role = n->places[p].role;
    }
    uint32_t nl = 0;
    n->arc_count = 0;
    for (uint32_t t = 0; t < n->trans_count; t++) {
        ab__trans *x = &n->trans[t];
        ab__net_sort(x->in, x->in_count, sizeof(*x->in), cmp_arc);
        ab__net_sort(x->out, x->out_count, sizeof(*x->out), cmp_arc);
        n->arc_count += x->in_count + x->out_count;
        if (x->label != NULL) {
            n->labels[nl++] = x->label;
        }
    }
    ab__net_sort(n->labels, nl, sizeof(*n->labels), cmp_str);
    uint32_t w = 0;
    for (uint32_t i = 0; i < nl; i++) {
        if (w == 0 || strcmp(n->labels[w - 1], n->labels[i]) != 0) {
            n->labels[w++] = n->labels[i];
        }
    }
    n->label_count = w;
    for (uint32_t t = 0; t < n->trans_count; t++) {
        const ab__trans *x = &n->trans[t];
        ab_net_transition *q = &n->pub_trans[t];
        q->name = x->name;
        q->label = x->label;
        q->task = x->task;
        q->element_id = x->element_id;
        q->element = x->element;
        q->lane = x->lane;
        q->kind = x->kind;
        q->in = x->in;
        q->in_count = x->in_count;
        q->out = x->out;
        q->out_count = x->out_count;
        q->label_id = AB_NET_SILENT;
        if (x->label != NULL) {
            (void)ab_net_label_find(n, x->label, &q->label_id);
        }
    }
    return AB_OK;
}

/* ---- Getters ---- */

uint32_t ab_net_place_count(const ab_net *n)
{
    return n->place_count;
}

const ab_net_place *ab_net_place_at(const ab_net *n, uint32_t i)
{
    return i < n->place_count ? &n->pub_places[i] : NULL;
}

uint32_t ab_net_transition_count(const ab_net *n)
{
    return n->trans_count;
}

const ab_net_transition *ab_net_transition_at(const ab_net *n, uint32_t i)
{
    return i < n->trans_count ? &n->pub_trans[i] : NULL;
}

uint64_t ab_net_arc_count(const ab_net *n)
{
    return n->arc_count;
}

uint32_t ab_net_source(const ab_net *n)
{
    return n->source;
}

uint32_t ab_net_sink(const ab_net *n)
{
    return n->sink;
}

uint32_t ab_net_label_count(const ab_net *n)
{
    return n->label_count;
}

const char *ab_net_label(const ab_net *n, uint32_t id)
{
    return id < n->label_count ? n->labels[id] : NULL;
}

const char *const *ab_net_labels(const ab_net *n)
{
    return n->labels;
}

int ab_net_label_find(const ab_net *n, const char *label, uint32_t *id_out)
{
    uint32_t lo = 0, hi = n->label_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(n->labels[mid], label);
        if (c == 0) {
            if (id_out != NULL) {
                *id_out = mid;
            }
            return AB_OK;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return AB_ENOTFOUND;
}

uint32_t ab_net_approximation_count(const ab_net *n)
{
    return n->approx_count;
}

const ab_net_note *ab_net_approximation_at(const ab_net *n, uint32_t i)
{
    return i < n->approx_count ? &n->approx[i] : NULL;
}

uint32_t ab_net_warning_count(const ab_net *n)
{
    return n->warn_count;
}

const ab_net_note *ab_net_warning_at(const ab_net *n, uint32_t i)
{
    return i < n->warn_count ? &n->warn[i] : NULL;
}

const char *ab_net_tkind_name(ab_net_tkind kind)
{
    static const char *const names[] = {"task", "gateway", "event", "scope", "loop", "cancel"};
    return (unsigned)kind <= AB_NET_T_CANCEL ? names[kind] : "?";
}

const char *ab_net_prole_name(ab_net_prole role)
{
    static const char *const names[] = {"flow", "source", "sink", "internal", "skip", "counter"};
    return (unsigned)role <= AB_NET_P_COUNTER ? names[role] : "?";
}

/* ---- Relabelling ---- */

static int copy_arcs(ab_net *n, uint32_t t, const ab__trans *src)
{
    for (uint32_t i = 0; i < src->in_count; i++) {
        for (uint32_t w = 0; w < src->in[i].weight; w++) {
            if (ab__net_in(n, t, src->in[i].place) != AB_OK) {
                return AB_ENOMEM;
            }
        }
    }
    for (uint32_t i = 0; i < src->out_count; i++) {
        for (uint32_t w = 0; w < src->out[i].weight; w++) {
            if (ab__net_out(n, t, src->out[i].place) != AB_OK) {
                return AB_ENOMEM;
            }
        }
    }
    return AB_OK;
}

/* Whether a pair applies to a transition of this lane. */
static int lane_applies(const ab_bpmn_map_pair *p, const char *lane)
{
    if (p->lane == NULL) {
        return 1;
    }
    if (lane == NULL) {
        return 0;
    }
    char a[256], b[256];
    ab_bpmn_label_normalise(p->lane, a, sizeof(a));
    ab_bpmn_label_normalise(lane, b, sizeof(b));
    return strcmp(a, b) == 0;
}

int ab_net_relabel(ab_net **out, const ab_net *src, const ab_bpmn_mapping *map, ab_error *err)
{
    ab_net *n = NULL;
    int rc = ab__net_create(&n, src->ctx);
    if (rc != AB_OK) {
        return ab__error(err, rc, "net", 0, 0, "out of memory");
    }
    for (uint32_t p = 0; p < src->place_count && rc == AB_OK; p++) {
        const ab__place *q = &src->places[p];
        if (ab__net_place(n, q->role, q->name, q->flow_id, q->element_id, q->scope) ==
            UINT32_MAX) {
            rc = AB_ENOMEM;
        }
    }
    n->source = src->source;
    n->sink = src->sink;
    n->model_memory = src->model_memory;
    for (uint32_t t = 0; t < src->trans_count && rc == AB_OK; t++) {
        const ab__trans *x = &src->trans[t];
        uint32_t first = 0, k = 0, applies = 0;
        if (x->label != NULL && map != NULL) {
            k = ab_bpmn_map_task_pairs(map, x->task, &first);
            for (uint32_t c = 0; c < k; c++) {
                applies += lane_applies(ab_bpmn_map_pair_at(map, first + c), x->lane);
            }
            if (k > 0 && applies == 0) {
                rc = ab__net_note(n, 0, x->element_id,
                                  "the task '%s'%s%s%s maps to no activity in its lane", x->task,
                                  x->lane != NULL ? " (lane " : "", x->lane != NULL ? x->lane : "",
                                  x->lane != NULL ? ")" : "");
            }
        }
        for (uint32_t c = 0; c < (applies > 0 ? k : 1) && rc == AB_OK; c++) {
            const char *label = x->label;
            if (applies > 0) {
                const ab_bpmn_map_pair *pr = ab_bpmn_map_pair_at(map, first + c);
                if (!lane_applies(pr, x->lane)) {
                    continue;
                }
                /* A task declared silent becomes a silent transition. */
                label = pr->how == AB_BPMN_MAP_SILENT ? NULL : pr->activity;
            }
            uint32_t nt = ab__net_trans(n, x->kind, x->name, label, x->element_id, x->element,
                                        x->order, x->suborder);
            if (nt == UINT32_MAX) {
                rc = AB_ENOMEM;
                break;
            }
            int oom = 0;
            n->trans[nt].task = copy(n, x->task, &oom);
            n->trans[nt].lane = copy(n, x->lane, &oom);
            if (oom) {
                rc = AB_ENOMEM;
                break;
            }
            rc = copy_arcs(n, nt, x);
        }
    }
    for (uint32_t i = 0; i < src->approx_count && rc == AB_OK; i++) {
        rc = ab__net_note(n, 1, src->approx[i].element_id, "%s", src->approx[i].what);
    }
    for (uint32_t i = 0; i < src->warn_count && rc == AB_OK; i++) {
        rc = ab__net_note(n, 0, src->warn[i].element_id, "%s", src->warn[i].what);
    }
    if (rc == AB_OK) {
        rc = ab__net_finish(n);
    }
    if (rc != AB_OK) {
        ab_net_destroy(n);
        return ab__error(err, rc, "net", 0, 0, "out of memory");
    }
    *out = n;
    return AB_OK;
}

void ab_net_set_model_memory(ab_net *n, uint64_t bytes)
{
    if (n != NULL) {
        n->model_memory = bytes != 0 ? bytes : AB__NET_MODEL_MEMORY;
    }
}
