#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "util/strv.h"

#define ARGV(...) ((char **) (const char *[]) { "sshrepair", __VA_ARGS__, NULL })
#define ARGC(...) ((int) (sizeof((const char *[]) { "sshrepair", __VA_ARGS__ }) / sizeof(const char *)))
#define PARSE(o, err, ...) cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o), (err))

static void expect_error(int argc, char **argv, const char *fragment) {
        struct options o = { .command = COMMAND_STATUS, .verbose = 42 };
        char *error = NULL;

        assert_int_equal(cli_parse(argc, argv, &o, &error), -EINVAL);
        assert_non_null(error);
        if (!strstr(error, fragment))
                fail_msg("error '%s' does not contain '%s'", error, fragment);
        assert_null(strchr(error, '\n'));
        /* untouched on failure */
        assert_int_equal(o.command, COMMAND_STATUS);
        assert_int_equal(o.verbose, 42);
        free(error);
}
#define EXPECT_ERROR(fragment, ...) expect_error(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), fragment)

static void test_defaults(void **state) {
        struct options o;
        char *error = NULL;

        assert_int_equal(cli_parse(1, (char *[]) { (char *) "sshrepair", NULL }, &o, &error), 0);
        assert_int_equal(o.command, COMMAND_REPAIR);
        assert_int_equal(o.n_ports, 1);
        assert_int_equal(o.ports[0], 22);
        assert_false(o.dry_run);
        assert_false(o.yes);
        assert_null(o.user);
        assert_int_equal(o.from.family, 0);
        options_done(&o);
}

static void test_good_options(void **state) {
        struct options o;
        char *error = NULL;

        assert_int_equal(PARSE(&o, &error, "--dry-run", "-p", "2222", "--port", "22", "--port=2222", "--user",
                               "alice", "--from", "192.0.2.0/24", "--json", "--allow-insecure", "-v", "-v"),
                         0);
        assert_true(o.dry_run);
        assert_int_equal(o.n_ports, 2); /* duplicates collapse */
        assert_int_equal(o.ports[0], 2222);
        assert_int_equal(o.ports[1], 22);
        assert_string_equal(o.user, "alice");
        assert_int_equal(o.from.family, AF_INET);
        assert_int_equal(o.from.prefixlen, 24);
        assert_true(o.json);
        assert_true(o.allow_insecure);
        assert_int_equal(o.verbose, 2);
        options_done(&o);

        /* --root / is the running system: not offline, so --confirm is allowed */
        assert_int_equal(PARSE(&o, &error, "--yes", "--confirm", "120", "--root", "/"), 0);
        assert_true(o.yes);
        assert_int_equal(o.confirm_sec, 120);
        assert_null(o.root);
        assert_false(options_offline(&o));
        options_done(&o);

        /* "/./" names the root too */
        assert_int_equal(PARSE(&o, &error, "--root", "/./"), 0);
        assert_null(o.root);
        options_done(&o);

        assert_int_equal(PARSE(&o, &error, "--from", "2001:db8::/32"), 0);
        assert_int_equal(o.from.family, AF_INET6);
        assert_int_equal(o.from.prefixlen, 32);
        options_done(&o);

        assert_int_equal(PARSE(&o, &error, "--from", "192.0.2.7"), 0);
        assert_int_equal(o.from.prefixlen, 32);
        options_done(&o);
}

static void test_subcommands(void **state) {
        struct options o;
        char *error = NULL;

        assert_int_equal(PARSE(&o, &error, "status"), 0);
        assert_int_equal(o.command, COMMAND_STATUS);
        options_done(&o);
        assert_int_equal(PARSE(&o, &error, "rollback", "20261125T101010-1"), 0);
        assert_int_equal(o.command, COMMAND_ROLLBACK);
        assert_string_equal(o.txn_id, "20261125T101010-1");
        options_done(&o);
        assert_int_equal(PARSE(&o, &error, "confirm"), 0);
        assert_int_equal(o.command, COMMAND_CONFIRM);
        assert_null(o.txn_id);
        options_done(&o);
        assert_int_equal(PARSE(&o, &error, "--json", "recover"), 0);
        assert_int_equal(o.command, COMMAND_RECOVER);
        options_done(&o);
        assert_int_equal(PARSE(&o, &error, "--help"), 0);
        assert_int_equal(o.command, COMMAND_HELP);
        options_done(&o);
        assert_int_equal(PARSE(&o, &error, "--version"), 0);
        assert_int_equal(o.command, COMMAND_VERSION);
        options_done(&o);
}

