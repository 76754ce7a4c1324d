#pragma once

/* Netlink batches: every change this backend makes is one batch, applied atomically by the
 * kernel, and refused by it (ERESTART) when the ruleset generation is not the one we read. */

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "nft-dump.h"

struct nft_batch {
        char *buf;
        size_t len, alloc;
        uint32_t seq;
};

/* genid 0: no generation check. */
int nft_batch_begin(struct nft_batch *b, uint32_t seq, uint32_t genid);
/* Room for one message of up to 'max' bytes; fill it, then nft_batch_commit_msg(). */
struct nlmsghdr *nft_batch_msg(struct nft_batch *b, uint16_t type, int family, uint16_t flags, size_t max);
void nft_batch_commit_msg(struct nft_batch *b, struct nlmsghdr *nlh);
int nft_batch_end(struct nft_batch *b);
/* Sends the batch; returns the kernel's first error (-ERESTART: the generation changed). */
int nft_batch_send(struct nft_nl *n, struct nft_batch *b);
void nft_batch_done(struct nft_batch *b);

/* `tcp dport PORT accept comment "sshrepair"`, with `ip saddr CIDR` in front when from is set. */
struct nftnl_rule *nft_build_accept_rule(int family, const char *table, const char *chain, uint16_t port,
                                         const struct cidr *from);

/* Forget the generation our last batch produced and what we applied (after a restore). */
void nft_batch_reset_genid(void);

/* The step arguments are key=value strings. */
const char *nft_step_arg(const struct step *s, const char *key);

int nft_backend_apply(const struct options *o, const struct step *s, char ***ret_details);
/* Every rule step of 'steps' in one batch (one generation check), then the file edits. */
int nft_backend_apply_group(const struct options *o, const struct step *const *steps, size_t n, size_t *ret_failed,
                            char ***ret_details);
/* True when this process applied steps and none changed anything (a refused batch). */
bool nft_backend_changed_nothing(const struct options *o);
int nft_backend_snapshot(const struct options *o, const struct plan *plan, char **ret);
int nft_backend_restore(const struct options *o, const char *snapshot);

/* base64, for snapshots */
char *nft_base64_encode(const void *data, size_t len);
int nft_base64_decode(const char *s, size_t n, uint8_t **ret, size_t *ret_len);
