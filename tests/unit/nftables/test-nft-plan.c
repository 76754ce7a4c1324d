/* plan_nft() on facts from in-memory rulesets: delete vs insert vs append, --from, foreign
 * tables, and the edit of /etc/nftables.conf. */

#include <netinet/in.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "nft-build.h"
#include "nft-facts.h"
#include "nft-persist.h"
#include "plans/plans.h"
#include "util/strv.h"

static const struct nft_iface eth0 = { .index = 2, .name = "eth0" };

static void build(struct nft_ruleset *rs, uint32_t policy, const char *const *rules) {
        tb_table(rs, NFPROTO_INET, "filter");
        tb_base_chain(rs, NFPROTO_INET, "filter", "input", NF_INET_LOCAL_IN, 0, policy);
        tb_index(rs);
        for (const char *const *r = rules; *r; r++)
                tb_rule(rs, NFPROTO_INET, "filter", "input", *r);
}

static void plan_for(struct nft_ruleset *rs, struct options *o, const char *conf, struct facts *f, struct plan *p) {
        struct nft_host host = { .ifaces = &eth0, .n_ifaces = 1 };

        *f = (struct facts) {};
        *p = (struct plan) {};
        assert_int_equal(nft_facts_from_ruleset(rs, o, &host, &f->nft), 0);
        f->nft.genid = 7;
        if (conf) {
                f->nft.conf.path = strdup("/etc/nftables.conf");
                f->nft.conf.loaded_by = strdup("nftables.service");
                f->nft.conf.checksum = strdup("c0ffee");
                assert_int_equal(nft_conf_parse(conf, &f->nft.conf), 0);
        }
        assert_int_equal(plan_nft(f, o, p), 0);
}

static void plan_for_offline(struct nft_ruleset *rs, struct options *o, const char *conf, struct facts *f,
                             struct plan *p) {
        *f = (struct facts) {};
        *p = (struct plan) {};
        assert_int_equal(nft_facts_from_ruleset(rs, o, NULL, &f->nft), 0);
        f->nft.offline = true;
        f->nft.conf.path = strdup("/etc/nftables.conf");
        f->nft.conf.loaded_by = strdup("nftables.service");
        f->nft.conf.checksum = strdup("c0ffee");
        assert_int_equal(nft_conf_parse(conf, &f->nft.conf), 0);
        assert_int_equal(plan_nft(f, o, p), 0);
}

static bool has_arg(const struct step *s, const char *arg) {
        return strv_contains(s->args, arg);
}

static void test_delete_single_port(void **state) {
        static const char *const rules[] = { "tcp dport=22 drop", NULL };
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        struct nft_ruleset rs = {};
        struct facts f;
        struct plan p;

        build(&rs, NF_ACCEPT, rules);
        plan_for(&rs, &o, NULL, &f, &p);
        assert_int_equal(p.n_steps, 1); /* v4 and v6: one rule, one step */
        assert_string_equal(p.steps[0].operation, "delete-rule");
        assert_string_equal(p.steps[0].fault_id, "firewall.nft.drop");
        assert_true(has_arg(&p.steps[0], "genid=7"));
        assert_string_equal(p.steps[0].command, "nft delete rule inet filter input handle 2");
        plan_done(&p);
        facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_insert_before_range(void **state) {
        static const char *const rules[] = { "tcp dport=80 accept", "tcp dport=20-25 drop", NULL };
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        struct nft_ruleset rs = {};
        struct facts f;
        struct plan p;

        build(&rs, NF_ACCEPT, rules);
        plan_for(&rs, &o, NULL, &f, &p);
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].operation, "insert-rule");
        assert_true(has_arg(&p.steps[0], "position=3"));
        assert_true(has_arg(&p.steps[0], "port=22"));
        assert_string_equal(p.steps[0].command,
                            "nft insert rule inet filter input position 3 tcp dport 22 accept comment \"sshrepair\"");
        plan_done(&p);
        facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_policy_with_from(void **state) {
        static const char *const rules[] = { NULL };
        struct options o = { .ports = { 22 }, .n_ports = 1, .from = { .family = AF_INET, .prefixlen = 32 } };
        struct nft_ruleset rs = {};
        struct facts f;
        struct plan p;

        inet_pton(AF_INET, "192.0.2.1", &o.from.addr);
        build(&rs, NF_DROP, rules);
        plan_for(&rs, &o, NULL, &f, &p);
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].operation, "add-rule");
        assert_string_equal(p.steps[0].fault_id, "firewall.nft.policy-drop");
        assert_true(has_arg(&p.steps[0], "from=192.0.2.1/32"));
        assert_string_equal(p.steps[0].command,
                            "nft add rule inet filter input ip saddr 192.0.2.1/32 tcp dport 22 accept comment \"sshrepair\"");
        plan_done(&p);
        facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_foreign_table(void **state) {
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        struct nft_ruleset rs = {};
        struct facts f;
        struct plan p;

        tb_table(&rs, NFPROTO_IPV4, "filter");
        tb_base_chain(&rs, NFPROTO_IPV4, "filter", "INPUT", NF_INET_LOCAL_IN, 0, NF_ACCEPT);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_IPV4, "filter", "INPUT", "tcp dport=20-25 drop");
        plan_for(&rs, &o, NULL, &f, &p);
        assert_int_equal(p.n_steps, 0);
        assert_int_equal(p.n_faults, 1);
        assert_string_equal(p.faults[0].id, "firewall.nft.foreign-table");
        assert_int_equal(p.faults[0].remedy, REMEDY_NEEDS_PERSON);
        assert_non_null(strstr(p.faults[0].advice, "iptables -I INPUT 1 -p tcp --dport 22 -j ACCEPT"));
        plan_done(&p);
        facts_done(&f);
        nft_ruleset_done(&rs);
}

