/*
 * report/report_gap.c: the readiness report of a gap, as an HTML page. It
 * renders the gap's own JSON report (ab_gap_write_json, schema
 * asbuilt.gap/1) rather than recomputing or re-reading the result, so the
 * page shows the very numbers, names, sentences and hashes of the JSON: the
 * two cannot disagree. The map's overlay comes from the same document:
 * bypass rates and dead steps by element id, undocumented transitions and
 * activities placed through the label mapping, dead flows by id.
 */
#include "report/report_int.h"

#include <math.h>
#include <stdio.h>

#define MAX_SECTIONS 24

typedef struct gp {
    ab_ctx *ctx;
    ab__arena arena; /* Every string, array and table of the page. */
    int rc;          /* Sticky: the first failure. */
    const ab__jval *root;
    const ab_bpmn *model;
    const ab_report_gap_options *opts;
    ab_report_task_mark *marks;
    uint32_t n_marks;
    ab_report_arc *arcs;
    uint32_t n_arcs;
    ab_report_extra *extras;
    uint32_t n_extras;
    ab_report_case_end *ends;
    uint32_t n_ends;
    ab_report_lane_mark *lanes;
    uint32_t n_lanes;
    const char **dead;
    uint32_t n_dead;
    ab_report_overlay ov;
    ab_report_section sections[MAX_SECTIONS];
    uint32_t n_sections;
    ab_report_block *blocks[MAX_SECTIONS];
    uint32_t block_cap[MAX_SECTIONS];
    ab_report_fact inputs[12];
    uint32_t n_inputs;
    ab_report_fact figures[6];
    uint32_t n_figures;
    ab_report_page page;
} gp;

#define J(v, k) ab__json_get((v), (k))
#define JS(v, k) ab__json_str(ab__json_get((v), (k)))

/* ---- Strings in the arena. ---- */

