/*
 * gap/gap_compute.c: the entry point. It reads the conformance run through
 * a view, hashes the inputs for the report header, works out each case's
 * cycle time and whether it is possibly open (R0), splits the variants into
 * groups of cases that share one classified alignment (R3), applies the
 * accept file, and hands over to the metrics. Getters of the result live
 * here too.
 */
#include "gap/gap_int.h"
#include "asbuilt/discover.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- Names ---- */

const char *ab__gap_label_name(const ab_gap *g, uint32_t label)
{
    return label < g->label_count ? ab_net_label(g->net, label) : "?";
}

const char *ab__gap_act_name(const ab_gap *g, uint32_t activity)
{
    return activity < g->activity_count ? g->hdr.activity_names[activity] : "?";
}

const char *ab__gap_case_id(const ab_gap *g, uint32_t c)
{
    return g->hdr.case_id(g->hdr.case_src, c);
}

static const char *log_case_id(const void *log, uint32_t c)
{
    return ab_log_case_id(log, c);
}

void ab__gap_header_of_log(const ab_log *log, const char **names, uint64_t *events,
                           ab__gap_header *h)
{
    memset(h, 0, sizeof(*h));
    h->activity_count = ab_log_activity_count(log);
    for (uint32_t a = 0; a < h->activity_count; a++) {
        names[a] = ab_log_activity_name(log, a);
        events[a] = ab_log_activity_events(log, a);
    }
    h->activity_names = names;
    h->activity_events = events;
    h->activity_sorted = ab_log_activity_sorted(log);
    h->case_count = ab_log_case_count(log);
    h->event_count = ab_log_event_count(log);
    h->variant_count = ab_log_variant_count(log);
    h->has_timestamps = ab_log_has_timestamps(log);
    h->data_quality = *ab_log_data_quality(log);
    h->case_id = log_case_id;
    h->case_src = log;
}

/* The view's header, or the log's when it gives none. */
static int take_header(ab_gap *g, const ab__gap_view *view)
{
    if (view->header.activity_names != NULL) {
        g->hdr = view->header;
        return AB_OK;
    }
    size_t K = ab_log_activity_count(view->log);
    const char **names = ab__arena_alloc(&g->arena, sizeof(char *) * (K + 1));
    uint64_t *events = ab__arena_alloc(&g->arena, sizeof(uint64_t) * (K + 1));
    if (names == NULL || events == NULL) {
        return AB_ENOMEM;
    }
    ab__gap_header_of_log(view->log, names, events, &g->hdr);
    return AB_OK;
}

const char *ab__gap_move_name(const ab_gap *g, const ab_move *m)
{
    if (m->kind == AB_MOVE_LOG || m->kind == AB_MOVE_SYNC) {
        return ab__gap_act_name(g, m->activity);
    }
    if (m->transition < ab_net_transition_count(g->net)) {
        const ab_net_transition *t = ab_net_transition_at(g->net, m->transition);
        return t->label != NULL ? t->label : t->name;
    }
    return m->activity != AB_CONFORM_NONE ? ab__gap_act_name(g, m->activity) : "?";
}

/* ---- Setup ---- */

static char *arena_str(ab__arena *a, const char *s)
{
    return s != NULL ? ab__arena_strndup(a, s, strlen(s)) : NULL;
}

static char *norm_str(ab__arena *a, const char *s)
{
    size_t need = ab_bpmn_label_normalise(s, NULL, 0);
    char *b = ab__arena_alloc(a, need + 1);
    if (b != NULL) {
        ab_bpmn_label_normalise(s, b, need + 1);
    }
    return b;
}

static int copy_options(ab_gap *g, const ab_gap_options *o)
{
    ab__arena *a = &g->arena;
    g->opts = *o;
    if (g->opts.open_horizon <= 0) {
        g->opts.open_horizon = 2;
    }
    if (g->opts.max_states == 0) {
        g->opts.max_states = 200000;
    }
    if (g->opts.min_group == 0) {
        g->opts.min_group = 30;
    }
    g->controls_text = arena_str(a, o->controls != NULL ? o->controls : "approv,check,review,sign");
    g->opts.controls = g->controls_text;
    g->opts.accept_file = arena_str(a, o->accept_file);
    g->opts.model_file = arena_str(a, o->model_file);
    g->opts.map_file = arena_str(a, o->map_file);
    g->opts.gate = arena_str(a, o->gate);
    if (g->controls_text == NULL || (o->accept_file && !g->opts.accept_file) ||
        (o->model_file && !g->opts.model_file) || (o->map_file && !g->opts.map_file) ||
        (o->gate && !g->opts.gate)) {
        return AB_ENOMEM;
    }
    const char **logs = NULL, **libs = NULL;
    if (o->log_file_count > 0) {
        logs = ab__arena_alloc(a, sizeof(char *) * o->log_file_count);
        if (logs == NULL) {
            return AB_ENOMEM;
        }
        for (size_t i = 0; i < o->log_file_count; i++) {
            if ((logs[i] = arena_str(a, o->log_files[i])) == NULL) {
                return AB_ENOMEM;
            }
        }
    }
    if (o->library_file_count > 0) {
        libs = ab__arena_alloc(a, sizeof(char *) * o->library_file_count);
        g->lib_sha = ab__arena_alloc(a, sizeof(char *) * o->library_file_count);
        if (libs == NULL || g->lib_sha == NULL) {
            return AB_ENOMEM;
        }
        for (size_t i = 0; i < o->library_file_count; i++) {
            libs[i] = arena_str(a, o->library_files[i]);
            g->lib_sha[i] = ab__arena_alloc(a, 65);
            if (libs[i] == NULL || g->lib_sha[i] == NULL) {
                return AB_ENOMEM;
            }
        }
    }
    g->opts.log_files = logs;
    g->opts.library_files = libs;
    return AB_OK;
}

/* 64 hex digits and nothing more. */
static int is_sha256_hex(const char *s)
{
    int n = 0;
    while (n < 64 && isxdigit((unsigned char)s[n])) {
        n++;
    }
    return n == 64 && s[64] == '\0';
}

