/* The ufw backend. */

#include "backend.h"

static int ufw_probe(const struct options *o, struct facts *f) {
        return 0;
}

const struct backend backend_ufw = {
        .name = "ufw",
        .probe = ufw_probe,
        .apply = backend_not_supported_apply,
};
