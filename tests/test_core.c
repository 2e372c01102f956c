/*
 * tests/test_core.c: the context, errors, arenas, string interning, JSON
 * escaping, UTF-8 validation, atomic output and varints of engine/core.
 */
#include "test_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core_int.h"

static void *plain_malloc(size_t n, void *payload)
{
    (void)payload;
    return malloc(n);
}

static void test_ctx_options(void **state)
{
    (void)state;
    ab_ctx *ctx = NULL;
    ab_ctx_options o = AB_CTX_OPTIONS_INIT;
    o.version = 99;
    assert_int_equal(ab_ctx_create(&ctx, &o), AB_EINVAL);
    assert_null(ctx);
    ab_ctx_options half = AB_CTX_OPTIONS_INIT;
    half.alloc.malloc_fn = plain_malloc; /* Without realloc and free: refused. */
    assert_int_equal(ab_ctx_create(&ctx, &half), AB_EINVAL);
    assert_int_equal(ab_ctx_create(&ctx, NULL), AB_OK);
    const ab_limits *l = ab_ctx_limits(ctx);
    assert_int_equal(l->max_depth, 256);
    assert_int_equal(l->max_attrs, 4096);
    ab_ctx_destroy(ctx);
    ab_ctx_destroy(NULL);
}

static void test_error_format(void **state)
{
    (void)state;
    ab_error err;
    char buf[600];
    ab__error(&err, AB_EPARSE, "log.xes", 12, 7, "expected '>' after the attribute");
    ab__error_offset(&err, 345);
    ab_error_format(&err, buf, sizeof(buf));
    assert_string_equal(buf, "log.xes:12:7: (byte 345) expected '>' after the attribute");
    ab__error(&err, AB_EIO, "missing.csv", 0, 0, "cannot open: No such file or directory");
    ab_error_format(&err, buf, sizeof(buf));
    assert_string_equal(buf, "missing.csv: cannot open: No such file or directory");
    assert_int_equal(ab__error(NULL, AB_ELIMIT, NULL, 0, 0, "x"), AB_ELIMIT);
    assert_string_equal(ab_status_str(AB_EPARSE), "bad input data");
}

static void test_arena(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab__arena a;
    ab__arena_init(&a, ctx, 1024);
    char *prev = NULL;
    for (int i = 0; i < 10000; i++) {
        char tmp[32];
        int n = snprintf(tmp, sizeof(tmp), "s%d", i);
        char *p = ab__arena_strndup(&a, tmp, (size_t)n);
        assert_non_null(p);
        assert_int_equal(((uintptr_t)p) % 8, 0);
        assert_string_equal(p, tmp);
        if (prev != NULL) {
            assert_ptr_not_equal(p, prev);
        }
        prev = p;
    }
    /* A large object does not waste the current block. */
    void *big = ab__arena_alloc(&a, 100000);
    assert_non_null(big);
    memset(big, 0xab, 100000);
    ab__arena_finish(&a);
    ab_ctx_destroy(ctx);
}

static void test_strtab(void **state)
{
    (void)state;
    tu_alloc al = {0};
    ab_ctx *ctx = tu_ctx_counting(&al);
    ab__strtab t;
    assert_int_equal(ab__strtab_init(&t, ctx), AB_OK);
    uint32_t id;
    for (int round = 0; round < 2; round++) {
        for (uint32_t i = 0; i < 50000; i++) {
            char tmp[32];
            int n = snprintf(tmp, sizeof(tmp), "activity %u", i);
            assert_int_equal(ab__strtab_intern(&t, tmp, (size_t)n, &id), AB_OK);
            assert_int_equal(id, i);
        }
    }
    assert_int_equal(t.count, 50000);
    assert_int_equal(ab__strtab_find(&t, "activity 49999", 14, &id), AB_OK);
    assert_int_equal(id, 49999);
    assert_int_equal(ab__strtab_find(&t, "activity 50000", 14, &id), AB_ENOTFOUND);
    /* Embedded NUL bytes and the empty string are strings like any other. */
    assert_int_equal(ab__strtab_intern(&t, "a\0b", 3, &id), AB_OK);
    assert_int_equal(ab__strtab_len(&t, id), 3);
    assert_int_equal(ab__strtab_intern(&t, "", 0, &id), AB_OK);
    assert_int_equal(ab__strtab_len(&t, id), 0);
    ab__strtab_finish(&t);
    ab_ctx_destroy(ctx);
    assert_int_equal(al.live, 0);
}

