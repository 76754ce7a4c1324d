/* Policy for the firewall frontends: iptables (legacy and nft), ufw, firewalld, fail2ban. */

#include "plans.h"

int plan_frontends(const struct facts *f, const struct options *o, struct plan *p) {
        return 0;
}
