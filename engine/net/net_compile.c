/*
 * net/net_compile.c: BPMN to a labelled workflow net. Each sequence flow
 * becomes a place; each task a visible transition; gateways, events and the
 * borders of sub-processes and loops become silent transitions. Scopes
 * (processes, sub-processes, inlined calls, activities with boundary events)
 * are compiled inside out, so that an enclosing scope can analyse the net of
 * what it contains: ends reached in parallel are joined by the terminal
 * markings of the scope, and cancellations (interrupting boundary events,
 * interrupting event sub-processes, terminate and error end events) consume
 * each reachable marking of the region they cancel. Whenever such an analysis
 * passes its limits, or BPMN asks for something a Petri net cannot say, the
 * compiler approximates and records what it did.
 */
#include "net/net_int.h"

#include <stdio.h>
#include <stdlib.h>

#define NONE UINT32_MAX

/* One armed non-interrupting trigger: completion consumes `armed` (never
 * fired) or `alt` (fired, or its handler finished). */
typedef struct alt_pair {
    uint32_t armed, alt;
} alt_pair;

/* An event that throws to a boundary event of an enclosing activity. */
typedef struct thrower {
    uint32_t node; /* The throwing event. */
    uint32_t t;    /* Its transition. */
    uint32_t in;   /* Its input place. */
} thrower;

/* What the compiler knows of the scope it is compiling. */
typedef struct scope_ctx {
    const ab_bpmn *m;       /* Model the nodes belong to. */
    uint32_t proc;          /* Process index in m. */
    uint32_t parent_node;   /* Sub-process node, or NONE for the process level. */
    const char *elem_id;    /* Element id for the scope's own transitions. */
    uint32_t elem_node;     /* Node index of that element in m, or NONE. */
    uint32_t call_order;    /* Order key of the top-level call that inlined m, or 0. */
    uint32_t sid;           /* Net scope (region). */
    uint32_t entry, exit;   /* Entry and exit places. */
    uint32_t enter_t;       /* Transition that marks entry (for arming), or NONE. */
    uint32_t *flow_place;   /* Flow index in m -> place (flows of this scope). */
    uint32_t *node_in;      /* Node index in m -> input place. */
    uint32_t *nodes;        /* Nodes of this scope, document order. */
    uint32_t node_count;
    alt_pair *alts;         /* Out: armed pairs completion must consume. */
    size_t alt_cap;
    uint32_t alt_count;
    thrower *throws;        /* Out: error, escalation and cancel throwers. */
    size_t throw_cap;
    uint32_t throw_count;
    uint32_t *or_input;     /* Node -> input place of its inclusive split part, or NONE. */
    uint32_t *or_pair;      /* Split node -> its block join (or NONE); join -> split. */
    uint32_t catcher;       /* Activity whose boundary events catch throws from here,
                               or NONE. */
    uint32_t z_place;       /* Out: the idle counter of join_ends, or NONE. */
    uint32_t z_init;        /* Out: tokens it holds when only the entry is marked. */
    uint32_t z_collect;     /* The transition that empties it, or NONE. */
    int blocks_closed;      /* Every parallel split is closed by a join (find_blocks). */
    uint32_t *terminates;   /* Terminate end events. */
    uint32_t terminate_count;
} scope_ctx;

typedef struct call_frame {
    const ab_bpmn *m;
    uint32_t proc;
} call_frame;

typedef struct cc {
    ab_net *net;
    ab_ctx *ctx;
    const ab_bpmn *top;
    const ab_net_options *o;
    int rc;
    call_frame stack[32];
    uint32_t depth;
    uint8_t *removed;       /* Transitions taken out (grown on demand). */
    size_t removed_cap;
} cc;

/* ---- Small helpers ---- */

static void oom(cc *c)
{
    if (c->rc == AB_OK) {
        c->rc = AB_ENOMEM;
    }
}

static void note(cc *c, int approx, const char *elem, const char *fmt, ...) AB__PRINTF(4, 5);
static void note(cc *c, int approx, const char *elem, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->rc == AB_OK && ab__net_note(c->net, approx, elem, "%s", msg) != AB_OK) {
        oom(c);
    }
}

static const ab_bpmn_node *node_of(const scope_ctx *sc, uint32_t i)
{
    return ab_bpmn_node_at(sc->m, i);
}

static void order_of(const cc *c, const scope_ctx *sc, uint32_t node, uint32_t *order,
                     uint32_t *sub)
{
    if (node == NONE) {
        node = sc->elem_node;
    }
    if (sc->m == c->top) {
        *order = node == NONE ? 0 : node + 1;
        *sub = 0;
    } else {
        *order = sc->call_order;
        *sub = node == NONE ? 0 : node + 1;
    }
}

static uint32_t new_place(cc *c, const scope_ctx *sc, ab_net_prole role, const char *elem,
                          const char *suffix, uint32_t scope)
{
    if (c->rc != AB_OK) {
        return NONE;
    }
    char name[320];
    snprintf(name, sizeof(name), "%s%s%s", elem, suffix != NULL ? ":" : "",
             suffix != NULL ? suffix : "");
    uint32_t p = ab__net_place(c->net, role, name, NULL, elem, scope == NONE ? sc->sid : scope);
    if (p == NONE) {
        oom(c);
    }
    return p;
}

/* A transition for a node of sc (node NONE = the scope's own element). */
static uint32_t new_trans(cc *c, const scope_ctx *sc, ab_net_tkind kind, uint32_t node,
                          const char *suffix, const char *label)
{
    if (c->rc != AB_OK) {
        return NONE;
    }
    const char *elem = node == NONE ? sc->elem_id : node_of(sc, node)->id;
    uint32_t order, sub;
    order_of(c, sc, node, &order, &sub);
    char name[320];
    snprintf(name, sizeof(name), "%s%s%s", elem, suffix != NULL ? ":" : "",
             suffix != NULL ? suffix : "");
    uint32_t element = NONE;
    if (sc->m == c->top) {
        element = node == NONE ? sc->elem_node : node;
    }
    uint32_t t = ab__net_trans(c->net, kind, name, label, elem, element, order, sub);
    if (t == NONE) {
        oom(c);
        return NONE;
    }
    uint32_t lane = node == NONE ? NONE : node_of(sc, node)->lane;
    if (lane != NONE && *ab_bpmn_lane_at(sc->m, lane)->name != '\0') {
        const char *name_of_lane = ab_bpmn_lane_at(sc->m, lane)->name;
        char *d = ab__arena_strndup(&c->net->arena, name_of_lane, strlen(name_of_lane));
        if (d == NULL) {
            oom(c);
        }
        c->net->trans[t].lane = d;
    }
    return t;
}

static void arc_in(cc *c, uint32_t t, uint32_t p)
{
    if (c->rc == AB_OK && t != NONE && p != NONE && ab__net_in(c->net, t, p) != AB_OK) {
        oom(c);
    }
}

static void arc_out(cc *c, uint32_t t, uint32_t p)
{
    if (c->rc == AB_OK && t != NONE && p != NONE && ab__net_out(c->net, t, p) != AB_OK) {
        oom(c);
    }
}

static void arcs_out(cc *c, uint32_t t, const uint32_t *ps, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        arc_out(c, t, ps[i]);
    }
}

static void remove_trans(cc *c, uint32_t t)
{
    if (c->rc != AB_OK || t == NONE) {
        return;
    }
    size_t old = c->removed_cap;
    if (AB_GROW(c->ctx, c->removed, c->removed_cap, (size_t)t + 1) != AB_OK) {
        oom(c);
        return;
    }
    memset(c->removed + old, 0, c->removed_cap - old);
    c->removed[t] = 1;
}

static int is_removed(const cc *c, uint32_t t)
{
    return t < c->removed_cap && c->removed[t];
}

static int is_event_sub(const ab_bpmn_node *n)
{
    return n->kind == AB_BPMN_SUBPROCESS && n->type == AB_BPMN_SUB_EVENT;
}

/* Whether an activity's outgoing flows split inclusively (some carry a condition). */
static int conditional_split(const ab_bpmn *m, uint32_t node)
{
    const ab_bpmn_node *n = ab_bpmn_node_at(m, node);
    if (n->kind == AB_BPMN_GATEWAY) {
        return 0;
    }
    uint32_t k;
    const uint32_t *out = ab_bpmn_node_outgoing(m, node, &k);
    if (k < 2) {
        return 0;
    }
    for (uint32_t i = 0; i < k; i++) {
        if (ab_bpmn_flow_at(m, out[i])->has_condition) {
            return 1;
        }
    }
    return 0;
}

static int is_or_gateway(const ab_bpmn_node *n)
{
    return n->kind == AB_BPMN_GATEWAY &&
           (n->type == AB_BPMN_GW_INCLUSIVE || n->type == AB_BPMN_GW_COMPLEX);
}

/* Whether a node may put tokens on several of its outgoing flows at once. */
static int splits_in_parallel(const ab_bpmn *m, uint32_t node)
{
    const ab_bpmn_node *n = ab_bpmn_node_at(m, node);
    uint32_t k, b;
    ab_bpmn_node_outgoing(m, node, &k);
    const uint32_t *bnd = ab_bpmn_node_boundary(m, node, &b);
    for (uint32_t i = 0; i < b; i++) {
        if (!ab_bpmn_node_at(m, bnd[i])->interrupting) {
            return 1;
        }
    }
    if (k < 2) {
        return 0;
    }
    if (n->kind == AB_BPMN_GATEWAY) {
        return n->type == AB_BPMN_GW_PARALLEL || n->type == AB_BPMN_GW_INCLUSIVE ||
               n->type == AB_BPMN_GW_COMPLEX;
    }
    return 1;
}

/* Whether the scope starts several nodes at once (no start event). */
static int multi_entry(const scope_ctx *sc)
{
    uint32_t starts = 0, implicit = 0;
    for (uint32_t i = 0; i < sc->node_count; i++) {
        uint32_t v = sc->nodes[i];
        const ab_bpmn_node *n = node_of(sc, v);
        if (is_event_sub(n)) {
            continue;
        }
        uint32_t k;
        ab_bpmn_node_incoming(sc->m, v, &k);
        if (n->kind == AB_BPMN_START_EVENT) {
            starts++;
        } else if (k == 0 && n->kind != AB_BPMN_BOUNDARY_EVENT && !n->for_compensation &&
                   !(n->kind == AB_BPMN_CATCH_EVENT && n->event == AB_BPMN_EV_LINK)) {
            implicit++;
        }
    }
    return starts == 0 && implicit > 1;
}

/* Whether the scope's content can run several branches at once. */
static int scope_parallel(const scope_ctx *sc)
{
    for (uint32_t i = 0; i < sc->node_count; i++) {
        uint32_t v = sc->nodes[i];
        if (!is_event_sub(node_of(sc, v)) && splits_in_parallel(sc->m, v)) {
            return 1;
        }
    }
    return multi_entry(sc);
}

/* ---- Region analysis ---- */

/* Masks for exploring a region: places kept, transitions allowed. */
typedef struct region {
    uint8_t *keep;
    uint8_t *allow;
} region;

static void region_free(cc *c, region *r)
{
    ab__free(c->ctx, r->keep);
    ab__free(c->ctx, r->allow);
    r->keep = r->allow = NULL;
}

/* Places inside scope sid (plus the extra places given); transitions whose
 * inputs are all kept and that keep something (or have no output), minus
 * removed ones and `skip`. */
static int region_make(cc *c, region *r, uint32_t sid, const uint32_t *extra, uint32_t nextra,
                       uint32_t skip)
{
    ab_net *n = c->net;
    r->keep = ab__calloc(c->ctx, (size_t)n->place_count + 1, 1);
    r->allow = ab__calloc(c->ctx, (size_t)n->trans_count + 1, 1);
    if (r->keep == NULL || r->allow == NULL) {
        region_free(c, r);
        oom(c);
        return AB_ENOMEM;
    }
    for (uint32_t p = 0; p < n->place_count; p++) {
        r->keep[p] = (uint8_t)ab__net_scope_within(n, n->places[p].scope, sid);
    }
    for (uint32_t i = 0; i < nextra; i++) {
        if (extra[i] != NONE) {
            r->keep[extra[i]] = 1;
        }
    }
    for (uint32_t t = 0; t < n->trans_count; t++) {
        const ab__trans *x = &n->trans[t];
        if (is_removed(c, t) || t == skip || x->in_count == 0) {
            continue;
        }
        int ok = 1, keeps = x->out_count == 0;
        for (uint32_t i = 0; i < x->in_count; i++) {
            ok &= r->keep[x->in[i].place];
        }
        for (uint32_t i = 0; i < x->out_count; i++) {
            keeps |= r->keep[x->out[i].place];
        }
        r->allow[t] = (uint8_t)(ok && keeps);
    }
    return AB_OK;
}

