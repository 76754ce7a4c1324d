/* Policy for native nftables rulesets, after the seed's firewall procedure: a rule that blocks
 * only the SSH port is deleted; a rule that blocks more (a range, a set with other ports, all
 * traffic) stays, and an accept rule for the port goes directly before it; a DROP policy gets
 * an accept rule at the chain's end. Tables another frontend manages are reported, never
 * edited. When nftables.service loads a file at boot, the same change is made there. */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plans.h"
#include "util/strv.h"

#define RULE_COMMENT "comment \"sshrepair\""

static const char *nfproto_name(int nfproto) {
        return nfproto == 2 ? "IPv4" : "IPv6";
}

static char *from_text(const struct options *o) {
        char addr[INET6_ADDRSTRLEN];

        if (!o->from.family)
                return strdup("");
        if (!inet_ntop(o->from.family, &o->from.addr, addr, sizeof addr))
                return NULL;
        return strprintf("%s/%u", addr, o->from.prefixlen);
}

/* The rule we add, as nft would print it. */
static char *accept_text(const struct options *o, uint16_t port) {
        _cleanup_free_ char *from = from_text(o);

        if (!from)
                return NULL;
        if (!*from)
                return strprintf("tcp dport %u accept " RULE_COMMENT, port);
        return strprintf("%s saddr %s tcp dport %u accept " RULE_COMMENT, o->from.family == AF_INET ? "ip" : "ip6",
                         from, port);
}

static const char *fault_id(const struct nft_chain_verdict *v) {
        if (v->owner != NFT_OWNER_NONE)
                return "firewall.nft.foreign-table";
        if (v->verdict == NFT_VERDICT_UNKNOWN)
                return "firewall.nft.unknown";
        if (v->by_policy)
                return "firewall.nft.policy-drop";
        return v->verdict == NFT_VERDICT_REJECTED ? "firewall.nft.reject" : "firewall.nft.drop";
}

static int foreign_advice(struct fault *x, const struct nft_chain_verdict *v) {
        switch (v->owner) {
        case NFT_OWNER_IPTABLES:
                if (v->by_policy)
                        return fault_set_advice(x, "with %s: '%s -A %s -p tcp --dport %u -j ACCEPT'", "iptables",
                                                v->nfproto == 2 ? "iptables" : "ip6tables", v->rule_chain, v->port);
                return fault_set_advice(x, "with iptables: '%s -I %s %u -p tcp --dport %u -j ACCEPT' (then save it, e.g. 'netfilter-persistent save')",
                                        v->nfproto == 2 ? "iptables" : "ip6tables", v->rule_chain, v->index, v->port);
        case NFT_OWNER_UFW:
                return fault_set_advice(x, "with ufw: 'ufw insert 1 allow %u/tcp'", v->port);
        case NFT_OWNER_FIREWALLD:
                return fault_set_advice(x, "with firewalld: 'firewall-cmd --permanent --add-port=%u/tcp && firewall-cmd --reload'",
                                        v->port);
        case NFT_OWNER_FAIL2BAN:
                return fault_set_advice(x, "with fail2ban: 'fail2ban-client unban --all' (or unban the one address)");
        default:
                return fault_set_advice(x, "the program that owns table %s %s must change it", v->family, v->table);
        }
}

static struct fault *find_or_add(struct plan *p, const struct nft_chain_verdict *v, const char *key, bool *ret_new) {
        const char *id = fault_id(v);
        struct fault *x;

