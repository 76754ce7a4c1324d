/* Netlink dumps of the ruleset. Each object type is dumped once; every message is parsed into
 * a short-lived libnftnl object, compiled into the ruleset and freed at once. Rules of chains
 * the SYN never sees are skipped after reading only their table and chain names. */

#include <netinet/in.h> /* before any linux/ header */
#include <errno.h>
#include <stdio.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nft-dump.h"
#include "util/macros.h"

/* The kernel fills at most ~32 KiB per dump round; a bigger buffer gains nothing. */
#define NFT_NL_BUFSIZE (64u * 1024u)

int nft_nl_open(struct nft_nl *n) {
        *n = (struct nft_nl) {};
        n->nl = mnl_socket_open(NETLINK_NETFILTER);
        if (!n->nl)
                return -errno;
        if (mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                int r = -errno;
                mnl_socket_close(n->nl);
                n->nl = NULL;
                return r;
        }
        n->portid = mnl_socket_get_portid(n->nl);
        n->seq = (uint32_t) time(NULL);
        n->buf_size = NFT_NL_BUFSIZE;
        n->buf = malloc(n->buf_size);
        if (!n->buf) {
                nft_nl_close(n);
                return -ENOMEM;
        }
        return 0;
}

void nft_nl_close(struct nft_nl *n) {
        if (n->nl)
                mnl_socket_close(n->nl);
        free(n->buf);
        *n = (struct nft_nl) {};
}

static int run(struct nft_nl *n, struct nlmsghdr *req, mnl_cb_t cb, void *data, bool single) {
        uint32_t seq = req->nlmsg_seq;
        int r;

        if (mnl_socket_sendto(n->nl, req, req->nlmsg_len) < 0)
                return -errno;
        for (;;) {
                ssize_t len = mnl_socket_recvfrom(n->nl, n->buf, n->buf_size);

                if (len < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                errno = 0;
                r = mnl_cb_run(n->buf, (size_t) len, seq, n->portid, cb, data);
                if (r < 0)
                        return errno > 0 ? -errno : -EIO;
                if (r == MNL_CB_STOP || single)
                        return 0;
        }
}

int nft_nl_dump(struct nft_nl *n, struct nlmsghdr *req, mnl_cb_t cb, void *data) {
        return run(n, req, cb, data, false);
}

static int gen_cb(const struct nlmsghdr *nlh, void *data) {
        struct nftnl_gen *g = nftnl_gen_alloc();

        if (!g)
                return MNL_CB_ERROR;
        if (nftnl_gen_nlmsg_parse(nlh, g) < 0) {
                nftnl_gen_free(g);
                errno = EBADMSG;
                return MNL_CB_ERROR;
        }
        *(uint32_t *) data = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
        nftnl_gen_free(g);
        return MNL_CB_OK;
}

int nft_nl_genid(struct nft_nl *n, uint32_t *ret) {
        char buf[8192];
        struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, ++n->seq);
        uint32_t id = 0;
        int r;

        r = run(n, nlh, gen_cb, &id, true);
        if (r < 0)
                return r;
        *ret = id;
        return 0;
}

struct dump_ctx {
        struct nft_ruleset *rs;
        int error;
};

static int fail(struct dump_ctx *d, int error) {
        d->error = error;
        errno = -error;
        return MNL_CB_ERROR;
}

#define CHECK_INTR(nlh, d) \
        do { \
                if ((nlh)->nlmsg_flags & NLM_F_DUMP_INTR) \
                        return fail((d), -EINTR); \
        } while (0)

static int table_cb(const struct nlmsghdr *nlh, void *data) {
        struct dump_ctx *d = data;
        struct nftnl_table *t = nftnl_table_alloc();
        int r;

        CHECK_INTR(nlh, d);
        if (!t)
                return fail(d, -ENOMEM);
        r = nftnl_table_nlmsg_parse(nlh, t) < 0 ? -EBADMSG : nft_ruleset_add_table(d->rs, t);
        nftnl_table_free(t);
        return r < 0 ? fail(d, r) : MNL_CB_OK;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data) {
        struct dump_ctx *d = data;
        struct nftnl_chain *c = nftnl_chain_alloc();
        int r;

        CHECK_INTR(nlh, d);
        if (!c)
                return fail(d, -ENOMEM);
        r = nftnl_chain_nlmsg_parse(nlh, c) < 0 ? -EBADMSG : nft_ruleset_add_chain(d->rs, c);
        nftnl_chain_free(c);
        return r < 0 ? fail(d, r) : MNL_CB_OK;
}

