/* Probing sshd: its configuration files, what sshd makes of them (-t, -T, -T -C), which
 * Match blocks and Allow/Deny entries apply to --user, and what the host offers (addresses,
 * socket activation, SELinux). Read-only, apart from /run/sshd (see sshd-run.c). */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ifaddrs.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth-tree.h"
#include "sshd-backend.h"
#include "sshd-config.h"
#include "sshd-files.h"
#include "sshd-offline.h"
#include "sshd-run.h"
#include "sshd-socket.h"
#include "util/strv.h"

/* Match blocks evaluated one sshd run each; more than this is reported as unknown. */
#define SSHD_MAX_MATCH_TESTS 64
/* sshd -t stops at the first fatal error: re-check after disabling each, up to this many. */
#define SSHD_MAX_INVALID_LINES 8

static const char *const sshd_paths[] = {
        "/usr/sbin/sshd",
        "/usr/bin/sshd",
        "/usr/local/sbin/sshd",
        NULL,
};

const char *sshd_find_binary(void) {
        for (const char *const *p = sshd_paths; *p; p++)
                if (access(*p, X_OK) == 0)
                        return *p;
        return NULL;
}

/* sshd's match_pattern(): '*' and '?', case-sensitive, no negation. */
static bool pattern_matches(const char *s, const char *pattern) {
        return fnmatch(pattern, s, FNM_NOESCAPE) == 0;
}

int sshd_match_spec(const struct options *o, char **ret) {
        char addr[INET6_ADDRSTRLEN] = "0.0.0.0";

        /* Without --from the client's address is unknown. The unspecified address stands for
         * "somewhere else": only wildcard and negated Address/Host patterns match it, so a
         * Match block for specific networks does not count (and the report says so). */
        if (o->from.family && !inet_ntop(o->from.family, &o->from.addr, addr, sizeof addr))
                return -errno;
        *ret = strprintf("user=%s,host=%s,addr=%s,lport=%u", o->user, addr, addr,
                         o->n_ports > 0 ? o->ports[0] : 22);
        return *ret ? 0 : -ENOMEM;
}

static bool is_key_line(const char *l) {
        l += strspn(l, " \t");
        if (!*l || *l == '#')
                return false;
        /* options may precede the key type; a key has a type word and base64 */
        return strstr(l, "ssh-") || strstr(l, "ecdsa-") || strstr(l, "sk-");
}

/* 'root': offline, the tree the home directory is in ("" live). */
static bool has_authorized_keys(const char *root, const char *home, char *const *files) {
        static char *const fallback[] = { (char *) ".ssh/authorized_keys .ssh/authorized_keys2", NULL };

        for (char *const *f = files ?: fallback; *f; f++) {
                _cleanup_free_ char *copy = strdup(*f);
                char *save = NULL;

                if (!copy)
                        return false;
                for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                        _cleanup_free_ char *path = NULL, *data = NULL;
                        size_t len;

                        /* %h, %u and %% as sshd expands them; other tokens: give up on this one */
                        if (strstr(w, "%h") == w)
                                path = strprintf("%s%s%s", root, home, w + 2);
                        else if (strchr(w, '%'))
                                continue;
                        else
                                path = w[0] == '/' ? strprintf("%s%s", root, w) : strprintf("%s%s/%s", root, home, w);
                        if (!path || sshd_file_read(path, &data, &len) < 0)
                                continue;
                        for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n"))
                                if (is_key_line(line))
                                        return true;
                }
        }
        return false;
}

