/* libFuzzer: the plain sshd_config line reader (diagnosis of files the lens cannot parse)
 * and the reader of sshd's "FILE line N:" error messages. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshd/sshd-lines.h"
#include "sshd/sshd-run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct sshd_line *l = NULL;
        size_t n = 0;
        char *text = malloc(size + 1), *file = NULL;
        unsigned line;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;
        if (sshd_lines_parse(text, size, &l, &n) >= 0)
                sshd_lines_free(l, n);
        if (sshd_parse_error_location(text, &file, &line) >= 0)
                free(file);
        free(text);
        return 0;
}
