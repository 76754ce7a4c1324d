#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>

#include "auth/auth-walk.h"
#include "lib/fixtures.h"
#include "plans/plans.h"

static void add_walk(struct facts *f, const char *pattern, const char *file, bool exists, mode_t file_mode,
                     uid_t file_uid, mode_t ssh_mode, mode_t home_mode) {
        struct auth_facts *a = &f->auth;
        struct auth_keyfile *k;

        a->keyfiles = realloc(a->keyfiles, sizeof(*k) * (a->n_keyfiles + 1));
        k = &a->keyfiles[a->n_keyfiles++];
        *k = (struct auth_keyfile) { .pattern = strdup(pattern), .path = strdup(file), .n_walk = 3 };
        k->walk = calloc(3, sizeof(*k->walk));
        k->walk[0] = (struct auth_path) { .path = strdup(file), .exists = exists, .uid = file_uid, .gid = 1000,
                                          .mode = file_mode, .in_home = true,
                                          .bad_owner = exists && file_uid != 0 && file_uid != 1000,
                                          .bad_mode = exists && (file_mode & 022) };
        k->walk[1] = (struct auth_path) { .path = strdup("/home/alice/.ssh"), .exists = true, .is_dir = true,
                                          .uid = 1000, .gid = 1000, .mode = ssh_mode, .in_home = true,
                                          .bad_mode = (ssh_mode & 022) != 0 };
        k->walk[2] = (struct auth_path) { .path = strdup("/home/alice"), .exists = true, .is_dir = true, .uid = 1000,
                                          .gid = 1000, .mode = home_mode, .in_home = true,
                                          .bad_mode = (home_mode & 022) != 0 };
}

static void setup_user(struct facts *f) {
        fixture_healthy(f);
        f->auth = (struct auth_facts) { .hostkeys_known = true, .user_known = true, .uid = 1000, .gid = 1000,
                                        .strict_modes = true, .shadow_known = true };
        strv_extend(&f->auth.hostkeys_present, "/etc/ssh/ssh_host_ed25519_key");
        f->auth.user = strdup("alice");
        f->auth.home = strdup("/home/alice");
        f->auth.shell = strdup("/bin/bash");
}

static struct plan build(const struct facts *f) {
        struct options o = fixture_options();
        struct plan p;

        o.user = (char *) "alice";
        assert_int_equal(plan_build(f, &o, &p), 0);
        return p;
}

static const struct step *find_step(const struct plan *p, const char *op, const char *path) {
        for (size_t i = 0; i < p->n_steps; i++)
                if (streq(p->steps[i].operation, op) && streq(p->steps[i].args[0], path))
                        return &p->steps[i];
        return NULL;
}

static void test_good(void **state) {
        struct facts f;
        struct plan p;

        setup_user(&f);
        add_walk(&f, ".ssh/authorized_keys", "/home/alice/.ssh/authorized_keys", true, 0600, 1000, 0700, 0755);
        p = build(&f);
        assert_int_equal(p.n_faults, 0);
        plan_done(&p);
        facts_done(&f);
}

static void test_perms_and_owner(void **state) {
        struct facts f;
        struct plan p;
        const struct step *s;

        setup_user(&f);
        add_walk(&f, ".ssh/authorized_keys", "/home/alice/.ssh/authorized_keys", true, 0666, 1001, 0777, 0775);
        /* the second file's walk repeats .ssh and the home: planned once */
        add_walk(&f, ".ssh/authorized_keys2", "/home/alice/.ssh/authorized_keys2", false, 0, 0, 0777, 0775);
        p = build(&f);

        s = find_step(&p, "chown", "/home/alice/.ssh/authorized_keys");
        assert_non_null(s);
        assert_string_equal(s->command, "chown 1000:1000 /home/alice/.ssh/authorized_keys");
        assert_string_equal(s->undo, "chown 1001:1000 /home/alice/.ssh/authorized_keys");
        assert_string_equal(s->args[1], "1000");
        s = find_step(&p, "chmod", "/home/alice/.ssh/authorized_keys");
        assert_non_null(s);
        assert_string_equal(s->args[1], "0644");
        assert_string_equal(s->undo, "chmod 0666 /home/alice/.ssh/authorized_keys");
        s = find_step(&p, "chmod", "/home/alice/.ssh");
        assert_string_equal(s->args[1], "0755");
        assert_string_equal(s->command, "chmod go-w /home/alice/.ssh");
        assert_string_equal(find_step(&p, "chmod", "/home/alice")->args[1], "0755");
        assert_int_equal(p.n_steps, 4);
        assert_non_null(plan_find_fault(&p, "auth.keyfile-owner"));
        assert_non_null(plan_find_fault(&p, "auth.keyfile-perms"));
        plan_done(&p);
        facts_done(&f);
}

