/* libFuzzer: the /proc/net/tcp and tcp6 reader. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        for (int family = AF_INET; family <= AF_INET6; family += AF_INET6 - AF_INET) {
                struct listen_fact *l = NULL;
                size_t n = 0;
                FILE *f;

                if (size == 0)
                        return 0;
                f = fmemopen((void *) data, size, "r");
                if (!f)
                        return 0;
                (void) net_parse_proc_tcp(f, family, &l, &n);
                fclose(f);
                free(l);
        }
        return 0;
}
