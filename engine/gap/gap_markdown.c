/*
 * gap/gap_markdown.c: the report for people: Markdown for a review (the
 * headline, bypassed controls first, workarounds, rework, out-of-order
 * steps, what of the map is never used, the definitions and an appendix with
 * the mapping, approximations, data quality, options and hashes), and a few
 * lines of text for a terminal. Both only format what gap_metrics computed.
 */
#include "gap/gap_int.h"

#include <stdio.h>

static void md_rate(ab__gw *w, const ab_gap_rate *r)
{
    char p[32], lo[32], hi[32];
    if (r->of == 0) {
        ab__gw_printf(w, "%llu of 0", (unsigned long long)r->count);
        return;
    }
    ab__gap_fmt_pct(r->rate, p, sizeof(p));
    ab__gap_fmt_pct(r->lo, lo, sizeof(lo));
    ab__gap_fmt_pct(r->hi, hi, sizeof(hi));
    ab__gw_printf(w, "%llu of %llu (%s%%, 95%% CI %s\xe2\x80\x93%s%%)",
                  (unsigned long long)r->count, (unsigned long long)r->of, p, lo, hi);
}

static void md_time(ab__gw *w, const ab_gap_time *t)
{
    char a[64], b[64], d[64], sh[64], lo[64], hi[64];
    switch (t->status) {
    case AB_GAP_TIME_OK: {
        ab__gap_fmt_hours(t->deviating_median_s, a, sizeof(a));
        ab__gap_fmt_hours(t->baseline_median_s, b, sizeof(b));
        ab__gap_fmt_hours(t->delta_s, d, sizeof(d));
        ab__gap_fmt_hours(t->shift_s, sh, sizeof(sh));
        ab__gap_fmt_sig2(t->ci_lo_s / 3600.0, lo, sizeof(lo));
        ab__gap_fmt_sig2(t->ci_hi_s / 3600.0, hi, sizeof(hi));
        ab__gw_printf(w, "%s vs %s (\xce\x94 %s; shift %s, CI [%s, %s] h; %u/%u; ", a, b, d, sh, lo,
                      hi, t->n_deviating, t->n_baseline);
        if (t->baseline_kind == AB_GAP_BASELINE_CONFORMING) {
            ab__gw_puts(w, "vs conforming cases)");
        } else {
            ab__gw_printf(w, "vs cases without it, %u conforming)", t->n_baseline_conforming);
        }
        const ab_gap_local_time *l = &t->local;
        if (l->status == AB_GAP_TIME_OK) {
            ab__gap_fmt_hours(l->shift_s, sh, sizeof(sh));
            ab__gap_fmt_sig2(l->ci_lo_s / 3600.0, lo, sizeof(lo));
            ab__gap_fmt_sig2(l->ci_hi_s / 3600.0, hi, sizeof(hi));
            ab__gw_puts(w, "; locally, ");
            ab__gw_md(w, l->from);
            ab__gw_puts(w, " \xe2\x86\x92 ");
            ab__gw_md(w, l->to);
            ab__gw_printf(w, ": shift %s, CI [%s, %s] h; %u/%u", sh, lo, hi, l->n_deviating,
                          l->n_baseline);
        }
        break;
    }
    case AB_GAP_TIME_NO_BASELINE:
        ab__gw_printf(w, "no comparable baseline (%u conforming, %u without it)",
                      t->n_stratum_conforming, t->n_stratum_without);
        break;
    case AB_GAP_TIME_TOO_FEW:
        ab__gw_printf(w, "too few cases (%u)", t->n_deviating);
        break;
    default:
        ab__gw_puts(w, ab_gap_time_status_name(t->status));
        break;
    }
}

static void md_examples(ab__gw *w, const ab_gap *g, const ab_gap_item *it)
{
    for (uint32_t i = 0; i < it->example_count; i++) {
        ab__gw_puts(w, i ? ", " : "");
        ab__gw_md(w, ab__gap_case_id(g, it->examples[i].case_index));
    }
}

