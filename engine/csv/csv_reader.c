/*
 * csv/csv_reader.c: reads a CSV event log into a log builder. Input is
 * pulled in multi-megabyte windows and scanned in place: fields are spans of
 * the window, unescaped in place when they hold doubled quotes, timestamps
 * are parsed straight from it, and the builder interns what it keeps; a row
 * costs no allocation. While a timestamp column's layout is still open
 * (day-first and month-first both fit so far), rows are kept in the window
 * rather than turned into events, up to a bound, and replayed once the data
 * has decided.
 */
#include "csv/csv_int.h"
#include "log/log_int.h"
#include "time/time_int.h"

#include <stddef.h>
#include <stdio.h>

#define WINDOW_INIT (4u << 20)     /* First size of the input window, bytes. */
#define PROBE_DEFAULT (64u << 20)  /* Read-ahead while a layout is ambiguous. */
#define PROBE_MIN_BYTES (64u << 10)/* Read-ahead before a partial layout is trusted... */
#define PROBE_MIN_ROWS 1000u       /* ...or this many rows. */

/* next_record() results besides 1 (a record), 0 (end) and negative ab_status codes. */
#define NR_UNTERMINATED 2
#define NR_TOO_LONG 3

typedef struct ts_col {
    int col;             /* Column index, or -1. */
    const char *what;    /* "timestamp" or "start timestamp", for messages. */
    ab_ts_format fmt;    /* Layout in force. */
    int infer;           /* The layout comes from the data. */
    int decided;         /* Inference is over (or was never needed). */
    int ambiguous;       /* Chosen while day-first and month-first both fitted. */
    int epoch;           /* Epoch layouts are UTC by definition (never coerced). */
    ab_ts_guess guess;   /* Samples seen while probing. */
} ts_col;

typedef struct csv_reader {
    ab_ctx *ctx;
    ab_log_builder *b;
    ab_input *in;
    const ab_csv_options *opts;
    const char *source;       /* File name for messages. */
    ab_error *err;
    ab__csv_scan scan;        /* Field spans of the current record. */
    size_t fields_cap;        /* Allocated entries of scan.fields. */
    char *buf;                /* Input window (one spare byte past cap). */
    size_t cap;               /* Window size, bytes. */
    size_t len;               /* Valid bytes in buf. */
    size_t pos;               /* Start of the current record. */
    int eof;                  /* The input has no more bytes. */
    uint64_t base;            /* Input offset of buf[0]. */
    uint64_t line;            /* Physical line of the current record (1-based). */
    int probing;              /* Rows are being sampled, to be replayed from `keep`. */
    size_t keep;              /* While probing: the first byte that must stay in buf. */
    size_t probe_limit;       /* Most bytes sampled before a layout is chosen. */
    size_t max_record;        /* Longest record accepted, bytes. */
    size_t max_field;         /* Longest field accepted, bytes. */
    uint32_t ncols;           /* Header fields. */
    char *names_blob;         /* Header names, unescaped, NUL-separated. */
    ab__csv_name *names;      /* ncols names pointing into names_blob. */
    uint8_t *roles;           /* ab_csv_role per column. */
    int idx[AB__R_COUNT];     /* Column of each role, or -1. */
    ts_col ts, start;
    uint32_t *attr_cols;      /* Columns kept as event attributes. */
    uint32_t n_attr_cols;
    uint32_t *cattr_cols;     /* "case:" columns. */
    uint32_t n_cattr_cols;
    ab_attr_in *attrs;        /* Per-row attribute array (n_attr_cols + 1 entries). */
    ab_attr_in *cattrs;       /* Per-case attribute array (n_cattr_cols entries). */
    ab__strtab seen;          /* Case ids whose case attributes were sent. */
    int seen_live;            /* seen is initialised. */
    uint32_t last_seen;       /* Id + 1 in seen of the previous row's case (0 = none). */
    uint64_t coerced;         /* Timestamps read without a zone of their own. */
    uint64_t rows;            /* Data rows (blank lines excluded). */
} csv_reader;

/* ---- The input window. ---- */

static int error_at(csv_reader *r, int code, const char *rec, size_t at, const char *fmt, ...)
    AB__PRINTF(5, 6);

