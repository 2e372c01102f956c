/*
 * log/log_columns.c: a log from columns rather than text: codes into name
 * tables for the case id, activity, resource and lifecycle transition, and
 * 64-bit nanosecond timestamps, as a data frame holds them (pandas
 * categoricals and datetime64[ns]). The rows go through the same builder as
 * the readers' events, so the log, its variants and its data-quality counts
 * are those of a CSV file with the same rows.
 *
 * Three shortcuts for data frames live here too: numbering the distinct values
 * of a column of 64-bit keys (object identities, integers), so that a caller
 * looks each name up once rather than once per row; numbering the distinct
 * names of a column of items whose bytes a callback gives (strings that are
 * equal but distinct objects); and the directly-follows
 * counts of columns without building the log (the rows are grouped by case
 * with a counting sort, or not at all when they come grouped and in time
 * order).
 */
#include "log/log_int.h"

#include <stdlib.h>
#include <string.h>

/* Checks a name table; codes are checked row by row. */
static int dict_check(const ab_log_dict_column *d, const char *what, const char *source,
                      ab_error *err)
{
    if (d->count > 0 && (d->offsets == NULL || (d->names == NULL && d->names_len > 0))) {
        return ab__error(err, AB_EINVAL, source, 0, 0, "the %s column has codes but no names",
                         what);
    }
    for (uint32_t k = 0; k < d->count; k++) {
        if (d->offsets[k] > d->offsets[k + 1]) {
            return ab__error(err, AB_EINVAL, source, 0, 0,
                             "the %s names: offset %u (%llu) is above the next (%llu)", what, k,
                             (unsigned long long)d->offsets[k],
                             (unsigned long long)d->offsets[k + 1]);
        }
    }
    if (d->count > 0 && d->offsets[d->count] > d->names_len) {
        return ab__error(err, AB_EINVAL, source, 0, 0,
                         "the %s names: the last offset (%llu) is past their %zu bytes", what,
                         (unsigned long long)d->offsets[d->count], d->names_len);
    }
    return AB_OK;
}

/* The name of row r (NULL, 0 when missing); AB_EINVAL for a code out of the table. */
static int dict_get(const ab_log_dict_column *d, uint64_t r, const char *what, const char *source,
                    const char **ptr, size_t *len, ab_error *err)
{
    *ptr = NULL;
    *len = 0;
    if (d->codes == NULL) {
        return AB_OK;
    }
    int32_t c = d->codes[r];
    if (c == -1) {
        return AB_OK;
    }
    if (c < -1 || (uint32_t)c >= d->count) {
        return ab__error(err, AB_EINVAL, source, r + 1, 0,
                         "the %s column: code %d is outside its %u names", what, (int)c, d->count);
    }
    *ptr = d->names + d->offsets[c];
    *len = (size_t)(d->offsets[c + 1] - d->offsets[c]);
    return AB_OK;
}

/* Nanoseconds to microseconds, rounding towards the past; INT64_MIN stays missing. */
static ab_time ns_to_time(int64_t ns)
{
    if (ns == INT64_MIN) {
        return AB_TIME_NONE;
    }
    int64_t us = ns / 1000;
    if (ns % 1000 < 0) {
        us--;
    }
    return us;
}

static const char *const what[] = {"case id", "activity", "resource", "lifecycle", "role"};

/* The role column, or NULL (absent, or a version 1 caller). */
static const ab_log_dict_column *role_column(const ab_log_columns *cols)
{
    return cols->version >= 2 && cols->role.codes != NULL ? &cols->role : NULL;
}

/* What ab_log_from_columns() and ab_columns_dfg_count() check before the rows. */
static int columns_check(const ab_log_columns *cols, const ab_log_options *opts, const char *source,
                         ab_error *err)
{
    if (cols->version != 1 && cols->version != AB_LOG_COLUMNS_VERSION) {
        return ab__error(err, AB_EINVAL, source, 0, 0, "unknown ab_log_columns version %u",
                         cols->version);
    }
    if (opts != NULL && opts->version != AB_LOG_OPTIONS_VERSION) {
        return ab__error(err, AB_EINVAL, source, 0, 0, "unknown ab_log_options version %u",
                         opts->version);
    }
    if (opts != NULL && opts->case_sink != NULL) {
        return ab__error(err, AB_EINVAL, source, 0, 0,
                         "a log from columns cannot be read with a case sink");
    }
    if (cols->case_id.codes == NULL || cols->activity.codes == NULL) {
        return ab__error(err, AB_EINVAL, source, 0, 0, "the %s column is required",
                         cols->case_id.codes == NULL ? "case id" : "activity");
    }
    const ab_log_dict_column *dicts[] = {&cols->case_id, &cols->activity, &cols->resource,
                                         &cols->lifecycle};
    for (int k = 0; k < 4; k++) {
        int rc = dict_check(dicts[k], what[k], source, err);
        if (rc != AB_OK) {
            return rc;
        }
    }
    const ab_log_dict_column *role = role_column(cols);
    return role != NULL ? dict_check(role, what[4], source, err) : AB_OK;
}

/* The lifecycle transition of each name of the lifecycle column (NULL when it has none). */
static int lifecycle_table(ab_ctx *ctx, const ab_log_dict_column *d, uint8_t **out)
{
    *out = NULL;
    if (d->codes == NULL || d->count == 0) {
        return AB_OK;
    }
    uint8_t *lc_of = ab__malloc(ctx, d->count);
    if (lc_of == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t k = 0; k < d->count; k++) {
        size_t len = (size_t)(d->offsets[k + 1] - d->offsets[k]);
        lc_of[k] = (uint8_t)(len > 0 ? ab_lifecycle_from_string(d->names + d->offsets[k], len)
                                     : AB_LC_NONE);
    }
    *out = lc_of;
    return AB_OK;
}

/*
 * What both entry points do first, after clearing their result: clear err,
 * check the arguments and the columns, and name the source for messages.
 */