static uint32_t count_in(const uint32_t *m, uint32_t len, uint32_t p)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < len; i++) {
        c += m[i] == p;
    }
    return c;
}

/* Whether marking a (sorted) contains b (sorted) as a sub-multiset. */
static int contains(const uint32_t *a, uint32_t la, const uint32_t *b, uint32_t lb)
{
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

/*
 * Adds, for every reachable marking M of the region (from init) that holds
 * `trigger` (when not NONE) and not `done_place`, a cancellation transition
 * consuming M and producing outs. *exact_out is 1 when it did (0 when the
 * region was too large: nothing is added). *antichain_out is 0 when one such
 * marking is contained in another, so that a cancellation could leave tokens.
 * *trivial_out is 1 when the only such marking is {trigger} itself.
 */
static void cancel_region(cc *c, const scope_ctx *sc, uint32_t sid, const uint32_t *extra,
                          uint32_t nextra, const uint32_t *init, uint32_t init_len,
                          uint32_t trigger, uint32_t done_place, uint32_t skip,
                          const uint32_t *outs, uint32_t nouts, uint32_t node,
                          const char *suffix, int dry, int *exact_out, int *antichain_out,
                          int *trivial_out)
{
    *exact_out = 0;
    *antichain_out = 1;
    if (trivial_out != NULL) {
        *trivial_out = 0;
    }
    if (c->rc != AB_OK) {
        return;
    }
    region r = {NULL, NULL};
    ab__mstore st;
    if (region_make(c, &r, sid, extra, nextra, skip) != AB_OK) {
        return;
    }
    if (ab__mstore_init(&st, c->ctx) != AB_OK) {
        region_free(c, &r);
        oom(c);
        return;
    }
    int complete = 0;
    int rc = ab__net_explore(c->net, r.allow, r.keep, init, init_len, c->o->max_states, &st, NULL,
                             &complete, NULL);
    uint32_t *sel = NULL;
    uint32_t nsel = 0;
    if (rc != AB_OK) {
        c->rc = rc;
        goto done;
    }
    if (!complete) {
        goto done;
    }
    sel = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)st.count + 1));
    if (sel == NULL) {
        oom(c);
        goto done;
    }
    for (uint32_t id = 0; id < st.count; id++) {
        uint32_t len;
        const uint32_t *mk = ab__mstore_get(&st, id, &len);
        if (len == 0) {
            continue;
        }
        if (trigger != NONE && count_in(mk, len, trigger) == 0) {
            continue;
        }
        if (done_place != NONE && count_in(mk, len, done_place) > 0) {
            continue;
        }
        sel[nsel++] = id;
    }
    if (nsel > c->o->max_cancel_markings) {
        goto done;
    }
    *exact_out = 1;
    if (trivial_out != NULL && nsel == 1 && trigger != NONE) {
        uint32_t len;
        const uint32_t *mk = ab__mstore_get(&st, sel[0], &len);
        *trivial_out = len == 1 && mk[0] == trigger;
    }
    for (uint32_t i = 0; i < nsel; i++) {
        uint32_t la;
        const uint32_t *a = ab__mstore_get(&st, sel[i], &la);
        for (uint32_t j = 0; j < nsel && *antichain_out; j++) {
            uint32_t lb;
            const uint32_t *b = ab__mstore_get(&st, sel[j], &lb);
            if (i != j && lb > la && contains(b, lb, a, la)) {
                *antichain_out = 0;
            }
        }
    }
    if (dry) {
        goto done;
    }
    for (uint32_t i = 0; i < nsel && c->rc == AB_OK; i++) {
        uint32_t len;
        const uint32_t *mk = ab__mstore_get(&st, sel[i], &len);
        uint32_t t = new_trans(c, sc, AB_NET_T_CANCEL, node, suffix, NULL);
        /* mk points into the store, which no longer grows: safe to read. */
        for (uint32_t k = 0; k < len; k++) {
            arc_in(c, t, mk[k]);
        }
        arcs_out(c, t, outs, nouts);
    }
done:
    ab__free(c->ctx, sel);
    ab__mstore_finish(&st);
    region_free(c, &r);
}

/* ---- Scope compilation ---- */

static void compile_scope(cc *c, scope_ctx *sc);

static void scope_free(cc *c, scope_ctx *sc)
{
    ab__free(c->ctx, sc->flow_place);
    ab__free(c->ctx, sc->node_in);
    ab__free(c->ctx, sc->nodes);
    ab__free(c->ctx, sc->alts);
    ab__free(c->ctx, sc->throws);
    ab__free(c->ctx, sc->or_input);
    ab__free(c->ctx, sc->or_pair);
    ab__free(c->ctx, sc->terminates);
}

static int has_event_subs(const ab_bpmn *m, uint32_t proc, uint32_t parent)
{
    for (uint32_t i = 0; i < ab_bpmn_node_count(m); i++) {
        const ab_bpmn_node *n = ab_bpmn_node_at(m, i);
        if (n->process == proc && n->parent == parent && is_event_sub(n)) {
            return 1;
        }
    }
    return 0;
}

/* Builds the completion transitions: done + one of each pair -> outs. */
static void completion(cc *c, const scope_ctx *sc, uint32_t node, uint32_t done,
                       const alt_pair *pairs, uint32_t npairs, const uint32_t *outs,
                       uint32_t nouts)
{
    if (npairs <= 3) {
        for (uint32_t mask = 0; mask < (1u << npairs) && c->rc == AB_OK; mask++) {
            uint32_t t = new_trans(c, sc, AB_NET_T_SCOPE, node, "leave", NULL);
            arc_in(c, t, done);
            for (uint32_t k = 0; k < npairs; k++) {
                arc_in(c, t, (mask >> k) & 1 ? pairs[k].alt : pairs[k].armed);
            }
            arcs_out(c, t, outs, nouts);
        }
        return;
    }
    /* Many armed triggers: a silent "disarm" each instead of 2^k copies. */
    uint32_t t = new_trans(c, sc, AB_NET_T_SCOPE, node, "leave", NULL);
    arc_in(c, t, done);
    for (uint32_t k = 0; k < npairs; k++) {
        uint32_t d = new_trans(c, sc, AB_NET_T_SCOPE, node, "disarm", NULL);
        arc_in(c, d, pairs[k].armed);
        arc_out(c, d, pairs[k].alt);
        arc_in(c, t, pairs[k].alt);
    }
    arcs_out(c, t, outs, nouts);
}

/* Places of a node's outgoing flows, or the scope exit when it has none. */
static uint32_t node_outs(const scope_ctx *sc, uint32_t node, uint32_t *buf, uint32_t cap)
{
    uint32_t k;
    const uint32_t *out = ab_bpmn_node_outgoing(sc->m, node, &k);
    uint32_t n = 0;
    for (uint32_t i = 0; i < k && n < cap; i++) {
        if (sc->flow_place[out[i]] != NONE) {
            buf[n++] = sc->flow_place[out[i]];
        }
    }
    if (n == 0) {
        buf[n++] = sc->exit;
    }
    return n;
}

/* A large enough buffer for the outgoing places of one node. */
static uint32_t *outs_buf(cc *c, const ab_bpmn *m, uint32_t node, uint32_t *cap_out)
{
    uint32_t k;
    ab_bpmn_node_outgoing(m, node, &k);
    *cap_out = k + 1;
    uint32_t *b = ab__malloc(c->ctx, sizeof(uint32_t) * (*cap_out));
    if (b == NULL) {
        oom(c);
    }
    return b;
}

/* Resolves a call activity's callee: a process (*m_out, *proc_out), a global
 * task (*gtask_out), or nothing. */
static void resolve_call(cc *c, const ab_bpmn *m, const ab_bpmn_node *n, const ab_bpmn **m_out,
                         uint32_t *proc_out, const ab_bpmn_global_task **gtask_out)
{
    *m_out = NULL;
    *proc_out = NONE;
    *gtask_out = NULL;
    const char *ref = n->called_element;
    for (int pass = 0; pass < 2 && *ref != '\0'; pass++) {
        for (size_t k = 0; k <= c->o->library_count; k++) {
            const ab_bpmn *lm = k == 0 ? m : c->o->library[k - 1];
            uint32_t idx;
            if (lm == NULL) {
                continue;
            }
            if (ab_bpmn_process_find(lm, ref, &idx) == AB_OK) {
                *m_out = lm;
                *proc_out = idx;
                return;
            }
            if (ab_bpmn_global_task_find(lm, ref, &idx) == AB_OK) {
                *gtask_out = ab_bpmn_global_task_at(lm, idx);
                return;
            }
        }
        /* A QName ("tns:Process_1"): try the local part. */
        const char *colon = strchr(ref, ':');
        if (colon == NULL) {
            break;
        }
        ref = colon + 1;
    }
}

/* Collapses white space in a name into buf (like a node's label). */
static void label_of(const char *name, char *buf, size_t cap)
{
    size_t o = 0;
    int pending = 0;
    for (size_t i = 0; name[i] != '\0' && o + 2 < cap; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            pending = o > 0;
            continue;
        }
        if (pending) {
            buf[o++] = ' ';
            pending = 0;
        }
        buf[o++] = (char)ch;
    }
    buf[o] = '\0';
}

/* Whether a boundary event B is triggered by throw events inside its
 * activity's content (then it fires only through them). */
static int throw_matches(const ab_bpmn_node *b, const ab_bpmn_node *e)
{
    if (b->event != e->event) {
        return 0;
    }
    if (b->event != AB_BPMN_EV_ERROR && b->event != AB_BPMN_EV_ESCALATION &&
        b->event != AB_BPMN_EV_CANCEL) {
        return 0;
    }
    return *b->event_ref == '\0' || strcmp(b->event_ref, e->event_ref) == 0;
}

/* The body of an activity as one step (a task, or what stands for one). */
static uint32_t atomic_step(cc *c, scope_ctx *sc, uint32_t node, const char *label, uint32_t in,
                            const uint32_t *outs, uint32_t nouts)
{
    const ab_bpmn_node *n = node_of(sc, node);
    uint32_t t;
    if (*label == '\0') {
        note(c, 0, n->id,
             "the %s '%s' has no name: it is compiled as a silent step (it can never match a "
             "log activity)",
             ab_bpmn_kind_name(n->kind), n->id);
        t = new_trans(c, sc, AB_NET_T_TASK, node, NULL, NULL);
    } else {
        t = new_trans(c, sc, AB_NET_T_TASK, node, NULL, label);
    }
    arc_in(c, t, in);
    arcs_out(c, t, outs, nouts);
    return t;
}

/* Ad-hoc sub-process: its activities in any order, any number of times. */
static void adhoc_body(cc *c, scope_ctx *sc, uint32_t node, uint32_t entry, uint32_t done,
                       uint32_t sid)
{
    const ab_bpmn *m = sc->m;
    const ab_bpmn_node *n = node_of(sc, node);
    uint32_t flows = 0;
    for (uint32_t f = 0; f < ab_bpmn_flow_count(m); f++) {
        flows += ab_bpmn_flow_at(m, f)->parent == node;
    }
    if (flows > 0) {
        note(c, 1, n->id,
             "ad-hoc sub-process: its activities may run in any order and any number of "
             "times; the %u sequence flows inside it are not enforced",
             flows);
    }
    scope_ctx inner = *sc;
    inner.sid = sid;
    for (uint32_t i = 0; i < ab_bpmn_node_count(m) && c->rc == AB_OK; i++) {
        const ab_bpmn_node *x = ab_bpmn_node_at(m, i);
        if (x->parent != node || x->process != n->process) {
            continue;
        }
        if (x->kind == AB_BPMN_TASK || x->kind == AB_BPMN_CALL_ACTIVITY) {
            char label[512];
            label_of(x->name, label, sizeof(label));
            atomic_step(c, &inner, i, label, entry, &entry, 1);
        } else if (x->kind == AB_BPMN_SUBPROCESS || x->kind == AB_BPMN_GATEWAY ||
                   x->kind == AB_BPMN_START_EVENT || x->kind == AB_BPMN_END_EVENT ||
                   x->kind == AB_BPMN_CATCH_EVENT || x->kind == AB_BPMN_THROW_EVENT ||
                   x->kind == AB_BPMN_BOUNDARY_EVENT) {
            note(c, 1, x->id,
                 "element inside an ad-hoc sub-process is not compiled (only its tasks are)");
        }
    }
    uint32_t t = new_trans(c, sc, AB_NET_T_SCOPE, node, "complete", NULL);
    arc_in(c, t, entry);
    arc_out(c, t, done);
}

