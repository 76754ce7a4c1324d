#pragma once

/* sshd's configuration of a system mounted at DIR (--root) when its own sshd cannot be run
 * there (no root, another architecture, no host key): the effective values are worked out
 * from the lines read (sshd-config.c), as sshd would: first value wins, lists accumulate,
 * an applying Match block beats the global lines, OpenSSH's defaults where nothing is set. */

#include "model.h"

/* The sshd binary of the tree, as the tree names it ("/usr/sbin/sshd"); NULL: none. */
const char *sshd_find_binary_in(const char *root);

/* Fills c->effective (and, with 'user', c->matches[].applies and c->user_effective) from
 * c->sources. Match criteria other than User, Group and All are not evaluated: such a
 * block counts as not applying, and a line in *unreadable says so. Groups come from the
 * tree's /etc/group. */
int sshd_offline_evaluate(const char *root, const char *user, struct sshd_config_facts *c, char ***unreadable);

/* sshd's match_pattern_list(): a comma-separated list of patterns, '!' negates. 1 a
 * positive pattern matches and no negated one, 0 otherwise. */
int sshd_pattern_list_matches(const char *s, const char *list);
