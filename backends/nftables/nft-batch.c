/* Batches and the step operations. Each apply() is one batch with a generation check: the
 * first step of a run checks the generation the probe read (carried in the step), later
 * steps the generation our own previous batch produced, so that any change made by someone
 * else since the probe aborts the step before it changes anything. */

#include <netinet/in.h> /* before any linux/ header */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nft-batch.h"
#include "nft-persist.h"
#include "nft-ruleset.h"
#include "util/log.h"
#include "util/strv.h"

#define RULE_COMMENT "sshrepair"
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

static int reserve(struct nft_batch *b, size_t n) {
        char *nb;
        size_t a;

        if (b->len + n <= b->alloc)
                return 0;
        a = b->alloc ? b->alloc : 64 * 1024;
        while (a < b->len + n)
                a *= 2;
        nb = realloc(b->buf, a);
        if (!nb)
                return -ENOMEM;
        memset(nb + b->len, 0, a - b->len);
        b->buf = nb;
        b->alloc = a;
        return 0;
}

static struct nlmsghdr *put_batch_hdr(struct nft_batch *b, uint16_t type) {
        struct nlmsghdr *nlh;
        struct nfgenmsg *nfg;

        if (reserve(b, 256) < 0)
                return NULL;
        nlh = mnl_nlmsg_put_header(b->buf + b->len);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST;
        nlh->nlmsg_seq = b->seq++;
        nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
        nfg->nfgen_family = AF_UNSPEC;
        nfg->version = NFNETLINK_V0;
        nfg->res_id = htons(NFNL_SUBSYS_NFTABLES);
        return nlh;
}

int nft_batch_begin(struct nft_batch *b, uint32_t seq, uint32_t genid) {
        struct nlmsghdr *nlh;

        *b = (struct nft_batch) { .seq = seq };
        nlh = put_batch_hdr(b, NFNL_MSG_BATCH_BEGIN);
        if (!nlh)
                return -ENOMEM;
        if (genid)
                mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
        b->len += NLMSG_ALIGN(nlh->nlmsg_len);
        return 0;
}

struct nlmsghdr *nft_batch_msg(struct nft_batch *b, uint16_t type, int family, uint16_t flags, size_t max) {
        if (reserve(b, max + 256) < 0)
                return NULL;
        return nftnl_nlmsg_build_hdr(b->buf + b->len, type, (uint16_t) family, flags, b->seq++);
}

void nft_batch_commit_msg(struct nft_batch *b, struct nlmsghdr *nlh) {
        b->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

int nft_batch_end(struct nft_batch *b) {
        struct nlmsghdr *nlh = put_batch_hdr(b, NFNL_MSG_BATCH_END);

        if (!nlh)
                return -ENOMEM;
        b->len += NLMSG_ALIGN(nlh->nlmsg_len);
        return 0;
}

void nft_batch_done(struct nft_batch *b) {
        free(b->buf);
        *b = (struct nft_batch) {};
}

int nft_batch_send(struct nft_nl *n, struct nft_batch *b) {
        int fd = mnl_socket_get_fd(n->nl), first = 0;

        if (b->len > 200 * 1024) { /* big restores: let the kernel take it in one send */
                int size = (int) MIN(b->len * 2, (size_t) INT32_MAX);
                if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
                        (void) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
        }
        if (mnl_socket_sendto(n->nl, b->buf, b->len) < 0)
                return -errno;
        /* The kernel runs the batch while we send it: its answers (errors only, we asked for no
         * acks) are queued by now. */
        for (;;) {
                ssize_t len = recv(fd, n->buf, n->buf_size, MSG_DONTWAIT);
                int r;

                if (len < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                break;
                        return -errno;
                }
                errno = 0;
                r = mnl_cb_run(n->buf, (size_t) len, 0, n->portid, NULL, NULL);
                if (r < 0 && first == 0)
                        first = errno ? -errno : -EIO;
        }
        return first;
}

static void add_cmp(struct nftnl_rule *r, const void *data, uint32_t len) {
        struct nftnl_expr *e = nftnl_expr_alloc("cmp");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
        nftnl_rule_add_expr(r, e);
}

static void add_meta(struct nftnl_rule *r, uint32_t key) {
        struct nftnl_expr *e = nftnl_expr_alloc("meta");
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
        nftnl_rule_add_expr(r, e);
}

static void add_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len) {
        struct nftnl_expr *e = nftnl_expr_alloc("payload");
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
        nftnl_rule_add_expr(r, e);
}

