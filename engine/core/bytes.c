/*
 * core/bytes.c: flat bytes written and read field by field (saved
 * accumulators, what processes send one another): native byte order,
 * fixed-width integers, strings as a u32 length and their bytes.
 */
#include "core/core_int.h"

void ab__put(ab__wbytes *w, const void *p, size_t n)
{
    if (w->rc == AB_OK && n > 0) {
        w->rc = ab_buf_append(w->b, w->ctx, p, n);
    }
}

void ab__put_u32(ab__wbytes *w, uint32_t v)
{
    ab__put(w, &v, sizeof(v));
}

void ab__put_u64(ab__wbytes *w, uint64_t v)
{
    ab__put(w, &v, sizeof(v));
}

void ab__put_str(ab__wbytes *w, const char *s, size_t n)
{
    ab__put_u32(w, (uint32_t)n);
    ab__put(w, s, n);
}

void ab__get(ab__rbytes *r, void *out, size_t n)
{
    if (n == 0) {
        return;
    }
    if (r->bad || n > r->len - r->off) {
        r->bad = 1;
        memset(out, 0, n);
        return;
    }
    memcpy(out, r->p + r->off, n);
    r->off += n;
}

uint32_t ab__get_u32(ab__rbytes *r)
{
    uint32_t v;
    ab__get(r, &v, sizeof(v));
    return v;
}

uint64_t ab__get_u64(ab__rbytes *r)
{
    uint64_t v;
    ab__get(r, &v, sizeof(v));
    return v;
}

const char *ab__get_str(ab__rbytes *r, uint32_t *len_out)
{
    uint32_t n = ab__get_u32(r);
    if (r->bad || n > r->len - r->off) {
        r->bad = 1;
        *len_out = 0;
        return NULL;
    }
    const char *s = (const char *)r->p + r->off;
    r->off += n;
    *len_out = n;
    return s;
}

void ab__put_varint(ab__wbytes *w, uint64_t v)
{
    unsigned char b[10];
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (unsigned char)v;
    ab__put(w, b, n);
}

uint64_t ab__get_varint(ab__rbytes *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; !r->bad; shift += 7) {
        if (r->off >= r->len || shift > 63) {
            r->bad = 1;
            break;
        }
        unsigned char b = r->p[r->off++];
        if (shift == 63 && (b & 0x7f) > 1) {
            r->bad = 1; /* Past 64 bits. */
            break;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) {
            return v;
        }
    }
    return 0;
}