/*
 * An activity (task, call activity, sub-process) between its input place and
 * outs, with its loop marker and boundary events.
 */
static void compile_activity(cc *c, scope_ctx *sc, uint32_t node, uint32_t in,
                             const uint32_t *outs_in, uint32_t nouts_in)
{
    const ab_bpmn *m = sc->m;
    const ab_bpmn_node *n = node_of(sc, node);
    char label[512];
    label_of(n->name, label, sizeof(label));

    /* What the body is. */
    enum { BODY_ATOMIC, BODY_SCOPE, BODY_ADHOC } body = BODY_ATOMIC;
    const ab_bpmn *callee_m = m;
    uint32_t callee_proc = n->process, callee_parent = node;
    if (n->kind == AB_BPMN_SUBPROCESS) {
        uint32_t inner = 0;
        for (uint32_t i = 0; i < ab_bpmn_node_count(m); i++) {
            inner += ab_bpmn_node_at(m, i)->parent == node;
        }
        if (inner == 0) {
            note(c, 0, n->id,
                 "the sub-process '%s' has no content in this file: it is compiled as one "
                 "step",
                 n->id);
        } else {
            body = n->type == AB_BPMN_SUB_ADHOC ? BODY_ADHOC : BODY_SCOPE;
        }
    } else if (n->kind == AB_BPMN_CALL_ACTIVITY) {
        const ab_bpmn_global_task *gt = NULL;
        resolve_call(c, m, n, &callee_m, &callee_proc, &gt);
        if (callee_m != NULL) {
            int recursive = 0;
            for (uint32_t k = 0; k < c->depth; k++) {
                recursive |= c->stack[k].m == callee_m && c->stack[k].proc == callee_proc;
            }
            if (recursive || c->depth >= sizeof(c->stack) / sizeof(c->stack[0])) {
                note(c, 1, n->id,
                     "the call activity calls '%s' recursively: the inner call is compiled as "
                     "one step",
                     n->called_element);
                callee_m = m;
            } else {
                body = BODY_SCOPE;
                callee_parent = NONE;
            }
        } else {
            callee_m = m;
            if (gt != NULL) {
                if (*label == '\0') {
                    label_of(gt->name, label, sizeof(label));
                }
            } else {
                note(c, 1, n->id,
                     "the called element '%s' is not in this file%s: the call activity is "
                     "compiled as one step",
                     *n->called_element != '\0' ? n->called_element : "(none given)",
                     c->o->library_count > 0 ? " nor in the other maps given"
                                             : " (give its file with --model)");
            }
        }
    }
    if (n->loop == AB_BPMN_LOOP_MI_PARALLEL && body != BODY_ATOMIC) {
        note(c, 1, n->id,
             "parallel multi-instance: instances are compiled one after the other (one or "
             "more times); interleaving between instances is not modelled");
    }

    /* The loop wrapper: the body ends in L_out, from which it repeats or exits. */
    uint32_t loop_out = NONE;
    const uint32_t *outs = outs_in;
    uint32_t nouts = nouts_in;
    if (n->loop != AB_BPMN_LOOP_NONE) {
        loop_out = new_place(c, sc, AB_NET_P_INTERNAL, n->id, "iteration", NONE);
        outs = &loop_out;
        nouts = 1;
    }

    /* Boundary events: interrupting timer-like, non-interrupting timer-like,
     * and those fired by throw events inside (decided after the body). */
    uint32_t nb;
    const uint32_t *bnd = ab_bpmn_node_boundary(m, node, &nb);
    uint32_t nonint = 0;
    for (uint32_t i = 0; i < nb; i++) {
        const ab_bpmn_node *b = node_of(sc, bnd[i]);
        if (b->event == AB_BPMN_EV_COMPENSATE) {
            note(c, 1, b->id,
                 "compensation boundary event: compensation is not modelled (its handler is "
                 "not compiled)");
            continue;
        }
        if (!b->interrupting) {
            nonint++;
        }
    }

    if (body == BODY_ATOMIC && nonint == 0) {
        atomic_step(c, sc, node, label, in, outs, nouts);
        for (uint32_t i = 0; i < nb && c->rc == AB_OK; i++) {
            const ab_bpmn_node *b = node_of(sc, bnd[i]);
            if (b->event == AB_BPMN_EV_COMPENSATE) {
                continue;
            }
            uint32_t cap;
            uint32_t *bo = outs_buf(c, m, bnd[i], &cap);
            if (bo == NULL) {
                return;
            }
            uint32_t k = node_outs(sc, bnd[i], bo, cap);
            uint32_t t = new_trans(c, sc, AB_NET_T_EVENT, bnd[i], NULL, NULL);
            arc_in(c, t, in);
            arcs_out(c, t, bo, k);
            ab__free(c->ctx, bo);
        }
    } else {
        /* The general form: enter, body, boundary triggers, leave. */
        uint32_t wsid = ab__net_scope(c->net, sc->sid);
        if (wsid == NONE) {
            oom(c);
            return;
        }
        uint32_t enter = new_trans(c, sc, AB_NET_T_SCOPE, node, "enter", NULL);
        arc_in(c, enter, in);
        uint32_t bsid = ab__net_scope(c->net, wsid);
        if (bsid == NONE) {
            oom(c);
            return;
        }
        uint32_t body_entry = new_place(c, sc, AB_NET_P_INTERNAL, n->id, "started", bsid);
        uint32_t done = new_place(c, sc, AB_NET_P_INTERNAL, n->id, "done", bsid);
        arc_out(c, enter, body_entry);
        alt_pair *pairs = NULL;
        uint32_t *init = NULL;
        uint8_t *throw_driven = NULL;
        uint32_t *caught_place = NULL;
        uint32_t npairs = 0, ninit = 0;
        scope_ctx inner;
        memset(&inner, 0, sizeof(inner));
        inner.z_place = NONE;
        /* Body. */
        if (body == BODY_ATOMIC) {
            atomic_step(c, sc, node, label, body_entry, &done, 1);
        } else if (body == BODY_ADHOC) {
            adhoc_body(c, sc, node, body_entry, done, bsid);
        } else {
            inner.m = callee_m;
            inner.proc = callee_proc;
            inner.parent_node = callee_parent;
            inner.call_order = sc->call_order;
            inner.catcher = NONE;
            if (callee_m != c->top && inner.call_order == 0) {
                uint32_t sub;
                order_of(c, sc, node, &inner.call_order, &sub);
            }
            if (callee_parent == NONE) {
                inner.elem_id = ab_bpmn_process_at(callee_m, callee_proc)->id;
                inner.elem_node = NONE;
                c->stack[c->depth].m = callee_m;
                c->stack[c->depth].proc = callee_proc;
                c->depth++;
            } else {
                inner.elem_id = n->id;
                inner.elem_node = node;
                inner.catcher = node;
            }
            inner.sid = bsid;
            inner.entry = body_entry;
            inner.exit = done;
            inner.enter_t = enter;
            compile_scope(c, &inner);
            if (callee_parent == NONE) {
                c->depth--;
            }
        }
        uint32_t zi = inner.z_place != NONE ? inner.z_init : 0;
        size_t room = (size_t)nb + inner.alt_count + zi + 2;
        pairs = ab__calloc(c->ctx, room, sizeof(*pairs));
        init = ab__calloc(c->ctx, room, sizeof(uint32_t));
        throw_driven = ab__calloc(c->ctx, (size_t)nb + 1, 1);
        caught_place = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)nb + 1));
        if (pairs == NULL || init == NULL || throw_driven == NULL || caught_place == NULL) {
            oom(c);
            goto general_done;
        }
        for (uint32_t i = 0; i < nb; i++) {
            caught_place[i] = NONE;
        }
        init[ninit++] = body_entry;
        for (uint32_t k = 0; k < zi; k++) {
            init[ninit++] = inner.z_place;
        }
        /* Inner armed places are marked at entry; completion waits for them. */
        for (uint32_t k = 0; k < inner.alt_count; k++) {
            pairs[npairs++] = inner.alts[k];
            init[ninit++] = inner.alts[k].armed;
        }
        /* Throw-driven boundary events. */
        for (uint32_t i = 0; i < nb && c->rc == AB_OK; i++) {
            const ab_bpmn_node *b = node_of(sc, bnd[i]);
            for (uint32_t k = 0; k < inner.throw_count; k++) {
                if (inner.m == m && throw_matches(b, ab_bpmn_node_at(inner.m,
                                                                      inner.throws[k].node))) {
                    throw_driven[i] = 1;
                }
            }
        }
        /* Non-interrupting timer-like triggers: armed at entry, fire once. */
        for (uint32_t i = 0; i < nb && c->rc == AB_OK; i++) {
            const ab_bpmn_node *b = node_of(sc, bnd[i]);
            if (b->interrupting || throw_driven[i] || b->event == AB_BPMN_EV_COMPENSATE) {
                continue;
            }
            uint32_t a = new_place(c, sc, AB_NET_P_INTERNAL, b->id, "armed", wsid);
            uint32_t f = new_place(c, sc, AB_NET_P_INTERNAL, b->id, "fired", wsid);
            arc_out(c, enter, a);
            init[ninit++] = a;
            uint32_t cap;
            uint32_t *bo = outs_buf(c, m, bnd[i], &cap);
            if (bo == NULL) {
                goto general_done;
            }
            uint32_t k = node_outs(sc, bnd[i], bo, cap);
            uint32_t t = new_trans(c, sc, AB_NET_T_EVENT, bnd[i], NULL, NULL);
            arc_in(c, t, a);
            arc_out(c, t, f);
            arcs_out(c, t, bo, k);
            ab__free(c->ctx, bo);
            pairs[npairs].armed = a;
            pairs[npairs].alt = f;
            npairs++;
            note(c, 1, b->id,
                 "non-interrupting boundary event: modelled as firing at most once while its "
                 "activity runs");
        }
        /* Throws inside the body that reach a boundary event. Each such
         * boundary event gets a place its throwers mark, and a transition of
         * its own from there, so that it keeps a back-pointer. */
        for (uint32_t k = 0; k < inner.throw_count && c->rc == AB_OK; k++) {
            const thrower *th = &inner.throws[k];
            const ab_bpmn_node *e = ab_bpmn_node_at(inner.m, th->node);
            for (uint32_t i = 0; i < nb && c->rc == AB_OK; i++) {
                const ab_bpmn_node *b = node_of(sc, bnd[i]);
                if (!throw_driven[i] || inner.m != m || !throw_matches(b, e)) {
                    continue;
                }
                if (caught_place[i] == NONE) {
                    uint32_t cap;
                    uint32_t *bo = outs_buf(c, m, bnd[i], &cap);
                    if (bo == NULL) {
                        goto general_done;
                    }
                    uint32_t nbo = node_outs(sc, bnd[i], bo, cap);
                    caught_place[i] = new_place(c, sc, AB_NET_P_INTERNAL, b->id, "caught", NONE);
                    uint32_t t = new_trans(c, sc, AB_NET_T_EVENT, bnd[i], NULL, NULL);
                    arc_in(c, t, caught_place[i]);
                    arcs_out(c, t, bo, nbo);
                    ab__free(c->ctx, bo);
                }
                uint32_t cp = caught_place[i];
                if (!b->interrupting || e->kind == AB_BPMN_THROW_EVENT) {
                    /* The thrower goes on; the handler runs beside it. */
                    arc_out(c, th->t, cp);
                } else {
                    int exact, antichain, trivial;
                    uint32_t extra[1] = {done};
                    cancel_region(c, sc, wsid, extra, 1, init, ninit, th->in, done, th->t, &cp, 1,
                                  th->node, "cancel", 1, &exact, &antichain, &trivial);
                    if (exact && trivial && npairs == 0) {
                        /* Nothing else can be running: redirect the end event. */
                        ab__net_redirect_out(c->net, th->t, done, cp);
                    } else if (exact) {
                        cancel_region(c, sc, wsid, extra, 1, init, ninit, th->in, done, th->t,
                                      &cp, 1, th->node, "cancel", 0, &exact, &antichain,
                                      &trivial);
                        remove_trans(c, th->t);
                        if (!antichain) {
                            note(c, 1, e->id,
                                 "the cancellation this event triggers may leave tokens in "
                                 "'%s' (nested regions of different sizes)",
                                 n->id);
                        }
                    } else {
                        ab__net_redirect_out(c->net, th->t, done, cp);
                        note(c, 1, e->id,
                             "the event leaves '%s' through the boundary event '%s' without "
                             "cancelling branches still running in it (region too large)",
                             n->id, b->id);
                    }
                }
                break; /* The first matching boundary event catches it. */
            }
        }
        /* Interrupting timer-like triggers: cancel whatever runs. */
        for (uint32_t i = 0; i < nb && c->rc == AB_OK; i++) {
            const ab_bpmn_node *b = node_of(sc, bnd[i]);
            if (!b->interrupting || throw_driven[i] || b->event == AB_BPMN_EV_COMPENSATE) {
                continue;
            }
            uint32_t cap;
            uint32_t *bo = outs_buf(c, m, bnd[i], &cap);
            if (bo == NULL) {
                goto general_done;
            }
            uint32_t nbo = node_outs(sc, bnd[i], bo, cap);
            int exact, antichain;
            uint32_t extra[1] = {done};
            cancel_region(c, sc, wsid, extra, 1, init, ninit, NONE, done, NONE, bo, nbo,
                          bnd[i], NULL, 0, &exact, &antichain, NULL);
            if (!exact) {
                uint32_t t = new_trans(c, sc, AB_NET_T_EVENT, bnd[i], NULL, NULL);
                arc_in(c, t, in);
                arcs_out(c, t, bo, nbo);
                note(c, 1, b->id,
                     "interrupting boundary event: '%s' has too many states to cancel "
                     "exactly; the event is modelled only before the activity starts",
                     n->id);
            } else if (!antichain) {
                note(c, 1, b->id,
                     "interrupting boundary event: cancelling '%s' may leave tokens (nested "
                     "regions of different sizes)",
                     n->id);
            }
            ab__free(c->ctx, bo);
        }
        completion(c, sc, node, done, pairs, npairs, outs, nouts);
    general_done:
        ab__free(c->ctx, pairs);
        ab__free(c->ctx, init);
        ab__free(c->ctx, throw_driven);
        ab__free(c->ctx, caught_place);
        scope_free(c, &inner);
    }

    if (n->loop != AB_BPMN_LOOP_NONE) {
        uint32_t again = new_trans(c, sc, AB_NET_T_LOOP, node, "again", NULL);
        arc_in(c, again, loop_out);
        arc_out(c, again, in);
        uint32_t leave = new_trans(c, sc, AB_NET_T_LOOP, node, "exit", NULL);
        arc_in(c, leave, loop_out);
        arcs_out(c, leave, outs_in, nouts_in);
        if (n->loop == AB_BPMN_LOOP_STANDARD && n->test_before) {
            uint32_t skip = new_trans(c, sc, AB_NET_T_LOOP, node, "skip", NULL);
            arc_in(c, skip, in);
            arcs_out(c, skip, outs_in, nouts_in);
        }
    }
}

