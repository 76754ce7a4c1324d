#pragma once

/* Commit-confirmed: a rollback that fires unless `sshrepair confirm` comes first. It is
 * scheduled outside this process: a transient systemd timer where systemd runs, else a
 * detached watchdog process. Either runs `sshrepair rollback --if-unconfirmed ID`, which
 * does nothing once the transaction is confirmed. */

int confirm_schedule(const char *id, unsigned seconds, char **ret_how);
int confirm_cancel(const char *id);
