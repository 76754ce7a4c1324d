/* The iptables parser, evaluator and policy on fixture save outputs. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include "fw-fixtures.h"
#include "ipt-eval.h"
#include "ipt-facts.h"
#include "ipt-persist.h"
#include "ipt-ruleset.h"
#include "plans/firewall.h"

static char *ifaces_eth0[] = { (char *) "eth0", NULL };

/* Facts for one IPv4 iptables-nft table (the default variant), as the probe makes them. */
static void facts_from(const char *fixture, struct options *o, const char *root, struct facts *f) {
        _cleanup_free_ char *text = fw_read_fixture(fixture), *error = NULL;
        struct ipt_table *t;

        assert_non_null(text);
        fixture_healthy(f);
        f->fw.known = true;
        t = fw_ipt_table(&f->fw, IPT_VARIANT_NFT, 0);
        *t = (struct ipt_table) { .variant = IPT_VARIANT_NFT, .family = AF_INET, .is_default = true };
        assert_int_equal(ipt_table_facts(o, &f->fw, t, text, ifaces_eth0, root ?: TEST_DATA_DIR "/firewall/no-root", &error), 0);
}

static void test_seed_before(void **state) {
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};
        const struct ipt_verdict *v;

        facts_from("seed-before.save", &o, NULL, &f);
        assert_int_equal(f.fw.n_ipt, 1);
        v = &f.fw.ipt[0];
        assert_int_equal(v->verdict, FW_VERDICT_DROPPED);
        assert_false(v->by_policy);
        assert_string_equal(v->chain, "INPUT");
        assert_int_equal(v->index, 1);
        assert_int_equal(v->entry, 1);
        assert_false(v->only_port); /* 20:25 */
        assert_string_equal(v->rule, "-A INPUT -p tcp -m multiport --dports 20:25 -j DROP");

        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_non_null(fw_find_fault(&p, "firewall.iptables.drop"));
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].backend, "iptables");
        assert_string_equal(p.steps[0].operation, "insert-rule");
        assert_string_equal(p.steps[0].command, "iptables -I INPUT 1 -p tcp --dport 22 -j ACCEPT");
        assert_string_equal(p.steps[0].undo, "iptables -D INPUT -p tcp --dport 22 -j ACCEPT");
        assert_string_equal(p.steps[0].args[0], "nft");
        assert_string_equal(p.steps[0].args[1], "ipv4");
        assert_string_equal(p.steps[0].args[2], "INPUT");
        assert_string_equal(p.steps[0].args[3], "1");
        assert_string_equal(p.steps[0].args[4], "-p");
        plan_done(&p);
        facts_done(&f);
}

static void test_seed_after(void **state) {
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};

        facts_from("seed-after.save", &o, NULL, &f);
        assert_int_equal(f.fw.n_ipt, 1);
        assert_int_equal(f.fw.ipt[0].verdict, FW_VERDICT_ACCEPTED);
        assert_int_equal(f.fw.ipt[0].index, 1);
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(p.n_faults, 0);
        plan_done(&p);
        facts_done(&f);

        /* port 23 stays blocked by the range rule, port 80 by "DROP all", 2222 by it too */
        o.ports[0] = 23;
        facts_from("seed-after.save", &o, NULL, &f);
        assert_int_equal(f.fw.ipt[0].verdict, FW_VERDICT_DROPPED);
        assert_int_equal(f.fw.ipt[0].index, 2);
        facts_done(&f);
        o.ports[0] = 80;
        facts_from("seed-after.save", &o, NULL, &f);
        assert_int_equal(f.fw.ipt[0].verdict, FW_VERDICT_DROPPED);
        assert_int_equal(f.fw.ipt[0].index, 3);
        facts_done(&f);
}

static void test_two_ports_numbering(void **state) {
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};

        o.n_ports = 2;
        o.ports[1] = 21;
        facts_from("seed-before.save", &o, NULL, &f);
        assert_int_equal(f.fw.n_ipt, 2);
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(p.n_steps, 2);
        /* the second insert lands after the first and still before the DROP */
        assert_string_equal(p.steps[0].command, "iptables -I INPUT 1 -p tcp --dport 22 -j ACCEPT");
        assert_string_equal(p.steps[1].command, "iptables -I INPUT 2 -p tcp --dport 21 -j ACCEPT");
        plan_done(&p);
        facts_done(&f);
}

