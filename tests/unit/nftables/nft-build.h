#pragma once

/* Building rulesets in memory for tests: libnftnl objects, added to a struct nft_ruleset the
 * way the netlink dump adds them. */

#include "nft-ruleset.h"

struct nftnl_rule;

void tb_table(struct nft_ruleset *rs, int family, const char *name);
void tb_base_chain(struct nft_ruleset *rs, int family, const char *table, const char *name, uint32_t hook,
                   int32_t prio, uint32_t policy);
void tb_chain(struct nft_ruleset *rs, int family, const char *table, const char *name);
/* Elements: "22", "20-25" (ports) or "10.0.0.0/8" style for ipv4 sets (key_len 4). */
void tb_set(struct nft_ruleset *rs, int family, const char *table, const char *name, uint32_t flags,
            uint32_t key_len, const char *const *elems);
/* Call after tables, chains, sets. */
void tb_index(struct nft_ruleset *rs);

/* A rule from a tiny language, one token group per expression:
 *   "tcp"            meta l4proto tcp
 *   "dport=22"       tcp dport 22
 *   "dport=20-25"    tcp dport >= 20, <= 25 (two compares, as nft 1.0.6 emits)
 *   "dportrange=20-25" range expression
 *   "dport@NAME"     lookup in set NAME (sreg 1)
 *   "saddr=10.0.0.0/8" ip saddr with a prefix
 *   "saddr6=2001:db8::/32" ip6 saddr with a prefix (that one only)
 *   "iifname=lo"     iifname "lo"
 *   "ctnew" / "ctest"  ct state new / ct state established,related
 *   "counter"
 *   "osf"            an expression the evaluator does not know, loading a register, + compare
 *   "tproxy"         an unknown statement
 *   "rpfmissing"     fib saddr . mark . iif oif missing (a reverse-path filter)
 *   "fibdaddrtype"   fib daddr type local (not modelled: unknown)
 *   "accept" "drop" "reject" "return" "jump:NAME" "goto:NAME"
 */
void tb_rule(struct nft_ruleset *rs, int family, const char *table, const char *chain, const char *spec);
