#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "plans.h"
#include "util/strv.h"

typedef int (*plan_module)(const struct facts *f, const struct options *o, struct plan *p);

/* Configuration first: a service started afterwards reads the repaired file. Firewalls
 * last: opening a port nothing listens on helps nobody. */
static const plan_module modules[] = {
        plan_sshd,
        plan_auth,
        plan_service,
        plan_nft,
        plan_frontends,
};

/* When no module found a cause but the port does not answer, say so rather than claim all
 * is well. */
static int plan_no_answer(const struct facts *f, const struct options *o, struct plan *p) {
        struct fault *x = NULL;

        for (size_t i = 0; i < o->n_ports; i++) {
                uint16_t port = o->ports[i];

                if (facts_port_answers(f, port))
                        continue;
                if (!x) {
                        x = plan_add_fault(p, "ssh.no-answer", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                           "SSH does not answer, and no known cause was found");
                        if (!x)
                                return -ENOMEM;
                }
                for (size_t j = 0; j < f->n_answers; j++) {
                        const struct probe_result *a = &f->answers[j];

                        if (a->port != port)
                                continue;
                        if (fault_add_evidence(x, "%s port %u: %s%s%s", a->address, port,
                                               a->error == -EPROTO ? "not SSH" : strerror(-a->error),
                                               a->banner[0] ? ": " : "", a->banner) < 0)
                                return -ENOMEM;
                }
                if (f->listen_known && fault_add_evidence(x, "TCP port %u: %s", port,
                                                          facts_listening_on(f, port) ? "a socket listens"
                                                                                      : "nothing listens") < 0)
                        return -ENOMEM;
        }
        return 0;
}

int plan_build(const struct facts *f, const struct options *o, struct plan *ret) {
        struct plan p = {};
        int r;

        for (size_t i = 0; i < ELEMENTSOF(modules); i++) {
                r = modules[i](f, o, &p);
                if (r < 0)
                        goto fail;
        }
        /* Offline nothing was connected to: no fault found is all there is to say. */
        if (p.n_faults == 0 && !options_offline(o)) {
                r = plan_no_answer(f, o, &p);
                if (r < 0)
                        goto fail;
        }
        *ret = p;
        return 0;
fail:
        plan_done(&p);
        return r;
}
