/*
 * discover/dfg_json.c: the text forms of a graph for programs: JSON (schema
 * asbuilt.dfg/1) and PM4Py's .dfg format. Both are written from the
 * finished, name-ordered graph, so equal graphs give equal bytes.
 */
#include "discover/discover_int.h"

#include <stdio.h>

/* Appends in sequence until the first failure; rc keeps it. */
#define P(...)                                                                                     \
    do {                                                                                           \
        if (rc == AB_OK) {                                                                         \
            rc = ab_buf_printf(b, ctx, __VA_ARGS__);                                               \
        }                                                                                          \
    } while (0)
#define STR(s)                                                                                     \
    do {                                                                                           \
        if (rc == AB_OK) {                                                                         \
            rc = ab_buf_append_json_string(b, ctx, (s));                                           \
        }                                                                                          \
    } while (0)
#define NUM(x)                                                                                     \
    do {                                                                                           \
        if (rc == AB_OK) {                                                                         \
            rc = ab__dfg_put_seconds(b, ctx, (x));                                                 \
        }                                                                                          \
    } while (0)

static int put_stats(ab_buf *b, ab_ctx *ctx, const ab_dfg_stats *s)
{
    int rc = AB_OK;
    if (s->count == 0) {
        P("null");
        return rc;
    }
    P("{\"count\": %llu, \"min\": ", (unsigned long long)s->count);
    NUM(s->min);
    P(", \"median\": ");
    NUM(s->median);
    P(", \"mean\": ");
    NUM(s->mean);
    P(", \"p90\": ");
    NUM(s->p90);
    P(", \"max\": ");
    NUM(s->max);
    P("}");
    return rc;
}

static int put_endpoints(ab_buf *b, ab_ctx *ctx, const ab_dfg *d, const ab_dfg_endpoint *ep,
                         uint32_t n)
{
    int rc = AB_OK;
    P("{");
    for (uint32_t i = 0; i < n; i++) {
        P("%s\n    ", i ? "," : "");
        STR(d->acts[ep[i].activity].name);
        P(": %llu", (unsigned long long)ep[i].count);
    }
    P("%s}", n ? "\n  " : "");
    return rc;
}