static void test_owner_outside_home(void **state) {
        struct facts f;
        struct plan p;

        setup_user(&f);
        add_walk(&f, "/etc/ssh/keys/%u", "/etc/ssh/keys/alice", true, 0600, 1000, 0700, 0755);
        f.auth.keyfiles[0].walk[1].in_home = false;
        f.auth.keyfiles[0].walk[1].uid = 1001;
        f.auth.keyfiles[0].walk[1].bad_owner = true;
        free(f.auth.keyfiles[0].walk[1].path);
        f.auth.keyfiles[0].walk[1].path = strdup("/etc/ssh/keys");
        p = build(&f);
        assert_int_equal(plan_find_fault(&p, "auth.keyfile-owner")->remedy, REMEDY_NEEDS_PERSON);
        assert_null(find_step(&p, "chown", "/etc/ssh/keys"));
        plan_done(&p);
        facts_done(&f);
}

static void test_missing_keys_and_account(void **state) {
        struct facts f;
        struct plan p;

        setup_user(&f);
        add_walk(&f, ".ssh/authorized_keys", "/home/alice/.ssh/authorized_keys", false, 0, 0, 0700, 0755);
        free(f.auth.shell);
        f.auth.shell = strdup("/usr/sbin/nologin");
        f.auth.shell_refuses = true;
        f.auth.account_expired = true;
        p = build(&f);
        assert_int_equal(plan_find_fault(&p, "auth.keyfile-missing")->remedy, REMEDY_NEEDS_PERSON);
        assert_non_null(strstr(plan_find_fault(&p, "auth.shell-nologin")->advice, "usermod -s /bin/bash alice"));
        assert_non_null(strstr(plan_find_fault(&p, "auth.account-expired")->advice, "chage -E -1 alice"));
        /* nothing is changed for any of these */
        assert_int_equal(p.n_steps, 0);
        assert_true(plan_has_unfixable(&p));
        plan_done(&p);
        facts_done(&f);
}

static void test_hostkeys(void **state) {
        struct facts f;
        struct plan p;
        struct options o = fixture_options();

        fixture_healthy(&f);
        f.auth.hostkeys_known = true;
        strv_extend(&f.auth.hostkeys_missing, "/etc/ssh/ssh_host_ed25519_key");
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(plan_find_fault(&p, "sshd.hostkeys-missing")->remedy, REMEDY_AUTO);
        assert_string_equal(p.steps[0].command, "ssh-keygen -A");
        plan_done(&p);

        /* one key is enough for sshd */
        strv_extend(&f.auth.hostkeys_present, "/etc/ssh/ssh_host_rsa_key");
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_null(plan_find_fault(&p, "sshd.hostkeys-missing"));
        plan_done(&p);
        facts_done(&f);
}

static void test_user_missing(void **state) {
        struct facts f;
        struct plan p;

        setup_user(&f);
        f.auth.user_missing = true;
        p = build(&f);
        assert_int_equal(plan_find_fault(&p, "auth.user-missing")->remedy, REMEDY_NEEDS_PERSON);
        plan_done(&p);
        facts_done(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good),
                cmocka_unit_test(test_perms_and_owner),
                cmocka_unit_test(test_owner_outside_home),
                cmocka_unit_test(test_missing_keys_and_account),
                cmocka_unit_test(test_hostkeys),
                cmocka_unit_test(test_user_missing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
