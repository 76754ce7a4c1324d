#pragma once

/* Rules files that a boot-time service loads (netfilter-persistent, iptables.service):
 * finding them, and saving the live filter table into them. 'root' prefixes every path
 * ("" on a live host; a fixture tree in tests). */

#include <stdio.h>

#include "model.h"

/* Fills *ret when a file for 'family' exists and its loader is enabled; 'save_text' is the
 * live save output, compared (normalized) with the file for in_sync. */
int ipt_persist_detect(const char *root, int family, const char *save_text, struct ipt_persist *ret);

/* Offline: the rules files for 'family' that are under 'root' but not loaded at boot, as
 * sentences for a person, appended to *ret. */
int ipt_persist_unloaded(const char *root, int family, char ***ret);

/* Inserts 'text' as line 'line' (the lines from there on move down; one past the last line
 * appends), or deletes line 'line' when 'text' is NULL; the rest of the file, its owner
 * and mode stay. -ERANGE: no such line. */
int ipt_persist_edit_line(const char *path, unsigned line, const char *text);

int ipt_file_read(const char *path, char **ret, size_t *ret_size);

/* Replaces the filter table in 'path' with 'live_filter' (normalized save output), keeping
 * the other tables, owner and mode; written to a temporary file and renamed. */
int ipt_persist_write(const char *path, const char *live_filter);

/* "== file RECORDED MODE UID GID SIZE\n" + content + "\n": a byte-exact copy of 'path'.
 * RECORDED is the path as the target system sees it (offline: without the tree's root). */
int ipt_file_snapshot(FILE *out, const char *path, const char *recorded);
/* Parses one such record at *p, writes the file back under 'root' (NULL: /) and advances *p. */
int ipt_file_restore(const char **p, const char *root);
