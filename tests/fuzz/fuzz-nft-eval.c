/* libFuzzer: the nftables evaluator fed with rules decoded from random netlink messages.
 *
 * A fixed ruleset (three tables, base and regular chains, plain and interval sets) is built in
 * memory; the input supplies the rules, as NEWRULE messages the way a dump delivers them:
 *
 *   byte 0 & 0x80 set: "raw" — the rest is the attribute stream after struct nfgenmsg (table,
 *           chain, handle, expressions, userdata: everything from the input), family from
 *           byte 0 & 3 (inet, ip, ip6, inet);
 *   otherwise a list of records, each
 *           [sel] [len hi] [len lo] [len bytes: payload of NFTA_RULE_EXPRESSIONS]
 *           and, when sel & 0x80, [ulen] [ulen bytes: payload of NFTA_RULE_USERDATA];
 *           sel & 0x7f picks the chain the rule goes to.
 *
 * Then what the backend does with a ruleset: the facts for port 22 (every source, one prefix,
 * IPv6), which runs the SYN path, every base chain (with and without skipped rules) and the
 * text of the deciding rules; and each rule's match and text on its own.
 * gen-nft-seeds.c writes the seed corpus in this format from rules built with libnftnl. */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft-build.h"
#include "nft-eval.h"
#include "nft-facts.h"

#define MAX_RULES 16
#define MSG_SIZE (128 * 1024)

static const struct {
        int family;
        const char *table, *chain;
} chains[] = {
        { NFPROTO_INET, "filter", "input" },
        { NFPROTO_INET, "filter", "ssh" },
        { NFPROTO_INET, "filter", "other" },
        { NFPROTO_IPV4, "fw", "input" },
        { NFPROTO_IPV4, "fw", "allow" },
        { NFPROTO_IPV6, "fw6", "input" },
        { NFPROTO_INET, "filter", "output" }, /* not on the SYN's path: counted, not compiled */
};

static void build_ruleset(struct nft_ruleset *rs) {
        static const char *const ports[] = { "22", "80", NULL };
        static const char *const ranges[] = { "20-25", "1000-2000", NULL };
        static const char *const nets[] = { "10.0.0.0/8", "192.0.2.0/24", NULL };

        tb_table(rs, NFPROTO_INET, "filter");
        tb_base_chain(rs, NFPROTO_INET, "filter", "input", NF_INET_LOCAL_IN, 0, NF_ACCEPT);
        tb_base_chain(rs, NFPROTO_INET, "filter", "output", NF_INET_LOCAL_OUT, 0, NF_ACCEPT);
        tb_chain(rs, NFPROTO_INET, "filter", "ssh");
        tb_chain(rs, NFPROTO_INET, "filter", "other");
        tb_set(rs, NFPROTO_INET, "filter", "ports", 0, 2, ports);
        tb_set(rs, NFPROTO_INET, "filter", "ranges", NFT_SET_INTERVAL, 2, ranges);
        tb_set(rs, NFPROTO_INET, "filter", "nets", NFT_SET_INTERVAL, 4, nets);
        tb_set(rs, NFPROTO_INET, "filter", "empty", 0, 2, NULL);
        tb_table(rs, NFPROTO_IPV4, "fw");
        tb_base_chain(rs, NFPROTO_IPV4, "fw", "input", NF_INET_LOCAL_IN, -10, NF_DROP);
        tb_chain(rs, NFPROTO_IPV4, "fw", "allow");
        tb_set(rs, NFPROTO_IPV4, "fw", "ports", 0, 2, ports);
        tb_table(rs, NFPROTO_IPV6, "fw6");
        tb_base_chain(rs, NFPROTO_IPV6, "fw6", "input", NF_INET_LOCAL_IN, 10, NF_ACCEPT);
        tb_index(rs);
}

static struct nlmsghdr *msg_start(char *buf, int family) {
        memset(buf, 0, sizeof(struct nlmsghdr) + sizeof(struct nfgenmsg));
        return nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, (uint16_t) family, 0, 0);
}

/* Appends an attribute only when it fits the buffer: the fuzzer's lengths are up to 64k. */
static void put(struct nlmsghdr *nlh, uint16_t type, size_t len, const void *data) {
        if (len <= UINT16_MAX - MNL_ATTR_HDRLEN && mnl_nlmsg_size(MNL_ALIGN(len) + MNL_ATTR_HDRLEN) <= MSG_SIZE &&
            nlh->nlmsg_len + MNL_ATTR_HDRLEN + MNL_ALIGN(len) <= MSG_SIZE)
                mnl_attr_put(nlh, type, len, data);
}

static void add_raw(struct nft_ruleset *rs, char *buf, const uint8_t *data, size_t size) {
        static const int families[] = { NFPROTO_INET, NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_INET };
        struct nlmsghdr *nlh = msg_start(buf, families[data[0] & 3]);
        size_t n = size - 1;

        if (n > MSG_SIZE - nlh->nlmsg_len)
                n = MSG_SIZE - nlh->nlmsg_len;
        memcpy((char *) nlh + nlh->nlmsg_len, data + 1, n);
        nlh->nlmsg_len += (uint32_t) MNL_ALIGN(n);
        (void) nft_ruleset_add_rule_msg(rs, nlh);
}

