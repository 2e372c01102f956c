/*
 * net/net_int.h: the net while it is built (mutable arcs, scopes for regions)
 * and the exploration of markings shared by the compiler, the soundness check
 * and the replay. Markings are sorted arrays of place indices, one entry per
 * token, which keeps them small on large nets where few places are marked
 * (the soundness check stores its many markings more compactly still, see
 * net_check.c).
 */
#ifndef AB_NET_INT_H
#define AB_NET_INT_H

#include <stdlib.h>

#include "asbuilt/net.h"
#include "core/core_int.h"

/* A place while building. */
typedef struct ab__place {
    const char *name;
    const char *flow_id;
    const char *element_id;
    ab_net_prole role;
    uint32_t scope; /* Innermost compiler scope (region) holding it. */
} ab__place;

/* A transition while building. */
typedef struct ab__trans {
    const char *name;
    const char *label; /* NULL = silent. */
    const char *task;
    const char *element_id;
    uint32_t element;  /* Node index in the top model, or AB_BPMN_NONE. */
    const char *lane;  /* Lane name of the element, or NULL. */
    uint32_t order;    /* Document-order key of the element. */
    uint32_t suborder; /* Order within a called process (0 otherwise). */
    ab_net_tkind kind;
    ab_net_arc *in;
    uint32_t in_count, in_cap;
    ab_net_arc *out;
    uint32_t out_count, out_cap;
} ab__trans;

struct ab_net {
    ab_ctx *ctx;
    uint64_t model_memory;      /* Bytes the analyses of the net may hold (ab_net_set_model_memory). */
    ab__arena arena;            /* Names and strings. */
    ab__place *places;
    size_t place_cap;
    uint32_t place_count;
    ab__trans *trans;
    size_t trans_cap;
    uint32_t trans_count;
    uint32_t source, sink;
    uint32_t *scope_parent;     /* scope -> parent scope (UINT32_MAX for the root). */
    size_t scope_cap;
    uint32_t scope_count;
    ab_net_note *approx;
    size_t approx_cap;
    uint32_t approx_count;
    ab_net_note *warn;
    size_t warn_cap;
    uint32_t warn_count;
    /* Filled by ab__net_finish: the public views. */
    ab_net_place *pub_places;
    ab_net_transition *pub_trans;
    const char **labels;        /* Sorted distinct labels. */
    uint32_t label_count;
    uint64_t arc_count;
};

int ab__net_create(ab_net **out, ab_ctx *ctx);
/* New place; returns its index or UINT32_MAX (out of memory). Strings are copied. */
uint32_t ab__net_place(ab_net *n, ab_net_prole role, const char *name, const char *flow_id,
                       const char *element_id, uint32_t scope);
/* New transition; label NULL = silent. Returns its index or UINT32_MAX. */
uint32_t ab__net_trans(ab_net *n, ab_net_tkind kind, const char *name, const char *label,
                       const char *element_id, uint32_t element, uint32_t order,
                       uint32_t suborder);
/* Adds weight to the arc between t and p (creating it). AB_OK or AB_ENOMEM. */
int ab__net_in(ab_net *n, uint32_t t, uint32_t p);
int ab__net_out(ab_net *n, uint32_t t, uint32_t p);
/* Removes the output arc of t to place p, if any. */
void ab__net_drop_out(ab_net *n, uint32_t t, uint32_t p);
/* Replaces every output arc of t to place `from` by one to `to`. */
void ab__net_redirect_out(ab_net *n, uint32_t t, uint32_t from, uint32_t to);
/* A new scope under parent (UINT32_MAX for the root). UINT32_MAX on out of memory. */
uint32_t ab__net_scope(ab_net *n, uint32_t parent);
/* Whether scope s is inside scope outer (or is it). */
int ab__net_scope_within(const ab_net *n, uint32_t s, uint32_t outer);
int ab__net_note(ab_net *n, int approximation, const char *element_id, const char *fmt, ...)
    AB__PRINTF(4, 5);
/* Sorts transitions into document order, sorts arcs, builds the public views
 * and the label table. */
