/* The effective sshd configuration of a tree whose sshd cannot run here, worked out from its
 * lines as sshd's servconf.c would. */

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth/auth-tree.h"
#include "sshd-offline.h"
#include "util/strv.h"

const char *sshd_find_binary_in(const char *root) {
        static const char *const paths[] = { "/usr/sbin/sshd", "/usr/bin/sshd", "/usr/local/sbin/sshd", NULL };

        for (const char *const *p = paths; *p; p++) {
                _cleanup_free_ char *full = strprintf("%s%s", root, *p);

                if (full && access(full, X_OK) == 0)
                        return *p;
        }
        return NULL;
}

/* What `sshd -T` (OpenSSH 9) prints when nothing sets the keyword. */
static const char *const defaults[_SSHD_KEY_MAX] = {
        [SSHD_PORT] = "22",
        [SSHD_ADDRESS_FAMILY] = "any",
        [SSHD_PUBKEY_AUTHENTICATION] = "yes",
        [SSHD_PASSWORD_AUTHENTICATION] = "yes",
        [SSHD_PERMIT_ROOT_LOGIN] = "without-password",
        [SSHD_PERMIT_EMPTY_PASSWORDS] = "no",
        [SSHD_KBD_INTERACTIVE_AUTHENTICATION] = "yes",
        [SSHD_USE_PAM] = "no",
        [SSHD_AUTHORIZED_KEYS_FILE] = ".ssh/authorized_keys .ssh/authorized_keys2",
};

int sshd_pattern_list_matches(const char *s, const char *list) {
        _cleanup_strv_free_ char **patterns = NULL;
        bool got = false;

        if (strv_split(list, ",", &patterns) < 0)
                return -ENOMEM;
        for (char **p = patterns; p && *p; p++) {
                bool negated = (*p)[0] == '!';

                if (fnmatch(*p + negated, s, FNM_NOESCAPE) != 0)
                        continue;
                if (negated)
                        return 0;
                got = true;
        }
        return got;
}

/* The value as `sshd -T` prints it: keywords' yes/no in lower case, prohibit-password by
 * its old name. */
static char *dump_value(enum sshd_key k, char *const *values) {
        size_t len = 1;
        char *s;

        for (char *const *v = values; v && *v; v++)
                len += strlen(*v) + 1;
        s = calloc(len, 1);
        if (!s)
                return NULL;
        for (char *const *v = values; v && *v; v++) {
                if (v != values)
                        strcat(s, " ");
                strcat(s, *v);
        }
        if (k != SSHD_AUTHORIZED_KEYS_FILE)
                for (char *p = s; *p; p++)
                        *p = (char) tolower((unsigned char) *p);
        if (k == SSHD_PERMIT_ROOT_LOGIN && streq(s, "prohibit-password")) {
                free(s);
                s = strdup("without-password");
        }
        return s;
}

static bool source_applies(const struct sshd_config_facts *c, const struct sshd_source *s, bool user) {
        if (s->match < 0)
                return true;
        return user && (size_t) s->match < c->n_matches && c->matches[s->match].applies == 1;
}

/* The values of 'k': from the lines of applying Match blocks when any sets it (sshd copies
 * the Match context's value over the global one), else from the global lines. */
