/* A plain sshd_config tokenizer (see sshd-lines.h). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sshd-lines.h"
#include "util/strv.h"

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int split_words(const char *s, const char *end, char ***ret) {
        _cleanup_strv_free_ char **words = NULL;

        while (s < end) {
                const char *start;
                char *w;

                while (s < end && is_space(*s))
                        s++;
                if (s >= end)
                        break;
                if (*s == '"') {
                        start = ++s;
                        while (s < end && *s != '"')
                                s++;
                        w = strndup(start, (size_t) (s - start));
                        if (s < end)
                                s++;
                } else {
                        start = s;
                        while (s < end && !is_space(*s))
                                s++;
                        w = strndup(start, (size_t) (s - start));
                }
                if (!w || strv_consume(&words, w) < 0) {
                        free(w);
                        return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(words);
        return 0;
}

int sshd_lines_parse(const char *text, size_t len, struct sshd_line **ret, size_t *ret_n) {
        struct sshd_line *list = NULL;
        size_t n = 0, cap = 0;
        const char *p = text, *end = text + len;
        unsigned lineno = 0;
        int r;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *eol = nl ? nl : end, *s = p, *k;
                struct sshd_line l = {};

                lineno++;
                p = nl ? nl + 1 : end;
                while (s < eol && is_space(*s))
                        s++;
                if (s >= eol || *s == '#')
                        continue;
                k = s;
                while (s < eol && !is_space(*s) && *s != '=')
                        s++;
                l.line = lineno;
                l.keyword = strndup(k, (size_t) (s - k));
                if (!l.keyword) {
                        r = -ENOMEM;
                        goto fail;
                }
                while (s < eol && is_space(*s))
                        s++;
                if (s < eol && *s == '=')
                        s++;
                r = split_words(s, eol, &l.args);
                if (r < 0) {
                        free(l.keyword);
                        goto fail;
                }
                if (n == cap) {
                        struct sshd_line *nl2 = realloc(list, sizeof(*list) * (cap = cap ? cap * 2 : 64));
                        if (!nl2) {
                                free(l.keyword);
                                strv_free(l.args);
                                r = -ENOMEM;
                                goto fail;
                        }
                        list = nl2;
                }
                list[n++] = l;
        }
        *ret = list;
        *ret_n = n;
        return 0;
fail:
        sshd_lines_free(list, n);
        return r;
}

void sshd_lines_free(struct sshd_line *l, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(l[i].keyword);
                strv_free(l[i].args);
        }
        free(l);
}

char *sshd_line_text(const char *text, size_t len, unsigned line) {
        const char *p = text, *end = text + len;

        if (line == 0)
                return NULL;
        for (unsigned i = 1; i < line; i++) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                if (!nl)
                        return NULL;
                p = nl + 1;
        }
        if (p >= end)
                return NULL;
        const char *nl = memchr(p, '\n', (size_t) (end - p));
        return strndup(p, nl ? (size_t) (nl - p) : (size_t) (end - p));
}
