#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A streaming JSON writer. Strings are written as valid JSON whatever they hold: control
 * characters are escaped and invalid UTF-8 becomes U+FFFD. 'key' is NULL inside arrays. */

#define JSON_MAX_DEPTH 16

struct json {
        FILE *out;
        unsigned depth;
        bool need_comma[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *out);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *value); /* NULL → null */
void json_int(struct json *j, const char *key, int64_t value);
void json_bool(struct json *j, const char *key, bool value);
void json_strv(struct json *j, const char *key, char *const *l);

/* Writes 's' as a JSON string literal, quotes included. */
void json_write_string(FILE *out, const char *s);
