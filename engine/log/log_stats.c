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

int ab_log_write_stats_json(ab_buf *b, ab_ctx *ctx, const ab_log *log, const char *const *files,
                            size_t file_count, ab_lc_filter lifecycle, uint32_t top)
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
    const char *fmt = ab_log_meta(log, "format");
    if (fmt != NULL) {
        S(fmt);
    } else {
        P("null");
    }
    P(",\n    \"lifecycle\": \"%s\"\n  },\n", lifecycle == AB_LCF_COMPLETE ? "complete" : "all");
    P("  \"cases\": %u,\n  \"events\": %llu,\n  \"activities\": %u,\n  \"variants\": %u,\n",
      ab_log_case_count(log), (unsigned long long)ab_log_event_count(log),
      ab_log_activity_count(log), ab_log_variant_count(log));
    P("  \"resources\": %u,\n", ab_log_resource_count(log));
    uint32_t na = ab_log_activity_count(log);
    uint32_t *ids = ab__malloc(ctx, ((size_t)na + 1) * sizeof(*ids));
    if (ids == NULL || ab_log_activities_by_events(log, ctx, ids) != AB_OK) {
        ab__free(ctx, ids);
        return AB_ENOMEM;
    }
    P("  \"activity_counts\": {");
    for (uint32_t a = 0; a < na; a++) {
        P("%s\n    ", a ? "," : "");
        S(ab_log_activity_name(log, ids[a]));
        P(": %llu", (unsigned long long)ab_log_activity_events(log, ids[a]));
    }
    ab__free(ctx, ids);
    P("\n  },\n");
    ab_time first, last;
    ab_log_time_span(log, &first, &last);
    char t1[40], t2[40];
    time_str(first, t1, sizeof(t1));
    time_str(last, t2, sizeof(t2));
    if (first == AB_TIME_NONE) {
        P("  \"time_span\": {\"start\": null, \"end\": null, \"seconds\": null},\n");
    } else {
        P("  \"time_span\": {\"start\": \"%s\", \"end\": \"%s\", \"seconds\": %.6f},\n", t1, t2,
          (double)(last - first) / 1e6);
    }
    const ab_data_quality *dq = ab_log_data_quality(log);
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
    uint32_t nv = ab_log_variant_count(log);
    uint32_t cases = ab_log_case_count(log);
    for (uint32_t v = 0; v < nv && v < top; v++) {
        uint32_t vc = ab_log_variant_cases(log, v);
        P("%s\n    {\"cases\": %u, \"share\": %.6f, \"length\": %u, \"activities\": [",
          v ? "," : "", vc, cases ? (double)vc / cases : 0.0, ab_log_variant_length(log, v));
        const uint32_t *seq = ab_log_variant_activities(log, v);
        for (uint32_t k = 0; k < ab_log_variant_length(log, v); k++) {
            P("%s", k ? ", " : "");
            S(ab_log_activity_name(log, seq[k]));
        }
        P("], \"example_case\": ");
        S(ab_log_case_id(log, ab_log_variant_case_list(log, v)[0]));
        P("}");
    }
    P("%s]\n}\n", nv > 0 && top > 0 ? "\n  " : "");
#undef P
#undef S
    return rc;
}
