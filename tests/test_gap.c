/*
 * tests/test_gap.c: the Work Reality Gap. Rule R3 on hand-built move
 * sequences (every class, early exit, substitution adjacency, out-of-order
 * pairing, rework after a sync); the statistics (Wilson intervals against
 * published values, the selection of pairwise differences and the
 * Lehmann-Moses interval against brute force and the published critical
 * values), SHA-256 and number formatting; then end to end through the
 * conformance run: a small documented process with a generated log whose
 * every deviation is known (tests/data/gap/review.*), the shared LoanApp
 * pair with and without the approval step, the receipt and a32f0n00 logs
 * that fit their maps, BPI Challenge 2020 with its label mapping; the accept
 * file, --open-cases exclude, determinism across runs and thread counts,
 * JSON that parses, the findings' tally split over processes and merged,
 * and allocation failures.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "asbuilt/bpmn.h"
#include "asbuilt/conform.h"
#include "asbuilt/gap.h"
#include "asbuilt/ingest.h"
#include "asbuilt/net.h"
#include "gap/gap_int.h"

/* ---- Hand-built moves ---- */

static ab_move S(uint32_t a)
{
    ab_move m = {AB_MOVE_SYNC, 100 + a, a, 0};
    return m;
}

static ab_move L(uint32_t a)
{
    ab_move m = {AB_MOVE_LOG, AB_CONFORM_NONE, a, 0};
    return m;
}

static ab_move M(uint32_t a)
{
    ab_move m = {AB_MOVE_MODEL, 100 + a, a, 0};
    return m;
}

static ab_move T(void)
{
    ab_move m = {AB_MOVE_SILENT, 99, AB_CONFORM_NONE, 0};
    return m;
}

/* Activities 0..4 are documented, 5..7 are not. */
static const uint8_t documented[8] = {1, 1, 1, 1, 1, 0, 0, 0};

static void classify(const ab_move *moves, uint32_t n, int drop, ab_gap_move_class *out)
{
    assert_int_equal(ab_gap_classify(out, moves, n, documented, 8, drop), AB_OK);
}

static void test_classify_bypass_and_early_exit(void **state)
{
    (void)state;
    ab_gap_move_class c[8];
    ab_move a[] = {S(0), M(1), S(2)};
    classify(a, 3, 0, c);
    assert_int_equal(c[0].cls, AB_GAP_SYNC);
    assert_int_equal(c[1].cls, AB_GAP_BYPASS);
    assert_false(c[1].early_exit);
    assert_int_equal(c[2].cls, AB_GAP_SYNC);

    /* Only model moves (and silent ones) after the last sync: early exit. */
    ab_move b[] = {S(0), S(1), M(2), T(), M(3)};
    classify(b, 5, 0, c);
    assert_int_equal(c[2].cls, AB_GAP_BYPASS);
    assert_true(c[2].early_exit);
    assert_int_equal(c[3].cls, AB_GAP_SILENT);
    assert_int_equal(c[4].cls, AB_GAP_BYPASS);
    assert_true(c[4].early_exit);

    /* An unfinished case (R0, exclude): the tail is dropped, not skipped. */
    classify(b, 5, 1, c);
    assert_int_equal(c[2].cls, AB_GAP_DROPPED);
    assert_int_equal(c[4].cls, AB_GAP_DROPPED);
    assert_false(c[2].early_exit);

    /* A log move in the tail: no early exit. */
    ab_move d[] = {S(0), M(2), L(5)};
    classify(d, 3, 0, c);
    assert_int_equal(c[1].cls, AB_GAP_SUBSTITUTION);
    assert_false(c[1].early_exit);
    /* Dropping the tail also applies before the substitution rule. */
    classify(d, 3, 1, c);
    assert_int_equal(c[1].cls, AB_GAP_DROPPED);
    assert_int_equal(c[2].cls, AB_GAP_UNDOCUMENTED);
}

static void test_classify_log_classes(void **state)
{
    (void)state;
    ab_gap_move_class c[8];
    /* Undocumented activity, extra documented step. */
    ab_move a[] = {S(0), L(5), S(1), L(3), S(2)};
    classify(a, 5, 0, c);
    assert_int_equal(c[1].cls, AB_GAP_UNDOCUMENTED);
    assert_int_equal(c[3].cls, AB_GAP_EXTRA_STEP);
    assert_int_equal(c[1].partner, AB_CONFORM_NONE);

    /* Rework: a log move after a sync of the same activity. */
    ab_move b[] = {S(0), S(1), L(1), S(2)};
    classify(b, 4, 0, c);
    assert_int_equal(c[2].cls, AB_GAP_REWORK);

    /* A log move before a later, non-adjacent sync of its activity is not
     * rework (positions 1 and 3: another event lies between). */
    ab_move b2[] = {S(0), L(1), S(3), S(1), S(2)};
    b2[1].position = 1;
    b2[2].position = 2;
    b2[3].position = 3;
    classify(b2, 5, 0, c);
    assert_int_equal(c[1].cls, AB_GAP_EXTRA_STEP);

    /* "1 1 1" aligned as log, log, sync on adjacent events: both log moves
     * are repetitions of the step done as documented. */
    ab_move b5[] = {S(0), L(1), T(), L(1), S(1), S(2)};
    b5[1].position = 1;
    b5[3].position = 2;
    b5[4].position = 3;
    b5[5].position = 4;
    classify(b5, 6, 0, c);
    assert_int_equal(c[1].cls, AB_GAP_REWORK);
    assert_int_equal(c[3].cls, AB_GAP_REWORK);

    /* Rework comes before substitution: log(1) after sync(1), next to model(2). */
    ab_move b3[] = {S(0), S(1), M(2), L(1)};
    classify(b3, 4, 0, c);
    assert_int_equal(c[3].cls, AB_GAP_REWORK);
    assert_int_equal(c[2].cls, AB_GAP_BYPASS);
    assert_false(c[2].early_exit); /* A log move follows the last sync too. */

    /* Undocumented rework is on documented steps only: an undocumented
     * activity repeated stays undocumented. */
    ab_move b4[] = {S(0), L(6), L(6), S(1)};
    classify(b4, 4, 0, c);
    assert_int_equal(c[1].cls, AB_GAP_UNDOCUMENTED);
    assert_int_equal(c[2].cls, AB_GAP_UNDOCUMENTED);
}

static void test_classify_out_of_order(void **state)
{
    (void)state;
    ab_gap_move_class c[8];
    /* Documented earlier, done later. */
    ab_move a[] = {S(0), M(1), S(2), L(1)};
    classify(a, 4, 0, c);
    assert_int_equal(c[1].cls, AB_GAP_OUT_OF_ORDER);
    assert_int_equal(c[3].cls, AB_GAP_OUT_OF_ORDER);
    assert_int_equal(c[1].partner, 3);
    assert_int_equal(c[3].partner, 1);

    /* Done earlier than documented. */
    ab_move b[] = {L(2), S(0), S(1), M(2)};
    classify(b, 4, 0, c);
    assert_int_equal(c[0].cls, AB_GAP_OUT_OF_ORDER);
    assert_int_equal(c[3].cls, AB_GAP_OUT_OF_ORDER);
    assert_false(c[3].early_exit);

    /* Pairing is one to one, in order: the second log(1) has no partner
     * left and, with no sync(1) before it, is an extra step. */
    ab_move d[] = {S(0), L(1), L(1), M(1)};
    classify(d, 4, 0, c);
    assert_int_equal(c[1].cls, AB_GAP_OUT_OF_ORDER);
    assert_int_equal(c[1].partner, 3);
    assert_int_equal(c[2].cls, AB_GAP_EXTRA_STEP);

    /* Out of order wins over rework: log(1) after sync(1), with model(1). */
    ab_move e[] = {S(0), S(1), L(1), M(1), S(2)};
    classify(e, 5, 0, c);
    assert_int_equal(c[2].cls, AB_GAP_OUT_OF_ORDER);
    assert_int_equal(c[3].cls, AB_GAP_OUT_OF_ORDER);

    /* A model move whose label the log lacks never pairs. */
    ab_move f[] = {S(0), L(1), S(2)};
    f[1].activity = 1;
    ab_move g[] = {S(0), M(1), S(2), L(1)};
    g[1].activity = AB_CONFORM_NONE;
    classify(g, 4, 0, c);
    assert_int_equal(c[1].cls, AB_GAP_BYPASS);
    assert_int_equal(c[3].cls, AB_GAP_EXTRA_STEP);
    classify(f, 3, 0, c);
    assert_int_equal(c[1].cls, AB_GAP_EXTRA_STEP);
}

static void test_classify_substitution(void **state)
{
    (void)state;
    ab_gap_move_class c[8];
    /* Adjacent model and log moves of different activities. */
    ab_move a[] = {S(0), M(1), L(5), S(2)};
    classify(a, 4, 0, c);
    assert_int_equal(c[1].cls, AB_GAP_SUBSTITUTION);
    assert_int_equal(c[2].cls, AB_GAP_SUBSTITUTION);
    assert_int_equal(c[1].partner, 2);

    /* A sync between them: no substitution. */
    ab_move b[] = {S(0), M(1), S(2), L(5)};
    classify(b, 4, 0, c);
    assert_int_equal(c[1].cls, AB_GAP_BYPASS);
    assert_int_equal(c[3].cls, AB_GAP_UNDOCUMENTED);

    /* Silent moves do not separate; the nearest pair is formed. */
    ab_move d[] = {S(0), M(1), M(2), T(), L(6), S(3)};
    classify(d, 6, 0, c);
    assert_int_equal(c[1].cls, AB_GAP_BYPASS);
    assert_int_equal(c[2].cls, AB_GAP_SUBSTITUTION);
    assert_int_equal(c[4].cls, AB_GAP_SUBSTITUTION);
    assert_int_equal(c[2].partner, 4);

    /* Log first, then model; two pairs in one run. */
    ab_move e[] = {S(0), L(5), M(1), L(6), M(2), S(3)};
    classify(e, 6, 0, c);
    assert_int_equal(c[1].partner, 2);
    assert_int_equal(c[3].partner, 4);

    /* Two log moves, one model move: the one next to it pairs, the other
     * is what it is. */
    ab_move f[] = {S(0), L(5), L(3), M(1), S(2)};
    classify(f, 5, 0, c);
    assert_int_equal(c[1].cls, AB_GAP_UNDOCUMENTED);
    assert_int_equal(c[2].cls, AB_GAP_SUBSTITUTION);
    assert_int_equal(c[3].partner, 2);

    /* Moves classified by earlier rules are skipped, not separators. */
    ab_move h[] = {S(0), S(4), M(1), L(4), L(5), S(2)};
    classify(h, 6, 0, c);
    assert_int_equal(c[3].cls, AB_GAP_REWORK);
    assert_int_equal(c[2].cls, AB_GAP_SUBSTITUTION);
    assert_int_equal(c[2].partner, 4);
}

/* The classification as first written, a move against every other (R3.1,
 * R3.2 quadratic): the reference the in-place O(n log n) one must match. */
