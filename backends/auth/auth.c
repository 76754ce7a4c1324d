/* The auth backend: host keys, the key files of --user and their StrictModes walk, the
 * account's state; operations chmod, chown and generate-hostkeys, each undone from the
 * snapshot. */

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth-tree.h"
#include "auth-walk.h"
#include "backend.h"
#include "util/exec.h"
#include "util/log.h"
#include "util/strv.h"

#define HOSTKEY_DIR "/etc/ssh"

/* What sshd loads when HostKey is not set (and what `ssh-keygen -A` creates). */
static const char *const default_hostkeys[] = {
        "/etc/ssh/ssh_host_rsa_key",
        "/etc/ssh/ssh_host_ecdsa_key",
        "/etc/ssh/ssh_host_ed25519_key",
        NULL,
};

static int probe_hostkeys(const struct options *o, struct facts *f) {
        char *const *keys = f->sshd_config.hostkeys && f->sshd_config.hostkeys[0] ? f->sshd_config.hostkeys
                                                                                    : (char *const *) default_hostkeys;
        for (char *const *k = keys; *k; k++) {
                _cleanup_free_ char *path = options_path(o, *k);
                int r;

                if (!path)
                        return -ENOMEM;
                r = strv_extend(access(path, R_OK) == 0 ? &f->auth.hostkeys_present : &f->auth.hostkeys_missing, *k);
                if (r < 0)
                        return r;
        }
        f->auth.hostkeys_known = true;
        return 0;
}

static bool shell_refuses(const char *shell) {
        const char *base = strrchr(shell, '/');

        base = base ? base + 1 : shell;
        return streq(base, "nologin") || streq(base, "false");
}

static int probe_keyfiles(const struct options *o, struct facts *f) {
        static const char *const default_files[] = { ".ssh/authorized_keys", ".ssh/authorized_keys2", NULL };
        char *const *values = sshd_effective(&f->sshd_config, SSHD_AUTHORIZED_KEYS_FILE);
        _cleanup_strv_free_ char **patterns = NULL;
        struct auth_facts *a = &f->auth;

        /* `sshd -T` prints the files on one line, separated by spaces */
        for (char *const *v = values; v && *v; v++) {
                _cleanup_strv_free_ char **words = NULL;

                if (strv_split(*v, " \t", &words) < 0)
                        return -ENOMEM;
                for (char **w = words; w && *w; w++)
                        if (strv_extend(&patterns, *w) < 0)
                                return -ENOMEM;
        }
        if (!patterns && !(patterns = strv_copy((char *const *) default_files)))
                return -ENOMEM;
        for (char **p = patterns; *p; p++) {
                struct auth_keyfile *k, *nk;
                int r;

                if (streq(*p, "none"))
                        continue;
                nk = realloc(a->keyfiles, sizeof(*nk) * (a->n_keyfiles + 1));
                if (!nk)
                        return -ENOMEM;
                a->keyfiles = nk;
                k = &nk[a->n_keyfiles++];
                *k = (struct auth_keyfile) { .pattern = strdup(*p) };
                k->path = auth_expand_keyfile(*p, a->user, a->uid, a->home);
                if (!k->pattern || !k->path)
                        return -ENOMEM;
                /* Debian's sshd accepts group write by a user-private group */
                _cleanup_free_ char *debian = options_path(o, "/etc/debian_version");
                if (!debian)
                        return -ENOMEM;
                r = auth_walk_root(o->root, k->path, a->home, a->uid, access(debian, F_OK) == 0, &k->walk, &k->n_walk);
                if (r < 0)
                        return strv_extendf(&f->unreadable, "key file '%s': %s", k->path, strerror(-r));
        }
        return 0;
}

