/*
 * gap/gap_classify.c: rule R3 of the gap spec, which gives each non-sync
 * move of an alignment exactly one class (out of order, undocumented
 * rework, substitution, undocumented activity, extra step, bypass), in the
 * rule's order. It works in place on the output array and allocates
 * nothing, so it can run per variant in any thread.
 */
#include "gap/gap_int.h"

static const char *const class_names[] = {
    "sync",         "silent",
    "out_of_order", "undocumented_rework",
    "substitution", "undocumented_activity",
    "extra_step",   "bypass",
    "dropped",
};

const char *ab_gap_class_name(ab_gap_class cls)
{
    if ((unsigned)cls < sizeof(class_names) / sizeof(class_names[0])) {
        return class_names[cls];
    }
    return "unknown";
}

/* Non-zero while move i still awaits a class. */
static int open_move(const ab_gap_move_class *out, const ab_move *moves, uint32_t i)
{
    (void)moves;
    return out[i].cls == AB_GAP_BYPASS || out[i].cls == AB_GAP_EXTRA_STEP;
}

/* The activity a move is grouped by in R3.1 and R3.2: none for silent
 * moves and for model moves of a step the log lacks. */
static uint32_t group_key(const ab_move *m)
{
    return m->kind == AB_MOVE_SILENT ? AB_CONFORM_NONE : m->activity;
}

/* Entries tagged with their move's index (partner), by (activity, index). */
static int cmp_by_activity(const void *pa, const void *pb, void *arg)
{
    const ab_move *moves = arg;
    uint32_t i = ((const ab_gap_move_class *)pa)->partner;
    uint32_t j = ((const ab_gap_move_class *)pb)->partner;
    uint32_t a = group_key(&moves[i]), b = group_key(&moves[j]);
    if (a != b) {
        return a < b ? -1 : 1;
    }
    return i < j ? -1 : i > j;
}

/* Entries tagged with their move's index, by index. */
static int cmp_by_index(const void *pa, const void *pb, void *arg)
{
    (void)arg;
    uint32_t i = ((const ab_gap_move_class *)pa)->partner;
    uint32_t j = ((const ab_gap_move_class *)pb)->partner;
    return i < j ? -1 : i > j;
}

/* R3.1 and the first half of R3.2 over the moves of one activity, in
 * alignment order (e[0..n), each tagged with its move's index). */
static void one_activity(ab_gap_move_class *e, uint32_t n, const ab_move *moves)
{
    /* R3.1: the k-th log move with the k-th model move still a bypass; the
     * pair waits in early_exit (the other's index + 1). */
    uint32_t li = 0, mi = 0;
    for (;;) {
        while (li < n && moves[e[li].partner].kind != AB_MOVE_LOG) {
            li++;
        }
        while (mi < n &&
               !(moves[e[mi].partner].kind == AB_MOVE_MODEL && e[mi].cls == AB_GAP_BYPASS)) {
            mi++;
        }
        if (li == n || mi == n) {
            break;
        }
        e[li].cls = AB_GAP_OUT_OF_ORDER;
        e[mi].cls = AB_GAP_OUT_OF_ORDER;
        e[li].early_exit = (int)e[mi].partner + 1;
        e[mi].early_exit = (int)e[li].partner + 1;
        li++;
        mi++;
    }
    /* R3.2: a log move after the first sync of the activity is a repetition. */
    uint32_t k = 0;
    while (k < n && moves[e[k].partner].kind != AB_MOVE_SYNC) {
        k++;
    }
    for (k++; k < n; k++) {
        if (moves[e[k].partner].kind == AB_MOVE_LOG && e[k].cls == AB_GAP_EXTRA_STEP) {
            e[k].cls = AB_GAP_REWORK;
        }
    }
}

/*
 * R3.1: a log(a) and a model(a) in the same case are one relocated step.
 * Pairs are formed in alignment order: the k-th log move of a with the k-th
 * model move of a, whichever comes first. R3.2: a repetition after the step
 * was done as documented.
 *
 * In O(n log n) time and in place (the classification allocates nothing):
 * the entries, tagged with their move's index in partner, are sorted by
 * activity so that each activity's moves are read in order, then sorted back
 * by index; the pairs wait in early_exit until the partners are written.
 */