static void test_single_port(void **state) {
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};
        const struct ipt_verdict *v;

        facts_from("single-port.save", &o, NULL, &f);
        v = &f.fw.ipt[0];
        assert_int_equal(v->verdict, FW_VERDICT_REJECTED);
        assert_int_equal(v->index, 3);
        assert_true(v->only_port);
        /* the quoted comment is one argument, unquoted */
        assert_string_equal(v->spec[9], "no \"ssh\" -here");
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_non_null(fw_find_fault(&p, "firewall.iptables.reject"));
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].operation, "delete-rule");
        assert_string_equal(p.steps[0].command, "iptables -D INPUT 3");
        assert_string_equal(p.steps[0].undo, "iptables -I INPUT 3 -p tcp -m tcp --dport 22 -m comment --comment "
                                             "\"no \"ssh\" -here\" -j REJECT --reject-with icmp-port-unreachable");
        assert_string_equal(p.steps[0].args[3], "3");
        assert_string_equal(p.steps[0].args[4], "-p");
        plan_done(&p);
        facts_done(&f);

        /* with two requested ports, a rule for one of them alone is still "only the SSH ports" */
        o.n_ports = 2;
        o.ports[1] = 23;
        facts_from("single-port.save", &o, NULL, &f);
        assert_int_equal(f.fw.ipt[1].index, 2);
        assert_true(f.fw.ipt[1].only_port);
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(p.n_steps, 2);
        assert_string_equal(p.steps[0].command, "iptables -D INPUT 3");
        assert_string_equal(p.steps[1].command, "iptables -D INPUT 2");
        plan_done(&p);
        facts_done(&f);
}

static void test_unknown(void **state) {
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};
        const struct ipt_verdict *v;
        const struct fault *x;

        facts_from("unknown-match.save", &o, NULL, &f);
        v = &f.fw.ipt[0];
        /* the UDP rule with u32 does not matter; the TCP one does */
        assert_int_equal(v->verdict, FW_VERDICT_UNKNOWN);
        assert_int_equal(v->index, 3);
        assert_non_null(strstr(v->unknown, "-m u32"));
        assert_int_equal(plan_build(&f, &o, &p), 0);
        x = fw_find_fault(&p, "firewall.iptables.unknown");
        assert_non_null(x);
        assert_int_equal(x->remedy, REMEDY_NEEDS_PERSON);
        assert_non_null(strstr(x->evidence[0], "-m u32"));
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

static void test_chains(void **state) {
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};
        const struct ipt_verdict *v;

        /* anyone: the bans match some sources only; services accepts 10/8 only; "blocked" drops */
        facts_from("chains.save", &o, NULL, &f);
        v = &f.fw.ipt[0];
        assert_int_equal(v->verdict, FW_VERDICT_DROPPED);
        assert_string_equal(v->chain, "blocked");
        assert_int_equal(v->index, 2);
        assert_int_equal(v->entry, 7);
        assert_int_equal(v->owner, FW_OWNER_NONE);
        assert_true(strv_length(v->notes) >= 3);
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].command, "iptables -I INPUT 7 -p tcp --dport 22 -j ACCEPT");
        plan_done(&p);
        facts_done(&f);

        /* from a banned address: fail2ban's chain rejects it */
        o.from = (struct cidr) { .family = AF_INET, .prefixlen = 32 };
        inet_pton(AF_INET, "192.0.2.1", &o.from.addr.in);
        facts_from("chains.save", &o, NULL, &f);
        v = &f.fw.ipt[0];
        assert_int_equal(v->verdict, FW_VERDICT_REJECTED);
        assert_string_equal(v->chain, "f2b-sshd");
        assert_int_equal(v->owner, FW_OWNER_FAIL2BAN);
        /* fail2ban is not running: a person must look */
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_non_null(fw_find_fault(&p, "firewall.iptables.foreign"));
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);

        /* from 10.1.2.3: services accepts it */
        inet_pton(AF_INET, "10.1.2.3", &o.from.addr.in);
        facts_from("chains.save", &o, NULL, &f);
        assert_int_equal(f.fw.ipt[0].verdict, FW_VERDICT_ACCEPTED);
        assert_string_equal(f.fw.ipt[0].chain, "services");
        facts_done(&f);

        /* from 203.0.113.0/24: the allow rule carries the source */
        inet_pton(AF_INET, "203.0.113.0", &o.from.addr.in);
        o.from.prefixlen = 24;
        facts_from("chains.save", &o, NULL, &f);
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_string_equal(p.steps[0].command, "iptables -I INPUT 7 -s 203.0.113.0/24 -p tcp --dport 22 -j ACCEPT");
        plan_done(&p);
        facts_done(&f);
}

