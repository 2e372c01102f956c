/*
 * partial/partial.c: writing, validating and merging partials (the format is
 * in asbuilt/partial.h and partial_int.h). A partial is written from a
 * finished log, case by case, and read back by feeding its events to a log
 * builder exactly as a reader would, so that one builder fed several partials
 * (and files) finishes into the log of all their inputs.
 */
#include "partial/partial_int.h"

#include "log/log_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#ifdef AB_HAVE_ISAL
#include <isa-l/crc.h>
#endif

#include "asbuilt/input.h"
#include "asbuilt/time.h"

/* ---- Hashes. ---- */

uint64_t ab_partial_case_hash(const char *case_id, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    const unsigned char *p = (const unsigned char *)case_id;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

uint32_t ab_partial_case_rank(const char *case_id, size_t len, uint32_t ranks)
{
    return ranks == 0 ? 0 : (uint32_t)(ab_partial_case_hash(case_id, len) % ranks);
}

int ab_partial_detect(const void *data, size_t len)
{
    return len >= AB_PARTIAL_MAGIC_LEN && memcmp(data, AB_PARTIAL_MAGIC, AB_PARTIAL_MAGIC_LEN) == 0;
}

/* ---- The options text. ---- */

/* Appends " key=value" with spaces and '%' in value escaped. */
static int opt_put(ab_buf *out, ab_ctx *ctx, const char *key, const char *value)
{
    int rc = ab_buf_printf(out, ctx, "%s%s=", out->len > 0 ? " " : "", key);
    for (const char *p = value; rc == AB_OK && *p != '\0'; p++) {
        if (*p == ' ' || *p == '%' || *p == '=') {
            rc = ab_buf_printf(out, ctx, "%%%02X", (unsigned char)*p);
        } else {
            rc = ab_buf_append(out, ctx, p, 1);
        }
    }
    return rc;
}

/* A CSV column choice: NULL = recognised ("auto"), "" = none, else "col:NAME". */
static int opt_col(ab_buf *out, ab_ctx *ctx, const char *key, const char *col)
{
    char tmp[320];
    if (col == NULL) {
        return opt_put(out, ctx, key, "auto");
    }
    if (col[0] == '\0') {
        return opt_put(out, ctx, key, "none");
    }
    snprintf(tmp, sizeof(tmp), "col:%s", col);
    if (strlen(col) + 4 >= sizeof(tmp)) {
        /* Long names: the fingerprint still tells them apart. */
        snprintf(tmp, sizeof(tmp), "col#%016llx",
                 (unsigned long long)ab_partial_case_hash(col, strlen(col)));
    }
    return opt_put(out, ctx, key, tmp);
}

int ab_partial_options_text(ab_buf *out, ab_ctx *ctx, const ab_read_options *ro)
{
    ab_read_options defaults = AB_READ_OPTIONS_INIT;
    if (ro == NULL) {
        ro = &defaults;
    }
    ab_buf tmp = AB_BUF_INIT;
    int rc = AB_OK;
    /* opt_put separates with a space when out is not empty: build apart. */
    char delim[8];
    char fmt[96];
    if (ro->csv.delimiter == 0) {
        snprintf(delim, sizeof(delim), "auto");
    } else if (ro->csv.delimiter == '\t') {
        snprintf(delim, sizeof(delim), "tab");
    } else {
        snprintf(delim, sizeof(delim), "%c", ro->csv.delimiter);
    }
    ab_ts_format_name(&ro->csv.ts_format, fmt, sizeof(fmt));
    const char *tz = ro->csv.tz != NULL ? ab_tz_name(ro->csv.tz) : "UTC";
    rc = opt_put(&tmp, ctx, "lifecycle", ro->log.lifecycle == AB_LCF_COMPLETE ? "complete" : "all");
    if (rc == AB_OK) {
        rc = opt_put(&tmp, ctx, "attributes", ro->log.keep_attributes ? "1" : "0");
    }
    if (rc == AB_OK) {
        rc = opt_put(&tmp, ctx, "classifier",
                     ro->xes.classifier != NULL ? ro->xes.classifier : "concept:name");
    }
    if (rc == AB_OK) {
        rc = opt_put(&tmp, ctx, "delimiter", delim);
    }
    static const char *const keys[] = {"case",  "activity", "timestamp",
                                       "start", "resource", "lifecycle_column"};
    const char *cols[] = {ro->csv.case_col,  ro->csv.activity_col, ro->csv.timestamp_col,
                          ro->csv.start_col, ro->csv.resource_col, ro->csv.lifecycle_col};
    for (size_t k = 0; rc == AB_OK && k < sizeof(keys) / sizeof(keys[0]); k++) {
        rc = opt_col(&tmp, ctx, keys[k], cols[k]);
    }
    if (rc == AB_OK) {
        rc = opt_put(&tmp, ctx, "timestamp_format", fmt);
    }
    if (rc == AB_OK) {
        rc = opt_put(&tmp, ctx, "tz", tz != NULL ? tz : "UTC");
    }
    if (rc == AB_OK) {
        rc = ab_buf_append(out, ctx, tmp.ptr != NULL ? tmp.ptr : "", tmp.len);
    }
    ab_buf_dispose(&tmp);
    return rc;
}

static uint64_t fnv(const char *s, size_t len)
{
    return ab_partial_case_hash(s, len);
}

int ab_partial_options_fingerprint(ab_ctx *ctx, const ab_read_options *ro, uint64_t *out)
{
    ab_buf t = AB_BUF_INIT;
    int rc = ab_partial_options_text(&t, ctx, ro);
    if (rc == AB_OK) {
        *out = fnv(t.ptr != NULL ? t.ptr : "", t.len);
    }
    ab_buf_dispose(&t);
    return rc;
}

/* ---- Writing. ---- */

typedef struct wb {
    ab_ctx *ctx;
    uint8_t *p;
    size_t len;
    size_t cap;
} wb;

static int wb_room(wb *w, size_t n)
{
    if (w->len + n <= w->cap) {
        return AB_OK;
    }
    size_t ncap = w->cap < 4096 ? 4096 : w->cap;
    while (ncap < w->len + n) {
        ncap += ncap / 2;
    }
    uint8_t *q = ab__realloc(w->ctx, w->p, ncap);
    if (q == NULL) {
        return AB_ENOMEM;
    }
    w->p = q;
    w->cap = ncap;
    return AB_OK;
}

/* Needs 10 bytes of room. */
static inline void pv(wb *w, uint64_t v)
{
    uint8_t *p = w->p + w->len;
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    w->len = (size_t)(p - w->p);
}

static inline uint64_t zz(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t unzz(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static int wstr(wb *w, const char *s, size_t n)
{
    if (wb_room(w, n + 10) != AB_OK) {
        return AB_ENOMEM;
    }
    pv(w, n);
    if (n > 0) {
        memcpy(w->p + w->len, s, n);
    }
    w->len += n;
    return AB_OK;
}

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

/* Re-encodes one packed attribute chunk of the log (varint count, attributes). */
static int w_chunk(wb *w, const ab_log *log, const uint8_t *p)
{
    uint64_t count = ab__varint_get(&p);
    if (wb_room(w, 10) != AB_OK) {
        return AB_ENOMEM;
    }
    pv(w, count);
    for (uint64_t i = 0; i < count; i++) {
        uint32_t key;
        ab_value v;
        int32_t parent;
        p += ab__log_get_attr(log, p, &key, &v, &parent);
        size_t need = 32;
        if (v.type == AB_ATTR_STRING || v.type == AB_ATTR_ID) {
            need += v.u.s.len;
        }
        if (wb_room(w, need) != AB_OK) {
            return AB_ENOMEM;
        }
        pv(w, key);
        w->p[w->len++] = (uint8_t)v.type;
        pv(w, (uint64_t)((int64_t)parent + 1));
        switch (v.type) {
        case AB_ATTR_STRING:
        case AB_ATTR_ID:
            pv(w, v.u.s.len);
            if (v.u.s.len > 0) {
                memcpy(w->p + w->len, v.u.s.ptr, v.u.s.len);
            }
            w->len += v.u.s.len;
            break;
        case AB_ATTR_INT:
            pv(w, zz(v.u.i));
            break;
        case AB_ATTR_DATE:
            pv(w, zz(v.u.t));
            break;
        case AB_ATTR_FLOAT: {
            uint64_t bits;
            memcpy(&bits, &v.u.f, 8);
            put_le(w->p + w->len, bits, 8);
            w->len += 8;
            break;
        }
        case AB_ATTR_BOOLEAN:
            w->p[w->len++] = (uint8_t)(v.u.b != 0);
            break;
        default:
            break;
        }
    }
    return AB_OK;
}

static int w_strtab(wb *w, const ab__strtab *t)
{
    if (wb_room(w, 10) != AB_OK) {
        return AB_ENOMEM;
    }
    pv(w, t->count);
    for (uint32_t i = 0; i < t->count; i++) {
        if (wstr(w, ab__strtab_str(t, i), ab__strtab_len(t, i)) != AB_OK) {
            return AB_ENOMEM;
        }
    }
    return AB_OK;
}

/* Sections 1 to 7 (the tables and, when quality, the log-wide facts). */
static int w_head(wb *w, ab_ctx *ctx, const ab_log *log, const char *opts, int quality)
{
    int rc = wstr(w, opts, strlen(opts));
    if (rc != AB_OK || wb_room(w, 16) != AB_OK) {
        return AB_ENOMEM;
    }
    pv(w, quality ? log->meta_count : 0);
    for (size_t i = 0; quality && i < log->meta_count; i++) {
        if (wstr(w, log->meta[i].key, strlen(log->meta[i].key)) != AB_OK ||
            wstr(w, log->meta[i].value, strlen(log->meta[i].value)) != AB_OK) {
            return AB_ENOMEM;
        }
    }
    const ab_data_quality *q = &log->dq;
    if (wb_room(w, 16 + AB__PART_DROPS * (20 + AB_DQ_LINES * 10)) != AB_OK) {
        return AB_ENOMEM;
    }
    w->p[w->len++] = (uint8_t)(quality != 0);
    if (quality) {
        pv(w, q->records);
        for (int r = 0; r < AB__PART_DROPS; r++) {
            pv(w, q->dropped[r].count);
            pv(w, q->dropped[r].line_count);
            for (uint32_t k = 0; k < q->dropped[r].line_count; k++) {
                pv(w, q->dropped[r].lines[k]);
            }
        }
        pv(w, q->timestamps_coerced);
    }
    /* Log attributes: chunks one after the other in lattr_blob. */
    uint64_t chunks = 0;
    if (quality) {
        for (const uint8_t *p = log->lattr_blob;
             p != NULL && p < log->lattr_blob + log->lattr_len;) {
            ab__varint_get(&p); /* prev (0) */
            uint64_t count = ab__varint_get(&p);
            for (uint64_t i = 0; i < count; i++) {
                uint32_t key;
                ab_value v;
                int32_t parent;
                p += ab__log_get_attr(log, p, &key, &v, &parent);
            }
            chunks++;
        }
    }
    if (wb_room(w, 10) != AB_OK) {
        return AB_ENOMEM;
    }
    pv(w, chunks);
    for (const uint8_t *p = log->lattr_blob; chunks > 0 && p < log->lattr_blob + log->lattr_len;) {
        ab__varint_get(&p);
        const uint8_t *chunk = p;
        uint64_t count = ab__varint_get(&p);
        for (uint64_t i = 0; i < count; i++) {
            uint32_t key;
            ab_value v;
            int32_t parent;
            p += ab__log_get_attr(log, p, &key, &v, &parent);
        }
        if (w_chunk(w, log, chunk) != AB_OK) {
            return AB_ENOMEM;
        }
    }
    (void)ctx;
    if (w_strtab(w, &log->acts) != AB_OK || w_strtab(w, &log->res) != AB_OK ||
        w_strtab(w, &log->keys) != AB_OK) {
        return AB_ENOMEM;
    }
    return AB_OK;
}

/* One case (section 9). vmap: the log's variant -> the partial's. */
static int w_case(wb *w, const ab_log *log, uint32_t c, uint32_t vmap)
{
    const char *id = ab__strtab_str(&log->cases, log->case_sid[c]);
    uint32_t idlen = ab__strtab_len(&log->cases, log->case_sid[c]);
    if (wstr(w, id, idlen) != AB_OK || wb_room(w, 20) != AB_OK) {
        return AB_ENOMEM;
    }
    pv(w, vmap);
    /* Case attribute chunks chain from the latest: write them earliest first. */
    uint64_t chunks = 0;
    for (uint64_t off = log->case_cattr[c]; off != 0;) {
        const uint8_t *p = log->cattr_blob + off - 1;
        off = ab__varint_get(&p);
        chunks++;
    }
    pv(w, chunks);
    for (uint64_t k = chunks; k > 0; k--) {
        uint64_t off = log->case_cattr[c];
        for (uint64_t s = 1; s < k; s++) {
            const uint8_t *p = log->cattr_blob + off - 1;
            off = ab__varint_get(&p);
        }
        const uint8_t *p = log->cattr_blob + off - 1;
        ab__varint_get(&p);
        if (w_chunk(w, log, p) != AB_OK) {
            return AB_ENOMEM;
        }
    }
    uint64_t first = log->case_first[c];
    uint32_t len = log->case_len[c];
    if (wb_room(w, (size_t)len * 31) != AB_OK) {
        return AB_ENOMEM;
    }
    ab_time prev = 0;
    for (uint32_t k = 0; k < len; k++) {
        uint64_t e = first + k;
        ab_time t = log->ev_ts[e];
        ab_time s = log->ev_start != NULL ? log->ev_start[e] : AB_TIME_NONE;
        uint32_t r = log->ev_res[e];
        uint64_t a = log->ev_attr != NULL ? log->ev_attr[e] : 0;
        unsigned flags = (unsigned)log->ev_lc[e] << 4;
        flags |= t != AB_TIME_NONE ? AB__EV_TIME : 0u;
        flags |= s != AB_TIME_NONE ? AB__EV_START : 0u;
        flags |= r != UINT32_MAX ? AB__EV_RES : 0u;
        flags |= a != 0 ? AB__EV_ATTRS : 0u;
        w->p[w->len++] = (uint8_t)flags;
        if (t != AB_TIME_NONE) {
            pv(w, zz((int64_t)((uint64_t)t - (uint64_t)prev)));
            prev = t;
        }
        if (s != AB_TIME_NONE) {
            pv(w, zz(t != AB_TIME_NONE ? (int64_t)((uint64_t)s - (uint64_t)t) : s));
        }
        if (r != UINT32_MAX) {
            pv(w, r);
        }
        if (a != 0) {
            if (w_chunk(w, log, log->attr_blob + a - 1) != AB_OK ||
                wb_room(w, (size_t)(len - k) * 31) != AB_OK) {
                return AB_ENOMEM;
            }
        }
    }
    return AB_OK;
}

/* CRC-32 (ISO-HDLC, gzip's): ISA-L's when built in (several times zlib's speed), same value. */
static uint32_t crc_of(const uint8_t *p, size_t n)
{
#ifdef AB_HAVE_ISAL
    uint32_t ci = 0;
    while (n > 0) {
        uint64_t k = n > (1u << 30) ? (1u << 30) : n;
        ci = crc32_gzip_refl(ci, p, k);
        p += k;
        n -= (size_t)k;
    }
    return ci;
#endif
    uLong c = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, k);
        p += k;
        n -= k;
    }
    return (uint32_t)c;
}

/* Writes the partial of the cases list (or all when list NULL) to out. */
static int write_list(ab_buf *out, ab_ctx *ctx, const ab_log *log, const ab_read_options *ro,
                      const uint32_t *list, size_t count, int quality, ab_error *err)
{
    wb w = {ctx, NULL, 0, 0};
    ab_buf opts = AB_BUF_INIT;
    uint32_t *vmap = NULL;
    uint32_t *vused = NULL;
    int rc = ab_partial_options_text(&opts, ctx, ro);
    if (rc != AB_OK) {
        goto done;
    }
    if (count > UINT32_MAX) {
        rc = ab__error(err, AB_ELIMIT, NULL, 0, 0, "more than 2^32-1 cases in one partial");
        goto done;
    }
    rc = AB_ENOMEM;
    /* Room for the whole partial at once (a generous bound: pages never written cost nothing). */
    uint64_t ids_bytes = 0, sel_events = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t c = list != NULL ? list[i] : (uint32_t)i;
        if (c < log->n_cases) {
            ids_bytes += ab__strtab_len(&log->cases, log->case_sid[c]) + 16;
            sel_events += log->case_len[c];
        }
    }
    /* Attributes in proportion to the events written. */
    double share = log->n_events > 0 ? (double)sel_events / (double)log->n_events : 0.0;
    size_t estimate =
        (size_t)(4096 + opts.len + ids_bytes + sel_events * 16 +
                 share * 2.0 * (double)(log->attr_len + log->cattr_len) + log->lattr_len * 2);
    vmap = ab__malloc(ctx, ((size_t)log->n_variants + 1) * sizeof(uint32_t));
    vused = ab__malloc(ctx, ((size_t)log->n_variants + 1) * sizeof(uint32_t));
    if (vmap == NULL || vused == NULL || wb_room(&w, estimate) != AB_OK) {
        goto done;
    }
    memset(vmap, 0xff, ((size_t)log->n_variants + 1) * sizeof(uint32_t));
    uint32_t nv = 0;
    uint64_t events = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t c = list != NULL ? list[i] : (uint32_t)i;
        if (c >= log->n_cases) {
            rc = ab__error(err, AB_EINVAL, NULL, 0, 0, "case index %u out of range (%u cases)", c,
                           log->n_cases);
            goto done;
        }
        uint32_t v = log->case_variant[c];
        if (vmap[v] == UINT32_MAX) {
            vmap[v] = nv;
            vused[nv++] = v;
        }
        events += log->case_len[c];
    }
    w.len = AB__PART_HEADER;
    if (w_head(&w, ctx, log, opts.ptr != NULL ? opts.ptr : "", quality) != AB_OK ||
        wb_room(&w, 10) != AB_OK) {
        goto done;
    }
    pv(&w, nv);
    for (uint32_t k = 0; k < nv; k++) {
        uint32_t v = vused[k];
        uint32_t len = log->var_len[v];
        const uint32_t *seq = log->var_seq + log->var_seq_off[v];
        if (wb_room(&w, 10 + (size_t)len * 5) != AB_OK) {
            goto done;
        }
        pv(&w, len);
        for (uint32_t j = 0; j < len; j++) {
            pv(&w, seq[j]);
        }
    }
    for (size_t i = 0; i < count; i++) {
        uint32_t c = list != NULL ? list[i] : (uint32_t)i;
        if (w_case(&w, log, c, vmap[log->case_variant[c]]) != AB_OK) {
            goto done;
        }
    }
    if (wb_room(&w, AB__PART_TRAILER + 1) != AB_OK) {
        goto done;
    }
    uint64_t fp = fnv(opts.ptr != NULL ? opts.ptr : "", opts.len);
    memcpy(w.p, AB_PARTIAL_MAGIC, AB_PARTIAL_MAGIC_LEN);
    put_le(w.p + 8, AB_PARTIAL_VERSION, 4);
    put_le(w.p + 12, 0, 4);
    put_le(w.p + 16, fp, 8);
    put_le(w.p + 24, w.len - AB__PART_HEADER, 8);
    put_le(w.p + 32, count, 8);
    put_le(w.p + 40, events, 8);
    put_le(w.p + w.len, crc_of(w.p, w.len), 4);
    w.len += AB__PART_TRAILER;
    if (out->ptr == NULL && out->len == 0) {
        w.p[w.len] = 0;
        out->ptr = (char *)w.p;
        out->len = w.len;
        out->cap = w.cap;
        out->ctx = ctx;
        w.p = NULL;
        rc = AB_OK;
    } else {
        rc = ab_buf_append(out, ctx, w.p, w.len);
    }
