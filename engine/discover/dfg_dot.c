/*
 * discover/dfg_dot.c: a graph as Graphviz DOT, for people who lay it out
 * with `dot`. Boxes for activities, small circles for start and end, edge
 * width and colour by count on a logarithmic scale, labels with the count
 * and the median hand-over time. Names are written only inside quoted
 * strings with every special character escaped; node ids are generated.
 */
#include "discover/discover_int.h"

#include <stdio.h>

#define P(...)                                                                                     \
    do {                                                                                           \
        if (rc == AB_OK) {                                                                         \
            rc = ab_buf_printf(b, ctx, __VA_ARGS__);                                               \
        }                                                                                          \
    } while (0)

/*
 * The inside of a DOT quoted string. A backslash starts an escape in
 * Graphviz labels (\n, \l, \N ...), so it is doubled; a quote is escaped;
 * line breaks become \n; other control characters become spaces, and bytes
 * that are not UTF-8 become U+FFFD (Graphviz reads UTF-8).
 */
static int put_dot_text(ab_buf *b, ab_ctx *ctx, const char *s)
{
    int rc = AB_OK;
    while (*s != '\0' && rc == AB_OK) {
        uint32_t cp;
        size_t n = ab__dfg_utf8_next(s, &cp);
        if (cp == '"') {
            rc = ab_buf_append(b, ctx, "\\\"", 2);
        } else if (cp == '\\') {
            rc = ab_buf_append(b, ctx, "\\\\", 2);
        } else if (cp == '\n') {
            rc = ab_buf_append(b, ctx, "\\n", 2);
        } else if (cp < 0x20 || cp == 0x7f) {
            rc = ab_buf_append(b, ctx, " ", 1);
        } else if (cp == 0xfffd && n == 1) {
            rc = ab_buf_append(b, ctx, "\xef\xbf\xbd", 3);
        } else {
            rc = ab_buf_append(b, ctx, s, n);
        }
        s += n;
    }
    return rc;
}

static int put_edge(ab_buf *b, ab_ctx *ctx, const char *from, const char *to, uint64_t count,
                    const ab_dfg_stats *dur, uint64_t max, int artificial)
{
    int rc = AB_OK;
    double t = ab__dfg_scale(count, max);
    char color[8];
    ab__dfg_color(t, color);
    P("  %s -> %s [label=\"%llu", from, to, (unsigned long long)count);
    if (dur != NULL && dur->count > 0) {
        char h[32];
        ab__dfg_human_duration(dur->median, h, sizeof(h));
        P("\\n%s", h);
    }
    P("\", penwidth=%.2f, color=\"%s\", fontcolor=\"#404040\"%s];\n", 1.0 + 5.0 * t, color,
      artificial ? ", style=dashed" : "");
    return rc;
}

int ab_dfg_write_dot(ab_buf *b, const ab_dfg *d)
{
    ab_ctx *ctx = d->ctx;
    int rc = AB_OK;
    uint64_t max_events = 0, max_count = 0;
    for (uint32_t i = 0; i < d->n_acts; i++) {
        max_events = d->acts[i].events > max_events ? d->acts[i].events : max_events;
    }
    for (uint32_t i = 0; i < d->n_edges; i++) {
        max_count = d->edges[i].count > max_count ? d->edges[i].count : max_count;
    }
    for (uint32_t i = 0; i < d->n_starts; i++) {
        max_count = d->starts[i].count > max_count ? d->starts[i].count : max_count;
    }
    for (uint32_t i = 0; i < d->n_ends; i++) {
        max_count = d->ends[i].count > max_count ? d->ends[i].count : max_count;
    }
    P("digraph dfg {\n");
    P("  graph [rankdir=TB, fontname=\"Helvetica\", nodesep=0.35, ranksep=0.45, "
      "label=\"%llu cases, %llu events\", labelloc=t, fontsize=12];\n",
      (unsigned long long)d->info.cases, (unsigned long long)d->info.events);
    P("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11, "
      "color=\"#08306b\"];\n");
    P("  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");
    P("  start [shape=circle, label=\"\", width=0.25, fixedsize=true, fillcolor=\"#2e7d32\", "
      "color=\"#2e7d32\", tooltip=\"start\"];\n");
    P("  end [shape=doublecircle, label=\"\", width=0.2, fixedsize=true, fillcolor=\"#c62828\", "
      "color=\"#c62828\", tooltip=\"end\"];\n");
    for (uint32_t i = 0; i < d->n_acts && rc == AB_OK; i++) {
        const ab_dfg_activity *a = &d->acts[i];
        double t = ab__dfg_scale(a->events, max_events);
        char fill[8];
        ab__dfg_color(t * 0.85, fill);
        P("  n%u [label=\"", i);
        if (rc == AB_OK) {
            rc = put_dot_text(b, ctx, a->name);
        }
        P("\\n%llu\", fillcolor=\"%s\", fontcolor=\"%s\"", (unsigned long long)a->events, fill,
          t * 0.85 > 0.55 ? "#ffffff" : "#000000");
        if (a->service.count > 0) {
            char h[32];
            ab__dfg_human_duration(a->service.median, h, sizeof(h));
            P(", tooltip=\"median service time %s\"", h);
        }
        P("];\n");
    }
    char from[24], to[24];
    for (uint32_t i = 0; i < d->n_starts && rc == AB_OK; i++) {
        snprintf(to, sizeof(to), "n%u", d->starts[i].activity);
        rc = put_edge(b, ctx, "start", to, d->starts[i].count, NULL, max_count, 1);
    }
    for (uint32_t i = 0; i < d->n_edges && rc == AB_OK; i++) {
        const ab_dfg_edge *e = &d->edges[d->edge_by_pair[i]];
        snprintf(from, sizeof(from), "n%u", e->from);
        snprintf(to, sizeof(to), "n%u", e->to);
        rc = put_edge(b, ctx, from, to, e->count, &e->duration, max_count, 0);
    }
    for (uint32_t i = 0; i < d->n_ends && rc == AB_OK; i++) {
        snprintf(from, sizeof(from), "n%u", d->ends[i].activity);
        rc = put_edge(b, ctx, from, "end", d->ends[i].count, NULL, max_count, 1);
    }
    P("}\n");
    return rc;
}
