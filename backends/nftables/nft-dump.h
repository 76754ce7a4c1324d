#pragma once

/* Reading the kernel's ruleset over netlink (libmnl + libnftnl): one dump per object type,
 * set elements on demand. */

#include <libmnl/libmnl.h>

#include "nft-ruleset.h"

struct nft_nl {
        struct mnl_socket *nl;
        uint32_t portid;
        uint32_t seq;
        char *buf;
        size_t buf_size;
};

int nft_nl_open(struct nft_nl *n);
void nft_nl_close(struct nft_nl *n);

int nft_nl_genid(struct nft_nl *n, uint32_t *ret);

/* Sends a dump request and runs 'cb' on every answer. */
int nft_nl_dump(struct nft_nl *n, struct nlmsghdr *req, mnl_cb_t cb, void *data);

/* Reads tables, chains, sets and rules into *rs (empty on entry), consistently: retried when
 * the generation changes during the dumps. Set elements are read when a lookup needs them
 * (rs->loader keeps a pointer to n: n must outlive rs's use). */
int nft_dump_ruleset(struct nft_nl *n, struct nft_ruleset *rs, uint32_t *ret_genid);

/* Dumps the elements of one set into an nftnl_set (caller frees). */
struct nftnl_set;
int nft_dump_set_elems(struct nft_nl *n, int family, const char *table, const char *set, struct nftnl_set **ret);