static int set_cb(const struct nlmsghdr *nlh, void *data) {
        struct dump_ctx *d = data;
        struct nftnl_set *s = nftnl_set_alloc();
        int r;

        CHECK_INTR(nlh, d);
        if (!s)
                return fail(d, -ENOMEM);
        r = nftnl_set_nlmsg_parse(nlh, s) < 0 ? -EBADMSG : nft_ruleset_add_set(d->rs, s);
        nftnl_set_free(s);
        return r < 0 ? fail(d, r) : MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data) {
        struct dump_ctx *d = data;
        int k;

        CHECK_INTR(nlh, d);
        k = nft_ruleset_add_rule_msg(d->rs, nlh);
        return k < 0 ? fail(d, k) : MNL_CB_OK;
}

static int dump_type(struct nft_nl *n, uint16_t type, mnl_cb_t cb, struct dump_ctx *d) {
        char buf[8192];
        struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_UNSPEC, NLM_F_DUMP, ++n->seq);
        int r;

        r = nft_nl_dump(n, nlh, cb, d);
        if (r < 0 && d->error < 0)
                r = d->error;
        /* a dump cut short leaves unread answers behind: drain them */
        return r;
}

/* The rules of one table: the kernel filters by table, so the rules of the tables we skip
 * are never even serialized. */
static int dump_table_rules(struct nft_nl *n, const struct nft_table *t, struct dump_ctx *d) {
        char buf[8192];
        struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, (uint16_t) t->family, NLM_F_DUMP, ++n->seq);
        int r;

        mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, t->name);
        r = nft_nl_dump(n, nlh, rule_cb, d);
        if (r < 0 && d->error < 0)
                r = d->error;
        return r;
}

/* iptables-nft's tables (and ufw's, through it) are read and evaluated by the iptables
 * backend from iptables-save: reading their rules here too would double the cost of a big
 * ruleset. They are still listed as foreign tables. */
static bool skip_rules_of(const struct nft_table *t) {
        return t->owner == NFT_OWNER_IPTABLES || t->owner == NFT_OWNER_UFW;
}

