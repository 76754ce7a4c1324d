/* The program runner: output capture, input, exit codes, timeouts, parallel runs, output
 * handed over as it comes. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
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

/* Output handed over while the program still runs. */
static int on_output(struct exec_job *j) {
        char ***seen = j->userdata;

        if (strv_extend(seen, j->result.out) < 0)
                return -ENOMEM;
        return strstr(j->result.out, "stop") ? -EIO : 0;
}

static void test_streamed(void **state) {
        _cleanup_strv_free_ char **seen = NULL, **stopped = NULL;
        struct exec_job j[2] = {
                { .argv = (const char *const[]) { "/bin/sh", "-c", "echo a; sleep 0.3; echo b", NULL },
                  .on_output = on_output, .userdata = &seen },
                { .argv = (const char *const[]) { "/bin/sh", "-c", "echo stop; sleep 0.3; echo more", NULL },
                  .on_output = on_output, .userdata = &stopped },
        };

        /* the callback's error ends the run; the other program still completes */
        assert_int_equal(exec_run_many(j, 2, 5000, 1000), -EIO);
        assert_int_equal(strv_length(seen), 2);
        assert_string_equal(seen[0], "a\n");
        assert_string_equal(seen[1], "a\nb\n");
        assert_string_equal(j[0].result.out, "a\nb\n");
        assert_int_equal(strv_length(stopped), 1);
        assert_string_equal(stopped[0], "stop\n");
        for (size_t i = 0; i < 2; i++)
                exec_result_done(&j[i].result);
}

/* Started early, waited for later; a job with input is refused; a program that does not
 * exist exits 127. */
static void test_start_then_wait(void **state) {
        struct exec_job j[2] = {
                { .argv = (const char *const[]) { "/bin/sh", "-c", "echo started", NULL } },
                { .argv = (const char *const[]) { "/nonexistent", NULL } },
        }, in = { .argv = (const char *const[]) { "/bin/cat", NULL }, .input = "x", .input_len = 1 };
        _cleanup_free_ char *d = NULL;

        assert_int_equal(exec_start_many(j, 2), 0);
        assert_int_equal(exec_wait_many(j, 2, 20000, 1000), 0);
        assert_false(j[0].result.timed_out);
        assert_int_equal(j[0].result.status, 0);
        assert_string_equal(j[0].result.out, "started\n");
        assert_int_equal(j[1].result.status, 127);
        for (size_t i = 0; i < 2; i++)
                exec_result_done(&j[i].result);
        assert_int_equal(exec_start_many(&in, 1), -EINVAL);
        assert_int_equal(exec_wait_many(&in, 1, 1000, 1000), 0);
        assert_int_equal(in.result.status, -1);
        d = exec_result_describe(&in.result);
        assert_string_equal(d, "could not be run");
        exec_result_done(&in.result);
}

/* A thread that runs programs usually blocks all signals; the programs get none blocked. */
static void *run_blocked(void *userdata) {
        struct exec_result *r = userdata;

        assert_int_equal(exec_run((const char *const[]) { "/bin/grep", "^SigBlk", "/proc/self/status", NULL }, NULL, 0,
                                  5000, r),
                         0);
        return NULL;
}

static void test_signal_mask(void **state) {
        struct exec_result r;
        sigset_t all, old;
        pthread_t t;

        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        assert_int_equal(pthread_create(&t, NULL, run_blocked, &r), 0);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, "SigBlk:\t0000000000000000\n");
        exec_result_done(&r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_echo),
                cmocka_unit_test(test_input_and_status),
                cmocka_unit_test(test_timeout),
                cmocka_unit_test(test_many),
                cmocka_unit_test(test_streamed),
                cmocka_unit_test(test_signal_mask),
                cmocka_unit_test(test_start_then_wait),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
