#pragma once

/* The transaction's record on disk: STATE_DIR/txn/<id>/ holds the snapshots and an
 * append-only "journal" of one-line records, each fsync'd before the change it announces. */

#include "util/macros.h"

#define SSHREPAIR_STATE_DIR "/var/lib/sshrepair"

struct journal {
        int dir_fd;
        int log_fd;
        char id[48];
        char *path;
};

/* Creates the state directory (0700) if needed and takes its lock without waiting.
 * Returns the lock fd; -EWOULDBLOCK when another run holds it, with *ret_holder set to its
 * pid (0 if unknown). */
int journal_lock(const char *state_dir, pid_t *ret_holder);

/* Starts a new transaction directory under state_dir/txn/. */
int journal_begin(const char *state_dir, struct journal *ret);
int journal_record(struct journal *j, const char *format, ...) _printf_(2, 3);
/* Stores a snapshot text under the backend's name, fsync'd. */
int journal_save_snapshot(struct journal *j, const char *backend, const char *data);
void journal_close(struct journal *j);
