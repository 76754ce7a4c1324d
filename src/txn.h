#pragma once

#include <stdio.h>

#include "model.h"

/* How a transaction reports progress to whoever renders it. Any callback may be NULL. */
struct txn_progress {
        void (*step_begin)(void *userdata, size_t i, size_t n, const struct step *s);
        void (*step_end)(void *userdata, int error, char *const *details);
        void (*message)(void *userdata, const char *text);
        void *userdata;
};

/* Applies 'plan' as one transaction: lock, record the plan, snapshot every backend the plan
 * touches, apply the steps in order, verify that every port answers with an SSH banner, and
 * on failure restore the snapshots in reverse order and check they took. With
 * o->confirm_sec, a verified change waits for `sshrepair confirm`, and a rollback is
 * scheduled outside this process. Fills *ret and returns 0; < 0 only when it could not
 * report at all. */
int txn_run(const struct options *o, const struct plan *plan, const char *state_dir,
            const struct txn_progress *progress, struct outcome *ret);

/* The subcommands. Each prints for a person (or JSON with 'json') to 'out' and returns an
 * exit code of the contract. */
int txn_status(const char *state_dir, bool json, FILE *out);
/* id NULL: the latest unfinished transaction, else the latest. 'only_unconfirmed': do
 * nothing unless the transaction still waits for confirmation (the scheduled rollback). */
/* 'root': this invocation's --root (NULL: the running system); a transaction is rolled back
 * only the way it was made, offline or on the running system. */
int txn_rollback_id(const char *state_dir, const char *root, const char *id, bool only_unconfirmed, FILE *out);
int txn_confirm(const char *state_dir, const char *id, FILE *out);
int txn_recover(const char *state_dir, const char *root, FILE *out);