/* 'groups': the user's groups when sshd cannot be asked (offline), else NULL. */
static int probe_access(const char *sshd, const struct options *o, struct sshd_config_facts *c, char ***groups) {
        static const enum sshd_key keys[] = { SSHD_ALLOW_USERS, SSHD_DENY_USERS, SSHD_ALLOW_GROUPS, SSHD_DENY_GROUPS };

        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                for (char **p = c->user_effective[keys[i]]; p && *p; p++) {
                        struct sshd_access a = { .key = keys[i], .matches = -1 }, *n;
                        _cleanup_free_ char *criteria = NULL;
                        const char *at = strchr(*p, '@');

                        if ((keys[i] == SSHD_ALLOW_GROUPS || keys[i] == SSHD_DENY_GROUPS) && groups) {
                                /* offline, without the tree's sshd: the tree's /etc/group */
                                a.matches = 0;
                                for (char **g = *groups; g && *g && a.matches == 0; g++)
                                        a.matches = pattern_matches(*g, *p);
                        } else if (keys[i] == SSHD_ALLOW_GROUPS || keys[i] == SSHD_DENY_GROUPS) {
                                /* sshd resolves group membership itself, primary group included */
                                criteria = strprintf("Group %s", *p);
                                if (!criteria)
                                        return -ENOMEM;
                                int r = sshd_match_applies(sshd, criteria, c->match_spec, c->hostkeys);
                                a.matches = r < 0 ? -1 : r;
                        } else if (!at)
                                a.matches = pattern_matches(o->user, *p);
                        else {
                                _cleanup_free_ char *userpart = strndup(*p, (size_t) (at - *p));

                                if (!userpart)
                                        return -ENOMEM;
                                if (!pattern_matches(o->user, userpart))
                                        a.matches = 0;
                                else if (o->from.family) {
                                        criteria = strprintf("Address %s", at + 1);
                                        if (!criteria)
                                                return -ENOMEM;
                                        int r = sshd_match_applies(sshd, criteria, c->match_spec, c->hostkeys);
                                        a.matches = r < 0 ? -1 : r;
                                }
                                /* else: depends on where the client comes from: unknown */
                        }
                        a.pattern = strdup(*p);
                        n = realloc(c->access, sizeof(*n) * (c->n_access + 1));
                        if (!a.pattern || !n) {
                                free(a.pattern);
                                if (n)
                                        c->access = n;
                                return -ENOMEM;
                        }
                        c->access = n;
                        c->access[c->n_access++] = a;
                }
        return 0;
}

/* The account as the target system sees it: offline from the tree's files, never NSS. */
static int lookup_user(const struct options *o, struct tree_user *ret, bool *ret_empty_password, char ***ret_groups) {
        bool locked = false, expired = false, empty = false;
        struct passwd *pw;
        int r;

        if (options_offline(o)) {
                r = auth_tree_user(o->root, o->user, ret);
                if (r <= 0)
                        return r;
                *ret_empty_password = auth_tree_shadow(o->root, o->user, &locked, &expired, &empty) > 0 && empty;
                r = auth_tree_groups(o->root, ret->name, ret->gid, ret_groups);
                return r < 0 ? r : 1;
        }
        pw = getpwnam(o->user);
        if (!pw)
                return 0;
        *ret = (struct tree_user) { .uid = pw->pw_uid, .gid = pw->pw_gid };
        ret->name = strdup(pw->pw_name);
        ret->home = strdup(pw->pw_dir);
        if (!ret->name || !ret->home) {
                tree_user_done(ret);
                return -ENOMEM;
        }
        struct spwd *sp = getspnam(o->user);
        *ret_empty_password = sp && sp->sp_pwdp && sp->sp_pwdp[0] == 0;
        return 1;
}

/* 'evaluated': offline without the tree's sshd, the effective values and Match blocks were
 * worked out from the files (sshd-offline.c): sshd is not asked again. */
static int probe_user(const char *sshd, const struct options *o, struct sshd_config_facts *c, bool evaluated) {
        _cleanup_strv_free_ char **messages = NULL, **groups = NULL;
        struct tree_user u = {};
        const char *root = options_offline(o) ? o->root : "";
        bool empty = false;
        int r;

        r = sshd_match_spec(o, &c->match_spec);
        if (r < 0)
                return r;
        r = lookup_user(o, &u, &empty, &groups);
        if (r < 0)
                return r;
        c->user_exists = r > 0;
        if (!evaluated) {
                r = sshd_dump(sshd, NULL, c->match_spec, c->user_effective, NULL, &messages);
                if (r == -ENOMEM)
                        goto out;
                c->user_effective_known = r >= 0;
        }
        if (c->user_exists) {
                static char *const default_files[] = { (char *) ".ssh/authorized_keys .ssh/authorized_keys2", NULL };

                c->user_has_keys = has_authorized_keys(root, u.home, c->user_effective_known
                                                                             ? c->user_effective[SSHD_AUTHORIZED_KEYS_FILE]
                                                                             : c->effective[SSHD_AUTHORIZED_KEYS_FILE]);
                c->user_has_default_keys = has_authorized_keys(root, u.home, default_files);
                c->user_empty_password = empty;
        }
        for (size_t i = 0; !evaluated && i < c->n_matches; i++) {
                if (i >= SSHD_MAX_MATCH_TESTS)
                        break;
                r = sshd_match_applies(sshd, c->matches[i].criteria, c->match_spec, c->hostkeys);
                c->matches[i].applies = r < 0 ? -1 : r;
        }
        r = 0;
        if (c->user_effective_known)
                r = probe_access(sshd, o, c, evaluated ? &groups : NULL);
out:
        tree_user_done(&u);
        return r;
}

