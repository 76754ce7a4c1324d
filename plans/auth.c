/* Policy for "the port answers, but the account cannot log in": host keys, the StrictModes
 * walk over the key files of --user, and the account's state. */

#include <string.h>

#include "auth/auth-walk.h"
#include "plans.h"
#include "util/strv.h"

static int plan_hostkeys(const struct facts *f, const struct options *o, struct plan *p) {
        const struct auth_facts *a = &f->auth;
        _cleanup_free_ char *cmd = NULL;
        struct fault *x;

        if (!a->hostkeys_known || !f->sshd_path || strv_length(a->hostkeys_present) > 0)
                return 0;
        x = plan_add_fault(p, "sshd.hostkeys-missing", SEVERITY_ERROR, REMEDY_AUTO,
                           "sshd has no host key it can load, so it does not start");
        if (!x)
                return -ENOMEM;
        for (char **k = a->hostkeys_missing; k && *k; k++)
                if (fault_add_evidence(x, "missing: %s", *k) < 0)
                        return -ENOMEM;
        /* offline -f names the tree: the keys go to DIR/etc/ssh */
        cmd = options_offline(o) ? strprintf("ssh-keygen -A -f %s", o->root) : strdup("ssh-keygen -A");
        if (!cmd)
                return -ENOMEM;
        return plan_add_step(p, "sshd.hostkeys-missing", "auth", "generate-hostkeys", NULL,
                             "Generate the missing host keys", cmd, "remove the host keys that ssh-keygen -A created");
}

static int add_step_args(struct plan *p, const char *a1, const char *a2) {
        struct step *s = &p->steps[p->n_steps - 1];

        if (a1 && strv_extend(&s->args, a1) < 0)
                return -ENOMEM;
        if (a2 && strv_extend(&s->args, a2) < 0)
                return -ENOMEM;
        return 0;
}

/* One path of the walk that sshd refuses: give it back to the user, take away go-w. Paths
 * above the home directory belong to the system; changing them is for a person. */
