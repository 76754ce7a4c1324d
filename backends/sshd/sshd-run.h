#pragma once

/* Running sshd itself: `sshd -t` (validate), `sshd -T` (dump the effective configuration)
 * and Match evaluation through `sshd -T -C`. sshd is the authority on its own syntax and
 * semantics; this file only runs it and reads what it prints. */

#include "model-sshd.h"

/* Offline (--root DIR): from now on sshd runs chrooted into 'root' (argv[0] and every path
 * as the tree sees them), its /run/sshd on a tmpfs in a mount namespace of its own; NULL or
 * "/" for the live host. Where it cannot run there (not root, another architecture, no
 * binary) the functions below return -ENOEXEC. */
void sshd_run_set_root(const char *root);
const char *sshd_run_get_root(void);

/* Runs argv (argv[0] an absolute path) with a clean environment; collects stdout and
 * stderr (each capped). *ret_status is the exit status, or 128+signal. */
int sshd_exec(char *const *argv, char **ret_out, char **ret_err, int *ret_status);

/* Creates /run/sshd (root, 0755) when missing: sshd -t/-T refuse to run without it.
 * Returns 1 when it was created. */
int sshd_ensure_run_dir(void);

/* `sshd -t [-f config]`: 1 valid, 0 invalid (messages in *ret_messages), < 0 could not run. */
int sshd_test(const char *sshd, const char *config, char ***ret_messages);

/* `sshd -T [-f config] [-C spec]`: fills effective[] (one element per printed line for the
 * keywords we track) and *ret_hostkeys. Returns 0, or -EINVAL with *ret_messages when
 * sshd refused. */
int sshd_dump(const char *sshd, const char *config, const char *spec, char **effective[static _SSHD_KEY_MAX],
              char ***ret_hostkeys, char ***ret_messages);

/* What sshd_dump() does with sshd -T's standard output: one "keyword value" per line. On
 * success replaces effective[] (and *ret_hostkeys); on failure leaves them alone. */
int sshd_dump_parse(const char *out, char **effective[static _SSHD_KEY_MAX], char ***ret_hostkeys);

/* Finds "FILE line N:" or "FILE: line N:" in one of sshd's messages. */
int sshd_parse_error_location(const char *message, char **ret_file, unsigned *ret_line);

/* Does `Match CRITERIA` apply to the connection described by 'spec'? Asks sshd with a
 * one-block configuration. 1 yes, 0 no, < 0 sshd refused (e.g. a malformed criterion). */
int sshd_match_applies(const char *sshd, const char *criteria, const char *spec, char *const *hostkeys);
