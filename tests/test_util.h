/*
 * tests/test_util.h: small helpers shared by the cmocka test programs: paths
 * of the shared data, reading a file, and a context whose allocator fails on
 * the Nth allocation (fault injection).
 */
#ifndef AB_TEST_UTIL_H
#define AB_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "asbuilt/core.h"

/* $AB_SHARED_DATA/<rel> (static buffer; copy if you keep it). */
const char *tu_shared(const char *rel);
/* $AB_TESTDATA/<rel>. */
const char *tu_testdata(const char *rel);
/* $AB_DATASETS/<rel>. */
const char *tu_datasets(const char *rel);
/* Non-zero when the file exists. */
int tu_exists(const char *path);
/* Writes data to a new temporary file and returns its path (static buffer per call slot 0..7). */
const char *tu_tmpfile(const void *data, size_t len, const char *suffix);

/* A context with counting allocator; fail_at = N makes the Nth allocation (1-based) fail, 0 = never. */
typedef struct tu_alloc {
    uint64_t count;      /* Allocations made so far. */
    uint64_t fail_at;    /* Allocation number that fails, 0 = none. */
    int64_t live;        /* Live allocations (must be 0 at the end). */
    uint64_t failed;     /* How many allocations failed. */
} tu_alloc;

ab_ctx *tu_ctx_counting(tu_alloc *a);
ab_ctx *tu_ctx(void);

#endif
