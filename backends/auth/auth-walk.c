#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth-tree.h"
#include "auth-walk.h"
#include "util/macros.h"
#include "util/strv.h"

void auth_paths_free(struct auth_path *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(p[i].path);
        free(p);
}

char *auth_expand_keyfile(const char *pattern, const char *user, uid_t uid, const char *home) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return NULL;
        if (pattern[0] != '/' && !(pattern[0] == '%' && pattern[1] == 'h'))
                fprintf(f, "%s/", home);
        for (const char *p = pattern; *p; p++) {
                if (*p != '%') {
                        fputc(*p, f);
                        continue;
                }
                switch (*++p) {
                case 'h':
                        fputs(home, f);
                        break;
                case 'u':
                        fputs(user, f);
                        break;
                case 'U':
                        fprintf(f, "%u", (unsigned) uid);
                        break;
                case '%':
                        fputc('%', f);
                        break;
                default:
                        /* sshd refuses unknown tokens; so do we */
                        fclose(f);
                        free(buf);
                        return NULL;
                }
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static bool path_in_home(const char *path, const char *home) {
        size_t n = strlen(home);

        while (n > 1 && home[n - 1] == '/')
                n--;
        return strncmp(path, home, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/* Debian's rule: the group's only member, by primary or supplementary membership, is the
 * file's owner. */
static bool group_is_private(gid_t gid, uid_t owner) {
        struct group *gr = getgrgid(gid);
        struct passwd *pw, *owner_pw;
        int members = 0;

        if (!gr)
                return false;
        setpwent();
        while ((pw = getpwent())) {
                if (pw->pw_gid != gid)
                        continue;
                members++;
                if (pw->pw_uid != owner) {
                        endpwent();
                        return false;
                }
        }
        endpwent();
        owner_pw = getpwuid(owner);
        if (!owner_pw)
                return false;
        if (gr->gr_mem && gr->gr_mem[0]) {
                members++;
                if (!streq(gr->gr_mem[0], owner_pw->pw_name) || gr->gr_mem[1])
                        return false;
        }
        return members > 0;
}

/* 'root': offline, the tree whose files say who is in which group (NULL: this host, NSS). */
static int add(const char *root, struct auth_path **list, size_t *n, const char *path, const struct stat *st,
               bool exists, uid_t uid, bool private_group_ok, const char *home) {
        struct auth_path *l = realloc(*list, sizeof(**list) * (*n + 1)), *e;

        if (!l)
                return -ENOMEM;
        *list = l;
        e = &l[*n];
        *e = (struct auth_path) { .exists = exists, .in_home = path_in_home(path, home) };
        e->path = strdup(path);
        if (!e->path)
                return -ENOMEM;
        if (exists) {
                e->is_dir = S_ISDIR(st->st_mode);
                e->uid = st->st_uid;
                e->gid = st->st_gid;
                e->mode = st->st_mode & 07777;
                e->bad_owner = st->st_uid != 0 && st->st_uid != uid;
                e->bad_mode = (st->st_mode & 002) != 0 ||
                              ((st->st_mode & 020) != 0 &&
                               !(private_group_ok && (root ? auth_tree_group_is_private(root, st->st_gid, st->st_uid)
                                                           : group_is_private(st->st_gid, st->st_uid))));
        }
        (*n)++;
        return 0;
}

/* realpath() of 'path' inside 'root' ("" live), as the target sees it. An absolute symlink in
 * the tree is resolved on this host by the kernel: such a result (outside the tree) is
 * taken as it is. */
static bool resolve(const char *root, const char *path, char ret[static PATH_MAX]) {
        char full[PATH_MAX + 1], out[PATH_MAX];
        size_t n = strlen(root);

        if ((size_t) snprintf(full, sizeof full, "%s%s", root, path) >= sizeof full || !realpath(full, out))
                return false;
        if (n > 0 && strncmp(out, root, n) == 0 && (out[n] == '/' || out[n] == 0))
                snprintf(ret, PATH_MAX, "%s", out[n] ? out + n : "/");
        else
                snprintf(ret, PATH_MAX, "%s", out);
        return true;
}

static int stat_in(const char *root, const char *path, struct stat *st) {
        char full[PATH_MAX + 1];

        if ((size_t) snprintf(full, sizeof full, "%s%s", root, path) >= sizeof full)
                return -ENAMETOOLONG;
        return stat(full, st) < 0 ? -errno : 0;
}

int auth_walk_root(const char *root, const char *file, const char *home, uid_t uid, bool private_group_ok,
                   struct auth_path **ret, size_t *ret_n) {
        const char *r_ = root && !streq(root, "/") ? root : "", *tree = *r_ ? r_ : NULL;
        struct auth_path *list = NULL;
        size_t n = 0;
        char resolved[PATH_MAX], home_resolved[PATH_MAX], dir[PATH_MAX + 4];
        struct stat st;
        int r;

        if (file[0] != '/')
                return -EINVAL;
        if (!resolve(r_, home, home_resolved))
                snprintf(home_resolved, sizeof home_resolved, "%s", home);

        if (resolve(r_, file, resolved) && stat_in(r_, resolved, &st) == 0) {
                r = add(tree, &list, &n, resolved, &st, true, uid, private_group_ok, home_resolved);
                if (r < 0)
                        goto fail;
                snprintf(dir, sizeof dir, "%s", resolved);
        } else {
                /* missing: report it, and walk from the deepest directory that exists */
                r = add(tree, &list, &n, file, NULL, false, uid, private_group_ok, home_resolved);
                if (r < 0)
                        goto fail;
                snprintf(dir, sizeof dir, "%s", file);
                for (;;) {
                        char *slash = strrchr(dir, '/');

                        if (!slash || slash == dir) {
                                snprintf(dir, sizeof dir, "/");
                                break;
                        }
                        *slash = 0;
                        if (resolve(r_, dir, resolved)) {
                                snprintf(dir, sizeof dir, "%s/x", streq(resolved, "/") ? "" : resolved);
                                break;
                        }
                }
        }

        /* up through the directories: stop after the home directory, else at / */
        for (;;) {
                char *slash = strrchr(dir, '/');

                if (!slash)
                        break;
                if (slash == dir)
                        slash[1] = 0;
                else
                        *slash = 0;
                r = stat_in(r_, dir, &st);
                if (r < 0)
                        goto fail;
                r = add(tree, &list, &n, dir, &st, true, uid, private_group_ok, home_resolved);
                if (r < 0)
                        goto fail;
                if (streq(dir, home_resolved) || streq(dir, "/"))
                        break;
        }
        *ret = list;
        *ret_n = n;
        return 0;
fail:
        auth_paths_free(list, n);
        return r;
}

int auth_walk(const char *file, const char *home, uid_t uid, bool private_group_ok, struct auth_path **ret,
              size_t *ret_n) {
        return auth_walk_root(NULL, file, home, uid, private_group_ok, ret, ret_n);
}
