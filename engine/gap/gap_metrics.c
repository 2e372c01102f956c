/*
 * gap/gap_metrics.c: the metrics M0-M13 and the findings of the report,
 * counted once per group of cases (cases that share a classified alignment)
 * and weighted by the group's size. Findings are accumulated by key, then
 * finished: denominators, minimum support, accepted flags, mandatory and
 * control tags, context, time impact, examples, then sorted for output.
 */
#include "gap/gap_int.h"

#include <stdio.h>
#include <stdlib.h>

/* Per-activity scratch for one group. */
typedef struct ab__gap_act_scr {
    uint32_t occ, sync, rework, ooo, extra;
    uint32_t rework_first, ooo_first, extra_first;
} act_scr;

/* Per-label scratch for one group. */
typedef struct ab__gap_label_scr {
    uint8_t required, bypassed, early, synced;
    uint32_t bypasses, first_move, first_trans;
} label_scr;

typedef ab__gap_acc acc;

int ab__gap_acc_init(acc *A, ab_gap *g, int own_sums)
{
    ab_ctx *ctx = g->ctx;
    memset(A, 0, sizeof(*A));
    A->g = g;
    A->own_sums = own_sums;
    int rc = ab__gap_map_init(&A->map, ctx);
    if (rc == AB_OK && (rc = ab__gap_map_init(&A->cmap, ctx)) != AB_OK) {
        ab__gap_map_finish(&A->map);
    }
    if (rc != AB_OK) {
        memset(A, 0, sizeof(*A));
        return rc;
    }
    const size_t K = (size_t)g->activity_count + 1, L = (size_t)g->label_count + 1;
    A->act = ab__calloc(ctx, K, sizeof(act_scr));
    A->lab = ab__calloc(ctx, L, sizeof(label_scr));
    if (own_sums) {
        A->act_cases = ab__calloc(ctx, K, sizeof(uint64_t));
        A->act_events = ab__calloc(ctx, K, sizeof(uint64_t));
        A->label_required = ab__calloc(ctx, L, sizeof(uint64_t));
        A->label_sync_cases = ab__calloc(ctx, L, sizeof(uint64_t));
        A->label_absent = ab__calloc(ctx, L, sizeof(uint64_t));
        A->label_bypass_cases = ab__calloc(ctx, L, sizeof(uint64_t));
    } else {
        A->act_cases = g->act_cases;
        A->act_events = g->act_events;
        A->label_required = g->label_required;
        A->label_sync_cases = g->label_sync_cases;
        A->label_absent = g->label_absent;
        A->label_bypass_cases = g->label_bypass_cases;
    }
    if (A->act == NULL || A->lab == NULL || A->act_cases == NULL || A->act_events == NULL ||
        A->label_required == NULL || A->label_sync_cases == NULL || A->label_absent == NULL ||
        A->label_bypass_cases == NULL) {
        ab__gap_acc_finish(A);
        return AB_ENOMEM;
    }
    return AB_OK;
}

void ab__gap_acc_finish(acc *A)
{
    if (A->g == NULL) {
        return;
    }
    ab_ctx *ctx = A->g->ctx;
    for (uint32_t i = 0; i < A->entry_count; i++) {
        ab__free(ctx, A->entries[i].groups);
        ab__free(ctx, A->entries[i].moves);
        ab__free(ctx, A->entries[i].repeats);
        ab__free(ctx, A->entries[i].reps);
    }
    ab__free(ctx, A->entries);
    ab__free(ctx, A->counts);
    ab__free(ctx, A->act);
    ab__free(ctx, A->lab);
    ab__free(ctx, A->text);
    if (A->own_sums) {
        ab__free(ctx, A->act_cases);
        ab__free(ctx, A->act_events);
        ab__free(ctx, A->label_required);
        ab__free(ctx, A->label_sync_cases);
        ab__free(ctx, A->label_absent);
        ab__free(ctx, A->label_bypass_cases);
    }
    ab__gap_map_finish(&A->map);
    ab__gap_map_finish(&A->cmap);
    memset(A, 0, sizeof(*A));
}

static int touch(acc *A, ab_gap_kind kind, uint32_t a, uint32_t b, uint32_t c, uint32_t gi,
                 uint32_t move, uint32_t repeats, uint32_t *index_out)
{
    ab__gap_key k = {(uint32_t)kind, a, b, c};
    uint32_t idx;
    int rc = ab__gap_acc_entry(A, k, &idx);
    if (rc != AB_OK) {
        return rc;
    }
    ab__gap_entry *e = &A->entries[idx];
    const ab__gap_group *gr = &A->g->groups[gi];
    if (e->last_group != gi) {
        ab_ctx *ctx = A->g->ctx;
        /* Most findings of a log of one-off deviations stay in one group:
         * three arrays of 16 would outweigh the finding. */
        if (AB_GROW_FROM(ctx, e->groups, e->groups_cap, e->group_count + 1, 1) != AB_OK ||
            AB_GROW_FROM(ctx, e->moves, e->moves_cap, e->group_count + 1, 1) != AB_OK ||
            AB_GROW_FROM(ctx, e->repeats, e->repeats_cap, e->group_count + 1, 1) != AB_OK) {
            return AB_ENOMEM;
        }
        e->last_group = gi;
        e->cases += gr->here;
        e->groups[e->group_count] = gi;
        e->moves[e->group_count] = move;
        e->repeats[e->group_count] = repeats;
        e->group_count++;
        if (gr->v->approximate) {
            e->approximate_cases += gr->here;
        }
    }
    *index_out = idx;
    return AB_OK;
}

/* Appends a name to the scratch text, ", "-separated; interns at the end. */
static int text_add(acc *A, size_t *len, const char *name)
{
    size_t n = strlen(name);
    if (AB_GROW(A->g->ctx, A->text, A->text_cap, *len + n + 3) != AB_OK) {
        return AB_ENOMEM;
    }
    if (*len > 0) {
        memcpy(A->text + *len, ", ", 2);
        *len += 2;
    }
    memcpy(A->text + *len, name, n);
    *len += n;
    A->text[*len] = '\0';
    return AB_OK;
}

static uint32_t move_label(const ab_gap *g, const ab_move *m)
{
    if (m->transition >= ab_net_transition_count(g->net)) {
        return AB_NET_SILENT;
    }
    return ab_net_transition_at(g->net, m->transition)->label_id;
}

/* The class of each deviating move decides why an undocumented transition
 * occurred (M6): 0 = a bypass, 1 = an extra or undocumented step, 2 = reorder. */