/* Fills err with the line, column and byte offset of rec[at] (rec is the current record). */
static int error_at(csv_reader *r, int code, const char *rec, size_t at, const char *fmt, ...)
{
    uint64_t line = r->line;
    size_t line_start = 0;
    for (size_t i = 0; i < at; i++) {
        if (rec[i] == r->scan.nl) {
            line++;
            line_start = i + 1;
        }
    }
    va_list ap;
    va_start(ap, fmt);
    ab__verror(r->err, code, r->source, line, at - line_start + 1, fmt, ap);
    va_end(ap);
    ab__error_offset(r->err, r->base + (uint64_t)(rec - r->buf) + at);
    return code;
}

/*
 * Makes room and reads until the window is full or the input ends. Bytes
 * before the current record (before `keep` while probing) are dropped; the
 * window grows only when one record, or the probed rows, fill it.
 */
static int fill(csv_reader *r)
{
    size_t drop = r->probing ? r->keep : r->pos;
    if (drop > 0) {
        memmove(r->buf, r->buf + drop, r->len - drop);
        r->len -= drop;
        r->pos -= drop;
        r->base += drop;
        if (r->probing) {
            r->keep = 0;
        }
    }
    if (r->len == r->cap) {
        size_t limit = r->max_record + (r->probing ? r->probe_limit : 0);
        if (r->cap >= limit) {
            return NR_TOO_LONG;
        }
        size_t ncap = r->cap * 2 < limit ? r->cap * 2 : limit;
        char *nb = ab__realloc(r->ctx, r->buf, ncap + 1);
        if (nb == NULL) {
            return ab__error(r->err, AB_ENOMEM, r->source, r->line, 0, "out of memory");
        }
        r->buf = nb;
        r->cap = ncap;
    }
    while (r->len < r->cap && !r->eof) {
        ptrdiff_t n = ab_input_read(r->in, r->buf + r->len, r->cap - r->len, r->err);
        if (n < 0) {
            return (int)n;
        }
        if (n == 0) {
            r->eof = 1;
        }
        r->len += (size_t)n;
    }
    return AB_OK;
}

/* Scans the record at pos: 1 (a record of *len_out bytes), 0 (end), NR_* or an error. */
static int next_record(csv_reader *r, size_t *len_out)
{
    for (;;) {
        size_t avail = r->len - r->pos;
        if (avail > 0) {
            ptrdiff_t n = ab__csv_scan_record(&r->scan, r->buf + r->pos, avail, r->eof);
            if (n > 0) {
                *len_out = (size_t)n;
                return 1;
            }
            if (n == AB__CSV_UNTERMINATED) {
                return NR_UNTERMINATED;
            }
        } else if (r->eof) {
            return 0;
        }
        int rc = fill(r);
        if (rc != AB_OK) {
            return rc;
        }
    }
}

/* Turns NR_UNTERMINATED and NR_TOO_LONG into errors. */
static int record_error(csv_reader *r, int nr)
{
    const char *rec = r->buf + r->pos;
    if (nr == NR_UNTERMINATED) {
        return error_at(r, AB_EPARSE, rec, r->scan.quote_off,
                        "unterminated quoted field (the record starts on line %llu): expected "
                        "a closing '\"' before the end of the file",
                        (unsigned long long)r->line);
    }
    int rc = ab__error(r->err, AB_ELIMIT, r->source, r->line, 1,
                       "a record longer than %zu bytes starts here (is a quote left open?)",
                       r->max_record);
    ab__error_offset(r->err, r->base + r->pos);
    return rc;
}

static void advance(csv_reader *r, size_t len)
{
    r->pos += len;
    r->line += 1 + r->scan.newlines;
}

static int is_blank(const ab__csv_scan *s)
{
    return s->count == 1 && s->fields[0].len == 0 && s->fields[0].flags == 0;
}

static int check_utf8(csv_reader *r, const char *rec, size_t len)
{
    /* Logs are mostly ASCII: OR eight bytes at a time, look closer only when a high bit shows. */
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, rec + i, 8);
        acc |= v;
    }
    for (; i < len; i++) {
        acc |= (unsigned char)rec[i];
    }
    size_t bad;
    if ((acc & 0x8080808080808080ull) == 0 || ab__utf8_valid(rec, len, &bad)) {
        return AB_OK;
    }
    return error_at(r, AB_EPARSE, rec, bad,
                    "invalid UTF-8 (byte 0x%02X): expected UTF-8 text; a Latin-1 or "
                    "Windows-1252 file converts with iconv -f WINDOWS-1252 -t UTF-8",
                    (unsigned char)rec[bad]);
}

/* ---- Header and roles. ---- */

