/*
 * discover/dfg_struct.c: where work loops back. Self-loops are edges a -> a;
 * rework cycles are the strongly connected components of the graph with two
 * or more activities, found by igraph. Every igraph status is turned into an
 * ab_error here; igraph's own error handler is set to "ignore" by
 * ab_ctx_create(), so igraph returns codes instead of aborting.
 */
#include "discover/discover_int.h"

#include <stdlib.h>

#include <igraph.h>

/* The adapter: an igraph status to an asbuilt status and message. */
static int ig_status(igraph_error_t e, const char *what, ab_error *err)
{
    if (e == IGRAPH_SUCCESS) {
        return AB_OK;
    }
    int code = e == IGRAPH_ENOMEM ? AB_ENOMEM : AB_ERROR;
    return ab__error(err, code, "discover", 0, 0, "igraph %s failed: %s", what, igraph_strerror(e));
}

static int cmp_cycle(const void *pa, const void *pb)
{
    const ab_dfg_cycle *a = pa, *b = pb;
    if (a->size != b->size) {
        return a->size > b->size ? -1 : 1;
    }
    if (a->count != b->count) {
        return a->count > b->count ? -1 : 1;
    }
    return (a->activities[0] > b->activities[0]) - (a->activities[0] < b->activities[0]);
}

/* Strongly connected components: membership[v] for every activity; *ncomp components. */
static int strong_components(const ab_dfg *d, igraph_vector_int_t *membership,
                             igraph_integer_t *ncomp, ab_error *err)
{
    igraph_vector_int_t ev;
    igraph_t g;
    igraph_integer_t m = 0;
    int rc =
        ig_status(igraph_vector_int_init(&ev, 2 * (igraph_integer_t)d->n_edges), "vector", err);
    if (rc != AB_OK) {
        return rc;
    }
    for (uint32_t e = 0; e < d->n_edges; e++) {
        /* Self-loops never join two activities; leave them out of the graph. */
        if (d->edges[e].from != d->edges[e].to) {
            VECTOR(ev)[2 * m] = d->edges[e].from;
            VECTOR(ev)[2 * m + 1] = d->edges[e].to;
            m++;
        }
    }
    rc = ig_status(igraph_vector_int_resize(&ev, 2 * m), "vector", err);
    if (rc == AB_OK) {
        rc = ig_status(igraph_create(&g, &ev, (igraph_integer_t)d->n_acts, IGRAPH_DIRECTED),
                       "create", err);
        if (rc == AB_OK) {
            rc = ig_status(igraph_connected_components(&g, membership, NULL, ncomp, IGRAPH_STRONG),
                           "connected_components", err);
            igraph_destroy(&g);
        }
    }
    igraph_vector_int_destroy(&ev);
    return rc;
}

int ab__dfg_find_cycles(ab_dfg *d, ab_error *err)
{
    d->n_cycles = 0;
    d->cycles = NULL;
    if (d->n_acts == 0) {
        return AB_OK;
    }
    igraph_vector_int_t membership;
    igraph_integer_t ncomp = 0;
    int rc = ig_status(igraph_vector_int_init(&membership, 0), "vector", err);
    if (rc != AB_OK) {
        return rc;
    }
    uint32_t *size = NULL, *slot = NULL;
    rc = strong_components(d, &membership, &ncomp, err);
    if (rc != AB_OK) {
        goto done;
    }
    rc = AB_ENOMEM;
    size = ab__calloc(d->ctx, (size_t)ncomp + 1, sizeof(uint32_t));
    slot = ab__malloc(d->ctx, ((size_t)ncomp + 1) * sizeof(uint32_t));
    if (size == NULL || slot == NULL) {
        goto done;
    }
    for (uint32_t a = 0; a < d->n_acts; a++) {
        size[VECTOR(membership)[a]]++;
    }
    uint32_t n = 0;
    for (igraph_integer_t c = 0; c < ncomp; c++) {
        slot[c] = size[c] >= 2 ? n++ : UINT32_MAX;
    }
    uint32_t n_loops = 0;
    for (uint32_t e = 0; e < d->n_edges; e++) {
        n_loops += d->edges[e].from == d->edges[e].to;
    }
    d->cycles = ab__arena_alloc(&d->arena, ((size_t)n + n_loops) * sizeof(*d->cycles) + 1);
    if (d->cycles == NULL) {
        goto done;
    }
    memset(d->cycles, 0, ((size_t)n + n_loops) * sizeof(*d->cycles));
    /* Members in ascending activity order: walk the activities in order. */
    uint32_t **members = ab__calloc(d->ctx, (size_t)n + 1, sizeof(uint32_t *));
    if (members == NULL) {
        goto done;
    }
    for (igraph_integer_t c = 0; c < ncomp; c++) {
        if (slot[c] != UINT32_MAX) {
            members[slot[c]] = ab__arena_alloc(&d->arena, (size_t)size[c] * sizeof(uint32_t));
            if (members[slot[c]] == NULL) {
                ab__free(d->ctx, members);
                goto done;
            }
            d->cycles[slot[c]].activities = members[slot[c]];
        }
    }
    for (uint32_t a = 0; a < d->n_acts; a++) {
        uint32_t s = slot[VECTOR(membership)[a]];
        if (s != UINT32_MAX) {
            members[s][d->cycles[s].size++] = a;
        }
    }
    ab__free(d->ctx, members);
    uint32_t k = n;
    for (uint32_t e = 0; e < d->n_edges; e++) {
        const ab_dfg_edge *ed = &d->edges[e];
        uint32_t s = slot[VECTOR(membership)[ed->from]];
        if (s != UINT32_MAX && slot[VECTOR(membership)[ed->to]] == s) {
            d->cycles[s].edges++;
            d->cycles[s].count += ed->count;
        }
        if (ed->from == ed->to) {
            uint32_t *one = ab__arena_alloc(&d->arena, sizeof(uint32_t));
            if (one == NULL) {
                goto done;
            }
            *one = ed->from;
            d->cycles[k].size = 1;
            d->cycles[k].activities = one;
            d->cycles[k].edges = 1;
            d->cycles[k].count = ed->count;
            k++;
        }
    }
    d->n_cycles = k;
    qsort(d->cycles, k, sizeof(*d->cycles), cmp_cycle);
    rc = AB_OK;
done:
    if (rc == AB_ENOMEM) {
        ab__error(err, rc, "discover", 0, 0, "out of memory");
    }
    ab__free(d->ctx, size);
    ab__free(d->ctx, slot);
    igraph_vector_int_destroy(&membership);
    return rc;
}