static int attribute(acc *A, const ab__gap_group *gr, int64_t p, size_t *skipped_len)
{
    const ab_conform_variant *v = gr->v;
    uint32_t ma = p < 0 ? AB_CONFORM_NONE : gr->pos_move[p];
    uint32_t mb = p + 1 >= (int64_t)v->length ? AB_CONFORM_NONE : gr->pos_move[p + 1];
    const uint32_t ends[2] = {ma, mb};
    int extra = 0;
    for (int k = 0; k < 2; k++) {
        if (ends[k] == AB_CONFORM_NONE || v->moves[ends[k]].kind != AB_MOVE_LOG) {
            continue;
        }
        if (gr->cls[ends[k]].cls == AB_GAP_OUT_OF_ORDER) {
            return 2;
        }
        extra = 1;
    }
    if (extra) {
        return 1;
    }
    uint32_t from = ma == AB_CONFORM_NONE ? 0 : ma + 1;
    uint32_t to = mb == AB_CONFORM_NONE ? v->move_count : mb;
    int skips = 0, others = 0;
    *skipped_len = 0;
    for (uint32_t i = from; i < to; i++) {
        ab_gap_class c = gr->cls[i].cls;
        if (c == AB_GAP_SILENT) {
            continue;
        }
        if (v->moves[i].kind == AB_MOVE_MODEL && (c == AB_GAP_BYPASS || c == AB_GAP_SUBSTITUTION)) {
            skips++;
            if (text_add(A, skipped_len, ab__gap_move_name(A->g, &v->moves[i])) != AB_OK) {
                return -1;
            }
        } else {
            others++;
        }
    }
    return skips > 0 && others == 0 ? 0 : 2;
}

