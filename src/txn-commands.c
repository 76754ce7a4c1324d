/* The subcommands that act on recorded transactions: status, rollback, confirm, recover. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "confirm.h"
#include "txn-file.h"
#include "txn-internal.h"
#include "util/crc32.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

/* A transaction read back from its directory. */
struct loaded {
        struct options options;
        struct plan plan;
        struct journal_summary summary;
        struct txn txn;
};

static void loaded_done(struct loaded *l) {
        txn_done(&l->txn);
        journal_summary_done(&l->summary);
        plan_done(&l->plan);
        options_done(&l->options);
}

static int load_snapshot(struct loaded *l, const char *record) {
        char name[64];
        unsigned crc;
        size_t size, len = 0;
        const struct backend *b;
        _cleanup_free_ char *file = NULL, *data = NULL;
        int r;

        if (sscanf(record, "%63s %8x %zu", name, &crc, &size) != 3)
                return -EBADMSG;
        b = backend_find(name);
        if (!b || !b->restore)
                return log_error_errno(ENOENT, "Transaction %s has a snapshot of '%s', which this build cannot restore.",
                                       l->txn.journal.id, name);
        file = strprintf("snapshot.%s", name);
        if (!file)
                return -ENOMEM;
        r = journal_read_file(&l->txn.journal, file, &data, &len);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s/%s: %m", l->txn.journal.path, file);
        if (len != size || crc32(data, len) != crc)
                return log_error_errno(EBADMSG, "%s/%s is damaged (size or checksum differs from the journal): "
                                                "refusing to restore from it.",
                                       l->txn.journal.path, file);
        if (l->txn.n_snapshots == TXN_MAX_SNAPSHOTS)
                return -E2BIG;
        l->txn.snapshots[l->txn.n_snapshots++] = (struct txn_snapshot) {
                .backend = b,
                .data = len ? TAKE_PTR(data) : NULL,
        };
        return 0;
}