static int ensure_fields(csv_reader *r, size_t need)
{
    if (need <= r->fields_cap) {
        return AB_OK;
    }
    if (AB_GROW(r->ctx, r->scan.fields, r->fields_cap, need) != AB_OK) {
        return ab__error(r->err, AB_ENOMEM, r->source, r->line, 0, "out of memory");
    }
    r->scan.cap = (uint32_t)(r->fields_cap > UINT32_MAX ? UINT32_MAX : r->fields_cap);
    return AB_OK;
}

static int read_header(csv_reader *r)
{
    size_t len = 0;
    int rc;
    for (;;) {
        rc = next_record(r, &len);
        if (rc == 0) {
            rc = ab__error(r->err, AB_EPARSE, r->source, r->line, 0,
                           "no header line: the file holds only blank lines");
            ab__error_offset(r->err, r->base + r->pos);
            return rc;
        }
        if (rc != 1) {
            return rc < 0 ? rc : record_error(r, rc);
        }
        if (r->scan.count > r->scan.cap) {
            /* More columns than room: grow and scan the same record again. */
            size_t limit = ab_ctx_limits(r->ctx)->max_attrs + 16;
            if (r->scan.count > limit) {
                rc = ab__error(r->err, AB_ELIMIT, r->source, r->line, 0,
                               "the header has %u columns (the limit is %zu)", r->scan.count,
                               limit);
                ab__error_offset(r->err, r->base + r->pos);
                return rc;
            }
            AB_TRY(ensure_fields(r, r->scan.count));
            continue;
        }
        if (!is_blank(&r->scan)) {
            break;
        }
        advance(r, len);
    }
    char *rec = r->buf + r->pos;
    AB_TRY(check_utf8(r, rec, len));
    r->ncols = r->scan.count;
    size_t total = 0;
    for (uint32_t c = 0; c < r->ncols; c++) {
        total += r->scan.fields[c].len + 1;
    }
    r->names_blob = ab__malloc(r->ctx, total);
    r->names = ab__calloc(r->ctx, r->ncols, sizeof(*r->names));
    r->roles = ab__calloc(r->ctx, r->ncols, 1);
    if (r->names_blob == NULL || r->names == NULL || r->roles == NULL) {
        return ab__error(r->err, AB_ENOMEM, r->source, r->line, 0, "out of memory");
    }
    char *o = r->names_blob;
    for (uint32_t c = 0; c < r->ncols; c++) {
        const ab__csv_field *f = &r->scan.fields[c];
        size_t n = f->len;
        if (f->flags & AB__CSV_ESCAPED) {
            n = ab__csv_unescape(o, rec + f->off, f->len);
        } else {
            memcpy(o, rec + f->off, n);
        }
        o[n] = '\0';
        r->names[c].ptr = o;
        r->names[c].len = n;
        o += n + 1;
    }
    advance(r, len);
    rc = AB_OK;
done:
    return rc;
}

static int setup_columns(csv_reader *r)
{
    int rc = ab__csv_roles(r->names, r->ncols, r->opts, r->roles, r->idx, r->source, r->err);
    if (rc != AB_OK) {
        return rc;
    }
    r->attr_cols = ab__calloc(r->ctx, r->ncols, sizeof(uint32_t));
    r->cattr_cols = ab__calloc(r->ctx, r->ncols, sizeof(uint32_t));
    r->attrs = ab__calloc(r->ctx, (size_t)r->ncols + 1, sizeof(ab_attr_in));
    r->cattrs = ab__calloc(r->ctx, r->ncols, sizeof(ab_attr_in));
    if (r->attr_cols == NULL || r->cattr_cols == NULL || r->attrs == NULL || r->cattrs == NULL) {
        return ab__error(r->err, AB_ENOMEM, r->source, 0, 0, "out of memory");
    }
    for (uint32_t c = 0; c < r->ncols; c++) {
        if (r->roles[c] == AB_CSV_ROLE_NONE && r->names[c].len > 0) {
            r->attr_cols[r->n_attr_cols++] = c;
        } else if (r->roles[c] == AB_CSV_ROLE_CASE_ATTR) {
            r->cattr_cols[r->n_cattr_cols++] = c;
        }
    }
    if (r->n_cattr_cols > 0) {
        if (ab__strtab_init(&r->seen, r->ctx) != AB_OK) {
            return ab__error(r->err, AB_ENOMEM, r->source, 0, 0, "out of memory");
        }
        r->seen_live = 1;
    }
    ts_col *tc[2] = {&r->ts, &r->start};
    int col[2] = {r->idx[AB__R_TIMESTAMP], r->idx[AB__R_START]};
    for (int k = 0; k < 2; k++) {
        ts_col *t = tc[k];
        ab_ts_guess g0 = AB_TS_GUESS_INIT;
        t->col = col[k];
        t->what = k == 0 ? "timestamp" : "start timestamp";
        t->guess = g0;
        t->fmt = r->opts->ts_format;
        t->decided = t->col < 0 || r->opts->ts_format.layout != AB_TS_AUTO;
        t->infer = !t->decided;
    }
    return AB_OK;
}

