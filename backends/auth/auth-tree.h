#pragma once

/* Accounts of a system mounted elsewhere (--root DIR), read from DIR/etc/passwd, shadow and
 * group with fgetpwent(3) and friends: never through NSS, which answers for this host. */

#include <stdbool.h>
#include <sys/types.h>

struct tree_user {
        char *name;
        uid_t uid;
        gid_t gid;
        char *home;
        char *shell;
};

void tree_user_done(struct tree_user *u);

/* 'root' "" or "/" is this system's files (still not NSS). 1 found, 0 not, < 0 error. */
int auth_tree_user(const char *root, const char *name, struct tree_user *ret);
int auth_tree_user_by_uid(const char *root, uid_t uid, struct tree_user *ret);

/* The shadow entry of 'name': 1 found (*ret_locked: '!' before the hash; *ret_expired;
 * *ret_empty: no password at all), 0 none, < 0 error (-EACCES when it is not readable). */
int auth_tree_shadow(const char *root, const char *name, bool *ret_locked, bool *ret_expired, bool *ret_empty);

/* The names of the groups of 'user' (primary group 'gid' first, then supplementary). */
int auth_tree_groups(const char *root, const char *user, gid_t gid, char ***ret);

/* Debian's user-private group: the only member of group 'gid', by primary or supplementary
 * membership, is 'owner'. */
bool auth_tree_group_is_private(const char *root, gid_t gid, uid_t owner);
