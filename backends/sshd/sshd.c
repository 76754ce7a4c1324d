/* The sshd backend: where sshd is installed. */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "util/strv.h"

static const char *const sshd_paths[] = {
        "/usr/sbin/sshd",
        "/usr/bin/sshd",
        "/usr/local/sbin/sshd",
        NULL,
};

static int sshd_probe(const struct options *o, struct facts *f) {
        for (const char *const *p = sshd_paths; *p; p++)
                if (access(*p, X_OK) == 0) {
                        f->sshd_path = strdup(*p);
                        return f->sshd_path ? 0 : -ENOMEM;
                }
        return 0;
}

const struct backend backend_sshd = {
        .name = "sshd",
        .probe = sshd_probe,
        .apply = backend_not_supported_apply,
};
