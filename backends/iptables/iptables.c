/* The iptables backend: iptables and ip6tables, nft and legacy variants. Reads each
 * variant's filter table with its *-save, evaluates the INPUT path for a SYN to every
 * requested port, and changes rules with the variant's own command. */

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"
#include "ipt-eval.h"
#include "ipt-facts.h"
#include "ipt-persist.h"
#include "ipt-ruleset.h"
#include "ipt-tool.h"
#include "util/log.h"
#include "util/strv.h"

#define SAVE_TIMEOUT_MS 120000

/* Non-loopback interfaces that are up: where an external SYN can arrive. */
static int external_interfaces(char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        struct ifaddrs *ifa;

        if (getifaddrs(&ifa) < 0)
                return -errno;
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
                if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP))
                        continue;
                if (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6)
                        continue;
                if (!strv_contains(l, i->ifa_name) && strv_extend(&l, i->ifa_name) < 0) {
                        freeifaddrs(ifa);
                        return -ENOMEM;
                }
        }
        freeifaddrs(ifa);
        *ret = TAKE_PTR(l);
        return 0;
}

/* Legacy tables exist only once their module is loaded; asking *-save for them would load
 * it and create an empty table. */
static bool legacy_filter_loaded(int family) {
        char line[64];
        bool found = false;
        FILE *f = fopen(family == AF_INET6 ? "/proc/net/ip6_tables_names" : "/proc/net/ip_tables_names", "re");

        if (!f)
                return false;
        while (fgets(line, sizeof line, f))
                if (strncmp(line, "filter", 6) == 0 && (line[6] == '\n' || line[6] == 0))
                        found = true;
        fclose(f);
        return found;
}

/* Reads the filter tables of both variants and families at once: the kernel's dump is
 * most of the cost for big rulesets, and the four run in parallel. */
static int iptables_probe(const struct options *o, struct facts *f) {
        struct fw_facts *fw = &f->fw;
        struct exec_job jobs[4] = {};
        _cleanup_free_ char *paths[4] = {};
        const char *argv[4][4];
        _cleanup_strv_free_ char **ifaces = NULL;
        enum ipt_variant def = ipt_default_variant();
        size_t n = 0;
        int r, which[4];

        fw->known = true;
        r = external_interfaces(&ifaces);
        if (r < 0)
                (void) strv_extendf(&f->unreadable, "network interfaces: %s", strerror(-r));

        for (int v = 0; v < _IPT_VARIANT_MAX; v++)
                for (int fam = 0; fam < 2; fam++) {
                        int family = fam ? AF_INET6 : AF_INET;
                        struct ipt_table *t = fw_ipt_table(fw, (enum ipt_variant) v, fam);

                        *t = (struct ipt_table) { .variant = (enum ipt_variant) v, .family = family, .is_default = (int) def == v };
                        /* --from names one family: the other one is not on the client's path */
                        if (o->from.family && o->from.family != family)
                                continue;
                        if (v == IPT_VARIANT_LEGACY && !legacy_filter_loaded(family))
                                continue;
                        paths[n] = ipt_program_path((enum ipt_variant) v, family, IPT_PROGRAM_SAVE);
                        if (!paths[n])
                                continue;
                        argv[n][0] = paths[n];
                        argv[n][1] = "-t";
                        argv[n][2] = "filter";
                        argv[n][3] = NULL;
                        jobs[n].argv = argv[n];
                        which[n] = v * 2 + fam;
                        n++;
                }
        if (n == 0)
                return 0;
        r = exec_run_many(jobs, n, SAVE_TIMEOUT_MS, EXEC_MAX_OUTPUT_DEFAULT);
        if (r < 0)
                (void) strv_extendf(&f->unreadable, "iptables: %s", strerror(-r));

        for (size_t i = 0; i < n; i++) {
                struct ipt_table *t = &fw->tables[which[i]];
                struct exec_result *x = &jobs[i].result;
                const char *prog = ipt_program_name(t->variant, t->family, IPT_PROGRAM_SAVE);
                _cleanup_free_ char *error = NULL;

                if (r < 0 || x->status != 0 || x->truncated) {
                        _cleanup_free_ char *d = exec_result_describe(x);
                        if (x->status != -1 || r >= 0)
                                (void) strv_extendf(&f->unreadable, "%s: %s", prog, x->truncated ? "output too large" : strna(d));
                        continue;
                }
                r = ipt_table_facts(o, fw, t, x->out, ifaces, "", &error);
                if (r < 0 && r != -ENOMEM)
                        (void) strv_extendf(&f->unreadable, "%s: %s", prog, error ?: strerror(-r));
                if (r == -ENOMEM)
                        break;
                r = 0;
        }
        for (size_t i = 0; i < n; i++)
                exec_result_done(&jobs[i].result);
        return r == -ENOMEM ? r : 0;
}

