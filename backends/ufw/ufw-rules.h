#pragma once

/* ufw's own state, from its files: the rule tuples in user.rules / user6.rules (the
 * "### tuple ###" lines ufw writes before each rule's iptables lines), ufw.conf and
 * /etc/default/ufw; and what its rule list does with a SYN. Pure: no I/O. */

#include "model.h"

/* Appends the tuples in 'text' (one file) to u->rules, numbered after those already there. */
int ufw_parse_rules(struct ufw_facts *u, const char *text, int family);

/* KEY=value or KEY="value" from a shell-style file; NULL when absent. Caller frees. */
char *ufw_conf_get(const char *text, const char *key);

/* Fills u->verdicts for every requested port, for each family ufw handles. */
int ufw_evaluate(struct ufw_facts *u, const struct options *o);
