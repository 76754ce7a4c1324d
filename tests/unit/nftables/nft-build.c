#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>

#include "nft-build.h"

static uint64_t next_handle = 1;

static void check(int r) {
        if (r < 0) {
                fprintf(stderr, "building the test ruleset failed: %d\n", r);
                abort();
        }
}

void tb_table(struct nft_ruleset *rs, int family, const char *name) {
        struct nftnl_table *t = nftnl_table_alloc();
        if (rs->n_tables == 0)
                next_handle = 1; /* handles as a fresh kernel would give them */
        nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t) family);
        nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
        check(nft_ruleset_add_table(rs, t));
        nftnl_table_free(t);
}

static struct nftnl_chain *chain_obj(int family, const char *table, const char *name) {
        struct nftnl_chain *c = nftnl_chain_alloc();
        nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, (uint32_t) family);
        nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
        nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
        nftnl_chain_set_u64(c, NFTNL_CHAIN_HANDLE, next_handle++);
        return c;
}

void tb_base_chain(struct nft_ruleset *rs, int family, const char *table, const char *name, uint32_t hook,
                   int32_t prio, uint32_t policy) {
        struct nftnl_chain *c = chain_obj(family, table, name);
        nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
        nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
        nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, policy);
        nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
        check(nft_ruleset_add_chain(rs, c));
        nftnl_chain_free(c);
}

void tb_chain(struct nft_ruleset *rs, int family, const char *table, const char *name) {
        struct nftnl_chain *c = chain_obj(family, table, name);
        check(nft_ruleset_add_chain(rs, c));
        nftnl_chain_free(c);
}

static void parse_key(const char *s, uint32_t key_len, uint8_t *lo, uint8_t *hi) {
        memset(lo, 0, 16);
        memset(hi, 0, 16);
        if (key_len == 4 && strchr(s, '.')) {
                char a[32];
                unsigned plen = 32;
                const char *slash = strchr(s, '/');
                snprintf(a, sizeof a, "%.*s", slash ? (int) (slash - s) : (int) strlen(s), s);
                if (slash)
                        plen = (unsigned) atoi(slash + 1);
                inet_pton(AF_INET, a, lo);
                memcpy(hi, lo, 4);
                for (unsigned b = plen; b < 32; b++)
                        hi[b / 8] |= (uint8_t) (0x80 >> (b % 8));
                return;
        }
        unsigned a = (unsigned) atoi(s), b = a;
        const char *dash = strchr(s, '-');
        if (dash)
                b = (unsigned) atoi(dash + 1);
        lo[0] = (uint8_t) (a >> 8), lo[1] = (uint8_t) a;
        hi[0] = (uint8_t) (b >> 8), hi[1] = (uint8_t) b;
}

void tb_set(struct nft_ruleset *rs, int family, const char *table, const char *name, uint32_t flags,
            uint32_t key_len, const char *const *elems) {
        struct nftnl_set *s = nftnl_set_alloc();
        ssize_t idx;

        nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t) family);
        nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
        nftnl_set_set_str(s, NFTNL_SET_NAME, name);
        nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
        nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len);
        check(nft_ruleset_add_set(rs, s));
        idx = (ssize_t) rs->n_sets - 1;
        /* interval sets the way the kernel's rbtree dumps them: start, and end (exclusive) */
        for (const char *const *e = elems; e && *e; e++) {
                uint8_t lo[16], hi[16];
                struct nftnl_set_elem *el = nftnl_set_elem_alloc();
                parse_key(*e, key_len, lo, hi);
                nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, lo, key_len);
                nftnl_set_elem_add(s, el);
                if (flags & NFT_SET_INTERVAL) {
                        /* end marker = hi + 1 */
                        for (int i = (int) key_len - 1; i >= 0; i--)
                                if (++hi[i] != 0)
                                        break;
                        el = nftnl_set_elem_alloc();
                        nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, hi, key_len);
                        nftnl_set_elem_set_u32(el, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
                        nftnl_set_elem_add(s, el);
                }
        }
        check(nft_ruleset_add_elems(rs, (size_t) idx, s));
        check(nft_ruleset_finish_set(rs, (size_t) idx));
        nftnl_set_free(s);
}

