/*
 * bpmn/bpmn_check.c: structural checks of a map once it is read: which nodes
 * no start can reach, and which nodes can never reach an end. Sub-processes,
 * boundary events, link events and event sub-processes are followed as BPMN
 * defines them, so that a handler reached only through a boundary event is
 * not reported. The findings are warnings: the map is still compiled.
 */
#include "bpmn/bpmn_int.h"

#include <stdlib.h>

typedef struct edge {
    uint32_t from, to;
} edge;

typedef struct graph {
    ab_ctx *ctx;
    edge *e;
    size_t cap;
    size_t count;
} graph;

static int add(graph *g, uint32_t from, uint32_t to)
{
    if (AB_GROW(g->ctx, g->e, g->cap, g->count + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    g->e[g->count].from = from;
    g->e[g->count].to = to;
    g->count++;
    return AB_OK;
}

/* A node that starts its scope when the scope has no start event. */
static int implicit_entry(const ab_bpmn *m, uint32_t i)
{
    const ab_bpmn_node *n = &m->nodes[i];
    return m->links_of[i].in_count == 0 && n->kind != AB_BPMN_BOUNDARY_EVENT &&
           !(n->kind == AB_BPMN_CATCH_EVENT && n->event == AB_BPMN_EV_LINK) &&
           !n->for_compensation &&
           !(n->kind == AB_BPMN_SUBPROCESS && n->type == AB_BPMN_SUB_EVENT);
}

static int is_event_sub(const ab_bpmn_node *n)
{
    return n->kind == AB_BPMN_SUBPROCESS && n->type == AB_BPMN_SUB_EVENT;
}

/* Breadth-first search over edges sorted by `from`; seen[] marks visits. */
static int bfs(ab_ctx *ctx, const edge *e, size_t ecount, const uint32_t *first, uint32_t n,
               uint8_t *seen, const uint32_t *roots, uint32_t root_count)
{
    uint32_t *queue = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)n + 1));
    if (queue == NULL) {
        return AB_ENOMEM;
    }
    uint32_t head = 0, tail = 0;
    for (uint32_t i = 0; i < root_count; i++) {
        if (!seen[roots[i]]) {
            seen[roots[i]] = 1;
            queue[tail++] = roots[i];
        }
    }
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t k = first[v]; k < first[v + 1] && k < ecount; k++) {
            uint32_t w = e[k].to;
            if (!seen[w]) {
                seen[w] = 1;
                queue[tail++] = w;
            }
        }
    }
    ab__free(ctx, queue);
    return AB_OK;
}

static int cmp_edge(const void *pa, const void *pb)
{
    const edge *a = pa, *b = pb;
    if (a->from != b->from) {
        return a->from < b->from ? -1 : 1;
    }
    return a->to < b->to ? -1 : a->to > b->to;
}

/* Sorts edges and fills first[] (n + 1 entries). */
static void index_edges(edge *e, size_t count, uint32_t *first, uint32_t n)
{
    ab__bpmn_sort(e, count, sizeof(*e), cmp_edge);
    size_t k = 0;
    for (uint32_t v = 0; v <= n; v++) {
        while (k < count && e[k].from < v) {
            k++;
        }
        first[v] = (uint32_t)k;
    }
}

