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
#include "nft-offline.h"
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

/* The running kernel's ruleset, evaluated for SYNs from outside to this host. */
static int read_kernel_facts(const struct options *o, struct nft_facts *ret, char **ret_why) {
        struct nft_ruleset rs = {};
        struct nft_nl nl;
        struct host_info *h;
        uint32_t genid = 0;
        int r;

        r = nft_nl_open(&nl);
        if (r < 0) {
                *ret_why = strprintf("cannot open netlink: %s", strerror(-r));
                return r;
        }
        r = nft_dump_ruleset(&nl, &rs, &genid);
        if (r < 0) {
                nft_nl_close(&nl);
                *ret_why = strdup(strerror(-r));
                return r;
        }
        h = calloc(1, sizeof(*h));
        if (!h)
                r = -ENOMEM;
        else {
                read_host(h);
                r = nft_facts_from_ruleset(&rs, o, &h->host, ret);
        }
        free(h);
        nft_ruleset_done(&rs);
        nft_nl_close(&nl);
        if (r < 0) {
                *ret_why = strdup(strerror(-r));
                return r;
        }
        ret->genid = genid;
        return 0;
}

static int nftables_probe(const struct options *o, struct facts *f) {
        _cleanup_free_ char *why = NULL;
        int r;

        if (options_offline(o))
                return nft_offline_probe(o, f);
        r = read_kernel_facts(o, &f->nft, &why);
        if (r < 0)
                return strv_extendf(&f->unreadable, "nftables ruleset: %s", strna(why));
        r = nft_conf_probe(o, &f->nft.conf);
        if (r < 0)
                (void) strv_extendf(&f->unreadable, "nftables configuration: %s", strerror(-r));
        return 0;
}

/* Offline: the tree's boot-time file, evaluated again after the edit. */
static int verify_offline(const struct options *o, char ***ret_details) {
        struct facts f = {};
        int r;

        r = nft_offline_probe(o, &f);
        if (r >= 0 && f.unreadable) {
                if (ret_details)
                        (void) strv_extendf(ret_details, "cannot evaluate it again: %s", f.unreadable[0]);
                r = -EIO;
        } else if (r >= 0)
                r = nft_verify_facts(&f.nft, ret_details);
        else if (ret_details)
                (void) strv_extendf(ret_details, "cannot evaluate it again: %s", strerror(-r));
        facts_done(&f);
        return r;
}

static int nftables_verify(const struct options *o, const struct plan *plan, char ***ret_details) {
        _cleanup_free_ char *why = NULL;
        struct nft_facts n = {};
        int r;

        if (options_offline(o))
                return verify_offline(o, ret_details);
        r = read_kernel_facts(o, &n, &why);
        if (r < 0) {
                if (ret_details)
                        (void) strv_extendf(ret_details, "cannot read the ruleset again: %s", strna(why));
                return r;
        }
        r = nft_verify_facts(&n, ret_details);
        nft_facts_done(&n);
        return r;
}

const struct backend backend_nftables = {
        .name = "nftables",
        .probe = nftables_probe,
        .snapshot = nft_backend_snapshot,
        .restore = nft_backend_restore,
        .apply = nft_backend_apply,
        .apply_group = nft_backend_apply_group,
        .verify = nftables_verify,
        .changed_nothing = nft_backend_changed_nothing,
};
