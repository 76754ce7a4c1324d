/* ufw: its rule files, what its rule list does with a SYN, and the policy. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include "fw-fixtures.h"
#include "plans/firewall.h"
#include "ufw-rules.h"

/* ufw active with the fixture files; 'policy' overrides DEFAULT_INPUT_POLICY. */
static void ufw_facts(struct facts *f, const struct options *o, const char *v4, const char *v6, const char *policy) {
        _cleanup_free_ char *defaults = fw_read_fixture("ufw/default.conf");
        struct ufw_facts *u = &f->fw.ufw;

        fixture_healthy(f);
        f->fw.known = true;
        u->installed = u->files = u->enabled = u->active = u->writable = true;
        u->ipv6 = true;
        u->input_policy = policy ? strdup(policy) : ufw_conf_get(defaults, "DEFAULT_INPUT_POLICY");
        if (v4)
                assert_int_equal(ufw_parse_rules(u, v4, AF_INET), 0);
        if (v6)
                assert_int_equal(ufw_parse_rules(u, v6, AF_INET6), 0);
        assert_int_equal(ufw_evaluate(u, o), 0);
}

static void test_parse(void **state) {
        _cleanup_free_ char *v4 = fw_read_fixture("ufw/user.rules"), *v6 = fw_read_fixture("ufw/user6.rules"),
                            *defaults = fw_read_fixture("ufw/default.conf"), *pol = NULL, *ipv6 = NULL;
        struct fw_facts fw = {};
        struct ufw_facts *u = &fw.ufw;

        assert_int_equal(ufw_parse_rules(u, v4, AF_INET), 0);
        assert_int_equal(ufw_parse_rules(u, v6, AF_INET6), 0);
        /* numbered as `ufw status numbered` does: v4 first, then v6 */
        assert_int_equal(u->n_rules, 7);
        assert_int_equal(u->n_rules4, 5);
        assert_string_equal(u->rules[0].action, "deny");
        assert_string_equal(u->rules[0].dport, "22");
        assert_string_equal(u->rules[2].dport, "19:124");
        assert_string_equal(u->rules[3].src, "203.0.113.0/24");
        assert_string_equal(u->rules[4].action, "route:allow");
        assert_string_equal(u->rules[4].direction, "in_eth0!out_eth1");
        assert_int_equal(u->rules[5].number, 6);
        assert_int_equal(u->rules[5].family, AF_INET6);
        assert_string_equal(u->rules[6].dapp, "OpenSSH");
        assert_null(u->rules[6].sapp);
        assert_string_equal(u->rules[6].action, "reject");

        pol = ufw_conf_get(defaults, "DEFAULT_INPUT_POLICY");
        ipv6 = ufw_conf_get(defaults, "IPV6");
        assert_string_equal(pol, "DROP");
        assert_string_equal(ipv6, "yes");
        fw_facts_done(&fw);
}

static void test_deny_then_allow(void **state) {
        _cleanup_free_ char *v4 = fw_read_fixture("ufw/user.rules"), *v6 = fw_read_fixture("ufw/user6.rules");
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};
        const struct ufw_verdict *v;

        ufw_facts(&f, &o, v4, v6, NULL);
        assert_int_equal(f.fw.ufw.n_verdicts, 2);
        /* v4: [1] deny 22 alone, deleted; then [2] allow 22,80 decides */
        v = &f.fw.ufw.verdicts[0];
        assert_int_equal(v->now, FW_VERDICT_DROPPED);
        assert_int_equal(v->n_deletable, 1);
        assert_int_equal(v->deletable[0], 1);
        assert_int_equal(v->verdict, FW_VERDICT_ACCEPTED);
        assert_int_equal(v->rule, 2);
        /* v6: [6] deny 22 alone deleted; [7] rejects the app profile OpenSSH: stays, then policy */
        v = &f.fw.ufw.verdicts[1];
        assert_int_equal(v->now, FW_VERDICT_DROPPED);
        assert_int_equal(v->n_deletable, 1);
        assert_int_equal(v->deletable[0], 6);
        assert_int_equal(v->verdict, FW_VERDICT_REJECTED);
        assert_int_equal(v->rule, 7);

        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_non_null(fw_find_fault(&p, "firewall.ufw.deny"));
        assert_int_equal(p.n_steps, 3);
        /* highest number first, then the allow before everything */
        assert_string_equal(p.steps[0].command, "ufw delete 6");
        assert_string_equal(p.steps[0].args[1], "deny tcp 22 ::/0 any ::/0 in");
        assert_string_equal(p.steps[0].undo, "ufw insert 6 deny proto tcp from any to any port 22");
        assert_string_equal(p.steps[1].command, "ufw delete 1");
        assert_string_equal(p.steps[2].command, "ufw insert 1 allow proto tcp from any to any port 22");
        assert_string_equal(p.steps[2].undo, "ufw delete allow proto tcp from any to any port 22");
        assert_string_equal(p.steps[2].backend, "ufw");
        assert_string_equal(p.steps[2].operation, "insert");
        plan_done(&p);
        facts_done(&f);
}

