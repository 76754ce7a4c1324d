#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "journal.h"
#include "txn.h"
#include "util/log.h"
#include "util/strv.h"
#include "verify.h"

/* How long a service that was just started may take to answer. */
#define VERIFY_TIMEOUT_MS 15000

struct snapshot {
        const struct backend *backend;
        char *data;
};

struct txn {
        const struct options *options;
        const struct plan *plan;
        const struct txn_progress *progress;
        struct journal journal;
        struct snapshot snapshots[8];
        size_t n_snapshots;
};

static void say(const struct txn *t, const char *format, ...) _printf_(2, 3);
static void say(const struct txn *t, const char *format, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;

        va_start(ap, format);
        if (vasprintf(&s, format, ap) < 0)
                s = NULL;
        va_end(ap);
        if (s && t->progress && t->progress->message)
                t->progress->message(t->progress->userdata, s);
}

static int set_outcome(struct outcome *oc, int exit_code, enum phase phase, const char *format, ...)
        _printf_(4, 5);
static int set_outcome(struct outcome *oc, int exit_code, enum phase phase, const char *format, ...) {
        va_list ap;
        int r;

        oc->exit_code = exit_code;
        oc->phase = phase;
        free(oc->message);
        va_start(ap, format);
        r = vasprintf(&oc->message, format, ap);
        va_end(ap);
        if (r < 0)
                oc->message = NULL;
        return 0;
}

/* Snapshots each backend the plan uses, in order of first use, and stores them on disk
 * before anything changes. */
