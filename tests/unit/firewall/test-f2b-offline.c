/* fail2ban offline (--root DIR): its bans are the running daemon's state; a tree is never
 * asked through this host's fail2ban-client, and the report says so. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backend.h"
#include "fw-fixtures.h"
#include "plans/firewall.h"
#include "test-ufw-tree.h"

static void test_offline_note(void **state) {
        char *dir = tree_new();
        struct options o = fixture_options();
        struct facts f = {};
        struct plan p = {};
        _cleanup_free_ char *snap = NULL;
        struct step unban = { .backend = (char *) "fail2ban", .operation = (char *) "unban",
                              .args = (char *[]) { (char *) "sshd", (char *) "192.0.2.1", NULL } };

        o.root = strdup(dir);
        /* not installed in the tree: nothing said */
        assert_int_equal(backend_fail2ban.probe(&o, &f), 0);
        assert_false(f.fw.f2b.installed);
        assert_null(f.fw.frontends);
        facts_done(&f);

        tree_write(dir, "usr/bin/fail2ban-server", "#!/usr/bin/python3\n", 0755);
        f = (struct facts) {};
        assert_int_equal(backend_fail2ban.probe(&o, &f), 0);
        assert_true(f.fw.f2b.installed);
        assert_false(f.fw.f2b.running);
        assert_int_equal(f.fw.f2b.n_bans, 0);
        assert_int_equal(strv_length(f.fw.frontends), 1);
        assert_string_equal(f.fw.frontends[0], "fail2ban: in the tree; its bans are runtime state, not checked offline");
        f.fw.known = true;
        assert_int_equal(plan_fail2ban(&f, &o, &p), 0);
        assert_int_equal(p.n_faults, 0);
        facts_done(&f);

        /* its database: said where the bans that come back are */
        tree_write(dir, "var/lib/fail2ban/fail2ban.sqlite3", "SQLite format 3", 0600);
        f = (struct facts) {};
        assert_int_equal(backend_fail2ban.probe(&o, &f), 0);
        assert_non_null(strstr(f.fw.frontends[0], "/var/lib/fail2ban/fail2ban.sqlite3 come back when it starts"));
        assert_non_null(strstr(f.fw.frontends[0], dir));
        facts_done(&f);

        /* and a step for the host's fail2ban is refused for a tree */
        assert_int_equal(backend_fail2ban.apply(&o, &unban, NULL), -EINVAL);
        assert_int_equal(backend_fail2ban.restore(&o, "sshd 192.0.2.1 banned\n"), -EINVAL);
        assert_int_equal(plan_add_step(&p, "firewall.fail2ban.banned", "fail2ban", "unban", "sshd", "d", "c", "u"), 0);
        assert_int_equal(backend_fail2ban.snapshot(&o, &p, &snap), -EINVAL);
        plan_done(&p);
        options_done(&o);
        tree_remove(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_offline_note),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
