#pragma once

/* Unit files of a system mounted at 'root' (--root DIR), read and changed on the file
 * system as `systemctl --root=DIR` does: no manager runs there, none is asked. Paths in
 * results are as the target system sees them ("/lib/systemd/system/ssh.service"). */

#include <stdbool.h>

#include "model.h"

/* Fills *ret from the unit files: name (the canonical one, an alias followed), load_state
 * ("loaded", "masked", "not-found"), unit_file_state ("enabled", "disabled", "static",
 * "masked"); active_state is "offline": nothing runs. */
int sd_offline_unit_read(const char *root, const char *name, struct unit_fact *ret);

/* The symlinks `systemctl --root enable` creates for 'name', from its [Install] section
 * (WantedBy=, RequiredBy=, Alias=, Also= followed), each as "PATH TARGET" with PATH under
 * /etc/systemd/system. -ENOENT: no unit file. */
int sd_offline_enable_links(const char *root, const char *name, char ***ret);

/* Creates those links (idempotent). A different file already at one of the paths: -EEXIST,
 * with *ret_details saying which. */
int sd_offline_enable(const char *root, const char *name, char ***ret_details);

/* Removes ROOT/etc/systemd/system/NAME when it is a link to /dev/null. */
int sd_offline_unmask(const char *root, const char *name);

/* The first file named in a ConditionPathExists=!FILE of the unit that exists under 'root'
 * ("" or "/" for this system): with it there, systemd never starts the unit. *ret is NULL
 * when there is none. */
int sd_unit_blocking_file(const char *root, const char *name, char **ret);

/* The snapshot lines of every link 'name' enable and unmask touch: "link PATH -> TARGET"
 * or "link PATH absent", appended to *text. */
int sd_offline_links_snapshot(const char *root, const char *name, char **text);

/* Brings back the "link" lines of a snapshot. */
int sd_offline_links_restore(const char *root, const char *snapshot);