void tb_index(struct nft_ruleset *rs) {
        check(nft_ruleset_index(rs));
}

static void add(struct nftnl_rule *r, struct nftnl_expr *e) {
        nftnl_rule_add_expr(r, e);
}

static void meta(struct nftnl_rule *r, uint32_t key) {
        struct nftnl_expr *e = nftnl_expr_alloc("meta");
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
        add(r, e);
}

static void cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len) {
        struct nftnl_expr *e = nftnl_expr_alloc("cmp");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
        add(r, e);
}

static void payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len) {
        struct nftnl_expr *e = nftnl_expr_alloc("payload");
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
        add(r, e);
}

static void bitwise(struct nftnl_rule *r, const void *mask, uint32_t len) {
        uint8_t zero[16] = {};
        struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
        add(r, e);
}

static void verdict(struct nftnl_rule *r, int32_t v, const char *chain) {
        struct nftnl_expr *e = nftnl_expr_alloc("immediate");
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t) v);
        if (chain)
                nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
        add(r, e);
}

void tb_rule(struct nft_ruleset *rs, int family, const char *table, const char *chain, const char *spec) {
        struct nftnl_rule *r = nftnl_rule_alloc();
        char *copy = strdup(spec), *save = NULL;

        nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t) family);
        nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
        nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
        nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, next_handle++);
        for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                if (strcmp(t, "tcp") == 0) {
                        uint8_t p = IPPROTO_TCP;
                        meta(r, NFT_META_L4PROTO);
                        cmp(r, NFT_CMP_EQ, &p, 1);
                } else if (strncmp(t, "dportrange=", 11) == 0) {
                        uint8_t lo[16], hi[16];
                        struct nftnl_expr *e = nftnl_expr_alloc("range");
                        parse_key(t + 11, 2, lo, hi);
                        payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
                        nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
                        nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, NFT_RANGE_EQ);
                        nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, lo, 2);
                        nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, hi, 2);
                        add(r, e);
                } else if (strncmp(t, "dport=", 6) == 0) {
                        uint8_t lo[16], hi[16];
                        parse_key(t + 6, 2, lo, hi);
                        payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
                        if (memcmp(lo, hi, 2) == 0)
                                cmp(r, NFT_CMP_EQ, lo, 2);
                        else {
                                cmp(r, NFT_CMP_GTE, lo, 2);
                                cmp(r, NFT_CMP_LTE, hi, 2);
                        }
                } else if (strncmp(t, "dport@", 6) == 0) {
                        struct nftnl_expr *e = nftnl_expr_alloc("lookup");
                        payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
                        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
                        nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, t + 6);
                        add(r, e);
                } else if (strncmp(t, "saddr@", 6) == 0) {
                        struct nftnl_expr *e = nftnl_expr_alloc("lookup");
                        payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
                        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
                        nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, t + 6);
                        add(r, e);
                } else if (strncmp(t, "saddr=", 6) == 0) {
                        uint8_t lo[16], hi[16], mask[4];
                        unsigned plen = strchr(t, '/') ? (unsigned) atoi(strchr(t, '/') + 1) : 32;
                        uint8_t nfp = NFPROTO_IPV4;
                        parse_key(t + 6, 4, lo, hi);
                        if (family == NFPROTO_INET) {
                                meta(r, NFT_META_NFPROTO);
                                cmp(r, NFT_CMP_EQ, &nfp, 1);
                        }
                        payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
                        for (unsigned i = 0; i < 4; i++)
                                mask[i] = (uint8_t) (plen >= (i + 1) * 8 ? 0xff : plen > i * 8 ? 0xff << (8 - (plen - i * 8)) : 0);
                        if (plen < 32)
                                bitwise(r, mask, 4);
                        cmp(r, NFT_CMP_EQ, lo, 4);
                } else if (strcmp(t, "saddr6=2001:db8::/32") == 0) {
                        /* ip6 saddr 2001:db8::/32, as nft emits it: the first 4 bytes only */
                        static const uint8_t net[4] = { 0x20, 0x01, 0x0d, 0xb8 };
                        uint8_t nfp = NFPROTO_IPV6;
                        meta(r, NFT_META_NFPROTO);
                        cmp(r, NFT_CMP_EQ, &nfp, 1);
                        payload(r, NFT_PAYLOAD_NETWORK_HEADER, 8, 4);
                        cmp(r, NFT_CMP_EQ, net, 4);
                } else if (strncmp(t, "iifname=", 8) == 0) {
                        char name[16] = {};
                        strncpy(name, t + 8, 15);
                        meta(r, NFT_META_IIFNAME);
                        cmp(r, NFT_CMP_EQ, name, 16);
                } else if (strcmp(t, "ctnew") == 0 || strcmp(t, "ctest") == 0) {
                        uint32_t bits = strcmp(t, "ctnew") == 0 ? NF_CT_STATE_BIT(IP_CT_NEW)
                                      : NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED), zero = 0;
                        struct nftnl_expr *e = nftnl_expr_alloc("ct");
                        nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
                        nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
                        add(r, e);
                        bitwise(r, &bits, 4);
                        cmp(r, NFT_CMP_NEQ, &zero, 4);
                } else if (strcmp(t, "counter") == 0) {
                        add(r, nftnl_expr_alloc("counter"));
                } else if (strcmp(t, "osf") == 0) {
                        struct nftnl_expr *e = nftnl_expr_alloc("osf");
                        char name[16] = "Linux";
                        nftnl_expr_set_u32(e, NFTNL_EXPR_OSF_DREG, NFT_REG_1);
                        add(r, e);
                        cmp(r, NFT_CMP_EQ, name, 16);
                } else if (strcmp(t, "rpfmissing") == 0 || strcmp(t, "fibdaddrtype") == 0) {
                        /* fib saddr . mark . iif oif missing (firewalld's rpfilter), or
                         * fib daddr type local (not modelled) */
                        bool rpf = strcmp(t, "rpfmissing") == 0;
                        struct nftnl_expr *e = nftnl_expr_alloc("fib");
                        uint32_t zero = 0, local = 2;
                        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
                        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT,
                                           rpf ? NFT_FIB_RESULT_OIF : NFT_FIB_RESULT_ADDRTYPE);
                        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS,
                                           rpf ? NFTA_FIB_F_SADDR | NFTA_FIB_F_MARK | NFTA_FIB_F_IIF
                                               : NFTA_FIB_F_DADDR);
                        add(r, e);
                        cmp(r, NFT_CMP_EQ, rpf ? &zero : &local, 4);
                } else if (strcmp(t, "tproxy") == 0) {
                        add(r, nftnl_expr_alloc("tproxy"));
                } else if (strcmp(t, "accept") == 0) {
                        verdict(r, NF_ACCEPT, NULL);
                } else if (strcmp(t, "drop") == 0) {
                        verdict(r, NF_DROP, NULL);
                } else if (strcmp(t, "return") == 0) {
                        verdict(r, NFT_RETURN, NULL);
                } else if (strncmp(t, "jump:", 5) == 0) {
                        verdict(r, NFT_JUMP, t + 5);
                } else if (strncmp(t, "goto:", 5) == 0) {
                        verdict(r, NFT_GOTO, t + 5);
                } else if (strcmp(t, "reject") == 0) {
                        struct nftnl_expr *e = nftnl_expr_alloc("reject");
                        nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_TCP_RST);
                        add(r, e);
                } else {
                        fprintf(stderr, "unknown token '%s'\n", t);
                        abort();
                }
        }
        check(nft_ruleset_add_rule(rs, r));
        nftnl_rule_free(r);
        free(copy);
}
