/* The sshd backend: the operations table, snapshots and restores of the files its steps
 * touch, and the steps themselves. Every configuration edit is made through Augeas on a
 * staging copy of all configuration files, validated there with `sshd -t`, and only then
 * put in place of the live file (atomically, owner, mode and SELinux label kept). The
 * probe is in sshd-probe.c. */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "sshd-aug.h"
#include "sshd-backend.h"
#include "sshd-config.h"
#include "sshd-files.h"
#include "sshd-lines.h"
#include "sshd-offline.h"
#include "sshd-run.h"
#include "util/log.h"
#include "util/strv.h"

/* semanage's view of one port: 1 labelled ssh_port_t locally, 0 not, < 0 unknown. */
static int selinux_port_present(const char *port) {
        char *argv[] = { (char *) "/usr/sbin/semanage", (char *) "port", (char *) "-l", (char *) "-C", NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        int status, r;

        r = sshd_exec(argv, &out, &err, &status);
        if (r < 0 || status != 0)
                return r < 0 ? r : -EIO;
        for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
                char type[128], proto[16], ports[256];

                if (sscanf(line, "%127s %15s %255[^\n]", type, proto, ports) != 3 || !streq(type, "ssh_port_t") ||
                    !streq(proto, "tcp"))
                        continue;
                for (char *w = strtok(ports, ", "); w; w = strtok(NULL, ", "))
                        if (streq(w, port))
                                return 1;
        }
        return 0;
}

/* The files an sshd step edits: args[0] (under --root offline), at its symlink's target. */
static int step_file(const struct options *o, const struct step *s, char **ret) {
        _cleanup_free_ char *path = NULL;
        char *t;

        if (!s->args || !s->args[0] || s->args[0][0] != '/')
                return -EINVAL;
        path = options_path(o, s->args[0]);
        if (!path)
                return -ENOMEM;
        t = realpath(path, NULL);
        if (!t && errno != ENOENT)
                return -errno;
        *ret = t ?: TAKE_PTR(path);
        return 0;
}

static int sshd_snapshot(const struct options *o, const struct plan *plan, char **ret) {
        _cleanup_strv_free_ char **files = NULL, **units = NULL;
        _cleanup_free_ char *text = NULL;
        int r;

        for (size_t i = 0; i < plan->n_steps; i++) {
                const struct step *s = &plan->steps[i];
                char *path = NULL;

                if (streq(s->backend, "systemd") && s->args && s->args[0]) {
                        /* what a rollback must tell systemd after the files are back */
                        const char *what = streq(s->operation, "daemon-reload") ? "daemon-reload"
                                           : streq(s->operation, "reload")        ? "reload"
                                                                                  : NULL;
                        if (what && !strv_contains(units, s->args[0]) &&
                            strv_extendf(&units, "%s %s", what, s->args[0]) < 0)
                                return -ENOMEM;
                }
                if (!streq(s->backend, "sshd"))
                        continue;
                if (streq(s->operation, "selinux-port")) {
                        int k = s->args && s->args[0] ? selinux_port_present(s->args[0]) : -EINVAL;
                        char *n = strprintf("%sselinux-port %s %s\n", text ?: "", s->args ? strna(s->args[0]) : "-",
                                            k > 0 ? "present" : k == 0 ? "absent" : "unknown");
                        if (!n)
                                return -ENOMEM;
                        free(text);
                        text = n;
                        continue;
                }
                if (streq(s->operation, "write-file")) {
                        /* a new drop-in may need its directory: note whether it was there */
                        _cleanup_free_ char *copy = s->args && s->args[0] ? options_path(o, s->args[0]) : NULL;
                        struct stat st;

                        if (!copy)
                                return -EINVAL;
                        if (stat(dirname(copy), &st) < 0) {
                                char *n = strprintf("%sdir %s absent\n", text ?: "", copy);
                                if (!n)
                                        return -ENOMEM;
                                free(text);
                                text = n;
                        }
                }
                r = step_file(o, s, &path);
                if (r < 0)
                        return r;
                if (strv_contains(files, path))
                        free(path);
                else if (strv_consume(&files, path) < 0) {
                        free(path);
                        return -ENOMEM;
                }
        }
        for (char **u = units; u && *u; u++) {
                char *n = strprintf("%s%s\n", text ?: "", *u);
                if (!n)
                        return -ENOMEM;
                free(text);
                text = n;
        }
        for (char **p = files; p && *p; p++) {
                r = sshd_file_snapshot(*p, &text);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(text);
        return 0;
}

static int systemd_op(const struct options *o, const char *operation, const char *unit) {
        struct step s = { .backend = (char *) "systemd", .operation = (char *) operation };
        char *args[] = { (char *) unit, NULL };
        int r;

        s.args = args;
        r = backend_systemd.apply(o, &s, NULL);
        if (r < 0)
                log_warning_errno(r, "Failed to %s '%s' after restoring its configuration: %m", operation, unit);
        return r;
}

static int sshd_restore(const struct options *o, const char *snapshot) {
        _cleanup_free_ char *copy = strdup(snapshot ?: "");
        char *line, *save = NULL;
        bool changed;
        int r, ret = 0;

        if (!copy)
                return -ENOMEM;
        r = sshd_files_restore(snapshot);
        if (r < 0)
                return r;
        changed = r > 0;

        for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char path[4096], state[16];

                if (sscanf(line, "dir %4095s absent", path) == 1) {
                        if (rmdir(path) == 0)
                                changed = true;
                        else if (errno != ENOENT && ret == 0)
                                ret = -errno;
                } else if (sscanf(line, "selinux-port %4095s %15s", path, state) == 2 && streq(state, "absent") &&
                           selinux_port_present(path) == 1) {
                        char *argv[] = { (char *) "/usr/sbin/semanage", (char *) "port", (char *) "-d", (char *) "-t",
                                         (char *) "ssh_port_t", (char *) "-p", (char *) "tcp", path, NULL };
                        _cleanup_free_ char *out = NULL, *err = NULL;
                        int status;

                        r = sshd_exec(argv, &out, &err, &status);
                        if ((r < 0 || status != 0) && ret == 0)
                                ret = r < 0 ? r : -EIO;
                }
        }
        if (!changed || options_offline(o))
                return ret; /* offline nothing runs that would have to read them again */

        /* The daemons run what they read at their last (re)start: after bringing the files
         * back, make them read them again, so that the rollback covers what runs too. A
         * reload that fails (the old file was invalid) leaves sshd running: better than nothing. */
        strcpy(copy, snapshot ?: "");
        for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char unit[256];

                if (sscanf(line, "daemon-reload %255s", unit) == 1) {
                        (void) systemd_op(o, "daemon-reload", unit);
                        (void) systemd_op(o, "try-restart", unit);
                } else if (sscanf(line, "reload %255s", unit) == 1)
                        (void) systemd_op(o, "try-reload-or-restart", unit);
        }
        return ret;
}

