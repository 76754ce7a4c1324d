/* The class of SYNs as the evaluator sees it: header fields, meta and ct keys, as interval
 * values. Fixed where every SYN from outside agrees (protocol, flags, ct state new), open
 * where they differ (source port, TTL), from the host where it knows (interfaces, addresses). */

#include <netinet/in.h> /* before any linux/ header */
#include <linux/if_arp.h>
#include <linux/if_packet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>

#include "nft-packet.h"
#include "util/macros.h"

/* ---- the packet */


struct field {
        uint8_t off, len;
        int kind; /* 0 point data, 1 opaque, 2 saddr, 3 daddr, 4 dport, 5 two points (frag) */
        uint8_t data[4];
};

static const struct field ip4_fields[] = {
        { 0, 1, 0, { 0x45 } }, { 1, 1, 1, {} },    { 2, 2, 1, {} }, { 4, 2, 1, {} },  { 6, 2, 5, {} },
        { 8, 1, 1, {} },       { 9, 1, 0, { 6 } }, { 10, 2, 1, {} }, { 12, 4, 2, {} }, { 16, 4, 3, {} },
};
static const struct field ip6_fields[] = {
        { 0, 4, 6, {} },  { 4, 2, 1, {} },  { 6, 1, 0, { 6 } }, { 7, 1, 1, {} },
        { 8, 16, 2, {} }, { 24, 16, 3, {} },
};
static const struct field tcp_fields[] = {
        { 0, 2, 1, {} },  { 2, 2, 4, {} },  { 4, 4, 1, {} },   { 8, 4, 1, {} },          { 12, 1, 1, {} },
        { 13, 1, 0, { NFT_PACKET_SYN_FLAGS } }, { 14, 2, 1, {} }, { 16, 2, 1, {} }, { 18, 2, 0, { 0, 0 } },
};

static void packet_field(const struct nft_pkt_state *c, const struct field *f, struct nft_value *v) {
        const struct nft_packet *p = c->p;

        switch (f->kind) {
        case 0:
                nft_value_point(v, f->data, f->len);
                break;
        case 2:
                nft_value_range(v, p->saddr_lo, p->saddr_hi, f->len);
                break;
        case 3:
                if (p->n_daddrs == 0) {
                        nft_value_opaque(v, f->len);
                        break;
                }
                v->len = f->len;
                v->n = 0;
                v->unknown = v->none = false;
                for (size_t i = 0; i < p->n_daddrs; i++)
                        nft_value_add(v, p->daddrs[i], p->daddrs[i]);
                break;
        case 4: {
                uint8_t lo[2], hi[2];
                if (p->n_not_ports == 0) {
                        uint16_t be = htons(p->port);
                        nft_value_point(v, &be, 2);
                        break;
                }
                /* every port but the listed ones: the gaps between them */
                v->len = 2;
                v->n = 0;
                v->unknown = v->none = false;
                for (unsigned port = 0; port <= 65535;) {
                        unsigned end = port;
                        bool excluded = false;
                        for (size_t i = 0; i < p->n_not_ports; i++)
                                excluded = excluded || p->not_ports[i] == port;
                        if (excluded) {
                                port++;
                                continue;
                        }
                        for (;;) {
                                bool next_excluded = false;
                                if (end == 65535)
                                        break;
                                for (size_t i = 0; i < p->n_not_ports; i++)
                                        next_excluded = next_excluded || p->not_ports[i] == end + 1;
                                if (next_excluded)
                                        break;
                                end++;
                        }
                        lo[0] = (uint8_t) (port >> 8), lo[1] = (uint8_t) port;
                        hi[0] = (uint8_t) (end >> 8), hi[1] = (uint8_t) end;
                        nft_value_add(v, lo, hi);
                        port = end + 1;
                }
                break;
        }
        case 5: {
                uint8_t df[2] = { 0x40, 0 }, none[2] = { 0, 0 };
                nft_value_point(v, none, 2);
                nft_value_add(v, df, df);
                break;
        }
        case 6: {
                uint8_t lo[4] = { 0x60, 0, 0, 0 }, hi[4] = { 0x6f, 0xff, 0xff, 0xff };
                nft_value_range(v, lo, hi, 4);
                break;
        }
        default:
                nft_value_opaque(v, f->len);
        }
}

