/* The pkg backend: the host's package manager, to install the OpenSSH server where it is
 * missing. Install and its undo (remove, or purge when nothing of the package was there
 * before) go through the package manager itself. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "util/exec.h"
#include "util/log.h"
#include "util/strv.h"

/* Package installs can be slow: give them ten minutes. */
#define PKG_TIMEOUT_MS (600U * 1000U)

static const struct {
        const char *manager;
        const char *package;   /* the OpenSSH server's package there */
        const char *unit;      /* the unit it ships */
        const char *install[6];
        const char *remove[6];
} managers[] = {
        { "apt-get", "openssh-server", "ssh.service",
          { "/usr/bin/env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", NULL },
          { "/usr/bin/env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "purge", "-y", NULL } },
        { "dnf", "openssh-server", "sshd.service", { "dnf", "install", "-y", NULL }, { "dnf", "remove", "-y", NULL } },
        { "yum", "openssh-server", "sshd.service", { "yum", "install", "-y", NULL }, { "yum", "remove", "-y", NULL } },
        { "zypper", "openssh-server", "sshd.service",
          { "zypper", "--non-interactive", "install", NULL }, { "zypper", "--non-interactive", "remove", NULL } },
        { "pacman", "openssh", "sshd.service", { "pacman", "-S", "--noconfirm", NULL }, { "pacman", "-R", "--noconfirm", NULL } },
};

static int find_manager(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(managers); i++)
                if (streq(managers[i].manager, name))
                        return (int) i;
        return -1;
}

/* Offline: the tree's own package manager, for the advice; nothing is installed into a
 * tree by this tool. */
static char *find_program_in_tree(const struct options *o, const char *name) {
        static const char *const dirs[] = { "/usr/bin", "/usr/sbin", "/bin", "/sbin", NULL };

        for (const char *const *d = dirs; *d; d++) {
                _cleanup_free_ char *p = strprintf("%s%s/%s", o->root, *d, name);

                if (p && access(p, X_OK) == 0)
                        return strprintf("%s/%s", *d, name);
        }
        return NULL;
}

static int pkg_probe(const struct options *o, struct facts *f) {
        for (size_t i = 0; i < ELEMENTSOF(managers); i++) {
                _cleanup_free_ char *path = options_offline(o) ? find_program_in_tree(o, managers[i].manager)
                                                               : exec_find_program(managers[i].manager);

                if (!path)
                        continue;
                f->pkg.manager = strdup(managers[i].manager);
                f->pkg.package = strdup(managers[i].package);
                f->pkg.unit = strdup(managers[i].unit);
                if (!f->pkg.manager || !f->pkg.package || !f->pkg.unit)
                        return -ENOMEM;
                return 0;
        }
        return 0;
}

/* "installed", "config-files" (removed, its configuration kept) or "absent". */
static int package_state(const char *manager, const char *package, char **ret) {
        struct exec_result res = {};
        _cleanup_free_ char *tool = NULL;
        const char *state;
        int r;

        if (streq(manager, "apt-get")) {
                tool = exec_find_program("dpkg-query");
                if (!tool)
                        return -ENOENT;
                r = exec_run((const char *const[]) { tool, "-W", "-f=${db:Status-Abbrev}", package, NULL }, NULL, 0,
                             EXEC_TIMEOUT_MS_DEFAULT, &res);
                if (r < 0)
                        return r;
                state = res.status != 0 ? "absent"
                        : strncmp(res.out, "ii", 2) == 0 ? "installed"
                        : strncmp(res.out, "rc", 2) == 0 ? "config-files"
                                                         : "absent";
        } else {
                tool = exec_find_program(streq(manager, "pacman") ? "pacman" : "rpm");
                if (!tool)
                        return -ENOENT;
                r = exec_run((const char *const[]) { tool, streq(manager, "pacman") ? "-Q" : "-q", package, NULL }, NULL, 0,
                             EXEC_TIMEOUT_MS_DEFAULT, &res);
                if (r < 0)
                        return r;
                state = res.status == 0 ? "installed" : "absent";
        }
        exec_result_done(&res);
        *ret = strdup(state);
        return *ret ? 0 : -ENOMEM;
}

static int pkg_snapshot(const struct options *o, const struct plan *plan, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *out = open_memstream(&buf, &size);
        int r = 0;

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; r >= 0 && i < plan->n_steps; i++) {
                const struct step *s = &plan->steps[i];
                _cleanup_free_ char *state = NULL;

                if (!streq(s->backend, "pkg") || strv_length(s->args) < 2)
                        continue;
                r = package_state(s->args[0], s->args[1], &state);
                if (r >= 0)
                        fprintf(out, "%s %s %s\n", s->args[0], s->args[1], state);
        }
        if (fclose(out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        return 0;
}

static int run(const char *const *base, const char *package, char ***ret_details) {
        const char *argv[10] = {};
        _cleanup_free_ char *path = NULL;
        struct exec_result res = {};
        size_t n = 0;
        int r;

        if (!base[0])
                return -EINVAL;
        for (; n < 8 && base[n]; n++)
                argv[n] = base[n];
        /* the program itself, found in the system directories, when it is not behind env */
        if (!streq(argv[0], "/usr/bin/env")) {
                path = exec_find_program(argv[0]);
                if (!path)
                        return -ENOENT;
                argv[0] = path;
        }
        argv[n++] = package;
        argv[n] = NULL;
        r = exec_run(argv, NULL, 0, PKG_TIMEOUT_MS, &res);
        if (r >= 0 && res.status != 0) {
                /* the last lines say why: "Unable to locate package", a network error, ... */
                if (ret_details) {
                        _cleanup_strv_free_ char **lines = NULL;

                        (void) strv_split(res.err_len ? res.err : res.out, "\n", &lines);
                        for (size_t k = strv_length(lines) > 4 ? strv_length(lines) - 4 : 0; lines && lines[k]; k++)
                                (void) strv_extend(ret_details, lines[k]);
                }
                r = -ENOPKG;
        }
        exec_result_done(&res);
        return r;
}

static int pkg_restore(const struct options *o, const char *snapshot) {
        _cleanup_strv_free_ char **lines = NULL;
        int ret = 0;

        if (strv_split(snapshot, "\n", &lines) < 0)
                return -ENOMEM;
        for (char **l = lines; l && *l; l++) {
                const char *line = *l;
                char manager[32], package[128], want[32];
                _cleanup_free_ char *now = NULL;
                int m, r;

                if (sscanf(line, "%31s %127s %31s", manager, package, want) != 3)
                        return -EBADMSG;
                m = find_manager(manager);
                if (m < 0)
                        return -EBADMSG;
                r = package_state(manager, package, &now);
                if (r < 0 || streq(now, want))
                        continue;
                if (streq(now, "installed") && !streq(want, "installed")) {
                        /* purge only when nothing of it was there; else keep its configuration */
                        const char *const *argv = managers[m].remove;
                        const char *apt_remove[] = { "/usr/bin/env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "remove", "-y", NULL };

                        if (streq(manager, "apt-get") && streq(want, "config-files"))
                                argv = apt_remove;
                        r = run(argv, package, NULL);
                } else
                        r = -EOPNOTSUPP; /* a package we did not install is not ours to touch */
                if (r < 0)
                        ret = ret ?: r;
        }
        return ret;
}

static int pkg_apply(const struct options *o, const struct step *s, char ***ret_details) {
        int m;

        if (!streq(s->operation, "install") || strv_length(s->args) < 2)
                return -EOPNOTSUPP;
        if (options_offline(o)) {
                /* the plan never asks for it; this is the backstop */
                if (ret_details)
                        (void) strv_extendf(ret_details, "not installed into %s: 'chroot %s %s install %s' is the user's call",
                                            o->root, o->root, s->args[0], s->args[1]);
                return -EOPNOTSUPP;
        }
        m = find_manager(s->args[0]);
        if (m < 0)
                return -EINVAL;
        return run(managers[m].install, s->args[1], ret_details);
}

const struct backend backend_pkg = {
        .name = "pkg",
        .probe = pkg_probe,
        .snapshot = pkg_snapshot,
        .restore = pkg_restore,
        .apply = pkg_apply,
};
