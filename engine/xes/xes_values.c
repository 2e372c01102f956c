/*
 * xes/xes_values.c: the small pieces under the XES reader: the per-trace
 * string store, parsers for the typed attribute values (int, float, boolean,
 * the zone test of dates), the classifier key-list splitter, and the test
 * that tells an XML document from other input.
 */
#include "xes/xes_int.h"

#include <stdlib.h>

/* ---- Store. ---- */

/* Large enough that a typical trace fits in one block. */
#define STORE_BLOCK (64u * 1024u)

struct ab__xes_block {
    ab__xes_block *next; /* Next block in fill order. */
    size_t cap;          /* Payload bytes. */
    char data[];         /* Payload. */
};

void ab__xes_store_init(ab__xes_store *s, ab_ctx *ctx)
{
    s->ctx = ctx;
    s->first = NULL;
    s->cur = NULL;
    s->next = NULL;
    s->room = 0;
}

static void free_chain(ab_ctx *ctx, ab__xes_block *b)
{
    while (b != NULL) {
        ab__xes_block *next = b->next;
        ab__free(ctx, b);
        b = next;
    }
}

void ab__xes_store_finish(ab__xes_store *s)
{
    free_chain(s->ctx, s->first);
    s->first = s->cur = NULL;
    s->next = NULL;
    s->room = 0;
}

#ifdef AB_ARENA_DEBUG
/* Every string is its own allocation so that ASan sees its bounds. */
void ab__xes_store_reset(ab__xes_store *s)
{
    ab__xes_store_finish(s);
}

char *ab__xes_store_alloc(ab__xes_store *s, size_t n)
{
    ab__xes_block *b = ab__malloc(s->ctx, sizeof(*b) + (n > 0 ? n : 1));
    if (b == NULL) {
        return NULL;
    }
    b->cap = n;
    b->next = s->first;
    s->first = b;
    return b->data;
}
#else
void ab__xes_store_reset(ab__xes_store *s)
{
    s->cur = NULL;
    s->next = NULL;
    s->room = 0;
}

char *ab__xes_store_alloc(ab__xes_store *s, size_t n)
{
    if (s->room >= n) {
        char *p = s->next;
        s->next += n;
        s->room -= n;
        return p;
    }
    /* Move on to the next kept block that is large enough; smaller ones
     * are skipped until the next reset. */
    ab__xes_block *b = s->cur;
    ab__xes_block *prev = b;
    ab__xes_block *next = b != NULL ? b->next : s->first;
    while (next != NULL && next->cap < n) {
        prev = next;
        next = next->next;
    }
    if (next == NULL) {
        size_t cap = n > STORE_BLOCK ? n : STORE_BLOCK;
        next = ab__malloc(s->ctx, sizeof(*next) + cap);
        if (next == NULL) {
            return NULL;
        }
        next->cap = cap;
        next->next = NULL;
        if (prev != NULL) {
            prev->next = next;
        } else {
            s->first = next;
        }
    }
    s->cur = next;
    s->next = next->data + n;
    s->room = next->cap - n;
    return next->data;
}
#endif

const char *ab__xes_store_value_any(ab__xes_store *s, const char *v, size_t len, size_t *len_out)
{
    char *d = ab__xes_store_alloc(s, len + 1);
    if (d == NULL) {
        return NULL;
    }
    const char *amp = len > 0 ? memchr(v, '&', len) : NULL;
    if (amp == NULL) {
        memcpy(d, v, len);
        d[len] = '\0';
        *len_out = len;
        return d;
    }
    size_t o = 0, i = 0;
    while (i < len) {
        if (v[i] == '&' && len - i >= 5 && memcmp(v + i, "&#38;", 5) == 0) {
            d[o++] = '&';
            i += 5;
        } else {
            d[o++] = v[i++];
        }
    }
    d[o] = '\0';
    *len_out = o;
    return d;
}

/* ---- Typed values. ---- */