static int plan_path(const struct auth_facts *a, const struct options *o, const struct auth_path *e, struct plan *p) {
        _cleanup_free_ char *cmd = NULL, *undo = NULL, *mode = NULL, *uid = NULL, *gid = NULL;
        /* the path in the commands: under DIR offline; the step's argument stays the target's */
        _cleanup_free_ char *shown = options_path(o, e->path);
        struct fault *x;

        if (!shown)
                return -ENOMEM;
        if (e->bad_owner) {
                bool fixable = e->in_home;

                x = plan_add_fault(p, "auth.keyfile-owner", SEVERITY_ERROR, fixable ? REMEDY_AUTO : REMEDY_NEEDS_PERSON,
                                   "%s is owned by uid %u, neither root nor %s: sshd ignores the keys (StrictModes)",
                                   e->path, (unsigned) e->uid, a->user);
                if (!x)
                        return -ENOMEM;
                if (!fixable) {
                        if (fault_set_advice(x, "it is outside %s's home directory: give it to root or %s by hand",
                                             a->user, a->user) < 0)
                                return -ENOMEM;
                } else {
                        cmd = strprintf("chown %u:%u %s", (unsigned) a->uid, (unsigned) a->gid, shown);
                        undo = strprintf("chown %u:%u %s", (unsigned) e->uid, (unsigned) e->gid, shown);
                        uid = strprintf("%u", (unsigned) a->uid);
                        gid = strprintf("%u", (unsigned) a->gid);
                        if (!cmd || !undo || !uid || !gid ||
                            plan_add_step(p, "auth.keyfile-owner", "auth", "chown", e->path,
                                          "Give the key file or directory back to the user", cmd, undo) < 0 ||
                            add_step_args(p, uid, gid) < 0)
                                return -ENOMEM;
                }
        }
        if (e->bad_mode) {
                x = plan_add_fault(p, "auth.keyfile-perms", SEVERITY_ERROR, REMEDY_AUTO,
                                   "%s is writable by %s (mode %04o): sshd ignores the keys (StrictModes)", e->path,
                                   (e->mode & 022) == 022 ? "group and others" : (e->mode & 020) ? "the group" : "others",
                                   (unsigned) e->mode);
                if (!x)
                        return -ENOMEM;
                free(cmd);
                free(undo);
                cmd = strprintf("chmod go-w %s", shown);
                undo = strprintf("chmod %04o %s", (unsigned) e->mode, shown);
                mode = strprintf("%04o", (unsigned) (e->mode & ~022U));
                if (!cmd || !undo || !mode ||
                    plan_add_step(p, "auth.keyfile-perms", "auth", "chmod", e->path,
                                  "Take write permission away from group and others", cmd, undo) < 0 ||
                    add_step_args(p, mode, NULL) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int plan_keyfiles(const struct facts *f, const struct options *o, struct plan *p) {
        const struct auth_facts *a = &f->auth;
        _cleanup_strv_free_ char **seen = NULL;
        bool any = false;
        struct fault *x;
        int r;

        for (size_t i = 0; i < a->n_keyfiles; i++)
                any = any || (a->keyfiles[i].n_walk > 0 && a->keyfiles[i].walk[0].exists);
        if (!any) {
                x = plan_add_fault(p, "auth.keyfile-missing", SEVERITY_WARNING, REMEDY_NEEDS_PERSON,
                                   "%s has no authorized keys file: key logins cannot work", a->user);
                if (!x)
                        return -ENOMEM;
                for (size_t i = 0; i < a->n_keyfiles; i++)
                        if (fault_add_evidence(x, "AuthorizedKeysFile %s: %s does not exist", a->keyfiles[i].pattern,
                                               a->keyfiles[i].path) < 0)
                                return -ENOMEM;
                /* we never invent keys */
                return fault_set_advice(x, "append the user's public key to %s (mode 0600, owned by %s)",
                                        a->n_keyfiles ? a->keyfiles[0].path : "~/.ssh/authorized_keys", a->user);
        }
        if (!a->strict_modes)
                return 0;
        for (size_t i = 0; i < a->n_keyfiles; i++) {
                const struct auth_keyfile *k = &a->keyfiles[i];

                if (k->n_walk == 0 || !k->walk[0].exists)
                        continue; /* another of the files has the keys */
                for (size_t j = 0; j < k->n_walk; j++) {
                        /* .ssh is on the walk of both authorized_keys and authorized_keys2 */
                        if (strv_contains(seen, k->walk[j].path))
                                continue;
                        r = strv_extend(&seen, k->walk[j].path);
                        if (r < 0)
                                return r;
                        r = plan_path(a, o, &k->walk[j], p);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int plan_account(const struct facts *f, const struct options *o, struct plan *p) {
        const struct auth_facts *a = &f->auth;
        /* offline the account tools work on the tree: "chroot DIR usermod ..." */
        _cleanup_free_ char *in = options_offline(o) ? strprintf("chroot %s ", o->root) : strdup("");

        if (!in)
                return -ENOMEM;
        const char *use_pam = sshd_effective_first(&f->sshd_config, SSHD_USE_PAM);
        struct fault *x;

        if (a->shell_refuses) {
                x = plan_add_fault(p, "auth.shell-nologin", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                   "%s's shell is %s: the key is accepted, then the session ends at once", a->user,
                                   a->shell);
                if (!x || fault_set_advice(x, "if %s should log in: '%susermod -s /bin/bash %s' (this tool does not "
                                              "change an account's shell)",
                                           a->user, in, a->user) < 0)
                        return -ENOMEM;
        }
        /* With UsePAM no, sshd itself refuses a locked account, keys included. */
        if (a->password_locked && use_pam && streq(use_pam, "no")) {
                x = plan_add_fault(p, "auth.account-locked", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                   "%s's password is locked ('!' in /etc/shadow) and UsePAM is no: sshd refuses "
                                   "every login of the account, keys too",
                                   a->user);
                if (!x || fault_set_advice(x, "keep the password unusable but the account open: '%susermod -p \"*\" %s'",
                                           in, a->user) < 0)
                        return -ENOMEM;
        }
        if (a->account_expired) {
                x = plan_add_fault(p, "auth.account-expired", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                   "%s's account has expired", a->user);
                if (!x || fault_set_advice(x, "if it should not: '%schage -E -1 %s'", in, a->user) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int plan_auth(const struct facts *f, const struct options *o, struct plan *p) {
        const struct auth_facts *a = &f->auth;
        struct fault *x;
        int r;

        r = plan_hostkeys(f, o, p);
        if (r < 0 || !a->user_known)
                return r;
        if (a->user_missing) {
                x = options_offline(o) ? plan_add_fault(p, "auth.user-missing", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                                        "there is no account '%s' in %s/etc/passwd", o->user, o->root)
                                       : plan_add_fault(p, "auth.user-missing", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                                        "there is no account '%s' on this host", o->user);
                return x ? 0 : -ENOMEM;
        }
        r = plan_keyfiles(f, o, p);
        if (r < 0)
                return r;
        return plan_account(f, o, p);
}
