/* libFuzzer: command-line parsing; the input is split into arguments at NUL bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *buf = malloc(size + 1), *argv[34] = { (char *) "sshrepair" }, *error = NULL;
        struct options o;
        int argc = 1;

        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = 0;
        for (size_t i = 0; i < size && argc < 33;) {
                argv[argc++] = buf + i;
                i += strlen(buf + i) + 1;
        }
        argv[argc] = NULL;
        if (cli_parse(argc, argv, &o, &error) >= 0)
                options_done(&o);
        free(error);
        free(buf);
        return 0;
}
