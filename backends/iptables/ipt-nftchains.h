#pragma once

/* What *-save does not show of an iptables-nft filter table, for exact snapshots. */

#include <stddef.h>

/* "table=no", or "table=yes" and the filter table's chains in nftables' order ("table=yes
 * INPUT OUTPUT MYCHAIN FORWARD"); NULL when nft is not installed. */
int ipt_nft_chains(int family, char **ret);

/* Deletes the base chains that 'want' (as above) does not name, or the table. */
int ipt_nft_drop_extra_chains(int family, const char *want);

/* When the chains are in another order than 'want' says (a restore creates them in its own),
 * rebuilds the table: the chains in that order, then 'body' (save text) loaded without a
 * flush. */
int ipt_nft_reorder(int family, const char *want, const char *body, size_t len);