static void test_bad_ports(void **state) {
        EXPECT_ERROR("--port: '70000' is not a port number", "--port", "70000");
        EXPECT_ERROR("--port: '0'", "--port", "0");
        EXPECT_ERROR("--port: 'ssh'", "--port", "ssh");
        EXPECT_ERROR("--port: '22x'", "--port", "22x");
        EXPECT_ERROR("--port: '-1'", "--port=-1");
        EXPECT_ERROR("--port: ''", "--port=");
        EXPECT_ERROR("--port: '99999999999999999999'", "--port", "99999999999999999999");
        EXPECT_ERROR("needs a value", "--port");
}

static void test_bad_values(void **state) {
        EXPECT_ERROR("--from: '192.0.2.0/33'", "--from", "192.0.2.0/33");
        EXPECT_ERROR("--from: '300.1.1.1'", "--from", "300.1.1.1");
        EXPECT_ERROR("--from: 'example.com'", "--from", "example.com");
        EXPECT_ERROR("--from: '192.0.2.5/24' has bits set", "--from", "192.0.2.5/24");
        EXPECT_ERROR("--from: '2001:db8::1/32' has bits set", "--from", "2001:db8::1/32");
        EXPECT_ERROR("--from: '192.0.2.0/'", "--from", "192.0.2.0/");
        EXPECT_ERROR("--user: 'al ice'", "--user", "al ice");
        EXPECT_ERROR("--user: '-rf'", "--user=-rf");
        EXPECT_ERROR("--user: ''", "--user=");
        EXPECT_ERROR("--root: '/nonexistent/x'", "--root", "/nonexistent/x");
        EXPECT_ERROR("--root: '/etc/passwd' is not a directory", "--root", "/etc/passwd");
        EXPECT_ERROR("--root: '/proc/self' has no etc/ directory", "--root", "/proc/self");
        {
                char tree[] = "/tmp/test-cli-root.XXXXXX";
                char etc[sizeof tree + 4];
                struct options o;
                _cleanup_free_ char *error = NULL;

                assert_non_null(mkdtemp(tree));
                snprintf(etc, sizeof etc, "%s/etc", tree);
                assert_int_equal(mkdir(etc, 0755), 0);
                assert_int_equal(PARSE(&o, &error, "--dry-run", "--root", tree), 0);
                assert_true(options_offline(&o));
                assert_string_equal(o.root, tree);
                options_done(&o);
                EXPECT_ERROR("cannot be combined with --root", "--root", tree, "--confirm", "60");
                assert_int_equal(rmdir(etc), 0);
                assert_int_equal(rmdir(tree), 0);
        }
        EXPECT_ERROR("--confirm: 'soon'", "--confirm", "soon");
        EXPECT_ERROR("--confirm: '0'", "--confirm", "0");
        EXPECT_ERROR("cannot be combined with --dry-run", "--dry-run", "--confirm", "60");
        EXPECT_ERROR("unknown option '--frobnicate'", "--frobnicate");
        EXPECT_ERROR("unknown command 'fix'", "fix");
        EXPECT_ERROR("status: unexpected argument 'now'", "status", "now");
        EXPECT_ERROR("rollback: unexpected argument 'b'", "rollback", "a", "b");
        EXPECT_ERROR("status: takes only", "--dry-run", "status");
}

static void test_cidr(void **state) {
        struct cidr c;
        char buf[64];

        assert_int_equal(cidr_parse("10.0.0.0/8", &c), 0);
        assert_string_equal(cidr_to_string(&c, buf, sizeof buf), "10.0.0.0/8");
        assert_int_equal(cidr_parse("0.0.0.0/0", &c), 0);
        assert_int_equal(c.prefixlen, 0);
        assert_int_equal(cidr_parse("2001:db8:1::/48", &c), 0);
        assert_string_equal(cidr_to_string(&c, buf, sizeof buf), "2001:db8:1::/48");
        assert_int_equal(cidr_parse("2001:db8:1::1/47", &c), -EDOM);
        assert_int_equal(cidr_parse("/24", &c), -EINVAL);
        assert_int_equal(cidr_parse("192.0.2.0/+8", &c), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),   cmocka_unit_test(test_good_options),
                cmocka_unit_test(test_subcommands), cmocka_unit_test(test_bad_ports),
                cmocka_unit_test(test_bad_values), cmocka_unit_test(test_cidr),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