static const char conf[] =
        "#!/usr/sbin/nft -f\n"                                   /* 1 */
        "flush ruleset\n"                                        /* 2 */
        "table inet filter {\n"                                  /* 3 */
        "\tchain input {\n"                                      /* 4 */
        "\t\ttype filter hook input priority filter; policy drop;\n" /* 5 */
        "\t\ttcp dport 22 drop # no ssh\n"                       /* 6 */
        "\t\ttcp dport 20-25 drop\n"                             /* 7 */
        "\t}\n"                                                  /* 8 */
        "\tchain forward {\n"                                    /* 9 */
        "\t\ttype filter hook forward priority filter;\n"        /* 10 */
        "\t}\n"                                                  /* 11 */
        "}\n";

static void test_persist(void **state) {
        static const char *const rules[] = { "tcp dport=22 drop", "tcp dport=20-25 drop", NULL };
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        struct nft_ruleset rs = {};
        struct facts f;
        struct plan p;

        build(&rs, NF_DROP, rules);
        plan_for(&rs, &o, conf, &f, &p);
        assert_int_equal(p.n_steps, 3);
        assert_string_equal(p.steps[0].operation, "delete-rule");
        assert_string_equal(p.steps[1].operation, "insert-rule");
        assert_string_equal(p.steps[2].operation, "persist");
        assert_true(has_arg(&p.steps[2], "path=/etc/nftables.conf"));
        assert_true(has_arg(&p.steps[2], "sum=c0ffee"));
        assert_true(has_arg(&p.steps[2], "edit=del:6"));
        assert_true(has_arg(&p.steps[2], "edit=before:7:\t\ttcp dport 22 accept comment \"sshrepair\""));
        plan_done(&p);
        facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_persist_mismatch(void **state) {
        static const char *const rules[] = { "tcp dport=80 accept", "tcp dport=22 drop", "tcp dport=20-25 drop", NULL };
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        struct nft_ruleset rs = {};
        struct facts f;
        struct plan p;

        build(&rs, NF_ACCEPT, rules);
        plan_for(&rs, &o, conf, &f, &p);
        assert_non_null(plan_find_fault(&p, "firewall.nft.not-persisted"));
        for (size_t i = 0; i < p.n_steps; i++)
                assert_string_not_equal(p.steps[i].operation, "persist");
        plan_done(&p);
        facts_done(&f);
        nft_ruleset_done(&rs);
}

/* --root: the facts are the tree's file: only its edit, the command names the file under
 * the tree, the argument the system's own path. */
static void test_offline_persist_only(void **state) {
        static const char *const rules[] = { "tcp dport=22 drop", "tcp dport=20-25 drop", NULL };
        struct options o = { .ports = { 22 }, .n_ports = 1, .root = (char *) "/mnt/target" };
        struct nft_ruleset rs = {};
        struct facts f;
        struct plan p;

        build(&rs, NF_DROP, rules);
        plan_for_offline(&rs, &o, conf, &f, &p);
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].operation, "persist");
        assert_true(has_arg(&p.steps[0], "path=/etc/nftables.conf"));
        assert_true(has_arg(&p.steps[0], "edit=del:6"));
        assert_non_null(strstr(p.steps[0].command, " /mnt/target/etc/nftables.conf"));
        assert_non_null(strstr(p.steps[0].description, "/mnt/target/etc/nftables.conf"));
        assert_int_equal(plan_find_fault(&p, "firewall.nft.drop")->remedy, REMEDY_AUTO);
        plan_done(&p);
        facts_done(&f);
        nft_ruleset_done(&rs);
}

