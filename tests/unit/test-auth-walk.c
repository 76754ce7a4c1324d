#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth-walk.h"
#include "util/strv.h"

/* A fixture tree: ROOT/home/alice/.ssh/authorized_keys, modes as sshd wants them. */
static char *tree(void) {
        char tmpl[] = "/tmp/sshrepair-walk-XXXXXX";
        char *root = strdup(mkdtemp(tmpl)), *p;

        assert_non_null(root);
        assert_int_equal(chmod(root, 0755), 0);
        p = strprintf("%s/home", root);
        assert_int_equal(mkdir(p, 0755), 0);
        free(p);
        p = strprintf("%s/home/alice", root);
        assert_int_equal(mkdir(p, 0750), 0);
        free(p);
        p = strprintf("%s/home/alice/.ssh", root);
        assert_int_equal(mkdir(p, 0700), 0);
        free(p);
        p = strprintf("%s/home/alice/.ssh/authorized_keys", root);
        close(creat(p, 0600));
        free(p);
        return root;
}

static const struct auth_path *find(const struct auth_path *l, size_t n, const char *root, const char *rel) {
        _cleanup_free_ char *want = strprintf("%s%s", root, rel);

        for (size_t i = 0; i < n; i++)
                if (streq(l[i].path, want))
                        return &l[i];
        fail_msg("no entry %s", want);
        return NULL;
}

static size_t count_bad(const struct auth_path *l, size_t n) {
        size_t bad = 0;

        for (size_t i = 0; i < n; i++)
                bad += l[i].bad_mode || l[i].bad_owner;
        return bad;
}

static void test_good_tree(void **state) {
        _cleanup_free_ char *root = tree(), *home = strprintf("%s/home/alice", root),
                            *file = strprintf("%s/.ssh/authorized_keys", home);
        struct auth_path *l;
        size_t n;

        assert_int_equal(auth_walk(file, home, getuid(), false, &l, &n), 0);
        /* the file, .ssh, and the home directory, where the walk stops */
        assert_int_equal(n, 3);
        assert_true(l[0].exists);
        assert_false(l[0].is_dir);
        assert_int_equal(l[0].mode, 0600);
        assert_string_equal(l[2].path, home);
        assert_true(l[2].in_home);
        assert_int_equal(count_bad(l, n), 0);
        auth_paths_free(l, n);
}

static void test_writable_dirs(void **state) {
        _cleanup_free_ char *root = tree(), *home = strprintf("%s/home/alice", root),
                            *ssh = strprintf("%s/.ssh", home), *file = strprintf("%s/authorized_keys", ssh);
        struct auth_path *l;
        size_t n;

        assert_int_equal(chmod(ssh, 0777), 0);
        assert_int_equal(chmod(home, 0770), 0);
        assert_int_equal(chmod(file, 0644), 0); /* readable by others is fine */
        assert_int_equal(auth_walk(file, home, getuid(), false, &l, &n), 0);
        assert_false(find(l, n, root, "/home/alice/.ssh/authorized_keys")->bad_mode);
        assert_true(find(l, n, root, "/home/alice/.ssh")->bad_mode);
        assert_true(find(l, n, root, "/home/alice")->bad_mode);
        auth_paths_free(l, n);
}

static void test_owner(void **state) {
        _cleanup_free_ char *root = tree(), *home = strprintf("%s/home/alice", root),
                            *file = strprintf("%s/.ssh/authorized_keys", home);
        struct auth_path *l;
        size_t n;

        /* as seen by another user (uid 4242): everything owned by us is someone else's */
        if (getuid() != 0)
                skip();
        assert_int_equal(chown(file, 4343, 4343), 0);
        assert_int_equal(auth_walk(file, home, 4242, false, &l, &n), 0);
        assert_true(l[0].bad_owner);
        assert_false(find(l, n, root, "/home/alice/.ssh")->bad_owner); /* root-owned is fine */
        auth_paths_free(l, n);
}

static void test_outside_home_walks_to_root(void **state) {
        _cleanup_free_ char *root = tree(), *home = strprintf("%s/home/alice", root),
                            *keys = strprintf("%s/etc-ssh-keys", root), *file = strprintf("%s/alice", keys);
        struct auth_path *l;
        size_t n;

        assert_int_equal(mkdir(keys, 0755), 0);
        assert_int_equal(chmod(keys, 0757), 0); /* past the umask */
        close(creat(file, 0600));
        assert_int_equal(auth_walk(file, home, getuid(), false, &l, &n), 0);
        assert_string_equal(l[n - 1].path, "/");
        assert_false(l[0].in_home);
        assert_true(find(l, n, root, "/etc-ssh-keys")->bad_mode);
        auth_paths_free(l, n);
}

static void test_missing_and_symlink(void **state) {
        _cleanup_free_ char *root = tree(), *home = strprintf("%s/home/alice", root),
                            *file = strprintf("%s/.ssh/authorized_keys", home),
                            *missing = strprintf("%s/.ssh/nothing/here", home),
                            *target = strprintf("%s/real_keys", root), *link = strprintf("%s/.ssh/linked", home);
        struct auth_path *l;
        size_t n;

        assert_int_equal(auth_walk(missing, home, getuid(), false, &l, &n), 0);
        assert_false(l[0].exists);
        assert_string_equal(l[1].path + strlen(root), "/home/alice/.ssh");
        auth_paths_free(l, n);

        /* a symlink is checked where it points, as sshd does (realpath first) */
        close(creat(target, 0600));
        assert_int_equal(chmod(target, 0666), 0);
        assert_int_equal(symlink(target, link), 0);
        assert_int_equal(auth_walk(link, home, getuid(), false, &l, &n), 0);
        assert_string_equal(l[0].path, target);
        assert_true(l[0].bad_mode);
        assert_false(l[0].in_home);
        auth_paths_free(l, n);
        (void) file;
}

static void test_nested_home(void **state) {
        /* a home inside another user's writable directory: the walk stops at the home, so
         * what is above it does not count */
        _cleanup_free_ char *root = tree(), *home = strprintf("%s/home/alice", root), *up = strprintf("%s/home", root),
                            *file = strprintf("%s/.ssh/authorized_keys", home);
        struct auth_path *l;
        size_t n;

        assert_int_equal(chmod(up, 0777), 0);
        assert_int_equal(auth_walk(file, home, getuid(), false, &l, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(count_bad(l, n), 0);
        auth_paths_free(l, n);
}

static void test_expand(void **state) {
        _cleanup_free_ char *a = auth_expand_keyfile(".ssh/authorized_keys", "alice", 1000, "/home/alice"),
                            *b = auth_expand_keyfile("/etc/ssh/keys/%u", "alice", 1000, "/home/alice"),
                            *c = auth_expand_keyfile("%h/.ssh/k_%U_%%", "alice", 1000, "/home/alice"),
                            *d = auth_expand_keyfile("/x/%z", "alice", 1000, "/home/alice");

        assert_string_equal(a, "/home/alice/.ssh/authorized_keys");
        assert_string_equal(b, "/etc/ssh/keys/alice");
        assert_string_equal(c, "/home/alice/.ssh/k_1000_%");
        assert_null(d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good_tree),     cmocka_unit_test(test_writable_dirs),
                cmocka_unit_test(test_owner),         cmocka_unit_test(test_outside_home_walks_to_root),
                cmocka_unit_test(test_missing_and_symlink), cmocka_unit_test(test_nested_home),
                cmocka_unit_test(test_expand),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
