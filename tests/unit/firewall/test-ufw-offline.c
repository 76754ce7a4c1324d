/* ufw offline (--root DIR): a tree with real ufw files (written by ufw 0.36.2 of Debian 12,
 * tests/data/firewall/ufw/offline), probed, planned, edited through the backend and through
 * the sed commands the plan shows, and restored from the snapshot. The expected files are
 * what ufw itself wrote for the same change. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "backend.h"
#include "fw-fixtures.h"
#include "plans/firewall.h"
#include "test-ufw-tree.h"
#include "ufw-edit.h"
#include "ufw-rules.h"

static char *fixture(const char *name) {
        _cleanup_free_ char *rel = strprintf("ufw/offline/%s", name);
        char *t;

        assert_non_null(rel);
        t = fw_read_fixture(rel);
        assert_non_null(t);
        return t;
}

/* A Debian tree with ufw installed, ENABLED=yes, ufw.service enabled (unless !unit), and the
 * rule files of fixture 'rules'. The files get an old mtime, to see it restored. */
static char *ufw_tree(const char *rules, bool unit) {
        _cleanup_free_ char *conf = fixture("ufw.conf"), *defaults = fixture("default-ufw"), *v4 = NULL, *v6 = NULL,
                            *n4 = strprintf("%s/user.rules", rules), *n6 = strprintf("%s/user6.rules", rules);
        char *dir = tree_new();

        v4 = fixture(n4);
        v6 = fixture(n6);
        tree_write(dir, "etc/ufw/ufw.conf", conf, 0644);
        tree_write(dir, "etc/default/ufw", defaults, 0644);
        tree_write(dir, "etc/ufw/user.rules", v4, 0640);
        tree_write(dir, "etc/ufw/user6.rules", v6, 0640);
        tree_write(dir, "usr/sbin/ufw", "#!/usr/bin/python3\n", 0755);
        tree_write(dir, "lib/systemd/system/ufw.service", "[Install]\nWantedBy=multi-user.target\n", 0644);
        if (unit)
                tree_symlink(dir, "etc/systemd/system/multi-user.target.wants/ufw.service",
                             "/lib/systemd/system/ufw.service");
        for (int fam = 0; fam < 2; fam++) {
                _cleanup_free_ char *p = strprintf("%s/etc/ufw/user%s.rules", dir, fam ? "6" : "");
                struct timespec ts[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000, .tv_nsec = 5 } };
                assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
        }
        return dir;
}

static struct options tree_options(const char *dir) {
        struct options o = fixture_options();

        o.root = strdup(dir);
        return o;
}

static void probe_and_plan(const struct options *o, struct facts *f, struct plan *p) {
        *f = (struct facts) {};
        assert_int_equal(backend_ufw.probe(o, f), 0);
        assert_true(f->fw.known);
        *p = (struct plan) {};
        assert_int_equal(plan_ufw(f, o, p), 0);
}

static void expect_files(const char *dir, const char *fixture_dir) {
        for (int fam = 0; fam < 2; fam++) {
                _cleanup_free_ char *rel = strprintf("etc/ufw/user%s.rules", fam ? "6" : ""),
                                    *name = strprintf("%s/user%s.rules", fixture_dir, fam ? "6" : ""),
                                    *want = fixture(name), *have = tree_read(dir, rel);
                assert_non_null(have);
                assert_string_equal(have, want);
        }
}