static void test_ufw_owned(void **state) {
        struct options o = fixture_options();
        struct facts f;
        const struct ipt_verdict *v;

        facts_from("ufw-default-deny.save", &o, NULL, &f);
        v = &f.fw.ipt[0];
        assert_int_equal(v->verdict, FW_VERDICT_DROPPED);
        assert_string_equal(v->chain, "ufw-user-input");
        assert_int_equal(v->owner, FW_OWNER_UFW);
        facts_done(&f);

        o.ports[0] = 2222;
        facts_from("ufw-default-deny.save", &o, NULL, &f);
        v = &f.fw.ipt[0];
        assert_int_equal(v->verdict, FW_VERDICT_DROPPED);
        assert_true(v->by_policy);
        assert_int_equal(v->owner, FW_OWNER_UFW); /* ufw's default policy */
        facts_done(&f);
}

static void test_persist(void **state) {
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};
        const struct ipt_table *t;
        char dir[] = "/tmp/test-ipt-XXXXXX", path[256], *content;
        FILE *out;

        facts_from("seed-before.save", &o, TEST_DATA_DIR "/firewall/persist-root", &f);
        t = fw_ipt_table(&f.fw, IPT_VARIANT_NFT, 0);
        assert_non_null(t->persist.path);
        assert_non_null(strstr(t->persist.path, "/etc/iptables/rules.v4"));
        assert_string_equal(t->persist.loaded_by, "netfilter-persistent.service");
        assert_true(t->persist.in_sync); /* counters and comments do not count */
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(p.n_steps, 2);
        assert_string_equal(p.steps[1].operation, "save");
        assert_non_null(strstr(p.steps[1].command, "iptables-save > "));
        plan_done(&p);

        /* not writable: nothing is planned, a person is told */
        fw_ipt_table(&f.fw, IPT_VARIANT_NFT, 0)->persist.writable = false;
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(p.n_steps, 0);
        assert_int_equal(fw_find_fault(&p, "firewall.iptables.drop")->remedy, REMEDY_NEEDS_PERSON);
        assert_non_null(strstr(fw_find_fault(&p, "firewall.iptables.drop")->advice, "not writable"));
        plan_done(&p);

        /* out of step with the live rules: the fix is made but not saved there */
        fw_ipt_table(&f.fw, IPT_VARIANT_NFT, 0)->persist.writable = true;
        fw_ipt_table(&f.fw, IPT_VARIANT_NFT, 0)->persist.in_sync = false;
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(p.n_steps, 1);
        assert_non_null(fw_find_fault(&p, "firewall.iptables.not-persisted"));
        plan_done(&p);
        facts_done(&f);

        /* saving replaces the filter table only, keeps nat, mode and the rest */
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/rules.v4", dir);
        content = fw_read_fixture("persist-root/etc/iptables/rules.v4");
        out = fopen(path, "we");
        fputs(content, out);
        fclose(out);
        free(content);
        chmod(path, 0640);
        assert_int_equal(ipt_persist_write(path, "*filter\n:INPUT DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n"), 0);
        out = fopen(path, "re");
        char buf[2048] = {};
        assert_true(fread(buf, 1, sizeof buf - 1, out) > 0);
        fclose(out);
        assert_non_null(strstr(buf, "*nat\n:PREROUTING ACCEPT [0:0]"));
        assert_non_null(strstr(buf, "*filter\n:INPUT DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n# Completed"));
        assert_null(strstr(buf, "20:25"));
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640);

        /* a file snapshot restores byte-exact */
        char *snap = NULL;
        size_t size = 0;
        out = open_memstream(&snap, &size);
        assert_int_equal(ipt_file_snapshot(out, path, path), 0);
        fclose(out);
        unlink(path);
        const char *cur = snap;
        assert_int_equal(ipt_file_restore(&cur, NULL), 0);
        assert_int_equal(*cur, 0);
        out = fopen(path, "re");
        char buf2[2048] = {};
        assert_true(fread(buf2, 1, sizeof buf2 - 1, out) > 0);
        fclose(out);
        assert_string_equal(buf, buf2);
        free(snap);
        unlink(path);
        rmdir(dir);
}

