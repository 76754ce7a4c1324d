/* Policy for firewalld: in the zone of each external interface, allow service ssh (port 22)
 * or port P/tcp, at runtime and permanently; remove a rich rule that rejects that port
 * alone. Never stops firewalld, never touches its nftables table. When firewalld is enabled
 * but not running, or in a tree (--root DIR), its permanent configuration decides at its
 * next start: the zone file gets the element, on a copy in /etc/firewalld/zones of the
 * packaged zone where there is none yet, as firewalld itself makes it. */

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

static int zone_evidence(struct fault *x, const struct firewalld_zone *z) {
        _cleanup_free_ char *ifs = NULL;

        for (char **i = z->interfaces; i && *i; i++) {
                char *n = strprintf("%s%s%s", ifs ?: "", ifs ? ", " : "", *i);
                if (!n)
                        return -ENOMEM;
                free(ifs);
                ifs = n;
        }
        if (z->file)
                return fault_add_evidence(x, "default zone %s, target %s, from %s", z->name, strna(z->target), z->file);
        if (!ifs)
                return fault_add_evidence(x, "default zone %s, target %s", z->name, strna(z->target));
        return fault_add_evidence(x, "interface%s %s %s in zone %s, target %s", strchr(ifs, ',') ? "s" : "", ifs,
                                  strchr(ifs, ',') ? "are" : "is", z->name, strna(z->target));
}

static int plan_port(const struct firewalld_zone *z, const struct options *o, struct plan *p,
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
                           z->name, fp->port, fw_verdict_to_string(blocked_now ? fp->runtime : fp->permanent));
        if (!x)
                return -ENOMEM;
        r = zone_evidence(x, z);
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
                                           "allow: change it by hand ('firewall-cmd --zone=%s --list-rich-rules')", z->name);

        for (char **b = fp->runtime_blocking; r >= 0 && b && *b; b++)
                r = add_step(p, id, "remove", z->name, false, "rich-rule", *b, "rich-rule");
        for (char **b = fp->permanent_blocking; r >= 0 && b && *b; b++)
                r = add_step(p, id, "remove", z->name, true, "rich-rule", *b, "rich-rule");
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
        bool target_accepts = streq_ptr(z->target, "ACCEPT");
        if (!fp->runtime_allowed && !target_accepts)
                r = rich ? add_step(p, id, "add", z->name, false, "rich-rule", rich, "rich-rule")
                  : value ? add_step(p, id, "add", z->name, false, "port", value, "port")
                          : add_step(p, id, "add", z->name, false, "service", "ssh", "service");
        if (r >= 0 && !fp->permanent_allowed && !target_accepts)
                r = rich ? add_step(p, id, "add", z->name, true, "rich-rule", rich, "rich-rule")
                  : value ? add_step(p, id, "add", z->name, true, "port", value, "port")
                          : add_step(p, id, "add", z->name, true, "service", "ssh", "service");
        return r;
}

/* The element firewalld writes for what opens the port: <service name="ssh"/>,
 * <port port="P" protocol="tcp"/>, or a rich rule for --from. */
static char *zone_element(const struct options *o, uint16_t port) {
        _cleanup_free_ char *from = plan_from_string(o);

        if (from)
                return strprintf("<rule family=\"%s\"><source address=\"%s\"/><port port=\"%u\" protocol=\"tcp\"/>"
                                 "<accept/></rule>",
                                 o->from.family == AF_INET6 ? "ipv6" : "ipv4", from, port);
        if (port == 22)
                return strdup("<service name=\"ssh\"/>");
        return strprintf("<port port=\"%u\" protocol=\"tcp\"/>", port);
}

/* firewalld stopped (live: it filters nothing now) or in a tree: the zone file decides at its
 * next start. */
