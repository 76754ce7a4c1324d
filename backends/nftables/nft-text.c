/* Readable text for a compiled rule, close to what `nft list` prints, for reports and for the
 * "equivalent command" of a step. Best effort: it never decides anything. */

#include <netinet/in.h> /* before any linux/ header */
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft-ruleset.h"
#include "util/macros.h"

enum vtype { T_HEX, T_PORT, T_IP4, T_IP6, T_IFNAME, T_L4PROTO, T_NFPROTO, T_CTSTATE, T_U8, T_TCPFLAGS };

struct desc {
        const char *name;
        enum vtype type;
        unsigned prefix; /* bits kept by a prefix mask, 0: none */
        bool ctbits;     /* masked ct state */
        uint32_t mask;   /* with ctbits: the state bits tested */
};

static void put_value(FILE *f, enum vtype t, const uint8_t *d, size_t len, unsigned prefix) {
        char buf[INET6_ADDRSTRLEN];

        switch (t) {
        case T_PORT:
                if (len >= 2) {
                        fprintf(f, "%u", (unsigned) d[0] << 8 | d[1]);
                        return;
                }
                break;
        case T_IP4:
        case T_IP6: {
                uint8_t a[16] = {};
                size_t alen = t == T_IP4 ? 4 : 16;
                memcpy(a, d, MIN(len, alen));
                inet_ntop(t == T_IP4 ? AF_INET : AF_INET6, a, buf, sizeof buf);
                if (len < alen && !prefix)
                        prefix = (unsigned) len * 8;
                fputs(buf, f);
                if (prefix && prefix < alen * 8)
                        fprintf(f, "/%u", prefix);
                return;
        }
        case T_IFNAME: {
                char name[17] = {};
                memcpy(name, d, MIN(len, (size_t) 16));
                fprintf(f, "\"%s%s\"", name, len < 16 && strlen(name) == len ? "*" : "");
                return;
        }
        case T_L4PROTO:
                if (len >= 1) {
                        fputs(d[0] == IPPROTO_TCP ? "tcp" : d[0] == IPPROTO_UDP ? "udp" : d[0] == IPPROTO_ICMP ? "icmp"
                                      : d[0] == IPPROTO_ICMPV6 ? "ipv6-icmp" : "", f);
                        if (d[0] != IPPROTO_TCP && d[0] != IPPROTO_UDP && d[0] != IPPROTO_ICMP && d[0] != IPPROTO_ICMPV6)
                                fprintf(f, "%u", d[0]);
                        return;
                }
                break;
        case T_NFPROTO:
                if (len >= 1) {
                        fputs(d[0] == NFPROTO_IPV4 ? "ipv4" : d[0] == NFPROTO_IPV6 ? "ipv6" : "?", f);
                        return;
                }
                break;
        case T_CTSTATE: {
                static const char *const names[] = { "invalid", "established", "related", "new", "untracked" };
                static const uint32_t bits[] = { NF_CT_STATE_INVALID_BIT, NF_CT_STATE_BIT(IP_CT_ESTABLISHED),
                                                 NF_CT_STATE_BIT(IP_CT_RELATED), NF_CT_STATE_BIT(IP_CT_NEW),
                                                 NF_CT_STATE_UNTRACKED_BIT };
                uint32_t x = 0;
                bool any = false;
                memcpy(&x, d, MIN(len, sizeof x));
                for (size_t i = 0; i < ELEMENTSOF(bits); i++)
                        if (x & bits[i]) {
                                fprintf(f, "%s%s", any ? "," : "", names[i]);
                                any = true;
                        }
                if (!any)
                        fputs("0", f);
                return;
        }
        case T_U8:
                if (len >= 1) {
                        fprintf(f, "%u", d[0]);
                        return;
                }
                break;
        case T_TCPFLAGS:
                if (len >= 1) {
                        static const char *const names[] = { "fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr" };
                        bool any = false;
                        for (unsigned i = 0; i < 8; i++)
                                if (d[0] & (1u << i)) {
                                        fprintf(f, "%s%s", any ? "," : "", names[i]);
                                        any = true;
                                }
                        if (!any)
                                fputs("0x0", f);
                        return;
                }
                break;
        default:
                break;
        }
        fputs("0x", f);
        for (size_t i = 0; i < len; i++)
                fprintf(f, "%02x", d[i]);
}

