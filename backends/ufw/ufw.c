/* The ufw backend: its state from its own files, changes through the ufw command (which
 * keeps its files and the kernel in step). Never disables ufw. Offline (--root DIR) ufw is
 * never run: the files of the tree are read, and edited as ufw would write them. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"
#include "sshd/sshd-files.h"
#include "systemd/systemd-unit.h"
#include "ufw-edit.h"
#include "ufw-rules.h"
#include "util/exec.h"
#include "util/log.h"
#include "util/strv.h"

#define UFW_TIMEOUT_MS 60000

static const char *const ufw_files[] = {
        "/etc/ufw/user.rules",
        "/etc/ufw/user6.rules",
        "/etc/ufw/ufw.conf",
        "/etc/default/ufw",
        NULL,
};

static const char *rules_file(int fam) {
        return fam ? "/etc/ufw/user6.rules" : "/etc/ufw/user.rules";
}

static int read_text(const char *path, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f = fopen(path, "re");
        ssize_t k;

        if (!f)
                return -errno;
        k = getdelim(&buf, &size, 0, f);
        fclose(f);
        if (k < 0) {
                free(buf);
                buf = strdup("");
                if (!buf)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(buf);
        return 0;
}

/* 'path' as the target system sees it, read here (under DIR offline). */
static int read_target(const struct options *o, const char *path, char **ret) {
        _cleanup_free_ char *p = options_path(o, path);

        return p ? read_text(p, ret) : -ENOMEM;
}

static bool target_access(const struct options *o, const char *path, int mode) {
        _cleanup_free_ char *p = options_path(o, path);

        return p && access(p, mode) == 0;
}

static bool target_writable(const struct options *o) {
        for (const char *const *p = ufw_files; *p; p++)
                if (target_access(o, *p, F_OK) && !target_access(o, *p, W_OK))
                        return false;
        return true;
}

/* Offline: ufw in the tree, not on this host. */
static bool installed(const struct options *o) {
        static const char *const dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };
        _cleanup_free_ char *path = NULL;

        if (!options_offline(o)) {
                path = exec_find_program("ufw");
                return path != NULL;
        }
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *p = strprintf("%s/ufw", dirs[i]);
                if (p && target_access(o, p, X_OK))
                        return true;
        }
        return false;
}

/* Offline: ENABLED=yes is read by ufw.service at boot; without that unit enabled (where the
 * tree has it) nothing loads ufw's rules. */
static int offline_active(const struct options *o, struct ufw_facts *u) {
        static const char *const units[] = { "/lib/systemd/system/ufw.service", "/usr/lib/systemd/system/ufw.service",
                                             "/etc/systemd/system/ufw.service" };
        bool unit = false;

        u->active = u->enabled;
        if (!u->enabled)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                unit = unit || target_access(o, units[i], F_OK);
        if (!unit || sd_unit_enabled_offline(o->root, "ufw.service"))
                return 0;
        u->active = false;
        u->unit_note = strdup("ufw.service is not enabled: ufw's rules are not loaded at boot although ufw.conf "
                              "says ENABLED=yes");
        return u->unit_note ? 0 : -ENOMEM;
}

