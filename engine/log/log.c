/*
 * log/log.c: read access to a finished event log: counts, names, columns,
 * cases, variants, attributes by key, data quality. Everything here is a
 * pure read of immutable data, so a log may be shared between threads.
 */
#include "log/log_int.h"

void ab_log_destroy(ab_log *log)
{
    ab__log_free(log);
}

uint32_t ab_log_case_count(const ab_log *log)
{
    return log->n_cases;
}

uint64_t ab_log_event_count(const ab_log *log)
{
    return log->n_events;
}

uint32_t ab_log_activity_count(const ab_log *log)
{
    return log->acts.count;
}

uint32_t ab_log_resource_count(const ab_log *log)
{
    return log->res.count;
}

uint32_t ab_log_variant_count(const ab_log *log)
{
    return log->n_variants;
}

const char *ab_log_activity_name(const ab_log *log, uint32_t activity_id)
{
    return ab__strtab_str(&log->acts, activity_id);
}

const uint32_t *ab_log_activity_sorted(const ab_log *log)
{
    return log->act_sorted;
}

int ab_log_activity_find(const ab_log *log, const char *name, size_t len, uint32_t *id_out)
{
    return ab__strtab_find(&log->acts, name, len, id_out);
}

uint64_t ab_log_activity_events(const ab_log *log, uint32_t activity_id)
{
    return log->act_events[activity_id];
}

const char *ab_log_resource_name(const ab_log *log, uint32_t resource_id)
{
    return resource_id < log->res.count ? ab__strtab_str(&log->res, resource_id) : NULL;
}

const char *ab_log_case_id(const ab_log *log, uint32_t case_index)
{
    return ab__strtab_str(&log->cases, log->case_sid[case_index]);
}

uint64_t ab_log_case_first(const ab_log *log, uint32_t case_index)
{
    return log->case_first[case_index];
}

uint32_t ab_log_case_length(const ab_log *log, uint32_t case_index)
{
    return log->case_len[case_index];
}

uint32_t ab_log_case_variant(const ab_log *log, uint32_t case_index)
{
    return log->case_variant[case_index];
}

const uint32_t *ab_log_col_case(const ab_log *log)
{
    return log->ev_case;
}

const uint32_t *ab_log_col_activity(const ab_log *log)
{
    return log->ev_act;
}

const ab_time *ab_log_col_time(const ab_log *log)
{
    return log->ev_ts;
}

const ab_time *ab_log_col_start(const ab_log *log)
{
    return log->ev_start;
}

const uint32_t *ab_log_col_resource(const ab_log *log)
{
    return log->ev_res;
}

const uint8_t *ab_log_col_lifecycle(const ab_log *log)
{
    return log->ev_lc;
}

int ab_log_has_timestamps(const ab_log *log)
{
    return log->has_ts;
}

/* Deepest nesting whose depths are tracked exactly (the default ab_limits.max_depth). */
#define WALK_STACK 256

/*
 * Walks the attributes of one packed chunk. Returns the visitor's non-zero
 * result, or 0. Attributes come in document order (a parent before its
 * children, each subtree contiguous), so the ancestors of the current
 * attribute form a stack: an attribute's parent is on it, and the depth is
 * one more than the parent's, for any number of attributes.
 */
static int walk_chunk(const ab_log *log, const uint8_t *p, ab_attr_visit_fn fn, void *payload)
{
    uint64_t count = ab__varint_get(&p);
    struct {
        uint64_t index;
        int depth;
    } stack[WALK_STACK];
    size_t top = 0; /* Entries on the stack. */
    for (uint64_t i = 0; i < count; i++) {
        uint32_t key;
        ab_value v;
        int32_t parent;
        p += ab__log_get_attr(log, p, &key, &v, &parent);
        int depth = 0;
        if (parent >= 0) {
            size_t k = top;
            while (k > 0 && stack[k - 1].index != (uint64_t)parent) {
                k--;
            }
            if (k > 0) {
                depth = stack[k - 1].depth + 1;
                top = k; /* Siblings and cousins of the parent's subtree are closed. */
            } else {
                /* Not in document order (or nested past WALK_STACK): at least a child. */
                depth = top > 0 ? stack[top - 1].depth + 1 : 1;
            }
        } else {
            top = 0;
        }
        if (top < WALK_STACK) {
            stack[top].index = i;
            stack[top].depth = depth;
            top++;
        }
        int r = fn(ab__strtab_str(&log->keys, key), &v, depth, payload);
        if (r != 0) {
            return r;
        }
    }
    return 0;
}

typedef struct find_ctx {
    const char *key;
    ab_value *out;
    int found;
} find_ctx;

static int find_visit(const char *key, const ab_value *value, int depth, void *payload)
{
    find_ctx *f = payload;
    if (depth == 0 && strcmp(key, f->key) == 0) {
        *f->out = *value;
        f->found = 1;
        return 1;
    }
    return 0;
}

int ab_log_event_attrs_visit(const ab_log *log, uint64_t event, ab_attr_visit_fn fn,
                             void *payload)
{
    if (log->ev_attr == NULL || event >= log->n_events || log->ev_attr[event] == 0) {
        return 0;
    }
    return walk_chunk(log, log->attr_blob + log->ev_attr[event] - 1, fn, payload);
}

int ab_log_event_attr(const ab_log *log, uint64_t event, const char *key, ab_value *out)
{
    find_ctx f = {key, out, 0};
    ab_log_event_attrs_visit(log, event, find_visit, &f);
    return f.found ? AB_OK : AB_ENOTFOUND;
}

int ab_log_case_attr(const ab_log *log, uint32_t case_index, const char *key, ab_value *out)
{
    if (case_index >= log->n_cases) {
        return AB_ENOTFOUND;
    }
    /* Chunks chain from the latest to the earliest: the latest value wins. */
    uint64_t off = log->case_cattr[case_index];
    while (off != 0) {
        const uint8_t *p = log->cattr_blob + off - 1;
        uint64_t prev = ab__varint_get(&p);
        find_ctx f = {key, out, 0};
        walk_chunk(log, p, find_visit, &f);
        if (f.found) {
            return AB_OK;
        }
        off = prev;
    }
    return AB_ENOTFOUND;
}

uint32_t ab_log_variant_cases(const ab_log *log, uint32_t variant)
{
    return log->var_cases[variant];
}

uint32_t ab_log_variant_length(const ab_log *log, uint32_t variant)
{
    return log->var_len[variant];
}

const uint32_t *ab_log_variant_activities(const ab_log *log, uint32_t variant)
{
    return log->var_seq + log->var_seq_off[variant];
}

const uint32_t *ab_log_variant_case_list(const ab_log *log, uint32_t variant)
{
    return log->var_case_list + log->var_case_off[variant];
}

const ab_data_quality *ab_log_data_quality(const ab_log *log)
{
    return &log->dq;
}

void ab_log_time_span(const ab_log *log, ab_time *first_out, ab_time *last_out)
{
    *first_out = log->first_ts;
    *last_out = log->last_ts;
}

const char *ab_log_meta(const ab_log *log, const char *key)
{
    for (size_t i = 0; i < log->meta_count; i++) {
        if (strcmp(log->meta[i].key, key) == 0) {
            return log->meta[i].value;
        }
    }
    return NULL;
}