static bool same_problem(const struct sshd_invalid *known, size_t n, const char *file, const char *text) {
        for (size_t i = 0; i < n; i++)
                if (streq(known[i].file, file) && streq_ptr(known[i].text, text))
                        return true;
        return false;
}

/* Validates the staged configuration: sshd -t must accept it, or reject only lines that
 * it rejected before the edit (later steps of the plan disable them). */
static int validate_stage(const char *sshd, const struct sshd_config_facts *c, const char *dir,
                          const struct sshd_invalid *known, size_t n_known, char ***details) {
        _cleanup_strv_free_ char **messages = NULL;
        _cleanup_free_ char *main_staged = strprintf("%s%s", dir, c->main_path);
        int r;

        if (!main_staged)
                return -ENOMEM;
        r = sshd_stage_redirect_includes(c, dir);
        if (r < 0)
                return r;
        r = sshd_test(sshd, main_staged, &messages);
        if (r < 0)
                return r;
        if (r == 1)
                return 0;
        for (char **m = messages; m && *m; m++) {
                _cleanup_free_ char *file = NULL, *text = NULL, *data = NULL;
                unsigned line;
                size_t len;

                if (sshd_parse_error_location(*m, &file, &line) < 0)
                        continue;
                if (sshd_file_read(file, &data, &len) >= 0)
                        text = sshd_line_text(data, len, line);
                if (!same_problem(known, n_known, sshd_unstage(dir, file), text))
                        goto reject;
                return 0;
        }
reject:
        if (details) {
                (void) strv_extend(details, "sshd -t rejects the edited configuration; the live file was not changed:");
                for (char **m = messages; m && *m; m++) {
                        const char *p = dir ? strstr(*m, dir) : NULL;
                        if (p)
                                (void) strv_extendf(details, "  %.*s%s", (int) (p - *m), *m, p + strlen(dir));
                        else
                                (void) strv_extendf(details, "  %s", *m);
                }
        }
        return -EINVAL;
}

