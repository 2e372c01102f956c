/*
 * tools/mpi_part.c: asbuilt-mpi's use of the mergeable partials
 * (asbuilt/partial.h): a log's cases by owning rank, and the merge of the
 * partials a rank received, in the order of the ranks that sent them (input
 * order, so that a case split across ranks gets its events in input order).
 */
#include "mpi_part.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/partial.h"

int mpi_take_buf(mpi_bytes *out, ab_buf *b)
{
    out->ptr = NULL;
    out->len = b->len;
    if (b->len > 0) {
        out->ptr = malloc(b->len);
        if (out->ptr == NULL) {
            out->len = 0;
            ab_buf_dispose(b);
            return AB_ENOMEM;
        }
        memcpy(out->ptr, b->ptr, b->len);
    }
    ab_buf_dispose(b);
    return AB_OK;
}

int mpi_part_write(mpi_bytes *out, ab_ctx *ctx, const ab_log *log, const ab_read_options *ro,
                   int owner, int ranks, int facts_to, ab_error *err)
{
    ab_buf b = AB_BUF_INIT;
    out->ptr = NULL;
    out->len = 0;
    int rc;
    if (owner < 0) {
        rc = ab_partial_write(&b, ctx, log, ro, NULL, NULL, err);
    } else {
        uint32_t n = ab_log_case_count(log), k = 0;
        uint32_t *cases = malloc(sizeof(uint32_t) * ((size_t)n + 1));
        if (cases == NULL) {
            return AB_ENOMEM;
        }
        for (uint32_t c = 0; c < n; c++) {
            const char *id = ab_log_case_id(log, c);
            if (ab_partial_case_rank(id, strlen(id), (uint32_t)ranks) == (uint32_t)owner) {
                cases[k++] = c;
            }
        }
        /* An empty partial carries nothing, unless it carries the log's facts. */
        rc = k == 0 && owner != facts_to
                 ? AB_OK
                 : ab_partial_write_cases(&b, ctx, log, ro, cases, k, owner == facts_to, err);
        free(cases);
    }
    if (rc != AB_OK) {
        ab_buf_dispose(&b);
        return rc;
    }
    return mpi_take_buf(out, &b);
}

int mpi_part_merge(ab_log **out, ab_ctx *ctx, mpi_bytes *parts, int n, const ab_read_options *ro,
                   ab_error *err)
{
    *out = NULL;
    ab_partial **open = calloc((size_t)n + 1, sizeof(*open));
    if (open == NULL) {
        return AB_ENOMEM;
    }
    size_t k = 0;
    int rc = AB_OK;
    for (int i = 0; i < n && rc == AB_OK; i++) {
        if (parts[i].len == 0) {
            continue;
        }
        char name[48];
        snprintf(name, sizeof(name), "<partial from rank %d>", i);
        rc = ab_partial_open_memory(&open[k], ctx, parts[i].ptr, (size_t)parts[i].len, name, err);
        k += rc == AB_OK;
        free(parts[i].ptr); /* Opened as a copy. */
        parts[i].ptr = NULL;
        parts[i].len = 0;
    }
    if (rc == AB_OK && k > 0) {
        rc = ab_partial_merge(out, ctx, (const ab_partial *const *)open, k, &ro->log, err);
    }
    for (size_t i = 0; i < k; i++) {
        ab_partial_destroy(open[i]);
    }
    free(open);
    return rc;
}
