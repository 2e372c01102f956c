/*
 * log/log_builder.c: turns a stream of events from any reader into an
 * ab_log. Events are appended to columns in arrival order (cases may
 * interleave and span files); finish() groups them by case with a counting
 * sort, orders each case stably by (timestamp, start timestamp, position),
 * and computes variants. Memory is a few columns of fixed-width integers plus
 * the packed attributes, so peak memory grows linearly and modestly with
 * the event count.
 */
#include "log/log_int.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct sort_key {
    ab_time ts;
    ab_time start;
    uint32_t idx; /* Position in the input: the final tie-break keeps the sort stable. */
} sort_key;

/* The case being collected, and what is kept across cases. */
typedef struct sink_state {
    char *id;               /* Id of the current case (NUL-terminated copy). */
    size_t id_len;
    size_t id_cap;
    int open;               /* A case is being collected. */
    uint32_t *act;          /* Its events, in input order. */
    ab_time *ts;
    ab_time *start;
    uint8_t *lc;
    uint64_t *line;         /* Input line per event (for messages). */
    size_t n;               /* Events collected. */
    size_t cap;             /* Capacity of the event arrays. */
    int any_start;          /* Some event of the case has a start time. */
    uint32_t *o_act;        /* The case in log order, as handed over. */
    ab_time *o_ts;
    ab_time *o_start;
    uint8_t *o_lc;
    sort_key *keys;         /* Sort scratch. */
    size_t keys_cap;
    uint64_t *seen;         /* Set of 64-bit fingerprints of case ids (0 = empty slot). */
    size_t seen_mask;       /* Slots - 1. */
    size_t seen_count;      /* Fingerprints stored. */
    uint64_t *act_events;   /* Events handed over per activity id. */
    size_t act_cap;
    uint64_t cases;         /* Cases handed over. */
    uint64_t events;        /* Events accepted (handed over or pending). */
    int emitted_untimed;    /* A case without timestamps was handed over before any timestamp. */
    uint64_t pending_untimed; /* Untimed events of the current case, while the log has no time. */
} sink_state;

static void sink_free(ab_ctx *ctx, sink_state *k)
{
    if (k == NULL) {
        return;
    }
    void *arrays[] = {k->id,    k->act,  k->ts,   k->start, k->lc,   k->line,
                      k->o_act, k->o_ts, k->o_start, k->o_lc, k->keys, k->seen, k->act_events};
    for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++) {
        ab__free(ctx, arrays[i]);
    }
    ab__free(ctx, k);
}

struct ab_log_builder {
    ab_ctx *ctx;
    int trust_grouping;      /* Each case's events are known to arrive together. */
    ab_log *log;             /* Filled as events arrive. */
    ab_log_options opts;
    char *source;            /* Current source name, for messages. */
    const char *last_case;   /* Cache of the last case id seen (points into cases). */
    uint32_t last_case_len;
    uint32_t last_case_id;
    uint32_t last_res;       /* Id + 1 of the last resource (0 = none). */
    uint64_t *cattr_head;    /* Per builder case id: offset+1 of the latest attribute chunk. */
    size_t cattr_head_cap;
    uint64_t missing_ts;     /* Events accepted without a timestamp. */
    uint64_t missing_ts_lines[AB_DQ_LINES];
    uint8_t *ev_missing;     /* Per event: 1 if it had no timestamp (allocated lazily). */
    uint64_t trace_no;       /* XES traces numbered so far, across files. */
    struct sink_state *sink; /* One-pass mode (opts.case_sink), or NULL. */
    int has_fp;              /* fp is set (partials and the reading options agree on it). */
    uint64_t fp;             /* Options fingerprint of what was read. */
    char *fp_text;           /* Its options text. */
    char *fp_source;         /* Where it came from, for messages. */
};

static const char *const drop_names[AB_DROP__COUNT] = {
    "missing_case_id",   "missing_activity", "missing_timestamp", "unparsable_timestamp",
    "ragged_row",        "lifecycle_filter", "empty_trace",
};

const char *ab_drop_reason_name(ab_drop_reason r)
{
    return (unsigned)r < AB_DROP__COUNT ? drop_names[r] : "unknown";
}

static const char *const lc_names[] = {
    "",        "complete",   "start",     "schedule", "assign",     "reassign", "suspend",
    "resume",  "ate_abort",  "withdraw",  "autoskip", "manualskip", "other",
};

const char *ab_lifecycle_name(ab_lifecycle lc)
{
    return (unsigned)lc <= AB_LC_OTHER ? lc_names[lc] : "other";
}

ab_lifecycle ab_lifecycle_from_string(const char *s, size_t len)
{
    if (s == NULL || len == 0) {
        return AB_LC_NONE;
    }
    /* Nearly every event says complete, in one of two spellings. */
    if (len == 8 && (memcmp(s, "complete", 8) == 0 || memcmp(s, "COMPLETE", 8) == 0)) {
        return AB_LC_COMPLETE;
    }
    switch (s[0] | 0x20) {
    case 'c':
        if (ab__ieq(s, len, "complete")) {
            return AB_LC_COMPLETE;
        }
        break;
    case 's':
        if (ab__ieq(s, len, "start")) {
            return AB_LC_START;
        }
        if (ab__ieq(s, len, "schedule")) {
            return AB_LC_SCHEDULE;
        }
        if (ab__ieq(s, len, "suspend")) {
            return AB_LC_SUSPEND;
        }
        break;
    case 'a':
        if (ab__ieq(s, len, "assign")) {
            return AB_LC_ASSIGN;
        }
        if (ab__ieq(s, len, "ate_abort")) {
            return AB_LC_ABORT;
        }
        if (ab__ieq(s, len, "autoskip")) {
            return AB_LC_AUTOSKIP;
        }
        break;
    case 'r':
        if (ab__ieq(s, len, "reassign")) {
            return AB_LC_REASSIGN;
        }
        if (ab__ieq(s, len, "resume")) {
            return AB_LC_RESUME;
        }
        break;
    case 'p':
        if (ab__ieq(s, len, "pi_abort")) {
            return AB_LC_ABORT;
        }
        break;
    case 'w':
        if (ab__ieq(s, len, "withdraw")) {
            return AB_LC_WITHDRAW;
        }
        break;
    case 'm':
        if (ab__ieq(s, len, "manualskip")) {
            return AB_LC_MANUALSKIP;
        }
        break;
    default:
        break;
    }
    return AB_LC_OTHER;
}

/* ---- Attribute packing. ---- */

static inline size_t varint_put(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

uint64_t ab__varint_get(const uint8_t **pp)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    unsigned shift = 0;
    while (*p & 0x80) {
        v |= (uint64_t)(*p & 0x7f) << shift;
        shift += 7;
        p++;
    }
    v |= (uint64_t)*p << shift;
    *pp = p + 1;
    return v;
}

static inline uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/*
 * The key id of attrs[i]: checked first against the key seen at the same
 * position last time, then against a small table by length and end bytes
 * (events with optional attributes shift the positions), then interned.
 */
static int key_id(ab_log *log, size_t i, const char *key, size_t len, uint32_t *out)
{
    ab__attr_enc *enc = log->enc;
    if (enc == NULL) {
        return ab__strtab_intern(&log->keys, key, len, out);
    }
    uint32_t *pos = i < AB__ENC_POSITIONS ? &enc->pos_key[i] : NULL;
    if (pos != NULL && ab__strtab_is(&log->keys, *pos, key, len)) {
        *out = *pos - 1;
        return AB_OK;
    }
    uint32_t *memo = &enc->memo_key[ab__memo_slot(key, len, AB__ENC_MEMO)];
    if (!ab__strtab_is(&log->keys, *memo, key, len)) {
        int rc = ab__strtab_intern(&log->keys, key, len, out);
        if (rc != AB_OK) {
            return rc;
        }
        *memo = *out + 1;
    }
    *out = *memo - 1;
    if (pos != NULL) {
        *pos = *memo;
    }
    return AB_OK;
}

/*
 * Values of a key are interned until they prove mostly unique: after 32
 * values of which three quarters were new, the key's later values are
 * stored in place. Repeating values (an origin, a status) keep costing one
 * small id; identifiers and free text cost their bytes once and no hashing.
 */
#define INLINE_SAMPLE 32u

/* The statistics of a key (*out = NULL once the log is finished). AB_ENOMEM. */
static int key_stats(ab_log *log, uint32_t key, ab__key_stats **out)
{
    ab__attr_enc *enc = log->enc;
    *out = NULL;
    if (enc == NULL) {
        return AB_OK;
    }
    if (key >= enc->ks_cap) {
        size_t old = enc->ks_cap;
        if (AB_GROW(log->ctx, enc->ks, enc->ks_cap, (size_t)key + 1) != AB_OK) {
            return AB_ENOMEM;
        }
        memset(enc->ks + old, 0, (enc->ks_cap - old) * sizeof(*enc->ks));
    }
    *out = &enc->ks[key];
    return AB_OK;
}

