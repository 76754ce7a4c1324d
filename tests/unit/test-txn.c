/* The transaction engine with a fake backend (via -Wl,--wrap): apply, verify, commit;
 * failures and their rollback; the journal read back by status, rollback, recover and
 * confirm. No containers: the real backends are exercised by the integration tests. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "journal.h"
#include "plans/plans.h"
#include "txn.h"
#include "util/strv.h"

/* The fake subsystem: a number per key, "key=value" lines; steps "set KEY VALUE". */
static char fake_state[8][32];
static int fake_fail_step = -1; /* 1-based step to fail with -EIO; -1 none */
static int fake_fail_restore;
static int fake_applied;
static bool verify_ok = true;
static int scheduled, cancelled;

static int fake_snapshot(const struct options *o, const struct plan *plan, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        for (int i = 0; i < 8; i++)
                if (fake_state[i][0])
                        fprintf(f, "%d=%s\n", i, fake_state[i]);
        fclose(f);
        *ret = buf;
        return 0;
}

static int fake_restore(const struct options *o, const char *text) {
        char *copy = strdup(text ?: ""), *save = NULL;

        if (fake_fail_restore) {
                free(copy);
                return -EIO;
        }
        memset(fake_state, 0, sizeof fake_state);
        for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                int k;
                char v[32];

                if (sscanf(l, "%d=%31s", &k, v) == 2 && k >= 0 && k < 8)
                        snprintf(fake_state[k], sizeof fake_state[k], "%s", v);
        }
        free(copy);
        return 0;
}

static int fake_apply(const struct options *o, const struct step *s, char ***details) {
        fake_applied++;
        /* the step changes the state before it fails: the rollback must undo it */
        snprintf(fake_state[atoi(s->args[0])], 32, "%s", s->args[1]);
        if (fake_applied == fake_fail_step) {
                strv_extend(details, "fake failure");
                return -EIO;
        }
        return 0;
}

static const struct backend fake = {
        .name = "fake",
        .snapshot = fake_snapshot,
        .restore = fake_restore,
        .apply = fake_apply,
};

/* A backend that takes its consecutive steps as one group, and checks them after the
 * banner check (verify hook). */
static size_t group_sizes[8], n_groups;
static int group_fail_at = -1; /* index in the group to fail, changing nothing; -1 none */
static bool group_verify_ok = true;
static int group_verified;
static bool group_tried, group_changed, group_other_change;

static int fakeg_apply_group(const struct options *o, const struct step *const *steps, size_t n, size_t *ret_failed,
                             char ***details) {
        if (n_groups < 8)
                group_sizes[n_groups++] = n;
        group_tried = true;
        if (group_fail_at >= 0) {
                /* refused because someone else changed the state meanwhile */
                if (group_other_change)
                        snprintf(fake_state[7], 32, "other");
                *ret_failed = (size_t) group_fail_at;
                strv_extend(details, "group refused");
                return -ERESTART; /* all or nothing: nothing changed */
        }
        for (size_t i = 0; i < n; i++)
                snprintf(fake_state[atoi(steps[i]->args[0])], 32, "%s", steps[i]->args[1]);
        group_changed = true;
        return 0;
}

static int fakeg_apply(const struct options *o, const struct step *s, char ***details) {
        size_t failed;
        return fakeg_apply_group(o, &s, 1, &failed, details);
}

static int fakeg_verify(const struct options *o, const struct plan *plan, char ***details) {
        group_verified++;
        if (group_verify_ok)
                return 0;
        strv_extend(details, "chain input: rule 3 'tcp dport 22 drop'");
        return -EHOSTUNREACH;
}

static bool fakeg_changed_nothing(const struct options *o) {
        return group_tried && !group_changed;
}

static const struct backend fakeg = {
        .name = "fakeg",
        .snapshot = fake_snapshot,
        .restore = fake_restore,
        .apply = fakeg_apply,
        .apply_group = fakeg_apply_group,
        .verify = fakeg_verify,
        .changed_nothing = fakeg_changed_nothing,
};