static int probe_addresses(struct sshd_config_facts *c) {
        struct ifaddrs *ifa = NULL;

        if (getifaddrs(&ifa) < 0)
                return 0;
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
                char buf[INET6_ADDRSTRLEN];
                const void *a;

                if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
                        continue;
                a = i->ifa_addr->sa_family == AF_INET ? (const void *) &((struct sockaddr_in *) i->ifa_addr)->sin_addr
                                                      : (const void *) &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr;
                if (inet_ntop(i->ifa_addr->sa_family, a, buf, sizeof buf) && !strv_contains(c->host_addresses, buf) &&
                    strv_extend(&c->host_addresses, buf) < 0) {
                        freeifaddrs(ifa);
                        return -ENOMEM;
                }
        }
        freeifaddrs(ifa);
        c->host_addresses_known = true;
        return 0;
}

/* Maps a path in a staging directory back to the live one. */
const char *sshd_unstage(const char *dir, const char *path) {
        size_t n = dir ? strlen(dir) : 0;

        return n && strncmp(path, dir, n) == 0 && path[n] == '/' ? path + n : path;
}

int sshd_find_invalid_lines(const char *sshd, const struct sshd_config_facts *c, struct sshd_invalid **ret,
                            size_t *ret_n, char ***ret_messages) {
        _cleanup_free_ char *dir = NULL, *main_staged = NULL;
        _cleanup_strv_free_ char **all = NULL;
        struct sshd_invalid *list = NULL;
        size_t n = 0;
        int r;

        r = sshd_stage_create(c, &dir);
        if (r < 0)
                return r;
        r = sshd_stage_redirect_includes(c, dir);
        main_staged = strprintf("%s%s", dir, c->main_path);
        if (r >= 0 && !main_staged)
                r = -ENOMEM;
        for (unsigned round = 0; r >= 0 && round < SSHD_MAX_INVALID_LINES; round++) {
                _cleanup_strv_free_ char **messages = NULL;
                _cleanup_free_ char *file = NULL, *staged_data = NULL;
                unsigned line = 0;
                size_t len;
                bool found = false;

                r = sshd_test(sshd, main_staged, &messages);
                if (r < 0)
                        break;
                for (char **m = messages; m && *m; m++) {
                        _cleanup_free_ char *f = NULL;
                        unsigned l;
                        const char *live;

                        if (dir && strstr(*m, dir)) {
                                /* say it with the live paths */
                                _cleanup_free_ char *fixed = NULL;
                                const char *p = strstr(*m, dir);
                                fixed = strprintf("%.*s%s", (int) (p - *m), *m, p + strlen(dir));
                                if (fixed && !strv_contains(all, fixed))
                                        (void) strv_extend(&all, fixed);
                        } else if (!strv_contains(all, *m))
                                (void) strv_extend(&all, *m);
                        if (found || sshd_parse_error_location(*m, &f, &l) < 0)
                                continue;
                        live = sshd_unstage(dir, f);
                        file = strdup(live);
                        line = l;
                        found = true;
                }
                if (r == 1 || !found)
                        break;
                /* Remember it, then blank it in the staged copy and ask again. */
                struct sshd_invalid inv = { .line = line };
                inv.file = TAKE_PTR(file);
                (void) sshd_config_node_at_line(NULL, inv.file, line, &inv.aug_path, &inv.text);
                struct sshd_invalid *nl = realloc(list, sizeof(*nl) * (n + 1));
                if (!nl || !inv.file) {
                        free(inv.file);
                        free(inv.aug_path);
                        free(inv.text);
                        r = -ENOMEM;
                        break;
                }
                list = nl;
                list[n++] = inv;

                _cleanup_free_ char *staged = strprintf("%s%s", dir, inv.file);
                if (!staged || sshd_file_read(staged, &staged_data, &len) < 0)
                        break;
                char *p = staged_data;
                for (unsigned i = 1; i < line && p; i++) {
                        p = strchr(p, '\n');
                        if (p)
                                p++;
                }
                if (!p || !*p)
                        break;
                *p = '#'; /* a comment now; the length stays */
                FILE *w = fopen(staged, "we");
                if (!w)
                        break;
                fwrite(staged_data, 1, len, w);
                fclose(w);
                r = 0;
        }
        sshd_stage_remove(c, dir);
        if (r < 0) {
                sshd_invalid_free(list, n);
                return r;
        }
        *ret = list;
        *ret_n = n;
        if (ret_messages)
                *ret_messages = TAKE_PTR(all);
        return 0;
}

