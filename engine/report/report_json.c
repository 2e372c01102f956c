/*
 * report/report_json.c: a small JSON reader, so that the HTML report is
 * drawn from the gap's own JSON report (schema asbuilt.gap/1): the page then
 * shows exactly the numbers, names and sentences of the JSON, by
 * construction. It reads one document into a tree held in an arena; strict
 * RFC 8259 syntax, a depth limit, and \u escapes (surrogate pairs included)
 * turned into UTF-8.
 */
#include "report/report_int.h"

#include <stdlib.h>

#define MAX_DEPTH 64

typedef struct jp {
    ab__arena *arena;
    ab_ctx *ctx;
    const char *s;
    size_t len;
    size_t pos;
    ab_error *err;
} jp;

static int jp_fail(jp *p, const char *what)
{
    ab__error(p->err, AB_EPARSE, "report", 0, 0, "JSON: %s", what);
    ab__error_offset(p->err, p->pos);
    return AB_EPARSE;
}

static void skip_ws(jp *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\n' ||
                               p->s[p->pos] == '\r' || p->s[p->pos] == '\t')) {
        p->pos++;
    }
}

static int hex4(jp *p, uint32_t *out)
{
    if (p->pos + 4 > p->len) {
        return jp_fail(p, "truncated \\u escape");
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos++];
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= (uint32_t)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v |= (uint32_t)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            v |= (uint32_t)(c - 'A' + 10);
        } else {
            return jp_fail(p, "bad \\u escape");
        }
    }
    *out = v;
    return AB_OK;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* A string at p->pos (on its opening quote); the decoded bytes go to the arena. */
static int parse_string(jp *p, const char **out, size_t *len_out)
{
    p->pos++;
    size_t start = p->pos, end = start;
    int plain = 1;
    while (end < p->len && p->s[end] != '"') {
        if (p->s[end] == '\\') {
            plain = 0;
            end++;
        }
        end++;
    }
    if (end >= p->len) {
        return jp_fail(p, "unterminated string");
    }
    /* Decoding never grows the text: \uXXXX (6 bytes) gives at most 4. */
    char *o = ab__arena_alloc(p->arena, end - start + 1);
    if (o == NULL) {
        return AB_ENOMEM;
    }
    size_t n = 0;
    if (plain) {
        memcpy(o, p->s + start, end - start);
        n = end - start;
        p->pos = end;
    }
    while (p->pos < end) {
        char c = p->s[p->pos];
        if ((unsigned char)c < 0x20) {
            return jp_fail(p, "control character in a string");
        }
        if (c != '\\') {
            o[n++] = c;
            p->pos++;
            continue;
        }
        p->pos++;
        char e = p->s[p->pos++];
        uint32_t cp;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            o[n++] = e;
            break;
        case 'b':
            o[n++] = '\b';
            break;
        case 'f':
            o[n++] = '\f';
            break;
        case 'n':
            o[n++] = '\n';
            break;
        case 'r':
            o[n++] = '\r';
            break;
        case 't':
            o[n++] = '\t';
            break;
        case 'u':
            if (hex4(p, &cp) != AB_OK) {
                return AB_EPARSE;
            }
            if (cp >= 0xd800 && cp <= 0xdbff && p->pos + 6 <= end && p->s[p->pos] == '\\' &&
                p->s[p->pos + 1] == 'u') {
                uint32_t lo;
                size_t save = p->pos;
                p->pos += 2;
                if (hex4(p, &lo) != AB_OK) {
                    return AB_EPARSE;
                }
                if (lo >= 0xdc00 && lo <= 0xdfff) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                } else {
                    p->pos = save;
                }
            }
            if (cp >= 0xd800 && cp <= 0xdfff) {
                cp = 0xfffd; /* A lone surrogate is no character. */
            }
            n += put_utf8(o + n, cp);
            break;
        default:
            return jp_fail(p, "bad escape");
        }
    }
    o[n] = '\0';
    p->pos = end + 1;
    *out = o;
    *len_out = n;
    return AB_OK;
}

static int parse_value(jp *p, ab__jval *v, int depth);

/* Members of an array or object, gathered in a growable array then copied to the arena. */
static int parse_container(jp *p, ab__jval *v, int depth, int object)
{
    p->pos++;
    ab__jval *items = NULL;
    const char **keys = NULL;
    size_t cap = 0, kcap = 0, n = 0;
    int rc = AB_OK;
    skip_ws(p);
    char close = object ? '}' : ']';
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        goto finish;
    }
    for (;;) {
        skip_ws(p);
        if (AB_GROW(p->ctx, items, cap, n + 1) != AB_OK ||
            (object && AB_GROW(p->ctx, keys, kcap, n + 1) != AB_OK)) {
            rc = AB_ENOMEM;
            goto done;
        }
        if (object) {
            size_t kl;
            if (p->pos >= p->len || p->s[p->pos] != '"') {
                rc = jp_fail(p, "expected a member name");
                goto done;
            }
            if ((rc = parse_string(p, &keys[n], &kl)) != AB_OK) {
                goto done;
            }
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') {
                rc = jp_fail(p, "expected ':'");
                goto done;
            }
            p->pos++;
        }
        if ((rc = parse_value(p, &items[n], depth + 1)) != AB_OK) {
            goto done;
        }
        n++;
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close) {
            p->pos++;
            break;
        }
        rc = jp_fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
        goto done;
    }
