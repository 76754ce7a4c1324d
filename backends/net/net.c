/* Listening TCP sockets, as the kernel reports them in /proc/net/tcp and tcp6. Read-only:
 * this backend has no operations. */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "net.h"
#include "util/strv.h"

#define TCP_LISTEN 0x0A

static int parse_hex_address(int family, const char *hex, char ret[static INET6_ADDRSTRLEN]) {
        union {
                struct in_addr in;
                struct in6_addr in6;
                uint32_t words[4];
        } a = {};
        size_t nwords = family == AF_INET ? 1 : 4;

        if (strlen(hex) != nwords * 8)
                return -EINVAL;
        /* The kernel prints each 32-bit word of the address in host byte order. */
        for (size_t i = 0; i < nwords; i++) {
                unsigned w;

                if (sscanf(hex + i * 8, "%8x", &w) != 1)
                        return -EINVAL;
                a.words[i] = w;
        }
        if (!inet_ntop(family, &a, ret, INET6_ADDRSTRLEN))
                return -errno;
        return 0;
}

int net_parse_proc_tcp(FILE *in, int family, struct listen_fact **list, size_t *n) {
        char line[512];

        /* skip the header */
        if (!fgets(line, sizeof line, in))
                return 0;
        while (fgets(line, sizeof line, in)) {
                char local[64];
                unsigned port, state;
                struct listen_fact l = { .family = family };
                struct listen_fact *nl;

                if (sscanf(line, " %*u: %63[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", local, &port, &state) != 3)
                        continue;
                if (state != TCP_LISTEN || port > UINT16_MAX)
                        continue;
                if (parse_hex_address(family, local, l.address) < 0)
                        continue;
                l.port = (uint16_t) port;
                nl = realloc(*list, sizeof(**list) * (*n + 1));
                if (!nl)
                        return -ENOMEM;
                nl[(*n)++] = l;
                *list = nl;
        }
        return 0;
}

static int net_probe(const struct options *o, struct facts *f) {
        static const struct {
                const char *path;
                int family;
        } files[] = {
                { "/proc/net/tcp", AF_INET },
                { "/proc/net/tcp6", AF_INET6 },
        };

        /* The host's sockets say nothing about a tree that does not run: listen_known stays
         * false ("not known"), never "nothing listens". */
        if (options_offline(o))
                return strv_extend(&f->unreadable, "listening sockets: not known offline (the tree does not run here)");

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                FILE *in = fopen(files[i].path, "re");
                int r;

                if (!in) {
                        if (errno == ENOENT && files[i].family == AF_INET6)
                                continue; /* IPv6 disabled */
                        r = strv_extendf(&f->unreadable, "%s: %s", files[i].path, strerror(errno));
                        if (r < 0)
                                return r;
                        continue;
                }
                r = net_parse_proc_tcp(in, files[i].family, &f->listen, &f->n_listen);
                fclose(in);
                if (r < 0)
                        return r;
                f->listen_known = true;
        }
        return 0;
}

const struct backend backend_net = {
        .name = "net",
        .probe = net_probe,
        .apply = backend_not_supported_apply,
};