/* Hashes of the inputs; a file read from stdin has none (""). */
static int hash_inputs(ab_gap *g, ab_error *err)
{
    const ab_gap_options *o = &g->opts;
    int stdin_log = 0;
    for (size_t i = 0; i < o->log_file_count; i++) {
        stdin_log |= strcmp(o->log_files[i], "-") == 0;
    }
    if (o->log_file_count > 0 && !stdin_log && o->log_sha256 != NULL) {
        /* The caller's digest (the lower case of it, as the files' would be). */
        for (int i = 0; i < 64; i++) {
            g->log_sha[i] = (char)tolower((unsigned char)o->log_sha256[i]);
        }
        g->log_sha[64] = '\0';
        g->opts.log_sha256 = NULL; /* The caller's string need not outlive the call. */
    } else if (o->log_file_count > 0 && !stdin_log) {
        int rc = ab__sha256_files(o->log_files, o->log_file_count, g->log_sha, err);
        if (rc != AB_OK) {
            return rc;
        }
    }
    if (o->model_file != NULL && strcmp(o->model_file, "-") != 0) {
        int rc = ab__sha256_files(&o->model_file, 1, g->model_sha, err);
        if (rc != AB_OK) {
            return rc;
        }
    }
    for (size_t i = 0; i < o->library_file_count; i++) {
        int rc = ab__sha256_files(&o->library_files[i], 1, g->lib_sha[i], err);
        if (rc != AB_OK) {
            return rc;
        }
    }
    if (o->map_file != NULL) {
        int rc = ab__sha256_files(&o->map_file, 1, g->map_sha, err);
        if (rc != AB_OK) {
            return rc;
        }
    }
    if (o->accept_file != NULL) {
        int rc = ab__sha256_files(&o->accept_file, 1, g->accept_sha, err);
        if (rc != AB_OK) {
            return rc;
        }
    }
    /* The mapping's hash covers what was decided, however it was decided:
     * one line per pair, then the unmapped names. */
    ab__sha256 s;
    ab__sha256_init(&s);
    if (o->mapping != NULL) {
        const ab_bpmn_mapping *m = o->mapping;
        for (uint32_t i = 0; i < ab_bpmn_map_pair_count(m); i++) {
            const ab_bpmn_map_pair *p = ab_bpmn_map_pair_at(m, i);
            const char *parts[] = {p->task,
                                   "\t",
                                   p->activity,
                                   "\t",
                                   p->lane ? p->lane : "",
                                   "\t",
                                   ab_bpmn_map_how_name(p->how),
                                   "\n"};
            for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
                ab__sha256_update(&s, parts[k], strlen(parts[k]));
            }
        }
        for (uint32_t i = 0; i < ab_bpmn_map_unmapped_task_count(m); i++) {
            ab__sha256_update(&s, "task\t", 5);
            const char *t = ab_bpmn_map_unmapped_task(m, i);
            ab__sha256_update(&s, t, strlen(t));
            ab__sha256_update(&s, "\n", 1);
        }
        for (uint32_t i = 0; i < ab_bpmn_map_unmapped_activity_count(m); i++) {
            ab__sha256_update(&s, "activity\t", 9);
            const char *t = ab_bpmn_map_unmapped_activity(m, i);
            ab__sha256_update(&s, t, strlen(t));
            ab__sha256_update(&s, "\n", 1);
        }
    } else {
        /* Without the mapping object, the net's labels stand for it. */
        for (uint32_t l = 0; l < g->label_count; l++) {
            const char *t = ab_net_label(g->net, l);
            ab__sha256_update(&s, t, strlen(t));
            ab__sha256_update(&s, "\n", 1);
        }
    }
    ab__sha256_hex(&s, g->mapping_sha);
    return AB_OK;
}

/*
 * How much of the log and of the map the mapping joins (the headline warns
 * when either is under one half: a map of another process, or a --map file
 * that is missing): K activities with their names and events, and per net
 * label (label_count of them) its activity or AB_CONFORM_NONE. warn gets
 * the warning, or "" when the two match well enough.
 */
