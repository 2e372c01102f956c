/*
 * log/log_stats.c: what a log holds, as JSON (schema asbuilt.stats/1, the
 * output of `asbuilt stats --json`): counts as PM4Py gives them, events per
 * activity, time span, data quality and the most frequent variants. In the
 * library so that bindings get the same bytes as the command line.
 */
#include "log/log_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/time.h"

/* Order for activity_counts: events descending, then name. */
typedef struct act_row {
    const char *name;
    uint64_t events;
    uint32_t id;
} act_row;

static int cmp_act_row(const void *pa, const void *pb)
{
    const act_row *a = pa, *b = pb;
    if (a->events != b->events) {
        return a->events > b->events ? -1 : 1;
    }
    return strcmp(a->name, b->name);
}

int ab_log_activities_by_events(const ab_log *log, ab_ctx *ctx, uint32_t *ids_out)
{
    uint32_t na = ab_log_activity_count(log);
    act_row *rows = ab__malloc(ctx, ((size_t)na + 1) * sizeof(*rows));
    if (rows == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t a = 0; a < na; a++) {
        rows[a].name = ab_log_activity_name(log, a);
        rows[a].events = ab_log_activity_events(log, a);
        rows[a].id = a;
    }
    qsort(rows, na, sizeof(*rows), cmp_act_row);
    for (uint32_t a = 0; a < na; a++) {
        ids_out[a] = rows[a].id;
    }
    ab__free(ctx, rows);
    return AB_OK;
}

static void time_str(ab_time t, char *buf, size_t cap)
{
    if (t == AB_TIME_NONE) {
        snprintf(buf, cap, "null");
    } else {
        ab_time_format(t, buf, cap);
    }
}

/* ---- The view ---- */

int ab_stats_variant_cmp(const ab_stats_variant *a, const ab_stats_variant *b)
{
    if (a->cases != b->cases) {
        return a->cases > b->cases ? -1 : 1;
    }
    uint32_t n = a->length < b->length ? a->length : b->length;
    for (uint32_t i = 0; i < n; i++) {
        int c = strcmp(a->activities[i], b->activities[i]);
        if (c != 0) {
            return c < 0 ? -1 : 1;
        }
    }
    return a->length < b->length ? -1 : (a->length > b->length);
}

static int cmp_variant(const void *a, const void *b)
{
    return ab_stats_variant_cmp(a, b);
}

int ab_stats_view_sort(ab_stats_view *v, ab_ctx *ctx)
{
    /* The two activity arrays move together: sort rows, write them back. */
    act_row *rows = ab__malloc(ctx, sizeof(act_row) * ((size_t)v->activities + 1));
    if (rows == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t a = 0; a < v->activities; a++) {
        rows[a].name = v->activity_names[a];
        rows[a].events = v->activity_events[a];
        rows[a].id = a;
    }
    qsort(rows, v->activities, sizeof(*rows), cmp_act_row);
    for (uint32_t a = 0; a < v->activities; a++) {
        v->activity_names[a] = rows[a].name;
        v->activity_events[a] = rows[a].events;
    }
    ab__free(ctx, rows);
    if (v->top_count > 1) {
        qsort(v->top, v->top_count, sizeof(*v->top), cmp_variant);
    }
    return AB_OK;
}

/* What ab_stats_view_of allocates. */
typedef struct view_store {
    const char **names;
    uint64_t *events;
    ab_stats_variant *top;
    const char **seq; /* The top variants' names, one after the other. */
} view_store;

void ab_stats_view_dispose(ab_stats_view *v, ab_ctx *ctx)
{
    view_store *st = v != NULL ? v->owned_ : NULL;
    if (st == NULL) {
        return;
    }
    ab__free(ctx, st->names);
    ab__free(ctx, st->events);
    ab__free(ctx, st->top);
    ab__free(ctx, st->seq);
    ab__free(ctx, st);
    memset(v, 0, sizeof(*v));
}

int ab_stats_view_of(ab_stats_view *v, ab_ctx *ctx, const ab_log *log, uint32_t top)
{
    memset(v, 0, sizeof(*v));
    view_store *st = ab__calloc(ctx, 1, sizeof(*st));
    if (st == NULL) {
        return AB_ENOMEM;
    }
    v->owned_ = st;
    v->format = ab_log_meta(log, "format");
    v->cases = ab_log_case_count(log);
    v->events = ab_log_event_count(log);
    v->activities = ab_log_activity_count(log);
    v->variants = ab_log_variant_count(log);
    v->resources = ab_log_resource_count(log);
    ab_log_time_span(log, &v->first, &v->last);
    v->dq = ab_log_data_quality(log);
    uint32_t na = v->activities;
    uint32_t *ids = ab__malloc(ctx, ((size_t)na + 1) * sizeof(*ids));
    st->names = ab__malloc(ctx, ((size_t)na + 1) * sizeof(*st->names));
    st->events = ab__malloc(ctx, ((size_t)na + 1) * sizeof(*st->events));
    v->top_count = v->variants < top ? v->variants : top;
    st->top = ab__calloc(ctx, (size_t)v->top_count + 1, sizeof(*st->top));
    size_t seq_len = 0;
    for (uint32_t k = 0; k < v->top_count; k++) {
        seq_len += ab_log_variant_length(log, k);
    }
    st->seq = ab__malloc(ctx, (seq_len + 1) * sizeof(*st->seq));
    if (ids == NULL || st->names == NULL || st->events == NULL || st->top == NULL ||
        st->seq == NULL || ab_log_activities_by_events(log, ctx, ids) != AB_OK) {
        ab__free(ctx, ids);
        ab_stats_view_dispose(v, ctx);
        return AB_ENOMEM;
    }
    for (uint32_t a = 0; a < na; a++) {
        st->names[a] = ab_log_activity_name(log, ids[a]);
        st->events[a] = ab_log_activity_events(log, ids[a]);
    }
    ab__free(ctx, ids);
    v->activity_names = st->names;
    v->activity_events = st->events;
    size_t o = 0;
    for (uint32_t k = 0; k < v->top_count; k++) {
        ab_stats_variant *x = &st->top[k];
        x->cases = ab_log_variant_cases(log, k);
        x->length = ab_log_variant_length(log, k);
        const uint32_t *acts = ab_log_variant_activities(log, k);
        x->activities = st->seq + o;
        for (uint32_t i = 0; i < x->length; i++) {
            st->seq[o++] = ab_log_activity_name(log, acts[i]);
        }
        x->example_case = ab_log_case_id(log, ab_log_variant_case_list(log, k)[0]);
    }
    v->top = st->top;
    return AB_OK;
}

