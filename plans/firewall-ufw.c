/* Policy for ufw, as the seed does it by hand: a DENY/REJECT for the SSH port alone is
 * deleted (`ufw delete N`); a rule for a range, several ports or an app profile stays and
 * `ufw insert 1 allow ...` goes before it; a default deny with no allow gets the same
 * allow. Always through the ufw command, never by disabling ufw. Offline (--root DIR) the
 * same decisions are edits of the tree's user.rules / user6.rules, written as ufw writes
 * them, each shown as the sed command that makes it. */

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "firewall.h"
#include "util/strv.h"

static const struct ufw_rule *rule_numbered(const struct ufw_facts *u, unsigned n) {
        return n >= 1 && n <= u->n_rules ? &u->rules[n - 1] : NULL;
}

static int rule_command(const struct ufw_rule *r, char **ret) {
        const char *any = r->family == AF_INET6 ? "::/0" : "0.0.0.0/0";
        const char *src = streq(r->src, any) ? "any" : r->src, *dst = streq(r->dst, any) ? "any" : r->dst;

        if (r->dapp)
                *ret = strprintf("%s from %s to %s app %s", r->action, src, dst, r->dapp);
        else if (streq(r->proto, "any"))
                *ret = strprintf("%s from %s to %s port %s", r->action, src, dst, r->dport);
        else
                *ret = strprintf("%s proto %s from %s to %s port %s", r->action, r->proto, src, dst, r->dport);
        return *ret ? 0 : -ENOMEM;
}

/* 's' for a sed address /^s$/ inside single quotes. */
static char *sed_regex(const char *s) {
        _cleanup_free_ char *out = NULL;
        char *n;

        for (const char *c = s; *c; c++) {
                n = strprintf("%s%s", out ?: "",
                              *c == '\'' ? "'\\''"
                              : strchr(".[]*^$\\/", *c) ? (char[]) { '\\', *c, 0 }
                                                        : (char[]) { *c, 0 });
                if (!n)
                        return NULL;
                free(out);
                out = n;
        }
        return out ? TAKE_PTR(out) : strdup("");
}

/* 's' as GNU sed's one-line a/i text inside single quotes. */
static char *sed_text(const char *s) {
        _cleanup_free_ char *out = NULL;
        char *n;

        for (const char *c = s; *c; c++) {
                n = strprintf("%s%s", out ?: "",
                              *c == '\'' ? "'\\''" : *c == '\\' ? "\\\\" : *c == '\n' ? "\\n" : (char[]) { *c, 0 });
                if (!n)
                        return NULL;
                free(out);
                out = n;
        }
        return out ? TAKE_PTR(out) : strdup("");
}

static const char *rules_file(int family) {
        return family == AF_INET6 ? "/etc/ufw/user6.rules" : "/etc/ufw/user.rules";
}

static int offline_delete(struct plan *p, const struct options *o, const char *fault_id, const struct ufw_rule *rule) {
        _cleanup_free_ char *path = options_path(o, rules_file(rule->family)), *re = sed_regex(rule->line),
                            *spec = NULL, *cmd = NULL, *undo = NULL, *desc = NULL;
        int r;

        if (!path || !re || rule_command(rule, &spec) < 0)
                return -ENOMEM;
        cmd = strprintf("sed -i '/^%s$/,/^$/d' %s", re, path);
        undo = strprintf("sshrepair --root %s rollback (restores %s byte for byte)", o->root, path);
        desc = strprintf("Delete ufw rule [%u] from %s, which blocks only the SSH port: %s%s", rule->number, path, spec,
                         rule->family == AF_INET6 ? " (v6)" : "");
        if (!cmd || !undo || !desc)
                return -ENOMEM;
        r = plan_add_step(p, fault_id, "ufw", "edit-delete", rules_file(rule->family), desc, cmd, undo);
        return r < 0 ? r : plan_step_arg(p, rule->line);
}