static int group_pass(acc *A, uint32_t gi)
{
    ab_gap *g = A->g;
    const ab__gap_group *gr = &g->groups[gi];
    const ab_conform_variant *v = gr->v;
    const uint64_t n = gr->here;
    const uint32_t len = v->length, L = g->label_count;
    const uint32_t *acts = v->activities;
    const uint32_t *distinct = g->variant_acts[gr->variant];
    const uint32_t dn = g->variant_act_count[gr->variant];
    int rc = AB_OK;
    uint32_t idx;

    for (uint32_t i = 0; i < len; i++) {
        A->act[acts[i]].occ++;
    }
    uint64_t logm = 0, modelm = 0, syncm = 0;
    int has_rework = 0, has_ooo = 0, has_early = 0, has_docrework = 0, has_undoc = 0;
    uint32_t last_sync = AB_CONFORM_NONE;
    for (uint32_t i = 0; i < v->move_count; i++) {
        const ab_move *m = &v->moves[i];
        const ab_gap_move_class *c = &gr->cls[i];
        if (m->kind == AB_MOVE_SYNC) {
            syncm++;
            A->act[m->activity].sync++;
            last_sync = i;
        } else if (m->kind == AB_MOVE_LOG) {
            logm++;
        } else if (m->kind == AB_MOVE_MODEL && c->cls != AB_GAP_DROPPED) {
            modelm++;
        }
        if (c->cls == AB_GAP_REWORK) {
            if (A->act[m->activity].rework++ == 0) {
                A->act[m->activity].rework_first = i;
            }
            has_rework = 1;
        } else if (c->cls == AB_GAP_OUT_OF_ORDER && m->kind == AB_MOVE_LOG) {
            if (A->act[m->activity].ooo++ == 0) {
                A->act[m->activity].ooo_first = i < c->partner ? i : c->partner;
            }
            has_ooo = 1;
        } else if (c->cls == AB_GAP_EXTRA_STEP) {
            if (A->act[m->activity].extra++ == 0) {
                A->act[m->activity].extra_first = i;
            }
        }
        has_early |= c->early_exit && !gr->open;
    }
    A->m1 += gr->deviating ? n : 0;
    A->m1_raw += gr->deviating_raw ? n : 0;
    A->log_moves += logm * n;
    A->model_moves += modelm * n;
    A->sync_moves += syncm * n;
    A->events += (uint64_t)len * n;
    A->cost += (uint64_t)v->cost * n;
    A->worst += (uint64_t)v->worst_cost * n;

    /* Per activity: presence, undocumented activities (M4), rework (M7,
     * M7b), out of order (M8), extra steps. */
    for (uint32_t k = 0; k < dn; k++) {
        uint32_t a = distinct[k];
        act_scr *s = &A->act[a];
        A->act_cases[a] += n;
        A->act_events[a] += (uint64_t)s->occ * n;
        uint32_t first_pos = 0;
        while (acts[first_pos] != a) {
            first_pos++;
        }
        if (!g->documented[a]) {
            has_undoc = 1;
            AB_TRY(touch(A, AB_GAP_K_UNDOCUMENTED, a, 0, 0, gi, gr->pos_move[first_pos], 0, &idx));
            A->entries[idx].occurrences += (uint64_t)s->occ * n;
            for (uint32_t p = first_pos; p < len; p++) {
                if (acts[p] != a) {
                    continue;
                }
                uint32_t pred = p > 0 ? acts[p - 1] : AB__GAP_CODE_START;
                uint32_t succ = p + 1 < len ? acts[p + 1] : AB__GAP_CODE_END;
                AB_TRY(ab__gap_acc_count(A, AB__GAP_CNT_CONTEXT, a, pred, succ, n));
            }
        }
        if (s->rework > 0) {
            AB_TRY(touch(A, AB_GAP_K_REWORK, a, 0, 0, gi, s->rework_first, s->rework, &idx));
            A->entries[idx].occurrences += (uint64_t)s->rework * n;
        }
        if (s->occ >= 2 && s->sync == s->occ) {
            has_docrework = 1;
            AB_TRY(
                touch(A, AB_GAP_K_REWORK, a, 1, 0, gi, gr->pos_move[first_pos], s->occ - 1, &idx));
            A->entries[idx].documented = 1;
            A->entries[idx].occurrences += (uint64_t)(s->occ - 1) * n;
        }
        if (s->ooo > 0) {
            AB_TRY(touch(A, AB_GAP_K_OUT_OF_ORDER, a, 0, 0, gi, s->ooo_first, 0, &idx));
            A->entries[idx].occurrences += (uint64_t)s->ooo * n;
        }
        if (s->extra > 0) {
            AB_TRY(touch(A, AB_GAP_K_EXTRA_STEP, a, 0, 0, gi, s->extra_first, 0, &idx));
            A->entries[idx].occurrences += (uint64_t)s->extra * n;
        }
    }
    A->m7 += has_rework ? n : 0;
    A->m7b += has_docrework ? n : 0;
    A->m8 += has_ooo ? n : 0;
    A->undoc_cases += has_undoc ? n : 0;

    /* Substitutions: each pair once, keyed by the documented step's label
     * and the activity done instead. */
    for (uint32_t i = 0; i < v->move_count; i++) {
        const ab_gap_move_class *c = &gr->cls[i];
        if (c->cls != AB_GAP_SUBSTITUTION || c->partner < i) {
            continue;
        }
        const ab_move *m = &v->moves[i], *p = &v->moves[c->partner];
        const ab_move *model = m->kind == AB_MOVE_MODEL ? m : p;
        const ab_move *log = m->kind == AB_MOVE_MODEL ? p : m;
        AB_TRY(touch(A, AB_GAP_K_SUBSTITUTION, move_label(g, model), log->activity, 0, gi, i, 0,
                     &idx));
        A->entries[idx].occurrences += n;
    }

    /* Out of order: which step a was swapped with. When the map put a
     * earlier, the step done in its place comes right after its model move;
     * when a was done early, the step it jumped comes right before. */
    for (uint32_t i = 0; i < v->move_count; i++) {
        const ab_gap_move_class *c = &gr->cls[i];
        if (c->cls != AB_GAP_OUT_OF_ORDER || v->moves[i].kind != AB_MOVE_LOG) {
            continue;
        }
        uint32_t mm = c->partner, other = AB_CONFORM_NONE;
        uint32_t after = mm < i;
        if (after) {
            for (uint32_t k = mm + 1; k < i && other == AB_CONFORM_NONE; k++) {
                other = v->moves[k].kind == AB_MOVE_SYNC ? v->moves[k].activity : other;
            }
        } else {
            for (uint32_t k = mm; k-- > i + 1 && other == AB_CONFORM_NONE;) {
                other = v->moves[k].kind == AB_MOVE_SYNC ? v->moves[k].activity : other;
            }
        }
        if (other != AB_CONFORM_NONE) {
            AB_TRY(ab__gap_acc_count(A, AB__GAP_CNT_ORDER, v->moves[i].activity, other, after, n));
        }
    }

    /* Steps the case's own path required, and those it skipped (M9, M9c,
     * M9m, M11). Open cases under "exclude" stay out of the bypass metrics. */
    for (uint32_t i = 0; i < v->move_count; i++) {
        const ab_move *m = &v->moves[i];
        uint32_t l = move_label(g, m);
        if (l >= L || (m->kind != AB_MOVE_SYNC && m->kind != AB_MOVE_MODEL) ||
            gr->cls[i].cls == AB_GAP_DROPPED) {
            continue;
        }
        label_scr *s = &A->lab[l];
        s->required = 1;
        if (m->kind == AB_MOVE_SYNC) {
            s->synced = 1;
        } else if (gr->cls[i].cls == AB_GAP_BYPASS || gr->cls[i].cls == AB_GAP_SUBSTITUTION) {
            if (s->bypasses++ == 0) {
                s->first_move = i;
                s->first_trans = m->transition;
            }
            s->bypassed = 1;
            s->early |= (uint8_t)gr->cls[i].early_exit;
        }
    }
    int ctrl_req = 0, ctrl_byp = 0;
    for (uint32_t i = 0; i < v->move_count; i++) {
        uint32_t l = move_label(g, &v->moves[i]);
        if (l >= L || !A->lab[l].required) {
            continue;
        }
        label_scr *s = &A->lab[l];
        if (s->synced) {
            A->label_sync_cases[l] += n;
        }
        if (!gr->open) {
            A->label_required[l] += n;
            ctrl_req |= g->control[l];
            if (s->bypassed) {
                ctrl_byp |= g->control[l];
                A->label_bypass_cases[l] += n;
                AB_TRY(touch(A, AB_GAP_K_BYPASS, l, 0, 0, gi, s->first_move, 0, &idx));
                A->entries[idx].occurrences += (uint64_t)s->bypasses * n;
                A->entries[idx].early_exit_cases += s->early ? (uint32_t)n : 0;
                AB_TRY(ab__gap_acc_count(A, AB__GAP_CNT_ELEMENT, l, s->first_trans, 0, n));
            }
        }
        memset(s, 0, sizeof(*s));
    }
    if (!gr->open) {
        A->ctrl_den += ctrl_req ? n : 0;
        A->ctrl_num += ctrl_byp ? n : 0;
        A->closed_cases += n;
        for (uint32_t l = 0; l < L; l++) {
            uint32_t a = g->label_act[l];
            int present = 0;
            if (a != AB_CONFORM_NONE) {
                for (uint32_t k = 0; k < dn && !present; k++) {
                    present = distinct[k] == a;
                }
            }
            A->label_absent[l] += present ? 0 : n;
        }
    }

    /* Early exit (M10): the last step done and the documented steps skipped
     * after it. */
    if (has_early) {
        size_t tl = 0;
        for (uint32_t i = 0; i < v->move_count; i++) {
            if (gr->cls[i].early_exit) {
                AB_TRY(text_add(A, &tl, ab__gap_move_name(g, &v->moves[i])));
            }
        }
        uint32_t sid;
        AB_TRY(ab__strtab_intern(&g->names, A->text, tl, &sid));
        uint32_t after =
            last_sync != AB_CONFORM_NONE ? v->moves[last_sync].activity : AB__GAP_CODE_START;
        AB_TRY(touch(A, AB_GAP_K_EARLY_EXIT, after, sid, 0, gi,
                     last_sync != AB_CONFORM_NONE ? last_sync + 1 : 0, 0, &idx));
        A->entries[idx].occurrences += n;
        A->m10 += n;
    }

    /* Undocumented transitions (M5) and why they happened (M6). */
    if (g->model.known) {
        for (int64_t p = -1; p < (int64_t)len; p++) {
            int at_end = p + 1 >= (int64_t)len;
            if (at_end && gr->open) {
                continue; /* An unfinished case has not ended anywhere. */
            }
            uint32_t a = p < 0 ? AB__GAP_CODE_START : acts[p];
            uint32_t b = at_end ? AB__GAP_CODE_END : acts[p + 1];
            uint32_t la = p < 0 ? AB__GAP_START(L) : g->act_label[a];
            uint32_t lb = at_end ? AB__GAP_END(L) : g->act_label[b];
            if (la != AB_NET_SILENT && lb != AB_NET_SILENT && ab__gap_df(&g->model, la, lb)) {
                continue;
            }
            /* The move shown for it: b's, or a's at the end (an empty
             * trace has neither: its first move). */
            uint32_t move = !at_end ? gr->pos_move[p + 1] : p >= 0 ? gr->pos_move[p] : 0;
            AB_TRY(touch(A, AB_GAP_K_TRANSITION, a, b, 0, gi, move, 0, &idx));
            size_t sl = 0;
            int why = attribute(A, gr, p, &sl);
            if (why < 0) {
                rc = AB_ENOMEM;
                goto done;
            }
            A->entries[idx].occurrences += n;
            A->entries[idx].attribution[why] += n;
            if (why == 0) {
                uint32_t sid;
                AB_TRY(ab__strtab_intern(&g->names, A->text, sl, &sid));
                AB_TRY(ab__gap_acc_count(A, AB__GAP_CNT_SKIPPED, a, b, sid, n));
            }
        }
    }
done:
    for (uint32_t k = 0; k < dn; k++) {
        memset(&A->act[distinct[k]], 0, sizeof(act_scr));
    }
    return rc;
}

