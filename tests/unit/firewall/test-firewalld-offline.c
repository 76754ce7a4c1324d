/* firewalld's permanent configuration from its files (offline, --root DIR): zone files as
 * firewalld 1.3 of Debian 12 writes them (tests/data/firewall/firewalld), parsed with
 * libxml2; the plan's zone-file edits applied through the backend and through the commands
 * the plan shows; snapshot and restore, including a zone file that did not exist. */

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
#include "fwd-files.h"
#include "plans/firewall.h"
#include "test-ufw-tree.h"

static char *fixture(const char *name) {
        _cleanup_free_ char *rel = strprintf("firewalld/%s", name);
        char *t;

        assert_non_null(rel);
        t = fw_read_fixture(rel);
        assert_non_null(t);
        return t;
}

/* The packaged public zone without its ssh service. */
static char *usr_lib_public_no_ssh(void) {
        char *t = fixture("usr-lib-public.xml"), *s = strstr(t, "  <service name=\"ssh\"/>\n");

        assert_non_null(s);
        memmove(s, s + strlen("  <service name=\"ssh\"/>\n"), strlen(s + strlen("  <service name=\"ssh\"/>\n")) + 1);
        return t;
}

/* firewalld installed and enabled in a tree; 'etc_zone' (NULL: none) as
 * /etc/firewalld/zones/public.xml, 'lib_zone' as the packaged one. */
static char *fwd_tree(const char *etc_zone, const char *lib_zone, bool enabled) {
        char *dir = tree_new();

        tree_write(dir, "usr/sbin/firewalld", "#!/usr/bin/python3\n", 0755);
        tree_write(dir, "etc/firewalld/firewalld.conf", "# comment\nDefaultZone=public\nCleanupOnExit=yes\n", 0644);
        tree_write(dir, "usr/lib/firewalld/zones/public.xml", lib_zone, 0644);
        tree_mkdirs(dir, "etc/firewalld/zones/x");
        if (etc_zone) {
                _cleanup_free_ char *p = strprintf("%s/etc/firewalld/zones/public.xml", dir);
                struct timespec ts[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000, .tv_nsec = 7 } };

                tree_write(dir, "etc/firewalld/zones/public.xml", etc_zone, 0640);
                assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
        }
        if (enabled)
                tree_symlink(dir, "etc/systemd/system/multi-user.target.wants/firewalld.service",
                             "/lib/systemd/system/firewalld.service");
        return dir;
}

