#pragma once

/* The transaction's record on disk. STATE_DIR/txn/<id>/ (0700) holds:
 *   journal          append-only records "SEQ CRC32 PAYLOAD\n", each fsync'd (with its
 *                    directory) before the change it announces
 *   plan             the steps and options (txn-file.c), so another process can roll back
 *   snapshot.NAME    each backend's snapshot text
 * Every file is opened with openat()/O_NOFOLLOW below a directory opened the same way, so
 * links planted in the state directory are refused. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/macros.h"

#define SSHREPAIR_STATE_DIR "/var/lib/sshrepair"
/* Finished transactions kept; unfinished ones are never deleted. */
#define JOURNAL_KEEP 10

enum txn_state {
        TXN_ABANDONED,        /* stopped before any step began: nothing changed */
        TXN_INCOMPLETE,       /* stopped between its first step and its end: needs recover */
        TXN_AWAITING_CONFIRM, /* verified, waiting for `sshrepair confirm` */
        TXN_COMMITTED,
        TXN_ROLLED_BACK,
        TXN_ROLLBACK_FAILED,
        _TXN_STATE_MAX,
};

const char *txn_state_to_string(enum txn_state s);

/* What a journal says, from its valid records. */
struct journal_summary {
        size_t n_records;
        bool torn;                /* the last record is incomplete or fails its checksum */
        bool begun;
        size_t n_steps;
        size_t steps_begun;       /* highest N of "step-begin N" */
        size_t steps_done;
        int verify;               /* -1 none, 0 fail, 1 ok */
        uint64_t confirm_deadline; /* CLOCK_REALTIME seconds; 0: no --confirm */
        bool committed, rollback_begun, rollback_done, rollback_failed;
        char **snapshots;         /* payloads of "snapshot NAME CRC SIZE" records */
};

void journal_summary_done(struct journal_summary *s);
/* Parses journal text. Never fails on bad content: what cannot be trusted ends the valid
 * prefix and sets 'torn'. */
int journal_parse(const char *text, size_t len, struct journal_summary *ret);
enum txn_state journal_summary_state(const struct journal_summary *s);

struct journal {
        int dir_fd;
        int log_fd;
        unsigned seq;
        bool torn_tail; /* a torn last record was cut off when this journal was opened */
        char id[48];
        char *path;
};
#define JOURNAL_NULL ((struct journal) { .dir_fd = -1, .log_fd = -1 })

/* Creates the state directory (0700) if needed and takes its lock. Without 'wait', returns
 * -EWOULDBLOCK when another run holds it, with *ret_holder its pid (0 if unknown). */
int journal_lock(const char *state_dir, bool wait, pid_t *ret_holder);

/* Starts a new transaction directory, or opens an existing one to read or (writable) to
 * append to; appending cuts off a torn last record first. */
int journal_begin(const char *state_dir, struct journal *ret);
int journal_open(const char *state_dir, const char *id, bool writable, struct journal *ret);
void journal_close(struct journal *j);

int journal_record(struct journal *j, const char *format, ...) _printf_(2, 3);
/* Writes a file in the transaction directory, fsync'd with the directory; never replaces. */
int journal_write_file(struct journal *j, const char *name, const char *data, size_t len);
/* Reads a file of the transaction directory (caller frees; NUL-terminated). */
int journal_read_file(struct journal *j, const char *name, char **ret, size_t *ret_len);
int journal_summary(struct journal *j, struct journal_summary *ret);

/* Transaction ids in the state directory, oldest first. */
int journal_list(const char *state_dir, char ***ret);
/* Deletes the oldest finished transactions beyond 'keep'. */
int journal_prune(const char *state_dir, size_t keep);
