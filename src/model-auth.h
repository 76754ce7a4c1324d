#pragma once

/* Facts about whether an account can log in once the port answers: host keys, the key
 * files sshd would read for --user and the StrictModes walk over them, the account's state
 * (filled by backends/auth, read by plans/auth.c). */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct auth_path;

struct auth_keyfile {
        char *pattern;          /* as AuthorizedKeysFile says: ".ssh/authorized_keys" */
        char *path;             /* expanded: "/home/alice/.ssh/authorized_keys" */
        struct auth_path *walk; /* the file first, then each directory sshd checks */
        size_t n_walk;
};

struct auth_facts {
        /* host keys: sshd does not start without one it can load */
        bool hostkeys_known;
        char **hostkeys_present;
        char **hostkeys_missing;

        /* --user */
        bool user_known;        /* the account was looked up */
        bool user_missing;
        char *user;
        uid_t uid;
        gid_t gid;
        char *home;
        char *shell;
        bool shell_refuses;     /* nologin, false: no session, whatever the key */
        bool shadow_known;
        bool password_locked;   /* '!' before the hash: blocks keys too when UsePAM is no */
        bool account_expired;
        bool strict_modes;      /* StrictModes yes (the default) */
        struct auth_keyfile *keyfiles;
        size_t n_keyfiles;
};

void auth_facts_done(struct auth_facts *a);
