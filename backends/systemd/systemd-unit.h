#pragma once

/* Thin sd-bus wrappers around systemd's Manager and Unit objects. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "model.h"

/* Connects to the system manager: its private socket as root (works without dbus-daemon,
 * as in a rescue boot), else the system bus. */
int sd_unit_bus_open(sd_bus **ret);

/* Loads 'name' (as `systemctl status` does) and fills *ret. A unit that does not exist is
 * not an error: ret->load_state is "not-found". ret->name is the unit's canonical id, which
 * differs from 'name' for an alias (sshd.service → ssh.service). */
int sd_unit_read(sd_bus *bus, const char *name, struct unit_fact *ret);

/* Runs a job ("StartUnit", "StopUnit", "RestartUnit", "ReloadUnit") and waits for it.
 * Returns 0 when the job's result is "done"; -EIO with *ret_result set otherwise. */
int sd_unit_job(sd_bus *bus, const char *method, const char *name, char **ret_result);

/* EnableUnitFiles / DisableUnitFiles / MaskUnitFiles / UnmaskUnitFiles, then Reload. */
int sd_unit_file_op(sd_bus *bus, const char *method, const char *name);

int sd_unit_reset_failed(sd_bus *bus, const char *name);

/* The last 'n' journal lines of the unit (its own output and systemd's messages about it),
 * none older than 'since_usec' (CLOCK_REALTIME; 0: no limit). Returns a strv, oldest first. */
/* Whether some target wants 'unit' in ROOT/etc/systemd/system (what `systemctl enable`
 * leaves behind), read from the file system: works without a running manager, and on a
 * system mounted elsewhere ('root' "" or "/" for this one). */
bool sd_unit_enabled_offline(const char *root, const char *unit);

int sd_unit_journal_tail(const char *name, size_t n, uint64_t since_usec, char ***ret);