/* --root and the file cannot be followed: nothing can be changed, a person must. */
static void test_offline_not_editable(void **state) {
        static const char *const rules[] = { "tcp dport=80 accept", "tcp dport=22 drop", "tcp dport=20-25 drop", NULL };
        struct options o = { .ports = { 22 }, .n_ports = 1, .root = (char *) "/mnt/target" };
        struct nft_ruleset rs = {};
        struct facts f;
        struct plan p;

        build(&rs, NF_ACCEPT, rules);
        plan_for_offline(&rs, &o, conf, &f, &p);
        assert_int_equal(p.n_steps, 0);
        assert_non_null(plan_find_fault(&p, "firewall.nft.not-persisted"));
        assert_int_equal(plan_find_fault(&p, "firewall.nft.drop")->remedy, REMEDY_NEEDS_PERSON);
        assert_false(plan_has_fixable(&p));
        plan_done(&p);
        facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_conf_reader(void **state) {
        static const char text[] =
                "define SSH = 22\n"                                    /* 1 */
                "table ip6 raw {\n"                                    /* 2 */
                "  chain pre { type filter hook prerouting priority raw; }\n" /* 3 */
                "}\n"                                                  /* 4 */
                "table inet filter {\n"                                /* 5 */
                "  set s { type inet_service; elements = { 1, 2 } }\n" /* 6 */
                "  chain input {\n"                                    /* 7 */
                "    type filter hook input priority 0; policy drop;\n" /* 8 */
                "    tcp dport { 22,\n"                                /* 9 */
                "        23 } drop\n"                                  /* 10 */
                "  }\n"                                                /* 11 */
                "  chain web {\n"                                      /* 12 */
                "    tcp dport 80 accept; tcp dport 443 accept\n"      /* 13 */
                "  }\n"                                                /* 14 */
                "  chain empty {\n"                                    /* 15 */
                "  }\n"                                                /* 16 */
                "}\n"                                                  /* 17 */
                "include \"/etc/nftables.d/*.nft\"\n";                 /* 18 */
        struct nft_conf c = {};

        assert_int_equal(nft_conf_parse(text, &c), 0);
        assert_int_equal(c.n_chains, 4);
        assert_string_equal(c.chains[0].family, "ip6");
        assert_false(c.chains[0].editable); /* a one-line chain */
        assert_string_equal(c.chains[1].chain, "input");
        assert_false(c.chains[1].editable); /* a set spread over two lines */
        assert_int_equal(c.chains[1].close_line, 11);
        assert_false(c.chains[2].editable); /* two rules on a line */
        assert_true(c.chains[3].editable);
        assert_int_equal(c.chains[3].n_rules, 0);
        assert_int_equal(c.chains[3].close_line, 16);
        assert_string_equal(c.chains[3].indent, "    ");
        assert_non_null(c.problem); /* the include */
        nft_conf_done(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_delete_single_port),
                cmocka_unit_test(test_insert_before_range),
                cmocka_unit_test(test_policy_with_from),
                cmocka_unit_test(test_foreign_table),
                cmocka_unit_test(test_persist),
                cmocka_unit_test(test_persist_mismatch),
                cmocka_unit_test(test_offline_persist_only),
                cmocka_unit_test(test_offline_not_editable),
                cmocka_unit_test(test_conf_reader),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
