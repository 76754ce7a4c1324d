/* Offline rescue (--root DIR) of the service, sshd and account sides, on temporary trees:
 * unit files and their enable links, the sshd configuration read and edited under DIR, the
 * accounts of DIR/etc/passwd, and what is left to a person (sshd not installed). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth-walk.h"
#include "backend.h"
#include "plans/plans.h"
#include "sshd/sshd-config.h"
#include "sshd/sshd-files.h"
#include "sshd/sshd-offline.h"
#include "systemd/systemd-offline.h"
#include "util/strv.h"

#define SSH_SERVICE                                                                                                    \
        "[Unit]\nDescription=OpenBSD Secure Shell server\nConditionPathExists=!/etc/ssh/sshd_not_to_be_run\n\n"        \
        "[Service]\nExecStart=/usr/sbin/sshd -D\n\n[Install]\nWantedBy=multi-user.target\nAlias=sshd.service\n"
#define SSH_SOCKET "[Unit]\nDescription=socket\n\n[Socket]\nListenStream=22\n\n[Install]\nWantedBy=sockets.target\n"

static void write_file(const char *root, const char *path, const char *content, mode_t mode) {
        char *full = strprintf("%s%s", root, path), *cmd = strprintf("mkdir -p \"$(dirname '%s')\"", full);
        FILE *f;

        assert_non_null(full);
        assert_non_null(cmd);
        assert_int_equal(system(cmd), 0);
        f = fopen(full, "we");
        assert_non_null(f);
        fputs(content, f);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(chmod(full, mode), 0);
        free(cmd);
        free(full);
}

static void tree_symlink(const char *root, const char *target, const char *path) {
        char *full = strprintf("%s%s", root, path);

        assert_int_equal(symlink(target, full), 0);
        free(full);
}

/* Ownership as in a real tree; without root the walk only sees other owners, which these
 * tests do not look at. */
static void tree_chown(const char *root, const char *path, uid_t uid, gid_t gid) {
        char *full = strprintf("%s%s", root, path);

        if (chown(full, uid, gid) < 0 && geteuid() == 0)
                fail_msg("chown %s: %m", full);
        free(full);
}

static char *read_link(const char *root, const char *path) {
        char *full = strprintf("%s%s", root, path), buf[4096];
        ssize_t n = readlink(full, buf, sizeof buf - 1);

        free(full);
        if (n < 0)
                return NULL;
        buf[n] = 0;
        return strdup(buf);
}

static bool exists(const char *root, const char *path) {
        char *full = strprintf("%s%s", root, path);
        struct stat st;
        bool r = lstat(full, &st) == 0;

        free(full);
        return r;
}

/* A Debian 12-like tree: systemd, ssh.service disabled, an sshd "binary" that cannot run
 * (a script without an interpreter in the tree), alice in the tree's passwd only. */
static char *make_tree(bool with_sshd) {
        char tmpl[] = "/tmp/sshrepair-offline.XXXXXX";
        char *dir = mkdtemp(tmpl) ? strdup(tmpl) : NULL;

        assert_non_null(dir);
        write_file(dir, "/etc/debian_version", "12.8\n", 0644);
        write_file(dir, "/usr/lib/systemd/systemd", "#!/nonexistent\n", 0755);
        write_file(dir, "/usr/lib/systemd/system/ssh.service", SSH_SERVICE, 0644);
        write_file(dir, "/usr/lib/systemd/system/ssh.socket", SSH_SOCKET, 0644);
        tree_symlink(dir, "usr/lib", "/lib");
        write_file(dir, "/etc/systemd/system/.keep", "", 0644);
        write_file(dir, "/etc/passwd",
                   "root:x:0:0:root:/root:/bin/bash\n"
                   "sshrepair-tree-alice:x:1000:1000::/home/alice:/bin/bash\n"
                   "bob:x:1001:1001::/home/bob:/bin/bash\n",
                   0644);
        write_file(dir, "/etc/group", "root:x:0:\nsshrepair-tree-alice:x:1000:\nbob:x:1001:\nadmins:x:2000:bob\n", 0644);
        write_file(dir, "/etc/shadow", "root:*:19000:0:99999:7:::\nsshrepair-tree-alice:!:19000:0:99999:7:::\n", 0600);
        write_file(dir, "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nUsePAM yes\nAllowUsers bob\n",
                   0644);
        write_file(dir, "/etc/ssh/sshd_config.d/.keep", "", 0644);
        write_file(dir, "/etc/ssh/ssh_host_ed25519_key", "key\n", 0600);
        write_file(dir, "/home/alice/.ssh/authorized_keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI test\n", 0600);
        tree_chown(dir, "/home/alice/.ssh/authorized_keys", 1000, 1000);
        tree_chown(dir, "/home/alice/.ssh", 1000, 1000);
        tree_chown(dir, "/home/alice", 1000, 1000);
        write_file(dir, "/usr/bin/apt-get", "#!/nonexistent\n", 0755);
        if (with_sshd)
                write_file(dir, "/usr/sbin/sshd", "#!/nonexistent\n", 0755);
        return dir;
}

