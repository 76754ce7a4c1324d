/* The evaluator on rulesets built in memory: the seed's iptables examples translated, sets,
 * intervals, jumps, several base chains, unknown expressions. */

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

static const struct nft_iface eth0 = { .index = 2, .name = "eth0" };
static const uint8_t addr4[1][16] = { { 192, 0, 2, 2 } };
static const uint8_t addr6[1][16] = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };

static struct nft_facts facts_for(struct nft_ruleset *rs, const char *from) {
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        struct nft_host host = { .ifaces = &eth0, .n_ifaces = 1, .addrs4 = addr4, .n_addrs4 = 1,
                                 .addrs6 = addr6, .n_addrs6 = 1 };
        struct nft_facts f = {};

        if (from) {
                char a[64];
                const char *slash = strchr(from, '/');
                snprintf(a, sizeof a, "%.*s", (int) (slash - from), from);
                o.from.family = strchr(a, ':') ? AF_INET6 : AF_INET;
                assert_int_equal(inet_pton(o.from.family, a, &o.from.addr), 1);
                o.from.prefixlen = (unsigned) atoi(slash + 1);
        }
        assert_int_equal(nft_facts_from_ruleset(rs, &o, &host, &f), 0);
        assert_true(f.known);
        return f;
}

/* The first verdict entry for a SYN family. */
static const struct nft_chain_verdict *first(const struct nft_facts *f, int nfproto) {
        for (size_t i = 0; i < f->n_verdicts; i++)
                if (f->verdicts[i].nfproto == nfproto)
                        return &f->verdicts[i];
        return NULL;
}

static void setup_inet(struct nft_ruleset *rs, uint32_t policy) {
        tb_table(rs, NFPROTO_INET, "filter");
        tb_base_chain(rs, NFPROTO_INET, "filter", "input", NF_INET_LOCAL_IN, 0, policy);
}

/* iptables: -A INPUT -p tcp -m multiport --dports 20:25 -j DROP, as nft writes it */
static void test_range_drop(void **state) {
        struct nft_ruleset rs = {};
        struct nft_facts f;
        const struct nft_chain_verdict *v;

        setup_inet(&rs, NF_ACCEPT);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp dport=80 accept");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp dport=20-25 counter drop");
        f = facts_for(&rs, NULL);
        v = first(&f, NFPROTO_IPV4);
        assert_non_null(v);
        assert_int_equal(v->verdict, NFT_VERDICT_DROPPED);
        assert_false(v->by_policy);
        assert_int_equal(v->index, 2);
        assert_false(v->only_port);
        assert_string_equal(v->text, "tcp dport 20-25 drop");
        v = first(&f, NFPROTO_IPV6);
        assert_non_null(v);
        assert_int_equal(v->verdict, NFT_VERDICT_DROPPED);
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_range_expr(void **state) {
        struct nft_ruleset rs = {};
        struct nft_facts f;

        setup_inet(&rs, NF_ACCEPT);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp dportrange=1-1024 drop");
        f = facts_for(&rs, NULL);
        assert_int_equal(first(&f, NFPROTO_IPV4)->verdict, NFT_VERDICT_DROPPED);
        assert_false(first(&f, NFPROTO_IPV4)->only_port);
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

/* iptables: -A INPUT -j DROP */
static void test_drop_all(void **state) {
        struct nft_ruleset rs = {};
        struct nft_facts f;
        const struct nft_chain_verdict *v;

        setup_inet(&rs, NF_ACCEPT);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "ctest accept");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "iifname=lo accept");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "drop");
        f = facts_for(&rs, NULL);
        v = first(&f, NFPROTO_IPV4);
        assert_int_equal(v->verdict, NFT_VERDICT_DROPPED);
        assert_int_equal(v->index, 3);
        assert_false(v->only_port);
        assert_null(v->notes); /* lo and established: no SYN from outside */
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

