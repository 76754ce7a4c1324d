/* The evaluator: runs compiled rules over a class of SYNs with interval-valued registers.
 * Values are unions of inclusive byte-string intervals; every operation over-approximates,
 * so TRUE and FALSE are always sound and PARTIAL may be pessimistic. */

#include <netinet/in.h> /* before any linux/ header */
#include <errno.h>
#include <linux/if_arp.h>
#include <linux/if_packet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "nft-eval.h"
#include "nft-packet.h"
#include "nft-value.h"
#include "util/macros.h"

#define MAX_DEPTH 16
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

struct ctx {
        struct nft_ruleset *rs;
        struct nft_pkt_state ps;
        struct nft_value regs[16];
        int8_t owner[16]; /* slot where the value covering this slot starts, -1: none */
        const struct nft_rule_ref *skip;
        size_t n_skip;
        struct nft_eval_result *res;
};

/* ---- registers */

static void reg_write(struct ctx *c, uint8_t off, const struct nft_value *v) {
        unsigned slot = off / 4, n = (v->len + 3) / 4;

        if (off == NFT_REGNO_VERDICT || slot >= 16)
                return;
        if (n == 0)
                n = 1;
        nft_value_copy(&c->regs[slot], v);
        for (unsigned k = 0; k < n && slot + k < 16; k++)
                c->owner[slot + k] = (int8_t) slot;
}

/* The value at a register offset, of 'len' bytes: the register itself when it holds exactly
 * that, else built in *tmp (concatenations, prefixes, zero padding). */
static const struct nft_value *reg_get(struct ctx *c, uint8_t off, size_t len, struct nft_value *tmp) {
        unsigned slot = off / 4;

        if (slot < 16 && c->owner[slot] == (int8_t) slot && c->regs[slot].len == len)
                return &c->regs[slot];
        nft_value_empty(tmp, 0);
        tmp->n = 1;
        while (tmp->len < len) {
                struct nft_value part;
                size_t want = len - tmp->len, padded;

                if (slot >= 16 || c->owner[slot] != (int8_t) slot) {
                        nft_value_opaque(tmp, len);
                        tmp->unknown = true;
                        return tmp;
                }
                nft_value_copy(&part, &c->regs[slot]);
                padded = (part.len + 3u) & ~3u;
                if (want < part.len)
                        nft_value_slice(&part, &part, 0, want);
                else if (want > part.len && padded > part.len) { /* zero padding up to the word */
                        struct nft_value pad;
                        uint8_t zero[4] = {};
                        nft_value_point(&pad, zero, MIN(padded, want) - part.len);
                        nft_value_concat(&part, &pad);
                }
                nft_value_concat(tmp, &part);
                slot += (unsigned) (padded ? padded / 4 : 1);
        }
        return tmp;
}

static void reg_read(struct ctx *c, uint8_t off, size_t len, struct nft_value *ret) {
        const struct nft_value *v = reg_get(c, off, len, ret);
        nft_value_copy(ret, v);
}

/* Where a load writes: the register itself, so that loads copy nothing. */
static struct nft_value *reg_dest(struct ctx *c, uint8_t off, struct nft_value *scratch) {
        unsigned slot = off / 4;
        return off == NFT_REGNO_VERDICT || slot >= 16 ? scratch : &c->regs[slot];
}

static void reg_commit(struct ctx *c, uint8_t off, struct nft_value *v) {
        reg_write(c, off, v); /* v_copy is a no-op when v is the register */
}

/* One interval against one element, per concatenation field when the set has them. */
static int elem_rel(const struct nft_set *s, const struct nft_ival *iv, const struct nft_elem *e) {
        const uint8_t *a = s->pool + e->key, *b = s->pool + e->key_end;
        size_t off = 0;
        int rel = 2;

        if (s->n_fields < 2)
                return nft_ival_rel(iv, a, b, s->key_len);
        for (unsigned i = 0; i < s->n_fields && off < s->key_len; i++) {
                size_t flen = s->field_len[i], padded = (flen + 3) & ~(size_t) 3;
                struct nft_ival part;
                int r;

                if (off + flen > s->key_len)
                        break;
                memcpy(part.lo, iv->lo + off, flen);
                memcpy(part.hi, iv->hi + off, flen);
                r = nft_ival_rel(&part, a + off, b + off, flen);
                if (r == 0)
                        return 0;
                rel = MIN(rel, r);
                off += padded;
        }
        return rel;
}