static int evaluate_key(const struct sshd_config_facts *c, enum sshd_key k, bool user, char ***ret) {
        _cleanup_strv_free_ char **values = NULL;

        for (int pass = user ? 0 : 1; pass < 2 && !values; pass++)
                for (size_t i = 0; i < c->n_sources; i++) {
                        const struct sshd_source *s = &c->sources[i];
                        bool in_match = s->match >= 0;

                        if (s->key != k || !source_applies(c, s, user) || in_match != (pass == 0))
                                continue;
                        if (sshd_key_accumulates(k)) {
                                for (char **v = s->values; v && *v; v++)
                                        if (strv_extend(&values, *v) < 0)
                                                return -ENOMEM;
                                continue;
                        }
                        char *d = dump_value(k, s->values);
                        if (!d || strv_consume(&values, d) < 0) {
                                free(d);
                                return -ENOMEM;
                        }
                        break; /* first value wins */
                }
        if (!values && defaults[k] && strv_extend(&values, defaults[k]) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(values);
        return 0;
}

/* ListenAddress as `sshd -T` prints it: one "ADDR:PORT" per address and port. */
static int evaluate_listen(char *const *addresses, char *const *ports, const char *family, char ***ret) {
        _cleanup_strv_free_ char **out = NULL;
        static char *const any_both[] = { (char *) "::", (char *) "0.0.0.0", NULL };
        static char *const any_v4[] = { (char *) "0.0.0.0", NULL };
        static char *const any_v6[] = { (char *) "::", NULL };

        if (!addresses)
                addresses = streq_ptr(family, "inet") ? any_v4 : streq_ptr(family, "inet6") ? any_v6 : any_both;
        for (char *const *a = addresses; *a; a++) {
                const char *close = strchr(*a, ']');
                bool has_port = (*a)[0] == '[' ? close && close[1] == ':' : strchr(*a, ':') == strrchr(*a, ':') &&
                                                                                    strchr(*a, ':');

                if (has_port) {
                        if (strv_extend(&out, *a) < 0)
                                return -ENOMEM;
                        continue;
                }
                for (char *const *p = ports; p && *p; p++)
                        if (strv_extendf(&out, strchr(*a, ':') ? "[%s]:%s" : "%s:%s", *a, *p) < 0)
                                return -ENOMEM;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

/* One Match line for 'user': 1 applies, 0 not, -1 a criterion that is not evaluated here. */
static int match_applies(const char *criteria, const char *user, char *const *groups) {
        _cleanup_strv_free_ char **words = NULL;
        int result = 1;

        if (strv_split(criteria, " \t", &words) < 0)
                return -ENOMEM;
        for (size_t i = 0; words && words[i]; i++) {
                const char *kw = words[i], *arg = words[i + 1];
                int m;

                if (strcasecmp(kw, "all") == 0)
                        continue;
                if (!arg)
                        return -1;
                i++;
                if (strcasecmp(kw, "user") == 0)
                        m = sshd_pattern_list_matches(user, arg);
                else if (strcasecmp(kw, "group") == 0) {
                        m = 0;
                        for (char *const *g = groups; g && *g && m == 0; g++)
                                m = sshd_pattern_list_matches(*g, arg);
                } else
                        m = -1;
                if (m < 0 && m != -1)
                        return m;
                if (m == 0)
                        return 0; /* all criteria must match: one that does not decides */
                if (m == -1)
                        result = -1;
        }
        return result;
}

int sshd_offline_evaluate(const char *root, const char *user, struct sshd_config_facts *c, char ***unreadable) {
        _cleanup_strv_free_ char **groups = NULL;
        int r;

        if (user) {
                struct tree_user u = {};

                r = auth_tree_user(root, user, &u);
                if (r > 0)
                        r = auth_tree_groups(root, u.name, u.gid, &groups);
                tree_user_done(&u);
                if (r == -ENOMEM)
                        return r;
                for (size_t i = 0; i < c->n_matches; i++) {
                        r = match_applies(c->matches[i].criteria ?: "", user, groups);
                        if (r < -1)
                                return r;
                        c->matches[i].applies = r;
                        if (r == -1 && strv_extendf(unreadable, "sshd config: 'Match %s' (%s line %u) not evaluated "
                                                                "offline: counted as not applying",
                                                    c->matches[i].criteria, c->matches[i].file, c->matches[i].line) < 0)
                                return -ENOMEM;
                }
        }
        for (int pass = 0; pass < (user ? 2 : 1); pass++) {
                char ***eff = pass == 0 ? c->effective : c->user_effective;

                for (int k = 0; k < _SSHD_KEY_MAX; k++) {
                        strv_free(eff[k]);
                        eff[k] = NULL;
                        if (k == SSHD_LISTEN_ADDRESS)
                                continue;
                        r = evaluate_key(c, (enum sshd_key) k, pass == 1, &eff[k]);
                        if (r < 0)
                                return r;
                }
                _cleanup_strv_free_ char **addresses = NULL;
                r = evaluate_key(c, SSHD_LISTEN_ADDRESS, pass == 1, &addresses);
                if (r >= 0)
                        r = evaluate_listen(addresses, eff[SSHD_PORT], eff[SSHD_ADDRESS_FAMILY] ? eff[SSHD_ADDRESS_FAMILY][0]
                                                                                                : NULL,
                                            &eff[SSHD_LISTEN_ADDRESS]);
                if (r < 0)
                        return r;
        }
        c->effective_known = c->effective_from_files = true;
        c->user_effective_known = user != NULL;
        return 0;
}