const struct backend *__wrap_backend_find(const char *name);
const struct backend *__wrap_backend_find(const char *name) {
        return streq(name, "fake") ? &fake : streq(name, "fakeg") ? &fakeg : NULL;
}

int __wrap_verify_wait(const struct options *o, unsigned total_ms, struct probe_result **ret, size_t *ret_n);
int __wrap_verify_wait(const struct options *o, unsigned total_ms, struct probe_result **ret, size_t *ret_n) {
        *ret = calloc(1, sizeof(**ret));
        **ret = (struct probe_result) { .family = AF_INET, .address = "127.0.0.1", .port = 22,
                                        .error = verify_ok ? 0 : -ECONNREFUSED };
        *ret_n = 1;
        return 0;
}

int __wrap_confirm_schedule(const char *id, unsigned seconds, char **how);
int __wrap_confirm_schedule(const char *id, unsigned seconds, char **how) {
        scheduled++;
        *how = strdup("test");
        return 0;
}

int __wrap_confirm_cancel(const char *id);
int __wrap_confirm_cancel(const char *id) {
        cancelled++;
        return 0;
}

static char *state_dir;
static struct options options = { .command = COMMAND_REPAIR, .n_ports = 1, .ports = { 22 } };

static struct plan make_plan(size_t n) {
        struct plan p = {};

        for (size_t i = 0; i < n; i++) {
                char key[4], value[16], cmd[64];

                snprintf(key, sizeof key, "%zu", i);
                snprintf(value, sizeof value, "new%zu", i);
                snprintf(cmd, sizeof cmd, "fake set %zu new%zu", i, i);
                assert_int_equal(plan_add_step(&p, "fake.fault", "fake", "set", key, "set a value", cmd, "fake undo"), 0);
                assert_int_equal(strv_extend(&p.steps[i].args, value), 0);
        }
        return p;
}

static int setup(void **state) {
        char tmpl[] = "/tmp/sshrepair-txn-XXXXXX";

        state_dir = strprintf("%s/state", mkdtemp(tmpl));
        memset(fake_state, 0, sizeof fake_state);
        snprintf(fake_state[0], 32, "old0");
        snprintf(fake_state[1], 32, "old1");
        fake_fail_step = -1;
        fake_fail_restore = 0;
        fake_applied = 0;
        verify_ok = true;
        scheduled = cancelled = 0;
        n_groups = 0;
        group_fail_at = -1;
        group_verify_ok = true;
        group_verified = 0;
        group_tried = group_changed = group_other_change = false;
        options.confirm_sec = 0;
        return 0;
}

static int teardown(void **state) {
        free(state_dir);
        return 0;
}

static char *capture(int (*fn)(const char *, FILE *), int *rc) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        *rc = fn(state_dir, f);
        fclose(f);
        return buf;
}

static int status_text(const char *dir, FILE *f) {
        return txn_status(dir, false, f);
}

static void test_commit(void **state) {
        struct plan p = make_plan(3);
        struct outcome oc = {};
        int rc;
        char *s;

        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        assert_int_equal(oc.exit_code, 0);
        assert_int_equal(oc.phase, PHASE_COMMITTED);
        assert_int_equal(oc.n_applied, 3);
        assert_string_equal(fake_state[2], "new2");
        assert_non_null(oc.journal_path);

        s = capture(status_text, &rc);
        assert_int_equal(rc, 0);
        assert_non_null(strstr(s, "committed"));
        assert_non_null(strstr(s, "3. fake set 2 new2"));
        free(s);
        outcome_done(&oc);
        plan_done(&p);
}

static void test_step_fails_rolls_back(void **state) {
        struct plan p = make_plan(3);
        struct outcome oc = {};

        fake_fail_step = 2;
        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        assert_int_equal(oc.exit_code, 3);
        assert_int_equal(oc.phase, PHASE_ROLLED_BACK);
        assert_int_equal(oc.n_applied, 2);
        assert_string_equal(fake_state[0], "old0");
        assert_string_equal(fake_state[1], "old1");
        assert_string_equal(fake_state[2], "");
        outcome_done(&oc);
        plan_done(&p);
}