done:
    if (rc == AB_ENOMEM) {
        ab__error(err, AB_ENOMEM, NULL, 0, 0, "out of memory while writing a partial");
    }
    ab__free(ctx, w.p);
    ab__free(ctx, vmap);
    ab__free(ctx, vused);
    ab_buf_dispose(&opts);
    return rc;
}

int ab_partial_write_cases(ab_buf *out, ab_ctx *ctx, const ab_log *log, const ab_read_options *ro,
                           const uint32_t *cases, size_t count, int quality, ab_error *err)
{
    ab_error_clear(err);
    return write_list(out, ctx, log, ro, cases, count, quality, err);
}

int ab_partial_write(ab_buf *out, ab_ctx *ctx, const ab_log *log, const ab_read_options *ro,
                     ab_partial_case_filter keep, void *payload, ab_error *err)
{
    ab_error_clear(err);
    if (keep == NULL) {
        return write_list(out, ctx, log, ro, NULL, log->n_cases, 1, err);
    }
    uint32_t *list = ab__malloc(ctx, (size_t)log->n_cases * sizeof(uint32_t) + 1);
    if (list == NULL) {
        return ab__error(err, AB_ENOMEM, NULL, 0, 0, "out of memory while writing a partial");
    }
    size_t n = 0;
    for (uint32_t c = 0; c < log->n_cases; c++) {
        if (keep(log, c, payload)) {
            list[n++] = c;
        }
    }
    int rc = write_list(out, ctx, log, ro, list, n, 0, err);
    ab__free(ctx, list);
    return rc;
}

