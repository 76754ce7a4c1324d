#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "verify.h"

/* A loopback listener; returns its fd and port. */
static int listener(uint16_t *ret_port) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t l = sizeof sa;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        assert_int_equal(listen(fd, 4), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &l), 0);
        *ret_port = ntohs(sa.sin_port);
        return fd;
}

/* Forks a child that accepts one connection, writes 'text' and closes. */
static pid_t serve_once(int fd, const char *text) {
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                int c = accept(fd, NULL, NULL);
                if (c >= 0 && text)
                        (void) !write(c, text, strlen(text));
                if (c >= 0)
                        close(c);
                _exit(0);
        }
        return pid;
}

static void check(const char *server_text, int want_error, const char *want_banner) {
        struct probe_result r;
        uint16_t port;
        int fd = listener(&port);
        pid_t pid = serve_once(fd, server_text);

        assert_int_equal(verify_banner(AF_INET, "127.0.0.1", port, 2000, &r), 0);
        assert_int_equal(r.error, want_error);
        assert_int_equal(r.port, port);
        assert_string_equal(r.address, "127.0.0.1");
        assert_string_equal(r.banner, want_banner);
        waitpid(pid, NULL, 0);
        close(fd);
}

static void test_banner(void **state) {
        check("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", 0, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
}

static void test_banner_after_other_lines(void **state) {
        /* RFC 4253 4.2: lines before the version string are allowed */
        check("Welcome\r\nauthorized use only\r\nSSH-2.0-Test\r\n", 0, "SSH-2.0-Test");
        check("SSH-1.99-Compat\r\n", 0, "SSH-1.99-Compat");
}

static void test_garbage(void **state) {
        check("HTTP/1.1 400 Bad Request\r\n", -EPROTO, "HTTP/1.1 400 Bad Request");
        check("SSH-1.5-Ancient\r\n", -EPROTO, "SSH-1.5-Ancient");
        check("\x1b[2J\x01 evil\r\n", -EPROTO, "?[2J? evil");
}

static void test_closed_without_data(void **state) {
        check(NULL, -ECONNRESET, "");
}

static void test_closed_port(void **state) {
        struct probe_result r;
        uint16_t port;
        int fd = listener(&port);

        close(fd);
        assert_int_equal(verify_banner(AF_INET, "127.0.0.1", port, 2000, &r), 0);
        assert_int_equal(r.error, -ECONNREFUSED);
}

static void test_never_answers(void **state) {
        struct probe_result r;
        uint16_t port;
        int fd = listener(&port); /* the kernel completes the handshake; nobody speaks */

        assert_int_equal(verify_banner(AF_INET, "127.0.0.1", port, 300, &r), 0);
        assert_int_equal(r.error, -ETIMEDOUT);
        close(fd);
}

static void test_bad_arguments(void **state) {
        struct probe_result r;

        assert_int_equal(verify_banner(AF_INET, "not an address", 22, 100, &r), -EINVAL);
        assert_int_equal(verify_banner(AF_UNIX, "x", 22, 100, &r), -EAFNOSUPPORT);
}

static void test_all_answer(void **state) {
        struct options o = { .n_ports = 2, .ports = { 22, 2222 } };
        struct probe_result r[3] = {
                { .port = 22, .error = -ECONNREFUSED },
                { .port = 22, .error = 0 },
                { .port = 2222, .error = -ETIMEDOUT },
        };

        assert_false(verify_all_answer(&o, r, 3));
        r[2].error = 0;
        assert_true(verify_all_answer(&o, r, 3));
        assert_false(verify_all_answer(&o, r, 0));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_banner),        cmocka_unit_test(test_banner_after_other_lines),
                cmocka_unit_test(test_garbage),       cmocka_unit_test(test_closed_without_data),
                cmocka_unit_test(test_closed_port),   cmocka_unit_test(test_never_answers),
                cmocka_unit_test(test_bad_arguments), cmocka_unit_test(test_all_answer),
        };
        signal(SIGPIPE, SIG_IGN);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
