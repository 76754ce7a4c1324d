#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "txn-file.h"
#include "util/strv.h"

static char *state_dir(void) {
        char tmpl[] = "/tmp/sshrepair-test-XXXXXX";
        char *d = mkdtemp(tmpl);

        assert_non_null(d);
        return strprintf("%s/state", d);
}

static char *read_journal(const char *dir, const char *id) {
        char *path = strprintf("%s/txn/%s/journal", dir, id), *buf = NULL;
        size_t size = 0;
        FILE *f = fopen(path, "re");

        assert_non_null(f);
        assert_true(getdelim(&buf, &size, '\0', f) >= 0 || feof(f));
        fclose(f);
        free(path);
        return buf ?: strdup("");
}

/* The records a two-step run writes, in order. */
static const char *const run_records[] = {
        "begin 2", "snapshot systemd 0badf00d 10", "step-begin 1 systemd enable", "step-done 1",
        "step-begin 2 systemd start", "step-done 2", "verify ok", "commit",
};

static void test_records_and_states(void **state) {
        _cleanup_free_ char *dir = state_dir();
        /* the state once record N (1-based) is on disk: what recover must do at that point */
        static const enum txn_state want[] = {
                TXN_ABANDONED,  TXN_ABANDONED,  TXN_INCOMPLETE, TXN_INCOMPLETE,
                TXN_INCOMPLETE, TXN_INCOMPLETE, TXN_INCOMPLETE, TXN_COMMITTED,
        };
        struct journal j;

        assert_int_equal(journal_begin(dir, &j), 0);
        assert_int_equal(strlen(j.id) > 0, 1);
        for (size_t n = 0; n < ELEMENTSOF(run_records); n++) {
                struct journal_summary s;
                _cleanup_free_ char *text = NULL;

                assert_int_equal(journal_record(&j, "%s", run_records[n]), 0);
                text = read_journal(dir, j.id);
                assert_int_equal(journal_parse(text, strlen(text), &s), 0);
                assert_int_equal(s.n_records, n + 1);
                assert_false(s.torn);
                if (journal_summary_state(&s) != want[n])
                        fail_msg("after record %zu: state %s, want %s", n + 1,
                                 txn_state_to_string(journal_summary_state(&s)), txn_state_to_string(want[n]));
                journal_summary_done(&s);
        }
        journal_close(&j);
}

static void test_torn_and_corrupt(void **state) {
        _cleanup_free_ char *dir = state_dir(), *text = NULL;
        struct journal j;
        struct journal_summary s;
        char *nl;

        assert_int_equal(journal_begin(dir, &j), 0);
        for (size_t n = 0; n < 3; n++)
                assert_int_equal(journal_record(&j, "%s", run_records[n]), 0);
        text = read_journal(dir, j.id);
        journal_close(&j);

        /* torn inside the third record: "step-begin 1" may or may not have happened */
        assert_int_equal(journal_parse(text, strlen(text) - 5, &s), 0);
        assert_int_equal(s.n_records, 2);
        assert_true(s.torn);
        assert_int_equal(journal_summary_state(&s), TXN_INCOMPLETE);
        journal_summary_done(&s);

        /* a flipped byte fails the checksum */
        nl = strrchr(text, 'e');
        *nl = 'E';
        assert_int_equal(journal_parse(text, strlen(text), &s), 0);
        assert_int_equal(s.n_records, 2);
        assert_true(s.torn);
        journal_summary_done(&s);

        /* garbage, an empty file, a record out of sequence */
        assert_int_equal(journal_parse("hello\n", 6, &s), 0);
        assert_true(s.torn);
        assert_int_equal(s.n_records, 0);
        assert_int_equal(journal_summary_state(&s), TXN_ABANDONED);
        journal_summary_done(&s);
        assert_int_equal(journal_parse("", 0, &s), 0);
        assert_false(s.torn);
        journal_summary_done(&s);
}

static void test_append_cuts_torn_tail(void **state) {
        _cleanup_free_ char *dir = state_dir(), *path = NULL, *text = NULL;
        struct journal j;
        struct journal_summary s;
        int fd;

        assert_int_equal(journal_begin(dir, &j), 0);
        char id[48];
        assert_int_equal(journal_record(&j, "begin 1"), 0);
        snprintf(id, sizeof id, "%s", j.id);
        journal_close(&j);
        path = strprintf("%s/txn/%s/journal", dir, id);
        fd = open(path, O_WRONLY | O_APPEND);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "2 deadbe", 8), 8);
        close(fd);

        assert_int_equal(journal_open(dir, id, true, &j), 0);
        assert_int_equal(journal_summary(&j, &s), 0);
        assert_true(s.torn); /* still known after the cut */
        journal_summary_done(&s);
        assert_int_equal(journal_record(&j, "rollback-begin"), 0);
        assert_int_equal(journal_record(&j, "rollback-done"), 0);
        assert_int_equal(journal_summary(&j, &s), 0);
        assert_int_equal(s.n_records, 3);
        assert_int_equal(journal_summary_state(&s), TXN_ROLLED_BACK);
        journal_summary_done(&s);
        journal_close(&j);
}

static void test_confirm_states(void **state) {
        _cleanup_free_ char *dir = state_dir();
        struct journal j;
        struct journal_summary s;

        assert_int_equal(journal_begin(dir, &j), 0);
        for (size_t n = 0; n < 7; n++)
                assert_int_equal(journal_record(&j, "%s", run_records[n]), 0);
        assert_int_equal(journal_record(&j, "confirm-wait 1900000000"), 0);
        assert_int_equal(journal_summary(&j, &s), 0);
        assert_int_equal(journal_summary_state(&s), TXN_AWAITING_CONFIRM);
        assert_int_equal(s.confirm_deadline, 1900000000);
        journal_summary_done(&s);
        assert_int_equal(journal_record(&j, "commit"), 0);
        assert_int_equal(journal_summary(&j, &s), 0);
        assert_int_equal(journal_summary_state(&s), TXN_COMMITTED);
        journal_summary_done(&s);
        journal_close(&j);
}