struct nftnl_rule *nft_build_accept_rule(int family, const char *table, const char *chain, uint16_t port,
                                         const struct cidr *from) {
        struct nftnl_rule *r = nftnl_rule_alloc();
        struct nftnl_udata_buf *ud;
        struct nftnl_expr *e;
        uint16_t be = htons(port);
        uint8_t proto = IPPROTO_TCP;

        if (!r)
                return NULL;
        nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t) family);
        nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
        nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
        if (from && from->family) {
                bool v4 = from->family == AF_INET;
                size_t alen = v4 ? 4 : 16;
                uint8_t addr[16] = {}, mask[16] = {}, zero[16] = {};

                if (family == NFPROTO_INET) {
                        uint8_t nfproto = v4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
                        add_meta(r, NFT_META_NFPROTO);
                        add_cmp(r, &nfproto, 1);
                }
                memcpy(addr, &from->addr, alen);
                for (size_t i = 0; i < alen; i++) {
                        unsigned bits = from->prefixlen > i * 8 ? MIN(from->prefixlen - (unsigned) i * 8, 8u) : 0;
                        mask[i] = (uint8_t) (bits ? 0xff << (8 - bits) : 0);
                        addr[i] &= mask[i];
                }
                add_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v4 ? 12 : 8, (uint32_t) alen);
                if (from->prefixlen < alen * 8) {
                        e = nftnl_expr_alloc("bitwise");
                        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
                        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
                        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, (uint32_t) alen);
                        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, (uint32_t) alen);
                        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, (uint32_t) alen);
                        nftnl_rule_add_expr(r, e);
                }
                add_cmp(r, addr, (uint32_t) alen);
        }
        add_meta(r, NFT_META_L4PROTO);
        add_cmp(r, &proto, 1);
        add_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
        add_cmp(r, &be, 2);
        e = nftnl_expr_alloc("immediate");
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
        nftnl_rule_add_expr(r, e);

        ud = nftnl_udata_buf_alloc(64);
        if (ud) {
                nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, RULE_COMMENT);
                nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
                nftnl_udata_buf_free(ud);
        }
        return r;
}

const char *nft_step_arg(const struct step *s, const char *key) {
        size_t n = strlen(key);

        for (char **a = s->args; a && *a; a++)
                if (strncmp(*a, key, n) == 0 && (*a)[n] == '=')
                        return *a + n + 1;
        return NULL;
}