static int step_table(const struct step *s, enum ipt_variant *ret_v, int *ret_family) {
        enum ipt_variant v;
        int family;

        if (strv_length(s->args) < 2)
                return -EINVAL;
        v = ipt_variant_from_string(s->args[0]);
        family = ipt_family_from_string(s->args[1]);
        if (v == _IPT_VARIANT_MAX || family < 0)
                return -EINVAL;
        *ret_v = v;
        *ret_family = family;
        return 0;
}

/* The live filter table, normalized. */
static int save_filter(enum ipt_variant v, int family, char **ret) {
        _cleanup_free_ char *path = ipt_program_path(v, family, IPT_PROGRAM_SAVE);
        struct exec_result x;
        int r;

        if (!path)
                return -ENOENT;
        r = exec_run((const char *const[]) { path, "-t", "filter", NULL }, NULL, 0, SAVE_TIMEOUT_MS, &x);
        if (r < 0)
                return r;
        if (x.status != 0 || x.truncated) {
                _cleanup_free_ char *d = exec_result_describe(&x);
                log_error("%s failed: %s", path, strna(d));
                exec_result_done(&x);
                return -EIO;
        }
        r = ipt_save_normalize(x.out, "filter", ret);
        exec_result_done(&x);
        if (r >= 0 && !*ret)
                *ret = strdup("*filter\nCOMMIT\n");
        return r < 0 ? r : *ret ? 0 : -ENOMEM;
}

static const char *const builtin_chains[] = { "INPUT", "FORWARD", "OUTPUT", NULL };

/* iptables-nft creates its base chains lazily, and a restore creates all three: which of
 * them exist (and whether the table does) is part of the state, invisible in *-save.
 * Returns "table=no" or "table=yes INPUT ..."; NULL when nft is not installed. */
static int nft_builtin_chains(int family, char **ret) {
        _cleanup_free_ char *nft = exec_find_program("nft");
        _cleanup_strv_free_ char **found = NULL;
        struct exec_result x;
        bool in_table = false, table = false;
        int r;

        *ret = NULL;
        if (!nft)
                return 0;
        r = exec_run((const char *const[]) { nft, "list", "chains", family == AF_INET6 ? "ip6" : "ip", NULL }, NULL, 0,
                     SAVE_TIMEOUT_MS, &x);
        if (r < 0)
                return r;
        for (char *line = strtok(x.out, "\n"); line; line = strtok(NULL, "\n")) {
                char name[256];

                line += strspn(line, " \t");
                if (strncmp(line, "table ", 6) == 0) {
                        in_table = strncmp(line + 6 + strcspn(line + 6, " "), " filter {", 9) == 0;
                        table = table || in_table;
                } else if (in_table && sscanf(line, "chain %255s {", name) == 1) {
                        for (const char *const *b = builtin_chains; *b; b++)
                                if (streq(*b, name) && strv_extend(&found, name) < 0) {
                                        exec_result_done(&x);
                                        return -ENOMEM;
                                }
                }
        }
        exec_result_done(&x);
        _cleanup_free_ char *joined = NULL;
        for (char **c = found; c && *c; c++) {
                char *j = strprintf("%s %s", joined ? joined : "", *c);
                if (!j)
                        return -ENOMEM;
                free(joined);
                joined = j;
        }
        *ret = strprintf("table=%s%s", table ? "yes" : "no", joined ? joined : "");
        return *ret ? 0 : -ENOMEM;
}