/* ---- Finishing ---- */

static const char *code_name(const ab_gap *g, uint32_t code)
{
    if (code == AB__GAP_CODE_START) {
        return "START";
    }
    if (code == AB__GAP_CODE_END) {
        return "END";
    }
    return ab__gap_act_name(g, code);
}

/* Picks the most frequent context, element and skipped list per finding;
 * ties go to the smaller names, so the choice does not depend on order. */
static void pick_best(acc *A)
{
    ab_gap *g = A->g;
    for (uint32_t i = 0; i < A->cmap.count; i++) {
        ab__gap_key k = A->cmap.keys[i];
        uint64_t c = A->counts[i];
        ab__gap_key ek = {0, k.a, 0, 0};
        if (k.kind == AB__GAP_CNT_ELEMENT) {
            ek.kind = AB_GAP_K_BYPASS;
        } else if (k.kind == AB__GAP_CNT_CONTEXT) {
            ek.kind = AB_GAP_K_UNDOCUMENTED;
        } else if (k.kind == AB__GAP_CNT_ORDER) {
            ek.kind = AB_GAP_K_OUT_OF_ORDER;
        } else {
            ek.kind = AB_GAP_K_TRANSITION;
            ek.b = k.b;
        }
        uint32_t e = ab__gap_map_find(&A->map, ek);
        if (e == UINT32_MAX) {
            continue;
        }
        ab__gap_entry *en = &A->entries[e];
        uint32_t nb = k.kind == AB__GAP_CNT_SKIPPED ? k.c : k.b;
        uint32_t nc = k.kind == AB__GAP_CNT_CONTEXT || k.kind == AB__GAP_CNT_ORDER ? k.c : 0;
        int better = c > en->best_count;
        if (c == en->best_count && en->best_b != UINT32_MAX) {
            if (k.kind == AB__GAP_CNT_ELEMENT) {
                better = nb < en->best_b;
            } else if (k.kind == AB__GAP_CNT_CONTEXT || k.kind == AB__GAP_CNT_ORDER) {
                int d = strcmp(code_name(g, nb), code_name(g, en->best_b));
                better =
                    d < 0 || (d == 0 && strcmp(code_name(g, nc), code_name(g, en->best_c)) < 0);
            } else {
                better = strcmp(ab__strtab_str(&g->names, nb),
                                ab__strtab_str(&g->names, en->best_b)) < 0;
            }
        }
        if (better) {
            en->best_count = c;
            en->best_b = nb;
            en->best_c = nc;
        }
    }
}

/* The median of the repetition counts of a rework finding's cases. */
static double median_repeats(const ab__gap_entry *e)
{
    const ab__gap_rep *r = e->reps; /* By value. */
    uint64_t total = 0;
    for (uint32_t i = 0; i < e->rep_count; i++) {
        total += r[i].weight;
    }
    uint64_t lo_rank = (total + 1) / 2, hi_rank = total / 2 + 1, seen = 0;
    double lo = 0, hi = 0;
    int have_lo = 0;
    for (uint32_t i = 0; i < e->rep_count; i++) {
        seen += r[i].weight;
        if (!have_lo && seen >= lo_rank) {
            lo = r[i].value;
            have_lo = 1;
        }
        if (seen >= hi_rank) {
            hi = r[i].value;
            break;
        }
    }
    return total % 2 == 1 ? lo : (lo + hi) / 2;
}

static int item_accepted(const ab_gap *g, const ab_gap_item *it, const ab__gap_entry *e)
{
    for (uint32_t r = 0; r < g->rule_count; r++) {
        const ab__gap_rule *rule = &g->rules[r];
        const char *a = NULL, *b = NULL;
        ab__gap_rule_type want;
        switch (it->kind) {
        case AB_GAP_K_BYPASS:
            want = AB__RULE_BYPASS;
            a = g->label_norm[e->key.a];
            break;
        case AB_GAP_K_UNDOCUMENTED:
            want = AB__RULE_UNDOCUMENTED;
            a = g->act_norm[e->key.a];
            break;
        case AB_GAP_K_REWORK:
            if (it->documented) {
                return 0;
            }
            want = AB__RULE_REWORK;
            a = g->act_norm[e->key.a];
            break;
        case AB_GAP_K_OUT_OF_ORDER:
            want = AB__RULE_OUT_OF_ORDER;
            a = g->act_norm[e->key.a];
            break;
        case AB_GAP_K_EXTRA_STEP:
            want = AB__RULE_EXTRA;
            a = g->act_norm[e->key.a];
            break;
        case AB_GAP_K_SUBSTITUTION:
            want = AB__RULE_SUBSTITUTION;
            a = e->key.a < g->label_count ? g->label_norm[e->key.a] : NULL;
            b = g->act_norm[e->key.b];
            break;
        case AB_GAP_K_TRANSITION:
            want = AB__RULE_TRANSITION;
            a = e->key.a == AB__GAP_CODE_START ? "start" : g->act_norm[e->key.a];
            b = e->key.b == AB__GAP_CODE_END ? "end" : g->act_norm[e->key.b];
            break;
        default:
            return 0;
        }
        if (rule->type == want && ab__gap_rule_match(rule->a, a) &&
            (b == NULL || ab__gap_rule_match(rule->b, b))) {
            return 1;
        }
    }
    return 0;
}