int ab__log_put_attrs(ab_log *log, uint8_t **blob, size_t *len, size_t *cap,
                      const ab_attr_in *attrs, size_t count)
{
    /* Worst case per attribute: key 5 + type 1 + parent 5 + value 10, or a
     * string in place (5 + its bytes + NUL). */
    size_t need = *len + 10 + count * 21;
    for (size_t i = 0; i < count; i++) {
        if (attrs[i].value.type == AB_ATTR_STRING || attrs[i].value.type == AB_ATTR_ID) {
            need += attrs[i].value.u.s.len;
        }
    }
    if (AB_GROW(log->ctx, *blob, *cap, need) != AB_OK) {
        return AB_ENOMEM;
    }
    uint8_t *p = *blob + *len;
    p += varint_put(p, count);
    for (size_t i = 0; i < count; i++) {
        const ab_attr_in *a = &attrs[i];
        uint32_t key;
        int rc = key_id(log, i, a->key, a->key_len, &key);
        if (rc != AB_OK) {
            return rc;
        }
        p += varint_put(p, key);
        uint8_t *type = p++;
        *type = (uint8_t)a->value.type;
        p += varint_put(p, (uint64_t)(a->parent + 1));
        switch (a->value.type) {
        case AB_ATTR_STRING:
        case AB_ATTR_ID: {
            const char *v = a->value.u.s.ptr != NULL ? a->value.u.s.ptr : "";
            size_t n = a->value.u.s.len;
            ab__key_stats *ks;
            rc = key_stats(log, key, &ks);
            if (rc != AB_OK) {
                return rc;
            }
            if (ks != NULL && ks->inline_) {
                *type |= AB__ATTR_INLINE;
                p += varint_put(p, n);
                memcpy(p, v, n);
                p[n] = '\0';
                p += n + 1;
                break;
            }
            uint32_t vid;
            if (ks != NULL && ab__strtab_is(&log->vals, ks->last_vid, v, n)) {
                vid = ks->last_vid - 1;
            } else {
                uint32_t before = log->vals.count;
                rc = ab__strtab_intern(&log->vals, v, n, &vid);
                if (rc != AB_OK) {
                    return rc;
                }
                if (ks != NULL) {
                    ks->fresh += log->vals.count != before;
                    ks->last_vid = vid + 1;
                }
            }
            if (ks != NULL && ++ks->seen >= INLINE_SAMPLE && ks->fresh * 4 >= ks->seen * 3) {
                ks->inline_ = 1;
            }
            p += varint_put(p, vid);
            break;
        }
        case AB_ATTR_INT:
            p += varint_put(p, zigzag(a->value.u.i));
            break;
        case AB_ATTR_DATE:
            p += varint_put(p, zigzag(a->value.u.t));
            break;
        case AB_ATTR_FLOAT:
            memcpy(p, &a->value.u.f, 8);
            p += 8;
            break;
        case AB_ATTR_BOOLEAN:
            *p++ = (uint8_t)(a->value.u.b != 0);
            break;
        default:
            break;
        }
    }
    *len = (size_t)(p - *blob);
    return AB_OK;
}

size_t ab__log_get_attr(const ab_log *log, const uint8_t *start, uint32_t *key_out,
                        ab_value *val_out, int32_t *parent_out)
{
    const uint8_t *p = start;
    *key_out = (uint32_t)ab__varint_get(&p);
    ab_value v;
    memset(&v, 0, sizeof(v));
    unsigned tb = *p++;
    v.type = (ab_attr_type)(tb & ~AB__ATTR_INLINE);
    *parent_out = (int32_t)ab__varint_get(&p) - 1;
    if (tb & AB__ATTR_INLINE) {
        v.u.s.len = (size_t)ab__varint_get(&p);
        v.u.s.ptr = (const char *)p;
        p += v.u.s.len + 1;
        *val_out = v;
        return (size_t)(p - start);
    }
    switch (v.type) {
    case AB_ATTR_STRING:
    case AB_ATTR_ID: {
        uint32_t vid = (uint32_t)ab__varint_get(&p);
        v.u.s.ptr = ab__strtab_str(&log->vals, vid);
        v.u.s.len = ab__strtab_len(&log->vals, vid);
        break;
    }
    case AB_ATTR_INT:
        v.u.i = unzigzag(ab__varint_get(&p));
        break;
    case AB_ATTR_DATE:
        v.u.t = unzigzag(ab__varint_get(&p));
        break;
    case AB_ATTR_FLOAT:
        memcpy(&v.u.f, p, 8);
        p += 8;
        break;
    case AB_ATTR_BOOLEAN:
        v.u.b = *p++;
        break;
    default:
        break;
    }
    *val_out = v;
    return (size_t)(p - start);
}

/* ---- Builder. ---- */

static void enc_free(ab_log *log)
{
    if (log->enc != NULL) {
        ab__free(log->ctx, log->enc->ks);
        ab__free(log->ctx, log->enc);
        log->enc = NULL;
    }
}

void ab__log_free(ab_log *log)
{
    if (log == NULL) {
        return;
    }
    ab_ctx *ctx = log->ctx;
    ab__strtab_finish(&log->acts);
    ab__strtab_finish(&log->res);
    ab__strtab_finish(&log->cases);
    ab__strtab_finish(&log->keys);
    ab__strtab_finish(&log->vals);
    void *arrays[] = {
        log->ev_case,      log->ev_act,       log->ev_ts,        log->ev_start,
        log->ev_res,       log->ev_lc,        log->ev_attr,      log->attr_blob,
        log->cattr_blob,   log->lattr_blob,   log->case_sid,     log->case_first,
        log->case_len,     log->case_variant, log->case_cattr,   log->var_cases,
        log->var_len,      log->var_seq_off,  log->var_seq,      log->var_case_off,
        log->var_case_list, log->act_events,  log->act_sorted,
    };
    for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++) {
        ab__free(ctx, arrays[i]);
    }
    for (size_t i = 0; i < log->meta_count; i++) {
        ab__free(ctx, log->meta[i].key);
        ab__free(ctx, log->meta[i].value);
    }
    ab__free(ctx, log->meta);
    enc_free(log);
    ab__free(ctx, log);
}

int ab_log_builder_create(ab_log_builder **out, ab_ctx *ctx, const ab_log_options *opts)
{
    ab_log_options defaults = AB_LOG_OPTIONS_INIT;
    *out = NULL;
    if (opts == NULL) {
        opts = &defaults;
    }
    if (opts->version != AB_LOG_OPTIONS_VERSION) {
        return AB_EINVAL;
    }
    ab_log_builder *b = ab__calloc(ctx, 1, sizeof(*b));
    ab_log *log = ab__calloc(ctx, 1, sizeof(*log));
    if (b == NULL || log == NULL) {
        ab__free(ctx, b);
        ab__free(ctx, log);
        return AB_ENOMEM;
    }
    b->ctx = ctx;
    b->log = log;
    b->opts = *opts;
    log->ctx = ctx;
    log->enc = ab__calloc(ctx, 1, sizeof(*log->enc));
    if (log->enc == NULL) {
        ab__free(ctx, b);
        ab__free(ctx, log);
        return AB_ENOMEM;
    }
    log->first_ts = log->last_ts = AB_TIME_NONE;
    ab__strtab *tabs[] = {&log->acts, &log->res, &log->cases, &log->keys, &log->vals};
    for (size_t i = 0; i < 5; i++) {
        if (ab__strtab_init(tabs[i], ctx) != AB_OK) {
            ab_log_builder_destroy(b);
            return AB_ENOMEM;
        }
    }
    if (opts->case_sink != NULL) {
        b->opts.keep_attributes = 0; /* Nothing per event is stored. */
        b->sink = ab__calloc(ctx, 1, sizeof(*b->sink));
        if (b->sink == NULL) {
            ab_log_builder_destroy(b);
            return AB_ENOMEM;
        }
    }
    *out = b;
    return AB_OK;
}

void ab_log_builder_destroy(ab_log_builder *b)
{
    if (b == NULL) {
        return;
    }
    ab__log_free(b->log);
    ab__free(b->ctx, b->source);
    ab__free(b->ctx, b->cattr_head);
    ab__free(b->ctx, b->ev_missing);
    ab__free(b->ctx, b->fp_text);
    ab__free(b->ctx, b->fp_source);
    sink_free(b->ctx, b->sink);
    ab__free(b->ctx, b);
}

void ab__log_builder_trust_grouping(ab_log_builder *b)
{
    b->trust_grouping = 1;
}

ab_ctx *ab__log_builder_ctx(const ab_log_builder *b)
{
    return b->ctx;
}

int ab_log_builder_set_source(ab_log_builder *b, const char *name)
{
    char *s = ab__strdup(b->ctx, name);
    if (s == NULL) {
        return AB_ENOMEM;
    }
    ab__free(b->ctx, b->source);
    b->source = s;
    return AB_OK;
}

