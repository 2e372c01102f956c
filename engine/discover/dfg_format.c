/*
 * discover/dfg_format.c: the small formatting rules every writer of a graph
 * shares: seconds as JSON numbers, durations for labels, and the frequency
 * scale with its colours, so that DOT and SVG pictures of one graph agree.
 */
#include "discover/discover_int.h"

#include <math.h>
#include <stdio.h>

int ab__dfg_put_seconds(ab_buf *b, ab_ctx *ctx, double s)
{
    char tmp[64];
    int n = snprintf(tmp, sizeof(tmp), "%.6f", s);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        return AB_ERROR;
    }
    /* Microseconds are the resolution of the data: cut the zeros after them. */
    while (n > 0 && tmp[n - 1] == '0') {
        n--;
    }
    if (n > 0 && tmp[n - 1] == '.') {
        n--;
    }
    if (n == 2 && tmp[0] == '-' && tmp[1] == '0') {
        tmp[0] = '0';
        n = 1;
    }
    return ab_buf_append(b, ctx, tmp, (size_t)n);
}

void ab__dfg_human_duration(double s, char *buf, size_t cap)
{
    if (s < 60.0) {
        snprintf(buf, cap, "%.0fs", s);
    } else if (s < 3600.0) {
        snprintf(buf, cap, "%.1fm", s / 60.0);
    } else if (s < 86400.0) {
        snprintf(buf, cap, "%.1fh", s / 3600.0);
    } else {
        snprintf(buf, cap, "%.1fd", s / 86400.0);
    }
}

double ab__dfg_scale(uint64_t v, uint64_t max)
{
    if (max <= 1 || v == 0) {
        return max == 1 && v == 1 ? 1.0 : 0.0;
    }
    /* Logarithmic: a map with one dominant path still shows the others. */
    double t = log1p((double)v) / log1p((double)max);
    return t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
}

void ab__dfg_color(double t, char buf[8])
{
    /* From a light grey-blue to a dark blue. */
    static const double lo[3] = {0xc6, 0xd4, 0xe1};
    static const double hi[3] = {0x08, 0x30, 0x6b};
    int c[3];
    for (int i = 0; i < 3; i++) {
        c[i] = (int)lround(lo[i] + (hi[i] - lo[i]) * t);
    }
    snprintf(buf, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

size_t ab__dfg_utf8_next(const char *str, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    uint32_t c = s[0];
    size_t n;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        c &= 0x1f;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        c &= 0x0f;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        c &= 0x07;
        min = 0x10000;
    } else {
        *cp = 0xfffd;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) { /* Also stops at the NUL. */
            *cp = 0xfffd;
            return 1;
        }
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        *cp = 0xfffd;
        return 1;
    }
    *cp = c;
    return n;
}
