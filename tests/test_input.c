/*
 * tests/test_input.c: byte streams: plain files, gzip (told by magic bytes,
 * not by name), concatenated gzip members, truncated and corrupt gzip,
 * memory input, peek then read, missing files and directories.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "asbuilt/input.h"
#include "core/core_int.h"

/* A gzip member; with a name, the header also carries a file name, an extra
 * field and a comment, as gzip -N and some exporters write them. */
static unsigned char *gzip_named(const char *data, size_t len, const char *name, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    gz_header h;
    memset(&h, 0, sizeof(h));
    if (name != NULL) {
        h.name = (Bytef *)name;
        h.comment = (Bytef *)"exported for a test";
        static Bytef extra[8] = {'A', 'B', 4, 0, 'd', 'a', 't', 'a'}; /* One subfield. */
        h.extra = extra;
        h.extra_len = 8;
        h.hcrc = 1;
        assert_int_equal(deflateSetHeader(&z, &h), Z_OK);
    }
    size_t cap = deflateBound(&z, len) + 64;
    unsigned char *out = malloc(cap);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static unsigned char *gzip_bytes(const char *data, size_t len, size_t *out_len)
{
    return gzip_named(data, len, NULL, out_len);
}

static char *read_all(ab_input *in, size_t chunk, size_t *len_out, int *rc_out, ab_error *err)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len + chunk > cap) {
            cap = (len + chunk) * 2;
            buf = realloc(buf, cap);
        }
        ptrdiff_t n = ab_input_read(in, buf + len, chunk, err);
        if (n < 0) {
            *rc_out = (int)n;
            break;
        }
        if (n == 0) {
            *rc_out = AB_OK;
            break;
        }
        len += (size_t)n;
    }
    *len_out = len;
    return buf;
}

static char *make_text(size_t n)
{
    char *t = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        t[i] = (char)('a' + (i * 7 + i / 13) % 26);
        if (i % 61 == 60) {
            t[i] = '\n';
        }
    }
    t[n] = '\0';
    return t;
}

static void test_plain_and_gzip(void **state)
{
    bool zlib = *(const bool *)*state;
    ab_ctx *ctx = tu_ctx();
    ab__ctx_use_zlib(ctx, zlib);
    size_t n = 3 * 1024 * 1024 + 17; /* Several raw blocks. */
    char *text = make_text(n);
    size_t gz_len;
    unsigned char *gz = gzip_bytes(text, n, &gz_len);
    /* A gzip file named .csv is still gzip: the content decides. */
    const char *paths[2] = {tu_tmpfile(text, n, ".csv"), tu_tmpfile(gz, gz_len, ".csv")};
    for (int k = 0; k < 2; k++) {
        ab_input *in;
        ab_error err;
        assert_int_equal(ab_input_open(&in, ctx, paths[k], &err), AB_OK);
        assert_int_equal(ab_input_is_gzip(in), k == 1);
        const void *head;
        size_t hl;
        assert_int_equal(ab_input_peek(in, &head, &hl, &err), AB_OK);
        assert_int_equal(hl, 64 * 1024);
        assert_memory_equal(head, text, hl);
        size_t len;
        int rc;
        char *got = read_all(in, 100000, &len, &rc, &err);
        assert_int_equal(rc, AB_OK);
        assert_int_equal(len, n);
        assert_memory_equal(got, text, n);
        assert_int_equal(ab_input_offset(in), n);
        free(got);
        ab_input_destroy(in);
        remove(paths[k]);
    }
    free(gz);
    free(text);
    ab_ctx_destroy(ctx);
}

static void test_multimember(void **state)
{
    bool zlib = *(const bool *)*state;
    ab_ctx *ctx = tu_ctx();
    ab__ctx_use_zlib(ctx, zlib);
    size_t l1, l2;
    unsigned char *g1 = gzip_bytes("first part\n", 11, &l1);
    unsigned char *g2 = gzip_named("second part\n", 12, "part2.csv", &l2);
    unsigned char *both = malloc(l1 + l2);
    memcpy(both, g1, l1);
    memcpy(both + l1, g2, l2);
    ab_input *in;
    ab_error err;
    assert_int_equal(ab_input_open_memory(&in, ctx, both, l1 + l2, "two.gz", &err), AB_OK);
    size_t len;
    int rc;
    char *got = read_all(in, 7, &len, &rc, &err);
    assert_int_equal(rc, AB_OK);
    assert_int_equal(len, 23);
    assert_memory_equal(got, "first part\nsecond part\n", 23);
    free(got);
    ab_input_destroy(in);
    free(g1);
    free(g2);
    free(both);
    ab_ctx_destroy(ctx);
}

/*
 * A member whose header carries a header CRC and arrives in two reads: the
 * second member starts 5 bytes before the 1 MiB block the input reads, so its
 * header straddles two blocks (zero padding between members is allowed).
 */
