#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "confirm.h"
#include "txn-file.h"
#include "txn-internal.h"
#include "util/crc32.h"
#include "util/log.h"
#include "util/strv.h"
#include "verify.h"

/* How long a service that was just started may take to answer. */
#define VERIFY_TIMEOUT_MS 15000

void txn_say(const struct txn *t, const char *format, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;

        va_start(ap, format);
        if (vasprintf(&s, format, ap) < 0)
                s = NULL;
        va_end(ap);
        if (s && t->progress && t->progress->message)
                t->progress->message(t->progress->userdata, s);
}

void txn_done(struct txn *t) {
        for (size_t i = 0; i < t->n_snapshots; i++)
                free(t->snapshots[i].data);
        t->n_snapshots = 0;
        journal_close(&t->journal);
}

static void set_outcome(struct outcome *oc, int exit_code, enum phase phase, const char *format, ...)
        _printf_(4, 5);
static void set_outcome(struct outcome *oc, int exit_code, enum phase phase, const char *format, ...) {
        va_list ap;

        oc->exit_code = exit_code;
        oc->phase = phase;
        free(oc->message);
        va_start(ap, format);
        if (vasprintf(&oc->message, format, ap) < 0)
                oc->message = NULL;
        va_end(ap);
}

/* Snapshots each backend the plan uses, in order of first use, each stored and recorded
 * before anything changes. */
static int txn_snapshot(struct txn *t) {
        for (size_t i = 0; i < t->plan->n_steps; i++) {
                const struct backend *b = backend_find(t->plan->steps[i].backend);
                struct txn_snapshot *s;
                _cleanup_free_ char *name = NULL;
                size_t len;
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
                if (t->n_snapshots == TXN_MAX_SNAPSHOTS)
                        return -E2BIG;

                s = &t->snapshots[t->n_snapshots];
                r = b->snapshot(t->options, t->plan, &s->data);
                if (r < 0)
                        return log_error_errno(r, "Failed to snapshot '%s': %m", b->name);
                s->backend = b;
                t->n_snapshots++;

                len = s->data ? strlen(s->data) : 0;
                name = strprintf("snapshot.%s", b->name);
                if (!name)
                        return -ENOMEM;
                r = journal_write_file(&t->journal, name, s->data ?: "", len);
                if (r < 0)
                        return log_error_errno(r, "Failed to store the snapshot of '%s': %m", b->name);
                r = journal_record(&t->journal, "snapshot %s %08x %zu", b->name, (unsigned) crc32(s->data ?: "", len),
                                   len);
                if (r < 0)
                        return r;
        }
        return 0;
}

int txn_restore_all(struct txn *t) {
        bool untouched[TXN_MAX_SNAPSHOTS] = {};
        int ret = 0, r;

        r = journal_record(&t->journal, "rollback-begin");
        if (r < 0)
                log_warning_errno(r, "Failed to record the rollback in the journal, rolling back anyway: %m");
        for (size_t i = t->n_snapshots; i > 0; i--) {
                struct txn_snapshot *s = &t->snapshots[i - 1];

                /* None of our changes got there (the kernel refused the batch): whatever
                 * differs now is someone else's, and stays. */
                untouched[i - 1] = s->backend->changed_nothing && s->backend->changed_nothing(t->options);
                if (untouched[i - 1]) {
                        txn_say(t, "Nothing to restore in %s: none of its steps changed anything", s->backend->name);
                        continue;
                }
                txn_say(t, "Restoring %s ...", s->backend->name);
                r = s->backend->restore(t->options, s->data);
                if (r < 0) {
                        log_error_errno(r, "Failed to restore '%s': %m", s->backend->name);
                        ret = ret ?: r;
                }
        }
        /* Compared only once everything is restored: subsystems depend on each other (a
         * unit exists only while its package is installed). */
        for (size_t i = t->n_snapshots; i > 0; i--) {
                struct txn_snapshot *s = &t->snapshots[i - 1];
                _cleanup_free_ char *now = NULL;

                if (untouched[i - 1])
                        continue;
                r = s->backend->snapshot(t->options, t->plan, &now);
                if (r < 0) {
                        log_error_errno(r, "Failed to read '%s' again after restoring it: %m", s->backend->name);
                        ret = ret ?: r;
                        continue;
                }
                if (!streq(now ?: "", s->data ?: "")) {
                        log_error("The state of '%s' after the rollback differs from the snapshot:\n"
                                  "--- snapshot\n%s--- now\n%s",
                                  s->backend->name, s->data ?: "", now ?: "");
                        ret = ret ?: -EIO;
                }
        }
        r = journal_record(&t->journal, ret < 0 ? "rollback-failed" : "rollback-done");
        if (r < 0 && ret == 0)
                log_warning_errno(r, "Failed to record the end of the rollback in the journal: %m");
        return ret;
}