static int columns_begin(int has_out, ab_ctx *ctx, const ab_log_columns *cols,
                         const ab_log_options *opts, const char **source, ab_error *err)
{
    ab_error_clear(err);
    *source = "columns";
    if (!has_out || ctx == NULL || cols == NULL) {
        return ab__error(err, AB_EINVAL, "columns", 0, 0, "a NULL argument");
    }
    *source = cols->source != NULL ? cols->source : "columns";
    return columns_check(cols, opts, *source, err);
}

int ab_log_from_columns(ab_log **out, ab_ctx *ctx, const ab_log_columns *cols,
                        const ab_log_options *opts, ab_error *err)
{
    if (out != NULL) {
        *out = NULL;
    }
    const char *source;
    int rc = columns_begin(out != NULL, ctx, cols, opts, &source, err);
    if (rc != AB_OK) {
        return rc;
    }
    ab_log_options lo = AB_LOG_OPTIONS_INIT;
    if (opts != NULL) {
        lo = *opts;
    }
    ab_log_builder *b = NULL;
    rc = ab_log_builder_create(&b, ctx, &lo);
    if (rc == AB_OK) {
        rc = ab_log_builder_set_source(b, source);
    }
    if (rc == AB_OK) {
        rc = ab_log_builder_set_meta(b, "format", "columns");
    }
    if (rc != AB_OK) {
        ab_log_builder_destroy(b);
        return ab__error(err, rc, source, 0, 0, "out of memory");
    }
    /* The lifecycle transition of each name, looked up once rather than per row. */
    uint8_t *lc_of = NULL;
    if (lifecycle_table(ctx, &cols->lifecycle, &lc_of) != AB_OK) {
        ab_log_builder_destroy(b);
        return ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory");
    }
    uint64_t coerced = 0;
    /* Cleared once: each row sets every field it uses (a memset per row costs more than
     * the rest of the row). */
    ab_event_in ev;
    memset(&ev, 0, sizeof(ev));
    const ab_log_dict_column *role = role_column(cols);
    const char *role_key = role != NULL && cols->role_key != NULL ? cols->role_key : "org:role";
    ab_attr_in role_attr;
    memset(&role_attr, 0, sizeof(role_attr));
    role_attr.key = role_key;
    role_attr.key_len = strlen(role_key);
    role_attr.value.type = AB_ATTR_STRING;
    role_attr.parent = -1;
    for (uint64_t r = 0; r < cols->rows && rc == AB_OK; r++) {
        const char *lc = NULL;
        size_t lc_len = 0;
        rc = dict_get(&cols->case_id, r, what[0], source, &ev.case_id, &ev.case_id_len, err);
        if (rc == AB_OK) {
            rc = dict_get(&cols->activity, r, what[1], source, &ev.activity, &ev.activity_len, err);
        }
        if (rc == AB_OK) {
            rc = dict_get(&cols->resource, r, what[2], source, &ev.resource, &ev.resource_len, err);
        }
        if (rc == AB_OK) {
            rc = dict_get(&cols->lifecycle, r, what[3], source, &lc, &lc_len, err);
        }
        ev.attrs = NULL;
        ev.attr_count = 0;
        if (rc == AB_OK && role != NULL) {
            rc = dict_get(role, r, what[4], source, &role_attr.value.u.s.ptr,
                          &role_attr.value.u.s.len, err);
            if (role_attr.value.u.s.ptr != NULL && role_attr.value.u.s.len > 0) {
                ev.attrs = &role_attr;
                ev.attr_count = 1;
            }
        }
        if (rc != AB_OK) {
            break;
        }
        /* An empty resource is no resource, as an empty CSV field. */
        if (ev.resource != NULL && ev.resource_len == 0) {
            ev.resource = NULL;
        }
        ev.lifecycle = lc != NULL ? (ab_lifecycle)lc_of[cols->lifecycle.codes[r]] : AB_LC_NONE;
        ev.ts = cols->timestamp != NULL ? ns_to_time(cols->timestamp[r]) : AB_TIME_NONE;
        ev.start_ts =
            cols->start_timestamp != NULL ? ns_to_time(cols->start_timestamp[r]) : AB_TIME_NONE;
        if (cols->timestamps_without_zone) {
            coerced += (ev.ts != AB_TIME_NONE) + (ev.start_ts != AB_TIME_NONE);
        }
        ev.line = r + 1;
        rc = ab_log_builder_add_event(b, &ev, err);
    }
    ab__free(ctx, lc_of);
    if (rc != AB_OK) {
        ab_log_builder_destroy(b);
        return rc;
    }
    ab_log_builder_note_coerced(b, coerced);
    return ab_log_builder_finish(b, out, err);
}

/* ---- Numbering the distinct values of a column of 64-bit keys. ---- */

typedef struct key_slot {
    uint64_t key;
    uint32_t code1; /* Number + 1; 0 = empty slot. */
} key_slot;

