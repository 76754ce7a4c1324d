/* Unit files of a system that does not run here (--root DIR): found, read and enabled the
 * way `systemctl --root=DIR` does it, with symlinks in DIR/etc/systemd/system. */

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sshd/sshd-files.h"
#include "systemd-offline.h"
#include "util/log.h"
#include "util/strv.h"

#define UNIT_DIR_ETC "/etc/systemd/system"
/* Follow Also= no deeper than this (systemctl stops at loops; so does this). */
#define ALSO_DEPTH_MAX 4

struct install {
        char *path;     /* where the unit file is, as the target sees it */
        char *name;     /* its file name: the canonical unit name */
        char **wanted_by;
        char **required_by;
        char **alias;
        char **also;
        char **not_exists; /* ConditionPathExists=!FILE */
};

static void install_done(struct install *i) {
        free(i->path);
        free(i->name);
        strv_free(i->wanted_by);
        strv_free(i->required_by);
        strv_free(i->alias);
        strv_free(i->also);
        strv_free(i->not_exists);
        *i = (struct install) {};
}

static const char *root_prefix(const char *root) {
        return root && !streq(root, "/") ? root : "";
}

/* Debian's systemd before 255 is built for a split /usr: its lookup path names
 * /lib/systemd/system before /usr/lib/systemd/system, and the links it creates point there. */
static bool lib_first(const char *root) {
        _cleanup_free_ char *deb = strprintf("%s/etc/debian_version", root_prefix(root));
        _cleanup_free_ char *pattern = strprintf("%s/usr/lib/*/systemd/libsystemd-shared-*.so", root_prefix(root));
        _cleanup_free_ char *pattern2 = strprintf("%s/usr/lib/systemd/libsystemd-shared-*.so", root_prefix(root));
        glob_t g = {};
        bool old = false;

        if (!deb || !pattern || !pattern2 || access(deb, F_OK) < 0)
                return false;
        if (glob(pattern, 0, NULL, &g) != 0 && glob(pattern2, 0, NULL, &g) != 0) {
                globfree(&g);
                return true; /* no version found: Debian 12 is the likely one */
        }
        for (size_t i = 0; i < g.gl_pathc; i++) {
                const char *v = strstr(g.gl_pathv[i], "libsystemd-shared-");

                if (v && atoi(v + strlen("libsystemd-shared-")) < 255)
                        old = true;
        }
        globfree(&g);
        return old;
}

/* Finds the unit file of 'name' in the lookup path. *ret_masked: a link to /dev/null in
 * /etc/systemd/system. *ret_path: where the file is (an alias in /etc is followed to the
 * file it names). 'behind_mask': look past a mask, for the file that unmasking uncovers.
 * 0 found, -ENOENT not. */
