#pragma once

/* Facts about the firewall frontends: iptables (legacy and nft), ufw, firewalld, fail2ban
 * (filled by their backends, read by plans/firewall-*.c). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fw_verdict {
        FW_VERDICT_ACCEPTED,
        FW_VERDICT_DROPPED,
        FW_VERDICT_REJECTED,
        FW_VERDICT_UNKNOWN,
        _FW_VERDICT_MAX,
};

enum ipt_variant {
        IPT_VARIANT_NFT,    /* iptables-nft: rules live in nftables tables */
        IPT_VARIANT_LEGACY, /* iptables-legacy: the x_tables kernel interface */
        _IPT_VARIANT_MAX,
};

/* Who manages the chain that decided: fixes there belong to that frontend. */
enum fw_owner {
        FW_OWNER_NONE,      /* plain iptables rules */
        FW_OWNER_UFW,       /* ufw-* / ufw6-* chains, and INPUT's policy while ufw is active */
        FW_OWNER_FIREWALLD, /* firewalld's chains (its iptables backend) */
        FW_OWNER_FAIL2BAN,  /* f2b-* chains */
        FW_OWNER_SSHGUARD,  /* sshguard chain */
        FW_OWNER_DOCKER,    /* DOCKER* chains */
        _FW_OWNER_MAX,
};

/* What the filter table's INPUT path does with a TCP SYN to one port from outside. */
struct ipt_verdict {
        enum ipt_variant variant;
        int family;            /* AF_INET or AF_INET6 */
        uint16_t port;
        enum fw_verdict verdict;
        enum fw_owner owner;
        bool by_policy;        /* INPUT's policy decided */
        char *chain;           /* of the deciding rule; "INPUT" for the policy */
        unsigned index;        /* 1-based position of the deciding rule in 'chain'; 0: policy */
        unsigned entry;        /* 1-based INPUT rule on the path to the decision; 0: policy */
        size_t input_rules;    /* rules in INPUT */
        char *rule;            /* "-A INPUT -p tcp -m multiport --dports 20:25 -j DROP", "-P INPUT DROP" */
        char **spec;           /* the deciding rule's arguments after "-A CHAIN" */
        bool only_port;        /* it matches no TCP port but the requested ones */
        char *unknown;         /* verdict unknown: why */
        char **notes;          /* rules that match some of these SYNs only */
        struct ipt_verdict *after; /* only_port blocks: the verdict once this rule is deleted */
        unsigned line;         /* offline: the deciding rule's line in the rules file; 0: policy */
        unsigned entry_line;   /* offline: the line of INPUT rule 'entry'; 0: policy */
};

/* A rules file that is loaded at boot, and whether it mirrors the live table. */
struct ipt_persist {
        char *path;            /* NULL: no persistence mechanism is loaded at boot */
        char *loaded_by;       /* "netfilter-persistent.service" */
        bool writable;
        bool in_sync;          /* its filter table equals the live one (rules and policies) */
};

/* One iptables variant and family: "iptables-nft, IPv4". */
struct ipt_table {
        enum ipt_variant variant;
        int family;
        bool present;          /* a filter table exists */
        bool active;           /* it has rules, or a policy other than ACCEPT */
        bool is_default;       /* plain `iptables`/`ip6tables` is this variant */
        size_t n_rules;
        struct ipt_persist persist;
        /* Offline (--root): the table is persist.path, the rules file the tree loads at boot;
         * fixes are edits of that file. input_end_line: the line before which a rule
         * appended to INPUT goes (after INPUT's last rule, or the table's COMMIT). */
        bool offline;
        unsigned input_end_line;
};

/* ufw's own rule list (user.rules, user6.rules), in `ufw status numbered` order. */
struct ufw_rule {
        unsigned number;       /* as `ufw status numbered` shows it */
        int family;            /* AF_INET (user.rules) or AF_INET6 (user6.rules) */
        char *action;          /* allow, deny, reject, limit (a "_log" suffix dropped) */
        char *proto;           /* tcp, udp, any */
        char *dport;           /* "22", "19:124", "22,80", "any" */
        char *dst, *sport, *src;
        char *dapp, *sapp;     /* app profile names, NULL when none */
        char *direction;       /* "in", "out", "in_eth0" ... */
        char *text;            /* the tuple line */
        char *line;            /* the whole "### tuple ### ..." line as the file has it */
};

