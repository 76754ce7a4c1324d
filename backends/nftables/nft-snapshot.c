/* Snapshot and restore of the chains a plan touches.
 *
 * The text is what the engine stores and compares, so it must be deterministic and must not
 * change when the same ruleset is loaded again: it holds, per touched chain, each rule as the
 * attributes of a NEWRULE message (base64) built from the dumped rule with its handle removed
 * and its counters zeroed, preceded by the anonymous sets the rule uses (their kernel-chosen
 * names replaced by "__set%d" and a batch-local set id; elements one per line, sorted, since a
 * hash set dumps them in no fixed order). Restore is one batch, without generation check:
 * flush each touched chain, re-create the anonymous sets, append the rules. Handles and
 * counters come back new; everything else is as it was. Only whole chains of our own steps
 * are touched, never their tables (a table deleted and re-added would move behind others). */

#include <netinet/in.h> /* before any linux/ header */
#include <errno.h>
#include <stdio.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft-batch.h"
#include "nft-persist.h"
#include "nft-ruleset.h"
#include "util/log.h"
#include "util/strv.h"

#define SNAPSHOT_HEADER "sshrepair-nftables-snapshot 1\n"
#define MSG_MAX (64u * 1024u)
#define NFT_RULE_MAX_ANON 64

struct snap {
        struct nft_nl nl;
        FILE *out;
        struct nftnl_set **sets; /* the table's sets */
        struct nlmsghdr **raw;   /* and the messages they came from */
        size_t n_sets;
        uint32_t next_id;
};

static int payload_b64(struct nlmsghdr *nlh, char **ret) {
        size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
        *ret = nft_base64_encode((char *) nlh + off, nlh->nlmsg_len - off);
        return *ret ? 0 : -ENOMEM;
}

static int set_list_cb(const struct nlmsghdr *nlh, void *data) {
        struct snap *s = data;
        struct nftnl_set *set = nftnl_set_alloc(), **n;
        struct nlmsghdr **raw, *copy;

        if (!set || nftnl_set_nlmsg_parse(nlh, set) < 0) {
                nftnl_set_free(set);
                errno = EBADMSG;
                return MNL_CB_ERROR;
        }
        n = realloc(s->sets, sizeof(*n) * (s->n_sets + 1));
        if (n)
                s->sets = n;
        raw = n ? realloc(s->raw, sizeof(*raw) * (s->n_sets + 1)) : NULL;
        if (raw)
                s->raw = raw;
        copy = raw ? malloc(nlh->nlmsg_len) : NULL;
        if (!copy) {
                nftnl_set_free(set);
                errno = ENOMEM;
                return MNL_CB_ERROR;
        }
        memcpy(copy, nlh, nlh->nlmsg_len);
        raw[s->n_sets] = copy;
        n[s->n_sets++] = set;
        return MNL_CB_OK;
}

static void free_sets(struct snap *s) {
        for (size_t i = 0; i < s->n_sets; i++) {
                nftnl_set_free(s->sets[i]);
                free(s->raw[i]);
        }
        free(s->sets);
        free(s->raw);
        s->sets = NULL;
        s->raw = NULL;
        s->n_sets = 0;
}

static ssize_t find_set(struct snap *s, const char *name) {
        for (size_t i = 0; i < s->n_sets; i++)
                if (streq(nftnl_set_get_str(s->sets[i], NFTNL_SET_NAME), name))
                        return (ssize_t) i;
        return -1;
}

/* libnftnl 1.2 exports no clone: copy the attributes a set element can carry. */
static struct nftnl_set_elem *copy_elem(struct nftnl_set_elem *e) {
        static const uint16_t attrs[] = { NFTNL_SET_ELEM_KEY, NFTNL_SET_ELEM_KEY_END, NFTNL_SET_ELEM_DATA,
                                          NFTNL_SET_ELEM_USERDATA, NFTNL_SET_ELEM_TIMEOUT };
        struct nftnl_set_elem *c = nftnl_set_elem_alloc();

