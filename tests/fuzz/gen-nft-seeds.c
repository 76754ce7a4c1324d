/* Writes the seed corpus of fuzz-nft-eval: rules built with libnftnl, the way nft 1.0.x
 * emits them, serialised in the fuzzer's input format (see fuzz-nft-eval.c).
 *   gen-nft-seeds DIR   (tests/fuzz/corpus/fuzz-nft-eval) */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

/* chain numbers of fuzz-nft-eval.c */
enum { INET_INPUT, INET_SSH, INET_OTHER, IP_INPUT, IP_ALLOW, IP6_INPUT, INET_OUTPUT };

static const char *const chain_names[][2] = {
        { "filter", "input" }, { "filter", "ssh" }, { "filter", "other" }, { "fw", "input" },
        { "fw", "allow" },     { "fw6", "input" },  { "filter", "output" },
};
static const int chain_family[] = { NFPROTO_INET, NFPROTO_INET, NFPROTO_INET, NFPROTO_IPV4,
                                    NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_INET };

static uint8_t out[65536];
static size_t out_len;
static struct nftnl_rule *cur;
static int cur_chain;

static void fail(const char *what) {
        fprintf(stderr, "gen-nft-seeds: %s\n", what);
        exit(1);
}

static void emit(const void *p, size_t n) {
        if (out_len + n > sizeof out)
                fail("seed too long");
        memcpy(out + out_len, p, n);
        out_len += n;
}

static void rule(int chain) {
        cur = nftnl_rule_alloc();
        cur_chain = chain;
        nftnl_rule_set_u32(cur, NFTNL_RULE_FAMILY, (uint32_t) chain_family[chain]);
        nftnl_rule_set_str(cur, NFTNL_RULE_TABLE, chain_names[chain][0]);
        nftnl_rule_set_str(cur, NFTNL_RULE_CHAIN, chain_names[chain][1]);
}

static struct nftnl_expr *ex(const char *name) {
        struct nftnl_expr *e = nftnl_expr_alloc(name);
        if (!e)
                fail(name);
        nftnl_rule_add_expr(cur, e);
        return e;
}

/* Ends the rule: one record [sel][len][expressions] (+ [ulen][userdata] with a comment). */
static void end(const char *comment) {
        char *buf = calloc(1, 65536);
        struct nlmsghdr *nlh;
        struct nlattr *a;
        uint8_t hdr[3];

        if (!buf)
                fail("memory");
        if (comment) {
                struct nftnl_udata_buf *u = nftnl_udata_buf_alloc(256);
                nftnl_udata_put_strz(u, NFTNL_UDATA_RULE_COMMENT, comment);
                nftnl_rule_set_data(cur, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(u), nftnl_udata_buf_len(u));
                nftnl_udata_buf_free(u);
        }
        nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, (uint16_t) chain_family[cur_chain], 0, 0);
        nftnl_rule_nlmsg_build_payload(nlh, cur);
        hdr[0] = (uint8_t) (cur_chain | (comment ? 0x80 : 0));
        mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
                if (mnl_attr_get_type(a) == NFTA_RULE_EXPRESSIONS) {
                        uint16_t n = mnl_attr_get_payload_len(a);
                        hdr[1] = (uint8_t) (n >> 8), hdr[2] = (uint8_t) n;
                        emit(hdr, 3);
                        emit(mnl_attr_get_payload(a), n);
                }
        mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
                if (mnl_attr_get_type(a) == NFTA_RULE_USERDATA) {
                        uint8_t n = (uint8_t) mnl_attr_get_payload_len(a);
                        emit(&n, 1);
                        emit(mnl_attr_get_payload(a), n);
                }
        nftnl_rule_free(cur);
        free(buf);
}

/* The whole attribute stream of one message: the fuzzer's "raw" mode. */
static void end_raw(void) {
        char *buf = calloc(1, 65536);
        struct nlmsghdr *nlh;
        uint8_t mode = (uint8_t) (0x80 | (chain_family[cur_chain] == NFPROTO_IPV4 ? 1 :
                                          chain_family[cur_chain] == NFPROTO_IPV6 ? 2 : 0));

        if (!buf)
                fail("memory");
        nftnl_rule_set_u64(cur, NFTNL_RULE_HANDLE, 7);
        nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, (uint16_t) chain_family[cur_chain], 0, 0);
        nftnl_rule_nlmsg_build_payload(nlh, cur);
        emit(&mode, 1);
        emit((char *) mnl_nlmsg_get_payload(nlh) + sizeof(struct nfgenmsg),
             nlh->nlmsg_len - MNL_NLMSG_HDRLEN - sizeof(struct nfgenmsg));
        nftnl_rule_free(cur);
        free(buf);
}

