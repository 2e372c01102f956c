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
    if (opts->version != AB_READ_OPTIONS_VERSION) {
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