        if (!c)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(attrs); i++)
                if (nftnl_set_elem_is_set(e, attrs[i])) {
                        uint32_t len = 0;
                        const void *d = nftnl_set_elem_get(e, attrs[i], &len);
                        nftnl_set_elem_set(c, attrs[i], d, len);
                }
        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
                nftnl_set_elem_set_u32(c, NFTNL_SET_ELEM_FLAGS, nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS));
        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_VERDICT))
                nftnl_set_elem_set_u32(c, NFTNL_SET_ELEM_VERDICT, nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_VERDICT));
        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN))
                nftnl_set_elem_set_str(c, NFTNL_SET_ELEM_CHAIN, nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN));
        if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_OBJREF))
                nftnl_set_elem_set_str(c, NFTNL_SET_ELEM_OBJREF, nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_OBJREF));
        return c;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Writes an anonymous set and its elements under id 'id'. */
static int write_anon_set(struct snap *s, int family, const char *table, size_t idx, uint32_t id) {
        struct nftnl_set *set = s->sets[idx];
        _cleanup_strv_free_ char **lines = NULL;
        struct nftnl_set *copy = NULL, *elems = NULL;
        struct nftnl_set_elems_iter *it;
        char buf[MSG_MAX];
        struct nlmsghdr *nlh;
        char *b = NULL;
        int r;

        /* libnftnl leaves attribute padding as it finds it: start from zeroes, always, or
         * the text would not be deterministic */
        memset(buf, 0, sizeof buf);
        copy = nftnl_set_alloc();
        if (!copy)
                return -ENOMEM;
        if (nftnl_set_nlmsg_parse(s->raw[idx], copy) < 0) {
                nftnl_set_free(copy);
                return -EBADMSG;
        }
        nftnl_set_unset(copy, NFTNL_SET_HANDLE);
        nftnl_set_set_str(copy, NFTNL_SET_NAME, "__set%d");
        nftnl_set_set_u32(copy, NFTNL_SET_ID, id);
        nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSET, (uint16_t) family, NLM_F_CREATE, 0);
        nftnl_set_nlmsg_build_payload(nlh, copy);
        nftnl_set_free(copy);
        r = payload_b64(nlh, &b);
        if (r < 0)
                return r;
        fprintf(s->out, "set %s %s\n", nft_family_to_string(family), b);
        free(b);

        r = nft_dump_set_elems(&s->nl, family, table, nftnl_set_get_str(set, NFTNL_SET_NAME), &elems);
        if (r < 0)
                return r;
        it = nftnl_set_elems_iter_create(elems);
        for (struct nftnl_set_elem *e = it ? nftnl_set_elems_iter_next(it) : NULL; e && r >= 0;
             e = nftnl_set_elems_iter_next(it)) {
                struct nftnl_set *one = nftnl_set_alloc();
                struct nftnl_set_elem *c = copy_elem(e);

                if (!one || !c) {
                        nftnl_set_free(one);
                        if (c)
                                nftnl_set_elem_free(c);
                        r = -ENOMEM;
                        break;
                }
                nftnl_set_set_str(one, NFTNL_SET_TABLE, table);
                nftnl_set_set_str(one, NFTNL_SET_NAME, "__set%d");
                nftnl_set_set_u32(one, NFTNL_SET_ID, id);
                nftnl_set_elem_add(one, c);
                memset(buf, 0, sizeof buf);
                nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSETELEM, (uint16_t) family, NLM_F_CREATE, 0);
                nftnl_set_elems_nlmsg_build_payload(nlh, one);
                nftnl_set_free(one);
                r = payload_b64(nlh, &b);
                if (r >= 0)
                        r = strv_consume(&lines, b);
        }
        if (it)
                nftnl_set_elems_iter_destroy(it);
        nftnl_set_free(elems);
        if (r < 0)
                return r;
        if (lines)
                qsort(lines, strv_length(lines), sizeof(char *), cmp_str);
        for (char **l = lines; l && *l; l++)
                fprintf(s->out, "elem %s %s\n", nft_family_to_string(family), *l);
        return 0;
}

struct rule_ctx {
        struct snap *s;
        int family;
        const char *table;
        int error;
        /* the anonymous sets of the rule's lookups, in order, whose names unname_lookups()
         * took out of the message */
        ssize_t anon[NFT_RULE_MAX_ANON];
        size_t n_anon, next_anon;
};

