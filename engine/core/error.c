/*
 * core/error.c: the error value (message plus file, line, column and byte
 * offset), status names, small text utilities shared by the readers and
 * writers (UTF-8 validation, JSON escaping), and the caller-owned ab_buf.
 */
#include "core/core_int.h"

#include <stdio.h>
#include <string.h>

const char *ab_status_str(int code)
{
    switch (code) {
    case AB_OK:
        return "ok";
    case AB_ENOMEM:
        return "out of memory";
    case AB_EPARSE:
        return "bad input data";
    case AB_EIO:
        return "I/O error";
    case AB_ELIMIT:
        return "limit exceeded";
    case AB_ENOTFOUND:
        return "not found";
    case AB_EINVAL:
        return "invalid argument";
    default:
        return "internal error";
    }
}

void ab_error_clear(ab_error *err)
{
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
    }
}

int ab__verror(ab_error *err, int code, const char *source, uint64_t line, uint64_t col,
               const char *fmt, va_list ap)
{
    if (err == NULL) {
        return code;
    }
    memset(err, 0, sizeof(*err));
    err->code = code;
    if (source != NULL) {
        snprintf(err->source, sizeof(err->source), "%s", source);
    }
    err->line = line;
    err->col = col;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    return code;
}

int ab__error(ab_error *err, int code, const char *source, uint64_t line, uint64_t col,
              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ab__verror(err, code, source, line, col, fmt, ap);
    va_end(ap);
    return code;
}

int ab__error_settle(ab_error *err, int code, const char *source, const char *doing)
{
    if (code != AB_OK && err != NULL && err->code == AB_OK) {
        ab__error(err, code, source, 0, 0, "%s: %s", doing, ab_status_str(code));
    }
    return code;
}

void ab__error_offset(ab_error *err, uint64_t offset)
{
    if (err != NULL) {
        err->offset = offset;
        err->has_offset = 1;
    }
}

size_t ab_error_format(const ab_error *err, char *buf, size_t cap)
{
    char pos[96] = "";
    if (err->line != 0 && err->col != 0) {
        snprintf(pos, sizeof(pos), ":%llu:%llu", (unsigned long long)err->line,
                 (unsigned long long)err->col);
    } else if (err->line != 0) {
        snprintf(pos, sizeof(pos), ":%llu", (unsigned long long)err->line);
    }
    char off[64] = "";
    if (err->has_offset) {
        snprintf(off, sizeof(off), " (byte %llu)", (unsigned long long)err->offset);
    }
    const char *msg = err->msg[0] != '\0' ? err->msg : ab_status_str(err->code);
    int n;
    if (err->source[0] != '\0') {
        n = snprintf(buf, cap, "%s%s:%s %s", err->source, pos, off, msg);
    } else {
        n = snprintf(buf, cap, "%s%s%s", off[0] ? off + 1 : "", off[0] ? ": " : "", msg);
    }
    return n < 0 ? 0 : (size_t)n;
}

bool ab__ieq(const char *s, size_t len, const char *lit)
{
    size_t i = 0;
    for (; i < len; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)lit[i];
        if (b == '\0') {
            return false;
        }
        if (a >= 'A' && a <= 'Z') {
            a = (unsigned char)(a + 32);
        }
        if (b >= 'A' && b <= 'Z') {
            b = (unsigned char)(b + 32);
        }
        if (a != b) {
            return false;
        }
    }
    return lit[i] == '\0';
}

bool ab__utf8_valid(const char *str, size_t len, size_t *bad_out)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            goto bad;
        }
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80) {
                goto bad;
            }
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            goto bad;
        }
        i += n + 1;
    }
    return true;
bad:
    if (bad_out != NULL) {
        *bad_out = i;
    }
    return false;
}