/* sshd -T stops without a host key before it looks at the rest: the auth probe and plan
 * deal with the keys, the configuration is worked out from the files meanwhile. */
static bool no_hostkeys(char *const *messages) {
        for (char *const *m = messages; m && *m; m++)
                if (strstr(*m, "no hostkeys available"))
                        return true;
        return false;
}

/* Offline the staging copy of sshd_find_invalid_lines() is out of the chrooted sshd's
 * sight: the lines come from its messages of one run instead (it names every bad keyword of
 * a file before it stops; a line it stops at for another reason hides those after it). */
static int locate_invalid(const struct options *o, struct sshd_config_facts *c) {
        for (char **m = c->test_messages; m && *m; m++) {
                struct sshd_invalid inv = {}, *n;
                _cleanup_free_ char *file = NULL;
                unsigned line;

                if (sshd_parse_error_location(*m, &file, &line) < 0 || !sshd_find_file(c, file))
                        continue;
                inv.line = line;
                (void) sshd_config_node_at_line(o->root, file, line, &inv.aug_path, &inv.text);
                inv.file = TAKE_PTR(file);
                n = realloc(c->invalid, sizeof(*n) * (c->n_invalid + 1));
                if (!n) {
                        free(inv.file);
                        free(inv.aug_path);
                        free(inv.text);
                        return -ENOMEM;
                }
                c->invalid = n;
                c->invalid[c->n_invalid++] = inv;
        }
        return 0;
}

/* Offline: the tree's own sshd, chrooted into it (sshd-run.c), says what it makes of the
 * tree's files; where it cannot run there, the values are worked out from the files. The
 * host's addresses say nothing about the tree's: not probed. */
