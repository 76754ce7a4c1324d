#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ipt-ruleset.h"
#include "util/strv.h"

/* A rule's target chain, looked up when the parse ends (rule_target()) */
#define IPT_TARGET_LATER (-2)

void ipt_ruleset_done(struct ipt_ruleset *rs) {
        if (!rs)
                return;
        for (size_t c = 0; c < rs->n_chains; c++) {
                free(rs->chains[c].rules);
                free(rs->chains[c].name);
                free(rs->chains[c].policy);
        }
        free(rs->chains);
        free(rs->lines);
        free(rs->tokens);
        free(rs->tokv);
        *rs = (struct ipt_ruleset) {};
}

int ipt_ruleset_find_chain(const struct ipt_ruleset *rs, const char *name) {
        for (size_t i = 0; i < rs->n_chains; i++)
                if (streq(rs->chains[i].name, name))
                        return (int) i;
        return -1;
}

static inline int tokv_push(struct ipt_tokv *v, size_t at) {
        if (__builtin_expect(v->n == v->alloc, 0)) {
                size_t a = v->alloc ? v->alloc * 2 : 64;
                size_t *x = realloc(v->at, sizeof(*x) * a);

                if (!x)
                        return -ENOMEM;
                v->at = x;
                v->alloc = a;
        }
        v->at[v->n++] = at;
        return 0;
}

/* Splits 's' (up to its end or a newline) into 'buf' from *pos on: each token is written
 * NUL-terminated, a quoted one after a \x01 byte, so that tok[-1] tells whether it was
 * quoted (buf[0] is a NUL for the first one). Each token's offset is pushed to 'v'. 'buf'
 * must hold 2 * strlen(s) + 1 more bytes. Returns the number of tokens. */
static int tokenize(const char *s, char *buf, size_t *pos, struct ipt_tokv *v) {
        char *w = buf + *pos;
        int n = 0;

        for (;;) {
                while (*s == ' ' || *s == '\t')
                        s++;
                if (!*s || *s == '\n')
                        break;
                if (*s == '"') {
                        *w++ = '\x01';
                        if (tokv_push(v, (size_t) (w - buf)) < 0)
                                return -ENOMEM;
                        s++;
                        while (*s && *s != '"') {
                                if (*s == '\\' && s[1])
                                        s++;
                                *w++ = *s++;
                        }
                        if (*s != '"')
                                return -EBADMSG;
                        s++;
                } else {
                        if (tokv_push(v, (size_t) (w - buf)) < 0)
                                return -ENOMEM;
                        while (*s && *s != ' ' && *s != '\t' && *s != '\n')
                                *w++ = *s++;
                }
                *w++ = 0;
                n++;
        }
        *pos = (size_t) (w - buf);
        return n;
}