int ab__net_finish(ab_net *n);

/* qsort that accepts an empty (NULL) array, which qsort itself does not. */
static inline void ab__net_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1) {
        qsort(base, n, size, cmp);
    }
}

/* ---- Exploration ---- */

/* A set of markings: ids are dense, in insertion order. */
typedef struct ab__mstore {
    ab_ctx *ctx;
    uint32_t *data;     /* Concatenated markings. */
    size_t data_len, data_cap;
    uint64_t *off;      /* id -> offset in data (off[id + 1] ends it). */
    size_t off_cap;
    uint32_t count;
    uint32_t *slots;    /* Open addressing: id + 1, 0 = empty. */
    uint32_t mask;
} ab__mstore;

int ab__mstore_init(ab__mstore *s, ab_ctx *ctx);
void ab__mstore_finish(ab__mstore *s);
void ab__mstore_clear(ab__mstore *s);
/* Adds a marking (sorted). *id_out gets its id; *is_new 1 when it was not there. */
int ab__mstore_add(ab__mstore *s, const uint32_t *m, uint32_t len, uint32_t *id_out, int *is_new);
/* Bytes a store holds. */
static inline uint64_t ab__mstore_bytes(const ab__mstore *s)
{
    return (uint64_t)s->data_cap * sizeof(uint32_t) + (uint64_t)s->off_cap * sizeof(uint64_t) +
           ((uint64_t)s->mask + 1) * sizeof(uint32_t);
}
/* The memory budget of the analyses that explore markings with a store
 * (ab__net_explore, the gap relations): past it they are "not decided within
 * the budget". */
#define AB__NET_MODEL_MEMORY ((uint64_t)AB_NET_CHECK_DEFAULT_MEMORY)
static inline const uint32_t *ab__mstore_get(const ab__mstore *s, uint32_t id, uint32_t *len_out)
{
    *len_out = (uint32_t)(s->off[id + 1] - s->off[id]);
    return s->data + s->off[id];
}

/* For each place, the transitions that consume from it (CSR). */
typedef struct ab__netidx {
    uint32_t *first; /* place_count + 1 entries. */
    uint32_t *trans;
} ab__netidx;

/* Builds the index over transitions with allow[t] != 0 (allow NULL = all). */
int ab__netidx_build(ab__netidx *x, ab_ctx *ctx, const ab_net *n, const uint8_t *allow);
void ab__netidx_finish(ab__netidx *x, ab_ctx *ctx);

/* Whether transition t is enabled in marking m. */
int ab__net_enabled(const ab_net *n, uint32_t t, const uint32_t *m, uint32_t len);
/* Fires t in m into out (capacity len - in_tokens + out_tokens); returns the new length.
 * Output places with keep[p] == 0 are dropped (keep NULL = keep all). */
uint32_t ab__net_fire(const ab_net *n, uint32_t t, const uint32_t *m, uint32_t len,
                      uint32_t *out, const uint8_t *keep);
/* Calls fn for every transition enabled in m (each once, in index order). */
typedef int (*ab__enabled_fn)(uint32_t t, void *payload);
int ab__net_each_enabled(const ab_net *n, const ab__netidx *x, const uint32_t *m, uint32_t len,
                         ab__enabled_fn fn, void *payload);

/* Largest number of tokens one firing of a transition of n adds. */
uint32_t ab__net_max_growth(const ab_net *n);

/*
 * Breadth-first exploration from init over the allowed transitions, keeping
 * only places with keep[p] (all when NULL). Stops after max_states markings
 * or when the store passes the net's model_memory bytes (*complete_out = 0). terminal (optional, grown with the store) receives
 * 1 for markings where no allowed transition is enabled. When
 * unbounded_out is given, a marking that strictly covers an ancestor on its
 * search path stops the search and sets it to 1.
 */
int ab__net_explore(const ab_net *n, const uint8_t *allow, const uint8_t *keep,
                    const uint32_t *init, uint32_t init_len, uint64_t max_states,
                    ab__mstore *st, uint8_t **terminal, int *complete_out, int *unbounded_out);

#endif