static int ufw_probe(const struct options *o, struct facts *f) {
        struct ufw_facts *u = &f->fw.ufw;
        _cleanup_free_ char *conf = NULL, *defaults = NULL, *enabled = NULL, *ipv6 = NULL;
        bool offline = options_offline(o);
        int r;

        u->installed = installed(o);
        u->files = target_access(o, "/etc/ufw/user.rules", F_OK);
        if (!u->files)
                return 0;
        if (read_target(o, "/etc/ufw/ufw.conf", &conf) >= 0)
                enabled = ufw_conf_get(conf, "ENABLED");
        u->enabled = streq_ptr(enabled, "yes");
        if (read_target(o, "/etc/default/ufw", &defaults) >= 0) {
                ipv6 = ufw_conf_get(defaults, "IPV6");
                u->input_policy = ufw_conf_get(defaults, "DEFAULT_INPUT_POLICY");
        }
        u->ipv6 = !ipv6 || streq(ipv6, "yes");
        if (offline) {
                /* nothing else reads the tree's firewall: the policy must still run */
                f->fw.known = true;
                r = offline_active(o, u);
                if (r < 0)
                        return r;
        } else {
                /* ufw enabled in its file, but its chains not loaded (its unit disabled, or
                 * flushed by hand): it does not filter now; it will at the next boot if its
                 * unit is enabled */
                bool read = false;
                for (size_t i = 0; i < ELEMENTSOF(f->fw.tables); i++)
                        read = read || f->fw.tables[i].present;
                u->active = u->enabled && (f->fw.ufw_chains || !read);
        }
        u->writable = target_writable(o);

        for (int fam = 0; fam < 2; fam++) {
                _cleanup_free_ char *text = NULL;

                r = read_target(o, rules_file(fam), &text);
                if (r < 0) {
                        if (r != -ENOENT)
                                (void) strv_extendf(&f->unreadable, "%s: %s", rules_file(fam), strerror(-r));
                        continue;
                }
                u->marker[fam] = ufw_text_has_marker(text);
                r = ufw_parse_rules(u, text, fam ? AF_INET6 : AF_INET);
                if (r < 0)
                        return r;
        }
        r = strv_extendf(&f->fw.frontends, "ufw%s: %s%s, %zu rules, default incoming policy %s%s%s",
                         offline ? " (in the tree)" : "", u->installed ? "" : "not installed, its files say ",
                         u->enabled ? (offline ? "enabled at boot" : "enabled") : "disabled", u->n_rules,
                         strna(u->input_policy), u->unit_note ? "; " : "", u->unit_note ?: "");
        if (r < 0)
                return r;
        if (!u->active)
                return 0;
        return ufw_evaluate(u, o);
}

/* Each file byte for byte with owner, mode and mtime, or its absence. Offline only the two
 * rule files change (and no ufw runs to rewrite the others). */