static void step_failed_outcome(struct outcome *oc, int r, size_t i, const struct step *s) {
        if (r == -ENOPKG)
                set_outcome(oc, 1, PHASE_NONE,
                            "step %zu could not be done (%s): the package is not available from the "
                            "host's package sources; make one reachable (network, a mirror, or a local "
                            "repository), or install the package by hand, then run sshrepair again",
                            i + 1, s->command);
        else
                set_outcome(oc, 3, PHASE_NONE, "step %zu failed: %s", i + 1, s->command);
}

/* The end of the group that starts at step i: step i and, when its backend takes groups,
 * the steps of the same backend that directly follow it. */
static size_t group_end(const struct plan *p, size_t i, const struct backend *b) {
        size_t e = i + 1;

        if (b && b->apply_group)
                while (e < p->n_steps && streq(p->steps[e].backend, p->steps[i].backend))
                        e++;
        return e;
}

/* Applies steps [i, e) of one backend: each is journaled as begun before anything changes
 * and as done once all are, so that a crash in between rolls all of them back. */
static int txn_apply_group(struct txn *t, struct outcome *oc, const struct backend *b, size_t i, size_t e) {
        const struct plan *p = t->plan;
        _cleanup_free_ const struct step **group = NULL;
        _cleanup_strv_free_ char **details = NULL;
        size_t failed = 0;
        int r;

        group = calloc(e - i, sizeof(*group));
        if (!group) {
                set_outcome(oc, 3, PHASE_NONE, "out of memory before step %zu", i + 1);
                return -ENOMEM;
        }
        for (size_t k = i; k < e; k++) {
                r = journal_record(&t->journal, "step-begin %zu %s %s", k + 1, p->steps[k].backend,
                                   p->steps[k].operation);
                if (r < 0) {
                        set_outcome(oc, 3, PHASE_NONE, "cannot record step %zu in the journal: %s", k + 1,
                                    strerror(-r));
                        return r;
                }
                group[k - i] = &p->steps[k];
        }
        /* Counted before they run: a failed step may have changed something too. */
        oc->n_applied = e;
        if (e - i == 1)
                r = b ? b->apply(t->options, &p->steps[i], &details) : -ENOENT;
        else
                r = b->apply_group(t->options, group, e - i, &failed, &details);
        if (r < 0 && failed >= e - i)
                failed = 0;
        for (size_t k = i; k < e && t->progress; k++) {
                bool last = r < 0 ? k == i + failed : k + 1 == e;

                if (r < 0 && k > i + failed)
                        break;
                if (t->progress->step_begin)
                        t->progress->step_begin(t->progress->userdata, k, p->n_steps, &p->steps[k]);
                if (t->progress->step_end)
                        t->progress->step_end(t->progress->userdata, r < 0 && !last ? 0 : r,
                                              last ? details : NULL);
        }
        if (r < 0) {
                (void) journal_record(&t->journal, "step-failed %zu", i + failed + 1);
                step_failed_outcome(oc, r, i + failed, &p->steps[i + failed]);
                return r;
        }
        for (size_t k = i; k < e; k++) {
                r = journal_record(&t->journal, "step-done %zu", k + 1);
                if (r < 0) {
                        set_outcome(oc, 3, PHASE_NONE, "cannot record step %zu in the journal: %s", k + 1,
                                    strerror(-r));
                        return r;
                }
        }
        return 0;
}

/* What a loopback connect cannot show: each backend the plan used checks the path of an
 * external SYN (offline: what the tree will load at boot). */
static int txn_verify_backends(struct txn *t, struct outcome *oc) {
        const struct plan *p = t->plan;

        for (size_t i = 0; i < p->n_steps; i++) {
                const struct backend *b = backend_find(p->steps[i].backend);
                _cleanup_strv_free_ char **details = NULL;
                _cleanup_free_ char *joined = NULL;
                bool seen = false;
                int r;

                for (size_t k = 0; k < i; k++)
                        seen = seen || streq(p->steps[k].backend, p->steps[i].backend);
                if (!b || !b->verify || seen)
                        continue;
                txn_say(t, "Verifying %s ...", b->name);
                r = b->verify(t->options, p, &details);
                if (r >= 0)
                        continue;
                joined = details ? strv_join(details, "; ") : NULL;
                (void) journal_record(&t->journal, "verify fail");
                if (options_offline(t->options))
                        set_outcome(oc, 3, PHASE_NONE, "after the change, %s of the tree still blocks SSH from outside: %s",
                                    b->name, joined ? joined : strerror(-r));
                else
                        set_outcome(oc, 3, PHASE_NONE, "SSH answered over loopback, but %s still blocks it from outside: %s",
                                    b->name, joined ? joined : strerror(-r));
                return r;
        }
        return 0;
}

static int txn_apply_and_verify(struct txn *t, struct outcome *oc) {
        const struct plan *p = t->plan;
        int r;

        for (size_t i = 0, e; i < p->n_steps; i = e) {
                const struct backend *b = backend_find(p->steps[i].backend);

                e = group_end(p, i, b);
                r = txn_apply_group(t, oc, b, i, e);
                if (r < 0)
                        return r;
        }

        if (options_offline(t->options)) {
                /* Nothing runs on the tree: the check is the first login after it boots. What
                 * the tree's files say can be checked (a firewall's boot-time ruleset). */
                r = txn_verify_backends(t, oc);
                if (r < 0)
                        return r;
                txn_say(t, "Offline (--root): SSH cannot be checked here; verify it after the system boots.");
                return journal_record(&t->journal, "verify offline");
        }
        txn_say(t, "Verifying that SSH answers ...");
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
        r = txn_verify_backends(t, oc);
        if (r < 0)
                return r;
        return journal_record(&t->journal, "verify ok");
}

