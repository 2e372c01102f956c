/*
 * discover/discover_handover.c: the handover-of-work network (PM4Py's
 * discover_handover_of_work_network with beta = 0): directed pairs of the
 * resources of directly consecutive events of a case, after the events
 * without a resource are left out, self-pairs included, with PM4Py's value
 * (the count over all consecutive pairs). Written as JSON, CSV or dot.
 */
#include "core/core_int.h"
#include "who/who_int.h"

#include <stdlib.h>
#include <string.h>

struct ab_handover {
    ab_ctx *ctx;
    const ab_log *log;
    uint64_t total;
    ab_handover_pair *pairs;
    uint32_t count;
};

typedef struct hkey {
    uint64_t key;
    uint64_t count;
} hkey;

static int cmp_key(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

static int cmp_pair(const void *pa, const void *pb)
{
    const ab_handover_pair *a = pa, *b = pb;
    if (a->count != b->count) {
        return a->count > b->count ? -1 : 1;
    }
    int c = strcmp(a->from, b->from);
    return c != 0 ? c : strcmp(a->to, b->to);
}

int ab_handover_compute(ab_handover **out, ab_ctx *ctx, const ab_log *log, ab_error *err)
{
    *out = NULL;
    ab_handover *h = ab__calloc(ctx, 1, sizeof(*h));
    uint64_t n = ab_log_event_count(log);
    uint64_t *keys = ab__malloc(ctx, sizeof(uint64_t) * (n + 1));
    if (h == NULL || keys == NULL) {
        ab__free(ctx, h);
        ab__free(ctx, keys);
        return ab__error(err, AB_ENOMEM, "handover", 0, 0, "out of memory");
    }
    h->ctx = ctx;
    h->log = log;
    const uint32_t *res = ab_log_col_resource(log);
    uint64_t m = 0;
    for (uint32_t c = 0; c < ab_log_case_count(log); c++) {
        uint64_t first = ab_log_case_first(log, c);
        uint32_t len = ab_log_case_length(log, c), prev = UINT32_MAX;
        for (uint32_t i = 0; i < len; i++) {
            uint32_t r = res[first + i];
            if (r == UINT32_MAX) {
                continue;
            }
            if (prev != UINT32_MAX) {
                keys[m++] = (uint64_t)prev << 32 | r;
            }
            prev = r;
        }
    }
    h->total = m;
    qsort(keys, m, sizeof(uint64_t), cmp_key);
    uint32_t d = 0;
    for (uint64_t i = 0; i < m; i++) {
        d += i == 0 || keys[i] != keys[i - 1];
    }
    h->pairs = ab__calloc(ctx, (size_t)d + 1, sizeof(ab_handover_pair));
    if (h->pairs == NULL) {
        ab__free(ctx, keys);
        ab_handover_destroy(h);
        return ab__error(err, AB_ENOMEM, "handover", 0, 0, "out of memory");
    }
    for (uint64_t i = 0; i < m; i++) {
        if (i == 0 || keys[i] != keys[i - 1]) {
            ab_handover_pair *p = &h->pairs[h->count++];
            p->from = ab_log_resource_name(log, (uint32_t)(keys[i] >> 32));
            p->to = ab_log_resource_name(log, (uint32_t)keys[i]);
        }
        h->pairs[h->count - 1].count++;
    }
    ab__free(ctx, keys);
    qsort(h->pairs, h->count, sizeof(ab_handover_pair), cmp_pair);
    *out = h;
    return AB_OK;
}

void ab_handover_destroy(ab_handover *h)
{
    if (h != NULL) {
        ab__free(h->ctx, h->pairs);
        ab__free(h->ctx, h);
    }
}

uint64_t ab_handover_total(const ab_handover *h)
{
    return h->total;
}

uint32_t ab_handover_pair_count(const ab_handover *h)
{
    return h->count;
}

const ab_handover_pair *ab_handover_pair_at(const ab_handover *h, uint32_t i)
{
    return i < h->count ? &h->pairs[i] : NULL;
}

static double value(const ab_handover *h, const ab_handover_pair *p)
{
    return h->total > 0 ? (double)p->count / (double)h->total : 0;
}

int ab_handover_write_json(const ab_handover *h, ab_buf *buf, ab_ctx *ctx)
{
    int rc = ab_buf_printf(buf, ctx,
                           "{\n  \"schema\": \"asbuilt.handover/1\",\n  \"total_pairs\": %llu,\n"
                           "  \"resources\": %u,\n  \"pairs\": [",
                           (unsigned long long)h->total, ab_log_resource_count(h->log));
    for (uint32_t i = 0; rc == AB_OK && i < h->count; i++) {
        const ab_handover_pair *p = &h->pairs[i];
        rc = ab_buf_printf(buf, ctx, "%s\n    {\"from\": ", i ? "," : "");
        rc = rc == AB_OK ? ab_buf_append_json_string(buf, ctx, p->from) : rc;
        rc = rc == AB_OK ? ab_buf_printf(buf, ctx, ", \"to\": ") : rc;
        rc = rc == AB_OK ? ab_buf_append_json_string(buf, ctx, p->to) : rc;
        rc = rc == AB_OK ? ab_buf_printf(buf, ctx, ", \"count\": %llu, \"value\": %.17g}",
                                         (unsigned long long)p->count, value(h, p))
                         : rc;
    }
    return rc == AB_OK ? ab_buf_printf(buf, ctx, "%s]\n}\n", h->count ? "\n  " : "") : rc;
}

/* A CSV field, quoted when it needs to be. */
static int csv_field(ab_buf *buf, ab_ctx *ctx, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        return ab_buf_append(buf, ctx, s, strlen(s));
    }
    int rc = ab_buf_append(buf, ctx, "\"", 1);
    for (const char *p = s; rc == AB_OK && *p; p++) {
        rc = ab_buf_append(buf, ctx, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
    }
    return rc == AB_OK ? ab_buf_append(buf, ctx, "\"", 1) : rc;
}

int ab_handover_write_csv(const ab_handover *h, ab_buf *buf, ab_ctx *ctx)
{
    int rc = ab_buf_printf(buf, ctx, "from,to,count,value\n");
    for (uint32_t i = 0; rc == AB_OK && i < h->count; i++) {
        const ab_handover_pair *p = &h->pairs[i];
        rc = csv_field(buf, ctx, p->from);
        rc = rc == AB_OK ? ab_buf_append(buf, ctx, ",", 1) : rc;
        rc = rc == AB_OK ? csv_field(buf, ctx, p->to) : rc;
        rc = rc == AB_OK ? ab_buf_printf(buf, ctx, ",%llu,%.17g\n", (unsigned long long)p->count,
                                         value(h, p))
                         : rc;
    }
    return rc;
}

/* A dot string: quotes and backslashes escaped. */
static int dot_str(ab_buf *buf, ab_ctx *ctx, const char *s)
{
    int rc = ab_buf_append(buf, ctx, "\"", 1);
    for (const char *p = s; rc == AB_OK && *p; p++) {
        if (*p == '"' || *p == '\\') {
            rc = ab_buf_append(buf, ctx, "\\", 1);
        }
        rc = rc == AB_OK ? ab_buf_append(buf, ctx, p, *p == '\n' ? 0 : 1) : rc;
    }
    return rc == AB_OK ? ab_buf_append(buf, ctx, "\"", 1) : rc;
}

int ab_handover_write_dot(const ab_handover *h, ab_buf *buf, ab_ctx *ctx)
{
    int rc = ab_buf_printf(buf, ctx, "digraph handover {\n  node [shape=box];\n");
    for (uint32_t i = 0; rc == AB_OK && i < h->count; i++) {
        const ab_handover_pair *p = &h->pairs[i];
        rc = ab_buf_append(buf, ctx, "  ", 2);
        rc = rc == AB_OK ? dot_str(buf, ctx, p->from) : rc;
        rc = rc == AB_OK ? ab_buf_append(buf, ctx, " -> ", 4) : rc;
        rc = rc == AB_OK ? dot_str(buf, ctx, p->to) : rc;
        rc = rc == AB_OK
                 ? ab_buf_printf(buf, ctx, " [label=\"%llu\"];\n", (unsigned long long)p->count)
                 : rc;
    }
    return rc == AB_OK ? ab_buf_printf(buf, ctx, "}\n") : rc;
}