int ab_partial_write_fd(int fd, ab_ctx *ctx, const ab_log *log, const ab_read_options *ro,
                        ab_partial_case_filter keep, void *payload, ab_error *err)
{
    ab_buf b = AB_BUF_INIT;
    int rc = ab_partial_write(&b, ctx, log, ro, keep, payload, err);
    size_t done = 0;
    while (rc == AB_OK && done < b.len) {
        ssize_t k = write(fd, b.ptr + done, b.len - done);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            rc = ab__error(err, AB_EIO, NULL, 0, 0, "cannot write the partial: %s",
                           k < 0 ? strerror(errno) : "no progress");
            break;
        }
        done += (size_t)k;
    }
    ab_buf_dispose(&b);
    return rc;
}

/* ---- Reading. ---- */

typedef struct strref {
    const char *s;
    uint32_t len;
} strref;

struct ab_partial {
    ab_ctx *ctx;
    uint8_t *data; /* The whole partial (owned). */
    size_t len;
    char *name; /* For messages. */
    char *opts; /* The options text (NUL-terminated copy). */
    uint64_t fp;
    uint64_t cases;
    uint64_t events;
    strref *meta; /* Key, value pairs. */
    uint64_t meta_count;
    int has_dq;
    ab_data_quality dq;
    size_t lattr_at;       /* Offset of section 4's first attribute list. */
    uint64_t lattr_chunks; /* Its attribute lists. */
    strref *acts;
    uint32_t n_acts;
    strref *res;
    uint32_t n_res;
    strref *keys;
    uint32_t n_keys;
    uint32_t n_vars;
    uint64_t *var_off; /* Offsets of each variant's ids in var_ids (n_vars + 1). */
    uint32_t *var_ids;
    size_t cases_at; /* Offset of section 9. */
    size_t body_end; /* Offset of the trailer. */
};