int ab__bpmn_check(ab_bpmn *m)
{
    ab_ctx *ctx = m->ctx;
    uint32_t n = m->node_count;
    graph fwd = {ctx, NULL, 0, 0}, bwd = {ctx, NULL, 0, 0};
    uint32_t *first = NULL, *roots = NULL;
    uint8_t *reach = NULL, *ends = NULL, *scope_has_start = NULL;
    uint32_t root_count = 0, end_count = 0;
    int rc = AB_OK;
    if (n == 0) {
        return AB_OK;
    }
    first = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)n + 1));
    roots = ab__malloc(ctx, sizeof(uint32_t) * (size_t)n);
    reach = ab__calloc(ctx, n, 1);
    ends = ab__calloc(ctx, n, 1);
    /* Index n + p stands for the top of process p: 0/1 whether it has a start. */
    scope_has_start = ab__calloc(ctx, (size_t)n + m->proc_count + 1, 1);
    if (first == NULL || roots == NULL || reach == NULL || ends == NULL ||
        scope_has_start == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) {
        const ab_bpmn_node *x = &m->nodes[i];
        if (x->kind == AB_BPMN_START_EVENT) {
            scope_has_start[x->parent == AB_BPMN_NONE ? n + x->process : x->parent] = 1;
        }
    }
    for (uint32_t f = 0; f < m->flow_count; f++) {
        const ab_bpmn_flow *fl = &m->flows[f];
        if (fl->source != AB_BPMN_NONE && fl->target != AB_BPMN_NONE) {
            AB_TRY(add(&fwd, fl->source, fl->target));
            AB_TRY(add(&bwd, fl->target, fl->source));
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        const ab_bpmn_node *x = &m->nodes[i];
        if (x->attached_to != AB_BPMN_NONE) {
            AB_TRY(add(&fwd, x->attached_to, i));
            AB_TRY(add(&bwd, i, x->attached_to));
        }
        if (x->kind == AB_BPMN_THROW_EVENT && x->event == AB_BPMN_EV_LINK) {
            for (uint32_t j = 0; j < n; j++) {
                const ab_bpmn_node *y = &m->nodes[j];
                if (y->kind == AB_BPMN_CATCH_EVENT && y->event == AB_BPMN_EV_LINK &&
                    y->process == x->process && y->parent == x->parent &&
                    strcmp(y->event_ref, x->event_ref) == 0) {
                    AB_TRY(add(&fwd, i, j));
                    AB_TRY(add(&bwd, j, i));
                }
            }
        }
        int scope_start = scope_has_start[x->parent == AB_BPMN_NONE ? n + x->process : x->parent];
        int entry = is_event_sub(x) || (scope_start ? x->kind == AB_BPMN_START_EVENT
                                                     : implicit_entry(m, i));
        /* Inside an event sub-process, only its start events are entries. */
        if (x->parent != AB_BPMN_NONE && is_event_sub(&m->nodes[x->parent])) {
            entry = x->kind == AB_BPMN_START_EVENT;
        }
        if (entry) {
            if (x->parent == AB_BPMN_NONE) {
                roots[root_count++] = i;
            } else {
                AB_TRY(add(&fwd, x->parent, i));
            }
        }
        int end_like = m->links_of[i].out_count == 0 &&
                       !(x->kind == AB_BPMN_THROW_EVENT && x->event == AB_BPMN_EV_LINK);
        if (end_like) {
            if (x->parent == AB_BPMN_NONE) {
                ends[i] = 1;
                end_count++;
            } else {
                /* Finishing the inside lets the sub-process go on. */
                AB_TRY(add(&bwd, x->parent, i));
            }
        }
    }
    index_edges(fwd.e, fwd.count, first, n);
    AB_TRY(bfs(ctx, fwd.e, fwd.count, first, n, reach, roots, root_count));
    for (uint32_t i = 0; i < n; i++) {
        const ab_bpmn_node *x = &m->nodes[i];
        if (reach[i] || x->for_compensation) {
            continue;
        }
        if (x->attached_to != AB_BPMN_NONE && !reach[x->attached_to]) {
            continue; /* Its activity is reported. */
        }
        if (x->parent != AB_BPMN_NONE && !reach[x->parent]) {
            continue; /* Its sub-process is reported. */
        }
        if (x->attached_to != AB_BPMN_NONE && x->event == AB_BPMN_EV_COMPENSATE) {
            continue;
        }
        AB_TRY(ab__bpmn_issue(m, AB_BPMN_ISSUE_UNREACHABLE, x->id, x->line,
                              "'%s'%s%s%s can never be reached from a start", x->id,
                              *x->label ? " (" : "", x->label, *x->label ? ")" : ""));
    }
    /* Backwards from the ends. */
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (ends[i]) {
            roots[k++] = i;
        }
    }
    memset(ends, 0, n);
    index_edges(bwd.e, bwd.count, first, n);
    AB_TRY(bfs(ctx, bwd.e, bwd.count, first, n, ends, roots, end_count));
    for (uint32_t i = 0; i < n; i++) {
        const ab_bpmn_node *x = &m->nodes[i];
        if (ends[i] || !reach[i] || x->for_compensation) {
            continue;
        }
        AB_TRY(ab__bpmn_issue(m, AB_BPMN_ISSUE_NO_END, x->id, x->line,
                              "no end can be reached from '%s'%s%s%s (a loop without exit?)",
                              x->id, *x->label ? " (" : "", x->label, *x->label ? ")" : ""));
    }
done:
    ab__free(ctx, fwd.e);
    ab__free(ctx, bwd.e);
    ab__free(ctx, first);
    ab__free(ctx, roots);
    ab__free(ctx, reach);
    ab__free(ctx, ends);
    ab__free(ctx, scope_has_start);
    return rc;
}
