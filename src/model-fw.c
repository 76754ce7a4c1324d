#include "model-fw.h"

void fw_facts_done(struct fw_facts *f) {
        if (!f)
                return;
        *f = (struct fw_facts) {};
}
