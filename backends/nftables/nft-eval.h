#pragma once

/* Packet-path evaluation: what the ruleset does with a class of TCP SYNs (one family, one
 * destination port or "every other port", sources in an address range, arriving on one of
 * the external interfaces). Values the class leaves open (source port, TTL, which local
 * address) are intervals; a condition is TRUE when every SYN of the class meets it, FALSE
 * when none does, PARTIAL when some do, UNKNOWN when the evaluator cannot tell. */

#include "nft-ruleset.h"

enum nft_match {
        NFT_MATCH_FALSE,
        NFT_MATCH_PARTIAL,
        NFT_MATCH_UNKNOWN,
        NFT_MATCH_TRUE,
};

struct nft_iface {
        uint32_t index;
        char name[16];
};

struct nft_packet {
        int nfproto;                  /* NFPROTO_IPV4 or NFPROTO_IPV6 */
        uint16_t port;                /* the destination port ... */
        const uint16_t *not_ports;    /* ... or, when n_not_ports > 0, any port but these */
        size_t n_not_ports;
        uint8_t saddr_lo[16], saddr_hi[16]; /* the sources (network byte order, inclusive) */
        const uint8_t (*daddrs)[16];  /* this host's external addresses of the family; none: any */
        size_t n_daddrs;
        const struct nft_iface *ifaces; /* external interfaces; none: any */
        size_t n_ifaces;
};

/* Sets the source range from a prefix; prefixlen 0 = every source. */
void nft_packet_set_source(struct nft_packet *p, const void *addr, unsigned prefixlen);

struct nft_rule_ref {
        size_t chain, rule;
};

#define NFT_EVAL_MAX_PARTIAL 4

struct nft_eval_result {
        enum nft_verdict verdict;
        bool by_policy;
        size_t chain, rule;      /* the deciding rule (or the base chain, by_policy) */
        const char *unknown;     /* why the verdict is unknown (static or arena string) */
        struct nft_rule_ref partial[NFT_EVAL_MAX_PARTIAL]; /* rules that decide for some SYNs only */
        size_t n_partial;
};

/* Base chains that see the SYN of p's family, in the order the kernel runs them. *ret is
 * malloc'd (caller frees). */
int nft_syn_path(const struct nft_ruleset *rs, const struct nft_packet *p, size_t **ret, size_t *ret_n);

/* Runs base chain 'chain' as if the SYN reached it, skipping the rules listed in 'skip'
 * (rules a plan would delete). Returns < 0 on allocation failure only. */
int nft_eval_base_chain(struct nft_ruleset *rs, const struct nft_packet *p, size_t chain,
                        const struct nft_rule_ref *skip, size_t n_skip, struct nft_eval_result *ret);

/* Whether the conditions of one rule hold for the class (its verdict aside). */
enum nft_match nft_eval_rule_match(struct nft_ruleset *rs, const struct nft_packet *p, size_t chain, size_t rule);
