/* libFuzzer: the journal reader (what `recover` parses after a crash). */
#include <stddef.h>
#include <stdint.h>

#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct journal_summary s;

        if (journal_parse((const char *) data, size, &s) >= 0) {
                (void) journal_summary_state(&s);
                journal_summary_done(&s);
        }
        return 0;
}