static int txn_snapshot(struct txn *t) {
        for (size_t i = 0; i < t->plan->n_steps; i++) {
                const struct backend *b = backend_find(t->plan->steps[i].backend);
                bool seen = false;
                int r;

                if (!b)
                        return log_error_errno(ENOENT, "No backend '%s'.", t->plan->steps[i].backend);
                for (size_t k = 0; k < t->n_snapshots; k++)
                        seen = seen || t->snapshots[k].backend == b;
                if (seen)
                        continue;
                if (!b->snapshot || !b->restore)
                        return log_error_errno(EOPNOTSUPP, "Backend '%s' cannot take snapshots.", b->name);
                if (t->n_snapshots == ELEMENTSOF(t->snapshots))
                        return -E2BIG;

                struct snapshot *s = &t->snapshots[t->n_snapshots];
                r = b->snapshot(t->options, t->plan, &s->data);
                if (r < 0)
                        return log_error_errno(r, "Failed to snapshot '%s': %m", b->name);
                s->backend = b;
                t->n_snapshots++;
                r = journal_save_snapshot(&t->journal, b->name, s->data);
                if (r < 0)
                        return log_error_errno(r, "Failed to store the snapshot of '%s': %m", b->name);
                r = journal_record(&t->journal, "snapshot %s", b->name);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Restores every snapshot in reverse order, then takes each again and compares. */
static int txn_rollback(struct txn *t) {
        int ret = 0;

        (void) journal_record(&t->journal, "rollback-begin");
        for (size_t i = t->n_snapshots; i > 0; i--) {
                struct snapshot *s = &t->snapshots[i - 1];
                _cleanup_free_ char *now = NULL;
                int r;

                say(t, "Restoring %s ...", s->backend->name);
                r = s->backend->restore(t->options, s->data);
                if (r < 0) {
                        log_error_errno(r, "Failed to restore '%s': %m", s->backend->name);
                        ret = ret ?: r;
                        continue;
                }
                r = s->backend->snapshot(t->options, t->plan, &now);
                if (r < 0) {
                        log_error_errno(r, "Failed to re-read '%s' after restoring it: %m", s->backend->name);
                        ret = ret ?: r;
                        continue;
                }
                if (!streq(strna(now), strna(s->data))) {
                        log_error("The state of '%s' after the rollback differs from the snapshot:\n"
                                  "--- snapshot\n%s--- now\n%s", s->backend->name, strna(s->data), strna(now));
                        ret = ret ?: -EIO;
                }
        }
        (void) journal_record(&t->journal, ret < 0 ? "rollback-failed" : "rollback-done");
        return ret;
}

static int txn_apply_and_verify(struct txn *t, struct outcome *oc) {
        const struct plan *p = t->plan;
        int r;

        for (size_t i = 0; i < p->n_steps; i++) {
                const struct step *s = &p->steps[i];
                const struct backend *b = backend_find(s->backend);
                _cleanup_strv_free_ char **details = NULL;

                r = journal_record(&t->journal, "step-begin %zu %s %s", i + 1, s->backend, s->operation);
                if (r < 0)
                        return r;
                if (t->progress && t->progress->step_begin)
                        t->progress->step_begin(t->progress->userdata, i, p->n_steps, s);
                /* Counted before it runs: a failed step may have changed something too. */
                oc->n_applied = i + 1;
                r = b ? b->apply(t->options, s, &details) : -ENOENT;
                if (t->progress && t->progress->step_end)
                        t->progress->step_end(t->progress->userdata, r, details);
                if (r < 0) {
                        (void) journal_record(&t->journal, "step-failed %zu %s", i + 1, strerror(-r));
                        set_outcome(oc, 3, PHASE_NONE, "step %zu failed: %s", i + 1, s->command);
                        return r;
                }
                r = journal_record(&t->journal, "step-done %zu", i + 1);
                if (r < 0)
                        return r;
        }

        say(t, "Verifying that SSH answers ...");
        free(oc->probes);
        oc->probes = NULL;
        r = verify_wait(t->options, VERIFY_TIMEOUT_MS, &oc->probes, &oc->n_probes);
        if (r < 0)
                return r;
        if (!verify_all_answer(t->options, oc->probes, oc->n_probes)) {
                (void) journal_record(&t->journal, "verify fail");
                set_outcome(oc, 3, PHASE_NONE, "SSH did not answer after the repair");
                return -EHOSTUNREACH;
        }
        return journal_record(&t->journal, "verify ok");
}

int txn_run(const struct options *o, const struct plan *plan, const char *state_dir,
            const struct txn_progress *progress, struct outcome *oc) {
        struct txn t = { .options = o, .plan = plan, .progress = progress, .journal = { -1, -1 } };
        _cleanup_close_ int lock_fd = -1;
        _cleanup_free_ char *why = NULL;
        pid_t holder = 0;
        int r;

        lock_fd = journal_lock(state_dir, &holder);
        if (lock_fd == -EWOULDBLOCK)
                return set_outcome(oc, 5, PHASE_NONE, "another sshrepair run (pid %d) holds the lock on %s",
                                   (int) holder, state_dir);
        if (lock_fd < 0)
                return set_outcome(oc, 5, PHASE_NONE, "cannot lock the state directory %s: %s", state_dir,
                                   strerror(-lock_fd));
        r = journal_begin(state_dir, &t.journal);
        if (r < 0)
                return set_outcome(oc, 5, PHASE_NONE, "cannot record a transaction in %s: %s", state_dir,
                                   strerror(-r));
        oc->journal_path = strdup(t.journal.path);
        r = journal_record(&t.journal, "begin %zu", plan->n_steps);
        if (r >= 0)
                r = txn_snapshot(&t);
        if (r < 0) {
                set_outcome(oc, 5, PHASE_NONE, "could not take a snapshot, so nothing was changed: %s", strerror(-r));
                goto finish;
        }

        r = txn_apply_and_verify(&t, oc);
        if (r >= 0) {
                (void) journal_record(&t.journal, "commit");
                set_outcome(oc, 0, PHASE_COMMITTED, "Repaired and verified: SSH answers");
                goto finish;
        }
        if (!oc->message)
                set_outcome(oc, 3, PHASE_NONE, "the repair failed: %s", strerror(-r));

        say(&t, "Rolling back ...");
        why = oc->message ? strdup(oc->message) : NULL;
        r = txn_rollback(&t);
        if (r < 0)
                set_outcome(oc, 4, PHASE_ROLLBACK_FAILED,
                            "%s, and the rollback is incomplete: manual attention needed", strna(why));
        else
                set_outcome(oc, 3, PHASE_ROLLED_BACK, "%s; rolled back: the host is as it was", strna(why));
finish:
        for (size_t i = 0; i < t.n_snapshots; i++)
                free(t.snapshots[i].data);
        journal_close(&t.journal);
        return 0;
}
