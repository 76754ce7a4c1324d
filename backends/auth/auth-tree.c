#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth-tree.h"
#include "util/macros.h"
#include "util/strv.h"

static FILE *tree_open(const char *root, const char *path) {
        _cleanup_free_ char *full = strprintf("%s%s", root && !streq(root, "/") ? root : "", path);

        if (!full) {
                errno = ENOMEM;
                return NULL;
        }
        return fopen(full, "re");
}

void tree_user_done(struct tree_user *u) {
        if (!u)
                return;
        free(u->name);
        free(u->home);
        free(u->shell);
        *u = (struct tree_user) {};
}

static int copy_user(const struct passwd *pw, struct tree_user *ret) {
        struct tree_user u = { .uid = pw->pw_uid, .gid = pw->pw_gid };

        u.name = strdup(pw->pw_name);
        u.home = strdup(pw->pw_dir ?: "/");
        u.shell = strdup(pw->pw_shell && pw->pw_shell[0] ? pw->pw_shell : "/bin/sh");
        if (!u.name || !u.home || !u.shell) {
                tree_user_done(&u);
                return -ENOMEM;
        }
        *ret = u;
        return 1;
}

static int find_user(const char *root, const char *name, uid_t uid, struct tree_user *ret) {
        FILE *f = tree_open(root, "/etc/passwd");
        struct passwd *pw;
        int r = 0;

        if (!f)
                return -errno;
        while ((pw = fgetpwent(f)))
                if (name ? streq(pw->pw_name, name) : pw->pw_uid == uid) {
                        r = copy_user(pw, ret);
                        break;
                }
        fclose(f);
        return r;
}

int auth_tree_user(const char *root, const char *name, struct tree_user *ret) {
        return find_user(root, name, 0, ret);
}

int auth_tree_user_by_uid(const char *root, uid_t uid, struct tree_user *ret) {
        return find_user(root, NULL, uid, ret);
}

int auth_tree_shadow(const char *root, const char *name, bool *ret_locked, bool *ret_expired, bool *ret_empty) {
        FILE *f = tree_open(root, "/etc/shadow");
        struct spwd *sp;
        int r = 0;

        if (!f)
                return -errno;
        while ((sp = fgetspent(f))) {
                long today = (long) (time(NULL) / 86400);

                if (!streq(sp->sp_namp, name))
                        continue;
                *ret_locked = sp->sp_pwdp && sp->sp_pwdp[0] == '!';
                *ret_expired = sp->sp_expire > 0 && sp->sp_expire <= today;
                *ret_empty = sp->sp_pwdp && sp->sp_pwdp[0] == 0;
                r = 1;
                break;
        }
        fclose(f);
        return r;
}

int auth_tree_groups(const char *root, const char *user, gid_t gid, char ***ret) {
        _cleanup_strv_free_ char **primary = NULL, **others = NULL;
        FILE *f = tree_open(root, "/etc/group");
        struct group *gr;
        int r = 0;

        if (!f)
                return -errno;
        while (r >= 0 && (gr = fgetgrent(f))) {
                if (gr->gr_gid == gid && !primary)
                        r = strv_extend(&primary, gr->gr_name);
                else
                        for (char **m = gr->gr_mem; r >= 0 && m && *m; m++)
                                if (streq(*m, user)) {
                                        r = strv_extend(&others, gr->gr_name);
                                        break;
                                }
        }
        fclose(f);
        for (char **o = others; r >= 0 && o && *o; o++)
                if (!strv_contains(primary, *o))
                        r = strv_extend(&primary, *o);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(primary);
        return 0;
}

bool auth_tree_group_is_private(const char *root, gid_t gid, uid_t owner) {
        struct tree_user o = {};
        FILE *f;
        struct passwd *pw;
        struct group *gr;
        int members = 0;
        bool ok = true, found = false;

        if (auth_tree_user_by_uid(root, owner, &o) <= 0)
                return false;
        f = tree_open(root, "/etc/passwd");
        while (f && (pw = fgetpwent(f)))
                if (pw->pw_gid == gid) {
                        members++;
                        ok = ok && pw->pw_uid == owner;
                }
        if (f)
                fclose(f);
        f = tree_open(root, "/etc/group");
        while (f && (gr = fgetgrent(f))) {
                if (gr->gr_gid != gid)
                        continue;
                found = true;
                for (char **m = gr->gr_mem; m && *m; m++) {
                        members++;
                        ok = ok && o.name && streq(*m, o.name);
                }
                break;
        }
        if (f)
                fclose(f);
        tree_user_done(&o);
        return found && ok && members > 0;
}
