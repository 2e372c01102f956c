/*
 * gap/gap_json.c: the report as JSON (schema asbuilt.gap/1, spec section 3)
 * and the per-case JSON lines. Field names are the contract with scripts and
 * reviewers; fields may be added, never renamed. Numbers have fixed
 * formats (rates to 0.001, durations to two significant digits), so the
 * same inputs give the same bytes. A list that could not be computed comes
 * with a status saying why instead of silently being empty.
 */
#include "gap/gap_int.h"

#include <stdio.h>

static void rate(ab__gw *w, const ab_gap_rate *r)
{
    if (r->of == 0) {
        ab__gw_printf(w, "{\"count\": %llu, \"of\": 0, \"rate\": null, \"ci95\": null}",
                      (unsigned long long)r->count);
        return;
    }
    ab__gw_printf(w, "{\"count\": %llu, \"of\": %llu, \"rate\": %.3f, \"ci95\": [%.3f, %.3f]}",
                  (unsigned long long)r->count, (unsigned long long)r->of, r->rate, r->lo, r->hi);
}

static void jtime(ab__gw *w, ab_time t)
{
    char b[64];
    if (t == AB_TIME_NONE) {
        ab__gw_puts(w, "null");
        return;
    }
    ab__gap_fmt_time(t, b, sizeof(b));
    ab__gw_jstr(w, b);
}

static const char *tri(int v)
{
    return v == AB_NET_YES ? "true" : v == AB_NET_NO ? "false" : "null";
}

static const char *yes(int v)
{
    return v ? "true" : "false";
}

static void interval(ab__gw *w, double shift, double lo, double hi)
{
    ab__gw_puts(w, "\"hodges_lehmann_s\": ");
    ab__gw_dur(w, shift);
    ab__gw_puts(w, ", \"ci95_s\": [");
    ab__gw_dur(w, lo);
    ab__gw_puts(w, ", ");
    ab__gw_dur(w, hi);
    ab__gw_puts(w, "]");
}

static void local_impact(ab__gw *w, const ab_gap *g, const ab_gap_local_time *l)
{
    if (l->status == AB_GAP_TIME_OK) {
        ab__gw_puts(w, "{\"from\": ");
        ab__gw_jstr(w, l->from);
        ab__gw_puts(w, ", \"to\": ");
        ab__gw_jstr(w, l->to);
        ab__gw_puts(w, ", \"deviating_median_s\": ");
        ab__gw_dur(w, l->deviating_median_s);
        ab__gw_puts(w, ", \"baseline_median_s\": ");
        ab__gw_dur(w, l->baseline_median_s);
        ab__gw_puts(w, ", ");
        interval(w, l->shift_s, l->ci_lo_s, l->ci_hi_s);
        ab__gw_printf(w, ", \"n_deviating\": %u, \"n_baseline\": %u}", l->n_deviating,
                      l->n_baseline);
        return;
    }
    char reason[256];
    if (l->from == NULL) {
        snprintf(reason, sizeof(reason),
                 "no case with this deviation has a documented step "
                 "around it");
    } else if (l->status == AB_GAP_TIME_TOO_FEW) {
        snprintf(reason, sizeof(reason),
                 "%u cases with this deviation have the span; at least %u are needed",
                 l->n_deviating, g->opts.min_group);
    } else {
        snprintf(reason, sizeof(reason),
                 "%u baseline cases have both steps; at least %u are needed", l->n_baseline,
                 g->opts.min_group);
    }
    ab__gw_puts(w, "{\"status\": ");
    ab__gw_jstr(w, ab_gap_time_status_name(l->status));
    ab__gw_puts(w, ", \"reason\": ");
    ab__gw_jstr(w, reason);
    ab__gw_puts(w, ", \"from\": ");
    ab__gw_jstr(w, l->from);
    ab__gw_puts(w, ", \"to\": ");
    ab__gw_jstr(w, l->to);
    ab__gw_printf(w, ", \"n_deviating\": %u, \"n_baseline\": %u}", l->n_deviating, l->n_baseline);
}