static int ref_classify(ab_gap_move_class *out, const ab_move *moves, uint32_t move_count,
                        const uint8_t *doc, uint32_t activity_count, int drop_open_tail)
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
        if (!(out[i].cls == AB_GAP_BYPASS || out[i].cls == AB_GAP_EXTRA_STEP)) {
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
            (doc == NULL || !doc[moves[i].activity])) {
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

/* Random alignments (few activities, so that pairs, repetitions and runs are
 * common; model moves of steps the log lacks; silent moves): the
 * classification equals the reference's move for move, open tail dropped or
 * not. */
static void test_classify_reference(void **state)
{
    (void)state;
    enum { MAXN = 400 };
    ab_move m[MAXN];
    ab_gap_move_class got[MAXN], want[MAXN];
    uint64_t seed = 7;
    for (int round = 0; round < 3000; round++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t n = (uint32_t)(seed >> 33) % (round < 2000 ? 24 : MAXN);
        uint32_t acts = 1 + (uint32_t)(seed >> 20) % 8, pos = 0;
        for (uint32_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            uint32_t r = (uint32_t)(seed >> 40);
            uint32_t a = r % acts;
            switch ((r >> 8) % 7) {
            case 0:
            case 1:
                m[i] = S(a);
                break;
            case 2:
            case 3:
                m[i] = L(a);
                break;
            case 4:
            case 5:
                m[i] = M(a);
                if ((r >> 12) % 9 == 0) {
                    m[i].activity = AB_CONFORM_NONE;
                }
                break;
            default:
                m[i] = T();
                break;
            }
            /* Sync and log moves consume the next instance. */
            m[i].position = pos;
            pos += m[i].kind == AB_MOVE_SYNC || m[i].kind == AB_MOVE_LOG;
        }
        for (int drop = 0; drop < 2; drop++) {
            memset(got, 0xAB, sizeof(got));
            memset(want, 0xCD, sizeof(want));
            assert_int_equal(ab_gap_classify(got, m, n, documented, 8, drop), AB_OK);
            assert_int_equal(ref_classify(want, m, n, documented, 8, drop), AB_OK);
            for (uint32_t i = 0; i < n; i++) {
                if (got[i].cls != want[i].cls || got[i].partner != want[i].partner ||
                    got[i].early_exit != want[i].early_exit) {
                    fail_msg("round %d, drop %d, move %u of %u: %s/%u/%d, want %s/%u/%d", round,
                             drop, i, n, ab_gap_class_name(got[i].cls), got[i].partner,
                             got[i].early_exit, ab_gap_class_name(want[i].cls), want[i].partner,
                             want[i].early_exit);
                }
            }
        }
    }
}

static void test_classify_arguments(void **state)
{
    (void)state;
    ab_gap_move_class c[4];
    ab_move a[] = {S(0), L(9)};
    assert_int_equal(ab_gap_classify(c, a, 2, documented, 8, 0), AB_EINVAL);
    assert_int_equal(ab_gap_classify(c, NULL, 0, documented, 8, 0), AB_OK);
    assert_string_equal(ab_gap_class_name(AB_GAP_BYPASS), "bypass");
    assert_string_equal(ab_gap_class_name(AB_GAP_UNDOCUMENTED), "undocumented_activity");
    assert_string_equal(ab_gap_class_name(AB_GAP_REWORK), "undocumented_rework");
    assert_string_equal(ab_gap_class_name(AB_GAP_OUT_OF_ORDER), "out_of_order");
    assert_string_equal(ab_gap_class_name(AB_GAP_SUBSTITUTION), "substitution");
    assert_string_equal(ab_gap_class_name(AB_GAP_EXTRA_STEP), "extra_step");
}

/* ---- Statistics, hashing, formatting ---- */

/* The percentile of sorted values, from the engine's two helpers. */
static double quantile_sorted(const double *v, size_t n, double q)
{
    size_t i;
    double frac;
    size_t k = ab__gap_quantile_at(n, q, &i, &frac);
    return ab__gap_quantile_of(v + i, k, frac);
}

static void test_wilson(void **state)
{
    (void)state;
    double lo, hi;
    /* Values from the closed form, as published tables give them. */
    ab_gap_wilson(310, 500, &lo, &hi);
    assert_true(fabs(lo - 0.5766924891) < 1e-9);
    assert_true(fabs(hi - 0.6614776692) < 1e-9);
    ab_gap_wilson(0, 10, &lo, &hi);
    assert_true(lo == 0.0);
    assert_true(fabs(hi - 0.2775327999) < 1e-9);
    ab_gap_wilson(10, 10, &lo, &hi);
    assert_true(fabs(lo - 0.7224672001) < 1e-9);
    assert_true(hi == 1.0);
    ab_gap_wilson(1, 2, &lo, &hi);
    assert_true(fabs(lo - 0.0945312057) < 1e-9);
    assert_true(fabs(hi - 0.9054687943) < 1e-9);
    ab_gap_wilson(0, 0, &lo, &hi);
    assert_true(lo == 0.0 && hi == 0.0);
}

/* All n * m differences x_i - y_j, sorted. */
static int64_t *all_diffs(const int64_t *x, size_t n, const int64_t *y, size_t m)
{
    int64_t *d = malloc(sizeof(int64_t) * (n * m + 1));
    assert_non_null(d);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < m; j++) {
            d[k++] = x[i] - y[j];
        }
    }
    ab__sort_i64(d, k, NULL);
    return d;
}

static void random_sample(ab__gap_rng *rng, int64_t *v, size_t n, int64_t range, int64_t offset)
{
    for (size_t i = 0; i < n; i++) {
        v[i] = (int64_t)ab__gap_rng_below(rng, (uint32_t)range) + offset;
    }
    ab__sort_i64(v, n, NULL);
}

static void test_pair_select(void **state)
{
    (void)state;
    ab_ctx *ctx = NULL;
    assert_int_equal(ab_ctx_create(&ctx, NULL), AB_OK);
    ab__gap_rng rng;
    ab__gap_rng_seed(&rng, 42);
    ab__gap_sel w;
    assert_int_equal(ab__gap_sel_init(&w, ctx, 40, 40), AB_OK);
    size_t full_cap = w.cap;
    for (int round = 0; round < 400; round++) {
        size_t n = 1 + ab__gap_rng_below(&rng, 40), m = 1 + ab__gap_rng_below(&rng, 40);
        int64_t x[40], y[40];
        /* Few distinct values (many ties), or many. */
        int64_t range = round % 3 == 0 ? 4 : round % 3 == 1 ? 50 : 1000000000;
        random_sample(&rng, x, n, range, -range / 3);
        random_sample(&rng, y, m, range, 0);
        int64_t *d = all_diffs(x, n, y, m);
        /* Every rank, the listing only (full buffer) and the passes (a
         * buffer of 1 or 5 candidates), with good and useless guesses. */
        for (uint64_t k = 1; k <= n * m; k++) {
            w.cap = round % 4 == 0 ? full_cap : round % 4 == 1 ? 1 : 5;
            int64_t guess = round % 2 ? d[(k - 1 + n * m / 3) % (n * m)] : INT64_MIN;
            int64_t next = 0;
            int64_t v = ab__gap_pair_select(x, n, y, m, k, guess, &w, &next);
            assert_true(v == d[k - 1]);
            assert_true(next == d[k < n * m ? k : k - 1]);
            assert_true(ab__gap_pair_select(x, n, y, m, k, 0, &w, NULL) == d[k - 1]);
        }
        /* Hodges-Lehmann: the median of the listed differences. */
        w.cap = round % 2 ? full_cap : 1;
        size_t nm = n * m;
        double want =
            nm % 2 ? (double)d[nm / 2] : (double)d[nm / 2 - 1] / 2 + (double)d[nm / 2] / 2;
        assert_true(ab__gap_hodges_lehmann(x, n, y, m, &w) == want);
        free(d);
    }
    ab__gap_sel_finish(&w, ctx);

    /* Few rows against many columns: the passes search each row. */
    assert_int_equal(ab__gap_sel_init(&w, ctx, 40, 3000), AB_OK);
    full_cap = w.cap;
    for (int round = 0; round < 60; round++) {
        size_t n = 1 + ab__gap_rng_below(&rng, 12), m = 500 + ab__gap_rng_below(&rng, 2500);
        int64_t x[40], *y = malloc(sizeof(int64_t) * m);
        assert_non_null(y);
        int64_t range = round % 2 ? 300 : 1000000000;
        random_sample(&rng, x, n, range, -range / 4);
        random_sample(&rng, y, m, range, 0);
        int64_t *d = all_diffs(x, n, y, m);
        for (int q = 0; q < 40; q++) {
            uint64_t k = q == 0   ? 1
                         : q == 1 ? n * m
                                  : 1 + ab__gap_rng_below(&rng, (uint32_t)(n * m));
            w.cap = q % 3 == 0 ? full_cap : q % 3 == 1 ? 1 : 7;
            int64_t next = 0;
            assert_true(ab__gap_pair_select(x, n, y, m, k, d[n * m / 2], &w, &next) == d[k - 1]);
            assert_true(next == d[k < n * m ? k : k - 1]);
        }
        free(d);
        free(y);
    }
    w.cap = full_cap;
    int64_t x1[] = {1, 2, 3}, y1[] = {0};
    assert_true(ab__gap_hodges_lehmann(x1, 3, y1, 1, &w) == 2.0);
    /* Differences 8, 9, 18, 19: the median is 13.5. */
    int64_t x2[] = {10, 20}, y2[] = {1, 2};
    assert_true(ab__gap_hodges_lehmann(x2, 2, y2, 2, &w) == 13.5);
    ab__gap_sel_finish(&w, ctx);

    /* Large groups: never the n*m pairs, a bounded number of passes. */
    enum { NX = 3000, MY = 2000 };
    int64_t *x = malloc(sizeof(int64_t) * NX), *y = malloc(sizeof(int64_t) * MY);
    assert_non_null(x);
    assert_non_null(y);
    random_sample(&rng, x, NX, 2000000000u, 3600000000ll);
    random_sample(&rng, y, MY, 2000000000u, 0);
    for (int i = 0; i < NX; i += 7) {
        x[i] = x[i] / 1000000 * 1000000; /* Some ties. */
    }
    ab__sort_i64(x, NX, NULL);
    int64_t *d = all_diffs(x, NX, y, MY);
    assert_int_equal(ab__gap_sel_init(&w, ctx, NX, MY), AB_OK);
    uint64_t ks[] = {1,
                     1000,
                     (uint64_t)NX * MY / 2,
                     (uint64_t)NX * MY / 2 + 1,
                     (uint64_t)NX * MY - 7,
                     (uint64_t)NX * MY};
    for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
        int64_t v = ab__gap_pair_select(x, NX, y, MY, ks[i], INT64_MIN, &w, NULL);
        assert_true(v == d[ks[i] - 1]);
        /* log2(6e6) is 23: the median steps alone need at most
         * log(nm)/log(4/3) ~ 55 passes, interleaved with interpolations. */
        assert_true(w.passes <= 2 * 55);
    }
    ab__gap_shift sh;
    assert_int_equal(ab__gap_shift_ci(x, NX, y, MY, &w, &sh), 1);
    assert_false(sh.exact);
    assert_true(sh.lo == (double)d[sh.rank - 1]);
    assert_true(sh.hi == (double)d[(uint64_t)NX * MY - sh.rank]);
    assert_true(sh.lo <= sh.shift && sh.shift <= sh.hi);
    printf("# large selection: %u passes for the shift and its interval\n", sh.passes);
    ab__gap_sel_finish(&w, ctx);
    free(d);
    free(x);
    free(y);
    ab_ctx_destroy(ctx);
}

/* P(U <= c) by listing every way to choose which n of the n + m ranks
 * belong to x (no ties): the definition itself. */
static double brute_cdf(size_t n, size_t m, uint64_t c)
{
    size_t N = n + m;
    uint64_t hits = 0, all = 0;
    for (uint32_t mask = 0; mask < (1u << N); mask++) {
        if ((size_t)__builtin_popcount(mask) != n) {
            continue;
        }
        /* U = pairs (x, y) with x ranked above y. */
        uint64_t u = 0, ys = 0;
        for (size_t r = 0; r < N; r++) {
            if (mask & (1u << r)) {
                u += ys;
            } else {
                ys++;
            }
        }
        all++;
        hits += u <= c;
    }
    return (double)hits / (double)all;
}

