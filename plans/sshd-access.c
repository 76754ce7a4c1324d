/* Policy for --user: the Allow/Deny lists and Match blocks that shut the user out, and
 * the settings that only --allow-insecure may change (PermitRootLogin for root,
 * PasswordAuthentication, PermitEmptyPasswords). Pure: facts in, faults and steps out. */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "plans.h"
#include "sshd.h"
#include "util/strv.h"

/* Do the Allow/Deny lines of an applying Match block replace the global ones? sshd copies a
 * list from the Match context when any applying block sets it. */
static bool list_from_match(const struct sshd_config_facts *c, enum sshd_key k) {
        for (size_t i = 0; i < c->n_sources; i++)
                if (c->sources[i].key == k && c->sources[i].match >= 0 &&
                    c->matches[c->sources[i].match].applies == 1)
                        return true;
        return false;
}

static bool in_scope(const struct sshd_config_facts *c, const struct sshd_source *s, bool from_match) {
        if (from_match)
                return s->match >= 0 && c->matches[s->match].applies == 1;
        return s->match < 0;
}

static int plan_deny_users(struct sshd_plan *sp, struct fault **x, struct fault **xp) {
        const struct sshd_config_facts *c = sp->c;
        bool from_match = list_from_match(c, SSHD_DENY_USERS);

        for (size_t i = 0; i < c->n_access; i++) {
                const struct sshd_access *a = &c->access[i];

                if (a->key != SSHD_DENY_USERS || a->matches != 1)
                        continue;
                /* A pattern that names others too stays: removing it would let them in. */
                bool exact = streq(a->pattern, sp->o->user);
                for (size_t j = 0; j < c->n_sources; j++) {
                        const struct sshd_source *s = &c->sources[j];

                        if (s->key != SSHD_DENY_USERS || !in_scope(c, s, from_match) ||
                            !strv_contains(s->values, a->pattern))
                                continue;
                        if (!exact || !s->aug_path || !sshd_plan_editable(c, s->file)) {
                                if (!*xp && !(*xp = plan_add_fault(sp->p, "sshd.user-denied", SEVERITY_ERROR,
                                                                   REMEDY_NEEDS_PERSON, "sshd refuses '%s'",
                                                                   sp->o->user)))
                                        return -ENOMEM;
                                if (fault_add_evidence(*xp, "%s line %u: %s %s%s", s->file, s->line, s->keyword,
                                                       a->pattern,
                                                       exact ? " (file not editable)"
                                                             : ": the pattern matches other users too") < 0 ||
                                    fault_set_advice(*xp, "decide whether '%s' should go from %s line %u; "
                                                          "removing it lets every user it matches in",
                                                     a->pattern, s->file, s->line) < 0)
                                        return -ENOMEM;
                                continue;
                        }
                        if (!*x && !(*x = plan_add_fault(sp->p, "sshd.user-denied", SEVERITY_ERROR, REMEDY_AUTO,
                                                         "sshd refuses '%s'", sp->o->user)))
                                return -ENOMEM;
                        _cleanup_free_ char *desc = strprintf("Remove '%s' from DenyUsers at %s line %u (the other "
                                                              "entries stay)", a->pattern, s->file, s->line);
                        _cleanup_free_ char *cmd = strprintf("in %s line %u: remove '%s' from %s", s->file, s->line,
                                                             a->pattern, s->keyword);
                        _cleanup_free_ char *undo = strprintf("in %s line %u: add '%s' to %s again", s->file, s->line,
                                                              a->pattern, s->keyword);
                        if (!desc || !cmd || !undo ||
                            fault_add_evidence(*x, "%s line %u: %s names '%s'", s->file, s->line, s->keyword,
                                               a->pattern) < 0 ||
                            sshd_plan_edit(sp, "sshd.user-denied", desc, cmd, undo, "list-remove", s->file, s->aug_path,
                                           a->pattern, (char *) NULL) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

/* The AllowUsers word for --user: "alice", or "alice@192.0.2.0/24" with --from, which lets
 * the user in from there only (sshd matches the host part as address/CIDR list). */
static char *allow_word(const struct options *o) {
        char addr[INET6_ADDRSTRLEN];

        if (!o->from.family || !inet_ntop(o->from.family, &o->from.addr, addr, sizeof addr))
                return strdup(o->user);
        return strprintf("%s@%s/%u", o->user, addr, o->from.prefixlen);
}

static int plan_allow_users(struct sshd_plan *sp, struct fault **x, struct fault **xp) {
        const struct sshd_config_facts *c = sp->c;
        bool from_match = list_from_match(c, SSHD_ALLOW_USERS), any = false, unknown = false;
        const struct sshd_source *target = NULL;

        for (size_t i = 0; i < c->n_access; i++) {
                const struct sshd_access *a = &c->access[i];

                if (a->key != SSHD_ALLOW_USERS)
                        continue;
                any = true;
                if (a->matches == 1)
                        return 0;
                if (a->matches < 0)
                        unknown = true;
        }
        if (!any)
                return 0;
        for (size_t j = 0; j < c->n_sources && !target; j++)
                if (c->sources[j].key == SSHD_ALLOW_USERS && in_scope(c, &c->sources[j], from_match))
                        target = &c->sources[j];
        if (unknown || !target || !target->aug_path || !sshd_plan_editable(c, target->file)) {
                if (!*xp && !(*xp = plan_add_fault(sp->p, "sshd.user-denied", unknown ? SEVERITY_WARNING : SEVERITY_ERROR,
                                                   REMEDY_NEEDS_PERSON, "AllowUsers may exclude '%s'", sp->o->user)))
                        return -ENOMEM;
                if (sshd_plan_evidence_sources(*xp, c, SSHD_ALLOW_USERS) < 0)
                        return -ENOMEM;
                return fault_set_advice(*xp, unknown ? "an entry 'user@host' decides by the client's address: run "
                                                       "again with --from ADDRESS"
                                                     : "add '%s' to the AllowUsers line by hand",
                                        sp->o->user);
        }
        if (!*x && !(*x = plan_add_fault(sp->p, "sshd.user-denied", SEVERITY_ERROR, REMEDY_AUTO, "sshd refuses '%s'",
                                         sp->o->user)))
                return -ENOMEM;
        if (fault_add_evidence(*x, "AllowUsers lists only others; %s", from_match ? "a Match block that applies sets it"
                                                                                 : "the global list applies") < 0 ||
            sshd_plan_evidence_sources(*x, c, SSHD_ALLOW_USERS) < 0)
                return -ENOMEM;
        _cleanup_free_ char *word = allow_word(sp->o);
        if (!word)
                return -ENOMEM;
        _cleanup_free_ char *desc = strprintf("Add '%s' to AllowUsers at %s line %u%s (everyone else stays as they are)",
                                              word, target->file, target->line,
                                              target->match >= 0 ? ", inside the Match block" : "");
        _cleanup_free_ char *cmd = strprintf("in %s line %u: add '%s' to %s", target->file, target->line, word,
                                             target->keyword);
        _cleanup_free_ char *undo = strprintf("in %s line %u: remove '%s' from %s", target->file, target->line, word,
                                              target->keyword);
        if (!desc || !cmd || !undo)
                return -ENOMEM;
        return sshd_plan_edit(sp, "sshd.user-denied", desc, cmd, undo, "list-add", target->file, target->aug_path,
                              word, (char *) NULL);
}

static int plan_groups(struct sshd_plan *sp) {
        const struct sshd_config_facts *c = sp->c;
        bool any_allow = false, allowed = false, denied = false;
        _cleanup_strv_free_ char **allow = NULL;
        struct fault *x;

        for (size_t i = 0; i < c->n_access; i++) {
                const struct sshd_access *a = &c->access[i];

                if (a->key == SSHD_ALLOW_GROUPS) {
                        any_allow = true;
                        allowed = allowed || a->matches != 0;
                        if (strv_extend(&allow, a->pattern) < 0)
                                return -ENOMEM;
                } else if (a->key == SSHD_DENY_GROUPS && a->matches == 1)
                        denied = true;
        }
        if (any_allow && !allowed) {
                /* Group membership is not sshd's to change, and widening the list lets in every
                 * member of the added group. */
                x = plan_add_fault(sp->p, "sshd.group-denied", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                   "'%s' is in none of the groups AllowGroups lists", sp->o->user);
                if (!x || sshd_plan_evidence_sources(x, c, SSHD_ALLOW_GROUPS) < 0 ||
                    fault_set_advice(x, "if '%s' should log in: 'usermod -aG %s %s'", sp->o->user, allow[0],
                                     sp->o->user) < 0)
                        return -ENOMEM;
        }
        if (denied) {
                x = plan_add_fault(sp->p, "sshd.group-denied", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                   "'%s' is in a group DenyGroups lists", sp->o->user);
                if (!x || sshd_plan_evidence_sources(x, c, SSHD_DENY_GROUPS) < 0 ||
                    fault_set_advice(x, "removing the group from DenyGroups lets all its members in; taking '%s' out "
                                        "of the group ('gpasswd -d %s GROUP') may be the narrower change",
                                     sp->o->user, sp->o->user) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int plan_keys_file(struct sshd_plan *sp);

int plan_sshd_access(struct sshd_plan *sp) {
        struct fault *x = NULL, *xp = NULL;
        int r;

        if (!sp->c->user_effective_known)
                return 0;
        if (!sp->c->user_exists) {
                x = options_offline(sp->o)
                            ? plan_add_fault(sp->p, "sshd.user-unknown", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                             "There is no user '%s' in %s/etc/passwd", sp->o->user, sp->o->root)
                            : plan_add_fault(sp->p, "sshd.user-unknown", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                             "There is no user '%s' on this host", sp->o->user);
                return x ? fault_set_advice(x, "check the name, or create the account") : -ENOMEM;
        }
        r = plan_deny_users(sp, &x, &xp);
        if (r >= 0)
                r = plan_allow_users(sp, &x, &xp);
        if (r >= 0)
                r = plan_groups(sp);
        if (r >= 0)
                r = plan_keys_file(sp);
        return r;
}

static int insecure_fault(struct sshd_plan *sp, const char *id, enum sshd_key key, const char *value,
                          const char *summary, const char *risk) {
        struct fault *x;

        x = plan_add_fault(sp->p, id, SEVERITY_ERROR, sp->o->allow_insecure ? REMEDY_AUTO : REMEDY_NEEDS_FLAG, "%s",
                           summary);
        if (!x || sshd_plan_evidence_sources(x, sp->c, key) < 0 || fault_add_evidence(x, "risk: %s", risk) < 0)
                return -ENOMEM;
        if (!sp->o->allow_insecure)
                return fault_set_advice(x, "nothing was changed; to set '%s %s' anyway, run again with "
                                           "--allow-insecure",
                                        sshd_key_to_string(key), value);
        return sshd_plan_set_key(sp, id, key, value, "--allow-insecure was given");
}

/* Keys where the user keeps them, but sshd looks elsewhere. */
static int plan_keys_file(struct sshd_plan *sp) {
        const struct sshd_config_facts *c = sp->c;
        struct fault *x;

        if (c->user_has_keys || !c->user_has_default_keys)
                return 0;
        x = plan_add_fault(sp->p, "sshd.authorized-keys-file", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                           "'%s' has keys in ~/.ssh/authorized_keys, but sshd does not look there", sp->o->user);
        if (!x || sshd_plan_evidence_sources(x, c, SSHD_AUTHORIZED_KEYS_FILE) < 0 ||
            fault_set_advice(x, "add '.ssh/authorized_keys' to AuthorizedKeysFile, or move the keys where it "
                                "points") < 0)
                return -ENOMEM;
        return 0;
}

int plan_sshd_insecure(struct sshd_plan *sp) {
        const struct sshd_config_facts *c = sp->c;
        const char *v;
        int r;

        if (!c->user_effective_known || !c->user_exists)
                return 0;

        if (streq(sp->o->user, "root")) {
                v = sshd_effective_first(c, SSHD_PERMIT_ROOT_LOGIN);
                bool keys_ok = v && (strcasecmp(v, "prohibit-password") == 0 || strcasecmp(v, "without-password") == 0);
                if (v && strcasecmp(v, "yes") != 0 && !(keys_ok && c->user_has_keys)) {
                        /* With keys, key-only root logins are enough and much safer. */
                        const char *want = c->user_has_keys ? "prohibit-password" : "yes";
                        _cleanup_free_ char *summary = strprintf("sshd refuses root logins (PermitRootLogin %s)", v);

                        if (!summary)
                                return -ENOMEM;
                        r = insecure_fault(sp, "sshd.root-login-refused", SSHD_PERMIT_ROOT_LOGIN, want, summary,
                                           c->user_has_keys
                                                   ? "root can log in directly with its keys; a stolen key is root on "
                                                     "this host. Prefer a user with sudo."
                                                   : "root can log in with a password, which can be guessed. Prefer "
                                                     "a user with sudo.");
                        if (r < 0)
                                return r;
                }
        }

        /* Password logins matter only when no key can work. */
        v = sshd_effective_first(c, SSHD_PASSWORD_AUTHENTICATION);
        if (!c->user_has_keys && v && strcasecmp(v, "no") == 0) {
                _cleanup_free_ char *summary = strprintf("'%s' has no authorized key and password logins are off",
                                                         sp->o->user);
                if (!summary)
                        return -ENOMEM;
                r = insecure_fault(sp, "sshd.password-disabled", SSHD_PASSWORD_AUTHENTICATION, "yes", summary,
                                   "passwords can be guessed from the network; a key ('ssh-copy-id') is the safer fix");
                if (r < 0)
                        return r;
        }

        v = sshd_effective_first(c, SSHD_PERMIT_EMPTY_PASSWORDS);
        if (c->user_empty_password && !c->user_has_keys && v && strcasecmp(v, "no") == 0) {
                _cleanup_free_ char *summary = strprintf("'%s' has an empty password, which sshd refuses", sp->o->user);
                if (!summary)
                        return -ENOMEM;
                r = insecure_fault(sp, "sshd.empty-password-refused", SSHD_PERMIT_EMPTY_PASSWORDS, "yes", summary,
                                   "anyone who can reach the port logs in as this user without any secret; set a "
                                   "password or a key instead");
                if (r < 0)
                        return r;
        }
        return 0;
}