void nft_packet_payload(const struct nft_pkt_state *c, uint8_t base, uint16_t off, uint8_t len, struct nft_value *ret) {
        const struct field *fields;
        size_t n_fields;
        struct nft_value v;

        switch (base) {
        case NFT_PAYLOAD_LL_HEADER:
                nft_value_opaque(ret, len);
                return;
        case NFT_PAYLOAD_NETWORK_HEADER:
                fields = c->p->nfproto == NFPROTO_IPV4 ? ip4_fields : ip6_fields;
                n_fields = c->p->nfproto == NFPROTO_IPV4 ? ELEMENTSOF(ip4_fields) : ELEMENTSOF(ip6_fields);
                break;
        case NFT_PAYLOAD_TRANSPORT_HEADER:
                fields = tcp_fields;
                n_fields = ELEMENTSOF(tcp_fields);
                break;
        default:
                nft_value_opaque(ret, len);
                ret->unknown = true;
                return;
        }
        for (size_t i = 0; i < n_fields; i++)
                if (fields[i].off == off && fields[i].len == len) {
                        packet_field(c, &fields[i], ret);
                        return;
                }
        nft_value_empty(&v, 0);
        v.n = 1;
        for (size_t at = off; at < (size_t) off + len;) {
                size_t end = (size_t) off + len;
                struct nft_value part;
                bool found = false;

                for (size_t i = 0; i < n_fields; i++) {
                        const struct field *f = &fields[i];
                        if (at >= f->off && at < (size_t) f->off + f->len) {
                                size_t s = at - f->off, l = MIN((size_t) f->len - s, end - at);
                                packet_field(c, f, &part);
                                nft_value_slice(&part, &part, s, l);
                                at += l;
                                found = true;
                                break;
                        }
                }
                if (!found) { /* beyond the header we model: options, data */
                        nft_value_opaque(&part, end - at);
                        at = end;
                }
                nft_value_concat(&v, &part);
        }
        nft_value_copy(ret, &v);
}

static void packet_ifaces(const struct nft_pkt_state *c, bool names, struct nft_value *v) {
        const struct nft_packet *p = c->p;

        if (p->n_ifaces == 0) { /* any interface but lo: every value except lo's */
                uint8_t lo[16] = {}, below[16], above[16];
                size_t len = names ? 16 : 4;
                uint32_t index = 1;

                if (names)
                        memcpy(lo, "lo", 2);
                else
                        memcpy(lo, &index, 4);
                memcpy(below, lo, len);
                memcpy(above, lo, len);
                nft_value_empty(v, len);
                for (size_t i = len; i > 0; i--)
                        if (below[i - 1]-- != 0)
                                break;
                for (size_t i = len; i > 0; i--)
                        if (++above[i - 1] != 0)
                                break;
                memset(lo, 0, sizeof lo);
                nft_value_add(v, lo, below);
                memset(lo, 0xff, sizeof lo);
                nft_value_add(v, above, lo);
                return;
        }
        v->len = names ? 16 : 4;
        v->n = 0;
        v->unknown = v->none = false;
        for (size_t i = 0; i < p->n_ifaces; i++) {
                if (names) {
                        char name[16] = {};
                        memcpy(name, p->ifaces[i].name, strnlen(p->ifaces[i].name, sizeof name - 1));
                        nft_value_add(v, name, name);
                } else
                        nft_value_add(v, &p->ifaces[i].index, &p->ifaces[i].index);
        }
}

void nft_packet_meta(struct nft_pkt_state *c, uint8_t key, struct nft_value *v) {
        bool v4 = c->p->nfproto == NFPROTO_IPV4;

        switch (key) {
        case NFT_META_LEN: case NFT_META_RTCLASSID: case NFT_META_CPU: case NFT_META_IIFGROUP:
        case NFT_META_PRANDOM: case NFT_META_TIME_HOUR: case NFT_META_SDIF:
                nft_value_opaque(v, 4);
                break;
        case NFT_META_TIME_NS:
                nft_value_opaque(v, 8);
                break;
        case NFT_META_TIME_DAY:
                nft_value_opaque(v, 1);
                break;
        case NFT_META_IIFKIND: case NFT_META_SDIFNAME:
                nft_value_opaque(v, 16);
                break;
        case NFT_META_PROTOCOL: {
                uint16_t be = htons(v4 ? 0x0800 : 0x86dd);
                nft_value_point(v, &be, 2);
                break;
        }
        case NFT_META_PRIORITY: case NFT_META_SECMARK:
                nft_value_u32(v, 0);
                break;
        case NFT_META_MARK:
                nft_value_copy(v, &c->mark);
                break;
        case NFT_META_IIF:
                packet_ifaces(c, false, v);
                break;
        case NFT_META_IIFNAME:
                packet_ifaces(c, true, v);
                break;
        case NFT_META_IIFTYPE: {
                uint16_t t = ARPHRD_ETHER;
                nft_value_point(v, &t, 2);
                break;
        }
        case NFT_META_NFTRACE: case NFT_META_SECPATH:
                nft_value_u8(v, 0);
                break;
        case NFT_META_NFPROTO:
                nft_value_u8(v, v4 ? NFPROTO_IPV4 : NFPROTO_IPV6);
                break;
        case NFT_META_L4PROTO:
                nft_value_u8(v, IPPROTO_TCP);
                break;
        case NFT_META_PKTTYPE:
                nft_value_u8(v, PACKET_HOST);
                break;
        case NFT_META_OIF: case NFT_META_OIFNAME: case NFT_META_OIFTYPE: case NFT_META_OIFGROUP:
        case NFT_META_OIFKIND: case NFT_META_SKUID: case NFT_META_SKGID: case NFT_META_CGROUP:
        case NFT_META_BRI_IIFNAME: case NFT_META_BRI_OIFNAME: case NFT_META_BRI_IIFPVID:
        case NFT_META_BRI_IIFVPROTO:
                /* no output device, no socket, no bridge on the way in: the rule breaks */
                nft_value_opaque(v, 4);
                v->none = true;
                break;
        default:
                nft_value_opaque(v, 4);
                v->unknown = true;
                c->unknown = "meta expression";
        }
}

