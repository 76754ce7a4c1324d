#pragma once

/* Rule expressions (netlink attributes) -> compact register operations (struct nft_op),
 * resolving set and chain names within the rule's table. */

#include <libmnl/libmnl.h>

#include "nft-ruleset.h"

int nft_compile_exprs(struct nft_ruleset *rs, size_t table, const struct nlattr *exprs, const struct nlattr *userdata,
                      struct nft_rule *ret);
void *nft_ruleset_arena_alloc(struct nft_ruleset *rs, size_t n);
