/* The in-memory ruleset: libnftnl objects compiled into compact register operations. */

#include <netinet/in.h> /* before any linux/ header */
#include <errno.h>
#include <stdio.h>
#include <endian.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "nft-compile.h"
#include "nft-ruleset.h"
#include "util/macros.h"

#define ARENA_BLOCK (256u * 1024u)
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

struct nft_arena_block {
        struct nft_arena_block *next;
        size_t used, size;
        _Alignas(16) uint8_t data[];
};

static void *arena_alloc(struct nft_ruleset *rs, size_t n) {
        struct nft_arena_block *b = rs->arena;

        n = (n + 15) & ~(size_t) 15;
        if (!b || b->size - b->used < n) {
                size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;

                b = malloc(sizeof(*b) + size);
                if (!b)
                        return NULL;
                b->next = rs->arena;
                b->used = 0;
                b->size = size;
                rs->arena = b;
        }
        b->used += n;
        return b->data + b->used - n;
}

static void *grow(void *p, size_t *alloc, size_t need, size_t size) {
        size_t n;
        void *np;

        if (need <= *alloc)
                return p;
        n = *alloc ? *alloc * 2 : 8;
        while (n < need)
                n *= 2;
        np = realloc(p, n * size);
        if (np)
                *alloc = n;
        return np;
}

static void set_done(struct nft_set *s) {
        free(s->name);
        free(s->elems);
        free(s->pool);
}

void nft_ruleset_done(struct nft_ruleset *rs) {
        if (!rs)
                return;
        for (size_t i = 0; i < rs->n_tables; i++)
                free(rs->tables[i].name);
        for (size_t i = 0; i < rs->n_chains; i++) {
                free(rs->chains[i].name);
                free(rs->chains[i].type);
                free(rs->chains[i].dev);
                free(rs->chains[i].rules);
        }
        for (size_t i = 0; i < rs->n_sets; i++)
                set_done(&rs->sets[i]);
        free(rs->tables);
        free(rs->chains);
        free(rs->sets);
        free(rs->chain_index);
        free(rs->set_index);
        while (rs->arena) {
                struct nft_arena_block *n = rs->arena->next;
                free(rs->arena);
                rs->arena = n;
        }
        *rs = (struct nft_ruleset) {};
}

static const struct {
        int family;
        const char *name;
} families[] = {
        { NFPROTO_INET, "inet" }, { NFPROTO_IPV4, "ip" },     { NFPROTO_IPV6, "ip6" },
        { NFPROTO_ARP, "arp" },   { NFPROTO_BRIDGE, "bridge" }, { NFPROTO_NETDEV, "netdev" },
};

const char *nft_family_to_string(int family) {
        for (size_t i = 0; i < ELEMENTSOF(families); i++)
                if (families[i].family == family)
                        return families[i].name;
        return "unknown";
}

int nft_family_from_string(const char *s) {
        for (size_t i = 0; s && i < ELEMENTSOF(families); i++)
                if (streq(families[i].name, s))
                        return families[i].family;
        return -EINVAL;
}

const char *nft_hook_to_string(int family, uint32_t hooknum) {
        static const char *const inet_hooks[] = { "prerouting", "input", "forward", "output", "postrouting", "ingress" };

        if (family == NFPROTO_NETDEV)
                return hooknum == 0 ? "ingress" : "egress";
        return hooknum < ELEMENTSOF(inet_hooks) ? inet_hooks[hooknum] : "unknown";
}

ssize_t nft_ruleset_find_table(const struct nft_ruleset *rs, int family, const char *name) {
        for (size_t i = 0; i < rs->n_tables; i++)
                if (rs->tables[i].family == family && streq(rs->tables[i].name, name))
                        return (ssize_t) i;
        return -ENOENT;
}

/* iptables-nft's own chain names; its tables carry them as base chains. */
static bool is_xtables_name(const char *table, const char *chain) {
        static const char *const tables[] = { "filter", "nat", "mangle", "raw", "security" };
        static const char *const chains[] = { "INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING" };
        bool t = false;

        for (size_t i = 0; i < ELEMENTSOF(tables); i++)
                t = t || streq(tables[i], table);
        for (size_t i = 0; t && i < ELEMENTSOF(chains); i++)
                if (streq(chains[i], chain))
                        return true;
        return false;
}