static void start(void) {
        uint8_t zero = 0;
        out_len = 0;
        emit(&zero, 1); /* records mode */
}

static void save(const char *dir, const char *name) {
        char path[4096];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        f = fopen(path, "we");
        if (!f || fwrite(out, 1, out_len, f) != out_len || fclose(f) != 0)
                fail(path);
}

static void meta(uint32_t key) {
        struct nftnl_expr *e = ex("meta");
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
}

static void cmp(uint32_t op, const void *data, uint32_t len) {
        struct nftnl_expr *e = ex("cmp");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
}

static void payload(uint32_t base, uint32_t off, uint32_t len) {
        struct nftnl_expr *e = ex("payload");
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
}

static void bitwise(const void *mask, uint32_t len) {
        static const uint8_t zero[16];
        struct nftnl_expr *e = ex("bitwise");
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
}

static void verdict(int32_t v, const char *chain) {
        struct nftnl_expr *e = ex("immediate");
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t) v);
        if (chain)
                nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
}

static void tcp(void) {
        uint8_t p = IPPROTO_TCP;
        meta(NFT_META_L4PROTO);
        cmp(NFT_CMP_EQ, &p, 1);
}

static void dport(uint16_t port) {
        uint16_t be = htons(port);
        tcp();
        payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
        cmp(NFT_CMP_EQ, &be, 2);
}

static void lookup(const char *set, bool inv) {
        struct nftnl_expr *e = ex("lookup");
        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
        nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
        if (inv)
                nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
}

static void saddr4(const char *a, unsigned plen) {
        uint8_t addr[4], mask[4];
        inet_pton(AF_INET, a, addr);
        for (unsigned i = 0; i < 4; i++)
                mask[i] = (uint8_t) (plen >= (i + 1) * 8 ? 0xff : plen > i * 8 ? 0xff << (8 - (plen - i * 8)) : 0);
        payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
        if (plen < 32)
                bitwise(mask, 4);
        cmp(NFT_CMP_EQ, addr, 4);
}

static void reject(uint32_t type) {
        struct nftnl_expr *e = ex("reject");
        nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, type);
        nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, 0);
}

static void ctstate(uint32_t bits, bool neq) {
        uint32_t zero = 0;
        struct nftnl_expr *e = ex("ct");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
        bitwise(&bits, 4);
        cmp(neq ? NFT_CMP_NEQ : NFT_CMP_EQ, &zero, 4);
}

