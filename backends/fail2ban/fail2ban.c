/* The fail2ban backend (and sshguard detection). A ban is undone through its owner,
 * `fail2ban-client set JAIL unbanip ADDRESS`, never by deleting its iptables rule: fail2ban
 * would not know, and its next action would put it back or fail. */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"
#include "util/exec.h"
#include "util/log.h"
#include "util/strv.h"

#define F2B_TIMEOUT_MS 30000
#define F2B_SOCKET "/run/fail2ban/fail2ban.sock"

static int client(char *const *args, char **ret_out, char **ret_error) {
        _cleanup_free_ char *path = exec_find_program("fail2ban-client");
        const char *argv[8];
        struct exec_result x;
        size_t n = 0;
        int r;

        if (!path)
                return -ENOENT;
        argv[n++] = path;
        for (char *const *a = args; *a && n + 1 < ELEMENTSOF(argv); a++)
                argv[n++] = *a;
        argv[n] = NULL;
        r = exec_run(argv, NULL, 0, F2B_TIMEOUT_MS, &x);
        if (r < 0)
                return r;
        if (x.status != 0) {
                if (ret_error)
                        *ret_error = exec_result_describe(&x);
                exec_result_done(&x);
                return -EIO;
        }
        if (ret_out)
                *ret_out = TAKE_PTR(x.out);
        exec_result_done(&x);
        return 0;
}

/* The value after "KEY:" on some line of fail2ban-client's tree output. */
static char *field(const char *text, const char *key) {
        const char *p = strstr(text, key);
        size_t n;

        if (!p)
                return NULL;
        p += strlen(key);
        p += strspn(p, " \t");
        n = strcspn(p, "\n");
        return strndup(p, n);
}

