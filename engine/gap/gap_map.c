/*
 * gap/gap_map.c: a small open-addressing map from (kind, a, b, c) keys to
 * dense indices, which the accumulation of findings and of their context
 * counters uses. Indices follow insertion order, so iterating them is
 * deterministic; nothing depends on the hash order.
 */
#include "gap/gap_int.h"

static uint32_t key_hash(ab__gap_key k)
{
    uint64_t h = ab__hash64(&k, sizeof(k), 0x6a09e667f3bcc908ull);
    return (uint32_t)(h ^ (h >> 32));
}

static int key_eq(ab__gap_key x, ab__gap_key y)
{
    return x.kind == y.kind && x.a == y.a && x.b == y.b && x.c == y.c;
}

int ab__gap_map_init(ab__gap_map *m, ab_ctx *ctx)
{
    memset(m, 0, sizeof(*m));
    m->ctx = ctx;
    m->mask = 63;
    m->slots = ab__calloc(ctx, (size_t)m->mask + 1, sizeof(uint32_t));
    return m->slots != NULL ? AB_OK : AB_ENOMEM;
}

void ab__gap_map_finish(ab__gap_map *m)
{
    ab__free(m->ctx, m->keys);
    ab__free(m->ctx, m->slots);
    m->keys = NULL;
    m->slots = NULL;
}

uint32_t ab__gap_map_find(const ab__gap_map *m, ab__gap_key k)
{
    for (uint32_t i = key_hash(k) & m->mask;; i = (i + 1) & m->mask) {
        uint32_t s = m->slots[i];
        if (s == 0) {
            return UINT32_MAX;
        }
        if (key_eq(m->keys[s - 1], k)) {
            return s - 1;
        }
    }
}

static int rehash(ab__gap_map *m)
{
    uint32_t mask = m->mask * 2 + 1;
    uint32_t *slots = ab__calloc(m->ctx, (size_t)mask + 1, sizeof(uint32_t));
    if (slots == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t id = 0; id < m->count; id++) {
        uint32_t i = key_hash(m->keys[id]) & mask;
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = id + 1;
    }
    ab__free(m->ctx, m->slots);
    m->slots = slots;
    m->mask = mask;
    return AB_OK;
}

int ab__gap_map_get(ab__gap_map *m, ab__gap_key k, uint32_t *index_out, int *is_new)
{
    uint32_t i = key_hash(k) & m->mask;
    for (;; i = (i + 1) & m->mask) {
        uint32_t s = m->slots[i];
        if (s == 0) {
            break;
        }
        if (key_eq(m->keys[s - 1], k)) {
            *index_out = s - 1;
            *is_new = 0;
            return AB_OK;
        }
    }
    if (m->count == UINT32_MAX - 1) {
        return AB_ELIMIT;
    }
    if (AB_GROW(m->ctx, m->keys, m->keys_cap, (size_t)m->count + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    m->keys[m->count] = k;
    m->slots[i] = m->count + 1;
    *index_out = m->count++;
    *is_new = 1;
    if ((uint64_t)m->count * 2 > (uint64_t)m->mask + 1) {
        return rehash(m);
    }
    return AB_OK;
}
