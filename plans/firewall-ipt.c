/* Policy for plain iptables rules (nft and legacy variants, IPv4 and IPv6), as the seed
 * does it by hand: a rule that blocks only the SSH port is deleted; a rule that blocks a
 * range or several ports stays, and an ACCEPT goes right before it; a DROP policy gets an
 * ACCEPT at the end of INPUT. Blocks in chains another frontend manages are left to it. */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "firewall.h"
#include "util/strv.h"

static const char *cmd_name(const struct ipt_table *t) {
        static const char *const names[_IPT_VARIANT_MAX][2] = {
                [IPT_VARIANT_NFT] = { "iptables-nft", "ip6tables-nft" },
                [IPT_VARIANT_LEGACY] = { "iptables-legacy", "ip6tables-legacy" },
        };

        if (t->is_default)
                return t->family == AF_INET6 ? "ip6tables" : "iptables";
        return names[t->variant][t->family == AF_INET6];
}

static const char *family_label(int family) {
        return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* Rule numbers as a person sees them after the steps before: an insert at p moves the
 * rules at p and after down one, a delete at q moves those after q up one. */
struct edit {
        const char *chain;
        unsigned index; /* in the numbering before any step; UINT_MAX: an append */
        bool insert;
        unsigned line;  /* offline: the file line deleted, or before which a line goes */
};

struct edits {
        struct edit e[64];
        size_t n;
};

static unsigned adjusted(const struct edits *ed, const char *chain, unsigned index) {
        long i = index;

        for (size_t k = 0; k < ed->n; k++) {
                if (!streq(ed->e[k].chain, chain))
                        continue;
                if (ed->e[k].insert && ed->e[k].index <= index)
                        i++;
                else if (!ed->e[k].insert && ed->e[k].index < index)
                        i--;
        }
        return (unsigned) i;
}

/* The same for lines of a rules file. */
static unsigned adjusted_line(const struct edits *ed, unsigned line) {
        long l = line;

        for (size_t k = 0; k < ed->n; k++) {
                if (ed->e[k].insert && ed->e[k].line <= line)
                        l++;
                else if (!ed->e[k].insert && ed->e[k].line < line)
                        l--;
        }
        return (unsigned) l;
}

/* 'text' in single quotes for a shell */
static char *shell_quote(const char *text) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return NULL;
        fputc('\'', f);
        for (const char *c = text; *c; c++)
                fputs(*c == '\'' ? "'\\''" : (char[]) { *c, 0 }, f);
        fputc('\'', f);
        if (fclose(f) != 0)
                return NULL;
        return TAKE_PTR(buf);
}

/* The exact edit: "sed -i '12d' FILE" or "sed -i '12i TEXT' FILE" (GNU sed: a backslash in
 * the text is doubled). */
static char *sed_command(unsigned line, const char *insert, const char *path) {
        _cleanup_free_ char *expr = NULL, *qexpr = NULL, *qpath = NULL, *esc = NULL;

        if (!path)
                return NULL; /* an offline table always comes from a file: not reached */
        if (insert) {
                size_t n = 0;
                esc = malloc(strlen(insert) * 2 + 1);
                if (!esc)
                        return NULL;
                for (const char *c = insert; *c; c++) {
                        if (*c == '\\')
                                esc[n++] = '\\';
                        esc[n++] = *c;
                }
                esc[n] = 0;
        }
        expr = insert ? strprintf("%ui %s", line, esc) : strprintf("%ud", line);
        qexpr = expr ? shell_quote(expr) : NULL;
        qpath = strpbrk(path, " \t\"'\\$`;&|<>()*?#~") ? shell_quote(path) : strdup(path);
        if (!qexpr || !qpath)
                return NULL;
        return strprintf("sed -i %s %s", qexpr, qpath);
}

static bool deleted(const struct edits *ed, const char *chain, unsigned index) {
        for (size_t k = 0; k < ed->n; k++)
                if (!ed->e[k].insert && streq(ed->e[k].chain, chain) && ed->e[k].index == index)
                        return true;
        return false;
}

static int add_evidence(struct fault *x, const struct ipt_verdict *v, const struct ipt_table *t) {
        int r;

        if (v->by_policy)
                r = fault_add_evidence(x, "%s: no rule accepts it, and INPUT's policy is %s", cmd_name(t),
                                       v->rule + strlen("-P INPUT "));
        else if (t->offline)
                r = fault_add_evidence(x, "%s, rule %u of chain %s (line %u of '%s'): %s", cmd_name(t), v->index,
                                       v->chain, v->line, t->persist.path, v->rule);
        else
                r = fault_add_evidence(x, "%s, rule %u of chain %s: %s", cmd_name(t), v->index, v->chain, v->rule);
        for (char **n = v->notes; r >= 0 && n && *n; n++)
                r = fault_add_evidence(x, "not deciding for every client: %s", *n);
        return r;
}

