#pragma once

/* The "plan" file of a transaction: the options and steps that another process (rollback,
 * recover, the commit-confirmed timer) needs to restore and re-check the snapshots. */

#include "model.h"

int txn_file_format(const struct options *o, const struct plan *p, char **ret);
/* Fills *ret_o and *ret_p (steps only; faults are not stored). -EBADMSG on bad text. */
int txn_file_parse(const char *text, struct options *ret_o, struct plan *ret_p);
