#pragma once

/* Shared helpers of the firewall unit tests. */

#include <stdio.h>
#include <stdlib.h>

#include "lib/fixtures.h"

static inline char *fw_read_fixture(const char *name) {
        char path[4096];
        FILE *f;
        char *buf;
        long n;

        snprintf(path, sizeof path, "%s/firewall/%s", TEST_DATA_DIR, name);
        f = fopen(path, "re");
        if (!f)
                return NULL;
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = calloc(1, (size_t) n + 1);
        if (buf && fread(buf, 1, (size_t) n, f) != (size_t) n) {
                free(buf);
                buf = NULL;
        }
        fclose(f);
        return buf;
}

static inline const struct fault *fw_find_fault(const struct plan *p, const char *id) {
        for (size_t i = 0; i < p->n_faults; i++)
                if (streq(p->faults[i].id, id))
                        return &p->faults[i];
        return NULL;
}