static void test_verify_fails_rolls_back(void **state) {
        struct plan p = make_plan(2);
        struct outcome oc = {};

        verify_ok = false;
        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        assert_int_equal(oc.exit_code, 3);
        assert_non_null(strstr(oc.message, "did not answer"));
        assert_string_equal(fake_state[0], "old0");
        assert_int_equal(oc.n_probes, 1);
        outcome_done(&oc);
        plan_done(&p);
}

static void test_rollback_fails(void **state) {
        struct plan p = make_plan(2);
        struct outcome oc = {};

        verify_ok = false;
        fake_fail_restore = 1;
        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        assert_int_equal(oc.exit_code, 4);
        assert_int_equal(oc.phase, PHASE_ROLLBACK_FAILED);
        outcome_done(&oc);

        /* recover tries again, and succeeds once restoring works */
        fake_fail_restore = 0;
        assert_int_equal(txn_recover(state_dir, NULL, stdout), 0);
        assert_string_equal(fake_state[0], "old0");
        plan_done(&p);
}

static void test_locked(void **state) {
        struct plan p = make_plan(1);
        struct outcome oc = {};
        int fd = journal_lock(state_dir, false, NULL);

        assert_true(fd >= 0);
        /* flock locks belong to the open file: a second open in this process conflicts */
        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        assert_int_equal(oc.exit_code, 5);
        assert_non_null(strstr(oc.message, "holds the lock"));
        assert_int_equal(fake_applied, 0);
        close(fd);
        outcome_done(&oc);
        plan_done(&p);
}

static void test_confirm_then_commit(void **state) {
        struct plan p = make_plan(2);
        struct outcome oc = {};
        int rc;
        char *s;

        options.confirm_sec = 60;
        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        assert_int_equal(oc.exit_code, 0);
        assert_int_equal(oc.phase, PHASE_AWAITING_CONFIRM);
        assert_int_equal(scheduled, 1);
        s = capture(status_text, &rc);
        assert_non_null(strstr(s, "awaiting-confirm"));
        free(s);

        /* the scheduled rollback finds it unconfirmed... but confirm comes first */
        assert_int_equal(txn_confirm(state_dir, NULL, stdout), 0);
        assert_int_equal(cancelled, 1);
        assert_int_equal(txn_rollback_id(state_dir, NULL, NULL, true, stdout), 0); /* nothing to do */
        assert_string_equal(fake_state[1], "new1");
        assert_int_equal(txn_confirm(state_dir, NULL, stdout), 1); /* nothing waits */
        outcome_done(&oc);
        plan_done(&p);
}

static void test_confirm_expires(void **state) {
        struct plan p = make_plan(2);
        struct outcome oc = {};

        options.confirm_sec = 60;
        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        /* what the timer runs: roll back the unconfirmed transaction */
        assert_int_equal(txn_rollback_id(state_dir, NULL, NULL, true, stdout), 0);
        assert_string_equal(fake_state[0], "old0");
        assert_string_equal(fake_state[1], "old1");
        /* and a second time it is finished */
        assert_int_equal(txn_rollback_id(state_dir, NULL, NULL, true, stdout), 0);
        assert_int_equal(txn_recover(state_dir, NULL, stdout), 0);
        outcome_done(&oc);
        plan_done(&p);
}

static void test_rollback_committed_and_bad_ids(void **state) {
        struct plan p = make_plan(2);
        struct outcome oc = {};

        assert_int_equal(txn_rollback_id(state_dir, NULL, NULL, false, stdout), 1); /* none yet */
        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        assert_string_equal(fake_state[0], "new0");
        /* an explicit rollback of the latest, committed one restores what was before */
        assert_int_equal(txn_rollback_id(state_dir, NULL, NULL, false, stdout), 0);
        assert_string_equal(fake_state[0], "old0");
        assert_int_equal(txn_rollback_id(state_dir, NULL, "../../etc", false, stdout), 2);
        assert_int_equal(txn_rollback_id(state_dir, NULL, "20990101T000000-1", false, stdout), 2);
        assert_int_equal(txn_confirm(state_dir, "20990101T000000-1", stdout), 2);
        assert_int_equal(txn_status(state_dir, true, stdout), 0);
        outcome_done(&oc);
        plan_done(&p);
}