static struct desc payload_desc(const struct nft_op *op, int family) {
        struct desc d = { .name = NULL, .type = T_HEX };

        if (op->sub == NFT_PAYLOAD_NETWORK_HEADER) {
                bool v6 = family == NFPROTO_IPV6 || (family != NFPROTO_IPV4 && (op->len == 16 || op->arg == 6));
                if (!v6 && op->arg == 12 && op->len <= 4)
                        d = (struct desc) { "ip saddr", T_IP4, 0, false };
                else if (!v6 && op->arg == 16 && op->len <= 4)
                        d = (struct desc) { "ip daddr", T_IP4, 0, false };
                else if (!v6 && op->arg == 9 && op->len == 1)
                        d = (struct desc) { "ip protocol", T_L4PROTO, 0, false };
                else if (v6 && op->arg == 8 && op->len <= 16)
                        d = (struct desc) { "ip6 saddr", T_IP6, 0, false };
                else if (v6 && op->arg == 24 && op->len <= 16)
                        d = (struct desc) { "ip6 daddr", T_IP6, 0, false };
                else if (v6 && op->arg == 6 && op->len == 1)
                        d = (struct desc) { "ip6 nexthdr", T_L4PROTO, 0, false };
        } else if (op->sub == NFT_PAYLOAD_TRANSPORT_HEADER) {
                if (op->arg == 0 && op->len == 2)
                        d = (struct desc) { "tcp sport", T_PORT, 0, false };
                else if (op->arg == 2 && op->len == 2)
                        d = (struct desc) { "tcp dport", T_PORT, 0, false };
                else if (op->arg == 13 && op->len == 1)
                        d = (struct desc) { "tcp flags", T_TCPFLAGS, 0, false };
        }
        return d;
}

static struct desc meta_desc(uint8_t key) {
        switch (key) {
        case NFT_META_L4PROTO:
                return (struct desc) { "meta l4proto", T_L4PROTO, 0, false };
        case NFT_META_NFPROTO:
                return (struct desc) { "meta nfproto", T_NFPROTO, 0, false };
        case NFT_META_IIFNAME:
                return (struct desc) { "iifname", T_IFNAME, 0, false };
        case NFT_META_OIFNAME:
                return (struct desc) { "oifname", T_IFNAME, 0, false };
        case NFT_META_IIF:
                return (struct desc) { "iif", T_HEX, 0, false };
        case NFT_META_MARK:
                return (struct desc) { "meta mark", T_HEX, 0, false };
        case NFT_META_PKTTYPE:
                return (struct desc) { "meta pkttype", T_U8, 0, false };
        default:
                return (struct desc) { "meta", T_HEX, 0, false };
        }
}

static void put_set(FILE *f, struct nft_ruleset *rs, size_t si, enum vtype t, bool vmap) {
        struct nft_set *s = &rs->sets[si];

        if (!(s->flags & NFT_SET_ANONYMOUS)) {
                fprintf(f, "%s@%s", vmap ? "vmap " : "", s->name);
                return;
        }
        if (nft_ruleset_load_set(rs, si) < 0) {
                fputs("{ ? }", f);
                return;
        }
        fputs(vmap ? "vmap { " : "{ ", f);
        for (size_t i = 0; i < s->n_elems && i < 8; i++) {
                const struct nft_elem *e = &s->elems[i];
                fputs(i ? ", " : "", f);
                put_value(f, t, s->pool + e->key, s->key_len, 0);
                if (memcmp(s->pool + e->key, s->pool + e->key_end, s->key_len) != 0) {
                        fputc('-', f);
                        put_value(f, t, s->pool + e->key_end, s->key_len, 0);
                }
                if (vmap) {
                        const char *v = e->verdict == NF_ACCEPT ? "accept" : e->verdict == NF_DROP ? "drop"
                                      : e->verdict == NFT_JUMP ? "jump" : e->verdict == NFT_GOTO ? "goto" : "return";
                        fprintf(f, " : %s", v);
                        if ((e->verdict == NFT_JUMP || e->verdict == NFT_GOTO) && e->chain < rs->n_chains)
                                fprintf(f, " %s", rs->chains[e->chain].name);
                }
        }
        if (s->n_elems > 8)
                fprintf(f, ", ... (%zu elements)", s->n_elems);
        fputs(" }", f);
}

