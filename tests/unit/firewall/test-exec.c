/* The program runner: output capture, input, exit codes, timeouts, parallel runs. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "util/exec.h"
#include "util/strv.h"

static void test_echo(void **state) {
        struct exec_result r;

        assert_int_equal(exec_run((const char *const[]) { "/bin/echo", "a b", "c", NULL }, NULL, 0, 5000, &r), 0);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, "a b c\n");
        assert_string_equal(r.err, "");
        exec_result_done(&r);
}

static void test_input_and_status(void **state) {
        struct exec_result r;
        _cleanup_free_ char *big = malloc(1 << 20), *d = NULL;

        memset(big, 'x', 1 << 20);
        assert_int_equal(exec_run((const char *const[]) { "/bin/cat", NULL }, big, 1 << 20, 5000, &r), 0);
        assert_int_equal(r.out_len, 1 << 20);
        exec_result_done(&r);

        assert_int_equal(exec_run((const char *const[]) { "/bin/sh", "-c", "echo oops >&2; exit 3", NULL }, NULL, 0, 5000, &r), 0);
        assert_int_equal(r.status, 3);
        d = exec_result_describe(&r);
        assert_string_equal(d, "exit 3: oops");
        exec_result_done(&r);

        /* not found: the child exits 127 */
        assert_int_equal(exec_run((const char *const[]) { "/nonexistent", NULL }, NULL, 0, 5000, &r), 0);
        assert_int_equal(r.status, 127);
        exec_result_done(&r);
}

static void test_timeout(void **state) {
        struct exec_result r;

        assert_int_equal(exec_run((const char *const[]) { "/bin/sleep", "10", NULL }, NULL, 0, 200, &r), 0);
        assert_true(r.timed_out);
        assert_int_equal(r.status, 128 + 9);
        exec_result_done(&r);
}

static void test_many(void **state) {
        struct exec_job j[3] = {
                { .argv = (const char *const[]) { "/bin/echo", "one", NULL } },
                { .argv = (const char *const[]) { "/bin/sh", "-c", "sleep 0.2; echo two", NULL } },
                { .argv = (const char *const[]) { "/bin/sh", "-c", "head -c 100000 /dev/zero", NULL } },
        };

        assert_int_equal(exec_run_many(j, 3, 5000, 1000), 0);
        assert_string_equal(j[0].result.out, "one\n");
        assert_string_equal(j[1].result.out, "two\n");
        assert_int_equal(j[2].result.out_len, 1000);
        assert_true(j[2].result.truncated);
        for (size_t i = 0; i < 3; i++)
                exec_result_done(&j[i].result);
}

/* In the background: the output goes to memory, so a program that writes far more than a
 * pipe holds finishes before anyone reads. */
static void test_background(void **state) {
        struct exec_bg a, b, c, d;
        struct exec_result r;

        assert_int_equal(exec_bg_start((const char *const[]) { "/bin/sh", "-c",
                                                                "head -c 1000000 /dev/zero | tr '\\0' a; echo oops >&2; exit 3",
                                                                NULL }, &a), 0);
        assert_int_equal(exec_bg_start((const char *const[]) { "/bin/sleep", "10", NULL }, &b), 0);
        assert_int_equal(exec_bg_start((const char *const[]) { "/bin/sh", "-c", "head -c 5000 /dev/zero", NULL }, &c), 0);
        assert_int_equal(exec_bg_start((const char *const[]) { "/bin/sleep", "10", NULL }, &d), 0);

        assert_int_equal(exec_bg_wait(&a, 20000, EXEC_MAX_OUTPUT_DEFAULT, &r), 0);
        assert_int_equal(r.status, 3);
        assert_int_equal(r.out_len, 1000000);
        assert_int_equal(strspn(r.out, "a"), 1000000);
        assert_string_equal(r.err, "oops\n");
        assert_false(r.truncated);
        assert_false(r.timed_out);
        exec_result_done(&r);

        assert_int_equal(exec_bg_wait(&b, 200, EXEC_MAX_OUTPUT_DEFAULT, &r), 0);
        assert_true(r.timed_out);
        assert_int_equal(r.status, 128 + 9);
        exec_result_done(&r);

        assert_int_equal(exec_bg_wait(&c, 20000, 1000, &r), 0);
        assert_int_equal(r.out_len, 1000);
        assert_true(r.truncated);
        exec_result_done(&r);

        /* not waited for: killed and reaped; a second call does nothing */
        exec_bg_done(&d);
        assert_int_equal(d.pid, 0);
        exec_bg_done(&d);
        assert_int_equal(exec_bg_wait(&d, 100, 100, &r), -ECHILD);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_echo),
                cmocka_unit_test(test_input_and_status),
                cmocka_unit_test(test_timeout),
                cmocka_unit_test(test_many),
                cmocka_unit_test(test_background),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
