/*
 * tools/mpi_part.c: the messages of asbuilt-mpi (see mpi_part.h): partials
 * of a log's cases by owning rank, the merge of the partials a rank
 * received in the order of the ranks that sent them, and the case order.
 */
#include "mpi_part.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/partial.h"

static void put_u32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void put_u64(unsigned char *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

int mpi_part_write(mpi_bytes *out, ab_ctx *ctx, const ab_log *log, const ab_read_options *ro,
                   int owner, int ranks, int facts_to, const uint64_t *keys, ab_error *err)
{
    ab_buf b = AB_BUF_INIT;
    out->ptr = NULL;
    out->len = 0;
    uint32_t n = ab_log_case_count(log), k = 0;
    uint32_t *cases = malloc(sizeof(uint32_t) * ((size_t)n + 1));
    if (cases == NULL) {
        return AB_ENOMEM;
    }
    uint64_t side = 5; /* The tag and the count. */
    for (uint32_t c = 0; c < n; c++) {
        const char *id = ab_log_case_id(log, c);
        size_t len = strlen(id);
        if (owner < 0 || ab_partial_case_rank(id, len, (uint32_t)ranks) == (uint32_t)owner) {
            cases[k++] = c;
            side += owner < 0 ? 8 : 8 + len;
        }
    }
    int rc = AB_OK;
    if (owner < 0) {
        rc = ab_partial_write(&b, ctx, log, ro, NULL, NULL, err);
    } else if (k > 0 || owner == facts_to) {
        rc = ab_partial_write_cases(&b, ctx, log, ro, cases, k, owner == facts_to, err);
    } else {
        free(cases); /* Nothing for that rank. */
        return AB_OK;
    }
    if (rc == AB_OK) {
        out->len = 8 + b.len + side;
        out->ptr = malloc((size_t)out->len);
        rc = out->ptr != NULL ? AB_OK : AB_ENOMEM;
    }
    if (rc == AB_OK) {
        unsigned char *p = out->ptr;
        put_u64(p, b.len);
        memcpy(p + 8, b.ptr, b.len);
        p += 8 + b.len;
        *p++ = owner < 0 ? 'K' : 'I';
        put_u32(p, k);
        p += 4;
        for (uint32_t i = 0; i < k; i++) {
            if (owner < 0) {
                put_u64(p, keys[cases[i]]);
                p += 8;
            } else {
                const char *id = ab_log_case_id(log, cases[i]);
                uint32_t len = (uint32_t)strlen(id);
                put_u32(p, cases[i]);
                put_u32(p + 4, len);
                memcpy(p + 8, id, len);
                p += 8 + len;
            }
        }
    } else {
        free(out->ptr);
        out->ptr = NULL;
        out->len = 0;
    }
    ab_buf_dispose(&b);
    free(cases);
    return rc;
}

/* Case id -> key of its first sender (open addressing). */
typedef struct key_slot {
    const unsigned char *id; /* NULL = free. */
    uint32_t len;
    uint64_t key;
} key_slot;

typedef struct key_table {
    key_slot *slots;
    size_t mask, count;
} key_table;

static key_slot *key_find(key_table *t, const void *id, uint32_t len)
{
    size_t i = (size_t)ab_partial_case_hash(id, len) & t->mask;
    while (t->slots[i].id != NULL &&
           (t->slots[i].len != len || memcmp(t->slots[i].id, id, len) != 0)) {
        i = (i + 1) & t->mask;
    }
    return &t->slots[i];
}

static int key_grow(key_table *t)
{
    size_t cap = t->slots == NULL ? 1024 : (t->mask + 1) * 2;
    key_table n = {calloc(cap, sizeof(key_slot)), cap - 1, t->count};
    if (n.slots == NULL) {
        return AB_ENOMEM;
    }
    for (size_t i = 0; t->slots != NULL && i <= t->mask; i++) {
        if (t->slots[i].id != NULL) {
            *key_find(&n, t->slots[i].id, t->slots[i].len) = t->slots[i];
        }
    }
    free(t->slots);
    *t = n;
    return AB_OK;
}

static int bad_message(ab_error *err, int rank)
{
    ab_error_clear(err);
    err->code = AB_EPARSE;
    snprintf(err->source, sizeof(err->source), "<message from rank %d>", rank);
    snprintf(err->msg, sizeof(err->msg), "malformed: its lengths do not add up");
    return AB_EPARSE;
}

int mpi_part_merge(ab_log **out, uint64_t **keys_out, ab_ctx *ctx, mpi_bytes *parts, int n,
                   const ab_read_options *ro, ab_error *err)
{
    *out = NULL;
    *keys_out = NULL;
    ab_partial **open = calloc((size_t)n + 1, sizeof(*open));
    unsigned char **sides = calloc((size_t)n + 1, sizeof(*sides));
    uint64_t *keys = NULL;
    size_t nkeys = 0;
    key_table table = {NULL, 0, 0};
    int rc = open == NULL || sides == NULL ? AB_ENOMEM : AB_OK;
    int by_id = 0;
    size_t k = 0;
    for (int i = 0; i < n && rc == AB_OK; i++) {
        if (parts[i].len == 0) {
            continue;
        }
        const unsigned char *p = parts[i].ptr;
        uint64_t len = parts[i].len, plen = len >= 8 ? get_u64(p) : 0;
        if (len < 8 + 5 || plen > len - 8 - 5) {
            rc = bad_message(err, i);
            break;
        }
        char name[48];
        snprintf(name, sizeof(name), "<partial from rank %d>", i);
        rc = ab_partial_open_memory(&open[k], ctx, p + 8, (size_t)plen, name, err);
        if (rc != AB_OK) {
            break;
        }
        k++;
        /* Keep the side bytes only (the partial was copied). */
        size_t slen = (size_t)(len - 8 - plen);
        sides[i] = malloc(slen);
        if (sides[i] == NULL) {
            rc = AB_ENOMEM;
            break;
        }
        memcpy(sides[i], p + 8 + plen, slen);
        free(parts[i].ptr);
        parts[i].ptr = NULL;
        parts[i].len = 0;
        const unsigned char *s = sides[i], *end = s + slen;
        uint32_t cnt = get_u32(s + 1);
        by_id = s[0] == 'I';
        s += 5;
        if (!by_id) {
            if ((uint64_t)(end - s) != (uint64_t)cnt * 8) {
                rc = bad_message(err, i);
                break;
            }
            uint64_t *nk = realloc(keys, (nkeys + cnt + 1) * sizeof(uint64_t));
            if (nk == NULL) {
                rc = AB_ENOMEM;
                break;
            }
            keys = nk;
            for (uint32_t j = 0; j < cnt; j++) {
                keys[nkeys++] = get_u64(s + 8 * (size_t)j);
            }
            continue;
        }
        for (uint32_t j = 0; j < cnt && rc == AB_OK; j++) {
            if (end - s < 8 || (uint64_t)(end - s - 8) < get_u32(s + 4)) {
                rc = bad_message(err, i);
                break;
            }
            uint32_t idx = get_u32(s), idlen = get_u32(s + 4);
            if ((table.count + 1) * 2 > (table.slots == NULL ? 0 : table.mask + 1)) {
                rc = key_grow(&table);
            }
            if (rc == AB_OK) {
                key_slot *slot = key_find(&table, s + 8, idlen);
                if (slot->id == NULL) { /* The first sender's index is the key. */
                    slot->id = s + 8;
                    slot->len = idlen;
                    slot->key = (uint64_t)i << 32 | idx;
                    table.count++;
                }
            }
            s += 8 + idlen;
        }
    }
    if (rc == AB_OK && k > 0) {
        rc = ab_partial_merge(out, ctx, (const ab_partial *const *)open, k, &ro->log, err);
    }
    if (rc == AB_OK && *out != NULL) {
        uint32_t cases = ab_log_case_count(*out);
        if (by_id) {
            free(keys);
            keys = malloc(((size_t)cases + 1) * sizeof(uint64_t));
            rc = keys != NULL ? AB_OK : AB_ENOMEM;
            for (uint32_t c = 0; c < cases && rc == AB_OK; c++) {
                const char *id = ab_log_case_id(*out, c);
                key_slot *slot = key_find(&table, id, (uint32_t)strlen(id));
                if (slot->id == NULL) {
                    rc = bad_message(err, 0);
                } else {
                    keys[c] = slot->key;
                }
            }
        } else if (nkeys != cases) {
            rc = bad_message(err, 0);
        }
    }
    for (size_t i = 0; i < k; i++) {
        ab_partial_destroy(open[i]);
    }
    for (int i = 0; sides != NULL && i < n; i++) {
        free(sides[i]);
    }
    free(sides);
    free(open);
    free(table.slots);
    if (rc != AB_OK) {
        ab_log_destroy(*out);
        *out = NULL;
        free(keys);
        keys = NULL;
    }
    *keys_out = keys;
    return rc;
}

static const uint64_t *sort_keys;

static int by_key(const void *a, const void *b)
{
    uint64_t x = sort_keys[*(const uint32_t *)a], y = sort_keys[*(const uint32_t *)b];
    return x < y ? -1 : x > y;
}

int mpi_part_order(ab_log **log, ab_ctx *ctx, const uint64_t *keys, const ab_read_options *ro,
                   ab_error *err)
{
    uint32_t n = ab_log_case_count(*log);
    int sorted = 1;
    for (uint32_t c = 1; c < n && sorted; c++) {
        sorted = keys[c - 1] < keys[c];
    }
    if (sorted) {
        return AB_OK;
    }
    uint32_t *order = malloc(((size_t)n + 1) * sizeof(uint32_t));
    if (order == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t c = 0; c < n; c++) {
        order[c] = c;
    }
    sort_keys = keys;
    qsort(order, n, sizeof(uint32_t), by_key);
    ab_buf b = AB_BUF_INIT;
    int rc = ab_partial_write_cases(&b, ctx, *log, ro, order, n, 1, err);
    free(order);
    ab_partial *p = NULL;
    if (rc == AB_OK) {
        rc = ab_partial_open_memory(&p, ctx, b.ptr, b.len, "<rank 0>", err);
    }
    ab_buf_dispose(&b);
    ab_log *sorted_log = NULL;
    if (rc == AB_OK) {
        rc = ab_partial_merge(&sorted_log, ctx, (const ab_partial *const *)&p, 1, &ro->log, err);
    }
    ab_partial_destroy(p);
    if (rc == AB_OK) {
        ab_log_destroy(*log);
        *log = sorted_log;
    }
    return rc;
}
