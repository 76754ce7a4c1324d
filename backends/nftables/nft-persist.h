#pragma once

/* The largest ruleset file read (nftables.conf). */
#define NFT_FILE_MAX (64u * 1024u * 1024u)

/* The ruleset file loaded at boot (Debian: /etc/nftables.conf by nftables.service): where the
 * rules of each chain are, so that a plan can make the same change there; the edit itself;
 * and its part of the snapshot. */

#include <stdio.h>

#include "model.h"

#define NFT_CONF_PATH "/etc/nftables.conf"

/* Fills *ret; ret->path stays NULL when no file is loaded at boot. */
int nft_conf_probe(const struct options *o, struct nft_conf *ret);
/* Parses a file's text (exposed for tests). */
int nft_conf_parse(const char *text, struct nft_conf *ret);

int nft_conf_apply(const struct options *o, const struct step *s, char ***ret_details);
/* Writes a "file ..." snapshot line for 'path'. */
int nft_conf_snapshot(const struct options *o, const char *path, FILE *out);
/* Restores every "file ..." line of a snapshot text. */
int nft_conf_restore(const struct options *o, const char *snapshot);
/* Whether nftables.service loads /etc/nftables.conf at boot (of the tree, with --root). */
bool nft_conf_loaded_at_boot(const struct options *o);
