/* The nftables backend: the kernel's ruleset over netlink (libnftnl + libmnl). */

#include "backend.h"

static int nftables_probe(const struct options *o, struct facts *f) {
        return 0;
}

const struct backend backend_nftables = {
        .name = "nftables",
        .probe = nftables_probe,
        .apply = backend_not_supported_apply,
};