static void remove_tree(char *dir) {
        char *cmd = strprintf("rm -rf '%s'", dir);

        assert_int_equal(system(cmd), 0);
        free(cmd);
        free(dir);
}

static struct options offline(const char *root, const char *user) {
        struct options o = { .command = COMMAND_REPAIR, .n_ports = 1, .ports = { 22 } };

        o.root = strdup(root);
        o.user = user ? strdup(user) : NULL;
        return o;
}

static void probe(const struct options *o, struct facts *f) {
        static const struct backend *const list[] = { &backend_systemd, &backend_sshd, &backend_auth, &backend_net,
                                                      &backend_pkg, NULL };

        *f = (struct facts) {};
        for (const struct backend *const *b = list; *b; b++)
                assert_int_equal((*b)->probe(o, f), 0);
}

static const struct step *find_step(const struct plan *p, const char *backend, const char *op) {
        for (size_t i = 0; i < p->n_steps; i++)
                if (streq(p->steps[i].backend, backend) && streq(p->steps[i].operation, op))
                        return &p->steps[i];
        return NULL;
}

static char *snapshot(const struct options *o, const struct backend *b, const struct plan *p) {
        char *text = NULL;

        assert_int_equal(b->snapshot(o, p, &text), 0);
        assert_non_null(text);
        return text;
}

/* The enable links are the ones `systemctl --root=DIR enable ssh.service` creates on Debian
 * 12 (checked there): absolute, to /lib/systemd/system (its systemd names /lib first). */
static void test_enable_links_as_systemctl(void **state) {
        char *dir = make_tree(true), **links = NULL;

        assert_int_equal(sd_offline_enable_links(dir, "ssh.service", &links), 0);
        assert_int_equal(strv_length(links), 2);
        assert_string_equal(links[0], "/etc/systemd/system/multi-user.target.wants/ssh.service "
                                      "/lib/systemd/system/ssh.service");
        assert_string_equal(links[1], "/etc/systemd/system/sshd.service /lib/systemd/system/ssh.service");
        strv_free(links);
        remove_tree(dir);
}

/* Elsewhere (RHEL, Fedora, and systemd 255+ everywhere) /usr/lib/systemd/system comes
 * first; Also= units are enabled with it, as systemctl does. */
