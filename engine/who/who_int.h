/*
 * who/who_int.h: the resource perspective inside the engine: the small CSV
 * files it reads (roles, lanes to roles, segregation-of-duties pairs), the
 * expansion of the pairs over a log's activities, and the per-case checks
 * the gap runs (who_gap.c), with their results kept for the writers.
 */
#ifndef AB_WHO_INT_H
#define AB_WHO_INT_H

#include "asbuilt/who.h"
#include "core/core_int.h"

/* ---- Small CSV files (who_files.c) ---- */

/* Calls fn for every data line of a CSV file: fields split on ',' (or ';' or
 * TAB), double quotes with "" for a quote, trimmed; blank lines and lines
 * starting with '#' skipped. fn returns AB_OK or an error already filled.
 * what names the file's kind in messages ("roles file"). */
typedef int (*ab__who_line_fn)(const char **fields, int count, uint64_t line, void *payload,
                               ab_error *err);
int ab__who_read_csv(ab_ctx *ctx, const char *path, const char *what, ab__who_line_fn fn,
                     void *payload, ab_error *err);

/* ---- Segregation of duties (who_sod.c) ---- */

struct ab_sod_rules {
    ab_ctx *ctx;
    ab__arena arena;
    uint32_t count;
    char **a, **b, **text;
    uint64_t *line;
};

/* Concrete pairs of distinct activities over a log, looked up by an
 * unordered key. */
typedef struct ab__sod_expand {
    uint32_t count;
    uint32_t *a, *b, *rule; /* Per pair. */
    uint64_t *keys;         /* Sorted (min << 32 | max). */
    uint32_t *key_pair;     /* Pair of each key. */
} ab__sod_expand;

int ab__sod_expand_log(ab__sod_expand *x, ab_ctx *ctx, const ab_sod_rules *r, const ab_log *log);
void ab__sod_expand_finish(ab__sod_expand *x, ab_ctx *ctx);
/* The pair of two activities (either order), or UINT32_MAX. */
uint32_t ab__sod_find(const ab__sod_expand *x, uint32_t a, uint32_t b);

/* Work space of ab__sod_case, grown as needed. */
typedef struct ab__sod_work {
    ab_ctx *ctx;
    uint64_t *e, *hits;
    size_t e_cap, hits_cap;
} ab__sod_work;
void ab__sod_work_finish(ab__sod_work *w);

/* One case's events: activities and resources (UINT32_MAX = none). The
 * pairs that one resource did both of go to fn (pair, the smallest such
 * resource in byte order), in pair order; the pairs whose two activities
 * were both done by some resource go to fn_both, when not NULL. AB_OK or
 * AB_ENOMEM. */
typedef void (*ab__sod_hit_fn)(uint32_t pair, uint32_t resource, void *payload);
int ab__sod_case(const ab__sod_expand *x, const ab_log *log, const uint32_t *act,
                 const uint32_t *res, uint32_t n, ab__sod_work *w, ab__sod_hit_fn fn,
                 ab__sod_hit_fn fn_both, void *payload);

/* Whether a name matches a comma-separated list of names or globs. */
int ab__who_glob_list(const char *list, const char *name);

#endif