/* ---- Inclusive gateways ---- */

/* Nodes of the scope one step after v: flow targets and boundary events. */
static uint32_t succ(const scope_ctx *sc, uint32_t v, uint32_t *buf, uint32_t cap)
{
    uint32_t n = 0, k, b;
    const uint32_t *out = ab_bpmn_node_outgoing(sc->m, v, &k);
    for (uint32_t i = 0; i < k && n < cap; i++) {
        buf[n++] = ab_bpmn_flow_at(sc->m, out[i])->target;
    }
    const uint32_t *bnd = ab_bpmn_node_boundary(sc->m, v, &b);
    for (uint32_t i = 0; i < b && n < cap; i++) {
        buf[n++] = bnd[i];
    }
    return n;
}

/*
 * Whether split s and join j form a single-entry single-exit block: every
 * branch of s reaches j, the branches are disjoint, nothing enters them from
 * outside, none ends elsewhere, and a branch that reaches j by several flows
 * never runs two of them at once. join_flows[k] receives the flows of branch
 * k into j (the caller's buffer of in-degree(j) entries, as a branch index
 * per incoming flow of j).
 */
static int is_block(cc *c, const scope_ctx *sc, uint32_t s, uint32_t j, uint32_t *branch_of,
                    uint32_t *queue, uint32_t *flow_branch)
{
    const ab_bpmn *m = sc->m;
    uint32_t nn = ab_bpmn_node_count(m);
    uint32_t ko, kj;
    const uint32_t *out = ab_bpmn_node_outgoing(m, s, &ko);
    const uint32_t *jin = ab_bpmn_node_incoming(m, j, &kj);
    for (uint32_t i = 0; i < nn; i++) {
        branch_of[i] = NONE;
    }
    for (uint32_t i = 0; i < kj; i++) {
        flow_branch[i] = NONE;
    }
    uint32_t nb_buf[256];
    for (uint32_t k = 0; k < ko; k++) {
        const ab_bpmn_flow *f = ab_bpmn_flow_at(m, out[k]);
        if (f->target == j) {
            for (uint32_t i = 0; i < kj; i++) {
                if (jin[i] == out[k]) {
                    flow_branch[i] = k;
                }
            }
            continue;
        }
        if (f->target == s || branch_of[f->target] != NONE) {
            return 0;
        }
        uint32_t head = 0, tail = 0;
        branch_of[f->target] = k;
        queue[tail++] = f->target;
        int parallel = 0;
        while (head < tail) {
            uint32_t v = queue[head++];
            if (splits_in_parallel(m, v)) {
                parallel = 1;
            }
            uint32_t ns = succ(sc, v, nb_buf, 256);
            uint32_t kv;
            ab_bpmn_node_outgoing(m, v, &kv);
            const ab_bpmn_node *vn = ab_bpmn_node_at(m, v);
            if (ns == 0 || (vn->kind == AB_BPMN_END_EVENT)) {
                return 0; /* The branch can end outside the block. */
            }
            if (ns == 256) {
                return 0;
            }
            for (uint32_t i = 0; i < ns; i++) {
                uint32_t w = nb_buf[i];
                if (w == j) {
                    continue;
                }
                if (w == s) {
                    return 0;
                }
                if (branch_of[w] == NONE) {
                    branch_of[w] = k;
                    queue[tail++] = w;
                } else if (branch_of[w] != k) {
                    return 0;
                }
            }
        }
        /* Single entry: every predecessor of a branch node is in the branch (or s). */
        for (uint32_t h = 0; h < tail; h++) {
            uint32_t v = queue[h], ki;
            const uint32_t *vin = ab_bpmn_node_incoming(m, v, &ki);
            for (uint32_t i = 0; i < ki; i++) {
                uint32_t src = ab_bpmn_flow_at(m, vin[i])->source;
                if (src == s ? vin[i] != out[k] : branch_of[src] != k) {
                    return 0;
                }
            }
            const ab_bpmn_node *vn = ab_bpmn_node_at(m, v);
            if (vn->attached_to != NONE && branch_of[vn->attached_to] != k) {
                return 0;
            }
        }
        uint32_t arrivals = 0;
        for (uint32_t i = 0; i < kj; i++) {
            uint32_t src = ab_bpmn_flow_at(m, jin[i])->source;
            if (src != s && branch_of[src] == k) {
                flow_branch[i] = k;
                arrivals++;
            }
        }
        if (arrivals == 0 || (arrivals > 1 && parallel)) {
            return 0;
        }
    }
    for (uint32_t i = 0; i < kj; i++) {
        if (flow_branch[i] == NONE) {
            return 0; /* j is also reached from outside the block. */
        }
    }
    (void)c;
    return 1;
}

/*
 * The join that may close split s: the node of the wanted kind that every
 * branch of s reaches, nearest by the longest of the branch distances (the
 * immediate post-dominator, in a structured map). NONE when there is none.
 */
static uint32_t join_candidate(const scope_ctx *sc, uint32_t s, int want_or, uint32_t *reach,
                               uint32_t *maxd, uint32_t *dist, uint32_t *queue)
{
    const ab_bpmn *m = sc->m;
    uint32_t nn = ab_bpmn_node_count(m), ko;
    const uint32_t *out = ab_bpmn_node_outgoing(m, s, &ko);
    uint32_t nb_buf[256];
    for (uint32_t i = 0; i < nn; i++) {
        reach[i] = 0;
        maxd[i] = 0;
    }
    for (uint32_t k = 0; k < ko; k++) {
        for (uint32_t i = 0; i < nn; i++) {
            dist[i] = NONE;
        }
        uint32_t head = 0, tail = 0, first = ab_bpmn_flow_at(m, out[k])->target;
        dist[first] = 0;
        queue[tail++] = first;
        while (head < tail) {
            uint32_t v = queue[head++];
            reach[v]++;
            if (dist[v] > maxd[v]) {
                maxd[v] = dist[v];
            }
            if (v == s) {
                continue;
            }
            uint32_t ns = succ(sc, v, nb_buf, 256);
            for (uint32_t i = 0; i < ns; i++) {
                if (dist[nb_buf[i]] == NONE) {
                    dist[nb_buf[i]] = dist[v] + 1;
                    queue[tail++] = nb_buf[i];
                }
            }
        }
    }
    uint32_t best = NONE;
    for (uint32_t a = 0; a < sc->node_count; a++) {
        uint32_t j = sc->nodes[a], kin;
        const ab_bpmn_node *jn = node_of(sc, j);
        ab_bpmn_node_incoming(m, j, &kin);
        int kind_ok = want_or ? is_or_gateway(jn)
                              : jn->kind == AB_BPMN_GATEWAY && jn->type == AB_BPMN_GW_PARALLEL;
        if (j == s || kin < 2 || !kind_ok || reach[j] != ko || sc->or_pair[j] != NONE) {
            continue;
        }
        if (best == NONE || maxd[j] < maxd[best]) {
            best = j;
        }
    }
    return best;
}

/*
 * Pairs inclusive splits with the inclusive joins that close them, and
 * notes whether every parallel split of the scope is closed by a join (then
 * branches never end on their own, and the scope's exit needs no analysis).
 */
static void find_blocks(cc *c, scope_ctx *sc)
{
    const ab_bpmn *m = sc->m;
    uint32_t nn = ab_bpmn_node_count(m);
    uint32_t *branch_of = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)nn + 1));
    uint32_t *queue = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)nn + 1));
    uint32_t *reach = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)nn + 1));
    uint32_t *maxd = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)nn + 1));
    uint32_t *fb = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)ab_bpmn_flow_count(m) + 1));
    sc->blocks_closed = !multi_entry(sc);
    if (branch_of == NULL || queue == NULL || reach == NULL || maxd == NULL || fb == NULL) {
        oom(c);
        goto done;
    }
    for (uint32_t a = 0; a < sc->node_count; a++) {
        uint32_t s = sc->nodes[a], ko;
        const ab_bpmn_node *sn = node_of(sc, s);
        ab_bpmn_node_outgoing(m, s, &ko);
        uint32_t nbnd;
        const uint32_t *bnd = ab_bpmn_node_boundary(m, s, &nbnd);
        for (uint32_t i = 0; i < nbnd; i++) {
            if (!node_of(sc, bnd[i])->interrupting) {
                sc->blocks_closed = 0;
            }
        }
        if (ko < 2 || !splits_in_parallel(m, s)) {
            continue;
        }
        int want_or = is_or_gateway(sn) || conditional_split(m, s);
        uint32_t j = join_candidate(sc, s, want_or, reach, maxd, branch_of, queue);
        if (j != NONE && is_block(c, sc, s, j, branch_of, queue, fb)) {
            if (want_or) {
                sc->or_pair[s] = j;
                sc->or_pair[j] = s;
            }
        } else {
            sc->blocks_closed = 0;
        }
    }