static int spec_args(struct plan *p, char *const *spec) {
        for (char *const *a = spec; a && *a; a++)
                if (plan_step_arg(p, *a) < 0)
                        return -ENOMEM;
        return 0;
}

static char *join(char *const *spec) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return NULL;
        for (char *const *a = spec; a && *a; a++) {
                bool quote = !**a || strpbrk(*a, " \t\"'\\$`;&|<>()*?#");
                fprintf(f, "%s%s%s%s", a == spec ? "" : " ", quote ? "\"" : "", *a, quote ? "\"" : "");
        }
        if (fclose(f) != 0)
                return NULL;
        return TAKE_PTR(buf);
}

static int plan_delete(struct plan *p, const char *fault_id, const struct ipt_table *t, const struct ipt_verdict *v,
                       struct edits *ed) {
        _cleanup_free_ char *spec = join(v->spec), *idx = NULL, *cmd = NULL, *undo = NULL, *desc = NULL;
        unsigned i;
        int r;

        if (!spec)
                return -ENOMEM;
        if (deleted(ed, v->chain, v->index))
                return 0;
        i = adjusted(ed, v->chain, v->index);
        idx = strprintf("%u", i);
        if (t->offline) {
                unsigned l = adjusted_line(ed, v->line);

                cmd = sed_command(l, NULL, t->persist.path);
                undo = sed_command(l, v->rule, t->persist.path);
                desc = strprintf("Delete line %u of %s (%s rule %u of %s), which blocks only the SSH port: %s", l,
                                 t->persist.path, family_label(t->family), i, v->chain, v->rule);
        } else {
                cmd = strprintf("%s -D %s %u", cmd_name(t), v->chain, i);
                undo = strprintf("%s -I %s %u %s", cmd_name(t), v->chain, i, spec);
                desc = strprintf("Delete %s rule %u of %s, which blocks only the SSH port: %s", family_label(t->family),
                                 i, v->chain, v->rule);
        }
        if (!idx || !cmd || !undo || !desc)
                return -ENOMEM;
        r = plan_add_step(p, fault_id, "iptables", t->offline ? "file-delete-rule" : "delete-rule",
                          ipt_variant_to_string(t->variant), desc, cmd, undo);
        if (r >= 0)
                r = plan_step_arg(p, t->family == AF_INET6 ? "ipv6" : "ipv4");
        if (r >= 0 && t->offline)
                r = plan_step_arg(p, t->persist.path);
        if (r >= 0)
                r = plan_step_arg(p, v->chain);
        if (r >= 0)
                r = plan_step_arg(p, idx);
        if (r >= 0)
                r = spec_args(p, v->spec);
        if (r < 0)
                return r;
        if (ed->n < ELEMENTSOF(ed->e))
                ed->e[ed->n++] = (struct edit) { .chain = v->chain, .index = v->index, .insert = false, .line = v->line };
        return 0;
}

