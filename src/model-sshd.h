#pragma once

/* Facts about sshd's configuration (filled by backends/sshd, read by plans/sshd.c). */

#include <stdbool.h>

struct sshd_config_facts {
        bool known; /* false: the configuration was not read */
};

void sshd_config_facts_done(struct sshd_config_facts *c);