done:
    ab__free(c->ctx, branch_of);
    ab__free(c->ctx, queue);
    ab__free(c->ctx, reach);
    ab__free(c->ctx, maxd);
    ab__free(c->ctx, fb);
}

/* Allowed branch subsets of an inclusive split: every non-empty subset of
 * the conditional branches, and the default branch alone. */
static int subset_allowed(uint32_t mask, uint32_t dflt)
{
    if (mask == 0) {
        return 0;
    }
    if (dflt == NONE) {
        return 1;
    }
    return (mask & (1u << dflt)) == 0 || mask == (1u << dflt);
}

/*
 * The inclusive split of node s from place `in` over its outgoing flows, and
 * when it heads a block, the block's join j. skip[k] are the block's skip
 * places (NONE when s is not paired).
 */
static void or_split(cc *c, scope_ctx *sc, uint32_t s, uint32_t in, const uint32_t *skip,
                     uint32_t chain_start_out)
{
    const ab_bpmn *m = sc->m;
    uint32_t ko;
    const uint32_t *out = ab_bpmn_node_outgoing(m, s, &ko);
    const ab_bpmn_node *sn = node_of(sc, s);
    uint32_t dflt = NONE;
    for (uint32_t k = 0; k < ko; k++) {
        if (out[k] == sn->default_flow) {
            dflt = k;
        }
    }
    if (ko <= c->o->max_inclusive_subsets && ko < 31) {
        for (uint32_t mask = 1; mask < (1u << ko) && c->rc == AB_OK; mask++) {
            if (!subset_allowed(mask, dflt)) {
                continue;
            }
            uint32_t t = new_trans(c, sc, AB_NET_T_GATEWAY, s, "split", NULL);
            arc_in(c, t, in);
            for (uint32_t k = 0; k < ko; k++) {
                if (mask & (1u << k)) {
                    arc_out(c, t, sc->flow_place[out[k]]);
                } else if (skip != NULL) {
                    arc_out(c, t, skip[k]);
                }
            }
        }
        return;
    }
    /* A chain of take/skip decisions: u = nothing taken yet, v = something taken. */
    if (dflt != NONE) {
        note(c, 1, sn->id,
             "inclusive split with %u branches: its default flow may be taken together with "
             "others",
             ko);
    }
    uint32_t u = in, v = NONE;
    for (uint32_t k = 0; k < ko && c->rc == AB_OK; k++) {
        int last = k + 1 == ko;
        uint32_t nu = last ? NONE : new_place(c, sc, AB_NET_P_INTERNAL, sn->id, "none-yet", NONE);
        uint32_t nv = last ? chain_start_out
                           : new_place(c, sc, AB_NET_P_INTERNAL, sn->id, "some-taken", NONE);
        for (int from_v = 0; from_v < 2; from_v++) {
            uint32_t src = from_v ? v : u;
            if (src == NONE) {
                continue;
            }
            uint32_t take = new_trans(c, sc, AB_NET_T_GATEWAY, s, "take", NULL);
            arc_in(c, take, src);
            arc_out(c, take, sc->flow_place[out[k]]);
            arc_out(c, take, nv);
            if (!last || from_v) {
                uint32_t sk = new_trans(c, sc, AB_NET_T_GATEWAY, s, "skip", NULL);
                arc_in(c, sk, src);
                arc_out(c, sk, from_v ? nv : nu);
                if (skip != NULL) {
                    arc_out(c, sk, skip[k]);
                }
            }
        }
        u = nu;
        v = nv;
    }
}

/* The gateways of the scope that are inclusive or complex, plus activities
 * that split on conditions. */
static void compile_or(cc *c, scope_ctx *sc)
{
    const ab_bpmn *m = sc->m;
    for (uint32_t a = 0; a < sc->node_count && c->rc == AB_OK; a++) {
        uint32_t s = sc->nodes[a];
        const ab_bpmn_node *sn = node_of(sc, s);
        uint32_t ko, ki;
        const uint32_t *out = ab_bpmn_node_outgoing(m, s, &ko);
        ab_bpmn_node_incoming(m, s, &ki);
        int is_split = ko >= 2 && (is_or_gateway(sn) || conditional_split(m, s));
        if (!is_split) {
            continue;
        }
        uint32_t in = sc->or_input[s];
        uint32_t j = sc->or_pair[s];
        if (j == NONE) {
            or_split(c, sc, s, in, NULL, NONE);
            continue;
        }
        /* A block: skip places, split, arrival places and the join. */
        const ab_bpmn_node *jn = node_of(sc, j);
        uint32_t kj;
        const uint32_t *jin = ab_bpmn_node_incoming(m, j, &kj);
        uint32_t *skip = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)ko + 1));
        uint32_t *arrive = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)ko + 1));
        uint32_t *branch_of = ab__malloc(c->ctx, sizeof(uint32_t) * (ab_bpmn_node_count(m) + 1));
        uint32_t *queue = ab__malloc(c->ctx, sizeof(uint32_t) * (ab_bpmn_node_count(m) + 1));
        uint32_t *fb = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)kj + 1));
        if (skip == NULL || arrive == NULL || branch_of == NULL || queue == NULL || fb == NULL) {
            oom(c);
        } else {
            (void)is_block(c, sc, s, j, branch_of, queue, fb);
            for (uint32_t k = 0; k < ko; k++) {
                skip[k] = new_place(c, sc, AB_NET_P_SKIP, sn->id, "skip", NONE);
                uint32_t arrivals = 0, last = NONE;
                for (uint32_t i = 0; i < kj; i++) {
                    if (fb[i] == k) {
                        arrivals++;
                        last = jin[i];
                    }
                }
                if (arrivals == 1) {
                    arrive[k] = sc->flow_place[last];
                } else {
                    arrive[k] = new_place(c, sc, AB_NET_P_INTERNAL, jn->id, "arrived", NONE);
                    for (uint32_t i = 0; i < kj; i++) {
                        if (fb[i] == k) {
                            uint32_t t = new_trans(c, sc, AB_NET_T_GATEWAY, j, "merge", NULL);
                            arc_in(c, t, sc->flow_place[jin[i]]);
                            arc_out(c, t, arrive[k]);
                        }
                    }
                }
            }
            uint32_t jouts_cap;
            uint32_t *jouts = outs_buf(c, m, j, &jouts_cap);
            uint32_t njo = 0;
            uint32_t jko;
            ab_bpmn_node_outgoing(m, j, &jko);
            if (jouts != NULL) {
                if (jko >= 2 && sc->or_input[j] != NONE) {
                    jouts[0] = sc->or_input[j];
                    njo = 1;
                } else {
                    njo = node_outs(sc, j, jouts, jouts_cap);
                }
            }
            uint32_t dflt = NONE;
            for (uint32_t k = 0; k < ko; k++) {
                if (out[k] == sn->default_flow) {
                    dflt = k;
                }
            }
            if (ko <= c->o->max_inclusive_subsets && ko < 31) {
                or_split(c, sc, s, in, skip, NONE);
                for (uint32_t mask = 1; mask < (1u << ko) && c->rc == AB_OK; mask++) {
                    if (!subset_allowed(mask, dflt)) {
                        continue;
                    }
                    uint32_t t = new_trans(c, sc, AB_NET_T_GATEWAY, j, "join", NULL);
                    for (uint32_t k = 0; k < ko; k++) {
                        arc_in(c, t, (mask & (1u << k)) ? arrive[k] : skip[k]);
                    }
                    arcs_out(c, t, jouts, njo);
                }
            } else {
                /* Chains: the split hands a token to the join's chain. */
                uint32_t d = new_place(c, sc, AB_NET_P_INTERNAL, jn->id, "collect", NONE);
                or_split(c, sc, s, in, skip, d);
                for (uint32_t k = 0; k < ko && c->rc == AB_OK; k++) {
                    int last = k + 1 == ko;
                    uint32_t nd =
                        last ? NONE : new_place(c, sc, AB_NET_P_INTERNAL, jn->id, "collect", NONE);
                    for (int sk = 0; sk < 2; sk++) {
                        uint32_t t = new_trans(c, sc, AB_NET_T_GATEWAY, j, "join", NULL);
                        arc_in(c, t, d);
                        arc_in(c, t, sk ? skip[k] : arrive[k]);
                        if (last) {
                            arcs_out(c, t, jouts, njo);
                        } else {
                            arc_out(c, t, nd);
                        }
                    }
                    d = nd;
                }
            }
            ab__free(c->ctx, jouts);
        }
        ab__free(c->ctx, skip);
        ab__free(c->ctx, arrive);
        ab__free(c->ctx, branch_of);
        ab__free(c->ctx, queue);
        ab__free(c->ctx, fb);
    }
    /* Joins that head no block. */
    for (uint32_t a = 0; a < sc->node_count && c->rc == AB_OK; a++) {
        uint32_t j = sc->nodes[a];
        const ab_bpmn_node *jn = node_of(sc, j);
        uint32_t kj, ko;
        const uint32_t *jin = ab_bpmn_node_incoming(m, j, &kj);
        ab_bpmn_node_outgoing(m, j, &ko);
        if (!is_or_gateway(jn) || kj < 2 || sc->or_pair[j] != NONE) {
            continue;
        }
        uint32_t cap;
        uint32_t *jouts = outs_buf(c, m, j, &cap);
        if (jouts == NULL) {
            return;
        }
        uint32_t njo;
        if (ko >= 2) {
            jouts[0] = sc->or_input[j];
            njo = 1;
        } else {
            njo = node_outs(sc, j, jouts, cap);
        }
        if (kj <= c->o->max_inclusive_subsets && kj < 31) {
            note(c, 1, jn->id,
                 "inclusive join outside a single-entry single-exit block: it fires on any "
                 "non-empty set of arrived branches and may not wait for late ones");
            for (uint32_t mask = 1; mask < (1u << kj) && c->rc == AB_OK; mask++) {
                uint32_t t = new_trans(c, sc, AB_NET_T_GATEWAY, j, "join", NULL);
                for (uint32_t i = 0; i < kj; i++) {
                    if (mask & (1u << i)) {
                        arc_in(c, t, sc->flow_place[jin[i]]);
                    }
                }
                arcs_out(c, t, jouts, njo);
            }
        } else {
            note(c, 1, jn->id,
                 "inclusive join with %u incoming flows outside a block: compiled as an "
                 "exclusive merge",
                 kj);
            for (uint32_t i = 0; i < kj; i++) {
                uint32_t t = new_trans(c, sc, AB_NET_T_GATEWAY, j, "join", NULL);
                arc_in(c, t, sc->flow_place[jin[i]]);
                arcs_out(c, t, jouts, njo);
            }
        }
        ab__free(c->ctx, jouts);
    }
}

/* ---- Gateways ---- */

