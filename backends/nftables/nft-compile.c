/* Compiles rules into struct nft_op straight from their netlink attributes (libmnl): no
 * libnftnl object per rule and no allocation per expression, which is what a dump of 100k
 * rules spends its user time on otherwise. Rules built with libnftnl (tests) take the same
 * path through their NEWRULE message. What the evaluator cannot follow becomes NFT_OP_UNKNOWN
 * (or an unknown register load), so that it can name it instead of guessing. */

#include <netinet/in.h> /* before any linux/ header */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <string.h>

#include "nft-compile.h"
#include "util/macros.h"

#define MAX_OPS 64
#define MAX_ATTR 16

struct attrs {
        const struct nlattr *a[MAX_ATTR];
};

static int attr_cb(const struct nlattr *attr, void *data) {
        struct attrs *t = data;
        uint16_t type = mnl_attr_get_type(attr);

        if (type < MAX_ATTR)
                t->a[type] = attr;
        return MNL_CB_OK;
}

static int parse_nested(const struct nlattr *nest, struct attrs *ret) {
        memset(ret, 0, sizeof(*ret));
        return mnl_attr_parse_nested(nest, attr_cb, ret) < 0 ? -EBADMSG : 0;
}

static uint32_t u32_of(const struct attrs *t, uint16_t type) {
        const struct nlattr *a = t->a[type];
        return a && mnl_attr_get_payload_len(a) >= 4 ? ntohl(mnl_attr_get_u32(a)) : 0;
}

static bool has(const struct attrs *t, uint16_t type) {
        return t->a[type] != NULL;
}

static const char *str_of(const struct attrs *t, uint16_t type) {
        const struct nlattr *a = t->a[type];
        return a && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0 ? mnl_attr_get_str(a) : NULL;
}

/* NFTA_DATA_VALUE inside a data attribute; *ret_len 0 when absent. */
static void data_of(const struct attrs *t, uint16_t type, uint8_t *dst, uint8_t *ret_len) {
        struct attrs d;
        uint16_t len;

        if (ret_len)
                *ret_len = 0;
        if (!t->a[type] || parse_nested(t->a[type], &d) < 0 || !d.a[NFTA_DATA_VALUE])
                return;
        len = mnl_attr_get_payload_len(d.a[NFTA_DATA_VALUE]);
        if (len > 16)
                len = 16;
        memcpy(dst, mnl_attr_get_payload(d.a[NFTA_DATA_VALUE]), len);
        if (ret_len)
                *ret_len = (uint8_t) len;
}

static int reg_offset(uint32_t reg, uint8_t *ret) {
        if (reg == NFT_REG_VERDICT)
                *ret = NFT_REGNO_VERDICT;
        else if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
                *ret = (uint8_t) ((reg - NFT_REG_1) * 16);
        else if (reg >= NFT_REG32_00 && reg <= NFT_REG32_15)
                *ret = (uint8_t) ((reg - NFT_REG32_00) * 4);
        else
                return -EINVAL;
        return 0;
}

static const char *arena_strdup(struct nft_ruleset *rs, const char *s) {
        size_t n = strlen(s) + 1;
        char *p = nft_ruleset_arena_alloc(rs, n);

        if (p)
                memcpy(p, s, n);
        return p;
}

/* Expressions that only load a value we do not model: the register becomes unknown. */
static const struct {
        const char *name;
        uint16_t dreg;
} unknown_loads[] = {
        { "fib", NFTA_FIB_DREG },       { "rt", NFTA_RT_DREG },     { "socket", NFTA_SOCKET_DREG },
        { "osf", NFTA_OSF_DREG },       { "exthdr", NFTA_EXTHDR_DREG }, { "xfrm", NFTA_XFRM_DREG },
        { "tunnel", NFTA_TUNNEL_DREG },
};

/* Statements with no effect on the verdict of this packet. */
static const char *const no_effect[] = { "counter", "log", "last", "dup", "flow_offload", "flowtable" };

/* Conditions that hold for some packets only (rates, quotas, connection counts). */
static const char *const sometimes[] = { "limit", "quota", "connlimit" };

static bool in_list(const char *name, const char *const *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (streq(name, list[i]))
                        return true;
        return false;
}