/* The excerpts of a table's findings, under the table. */
static void md_excerpts(ab__gw *w, const ab_gap *g, ab_gap_kind kind, int controls)
{
    int any = 0;
    for (uint32_t i = 0; i < g->item_count[kind]; i++) {
        const ab_gap_item *it = &g->items[kind][i];
        if (!it->supported || it->example_count == 0 ||
            (kind == AB_GAP_K_BYPASS && it->control != controls) ||
            (kind == AB_GAP_K_REWORK && it->documented)) {
            continue;
        }
        if (!any) {
            ab__gw_puts(w, "\nExamples:\n\n");
            any = 1;
        }
        const ab_gap_example *e = &it->examples[0];
        char at[64];
        ab__gap_fmt_time(e->at, at, sizeof(at));
        ab__gw_puts(w, "- ");
        ab__gw_md(w, it->activity);
        if (it->other != NULL) {
            ab__gw_puts(w, " / ");
            ab__gw_md(w, it->other);
        }
        ab__gw_puts(w, ", case ");
        ab__gw_md(w, ab__gap_case_id(g, e->case_index));
        if (at[0] != '\0') {
            ab__gw_printf(w, " (%s)", at);
        }
        ab__gw_puts(w, ": `");
        ab__gw_puts(w, e->excerpt);
        ab__gw_puts(w, "`\n");
    }
}

static void bypass_table(ab__gw *w, const ab_gap *g, int controls)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < g->item_count[AB_GAP_K_BYPASS]; i++) {
        const ab_gap_item *it = &g->items[AB_GAP_K_BYPASS][i];
        n += it->supported && it->control == controls;
    }
    if (n == 0) {
        ab__gw_puts(w, controls ? "No control step was bypassed.\n"
                                : "No other documented step was bypassed.\n");
        return;
    }
    ab__gw_puts(w, "The rate counts only the cases whose own documented path required the step; "
                   "*On every documented path* says whether every way through the map has it "
                   "(yes: then also how many cases lack it altogether) or only some branches "
                   "do (no).\n\n");
    ab__gw_puts(w, "| Step | Lane | Skipped in (of cases whose path required it) | "
                   "On every documented path | Early exits | Time impact | Accepted | Examples |\n"
                   "|---|---|---|---|---|---|---|---|\n");
    for (uint32_t i = 0; i < g->item_count[AB_GAP_K_BYPASS]; i++) {
        const ab_gap_item *it = &g->items[AB_GAP_K_BYPASS][i];
        if (!it->supported || it->control != controls) {
            continue;
        }
        ab__gw_puts(w, "| ");
        ab__gw_md(w, it->activity);
        ab__gw_puts(w, " | ");
        ab__gw_md(w, it->lane != NULL ? it->lane : "");
        ab__gw_puts(w, " | ");
        md_rate(w, &it->cases);
        ab__gw_puts(w, it->mandatory == AB_NET_YES  ? " | yes"
                       : it->mandatory == AB_NET_NO ? " | no"
                                                    : " | unknown");
        if (it->mandatory == AB_NET_YES) {
            ab__gw_printf(w, " (absent from %llu cases)", (unsigned long long)it->absent.count);
        }
        ab__gw_printf(w, " | %u | ", it->early_exit_cases);
        md_time(w, &it->time);
        ab__gw_printf(w, " | %s | ", it->accepted ? "yes" : "");
        md_examples(w, g, it);
        ab__gw_puts(w, " |\n");
    }
    md_excerpts(w, g, AB_GAP_K_BYPASS, controls);
}

