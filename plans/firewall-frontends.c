/* Policy for the firewall frontends: iptables (legacy and nft), ufw, firewalld, fail2ban.
 * Each frontend's blocks are fixed through that frontend: a raw rule under ufw is lost at
 * its next reload, one in firewalld's table at its next reload. */

#include <arpa/inet.h>
#include <string.h>

#include "firewall.h"
#include "util/strv.h"

char *plan_from_string(const struct options *o) {
        char a[INET6_ADDRSTRLEN];

        if (!o->from.family || !inet_ntop(o->from.family, &o->from.addr, a, sizeof a))
                return NULL;
        return strprintf("%s/%u", a, o->from.prefixlen);
}

int plan_step_arg(struct plan *p, const char *arg) {
        if (p->n_steps == 0)
                return -EINVAL;
        return strv_extend(&p->steps[p->n_steps - 1].args, arg);
}

int plan_frontends(const struct facts *f, const struct options *o, struct plan *p) {
        static int (*const modules[])(const struct facts *, const struct options *, struct plan *) = {
                plan_fail2ban, /* a ban of the client first: it decides before any allow rule */
                plan_iptables,
                plan_ufw,
                plan_firewalld,
        };

        if (!f->fw.known)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(modules); i++) {
                int r = modules[i](f, o, p);
                if (r < 0)
                        return r;
        }
        return 0;
}