static void test_lehmann_moses(void **state)
{
    (void)state;
    ab_ctx *ctx = NULL;
    assert_int_equal(ab_ctx_create(&ctx, NULL), AB_OK);
    double *dp = malloc(sizeof(double) * AB__GAP_DP_DOUBLES);
    assert_non_null(dp);
    int64_t x[60], y[60];
    int exact;
    /* Critical values of the two-sided Mann-Whitney test at 5%, from the
     * published tables (e.g. Siegel and Castellan, table J; reject when
     * U <= the value): the interval's rank is that value + 1. */
    struct {
        size_t n, m;
        uint64_t u;
    } table[] = {{5, 5, 2},    {6, 6, 5},  {7, 7, 8},     {8, 8, 13}, {9, 9, 17},
                 {10, 10, 23}, {5, 10, 8}, {20, 20, 127}, {4, 4, 0}};
    for (size_t t = 0; t < sizeof(table) / sizeof(table[0]); t++) {
        for (size_t i = 0; i < table[t].n; i++) {
            x[i] = (int64_t)(2 * i);
        }
        for (size_t j = 0; j < table[t].m; j++) {
            y[j] = (int64_t)(2 * j + 1);
        }
        uint64_t k = ab__gap_lm_rank(x, table[t].n, y, table[t].m, dp, &exact);
        assert_true(exact);
        assert_int_equal(k, table[t].u + 1);
    }
    /* 3 and 3: even U = 0 has probability 1/20 > 2.5%: no interval. */
    assert_int_equal(ab__gap_lm_rank(x, 3, y, 3, dp, &exact), 0);

    /* The exact rank against the listed distribution, small groups. */
    for (size_t n = 1; n <= 8; n++) {
        for (size_t m = 1; m + n <= 16; m++) {
            uint64_t want = 0;
            while (want <= n * m && brute_cdf(n, m, want) <= 0.025 * (1 + 1e-9)) {
                want++;
            }
            for (size_t i = 0; i < n; i++) {
                x[i] = (int64_t)(3 * i);
            }
            for (size_t j = 0; j < m; j++) {
                y[j] = (int64_t)(3 * j + 1);
            }
            assert_int_equal(ab__gap_lm_rank(x, n, y, m, dp, &exact), want);
            assert_true(exact);
        }
    }

    /* Ties or 50 cases and more: the normal approximation with tie
     * correction, against the formula computed the slow way. */
    ab__gap_rng rng;
    ab__gap_rng_seed(&rng, 5);
    for (int round = 0; round < 100; round++) {
        size_t n = 2 + ab__gap_rng_below(&rng, 58), m = 2 + ab__gap_rng_below(&rng, 58);
        int64_t range = round % 2 ? 6 : 100000;
        random_sample(&rng, x, n, range, 0);
        random_sample(&rng, y, m, range, 1);
        double ties = 0;
        int any = 0;
        for (size_t a = 0; a < n + m; a++) {
            int64_t va = a < n ? x[a] : y[a - n];
            double t = 0;
            int first = 1;
            for (size_t b = 0; b < n + m; b++) {
                int64_t vb = b < n ? x[b] : y[b - n];
                t += vb == va;
                first &= !(b < a && vb == va);
            }
            if (first) {
                ties += t * t * t - t;
                any |= t > 1;
            }
        }
        uint64_t k = ab__gap_lm_rank(x, n, y, m, dp, &exact);
        if (!any && n < 50 && m < 50) {
            assert_true(exact);
            continue;
        }
        assert_false(exact);
        double NN = (double)(n + m), nm = (double)(n * m);
        double sd = sqrt(nm / 12.0 * (NN + 1 - ties / (NN * (NN - 1))));
        double c = floor(nm / 2 - 0.5 - 1.959963984540054 * sd);
        assert_int_equal(k, c < 0 ? 0 : (uint64_t)c + 1);
        /* The interval: the listed differences at ranks k and nm + 1 - k. */
        ab__gap_sel w;
        assert_int_equal(ab__gap_sel_init(&w, ctx, n, m), AB_OK);
        w.cap = 3;
        ab__gap_shift sh;
        int have = ab__gap_shift_ci(x, n, y, m, &w, &sh);
        int64_t *d = all_diffs(x, n, y, m);
        assert_int_equal(have, k > 0);
        if (have) {
            assert_true(sh.lo == (double)d[k - 1]);
            assert_true(sh.hi == (double)d[n * m - k]);
        }
        free(d);
        ab__gap_sel_finish(&w, ctx);
    }
    free(dp);
    ab_ctx_destroy(ctx);

    /* The other helpers. */
    ab__gap_rng r2;
    ab__gap_rng_seed(&r2, 0);
    uint64_t first = ab__gap_rng_next(&r2);
    ab__gap_rng_seed(&r2, 0);
    assert_true(first == ab__gap_rng_next(&r2));
    assert_true(ab__gap_rng_below(&r2, 10) < 10);
    int64_t v[] = {1, 2, 3, 10};
    assert_true(ab__gap_median_sorted(v, 4) == 2.5);
    assert_true(ab__gap_median_sorted(v, 3) == 2.0);
    double q[] = {0, 10, 20, 30, 40};
    assert_true(quantile_sorted(q, 5, 0.95) == 38.0);
    /* The radix sort against qsort, with negative values. */
    enum { R = 10000 };
    int64_t *a = malloc(sizeof(int64_t) * R), *b = malloc(sizeof(int64_t) * R),
            *tmp = malloc(sizeof(int64_t) * R);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(tmp);
    for (int i = 0; i < R; i++) {
        a[i] = b[i] = (int64_t)ab__gap_rng_next(&r2) >> (i % 3 ? 20 : 1);
    }
    ab__sort_i64(a, R, NULL);
    ab__sort_i64(b, R, tmp);
    assert_memory_equal(a, b, sizeof(int64_t) * R);
    free(a);
    free(b);
    free(tmp);
}

static void test_sha256_and_format(void **state)
{
    (void)state;
    ab__sha256 s;
    char hex[65];
    ab__sha256_init(&s);
    ab__sha256_update(&s, "abc", 3);
    ab__sha256_hex(&s, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ab__sha256_init(&s);
    ab__sha256_hex(&s, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* 1,000,000 times 'a', fed in odd pieces (FIPS 180-2 test vector). */
    ab__sha256_init(&s);
    char chunk[997];
    memset(chunk, 'a', sizeof(chunk));
    size_t left = 1000000;
    while (left > 0) {
        size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
        ab__sha256_update(&s, chunk, n);
        left -= n;
    }
    ab__sha256_hex(&s, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    char b[64];
    ab__gap_fmt_sig2(9734, b, sizeof(b));
    assert_string_equal(b, "9700");
    ab__gap_fmt_sig2(0.0123, b, sizeof(b));
    assert_string_equal(b, "0.012");
    ab__gap_fmt_sig2(99.6, b, sizeof(b));
    assert_string_equal(b, "100");
    ab__gap_fmt_sig2(-3.94, b, sizeof(b));
    assert_string_equal(b, "-3.9");
    ab__gap_fmt_sig2(0, b, sizeof(b));
    assert_string_equal(b, "0");
    ab__gap_fmt_pct(0.62, b, sizeof(b));
    assert_string_equal(b, "62");
    ab__gap_fmt_pct(0.0283, b, sizeof(b));
    assert_string_equal(b, "2.8");
}

/* ---- A minimal JSON syntax check ---- */

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
        p++;
    }
    return p;
}

static const char *json_value(const char *p, int depth);

static const char *json_string(const char *p)
{
    if (*p != '"') {
        return NULL;
    }
    for (p++; *p != '"'; p++) {
        if ((unsigned char)*p < 0x20) {
            return NULL;
        }
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++) {
                    if (strchr("0123456789abcdefABCDEF", p[i]) == NULL || p[i] == '\0') {
                        return NULL;
                    }
                }
                p += 4;
            } else if (*p == '\0' || strchr("\"\\/bfnrt", *p) == NULL) {
                return NULL;
            }
        }
    }
    return p + 1;
}

static const char *json_number(const char *p)
{
    const char *s = p;
    if (*p == '-') {
        p++;
    }
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    } else {
        return NULL;
    }
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9')) {
            return NULL;
        }
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') {
            p++;
        }
        if (!(*p >= '0' && *p <= '9')) {
            return NULL;
        }
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    return p > s ? p : NULL;
}

static const char *json_value(const char *p, int depth)
{
    if (depth > 64) {
        return NULL;
    }
    p = json_ws(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        int object = *p == '{';
        p = json_ws(p + 1);
        if (*p == close) {
            return p + 1;
        }
        for (;;) {
            if (object) {
                p = json_string(json_ws(p));
                if (p == NULL) {
                    return NULL;
                }
                p = json_ws(p);
                if (*p != ':') {
                    return NULL;
                }
                p++;
            }
            p = json_value(p, depth + 1);
            if (p == NULL) {
                return NULL;
            }
            p = json_ws(p);
            if (*p == close) {
                return p + 1;
            }
            if (*p != ',') {
                return NULL;
            }
            p++;
        }
    }
    if (*p == '"') {
        return json_string(p);
    }
    if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0) {
        return p + 4;
    }
    if (strncmp(p, "false", 5) == 0) {
        return p + 5;
    }
    return json_number(p);
}

/* Non-zero when text is one JSON value (surrounded by white space only). */
static int json_valid(const char *text)
{
    const char *p = json_value(text, 0);
    return p != NULL && *json_ws(p) == '\0';
}

static void test_json_check(void **state)
{
    (void)state;
    assert_true(json_valid("{\"a\": [1, -2.5e3, true, null, \"x\\u00e9\"]}"));
    assert_false(json_valid("{\"a\": [1,]}"));
    assert_false(json_valid("{\"a\" 1}"));
    assert_false(json_valid("[01]"));
    assert_false(json_valid("{} x"));
}

/* ---- End to end ---- */

/* tu_shared() and friends return one static buffer per base: keep a copy. */
static const char *keep(const char *path)
{
    static char bufs[16][4200];
    static unsigned next;
    char *b = bufs[next++ % 16];
    snprintf(b, sizeof(bufs[0]), "%s", path);
    return b;
}

typedef struct run {
    ab_ctx *ctx;
    ab_log *log;
    ab_bpmn *model;
    ab_net *net, *relabelled;
    ab_bpmn_mapping *map;
    ab_conform *conf;
    ab_gap *gap;
    const char *log_path, *model_path, *map_path;
} run;

/* Reads, maps, compiles and aligns (the gap itself is computed apart). */
static void prepare(run *r, const char *log_path, const char *model_path, const char *map_path,
                    unsigned threads)
{
    memset(r, 0, sizeof(*r));
    static char paths[3][3][4200];
    static int slot;
    int k = slot++ % 3;
    snprintf(paths[k][0], sizeof(paths[k][0]), "%s", log_path);
    snprintf(paths[k][1], sizeof(paths[k][1]), "%s", model_path);
    r->log_path = paths[k][0];
    r->model_path = paths[k][1];
    if (map_path != NULL) {
        snprintf(paths[k][2], sizeof(paths[k][2]), "%s", map_path);
        r->map_path = paths[k][2];
    }
    r->ctx = tu_ctx();
    ab_error err;
    ab_error_clear(&err);
    ab_read_options ro = AB_READ_OPTIONS_INIT;
    if (ab_ingest_files(&r->log, r->ctx, &r->log_path, 1, &ro, &err) != AB_OK) {
        fail_msg("%s: %s", log_path, err.msg);
    }
    if (ab_bpmn_read(&r->model, r->ctx, model_path, NULL, &err) != AB_OK ||
        ab_net_compile(&r->net, r->ctx, r->model, NULL, &err) != AB_OK) {
        fail_msg("%s: %s", model_path, err.msg);
    }
    uint32_t na = ab_log_activity_count(r->log);
    const char **acts = calloc(na + 1, sizeof(*acts));
    assert_non_null(acts);
    for (uint32_t a = 0; a < na; a++) {
        acts[a] = ab_log_activity_name(r->log, a);
    }
    ab_bpmn_map_options mo = AB_BPMN_MAP_OPTIONS_INIT;
    mo.map_file = r->map_path;
    assert_int_equal(ab_bpmn_map_create(&r->map, r->ctx, ab_net_labels(r->net),
                                        ab_net_label_count(r->net), acts, na, &mo, &err),
                     AB_OK);
    free(acts);
    assert_int_equal(ab_net_relabel(&r->relabelled, r->net, r->map, &err), AB_OK);
    ab_conform_options co = AB_CONFORM_OPTIONS_INIT;
    co.threads = threads;
    if (ab_conform_run(&r->conf, r->ctx, r->log, r->relabelled, &co, &err) != AB_OK) {
        fail_msg("conform %s: %s", log_path, err.msg);
    }
}

static ab_gap_options gap_options(const run *r, unsigned threads)
{
    ab_gap_options o = AB_GAP_OPTIONS_INIT;
    o.threads = threads;
    o.log_files = &r->log_path;
    o.log_file_count = 1;
    o.model_file = r->model_path;
    o.map_file = r->map_path;
    o.model = r->model;
    o.mapping = r->map;
    return o;
}

static void compute(run *r, const ab_gap_options *o)
{
    ab_error err;
    ab_error_clear(&err);
    ab_gap_destroy(r->gap);
    r->gap = NULL;
    if (ab_gap_compute(&r->gap, r->ctx, r->log, r->relabelled, r->conf, o, &err) != AB_OK) {
        fail_msg("gap: %s", err.msg);
    }
}

static void finish(run *r)
{
    ab_gap_destroy(r->gap);
    ab_conform_destroy(r->conf);
    ab_net_destroy(r->relabelled);
    ab_bpmn_map_destroy(r->map);
    ab_net_destroy(r->net);
    ab_bpmn_destroy(r->model);
    ab_log_destroy(r->log);
    ab_ctx_destroy(r->ctx);
}

/* The JSON report, checked to parse; the caller frees it. */
static char *json_of(const ab_gap *g, ab_ctx *ctx)
{
    ab_buf b = AB_BUF_INIT;
    assert_int_equal(ab_gap_write_json(g, &b, NULL), AB_OK);
    assert_true(json_valid(b.ptr));
    char *s = strdup(b.ptr);
    assert_non_null(s);
    ab_buf_dispose(&b);
    (void)ctx;
    return s;
}