static inline size_t key_hash(uint64_t k, unsigned bits)
{
    return (size_t)((k * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

/* Doubles the table (linear probing, at most half full). */
static int key_grow(ab_ctx *ctx, key_slot **tab, unsigned *bits)
{
    unsigned nb = *bits + 1;
    size_t size = (size_t)1 << nb;
    key_slot *nt = ab__calloc(ctx, size, sizeof(*nt));
    if (nt == NULL) {
        return AB_ENOMEM;
    }
    key_slot *old = *tab;
    for (size_t j = 0; j < ((size_t)1 << *bits); j++) {
        if (old[j].code1 != 0) {
            size_t i = key_hash(old[j].key, nb);
            while (nt[i].code1 != 0) {
                i = (i + 1) & (size - 1);
            }
            nt[i] = old[j];
        }
    }
    ab__free(ctx, old);
    *tab = nt;
    *bits = nb;
    return AB_OK;
}

int ab_keys_factorize(ab_ctx *ctx, const uint64_t *keys, uint64_t rows, uint32_t max_count,
                      int32_t *codes_out, uint64_t *first_out, uint32_t *count_out, ab_error *err)
{
    ab_error_clear(err);
    if (ctx == NULL || count_out == NULL ||
        (rows > 0 && (keys == NULL || codes_out == NULL || first_out == NULL))) {
        return ab__error(err, AB_EINVAL, "keys", 0, 0, "a NULL argument");
    }
    *count_out = 0;
    unsigned bits = 8;
    key_slot *tab = ab__calloc(ctx, (size_t)1 << bits, sizeof(*tab));
    if (tab == NULL) {
        return ab__error(err, AB_ENOMEM, "keys", 0, 0, "out of memory");
    }
    uint32_t n = 0;
    uint64_t prev = 0;
    int32_t code = -1; /* Of prev; runs of one key are common (a case's rows). */
    for (uint64_t r = 0; r < rows; r++) {
        uint64_t k = keys[r];
        if (k != prev || code < 0) {
            size_t mask = ((size_t)1 << bits) - 1;
            size_t i = key_hash(k, bits);
            while (tab[i].code1 != 0 && tab[i].key != k) {
                i = (i + 1) & mask;
            }
            if (tab[i].code1 != 0) {
                code = (int32_t)(tab[i].code1 - 1);
            } else {
                if (n == INT32_MAX || (max_count > 0 && n == max_count)) {
                    ab__free(ctx, tab);
                    return ab__error(err, AB_ELIMIT, "keys", r + 1, 0, "more than %u distinct keys",
                                     n);
                }
                tab[i].key = k;
                tab[i].code1 = n + 1;
                first_out[n] = r;
                code = (int32_t)n++;
                if ((size_t)n * 2 > mask + 1 && key_grow(ctx, &tab, &bits) != AB_OK) {
                    ab__free(ctx, tab);
                    return ab__error(err, AB_ENOMEM, "keys", r + 1, 0, "out of memory");
                }
            }
            prev = k;
        }
        codes_out[r] = code;
    }
    ab__free(ctx, tab);
    *count_out = n;
    return AB_OK;
}

/* ---- Numbering the distinct names of a column of items. ---- */

typedef struct name_slot {
    uint32_t hash;
    uint32_t code1; /* Number + 1; 0 = empty slot. */
} name_slot;

/* Doubles the table (linear probing, at most half full); the hashes are kept. */
static int name_grow(ab_ctx *ctx, name_slot **tab, unsigned *bits)
{
    unsigned nb = *bits + 1;
    size_t size = (size_t)1 << nb;
    name_slot *nt = ab__calloc(ctx, size, sizeof(*nt));
    if (nt == NULL) {
        return AB_ENOMEM;
    }
    name_slot *old = *tab;
    for (size_t j = 0; j < ((size_t)1 << *bits); j++) {
        if (old[j].code1 != 0) {
            size_t i = old[j].hash & (size - 1);
            while (nt[i].code1 != 0) {
                i = (i + 1) & (size - 1);
            }
            nt[i] = old[j];
        }
    }
    ab__free(ctx, old);
    *tab = nt;
    *bits = nb;
    return AB_OK;
}

int ab_names_factorize(ab_ctx *ctx, void *const *items, uint64_t rows, ab_name_of_fn name_of,
                       int32_t *codes_out, uint64_t *first_out, uint32_t *count_out,
                       uint64_t *rows_done, ab_error *err)
{
    ab_error_clear(err);
    if (ctx == NULL || name_of == NULL || count_out == NULL || rows_done == NULL ||
        (rows > 0 && (items == NULL || codes_out == NULL || first_out == NULL))) {
        return ab__error(err, AB_EINVAL, "names", 0, 0, "a NULL argument");
    }
    *count_out = 0;
    *rows_done = 0;
    unsigned bits = 8;
    size_t cap = 4096, used = 0, ocap = 256;
    name_slot *tab = ab__calloc(ctx, (size_t)1 << bits, sizeof(*tab));
    /* The distinct names back to back, and per number its start in blob (then the end). */
    char *blob = ab__malloc(ctx, cap);
    size_t *offs = ab__malloc(ctx, ocap * sizeof(*offs));
    int rc = AB_OK;
    uint64_t r = 0;
    uint32_t n = 0;
    if (tab == NULL || blob == NULL || offs == NULL) {
        rc = ab__error(err, AB_ENOMEM, "names", 0, 0, "out of memory");
        goto done;
    }
    offs[0] = 0;
    const void *prev = NULL;
    int32_t code = -1; /* Of prev; runs of one item are common (a case's rows). */
    for (; r < rows; r++) {
        void *item = items[r];
        if (item != prev || code < 0) {
            ptrdiff_t len = -1;
            const char *name = name_of(item, &len);
            if (name == NULL || len < 0) {
                break; /* *rows_done = r: the caller says what the item is. */
            }
            uint32_t h = ab__hash_bytes(name, (size_t)len);
            size_t mask = ((size_t)1 << bits) - 1;
            size_t i = h & mask;
            for (; tab[i].code1 != 0; i = (i + 1) & mask) {
                uint32_t c = tab[i].code1 - 1;
                if (tab[i].hash == h && offs[c + 1] - offs[c] == (size_t)len &&
                    memcmp(blob + offs[c], name, (size_t)len) == 0) {
                    break;
                }
            }
            if (tab[i].code1 != 0) {
                code = (int32_t)(tab[i].code1 - 1);
            } else {
                if (n == INT32_MAX) {
                    rc = ab__error(err, AB_ELIMIT, "names", r + 1, 0, "more than %u distinct names",
                                   n);
                    goto done;
                }
                if ((size_t)len > cap - used) {
                    if ((size_t)len > SIZE_MAX / 2 - used) {
                        rc = ab__error(err, AB_ENOMEM, "names", r + 1, 0, "out of memory");
                        goto done;
                    }
                    size_t ncap = cap;
                    while ((size_t)len > ncap - used) {
                        ncap *= 2;
                    }
                    char *nb = ab__realloc(ctx, blob, ncap);
                    if (nb == NULL) {
                        rc = ab__error(err, AB_ENOMEM, "names", r + 1, 0, "out of memory");
                        goto done;
                    }
                    blob = nb;
                    cap = ncap;
                }
                if ((size_t)n + 2 > ocap) {
                    size_t *no = ab__realloc(ctx, offs, ocap * 2 * sizeof(*offs));
                    if (no == NULL) {
                        rc = ab__error(err, AB_ENOMEM, "names", r + 1, 0, "out of memory");
                        goto done;
                    }
                    offs = no;
                    ocap *= 2;
                }
                if (len > 0) {
                    memcpy(blob + used, name, (size_t)len);
                }
                used += (size_t)len;
                offs[n + 1] = used;
                tab[i].hash = h;
                tab[i].code1 = n + 1;
                first_out[n] = r;
                code = (int32_t)n++;
                if ((size_t)n * 2 > mask + 1 && name_grow(ctx, &tab, &bits) != AB_OK) {
                    rc = ab__error(err, AB_ENOMEM, "names", r + 1, 0, "out of memory");
                    goto done;
                }
            }
            prev = item;
        }
        codes_out[r] = code;
    }
    *count_out = n;
    *rows_done = r;
done:
    ab__free(ctx, tab);
    ab__free(ctx, blob);
    ab__free(ctx, offs);
    return rc;
}

/* ---- Directly-follows counts straight from the columns. ---- */

struct ab_columns_dfg {
    ab_ctx *ctx;
    ab_columns_dfg_counts counts;
    void *block; /* Every array of counts, in one allocation. */
};

#define NO_ID UINT32_MAX

/*
 * canon[k] = the number of name k of d among its distinct non-empty names (in
 * order of first appearance), NO_ID for an empty name; rep (when not NULL)
 * receives per number its first code. *distinct_out = the numbers given. The
 * names are compared in place (a table of codes, no copies).
 */
static int canon_names(ab_ctx *ctx, const ab_log_dict_column *d, uint32_t **canon_out,
                       uint32_t **rep_out, uint32_t *distinct_out)
{
    *distinct_out = 0;
    size_t size = 16;
    while (size < (size_t)d->count * 2) {
        size *= 2;
    }
    uint32_t *canon = ab__malloc(ctx, (size_t)d->count * sizeof(uint32_t) + 1);
    uint32_t *rep = ab__malloc(ctx, (size_t)d->count * sizeof(uint32_t) + 1);
    uint32_t *slots = ab__calloc(ctx, size, sizeof(uint32_t)); /* First code + 1; 0 = empty. */
    *canon_out = canon;
    if (rep_out != NULL) {
        *rep_out = rep;
    }
    if (canon == NULL || rep == NULL || slots == NULL) {
        ab__free(ctx, slots);
        if (rep_out == NULL) {
            ab__free(ctx, rep);
        }
        return AB_ENOMEM;
    }
    uint32_t nd = 0;
    for (uint32_t k = 0; k < d->count; k++) {
        const char *name = d->names + d->offsets[k];
        size_t len = (size_t)(d->offsets[k + 1] - d->offsets[k]);
        canon[k] = NO_ID;
        if (len == 0) {
            continue;
        }
        size_t i = ab__hash_bytes(name, len) & (size - 1);
        for (;;) {
            uint32_t c1 = slots[i];
            if (c1 == 0) {
                slots[i] = k + 1;
                rep[nd] = k;
                canon[k] = nd++;
                break;
            }
            uint32_t c = c1 - 1;
            if ((size_t)(d->offsets[c + 1] - d->offsets[c]) == len &&
                memcmp(d->names + d->offsets[c], name, len) == 0) {
                canon[k] = canon[c];
                break;
            }
            i = (i + 1) & (size - 1);
        }
    }
    ab__free(ctx, slots);
    if (rep_out == NULL) {
        ab__free(ctx, rep);
    }
    *distinct_out = nd;
    return AB_OK;
}

/* Directly-follows pairs: a matrix for few activities, else an open-addressing table. */
typedef struct edge_tab {
    ab_ctx *ctx;
    uint32_t nact;
    int dense;
    uint64_t *keys;  /* Table: (from << 32 | to) + 1 per slot, 0 = empty. */
    uint64_t *count; /* Times the pair was seen. */
    uint64_t *cases; /* Cases in which it was. */
    uint32_t *stamp; /* The last case (number + 1) that counted it in cases. */
    size_t size;     /* Cells or slots. */
    unsigned bits;   /* Table: size == 1 << bits. */
    size_t used;     /* Table: slots in use. */
} edge_tab;

#define DENSE_ACTIVITIES 256

static int edge_alloc(edge_tab *t, unsigned bits, size_t size)
{
    t->bits = bits;
    t->count = ab__calloc(t->ctx, size, sizeof(uint64_t));
    t->cases = ab__calloc(t->ctx, size, sizeof(uint64_t));
    t->stamp = ab__calloc(t->ctx, size, sizeof(uint32_t));
    if (!t->dense) {
        t->keys = ab__calloc(t->ctx, size, sizeof(uint64_t));
    }
    t->size = size;
    return t->count == NULL || t->cases == NULL || t->stamp == NULL ||
                   (!t->dense && t->keys == NULL)
               ? AB_ENOMEM
               : AB_OK;
}

static void edge_free(edge_tab *t)
{
    ab__free(t->ctx, t->keys);
    ab__free(t->ctx, t->count);
    ab__free(t->ctx, t->cases);
    ab__free(t->ctx, t->stamp);
    t->keys = t->count = t->cases = NULL;
    t->stamp = NULL;
}

static int edge_init(edge_tab *t, ab_ctx *ctx, uint32_t nact)
{
    memset(t, 0, sizeof(*t));
    t->ctx = ctx;
    t->nact = nact;
    t->dense = nact <= DENSE_ACTIVITIES;
    return t->dense ? edge_alloc(t, 0, (size_t)nact * nact + 1) : edge_alloc(t, 10, 1024);
}

static size_t edge_slot(const edge_tab *t, uint64_t key)
{
    size_t i = key_hash(key, t->bits);
    while (t->keys[i] != 0 && t->keys[i] != key) {
        i = (i + 1) & (t->size - 1);
    }
    return i;
}

static int edge_grow(edge_tab *t)
{
    edge_tab old = *t;
    if (edge_alloc(t, old.bits + 1, old.size * 2) != AB_OK) {
        edge_free(t);
        *t = old;
        return AB_ENOMEM;
    }
    for (size_t j = 0; j < old.size; j++) {
        if (old.keys[j] != 0) {
            size_t i = edge_slot(t, old.keys[j]);
            t->keys[i] = old.keys[j];
            t->count[i] = old.count[j];
            t->cases[i] = old.cases[j];
            t->stamp[i] = old.stamp[j];
        }
    }
    edge_free(&old);
    return AB_OK;
}

/* Counts from -> to in case number case_no (from 1). */
static inline int edge_add(edge_tab *t, uint32_t from, uint32_t to, uint32_t case_no)
{
    size_t i;
    if (t->dense) {
        i = (size_t)from * t->nact + to;
    } else {
        uint64_t key = ((uint64_t)from << 32 | to) + 1;
        i = edge_slot(t, key);
        if (t->keys[i] == 0) {
            if ((t->used + 1) * 2 > t->size) {
                if (edge_grow(t) != AB_OK) {
                    return AB_ENOMEM;
                }
                i = edge_slot(t, key);
            }
            t->keys[i] = key;
            t->used++;
        }
    }
    t->count[i]++;
    if (t->stamp[i] != case_no) {
        t->stamp[i] = case_no;
        t->cases[i]++;
    }
    return AB_OK;
}

typedef struct edge_out {
    uint32_t from, to;
    uint64_t count, cases;
} edge_out;

static int cmp_edge_out(const void *pa, const void *pb)
{
    const edge_out *a = pa, *b = pb;
    if (a->count != b->count) {
        return a->count > b->count ? -1 : 1;
    }
    if (a->cases != b->cases) {
        return a->cases > b->cases ? -1 : 1;
    }
    if (a->from != b->from) {
        return a->from < b->from ? -1 : 1;
    }
    return (a->to > b->to) - (a->to < b->to);
}

typedef struct name_id {
    const char *s;
    uint32_t len;
    uint32_t id;
} name_id;

static int cmp_name_id(const void *pa, const void *pb)
{
    const name_id *a = pa, *b = pb;
    int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
    if (c != 0) {
        return c;
    }
    return (a->len > b->len) - (a->len < b->len);
}

/* The order of events within a case, as the builder sorts them. */
typedef struct row_key {
    ab_time ts;
    ab_time start;
    uint32_t row;
} row_key;

static int cmp_row_key(const void *pa, const void *pb)
{
    const row_key *a = pa, *b = pb;
    if (a->ts != b->ts) {
        return a->ts < b->ts ? -1 : 1;
    }
    if (a->start != b->start) {
        return a->start < b->start ? -1 : 1;
    }
    return (a->row > b->row) - (a->row < b->row);
}

/* Everything ab_columns_dfg_count() allocates on its way. */
typedef struct count_state {
    ab_ctx *ctx;
    const ab_log_columns *cols;
    const char *source;
    ab_log_options lo;
    uint64_t max_events;
    uint32_t ncase, nact;             /* Distinct case ids and activity names. */
    uint32_t *ccase, *cact, *act_rep; /* Code -> number; activity number -> first code. */
    uint8_t *lc_of;
    uint32_t *rcase;        /* Row -> case number, NO_ID when the row is left out. */
    uint8_t *seen;          /* Case number -> met in the grouped check. */
    uint32_t *first, *perm; /* Counting sort: cases' starts; kept rows by case. */
    row_key *keys;
    size_t keys_cap;
    uint64_t *act_events, *starts, *ends; /* Per activity number; events computed last. */
    edge_tab edges;
    edge_out *eo;
    name_id *names;
    uint32_t *slot_of;
} count_state;

static void count_state_free(count_state *s)
{
    ab_ctx *ctx = s->ctx;
    void *ptrs[] = {s->ccase,  s->cact,  s->act_rep, s->lc_of, s->rcase,
                    s->seen,   s->first, s->perm,    s->keys,  s->act_events,
                    s->starts, s->ends,  s->eo,      s->names, s->slot_of};
    for (size_t k = 0; k < sizeof(ptrs) / sizeof(ptrs[0]); k++) {
        ab__free(ctx, ptrs[k]);
    }
    edge_free(&s->edges);
}

static inline ab_time col_time(const int64_t *col, uint64_t r)
{
    return col != NULL ? ns_to_time(col[r]) : AB_TIME_NONE;
}

/* Whether row q must come before row p of the same case (p arrived first): compares the
 * times floored to microseconds, as the log holds them, flooring only when the
 * nanoseconds cannot tell. */
static inline int rows_out_of_order(const int64_t *ts, const int64_t *st, uint64_t p, uint64_t q)
{
    if (ts != NULL && ts[p] != ts[q]) {
        int64_t a = ts[p], b = ts[q];
        if (a > b) {
            if (ns_to_time(a) != ns_to_time(b)) {
                return 1;
            }
        } else if (st == NULL || ns_to_time(a) != ns_to_time(b)) {
            return 0;
        }
    }
    return st != NULL && st[p] != st[q] && ns_to_time(st[p]) > ns_to_time(st[q]);
}

/* Whether a code is -1 or in its table. */
static inline int code_ok(int32_t code, uint32_t count)
{
    return (uint32_t)code + 1u <= count;
}

/* The rows of one case in order: counts its events, start, end and edges. */
static int count_case(count_state *s, const uint32_t *act_of_row, const uint32_t *rows,
                      uint32_t len, uint32_t case_no)
{
    uint32_t prev = act_of_row[rows[0]];
    s->starts[prev]++;
    for (uint32_t k = 1; k < len; k++) {
        uint32_t a = act_of_row[rows[k]];
        if (edge_add(&s->edges, prev, a, case_no) != AB_OK) {
            return AB_ENOMEM;
        }
        prev = a;
    }
    s->ends[prev]++;
    return AB_OK;
}

enum { ROW_KEEP, ROW_DROP, ROW_ERROR };

/* What the builder does with row r: keeps it (*cid_out its case number), drops it, or fails
 * (*rc, err), with the builder's messages. */
static inline int row_class(count_state *s, uint64_t r, uint32_t *cid_out, uint64_t *kept, int *rc,
                            ab_error *err)
{
    const ab_log_columns *cols = s->cols;
    int32_t c = cols->case_id.codes[r], a = cols->activity.codes[r];
    const int32_t *rsc = cols->resource.codes, *lcc = cols->lifecycle.codes;
    int bad = !code_ok(c, cols->case_id.count)                         ? 0
              : !code_ok(a, cols->activity.count)                      ? 1
              : rsc != NULL && !code_ok(rsc[r], cols->resource.count)  ? 2
              : lcc != NULL && !code_ok(lcc[r], cols->lifecycle.count) ? 3
                                                                       : -1;
    if (bad >= 0) {
        const ab_log_dict_column *dicts[] = {&cols->case_id, &cols->activity, &cols->resource,
                                             &cols->lifecycle};
        *rc = ab__error(err, AB_EINVAL, s->source, r + 1, 0,
                        "the %s column: code %d is outside its %u names", what[bad],
                        (int)dicts[bad]->codes[r], dicts[bad]->count);
        return ROW_ERROR;
    }
    uint32_t cid = c >= 0 ? s->ccase[c] : NO_ID;
    if (cid == NO_ID || a < 0 || s->cact[a] == NO_ID) {
        if (s->lo.strict) {
            *rc = ab__error(err, AB_EPARSE, s->source, r + 1, 0, "%s (--strict)",
                            cid == NO_ID ? "missing case id" : "missing activity");
            return ROW_ERROR;
        }
        return ROW_DROP;
    }
    if (s->lo.lifecycle == AB_LCF_COMPLETE && lcc != NULL && lcc[r] >= 0 &&
        s->lc_of[lcc[r]] != AB_LC_NONE && s->lc_of[lcc[r]] != AB_LC_COMPLETE) {
        return ROW_DROP;
    }
    if (*kept >= s->max_events) {
        *rc = ab__error(err, AB_ELIMIT, s->source, r + 1, 0, "more than %llu events (the limit)",
                        (unsigned long long)s->max_events);
        return ROW_ERROR;
    }
    (*kept)++;
    *cid_out = cid;
    return ROW_KEEP;
}

#define NOT_GROUPED 1

/*
 * Counts in one pass rows that come grouped by case, each case in its order.
 * Returns AB_OK, an error, or NOT_GROUPED (nothing to report) when the rows
 * are not so, or when a row lacks its time (whether it is left out depends on
 * rows further on): the general way then counts them.
 */
static int count_grouped(count_state *s, uint32_t *cases_out, ab_error *err)
{
    const ab_log_columns *cols = s->cols;
    const int64_t *ts = cols->timestamp, *st = cols->start_timestamp;
    const int32_t *cc = cols->case_id.codes, *ac = cols->activity.codes;
    const int32_t *rsc = cols->resource.codes, *lcc = cols->lifecycle.codes;
    const uint32_t ncc = cols->case_id.count, nac = cols->activity.count;
    const uint32_t *ccase = s->ccase, *cact = s->cact;
    /* The usual row (valid codes, a case and an activity, no lifecycle filter, within the
     * event limit) is kept here; row_class() decides every other, as the general way does. */
    const int plain = rsc == NULL && lcc == NULL;
    uint8_t *seen = s->seen;
    uint64_t *starts = s->starts, *ends = s->ends;
    /* The matrix of pairs does not move; a table may grow (edge_add). */
    const int dense = s->edges.dense;
    const size_t nact = s->edges.nact;
    uint64_t *ecount = s->edges.count, *ecases = s->edges.cases;
    uint32_t *estamp = s->edges.stamp;
    const uint64_t n = cols->rows, max_events = s->max_events;
    uint64_t kept = 0, prev_row = 0;
    uint32_t cur = NO_ID, prev = 0, cases = 0;
    int rc = AB_OK;
    for (uint64_t r = 0; r < n; r++) {
        uint32_t cid, a;
        int32_t c = cc[r], ca = ac[r];
        if (plain && code_ok(c, ncc) && code_ok(ca, nac) && c >= 0 && ca >= 0 &&
            (cid = ccase[c]) != NO_ID && (a = cact[ca]) != NO_ID && kept < max_events) {
            kept++;
        } else {
            int k = row_class(s, r, &cid, &kept, &rc, err);
            if (k == ROW_ERROR) {
                return rc;
            }
            if (k == ROW_DROP) {
                continue;
            }
            a = cact[ac[r]];
        }
        if (ts != NULL && ts[r] == INT64_MIN) {
            return NOT_GROUPED;
        }
        if (cid != cur) {
            if (seen[cid]) {
                return NOT_GROUPED;
            }
            seen[cid] = 1;
            if (cur != NO_ID) {
                ends[prev]++;
            }
            starts[a]++;
            cases++;
            cur = cid;
        } else {
            if (rows_out_of_order(ts, st, prev_row, r)) {
                return NOT_GROUPED;
            }
            if (dense) {
                size_t i = (size_t)prev * nact + a;
                ecount[i]++;
                if (estamp[i] != cases) {
                    estamp[i] = cases;
                    ecases[i]++;
                }
            } else if (edge_add(&s->edges, prev, a, cases) != AB_OK) {
                return ab__error(err, AB_ENOMEM, s->source, 0, 0, "out of memory");
            }
        }
        prev = a;
        prev_row = r;
    }
    if (cur != NO_ID) {
        ends[prev]++;
    }
    *cases_out = cases;
    return AB_OK;
}

/*
 * Counts rows in any order: finds the rows the builder keeps, groups them by
 * case with a counting sort (rows keep their order within a case), and sorts
 * each case that is not in time order, as the builder does.
 */
static int count_general(count_state *s, uint32_t *cases_out, ab_error *err)
{
    ab_ctx *ctx = s->ctx;
    const ab_log_columns *cols = s->cols;
    const int64_t *ts = cols->timestamp, *st = cols->start_timestamp;
    const int32_t *ac = cols->activity.codes;
    const uint64_t n = cols->rows;
    int rc = AB_OK;
    s->rcase = ab__malloc(ctx, (size_t)n * sizeof(uint32_t) + 1);
    s->first = ab__calloc(ctx, (size_t)s->ncase + 2, sizeof(uint32_t));
    if (s->rcase == NULL || s->first == NULL) {
        return ab__error(err, AB_ENOMEM, s->source, 0, 0, "out of memory");
    }
    uint64_t kept = 0, missing_ts = 0, first_missing = 0;
    int has_ts = 0;
    for (uint64_t r = 0; r < n; r++) {
        uint32_t cid = NO_ID;
        int k = row_class(s, r, &cid, &kept, &rc, err);
        if (k == ROW_ERROR) {
            return rc;
        }
        s->rcase[r] = cid;
        if (k == ROW_KEEP) {
            if (ts == NULL || ts[r] == INT64_MIN) {
                if (missing_ts++ == 0) {
                    first_missing = r + 1;
                }
            } else {
                has_ts = 1;
            }
        }
    }
    /* Rows without a time are left out of a log with times. */
    if (has_ts && missing_ts > 0) {
        if (s->lo.strict) {
            return ab__error(err, AB_EPARSE, s->source, first_missing, 0,
                             "an event without a timestamp in a log with timestamps (--strict)");
        }
        for (uint64_t r = 0; r < n; r++) {
            if (s->rcase[r] != NO_ID && ts[r] == INT64_MIN) {
                s->rcase[r] = NO_ID;
            }
        }
    }
    uint64_t nkept = 0;
    for (uint64_t r = 0; r < n; r++) {
        if (s->rcase[r] != NO_ID) {
            s->first[s->rcase[r] + 2]++;
            nkept++;
        }
    }
    for (uint32_t c = 0; c < s->ncase; c++) {
        s->first[c + 2] += s->first[c + 1];
    }
    s->perm = ab__malloc(ctx, (size_t)nkept * sizeof(uint32_t) + 1);
    if (s->perm == NULL) {
        return ab__error(err, AB_ENOMEM, s->source, 0, 0, "out of memory");
    }
    for (uint64_t r = 0; r < n; r++) {
        if (s->rcase[r] != NO_ID) {
            s->perm[s->first[s->rcase[r] + 1]++] = (uint32_t)r;
        }
    }
    /* first[c] is now where case c begins, first[c + 1] where it ends; rcase becomes the
     * activity number of each kept row. */
    for (uint64_t r = 0; r < n; r++) {
        if (s->rcase[r] != NO_ID) {
            s->rcase[r] = s->cact[ac[r]];
        }
    }
    uint32_t cases = 0;
    for (uint32_t c = 0; c < s->ncase; c++) {
        uint32_t *rows = s->perm + s->first[c];
        uint32_t len = s->first[c + 1] - s->first[c];
        if (len == 0) {
            continue;
        }
        int sorted = 1;
        for (uint32_t k = 1; k < len && sorted; k++) {
            sorted = !rows_out_of_order(ts, st, rows[k - 1], rows[k]);
        }
        if (!sorted) {
            if (AB_GROW(ctx, s->keys, s->keys_cap, len) != AB_OK) {
                return ab__error(err, AB_ENOMEM, s->source, 0, 0, "out of memory");
            }
            for (uint32_t k = 0; k < len; k++) {
                s->keys[k].ts = col_time(ts, rows[k]);
                s->keys[k].start = col_time(st, rows[k]);
                s->keys[k].row = rows[k];
            }
            qsort(s->keys, len, sizeof(*s->keys), cmp_row_key);
            for (uint32_t k = 0; k < len; k++) {
                rows[k] = s->keys[k].row;
            }
        }
        cases++;
        if (count_case(s, s->rcase, rows, len, cases) != AB_OK) {
            return ab__error(err, AB_ENOMEM, s->source, 0, 0, "out of memory");
        }
    }
    *cases_out = cases;
    return AB_OK;
}

/* The counts as the caller reads them: activities in name order, edges in ab_dfg order. */
static int count_result(count_state *s, uint32_t cases, ab_columns_dfg **out)
{
    ab_ctx *ctx = s->ctx;
    const ab_log_dict_column *d = &s->cols->activity;
    uint32_t nact = s->nact, na = 0;
    /* An activity's events: the cases it begins and the edges into it. */
    size_t cells = s->edges.size;
    for (uint32_t a = 0; a < nact; a++) {
        s->act_events[a] = s->starts[a];
    }
    for (size_t i = 0; i < cells; i++) {
        if (s->edges.count[i] > 0) {
            uint32_t to = s->edges.dense ? (uint32_t)(i % nact) : (uint32_t)(s->edges.keys[i] - 1);
            s->act_events[to] += s->edges.count[i];
        }
    }
    s->names = ab__malloc(ctx, (size_t)nact * sizeof(*s->names) + 1);
    s->slot_of = ab__malloc(ctx, (size_t)nact * sizeof(uint32_t) + 1);
    if (s->names == NULL || s->slot_of == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t a = 0; a < nact; a++) {
        if (s->act_events[a] > 0) {
            uint32_t k = s->act_rep[a];
            s->names[na].s = d->names + d->offsets[k];
            s->names[na].len = (uint32_t)(d->offsets[k + 1] - d->offsets[k]);
            s->names[na].id = a;
            na++;
        }
    }
    qsort(s->names, na, sizeof(*s->names), cmp_name_id);
    for (uint32_t k = 0; k < na; k++) {
        s->slot_of[s->names[k].id] = k;
    }
    size_t ne = 0;
    for (size_t i = 0; i < cells; i++) {
        ne += s->edges.count[i] > 0;
    }
    s->eo = ab__malloc(ctx, ne * sizeof(*s->eo) + 1);
    if (s->eo == NULL) {
        return AB_ENOMEM;
    }
    ne = 0;
    for (size_t i = 0; i < cells; i++) {
        if (s->edges.count[i] == 0) {
            continue;
        }
        uint32_t from, to;
        if (s->edges.dense) {
            from = (uint32_t)(i / nact);
            to = (uint32_t)(i % nact);
        } else {
            from = (uint32_t)((s->edges.keys[i] - 1) >> 32);
            to = (uint32_t)(s->edges.keys[i] - 1);
        }
        s->eo[ne].from = s->slot_of[from];
        s->eo[ne].to = s->slot_of[to];
        s->eo[ne].count = s->edges.count[i];
        s->eo[ne].cases = s->edges.cases[i];
        ne++;
    }
    qsort(s->eo, ne, sizeof(*s->eo), cmp_edge_out);
    ab_columns_dfg *res = ab__calloc(ctx, 1, sizeof(*res));
    size_t bytes = (size_t)na * (sizeof(int32_t) + 3 * sizeof(uint64_t)) +
                   ne * (2 * sizeof(uint32_t) + 2 * sizeof(uint64_t));
    if (res == NULL || (res->block = ab__malloc(ctx, bytes + 1)) == NULL) {
        ab__free(ctx, res);
        return AB_ENOMEM;
    }
    res->ctx = ctx;
    /* The 64-bit arrays first, so that every array is aligned. */
    uint64_t *events = res->block, *starts = events + na, *ends = starts + na;
    uint64_t *ecount = ends + na, *ecases = ecount + ne;
    uint32_t *efrom = (uint32_t *)(ecases + ne), *eto = efrom + ne;
    int32_t *code = (int32_t *)(eto + ne);
    uint64_t nev = 0;
    for (uint32_t k = 0; k < na; k++) {
        uint32_t a = s->names[k].id;
        code[k] = (int32_t)s->act_rep[a];
        events[k] = s->act_events[a];
        starts[k] = s->starts[a];
        ends[k] = s->ends[a];
        nev += events[k];
    }
    for (size_t k = 0; k < ne; k++) {
        efrom[k] = s->eo[k].from;
        eto[k] = s->eo[k].to;
        ecount[k] = s->eo[k].count;
        ecases[k] = s->eo[k].cases;
    }
    ab_columns_dfg_counts *o = &res->counts;
    o->cases = cases;
    o->events = nev;
    o->activity_count = na;
    o->activity_code = code;
    o->activity_events = events;
    o->starts = starts;
    o->ends = ends;
    o->edge_count = (uint32_t)ne;
    o->edge_from = efrom;
    o->edge_to = eto;
    o->edge_counts = ecount;
    o->edge_cases = ecases;
    *out = res;
    return AB_OK;
}

int ab_columns_dfg_count(ab_columns_dfg **out, ab_ctx *ctx, const ab_log_columns *cols,
                         const ab_log_options *opts, ab_error *err)
{
    if (out != NULL) {
        *out = NULL;
    }
    const char *source;
    int rc = columns_begin(out != NULL, ctx, cols, opts, &source, err);
    if (rc != AB_OK) {
        return rc;
    }
    if (cols->rows > UINT32_MAX - 1) {
        return ab__error(err, AB_ELIMIT, source, 0, 0, "more than %u rows", UINT32_MAX - 1);
    }
    count_state s;
    memset(&s, 0, sizeof(s));
    s.ctx = ctx;
    s.cols = cols;
    s.source = source;
    ab_log_options defaults = AB_LOG_OPTIONS_INIT;
    s.lo = opts != NULL ? *opts : defaults;
    s.max_events = ab_ctx_limits(ctx)->max_events;
    s.edges.ctx = ctx;
    rc = canon_names(ctx, &cols->case_id, &s.ccase, NULL, &s.ncase);
    if (rc == AB_OK) {
        rc = canon_names(ctx, &cols->activity, &s.cact, &s.act_rep, &s.nact);
    }
    if (rc == AB_OK) {
        rc = lifecycle_table(ctx, &cols->lifecycle, &s.lc_of);
    }
    if (rc == AB_OK) {
        s.act_events = ab__calloc(ctx, (size_t)s.nact + 1, sizeof(uint64_t));
        s.starts = ab__calloc(ctx, (size_t)s.nact + 1, sizeof(uint64_t));
        s.ends = ab__calloc(ctx, (size_t)s.nact + 1, sizeof(uint64_t));
        s.seen = ab__calloc(ctx, (size_t)s.ncase + 1, 1);
        if (s.act_events == NULL || s.starts == NULL || s.ends == NULL || s.seen == NULL ||
            edge_init(&s.edges, ctx, s.nact) != AB_OK) {
            rc = AB_ENOMEM;
        }
    }
    if (rc != AB_OK) {
        rc = ab__error(err, rc, source, 0, 0, "%s", ab_status_str(rc));
        count_state_free(&s);
        return rc;
    }
    uint32_t cases = 0;
    rc = count_grouped(&s, &cases, err);
    if (rc == NOT_GROUPED) {
        /* Start again from nothing counted. */
        memset(s.starts, 0, (size_t)s.nact * sizeof(uint64_t));
        memset(s.ends, 0, (size_t)s.nact * sizeof(uint64_t));
        edge_free(&s.edges);
        rc = edge_init(&s.edges, ctx, s.nact) != AB_OK
                 ? ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory")
                 : count_general(&s, &cases, err);
    }
    if (rc == AB_OK && count_result(&s, cases, out) != AB_OK) {
        rc = ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory");
    }
    count_state_free(&s);
    return rc;
}

const ab_columns_dfg_counts *ab_columns_dfg_get(const ab_columns_dfg *dfg)
{
    return dfg != NULL ? &dfg->counts : NULL;
}

void ab_columns_dfg_destroy(ab_columns_dfg *dfg)
{
    if (dfg == NULL) {
        return;
    }
    ab__free(dfg->ctx, dfg->block);
    ab__free(dfg->ctx, dfg);
}