struct lookup_out {
        enum nft_match match;
        const struct nft_elem *elem; /* the one element every SYN of the class hits, if any */
};

static bool is_everything(const struct nft_ival *iv, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (iv->lo[i] != 0 || iv->hi[i] != 0xff)
                        return false;
        return true;
}

static int op_lookup(struct ctx *c, const struct nft_op *op, struct lookup_out *ret) {
        struct nft_set *s;
        struct nft_value key;
        unsigned t = 0, f = 0;
        const struct nft_elem *only = NULL;
        bool one = true;
        int r;

        if (op->ref >= c->rs->n_sets)
                return -EINVAL;
        s = &c->rs->sets[op->ref];
        if (s->key_len > NFT_VALUE_MAX) {
                ret->match = NFT_MATCH_UNKNOWN;
                c->ps.unknown = "a set with keys too long";
                return 0;
        }
        reg_read(c, op->sreg, s->key_len, &key);
        if (key.unknown || key.none) {
                ret->match = key.unknown ? NFT_MATCH_UNKNOWN : NFT_MATCH_FALSE;
                return 0;
        }
        /* Every value (any source): with two elements or more no single one covers it, so
         * some SYNs match and some do not, whatever the elements are. No need to read them. */
        if (!s->loaded && op->dreg == 0xfe && key.n == 1 && is_everything(&key.iv[0], s->key_len) &&
            !(s->flags & NFT_SET_CONCAT) && s->n_fields < 2) {
                r = nft_ruleset_peek_set(c->rs, op->ref);
                if (r >= 0 && !s->loaded && s->big) {
                        ret->match = NFT_MATCH_PARTIAL;
                        return 0;
                }
        }
        r = nft_ruleset_load_set(c->rs, op->ref);
        s = &c->rs->sets[op->ref];
        if (r < 0) {
                ret->match = NFT_MATCH_UNKNOWN;
                c->ps.unknown = "a set that could not be read";
                return 0;
        }
        for (unsigned i = 0; i < key.n; i++) {
                bool inside = false, overlap = false;

                for (size_t k = 0; k < s->n_elems && !inside; k++) {
                        int rel = elem_rel(s, &key.iv[i], &s->elems[k]);
                        if (rel == 2) {
                                inside = true;
                                if (only && only != &s->elems[k])
                                        one = false;
                                only = &s->elems[k];
                        }
                        overlap = overlap || rel == 1;
                }
                t += inside;
                f += !inside && !overlap;
        }
        ret->match = nft_match_aggregate(t, f, key.n);
        if (op->flags)
                ret->match = nft_match_negate(ret->match);
        ret->elem = ret->match == NFT_MATCH_TRUE && one && !op->flags ? only : NULL;
        return 0;
}

/* iptables-nft compat matches we can read: multiport and tcp (destination ports). */
static enum nft_match ports_in(const struct ctx *c, const uint16_t *lo, const uint16_t *hi, size_t n) {
        struct nft_value v;
        enum nft_match m = NFT_MATCH_FALSE;

        nft_packet_dport(&c->ps, &v);
        for (size_t i = 0; i < n; i++) {
                uint8_t a[2] = { (uint8_t) (lo[i] >> 8), (uint8_t) lo[i] }, b[2] = { (uint8_t) (hi[i] >> 8), (uint8_t) hi[i] };
                enum nft_match x = nft_value_in_range(&v, a, b, 2);
                if (x == NFT_MATCH_TRUE)
                        return x;
                if (x == NFT_MATCH_PARTIAL)
                        m = x;
        }
        /* several ranges may cover the class together: count per interval */
        if (m == NFT_MATCH_PARTIAL) {
                unsigned t = 0, fl = 0;
                for (unsigned k = 0; k < v.n; k++) {
                        bool in = false, ov = false;
                        for (size_t i = 0; i < n; i++) {
                                uint8_t a[2] = { (uint8_t) (lo[i] >> 8), (uint8_t) lo[i] },
                                        b[2] = { (uint8_t) (hi[i] >> 8), (uint8_t) hi[i] };
                                int r = nft_ival_rel(&v.iv[k], a, b, 2);
                                in = in || r == 2;
                                ov = ov || r == 1;
                        }
                        t += in;
                        fl += !in && !ov;
                }
                m = nft_match_aggregate(t, fl, v.n);
        }
        return m;
}

