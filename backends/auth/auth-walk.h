#pragma once

/* sshd's StrictModes check of a key file, as OpenSSH's auth.c does it (safe_path): the
 * file and every directory above it, up to and including the user's home directory (or up
 * to / for a file outside the home), must be owned by root or the user and must not be
 * writable by group or others. Debian and Ubuntu patch sshd to accept group write when the
 * group has exactly one member, the file's owner (a user-private group); 'private_group_ok'
 * asks for that rule. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct auth_path {
        char *path;      /* resolved: no symlinks */
        bool exists;
        bool is_dir;
        uid_t uid;
        gid_t gid;
        mode_t mode;     /* permission bits */
        bool bad_owner;  /* neither root nor the user */
        bool bad_mode;   /* group or others may write */
        bool in_home;    /* the home directory or below it */
};

void auth_paths_free(struct auth_path *p, size_t n);

/* Walks 'file' (absolute) as sshd would for the user 'uid' whose home is 'home'. The first
 * entry is the file itself (exists == false when it is missing: the walk then starts at
 * the deepest directory that exists). Returns the entries, file first. */
int auth_walk(const char *file, const char *home, uid_t uid, bool private_group_ok, struct auth_path **ret,
              size_t *ret_n);

/* The same for a system mounted at 'root' (--root DIR; NULL or "/" for this one): 'file'
 * and 'home' and the paths returned are as that system sees them, the walk stops at its /,
 * and group membership comes from its /etc/passwd and /etc/group. */
int auth_walk_root(const char *root, const char *file, const char *home, uid_t uid, bool private_group_ok,
                   struct auth_path **ret, size_t *ret_n);

/* Expands sshd's tokens in one AuthorizedKeysFile entry (%h home, %u user, %U uid, %%) and
 * makes it absolute (relative entries are relative to the home directory). */
char *auth_expand_keyfile(const char *pattern, const char *user, uid_t uid, const char *home);
