/*
 * tools/absim_int.h: what the files of the absim simulator share. absim_graph.c turns a compiled
 * map into its graph of reachable markings and walks it to simulate cases; absim_check.c decides
 * whether a trace with injected deviations has exactly one explanation under the gap rules (spec
 * gap-metrics.md, R1 and R3); absim.c reads the command line, injects deviations and writes the
 * log and its ground truth. Everything here is single-threaded and keeps no global state.
 */
#ifndef ABSIM_INT_H
#define ABSIM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "asbuilt/bpmn.h"
#include "asbuilt/net.h"

/* The label of a silent edge, and "no state / no transition". */
#define SIM_TAU UINT32_MAX
#define SIM_NONE UINT32_MAX

/* ---- Random numbers: xoshiro256** seeded through splitmix64, the same on every platform. ---- */

typedef struct sim_rng {
    uint64_t s[4];
} sim_rng;

void sim_rng_seed(sim_rng *r, uint64_t seed);
uint64_t sim_rng_next(sim_rng *r);
/* Uniform in (0, 1]. */
double sim_rng_unit(sim_rng *r);
/* Uniform in [0, n), n >= 1. */
uint32_t sim_rng_below(sim_rng *r, uint32_t n);
/* Exponentially distributed duration in milliseconds with the given mean (no libm). */
int64_t sim_rng_exp_ms(sim_rng *r, int64_t mean);
/* Shuffles a[0..n) (Fisher-Yates). */
void sim_rng_shuffle(sim_rng *r, uint32_t *a, uint32_t n);

/* ---- Maps from sequences of uint32 to small non-negative ints ---- */

typedef struct sim_seqmap sim_seqmap;

/* Returns NULL when memory ran out. */
sim_seqmap *sim_seqmap_create(void);
void sim_seqmap_destroy(sim_seqmap *m);
/* The value stored for key[0..n), or -1 when absent. */
int sim_seqmap_get(const sim_seqmap *m, const uint32_t *key, uint32_t n);
/* Stores value (>= 0) for key[0..n) (copied). 0, or -1 when memory ran out. */
int sim_seqmap_put(sim_seqmap *m, const uint32_t *key, uint32_t n, int value);

/* ---- The graph of reachable markings ---- */

typedef struct sim_graph {
    uint32_t place_count; /* Places of the net. */
    uint32_t trans_count; /* Transitions of the net. */
    uint32_t label_count; /* Visible labels of the net (ids 0..label_count-1). */
    uint32_t state_count; /* Reachable markings. */
    uint32_t edge_count;  /* Firings between them. */
    uint32_t initial;     /* The source marking's state. */
    uint32_t final;       /* The state "one token in the sink", or SIM_NONE if unreachable. */
    uint32_t *out_first;  /* Edges leaving state s: [out_first[s], out_first[s + 1]). */
    uint32_t *out_to;     /* Target state of each edge. */
    uint32_t *out_trans;  /* Transition fired by each edge. */
    uint32_t *out_label;  /* Its label id, or SIM_TAU. */
    uint32_t *in_first;   /* Edges entering state s: in_edge[in_first[s] .. in_first[s + 1]). */
    uint32_t *in_edge;    /* Edge indices grouped by target. */
    uint32_t *in_from;    /* Source state of in_edge[k]. */
    uint32_t *dist;       /* Fewest firings from the state to the final one, SIM_NONE = never. */
} sim_graph;

/*
 * Explores every marking reachable from the source, up to max_states. Returns 0, or -1 with a
 * sentence in msg (too many states, a place that grows without bound, no way to the sink) or
 * -2 when memory ran out.
 */
int sim_graph_build(sim_graph *g, const ab_net *net, uint32_t max_states, char *msg,
                    size_t msg_cap);
void sim_graph_free(sim_graph *g);

/*
 * Simulates one complete run from the initial state: at each step one firing is drawn uniformly
 * among those that can still reach the final state, preferring transitions fired fewer than
 * loop_limit times in this run; when none is left, only firings that bring the final state
 * closer are drawn, so every run ends. counts is scratch of trans_count entries (zero on entry
 * and on return). The visible transitions fired are appended to *out (grown with realloc).
 * Returns 0, or -1 when memory ran out.
 */
int sim_graph_walk(const sim_graph *g, sim_rng *r, uint32_t loop_limit, uint32_t *counts,
                   uint32_t **out, uint32_t *len, uint32_t *cap);

/* ---- Documented hand-offs ---- */

/*
 * The lane changes the map documents: documented[a * lane_count + b] is set when a step of lane
 * b follows a step of lane a (a != b) along the map's sequence flows through no other step.
 * Steps are the BPMN elements of the net's visible transitions and trans_lane gives each
 * transition's lane (0..lane_count-1, or SIM_NONE). Between two steps the walk passes
 * gateways, events, silent tasks and call activities; it enters an embedded sub-process at its
 * start events (or, without one, at its nodes without incoming flow), leaves it after a node
 * without outgoing flow, and follows the boundary events attached to a step. Event
 * sub-processes and message flows are not sequence flows. Works on the BPMN model, not on the
 * net's places, so that it is independent of how the engine compiles or analyses the map.
 * Returns 0, or -1 when memory ran out.
 */
int sim_documented_lanes(const ab_bpmn *model, const ab_net *net, const uint32_t *trans_lane,
                         uint32_t lane_count, uint8_t *documented);

/* ---- One explanation per deviation ---- */

/* Deviation classes of rule R3, in the order the rule applies them. */
enum sim_class {
    SIM_C_OUT_OF_ORDER = 0,
    SIM_C_REWORK,
    SIM_C_SUBSTITUTION,
    SIM_C_UNDOCUMENTED,
    SIM_C_EXTRA,
    SIM_C_BYPASS,
};

/* What one injected deviation must be classified as: class and one of 1 or 2 activities. */
typedef struct sim_expect {
    uint32_t cls;        /* enum sim_class. */
    uint32_t label[2];   /* Label ids; ids >= label_count are activities no transition has. */
    uint32_t label_alts; /* 1, or 2 for a swap (either activity may be the one moved). */
} sim_expect;

typedef struct sim_checker sim_checker;

/* Returns NULL when memory ran out. The checker keeps a pointer to g. */
sim_checker *sim_checker_create(const sim_graph *g);
void sim_checker_destroy(sim_checker *c);

/*
 * Decides whether every optimal alignment of trace[0..n) (label ids; ids >= label_count never
 * match a transition) costs exactly `cost` and classifies, by rule R3, into exactly the
 * expected deviations (a swap into either of its two). Silent moves are counted as free, which
 * admits a superset of the alignments an engine with a small silent cost finds, so a yes holds
 * for every such engine. Results are cached by trace and expectation. Returns 1 (yes), 0 (no,
 * or the search passed its limit) or -1 (out of memory).
 */
int sim_check(sim_checker *c, const uint32_t *trace, uint32_t n, uint32_t cost,
              const sim_expect *exp, uint32_t exp_count);

/* Statistics: checks asked, answered from the cache, and search nodes expanded. */
void sim_checker_stats(const sim_checker *c, uint64_t *asked, uint64_t *cached, uint64_t *nodes);

#endif