/* Returns 1 when *op is to be kept, 0 to skip the expression. */
static int compile_expr(struct nft_ruleset *rs, size_t table, const char *name, const struct attrs *t,
                        struct nft_op *op) {
        int r = 0;

        *op = (struct nft_op) { .kind = NFT_OP_UNKNOWN, .name = NULL };
        switch (name[0]) { /* the common ones first, without a string compare chain */
        case 'p':
                if (streq(name, "payload")) {
                        if (has(t, NFTA_PAYLOAD_SREG))
                                goto unknown; /* rewriting the packet */
                        op->kind = NFT_OP_PAYLOAD;
                        op->sub = (uint8_t) u32_of(t, NFTA_PAYLOAD_BASE);
                        op->arg = (uint16_t) u32_of(t, NFTA_PAYLOAD_OFFSET);
                        op->len = (uint8_t) u32_of(t, NFTA_PAYLOAD_LEN);
                        r = reg_offset(u32_of(t, NFTA_PAYLOAD_DREG), &op->dreg);
                        goto done;
                }
                break;
        case 'c':
                if (streq(name, "cmp")) {
                        op->kind = NFT_OP_CMP;
                        op->sub = (uint8_t) u32_of(t, NFTA_CMP_OP);
                        data_of(t, NFTA_CMP_DATA, op->data, &op->len);
                        r = reg_offset(u32_of(t, NFTA_CMP_SREG), &op->sreg);
                        goto done;
                }
                if (streq(name, "ct")) {
                        if (has(t, NFTA_CT_SREG))
                                return 0; /* ct mark set ...: not followed */
                        op->kind = NFT_OP_CT;
                        op->sub = (uint8_t) u32_of(t, NFTA_CT_KEY);
                        op->flags = has(t, NFTA_CT_DIRECTION) ? mnl_attr_get_u8(t->a[NFTA_CT_DIRECTION]) : 0xff;
                        r = reg_offset(u32_of(t, NFTA_CT_DREG), &op->dreg);
                        goto done;
                }
                break;
        case 'm':
                if (streq(name, "meta")) {
                        op->sub = (uint8_t) u32_of(t, NFTA_META_KEY);
                        if (has(t, NFTA_META_SREG)) {
                                op->kind = NFT_OP_META_SET;
                                r = reg_offset(u32_of(t, NFTA_META_SREG), &op->sreg);
                        } else {
                                op->kind = NFT_OP_META;
                                r = reg_offset(u32_of(t, NFTA_META_DREG), &op->dreg);
                        }
                        goto done;
                }
                break;
        case 'i':
                if (streq(name, "immediate")) {
                        op->kind = NFT_OP_IMMEDIATE;
                        r = reg_offset(u32_of(t, NFTA_IMMEDIATE_DREG), &op->dreg);
                        if (r >= 0 && op->dreg == NFT_REGNO_VERDICT) {
                                struct attrs d, v;
                                if (!has(t, NFTA_IMMEDIATE_DATA) || parse_nested(t->a[NFTA_IMMEDIATE_DATA], &d) < 0 ||
                                    !d.a[NFTA_DATA_VERDICT] || parse_nested(d.a[NFTA_DATA_VERDICT], &v) < 0)
                                        goto unknown;
                                op->verdict = (int32_t) u32_of(&v, NFTA_VERDICT_CODE);
                                op->ref = UINT32_MAX;
                                if (op->verdict == NFT_JUMP || op->verdict == NFT_GOTO) {
                                        ssize_t c = nft_ruleset_find_chain(rs, table, str_of(&v, NFTA_VERDICT_CHAIN));
                                        if (c < 0)
                                                goto unknown;
                                        op->ref = (uint32_t) c;
                                }
                        } else
                                data_of(t, NFTA_IMMEDIATE_DATA, op->data, &op->len);
                        goto done;
                }
                break;
        default:
                break;
        }

        if (in_list(name, no_effect, ELEMENTSOF(no_effect)))
                return 0;
        if (in_list(name, sometimes, ELEMENTSOF(sometimes))) {
                op->kind = NFT_OP_SOMETIMES;
                op->name = arena_strdup(rs, name);
                return 1;
        }
        if (streq(name, "range")) {
                op->kind = NFT_OP_RANGE;
                op->sub = (uint8_t) u32_of(t, NFTA_RANGE_OP);
                data_of(t, NFTA_RANGE_FROM_DATA, op->data, &op->len);
                data_of(t, NFTA_RANGE_TO_DATA, op->data2, NULL);
                r = reg_offset(u32_of(t, NFTA_RANGE_SREG), &op->sreg);
        } else if (streq(name, "bitwise")) {
                op->kind = NFT_OP_BITWISE;
                op->sub = has(t, NFTA_BITWISE_OP) ? (uint8_t) u32_of(t, NFTA_BITWISE_OP) : NFT_BITWISE_BOOL;
                op->len = (uint8_t) u32_of(t, NFTA_BITWISE_LEN);
                if (op->len > 16)
                        goto unknown;
                data_of(t, NFTA_BITWISE_MASK, op->data, NULL);
                data_of(t, NFTA_BITWISE_XOR, op->data2, NULL);
                if (op->sub != NFT_BITWISE_BOOL) {
                        uint8_t shift[16] = {};
                        data_of(t, NFTA_BITWISE_DATA, shift, NULL);
                        op->arg = shift[0];
                }
                r = reg_offset(u32_of(t, NFTA_BITWISE_SREG), &op->sreg);
                if (r >= 0)
                        r = reg_offset(u32_of(t, NFTA_BITWISE_DREG), &op->dreg);
        } else if (streq(name, "byteorder")) {
                op->kind = NFT_OP_BYTEORDER;
                op->sub = (uint8_t) u32_of(t, NFTA_BYTEORDER_OP);
                op->len = (uint8_t) u32_of(t, NFTA_BYTEORDER_LEN);
                op->arg = (uint16_t) u32_of(t, NFTA_BYTEORDER_SIZE);
                if (op->len > 16)
                        goto unknown;
                r = reg_offset(u32_of(t, NFTA_BYTEORDER_SREG), &op->sreg);
                if (r >= 0)
                        r = reg_offset(u32_of(t, NFTA_BYTEORDER_DREG), &op->dreg);
        } else if (streq(name, "lookup")) {
                ssize_t s = nft_ruleset_find_set(rs, table, str_of(t, NFTA_LOOKUP_SET));

                if (s < 0)
                        goto unknown;
                op->kind = NFT_OP_LOOKUP;
                op->ref = (uint32_t) s;
                op->flags = (u32_of(t, NFTA_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV) != 0;
                op->dreg = 0xfe; /* none */
                r = reg_offset(u32_of(t, NFTA_LOOKUP_SREG), &op->sreg);
                if (r >= 0 && has(t, NFTA_LOOKUP_DREG))
                        r = reg_offset(u32_of(t, NFTA_LOOKUP_DREG), &op->dreg);
        } else if (streq(name, "reject")) {
                op->kind = NFT_OP_REJECT;
                op->sub = (uint8_t) u32_of(t, NFTA_REJECT_TYPE);
        } else if (streq(name, "notrack")) {
                op->kind = NFT_OP_NOTRACK;
        } else if (streq(name, "objref")) {
                uint32_t type = u32_of(t, NFTA_OBJREF_IMM_TYPE);
                if (type == NFT_OBJECT_COUNTER)
                        return 0;
                if (type == NFT_OBJECT_QUOTA || type == NFT_OBJECT_LIMIT || type == NFT_OBJECT_CONNLIMIT)
                        op->kind = NFT_OP_SOMETIMES;
                goto unknown_named;
        } else if (streq(name, "dynset")) {
                if (!has(t, NFTA_DYNSET_EXPR) && !has(t, NFTA_DYNSET_EXPRESSIONS))
                        return 0; /* only adds to a set */
                op->kind = NFT_OP_SOMETIMES;
                goto unknown_named;
        } else if (streq(name, "fib") && (u32_of(t, NFTA_FIB_FLAGS) & NFTA_FIB_F_SADDR) &&
                   !(u32_of(t, NFTA_FIB_FLAGS) & NFTA_FIB_F_DADDR) &&
                   (u32_of(t, NFTA_FIB_RESULT) == NFT_FIB_RESULT_OIF ||
                    u32_of(t, NFTA_FIB_RESULT) == NFT_FIB_RESULT_OIFNAME)) {
                /* A reverse-path check (firewalld's and Debian's rpfilter): which interface the
                 * route back to the source leaves by. A client the host has no route back to
                 * cannot complete a handshake at all, so for every client that can, the
                 * result is some interface: never 0 / missing. (With iif in the key, asymmetric
                 * routing would fail it: out of scope.) */
                uint32_t flags = u32_of(t, NFTA_FIB_FLAGS);

                op->kind = NFT_OP_RPF;
                op->len = flags & NFTA_FIB_F_PRESENT ? 1
                          : u32_of(t, NFTA_FIB_RESULT) == NFT_FIB_RESULT_OIF ? 4 : 16;
                r = reg_offset(u32_of(t, NFTA_FIB_DREG), &op->dreg);
        } else if (streq(name, "numgen") || streq(name, "hash")) {
                op->kind = NFT_OP_OPAQUE;
                op->len = 4;
                r = reg_offset(u32_of(t, streq(name, "numgen") ? NFTA_NG_DREG : NFTA_HASH_DREG), &op->dreg);
        } else if (streq(name, "match") || streq(name, "target")) {
                bool match = streq(name, "match");
                const struct nlattr *info = t->a[match ? NFTA_MATCH_INFO : NFTA_TARGET_INFO];
                const char *xname = str_of(t, match ? NFTA_MATCH_NAME : NFTA_TARGET_NAME);

                op->kind = match ? NFT_OP_XT_MATCH : NFT_OP_XT_TARGET;
                op->name = arena_strdup(rs, xname ?: "?");
                op->sub = (uint8_t) u32_of(t, match ? NFTA_MATCH_REV : NFTA_TARGET_REV);
                if (info && mnl_attr_get_payload_len(info) > 0) {
                        uint32_t len = mnl_attr_get_payload_len(info);
                        uint8_t *b = nft_ruleset_arena_alloc(rs, len);
                        if (!b)
                                return -ENOMEM;
                        memcpy(b, mnl_attr_get_payload(info), len);
                        op->blob = b;
                        op->blob_len = len;
                }
        } else {
                for (size_t i = 0; i < ELEMENTSOF(unknown_loads); i++)
                        if (streq(name, unknown_loads[i].name) && has(t, unknown_loads[i].dreg)) {
                                /* op->kind stays NFT_OP_UNKNOWN, with a destination register */
                                op->len = streq(name, "exthdr") ? (uint8_t) u32_of(t, NFTA_EXTHDR_LEN) : 4;
                                op->flags = 1;
                                if (reg_offset(u32_of(t, unknown_loads[i].dreg), &op->dreg) < 0)
                                        op->flags = 0; /* not a register we know: it loads nothing */
                                break;
                        }
                goto unknown_named;
        }
done:
        if (r < 0)
                goto unknown;
        return 1;
unknown:
        op->kind = NFT_OP_UNKNOWN;
        op->flags = 0;
unknown_named:
        op->name = arena_strdup(rs, name);
        return op->name ? 1 : -ENOMEM;
}

static int comment_cb(const struct nftnl_udata *attr, void *data) {
        const char *v = nftnl_udata_get(attr);
        uint8_t len = nftnl_udata_len(attr);

        if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT && len > 0 && v[len - 1] == 0)
                *(const char **) data = v;
        return 0;
}