static int nft_drop_extra_chains(int family, const char *want) {
        _cleanup_free_ char *nft = exec_find_program("nft"), *now = NULL;
        const char *fam = family == AF_INET6 ? "ip6" : "ip";
        int r;

        if (!nft)
                return 0;
        r = nft_builtin_chains(family, &now);
        if (r < 0 || !now)
                return r;
        if (strncmp(want, "table=no", 8) == 0) {
                if (strncmp(now, "table=yes", 9) != 0)
                        return 0;
                struct exec_result x;
                r = exec_run((const char *const[]) { nft, "delete", "table", fam, "filter", NULL }, NULL, 0,
                             SAVE_TIMEOUT_MS, &x);
                if (r >= 0 && x.status != 0)
                        r = -EIO;
                exec_result_done(&x);
                return r;
        }
        for (const char *const *b = builtin_chains; *b; b++) {
                _cleanup_free_ char *word = strprintf(" %s", *b);
                const char *p;
                bool wanted = false, have = false;

                if (!word)
                        return -ENOMEM;
                for (p = strstr(want, word); p; p = strstr(p + 1, word))
                        wanted = wanted || p[strlen(word)] == 0 || p[strlen(word)] == ' ';
                for (p = strstr(now, word); p; p = strstr(p + 1, word))
                        have = have || p[strlen(word)] == 0 || p[strlen(word)] == ' ';
                if (wanted || !have)
                        continue;
                struct exec_result x;
                r = exec_run((const char *const[]) { nft, "delete", "chain", fam, "filter", *b, NULL }, NULL, 0,
                             SAVE_TIMEOUT_MS, &x);
                if (r >= 0 && x.status != 0) {
                        _cleanup_free_ char *d = exec_result_describe(&x);
                        log_error("nft delete chain %s filter %s: %s", fam, *b, strna(d));
                        r = -EIO;
                }
                exec_result_done(&x);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int iptables_snapshot(const struct options *o, const struct plan *plan, char **ret) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_strv_free_ char **seen = NULL;
        size_t size = 0;
        FILE *out;
        int r = 0;

        out = open_memstream(&buf, &size);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < plan->n_steps && r >= 0; i++) {
                const struct step *s = &plan->steps[i];
                _cleanup_free_ char *key = NULL, *text = NULL;
                enum ipt_variant v;
                int family;

                if (!streq(s->backend, "iptables"))
                        continue;
                r = step_table(s, &v, &family);
                if (r < 0)
                        break;
                if (streq(s->operation, "save")) {
                        if (strv_length(s->args) < 3 || strv_contains(seen, s->args[2]))
                                continue;
                        /* refuse before any change, not half-way */
                        if (access(s->args[2], W_OK) < 0) {
                                r = log_error_errno(errno, "Cannot write '%s': %m", s->args[2]);
                                break;
                        }
                        r = strv_extend(&seen, s->args[2]);
                        if (r >= 0)
                                r = ipt_file_snapshot(out, s->args[2]);
                        continue;
                }
                key = strprintf("%s %s", s->args[0], s->args[1]);
                if (!key) {
                        r = -ENOMEM;
                        break;
                }
                if (strv_contains(seen, key))
                        continue;
                r = strv_extend(&seen, key);
                if (r >= 0)
                        r = save_filter(v, family, &text);
                if (r >= 0)
                        fprintf(out, "== table %s\n%s", key, text);
                if (r >= 0 && v == IPT_VARIANT_NFT) {
                        _cleanup_free_ char *chains = NULL;
                        r = nft_builtin_chains(family, &chains);
                        if (r >= 0 && chains)
                                fprintf(out, "== nft-chains %s %s\n", key, chains);
                }
        }
        if (fclose(out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = size ? TAKE_PTR(buf) : NULL;
        return 0;
}

static int restore_table(enum ipt_variant v, int family, const char *text, size_t len) {
        _cleanup_free_ char *path = ipt_program_path(v, family, IPT_PROGRAM_RESTORE);
        struct exec_result x;
        int r;

        if (!path)
                return -ENOENT;
        /* without --noflush: the table becomes exactly the snapshot */
        r = exec_run((const char *const[]) { path, "-w", NULL }, text, len, SAVE_TIMEOUT_MS, &x);
        if (r < 0)
                return r;
        if (x.status != 0) {
                _cleanup_free_ char *d = exec_result_describe(&x);
                log_error("%s failed: %s", path, strna(d));
                r = -EIO;
        }
        exec_result_done(&x);
        return r;
}

static int iptables_restore(const struct options *o, const char *snapshot) {
        const char *p = snapshot;
        int ret = 0;

        while (p && *p) {
                int r;

                if (strncmp(p, "== file ", 8) == 0) {
                        r = ipt_file_restore(&p);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (strncmp(p, "== nft-chains ", 14) == 0) {
                        char fs[16];
                        const char *nl = strchr(p, '\n'), *rest;
                        _cleanup_free_ char *want = NULL;

                        if (!nl || sscanf(p + 14, "%*15s %15s", fs) != 1 || !(rest = strstr(p, "table=")) || rest > nl)
                                return -EBADMSG;
                        want = strndup(rest, (size_t) (nl - rest));
                        if (!want)
                                return -ENOMEM;
                        r = nft_drop_extra_chains(ipt_family_from_string(fs), want);
                        if (r < 0 && ret == 0)
                                ret = r;
                        p = nl + 1;
                        continue;
                }
                if (strncmp(p, "== table ", 9) == 0) {
                        char vs[16], fs[16];
                        const char *body = strchr(p, '\n'), *end;
                        enum ipt_variant v;
                        int family;

                        if (!body || sscanf(p + 9, "%15s %15s", vs, fs) != 2)
                                return -EBADMSG;
                        body++;
                        end = strstr(body, "\n== ");
                        end = end ? end + 1 : body + strlen(body);
                        v = ipt_variant_from_string(vs);
                        family = ipt_family_from_string(fs);
                        if (v == _IPT_VARIANT_MAX || family < 0)
                                return -EBADMSG;
                        r = restore_table(v, family, body, (size_t) (end - body));
                        if (r < 0 && ret == 0)
                                ret = r;
                        p = end;
                        continue;
                }
                return -EBADMSG;
        }
        return ret;
}

static int details(char ***ret_details, const char *error) {
        if (!ret_details || !error)
                return 0;
        return strv_extend(ret_details, error);
}

static int iptables_apply(const struct options *o, const struct step *s, char ***ret_details) {
        _cleanup_strv_free_ char **args = NULL;
        _cleanup_free_ char *error = NULL;
        enum ipt_variant v;
        int family, r;

        r = step_table(s, &v, &family);
        if (r < 0)
                return r;

        if (streq(s->operation, "save")) {
                _cleanup_free_ char *live = NULL;

                if (strv_length(s->args) < 3)
                        return -EINVAL;
                r = save_filter(v, family, &live);
                if (r >= 0)
                        r = ipt_persist_write(s->args[2], live);
                if (r < 0 && ret_details)
                        (void) strv_extendf(ret_details, "writing '%s': %s", s->args[2], strerror(-r));
                return r;
        }

        /* args: variant family chain index spec... */
        if (strv_length(s->args) < 5)
                return -EINVAL;
        if (streq(s->operation, "delete-rule")) {
                /* by its arguments, not its number: numbers shift under us */
                r = strv_extend(&args, "-C");
                if (r >= 0)
                        r = strv_extend(&args, s->args[2]);
                for (char **a = s->args + 4; r >= 0 && *a; a++)
                        r = strv_extend(&args, *a);
                if (r < 0)
                        return r;
                if (ipt_run(v, family, args, NULL) < 0)
                        return 0; /* gone already */
                free(args[0]);
                args[0] = strdup("-D");
                if (!args[0])
                        return -ENOMEM;
        } else if (streq(s->operation, "insert-rule")) {
                bool append = streq(s->args[3], "end");

                r = strv_extend(&args, append ? "-A" : "-I");
                if (r >= 0)
                        r = strv_extend(&args, s->args[2]);
                if (r >= 0 && !append)
                        r = strv_extend(&args, s->args[3]);
                for (char **a = s->args + 4; r >= 0 && *a; a++)
                        r = strv_extend(&args, *a);
                if (r < 0)
                        return r;
        } else
                return -EOPNOTSUPP;

        r = ipt_run(v, family, args, &error);
        if (r < 0)
                (void) details(ret_details, error);
        return r;
}

const struct backend backend_iptables = {
        .name = "iptables",
        .probe = iptables_probe,
        .snapshot = iptables_snapshot,
        .restore = iptables_restore,
        .apply = iptables_apply,
};
