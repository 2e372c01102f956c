/*
 * core/core_int.h: the engine's internal toolkit: allocation through the
 * context, error helpers, arenas, string interning and growable arrays.
 * Every allocation in engine/ goes through ab__malloc & co., never plain
 * malloc, so tests can fail the Nth allocation and the caller's hooks see all.
 */
#ifndef AB_CORE_INT_H
#define AB_CORE_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "asbuilt/core.h"

#define AB__PRINTF(a, b) __attribute__((format(printf, a, b)))
/* Keeps a rarely taken branch out of a hot caller, which then saves fewer registers. */
#define AB__NOINLINE __attribute__((noinline))
/* A condition that is almost never true (lets the compiler lay out the usual path as hot). */
#define AB__UNLIKELY(x) __builtin_expect(!!(x), 0)
/* Folds a small hot helper into its caller even where the compiler would not. */
#define AB__ALWAYS_INLINE inline __attribute__((always_inline))

/*
 * memcmp(a, b, n) == 0 for the short strings of logs (names, ids, codes)
 * without a call: up to 16 bytes are read as two possibly overlapping words.
 */
static inline bool ab__same_bytes(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    if (n >= 8 && n <= 16) {
        uint64_t x0, x1, y0, y1;
        memcpy(&x0, x, 8);
        memcpy(&y0, y, 8);
        memcpy(&x1, x + n - 8, 8);
        memcpy(&y1, y + n - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n >= 4 && n < 8) {
        uint32_t x0, x1, y0, y1;
        memcpy(&x0, x, 4);
        memcpy(&y0, y, 4);
        memcpy(&x1, x + n - 4, 4);
        memcpy(&y1, y + n - 4, 4);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n < 4) {
        return n == 0 || (x[0] == y[0] && x[n >> 1] == y[n >> 1] && x[n - 1] == y[n - 1]);
    }
    return memcmp(x, y, n) == 0;
}

struct ab_ctx {
    ab_allocator alloc; /* Hooks in force (libc's when none given). */
    ab_limits limits;   /* Limits with defaults filled in. */
    ab_diag_fn diag;    /* Diagnostics callback, or NULL. */
    void *diag_payload; /* Passed to diag. */
    bool zlib_inflate;  /* Inflate gzip with zlib even when ISA-L is built in. */
};

/* Makes inputs opened from now on inflate with zlib (tests and benchmarks
 * compare the two inflaters; both give the same bytes and errors). */
void ab__ctx_use_zlib(ab_ctx *ctx, bool on);
/* True when the build inflates with ISA-L. */
bool ab__have_isal(void);

void *ab__malloc(ab_ctx *ctx, size_t n);
void *ab__calloc(ab_ctx *ctx, size_t count, size_t size);
void *ab__realloc(ab_ctx *ctx, void *p, size_t n);
void ab__free(ab_ctx *ctx, void *p);
char *ab__strndup(ab_ctx *ctx, const char *s, size_t n);
char *ab__strdup(ab_ctx *ctx, const char *s);

/*
 * Fills err (when non-NULL) and returns code, so that error paths are one
 * line: `return ab__error(err, AB_EPARSE, name, line, col, "expected ...");`.
 * source may be NULL. line/col 0 = unknown.
 */
int ab__error(ab_error *err, int code, const char *source, uint64_t line, uint64_t col,
              const char *fmt, ...) AB__PRINTF(6, 7);
int ab__verror(ab_error *err, int code, const char *source, uint64_t line, uint64_t col,
               const char *fmt, va_list ap) AB__PRINTF(6, 0);
/* Sets the byte offset of an error already filled in. */
void ab__error_offset(ab_error *err, uint64_t offset);
/*
 * For a public function whose helpers return a status alone (out of memory,
 * mostly): it clears err on entry and returns through this, which fills err
 * with "<doing>: <status>" when the call failed and nothing filled it.
 * Returns code.
 */
int ab__error_settle(ab_error *err, int code, const char *source, const char *doing);

/* Propagate a failing status: AB_TRY(rc = f(...)); jumps to `done` with rc set. */
#define AB_TRY(expr)                                                                               \
    do {                                                                                           \
        if ((rc = (expr)) < 0) {                                                                   \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

/* ---- Arena: bump allocation, freed all at once. ---- */

typedef struct ab__arena_block ab__arena_block;
typedef struct ab__arena {
    ab_ctx *ctx;
    ab__arena_block *head; /* Current block; older blocks chain behind it. */
    size_t block_size;     /* Default block payload size, bytes. */
    size_t used_total;     /* Bytes handed out, for statistics. */
} ab__arena;

void ab__arena_init(ab__arena *a, ab_ctx *ctx, size_t block_size);
void ab__arena_finish(ab__arena *a);
/* 8-byte aligned; NULL on out of memory. */
void *ab__arena_alloc(ab__arena *a, size_t n);
char *ab__arena_strndup(ab__arena *a, const char *s, size_t n);

/* ---- String table: interning byte strings to dense uint32 ids. ---- */

typedef struct ab__strtab {
    ab_ctx *ctx;
    ab__arena arena;    /* Holds the string bytes (NUL-terminated). */
    const char **strs;  /* id -> string. */
    uint32_t *lens;     /* id -> length in bytes. */
    uint32_t count;     /* Strings interned. */
    uint32_t cap;       /* Capacity of strs/lens. */
    uint64_t *slots;    /* Open-addressing table: hash << 32 | id + 1 (0 = empty). */
    uint32_t mask;      /* slots size - 1 (power of two). */
} ab__strtab;

int ab__strtab_init(ab__strtab *t, ab_ctx *ctx);
void ab__strtab_finish(ab__strtab *t);
/* Interns s[0..len); *id_out receives the id. AB_ENOMEM or AB_ELIMIT (2^32-1 strings). */
int ab__strtab_intern(ab__strtab *t, const char *s, size_t len, uint32_t *id_out);
/* Looks up without inserting; returns AB_ENOTFOUND when absent. */
int ab__strtab_find(const ab__strtab *t, const char *s, size_t len, uint32_t *id_out);
/* Bytes the table holds (strings, arrays and slots), for memory reports. */
size_t ab__strtab_bytes(const ab__strtab *t);
static inline const char *ab__strtab_str(const ab__strtab *t, uint32_t id)
{
    return t->strs[id];
}
static inline uint32_t ab__strtab_len(const ab__strtab *t, uint32_t id)
{
    return t->lens[id];
}
/* Whether a cached id + 1 (0 = none) names s[0..len): the check of every one-entry cache. */
static inline bool ab__strtab_is(const ab__strtab *t, uint32_t id1, const char *s, size_t len)
{
    return id1 != 0 && t->lens[id1 - 1] == len && ab__same_bytes(t->strs[id1 - 1], s, len);
}
/*
 * A 64-bit key for place p of a net, for hashes of markings kept as sums
 * (the sum of ab__place_key(p) * tokens over the places changes by one
 * term when a transition fires). Odd, so a weight never cancels it.
 */
static inline uint64_t ab__place_key(uint32_t p)
{
    uint64_t z = (uint64_t)p * 0x9E3779B97F4A7C15ull + 0xD1B54A32D192ED03ull;
    z ^= z >> 31;
    z *= 0xBF58476D1CE4E5B9ull;
    z ^= z >> 29;
    return z | 1;
}

/* The slot of s in a small direct-mapped memo of `slots` entries: by length and end bytes. */
static inline size_t ab__memo_slot(const char *s, size_t len, size_t slots)
{
    return len == 0 ? 0
                    : (len * 7u + (unsigned char)s[0] * 31u + (unsigned char)s[len - 1]) % slots;
}
uint32_t ab__hash_bytes(const void *p, size_t len);
uint64_t ab__hash64(const void *p, size_t len, uint64_t seed);

/* Sorts v[0..n) ascending: a radix sort when tmp holds n more values (and n
 * is large enough to gain), else qsort (tmp NULL). */
void ab__sort_i64(int64_t *v, size_t n, int64_t *tmp);
/* Sorts n elements of `size` bytes by cmp(a, b, arg), as qsort but with an
 * argument instead of a global: safe when several threads sort at once. */
void ab__sort_r(void *base, size_t n, size_t size,
                int (*cmp)(const void *, const void *, void *), void *arg);

/* ---- Growable array helpers. ---- */

/*
 * Ensures *ptr has room for `need` elements of `elem` bytes, growing by 1.5x.
 * Returns AB_OK or AB_ENOMEM (the old array is kept).
 */
int ab__grow(ab_ctx *ctx, void **ptr, size_t *cap, size_t need, size_t elem);
#define AB_GROW(ctx, arr, cap, need)                                                               \
    ab__grow((ctx), (void **)&(arr), &(cap), (need), sizeof(*(arr)))
/* The same, starting at `first` elements rather than 16: for the many small
 * arrays that usually hold one or two. */
int ab__grow_from(ab_ctx *ctx, void **ptr, size_t *cap, size_t need, size_t elem, size_t first);
#define AB_GROW_FROM(ctx, arr, cap, need, first)                                                   \
    ab__grow_from((ctx), (void **)&(arr), &(cap), (need), sizeof(*(arr)), (first))

/* ---- Input. ---- */

/*
 * Moves inflate of a gzip input to a background thread that keeps a few
 * 1 MiB buffers ahead of the reader (nothing happens for plain input, on one
 * core, or before the first bytes were read). Reads return the same bytes
 * and errors. AB_OK, or AB_ENOMEM for the buffers.
 */
int ab__input_background(ab_input *in);
/*
 * Like ab_input_read, but may hand out the input's own buffer instead of
 * copying into buf: *data_out points to the bytes (buf or inside the input),
 * valid until the next read of any kind.
 */
ptrdiff_t ab__input_borrow(ab_input *in, void *buf, size_t cap, const void **data_out,
                           ab_error *err);

/* ---- Flat bytes (core/bytes.c): fields written and read in order. ---- */

/* Appends to *b; rc keeps the first failure (the writes after it do nothing). */
typedef struct ab__wbytes {
    ab_buf *b;
    ab_ctx *ctx;
    int rc;
} ab__wbytes;

void ab__put(ab__wbytes *w, const void *p, size_t n);
void ab__put_u32(ab__wbytes *w, uint32_t v);
void ab__put_u64(ab__wbytes *w, uint64_t v);
/* Its length (u32), then its bytes. */
void ab__put_str(ab__wbytes *w, const char *s, size_t n);
/* Seven bits a byte, low first; the high bit says more follow. */
void ab__put_varint(ab__wbytes *w, uint64_t v);

/* Reads p[0..len); bad is set at the first read past the end, which then
 * gives zeros (and NULL strings). */
typedef struct ab__rbytes {
    const unsigned char *p;
    size_t len, off;
    int bad;
} ab__rbytes;

void ab__get(ab__rbytes *r, void *out, size_t n);
uint32_t ab__get_u32(ab__rbytes *r);
uint64_t ab__get_u64(ab__rbytes *r);
/* A value ab__put_varint wrote (bad set when it runs past the end or
 * past 64 bits). */
uint64_t ab__get_varint(ab__rbytes *r);
/* A string ab__put_str wrote: a pointer into the bytes, not terminated. */
const char *ab__get_str(ab__rbytes *r, uint32_t *len_out);

/* ---- Misc. ---- */

/* Case-insensitive ASCII comparison of s[0..len) with a NUL-terminated literal. */
bool ab__ieq(const char *s, size_t len, const char *lit);
/*
 * Splits one line of a small hand-written list (accept file, roles, lanes,
 * duty pairs, label mapping) s[0..len), without its newline, into fields
 * separated by any character of seps, each trimmed of spaces and CRs, and
 * double-quoted when it holds a separator ("" inside quotes is one quote).
 * The fields are written NUL-terminated into scratch (len + 1 bytes: every
 * separator a field ends at makes room for its NUL) and the first cap are
 * set in fields. Returns the number of fields (more than cap when there are
 * more), or -1 on an unterminated quote or text after a closing quote.
 */
int ab__split_fields(const char *s, size_t len, const char *seps, char *scratch,
                     const char **fields, int cap);
/* Checks s[0..len) is valid UTF-8; on failure *bad_out is the offset of the first bad byte. */
bool ab__utf8_valid(const char *s, size_t len, size_t *bad_out);
/* Escapes s[0..len) as the inside of a JSON string into buf (no quotes added). */
int ab__json_escape(ab_buf *buf, ab_ctx *ctx, const char *s, size_t len);

#endif