static bool process_running(const char *comm) {
        DIR *d = opendir("/proc");
        struct dirent *e;
        bool found = false;

        if (!d)
                return false;
        while (!found && (e = readdir(d))) {
                char path[300], name[64] = "";
                FILE *f;

                if (e->d_name[0] < '0' || e->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
                f = fopen(path, "re");
                if (!f)
                        continue;
                if (fgets(name, sizeof name, f))
                        name[strcspn(name, "\n")] = 0;
                fclose(f);
                found = streq(name, comm);
        }
        closedir(d);
        return found;
}

static bool address_in(const char *address, const struct cidr *from) {
        union {
                struct in_addr in;
                struct in6_addr in6;
        } a;
        const uint8_t *x = (const uint8_t *) &a, *y = (const uint8_t *) &from->addr;
        unsigned plen = from->prefixlen;

        if (inet_pton(from->family, address, &a) != 1)
                return false;
        if (memcmp(x, y, plen / 8) != 0)
                return false;
        return plen % 8 == 0 || ((x[plen / 8] ^ y[plen / 8]) & (uint8_t) (0xff << (8 - plen % 8))) == 0;
}

static int add_ban(struct fail2ban_facts *b, const char *jail, const char *address) {
        struct fail2ban_ban *nb = realloc(b->bans, sizeof(*nb) * (b->n_bans + 1));

        if (!nb)
                return -ENOMEM;
        b->bans = nb;
        nb[b->n_bans] = (struct fail2ban_ban) { .jail = strdup(jail), .address = strdup(address) };
        if (!nb[b->n_bans].jail || !nb[b->n_bans].address) {
                free(nb[b->n_bans].jail);
                free(nb[b->n_bans].address);
                return -ENOMEM;
        }
        b->n_bans++;
        return 0;
}

/* A tree (--root DIR): bans are the running fail2ban's state, and no fail2ban runs there.
 * fail2ban keeps them in an SQLite database and restores those not yet expired when it starts;
 * reading it would need SQLite, which sshrepair does not link: said, not checked. */
static int probe_offline(const struct options *o, struct facts *f) {
        static const char *const programs[] = { "/usr/bin/fail2ban-server", "/usr/bin/fail2ban-client",
                                                "/usr/sbin/fail2ban-server" };
        _cleanup_free_ char *db = options_path(o, "/var/lib/fail2ban/fail2ban.sqlite3");
        bool found = false;

        for (size_t i = 0; i < ELEMENTSOF(programs); i++) {
                _cleanup_free_ char *p = options_path(o, programs[i]);
                found = found || (p && access(p, X_OK) == 0);
        }
        if (!found)
                return 0;
        f->fw.f2b.installed = true;
        if (!db)
                return -ENOMEM;
        return strv_extendf(&f->fw.frontends, "fail2ban: in the tree; its bans are runtime state, not checked offline%s%s%s",
                            access(db, F_OK) == 0 ? " (those still valid in " : "", access(db, F_OK) == 0 ? db : "",
                            access(db, F_OK) == 0 ? " come back when it starts)" : "");
}

static int fail2ban_probe(const struct options *o, struct facts *f) {
        struct fail2ban_facts *b = &f->fw.f2b;
        _cleanup_free_ char *path = NULL, *status = NULL, *list = NULL, *error = NULL;
        size_t total = 0;
        int r;

        if (options_offline(o))
                return probe_offline(o, f);
        path = exec_find_program("fail2ban-client");

        b->sshguard_running = process_running("sshguard");
        if (b->sshguard_running && strv_extend(&f->fw.frontends, "sshguard: running") < 0)
                return -ENOMEM;
        b->installed = path != NULL;
        if (!b->installed || access(F2B_SOCKET, F_OK) < 0)
                return 0;
        r = client((char *[]) { (char *) "status", NULL }, &status, &error);
        if (r < 0) {
                if (r == -EIO && error && strstr(error, "connect"))
                        return 0; /* a stale socket: not running */
                return strv_extendf(&f->unreadable, "fail2ban-client status: %s", error ?: strerror(-r));
        }
        b->running = true;
        list = field(status, "Jail list:");
        for (char *save = NULL, *j = list ? strtok_r(list, ", \t", &save) : NULL; j; j = strtok_r(NULL, ", \t", &save)) {
                _cleanup_free_ char *js = NULL, *banned = NULL;

                r = strv_extend(&b->jails, j);
                if (r < 0)
                        return r;
                if (client((char *[]) { (char *) "status", j, NULL }, &js, NULL) < 0)
                        continue;
                banned = field(js, "Banned IP list:");
                for (char *s2 = NULL, *a = banned ? strtok_r(banned, " \t", &s2) : NULL; a; a = strtok_r(NULL, " \t", &s2)) {
                        total++;
                        /* only the client's bans matter; without --from we cannot know it */
                        if (!o->from.family || !address_in(a, &o->from))
                                continue;
                        r = add_ban(b, j, a);
                        if (r < 0)
                                return r;
                }
        }
        _cleanup_free_ char *jails = NULL;
        for (char **j = b->jails; j && *j; j++) {
                char *x = strprintf("%s%s%s", jails ? jails : "", jails ? ", " : "", *j);
                if (!x)
                        return -ENOMEM;
                free(jails);
                jails = x;
        }
        return strv_extendf(&f->fw.frontends, "fail2ban: running, jails: %s; %zu addresses banned%s", jails ? jails : "none",
                            total, o->from.family ? "" : " (give --from to check the client's)");
}

static int ban_state(const char *jail, const char *address, bool *ret) {
        _cleanup_free_ char *js = NULL, *banned = NULL;
        int r;

        r = client((char *[]) { (char *) "status", (char *) jail, NULL }, &js, NULL);
        if (r < 0)
                return r;
        banned = field(js, "Banned IP list:");
        *ret = false;
        for (char *save = NULL, *a = banned ? strtok_r(banned, " \t", &save) : NULL; a; a = strtok_r(NULL, " \t", &save))
                if (streq(a, address))
                        *ret = true;
        return 0;
}

/* "JAIL ADDRESS banned|free", one line per step. */
static int fail2ban_snapshot(const struct options *o, const struct plan *plan, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *out;
        int r = 0;

        if (!plan_uses_backend(plan, "fail2ban")) {
                *ret = NULL;
                return 0;
        }
        if (options_offline(o))
                return -EINVAL; /* never the host's fail2ban for a tree */
        out = open_memstream(&buf, &size);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < plan->n_steps && r >= 0; i++) {
                const struct step *s = &plan->steps[i];
                bool banned;

                if (!streq(s->backend, "fail2ban") || strv_length(s->args) < 2)
                        continue;
                r = ban_state(s->args[0], s->args[1], &banned);
                if (r >= 0)
                        fprintf(out, "%s %s %s\n", s->args[0], s->args[1], banned ? "banned" : "free");
        }
        if (fclose(out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        return 0;
}

static int set_ban(const char *jail, const char *address, bool ban, char **ret_error) {
        return client((char *[]) { (char *) "set", (char *) jail, (char *) (ban ? "banip" : "unbanip"), (char *) address,
                                   NULL },
                      NULL, ret_error);
}

static int fail2ban_restore(const struct options *o, const char *snapshot) {
        _cleanup_free_ char *copy = snapshot ? strdup(snapshot) : NULL;
        char *save = NULL;
        int ret = 0;

        if (!snapshot)
                return 0;
        if (!copy)
                return -ENOMEM;
        if (options_offline(o))
                return -EINVAL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char jail[128], address[64], state[16];
                bool now;
                int r;

                if (sscanf(line, "%127s %63s %15s", jail, address, state) != 3)
                        return -EBADMSG;
                r = ban_state(jail, address, &now);
                if (r >= 0 && now != streq(state, "banned"))
                        r = set_ban(jail, address, streq(state, "banned"), NULL);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}

static int fail2ban_apply(const struct options *o, const struct step *s, char ***ret_details) {
        _cleanup_free_ char *error = NULL;
        int r;

        if (!streq(s->operation, "unban"))
                return -EOPNOTSUPP;
        if (options_offline(o))
                return -EINVAL;
        if (strv_length(s->args) < 2)
                return -EINVAL;
        r = set_ban(s->args[0], s->args[1], false, &error);
        if (r < 0 && error && ret_details)
                (void) strv_extend(ret_details, error);
        return r;
}

const struct backend backend_fail2ban = {
        .name = "fail2ban",
        .probe = fail2ban_probe,
        .snapshot = fail2ban_snapshot,
        .restore = fail2ban_restore,
        .apply = fail2ban_apply,
};