static void test_enable_links_usr_lib_also(void **state) {
        char *dir = make_tree(true), *deb = NULL, **links = NULL;

        deb = strprintf("%s/etc/debian_version", dir);
        assert_int_equal(unlink(deb), 0);
        write_file(dir, "/usr/lib/systemd/system/sshd.service",
                   "[Service]\nExecStart=/usr/sbin/sshd -D\n[Install]\nWantedBy=multi-user.target\n"
                   "RequiredBy=rescue.target\nAlso=sshd-keygen.target\n",
                   0644);
        write_file(dir, "/usr/lib/systemd/system/sshd-keygen.target", "[Install]\nWantedBy=sshd.service\n", 0644);
        assert_int_equal(sd_offline_enable_links(dir, "sshd.service", &links), 0);
        assert_int_equal(strv_length(links), 3);
        assert_string_equal(links[0], "/etc/systemd/system/multi-user.target.wants/sshd.service "
                                      "/usr/lib/systemd/system/sshd.service");
        assert_string_equal(links[1], "/etc/systemd/system/rescue.target.requires/sshd.service "
                                      "/usr/lib/systemd/system/sshd.service");
        assert_string_equal(links[2], "/etc/systemd/system/sshd.service.wants/sshd-keygen.target "
                                      "/usr/lib/systemd/system/sshd-keygen.target");
        assert_int_equal(sd_offline_enable(dir, "sshd.service", NULL), 0);
        char *l = read_link(dir, "/etc/systemd/system/sshd.service.wants/sshd-keygen.target");
        assert_string_equal(l, "/usr/lib/systemd/system/sshd-keygen.target");
        free(l);
        strv_free(links);
        free(deb);
        remove_tree(dir);
}

static void test_service_disabled_enable_restore(void **state) {
        char *dir = make_tree(true), *before, *after, *again, *l1, *l2;
        struct options o = offline(dir, NULL);
        struct facts f;
        struct plan p = {};
        const struct step *s;

        probe(&o, &f);
        assert_true(f.systemd);
        assert_string_equal(f.service.name, "ssh.service");
        assert_string_equal(f.service.unit_file_state, "disabled");
        assert_string_equal(f.service.active_state, "offline");
        assert_false(f.listen_known); /* the host's sockets are not the tree's */
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_non_null(plan_find_fault(&p, "sshd.disabled"));
        assert_null(find_step(&p, "systemd", "start")); /* never offline */
        s = find_step(&p, "systemd", "enable");
        assert_non_null(s);
        l1 = strprintf("systemctl --root=%s enable ssh.service", dir);
        assert_string_equal(s->command, l1);
        free(l1);

        before = snapshot(&o, &backend_systemd, &p);
        assert_non_null(strstr(before, "link /etc/systemd/system/multi-user.target.wants/ssh.service absent"));
        assert_int_equal(backend_systemd.apply(&o, s, NULL), 0);
        assert_int_equal(backend_systemd.apply(&o, s, NULL), 0); /* idempotent */
        l1 = read_link(dir, "/etc/systemd/system/multi-user.target.wants/ssh.service");
        l2 = read_link(dir, "/etc/systemd/system/sshd.service");
        assert_string_equal(l1, "/lib/systemd/system/ssh.service");
        assert_string_equal(l2, "/lib/systemd/system/ssh.service");
        after = snapshot(&o, &backend_systemd, &p);
        assert_string_not_equal(before, after);

        /* and the tree says so now */
        facts_done(&f);
        probe(&o, &f);
        assert_string_equal(f.service.unit_file_state, "enabled");

        assert_int_equal(backend_systemd.restore(&o, before), 0);
        again = snapshot(&o, &backend_systemd, &p);
        assert_string_equal(before, again);
        assert_false(exists(dir, "/etc/systemd/system/sshd.service"));
        assert_false(exists(dir, "/etc/systemd/system/multi-user.target.wants/ssh.service"));

        free(before);
        free(after);
        free(again);
        free(l1);
        free(l2);
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
        remove_tree(dir);
}