/* ---- Layout inference over the first rows. ---- */

static void ts_decide(ts_col *t, int enough, int final)
{
    if (t->decided) {
        return;
    }
    ab_ts_format fmt;
    int amb;
    uint32_t ok = ab__csv_ts_choose(&t->guess, &fmt, &amb);
    if (t->guess.seen == 0 && !final) {
        return;
    }
    /*
     * A layout that reads every value so far and is not open between
     * day-first and month-first is final at once; one that reads only some
     * needs a fair sample first; an open one waits for a day above 12.
     */
    if ((ok == t->guess.seen && !amb) || (enough && !amb) || final) {
        t->fmt = fmt;
        t->ambiguous = amb;
        t->decided = 1;
    }
}

static void feed_guess(csv_reader *r, ts_col *t, const char *rec)
{
    if (t->decided || t->col < 0) {
        return;
    }
    char tmp[128];
    size_t len;
    const char *s = ab__csv_field_text(rec, &r->scan.fields[t->col], tmp, sizeof(tmp), &len);
    if (len > 0 && !ab__csv_is_na(s, len)) {
        ab_ts_guess_feed(&t->guess, s, len);
    }
}

/*
 * Reads rows ahead, without emitting them, until every inferred column has
 * a layout, then rewinds to the first data row. A scan error stops the
 * probe early; the replay meets it again and reports it in place.
 */
static int probe(csv_reader *r)
{
    if (r->ts.decided && r->start.decided) {
        return AB_OK;
    }
    uint64_t line0 = r->line;
    uint32_t rows = 0;
    int rc = AB_OK;
    r->probing = 1;
    r->keep = r->pos;
    for (;;) {
        size_t len = 0;
        rc = next_record(r, &len);
        if (rc != 1) {
            break;
        }
        if (r->scan.count == r->ncols) {
            const char *rec = r->buf + r->pos;
            feed_guess(r, &r->ts, rec);
            feed_guess(r, &r->start, rec);
            rows++;
        }
        advance(r, len);
        size_t sampled = r->pos - r->keep;
        int enough = sampled >= PROBE_MIN_BYTES || rows >= PROBE_MIN_ROWS;
        ts_decide(&r->ts, enough, 0);
        ts_decide(&r->start, enough, 0);
        if ((r->ts.decided && r->start.decided) || sampled >= r->probe_limit) {
            break;
        }
    }
    r->probing = 0;
    r->pos = r->keep;
    r->keep = 0;
    r->line = line0;
    if (rc < 0) {
        return rc;
    }
    ts_decide(&r->ts, 1, 1);
    ts_decide(&r->start, 1, 1);
    ts_col *tc[2] = {&r->ts, &r->start};
    for (int k = 0; k < 2; k++) {
        ts_col *t = tc[k];
        if (!t->infer || t->col < 0 || t->guess.seen == 0) {
            continue;
        }
        if (t->fmt.layout == AB_TS_AUTO) {
            return ab__error(r->err, AB_EPARSE, r->source, 0, 0,
                             "no value of the %s column '%s' reads as a timestamp in the first "
                             "%u rows; name its layout with --timestamp-format%s",
                             t->what, r->names[t->col].ptr, rows,
                             k == 1 ? ", or ignore the column with --start-timestamp ''" : "");
        }
        if (t->ambiguous) {
            ab_ctx_diag(r->ctx, AB_DIAG_WARN,
                        "%s: the %s column '%s' fits both month-first and day-first in the "
                        "first %u rows; reading it as month-first (--timestamp-format dmy says "
                        "otherwise); a day-first value later in the file stops the read",
                        r->source, t->what, r->names[t->col].ptr, rows);
        }
    }
    return AB_OK;
}

/* ---- Rows to events. ---- */

enum { T_OK = 0, T_MISSING = 1, T_BAD = 2 };

