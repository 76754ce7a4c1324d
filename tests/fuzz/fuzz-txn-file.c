/* libFuzzer: the plan file of a transaction (read back by rollback and recover). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "txn-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        struct options o;
        struct plan p;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;
        if (txn_file_parse(text, &o, &p) >= 0) {
                char *again = NULL;

                /* what parses must format and parse again */
                if (txn_file_format(&o, &p, &again) < 0)
                        abort();
                options_done(&o);
                plan_done(&p);
                if (txn_file_parse(again, &o, &p) < 0)
                        abort();
                options_done(&o);
                plan_done(&p);
                free(again);
        }
        free(text);
        return 0;
}