typedef struct rd {
    const uint8_t *base;
    const uint8_t *p;
    const uint8_t *end;
    const char *name;
    ab_error *err;
    int rc;
} rd;

static int rd_fail(rd *r, const char *what)
{
    if (r->rc == AB_OK) {
        uint64_t off = (uint64_t)(r->p - r->base);
        r->rc =
            ab__error(r->err, AB_EPARSE, r->name, 0, 0, "corrupt partial at byte %llu: expected %s",
                      (unsigned long long)off, what);
        ab__error_offset(r->err, off);
    }
    return r->rc;
}

static int rd_oom(rd *r)
{
    if (r->rc == AB_OK) {
        r->rc = ab__error(r->err, AB_ENOMEM, r->name, 0, 0, "out of memory");
    }
    return r->rc;
}

static uint64_t gv(rd *r, const char *what)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->rc != AB_OK) {
            return 0;
        }
        if (r->p >= r->end) {
            rd_fail(r, what);
            return 0;
        }
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            return v;
        }
    }
    rd_fail(r, what);
    return 0;
}

static const uint8_t *gb(rd *r, uint64_t n, const char *what)
{
    if (r->rc != AB_OK) {
        return NULL;
    }
    if ((uint64_t)(r->end - r->p) < n) {
        rd_fail(r, what);
        return NULL;
    }
    const uint8_t *q = r->p;
    r->p += n;
    return q;
}

static strref gs(rd *r, const char *what)
{
    strref s = {"", 0};
    uint64_t n = gv(r, what);
    if (n > UINT32_MAX) {
        rd_fail(r, what);
        return s;
    }
    const uint8_t *q = gb(r, n, what);
    if (q != NULL) {
        s.s = (const char *)q;
        s.len = (uint32_t)n;
    }
    return s;
}

static int g_table(rd *r, ab_ctx *ctx, strref **out, uint32_t *n_out, const char *what,
                   int nonempty)
{
    uint64_t n = gv(r, what);
    if (r->rc != AB_OK) {
        return r->rc;
    }
    if (n > (uint64_t)(r->end - r->p)) {
        return rd_fail(r, what);
    }
    *out = ab__malloc(ctx, ((size_t)n + 1) * sizeof(strref));
    if (*out == NULL) {
        return rd_oom(r);
    }
    for (uint64_t i = 0; i < n; i++) {
        (*out)[i] = gs(r, what);
        if (r->rc == AB_OK && nonempty && (*out)[i].len == 0) {
            return rd_fail(r, "a non-empty name");
        }
    }
    *n_out = (uint32_t)n;
    return r->rc;
}