static void coverage(const char *const *names, const uint64_t *act_events, uint32_t K,
                     const uint32_t *label_act, uint32_t label_count, const ab_bpmn_mapping *m,
                     ab_gap_rate *ev_out, ab_gap_rate *tasks_out, char *warn, size_t cap)
{
    uint64_t events = 0, mapped = 0, tasks = 0, tasks_mapped = 0;
    for (uint32_t a = 0; a < K; a++) {
        uint64_t n = act_events[a];
        const char *name = names[a];
        int known = 0;
        if (m != NULL) {
            /* The unmapped activities are in byte order: a binary search, so
             * that a log of a million undocumented activities stays linear. */
            uint32_t lo = 0, hi = ab_bpmn_map_unmapped_activity_count(m);
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (strcmp(ab_bpmn_map_unmapped_activity(m, mid), name) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            known = lo == ab_bpmn_map_unmapped_activity_count(m) ||
                    strcmp(ab_bpmn_map_unmapped_activity(m, lo), name) != 0;
        }
        events += n;
        mapped += known ? n : 0;
    }
    if (m != NULL) {
        const char *last = NULL;
        for (uint32_t i = 0; i < ab_bpmn_map_pair_count(m); i++) {
            const char *t = ab_bpmn_map_pair_at(m, i)->task;
            if (last == NULL || strcmp(last, t) != 0) {
                tasks_mapped++;
            }
            last = t;
        }
        tasks = tasks_mapped + ab_bpmn_map_unmapped_task_count(m);
    } else {
        /* Without the mapping object the net's labels are the log's names. */
        tasks = label_count;
        for (uint32_t l = 0; l < label_count; l++) {
            if (label_act[l] != AB_CONFORM_NONE) {
                tasks_mapped++;
                mapped += act_events[label_act[l]];
            }
        }
    }
    *ev_out = ab__gap_rate(mapped, events);
    *tasks_out = ab__gap_rate(tasks_mapped, tasks);
    warn[0] = '\0';
    if ((events == 0 || 2 * mapped >= events) && (tasks == 0 || 2 * tasks_mapped >= tasks)) {
        return;
    }
    char pe[32], pt[32];
    ab__gap_fmt_pct(ev_out->rate, pe, sizeof(pe));
    ab__gap_fmt_pct(tasks_out->rate, pt, sizeof(pt));
    snprintf(warn, cap,
             "The map and the log barely match: %s%% of the log's events (%llu of %llu) have an "
             "activity that a task of the map names, and %s%% of the map's tasks (%llu of %llu) "
             "match an activity. These numbers may compare the log with another process: check "
             "the label mapping (--map) and that this map documents this log.",
             pe, (unsigned long long)mapped, (unsigned long long)events, pt,
             (unsigned long long)tasks_mapped, (unsigned long long)tasks);
}

static int mapping_coverage(ab_gap *g)
{
    char buf[512];
    coverage(g->hdr.activity_names, g->hdr.activity_events, g->activity_count, g->label_act,
             g->label_count, g->opts.mapping, &g->summary.mapped_events, &g->summary.mapped_tasks,
             buf, sizeof(buf));
    if (buf[0] == '\0') {
        return AB_OK;
    }
    g->summary.mapping_warning = ab__arena_strndup(&g->arena, buf, strlen(buf));
    return g->summary.mapping_warning != NULL ? AB_OK : AB_ENOMEM;
}

int ab_gap_mapping_coverage(const ab_log *log, const ab_net *net, const ab_bpmn_mapping *mapping,
                            ab_gap_rate *events, ab_gap_rate *tasks, char *warning, size_t cap)
{
    return ab__gap_mapping_coverage_of(log, NULL, net, mapping, events, tasks, warning, cap);
}

int ab__gap_mapping_coverage_of(const ab_log *log, const uint64_t *act_events, const ab_net *net,
                                const ab_bpmn_mapping *mapping, ab_gap_rate *events,
                                ab_gap_rate *tasks, char *warning, size_t cap)
{
    if (log == NULL || net == NULL || events == NULL || tasks == NULL || warning == NULL ||
        cap == 0) {
        return AB_EINVAL;
    }
    uint32_t K = ab_log_activity_count(log), L = ab_net_label_count(net);
    const char **names = malloc(sizeof(char *) * ((size_t)K + 1));
    uint64_t *ev = malloc(sizeof(uint64_t) * ((size_t)K + 1));
    uint32_t *label_act = malloc(sizeof(uint32_t) * ((size_t)L + 1));
    int rc = names != NULL && ev != NULL && label_act != NULL ? AB_OK : AB_ENOMEM;
    if (rc == AB_OK) {
        for (uint32_t a = 0; a < K; a++) {
            names[a] = ab_log_activity_name(log, a);
            ev[a] = act_events != NULL ? act_events[a] : ab_log_activity_events(log, a);
        }
        for (uint32_t l = 0; l < L; l++) {
            const char *name = ab_net_label(net, l);
            uint32_t a;
            label_act[l] =
                ab_log_activity_find(log, name, strlen(name), &a) == AB_OK ? a : AB_CONFORM_NONE;
        }
        coverage(names, ev, K, label_act, L, mapping, events, tasks, warning, cap);
    }
    free(names);
    free(ev);
    free(label_act);
    return rc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Labels, activities and the per-variant sets of activities. */
static int index_names(ab_gap *g)
{
    ab_ctx *ctx = g->ctx;
    uint32_t K = g->activity_count, L = g->label_count, V = g->variant_count;
    g->act_label = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)K + 1));
    g->label_act = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)L + 1));
    g->documented = ab__calloc(ctx, (size_t)K + 1, 1);
    g->act_norm = ab__arena_alloc(&g->arena, sizeof(char *) * ((size_t)K + 1));
    g->label_norm = ab__arena_alloc(&g->arena, sizeof(char *) * ((size_t)L + 1));
    g->act_cases = ab__calloc(ctx, (size_t)K + 1, sizeof(uint64_t));
    g->act_events = ab__calloc(ctx, (size_t)K + 1, sizeof(uint64_t));
    g->label_required = ab__calloc(ctx, (size_t)L + 1, sizeof(uint64_t));
    g->label_sync_cases = ab__calloc(ctx, (size_t)L + 1, sizeof(uint64_t));
    g->label_absent = ab__calloc(ctx, (size_t)L + 1, sizeof(uint64_t));
    g->label_bypass_cases = ab__calloc(ctx, (size_t)L + 1, sizeof(uint64_t));
    g->mandatory = ab__malloc(ctx, (size_t)L + 1);
    g->control = ab__calloc(ctx, (size_t)L + 1, 1);
    g->variant_acts = ab__calloc(ctx, (size_t)V + 1, sizeof(uint32_t *));
    g->variant_act_count = ab__calloc(ctx, (size_t)V + 1, sizeof(uint32_t));
    if (g->act_label == NULL || g->label_act == NULL || g->documented == NULL ||
        g->act_norm == NULL || g->label_norm == NULL || g->act_cases == NULL ||
        g->act_events == NULL || g->label_required == NULL || g->label_sync_cases == NULL ||
        g->label_absent == NULL || g->label_bypass_cases == NULL || g->mandatory == NULL ||
        g->control == NULL || g->variant_acts == NULL || g->variant_act_count == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t l = 0; l < L; l++) {
        g->label_act[l] = AB_CONFORM_NONE;
    }
    for (uint32_t a = 0; a < K; a++) {
        uint32_t l;
        const char *name = g->hdr.activity_names[a];
        g->act_label[a] = ab_net_label_find(g->net, name, &l) == AB_OK ? l : AB_NET_SILENT;
        g->documented[a] = g->act_label[a] != AB_NET_SILENT;
        if (g->documented[a]) {
            g->label_act[l] = a; /* The activity of the label's name (names are unique). */
        }
        if ((g->act_norm[a] = norm_str(&g->arena, name)) == NULL) {
            return AB_ENOMEM;
        }
    }
    /* Controls are tagged by a fragment of the step's label or of the task
     * name it came from (a relabelled step keeps its task). */
    char frag[256];
    for (uint32_t l = 0; l < L; l++) {
        const char *name = ab_net_label(g->net, l);
        g->mandatory[l] = 2;
        if ((g->label_norm[l] = norm_str(&g->arena, name)) == NULL) {
            return AB_ENOMEM;
        }
    }
    for (uint32_t t = 0; t < ab_net_transition_count(g->net); t++) {
        const ab_net_transition *x = ab_net_transition_at(g->net, t);
        if (x->label_id == AB_NET_SILENT || x->label_id >= L) {
            continue;
        }
        const char *texts[2] = {x->label, x->task};
        for (int k = 0; k < 2 && !g->control[x->label_id]; k++) {
            if (texts[k] == NULL) {
                continue;
            }
            char norm[512];
            ab_bpmn_label_normalise(texts[k], norm, sizeof(norm));
            const char *p = g->controls_text;
            while (*p != '\0') {
                const char *e = strchr(p, ',');
                size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
                while (n > 0 && *p == ' ') {
                    p++;
                    n--;
                }
                while (n > 0 && p[n - 1] == ' ') {
                    n--;
                }
                if (n > 0 && n < sizeof(frag)) {
                    memcpy(frag, p, n);
                    frag[n] = '\0';
                    char nfrag[512];
                    ab_bpmn_label_normalise(frag, nfrag, sizeof(nfrag));
                    if (nfrag[0] != '\0' && strstr(norm, nfrag) != NULL) {
                        g->control[x->label_id] = 1;
                    }
                }
                p += n;
                while (*p == ' ') {
                    p++;
                }
                if (*p == ',') {
                    p++;
                }
            }
        }
    }
    for (uint32_t v = 0; v < V; v++) {
        const ab_conform_variant *var = g->variants[v];
        uint32_t *set = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)var->length + 1));
        if (set == NULL) {
            return AB_ENOMEM;
        }
        memcpy(set, var->activities, sizeof(uint32_t) * var->length);
        if (var->length > 1) {
            qsort(set, var->length, sizeof(uint32_t), cmp_u32);
        }
        uint32_t n = 0;
        for (uint32_t i = 0; i < var->length; i++) {
            if (set[i] >= K) {
                return AB_EINVAL;
            }
            if (n == 0 || set[n - 1] != set[i]) {
                set[n++] = set[i];
            }
        }
        g->variant_acts[v] = set;
        g->variant_act_count[v] = n;
    }
    return AB_OK;
}