int ipt_split_args(const char *s, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *buf = malloc(strlen(s) * 2 + 2);
        struct ipt_tokv v = {};
        size_t pos = 1;
        int n, r = 0;

        if (!buf)
                return -ENOMEM;
        buf[0] = 0;
        n = tokenize(s, buf, &pos, &v);
        if (n < 0)
                r = n;
        for (int i = 0; i < n && r >= 0; i++)
                r = strv_extend(&l, buf + v.at[i]);
        free(v.at);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

char *ipt_join_args(char *const *args) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return NULL;
        for (char *const *a = args; a && *a; a++) {
                bool plain = **a && !strpbrk(*a, " \t\"'\\$`;&|<>(){}*?[]#~");

                if (a != args)
                        fputc(' ', f);
                if (plain)
                        fputs(*a, f);
                else {
                        fputc('"', f);
                        for (const char *c = *a; *c; c++) {
                                if (*c == '"' || *c == '\\' || *c == '$' || *c == '`')
                                        fputc('\\', f);
                                fputc(*c, f);
                        }
                        fputc('"', f);
                }
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static struct ipt_chain *add_chain(struct ipt_ruleset *rs, const char *name, const char *policy) {
        struct ipt_chain *c = realloc(rs->chains, sizeof(*c) * (rs->n_chains + 1));

        if (!c)
                return NULL;
        rs->chains = c;
        c = &rs->chains[rs->n_chains];
        *c = (struct ipt_chain) { .name = strdup(name), .policy = policy && !streq(policy, "-") ? strdup(policy) : NULL };
        if (!c->name || (policy && !streq(policy, "-") && !c->policy)) {
                free(c->name);
                free(c->policy);
                return NULL;
        }
        rs->n_chains++;
        return c;
}

/* Makes room for 'more' bytes at *len in a buffer that may move (it is addressed by
 * offsets until the parse ends). */
static int reserve(char **buf, size_t *alloc, size_t len, size_t more) {
        size_t a = *alloc ? *alloc : 65536;
        char *b;

        while (a < len + more)
                a *= 2;
        if (a == *alloc)
                return 0;
        b = realloc(*buf, a);
        if (!b)
                return -ENOMEM;
        *buf = b;
        *alloc = a;
        return 0;
}

/* A decimal number of at most 5 digits at *s; advances *s. */
static int parse_port(const char **s, unsigned long *ret) {
        const char *p = *s;
        unsigned long v = 0;

        if (*p < '0' || *p > '9')
                return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
                if (p - *s >= 5)
                        return -EINVAL;
                v = v * 10 + (unsigned long) (*p - '0');
        }
        *s = p;
        *ret = v;
        return 0;
}

/* "22", "20:25", ":25", "1024:" */
int ipt_parse_port_range(const char *s, unsigned *lo, unsigned *hi) {
        unsigned long a = 0, b = 65535;

        if (*s != ':') {
                if (parse_port(&s, &a) < 0 || (*s && *s != ':'))
                        return -EINVAL;
                if (!*s)
                        b = a;
        }
        if (*s == ':') {
                s++;
                if (*s && (parse_port(&s, &b) < 0 || *s))
                        return -EINVAL;
        }
        if (a > 65535 || b > 65535 || a > b)
                return -EINVAL;
        *lo = (unsigned) a;
        *hi = (unsigned) b;
        return 0;
}

/* The first -p and --dport before the target, for the evaluator's quick look. */
static void note_quick(struct ipt_rule *r, char *const *tok, size_t n) {
        for (size_t i = 0; i + 1 < n; i++) {
                const char *t = tok[i];
                bool inv = i > 0 && tok[i - 1][0] == '!' && tok[i - 1][1] == 0;
                unsigned lo, hi;

                if (t[0] != '-' || t[-1] == '\x01')
                        continue;
                if (t[1] == 'p' && t[2] == 0 && !r->proto_tok) {
                        r->proto_tok = (uint16_t) (i + 1);
                        r->proto_inv = inv;
                } else if (t[1] == '-' && !r->has_dport && (streq(t, "--dport") || streq(t, "--destination-port")) &&
                           ipt_parse_port_range(tok[i + 1], &lo, &hi) == 0) {
                        r->has_dport = true;
                        r->dport_inv = inv;
                        r->dport_lo = (uint16_t) lo;
                        r->dport_hi = (uint16_t) hi;
                } else if ((t[1] == 'j' || t[1] == 'g') && t[2] == 0)
                        break;
        }
}

static bool builtin_target(const char *t) {
        return streq(t, "ACCEPT") || streq(t, "DROP") || streq(t, "REJECT") || streq(t, "RETURN") || streq(t, "LOG");
}

/* The chain a rule's -j/-g names (tokens tok[0..n)), -1: none or a built-in target,
 * 'missing': a name that is no chain (yet). The target and its options close the rule:
 * looked for from the end. */
static int rule_target(const struct ipt_ruleset *rs, char *const *tok, size_t n, int missing) {
        for (size_t t = n; t-- > 1;) {
                const char *k = tok[t - 1];

                if (k[0] == '-' && k[-1] != '\x01' &&
                    (streq(k, "-j") || streq(k, "--jump") || streq(k, "-g") || streq(k, "--goto"))) {
                        int c;

                        if (builtin_target(tok[t]))
                                return -1;
                        c = ipt_ruleset_find_chain(rs, tok[t]);
                        return c >= 0 ? c : missing;
                }
        }
        return -1;
}

/* Until the parse ends, a rule's text is an offset into the lines buffer and its tokens an
 * index into the token list (both move while they grow): kept in the pointers' places. */
static int add_rule(struct ipt_parser *p, struct ipt_chain *c, const char *line, size_t len, size_t args) {
        struct ipt_ruleset *rs = &p->rs;
        size_t first = p->v.n, text = p->lines_len;
        struct ipt_rule *r;
        char *tok[64];
        int n;

        if (c->n_rules == c->n_alloc) {
                size_t a = c->n_alloc ? c->n_alloc * 2 : 16;
                struct ipt_rule *x = realloc(c->rules, sizeof(*x) * a);
                if (!x)
                        return -ENOMEM;
                c->rules = x;
                c->n_alloc = a;
        }
        if (reserve(&rs->lines, &p->lines_alloc, p->lines_len, len + 1) < 0 ||
            reserve(&rs->tokens, &p->tokens_alloc, p->tokens_len, 2 * len + 3) < 0)
                return -ENOMEM;
        if (p->tokens_len == 0)
                rs->tokens[p->tokens_len++] = 0; /* the first token's tok[-1] */
        memcpy(rs->lines + text, line, len);
        rs->lines[text + len] = 0;
        p->lines_len += len + 1;
        n = tokenize(rs->lines + text + args, rs->tokens, &p->tokens_len, &p->v);
        if (n < 0)
                return n;
        /* the list's NULL */
        if (tokv_push(&p->v, SIZE_MAX) < 0)
                return -ENOMEM;
        /* iptables-save declares the chains before the rules: the target is known now; else
         * (a chain declared further down, over 64 tokens) it is looked up at the end */
        for (int i = 0; i < n && i < (int) ELEMENTSOF(tok); i++)
                tok[i] = rs->tokens + p->v.at[first + (size_t) i];
        r = &c->rules[c->n_rules++];
        *r = (struct ipt_rule) {
                .text = (char *) (uintptr_t) text,  /* NOLINT(performance-no-int-to-ptr): an offset until the lines stop moving */
                .tok = (char **) (uintptr_t) first, /* NOLINT(performance-no-int-to-ptr): an index until the token list stops moving */
                .n_tok = (size_t) n,
                .target = IPT_TARGET_LATER,
                .line = p->lineno,
        };
        if (n <= (int) ELEMENTSOF(tok)) {
                r->target = rule_target(rs, tok, (size_t) n, IPT_TARGET_LATER);
                note_quick(r, tok, (size_t) n);
        }
        rs->n_rules++;
        return 0;
}

/* One line of input, without its newline. */
static int parse_line(struct ipt_parser *p, const char *line, size_t len) {
        struct ipt_ruleset *rs = &p->rs;

        p->lineno++;
        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
                len--;
        if (len == 0 || line[0] == '#')
                return 0;
        if (line[0] == '*') {
                if (p->in_table)
                        return -EBADMSG;
                p->in_table = len - 1 == strlen(p->table) && strncmp(line + 1, p->table, len - 1) == 0;
                rs->present = rs->present || p->in_table;
                return 0;
        }
        if (!p->in_table)
                return 0;
        if (len == 6 && strncmp(line, "COMMIT", 6) == 0) {
                rs->commit_line = p->lineno;
                p->in_table = false;
                p->done = true;
                return 0;
        }
        if (line[0] == ':') {
                char buf[512], name[256], policy[64];

                if (len >= sizeof buf)
                        return -EBADMSG;
                memcpy(buf, line + 1, len - 1);
                buf[len - 1] = 0;
                if (sscanf(buf, "%255s %63s", name, policy) != 2)
                        return -EBADMSG;
                return add_chain(rs, name, policy) ? 0 : -ENOMEM;
        }
        if (len > 3 && strncmp(line, "-A ", 3) == 0) {
                const char *name = line + 3;
                size_t nlen = 0;
                int c = -1;

                while (3 + nlen < len && name[nlen] != ' ')
                        nlen++;
                /* rules come in chain order; the last chain is the likely one */
                if (rs->n_chains && strncmp(rs->chains[rs->n_chains - 1].name, name, nlen) == 0 &&
                    rs->chains[rs->n_chains - 1].name[nlen] == 0)
                        c = (int) rs->n_chains - 1;
                else
                        for (size_t i = 0; i < rs->n_chains; i++)
                                if (strncmp(rs->chains[i].name, name, nlen) == 0 && rs->chains[i].name[nlen] == 0)
                                        c = (int) i;
                if (c < 0)
                        return -EBADMSG;
                return add_rule(p, &rs->chains[c], line, len, 3 + nlen);
        }
        return -EBADMSG;
}

void ipt_parser_init(struct ipt_parser *p, const char *table, int family) {
        *p = (struct ipt_parser) { .table = table, .rs = { .family = family } };
}

int ipt_parser_feed(struct ipt_parser *p, const char *text, size_t len) {
        const char *nul;

        if (p->error == -ENOMEM)
                return -ENOMEM;
        if (p->ended)
                return 0;
        /* the input ends at a NUL, like a string */
        nul = memchr(text + p->parsed, 0, len - p->parsed);
        if (nul) {
                len = (size_t) (nul - text);
                p->ended = true;
        }
        while (p->parsed < len && !p->done && !p->error) {
                const char *line = text + p->parsed, *nl = memchr(line, '\n', len - p->parsed);

                if (!nl)
                        break; /* the rest of the line comes later */
                p->error = parse_line(p, line, (size_t) (nl - line));
                p->parsed = (size_t) (nl - text) + 1;
        }
        return p->error == -ENOMEM ? -ENOMEM : 0;
}

void ipt_parser_done(struct ipt_parser *p) {
        /* rules still hold offsets: nothing of them is freed but the arrays */
        ipt_ruleset_done(&p->rs);
        free(p->v.at);
        *p = (struct ipt_parser) {};
}

/* The offsets become pointers; the token list is turned into the pointer array in place. */
static void resolve(struct ipt_parser *p) {
        struct ipt_ruleset *rs = &p->rs;
        char **tokv = (char **) p->v.at;

        static_assert(sizeof(size_t) == sizeof(char *), "token offsets and pointers share the array");
        for (size_t i = 0; i < p->v.n; i++) {
                char *t = p->v.at[i] == SIZE_MAX ? NULL : rs->tokens + p->v.at[i];

                memcpy(&tokv[i], &t, sizeof(t));
        }
        rs->tokv = tokv;
        p->v = (struct ipt_tokv) {};
        for (size_t c = 0; c < rs->n_chains; c++)
                for (size_t i = 0; i < rs->chains[c].n_rules; i++) {
                        struct ipt_rule *r = &rs->chains[c].rules[i];

                        r->text = rs->lines + (uintptr_t) r->text;
                        r->tok = rs->tokv + (uintptr_t) r->tok;
                        if (r->target == IPT_TARGET_LATER)
                                r->target = rule_target(rs, r->tok, r->n_tok, -1);
                }
}

int ipt_parser_finish(struct ipt_parser *p, const char *text, size_t len, struct ipt_ruleset *ret, char **ret_error) {
        int r;

        r = ipt_parser_feed(p, text, len);
        /* the last line, without a newline */
        if (r >= 0 && !p->error && !p->done && p->parsed < len) {
                p->error = parse_line(p, text + p->parsed, strnlen(text + p->parsed, len - p->parsed));
                p->parsed = len;
        }
        r = r < 0 ? r : p->error;
        if (r >= 0 && p->in_table)
                r = -EBADMSG; /* no COMMIT */
        if (r < 0) {
                if (ret_error)
                        *ret_error = r == -ENOMEM ? NULL
                                                  : strprintf("line %u of the %s table is not iptables-save syntax",
                                                              p->lineno, p->table);
                ipt_parser_done(p);
                return r;
        }
        resolve(p);
        *ret = p->rs;
        *p = (struct ipt_parser) {};
        return 0;
}

int ipt_ruleset_parse(const char *text, const char *table, int family, struct ipt_ruleset *ret, char **ret_error) {
        struct ipt_parser p;
        size_t len = strlen(text);

        ipt_parser_init(&p, table, family);
        /* all of it is here: the buffers get their size at once */
        if (reserve(&p.rs.lines, &p.lines_alloc, 0, len + 1) < 0 || reserve(&p.rs.tokens, &p.tokens_alloc, 0, 2 * len + 3) < 0) {
                ipt_parser_done(&p);
                return -ENOMEM;
        }
        return ipt_parser_finish(&p, text, len, ret, ret_error);
}

int ipt_save_normalize(const char *text, const char *table, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        bool in_table = false, found = false;
        const char *p = text;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        while (p && *p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                const char *line = p;

                p = nl ? nl + 1 : NULL;
                while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\r'))
                        len--;
                if (len == 0 || line[0] == '#')
                        continue;
                if (line[0] == '*') {
                        in_table = len - 1 == strlen(table) && strncmp(line + 1, table, len - 1) == 0;
                        found = found || in_table;
                }
                if (!in_table)
                        continue;
                if (line[0] == ':') {
                        /* ":INPUT DROP [12:3456]" -> ":INPUT DROP" */
                        const char *b = memchr(line, '[', len);
                        if (b) {
                                len = (size_t) (b - line);
                                while (len > 0 && line[len - 1] == ' ')
                                        len--;
                        }
                }
                fwrite(line, 1, len, f);
                fputc('\n', f);
                if (len == 6 && strncmp(line, "COMMIT", 6) == 0)
                        in_table = false;
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        if (!found) {
                *ret = NULL;
                return 0;
        }
        *ret = TAKE_PTR(buf);
        return 0;
}