/* A generic table: name columns, cases, time impact, examples. */
static void item_table(ab__gw *w, const ab_gap *g, ab_gap_kind kind, const char *col1,
                       const char *col2, int documented)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < g->item_count[kind]; i++) {
        const ab_gap_item *it = &g->items[kind][i];
        n += it->supported && (kind != AB_GAP_K_REWORK || it->documented == documented);
    }
    if (n == 0) {
        ab__gw_puts(w, "None above the minimum support.\n");
        return;
    }
    ab__gw_printf(w, "| %s | ", col1);
    int cols = 1;
    if (col2 != NULL) {
        ab__gw_printf(w, "%s | ", col2);
        cols++;
        for (const char *c = col2; *c != '\0'; c++) {
            cols += *c == '|';
        }
    }
    ab__gw_puts(w, "Cases | Time impact | Accepted | Examples |\n|");
    for (int c = 0; c < cols + 4; c++) {
        ab__gw_puts(w, "---|");
    }
    ab__gw_puts(w, "\n");
    for (uint32_t i = 0; i < g->item_count[kind]; i++) {
        const ab_gap_item *it = &g->items[kind][i];
        if (!it->supported || (kind == AB_GAP_K_REWORK && it->documented != documented)) {
            continue;
        }
        ab__gw_puts(w, "| ");
        ab__gw_md(w, it->activity);
        if (col2 != NULL) {
            ab__gw_puts(w, " | ");
            if (kind == AB_GAP_K_UNDOCUMENTED) {
                ab__gw_md(w, it->before != NULL ? it->before : "");
                ab__gw_puts(w, " \xe2\x86\x92 \xc2\xb7 \xe2\x86\x92 ");
                ab__gw_md(w, it->after != NULL ? it->after : "");
            } else if (kind == AB_GAP_K_TRANSITION) {
                ab__gw_md(w, it->other);
                ab__gw_printf(w, " | bypass %llu, extra step %llu, reorder %llu",
                              (unsigned long long)it->attribution[0],
                              (unsigned long long)it->attribution[1],
                              (unsigned long long)it->attribution[2]);
                if (it->skipped != NULL) {
                    ab__gw_puts(w, " (skipped: ");
                    ab__gw_md(w, it->skipped);
                    ab__gw_puts(w, ")");
                }
            } else if (kind == AB_GAP_K_REWORK) {
                ab__gw_printf(w, "%g", it->median_repeats);
            } else if (kind == AB_GAP_K_OUT_OF_ORDER) {
                if (it->neighbour != NULL) {
                    ab__gw_puts(w, it->happened_after ? "after " : "before ");
                    ab__gw_md(w, it->neighbour);
                }
            } else {
                ab__gw_md(w, it->other != NULL ? it->other : "");
            }
        }
        ab__gw_puts(w, " | ");
        md_rate(w, &it->cases);
        ab__gw_puts(w, " | ");
        md_time(w, &it->time);
        ab__gw_printf(w, " | %s | ", it->accepted ? "yes" : "");
        md_examples(w, g, it);
        ab__gw_puts(w, " |\n");
    }
    md_excerpts(w, g, kind, 0);
}

static void statements_of(ab__gw *w, const ab_gap *g)
{
    for (uint32_t i = 0; i < g->statement_count; i++) {
        ab__gw_puts(w, "- ");
        ab__gw_md(w, g->statements[i]);
        ab__gw_puts(w, "\n");
    }
}

