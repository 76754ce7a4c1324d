#pragma once

/* Rules files that a boot-time service loads (netfilter-persistent, iptables.service):
 * finding them, and saving the live filter table into them. 'root' prefixes every path
 * ("" on a live host; a fixture tree in tests). */

#include <stdio.h>

#include "model.h"

/* Fills *ret when a file for 'family' exists and its loader is enabled; 'save_text' is the
 * live save output, compared (normalized) with the file for in_sync. */
int ipt_persist_detect(const char *root, int family, const char *save_text, struct ipt_persist *ret);

/* Replaces the filter table in 'path' with 'live_filter' (normalized save output), keeping
 * the other tables, owner and mode; written to a temporary file and renamed. */
int ipt_persist_write(const char *path, const char *live_filter);

/* "== file PATH MODE UID GID SIZE\n" + content + "\n": a byte-exact copy of a file. */
int ipt_file_snapshot(FILE *out, const char *path);
/* Parses one such record at *p, writes the file back and advances *p. */
int ipt_file_restore(const char **p);
