#include "model-sshd.h"

void sshd_config_facts_done(struct sshd_config_facts *c) {
        if (!c)
                return;
        *c = (struct sshd_config_facts) {};
}