static void time_impact(ab__gw *w, const ab_gap *g, const ab_gap_time *t)
{
    if (t->status == AB_GAP_TIME_OK) {
        ab__gw_puts(w, "{\"deviating_median_s\": ");
        ab__gw_dur(w, t->deviating_median_s);
        ab__gw_puts(w, ", \"baseline_median_s\": ");
        ab__gw_dur(w, t->baseline_median_s);
        ab__gw_puts(w, ", \"delta_s\": ");
        ab__gw_dur(w, t->delta_s);
        ab__gw_puts(w, ", ");
        interval(w, t->shift_s, t->ci_lo_s, t->ci_hi_s);
        ab__gw_puts(w, ", \"ci95_method\": ");
        ab__gw_jstr(w,
                    t->ci_exact ? "Lehmann-Moses, exact" : "Lehmann-Moses, normal approximation");
        ab__gw_printf(w,
                      ", \"relative_delta\": %.3f, \"n_deviating\": %u, \"n_baseline\": %u, "
                      "\"baseline\": ",
                      t->relative, t->n_deviating, t->n_baseline);
        ab__gw_jstr(w, t->stratum);
        ab__gw_puts(w, ", \"baseline_kind\": ");
        ab__gw_jstr(w, ab_gap_baseline_kind_name(t->baseline_kind));
        ab__gw_printf(w, ", \"baseline_conforming\": %u, \"local\": ", t->n_baseline_conforming);
        local_impact(w, g, &t->local);
        ab__gw_puts(w, "}");
        return;
    }
    ab__gw_puts(w, "{\"status\": ");
    ab__gw_jstr(w, ab_gap_time_status_name(t->status));
    char reason[1024];
    switch (t->status) {
    case AB_GAP_TIME_NO_BASELINE:
        snprintf(reason, sizeof(reason),
                 "among the %s, %u conform and %u do not have this deviation; at least %u are "
                 "needed",
                 t->stratum, t->n_stratum_conforming, t->n_stratum_without, g->opts.min_group);
        break;
    case AB_GAP_TIME_TOO_FEW:
        snprintf(reason, sizeof(reason),
                 "%u closed cases with this deviation have a cycle time; at least %u are "
                 "needed",
                 t->n_deviating, g->opts.min_group);
        break;
    case AB_GAP_TIME_NO_TIMESTAMPS:
        snprintf(reason, sizeof(reason), "the log has no timestamps");
        break;
    case AB_GAP_TIME_BELOW_SUPPORT:
        snprintf(reason, sizeof(reason),
                 "fewer cases have it than the minimum support (%llu cases): not measured",
                 (unsigned long long)g->min_support);
        break;
    default:
        snprintf(reason, sizeof(reason), "documented repetitions are not a deviation");
        break;
    }
    ab__gw_puts(w, ", \"reason\": ");
    ab__gw_jstr(w, reason);
    if (t->status == AB_GAP_TIME_NO_BASELINE || t->status == AB_GAP_TIME_TOO_FEW) {
        ab__gw_printf(w,
                      ", \"n_deviating\": %u, \"n_baseline\": %u, \"baseline\": ", t->n_deviating,
                      t->n_baseline);
        ab__gw_jstr(w, t->stratum);
        ab__gw_puts(w, ", \"baseline_kind\": ");
        ab__gw_jstr(w, ab_gap_baseline_kind_name(t->baseline_kind));
        ab__gw_printf(w, ", \"baseline_conforming\": %u", t->n_baseline_conforming);
    }
    ab__gw_puts(w, "}");
}

static void examples(ab__gw *w, const ab_gap *g, const ab_gap_item *it)
{
    ab__gw_puts(w, "[");
    for (uint32_t i = 0; i < it->example_count; i++) {
        const ab_gap_example *e = &it->examples[i];
        ab__gw_puts(w, i ? ", {\"case\": " : "{\"case\": ");
        ab__gw_jstr(w, ab__gap_case_id(g, e->case_index));
        ab__gw_puts(w, ", \"excerpt\": ");
        ab__gw_jstr(w, e->excerpt);
        ab__gw_puts(w, ", \"at\": ");
        jtime(w, e->at);
        ab__gw_puts(w, ", \"start\": ");
        jtime(w, e->start);
        ab__gw_puts(w, ", \"end\": ");
        jtime(w, e->end);
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, "]");
}

/* The fields every finding has, after its own. */
static void common_tail(ab__gw *w, const ab_gap *g, const ab_gap_item *it)
{
    ab__gw_printf(w, ", \"occurrences\": %llu, \"accepted\": %s, \"approximate_cases\": %u",
                  (unsigned long long)it->occurrences, yes(it->accepted), it->approximate_cases);
    ab__gw_puts(w, ",\n     \"time_impact\": ");
    time_impact(w, g, &it->time);
    ab__gw_puts(w, ",\n     \"examples\": ");
    examples(w, g, it);
    ab__gw_puts(w, "}");
}

