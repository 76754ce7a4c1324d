#pragma once

/* Reading the configuration files (see sshd-config.c). */

#include "model-sshd.h"

/* Fills c->files, c->sources, c->matches and c->problems from 'main_path' and what it
 * includes, read under 'root' ("/" or NULL for the live host; a fixture tree in tests).
 * What cannot be read is recorded in c->problems; < 0 only when reading cannot go on. */
int sshd_config_read(const char *root, const char *main_path, struct sshd_config_facts *c);

/* The Augeas node of the directive on 'line' of 'file', and the line's text. -ENOENT when
 * no directive starts there (or the file does not parse); *ret_text may be set anyway. */
int sshd_config_node_at_line(const char *root, const char *file, unsigned line, char **ret_node, char **ret_text);