/* Parses one timestamp: T_OK, T_MISSING, T_BAD, or a negative status (fatal). */
static int parse_time(csv_reader *r, ts_col *t, const char *rec, const ab__csv_field *f,
                      ab_time *out)
{
    const char *s = rec + f->off;
    size_t len = f->len;
    if (len == 0 || ab__csv_is_na(s, len)) {
        return T_MISSING;
    }
    bool zone;
    if (ab__time_parse_fast(out, s, len, &t->fmt, r->opts->tz, &zone) == AB_OK) {
        if (t->fmt.layout == AB_TS_ISO8601) {
            r->coerced += !zone;
        } else if (t->fmt.layout != AB_TS_EPOCH_S && t->fmt.layout != AB_TS_EPOCH_MS &&
                   !ab__csv_has_zone(s, len)) {
            r->coerced++;
        }
        return T_OK;
    }
    if (t->ambiguous) {
        /* The guard that keeps an ambiguous choice from turning into a silent misreading. */
        ab_ts_format other;
        memset(&other, 0, sizeof(other));
        other.layout = t->fmt.layout == AB_TS_MDY ? AB_TS_DMY : AB_TS_MDY;
        ab_time tmp;
        if (ab_time_parse(&tmp, s, len, &other, r->opts->tz, NULL) == AB_OK) {
            char name[32];
            ab_ts_format_name(&other, name, sizeof(name));
            return error_at(r, AB_EPARSE, rec, f->off,
                            "'%.*s' in the %s column '%s' reads only as %s, but earlier rows "
                            "fitted both layouts and were read the other way; run again with "
                            "--timestamp-format %s",
                            (int)(len > 40 ? 40 : len), s, t->what, r->names[t->col].ptr, name,
                            name);
        }
    }
    return T_BAD;
}

static const char *field_ptr(const char *rec, const ab__csv_field *f, size_t *len_out)
{
    *len_out = f->len;
    return rec + f->off;
}

static int drop_time(csv_reader *r, ts_col *t, int result, const char *rec,
                     const ab__csv_field *f)
{
    char msg[256];
    char fmt[64];
    if (result == T_MISSING) {
        snprintf(msg, sizeof(msg), "line %llu: empty %s in column '%s'",
                 (unsigned long long)r->line, t->what, r->names[t->col].ptr);
        return ab_log_builder_drop(r->b, AB_DROP_MISSING_TIMESTAMP, r->line, msg, r->err);
    }
    ab_ts_format_name(&t->fmt, fmt, sizeof(fmt));
    snprintf(msg, sizeof(msg), "line %llu: unparsable %s '%.*s' in column '%s' (expected %s)",
             (unsigned long long)r->line, t->what, (int)(f->len > 48 ? 48 : f->len),
             rec + f->off, r->names[t->col].ptr, fmt);
    return ab_log_builder_drop(r->b, AB_DROP_BAD_TIMESTAMP, r->line, msg, r->err);
}

static int send_case_attrs(csv_reader *r, const char *rec, const char *case_id, size_t case_len)
{
    /* Rows of a case usually follow each other: the previous row's case needs no lookup. */
    if (ab__strtab_is(&r->seen, r->last_seen, case_id, case_len)) {
        return AB_OK;
    }
    uint32_t before = r->seen.count, id;
    if (ab__strtab_intern(&r->seen, case_id, case_len, &id) != AB_OK) {
        return ab__error(r->err, AB_ENOMEM, r->source, r->line, 0, "out of memory");
    }
    r->last_seen = id + 1;
    if (r->seen.count == before) {
        return AB_OK; /* The case's first row set them (PM4Py keeps the first too). */
    }
    size_t n = 0;
    for (uint32_t k = 0; k < r->n_cattr_cols; k++) {
        uint32_t c = r->cattr_cols[k];
        const ab__csv_field *f = &r->scan.fields[c];
        if (f->len == 0) {
            continue;
        }
        ab_attr_in *a = &r->cattrs[n++];
        a->key = r->names[c].ptr + 5; /* Without "case:", as an XES trace attribute. */
        a->key_len = r->names[c].len - 5;
        a->value.type = AB_ATTR_STRING;
        a->value.u.s.ptr = rec + f->off;
        a->value.u.s.len = f->len;
        a->parent = -1;
    }
    if (n == 0) {
        return AB_OK;
    }
    return ab_log_builder_add_case_attrs(r->b, case_id, case_len, r->cattrs, n, r->err);
}