static int rewrite_expr(struct nftnl_expr *e, void *data) {
        struct rule_ctx *rc = data;
        const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

        if (streq(name, "counter")) {
                nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 0);
                nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 0);
        } else if (streq(name, "quota"))
                nftnl_expr_set_u64(e, NFTNL_EXPR_QUOTA_CONSUMED, 0);
        else if (streq(name, "last")) {
                nftnl_expr_set_u64(e, NFTNL_EXPR_LAST_MSECS, 0);
                nftnl_expr_set_u32(e, NFTNL_EXPR_LAST_SET, 0);
        } else if (streq(name, "connlimit"))
                nftnl_expr_set_u32(e, NFTNL_EXPR_CONNLIMIT_COUNT, 0);
        else if (streq(name, "lookup")) {
                /* a lookup of an anonymous set came without its name (unname_lookups) */
                ssize_t k = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_SET) || rc->next_anon >= rc->n_anon
                                    ? -1
                                    : rc->anon[rc->next_anon++];

                if (k >= 0) {
                        uint32_t id = ++rc->s->next_id;
                        int r = write_anon_set(rc->s, rc->family, rc->table, (size_t) k, id);
                        if (r < 0) {
                                rc->error = r;
                                return -1;
                        }
                        nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "__set%d");
                        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
                }
        } else if (streq(name, "dynset") || streq(name, "objref")) {
                uint16_t attr = streq(name, "dynset") ? NFTNL_EXPR_DYNSET_SET_NAME : NFTNL_EXPR_OBJREF_SET_NAME;
                const char *set = nftnl_expr_is_set(e, attr) ? nftnl_expr_get_str(e, attr) : NULL;
                if (set && strncmp(set, "__", 2) == 0) {
                        rc->error = -EOPNOTSUPP; /* anonymous sets bound to these: not handled */
                        return -1;
                }
        }
        return 0;
}

struct msgs {
        struct nlmsghdr **v;
        size_t n;
};

static int collect_cb(const struct nlmsghdr *nlh, void *data) {
        struct msgs *m = data;
        struct nlmsghdr *copy = malloc(nlh->nlmsg_len), **n;

        if (!copy) {
                errno = ENOMEM;
                return MNL_CB_ERROR;
        }
        memcpy(copy, nlh, nlh->nlmsg_len);
        n = realloc(m->v, sizeof(*n) * (m->n + 1));
        if (!n) {
                free(copy);
                errno = ENOMEM;
                return MNL_CB_ERROR;
        }
        m->v = n;
        n[m->n++] = copy;
        return MNL_CB_OK;
}