int nft_ruleset_add_table(struct nft_ruleset *rs, const struct nftnl_table *t) {
        const char *name = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
        struct nft_table *nt;

        if (!name)
                return -EBADMSG;
        nt = realloc(rs->tables, sizeof(*nt) * (rs->n_tables + 1));
        if (!nt)
                return -ENOMEM;
        rs->tables = nt;
        nt = &rs->tables[rs->n_tables];
        *nt = (struct nft_table) {
                .family = (int) nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY),
                .name = strdup(name),
                .flags = nftnl_table_is_set(t, NFTNL_TABLE_FLAGS) ? nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS) : 0,
        };
        if (!nt->name)
                return -ENOMEM;
        if (nt->flags & NFT_TABLE_F_OWNER)
                nt->owner = NFT_OWNER_PROCESS;
        else if (streq(name, "firewalld"))
                nt->owner = NFT_OWNER_FIREWALLD;
        else if (strncmp(name, "f2b-", 4) == 0)
                nt->owner = NFT_OWNER_FAIL2BAN;
        rs->n_tables++;
        return 0;
}

static bool hook_sees_syn(int family, bool base, uint32_t hooknum) {
        if (!base)
                return true;
        switch (family) {
        case NFPROTO_IPV4:
        case NFPROTO_IPV6:
        case NFPROTO_INET:
                return hooknum == NF_INET_PRE_ROUTING || hooknum == NF_INET_LOCAL_IN || hooknum == NF_INET_INGRESS;
        case NFPROTO_NETDEV:
                return hooknum == NF_NETDEV_INGRESS;
        default:
                return false;
        }
}

int nft_ruleset_add_chain(struct nft_ruleset *rs, const struct nftnl_chain *c) {
        const char *name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
        const char *table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
        int family = (int) nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
        struct nft_chain *nc;
        ssize_t t;

        if (!name || !table)
                return -EBADMSG;
        t = nft_ruleset_find_table(rs, family, table);
        if (t < 0)
                return 0; /* a table created after we listed tables */
        nc = realloc(rs->chains, sizeof(*nc) * (rs->n_chains + 1));
        if (!nc)
                return -ENOMEM;
        rs->chains = nc;
        nc = &rs->chains[rs->n_chains];
        *nc = (struct nft_chain) {
                .table = (size_t) t,
                .name = strdup(name),
                .handle = nftnl_chain_get_u64(c, NFTNL_CHAIN_HANDLE),
                .base = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM),
                .policy = NF_ACCEPT,
        };
        if (!nc->name)
                return -ENOMEM;
        if (nc->base) {
                nc->hooknum = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
                nc->prio = nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
                if (nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY))
                        nc->policy = nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY);
                if (nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE))
                        nc->type = strdup(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE));
                if (nftnl_chain_is_set(c, NFTNL_CHAIN_DEV))
                        nc->dev = strdup(nftnl_chain_get_str(c, NFTNL_CHAIN_DEV));
                else if (nftnl_chain_is_set(c, NFTNL_CHAIN_DEVICES)) {
                        const char *const *devs = nftnl_chain_get_array(c, NFTNL_CHAIN_DEVICES);
                        if (devs && devs[0])
                                nc->dev = strdup(devs[0]);
                }
                if (is_xtables_name(table, name) && family != NFPROTO_INET &&
                    rs->tables[t].owner == NFT_OWNER_NONE)
                        rs->tables[t].owner = NFT_OWNER_IPTABLES;
        }
        if (strncmp(name, "ufw-", 4) == 0 || strncmp(name, "ufw6-", 5) == 0)
                rs->tables[t].owner = NFT_OWNER_UFW;
        nc->relevant = hook_sees_syn(family, nc->base, nc->hooknum);
        rs->n_chains++;
        return 0;
}

