/*
 * core/strtab.c: string interning. Activity names, resources, case ids and
 * attribute keys become dense uint32 ids so hot loops compare integers. An
 * open-addressing table (linear probing, load at most 1/2) maps bytes to ids;
 * the bytes live in an arena. The hash is 64-bit FNV-1a-like mixing folded
 * to 32 bits: fast on the short strings logs hold, and collisions only cost
 * a memcmp.
 */
#include "core/core_int.h"

uint64_t ab__hash64(const void *p, size_t len, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    size_t i = 0;
    /* Eight bytes at a time, then the tail: FNV-style multiply per word. */
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h ^= w;
        h *= 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < len; i++) {
        h ^= s[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    h ^= h >> 32;
    return h;
}

__extension__ typedef unsigned __int128 u128;

/* The two halves of a 64x64-bit product folded together. */
static inline uint64_t fold_mul(uint64_t a, uint64_t b)
{
    u128 r = (u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/*
 * The interning hash: strings of up to 16 bytes (most names, ids and codes
 * in logs) are read as two possibly overlapping words and mixed with one
 * wide multiply; longer ones take one multiply per 16 bytes. Only the
 * tables use it (nothing written depends on it), so it may change.
 */
uint32_t ab__hash_bytes(const void *p, size_t len)
{
    const unsigned char *s = p;
    const uint64_t k1 = 0xa0761d6478bd642full, k2 = 0xe7037ed1a0b428dbull;
    uint64_t a, b, seed = 0x8ebc6af09c88c6e3ull ^ (uint64_t)len;
    uint32_t x, y;
    if (len >= 8 && len <= 16) {
        memcpy(&a, s, 8);
        memcpy(&b, s + len - 8, 8);
    } else if (len >= 4 && len < 8) {
        memcpy(&x, s, 4);
        memcpy(&y, s + len - 4, 4);
        a = ((uint64_t)x << 32) | y;
        b = 0;
    } else if (len < 4) {
        a = len > 0 ? ((uint64_t)s[0] << 16) | ((uint64_t)s[len >> 1] << 8) | s[len - 1] : 0;
        b = 0;
    } else {
        size_t i = 0;
        for (; i + 16 < len; i += 16) {
            memcpy(&a, s + i, 8);
            memcpy(&b, s + i + 8, 8);
            seed = fold_mul(a ^ k1, b ^ seed);
        }
        memcpy(&a, s + len - 16, 8);
        memcpy(&b, s + len - 8, 8);
    }
    uint64_t h = fold_mul(a ^ k1, b ^ seed ^ k2);
    return (uint32_t)(h ^ (h >> 32));
}

/* A slot holds the string's 32-bit hash above its id + 1 (0 = empty), so a
 * probe rejects a different string without touching the id's arrays. */
#define SLOT(h, id) (((uint64_t)(h) << 32) | ((uint64_t)(id) + 1))
#define SLOT_ID(v) ((uint32_t)(v) - 1)
#define SLOT_HASH(v) ((uint32_t)((v) >> 32))

int ab__strtab_init(ab__strtab *t, ab_ctx *ctx)
{
    memset(t, 0, sizeof(*t));
    t->ctx = ctx;
    ab__arena_init(&t->arena, ctx, 64 * 1024);
    t->mask = 63;
    t->slots = ab__calloc(ctx, 64, sizeof(*t->slots));
    return t->slots == NULL ? AB_ENOMEM : AB_OK;
}

void ab__strtab_finish(ab__strtab *t)
{
    if (t->ctx == NULL) {
        return;
    }
    ab__arena_finish(&t->arena);
    ab__free(t->ctx, t->strs);
    ab__free(t->ctx, t->lens);
    ab__free(t->ctx, t->slots);
    memset(t, 0, sizeof(*t));
}

static int rehash(ab__strtab *t)
{
    uint32_t nsize = (t->mask + 1) * 2;
    uint64_t *ns = ab__calloc(t->ctx, nsize, sizeof(*ns));
    if (ns == NULL) {
        return AB_ENOMEM;
    }
    uint32_t nmask = nsize - 1;
    for (uint32_t k = 0; k <= t->mask; k++) {
        uint64_t v = t->slots[k];
        if (v == 0) {
            continue;
        }
        uint32_t i = SLOT_HASH(v) & nmask;
        while (ns[i] != 0) {
            i = (i + 1) & nmask;
        }
        ns[i] = v;
    }
    ab__free(t->ctx, t->slots);
    t->slots = ns;
    t->mask = nmask;
    return AB_OK;
}

/* The slot holding s, or the empty slot where it would go. */
static uint32_t probe(const ab__strtab *t, const char *s, size_t len, uint32_t h)
{
    uint32_t i = h & t->mask;
    for (;;) {
        uint64_t v = t->slots[i];
        if (v == 0) {
            return i;
        }
        if (SLOT_HASH(v) == h) {
            uint32_t id = SLOT_ID(v);
            if (t->lens[id] == len && ab__same_bytes(t->strs[id], s, len)) {
                return i;
            }
        }
        i = (i + 1) & t->mask;
    }
}

int ab__strtab_find(const ab__strtab *t, const char *s, size_t len, uint32_t *id_out)
{
    uint64_t v = t->slots[probe(t, s, len, ab__hash_bytes(s, len))];
    if (v == 0) {
        return AB_ENOTFOUND;
    }
    *id_out = SLOT_ID(v);
    return AB_OK;
}

int ab__strtab_intern(ab__strtab *t, const char *s, size_t len, uint32_t *id_out)
{
    if (len > UINT32_MAX) {
        return AB_ELIMIT;
    }
    uint32_t h = ab__hash_bytes(s, len);
    uint32_t i = probe(t, s, len, h);
    if (t->slots[i] != 0) {
        *id_out = SLOT_ID(t->slots[i]);
        return AB_OK;
    }
    if (t->count == UINT32_MAX - 1) {
        return AB_ELIMIT;
    }
    if (t->count == t->cap) {
        uint32_t ncap = t->cap < 16 ? 16 : t->cap + t->cap / 2;
        const char **ns = ab__realloc(t->ctx, t->strs, ncap * sizeof(*ns));
        if (ns == NULL) {
            return AB_ENOMEM;
        }
        t->strs = ns;
        uint32_t *nl = ab__realloc(t->ctx, t->lens, ncap * sizeof(*nl));
        if (nl == NULL) {
            return AB_ENOMEM;
        }
        t->lens = nl;
        t->cap = ncap;
    }
    char *copy = ab__arena_strndup(&t->arena, s, len);
    if (copy == NULL) {
        return AB_ENOMEM;
    }
    uint32_t id = t->count;
    t->strs[id] = copy;
    t->lens[id] = (uint32_t)len;
    t->slots[i] = SLOT(h, id);
    t->count++;
    if ((uint64_t)t->count * 2 > (uint64_t)t->mask + 1) {
        int rc = rehash(t);
        if (rc != AB_OK) {
            /* Undone: the table stays as it was before the call. */
            t->count--;
            t->slots[i] = 0;
            return rc;
        }
    }
    *id_out = id;
    return AB_OK;
}

size_t ab__strtab_bytes(const ab__strtab *t)
{
    return t->arena.used_total + (size_t)t->cap * (sizeof(*t->strs) + sizeof(*t->lens)) +
           ((size_t)t->mask + 1) * sizeof(*t->slots);
}
