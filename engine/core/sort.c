/*
 * core/sort.c: sorting 64-bit integers (durations, times) in linear time,
 * for the medians and order statistics of discover and diff; and a sort
 * whose comparison takes an argument, so that no sort needs a global (the
 * library is called from several threads at once).
 */
#include "core/core_int.h"

#include <stdlib.h>

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void ab__sort_i64(int64_t *v, size_t n, int64_t *tmp)
{
    if (n < 2048 || tmp == NULL) {
        if (n > 1) {
            qsort(v, n, sizeof(*v), cmp_i64);
        }
        return;
    }
    /* LSD radix sort on the bits with the sign flipped, 11 bits a pass;
     * passes where every value has the same digit are skipped (durations
     * rarely use the top bits). */
    uint64_t *a = (uint64_t *)v, *b = (uint64_t *)tmp;
    const uint64_t flip = (uint64_t)1 << 63;
    for (size_t i = 0; i < n; i++) {
        a[i] ^= flip;
    }
    for (int shift = 0; shift < 64; shift += 11) {
        size_t count[2048];
        memset(count, 0, sizeof(count));
        for (size_t i = 0; i < n; i++) {
            count[(a[i] >> shift) & 2047]++;
        }
        if (count[(a[0] >> shift) & 2047] == n) {
            continue;
        }
        size_t sum = 0;
        for (int d = 0; d < 2048; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            b[count[(a[i] >> shift) & 2047]++] = a[i];
        }
        uint64_t *t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < n; i++) {
        a[i] ^= flip;
    }
    if (a != (uint64_t *)v) {
        memcpy(v, a, sizeof(int64_t) * n);
    }
}

/* Swaps two elements of `size` bytes, through a small buffer. */
static void swap_elems(unsigned char *a, unsigned char *b, size_t size)
{
    unsigned char t[64];
    while (size > 0) {
        size_t k = size < sizeof(t) ? size : sizeof(t);
        memcpy(t, a, k);
        memcpy(a, b, k);
        memcpy(b, t, k);
        a += k;
        b += k;
        size -= k;
    }
}

/* Moves the element at `root` down the max-heap base[0..n). */
static void sift_down(unsigned char *base, size_t root, size_t n, size_t size,
                      int (*cmp)(const void *, const void *, void *), void *arg)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n) {
            return;
        }
        if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size, arg) < 0) {
            child++;
        }
        if (cmp(base + root * size, base + child * size, arg) >= 0) {
            return;
        }
        swap_elems(base + root * size, base + child * size, size);
        root = child;
    }
}

void ab__sort_r(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *, void *),
                void *arg)
{
    /* Heapsort: in place, no allocation, O(n log n) on any input. Like
     * qsort it is not stable; the callers' orders are total. */
    unsigned char *b = base;
    if (n < 2) {
        return;
    }
    for (size_t i = n / 2; i-- > 0;) {
        sift_down(b, i, n, size, cmp, arg);
    }
    for (size_t end = n - 1; end > 0; end--) {
        swap_elems(b, b + end * size, size);
        sift_down(b, 0, end, size, cmp, arg);
    }
}
