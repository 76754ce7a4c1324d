#pragma once

/* The ruleset as the evaluator needs it: tables, chains with their rules compiled to a compact
 * list of register operations, and sets. Built from libnftnl objects (nft_ruleset_add_*), which
 * the caller frees right after: nothing here points into them. Rules live in an arena, so that
 * 100k rules cost a few allocations, not 100k. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model-nft.h"

struct nftnl_table;
struct nftnl_chain;
struct nftnl_rule;
struct nftnl_set;

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

#define NFT_REG_BYTES 64      /* 16 x 32-bit registers, NFT_REG_1..4 overlay them */
#define NFT_REGNO_VERDICT 0xff

enum nft_op_kind {
        NFT_OP_PAYLOAD,   /* sub = base, arg = offset, len -> dreg */
        NFT_OP_META,      /* sub = key -> dreg */
        NFT_OP_CT,        /* sub = key, flags = dir (0xff: none) -> dreg */
        NFT_OP_CMP,       /* sub = op, data, len <- sreg */
        NFT_OP_RANGE,     /* sub = op, data..data2, len <- sreg */
        NFT_OP_BITWISE,   /* sub = op, data = mask, data2 = xor (or shift in arg), len */
        NFT_OP_BYTEORDER, /* sub = op, arg = size, len */
        NFT_OP_LOOKUP,    /* ref = set index, flags = inverted, dreg may be NFT_REGNO_VERDICT */
        NFT_OP_IMMEDIATE, /* dreg = NFT_REGNO_VERDICT: verdict (+ ref chain); else data */
        NFT_OP_REJECT,    /* sub = type */
        NFT_OP_META_SET,  /* sub = key <- sreg */
        NFT_OP_NOTRACK,
        NFT_OP_SOMETIMES, /* limit, quota, connlimit: true for some packets only; name */
        NFT_OP_OPAQUE,    /* a load of a value we cannot know (numgen, hash): dreg, len */
        NFT_OP_RPF,       /* fib saddr [. iif] oif|oifname [present]: a route back exists: dreg, len */
        NFT_OP_UNKNOWN,   /* an expression the evaluator does not understand: name */
        NFT_OP_XT_MATCH,  /* iptables-nft compat match: name, info */
        NFT_OP_XT_TARGET, /* iptables-nft compat target: name */
};

struct nft_op {
        uint8_t kind;
        uint8_t sreg;  /* byte offset into the register file */
        uint8_t dreg;  /* byte offset, or NFT_REGNO_VERDICT */
        uint8_t len;
        uint8_t sub;
        uint8_t flags;
        uint16_t arg;
        uint32_t ref;    /* set index, chain index (jump/goto) */
        int32_t verdict;
        const char *name;     /* unknown/compat expression names (static or arena) */
        const uint8_t *blob;  /* compat info (arena) */
        uint32_t blob_len;
        uint8_t data[16];
        uint8_t data2[16];
};

struct nft_rule {
        uint64_t handle;
        struct nft_op *ops;
        uint16_t n_ops;
        const char *comment; /* arena */
};

struct nft_table {
        int family;
        char *name;
        uint32_t flags;
        enum nft_owner owner;
        bool has_compat;
        bool rules_not_read; /* iptables-nft's: its own backend reads them; never evaluated here */
};

struct nft_chain {
        size_t table;
        char *name;
        uint64_t handle;
        bool base;
        bool relevant; /* a base chain on the SYN's path or a regular chain: rules are kept */
        uint32_t hooknum;
        int32_t prio;
        uint32_t policy;
        char *type;
        char *dev;
        struct nft_rule *rules;
        size_t n_rules, n_alloc;
};

struct nft_elem {
        uint32_t key, key_end; /* offsets into the set's pool; the range is inclusive */
        uint32_t flags;
        int32_t verdict;
        uint32_t chain; /* chain index for jump/goto verdicts */
        uint32_t data;  /* offset into the pool, UINT32_MAX: none */
};

struct nft_set {
        size_t table;
        char *name;
        uint32_t flags;
        uint32_t key_len, data_len, data_type;
        uint8_t field_len[16]; /* concatenation field lengths, when known */
        unsigned n_fields;
        bool loaded;
        bool big;       /* not loaded, but known to hold two elements or more */
        struct nft_elem *elems;
        size_t n_elems, n_alloc;
        uint8_t *pool;
        size_t pool_len, pool_alloc;
};

struct nft_arena_block;

struct nft_ruleset;
/* Called when a lookup needs the elements of a set that are not loaded yet. */
typedef int (*nft_set_loader)(struct nft_ruleset *rs, size_t set, void *userdata);

struct nft_ruleset {
        struct nft_table *tables;
        size_t n_tables;
        struct nft_chain *chains;
        size_t n_chains;
        struct nft_set *sets;
        size_t n_sets;
        size_t n_rules;      /* all rules seen, kept or not */
        struct nft_arena_block *arena;
        size_t *chain_index; /* chain indices sorted by (table, name) */
        size_t *set_index;
        size_t last_chain;   /* lookup cache for consecutive rules of one chain */
        nft_set_loader loader;
        nft_set_loader peeker; /* loads a small set, or only finds out that it is not small */
        void *loader_data;
};

void nft_ruleset_done(struct nft_ruleset *rs);

int nft_ruleset_add_table(struct nft_ruleset *rs, const struct nftnl_table *t);
int nft_ruleset_add_chain(struct nft_ruleset *rs, const struct nftnl_chain *c);
int nft_ruleset_add_set(struct nft_ruleset *rs, const struct nftnl_set *s);
/* Adds the elements of a set object parsed from a NEWSETELEM dump (or built in memory). */
int nft_ruleset_add_elems(struct nft_ruleset *rs, size_t set, const struct nftnl_set *s);
/* Marks the set loaded: sorts interval markers into ranges. */
int nft_ruleset_finish_set(struct nft_ruleset *rs, size_t set);
/* Call after all tables, chains and sets are added and before rules. */
int nft_ruleset_index(struct nft_ruleset *rs);
int nft_ruleset_add_rule(struct nft_ruleset *rs, const struct nftnl_rule *r);
/* The same from a NEWRULE message as a dump delivers it. */
struct nlmsghdr;
int nft_ruleset_add_rule_msg(struct nft_ruleset *rs, const struct nlmsghdr *nlh);

ssize_t nft_ruleset_find_table(const struct nft_ruleset *rs, int family, const char *name);
ssize_t nft_ruleset_find_chain(const struct nft_ruleset *rs, size_t table, const char *name);
ssize_t nft_ruleset_find_set(const struct nft_ruleset *rs, size_t table, const char *name);
int nft_ruleset_load_set(struct nft_ruleset *rs, size_t set);
/* Loads the set if it is small (one element or none), else only sets ->big: enough to judge a
 * lookup of "every value", without reading 100k elements. */
int nft_ruleset_peek_set(struct nft_ruleset *rs, size_t set);

/* "inet", "ip", ... */
const char *nft_family_to_string(int family);
int nft_family_from_string(const char *s);
const char *nft_hook_to_string(int family, uint32_t hooknum);

/* Readable nft-like text of a rule ("tcp dport 20-25 drop"). Caller frees. */
char *nft_rule_to_text(struct nft_ruleset *rs, const struct nft_chain *c, const struct nft_rule *r);