/* iptables: -P INPUT DROP */
static void test_policy_drop(void **state) {
        struct nft_ruleset rs = {};
        struct nft_facts f;
        const struct nft_chain_verdict *v;

        setup_inet(&rs, NF_DROP);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "iifname=lo accept");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp dport=80 accept");
        f = facts_for(&rs, NULL);
        v = first(&f, NFPROTO_IPV4);
        assert_int_equal(v->verdict, NFT_VERDICT_DROPPED);
        assert_true(v->by_policy);
        assert_int_equal(v->chain_rules, 2);
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_single_port_then_policy(void **state) {
        struct nft_ruleset rs = {};
        struct nft_facts f;

        setup_inet(&rs, NF_DROP);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp dport=22 drop");
        f = facts_for(&rs, NULL);
        /* v4: the rule (only port 22), and behind it the policy */
        assert_int_equal(f.n_verdicts, 4);
        assert_true(f.verdicts[0].only_port);
        assert_false(f.verdicts[0].by_policy);
        assert_true(f.verdicts[1].by_policy);
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_anonymous_set(void **state) {
        static const char *const both[] = { "22", "8022", NULL }, *const only[] = { "22", NULL };
        struct nft_ruleset rs = {};
        struct nft_facts f;

        setup_inet(&rs, NF_ACCEPT);
        tb_set(&rs, NFPROTO_INET, "filter", "__set0", NFT_SET_ANONYMOUS | NFT_SET_CONSTANT, 2, both);
        tb_set(&rs, NFPROTO_INET, "filter", "__set1", NFT_SET_ANONYMOUS | NFT_SET_CONSTANT, 2, only);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp dport@__set1 drop");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp dport@__set0 drop");
        f = facts_for(&rs, NULL);
        assert_string_equal(f.verdicts[0].text, "tcp dport { 22 } drop");
        assert_true(f.verdicts[0].only_port);
        assert_string_equal(f.verdicts[1].text, "tcp dport { 22, 8022 } drop");
        assert_false(f.verdicts[1].only_port);
        assert_int_equal(f.verdicts[1].index, 2);
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_interval_set(void **state) {
        static const char *const ports[] = { "1-21", "23-100", NULL }, *const with22[] = { "1000-2000", "10-30", NULL };
        struct nft_ruleset rs = {};
        struct nft_facts f;

        setup_inet(&rs, NF_ACCEPT);
        tb_set(&rs, NFPROTO_INET, "filter", "holes", NFT_SET_INTERVAL, 2, ports);
        tb_set(&rs, NFPROTO_INET, "filter", "blocked", NFT_SET_INTERVAL, 2, with22);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp dport@holes drop");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp dport@blocked drop");
        f = facts_for(&rs, NULL);
        assert_int_equal(f.verdicts[0].index, 2);
        assert_string_equal(f.verdicts[0].text, "tcp dport @blocked drop");
        assert_false(f.verdicts[0].only_port);
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_jump(void **state) {
        struct nft_ruleset rs = {};
        struct nft_facts f;
        const struct nft_chain_verdict *v;

        setup_inet(&rs, NF_ACCEPT);
        tb_chain(&rs, NFPROTO_INET, "filter", "allow");
        tb_chain(&rs, NFPROTO_INET, "filter", "block");
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "allow", "tcp dport=80 accept");
        tb_rule(&rs, NFPROTO_INET, "filter", "allow", "return");
        tb_rule(&rs, NFPROTO_INET, "filter", "block", "tcp dport=1-1000 reject");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "jump:allow");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp goto:block");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "drop");
        f = facts_for(&rs, NULL);
        v = first(&f, NFPROTO_IPV4);
        assert_int_equal(v->verdict, NFT_VERDICT_REJECTED);
        assert_string_equal(v->chain, "input");
        assert_string_equal(v->rule_chain, "block");
        assert_int_equal(v->index, 1);
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_goto_falls_back_to_policy(void **state) {
        struct nft_ruleset rs = {};
        struct nft_facts f;

        setup_inet(&rs, NF_DROP);
        tb_chain(&rs, NFPROTO_INET, "filter", "web");
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "web", "tcp dport=80 accept");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "goto:web");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp dport=22 accept");
        f = facts_for(&rs, NULL);
        assert_int_equal(first(&f, NFPROTO_IPV4)->verdict, NFT_VERDICT_DROPPED);
        assert_true(first(&f, NFPROTO_IPV4)->by_policy);
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