static void appendix(ab__gw *w, const ab_gap *g)
{
    const ab_gap_options *o = &g->opts;
    const ab_bpmn_mapping *mp = o->mapping;
    ab__gw_puts(w, "\n## Appendix\n\n### Label mapping (R2)\n\n");
    if (mp != NULL && ab_bpmn_map_pair_count(mp) > 0) {
        ab__gw_puts(w, "| Task | Lane | Activity | How |\n|---|---|---|---|\n");
        for (uint32_t i = 0; i < ab_bpmn_map_pair_count(mp); i++) {
            const ab_bpmn_map_pair *p = ab_bpmn_map_pair_at(mp, i);
            ab__gw_puts(w, "| ");
            ab__gw_md(w, p->task);
            ab__gw_puts(w, " | ");
            ab__gw_md(w, p->lane != NULL ? p->lane : "");
            ab__gw_puts(w, " | ");
            ab__gw_md(w, p->activity);
            ab__gw_printf(w, " | %s |\n", ab_bpmn_map_how_name(p->how));
        }
    }
    ab__gw_puts(w, "\nDocumented steps no log activity carries: ");
    int k = 0;
    for (uint32_t l = 0; l < g->label_count; l++) {
        if (g->label_act[l] == AB_CONFORM_NONE) {
            ab__gw_puts(w, k++ ? ", " : "");
            ab__gw_md(w, ab_net_label(g->net, l));
        }
    }
    ab__gw_puts(w, k ? ".\n" : "none.\n");
    ab__gw_puts(w, "\nLog activities the map does not document (undocumented by definition): ");
    const uint32_t *sorted = g->hdr.activity_sorted;
    k = 0;
    for (uint32_t i = 0; i < g->activity_count; i++) {
        if (!g->documented[sorted[i]]) {
            ab__gw_puts(w, k++ ? ", " : "");
            ab__gw_md(w, ab__gap_act_name(g, sorted[i]));
        }
    }
    ab__gw_puts(w, k ? ".\n" : "none.\n");
    for (uint32_t i = 0; mp != NULL && i < ab_bpmn_map_warning_count(mp); i++) {
        ab__gw_puts(w, "\n- Mapping warning: ");
        ab__gw_md(w, ab_bpmn_map_warning(mp, i));
    }

    ab__gw_puts(w, "\n### Approximations and warnings of the model compiler\n\n");
    uint32_t na = ab_net_approximation_count(g->net), nw = ab_net_warning_count(g->net);
    if (na + nw == 0) {
        ab__gw_puts(w, "None: the map was translated exactly.\n");
    }
    for (uint32_t i = 0; i < na; i++) {
        const ab_net_note *a = ab_net_approximation_at(g->net, i);
        ab__gw_puts(w, "- Approximation at ");
        ab__gw_md(w, a->element_id);
        ab__gw_puts(w, ": ");
        ab__gw_md(w, a->what);
        ab__gw_puts(w, "\n");
    }
    for (uint32_t i = 0; i < nw; i++) {
        const ab_net_note *a = ab_net_warning_at(g->net, i);
        ab__gw_puts(w, "- Warning at ");
        ab__gw_md(w, a->element_id);
        ab__gw_puts(w, ": ");
        ab__gw_md(w, a->what);
        ab__gw_puts(w, "\n");
    }
    const ab_gap_summary *s = &g->summary;
    ab__gw_printf(w,
                  "\nAlignments that passed the search budget (valid, maybe not optimal): %u "
                  "variants, %u cases. Ambiguous cases (a second optimal alignment with other "
                  "deviations): ",
                  s->approximate_variants, s->approximate_cases);
    if (s->ambiguity_unchecked_cases >= s->cases && s->cases > 0) {
        ab__gw_puts(w, "not computed.\n");
    } else {
        ab__gw_printf(w, "%llu of %llu cases", (unsigned long long)s->ambiguous.count,
                      (unsigned long long)s->ambiguous.of);
        if (s->ambiguity_unchecked_cases > 0) {
            ab__gw_printf(w, " (%u cases not decided within the search budget)",
                          s->ambiguity_unchecked_cases);
        }
        ab__gw_puts(w, ".\n");
    }
    if (!g->model.known) {
        ab__gw_puts(w, "\nThe model's directly-follows relation is unknown (");
        ab__gw_md(w, g->model.reason);
        ab__gw_puts(w, "): undocumented transitions are not listed, and every case whose last "
                       "step falls within the open-case horizon counts as possibly open.\n");
    }
    if (!g->replay.valid) {
        ab__gw_puts(w, "\nDead paths and unused options were not computed: ");
        ab__gw_md(w, g->replay.reason);
        ab__gw_puts(w, ".\n");
    }

    const ab_data_quality *dq = &g->hdr.data_quality;
    ab__gw_printf(w, "\n### Data quality\n\n- Records read: %llu\n",
                  (unsigned long long)dq->records);
    for (int r = 0; r < AB_DROP__COUNT; r++) {
        if (dq->dropped[r].count > 0) {
            ab__gw_printf(w, "- Dropped (%s): %llu\n", ab_drop_reason_name((ab_drop_reason)r),
                          (unsigned long long)dq->dropped[r].count);
        }
    }
    ab__gw_printf(
        w,
        "- Timestamps read without a zone: %llu; duplicate events: %llu; cases with "
        "equal timestamps: %llu\n- Start events paired with a completion: %llu; left "
        "unpaired: %llu; other lifecycle events left out: %llu\n- Possibly open cases "
        "(R0, horizon ",
        (unsigned long long)dq->timestamps_coerced, (unsigned long long)dq->duplicate_events,
        (unsigned long long)dq->cases_with_equal_timestamps,
        (unsigned long long)g->cstats.paired_starts, (unsigned long long)g->cstats.unpaired_starts,
        (unsigned long long)g->cstats.other_lifecycle);
    char hz[64];
    ab__gap_fmt_hours(s->open_horizon_s, hz, sizeof(hz));
    ab__gw_printf(w, "%s): %u, %s\n", hz, s->possibly_open_cases,
                  o->open_cases == AB_GAP_OPEN_EXCLUDE
                      ? "treated as unfinished (--open-cases exclude)"
                      : "analysed as closed (the default)");

    ab__gw_puts(w, "\n### Options\n\n");
    ab__gw_printf(w, "- Open cases: %s; horizon %.3g \xc3\x97 p95 cycle time\n- Control tags: ",
                  o->open_cases == AB_GAP_OPEN_EXCLUDE ? "exclude" : "closed", o->open_horizon);
    ab__gw_md(w, g->controls_text);
    ab__gw_printf(w,
                  "\n- Model analysis limit: %llu markings; alignment budget: %llu\n- Smallest "
                  "group for a time impact: %u\n- Minimum support: %llu cases\n",
                  (unsigned long long)o->max_states, (unsigned long long)o->conform_max_states,
                  o->min_group, (unsigned long long)g->min_support);
    if (o->gate != NULL) {
        ab__gw_puts(w, "- Gate (--fail-above): ");
        ab__gw_md(w, o->gate);
        ab__gw_puts(w, "\n");
    }
    if (g->rule_count > 0) {
        ab__gw_puts(w, "\n### Accepted deviations\n\n");
        for (uint32_t i = 0; i < g->rule_count; i++) {
            ab__gw_printf(w, "- line %llu: `", (unsigned long long)g->rules[i].line);
            ab__gw_puts(w, g->rules[i].text);
            ab__gw_printf(w, "`: %llu cases%s\n", (unsigned long long)g->rules[i].cases,
                          g->rules[i].cases == 0 ? " (matched nothing)" : "");
        }
    }

    ab__gw_puts(w, "\n### Inputs\n\n");
    for (size_t i = 0; i < o->log_file_count; i++) {
        ab__gw_puts(w, "- Log: ");
        ab__gw_md(w, o->log_files[i]);
        ab__gw_puts(w, "\n");
    }
    ab__gw_printf(w, "- Log SHA-256: %s\n",
                  g->log_sha[0] ? g->log_sha : "not computed (stdin or a pipe)");
    if (o->model_file != NULL) {
        ab__gw_puts(w, "- Map: ");
        ab__gw_md(w, o->model_file);
        ab__gw_printf(w, " (SHA-256 %s)\n", g->model_sha[0] ? g->model_sha : "not computed");
    }
    for (size_t i = 0; i < o->library_file_count; i++) {
        ab__gw_puts(w, "- Called map: ");
        ab__gw_md(w, o->library_files[i]);
        ab__gw_printf(w, " (SHA-256 %s)\n", g->lib_sha[i][0] ? g->lib_sha[i] : "not computed");
    }
    if (o->map_file != NULL) {
        ab__gw_puts(w, "- Mapping file: ");
        ab__gw_md(w, o->map_file);
        ab__gw_printf(w, " (SHA-256 %s)\n", g->map_sha[0] ? g->map_sha : "not computed");
    }
    ab__gw_printf(w, "- Label mapping SHA-256: %s\n", g->mapping_sha);
    if (o->accept_file != NULL) {
        ab__gw_puts(w, "- Accept file: ");
        ab__gw_md(w, o->accept_file);
        ab__gw_printf(w, " (SHA-256 %s)\n", g->accept_sha[0] ? g->accept_sha : "not computed");
    }
    ab__gw_puts(w, "\n### How this report reads the definitions\n\n");
    for (size_t i = 0; i < ab__gap_note_count; i++) {
        ab__gw_puts(w, "- ");
        ab__gw_md(w, ab__gap_notes[i]);
        ab__gw_puts(w, "\n");
    }
}