static bool set_is_anonymous(struct rule_ctx *rc, const char *name, ssize_t *ret) {
        ssize_t k = find_set(rc->s, name);

        *ret = k;
        return k >= 0 && (nftnl_set_get_u32(rc->s->sets[k], NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS);
}

/* Copies one expression (NFTA_LIST_ELEM) into 'out'; a lookup of an anonymous set loses its
 * NFTA_LOOKUP_SET, and the set is queued in rc->anon. */
static int copy_expr(struct rule_ctx *rc, struct nlmsghdr *out, const struct nlattr *elem) {
        const struct nlattr *a, *name = NULL, *data = NULL;
        struct nlattr *nest;

        mnl_attr_for_each_nested(a, elem)
                if (mnl_attr_get_type(a) == NFTA_EXPR_NAME)
                        name = a;
                else if (mnl_attr_get_type(a) == NFTA_EXPR_DATA)
                        data = a;
        nest = mnl_attr_nest_start(out, NFTA_LIST_ELEM);
        mnl_attr_for_each_nested(a, elem) {
                const struct nlattr *b;
                struct nlattr *inner;

                if (a != data || !name || mnl_attr_validate(name, MNL_TYPE_NUL_STRING) < 0 ||
                    !streq(mnl_attr_get_str(name), "lookup")) {
                        mnl_attr_put(out, mnl_attr_get_type(a) | (a->nla_type & NLA_F_NESTED),
                                     mnl_attr_get_payload_len(a), mnl_attr_get_payload(a));
                        continue;
                }
                inner = mnl_attr_nest_start(out, NFTA_EXPR_DATA);
                mnl_attr_for_each_nested(b, a) {
                        ssize_t k;

                        if (mnl_attr_get_type(b) == NFTA_LOOKUP_SET &&
                            mnl_attr_validate(b, MNL_TYPE_NUL_STRING) >= 0 &&
                            set_is_anonymous(rc, mnl_attr_get_str(b), &k)) {
                                if (rc->n_anon == NFT_RULE_MAX_ANON)
                                        return -E2BIG;
                                rc->anon[rc->n_anon++] = k;
                                continue;
                        }
                        mnl_attr_put(out, mnl_attr_get_type(b) | (b->nla_type & NLA_F_NESTED),
                                     mnl_attr_get_payload_len(b), mnl_attr_get_payload(b));
                }
                mnl_attr_nest_end(out, inner);
        }
        mnl_attr_nest_end(out, nest);
        return 0;
}

/* libnftnl 1.2.4 leaks a lookup's set name when it is set a second time, so the names of
 * anonymous sets, which the snapshot replaces by "__set%d", are taken out of the dumped
 * message before libnftnl parses it. 'buf' holds MSG_MAX bytes. */
static int unname_lookups(struct rule_ctx *rc, const struct nlmsghdr *nlh, char *buf, struct nlmsghdr **ret) {
        const struct nlattr *a;
        struct nlmsghdr *out;
        size_t hdr = sizeof(struct nfgenmsg);

        if (nlh->nlmsg_len > MSG_MAX / 2 || nlh->nlmsg_len < mnl_nlmsg_size(hdr))
                return -EBADMSG;
        out = mnl_nlmsg_put_header(buf);
        out->nlmsg_type = nlh->nlmsg_type;
        out->nlmsg_flags = nlh->nlmsg_flags;
        memcpy(mnl_nlmsg_put_extra_header(out, hdr), mnl_nlmsg_get_payload(nlh), hdr);
        mnl_attr_for_each(a, nlh, hdr) {
                const struct nlattr *e;
                struct nlattr *nest;

                if (mnl_attr_get_type(a) != NFTA_RULE_EXPRESSIONS) {
                        mnl_attr_put(out, mnl_attr_get_type(a) | (a->nla_type & NLA_F_NESTED),
                                     mnl_attr_get_payload_len(a), mnl_attr_get_payload(a));
                        continue;
                }
                nest = mnl_attr_nest_start(out, NFTA_RULE_EXPRESSIONS);
                mnl_attr_for_each_nested(e, a) {
                        int r = copy_expr(rc, out, e);
                        if (r < 0)
                                return r;
                }
                mnl_attr_nest_end(out, nest);
        }
        *ret = out;
        return 0;
}

static int write_rule(struct rule_ctx *rc, const struct nlmsghdr *nlh) {
        struct nftnl_rule *r = nftnl_rule_alloc();
        struct nlmsghdr *out, *copy = NULL;
        char *buf, *b = NULL, *in;
        int k;

        if (!r)
                return -ENOMEM;
        rc->n_anon = rc->next_anon = 0;
        in = calloc(1, MSG_MAX);
        k = in ? unname_lookups(rc, nlh, in, &copy) : -ENOMEM;
        if (k < 0 || nftnl_rule_nlmsg_parse(copy, r) < 0) {
                free(in);
                nftnl_rule_free(r);
                return k < 0 ? k : -EBADMSG;
        }
        free(in);
        nftnl_rule_unset(r, NFTNL_RULE_HANDLE);
        nftnl_rule_unset(r, NFTNL_RULE_POSITION);
        if (nftnl_expr_foreach(r, rewrite_expr, rc) < 0 || rc->error < 0) {
                nftnl_rule_free(r);
                return rc->error ?: -EINVAL;
        }
        buf = calloc(1, MSG_MAX);
        if (!buf) {
                nftnl_rule_free(r);
                return -ENOMEM;
        }
        out = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, (uint16_t) rc->family, NLM_F_CREATE | NLM_F_APPEND, 0);
        nftnl_rule_nlmsg_build_payload(out, r);
        nftnl_rule_free(r);
        k = payload_b64(out, &b);
        free(buf);
        if (k < 0)
                return k;
        fprintf(rc->s->out, "rule %s %s\n", nft_family_to_string(rc->family), b);
        free(b);
        return 0;
}