static void test_split_header(void **state)
{
    bool zlib = *(const bool *)*state;
    ab_ctx *ctx = tu_ctx();
    ab__ctx_use_zlib(ctx, zlib);
    size_t n1 = 700000, l1, l2;
    char *t1 = make_text(n1);
    unsigned char *g1 = gzip_bytes(t1, n1, &l1);
    unsigned char *g2 = gzip_named("after the block\n", 16, "second.csv", &l2);
    size_t at = (1u << 20) - 5;
    assert_true(l1 < at);
    size_t total = at + l2;
    unsigned char *all = calloc(total, 1);
    memcpy(all, g1, l1);
    memcpy(all + at, g2, l2);
    ab_input *in;
    ab_error err;
    assert_int_equal(ab_input_open_memory(&in, ctx, all, total, "split.gz", &err), AB_OK);
    size_t len;
    int rc;
    char *got = read_all(in, 65536, &len, &rc, &err);
    assert_int_equal(rc, AB_OK);
    assert_int_equal(len, n1 + 16);
    assert_memory_equal(got, t1, n1);
    assert_memory_equal(got + n1, "after the block\n", 16);
    free(got);
    ab_input_destroy(in);
    /* A wrong header CRC is caught: it follows the fixed part, the extra
     * field (2 + 8 bytes), the name and the comment. */
    size_t hcrc_at = at + 10 + 2 + 8 + strlen("second.csv") + 1 + strlen("exported for a test") + 1;
    all[hcrc_at] ^= 1;
    assert_int_equal(ab_input_open_memory(&in, ctx, all, total, "split.gz", &err), AB_OK);
    got = read_all(in, 65536, &len, &rc, &err);
    assert_int_equal(rc, AB_EPARSE);
    assert_non_null(strstr(err.msg, "header crc mismatch"));
    free(got);
    ab_input_destroy(in);
    free(all);
    free(g1);
    free(g2);
    free(t1);
    ab_ctx_destroy(ctx);
}

static void test_truncated_gzip(void **state)
{
    bool zlib = *(const bool *)*state;
    ab_ctx *ctx = tu_ctx();
    ab__ctx_use_zlib(ctx, zlib);
    char *text = make_text(200000);
    size_t gl;
    unsigned char *gz = gzip_bytes(text, 200000, &gl);
    const char *p = tu_tmpfile(gz, gl / 2, ".xes.gz");
    ab_input *in;
    ab_error err;
    assert_int_equal(ab_input_open(&in, ctx, p, &err), AB_OK);
    size_t len;
    int rc;
    char *got = read_all(in, 65536, &len, &rc, &err);
    assert_int_equal(rc, AB_EPARSE);
    assert_non_null(strstr(err.msg, "truncated gzip stream"));
    assert_string_equal(err.source, p);
    assert_true(err.has_offset);
    assert_int_equal(err.offset, len);
    free(got);
    ab_input_destroy(in);
    /* Whatever the read size, every byte inflated before the cut is handed
     * out, the same as zlib gives (an inflater may hold some back). */
    size_t want = 0;
    for (size_t chunk = 1; chunk <= 1 << 20; chunk *= 64) {
        for (int z = 0; z < 2; z++) {
            ab__ctx_use_zlib(ctx, z == 0 || zlib);
            assert_int_equal(ab_input_open(&in, ctx, p, &err), AB_OK);
            got = read_all(in, chunk, &len, &rc, &err);
            assert_int_equal(rc, AB_EPARSE);
            assert_int_equal(err.offset, len);
            if (z == 0 && chunk == 1) {
                want = len;
            }
            assert_int_equal(len, want);
            assert_memory_equal(got, text, len);
            free(got);
            ab_input_destroy(in);
        }
    }
    remove(p);
    free(gz);
    free(text);
    ab_ctx_destroy(ctx);
}