static void item(ab__gw *w, const ab_gap *g, const ab_gap_item *it)
{
    switch (it->kind) {
    case AB_GAP_K_BYPASS:
        ab__gw_puts(w, "{\"activity\": ");
        ab__gw_jstr(w, it->activity);
        ab__gw_puts(w, ", \"element_id\": ");
        ab__gw_jstr(w, it->element_id);
        ab__gw_puts(w, ", \"lane\": ");
        ab__gw_jstr(w, it->lane);
        ab__gw_printf(w,
                      ", \"mandatory\": %s, \"control\": %s,\n     \"cases\": ", tri(it->mandatory),
                      yes(it->control));
        rate(w, &it->cases);
        ab__gw_printf(w, ", \"early_exit_cases\": %u, \"absent_cases\": ", it->early_exit_cases);
        if (it->mandatory == AB_NET_YES) {
            rate(w, &it->absent);
        } else {
            ab__gw_puts(w, "null");
        }
        break;
    case AB_GAP_K_UNDOCUMENTED:
        ab__gw_puts(w, "{\"activity\": ");
        ab__gw_jstr(w, it->activity);
        ab__gw_puts(w, ", \"cases\": ");
        rate(w, &it->cases);
        ab__gw_puts(w, ",\n     \"events\": ");
        rate(w, &it->events);
        ab__gw_puts(w, ", \"context\": {\"before\": ");
        ab__gw_jstr(w, it->before);
        ab__gw_puts(w, ", \"after\": ");
        ab__gw_jstr(w, it->after);
        ab__gw_puts(w, "}");
        break;
    case AB_GAP_K_TRANSITION:
        ab__gw_puts(w, "{\"from\": ");
        ab__gw_jstr(w, it->activity);
        ab__gw_puts(w, ", \"to\": ");
        ab__gw_jstr(w, it->other);
        ab__gw_puts(w, ", \"cases\": ");
        rate(w, &it->cases);
        ab__gw_printf(w,
                      ",\n     \"attribution\": {\"bypass\": %llu, \"extra_step\": %llu, "
                      "\"reorder\": %llu}, \"skipped\": ",
                      (unsigned long long)it->attribution[0],
                      (unsigned long long)it->attribution[1],
                      (unsigned long long)it->attribution[2]);
        ab__gw_jstr(w, it->skipped);
        break;
    case AB_GAP_K_REWORK:
        ab__gw_puts(w, "{\"activity\": ");
        ab__gw_jstr(w, it->activity);
        ab__gw_puts(w, ", \"cases\": ");
        rate(w, &it->cases);
        ab__gw_printf(w, ",\n     \"median_repeats\": %g, \"documented\": %s", it->median_repeats,
                      yes(it->documented));
        break;
    case AB_GAP_K_OUT_OF_ORDER:
        ab__gw_puts(w, "{\"activity\": ");
        ab__gw_jstr(w, it->activity);
        ab__gw_puts(w, ", \"cases\": ");
        rate(w, &it->cases);
        ab__gw_puts(w, ",\n     \"swapped_with\": ");
        ab__gw_jstr(w, it->neighbour);
        ab__gw_puts(w, ", \"happened\": ");
        ab__gw_jstr(w, it->neighbour == NULL ? NULL : it->happened_after ? "after" : "before");
        break;
    case AB_GAP_K_SUBSTITUTION:
        ab__gw_puts(w, "{\"documented\": ");
        ab__gw_jstr(w, it->activity);
        ab__gw_puts(w, ", \"instead\": ");
        ab__gw_jstr(w, it->other);
        ab__gw_puts(w, ", \"cases\": ");
        rate(w, &it->cases);
        break;
    case AB_GAP_K_EXTRA_STEP:
        ab__gw_puts(w, "{\"activity\": ");
        ab__gw_jstr(w, it->activity);
        ab__gw_puts(w, ", \"cases\": ");
        rate(w, &it->cases);
        break;
    case AB_GAP_K_EARLY_EXIT:
        ab__gw_puts(w, "{\"after\": ");
        ab__gw_jstr(w, it->activity);
        ab__gw_puts(w, ", \"skipped\": ");
        ab__gw_jstr(w, it->other);
        ab__gw_puts(w, ", \"cases\": ");
        rate(w, &it->cases);
        break;
    default:
        break;
    }
    common_tail(w, g, it);
}

static void list(ab__gw *w, const ab_gap *g, const char *name, ab_gap_kind kind)
{
    ab__gw_printf(w, ",\n  \"%s\": [", name);
    uint32_t n = 0;
    for (uint32_t i = 0; i < g->item_count[kind]; i++) {
        const ab_gap_item *it = &g->items[kind][i];
        if (!it->supported) {
            continue;
        }
        ab__gw_puts(w, n++ ? ",\n    " : "\n    ");
        item(w, g, it);
    }
    ab__gw_puts(w, n ? "\n  ]" : "]");
}

static void string_list(ab__gw *w, const char *const *s, uint32_t n)
{
    ab__gw_puts(w, "[");
    for (uint32_t i = 0; i < n; i++) {
        ab__gw_puts(w, i ? ", " : "");
        ab__gw_jstr(w, s[i]);
    }
    ab__gw_puts(w, "]");
}

static void status(ab__gw *w, const char *st, const char *reason)
{
    ab__gw_puts(w, "{\"status\": ");
    ab__gw_jstr(w, st);
    if (reason != NULL) {
        ab__gw_puts(w, ", \"reason\": ");
        ab__gw_jstr(w, reason);
    }
    ab__gw_puts(w, "}");
}

