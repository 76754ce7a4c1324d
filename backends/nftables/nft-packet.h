#pragma once

/* The SYN class's header fields, meta and ct keys as interval values. */

#include "nft-value.h"

#define NFT_PACKET_SYN_FLAGS 0x02

/* What the rules seen so far did to the packet. */
struct nft_pkt_state {
        const struct nft_packet *p;
        struct nft_value mark;
        bool untracked;
        const char *unknown; /* the last thing the evaluator could not model */
};

void nft_packet_payload(const struct nft_pkt_state *c, uint8_t base, uint16_t off, uint8_t len, struct nft_value *ret);
void nft_packet_meta(struct nft_pkt_state *c, uint8_t key, struct nft_value *v);
void nft_packet_ct(struct nft_pkt_state *c, uint8_t key, uint8_t dir, struct nft_value *v);
void nft_packet_dport(const struct nft_pkt_state *c, struct nft_value *v);
