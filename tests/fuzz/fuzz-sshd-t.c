/* libFuzzer: the reader of `sshd -T` output (one "keyword value" per line, the hostkey lines
 * apart), as sshd_dump() uses it for the global and the --user (-C) dump, and the report's
 * description of the effective values read that way. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model-sshd.h"
#include "sshd/sshd-run.h"
#include "util/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct sshd_config_facts c = {};
        char *text = malloc(size + 1), **described = NULL;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;
        c.known = true;
        /* the global dump, then the --user one (its own array, no hostkeys) */
        if (sshd_dump_parse(text, c.effective, &c.hostkeys) >= 0)
                c.effective_known = true;
        if (sshd_dump_parse(text, c.user_effective, NULL) >= 0)
                c.user_effective_known = true;
        /* parsing again replaces the values (and frees the old ones) */
        (void) sshd_dump_parse(text, c.effective, &c.hostkeys);
        if (sshd_config_describe(&c, &described) >= 0)
                strv_free(described);
        for (int k = 0; k < _SSHD_KEY_MAX; k++)
                (void) sshd_effective_first(&c, (enum sshd_key) k);
        sshd_config_facts_done(&c);
        free(text);
        return 0;
}
