/* The iptables backend: iptables and ip6tables, nft and legacy variants. Reads each
 * variant's filter table with its *-save, evaluates the INPUT path for a SYN to every
 * requested port, and changes rules with the variant's own command. */

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"
#include "ipt-eval.h"
#include "ipt-facts.h"
#include "ipt-nftchains.h"
#include "ipt-offline.h"
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

/* The *-save runs, started by prefetch; a thread of their own parses each one's output
 * while it still comes (the kernel's dump and its printing are most of the cost for
 * big rulesets), then evaluates; all of it while the other backends probe. The thread fills
 * facts of its own; probe joins it and moves them into the real ones. */
static struct {
        bool started, threaded;
        pthread_t thread;
        const struct options *o;
        size_t n;
        const char *argv[4][4]; /* argv[i][0]: allocated */
        int which[4]; /* index in fw_facts.tables */
        struct exec_job jobs[4];
        struct ipt_parser parsers[4];
        struct fw_facts fw;
        char **unreadable;
        int r;
} pending;

static int feed_parser(struct exec_job *j) {
        return ipt_parser_feed(j->userdata, j->result.out, j->result.out_len);
}

/* One *-save's result: its rules, parsed as they came, evaluated. */
static int collect_one(size_t i, char **ifaces) {
        struct ipt_table *t = &pending.fw.tables[pending.which[i]];
        struct exec_result *x = &pending.jobs[i].result;
        const char *prog = ipt_program_name(t->variant, t->family, IPT_PROGRAM_SAVE);
        _cleanup_free_ char *error = NULL;
        struct ipt_ruleset rs;
        int k;

        if (x->status != 0 || x->truncated) {
                _cleanup_free_ char *d = exec_result_describe(x);

                ipt_parser_done(&pending.parsers[i]);
                return strv_extendf(&pending.unreadable, "%s: %s", prog, x->truncated ? "output too large" : strna(d));
        }
        k = ipt_parser_finish(&pending.parsers[i], x->out, x->out_len, &rs, &error);
        if (k >= 0)
                k = ipt_table_facts_parsed(pending.o, &pending.fw, t, &rs, x->out, ifaces, "");
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return strv_extendf(&pending.unreadable, "%s: %s", prog, error ?: strerror(-k));
        return 0;
}

static int collect(void) {
        struct fw_facts *fw = &pending.fw;
        _cleanup_strv_free_ char **ifaces = NULL;
        enum ipt_variant def = ipt_default_variant();
        int r;

        for (int v = 0; v < _IPT_VARIANT_MAX; v++)
                for (int fam = 0; fam < 2; fam++)
                        *fw_ipt_table(fw, (enum ipt_variant) v, fam) = (struct ipt_table) {
                                .variant = (enum ipt_variant) v,
                                .family = fam ? AF_INET6 : AF_INET,
                                .is_default = (int) def == v,
                        };
        /* a program that could not be started has status -1: said per program below */
        r = exec_wait_many(pending.jobs, pending.n, SAVE_TIMEOUT_MS, EXEC_MAX_OUTPUT_DEFAULT);
        if (r != -ENOMEM) {
                r = external_interfaces(&ifaces);
                if (r < 0)
                        (void) strv_extendf(&pending.unreadable, "network interfaces: %s", strerror(-r));
                r = 0;
        }
        for (size_t i = 0; i < pending.n; i++) {
                if (r >= 0)
                        r = collect_one(i, ifaces);
                else
                        ipt_parser_done(&pending.parsers[i]);
                exec_result_done(&pending.jobs[i].result);
        }
        return r;
}

static void *collect_thread(void *userdata) {
        pending.r = collect();
        return NULL;
}