static void inputs(ab__gw *w, const ab_gap *g)
{
    const ab_gap_options *o = &g->opts;
    const ab_gap_summary *s = &g->summary;
    ab__gw_puts(w, "  \"inputs\": {\n    \"log\": {\"files\": ");
    string_list(w, o->log_files, (uint32_t)o->log_file_count);
    ab__gw_puts(w, ", \"sha256\": ");
    ab__gw_jstr(w, g->log_sha[0] ? g->log_sha : NULL);
    ab__gw_printf(w,
                  ", \"cases\": %u, \"events\": %llu, \"instances\": %llu, \"activities\": %u, "
                  "\"variants\": %u, \"conformance_variants\": %u},\n",
                  s->cases, (unsigned long long)s->log_events, (unsigned long long)s->events,
                  g->activity_count, g->hdr.variant_count, s->variants);
    ab__gw_puts(w, "    \"model\": {\"file\": ");
    ab__gw_jstr(w, o->model_file);
    ab__gw_puts(w, ", \"sha256\": ");
    ab__gw_jstr(w, g->model_sha[0] ? g->model_sha : NULL);
    const ab_bpmn *m = o->model;
    uint32_t visible = 0;
    for (uint32_t t = 0; t < ab_net_transition_count(g->net); t++) {
        visible += ab_net_transition_at(g->net, t)->label != NULL;
    }
    if (m != NULL) {
        ab__gw_printf(
            w,
            ", \"tasks\": %u, \"elements\": {\"nodes\": %u, \"tasks\": %u, "
            "\"call_activities\": %u, \"subprocesses\": %u, \"gateways\": %u, "
            "\"sequence_flows\": %u, \"lanes\": %u, \"processes\": %u}",
            ab_bpmn_count(m, AB_BPMN_TASK, -1) + ab_bpmn_count(m, AB_BPMN_CALL_ACTIVITY, -1),
            ab_bpmn_node_count(m), ab_bpmn_count(m, AB_BPMN_TASK, -1),
            ab_bpmn_count(m, AB_BPMN_CALL_ACTIVITY, -1), ab_bpmn_count(m, AB_BPMN_SUBPROCESS, -1),
            ab_bpmn_count(m, AB_BPMN_GATEWAY, -1), ab_bpmn_flow_count(m), ab_bpmn_lane_count(m),
            ab_bpmn_process_count(m));
    } else {
        ab__gw_printf(w, ", \"tasks\": %u", g->label_count);
    }
    ab__gw_printf(w,
                  ",\n      \"net\": {\"places\": %u, \"transitions\": %u, \"visible\": %u, "
                  "\"labels\": %u}",
                  ab_net_place_count(g->net), ab_net_transition_count(g->net), visible,
                  g->label_count);
    ab__gw_puts(w, ",\n      \"libraries\": [");
    for (size_t i = 0; i < o->library_file_count; i++) {
        ab__gw_puts(w, i ? ", {\"file\": " : "{\"file\": ");
        ab__gw_jstr(w, o->library_files[i]);
        ab__gw_puts(w, ", \"sha256\": ");
        ab__gw_jstr(w, g->lib_sha[i][0] ? g->lib_sha[i] : NULL);
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, "],\n      \"approximations\": [");
    for (uint32_t i = 0; i < ab_net_approximation_count(g->net); i++) {
        const ab_net_note *a = ab_net_approximation_at(g->net, i);
        ab__gw_puts(w, i ? ",\n        {\"element_id\": " : "\n        {\"element_id\": ");
        ab__gw_jstr(w, a->element_id);
        ab__gw_puts(w, ", \"what\": ");
        ab__gw_jstr(w, a->what);
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, ab_net_approximation_count(g->net) ? "\n      ]" : "]");
    ab__gw_puts(w, ",\n      \"warnings\": [");
    uint32_t nw = 0;
    if (m != NULL) {
        for (uint32_t i = 0; i < ab_bpmn_issue_count(m); i++, nw++) {
            const ab_bpmn_issue *is = ab_bpmn_issue_at(m, i);
            ab__gw_puts(w, nw ? ",\n        {\"element_id\": " : "\n        {\"element_id\": ");
            ab__gw_jstr(w, is->element_id);
            ab__gw_puts(w, ", \"what\": ");
            ab__gw_jstr(w, is->what);
            ab__gw_puts(w, "}");
        }
    }
    for (uint32_t i = 0; i < ab_net_warning_count(g->net); i++, nw++) {
        const ab_net_note *a = ab_net_warning_at(g->net, i);
        ab__gw_puts(w, nw ? ",\n        {\"element_id\": " : "\n        {\"element_id\": ");
        ab__gw_jstr(w, a->element_id);
        ab__gw_puts(w, ", \"what\": ");
        ab__gw_jstr(w, a->what);
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, nw ? "\n      ]},\n" : "]},\n");

    ab__gw_puts(w, "    \"mapping\": {\"sha256\": ");
    ab__gw_jstr(w, g->mapping_sha);
    ab__gw_puts(w, ", \"file\": ");
    ab__gw_jstr(w, o->map_file);
    ab__gw_puts(w, ", \"file_sha256\": ");
    ab__gw_jstr(w, g->map_sha[0] ? g->map_sha : NULL);
    ab__gw_puts(w, ",\n      \"pairs\": [");
    const ab_bpmn_mapping *mp = o->mapping;
    uint32_t np = mp != NULL ? ab_bpmn_map_pair_count(mp) : 0;
    for (uint32_t i = 0; i < np; i++) {
        const ab_bpmn_map_pair *p = ab_bpmn_map_pair_at(mp, i);
        ab__gw_puts(w, i ? ",\n        {\"task\": " : "\n        {\"task\": ");
        ab__gw_jstr(w, p->task);
        ab__gw_puts(w, ", \"activity\": ");
        ab__gw_jstr(w, p->activity);
        ab__gw_puts(w, ", \"lane\": ");
        ab__gw_jstr(w, p->lane);
        ab__gw_puts(w, ", \"how\": ");
        ab__gw_jstr(w, ab_bpmn_map_how_name(p->how));
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w,
                np ? "\n      ],\n      \"unmapped_tasks\": [" : "],\n      \"unmapped_tasks\": [");
    if (mp != NULL) {
        for (uint32_t i = 0; i < ab_bpmn_map_unmapped_task_count(mp); i++) {
            ab__gw_puts(w, i ? ", " : "");
            ab__gw_jstr(w, ab_bpmn_map_unmapped_task(mp, i));
        }
    } else {
        /* Without the mapping, the steps no log activity carries. */
        uint32_t k = 0;
        for (uint32_t l = 0; l < g->label_count; l++) {
            if (g->label_act[l] == AB_CONFORM_NONE) {
                ab__gw_puts(w, k++ ? ", " : "");
                ab__gw_jstr(w, ab_net_label(g->net, l));
            }
        }
    }
    ab__gw_puts(w, "],\n      \"unmapped_activities\": [");
    {
        /* By definition (R2) the undocumented activities, in byte order. */
        const uint32_t *sorted = g->hdr.activity_sorted;
        uint32_t k = 0;
        for (uint32_t i = 0; i < g->activity_count; i++) {
            uint32_t a = sorted[i];
            if (!g->documented[a]) {
                ab__gw_puts(w, k++ ? ", " : "");
                ab__gw_jstr(w, ab__gap_act_name(g, a));
            }
        }
    }
    ab__gw_puts(w, "],\n      \"warnings\": [");
    for (uint32_t i = 0; mp != NULL && i < ab_bpmn_map_warning_count(mp); i++) {
        ab__gw_puts(w, i ? ", " : "");
        ab__gw_jstr(w, ab_bpmn_map_warning(mp, i));
    }
    ab__gw_puts(w, "]},\n");

    ab__gw_puts(w, "    \"options\": {\"open_cases\": ");
    ab__gw_jstr(w, o->open_cases == AB_GAP_OPEN_EXCLUDE ? "exclude" : "closed");
    ab__gw_printf(w, ", \"open_case_horizon\": %.3g, \"controls\": ", o->open_horizon);
    ab__gw_jstr(w, g->controls_text);
    ab__gw_printf(w,
                  ", \"model_max_states\": %llu, \"alignment_max_states\": %llu, "
                  "\"min_group\": %u, \"min_support_cases\": %llu, \"fail_above\": ",
                  (unsigned long long)o->max_states, (unsigned long long)o->conform_max_states,
                  o->min_group, (unsigned long long)g->min_support);
    ab__gw_jstr(w, o->gate);
    ab__gw_puts(w, "},\n");

    ab__gw_puts(w, "    \"accept\": {\"file\": ");
    ab__gw_jstr(w, o->accept_file);
    ab__gw_puts(w, ", \"sha256\": ");
    ab__gw_jstr(w, g->accept_sha[0] ? g->accept_sha : NULL);
    ab__gw_puts(w, ", \"rules\": [");
    for (uint32_t i = 0; i < g->rule_count; i++) {
        const ab__gap_rule *r = &g->rules[i];
        ab__gw_puts(w, i ? ",\n        {\"rule\": " : "\n        {\"rule\": ");
        ab__gw_jstr(w, r->text);
        ab__gw_printf(w, ", \"line\": %llu, \"cases\": %llu}", (unsigned long long)r->line,
                      (unsigned long long)r->cases);
    }
    ab__gw_puts(w, g->rule_count ? "\n      ]}\n  }" : "]}\n  }");
}