int ab_log_builder_set_meta(ab_log_builder *b, const char *key, const char *value)
{
    ab_log *log = b->log;
    char *v = ab__strdup(b->ctx, value);
    if (v == NULL) {
        return AB_ENOMEM;
    }
    for (size_t i = 0; i < log->meta_count; i++) {
        if (strcmp(log->meta[i].key, key) == 0) {
            ab__free(b->ctx, log->meta[i].value);
            log->meta[i].value = v;
            return AB_OK;
        }
    }
    ab__meta *nm = ab__realloc(b->ctx, log->meta, (log->meta_count + 1) * sizeof(*nm));
    if (nm == NULL) {
        ab__free(b->ctx, v);
        return AB_ENOMEM;
    }
    log->meta = nm;
    char *k = ab__strdup(b->ctx, key);
    if (k == NULL) {
        ab__free(b->ctx, v);
        return AB_ENOMEM;
    }
    log->meta[log->meta_count].key = k;
    log->meta[log->meta_count].value = v;
    log->meta_count++;
    return AB_OK;
}

void ab_log_builder_note_coerced(ab_log_builder *b, uint64_t n)
{
    b->log->dq.timestamps_coerced += n;
}

uint64_t ab_log_builder_event_count(const ab_log_builder *b)
{
    return b->sink != NULL ? b->sink->events : b->log->n_events;
}

const char *ab_log_builder_activity_name(const ab_log_builder *b, uint32_t activity_id,
                                         size_t *len_out)
{
    if (activity_id >= b->log->acts.count) {
        return NULL;
    }
    if (len_out != NULL) {
        *len_out = ab__strtab_len(&b->log->acts, activity_id);
    }
    return ab__strtab_str(&b->log->acts, activity_id);
}

uint64_t ab_log_builder_sink_cases(const ab_log_builder *b)
{
    return b->sink != NULL ? b->sink->cases : 0;
}

uint64_t ab__log_builder_next_trace(ab_log_builder *b)
{
    return ++b->trace_no;
}

static void dq_note(ab_dq_entry *e, uint64_t line)
{
    if (e->line_count < AB_DQ_LINES) {
        e->lines[e->line_count++] = line;
    }
    e->count++;
}

/* Counts a drop under its reason; the record itself was counted by the caller. */
static int drop_note(ab_log_builder *b, ab_drop_reason reason, uint64_t line, const char *msg,
                     ab_error *err)
{
    dq_note(&b->log->dq.dropped[reason], line);
    if (b->opts.strict && reason != AB_DROP_LIFECYCLE_FILTER) {
        return ab__error(err, AB_EPARSE, b->source, line, 0, "%s (--strict)",
                         msg != NULL ? msg : ab_drop_reason_name(reason));
    }
    return AB_OK;
}

int ab_log_builder_drop(ab_log_builder *b, ab_drop_reason reason, uint64_t line,
                        const char *msg, ab_error *err)
{
    if ((unsigned)reason >= AB_DROP__COUNT) {
        return AB_EINVAL;
    }
    /* A row or event the reader could not use is still an input record; an
     * empty trace is not one. */
    if (reason != AB_DROP_EMPTY_TRACE) {
        b->log->dq.records++;
    }
    return drop_note(b, reason, line, msg, err);
}

void ab__log_builder_merge_quality(ab_log_builder *b, const ab_data_quality *dq, uint64_t fed)
{
    ab_data_quality *q = &b->log->dq;
    q->records = q->records - fed + dq->records;
    for (int r = 0; r < AB_DROP__COUNT; r++) {
        const ab_dq_entry *s = &dq->dropped[r];
        ab_dq_entry *d = &q->dropped[r];
        for (uint32_t k = 0; k < s->line_count && d->line_count < AB_DQ_LINES; k++) {
            d->lines[d->line_count++] = s->lines[k];
        }
        d->count += s->count;
    }
    q->timestamps_coerced += dq->timestamps_coerced;
}

int ab__log_builder_fingerprint(ab_log_builder *b, uint64_t fp, const char *text,
                                const char *source, ab_error *err)
{
    if (!b->has_fp) {
        b->fp_text = ab__strdup(b->ctx, text);
        b->fp_source = ab__strdup(b->ctx, source);
        if (b->fp_text == NULL || b->fp_source == NULL) {
            return ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory");
        }
        b->has_fp = 1;
        b->fp = fp;
        return AB_OK;
    }
    if (b->fp == fp) {
        return AB_OK;
    }
    /* Name the options that differ: the texts are "key=value" words. */
    char diffs[384] = "";
    size_t dl = 0;
    for (const char *p = text; *p != '\0' && dl + 1 < sizeof(diffs);) {
        size_t n = strcspn(p, " ");
        size_t kl = strcspn(p, "=");
        const char *q = b->fp_text;
        const char *mine = NULL;
        size_t mn = 0;
        while (*q != '\0') {
            size_t m = strcspn(q, " ");
            if (kl < n && strncmp(q, p, kl + 1) == 0) {
                mine = q;
                mn = m;
            }
            q += m + (q[m] == ' ');
        }
        if (mine == NULL || mn != n || memcmp(mine, p, n) != 0) {
            int w =
                snprintf(diffs + dl, sizeof(diffs) - dl, "%s%.*s: expected %.*s, found %.*s",
                         dl > 0 ? "; " : "", (int)(kl < n ? kl : n), p,
                         mine != NULL ? (int)(mn - kl - 1) : 1, mine != NULL ? mine + kl + 1 : "?",
                         (int)(kl < n ? n - kl - 1 : 0), p + kl + 1);
            dl = w > 0 ? dl + (size_t)w : dl;
            if (dl >= sizeof(diffs)) {
                dl = sizeof(diffs) - 1;
            }
        }
        p += n + (p[n] == ' ');
    }
    int rc = ab__error(err, AB_EPARSE, source, 0, 0,
                       "built with other log-reading options than %s (%s): build every "
                       "partial, and read them, with the same options",
                       b->fp_source, dl > 0 ? diffs : "options fingerprint differs");
    ab__error_offset(err, 16);
    return rc;
}

const ab_log_options *ab__log_builder_options(const ab_log_builder *b)
{
    return &b->opts;
}

/* Interns a case id, with a one-entry cache: readers often send a case's events together. */
static int case_lookup(ab_log_builder *b, const char *id, size_t len, uint32_t *out)
{
    if (b->last_case != NULL && b->last_case_len == len && ab__same_bytes(b->last_case, id, len)) {
        *out = b->last_case_id;
        return AB_OK;
    }
    uint32_t cid;
    int rc = ab__strtab_intern(&b->log->cases, id, len, &cid);
    if (rc != AB_OK) {
        return rc;
    }
    b->last_case = ab__strtab_str(&b->log->cases, cid);
    b->last_case_len = (uint32_t)len;
    b->last_case_id = cid;
    *out = cid;
    return AB_OK;
}

static int ensure_event_room(ab_log_builder *b)
{
    ab_log *log = b->log;
    if (log->n_events < log->ev_cap) {
        return AB_OK;
    }
    size_t ncap = log->ev_cap < 1024 ? 1024 : log->ev_cap + log->ev_cap / 2;
    ab_ctx *ctx = b->ctx;
    /* Grow every column to ncap; a failure leaves the grown ones usable. */
#define GROW_COL(col)                                                                              \
    do {                                                                                           \
        void *np = ab__realloc(ctx, log->col, ncap * sizeof(*log->col));                           \
        if (np == NULL) {                                                                          \
            return AB_ENOMEM;                                                                      \
        }                                                                                          \
        log->col = np;                                                                             \
    } while (0)
    GROW_COL(ev_case);
    GROW_COL(ev_act);
    GROW_COL(ev_ts);
    GROW_COL(ev_res);
    GROW_COL(ev_lc);
    if (log->ev_start != NULL) {
        GROW_COL(ev_start);
    }
    if (b->opts.keep_attributes) {
        GROW_COL(ev_attr);
    }
    if (b->ev_missing != NULL) {
        void *np = ab__realloc(ctx, b->ev_missing, ncap);
        if (np == NULL) {
            return AB_ENOMEM;
        }
        b->ev_missing = np;
    }
#undef GROW_COL
    log->ev_cap = ncap;
    return AB_OK;
}

static int sink_add(ab_log_builder *b, const ab_event_in *ev, ab_error *err);
static int sort_activities(ab_log *log);