static void iptables_prefetch(const struct options *o) {
        sigset_t all, old;

        if (pending.started || options_offline(o))
                return;
        pending.started = true;
        pending.o = o;
        for (int v = 0; v < _IPT_VARIANT_MAX; v++)
                for (int fam = 0; fam < 2; fam++) {
                        int family = fam ? AF_INET6 : AF_INET;
                        char *path;

                        /* --from names one family: the other one is not on the client's path */
                        if (o->from.family && o->from.family != family)
                                continue;
                        if (v == IPT_VARIANT_LEGACY && !legacy_filter_loaded(family))
                                continue;
                        path = ipt_program_path((enum ipt_variant) v, family, IPT_PROGRAM_SAVE);
                        if (!path)
                                continue;
                        pending.which[pending.n] = v * 2 + fam;
                        memcpy(pending.argv[pending.n], (const char *[]) { path, "-t", "filter", NULL },
                               sizeof(pending.argv[pending.n]));
                        pending.jobs[pending.n] = (struct exec_job) {
                                .argv = pending.argv[pending.n],
                                .on_output = feed_parser,
                                .userdata = &pending.parsers[pending.n],
                        };
                        ipt_parser_init(&pending.parsers[pending.n], "filter", family);
                        pending.n++;
                }
        /* started here, at once, before the thread: a failure is said per program */
        (void) exec_start_many(pending.jobs, pending.n);
        /* signals stay with the main thread */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        pending.threaded = pthread_create(&pending.thread, NULL, collect_thread, NULL) == 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Moves what the collection found into the facts. */
static int merge(struct facts *f) {
        struct fw_facts *fw = &f->fw, *from = &pending.fw;
        int r = 0;

        fw->known = true;
        for (size_t i = 0; i < ELEMENTSOF(fw->tables); i++) {
                free(fw->tables[i].persist.path);
                free(fw->tables[i].persist.loaded_by);
                fw->tables[i] = from->tables[i];
                from->tables[i] = (struct ipt_table) {};
        }
        fw->ufw_chains = fw->ufw_chains || from->ufw_chains;
        for (char **l = from->frontends; r >= 0 && l && *l; l++)
                r = strv_extend(&fw->frontends, *l);
        for (char **l = pending.unreadable; r >= 0 && l && *l; l++)
                r = strv_extend(&f->unreadable, *l);
        if (r >= 0 && from->n_ipt > 0) {
                struct ipt_verdict *v = realloc(fw->ipt, sizeof(*v) * (fw->n_ipt + from->n_ipt));

                if (!v)
                        r = -ENOMEM;
                else {
                        memcpy(v + fw->n_ipt, from->ipt, sizeof(*v) * from->n_ipt);
                        fw->ipt = v;
                        fw->n_ipt += from->n_ipt;
                        free(from->ipt);
                        from->ipt = NULL;
                        from->n_ipt = 0;
                }
        }
        return r;
}

static int iptables_probe(const struct options *o, struct facts *f) {
        int r;

        if (options_offline(o))
                return ipt_offline_probe(o, f);
        iptables_prefetch(o);
        if (pending.threaded)
                r = pthread_join(pending.thread, NULL) == 0 ? pending.r : -EIO;
        else
                r = collect();
        if (r >= 0)
                r = merge(f);
        fw_facts_done(&pending.fw);
        strv_free(pending.unreadable);
        for (size_t i = 0; i < pending.n; i++)
                free((char *) pending.argv[i][0]);
        pending = (typeof(pending)) {};
        return r;
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
                if (streq(s->operation, "save") || strncmp(s->operation, "file-", 5) == 0) {
                        const char *path = s->args[2], *recorded;

                        if (strv_length(s->args) < 3 || strv_contains(seen, path))
                                continue;
                        /* refuse before any change, not half-way */
                        if (access(path, W_OK) < 0) {
                                r = log_error_errno(errno, "Cannot write '%s': %m", path);
                                break;
                        }
                        /* offline, as the tree sees it: restored under the same root */
                        recorded = path;
                        if (options_offline(o)) {
                                size_t n = strlen(o->root);
                                if (strncmp(path, o->root, n) != 0 || path[n] != '/') {
                                        r = log_error_errno(EINVAL, "'%s' is not under '%s'.", path, o->root);
                                        break;
                                }
                                recorded = path + n;
                        }
                        r = strv_extend(&seen, path);
                        if (r >= 0)
                                r = ipt_file_snapshot(out, path, recorded);
                        continue;
                }
                if (options_offline(o)) {
                        r = log_error_errno(EINVAL, "Offline, iptables steps edit files only.");
                        break;
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
                        r = ipt_nft_chains(family, &chains);
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
        const char *p = snapshot, *nft_body[2] = {};
        size_t nft_len[2] = {};
        int ret = 0;

        while (p && *p) {
                int r;

                if (strncmp(p, "== file ", 8) == 0) {
                        r = ipt_file_restore(&p, options_offline(o) ? o->root : NULL);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (options_offline(o))
                        return -EBADMSG; /* never the host's tables */
                if (strncmp(p, "== nft-chains ", 14) == 0) {
                        char fs[16];
                        const char *nl = strchr(p, '\n'), *rest;
                        _cleanup_free_ char *want = NULL;
                        int family;

                        if (!nl || sscanf(p + 14, "%*15s %15s", fs) != 1 || !(rest = strstr(p, "table=")) || rest > nl)
                                return -EBADMSG;
                        want = strndup(rest, (size_t) (nl - rest));
                        if (!want)
                                return -ENOMEM;
                        family = ipt_family_from_string(fs);
                        r = ipt_nft_drop_extra_chains(family, want);
                        /* a restore creates the chains in its own order: back to the
                         * snapshot's, from the table text restored just before */
                        if (r >= 0 && family >= 0 && nft_body[family == AF_INET6])
                                r = ipt_nft_reorder(family, want, nft_body[family == AF_INET6],
                                                    nft_len[family == AF_INET6]);
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
                        if (v == IPT_VARIANT_NFT) {
                                nft_body[family == AF_INET6] = r < 0 ? NULL : body;
                                nft_len[family == AF_INET6] = (size_t) (end - body);
                        }
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

        if (strncmp(s->operation, "file-", 5) == 0)
                return ipt_offline_apply(o, s, ret_details);
        if (options_offline(o))
                return -EOPNOTSUPP; /* nothing runs against the host */
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
        .prefetch = iptables_prefetch,
        .snapshot = iptables_snapshot,
        .restore = iptables_restore,
        .apply = iptables_apply,
};
