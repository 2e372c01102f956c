/*
 * core/ctx.c: the context (allocator hooks, limits, diagnostics) and the
 * allocation wrappers that all of engine/ goes through. Creating a context
 * also sets igraph's error handler to "ignore", so that igraph reports
 * failures as return codes instead of aborting the process.
 */
#include "core/core_int.h"

#include <stdio.h>
#include <stdlib.h>

#include <igraph.h>

static void *libc_malloc(size_t n, void *payload)
{
    (void)payload;
    return malloc(n);
}

static void *libc_realloc(void *p, size_t n, void *payload)
{
    (void)payload;
    return realloc(p, n);
}

static void libc_free(void *p, void *payload)
{
    (void)payload;
    free(p);
}

static void igraph_warning_silent(const char *reason, const char *file, int line)
{
    (void)reason;
    (void)file;
    (void)line;
}

int ab_ctx_create(ab_ctx **out, const ab_ctx_options *opts)
{
    ab_ctx_options defaults = AB_CTX_OPTIONS_INIT;
    if (out == NULL) {
        return AB_EINVAL;
    }
    *out = NULL;
    if (opts == NULL) {
        opts = &defaults;
    }
    if (opts->version != AB_CTX_OPTIONS_VERSION) {
        return AB_EINVAL;
    }
    int hooks = (opts->alloc.malloc_fn != NULL) + (opts->alloc.realloc_fn != NULL) +
                (opts->alloc.free_fn != NULL);
    if (hooks != 0 && hooks != 3) {
        return AB_EINVAL;
    }
    ab_allocator alloc = opts->alloc;
    if (hooks == 0) {
        alloc.malloc_fn = libc_malloc;
        alloc.realloc_fn = libc_realloc;
        alloc.free_fn = libc_free;
        alloc.payload = NULL;
    }
    ab_ctx *ctx = alloc.malloc_fn(sizeof(*ctx), alloc.payload);
    if (ctx == NULL) {
        return AB_ENOMEM;
    }
    memset(ctx, 0, sizeof(*ctx));
    ctx->alloc = alloc;
    ctx->limits = opts->limits;
    if (ctx->limits.max_field_len == 0) {
        ctx->limits.max_field_len = (size_t)16 << 20;
    }
    if (ctx->limits.max_attrs == 0) {
        ctx->limits.max_attrs = 4096;
    }
    if (ctx->limits.max_depth == 0) {
        ctx->limits.max_depth = 256;
    }
    if (ctx->limits.max_events == 0) {
        ctx->limits.max_events = 4000000000u;
    }
    ctx->diag = opts->diag;
    ctx->diag_payload = opts->diag_payload;
    ctx->zlib_inflate = false;
    /* Process-wide but idempotent; see the header. */
    igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_set_warning_handler(igraph_warning_silent);
    *out = ctx;
    return AB_OK;
}

void ab_ctx_destroy(ab_ctx *ctx)
{
    if (ctx != NULL) {
        ctx->alloc.free_fn(ctx, ctx->alloc.payload);
    }
}

const ab_limits *ab_ctx_limits(const ab_ctx *ctx)
{
    return &ctx->limits;
}

void ab_ctx_diag(ab_ctx *ctx, int level, const char *fmt, ...)
{
    if (ctx == NULL || ctx->diag == NULL) {
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ctx->diag(level, msg, ctx->diag_payload);
}

void *ab__malloc(ab_ctx *ctx, size_t n)
{
    return ctx->alloc.malloc_fn(n == 0 ? 1 : n, ctx->alloc.payload);
}

void *ab__calloc(ab_ctx *ctx, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        return NULL;
    }
    void *p = ab__malloc(ctx, count * size);
    if (p != NULL) {
        memset(p, 0, count * size);
    }
    return p;
}

void *ab__realloc(ab_ctx *ctx, void *p, size_t n)
{
    return ctx->alloc.realloc_fn(p, n == 0 ? 1 : n, ctx->alloc.payload);
}

void ab__free(ab_ctx *ctx, void *p)
{
    if (p != NULL) {
        ctx->alloc.free_fn(p, ctx->alloc.payload);
    }
}

char *ab__strndup(ab_ctx *ctx, const char *s, size_t n)
{
    char *p = ab__malloc(ctx, n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *ab__strdup(ab_ctx *ctx, const char *s)
{
    return ab__strndup(ctx, s, strlen(s));
}

int ab__grow(ab_ctx *ctx, void **ptr, size_t *cap, size_t need, size_t elem)
{
    return ab__grow_from(ctx, ptr, cap, need, elem, 16);
}

int ab__grow_from(ab_ctx *ctx, void **ptr, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap) {
        return AB_OK;
    }
    size_t ncap = *cap < first ? first : *cap + *cap / 2;
    if (ncap < need) {
        ncap = need;
    }
    if (ncap > SIZE_MAX / elem) {
        return AB_ENOMEM;
    }
    void *p = ab__realloc(ctx, *ptr, ncap * elem);
    if (p == NULL) {
        return AB_ENOMEM;
    }
    *ptr = p;
    *cap = ncap;
    return AB_OK;
}

void ab__ctx_use_zlib(ab_ctx *ctx, bool on)
{
    ctx->zlib_inflate = on;
}

bool ab__have_isal(void)
{
#ifdef AB_HAVE_ISAL
    return true;
#else
    return false;
#endif
}