static int snapshot_chain(struct snap *s, int family, const char *table, const char *chain) {
        char buf[8192];
        struct rule_ctx rc = { .s = s, .family = family, .table = table };
        struct msgs m = {};
        struct nftnl_set *set;
        struct nftnl_rule *rule;
        struct nlmsghdr *nlh;
        int r;

        fprintf(s->out, "chain %s %s %s\n", nft_family_to_string(family), table, chain);

        set = nftnl_set_alloc();
        if (!set)
                return -ENOMEM;
        nftnl_set_set_str(set, NFTNL_SET_TABLE, table);
        nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSET, (uint16_t) family, NLM_F_DUMP, ++s->nl.seq);
        nftnl_set_nlmsg_build_payload(nlh, set);
        nftnl_set_free(set);
        free_sets(s);
        r = nft_nl_dump(&s->nl, nlh, set_list_cb, s);
        if (r < 0)
                return r;

        rule = nftnl_rule_alloc();
        if (!rule)
                return -ENOMEM;
        nftnl_rule_set_str(rule, NFTNL_RULE_TABLE, table);
        nftnl_rule_set_str(rule, NFTNL_RULE_CHAIN, chain);
        nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, (uint16_t) family, NLM_F_DUMP, ++s->nl.seq);
        nftnl_rule_nlmsg_build_payload(nlh, rule);
        nftnl_rule_free(rule);
        /* Collected first: the dumps of anonymous sets cannot interleave with this one. */
        r = nft_nl_dump(&s->nl, nlh, collect_cb, &m);
        for (size_t i = 0; i < m.n; i++) {
                if (r >= 0)
                        r = write_rule(&rc, m.v[i]);
                free(m.v[i]);
        }
        free(m.v);
        return r;
}

struct target {
        char *family, *table, *chain;
};