static void test_damaged_snapshot(void **state) {
        struct plan p = make_plan(2);
        struct outcome oc = {};
        char *path;
        FILE *f;

        options.confirm_sec = 60;
        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        path = strprintf("%s/snapshot.fake", oc.journal_path);
        f = fopen(path, "r+");
        assert_non_null(f);
        fputc('X', f); /* same size, other bytes: the checksum catches it */
        fclose(f);
        /* refuse to restore from it: exit 4, and the state is left as it is */
        assert_int_equal(txn_recover(state_dir, NULL, stdout), 4);
        assert_string_equal(fake_state[0], "new0");
        free(path);
        outcome_done(&oc);
        plan_done(&p);
}

/* Steps 0..4: fake, fakeg, fakeg, fakeg, fake (keys 0..4). */
static struct plan make_group_plan(void) {
        struct plan p = make_plan(5);

        for (size_t i = 1; i <= 3; i++) {
                free(p.steps[i].backend);
                p.steps[i].backend = strdup("fakeg");
        }
        return p;
}

static char *journal_text(const struct outcome *oc) {
        _cleanup_free_ char *path = strprintf("%s/journal", oc->journal_path);
        char *buf = calloc(1, 65536);
        FILE *f = fopen(path, "re");

        assert_non_null(f);
        assert_true(fread(buf, 1, 65535, f) > 0);
        fclose(f);
        return buf;
}

/* The three consecutive steps of a grouping backend go to it at once; all are journaled as
 * begun before and done after. */
static void test_group_commit(void **state) {
        struct plan p = make_group_plan();
        struct outcome oc = {};
        _cleanup_free_ char *j = NULL;
        char *b3, *d1;

        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        assert_int_equal(oc.exit_code, 0);
        assert_int_equal(fake_applied, 2); /* steps 1 and 5, one by one */
        assert_int_equal(n_groups, 1);
        assert_int_equal(group_sizes[0], 3);
        assert_string_equal(fake_state[3], "new3");
        assert_string_equal(fake_state[4], "new4");
        assert_int_equal(group_verified, 1);
        j = journal_text(&oc);
        b3 = strstr(j, "step-begin 4 fakeg set");
        d1 = strstr(j, "step-done 2");
        assert_non_null(b3);
        assert_non_null(d1);
        assert_true(b3 < d1); /* every step of the group begun before the first is done */
        assert_non_null(strstr(j, "step-done 4"));
        outcome_done(&oc);
        plan_done(&p);
}

/* The group is refused as a whole: the step it names failed, everything rolls back, exit 3. */
static void test_group_fails(void **state) {
        struct plan p = make_group_plan();
        struct outcome oc = {};
        _cleanup_free_ char *j = NULL;

        group_fail_at = 1;
        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        assert_int_equal(oc.exit_code, 3);
        assert_int_equal(oc.phase, PHASE_ROLLED_BACK);
        assert_non_null(strstr(oc.message, "step 3 failed"));
        assert_int_equal(n_groups, 1);
        assert_int_equal(fake_applied, 1); /* step 5 never ran */
        assert_string_equal(fake_state[0], "old0");
        assert_string_equal(fake_state[1], "old1");
        j = journal_text(&oc);
        assert_non_null(strstr(j, "step-failed 3"));
        assert_null(strstr(j, "step-done 2"));
        assert_null(strstr(j, "step-begin 5"));
        outcome_done(&oc);
        plan_done(&p);
}

/* The group is refused because someone else changed the state after the snapshot: none
 * of our steps changed anything, so the rollback leaves that backend alone and the other
 * change stays (exit 3, rolled back, no "differs from the snapshot"). */
