#pragma once

#include "model.h"

/* How a transaction reports progress to whoever renders it. Any callback may be NULL. */
struct txn_progress {
        void (*step_begin)(void *userdata, size_t i, size_t n, const struct step *s);
        void (*step_end)(void *userdata, int error, char *const *details);
        void (*message)(void *userdata, const char *text);
        void *userdata;
};

/* Applies 'plan' as one transaction: lock, snapshot every backend the plan touches, apply
 * the steps in order, verify that every port answers with an SSH banner, and on failure
 * restore the snapshots in reverse order and check they took. Fills *ret (exit code, phase,
 * what verification saw) and returns 0; < 0 only when it could not report at all. */
int txn_run(const struct options *o, const struct plan *plan, const char *state_dir,
            const struct txn_progress *progress, struct outcome *ret);