static enum nft_match xt_match(struct ctx *c, const struct nft_op *op) {
        const uint8_t *b = op->blob;

        if (streq(op->name, "comment"))
                return NFT_MATCH_TRUE;
        if (streq(op->name, "multiport") && b && op->blob_len >= 32) {
                uint8_t flags = b[0], count = b[1];
                uint16_t lo[15], hi[15];
                size_t n = 0;
                bool invert = op->sub >= 1 && op->blob_len >= 48 && b[47];
                enum nft_match m;

                if (count > 15)
                        return NFT_MATCH_UNKNOWN;
                for (uint8_t i = 0; i < count; i++) {
                        uint16_t port;
                        memcpy(&port, b + 2 + 2 * i, 2);
                        lo[n] = hi[n] = port;
                        if (op->sub >= 1 && op->blob_len >= 47 && b[32 + i] && i + 1 < count) {
                                memcpy(&hi[n], b + 2 + 2 * (i + 1), 2);
                                i++;
                        }
                        n++;
                }
                m = ports_in(c, lo, hi, n);
                if (flags == 0) /* source ports: unknown to us, some match */
                        m = n ? NFT_MATCH_PARTIAL : NFT_MATCH_FALSE;
                else if (flags == 2 && m == NFT_MATCH_FALSE)
                        m = NFT_MATCH_PARTIAL; /* either: the source port may match */
                return invert ? nft_match_negate(m) : m;
        }
        if (streq(op->name, "tcp") && b && op->blob_len >= 12) {
                uint16_t spts[2], dpts[2];
                uint8_t option = b[8], mask = b[9], cmp = b[10], inv = b[11];
                enum nft_match m, s;

                memcpy(spts, b, 4);
                memcpy(dpts, b + 4, 4);
                if (option)
                        return NFT_MATCH_UNKNOWN;
                m = ports_in(c, &dpts[0], &dpts[1], 1);
                if (inv & 0x02)
                        m = nft_match_negate(m);
                s = spts[0] == 0 && spts[1] == 0xffff ? NFT_MATCH_TRUE : NFT_MATCH_PARTIAL;
                m = nft_match_and(m, s);
                if (mask) {
                        enum nft_match fm = (NFT_PACKET_SYN_FLAGS & mask) == cmp ? NFT_MATCH_TRUE : NFT_MATCH_FALSE;
                        m = nft_match_and(m, (inv & 0x04) ? nft_match_negate(fm) : fm);
                }
                return m;
        }
        c->ps.unknown = op->name;
        return NFT_MATCH_UNKNOWN;
}

/* ---- rules and chains */

enum {
        OUT_NONE,    /* no verdict: next rule */
        OUT_VERDICT, /* verdict/chain set */
        OUT_REJECT,
        OUT_UNKNOWN, /* a statement we cannot follow */
};

struct rule_out {
        enum nft_match match;
        int kind;
        int32_t verdict;
        uint32_t chain;
        const char *unknown;
};