/* Every line of the case file parses, one per case. */
static void check_cases_file(const ab_gap *g, uint32_t cases)
{
    ab_buf b = AB_BUF_INIT;
    assert_int_equal(ab_gap_write_cases(g, &b, NULL), AB_OK);
    uint32_t lines = 0;
    char *p = b.ptr;
    while (p != NULL && *p != '\0') {
        char *nl = strchr(p, '\n');
        assert_non_null(nl);
        *nl = '\0';
        assert_true(json_valid(p));
        assert_non_null(strstr(p, "\"deviations\": ["));
        lines++;
        p = nl + 1;
    }
    assert_int_equal(lines, cases);
    ab_buf_dispose(&b);
}

/* Cases with a deviation, and with one not accepted, counted from the case lists. */
static void count_deviating(const ab_gap *g, uint32_t n, uint32_t *raw, uint32_t *unaccepted)
{
    *raw = *unaccepted = 0;
    for (uint32_t c = 0; c < n; c++) {
        uint32_t k;
        const ab_gap_deviation *d = ab_gap_case_deviations(g, c, &k);
        int any = 0;
        for (uint32_t i = 0; i < k; i++) {
            any |= !d[i].accepted;
        }
        *raw += k > 0;
        *unaccepted += any;
    }
}

static int has_class(const ab_gap *g, uint32_t c, ab_gap_class cls, const char *activity)
{
    uint32_t k;
    const ab_gap_deviation *d = ab_gap_case_deviations(g, c, &k);
    for (uint32_t i = 0; i < k; i++) {
        if (d[i].cls == cls && (activity == NULL || strcmp(d[i].activity, activity) == 0)) {
            return 1;
        }
    }
    return 0;
}

/* Every example's times, read from the log's own columns: the case's first
 * and last times, and when the deviation happened (the instance's
 * completion for a step done, the one before a step not done, else the
 * case's start). The log has no start times: a case's instances are its
 * events in log order. */
static void check_example_times(const ab_gap *g, const ab_log *log, const ab_conform *conf)
{
    const ab_time *ts = ab_log_col_time(log);
    uint32_t checked = 0;
    for (int k = 0; k < AB_GAP_K__COUNT; k++) {
        for (uint32_t i = 0; i < ab_gap_item_count(g, (ab_gap_kind)k); i++) {
            const ab_gap_item *it = ab_gap_item_at(g, (ab_gap_kind)k, i);
            for (uint32_t x = 0; x < it->example_count; x++) {
                const ab_gap_example *ex = &it->examples[x];
                uint32_t c = ex->case_index;
                uint64_t f = ab_log_case_first(log, c);
                uint32_t n = ab_log_case_length(log, c);
                assert_int_equal(ex->start, ts[f]);
                assert_int_equal(ex->end, ts[f + n - 1]);
                const ab_conform_variant *v =
                    ab_conform_variant_at(conf, ab_conform_case_variant(conf, c));
                const ab_move *m = &v->moves[ex->move];
                ab_time want = m->kind == AB_MOVE_SYNC || m->kind == AB_MOVE_LOG
                                   ? ts[f + m->position]
                               : m->position == 0 || m->position > n ? ts[f]
                                                                     : ts[f + m->position - 1];
                assert_int_equal(ex->at, want);
                checked++;
            }
        }
    }
    assert_true(checked > 10);
}

/*
 * tests/data/gap/review.csv was generated for review.bpmn with every
 * deviation planted (see the README there): 100 + 50 conforming cases, 60
 * skip Review (a control), 40 add "Phone customer", 35 repeat Review, 30
 * swap Register and Review, 20 replace Approve by "Manual approval", 10 stop
 * after Review (the last cases of the log), 6 do Approve after Reject.
 */
static void test_review_planted(void **state)
{
    (void)state;
    run r;
    prepare(&r, keep(tu_testdata("gap/review.csv")), keep(tu_testdata("gap/review.bpmn")), NULL, 1);
    ab_gap_options o = gap_options(&r, 1);
    compute(&r, &o);
    const ab_gap *g = r.gap;
    const ab_gap_summary *s = ab_gap_get_summary(g);
    assert_int_equal(s->cases, 351);
    assert_int_equal(s->case_deviation.count, 201);
    assert_int_equal(s->case_deviation.of, 351);
    assert_int_equal(s->events, 1349);
    assert_int_equal(s->possibly_open_cases, 10);
    assert_int_equal(s->out_of_order.count, 30);
    assert_int_equal(s->rework.count, 35);
    assert_int_equal(s->early_exit.count, 10);
    assert_int_equal(s->undocumented_cases.count, 60);
    assert_true(s->model_relation_known);

    const ab_gap_item *it = ab_gap_item_find(g, AB_GAP_K_BYPASS, "Review", NULL);
    assert_non_null(it);
    assert_int_equal(it->cases.count, 60);
    assert_int_equal(it->cases.of, 351);
    assert_true(it->control);
    assert_int_equal(it->mandatory, AB_NET_YES);
    assert_int_equal(it->absent.count, 60);
    assert_string_equal(it->lane, "Back office");
    assert_string_equal(it->element_id, "V");
    /* Skipping the review: 60 cases of about 2 h against 150 conforming
     * cases containing Review (100 approved in about 6.8 h, 50 rejected in
     * about 4.3 h): about -4 h. */
    assert_int_equal(it->time.status, AB_GAP_TIME_OK);
    assert_int_equal(it->time.n_deviating, 60);
    assert_int_equal(it->time.n_baseline, 150);
    assert_true(it->time.delta_s < -3 * 3600.0 && it->time.delta_s > -5 * 3600.0);
    assert_true(it->time.ci_lo_s <= it->time.shift_s && it->time.shift_s <= it->time.ci_hi_s);
    assert_int_equal(it->time.baseline_kind, AB_GAP_BASELINE_CONFORMING);
    assert_int_equal(it->time.n_baseline_conforming, 150);
    assert_non_null(strstr(it->time.stratum, "closed conforming cases whose documented path "
                                             "requires Review"));
    /* Locally: the span from Register to the step after the skipped
     * review, against Register to that step in the baseline. */
    assert_non_null(it->time.local.from);
    assert_string_equal(it->time.local.from, "Register");
    assert_true(it->time.local.n_deviating > 0);
    assert_true(it->example_count == 3);
    assert_non_null(strstr(it->examples[0].excerpt, "\xe2\x9c\x97[Review]"));
    check_example_times(g, r.log, r.conf);

    it = ab_gap_item_find(g, AB_GAP_K_BYPASS, "Reject", NULL);
    assert_non_null(it);
    assert_int_equal(it->cases.count, 10);
    assert_int_equal(it->cases.of, 66);
    assert_int_equal(it->early_exit_cases, 10);
    assert_int_equal(it->time.status, AB_GAP_TIME_TOO_FEW);
    /* The substituted Approve counts as not performed (M9). */
    it = ab_gap_item_find(g, AB_GAP_K_BYPASS, "Approve", NULL);
    assert_non_null(it);
    assert_int_equal(it->cases.count, 20);
    assert_int_equal(it->cases.of, 285);

    it = ab_gap_item_find(g, AB_GAP_K_UNDOCUMENTED, "Phone customer", NULL);
    assert_non_null(it);
    assert_int_equal(it->cases.count, 40);
    assert_int_equal(it->events.count, 40);
    assert_string_equal(it->before, "Register");
    assert_string_equal(it->after, "Review");
    assert_int_equal(it->time.status, AB_GAP_TIME_OK);
    assert_true(it->time.delta_s > 0);

    it = ab_gap_item_find(g, AB_GAP_K_SUBSTITUTION, "Approve", "Manual approval");
    assert_non_null(it);
    assert_int_equal(it->cases.count, 20);
    it = ab_gap_item_find(g, AB_GAP_K_REWORK, "Review", NULL);
    assert_non_null(it);
    assert_false(it->documented);
    assert_int_equal(it->cases.count, 35);
    assert_int_equal(it->cases.of, 291);
    assert_true(it->median_repeats == 1.0);
    it = ab_gap_item_find(g, AB_GAP_K_EXTRA_STEP, "Approve", NULL);
    assert_non_null(it);
    assert_int_equal(it->cases.count, 6);
    it = ab_gap_item_find(g, AB_GAP_K_EARLY_EXIT, "Review", "Reject");
    assert_non_null(it);
    assert_int_equal(it->cases.count, 10);

    /* The shortcut around the skipped review, attributed to the bypass (M6). */
    it = ab_gap_item_find(g, AB_GAP_K_TRANSITION, "Register", "Approve");
    assert_non_null(it);
    assert_true(it->attribution[0] >= 60);
    assert_string_equal(it->skipped, "Review");
    it = ab_gap_item_find(g, AB_GAP_K_TRANSITION, "Register", "Phone customer");
    assert_non_null(it);
    assert_int_equal(it->attribution[1], 40);
    /* Documented transitions are never listed. */
    assert_null(ab_gap_item_find(g, AB_GAP_K_TRANSITION, "Register", "Review"));
    assert_null(ab_gap_item_find(g, AB_GAP_K_TRANSITION, "START", "Register"));
    assert_null(ab_gap_item_find(g, AB_GAP_K_TRANSITION, "Notify", "END"));

    /* Escalate is documented and never done: dead step, dead flows, unused
     * option at the decision gateway. */
    assert_int_equal(ab_gap_dead_step_count(g), 1);
    assert_string_equal(ab_gap_dead_step_at(g, 0)->activity, "Escalate");
    assert_true(ab_gap_dead_step_at(g, 0)->dead);
    assert_int_equal(ab_gap_dead_path_count(g), 2);
    assert_string_equal(ab_gap_dead_path_at(g, 0)->flow_id, "f8");
    assert_string_equal(ab_gap_dead_path_at(g, 0)->from_element, "g1");
    assert_int_equal(ab_gap_unused_option_count(g), 1);
    assert_string_equal(ab_gap_unused_option_at(g, 0)->option, "Escalate");
    assert_string_equal(ab_gap_unused_option_at(g, 0)->gateway_name, "decision?");

    /* Per case: the first case (c001) did Approve after Reject; the cases
     * of the last group stopped early. */
    uint32_t c001 = 0;
    assert_string_equal(ab_log_case_id(r.log, c001), "c001");
    assert_true(has_class(g, c001, AB_GAP_EXTRA_STEP, "Approve"));
    assert_true(has_class(g, 350, AB_GAP_BYPASS, "Reject"));
    uint32_t k;
    const ab_gap_deviation *d = ab_gap_case_deviations(g, 350, &k);
    assert_int_equal(k, 1);
    assert_true(d[0].early_exit);
    assert_true(ab_gap_case_is_open(g, 350));
    uint32_t raw, unacc;
    count_deviating(g, 351, &raw, &unacc);
    assert_int_equal(raw, s->case_deviation_raw.count);
    assert_int_equal(unacc, s->case_deviation.count);

    /* Sentences and writers. */
    assert_true(ab_gap_statement_count(g) > 5);
    assert_non_null(strstr(ab_gap_statement_at(g, 0), "57.3% of cases did not follow"));
    int found = 0;
    for (uint32_t i = 0; i < ab_gap_statement_count(g); i++) {
        found |= strstr(ab_gap_statement_at(g, i),
                        "In 60 of 351 cases (17.1%) whose documented path requires Review "
                        "(lane Back office), Review was not performed.") != NULL;
    }
    assert_true(found);
    char *json = json_of(g, r.ctx);
    assert_non_null(strstr(json, "\"schema\": \"asbuilt.gap/1\""));
    assert_non_null(strstr(json, "\"case_deviation_rate\": {\"count\": 201, \"of\": 351, \"rate\": "
                                 "0.573, \"ci95\": [0.520, 0.623]}"));
    free(json);
    check_cases_file(g, 351);
    ab_buf md = AB_BUF_INIT, txt = AB_BUF_INIT;
    assert_int_equal(ab_gap_write_markdown(g, &md, NULL), AB_OK);
    assert_non_null(strstr(md.ptr, "## Bypassed controls (M9c)"));
    assert_non_null(strstr(md.ptr, "| Review | Back office | 60 of 351"));
    assert_int_equal(ab_gap_write_text(g, &txt, NULL), AB_OK);
    assert_non_null(strstr(txt.ptr, "Work Reality Gap (M1): 57.3%"));
    ab_buf_dispose(&md);
    ab_buf_dispose(&txt);

    /* Gate metrics. */
    ab_gap_rate rate;
    assert_int_equal(ab_gap_metric(g, "M1", &rate), AB_OK);
    assert_int_equal(rate.count, 201);
    assert_int_equal(ab_gap_metric(g, "m9c", &rate), AB_OK);
    assert_int_equal(rate.count, 60); /* Review, 17.1%, above Approve's 7%. */
    assert_int_equal(ab_gap_metric(g, "M42", &rate), AB_ENOTFOUND);
    finish(&r);
}