finish:
    v->kind = object ? AB__J_OBJECT : AB__J_ARRAY;
    v->count = (uint32_t)n;
    if (n > 0) {
        v->items = ab__arena_alloc(p->arena, n * sizeof(*items));
        v->keys = object ? ab__arena_alloc(p->arena, n * sizeof(*keys)) : NULL;
        if (v->items == NULL || (object && v->keys == NULL)) {
            rc = AB_ENOMEM;
            goto done;
        }
        memcpy(v->items, items, n * sizeof(*items));
        if (object) {
            memcpy(v->keys, keys, n * sizeof(*keys));
        }
    }
done:
    ab__free(p->ctx, items);
    ab__free(p->ctx, keys);
    return rc;
}

static int parse_value(jp *p, ab__jval *v, int depth)
{
    memset(v, 0, sizeof(*v));
    if (depth > MAX_DEPTH) {
        return jp_fail(p, "nested too deeply");
    }
    skip_ws(p);
    if (p->pos >= p->len) {
        return jp_fail(p, "expected a value");
    }
    char c = p->s[p->pos];
    if (c == '{' || c == '[') {
        return parse_container(p, v, depth, c == '{');
    }
    if (c == '"') {
        v->kind = AB__J_STRING;
        return parse_string(p, &v->str, &v->len);
    }
    static const struct {
        const char *lit;
        ab__jkind kind;
        int b;
    } words[] = {{"true", AB__J_BOOL, 1}, {"false", AB__J_BOOL, 0}, {"null", AB__J_NULL, 0}};
    for (size_t k = 0; k < 3; k++) {
        size_t wl = strlen(words[k].lit);
        if (p->len - p->pos >= wl && memcmp(p->s + p->pos, words[k].lit, wl) == 0) {
            v->kind = words[k].kind;
            v->b = words[k].b;
            p->pos += wl;
            return AB_OK;
        }
    }
    /* A number: the grammar's characters, then strtod on a bounded copy. */
    size_t start = p->pos;
    while (p->pos < p->len && strchr("+-0123456789.eE", p->s[p->pos]) != NULL &&
           p->s[p->pos] != '\0') {
        p->pos++;
    }
    size_t n = p->pos - start;
    if (n == 0 || n > 63) {
        return jp_fail(p, "expected a value");
    }
    char num[64];
    memcpy(num, p->s + start, n);
    num[n] = '\0';
    char *endp;
    v->kind = AB__J_NUMBER;
    v->num = strtod(num, &endp);
    if (*endp != '\0') {
        p->pos = start;
        return jp_fail(p, "bad number");
    }
    v->str = ab__arena_strndup(p->arena, num, n);
    v->len = n;
    return v->str != NULL ? AB_OK : AB_ENOMEM;
}

int ab__json_parse(ab__arena *arena, const char *s, size_t len, ab__jval *out, ab_error *err)
{
    jp p = {arena, arena->ctx, s, len, 0, err};
    int rc = parse_value(&p, out, 0);
    if (rc == AB_OK) {
        skip_ws(&p);
        if (p.pos != p.len) {
            rc = jp_fail(&p, "text after the document");
        }
    }
    return rc;
}

static const ab__jval null_value = {AB__J_NULL, 0, 0, NULL, 0, NULL, NULL, 0};

const ab__jval *ab__json_get(const ab__jval *v, const char *key)
{
    if (v != NULL && v->kind == AB__J_OBJECT) {
        for (uint32_t i = 0; i < v->count; i++) {
            if (strcmp(v->keys[i], key) == 0) {
                return &v->items[i];
            }
        }
    }
    return &null_value;
}

const ab__jval *ab__json_at(const ab__jval *v, uint32_t i)
{
    return v != NULL && v->kind == AB__J_ARRAY && i < v->count ? &v->items[i] : &null_value;
}

uint32_t ab__json_len(const ab__jval *v)
{
    return v != NULL && v->kind == AB__J_ARRAY ? v->count : 0;
}

const char *ab__json_str(const ab__jval *v)
{
    return v != NULL && v->kind == AB__J_STRING ? v->str : NULL;
}

double ab__json_num(const ab__jval *v, double dflt)
{
    return v != NULL && v->kind == AB__J_NUMBER ? v->num : dflt;
}
