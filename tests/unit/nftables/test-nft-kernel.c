/* Against a real kernel, in a network namespace of this test process's own (unshare): the
 * dump, steps applied in one batch, the generation check that refuses a stale batch as a
 * whole, the re-check after a repair, iptables-nft's tables left to their backend, and a
 * snapshot that compares equal after restore. Skipped when not root. Never touches the
 * ruleset of the namespace the test was started in. */

#include <netinet/in.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/netfilter.h>

#include "nft-batch.h"
#include "nft-dump.h"
#include "nft-facts.h"
#include "plans/plans.h"
#include "util/strv.h"

static const char ruleset[] =
        "table inet filter {\n"
        "  set banned { type ipv4_addr; flags interval; elements = { 198.51.100.0/24, 203.0.113.0/24 } }\n"
        "  set one { type ipv4_addr; flags interval; elements = { 0.0.0.0/0 } }\n"
        "  chain input {\n"
        "    type filter hook input priority 0; policy drop;\n"
        "    iif lo accept\n"
        "    ip saddr @banned drop\n"
        "    ip saddr != @one drop\n"
        "    tcp dport { 22 } counter drop comment \"x\"\n"
        "    tcp dport { 20-25, 8022 } drop\n"
        "  }\n"
        "}\n";

static int load(const char *text) {
        FILE *p = popen("nft -f -", "w");
        if (!p)
                return -errno;
        fputs(text, p);
        return pclose(p) == 0 ? 0 : -EIO;
}

static int setup(void **state) {
        if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0 || access("/usr/sbin/nft", X_OK) < 0)
                return 0;
        *state = (void *) 1;
        return load(ruleset);
}

static void probe(struct options *o, struct facts *f, struct plan *p) {
        struct nft_ruleset rs = {};
        struct nft_nl nl;
        uint32_t genid = 0;

        assert_int_equal(nft_nl_open(&nl), 0);
        assert_int_equal(nft_dump_ruleset(&nl, &rs, &genid), 0);
        *f = (struct facts) {};
        assert_int_equal(nft_facts_from_ruleset(&rs, o, NULL, &f->nft), 0);
        f->nft.genid = genid;
        nft_ruleset_done(&rs);
        nft_nl_close(&nl);
        *p = (struct plan) {};
        assert_int_equal(plan_nft(f, o, p), 0);
}

static void test_apply_restore(void **state) {
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        _cleanup_free_ char *before = NULL, *after = NULL, *restored = NULL;
        struct facts f;
        struct plan p;

        if (!*state)
                skip();
        probe(&o, &f, &p);
        /* @banned is only peeked at (two elements: some sources), @one is read whole (it
         * holds every source: the rule matches no SYN) */
        assert_non_null(f.nft.verdicts[0].notes);
        assert_non_null(strstr(f.nft.verdicts[0].notes[0], "@banned"));
        assert_int_equal(p.n_steps, 2); /* delete { 22 }, insert before { 20-25, 8022 } */
        assert_string_equal(p.steps[0].operation, "delete-rule");
        assert_string_equal(p.steps[1].operation, "insert-rule");
        assert_int_equal(nft_backend_snapshot(&o, &p, &before), 0);
        assert_non_null(before);

        /* A change by someone else after the probe: the step is refused, nothing changes. */
        assert_int_equal(load("add rule inet filter input tcp dport 9 accept\n"), 0);
        assert_int_equal(nft_backend_apply(&o, &p.steps[0], NULL), -ERESTART);
        assert_int_equal(load("flush ruleset\n"), 0);
        assert_int_equal(load(ruleset), 0);
        plan_done(&p);
        facts_done(&f);

        /* Read again: both steps apply, one batch each, the second checked against the
         * generation the first produced. */
        nft_batch_reset_genid();
        probe(&o, &f, &p);
        free(before);
        before = NULL;
        assert_int_equal(nft_backend_snapshot(&o, &p, &before), 0);
        for (size_t i = 0; i < p.n_steps; i++)
                assert_int_equal(nft_backend_apply(&o, &p.steps[i], NULL), 0);
        assert_int_equal(nft_backend_snapshot(&o, &p, &after), 0);
        assert_string_not_equal(before, after);
        plan_done(&p);
        facts_done(&f);

        /* After the repair nothing blocks SSH any more. */
        probe(&o, &f, &p);
        assert_int_equal(p.n_steps, 0);

        /* Restore from the text alone, then the snapshot compares equal. */
        assert_int_equal(nft_backend_restore(&o, before), 0);
        plan_done(&p);
        facts_done(&f);
        probe(&o, &f, &p);
        assert_int_equal(p.n_steps, 2);
        assert_int_equal(nft_backend_snapshot(&o, &p, &restored), 0);
        assert_string_equal(before, restored);
        plan_done(&p);
        facts_done(&f);
}

static uint32_t current_genid(void) {
        struct nft_nl nl;
        uint32_t g = 0;

        assert_int_equal(nft_nl_open(&nl), 0);
        assert_int_equal(nft_nl_genid(&nl, &g), 0);
        nft_nl_close(&nl);
        return g;
}