static void test_masked_unmask_enable(void **state) {
        char *dir = make_tree(true), *before, *again;
        struct options o = offline(dir, NULL);
        struct facts f;
        struct plan p = {};

        tree_symlink(dir, "/dev/null", "/etc/systemd/system/ssh.service");
        probe(&o, &f);
        assert_string_equal(f.service.load_state, "masked");
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_non_null(plan_find_fault(&p, "sshd.masked"));
        assert_int_equal(p.n_steps, 2);
        assert_string_equal(p.steps[0].operation, "unmask");
        assert_string_equal(p.steps[1].operation, "enable");

        /* the snapshot looks behind the mask: the links enable creates are recorded too */
        before = snapshot(&o, &backend_systemd, &p);
        assert_non_null(strstr(before, "link /etc/systemd/system/ssh.service -> /dev/null"));
        assert_non_null(strstr(before, "link /etc/systemd/system/sshd.service absent"));
        assert_int_equal(backend_systemd.apply(&o, &p.steps[0], NULL), 0);
        assert_false(exists(dir, "/etc/systemd/system/ssh.service"));
        assert_int_equal(backend_systemd.apply(&o, &p.steps[1], NULL), 0);
        assert_true(exists(dir, "/etc/systemd/system/multi-user.target.wants/ssh.service"));

        assert_int_equal(backend_systemd.restore(&o, before), 0);
        again = snapshot(&o, &backend_systemd, &p);
        assert_string_equal(before, again);
        char *l = read_link(dir, "/etc/systemd/system/ssh.service");
        assert_string_equal(l, "/dev/null");

        free(l);
        free(before);
        free(again);
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
        remove_tree(dir);
}

static void test_not_to_be_run(void **state) {
        char *dir = make_tree(true), *before, *again;
        struct options o = offline(dir, NULL);
        struct facts f;
        struct plan p = {};
        const struct step *s;

        write_file(dir, "/etc/ssh/sshd_not_to_be_run", "", 0644);
        probe(&o, &f);
        assert_string_equal(f.service_blocked_by, "/etc/ssh/sshd_not_to_be_run");
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_non_null(plan_find_fault(&p, "sshd.not-to-be-run"));
        s = find_step(&p, "systemd", "remove-file");
        assert_non_null(s);
        before = snapshot(&o, &backend_systemd, &p);
        assert_int_equal(backend_systemd.apply(&o, s, NULL), 0);
        assert_false(exists(dir, "/etc/ssh/sshd_not_to_be_run"));
        assert_int_equal(backend_systemd.restore(&o, before), 0);
        assert_true(exists(dir, "/etc/ssh/sshd_not_to_be_run"));
        again = snapshot(&o, &backend_systemd, &p);
        assert_string_equal(before, again);

        free(before);
        free(again);
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
        remove_tree(dir);
}

/* AllowUsers bob shuts out alice: the plan adds her, with the tree's path in the command;
 * the edit lands in the tree's file, and the rollback brings it back byte for byte. */
static void test_allow_users_offline(void **state) {
        char *dir = make_tree(true), *before, *again, *data = NULL, *path, *cmd;
        struct options o = offline(dir, "sshrepair-tree-alice");
        _cleanup_strv_free_ char **details = NULL;
        struct facts f;
        struct plan p = {};
        const struct step *s;
        size_t len;

        probe(&o, &f);
        assert_string_equal(f.sshd_path, "/usr/sbin/sshd");
        assert_true(f.sshd_config.user_effective_known);
        assert_true(f.sshd_config.user_exists);
        assert_true(f.sshd_config.user_has_keys);
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_non_null(plan_find_fault(&p, "sshd.user-denied"));
        s = find_step(&p, "sshd", "list-add");
        assert_non_null(s);
        assert_string_equal(s->args[0], "/etc/ssh/sshd_config");
        cmd = strprintf("in %s/etc/ssh/sshd_config line 3: add 'sshrepair-tree-alice' to AllowUsers", dir);
        assert_string_equal(s->command, cmd);

        before = snapshot(&o, &backend_sshd, &p);
        assert_int_equal(backend_sshd.apply(&o, s, &details), 0);
        /* the tree's "sshd" cannot run: said, not hidden */
        assert_non_null(details);
        assert_non_null(strstr(details[0], "not validated offline"));
        path = strprintf("%s/etc/ssh/sshd_config", dir);
        assert_int_equal(sshd_file_read(path, &data, &len), 0);
        assert_non_null(strstr(data, "AllowUsers bob sshrepair-tree-alice\n"));
        assert_int_equal(backend_sshd.restore(&o, before), 0);
        again = snapshot(&o, &backend_sshd, &p);
        assert_string_equal(before, again);

        free(cmd);
        free(path);
        free(data);
        free(before);
        free(again);
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
        remove_tree(dir);
}