/* Counts for the order statistics of the cycle times (one series). */
static int count_ct(const uint32_t *which, size_t n, const int64_t *at, uint64_t *counts,
                    void *payload)
{
    (void)which;
    const ab__gap_parts *P = payload;
    return P->count_ct(P->payload, at, n, counts);
}

/* Cycle times and the possibly open cases (R0), made where the cases are
 * (g->parts): the latest time and the horizon (open_horizon times the 95th
 * percentile of the cycle times, interpolated between two order statistics
 * found by counting) are the only figures the shares exchange. */
static int case_times(ab_gap *g)
{
    ab_ctx *ctx = g->ctx;
    uint32_t V = g->variant_count;
    const ab__gap_parts *P = &g->parts;
    ab_time log_last;
    uint64_t with_ct;
    int64_t max_ct;
    int rc = P->times(P->payload, &log_last, &with_ct, &max_ct);
    if (rc != AB_OK || with_ct == 0) {
        return rc;
    }
    /* The 95th percentile of the cycle times, from the one or two order
     * statistics it lies between. */
    size_t i;
    double frac;
    size_t n_ord = ab__gap_quantile_at(with_ct, 0.95, &i, &frac);
    ab_dfg_order ord[2];
    memset(ord, 0, sizeof(ord));
    for (size_t j = 0; j < n_ord; j++) {
        ord[j].k = i + j;
        ord[j].lo = 0;
        ord[j].hi = max_ct;
    }
    unsigned char scratch[256];
    if (ab_dfg_order_scratch_bytes(n_ord) > sizeof(scratch)) {
        return AB_ENOMEM;
    }
    rc = ab_dfg_order_select(ord, n_ord, scratch, count_ct, (void *)P);
    if (rc != AB_OK) {
        return rc;
    }
    double at[2] = {(double)ord[0].value, (double)ord[1].value};
    double q = ab__gap_quantile_of(at, n_ord, frac);
    double horizon = g->opts.open_horizon * q;
    g->summary.open_horizon_s = horizon / 1e6;
    /* Which variants may hold open cases: those whose last step is not
     * followed by an end of the map. Without the model's relation every
     * late case may be open: the report says the relation is unknown. */
    uint8_t *never = ab__malloc(ctx, (size_t)V + 1);
    uint64_t *open_v = ab__calloc(ctx, (size_t)V + 1, sizeof(uint64_t));
    if (never == NULL || open_v == NULL) {
        ab__free(ctx, never);
        ab__free(ctx, open_v);
        return AB_ENOMEM;
    }
    uint32_t L = g->label_count;
    for (uint32_t v = 0; v < V; v++) {
        const ab_conform_variant *var = g->variants[v];
        never[v] = 1;
        if (var->length > 0) {
            uint32_t l = g->act_label[var->activities[var->length - 1]];
            never[v] = g->model.known && l != AB_NET_SILENT && ab__gap_df(&g->model, l, L + 1);
        }
    }
    rc = P->open(P->payload, log_last, horizon, never, open_v);
    for (uint32_t v = 0; rc == AB_OK && v < V; v++) {
        g->summary.possibly_open_cases += open_v[v];
    }
    ab__free(ctx, never);
    g->variant_open = open_v;
    return rc;
}

/* The end a case's documented path reached: the last event step of its
 * alignment (an end event), else its last activity. */
static int end_key(ab_gap *g, const ab_conform_variant *v, uint32_t *out)
{
    const char *name = NULL;
    for (uint32_t i = v->move_count; i-- > 0;) {
        uint32_t t = v->moves[i].transition;
        if (v->moves[i].kind == AB_MOVE_SILENT && t < ab_net_transition_count(g->net) &&
            ab_net_transition_at(g->net, t)->kind == AB_NET_T_EVENT) {
            const ab_net_transition *x = ab_net_transition_at(g->net, t);
            name = x->element_id;
            if (g->opts.model != NULL) {
                uint32_t node;
                if (ab_bpmn_node_find(g->opts.model, x->element_id, &node) == AB_OK &&
                    *ab_bpmn_node_at(g->opts.model, node)->label != '\0') {
                    name = ab_bpmn_node_at(g->opts.model, node)->label;
                }
            }
            break;
        }
    }
    if (name == NULL) {
        name = v->length > 0 ? ab__gap_act_name(g, v->activities[v->length - 1]) : "";
    }
    return ab__strtab_intern(&g->names, name, strlen(name), out);
}

/* Normalised name of a move's step, for the accept rules. */
static const char *move_norm(const ab_gap *g, const ab_move *m)
{
    if (m->kind == AB_MOVE_LOG || m->kind == AB_MOVE_SYNC) {
        return m->activity < g->activity_count ? g->act_norm[m->activity] : NULL;
    }
    if (m->transition < ab_net_transition_count(g->net)) {
        uint32_t l = ab_net_transition_at(g->net, m->transition)->label_id;
        return l < g->label_count ? g->label_norm[l] : NULL;
    }
    return NULL;
}

static int rule_applies(const ab_gap *g, const ab__gap_rule *r, const ab_move *moves,
                        const ab_gap_move_class *cls, uint32_t i)
{
    const ab_move *m = &moves[i];
    switch (cls[i].cls) {
    case AB_GAP_BYPASS:
        return r->type == AB__RULE_BYPASS && ab__gap_rule_match(r->a, move_norm(g, m));
    case AB_GAP_UNDOCUMENTED:
        return r->type == AB__RULE_UNDOCUMENTED && ab__gap_rule_match(r->a, move_norm(g, m));
    case AB_GAP_EXTRA_STEP:
        return r->type == AB__RULE_EXTRA && ab__gap_rule_match(r->a, move_norm(g, m));
    case AB_GAP_REWORK:
        return r->type == AB__RULE_REWORK && ab__gap_rule_match(r->a, move_norm(g, m));
    case AB_GAP_OUT_OF_ORDER:
        return r->type == AB__RULE_OUT_OF_ORDER && ab__gap_rule_match(r->a, move_norm(g, m));
    case AB_GAP_SUBSTITUTION: {
        if (r->type != AB__RULE_SUBSTITUTION) {
            return 0;
        }
        uint32_t j = cls[i].partner;
        const ab_move *model = m->kind == AB_MOVE_MODEL ? m : &moves[j];
        const ab_move *log = m->kind == AB_MOVE_MODEL ? &moves[j] : m;
        return ab__gap_rule_match(r->a, move_norm(g, model)) &&
               ab__gap_rule_match(r->b, move_norm(g, log));
    }
    default:
        return 0;
    }
}

static int is_deviation(ab_gap_class c)
{
    return c != AB_GAP_SYNC && c != AB_GAP_SILENT && c != AB_GAP_DROPPED;
}

/* Marks the accepted moves of a group and lists its deviations; the rules
 * that apply count its cases here. */