static int cmp_item(const void *pa, const void *pb)
{
    const ab_gap_item *a = pa, *b = pb;
    if (a->cases.count != b->cases.count) {
        return a->cases.count > b->cases.count ? -1 : 1;
    }
    if (a->kind == AB_GAP_K_TRANSITION) {
        /* Then by time impact, measured ones first, larger shift first. */
        int ma = a->time.status == AB_GAP_TIME_OK, mb = b->time.status == AB_GAP_TIME_OK;
        if (ma != mb) {
            return ma ? -1 : 1;
        }
        if (ma && a->time.delta_s != b->time.delta_s) {
            return a->time.delta_s > b->time.delta_s ? -1 : 1;
        }
    }
    int d = strcmp(a->activity, b->activity);
    if (d != 0) {
        return d;
    }
    if (a->documented != b->documented) {
        return a->documented - b->documented;
    }
    return strcmp(a->other != NULL ? a->other : "", b->other != NULL ? b->other : "");
}

static int cmp_dead_step(const void *pa, const void *pb)
{
    const ab_gap_dead_step *a = pa, *b = pb;
    if (a->dead != b->dead) {
        return a->dead ? -1 : 1;
    }
    if (a->sync_cases != b->sync_cases) {
        return a->sync_cases < b->sync_cases ? -1 : 1;
    }
    return strcmp(a->activity, b->activity);
}

static int cmp_dead_path(const void *pa, const void *pb)
{
    const ab_gap_dead_path *a = pa, *b = pb;
    return strcmp(a->flow_id, b->flow_id);
}

static int cmp_option(const void *pa, const void *pb)
{
    const ab_gap_unused_option *a = pa, *b = pb;
    int d = strcmp(a->gateway, b->gateway);
    return d != 0 ? d : strcmp(a->option, b->option);
}

/* Turns the entries into the report's items. */
static int finish_items(acc *A, ab_error *err)
{
    ab_gap *g = A->g;
    ab_ctx *ctx = g->ctx;
    uint32_t count = A->entry_count;
    uint32_t fill[AB_GAP_K__COUNT] = {0};
    ab_gap_item **where = ab__malloc(ctx, sizeof(ab_gap_item *) * ((size_t)count + 1));
    ab__gap_entry *shown_e = NULL;
    if (where == NULL) {
        return ab__error(err, AB_ENOMEM, "gap", 0, 0, "out of memory");
    }
    int rc = AB_OK;
    for (uint32_t i = 0; i < count; i++) {
        g->item_count[A->entries[i].kind]++;
    }
    for (int k = 0; k < AB_GAP_K__COUNT; k++) {
        if (g->item_count[k] > 0) {
            g->items[k] = ab__arena_alloc(&g->arena, sizeof(ab_gap_item) * g->item_count[k]);
            if (g->items[k] == NULL) {
                rc = AB_ENOMEM;
                goto done;
            }
            memset(g->items[k], 0, sizeof(ab_gap_item) * g->item_count[k]);
        }
    }
    uint64_t N = g->case_count;
    for (uint32_t i = 0; i < count; i++) {
        ab__gap_entry *e = &A->entries[i];
        ab_gap_item *it = &g->items[e->kind][fill[e->kind]++];
        where[i] = it;
        it->kind = e->kind;
        it->occurrences = e->occurrences;
        it->approximate_cases = e->approximate_cases;
        it->documented = e->documented;
        it->mandatory = AB_NET_UNKNOWN;
        it->supported = e->cases >= g->min_support;
        uint64_t of = N;
        e->anchor = e->key.a;
        switch (e->kind) {
        case AB_GAP_K_BYPASS: {
            uint32_t l = e->key.a;
            it->activity = ab__gap_label_name(g, l);
            of = g->label_required[l];
            it->control = g->control[l];
            it->early_exit_cases = e->early_exit_cases;
            const ab_net_transition *t =
                ab_net_transition_at(g->net, e->best_b != UINT32_MAX ? e->best_b : 0);
            it->element_id = t->element_id;
            it->lane = t->lane;
            if (g->mandatory[l] == 2) {
                int m = AB_NET_UNKNOWN;
                rc = ab_net_label_is_mandatory(g->net, l, g->opts.max_states, &m, err);
                if (rc != AB_OK) {
                    goto done;
                }
                g->mandatory[l] = (int8_t)m;
            }
            it->mandatory = g->mandatory[l];
            if (it->mandatory == AB_NET_YES) {
                it->absent = ab__gap_rate(g->label_absent[l], g->closed_cases);
            }
            e->anchor = g->label_act[l] != AB_CONFORM_NONE ? g->label_act[l] : AB__GAP_ANCHOR_NONE;
            break;
        }
        case AB_GAP_K_UNDOCUMENTED:
            it->activity = ab__gap_act_name(g, e->key.a);
            it->events = ab__gap_rate(e->occurrences, A->events);
            it->before = e->best_b != UINT32_MAX ? code_name(g, e->best_b) : NULL;
            it->after = e->best_c != UINT32_MAX ? code_name(g, e->best_c) : NULL;
            /* Stratum: cases that reached the usual predecessor. */
            e->anchor = e->best_b == AB__GAP_CODE_START || e->best_b == UINT32_MAX
                            ? AB__GAP_ANCHOR_END
                            : e->best_b;
            e->filter = 1;
            break;
        case AB_GAP_K_TRANSITION:
            it->activity = code_name(g, e->key.a);
            it->other = code_name(g, e->key.b);
            memcpy(it->attribution, e->attribution, sizeof(it->attribution));
            it->skipped = e->best_b != UINT32_MAX ? ab__strtab_str(&g->names, e->best_b) : NULL;
            if (e->key.a == AB__GAP_CODE_START) {
                e->anchor = AB__GAP_ANCHOR_END;
                e->filter = 1;
            }
            break;
        case AB_GAP_K_REWORK:
        case AB_GAP_K_OUT_OF_ORDER:
        case AB_GAP_K_EXTRA_STEP:
            it->activity = ab__gap_act_name(g, e->key.a);
            of = g->act_cases[e->key.a];
            if (e->kind == AB_GAP_K_REWORK) {
                it->median_repeats = median_repeats(e);
            }
            if (e->kind == AB_GAP_K_OUT_OF_ORDER && e->best_b != UINT32_MAX) {
                it->neighbour = ab__gap_act_name(g, e->best_b);
                it->happened_after = e->best_c == 1;
            }
            break;
        case AB_GAP_K_SUBSTITUTION:
            it->activity = ab__gap_label_name(g, e->key.a);
            it->other = ab__gap_act_name(g, e->key.b);
            e->anchor = e->key.a < g->label_count && g->label_act[e->key.a] != AB_CONFORM_NONE
                            ? g->label_act[e->key.a]
                            : AB__GAP_ANCHOR_NONE;
            break;
        case AB_GAP_K_EARLY_EXIT:
            it->activity = code_name(g, e->key.a);
            it->other = ab__strtab_str(&g->names, e->key.b);
            of = g->closed_cases;
            if (e->key.a == AB__GAP_CODE_START) {
                e->anchor = AB__GAP_ANCHOR_END;
                e->filter = 1;
            }
            break;
        default:
            break;
        }
        e->of = of;
        it->cases = ab__gap_rate(e->cases, of);
        it->accepted = item_accepted(g, it, e);
    }
    /* Time impacts and examples only for the findings the report shows on
     * their own: the rest are listed by name and count, and a log of a
     * million one-off activities must not pay for a million of each. The
     * shown ones are copied, in order, to the front of `shown_e` and
     * `where` (entries keep their places: the finding map indexes them). */
    uint32_t shown = 0;
    for (uint32_t i = 0; i < count; i++) {
        shown += where[i]->supported != 0;
    }
    shown_e = ab__malloc(ctx, sizeof(*shown_e) * ((size_t)shown + 1));
    if (shown_e == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    shown = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (where[i]->supported) {
            shown_e[shown] = A->entries[i];
            where[shown++] = where[i];
        } else {
            memset(&where[i]->time, 0, sizeof(where[i]->time));
            where[i]->time.status = AB_GAP_TIME_BELOW_SUPPORT;
        }
    }
    rc = ab__gap_time_impacts(g, shown_e, where, shown);
    if (rc != AB_OK) {
        goto done;
    }
    rc = ab__gap_examples(g, shown_e, where, shown);
    if (rc != AB_OK) {
        goto done;
    }
    for (int k = 0; k < AB_GAP_K__COUNT; k++) {
        if (g->item_count[k] > 1) {
            qsort(g->items[k], g->item_count[k], sizeof(ab_gap_item), cmp_item);
        }
        for (uint32_t i = 0; i < g->item_count[k]; i++) {
            const ab_gap_item *it = &g->items[k][i];
            if (!it->supported && !(k == AB_GAP_K_REWORK && it->documented)) {
                g->other_kinds[k]++;
            }
        }
    }
done:
    ab__free(ctx, where);
    ab__free(ctx, shown_e);
    if (rc == AB_ENOMEM) {
        ab__error(err, rc, "gap", 0, 0, "out of memory");
    }
    return rc;
}