static int plan_insert(struct plan *p, const struct options *o, const char *fault_id, const struct ipt_table *t,
                       const struct ipt_verdict *v, struct edits *ed) {
        _cleanup_strv_free_ char **allow = NULL;
        _cleanup_free_ char *from = plan_from_string(o), *spec = NULL, *idx = NULL, *cmd = NULL, *undo = NULL,
                            *desc = NULL, *port = strprintf("%u", v->port);
        bool append = v->by_policy || v->entry == 0;
        unsigned i = 0;
        int r = 0;

        if (!port)
                return -ENOMEM;
        if (from)
                r = strv_extend(&allow, "-s") < 0 ? -ENOMEM : strv_extend(&allow, from);
        if (r >= 0)
                r = strv_extend(&allow, "-p");
        if (r >= 0)
                r = strv_extend(&allow, "tcp");
        if (r >= 0)
                r = strv_extend(&allow, "--dport");
        if (r >= 0)
                r = strv_extend(&allow, port);
        if (r >= 0)
                r = strv_extend(&allow, "-j");
        if (r >= 0)
                r = strv_extend(&allow, "ACCEPT");
        if (r < 0)
                return -ENOMEM;
        spec = join(allow);
        if (!spec)
                return -ENOMEM;
        if (!append)
                i = adjusted(ed, "INPUT", v->entry);
        idx = append ? strdup("end") : strprintf("%u", i);
        if (t->offline) {
                _cleanup_free_ char *line = strprintf("-A INPUT %s", spec);
                unsigned l = adjusted_line(ed, append ? t->input_end_line : v->entry_line);

                if (!line)
                        return -ENOMEM;
                cmd = sed_command(l, line, t->persist.path);
                undo = sed_command(l, NULL, t->persist.path);
                desc = strprintf("Insert line %u into %s (loaded at boot by %s): %s, %s", l, t->persist.path,
                                 strna(t->persist.loaded_by), line,
                                 append ? "at the end of INPUT, before its DROP policy"
                                        : v->entry == v->index && streq(v->chain, "INPUT")
                                                  ? "right before the rule that blocks it"
                                                  : "right before the INPUT rule that leads to the block");
        } else {
                cmd = append ? strprintf("%s -A INPUT %s", cmd_name(t), spec)
                             : strprintf("%s -I INPUT %u %s", cmd_name(t), i, spec);
                undo = strprintf("%s -D INPUT %s", cmd_name(t), spec);
        }
        if (!desc)
                desc = append ? strprintf("Allow TCP port %u (%s) at the end of INPUT, before its DROP policy", v->port,
                                  family_label(t->family))
                      : strprintf("Allow TCP port %u (%s) right before INPUT rule %u, which blocks it: %s", v->port,
                                  family_label(t->family), v->entry, v->entry == v->index && streq(v->chain, "INPUT")
                                                                              ? v->rule : "it jumps to the blocking rule");
        if (!idx || !cmd || !undo || !desc)
                return -ENOMEM;
        r = plan_add_step(p, fault_id, "iptables", t->offline ? "file-insert-rule" : "insert-rule",
                          ipt_variant_to_string(t->variant), desc, cmd, undo);
        if (r >= 0)
                r = plan_step_arg(p, t->family == AF_INET6 ? "ipv6" : "ipv4");
        if (r >= 0 && t->offline)
                r = plan_step_arg(p, t->persist.path);
        if (r >= 0)
                r = plan_step_arg(p, "INPUT");
        if (r >= 0)
                r = plan_step_arg(p, idx);
        if (r >= 0)
                r = spec_args(p, allow);
        if (r < 0)
                return r;
        if (ed->n < ELEMENTSOF(ed->e))
                ed->e[ed->n++] = (struct edit) {
                        .chain = "INPUT",
                        .index = append ? UINT_MAX : v->entry,
                        .insert = true,
                        .line = append ? t->input_end_line : v->entry_line,
                };
        return 0;
}

static bool owner_handles(const struct fw_facts *fw, enum fw_owner owner) {
        switch (owner) {
        case FW_OWNER_UFW:
                return fw->ufw.installed && fw->ufw.active;
        case FW_OWNER_FAIL2BAN:
                return fw->f2b.running;
        case FW_OWNER_FIREWALLD:
                return fw->firewalld.running;
        case FW_OWNER_SSHGUARD:
                return true; /* reported by the fail2ban module, which knows it has no command */
        default:
                return false;
        }
}

