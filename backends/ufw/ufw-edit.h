#pragma once

#include <stdbool.h>

/* Edits of ufw's rule files (user.rules, user6.rules) as text, the way `ufw` itself leaves
 * them, for a system that is not running (--root DIR): there ufw is never run. Each rule is
 * a block "\n### tuple ### TUPLE\n" + its iptables lines, between "### RULES ###" and
 * "### END RULES ###". Pure: no I/O. */

/* Removes the block whose tuple line is exactly 'line' ("### tuple ### deny tcp 22 ..."):
 * that line, the lines after it up to and including the next empty one, as
 * `sed -i '/^LINE$/,/^$/d'` does and as `ufw delete` leaves the file. -ENOENT: no such
 * line. *ret: the new text, the caller frees it. */
int ufw_text_delete(const char *text, const char *line, char **ret);

/* Adds the block "\n" + 'line' + "\n" + 'rule' + "\n" as the first rule of the file: after
 * its "### RULES ###" line, or, in the packaged template that has none (user6.rules), before
 * its COMMIT line. -EBADMSG: neither is there. */
int ufw_text_insert(const char *text, const char *line, const char *rule, char **ret);

/* The file has ufw's "### RULES ###" line. */
bool ufw_text_has_marker(const char *text);