int ab__json_escape(ab_buf *buf, ab_ctx *ctx, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        char u[7];
        switch (c) {
        case '"':
            rep = "\\\"";
            break;
        case '\\':
            rep = "\\\\";
            break;
        case '\n':
            rep = "\\n";
            break;
        case '\r':
            rep = "\\r";
            break;
        case '\t':
            rep = "\\t";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                u[0] = '\\';
                u[1] = 'u';
                u[2] = '0';
                u[3] = '0';
                u[4] = hex[c >> 4];
                u[5] = hex[c & 15];
                u[6] = '\0';
                rep = u;
            }
        }
        if (rep != NULL) {
            int rc = ab_buf_append(buf, ctx, s + start, i - start);
            if (rc == AB_OK) {
                rc = ab_buf_append(buf, ctx, rep, strlen(rep));
            }
            if (rc != AB_OK) {
                return rc;
            }
            start = i + 1;
        }
    }
    return ab_buf_append(buf, ctx, s + start, len - start);
}

int ab_buf_append(ab_buf *buf, ab_ctx *ctx, const void *data, size_t len)
{
    if (buf->ctx == NULL) {
        buf->ctx = ctx;
    }
    if (buf->len + len + 1 > buf->cap) {
        size_t ncap = buf->cap < 256 ? 256 : buf->cap;
        while (ncap < buf->len + len + 1) {
            ncap *= 2;
        }
        char *p = ab__realloc(buf->ctx, buf->ptr, ncap);
        if (p == NULL) {
            return AB_ENOMEM;
        }
        buf->ptr = p;
        buf->cap = ncap;
    }
    if (len > 0) {
        memcpy(buf->ptr + buf->len, data, len);
    }
    buf->len += len;
    buf->ptr[buf->len] = '\0';
    return AB_OK;
}

int ab_buf_printf(ab_buf *buf, ab_ctx *ctx, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return AB_ERROR;
    }
    if ((size_t)n < sizeof(small)) {
        return ab_buf_append(buf, ctx, small, (size_t)n);
    }
    if (buf->ctx == NULL) {
        buf->ctx = ctx;
    }
    char *big = ab__malloc(buf->ctx, (size_t)n + 1);
    if (big == NULL) {
        return AB_ENOMEM;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = ab_buf_append(buf, ctx, big, (size_t)n);
    ab__free(buf->ctx, big);
    return rc;
}

void ab_buf_dispose(ab_buf *buf)
{
    if (buf != NULL && buf->ctx != NULL) {
        ab__free(buf->ctx, buf->ptr);
    }
    if (buf != NULL) {
        buf->ptr = NULL;
        buf->len = buf->cap = 0;
    }
}

int ab_buf_append_json(ab_buf *buf, ab_ctx *ctx, const char *s, size_t len)
{
    return ab__json_escape(buf, ctx, s, len);
}

int ab_buf_append_json_string(ab_buf *buf, ab_ctx *ctx, const char *s)
{
    if (s == NULL) {
        return ab_buf_append(buf, ctx, "null", 4);
    }
    int rc = ab_buf_append(buf, ctx, "\"", 1);
    if (rc == AB_OK) {
        rc = ab_buf_append_json(buf, ctx, s, strlen(s));
    }
    if (rc == AB_OK) {
        rc = ab_buf_append(buf, ctx, "\"", 1);
    }
    return rc;
}

static int field_space(char c)
{
    return c == ' ' || c == '\r';
}

static int field_sep(const char *seps, char c)
{
    return c != '\0' && strchr(seps, c) != NULL;
}

int ab__split_fields(const char *s, size_t len, const char *seps, char *scratch,
                     const char **fields, int cap)
{
    int n = 0;
    size_t i = 0, o = 0;
    for (;;) {
        while (i < len && field_space(s[i])) {
            i++;
        }
        char *start = scratch + o;
        size_t flen = 0;
        if (i < len && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) {
                    return -1;
                }
                if (s[i] == '"') {
                    if (i + 1 < len && s[i + 1] == '"') {
                        start[flen++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                start[flen++] = s[i++];
            }
            while (i < len && field_space(s[i])) {
                i++;
            }
        } else {
            while (i < len && !field_sep(seps, s[i])) {
                start[flen++] = s[i++];
            }
            while (flen > 0 && field_space(start[flen - 1])) {
                flen--;
            }
        }
        start[flen] = '\0';
        o += flen + 1;
        if (n < cap) {
            fields[n] = start;
        }
        n++;
        if (i >= len) {
            return n;
        }
        if (!field_sep(seps, s[i])) {
            return -1; /* Text after a closing quote. */
        }
        i++;
    }
}
