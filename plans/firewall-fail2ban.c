/* Policy for fail2ban and sshguard bans of the client's address (--from): a ban rejects
 * with icmp-port-unreachable, which the client sees as "Connection refused". fail2ban
 * lifts it itself; sshguard has no command for that. */

#include <string.h>

#include "firewall.h"
#include "util/strv.h"

int plan_fail2ban(const struct facts *f, const struct options *o, struct plan *p) {
        const struct fail2ban_facts *b = &f->fw.f2b;

        for (size_t i = 0; i < b->n_bans; i++) {
                const struct fail2ban_ban *ban = &b->bans[i];
                _cleanup_free_ char *cmd = strprintf("fail2ban-client set %s unbanip %s", ban->jail, ban->address),
                                    *undo = strprintf("fail2ban-client set %s banip %s", ban->jail, ban->address),
                                    *desc = strprintf("Lift fail2ban's ban of %s in jail %s", ban->address, ban->jail);
                struct fault *x;

                if (!cmd || !undo || !desc)
                        return -ENOMEM;
                x = plan_add_fault(p, "firewall.fail2ban.banned", SEVERITY_ERROR, REMEDY_AUTO,
                                   "fail2ban's jail %s bans %s: its SYNs get 'Connection refused'", ban->jail, ban->address);
                if (!x || fault_add_evidence(x, "fail2ban-client status %s: Banned IP list contains %s", ban->jail,
                                             ban->address) < 0)
                        return -ENOMEM;
                for (size_t k = 0; k < f->fw.n_ipt; k++)
                        if (f->fw.ipt[k].owner == FW_OWNER_FAIL2BAN && f->fw.ipt[k].verdict != FW_VERDICT_ACCEPTED &&
                            fault_add_evidence(x, "%s", f->fw.ipt[k].rule) < 0)
                                return -ENOMEM;
                if (plan_add_step(p, "firewall.fail2ban.banned", "fail2ban", "unban", ban->jail, desc, cmd, undo) < 0 ||
                    plan_step_arg(p, ban->address) < 0)
                        return -ENOMEM;
        }

        /* a block in sshguard's chain: nothing to run for it */
        for (size_t k = 0; k < f->fw.n_ipt; k++) {
                const struct ipt_verdict *v = &f->fw.ipt[k];
                struct fault *x;

                if (v->owner != FW_OWNER_SSHGUARD || v->verdict == FW_VERDICT_ACCEPTED)
                        continue;
                x = plan_add_fault(p, "firewall.sshguard.blocked", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                   "sshguard blocks this client (chain %s)", v->chain);
                if (!x || fault_add_evidence(x, "%s", v->rule) < 0 ||
                    fault_set_advice(x, "remove the address from sshguard's blacklist file (BLACKLIST_FILE in "
                                        "/etc/sshguard/sshguard.conf) and restart sshguard") < 0)
                        return -ENOMEM;
        }
        return 0;
}