/* Scratch for decoding attribute lists. */
typedef struct attr_scratch {
    ab_attr_in *a;
    size_t cap;
} attr_scratch;

/* Decodes one attribute list into s->a; *count_out gets its length. */
static int g_attrs(rd *r, const ab_partial *p, attr_scratch *s, size_t *count_out)
{
    uint64_t n = gv(r, "an attribute count");
    if (r->rc != AB_OK) {
        return r->rc;
    }
    if (n > (uint64_t)(r->end - r->p)) {
        return rd_fail(r, "an attribute count within the file");
    }
    if (AB_GROW(p->ctx, s->a, s->cap, (size_t)n + 1) != AB_OK) {
        return rd_oom(r);
    }
    for (uint64_t i = 0; i < n; i++) {
        ab_attr_in *a = &s->a[i];
        uint64_t key = gv(r, "an attribute key id");
        if (r->rc == AB_OK && key >= p->n_keys) {
            return rd_fail(r, "an attribute key id within the key table");
        }
        const uint8_t *t = gb(r, 1, "an attribute type");
        if (t == NULL) {
            return r->rc;
        }
        if (*t > AB_ATTR_CONTAINER) {
            r->p--;
            return rd_fail(r, "an attribute type (0 to 7)");
        }
        uint64_t parent = gv(r, "an attribute parent");
        if (r->rc == AB_OK && parent > i) {
            return rd_fail(r, "an attribute parent before the attribute");
        }
        if (r->rc != AB_OK) {
            return r->rc;
        }
        a->key = p->keys[key].s;
        a->key_len = p->keys[key].len;
        a->parent = (int32_t)parent - 1;
        memset(&a->value, 0, sizeof(a->value));
        a->value.type = (ab_attr_type)*t;
        switch (a->value.type) {
        case AB_ATTR_STRING:
        case AB_ATTR_ID: {
            strref v = gs(r, "an attribute value");
            a->value.u.s.ptr = v.s;
            a->value.u.s.len = v.len;
            break;
        }
        case AB_ATTR_INT:
            a->value.u.i = unzz(gv(r, "an integer attribute value"));
            break;
        case AB_ATTR_DATE:
            a->value.u.t = unzz(gv(r, "a date attribute value"));
            break;
        case AB_ATTR_FLOAT: {
            const uint8_t *q = gb(r, 8, "a float attribute value");
            if (q != NULL) {
                uint64_t bits = get_le(q, 8);
                memcpy(&a->value.u.f, &bits, 8);
            }
            break;
        }
        case AB_ATTR_BOOLEAN: {
            const uint8_t *q = gb(r, 1, "a boolean attribute value");
            if (q != NULL) {
                if (*q > 1) {
                    r->p--;
                    return rd_fail(r, "a boolean (0 or 1)");
                }
                a->value.u.b = *q;
            }
            break;
        }
        default:
            break;
        }
    }
    *count_out = (size_t)n;
    return r->rc;
}

/*
 * Walks section 9: with b NULL only validates; else feeds b. *events_out
 * counts the events met.
 */
static int walk_cases(const ab_partial *p, ab_log_builder *b, ab_error *err, uint64_t *events_out)
{
    rd r = {p->data, p->data + p->cases_at, p->data + p->body_end, p->name, err, AB_OK};
    attr_scratch s = {NULL, 0};
    uint64_t events = 0;
    int rc = AB_OK;
    for (uint64_t c = 0; c < p->cases && r.rc == AB_OK; c++) {
        strref id = gs(&r, "a case id");
        if (r.rc == AB_OK && id.len == 0) {
            rd_fail(&r, "a non-empty case id");
        }
        uint64_t v = gv(&r, "a variant id");
        if (r.rc == AB_OK && v >= p->n_vars) {
            rd_fail(&r, "a variant id within the variant table");
        }
        uint64_t chunks = gv(&r, "a count of case attribute lists");
        for (uint64_t k = 0; k < chunks && r.rc == AB_OK; k++) {
            size_t n;
            if (g_attrs(&r, p, &s, &n) == AB_OK && b != NULL && n > 0) {
                rc = ab_log_builder_add_case_attrs(b, id.s, id.len, s.a, n, err);
                if (rc != AB_OK) {
                    goto done;
                }
            }
        }
        if (r.rc != AB_OK) {
            break;
        }
        const uint32_t *seq = p->var_ids + p->var_off[v];
        uint64_t len = p->var_off[v + 1] - p->var_off[v];
        ab_time prev = 0;
        for (uint64_t k = 0; k < len && r.rc == AB_OK; k++) {
            const uint8_t *fl = gb(&r, 1, "an event's flags");
            if (fl == NULL) {
                break;
            }
            unsigned flags = *fl;
            if ((flags >> 4) > AB_LC_OTHER) {
                r.p--;
                rd_fail(&r, "an event's flags with a lifecycle transition 0 to 12");
                break;
            }
            ab_event_in ev;
            memset(&ev, 0, sizeof(ev));
            ev.case_id = id.s;
            ev.case_id_len = id.len;
            ev.activity = p->acts[seq[k]].s;
            ev.activity_len = p->acts[seq[k]].len;
            ev.lifecycle = (ab_lifecycle)(flags >> 4);
            ev.ts = AB_TIME_NONE;
            ev.start_ts = AB_TIME_NONE;
            if (flags & AB__EV_TIME) {
                uint64_t d = gv(&r, "an event time");
                ev.ts = (ab_time)((uint64_t)prev + (uint64_t)unzz(d));
                prev = ev.ts;
                if (r.rc == AB_OK && ev.ts == AB_TIME_NONE) {
                    rd_fail(&r, "an event time (not the missing-time marker)");
                }
            }
            if (flags & AB__EV_START) {
                int64_t d = unzz(gv(&r, "an event start time"));
                ev.start_ts = ev.ts != AB_TIME_NONE ? (ab_time)((uint64_t)ev.ts + (uint64_t)d) : d;
                if (r.rc == AB_OK && ev.start_ts == AB_TIME_NONE) {
                    rd_fail(&r, "an event start time (not the missing-time marker)");
                }
            }
            if (flags & AB__EV_RES) {
                uint64_t res = gv(&r, "a resource id");
                if (r.rc == AB_OK && res >= p->n_res) {
                    rd_fail(&r, "a resource id within the resource table");
                }
                if (r.rc == AB_OK) {
                    ev.resource = p->res[res].s;
                    ev.resource_len = p->res[res].len;
                }
            }
            if (flags & AB__EV_ATTRS) {
                size_t n = 0;
                if (g_attrs(&r, p, &s, &n) == AB_OK) {
                    ev.attrs = s.a;
                    ev.attr_count = n;
                }
            }
            if (r.rc != AB_OK) {
                break;
            }
            events++;
            if (b != NULL) {
                rc = ab_log_builder_add_event(b, &ev, err);
                if (rc != AB_OK) {
                    goto done;
                }
            }
        }
    }
    rc = r.rc;
    if (rc == AB_OK && r.p != r.end) {
        rc = rd_fail(&r, "the checksum after the last case");
    }
    if (rc == AB_OK && events != p->events) {
        rc = ab__error(err, AB_EPARSE, p->name, 0, 0,
                       "corrupt partial: the header (byte 40) announces %llu events, the cases "
                       "hold %llu",
                       (unsigned long long)p->events, (unsigned long long)events);
        ab__error_offset(err, 40);
    }
done:
    ab__free(p->ctx, s.a);
    *events_out = events;
    return rc;
}