/* The rule `ufw insert 1 allow proto tcp from FROM to any port PORT` writes for one family. */
static int offline_insert(struct plan *p, const struct options *o, const struct ufw_facts *u, const char *fault_id,
                          int family, uint16_t port, const char *from) {
        const char *any = family == AF_INET6 ? "::/0" : "0.0.0.0/0";
        bool v6 = family == AF_INET6;
        _cleanup_free_ char *path = options_path(o, rules_file(family)), *line = NULL, *rule = NULL, *text = NULL,
                            *block = NULL, *cmd = NULL, *undo = NULL, *desc = NULL;
        int r;

        line = strprintf("### tuple ### allow tcp %u %s any %s in", port, any, from ?: any);
        rule = strprintf("-A %s-user-input -p tcp --dport %u%s%s -j ACCEPT", v6 ? "ufw6" : "ufw", port, from ? " -s " : "",
                         from ?: "");
        block = line && rule ? strprintf("\n%s\n%s", line, rule) : NULL;
        text = block ? sed_text(block) : NULL;
        if (!path || !text)
                return -ENOMEM;
        /* the packaged user6.rules has no "### RULES ###" line until ufw writes it */
        cmd = u->marker[v6] ? strprintf("sed -i '/^### RULES ###$/a \\%s' %s", text, path)
                            : strprintf("sed -i '/^COMMIT$/i \\%s' %s", text, path);
        undo = strprintf("sshrepair --root %s rollback (restores %s byte for byte)", o->root, path);
        desc = strprintf("Allow TCP port %u%s in ufw (%s) as the first rule of %s: what 'ufw insert 1 allow proto tcp "
                         "from %s to any port %u' writes",
                         port, from ? " from that client" : "", v6 ? "IPv6" : "IPv4", path, from ?: "any", port);
        if (!cmd || !undo || !desc)
                return -ENOMEM;
        r = plan_add_step(p, fault_id, "ufw", "edit-insert", rules_file(family), desc, cmd, undo);
        if (r >= 0)
                r = plan_step_arg(p, line);
        return r < 0 ? r : plan_step_arg(p, rule);
}

