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

    /* R3.1: a log(a) and a model(a) in the same case are one relocated step.
     * Pairs are formed in alignment order: the k-th log move of a with the
     * k-th model move of a, whichever comes first. */
    for (uint32_t i = 0; i < move_count; i++) {
        if (moves[i].kind != AB_MOVE_LOG || out[i].cls != AB_GAP_EXTRA_STEP) {
            continue;
        }
        for (uint32_t j = 0; j < move_count; j++) {
            if (moves[j].kind == AB_MOVE_MODEL && out[j].cls == AB_GAP_BYPASS &&
                moves[j].activity != AB_CONFORM_NONE && moves[j].activity == moves[i].activity) {
                out[i].cls = AB_GAP_OUT_OF_ORDER;
                out[j].cls = AB_GAP_OUT_OF_ORDER;
                out[i].partner = j;
                out[j].partner = i;
                break;
            }
        }
    }

    /* R3.2: a repetition after the step was done as documented. */
    for (uint32_t i = 0; i < move_count; i++) {
        if (moves[i].kind != AB_MOVE_LOG || out[i].cls != AB_GAP_EXTRA_STEP) {
            continue;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (moves[j].kind == AB_MOVE_SYNC && moves[j].activity == moves[i].activity) {
                out[i].cls = AB_GAP_REWORK;
                break;
            }
        }
        if (out[i].cls == AB_GAP_REWORK) {
            continue;
        }
        /* "a a" may be aligned as log(a) sync(a): the optimal alignment that
         * matches the first of the two costs the same, and there the second
         * is the repetition. So a log move followed, event after event, by
         * more log moves of a and then sync(a) is rework too (written in the
         * report's appendix), rather than an extra documented step. */
        uint32_t pos = moves[i].position;
        for (uint32_t k = i + 1; k < move_count; k++) {
            if (moves[k].kind == AB_MOVE_SILENT) {
                continue;
            }
            if (moves[k].activity != moves[i].activity || moves[k].position != pos + 1) {
                break;
            }
            if (moves[k].kind == AB_MOVE_SYNC) {
                out[i].cls = AB_GAP_REWORK;
                break;
            }
            if (moves[k].kind != AB_MOVE_LOG) {
                break;
            }
            pos++;
        }
    }

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