/* The inline short compare agrees with memcmp at every length and every
 * differing position, including the overlapping-word cases. */
static void test_same_bytes(void **state)
{
    (void)state;
    unsigned char a[48], b[48];
    for (size_t n = 0; n <= 40; n++) {
        for (size_t i = 0; i < n + 2 && i < sizeof(a); i++) {
            a[i] = (unsigned char)('a' + i % 26);
        }
        memcpy(b, a, sizeof(a));
        assert_true(ab__same_bytes(a, b, n));
        for (size_t at = 0; at < n; at++) {
            b[at] ^= 0x20;
            assert_false(ab__same_bytes(a, b, n));
            assert_false(ab__same_bytes(b, a, n));
            b[at] ^= 0x20;
        }
        /* A byte past the end never counts. */
        b[n] ^= 0x01;
        assert_true(ab__same_bytes(a, b, n));
        b[n] ^= 0x01;
    }
}

static void test_strtab_enomem(void **state)
{
    (void)state;
    /* Fail each allocation in turn: every run ends cleanly and leaks nothing. */
    for (uint64_t n = 1;; n++) {
        tu_alloc al = {0};
        al.fail_at = n;
        ab_ctx *ctx = tu_ctx_counting(&al);
        ab__strtab t;
        int rc = ab__strtab_init(&t, ctx);
        for (uint32_t i = 0; rc == AB_OK && i < 300; i++) {
            char tmp[32];
            int len = snprintf(tmp, sizeof(tmp), "k%u", i);
            uint32_t id;
            rc = ab__strtab_intern(&t, tmp, (size_t)len, &id);
        }
        if (t.ctx != NULL) {
            ab__strtab_finish(&t);
        }
        ab_ctx_destroy(ctx);
        assert_int_equal(al.live, 0);
        if (al.failed == 0) {
            assert_int_equal(rc, AB_OK);
            break;
        }
        assert_int_equal(rc, AB_ENOMEM);
    }
}

static void test_json_escape(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_buf b = AB_BUF_INIT;
    const char in[] = "a\"b\\c\nd\x01<script>\xc3\xa9";
    assert_int_equal(ab_buf_append_json(&b, ctx, in, sizeof(in) - 1), AB_OK);
    assert_string_equal(b.ptr, "a\\\"b\\\\c\\nd\\u0001<script>\xc3\xa9");
    ab_buf_dispose(&b);
    ab_ctx_destroy(ctx);
}

static void test_utf8(void **state)
{
    (void)state;
    size_t bad = 0;
    assert_true(ab__utf8_valid("plain", 5, &bad));
    assert_true(ab__utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, &bad));
    assert_false(ab__utf8_valid("ab\xff", 3, &bad));
    assert_int_equal(bad, 2);
    assert_false(ab__utf8_valid("ab\xc3", 3, &bad)); /* Cut in the middle. */
    assert_int_equal(bad, 2);
    assert_false(ab__utf8_valid("\xc0\xaf", 2, &bad));      /* Overlong. */
    assert_false(ab__utf8_valid("\xed\xa0\x80", 3, &bad));  /* Surrogate. */
    assert_false(ab__utf8_valid("x\xe0\x80\xaf", 4, &bad)); /* Overlong 3-byte. */
    assert_int_equal(bad, 1);
}

static void test_atomic_write(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof(path), "/tmp/abtest-atomic-%ld.json", (long)getpid());
    ab_error err;
    assert_int_equal(ab_write_file_atomic(path, "{\"a\": 1}\n", 9, &err), AB_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[32] = {0};
    assert_int_equal(fread(buf, 1, sizeof(buf), f), 9);
    fclose(f);
    assert_string_equal(buf, "{\"a\": 1}\n");
    /* A destination in a missing directory fails with AB_EIO and leaves nothing. */
    assert_int_equal(ab_write_file_atomic("/nonexistent-dir/x.json", "x", 1, &err), AB_EIO);
    assert_non_null(strstr(err.msg, "temporary file"));
    unlink(path);
}