/* A path's last component. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

int ab_gap_write_markdown(const ab_gap *g, ab_buf *buf, ab_error *err)
{
    ab__gw w = {buf, g->ctx, AB_OK};
    const ab_gap_summary *s = &g->summary;
    const ab_gap_options *o = &g->opts;
    /* The files by name only: their paths and hashes are in the appendix. */
    ab__gw_puts(&w, "# Work Reality Gap");
    if (o->model_file != NULL) {
        ab__gw_puts(&w, ": ");
        ab__gw_md(&w, base_name(o->model_file));
    }
    ab__gw_puts(&w, "\n\n");
    for (size_t i = 0; i < o->log_file_count; i++) {
        ab__gw_puts(&w, i == 0 ? "Log " : ", ");
        ab__gw_md(&w, base_name(o->log_files[i]));
    }
    ab__gw_printf(&w, "%s%u cases", o->log_file_count > 0 ? " \xc2\xb7 " : "", s->cases);
    if (o->map_file != NULL) {
        ab__gw_puts(&w, " \xc2\xb7 label mapping ");
        ab__gw_md(&w, base_name(o->map_file));
    }
    if (o->accept_file != NULL) {
        ab__gw_puts(&w, " \xc2\xb7 accepted deviations ");
        ab__gw_md(&w, base_name(o->accept_file));
    }
    ab__gw_puts(&w, " (files and SHA-256 in the appendix)\n\n## Headline\n\n");
    if (s->mapping_warning != NULL) {
        ab__gw_puts(&w, "> **Warning:** ");
        ab__gw_md(&w, s->mapping_warning);
        ab__gw_puts(&w, "\n\n");
    }
    ab__gw_puts(&w, "**");
    ab__gw_md(&w, g->statement_count > 0 ? g->statements[0] : "");
    ab__gw_puts(&w, "**\n\n");
    ab__gw_printf(&w, "- Cases analysed (N): %u; activity instances (E): %llu\n", s->cases,
                  (unsigned long long)s->events);
    ab__gw_puts(&w, "- Cases that did not follow the documented process (M1): ");
    md_rate(&w, &s->case_deviation);
    if (g->rule_count > 0) {
        ab__gw_puts(&w, "; before the accept file: ");
        md_rate(&w, &s->case_deviation_raw);
    }
    ab__gw_puts(&w, "\n- Recorded work steps not explained by the documentation (M2): ");
    md_rate(&w, &s->off_model_events);
    ab__gw_puts(&w, "\n- Documented steps the cases' own paths required that were not done (M3): ");
    md_rate(&w, &s->missing_steps);
    ab__gw_puts(&w, "\n- Cases with an undocumented activity: ");
    md_rate(&w, &s->undocumented_cases);
    ab__gw_puts(&w, "\n- Cases with undocumented rework (M7): ");
    md_rate(&w, &s->rework);
    ab__gw_puts(&w, "\n- Cases with documented rework (M7b, not a gap): ");
    md_rate(&w, &s->documented_rework);
    ab__gw_puts(&w, "\n- Cases with a step out of order (M8): ");
    md_rate(&w, &s->out_of_order);
    ab__gw_puts(&w, "\n- Cases that stopped early (M10): ");
    md_rate(&w, &s->early_exit);
    ab__gw_puts(&w, "\n- Cases that skipped a control their path required (M9c, pooled): ");
    md_rate(&w, &s->control_bypass);
    ab__gw_printf(&w, "\n- Alignment fitness (M0, for comparison only): %.4f\n", s->fitness);
    ab__gw_printf(&w, "- Possibly open cases (R0): %u%s\n", s->possibly_open_cases,
                  o->open_cases == AB_GAP_OPEN_EXCLUDE ? " (treated as unfinished)"
                                                       : " (analysed as closed)");

    ab__gw_puts(&w, "\n## Bypassed controls (M9c)\n\n");
    bypass_table(&w, g, 1);
    ab__gw_puts(&w, "\n## Other bypassed steps (M9)\n\n");
    bypass_table(&w, g, 0);
    ab__gw_puts(&w, "\n## Early exits (M10)\n\n");
    item_table(&w, g, AB_GAP_K_EARLY_EXIT, "Stopped after", "Skipped steps", 0);
    ab__gw_puts(&w, "\n## Workarounds\n\n### Undocumented activities (M4)\n\n");
    item_table(&w, g, AB_GAP_K_UNDOCUMENTED, "Activity", "Usually between", 0);
    ab__gw_puts(&w, "\n### Undocumented transitions (M5, M6)\n\n");
    if (g->model.known) {
        item_table(&w, g, AB_GAP_K_TRANSITION, "From", "To | Why", 0);
    } else {
        ab__gw_puts(&w, "Not computed: the model's directly-follows relation is unknown (");
        ab__gw_md(&w, g->model.reason);
        ab__gw_puts(&w, ").\n");
    }
    ab__gw_puts(&w, "\n### Substitutions\n\n");
    item_table(&w, g, AB_GAP_K_SUBSTITUTION, "Documented step", "Done instead", 0);
    ab__gw_puts(&w, "\n### Extra documented steps\n\n");
    item_table(&w, g, AB_GAP_K_EXTRA_STEP, "Step", NULL, 0);
    ab__gw_puts(&w, "\n## Rework\n\n### Undocumented rework (M7)\n\n");
    item_table(&w, g, AB_GAP_K_REWORK, "Activity", "Median repeats", 0);
    ab__gw_puts(&w, "\n### Documented rework (M7b, not a gap)\n\n");
    item_table(&w, g, AB_GAP_K_REWORK, "Activity", "Median repeats", 1);
    ab__gw_puts(&w, "\n## Out of order (M8)\n\n");
    item_table(&w, g, AB_GAP_K_OUT_OF_ORDER, "Step", "Happened", 0);

    ab__gw_puts(&w, "\n## Documented but not done (M11\xe2\x80\x93M13)\n\n");
    for (uint32_t i = 0; i < g->dead_step_count; i++) {
        const ab_gap_dead_step *d = &g->dead_steps[i];
        ab__gw_puts(&w, "- ");
        ab__gw_md(&w, d->activity);
        if (d->dead) {
            ab__gw_puts(&w, ": never happened as documented");
        } else {
            ab__gw_printf(&w, ": happened as documented in only %u cases", d->sync_cases);
        }
        ab__gw_puts(&w, " (element ");
        ab__gw_md(&w, d->element_id != NULL ? d->element_id : "?");
        ab__gw_puts(&w, ")\n");
    }
    if (g->dead_step_count == 0) {
        ab__gw_puts(&w, "Every documented step happened as documented in at least 1% of the "
                        "cases.\n");
    }
    if (g->replay.valid) {
        ab__gw_printf(&w, "\nSequence flows no case's documented path used (M12): %u\n\n",
                      g->dead_path_count);
        for (uint32_t i = 0; i < g->dead_path_count; i++) {
            const ab_gap_dead_path *d = &g->dead_paths[i];
            ab__gw_puts(&w, "- ");
            ab__gw_md(&w, d->flow_id);
            if (d->from_element != NULL) {
                ab__gw_puts(&w, " (");
                ab__gw_md(&w, d->from_element);
                ab__gw_puts(&w, " \xe2\x86\x92 ");
                ab__gw_md(&w, d->to_element);
                ab__gw_puts(&w, ")");
            }
            ab__gw_puts(&w, "\n");
        }
        ab__gw_printf(&w, "\nGateway options never used (M13): %u\n\n", g->option_count);
        for (uint32_t i = 0; i < g->option_count; i++) {
            const ab_gap_unused_option *op = &g->options[i];
            ab__gw_puts(&w, "- At gateway ");
            ab__gw_md(&w, *op->gateway_name ? op->gateway_name : op->gateway);
            ab__gw_puts(&w, " the documentation allows ");
            ab__gw_md(&w, op->option);
            ab__gw_puts(&w, ", but it never happened\n");
        }
    } else {
        ab__gw_puts(&w, "\nDead paths and unused options: not computed (");
        ab__gw_md(&w, g->replay.reason);
        ab__gw_puts(&w, ").\n");
    }

    ab__who_markdown(&w, g);

    ab__gw_puts(&w, "\n## Statements\n\n");
    statements_of(&w, g);

    ab__gw_printf(&w,
                  "\n## Definitions\n\n"
                  "- Every rate is *count of denominator* with a 95%% Wilson interval. N = cases "
                  "analysed; E = activity instances.\n"
                  "- A case's documented path is its canonical optimal alignment with the map "
                  "(R1). In excerpts, \xe2\x9c\x93"
                  "a is a step done as documented, "
                  "\xe2\x9c\x97[a] a documented step not done, +a a step done that the "
                  "documentation does not explain there, \xe2\x97\x8b[a] a step an unfinished "
                  "case has not reached.\n"
                  "- Bypass (M9): cases that skipped a step / cases whose own documented path "
                  "required it. Steps on every documented path (every run of the map has them) "
                  "also show the cases without the step at all (M9m).\n"
                  "- Undocumented activity (M4): an activity the map does not have. Undocumented "
                  "transition (M5): b directly after a where the map never allows it, with why "
                  "(M6): a skipped step, an extra step, or a reordering.\n"
                  "- Rework (M7): a repetition after the step was done as documented; documented "
                  "rework (M7b) is a repetition the map allows.\n"
                  "- Time impact: median cycle time of the cases with the deviation vs the closed "
                  "conforming cases of the same stratum, or, when fewer than %u conform, vs the "
                  "closed cases of the stratum without the deviation (which may deviate "
                  "otherwise); with the Hodges-Lehmann shift and its Lehmann-Moses 95%% interval, "
                  "and the same for the span from the documented step before the deviation to "
                  "the one after it (local impact). Groups under %u cases get no number.\n"
                  "- Findings with fewer than %llu cases (max(5, 0.5%% of N)) are grouped as other "
                  "deviations.\n",
                  g->opts.min_group, g->opts.min_group, (unsigned long long)g->min_support);
    appendix(&w, g);
    if (w.rc != AB_OK) {
        return ab__error(err, w.rc, "gap", 0, 0, "out of memory");
    }
    return AB_OK;
}