static void test_corrupt_gzip(void **state)
{
    bool zlib = *(const bool *)*state;
    ab_ctx *ctx = tu_ctx();
    ab__ctx_use_zlib(ctx, zlib);
    char *text = make_text(200000);
    size_t gl;
    unsigned char *gz = gzip_bytes(text, 200000, &gl);
    for (size_t i = 100; i < 400; i++) {
        gz[i] ^= 0x5a;
    }
    ab_input *in;
    ab_error err;
    assert_int_equal(ab_input_open_memory(&in, ctx, gz, gl, "bad.gz", &err), AB_OK);
    size_t len;
    int rc;
    char *got = read_all(in, 65536, &len, &rc, &err);
    assert_int_equal(rc, AB_EPARSE);
    assert_non_null(strstr(err.msg, "corrupt gzip data at compressed byte"));
    assert_string_equal(err.source, "bad.gz");
    free(got);
    ab_input_destroy(in);
    /* A wrong CRC-32 in the trailer is caught, though every block inflates. */
    free(gz);
    gz = gzip_bytes(text, 200000, &gl);
    for (size_t at = gl - 6; at < gl; at += 5) { /* A CRC-32 byte, then a length byte. */
        gz[at] ^= 1;
        assert_int_equal(ab_input_open_memory(&in, ctx, gz, gl, "crc.gz", &err), AB_OK);
        got = read_all(in, 65536, &len, &rc, &err);
        assert_int_equal(rc, AB_EPARSE);
        assert_non_null(strstr(err.msg, "corrupt gzip data at compressed byte"));
        free(got);
        ab_input_destroy(in);
        gz[at] ^= 1;
    }
    /* Garbage after a complete member is an error, not silently ignored. */
    unsigned char *g2 = gzip_bytes("ok\n", 3, &gl);
    unsigned char *tail = malloc(gl + 4);
    memcpy(tail, g2, gl);
    memcpy(tail + gl, "junk", 4);
    assert_int_equal(ab_input_open_memory(&in, ctx, tail, gl + 4, "tail.gz", &err), AB_OK);
    got = read_all(in, 100, &len, &rc, &err);
    assert_int_equal(rc, AB_EPARSE);
    assert_non_null(strstr(err.msg, "after the end of the gzip stream"));
    free(got);
    ab_input_destroy(in);
    free(tail);
    free(g2);
    free(gz);
    free(text);
    ab_ctx_destroy(ctx);
}

static void test_missing_and_dir(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_input *in = (ab_input *)1;
    ab_error err;
    assert_int_equal(ab_input_open(&in, ctx, "/nonexistent/log.xes", &err), AB_EIO);
    assert_null(in);
    assert_string_equal(err.source, "/nonexistent/log.xes");
    assert_non_null(strstr(err.msg, "cannot open"));
    assert_int_equal(ab_input_open(&in, ctx, "/tmp", &err), AB_EIO);
    assert_non_null(strstr(err.msg, "directory"));
    ab_ctx_destroy(ctx);
}

static void test_empty_and_tiny(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_input *in;
    ab_error err;
    const void *h;
    size_t hl;
    assert_int_equal(ab_input_open_memory(&in, ctx, "", 0, "empty", &err), AB_OK);
    assert_int_equal(ab_input_peek(in, &h, &hl, &err), AB_OK);
    assert_int_equal(hl, 0);
    char b[4];
    assert_int_equal(ab_input_read(in, b, 4, &err), 0);
    ab_input_destroy(in);
    /* One byte equal to gzip's first magic byte is not gzip. */
    assert_int_equal(ab_input_open_memory(&in, ctx, "\x1f", 1, "one", &err), AB_OK);
    assert_int_equal(ab_input_is_gzip(in), 0);
    assert_int_equal(ab_input_read(in, b, 4, &err), 1);
    ab_input_destroy(in);
    ab_ctx_destroy(ctx);
}

static void test_input_enomem(void **state)
{
    bool zlib = *(const bool *)*state;
    size_t gl;
    unsigned char *gz = gzip_bytes("a,b\n1,2\n", 8, &gl);
    for (uint64_t n = 1;; n++) {
        tu_alloc al = {0};
        al.fail_at = n;
        ab_ctx *ctx = tu_ctx_counting(&al);
        ab__ctx_use_zlib(ctx, zlib);
        ab_input *in = NULL;
        ab_error err;
        int rc = ab_input_open_memory(&in, ctx, gz, gl, "m.gz", &err);
        const void *h;
        size_t hl = 0;
        if (rc == AB_OK) {
            rc = ab_input_peek(in, &h, &hl, &err);
        }
        ab_input_destroy(in);
        ab_ctx_destroy(ctx);
        assert_int_equal(al.live, 0);
        if (al.failed == 0) {
            assert_int_equal(rc, AB_OK);
            assert_int_equal(hl, 8);
            break;
        }
        assert_int_equal(rc, AB_ENOMEM);
    }
    free(gz);
}

int main(void)
{
    /* The gzip tests run once with each inflater the build has. */
    static const bool zlib = true, isal = false;
    const bool *other = ab__have_isal() ? &isal : &zlib;
#define BOTH(f)                                                                                    \
    {#f " (zlib)", f, NULL, NULL, (void *)&zlib}, {#f " (build's inflater)", f, NULL, NULL, (void *)other}
    const struct CMUnitTest tests[] = {
        BOTH(test_plain_and_gzip),
        BOTH(test_multimember),
        BOTH(test_split_header),
        BOTH(test_truncated_gzip),
        BOTH(test_corrupt_gzip),
        cmocka_unit_test(test_missing_and_dir), cmocka_unit_test(test_empty_and_tiny),
        BOTH(test_input_enomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