/* --open-cases exclude: the 10 late cases that stopped after Review are
 * unfinished, not early exits, and leave the bypass metrics. */
static void test_review_open_cases(void **state)
{
    (void)state;
    run r;
    prepare(&r, keep(tu_testdata("gap/review.csv")), keep(tu_testdata("gap/review.bpmn")), NULL, 1);
    ab_gap_options o = gap_options(&r, 1);
    o.open_cases = AB_GAP_OPEN_EXCLUDE;
    compute(&r, &o);
    const ab_gap_summary *s = ab_gap_get_summary(r.gap);
    assert_int_equal(s->excluded_open_cases, 10);
    assert_int_equal(s->case_deviation.count, 191);
    assert_int_equal(s->early_exit.count, 0);
    assert_int_equal(s->early_exit.of, 341);
    assert_null(ab_gap_item_find(r.gap, AB_GAP_K_BYPASS, "Reject", NULL));
    const ab_gap_item *it = ab_gap_item_find(r.gap, AB_GAP_K_BYPASS, "Review", NULL);
    assert_int_equal(it->cases.of, 341);
    uint32_t k;
    ab_gap_case_deviations(r.gap, 350, &k);
    assert_int_equal(k, 0);
    /* The unfinished cases have not ended after Review either. */
    assert_null(ab_gap_item_find(r.gap, AB_GAP_K_TRANSITION, "Review", "END"));
    finish(&r);
}

static void test_review_accept(void **state)
{
    (void)state;
    run r;
    prepare(&r, keep(tu_testdata("gap/review.csv")), keep(tu_testdata("gap/review.bpmn")), NULL, 1);
    ab_gap_options o = gap_options(&r, 1);
    const char *text = "# reviewed on 2024-05-01\n"
                       "bypass,review\n"
                       "undocumented_activity,\"Phone customer\"\n"
                       "  \n"
                       "transition,Review,END\n"
                       "substitution,Approve,*\n"
                       "rework,Nothing like it\n";
    o.accept_file = tu_tmpfile(text, strlen(text), ".accept");
    compute(&r, &o);
    const ab_gap *g = r.gap;
    const ab_gap_summary *s = ab_gap_get_summary(g);
    /* Left deviating: 35 rework, 30 out of order, 6 extra steps. */
    assert_int_equal(s->case_deviation_raw.count, 201);
    assert_int_equal(s->case_deviation.count, 71);
    uint32_t raw, unacc;
    count_deviating(g, 351, &raw, &unacc);
    assert_int_equal(unacc, 71);
    const ab_gap_item *it = ab_gap_item_find(g, AB_GAP_K_BYPASS, "Review", NULL);
    assert_true(it->accepted);
    assert_int_equal(it->cases.count, 60); /* Still reported. */
    assert_true(ab_gap_item_find(g, AB_GAP_K_UNDOCUMENTED, "Phone customer", NULL)->accepted);
    assert_false(ab_gap_item_find(g, AB_GAP_K_REWORK, "Review", NULL)->accepted);
    /* The M9c gate leaves accepted steps out: Approve (substitutions
     * accepted, but the step itself not) decides. */
    ab_gap_rate rate;
    assert_int_equal(ab_gap_metric(g, "M9c", &rate), AB_OK);
    assert_int_equal(rate.count, 20);
    /* Each rule reports what it matched; the last one matched nothing. */
    char *json = json_of(g, r.ctx);
    assert_non_null(strstr(json, "{\"rule\": \"bypass,review\", \"line\": 2, \"cases\": 60}"));
    assert_non_null(
        strstr(json, "{\"rule\": \"rework,Nothing like it\", \"line\": 7, \"cases\": 0}"));
    free(json);

    /* Malformed files: the line and what was expected. */
    const char *bad[] = {"bypass,A\nbypass-ish,B\n", "bypass,A,B\n", "transition,A\n",
                         "substitution,\"A,B\n", "bypass,\n"};
    const uint64_t lines[] = {2, 1, 1, 1, 1};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o.accept_file = tu_tmpfile(bad[i], strlen(bad[i]), ".accept");
        ab_gap *x = NULL;
        ab_error err;
        ab_error_clear(&err);
        assert_int_equal(ab_gap_compute(&x, r.ctx, r.log, r.relabelled, r.conf, &o, &err),
                         AB_EPARSE);
        assert_null(x);
        assert_int_equal(err.line, lines[i]);
        assert_string_equal(err.source, o.accept_file);
    }
    o.accept_file = "/nonexistent/accept.txt";
    ab_gap *x = NULL;
    ab_error err;
    assert_int_equal(ab_gap_compute(&x, r.ctx, r.log, r.relabelled, r.conf, &o, &err), AB_EIO);
    finish(&r);
}

/* Same inputs, same bytes: twice, and with one thread against two. */
static void test_review_determinism(void **state)
{
    (void)state;
    run a, b;
    prepare(&a, keep(tu_testdata("gap/review.csv")), keep(tu_testdata("gap/review.bpmn")), NULL, 1);
    prepare(&b, keep(tu_testdata("gap/review.csv")), keep(tu_testdata("gap/review.bpmn")), NULL, 2);
    ab_gap_options oa = gap_options(&a, 1), ob = gap_options(&b, 2);
    compute(&a, &oa);
    compute(&b, &ob);
    char *ja = json_of(a.gap, a.ctx), *jb = json_of(b.gap, b.ctx);
    assert_string_equal(ja, jb);
    compute(&b, &ob);
    char *jc = json_of(b.gap, b.ctx);
    assert_string_equal(ja, jc);
    /* The seed is ignored: nothing is resampled. */
    ob.seed = 1;
    ob.resamples = 7;
    compute(&b, &ob);
    char *jd = json_of(b.gap, b.ctx);
    assert_string_equal(ja, jd);
    free(ja);
    free(jb);
    free(jc);
    free(jd);
    finish(&a);
    finish(&b);
}

/*
 * LoanApp without "Approve loan offer": every case on the offer route
 * (Design loan offer, then Approve or Cancel application) skipped the
 * approval, 310 of 500, and no other deviation. The approval is only on the
 * offer route, so M9's denominator is those 310 cases.
 */
static void test_loanapp_without_approval(void **state)
{
    (void)state;
    run r;
    prepare(&r, keep(tu_shared("logs/simod_LoanApp_simplified_without_approve_loan_offer.csv")),
            keep(tu_shared("models/simod_LoanApp_simplified.bpmn")), NULL, 0);
    ab_gap_options o = gap_options(&r, 0);
    compute(&r, &o);
    const ab_gap *g = r.gap;
    const ab_gap_summary *s = ab_gap_get_summary(g);
    assert_int_equal(s->case_deviation.count, 310);
    assert_int_equal(s->case_deviation.of, 500);
    assert_int_equal(s->undocumented_cases.count, 0);
    assert_int_equal(ab_gap_item_count(g, AB_GAP_K_UNDOCUMENTED), 0);
    assert_int_equal(ab_gap_item_count(g, AB_GAP_K_BYPASS), 1);
    assert_int_equal(s->off_model_events.count, 0);
    const ab_gap_item *it = ab_gap_item_find(g, AB_GAP_K_BYPASS, "Approve loan offer", NULL);
    assert_non_null(it);
    assert_int_equal(it->cases.count, 310);
    assert_int_equal(it->cases.of, 310);
    assert_true(it->control);
    assert_int_equal(it->mandatory, AB_NET_NO);
    assert_int_equal(it->early_exit_cases, 0);
    /*
     * Time impact. Unstratified, deviating cases take 2.69 h and conforming
     * ones 1.76 h, but all 190 conforming cases took the reject route and
     * none contains the approval: the stratum "conforming cases containing
     * Approve loan offer" is empty, so the data give "no comparable
     * baseline" (310 deviating, 0 baseline) and no number.
     */
    if (it->time.status == AB_GAP_TIME_OK) {
        assert_true(it->time.n_deviating >= 30 && it->time.n_baseline >= 30);
    } else {
        assert_true(it->time.status == AB_GAP_TIME_NO_BASELINE ||
                    it->time.status == AB_GAP_TIME_TOO_FEW);
        assert_non_null(it->time.stratum);
        assert_non_null(strstr(it->time.stratum, "Approve loan offer"));
    }
    assert_int_equal(it->time.n_deviating, 310);
    /* Nor does the fallback help: every case whose path requires the
     * approval skipped it. */
    assert_int_equal(it->time.status, AB_GAP_TIME_NO_BASELINE);
    assert_int_equal(it->time.n_stratum_conforming, 0);
    assert_int_equal(it->time.n_stratum_without, 0);
    /* The two ways out of the offer (185 cancelled, 125 approved) compare
     * with each other: no case containing "Design loan offer" conforms, so
     * the baseline of each is the cases containing it without that
     * transition, the other 125 or 185, none of them conforming. */
    const ab_gap_item *tr =
        ab_gap_item_find(g, AB_GAP_K_TRANSITION, "Design loan offer", "Cancel application");
    assert_non_null(tr);
    assert_int_equal(tr->time.status, AB_GAP_TIME_OK);
    assert_int_equal(tr->time.baseline_kind, AB_GAP_BASELINE_WITHOUT);
    assert_int_equal(tr->time.n_deviating, 185);
    assert_int_equal(tr->time.n_baseline, 125);
    assert_int_equal(tr->time.n_baseline_conforming, 0);
    assert_non_null(strstr(tr->time.stratum, "without this deviation"));
    assert_true(tr->time.ci_lo_s <= tr->time.shift_s && tr->time.shift_s <= tr->time.ci_hi_s);
    assert_false(tr->time.ci_exact);
    /* Locally, from the offer to the cancellation: no baseline case has
     * both steps. */
    assert_string_equal(tr->time.local.from, "Design loan offer");
    assert_string_equal(tr->time.local.to, "Cancel application");
    assert_int_equal(tr->time.local.n_deviating, 185);
    assert_int_equal(tr->time.local.n_baseline, 0);
    assert_int_equal(tr->time.local.status, AB_GAP_TIME_NO_BASELINE);
    const ab_gap_item *tr2 =
        ab_gap_item_find(g, AB_GAP_K_TRANSITION, "Design loan offer", "Approve application");
    assert_non_null(tr2);
    assert_int_equal(tr2->time.n_baseline, 185);
    /* The two compare the same groups the other way round. */
    assert_true(tr2->time.shift_s == -tr->time.shift_s);
    assert_true(tr2->time.ci_lo_s == -tr->time.ci_hi_s && tr2->time.ci_hi_s == -tr->time.ci_lo_s);
    assert_non_null(strstr(it->examples[0].excerpt,
                           "\xe2\x9c\x93"
                           "Design loan offer  \xe2\x9c\x97[Approve loan offer]"));
    /* Per case: exactly the cases that designed an offer skipped the approval. */
    uint32_t design;
    assert_int_equal(ab_log_activity_find(r.log, "Design loan offer", 17, &design), AB_OK);
    for (uint32_t c = 0; c < 500; c++) {
        int offered = 0;
        uint64_t first = ab_log_case_first(r.log, c);
        for (uint32_t i = 0; i < ab_log_case_length(r.log, c); i++) {
            offered |= ab_log_col_activity(r.log)[first + i] == design;
        }
        uint32_t k;
        const ab_gap_deviation *d = ab_gap_case_deviations(g, c, &k);
        assert_int_equal(k, offered ? 1 : 0);
        if (offered) {
            assert_int_equal(d[0].cls, AB_GAP_BYPASS);
            assert_string_equal(d[0].activity, "Approve loan offer");
        }
    }
    /* The shortcut it leaves, attributed to the bypass. */
    it = ab_gap_item_find(g, AB_GAP_K_TRANSITION, "Design loan offer", "Cancel application");
    assert_non_null(it);
    assert_int_equal(it->attribution[0], it->cases.count);
    assert_string_equal(it->skipped, "Approve loan offer");
    /* The approval never happened as documented. */
    assert_int_equal(ab_gap_dead_step_count(g), 1);
    assert_string_equal(ab_gap_dead_step_at(g, 0)->activity, "Approve loan offer");
    char *json = json_of(g, r.ctx);
    assert_non_null(strstr(json, "\"status\": \"no comparable baseline\""));
    free(json);
    check_cases_file(g, 500);

    /* Accepting the bypass leaves no deviating case. */
    const char *text = "bypass,Approve loan offer\n";
    o.accept_file = tu_tmpfile(text, strlen(text), ".accept");
    compute(&r, &o);
    s = ab_gap_get_summary(r.gap);
    assert_int_equal(s->case_deviation.count, 0);
    assert_int_equal(s->case_deviation_raw.count, 310);
    assert_int_equal(s->bypass_max.of, 0);
    finish(&r);
}

