/* Policy for native nftables rulesets. */

#include "plans.h"

int plan_nft(const struct facts *f, const struct options *o, struct plan *p) {
        return 0;
}