void ab_partial_destroy(ab_partial *p)
{
    if (p == NULL) {
        return;
    }
    ab_ctx *ctx = p->ctx;
    void *arrays[] = {p->data, p->name, p->opts,    p->meta,   p->acts,
                      p->res,  p->keys, p->var_off, p->var_ids};
    for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++) {
        ab__free(ctx, arrays[i]);
    }
    ab__free(ctx, p);
}

/* Validates data (owned by the new partial from the start: freed on failure). */
static int open_owned(ab_partial **out, ab_ctx *ctx, uint8_t *data, size_t len, const char *name,
                      ab_error *err)
{
    *out = NULL;
    ab_partial *p = ab__calloc(ctx, 1, sizeof(*p));
    if (p == NULL) {
        ab__free(ctx, data);
        return ab__error(err, AB_ENOMEM, name, 0, 0, "out of memory");
    }
    p->ctx = ctx;
    p->data = data;
    p->len = len;
    p->name = ab__strdup(ctx, name != NULL ? name : "<partial>");
    int rc = AB_OK;
    if (p->name == NULL) {
        rc = ab__error(err, AB_ENOMEM, name, 0, 0, "out of memory");
        goto done;
    }
    name = p->name;
    if (len < AB_PARTIAL_MAGIC_LEN || memcmp(data, AB_PARTIAL_MAGIC, AB_PARTIAL_MAGIC_LEN) != 0) {
        rc = ab__error(err, AB_EPARSE, name, 0, 0,
                       "not a partial: expected the magic bytes 89 41 42 50 41 52 54 0A "
                       "(\"\\x89ABPART\\n\") at byte 0");
        ab__error_offset(err, 0);
        goto done;
    }
    if (len < AB__PART_HEADER) {
        rc = ab__error(err, AB_EPARSE, name, 0, 0,
                       "truncated partial: the file ends at byte %zu, expected a %d-byte header",
                       len, AB__PART_HEADER);
        ab__error_offset(err, len);
        goto done;
    }
    uint32_t version = (uint32_t)get_le(data + 8, 4);
    if (version != AB_PARTIAL_VERSION) {
        rc = ab__error(err, AB_EPARSE, name, 0, 0,
                       "partial format version %u at byte 8, expected version %d (rebuild the "
                       "partial with this asbuilt)",
                       version, AB_PARTIAL_VERSION);
        ab__error_offset(err, 8);
        goto done;
    }
    uint32_t flags = (uint32_t)get_le(data + 12, 4);
    if (flags != 0) {
        rc = ab__error(err, AB_EPARSE, name, 0, 0, "unknown flags %08x at byte 12, expected 0",
                       flags);
        ab__error_offset(err, 12);
        goto done;
    }
    p->fp = get_le(data + 16, 8);
    uint64_t body = get_le(data + 24, 8);
    p->cases = get_le(data + 32, 8);
    p->events = get_le(data + 40, 8);
    uint64_t total = body + AB__PART_HEADER + AB__PART_TRAILER;
    if (body > SIZE_MAX - AB__PART_HEADER - AB__PART_TRAILER || len < total) {
        rc = ab__error(err, AB_EPARSE, name, 0, 0,
                       "truncated partial: the file ends at byte %zu, expected %llu bytes (a "
                       "body of %llu bytes, as the header says at byte 24, and a 4-byte checksum)",
                       len, (unsigned long long)total, (unsigned long long)body);
        ab__error_offset(err, len);
        goto done;
    }
    if (len > total) {
        rc = ab__error(err, AB_EPARSE, name, 0, 0,
                       "%llu bytes after the end of the partial at byte %llu: expected the end "
                       "of the file",
                       (unsigned long long)(len - total), (unsigned long long)total);
        ab__error_offset(err, total);
        goto done;
    }
    p->body_end = (size_t)(AB__PART_HEADER + body);
    uint32_t stored = (uint32_t)get_le(data + p->body_end, 4);
    uint32_t actual = crc_of(data, p->body_end);
    if (stored != actual) {
        rc = ab__error(err, AB_EPARSE, name, 0, 0,
                       "checksum mismatch: the CRC-32 at byte %zu is %08x, the %zu bytes before "
                       "it give %08x (the file was altered or damaged)",
                       p->body_end, stored, p->body_end, actual);
        ab__error_offset(err, p->body_end);
        goto done;
    }
    rd r = {data, data + AB__PART_HEADER, data + p->body_end, name, err, AB_OK};
    strref o = gs(&r, "the options text");
    if (r.rc == AB_OK) {
        p->opts = ab__strndup(ctx, o.s, o.len);
        if (p->opts == NULL) {
            rc = ab__error(err, AB_ENOMEM, name, 0, 0, "out of memory");
            goto done;
        }
        if (strlen(p->opts) != o.len || fnv(p->opts, o.len) != p->fp) {
            r.p = data + 16;
            rd_fail(&r, "an options fingerprint that matches the options text");
        }
    }
    p->meta_count = gv(&r, "a count of facts");
    if (r.rc == AB_OK && p->meta_count > (uint64_t)(r.end - r.p)) {
        rd_fail(&r, "a count of facts within the file");
    }
    if (r.rc == AB_OK) {
        p->meta = ab__malloc(ctx, ((size_t)p->meta_count * 2 + 1) * sizeof(strref));
        if (p->meta == NULL) {
            rc = ab__error(err, AB_ENOMEM, name, 0, 0, "out of memory");
            goto done;
        }
    }
    for (uint64_t i = 0; i < p->meta_count && r.rc == AB_OK; i++) {
        p->meta[2 * i] = gs(&r, "a fact's key");
        p->meta[2 * i + 1] = gs(&r, "a fact's value");
        if (r.rc == AB_OK && (memchr(p->meta[2 * i].s, 0, p->meta[2 * i].len) != NULL ||
                              memchr(p->meta[2 * i + 1].s, 0, p->meta[2 * i + 1].len) != NULL)) {
            rd_fail(&r, "a fact without NUL bytes");
        }
    }
    const uint8_t *q = gb(&r, 1, "the data-quality marker");
    if (q != NULL && *q > 1) {
        r.p--;
        rd_fail(&r, "a data-quality marker 0 or 1");
    }
    p->has_dq = q != NULL && *q == 1;
    if (p->has_dq) {
        p->dq.records = gv(&r, "a record count");
        for (int k = 0; k < AB__PART_DROPS && r.rc == AB_OK; k++) {
            p->dq.dropped[k].count = gv(&r, "a drop count");
            uint64_t lines = gv(&r, "a count of line numbers");
            if (r.rc == AB_OK && (lines > AB_DQ_LINES || lines > p->dq.dropped[k].count)) {
                rd_fail(&r, "at most 5 line numbers, no more than the drops");
            }
            p->dq.dropped[k].line_count = (uint32_t)lines;
            for (uint64_t l = 0; l < lines && r.rc == AB_OK; l++) {
                p->dq.dropped[k].lines[l] = gv(&r, "a line number");
            }
        }
        p->dq.timestamps_coerced = gv(&r, "a count of coerced timestamps");
    }
    /* Log attributes: validated now with the key table, which comes later. */
    uint64_t chunks = gv(&r, "a count of log attribute lists");
    p->lattr_at = (size_t)(r.p - data);
    p->lattr_chunks = chunks;
    /* Keys are needed to decode them: skip them structurally now, decode below. */
    for (uint64_t k = 0; k < chunks && r.rc == AB_OK; k++) {
        uint64_t n = gv(&r, "an attribute count");
        for (uint64_t i = 0; i < n && r.rc == AB_OK; i++) {
            gv(&r, "an attribute key id");
            const uint8_t *t = gb(&r, 1, "an attribute type");
            gv(&r, "an attribute parent");
            if (t == NULL) {
                break;
            }
            switch (*t) {
            case AB_ATTR_STRING:
            case AB_ATTR_ID:
                gs(&r, "an attribute value");
                break;
            case AB_ATTR_INT:
            case AB_ATTR_DATE:
                gv(&r, "an attribute value");
                break;
            case AB_ATTR_FLOAT:
                gb(&r, 8, "a float attribute value");
                break;
            case AB_ATTR_BOOLEAN:
                gb(&r, 1, "a boolean attribute value");
                break;
            default:
                break;
            }
        }
    }
    if (r.rc == AB_OK) {
        g_table(&r, ctx, &p->acts, &p->n_acts, "the activity table", 1);
    }
    if (r.rc == AB_OK) {
        g_table(&r, ctx, &p->res, &p->n_res, "the resource table", 1);
    }
    if (r.rc == AB_OK) {
        g_table(&r, ctx, &p->keys, &p->n_keys, "the attribute key table", 0);
    }
    if (r.rc == AB_OK) {
        /* Now the log attribute lists, with the keys known. */
        rd r2 = {data, data + p->lattr_at, r.p, name, err, AB_OK};
        attr_scratch s = {NULL, 0};
        for (uint64_t k = 0; k < chunks && r2.rc == AB_OK; k++) {
            size_t n;
            g_attrs(&r2, p, &s, &n);
        }
        ab__free(ctx, s.a);
        r.rc = r2.rc;
    }
    uint64_t nv = gv(&r, "a variant count");
    if (r.rc == AB_OK && nv > (uint64_t)(r.end - r.p)) {
        rd_fail(&r, "a variant count within the file");
    }
    if (r.rc == AB_OK) {
        p->n_vars = (uint32_t)nv;
        p->var_off = ab__malloc(ctx, ((size_t)nv + 1) * sizeof(uint64_t));
        if (p->var_off == NULL) {
            rc = ab__error(err, AB_ENOMEM, name, 0, 0, "out of memory");
            goto done;
        }
        /* First pass: lengths, to size var_ids. */
        const uint8_t *at = r.p;
        uint64_t total_ids = 0;
        for (uint64_t v = 0; v < nv && r.rc == AB_OK; v++) {
            uint64_t l = gv(&r, "a variant length");
            if (r.rc == AB_OK && (l == 0 || l > (uint64_t)(r.end - r.p))) {
                rd_fail(&r, "a variant length from 1 to the bytes left");
            }
            for (uint64_t k = 0; k < l && r.rc == AB_OK; k++) {
                uint64_t a = gv(&r, "an activity id");
                if (r.rc == AB_OK && a >= p->n_acts) {
                    rd_fail(&r, "an activity id within the activity table");
                }
            }
            total_ids += l;
        }
        if (r.rc == AB_OK) {
            p->var_ids = ab__malloc(ctx, (size_t)total_ids * sizeof(uint32_t) + 1);
            if (p->var_ids == NULL) {
                rc = ab__error(err, AB_ENOMEM, name, 0, 0, "out of memory");
                goto done;
            }
            r.p = at;
            uint64_t off = 0;
            for (uint64_t v = 0; v < nv; v++) {
                uint64_t l = gv(&r, "a variant length");
                p->var_off[v] = off;
                for (uint64_t k = 0; k < l; k++) {
                    p->var_ids[off++] = (uint32_t)gv(&r, "an activity id");
                }
            }
            p->var_off[nv] = off;
        }
    }
    if (r.rc == AB_OK && p->cases > (uint64_t)(r.end - r.p)) {
        r.p = data + 32;
        rd_fail(&r, "a case count (byte 32) within the file");
    }
    if (r.rc != AB_OK) {
        rc = r.rc;
        goto done;
    }
    p->cases_at = (size_t)(r.p - data);
    uint64_t events;
    rc = walk_cases(p, NULL, err, &events);
done:
    if (rc != AB_OK) {
        ab_partial_destroy(p);
        return rc;
    }
    *out = p;
    return AB_OK;
}