static int group_deviations(ab_gap *g, ab__gap_group *gr)
{
    const ab_conform_variant *v = gr->v;
    uint32_t n = v->move_count;
    gr->accepted = ab__calloc(g->ctx, (size_t)n + 1, 1);
    if (gr->accepted == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t r = 0; r < g->rule_count; r++) {
        ab__gap_rule *rule = &g->rules[r];
        int hit = 0;
        if (rule->type == AB__RULE_TRANSITION) {
            for (int64_t p = -1; p < (int64_t)v->length; p++) {
                const char *a = p < 0 ? "start" : g->act_norm[v->activities[p]];
                const char *b =
                    p + 1 >= (int64_t)v->length ? "end" : g->act_norm[v->activities[p + 1]];
                if (!ab__gap_rule_match(rule->a, a) || !ab__gap_rule_match(rule->b, b)) {
                    continue;
                }
                uint32_t from = p < 0 ? 0 : gr->pos_move[p] + 1;
                uint32_t to = p + 1 >= (int64_t)v->length ? n : gr->pos_move[p + 1];
                for (uint32_t i = from; i < to; i++) {
                    if (is_deviation(gr->cls[i].cls)) {
                        gr->accepted[i] = 1;
                        hit = 1;
                    }
                }
            }
        } else {
            for (uint32_t i = 0; i < n; i++) {
                if (is_deviation(gr->cls[i].cls) && rule_applies(g, rule, v->moves, gr->cls, i)) {
                    gr->accepted[i] = 1;
                    hit = 1;
                }
            }
        }
        if (hit) {
            rule->cases += gr->here;
        }
    }
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (is_deviation(gr->cls[i].cls) &&
            (gr->cls[i].partner == AB_CONFORM_NONE || gr->cls[i].partner > i)) {
            count++;
        }
    }
    gr->devs = count > 0 ? ab__arena_alloc(&g->arena, sizeof(ab_gap_deviation) * count) : NULL;
    if (count > 0 && gr->devs == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        const ab_gap_move_class *c = &gr->cls[i];
        if (!is_deviation(c->cls) || (c->partner != AB_CONFORM_NONE && c->partner < i)) {
            continue;
        }
        ab_gap_deviation *d = &gr->devs[gr->dev_count++];
        const ab_move *m = &v->moves[i];
        const ab_move *p = c->partner != AB_CONFORM_NONE ? &v->moves[c->partner] : NULL;
        const ab_move *model = m->kind == AB_MOVE_MODEL ? m : p;
        const ab_move *log = m->kind == AB_MOVE_LOG ? m : p;
        d->cls = c->cls;
        d->move = i;
        d->early_exit = c->early_exit;
        d->accepted = gr->accepted[i] && (p == NULL || gr->accepted[c->partner]);
        d->instead = NULL;
        if (c->cls == AB_GAP_SUBSTITUTION) {
            d->activity = ab__gap_move_name(g, model);
            d->instead = ab__gap_move_name(g, log);
        } else {
            d->activity = ab__gap_move_name(g, m);
        }
        d->position = log != NULL ? log->position : m->position;
        gr->deviating_raw = 1;
        if (!d->accepted) {
            gr->deviating = 1;
        }
    }
    return AB_OK;
}

/* Counted loops report every this many units. */
#define PROGRESS_EVERY 64

static pthread_mutex_t progress_mu = PTHREAD_MUTEX_INITIALIZER;

void ab__gap_progress(const ab_gap *g, const char *phase, uint64_t done, uint64_t total)
{
    if (g->opts.progress != NULL) {
        pthread_mutex_lock(&progress_mu);
        g->opts.progress(phase, done, total, g->opts.progress_payload);
        pthread_mutex_unlock(&progress_mu);
    }
}

void ab__gap_progress_step(const ab_gap *g, const char *phase, uint32_t *done, uint32_t total)
{
    if (g->opts.progress != NULL) {
        pthread_mutex_lock(&progress_mu);
        ++*done;
        g->opts.progress(phase, *done, total, g->opts.progress_payload);
        pthread_mutex_unlock(&progress_mu);
    }
}

/* The groups of each variant (group_of[2 v + open]): each variant's instances
 * with their moves, and the end it reached. */
static int make_groups(ab_gap *g, uint32_t *group_of)
{
    ab_ctx *ctx = g->ctx;
    uint32_t V = g->variant_count;
    int exclude = g->opts.open_cases == AB_GAP_OPEN_EXCLUDE;
    for (uint32_t v = 0; v < V; v++) {
        const ab_conform_variant *var = g->variants[v];
        /* The shares counted the open cases of each variant. */
        uint32_t n_open = exclude && g->variant_open != NULL ? (uint32_t)g->variant_open[v] : 0;
        group_of[2 * (size_t)v] = group_of[2 * (size_t)v + 1] = UINT32_MAX;
        for (int open = 0; open < 2; open++) {
            uint32_t n = open ? n_open : var->case_count - n_open;
            if (n == 0) {
                continue;
            }
            group_of[2 * (size_t)v + open] = g->group_count;
            ab__gap_group *gr = &g->groups[g->group_count++];
            gr->variant = v;
            gr->v = var;
            gr->open = (uint8_t)open;
            gr->case_count = n;
            gr->pos_move = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)var->length + 1));
            if (gr->pos_move == NULL) {
                return AB_ENOMEM;
            }
            for (uint32_t i = 0; i < var->length; i++) {
                gr->pos_move[i] = AB_CONFORM_NONE;
            }
            for (uint32_t i = 0; i < var->move_count; i++) {
                const ab_move *m = &var->moves[i];
                if ((m->kind == AB_MOVE_SYNC || m->kind == AB_MOVE_LOG) &&
                    m->position < var->length) {
                    gr->pos_move[m->position] = i;
                }
            }
            for (uint32_t i = 0; i < var->length; i++) {
                if (gr->pos_move[i] == AB_CONFORM_NONE) {
                    return AB_EINVAL; /* An instance no move consumes. */
                }
            }
            int rc = end_key(g, var, &gr->end_key);
            if (rc != AB_OK) {
                return rc;
            }
        }
    }
    return AB_OK;
}

int ab__gap_classify_group(ab_gap *g, ab__gap_group *gr)
{
    const ab_conform_variant *var = gr->v;
    gr->cls = ab__malloc(g->ctx, sizeof(ab_gap_move_class) * ((size_t)var->move_count + 1));
    if (gr->cls == NULL) {
        return AB_ENOMEM;
    }
    int rc = ab_gap_classify(gr->cls, var->moves, var->move_count, g->documented, g->activity_count,
                             gr->open);
    return rc == AB_OK ? group_deviations(g, gr) : rc;
}

/* Over processes: every group's deviating flags (from the processes that
 * classified it) and the cases each accept rule matched, summed. */
