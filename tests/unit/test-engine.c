/* The whole pipeline — probe, plan, decide, apply, verify, report — with a fake subsystem
 * standing in for systemd (via io->backends and -Wl,--wrap): the real policy modules plan
 * the repair of a stopped sshd; the text and JSON reports and the exit codes are checked. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "engine.h"
#include "util/strv.h"

static bool running;      /* the fake sshd */
static size_t applied;
static char *state_dir;

static int fake_probe(const struct options *o, struct facts *f) {
        f->systemd = true;
        f->sshd_path = strdup("/usr/sbin/sshd");
        f->service = (struct unit_fact) {
                .name = strdup("ssh.service"),
                .load_state = strdup("loaded"),
                .active_state = strdup(running ? "active" : "inactive"),
                .sub_state = strdup(running ? "running" : "dead"),
                .unit_file_state = strdup("enabled"),
        };
        return 0;
}

static int fake_snapshot(const struct options *o, const struct plan *p, char **ret) {
        *ret = strdup(running ? "running\n" : "stopped\n");
        return 0;
}

static int fake_restore(const struct options *o, const char *text) {
        running = streq(text, "running\n");
        return 0;
}

static int fake_apply(const struct options *o, const struct step *s, char ***details) {
        applied++;
        if (streq(s->operation, "start"))
                running = true;
        return 0;
}

static const struct backend fake = {
        .name = "systemd",
        .probe = fake_probe,
        .snapshot = fake_snapshot,
        .restore = fake_restore,
        .apply = fake_apply,
};
static const struct backend *const fake_list[] = { &fake, NULL };

const struct backend *__wrap_backend_find(const char *name);
const struct backend *__wrap_backend_find(const char *name) {
        return &fake;
}

static void answers(struct probe_result **ret, size_t *ret_n) {
        *ret = calloc(1, sizeof(**ret));
        **ret = (struct probe_result) { .family = AF_INET, .address = "127.0.0.1", .port = 22,
                                        .error = running ? 0 : -ECONNREFUSED };
        if (running)
                strcpy((*ret)->banner, "SSH-2.0-Fake");
        *ret_n = 1;
}

int __wrap_verify_ports(const struct options *o, unsigned timeout_ms, struct probe_result **ret, size_t *ret_n);
int __wrap_verify_ports(const struct options *o, unsigned timeout_ms, struct probe_result **ret, size_t *ret_n) {
        answers(ret, ret_n);
        return 0;
}

int __wrap_verify_wait(const struct options *o, unsigned total_ms, struct probe_result **ret, size_t *ret_n);
int __wrap_verify_wait(const struct options *o, unsigned total_ms, struct probe_result **ret, size_t *ret_n) {
        answers(ret, ret_n);
        return 0;
}

static int run(const struct options *o, const char *tty_answer, char **ret_out) {
        char *buf = NULL;
        size_t size = 0;
        FILE *out = open_memstream(&buf, &size), *tty = NULL;
        int rc;

        if (tty_answer)
                tty = fmemopen((void *) tty_answer, strlen(tty_answer), "r");
        rc = engine_repair(o, &(struct engine_io) {
                .out = out,
                .progress = out,
                .tty_in = tty,
                .state_dir = state_dir,
                .backends = fake_list,
        });
        fclose(out);
        if (tty)
                fclose(tty);
        *ret_out = buf;
        return rc;
}

static int setup(void **state) {
        char tmpl[] = "/tmp/sshrepair-engine-XXXXXX";

        free(state_dir);
        state_dir = strprintf("%s/state", mkdtemp(tmpl));
        running = false;
        applied = 0;
        return 0;
}

static const struct options defaults = { .command = COMMAND_REPAIR, .n_ports = 1, .ports = { 22 } };

static void test_healthy(void **state) {
        char *out;

        running = true;
        assert_int_equal(run(&defaults, NULL, &out), 0);
        assert_non_null(strstr(out, "Findings: none"));
        assert_non_null(strstr(out, "nothing to do (exit 0)"));
        free(out);
}

static void test_dry_run(void **state) {
        struct options o = defaults;
        char *out;

        o.dry_run = true;
        assert_int_equal(run(&o, NULL, &out), 1);
        assert_non_null(strstr(out, "$ systemctl start ssh.service"));
        assert_non_null(strstr(out, "Dry run: nothing was changed"));
        assert_int_equal(applied, 0);
        free(out);
}

static void test_no_terminal(void **state) {
        char *out;

        assert_int_equal(run(&defaults, NULL, &out), 1);
        assert_non_null(strstr(out, "behaved as --dry-run"));
        assert_int_equal(applied, 0);
        free(out);
}

static void test_declined_and_accepted(void **state) {
        char *out;

        assert_int_equal(run(&defaults, "n\n", &out), 1);
        assert_non_null(strstr(out, "Apply? [y/N]"));
        assert_non_null(strstr(out, "Not applied"));
        assert_int_equal(applied, 0);
        free(out);
        assert_int_equal(run(&defaults, "", &out), 1); /* end of input: no */
        free(out);

        assert_int_equal(run(&defaults, "y\n", &out), 0);
        assert_int_equal(applied, 1);
        assert_non_null(strstr(out, "[1/1] systemctl start ssh.service ... ok"));
        assert_non_null(strstr(out, "SSH answers 'SSH-2.0-Fake'"));
        assert_non_null(strstr(out, "Repaired and verified"));
        free(out);
}

static void test_json(void **state) {
        struct options o = defaults;
        char *out;

        o.yes = true;
        o.json = true;
        assert_int_equal(run(&o, NULL, &out), 0);
        /* one document: the progress lines went to the same stream here, so find it */
        assert_non_null(strstr(out, "\"schema_version\": 1"));
        assert_non_null(strstr(out, "\"phase\": \"committed\""));
        assert_non_null(strstr(out, "\"id\": \"sshd.inactive\""));
        free(out);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_healthy, setup),
                cmocka_unit_test_setup(test_dry_run, setup),
                cmocka_unit_test_setup(test_no_terminal, setup),
                cmocka_unit_test_setup(test_declined_and_accepted, setup),
                cmocka_unit_test_setup(test_json, setup),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);

        free(state_dir);
        return r;
}