int ab_stats_view_write_json(ab_buf *b, ab_ctx *ctx, const ab_stats_view *v,
                             const char *const *files, size_t file_count, ab_lc_filter lifecycle)
{
    int rc = AB_OK;
#define P(...)                                                                                     \
    do {                                                                                           \
        if (rc == AB_OK) {                                                                         \
            rc = ab_buf_printf(b, ctx, __VA_ARGS__);                                               \
        }                                                                                          \
    } while (0)
#define S(str)                                                                                     \
    do {                                                                                           \
        if (rc == AB_OK) {                                                                         \
            rc = ab_buf_append_json_string(b, ctx, (str));                                         \
        }                                                                                          \
    } while (0)
    P("{\n  \"schema\": \"asbuilt.stats/1\",\n  \"input\": {\n    \"files\": [");
    for (size_t i = 0; i < file_count; i++) {
        P("%s", i ? ", " : "");
        S(files[i]);
    }
    P("],\n    \"format\": ");
    if (v->format != NULL) {
        S(v->format);
    } else {
        P("null");
    }
    P(",\n    \"lifecycle\": \"%s\"\n  },\n", lifecycle == AB_LCF_COMPLETE ? "complete" : "all");
    P("  \"cases\": %u,\n  \"events\": %llu,\n  \"activities\": %u,\n  \"variants\": %u,\n",
      v->cases, (unsigned long long)v->events, v->activities, v->variants);
    P("  \"resources\": %u,\n", v->resources);
    P("  \"activity_counts\": {");
    for (uint32_t a = 0; a < v->activities; a++) {
        P("%s\n    ", a ? "," : "");
        S(v->activity_names[a]);
        P(": %llu", (unsigned long long)v->activity_events[a]);
    }
    P("\n  },\n");
    char t1[40], t2[40];
    time_str(v->first, t1, sizeof(t1));
    time_str(v->last, t2, sizeof(t2));
    if (v->first == AB_TIME_NONE) {
        P("  \"time_span\": {\"start\": null, \"end\": null, \"seconds\": null},\n");
    } else {
        P("  \"time_span\": {\"start\": \"%s\", \"end\": \"%s\", \"seconds\": %.6f},\n", t1, t2,
          (double)(v->last - v->first) / 1e6);
    }
    const ab_data_quality *dq = v->dq;
    P("  \"data_quality\": {\n    \"records\": %llu,\n    \"dropped\": {",
      (unsigned long long)dq->records);
    for (int r = 0; r < AB_DROP__COUNT; r++) {
        const ab_dq_entry *e = &dq->dropped[r];
        P("%s\n      \"%s\": {\"count\": %llu, \"first_lines\": [", r ? "," : "",
          ab_drop_reason_name((ab_drop_reason)r), (unsigned long long)e->count);
        for (uint32_t k = 0; k < e->line_count; k++) {
            P("%s%llu", k ? ", " : "", (unsigned long long)e->lines[k]);
        }
        P("]}");
    }
    P("\n    },\n    \"timestamps_coerced\": %llu,\n    \"duplicate_events\": %llu,\n"
      "    \"cases_with_equal_timestamps\": %llu,\n    \"events_without_timestamp\": %llu\n  },\n",
      (unsigned long long)dq->timestamps_coerced, (unsigned long long)dq->duplicate_events,
      (unsigned long long)dq->cases_with_equal_timestamps,
      (unsigned long long)dq->events_without_timestamp);
    P("  \"top_variants\": [");
    for (uint32_t k = 0; k < v->top_count; k++) {
        const ab_stats_variant *x = &v->top[k];
        P("%s\n    {\"cases\": %u, \"share\": %.6f, \"length\": %u, \"activities\": [",
          k ? "," : "", x->cases, v->cases ? (double)x->cases / v->cases : 0.0, x->length);
        for (uint32_t i = 0; i < x->length; i++) {
            P("%s", i ? ", " : "");
            S(x->activities[i]);
        }
        P("], \"example_case\": ");
        S(x->example_case);
        P("}");
    }
    P("%s]\n}\n", v->top_count > 0 ? "\n  " : "");
#undef P
#undef S
    return rc;
}

int ab_log_write_stats_json(ab_buf *b, ab_ctx *ctx, const ab_log *log, const char *const *files,
                            size_t file_count, ab_lc_filter lifecycle, uint32_t top)
{
    ab_stats_view v;
    int rc = ab_stats_view_of(&v, ctx, log, top);
    if (rc == AB_OK) {
        rc = ab_stats_view_write_json(b, ctx, &v, files, file_count, lifecycle);
    }
    ab_stats_view_dispose(&v, ctx);
    return rc;
}