static void compile_gateway(cc *c, scope_ctx *sc, uint32_t g)
{
    const ab_bpmn *m = sc->m;
    const ab_bpmn_node *n = node_of(sc, g);
    uint32_t ki, ko;
    const uint32_t *fin = ab_bpmn_node_incoming(m, g, &ki);
    ab_bpmn_node_outgoing(m, g, &ko);
    uint32_t *ins = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)ki + 1));
    uint32_t cap;
    uint32_t *outs = outs_buf(c, m, g, &cap);
    if (ins == NULL || outs == NULL) {
        oom(c);
        ab__free(c->ctx, ins);
        ab__free(c->ctx, outs);
        return;
    }
    uint32_t nin = 0;
    for (uint32_t i = 0; i < ki; i++) {
        ins[nin++] = sc->flow_place[fin[i]];
    }
    if (nin == 0) {
        ins[nin++] = sc->node_in[g];
    }
    uint32_t nout = node_outs(sc, g, outs, cap);
    if (n->type == AB_BPMN_GW_COMPLEX) {
        note(c, 1, n->id,
             "complex gateway: compiled as an inclusive gateway (its activation condition is "
             "not modelled)");
    }
    if (n->type == AB_BPMN_GW_PARALLEL) {
        uint32_t t = new_trans(c, sc, AB_NET_T_GATEWAY, g, NULL, NULL);
        for (uint32_t i = 0; i < nin; i++) {
            arc_in(c, t, ins[i]);
        }
        arcs_out(c, t, outs, nout);
    } else if (is_or_gateway(n)) {
        /* The split and join parts are built by compile_or; here only the
         * place between them, and a pass-through for one-in one-out. */
        if (ki >= 2 && ko >= 2) {
            sc->or_input[g] = new_place(c, sc, AB_NET_P_INTERNAL, n->id, "between", NONE);
        } else if (ko >= 2) {
            sc->or_input[g] = ins[0];
        } else if (ki < 2) {
            uint32_t t = new_trans(c, sc, AB_NET_T_GATEWAY, g, NULL, NULL);
            arc_in(c, t, ins[0]);
            arcs_out(c, t, outs, nout);
        }
    } else if (nin == 1 || nout == 1) {
        for (uint32_t i = 0; i < nin; i++) {
            for (uint32_t o = 0; o < nout; o++) {
                uint32_t t = new_trans(c, sc, AB_NET_T_GATEWAY, g, NULL, NULL);
                arc_in(c, t, ins[i]);
                arc_out(c, t, outs[o]);
            }
        }
    } else {
        uint32_t mid = new_place(c, sc, AB_NET_P_INTERNAL, n->id, "between", NONE);
        for (uint32_t i = 0; i < nin; i++) {
            uint32_t t = new_trans(c, sc, AB_NET_T_GATEWAY, g, "merge", NULL);
            arc_in(c, t, ins[i]);
            arc_out(c, t, mid);
        }
        for (uint32_t o = 0; o < nout; o++) {
            uint32_t t = new_trans(c, sc, AB_NET_T_GATEWAY, g, "split", NULL);
            arc_in(c, t, mid);
            arc_out(c, t, outs[o]);
        }
    }
    ab__free(c->ctx, ins);
    ab__free(c->ctx, outs);
}

/* ---- Ends of a scope ---- */

/*
 * Makes the scope's exit place receive exactly one token when its content is
 * done. BPMN ends a scope when no token is left in it, and branches may end
 * at different end events, or at the same one several times. When the
 * exploration shows that branches can end while others still run, a counter
 * place z is added with the invariant z + (tokens inside the scope) = N while
 * the scope runs, N being the most tokens the scope ever holds: end events
 * then just drop their token (z grows), and one transition that takes all N
 * tokens of z marks the exit. That is the zero test a Petri net lacks,
 * exact for bounded scopes.
 */
static void join_ends(cc *c, scope_ctx *sc, const uint8_t *masked, const uint32_t *esids,
                      uint32_t nesids)
{
    if (c->rc != AB_OK || !scope_parallel(sc) || sc->blocks_closed) {
        return;
    }
    ab_net *net = c->net;
    region r = {NULL, NULL};
    ab__mstore st;
    uint8_t *in_r = NULL;
    uint32_t extra[2] = {sc->entry, sc->exit};
    if (ab__mstore_init(&st, c->ctx) != AB_OK) {
        oom(c);
        return;
    }
    if (region_make(c, &r, sc->sid, extra, 2, NONE) != AB_OK) {
        goto done;
    }
    for (uint32_t t = 0; t < net->trans_count; t++) {
        if (masked != NULL && masked[t]) {
            r.allow[t] = 0;
        }
    }
    int complete = 0;
    int rc = ab__net_explore(net, r.allow, r.keep, &sc->entry, 1, c->o->max_states, &st, NULL,
                             &complete, NULL);
    if (rc != AB_OK) {
        c->rc = rc;
        goto done;
    }
    if (!complete) {
        note(c, 1, sc->elem_id,
             "the ends of '%s' are merged without checking whether branches end at the same "
             "time (not decided within the budget: more than %llu states)",
             sc->elem_id, (unsigned long long)c->o->max_states);
        goto done;
    }
    int concurrent = 0;
    for (uint32_t id = 0; id < st.count && !concurrent; id++) {
        uint32_t len;
        const uint32_t *mk = ab__mstore_get(&st, id, &len);
        uint32_t x = count_in(mk, len, sc->exit);
        concurrent = x >= 2 || (x == 1 && len > 1);
    }
    if (!concurrent) {
        goto done;
    }
    /* R: the scope's places, without the exit and event sub-processes. */
    in_r = ab__calloc(c->ctx, (size_t)net->place_count + 2, 1);
    if (in_r == NULL) {
        oom(c);
        goto done;
    }
    for (uint32_t p = 0; p < net->place_count; p++) {
        int inside = ab__net_scope_within(net, net->places[p].scope, sc->sid);
        for (uint32_t e = 0; e < nesids && inside; e++) {
            inside = !ab__net_scope_within(net, net->places[p].scope, esids[e]);
        }
        in_r[p] = (uint8_t)inside;
    }
    in_r[sc->exit] = 0;
    uint32_t big_n = 1;
    for (uint32_t id = 0; id < st.count; id++) {
        uint32_t len, k = 0;
        const uint32_t *mk = ab__mstore_get(&st, id, &len);
        for (uint32_t i = 0; i < len; i++) {
            k += in_r[mk[i]];
        }
        if (k > big_n) {
            big_n = k;
        }
    }
    uint32_t ntrans = net->trans_count;
    for (uint32_t t = 0; t < ntrans; t++) {
        ab__trans *x = &net->trans[t];
        if (is_removed(c, t) || (masked != NULL && masked[t])) {
            continue;
        }
        uint32_t o = 0;
        for (uint32_t i = 0; i < x->out_count; i++) {
            o += in_r[x->out[i].place] ? x->out[i].weight : 0;
        }
        if (o > big_n) {
            big_n = o;
        }
    }
    uint32_t z = new_place(c, sc, AB_NET_P_COUNTER, sc->elem_id, "idle", NONE);
    if (z == NONE) {
        goto done;
    }
    for (uint32_t t = 0; t < ntrans && c->rc == AB_OK; t++) {
        if (is_removed(c, t) || (masked != NULL && masked[t])) {
            continue;
        }
        ab__trans *x = &net->trans[t];
        uint32_t in = 0, out = 0;
        int ends = 0;
        for (uint32_t i = 0; i < x->in_count; i++) {
            in += in_r[x->in[i].place] ? x->in[i].weight : 0;
        }
        for (uint32_t i = 0; i < x->out_count; i++) {
            out += in_r[x->out[i].place] ? x->out[i].weight : 0;
            ends |= x->out[i].place == sc->exit;
        }
        if (ends && in > 0) {
            ab__net_drop_out(net, t, sc->exit); /* The token just disappears. */
        }
        if (in == 0 && out == 0) {
            continue;
        }
        if (in == 0) {
            for (uint32_t k = out; k < big_n; k++) {
                arc_out(c, t, z);
            }
        } else if (out > in) {
            for (uint32_t k = in; k < out; k++) {
                arc_in(c, t, z);
            }
        } else {
            for (uint32_t k = out; k < in; k++) {
                arc_out(c, t, z);
            }
        }
    }
    uint32_t t = new_trans(c, sc, AB_NET_T_SCOPE, NONE, "ends", NULL);
    for (uint32_t k = 0; k < big_n; k++) {
        arc_in(c, t, z);
    }
    arc_out(c, t, sc->exit);
    sc->z_place = z;
    sc->z_init = in_r[sc->entry] ? big_n - 1 : 0;
    sc->z_collect = t;
done:
    ab__free(c->ctx, in_r);
    ab__mstore_finish(&st);
    region_free(c, &r);
}

/* The marking a scope starts with: its entry place and its idle counter. */
static uint32_t *scope_init(cc *c, const scope_ctx *sc, uint32_t extra_room, uint32_t *len_out)
{
    uint32_t z = sc->z_place != NONE ? sc->z_init : 0;
    uint32_t *init = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)z + extra_room + 2));
    if (init == NULL) {
        oom(c);
        return NULL;
    }
    uint32_t n = 0;
    init[n++] = sc->entry;
    for (uint32_t k = 0; k < z; k++) {
        init[n++] = sc->z_place;
    }
    *len_out = n;
    return init;
}

/* Whether transition t is enabled in some marking the scope can reach. */
static int fires_in_scope(cc *c, const scope_ctx *sc, uint32_t t)
{
    region r = {NULL, NULL};
    ab__mstore st;
    uint32_t extra[2] = {sc->entry, sc->exit};
    int fires = 1, complete = 0;
    if (ab__mstore_init(&st, c->ctx) != AB_OK) {
        oom(c);
        return 1;
    }
    uint32_t ninit;
    uint32_t *init = scope_init(c, sc, 0, &ninit);
    if (init != NULL && region_make(c, &r, sc->sid, extra, 2, NONE) == AB_OK) {
        int rc = ab__net_explore(c->net, r.allow, r.keep, init, ninit, c->o->max_states, &st,
                                 NULL, &complete, NULL);
        if (rc != AB_OK) {
            c->rc = rc;
        } else if (complete) {
            fires = 0;
            for (uint32_t id = 0; id < st.count && !fires; id++) {
                uint32_t len;
                const uint32_t *mk = ab__mstore_get(&st, id, &len);
                fires = ab__net_enabled(c->net, t, mk, len);
            }
        }
    }
    ab__free(c->ctx, init);
    ab__mstore_finish(&st);
    region_free(c, &r);
    return fires;
}

/* Terminate end events: cancel every branch of the scope. */
static void terminate_ends(cc *c, scope_ctx *sc, const uint32_t *term_t)
{
    for (uint32_t i = 0; i < sc->terminate_count && c->rc == AB_OK; i++) {
        uint32_t node = sc->terminates[i];
        const ab_bpmn_node *n = node_of(sc, node);
        if (!scope_parallel(sc)) {
            continue; /* Nothing else can run: the plain end is exact. */
        }
        uint32_t extra[2] = {sc->entry, sc->exit};
        int exact, antichain, trivial;
        uint32_t in = sc->node_in[node];
        uint32_t ninit;
        uint32_t *init = scope_init(c, sc, 0, &ninit);
        if (init == NULL) {
            return;
        }
        cancel_region(c, sc, sc->sid, extra, 2, init, ninit, in, NONE, term_t[i], &sc->exit, 1,
                      node, "terminate", 1, &exact, &antichain, &trivial);
        if (!exact) {
            ab__free(c->ctx, init);
            note(c, 1, n->id,
                 "terminate end event: branches still running are not cancelled (too many "
                 "states to enumerate)");
            continue;
        }
        if (trivial) {
            ab__free(c->ctx, init);
            continue;
        }
        cancel_region(c, sc, sc->sid, extra, 2, init, ninit, in, NONE, term_t[i], &sc->exit, 1,
                      node, "terminate", 0, &exact, &antichain, &trivial);
        ab__free(c->ctx, init);
        remove_trans(c, term_t[i]);
        if (!antichain) {
            note(c, 1, n->id,
                 "terminate end event: cancelling the other branches may leave tokens "
                 "(nested regions of different sizes)");
        }
    }
}

/* ---- Event sub-processes ---- */

