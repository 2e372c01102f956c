/*
 * tools/gen_util.c: helpers shared by the log generators (see gen_util.h).
 */
#include "gen_util.h"

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