static void test_group_refused_keeps_other_change(void **state) {
        struct plan p = make_plan(3);
        struct outcome oc = {};

        for (size_t i = 0; i < 3; i++) {
                free(p.steps[i].backend);
                p.steps[i].backend = strdup("fakeg");
        }
        group_fail_at = 0;
        group_other_change = true;
        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        assert_int_equal(oc.exit_code, 3);
        assert_int_equal(oc.phase, PHASE_ROLLED_BACK);
        assert_int_equal(n_groups, 1);
        assert_int_equal(group_sizes[0], 3);
        assert_string_equal(fake_state[7], "other");
        assert_string_equal(fake_state[0], "old0");
        outcome_done(&oc);
        plan_done(&p);
}

/* SSH answers over loopback, but the backend's own check says the path from outside is
 * still blocked: not verified, rolled back, and the message names the blocker. */
static void test_backend_verify_fails(void **state) {
        struct plan p = make_group_plan();
        struct outcome oc = {};

        group_verify_ok = false;
        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        assert_int_equal(oc.exit_code, 3);
        assert_int_equal(oc.phase, PHASE_ROLLED_BACK);
        assert_int_equal(group_verified, 1);
        assert_non_null(strstr(oc.message, "fakeg still blocks it from outside"));
        assert_non_null(strstr(oc.message, "rule 3 'tcp dport 22 drop'"));
        assert_string_equal(fake_state[0], "old0");
        assert_string_equal(fake_state[3], "");
        outcome_done(&oc);
        plan_done(&p);
}

/* Offline (--root): no banner check, but the backends' own checks of the tree run, and a
 * failed one rolls back. */
static void test_backend_verify_offline(void **state) {
        struct options o = options;
        struct plan p = make_group_plan();
        struct outcome oc = {};
        char root[] = "/tmp/sshrepair-txn-root-XXXXXX";
        _cleanup_free_ char *dir2 = NULL;

        o.root = mkdtemp(root);
        assert_non_null(o.root);
        group_verify_ok = false;
        assert_int_equal(txn_run(&o, &p, state_dir, NULL, &oc), 0);
        assert_int_equal(oc.exit_code, 3);
        assert_int_equal(oc.phase, PHASE_ROLLED_BACK);
        assert_int_equal(group_verified, 1);
        assert_non_null(strstr(oc.message, "fakeg of the tree still blocks SSH from outside"));
        assert_string_equal(fake_state[3], "");
        outcome_done(&oc);

        /* a second transaction within the same second: its own state directory (ids are
         * per second and pid) */
        group_verify_ok = true;
        oc = (struct outcome) {};
        dir2 = strprintf("%s2", state_dir);
        assert_int_equal(txn_run(&o, &p, dir2, NULL, &oc), 0);
        assert_int_equal(oc.exit_code, 0);
        assert_int_equal(group_verified, 2);
        assert_string_equal(fake_state[3], "new3");
        outcome_done(&oc);
        plan_done(&p);
        rmdir(root);
}

/* The banner check comes first: when SSH does not answer, no backend check runs. */
static void test_backend_verify_after_banner(void **state) {
        struct plan p = make_group_plan();
        struct outcome oc = {};

        verify_ok = false;
        assert_int_equal(txn_run(&options, &p, state_dir, NULL, &oc), 0);
        assert_int_equal(oc.exit_code, 3);
        assert_int_equal(group_verified, 0);
        outcome_done(&oc);
        plan_done(&p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_commit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_step_fails_rolls_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_verify_fails_rolls_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rollback_fails, setup, teardown),
                cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
                cmocka_unit_test_setup_teardown(test_confirm_then_commit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_confirm_expires, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rollback_committed_and_bad_ids, setup, teardown),
                cmocka_unit_test_setup_teardown(test_damaged_snapshot, setup, teardown),
                cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_group_fails, setup, teardown),
                cmocka_unit_test_setup_teardown(test_group_refused_keeps_other_change, setup, teardown),
                cmocka_unit_test_setup_teardown(test_backend_verify_fails, setup, teardown),
                cmocka_unit_test_setup_teardown(test_backend_verify_after_banner, setup, teardown),
                cmocka_unit_test_setup_teardown(test_backend_verify_offline, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