static int eval_rule(struct ctx *c, const struct nft_rule *rule, struct rule_out *out) {
        enum nft_match m = NFT_MATCH_TRUE;
        int r;

        *out = (struct rule_out) { .kind = OUT_NONE };
        c->ps.unknown = NULL;
        for (size_t i = 0; i < rule->n_ops && m != NFT_MATCH_FALSE; i++) {
                const struct nft_op *op = &rule->ops[i];
                struct nft_value v;

                switch (op->kind) {
                case NFT_OP_PAYLOAD: {
                        struct nft_value *d = reg_dest(c, op->dreg, &v);
                        nft_packet_payload(&c->ps, op->sub, op->arg, op->len, d);
                        if (d->unknown)
                                c->ps.unknown = "inner header payload";
                        reg_commit(c, op->dreg, d);
                        break;
                }
                case NFT_OP_META: {
                        struct nft_value *d = reg_dest(c, op->dreg, &v);
                        nft_packet_meta(&c->ps, op->sub, d);
                        reg_commit(c, op->dreg, d);
                        break;
                }
                case NFT_OP_CT: {
                        struct nft_value *d = reg_dest(c, op->dreg, &v);
                        nft_packet_ct(&c->ps, op->sub, op->flags, d);
                        reg_commit(c, op->dreg, d);
                        break;
                }
                case NFT_OP_CMP: {
                        const struct nft_value *in = reg_get(c, op->sreg, op->len, &v);
                        m = nft_match_and(m, nft_value_cmp(in, op->sub, op->data, op->len));
                        break;
                }
                case NFT_OP_RANGE: {
                        const struct nft_value *in = reg_get(c, op->sreg, op->len, &v);
                        enum nft_match x = nft_value_in_range(in, op->data, op->data2, op->len);
                        m = nft_match_and(m, op->sub == NFT_RANGE_NEQ ? nft_match_negate(x) : x);
                        break;
                }
                case NFT_OP_BITWISE:
                        reg_read(c, op->sreg, op->len, &v);
                        nft_value_bitwise(&v, op, &v);
                        reg_write(c, op->dreg, &v);
                        break;
                case NFT_OP_BYTEORDER:
                        reg_read(c, op->sreg, op->len, &v);
                        nft_value_byteorder(&v, op, &v);
                        reg_write(c, op->dreg, &v);
                        break;
                case NFT_OP_LOOKUP: {
                        struct lookup_out lo = {};
                        const struct nft_set *s;
                        r = op_lookup(c, op, &lo);
                        if (r < 0)
                                return r;
                        m = nft_match_and(m, lo.match);
                        if (op->dreg == 0xfe || m == NFT_MATCH_FALSE)
                                break;
                        s = &c->rs->sets[op->ref];
                        if (op->dreg == NFT_REGNO_VERDICT) {
                                if (!lo.elem) { /* different SYNs hit different verdicts */
                                        m = nft_match_and(m, NFT_MATCH_PARTIAL);
                                        break;
                                }
                                out->kind = OUT_VERDICT;
                                out->verdict = lo.elem->verdict;
                                out->chain = lo.elem->chain;
                                out->match = m;
                                return 0;
                        }
                        if (lo.elem && lo.elem->data != UINT32_MAX)
                                nft_value_point(&v, s->pool + lo.elem->data, MIN(s->data_len, 16u));
                        else
                                nft_value_opaque(&v, MIN(s->data_len ?: 4, 16u));
                        reg_write(c, op->dreg, &v);
                        break;
                }
                case NFT_OP_IMMEDIATE:
                        if (op->dreg == NFT_REGNO_VERDICT) {
                                out->kind = OUT_VERDICT;
                                out->verdict = op->verdict;
                                out->chain = op->ref;
                                out->match = m;
                                return 0;
                        }
                        nft_value_point(&v, op->data, op->len);
                        reg_write(c, op->dreg, &v);
                        break;
                case NFT_OP_REJECT:
                        out->kind = OUT_REJECT;
                        out->match = m;
                        return 0;
                case NFT_OP_META_SET:
                        if (op->sub == NFT_META_MARK) {
                                reg_read(c, op->sreg, 4, &v);
                                if (m == NFT_MATCH_TRUE)
                                        c->ps.mark = v;
                                else
                                        nft_value_opaque(&c->ps.mark, 4);
                        }
                        break;
                case NFT_OP_NOTRACK:
                        if (m == NFT_MATCH_TRUE)
                                c->ps.untracked = true;
                        break;
                case NFT_OP_SOMETIMES:
                        m = nft_match_and(m, NFT_MATCH_PARTIAL);
                        break;
                case NFT_OP_OPAQUE:
                        nft_value_opaque(&v, op->len);
                        reg_write(c, op->dreg, &v);
                        break;
                case NFT_OP_RPF: { /* some interface: any value but all zeroes */
                        uint8_t lo[16] = {}, hi[16];

                        lo[op->len - 1] = 1;
                        memset(hi, 0xff, sizeof hi);
                        nft_value_range(&v, lo, hi, op->len);
                        reg_write(c, op->dreg, &v);
                        break;
                }
                case NFT_OP_XT_MATCH:
                        m = nft_match_and(m, xt_match(c, op));
                        if (m == NFT_MATCH_UNKNOWN && !c->ps.unknown)
                                c->ps.unknown = op->name;
                        break;
                case NFT_OP_XT_TARGET:
                        if (streq(op->name, "REJECT")) {
                                out->kind = OUT_REJECT;
                                out->match = m;
                                return 0;
                        }
                        if (streq(op->name, "LOG") || streq(op->name, "NFLOG"))
                                break;
                        out->kind = OUT_UNKNOWN;
                        out->unknown = op->name;
                        out->match = m;
                        return 0;
                case NFT_OP_UNKNOWN:
                default:
                        if (op->flags) { /* a load we cannot model */
                                nft_value_opaque(&v, op->len ?: 4);
                                v.unknown = true;
                                reg_write(c, op->dreg, &v);
                                c->ps.unknown = op->name;
                                break;
                        }
                        out->kind = OUT_UNKNOWN;
                        out->unknown = op->name;
                        out->match = m;
                        return 0;
                }
        }
        out->match = m;
        if (m == NFT_MATCH_UNKNOWN)
                out->unknown = c->ps.unknown ?: "an expression";
        return 0;
}

