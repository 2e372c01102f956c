/*
 * who/who_sod.c: segregation of duties. The pairs file, its expansion over
 * a log's activity names (globs give every concrete pair of distinct
 * activities, each listed once), the per-case check that one resource did
 * both steps of a pair (shared by `diff` and `stats --sod`), and the
 * four-eyes counts of a whole log.
 */
#include "who/who_int.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

typedef struct rules_load {
    ab_sod_rules *r;
    const char *path;
    uint32_t cap;
} rules_load;

static int rule_line(const char **f, int n, uint64_t line, void *payload, ab_error *err)
{
    rules_load *L = payload;
    ab_sod_rules *r = L->r;
    if (n != 2 || f[0][0] == '\0' || f[1][0] == '\0') {
        return ab__error(err, AB_EPARSE, L->path, line, 0,
                         "expected two activity names 'A,B' (got %d field%s)", n,
                         n == 1 ? "" : "s");
    }
    if (r->count == L->cap) {
        uint32_t cap = L->cap ? L->cap * 2 : 16;
        char **a = ab__realloc(r->ctx, r->a, sizeof(char *) * cap);
        if (a != NULL) {
            r->a = a;
        }
        char **b = ab__realloc(r->ctx, r->b, sizeof(char *) * cap);
        if (b != NULL) {
            r->b = b;
        }
        char **t = ab__realloc(r->ctx, r->text, sizeof(char *) * cap);
        if (t != NULL) {
            r->text = t;
        }
        uint64_t *l = ab__realloc(r->ctx, r->line, sizeof(uint64_t) * cap);
        if (l != NULL) {
            r->line = l;
        }
        if (a == NULL || b == NULL || t == NULL || l == NULL) {
            return ab__error(err, AB_ENOMEM, L->path, line, 0, "out of memory");
        }
        L->cap = cap;
    }
    size_t la = strlen(f[0]), lb = strlen(f[1]);
    char *a = ab__arena_strndup(&r->arena, f[0], la);
    char *b = ab__arena_strndup(&r->arena, f[1], lb);
    char *t = ab__arena_alloc(&r->arena, la + lb + 2);
    if (a == NULL || b == NULL || t == NULL) {
        return ab__error(err, AB_ENOMEM, L->path, line, 0, "out of memory");
    }
    memcpy(t, a, la);
    t[la] = ',';
    memcpy(t + la + 1, b, lb + 1);
    r->a[r->count] = a;
    r->b[r->count] = b;
    r->text[r->count] = t;
    r->line[r->count] = line;
    r->count++;
    return AB_OK;
}

int ab_sod_read(ab_sod_rules **out, ab_ctx *ctx, const char *path, ab_error *err)
{
    *out = NULL;
    ab_sod_rules *r = ab__calloc(ctx, 1, sizeof(*r));
    if (r == NULL) {
        return ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
    }
    r->ctx = ctx;
    ab__arena_init(&r->arena, ctx, 4096);
    rules_load L = {r, path, 0};
    int rc = ab__who_read_csv(ctx, path, "segregation-of-duties file", rule_line, &L, err);
    if (rc != AB_OK) {
        ab_sod_destroy(r);
        return rc;
    }
    *out = r;
    return AB_OK;
}

void ab_sod_destroy(ab_sod_rules *r)
{
    if (r == NULL) {
        return;
    }
    ab__free(r->ctx, r->a);
    ab__free(r->ctx, r->b);
    ab__free(r->ctx, r->text);
    ab__free(r->ctx, r->line);
    ab__arena_finish(&r->arena);
    ab__free(r->ctx, r);
}

uint32_t ab_sod_rule_count(const ab_sod_rules *r)
{
    return r != NULL ? r->count : 0;
}

const char *ab_sod_rule_text(const ab_sod_rules *r, uint32_t i)
{
    return r != NULL && i < r->count ? r->text[i] : NULL;
}