static int plan_zone_file(const struct firewalld_facts *d, const struct firewalld_zone *z, const struct options *o,
                          struct plan *p, const struct firewalld_port *fp, bool *edited) {
        bool offline = options_offline(o);
        _cleanup_free_ char *element = NULL, *dest = NULL, *dest_shown = NULL, *src_shown = NULL, *cmd = NULL,
                            *undo = NULL, *desc = NULL, *esc = NULL;
        const char *id = fp->permanent_blocking ? "firewall.firewalld.rich-reject" : "firewall.firewalld.not-allowed";
        bool fixable = !fp->permanent_blocking && z->editable && d->writable;
        struct fault *x;
        int r;

        if (fp->permanent == FW_VERDICT_ACCEPTED)
                return 0;
        x = offline ? plan_add_fault(p, id, SEVERITY_ERROR, fixable ? REMEDY_AUTO : REMEDY_NEEDS_PERSON,
                                     "firewalld zone %s: when the tree boots, a TCP SYN to port %u is %s", z->name,
                                     fp->port, fw_verdict_to_string(fp->permanent))
                    : plan_add_fault(p, id, SEVERITY_WARNING, fixable ? REMEDY_AUTO : REMEDY_NEEDS_PERSON,
                                     "firewalld is enabled but not running: when it starts, a TCP SYN to port %u in "
                                     "zone %s is %s",
                                     fp->port, z->name, fw_verdict_to_string(fp->permanent));
        if (!x)
                return -ENOMEM;
        r = zone_evidence(x, z);
        if (r >= 0 && !fp->permanent_allowed)
                r = fault_add_evidence(x, "permanent: %s", fp->port == 22 ? "no service ssh, no port 22/tcp" : "no such port");
        for (char **b = fp->permanent_blocking; r >= 0 && b && *b; b++)
                r = fault_add_evidence(x, "permanent rich rule: %s", *b);
        for (char **n = fp->notes; r >= 0 && n && *n; n++)
                r = fault_add_evidence(x, "not deciding for every client: %s", *n);
        if (r < 0)
                return -ENOMEM;
        if (fp->permanent_blocking)
                return fault_set_advice(x, "a rich rule in %s blocks it, and firewalld applies it before any allow: "
                                           "remove it by hand (firewall-offline-cmd --zone=%s --list-rich-rules)",
                                        z->file, z->name);
        if (!z->editable)
                return fault_set_advice(x, "%s has no '</zone>' line to add to: 'firewall-offline-cmd --zone=%s "
                                           "--add-service=ssh' (on the booted system)", z->file, z->name);
        if (!d->writable)
                return fault_set_advice(x, "/etc/firewalld/zones is not writable, so nothing was changed");
        if (streq_ptr(z->target, "ACCEPT"))
                return 0;

        element = zone_element(o, fp->port);
        dest = strprintf("/etc/firewalld/zones/%s.xml", z->name);
        if (!element || !dest)
                return -ENOMEM;
        dest_shown = options_path(o, dest);
        src_shown = options_path(o, z->file);
        /* sed's i text: the backslash keeps the indent; an element has no quote or backslash */
        esc = strdup(element);
        if (!dest_shown || !src_shown || !esc)
                return -ENOMEM;
        if (z->builtin && !*edited)
                cmd = strprintf("install -D -m 0644 %s %s && sed -i '/^<\\/zone>$/i \\  %s' %s", src_shown, dest_shown, esc,
                                dest_shown);
        else
                cmd = strprintf("sed -i '/^<\\/zone>$/i \\  %s' %s", esc, dest_shown);
        undo = z->builtin && !*edited ? strprintf("rm %s", dest_shown)
                                      : offline ? strprintf("sshrepair --root %s rollback (restores %s byte for byte)",
                                                            o->root, dest_shown)
                                                : strprintf("sshrepair rollback (restores %s byte for byte)", dest_shown);
        desc = strprintf("Add %s to firewalld zone %s in %s%s: its permanent configuration, used when firewalld "
                         "starts",
                         element, z->name, dest_shown, z->builtin && !*edited ? " (a copy of the packaged zone)" : "");
        if (!cmd || !undo || !desc)
                return -ENOMEM;
        r = plan_add_step(p, id, "firewalld", "zone-file-add", dest, desc, cmd, undo);
        if (r >= 0)
                r = plan_step_arg(p, z->builtin ? z->file : dest);
        if (r >= 0)
                r = plan_step_arg(p, element);
        *edited = true;
        return r;
}

int plan_firewalld(const struct facts *f, const struct options *o, struct plan *p) {
        const struct firewalld_facts *d = &f->fw.firewalld;
        int r;

        if (!d->installed)
                return 0;
        if (!d->running && !d->enabled)
                return 0;
        if (!d->running && !d->from_files) {
                /* its permanent configuration decides at the next boot, and could not be read */
                struct fault *x = plan_add_fault(p, "firewall.firewalld.not-running", SEVERITY_INFO, REMEDY_NEEDS_PERSON,
                                                 "firewalld is enabled but not running: its permanent configuration "
                                                 "decides at the next boot");
                if (!x || fault_add_evidence(x, "%s; its zone files could not be read",
                                             options_offline(o) ? "offline: no firewalld runs here"
                                                                : "org.fedoraproject.FirewallD1 is not on the system bus") < 0 ||
                    fault_set_advice(x, "check that it allows SSH before rebooting: 'firewall-offline-cmd --list-all'") < 0)
                        return -ENOMEM;
                return 0;
        }
        for (size_t k = 0; k < d->n_zones; k++) {
                const struct firewalld_zone *z = &d->zones[k];
                bool edited = false;

                for (size_t i = 0; i < z->n_ports; i++) {
                        r = d->from_files ? plan_zone_file(d, z, o, p, &z->ports[i], &edited)
                                          : plan_port(z, o, p, &z->ports[i]);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}