/* The snapshot text of some chains ("family table chain") and files. */
static int snapshot_of(const struct options *o, char **chains, char **files, char **ret) {
        struct snap s = {};
        char *buf = NULL;
        size_t size = 0;
        int r = 0;

        s.out = open_memstream(&buf, &size);
        if (!s.out)
                return -ENOMEM;
        fputs(SNAPSHOT_HEADER, s.out);
        if (chains && options_offline(o))
                r = -EOPNOTSUPP; /* the running kernel's chains are not the tree's */
        else if (chains) {
                r = nft_nl_open(&s.nl);
                for (char **k = chains; r >= 0 && *k; k++) {
                        char f[16], t[256], c[256];
                        int family;
                        if (sscanf(*k, "%15s %255s %255s", f, t, c) != 3 || (family = nft_family_from_string(f)) < 0)
                                r = -EINVAL;
                        else
                                r = snapshot_chain(&s, family, t, c);
                }
                free_sets(&s);
                if (s.nl.nl)
                        nft_nl_close(&s.nl);
        }
        for (char **p = files; r >= 0 && p && *p; p++)
                r = nft_conf_snapshot(o, *p, s.out);
        if (fclose(s.out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        return 0;
}

int nft_backend_snapshot(const struct options *o, const struct plan *plan, char **ret) {
        _cleanup_strv_free_ char **seen = NULL, **files = NULL;
        int r = 0;

        for (size_t i = 0; i < plan->n_steps; i++) {
                const struct step *st = &plan->steps[i];
                const char *f = nft_step_arg(st, "family"), *t = nft_step_arg(st, "table"), *c = nft_step_arg(st, "chain");

                if (!streq(st->backend, "nftables"))
                        continue;
                if (streq(st->operation, "persist")) {
                        const char *path = nft_step_arg(st, "path");
                        if (path && !strv_contains(files, path) && (r = strv_extend(&files, path)) < 0)
                                return r;
                        continue;
                }
                if (!f || !t || !c)
                        return -EINVAL;
                _cleanup_free_ char *key = strprintf("%s %s %s", f, t, c);
                if (!key)
                        return -ENOMEM;
                if (!strv_contains(seen, key) && (r = strv_extend(&seen, key)) < 0)
                        return r;
        }
        if (!seen && !files) {
                *ret = NULL;
                return 0;
        }
        return snapshot_of(o, seen, files, ret);
}

/* Whether the chains and files of a snapshot text are as it says already: then a restore
 * changes nothing (no new handles when none of our steps was applied). */
static bool unchanged(const struct options *o, const char *snapshot) {
        _cleanup_strv_free_ char **chains = NULL, **files = NULL;
        _cleanup_free_ char *now = NULL;
        const char *p = snapshot;

        while ((p = strchr(p, '\n'))) {
                char a[16], b[4096], c[256], d[256];
                p++;
                if (sscanf(p, "chain %15s %255s %255s", a, c, d) == 3) {
                        if (strv_extendf(&chains, "%s %s %s", a, c, d) < 0)
                                return false;
                } else if (sscanf(p, "file %4095s", b) == 1) {
                        if (strv_extend(&files, b) < 0)
                                return false;
                }
        }
        return snapshot_of(o, chains, files, &now) >= 0 && streq(now, snapshot);
}

static int add_msg(struct nft_batch *b, uint16_t type, int family, uint16_t flags, const char *b64) {
        _cleanup_free_ uint8_t *data = NULL;
        struct nlmsghdr *nlh;
        size_t len = 0;
        int r;

        r = nft_base64_decode(b64, strlen(b64), &data, &len);
        if (r < 0)
                return r;
        nlh = nft_batch_msg(b, type, family, flags, len + 64);
        if (!nlh)
                return -ENOMEM;
        memcpy((char *) nlh + nlh->nlmsg_len, data, len);
        nlh->nlmsg_len += (uint32_t) NLMSG_ALIGN(len);
        nft_batch_commit_msg(b, nlh);
        return 0;
}

int nft_backend_restore(const struct options *o, const char *snapshot) {
        _cleanup_free_ char *copy = NULL;
        struct nft_batch b = {};
        struct nft_nl nl = {};
        char *line, *save = NULL;
        bool any = false;
        int r;

        if (!snapshot)
                return 0;
        if (strncmp(snapshot, SNAPSHOT_HEADER, strlen(SNAPSHOT_HEADER)) != 0)
                return -EBADMSG;
        nft_batch_reset_genid();
        if (unchanged(o, snapshot))
                return 0;
        if (options_offline(o))
                return nft_conf_restore(o, snapshot); /* only files: never the running kernel */
        copy = strdup(snapshot + strlen(SNAPSHOT_HEADER));
        if (!copy)
                return -ENOMEM;
        r = nft_nl_open(&nl);
        if (r >= 0)
                r = nft_batch_begin(&b, nl.seq + 1, 0);
        for (line = strtok_r(copy, "\n", &save); r >= 0 && line; line = strtok_r(NULL, "\n", &save)) {
                char kind[8], fam[16];
                int family, off = 0;

                if (strncmp(line, "file ", 5) == 0)
                        continue; /* below, after the ruleset */
                if (sscanf(line, "%7s %15s %n", kind, fam, &off) != 2 || (family = nft_family_from_string(fam)) < 0) {
                        r = -EBADMSG;
                        break;
                }
                if (streq(kind, "chain")) {
                        char table[256], chain[256];
                        struct nftnl_rule *flush;
                        struct nlmsghdr *nlh;

                        if (sscanf(line + off, "%255s %255s", table, chain) != 2) {
                                r = -EBADMSG;
                                break;
                        }
                        flush = nftnl_rule_alloc();
                        nlh = nft_batch_msg(&b, NFT_MSG_DELRULE, family, 0, 1024);
                        if (!flush || !nlh) {
                                nftnl_rule_free(flush);
                                r = -ENOMEM;
                                break;
                        }
                        nftnl_rule_set_str(flush, NFTNL_RULE_TABLE, table);
                        nftnl_rule_set_str(flush, NFTNL_RULE_CHAIN, chain);
                        nftnl_rule_nlmsg_build_payload(nlh, flush);
                        nftnl_rule_free(flush);
                        nft_batch_commit_msg(&b, nlh);
                } else if (streq(kind, "set"))
                        r = add_msg(&b, NFT_MSG_NEWSET, family, NLM_F_CREATE, line + off);
                else if (streq(kind, "elem"))
                        r = add_msg(&b, NFT_MSG_NEWSETELEM, family, NLM_F_CREATE, line + off);
                else if (streq(kind, "rule"))
                        r = add_msg(&b, NFT_MSG_NEWRULE, family, NLM_F_CREATE | NLM_F_APPEND, line + off);
                else
                        r = -EBADMSG;
                any = true;
        }
        if (r >= 0 && any) {
                r = nft_batch_end(&b);
                if (r >= 0)
                        r = nft_batch_send(&nl, &b);
                if (r < 0)
                        log_error_errno(r, "Restoring the nftables chains failed: %m");
        }
        nft_batch_done(&b);
        if (nl.nl)
                nft_nl_close(&nl);
        if (r < 0)
                return r;
        return nft_conf_restore(o, snapshot);
}