static void test_normalize(void **state) {
        _cleanup_free_ char *text = fw_read_fixture("seed-before.save"), *n = NULL;

        assert_int_equal(ipt_save_normalize(text, "filter", &n), 0);
        assert_string_equal(n, "*filter\n:INPUT DROP\n:FORWARD DROP\n:OUTPUT ACCEPT\n"
                               "-A INPUT -p tcp -m multiport --dports 20:25 -j DROP\n-A INPUT -j DROP\nCOMMIT\n");
        free(n);
        n = NULL;
        assert_int_equal(ipt_save_normalize(text, "nat", &n), 0);
        assert_null(n);
}

static void test_bad_input(void **state) {
        struct ipt_ruleset rs;
        _cleanup_free_ char *error = NULL;

        assert_true(ipt_ruleset_parse("*filter\n:INPUT ACCEPT [0:0]\n-A NOCHAIN -j DROP\nCOMMIT\n", "filter", AF_INET, &rs,
                                      &error) < 0);
        assert_non_null(strstr(error, "line 3"));
        free(error);
        error = NULL;
        assert_true(ipt_ruleset_parse("*filter\n:INPUT ACCEPT [0:0]\n", "filter", AF_INET, &rs, &error) < 0);
        assert_true(ipt_ruleset_parse("*filter\n:INPUT ACCEPT\n-A INPUT -m comment --comment \"open -j DROP\nCOMMIT\n",
                                      "filter", AF_INET, &rs, NULL) < 0);
}

static void test_ipv6(void **state) {
        struct options o = fixture_options();
        struct ipt_ruleset rs;
        struct ipt_verdict v;
        struct ipt_packet pkt = { .family = AF_INET6, .port = 22, .ports = o.ports, .n_ports = 1, .ifaces = ifaces_eth0 };
        const char *text = "*filter\n:INPUT ACCEPT [0:0]\n"
                           "-A INPUT -m rt --rt-type 0 -j DROP\n"
                           "-A INPUT -p ipv6-icmp -j ACCEPT\n"
                           "-A INPUT -s 2001:db8::/32 -p tcp -m tcp --dport 22 -j ACCEPT\n"
                           "-A INPUT -i eth+ -p tcp -m tcp --dport 10:30 -j REJECT --reject-with tcp-reset\n"
                           "COMMIT\n";

        assert_int_equal(ipt_ruleset_parse(text, "filter", AF_INET6, &rs, NULL), 0);
        assert_int_equal(ipt_evaluate(&rs, &pkt, &v), 0);
        assert_int_equal(v.verdict, FW_VERDICT_REJECTED);
        assert_int_equal(v.index, 4);
        assert_int_equal(strv_length(v.notes), 1);
        ipt_verdict_done(&v);
        ipt_ruleset_done(&rs);
}