static void probe_and_plan(const struct options *o, struct facts *f, struct plan *p) {
        *f = (struct facts) {};
        assert_int_equal(backend_firewalld.probe(o, f), 0);
        *p = (struct plan) {};
        assert_int_equal(plan_firewalld(f, o, p), 0);
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

static void test_parse(void **state) {
        _cleanup_free_ char *rich = fixture("public-rich-reject.xml"), *drop = fixture("public-no-ssh-drop.xml"),
                            *def = fwd_default_zone("a=b\n  DefaultZone=internal\n"), *none = fwd_default_zone(NULL),
                            *added = NULL;
        struct fwd_zone_xml x = {};

        assert_string_equal(def, "internal");
        assert_string_equal(none, "public");

        assert_int_equal(fwd_zone_xml_parse(rich, strlen(rich), &x), 0);
        assert_string_equal(x.target, "default");
        assert_true(strv_contains(x.services, "ssh"));
        assert_int_equal(strv_length(x.rich), 2);
        /* as `firewall-cmd --list-rich-rules` prints them */
        assert_string_equal(x.rich[0], "rule family=\"ipv4\" source address=\"198.51.100.7\" drop");
        assert_string_equal(x.rich[1], "rule port port=\"22\" protocol=\"tcp\" reject");
        fwd_zone_xml_done(&x);

        assert_int_equal(fwd_zone_xml_parse(drop, strlen(drop), &x), 0);
        assert_string_equal(x.target, "DROP");
        assert_false(strv_contains(x.services, "ssh"));
        fwd_zone_xml_done(&x);

        {
                const char *t = "<zone target=\"%%REJECT%%\"><port port=\"2000-2300\" protocol=\"tcp\"/></zone>";
                assert_int_equal(fwd_zone_xml_parse(t, strlen(t), &x), 0);
        }
        assert_string_equal(x.target, "REJECT");
        assert_string_equal(x.ports[0], "2000-2300/tcp");
        fwd_zone_xml_done(&x);
        assert_int_equal(fwd_zone_xml_parse("<service/>", 10, &x), -EBADMSG);
        assert_int_equal(fwd_zone_xml_parse("<zone>", 6, &x), -EBADMSG);

        assert_true(fwd_zone_text_editable(drop));
        assert_false(fwd_zone_text_editable("<zone><service name=\"x\"/></zone>\n"));
        assert_int_equal(fwd_zone_text_add(drop, "<service name=\"ssh\"/>", &added), 0);
        assert_non_null(strstr(added, "  <forward/>\n  <service name=\"ssh\"/>\n</zone>\n"));
        assert_int_equal(fwd_zone_xml_parse(added, strlen(added), &x), 0);
        assert_true(strv_contains(x.services, "ssh"));
        fwd_zone_xml_done(&x);
}

/* Only the packaged zone, without ssh: a copy goes to /etc/firewalld/zones with the
 * service added; rollback removes it again. */
static void test_builtin_copy(void **state) {
        _cleanup_free_ char *lib = usr_lib_public_no_ssh(), *snap = NULL, *again = NULL, *done = NULL, *by_cmd = NULL,
                            *etc = NULL;
        char *dir = fwd_tree(NULL, lib, true);
        struct options o = fixture_options();
        struct facts f, f2;
        struct plan p, p2;
        struct stat st;

        o.root = strdup(dir);
        etc = strprintf("%s/etc/firewalld/zones/public.xml", dir);
        probe_and_plan(&o, &f, &p);
        assert_true(f.fw.known);
        assert_true(f.fw.firewalld.installed && f.fw.firewalld.enabled && !f.fw.firewalld.running);
        assert_true(f.fw.firewalld.from_files && f.fw.firewalld.writable);
        assert_int_equal(f.fw.firewalld.n_zones, 1);
        assert_true(f.fw.firewalld.zones[0].builtin);
        assert_string_equal(f.fw.firewalld.zones[0].file, "/usr/lib/firewalld/zones/public.xml");
        assert_int_equal(f.fw.firewalld.zones[0].ports[0].permanent, FW_VERDICT_REJECTED);

        assert_int_equal(p.n_faults, 1);
        assert_string_equal(p.faults[0].id, "firewall.firewalld.not-allowed");
        assert_int_equal(p.faults[0].severity, SEVERITY_ERROR);
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].operation, "zone-file-add");
        assert_string_equal(p.steps[0].args[0], "/etc/firewalld/zones/public.xml");
        assert_string_equal(p.steps[0].args[1], "/usr/lib/firewalld/zones/public.xml");
        assert_string_equal(p.steps[0].args[2], "<service name=\"ssh\"/>");
        {
                _cleanup_free_ char *want = strprintf("install -D -m 0644 %s/usr/lib/firewalld/zones/public.xml %s && "
                                                      "sed -i '/^<\\/zone>$/i \\  <service name=\"ssh\"/>' %s",
                                                      dir, etc, etc);
                assert_string_equal(p.steps[0].command, want);
        }

        assert_int_equal(backend_firewalld.snapshot(&o, &p, &snap), 0);
        assert_non_null(strstr(snap, " absent"));
        assert_int_equal(backend_firewalld.apply(&o, &p.steps[0], NULL), 0);
        assert_int_equal(backend_firewalld.apply(&o, &p.steps[0], NULL), 0); /* again: nothing more */
        done = tree_read(dir, "etc/firewalld/zones/public.xml");
        assert_non_null(done);
        assert_int_equal(stat(etc, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        probe_and_plan(&o, &f2, &p2);
        assert_int_equal(f2.fw.firewalld.zones[0].ports[0].permanent, FW_VERDICT_ACCEPTED);
        assert_false(f2.fw.firewalld.zones[0].builtin);
        assert_int_equal(p2.n_faults, 0);
        plan_done(&p2);
        facts_done(&f2);

        assert_int_equal(backend_firewalld.restore(&o, snap), 0);
        assert_int_equal(access(etc, F_OK), -1);
        assert_int_equal(backend_firewalld.snapshot(&o, &p, &again), 0);
        assert_string_equal(again, snap);

        /* the command shown does the same */
        run_shell(p.steps[0].command);
        by_cmd = tree_read(dir, "etc/firewalld/zones/public.xml");
        assert_string_equal(by_cmd, done);

        plan_done(&p);
        facts_done(&f);
        options_done(&o);
        tree_remove(dir);
}

/* An /etc zone with target DROP, port 2222: <port> added in place; mtime and mode restored. */
static void test_etc_port(void **state) {
        _cleanup_free_ char *lib = fixture("usr-lib-public.xml"), *zone = fixture("public-no-ssh-drop.xml"), *snap = NULL,
                            *done = NULL, *restored = NULL, *etc = NULL;
        char *dir = fwd_tree(zone, lib, true);
        struct options o = fixture_options();
        struct facts f;
        struct plan p;
        struct stat st;

        o.root = strdup(dir);
        o.ports[0] = 2222;
        etc = strprintf("%s/etc/firewalld/zones/public.xml", dir);
        probe_and_plan(&o, &f, &p);
        assert_false(f.fw.firewalld.zones[0].builtin);
        assert_string_equal(f.fw.firewalld.zones[0].target, "DROP");
        assert_int_equal(f.fw.firewalld.zones[0].ports[0].permanent, FW_VERDICT_DROPPED);
        /* the drop for one source decides for some clients only */
        assert_int_equal(strv_length(f.fw.firewalld.zones[0].ports[0].notes), 1);
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].args[1], "/etc/firewalld/zones/public.xml");
        assert_string_equal(p.steps[0].args[2], "<port port=\"2222\" protocol=\"tcp\"/>");
        assert_int_equal(strncmp(p.steps[0].command, "sed -i ", 7), 0);

        assert_int_equal(backend_firewalld.snapshot(&o, &p, &snap), 0);
        assert_int_equal(backend_firewalld.apply(&o, &p.steps[0], NULL), 0);
        done = tree_read(dir, "etc/firewalld/zones/public.xml");
        assert_non_null(strstr(done, "  <forward/>\n  <port port=\"2222\" protocol=\"tcp\"/>\n</zone>\n"));
        assert_int_equal(stat(etc, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640); /* kept */
        assert_int_equal(backend_firewalld.restore(&o, snap), 0);
        restored = tree_read(dir, "etc/firewalld/zones/public.xml");
        assert_string_equal(restored, zone);
        assert_int_equal(stat(etc, &st), 0);
        assert_int_equal(st.st_mtim.tv_sec, 1000000000);
        assert_int_equal(st.st_mtim.tv_nsec, 7);

        run_shell(p.steps[0].command);
        free(restored);
        restored = tree_read(dir, "etc/firewalld/zones/public.xml");
        assert_string_equal(restored, done);
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
        tree_remove(dir);
}