static void run_shell(const char *cmd) {
        pid_t pid = fork();
        int status;

        assert_true(pid >= 0);
        if (pid == 0) {
                execl("/bin/sh", "sh", "-c", cmd, (char *) NULL);
                _exit(127);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Applies the plan through the backend, checks the result, restores the snapshot, then runs
 * the commands the plan shows and checks that they give the same files. */
static void apply_both_ways(const struct options *o, const char *dir, const struct plan *p, const char *want) {
        _cleanup_free_ char *snap = NULL, *again = NULL, *orig4 = tree_read(dir, "etc/ufw/user.rules"),
                            *orig6 = tree_read(dir, "etc/ufw/user6.rules"), *path = strprintf("%s/etc/ufw/user.rules", dir);
        struct stat st;

        assert_int_equal(backend_ufw.snapshot(o, p, &snap), 0);
        assert_non_null(snap);
        for (size_t i = 0; i < p->n_steps; i++)
                assert_int_equal(backend_ufw.apply(o, &p->steps[i], NULL), 0);
        expect_files(dir, want);
        /* applied again: nothing changes */
        for (size_t i = 0; i < p->n_steps; i++)
                assert_int_equal(backend_ufw.apply(o, &p->steps[i], NULL), 0);
        expect_files(dir, want);

        assert_int_equal(backend_ufw.restore(o, snap), 0);
        assert_int_equal(backend_ufw.snapshot(o, p, &again), 0);
        assert_string_equal(again, snap);
        {
                _cleanup_free_ char *now4 = tree_read(dir, "etc/ufw/user.rules"), *now6 = tree_read(dir, "etc/ufw/user6.rules");
                assert_string_equal(now4, orig4);
                assert_string_equal(now6, orig6);
        }
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mtim.tv_sec, 1000000000);
        assert_int_equal(st.st_mtim.tv_nsec, 5);
        assert_int_equal(st.st_mode & 07777, 0640);

        if (access("/bin/sed", X_OK) == 0 || access("/usr/bin/sed", X_OK) == 0) {
                for (size_t i = 0; i < p->n_steps; i++)
                        run_shell(p->steps[i].command);
                expect_files(dir, want);
        }
}

static void test_text_edits(void **state) {
        _cleanup_free_ char *v4 = fixture("deny-22-23/user.rules"), *want = fixture("deny-22-23-deleted/user.rules"),
                            *range = fixture("range/user6.rules"), *range_want = fixture("range-allowed/user6.rules"),
                            *tmpl = fixture("empty/user6.rules"), *out = NULL, *out2 = NULL, *out3 = NULL;
        struct fw_facts fw = {};

        assert_int_equal(ufw_text_delete(v4, "### tuple ### deny tcp 22 0.0.0.0/0 any 0.0.0.0/0 in", &out), 0);
        assert_string_equal(out, want);
        /* a tuple line is matched whole */
        assert_int_equal(ufw_text_delete(v4, "### tuple ### deny tcp 2 0.0.0.0/0 any 0.0.0.0/0", &out2), -ENOENT);
        assert_null(out2);

        assert_int_equal(ufw_text_insert(range, "### tuple ### allow tcp 22 ::/0 any ::/0 in",
                                         "-A ufw6-user-input -p tcp --dport 22 -j ACCEPT", &out2),
                         0);
        assert_string_equal(out2, range_want);

        /* the packaged user6.rules: "### RULES ###" right before COMMIT */
        free(out);
        out = NULL;
        assert_true(ufw_text_has_marker(tmpl));
        assert_int_equal(ufw_text_insert(tmpl, "### tuple ### allow tcp 22 ::/0 any ::/0 in",
                                         "-A ufw6-user-input -p tcp --dport 22 -j ACCEPT", &out),
                         0);
        assert_non_null(strstr(out, "### RULES ###\n\n### tuple ### allow tcp 22 ::/0 any ::/0 in\n"
                                    "-A ufw6-user-input -p tcp --dport 22 -j ACCEPT\nCOMMIT\n"));
        free(out);
        out = NULL;
        /* a file without that line: the rule goes before COMMIT */
        assert_false(ufw_text_has_marker(":ufw6-user-input - [0:0]\nCOMMIT\n"));
        assert_int_equal(ufw_text_insert(":ufw6-user-input - [0:0]\nCOMMIT\n", "### tuple ### allow tcp 22 ::/0 any ::/0 in",
                                         "-A ufw6-user-input -p tcp --dport 22 -j ACCEPT", &out3),
                         0);
        assert_non_null(strstr(out3, "\n\n### tuple ### allow tcp 22 ::/0 any ::/0 in\n"
                                     "-A ufw6-user-input -p tcp --dport 22 -j ACCEPT\nCOMMIT\n"));
        assert_int_equal(ufw_parse_rules(&fw.ufw, out3, AF_INET6), 0);
        assert_int_equal(fw.ufw.n_rules, 1);
        assert_string_equal(fw.ufw.rules[0].action, "allow");
        free(out);
        out = NULL;
        assert_int_equal(ufw_text_insert("*filter\n", "x", "y", &out), -EBADMSG);
        fw_facts_done(&fw);
}

/* ENABLED=yes, "deny 22/tcp" and "deny 23/tcp", default deny incoming: both denies of 22 go,
 * an allow for 22 comes first, 23 stays denied; the files equal what ufw wrote. */
static void test_deny_22_23(void **state) {
        char *dir = ufw_tree("deny-22-23", true);
        struct options o = tree_options(dir);
        struct facts f;
        struct plan p;

        probe_and_plan(&o, &f, &p);
        assert_true(f.fw.ufw.installed && f.fw.ufw.enabled && f.fw.ufw.active && f.fw.ufw.writable);
        assert_true(f.fw.ufw.marker[0] && f.fw.ufw.marker[1]);
        assert_int_equal(f.fw.ufw.n_rules, 4);
        assert_non_null(fw_find_fault(&p, "firewall.ufw.deny"));
        assert_int_equal(p.n_steps, 4);
        /* highest number first; v6 rule [3] is user6.rules' first */
        assert_string_equal(p.steps[0].operation, "edit-delete");
        assert_string_equal(p.steps[0].args[0], "/etc/ufw/user6.rules");
        assert_string_equal(p.steps[0].args[1], "### tuple ### deny tcp 22 ::/0 any ::/0 in");
        assert_string_equal(p.steps[1].args[0], "/etc/ufw/user.rules");
        assert_string_equal(p.steps[2].operation, "edit-insert");
        assert_string_equal(p.steps[2].args[1], "### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in");
        assert_string_equal(p.steps[2].args[2], "-A ufw-user-input -p tcp --dport 22 -j ACCEPT");
        assert_string_equal(p.steps[3].args[2], "-A ufw6-user-input -p tcp --dport 22 -j ACCEPT");
        for (size_t i = 0; i < p.n_steps; i++) {
                assert_string_equal(p.steps[i].backend, "ufw");
                /* no ufw command for a tree: a sed on the tree's file */
                assert_true(strncmp(p.steps[i].command, "sed -i '", 8) == 0);
                assert_non_null(strstr(p.steps[i].command, dir));
        }
        {
                _cleanup_free_ char *want = strprintf("sed -i '/^### tuple ### deny tcp 22 0\\.0\\.0\\.0\\/0 any "
                                                      "0\\.0\\.0\\.0\\/0 in$/,/^$/d' %s/etc/ufw/user.rules", dir);
                assert_string_equal(p.steps[1].command, want);
        }
        apply_both_ways(&o, dir, &p, "deny-22-23-repaired");

        /* probed again after the repair: nothing left to do */
        {
                struct facts f2;
                struct plan p2;

                for (size_t i = 0; i < p.n_steps; i++)
                        assert_int_equal(backend_ufw.apply(&o, &p.steps[i], NULL), 0);
                probe_and_plan(&o, &f2, &p2);
                assert_int_equal(p2.n_faults, 0);
                /* 23 is still denied: [1] allow 22, [2] deny 23 */
                assert_string_equal(f2.fw.ufw.rules[1].dport, "23");
                assert_string_equal(f2.fw.ufw.rules[1].action, "deny");
                plan_done(&p2);
                facts_done(&f2);
        }
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
        tree_remove(dir);
}

static void test_range(void **state) {
        char *dir = ufw_tree("range", true);
        struct options o = tree_options(dir);
        struct facts f;
        struct plan p;

        probe_and_plan(&o, &f, &p);
        assert_int_equal(p.n_steps, 2);
        assert_string_equal(p.steps[0].operation, "edit-insert");
        assert_string_equal(p.steps[1].operation, "edit-insert");
        apply_both_ways(&o, dir, &p, "range-allowed");
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
        tree_remove(dir);
}

static void test_range_from(void **state) {
        char *dir = ufw_tree("range", true);
        struct options o = tree_options(dir);
        struct facts f;
        struct plan p;

        o.from = (struct cidr) { .family = AF_INET, .prefixlen = 24 };
        assert_int_equal(inet_pton(AF_INET, "192.0.2.0", &o.from.addr.in), 1);
        probe_and_plan(&o, &f, &p);
        /* --from names IPv4: user6.rules is left alone */
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].args[2], "-A ufw-user-input -p tcp --dport 22 -s 192.0.2.0/24 -j ACCEPT");
        apply_both_ways(&o, dir, &p, "range-from");
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
        tree_remove(dir);
}