int nft_compile_exprs(struct nft_ruleset *rs, size_t table, const struct nlattr *exprs, const struct nlattr *userdata,
                      struct nft_rule *ret) {
        struct nft_op ops[MAX_OPS];
        const struct nlattr *elem;
        size_t n = 0;

        if (exprs)
                mnl_attr_for_each_nested(elem, exprs) {
                        struct attrs e, data;
                        const char *name;
                        int k;

                        if (mnl_attr_get_type(elem) != NFTA_LIST_ELEM || parse_nested(elem, &e) < 0)
                                return -EBADMSG;
                        name = str_of(&e, NFTA_EXPR_NAME);
                        if (!name)
                                return -EBADMSG;
                        if (e.a[NFTA_EXPR_DATA]) {
                                if (parse_nested(e.a[NFTA_EXPR_DATA], &data) < 0)
                                        return -EBADMSG;
                        } else
                                memset(&data, 0, sizeof data);
                        if (n == MAX_OPS) {
                                ops[n - 1] = (struct nft_op) { .kind = NFT_OP_UNKNOWN, .name = "too many expressions" };
                                break;
                        }
                        k = compile_expr(rs, table, name, &data, &ops[n]);
                        if (k < 0)
                                return k;
                        n += (size_t) k;
                }

        ret->n_ops = (uint16_t) n;
        ret->ops = nft_ruleset_arena_alloc(rs, sizeof(struct nft_op) * (n ?: 1));
        if (!ret->ops)
                return -ENOMEM;
        memcpy(ret->ops, ops, sizeof(struct nft_op) * n);

        ret->comment = NULL;
        if (userdata) {
                const char *comment = NULL;
                if (nftnl_udata_parse(mnl_attr_get_payload(userdata), mnl_attr_get_payload_len(userdata), comment_cb,
                                      &comment) >= 0 && comment)
                        ret->comment = arena_strdup(rs, comment);
        }
        return 0;
}
