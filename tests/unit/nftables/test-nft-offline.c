/* Offline (--root DIR): the tree's /etc/nftables.conf is evaluated in a network namespace of
 * its own, the plan edits only that file, and the ruleset of the namespace this test runs in
 * (a private one, from unshare) is neither read nor changed. Skipped when not root. */

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
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend.h"
#include "nft-batch.h"
#include "nft-dump.h"
#include "nft-facts.h"
#include "nft-offline.h"
#include "plans/plans.h"
#include "util/strv.h"

static const char conf[] =
        "#!/usr/sbin/nft -f\n"
        "flush ruleset\n"
        "\n"
        "table inet filter {\n"
        "\tchain input {\n"
        "\t\ttype filter hook input priority filter; policy accept;\n"
        "\t\tiif lo accept\n"
        "\t\ttcp dport 22 drop\n"
        "\t\ttcp dport 20-25 drop\n"
        "\t}\n"
        "}\n";

/* In the namespace the test runs in: must stay as it is. */
static const char marker[] = "table inet marker {\n chain c { type filter hook input priority 0; tcp dport 22 accept; }\n}\n";

static char root[64];

static int load(const char *text) {
        FILE *p = popen("nft -f -", "w");
        if (!p)
                return -errno;
        fputs(text, p);
        return pclose(p) == 0 ? 0 : -EIO;
}

static void write_file(const char *rel, const char *text) {
        _cleanup_free_ char *path = strprintf("%s%s", root, rel);
        FILE *f = fopen(path, "we");

        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static char *read_text(const char *rel) {
        _cleanup_free_ char *path = strprintf("%s%s", root, rel);
        char *buf = calloc(1, 65536);
        FILE *f = fopen(path, "re");

        assert_non_null(f);
        assert_true(fread(buf, 1, 65535, f) > 0);
        fclose(f);
        return buf;
}

static int setup(void **state) {
        _cleanup_free_ char *link = NULL, *mkdir = NULL;

        if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0 || access("/usr/sbin/nft", X_OK) < 0)
                return 0;
        snprintf(root, sizeof root, "/tmp/sshrepair-nft-offline-XXXXXX");
        if (!mkdtemp(root))
                return -1;
        link = strprintf("%s/etc/systemd/system/multi-user.target.wants/nftables.service", root);
        mkdir = strprintf("mkdir -p %s/etc/systemd/system/multi-user.target.wants", root);
        if (system(mkdir) != 0 ||
            symlink("/lib/systemd/system/nftables.service", link) < 0)
                return -1;
        write_file("/etc/nftables.conf", conf);
        *state = (void *) 1;
        return load(marker);
}

static int teardown(void **state) {
        if (*state) {
                _cleanup_free_ char *cmd = strprintf("rm -rf %s", root);
                (void) system(cmd);
        }
        return 0;
}

static uint32_t here_genid(void) {
        struct nft_nl nl;
        uint32_t g = 0;

        assert_int_equal(nft_nl_open(&nl), 0);
        assert_int_equal(nft_nl_genid(&nl, &g), 0);
        nft_nl_close(&nl);
        return g;
}

static void test_offline_repair(void **state) {
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        _cleanup_free_ char *before = NULL, *restored = NULL, *edited = NULL, *back = NULL, *sed = NULL;
        _cleanup_strv_free_ char **details = NULL;
        const struct step *g[1];
        struct facts f = {};
        struct plan p = {};
        uint32_t genid;
        size_t failed;

        if (!*state)
                skip();
        o.root = root;
        genid = here_genid();

        assert_int_equal(nft_offline_probe(&o, &f), 0);
        assert_null(f.unreadable);
        assert_true(f.nft.known);
        assert_true(f.nft.offline);
        assert_non_null(strstr(f.nft.source, "/etc/nftables.conf (loaded at boot by nftables.service)"));
        assert_int_equal(f.nft.n_tables, 1); /* the file's table; not "marker" from here */
        assert_true(f.nft.n_verdicts > 0);
        assert_string_equal(f.nft.verdicts[0].table, "filter");
        assert_int_equal(f.nft.verdicts[0].verdict, NFT_VERDICT_DROPPED);
        assert_int_equal(here_genid(), genid); /* nothing here changed */

        /* only the file: delete line 8, insert before line 9 */
        assert_int_equal(plan_nft(&f, &o, &p), 0);
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].operation, "persist");
        sed = strprintf("%s/etc/nftables.conf", root);
        assert_non_null(strstr(p.steps[0].command, sed));
        assert_non_null(strstr(p.steps[0].command, "-e '8d'"));
        assert_int_equal(nft_backend_snapshot(&o, &p, &before), 0);
        assert_non_null(strstr(before, "\nfile /etc/nftables.conf "));
        assert_null(strstr(before, "\nchain "));

        /* the engine's re-check of the tree, before the edit: names the rule */
        assert_int_equal(backend_nftables.verify(&o, &p, &details), -EHOSTUNREACH);
        assert_non_null(details);
        assert_non_null(strstr(details[0], "'tcp dport 22 drop'"));
        strv_free(details);
        details = NULL;

        g[0] = &p.steps[0];
        assert_int_equal(nft_backend_apply_group(&o, g, 1, &failed, &details), 0);
        assert_int_equal(backend_nftables.verify(&o, &p, &details), 0); /* and after it */
        edited = read_text("/etc/nftables.conf");
        assert_null(strstr(edited, "\t\ttcp dport 22 drop\n"));
        assert_non_null(strstr(edited, "\t\ttcp dport 22 accept comment \"sshrepair\"\n\t\ttcp dport 20-25 drop\n"));
        assert_int_equal(here_genid(), genid);
        plan_done(&p);
        facts_done(&f);

        /* the edited file lets SSH in */
        f = (struct facts) {};
        assert_int_equal(nft_offline_probe(&o, &f), 0);
        assert_int_equal(nft_verify_facts(&f.nft, NULL), 0);
        facts_done(&f);

        /* rollback: the file comes back byte for byte, and the snapshot compares equal */
        assert_int_equal(nft_backend_restore(&o, before), 0);
        back = read_text("/etc/nftables.conf");
        assert_string_equal(back, conf);
        f = (struct facts) {};
        assert_int_equal(nft_offline_probe(&o, &f), 0);
        assert_int_equal(plan_nft(&f, &o, &p), 0);
        assert_int_equal(nft_backend_snapshot(&o, &p, &restored), 0);
        assert_string_equal(before, restored);
        assert_int_equal(here_genid(), genid);
        plan_done(&p);
        facts_done(&f);
}