/* The tree's passwd decides, never this host's: 'root' of the host is not asked for the
 * tree's alice, and a user only the tree has is found, with the tree's uid and home. */
static void test_users_from_tree(void **state) {
        char *dir = make_tree(true);
        struct options o = offline(dir, "sshrepair-tree-alice");
        struct facts f;

        probe(&o, &f);
        assert_true(f.auth.user_known);
        assert_false(f.auth.user_missing);
        assert_int_equal(f.auth.uid, 1000);
        assert_string_equal(f.auth.home, "/home/alice");
        assert_true(f.auth.shadow_known);
        assert_true(f.auth.password_locked);
        assert_true(f.auth.n_keyfiles > 0);
        /* the walk is inside the tree, with the tree's paths, and stops at its / */
        assert_string_equal(f.auth.keyfiles[0].walk[0].path, "/home/alice/.ssh/authorized_keys");
        assert_true(f.auth.keyfiles[0].walk[0].exists);
        assert_string_equal(f.auth.keyfiles[0].walk[f.auth.keyfiles[0].n_walk - 1].path, "/home/alice");
        facts_done(&f);
        options_done(&o);

        /* a user of this host that the tree does not have */
        o = offline(dir, "nobody");
        probe(&o, &f);
        assert_true(f.auth.user_missing);
        assert_false(f.sshd_config.user_exists);
        facts_done(&f);
        options_done(&o);
        remove_tree(dir);
}

/* No sshd in the tree: nothing is installed into it; the advice is the tree's package
 * manager, chrooted, and the fault needs a person (exit 1). */
static void test_not_installed_offline(void **state) {
        char *dir = make_tree(false), *advice;
        struct options o = offline(dir, NULL);
        struct facts f;
        struct plan p = {};
        const struct fault *x;

        probe(&o, &f);
        assert_null(f.sshd_path);
        assert_string_equal(f.pkg.manager, "apt-get");
        assert_int_equal(plan_build(&f, &o, &p), 0);
        x = plan_find_fault(&p, "sshd.not-installed");
        assert_non_null(x);
        assert_int_equal(x->remedy, REMEDY_NEEDS_PERSON);
        advice = strprintf("install it into the tree: 'chroot %s apt-get install openssh-server'", dir);
        assert_string_equal(x->advice, advice);
        assert_null(find_step(&p, "pkg", "install"));
        assert_true(plan_has_unfixable(&p));
        assert_false(plan_has_fixable(&p));

        free(advice);
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
        remove_tree(dir);
}

/* Without the tree's sshd the values are worked out from the lines: first value wins, lists
 * accumulate, an applying Match block beats the global line, defaults as sshd -T prints
 * them, groups from the tree's /etc/group, and what is not evaluated is said. */
