/*
 * conform/conform_int.h: the pieces of the conformance module. Traces of
 * activity instances and conformance variants are built first
 * (conform_trace.c); the net is flattened into arrays the search walks fast
 * (conform_net.c); each variant is aligned by a best-first search over the
 * synchronous product (conform_search.c); conform_run.c spreads variants over
 * threads and owns the public object.
 */
#ifndef AB_CONFORM_INT_H
#define AB_CONFORM_INT_H

#include "asbuilt/conform.h"
#include "core/core_int.h"

/* "Unreachable": a distance or heuristic value with no completion behind it. */
#define AB__CF_INF UINT32_MAX

/* Deviation costs are scaled by this so that one integer orders alignments by
 * (log + visible model moves, silent moves): silent moves cost 1, a deviation
 * 2^32, and no alignment has 2^32 silent moves within a search budget. */
#define AB__CF_DEV ((uint64_t)1 << 32)

struct ab_conform {
    ab_ctx *ctx;
    ab_conform_stats stats;
    uint32_t case_count;
    uint64_t *case_first;   /* case -> first instance (case_count + 1 entries). */
    uint64_t *inst_event;   /* Instance -> its completion event (global index). */
    ab_time *inst_start;    /* Instance -> its start time, or AB_TIME_NONE; NULL when none has one. */
    uint32_t *inst_act;     /* Instance -> log activity id; once the variants are built,
                               their sequences one after the other. */
    uint32_t *case_variant; /* case -> conformance variant. */
    ab_conform_variant *variants;
    uint32_t variant_count;
    uint32_t *variant_cases;  /* Pool the variants' case lists point into. */
    uint32_t *label_activity; /* Net label -> log activity, or AB_CONFORM_NONE. */
    uint32_t label_count;
    uint32_t *activity_label; /* Log activity -> net label, or AB_NET_SILENT. */
    uint32_t activity_count;
};

/* Builds the instances of every case, the conformance variants (ordered as
 * conform.h says, with empty alignments) and the label maps. AB_ENOMEM. */
int ab__cf_build_traces(ab_conform *c, const ab_log *log, const ab_net *net);
/* Only the label maps (label_activity, activity_label and their counts). AB_ENOMEM. */
int ab__cf_label_maps(ab_conform *c, const ab_log *log, const ab_net *net);

/* ---- The flattened net ---- */

typedef struct ab__cnet {
    uint32_t place_count;
    uint32_t trans_count;
    uint32_t label_count;
    uint32_t source, sink;
    uint32_t *in_first; /* Transition -> its input arcs in `in` (trans_count + 1). */
    ab_net_arc *in;
    uint32_t *out_first; /* Transition -> its output arcs in `out`. */
    ab_net_arc *out;
    uint32_t *cons_first; /* Place -> the transitions listed under it (place_count + 1). */
    uint32_t *cons;       /* Each transition under its smallest input place only. */
    uint32_t *free_trans; /* Transitions without input places (always enabled). */
    uint32_t free_count;
    uint32_t *label;      /* Transition -> net label id, or AB_NET_SILENT. */
    uint8_t *urgent;      /* Transition -> silent and the only consumer of each of its
                             input places (none the sink): every completion fires it. */
    uint32_t *out_tokens; /* Transition -> tokens it produces. */
    uint32_t *dist;       /* Place -> fewest visible transitions a token there needs
                             to be consumed on the way to the sink, or AB__CF_INF. */
    uint32_t *pot;        /* Place -> potential: the potentials of a marking's tokens
                             add up to a lower bound of the visible transitions left
                             (all 0 when no consistent one was found). */
    uint32_t *dist_sil;   /* The same two bounds for silent transitions. */
    uint32_t *pot_sil;
    uint32_t *all_cons_first; /* Place -> every transition consuming from it. */
    uint32_t *all_cons;
    uint32_t *prod_first; /* Place -> every transition producing into it. */
    uint32_t *prod;
    uint32_t *recv;  /* Transition -> the input place its potential share goes to. */
    uint64_t *reach; /* Place -> bitset of labels a token there may lead to
                        (reach_words per place), or NULL when too large. */
    uint32_t reach_words;
} ab__cnet;

