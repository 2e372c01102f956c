/*
 * tools/gen_util.h: what the log generators (abgen, absim) share: parsing
 * of counts with k/M suffixes and a natural logarithm computed with plain
 * IEEE arithmetic, so that seeded durations are the same on every platform
 * and C library.
 */
#ifndef AB_GEN_UTIL_H
#define AB_GEN_UTIL_H

#include <stdint.h>

/* A decimal count with an optional k (10^3) or M (10^6) suffix, at most max;
 * 0, or -1 on junk or overflow. */
int gen_parse_count(const char *str, uint64_t max, uint64_t *out);

/* ln(x) for a finite x > 0, the same bits on every platform. */
double gen_ln(double x);

#endif
