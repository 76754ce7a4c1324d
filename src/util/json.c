#include <inttypes.h>
#include <string.h>

#include "json.h"

void json_init(struct json *j, FILE *out) {
        *j = (struct json) { .out = out };
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t utf8_valid_len(const unsigned char *s) {
        unsigned char c = s[0];
        size_t n;
        uint32_t cp;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                n = 2;
                cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                cp = c & 0x07;
        } else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        /* overlong forms, surrogates, past U+10FFFF */
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

void json_write_string(FILE *out, const char *str) {
        const unsigned char *s = (const unsigned char *) str;

        fputc('"', out);
        while (*s) {
                size_t n;

                switch (*s) {
                case '"':
                        fputs("\\\"", out);
                        s++;
                        continue;
                case '\\':
                        fputs("\\\\", out);
                        s++;
                        continue;
                case '\n':
                        fputs("\\n", out);
                        s++;
                        continue;
                case '\t':
                        fputs("\\t", out);
                        s++;
                        continue;
                case '\r':
                        fputs("\\r", out);
                        s++;
                        continue;
                }
                if (*s < 0x20 || *s == 0x7f) {
                        fprintf(out, "\\u%04x", *s);
                        s++;
                        continue;
                }
                n = utf8_valid_len(s);
                if (n == 0) {
                        fputs("\\ufffd", out);
                        s++;
                        continue;
                }
                fwrite(s, 1, n, out);
                s += n;
        }
        fputc('"', out);
}

static void json_prefix(struct json *j, const char *key) {
        if (j->depth > 0) {
                if (j->need_comma[j->depth - 1])
                        fputc(',', j->out);
                j->need_comma[j->depth - 1] = true;
                fputc('\n', j->out);
                for (unsigned i = 0; i < j->depth; i++)
                        fputs("  ", j->out);
        }
        if (key) {
                json_write_string(j->out, key);
                fputs(": ", j->out);
        }
}

static void json_open(struct json *j, const char *key, char c) {
        json_prefix(j, key);
        fputc(c, j->out);
        if (j->depth < JSON_MAX_DEPTH)
                j->need_comma[j->depth] = false;
        j->depth++;
}

static void json_close(struct json *j, char c) {
        bool had_members = j->depth > 0 && j->depth <= JSON_MAX_DEPTH && j->need_comma[j->depth - 1];

        if (j->depth > 0)
                j->depth--;
        if (had_members) {
                fputc('\n', j->out);
                for (unsigned i = 0; i < j->depth; i++)
                        fputs("  ", j->out);
        }
        fputc(c, j->out);
        if (j->depth == 0)
                fputc('\n', j->out);
}

void json_object_begin(struct json *j, const char *key) {
        json_open(j, key, '{');
}

void json_object_end(struct json *j) {
        json_close(j, '}');
}

void json_array_begin(struct json *j, const char *key) {
        json_open(j, key, '[');
}

void json_array_end(struct json *j) {
        json_close(j, ']');
}

void json_string(struct json *j, const char *key, const char *value) {
        json_prefix(j, key);
        if (value)
                json_write_string(j->out, value);
        else
                fputs("null", j->out);
}

void json_int(struct json *j, const char *key, int64_t value) {
        json_prefix(j, key);
        fprintf(j->out, "%" PRId64, value);
}

void json_bool(struct json *j, const char *key, bool value) {
        json_prefix(j, key);
        fputs(value ? "true" : "false", j->out);
}

void json_strv(struct json *j, const char *key, char *const *l) {
        json_array_begin(j, key);
        for (char *const *i = l; i && *i; i++)
                json_string(j, NULL, *i);
        json_array_end(j);
}