static void compile_event_subs(cc *c, scope_ctx *sc, uint32_t *interrupting, uint32_t *nint,
                               scope_ctx *subs, uint32_t *nsubs)
{
    const ab_bpmn *m = sc->m;
    *nint = 0;
    *nsubs = 0;
    for (uint32_t a = 0; a < sc->node_count && c->rc == AB_OK; a++) {
        uint32_t e = sc->nodes[a];
        const ab_bpmn_node *en = node_of(sc, e);
        if (!is_event_sub(en)) {
            continue;
        }
        uint32_t content = 0;
        for (uint32_t i = 0; i < ab_bpmn_node_count(m); i++) {
            content += ab_bpmn_node_at(m, i)->parent == e;
        }
        if (content == 0) {
            note(c, 0, en->id, "the event sub-process '%s' is empty: it is ignored", en->id);
            continue;
        }
        /* Its start event says whether it interrupts. */
        int intr = 1;
        for (uint32_t i = 0; i < ab_bpmn_node_count(m); i++) {
            const ab_bpmn_node *x = ab_bpmn_node_at(m, i);
            if (x->parent == e && x->kind == AB_BPMN_START_EVENT) {
                intr = x->interrupting;
                break;
            }
        }
        uint32_t esid = ab__net_scope(c->net, sc->sid);
        if (esid == NONE) {
            oom(c);
            return;
        }
        scope_ctx *inner = &subs[(*nsubs)++];
        memset(inner, 0, sizeof(*inner));
        inner->m = m;
        inner->proc = sc->proc;
        inner->parent_node = e;
        inner->elem_id = en->id;
        inner->elem_node = e;
        inner->call_order = sc->call_order;
        inner->sid = esid;
        inner->entry = new_place(c, sc, AB_NET_P_INTERNAL, en->id, "started", esid);
        inner->exit = new_place(c, sc, AB_NET_P_INTERNAL, en->id, "done", esid);
        inner->enter_t = NONE;
        inner->catcher = NONE;
        if (!intr) {
            uint32_t armed = new_place(c, sc, AB_NET_P_INTERNAL, en->id, "armed", esid);
            arc_out(c, sc->enter_t, armed);
            uint32_t t = new_trans(c, sc, AB_NET_T_EVENT, e, "trigger", NULL);
            arc_in(c, t, armed);
            arc_out(c, t, inner->entry);
            if (AB_GROW(c->ctx, sc->alts, sc->alt_cap, (size_t)sc->alt_count + 1) != AB_OK) {
                oom(c);
                return;
            }
            sc->alts[sc->alt_count].armed = armed;
            sc->alts[sc->alt_count].alt = inner->exit;
            sc->alt_count++;
            note(c, 1, en->id,
                 "non-interrupting event sub-process: modelled as starting at most once while "
                 "its scope runs");
        } else {
            interrupting[(*nint)++] = *nsubs - 1;
        }
        compile_scope(c, inner);
        if (inner->alt_count > 0) {
            note(c, 1, en->id,
                 "event sub-processes inside an event sub-process are not compiled");
        }
    }
}

/* Whether a throw event is caught by a boundary event of the enclosing activity. */
static int caught(const scope_ctx *sc, const ab_bpmn_node *e)
{
    if (sc->catcher == NONE) {
        return 0;
    }
    if (e->event != AB_BPMN_EV_ERROR && e->event != AB_BPMN_EV_ESCALATION &&
        e->event != AB_BPMN_EV_CANCEL) {
        return 0;
    }
    uint32_t nb;
    const uint32_t *bnd = ab_bpmn_node_boundary(sc->m, sc->catcher, &nb);
    for (uint32_t i = 0; i < nb; i++) {
        if (throw_matches(ab_bpmn_node_at(sc->m, bnd[i]), e)) {
            return 1;
        }
    }
    return 0;
}

/* ---- The scope itself ---- */

static void compile_scope(cc *c, scope_ctx *sc)
{
    const ab_bpmn *m = sc->m;
    uint32_t nn = ab_bpmn_node_count(m), nf = ab_bpmn_flow_count(m);
    sc->z_place = NONE;
    sc->z_init = 0;
    sc->z_collect = NONE;
    if (c->rc != AB_OK) {
        return;
    }
    sc->flow_place = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)nf + 1));
    sc->node_in = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)nn + 1));
    sc->nodes = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)nn + 1));
    sc->or_input = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)nn + 1));
    sc->or_pair = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)nn + 1));
    sc->terminates = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)nn + 1));
    uint32_t *term_t = ab__malloc(c->ctx, sizeof(uint32_t) * ((size_t)nn + 1));
    scope_ctx *subs = NULL;
    uint32_t *intr = NULL, *esids = NULL;
    uint8_t *term_mask = NULL;
    if (sc->flow_place == NULL || sc->node_in == NULL || sc->nodes == NULL ||
        sc->or_input == NULL || sc->or_pair == NULL || sc->terminates == NULL ||
        term_t == NULL) {
        oom(c);
        goto done;
    }
    for (uint32_t i = 0; i < nn; i++) {
        sc->node_in[i] = sc->or_input[i] = sc->or_pair[i] = NONE;
    }
    for (uint32_t f = 0; f < nf; f++) {
        sc->flow_place[f] = NONE;
    }
    sc->node_count = 0;
    sc->terminate_count = 0;
    for (uint32_t i = 0; i < nn; i++) {
        const ab_bpmn_node *n = ab_bpmn_node_at(m, i);
        if (n->process == sc->proc && n->parent == sc->parent_node) {
            sc->nodes[sc->node_count++] = i;
        }
    }
    /* 1. A place per sequence flow. */
    for (uint32_t f = 0; f < nf && c->rc == AB_OK; f++) {
        const ab_bpmn_flow *fl = ab_bpmn_flow_at(m, f);
        if (fl->source == NONE || fl->target == NONE || fl->process != sc->proc ||
            fl->parent != sc->parent_node) {
            continue;
        }
        uint32_t p = ab__net_place(c->net, AB_NET_P_FLOW, fl->id, fl->id, NULL, sc->sid);
        if (p == NONE) {
            oom(c);
            goto done;
        }
        sc->flow_place[f] = p;
    }
    /* 2. Input places. */
    uint32_t starts = 0;
    for (uint32_t a = 0; a < sc->node_count && c->rc == AB_OK; a++) {
        uint32_t v = sc->nodes[a];
        const ab_bpmn_node *n = node_of(sc, v);
        if (n->kind == AB_BPMN_START_EVENT) {
            sc->node_in[v] = sc->entry;
            starts++;
            continue;
        }
        if (n->kind == AB_BPMN_BOUNDARY_EVENT || is_event_sub(n) || n->for_compensation) {
            continue;
        }
        uint32_t k;
        const uint32_t *in = ab_bpmn_node_incoming(m, v, &k);
        if (n->kind == AB_BPMN_GATEWAY && k >= 1) {
            continue; /* Gateways read their flow places. */
        }
        if (k == 1 && !(n->kind == AB_BPMN_CATCH_EVENT && n->event == AB_BPMN_EV_LINK)) {
            sc->node_in[v] = sc->flow_place[in[0]];
            continue;
        }
        sc->node_in[v] = new_place(c, sc, AB_NET_P_INTERNAL, n->id, k > 1 ? "merged" : "ready",
                                   NONE);
        for (uint32_t i = 0; i < k; i++) {
            uint32_t t = new_trans(c, sc, AB_NET_T_GATEWAY, v, "merge", NULL);
            arc_in(c, t, sc->flow_place[in[i]]);
            arc_out(c, t, sc->node_in[v]);
        }
    }
    /* Without a start event, every node without incoming flow starts. */
    if (starts == 0) {
        uint32_t t = NONE;
        for (uint32_t a = 0; a < sc->node_count && c->rc == AB_OK; a++) {
            uint32_t v = sc->nodes[a], k;
            const ab_bpmn_node *n = node_of(sc, v);
            ab_bpmn_node_incoming(m, v, &k);
            if (k != 0 || n->kind == AB_BPMN_BOUNDARY_EVENT || is_event_sub(n) ||
                n->for_compensation ||
                (n->kind == AB_BPMN_CATCH_EVENT && n->event == AB_BPMN_EV_LINK)) {
                continue;
            }
            if (t == NONE) {
                t = new_trans(c, sc, AB_NET_T_SCOPE, NONE, "start", NULL);
                arc_in(c, t, sc->entry);
            }
            arc_out(c, t, sc->node_in[v]);
        }
        if (t == NONE && sc->node_count > 0) {
            note(c, 0, sc->elem_id,
                 "'%s' has no start event and no node without incoming flow: nothing in it "
                 "can start",
                 sc->elem_id);
        }
    }
    /* 3. Nodes, in document order. */
    find_blocks(c, sc);
    for (uint32_t a = 0; a < sc->node_count && c->rc == AB_OK; a++) {
        uint32_t v = sc->nodes[a];
        const ab_bpmn_node *n = node_of(sc, v);
        uint32_t cap;
        if (n->kind == AB_BPMN_BOUNDARY_EVENT || is_event_sub(n)) {
            continue;
        }
        if (n->for_compensation) {
            note(c, 1, n->id,
                 "compensation handler: compensation is not modelled, the activity is not "
                 "compiled");
            continue;
        }
        if (n->kind == AB_BPMN_GATEWAY) {
            compile_gateway(c, sc, v);
            continue;
        }
        uint32_t *outs = outs_buf(c, m, v, &cap);
        if (outs == NULL) {
            goto done;
        }
        uint32_t nout = node_outs(sc, v, outs, cap);
        if (conditional_split(m, v)) {
            sc->or_input[v] = new_place(c, sc, AB_NET_P_INTERNAL, n->id, "decide", NONE);
            outs[0] = sc->or_input[v];
            nout = 1;
        }
        uint32_t in = sc->node_in[v];
        switch (n->kind) {
        case AB_BPMN_TASK:
        case AB_BPMN_CALL_ACTIVITY:
        case AB_BPMN_SUBPROCESS:
            compile_activity(c, sc, v, in, outs, nout);
            break;
        case AB_BPMN_END_EVENT: {
            uint32_t t = new_trans(c, sc, AB_NET_T_EVENT, v, NULL, NULL);
            arc_in(c, t, in);
            arc_out(c, t, sc->exit);
            if (n->event == AB_BPMN_EV_TERMINATE) {
                term_t[sc->terminate_count] = t;
                sc->terminates[sc->terminate_count++] = v;
            } else if (caught(sc, n)) {
                if (AB_GROW(c->ctx, sc->throws, sc->throw_cap, (size_t)sc->throw_count + 1) !=
                    AB_OK) {
                    oom(c);
                    break;
                }
                sc->throws[sc->throw_count].node = v;
                sc->throws[sc->throw_count].t = t;
                sc->throws[sc->throw_count].in = in;
                sc->throw_count++;
            }
            if (n->event == AB_BPMN_EV_COMPENSATE) {
                note(c, 1, n->id, "compensation end event: compensation is not modelled");
            }
            break;
        }
        case AB_BPMN_THROW_EVENT:
            if (n->event == AB_BPMN_EV_LINK) {
                uint32_t t = new_trans(c, sc, AB_NET_T_EVENT, v, NULL, NULL);
                arc_in(c, t, in);
                int found = 0;
                for (uint32_t b = 0; b < sc->node_count; b++) {
                    const ab_bpmn_node *x = node_of(sc, sc->nodes[b]);
                    if (x->kind == AB_BPMN_CATCH_EVENT && x->event == AB_BPMN_EV_LINK &&
                        strcmp(x->event_ref, n->event_ref) == 0) {
                        arc_out(c, t, sc->node_in[sc->nodes[b]]);
                        found = 1;
                        break;
                    }
                }
                if (!found) {
                    note(c, 0, n->id,
                         "the link event '%s' has no matching catching link event: its branch "
                         "ends there",
                         n->id);
                }
                break;
            }
            /* fall through */
        case AB_BPMN_START_EVENT:
        case AB_BPMN_CATCH_EVENT: {
            const char *lbl = NULL;
            char label[512];
            if (c->o->visible_events && *n->name != '\0' &&
                (n->kind == AB_BPMN_CATCH_EVENT || n->kind == AB_BPMN_THROW_EVENT)) {
                label_of(n->name, label, sizeof(label));
                lbl = label;
            }
            uint32_t t = new_trans(c, sc, lbl != NULL ? AB_NET_T_TASK : AB_NET_T_EVENT, v, NULL,
                                   lbl);
            arc_in(c, t, in);
            arcs_out(c, t, outs, nout);
            if (n->kind == AB_BPMN_THROW_EVENT && caught(sc, n)) {
                if (AB_GROW(c->ctx, sc->throws, sc->throw_cap, (size_t)sc->throw_count + 1) !=
                    AB_OK) {
                    oom(c);
                    break;
                }
                sc->throws[sc->throw_count].node = v;
                sc->throws[sc->throw_count].t = t;
                sc->throws[sc->throw_count].in = in;
                sc->throw_count++;
            }
            if (n->kind == AB_BPMN_THROW_EVENT && n->event == AB_BPMN_EV_COMPENSATE) {
                note(c, 1, n->id, "compensation throw event: compensation is not modelled");
            }
            break;
        }
        default:
            break;
        }
        ab__free(c->ctx, outs);
    }
    compile_or(c, sc);
    if (c->rc != AB_OK) {
        goto done;
    }
    /* 4. Event sub-processes, then the ends and terminations. */
    subs = ab__calloc(c->ctx, (size_t)sc->node_count + 1, sizeof(*subs));
    intr = ab__calloc(c->ctx, (size_t)sc->node_count + 1, sizeof(uint32_t));
    esids = ab__calloc(c->ctx, (size_t)sc->node_count + 1, sizeof(uint32_t));
    if (subs == NULL || intr == NULL || esids == NULL) {
        oom(c);
        goto done;
    }
    uint32_t nint = 0, nsubs = 0;
    compile_event_subs(c, sc, intr, &nint, subs, &nsubs);
    term_mask = ab__calloc(c->ctx, (size_t)c->net->trans_count + 1, 1);
    if (term_mask == NULL) {
        oom(c);
        goto done;
    }
    for (uint32_t i = 0; i < sc->terminate_count; i++) {
        term_mask[term_t[i]] = 1;
    }
    /* Caught end events leave through their boundary event, not the exit. */
    for (uint32_t i = 0; i < sc->throw_count; i++) {
        if (node_of(sc, sc->throws[i].node)->kind == AB_BPMN_END_EVENT) {
            term_mask[sc->throws[i].t] = 1;
        }
    }
    for (uint32_t i = 0; i < nsubs; i++) {
        esids[i] = subs[i].sid;
    }
    join_ends(c, sc, term_mask, esids, nsubs);
    terminate_ends(c, sc, term_t);
    /* When every run ends by a termination, the counter's join is dead. */
    if (sc->z_collect != NONE && sc->terminate_count > 0 && !fires_in_scope(c, sc, sc->z_collect)) {
        remove_trans(c, sc->z_collect);
    }
    /* Interrupting event sub-processes cancel the scope and finish it. */
    for (uint32_t i = 0; i < nint && c->rc == AB_OK; i++) {
        scope_ctx *e = &subs[intr[i]];
        uint32_t extra[2] = {sc->entry, sc->exit};
        uint32_t ninit = 0;
        uint32_t *init = scope_init(c, sc, sc->alt_count, &ninit);
        if (init == NULL) {
            break;
        }
        for (uint32_t k = 0; k < sc->alt_count; k++) {
            init[ninit++] = sc->alts[k].armed;
        }
        int exact, antichain;
        /* The handler's own places stay out of what it cancels. */
        uint32_t saved = c->net->scope_parent[e->sid];
        c->net->scope_parent[e->sid] = NONE;
        cancel_region(c, sc, sc->sid, extra, 2, init, ninit, NONE, sc->exit, NONE, &e->entry, 1,
                      e->elem_node, "interrupt", 0, &exact, &antichain, NULL);
        c->net->scope_parent[e->sid] = saved;
        ab__free(c->ctx, init);
        if (!exact) {
            uint32_t t = new_trans(c, e, AB_NET_T_EVENT, NONE, "interrupt", NULL);
            arc_in(c, t, sc->entry);
            arc_out(c, t, e->entry);
            note(c, 1, e->elem_id,
                 "interrupting event sub-process: '%s' has too many states to cancel "
                 "exactly; the event sub-process is modelled as an alternative to the whole "
                 "scope",
                 sc->elem_id);
        } else if (!antichain) {
            note(c, 1, e->elem_id,
                 "interrupting event sub-process: cancelling '%s' may leave tokens (nested "
                 "regions of different sizes)",
                 sc->elem_id);
        }
        /* When it is done, the scope is done: its exit is marked, and so are
         * the places that say the (cancelled) non-interrupting event
         * sub-processes are over, which the scope's completion waits for. */
        uint32_t t = new_trans(c, e, AB_NET_T_SCOPE, NONE, "leave", NULL);
        arc_in(c, t, e->exit);
        arc_out(c, t, sc->exit);
        for (uint32_t k = 0; k < sc->alt_count; k++) {
            arc_out(c, t, sc->alts[k].alt);
        }
    }