static void text_items(ab__gw *w, const ab_gap *g, ab_gap_kind kind, const char *title,
                       uint32_t max)
{
    uint32_t shown = 0;
    for (uint32_t i = 0; i < g->item_count[kind] && shown < max; i++) {
        const ab_gap_item *it = &g->items[kind][i];
        if (!it->supported || (kind == AB_GAP_K_REWORK && it->documented)) {
            continue;
        }
        if (shown++ == 0) {
            ab__gw_printf(w, "%s:\n", title);
        }
        char p[32];
        ab__gap_fmt_pct(it->cases.rate, p, sizeof(p));
        ab__gw_printf(w, "  %s", it->activity);
        if (it->other != NULL) {
            ab__gw_printf(w, kind == AB_GAP_K_SUBSTITUTION ? " replaced by %s" : " -> %s",
                          it->other);
        }
        ab__gw_printf(w, ": %llu of %llu cases (%s%%)%s%s\n", (unsigned long long)it->cases.count,
                      (unsigned long long)it->cases.of, p, it->control ? " [control]" : "",
                      it->accepted ? " [accepted]" : "");
    }
}

int ab_gap_write_text(const ab_gap *g, ab_buf *buf, ab_error *err)
{
    ab__gw w = {buf, g->ctx, AB_OK};
    const ab_gap_summary *s = &g->summary;
    char p[32], lo[32], hi[32];
    ab__gap_fmt_pct(s->case_deviation.rate, p, sizeof(p));
    ab__gap_fmt_pct(s->case_deviation.lo, lo, sizeof(lo));
    ab__gap_fmt_pct(s->case_deviation.hi, hi, sizeof(hi));
    if (s->mapping_warning != NULL) {
        ab__gw_printf(&w, "Warning: %s\n", s->mapping_warning);
    }
    ab__gw_printf(&w,
                  "Work Reality Gap (M1): %s%% of cases did not follow the documented process "
                  "(%llu of %llu, 95%% CI %s%%-%s%%).\n",
                  p, (unsigned long long)s->case_deviation.count,
                  (unsigned long long)s->case_deviation.of, lo, hi);
    ab__gap_fmt_pct(s->off_model_events.rate, p, sizeof(p));
    ab__gw_printf(&w, "Recorded steps not explained by the documentation (M2): %s%%; ", p);
    ab__gap_fmt_pct(s->missing_steps.rate, p, sizeof(p));
    ab__gw_printf(&w, "required documented steps not done (M3): %s%%; fitness (M0) %.3f.\n", p,
                  s->fitness);
    if (s->possibly_open_cases > 0 || s->approximate_variants > 0) {
        ab__gw_printf(&w, "Possibly open cases: %u; approximate alignments: %u variants.\n",
                      s->possibly_open_cases, s->approximate_variants);
    }
    text_items(&w, g, AB_GAP_K_BYPASS, "Top bypasses", 5);
    text_items(&w, g, AB_GAP_K_UNDOCUMENTED, "Top undocumented activities", 5);
    text_items(&w, g, AB_GAP_K_TRANSITION, "Top undocumented transitions", 3);
    text_items(&w, g, AB_GAP_K_SUBSTITUTION, "Top substitutions", 3);
    text_items(&w, g, AB_GAP_K_REWORK, "Top undocumented rework", 3);
    text_items(&w, g, AB_GAP_K_OUT_OF_ORDER, "Top out-of-order steps", 3);
    if (w.rc != AB_OK) {
        return ab__error(err, w.rc, "gap", 0, 0, "out of memory");
    }
    return AB_OK;
}