static int plan_offline(const struct ufw_facts *u, const struct options *o, struct plan *p, const unsigned *deletes,
                        char *const *delete_fault, size_t n_deletes) {
        _cleanup_free_ char *from = plan_from_string(o);
        int r;

        for (size_t k = 0; k < n_deletes; k++) {
                const struct ufw_rule *rule = rule_numbered(u, deletes[k]);

                if (!rule || !delete_fault[k])
                        return -ENOMEM;
                r = offline_delete(p, o, delete_fault[k], rule);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < u->n_verdicts; i++) {
                const struct ufw_verdict *v = &u->verdicts[i];

                if (v->now == FW_VERDICT_ACCEPTED || v->verdict == FW_VERDICT_ACCEPTED)
                        continue;
                r = offline_insert(p, o, u, v->n_deletable == 0 && v->by_policy ? "firewall.ufw.default-deny"
                                                                                 : "firewall.ufw.deny",
                                   v->family, v->port, from);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int unknown_blocks(const struct facts *f, const struct options *o, struct plan *p) {
        const struct fw_facts *fw = &f->fw;

        /* ufw's own list says yes, its chains in the kernel say no: before.rules, or edits
         * beneath it. Nothing to do through ufw's rule list. */
        for (size_t i = 0; i < fw->n_ipt; i++) {
                const struct ipt_verdict *v = &fw->ipt[i];
                bool listed = false;
                struct fault *x;

                if (v->owner != FW_OWNER_UFW || v->verdict == FW_VERDICT_ACCEPTED)
                        continue;
                for (size_t k = 0; k < fw->ufw.n_verdicts; k++)
                        if (fw->ufw.verdicts[k].family == v->family && fw->ufw.verdicts[k].port == v->port &&
                            fw->ufw.verdicts[k].now != FW_VERDICT_ACCEPTED)
                                listed = true;
                if (listed)
                        continue;
                x = plan_add_fault(p, "firewall.ufw.unknown", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                   "ufw's chains block TCP port %u (%s), but not through ufw's rule list", v->port,
                                   v->family == AF_INET6 ? "IPv6" : "IPv4");
                if (!x || fault_add_evidence(x, "chain %s rule %u: %s", v->chain, v->index, v->rule) < 0 ||
                    fault_set_advice(x, "look at /etc/ufw/before.rules and after.rules (then 'ufw reload')") < 0)
                        return -ENOMEM;
        }
        return 0;
}

int plan_ufw(const struct facts *f, const struct options *o, struct plan *p) {
        const struct ufw_facts *u = &f->fw.ufw;
        _cleanup_free_ char *from = plan_from_string(o);
        unsigned deletes[64];
        size_t n_deletes = 0;
        uint16_t inserts[SSHREPAIR_MAX_PORTS];
        char *insert_fault[SSHREPAIR_MAX_PORTS] = {};
        size_t n_inserts = 0;
        char *delete_fault[64] = {};
        int r = 0;

        if (!u->installed && u->files && u->enabled) {
                struct fault *x = plan_add_fault(p, "firewall.ufw.not-installed", SEVERITY_WARNING, REMEDY_NEEDS_PERSON,
                                                 "ufw's files say it is enabled, but ufw is not installed");
                if (!x || fault_add_evidence(x, "/etc/ufw/ufw.conf: ENABLED=yes; no ufw program") < 0 ||
                    fault_set_advice(x, "remove /etc/ufw or reinstall ufw: 'apt-get install ufw'") < 0)
                        return -ENOMEM;
        }
        if (!u->installed || !u->active)
                return 0;

        for (size_t i = 0; i < u->n_verdicts; i++) {
                const struct ufw_verdict *v = &u->verdicts[i];
                unsigned first = v->n_deletable ? v->deletable[0] : v->rule;
                const struct ufw_rule *rule = rule_numbered(u, first);
                bool policy = v->n_deletable == 0 && v->by_policy;
                const char *id = policy ? "firewall.ufw.default-deny" : "firewall.ufw.deny";
                struct fault *x;

                if (v->now == FW_VERDICT_ACCEPTED)
                        continue;
                x = plan_add_fault(p, id, SEVERITY_ERROR, u->writable ? REMEDY_AUTO : REMEDY_NEEDS_PERSON,
                                   "ufw %s: a TCP SYN to port %u from outside is %s", v->family == AF_INET6 ? "IPv6" : "IPv4",
                                   v->port, fw_verdict_to_string(v->now));
                if (!x)
                        return -ENOMEM;
                if (policy)
                        r = fault_add_evidence(x, "no ufw rule allows it, and the default incoming policy is %s",
                                               strna(u->input_policy));
                else
                        r = fault_add_evidence(x, "ufw rule [%u]%s: %s", first, v->family == AF_INET6 ? " (v6)" : "",
                                               rule ? rule->text : "?");
                for (size_t k = 1; r >= 0 && k < v->n_deletable; k++)
                        r = fault_add_evidence(x, "then ufw rule [%u]: %s", v->deletable[k],
                                               rule_numbered(u, v->deletable[k]) ? rule_numbered(u, v->deletable[k])->text : "?");
                if (r >= 0 && v->n_deletable && v->verdict != FW_VERDICT_ACCEPTED)
                        r = v->by_policy ? fault_add_evidence(x, "without it, the default incoming policy %s decides",
                                                              strna(u->input_policy))
                                         : fault_add_evidence(x, "without it, ufw rule [%u] decides: %s", v->rule,
                                                              rule_numbered(u, v->rule) ? rule_numbered(u, v->rule)->text : "?");
                for (char **n = v->notes; r >= 0 && n && *n; n++)
                        r = fault_add_evidence(x, "not deciding for every client: %s", *n);
                if (r < 0)
                        return -ENOMEM;
                if (!u->writable) {
                        if (fault_set_advice(x, "ufw's files are not writable, so nothing was changed") < 0)
                                return -ENOMEM;
                        continue;
                }
                for (size_t d = 0; d < v->n_deletable; d++) {
                        bool seen = false;
                        for (size_t k = 0; k < n_deletes; k++)
                                seen = seen || deletes[k] == v->deletable[d];
                        if (!seen && n_deletes < ELEMENTSOF(deletes)) {
                                delete_fault[n_deletes] = strdup(id);
                                deletes[n_deletes++] = v->deletable[d];
                        }
                }
                if (v->verdict != FW_VERDICT_ACCEPTED) {
                        bool seen = false;
                        for (size_t k = 0; k < n_inserts; k++)
                                seen = seen || inserts[k] == v->port;
                        if (!seen && n_inserts < ELEMENTSOF(inserts)) {
                                insert_fault[n_inserts] = strdup(id);
                                inserts[n_inserts++] = v->port;
                        }
                }
        }

        /* highest number first: deleting it does not renumber the others */
        for (size_t a = 0; a < n_deletes; a++)
                for (size_t b = a + 1; b < n_deletes; b++)
                        if (deletes[b] > deletes[a]) {
                                unsigned t = deletes[a];
                                char *tf = delete_fault[a];
                                deletes[a] = deletes[b], deletes[b] = t;
                                delete_fault[a] = delete_fault[b], delete_fault[b] = tf;
                        }
        if (options_offline(o)) {
                r = plan_offline(u, o, p, deletes, delete_fault, n_deletes);
                for (size_t k = 0; k < n_deletes; k++)
                        free(delete_fault[k]);
                for (size_t k = 0; k < n_inserts; k++)
                        free(insert_fault[k]);
                return r;
        }
        size_t remaining = u->n_rules;
        for (size_t k = 0; k < n_deletes && r >= 0; k++) {
                const struct ufw_rule *rule = rule_numbered(u, deletes[k]);
                _cleanup_free_ char *num = strprintf("%u", deletes[k]), *cmd = strprintf("ufw delete %u", deletes[k]),
                                    *spec = NULL, *undo = NULL, *desc = NULL;

                if (!rule || !num || !cmd || !delete_fault[k] || rule_command(rule, &spec) < 0) {
                        r = -ENOMEM;
                        break;
                }
                undo = strprintf("ufw insert %u %s", deletes[k], spec);
                desc = strprintf("Delete ufw rule [%u], which blocks only the SSH port: %s%s", deletes[k], spec,
                                 rule->family == AF_INET6 ? " (v6)" : "");
                if (!undo || !desc) {
                        r = -ENOMEM;
                        break;
                }
                r = plan_add_step(p, delete_fault[k], "ufw", "delete", num, desc, cmd, undo);
                if (r >= 0)
                        r = plan_step_arg(p, rule->text);
                remaining--;
        }
        for (size_t k = 0; k < n_inserts && r >= 0; k++) {
                _cleanup_free_ char *port = strprintf("%u", inserts[k]), *cmd = NULL, *undo = NULL, *desc = NULL;
                /* `ufw insert 1` needs a rule 1 */
                bool append = remaining == 0;

                if (!port || !insert_fault[k]) {
                        r = -ENOMEM;
                        break;
                }
                cmd = strprintf("ufw %sallow proto tcp from %s to any port %u", append ? "" : "insert 1 ",
                                from ? from : "any", inserts[k]);
                undo = strprintf("ufw delete allow proto tcp from %s to any port %u", from ? from : "any", inserts[k]);
                desc = strprintf("Allow TCP port %u in ufw%s, before every other rule", inserts[k],
                                 from ? " from that client" : "");
                if (!cmd || !undo || !desc) {
                        r = -ENOMEM;
                        break;
                }
                r = plan_add_step(p, insert_fault[k], "ufw", "insert", append ? "append" : "1", desc, cmd, undo);
                if (r >= 0)
                        r = plan_step_arg(p, from ? from : "any");
                if (r >= 0)
                        r = plan_step_arg(p, port);
                remaining++;
        }
        for (size_t k = 0; k < n_deletes; k++)
                free(delete_fault[k]);
        for (size_t k = 0; k < n_inserts; k++)
                free(insert_fault[k]);
        if (r < 0)
                return r;
        return unknown_blocks(f, o, p);
}