/* Kernel steps are refused offline: the running kernel is not the tree's. */
static void test_offline_no_kernel_step(void **state) {
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        _cleanup_strv_free_ char **details = NULL;
        struct plan p = {};
        const struct step *g[1];
        size_t failed = 99;
        uint32_t genid;

        if (!*state)
                skip();
        o.root = root;
        genid = here_genid();
        assert_int_equal(plan_add_step(&p, "firewall.nft.drop", "nftables", "add-rule", NULL, "x", "x", NULL), 0);
        assert_int_equal(strv_extend(&p.steps[0].args, "family=inet"), 0);
        assert_int_equal(strv_extend(&p.steps[0].args, "table=marker"), 0);
        assert_int_equal(strv_extend(&p.steps[0].args, "chain=c"), 0);
        assert_int_equal(strv_extend(&p.steps[0].args, "genid=0"), 0);
        assert_int_equal(strv_extend(&p.steps[0].args, "port=22"), 0);
        g[0] = &p.steps[0];
        assert_int_equal(nft_backend_apply_group(&o, g, 1, &failed, &details), -EOPNOTSUPP);
        assert_int_equal(failed, 0);
        assert_int_equal(here_genid(), genid);
        plan_done(&p);
}

/* Not enabled in the tree: nothing is loaded at boot, and that is said. */
static void test_offline_not_enabled(void **state) {
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        _cleanup_free_ char *link = NULL;
        struct facts f = {};
        struct plan p = {};

        if (!*state)
                skip();
        o.root = root;
        link = strprintf("%s/etc/systemd/system/multi-user.target.wants/nftables.service", root);
        assert_int_equal(unlink(link), 0);
        assert_int_equal(nft_offline_probe(&o, &f), 0);
        assert_true(f.nft.known);
        assert_int_equal(f.nft.n_verdicts, 0);
        assert_non_null(strstr(f.nft.source, "none: nftables.service is not enabled in"));
        assert_int_equal(plan_nft(&f, &o, &p), 0);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

/* An include would read this host's files: not evaluated, said why. */
static void test_offline_include(void **state) {
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        struct facts f = {};

        if (!*state)
                skip();
        o.root = root;
        write_file("/etc/nftables.conf", "flush ruleset\ninclude \"/etc/nftables.d/*.nft\"\n");
        assert_int_equal(nft_offline_probe(&o, &f), 0);
        assert_false(f.nft.known);
        assert_non_null(f.unreadable);
        assert_non_null(strstr(f.unreadable[0], "line 2 includes another file"));
        facts_done(&f);
}

/* A file nft refuses: not evaluated, nft's message given. */
static void test_offline_bad_file(void **state) {
        struct options o = { .ports = { 22 }, .n_ports = 1 };
        struct facts f = {};

        if (!*state)
                skip();
        o.root = root;
        write_file("/etc/nftables.conf", "table inet filter {\n chain input { type filter hook input priority 0; tcp dport 22 frobnicate; }\n}\n");
        assert_int_equal(nft_offline_probe(&o, &f), 0);
        assert_false(f.nft.known);
        assert_non_null(f.unreadable);
        assert_non_null(strstr(f.unreadable[0], "nft -f refuses it"));
        facts_done(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_offline_repair, setup, teardown),
                cmocka_unit_test_setup_teardown(test_offline_no_kernel_step, setup, teardown),
                cmocka_unit_test_setup_teardown(test_offline_not_enabled, setup, teardown),
                cmocka_unit_test_setup_teardown(test_offline_include, setup, teardown),
                cmocka_unit_test_setup_teardown(test_offline_bad_file, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