/* Offline: the account as the tree's own files say, never this host's NSS. */
static int auth_probe_offline(const struct options *o, struct facts *f) {
        struct auth_facts *a = &f->auth;
        struct tree_user u = {};
        bool locked = false, expired = false, empty = false;
        int r;

        a->user_known = true;
        r = auth_tree_user(o->root, o->user, &u);
        if (r < 0)
                return strv_extendf(&f->unreadable, "%s/etc/passwd: %s", o->root, strerror(-r));
        if (r == 0) {
                a->user_missing = true;
                return 0;
        }
        a->user = TAKE_PTR(u.name);
        a->home = TAKE_PTR(u.home);
        a->shell = TAKE_PTR(u.shell);
        a->uid = u.uid;
        a->gid = u.gid;
        a->shell_refuses = shell_refuses(a->shell);
        a->strict_modes = true;

        r = auth_tree_shadow(o->root, o->user, &locked, &expired, &empty);
        if (r > 0) {
                a->shadow_known = true;
                a->password_locked = locked;
                a->account_expired = expired;
        } else if (r < 0 && (r = strv_extendf(&f->unreadable, "%s/etc/shadow (account lock and expiry): %s", o->root,
                                                strerror(-r))) < 0)
                return r;
        return probe_keyfiles(o, f);
}

static int auth_probe(const struct options *o, struct facts *f) {
        struct auth_facts *a = &f->auth;
        struct passwd *pw;
        struct spwd *sp;
        int r;

        r = probe_hostkeys(o, f);
        if (r < 0 || !o->user)
                return r;
        if (options_offline(o))
                return auth_probe_offline(o, f);

        a->user_known = true;
        errno = 0;
        pw = getpwnam(o->user);
        if (!pw) {
                a->user_missing = true;
                return 0;
        }
        a->user = strdup(pw->pw_name);
        a->home = strdup(pw->pw_dir);
        a->shell = strdup(pw->pw_shell);
        if (!a->user || !a->home || !a->shell)
                return -ENOMEM;
        a->uid = pw->pw_uid;
        a->gid = pw->pw_gid;
        a->shell_refuses = shell_refuses(a->shell);
        a->strict_modes = true; /* sshd's default; this tool does not track StrictModes no */

        sp = getspnam(o->user);
        if (sp) {
                long today = (long) (time(NULL) / 86400);

                a->shadow_known = true;
                a->password_locked = sp->sp_pwdp && sp->sp_pwdp[0] == '!';
                a->account_expired = sp->sp_expire > 0 && sp->sp_expire <= today;
        } else if (geteuid() != 0) {
                r = strv_extend(&f->unreadable, "the shadow database (account lock and expiry): needs root");
                if (r < 0)
                        return r;
        }
        return probe_keyfiles(o, f);
}