static int share_flags(ab_gap *g, int rc)
{
    uint32_t G = g->group_count, R = g->rule_count;
    size_t n = sizeof(uint64_t) * R + G;
    unsigned char *mine = rc == AB_OK ? ab__malloc(g->ctx, n + 1) : NULL;
    rc = rc == AB_OK && mine == NULL ? AB_ENOMEM : rc;
    for (uint32_t r = 0; mine != NULL && r < R; r++) {
        memcpy(mine + sizeof(uint64_t) * r, &g->rules[r].cases, sizeof(uint64_t));
        g->rules[r].cases = 0;
    }
    for (uint32_t gi = 0; mine != NULL && gi < G; gi++) {
        const ab__gap_group *gr = &g->groups[gi];
        mine[sizeof(uint64_t) * R + gi] = (unsigned char)(gr->deviating | gr->deviating_raw << 1);
    }
    void **all;
    size_t *lens;
    uint32_t count;
    rc = ab__gap_exchange_status(&g->parts, rc, mine, n, &all, &lens, &count);
    ab__free(g->ctx, mine);
    for (uint32_t q = 0; rc == AB_OK && q < count; q++) {
        const unsigned char *b = all[q];
        for (uint32_t r = 0; r < R; r++) {
            uint64_t c;
            memcpy(&c, b + sizeof(uint64_t) * r, sizeof(c));
            g->rules[r].cases += c;
        }
        for (uint32_t gi = 0; gi < G; gi++) {
            g->groups[gi].deviating |= b[sizeof(uint64_t) * R + gi] & 1;
            g->groups[gi].deviating_raw |= b[sizeof(uint64_t) * R + gi] >> 1 & 1;
        }
    }
    ab__gap_exchange_free(all, lens, count);
    return rc;
}

/* Each group's cases here; then the groups with cases here, classified. */
static int classify_groups(ab_gap *g)
{
    uint32_t G = g->group_count;
    int rc = AB_OK;
    if (ab__gap_cases_here(g)) {
        for (uint32_t gi = 0; gi < G; gi++) {
            g->groups[gi].here = g->groups[gi].case_count;
        }
    } else {
        for (uint32_t c = 0, N = ab_log_case_count(g->log); c < N; c++) {
            uint32_t gi = ab__gap_case_group(g, c);
            if (gi >= G) {
                rc = AB_EINVAL;
                break;
            }
            g->groups[gi].here++;
        }
    }
    for (uint32_t gi = 0; rc == AB_OK && gi < G; gi++) {
        if (g->groups[gi].here > 0) {
            rc = ab__gap_classify_group(g, &g->groups[gi]);
        }
        uint32_t v = g->groups[gi].variant + 1; /* Variants done: the progress's unit. */
        if ((gi + 1 == G || g->groups[gi + 1].variant + 1 != v) &&
            (v % PROGRESS_EVERY == 0 || v == g->variant_count)) {
            ab__gap_progress(g, "classifying", v, g->variant_count);
        }
    }
    return ab__gap_cases_here(g) ? rc : share_flags(g, rc);
}

/* Each case's group, and each group's cases with the smallest ids (its
 * examples), from the shares. */
static int group_examples(ab_gap *g, const uint32_t *group_of)
{
    uint32_t G = g->group_count;
    uint32_t *out = ab__malloc(g->ctx, sizeof(uint32_t) * ((size_t)G + 1) * AB__GAP_SMALLEST);
    if (out == NULL) {
        return AB_ENOMEM;
    }
    int rc = g->parts.smallest(g->parts.payload, group_of,
                               g->opts.open_cases == AB_GAP_OPEN_EXCLUDE, G, out);
    for (uint32_t gi = 0; rc == AB_OK && gi < G; gi++) {
        memcpy(g->groups[gi].smallest, out + (size_t)gi * AB__GAP_SMALLEST,
               sizeof(g->groups[gi].smallest));
        if (g->groups[gi].smallest[0] == UINT32_MAX) {
            rc = AB_EINVAL; /* A group no share has a case of. */
        }
    }
    ab__free(g->ctx, out);
    return rc;
}

static int build_groups(ab_gap *g)
{
    ab_ctx *ctx = g->ctx;
    uint32_t V = g->variant_count;
    g->groups = ab__calloc(ctx, (size_t)V * 2 + 1, sizeof(ab__gap_group));
    uint32_t *group_of = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)V * 2 + 1));
    if (g->groups == NULL || group_of == NULL) {
        ab__free(ctx, group_of);
        return AB_ENOMEM;
    }
    int rc = make_groups(g, group_of);
    if (rc == AB_OK) {
        rc = group_examples(g, group_of);
    }
    ab__free(ctx, group_of);
    return rc == AB_OK ? classify_groups(g) : rc;
}

static const uint64_t *conf_events(const void *src, uint32_t c, uint32_t *count_out)
{
    return ab_conform_case_events(src, c, count_out);
}

static const ab_time *conf_starts(const void *src, uint32_t c)
{
    return ab_conform_case_starts(src, c);
}

int ab_gap_compute(ab_gap **out, ab_ctx *ctx, const ab_log *log, const ab_net *net,
                   const ab_conform *conf, const ab_gap_options *opts, ab_error *err)
{
    if (out == NULL || ctx == NULL || log == NULL || net == NULL || conf == NULL) {
        return ab__error(err, AB_EINVAL, "gap", 0, 0, "ab_gap_compute: missing argument");
    }
    *out = NULL;
    uint32_t V = ab_conform_variant_count(conf);
    const ab_conform_variant **vars = ab__malloc(ctx, sizeof(*vars) * ((size_t)V + 1));
    if (vars == NULL) {
        return ab__error(err, AB_ENOMEM, "gap", 0, 0, "out of memory");
    }
    for (uint32_t v = 0; v < V; v++) {
        vars[v] = ab_conform_variant_at(conf, v);
    }
    ab__gap_view view;
    memset(&view, 0, sizeof(view));
    view.log = log;
    view.net = net;
    view.variant_count = V;
    view.variants = vars;
    view.src = conf;
    view.case_events = conf_events;
    view.case_starts = conf_starts;
    view.stats = *ab_conform_get_stats(conf);
    int rc = ab__gap_compute_view(out, ctx, &view, opts, err);
    ab__free(ctx, vars);
    return rc;
}

