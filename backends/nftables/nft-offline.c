/* Offline (--root DIR): the ruleset the tree loads at boot is DIR/etc/nftables.conf, when
 * nftables.service is enabled there. The running kernel's ruleset is not the tree's and is
 * never read. The file is loaded with `nft -f` into a network namespace of our own, created
 * for this and left again at once, and read back there with the same dump and evaluator as
 * the kernel's: what nft accepts and how it compiles the rules is then exactly what the tree
 * gets at boot (for this kernel's nft). */

#include <netinet/in.h> /* before any linux/ header */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nft-dump.h"
#include "nft-facts.h"
#include "nft-offline.h"
#include "nft-persist.h"
#include "util/exec.h"
#include "util/fileio.h"
#include "util/strv.h"

#define NFT_LOAD_TIMEOUT_MS 30000

/* An `include` reads other files, by absolute path or from nft's include path (/etc): those
 * would be the host's, not the tree's. Returns the first such line, 0 when there is none. */
static unsigned find_include(const char *text) {
        unsigned lineno = 0;

        for (const char *p = text; p && *p;) {
                const char *s = p + strspn(p, " \t");

                lineno++;
                if (strncmp(s, "include", 7) == 0 && (s[7] == ' ' || s[7] == '\t' || s[7] == '"'))
                        return lineno;
                p = strchr(p, '\n');
                if (p)
                        p++;
        }
        return 0;
}

/* In the private namespace: load, dump, evaluate. *ret_why says why the file was not loaded. */
static int evaluate_here(const struct options *o, const char *text, struct nft_facts *ret, char **ret_why) {
        _cleanup_free_ char *nft = exec_find_program("nft");
        struct exec_result res = { .status = -1 };
        struct nft_ruleset rs = {};
        struct nft_nl nl;
        uint32_t genid = 0;
        int r;

        if (!nft) {
                *ret_why = strdup("the nft program is not installed here, so the file cannot be evaluated");
                return -ENOENT;
        }
        /* From stdin: nft reads nothing else of the host (includes were refused above). */
        r = exec_run((const char *const[]) { nft, "-f", "-", NULL }, text, strlen(text), NFT_LOAD_TIMEOUT_MS, &res);
        if (r >= 0 && res.status != 0) {
                _cleanup_free_ char *d = exec_result_describe(&res);
                *ret_why = strprintf("nft -f refuses it: %s", d ? d : "failed");
                exec_result_done(&res);
                return -EINVAL;
        }
        exec_result_done(&res);
        if (r < 0)
                return r;
        r = nft_nl_open(&nl);
        if (r < 0)
                return r;
        r = nft_dump_ruleset(&nl, &rs, &genid);
        if (r >= 0)
                /* the tree's interfaces and addresses are not known here: any */
                r = nft_facts_from_ruleset(&rs, o, NULL, ret);
        nft_ruleset_done(&rs);
        nft_nl_close(&nl);
        return r;
}

/* Loads 'text' into a new network namespace and evaluates it there; this process is back in
 * its own namespace on return (or the probe cannot go on: < 0 with *ret_fatal). */
static int evaluate_in_netns(const struct options *o, const char *text, struct nft_facts *ret, char **ret_why,
                             bool *ret_fatal) {
        int own, r;

        own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (own < 0)
                return -errno;
        if (unshare(CLONE_NEWNET) < 0) {
                r = -errno;
                close(own);
                *ret_why = strprintf("cannot create a network namespace to load it in: %s", strerror(-r));
                return r;
        }
        r = evaluate_here(o, text, ret, ret_why);
        /* The namespace goes away with its last socket, closed above. */
        if (setns(own, CLONE_NEWNET) < 0) {
                int k = -errno;
                close(own);
                *ret_fatal = true;
                return k;
        }
        close(own);
        return r;
}

int nft_offline_probe(const struct options *o, struct facts *f) {
        _cleanup_free_ char *path = options_path(o, NFT_CONF_PATH), *text = NULL, *why = NULL;
        struct nft_facts n = {};
        bool fatal = false;
        unsigned inc;
        int r;

        if (!path)
                return -ENOMEM;
        if (!nft_conf_loaded_at_boot(o)) {
                f->nft.known = true;
                f->nft.offline = true;
                f->nft.source = strprintf("none: nftables.service is not enabled in %s, so %s is not loaded at boot",
                                          o->root, path);
                return f->nft.source ? 0 : -ENOMEM;
        }
        r = read_full_file(path, NFT_FILE_MAX, &text, NULL);
        if (r == -ENOENT) {
                f->nft.known = true;
                f->nft.offline = true;
                f->nft.source = strprintf("none: nftables.service is enabled in %s, but %s does not exist", o->root, path);
                return f->nft.source ? 0 : -ENOMEM;
        }
        if (r < 0)
                return strv_extendf(&f->unreadable, "nftables ruleset of %s: %s: %s", o->root, path, strerror(-r));
        inc = find_include(text);
        if (inc > 0)
                return strv_extendf(&f->unreadable,
                                    "nftables ruleset of %s: %s line %u includes another file, which would be read from this host: not evaluated",
                                    o->root, path, inc);

        r = evaluate_in_netns(o, text, &n, &why, &fatal);
        if (fatal)
                return r;
        if (r < 0) {
                nft_facts_done(&n);
                return strv_extendf(&f->unreadable, "nftables ruleset of %s: %s: %s", o->root, path,
                                    why ? why : strerror(-r));
        }
        n.genid = 0; /* of a namespace that is gone: no kernel step may use it */
        n.offline = true;
        n.source = strprintf("%s (loaded at boot by nftables.service)", path);
        if (!n.source) {
                nft_facts_done(&n);
                return -ENOMEM;
        }
        f->nft = n;
        r = nft_conf_probe(o, &f->nft.conf);
        if (r < 0)
                (void) strv_extendf(&f->unreadable, "nftables configuration of %s: %s", o->root, strerror(-r));
        return 0;
}