int ab__who_glob_list(const char *list, const char *name)
{
    if (list == NULL || name == NULL) {
        return 0;
    }
    char pat[512];
    const char *p = list;
    while (*p != '\0') {
        const char *e = strchr(p, ',');
        size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
        if (len > 0 && len < sizeof(pat)) {
            memcpy(pat, p, len);
            pat[len] = '\0';
            if (fnmatch(pat, name, 0) == 0) {
                return 1;
            }
        }
        if (e == NULL) {
            break;
        }
        p = e + 1;
    }
    return 0;
}

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

static uint64_t ukey(uint32_t a, uint32_t b)
{
    return a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
}

int ab__sod_expand_log(ab__sod_expand *x, ab_ctx *ctx, const ab_sod_rules *r, const ab_log *log)
{
    memset(x, 0, sizeof(*x));
    uint32_t na = ab_log_activity_count(log);
    const uint32_t *sorted = ab_log_activity_sorted(log);
    uint8_t *ma = ab__calloc(ctx, (size_t)na + 1, 1), *mb = ab__calloc(ctx, (size_t)na + 1, 1);
    uint32_t cap = 0;
    int rc = AB_OK;
    if (ma == NULL || mb == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    /* Pairs are few; the seen set is the sorted keys so far, searched
     * linearly only while small and rebuilt sorted at the end. */
    uint64_t *seen = NULL;
    for (uint32_t k = 0; r != NULL && k < r->count && rc == AB_OK; k++) {
        for (uint32_t i = 0; i < na; i++) {
            const char *n = ab_log_activity_name(log, i);
            ma[i] = fnmatch(r->a[k], n, 0) == 0;
            mb[i] = fnmatch(r->b[k], n, 0) == 0;
        }
        /* In byte order of the first name, then the second. */
        for (uint32_t p = 0; p < na && rc == AB_OK; p++) {
            uint32_t a = sorted[p];
            if (!ma[a]) {
                continue;
            }
            for (uint32_t q = 0; q < na; q++) {
                uint32_t b = sorted[q];
                if (!mb[b] || a == b) {
                    continue;
                }
                uint64_t key = ukey(a, b);
                int dup = 0;
                if (x->count > 0) {
                    dup = bsearch(&key, seen, x->count, sizeof(uint64_t), cmp_u64) != NULL;
                }
                if (dup) {
                    continue;
                }
                if (x->count == cap) {
                    uint32_t nc = cap ? cap * 2 : 64;
                    uint32_t *pa = ab__realloc(ctx, x->a, sizeof(uint32_t) * nc);
                    if (pa != NULL) {
                        x->a = pa;
                    }
                    uint32_t *pb = ab__realloc(ctx, x->b, sizeof(uint32_t) * nc);
                    if (pb != NULL) {
                        x->b = pb;
                    }
                    uint32_t *pr = ab__realloc(ctx, x->rule, sizeof(uint32_t) * nc);
                    if (pr != NULL) {
                        x->rule = pr;
                    }
                    uint64_t *ps = ab__realloc(ctx, seen, sizeof(uint64_t) * nc);
                    if (ps != NULL) {
                        seen = ps;
                    }
                    if (pa == NULL || pb == NULL || pr == NULL || ps == NULL) {
                        rc = AB_ENOMEM;
                        break;
                    }
                    cap = nc;
                }
                x->a[x->count] = a;
                x->b[x->count] = b;
                x->rule[x->count] = k;
                /* Insertion keeps seen sorted. */
                uint32_t pos = x->count;
                while (pos > 0 && seen[pos - 1] > key) {
                    seen[pos] = seen[pos - 1];
                    pos--;
                }
                seen[pos] = key;
                x->count++;
            }
        }
    }
    if (rc == AB_OK) {
        x->keys = seen;
        seen = NULL;
        x->key_pair = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)x->count + 1));
        if (x->key_pair == NULL) {
            rc = AB_ENOMEM;
        }
        for (uint32_t i = 0; rc == AB_OK && i < x->count; i++) {
            uint64_t key = ukey(x->a[i], x->b[i]);
            const uint64_t *hit = bsearch(&key, x->keys, x->count, sizeof(uint64_t), cmp_u64);
            x->key_pair[hit - x->keys] = i;
        }
    }
    ab__free(ctx, seen);
