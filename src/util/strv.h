#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macros.h"

/* A strv is a NULL-terminated array of malloc'd strings; NULL is the empty strv. */
void strv_free(char **l);
DEFINE_CLEANUP_FUNC(char *, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char *const *l);
bool strv_contains(char *const *l, const char *s);
/* Takes ownership of 'value' on success only. */
int strv_consume(char ***l, char *value);
int strv_extend(char ***l, const char *value);
int strv_extendf(char ***l, const char *format, ...) _printf_(2, 3);
char **strv_copy(char *const *l);
/* Splits 's' at any of 'separators', dropping empty words. *ret may be NULL (no words). */
int strv_split(const char *s, const char *separators, char ***ret);

/* asprintf() that returns the string, or NULL on failure. */
/* The strings of l with sep between them: "" for an empty or NULL list; NULL when out of memory. */
char *strv_join(char *const *l, const char *sep);

char *strprintf(const char *format, ...) _printf_(1, 2);
/* Drops trailing whitespace in place. */
char *strstrip_trailing(char *s);