static int ufw_snapshot(const struct options *o, const struct plan *plan, char **ret) {
        _cleanup_free_ char *text = NULL;
        int r;

        if (!plan_uses_backend(plan, "ufw")) {
                *ret = NULL;
                return 0;
        }
        /* refuse before any change, not half-way */
        for (const char *const *p = ufw_files; *p; p++)
                if (target_access(o, *p, F_OK) && !target_access(o, *p, W_OK))
                        return log_error_errno(-EACCES, "Cannot write '%s': %m", *p);
        for (const char *const *p = ufw_files; *p; p++) {
                _cleanup_free_ char *path = NULL;

                if (options_offline(o) && p - ufw_files >= 2)
                        break;
                path = options_path(o, *p);
                if (!path)
                        return -ENOMEM;
                r = sshd_file_snapshot(path, &text);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(text);
        return 0;
}

static int run_ufw(char *const *args, char **ret_error) {
        _cleanup_free_ char *path = exec_find_program("ufw");
        _cleanup_free_ const char **argv = NULL;
        struct exec_result x;
        size_t n = strv_length(args);
        int r;

        if (!path)
                return -ENOENT;
        argv = calloc(n + 2, sizeof(char *));
        if (!argv)
                return -ENOMEM;
        argv[0] = path;
        for (size_t i = 0; i < n; i++)
                argv[i + 1] = args[i];
        r = exec_run(argv, NULL, 0, UFW_TIMEOUT_MS, &x);
        if (r < 0)
                return r;
        if (x.status != 0) {
                if (ret_error)
                        *ret_error = exec_result_describe(&x);
                r = -EIO;
        }
        exec_result_done(&x);
        return r;
}

static int ufw_restore(const struct options *o, const char *snapshot) {
        _cleanup_free_ char *conf = NULL, *enabled = NULL, *error = NULL;
        int r;

        r = sshd_files_restore(snapshot);
        if (r < 0)
                return r;
        /* offline the files are all there is; live they are ufw's state, and a reload makes
         * the kernel follow them */
        if (options_offline(o))
                return 0;
        if (read_text("/etc/ufw/ufw.conf", &conf) >= 0)
                enabled = ufw_conf_get(conf, "ENABLED");
        if (!streq_ptr(enabled, "yes"))
                return 0;
        r = run_ufw((char *[]) { (char *) "reload", NULL }, &error);
        if (r < 0) {
                log_error("ufw reload failed: %s", strna(error));
                return r;
        }
        /* the reload rewrites ufw.conf and the rule files (same content, new mtime): put the
         * snapshot's metadata back */
        r = sshd_files_restore(snapshot);
        return r < 0 ? r : 0;
}

/* Offline: args PATH (as the tree sees it), the tuple line, and for an insert the rule line. */
static int apply_edit(const struct options *o, const struct step *s, char ***ret_details) {
        _cleanup_free_ char *path = NULL, *text = NULL, *edited = NULL;
        bool insert = streq(s->operation, "edit-insert");
        size_t len;
        int r;

        if (strv_length(s->args) < (insert ? 3u : 2u) || strncmp(s->args[0], "/etc/ufw/", 9) != 0 ||
            strstr(s->args[0], "/.."))
                return -EINVAL;
        path = options_path(o, s->args[0]);
        if (!path)
                return -ENOMEM;
        r = sshd_file_read(path, &text, &len);
        if (r < 0)
                return r;
        if (insert) {
                /* done already: the block is the first rule */
                _cleanup_free_ char *block = strprintf("### RULES ###\n\n%s\n%s\n", s->args[1], s->args[2]);
                if (!block)
                        return -ENOMEM;
                if (strstr(text, block))
                        return 0;
                r = ufw_text_insert(text, s->args[1], s->args[2], &edited);
        } else {
                r = ufw_text_delete(text, s->args[1], &edited);
                if (r == -ENOENT)
                        return 0; /* deleted already */
        }
        if (r < 0) {
                if (ret_details)
                        (void) strv_extendf(ret_details, "%s: not in the layout ufw writes", path);
                return r;
        }
        return sshd_file_replace(path, edited, strlen(edited));
}

/* The rule numbered N now, to check that it is still the one the plan means. */
static int current_rule_text(unsigned number, char **ret) {
        struct ufw_facts u = {};
        int r = 0;

        for (int fam = 0; fam < 2 && r >= 0; fam++) {
                _cleanup_free_ char *text = NULL;
                if (read_text(fam ? "/etc/ufw/user6.rules" : "/etc/ufw/user.rules", &text) >= 0)
                        r = ufw_parse_rules(&u, text, fam ? AF_INET6 : AF_INET);
        }
        if (r >= 0) {
                *ret = number >= 1 && number <= u.n_rules ? strdup(u.rules[number - 1].text) : NULL;
                r = 0;
        }
        struct fw_facts tmp = { .ufw = u };
        fw_facts_done(&tmp);
        return r;
}

static int ufw_apply(const struct options *o, const struct step *s, char ***ret_details) {
        _cleanup_free_ char *error = NULL;
        int r;

        /* never the host's ufw for a tree, never a bare file edit under a running ufw */
        if (strncmp(s->operation, "edit-", 5) == 0)
                return options_offline(o) ? apply_edit(o, s, ret_details) : -EINVAL;
        if (options_offline(o))
                return -EINVAL;
        if (streq(s->operation, "delete")) {
                /* args: number, the tuple it must be */
                _cleanup_free_ char *now = NULL;

                if (strv_length(s->args) < 2)
                        return -EINVAL;
                r = current_rule_text((unsigned) strtoul(s->args[0], NULL, 10), &now);
                if (r < 0)
                        return r;
                if (!streq_ptr(now, s->args[1])) {
                        if (ret_details)
                                (void) strv_extendf(ret_details, "ufw rule %s is now '%s', not '%s'", s->args[0],
                                                    strna(now), s->args[1]);
                        return -ESTALE;
                }
                r = run_ufw((char *[]) { (char *) "--force", (char *) "delete", s->args[0], NULL }, &error);
        } else if (streq(s->operation, "insert")) {
                /* args: position ("append": none), source, port */
                if (strv_length(s->args) < 3)
                        return -EINVAL;
                if (streq(s->args[0], "append"))
                        r = run_ufw((char *[]) { (char *) "allow", (char *) "proto", (char *) "tcp", (char *) "from",
                                                 s->args[1], (char *) "to", (char *) "any", (char *) "port", s->args[2],
                                                 NULL },
                                    &error);
                else
                        r = run_ufw((char *[]) { (char *) "insert", s->args[0], (char *) "allow", (char *) "proto",
                                                 (char *) "tcp", (char *) "from", s->args[1], (char *) "to",
                                                 (char *) "any", (char *) "port", s->args[2], NULL },
                                    &error);
        } else
                return -EOPNOTSUPP;
        if (r < 0 && error && ret_details)
                (void) strv_extend(ret_details, error);
        return r;
}

const struct backend backend_ufw = {
        .name = "ufw",
        .probe = ufw_probe,
        .snapshot = ufw_snapshot,
        .restore = ufw_restore,
        .apply = ufw_apply,
};