/* Whether the finding with this key is below the minimum support. */
static int rare(const acc *A, ab_gap_kind kind, uint32_t a, uint32_t b)
{
    ab__gap_key k = {(uint32_t)kind, a, b, 0};
    uint32_t e = ab__gap_map_find(&A->map, k);
    return e != UINT32_MAX && e < A->entry_count && A->entries[e].cases < A->g->min_support;
}

/* The cases with a deviation of a finding below the minimum support, once
 * per kind and once overall ("other deviations (k kinds, n cases)"). Early
 * exits are bypasses too and are counted as such. */
static void other_cases(acc *A)
{
    ab_gap *g = A->g;
    const uint32_t L = g->label_count;
    for (uint32_t gi = 0; gi < g->group_count; gi++) {
        const ab__gap_group *gr = &g->groups[gi];
        const ab_conform_variant *v = gr->v;
        if (gr->here == 0) {
            continue;
        }
        uint8_t flag[AB_GAP_K__COUNT] = {0};
        for (uint32_t i = 0; i < v->move_count; i++) {
            const ab_move *m = &v->moves[i];
            const ab_gap_move_class *c = &gr->cls[i];
            switch (c->cls) {
            case AB_GAP_BYPASS:
                flag[AB_GAP_K_BYPASS] |= !gr->open && rare(A, AB_GAP_K_BYPASS, move_label(g, m), 0);
                break;
            case AB_GAP_UNDOCUMENTED:
                flag[AB_GAP_K_UNDOCUMENTED] |= rare(A, AB_GAP_K_UNDOCUMENTED, m->activity, 0);
                break;
            case AB_GAP_REWORK:
                flag[AB_GAP_K_REWORK] |= rare(A, AB_GAP_K_REWORK, m->activity, 0);
                break;
            case AB_GAP_OUT_OF_ORDER:
                flag[AB_GAP_K_OUT_OF_ORDER] |=
                    m->kind == AB_MOVE_LOG && rare(A, AB_GAP_K_OUT_OF_ORDER, m->activity, 0);
                break;
            case AB_GAP_EXTRA_STEP:
                flag[AB_GAP_K_EXTRA_STEP] |= rare(A, AB_GAP_K_EXTRA_STEP, m->activity, 0);
                break;
            case AB_GAP_SUBSTITUTION:
                if (m->kind == AB_MOVE_MODEL) {
                    const ab_move *p = &v->moves[c->partner];
                    flag[AB_GAP_K_SUBSTITUTION] |=
                        rare(A, AB_GAP_K_SUBSTITUTION, move_label(g, m), p->activity);
                    flag[AB_GAP_K_BYPASS] |=
                        !gr->open && rare(A, AB_GAP_K_BYPASS, move_label(g, m), 0);
                }
                break;
            default:
                break;
            }
        }
        for (int64_t p = -1; g->model.known && p < (int64_t)v->length; p++) {
            int at_end = p + 1 >= (int64_t)v->length;
            if (at_end && gr->open) {
                continue;
            }
            uint32_t a = p < 0 ? AB__GAP_CODE_START : v->activities[p];
            uint32_t b = at_end ? AB__GAP_CODE_END : v->activities[p + 1];
            uint32_t la = p < 0 ? AB__GAP_START(L) : g->act_label[a];
            uint32_t lb = at_end ? AB__GAP_END(L) : g->act_label[b];
            if (la != AB_NET_SILENT && lb != AB_NET_SILENT && ab__gap_df(&g->model, la, lb)) {
                continue;
            }
            flag[AB_GAP_K_TRANSITION] |= rare(A, AB_GAP_K_TRANSITION, a, b);
        }
        int any = 0;
        for (int k = 0; k < AB_GAP_K__COUNT; k++) {
            g->other_cases[k] += flag[k] ? gr->here : 0;
            any |= flag[k];
        }
        g->other_total_cases += any ? gr->here : 0;
    }
}