static void relocate_and_repeat(ab_gap_move_class *out, const ab_move *moves, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        out[i].partner = i;
        out[i].early_exit = 0;
    }
    ab__sort_r(out, n, sizeof(*out), cmp_by_activity, (void *)moves);
    for (uint32_t lo = 0; lo < n;) {
        uint32_t key = group_key(&moves[out[lo].partner]), hi = lo + 1;
        while (hi < n && group_key(&moves[out[hi].partner]) == key) {
            hi++;
        }
        if (key != AB_CONFORM_NONE) {
            one_activity(out + lo, hi - lo, moves);
        }
        lo = hi;
    }
    ab__sort_r(out, n, sizeof(*out), cmp_by_index, NULL);
    for (uint32_t i = 0; i < n; i++) {
        out[i].partner =
            out[i].early_exit > 0 ? (uint32_t)(out[i].early_exit - 1) : AB_CONFORM_NONE;
        out[i].early_exit = 0;
    }
    /* "a a" may be aligned as log(a) sync(a): the optimal alignment that
     * matches the first of the two costs the same, and there the second is
     * the repetition. So a log move followed, event after event, by more log
     * moves of a and then sync(a) is rework too (written in the report's
     * appendix), rather than an extra documented step. Whether a log move
     * is so is read from the right, in early_exit (1: it is). */
    uint32_t next = AB_CONFORM_NONE; /* The next move that is not silent. */
    for (uint32_t i = n; i-- > 0;) {
        const ab_move *m = &moves[i];
        if (m->kind == AB_MOVE_SILENT) {
            continue;
        }
        if (m->kind == AB_MOVE_LOG && next != AB_CONFORM_NONE) {
            const ab_move *x = &moves[next];
            if (x->activity == m->activity && x->position == m->position + 1) {
                out[i].early_exit = x->kind == AB_MOVE_SYNC  ? 1
                                    : x->kind == AB_MOVE_LOG ? out[next].early_exit
                                                             : 0;
            }
        }
        next = i;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (out[i].early_exit && out[i].cls == AB_GAP_EXTRA_STEP) {
            out[i].cls = AB_GAP_REWORK;
        }
        out[i].early_exit = 0;
    }
}

int ab_gap_classify(ab_gap_move_class *out, const ab_move *moves, uint32_t move_count,
                    const uint8_t *documented, uint32_t activity_count, int drop_open_tail)
{
    if (move_count > 0 && (out == NULL || moves == NULL)) {
        return AB_EINVAL;
    }
    /* Provisional classes: log moves are "extra" and model moves "bypass"
     * until a rule with higher precedence claims them. */
    uint32_t last_sync = AB_CONFORM_NONE;
    for (uint32_t i = 0; i < move_count; i++) {
        const ab_move *m = &moves[i];
        out[i].partner = AB_CONFORM_NONE;
        out[i].early_exit = 0;
        switch (m->kind) {
        case AB_MOVE_SYNC:
            if (m->activity >= activity_count) {
                return AB_EINVAL;
            }
            out[i].cls = AB_GAP_SYNC;
            last_sync = i;
            break;
        case AB_MOVE_LOG:
            if (m->activity >= activity_count) {
                return AB_EINVAL;
            }
            out[i].cls = AB_GAP_EXTRA_STEP;
            break;
        case AB_MOVE_MODEL:
            out[i].cls = AB_GAP_BYPASS;
            break;
        default:
            out[i].cls = AB_GAP_SILENT;
            break;
        }
    }
    uint32_t tail = last_sync == AB_CONFORM_NONE ? 0 : last_sync + 1;
    if (drop_open_tail) {
        /* R0: an unfinished case has not skipped what it has not reached yet. */
        for (uint32_t i = tail; i < move_count; i++) {
            if (out[i].cls == AB_GAP_BYPASS) {
                out[i].cls = AB_GAP_DROPPED;
            }
        }
    }

    relocate_and_repeat(out, moves, move_count);

    /* R3.3: within a run of deviating moves (syncs end a run; silent moves and
     * moves already classified are skipped), a log move next to a model move
     * of another activity is one step replaced by another. Greedy from the
     * left, so each move joins at most one pair. */
    uint32_t prev = AB_CONFORM_NONE;
    for (uint32_t i = 0; i < move_count; i++) {
        if (moves[i].kind == AB_MOVE_SYNC) {
            prev = AB_CONFORM_NONE;
            continue;
        }
        if (!open_move(out, moves, i)) {
            continue;
        }
        if (prev != AB_CONFORM_NONE && moves[prev].kind != moves[i].kind &&
            moves[prev].activity != moves[i].activity) {
            out[prev].cls = AB_GAP_SUBSTITUTION;
            out[i].cls = AB_GAP_SUBSTITUTION;
            out[prev].partner = i;
            out[i].partner = prev;
            prev = AB_CONFORM_NONE;
            continue;
        }
        prev = i;
    }

    /* R3.4 / R3.5 split the remaining log moves; R3.6 keeps the remaining
     * model moves as bypasses. */
    for (uint32_t i = 0; i < move_count; i++) {
        if (moves[i].kind == AB_MOVE_LOG && out[i].cls == AB_GAP_EXTRA_STEP &&
            (documented == NULL || !documented[moves[i].activity])) {
            out[i].cls = AB_GAP_UNDOCUMENTED;
        }
    }
    if (!drop_open_tail) {
        int only_model = 0;
        for (uint32_t i = tail; i < move_count; i++) {
            if (moves[i].kind == AB_MOVE_MODEL) {
                only_model = 1;
            } else if (moves[i].kind != AB_MOVE_SILENT) {
                only_model = 0;
                break;
            }
        }
        if (only_model) {
            for (uint32_t i = tail; i < move_count; i++) {
                if (out[i].cls == AB_GAP_BYPASS) {
                    out[i].early_exit = 1;
                }
            }
        }
    }
    return AB_OK;
}