static int apply_write_file(const struct options *o, const struct step *s, char ***details) {
        _cleanup_free_ char *copy = NULL, *target = NULL, *full = NULL;
        const char *path, *content;
        struct stat st;
        int r;

        if (strv_length(s->args) != 2 || s->args[0][0] != '/')
                return -EINVAL;
        full = options_path(o, s->args[0]);
        if (!full)
                return -ENOMEM;
        path = full;
        content = s->args[1];
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        if (mkdir(dirname(copy), 0755) < 0 && errno != EEXIST)
                return -errno;
        if (lstat(path, &st) < 0) {
                _cleanup_close_ int fd = -1;

                if (errno != ENOENT)
                        return -errno;
                /* an empty file with the usual owner and mode, then replaced atomically */
                fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (fd < 0)
                        return -errno;
                if (fchmod(fd, 0644) < 0)
                        return -errno;
        }
        target = realpath(path, NULL);
        if (!target)
                return -errno;
        r = sshd_file_replace(target, content, strlen(content));
        if (r < 0 && details)
                (void) strv_extendf(details, "cannot write %s: %s", target, strerror(-r));
        return r;
}

static int apply_selinux_port(const struct step *s, char ***details) {
        char *argv[] = { (char *) "/usr/sbin/semanage", (char *) "port", (char *) "-a", (char *) "-t",
                         (char *) "ssh_port_t", (char *) "-p", (char *) "tcp", NULL, NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        int status, r;

        if (strv_length(s->args) != 1)
                return -EINVAL;
        if (selinux_port_present(s->args[0]) == 1)
                return 0;
        argv[7] = s->args[0];
        r = sshd_exec(argv, &out, &err, &status);
        if (r < 0)
                return r;
        if (status == 0)
                return 0;
        if (details)
                (void) strv_extendf(details, "semanage: %s", err);
        return -EIO;
}

static bool says_no_hostkeys(char *const *messages) {
        for (char *const *m = messages; m && *m; m++)
                if (strstr(*m, "no hostkeys available"))
                        return true;
        return false;
}

/* `sshd -t` of the tree's sshd in the tree: 1 valid, 0 invalid, -ENOEXEC it cannot run there
 * (-ENOKEY: it runs, but stops at the missing host keys before reading the rest). */
static int test_in_tree(const struct options *o, const char *sshd, char ***messages) {
        int r;

        sshd_run_set_root(o->root);
        r = sshd_test(sshd, NULL, messages);
        sshd_run_set_root(NULL);
        if (r == 0 && says_no_hostkeys(*messages))
                return -ENOKEY;
        return r;
}

/* Offline: the edit is made through Augeas on a scratch copy of the file, put in place in
 * the tree, then checked by the tree's own sshd run in the tree; what it rejects (and did
 * not reject before) is put back. Nothing runs from these files until the tree boots, so
 * the file may be in place while it is checked. */
static int sshd_apply_offline(const struct options *o, const struct step *s, char ***details) {
        struct sshd_config_facts c = {};
        _cleanup_strv_free_ char **before = NULL, **after = NULL;
        _cleanup_free_ char *stage = strdup("/tmp/sshrepair-stage.XXXXXX"), *staged = NULL, *target = NULL,
                            *old = NULL, *data = NULL, *error = NULL;
        const char *sshd = sshd_find_binary_in(o->root);
        const struct sshd_file *file;
        size_t old_len, len;
        int r, was_valid;

        if (!s->args || strv_length(s->args) < 2)
                return -EINVAL;
        if (!stage)
                return -ENOMEM;
        if (!sshd) {
                if (details)
                        (void) strv_extendf(details, "no sshd in %s", o->root);
                return -ENOENT;
        }
        r = sshd_config_read(o->root, SSHD_MAIN_CONFIG, &c);
        if (r < 0)
                return r;
        file = sshd_find_file(&c, s->args[0]);
        if (!file || !file->parsed) {
                if (details)
                        (void) strv_extendf(details, "%s is %s", s->args[0],
                                            file ? "not parseable by the Augeas lens" : "not part of the configuration");
                sshd_config_facts_done(&c);
                return -ENOENT;
        }
        target = strprintf("%s%s", o->root, file->target ?: file->path);
        sshd_config_facts_done(&c);
        if (!target)
                return -ENOMEM;
        r = sshd_file_read(target, &old, &old_len);
        if (r < 0)
                return r;

        /* the scratch copy: the one file, under the path the lens expects */
        if (!mkdtemp(stage))
                return -errno;
        staged = strprintf("%s%s", stage, s->args[0]);
        if (!staged) {
                (void) rmdir(stage);
                return -ENOMEM;
        }
        _cleanup_free_ char *copy = strdup(staged);
        for (char *p = copy ? strchr(copy + strlen(stage) + 1, '/') : NULL; p; p = strchr(p + 1, '/')) {
                *p = 0;
                (void) mkdir(copy, 0700);
                *p = '/';
        }
        FILE *w = copy ? fopen(staged, "we") : NULL;
        r = !copy ? -ENOMEM : !w ? -errno : fwrite(old, 1, old_len, w) != old_len ? -EIO : 0;
        if (w && fclose(w) != 0 && r == 0)
                r = -EIO;
        if (r >= 0)
                r = sshd_aug_edit(stage, s->args[0], s->operation, s->args + 1, &error);
        if (r > 0 && sshd_file_read(staged, &data, &len) < 0)
                r = -EIO;
        (void) unlink(staged);
        for (char *p = copy ? strrchr(copy, '/') : NULL; p && (size_t) (p - copy) > strlen(stage); p = strrchr(copy, '/')) {
                *p = 0;
                (void) rmdir(copy);
        }
        (void) rmdir(stage);
        if (r <= 0) {
                if (r < 0 && details && error)
                        (void) strv_extendf(details, "Augeas: %s", error);
                return r;
        }

        was_valid = test_in_tree(o, sshd, &before);
        r = sshd_file_replace(target, data, len);
        if (r < 0)
                return r;
        r = test_in_tree(o, sshd, &after);
        if (r == 1)
                return 0;
        if (r == -ENOEXEC || r == -ENOKEY || r < 0) {
                if (details)
                        (void) strv_extendf(details, "not validated offline: %s",
                                            r == -ENOKEY ? "the tree has no host key yet, and sshd -t stops there"
                                            : r == -ENOEXEC ? "the tree's sshd cannot run here (not root, another "
                                                              "architecture, or no /run in the tree)"
                                                            : strerror(-r));
                return 0;
        }
        if (was_valid == 0 && before && after && streq(before[0], after[0])) {
                if (details)
                        (void) strv_extendf(details, "sshd -t rejects the configuration as it did before this edit: %s",
                                            after[0]);
                return 0;
        }
        /* worse than before: put the file back */
        (void) sshd_file_replace(target, old, old_len);
        if (details) {
                (void) strv_extend(details, "sshd -t (run in the tree) rejects the edited configuration; the file was "
                                            "put back:");
                for (char **m = after; m && *m; m++)
                        (void) strv_extendf(details, "  %s", *m);
        }
        return -EINVAL;
}

static int sshd_apply(const struct options *o, const struct step *s, char ***details) {
        struct sshd_config_facts c = {};
        struct sshd_invalid *known = NULL;
        size_t n_known = 0;
        _cleanup_free_ char *dir = NULL, *error = NULL, *staged = NULL, *data = NULL, *target = NULL;
        const struct sshd_file *file;
        const char *sshd = sshd_find_binary();
        size_t len;
        int r;

        if (streq(s->operation, "write-file"))
                return apply_write_file(o, s, details);
        if (options_offline(o))
                return sshd_apply_offline(o, s, details);
        if (streq(s->operation, "selinux-port"))
                return apply_selinux_port(s, details);
        if (!sshd)
                return -ENOENT;
        if (!s->args || strv_length(s->args) < 2)
                return -EINVAL;
        (void) sshd_ensure_run_dir();
        /* Read again: what the plan saw may have changed, and the staging copy must hold the
         * files as they are now. */
        r = sshd_config_read("/", SSHD_MAIN_CONFIG, &c);
        if (r < 0)
                goto out;
        file = sshd_find_file(&c, s->args[0]);
        if (!file || !file->parsed) {
                if (details)
                        (void) strv_extendf(details, "%s is %s", s->args[0],
                                            file ? "not parseable by the Augeas lens" : "not part of the configuration");
                r = -ENOENT;
                goto out;
        }
        r = sshd_test(sshd, NULL, NULL);
        if (r == 0)
                (void) sshd_find_invalid_lines(sshd, &c, &known, &n_known, NULL);

        r = sshd_stage_create(&c, &dir);
        if (r < 0)
                goto out;
        r = sshd_aug_edit(dir, s->args[0], s->operation, s->args + 1, &error);
        if (r <= 0) {
                if (r < 0 && details && error)
                        (void) strv_extendf(details, "Augeas: %s", error);
                goto out;
        }
        staged = strprintf("%s%s", dir, s->args[0]);
        if (!staged) {
                r = -ENOMEM;
                goto out;
        }
        r = sshd_file_read(staged, &data, &len);
        if (r < 0)
                goto out;
        r = validate_stage(sshd, &c, dir, known, n_known, details);
        if (r < 0)
                goto out;
        target = realpath(s->args[0], NULL);
        if (!target) {
                r = -errno;
                goto out;
        }
        r = sshd_file_replace(target, data, len);
out:
        if (dir)
                sshd_stage_remove(&c, dir);
        sshd_invalid_free(known, n_known);
        sshd_config_facts_done(&c);
        return r < 0 ? r : 0;
}

const struct backend backend_sshd = {
        .name = "sshd",
        .probe = sshd_probe_facts,
        .snapshot = sshd_snapshot,
        .restore = sshd_restore,
        .apply = sshd_apply,
};