static void test_buf_printf_large(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_buf b = AB_BUF_INIT;
    char big[1000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(ab_buf_printf(&b, ctx, "<%s>", big), AB_OK);
    assert_int_equal(b.len, 1001);
    assert_int_equal(b.ptr[0], '<');
    assert_int_equal(b.ptr[1000], '>');
    ab_buf_dispose(&b);
    ab_ctx_destroy(ctx);
}

/* A pipe or device as output is written in place, never renamed over. */
static void test_atomic_write_fifo(void **state)
{
    (void)state;
    char dir[] = "/tmp/ab_fifo_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/out", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        FILE *f = fopen(path, "rb");
        char buf[64];
        size_t n = f != NULL ? fread(buf, 1, sizeof(buf), f) : 0;
        _exit(n == 5 && memcmp(buf, "hello", 5) == 0 ? 0 : 1);
    }
    ab_error err;
    assert_int_equal(ab_write_file_atomic(path, "hello", 5, &err), AB_OK);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    unlink(path);
    rmdir(dir);
}

/* The whole contents of path, or "" when it cannot be read (static buffer). */
static const char *slurp(const char *path)
{
    static char buf[256];
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f != NULL) {
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Entries of dir whose name contains part. */
static int count_named(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        n += strstr(e->d_name, part) != NULL;
    }
    closedir(d);
    return n;
}

/* A symbolic link as destination is written through, as cp does: the file
 * it names gets the data (keeping its permissions), the link stays. */