/* ENABLED=yes but ufw.service not enabled: nothing loads the rules at boot. */
static void test_unit_disabled(void **state) {
        char *dir = ufw_tree("deny-22-23", false);
        struct options o = tree_options(dir);
        struct facts f;
        struct plan p;

        probe_and_plan(&o, &f, &p);
        assert_true(f.fw.ufw.enabled);
        assert_false(f.fw.ufw.active);
        assert_non_null(f.fw.ufw.unit_note);
        assert_int_equal(p.n_faults, 0);
        assert_non_null(strstr(f.fw.frontends[0], "ufw.service is not enabled"));
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
        tree_remove(dir);
}

/* Offline the ufw program is never run, and an edit never leaves the tree's /etc/ufw. */
static void test_refusals(void **state) {
        char *dir = ufw_tree("deny-22-23", true);
        struct options o = tree_options(dir), live = fixture_options();
        struct step del = { .operation = (char *) "delete",
                            .args = (char *[]) { (char *) "1", (char *) "deny tcp 22 0.0.0.0/0 any 0.0.0.0/0 in", NULL } };
        struct step out = { .operation = (char *) "edit-delete",
                            .args = (char *[]) { (char *) "/etc/ufw/../passwd", (char *) "root", NULL } };
        struct step edit = { .operation = (char *) "edit-delete",
                             .args = (char *[]) { (char *) "/etc/ufw/user.rules", (char *) "x", NULL } };

        assert_int_equal(backend_ufw.apply(&o, &del, NULL), -EINVAL);
        assert_int_equal(backend_ufw.apply(&o, &out, NULL), -EINVAL);
        assert_int_equal(backend_ufw.apply(&live, &edit, NULL), -EINVAL);
        options_done(&o);
        tree_remove(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_text_edits),
                cmocka_unit_test(test_deny_22_23),
                cmocka_unit_test(test_range),
                cmocka_unit_test(test_range_from),
                cmocka_unit_test(test_unit_disabled),
                cmocka_unit_test(test_refusals),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