static int emit_row(csv_reader *r, char *rec, size_t rec_len)
{
    ab__csv_scan *s = &r->scan;
    if (is_blank(s)) {
        return AB_OK; /* pandas skips blank lines too. */
    }
    r->rows++;
    int rc = check_utf8(r, rec, rec_len);
    if (rc != AB_OK) {
        return rc;
    }
    if (s->count != r->ncols) {
        char msg[160];
        snprintf(msg, sizeof(msg), "line %llu: %u field%s where the header has %u",
                 (unsigned long long)r->line, s->count, s->count == 1 ? "" : "s", r->ncols);
        return ab_log_builder_drop(r->b, AB_DROP_RAGGED_ROW, r->line, msg, r->err);
    }
    ab__csv_field *f = s->fields;
    /* Most rows need neither pass: no doubled quotes, and too short for a long field. */
    for (uint32_t c = 0; c < r->ncols && (s->escaped > 0 || rec_len > r->max_field); c++) {
        if (f[c].flags & AB__CSV_ESCAPED) {
            f[c].len = (uint32_t)ab__csv_unescape(rec + f[c].off, rec + f[c].off, f[c].len);
        }
        if (f[c].len > r->max_field) {
            return error_at(r, AB_ELIMIT, rec, f[c].off,
                            "a field of %u bytes in column '%s' (the limit is %zu)", f[c].len,
                            r->names[c].ptr, r->max_field);
        }
    }

    ab_event_in ev;
    memset(&ev, 0, sizeof(ev));
    ev.case_id = field_ptr(rec, &f[r->idx[AB__R_CASE]], &ev.case_id_len);
    ev.activity = field_ptr(rec, &f[r->idx[AB__R_ACTIVITY]], &ev.activity_len);
    /* In the case and activity columns only an empty field is missing: "NA"
     * is a real patient case in the sepsis log, and "None" can name a step.
     * NA-like tokens stay missing in the time, resource and attribute
     * columns, where they stand for no value. */
    ev.ts = AB_TIME_NONE;
    ev.start_ts = AB_TIME_NONE;
    ev.line = r->line;
    if (ev.case_id_len > 0 && ev.activity_len > 0) {
        /* Time is checked only for rows the builder would keep: one reason per row, as PM4Py. */
        if (r->ts.col >= 0) {
            rc = parse_time(r, &r->ts, rec, &f[r->ts.col], &ev.ts);
            if (rc != T_OK) {
                return rc < 0 ? rc : drop_time(r, &r->ts, rc, rec, &f[r->ts.col]);
            }
        }
        if (r->start.col >= 0) {
            rc = parse_time(r, &r->start, rec, &f[r->start.col], &ev.start_ts);
            if (rc == T_BAD || rc < 0) {
                return rc < 0 ? rc : drop_time(r, &r->start, rc, rec, &f[r->start.col]);
            }
        }
    }
    int ci = r->idx[AB__R_RESOURCE];
    if (ci >= 0 && f[ci].len > 0) {
        ev.resource = field_ptr(rec, &f[ci], &ev.resource_len);
        if (ab__csv_is_na(ev.resource, ev.resource_len)) {
            ev.resource = NULL;
            ev.resource_len = 0;
        }
    }
    size_t n = 0;
    for (uint32_t k = 0; k < r->n_attr_cols; k++) {
        uint32_t c = r->attr_cols[k];
        if (f[c].len == 0) {
            continue;
        }
        ab_attr_in *a = &r->attrs[n++];
        a->key = r->names[c].ptr;
        a->key_len = r->names[c].len;
        a->value.type = AB_ATTR_STRING;
        a->value.u.s.ptr = rec + f[c].off;
        a->value.u.s.len = f[c].len;
        a->parent = -1;
    }
    ci = r->idx[AB__R_LIFECYCLE];
    if (ci >= 0 && f[ci].len > 0) {
        ev.lifecycle = ab_lifecycle_from_string(rec + f[ci].off, f[ci].len);
        if (ev.lifecycle == AB_LC_OTHER) {
            ab_attr_in *a = &r->attrs[n++];
            a->key = "lifecycle:transition";
            a->key_len = strlen(a->key);
            a->value.type = AB_ATTR_STRING;
            a->value.u.s.ptr = rec + f[ci].off;
            a->value.u.s.len = f[ci].len;
            a->parent = -1;
        }
    }
    ev.attrs = n > 0 ? r->attrs : NULL;
    ev.attr_count = n;
    uint64_t before = ab_log_builder_event_count(r->b);
    rc = ab_log_builder_add_event(r->b, &ev, r->err);
    if (rc == AB_OK && r->n_cattr_cols > 0 && ab_log_builder_event_count(r->b) > before) {
        rc = send_case_attrs(r, rec, ev.case_id, ev.case_id_len);
    }
    return rc;
}

