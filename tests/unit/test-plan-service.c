#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>

#include "lib/fixtures.h"
#include "plans/plans.h"

static void build(const struct facts *f, struct plan *p) {
        struct options o = fixture_options();

        assert_int_equal(plan_build(f, &o, p), 0);
}

static const struct fault *expect_fault(const struct plan *p, const char *id, enum severity s, enum remedy r) {
        const struct fault *x = plan_find_fault(p, id);

        if (!x)
                fail_msg("no fault '%s'", id);
        assert_int_equal(x->severity, s);
        assert_int_equal(x->remedy, r);
        return x;
}

static void expect_step(const struct plan *p, size_t i, const char *op, const char *command, const char *undo) {
        assert_true(i < p->n_steps);
        assert_string_equal(p->steps[i].backend, "systemd");
        assert_string_equal(p->steps[i].operation, op);
        assert_string_equal(p->steps[i].command, command);
        assert_string_equal(p->steps[i].undo, undo);
}

static bool evidence_has(const struct fault *x, const char *fragment) {
        for (char **e = x->evidence; e && *e; e++)
                if (strstr(*e, fragment))
                        return true;
        return false;
}

static void test_healthy(void **state) {
        struct facts f;
        struct plan p;

        fixture_healthy(&f);
        build(&f, &p);
        assert_int_equal(p.n_faults, 0);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

static void test_stopped(void **state) {
        struct facts f;
        struct plan p;

        fixture_stopped_disabled(&f);
        fixture_unit(&f.service, "ssh.service", "inactive", "dead", "enabled");
        build(&f, &p);
        assert_int_equal(p.n_faults, 1);
        expect_fault(&p, "sshd.inactive", SEVERITY_ERROR, REMEDY_AUTO);
        assert_int_equal(p.n_steps, 1);
        expect_step(&p, 0, "start", "systemctl start ssh.service", "systemctl stop ssh.service");
        assert_string_equal(p.steps[0].args[0], "ssh.service");
        assert_string_equal(p.steps[0].fault_id, "sshd.inactive");
        plan_done(&p);
        facts_done(&f);
}

static void test_stopped_disabled(void **state) {
        struct facts f;
        struct plan p;

        fixture_stopped_disabled(&f);
        build(&f, &p);
        assert_int_equal(p.n_faults, 2);
        expect_fault(&p, "sshd.inactive", SEVERITY_ERROR, REMEDY_AUTO);
        expect_fault(&p, "sshd.disabled", SEVERITY_ERROR, REMEDY_AUTO);
        /* enable, then start: `systemctl enable --now` */
        assert_int_equal(p.n_steps, 2);
        expect_step(&p, 0, "enable", "systemctl enable ssh.service", "systemctl disable ssh.service");
        expect_step(&p, 1, "start", "systemctl start ssh.service", "systemctl stop ssh.service");
        plan_done(&p);
        facts_done(&f);
}

static void test_running_but_disabled(void **state) {
        struct facts f;
        struct plan p;

        fixture_healthy(&f);
        fixture_unit(&f.service, "ssh.service", "active", "running", "disabled");
        build(&f, &p);
        assert_int_equal(p.n_faults, 1);
        expect_fault(&p, "sshd.disabled", SEVERITY_WARNING, REMEDY_AUTO);
        assert_int_equal(p.n_steps, 1);
        expect_step(&p, 0, "enable", "systemctl enable ssh.service", "systemctl disable ssh.service");
        plan_done(&p);
        facts_done(&f);
}

static void test_runtime_enable_does_not_count(void **state) {
        struct facts f;
        struct plan p;

        fixture_healthy(&f);
        fixture_unit(&f.service, "ssh.service", "active", "running", "enabled-runtime");
        build(&f, &p);
        expect_fault(&p, "sshd.disabled", SEVERITY_WARNING, REMEDY_AUTO);
        plan_done(&p);
        facts_done(&f);
}

static void test_failed_with_journal(void **state) {
        struct facts f;
        struct plan p;
        const struct fault *x;

        fixture_stopped_disabled(&f);
        fixture_unit(&f.service, "ssh.service", "failed", "failed", "enabled");
        free(f.service.result);
        f.service.result = strdup("exit-code");
        strv_extend(&f.service.journal, "/etc/ssh/sshd_config line 3: Bad configuration option: Bogus");
        build(&f, &p);
        x = expect_fault(&p, "sshd.inactive", SEVERITY_ERROR, REMEDY_AUTO);
        assert_non_null(strstr(x->summary, "failed"));
        assert_true(evidence_has(x, "Result=exit-code"));
        assert_true(evidence_has(x, "journal: /etc/ssh/sshd_config line 3"));
        plan_done(&p);
        facts_done(&f);
}

static void test_socket_activation(void **state) {
        struct facts f;
        struct plan p;

        /* ssh.socket listens and starts sshd per connection: the inactive, disabled service
         * is how it should be */
        fixture_healthy(&f);
        fixture_unit(&f.service, "ssh.service", "inactive", "dead", "disabled");
        fixture_unit(&f.socket, "ssh.socket", "active", "listening", "enabled");
        build(&f, &p);
        assert_int_equal(p.n_faults, 0);
        plan_done(&p);
        facts_done(&f);
}

static void test_masked(void **state) {
        struct facts f;
        struct plan p;
        const struct fault *x;

        fixture_stopped_disabled(&f);
        fixture_unit(&f.service, "ssh.service", "inactive", "dead", "masked");
        build(&f, &p);
        x = expect_fault(&p, "sshd.masked", SEVERITY_ERROR, REMEDY_NEEDS_PERSON);
        assert_non_null(strstr(x->advice, "systemctl unmask ssh.service"));
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

static void test_not_installed(void **state) {
        struct facts f;
        struct plan p;
        const struct fault *x;

        fixture_stopped_disabled(&f);
        free(f.sshd_path);
        f.sshd_path = NULL;
        unit_fact_done(&f.service);
        unit_fact_done(&f.socket);
        build(&f, &p);
        assert_int_equal(p.n_faults, 1);
        x = expect_fault(&p, "sshd.not-installed", SEVERITY_ERROR, REMEDY_NEEDS_PERSON);
        assert_true(evidence_has(x, "no sshd binary"));
        assert_true(evidence_has(x, "no ssh.service or sshd.service"));
        assert_non_null(strstr(x->advice, "apt-get install openssh-server"));
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

static void test_install(void **state) {
        struct facts f;
        struct plan p;

        fixture_stopped_disabled(&f);
        free(f.sshd_path);
        f.sshd_path = NULL;
        unit_fact_done(&f.service);
        unit_fact_done(&f.socket);
        f.pkg.manager = strdup("dnf");
        f.pkg.package = strdup("openssh-server");
        f.pkg.unit = strdup("sshd.service");
        build(&f, &p);
        expect_fault(&p, "sshd.not-installed", SEVERITY_ERROR, REMEDY_AUTO);
        assert_int_equal(p.n_steps, 3);
        assert_string_equal(p.steps[0].backend, "pkg");
        assert_string_equal(p.steps[0].command, "dnf install -y openssh-server");
        assert_string_equal(p.steps[0].undo, "dnf remove -y openssh-server");
        assert_string_equal(p.steps[0].args[0], "dnf");
        assert_string_equal(p.steps[0].args[1], "openssh-server");
        expect_step(&p, 1, "enable", "systemctl enable sshd.service", "systemctl disable sshd.service");
        expect_step(&p, 2, "start", "systemctl start sshd.service", "systemctl stop sshd.service");
        plan_done(&p);

        /* without systemd the install could not be followed by a start: a person's job */
        f.systemd = false;
        build(&f, &p);
        expect_fault(&p, "sshd.not-installed", SEVERITY_ERROR, REMEDY_NEEDS_PERSON);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

static void test_rhel_names(void **state) {
        struct facts f;
        struct plan p;

        fixture_stopped_disabled(&f);
        fixture_unit(&f.service, "sshd.service", "inactive", "dead", "disabled");
        unit_fact_done(&f.socket);
        build(&f, &p);
        expect_step(&p, 0, "enable", "systemctl enable sshd.service", "systemctl disable sshd.service");
        expect_step(&p, 1, "start", "systemctl start sshd.service", "systemctl stop sshd.service");
        plan_done(&p);
        facts_done(&f);
}

static void test_no_systemd(void **state) {
        struct facts f;
        struct plan p;

        fixture_stopped_disabled(&f);
        f.systemd = false;
        f.systemd_error = strdup("PID 1 is not systemd");
        unit_fact_done(&f.service);
        unit_fact_done(&f.socket);
        build(&f, &p);
        expect_fault(&p, "service.no-manager", SEVERITY_ERROR, REMEDY_NEEDS_PERSON);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);

        /* sshd started by hand answers: nothing to report */
        fixture_answers(&f, 22, 0);
        build(&f, &p);
        assert_int_equal(p.n_faults, 0);
        plan_done(&p);
        facts_done(&f);
}

static void test_no_known_cause(void **state) {
        struct facts f;
        struct plan p;
        const struct fault *x;

        fixture_healthy(&f);
        fixture_answers(&f, 22, -ECONNREFUSED);
        f.listen[0].port = 2222;
        build(&f, &p);
        x = expect_fault(&p, "ssh.no-answer", SEVERITY_ERROR, REMEDY_NEEDS_PERSON);
        assert_true(evidence_has(x, "127.0.0.1 port 22: Connection refused"));
        assert_true(evidence_has(x, "TCP port 22: nothing listens"));
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

/* Debian's ConditionPathExists=!/etc/ssh/sshd_not_to_be_run: the file goes first, then the
 * start (live). */
static void test_not_to_be_run_live(void **state) {
        struct facts f;
        struct plan p;

        fixture_stopped_disabled(&f);
        fixture_unit(&f.service, "ssh.service", "inactive", "dead", "enabled");
        f.service_blocked_by = strdup("/etc/ssh/sshd_not_to_be_run");
        build(&f, &p);
        expect_fault(&p, "sshd.not-to-be-run", SEVERITY_ERROR, REMEDY_AUTO);
        assert_int_equal(p.n_steps, 2);
        expect_step(&p, 0, "remove-file", "rm /etc/ssh/sshd_not_to_be_run", "touch /etc/ssh/sshd_not_to_be_run");
        assert_string_equal(p.steps[0].args[0], "/etc/ssh/sshd_not_to_be_run");
        expect_step(&p, 1, "start", "systemctl start ssh.service", "systemctl stop ssh.service");
        plan_done(&p);
        facts_done(&f);
}

static struct options offline_options(void) {
        struct options o = fixture_options();

        o.root = strdup("/mnt/target");
        return o;
}

/* Offline nothing runs and nothing is started: disabled is the error, enable the remedy,
 * with the command for the tree. */
static void test_offline_disabled(void **state) {
        struct options o = offline_options();
        struct facts f;
        struct plan p;

        fixture_stopped_disabled(&f);
        fixture_unit(&f.service, "ssh.service", "offline", "", "disabled");
        f.n_answers = 0;
        f.listen_known = false;
        assert_int_equal(plan_build(&f, &o, &p), 0);
        expect_fault(&p, "sshd.disabled", SEVERITY_ERROR, REMEDY_AUTO);
        assert_null(plan_find_fault(&p, "sshd.inactive"));
        assert_int_equal(p.n_steps, 1);
        expect_step(&p, 0, "enable", "systemctl --root=/mnt/target enable ssh.service",
                    "systemctl --root=/mnt/target disable ssh.service");
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
}

static void test_offline_enabled_nothing_to_do(void **state) {
        struct options o = offline_options();
        struct facts f;
        struct plan p;

        fixture_stopped_disabled(&f);
        fixture_unit(&f.service, "ssh.service", "offline", "", "enabled");
        f.n_answers = 0;
        f.listen_known = false;
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(p.n_faults, 0);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
}

/* Offline a mask is undone: the point of the rescue is a system that serves SSH at boot. */
static void test_offline_masked(void **state) {
        struct options o = offline_options();
        struct facts f;
        struct plan p;

        fixture_stopped_disabled(&f);
        fixture_unit(&f.service, "ssh.service", "offline", "", "masked");
        f.n_answers = 0;
        assert_int_equal(plan_build(&f, &o, &p), 0);
        expect_fault(&p, "sshd.masked", SEVERITY_ERROR, REMEDY_AUTO);
        assert_int_equal(p.n_steps, 2);
        expect_step(&p, 0, "unmask", "systemctl --root=/mnt/target unmask ssh.service",
                    "systemctl --root=/mnt/target mask ssh.service");
        expect_step(&p, 1, "enable", "systemctl --root=/mnt/target enable ssh.service",
                    "systemctl --root=/mnt/target disable ssh.service");
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
}

/* Offline the OpenSSH server is never installed into the tree: advice with the tree's
 * package manager, chrooted; a person decides (exit 1). */
static void test_offline_not_installed(void **state) {
        struct options o = offline_options();
        struct facts f;
        struct plan p;
        const struct fault *x;

        fixture_stopped_disabled(&f);
        free(f.sshd_path);
        f.sshd_path = NULL;
        f.pkg.manager = strdup("dnf");
        f.pkg.package = strdup("openssh-server");
        f.pkg.unit = strdup("sshd.service");
        f.n_answers = 0;
        assert_int_equal(plan_build(&f, &o, &p), 0);
        x = expect_fault(&p, "sshd.not-installed", SEVERITY_ERROR, REMEDY_NEEDS_PERSON);
        assert_string_equal(x->advice, "install it into the tree: 'chroot /mnt/target dnf install openssh-server'");
        assert_int_equal(p.n_steps, 0);
        assert_true(plan_has_unfixable(&p));
        plan_done(&p);
        facts_done(&f);
        options_done(&o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_healthy),
                cmocka_unit_test(test_stopped),
                cmocka_unit_test(test_stopped_disabled),
                cmocka_unit_test(test_running_but_disabled),
                cmocka_unit_test(test_runtime_enable_does_not_count),
                cmocka_unit_test(test_failed_with_journal),
                cmocka_unit_test(test_socket_activation),
                cmocka_unit_test(test_masked),
                cmocka_unit_test(test_not_installed),
                cmocka_unit_test(test_install),
                cmocka_unit_test(test_rhel_names),
                cmocka_unit_test(test_no_systemd),
                cmocka_unit_test(test_no_known_cause),
                cmocka_unit_test(test_not_to_be_run_live),
                cmocka_unit_test(test_offline_disabled),
                cmocka_unit_test(test_offline_enabled_nothing_to_do),
                cmocka_unit_test(test_offline_masked),
                cmocka_unit_test(test_offline_not_installed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
