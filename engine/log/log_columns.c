/*
 * log/log_columns.c: a log from columns rather than text: codes into name
 * tables for the case id, activity, resource and lifecycle transition, and
 * 64-bit nanosecond timestamps, as a data frame holds them (pandas
 * categoricals and datetime64[ns]). The rows go through the same builder as
 * the readers' events, so the log, its variants and its data-quality counts
 * are those of a CSV file with the same rows.
 */
#include "log/log_int.h"

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

int ab_log_from_columns(ab_log **out, ab_ctx *ctx, const ab_log_columns *cols,
                        const ab_log_options *opts, ab_error *err)
{
    ab_error_clear(err);
    if (out == NULL || ctx == NULL || cols == NULL) {
        return ab__error(err, AB_EINVAL, "columns", 0, 0, "a NULL argument");
    }
    *out = NULL;
    const char *source = cols->source != NULL ? cols->source : "columns";
    if (cols->version != AB_LOG_COLUMNS_VERSION) {
        return ab__error(err, AB_EINVAL, source, 0, 0, "unknown ab_log_columns version %u",
                         cols->version);
    }
    if (opts != NULL && opts->case_sink != NULL) {
        return ab__error(err, AB_EINVAL, source, 0, 0,
                         "a log from columns cannot be read with a case sink");
    }
    if (cols->case_id.codes == NULL || cols->activity.codes == NULL) {
        return ab__error(err, AB_EINVAL, source, 0, 0, "the %s column is required",
                         cols->case_id.codes == NULL ? "case id" : "activity");
    }
    static const char *const what[] = {"case id", "activity", "resource", "lifecycle"};
    const ab_log_dict_column *dicts[] = {&cols->case_id, &cols->activity, &cols->resource,
                                         &cols->lifecycle};
    for (int k = 0; k < 4; k++) {
        int rc = dict_check(dicts[k], what[k], source, err);
        if (rc != AB_OK) {
            return rc;
        }
    }
    ab_log_options lo = AB_LOG_OPTIONS_INIT;
    if (opts != NULL) {
        lo = *opts;
    }
    ab_log_builder *b = NULL;
    int rc = ab_log_builder_create(&b, ctx, &lo);
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
    if (cols->lifecycle.codes != NULL && cols->lifecycle.count > 0) {
        lc_of = ab__malloc(ctx, cols->lifecycle.count);
        if (lc_of == NULL) {
            ab_log_builder_destroy(b);
            return ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory");
        }
        for (uint32_t k = 0; k < cols->lifecycle.count; k++) {
            const ab_log_dict_column *d = &cols->lifecycle;
            size_t len = (size_t)(d->offsets[k + 1] - d->offsets[k]);
            lc_of[k] = (uint8_t)(len > 0 ? ab_lifecycle_from_string(d->names + d->offsets[k], len)
                                         : AB_LC_NONE);
        }
    }
    uint64_t coerced = 0;
    /* Cleared once: each row sets every field it uses (a memset per row costs more than
     * the rest of the row). */
    ab_event_in ev;
    memset(&ev, 0, sizeof(ev));
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