/* The logs that fit their maps: nothing to report. */
static void test_fitting_logs(void **state)
{
    (void)state;
    const char *pairs[][2] = {
        {"logs/simod_LoanApp_simplified.csv.gz", "models/simod_LoanApp_simplified.bpmn"},
        {"logs/pm4py_08_receipt.xes.gz", "models/pm4py_receipt.bpmn"},
        {"logs/pm4py_09_a32f0n00.xes.gz", "models/pm4py_a32f0n00.bpmn"},
        {"logs/pm4py_running-example.xes", "models/pm4py_running-example.bpmn"},
    };
    const uint32_t cases[] = {500, 1434, 1000, 6};
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        run r;
        prepare(&r, keep(tu_shared(pairs[i][0])), keep(tu_shared(pairs[i][1])), NULL, 0);
        ab_gap_options o = gap_options(&r, 0);
        compute(&r, &o);
        const ab_gap_summary *s = ab_gap_get_summary(r.gap);
        assert_int_equal(s->cases, cases[i]);
        assert_int_equal(s->case_deviation.count, 0);
        assert_int_equal(s->case_deviation.of, cases[i]);
        assert_int_equal(s->missing_steps.count, 0);
        assert_int_equal(s->off_model_events.count, 0);
        assert_true(s->fitness == 1.0);
        for (int k = 0; k < AB_GAP_K__COUNT; k++) {
            for (uint32_t j = 0; j < ab_gap_item_count(r.gap, (ab_gap_kind)k); j++) {
                /* Only repetitions the map allows may be listed. */
                const ab_gap_item *it = ab_gap_item_at(r.gap, (ab_gap_kind)k, j);
                assert_int_equal(k, AB_GAP_K_REWORK);
                assert_true(it->documented);
            }
        }
        char *json = json_of(r.gap, r.ctx);
        free(json);
        finish(&r);
    }
}

/*
 * BPI Challenge 2020, domestic declarations, with the project's label
 * mapping. "Payment Handled" (the map's end event, not a task) and the
 * rejections are unmapped, so they are undocumented by definition: every
 * case deviates (10357 of 10357), M2 26.8%, M3 19.4%, fitness 0.715. The
 * budget owner's approval is skipped in 6979 of the 9713 cases whose path
 * required it (71.9%), the administration's in 2510 of 10357; 1373 cases
 * are possibly open (their last step is no documented end). With
 * "Payment Handled" accepted, 7946 cases (76.7%) still deviate and 2411
 * conforming cases form the baseline: skipping the budget owner's
 * approval goes with a median 7.1 days instead of 10.2 (a shift of about
 * -2.8 days).
 */
static void test_bpic2020(void **state)
{
    (void)state;
    const char *map = keep(tu_datasets("maps/bpic2020_declaration_documents.map.csv"));
    if (!tu_exists(map)) {
        skip();
    }
    run r;
    prepare(&r, keep(tu_shared("logs/bpic2020_DomesticDeclarations.xes.gz")),
            keep(tu_shared("models/bpic2020_declaration_documents.bpmn")), map, 0);
    ab_gap_options o = gap_options(&r, 1);
    compute(&r, &o);
    const ab_gap *g = r.gap;
    const ab_gap_summary *s = ab_gap_get_summary(g);
    uint32_t N = ab_log_case_count(r.log);
    assert_int_equal(s->cases, N);
    assert_int_equal(N, 10357);
    assert_int_equal(s->case_deviation.of, N);
    assert_true(s->case_deviation.count <= N);
    assert_int_equal(s->case_deviation.count, s->case_deviation_raw.count);
    uint32_t raw, unacc;
    count_deviating(g, N, &raw, &unacc);
    assert_int_equal(raw, s->case_deviation.count);
    assert_true(s->model_relation_known);
    assert_true(s->possibly_open_cases < N);
    /* Every finding's counts fit its denominator; bypass denominators are
     * the cases whose path required the step. */
    for (int k = 0; k < AB_GAP_K__COUNT; k++) {
        for (uint32_t j = 0; j < ab_gap_item_count(g, (ab_gap_kind)k); j++) {
            const ab_gap_item *it = ab_gap_item_at(g, (ab_gap_kind)k, j);
            assert_true(it->cases.count <= it->cases.of);
            /* Findings below the minimum support get neither examples nor
             * a time impact: the report lists them by name and count only. */
            if (!it->supported) {
                assert_int_equal(it->time.status, AB_GAP_TIME_BELOW_SUPPORT);
                assert_int_equal(it->example_count, 0);
            } else {
                assert_int_not_equal(it->time.status, AB_GAP_TIME_BELOW_SUPPORT);
            }
            assert_true(it->cases.of <= N);
            assert_true(it->cases.count > 0);
            if (j > 0) {
                assert_true(ab_gap_item_at(g, (ab_gap_kind)k, j - 1)->cases.count >=
                            it->cases.count);
            }
        }
    }
    /* Every case deviates somewhere, so conforming baselines are empty;
     * the stratum's cases without the deviation still measure most time
     * impacts of the findings with 30 cases or more. */
    uint32_t big = 0, measured = 0;
    for (int k = 0; k < AB_GAP_K__COUNT; k++) {
        for (uint32_t j = 0; j < ab_gap_item_count(g, (ab_gap_kind)k); j++) {
            const ab_gap_time *t = &ab_gap_item_at(g, (ab_gap_kind)k, j)->time;
            if (ab_gap_item_at(g, (ab_gap_kind)k, j)->cases.count < 30 ||
                t->status == AB_GAP_TIME_NOT_APPLICABLE) {
                continue;
            }
            big++;
            if (t->status == AB_GAP_TIME_OK) {
                measured++;
                assert_int_equal(t->baseline_kind, AB_GAP_BASELINE_WITHOUT);
                assert_true(t->n_baseline >= 30 && t->n_deviating >= 30);
                assert_true(t->ci_lo_s <= t->shift_s && t->shift_s <= t->ci_hi_s);
            }
        }
    }
    printf("# BPIC 2020: %u of %u findings with 30 cases or more have a time impact\n", measured,
           big);
    assert_true(big > 0 && measured * 3 >= big * 2);
    const ab_gap_item *it = ab_gap_item_find(g, AB_GAP_K_UNDOCUMENTED, "Payment Handled", NULL);
    assert_non_null(it);
    assert_true(it->cases.count > N / 2);
    it = ab_gap_item_find(g, AB_GAP_K_BYPASS, "Declaration APPROVED by BUDGET OWNER", NULL);
    assert_non_null(it);
    assert_true(it->control);
    assert_true(it->cases.of < N);
    assert_string_equal(it->lane, "Budget Owner");
    /* The director's approval maps to nothing: never done as documented. */
    int director = 0;
    for (uint32_t i = 0; i < ab_gap_dead_step_count(g); i++) {
        director |= strcmp(ab_gap_dead_step_at(g, i)->activity, "approve") == 0;
    }
    assert_true(director);
    check_cases_file(g, N);
    char *j1 = json_of(g, r.ctx);

    /* Deterministic: another conformance run with two threads, and the
     * gap with two threads. */
    run r2;
    prepare(&r2, keep(tu_shared("logs/bpic2020_DomesticDeclarations.xes.gz")),
            keep(tu_shared("models/bpic2020_declaration_documents.bpmn")), map, 2);
    ab_gap_options o2 = gap_options(&r2, 2);
    compute(&r2, &o2);
    char *j2 = json_of(r2.gap, r2.ctx);
    assert_string_equal(j1, j2);
    free(j2);
    free(j1);
    finish(&r2);

    /* Accepting the payment system's step gives conforming cases to
     * compare with. */
    o.accept_file = keep(tu_testdata("gap/bpic2020.accept"));
    compute(&r, &o);
    g = r.gap;
    s = ab_gap_get_summary(g);
    assert_true(s->case_deviation.count < s->case_deviation_raw.count);
    count_deviating(g, N, &raw, &unacc);
    assert_int_equal(unacc, s->case_deviation.count);
    it = ab_gap_item_find(g, AB_GAP_K_BYPASS, "Declaration APPROVED by BUDGET OWNER", NULL);
    assert_int_equal(it->time.status, AB_GAP_TIME_OK);
    assert_true(it->time.n_baseline >= 30 && it->time.n_deviating >= 30);
    assert_true(it->time.ci_lo_s <= it->time.shift_s && it->time.shift_s <= it->time.ci_hi_s);
    assert_true(it->time.delta_s < 0);
    finish(&r);
}

/* A view that does not match the log is refused. */
static void test_view_mismatch(void **state)
{
    (void)state;
    run r;
    prepare(&r, keep(tu_testdata("gap/review.csv")), keep(tu_testdata("gap/review.bpmn")), NULL, 1);
    uint32_t V = ab_conform_variant_count(r.conf);
    const ab_conform_variant **vars = calloc(V, sizeof(*vars));
    for (uint32_t v = 0; v < V; v++) {
        vars[v] = ab_conform_variant_at(r.conf, v);
    }
    ab__gap_view view;
    memset(&view, 0, sizeof(view));
    view.log = r.log;
    view.net = r.relabelled;
    view.variant_count = V - 1; /* A variant's cases are missing. */
    view.variants = vars;
    ab_gap *g = NULL;
    ab_error err;
    ab_error_clear(&err);
    assert_int_equal(ab__gap_compute_view(&g, r.ctx, &view, NULL, &err), AB_EINVAL);
    assert_null(g);
    assert_non_null(strstr(err.msg, "no alignment"));
    /* A variant listed twice. */
    vars[V - 1] = vars[0];
    view.variant_count = V;
    assert_int_equal(ab__gap_compute_view(&g, r.ctx, &view, NULL, &err), AB_EINVAL);
    ab_gap_options o = AB_GAP_OPTIONS_INIT;
    o.version = 99;
    assert_int_equal(ab_gap_compute(&g, r.ctx, r.log, r.relabelled, r.conf, &o, &err), AB_EINVAL);
    free(vars);
    finish(&r);
}

/* A log digest made by the caller (log_sha256, version 4) is recorded as
 * given, in lower case, and the files are not read again; without it they
 * are, as by version 3 callers, whose struct ends before the field. */
static void test_log_sha256_given(void **state)
{
    (void)state;
    run r;
    prepare(&r, keep(tu_testdata("gap/review.csv")), keep(tu_testdata("gap/review.bpmn")), NULL, 1);
    char file_hex[65];
    ab_error err;
    ab_error_clear(&err);
    assert_int_equal(ab__sha256_files(&r.log_path, 1, file_hex, &err), AB_OK);
    static const char given[] = "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff";
    const char *gone = "/nonexistent/review.csv";
    ab_gap_options o = gap_options(&r, 1);
    o.log_files = &gone;
    o.log_sha256 = given;
    compute(&r, &o);
    char *j = json_of(r.gap, r.ctx);
    assert_non_null(strstr(
        j, "\"sha256\": \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\""));
    free(j);
    /* Without it the files are read: a missing one is an I/O error naming it. */
    ab_gap *g = NULL;
    o.log_sha256 = NULL;
    assert_int_equal(ab_gap_compute(&g, r.ctx, r.log, r.relabelled, r.conf, &o, &err), AB_EIO);
    assert_null(g);
    assert_string_equal(err.source, gone);
    assert_non_null(strstr(err.msg, "cannot open to hash"));
    /* Not 64 hex digits. */
    const char *bad[] = {"abc", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg",
                         "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o.log_sha256 = bad[i];
        assert_int_equal(ab_gap_compute(&g, r.ctx, r.log, r.relabelled, r.conf, &o, &err),
                         AB_EINVAL);
        assert_null(g);
        assert_non_null(strstr(err.msg, "log_sha256"));
    }
    /* A version 3 struct has no log_sha256: whatever lies there is not read. */
    o = gap_options(&r, 1);
    o.version = 3;
    o.log_sha256 = "not a digest";
    compute(&r, &o);
    j = json_of(r.gap, r.ctx);
    char want[80];
    snprintf(want, sizeof(want), "\"sha256\": \"%s\"", file_hex);
    assert_non_null(strstr(j, want));
    free(j);
    /* A log read from stdin has no hash, given or not. */
    const char *dash = "-";
    o = gap_options(&r, 1);
    o.log_files = &dash;
    o.log_sha256 = given;
    compute(&r, &o);
    j = json_of(r.gap, r.ctx);
    assert_null(strstr(j, "00112233445566778899aabbccddeeff"));
    free(j);
    finish(&r);
}

