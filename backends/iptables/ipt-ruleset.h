#pragma once

/* One table of `iptables-save` output, parsed: chains, their policies and rules, each
 * rule split into the arguments iptables would take. The rules' lines and tokens live in
 * three buffers of the ruleset, so 50k rules cost a handful of allocations. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct ipt_rule {
        char *text;    /* the line as saved: "-A INPUT -p tcp ..."; in the ruleset's buffer */
        char **tok;    /* the arguments after "-A CHAIN", unquoted; NULL-terminated; in the ruleset's buffer */
        size_t n_tok;
        int target;    /* index of the chain a -j/-g names, -1: none */
        unsigned line; /* 1-based line in the parsed text */
        /* The first -p and --dport (or --destination-port) before the target, so that the
         * evaluator sees rules for other protocols and ports without the full walk:
         * tok[proto_tok] is -p's argument (0: none). Rules of over 64 arguments have none. */
        uint16_t proto_tok;
        bool proto_inv, has_dport, dport_inv;
        uint16_t dport_lo, dport_hi;
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

/* The same parse, of text that comes in pieces (a *-save that is still running): each
 * ipt_parser_feed() parses the whole lines that arrived since the last call. 'text' is all
 * of the input so far; it may move between calls, but what was fed must not change. The
 * feeds return < 0 only when out of memory (a syntax error is kept for finish). Finish
 * parses the rest, frees the parser and gives the ruleset; ipt_parser_done() drops it. */
struct ipt_tokv {
        size_t *at; /* offsets in the token buffer; SIZE_MAX ends a rule's list */
        size_t n, alloc;
};

struct ipt_parser {
        /* private */
        struct ipt_ruleset rs;
        const char *table;
        size_t parsed; /* bytes of the input parsed: whole lines */
        size_t lines_len, lines_alloc, tokens_len, tokens_alloc;
        struct ipt_tokv v;
        unsigned lineno;
        bool in_table, done, ended;
        int error;
};

void ipt_parser_init(struct ipt_parser *p, const char *table, int family);
int ipt_parser_feed(struct ipt_parser *p, const char *text, size_t len);
int ipt_parser_finish(struct ipt_parser *p, const char *text, size_t len, struct ipt_ruleset *ret, char **ret_error);
void ipt_parser_done(struct ipt_parser *p);
void ipt_ruleset_done(struct ipt_ruleset *rs);
int ipt_ruleset_find_chain(const struct ipt_ruleset *rs, const char *name);

/* The section of 'table' in save output, as a stable text: no comments, no counters. NULL
 * (and 0) when the table is not there. */
int ipt_save_normalize(const char *text, const char *table, char **ret);

/* A port range as iptables writes it: "22", "20:25", ":25", "1024:". */
int ipt_parse_port_range(const char *s, unsigned *lo, unsigned *hi);

/* Splits a rule's arguments as iptables-save quotes them; the caller frees the strv. */
int ipt_split_args(const char *s, char ***ret);

/* Joins arguments for a person, quoting those that need it. */
char *ipt_join_args(char *const *args);