static void summary(ab__gw *w, const ab_gap *g)
{
    const ab_gap_summary *s = &g->summary;
    ab__gw_printf(
        w,
        ",\n  \"summary\": {\"cases\": %u, \"events\": %llu, \"possibly_open_cases\": %u, "
        "\"open_cases\": \"%s\", \"excluded_open_cases\": %u, \"open_case_horizon_s\": ",
        s->cases, (unsigned long long)s->events, s->possibly_open_cases,
        g->opts.open_cases == AB_GAP_OPEN_EXCLUDE ? "exclude" : "closed", s->excluded_open_cases);
    ab__gw_dur(w, s->open_horizon_s);
    ab__gw_puts(w, ",\n    \"case_deviation_rate\": ");
    rate(w, &s->case_deviation);
    ab__gw_puts(w, ",\n    \"case_deviation_rate_before_accept\": ");
    rate(w, &s->case_deviation_raw);
    ab__gw_puts(w, ",\n    \"off_model_event_rate\": ");
    rate(w, &s->off_model_events);
    ab__gw_puts(w, ",\n    \"missing_step_rate\": ");
    rate(w, &s->missing_steps);
    ab__gw_printf(w, ",\n    \"fitness\": %.4f", s->fitness);
    ab__gw_puts(w, ",\n    \"undocumented_activity_case_rate\": ");
    rate(w, &s->undocumented_cases);
    ab__gw_puts(w, ",\n    \"undocumented_rework_rate\": ");
    rate(w, &s->rework);
    ab__gw_puts(w, ",\n    \"documented_rework_rate\": ");
    rate(w, &s->documented_rework);
    ab__gw_puts(w, ",\n    \"out_of_order_rate\": ");
    rate(w, &s->out_of_order);
    ab__gw_puts(w, ",\n    \"early_exit_rate\": ");
    rate(w, &s->early_exit);
    ab__gw_puts(w, ",\n    \"control_bypass_rate\": ");
    rate(w, &s->control_bypass);
    ab__gw_puts(w, ",\n    \"max_bypass_rate\": ");
    rate(w, &s->bypass_max);
    ab__gw_puts(w, ",\n    \"max_control_bypass_rate\": ");
    rate(w, &s->control_bypass_max);
    ab__gw_printf(w, ",\n    \"approximate_variants\": %u, \"approximate_cases\": %u",
                  s->approximate_variants, s->approximate_cases);
    ab__gw_puts(w, ",\n    \"ambiguous_cases\": ");
    if (s->ambiguity_unchecked_cases >= s->cases && s->cases > 0) {
        status(w, "not computed", "the check for a second optimal alignment was not run");
    } else {
        ab__gw_puts(w, "{\"status\": \"computed\", \"rate\": ");
        rate(w, &s->ambiguous);
        ab__gw_printf(w, ", \"unchecked_cases\": %u}", s->ambiguity_unchecked_cases);
    }
    ab__gw_puts(w, ",\n    \"mapping_coverage\": {\"events\": ");
    rate(w, &s->mapped_events);
    ab__gw_puts(w, ", \"tasks\": ");
    rate(w, &s->mapped_tasks);
    ab__gw_printf(w,
                  ", \"weak\": %s, \"warning\": ", s->mapping_warning != NULL ? "true" : "false");
    if (s->mapping_warning != NULL) {
        ab__gw_jstr(w, s->mapping_warning);
    } else {
        ab__gw_puts(w, "null");
    }
    ab__gw_puts(w, "}");
    ab__gw_puts(w, ",\n    \"model_relation\": ");
    if (g->model.known) {
        ab__gw_printf(w, "{\"status\": \"computed\", \"markings\": %llu}",
                      (unsigned long long)g->model.states);
    } else {
        ab__gw_puts(w, "{\"status\": \"unknown\", \"reason\": ");
        ab__gw_jstr(w, g->model.reason);
        ab__gw_printf(w, ", \"markings\": %llu}", (unsigned long long)g->model.states);
    }
    ab__who_json_summary(w, g);
    ab__gw_puts(w, "}");
}