done:
    ab__free(ctx, ma);
    ab__free(ctx, mb);
    if (rc != AB_OK) {
        ab__sod_expand_finish(x, ctx);
    }
    return rc;
}

void ab__sod_expand_finish(ab__sod_expand *x, ab_ctx *ctx)
{
    ab__free(ctx, x->a);
    ab__free(ctx, x->b);
    ab__free(ctx, x->rule);
    ab__free(ctx, x->keys);
    ab__free(ctx, x->key_pair);
    memset(x, 0, sizeof(*x));
}

uint32_t ab__sod_find(const ab__sod_expand *x, uint32_t a, uint32_t b)
{
    if (x->count == 0 || a == b) {
        return UINT32_MAX;
    }
    uint64_t key = ukey(a, b);
    const uint64_t *hit = bsearch(&key, x->keys, x->count, sizeof(uint64_t), cmp_u64);
    return hit != NULL ? x->key_pair[hit - x->keys] : UINT32_MAX;
}

int ab__sod_case(const ab__sod_expand *x, const ab_log *log, const uint32_t *act,
                 const uint32_t *res, uint32_t n, ab__sod_work *w, ab__sod_hit_fn fn,
                 ab__sod_hit_fn fn_both, void *payload)
{
    if (x->count == 0 || n < 2) {
        return AB_OK;
    }
    if (AB_GROW(w->ctx, w->e, w->e_cap, n) != AB_OK) {
        return AB_ENOMEM;
    }
    /* Distinct (activity, resource) entries, sorted. */
    uint64_t *e = w->e;
    for (uint32_t i = 0; i < n; i++) {
        e[i] = (uint64_t)act[i] << 32 | res[i];
    }
    if (n <= 24) {
        for (uint32_t i = 1; i < n; i++) { /* Cases are short: insertion sort. */
            uint64_t v = e[i];
            uint32_t j = i;
            while (j > 0 && e[j - 1] > v) {
                e[j] = e[j - 1];
                j--;
            }
            e[j] = v;
        }
    } else {
        qsort(e, n, sizeof(uint64_t), cmp_u64);
    }
    uint32_t d = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (d == 0 || e[d - 1] != e[i]) {
            e[d++] = e[i];
        }
    }
    /* With both: each unordered pair of distinct activities done by some
     * resource, once (events without a resource do not count). */
    if (fn_both != NULL) {
        uint32_t prev_i = UINT32_MAX;
        for (uint32_t i = 0; i < d; i++) {
            uint32_t ai = (uint32_t)(e[i] >> 32);
            if ((uint32_t)e[i] == UINT32_MAX || ai == prev_i) {
                continue;
            }
            prev_i = ai;
            uint32_t prev_j = UINT32_MAX;
            for (uint32_t j = i + 1; j < d; j++) {
                uint32_t aj = (uint32_t)(e[j] >> 32);
                if (aj == ai || (uint32_t)e[j] == UINT32_MAX || aj == prev_j) {
                    continue;
                }
                prev_j = aj;
                uint32_t p = ab__sod_find(x, ai, aj);
                if (p != UINT32_MAX) {
                    fn_both(p, UINT32_MAX, payload);
                }
            }
        }
    }
    /* One resource on both sides: every (pair, resource) hit, then each
     * pair once with the smallest such resource by name. */
    size_t nh = 0;
    for (uint32_t i = 0; i < d; i++) {
        uint32_t ri = (uint32_t)e[i];
        if (ri == UINT32_MAX) {
            continue;
        }
        for (uint32_t j = i + 1; j < d; j++) {
            if ((uint32_t)e[j] != ri || (uint32_t)(e[j] >> 32) == (uint32_t)(e[i] >> 32)) {
                continue;
            }
            uint32_t p = ab__sod_find(x, (uint32_t)(e[i] >> 32), (uint32_t)(e[j] >> 32));
            if (p == UINT32_MAX) {
                continue;
            }
            if (AB_GROW(w->ctx, w->hits, w->hits_cap, nh + 1) != AB_OK) {
                return AB_ENOMEM;
            }
            w->hits[nh++] = (uint64_t)p << 32 | ri;
        }
    }
    if (nh > 1) {
        qsort(w->hits, nh, sizeof(uint64_t), cmp_u64);
    }
    for (size_t k = 0; k < nh;) {
        uint32_t p = (uint32_t)(w->hits[k] >> 32), best = (uint32_t)w->hits[k];
        for (k++; k < nh && (uint32_t)(w->hits[k] >> 32) == p; k++) {
            uint32_t r = (uint32_t)w->hits[k];
            if (strcmp(ab_log_resource_name(log, r), ab_log_resource_name(log, best)) < 0) {
                best = r;
            }
        }
        fn(p, best, payload);
    }
    return AB_OK;
}