/* The n_deviating of a hand-off's time impact in a JSON report. */
static long handoff_n(const char *json, const char *from, const char *to)
{
    char key[256];
    snprintf(key, sizeof(key), "{\"from_role\": \"%s\", \"to_role\": \"%s\"", from, to);
    const char *p = strstr(json, key);
    assert_non_null(p);
    p = strstr(p, "\"n_deviating\": ");
    assert_non_null(p);
    return strtol(p + strlen("\"n_deviating\": "), NULL, 10);
}

/* By default every case is analysed as finished, the possibly open ones
 * too: the hand-offs' time impacts count them, as every other time impact
 * does; with --open-cases exclude they leave (BPIC 2020 has 1,373). */
static void test_handoff_open_cases(void **state)
{
    (void)state;
    const char *map = keep(tu_datasets("maps/bpic2020_declaration_documents.map.csv"));
    const char *lanes = keep(tu_datasets("maps/bpic2020_declaration_lanes.map.csv"));
    if (!tu_exists(map)) {
        skip();
    }
    run r;
    prepare(&r, keep(tu_shared("logs/bpic2020_DomesticDeclarations.xes.gz")),
            keep(tu_shared("models/bpic2020_declaration_documents.bpmn")), map, 1);
    ab_who_options who = AB_WHO_OPTIONS_INIT;
    who.role_map_file = lanes;
    ab_gap_options o = gap_options(&r, 1);
    o.who = &who;
    compute(&r, &o);
    char *closed = json_of(r.gap, r.ctx);
    o.open_cases = AB_GAP_OPEN_EXCLUDE;
    compute(&r, &o);
    char *excluded = json_of(r.gap, r.ctx);
    long a = handoff_n(closed, "ADMINISTRATION", "SUPERVISOR");
    long b = handoff_n(excluded, "ADMINISTRATION", "SUPERVISOR");
    assert_true(a > b && b > 30);
    free(closed);
    free(excluded);
    finish(&r);
}

/* ---- Shares: the per-case steps apart, the same report ---- */

static const uint64_t *split_events(const void *src, uint32_t c, uint32_t *n)
{
    return ab_conform_case_events(src, c, n);
}

static const ab_time *split_starts(const void *src, uint32_t c)
{
    return ab_conform_case_starts(src, c);
}

/* The activities under other ids: a renumbered copy of the variants
 * (their instances and moves) and the header that goes with it, the ids
 * reversed, as a driver whose activity table is not the log's gives them. */
typedef struct renumbered {
    ab_conform_variant *vars;
    const char **names, **log_names;
    uint64_t *events, *log_events;
    uint32_t *sorted;
} renumbered;

static void renumber(run *r, uint32_t V, const ab_conform_variant **vars, renumbered *out,
                     ab__gap_header *h)
{
    uint32_t K = ab_log_activity_count(r->log);
    out->vars = calloc((size_t)V + 1, sizeof(ab_conform_variant));
    out->names = calloc((size_t)K + 1, sizeof(char *));
    out->log_names = calloc((size_t)K + 1, sizeof(char *));
    out->events = calloc((size_t)K + 1, sizeof(uint64_t));
    out->log_events = calloc((size_t)K + 1, sizeof(uint64_t));
    out->sorted = calloc((size_t)K + 1, sizeof(uint32_t));
    assert_true(out->vars != NULL && out->names != NULL && out->log_names != NULL &&
                out->events != NULL && out->log_events != NULL && out->sorted != NULL);
    /* The log's header, then its activities under the reversed ids. */
    ab__gap_header_of_log(r->log, out->log_names, out->log_events, h);
    for (uint32_t a = 0; a < K; a++) {
        out->names[K - 1 - a] = out->log_names[a];
        out->events[K - 1 - a] = out->log_events[a];
        out->sorted[a] = K - 1 - h->activity_sorted[a];
    }
    h->activity_names = out->names;
    h->activity_events = out->events;
    h->activity_sorted = out->sorted;
    for (uint32_t v = 0; v < V; v++) {
        ab_conform_variant *x = &out->vars[v];
        *x = *vars[v];
        uint32_t *acts = calloc((size_t)x->length + 1, sizeof(uint32_t));
        ab_move *moves = calloc((size_t)x->move_count + 1, sizeof(ab_move));
        assert_true(acts != NULL && moves != NULL);
        for (uint32_t i = 0; i < x->length; i++) {
            acts[i] = K - 1 - x->activities[i];
        }
        for (uint32_t i = 0; i < x->move_count; i++) {
            moves[i] = x->moves[i];
            if (moves[i].activity != AB_CONFORM_NONE) {
                moves[i].activity = K - 1 - moves[i].activity;
            }
        }
        x->activities = acts;
        x->moves = moves;
        vars[v] = x;
    }
}

static void renumbered_free(renumbered *x, uint32_t V)
{
    for (uint32_t v = 0; x->vars != NULL && v < V; v++) {
        free((void *)x->vars[v].activities);
        free((void *)x->vars[v].moves);
    }
    free(x->vars);
    free(x->names);
    free(x->log_names);
    free(x->events);
    free(x->log_events);
    free(x->sorted);
}

/* The JSON and the case lines of r's gap with the cases dealt at random
 * into k shares (k = 0: the plain computation), the activities under other
 * ids with renumbered set; the caller frees it. */
static char *split_report(run *r, const ab_gap_options *o, uint32_t k, uint64_t seed,
                          int renumbered_ids)
{
    uint32_t N = ab_log_case_count(r->log), V = ab_conform_variant_count(r->conf);
    const ab_conform_variant **vars = calloc(V + 1, sizeof(*vars));
    uint32_t *cases = calloc((size_t)N + 1, sizeof(uint32_t));
    uint32_t *which = calloc((size_t)N + 1, sizeof(uint32_t));
    ab__gap_share *shares = calloc((size_t)k + 1, sizeof(*shares));
    assert_true(vars != NULL && cases != NULL && which != NULL && shares != NULL);
    for (uint32_t v = 0; v < V; v++) {
        vars[v] = ab_conform_variant_at(r->conf, v);
    }
    renumbered ren;
    memset(&ren, 0, sizeof(ren));
    ab__gap_header header;
    memset(&header, 0, sizeof(header));
    if (renumbered_ids) {
        renumber(r, V, vars, &ren, &header);
    }
    /* Shares of any size, some maybe empty; each lists its cases ascending. */
    for (uint32_t c = 0; c < N; c++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        which[c] = k > 0 ? (uint32_t)((seed >> 33) % (k * (seed >> 62 & 1 ? 1 : 3))) % k : 0;
    }
    uint32_t at = 0;
    for (uint32_t s = 0; s < k; s++) {
        shares[s].cases = cases + at;
        for (uint32_t c = 0; c < N; c++) {
            if (which[c] == s) {
                cases[at++] = c;
            }
        }
        shares[s].count = (uint32_t)(cases + at - shares[s].cases);
    }
    ab__gap_view view;
    memset(&view, 0, sizeof(view));
    view.log = r->log;
    view.header = header;
    view.net = r->relabelled;
    view.variant_count = V;
    view.variants = vars;
    view.src = r->conf;
    view.case_events = split_events;
    view.case_starts = split_starts;
    view.stats = *ab_conform_get_stats(r->conf);
    view.shares = shares;
    view.share_count = k;
    ab_gap *g = NULL;
    ab_error err;
    ab_error_clear(&err);
    if (ab__gap_compute_view(&g, r->ctx, &view, o, &err) != AB_OK) {
        fail_msg("gap over %u shares: %s", k, err.msg);
    }
    ab_buf b = AB_BUF_INIT;
    assert_int_equal(ab_gap_write_json(g, &b, NULL), AB_OK);
    if (k == 0) {
        assert_int_equal(ab_gap_write_cases(g, &b, NULL), AB_OK);
    } else {
        /* Split, the case lines come range after range (the last past the
         * end), as the CLI writes them: the same bytes. */
        uint32_t n = ab_gap_get_summary(g)->cases, step = 31 * k + 1;
        for (uint32_t first = 0; first <= n; first += step) {
            assert_int_equal(ab_gap_write_cases_range(g, &b, first, step, NULL), AB_OK);
        }
        assert_int_equal(ab_gap_write_cases_range(g, &b, n + 5, UINT32_MAX, NULL), AB_OK);
    }
    char *out = strdup(b.ptr);
    assert_non_null(out);
    ab_buf_dispose(&b);
    ab_gap_destroy(g);
    renumbered_free(&ren, V);
    free(vars);
    free(cases);
    free(which);
    free(shares);
    return out;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The open-case horizon is open_horizon times the 95th percentile of the
 * cycle times, as quantile_sorted takes it over all of them (the
 * shares find its two order statistics by counting). */
static void check_horizon(const ab_gap *g)
{
    double *v = calloc((size_t)g->case_count + 1, sizeof(double));
    assert_non_null(v);
    size_t n = 0;
    for (uint32_t c = 0; c < g->case_count; c++) {
        if (ab__gap_case_ct(g, c) != INT64_MIN) {
            v[n++] = (double)ab__gap_case_ct(g, c);
        }
    }
    assert_true(n > 20);
    qsort(v, n, sizeof(double), cmp_double);
    double want = g->opts.open_horizon * quantile_sorted(v, n, 0.95) / 1e6;
    assert_true(want > 0);
    assert_true(g->summary.open_horizon_s == want);
    free(v);
}

/* However the cases are split into shares, the report and the case lines
 * are those of the plain computation, byte for byte: on logs with open
 * cases (BPIC 2020: 1,373 possibly open; the review log; Purchasing, whose
 * cases begin with lifecycle starts), with them kept and excluded. */
static void test_shares(void **state)
{
    (void)state;
    const char *map = keep(tu_datasets("maps/bpic2020_declaration_documents.map.csv"));
    /* Who did the work in full on BPIC 2020: lanes' roles, duties kept
     * apart, a system account, and accepted deviations. */
    ab_who_options who = AB_WHO_OPTIONS_INIT;
    who.role_map_file = keep(tu_datasets("maps/bpic2020_declaration_lanes.map.csv"));
    who.sod_file = keep(tu_testdata("who/bpic2020.sod.csv"));
    who.system_resources = "SYSTEM";
    struct {
        const char *log, *model, *map;
        const ab_who_options *who;
        const char *accept;
    } logs[] = {
        {keep(tu_testdata("gap/review.csv")), keep(tu_testdata("gap/review.bpmn")), NULL, NULL,
         NULL},
        {keep(tu_shared("logs/bpic2020_DomesticDeclarations.xes.gz")),
         keep(tu_shared("models/bpic2020_declaration_documents.bpmn")), map, &who,
         keep(tu_testdata("gap/bpic2020_who.accept"))},
        /* Lifecycle starts: a case begins with its first start. */
        {keep(tu_datasets("logs/simod_PurchasingExample.xes.gz")),
         keep(tu_datasets("models/simod_PurchasingExample.bpmn")), NULL, NULL, NULL},
    };
    for (size_t l = 0; l < sizeof(logs) / sizeof(logs[0]); l++) {
        if (!tu_exists(logs[l].log) || (logs[l].map != NULL && !tu_exists(logs[l].map))) {
            continue;
        }
        run r;
        prepare(&r, logs[l].log, logs[l].model, logs[l].map, 1);
        for (int exclude = 0; exclude < 2; exclude++) {
            ab_gap_options o = gap_options(&r, 2);
            o.open_cases = exclude ? AB_GAP_OPEN_EXCLUDE : AB_GAP_OPEN_CLOSED;
            o.who = logs[l].who;
            o.accept_file = logs[l].accept;
            compute(&r, &o);
            check_horizon(r.gap);
            char *want = split_report(&r, &o, 0, 0, 0);
            assert_non_null(strstr(want, "\"possibly_open_cases\": "));
            assert_null(strstr(want, "\"possibly_open_cases\": 0,"));
            if (logs[l].who != NULL) {
                /* The who section has what the split must not change. */
                assert_non_null(strstr(want, "{\"from_role\": \"ADMINISTRATION\""));
                assert_non_null(strstr(want, "\"with_both\": "));
                /* The accept rules of who did the work counted their cases. */
                assert_non_null(strstr(
                    want, "\"rule\": \"role,prepare payment,*\", \"line\": 8, \"cases\": 9705}"));
                assert_non_null(strstr(want, "\"sod_violations\": [{\"a\""));
                assert_non_null(strstr(want, "\"role_violations\": [{\"position\""));
            }
            /* Then the activities under other ids (a driver's table, not the
             * log's), where who did the work, which reads the log, is off. */
            static const uint32_t ks[] = {1, 2, 3, 7, 3};
            for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
                int ren = i == 4;
                if (ren && logs[l].who != NULL) {
                    continue;
                }
                char *got = split_report(&r, &o, ks[i], 1000 + i * 17 + (uint64_t)exclude, ren);
                if (strcmp(got, want) != 0) {
                    size_t at = 0;
                    while (got[at] == want[at]) {
                        at++;
                    }
                    fail_msg("%s, %u shares%s, open cases %s: differs at byte %zu: %.80s",
                             logs[l].log, ks[i], ren ? ", activities renumbered" : "",
                             exclude ? "excluded" : "kept", at, got + at);
                }
                free(got);
            }
            free(want);
        }
        finish(&r);
    }
}

