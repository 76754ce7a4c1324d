#pragma once

/* Facts about the nftables ruleset (filled by backends/nftables, read by plans/firewall-nft.c). */

#include <stdbool.h>

struct nft_facts {
        bool known; /* false: the ruleset was not read */
};

void nft_facts_done(struct nft_facts *n);