static void test_atomic_write_links(void **state)
{
    (void)state;
    char dir[] = "/tmp/ab_links_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[128], real[160], link1[160], link2[160], dang[160], made[160], tolink[160];
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(real, sizeof(real), "%s/real.json", sub);
    snprintf(link1, sizeof(link1), "%s/link.json", dir);
    snprintf(link2, sizeof(link2), "%s/link2.json", dir);
    put(real, "old");
    assert_int_equal(chmod(real, 0640), 0);
    assert_int_equal(symlink("sub/real.json", link1), 0); /* Relative to the link's folder. */
    assert_int_equal(symlink(link1, link2), 0);           /* A link to a link. */
    ab_error err;
    assert_int_equal(ab_write_file_atomic(link2, "new", 3, &err), AB_OK);
    struct stat st;
    assert_int_equal(lstat(link1, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(lstat(link2, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_string_equal(slurp(real), "new");
    assert_int_equal(lstat(real, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(count_named(dir, "tmp"), 0);
    assert_int_equal(count_named(sub, "tmp"), 0);
    /* A dangling link: the file is created where it points. */
    snprintf(dang, sizeof(dang), "%s/dangling.json", dir);
    snprintf(made, sizeof(made), "%s/made.json", sub);
    assert_int_equal(symlink(made, dang), 0);
    assert_int_equal(ab_write_file_atomic(dang, "made", 4, &err), AB_OK);
    assert_int_equal(lstat(dang, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_string_equal(slurp(made), "made");
    /* A link to a folder, and a loop of links: clear errors. */
    snprintf(tolink, sizeof(tolink), "%s/folder", dir);
    assert_int_equal(symlink(sub, tolink), 0);
    assert_int_equal(ab_write_file_atomic(tolink, "x", 1, &err), AB_EIO);
    assert_non_null(strstr(err.msg, "directory"));
    char loop_a[160], loop_b[160];
    snprintf(loop_a, sizeof(loop_a), "%s/a", dir);
    snprintf(loop_b, sizeof(loop_b), "%s/b", dir);
    assert_int_equal(symlink(loop_b, loop_a), 0);
    assert_int_equal(symlink(loop_a, loop_b), 0);
    assert_int_equal(ab_write_file_atomic(loop_a, "x", 1, &err), AB_EIO);
    assert_non_null(strstr(err.msg, "symbolic links"));
    unlink(loop_a);
    unlink(loop_b);
    unlink(tolink);
    unlink(dang);
    unlink(made);
    unlink(link2);
    unlink(link1);
    unlink(real);
    rmdir(sub);
    rmdir(dir);
}

/* A set: nothing replaced before commit, every file after; a destroyed
 * set, or the signal cleanup, leaves no temporary file. */
static void test_output_set(void **state)
{
    (void)state;
    char dir[] = "/tmp/ab_set_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char a[128], b[128];
    snprintf(a, sizeof(a), "%s/a.json", dir);
    snprintf(b, sizeof(b), "%s/b.md", dir);
    put(a, "old a");
    put(b, "old b");
    ab_error err;
    ab_output_set *set = NULL;
    assert_int_equal(ab_output_set_create(&set, &err), AB_OK);
    assert_int_equal(ab_output_set_add(set, a, "new a", 5, &err), AB_OK);
    assert_int_equal(ab_output_set_add(set, b, "new b", 5, &err), AB_OK);
    assert_string_equal(slurp(a), "old a");
    assert_string_equal(slurp(b), "old b");
    /* The temporary files are hidden and carry the tag and the pid. */
    char tag[64];
    snprintf(tag, sizeof(tag), ".asbuilt-tmp.%ld.", (long)getpid());
    assert_int_equal(count_named(dir, tag), 2);
    assert_int_equal(count_named(dir, ".a.json.asbuilt-tmp."), 1);
    ab_output_set_destroy(set); /* Not committed: all old, nothing left. */
    assert_string_equal(slurp(a), "old a");
    assert_int_equal(count_named(dir, "tmp"), 0);

    assert_int_equal(ab_output_set_create(&set, &err), AB_OK);
    assert_int_equal(ab_output_set_add(set, a, "new a", 5, &err), AB_OK);
    assert_int_equal(ab_output_set_add(set, b, "new b", 5, &err), AB_OK);
    ab_output_signal_cleanup(); /* What a SIGINT handler does. */
    assert_int_equal(count_named(dir, "tmp"), 0);
    assert_int_equal(ab_output_set_commit(set, &err), AB_EIO); /* Its files are gone. */
    ab_output_set_destroy(set);
    assert_string_equal(slurp(a), "old a");
    assert_string_equal(slurp(b), "old b");

    /* One output that cannot be staged (a folder, an empty name): the set
     * is not committed, and the others stay old. */
    for (int k = 0; k < 2; k++) {
        assert_int_equal(ab_output_set_create(&set, &err), AB_OK);
        assert_int_equal(ab_output_set_add(set, a, "new a", 5, &err), AB_OK);
        assert_int_equal(ab_output_set_add(set, k == 0 ? dir : "", "x", 1, &err), AB_EIO);
        assert_int_equal(ab_output_set_commit(set, &err), AB_EINVAL);
        ab_output_set_destroy(set);
        assert_string_equal(slurp(a), "old a");
        assert_int_equal(count_named(dir, "tmp"), 0);
    }

    assert_int_equal(ab_output_set_create(&set, &err), AB_OK);
    assert_int_equal(ab_output_set_add(set, a, "new a", 5, &err), AB_OK);
    assert_int_equal(ab_output_set_add(set, b, "new b", 5, &err), AB_OK);
    assert_int_equal(ab_output_set_commit(set, &err), AB_OK);
    ab_output_set_destroy(set);
    assert_string_equal(slurp(a), "new a");
    assert_string_equal(slurp(b), "new b");
    assert_int_equal(count_named(dir, "tmp"), 0);
    unlink(a);
    unlink(b);
    rmdir(dir);
}

/* A writer of five pieces "p0 " .. "p4 ", failing at fail_at (5: never). */
typedef struct pieces {
    ab_ctx *ctx;
    int next, fail_at;
} pieces;

static int next_piece(void *payload, ab_buf *out, int *done, ab_error *err)
{
    pieces *p = payload;
    assert_int_equal(out->len, 0);
    if (p->next == p->fail_at) {
        snprintf(err->msg, sizeof(err->msg), "piece %d failed", p->next);
        return AB_ENOMEM;
    }
    char s[8];
    snprintf(s, sizeof(s), "p%d ", p->next++);
    *done = p->next == 5;
    return ab_buf_append(out, p->ctx, s, strlen(s));
}

/* An output made piece by piece: the pieces in order in the file after
 * commit; a writer that fails leaves the destination as it was and no
 * temporary file; an in-place output calls its writer at commit. */
static void test_output_set_writer(void **state)
{
    (void)state;
    char dir[] = "/tmp/ab_setw_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char a[128], b[128];
    snprintf(a, sizeof(a), "%s/cases.jsonl", dir);
    snprintf(b, sizeof(b), "%s/b.md", dir);
    put(a, "old a");
    put(b, "old b");
    ab_ctx *ctx = NULL;
    assert_int_equal(ab_ctx_create(&ctx, NULL), AB_OK);
    ab_error err;
    ab_output_set *set = NULL;

    pieces bad = {ctx, 0, 3};
    assert_int_equal(ab_output_set_create(&set, &err), AB_OK);
    assert_int_equal(ab_output_set_add(set, b, "new b", 5, &err), AB_OK);
    assert_int_equal(ab_output_set_add_writer(set, a, next_piece, &bad, &err), AB_ENOMEM);
    assert_string_equal(err.msg, "piece 3 failed");
    assert_int_equal(ab_output_set_commit(set, &err), AB_EINVAL);
    ab_output_set_destroy(set);
    assert_string_equal(slurp(a), "old a");
    assert_string_equal(slurp(b), "old b");
    assert_int_equal(count_named(dir, "tmp"), 0);

    pieces good = {ctx, 0, 5}, dev = {ctx, 0, 5};
    assert_int_equal(ab_output_set_create(&set, &err), AB_OK);
    assert_int_equal(ab_output_set_add_writer(set, a, next_piece, &good, &err), AB_OK);
    assert_int_equal(good.next, 5); /* A regular file: written when staged. */
    assert_string_equal(slurp(a), "old a");
    assert_int_equal(ab_output_set_add_writer(set, "/dev/null", next_piece, &dev, &err), AB_OK);
    assert_int_equal(dev.next, 0); /* In place: at commit. */
    assert_int_equal(ab_output_set_add_writer(set, b, NULL, NULL, &err), AB_EINVAL);
    ab_output_set_destroy(set);

    good.next = dev.next = 0;
    assert_int_equal(ab_output_set_create(&set, &err), AB_OK);
    assert_int_equal(ab_output_set_add_writer(set, a, next_piece, &good, &err), AB_OK);
    assert_int_equal(ab_output_set_add_writer(set, "/dev/null", next_piece, &dev, &err), AB_OK);
    assert_int_equal(ab_output_set_commit(set, &err), AB_OK);
    ab_output_set_destroy(set);
    assert_int_equal(dev.next, 5);
    assert_string_equal(slurp(a), "p0 p1 p2 p3 p4 ");
    assert_int_equal(count_named(dir, "tmp"), 0);
    ab_ctx_destroy(ctx);
    unlink(a);
    unlink(b);
    rmdir(dir);
}

/* What a killed process left is removed by the next write to the same
 * place, unless its process still runs. */
static void test_stale_temporaries(void **state)
{
    (void)state;
    char dir[] = "/tmp/ab_stale_XXXXXX";
    assert_non_null(mkdtemp(dir));
    pid_t gone = fork();
    assert_true(gone >= 0);
    if (gone == 0) {
        _exit(0);
    }
    assert_int_equal(waitpid(gone, NULL, 0), gone);
    char path[128], dead[192], alive[192], other[192];
    snprintf(path, sizeof(path), "%s/r.json", dir);
    snprintf(dead, sizeof(dead), "%s/.r.json.asbuilt-tmp.%ld.AbC123", dir, (long)gone);
    snprintf(alive, sizeof(alive), "%s/.r.json.asbuilt-tmp.%ld.AbC123", dir, (long)getppid());
    snprintf(other, sizeof(other), "%s/.s.json.asbuilt-tmp.%ld.AbC123", dir, (long)gone);
    put(dead, "partial");
    put(alive, "partial");
    put(other, "partial");
    ab_error err;
    assert_int_equal(ab_write_file_atomic(path, "ok", 2, &err), AB_OK);
    struct stat st;
    assert_int_equal(stat(dead, &st), -1); /* Its process is gone: removed. */
    assert_int_equal(stat(alive, &st), 0); /* Its process runs: kept. */
    assert_int_equal(stat(other, &st), 0); /* Another destination's: not this write's. */
    assert_string_equal(slurp(path), "ok");
    unlink(alive);
    unlink(other);
    unlink(path);
    rmdir(dir);
}

/* A set killed among its renames leaves its commit journal; the next write
 * into that folder finishes the renames it names, so the set ends all new,
 * and a journal whose process still runs is left alone. */
static void test_commit_journal(void **state)
{
    (void)state;
    char dir[] = "/tmp/ab_journal_XXXXXX";
    assert_non_null(mkdtemp(dir));
    pid_t gone = fork();
    assert_true(gone >= 0);
    if (gone == 0) {
        _exit(0);
    }
    assert_int_equal(waitpid(gone, NULL, 0), gone);
    char a[128], b[128], ta[192], tb[192], journal[192], live[192], lines[1400];
    snprintf(a, sizeof(a), "%s/a.json", dir);
    snprintf(b, sizeof(b), "%s/b.md", dir);
    snprintf(ta, sizeof(ta), "%s/.a.json.asbuilt-tmp.%ld.AbC123", dir, (long)gone);
    snprintf(tb, sizeof(tb), "%s/.b.md.asbuilt-tmp.%ld.XyZ789", dir, (long)gone);
    /* a was renamed before the kill; b was not. */
    put(a, "new a");
    put(b, "old b");
    put(tb, "new b");
    snprintf(journal, sizeof(journal), "%s/.asbuilt-commit.%ld.Q1w2E3", dir, (long)gone);
    snprintf(lines, sizeof(lines), "%s\t%s\n%s\t%s\n", ta, a, tb, b);
    put(journal, lines);
    snprintf(live, sizeof(live), "%s/.asbuilt-commit.%ld.R4t5Y6", dir, (long)getppid());
    put(live, "");
    char other[128];
    snprintf(other, sizeof(other), "%s/c.txt", dir);
    ab_error err;
    assert_int_equal(ab_write_file_atomic(other, "c", 1, &err), AB_OK);
    struct stat st;
    assert_string_equal(slurp(a), "new a");
    assert_string_equal(slurp(b), "new b");
    assert_int_equal(stat(tb, &st), -1);
    assert_int_equal(stat(journal, &st), -1);
    assert_int_equal(stat(live, &st), 0);
    /* A set of two leaves no journal behind when it completes. */
    ab_output_set *set = NULL;
    assert_int_equal(ab_output_set_create(&set, &err), AB_OK);
    assert_int_equal(ab_output_set_add(set, a, "A", 1, &err), AB_OK);
    assert_int_equal(ab_output_set_add(set, b, "B", 1, &err), AB_OK);
    assert_int_equal(ab_output_set_commit(set, &err), AB_OK);
    ab_output_set_destroy(set);
    assert_string_equal(slurp(a), "A");
    assert_string_equal(slurp(b), "B");
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.' || strncmp(e->d_name, ".asbuilt-commit.", 16) == 0;
    }
    closedir(d);
    assert_int_equal(n, 4); /* a.json, b.md, c.txt and the live journal. */
    unlink(live);
    unlink(a);
    unlink(b);
    unlink(other);
    rmdir(dir);
}

/* ab__sort_r orders as qsort does, for any size of element, with its
 * argument reaching every comparison (here: a descending flag and a key
 * offset, as the callers pass their tables). */
typedef struct {
    uint32_t key;
    uint32_t tie;
    uint32_t pad;
} rec12;

typedef struct {
    int desc;
    long calls;
} sort_arg;

static int cmp_rec_r(const void *pa, const void *pb, void *arg)
{
    sort_arg *o = arg;
    const rec12 *a = pa, *b = pb;
    o->calls++;
    int c = a->key != b->key ? (a->key < b->key ? -1 : 1) : (a->tie > b->tie) - (a->tie < b->tie);
    return o->desc ? -c : c;
}

static int cmp_rec_asc(const void *pa, const void *pb)
{
    sort_arg o = {0, 0};
    return cmp_rec_r(pa, pb, &o);
}

/* Varints: the values at each byte boundary and the ends come back; one cut
 * short, or of more than 64 bits, is refused. */
static void test_varint(void **state)
{
    (void)state;
    ab_ctx *ctx = tu_ctx();
    ab_buf b = AB_BUF_INIT;
    ab__wbytes w = {&b, ctx, AB_OK};
    const uint64_t v[] = {0,         1, 127, 128, 300, 16383, 16384, UINT32_MAX, (uint64_t)1 << 63,
                          UINT64_MAX};
    const size_t len[] = {1, 1, 1, 2, 2, 2, 3, 5, 10, 10};
    size_t at = 0;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        ab__put_varint(&w, v[i]);
        assert_int_equal(w.rc, AB_OK);
        assert_int_equal(b.len - at, len[i]);
        at = b.len;
    }
    ab__rbytes r = {(const unsigned char *)b.ptr, b.len, 0, 0};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        assert_true(ab__get_varint(&r) == v[i]);
    }
    assert_false(r.bad);
    assert_int_equal(r.off, b.len);
    assert_int_equal(ab__get_varint(&r), 0);
    assert_true(r.bad);
    ab__rbytes cut = {(const unsigned char *)b.ptr, b.len - 1, 0, 0};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        (void)ab__get_varint(&cut);
    }
    assert_true(cut.bad);
    const unsigned char eleven[11] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                      0x80, 0x80, 0x80, 0x80, 1};
    ab__rbytes wide = {eleven, sizeof(eleven), 0, 0};
    assert_int_equal(ab__get_varint(&wide), 0);
    assert_true(wide.bad);
    const unsigned char over[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2};
    ab__rbytes big = {over, sizeof(over), 0, 0};
    assert_int_equal(ab__get_varint(&big), 0);
    assert_true(big.bad);
    ab_buf_dispose(&b);
    ab_ctx_destroy(ctx);
}

static void test_sort_r(void **state)
{
    (void)state;
    enum { N = 700 };
    rec12 *a = malloc(sizeof(rec12) * N), *b = malloc(sizeof(rec12) * N);
    assert_non_null(a);
    assert_non_null(b);
    uint32_t seed = 12345;
    for (size_t n = 0; n < N; n = n < 20 ? n + 1 : n * 2 + 3) {
        for (int desc = 0; desc < 2; desc++) {
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                /* Few keys, so that ties on the key are common. */
                a[i] = (rec12){(seed >> 16) % 7, (uint32_t)i, 0xABCDu};
            }
            memcpy(b, a, sizeof(rec12) * n);
            sort_arg o = {desc, 0};
            ab__sort_r(a, n, sizeof(rec12), cmp_rec_r, &o);
            qsort(b, n, sizeof(rec12), cmp_rec_asc);
            for (size_t i = 0; i < n; i++) {
                const rec12 *want = &b[desc ? n - 1 - i : i];
                assert_int_equal(a[i].key, want->key);
                assert_int_equal(a[i].tie, want->tie);
                assert_int_equal(a[i].pad, 0xABCDu);
            }
            assert_true(n < 2 ? o.calls == 0 : o.calls > 0);
        }
    }
    free(a);
    free(b);
}

/* The field splitter of the hand-written lists (accept, roles, lanes, duty
 * pairs): separators, quotes, trimming, and the two malformed forms. */
static void test_split_fields(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        int n;
        const char *f[4];
    } cases[] = {
        {"bypass,A", 2, {"bypass", "A"}},
        {" rework ; Check  invoice\r", 2, {"rework", "Check  invoice"}},
        {"substitution\tA\tB", 3, {"substitution", "A", "B"}},
        {"\"a, \"\"quoted\"\" name\" , b", 2, {"a, \"quoted\" name", "b"}},
        {"x,,", 3, {"x", "", ""}},
        {",,,,,,,,", 9, {"", "", "", ""}},
        {"\"\"", 1, {""}},
        {"\"open,b", -1, {NULL}},
        {"\"a\" b,c", -1, {NULL}},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        size_t len = strlen(cases[k].line);
        /* len + 1 bytes of scratch, as the contract says, and no more. */
        char *scratch = malloc(len + 1);
        assert_non_null(scratch);
        const char *f[4] = {NULL, NULL, NULL, NULL};
        int n = ab__split_fields(cases[k].line, len, ",;\t", scratch, f, 4);
        assert_int_equal(n, cases[k].n);
        for (int i = 0; i < n && i < 4; i++) {
            assert_string_equal(f[i], cases[k].f[i]);
        }
        free(scratch);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctx_options),
        cmocka_unit_test(test_error_format),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_strtab),
        cmocka_unit_test(test_strtab_enomem),
        cmocka_unit_test(test_same_bytes),
        cmocka_unit_test(test_json_escape),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_atomic_write),
        cmocka_unit_test(test_atomic_write_fifo),
        cmocka_unit_test(test_atomic_write_links),
        cmocka_unit_test(test_output_set),
        cmocka_unit_test(test_output_set_writer),
        cmocka_unit_test(test_stale_temporaries),
        cmocka_unit_test(test_commit_journal),
        cmocka_unit_test(test_buf_printf_large),
        cmocka_unit_test(test_split_fields),
        cmocka_unit_test(test_sort_r),
        cmocka_unit_test(test_varint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
