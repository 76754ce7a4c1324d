#pragma once

/* Facts about the nftables ruleset (filled by backends/nftables, read by plans/firewall-nft.c). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nft_verdict {
        NFT_VERDICT_ACCEPTED,
        NFT_VERDICT_DROPPED,
        NFT_VERDICT_REJECTED,
        NFT_VERDICT_UNKNOWN,
        _NFT_VERDICT_MAX,
};

/* Who manages a table: edits there belong to that frontend, never to us. */
enum nft_owner {
        NFT_OWNER_NONE,
        NFT_OWNER_IPTABLES,  /* iptables-nft */
        NFT_OWNER_UFW,       /* ufw, through iptables-nft */
        NFT_OWNER_FIREWALLD,
        NFT_OWNER_FAIL2BAN,
        NFT_OWNER_PROCESS,   /* NFT_TABLE_F_OWNER: owned by a running process */
        _NFT_OWNER_MAX,
};

/* What one base chain does with a TCP SYN to one port, arriving from outside. */
struct nft_chain_verdict {
        int nfproto;     /* NFPROTO_IPV4 or NFPROTO_IPV6: the SYN's family */
        uint16_t port;
        char *family;    /* of the base chain's table: "inet" */
        char *table;
        char *chain;     /* the base chain */
        char *hook;      /* "input" */
        int priority;
        enum nft_owner owner;
        enum nft_verdict verdict;

        /* The deciding rule, for verdicts other than accepted. It may sit in a regular chain
         * that the base chain jumps to. by_policy: the base chain's policy decided. */
        bool by_policy;
        char *rule_chain;
        uint64_t handle;
        unsigned index;        /* 1-based position in rule_chain */
        uint64_t next_handle;  /* of the rule after it, 0: none */
        size_t chain_rules;    /* rules in rule_chain */
        char *text;            /* "tcp dport 20-25 drop", "policy drop" */
        bool only_port;        /* the rule matches no port but the requested ones */
        char *unknown;         /* why the verdict is unknown */
        char **notes;          /* rules that match some of these SYNs only */
};

/* /etc/nftables.conf as far as a plan needs it: where each chain's rules are. */
struct nft_conf_chain {
        char *family, *table, *chain;
        unsigned *rule_lines; /* 1-based line numbers, one per rule, in order */
        size_t n_rules;
        unsigned close_line;  /* the line of the chain's closing brace */
        char *indent;         /* of its rules */
        bool editable;        /* one rule per line, nothing we cannot follow */
};

struct nft_conf {
        char *path;           /* NULL: no ruleset file is loaded at boot */
        char *loaded_by;      /* "nftables.service" */
        char *checksum;       /* of the content, to detect a change before editing */
        struct nft_conf_chain *chains;
        size_t n_chains;
        char *problem;        /* why it cannot be edited, when it cannot */
};

struct nft_foreign_table {
        char *family, *table;
        enum nft_owner owner;
};

struct nft_facts {
        bool known;           /* false: the ruleset was not read */
        uint32_t genid;       /* the ruleset generation the facts describe */
        size_t n_tables, n_chains, n_rules, n_sets;
        struct nft_chain_verdict *verdicts;
        size_t n_verdicts;
        struct nft_foreign_table *foreign;
        size_t n_foreign;
        struct nft_conf conf;
        /* Offline (--root): what the facts describe, "/mnt/etc/nftables.conf (loaded at boot by
         * nftables.service)", or why no ruleset is loaded at boot. NULL: the running kernel. */
        char *source;
        bool offline;         /* from a file of the tree: only file edits can change it */
};

void nft_chain_verdict_done(struct nft_chain_verdict *v);
void nft_conf_done(struct nft_conf *c);
void nft_facts_done(struct nft_facts *n);

const char *nft_verdict_to_string(enum nft_verdict v);
const char *nft_owner_to_string(enum nft_owner o);