int ab_partial_open_memory(ab_partial **out, ab_ctx *ctx, const void *data, size_t len,
                           const char *name, ab_error *err)
{
    ab_error_clear(err);
    *out = NULL;
    uint8_t *copy = ab__malloc(ctx, len + 1);
    if (copy == NULL) {
        return ab__error(err, AB_ENOMEM, name, 0, 0, "out of memory");
    }
    if (len > 0) {
        memcpy(copy, data, len);
    }
    return open_owned(out, ctx, copy, len, name, err);
}

int ab__partial_open_input(ab_partial **out, ab_ctx *ctx, ab_input *in, ab_error *err)
{
    *out = NULL;
    size_t cap = 1 << 20, len = 0;
    uint64_t raw = ab_input_raw_size(in);
    if (!ab_input_is_gzip(in) && raw > 0 && raw < SIZE_MAX - 1) {
        cap = (size_t)raw + 1;
    }
    uint8_t *buf = ab__malloc(ctx, cap);
    if (buf == NULL) {
        return ab__error(err, AB_ENOMEM, ab_input_name(in), 0, 0, "out of memory");
    }
    for (;;) {
        if (len == cap) {
            size_t ncap = cap + cap / 2;
            uint8_t *q = ab__realloc(ctx, buf, ncap);
            if (q == NULL) {
                ab__free(ctx, buf);
                return ab__error(err, AB_ENOMEM, ab_input_name(in), 0, 0, "out of memory");
            }
            buf = q;
            cap = ncap;
        }
        ptrdiff_t k = ab_input_read(in, buf + len, cap - len, err);
        if (k < 0) {
            ab__free(ctx, buf);
            return (int)k;
        }
        if (k == 0) {
            break;
        }
        len += (size_t)k;
    }
    return open_owned(out, ctx, buf, len, ab_input_name(in), err);
}