void nft_packet_ct(struct nft_pkt_state *c, uint8_t key, uint8_t dir, struct nft_value *v) {
        bool v4 = c->p->nfproto == NFPROTO_IPV4, reply = dir == 1 /* IP_CT_DIR_REPLY */;
        size_t alen = v4 ? 4 : 16;

        if (c->untracked && key != NFT_CT_STATE) {
                nft_value_opaque(v, 4);
                v->none = true;
                return;
        }
        switch (key) {
        case NFT_CT_STATE:
                nft_value_u32(v, c->untracked ? NF_CT_STATE_UNTRACKED_BIT : NF_CT_STATE_BIT(IP_CT_NEW));
                break;
        case NFT_CT_DIRECTION:
                nft_value_u8(v, 0 /* IP_CT_DIR_ORIGINAL */);
                break;
        case NFT_CT_STATUS: case NFT_CT_MARK: case NFT_CT_SECMARK:
                nft_value_u32(v, 0);
                break;
        case NFT_CT_ZONE: {
                uint16_t z = 0;
                nft_value_point(v, &z, 2);
                break;
        }
        case NFT_CT_LABELS: {
                uint8_t z[16] = {};
                nft_value_point(v, z, 16);
                break;
        }
        case NFT_CT_L3PROTOCOL:
                nft_value_u8(v, v4 ? NFPROTO_IPV4 : NFPROTO_IPV6);
                break;
        case NFT_CT_PROTOCOL:
                nft_value_u8(v, IPPROTO_TCP);
                break;
        case NFT_CT_SRC: case NFT_CT_SRC_IP: case NFT_CT_SRC_IP6:
        case NFT_CT_DST: case NFT_CT_DST_IP: case NFT_CT_DST_IP6: {
                bool src = key == NFT_CT_SRC || key == NFT_CT_SRC_IP || key == NFT_CT_SRC_IP6;
                struct field f = { 0, (uint8_t) alen, src != reply ? 2 : 3, {} };
                if ((key == NFT_CT_SRC_IP || key == NFT_CT_DST_IP) != v4 && key != NFT_CT_SRC && key != NFT_CT_DST) {
                        nft_value_opaque(v, 4);
                        v->none = true;
                        break;
                }
                packet_field(c, &f, v);
                break;
        }
        case NFT_CT_PROTO_SRC: case NFT_CT_PROTO_DST: {
                bool src = key == NFT_CT_PROTO_SRC;
                struct field f = { 0, 2, src != reply ? 1 : 4, {} };
                packet_field(c, &f, v);
                break;
        }
        case NFT_CT_EXPIRATION:
                nft_value_opaque(v, 4);
                break;
        case NFT_CT_PKTS: case NFT_CT_BYTES: case NFT_CT_AVGPKT:
                nft_value_opaque(v, 8);
                break;
        case NFT_CT_HELPER:
                nft_value_opaque(v, 16);
                v->none = true;
                break;
        default:
                nft_value_opaque(v, 4);
                v->unknown = true;
                c->unknown = "ct expression";
        }
}

void nft_packet_dport(const struct nft_pkt_state *c, struct nft_value *v) {
        static const struct field f = { 2, 2, 4, {} };
        packet_field(c, &f, v);
}

void nft_packet_set_source(struct nft_packet *p, const void *addr, unsigned prefixlen) {
        size_t len = p->nfproto == NFPROTO_IPV4 ? 4 : 16;
        const uint8_t *a = addr;

        memset(p->saddr_lo, 0, sizeof p->saddr_lo);
        memset(p->saddr_hi, 0, sizeof p->saddr_hi);
        for (size_t i = 0; i < len; i++) {
                unsigned bits = prefixlen > i * 8 ? MIN(prefixlen - (unsigned) i * 8, 8u) : 0;
                uint8_t mask = (uint8_t) (bits ? 0xff << (8 - bits) : 0);
                p->saddr_lo[i] = (uint8_t) ((a ? a[i] : 0) & mask);
                p->saddr_hi[i] = (uint8_t) (p->saddr_lo[i] | (uint8_t) ~mask);
        }
}