int ab_log_builder_add_event(ab_log_builder *b, const ab_event_in *ev, ab_error *err)
{
    ab_log *log = b->log;
    log->dq.records++;
    if (ev->case_id == NULL || ev->case_id_len == 0) {
        return drop_note(b, AB_DROP_MISSING_CASE, ev->line, "missing case id", err);
    }
    if (ev->activity == NULL || ev->activity_len == 0) {
        return drop_note(b, AB_DROP_MISSING_ACTIVITY, ev->line, "missing activity", err);
    }
    if (b->opts.lifecycle == AB_LCF_COMPLETE && ev->lifecycle != AB_LC_NONE &&
        ev->lifecycle != AB_LC_COMPLETE) {
        dq_note(&log->dq.dropped[AB_DROP_LIFECYCLE_FILTER], ev->line);
        return AB_OK;
    }
    if (b->sink != NULL) {
        return sink_add(b, ev, err);
    }
    if (log->n_events >= ab_ctx_limits(b->ctx)->max_events) {
        return ab__error(err, AB_ELIMIT, b->source, ev->line, 0,
                         "more than %llu events (the limit)",
                         (unsigned long long)ab_ctx_limits(b->ctx)->max_events);
    }
    int rc = ensure_event_room(b);
    if (rc != AB_OK) {
        return ab__error(err, rc, b->source, ev->line, 0, "out of memory");
    }
    uint64_t i = log->n_events;
    uint32_t cid, act, res = UINT32_MAX;
    rc = case_lookup(b, ev->case_id, ev->case_id_len, &cid);
    if (rc == AB_OK) {
        rc = ab__strtab_intern(&log->acts, ev->activity, ev->activity_len, &act);
    }
    if (rc == AB_OK && ev->resource != NULL && ev->resource_len > 0) {
        if (ab__strtab_is(&log->res, b->last_res, ev->resource, ev->resource_len)) {
            res = b->last_res - 1;
        } else {
            rc = ab__strtab_intern(&log->res, ev->resource, ev->resource_len, &res);
            b->last_res = rc == AB_OK ? res + 1 : 0;
        }
    }
    if (rc == AB_OK && b->opts.keep_attributes) {
        log->ev_attr[i] = 0;
        if (ev->attr_count > 0) {
            if (ev->attr_count > ab_ctx_limits(b->ctx)->max_attrs) {
                return ab__error(err, AB_ELIMIT, b->source, ev->line, 0,
                                 "an event with %zu attributes (the limit is %zu)",
                                 ev->attr_count, ab_ctx_limits(b->ctx)->max_attrs);
            }
            size_t off = log->attr_len;
            rc = ab__log_put_attrs(log, &log->attr_blob, &log->attr_len, &log->attr_cap,
                                   ev->attrs, ev->attr_count);
            log->ev_attr[i] = off + 1;
        }
    }
    if (rc != AB_OK) {
        return ab__error(err, rc, b->source, ev->line, 0, "%s", ab_status_str(rc));
    }
    if (ev->start_ts != AB_TIME_NONE && log->ev_start == NULL) {
        log->ev_start = ab__malloc(b->ctx, log->ev_cap * sizeof(ab_time));
        if (log->ev_start == NULL) {
            return ab__error(err, AB_ENOMEM, b->source, ev->line, 0, "out of memory");
        }
        for (uint64_t k = 0; k < i; k++) {
            log->ev_start[k] = AB_TIME_NONE;
        }
    }
    if (ev->ts == AB_TIME_NONE) {
        if (b->ev_missing == NULL) {
            b->ev_missing = ab__calloc(b->ctx, log->ev_cap, 1);
            if (b->ev_missing == NULL) {
                return ab__error(err, AB_ENOMEM, b->source, ev->line, 0, "out of memory");
            }
        }
        if (b->missing_ts < AB_DQ_LINES) {
            b->missing_ts_lines[b->missing_ts] = ev->line;
        }
        b->missing_ts++;
    } else {
        log->has_ts = 1;
    }
    if (b->ev_missing != NULL) {
        b->ev_missing[i] = ev->ts == AB_TIME_NONE;
    }
    log->ev_case[i] = cid;
    log->ev_act[i] = act;
    log->ev_ts[i] = ev->ts;
    log->ev_res[i] = res;
    log->ev_lc[i] = (uint8_t)ev->lifecycle;
    if (log->ev_start != NULL) {
        log->ev_start[i] = ev->start_ts;
    }
    log->n_events = i + 1;
    return AB_OK;
}

static int add_chunk(ab_log_builder *b, uint8_t **blob, size_t *len, size_t *cap, uint64_t prev,
                     const ab_attr_in *attrs, size_t count, uint64_t *off_out)
{
    if (AB_GROW(b->ctx, *blob, *cap, *len + 10) != AB_OK) {
        return AB_ENOMEM;
    }
    size_t off = *len;
    *len += varint_put(*blob + *len, prev);
    int rc = ab__log_put_attrs(b->log, blob, len, cap, attrs, count);
    if (rc != AB_OK) {
        *len = off;
        return rc;
    }
    *off_out = off + 1;
    return AB_OK;
}

int ab_log_builder_add_case_attrs(ab_log_builder *b, const char *case_id, size_t case_id_len,
                                  const ab_attr_in *attrs, size_t attr_count, ab_error *err)
{
    if (!b->opts.keep_attributes || attr_count == 0 || case_id == NULL || case_id_len == 0) {
        return AB_OK;
    }
    if (attr_count > ab_ctx_limits(b->ctx)->max_attrs) {
        return ab__error(err, AB_ELIMIT, b->source, 0, 0, "a case with %zu attributes", attr_count);
    }
    uint32_t cid;
    int rc = case_lookup(b, case_id, case_id_len, &cid);
    size_t old_cap = b->cattr_head_cap;
    if (rc == AB_OK) {
        rc = AB_GROW(b->ctx, b->cattr_head, b->cattr_head_cap, (size_t)cid + 1);
    }
    if (rc != AB_OK) {
        return ab__error(err, rc, b->source, 0, 0, "%s", ab_status_str(rc));
    }
    if (b->cattr_head_cap > old_cap) {
        memset(b->cattr_head + old_cap, 0, (b->cattr_head_cap - old_cap) * sizeof(uint64_t));
    }
    ab_log *log = b->log;
    uint64_t prev = b->cattr_head[cid];
    uint64_t off;
    rc = add_chunk(b, &log->cattr_blob, &log->cattr_len, &log->cattr_cap, prev, attrs, attr_count,
                   &off);
    if (rc != AB_OK) {
        return ab__error(err, rc, b->source, 0, 0, "%s", ab_status_str(rc));
    }
    b->cattr_head[cid] = off;
    return AB_OK;
}

int ab_log_builder_add_log_attrs(ab_log_builder *b, const ab_attr_in *attrs, size_t attr_count,
                                 ab_error *err)
{
    if (!b->opts.keep_attributes || attr_count == 0) {
        return AB_OK;
    }
    ab_log *log = b->log;
    uint64_t off;
    int rc = add_chunk(b, &log->lattr_blob, &log->lattr_len, &log->lattr_cap, 0, attrs,
                       attr_count, &off);
    if (rc != AB_OK) {
        return ab__error(err, rc, b->source, 0, 0, "%s", ab_status_str(rc));
    }
    return AB_OK;
}

/* ---- finish(): grouping, ordering, variants. ---- */

/* Removes the events flagged in b->ev_missing, keeping the order of the rest. */
static void drop_untimed(ab_log_builder *b)
{
    ab_log *log = b->log;
    uint64_t w = 0;
    for (uint64_t r = 0; r < log->n_events; r++) {
        if (b->ev_missing[r]) {
            continue;
        }
        log->ev_case[w] = log->ev_case[r];
        log->ev_act[w] = log->ev_act[r];
        log->ev_ts[w] = log->ev_ts[r];
        log->ev_res[w] = log->ev_res[r];
        log->ev_lc[w] = log->ev_lc[r];
        if (log->ev_start != NULL) {
            log->ev_start[w] = log->ev_start[r];
        }
        if (log->ev_attr != NULL) {
            log->ev_attr[w] = log->ev_attr[r];
        }
        w++;
    }
    log->n_events = w;
}


