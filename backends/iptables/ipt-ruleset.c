#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ipt-ruleset.h"
#include "util/strv.h"

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

/* Token pointers, as offsets into the token buffer while it is being filled. */
struct tokv {
        size_t *at;
        size_t n, alloc;
};

static inline int tokv_push(struct tokv *v, size_t at) {
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
static int tokenize(const char *s, char *buf, size_t *pos, struct tokv *v) {
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
        struct tokv v = {};
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

/* A rule's tokens are, until the parse ends, an offset into 'v' (its pointers move while
 * it grows): kept in n_tok's place of 'tok'. */
static int add_rule(struct ipt_chain *c, char *line, unsigned lineno, const char *args, char *buf, size_t *pos,
                    struct tokv *v) {
        size_t first = v->n;
        int n;

        if (c->n_rules == c->n_alloc) {
                size_t a = c->n_alloc ? c->n_alloc * 2 : 16;
                struct ipt_rule *x = realloc(c->rules, sizeof(*x) * a);
                if (!x)
                        return -ENOMEM;
                c->rules = x;
                c->n_alloc = a;
        }
        n = tokenize(args, buf, pos, v);
        if (n < 0)
                return n;
        /* the list's NULL */
        if (tokv_push(v, SIZE_MAX) < 0)
                return -ENOMEM;
        c->rules[c->n_rules++] = (struct ipt_rule) {
                .text = line,
                .tok = (char **) (uintptr_t) first, /* NOLINT(performance-no-int-to-ptr): an index until the token array stops moving */
                .n_tok = (size_t) n,
                .target = -1,
                .line = lineno,
        };
        return 0;
}

static bool builtin_target(const char *t) {
        return streq(t, "ACCEPT") || streq(t, "DROP") || streq(t, "REJECT") || streq(t, "RETURN") || streq(t, "LOG");
}

/* The token lists become pointers, and -j/-g name their chains. */
static int finish(struct ipt_ruleset *rs, struct tokv *v) {
        rs->tokv = malloc(sizeof(char *) * (v->n ? v->n : 1));
        if (!rs->tokv)
                return -ENOMEM;
        for (size_t i = 0; i < v->n; i++)
                rs->tokv[i] = v->at[i] == SIZE_MAX ? NULL : rs->tokens + v->at[i];
        for (size_t c = 0; c < rs->n_chains; c++)
                for (size_t i = 0; i < rs->chains[c].n_rules; i++) {
                        struct ipt_rule *r = &rs->chains[c].rules[i];

                        r->tok = rs->tokv + (uintptr_t) r->tok;
                        /* from the end: the target and its options close the rule */
                        for (size_t t = r->n_tok; t-- > 1;) {
                                const char *k = r->tok[t - 1];

                                if (k[0] == '-' && !ipt_tok_quoted(r, t - 1) &&
                                    (streq(k, "-j") || streq(k, "--jump") || streq(k, "-g") || streq(k, "--goto"))) {
                                        if (!builtin_target(r->tok[t]))
                                                r->target = ipt_ruleset_find_chain(rs, r->tok[t]);
                                        break;
                                }
                        }
                }
        return 0;
}

static int parse_lines(struct ipt_ruleset *rs, const char *table, struct tokv *v, size_t *pos, unsigned *lineno) {
        bool in_table = false;
        char *p = rs->lines;

        while (p && *p) {
                char *line = p, *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);

                p = nl ? nl + 1 : NULL;
                (*lineno)++;
                while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
                        len--;
                line[len] = 0;
                if (line[0] == '#' || line[0] == 0)
                        continue;
                if (line[0] == '*') {
                        if (in_table)
                                return -EBADMSG;
                        in_table = streq(line + 1, table);
                        rs->present = rs->present || in_table;
                        continue;
                }
                if (!in_table)
                        continue;
                if (streq(line, "COMMIT")) {
                        rs->commit_line = *lineno;
                        return 0;
                }
                if (line[0] == ':') {
                        char name[256], policy[64];

                        if (sscanf(line + 1, "%255s %63s", name, policy) != 2)
                                return -EBADMSG;
                        if (!add_chain(rs, name, policy))
                                return -ENOMEM;
                        continue;
                }
                if (strncmp(line, "-A ", 3) == 0) {
                        const char *name = line + 3;
                        size_t nlen = strcspn(name, " ");
                        int c = -1, k;

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
                        k = add_rule(&rs->chains[c], line, *lineno, name + nlen, rs->tokens, pos, v);
                        if (k < 0)
                                return k;
                        rs->n_rules++;
                        continue;
                }
                return -EBADMSG;
        }
        return in_table ? -EBADMSG : 0; /* no COMMIT */
}

int ipt_ruleset_parse(const char *text, const char *table, int family, struct ipt_ruleset *ret, char **ret_error) {
        struct ipt_ruleset rs = { .family = family };
        struct tokv v = {};
        size_t len = strlen(text), pos = 1;
        unsigned lineno = 0;
        int r;

        rs.lines = malloc(len + 1);
        rs.tokens = malloc(len * 2 + 2);
        if (!rs.lines || !rs.tokens)
                r = -ENOMEM;
        else {
                memcpy(rs.lines, text, len + 1);
                rs.tokens[0] = 0;
                r = parse_lines(&rs, table, &v, &pos, &lineno);
        }
        if (r >= 0)
                r = finish(&rs, &v);
        free(v.at);
        if (r < 0) {
                if (ret_error)
                        *ret_error = r == -ENOMEM ? NULL : strprintf("line %u of the %s table is not iptables-save syntax",
                                                                     lineno, table);
                /* rules still hold offsets: nothing of them is freed but the arrays */
                ipt_ruleset_done(&rs);
                return r;
        }
        *ret = rs;
        return 0;
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