/* Three transactions begun at once by one process get three ids, in the order begun. */
static void test_same_second(void **state) {
        _cleanup_free_ char *dir = state_dir();
        _cleanup_strv_free_ char **ids = NULL;
        struct journal j[3];

        for (size_t i = 0; i < 3; i++)
                assert_int_equal(journal_begin(dir, &j[i]), 0);
        assert_string_not_equal(j[0].id, j[1].id);
        assert_string_not_equal(j[1].id, j[2].id);
        assert_int_equal(journal_list(dir, &ids), 0);
        assert_int_equal(strv_length(ids), 3);
        /* when the clock ticked between them, the ids differ by time instead */
        for (size_t i = 0; i < 3; i++) {
                assert_string_equal(ids[i], j[i].id);
                journal_close(&j[i]);
        }
}

static void test_files_refuse_links(void **state) {
        _cleanup_free_ char *dir = state_dir(), *link = NULL;
        struct journal j;

        assert_int_equal(journal_begin(dir, &j), 0);
        link = strprintf("%s/txn/%s/snapshot.x", dir, j.id);
        assert_int_equal(symlink("/etc/passwd", link), 0);
        assert_int_equal(journal_write_file(&j, "snapshot.x", "data", 4), -EEXIST);
        assert_int_equal(journal_write_file(&j, "snapshot.y", "data", 4), 0);
        journal_close(&j);
        assert_int_equal(journal_open(dir, "../../etc", false, &j), -EINVAL);
}

static void test_prune(void **state) {
        _cleanup_free_ char *dir = state_dir();
        _cleanup_strv_free_ char **ids = NULL;
        char id[48];

        /* 12 committed and one unfinished, oldest first */
        for (int i = 0; i < 13; i++) {
                struct journal j = JOURNAL_NULL;
                char *path;

                snprintf(id, sizeof id, "20260101T0000%02d-1", i);
                path = strprintf("%s/txn/%s", dir, id);
                if (i == 0) {
                        assert_int_equal(journal_begin(dir, &j), 0); /* creates dir and txn/ */
                        journal_close(&j);
                }
                assert_int_equal(mkdir(path, 0700), 0);
                free(path);
                path = strprintf("%s/txn/%s/journal", dir, id);
                close(open(path, O_CREAT | O_WRONLY, 0600));
                free(path);
                assert_int_equal(journal_open(dir, id, true, &j), 0);
                assert_int_equal(journal_record(&j, "begin 1"), 0);
                assert_int_equal(journal_record(&j, "step-begin 1"), 0);
                if (i != 1)
                        assert_int_equal(journal_record(&j, "commit"), 0);
                journal_close(&j);
        }
        assert_int_equal(journal_prune(dir, 10), 0);
        assert_int_equal(journal_list(dir, &ids), 0);
        /* kept: the unfinished one, and the 10 newest committed */
        assert_int_equal(strv_length(ids), 11);
        assert_string_equal(ids[0], "20260101T000001-1");
}

static void test_plan_file_roundtrip(void **state) {
        struct options o = { .command = COMMAND_REPAIR, .n_ports = 2, .ports = { 22, 2222 } }, o2;
        struct plan p = {}, p2;
        struct step s = {
                .fault_id = (char *) "sshd.inactive",
                .backend = (char *) "systemd",
                .operation = (char *) "start",
                .description = (char *) "with\ttab and\nnewline and \\ backslash",
                .command = (char *) "systemctl start ssh.service",
                .undo = NULL,
                .args = (char *[]) { (char *) "ssh.service", (char *) "", (char *) "x\ty", NULL },
        };
        _cleanup_free_ char *text = NULL;

        o.user = (char *) "alice";
        o.from.family = AF_INET;
        o.from.addr.in.s_addr = htonl(0xc0000200);
        o.from.prefixlen = 24;
        p.steps = &s;
        p.n_steps = 1;
        assert_int_equal(txn_file_format(&o, &p, &text), 0);
        assert_int_equal(txn_file_parse(text, &o2, &p2), 0);
        assert_int_equal(o2.n_ports, 2);
        assert_int_equal(o2.ports[1], 2222);
        assert_string_equal(o2.user, "alice");
        assert_int_equal(o2.from.prefixlen, 24);
        assert_int_equal(p2.n_steps, 1);
        assert_string_equal(p2.steps[0].description, s.description);
        assert_null(p2.steps[0].undo);
        assert_int_equal(strv_length(p2.steps[0].args), 3);
        assert_string_equal(p2.steps[0].args[1], "");
        assert_string_equal(p2.steps[0].args[2], "x\ty");
        options_done(&o2);
        plan_done(&p2);

        assert_int_equal(txn_file_parse("not a plan\n", &o2, &p2), -EBADMSG);
        assert_int_equal(txn_file_parse("sshrepair-plan 1\nstep\ta\tb\n", &o2, &p2), -EBADMSG);
        assert_int_equal(txn_file_parse("sshrepair-plan 1\noption ports 70000\n", &o2, &p2), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_records_and_states), cmocka_unit_test(test_torn_and_corrupt),
                cmocka_unit_test(test_append_cuts_torn_tail), cmocka_unit_test(test_confirm_states),
                cmocka_unit_test(test_files_refuse_links),  cmocka_unit_test(test_prune),
                cmocka_unit_test(test_plan_file_roundtrip), cmocka_unit_test(test_same_second),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
