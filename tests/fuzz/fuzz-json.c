/* libFuzzer: the JSON string writer fed with host text (control characters, invalid
 * UTF-8). The output must be a well-formed JSON string: quoted, no raw control bytes,
 * valid UTF-8. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

static size_t utf8_len(const unsigned char *s, size_t n) {
        if (s[0] < 0x80)
                return 1;
        size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
        if (len == 0 || len > n)
                return 0;
        for (size_t i = 1; i < len; i++)
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
        return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *in = malloc(size + 1), *out = NULL;
        size_t out_size = 0;
        FILE *f;

        if (!in)
                return 0;
        memcpy(in, data, size);
        in[size] = 0;
        f = open_memstream(&out, &out_size);
        if (!f) {
                free(in);
                return 0;
        }
        json_write_string(f, in);
        fclose(f);

        if (out_size < 2 || out[0] != '"' || out[out_size - 1] != '"')
                abort();
        for (size_t i = 1; i + 1 < out_size;) {
                const unsigned char *c = (const unsigned char *) out + i;
                size_t n;

                if (*c < 0x20 || *c == 0x7f)
                        abort();
                if (*c == '"')
                        abort(); /* an unescaped quote inside */
                if (*c == '\\') {
                        i += 2;
                        continue;
                }
                n = utf8_len(c, out_size - 1 - i);
                if (n == 0)
                        abort();
                i += n;
        }
        free(out);
        free(in);
        return 0;
}
