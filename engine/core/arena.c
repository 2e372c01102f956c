/*
 * core/arena.c: bump allocation in large blocks, freed all at once. With
 * -Darena_debug=true every allocation is its own malloc, chained for the
 * final free, so ASan and valgrind see each object and its bounds.
 */
#include "core/core_int.h"

struct ab__arena_block {
    ab__arena_block *next; /* Older block. */
    size_t size;           /* Payload bytes. */
    size_t used;           /* Payload bytes handed out. */
    max_align_t data[];    /* Payload. */
};

void ab__arena_init(ab__arena *a, ab_ctx *ctx, size_t block_size)
{
    a->ctx = ctx;
    a->head = NULL;
    a->block_size = block_size < 256 ? 256 : block_size;
    a->used_total = 0;
}

void ab__arena_finish(ab__arena *a)
{
    ab__arena_block *b = a->head;
    while (b != NULL) {
        ab__arena_block *next = b->next;
        ab__free(a->ctx, b);
        b = next;
    }
    a->head = NULL;
    a->used_total = 0;
}

void *ab__arena_alloc(ab__arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
#ifdef AB_ARENA_DEBUG
    ab__arena_block *d = ab__malloc(a->ctx, sizeof(*d) + n);
    if (d == NULL) {
        return NULL;
    }
    d->size = d->used = n;
    d->next = a->head;
    a->head = d;
    a->used_total += n;
    return d->data;
#else
    ab__arena_block *b = a->head;
    if (b == NULL || b->size - b->used < n) {
        size_t size = n > a->block_size / 4 ? n : a->block_size;
        ab__arena_block *nb = ab__malloc(a->ctx, sizeof(*nb) + size);
        if (nb == NULL) {
            return NULL;
        }
        nb->size = size;
        nb->used = 0;
        if (size == n && b != NULL) {
            /* A large object: chain it behind the current block so that the
             * current block's free space stays usable. */
            nb->next = b->next;
            b->next = nb;
            nb->used = n;
            a->used_total += n;
            return nb->data;
        }
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    a->used_total += n;
    return p;
#endif
}

char *ab__arena_strndup(ab__arena *a, const char *s, size_t n)
{
    char *p = ab__arena_alloc(a, n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}
