/*
 * tools/gen_util.h: what the log generators (abgen, absim) share: parsing
 * of counts with k/M suffixes and a natural logarithm computed with plain
 * IEEE arithmetic, so that seeded durations are the same on every platform
 * and C library.
 */
#ifndef AB_GEN_UTIL_H
#define AB_GEN_UTIL_H

#include <stdint.h>
#include <stdio.h>

#include <zlib.h>

/* A decimal count with an optional k (10^3) or M (10^6) suffix, at most max;
 * 0, or -1 on junk or overflow. */
int gen_parse_count(const char *str, uint64_t max, uint64_t *out);

/*
 * Splits the option at argv[*i] for the generators: "--name=value", "name
 * value" when name is listed in with_value (NULL-terminated), or a flag.
 * Returns NULL with the name in name[cap] and *val set (NULL for a flag),
 * advancing *i past a separate value; or the problem ("unknown option",
 * "option needs a value", "option takes no value").
 */
const char *gen_option(int argc, char **argv, int *i, const char *const *with_value, char *name,
                       size_t cap, const char **val);

/* ln(x) for a finite x > 0, the same bits on every platform. */
double gen_ln(double x);

/* A buffered output file, gzip-compressed when gzip is set (the caller opens
 * fp, allocates buf and, with gzip, zbuf of GEN_SINK_CAP bytes each, and
 * calls deflateInit2 with windowBits 31). Errors are kept in err. */
#define GEN_SINK_CAP (4u << 20)

typedef struct gen_sink {
    FILE *fp;
    unsigned char *buf;  /* Uncompressed bytes waiting. */
    size_t len;          /* Bytes used in buf. */
    int gzip;            /* Whether to compress. */
    z_stream z;          /* Deflate state (with gzip). */
    unsigned char *zbuf; /* Compressed bytes waiting for fwrite. */
    uint64_t raw_total;  /* Uncompressed bytes produced. */
    uint64_t out_total;  /* Bytes written to the file. */
    int err;             /* errno of the first failed write, -1 for a zlib error; 0 = fine. */
} gen_sink;

/* Deflates (with gzip) and writes what is buffered; finish ends the gzip stream. */
void gen_sink_flush(gen_sink *s, int finish);
void gen_put_mem(gen_sink *s, const char *p, size_t n);
void gen_put_str(gen_sink *s, const char *str);
#define GEN_PUT(s, lit) gen_put_mem((s), (lit), sizeof(lit) - 1)
/* Text inside a double-quoted XML attribute (line breaks and tabs as references). */
void gen_put_xml(gen_sink *s, const char *str);
/* An RFC 4180 field: quoted only when it holds a comma, a quote or a line break. */
void gen_put_csv(gen_sink *s, const char *str);

#endif