/* Dead steps (M11), dead paths (M12) and unused options (M13). */
static int model_side(ab_gap *g)
{
    const ab_net *net = g->net;
    uint32_t L = g->label_count, T = ab_net_transition_count(net), P = ab_net_place_count(net);
    const ab_bpmn *bm = g->opts.model;
    uint32_t n = 0;
    for (uint32_t l = 0; l < L; l++) {
        n += g->label_sync_cases[l] * 100 < g->case_count;
    }
    if (n > 0) {
        g->dead_steps = ab__arena_alloc(&g->arena, sizeof(ab_gap_dead_step) * n);
        if (g->dead_steps == NULL) {
            return AB_ENOMEM;
        }
    }
    for (uint32_t l = 0; l < L; l++) {
        if (g->label_sync_cases[l] * 100 >= g->case_count) {
            continue;
        }
        ab_gap_dead_step *d = &g->dead_steps[g->dead_step_count++];
        d->activity = ab_net_label(net, l);
        d->element_id = NULL;
        for (uint32_t t = 0; t < T && d->element_id == NULL; t++) {
            if (ab_net_transition_at(net, t)->label_id == l) {
                d->element_id = ab_net_transition_at(net, t)->element_id;
            }
        }
        d->sync_cases = (uint32_t)g->label_sync_cases[l];
        d->dead = g->label_sync_cases[l] == 0;
    }
    if (g->dead_step_count > 1) {
        qsort(g->dead_steps, g->dead_step_count, sizeof(ab_gap_dead_step), cmp_dead_step);
    }
    if (!g->replay.valid) {
        return AB_OK;
    }
    n = 0;
    for (uint32_t p = 0; p < P; p++) {
        const ab_net_place *pl = ab_net_place_at(net, p);
        n += pl->flow_id != NULL && !g->replay.marked[p];
    }
    if (n > 0) {
        g->dead_paths = ab__arena_alloc(&g->arena, sizeof(ab_gap_dead_path) * n);
        if (g->dead_paths == NULL) {
            return AB_ENOMEM;
        }
    }
    for (uint32_t p = 0; p < P; p++) {
        const ab_net_place *pl = ab_net_place_at(net, p);
        if (pl->flow_id == NULL || g->replay.marked[p]) {
            continue;
        }
        int dup = 0;
        for (uint32_t i = 0; i < g->dead_path_count && !dup; i++) {
            dup = strcmp(g->dead_paths[i].flow_id, pl->flow_id) == 0;
        }
        if (dup) {
            continue;
        }
        ab_gap_dead_path *d = &g->dead_paths[g->dead_path_count++];
        d->flow_id = pl->flow_id;
        d->from_element = d->to_element = NULL;
        uint32_t f;
        if (bm != NULL && ab_bpmn_flow_find(bm, pl->flow_id, &f) == AB_OK) {
            d->from_element = ab_bpmn_flow_at(bm, f)->source_ref;
            d->to_element = ab_bpmn_flow_at(bm, f)->target_ref;
        }
    }
    if (g->dead_path_count > 1) {
        qsort(g->dead_paths, g->dead_path_count, sizeof(ab_gap_dead_path), cmp_dead_path);
    }
    /* A gateway branch that was on offer when a case passed but was never
     * taken, and whose flow no case ever used. */
    n = 0;
    for (uint32_t t = 0; t < T; t++) {
        n += g->replay.enabled[t] && !g->replay.fired[t];
    }
    if (n == 0) {
        return AB_OK;
    }
    g->options = ab__arena_alloc(&g->arena, sizeof(ab_gap_unused_option) * n);
    if (g->options == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t t = 0; t < T; t++) {
        const ab_net_transition *x = ab_net_transition_at(net, t);
        if (!g->replay.enabled[t] || g->replay.fired[t] || x->kind != AB_NET_T_GATEWAY) {
            continue;
        }
        for (uint32_t k = 0; k < x->out_count; k++) {
            const ab_net_place *pl = ab_net_place_at(net, x->out[k].place);
            if (pl->flow_id == NULL || g->replay.marked[x->out[k].place]) {
                continue;
            }
            ab_gap_unused_option *o = &g->options[g->option_count];
            o->gateway = x->element_id;
            o->gateway_name = "";
            o->flow_id = pl->flow_id;
            o->option = pl->flow_id;
            uint32_t node, f;
            if (bm != NULL && ab_bpmn_node_find(bm, x->element_id, &node) == AB_OK) {
                o->gateway_name = ab_bpmn_node_at(bm, node)->label;
            }
            if (bm != NULL && ab_bpmn_flow_find(bm, pl->flow_id, &f) == AB_OK &&
                ab_bpmn_flow_at(bm, f)->target != AB_BPMN_NONE) {
                const ab_bpmn_node *to = ab_bpmn_node_at(bm, ab_bpmn_flow_at(bm, f)->target);
                o->option = *to->label != '\0' ? to->label : to->id;
            }
            int dup = 0;
            for (uint32_t i = 0; i < g->option_count && !dup; i++) {
                dup = strcmp(g->options[i].gateway, o->gateway) == 0 &&
                      strcmp(g->options[i].option, o->option) == 0;
            }
            if (!dup) {
                g->option_count++;
            }
            break;
        }
    }
    if (g->option_count > 1) {
        qsort(g->options, g->option_count, sizeof(ab_gap_unused_option), cmp_option);
    }
    return AB_OK;
}

/* The step with the highest bypass rate among the findings shown and not
 * accepted (the M9 / M9c gates). */
static ab_gap_rate max_bypass(const ab_gap *g, int controls_only)
{
    ab_gap_rate best = ab__gap_rate(0, 0);
    const ab_gap_item *bi = NULL;
    for (uint32_t i = 0; i < g->item_count[AB_GAP_K_BYPASS]; i++) {
        const ab_gap_item *it = &g->items[AB_GAP_K_BYPASS][i];
        if (!it->supported || it->accepted || (controls_only && !it->control)) {
            continue;
        }
        if (bi == NULL || it->cases.rate > bi->cases.rate) {
            bi = it;
        }
    }
    if (bi != NULL) {
        best = bi->cases;
    }
    return best;
}