int ab_partial_open_file(ab_partial **out, ab_ctx *ctx, const char *path, ab_error *err)
{
    ab_error_clear(err);
    *out = NULL;
    ab_input *in;
    int rc = ab_input_open(&in, ctx, path, err);
    if (rc != AB_OK) {
        return rc;
    }
    rc = ab__partial_open_input(out, ctx, in, err);
    ab_input_destroy(in);
    return rc;
}

uint32_t ab_partial_case_count(const ab_partial *p)
{
    return (uint32_t)p->cases;
}

uint64_t ab_partial_event_count(const ab_partial *p)
{
    return p->events;
}

uint64_t ab_partial_fingerprint(const ab_partial *p)
{
    return p->fp;
}

const char *ab_partial_options(const ab_partial *p)
{
    return p->opts;
}

/* ---- Merging. ---- */

static int feed(ab_log_builder *b, const ab_partial *p, int check_fp, ab_error *err)
{
    int rc = check_fp ? ab__log_builder_fingerprint(b, p->fp, p->opts, p->name, err) : AB_OK;
    if (rc != AB_OK) {
        return rc;
    }
    rc = ab_log_builder_set_source(b, p->name);
    for (uint64_t i = 0; rc == AB_OK && i < p->meta_count; i++) {
        char *k = ab__strndup(p->ctx, p->meta[2 * i].s, p->meta[2 * i].len);
        char *v = ab__strndup(p->ctx, p->meta[2 * i + 1].s, p->meta[2 * i + 1].len);
        rc = k != NULL && v != NULL ? ab_log_builder_set_meta(b, k, v) : AB_ENOMEM;
        ab__free(p->ctx, k);
        ab__free(p->ctx, v);
    }
    if (rc != AB_OK) {
        return ab__error(err, rc, p->name, 0, 0, "out of memory");
    }
    rd r = {p->data, p->data + p->lattr_at, p->data + p->body_end, p->name, err, AB_OK};
    attr_scratch s = {NULL, 0};
    uint64_t chunks = p->lattr_chunks;
    for (uint64_t k = 0; k < chunks && rc == AB_OK; k++) {
        size_t n;
        rc = g_attrs(&r, p, &s, &n);
        if (rc == AB_OK && n > 0) {
            rc = ab_log_builder_add_log_attrs(b, s.a, n, err);
        }
    }
    ab__free(p->ctx, s.a);
    if (rc != AB_OK) {
        return rc;
    }
    uint64_t fed = 0;
    rc = walk_cases(p, b, err, &fed);
    if (rc != AB_OK) {
        return rc;
    }
    ab_data_quality none;
    memset(&none, 0, sizeof(none));
    ab__log_builder_merge_quality(b, p->has_dq ? &p->dq : &none, fed);
    return AB_OK;
}

int ab_partial_feed(ab_log_builder *b, const ab_partial *p, ab_error *err)
{
    return feed(b, p, 1, err);
}

int ab_partial_feed_log(ab_log_builder *b, const ab_log *log, ab_partial_case_filter keep,
                        void *payload, ab_error *err)
{
    ab_ctx *ctx = ab__log_builder_ctx(b);
    ab_buf buf = AB_BUF_INIT;
    ab_read_options ro = AB_READ_OPTIONS_INIT;
    ro.log = *ab__log_builder_options(b);
    int rc = ab_partial_write(&buf, ctx, log, &ro, keep, payload, err);
    ab_partial *p = NULL;
    if (rc == AB_OK) {
        rc = ab_partial_open_memory(&p, ctx, buf.ptr, buf.len, "<log>", err);
    }
    ab_buf_dispose(&buf);
    if (rc == AB_OK) {
        /* A log of this process was read with the builder's options. */
        rc = feed(b, p, 0, err);
    }
    ab_partial_destroy(p);
    return rc;
}

int ab_partial_merge(ab_log **out, ab_ctx *ctx, const ab_partial *const *parts, size_t count,
                     const ab_log_options *opts, ab_error *err)
{
    ab_error_clear(err);
    *out = NULL;
    ab_log_options lo = AB_LOG_OPTIONS_INIT;
    if (opts != NULL) {
        lo = *opts;
    }
    lo.lifecycle = AB_LCF_ALL;
    lo.case_sink = NULL;
    ab_log_builder *b;
    int rc = ab_log_builder_create(&b, ctx, &lo);
    if (rc != AB_OK) {
        return ab__error(err, rc, NULL, 0, 0, "cannot create the log builder: %s",
                         ab_status_str(rc));
    }
    for (size_t i = 0; i < count; i++) {
        rc = ab_partial_feed(b, parts[i], err);
        if (rc != AB_OK) {
            ab_log_builder_destroy(b);
            return rc;
        }
    }
    return ab_log_builder_finish(b, out, err);
}