/* --from: a rich rule for that source; a reject rich rule for 22: a person decides. */
static void test_from_and_rich(void **state) {
        _cleanup_free_ char *lib = fixture("usr-lib-public.xml"), *zone = fixture("public-no-ssh-drop.xml"),
                            *rich = fixture("public-rich-reject.xml");
        char *dir = fwd_tree(zone, lib, true), *dir2 = fwd_tree(rich, lib, true);
        struct options o = fixture_options();
        struct facts f;
        struct plan p;

        o.root = strdup(dir);
        o.from = (struct cidr) { .family = AF_INET, .prefixlen = 24 };
        assert_int_equal(inet_pton(AF_INET, "192.0.2.0", &o.from.addr.in), 1);
        probe_and_plan(&o, &f, &p);
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].args[2], "<rule family=\"ipv4\"><source address=\"192.0.2.0/24\"/><port "
                                                "port=\"22\" protocol=\"tcp\"/><accept/></rule>");
        assert_int_equal(backend_firewalld.apply(&o, &p.steps[0], NULL), 0);
        plan_done(&p);
        facts_done(&f);
        /* the rich rule is there; a rule for some sources counts as a note only (as live), so
         * the same step comes again, and applying it again changes nothing */
        probe_and_plan(&o, &f, &p);
        assert_int_equal(strv_length(f.fw.firewalld.zones[0].ports[0].notes), 2);
        assert_int_equal(p.n_steps, 1);
        {
                _cleanup_free_ char *before = tree_read(dir, "etc/firewalld/zones/public.xml"), *after = NULL;
                assert_int_equal(backend_firewalld.apply(&o, &p.steps[0], NULL), 0);
                after = tree_read(dir, "etc/firewalld/zones/public.xml");
                assert_string_equal(before, after);
        }
        plan_done(&p);
        facts_done(&f);
        options_done(&o);

        o = fixture_options();
        o.root = strdup(dir2);
        probe_and_plan(&o, &f, &p);
        assert_non_null(fw_find_fault(&p, "firewall.firewalld.rich-reject"));
        assert_int_equal(fw_find_fault(&p, "firewall.firewalld.rich-reject")->remedy, REMEDY_NEEDS_PERSON);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
        tree_remove(dir);
        tree_remove(dir2);
}

/* Disabled in the tree: it does not start at boot, nothing to say about its zones. And the
 * bus steps of a running firewalld are refused for a tree. */
static void test_disabled_and_refusals(void **state) {
        _cleanup_free_ char *lib = usr_lib_public_no_ssh();
        char *dir = fwd_tree(NULL, lib, false);
        struct options o = fixture_options();
        struct facts f;
        struct plan p;
        struct step bus = { .backend = (char *) "firewalld", .operation = (char *) "add",
                            .args = (char *[]) { (char *) "public", (char *) "permanent", (char *) "service",
                                                 (char *) "ssh", NULL } };
        struct step outside = { .backend = (char *) "firewalld", .operation = (char *) "zone-file-add",
                                .args = (char *[]) { (char *) "/etc/firewalld/zones/../../passwd",
                                                     (char *) "/usr/lib/firewalld/zones/public.xml",
                                                     (char *) "<service name=\"ssh\"/>", NULL } };

        o.root = strdup(dir);
        probe_and_plan(&o, &f, &p);
        assert_true(f.fw.firewalld.installed);
        assert_false(f.fw.firewalld.enabled);
        assert_int_equal(f.fw.firewalld.n_zones, 0);
        assert_int_equal(p.n_faults, 0);
        assert_int_equal(backend_firewalld.apply(&o, &bus, NULL), -EINVAL);
        assert_int_equal(backend_firewalld.apply(&o, &outside, NULL), -EINVAL);
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
        tree_remove(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_builtin_copy),
                cmocka_unit_test(test_etc_port),
                cmocka_unit_test(test_from_and_rich),
                cmocka_unit_test(test_disabled_and_refusals),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
