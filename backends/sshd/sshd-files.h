#pragma once

/* Files, byte-exact: snapshot texts, atomic replacement that keeps owner, mode and SELinux
 * context, and the staging tree in which an edit is validated before it goes live. */

#include <stddef.h>
#include <sys/stat.h>

#include "model-sshd.h"

/* Reads a whole regular file (symlinks followed). */
int sshd_file_read(const char *path, char **ret, size_t *ret_len);

/* Appends to *text the snapshot of 'path': metadata and base64 content, or "absent".
 * Deterministic for equal files. */
int sshd_file_snapshot(const char *path, char **text);

/* Brings every file in a snapshot text back; files that already equal it are left alone.
 * Returns > 0 when some file was rewritten. */
int sshd_files_restore(const char *snapshot);

/* Replaces 'path' (a regular file, never a symlink: pass the target) by 'data' atomically:
 * a temporary file in the same directory with the owner, mode and SELinux context of the
 * old one, fsync'd, then rename(2). */
int sshd_file_replace(const char *path, const char *data, size_t len);

/* Copies every file of 'c' into a new directory (under the same paths), for editing and
 * validating there. *ret_dir: the caller removes it with sshd_stage_remove(). */
int sshd_stage_create(const struct sshd_config_facts *c, char **ret_dir);
/* Points the Include lines of every staged file into the staging directory, so that
 * `sshd -t -f STAGE/etc/ssh/sshd_config` reads the staged drop-ins, not the live ones.
 * (sshd resolves relative Include paths against /etc/ssh, whatever -f says.) */
int sshd_stage_redirect_includes(const struct sshd_config_facts *c, const char *dir);
void sshd_stage_remove(const struct sshd_config_facts *c, const char *dir);