int ab_dfg_write_json(ab_buf *b, const ab_dfg *d)
{
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    const ab_dfg_info *in = &d->info;
    P("{\n  \"schema\": \"asbuilt.dfg/1\",\n");
    P("  \"cases\": %llu,\n  \"events\": %llu,\n", (unsigned long long)in->cases,
      (unsigned long long)in->events);
    P("  \"filters\": {\n    \"top_variants\": ");
    if (in->options.top_variants > 0) {
        P("%u", in->options.top_variants);
    } else {
        P("null");
    }
    P(",\n    \"activities_percent\": ");
    if (in->options.activities_percent < 100.0) {
        P("%g", in->options.activities_percent);
    } else {
        P("null");
    }
    P(",\n    \"min_edge_cases\": %llu,\n", (unsigned long long)in->options.min_edge_cases);
    P("    \"log_cases\": %llu,\n    \"log_events\": %llu,\n    \"log_activities\": %u,\n",
      (unsigned long long)in->log_cases, (unsigned long long)in->log_events, in->log_activities);
    P("    \"edges_before_filter\": %u\n  },\n", in->edges_before_filter);
    P("  \"durations\": {\"unit\": \"seconds\", \"percentiles\": \"linear\", "
      "\"quantiles\": \"%s\"},\n",
      in->options.quantiles == AB_DFG_SKETCH ? "sketch" : "exact");
    /* What a node counts: every event (PM4Py's view), or activity instances. */
    P("  \"counts\": \"%s\",\n", in->options.instances ? "activity_instances" : "events");
    P("  \"activities\": [");
    for (uint32_t i = 0; i < d->n_acts; i++) {
        const ab_dfg_activity *a = &d->acts[i];
        P("%s\n    {\"name\": ", i ? "," : "");
        STR(a->name);
        P(", \"events\": %llu, \"cases\": %llu, \"service_time\": ", (unsigned long long)a->events,
          (unsigned long long)a->cases);
        if (rc == AB_OK) {
            rc = put_stats(b, ctx, &a->service);
        }
        P("}");
    }
    P("%s],\n  \"start_activities\": ", d->n_acts ? "\n  " : "");
    if (rc == AB_OK) {
        rc = put_endpoints(b, ctx, d, d->starts, d->n_starts);
    }
    P(",\n  \"end_activities\": ");
    if (rc == AB_OK) {
        rc = put_endpoints(b, ctx, d, d->ends, d->n_ends);
    }
    P(",\n  \"edges\": [");
    for (uint32_t i = 0; i < d->n_edges; i++) {
        const ab_dfg_edge *e = &d->edges[i];
        P("%s\n    {\"from\": ", i ? "," : "");
        STR(d->acts[e->from].name);
        P(", \"to\": ");
        STR(d->acts[e->to].name);
        P(", \"count\": %llu, \"cases\": %llu, \"duration\": ", (unsigned long long)e->count,
          (unsigned long long)e->cases);
        if (rc == AB_OK) {
            rc = put_stats(b, ctx, &e->duration);
        }
        P("}");
    }
    P("%s],\n  \"self_loops\": [", d->n_edges ? "\n  " : "");
    uint32_t k = 0;
    for (uint32_t i = 0; i < d->n_cycles; i++) {
        const ab_dfg_cycle *c = &d->cycles[i];
        if (c->size != 1) {
            continue;
        }
        P("%s\n    {\"activity\": ", k++ ? "," : "");
        STR(d->acts[c->activities[0]].name);
        P(", \"count\": %llu}", (unsigned long long)c->count);
    }
    P("%s],\n  \"rework_cycles\": [", k ? "\n  " : "");
    k = 0;
    for (uint32_t i = 0; i < d->n_cycles; i++) {
        const ab_dfg_cycle *c = &d->cycles[i];
        if (c->size < 2) {
            continue;
        }
        P("%s\n    {\"activities\": [", k++ ? "," : "");
        for (uint32_t j = 0; j < c->size; j++) {
            P("%s", j ? ", " : "");
            STR(d->acts[c->activities[j]].name);
        }
        P("], \"edges\": %u, \"count\": %llu}", c->edges, (unsigned long long)c->count);
    }
    P("%s],\n  \"variants_total\": %u,\n  \"variants\": [", k ? "\n  " : "", in->variants_total);
    for (uint32_t i = 0; i < d->n_variants; i++) {
        const ab_dfg_variant *v = &d->variants[i];
        P("%s\n    {\"cases\": %llu, \"share\": ", i ? "," : "", (unsigned long long)v->cases);
        NUM(v->share);
        P(", \"length\": %u, \"median_cycle_time\": ", v->length);
        if (v->cycle_time.count > 0) {
            NUM(v->cycle_time.median);
        } else {
            P("null");
        }
        P(", \"activities\": [");
        for (uint32_t j = 0; j < v->length; j++) {
            P("%s", j ? ", " : "");
            STR(d->acts[v->activities[j]].name);
        }
        P("], \"examples\": [");
        for (uint32_t j = 0; j < v->example_count; j++) {
            P("%s", j ? ", " : "");
            STR(v->examples[j]);
        }
        P("]}");
    }
    P("%s]\n}\n", d->n_variants ? "\n  " : "");
    return rc;
}

int ab_dfg_write_pm4py(ab_buf *b, const ab_dfg *d, ab_error *err)
{
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    for (uint32_t i = 0; i < d->n_acts; i++) {
        if (strpbrk(d->acts[i].name, "\r\n") != NULL) {
            return ab__error(err, AB_EINVAL, "discover", 0, 0,
                             "activity \"%.80s\" holds a line break, which the .dfg format "
                             "cannot carry",
                             d->acts[i].name);
        }
    }
    /*
     * PM4Py lists only the activities on edges; listing every activity also
     * covers a start or end activity of one-event cases, which its importer
     * reads fine (it looks names up by index).
     */
    P("%u\n", d->n_acts);
    for (uint32_t i = 0; i < d->n_acts && rc == AB_OK; i++) {
        rc = ab_buf_append(b, ctx, d->acts[i].name, strlen(d->acts[i].name));
        P("\n");
    }
    P("%u\n", d->n_starts);
    for (uint32_t i = 0; i < d->n_starts; i++) {
        P("%ux%llu\n", d->starts[i].activity, (unsigned long long)d->starts[i].count);
    }
    P("%u\n", d->n_ends);
    for (uint32_t i = 0; i < d->n_ends; i++) {
        P("%ux%llu\n", d->ends[i].activity, (unsigned long long)d->ends[i].count);
    }
    for (uint32_t i = 0; i < d->n_edges; i++) {
        const ab_dfg_edge *e = &d->edges[d->edge_by_pair[i]];
        P("%u>%ux%llu\n", e->from, e->to, (unsigned long long)e->count);
    }
    if (rc != AB_OK) {
        return ab__error(err, rc, "discover", 0, 0, "out of memory");
    }
    return AB_OK;
}