static int unit_find(const char *root, const char *name, bool behind_mask, bool *ret_masked, char **ret_path) {
        const char *dirs_lib[] = { UNIT_DIR_ETC, "/usr/local/lib/systemd/system", "/lib/systemd/system",
                                   "/usr/lib/systemd/system", NULL };
        const char *dirs_usr[] = { UNIT_DIR_ETC, "/usr/local/lib/systemd/system", "/usr/lib/systemd/system",
                                   "/lib/systemd/system", NULL };
        const char *const *dirs = lib_first(root) ? dirs_lib : dirs_usr;

        for (const char *const *d = dirs; *d; d++) {
                _cleanup_free_ char *path = strprintf("%s/%s", *d, name);
                _cleanup_free_ char *full = strprintf("%s%s", root_prefix(root), path ?: "");
                char target[4096];
                struct stat st;
                ssize_t n;

                if (!path || !full)
                        return -ENOMEM;
                if (lstat(full, &st) < 0)
                        continue;
                if (S_ISLNK(st.st_mode)) {
                        n = readlink(full, target, sizeof target - 1);
                        if (n < 0)
                                return -errno;
                        target[n] = 0;
                        if (streq(target, "/dev/null")) {
                                if (behind_mask)
                                        continue;
                                *ret_masked = true;
                                *ret_path = TAKE_PTR(path);
                                return 0;
                        }
                        if (target[0] == '/') {
                                /* an alias or a linked unit file: resolve it inside the tree */
                                _cleanup_free_ char *t = strprintf("%s%s", root_prefix(root), target);

                                if (!t)
                                        return -ENOMEM;
                                if (stat(t, &st) < 0)
                                        continue; /* dangling: systemd skips it too */
                                *ret_masked = false;
                                *ret_path = strdup(target);
                                return *ret_path ? 0 : -ENOMEM;
                        }
                }
                if (stat(full, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                *ret_masked = false;
                *ret_path = TAKE_PTR(path);
                return 0;
        }
        return -ENOENT;
}

static int extend_words(char ***list, const char *value) {
        _cleanup_strv_free_ char **words = NULL;

        if (isempty(value)) { /* an empty assignment resets the list */
                strv_free(*list);
                *list = NULL;
                return 0;
        }
        if (strv_split(value, " \t", &words) < 0)
                return -ENOMEM;
        for (char **w = words; w && *w; w++)
                if (!strv_contains(*list, *w) && strv_extend(list, *w) < 0)
                        return -ENOMEM;
        return 0;
}

static int unit_parse(const char *root, const char *path, struct install *ret) {
        _cleanup_free_ char *full = strprintf("%s%s", root_prefix(root), path), *data = NULL;
        struct install in = {};
        const char *section = "";
        char *save = NULL;
        size_t len;
        int r;

        if (!full)
                return -ENOMEM;
        if (!path || !strchr(path, '/'))
                return -EINVAL;
        r = sshd_file_read(full, &data, &len);
        if (r < 0)
                return r;
        in.path = strdup(path);
        in.name = strdup(strrchr(path, '/') + 1);
        if (!in.path || !in.name) {
                install_done(&in);
                return -ENOMEM;
        }
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *eq, *key, *value;

                line += strspn(line, " \t");
                if (*line == '#' || *line == ';' || *line == 0)
                        continue;
                if (*line == '[') {
                        char *end = strchr(line, ']');
                        if (end)
                                *end = 0;
                        section = line + 1;
                        continue;
                }
                eq = strchr(line, '=');
                if (!eq)
                        continue;
                *eq = 0;
                key = line;
                value = eq + 1;
                for (char *e = eq; e > key && strchr(" \t", e[-1]); e--)
                        e[-1] = 0;
                value += strspn(value, " \t");
                for (size_t n = strlen(value); n > 0 && strchr(" \t\r", value[n - 1]); n--)
                        value[n - 1] = 0;

                r = 0;
                if (streq(section, "Install")) {
                        if (streq(key, "WantedBy"))
                                r = extend_words(&in.wanted_by, value);
                        else if (streq(key, "RequiredBy"))
                                r = extend_words(&in.required_by, value);
                        else if (streq(key, "Alias"))
                                r = extend_words(&in.alias, value);
                        else if (streq(key, "Also"))
                                r = extend_words(&in.also, value);
                } else if (streq(section, "Unit") && streq(key, "ConditionPathExists")) {
                        /* "!FILE" or "|!FILE": the unit runs only while FILE is absent */
                        const char *v = value[0] == '|' ? value + 1 : value;

                        if (v[0] == '!' && v[1] == '/')
                                r = strv_extend(&in.not_exists, v + 1);
                }
                if (r < 0) {
                        install_done(&in);
                        return r;
                }
        }
        *ret = in;
        return 0;
}

int sd_offline_unit_read(const char *root, const char *name, struct unit_fact *ret) {
        _cleanup_free_ char *path = NULL;
        struct install in = {};
        struct unit_fact u = {};
        bool masked = false;
        int r;

        r = unit_find(root, name, false, &masked, &path);
        if (r == -ENOENT) {
                u.name = strdup(name);
                u.load_state = strdup("not-found");
                if (!u.name || !u.load_state) {
                        unit_fact_done(&u);
                        return -ENOMEM;
                }
                *ret = u;
                return 0;
        }
        if (r < 0)
                return r;
        u.active_state = strdup("offline");
        if (masked) {
                u.name = strdup(name);
                u.load_state = strdup("masked");
                u.unit_file_state = strdup("masked");
        } else {
                r = unit_parse(root, path, &in);
                if (r < 0)
                        return r;
                u.name = strdup(in.name);
                u.load_state = strdup("loaded");
                if (!in.wanted_by && !in.required_by && !in.alias && !in.also)
                        u.unit_file_state = strdup("static");
                else {
                        _cleanup_strv_free_ char **links = NULL;
                        bool enabled = false;

                        r = sd_offline_enable_links(root, in.name, &links);
                        /* enabled: a .wants/.requires link of its own [Install] is there (or,
                         * for a unit with Alias= alone, the alias) */
                        bool only_alias = !in.wanted_by && !in.required_by;

                        for (char **l = links; r >= 0 && l && *l; l++) {
                                _cleanup_free_ char *p = strndup(*l, strcspn(*l, " "));
                                _cleanup_free_ char *full = p ? strprintf("%s%s", root_prefix(root), p) : NULL;
                                bool is_alias = p && !strstr(p, ".wants/") && !strstr(p, ".requires/");
                                struct stat st;

                                if (!full) {
                                        r = -ENOMEM;
                                        break;
                                }
                                if ((only_alias || !is_alias) && lstat(full, &st) >= 0 && S_ISLNK(st.st_mode))
                                        enabled = true;
                        }
                        if (r < 0) {
                                install_done(&in);
                                unit_fact_done(&u);
                                return r;
                        }
                        u.unit_file_state = strdup(enabled ? "enabled" : "disabled");
                }
                install_done(&in);
        }
        if (!u.name || !u.load_state || !u.unit_file_state || !u.active_state) {
                unit_fact_done(&u);
                return -ENOMEM;
        }
        *ret = u;
        return 0;
}

static int collect_links(const char *root, const char *name, bool behind_mask, unsigned depth, char ***links,
                         char ***seen) {
        _cleanup_free_ char *path = NULL;
        struct install in = {};
        bool masked = false;
        int r;

        if (depth > ALSO_DEPTH_MAX || strv_contains(*seen, name))
                return 0;
        if (strv_extend(seen, name) < 0)
                return -ENOMEM;
        r = unit_find(root, name, behind_mask, &masked, &path);
        if (r < 0)
                return r;
        if (masked)
                return -ERFKILL; /* as systemctl: "Unit file ... is masked." */
        r = unit_parse(root, path, &in);
        if (r < 0)
                return r;
        /* A unit file in /etc/systemd/system is linked as it is; its links point to it. */
        for (char **t = in.wanted_by; r >= 0 && t && *t; t++)
                r = strv_extendf(links, UNIT_DIR_ETC "/%s.wants/%s %s", *t, in.name, in.path);
        for (char **t = in.required_by; r >= 0 && t && *t; t++)
                r = strv_extendf(links, UNIT_DIR_ETC "/%s.requires/%s %s", *t, in.name, in.path);
        for (char **a = in.alias; r >= 0 && a && *a; a++)
                r = strv_extendf(links, UNIT_DIR_ETC "/%s %s", *a, in.path);
        for (char **a = in.also; r >= 0 && a && *a; a++)
                r = collect_links(root, *a, behind_mask, depth + 1, links, seen);
        install_done(&in);
        return r;
}

static int enable_links(const char *root, const char *name, bool behind_mask, char ***ret) {
        _cleanup_strv_free_ char **links = NULL, **seen = NULL;
        int r;

        r = collect_links(root, name, behind_mask, 0, &links, &seen);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(links);
        return 0;
}

int sd_offline_enable_links(const char *root, const char *name, char ***ret) {
        return enable_links(root, name, false, ret);
}

static int mkdir_in_tree(const char *full) {
        /* only the .wants/.requires directory itself: /etc/systemd/system is there */
        if (mkdir(full, 0755) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int sd_offline_enable(const char *root, const char *name, char ***ret_details) {
        _cleanup_strv_free_ char **links = NULL;
        int r;

        r = sd_offline_enable_links(root, name, &links);
        if (r < 0) {
                if (ret_details)
                        (void) strv_extendf(ret_details, r == -ERFKILL ? "%s is masked" : "%s: no unit file: %s", name,
                                            strerror(-r));
                return r;
        }
        for (char **l = links; l && *l; l++) {
                _cleanup_free_ char *path = strndup(*l, strcspn(*l, " "));
                const char *target = *l + strcspn(*l, " ") + 1;
                _cleanup_free_ char *full = path ? strprintf("%s%s", root_prefix(root), path) : NULL;
                char have[4096];
                ssize_t n;

                if (!full)
                        return -ENOMEM;
                n = readlink(full, have, sizeof have - 1);
                if (n >= 0) {
                        have[n] = 0;
                        if (streq(have, target))
                                continue;
                }
                if (n >= 0 || errno != ENOENT) {
                        if (ret_details)
                                (void) strv_extendf(ret_details, "%s exists and is not a link to %s", path, target);
                        return -EEXIST;
                }
                char *slash = strrchr(full, '/');
                *slash = 0;
                r = mkdir_in_tree(full);
                *slash = '/';
                if (r < 0)
                        return r;
                if (symlink(target, full) < 0)
                        return -errno;
        }
        return 0;
}

int sd_offline_unmask(const char *root, const char *name) {
        _cleanup_free_ char *full = strprintf("%s" UNIT_DIR_ETC "/%s", root_prefix(root), name);
        char have[64];
        ssize_t n;

        if (!full)
                return -ENOMEM;
        n = readlink(full, have, sizeof have - 1);
        if (n < 0)
                return errno == ENOENT || errno == EINVAL ? 0 : -errno;
        have[n] = 0;
        if (!streq(have, "/dev/null"))
                return 0;
        return unlink(full) < 0 ? -errno : 0;
}

int sd_unit_blocking_file(const char *root, const char *name, char **ret) {
        _cleanup_free_ char *path = NULL;
        struct install in = {};
        bool masked = false;
        int r;

        /* behind a mask too: unmasking alone does not make it start */
        *ret = NULL;
        r = unit_find(root, name, true, &masked, &path);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = unit_parse(root, path, &in);
        if (r < 0)
                return r;
        for (char **f = in.not_exists; f && *f; f++) {
                _cleanup_free_ char *full = strprintf("%s%s", root_prefix(root), *f);

                if (!full) {
                        r = -ENOMEM;
                        break;
                }
                if (access(full, F_OK) == 0) {
                        *ret = strdup(*f);
                        r = *ret ? 0 : -ENOMEM;
                        break;
                }
        }
        install_done(&in);
        return r;
}

static int snapshot_link(const char *root, const char *path, char ***lines) {
        _cleanup_free_ char *full = strprintf("%s%s", root_prefix(root), path);
        char have[4096];
        ssize_t n;

        if (!full)
                return -ENOMEM;
        n = readlink(full, have, sizeof have - 1);
        if (n < 0 && errno == EINVAL)
                return -EEXIST; /* a file, not a link: not ours to touch */
        if (n < 0 && errno != ENOENT)
                return -errno;
        if (n < 0)
                return strv_extendf(lines, "link %s absent", path);
        have[n] = 0;
        return strv_extendf(lines, "link %s -> %s", path, have);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int sd_offline_links_snapshot(const char *root, const char *name, char **text) {
        _cleanup_strv_free_ char **links = NULL, **paths = NULL, **lines = NULL;
        int r;

        /* the mask, and every link enable creates: those of the unit file behind a mask too,
         * since unmasking comes before enabling */
        r = strv_extendf(&paths, UNIT_DIR_ETC "/%s", name);
        if (r < 0)
                return r;
        r = enable_links(root, name, true, &links);
        if (r < 0 && r != -ENOENT)
                return r;
        for (char **l = links; l && *l; l++) {
                char *p = strndup(*l, strcspn(*l, " "));

                if (!p)
                        return -ENOMEM;
                if (strv_contains(paths, p))
                        free(p);
                else if (strv_consume(&paths, p) < 0) {
                        free(p);
                        return -ENOMEM;
                }
        }
        qsort(paths, strv_length(paths), sizeof(char *), cmp_str);
        for (char **p = paths; *p; p++) {
                r = snapshot_link(root, *p, &lines);
                if (r < 0)
                        return r;
        }
        for (char **l = lines; l && *l; l++) {
                char *n = strprintf("%s%s\n", *text ?: "", *l);

                if (!n)
                        return -ENOMEM;
                free(*text);
                *text = n;
        }
        return 0;
}

static int restore_link(const char *root, const char *path, const char *target) {
        _cleanup_free_ char *full = strprintf("%s%s", root_prefix(root), path);
        char have[4096];
        ssize_t n;

        if (!full)
                return -ENOMEM;
        /* only links under /etc/systemd/system: a snapshot text never names anything else */
        if (strncmp(path, UNIT_DIR_ETC "/", strlen(UNIT_DIR_ETC "/")) != 0 || strstr(path, "/../"))
                return -EINVAL;
        n = readlink(full, have, sizeof have - 1);
        if (n < 0 && errno != ENOENT)
                return errno == EINVAL ? -EEXIST : -errno;
        if (n >= 0) {
                have[n] = 0;
                if (target && streq(have, target))
                        return 0;
                if (unlink(full) < 0)
                        return -errno;
        }
        if (!target)
                return 0;
        char *slash = strrchr(full, '/');
        *slash = 0;
        int r = mkdir_in_tree(full);
        *slash = '/';
        if (r < 0)
                return r;
        return symlink(target, full) < 0 ? -errno : 0;
}

int sd_offline_links_restore(const char *root, const char *snapshot) {
        _cleanup_strv_free_ char **lines = NULL;
        int ret = 0;

        if (strv_split(snapshot ?: "", "\n", &lines) < 0)
                return -ENOMEM;
        for (char **l = lines; l && *l; l++) {
                char path[4096], target[4096];
                int r;

                if (sscanf(*l, "link %4095s -> %4095s", path, target) == 2)
                        r = restore_link(root, path, target);
                else if (sscanf(*l, "link %4095s absent", path) == 1)
                        r = restore_link(root, path, NULL);
                else
                        continue;
                if (r < 0 && ret == 0)
                        ret = r; /* go on: restore as much as possible */
        }
        return ret;
}