static void test_delete_then_allow(void **state) {
        struct options o = fixture_options();
        struct ipt_ruleset rs;
        struct ipt_verdict v;
        struct ipt_packet pkt = { .family = AF_INET, .port = 22, .ports = o.ports, .n_ports = 1, .ifaces = ifaces_eth0 };
        const char *text = "*filter\n:INPUT DROP [0:0]\n"
                           "-A INPUT -p tcp -m tcp --dport 22 -j DROP\n"
                           "-A INPUT -i lo -j ACCEPT\n"
                           "-A INPUT -p tcp -m tcp --dport 22 -j REJECT\n"
                           "-A INPUT -p tcp -m multiport --dports 20:30 -j DROP\n"
                           "COMMIT\n";
        struct facts f;
        struct plan p = {};
        struct ipt_table *t;

        assert_int_equal(ipt_ruleset_parse(text, "filter", AF_INET, &rs, NULL), 0);
        assert_int_equal(ipt_evaluate(&rs, &pkt, &v), 0);
        /* rule 1 for 22 alone; without it rule 3 for 22 alone; without that the range rule 4 */
        assert_int_equal(v.index, 1);
        assert_non_null(v.after);
        assert_int_equal(v.after->index, 3);
        assert_non_null(v.after->after);
        assert_int_equal(v.after->after->index, 4);
        assert_null(v.after->after->after);
        ipt_verdict_done(&v);
        ipt_ruleset_done(&rs);

        /* the plan: delete 1, delete 3 (now 2), then an ACCEPT before the range rule (now 2) */
        fixture_healthy(&f);
        f.fw.known = true;
        t = fw_ipt_table(&f.fw, IPT_VARIANT_NFT, 0);
        *t = (struct ipt_table) { .variant = IPT_VARIANT_NFT, .family = AF_INET, .is_default = true };
        assert_int_equal(ipt_table_facts(&o, &f.fw, t, text, ifaces_eth0, TEST_DATA_DIR "/firewall/no-root", NULL), 0);
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(p.n_steps, 3);
        assert_string_equal(p.steps[0].command, "iptables -D INPUT 1");
        assert_string_equal(p.steps[1].command, "iptables -D INPUT 2");
        assert_string_equal(p.steps[2].command, "iptables -I INPUT 2 -p tcp --dport 22 -j ACCEPT");
        plan_done(&p);
        facts_done(&f);
}

/* After a deletion the walk goes on from the deleted rule, as a new walk without it would:
 * the deleted rule, met before as a block of some SYNs only, leaves no note behind, and is
 * passed over where the walk meets it again. */
static void test_after_deletion_walk(void **state) {
        struct options o = fixture_options();
        struct ipt_ruleset rs;
        struct ipt_verdict v;
        struct ipt_packet pkt = { .family = AF_INET, .port = 22, .ports = o.ports, .n_ports = 1, .ifaces = ifaces_eth0 };
        const char *text = "*filter\n:INPUT ACCEPT [0:0]\n:BLK - [0:0]\n"
                           "-A INPUT -s 10.0.0.0/8 -j BLK\n"
                           "-A INPUT -m limit --limit 1/sec -j DROP\n"
                           "-A INPUT -j BLK\n"
                           "-A INPUT -j BLK\n"
                           "-A INPUT -p tcp -m multiport --dports 20:30 -j DROP\n"
                           "-A BLK -p tcp -m tcp --dport 22 -j DROP\n"
                           "COMMIT\n";

        assert_int_equal(ipt_ruleset_parse(text, "filter", AF_INET, &rs, NULL), 0);
        assert_int_equal(ipt_evaluate(&rs, &pkt, &v), 0);
        /* BLK's rule decides, entered from INPUT rule 3; before that it blocked some (from
         * 10/8) and the limit rule some */
        assert_int_equal(v.verdict, FW_VERDICT_DROPPED);
        assert_string_equal(v.chain, "BLK");
        assert_int_equal(v.entry, 3);
        assert_true(v.only_port);
        assert_int_equal(strv_length(v.notes), 2);
        assert_non_null(strstr(v.notes[0], "-A BLK"));
        assert_non_null(strstr(v.notes[1], "limit"));
        /* without it: INPUT rule 4 jumps to an empty BLK, the range rule 5 decides; only the
         * limit rule's note is left */
        assert_non_null(v.after);
        assert_string_equal(v.after->chain, "INPUT");
        assert_int_equal(v.after->index, 5);
        assert_false(v.after->only_port);
        assert_int_equal(strv_length(v.after->notes), 1);
        assert_non_null(strstr(v.after->notes[0], "limit"));
        assert_null(v.after->after);
        ipt_verdict_done(&v);
        ipt_ruleset_done(&rs);
}

