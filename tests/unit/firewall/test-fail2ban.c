/* fail2ban: a ban of the client is lifted through fail2ban-client; sshguard is reported. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fw-fixtures.h"
#include "plans/firewall.h"

static void test_banned(void **state) {
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};

        fixture_healthy(&f);
        f.fw.known = true;
        f.fw.f2b.installed = f.fw.f2b.running = true;
        f.fw.f2b.bans = calloc(1, sizeof(*f.fw.f2b.bans));
        f.fw.f2b.bans[0] = (struct fail2ban_ban) { .jail = strdup("sshd"), .address = strdup("192.0.2.1") };
        f.fw.f2b.n_bans = 1;
        /* the iptables view of the same ban: fail2ban's chain, so not iptables' to fix */
        f.fw.ipt = calloc(1, sizeof(*f.fw.ipt));
        f.fw.n_ipt = 1;
        f.fw.ipt[0] = (struct ipt_verdict) { .variant = IPT_VARIANT_NFT, .family = AF_INET, .port = 22,
                                             .verdict = FW_VERDICT_REJECTED, .owner = FW_OWNER_FAIL2BAN,
                                             .chain = strdup("f2b-sshd"), .index = 1,
                                             .rule = strdup("-A f2b-sshd -s 192.0.2.1/32 -j REJECT --reject-with "
                                                            "icmp-port-unreachable") };
        f.fw.tables[0] = (struct ipt_table) { .variant = IPT_VARIANT_NFT, .family = AF_INET, .present = true,
                                              .active = true, .is_default = true };

        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(p.n_faults, 1);
        assert_non_null(fw_find_fault(&p, "firewall.fail2ban.banned"));
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].backend, "fail2ban");
        assert_string_equal(p.steps[0].operation, "unban");
        assert_string_equal(p.steps[0].command, "fail2ban-client set sshd unbanip 192.0.2.1");
        assert_string_equal(p.steps[0].undo, "fail2ban-client set sshd banip 192.0.2.1");
        assert_string_equal(p.steps[0].args[0], "sshd");
        assert_string_equal(p.steps[0].args[1], "192.0.2.1");
        plan_done(&p);

        /* fail2ban not running: its chain is nobody's to fix automatically */
        f.fw.f2b.running = false;
        free(f.fw.f2b.bans[0].jail);
        free(f.fw.f2b.bans[0].address);
        f.fw.f2b.n_bans = 0;
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(fw_find_fault(&p, "firewall.iptables.foreign")->remedy, REMEDY_NEEDS_PERSON);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);

        /* sshguard's chain */
        f.fw.ipt[0].owner = FW_OWNER_SSHGUARD;
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_non_null(fw_find_fault(&p, "firewall.sshguard.blocked"));
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_banned),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