int nft_ruleset_add_set(struct nft_ruleset *rs, const struct nftnl_set *s) {
        const char *name = nftnl_set_get_str(s, NFTNL_SET_NAME);
        const char *table = nftnl_set_get_str(s, NFTNL_SET_TABLE);
        struct nft_set *ns;
        ssize_t t;

        if (!name || !table)
                return -EBADMSG;
        t = nft_ruleset_find_table(rs, (int) nftnl_set_get_u32(s, NFTNL_SET_FAMILY), table);
        if (t < 0)
                return 0;
        ns = realloc(rs->sets, sizeof(*ns) * (rs->n_sets + 1));
        if (!ns)
                return -ENOMEM;
        rs->sets = ns;
        ns = &rs->sets[rs->n_sets];
        *ns = (struct nft_set) {
                .table = (size_t) t,
                .name = strdup(name),
                .flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
                .key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN),
                .data_len = nftnl_set_is_set(s, NFTNL_SET_DATA_LEN) ? nftnl_set_get_u32(s, NFTNL_SET_DATA_LEN) : 0,
                .data_type = nftnl_set_is_set(s, NFTNL_SET_DATA_TYPE) ? nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE) : 0,
        };
        if (!ns->name)
                return -ENOMEM;
        if (nftnl_set_is_set(s, NFTNL_SET_DESC_CONCAT)) {
                uint32_t len = 0;
                const uint8_t *f = nftnl_set_get_data(s, NFTNL_SET_DESC_CONCAT, &len);
                for (uint32_t i = 0; f && i < len && i < ELEMENTSOF(ns->field_len) && f[i]; i++)
                        ns->field_len[ns->n_fields++] = f[i];
        }
        rs->n_sets++;
        return 0;
}

static int pool_put(struct nft_set *s, const void *data, uint32_t len, uint32_t *ret) {
        uint8_t *p = grow(s->pool, &s->pool_alloc, s->pool_len + len, 1);

        if (!p)
                return -ENOMEM;
        s->pool = p;
        memcpy(p + s->pool_len, data, len);
        *ret = (uint32_t) s->pool_len;
        s->pool_len += len;
        return 0;
}

int nft_ruleset_add_elems(struct nft_ruleset *rs, size_t set, const struct nftnl_set *ns) {
        struct nft_set *s = &rs->sets[set];
        struct nftnl_set_elems_iter *it;
        struct nftnl_set_elem *e;
        int r = 0;

        it = nftnl_set_elems_iter_create(ns);
        if (!it)
                return -ENOMEM;
        while (r >= 0 && (e = nftnl_set_elems_iter_next(it))) {
                struct nft_elem ne = { .key_end = UINT32_MAX, .data = UINT32_MAX, .chain = UINT32_MAX };
                uint8_t key[64] = {};
                const void *d;
                uint32_t len = 0;
                struct nft_elem *elems;

                d = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
                if (d)
                        memcpy(key, d, MIN(len, sizeof key));
                if (s->key_len > sizeof key)
                        return -EOPNOTSUPP;
                r = pool_put(s, key, s->key_len, &ne.key);
                if (r < 0)
                        break;
                if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_KEY_END)) {
                        uint8_t end[64] = {};
                        d = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &len);
                        memcpy(end, d, MIN(len, sizeof end));
                        r = pool_put(s, end, s->key_len, &ne.key_end);
                        if (r < 0)
                                break;
                }
                if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
                        ne.flags = nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS);
                if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_VERDICT))
                        ne.verdict = (int32_t) nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_VERDICT);
                if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN)) {
                        ssize_t c = nft_ruleset_find_chain(rs, s->table, nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN));
                        ne.chain = c >= 0 ? (uint32_t) c : UINT32_MAX;
                }
                if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_DATA) && s->data_len > 0) {
                        uint8_t data[64] = {};
                        d = nftnl_set_elem_get(e, NFTNL_SET_ELEM_DATA, &len);
                        memcpy(data, d, MIN(len, sizeof data));
                        r = pool_put(s, data, MIN(s->data_len, sizeof data), &ne.data);
                        if (r < 0)
                                break;
                }
                elems = grow(s->elems, &s->n_alloc, s->n_elems + 1, sizeof(*elems));
                if (!elems) {
                        r = -ENOMEM;
                        break;
                }
                s->elems = elems;
                elems[s->n_elems++] = ne;
        }
        nftnl_set_elems_iter_destroy(it);
        return r;
}

static int elem_cmp(const void *a, const void *b, void *userdata) {
        const struct nft_set *s = userdata;
        const struct nft_elem *x = a, *y = b;
        int d = memcmp(s->pool + x->key, s->pool + y->key, s->key_len);

        if (d != 0)
                return d;
        /* An interval end sorts before a start at the same key: the start opens the next. */
        return (int) (y->flags & NFT_SET_ELEM_INTERVAL_END) - (int) (x->flags & NFT_SET_ELEM_INTERVAL_END);
}

/* big-endian x - 1; false when x is 0 */
static bool be_decrement(uint8_t *x, size_t len) {
        for (size_t i = len; i > 0; i--) {
                if (x[i - 1]-- != 0)
                        return true;
        }
        return false;
}

