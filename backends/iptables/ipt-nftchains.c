/* The part of an iptables-nft filter table that *-save does not show: whether the table
 * exists, which base chains it has (iptables-nft creates them lazily, a restore creates all
 * three) and the order of its chains in nftables (a restore creates them in its own). */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ipt-nftchains.h"
#include "ipt-tool.h"
#include "util/exec.h"
#include "util/log.h"
#include "util/strv.h"

#define NFT_TIMEOUT_MS 120000

static const char *const builtin_chains[] = { "INPUT", "FORWARD", "OUTPUT", NULL };

static const char *nft_family(int family) {
        return family == AF_INET6 ? "ip6" : "ip";
}

/* Runs nft (or anything) and fails with what it said. */
static int run(const char *const *argv, const char *input, size_t len) {
        struct exec_result x;
        int r;

        r = exec_run(argv, input, len, NFT_TIMEOUT_MS, &x);
        if (r < 0)
                return r;
        if (x.status != 0) {
                _cleanup_free_ char *d = exec_result_describe(&x);
                log_error("%s failed: %s", argv[0], strna(d));
                r = -EIO;
        }
        exec_result_done(&x);
        return r;
}

int ipt_nft_chains(int family, char **ret) {
        _cleanup_free_ char *nft = exec_find_program("nft"), *joined = NULL;
        struct exec_result x;
        bool in_table = false, table = false;
        int r = 0;

        *ret = NULL;
        if (!nft)
                return 0;
        r = exec_run((const char *const[]) { nft, "list", "chains", nft_family(family), NULL }, NULL, 0, NFT_TIMEOUT_MS,
                     &x);
        if (r < 0)
                return r;
        for (char *line = strtok(x.out, "\n"); line && r >= 0; line = strtok(NULL, "\n")) {
                char name[256];

                line += strspn(line, " \t");
                if (strncmp(line, "table ", 6) == 0) {
                        in_table = strncmp(line + 6 + strcspn(line + 6, " "), " filter {", 9) == 0;
                        table = table || in_table;
                } else if (in_table && sscanf(line, "chain %255s {", name) == 1) {
                        char *j = strprintf("%s %s", joined ? joined : "", name);

                        if (!j)
                                r = -ENOMEM;
                        free(joined);
                        joined = j;
                }
        }
        exec_result_done(&x);
        if (r < 0)
                return r;
        *ret = strprintf("table=%s%s", table ? "yes" : "no", joined ? joined : "");
        return *ret ? 0 : -ENOMEM;
}

/* Whether the word 'name' is in the space-separated 'list'. */
static bool has_word(const char *list, const char *name) {
        size_t n = strlen(name);

        for (const char *p = strchr(list, ' '); p; p = strchr(p + 1, ' '))
                if (strncmp(p + 1, name, n) == 0 && (p[1 + n] == 0 || p[1 + n] == ' '))
                        return true;
        return false;
}

int ipt_nft_drop_extra_chains(int family, const char *want) {
        _cleanup_free_ char *nft = exec_find_program("nft"), *now = NULL;
        int r;

        if (!nft)
                return 0;
        r = ipt_nft_chains(family, &now);
        if (r < 0 || !now)
                return r;
        if (strncmp(want, "table=no", 8) == 0) {
                if (strncmp(now, "table=yes", 9) != 0)
                        return 0;
                return run((const char *const[]) { nft, "delete", "table", nft_family(family), "filter", NULL }, NULL, 0);
        }
        for (const char *const *b = builtin_chains; *b; b++) {
                if (has_word(want, *b) || !has_word(now, *b))
                        continue;
                r = run((const char *const[]) { nft, "delete", "chain", nft_family(family), "filter", *b, NULL }, NULL, 0);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The policy of 'chain' in save text: ":INPUT DROP [0:0]" -> "DROP"; NULL for a user chain. */
static char *policy_of(const char *body, size_t len, const char *chain) {
        _cleanup_free_ char *prefix = strprintf("\n:%s ", chain), *text = strndup(body, len), *padded = NULL;
        const char *p;
        char pol[64];

        if (!prefix || !text)
                return NULL;
        padded = strprintf("\n%s", text);
        if (!padded)
                return NULL;
        p = strstr(padded, prefix);
        if (!p || sscanf(p + strlen(prefix), "%63s", pol) != 1 || streq(pol, "-"))
                return NULL;
        return strdup(pol);
}

int ipt_nft_reorder(int family, const char *want, const char *body, size_t len) {
        _cleanup_free_ char *nft = exec_find_program("nft"), *now = NULL,
                            *cmd = ipt_program_path(IPT_VARIANT_NFT, family, IPT_PROGRAM_CMD),
                            *restore = ipt_program_path(IPT_VARIANT_NFT, family, IPT_PROGRAM_RESTORE);
        _cleanup_strv_free_ char **chains = NULL;
        int r;

        if (!nft || !cmd || !restore || strncmp(want, "table=yes", 9) != 0)
                return 0;
        r = ipt_nft_chains(family, &now);
        if (r < 0 || !now || streq(now, want))
                return r;

        /* the table again from nothing: its chains first, in the snapshot's order (a
         * policy creates a base chain, -N a user chain), then its rules without a flush */
        log_info("Rebuilding the iptables-nft %s filter table: its chains are in another order than before.",
                 nft_family(family));
        r = strv_split(want + strlen("table=yes"), " ", &chains);
        if (r < 0)
                return r;
        r = run((const char *const[]) { nft, "delete", "table", nft_family(family), "filter", NULL }, NULL, 0);
        for (char **c = chains; r >= 0 && c && *c; c++) {
                _cleanup_free_ char *pol = NULL;
                bool builtin = false;

                for (const char *const *b = builtin_chains; *b; b++)
                        builtin = builtin || streq(*b, *c);
                if (builtin) {
                        pol = policy_of(body, len, *c);
                        r = run((const char *const[]) { cmd, "-w", "-t", "filter", "-P", *c, pol ? pol : "ACCEPT", NULL },
                                NULL, 0);
                } else
                        r = run((const char *const[]) { cmd, "-w", "-t", "filter", "-N", *c, NULL }, NULL, 0);
        }
        if (r >= 0)
                r = run((const char *const[]) { restore, "-w", "--noflush", NULL }, body, len);
        if (r >= 0)
                r = ipt_nft_drop_extra_chains(family, want);
        return r;
}