int ab__cnet_build(ab__cnet *cn, ab_ctx *ctx, const ab_net *net);
/*
 * A potential for transition costs cost[t] (0 or 1): the tokens' sum is a
 * lower bound of the cost any completion still pays, lowered by at most
 * cost[t] when t fires (see conform_net.c). v, queue and queued are scratch
 * of place_count entries.
 */
void ab__cnet_potential(const ab__cnet *cn, const uint8_t *cost, uint64_t *v, uint32_t *queue,
                        uint8_t *queued, uint32_t *pot);
void ab__cnet_finish(ab__cnet *cn, ab_ctx *ctx);

/* ---- The search ---- */

/* A shortest complete run of the net: fewest visible transitions (which of
 * several such runs is not specified, but it is deterministic). */
typedef struct ab__cf_run {
    uint32_t *trans; /* Its transitions in firing order. */
    uint32_t count;
    uint32_t visible; /* Visible transitions among them. */
} ab__cf_run;

/* One search's workspace; reused from variant to variant by one thread. */
typedef struct ab__cws ab__cws;

int ab__cws_create(ab__cws **out, ab_ctx *ctx, const ab__cnet *cn, const uint32_t *label_activity,
                   uint64_t max_states, uint64_t max_memory);
void ab__cws_destroy(ab__cws *ws);
/* Turns the fast path off (on by default); tests use it to check that both
 * ways give the same alignment. */
void ab__cws_set_fast_path(ab__cws *ws, int enabled);

/* What ab__cf_align found for one trace. moves is allocated with the
 * workspace's context and owned by the caller. */
typedef struct ab__cf_alignment {
    ab_move *moves;
    uint32_t move_count;
    uint32_t cost;   /* Log + visible model moves. */
    int approximate; /* The budget was passed. */
    int fast_path;   /* Found by the replay restricted to sync and silent moves. */
    uint64_t states; /* Nodes expanded by the full search up to its goal (0 on the
                        fast path). */
    int ambiguous;   /* With check: spec R1's verdict, as ab_conform_variant says, or
                        -2 when the trace has instances no transition has (see
                        ab__cf_ambiguous); -1 without check. */
    uint64_t check_states; /* Nodes the check expanded past the goal. */
} ab__cf_alignment;

/*
 * Computes the shortest complete run from the source marking. AB_OK,
 * AB_EINVAL when the sink cannot be reached, AB_ELIMIT past the budget,
 * AB_ENOMEM.
 */
int ab__cf_shortest_run(ab__cws *ws, ab__cf_run *out);

/*
 * Aligns a trace of n instances (activities acts[]) with the canonical
 * optimal alignment, or a valid approximate one past the budget (run is the
 * fallback completion; with run NULL, an approximate result has no moves).
 * With check, it also decides spec R1's ambiguity (out->ambiguous). AB_OK or
 * AB_ENOMEM.
 */
int ab__cf_align(ab__cws *ws, const uint32_t *acts, uint32_t n, const uint32_t *activity_label,
                 const ab__cf_run *run, int check, ab__cf_alignment *out);

/*
 * A shortest complete run found by a depth-first walk over the transitions
 * that are tight for the potential (conform_walk.c), without a search over
 * the state space. AB_OK, AB_ELIMIT when the walk gives up (take
 * ab__cf_shortest_run), AB_ENOMEM.
 */
int ab__cf_walk_run(const ab__cnet *cn, ab_ctx *ctx, ab__cf_run *out);

/*
 * Replays a trace along the steps where the alignment search has a single
 * successor (conform_walk.c). AB_OK with the alignment (cost 0, fast_path
 * set, move for move what ab__cf_align's search returns), AB_ELIMIT when
 * the trace does not fit that way (align it with the search), AB_ENOMEM.
 */
int ab__cf_replay(const ab__cnet *cn, ab_ctx *ctx, const uint32_t *acts, uint32_t n,
                  const uint32_t *activity_label, ab__cf_alignment *out);

/*
 * Spec R1's ambiguity check of a trace whose instances all have a
 * transition with their activity: *out = 1 when two optimal alignments have
 * different multisets of deviations, 0 when all have the same, -1 when the
 * search passed the budget. A variant's trace with those instances left out
 * has the variant's verdict (see conform_search.c). *states_out: the nodes
 * it expanded. AB_OK or AB_ENOMEM.
 */
int ab__cf_ambiguous(ab__cws *ws, const uint32_t *acts, uint32_t n,
                     const uint32_t *activity_label, int *out, uint64_t *states_out);

#endif