static int dump_rules(struct nft_nl *n, struct nft_ruleset *rs, struct dump_ctx *d) {
        size_t skipped = 0;
        int r;

        for (size_t i = 0; i < rs->n_tables; i++)
                if (skip_rules_of(&rs->tables[i])) {
                        rs->tables[i].rules_not_read = true;
                        skipped++;
                }
        if (skipped == 0)
                return dump_type(n, NFT_MSG_GETRULE, rule_cb, d);
        for (size_t i = 0; i < rs->n_tables; i++) {
                if (rs->tables[i].rules_not_read)
                        continue;
                r = dump_table_rules(n, &rs->tables[i], d);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int elems_cb(const struct nlmsghdr *nlh, void *data) {
        struct nftnl_set *s = data;

        if (nftnl_set_elems_nlmsg_parse(nlh, s) < 0) {
                errno = EBADMSG;
                return MNL_CB_ERROR;
        }
        return MNL_CB_OK;
}

int nft_dump_set_elems(struct nft_nl *n, int family, const char *table, const char *set, struct nftnl_set **ret) {
        char buf[8192];
        struct nftnl_set *s;
        struct nlmsghdr *nlh;
        int r;

        s = nftnl_set_alloc();
        if (!s)
                return -ENOMEM;
        nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
        nftnl_set_set_str(s, NFTNL_SET_NAME, set);
        nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, (uint16_t) family, NLM_F_DUMP, ++n->seq);
        nftnl_set_elems_nlmsg_build_payload(nlh, s);
        r = nft_nl_dump(n, nlh, elems_cb, s);
        if (r < 0) {
                nftnl_set_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

static int load_set(struct nft_ruleset *rs, size_t set, void *userdata) {
        struct nft_nl *n = userdata;
        struct nft_set *s = &rs->sets[set];
        const struct nft_table *t = &rs->tables[s->table];
        struct nftnl_set *ns = NULL;
        int r;

        r = nft_dump_set_elems(n, t->family, t->name, s->name, &ns);
        if (r >= 0)
                r = nft_ruleset_add_elems(rs, set, ns);
        nftnl_set_free(ns);
        if (r >= 0)
                r = nft_ruleset_finish_set(rs, set);
        return r;
}

struct peek {
        struct nftnl_set *s;
        size_t n;
};

static int peek_cb(const struct nlmsghdr *nlh, void *data) {
        struct peek *p = data;

        if (nftnl_set_elems_nlmsg_parse(nlh, p->s) < 0) {
                errno = EBADMSG;
                return MNL_CB_ERROR;
        }
        return MNL_CB_OK;
}

static size_t count_elems(struct nftnl_set *s) {
        struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(s);
        size_t n = 0;

        while (it && nftnl_set_elems_iter_next(it))
                n++;
        if (it)
                nftnl_set_elems_iter_destroy(it);
        return n;
}

/* Reads the set's elements until the dump ends (then the set is loaded) or two elements
 * are seen (then only ->big is set, and the rest of the dump is dropped with its socket:
 * the kernel's cost of dumping a big set is quadratic, and we do not need it). */
static int peek_set(struct nft_ruleset *rs, size_t set, void *userdata) {
        struct nft_set *s = &rs->sets[set];
        const struct nft_table *t = &rs->tables[s->table];
        char req[8192];
        struct nlmsghdr *nlh;
        struct peek p = {};
        struct nft_nl n;
        int r;

        r = nft_nl_open(&n);
        if (r < 0)
                return r;
        p.s = nftnl_set_alloc();
        if (!p.s) {
                nft_nl_close(&n);
                return -ENOMEM;
        }
        nftnl_set_set_str(p.s, NFTNL_SET_TABLE, t->name);
        nftnl_set_set_str(p.s, NFTNL_SET_NAME, s->name);
        nlh = nftnl_nlmsg_build_hdr(req, NFT_MSG_GETSETELEM, (uint16_t) t->family, NLM_F_DUMP, ++n.seq);
        nftnl_set_elems_nlmsg_build_payload(nlh, p.s);
        if (mnl_socket_sendto(n.nl, nlh, nlh->nlmsg_len) < 0)
                r = -errno;
        while (r >= 0) {
                ssize_t len = mnl_socket_recvfrom(n.nl, n.buf, n.buf_size);
                if (len < 0) {
                        r = errno == EINTR ? 0 : -errno;
                        continue;
                }
                errno = 0;
                r = mnl_cb_run(n.buf, (size_t) len, nlh->nlmsg_seq, n.portid, peek_cb, &p);
                if (r < 0) {
                        r = errno > 0 ? -errno : -EIO;
                        break;
                }
                if (r == MNL_CB_STOP) { /* the whole set: small */
                        r = nft_ruleset_add_elems(rs, set, p.s);
                        if (r >= 0)
                                r = nft_ruleset_finish_set(rs, set);
                        break;
                }
                if (count_elems(p.s) >= 2) {
                        s->big = true;
                        break;
                }
        }
        nftnl_set_free(p.s);
        nft_nl_close(&n);
        return r < 0 ? r : 0;
}

int nft_dump_ruleset(struct nft_nl *n, struct nft_ruleset *rs, uint32_t *ret_genid) {
        for (unsigned attempt = 0;; attempt++) {
                struct dump_ctx d = { .rs = rs };
                uint32_t before = 0, after = 0;
                int r;

                r = nft_nl_genid(n, &before);
                if (r >= 0)
                        r = dump_type(n, NFT_MSG_GETTABLE, table_cb, &d);
                if (r >= 0)
                        r = dump_type(n, NFT_MSG_GETCHAIN, chain_cb, &d);
                if (r >= 0)
                        r = dump_type(n, NFT_MSG_GETSET, set_cb, &d);
                if (r >= 0)
                        r = nft_ruleset_index(rs);
                if (r >= 0)
                        r = dump_rules(n, rs, &d);
                if (r >= 0)
                        r = nft_nl_genid(n, &after);
                if (r >= 0 && before == after) {
                        rs->loader = load_set;
                        rs->peeker = peek_set;
                        rs->loader_data = n;
                        *ret_genid = before;
                        return 0;
                }
                nft_ruleset_done(rs);
                if ((r < 0 && r != -EINTR) || attempt >= 4)
                        return r < 0 ? r : -EAGAIN;
                /* the ruleset changed while we read it: read it again */
                nft_nl_close(n);
                r = nft_nl_open(n);
                if (r < 0)
                        return r;
        }
}