/* An accept in one base chain does not stop another. */
static void test_two_base_chains(void **state) {
        struct nft_ruleset rs = {};
        struct nft_facts f;

        tb_table(&rs, NFPROTO_INET, "a");
        tb_table(&rs, NFPROTO_IPV4, "b");
        tb_base_chain(&rs, NFPROTO_IPV4, "b", "input", NF_INET_LOCAL_IN, 10, NF_ACCEPT);
        tb_base_chain(&rs, NFPROTO_INET, "a", "input", NF_INET_LOCAL_IN, 0, NF_ACCEPT);
        tb_base_chain(&rs, NFPROTO_INET, "a", "output", NF_INET_LOCAL_OUT, 0, NF_DROP);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "a", "input", "tcp dport=22 accept");
        tb_rule(&rs, NFPROTO_IPV4, "b", "input", "tcp reject");
        f = facts_for(&rs, NULL);
        /* v4: a (priority 0) accepts, then b (priority 10) rejects; v6: only a */
        assert_int_equal(f.n_verdicts, 3);
        assert_string_equal(f.verdicts[0].table, "a");
        assert_int_equal(f.verdicts[0].verdict, NFT_VERDICT_ACCEPTED);
        assert_string_equal(f.verdicts[1].table, "b");
        assert_int_equal(f.verdicts[1].verdict, NFT_VERDICT_REJECTED);
        assert_int_equal(f.verdicts[1].nfproto, NFPROTO_IPV4);
        assert_int_equal(f.verdicts[2].nfproto, NFPROTO_IPV6);
        assert_int_equal(f.verdicts[2].verdict, NFT_VERDICT_ACCEPTED);
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_unknown_expression(void **state) {
        struct nft_ruleset rs = {};
        struct nft_facts f;
        const struct nft_chain_verdict *v;

        setup_inet(&rs, NF_ACCEPT);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp dport=80 osf drop"); /* false anyway */
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp osf drop");
        f = facts_for(&rs, NULL);
        v = first(&f, NFPROTO_IPV4);
        assert_int_equal(v->verdict, NFT_VERDICT_UNKNOWN);
        assert_int_equal(v->index, 2);
        assert_string_equal(v->unknown, "osf");
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

/* firewalld's reverse-path filter in its prerouting chain: a client the host can answer is
 * never "missing", so it does not drop the SYN; other fib lookups stay unknown. */
static void test_rpfilter(void **state) {
        struct nft_ruleset rs = {};
        struct nft_facts f;
        const struct nft_chain_verdict *v;

        tb_table(&rs, NFPROTO_INET, "firewalld");
        tb_base_chain(&rs, NFPROTO_INET, "firewalld", "filter_PREROUTING", NF_INET_PRE_ROUTING, -290, NF_ACCEPT);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "firewalld", "filter_PREROUTING", "rpfmissing drop");
        f = facts_for(&rs, NULL);
        v = first(&f, NFPROTO_IPV6);
        assert_non_null(v);
        assert_int_equal(v->verdict, NFT_VERDICT_ACCEPTED);
        assert_int_equal(first(&f, NFPROTO_IPV4)->verdict, NFT_VERDICT_ACCEPTED);
        nft_facts_done(&f);
        nft_ruleset_done(&rs);

        rs = (struct nft_ruleset) {};
        tb_table(&rs, NFPROTO_INET, "filter");
        tb_base_chain(&rs, NFPROTO_INET, "filter", "input", NF_INET_LOCAL_IN, 0, NF_ACCEPT);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp fibdaddrtype drop");
        f = facts_for(&rs, NULL);
        assert_int_equal(first(&f, NFPROTO_IPV4)->verdict, NFT_VERDICT_UNKNOWN);
        assert_string_equal(first(&f, NFPROTO_IPV4)->unknown, "fib");
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_unknown_statement(void **state) {
        struct nft_ruleset rs = {};
        struct nft_facts f;

        setup_inet(&rs, NF_ACCEPT);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp dport=22 tproxy");
        f = facts_for(&rs, NULL);
        assert_int_equal(first(&f, NFPROTO_IPV4)->verdict, NFT_VERDICT_UNKNOWN);
        assert_string_equal(first(&f, NFPROTO_IPV4)->unknown, "tproxy");
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_sources(void **state) {
        static const char *const banned[] = { "198.51.100.0/24", NULL };
        struct nft_ruleset rs = {};
        struct nft_facts f;

        setup_inet(&rs, NF_ACCEPT);
        tb_set(&rs, NFPROTO_INET, "filter", "banned", NFT_SET_INTERVAL, 4, banned);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "saddr@banned drop");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "saddr=10.0.0.0/8 tcp dport=22 drop");

        /* from anywhere: both rules decide for some sources only */
        f = facts_for(&rs, NULL);
        assert_int_equal(first(&f, NFPROTO_IPV4)->verdict, NFT_VERDICT_ACCEPTED);
        nft_facts_done(&f);
        /* from inside 10/8: the second rule drops, and only port 22 */
        f = facts_for(&rs, "10.1.2.0/24");
        assert_int_equal(f.n_verdicts, 1);
        assert_int_equal(f.verdicts[0].verdict, NFT_VERDICT_DROPPED);
        assert_int_equal(f.verdicts[0].index, 2);
        assert_true(f.verdicts[0].only_port);
        assert_string_equal(f.verdicts[0].text, "ip saddr 10.0.0.0/8 tcp dport 22 drop");
        nft_facts_done(&f);
        /* from a banned address */
        f = facts_for(&rs, "198.51.100.7/32");
        assert_int_equal(f.verdicts[0].verdict, NFT_VERDICT_DROPPED);
        assert_int_equal(f.verdicts[0].index, 1);
        assert_false(f.verdicts[0].only_port);
        nft_facts_done(&f);
        /* from elsewhere */
        f = facts_for(&rs, "192.0.2.0/24");
        assert_int_equal(f.verdicts[0].verdict, NFT_VERDICT_ACCEPTED);
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

static int fake_peek(struct nft_ruleset *rs, size_t set, void *userdata) {
        rs->sets[set].big = true;
        (*(int *) userdata)++;
        return 0;
}

static int fake_load(struct nft_ruleset *rs, size_t set, void *userdata) {
        rs->sets[set].loaded = true; /* the elements are there already */
        return 0;
}

/* A lookup of every source in a set of two elements or more is PARTIAL whatever the
 * elements: the set is only peeked at, never read whole. */
static void test_big_set_not_read(void **state) {
        static const char *const banned[] = { "198.51.100.0/24", "203.0.113.0/24", NULL };
        struct nft_ruleset rs = {};
        struct nft_facts f;
        int peeks = 0;

        setup_inet(&rs, NF_ACCEPT);
        tb_set(&rs, NFPROTO_INET, "filter", "banned", NFT_SET_INTERVAL, 4, banned);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "saddr@banned drop");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "tcp dport=22 drop");
        rs.sets[0].loaded = false;
        rs.peeker = fake_peek;
        rs.loader = fake_load;
        rs.loader_data = &peeks;

        f = facts_for(&rs, NULL);
        assert_int_equal(peeks, 1);
        assert_false(rs.sets[0].loaded);
        assert_int_equal(first(&f, NFPROTO_IPV4)->index, 2);
        assert_non_null(first(&f, NFPROTO_IPV4)->notes);
        nft_facts_done(&f);

        f = facts_for(&rs, "203.0.113.9/32");
        assert_true(rs.sets[0].loaded);
        assert_int_equal(f.verdicts[0].index, 1);
        assert_int_equal(f.verdicts[0].verdict, NFT_VERDICT_DROPPED);
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

