#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipt-ruleset.h"
#include "util/strv.h"

void ipt_ruleset_done(struct ipt_ruleset *rs) {
        if (!rs)
                return;
        for (size_t c = 0; c < rs->n_chains; c++) {
                struct ipt_chain *ch = &rs->chains[c];

                for (size_t i = 0; i < ch->n_rules; i++) {
                        free(ch->rules[i].text);
                        if (ch->rules[i].tok) {
                                /* the buffer starts one byte before the first token */
                                free(ch->rules[i].n_tok ? ch->rules[i].tok[0] - 1 - (ch->rules[i].tok[0][-1] == '\x01')
                                                        : NULL);
                                free(ch->rules[i].tok);
                        }
                }
                free(ch->rules);
                free(ch->name);
                free(ch->policy);
        }
        free(rs->chains);
        *rs = (struct ipt_ruleset) {};
}

int ipt_ruleset_find_chain(const struct ipt_ruleset *rs, const char *name) {
        for (size_t i = 0; i < rs->n_chains; i++)
                if (streq(rs->chains[i].name, name))
                        return (int) i;
        return -1;
}

/* Tokenizes 's' into one buffer: "\0tok\0\x01quoted\0..." so that tok[i][-1] tells whether
 * a token was quoted. Returns the number of tokens. */
static int tokenize(const char *s, char ***ret) {
        size_t len = strlen(s), n = 0, alloc = 8;
        _cleanup_free_ char *buf = malloc(len * 2 + 2);
        _cleanup_free_ char **tok = malloc(sizeof(char *) * alloc);
        char *w;

        if (!buf || !tok)
                return -ENOMEM;
        w = buf;
        *w++ = 0;
        while (*s) {
                bool quoted = false;

                while (*s == ' ' || *s == '\t')
                        s++;
                if (!*s || *s == '\n')
                        break;
                if (n + 2 > alloc) {
                        char **t = realloc(tok, sizeof(char *) * (alloc *= 2));
                        if (!t)
                                return -ENOMEM;
                        tok = t;
                }
                if (*s == '"') {
                        quoted = true;
                        *w++ = '\x01';
                        tok[n++] = w;
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
                        tok[n++] = w;
                        while (*s && *s != ' ' && *s != '\t' && *s != '\n')
                                *w++ = *s++;
                }
                (void) quoted;
                *w++ = 0;
        }
        tok[n] = NULL;
        if (n == 0) {
                *ret = NULL;
                return 0;
        }
        TAKE_PTR(buf);
        *ret = TAKE_PTR(tok);
        return (int) n;
}

int ipt_split_args(const char *s, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        char **tok = NULL;
        int n, r = 0;

        n = tokenize(s, &tok);
        if (n < 0)
                return n;
        for (int i = 0; i < n && r >= 0; i++)
                r = strv_extend(&l, tok[i]);
        if (tok) {
                free(tok[0] - 1 - (tok[0][-1] == '\x01'));
                free(tok);
        }
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

static int add_rule(struct ipt_chain *c, const char *line, const char *args) {
        struct ipt_rule r = { .target = -1 };
        int n;

        if (c->n_rules == c->n_alloc) {
                size_t a = c->n_alloc ? c->n_alloc * 2 : 16;
                struct ipt_rule *x = realloc(c->rules, sizeof(*x) * a);
                if (!x)
                        return -ENOMEM;
                c->rules = x;
                c->n_alloc = a;
        }
        n = tokenize(args, &r.tok);
        if (n < 0)
                return n;
        r.n_tok = (size_t) n;
        r.text = strdup(line);
        if (!r.text) {
                if (r.tok) {
                        free(r.tok[0] - 1 - (r.tok[0][-1] == '\x01'));
                        free(r.tok);
                }
                return -ENOMEM;
        }
        c->rules[c->n_rules++] = r;
        return 0;
}

static void resolve_targets(struct ipt_ruleset *rs) {
        for (size_t c = 0; c < rs->n_chains; c++)
                for (size_t i = 0; i < rs->chains[c].n_rules; i++) {
                        struct ipt_rule *r = &rs->chains[c].rules[i];

                        for (size_t t = 0; t + 1 < r->n_tok; t++)
                                if (!ipt_tok_quoted(r, t) && (streq(r->tok[t], "-j") || streq(r->tok[t], "--jump") ||
                                                              streq(r->tok[t], "-g") || streq(r->tok[t], "--goto"))) {
                                        r->target = ipt_ruleset_find_chain(rs, r->tok[t + 1]);
                                        break;
                                }
                }
}

int ipt_ruleset_parse(const char *text, const char *table, int family, struct ipt_ruleset *ret, char **ret_error) {
        struct ipt_ruleset rs = { .family = family };
        bool in_table = false, done = false;
        unsigned lineno = 0;
        const char *p = text;
        int r = 0;

        while (p && *p && !done) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                _cleanup_free_ char *line = strndup(p, len);

                p = nl ? nl + 1 : NULL;
                lineno++;
                if (!line) {
                        r = -ENOMEM;
                        break;
                }
                strstrip_trailing(line);
                if (line[0] == '#' || line[0] == 0)
                        continue;
                if (line[0] == '*') {
                        if (in_table) {
                                r = -EBADMSG;
                                break;
                        }
                        in_table = streq(line + 1, table);
                        rs.present = rs.present || in_table;
                        continue;
                }
                if (!in_table)
                        continue;
                if (streq(line, "COMMIT")) {
                        in_table = false;
                        done = true;
                        continue;
                }
                if (line[0] == ':') {
                        char name[256], policy[64];

                        if (sscanf(line + 1, "%255s %63s", name, policy) != 2) {
                                r = -EBADMSG;
                                break;
                        }
                        if (!add_chain(&rs, name, policy)) {
                                r = -ENOMEM;
                                break;
                        }
                        continue;
                }
                if (strncmp(line, "-A ", 3) == 0) {
                        const char *name = line + 3, *args;
                        size_t nlen = strcspn(name, " ");
                        int c = -1;

                        args = name + nlen;
                        /* rules come in chain order; the last chain is the likely one */
                        if (rs.n_chains && strlen(rs.chains[rs.n_chains - 1].name) == nlen &&
                            strncmp(rs.chains[rs.n_chains - 1].name, name, nlen) == 0)
                                c = (int) rs.n_chains - 1;
                        else
                                for (size_t i = 0; i < rs.n_chains; i++)
                                        if (strlen(rs.chains[i].name) == nlen && strncmp(rs.chains[i].name, name, nlen) == 0)
                                                c = (int) i;
                        if (c < 0) {
                                r = -EBADMSG;
                                break;
                        }
                        r = add_rule(&rs.chains[c], line, args);
                        if (r < 0)
                                break;
                        rs.n_rules++;
                        continue;
                }
                r = -EBADMSG;
                break;
        }
        if (r == 0 && in_table)
                r = -EBADMSG; /* no COMMIT */
        if (r < 0) {
                if (ret_error)
                        *ret_error = r == -ENOMEM ? NULL : strprintf("line %u of the %s table is not iptables-save syntax",
                                                                     lineno, table);
                ipt_ruleset_done(&rs);
                return r;
        }
        resolve_targets(&rs);
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