static int plan_table(const struct facts *f, const struct options *o, struct plan *p, const struct ipt_table *t) {
        const struct fw_facts *fw = &f->fw;
        _cleanup_free_ char *first_fault = NULL;
        struct edits ed = { .n = 0 };
        bool readonly = t->persist.path && !t->persist.writable;
        size_t steps_before = p->n_steps;
        int r;

        for (size_t i = 0; i < fw->n_ipt; i++) {
                const struct ipt_verdict *v = &fw->ipt[i];
                const char *id;
                struct fault *x;

                if (v->variant != t->variant || v->family != t->family || v->verdict == FW_VERDICT_ACCEPTED)
                        continue;
                if (v->verdict == FW_VERDICT_UNKNOWN) {
                        x = plan_add_fault(p, "firewall.iptables.unknown", SEVERITY_WARNING, REMEDY_NEEDS_PERSON,
                                           "%s %s: cannot tell whether a TCP SYN to port %u passes", cmd_name(t),
                                           family_label(t->family), v->port);
                        if (!x || fault_add_evidence(x, "rule %u of chain %s: %s", v->index, v->chain, v->rule) < 0 ||
                            fault_add_evidence(x, "%s", strna(v->unknown)) < 0 ||
                            (t->offline ? fault_set_advice(x, "check that rule by hand: line %u of '%s'", v->line,
                                                           t->persist.path)
                                        : fault_set_advice(x, "check that rule by hand: '%s -L %s -v -n --line-numbers'",
                                                           cmd_name(t), v->chain)) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (v->owner != FW_OWNER_NONE) {
                        if (owner_handles(fw, v->owner))
                                continue;
                        x = plan_add_fault(p, "firewall.iptables.foreign", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                           "%s %s: a TCP SYN to port %u is %s in a chain of %s, which is not running",
                                           cmd_name(t), family_label(t->family), v->port, fw_verdict_to_string(v->verdict),
                                           fw_owner_to_string(v->owner));
                        if (!x || add_evidence(x, v, t) < 0 ||
                            fault_set_advice(x, "fix it with %s's own tools; a raw rule would be lost at its next reload",
                                             fw_owner_to_string(v->owner)) < 0)
                                return -ENOMEM;
                        continue;
                }
                id = v->by_policy ? "firewall.iptables.policy-drop"
                   : v->verdict == FW_VERDICT_REJECTED ? "firewall.iptables.reject" : "firewall.iptables.drop";
                x = plan_add_fault(p, id, SEVERITY_ERROR, readonly ? REMEDY_NEEDS_PERSON : REMEDY_AUTO,
                                   "%s %s: a TCP SYN to port %u from outside is %s", cmd_name(t), family_label(t->family),
                                   v->port, fw_verdict_to_string(v->verdict));
                if (!x || add_evidence(x, v, t) < 0)
                        return -ENOMEM;
                if (readonly) {
                        if (fault_set_advice(x, "'%s' (loaded at boot by %s) is not writable, so nothing was changed: "
                                                "make it writable and run again", t->persist.path, t->persist.loaded_by) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (!first_fault && !(first_fault = strdup(id)))
                        return -ENOMEM;
                /* delete each block for the SSH port alone; what decides after them may
                 * still block: an ACCEPT before that */
                const struct ipt_verdict *cur = v;
                for (; cur->after; cur = cur->after) {
                        r = plan_delete(p, id, t, cur, &ed);
                        if (r < 0)
                                return r;
                        if (cur->after->verdict != FW_VERDICT_ACCEPTED &&
                            fault_add_evidence(x, "without it: %s", cur->after->rule) < 0)
                                return -ENOMEM;
                }
                if (cur->verdict == FW_VERDICT_ACCEPTED || (cur->owner != FW_OWNER_NONE && owner_handles(fw, cur->owner)))
                        continue;
                if (cur->verdict == FW_VERDICT_UNKNOWN) {
                        if (fault_add_evidence(x, "cannot tell what decides after it: %s", strna(cur->unknown)) < 0)
                                return -ENOMEM;
                        continue;
                }
                r = cur == v && !cur->by_policy && cur->only_port ? plan_delete(p, id, t, cur, &ed)
                                                                  : plan_insert(p, o, id, t, cur, &ed);
                if (r < 0)
                        return r;
        }
        if (p->n_steps == steps_before || !first_fault)
                return 0;
        if (t->offline)
                return 0; /* the file is what loads at boot: nothing to save */

        if (!t->persist.path) {
                /* the rules it repairs were not saved either: both last until the next boot */
                return 0;
        }
        if (!t->persist.in_sync) {
                struct fault *x = plan_add_fault(p, "firewall.iptables.not-persisted", SEVERITY_WARNING,
                                                 REMEDY_NEEDS_PERSON,
                                                 "%s %s: the live rules differ from '%s', so the fix is not saved there",
                                                 cmd_name(t), family_label(t->family), t->persist.path);
                if (!x || fault_add_evidence(x, "%s loads '%s' at boot", t->persist.loaded_by, t->persist.path) < 0 ||
                    fault_set_advice(x, "compare '%s-save' with '%s' and save what should survive a reboot",
                                     cmd_name(t), t->persist.path) < 0)
                        return -ENOMEM;
                return 0;
        }
        _cleanup_free_ char *cmd = strprintf("%s-save > %s", cmd_name(t), t->persist.path),
                            *undo = strprintf("restore the previous %s", t->persist.path),
                            *desc = strprintf("Save the repaired %s filter table to %s (loaded at boot by %s)",
                                              family_label(t->family), t->persist.path, t->persist.loaded_by),
                            *fid = TAKE_PTR(first_fault);
        if (!cmd || !undo || !desc)
                return -ENOMEM;
        r = plan_add_step(p, fid, "iptables", "save", ipt_variant_to_string(t->variant), desc, cmd, undo);
        if (r >= 0)
                r = plan_step_arg(p, t->family == AF_INET6 ? "ipv6" : "ipv4");
        if (r >= 0)
                r = plan_step_arg(p, t->persist.path);
        return r;
}

int plan_iptables(const struct facts *f, const struct options *o, struct plan *p) {
        for (size_t i = 0; i < ELEMENTSOF(f->fw.tables); i++) {
                const struct ipt_table *t = &f->fw.tables[i];
                int r;

                if (!t->active)
                        continue;
                r = plan_table(f, o, p, t);
                if (r < 0)
                        return r;
        }
        return 0;
}
