/*
 * csv/csv_sniff.c: ab_csv_sniff, the dialect guess that `asbuilt sniff`
 * prints. It works on the peeked first 64 KiB only, without consuming or
 * allocating, with the same prelude, scanner and role rules as the reader,
 * so what it reports is what ab_csv_read will do with that sample.
 */
#include "csv/csv_int.h"

#include <stdio.h>

/* Copies a field's text into a NUL-terminated, truncated name slot. */
static void copy_name(char *dst, size_t cap, const char *rec, const ab__csv_field *f)
{
    char tmp[256];
    size_t len;
    const char *s = ab__csv_field_text(rec, f, tmp, sizeof(tmp), &len);
    if (len >= cap) {
        len = cap - 1;
        /* Do not cut a UTF-8 sequence in half. */
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) {
            len--;
        }
    }
    memcpy(dst, s, len);
    dst[len] = '\0';
}

typedef struct sniff_ts {
    int col;
    ab_ts_guess guess;
    uint32_t values;
    uint32_t unparsed;   /* With a fixed layout: values it does not read. */
} sniff_ts;

static void sniff_feed(sniff_ts *t, const char *rec, const ab__csv_field *fields,
                       const ab_csv_options *opts, ab_csv_dialect *out, int is_main)
{
    if (t->col < 0) {
        return;
    }
    char tmp[128];
    size_t len;
    const char *s = ab__csv_field_text(rec, &fields[t->col], tmp, sizeof(tmp), &len);
    if (len == 0 || ab__csv_is_na(s, len)) {
        return;
    }
    t->values++;
    if (is_main && out->ts_example[0] == '\0') {
        size_t n = len < sizeof(out->ts_example) - 1 ? len : sizeof(out->ts_example) - 1;
        memcpy(out->ts_example, s, n);
        out->ts_example[n] = '\0';
    }
    if (opts->ts_format.layout != AB_TS_AUTO) {
        ab_time t0;
        if (ab_time_parse(&t0, s, len, &opts->ts_format, NULL, NULL) != AB_OK) {
            t->unparsed++;
        }
        return;
    }
    ab_ts_guess_feed(&t->guess, s, len);
}