static bool skipped(const struct ctx *c, size_t chain, size_t rule) {
        for (size_t i = 0; i < c->n_skip; i++)
                if (c->skip[i].chain == chain && c->skip[i].rule == rule)
                        return true;
        return false;
}

enum {
        WALK_FALLTHROUGH,
        WALK_ACCEPT,
        WALK_DROP,
        WALK_REJECT,
        WALK_UNKNOWN,
};

static void note_partial(struct ctx *c, size_t chain, size_t rule) {
        if (c->res->n_partial < NFT_EVAL_MAX_PARTIAL)
                c->res->partial[c->res->n_partial++] = (struct nft_rule_ref) { chain, rule };
}

static int walk(struct ctx *c, size_t chain, unsigned depth) {
        const struct nft_chain *ch = &c->rs->chains[chain];

        if (depth > MAX_DEPTH) {
                c->res->unknown = "jumps nested too deeply";
                c->res->chain = chain;
                c->res->rule = SIZE_MAX;
                return WALK_UNKNOWN;
        }
        for (size_t i = 0; i < ch->n_rules; i++) {
                struct rule_out out;
                int r;

                if (skipped(c, chain, i))
                        continue;
                r = eval_rule(c, &ch->rules[i], &out);
                if (r < 0)
                        return r;
                if (out.match == NFT_MATCH_FALSE)
                        continue;
                if (out.kind == OUT_NONE) {
                        if (out.match == NFT_MATCH_UNKNOWN) {
                                /* a condition we cannot judge in a rule without verdict: harmless,
                                 * unless it only guards a side effect we follow (none do) */
                        }
                        continue;
                }
                if (out.kind == OUT_VERDICT && out.verdict == NFT_CONTINUE)
                        continue;
                if (out.match == NFT_MATCH_PARTIAL) {
                        note_partial(c, chain, i);
                        continue;
                }
                c->res->chain = chain;
                c->res->rule = i;
                if (out.match == NFT_MATCH_UNKNOWN || out.kind == OUT_UNKNOWN) {
                        c->res->unknown = out.unknown ?: c->ps.unknown ?: "an expression";
                        return WALK_UNKNOWN;
                }
                if (out.kind == OUT_REJECT)
                        return WALK_REJECT;
                switch (out.verdict) {
                case NF_ACCEPT:
                        return WALK_ACCEPT;
                case NF_DROP:
                        return WALK_DROP;
                case NFT_RETURN:
                        return WALK_FALLTHROUGH;
                case NFT_JUMP:
                case NFT_GOTO: {
                        int w;
                        if (out.chain >= c->rs->n_chains) {
                                c->res->unknown = "a jump to a chain that was not read";
                                return WALK_UNKNOWN;
                        }
                        w = walk(c, out.chain, depth + 1);
                        if (w != WALK_FALLTHROUGH)
                                return w;
                        if (out.verdict == NFT_GOTO)
                                return WALK_FALLTHROUGH;
                        continue;
                }
                default: /* queue, stolen, ... */
                        c->res->unknown = "a verdict other than accept, drop, jump, goto, return";
                        return WALK_UNKNOWN;
                }
        }
        return WALK_FALLTHROUGH;
}