done:
    if (subs != NULL) {
        for (uint32_t i = 0; i < sc->node_count; i++) {
            scope_free(c, &subs[i]);
        }
    }
    ab__free(c->ctx, subs);
    ab__free(c->ctx, intr);
    ab__free(c->ctx, esids);
    ab__free(c->ctx, term_mask);
    ab__free(c->ctx, term_t);
}

/* ---- Top level ---- */

static int called_by_someone(const ab_bpmn *m, uint32_t proc)
{
    const char *id = ab_bpmn_process_at(m, proc)->id;
    for (uint32_t i = 0; i < ab_bpmn_node_count(m); i++) {
        const ab_bpmn_node *n = ab_bpmn_node_at(m, i);
        if (n->kind == AB_BPMN_CALL_ACTIVITY && n->process != proc) {
            const char *ref = n->called_element;
            const char *colon = strchr(ref, ':');
            if (strcmp(ref, id) == 0 || (colon != NULL && strcmp(colon + 1, id) == 0)) {
                return 1;
            }
        }
    }
    return 0;
}

static void compile_process(cc *c, uint32_t proc, uint32_t src, uint32_t dst)
{
    const ab_bpmn *m = c->top;
    const ab_bpmn_process *p = ab_bpmn_process_at(m, proc);
    scope_ctx sc;
    memset(&sc, 0, sizeof(sc));
    sc.m = m;
    sc.proc = proc;
    sc.parent_node = NONE;
    sc.elem_id = p->id;
    sc.elem_node = NONE;
    sc.catcher = NONE;
    sc.sid = ab__net_scope(c->net, 0);
    if (sc.sid == NONE) {
        oom(c);
        return;
    }
    c->stack[0].m = m;
    c->stack[0].proc = proc;
    c->depth = 1;
    if (has_event_subs(m, proc, NONE)) {
        sc.entry = new_place(c, &sc, AB_NET_P_INTERNAL, p->id, "started", sc.sid);
        sc.exit = new_place(c, &sc, AB_NET_P_INTERNAL, p->id, "done", sc.sid);
        sc.enter_t = new_trans(c, &sc, AB_NET_T_SCOPE, NONE, "enter", NULL);
        arc_in(c, sc.enter_t, src);
        arc_out(c, sc.enter_t, sc.entry);
        compile_scope(c, &sc);
        completion(c, &sc, NONE, sc.exit, sc.alts, sc.alt_count, &dst, 1);
    } else {
        sc.entry = src;
        sc.exit = dst;
        sc.enter_t = NONE;
        compile_scope(c, &sc);
    }
    scope_free(c, &sc);
    c->depth = 0;
}

int ab_net_compile(ab_net **out, ab_ctx *ctx, const ab_bpmn *m, const ab_net_options *opts,
                   ab_error *err)
{
    ab_net_options defaults = AB_NET_OPTIONS_INIT;
    if (out == NULL || ctx == NULL || m == NULL) {
        return ab__error(err, AB_EINVAL, "net", 0, 0, "ab_net_compile: NULL argument");
    }
    *out = NULL;
    if (opts == NULL) {
        opts = &defaults;
    }
    if (opts->version != AB_NET_OPTIONS_VERSION) {
        return ab__error(err, AB_EINVAL, "net", 0, 0, "unknown ab_net_options version %u",
                         opts->version);
    }
    ab_net_options o = *opts;
    if (o.max_inclusive_subsets == 0) {
        o.max_inclusive_subsets = 6;
    }
    if (o.max_states == 0) {
        o.max_states = 20000;
    }
    if (o.max_cancel_markings == 0) {
        o.max_cancel_markings = 64;
    }
    /* The pools to compile. */
    uint32_t np = ab_bpmn_process_count(m);
    uint32_t *procs = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)np + 1));
    if (procs == NULL) {
        return ab__error(err, AB_ENOMEM, ab_bpmn_source(m), 0, 0, "out of memory");
    }
    uint32_t count = 0;
    if (o.process_id != NULL) {
        uint32_t idx;
        if (ab_bpmn_process_find(m, o.process_id, &idx) != AB_OK) {
            ab__free(ctx, procs);
            return ab__error(err, AB_ENOTFOUND, ab_bpmn_source(m), 0, 0,
                             "the map has no process '%s'", o.process_id);
        }
        procs[count++] = idx;
    } else {
        for (uint32_t p = 0; p < np; p++) {
            if (ab_bpmn_process_at(m, p)->node_count > 0 && !called_by_someone(m, p)) {
                procs[count++] = p;
            }
        }
        if (count == 0) {
            for (uint32_t p = 0; p < np; p++) {
                if (ab_bpmn_process_at(m, p)->node_count > 0) {
                    procs[count++] = p;
                }
            }
        }
    }
    if (count == 0) {
        ab__free(ctx, procs);
        return ab__error(err, AB_ENOTFOUND, ab_bpmn_source(m), 0, 0,
                         "the map has no process with flow nodes");
    }
    cc c;
    memset(&c, 0, sizeof(c));
    c.ctx = ctx;
    c.top = m;
    c.o = &o;
    int rc = ab__net_create(&c.net, ctx);
    if (rc != AB_OK) {
        ab__free(ctx, procs);
        return ab__error(err, rc, ab_bpmn_source(m), 0, 0, "out of memory");
    }
    ab_net *net = c.net;
    uint32_t root = ab__net_scope(net, NONE);
    const char *top_id = *ab_bpmn_definitions_id(m) != '\0' ? ab_bpmn_definitions_id(m) : "process";
    net->source = ab__net_place(net, AB_NET_P_SOURCE, "source", NULL, NULL, root);
    net->sink = ab__net_place(net, AB_NET_P_SINK, "sink", NULL, NULL, root);
    if (root == NONE || net->source == NONE || net->sink == NONE) {
        oom(&c);
    }
    if (c.rc == AB_OK && count == 1) {
        compile_process(&c, procs[0], net->source, net->sink);
    } else if (c.rc == AB_OK) {
        uint32_t fork = ab__net_trans(net, AB_NET_T_SCOPE, "pools:start", NULL, top_id, NONE, 0, 0);
        uint32_t join = ab__net_trans(net, AB_NET_T_SCOPE, "pools:end", NULL, top_id, NONE,
                                      UINT32_MAX, 0);
        if (fork == NONE || join == NONE) {
            oom(&c);
        }
        arc_in(&c, fork, net->source);
        arc_out(&c, join, net->sink);
        for (uint32_t i = 0; i < count && c.rc == AB_OK; i++) {
            const char *pid = ab_bpmn_process_at(m, procs[i])->id;
            uint32_t e = ab__net_place(net, AB_NET_P_INTERNAL, "pool:start", NULL, pid, root);
            uint32_t x = ab__net_place(net, AB_NET_P_INTERNAL, "pool:end", NULL, pid, root);
            if (e == NONE || x == NONE) {
                oom(&c);
                break;
            }
            arc_out(&c, fork, e);
            arc_in(&c, join, x);
            compile_process(&c, procs[i], e, x);
        }
        for (uint32_t i = 0; i < ab_bpmn_message_flow_count(m) && c.rc == AB_OK; i++) {
            const ab_bpmn_message_flow *mf = ab_bpmn_message_flow_at(m, i);
            if (mf->source != NONE && mf->target != NONE) {
                note(&c, 1, mf->id,
                     "message flow not enforced: the pools are compiled as independent "
                     "parallel branches");
            }
        }
    }
    /* Drop removed transitions before finishing. */
    if (c.rc == AB_OK && c.removed != NULL) {
        uint32_t w = 0;
        for (uint32_t t = 0; t < net->trans_count; t++) {
            if (is_removed(&c, t)) {
                ab__free(ctx, net->trans[t].in);
                ab__free(ctx, net->trans[t].out);
            } else {
                net->trans[w++] = net->trans[t];
            }
        }
        net->trans_count = w;
    }
    if (c.rc == AB_OK) {
        c.rc = ab__net_finish(net);
    }
    ab__free(ctx, c.removed);
    ab__free(ctx, procs);
    if (c.rc != AB_OK) {
        ab_net_destroy(net);
        return ab__error(err, c.rc, ab_bpmn_source(m), 0, 0, "out of memory");
    }
    *out = net;
    return AB_OK;
}
