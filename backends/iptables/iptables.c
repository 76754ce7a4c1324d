/* The iptables backend. */

#include "backend.h"

static int iptables_probe(const struct options *o, struct facts *f) {
        return 0;
}

const struct backend backend_iptables = {
        .name = "iptables",
        .probe = iptables_probe,
        .apply = backend_not_supported_apply,
};