static void ctx_init(struct ctx *c, struct nft_ruleset *rs, const struct nft_packet *p, struct nft_eval_result *res) {
        c->rs = rs;
        c->ps.p = p;
        c->res = res;
        memset(c->owner, -1, sizeof c->owner);
        nft_value_u32(&c->ps.mark, 0);
        c->ps.untracked = false;
}

int nft_eval_base_chain(struct nft_ruleset *rs, const struct nft_packet *p, size_t chain,
                        const struct nft_rule_ref *skip, size_t n_skip, struct nft_eval_result *ret) {
        struct nft_eval_result res = { .chain = chain, .rule = SIZE_MAX };
        struct ctx *c;
        int w;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        ctx_init(c, rs, p, &res);
        c->skip = skip;
        c->n_skip = n_skip;
        w = walk(c, chain, 0);
        free(c);
        if (w < 0)
                return w;
        switch (w) {
        case WALK_ACCEPT:
                res.verdict = NFT_VERDICT_ACCEPTED;
                break;
        case WALK_DROP:
                res.verdict = NFT_VERDICT_DROPPED;
                break;
        case WALK_REJECT:
                res.verdict = NFT_VERDICT_REJECTED;
                break;
        case WALK_UNKNOWN:
                res.verdict = NFT_VERDICT_UNKNOWN;
                break;
        default:
                res.by_policy = true;
                res.chain = chain;
                res.rule = SIZE_MAX;
                res.verdict = rs->chains[chain].policy == NF_DROP ? NFT_VERDICT_DROPPED : NFT_VERDICT_ACCEPTED;
        }
        *ret = res;
        return 0;
}

enum nft_match nft_eval_rule_match(struct nft_ruleset *rs, const struct nft_packet *p, size_t chain, size_t rule) {
        struct nft_eval_result res = {};
        struct rule_out out;
        struct ctx *c;

        c = calloc(1, sizeof(*c));
        if (!c)
                return NFT_MATCH_UNKNOWN;
        ctx_init(c, rs, p, &res);
        if (eval_rule(c, &rs->chains[chain].rules[rule], &out) < 0)
                out.match = NFT_MATCH_UNKNOWN;
        free(c);
        return out.match;
}

static unsigned hook_order(int family, uint32_t hooknum) {
        if (family == NFPROTO_NETDEV)
                return 0;
        return hooknum == NF_INET_INGRESS ? 0 : hooknum == NF_INET_PRE_ROUTING ? 1 : 2;
}

static int cmp_path(const void *a, const void *b, void *userdata) {
        const struct nft_ruleset *rs = userdata;
        const struct nft_chain *x = &rs->chains[*(const size_t *) a], *y = &rs->chains[*(const size_t *) b];
        unsigned hx = hook_order(rs->tables[x->table].family, x->hooknum),
                 hy = hook_order(rs->tables[y->table].family, y->hooknum);

        if (hx != hy)
                return hx < hy ? -1 : 1;
        if (x->prio != y->prio)
                return x->prio < y->prio ? -1 : 1;
        return *(const size_t *) a < *(const size_t *) b ? -1 : 1;
}

int nft_syn_path(const struct nft_ruleset *rs, const struct nft_packet *p, size_t **ret, size_t *ret_n) {
        size_t *path, n = 0;

        path = malloc(sizeof(size_t) * (rs->n_chains + 1));
        if (!path)
                return -ENOMEM;
        for (size_t i = 0; i < rs->n_chains; i++) {
                const struct nft_chain *ch = &rs->chains[i];
                const struct nft_table *t = &rs->tables[ch->table];
                bool dev_ok = !ch->dev || p->n_ifaces == 0;

                if (!ch->base || !ch->relevant || (t->flags & NFT_TABLE_F_DORMANT) || t->rules_not_read)
                        continue;
                if (!(t->family == NFPROTO_INET || t->family == p->nfproto || t->family == NFPROTO_NETDEV))
                        continue;
                for (size_t k = 0; ch->dev && k < p->n_ifaces; k++)
                        dev_ok = dev_ok || streq(p->ifaces[k].name, ch->dev);
                if ((t->family == NFPROTO_NETDEV || ch->hooknum == NF_INET_INGRESS) && !dev_ok)
                        continue;
                path[n++] = i;
        }
        qsort_r(path, n, sizeof(size_t), cmp_path, (void *) rs);
        *ret = path;
        *ret_n = n;
        return 0;
}