int ab_csv_sniff(ab_csv_dialect *out, ab_input *in, const ab_csv_options *opts, ab_error *err)
{
    ab_csv_options defaults = AB_CSV_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    memset(out, 0, sizeof(*out));
    out->case_idx = out->activity_idx = out->timestamp_idx = -1;
    out->start_idx = out->resource_idx = out->lifecycle_idx = -1;
    const char *source = ab_input_name(in);
    if (opts->version != 1 && opts->version != AB_CSV_OPTIONS_VERSION) {
        return ab__error(err, AB_EINVAL, source, 0, 0, "ab_csv_options: unknown version %u",
                         opts->version);
    }
    const void *data;
    size_t total;
    int rc = ab_input_peek(in, &data, &total, err);
    if (rc != AB_OK) {
        return rc;
    }
    int eof = total < (64u << 10);
    out->sample_complete = eof;
    ab__csv_prelude pre;
    rc = ab__csv_prelude_read(&pre, data, total, eof, 1, opts, source, err);
    if (rc != AB_OK) {
        return rc;
    }
    out->delimiter = pre.delim;
    memcpy(out->newline, pre.newline, sizeof(out->newline));
    out->bom = pre.bom_len > 0;

    const char *p = (const char *)data + pre.bom_len;
    size_t len = total - pre.bom_len;
    ab__csv_field fields[AB_CSV_MAX_SNIFF_COLS];
    ab__csv_scan s = {pre.delim, pre.nl, fields, AB_CSV_MAX_SNIFF_COLS, 0, 0, 0, 0};
    size_t pos = 0;
    uint64_t line = 1;
    ptrdiff_t n = 0;

    /* The header: the first record that is not a blank line. */
    for (;;) {
        n = pos < len ? ab__csv_scan_record(&s, p + pos, len - pos, eof) : 0;
        if (n <= 0) {
            int code = n == AB__CSV_UNTERMINATED ? AB_EPARSE : eof ? AB_EPARSE : AB_ELIMIT;
            rc = ab__error(err, code, source, line, 0,
                           n == AB__CSV_UNTERMINATED
                               ? "unterminated quoted field in the header: expected a closing '\"'"
                           : eof ? "no header line: the file holds only blank lines"
                                 : "no complete header line in the first 64 KiB");
            ab__error_offset(err, pre.bom_len + pos);
            return rc;
        }
        if (!(s.count == 1 && fields[0].len == 0 && fields[0].flags == 0)) {
            break;
        }
        pos += (size_t)n;
        line += 1 + s.newlines;
    }
    const char *rec = p + pos;
    out->columns = s.count;
    uint32_t named = s.count < AB_CSV_MAX_SNIFF_COLS ? s.count : AB_CSV_MAX_SNIFF_COLS;
    ab__csv_name names[AB_CSV_MAX_SNIFF_COLS];
    for (uint32_t c = 0; c < named; c++) {
        copy_name(out->names[c], sizeof(out->names[c]), rec, &fields[c]);
        if (fields[c].flags & AB__CSV_ESCAPED) {
            names[c].ptr = out->names[c];
            names[c].len = strlen(out->names[c]);
        } else {
            names[c].ptr = rec + fields[c].off;
            names[c].len = fields[c].len;
        }
        out->quoted |= (fields[c].flags & AB__CSV_QUOTED) != 0;
    }
    int idx[AB__R_COUNT];
    int roles_rc = ab__csv_roles(names, named, opts, out->roles, idx, source, err);
    out->case_idx = idx[AB__R_CASE];
    out->activity_idx = idx[AB__R_ACTIVITY];
    out->timestamp_idx = idx[AB__R_TIMESTAMP];
    out->start_idx = idx[AB__R_START];
    out->resource_idx = idx[AB__R_RESOURCE];
    out->lifecycle_idx = idx[AB__R_LIFECYCLE];
    pos += (size_t)n;
    line += 1 + s.newlines;

    /* The rows of the sample (complete records only, unless it is the whole input). */
    sniff_ts ts = {out->timestamp_idx, AB_TS_GUESS_INIT, 0, 0};
    sniff_ts st = {out->start_idx, AB_TS_GUESS_INIT, 0, 0};
    while (pos < len) {
        n = ab__csv_scan_record(&s, p + pos, len - pos, eof);
        if (n <= 0) {
            break;
        }
        rec = p + pos;
        pos += (size_t)n;
        line += 1 + s.newlines;
        if (s.count == 1 && fields[0].len == 0 && fields[0].flags == 0) {
            continue;
        }
        out->sample_rows++;
        uint32_t stored = s.count < s.cap ? s.count : s.cap;
        for (uint32_t c = 0; c < stored; c++) {
            out->quoted |= (fields[c].flags & AB__CSV_QUOTED) != 0;
        }
        if (s.count != out->columns) {
            out->ragged_rows++;
            continue;
        }
        sniff_feed(&ts, rec, fields, opts, out, 1);
        sniff_feed(&st, rec, fields, opts, out, 0);
    }

    size_t bad;
    out->utf8 = ab__utf8_valid(p, pos, &bad);
    if (!out->utf8) {
        out->utf8_bad_offset = pre.bom_len + bad;
        out->utf8_bad_line = 1;
        for (size_t i = 0; i < bad; i++) {
            out->utf8_bad_line += p[i] == pre.nl;
        }
    }

    sniff_ts *tc[2] = {&ts, &st};
    ab_ts_format *fmt[2] = {&out->ts_format, &out->start_format};
    int *amb[2] = {&out->ts_ambiguous, &out->start_ambiguous};
    for (int k = 0; k < 2; k++) {
        if (opts->ts_format.layout != AB_TS_AUTO) {
            *fmt[k] = opts->ts_format;
            continue;
        }
        uint32_t ok = ab__csv_ts_choose(&tc[k]->guess, fmt[k], amb[k]);
        tc[k]->unparsed = tc[k]->guess.seen - ok;
    }
    out->ts_values = ts.values;
    out->ts_unparsed = ts.unparsed;
    return roles_rc;
}