int main(int argc, char **argv) {
        const char *d = argc > 1 ? argv[1] : ".";
        uint16_t p20 = htons(20), p25 = htons(25);
        uint8_t nfp6 = NFPROTO_IPV6, addr6[16];
        char lo[16] = "lo", eth[16] = "eth0";

        start(); /* tcp dport 22 drop */
        rule(INET_INPUT), dport(22), verdict(NF_DROP, NULL), end(NULL);
        save(d, "dport-drop");

        start(); /* tcp dport 20-25 counter drop, as two compares */
        rule(INET_INPUT), tcp(), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2), cmp(NFT_CMP_GTE, &p20, 2);
        cmp(NFT_CMP_LTE, &p25, 2), ex("counter"), verdict(NF_DROP, NULL), end("range as two compares");
        save(d, "dport-range-cmp");

        start(); /* the range expression, and a reject with tcp reset */
        rule(IP_INPUT), tcp(), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
        {
                struct nftnl_expr *e = ex("range");
                nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
                nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, NFT_RANGE_NEQ);
                nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, &p20, 2);
                nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, &p25, 2);
        }
        reject(NFT_REJECT_TCP_RST), end(NULL);
        rule(IP_INPUT), dport(22), verdict(NF_ACCEPT, NULL), end(NULL);
        save(d, "range-reject");

        start(); /* sets: tcp dport @ports accept; tcp dport != @ranges drop; ip saddr @nets jump ssh */
        rule(INET_INPUT), tcp(), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2), lookup("ports", false);
        verdict(NF_ACCEPT, NULL), end(NULL);
        rule(INET_INPUT), tcp(), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2), lookup("ranges", true);
        verdict(NF_DROP, NULL), end(NULL);
        rule(INET_INPUT), payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4), lookup("nets", false);
        verdict(NFT_JUMP, "ssh"), end(NULL);
        rule(INET_INPUT), tcp(), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2), lookup("empty", false);
        verdict(NF_DROP, NULL), end(NULL);
        save(d, "sets");

        start(); /* jumps, gotos, returns between regular chains, prefixes, iifname */
        rule(INET_INPUT), meta(NFT_META_IIFNAME), cmp(NFT_CMP_EQ, lo, 16), verdict(NF_ACCEPT, NULL), end(NULL);
        rule(INET_INPUT), dport(22), verdict(NFT_JUMP, "ssh"), end(NULL);
        rule(INET_SSH), saddr4("10.0.0.0", 8), verdict(NF_ACCEPT, NULL), end("office");
        rule(INET_SSH), meta(NFT_META_IIFNAME), cmp(NFT_CMP_NEQ, eth, 16), verdict(NFT_RETURN, NULL), end(NULL);
        rule(INET_SSH), verdict(NFT_GOTO, "other"), end(NULL);
        rule(INET_OTHER), reject(NFT_REJECT_ICMPX_UNREACH), end(NULL);
        rule(INET_OUTPUT), verdict(NF_DROP, NULL), end(NULL);
        save(d, "jumps");

        start(); /* ct state established,related accept; ct state new drop */
        rule(INET_INPUT), ctstate(NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED), true);
        verdict(NF_ACCEPT, NULL), end(NULL);
        rule(INET_INPUT), ctstate(NF_CT_STATE_BIT(IP_CT_NEW), true), dport(22), verdict(NF_DROP, NULL), end(NULL);
        save(d, "ct-state");

        start(); /* ip6 saddr 2001:db8::/32 drop in inet, then in the ip6 table */
        inet_pton(AF_INET6, "2001:db8::", addr6);
        rule(INET_INPUT), meta(NFT_META_NFPROTO), cmp(NFT_CMP_EQ, &nfp6, 1);
        payload(NFT_PAYLOAD_NETWORK_HEADER, 8, 4), cmp(NFT_CMP_EQ, addr6, 4), verdict(NF_DROP, NULL), end(NULL);
        rule(IP6_INPUT), dport(22), verdict(NF_DROP, NULL), end(NULL);
        save(d, "ip6");

        start(); /* what the evaluator cannot know: limit, osf, numgen, tproxy, log, objref */
        rule(INET_INPUT), dport(22);
        {
                struct nftnl_expr *e = ex("limit");
                nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, 3);
                nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 60);
        }
        verdict(NF_ACCEPT, NULL), end(NULL);
        rule(INET_INPUT);
        {
                char linux_[16] = "Linux";
                struct nftnl_expr *e = ex("osf");
                nftnl_expr_set_u32(e, NFTNL_EXPR_OSF_DREG, NFT_REG_1);
                cmp(NFT_CMP_EQ, linux_, 16);
        }
        verdict(NF_DROP, NULL), end(NULL);
        rule(INET_INPUT);
        {
                uint32_t zero = 0;
                struct nftnl_expr *e = ex("numgen");
                nftnl_expr_set_u32(e, NFTNL_EXPR_NG_DREG, NFT_REG_1);
                nftnl_expr_set_u32(e, NFTNL_EXPR_NG_MODULUS, 2);
                nftnl_expr_set_u32(e, NFTNL_EXPR_NG_TYPE, NFT_NG_RANDOM);
                cmp(NFT_CMP_EQ, &zero, 4);
        }
        ex("log"), verdict(NF_DROP, NULL), end(NULL);
        rule(INET_INPUT), dport(22), ex("tproxy"), end(NULL);
        rule(IP_INPUT);
        {
                struct nftnl_expr *e = ex("objref");
                nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_QUOTA);
                nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, "q");
        }
        verdict(NF_DROP, NULL), end(NULL);
        save(d, "unknown");

        start(); /* iptables-nft: compat match and target */
        rule(IP_INPUT), tcp();
        {
                /* libnftnl takes the info buffers (and frees them with the rule) */
                static const uint8_t tcp_info[16] = { 0, 0, 0xff, 0xff, 0, 22, 0, 22 };
                uint8_t *info = malloc(16), *info2 = malloc(4);
                struct nftnl_expr *e = ex("match");
                nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, "tcp");
                nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 0);
                if (!info || !info2)
                        fail("memory");
                memcpy(info, tcp_info, 16);
                memcpy(info2, tcp_info, 4);
                nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, info, 16);
                e = ex("target");
                nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "REJECT");
                nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 0);
                nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info2, 4);
        }
        end(NULL);
        rule(IP_ALLOW), dport(22), verdict(NF_ACCEPT, NULL), end(NULL);
        rule(IP_INPUT), verdict(NFT_JUMP, "allow"), end(NULL);
        save(d, "compat");

        /* raw mode: a whole message, table and chain names from the input */
        out_len = 0;
        rule(IP_INPUT), dport(22), verdict(NF_DROP, NULL), end_raw();
        save(d, "raw-dport-drop");
        out_len = 0;
        rule(INET_SSH), saddr4("192.0.2.0", 24), verdict(NFT_GOTO, "other"), end_raw();
        save(d, "raw-goto");
        return 0;
}