/* Every allocation of the computation and the writers may fail cleanly. */
/* ---- The findings' tally ---- */

/* The tally (lists 0) or the findings' groups (lists 1) of groups first,
 * first + step, ... of g, written. */
static ab_buf written_of(ab_gap *g, uint32_t first, uint32_t step, int lists)
{
    ab__gap_acc A;
    ab_buf b = AB_BUF_INIT;
    assert_int_equal(ab__gap_acc_init(&A, g, 1), AB_OK);
    assert_int_equal(ab__gap_acc_groups(&A, first, step), AB_OK);
    assert_int_equal(lists ? ab__gap_lists_write(&A, &b) : ab__gap_tally_write(&A, &b), AB_OK);
    ab__gap_acc_finish(&A);
    return b;
}

static ab_buf tally_of(ab_gap *g, uint32_t first, uint32_t step)
{
    return written_of(g, first, step, 0);
}

/* Each finding's groups (key, then group, move, repetitions), as text. */
static char *lists_text(const ab__gap_acc *A)
{
    ab_buf b = AB_BUF_INIT;
    uint32_t n = A->entry_count;
    /* In key order: the findings' order depends on the merge. */
    ab__gap_key *keys = calloc((size_t)n + 1, sizeof(*keys));
    assert_non_null(keys);
    for (uint32_t i = 0; i < n; i++) {
        keys[i] = A->entries[i].key;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t best = UINT32_MAX;
        for (uint32_t j = 0; j < n; j++) {
            if (keys[j].kind == UINT32_MAX) {
                continue;
            }
            if (best == UINT32_MAX || memcmp(&keys[j], &keys[best], sizeof(keys[j])) < 0) {
                best = j;
            }
        }
        const ab__gap_entry *e = &A->entries[best];
        assert_int_equal(
            ab_buf_printf(&b, A->g->ctx, "%u %u %u %u:", e->key.kind, e->key.a, e->key.b, e->key.c),
            AB_OK);
        for (uint32_t k = 0; k < e->group_count; k++) {
            assert_int_equal(
                ab_buf_printf(&b, A->g->ctx, " %u/%u/%u", e->groups[k], e->moves[k], e->repeats[k]),
                AB_OK);
        }
        assert_int_equal(ab_buf_append(&b, A->g->ctx, "\n", 1), AB_OK);
        keys[best].kind = UINT32_MAX;
    }
    free(keys);
    char *out = strdup(b.ptr != NULL ? b.ptr : "");
    ab_buf_dispose(&b);
    return out;
}

/* parts[order[0]], parts[order[1]], ... merged into an empty tally on g, written. */
static ab_buf merged_of(ab_gap *g, const ab_buf *parts, const uint32_t *order, uint32_t n)
{
    ab__gap_acc A;
    ab_buf b = AB_BUF_INIT;
    assert_int_equal(ab__gap_acc_init(&A, g, 1), AB_OK);
    for (uint32_t i = 0; i < n; i++) {
        const ab_buf *p = &parts[order[i]];
        assert_int_equal(ab__gap_tally_merge(&A, p->ptr, p->len), AB_OK);
    }
    assert_int_equal(ab__gap_tally_write(&A, &b), AB_OK);
    ab__gap_acc_finish(&A);
    return b;
}

static void assert_same_bytes(const ab_buf *x, const ab_buf *y)
{
    assert_int_equal(x->len, y->len);
    assert_memory_equal(x->ptr, y->ptr, x->len);
}

/*
 * The tallies of the groups split over P processes (each counting every
 * P-th group), merged in process order or backwards, write the bytes of one
 * tally of all groups; so do they when merged on another computation of the
 * same log whose interned names have other ids (names travel as text). A
 * tally of another shape, or cut short, is refused. The findings' groups,
 * merged the same way (one part twice), are one process's, in group order.
 */
static void test_tally_split(void **state)
{
    (void)state;
    const char *map = keep(tu_datasets("maps/bpic2020_declaration_documents.map.csv"));
    struct {
        const char *log, *model, *map;
    } logs[] = {
        {keep(tu_testdata("gap/review.csv")), keep(tu_testdata("gap/review.bpmn")), NULL},
        {keep(tu_shared("logs/bpic2020_DomesticDeclarations.xes.gz")),
         keep(tu_shared("models/bpic2020_declaration_documents.bpmn")), map},
    };
    for (size_t li = 0; li < sizeof(logs) / sizeof(logs[0]); li++) {
        if (!tu_exists(logs[li].log) || (logs[li].map != NULL && !tu_exists(logs[li].map))) {
            continue;
        }
        run r, other;
        prepare(&r, logs[li].log, logs[li].model, logs[li].map, 1);
        ab_gap_options o = gap_options(&r, 1);
        o.open_cases = AB_GAP_OPEN_EXCLUDE; /* Open groups apart: more groups, and M10. */
        compute(&r, &o);
        ab_gap *g = r.gap;
        assert_true(g->group_count > 5);
        ab_buf whole = tally_of(g, 0, 1);
        assert_true(whole.len > 1000);
        ab__gap_acc W;
        assert_int_equal(ab__gap_acc_init(&W, g, 1), AB_OK);
        assert_int_equal(ab__gap_acc_groups(&W, 0, 1), AB_OK);
        char *want_lists = lists_text(&W);
        ab__gap_acc_finish(&W);
        assert_true(strlen(want_lists) > 100);
        for (uint32_t P = 1; P <= 5; P++) {
            ab_buf parts[5];
            uint32_t fwd[5], back[5];
            for (uint32_t q = 0; q < P; q++) {
                parts[q] = tally_of(g, q, P);
                fwd[q] = q;
                back[q] = P - 1 - q;
            }
            ab_buf m1 = merged_of(g, parts, fwd, P), m2 = merged_of(g, parts, back, P);
            assert_same_bytes(&m1, &whole);
            assert_same_bytes(&m2, &whole);
            ab_buf_dispose(&m1);
            ab_buf_dispose(&m2);
            /* The findings' groups, merged backwards: each in group order. */
            ab__gap_acc L;
            assert_int_equal(ab__gap_acc_init(&L, g, 1), AB_OK);
            for (uint32_t q = 0; q < P; q++) {
                ab_buf_dispose(&parts[q]);
                parts[q] = written_of(g, back[q], P, 1);
                assert_int_equal(ab__gap_lists_merge(&L, parts[q].ptr, parts[q].len), AB_OK);
                if (q == 0 && P > 1) { /* A group listed twice counts once. */
                    assert_int_equal(ab__gap_lists_merge(&L, parts[q].ptr, parts[q].len), AB_OK);
                }
            }
            assert_int_equal(ab__gap_lists_finish(&L), AB_OK);
            char *got = lists_text(&L);
            assert_string_equal(got, want_lists);
            free(got);
            ab__gap_acc_finish(&L);
            for (uint32_t q = 0; q < P; q++) {
                ab_buf_dispose(&parts[q]);
            }
        }
        /* Another computation, its names table shifted. */
        prepare(&other, logs[li].log, logs[li].model, logs[li].map, 1);
        ab_gap_options oo = gap_options(&other, 1);
        oo.open_cases = AB_GAP_OPEN_EXCLUDE;
        compute(&other, &oo);
        uint32_t id;
        assert_int_equal(ab__strtab_intern(&other.gap->names, "\x01 shifted", 9, &id), AB_OK);
        uint32_t one = 0;
        ab_buf m3 = merged_of(other.gap, &whole, &one, 1);
        assert_same_bytes(&m3, &whole);
        ab_buf_dispose(&m3);
        /* Cut short, or with one more byte: refused. */
        ab__gap_acc A;
        assert_int_equal(ab__gap_acc_init(&A, g, 1), AB_OK);
        assert_int_equal(ab__gap_tally_merge(&A, whole.ptr, whole.len - 1), AB_EINVAL);
        assert_int_equal(ab__gap_tally_merge(&A, whole.ptr, 12), AB_EINVAL);
        ab__gap_acc_finish(&A);
        assert_int_equal(ab_buf_append(&whole, r.ctx, "", 1), AB_OK);
        assert_int_equal(ab__gap_acc_init(&A, g, 1), AB_OK);
        assert_int_equal(ab__gap_tally_merge(&A, whole.ptr, whole.len), AB_EINVAL);
        ab__gap_acc_finish(&A);
        ab_buf_dispose(&whole);
        free(want_lists);
        finish(&other);
        finish(&r);
    }
}

static void test_alloc_failures(void **state)
{
    (void)state;
    run r;
    prepare(&r, keep(tu_testdata("gap/review.csv")), keep(tu_testdata("gap/review.bpmn")), NULL, 1);
    const char *text = "bypass,Review\ntransition,Review,END\n";
    const char *accept = tu_tmpfile(text, strlen(text), ".accept");
    uint64_t runs = 0;
    for (uint64_t fail = 1;; fail++) {
        tu_alloc a = {0, fail, 0, 0};
        ab_ctx *ctx = tu_ctx_counting(&a);
        ab_gap_options o = gap_options(&r, 1);
        o.accept_file = accept;
        ab_gap *g = NULL;
        ab_buf b = AB_BUF_INIT;
        int rc = ab_gap_compute(&g, ctx, r.log, r.relabelled, r.conf, &o, NULL);
        if (rc == AB_OK) {
            rc = ab_gap_write_json(g, &b, NULL);
        }
        if (rc == AB_OK) {
            rc = ab_gap_write_markdown(g, &b, NULL);
        }
        if (rc == AB_OK) {
            rc = ab_gap_write_cases(g, &b, NULL);
        }
        if (rc == AB_OK) {
            rc = ab_gap_write_text(g, &b, NULL);
        }
        ab_buf_dispose(&b);
        ab_gap_destroy(g);
        ab_ctx_destroy(ctx);
        assert_int_equal(a.live, 0);
        runs++;
        if (a.failed == 0) {
            assert_int_equal(rc, AB_OK);
            break;
        }
        assert_int_equal(rc, AB_ENOMEM);
    }
    assert_true(runs > 50);
    finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_bypass_and_early_exit),
        cmocka_unit_test(test_classify_log_classes),
        cmocka_unit_test(test_classify_out_of_order),
        cmocka_unit_test(test_classify_substitution),
        cmocka_unit_test(test_classify_reference),
        cmocka_unit_test(test_classify_arguments),
        cmocka_unit_test(test_wilson),
        cmocka_unit_test(test_pair_select),
        cmocka_unit_test(test_lehmann_moses),
        cmocka_unit_test(test_sha256_and_format),
        cmocka_unit_test(test_json_check),
        cmocka_unit_test(test_review_planted),
        cmocka_unit_test(test_review_open_cases),
        cmocka_unit_test(test_review_accept),
        cmocka_unit_test(test_review_determinism),
        cmocka_unit_test(test_loanapp_without_approval),
        cmocka_unit_test(test_fitting_logs),
        cmocka_unit_test(test_bpic2020),
        cmocka_unit_test(test_view_mismatch),
        cmocka_unit_test(test_shares),
        cmocka_unit_test(test_handoff_open_cases),
        cmocka_unit_test(test_tally_split),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_log_sha256_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