int ab__gap_compute_view(ab_gap **out, ab_ctx *ctx, const ab__gap_view *view,
                         const ab_gap_options *opts, ab_error *err)
{
    ab_gap_options defaults = AB_GAP_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    *out = NULL;
    if (opts->version < 1 || opts->version > AB_GAP_OPTIONS_VERSION) {
        return ab__error(err, AB_EINVAL, "gap", 0, 0, "ab_gap_options: unknown version %u",
                         opts->version);
    }
    if (opts->version < AB_GAP_OPTIONS_VERSION) {
        /* An older struct ends before the first field of the next version;
         * the fields it lacks keep their defaults. */
        static const size_t ends[] = {offsetof(ab_gap_options, progress),
                                      offsetof(ab_gap_options, who),
                                      offsetof(ab_gap_options, log_sha256)};
        memcpy(&defaults, opts, ends[opts->version - 1]);
        defaults.version = AB_GAP_OPTIONS_VERSION;
        opts = &defaults;
    }
    if (opts->log_sha256 != NULL && !is_sha256_hex(opts->log_sha256)) {
        return ab__error(err, AB_EINVAL, "gap", 0, 0,
                         "ab_gap_options: log_sha256 is not 64 hex digits");
    }
    uint32_t *variant_of = NULL; /* Per case: its variant, while the shares are made. */
    ab_gap *g = ab__calloc(ctx, 1, sizeof(*g));
    if (g == NULL) {
        return ab__error(err, AB_ENOMEM, "gap", 0, 0, "out of memory");
    }
    g->ctx = ctx;
    ab__arena_init(&g->arena, ctx, 64 * 1024);
    int rc = ab__strtab_init(&g->names, ctx);
    if (rc != AB_OK) {
        ab__arena_finish(&g->arena);
        ab__free(ctx, g);
        return ab__error(err, rc, "gap", 0, 0, "out of memory");
    }
    g->view = view;
    if (view->parts != NULL) {
        g->parts = *view->parts;
    }
    g->log = view->log;
    g->net = view->net;
    g->cstats = view->stats;
    g->label_count = ab_net_label_count(g->net);
    g->variant_count = view->variant_count;
    AB_TRY(copy_options(g, opts));
    AB_TRY(take_header(g, view));
    g->activity_count = g->hdr.activity_count;
    g->case_count = g->hdr.case_count;
    g->variants = ab__malloc(ctx, sizeof(*g->variants) * ((size_t)g->variant_count + 1));
    /* With a driver's parts the variants' cases are where the parts are. */
    uint32_t here = view->parts != NULL ? 0 : g->case_count;
    variant_of = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)here + 1));
    if (g->variants == NULL || variant_of == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (uint32_t c = 0; c < here; c++) {
        variant_of[c] = UINT32_MAX;
    }
    /* Every case in exactly one variant: the run must belong to this log. */
    for (uint32_t v = 0; v < g->variant_count; v++) {
        const ab_conform_variant *var = view->variants[v];
        g->variants[v] = var;
        for (uint32_t i = 0; here > 0 && i < var->case_count; i++) {
            uint32_t c = var->cases[i];
            if (c >= g->case_count || variant_of[c] != UINT32_MAX) {
                rc = ab__error(err, AB_EINVAL, "gap", 0, 0,
                               "the conformance result does not match the log (case %u)", c);
                goto fail;
            }
            variant_of[c] = v;
        }
    }
    for (uint32_t c = 0; c < here; c++) {
        if (variant_of[c] == UINT32_MAX) {
            rc = ab__error(err, AB_EINVAL, "gap", 0, 0,
                           "the conformance result has no alignment for case %u", c);
            goto fail;
        }
    }
    ab__gap_progress(g, "hashing inputs", 0, 0);
    rc = hash_inputs(g, err);
    if (rc != AB_OK) {
        goto fail;
    }
    if (g->opts.accept_file != NULL) {
        rc = ab__gap_accept_parse(&g->arena, g->opts.accept_file, &g->rules, &g->rule_count, err);
        if (rc != AB_OK) {
            goto fail;
        }
    }
    rc = index_names(g);
    if (rc == AB_EINVAL) {
        rc = ab__error(err, AB_EINVAL, "gap", 0, 0, "a variant names an unknown activity");
        goto fail;
    }
    AB_TRY(rc);
    ab__gap_progress(g, "analysing the map", 0, 0);
    AB_TRY(ab__gap_model_relations(&g->model, ctx, g->net, g->opts.max_states));
    ab__gap_progress(g, "classifying", 0, g->variant_count);
    /* The shares keep each case's variant, then its group. */
    if (view->parts != NULL) {
        ab__free(ctx, variant_of);
        rc = AB_OK;
    } else {
        rc = ab__gap_parts_local(g, variant_of, &g->parts);
    }
    variant_of = NULL;
    AB_TRY(rc);
    rc = case_times(g);
    if (rc == AB_OK) {
        rc = build_groups(g);
    }
    ab__free(ctx, g->variant_open);
    g->variant_open = NULL;
    if (rc == AB_EINVAL) {
        rc = ab__error(err, AB_EINVAL, "gap", 0, 0,
                       "an alignment does not consume every instance of its trace once, or "
                       "names an unknown activity");
        goto fail;
    }
    AB_TRY(rc);
    ab__gap_progress(g, "replaying on the map", 0, 0);
    /* Over processes, each replays its share of the variants. */
    AB_TRY(g->parts.exchange != NULL && g->parts.processes > 1
               ? ab__gap_replay_spread(&g->replay, ctx, g->net, g->variants, g->variant_count,
                                       &g->parts)
               : ab__gap_replay_run(&g->replay, ctx, g->net, g->variants, g->variant_count, 0, 1));
    rc = ab__gap_findings(g, err);
    if (rc != AB_OK) {
        goto fail;
    }
    AB_TRY(mapping_coverage(g));
    ab__gap_progress(g, "who did the work", 0, 0);
    rc = ab__who_compute(g, err);
    if (rc != AB_OK) {
        goto fail;
    }
    /* The shares stay: they hold each case's group, cycle time and open
     * flag for the per-case calls until ab_gap_destroy. */
    g->view = NULL;
    *out = g;
    return AB_OK;
done:
    if (rc == AB_ENOMEM) {
        ab__error(err, rc, "gap", 0, 0, "out of memory");
    } else if (rc != AB_OK) {
        ab__error(err, rc, "gap", 0, 0, "%s", ab_status_str(rc));
    }
fail:
    ab__free(ctx, variant_of);
    ab_gap_destroy(g);
    return rc;
}

static int cmp_case_u32(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return a < b ? -1 : a > b;
}

int ab__gap_named_cases(const ab_gap *g, uint32_t **out, size_t *n)
{
    size_t cap = (size_t)g->group_count * AB__GAP_SMALLEST + ab__who_named_cases(g, NULL);
    uint32_t *v = malloc(sizeof(uint32_t) * (cap + 1));
    *out = v;
    *n = 0;
    if (v == NULL) {
        return AB_ENOMEM;
    }
    size_t k = 0;
    for (uint32_t gi = 0; gi < g->group_count; gi++) {
        for (int j = 0; j < AB__GAP_SMALLEST; j++) {
            if (g->groups[gi].smallest[j] != UINT32_MAX) {
                v[k++] = g->groups[gi].smallest[j];
            }
        }
    }
    k += ab__who_named_cases(g, v + k);
    qsort(v, k, sizeof(uint32_t), cmp_case_u32);
    size_t u = 0;
    for (size_t i = 0; i < k; i++) {
        if (u == 0 || v[u - 1] != v[i]) {
            v[u++] = v[i];
        }
    }
    *n = u;
    return AB_OK;
}

