/*
 * gap/gap_examples.c: example cases for each finding, chosen
 * deterministically: one case per variant in variant order (the most
 * frequent variant first), the smallest case id of each; when fewer than
 * three variants have the finding, the next smallest ids of the first.
 * Each example carries the alignment around the deviation and its times.
 */
#include "gap/gap_int.h"

#include <stdio.h>

#define EXAMPLES AB__GAP_SMALLEST
/* Moves shown on each side of the deviation. */
#define CONTEXT 2

static int buf_add(ab_ctx *ctx, char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (AB_GROW(ctx, *buf, *cap, *len + n + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
    return AB_OK;
}

/* "… ✓a  ✗[b]  +x  ✓c …": sync ✓, documented step not done ✗[ ], step done
 * outside the documentation +, step of an unfinished case not reached ○[ ]. */
static int excerpt(ab_gap *g, const ab__gap_group *gr, uint32_t move, const char **out)
{
    const ab_conform_variant *v = gr->v;
    if (move >= v->move_count) {
        *out = "";
        return AB_OK;
    }
    uint32_t before = 0, after = 0, lo = move, hi = move;
    while (lo > 0 && before < CONTEXT) {
        lo--;
        before += v->moves[lo].kind != AB_MOVE_SILENT;
    }
    while (hi + 1 < v->move_count && after < CONTEXT) {
        hi++;
        after += v->moves[hi].kind != AB_MOVE_SILENT;
    }
    int more_left = 0, more_right = 0;
    for (uint32_t i = 0; i < lo; i++) {
        more_left |= v->moves[i].kind != AB_MOVE_SILENT;
    }
    for (uint32_t i = hi + 1; i < v->move_count; i++) {
        more_right |= v->moves[i].kind != AB_MOVE_SILENT;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = buf_add(g->ctx, &buf, &len, &cap, more_left ? "\xe2\x80\xa6" : "");
    int tokens = 0;
    for (uint32_t i = lo; i <= hi && i < v->move_count && rc == AB_OK; i++) {
        const ab_move *m = &v->moves[i];
        if (m->kind == AB_MOVE_SILENT) {
            continue;
        }
        const char *name = ab__gap_move_name(g, m);
        const char *pre = "", *post = "";
        if (m->kind == AB_MOVE_SYNC) {
            pre = "\xe2\x9c\x93"; /* ✓ */
        } else if (m->kind == AB_MOVE_LOG) {
            pre = "+";
        } else if (gr->cls[i].cls == AB_GAP_DROPPED) {
            pre = "\xe2\x97\x8b["; /* ○ */
            post = "]";
        } else {
            pre = "\xe2\x9c\x97["; /* ✗ */
            post = "]";
        }
        rc = buf_add(g->ctx, &buf, &len, &cap, tokens > 0 ? "  " : more_left ? " " : "");
        tokens++;
        if (rc == AB_OK) {
            rc = buf_add(g->ctx, &buf, &len, &cap, pre);
        }
        if (rc == AB_OK) {
            rc = buf_add(g->ctx, &buf, &len, &cap, name);
        }
        if (rc == AB_OK) {
            rc = buf_add(g->ctx, &buf, &len, &cap, post);
        }
    }
    if (rc == AB_OK && more_right) {
        rc = buf_add(g->ctx, &buf, &len, &cap, " \xe2\x80\xa6");
    }
    if (rc == AB_OK) {
        *out = ab__arena_strndup(&g->arena, buf != NULL ? buf : "", len);
        rc = *out != NULL ? AB_OK : AB_ENOMEM;
    }
    ab__free(g->ctx, buf);
    return rc;
}

/* When the deviation happened: the instance's completion, or for a step not
 * done, the completion of the instance before it (the case start if none). */
static ab_time when(const ab_gap *g, const ab__gap_group *gr, uint32_t c, uint32_t move)
{
    if (move >= gr->v->move_count) {
        return AB_TIME_NONE;
    }
    const ab_move *m = &gr->v->moves[move];
    const ab_time *ts = ab_log_col_time(g->log);
    uint32_t n = 0;
    const uint64_t *ev = g->view->case_events(g->view->src, c, &n);
    if (ts == NULL || ev == NULL) {
        return AB_TIME_NONE;
    }
    if (m->kind == AB_MOVE_SYNC || m->kind == AB_MOVE_LOG) {
        return m->position < n ? ts[ev[m->position]] : AB_TIME_NONE;
    }
    if (m->position == 0 || m->position > n) {
        return g->case_first[c];
    }
    return ts[ev[m->position - 1]];
}

int ab__gap_examples(ab_gap *g, const ab__gap_entry *e, ab_gap_item *item)
{
    uint32_t gsel[EXAMPLES], cases[EXAMPLES], moves[EXAMPLES];
    uint32_t n = 0;
    for (uint32_t k = 0; k < e->group_count && n < EXAMPLES; k++) {
        gsel[n] = e->groups[k];
        cases[n] = g->groups[e->groups[k]].smallest[0];
        moves[n] = e->moves[k];
        n++;
    }
    if (n == 0) {
        return AB_OK;
    }
    ab_gap_example *ex = ab__arena_alloc(&g->arena, sizeof(ab_gap_example) * EXAMPLES);
    if (ex == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        ex[i].case_index = cases[i];
    }
    /* Fill up from the first group, by case id: its next smallest (the
     * other groups' cases are not in it). */
    const ab__gap_group *g0 = &g->groups[gsel[0]];
    for (uint32_t j = 1; j < AB__GAP_SMALLEST && n < EXAMPLES; j++) {
        uint32_t c = g0->smallest[j];
        if (c == UINT32_MAX) {
            break;
        }
        gsel[n] = gsel[0];
        moves[n] = moves[0];
        ex[n].case_index = c;
        n++;
    }
    for (uint32_t i = 0; i < n; i++) {
        const ab__gap_group *gr = &g->groups[gsel[i]];
        uint32_t c = ex[i].case_index;
        ex[i].move = moves[i];
        ex[i].start = g->case_first[c];
        ex[i].end = g->case_last[c];
        ex[i].at = when(g, gr, c, moves[i]);
        int rc = excerpt(g, gr, moves[i], &ex[i].excerpt);
        if (rc != AB_OK) {
            return rc;
        }
    }
    item->examples = ex;
    item->example_count = n;
    return AB_OK;
}