static void model_side(ab__gw *w, const ab_gap *g)
{
    ab__gw_puts(w, ",\n  \"dead_steps\": [");
    uint32_t n = 0;
    for (uint32_t i = 0; i < g->dead_step_count; i++) {
        const ab_gap_dead_step *d = &g->dead_steps[i];
        if (!d->dead) {
            continue;
        }
        ab__gw_puts(w, n++ ? ",\n    {\"activity\": " : "\n    {\"activity\": ");
        ab__gw_jstr(w, d->activity);
        ab__gw_puts(w, ", \"element_id\": ");
        ab__gw_jstr(w, d->element_id);
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, n ? "\n  ]" : "]");
    ab__gw_puts(w, ",\n  \"rarely_used_steps\": [");
    n = 0;
    for (uint32_t i = 0; i < g->dead_step_count; i++) {
        const ab_gap_dead_step *d = &g->dead_steps[i];
        if (d->dead) {
            continue;
        }
        ab__gw_puts(w, n++ ? ",\n    {\"activity\": " : "\n    {\"activity\": ");
        ab__gw_jstr(w, d->activity);
        ab__gw_puts(w, ", \"element_id\": ");
        ab__gw_jstr(w, d->element_id);
        ab__gw_puts(w, ", \"cases\": ");
        ab_gap_rate r = ab__gap_rate(d->sync_cases, g->case_count);
        rate(w, &r);
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, n ? "\n  ]" : "]");
    ab__gw_puts(w, ",\n  \"dead_paths\": [");
    for (uint32_t i = 0; i < g->dead_path_count; i++) {
        const ab_gap_dead_path *d = &g->dead_paths[i];
        ab__gw_puts(w, i ? ",\n    {\"flow_id\": " : "\n    {\"flow_id\": ");
        ab__gw_jstr(w, d->flow_id);
        ab__gw_puts(w, ", \"from_element\": ");
        ab__gw_jstr(w, d->from_element);
        ab__gw_puts(w, ", \"to_element\": ");
        ab__gw_jstr(w, d->to_element);
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, g->dead_path_count ? "\n  ]" : "]");
    ab__gw_puts(w, ",\n  \"unused_options\": [");
    for (uint32_t i = 0; i < g->option_count; i++) {
        const ab_gap_unused_option *o = &g->options[i];
        ab__gw_puts(w, i ? ",\n    {\"gateway\": " : "\n    {\"gateway\": ");
        ab__gw_jstr(w, o->gateway);
        ab__gw_puts(w, ", \"gateway_name\": ");
        ab__gw_jstr(w, o->gateway_name);
        ab__gw_puts(w, ", \"option\": ");
        ab__gw_jstr(w, o->option);
        ab__gw_puts(w, ", \"flow_id\": ");
        ab__gw_jstr(w, o->flow_id);
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, g->option_count ? "\n  ]" : "]");
    ab__gw_puts(w, ",\n  \"model_side_status\": ");
    if (g->replay.valid) {
        status(w, "computed", NULL);
    } else {
        status(w, "not computed", g->replay.reason);
    }
    ab__gw_puts(w, ",\n  \"undocumented_transitions_status\": ");
    if (g->model.known) {
        status(w, "computed", NULL);
    } else {
        status(w, "unknown", g->model.reason);
    }
}