static const char *fmt(gp *g, const char *f, ...) AB__PRINTF(2, 3);
static const char *fmt(gp *g, const char *f, ...)
{
    if (g->rc != AB_OK) {
        return "";
    }
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    char *s = n >= 0 ? ab__arena_alloc(&g->arena, (size_t)n + 1) : NULL;
    if (s == NULL) {
        g->rc = AB_ENOMEM;
        return "";
    }
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

static void *alloc(gp *g, size_t n)
{
    void *p = g->rc == AB_OK ? ab__arena_alloc(&g->arena, n > 0 ? n : 1) : NULL;
    if (p == NULL) {
        g->rc = g->rc != AB_OK ? g->rc : AB_ENOMEM;
        return NULL;
    }
    memset(p, 0, n > 0 ? n : 1);
    return p;
}

/* A percentage with one decimal, ".0" dropped, as the gap's sentences write it. */
static const char *pct(gp *g, double rate)
{
    char t[64];
    snprintf(t, sizeof(t), "%.1f", rate * 100.0);
    size_t n = strlen(t);
    if (n >= 2 && strcmp(t + n - 2, ".0") == 0) {
        t[n - 2] = '\0';
    }
    return fmt(g, "%s%%", t);
}

/* "310 of 500" */
static const char *count_of(gp *g, const ab__jval *rate)
{
    return fmt(g, "%.0f of %.0f", ab__json_num(J(rate, "count"), 0),
               ab__json_num(J(rate, "of"), 0));
}

/* "62% (57.7% to 66.1%)" */
static const char *rate_ci(gp *g, const ab__jval *rate)
{
    const ab__jval *ci = J(rate, "ci95");
    return fmt(g, "%s (%s to %s)", pct(g, ab__json_num(J(rate, "rate"), 0)),
               pct(g, ab__json_num(ab__json_at(ci, 0), 0)),
               pct(g, ab__json_num(ab__json_at(ci, 1), 0)));
}

/* A duration, 2 significant digits, in the unit that reads best. */
static const char *duration(gp *g, double s)
{
    static const struct {
        double secs;
        const char *unit;
    } units[] = {{86400, "d"}, {3600, "h"}, {60, "min"}, {1, "s"}};
    double a = fabs(s);
    size_t u = 0;
    while (u + 1 < 4 && a < units[u].secs * 2) {
        u++;
    }
    double v = s / units[u].secs;
    if (!isfinite(v) || v == 0) {
        return fmt(g, "0 %s", units[u].unit);
    }
    int e = (int)floor(log10(fabs(v)));
    double scale = pow(10, e - 1);
    double r = round(fabs(v) / scale) * scale;
    if (r >= pow(10, e + 1)) {
        e++;
    }
    return e >= 1 ? fmt(g, "%s%.0f %s", v < 0 ? "-" : "", r, units[u].unit)
                  : fmt(g, "%s%.*f %s", v < 0 ? "-" : "", 1 - e, r, units[u].unit);
}

/* A time impact: the medians and shift with their interval, the baseline
 * they compare with and the local impact, or why there is none. */
static const char *time_text(gp *g, const ab__jval *t)
{
    const char *status = JS(t, "status");
    if (status != NULL) {
        const char *reason = JS(t, "reason");
        return reason != NULL ? fmt(g, "not measured: %s (%s)", status, reason)
                              : fmt(g, "not measured: %s", status);
    }
    if (t->kind != AB__J_OBJECT) {
        return "";
    }
    const ab__jval *ci = J(t, "ci95_s");
    const char *kind = JS(t, "baseline_kind");
    const char *base = kind != NULL && strcmp(kind, "without_deviation") == 0
                           ? fmt(g, "vs cases without it, %.0f of them conforming",
                                 ab__json_num(J(t, "baseline_conforming"), 0))
                           : "vs conforming cases";
    const char *text =
        fmt(g, "%s vs %s (\xce\x94 %s; shift %s, 95%% CI %s to %s; %.0f/%.0f cases, %s)",
            duration(g, ab__json_num(J(t, "deviating_median_s"), 0)),
            duration(g, ab__json_num(J(t, "baseline_median_s"), 0)),
            duration(g, ab__json_num(J(t, "delta_s"), 0)),
            duration(g, ab__json_num(J(t, "hodges_lehmann_s"), 0)),
            duration(g, ab__json_num(ab__json_at(ci, 0), 0)),
            duration(g, ab__json_num(ab__json_at(ci, 1), 0)), ab__json_num(J(t, "n_deviating"), 0),
            ab__json_num(J(t, "n_baseline"), 0), base);
    const ab__jval *l = J(t, "local");
    if (l->kind == AB__J_OBJECT && JS(l, "status") == NULL) {
        const ab__jval *lci = J(l, "ci95_s");
        text = fmt(g, "%s; from %s to %s: shift %s, 95%% CI %s to %s", text, JS(l, "from"),
                   JS(l, "to"), duration(g, ab__json_num(J(l, "hodges_lehmann_s"), 0)),
                   duration(g, ab__json_num(ab__json_at(lci, 0), 0)),
                   duration(g, ab__json_num(ab__json_at(lci, 1), 0)));
    }
    return text;
}

static const char *or_dash(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : "\xe2\x80\x94";
}

static const char *yes_no(const ab__jval *v)
{
    if (v->kind == AB__J_BOOL) {
        return v->b ? "yes" : "no";
    }
    return v->kind == AB__J_STRING ? v->str : "\xe2\x80\x94";
}

/* ---- Sections, blocks and tables. ---- */

/* A new section with room for cap blocks. */
static uint32_t section(gp *g, const char *id, const char *title, int appendix, uint32_t cap)
{
    if (g->n_sections >= MAX_SECTIONS || g->rc != AB_OK) {
        g->rc = g->rc != AB_OK ? g->rc : AB_ERROR;
        return 0;
    }
    uint32_t s = g->n_sections++;
    g->block_cap[s] = cap;
    g->blocks[s] = alloc(g, (size_t)cap * sizeof(ab_report_block));
    g->sections[s] = (ab_report_section){id, title, g->blocks[s], 0, appendix};
    return s;
}

static void block(gp *g, uint32_t s, ab_report_block_kind kind, const char *text)
{
    ab_report_section *sec = &g->sections[s];
    if (g->rc != AB_OK || sec->block_count >= g->block_cap[s]) {
        return;
    }
    g->blocks[s][sec->block_count++] = (ab_report_block){kind, text, NULL, 0, NULL};
}

static void list_block(gp *g, uint32_t s, const char **items, uint32_t n)
{
    ab_report_section *sec = &g->sections[s];
    if (g->rc != AB_OK || sec->block_count >= g->block_cap[s] || n == 0) {
        return;
    }
    g->blocks[s][sec->block_count++] = (ab_report_block){AB_REPORT_LIST, NULL, items, n, NULL};
}

/* A table with rows to fill: cells[r * columns + c]. */
static const char **table(gp *g, uint32_t s, const char *caption, uint32_t columns,
                          const char *const *headers, const char *align, uint32_t rows)
{
    ab_report_section *sec = &g->sections[s];
    if (g->rc != AB_OK || sec->block_count >= g->block_cap[s]) {
        return NULL;
    }
    ab_report_table *t = alloc(g, sizeof(*t));
    const char **cells = alloc(g, ((size_t)rows * columns + 1) * sizeof(char *));
    if (t == NULL || cells == NULL) {
        return NULL;
    }
    *t = (ab_report_table){caption, columns, headers, align, rows, cells};
    g->blocks[s][sec->block_count++] = (ab_report_block){AB_REPORT_TABLE, NULL, NULL, 0, t};
    return cells;
}

/* The strings of a JSON array of strings. */
static const char **strings(gp *g, const ab__jval *arr, uint32_t *n_out)
{
    uint32_t n = ab__json_len(arr);
    const char **out = alloc(g, ((size_t)n + 1) * sizeof(char *));
    *n_out = 0;
    for (uint32_t i = 0; out != NULL && i < n; i++) {
        const char *s = ab__json_str(ab__json_at(arr, i));
        if (s != NULL) {
            out[(*n_out)++] = s;
        }
    }
    return out;
}

/* ---- From activity names to map elements. ---- */

static int activity_like(ab_bpmn_kind k)
{
    return k == AB_BPMN_TASK || k == AB_BPMN_CALL_ACTIVITY || k == AB_BPMN_SUBPROCESS;
}

static int same_lane(const ab_bpmn *m, const ab_bpmn_node *nd, const char *lane)
{
    if (lane == NULL) {
        return 1;
    }
    if (nd->lane == AB_BPMN_NONE) {
        return 0;
    }
    char a[256], b[256];
    ab_bpmn_label_normalise(ab_bpmn_lane_at(m, nd->lane)->name, a, sizeof(a));
    ab_bpmn_label_normalise(lane, b, sizeof(b));
    return strcmp(a, b) == 0;
}

/*
 * The map element that stands for a log activity: through the mapping's
 * pairs (task label, and its lane when the pair names one), else a step
 * labelled with the activity's name. NULL when none (an undocumented
 * activity, or the artificial START and END of a trace).
 */
static const char *element_of(const gp *g, const char *activity)
{
    const ab_bpmn *m = g->model;
    if (activity == NULL || m == NULL) {
        return NULL;
    }
    if (strcmp(activity, "START") == 0 || strcmp(activity, "END") == 0) {
        /*
         * Not one of the map's start or end events: a case that reached
         * neither through the documented path must not be drawn as if it had
         * (build_overlay draws case starts and ends beside their step).
         */
        return NULL;
    }
    const ab__jval *pairs = J(J(J(g->root, "inputs"), "mapping"), "pairs");
    for (uint32_t i = 0; i < ab__json_len(pairs); i++) {
        const ab__jval *p = ab__json_at(pairs, i);
        const char *act = JS(p, "activity"), *task = JS(p, "task");
        if (act == NULL || task == NULL || strcmp(act, activity) != 0) {
            continue;
        }
        for (uint32_t v = 0; v < ab_bpmn_node_count(m); v++) {
            const ab_bpmn_node *nd = ab_bpmn_node_at(m, v);
            if (activity_like(nd->kind) && strcmp(nd->label, task) == 0 &&
                same_lane(m, nd, JS(p, "lane"))) {
                return nd->id;
            }
        }
    }
    for (uint32_t v = 0; v < ab_bpmn_node_count(m); v++) {
        const ab_bpmn_node *nd = ab_bpmn_node_at(m, v);
        if (activity_like(nd->kind) && strcmp(nd->label, activity) == 0) {
            return nd->id;
        }
    }
    return NULL;
}

static int is_bound(const char *activity, const char *which)
{
    return activity != NULL && strcmp(activity, which) == 0;
}

static int is_extra(const gp *g, const char *name)
{
    for (uint32_t i = 0; name != NULL && i < g->n_extras; i++) {
        if (strcmp(g->extras[i].name, name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The overlay: bypass rates, dead steps, undocumented activities and transitions, dead flows. */
static void build_overlay(gp *g)
{
    const ab__jval *r = g->root;
    const ab__jval *byp = J(r, "bypasses"), *dead = J(r, "dead_steps");
    const ab__jval *und = J(r, "undocumented_activities");
    const ab__jval *tr = J(r, "undocumented_transitions"), *paths = J(r, "dead_paths");
    uint32_t max_arcs = g->opts->max_arcs != 0 ? g->opts->max_arcs : 12;
    uint32_t max_extras = g->opts->max_extras != 0 ? g->opts->max_extras : 12;
    g->marks = alloc(g, ((size_t)ab__json_len(byp) + ab__json_len(dead) + 1) * sizeof(*g->marks));
    g->extras = alloc(g, ((size_t)ab__json_len(und) + 1) * sizeof(*g->extras));
    g->arcs = alloc(g, ((size_t)ab__json_len(tr) + 1) * sizeof(*g->arcs));
    g->ends = alloc(g, ((size_t)ab__json_len(tr) + 1) * sizeof(*g->ends));
    g->dead = alloc(g, ((size_t)ab__json_len(paths) + 1) * sizeof(char *));
    if (g->rc != AB_OK) {
        return;
    }
    for (uint32_t i = 0; i < ab__json_len(byp); i++) {
        const ab__jval *b = ab__json_at(byp, i), *c = J(b, "cases");
        const char *id = JS(b, "element_id");
        if (id != NULL) {
            g->marks[g->n_marks++] = (ab_report_task_mark){
                id, ab__json_num(J(c, "rate"), -1), (uint64_t)ab__json_num(J(c, "count"), 0),
                (uint64_t)ab__json_num(J(c, "of"), 0), 0};
        }
    }
    for (uint32_t i = 0; i < ab__json_len(dead); i++) {
        const char *id = JS(ab__json_at(dead, i), "element_id");
        uint32_t k = 0;
        while (id != NULL && k < g->n_marks && strcmp(g->marks[k].element_id, id) != 0) {
            k++;
        }
        if (id == NULL) {
            continue;
        }
        if (k == g->n_marks) {
            g->marks[g->n_marks++] = (ab_report_task_mark){id, -1, 0, 0, 1};
        } else {
            g->marks[k].dead = 1;
        }
    }
    for (uint32_t i = 0; i < ab__json_len(und) && g->n_extras < max_extras; i++) {
        const ab__jval *u = ab__json_at(und, i);
        const char *name = JS(u, "activity");
        if (name != NULL) {
            g->extras[g->n_extras++] =
                (ab_report_extra){name, (uint64_t)ab__json_num(J(J(u, "cases"), "count"), 0),
                                  element_of(g, JS(J(u, "context"), "before")),
                                  element_of(g, JS(J(u, "context"), "after"))};
        }
    }
    for (uint32_t i = 0; i < ab__json_len(tr); i++) {
        const ab__jval *t = ab__json_at(tr, i);
        const char *a = JS(t, "from"), *b = JS(t, "to");
        uint64_t cases = (uint64_t)ab__json_num(J(J(t, "cases"), "count"), 0);
        int start = is_bound(a, "START"), end = is_bound(b, "END");
        if (start || end) {
            /* The case started or ended off the map's path: a marker beside the step. */
            const char *step = start ? b : a;
            if ((start && end) || g->n_ends >= max_arcs) {
                continue;
            }
            ab_report_case_end ce = {NULL, NULL, cases, start};
            if (is_extra(g, step)) {
                ce.activity = step;
            } else {
                ce.element_id = element_of(g, step);
            }
            g->ends[g->n_ends++] = ce;
            continue;
        }
        if (g->n_arcs >= max_arcs) {
            continue;
        }
        ab_report_arc arc = {NULL, NULL, NULL, NULL, cases};
        if (is_extra(g, a)) {
            arc.from_activity = a;
        } else {
            arc.from_id = element_of(g, a);
        }
        if (is_extra(g, b)) {
            arc.to_activity = b;
        } else {
            arc.to_id = element_of(g, b);
        }
        g->arcs[g->n_arcs++] = arc;
    }
    for (uint32_t i = 0; i < ab__json_len(paths); i++) {
        const char *id = JS(ab__json_at(paths, i), "flow_id");
        if (id != NULL) {
            g->dead[g->n_dead++] = id;
        }
    }
    g->ov = (ab_report_overlay)AB_REPORT_OVERLAY_INIT;
    g->ov.tasks = g->marks;
    g->ov.task_count = g->n_marks;
    g->ov.arcs = g->arcs;
    g->ov.arc_count = g->n_arcs;
    g->ov.extras = g->extras;
    g->ov.extra_count = g->n_extras;
    g->ov.dead_flows = g->dead;
    g->ov.dead_flow_count = g->n_dead;
    g->ov.cases = (uint64_t)ab__json_num(J(J(g->root, "summary"), "cases"), 0);
    g->ov.ends = g->ends;
    g->ov.end_count = g->n_ends;
    /* Lanes: their steps' instances done by someone outside them, from the
     * who section's per-task counts. */
    const ab__jval *who = J(g->root, "who");
    const ab__jval *lr = J(who, "lane_roles"), *rc = J(who, "role_conformance");
    uint32_t nl = ab__json_len(lr);
    g->lanes = alloc(g, ((size_t)nl + 1) * sizeof(ab_report_lane_mark));
    for (uint32_t i = 0; g->lanes != NULL && i < nl; i++) {
        const ab__jval *l = ab__json_at(lr, i);
        ab_report_lane_mark m = {JS(l, "lane"), 0, 0};
        if (m.lane == NULL || ab__json_len(J(l, "roles")) == 0) {
            continue;
        }
        for (uint32_t k = 0; k < ab__json_len(rc); k++) {
            const ab__jval *t = ab__json_at(rc, k);
            const char *tl = JS(t, "lane");
            if (tl != NULL && strcmp(tl, m.lane) == 0) {
                m.outside += (uint64_t)ab__json_num(J(t, "events"), 0);
                m.of += (uint64_t)(ab__json_num(J(t, "instances"), 0) -
                                   ab__json_num(J(t, "unknown"), 0));
            }
        }
        g->lanes[g->n_lanes++] = m;
    }
    g->ov.lanes = g->lanes;
    g->ov.lane_count = g->n_lanes;
}

/* ---- The sections. ---- */

static const char *accepted(gp *g, const ab__jval *item, const char *name)
{
    const ab__jval *a = J(item, "accepted");
    return a->kind == AB__J_BOOL && a->b ? fmt(g, "%s (accepted)", or_dash(name)) : or_dash(name);
}

static void bypass_table(gp *g, uint32_t s)
{
    static const char *const h[] = {
        "Documented step", "Lane",          "Control",     "On every documented path",
        "Cases",           "Rate (95% CI)", "Early exits", "Time impact"};
    const ab__jval *byp = J(g->root, "bypasses");
    uint32_t n = ab__json_len(byp), row = 0;
    const char **c = table(g, s, NULL, 8, h, "llccrrrl", n);
    /* Controls first (spec M9c), each group in the gap's order. */
    for (int pass = 0; pass < 2 && c != NULL; pass++) {
        for (uint32_t i = 0; i < n; i++) {
            const ab__jval *b = ab__json_at(byp, i), *ctl = J(b, "control");
            int is_control = ctl->kind == AB__J_BOOL && ctl->b;
            if (is_control != (pass == 0)) {
                continue;
            }
            const char **r = c + (size_t)row++ * 8;
            r[0] = accepted(g, b, JS(b, "activity"));
            r[1] = or_dash(JS(b, "lane"));
            r[2] = yes_no(ctl);
            r[3] = yes_no(J(b, "mandatory"));
            r[4] = count_of(g, J(b, "cases"));
            r[5] = rate_ci(g, J(b, "cases"));
            r[6] = fmt(g, "%.0f", ab__json_num(J(b, "early_exit_cases"), 0));
            r[7] = time_text(g, J(b, "time_impact"));
        }
    }
}

static void finding_tables(gp *g)
{
    const ab__jval *r = g->root;
    uint32_t s;
    if (ab__json_len(J(r, "bypasses")) > 0) {
        s = section(g, "bypasses", "Documented steps that were not done", 0, 8);
        block(g, s, AB_REPORT_PARAGRAPH,
              "A rate counts only the cases whose own documented path required the step (M9): "
              "a case that took a branch without the step is not counted. \xe2\x80\x9cOn every "
              "documented path\xe2\x80\x9d says whether every way through the map has the step "
              "(yes) or only some branches do (no). Steps tagged as controls come first.");
        bypass_table(g, s);
    }
    const ab__jval *ee = J(r, "early_exits");
    if (ab__json_len(ee) > 0) {
        static const char *const h[] = {"Last step done", "Documented steps skipped", "Cases",
                                        "Rate (95% CI)", "Time impact"};
        s = section(g, "early-exits", "Cases that stopped early", 0, 8);
        const char **c = table(g, s, NULL, 5, h, "llrrl", ab__json_len(ee));
        for (uint32_t i = 0; c != NULL && i < ab__json_len(ee); i++) {
            const ab__jval *e = ab__json_at(ee, i);
            const char **row = c + (size_t)i * 5;
            row[0] = accepted(g, e, JS(e, "after"));
            row[1] = or_dash(JS(e, "skipped"));
            row[2] = count_of(g, J(e, "cases"));
            row[3] = rate_ci(g, J(e, "cases"));
            row[4] = time_text(g, J(e, "time_impact"));
        }
    }
    const ab__jval *ua = J(r, "undocumented_activities");
    if (ab__json_len(ua) > 0) {
        static const char *const h[] = {"Activity", "Cases",           "Rate (95% CI)",
                                        "Events",   "Usually between", "Time impact"};
        s = section(g, "undocumented-activities", "Work the documentation does not mention", 0, 8);
        const char **c = table(g, s, NULL, 6, h, "lrrrll", ab__json_len(ua));
        for (uint32_t i = 0; c != NULL && i < ab__json_len(ua); i++) {
            const ab__jval *u = ab__json_at(ua, i), *ctx = J(u, "context");
            const char **row = c + (size_t)i * 6;
            row[0] = accepted(g, u, JS(u, "activity"));
            row[1] = count_of(g, J(u, "cases"));
            row[2] = rate_ci(g, J(u, "cases"));
            row[3] = count_of(g, J(u, "events"));
            row[4] = fmt(g, "%s and %s", or_dash(JS(ctx, "before")), or_dash(JS(ctx, "after")));
            row[5] = time_text(g, J(u, "time_impact"));
        }
    }
    const ab__jval *tr = J(r, "undocumented_transitions");
    if (ab__json_len(tr) > 0) {
        static const char *const h[] = {"From",      "To",      "Cases",      "Rate (95% CI)",
                                        "Caused by", "Skipped", "Time impact"};
        s = section(g, "undocumented-transitions", "Transitions the documentation never makes", 0,
                    8);
        block(g, s, AB_REPORT_PARAGRAPH,
              "Caused by: occurrences explained by a skipped documented step, by an extra or "
              "undocumented step, or by a reordering (M6).");
        const char **c = table(g, s, NULL, 7, h, "llrrlll", ab__json_len(tr));
        for (uint32_t i = 0; c != NULL && i < ab__json_len(tr); i++) {
            const ab__jval *t = ab__json_at(tr, i), *at = J(t, "attribution");
            const char **row = c + (size_t)i * 7;
            row[0] = accepted(g, t, JS(t, "from"));
            row[1] = or_dash(JS(t, "to"));
            row[2] = count_of(g, J(t, "cases"));
            row[3] = rate_ci(g, J(t, "cases"));
            row[4] = fmt(g, "bypass %.0f, extra step %.0f, reorder %.0f",
                         ab__json_num(J(at, "bypass"), 0), ab__json_num(J(at, "extra_step"), 0),
                         ab__json_num(J(at, "reorder"), 0));
            row[5] = or_dash(JS(t, "skipped"));
            row[6] = time_text(g, J(t, "time_impact"));
        }
    }
    const ab__jval *rw = J(r, "rework");
    if (ab__json_len(rw) > 0) {
        static const char *const h[] = {"Activity",       "Cases",      "Rate (95% CI)",
                                        "Median repeats", "Documented", "Time impact"};
        s = section(g, "rework", "Work done again", 0, 8);
        const char **c = table(g, s, NULL, 6, h, "lrrrcl", ab__json_len(rw));
        for (uint32_t i = 0; c != NULL && i < ab__json_len(rw); i++) {
            const ab__jval *w = ab__json_at(rw, i);
            const char **row = c + (size_t)i * 6;
            row[0] = accepted(g, w, JS(w, "activity"));
            row[1] = count_of(g, J(w, "cases"));
            row[2] = rate_ci(g, J(w, "cases"));
            row[3] = J(w, "median_repeats")->str != NULL ? J(w, "median_repeats")->str : "";
            row[4] = yes_no(J(w, "documented"));
            row[5] = time_text(g, J(w, "time_impact"));
        }
    }
    const ab__jval *oo = J(r, "out_of_order");
    if (ab__json_len(oo) > 0) {
        static const char *const h[] = {"Activity",     "Cases",    "Rate (95% CI)",
                                        "Swapped with", "Happened", "Time impact"};
        s = section(g, "out-of-order", "Steps done out of their documented order", 0, 8);
        const char **c = table(g, s, NULL, 6, h, "lrrlll", ab__json_len(oo));
        for (uint32_t i = 0; c != NULL && i < ab__json_len(oo); i++) {
            const ab__jval *o = ab__json_at(oo, i);
            const char **row = c + (size_t)i * 6;
            row[0] = accepted(g, o, JS(o, "activity"));
            row[1] = count_of(g, J(o, "cases"));
            row[2] = rate_ci(g, J(o, "cases"));
            row[3] = or_dash(JS(o, "swapped_with"));
            row[4] = or_dash(JS(o, "happened"));
            row[5] = time_text(g, J(o, "time_impact"));
        }
    }
    const ab__jval *su = J(r, "substitutions");
    if (ab__json_len(su) > 0) {
        static const char *const h[] = {"Documented step", "Done instead", "Cases", "Rate (95% CI)",
                                        "Time impact"};
        s = section(g, "substitutions", "Steps replaced by other work", 0, 8);
        const char **c = table(g, s, NULL, 5, h, "llrrl", ab__json_len(su));
        for (uint32_t i = 0; c != NULL && i < ab__json_len(su); i++) {
            const ab__jval *x = ab__json_at(su, i);
            const char **row = c + (size_t)i * 5;
            row[0] = accepted(g, x, JS(x, "documented"));
            row[1] = or_dash(JS(x, "instead"));
            row[2] = count_of(g, J(x, "cases"));
            row[3] = rate_ci(g, J(x, "cases"));
            row[4] = time_text(g, J(x, "time_impact"));
        }
    }
    const ab__jval *ex = J(r, "extra_steps");
    if (ab__json_len(ex) > 0) {
        static const char *const h[] = {"Documented step", "Cases", "Rate (95% CI)", "Time impact"};
        s = section(g, "extra-steps", "Documented steps done where not foreseen", 0, 8);
        const char **c = table(g, s, NULL, 4, h, "lrrl", ab__json_len(ex));
        for (uint32_t i = 0; c != NULL && i < ab__json_len(ex); i++) {
            const ab__jval *x = ab__json_at(ex, i);
            const char **row = c + (size_t)i * 4;
            row[0] = accepted(g, x, JS(x, "activity"));
            row[1] = count_of(g, J(x, "cases"));
            row[2] = rate_ci(g, J(x, "cases"));
            row[3] = time_text(g, J(x, "time_impact"));
        }
    }
}

/* Dead steps, rarely used steps, dead paths, unused gateway options, smaller deviations. */
static void model_side(gp *g)
{
    const ab__jval *r = g->root;
    const ab__jval *ds = J(r, "dead_steps"), *rs = J(r, "rarely_used_steps");
    const ab__jval *dp = J(r, "dead_paths"), *uo = J(r, "unused_options");
    uint32_t n = ab__json_len(ds) + ab__json_len(rs) + ab__json_len(dp) + ab__json_len(uo);
    if (n > 0) {
        uint32_t s = section(g, "unused", "What the documentation allows but nobody did", 0, 8);
        const char **items = alloc(g, ((size_t)n + 1) * sizeof(char *));
        uint32_t k = 0;
        for (uint32_t i = 0; items != NULL && i < ab__json_len(ds); i++) {
            const ab__jval *d = ab__json_at(ds, i);
            items[k++] = fmt(g, "Never done as documented: %s (element %s)",
                             or_dash(JS(d, "activity")), or_dash(JS(d, "element_id")));
        }
        for (uint32_t i = 0; items != NULL && i < ab__json_len(rs); i++) {
            const ab__jval *d = ab__json_at(rs, i);
            items[k++] = fmt(g, "Rarely done as documented (under 1%% of cases): %s (element %s)",
                             or_dash(JS(d, "activity")), or_dash(JS(d, "element_id")));
        }
        for (uint32_t i = 0; items != NULL && i < ab__json_len(dp); i++) {
            const ab__jval *d = ab__json_at(dp, i);
            items[k++] =
                fmt(g, "Flow never followed: %s (%s \xe2\x86\x92 %s)", or_dash(JS(d, "flow_id")),
                    or_dash(JS(d, "from_element")), or_dash(JS(d, "to_element")));
        }
        for (uint32_t i = 0; items != NULL && i < ab__json_len(uo); i++) {
            const ab__jval *d = ab__json_at(uo, i);
            const char *gw = JS(d, "gateway_name");
            items[k++] = fmt(g, "At %s the documentation allows %s, but it never happened",
                             gw != NULL && gw[0] != '\0' ? gw : or_dash(JS(d, "gateway")),
                             or_dash(JS(d, "option")));
        }
        list_block(g, s, items, k);
    }
    const ab__jval *other = J(r, "other_deviations");
    static const char *const kinds[][2] = {
        {"bypasses", "bypassed steps"},
        {"undocumented_activities", "undocumented activities"},
        {"undocumented_transitions", "undocumented transitions"},
        {"rework", "rework"},
        {"out_of_order", "out-of-order steps"},
        {"substitutions", "substitutions"},
        {"extra_steps", "extra steps"},
        {"early_exits", "early exits"},
    };
    const char **items = alloc(g, 9 * sizeof(char *));
    uint32_t k = 0;
    for (size_t i = 0; items != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const ab__jval *o = J(other, kinds[i][0]);
        double nk = ab__json_num(J(o, "kinds"), 0);
        if (nk > 0) {
            items[k++] = fmt(g, "%s: %.0f kind%s below the minimum support, %.0f cases",
                             kinds[i][1], nk, nk == 1 ? "" : "s", ab__json_num(J(o, "cases"), 0));
        }
    }
    if (k > 0) {
        uint32_t s = section(g, "other", "Smaller deviations", 0, 8);
        block(g, s, AB_REPORT_PARAGRAPH,
              fmt(g,
                  "Deviations seen in fewer than %.0f cases are grouped here rather than "
                  "listed one by one.",
                  ab__json_num(J(other, "min_support_cases"), 5)));
        list_block(g, s, items, k);
    }
}

/* Who did the work: the four rates, the lanes, the steps done outside their
 * lane, segregation of duties, undocumented hand-offs, system accounts. */
static void who_section(gp *g)
{
    const ab__jval *who = J(g->root, "who"), *sum = J(g->root, "summary");
    if (who == NULL) {
        return;
    }
    uint32_t s = section(g, "who", "Who did the work", 0, 12);
    static const char *const rates[][2] = {
        {"role_violation_rate", "Cases with a step done by someone outside its lane"},
        {"control_outside_lane_rate", "Cases with a control done outside its lane"},
        {"sod_violation_rate", "Cases where one person did both steps of a segregation-of-duties "
                               "pair"},
        {"undocumented_handoff_rate", "Cases with a hand-off between roles the map never makes"},
    };
    const char **items = alloc(g, 6 * sizeof(char *));
    uint32_t k = 0;
    for (size_t i = 0; items != NULL && i < 4; i++) {
        const ab__jval *r = J(sum, rates[i][0]);
        if (r != NULL && r->kind != AB__J_NULL) {
            items[k++] = fmt(g, "%s: %s, %s", rates[i][1], count_of(g, r), rate_ci(g, r));
        }
    }
    const ab__jval *ev = J(who, "events");
    if (items != NULL) {
        items[k++] =
            fmt(g,
                "Roles from: %s; step instances without a resource: %.0f; without a "
                "role: %.0f",
                or_dash(JS(who, "role_source")), ab__json_num(J(ev, "without_resource"), 0),
                ab__json_num(J(ev, "without_role"), 0));
    }
    list_block(g, s, items, k);
    /* Who did the work per lane. */
    const ab__jval *lr = J(who, "lane_roles"), *rc = J(who, "role_conformance");
    uint32_t nl = ab__json_len(lr);
    if (nl > 0) {
        static const char *const h[] = {
            "Lane", "Roles allowed", "Instances", "Done outside the lane", "Unknown", "Roles seen"};
        const char **c = table(g, s, "Who did the work per lane", 6, h, "llrrrl", nl);
        for (uint32_t i = 0; c != NULL && i < nl; i++) {
            const ab__jval *l = ab__json_at(lr, i);
            const char *lane = JS(l, "lane");
            double inst = 0, out = 0, unk = 0;
            /* Roles seen over the lane's tasks (merged by name, first seen first). */
            const char *seen[16];
            double seen_n[16];
            uint32_t ns = 0;
            for (uint32_t t = 0; t < ab__json_len(rc); t++) {
                const ab__jval *x = ab__json_at(rc, t);
                if (lane == NULL || JS(x, "lane") == NULL || strcmp(JS(x, "lane"), lane) != 0) {
                    continue;
                }
                inst += ab__json_num(J(x, "instances"), 0);
                out += ab__json_num(J(x, "events"), 0);
                unk += ab__json_num(J(x, "unknown"), 0);
                const ab__jval *rs = J(x, "roles_seen");
                for (uint32_t q = 0; q < ab__json_len(rs); q++) {
                    const char *role = JS(ab__json_at(rs, q), "role");
                    double n = ab__json_num(J(ab__json_at(rs, q), "events"), 0);
                    uint32_t z = 0;
                    while (z < ns && strcmp(seen[z], role) != 0) {
                        z++;
                    }
                    if (z == ns && ns < 16) {
                        seen[ns] = role;
                        seen_n[ns++] = 0;
                    }
                    if (z < ns) {
                        seen_n[z] += n;
                    }
                }
            }
            uint32_t nr;
            const char **roles = strings(g, J(l, "roles"), &nr);
            const char *rl = nr > 0 ? roles[0] : "(none matched)";
            for (uint32_t q = 1; q < nr; q++) {
                rl = fmt(g, "%s, %s", rl, roles[q]);
            }
            const char *sl = ns > 0 ? fmt(g, "%s %.0f", seen[0], seen_n[0]) : "\xe2\x80\x94";
            for (uint32_t q = 1; q < ns; q++) {
                sl = fmt(g, "%s, %s %.0f", sl, seen[q], seen_n[q]);
            }
            c[i * 6 + 0] = or_dash(lane);
            c[i * 6 + 1] = nr > 0 ? fmt(g, "%s (%s)", rl, or_dash(JS(l, "how"))) : rl;
            c[i * 6 + 2] = fmt(g, "%.0f", inst);
            c[i * 6 + 3] = inst - unk > 0 ? fmt(g, "%.0f (%s)", out, pct(g, out / (inst - unk)))
                                          : fmt(g, "%.0f", out);
            c[i * 6 + 4] = fmt(g, "%.0f", unk);
            c[i * 6 + 5] = sl;
        }
    }
    /* The steps done outside their lane. */
    uint32_t nv = 0;
    for (uint32_t t = 0; t < ab__json_len(rc); t++) {
        nv += ab__json_num(J(ab__json_at(rc, t), "events"), 0) > 0;
    }
    if (nv > 0) {
        static const char *const h[] = {"Step", "Lane", "Cases", "Instances outside the lane",
                                        "Example cases"};
        const char **c = table(g, s, "Steps done by someone outside their lane (controls first)", 5,
                               h, "llrrl", nv);
        uint32_t r = 0;
        for (uint32_t t = 0; c != NULL && t < ab__json_len(rc); t++) {
            const ab__jval *x = ab__json_at(rc, t);
            if (ab__json_num(J(x, "events"), 0) <= 0) {
                continue;
            }
            uint32_t ne;
            const char **ex = strings(g, J(x, "examples"), &ne);
            const char *el = ne > 0 ? ex[0] : "\xe2\x80\x94";
            for (uint32_t q = 1; q < ne; q++) {
                el = fmt(g, "%s, %s", el, ex[q]);
            }
            const ab__jval *ctl = J(x, "control");
            c[r * 5 + 0] =
                fmt(g, "%s%s", or_dash(JS(x, "task")),
                    ctl != NULL && ctl->kind == AB__J_BOOL && ctl->b ? " (control)" : "");
            c[r * 5 + 1] = or_dash(JS(x, "lane"));
            c[r * 5 + 2] = count_of(g, J(x, "cases"));
            c[r * 5 + 3] = fmt(g, "%.0f of %.0f", ab__json_num(J(x, "events"), 0),
                               ab__json_num(J(x, "instances"), 0));
            c[r * 5 + 4] = el;
            r++;
        }
    }
    const ab__jval *sod = J(who, "sod"), *pairs = J(sod, "pairs");
    if (ab__json_len(pairs) > 0) {
        static const char *const h[] = {"Step", "and step", "Cases with both",
                                        "Done by one person"};
        uint32_t np = ab__json_len(pairs);
        const char **c = table(g, s, "Segregation of duties", 4, h, "llrr", np);
        for (uint32_t i = 0; c != NULL && i < np; i++) {
            const ab__jval *x = ab__json_at(pairs, i);
            c[i * 4 + 0] = or_dash(JS(x, "a"));
            c[i * 4 + 1] = or_dash(JS(x, "b"));
            c[i * 4 + 2] = fmt(g, "%.0f", ab__json_num(J(x, "with_both"), 0));
            c[i * 4 + 3] = count_of(g, J(x, "cases"));
        }
    }
    const ab__jval *ho = J(J(who, "handoffs"), "undocumented");
    if (ab__json_len(ho) > 0) {
        static const char *const h[] = {"From role", "To role", "Cases", "Hand-offs",
                                        "Time impact (shift)"};
        uint32_t n = ab__json_len(ho);
        const char **c =
            table(g, s, "Hand-offs between roles that the map never makes", 5, h, "llrrr", n);
        for (uint32_t i = 0; c != NULL && i < n; i++) {
            const ab__jval *x = ab__json_at(ho, i), *t = J(x, "time_impact");
            const ab__jval *hl = J(t, "hodges_lehmann_s");
            c[i * 5 + 0] = or_dash(JS(x, "from_role"));
            c[i * 5 + 1] = or_dash(JS(x, "to_role"));
            c[i * 5 + 2] = count_of(g, J(x, "cases"));
            c[i * 5 + 3] = fmt(g, "%.0f", ab__json_num(J(x, "count"), 0));
            c[i * 5 + 4] = hl != NULL && hl->kind == AB__J_NUMBER ? duration(g, ab__json_num(hl, 0))
                                                                  : or_dash(JS(t, "status"));
        }
    }
    const ab__jval *au = J(who, "automation"), *opt = J(who, "options");
    if (JS(opt, "system_resources") != NULL && ab__json_len(au) > 0) {
        static const char *const h[] = {"Step", "Lane", "Instances", "By system accounts", "Share"};
        uint32_t n = ab__json_len(au);
        const char **c = table(g, s, fmt(g, "System accounts (%s)", JS(opt, "system_resources")), 5,
                               h, "llrrr", n);
        for (uint32_t i = 0; c != NULL && i < n; i++) {
            const ab__jval *x = ab__json_at(au, i), *sh = J(x, "share");
            c[i * 5 + 0] = or_dash(JS(x, "task"));
            c[i * 5 + 1] = or_dash(JS(x, "lane"));
            c[i * 5 + 2] = fmt(g, "%.0f", ab__json_num(J(x, "instances"), 0));
            c[i * 5 + 3] = fmt(g, "%.0f", ab__json_num(J(x, "by_system"), 0));
            c[i * 5 + 4] =
                sh != NULL && sh->kind != AB__J_NULL ? pct(g, ab__json_num(sh, 0)) : "\xe2\x80\x94";
        }
    }
}

/* Example cases of each finding, with the alignment around the deviation. */
static void examples(gp *g)
{
    static const char *const lists[][3] = {
        {"bypasses", "activity", "Bypass of"},
        {"undocumented_activities", "activity", "Undocumented activity"},
        {"undocumented_transitions", "from", "Undocumented transition from"},
        {"rework", "activity", "Rework of"},
        {"out_of_order", "activity", "Out of order:"},
        {"substitutions", "documented", "Substitution of"},
        {"extra_steps", "activity", "Extra step"},
        {"early_exits", "after", "Early exit after"},
    };
    uint32_t max = g->opts->max_examples != 0 ? g->opts->max_examples : 30;
    uint32_t shown = 0, s = MAX_SECTIONS;
    for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]) && shown < max; l++) {
        const ab__jval *arr = J(g->root, lists[l][0]);
        for (uint32_t i = 0; i < ab__json_len(arr) && shown < max && g->rc == AB_OK; i++) {
            const ab__jval *it = ab__json_at(arr, i), *ex = J(it, "examples");
            if (ab__json_len(ex) == 0) {
                continue;
            }
            if (s == MAX_SECTIONS) {
                s = section(g, "examples", "Example cases", 0, 2 * max + 2);
            }
            const char *name = JS(it, lists[l][1]);
            const char *to = JS(it, "to");
            const char *instead = JS(it, "instead");
            block(g, s, AB_REPORT_PARAGRAPH,
                  to != NULL        ? fmt(g, "%s %s to %s", lists[l][2], or_dash(name), to)
                  : instead != NULL ? fmt(g, "%s %s by %s", lists[l][2], or_dash(name), instead)
                                    : fmt(g, "%s %s", lists[l][2], or_dash(name)));
            ab_buf text = AB_BUF_INIT;
            for (uint32_t e = 0; e < ab__json_len(ex) && g->rc == AB_OK; e++) {
                const ab__jval *x = ab__json_at(ex, e);
                const char *st = JS(x, "start"), *en = JS(x, "end");
                int rc = ab_buf_printf(&text, g->ctx, "%scase %s", e > 0 ? "\n" : "",
                                       or_dash(JS(x, "case")));
                if (rc == AB_OK && st != NULL && en != NULL) {
                    rc = ab_buf_printf(&text, g->ctx, "  (%s to %s)", st, en);
                }
                if (rc == AB_OK) {
                    rc = ab_buf_printf(&text, g->ctx, "\n  %s", or_dash(JS(x, "excerpt")));
                }
                g->rc = rc;
            }
            if (g->rc == AB_OK && text.len > 0) {
                char *copy = ab__arena_strndup(&g->arena, text.ptr, text.len);
                if (copy == NULL) {
                    g->rc = AB_ENOMEM;
                } else {
                    block(g, s, AB_REPORT_PRE, copy);
                }
            }
            ab_buf_dispose(&text);
            shown++;
        }
    }
}

/* A two-column table of an object's scalar members (nested objects flattened as a.b). */
static void kv_table(gp *g, uint32_t s, const char *caption, const ab__jval *obj)
{
    static const char *const h[] = {"Field", "Value"};
    uint32_t n = 0;
    for (uint32_t i = 0; obj->kind == AB__J_OBJECT && i < obj->count; i++) {
        n += obj->items[i].kind == AB__J_OBJECT ? obj->items[i].count : 1;
    }
    if (n == 0) {
        return;
    }
    const char **c = table(g, s, caption, 2, h, "lr", n);
    uint32_t row = 0;
    for (uint32_t i = 0; c != NULL && i < obj->count; i++) {
        const ab__jval *v = &obj->items[i];
        uint32_t sub = v->kind == AB__J_OBJECT ? v->count : 1;
        for (uint32_t k = 0; k < sub; k++) {
            const ab__jval *x = v->kind == AB__J_OBJECT ? &v->items[k] : v;
            c[row * 2] =
                v->kind == AB__J_OBJECT ? fmt(g, "%s.%s", obj->keys[i], v->keys[k]) : obj->keys[i];
            c[row * 2 + 1] = x->kind == AB__J_STRING || x->kind == AB__J_NUMBER ? x->str
                             : x->kind == AB__J_BOOL ? (x->b ? "true" : "false")
                             : x->kind == AB__J_NULL ? "\xe2\x80\x94"
                                                     : "(list)";
            row++;
        }
    }
}

static void appendix(gp *g)
{
    const ab__jval *in = J(g->root, "inputs");
    const ab__jval *log = J(in, "log"), *model = J(in, "model"), *map = J(in, "mapping");
    const ab__jval *acc = J(in, "accept");
    uint32_t s = section(g, "inputs", "Inputs", 1, 8);
    static const char *const h[] = {"Input", "File", "SHA-256"};
    uint32_t nlib = ab__json_len(J(model, "libraries"));
    uint32_t nlog = ab__json_len(J(log, "files"));
    const char **c = table(g, s, NULL, 3, h, "lll", nlog + nlib + 3);
    if (c != NULL) {
        uint32_t row = 0;
        for (uint32_t i = 0; i < nlog; i++, row++) {
            c[row * 3] = i == 0 ? "Log" : "";
            c[row * 3 + 1] = or_dash(ab__json_str(ab__json_at(J(log, "files"), i)));
            c[row * 3 + 2] = i == 0 ? or_dash(JS(log, "sha256")) : "";
        }
        c[row * 3] = "Documented map";
        c[row * 3 + 1] = or_dash(JS(model, "file"));
        c[row * 3 + 2] = or_dash(JS(model, "sha256"));
        row++;
        for (uint32_t i = 0; i < nlib; i++, row++) {
            const ab__jval *lib = ab__json_at(J(model, "libraries"), i);
            c[row * 3] = "Called map";
            c[row * 3 + 1] = or_dash(JS(lib, "file"));
            c[row * 3 + 2] = or_dash(JS(lib, "sha256"));
        }
        c[row * 3] = "Label mapping";
        c[row * 3 + 1] = JS(map, "file") != NULL ? JS(map, "file") : "(names matched)";
        c[row * 3 + 2] = or_dash(JS(map, "sha256"));
        row++;
        c[row * 3] = "Accepted deviations";
        c[row * 3 + 1] = or_dash(JS(acc, "file"));
        c[row * 3 + 2] = or_dash(JS(acc, "sha256"));
    }
    block(g, s, AB_REPORT_PARAGRAPH,
          fmt(g,
              "The log: %.0f cases, %.0f events (%.0f activity instances), %.0f activities, "
              "%.0f variants. The map: %.0f tasks; the compiled net has %.0f places and %.0f "
              "transitions.",
              ab__json_num(J(log, "cases"), 0), ab__json_num(J(log, "events"), 0),
              ab__json_num(J(log, "instances"), 0), ab__json_num(J(log, "activities"), 0),
              ab__json_num(J(log, "variants"), 0), ab__json_num(J(model, "tasks"), 0),
              ab__json_num(J(J(model, "net"), "places"), 0),
              ab__json_num(J(J(model, "net"), "transitions"), 0)));

    const ab__jval *pairs = J(map, "pairs");
    s = section(g, "mapping", "Label mapping", 1, 8);
    if (ab__json_len(pairs) > 0) {
        static const char *const mh[] = {"Documented task", "Log activity", "Lane", "How"};
        c = table(g, s, NULL, 4, mh, "llll", ab__json_len(pairs));
        for (uint32_t i = 0; c != NULL && i < ab__json_len(pairs); i++) {
            const ab__jval *p = ab__json_at(pairs, i);
            c[i * 4] = or_dash(JS(p, "task"));
            c[i * 4 + 1] = or_dash(JS(p, "activity"));
            c[i * 4 + 2] = or_dash(JS(p, "lane"));
            c[i * 4 + 3] = or_dash(JS(p, "how"));
        }
    }
    uint32_t n;
    const char **items = strings(g, J(map, "unmapped_tasks"), &n);
    if (n > 0) {
        block(g, s, AB_REPORT_PARAGRAPH, "Documented tasks no log activity maps to:");
        list_block(g, s, items, n);
    }
    items = strings(g, J(map, "unmapped_activities"), &n);
    if (n > 0) {
        block(g, s, AB_REPORT_PARAGRAPH,
              "Log activities no documented task maps to (undocumented activities):");
        list_block(g, s, items, n);
    }
    items = strings(g, J(map, "warnings"), &n);
    if (n > 0) {
        block(g, s, AB_REPORT_NOTE, "The mapping file has problems:");
        list_block(g, s, items, n);
    }

    const ab__jval *ap = J(model, "approximations"), *mw = J(model, "warnings");
    if (ab__json_len(ap) + ab__json_len(mw) > 0) {
        s = section(g, "model-notes", "How the map was read", 1, 8);
        for (int k = 0; k < 2; k++) {
            const ab__jval *arr = k == 0 ? ap : mw;
            if (ab__json_len(arr) == 0) {
                continue;
            }
            block(g, s, AB_REPORT_PARAGRAPH,
                  k == 0 ? "Constructs compiled approximately (their metrics are flagged):"
                         : "Warnings about the map:");
            items = alloc(g, ((size_t)ab__json_len(arr) + 1) * sizeof(char *));
            for (uint32_t i = 0; items != NULL && i < ab__json_len(arr); i++) {
                const ab__jval *a = ab__json_at(arr, i);
                items[i] = fmt(g, "%s: %s", or_dash(JS(a, "element_id")), or_dash(JS(a, "what")));
            }
            list_block(g, s, items, ab__json_len(arr));
        }
    }
    s = section(g, "data-quality", "Data quality and options", 1, 8);
    kv_table(g, s, "Data quality", J(g->root, "data_quality"));
    kv_table(g, s, "Options", J(in, "options"));
    const ab__jval *sum = J(g->root, "summary");
    const char *amb = JS(J(sum, "ambiguous_cases"), "status");
    const char *amb_why = JS(J(sum, "ambiguous_cases"), "reason");
    const char *ms = JS(J(g->root, "model_side_status"), "status");
    const char *ts = JS(J(g->root, "undocumented_transitions_status"), "status");
    items = alloc(g, 4 * sizeof(char *));
    if (items != NULL) {
        if (amb != NULL && strcmp(amb, "computed") == 0) {
            const ab__jval *ar = J(J(sum, "ambiguous_cases"), "rate");
            items[0] = fmt(g,
                           "Ambiguous cases (a second optimal alignment with other deviations): "
                           "%.0f of %.0f; not decided within the search budget: %.0f",
                           ab__json_num(J(ar, "count"), 0), ab__json_num(J(ar, "of"), 0),
                           ab__json_num(J(J(sum, "ambiguous_cases"), "unchecked_cases"), 0));
        } else {
            items[0] = fmt(g, "Ambiguous cases: %s%s%s", or_dash(amb),
                           amb_why != NULL ? " \xe2\x80\x94 " : "", amb_why != NULL ? amb_why : "");
        }
        items[1] = fmt(g, "Model-side metrics (M11\xe2\x80\x93M13): %s", or_dash(ms));
        items[2] = fmt(g, "Undocumented transitions (M5): %s", or_dash(ts));
        items[3] = fmt(g, "Variants whose alignment passed the search budget: %.0f (%.0f cases)",
                       ab__json_num(J(sum, "approximate_variants"), 0),
                       ab__json_num(J(sum, "approximate_cases"), 0));
        list_block(g, s, items, 4);
    }
    items = strings(g, J(g->root, "notes"), &n);
    if (n > 0) {
        s = section(g, "notes", "How the numbers were read", 1, 8);
        list_block(g, s, items, n);
    }
}

/* A path's last component: the header names files, the appendix gives their paths. */
static const char *base_name(const char *path)
{
    const char *slash = path != NULL ? strrchr(path, '/') : NULL;
    return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

/*
 * Title, inputs, headline and the secondary figures. The header names the
 * files and the cases; paths and hashes are in the appendix. Each figure
 * says in words what it counts, its metric id (gap-metrics) in small print.
 */
static void header(gp *g)
{
    const ab__jval *in = J(g->root, "inputs"), *sum = J(g->root, "summary");
    const ab__jval *m1 = J(sum, "case_deviation_rate");
    const ab__jval *logs = J(J(in, "log"), "files");
    ab_buf files = AB_BUF_INIT;
    for (uint32_t i = 0; i < ab__json_len(logs) && g->rc == AB_OK; i++) {
        const char *f = base_name(ab__json_str(ab__json_at(logs, i)));
        g->rc = ab_buf_printf(&files, g->ctx, "%s%s", i > 0 ? ", " : "", f != NULL ? f : "");
    }
    const char *log_files = files.ptr != NULL ? fmt(g, "%s", files.ptr) : "\xe2\x80\x94";
    ab_buf_dispose(&files);
    const char *model_file = base_name(JS(J(in, "model"), "file"));
    const char *map_file = base_name(JS(J(in, "mapping"), "file"));
    const char *accept_file = base_name(JS(J(in, "accept"), "file"));
    g->inputs[g->n_inputs++] = (ab_report_fact){"Log", log_files, 1};
    g->inputs[g->n_inputs++] = (ab_report_fact){"Documented map", or_dash(model_file), 1};
    if (map_file != NULL) {
        g->inputs[g->n_inputs++] = (ab_report_fact){"Label mapping", map_file, 1};
    }
    if (accept_file != NULL) {
        g->inputs[g->n_inputs++] = (ab_report_fact){"Accepted deviations", accept_file, 1};
    }
    double open = ab__json_num(J(sum, "possibly_open_cases"), 0);
    g->inputs[g->n_inputs++] = (ab_report_fact){
        "Cases analysed",
        open > 0 ? fmt(g, "%.0f (%.0f possibly still open, analysed as %s)",
                       ab__json_num(J(sum, "cases"), 0), open, or_dash(JS(sum, "open_cases")))
                 : fmt(g, "%.0f", ab__json_num(J(sum, "cases"), 0)),
        0};
    g->inputs[g->n_inputs++] = (ab_report_fact){"Files and SHA-256", "in the appendix (Inputs)", 0};

    g->page.title = g->opts->title != NULL ? g->opts->title : "Work Reality Gap";
    g->page.subtitle = fmt(g, "How %.0f recorded cases compare with the documented process%s%s",
                           ab__json_num(J(sum, "cases"), 0), model_file != NULL ? " in " : "",
                           model_file != NULL ? model_file : "");
    g->page.headline = pct(g, ab__json_num(J(m1, "rate"), 0));
    g->page.headline_text = "of cases did not follow the documented process (M1)";
    const ab__jval *ci = J(m1, "ci95");
    const ab__jval *raw = J(sum, "case_deviation_rate_before_accept");
    double rc = ab__json_num(J(raw, "count"), 0), c1 = ab__json_num(J(m1, "count"), 0);
    g->page.headline_detail = fmt(
        g, "%s cases, 95%% CI %s to %s%s", count_of(g, m1),
        pct(g, ab__json_num(ab__json_at(ci, 0), 0)), pct(g, ab__json_num(ab__json_at(ci, 1), 0)),
        rc != c1 ? fmt(g, "; %.0f before accepted deviations are left out", rc) : "");
    const char *mw = JS(J(sum, "mapping_coverage"), "warning");
    g->page.headline_warning = mw != NULL ? fmt(g, "%s", mw) : NULL;
    g->page.tone = g->opts->tone;
    g->figures[g->n_figures++] =
        (ab_report_fact){"Recorded steps the documentation does not explain (M2)",
                         pct(g, ab__json_num(J(J(sum, "off_model_event_rate"), "rate"), 0)), 0};
    g->figures[g->n_figures++] =
        (ab_report_fact){"Required documented steps not done (M3)",
                         pct(g, ab__json_num(J(J(sum, "missing_step_rate"), "rate"), 0)), 0};
    const ab__jval *cb = J(sum, "control_bypass_rate");
    if (ab__json_num(J(cb, "of"), 0) > 0) {
        g->figures[g->n_figures++] =
            (ab_report_fact){"Cases that skipped a control their path required (M9c)",
                             pct(g, ab__json_num(J(cb, "rate"), 0)), 0};
    }
    g->figures[g->n_figures++] =
        (ab_report_fact){"Alignment fitness, for comparison only (M0)",
                         fmt(g, "%.3f", ab__json_num(J(sum, "fitness"), 0)), 0};
}

int ab_report_gap_html(ab_buf *out, ab_ctx *ctx, const ab_gap *gap, const ab_bpmn *model,
                       const ab_report_gap_options *opts, ab_error *err)
{
    static const ab_report_gap_options defaults = AB_REPORT_GAP_OPTIONS_INIT;
    if (out == NULL || ctx == NULL || gap == NULL) {
        return ab__error(err, AB_EINVAL, "report", 0, 0,
                         "a buffer, a context and a gap are needed");
    }
    if (opts == NULL) {
        opts = &defaults;
    }
    if (opts->version != AB_REPORT_GAP_OPTIONS_VERSION) {
        return ab__error(err, AB_EINVAL, "report", 0, 0,
                         "gap report options version %u, expected %u", opts->version,
                         AB_REPORT_GAP_OPTIONS_VERSION);
    }
    ab_error_clear(err);
    gp *g = ab__calloc(ctx, 1, sizeof(*g));
    if (g == NULL) {
        return ab__error_settle(err, AB_ENOMEM, "report", "cannot write the HTML report");
    }
    g->ctx = ctx;
    g->model = model;
    g->opts = opts;
    ab__arena_init(&g->arena, ctx, 64 * 1024);
    ab_buf json = AB_BUF_INIT;
    ab__jval root;
    int rc = ab_gap_write_json(gap, &json, err);
    if (rc == AB_OK) {
        rc = ab__json_parse(&g->arena, json.ptr, json.len, &root, err);
        if (rc == AB_EPARSE) {
            /* Our own writer's output: failing to read it is a bug, not bad input. */
            rc = ab__error(err, AB_ERROR, "report", 0, 0, "cannot read the gap's JSON report: %s",
                           err != NULL ? err->msg : "parse error");
        }
    }
    if (rc == AB_OK) {
        g->root = &root;
        g->page = (ab_report_page)AB_REPORT_PAGE_INIT;
        header(g);
        if (model != NULL) {
            build_overlay(g);
        }
        const ab__jval *st = J(g->root, "statements");
        uint32_t n;
        const char **items = strings(g, st, &n);
        uint32_t s = section(g, "findings", "Findings", 0, 8);
        if (n > 0) {
            list_block(g, s, items, n);
        } else {
            block(g, s, AB_REPORT_PARAGRAPH, "No deviation was found.");
        }
        finding_tables(g);
        model_side(g);
        who_section(g);
        examples(g);
        appendix(g);
        rc = g->rc;
    }
    if (rc == AB_OK) {
        ab_report_page *p = &g->page;
        p->inputs = g->inputs;
        p->input_count = g->n_inputs;
        p->figures = g->figures;
        p->figure_count = g->n_figures;
        p->model = model;
        p->overlay = model != NULL ? &g->ov : NULL;
        p->map_options = opts->map_options;
        p->map_caption = "Fill and badges: how often each documented step was bypassed, of the "
                         "cases whose path required it. Red dashed arcs: transitions the map "
                         "never makes. Red boxes: work the map does not mention, beside its "
                         "usual place. Grey: flows no case followed. Lanes, on the same scale: "
                         "how often their steps were done by someone outside the lane.";
        p->dfg = opts->dfg;
        p->dfg_caption = opts->dfg != NULL ? "Every directly-follows relation of the log, with "
                                             "counts and median waiting times."
                                           : NULL;
        p->sections = g->sections;
        p->section_count = g->n_sections;
        p->footer = opts->footer != NULL
                        ? opts->footer
                        : "Written by asbuilt from its JSON report (schema asbuilt.gap/1). This "
                          "page is self-contained: it loads nothing.";
        rc = ab_report_html(out, ctx, p, err);
    }
    ab_buf_dispose(&json);
    ab__arena_finish(&g->arena);
    ab__free(ctx, g);
    return ab__error_settle(err, rc, "report", "cannot write the HTML report");
}