        for (size_t i = 0; i < p->n_faults; i++)
                if (streq(p->faults[i].id, id) && p->faults[i].evidence && streq(p->faults[i].evidence[0], key)) {
                        *ret_new = false;
                        return &p->faults[i];
                }
        *ret_new = true;
        /* Another frontend's table: its own backend repairs it (so this is only a warning, it
         * must not turn that repair's success into "needs a person"); never edited here. */
        if (v->owner != NFT_OWNER_NONE)
                x = plan_add_fault(p, id, SEVERITY_WARNING, REMEDY_NEEDS_PERSON,
                                   "nftables: %s's table %s %s %s SSH; left to %s", nft_owner_to_string(v->owner),
                                   v->family, v->table,
                                   v->verdict == NFT_VERDICT_REJECTED ? "rejects"
                                   : v->verdict == NFT_VERDICT_UNKNOWN ? "may block" : "drops",
                                   nft_owner_to_string(v->owner));
        else if (v->verdict == NFT_VERDICT_UNKNOWN)
                x = plan_add_fault(p, id, SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                   "nftables: cannot tell what %s %s %s does with SSH", v->family, v->table, v->chain);
        else if (v->by_policy)
                x = plan_add_fault(p, id, SEVERITY_ERROR, REMEDY_AUTO, "nftables: chain %s %s %s drops SSH by its policy",
                                   v->family, v->table, v->chain);
        else
                x = plan_add_fault(p, id, SEVERITY_ERROR, REMEDY_AUTO, "nftables: a rule in %s %s %s %s SSH", v->family,
                                   v->table, v->rule_chain, v->verdict == NFT_VERDICT_REJECTED ? "rejects" : "drops");
        if (x && fault_add_evidence(x, "%s", key) < 0)
                return NULL;
        return x;
}

struct persist {
        char **args;     /* edit=... */
        char **sed;      /* -e '...' */
        char **problems;
};

static char *escape_indent(const char *indent) {
        char buf[256];
        size_t n = 0;

        for (const char *c = indent ? indent : ""; *c && n + 3 < sizeof buf; c++) {
                if (*c == '\t') {
                        buf[n++] = '\\';
                        buf[n++] = 't';
                } else
                        buf[n++] = *c;
        }
        buf[n] = 0;
        return strdup(buf);
}

/* The same change in the boot-time file, as edits by original line number. */
static int persist_edit(const struct nft_facts *n, const struct nft_chain_verdict *v, const char *op,
                        const char *text, struct persist *ps) {
        const struct nft_conf *c = &n->conf;
        const struct nft_conf_chain *cc = NULL;
        _cleanup_free_ char *ind = NULL;
        unsigned line;

        if (!c->path)
                return 0;
        for (size_t i = 0; i < c->n_chains; i++)
                if (streq(c->chains[i].family, v->family) && streq(c->chains[i].table, v->table) &&
                    streq(c->chains[i].chain, v->rule_chain))
                        cc = &c->chains[i];
        if (c->problem)
                return strv_extendf(&ps->problems, "%s: %s", c->path, c->problem);
        if (!cc)
                return strv_extendf(&ps->problems, "%s does not define chain %s %s %s", c->path, v->family, v->table,
                                    v->rule_chain);
        if (!cc->editable)
                return strv_extendf(&ps->problems, "%s: chain %s %s %s is not written one rule per line", c->path,
                                    v->family, v->table, v->rule_chain);
        if (cc->n_rules != v->chain_rules)
                return strv_extendf(&ps->problems, "%s: chain %s has %zu rules there, %zu in the kernel", c->path,
                                    v->rule_chain, cc->n_rules, v->chain_rules);
        if (streq(op, "add-rule"))
                line = cc->close_line;
        else if (v->index >= 1 && v->index <= cc->n_rules)
                line = cc->rule_lines[v->index - 1];
        else
                return strv_extendf(&ps->problems, "%s: rule %u not found", c->path, v->index);
        if (streq(op, "delete-rule")) {
                if (strv_extendf(&ps->args, "edit=del:%u", line) < 0 || strv_extendf(&ps->sed, "-e '%ud'", line) < 0)
                        return -ENOMEM;
                return 0;
        }
        ind = escape_indent(cc->indent);
        if (!ind || strv_extendf(&ps->args, "edit=before:%u:%s%s", line, cc->indent ? cc->indent : "\t", text) < 0 ||
            strv_extendf(&ps->sed, "-e '%ui\\%s%s'", line, ind, text) < 0)
                return -ENOMEM;
        return 0;
}