static int parse_u64(const char *s, uint64_t *ret) {
        char *end;
        unsigned long long v;

        if (!s || !*s)
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_from(const char *s, struct cidr *ret) {
        char addr[INET6_ADDRSTRLEN + 1];
        const char *slash;
        uint64_t len;

        *ret = (struct cidr) {};
        if (!s || !*s)
                return 0;
        slash = strchr(s, '/');
        if (!slash || (size_t) (slash - s) >= sizeof addr || parse_u64(slash + 1, &len) < 0)
                return -EINVAL;
        memcpy(addr, s, (size_t) (slash - s));
        addr[slash - s] = 0;
        if (inet_pton(AF_INET, addr, &ret->addr.in) == 1 && len <= 32)
                ret->family = AF_INET;
        else if (inet_pton(AF_INET6, addr, &ret->addr.in6) == 1 && len <= 128)
                ret->family = AF_INET6;
        else
                return -EINVAL;
        ret->prefixlen = (unsigned) len;
        return 0;
}

/* The generation our last batch produced: the next step checks it. */
static uint32_t next_genid;
static bool have_next_genid;
/* Whether this process applied steps, and whether any of them changed something. */
static bool tried, changed;

static bool is_rule_step(const struct step *s) {
        return streq(s->operation, "delete-rule") || streq(s->operation, "insert-rule") ||
               streq(s->operation, "add-rule");
}

/* Appends the message of one rule step to the batch. */
static int batch_rule_step(struct nft_batch *b, const struct step *s) {
        const char *family_s = nft_step_arg(s, "family"), *table = nft_step_arg(s, "table"),
                   *chain = nft_step_arg(s, "chain");
        uint64_t handle = 0, port = 0;
        struct nftnl_rule *rule;
        struct nlmsghdr *nlh;
        struct cidr from;
        uint16_t type, flags;
        int family;

        family = nft_family_from_string(family_s);
        if (family < 0 || !table || !chain)
                return -EINVAL;
        if (streq(s->operation, "delete-rule")) {
                if (parse_u64(nft_step_arg(s, "handle"), &handle) < 0)
                        return -EINVAL;
                rule = nftnl_rule_alloc();
                if (!rule)
                        return -ENOMEM;
                nftnl_rule_set_u32(rule, NFTNL_RULE_FAMILY, (uint32_t) family);
                nftnl_rule_set_str(rule, NFTNL_RULE_TABLE, table);
                nftnl_rule_set_str(rule, NFTNL_RULE_CHAIN, chain);
                nftnl_rule_set_u64(rule, NFTNL_RULE_HANDLE, handle);
                type = NFT_MSG_DELRULE;
                flags = 0;
        } else {
                if (parse_u64(nft_step_arg(s, "port"), &port) < 0 || port == 0 || port > 65535 ||
                    parse_from(nft_step_arg(s, "from"), &from) < 0)
                        return -EINVAL;
                if (streq(s->operation, "insert-rule") && parse_u64(nft_step_arg(s, "position"), &handle) < 0)
                        return -EINVAL;
                rule = nft_build_accept_rule(family, table, chain, (uint16_t) port, &from);
                if (!rule)
                        return -ENOMEM;
                if (handle)
                        nftnl_rule_set_u64(rule, NFTNL_RULE_POSITION, handle);
                type = NFT_MSG_NEWRULE;
                flags = streq(s->operation, "add-rule") ? NLM_F_CREATE | NLM_F_APPEND : NLM_F_CREATE;
        }
        nlh = nft_batch_msg(b, type, family, flags, 4096);
        if (nlh) {
                nftnl_rule_nlmsg_build_payload(nlh, rule);
                nft_batch_commit_msg(b, nlh);
        }
        nftnl_rule_free(rule);
        return nlh ? 0 : -ENOMEM;
}

/* All rule steps in one batch: the kernel applies all of them or none. The batch checks the
 * generation the probe read (or the one our own previous batch produced). */
static int apply_rule_steps(const struct step *const *steps, size_t n, char ***ret_details) {
        uint64_t genid = 0;
        struct nft_batch b = {};
        struct nft_nl nl = {};
        uint32_t expect;
        int r;

        if (n == 0)
                return 0;
        if (parse_u64(nft_step_arg(steps[0], "genid"), &genid) < 0)
                return -EINVAL;
        expect = have_next_genid ? next_genid : (uint32_t) genid;

        r = nft_nl_open(&nl);
        if (r >= 0)
                r = nft_batch_begin(&b, nl.seq + 1, expect);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = batch_rule_step(&b, steps[i]);
        if (r >= 0)
                r = nft_batch_end(&b);
        if (r >= 0)
                r = nft_batch_send(&nl, &b);
        if (r >= 0) {
                next_genid = expect + 1 ?: 1;
                have_next_genid = true;
                changed = true;
        } else if (ret_details && r == -ERESTART)
                (void) strv_extendf(ret_details, "the ruleset changed since it was read (generation %u expected): "
                                    "the batch of %zu change(s) was refused, nothing was changed", expect, n);
        else if (ret_details)
                (void) strv_extendf(ret_details, "the kernel refused the batch of %zu change(s) (generation %u): %s", n,
                                    expect, strerror(-r));
        nft_batch_done(&b);
        if (nl.nl)
                nft_nl_close(&nl);
        return r;
}

int nft_backend_apply(const struct options *o, const struct step *s, char ***ret_details) {
        size_t failed;

        return nft_backend_apply_group(o, &s, 1, &failed, ret_details);
}

int nft_backend_apply_group(const struct options *o, const struct step *const *steps, size_t n, size_t *ret_failed,
                            char ***ret_details) {
        _cleanup_free_ const struct step **rules = NULL;
        size_t n_rules = 0, first_rule = 0;
        int r;

        *ret_failed = 0;
        tried = true;
        rules = calloc(n ?: 1, sizeof(*rules));
        if (!rules)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (is_rule_step(steps[i])) {
                        if (options_offline(o)) {
                                /* the kernel here is not the tree's: only its files are */
                                *ret_failed = i;
                                if (ret_details)
                                        (void) strv_extend(ret_details, "offline (--root): the running kernel's ruleset is not the tree's; not changed");
                                return -EOPNOTSUPP;
                        }
                        if (n_rules == 0)
                                first_rule = i;
                        rules[n_rules++] = steps[i];
                } else if (!streq(steps[i]->operation, "persist")) {
                        *ret_failed = i;
                        return -EOPNOTSUPP;
                }
        }
        r = apply_rule_steps(rules, n_rules, ret_details);
        if (r < 0) {
                *ret_failed = first_rule;
                return r;
        }
        /* The file only once the kernel took the change: a refused batch leaves both as they were. */
        for (size_t i = 0; i < n; i++) {
                if (is_rule_step(steps[i]))
                        continue;
                r = nft_conf_apply(o, steps[i], ret_details);
                if (r < 0) {
                        *ret_failed = i;
                        return r;
                }
                changed = true;
        }
        return 0;
}

bool nft_backend_changed_nothing(const struct options *o) {
        return tried && !changed;
}

void nft_batch_reset_genid(void) {
        have_next_genid = false;
        tried = changed = false;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *nft_base64_encode(const void *data, size_t len) {
        const uint8_t *d = data;
        char *out = malloc((len + 2) / 3 * 4 + 1), *p = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i += 3) {
                uint32_t v = (uint32_t) d[i] << 16 | (i + 1 < len ? (uint32_t) d[i + 1] << 8 : 0) |
                             (i + 2 < len ? d[i + 2] : 0);
                *p++ = b64[v >> 18 & 63];
                *p++ = b64[v >> 12 & 63];
                *p++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
                *p++ = i + 2 < len ? b64[v & 63] : '=';
        }
        *p = 0;
        return out;
}

int nft_base64_decode(const char *s, size_t n, uint8_t **ret, size_t *ret_len) {
        uint8_t *out = malloc(n / 4 * 3 + 3);
        size_t o = 0;
        uint32_t acc = 0;
        int bits = 0;

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const char *p;
                if (s[i] == '=')
                        break;
                p = strchr(b64, s[i]);
                if (!p || !s[i]) {
                        free(out);
                        return -EINVAL;
                }
                acc = acc << 6 | (uint32_t) (p - b64);
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[o++] = (uint8_t) (acc >> bits);
                }
        }
        *ret = out;
        *ret_len = o;
        return 0;
}