static void add_records(struct nft_ruleset *rs, char *buf, const uint8_t *data, size_t size) {
        uint64_t handle = 1000;

        for (unsigned k = 0; k < MAX_RULES && size >= 3; k++) {
                uint8_t sel = data[0];
                size_t len = (size_t) data[1] << 8 | data[2];
                size_t c = (sel & 0x7f) % (sizeof(chains) / sizeof(chains[0]));
                struct nlmsghdr *nlh;
                struct nlattr *nest;
                uint64_t be_handle = htobe64(handle++);

                data += 3, size -= 3;
                if (len > size)
                        len = size;
                if (len > UINT16_MAX - 64)
                        len = UINT16_MAX - 64; /* the nest's own length is 16 bits */
                nlh = msg_start(buf, chains[c].family);
                mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, chains[c].table);
                mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, chains[c].chain);
                mnl_attr_put(nlh, NFTA_RULE_HANDLE, sizeof(be_handle), &be_handle);
                nest = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
                memcpy((char *) nlh + nlh->nlmsg_len, data, len);
                nlh->nlmsg_len += (uint32_t) MNL_ALIGN(len);
                mnl_attr_nest_end(nlh, nest);
                data += len, size -= len;
                if ((sel & 0x80) && size >= 1) {
                        size_t ulen = MIN((size_t) data[0], size - 1);
                        put(nlh, NFTA_RULE_USERDATA, ulen, data + 1);
                        data += 1 + ulen, size -= 1 + ulen;
                }
                (void) nft_ruleset_add_rule_msg(rs, nlh);
        }
}

static void facts(struct nft_ruleset *rs, int from_family, const char *from, unsigned prefixlen) {
        static const struct nft_iface eth0 = { .index = 2, .name = "eth0" };
        static const uint8_t addr4[1][16] = { { 192, 0, 2, 2 } };
        static const uint8_t addr6[1][16] = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };
        struct options o = { .ports = { 22, 2222 }, .n_ports = 2 };
        struct nft_host host = { .ifaces = &eth0, .n_ifaces = 1, .addrs4 = addr4, .n_addrs4 = 1,
                                 .addrs6 = addr6, .n_addrs6 = 1 };
        struct nft_facts f = {};

        if (from) {
                o.from.family = from_family;
                if (inet_pton(from_family, from, &o.from.addr) != 1)
                        abort();
                o.from.prefixlen = prefixlen;
                o.n_ports = 1;
        }
        if (nft_facts_from_ruleset(rs, &o, &host, &f) >= 0)
                nft_facts_done(&f);
}

static void per_rule(struct nft_ruleset *rs) {
        struct nft_packet p = { .nfproto = NFPROTO_IPV4, .port = 22 };
        static const uint16_t not_ports[] = { 22 };

        for (size_t c = 0; c < rs->n_chains; c++)
                for (size_t r = 0; r < rs->chains[c].n_rules; r++) {
                        char *text = nft_rule_to_text(rs, &rs->chains[c], &rs->chains[c].rules[r]);
                        free(text);
                        p.nfproto = NFPROTO_IPV4, p.n_not_ports = 0;
                        nft_packet_set_source(&p, NULL, 0);
                        (void) nft_eval_rule_match(rs, &p, c, r);
                        p.nfproto = NFPROTO_IPV6, p.not_ports = not_ports, p.n_not_ports = 1;
                        nft_packet_set_source(&p, NULL, 0);
                        (void) nft_eval_rule_match(rs, &p, c, r);
                }
        /* base chains, each skipping its first rule (a plan that deletes it) */
        for (size_t c = 0; c < rs->n_chains; c++) {
                struct nft_rule_ref skip = { .chain = c, .rule = 0 };
                struct nft_eval_result res;

                if (!rs->chains[c].base)
                        continue;
                p.nfproto = NFPROTO_IPV4, p.n_not_ports = 0;
                nft_packet_set_source(&p, NULL, 0);
                (void) nft_eval_base_chain(rs, &p, c, &skip, 1, &res);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct nft_ruleset rs = {};
        char *buf;

        if (size < 1)
                return 0;
        buf = calloc(1, MSG_SIZE);
        if (!buf)
                return 0;
        build_ruleset(&rs);
        if (data[0] & 0x80)
                add_raw(&rs, buf, data, size);
        else
                add_records(&rs, buf, data + 1, size - 1);
        free(buf);

        facts(&rs, AF_UNSPEC, NULL, 0);
        facts(&rs, AF_INET, "10.1.2.3", 16);
        facts(&rs, AF_INET6, "2001:db8::", 32);
        per_rule(&rs);
        nft_ruleset_done(&rs);
        return 0;
}
