/*
 * gap/gap_statements.c: the report's sentences, one template per class
 * (spec, "Sentence templates"), filled from the findings that meet the
 * minimum support, in report order: the headline, bypassed controls, other
 * bypasses, early exits, workarounds, rework, out-of-order steps,
 * substitutions, extra steps, and the model side. A measured time impact
 * follows its finding's sentence; an unmeasured one says why.
 */
#include "gap/gap_int.h"

#include <stdio.h>

typedef struct sb {
    ab_gap *g;
    char *buf;
    size_t len, cap;
    int rc;
    const char **list;
    size_t list_cap;
    uint32_t count;
} sb;

static void sb_printf(sb *s, const char *fmt, ...) AB__PRINTF(2, 3);
static void sb_printf(sb *s, const char *fmt, ...)
{
    if (s->rc != AB_OK) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        s->rc = AB_ERROR;
        return;
    }
    if (AB_GROW(s->g->ctx, s->buf, s->cap, s->len + (size_t)n + 1) != AB_OK) {
        s->rc = AB_ENOMEM;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

/* Ends the sentence being built and adds it to the list. */
static void sb_emit(sb *s)
{
    if (s->rc != AB_OK) {
        return;
    }
    char *t = ab__arena_strndup(&s->g->arena, s->buf != NULL ? s->buf : "", s->len);
    if (t == NULL || AB_GROW(s->g->ctx, s->list, s->list_cap, (size_t)s->count + 1) != AB_OK) {
        s->rc = AB_ENOMEM;
        return;
    }
    s->list[s->count++] = t;
    s->len = 0;
}

static const char *end_words(const char *name, int start)
{
    if (strcmp(name, start ? "START" : "END") == 0) {
        return start ? "the start of the case" : "the end of the case";
    }
    return name;
}

static void time_sentence(sb *s, const ab_gap_item *it)
{
    const ab_gap_time *t = &it->time;
    char a[64], b[64], d[64], sh[64], lo[64], hi[64];
    switch (t->status) {
    case AB_GAP_TIME_OK: {
        ab__gap_fmt_hours(t->deviating_median_s, a, sizeof(a));
        ab__gap_fmt_hours(t->baseline_median_s, b, sizeof(b));
        ab__gap_fmt_hours(t->delta_s, d, sizeof(d));
        ab__gap_fmt_hours(t->shift_s, sh, sizeof(sh));
        ab__gap_fmt_sig2(t->ci_lo_s / 3600.0, lo, sizeof(lo));
        ab__gap_fmt_sig2(t->ci_hi_s / 3600.0, hi, sizeof(hi));
        int conf = t->baseline_kind == AB_GAP_BASELINE_CONFORMING;
        /* The baseline's words, less what the sentence already says. */
        const char *suffix = " without this deviation";
        size_t len = strlen(t->stratum), sl = strlen(suffix);
        if (!conf && len > sl && strcmp(t->stratum + len - sl, suffix) == 0) {
            len -= sl;
        }
        sb_printf(s, " Cases with this deviation took a median %s vs %s for comparable %s (%.*s", a,
                  b, conf ? "conforming cases" : "cases without this deviation", (int)len,
                  t->stratum);
        if (!conf) {
            sb_printf(s, "; %u of those %u conform", t->n_baseline_conforming, t->n_baseline);
        }
        sb_printf(s, "; \xce\x94 %s; Hodges-Lehmann shift %s, 95%% CI [%s, %s] h; %u/%u cases).", d,
                  sh, lo, hi, t->n_deviating, t->n_baseline);
        const ab_gap_local_time *l = &t->local;
        if (l->status == AB_GAP_TIME_OK) {
            ab__gap_fmt_hours(l->deviating_median_s, a, sizeof(a));
            ab__gap_fmt_hours(l->baseline_median_s, b, sizeof(b));
            ab__gap_fmt_hours(l->shift_s, sh, sizeof(sh));
            ab__gap_fmt_sig2(l->ci_lo_s / 3600.0, lo, sizeof(lo));
            ab__gap_fmt_sig2(l->ci_hi_s / 3600.0, hi, sizeof(hi));
            sb_printf(s,
                      " Around the deviation, from %s to %s took a median %s vs %s (shift %s, "
                      "95%% CI [%s, %s] h; %u/%u cases).",
                      end_words(l->from, 1), end_words(l->to, 0), a, b, sh, lo, hi, l->n_deviating,
                      l->n_baseline);
        }
        break;
    }
    case AB_GAP_TIME_NO_BASELINE:
        sb_printf(s,
                  " Its time impact is not measured: no comparable baseline (among the %s, %u "
                  "conform and %u do not have this deviation; %u needed).",
                  t->stratum, t->n_stratum_conforming, t->n_stratum_without, s->g->opts.min_group);
        break;
    case AB_GAP_TIME_TOO_FEW:
        sb_printf(s,
                  " Its time impact is not measured: too few cases (%u with a cycle time, %u "
                  "needed).",
                  t->n_deviating, s->g->opts.min_group);
        break;
    default:
        break;
    }
}

static void accepted_mark(sb *s, const ab_gap_item *it)
{
    if (it->accepted) {
        sb_printf(s, " (Accepted.)");
    }
}

static void bypass_sentences(sb *s, int controls)
{
    const ab_gap *g = s->g;
    char p[32];
    for (uint32_t i = 0; i < g->item_count[AB_GAP_K_BYPASS]; i++) {
        const ab_gap_item *it = &g->items[AB_GAP_K_BYPASS][i];
        if (!it->supported || it->control != controls) {
            continue;
        }
        ab__gap_fmt_pct(it->cases.rate, p, sizeof(p));
        sb_printf(s, "In %llu of %llu cases (%s%%) whose documented path requires %s",
                  (unsigned long long)it->cases.count, (unsigned long long)it->cases.of, p,
                  it->activity);
        if (it->lane != NULL) {
            sb_printf(s, " (lane %s)", it->lane);
        }
        sb_printf(s, ", %s was not performed.", it->activity);
        if (it->early_exit_cases > 0) {
            sb_printf(s, " In %u of them the case stopped early.", it->early_exit_cases);
        }
        accepted_mark(s, it);
        time_sentence(s, it);
        sb_emit(s);
    }
}

int ab__gap_statements(ab_gap *g)
{
    sb s;
    memset(&s, 0, sizeof(s));
    s.g = g;
    const ab_gap_summary *sum = &g->summary;
    char p[32], lo[32], hi[32];
    ab__gap_fmt_pct(sum->case_deviation.rate, p, sizeof(p));
    ab__gap_fmt_pct(sum->case_deviation.lo, lo, sizeof(lo));
    ab__gap_fmt_pct(sum->case_deviation.hi, hi, sizeof(hi));
    sb_printf(&s,
              "%s%% of cases did not follow the documented process (%llu of %llu cases, 95%% "
              "CI %s%% to %s%%).",
              p, (unsigned long long)sum->case_deviation.count,
              (unsigned long long)sum->case_deviation.of, lo, hi);
    sb_emit(&s);

    bypass_sentences(&s, 1);
    bypass_sentences(&s, 0);
    for (uint32_t i = 0; i < g->item_count[AB_GAP_K_EARLY_EXIT]; i++) {
        const ab_gap_item *it = &g->items[AB_GAP_K_EARLY_EXIT][i];
        if (!it->supported) {
            continue;
        }
        sb_printf(&s, "%llu cases stopped after %s without the documented steps %s.",
                  (unsigned long long)it->cases.count, end_words(it->activity, 1), it->other);
        time_sentence(&s, it);
        sb_emit(&s);
    }
    for (uint32_t i = 0; i < g->item_count[AB_GAP_K_UNDOCUMENTED]; i++) {
        const ab_gap_item *it = &g->items[AB_GAP_K_UNDOCUMENTED][i];
        if (!it->supported) {
            continue;
        }
        ab__gap_fmt_pct(it->cases.rate, p, sizeof(p));
        sb_printf(&s, "%s is not in the documented process; it occurred in %llu cases (%s%%)",
                  it->activity, (unsigned long long)it->cases.count, p);
        if (it->before != NULL && it->after != NULL) {
            sb_printf(&s, ", usually between %s and %s", end_words(it->before, 1),
                      end_words(it->after, 0));
        }
        sb_printf(&s, ".");
        accepted_mark(&s, it);
        time_sentence(&s, it);
        sb_emit(&s);
    }
    for (uint32_t i = 0; i < g->item_count[AB_GAP_K_TRANSITION]; i++) {
        const ab_gap_item *it = &g->items[AB_GAP_K_TRANSITION][i];
        if (!it->supported) {
            continue;
        }
        unsigned long long n = it->cases.count;
        uint64_t total = it->attribution[0] + it->attribution[1] + it->attribution[2];
        if (it->skipped != NULL && it->attribution[0] * 2 >= total && total > 0) {
            sb_printf(&s,
                      "In %llu cases work went directly from %s to %s; the documented process "
                      "requires %s in between.",
                      n, end_words(it->activity, 1), end_words(it->other, 0), it->skipped);
        } else if (strcmp(it->activity, "START") == 0) {
            sb_printf(&s,
                      "In %llu cases %s started the case; the documented process never "
                      "starts with it.",
                      n, it->other);
        } else if (strcmp(it->other, "END") == 0) {
            sb_printf(&s,
                      "In %llu cases the case ended after %s; the documented process never "
                      "ends there.",
                      n, it->activity);
        } else {
            sb_printf(&s,
                      "In %llu cases %s directly followed %s; the documented process never does "
                      "that.",
                      n, it->other, it->activity);
        }
        accepted_mark(&s, it);
        time_sentence(&s, it);
        sb_emit(&s);
    }
    for (uint32_t i = 0; i < g->item_count[AB_GAP_K_REWORK]; i++) {
        const ab_gap_item *it = &g->items[AB_GAP_K_REWORK][i];
        if (!it->supported || it->documented) {
            continue;
        }
        char k[32];
        snprintf(k, sizeof(k), "%g", it->median_repeats);
        sb_printf(&s,
                  "%s was repeated in %llu cases (median %s time%s) where the documented process "
                  "has no repetition.",
                  it->activity, (unsigned long long)it->cases.count, k,
                  it->median_repeats == 1 ? "" : "s");
        accepted_mark(&s, it);
        time_sentence(&s, it);
        sb_emit(&s);
    }
    for (uint32_t i = 0; i < g->item_count[AB_GAP_K_OUT_OF_ORDER]; i++) {
        const ab_gap_item *it = &g->items[AB_GAP_K_OUT_OF_ORDER][i];
        if (!it->supported) {
            continue;
        }
        if (it->neighbour != NULL) {
            sb_printf(&s, "In %llu cases %s happened %s %s, the documented process puts it %s.",
                      (unsigned long long)it->cases.count, it->activity,
                      it->happened_after ? "after" : "before", it->neighbour,
                      it->happened_after ? "before" : "after");
        } else {
            sb_printf(&s, "In %llu cases %s happened out of its documented order.",
                      (unsigned long long)it->cases.count, it->activity);
        }
        accepted_mark(&s, it);
        time_sentence(&s, it);
        sb_emit(&s);
    }
    for (uint32_t i = 0; i < g->item_count[AB_GAP_K_SUBSTITUTION]; i++) {
        const ab_gap_item *it = &g->items[AB_GAP_K_SUBSTITUTION][i];
        if (!it->supported) {
            continue;
        }
        sb_printf(&s, "In %llu cases %s was done instead of the documented %s.",
                  (unsigned long long)it->cases.count, it->other, it->activity);
        accepted_mark(&s, it);
        time_sentence(&s, it);
        sb_emit(&s);
    }
    for (uint32_t i = 0; i < g->item_count[AB_GAP_K_EXTRA_STEP]; i++) {
        const ab_gap_item *it = &g->items[AB_GAP_K_EXTRA_STEP][i];
        if (!it->supported) {
            continue;
        }
        sb_printf(&s,
                  "In %llu cases %s was done at a point where the documented process does not "
                  "foresee it.",
                  (unsigned long long)it->cases.count, it->activity);
        accepted_mark(&s, it);
        time_sentence(&s, it);
        sb_emit(&s);
    }
    for (uint32_t i = 0; i < g->dead_step_count; i++) {
        const ab_gap_dead_step *d = &g->dead_steps[i];
        if (d->dead) {
            sb_printf(&s,
                      "The documented step %s never happened as documented in the %u analysed "
                      "cases.",
                      d->activity, g->case_count);
        } else {
            ab__gap_fmt_pct((double)d->sync_cases / (double)g->case_count, p, sizeof(p));
            sb_printf(&s,
                      "The documented step %s happened as documented in only %u of %u cases "
                      "(%s%%).",
                      d->activity, d->sync_cases, g->case_count, p);
        }
        sb_emit(&s);
    }
    for (uint32_t i = 0; i < g->option_count; i++) {
        const ab_gap_unused_option *o = &g->options[i];
        sb_printf(&s, "At gateway %s the documentation allows %s, but it never happened.",
                  *o->gateway_name != '\0' ? o->gateway_name : o->gateway, o->option);
        sb_emit(&s);
    }
    uint32_t kinds = 0;
    for (int k = 0; k < AB_GAP_K__COUNT; k++) {
        kinds += g->other_kinds[k];
    }
    if (kinds > 0) {
        sb_printf(&s,
                  "Other deviations (%u kind%s, %llu case%s) fall below the minimum support "
                  "of %llu cases and are not described one by one.",
                  kinds, kinds == 1 ? "" : "s", (unsigned long long)g->other_total_cases,
                  g->other_total_cases == 1 ? "" : "s", (unsigned long long)g->min_support);
        sb_emit(&s);
    }
    ab__free(g->ctx, s.buf);
    if (s.rc == AB_OK && s.count > 0) {
        g->statements = ab__arena_alloc(&g->arena, sizeof(char *) * s.count);
        if (g->statements == NULL) {
            s.rc = AB_ENOMEM;
        } else {
            memcpy(g->statements, s.list, sizeof(char *) * s.count);
            g->statement_count = s.count;
        }
    }
    ab__free(g->ctx, s.list);
    return s.rc;
}