/* Text fed as it comes from a running *-save, in pieces of every size, parses as the whole. */
static void assert_same_ruleset(const struct ipt_ruleset *a, const struct ipt_ruleset *b) {
        assert_int_equal(a->present, b->present);
        assert_int_equal(a->n_rules, b->n_rules);
        assert_int_equal(a->commit_line, b->commit_line);
        assert_int_equal(a->n_chains, b->n_chains);
        for (size_t c = 0; c < a->n_chains; c++) {
                assert_string_equal(a->chains[c].name, b->chains[c].name);
                assert_int_equal(a->chains[c].n_rules, b->chains[c].n_rules);
                for (size_t i = 0; i < a->chains[c].n_rules; i++) {
                        const struct ipt_rule *x = &a->chains[c].rules[i], *y = &b->chains[c].rules[i];

                        assert_string_equal(x->text, y->text);
                        assert_int_equal(x->n_tok, y->n_tok);
                        for (size_t t = 0; t < x->n_tok; t++) {
                                assert_string_equal(x->tok[t], y->tok[t]);
                                assert_int_equal(ipt_tok_quoted(x, t), ipt_tok_quoted(y, t));
                        }
                        assert_null(x->tok[x->n_tok]);
                        assert_int_equal(x->target, y->target);
                        assert_int_equal(x->line, y->line);
                        assert_int_equal(x->proto_tok, y->proto_tok);
                        assert_int_equal(x->has_dport, y->has_dport);
                        assert_int_equal(x->dport_lo, y->dport_lo);
                        assert_int_equal(x->dport_hi, y->dport_hi);
                }
        }
}

static void test_incremental(void **state) {
        const char *fixtures[] = { "seed-before.save", "ufw-default-deny.save", "chains.save", "unknown-match.save" };

        for (size_t k = 0; k < ELEMENTSOF(fixtures); k++) {
                _cleanup_free_ char *text = fw_read_fixture(fixtures[k]);
                size_t len = strlen(text);
                struct ipt_ruleset whole;

                assert_int_equal(ipt_ruleset_parse(text, "filter", AF_INET, &whole, NULL), 0);
                assert_true(whole.n_rules > 0);
                for (size_t step = 1; step <= 64; step *= 4) {
                        struct ipt_parser p;
                        struct ipt_ruleset rs;
                        /* what came so far, in a buffer that moves like a growing pipe read */
                        char *sofar = NULL;

                        ipt_parser_init(&p, "filter", AF_INET);
                        for (size_t n = step; n < len; n += step) {
                                char *b = malloc(n + 1);

                                assert_non_null(b);
                                memcpy(b, text, n);
                                b[n] = 0;
                                free(sofar);
                                sofar = b;
                                assert_int_equal(ipt_parser_feed(&p, sofar, n), 0);
                        }
                        assert_int_equal(ipt_parser_finish(&p, text, len, &rs, NULL), 0);
                        assert_same_ruleset(&whole, &rs);
                        ipt_ruleset_done(&rs);
                        free(sofar);
                }
                ipt_ruleset_done(&whole);
        }

        /* an error in the middle is reported at the end, with its line; no newline at the end */
        {
                const char *bad = "*filter\n:INPUT ACCEPT [0:0]\n-A NOCHAIN -j DROP\n-A INPUT -j DROP\nCOMMIT";
                _cleanup_free_ char *error = NULL;
                struct ipt_parser p;
                struct ipt_ruleset rs;

                ipt_parser_init(&p, "filter", AF_INET);
                assert_int_equal(ipt_parser_feed(&p, bad, 30), 0);
                assert_int_equal(ipt_parser_feed(&p, bad, 50), 0);
                assert_true(ipt_parser_finish(&p, bad, strlen(bad), &rs, &error) < 0);
                assert_string_equal(error, "line 3 of the filter table is not iptables-save syntax");
        }
        /* a jump to a chain declared further down still finds it */
        {
                const char *text = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j LATE\n:LATE - [0:0]\n"
                                   "-A LATE -p tcp -m tcp --dport 22 -j DROP\nCOMMIT\n";
                struct ipt_ruleset rs;

                assert_int_equal(ipt_ruleset_parse(text, "filter", AF_INET, &rs, NULL), 0);
                assert_int_equal(rs.chains[0].rules[0].target, ipt_ruleset_find_chain(&rs, "LATE"));
                assert_int_equal(rs.chains[0].rules[0].target, 1);
                ipt_ruleset_done(&rs);
        }
        /* the last line needs no newline; after the table's COMMIT nothing counts */
        {
                const char *text = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n*filter\ngarbage";
                struct ipt_parser p;
                struct ipt_ruleset rs;

                ipt_parser_init(&p, "filter", AF_INET);
                assert_int_equal(ipt_parser_finish(&p, text, strlen(text), &rs, NULL), 0);
                assert_int_equal(rs.n_rules, 1);
                assert_int_equal(rs.commit_line, 4);
                ipt_ruleset_done(&rs);
        }
}

