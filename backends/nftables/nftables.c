/* The nftables backend: the kernel's ruleset over netlink (libnftnl + libmnl). */

#include <errno.h>
#include <stdio.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "nft-batch.h"
#include "nft-dump.h"
#include "nft-facts.h"
#include "nft-persist.h"
#include "util/log.h"
#include "util/strv.h"

#define MAX_IFACES 64
#define MAX_ADDRS 128

struct host_info {
        struct nft_iface ifaces[MAX_IFACES];
        uint8_t addrs4[MAX_ADDRS][16], addrs6[MAX_ADDRS][16];
        struct nft_host host;
};

/* The interfaces and addresses an external SYN can arrive on and be sent to. */
static void read_host(struct host_info *h) {
        struct ifaddrs *ifa = NULL;

        h->host = (struct nft_host) { .ifaces = h->ifaces, .addrs4 = (const uint8_t (*)[16]) h->addrs4,
                                      .addrs6 = (const uint8_t (*)[16]) h->addrs6 };
        if (getifaddrs(&ifa) < 0)
                return;
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
                bool known = false;

                if (!i->ifa_name || (i->ifa_flags & IFF_LOOPBACK))
                        continue;
                for (size_t k = 0; k < h->host.n_ifaces; k++)
                        known = known || streq(h->ifaces[k].name, i->ifa_name);
                if (!known && h->host.n_ifaces < MAX_IFACES && strlen(i->ifa_name) < 16) {
                        struct nft_iface *n = &h->ifaces[h->host.n_ifaces++];
                        strcpy(n->name, i->ifa_name);
                        n->index = if_nametoindex(i->ifa_name);
                }
                if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && h->host.n_addrs4 < MAX_ADDRS)
                        memcpy(h->addrs4[h->host.n_addrs4++], &((struct sockaddr_in *) i->ifa_addr)->sin_addr, 4);
                else if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6 && h->host.n_addrs6 < MAX_ADDRS)
                        memcpy(h->addrs6[h->host.n_addrs6++], &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr, 16);
        }
        freeifaddrs(ifa);
}

static int nftables_probe(const struct options *o, struct facts *f) {
        struct nft_ruleset rs = {};
        struct nft_nl nl;
        struct host_info *h;
        uint32_t genid = 0;
        int r;

        r = nft_nl_open(&nl);
        if (r < 0)
                return strv_extendf(&f->unreadable, "nftables ruleset: cannot open netlink: %s", strerror(-r));
        r = nft_dump_ruleset(&nl, &rs, &genid);
        if (r < 0) {
                nft_nl_close(&nl);
                return strv_extendf(&f->unreadable, "nftables ruleset: %s", strerror(-r));
        }
        h = calloc(1, sizeof(*h));
        if (!h)
                r = -ENOMEM;
        else {
                read_host(h);
                r = nft_facts_from_ruleset(&rs, o, &h->host, &f->nft);
        }
        free(h);
        nft_ruleset_done(&rs);
        nft_nl_close(&nl);
        if (r < 0)
                return strv_extendf(&f->unreadable, "nftables ruleset: %s", strerror(-r));
        f->nft.genid = genid;
        r = nft_conf_probe(o, &f->nft.conf);
        if (r < 0)
                (void) strv_extendf(&f->unreadable, "nftables configuration: %s", strerror(-r));
        return 0;
}

const struct backend backend_nftables = {
        .name = "nftables",
        .probe = nftables_probe,
        .snapshot = nft_backend_snapshot,
        .restore = nft_backend_restore,
        .apply = nft_backend_apply,
};