/* Records the plan and the first records; nothing has changed if this fails. */
static int txn_begin(struct txn *t) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = txn_file_format(t->options, t->plan, &text);
        if (r < 0)
                return r;
        r = journal_write_file(&t->journal, "plan", text, strlen(text));
        if (r < 0)
                return r;
        r = journal_record(&t->journal, "begin %zu", t->plan->n_steps);
        if (r < 0)
                return r;
        return txn_snapshot(t);
}

static int txn_finish_verified(struct txn *t, struct outcome *oc) {
        _cleanup_free_ char *how = NULL;
        uint64_t deadline;
        int r;

        if (!t->options->confirm_sec) {
                r = journal_record(&t->journal, "commit");
                if (r < 0)
                        log_warning_errno(r, "Repaired, but the commit could not be recorded: %m");
                if (options_offline(t->options))
                        set_outcome(oc, 0, PHASE_COMMITTED,
                                    "Repaired offline: the system at %s is changed; verify SSH after it boots "
                                    "(undo from here: sshrepair --root %s rollback %s)",
                                    t->options->root, t->options->root, t->journal.id);
                else
                        set_outcome(oc, 0, PHASE_COMMITTED, "Repaired and verified: SSH answers");
                return 0;
        }

        /* Record the wait first: if the scheduling fails or we die now, `recover` rolls back. */
        deadline = (uint64_t) time(NULL) + t->options->confirm_sec;
        r = journal_record(&t->journal, "confirm-wait %llu", (unsigned long long) deadline);
        if (r >= 0)
                r = confirm_schedule(t->journal.id, t->options->confirm_sec, &how);
        if (r < 0) {
                log_error_errno(r, "Cannot schedule the rollback for --confirm: %m");
                return r;
        }
        set_outcome(oc, 0, PHASE_AWAITING_CONFIRM,
                    "Repaired and verified: SSH answers. Log in from another terminal, then run "
                    "'sshrepair confirm %s' within %u seconds, or the change is rolled back (%s)",
                    t->journal.id, t->options->confirm_sec, strna(how));
        return 0;
}

int txn_run(const struct options *o, const struct plan *plan, const char *state_dir,
            const struct txn_progress *progress, struct outcome *oc) {
        struct txn t = { .options = o, .plan = plan, .progress = progress, .journal = JOURNAL_NULL };
        _cleanup_close_ int lock_fd = -1;
        _cleanup_free_ char *why = NULL;
        pid_t holder = 0;
        int r;

        lock_fd = journal_lock(state_dir, false, &holder);
        if (lock_fd == -EWOULDBLOCK) {
                set_outcome(oc, 5, PHASE_NONE, "another sshrepair run (pid %d) holds the lock on %s", (int) holder,
                            state_dir);
                return 0;
        }
        if (lock_fd < 0) {
                set_outcome(oc, 5, PHASE_NONE, "cannot lock the state directory %s: %s; nothing was changed",
                            state_dir, strerror(-lock_fd));
                return 0;
        }
        r = journal_begin(state_dir, &t.journal);
        if (r < 0) {
                set_outcome(oc, 5, PHASE_NONE, "cannot record a transaction in %s: %s; nothing was changed",
                            state_dir, strerror(-r));
                return 0;
        }
        oc->journal_path = strdup(t.journal.path);
        r = txn_begin(&t);
        if (r < 0) {
                (void) journal_record(&t.journal, "abandoned");
                set_outcome(oc, 5, PHASE_NONE, "could not record the plan and snapshots, so nothing was changed: %s",
                            strerror(-r));
                goto finish;
        }

        r = txn_apply_and_verify(&t, oc);
        if (r >= 0)
                r = txn_finish_verified(&t, oc);
        if (r >= 0)
                goto finish;

        if (!oc->message || oc->exit_code == 0)
                set_outcome(oc, 3, PHASE_NONE, "the repair failed: %s", strerror(-r));
        why = strdup(strna(oc->message));
        int failed_exit = oc->exit_code;
        txn_say(&t, "Rolling back ...");
        r = txn_restore_all(&t);
        if (r < 0)
                set_outcome(oc, 4, PHASE_ROLLBACK_FAILED,
                            "%s, and the rollback is incomplete: manual attention needed", strna(why));
        else
                /* exit 1 stays 1: the fault is left as it was, for the reason given */
                set_outcome(oc, failed_exit == 1 ? 1 : 3, PHASE_ROLLED_BACK, "%s; rolled back: the host is as it was",
                            strna(why));
finish:
        txn_done(&t);
        (void) journal_prune(state_dir, JOURNAL_KEEP);
        return 0;
}