/* ---- Facts for the report. ---- */

static int set_meta(csv_reader *r, const ab__csv_prelude *pre)
{
    static const char *const keys[AB__R_COUNT] = {
        "case_column", "activity_column", "timestamp_column",
        "start_column", "resource_column", "lifecycle_column",
    };
    char delim[2] = {pre->delim, '\0'};
    char fmt[80];
    int rc = ab_log_builder_set_meta(r->b, "format", "csv");
    if (rc == AB_OK) {
        rc = ab_log_builder_set_meta(r->b, "delimiter", pre->delim == '\t' ? "tab" : delim);
    }
    if (rc == AB_OK) {
        rc = ab_log_builder_set_meta(r->b, "encoding", pre->bom_len ? "UTF-8 with BOM" : "UTF-8");
    }
    for (int k = 0; k < AB__R_COUNT && rc == AB_OK; k++) {
        if (r->idx[k] >= 0) {
            rc = ab_log_builder_set_meta(r->b, keys[k], r->names[r->idx[k]].ptr);
        }
    }
    ts_col *tc[2] = {&r->ts, &r->start};
    static const char *const fkeys[2] = {"timestamp_format", "start_timestamp_format"};
    static const char *const akeys[2] = {"timestamp_ambiguous", "start_timestamp_ambiguous"};
    for (int k = 0; k < 2 && rc == AB_OK; k++) {
        if (tc[k]->col < 0) {
            continue;
        }
        ab_ts_format_name(&tc[k]->fmt, fmt, sizeof(fmt));
        rc = ab_log_builder_set_meta(r->b, fkeys[k], fmt);
        if (rc == AB_OK && tc[k]->ambiguous) {
            rc = ab_log_builder_set_meta(r->b, akeys[k],
                                         "month-first and day-first both fit; read as "
                                         "month-first");
        }
    }
    if (rc != AB_OK) {
        return ab__error(r->err, rc, r->source, 0, 0, "out of memory");
    }
    return AB_OK;
}

/* ---- Entry point. ---- */

/*
 * For a chunk (opts->first_offset or first_line set), the NUL check that the
 * whole file gets: over the bytes of the sample that lie in the file's
 * first 64 KiB, the header (the input's bytes up to the end of the first
 * record that is not blank) and the chunk's bytes before file offset 64 KiB.
 */
static int chunk_nul_check(const char *p, size_t len, const ab__csv_prelude *pre,
                           const ab_csv_options *opts, const char *source, ab_error *err)
{
    const size_t sample_max = 64u << 10;
    ab__csv_field f0;
    ab__csv_scan s;
    memset(&s, 0, sizeof(s));
    s.delim = pre->delim;
    s.nl = pre->nl;
    s.fields = &f0;
    s.cap = 1;
    size_t hdr = len; /* No complete header in the sample: all of it is header. */
    for (size_t pos = pre->bom_len; pos < len;) {
        ptrdiff_t n = ab__csv_scan_record(&s, p + pos, len - pos, len < sample_max);
        if (n <= 0) {
            break;
        }
        pos += (size_t)n;
        if (!(s.count == 1 && f0.len == 0 && f0.flags == 0)) {
            hdr = pos;
            break;
        }
    }
    int rc = ab__csv_nul_check(p, hdr, 1, 0, source, err);
    uint64_t at = opts->first_offset != 0 ? opts->first_offset : hdr;
    if (rc != AB_OK || at >= sample_max || hdr >= len) {
        return rc;
    }
    size_t n = (size_t)(sample_max - at) < len - hdr ? (size_t)(sample_max - at) : len - hdr;
    uint64_t line0 = 1;
    for (size_t i = 0; i < hdr; i++) {
        line0 += p[i] == '\n';
    }
    if (opts->first_line != 0) {
        /* Lines before the chunk counted by the terminator: LFs, unless the file ends lines with CR
         * alone (then its first 64 KiB hold no LF). */
        line0 = pre->nl == '\n' ? opts->first_line : 1;
    }
    return ab__csv_nul_check(p + hdr, n, line0, at, source, err);
}