int nft_ruleset_finish_set(struct nft_ruleset *rs, size_t set) {
        struct nft_set *s = &rs->sets[set];
        bool markers = false;
        size_t n = 0;
        int r;

        s->loaded = true;
        for (size_t i = 0; i < s->n_elems; i++)
                if (s->elems[i].key_end == UINT32_MAX && (s->flags & NFT_SET_INTERVAL))
                        markers = true;
        if (!markers) {
                for (size_t i = 0; i < s->n_elems; i++)
                        if (s->elems[i].key_end == UINT32_MAX)
                                s->elems[i].key_end = s->elems[i].key;
                return 0;
        }

        /* rbtree style: starts, and ends (exclusive) flagged INTERVAL_END. Make inclusive ranges:
         * a start reaches to just before the next element, or to the end of the key space. */
        qsort_r(s->elems, s->n_elems, sizeof(*s->elems), elem_cmp, s);
        for (size_t i = 0; i < s->n_elems; i++) {
                struct nft_elem e = s->elems[i];
                uint8_t end[64];

                if (e.flags & NFT_SET_ELEM_INTERVAL_END)
                        continue;
                if (i + 1 < s->n_elems) {
                        memcpy(end, s->pool + s->elems[i + 1].key, s->key_len);
                        if (!be_decrement(end, s->key_len))
                                continue;
                } else
                        memset(end, 0xff, s->key_len);
                r = pool_put(s, end, s->key_len, &e.key_end);
                if (r < 0)
                        return r;
                s->elems[n++] = e;
        }
        s->n_elems = n;
        return 0;
}

static int cmp_chain_idx(const void *a, const void *b, void *userdata) {
        const struct nft_ruleset *rs = userdata;
        const struct nft_chain *x = &rs->chains[*(const size_t *) a], *y = &rs->chains[*(const size_t *) b];

        if (x->table != y->table)
                return x->table < y->table ? -1 : 1;
        return strcmp(x->name, y->name);
}

static int cmp_set_idx(const void *a, const void *b, void *userdata) {
        const struct nft_ruleset *rs = userdata;
        const struct nft_set *x = &rs->sets[*(const size_t *) a], *y = &rs->sets[*(const size_t *) b];

        if (x->table != y->table)
                return x->table < y->table ? -1 : 1;
        return strcmp(x->name, y->name);
}

int nft_ruleset_index(struct nft_ruleset *rs) {
        free(rs->chain_index);
        free(rs->set_index);
        rs->chain_index = malloc(sizeof(size_t) * (rs->n_chains + 1));
        rs->set_index = malloc(sizeof(size_t) * (rs->n_sets + 1));
        if (!rs->chain_index || !rs->set_index)
                return -ENOMEM;
        for (size_t i = 0; i < rs->n_chains; i++)
                rs->chain_index[i] = i;
        for (size_t i = 0; i < rs->n_sets; i++)
                rs->set_index[i] = i;
        qsort_r(rs->chain_index, rs->n_chains, sizeof(size_t), cmp_chain_idx, rs);
        qsort_r(rs->set_index, rs->n_sets, sizeof(size_t), cmp_set_idx, rs);
        return 0;
}

