/* The ufw backend: its state from its own files, changes through the ufw command (which
 * keeps its files and the kernel in step). Never disables ufw. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"
#include "iptables/ipt-persist.h"
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

static int ufw_probe(const struct options *o, struct facts *f) {
        struct ufw_facts *u = &f->fw.ufw;
        _cleanup_free_ char *path = exec_find_program("ufw"), *conf = NULL, *defaults = NULL, *enabled = NULL,
                            *ipv6 = NULL;
        int r;

        u->installed = path != NULL;
        u->files = access("/etc/ufw/user.rules", F_OK) == 0;
        if (!u->files)
                return 0;
        if (read_text("/etc/ufw/ufw.conf", &conf) >= 0)
                enabled = ufw_conf_get(conf, "ENABLED");
        u->enabled = streq_ptr(enabled, "yes");
        if (read_text("/etc/default/ufw", &defaults) >= 0) {
                ipv6 = ufw_conf_get(defaults, "IPV6");
                u->input_policy = ufw_conf_get(defaults, "DEFAULT_INPUT_POLICY");
        }
        u->ipv6 = !ipv6 || streq(ipv6, "yes");
        /* ufw enabled in its file, but its chains not loaded (its unit disabled, or flushed by
         * hand): it does not filter now; it will at the next boot if its unit is enabled */
        bool read = false;
        for (size_t i = 0; i < ELEMENTSOF(f->fw.tables); i++)
                read = read || f->fw.tables[i].present;
        u->active = u->enabled && (f->fw.ufw_chains || !read);
        u->writable = true;
        for (const char *const *p = ufw_files; *p; p++)
                if (access(*p, F_OK) == 0 && access(*p, W_OK) < 0)
                        u->writable = false;

        for (int fam = 0; fam < 2; fam++) {
                _cleanup_free_ char *text = NULL;

                r = read_text(fam ? "/etc/ufw/user6.rules" : "/etc/ufw/user.rules", &text);
                if (r < 0) {
                        if (r != -ENOENT)
                                (void) strv_extendf(&f->unreadable, "%s: %s",
                                                    fam ? "/etc/ufw/user6.rules" : "/etc/ufw/user.rules", strerror(-r));
                        continue;
                }
                r = ufw_parse_rules(u, text, fam ? AF_INET6 : AF_INET);
                if (r < 0)
                        return r;
        }
        r = strv_extendf(&f->fw.frontends, "ufw: %s%s, %zu rules, default incoming policy %s",
                         u->installed ? "" : "not installed, its files say ", u->enabled ? "enabled" : "disabled",
                         u->n_rules, strna(u->input_policy));
        if (r < 0)
                return r;
        if (!u->active)
                return 0;
        return ufw_evaluate(u, o);
}

static int ufw_snapshot(const struct options *o, const struct plan *plan, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *out;
        int r = 0;

        if (!plan_uses_backend(plan, "ufw")) {
                *ret = NULL;
                return 0;
        }
        /* refuse before any change, not half-way */
        for (const char *const *p = ufw_files; *p; p++)
                if (access(*p, F_OK) == 0 && access(*p, W_OK) < 0)
                        return log_error_errno(errno, "Cannot write '%s': %m", *p);
        out = open_memstream(&buf, &size);
        if (!out)
                return -ENOMEM;
        for (const char *const *p = ufw_files; *p && r >= 0; p++)
                if (access(*p, F_OK) == 0)
                        r = ipt_file_snapshot(out, *p);
        if (fclose(out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
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
        const char *p = snapshot;
        int r;

        while (p && *p) {
                r = ipt_file_restore(&p);
                if (r < 0)
                        return r;
        }
        /* the files are ufw's state: a reload makes the kernel follow them */
        if (read_text("/etc/ufw/ufw.conf", &conf) >= 0)
                enabled = ufw_conf_get(conf, "ENABLED");
        if (!streq_ptr(enabled, "yes"))
                return 0;
        r = run_ufw((char *[]) { (char *) "reload", NULL }, &error);
        if (r < 0)
                log_error("ufw reload failed: %s", strna(error));
        return r;
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
