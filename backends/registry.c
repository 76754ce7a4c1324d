#include <errno.h>
#include <string.h>

#include "backend.h"
#include "util/macros.h"

const struct backend *const backends[] = {
        &backend_systemd,
        &backend_sshd,
        &backend_auth, /* after sshd: it reads the effective AuthorizedKeysFile */
        &backend_net,
        &backend_pkg,
        &backend_nftables,
        &backend_iptables,
        &backend_ufw,
        &backend_firewalld,
        &backend_fail2ban,
        NULL,
};

const struct backend *backend_find(const char *name) {
        for (const struct backend *const *b = backends; *b; b++)
                if (streq((*b)->name, name))
                        return *b;
        return NULL;
}

bool plan_uses_backend(const struct plan *plan, const char *name) {
        for (size_t i = 0; i < plan->n_steps; i++)
                if (streq(plan->steps[i].backend, name))
                        return true;
        return false;
}

int backend_not_supported_apply(const struct options *o, const struct step *step, char ***ret_details) {
        return -EOPNOTSUPP;
}
