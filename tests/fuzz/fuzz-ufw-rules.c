/* libFuzzer: ufw's user.rules / user6.rules reader and the evaluation of what it read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model.h"
#include "ufw/ufw-rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct options o = { .command = COMMAND_REPAIR, .n_ports = 1, .ports = { 22 } };
        char *text = malloc(size + 1);
        struct fw_facts fw = {};

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;
        if (ufw_parse_rules(&fw.ufw, text, AF_INET) >= 0 && ufw_parse_rules(&fw.ufw, text, AF_INET6) >= 0)
                (void) ufw_evaluate(&fw.ufw, &o);
        fw_facts_done(&fw);
        free(text);
        return 0;
}
