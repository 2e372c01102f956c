/*
 * tests/test_cli.c: the command line's exit codes for failed calls
 * (tools/cli.c, compiled in). The exit code comes from the status a call
 * returned; an ab_error the call never filled is an internal error or out
 * of memory, exit 4, never "ok" and exit 0. And the log's hash made on a
 * thread of its own while the log is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "test_util.h"

/* Runs f(status, err) with stderr captured into out. */
static int captured(int (*f)(int, const ab_error *), int status, const ab_error *err, char *out,
                    size_t cap)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    assert_true(saved >= 0);
    dup2(fileno(tmp), STDERR_FILENO);
    int rc = f(status, err);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, cap - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
    return rc;
}

static int report_only(int status, const ab_error *err)
{
    (void)status;
    return cli_report(err);
}

static void test_unfilled_error_is_not_ok(void **state)
{
    (void)state;
    char msg[512];
    ab_error err;
    ab_error_clear(&err);
    /* A failure whose error was left empty. */
    assert_int_equal(captured(report_only, AB_ENOMEM, &err, msg, sizeof(msg)), EXIT_IO);
    assert_non_null(strstr(msg, "internal error"));
    assert_null(strstr(msg, "ok"));
    assert_int_equal(captured(cli_report_status, AB_ENOMEM, &err, msg, sizeof(msg)), EXIT_IO);
    assert_string_equal(msg, "asbuilt: out of memory\n");
    assert_int_equal(captured(cli_report_status, AB_EPARSE, &err, msg, sizeof(msg)), EXIT_IO);
    assert_non_null(strstr(msg, "internal error"));
    assert_int_equal(captured(cli_report_status, AB_ENOMEM, NULL, msg, sizeof(msg)), EXIT_IO);
    assert_string_equal(msg, "asbuilt: out of memory\n");
    assert_int_equal(cli_report_status(AB_OK, &err), EXIT_OK);
}

static void test_status_gives_the_exit_code(void **state)
{
    (void)state;
    char msg[512];
    ab_error err;
    ab_error_clear(&err);
    err.code = AB_EPARSE;
    snprintf(err.source, sizeof(err.source), "log.xes");
    err.line = 3;
    snprintf(err.msg, sizeof(err.msg), "expected </trace>");
    assert_int_equal(captured(cli_report_status, AB_EPARSE, &err, msg, sizeof(msg)), EXIT_DATA);
    assert_string_equal(msg, "asbuilt: log.xes:3: expected </trace>\n");
    /* The message is the error's, the exit code the status's. */
    assert_int_equal(captured(cli_report_status, AB_ENOMEM, &err, msg, sizeof(msg)), EXIT_IO);
    assert_non_null(strstr(msg, "expected </trace>"));
}

/*
 * The log's hash on its own thread (cli_hash_start / cli_hash_finish): the
 * digest of the files one after the other, as FIPS 180-2's million 'a' split
 * over two files; no digest (NULL: the report's computation hashes instead)
 * when it is switched off, for "-", for a pipe, which it must not read, or
 * when a file cannot be read.
 */
static void test_log_hash_thread(void **state)
{
    (void)state;
    char *a = malloc(1000000);
    assert_non_null(a);
    memset(a, 'a', 1000000);
    char p1[4200], p2[4200];
    snprintf(p1, sizeof(p1), "%s", tu_tmpfile(a, 600001, ".csv"));
    snprintf(p2, sizeof(p2), "%s", tu_tmpfile(a, 399999, ".csv"));
    free(a);
    const char *both[] = {p1, p2};
    cli_hash h;
    cli_hash_start(&h, both, 2);
    const char *hex = cli_hash_finish(&h);
    assert_non_null(hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* Asked again (on the way out), the same. */
    assert_ptr_equal(cli_hash_finish(&h), hex);

    cli_hash_early = 0;
    cli_hash_start(&h, both, 2);
    assert_null(cli_hash_finish(&h));
    cli_hash_early = 1;

    const char *with_stdin[] = {p1, "-"};
    cli_hash_start(&h, with_stdin, 2);
    assert_null(cli_hash_finish(&h));

    const char *missing[] = {p1, "/nonexistent/log.csv"};
    cli_hash_start(&h, missing, 2);
    assert_null(cli_hash_finish(&h));

    /* A pipe with a byte waiting: still there for the reader afterwards. */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "x", 1), 1);
    char fdpath[64];
    snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fds[0]);
    const char *piped[] = {fdpath};
    cli_hash_start(&h, piped, 1);
    assert_null(cli_hash_finish(&h));
    close(fds[1]);
    char c = 0;
    assert_int_equal(read(fds[0], &c, 1), 1);
    assert_int_equal(c, 'x');
    close(fds[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unfilled_error_is_not_ok),
        cmocka_unit_test(test_status_gives_the_exit_code),
        cmocka_unit_test(test_log_hash_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