struct ufw_verdict {
        int family;
        uint16_t port;
        enum fw_verdict now;   /* what happens to the SYN */
        /* DENY/REJECT rules for this port alone that decide before anything else; deleting
         * them leaves the decision below */
        unsigned deletable[8];
        size_t n_deletable;
        enum fw_verdict verdict; /* the decision after the deletable rules */
        bool by_policy;        /* DEFAULT_INPUT_POLICY decided */
        unsigned rule;         /* the deciding rule's number; 0: the policy */
        char **notes;
};

struct ufw_facts {
        bool installed;        /* /usr/sbin/ufw exists */
        bool files;            /* /etc/ufw/user.rules exists */
        bool enabled;          /* ufw.conf ENABLED=yes */
        bool active;           /* enabled and its chains are in the kernel */
        bool ipv6;             /* /etc/default/ufw IPV6=yes */
        char *input_policy;    /* DEFAULT_INPUT_POLICY: DROP, REJECT, ACCEPT */
        struct ufw_rule *rules;
        size_t n_rules, n_rules4;
        struct ufw_verdict *verdicts;
        size_t n_verdicts;
        bool writable;         /* its files can be written */
        bool marker[2];        /* user.rules, user6.rules have ufw's "### RULES ###" line */
        char *unit_note;       /* offline: why ufw is not loaded at boot although ENABLED=yes */
};

/* One port in a zone, runtime and permanent. */
struct firewalld_port {
        uint16_t port;
        enum fw_verdict runtime, permanent;
        bool runtime_allowed, permanent_allowed; /* service ssh (port 22) or port/tcp, or a rich accept */
        char **runtime_blocking;   /* rich rules that reject or drop it for every client */
        char **permanent_blocking;
        bool blocking_only_port;   /* each of them names nothing but this port */
        char **notes;
};

/* A zone that some external interface is in (or the default zone, for those in none). */
struct firewalld_zone {
        char *name;
        char **interfaces;     /* the external interfaces in it; NULL: the default zone, read from files */
        char *target;          /* default, ACCEPT, DROP, REJECT */
        struct firewalld_port *ports;
        size_t n_ports;
        /* read from files (firewalld not running, or offline): */
        char *file;            /* the zone file that defines it, as the target system sees it */
        bool builtin;          /* under /usr/lib/firewalld: a change is made on a copy in /etc/firewalld/zones */
        bool editable;         /* it has a "</zone>" line to add an element before */
};

/* Appends *p to z->ports, which takes what it holds; on failure frees what *p holds. */
int firewalld_zone_add_port(struct firewalld_zone *z, struct firewalld_port *p);

struct firewalld_facts {
        bool installed;
        bool running;          /* org.fedoraproject.FirewallD1 is on the system bus */
        bool enabled;          /* firewalld.service starts at boot */
        bool permanent_known;  /* the permanent configuration was read */
        bool from_files;       /* ... from its files: firewalld is not running (or offline) */
        bool writable;         /* from files: /etc/firewalld/zones can be written */
        struct firewalld_zone *zones;
        size_t n_zones;
        char *error;           /* what could not be asked */
};

struct fail2ban_ban {
        char *jail;
        char *address;
};

struct fail2ban_facts {
        bool installed;
        bool running;
        char **jails;
        struct fail2ban_ban *bans;
        size_t n_bans;
        bool sshguard_running;
};

struct fw_facts {
        bool known;
        char **frontends;      /* for a person: "iptables-nft IPv4: 3 rules, INPUT policy DROP" */
        struct ipt_table tables[4]; /* [variant * 2 + (family == AF_INET6)] */
        struct ipt_verdict *ipt;
        size_t n_ipt;
        bool ufw_chains;       /* ufw's chains are in some live filter table */
        struct ufw_facts ufw;
        struct firewalld_facts firewalld;
        struct fail2ban_facts f2b;
};

void ipt_verdict_done(struct ipt_verdict *v);
void fw_facts_done(struct fw_facts *f);

const char *fw_verdict_to_string(enum fw_verdict v);
const char *ipt_variant_to_string(enum ipt_variant v);
enum ipt_variant ipt_variant_from_string(const char *s);
const char *fw_owner_to_string(enum fw_owner o);
static inline struct ipt_table *fw_ipt_table(struct fw_facts *f, enum ipt_variant v, int inet6) {
        return &f->tables[v * 2 + !!inet6];
}
