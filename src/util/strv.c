#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

void strv_free(char **l) {
        if (!l)
                return;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
}

size_t strv_length(char *const *l) {
        size_t n = 0;

        if (l)
                while (l[n])
                        n++;
        return n;
}

bool strv_contains(char *const *l, const char *s) {
        if (l)
                for (char *const *i = l; *i; i++)
                        if (streq(*i, s))
                                return true;
        return false;
}

int strv_consume(char ***l, char *value) {
        size_t n = strv_length(*l);
        char **c;

        c = realloc(*l, sizeof(char *) * (n + 2));
        if (!c)
                return -ENOMEM;
        c[n] = value;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *value) {
        char *v = strdup(value);
        int r;

        if (!v)
                return -ENOMEM;
        r = strv_consume(l, v);
        if (r < 0)
                free(v);
        return r;
}

int strv_extendf(char ***l, const char *format, ...) {
        va_list ap;
        char *v;
        int r;

        va_start(ap, format);
        r = vasprintf(&v, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        r = strv_consume(l, v);
        if (r < 0)
                free(v);
        return r;
}

char **strv_copy(char *const *l) {
        _cleanup_strv_free_ char **c = calloc(strv_length(l) + 1, sizeof(char *));
        size_t n = 0;

        if (!c)
                return NULL;
        if (l)
                for (char *const *i = l; *i; i++) {
                        c[n] = strdup(*i);
                        if (!c[n])
                                return NULL;
                        n++;
                }
        return TAKE_PTR(c);
}

int strv_split(const char *s, const char *separators, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        while (s && *s) {
                size_t n;

                s += strspn(s, separators);
                n = strcspn(s, separators);
                if (n == 0)
                        break;
                char *w = strndup(s, n);
                if (!w || strv_consume(&l, w) < 0) {
                        free(w);
                        return -ENOMEM;
                }
                s += n;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

char *strv_join(char *const *l, const char *sep) {
        size_t len = 1, n = strlen(sep);
        char *s, *w;

        for (char *const *i = l; i && *i; i++)
                len += strlen(*i) + n;
        s = w = malloc(len);
        if (!s)
                return NULL;
        *w = 0;
        for (char *const *i = l; i && *i; i++) {
                if (i != l)
                        w = stpcpy(w, sep);
                w = stpcpy(w, *i);
        }
        return s;
}

char *strprintf(const char *format, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, format);
        r = vasprintf(&s, format, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

char *strstrip_trailing(char *s) {
        size_t n = strlen(s);

        while (n > 0 && strchr(" \t\r\n", s[n - 1]))
                s[--n] = 0;
        return s;
}
