/* Policy for firewalld: in the zone of the external interface, allow service ssh (port 22)
 * or port P/tcp, at runtime and permanently; remove a rich rule that rejects that port
 * alone. Never stops firewalld, never touches its nftables table. */

#include <stdio.h>
#include <string.h>

#include "firewall.h"
#include "util/strv.h"

static int add_step(struct plan *p, const char *fault_id, const char *op, const char *zone, bool permanent,
                    const char *kind, const char *value, const char *cmd_arg) {
        _cleanup_free_ char *cmd = NULL, *undo = NULL, *desc = NULL;
        const char *opposite = streq(op, "add") ? "remove" : "add";
        int r;

        /* a rich rule has spaces and double quotes: single-quote it for the shell */
        const char *q = strpbrk(value, " \"") ? "'" : "";
        cmd = strprintf("firewall-cmd%s --zone=%s --%s-%s=%s%s%s", permanent ? " --permanent" : "", zone, op, cmd_arg, q,
                        value, q);
        undo = strprintf("firewall-cmd%s --zone=%s --%s-%s=%s%s%s", permanent ? " --permanent" : "", zone, opposite,
                         cmd_arg, q, value, q);
        desc = strprintf("%s %s %s in firewalld zone %s (%s)", streq(op, "add") ? "Allow" : "Remove",
                         streq(kind, "rich-rule") ? "the rich rule" : kind, value, zone,
                         permanent ? "permanent: after reloads and reboots" : "runtime: now");
        if (!cmd || !undo || !desc)
                return -ENOMEM;
        r = plan_add_step(p, fault_id, "firewalld", op, zone, desc, cmd, undo);
        if (r >= 0)
                r = plan_step_arg(p, permanent ? "permanent" : "runtime");
        if (r >= 0)
                r = plan_step_arg(p, kind);
        if (r >= 0)
                r = plan_step_arg(p, value);
        return r;
}

static int plan_port(const struct firewalld_facts *d, const struct options *o, struct plan *p,
                     const struct firewalld_port *fp) {
        _cleanup_free_ char *from = plan_from_string(o), *value = NULL, *rich = NULL;
        bool blocked_now = fp->runtime != FW_VERDICT_ACCEPTED, blocked_later = fp->permanent != FW_VERDICT_ACCEPTED;
        bool rich_block = fp->runtime_blocking || fp->permanent_blocking;
        const char *id = rich_block ? "firewall.firewalld.rich-reject" : "firewall.firewalld.not-allowed";
        struct fault *x;
        int r = 0;

        if (!blocked_now && !blocked_later)
                return 0;
        x = plan_add_fault(p, id, blocked_now ? SEVERITY_ERROR : SEVERITY_WARNING,
                           rich_block && !fp->blocking_only_port ? REMEDY_NEEDS_PERSON : REMEDY_AUTO,
                           blocked_now ? "firewalld zone %s: a TCP SYN to port %u is %s"
                                       : "firewalld zone %s: port %u is open now, but not in the permanent configuration "
                                         "(closed at the next reload or boot)",
                           d->zone, fp->port, fw_verdict_to_string(blocked_now ? fp->runtime : fp->permanent));
        if (!x)
                return -ENOMEM;
        r = fault_add_evidence(x, "interface %s is in zone %s, target %s", strna(d->interface), d->zone, strna(d->target));
        if (r >= 0 && !fp->runtime_allowed)
                r = fault_add_evidence(x, "runtime: %s", fp->port == 22 ? "no service ssh, no port 22/tcp" : "no such port");
        if (r >= 0 && !fp->permanent_allowed)
                r = fault_add_evidence(x, "permanent: %s", fp->port == 22 ? "no service ssh, no port 22/tcp" : "no such port");
        for (char **b = fp->runtime_blocking; r >= 0 && b && *b; b++)
                r = fault_add_evidence(x, "runtime rich rule: %s", *b);
        for (char **b = fp->permanent_blocking; r >= 0 && b && *b; b++)
                r = fault_add_evidence(x, "permanent rich rule: %s", *b);
        for (char **n = fp->notes; r >= 0 && n && *n; n++)
                r = fault_add_evidence(x, "not deciding for every client: %s", *n);
        if (r < 0)
                return -ENOMEM;
        if (rich_block && !fp->blocking_only_port)
                return fault_set_advice(x, "a rich rule blocks more than this port, and firewalld applies it before any "
                                           "allow: change it by hand ('firewall-cmd --zone=%s --list-rich-rules')", d->zone);

        for (char **b = fp->runtime_blocking; r >= 0 && b && *b; b++)
                r = add_step(p, id, "remove", d->zone, false, "rich-rule", *b, "rich-rule");
        for (char **b = fp->permanent_blocking; r >= 0 && b && *b; b++)
                r = add_step(p, id, "remove", d->zone, true, "rich-rule", *b, "rich-rule");
        if (r < 0)
                return r;

        /* what opens it: service ssh for 22, the port otherwise, a rich rule for --from */
        if (from) {
                rich = strprintf("rule family=\"%s\" source address=\"%s\" port port=\"%u\" protocol=\"tcp\" accept",
                                 o->from.family == AF_INET6 ? "ipv6" : "ipv4", from, fp->port);
                if (!rich)
                        return -ENOMEM;
        } else if (fp->port != 22) {
                value = strprintf("%u/tcp", fp->port);
                if (!value)
                        return -ENOMEM;
        }
        bool target_accepts = streq_ptr(d->target, "ACCEPT");
        if (!fp->runtime_allowed && !target_accepts)
                r = rich ? add_step(p, id, "add", d->zone, false, "rich-rule", rich, "rich-rule")
                  : value ? add_step(p, id, "add", d->zone, false, "port", value, "port")
                          : add_step(p, id, "add", d->zone, false, "service", "ssh", "service");
        if (r >= 0 && !fp->permanent_allowed && !target_accepts)
                r = rich ? add_step(p, id, "add", d->zone, true, "rich-rule", rich, "rich-rule")
                  : value ? add_step(p, id, "add", d->zone, true, "port", value, "port")
                          : add_step(p, id, "add", d->zone, true, "service", "ssh", "service");
        return r;
}

int plan_firewalld(const struct facts *f, const struct options *o, struct plan *p) {
        const struct firewalld_facts *d = &f->fw.firewalld;

        if (!d->installed)
                return 0;
        if (!d->running) {
                /* its permanent configuration decides at the next boot */
                if (!d->enabled)
                        return 0;
                struct fault *x = plan_add_fault(p, "firewall.firewalld.not-running", SEVERITY_INFO, REMEDY_NEEDS_PERSON,
                                                 "firewalld is enabled but not running: its permanent configuration "
                                                 "decides at the next boot");
                if (!x || fault_add_evidence(x, "org.fedoraproject.FirewallD1 is not on the system bus") < 0 ||
                    fault_set_advice(x, "check that it allows SSH before rebooting: 'firewall-offline-cmd --list-all'") < 0)
                        return -ENOMEM;
                return 0;
        }
        for (size_t i = 0; i < d->n_ports; i++) {
                int r = plan_port(d, o, p, &d->ports[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}
