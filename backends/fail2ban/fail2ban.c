/* The fail2ban backend. */

#include "backend.h"

static int fail2ban_probe(const struct options *o, struct facts *f) {
        return 0;
}

const struct backend backend_fail2ban = {
        .name = "fail2ban",
        .probe = fail2ban_probe,
        .apply = backend_not_supported_apply,
};