/* The parser's note of -p and --dport lets the evaluator pass over rules for other
 * protocols and ports; a quoted "-p udp" is an argument, not an option. */
static void test_quick_look(void **state) {
        struct options o = fixture_options();
        struct ipt_ruleset rs;
        struct ipt_verdict v;
        struct ipt_packet pkt = { .family = AF_INET, .port = 22, .ports = o.ports, .n_ports = 1, .ifaces = ifaces_eth0 };
        const char *text = "*filter\n:INPUT ACCEPT [0:0]\n"
                           "-A INPUT -p udp -m udp --dport 22 -j DROP\n"
                           "-A INPUT ! -p tcp -j DROP\n"
                           "-A INPUT -p tcp -m tcp ! --dport 22 -j DROP\n"
                           "-A INPUT -p tcp -m tcp --dport 23:30 -j DROP\n"
                           "-A INPUT -m comment --comment \"-p udp --dport 80\" -p tcp -m tcp --destination-port 20:22 -j DROP\n"
                           "COMMIT\n";
        const struct ipt_rule *r;

        assert_int_equal(ipt_ruleset_parse(text, "filter", AF_INET, &rs, NULL), 0);
        r = rs.chains[0].rules;
        assert_string_equal(r[0].tok[r[0].proto_tok], "udp");
        assert_true(r[0].has_dport && r[0].dport_lo == 22 && r[0].dport_hi == 22 && !r[0].dport_inv);
        assert_true(r[1].proto_inv);
        assert_true(r[2].has_dport && r[2].dport_inv);
        assert_true(r[3].dport_lo == 23 && r[3].dport_hi == 30);
        assert_string_equal(r[4].tok[r[4].proto_tok], "tcp");
        assert_true(r[4].dport_lo == 20 && r[4].dport_hi == 22);
        assert_int_equal(ipt_evaluate(&rs, &pkt, &v), 0);
        assert_int_equal(v.verdict, FW_VERDICT_DROPPED);
        assert_int_equal(v.index, 5);
        ipt_verdict_done(&v);
        ipt_ruleset_done(&rs);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_seed_before),
                cmocka_unit_test(test_incremental),
                cmocka_unit_test(test_after_deletion_walk),
                cmocka_unit_test(test_quick_look),
                cmocka_unit_test(test_seed_after),
                cmocka_unit_test(test_two_ports_numbering),
                cmocka_unit_test(test_single_port),
                cmocka_unit_test(test_unknown),
                cmocka_unit_test(test_chains),
                cmocka_unit_test(test_ufw_owned),
                cmocka_unit_test(test_persist),
                cmocka_unit_test(test_normalize),
                cmocka_unit_test(test_bad_input),
                cmocka_unit_test(test_ipv6),
                cmocka_unit_test(test_delete_then_allow),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
