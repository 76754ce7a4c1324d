#pragma once

/* Shared by txn.c (a run) and txn-commands.c (rollback, recover, confirm, status). */

#include "backend.h"
#include "journal.h"
#include "txn.h"

#define TXN_MAX_SNAPSHOTS 16

struct txn_snapshot {
        const struct backend *backend;
        char *data;
};

struct txn {
        const struct options *options;
        const struct plan *plan;
        const struct txn_progress *progress;
        struct journal journal;
        struct txn_snapshot snapshots[TXN_MAX_SNAPSHOTS];
        size_t n_snapshots;
};

void txn_done(struct txn *t);
void txn_say(const struct txn *t, const char *format, ...) _printf_(2, 3);

/* Restores every snapshot in reverse order, takes each again and compares; records
 * rollback-begin and rollback-done/-failed in the journal. */
int txn_restore_all(struct txn *t);