static int probe_config_offline(const char *sshd, const struct options *o, struct facts *f) {
        struct sshd_config_facts *c = &f->sshd_config;
        bool evaluated = false;
        int r;

        r = sshd_dump(sshd, NULL, NULL, c->effective, &c->hostkeys, &c->test_messages);
        if (r == -ENOMEM)
                return r;
        if (r >= 0)
                c->effective_known = c->test_ran = c->test_ok = true;
        else if (r == -EINVAL && !no_hostkeys(c->test_messages)) {
                /* sshd ran in the tree and refused its configuration */
                c->test_ran = true;
                c->test_ok = false;
                if (!c->test_messages &&
                    strv_extend(&c->test_messages, "sshd -T refused the configuration without a message") < 0)
                        return -ENOMEM;
                return locate_invalid(o, c);
        } else {
                if (strv_extendf(&f->unreadable, "sshd -T could not run in %s (%s): the effective configuration "
                                                 "is worked out from the files, with OpenSSH's defaults",
                                 o->root, r == -EINVAL ? "no host key"
                                          : r == -ENOEXEC ? "not root, another architecture or no /run"
                                                          : strerror(-r)) < 0)
                        return -ENOMEM;
                strv_free(c->test_messages);
                c->test_messages = NULL;
                r = sshd_offline_evaluate(o->root, o->user, c, &f->unreadable);
                if (r < 0)
                        return r;
                evaluated = true;
        }
        if (o->user) {
                r = probe_user(sshd, o, c, evaluated);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int probe_config(const char *sshd, const struct options *o, struct facts *f) {
        struct sshd_config_facts *c = &f->sshd_config;
        _cleanup_strv_free_ char **messages = NULL;
        struct stat st;
        int r;

        _cleanup_free_ char *etc_ssh = options_path(o, "/etc/ssh");

        if (!etc_ssh)
                return -ENOMEM;
        if (stat(etc_ssh, &st) < 0 || !S_ISDIR(st.st_mode))
                return strv_extendf(&f->unreadable, "sshd configuration: %s: %s", etc_ssh,
                                    strerror(errno ?: ENOTDIR));
        r = sshd_config_read(options_offline(o) ? o->root : "/", SSHD_MAIN_CONFIG, c);
        if (r < 0)
                return strv_extendf(&f->unreadable, "sshd configuration: %s", strerror(-r));
        for (char **p = c->problems; p && *p; p++)
                if (strv_extendf(&f->unreadable, "sshd configuration: %s", *p) < 0)
                        return -ENOMEM;
        if (!sshd)
                return 0;
        if (options_offline(o))
                return probe_config_offline(sshd, o, f);

        r = sshd_ensure_run_dir();
        if (r < 0)
                (void) strv_extendf(&f->unreadable, "cannot create /run/sshd for 'sshd -t': %s", strerror(-r));
        c->run_dir_created = r > 0;

        /* `sshd -T` checks all that `sshd -t` checks, then prints the result: one run for
         * both on a healthy host. -t runs only to get its messages when -T fails. */
        r = sshd_dump(sshd, NULL, NULL, c->effective, &c->hostkeys, NULL);
        if (r == -ENOMEM)
                return r;
        c->effective_known = r >= 0;
        if (r >= 0)
                c->test_ran = c->test_ok = true;
        else {
                r = sshd_test(sshd, NULL, &c->test_messages);
                if (r < 0)
                        return strv_extendf(&f->unreadable, "sshd -t: %s", strerror(-r));
                c->test_ran = true;
                c->test_ok = r == 1;
                if (c->test_ok) /* -T failed where -t did not: say so, go on without it */
                        (void) strv_extendf(&f->unreadable, "sshd -T failed, although sshd -t accepts the "
                                                            "configuration");
        }
        if (!c->test_ok && c->known) {
                r = sshd_find_invalid_lines(sshd, c, &c->invalid, &c->n_invalid, &messages);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0 && messages) {
                        strv_free(c->test_messages);
                        c->test_messages = TAKE_PTR(messages);
                }
        }
        if (!c->test_ok)
                return 0; /* sshd -T fails the same way */

        if (c->effective_known && o->user) {
                r = probe_user(sshd, o, c, false);
                if (r < 0)
                        return r;
        }
        return probe_addresses(c);
}

static bool selinux_enforcing(void) {
        char c = 0;
        _cleanup_close_ int fd = open("/sys/fs/selinux/enforce", O_RDONLY | O_CLOEXEC);

        return fd >= 0 && read(fd, &c, 1) == 1 && c == '1';
}

int sshd_probe_facts(const struct options *o, struct facts *f) {
        const char *sshd = options_offline(o) ? sshd_find_binary_in(o->root) : sshd_find_binary();
        int r;

        if (sshd) {
                f->sshd_path = strdup(sshd);
                if (!f->sshd_path)
                        return -ENOMEM;
        }
        if (options_offline(o)) {
                /* the tree's sshd, in the tree; the host's SELinux and sockets are not the tree's */
                sshd_run_set_root(o->root);
                r = probe_config(sshd, o, f);
                sshd_run_set_root(NULL);
                return r;
        }
        f->sshd_config.selinux_enforcing = selinux_enforcing();
        /* The systemd backend probed before us: with the socket active, its listeners count. */
        if (f->systemd && f->socket.name && streq_ptr(f->socket.active_state, "active")) {
                r = sshd_socket_listen(f->socket.name, &f->sshd_config.socket_listen, &f->sshd_config.socket_dropin);
                if (r == -ENOMEM)
                        return r;
                f->sshd_config.socket_listen_known = r >= 0;
                if (r < 0)
                        (void) strv_extendf(&f->unreadable, "listeners of %s: %s", f->socket.name, strerror(-r));
        }
        return probe_config(sshd, o, f);
}