static int add_rule_step(struct plan *p, const struct nft_facts *n, const struct options *o, const char *fid,
                         const struct nft_chain_verdict *v, const char *op, struct persist *ps) {
        _cleanup_free_ char *text = NULL, *cmd = NULL, *undo = NULL, *desc = NULL, *from = NULL;
        const char *chain = streq(op, "add-rule") ? v->chain : v->rule_chain;
        char ***args;
        int r;

        if (n->offline) {
                /* --root: the facts are the tree's file; the file is all there is to change */
                text = streq(op, "delete-rule") ? strdup(strna(v->text)) : accept_text(o, v->port);
                return text ? persist_edit(n, v, op, text, ps) : -ENOMEM;
        }

        if (streq(op, "delete-rule")) {
                text = strdup(v->text);
                cmd = strprintf("nft delete rule %s %s %s handle %llu", v->family, v->table, chain,
                                (unsigned long long) v->handle);
                undo = v->next_handle ? strprintf("nft insert rule %s %s %s position %llu %s", v->family, v->table, chain,
                                                  (unsigned long long) v->next_handle, v->text)
                                      : strprintf("nft add rule %s %s %s %s", v->family, v->table, chain, v->text);
                desc = strprintf("Delete rule %u of %s %s %s ('%s'): it blocks only the SSH port", v->index, v->family,
                                 v->table, chain, v->text);
        } else {
                text = accept_text(o, v->port);
                if (!text)
                        return -ENOMEM;
                if (streq(op, "insert-rule")) {
                        cmd = strprintf("nft insert rule %s %s %s position %llu %s", v->family, v->table, chain,
                                        (unsigned long long) v->handle, text);
                        desc = strprintf("Allow TCP port %u directly before rule %u of %s %s %s ('%s'), which blocks more than SSH",
                                         v->port, v->index, v->family, v->table, chain, v->text);
                } else {
                        cmd = strprintf("nft add rule %s %s %s %s", v->family, v->table, chain, text);
                        desc = strprintf("Allow TCP port %u at the end of %s %s %s, before its drop policy", v->port,
                                         v->family, v->table, chain);
                }
                undo = strprintf("nft delete rule %s %s %s handle H (H: the rule with " RULE_COMMENT ", see 'nft -a list chain %s %s %s')",
                                 v->family, v->table, chain, v->family, v->table, chain);
        }
        if (!text || !cmd || !undo || !desc)
                return -ENOMEM;
        r = plan_add_step(p, fid, "nftables", op, NULL, desc, cmd, undo);
        if (r < 0)
                return r;
        args = &p->steps[p->n_steps - 1].args;
        from = from_text(o);
        if (!from || strv_extendf(args, "family=%s", v->family) < 0 || strv_extendf(args, "table=%s", v->table) < 0 ||
            strv_extendf(args, "chain=%s", chain) < 0 || strv_extendf(args, "genid=%u", n->genid) < 0)
                return -ENOMEM;
        if (streq(op, "delete-rule") && strv_extendf(args, "handle=%llu", (unsigned long long) v->handle) < 0)
                return -ENOMEM;
        if (streq(op, "insert-rule") && strv_extendf(args, "position=%llu", (unsigned long long) v->handle) < 0)
                return -ENOMEM;
        if (!streq(op, "delete-rule") &&
            (strv_extendf(args, "port=%u", v->port) < 0 || (*from && strv_extendf(args, "from=%s", from) < 0)))
                return -ENOMEM;
        return persist_edit(n, v, op, text, ps);
}

