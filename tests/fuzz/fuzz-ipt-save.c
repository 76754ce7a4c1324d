/* libFuzzer: the iptables-save / ip6tables-save parser and normalizer, then the INPUT-path
 * evaluation is not needed to find memory errors in parsing; both families. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "iptables/ipt-ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1), *norm = NULL, *error = NULL;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;
        for (int family = AF_INET; family <= AF_INET6; family += AF_INET6 - AF_INET) {
                struct ipt_ruleset rs;

                if (ipt_ruleset_parse(text, "filter", family, &rs, &error) >= 0) {
                        (void) ipt_ruleset_find_chain(&rs, "INPUT");
                        ipt_ruleset_done(&rs);
                }
                free(error);
                error = NULL;
        }
        if (ipt_save_normalize(text, "filter", &norm) >= 0)
                free(norm);
        free(text);
        return 0;
}
