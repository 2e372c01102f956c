/*
 * tests/test_util.c: helpers shared by the test programs (see test_util.h).
 * The counting allocator keeps a header before each block so it can track
 * live allocations across realloc and free.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *env_path(const char *var, const char *fallback, const char *rel, int slot)
{
    static char bufs[4][4096];
    const char *base = getenv(var);
    if (base == NULL || *base == '\0') {
        base = fallback;
    }
    snprintf(bufs[slot], sizeof(bufs[slot]), "%s/%s", base, rel);
    return bufs[slot];
}

const char *tu_shared(const char *rel)
{
    return env_path("AB_SHARED_DATA", "/work/shared/data", rel, 0);
}

const char *tu_testdata(const char *rel)
{
    return env_path("AB_TESTDATA", "tests/data", rel, 1);
}

const char *tu_datasets(const char *rel)
{
    return env_path("AB_DATASETS", "datasets", rel, 2);
}

int tu_exists(const char *path)
{
    return access(path, R_OK) == 0;
}

const char *tu_tmpfile(const void *data, size_t len, const char *suffix)
{
    static char paths[8][256];
    static unsigned next;
    char *p = paths[next++ % 8];
    const char *dir = getenv("TMPDIR");
    snprintf(p, 256, "%s/abtest-%ld-%u%s", dir ? dir : "/tmp", (long)getpid(), next,
             suffix ? suffix : "");
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    if (len > 0) {
        assert_int_equal(fwrite(data, 1, len, f), len);
    }
    assert_int_equal(fclose(f), 0);
    return p;
}

typedef struct {
    size_t size;
    size_t pad;
} hdr;

static void *tu_malloc(size_t n, void *payload)
{
    tu_alloc *a = payload;
    a->count++;
    if (a->fail_at != 0 && a->count == a->fail_at) {
        a->failed++;
        return NULL;
    }
    hdr *h = malloc(sizeof(hdr) + n);
    if (h == NULL) {
        return NULL;
    }
    h->size = n;
    a->live++;
    return h + 1;
}

static void *tu_realloc(void *p, size_t n, void *payload)
{
    tu_alloc *a = payload;
    if (p == NULL) {
        return tu_malloc(n, payload);
    }
    a->count++;
    if (a->fail_at != 0 && a->count == a->fail_at) {
        a->failed++;
        return NULL;
    }
    hdr *h = realloc((hdr *)p - 1, sizeof(hdr) + n);
    if (h == NULL) {
        return NULL;
    }
    h->size = n;
    return h + 1;
}

static void tu_free(void *p, void *payload)
{
    tu_alloc *a = payload;
    if (p != NULL) {
        a->live--;
        free((hdr *)p - 1);
    }
}

ab_ctx *tu_ctx_counting(tu_alloc *a)
{
    ab_ctx_options o = AB_CTX_OPTIONS_INIT;
    o.alloc.malloc_fn = tu_malloc;
    o.alloc.realloc_fn = tu_realloc;
    o.alloc.free_fn = tu_free;
    o.alloc.payload = a;
    ab_ctx *ctx = NULL;
    /* The context's own allocation is not part of the run under test. */
    uint64_t keep = a->fail_at;
    a->fail_at = 0;
    int rc = ab_ctx_create(&ctx, &o);
    a->count = 0;
    a->fail_at = keep;
    assert_int_equal(rc, AB_OK);
    return ctx;
}

ab_ctx *tu_ctx(void)
{
    ab_ctx *ctx = NULL;
    assert_int_equal(ab_ctx_create(&ctx, NULL), AB_OK);
    return ctx;
}