int plan_nft(const struct facts *f, const struct options *o, struct plan *p) {
        const struct nft_facts *n = &f->nft;
        _cleanup_strv_free_ char **done = NULL;
        struct persist ps = {};
        const char *last_fid = NULL;
        int r = 0;

        if (!n->known)
                return 0;
        for (size_t i = 0; i < n->n_verdicts && r >= 0; i++) {
                const struct nft_chain_verdict *v = &n->verdicts[i];
                _cleanup_free_ char *key = NULL, *step_key = NULL;
                const char *op;
                struct fault *x;
                bool is_new;

                if (v->verdict == NFT_VERDICT_ACCEPTED)
                        continue;
                key = v->by_policy ? strprintf("%s %s %s: policy drop", v->family, v->table, v->chain)
                                   : strprintf("%s %s %s: rule %u (handle %llu) '%s'", v->family, v->table, v->rule_chain,
                                               v->index, (unsigned long long) v->handle, strna(v->text));
                if (!key)
                        return -ENOMEM;
                x = find_or_add(p, v, key, &is_new);
                if (!x)
                        return -ENOMEM;
                r = fault_add_evidence(x, "an %s SYN to port %u is %s there (base chain %s %s %s, hook %s, priority %d)",
                                       nfproto_name(v->nfproto), v->port, nft_verdict_to_string(v->verdict), v->family,
                                       v->table, v->chain, v->hook, v->priority);
                if (r >= 0 && v->unknown)
                        r = fault_add_evidence(x, "not understood: %s", v->unknown);
                for (char **note = v->notes; r >= 0 && note && *note; note++)
                        r = fault_add_evidence(x, "%s", *note);
                if (r < 0)
                        return r;
                if (v->owner != NFT_OWNER_NONE) {
                        if (is_new)
                                r = foreign_advice(x, v);
                        continue;
                }
                if (v->verdict == NFT_VERDICT_UNKNOWN) {
                        if (is_new)
                                r = fault_set_advice(x, "look at the rule ('nft -a list chain %s %s %s') and allow TCP port %u yourself if it blocks it",
                                                     v->family, v->table, v->rule_chain, v->port);
                        continue;
                }
                op = v->by_policy ? "add-rule" : v->only_port ? "delete-rule" : "insert-rule";
                step_key = strprintf("%s %s %s %s %llu %u", op, v->family, v->table, v->by_policy ? v->chain : v->rule_chain,
                                     (unsigned long long) v->handle, streq(op, "delete-rule") ? 0 : v->port);
                if (!step_key)
                        return -ENOMEM;
                if (strv_contains(done, step_key))
                        continue;
                r = strv_extend(&done, step_key);
                if (r >= 0)
                        r = add_rule_step(p, n, o, x->id, v, op, &ps);
                last_fid = x->id;
        }
        if (r >= 0 && last_fid && n->conf.path) {
                if (ps.problems) {
                        struct fault *x = plan_add_fault(p, "firewall.nft.not-persisted", SEVERITY_WARNING, REMEDY_NEEDS_PERSON,
                                                         "nftables: the change is not made in %s, which %s loads at boot",
                                                         n->conf.path, strna(n->conf.loaded_by));
                        r = x ? 0 : -ENOMEM;
                        for (char **e = ps.problems; r >= 0 && *e; e++)
                                r = fault_add_evidence(x, "%s", *e);
                        if (r >= 0)
                                r = fault_set_advice(x, "make the same change in %s by hand, or the block returns at the next boot",
                                                     n->conf.path);
                } else if (ps.args) {
                        _cleanup_free_ char *sed = NULL, *desc = NULL, *joined = NULL, *shown = NULL;
                        size_t len = 0;

                        for (char **s = ps.sed; s && *s; s++)
                                len += strlen(*s) + 1;
                        joined = calloc(1, len + 1);
                        for (char **s = ps.sed; joined && s && *s; s++) {
                                strcat(joined, *s);
                                strcat(joined, " ");
                        }
                        shown = options_path(o, n->conf.path);
                        sed = joined && shown ? strprintf("sed -i %s%s", joined, shown) : NULL;
                        desc = n->offline ? strprintf("Make the change in %s, which %s loads at boot", shown ? shown : "",
                                                      strna(n->conf.loaded_by))
                                          : strprintf("Make the same change in %s, which %s loads at boot", n->conf.path,
                                                      strna(n->conf.loaded_by));
                        if (!sed || !desc)
                                r = -ENOMEM;
                        else
                                r = plan_add_step(p, last_fid, "nftables", "persist", NULL, desc, sed, NULL);
                        if (r >= 0) {
                                char ***args = &p->steps[p->n_steps - 1].args;
                                r = strv_extendf(args, "path=%s", n->conf.path);
                                if (r >= 0)
                                        r = strv_extendf(args, "sum=%s", n->conf.checksum);
                                for (char **a = ps.args; r >= 0 && *a; a++)
                                        r = strv_extend(args, *a);
                        }
                }
        }
        if (r >= 0 && n->offline && last_fid) {
                bool persisted = false;

                for (size_t i = 0; i < p->n_steps; i++)
                        persisted = persisted || (streq(p->steps[i].backend, "nftables") && streq(p->steps[i].operation, "persist"));
                /* Offline nothing but the file can change: without its edit, a person must. */
                for (size_t i = 0; !persisted && i < p->n_faults; i++)
                        if (strncmp(p->faults[i].id, "firewall.nft.", 13) == 0 && p->faults[i].remedy == REMEDY_AUTO)
                                p->faults[i].remedy = REMEDY_NEEDS_PERSON;
        }
        strv_free(ps.args);
        strv_free(ps.sed);
        strv_free(ps.problems);
        return r < 0 ? r : 0;
}
