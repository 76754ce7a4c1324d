#pragma once

#include <stdio.h>

#include "model.h"

/* Parses and validates the command line into *ret (caller calls options_done()).
 * On bad input returns -EINVAL and sets *ret_error to a one-line message naming the option
 * and the value (caller frees); *ret is then untouched. */
int cli_parse(int argc, char *argv[], struct options *ret, char **ret_error);

/* Parses "ADDRESS" or "ADDRESS/PREFIX" (IPv4 or IPv6). Host bits set are an error. */
int cidr_parse(const char *s, struct cidr *ret);
/* Formats a cidr as ADDRESS/PREFIX into buf. */
const char *cidr_to_string(const struct cidr *c, char *buf, size_t size);

void cli_help(FILE *out);