static int cmp_key(const void *pa, const void *pb)
{
    const sort_key *a = pa, *b = pb;
    if (a->ts != b->ts) {
        return a->ts < b->ts ? -1 : 1;
    }
    if (a->start != b->start) {
        return a->start < b->start ? -1 : 1;
    }
    return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

/* ---- One-pass mode: cases handed to a sink as they end. ---- */

static uint64_t case_print(const char *id, size_t len)
{
    uint64_t h = ab__hash64(id, len, 0x9e3779b97f4a7c15ull);
    return h != 0 ? h : 1; /* 0 marks an empty slot. */
}

/* Adds a case id's fingerprint; *dup_out = 1 when it was there already. */
static int seen_add(ab_ctx *ctx, sink_state *k, uint64_t h, int *dup_out)
{
    *dup_out = 0;
    if (k->seen == NULL || (k->seen_count + 1) * 4 > (k->seen_mask + 1) * 3) {
        size_t nsize = k->seen == NULL ? 1024 : (k->seen_mask + 1) * 2;
        uint64_t *ns = ab__calloc(ctx, nsize, sizeof(uint64_t));
        if (ns == NULL) {
            return AB_ENOMEM;
        }
        for (size_t i = 0; k->seen != NULL && i <= k->seen_mask; i++) {
            if (k->seen[i] != 0) {
                size_t j = (size_t)k->seen[i] & (nsize - 1);
                while (ns[j] != 0) {
                    j = (j + 1) & (nsize - 1);
                }
                ns[j] = k->seen[i];
            }
        }
        ab__free(ctx, k->seen);
        k->seen = ns;
        k->seen_mask = nsize - 1;
    }
    size_t j = (size_t)h & k->seen_mask;
    while (k->seen[j] != 0) {
        if (k->seen[j] == h) {
            *dup_out = 1;
            return AB_OK;
        }
        j = (j + 1) & k->seen_mask;
    }
    k->seen[j] = h;
    k->seen_count++;
    return AB_OK;
}

static int sink_reserve(ab_ctx *ctx, sink_state *k, size_t need)
{
    if (need <= k->cap) {
        return AB_OK;
    }
    size_t cap = need < 64 ? 64 : need + need / 2;
    /* Each array is replaced only when its realloc succeeds; cap moves last. */
#define SINK_GROW(arr)                                                                             \
    do {                                                                                           \
        void *np_ = ab__realloc(ctx, k->arr, cap * sizeof(*k->arr));                               \
        if (np_ == NULL) {                                                                         \
            return AB_ENOMEM;                                                                      \
        }                                                                                          \
        k->arr = np_;                                                                              \
    } while (0)
    SINK_GROW(act);
    SINK_GROW(ts);
    SINK_GROW(start);
    SINK_GROW(lc);
    SINK_GROW(line);
    SINK_GROW(o_act);
    SINK_GROW(o_ts);
    SINK_GROW(o_start);
    SINK_GROW(o_lc);
    SINK_GROW(keys);
#undef SINK_GROW
    k->cap = cap;
    return AB_OK;
}

/* Orders the current case like finish() orders a case, counts it, and hands it over. */
static int sink_emit(ab_log_builder *b, ab_error *err)
{
    sink_state *k = b->sink;
    ab_log *log = b->log;
    k->open = 0;
    size_t n = k->n;
    k->n = 0;
    if (n == 0) {
        return AB_OK; /* Every event of the case was dropped. */
    }
    for (size_t i = 0; i < n; i++) {
        k->keys[i].ts = k->ts[i];
        k->keys[i].start = k->any_start ? k->start[i] : AB_TIME_NONE;
        k->keys[i].idx = (uint32_t)i;
    }
    int sorted = 1;
    for (size_t i = 1; i < n && sorted; i++) {
        sorted = cmp_key(&k->keys[i - 1], &k->keys[i]) <= 0;
    }
    if (!sorted) {
        qsort(k->keys, n, sizeof(*k->keys), cmp_key);
    }
    int equal = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t e = k->keys[i].idx;
        k->o_act[i] = k->act[e];
        k->o_ts[i] = k->ts[e];
        k->o_start[i] = k->start[e];
        k->o_lc[i] = k->lc[e];
        k->act_events[k->act[e]]++;
        /* The data-quality figures finish() computes per case. */
        ab_time t = k->o_ts[i];
        if (t != AB_TIME_NONE) {
            if (log->first_ts == AB_TIME_NONE || t < log->first_ts) {
                log->first_ts = t;
            }
            if (log->last_ts == AB_TIME_NONE || t > log->last_ts) {
                log->last_ts = t;
            }
        }
        if (k->any_start && k->o_start[i] != AB_TIME_NONE &&
            (log->first_ts == AB_TIME_NONE || k->o_start[i] < log->first_ts)) {
            log->first_ts = k->o_start[i];
        }
        if (i > 0 && t != AB_TIME_NONE && t == k->o_ts[i - 1]) {
            equal = 1;
            if (k->o_act[i] == k->o_act[i - 1] && k->o_lc[i] == k->o_lc[i - 1]) {
                log->dq.duplicate_events++;
            }
        }
    }
    log->dq.cases_with_equal_timestamps += (uint64_t)equal;
    if (!log->has_ts) {
        k->emitted_untimed = 1;
        log->dq.events_without_timestamp += n;
        k->pending_untimed = 0;
    }
    k->cases++;
    ab_case_out c = {k->id,     k->id_len, (uint32_t)n, k->o_act, log->has_ts ? k->o_ts : NULL,
                     k->any_start ? k->o_start : NULL, k->o_lc, b};
    int rc = b->opts.case_sink(&c, b->opts.case_sink_payload, err);
    if (rc != AB_OK && err != NULL && err->msg[0] == '\0') {
        ab__error(err, rc, b->source, 0, 0, "the case sink failed (%s)", ab_status_str(rc));
    }
    return rc;
}

/* Starts collecting a new case after checking it was not met before. */
static int sink_open(ab_log_builder *b, const ab_event_in *ev, ab_error *err)
{
    sink_state *k = b->sink;
    int dup = 0;
    /* One XES file: every trace is a case by construction, so the check (and
     * its memory, one fingerprint per case) is not needed. */
    if (!b->trust_grouping &&
        seen_add(b->ctx, k, case_print(ev->case_id, ev->case_id_len), &dup) != AB_OK) {
        return ab__error(err, AB_ENOMEM, b->source, ev->line, 0, "out of memory");
    }
    if (dup) {
        return ab__error(err, AB_EPARSE, b->source, ev->line, 0,
                         "case '%.*s' appears again after other cases: one-pass reading needs the "
                         "events grouped by case (XES traces, or a CSV sorted by case); read the "
                         "log without --one-pass",
                         (int)(ev->case_id_len < 80 ? ev->case_id_len : 80), ev->case_id);
    }
    if (AB_GROW(b->ctx, k->id, k->id_cap, ev->case_id_len + 1) != AB_OK) {
        return ab__error(err, AB_ENOMEM, b->source, ev->line, 0, "out of memory");
    }
    memcpy(k->id, ev->case_id, ev->case_id_len);
    k->id[ev->case_id_len] = '\0';
    k->id_len = ev->case_id_len;
    k->open = 1;
    k->n = 0;
    k->any_start = 0;
    return AB_OK;
}

/* Keeps only the timed events of the current case (the log turned out to have timestamps). */
static void sink_drop_untimed(ab_log_builder *b)
{
    sink_state *k = b->sink;
    ab_dq_entry *d = &b->log->dq.dropped[AB_DROP_MISSING_TIMESTAMP];
    size_t w = 0;
    for (size_t r = 0; r < k->n; r++) {
        if (k->ts[r] == AB_TIME_NONE) {
            dq_note(d, k->line[r]);
            continue;
        }
        k->act[w] = k->act[r];
        k->ts[w] = k->ts[r];
        k->start[w] = k->start[r];
        k->lc[w] = k->lc[r];
        k->line[w] = k->line[r];
        w++;
    }
    k->events -= k->n - w;
    k->n = w;
    k->pending_untimed = 0;
}

static int sink_add(ab_log_builder *b, const ab_event_in *ev, ab_error *err)
{
    sink_state *k = b->sink;
    ab_log *log = b->log;
    int rc;
    if (!k->open || k->id_len != ev->case_id_len ||
        memcmp(k->id, ev->case_id, ev->case_id_len) != 0) {
        if (k->open && (rc = sink_emit(b, err)) != AB_OK) {
            return rc;
        }
        if ((rc = sink_open(b, ev, err)) != AB_OK) {
            return rc;
        }
    }
    if (ev->ts == AB_TIME_NONE && log->has_ts) {
        /* finish() drops events without a timestamp from a log that has them. */
        if (b->opts.strict) {
            return ab__error(err, AB_EPARSE, b->source, ev->line, 0,
                             "an event without a timestamp in a log with timestamps "
                             "(--strict)");
        }
        dq_note(&log->dq.dropped[AB_DROP_MISSING_TIMESTAMP], ev->line);
        return AB_OK;
    }
    if (ev->ts != AB_TIME_NONE && !log->has_ts) {
        if (k->emitted_untimed) {
            return ab__error(err, AB_EPARSE, b->source, ev->line, 0,
                             "the first cases have no timestamps and this event has one: "
                             "one-pass reading cannot go back to drop those events; read the log "
                             "without --one-pass");
        }
        if (k->pending_untimed > 0 && b->opts.strict) {
            return ab__error(err, AB_EPARSE, b->source, k->line[0], 0,
                             "an event without a timestamp in a log with timestamps "
                             "(--strict)");
        }
        log->has_ts = 1;
        sink_drop_untimed(b);
    }
    uint32_t act;
    rc = ab__strtab_intern(&log->acts, ev->activity, ev->activity_len, &act);
    if (rc == AB_OK && act >= k->act_cap) {
        size_t old = k->act_cap;
        rc = AB_GROW(b->ctx, k->act_events, k->act_cap, (size_t)act + 1);
        if (rc == AB_OK) {
            memset(k->act_events + old, 0, (k->act_cap - old) * sizeof(uint64_t));
        }
    }
    if (rc == AB_OK) {
        rc = sink_reserve(b->ctx, k, k->n + 1);
    }
    if (rc != AB_OK) {
        return ab__error(err, rc, b->source, ev->line, 0, "%s", ab_status_str(rc));
    }
    size_t i = k->n++;
    k->act[i] = act;
    k->ts[i] = ev->ts;
    k->start[i] = ev->start_ts;
    k->lc[i] = (uint8_t)ev->lifecycle;
    k->line[i] = ev->line;
    k->any_start |= ev->start_ts != AB_TIME_NONE;
    k->pending_untimed += ev->ts == AB_TIME_NONE;
    k->events++;
    return AB_OK;
}