static int load(const char *state_dir, const char *root, const char *id, bool writable, struct loaded *l) {
        _cleanup_free_ char *text = NULL;
        int r;

        *l = (struct loaded) { .txn.journal = JOURNAL_NULL };
        r = journal_open(state_dir, id, writable, &l->txn.journal);
        if (r < 0)
                return log_error_errno(r, "Cannot open transaction '%s' in %s: %m", id, state_dir);
        r = journal_summary(&l->txn.journal, &l->summary);
        if (r < 0)
                return log_error_errno(r, "Cannot read the journal of %s: %m", id);
        r = journal_read_file(&l->txn.journal, "plan", &text, NULL);
        if (r >= 0)
                r = txn_file_parse(text, &l->options, &l->plan);
        if (r == -ENOENT && !l->summary.begun)
                return 0; /* stopped before the plan was complete: nothing changed */
        if (r < 0)
                return log_error_errno(r, "Cannot read the plan of %s: %m", id);
        /* The recorded plan says whether it changed a tree offline (--root) or the running
         * system; its snapshots are restored the same way, never the other. The tree may be
         * mounted elsewhere now: the root is this invocation's. Reading (status) takes both. */
        if (writable && options_offline(&l->options) && !root)
                return log_error_errno(EMEDIUMTYPE, "Transaction %s changed a system offline (--root): roll it back "
                                                    "with --root DIR, from the rescue system, not on the running "
                                                    "system.", id);
        if (writable && !options_offline(&l->options) && root)
                return log_error_errno(EMEDIUMTYPE, "Transaction %s changed the running system, not a tree at "
                                                    "--root: roll it back on that system, without --root.", id);
        if (root) {
                free(l->options.root);
                l->options.root = strdup(root);
                if (!l->options.root)
                        return -ENOMEM;
        }
        l->txn.options = &l->options;
        l->txn.plan = &l->plan;
        for (char **s = l->summary.snapshots; s && *s; s++) {
                r = load_snapshot(l, *s);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void progress_message(void *userdata, const char *text) {
        fprintf(userdata, "%s\n", text);
        fflush(userdata);
}

/* Rolls back one loaded transaction; returns an exit code. */
static int rollback_loaded(struct loaded *l, FILE *out) {
        struct txn_progress progress = { .message = progress_message, .userdata = out };
        enum txn_state st = journal_summary_state(&l->summary);
        int r;

        if (st == TXN_ABANDONED) {
                fprintf(out, "%s: stopped before any change; nothing to roll back\n", l->txn.journal.id);
                return 0;
        }
        if (st == TXN_ROLLED_BACK) {
                fprintf(out, "%s: already rolled back\n", l->txn.journal.id);
                return 0;
        }
        if (l->summary.steps_begun > 0 && l->txn.n_snapshots == 0) {
                log_error("%s: steps ran, but no snapshot is recorded: cannot roll back.", l->txn.journal.id);
                return 4;
        }
        if (st == TXN_AWAITING_CONFIRM)
                (void) confirm_cancel(l->txn.journal.id);

        fprintf(out, "%s: rolling back (%s, %zu of %zu steps begun%s)\n", l->txn.journal.id, txn_state_to_string(st),
                l->summary.steps_begun, l->summary.n_steps, l->summary.torn ? ", last journal record torn" : "");
        l->txn.progress = &progress;
        r = txn_restore_all(&l->txn);
        if (r < 0) {
                fprintf(out, "%s: rollback incomplete: manual attention needed; journal: %s\n", l->txn.journal.id,
                        l->txn.journal.path);
                return 4;
        }
        fprintf(out, "%s: rolled back; the restored state equals the snapshot\n", l->txn.journal.id);
        return 0;
}

static int state_of(const char *state_dir, const char *id, enum txn_state *ret) {
        struct journal j = JOURNAL_NULL;
        struct journal_summary s;
        int r;

        r = journal_open(state_dir, id, false, &j);
        if (r < 0)
                return r;
        r = journal_summary(&j, &s);
        journal_close(&j);
        if (r < 0)
                return r;
        *ret = journal_summary_state(&s);
        journal_summary_done(&s);
        return 0;
}

/* The newest transaction in one of 'states' (terminated by _TXN_STATE_MAX). */
static int find_latest(const char *state_dir, const enum txn_state *states, char **ret) {
        _cleanup_strv_free_ char **ids = NULL;
        int r;

        r = journal_list(state_dir, &ids);
        if (r < 0)
                return r;
        for (size_t i = strv_length(ids); i > 0; i--) {
                enum txn_state st;

                if (state_of(state_dir, ids[i - 1], &st) < 0)
                        continue;
                for (const enum txn_state *s = states; *s != _TXN_STATE_MAX; s++)
                        if (*s == st) {
                                *ret = strdup(ids[i - 1]);
                                return *ret ? 1 : -ENOMEM;
                        }
        }
        return 0;
}

static int lock_or_report(const char *state_dir, int *ret_fd) {
        pid_t holder = 0;
        int fd = journal_lock(state_dir, true, &holder);

        if (fd < 0)
                return log_error_errno(fd, "Cannot lock %s: %m", state_dir);
        *ret_fd = fd;
        return 0;
}

int txn_rollback_id(const char *state_dir, const char *root, const char *id, bool only_unconfirmed, FILE *out) {
        static const enum txn_state unfinished[] = { TXN_INCOMPLETE, TXN_AWAITING_CONFIRM, TXN_ROLLBACK_FAILED,
                                                     _TXN_STATE_MAX };
        static const enum txn_state any_done[] = { TXN_COMMITTED, TXN_ROLLED_BACK, _TXN_STATE_MAX };
        _cleanup_close_ int lock_fd = -1;
        _cleanup_free_ char *chosen = NULL;
        struct loaded l;
        int r, rc;

        if (lock_or_report(state_dir, &lock_fd) < 0)
                return 5;
        if (!id) {
                r = find_latest(state_dir, unfinished, &chosen);
                if (r == 0)
                        r = find_latest(state_dir, any_done, &chosen);
                if (r < 0)
                        {
                        log_error_errno(r, "Cannot list transactions: %m");
                        return 5;
                }
                if (r == 0) {
                        fprintf(out, "No transaction to roll back in %s.\n", state_dir);
                        return 1;
                }
                id = chosen;
        }
        r = load(state_dir, root, id, true, &l);
        if (r < 0) {
                loaded_done(&l);
                return r == -ENOENT || r == -EINVAL || r == -EMEDIUMTYPE ? 2 : 4;
        }
        if (only_unconfirmed && journal_summary_state(&l.summary) != TXN_AWAITING_CONFIRM) {
                fprintf(out, "%s: %s, not waiting for confirmation: nothing to do\n", id,
                        txn_state_to_string(journal_summary_state(&l.summary)));
                loaded_done(&l);
                return 0;
        }
        rc = rollback_loaded(&l, out);
        loaded_done(&l);
        (void) journal_prune(state_dir, JOURNAL_KEEP);
        return rc;
}

int txn_confirm(const char *state_dir, const char *id, FILE *out) {
        static const enum txn_state waiting[] = { TXN_AWAITING_CONFIRM, _TXN_STATE_MAX };
        _cleanup_close_ int lock_fd = -1;
        _cleanup_free_ char *chosen = NULL;
        struct journal j = JOURNAL_NULL;
        struct journal_summary s;
        enum txn_state st;
        int r;

        if (lock_or_report(state_dir, &lock_fd) < 0)
                return 5;
        if (!id) {
                r = find_latest(state_dir, waiting, &chosen);
                if (r < 0)
                        {
                        log_error_errno(r, "Cannot list transactions: %m");
                        return 5;
                }
                if (r == 0) {
                        fprintf(out, "No transaction waits for confirmation.\n");
                        return 1;
                }
                id = chosen;
        }
        r = journal_open(state_dir, id, true, &j);
        if (r < 0)
                {
                        log_error_errno(r, "Cannot open transaction '%s': %m", id);
                        return 2;
                }
        r = journal_summary(&j, &s);
        if (r < 0) {
                journal_close(&j);
                {
                        log_error_errno(r, "Cannot read the journal of %s: %m", id);
                        return 5;
                }
        }
        st = journal_summary_state(&s);
        if (st != TXN_AWAITING_CONFIRM) {
                fprintf(out, "%s is %s: nothing to confirm.\n", id, txn_state_to_string(st));
                journal_close(&j);
                journal_summary_done(&s);
                return 1;
        }
        if ((uint64_t) time(NULL) > s.confirm_deadline) {
                fprintf(out, "%s: the confirmation window has closed; its rollback is due "
                             "(run 'sshrepair rollback %s' if it has not happened).\n", id, id);
                journal_close(&j);
                journal_summary_done(&s);
                return 1;
        }
        journal_summary_done(&s);
        r = confirm_cancel(id);
        if (r < 0)
                log_warning_errno(r, "Cannot stop the scheduled rollback (it will find the transaction confirmed "
                                     "and do nothing): %m");
        r = journal_record(&j, "commit");
        journal_close(&j);
        if (r < 0)
                {
                        log_error_errno(r, "Cannot record the confirmation: %m");
                        return 5;
                }
        fprintf(out, "%s: confirmed; the change stays.\n", id);
        return 0;
}

int txn_recover(const char *state_dir, const char *root, FILE *out) {
        _cleanup_close_ int lock_fd = -1;
        _cleanup_strv_free_ char **ids = NULL;
        size_t n = 0;
        int r, rc = 0;

        if (lock_or_report(state_dir, &lock_fd) < 0)
                return 5;
        r = journal_list(state_dir, &ids);
        if (r < 0)
                {
                        log_error_errno(r, "Cannot list transactions in %s: %m", state_dir);
                        return 5;
                }
        /* newest first: a later transaction was applied on top of an earlier one */
        for (size_t i = strv_length(ids); i > 0; i--) {
                enum txn_state st;
                struct loaded l;

                if (state_of(state_dir, ids[i - 1], &st) < 0 ||
                    (st != TXN_INCOMPLETE && st != TXN_AWAITING_CONFIRM && st != TXN_ROLLBACK_FAILED))
                        continue;
                n++;
                r = load(state_dir, root, ids[i - 1], true, &l);
                if (r == -EMEDIUMTYPE)
                        n--; /* the other kind (offline / running): its own recover handles it */
                else if (r < 0)
                        rc = 4;
                else if (rollback_loaded(&l, out) != 0)
                        rc = 4;
                loaded_done(&l);
        }
        if (n == 0)
                fprintf(out, "Nothing to recover: every transaction in %s is finished.\n", state_dir);
        (void) journal_prune(state_dir, JOURNAL_KEEP);
        return rc;
}

int txn_status(const char *state_dir, bool json, FILE *out) {
        _cleanup_strv_free_ char **ids = NULL;
        struct json j;
        int r;

        r = journal_list(state_dir, &ids);
        if (r < 0)
                {
                        log_error_errno(r, "Cannot list transactions in %s: %m", state_dir);
                        return 5;
                }
        if (json) {
                json_init(&j, out);
                json_object_begin(&j, NULL);
                json_int(&j, "schema_version", 1);
                json_array_begin(&j, "transactions");
        } else if (!ids)
                fprintf(out, "No transactions in %s.\n", state_dir);

        for (size_t i = ids ? strv_length(ids) : 0; i > 0; i--) {
                struct loaded l;
                enum txn_state st;

                if (load(state_dir, NULL, ids[i - 1], false, &l) < 0) {
                        loaded_done(&l);
                        continue;
                }
                st = journal_summary_state(&l.summary);
                if (json) {
                        json_object_begin(&j, NULL);
                        json_string(&j, "id", ids[i - 1]);
                        json_string(&j, "state", txn_state_to_string(st));
                        json_int(&j, "steps", (int64_t) l.summary.n_steps);
                        json_int(&j, "steps_begun", (int64_t) l.summary.steps_begun);
                        json_bool(&j, "torn", l.summary.torn);
                        json_int(&j, "confirm_deadline", (int64_t) l.summary.confirm_deadline);
                        json_array_begin(&j, "commands");
                        for (size_t k = 0; k < l.plan.n_steps; k++)
                                json_string(&j, NULL, l.plan.steps[k].command);
                        json_array_end(&j);
                        json_string(&j, "journal", l.txn.journal.path);
                        json_object_end(&j);
                } else {
                        fprintf(out, "%s  %-16s %zu/%zu steps%s\n", ids[i - 1], txn_state_to_string(st),
                                l.summary.steps_begun, l.summary.n_steps, l.summary.torn ? " (torn record)" : "");
                        for (size_t k = 0; k < l.plan.n_steps; k++)
                                fprintf(out, "    %zu. %s\n", k + 1, l.plan.steps[k].command);
                }
                loaded_done(&l);
        }
        if (json) {
                json_array_end(&j);
                json_object_end(&j);
        }
        return 0;
}