static void others(ab__gw *w, const ab_gap *g)
{
    static const char *const names[] = {"bypasses",
                                        "undocumented_activities",
                                        "undocumented_transitions",
                                        "rework",
                                        "out_of_order",
                                        "substitutions",
                                        "extra_steps",
                                        "early_exits"};
    uint32_t kinds = 0;
    for (int k = 0; k < AB_GAP_K__COUNT; k++) {
        kinds += g->other_kinds[k];
    }
    ab__gw_printf(w,
                  ",\n  \"other_deviations\": {\"min_support_cases\": %llu, \"kinds\": %u, "
                  "\"cases\": %llu",
                  (unsigned long long)g->min_support, kinds,
                  (unsigned long long)g->other_total_cases);
    for (int k = 0; k < AB_GAP_K__COUNT; k++) {
        ab__gw_printf(w, ",\n    \"%s\": {\"kinds\": %u, \"cases\": %llu, \"items\": [", names[k],
                      g->other_kinds[k], (unsigned long long)g->other_cases[k]);
        uint32_t n = 0;
        for (uint32_t i = 0; i < g->item_count[k]; i++) {
            const ab_gap_item *it = &g->items[k][i];
            if (it->supported || (k == AB_GAP_K_REWORK && it->documented)) {
                continue;
            }
            ab__gw_puts(w, n++ ? ", {\"activity\": " : "{\"activity\": ");
            ab__gw_jstr(w, it->activity);
            ab__gw_puts(w, ", \"other\": ");
            ab__gw_jstr(w, it->other);
            ab__gw_printf(w, ", \"cases\": %llu}", (unsigned long long)it->cases.count);
        }
        ab__gw_puts(w, "]}");
    }
    ab__gw_puts(w, "}");
}

static void data_quality(ab__gw *w, const ab_gap *g)
{
    const ab_data_quality *dq = &g->hdr.data_quality;
    const ab_conform_stats *c = &g->cstats;
    ab__gw_printf(w, ",\n  \"data_quality\": {\"records\": %llu, \"dropped\": {",
                  (unsigned long long)dq->records);
    for (int r = 0; r < AB_DROP__COUNT; r++) {
        ab__gw_printf(w, "%s\"%s\": %llu", r ? ", " : "", ab_drop_reason_name((ab_drop_reason)r),
                      (unsigned long long)dq->dropped[r].count);
    }
    ab__gw_printf(
        w,
        "}, \"timestamps_coerced\": %llu, \"duplicate_events\": %llu, "
        "\"cases_with_equal_timestamps\": %llu,\n    \"paired_starts\": %llu, "
        "\"unpaired_starts\": %llu, \"other_lifecycle_events\": %llu, "
        "\"fitting_variants\": %u, \"fast_path_variants\": %u}",
        (unsigned long long)dq->timestamps_coerced, (unsigned long long)dq->duplicate_events,
        (unsigned long long)dq->cases_with_equal_timestamps, (unsigned long long)c->paired_starts,
        (unsigned long long)c->unpaired_starts, (unsigned long long)c->other_lifecycle,
        c->fitting_variants, c->fast_path_variants);
}