static inline int is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Drops XML white space around s[0..*len) (xs:* types collapse it). */
static const char *trim(const char *s, size_t *len)
{
    size_t n = *len;
    while (n > 0 && is_xml_space(*s)) {
        s++;
        n--;
    }
    while (n > 0 && is_xml_space(s[n - 1])) {
        n--;
    }
    *len = n;
    return s;
}

int ab__xes_parse_int(const char *s, size_t len, int64_t *out)
{
    s = trim(s, &len);
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    if (i == len) {
        return AB_EPARSE;
    }
    /* Accumulate as a negative number so that INT64_MIN is reachable. */
    int64_t v = 0;
    for (; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9) {
            return AB_EPARSE;
        }
        if (v < (INT64_MIN + (int64_t)d) / 10) {
            return AB_EPARSE;
        }
        v = v * 10 - (int64_t)d;
    }
    if (!neg) {
        if (v == INT64_MIN) {
            return AB_EPARSE;
        }
        v = -v;
    }
    *out = v;
    return AB_OK;
}

int ab__xes_parse_float(const char *s, size_t len, char decimal_point, double *out)
{
    /* The longest exact decimal form of a double has 767 significant digits,
     * but no writer emits more than 17; 128 bytes leaves room for padding. */
    char buf[128];
    s = trim(s, &len);
    if (len == 0 || len >= sizeof(buf)) {
        return AB_EPARSE;
    }
    /* strtod would also read hexadecimal floats and "infinity"; XML Schema
     * has only decimal digits, an exponent, INF, -INF and NaN. */
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == 'x' || c == 'X') {
            return AB_EPARSE;
        }
        buf[i] = c == '.' ? decimal_point : c;
    }
    buf[len] = '\0';
    char *end = NULL;
    double v = strtod(buf, &end);
    if (end != buf + len) {
        return AB_EPARSE;
    }
    *out = v;
    return AB_OK;
}

int ab__xes_parse_bool(const char *s, size_t len, int *out)
{
    s = trim(s, &len);
    if (ab__ieq(s, len, "true") || (len == 1 && s[0] == '1')) {
        *out = 1;
        return AB_OK;
    }
    if (ab__ieq(s, len, "false") || (len == 1 && s[0] == '0')) {
        *out = 0;
        return AB_OK;
    }
    return AB_EPARSE;
}

/* ---- Classifier keys. ---- */

int ab__xes_split_keys(const char *s, size_t len, ab__xes_key *keys, size_t *count_out)
{
    size_t n = 0, i = 0;
    *count_out = 0;
    while (i < len) {
        while (i < len && is_xml_space(s[i])) {
            i++;
        }
        if (i == len) {
            break;
        }
        size_t start, end;
        if (s[i] == '\'') {
            start = ++i;
            while (i < len && s[i] != '\'') {
                i++;
            }
            if (i == len) {
                return AB_EPARSE;
            }
            end = i++;
        } else {
            start = i;
            while (i < len && !is_xml_space(s[i])) {
                i++;
            }
            end = i;
        }
        if (end == start) {
            continue;
        }
        if (n == AB__XES_MAX_KEYS) {
            return AB_ELIMIT;
        }
        keys[n].ptr = s + start;
        keys[n].len = end - start;
        n++;
    }
    *count_out = n;
    return AB_OK;
}

/* ---- Detection. ---- */

int ab_xes_detect(const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i = 0;
    if (p == NULL) {
        return 0;
    }
    /* UTF-16 documents start with a byte order mark; libxml2 reads them. */
    if (len >= 2 && ((p[0] == 0xFE && p[1] == 0xFF) || (p[0] == 0xFF && p[1] == 0xFE))) {
        return 1;
    }
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        i = 3;
    }
    while (i < len && is_xml_space((char)p[i])) {
        i++;
    }
    const char *rest = (const char *)p + i;
    size_t n = len - i;
    return (n >= 5 && memcmp(rest, "<?xml", 5) == 0) || (n >= 4 && memcmp(rest, "<log", 4) == 0) ||
           (n >= 4 && memcmp(rest, "<!--", 4) == 0);
}
