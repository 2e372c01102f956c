/*
 * tests/test_cli.c: the command line's exit codes for failed calls
 * (tools/cli.c, compiled in). The exit code comes from the status a call
 * returned; an ab_error the call never filled is an internal error or out
 * of memory, exit 4, never "ok" and exit 0.
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unfilled_error_is_not_ok),
        cmocka_unit_test(test_status_gives_the_exit_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
