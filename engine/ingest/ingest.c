/*
 * ingest/ingest.c: one log from many files. Each file is opened as a byte
 * stream (gzip told by magic bytes), its format told by content, and fed to
 * one shared builder, so a case whose events are split across files is one
 * case.
 */
#include "core/core_int.h"
#include "log/log_int.h"

#include "asbuilt/ingest.h"
#include "asbuilt/input.h"
#include "asbuilt/partial.h"
#include "partial/partial_int.h"

/*
 * Ties what b reads to the options that change it: a partial built with other
 * options fails the read (engine/partial). source names the options' origin.
 */
static int note_options(ab_log_builder *b, const ab_read_options *opts, const char *source,
                        ab_error *err)
{
    ab_ctx *ctx = ab__log_builder_ctx(b);
    ab_buf text = AB_BUF_INIT;
    int rc = ab_partial_options_text(&text, ctx, opts);
    if (rc == AB_OK) {
        const char *t = text.ptr != NULL ? text.ptr : "";
        rc = ab__log_builder_fingerprint(b, ab_partial_case_hash(t, text.len), t, source, err);
    } else {
        rc = ab__error(err, rc, source, 0, 0, "out of memory");
    }
    ab_buf_dispose(&text);
    return rc;
}

/* The layout of ab_read_options version 1, whose ab_csv_options is version 1. */
typedef struct csv_options_v1 {
    unsigned version;
    char delimiter;
    const char *case_col, *activity_col, *timestamp_col, *start_col, *resource_col, *lifecycle_col;
    ab_ts_format ts_format;
    const ab_tz *tz;
    size_t ts_probe_bytes;
} csv_options_v1;

typedef struct read_options_v1 {
    unsigned version;
    ab_log_options log;
    ab_xes_options xes;
    csv_options_v1 csv;
    void (*progress)(const char *name, uint64_t done, uint64_t total, void *payload);
    void *progress_payload;
    int inflate_thread;
} read_options_v1;

/*
 * The options as the current version: *opts itself, or a version 1 caller's
 * copied into tmp. NULL for an unknown version.
 */
static const ab_read_options *read_options_now(const ab_read_options *opts, ab_read_options *tmp)
{
    if (opts->version == AB_READ_OPTIONS_VERSION) {
        return opts;
    }
    if (opts->version != 1) {
        return NULL;
    }
    const read_options_v1 *o = (const read_options_v1 *)(const void *)opts;
    ab_read_options now = AB_READ_OPTIONS_INIT;
    now.log = o->log;
    now.xes = o->xes;
    /* A version 1 csv member becomes the current one, the new fields at their defaults;
     * another version is kept for the reader to refuse. */
    now.csv.version = o->csv.version == 1 ? AB_CSV_OPTIONS_VERSION : o->csv.version;
    now.csv.delimiter = o->csv.delimiter;
    now.csv.case_col = o->csv.case_col;
    now.csv.activity_col = o->csv.activity_col;
    now.csv.timestamp_col = o->csv.timestamp_col;
    now.csv.start_col = o->csv.start_col;
    now.csv.resource_col = o->csv.resource_col;
    now.csv.lifecycle_col = o->csv.lifecycle_col;
    now.csv.ts_format = o->csv.ts_format;
    now.csv.tz = o->csv.tz;
    now.csv.ts_probe_bytes = o->csv.ts_probe_bytes;
    now.progress = o->progress;
    now.progress_payload = o->progress_payload;
    now.inflate_thread = o->inflate_thread;
    *tmp = now;
    return tmp;
}

ab_format ab_ingest_detect(const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i = 0;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        i = 3;
    }
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) {
        i++;
    }
    return (i < len && p[i] == '<') ? AB_FORMAT_XES : AB_FORMAT_CSV;
}

/* single: this input is the whole log (a lone XES file then groups every case). */
static int ingest_one(ab_log_builder *b, ab_input *in, const ab_read_options *opts, int single,
                      ab_error *err)
{
    const void *head;
    size_t len;
    int rc = ab_input_peek(in, &head, &len, err);
    if (rc != AB_OK) {
        return rc;
    }
    rc = ab_log_builder_set_source(b, ab_input_name(in));
    if (rc != AB_OK) {
        return ab__error(err, rc, ab_input_name(in), 0, 0, "out of memory");
    }
    if (len == 0) {
        return ab__error(err, AB_EPARSE, ab_input_name(in), 0, 0,
                         "the file is empty: expected an XES document or a CSV header line");
    }
    if (ab_partial_detect(head, len)) {
        ab_partial *p;
        rc = ab__partial_open_input(&p, ab__log_builder_ctx(b), in, err);
        if (rc == AB_OK) {
            rc = ab_partial_feed(b, p, err);
        }
        ab_partial_destroy(p);
        return rc;
    }
    rc = note_options(b, opts, ab_input_name(in), err);
    if (rc != AB_OK) {
        return rc;
    }
    if (opts->inflate_thread && ab__input_background(in) != AB_OK) {
        return ab__error(err, AB_ENOMEM, ab_input_name(in), 0, 0, "out of memory");
    }
    if (ab_ingest_detect(head, len) == AB_FORMAT_XES) {
        if (single) {
            ab__log_builder_trust_grouping(b);
        }
        return ab_xes_read(b, in, &opts->xes, err);
    }
    return ab_csv_read(b, in, &opts->csv, err);
}

int ab_ingest_input(ab_log_builder *b, ab_input *in, const ab_read_options *opts, ab_error *err)
{
    ab_read_options defaults = AB_READ_OPTIONS_INIT, tmp;
    opts = read_options_now(opts != NULL ? opts : &defaults, &tmp);
    if (opts == NULL) {
        return ab__error(err, AB_EINVAL, ab_input_name(in), 0, 0,
                         "ab_read_options version mismatch");
    }
    return ingest_one(b, in, opts, 0, err);
}

int ab_ingest_files(ab_log **out, ab_ctx *ctx, const char *const *paths, size_t count,
                    const ab_read_options *opts, ab_error *err)
{
    ab_read_options defaults = AB_READ_OPTIONS_INIT;
    *out = NULL;
    if (opts == NULL) {
        opts = &defaults;
    }
    ab_read_options tmp;
    opts = read_options_now(opts, &tmp);
    if (opts == NULL) {
        return ab__error(err, AB_EINVAL, NULL, 0, 0, "ab_read_options version mismatch");
    }
    if (count == 0) {
        return ab__error(err, AB_EINVAL, NULL, 0, 0, "no input file given");
    }
    ab_log_builder *b;
    int rc = ab_log_builder_create(&b, ctx, &opts->log);
    if (rc != AB_OK) {
        return ab__error(err, rc, NULL, 0, 0, "cannot create the log builder: %s",
                         ab_status_str(rc));
    }
    rc = note_options(b, opts, "the log-reading options of this command", err);
    if (rc != AB_OK) {
        ab_log_builder_destroy(b);
        return rc;
    }
    for (size_t i = 0; i < count; i++) {
        ab_input *in;
        rc = ab_input_open(&in, ctx, paths[i], err);
        if (rc != AB_OK) {
            ab_log_builder_destroy(b);
            return rc;
        }
        if (opts->progress != NULL) {
            ab_input_set_progress(in, opts->progress, opts->progress_payload);
        }
        rc = ingest_one(b, in, opts, count == 1, err);
        ab_input_destroy(in);
        if (rc != AB_OK) {
            ab_log_builder_destroy(b);
            return rc;
        }
    }
    return ab_log_builder_finish(b, out, err);
}