/* finish() with a case sink: the last case, then a log of names and figures only. */
static int sink_finish(ab_log_builder *b, ab_log **out, ab_error *err)
{
    sink_state *k = b->sink;
    ab_log *log = b->log;
    int rc = k->open ? sink_emit(b, err) : AB_OK;
    if (rc == AB_OK) {
        rc = sort_activities(log);
        if (rc != AB_OK) {
            ab__error(err, rc, b->source, 0, 0, "out of memory");
        }
    }
    if (rc != AB_OK) {
        ab_log_builder_destroy(b);
        return rc;
    }
    for (uint32_t a = 0; a < log->acts.count && a < k->act_cap; a++) {
        log->act_events[a] = k->act_events[a];
    }
    enc_free(log);
    b->log = NULL;
    ab_log_builder_destroy(b);
    *out = log;
    return AB_OK;
}

/* Orders perm[first..first+len) by (ts, start, input position). */
static int sort_case(ab_log *log, uint32_t *perm, uint64_t first, uint32_t len, sort_key **scratch,
                     size_t *scratch_cap)
{
    const ab_time *ts = log->ev_ts;
    const ab_time *st = log->ev_start;
    int sorted = 1;
    for (uint32_t k = 1; k < len && sorted; k++) {
        uint32_t p = perm[first + k - 1], q = perm[first + k];
        if (ts[p] > ts[q] || (ts[p] == ts[q] && st != NULL && st[p] > st[q])) {
            sorted = 0;
        }
    }
    if (sorted) {
        return AB_OK;
    }
    if (AB_GROW(log->ctx, *scratch, *scratch_cap, len) != AB_OK) {
        return AB_ENOMEM;
    }
    sort_key *keys = *scratch;
    for (uint32_t k = 0; k < len; k++) {
        uint32_t e = perm[first + k];
        keys[k].ts = ts[e];
        keys[k].start = st != NULL ? st[e] : AB_TIME_NONE;
        keys[k].idx = e;
    }
    qsort(keys, len, sizeof(*keys), cmp_key);
    for (uint32_t k = 0; k < len; k++) {
        perm[first + k] = keys[k].idx;
    }
    return AB_OK;
}

/*
 * Reorders one column in place by perm: new[k] = old[perm[k]], for a column
 * of elements of size es (1, 4 or 8 bytes). Gathered four bytes of each
 * element at a time into scratch (4 bytes an event), then copied back: the
 * loads of a gather do not wait on one another, where following the
 * permutation's cycles makes each wait on the last (a cache miss each when
 * the order changes much: 10 times slower on a merged log of 10 M events).
 * An 8-byte column goes in two passes, the first writing only the bytes it
 * has read already, so that no second copy of the column is held.
 */
static void permute_column(void *col, size_t es, const uint32_t *perm, uint64_t n,
                           uint32_t *scratch)
{
    unsigned char *base = col;
    if (col == NULL) {
        return;
    }
    if (es == 1) {
        unsigned char *s = (unsigned char *)scratch;
        for (uint64_t k = 0; k < n; k++) {
            s[k] = base[perm[k]];
        }
        memcpy(base, s, (size_t)n);
        return;
    }
    for (size_t o = 0; o < es; o += 4) {
        for (uint64_t k = 0; k < n; k++) {
            memcpy(&scratch[k], base + (size_t)perm[k] * es + o, 4);
        }
        for (uint64_t k = 0; k < n; k++) {
            memcpy(base + (size_t)k * es + o, &scratch[k], 4);
        }
    }
}

typedef struct name_ref {
    const char *s;
    uint32_t len;
    uint32_t id;
} name_ref;

static int cmp_name_ref(const void *pa, const void *pb)
{
    const name_ref *a = pa, *b = pb;
    int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
    if (c != 0) {
        return c;
    }
    return a->len < b->len ? -1 : (a->len > b->len);
}

typedef struct case_key {
    ab_time first; /* Earliest completion time of the case (AB_TIME_NONE sorts first). */
    const char *id;
    uint32_t len;
    uint32_t sid; /* Builder case id. */
} case_key;

int ab__case_key_cmp(ab_time fa, const char *a, uint32_t la, ab_time fb, const char *b,
                     uint32_t lb)
{
    if (fa != fb) {
        return fa < fb ? -1 : 1;
    }
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c != 0) {
        return c;
    }
    return la < lb ? -1 : (la > lb);
}

static int cmp_case_key(const void *pa, const void *pb)
{
    const case_key *a = pa, *b = pb;
    return ab__case_key_cmp(a->first, a->id, a->len, b->first, b->id, b->len);
}

static inline int case_key_before(const case_key *a, const case_key *b)
{
    return cmp_case_key(a, b) < 0;
}

/*
 * Cases are numbered in a canonical order that does not depend on how the
 * input was split or ordered: by the completion time of their first event,
 * then by id (byte order). newidx (builder case id -> case index, cases with
 * events in first-appearance order on entry) is rewritten to that order.
 */
static int canonical_case_order(ab_log *log, const uint32_t *count, uint32_t *newidx, uint32_t ids,
                                uint32_t cases)
{
    ab_ctx *ctx = log->ctx;
    ab_time *first = ab__malloc(ctx, ((size_t)ids + 1) * sizeof(ab_time));
    if (first == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t c = 0; c < ids; c++) {
        first[c] = INT64_MAX;
    }
    for (uint64_t e = 0; e < log->n_events; e++) {
        uint32_t c = log->ev_case[e];
        if (log->ev_ts[e] < first[c]) {
            first[c] = log->ev_ts[e];
        }
    }
    case_key *keys = ab__malloc(ctx, ((size_t)cases + 1) * sizeof(case_key));
    if (keys == NULL) {
        ab__free(ctx, first);
        return AB_ENOMEM;
    }
    int sorted = 1;
    for (uint32_t c = 0; c < ids; c++) {
        if (count[c] == 0) {
            continue;
        }
        case_key *k = &keys[newidx[c]];
        k->first = first[c];
        k->id = ab__strtab_str(&log->cases, c);
        k->len = ab__strtab_len(&log->cases, c);
        k->sid = c;
        if (newidx[c] > 0 && !case_key_before(k - 1, k)) {
            sorted = 0;
        }
    }
    ab__free(ctx, first);
    if (!sorted) {
        qsort(keys, cases, sizeof(*keys), cmp_case_key);
        for (uint32_t k = 0; k < cases; k++) {
            newidx[keys[k].sid] = k;
        }
    }
    ab__free(ctx, keys);
    return AB_OK;
}

/*
 * Renumbers the ids of a string table in byte order of the strings, and the
 * column that holds them (none = no id), so that ids do not depend on the
 * order in which the input met the names. Names no event holds any more
 * (met only by events dropped at the end, for want of a timestamp) leave
 * the table: the log has the names of its events, however it was read.
 */
static int canonical_ids(ab_ctx *ctx, ab__strtab *t, uint32_t *col, uint64_t n, uint32_t none)
{
    uint32_t count = t->count;
    uint32_t *rank = ab__calloc(ctx, (size_t)count + 1, sizeof(uint32_t));
    if (rank == NULL) {
        return AB_ENOMEM;
    }
    uint32_t used = 0;
    for (uint64_t e = 0; e < n; e++) {
        if (col[e] != none && rank[col[e]] == 0) {
            rank[col[e]] = 1;
            used++;
        }
    }
    int sorted = used == count;
    for (uint32_t i = 1; i < count && sorted; i++) {
        uint32_t la = ab__strtab_len(t, i - 1), lb = ab__strtab_len(t, i);
        int c = memcmp(ab__strtab_str(t, i - 1), ab__strtab_str(t, i), la < lb ? la : lb);
        sorted = c < 0 || (c == 0 && la < lb);
    }
    if (sorted) {
        ab__free(ctx, rank);
        return AB_OK;
    }
    name_ref *refs = ab__malloc(ctx, (size_t)used * sizeof(*refs) + 1);
    ab__strtab nt;
    int rc = AB_ENOMEM;
    if (refs == NULL || ab__strtab_init(&nt, ctx) != AB_OK) {
        goto done;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (rank[i] != 0) {
            refs[k].s = ab__strtab_str(t, i);
            refs[k].len = ab__strtab_len(t, i);
            refs[k].id = i;
            k++;
        }
    }
    qsort(refs, used, sizeof(*refs), cmp_name_ref);
    for (k = 0; k < used; k++) {
        uint32_t id;
        rc = ab__strtab_intern(&nt, refs[k].s, refs[k].len, &id);
        if (rc != AB_OK) {
            ab__strtab_finish(&nt);
            goto done;
        }
        rank[refs[k].id] = k;
    }
    for (uint64_t e = 0; e < n; e++) {
        if (col[e] != none) {
            col[e] = rank[col[e]];
        }
    }
    ab__strtab_finish(t);
    *t = nt;
    rc = AB_OK;
done:
    ab__free(ctx, refs);
    ab__free(ctx, rank);
    return rc;
}

