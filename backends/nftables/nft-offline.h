#pragma once

/* Offline (--root DIR): the ruleset DIR loads at boot, evaluated without the running kernel's. */

#include "model.h"

/* Fills f->nft from DIR/etc/nftables.conf (when nftables.service is enabled in DIR); what
 * cannot be evaluated goes to f->unreadable. < 0 only when probing cannot go on. */
int nft_offline_probe(const struct options *o, struct facts *f);