static const char *verdict_name(int32_t v) {
        switch (v) {
        case NF_ACCEPT: return "accept";
        case NF_DROP: return "drop";
        case NFT_RETURN: return "return";
        case NFT_CONTINUE: return "continue";
        case NFT_JUMP: return "jump";
        case NFT_GOTO: return "goto";
        case NF_QUEUE: return "queue";
        default: return "verdict";
        }
}

char *nft_rule_to_text(struct nft_ruleset *rs, const struct nft_chain *c, const struct nft_rule *r) {
        int family = rs->tables[c->table].family;
        int l3 = family; /* in inet tables: ipv4 or ipv6 once "meta nfproto" said so */
        struct desc regs[16] = {};
        bool transport = false, network = false, first = true;
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        for (size_t i = 0; i < r->n_ops; i++) {
                transport = transport || (r->ops[i].kind == NFT_OP_PAYLOAD && r->ops[i].sub == NFT_PAYLOAD_TRANSPORT_HEADER);
                network = network || (r->ops[i].kind == NFT_OP_PAYLOAD && r->ops[i].sub == NFT_PAYLOAD_NETWORK_HEADER);
        }
#define SEP() (first ? (void) (first = false) : (void) fputc(' ', f))
        for (size_t i = 0; i < r->n_ops; i++) {
                const struct nft_op *op = &r->ops[i];
                struct desc *d = op->sreg / 4 < 16 ? &regs[op->sreg / 4] : &regs[0];

                switch (op->kind) {
                case NFT_OP_PAYLOAD:
                        regs[op->dreg / 4 % 16] = payload_desc(op, l3);
                        break;
                case NFT_OP_META:
                        regs[op->dreg / 4 % 16] = meta_desc(op->sub);
                        break;
                case NFT_OP_CT:
                        regs[op->dreg / 4 % 16] = op->sub == NFT_CT_STATE ? (struct desc) { "ct state", T_CTSTATE, 0, false }
                                                                          : (struct desc) { "ct", T_HEX, 0, false };
                        break;
                case NFT_OP_BITWISE: {
                        struct desc nd = *d;
                        unsigned bits = 0;
                        for (size_t k = 0; k < op->len; k++)
                                bits += (unsigned) __builtin_popcount(op->data[k]);
                        if (nd.type == T_CTSTATE) {
                                nd.ctbits = true;
                                memcpy(&nd.mask, op->data, MIN((size_t) op->len, sizeof nd.mask));
                        } else
                                nd.prefix = bits;
                        regs[op->dreg / 4 % 16] = nd;
                        break;
                }
                case NFT_OP_CMP: {
                        static const char *const ops[] = { "", "!= ", "< ", "<= ", "> ", ">= " };
                        if (d->name && streq(d->name, "meta nfproto") && op->sub == NFT_CMP_EQ && op->len >= 1)
                                l3 = op->data[0];
                        if (d->name && (streq(d->name, "meta l4proto") || streq(d->name, "ip protocol") ||
                                        streq(d->name, "ip6 nexthdr")) && transport && op->sub == NFT_CMP_EQ)
                                break; /* implied by "tcp dport" */
                        if (d->name && streq(d->name, "meta nfproto") && network && op->sub == NFT_CMP_EQ)
                                break;
                        SEP();
                        if (op->sub == NFT_CMP_GTE && i + 1 < r->n_ops && r->ops[i + 1].kind == NFT_OP_CMP &&
                            r->ops[i + 1].sub == NFT_CMP_LTE && r->ops[i + 1].sreg == op->sreg) {
                                fprintf(f, "%s ", d->name ?: "payload");
                                put_value(f, d->type, op->data, op->len, 0);
                                fputc('-', f);
                                put_value(f, d->type, r->ops[i + 1].data, op->len, 0);
                                i++;
                                break;
                        }
                        if (d->ctbits) { /* ct state & bits != 0: one of them; == 0: none */
                                fprintf(f, "%s %s", d->name, op->sub == NFT_CMP_EQ ? "!= " : "");
                                put_value(f, T_CTSTATE, (const uint8_t *) &d->mask, sizeof d->mask, 0);
                                break;
                        }
                        fprintf(f, "%s %s", d->name ?: "payload", op->sub < ELEMENTSOF(ops) ? ops[op->sub] : "? ");
                        put_value(f, d->type, op->data, op->len, d->prefix);
                        break;
                }
                case NFT_OP_RANGE:
                        SEP();
                        fprintf(f, "%s %s", d->name ?: "payload", op->sub == NFT_RANGE_NEQ ? "!= " : "");
                        put_value(f, d->type, op->data, op->len, 0);
                        fputc('-', f);
                        put_value(f, d->type, op->data2, op->len, 0);
                        break;
                case NFT_OP_LOOKUP:
                        SEP();
                        fprintf(f, "%s %s", d->name ?: "payload", op->flags ? "!= " : "");
                        put_set(f, rs, op->ref, d->type, op->dreg == NFT_REGNO_VERDICT);
                        break;
                case NFT_OP_IMMEDIATE:
                        if (op->dreg != NFT_REGNO_VERDICT)
                                break;
                        SEP();
                        fputs(verdict_name(op->verdict), f);
                        if ((op->verdict == NFT_JUMP || op->verdict == NFT_GOTO) && op->ref < rs->n_chains)
                                fprintf(f, " %s", rs->chains[op->ref].name);
                        break;
                case NFT_OP_REJECT:
                        SEP();
                        fputs(op->sub == NFT_REJECT_TCP_RST ? "reject with tcp reset" : "reject", f);
                        break;
                case NFT_OP_META_SET:
                        SEP();
                        fputs("meta set", f);
                        break;
                case NFT_OP_NOTRACK:
                        SEP();
                        fputs("notrack", f);
                        break;
                case NFT_OP_XT_MATCH:
                case NFT_OP_XT_TARGET:
                        SEP();
                        fprintf(f, "xt %s \"%s\"", op->kind == NFT_OP_XT_MATCH ? "match" : "target", op->name);
                        break;
                case NFT_OP_OPAQUE:
                        regs[op->dreg / 4 % 16] = (struct desc) { "numgen|hash", T_HEX, 0, false };
                        break;
                case NFT_OP_RPF: /* printed by its compare: "fib ... eq 0" */
                        regs[op->dreg / 4 % 16] = (struct desc) { "fib saddr oif", T_HEX, 0, false };
                        break;
                case NFT_OP_SOMETIMES:
                case NFT_OP_UNKNOWN:
                        if (op->kind == NFT_OP_UNKNOWN && op->flags) { /* a load, printed by its compare */
                                regs[op->dreg / 4 % 16] = (struct desc) { op->name, T_HEX, 0, false };
                                break;
                        }
                        SEP();
                        fputs(op->name ?: "?", f);
                        break;
                default:
                        break;
                }
        }
        if (r->comment) {
                SEP();
                fprintf(f, "comment \"%s\"", r->comment);
        }
#undef SEP
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}
