/* Policy for sshd's configuration. */

#include "plans.h"

int plan_sshd(const struct facts *f, const struct options *o, struct plan *p) {
        return 0;
}