static void group_of(const struct plan *p, const struct step **g) {
        for (size_t i = 0; i < p->n_steps; i++)
                g[i] = &p->steps[i];
}

/* Both steps in one batch: the generation moves by one, and nothing blocks afterwards. */
static void test_one_batch(void **state) {
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        _cleanup_strv_free_ char **details = NULL;
        const struct step *g[8];
        size_t failed = 99;
        uint32_t before;
        struct facts f;
        struct plan p;

        if (!*state)
                skip();
        nft_batch_reset_genid();
        probe(&o, &f, &p);
        assert_int_equal(p.n_steps, 2);
        group_of(&p, g);
        before = current_genid();
        assert_int_equal(before, f.nft.genid);
        assert_false(nft_backend_changed_nothing(&o));
        assert_int_equal(nft_backend_apply_group(&o, g, p.n_steps, &failed, &details), 0);
        assert_int_equal(current_genid(), before + 1); /* one commit for both */
        assert_false(nft_backend_changed_nothing(&o));
        assert_null(details);
        plan_done(&p);
        facts_done(&f);

        probe(&o, &f, &p);
        assert_int_equal(p.n_steps, 0);
        assert_int_equal(nft_verify_facts(&f.nft, &details), 0);
        assert_null(details);
        plan_done(&p);
        facts_done(&f);
}

/* A change by someone else between probe and apply: the whole batch is refused, and the
 * chain is exactly as the other change left it. */
static void test_batch_refused(void **state) {
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        _cleanup_free_ char *mid = NULL, *after = NULL;
        _cleanup_strv_free_ char **details = NULL;
        const struct step *g[8];
        size_t failed = 99;
        struct facts f;
        struct plan p;

        if (!*state)
                skip();
        nft_batch_reset_genid();
        probe(&o, &f, &p);
        assert_int_equal(p.n_steps, 2);
        group_of(&p, g);
        assert_int_equal(load("add rule inet filter input tcp dport 9 accept\n"), 0);
        assert_int_equal(nft_backend_snapshot(&o, &p, &mid), 0);
        assert_int_equal(nft_backend_apply_group(&o, g, p.n_steps, &failed, &details), -ERESTART);
        assert_int_equal(failed, 0);
        assert_non_null(details);
        assert_non_null(strstr(details[0], "batch of 2 change(s) was refused, nothing was changed"));
        assert_int_equal(nft_backend_snapshot(&o, &p, &after), 0);
        assert_string_equal(mid, after);
        /* the rollback leaves the chain alone: the rule added meanwhile stays */
        assert_true(nft_backend_changed_nothing(&o));
        plan_done(&p);
        facts_done(&f);
}

/* The re-check after a repair names the rule that still blocks. */
static void test_verify_names_blocker(void **state) {
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        _cleanup_strv_free_ char **details = NULL;
        const struct step *g[1];
        size_t failed;
        struct facts f;
        struct plan p;

        if (!*state)
                skip();
        nft_batch_reset_genid();
        probe(&o, &f, &p);
        assert_int_equal(nft_verify_facts(&f.nft, NULL), -EHOSTUNREACH);
        g[0] = &p.steps[0]; /* only the delete: the range rule still drops */
        assert_int_equal(nft_backend_apply_group(&o, g, 1, &failed, NULL), 0);
        plan_done(&p);
        facts_done(&f);

        probe(&o, &f, &p);
        assert_int_equal(nft_verify_facts(&f.nft, &details), -EHOSTUNREACH);
        assert_non_null(details);
        assert_non_null(strstr(details[0], "inet filter input: an IPv4 SYN to port 22 is dropped by rule"));
        assert_non_null(strstr(details[0], "20-25"));
        plan_done(&p);
        facts_done(&f);
}

/* iptables-nft's table: listed as foreign, its rules not read (the iptables backend does). */
static void test_iptables_table_skipped(void **state) {
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        struct facts f;
        struct plan p;

        if (!*state)
                skip();
        assert_int_equal(load("table ip filter {\n"
                              "  chain INPUT { type filter hook input priority 0; policy accept;\n"
                              "    tcp dport 22 drop\n tcp dport 23 drop\n }\n"
                              "}\n"), 0);
        probe(&o, &f, &p);
        assert_int_equal(f.nft.n_foreign, 1);
        assert_string_equal(f.nft.foreign[0].table, "filter");
        assert_int_equal(f.nft.foreign[0].owner, NFT_OWNER_IPTABLES);
        assert_int_equal(f.nft.n_rules, 5); /* the inet table's only */
        for (size_t i = 0; i < f.nft.n_verdicts; i++)
                assert_string_equal(f.nft.verdicts[i].family, "inet");
        assert_int_equal(p.n_steps, 2);
        plan_done(&p);
        facts_done(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_apply_restore, setup),
                cmocka_unit_test_setup(test_one_batch, setup),
                cmocka_unit_test_setup(test_batch_refused, setup),
                cmocka_unit_test_setup(test_verify_names_blocker, setup),
                cmocka_unit_test_setup(test_iptables_table_skipped, setup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