static int group_by_case(ab_log_builder *b)
{
    ab_log *log = b->log;
    ab_ctx *ctx = b->ctx;
    uint64_t n = log->n_events;
    uint32_t ids = log->cases.count;
    int rc = AB_ENOMEM;
    uint32_t *count = ab__calloc(ctx, (size_t)ids + 1, sizeof(uint32_t));
    uint32_t *newidx = ab__malloc(ctx, ((size_t)ids + 1) * sizeof(uint32_t));
    uint32_t *perm = ab__malloc(ctx, (size_t)n * sizeof(uint32_t) + 1);
    uint64_t *next = NULL;
    sort_key *scratch = NULL;
    size_t scratch_cap = 0;
    if (count == NULL || newidx == NULL || perm == NULL) {
        goto done;
    }
    for (uint64_t e = 0; e < n; e++) {
        count[log->ev_case[e]]++;
    }
    uint32_t cases = 0;
    for (uint32_t c = 0; c < ids; c++) {
        newidx[c] = count[c] > 0 ? cases++ : UINT32_MAX;
    }
    rc = canonical_case_order(log, count, newidx, ids, cases);
    if (rc != AB_OK) {
        goto done;
    }
    rc = AB_ENOMEM;
    log->n_cases = cases;
    log->case_sid = ab__malloc(ctx, (size_t)cases * sizeof(uint32_t) + 1);
    log->case_first = ab__malloc(ctx, ((size_t)cases + 1) * sizeof(uint64_t));
    log->case_len = ab__malloc(ctx, (size_t)cases * sizeof(uint32_t) + 1);
    log->case_cattr = ab__calloc(ctx, (size_t)cases + 1, sizeof(uint64_t));
    next = ab__malloc(ctx, ((size_t)cases + 1) * sizeof(uint64_t));
    if (log->case_sid == NULL || log->case_first == NULL || log->case_len == NULL ||
        log->case_cattr == NULL || next == NULL) {
        goto done;
    }
    for (uint32_t c = 0; c < ids; c++) {
        if (newidx[c] != UINT32_MAX) {
            log->case_sid[newidx[c]] = c;
        }
    }
    /* Cases lie in their canonical order: the test below keeps the columns
     * in place when the events already are in it, even when the ids were
     * interned in another order (a case first met by an event that was
     * dropped later, for want of a timestamp). */
    uint64_t off = 0;
    for (uint32_t k = 0; k < cases; k++) {
        uint32_t c = log->case_sid[k];
        log->case_first[k] = off;
        log->case_len[k] = count[c];
        if (b->cattr_head != NULL && c < b->cattr_head_cap) {
            log->case_cattr[k] = b->cattr_head[c];
        }
        next[k] = off;
        off += count[c];
    }
    log->case_first[cases] = off;
    /* Most logs arrive grouped: every case's events together, cases in
     * order of first appearance, each in time order (XES traces, sorted
     * exports). Then the order is already the final one and the columns
     * stay where they are. */
    int in_place = 1;
    for (uint64_t e = 1; e < n && in_place; e++) {
        uint32_t a = newidx[log->ev_case[e - 1]], c = newidx[log->ev_case[e]];
        if (c < a) {
            in_place = 0;
        } else if (c == a && (log->ev_ts[e - 1] > log->ev_ts[e] ||
                              (log->ev_ts[e - 1] == log->ev_ts[e] && log->ev_start != NULL &&
                               log->ev_start[e - 1] > log->ev_start[e]))) {
            in_place = 0;
        }
    }
    if (in_place) {
        for (uint64_t e = 0; e < n; e++) {
            log->ev_case[e] = newidx[log->ev_case[e]];
        }
        rc = AB_OK;
        goto done;
    }
    for (uint64_t e = 0; e < n; e++) {
        uint32_t k = newidx[log->ev_case[e]];
        perm[next[k]++] = (uint32_t)e;
    }
    for (uint32_t k = 0; k < cases; k++) {
        rc = sort_case(log, perm, log->case_first[k], log->case_len[k], &scratch, &scratch_cap);
        if (rc != AB_OK) {
            goto done;
        }
    }
    /* The case column, whose new values follow from the cases' ranges, is
     * the scratch of the others' reordering: no memory beyond perm. */
#define PERMUTE(col) permute_column(log->col, sizeof(*log->col), perm, n, log->ev_case)
    PERMUTE(ev_act);
    PERMUTE(ev_ts);
    PERMUTE(ev_start);
    PERMUTE(ev_res);
    PERMUTE(ev_lc);
    PERMUTE(ev_attr);
#undef PERMUTE
    for (uint32_t k = 0; k < cases; k++) {
        for (uint64_t e = log->case_first[k]; e < log->case_first[k + 1]; e++) {
            log->ev_case[e] = k;
        }
    }
    rc = AB_OK;
done:
    ab__free(ctx, count);
    ab__free(ctx, newidx);
    ab__free(ctx, perm);
    ab__free(ctx, next);
    ab__free(ctx, scratch);
    return rc;
}

int ab__log_add_activities(ab_log *log, const char *const *names, uint32_t count)
{
    ab_ctx *ctx = log->ctx;
    uint32_t old = log->acts.count;
    size_t all = (size_t)old + count;
    if (all >= UINT32_MAX) {
        return AB_ELIMIT;
    }
    name_ref *refs = ab__malloc(ctx, all * sizeof(*refs) + 1);
    uint32_t *rank = ab__malloc(ctx, ((size_t)old + 1) * sizeof(uint32_t));
    uint64_t *events = NULL;
    uint32_t *sorted = NULL;
    ab__strtab nt;
    int have_nt = 0, rc = AB_ENOMEM;
    if (refs == NULL || rank == NULL) {
        goto done;
    }
    /* The log's own names first: a name given again keeps the log's id. */
    for (uint32_t i = 0; i < old; i++) {
        refs[i] = (name_ref){ab__strtab_str(&log->acts, i), ab__strtab_len(&log->acts, i), i};
    }
    for (uint32_t i = 0; i < count; i++) {
        refs[(size_t)old + i] = (name_ref){names[i], (uint32_t)strlen(names[i]), UINT32_MAX};
    }
    qsort(refs, all, sizeof(*refs), cmp_name_ref);
    if ((rc = ab__strtab_init(&nt, ctx)) != AB_OK) {
        goto done;
    }
    have_nt = 1;
    rc = AB_ENOMEM;
    uint32_t n = 0;
    for (size_t k = 0; k < all; k++) {
        uint32_t id;
        if (k == 0 || cmp_name_ref(&refs[k - 1], &refs[k]) != 0) {
            if (ab__strtab_intern(&nt, refs[k].s, refs[k].len, &id) != AB_OK) {
                goto done;
            }
            n = id + 1;
        }
        if (refs[k].id != UINT32_MAX) {
            rank[refs[k].id] = n - 1;
        }
    }
    events = ab__calloc(ctx, (size_t)n + 1, sizeof(uint64_t));
    sorted = ab__malloc(ctx, (size_t)n * sizeof(uint32_t) + 1);
    if (events == NULL || sorted == NULL) {
        goto done;
    }
    /* Nothing can fail from here. */
    for (uint32_t i = 0; i < n; i++) {
        sorted[i] = i;
    }
    for (uint32_t i = 0; i < old; i++) {
        events[rank[i]] = log->act_events[i];
    }
    for (uint64_t e = 0; e < log->n_events; e++) {
        if (log->ev_act[e] != UINT32_MAX) {
            log->ev_act[e] = rank[log->ev_act[e]];
        }
    }
    for (uint32_t v = 0; v < log->n_variants; v++) {
        uint32_t *q = log->var_seq + log->var_seq_off[v];
        for (uint32_t i = 0; i < log->var_len[v]; i++) {
            q[i] = rank[q[i]];
        }
    }
    ab__strtab_finish(&log->acts);
    log->acts = nt;
    have_nt = 0;
    ab__free(ctx, log->act_events);
    ab__free(ctx, log->act_sorted);
    log->act_events = events;
    log->act_sorted = sorted;
    events = NULL;
    sorted = NULL;
    rc = AB_OK;
done:
    if (have_nt) {
        ab__strtab_finish(&nt);
    }
    ab__free(ctx, refs);
    ab__free(ctx, rank);
    ab__free(ctx, events);
    ab__free(ctx, sorted);
    return rc;
}

/* Qsort context for variant ordering (qsort has no payload argument). */
typedef struct var_sort {
    uint32_t id;          /* Variant id before ordering. */
    uint32_t cases;       /* Its case count. */
    const uint32_t *seq;  /* Activity ids. */
    uint32_t len;         /* Sequence length. */
    const uint32_t *rank; /* Activity id -> rank of its name in byte order. */
} var_sort;

static int cmp_var(const void *pa, const void *pb)
{
    const var_sort *a = pa, *b = pb;
    if (a->cases != b->cases) {
        return a->cases > b->cases ? -1 : 1;
    }
    uint32_t n = a->len < b->len ? a->len : b->len;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ra = a->rank[a->seq[i]], rb = a->rank[b->seq[i]];
        if (ra != rb) {
            return ra < rb ? -1 : 1;
        }
    }
    if (a->len != b->len) {
        return a->len < b->len ? -1 : 1;
    }
    return 0;
}