static void test_ct_new(void **state) {
        struct nft_ruleset rs = {};
        struct nft_facts f;

        setup_inet(&rs, NF_ACCEPT);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "ctest drop");
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "ctnew tcp dport=22 drop");
        f = facts_for(&rs, NULL);
        assert_int_equal(first(&f, NFPROTO_IPV4)->index, 2);
        assert_true(first(&f, NFPROTO_IPV4)->only_port);
        /* the states tested are named */
        assert_string_equal(first(&f, NFPROTO_IPV4)->text, "ct state new tcp dport 22 drop");
        nft_facts_done(&f);
        nft_ruleset_done(&rs);

        /* an IPv6 prefix in an inet table: after "meta nfproto ipv6", 4 bytes at offset 8 */
        rs = (struct nft_ruleset) {};
        setup_inet(&rs, NF_ACCEPT);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_INET, "filter", "input", "saddr6=2001:db8::/32 tcp dport=22 drop");
        f = facts_for(&rs, "2001:db8::5/128"); /* a source inside the prefix: the rule drops it */
        assert_int_equal(first(&f, NFPROTO_IPV6)->verdict, NFT_VERDICT_DROPPED);
        assert_string_equal(first(&f, NFPROTO_IPV6)->text, "ip6 saddr 2001:db8::/32 tcp dport 22 drop");
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

/* iptables-nft's table: reported as foreign */
static void test_iptables_table(void **state) {
        struct nft_ruleset rs = {};
        struct nft_facts f;

        tb_table(&rs, NFPROTO_IPV4, "filter");
        tb_base_chain(&rs, NFPROTO_IPV4, "filter", "INPUT", NF_INET_LOCAL_IN, 0, NF_ACCEPT);
        tb_index(&rs);
        tb_rule(&rs, NFPROTO_IPV4, "filter", "INPUT", "tcp dport=22 drop");
        f = facts_for(&rs, NULL);
        assert_int_equal(f.n_foreign, 1);
        assert_int_equal(f.verdicts[0].owner, NFT_OWNER_IPTABLES);
        assert_int_equal(f.verdicts[0].verdict, NFT_VERDICT_DROPPED);
        nft_facts_done(&f);
        nft_ruleset_done(&rs);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_range_drop),
                cmocka_unit_test(test_range_expr),
                cmocka_unit_test(test_drop_all),
                cmocka_unit_test(test_policy_drop),
                cmocka_unit_test(test_single_port_then_policy),
                cmocka_unit_test(test_anonymous_set),
                cmocka_unit_test(test_interval_set),
                cmocka_unit_test(test_jump),
                cmocka_unit_test(test_goto_falls_back_to_policy),
                cmocka_unit_test(test_two_base_chains),
                cmocka_unit_test(test_unknown_expression),
                cmocka_unit_test(test_unknown_statement), cmocka_unit_test(test_rpfilter),
                cmocka_unit_test(test_sources),
                cmocka_unit_test(test_big_set_not_read),
                cmocka_unit_test(test_ct_new),
                cmocka_unit_test(test_iptables_table),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