void ab__sod_work_finish(ab__sod_work *w)
{
    ab__free(w->ctx, w->e);
    ab__free(w->ctx, w->hits);
    w->e = w->hits = NULL;
    w->e_cap = w->hits_cap = 0;
}

struct ab_sod_counts {
    ab_ctx *ctx;
    ab_sod_pair *pairs;
    uint32_t count;
};

static void count_same(uint32_t pair, uint32_t resource, void *payload)
{
    (void)resource;
    ((ab_sod_pair *)payload)[pair].same_resource++;
}

static void count_both(uint32_t pair, uint32_t resource, void *payload)
{
    (void)resource;
    ((ab_sod_pair *)payload)[pair].with_both++;
}

int ab_sod_count(ab_sod_counts **out, ab_ctx *ctx, const ab_sod_rules *rules, const ab_log *log,
                 ab_error *err)
{
    *out = NULL;
    ab__sod_expand x;
    if (ab__sod_expand_log(&x, ctx, rules, log) != AB_OK) {
        return ab__error(err, AB_ENOMEM, "sod", 0, 0, "out of memory");
    }
    ab_sod_counts *c = ab__calloc(ctx, 1, sizeof(*c));
    ab__sod_work w = {ctx, NULL, NULL, 0, 0};
    if (c == NULL ||
        (c->pairs = ab__calloc(ctx, (size_t)x.count + 1, sizeof(ab_sod_pair))) == NULL) {
        ab__free(ctx, c);
        ab__sod_expand_finish(&x, ctx);
        return ab__error(err, AB_ENOMEM, "sod", 0, 0, "out of memory");
    }
    c->ctx = ctx;
    c->count = x.count;
    for (uint32_t i = 0; i < x.count; i++) {
        ab_sod_pair *p = &c->pairs[i];
        p->a_id = x.a[i];
        p->b_id = x.b[i];
        p->a = ab_log_activity_name(log, x.a[i]);
        p->b = ab_log_activity_name(log, x.b[i]);
        p->rule = x.rule[i];
    }
    const uint32_t *act = ab_log_col_activity(log), *res = ab_log_col_resource(log);
    int rc = AB_OK;
    for (uint32_t k = 0; k < ab_log_case_count(log) && rc == AB_OK; k++) {
        uint64_t first = ab_log_case_first(log, k);
        rc = ab__sod_case(&x, log, act + first, res + first, ab_log_case_length(log, k), &w,
                          count_same, count_both, c->pairs);
    }
    ab__sod_work_finish(&w);
    ab__sod_expand_finish(&x, ctx);
    if (rc != AB_OK) {
        ab_sod_counts_destroy(c);
        return ab__error(err, rc, "sod", 0, 0, "out of memory");
    }
    *out = c;
    return AB_OK;
}

void ab_sod_counts_destroy(ab_sod_counts *c)
{
    if (c != NULL) {
        ab__free(c->ctx, c->pairs);
        ab__free(c->ctx, c);
    }
}

uint32_t ab_sod_pair_count(const ab_sod_counts *c)
{
    return c != NULL ? c->count : 0;
}

const ab_sod_pair *ab_sod_pair_at(const ab_sod_counts *c, uint32_t i)
{
    return c != NULL && i < c->count ? &c->pairs[i] : NULL;
}