static void reader_free(csv_reader *r)
{
    ab__free(r->ctx, r->buf);
    ab__free(r->ctx, r->scan.fields);
    ab__free(r->ctx, r->names_blob);
    ab__free(r->ctx, r->names);
    ab__free(r->ctx, r->roles);
    ab__free(r->ctx, r->attr_cols);
    ab__free(r->ctx, r->cattr_cols);
    ab__free(r->ctx, r->attrs);
    ab__free(r->ctx, r->cattrs);
    if (r->seen_live) {
        ab__strtab_finish(&r->seen);
    }
}

int ab_csv_read(ab_log_builder *b, ab_input *in, const ab_csv_options *opts, ab_error *err)
{
    ab_csv_options defaults = AB_CSV_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    const char *source = ab_input_name(in);
    ab_csv_options now = AB_CSV_OPTIONS_INIT;
    if (opts->version == 1) {
        /* A version 1 structure ends before first_line. */
        memcpy(&now, opts, offsetof(ab_csv_options, first_line));
        now.version = AB_CSV_OPTIONS_VERSION;
        opts = &now;
    } else if (opts->version != AB_CSV_OPTIONS_VERSION) {
        return ab__error(err, AB_EINVAL, source, 0, 0, "ab_csv_options: unknown version %u",
                         opts->version);
    }
    /* A chunk of a larger file: the records after the header are placed in it. */
    const int chunk = opts->first_line != 0 || opts->first_offset != 0;
    csv_reader rd;
    csv_reader *r = &rd;
    memset(r, 0, sizeof(*r));
    r->ctx = ab__log_builder_ctx(b);
    r->b = b;
    r->in = in;
    r->opts = opts;
    r->source = source;
    r->err = err;
    r->line = 1;
    const ab_limits *lim = ab_ctx_limits(r->ctx);
    /* A record may hold a few maximal fields; spans are 32-bit, so records stay below 2 GiB. */
    r->max_field = lim->max_field_len < UINT32_MAX / 4 ? lim->max_field_len : UINT32_MAX / 4;
    r->max_record = r->max_field < (1u << 20) ? (2u << 20) : r->max_field * 2;
    r->probe_limit = opts->ts_probe_bytes != 0 ? opts->ts_probe_bytes : PROBE_DEFAULT;

    int rc = ab_log_builder_set_source(b, source);
    if (rc != AB_OK) {
        return ab__error(err, rc, source, 0, 0, "out of memory");
    }
    const void *sample;
    size_t sample_len;
    AB_TRY(ab_input_peek(in, &sample, &sample_len, err));
    ab__csv_prelude pre;
    AB_TRY(ab__csv_prelude_read(&pre, sample, sample_len, sample_len < (64u << 10), !chunk, opts,
                                source, err));
    if (chunk) {
        AB_TRY(chunk_nul_check(sample, sample_len, &pre, opts, source, err));
    }
    r->scan.delim = pre.delim;
    r->scan.nl = pre.nl;

    r->cap = WINDOW_INIT;
    r->buf = ab__malloc(r->ctx, r->cap + 1);
    if (r->buf == NULL) {
        rc = ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory");
        goto done;
    }
    AB_TRY(ensure_fields(r, 64));
    AB_TRY(fill(r));
    r->pos = pre.bom_len; /* The BOM counts in byte offsets, not in the first field. */
    AB_TRY(read_header(r));
    if (opts->first_line != 0) {
        r->line = opts->first_line;
    }
    if (opts->first_offset != 0) {
        /* From here on base + index is an offset in the file (modulo 2^64: base may wrap). */
        r->base = opts->first_offset - (uint64_t)r->pos;
    }
    AB_TRY(setup_columns(r));
    AB_TRY(ensure_fields(r, r->ncols));
    AB_TRY(probe(r));
    AB_TRY(set_meta(r, &pre));

    for (;;) {
        size_t len = 0;
        rc = next_record(r, &len);
        if (rc == 0) {
            break;
        }
        if (rc != 1) {
            rc = rc < 0 ? rc : record_error(r, rc);
            goto done;
        }
        AB_TRY(emit_row(r, r->buf + r->pos, len));
        advance(r, len);
    }
    if (r->rows == 0 && !chunk) {
        rc = ab__error(err, AB_EPARSE, source, r->line, 0,
                       "header only: expected data rows after the header");
        ab__error_offset(err, r->base + r->pos);
        goto done;
    }
    ab_log_builder_note_coerced(b, r->coerced);
    rc = AB_OK;
done:
    reader_free(r);
    return rc;
}
