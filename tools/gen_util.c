/*
 * tools/gen_util.c: helpers shared by the log generators (see gen_util.h).
 */
#include "gen_util.h"

#include <errno.h>
#include <string.h>

int gen_parse_count(const char *str, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = str;
    if (*p < '0' || *p > '9') {
        return -1;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        uint64_t digit = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - digit) / 10) {
            return -1;
        }
        v = v * 10 + digit;
    }
    uint64_t mult = 1;
    if (*p == 'k') {
        mult = 1000;
        p++;
    } else if (*p == 'M') {
        mult = 1000000;
        p++;
    }
    if (*p != '\0' || v > max / mult) {
        return -1;
    }
    *out = v * mult;
    return 0;
}

/*
 * Natural logarithm without libm: x = m * 2^e with m in [sqrt(1/2), sqrt(2)), then
 * ln(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172, whose odd series converges to double
 * precision in 12 terms. Plain IEEE arithmetic keeps the result the same on every platform.
 */
double gen_ln(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int e = (int)((bits >> 52) & 0x7ff) - 1023;
    bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
    double m;
    memcpy(&m, &bits, sizeof m);
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e += 1;
    }
    double s = (m - 1.0) / (m + 1.0);
    double s2 = s * s;
    double term = s;
    double sum = 0.0;
    for (int k = 1; k <= 23; k += 2) {
        sum += term / k;
        term *= s2;
    }
    return e * 0.69314718055994530942 + 2.0 * sum;
}

/* ---- Output: bytes gathered in a large buffer, deflated as gzip when asked
 * (windowBits 31, header time 0, so the bytes are reproducible), then written. */

static void sink_write(gen_sink *s, const unsigned char *p, size_t n)
{
    if (s->err == 0 && n > 0 && fwrite(p, 1, n, s->fp) != n) {
        s->err = errno ? errno : EIO;
    }
    s->out_total += n;
}

void gen_sink_flush(gen_sink *s, int finish)
{
    s->raw_total += s->len;
    if (!s->gzip) {
        sink_write(s, s->buf, s->len);
        s->len = 0;
        return;
    }
    s->z.next_in = s->buf;
    s->z.avail_in = (uInt)s->len;
    int rc;
    do {
        s->z.next_out = s->zbuf;
        s->z.avail_out = GEN_SINK_CAP;
        rc = deflate(&s->z, finish ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_ERROR) {
            s->err = -1;
            break;
        }
        sink_write(s, s->zbuf, GEN_SINK_CAP - s->z.avail_out);
    } while (s->z.avail_out == 0 || (finish && rc != Z_STREAM_END));
    s->len = 0;
}

void gen_put_mem(gen_sink *s, const char *p, size_t n)
{
    while (n > 0) {
        if (s->len == GEN_SINK_CAP) {
            gen_sink_flush(s, 0);
        }
        size_t k = GEN_SINK_CAP - s->len < n ? GEN_SINK_CAP - s->len : n;
        memcpy(s->buf + s->len, p, k);
        s->len += k;
        p += k;
        n -= k;
    }
}

void gen_put_str(gen_sink *s, const char *str)
{
    gen_put_mem(s, str, strlen(str));
}

/* Text inside a double-quoted XML attribute; line breaks and tabs as character references,
 * since a parser would otherwise turn them into spaces. */
void gen_put_xml(gen_sink *s, const char *str)
{
    const char *run = str;
    for (const char *p = str; *p; p++) {
        const char *rep;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\n':
            rep = "&#10;";
            break;
        case '\r':
            rep = "&#13;";
            break;
        case '\t':
            rep = "&#9;";
            break;
        default:
            continue;
        }
        gen_put_mem(s, run, (size_t)(p - run));
        gen_put_str(s, rep);
        run = p + 1;
    }
    gen_put_str(s, run);
}

/* An RFC 4180 field: quoted only when it holds a comma, a quote or a line break. */
void gen_put_csv(gen_sink *s, const char *str)
{
    if (strpbrk(str, ",\"\r\n") == NULL) {
        gen_put_str(s, str);
        return;
    }
    gen_put_mem(s, "\"", 1);
    for (const char *p = str; *p; p++) {
        gen_put_mem(s, p, 1);
        if (*p == '"') {
            gen_put_mem(s, p, 1);
        }
    }
    gen_put_mem(s, "\"", 1);
}

const char *gen_option(int argc, char **argv, int *i, const char *const *with_value, char *name,
                       size_t cap, const char **val)
{
    const char *arg = argv[*i];
    const char *eq = strchr(arg, '=');
    size_t len = (strncmp(arg, "--", 2) == 0 && eq != NULL) ? (size_t)(eq - arg) : strlen(arg);
    if (len >= cap) {
        return "unknown option";
    }
    memcpy(name, arg, len);
    name[len] = '\0';
    *val = arg[len] == '=' ? arg + len + 1 : NULL;
    int takes_value = 0;
    for (int k = 0; with_value[k] != NULL; k++) {
        takes_value |= strcmp(name, with_value[k]) == 0;
    }
    if (takes_value && *val == NULL) {
        if (*i + 1 >= argc) {
            return "option needs a value";
        }
        *val = argv[++*i];
    } else if (!takes_value && *val != NULL) {
        return "option takes no value";
    }
    return NULL;
}
