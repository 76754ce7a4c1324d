#pragma once

/* A plain reader of sshd_config syntax, for diagnosis only: it is used where the Augeas lens
 * cannot parse a file, so that the report still says which lines set what. It never edits. */

#include <stddef.h>

struct sshd_line {
        unsigned line;
        char *keyword;
        char **args;
};

/* Splits 'text' (length 'len', need not be NUL-terminated) into keyword lines, skipping
 * comments and blank lines. Arguments are split as sshd does: at whitespace (and one '='
 * after the keyword), with "double quotes" grouping words. */
int sshd_lines_parse(const char *text, size_t len, struct sshd_line **ret, size_t *ret_n);
void sshd_lines_free(struct sshd_line *l, size_t n);

/* The text of line 'line' (1-based) in 'text', without its newline; NULL if there is none. */
char *sshd_line_text(const char *text, size_t len, unsigned line);