static void test_range(void **state) {
        const char *v4 = "### tuple ### deny tcp 19:124 0.0.0.0/0 any 0.0.0.0/0 in\n";
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};

        ufw_facts(&f, &o, v4, NULL, "ACCEPT");
        assert_int_equal(f.fw.ufw.verdicts[0].now, FW_VERDICT_DROPPED);
        assert_int_equal(f.fw.ufw.verdicts[0].n_deletable, 0);
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].command, "ufw insert 1 allow proto tcp from any to any port 22");
        plan_done(&p);
        facts_done(&f);

        /* --from: the allow carries the client's network; only its family is looked at */
        o.from = (struct cidr) { .family = AF_INET, .prefixlen = 24 };
        inet_pton(AF_INET, "198.51.100.0", &o.from.addr.in);
        ufw_facts(&f, &o, v4, NULL, "ACCEPT");
        assert_int_equal(f.fw.ufw.n_verdicts, 1);
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_string_equal(p.steps[0].command, "ufw insert 1 allow proto tcp from 198.51.100.0/24 to any port 22");
        plan_done(&p);
        facts_done(&f);
}

static void test_default_deny(void **state) {
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};

        ufw_facts(&f, &o, "", "", NULL);
        assert_true(f.fw.ufw.verdicts[0].by_policy);
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_non_null(fw_find_fault(&p, "firewall.ufw.default-deny"));
        /* no rule to insert before: a plain allow */
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].command, "ufw allow proto tcp from any to any port 22");
        assert_string_equal(p.steps[0].args[0], "append");
        plan_done(&p);
        facts_done(&f);

        /* a source-restricted allow does not open it for everyone */
        ufw_facts(&f, &o, "### tuple ### allow tcp 22 0.0.0.0/0 any 203.0.113.0/24 in\n", "", NULL);
        assert_int_equal(f.fw.ufw.verdicts[0].now, FW_VERDICT_DROPPED);
        assert_int_equal(strv_length(f.fw.ufw.verdicts[0].notes), 1);
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_string_equal(p.steps[0].command, "ufw insert 1 allow proto tcp from any to any port 22");
        plan_done(&p);
        facts_done(&f);
}

static void test_not_writable_or_installed(void **state) {
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};

        ufw_facts(&f, &o, "", "", NULL);
        f.fw.ufw.writable = false;
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(p.n_steps, 0);
        assert_int_equal(fw_find_fault(&p, "firewall.ufw.default-deny")->remedy, REMEDY_NEEDS_PERSON);
        plan_done(&p);

        /* files say enabled, no ufw program */
        f.fw.ufw.installed = false;
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_non_null(fw_find_fault(&p, "firewall.ufw.not-installed"));
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_deny_then_allow),
                cmocka_unit_test(test_range),
                cmocka_unit_test(test_default_deny),
                cmocka_unit_test(test_not_writable_or_installed),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