void ab_gap_destroy(ab_gap *g)
{
    if (g == NULL) {
        return;
    }
    ab_ctx *ctx = g->ctx;
    if (g->parts.destroy != NULL) {
        g->parts.destroy(g->parts.payload);
    }
    ab__who_destroy(g);
    for (uint32_t i = 0; i < g->group_count; i++) {
        ab__gap_group *gr = &g->groups[i];
        ab__free(ctx, gr->cls);
        ab__free(ctx, gr->accepted);
        ab__free(ctx, gr->pos_move);
    }
    ab__free(ctx, g->groups);
    if (g->variant_acts != NULL) {
        for (uint32_t v = 0; v < g->variant_count; v++) {
            ab__free(ctx, g->variant_acts[v]);
        }
    }
    ab__free(ctx, g->variant_acts);
    ab__free(ctx, g->variant_act_count);
    ab__free(ctx, g->variants);
    ab__free(ctx, g->variant_open);
    ab__free(ctx, g->act_label);
    ab__free(ctx, g->label_act);
    ab__free(ctx, g->documented);
    ab__free(ctx, g->act_cases);
    ab__free(ctx, g->act_events);
    ab__free(ctx, g->label_required);
    ab__free(ctx, g->label_sync_cases);
    ab__free(ctx, g->label_absent);
    ab__free(ctx, g->label_bypass_cases);
    ab__free(ctx, g->mandatory);
    ab__free(ctx, g->control);
    ab__gap_model_finish(&g->model, ctx);
    ab__gap_replay_finish(&g->replay, ctx);
    ab__strtab_finish(&g->names);
    ab__arena_finish(&g->arena);
    ab__free(ctx, g);
}

/* ---- Getters ---- */

const ab_gap_summary *ab_gap_get_summary(const ab_gap *g)
{
    return &g->summary;
}

uint32_t ab_gap_item_count(const ab_gap *g, ab_gap_kind kind)
{
    return (unsigned)kind < AB_GAP_K__COUNT ? g->item_count[kind] : 0;
}

const ab_gap_item *ab_gap_item_at(const ab_gap *g, ab_gap_kind kind, uint32_t index)
{
    if ((unsigned)kind >= AB_GAP_K__COUNT || index >= g->item_count[kind]) {
        return NULL;
    }
    return &g->items[kind][index];
}

const ab_gap_item *ab_gap_item_find(const ab_gap *g, ab_gap_kind kind, const char *activity,
                                    const char *other)
{
    for (uint32_t i = 0; i < ab_gap_item_count(g, kind); i++) {
        const ab_gap_item *it = &g->items[kind][i];
        if (activity != NULL && (it->activity == NULL || strcmp(it->activity, activity) != 0)) {
            continue;
        }
        if (other != NULL && (it->other == NULL || strcmp(it->other, other) != 0)) {
            continue;
        }
        return it;
    }
    return NULL;
}

uint32_t ab_gap_dead_step_count(const ab_gap *g)
{
    return g->dead_step_count;
}

const ab_gap_dead_step *ab_gap_dead_step_at(const ab_gap *g, uint32_t index)
{
    return index < g->dead_step_count ? &g->dead_steps[index] : NULL;
}

uint32_t ab_gap_dead_path_count(const ab_gap *g)
{
    return g->dead_path_count;
}

const ab_gap_dead_path *ab_gap_dead_path_at(const ab_gap *g, uint32_t index)
{
    return index < g->dead_path_count ? &g->dead_paths[index] : NULL;
}

uint32_t ab_gap_unused_option_count(const ab_gap *g)
{
    return g->option_count;
}

const ab_gap_unused_option *ab_gap_unused_option_at(const ab_gap *g, uint32_t index)
{
    return index < g->option_count ? &g->options[index] : NULL;
}

uint32_t ab_gap_statement_count(const ab_gap *g)
{
    return g->statement_count;
}

const char *ab_gap_statement_at(const ab_gap *g, uint32_t index)
{
    return index < g->statement_count ? g->statements[index] : NULL;
}

const ab_gap_deviation *ab_gap_case_deviations(const ab_gap *g, uint32_t case_index,
                                               uint32_t *count_out)
{
    if (case_index >= g->case_count) {
        *count_out = 0;
        return NULL;
    }
    const ab__gap_group *gr = &g->groups[ab__gap_case_group(g, case_index)];
    *count_out = gr->dev_count;
    return gr->devs;
}

int ab_gap_case_is_open(const ab_gap *g, uint32_t case_index)
{
    return case_index < g->case_count && ab__gap_case_open(g, case_index);
}

int ab_gap_metric(const ab_gap *g, const char *id, ab_gap_rate *out)
{
    const ab_gap_summary *s = &g->summary;
    static const char *const ids[] = {"M1", "M2",  "M3", "M7",  "M7b",
                                      "M8", "M10", "M9", "M9c", "M9cp"};
    const ab_gap_rate *rates[] = {&s->case_deviation, &s->off_model_events,  &s->missing_steps,
                                  &s->rework,         &s->documented_rework, &s->out_of_order,
                                  &s->early_exit,     &s->bypass_max,        &s->control_bypass_max,
                                  &s->control_bypass};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        if (ab__ieq(id, strlen(id), ids[i])) {
            *out = *rates[i];
            return AB_OK;
        }
    }
    /* Who did the work: exact names (ROLE and ROLEc differ in case only). */
    static const char *const who_ids[] = {"ROLE", "ROLEc", "SOD", "HANDOFF"};
    const ab_gap_rate *who_rates[] = {&s->role_violation, &s->control_outside_lane,
                                      &s->sod_violation, &s->undocumented_handoff};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(id, who_ids[i]) == 0) {
            *out = *who_rates[i];
            return AB_OK;
        }
    }
    return AB_ENOTFOUND;
}

static const char *const kind_names[] = {"bypass",
                                         "undocumented_activity",
                                         "undocumented_transition",
                                         "rework",
                                         "out_of_order",
                                         "substitution",
                                         "extra_step",
                                         "early_exit"};

const char *ab_gap_kind_name(ab_gap_kind kind)
{
    return (unsigned)kind < AB_GAP_K__COUNT ? kind_names[kind] : "unknown";
}

const char *ab_gap_time_status_name(ab_gap_time_status status)
{
    switch (status) {
    case AB_GAP_TIME_OK:
        return "ok";
    case AB_GAP_TIME_NO_BASELINE:
        return "no comparable baseline";
    case AB_GAP_TIME_TOO_FEW:
        return "too few cases";
    case AB_GAP_TIME_NO_TIMESTAMPS:
        return "no timestamps";
    case AB_GAP_TIME_NOT_APPLICABLE:
        return "not applicable";
    case AB_GAP_TIME_BELOW_SUPPORT:
        return "below minimum support";
    }
    return "unknown";
}
