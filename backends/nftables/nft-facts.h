#pragma once

/* From a ruleset to the facts a plan reads: for each SYN family and port, what every base
 * chain on the way does, and which rules decide. */

#include "model.h"
#include "nft-eval.h"

struct nft_host {
        const struct nft_iface *ifaces; /* external interfaces (not lo) */
        size_t n_ifaces;
        const uint8_t (*addrs4)[16];    /* their IPv4 addresses, in the first 4 bytes */
        size_t n_addrs4;
        const uint8_t (*addrs6)[16];
        size_t n_addrs6;
};

int nft_facts_from_ruleset(struct nft_ruleset *rs, const struct options *o, const struct nft_host *host,
                           struct nft_facts *ret);

/* 0 when every base chain in n accepts the SYN class; -EHOSTUNREACH with one line per chain
 * that still blocks it (or cannot be told) in *ret_details otherwise. */
int nft_verify_facts(const struct nft_facts *n, char ***ret_details);