/* The snapshot: one line per path a chmod/chown touches, and the host keys in /etc/ssh. */
static int auth_snapshot(const struct options *o, const struct plan *plan, char **ret) {
        _cleanup_strv_free_ char **paths = NULL;
        bool hostkeys = false;
        char *buf = NULL;
        size_t size = 0;
        FILE *out;
        int r;

        for (size_t i = 0; i < plan->n_steps; i++) {
                const struct step *s = &plan->steps[i];

                if (!streq(s->backend, "auth"))
                        continue;
                if (streq(s->operation, "generate-hostkeys"))
                        hostkeys = true;
                else if (s->args && s->args[0] && !strv_contains(paths, s->args[0])) {
                        r = strv_extend(&paths, s->args[0]);
                        if (r < 0)
                                return r;
                }
        }
        out = open_memstream(&buf, &size);
        if (!out)
                return -ENOMEM;
        for (char **p = paths; p && *p; p++) {
                _cleanup_free_ char *full = options_path(o, *p);
                struct stat st;

                if (!full) {
                        fclose(out);
                        free(buf);
                        return -ENOMEM;
                }
                if (lstat(full, &st) < 0)
                        fprintf(out, "path %s missing\n", *p);
                else
                        fprintf(out, "path %s %u %u %04o\n", *p, (unsigned) st.st_uid, (unsigned) st.st_gid,
                                (unsigned) (st.st_mode & 07777));
        }
        if (hostkeys) {
                struct dirent **names = NULL;
                _cleanup_free_ char *dir = options_path(o, HOSTKEY_DIR);
                int n = dir ? scandir(dir, &names, NULL, alphasort) : -1;

                fputs("hostkeys", out);
                for (int i = 0; i < n; i++) {
                        if (fnmatch("ssh_host_*", names[i]->d_name, 0) == 0)
                                fprintf(out, " %s", names[i]->d_name);
                        free(names[i]);
                }
                free(names);
                fputc('\n', out);
        }
        if (fclose(out) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

static int restore_hostkeys(const struct options *o, const char *list) {
        struct dirent **names = NULL;
        _cleanup_free_ char *dir = options_path(o, HOSTKEY_DIR);
        int n = dir ? scandir(dir, &names, NULL, alphasort) : -1, r = 0;

        if (n < 0)
                return -errno;
        for (int i = 0; i < n; i++) {
                char word[300];

                snprintf(word, sizeof word, " %s ", names[i]->d_name);
                /* remove only the keys that were not there before */
                if (fnmatch("ssh_host_*", names[i]->d_name, 0) == 0 && !strstr(list, word)) {
                        _cleanup_free_ char *path = strprintf("%s/%s", dir, names[i]->d_name);

                        if (!path || (unlink(path) < 0 && errno != ENOENT))
                                r = r ?: -errno;
                }
                free(names[i]);
        }
        free(names);
        return r;
}

static int auth_restore(const struct options *o, const char *snapshot) {
        _cleanup_strv_free_ char **lines = NULL;
        int ret = 0;

        if (strv_split(snapshot, "\n", &lines) < 0)
                return -ENOMEM;
        for (char **l = lines; l && *l; l++) {
                const char *line = *l;
                char path[4096];
                unsigned uid, gid, mode;

                if (strncmp(line, "hostkeys", 8) == 0) {
                        _cleanup_free_ char *list = strprintf("%s ", line + 8);
                        int r = list ? restore_hostkeys(o, list) : -ENOMEM;

                        ret = ret ?: r;
                } else if (sscanf(line, "path %4095s %u %u %o", path, &uid, &gid, &mode) == 4) {
                        _cleanup_free_ char *full = options_path(o, path);

                        if (!full)
                                ret = ret ?: -ENOMEM;
                        else if (lchown(full, uid, gid) < 0 || chmod(full, mode) < 0)
                                ret = ret ?: -errno;
                }
        }
        return ret;
}

/* Offline `ssh-keygen -A -f DIR` writes the keys into DIR/etc/ssh: the host's ssh-keygen,
 * but nothing of the host's files. */
static int generate_hostkeys(const struct options *o, char ***ret_details) {
        _cleanup_free_ char *keygen = exec_find_program("ssh-keygen");
        struct exec_result res = {};
        int r;

        if (!keygen)
                return -ENOENT;
        if (options_offline(o))
                r = exec_run((const char *const[]) { keygen, "-A", "-f", o->root, NULL }, NULL, 0,
                             EXEC_TIMEOUT_MS_DEFAULT, &res);
        else
                r = exec_run((const char *const[]) { keygen, "-A", NULL }, NULL, 0, EXEC_TIMEOUT_MS_DEFAULT, &res);
        if (r >= 0 && res.status != 0) {
                _cleanup_free_ char *why = exec_result_describe(&res);

                if (ret_details && why)
                        (void) strv_extend(ret_details, why);
                r = -EIO;
        }
        exec_result_done(&res);
        return r;
}

static int auth_apply(const struct options *o, const struct step *s, char ***ret_details) {
        unsigned long mode, uid, gid;
        char *end;

        _cleanup_free_ char *path = NULL;

        if (streq(s->operation, "generate-hostkeys"))
                return generate_hostkeys(o, ret_details);
        if (!s->args || !s->args[0] || s->args[0][0] != '/')
                return -EINVAL;
        path = options_path(o, s->args[0]);
        if (!path)
                return -ENOMEM;
        if (streq(s->operation, "chmod") && s->args[1]) {
                mode = strtoul(s->args[1], &end, 8);
                if (*end || mode > 07777)
                        return -EINVAL;
                return chmod(path, (mode_t) mode) < 0 ? -errno : 0;
        }
        if (streq(s->operation, "chown") && s->args[1] && s->args[2]) {
                uid = strtoul(s->args[1], &end, 10);
                if (*end)
                        return -EINVAL;
                gid = strtoul(s->args[2], &end, 10);
                if (*end)
                        return -EINVAL;
                /* lchown: a symlink planted meanwhile is not followed */
                return lchown(path, (uid_t) uid, (gid_t) gid) < 0 ? -errno : 0;
        }
        return -EOPNOTSUPP;
}

const struct backend backend_auth = {
        .name = "auth",
        .probe = auth_probe,
        .snapshot = auth_snapshot,
        .restore = auth_restore,
        .apply = auth_apply,
};