static void test_evaluate_without_sshd(void **state) {
        char *dir = make_tree(true);
        struct sshd_config_facts c = {};
        _cleanup_strv_free_ char **notes = NULL;

        write_file(dir, "/etc/ssh/sshd_config",
                   "Port 2222\nPort 22\nPermitRootLogin prohibit-password\nAllowUsers bob\n"
                   "PasswordAuthentication yes\nPasswordAuthentication no\n"
                   "Match User sshrepair-tree-alice,!mallory\n\tAllowUsers sshrepair-tree-alice\n"
                   "\tPasswordAuthentication no\n"
                   "Match Group admins\n\tPubkeyAuthentication no\n"
                   "Match Address 10.0.0.0/8\n\tPermitRootLogin yes\n",
                   0644);
        assert_int_equal(sshd_config_read(dir, "/etc/ssh/sshd_config", &c), 0);
        assert_int_equal(c.n_matches, 3);
        assert_int_equal(sshd_offline_evaluate(dir, "sshrepair-tree-alice", &c, &notes), 0);
        assert_true(c.effective_known);
        assert_true(c.effective_from_files);
        assert_true(c.user_effective_known);

        assert_int_equal(strv_length(c.effective[SSHD_PORT]), 2);
        assert_string_equal(c.effective[SSHD_PORT][0], "2222");
        assert_string_equal(c.effective[SSHD_PORT][1], "22");
        assert_true(strv_contains(c.effective[SSHD_LISTEN_ADDRESS], "0.0.0.0:2222"));
        assert_true(strv_contains(c.effective[SSHD_LISTEN_ADDRESS], "[::]:22"));
        assert_int_equal(strv_length(c.effective[SSHD_LISTEN_ADDRESS]), 4);
        assert_string_equal(c.effective[SSHD_PERMIT_ROOT_LOGIN][0], "without-password");
        assert_string_equal(c.effective[SSHD_PASSWORD_AUTHENTICATION][0], "yes"); /* first wins */
        assert_string_equal(c.effective[SSHD_PUBKEY_AUTHENTICATION][0], "yes");  /* default */
        assert_string_equal(c.effective[SSHD_AUTHORIZED_KEYS_FILE][0], ".ssh/authorized_keys .ssh/authorized_keys2");
        assert_int_equal(strv_length(c.effective[SSHD_ALLOW_USERS]), 1);

        assert_int_equal(c.matches[0].applies, 1);
        assert_int_equal(c.matches[1].applies, 0);
        assert_int_equal(c.matches[2].applies, -1);
        assert_int_equal(strv_length(notes), 1);
        assert_non_null(strstr(notes[0], "Match Address 10.0.0.0/8"));
        assert_string_equal(c.user_effective[SSHD_ALLOW_USERS][0], "sshrepair-tree-alice");
        assert_int_equal(strv_length(c.user_effective[SSHD_ALLOW_USERS]), 1);
        assert_string_equal(c.user_effective[SSHD_PASSWORD_AUTHENTICATION][0], "no");
        assert_string_equal(c.user_effective[SSHD_PUBKEY_AUTHENTICATION][0], "yes");
        sshd_config_facts_done(&c);
        strv_free(notes);
        notes = NULL;

        /* bob is in 'admins' by the tree's /etc/group (this host has no such member) */
        assert_int_equal(sshd_config_read(dir, "/etc/ssh/sshd_config", &c), 0);
        assert_int_equal(sshd_offline_evaluate(dir, "bob", &c, &notes), 0);
        assert_int_equal(c.matches[0].applies, 0);
        assert_int_equal(c.matches[1].applies, 1);
        assert_string_equal(c.user_effective[SSHD_PUBKEY_AUTHENTICATION][0], "no");
        assert_string_equal(c.user_effective[SSHD_ALLOW_USERS][0], "bob");
        sshd_config_facts_done(&c);
        remove_tree(dir);
}

static void test_pattern_list(void **state) {
        assert_int_equal(sshd_pattern_list_matches("alice", "alice"), 1);
        assert_int_equal(sshd_pattern_list_matches("alice", "bob,al*"), 1);
        assert_int_equal(sshd_pattern_list_matches("alice", "*,!alice"), 0);
        assert_int_equal(sshd_pattern_list_matches("alice", "!bob"), 0); /* a negation alone matches nothing */
        assert_int_equal(sshd_pattern_list_matches("alice", "a?ice"), 1);
        assert_int_equal(sshd_pattern_list_matches("alice", "bob"), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_enable_links_as_systemctl),
                cmocka_unit_test(test_enable_links_usr_lib_also),
                cmocka_unit_test(test_service_disabled_enable_restore),
                cmocka_unit_test(test_masked_unmask_enable),
                cmocka_unit_test(test_not_to_be_run),
                cmocka_unit_test(test_allow_users_offline),
                cmocka_unit_test(test_users_from_tree),
                cmocka_unit_test(test_not_installed_offline),
                cmocka_unit_test(test_evaluate_without_sshd),
                cmocka_unit_test(test_pattern_list),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