int ab_gap_write_json(const ab_gap *g, ab_buf *buf, ab_error *err)
{
    ab__gw w = {buf, g->ctx, AB_OK};
    ab__gw_puts(&w, "{\n  \"schema\": \"asbuilt.gap/1\",\n");
    inputs(&w, g);
    summary(&w, g);
    list(&w, g, "bypasses", AB_GAP_K_BYPASS);
    list(&w, g, "early_exits", AB_GAP_K_EARLY_EXIT);
    list(&w, g, "undocumented_activities", AB_GAP_K_UNDOCUMENTED);
    list(&w, g, "undocumented_transitions", AB_GAP_K_TRANSITION);
    list(&w, g, "rework", AB_GAP_K_REWORK);
    list(&w, g, "out_of_order", AB_GAP_K_OUT_OF_ORDER);
    list(&w, g, "substitutions", AB_GAP_K_SUBSTITUTION);
    list(&w, g, "extra_steps", AB_GAP_K_EXTRA_STEP);
    model_side(&w, g);
    others(&w, g);
    data_quality(&w, g);
    ab__who_json(&w, g);
    ab__gw_puts(&w, ",\n  \"notes\": ");
    string_list(&w, ab__gap_notes, (uint32_t)ab__gap_note_count);
    ab__gw_puts(&w, ",\n  \"statements\": [");
    for (uint32_t i = 0; i < g->statement_count; i++) {
        ab__gw_puts(&w, i ? ",\n    " : "\n    ");
        ab__gw_jstr(&w, g->statements[i]);
    }
    ab__gw_puts(&w, g->statement_count ? "\n  ]\n}\n" : "]\n}\n");
    if (w.rc != AB_OK) {
        return ab__error(err, w.rc, "gap", 0, 0, "out of memory");
    }
    return AB_OK;
}

static void case_line(ab__gw *w, const ab_gap *g, uint32_t c, const char *id);

int ab_gap_write_cases(const ab_gap *g, ab_buf *buf, ab_error *err)
{
    return ab_gap_write_cases_range(g, buf, 0, g->case_count, err);
}

int ab_gap_write_cases_range(const ab_gap *g, ab_buf *buf, uint32_t first, uint32_t count,
                             ab_error *err)
{
    ab__gw w = {buf, g->ctx, AB_OK};
    /* Up to the last case: first + count may pass it, or 2^32. */
    uint32_t end = g->case_count;
    if (first < end && count < end - first) {
        end = first + count;
    }
    for (uint32_t c = first; c < end && w.rc == AB_OK; c++) {
        case_line(&w, g, c, ab__gap_case_id(g, c));
    }
    if (w.rc != AB_OK) {
        return ab__error(err, w.rc, "gap", 0, 0, "out of memory");
    }
    return AB_OK;
}

int ab__gap_write_case_line(const ab_gap *g, ab_buf *buf, uint32_t c, const char *id)
{
    ab__gw w = {buf, g->ctx, AB_OK};
    case_line(&w, g, c, id);
    return w.rc;
}

/* Case c's line: its id, variant, flags and deviations, who did the work. */
static void case_line(ab__gw *w, const ab_gap *g, uint32_t c, const char *id)
{
    const ab__gap_group *gr = &g->groups[ab__gap_case_group(g, c)];
    ab__gw_puts(w, "{\"case\": ");
    ab__gw_jstr(w, id);
    ab__gw_printf(w,
                  ", \"variant\": %u, \"possibly_open\": %s, \"excluded_as_open\": %s, "
                  "\"deviating\": %s, \"counted_in_m1\": %s, \"deviations\": [",
                  gr->variant, yes(ab__gap_case_open(g, c)), yes(gr->open), yes(gr->deviating_raw),
                  yes(gr->deviating));
    for (uint32_t i = 0; i < gr->dev_count; i++) {
        const ab_gap_deviation *d = &gr->devs[i];
        ab__gw_puts(w, i ? ", {\"class\": " : "{\"class\": ");
        ab__gw_jstr(w, ab_gap_class_name(d->cls));
        ab__gw_puts(w, ", \"activity\": ");
        ab__gw_jstr(w, d->activity);
        if (d->instead != NULL) {
            ab__gw_puts(w, ", \"instead\": ");
            ab__gw_jstr(w, d->instead);
        }
        ab__gw_printf(w, ", \"position\": %u, \"early_exit\": %s, \"accepted\": %s}", d->position,
                      yes(d->early_exit), yes(d->accepted));
    }
    ab__gw_puts(w, "]");
    ab__who_json_case(w, g, c);
    ab__gw_puts(w, "}\n");
}

void ab__gap_json_rate(ab__gw *w, const ab_gap_rate *r)
{
    rate(w, r);
}

void ab__gap_json_time(ab__gw *w, const ab_gap *g, const ab_gap_time *t)
{
    time_impact(w, g, t);
}
