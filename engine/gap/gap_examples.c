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
 * done, the completion of the instance before it (the case start if none).
 * Which instance: *pos (UINT32_MAX: none); *at_start when it is the start. */
static void when(const ab__gap_group *gr, uint32_t move, uint32_t *pos, int *at_start)
{
    *pos = UINT32_MAX;
    *at_start = 0;
    if (move >= gr->v->move_count) {
        return;
    }
    const ab_move *m = &gr->v->moves[move];
    uint32_t n = gr->v->length; /* Every case of the group has its instances. */
    if (m->kind == AB_MOVE_SYNC || m->kind == AB_MOVE_LOG) {
        *pos = m->position;
    } else if (m->position == 0 || m->position > n) {
        *at_start = 1;
    } else {
        *pos = m->position - 1;
    }
}

/* The cases of one finding: one per group in order (the smallest id of
 * each), filled up from the first group by id. */
static uint32_t choose(const ab_gap *g, const ab__gap_entry *e, uint32_t *gsel, uint32_t *cases,
                       uint32_t *moves)
{
    uint32_t n = 0;
    for (uint32_t k = 0; k < e->group_count && n < EXAMPLES; k++) {
        gsel[n] = e->groups[k];
        cases[n] = g->groups[e->groups[k]].smallest[0];
        moves[n] = e->moves[k];
        n++;
    }
    /* The first group's next smallest (the other groups' cases are not in it). */
    for (uint32_t j = 1; n > 0 && j < AB__GAP_SMALLEST && n < EXAMPLES; j++) {
        uint32_t c = g->groups[gsel[0]].smallest[j];
        if (c == UINT32_MAX) {
            break;
        }
        gsel[n] = gsel[0];
        moves[n] = moves[0];
        cases[n] = c;
        n++;
    }
    return n;
}

int ab__gap_examples(ab_gap *g, const ab__gap_entry *entries, ab_gap_item *const *items,
                     uint32_t count)
{
    /* The cases first, then their times from the shares in one call. */
    size_t cap = (size_t)count * EXAMPLES + 1;
    uint32_t *cases = ab__malloc(g->ctx, sizeof(uint32_t) * cap * 2);
    uint8_t *at_start = ab__malloc(g->ctx, cap);
    ab_time *times = ab__malloc(g->ctx, sizeof(ab_time) * cap * 3);
    ab_gap_example **made = ab__calloc(g->ctx, (size_t)count + 1, sizeof(*made));
    int rc = cases != NULL && at_start != NULL && times != NULL && made != NULL ? AB_OK : AB_ENOMEM;
    uint32_t *pos = cases != NULL ? cases + cap : NULL;
    ab_time *start = times, *end = times != NULL ? times + cap : NULL;
    ab_time *at = times != NULL ? times + 2 * cap : NULL;
    size_t total = 0;
    for (uint32_t f = 0; f < count && rc == AB_OK; f++) {
        uint32_t gsel[EXAMPLES], chosen[EXAMPLES], moves[EXAMPLES];
        uint32_t n = choose(g, &entries[f], gsel, chosen, moves);
        ab_gap_item *item = items[f];
        item->examples = NULL;
        item->example_count = n;
        if (n == 0) {
            continue;
        }
        ab_gap_example *ex = ab__arena_alloc(&g->arena, sizeof(ab_gap_example) * EXAMPLES);
        if (ex == NULL) {
            rc = AB_ENOMEM;
            break;
        }
        for (uint32_t i = 0; i < n && rc == AB_OK; i++) {
            ab__gap_group *gr = &g->groups[gsel[i]];
            int first;
            /* Over processes, a group with no case here is classified when
             * it is shown. */
            if (gr->cls == NULL && (rc = ab__gap_classify_group(g, gr)) != AB_OK) {
                break;
            }
            ex[i].case_index = chosen[i];
            ex[i].move = moves[i];
            when(gr, moves[i], &pos[total], &first);
            at_start[total] = (uint8_t)first;
            cases[total++] = chosen[i];
            rc = excerpt(g, gr, moves[i], &ex[i].excerpt);
        }
        item->examples = ex;
        made[f] = ex;
    }
    if (rc == AB_OK && total > 0) {
        rc = g->parts.case_times(g->parts.payload, total, cases, pos, start, end, at);
    }
    for (uint32_t f = 0, k = 0; rc == AB_OK && f < count; f++) {
        for (uint32_t i = 0; i < items[f]->example_count; i++, k++) {
            ab_gap_example *ex = &made[f][i];
            ex->start = start[k];
            ex->end = end[k];
            ex->at = at_start[k] ? start[k] : at[k];
        }
    }
    ab__free(g->ctx, made);
    ab__free(g->ctx, cases);
    ab__free(g->ctx, at_start);
    ab__free(g->ctx, times);
    return rc;
}
