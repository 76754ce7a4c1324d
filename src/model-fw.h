#pragma once

/* Facts about the firewall frontends: iptables (legacy and nft), ufw, firewalld, fail2ban
 * (filled by their backends, read by plans/firewall-frontends.c). */

#include <stdbool.h>

struct fw_facts {
        bool known;
};

void fw_facts_done(struct fw_facts *f);