ssize_t nft_ruleset_find_chain(const struct nft_ruleset *rs, size_t table, const char *name) {
        size_t lo = 0, hi = rs->n_chains;

        if (!name)
                return -ENOENT;
        if (!rs->chain_index) { /* not indexed yet */
                for (size_t i = 0; i < rs->n_chains; i++)
                        if (rs->chains[i].table == table && streq(rs->chains[i].name, name))
                                return (ssize_t) i;
                return -ENOENT;
        }
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                const struct nft_chain *c = &rs->chains[rs->chain_index[mid]];
                int d = c->table != table ? (c->table < table ? -1 : 1) : strcmp(c->name, name);

                if (d == 0)
                        return (ssize_t) rs->chain_index[mid];
                if (d < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -ENOENT;
}

ssize_t nft_ruleset_find_set(const struct nft_ruleset *rs, size_t table, const char *name) {
        size_t lo = 0, hi = rs->n_sets;

        if (!name)
                return -ENOENT;
        if (!rs->set_index) {
                for (size_t i = 0; i < rs->n_sets; i++)
                        if (rs->sets[i].table == table && streq(rs->sets[i].name, name))
                                return (ssize_t) i;
                return -ENOENT;
        }
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                const struct nft_set *s = &rs->sets[rs->set_index[mid]];
                int d = s->table != table ? (s->table < table ? -1 : 1) : strcmp(s->name, name);

                if (d == 0)
                        return (ssize_t) rs->set_index[mid];
                if (d < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -ENOENT;
}

int nft_ruleset_load_set(struct nft_ruleset *rs, size_t set) {
        if (rs->sets[set].loaded)
                return 0;
        if (!rs->loader)
                return nft_ruleset_finish_set(rs, set);
        return rs->loader(rs, set, rs->loader_data);
}

int nft_ruleset_peek_set(struct nft_ruleset *rs, size_t set) {
        if (rs->sets[set].loaded || rs->sets[set].big)
                return 0;
        if (!rs->peeker)
                return nft_ruleset_load_set(rs, set);
        return rs->peeker(rs, set, rs->loader_data);
}

static ssize_t chain_of(struct nft_ruleset *rs, int family, const char *table, const char *chain) {
        const struct nft_chain *c;
        ssize_t t;

        if (rs->last_chain < rs->n_chains) {
                c = &rs->chains[rs->last_chain];
                if (rs->tables[c->table].family == family && streq(c->name, chain) &&
                    streq(rs->tables[c->table].name, table))
                        return (ssize_t) rs->last_chain;
        }
        t = nft_ruleset_find_table(rs, family, table);
        if (t < 0)
                return t;
        t = nft_ruleset_find_chain(rs, (size_t) t, chain);
        if (t >= 0)
                rs->last_chain = (size_t) t;
        return t;
}

struct rule_attrs {
        const struct nlattr *a[NFTA_RULE_MAX + 1];
};

static int rule_attr_cb(const struct nlattr *attr, void *data) {
        struct rule_attrs *t = data;
        uint16_t type = mnl_attr_get_type(attr);

        if (type <= NFTA_RULE_MAX)
                t->a[type] = attr;
        return MNL_CB_OK;
}

int nft_ruleset_add_rule_msg(struct nft_ruleset *rs, const struct nlmsghdr *nlh) {
        const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
        struct rule_attrs t = {};
        struct nft_rule *rules, nr = {};
        const char *table, *chain;
        struct nft_chain *c;
        ssize_t ci;
        int k;

        if (mnl_attr_parse(nlh, sizeof(*nfg), rule_attr_cb, &t) < 0 || !t.a[NFTA_RULE_TABLE] || !t.a[NFTA_RULE_CHAIN] ||
            mnl_attr_validate(t.a[NFTA_RULE_TABLE], MNL_TYPE_NUL_STRING) < 0 ||
            mnl_attr_validate(t.a[NFTA_RULE_CHAIN], MNL_TYPE_NUL_STRING) < 0)
                return -EBADMSG;
        table = mnl_attr_get_str(t.a[NFTA_RULE_TABLE]);
        chain = mnl_attr_get_str(t.a[NFTA_RULE_CHAIN]);
        rs->n_rules++;
        /* Rules of chains the SYN never sees (output, forward) are counted, not compiled. */
        ci = chain_of(rs, nfg->nfgen_family, table, chain);
        if (ci < 0 || !rs->chains[ci].relevant)
                return 0;
        c = &rs->chains[ci];
        if (t.a[NFTA_RULE_HANDLE] && mnl_attr_get_payload_len(t.a[NFTA_RULE_HANDLE]) == 8)
                nr.handle = be64toh(mnl_attr_get_u64(t.a[NFTA_RULE_HANDLE]));
        k = nft_compile_exprs(rs, c->table, t.a[NFTA_RULE_EXPRESSIONS], t.a[NFTA_RULE_USERDATA], &nr);
        if (k < 0)
                return k;
        rules = grow(c->rules, &c->n_alloc, c->n_rules + 1, sizeof(*rules));
        if (!rules)
                return -ENOMEM;
        c->rules = rules;
        rules[c->n_rules++] = nr;
        return 0;
}

int nft_ruleset_add_rule(struct nft_ruleset *rs, const struct nftnl_rule *r) {
        char *buf = calloc(1, 64 * 1024);
        struct nlmsghdr *nlh;
        int k;

        if (!buf)
                return -ENOMEM;
        nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, (uint16_t) nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY), 0, 0);
        nftnl_rule_nlmsg_build_payload(nlh, (struct nftnl_rule *) r);
        k = nft_ruleset_add_rule_msg(rs, nlh);
        free(buf);
        return k;
}

/* Shared with nft-compile.c. */
void *nft_ruleset_arena_alloc(struct nft_ruleset *rs, size_t n) {
        return arena_alloc(rs, n);
}