static int sort_activities(ab_log *log)
{
    uint32_t n = log->acts.count;
    log->act_sorted = ab__malloc(log->ctx, (size_t)n * sizeof(uint32_t) + 1);
    log->act_events = ab__calloc(log->ctx, (size_t)n + 1, sizeof(uint64_t));
    name_ref *refs = ab__malloc(log->ctx, (size_t)n * sizeof(*refs) + 1);
    if (log->act_sorted == NULL || log->act_events == NULL || refs == NULL) {
        ab__free(log->ctx, refs);
        return AB_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        refs[i].s = log->acts.strs[i];
        refs[i].len = log->acts.lens[i];
        refs[i].id = i;
    }
    qsort(refs, n, sizeof(*refs), cmp_name_ref);
    for (uint32_t i = 0; i < n; i++) {
        log->act_sorted[i] = refs[i].id;
    }
    ab__free(log->ctx, refs);
    for (uint64_t e = 0; e < log->n_events; e++) {
        log->act_events[log->ev_act[e]]++;
    }
    return AB_OK;
}

static int compute_variants(ab_log *log)
{
    ab_ctx *ctx = log->ctx;
    uint32_t cases = log->n_cases;
    int rc = AB_ENOMEM;
    uint32_t size = 16;
    while (size < (uint64_t)cases * 2) {
        size *= 2;
    }
    uint32_t *slots = ab__calloc(ctx, size, sizeof(uint32_t));
    uint64_t *vhash = ab__malloc(ctx, ((size_t)cases + 1) * sizeof(uint64_t));
    uint32_t *rep = ab__malloc(ctx, ((size_t)cases + 1) * sizeof(uint32_t));
    uint32_t *vcount = ab__calloc(ctx, (size_t)cases + 1, sizeof(uint32_t));
    uint32_t *rank = ab__malloc(ctx, ((size_t)log->acts.count + 1) * sizeof(uint32_t));
    var_sort *vs = NULL;
    uint32_t *order = NULL;
    log->case_variant = ab__malloc(ctx, ((size_t)cases + 1) * sizeof(uint32_t));
    if (slots == NULL || vhash == NULL || rep == NULL || vcount == NULL || rank == NULL ||
        log->case_variant == NULL) {
        goto done;
    }
    uint32_t nv = 0;
    for (uint32_t c = 0; c < cases; c++) {
        const uint32_t *seq = log->ev_act + log->case_first[c];
        uint32_t len = log->case_len[c];
        uint64_t h = ab__hash64(seq, (size_t)len * sizeof(uint32_t), len);
        uint32_t i = (uint32_t)h & (size - 1);
        uint32_t v;
        for (;;) {
            if (slots[i] == 0) {
                v = nv++;
                slots[i] = v + 1;
                vhash[v] = h;
                rep[v] = c;
                break;
            }
            v = slots[i] - 1;
            uint32_t r = rep[v];
            if (vhash[v] == h && log->case_len[r] == len &&
                memcmp(log->ev_act + log->case_first[r], seq, (size_t)len * sizeof(uint32_t)) ==
                    0) {
                break;
            }
            i = (i + 1) & (size - 1);
        }
        log->case_variant[c] = v;
        vcount[v]++;
    }
    for (uint32_t k = 0; k < log->acts.count; k++) {
        rank[log->act_sorted[k]] = k;
    }
    vs = ab__malloc(ctx, ((size_t)nv + 1) * sizeof(*vs));
    order = ab__malloc(ctx, ((size_t)nv + 1) * sizeof(uint32_t));
    log->var_cases = ab__malloc(ctx, ((size_t)nv + 1) * sizeof(uint32_t));
    log->var_len = ab__malloc(ctx, ((size_t)nv + 1) * sizeof(uint32_t));
    log->var_seq_off = ab__malloc(ctx, ((size_t)nv + 1) * sizeof(uint64_t));
    log->var_case_off = ab__malloc(ctx, ((size_t)nv + 1) * sizeof(uint32_t));
    log->var_case_list = ab__malloc(ctx, ((size_t)cases + 1) * sizeof(uint32_t));
    if (vs == NULL || order == NULL || log->var_cases == NULL || log->var_len == NULL ||
        log->var_seq_off == NULL || log->var_case_off == NULL || log->var_case_list == NULL) {
        goto done;
    }
    uint64_t seq_total = 0;
    for (uint32_t v = 0; v < nv; v++) {
        vs[v].id = v;
        vs[v].cases = vcount[v];
        vs[v].seq = log->ev_act + log->case_first[rep[v]];
        vs[v].len = log->case_len[rep[v]];
        vs[v].rank = rank;
        seq_total += vs[v].len;
    }
    qsort(vs, nv, sizeof(*vs), cmp_var);
    log->var_seq = ab__malloc(ctx, (size_t)seq_total * sizeof(uint32_t) + 1);
    if (log->var_seq == NULL) {
        goto done;
    }
    uint64_t soff = 0;
    uint32_t coff = 0;
    for (uint32_t k = 0; k < nv; k++) {
        order[vs[k].id] = k;
        log->var_cases[k] = vs[k].cases;
        log->var_len[k] = vs[k].len;
        log->var_seq_off[k] = soff;
        memcpy(log->var_seq + soff, vs[k].seq, (size_t)vs[k].len * sizeof(uint32_t));
        soff += vs[k].len;
        log->var_case_off[k] = coff;
        coff += vs[k].cases;
    }
    log->var_case_off[nv] = coff;
    /* Reuse vcount as the fill cursor per ordered variant. */
    for (uint32_t k = 0; k < nv; k++) {
        vcount[k] = log->var_case_off[k];
    }
    for (uint32_t c = 0; c < cases; c++) {
        uint32_t k = order[log->case_variant[c]];
        log->case_variant[c] = k;
        log->var_case_list[vcount[k]++] = c;
    }
    log->n_variants = nv;
    rc = AB_OK;
done:
    ab__free(ctx, slots);
    ab__free(ctx, vhash);
    ab__free(ctx, rep);
    ab__free(ctx, vcount);
    ab__free(ctx, rank);
    ab__free(ctx, vs);
    ab__free(ctx, order);
    return rc;
}

static void compute_quality(ab_log *log)
{
    ab_time first = AB_TIME_NONE, last = AB_TIME_NONE;
    for (uint32_t c = 0; c < log->n_cases; c++) {
        uint64_t f = log->case_first[c];
        uint32_t len = log->case_len[c];
        int equal = 0;
        for (uint32_t k = 0; k < len; k++) {
            uint64_t e = f + k;
            ab_time t = log->ev_ts[e];
            if (t != AB_TIME_NONE) {
                if (first == AB_TIME_NONE || t < first) {
                    first = t;
                }
                if (last == AB_TIME_NONE || t > last) {
                    last = t;
                }
            }
            if (log->ev_start != NULL && log->ev_start[e] != AB_TIME_NONE &&
                (first == AB_TIME_NONE || log->ev_start[e] < first)) {
                first = log->ev_start[e];
            }
            if (k > 0 && t != AB_TIME_NONE && t == log->ev_ts[e - 1]) {
                equal = 1;
                if (log->ev_act[e] == log->ev_act[e - 1] && log->ev_lc[e] == log->ev_lc[e - 1]) {
                    log->dq.duplicate_events++;
                }
            }
        }
        log->dq.cases_with_equal_timestamps += (uint64_t)equal;
    }
    log->first_ts = first;
    log->last_ts = last;
}

int ab_log_builder_finish(ab_log_builder *b, ab_log **out, ab_error *err)
{
    *out = NULL;
    if (b->sink != NULL) {
        return sink_finish(b, out, err);
    }
    ab_log *log = b->log;
    int rc;
    if (b->missing_ts > 0) {
        if (log->has_ts) {
            ab_dq_entry *d = &log->dq.dropped[AB_DROP_MISSING_TIMESTAMP];
            for (uint64_t k = 0; k < b->missing_ts && k < AB_DQ_LINES; k++) {
                dq_note(d, b->missing_ts_lines[k]);
            }
            d->count += b->missing_ts - (b->missing_ts < AB_DQ_LINES ? b->missing_ts : AB_DQ_LINES);
            if (b->opts.strict) {
                rc = ab__error(err, AB_EPARSE, b->source, b->missing_ts_lines[0], 0,
                               "an event without a timestamp in a log with timestamps "
                               "(--strict)");
                ab_log_builder_destroy(b);
                return rc;
            }
            drop_untimed(b);
        } else {
            log->dq.events_without_timestamp = b->missing_ts;
        }
    }
    rc = group_by_case(b);
    /* Ids in byte order of the names: the same log whatever the input's order or split. */
    if (rc == AB_OK) {
        rc = canonical_ids(b->ctx, &log->acts, log->ev_act, log->n_events, UINT32_MAX);
    }
    if (rc == AB_OK) {
        rc = canonical_ids(b->ctx, &log->res, log->ev_res, log->n_events, UINT32_MAX);
    }
    if (rc == AB_OK) {
        rc = sort_activities(log);
    }
    if (rc == AB_OK) {
        rc = compute_variants(log);
    }
    if (rc != AB_OK) {
        ab__error(err, rc, b->source, 0, 0, "%s while building the log", ab_status_str(rc));
        ab_log_builder_destroy(b);
        return rc;
    }
    compute_quality(log);
    enc_free(log);
    b->log = NULL;
    ab_log_builder_destroy(b);
    *out = log;
    return AB_OK;
}
