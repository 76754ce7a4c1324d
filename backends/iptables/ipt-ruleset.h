#pragma once

/* One table of `iptables-save` output, parsed: chains, their policies and rules, each
 * rule split into the arguments iptables would take. The rules' lines and tokens live in
 * three buffers of the ruleset, so 50k rules cost a handful of allocations. */

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct ipt_rule {
        char *text;    /* the line as saved: "-A INPUT -p tcp ..."; in the ruleset's buffer */
        char **tok;    /* the arguments after "-A CHAIN", unquoted; NULL-terminated; in the ruleset's buffer */
        size_t n_tok;
        int target;    /* index of the chain a -j/-g names, -1: none */
        unsigned line; /* 1-based line in the parsed text */
};

/* True when token i was quoted in the save output (so it is an argument, never an option). */
static inline bool ipt_tok_quoted(const struct ipt_rule *r, size_t i) {
        return r->tok[i][-1] == '\x01';
}

struct ipt_chain {
        char *name;
        char *policy;  /* ACCEPT, DROP; NULL for a user chain */
        struct ipt_rule *rules;
        size_t n_rules, n_alloc;
};

struct ipt_ruleset {
        int family;
        bool present;  /* the table was in the text */
        struct ipt_chain *chains;
        size_t n_chains;
        size_t n_rules;
        unsigned commit_line; /* of the table's COMMIT */
        /* private: what the rules point into */
        char *lines, *tokens;
        char **tokv;
};

/* Parses the section of 'table' ("filter") in 'text'. A line that cannot be parsed is an
 * error, described in *ret_error (caller frees). */
int ipt_ruleset_parse(const char *text, const char *table, int family, struct ipt_ruleset *ret, char **ret_error);
void ipt_ruleset_done(struct ipt_ruleset *rs);
int ipt_ruleset_find_chain(const struct ipt_ruleset *rs, const char *name);

/* The section of 'table' in save output, as a stable text: no comments, no counters. NULL
 * (and 0) when the table is not there. */
int ipt_save_normalize(const char *text, const char *table, char **ret);

/* Splits a rule's arguments as iptables-save quotes them; the caller frees the strv. */
int ipt_split_args(const char *s, char ***ret);

/* Joins arguments for a person, quoting those that need it. */
char *ipt_join_args(char *const *args);