int ab__gap_acc_groups(acc *A, uint32_t first, uint32_t step)
{
    const ab_gap *g = A->g;
    for (uint64_t gi = first; gi < g->group_count; gi += step) {
        if (g->groups[gi].here == 0) {
            continue;
        }
        int rc = group_pass(A, (uint32_t)gi);
        if (rc != AB_OK) {
            return rc;
        }
        if (g->groups[gi].v->approximate) {
            A->approximate_cases += g->groups[gi].here;
        }
    }
    return ab__gap_acc_reps(A);
}

/* Over processes: the tallies added up in process order, and each
 * finding's groups (those of every process's cases) in order. A process
 * sends its tally's length, its tally, then its lists. */
static int merge_processes(acc *A)
{
    ab_gap *g = A->g;
    ab_buf msg = AB_BUF_INIT;
    uint64_t tlen = 0;
    int rc = ab_buf_append(&msg, g->ctx, &tlen, sizeof(tlen));
    rc = rc == AB_OK ? ab__gap_tally_write(A, &msg) : rc;
    if (rc == AB_OK) {
        tlen = msg.len - sizeof(tlen);
        memcpy(msg.ptr, &tlen, sizeof(tlen));
        rc = ab__gap_lists_write(A, &msg);
    }
    void **all;
    size_t *lens;
    uint32_t count;
    rc = ab__gap_exchange_varied(&g->parts, rc, msg.ptr, msg.len, &all, &lens, &count);
    ab_buf_dispose(&msg);
    if (rc == AB_OK) {
        /* A fresh accumulator, so that every process meets the findings
         * in the same order (the order the time impacts take turns in). */
        ab__gap_tally_clear(A);
        ab__gap_acc_finish(A);
        rc = ab__gap_acc_init(A, g, 0);
    }
    for (uint32_t q = 0; rc == AB_OK && q < count; q++) {
        const unsigned char *b = all[q];
        if (lens[q] < sizeof(tlen)) {
            rc = AB_EINVAL;
            break;
        }
        memcpy(&tlen, b, sizeof(tlen));
        if (tlen > lens[q] - sizeof(tlen)) {
            rc = AB_EINVAL;
            break;
        }
        rc = ab__gap_tally_merge(A, b + sizeof(tlen), (size_t)tlen);
        if (rc == AB_OK) {
            size_t at = sizeof(tlen) + (size_t)tlen;
            rc = ab__gap_lists_merge(A, b + at, lens[q] - at);
        }
    }
    ab__gap_exchange_free(all, lens, count);
    return rc == AB_OK ? ab__gap_lists_finish(A) : rc;
}

/* Over processes: the cases of the findings below the minimum support,
 * each process's own, added up. */
static int sum_other_cases(ab_gap *g)
{
    uint64_t v[AB_GAP_K__COUNT + 1];
    memcpy(v, g->other_cases, sizeof(g->other_cases));
    v[AB_GAP_K__COUNT] = g->other_total_cases;
    int rc = ab__gap_sum_u64(g, AB_OK, v, AB_GAP_K__COUNT + 1);
    if (rc == AB_OK) {
        memcpy(g->other_cases, v, sizeof(g->other_cases));
        g->other_total_cases = v[AB_GAP_K__COUNT];
    }
    return rc;
}

int ab__gap_findings(ab_gap *g, ab_error *err)
{
    acc A;
    uint64_t N = g->case_count;
    g->min_support = N / 200 + (N % 200 != 0);
    g->min_support = g->min_support < 5 ? 5 : g->min_support;
    int rc = ab__gap_acc_init(&A, g, 0);
    if (rc != AB_OK) {
        return ab__error(err, rc, "gap", 0, 0, "out of memory");
    }
    AB_TRY(ab__gap_acc_groups(&A, 0, 1));
    /* Over processes, each counted the groups of its cases: the tallies are
     * added up. */
    if (!ab__gap_cases_here(g)) {
        AB_TRY(merge_processes(&A));
    }
    g->closed_cases = A.closed_cases;
    g->summary.approximate_cases = (uint32_t)A.approximate_cases;
    pick_best(&A);
    rc = finish_items(&A, err);
    if (rc != AB_OK) {
        goto out;
    }
    other_cases(&A);
    if (!ab__gap_cases_here(g)) {
        AB_TRY(sum_other_cases(g));
    }
    AB_TRY(model_side(g));

    ab_gap_summary *s = &g->summary;
    s->cases = g->case_count;
    s->events = A.events;
    s->log_events = g->hdr.event_count;
    s->variants = g->variant_count;
    s->excluded_open_cases = (uint32_t)(N - g->closed_cases);
    uint64_t ambiguous = 0;
    for (uint32_t v = 0; v < g->variant_count; v++) {
        s->approximate_variants += g->variants[v]->approximate != 0;
        if (g->variants[v]->ambiguous > 0) {
            ambiguous += g->variants[v]->case_count;
        } else if (g->variants[v]->ambiguous < 0) {
            s->ambiguity_unchecked_cases += g->variants[v]->case_count;
        }
    }
    s->ambiguous = ab__gap_rate(ambiguous, g->case_count);
    s->case_deviation = ab__gap_rate(A.m1, N);
    s->case_deviation_raw = ab__gap_rate(A.m1_raw, N);
    s->off_model_events = ab__gap_rate(A.log_moves, A.events);
    s->missing_steps = ab__gap_rate(A.model_moves, A.sync_moves + A.model_moves);
    s->fitness = A.worst > 0 ? 1.0 - (double)A.cost / (double)A.worst : 1.0;
    s->undocumented_cases = ab__gap_rate(A.undoc_cases, N);
    s->rework = ab__gap_rate(A.m7, N);
    s->documented_rework = ab__gap_rate(A.m7b, N);
    s->out_of_order = ab__gap_rate(A.m8, N);
    s->early_exit = ab__gap_rate(A.m10, g->closed_cases);
    s->control_bypass = ab__gap_rate(A.ctrl_num, A.ctrl_den);
    s->bypass_max = max_bypass(g, 0);
    s->control_bypass_max = max_bypass(g, 1);
    s->model_relation_known = g->model.known;
    s->model_states = g->model.states;
    AB_TRY(ab__gap_statements(g));
done:
    if (rc == AB_ENOMEM) {
        ab__error(err, rc, "gap", 0, 0, "out of memory");
    } else if (rc != AB_OK) {
        ab__error(err, rc, "gap", 0, 0, "%s", ab_status_str(rc));
    }
out:
    ab__gap_acc_finish(&A);
    return rc;
}
