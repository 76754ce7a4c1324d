#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ufw-rules.h"
#include "util/strv.h"

static int add_rule(struct ufw_facts *u, char **f, size_t n, int family, const char *line, const char *raw) {
        struct ufw_rule r = { .family = family }, *nr;
        bool apps = n >= 8;

        r.action = strndup(f[0], strcspn(f[0], "_")); /* "deny_log" -> "deny" */
        r.proto = strdup(f[1]);
        r.dport = strdup(f[2]);
        r.dst = strdup(f[3]);
        r.sport = strdup(f[4]);
        r.src = strdup(f[5]);
        r.dapp = apps && !streq(f[6], "-") ? strdup(f[6]) : NULL;
        r.sapp = apps && !streq(f[7], "-") ? strdup(f[7]) : NULL;
        r.direction = strdup(n == 7 || n == 9 ? f[n - 1] : "in");
        r.text = strdup(line);
        r.line = strdup(raw);
        nr = realloc(u->rules, sizeof(*nr) * (u->n_rules + 1));
        if (!r.action || !r.proto || !r.dport || !r.dst || !r.sport || !r.src || !r.direction || !r.text || !r.line || !nr ||
            (apps && !streq(f[6], "-") && !r.dapp) || (apps && !streq(f[7], "-") && !r.sapp)) {
                free(r.action), free(r.proto), free(r.dport), free(r.dst), free(r.sport), free(r.src);
                free(r.dapp), free(r.sapp), free(r.direction), free(r.text), free(r.line);
                if (nr)
                        u->rules = nr;
                return -ENOMEM;
        }
        u->rules = nr;
        r.number = (unsigned) u->n_rules + 1;
        u->rules[u->n_rules++] = r;
        if (family == AF_INET)
                u->n_rules4++;
        return 0;
}

int ufw_parse_rules(struct ufw_facts *u, const char *text, int family) {
        static const char marker[] = "### tuple ###";

        for (const char *p = text; p && *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                _cleanup_free_ char *line = NULL, *raw = NULL;
                char *f[10], *save = NULL, *c;
                size_t n = 0;
                int r;

                if (strncmp(p, marker, sizeof marker - 1) != 0) {
                        p = nl ? nl + 1 : NULL;
                        continue;
                }
                line = strndup(p + sizeof marker - 1, len - (sizeof marker - 1));
                raw = strndup(p, len);
                p = nl ? nl + 1 : NULL;
                if (!line || !raw)
                        return -ENOMEM;
                c = strstr(line, " comment=");
                if (c)
                        *c = 0;
                for (char *t = strtok_r(line, " \t", &save); t && n < ELEMENTSOF(f); t = strtok_r(NULL, " \t", &save))
                        f[n++] = t;
                if (n < 6 || n > 9)
                        continue; /* ufw skips these too */
                /* keep the tuple as ufw wrote it, for evidence */
                _cleanup_free_ char *joined = NULL;
                for (size_t i = 0; i < n; i++) {
                        char *j = strprintf("%s%s%s", joined ? joined : "", i ? " " : "", f[i]);
                        if (!j)
                                return -ENOMEM;
                        free(joined);
                        joined = j;
                }
                r = add_rule(u, f, n, family, joined, raw);
                if (r < 0)
                        return r;
        }
        return 0;
}

char *ufw_conf_get(const char *text, const char *key) {
        size_t k = strlen(key);

        for (const char *p = text; p && *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);

                while (len > 0 && (*p == ' ' || *p == '\t'))
                        p++, len--;
                if (len > k && strncmp(p, key, k) == 0 && p[k] == '=') {
                        const char *v = p + k + 1;
                        size_t vl = len - k - 1;

                        while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\r'))
                                vl--;
                        if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0])
                                v++, vl -= 2;
                        return strndup(v, vl);
                }
                p = nl ? nl + 1 : NULL;
        }
        return NULL;
}

static bool port_in(const char *list, unsigned port, bool *ret_only, const struct options *o) {
        bool hit = false, only = true;
        _cleanup_free_ char *copy = strdup(list);
        char *save = NULL;

        if (!copy)
                return false;
        if (streq(list, "any")) {
                *ret_only = false;
                return true;
        }
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                unsigned long lo, hi;
                char *end;

                lo = strtoul(t, &end, 10);
                hi = *end == ':' ? strtoul(end + 1, &end, 10) : lo;
                if (*end || hi < lo) {
                        only = false;
                        continue;
                }
                hit = hit || (port >= lo && port <= hi);
                for (unsigned long p = lo; p <= hi && only; p++) {
                        bool requested = false;
                        for (size_t i = 0; i < o->n_ports; i++)
                                requested = requested || o->ports[i] == p;
                        only = requested && hi - lo < 64;
                }
        }
        *ret_only = only;
        return hit;
}

/* The client's address (or anywhere) against the rule's source: YES 1, NO 0, SOME 2. */
static int source_match(const char *src, int family, const struct options *o) {
        char addr[INET6_ADDRSTRLEN + 1];
        const char *slash = strchr(src, '/');
        size_t n = slash ? (size_t) (slash - src) : strlen(src);
        unsigned plen = family == AF_INET ? 32 : 128;
        union {
                struct in_addr in;
                struct in6_addr in6;
        } a;
        const uint8_t *x = (const uint8_t *) &a, *y = (const uint8_t *) &o->from.addr;
        unsigned cmp;

        if (streq(src, "any") || streq(src, "0.0.0.0/0") || streq(src, "::/0"))
                return 1;
        if (n >= sizeof addr)
                return 2;
        memcpy(addr, src, n);
        addr[n] = 0;
        if (inet_pton(family, addr, &a) != 1)
                return 2;
        if (slash)
                plen = (unsigned) strtoul(slash + 1, NULL, 10);
        if (!o->from.family || o->from.family != family)
                return 2;
        cmp = plen < o->from.prefixlen ? plen : o->from.prefixlen;
        if (memcmp(x, y, cmp / 8) != 0 ||
            (cmp % 8 && ((x[cmp / 8] ^ y[cmp / 8]) & (uint8_t) (0xff << (8 - cmp % 8)))))
                return 0;
        return plen <= o->from.prefixlen ? 1 : 2;
}

static int evaluate_one(struct ufw_facts *u, const struct options *o, int family, uint16_t port) {
        struct ufw_verdict v = { .family = family, .port = port }, *nv;

        for (size_t i = 0; i < u->n_rules; i++) {
                const struct ufw_rule *r = &u->rules[i];
                bool only = false;
                int s;

                if (r->family != family || strncmp(r->direction, "in", 2) != 0 || strchr(r->action, ':'))
                        continue;
                if (!streq(r->proto, "tcp") && !streq(r->proto, "any"))
                        continue;
                if (!port_in(r->dport, port, &only, o))
                        continue;
                s = source_match(r->src, family, o);
                if (s == 0)
                        continue;
                if (s == 2 || !streq(r->direction, "in") ||
                    !(streq(r->dst, "any") || streq(r->dst, "0.0.0.0/0") || streq(r->dst, "::/0"))) {
                        /* some clients, some addresses or one interface only */
                        if (strv_length(v.notes) < 8 &&
                            strv_extendf(&v.notes, "[%u] %s (matches some of these SYNs only)", r->number, r->text) < 0)
                                goto oom;
                        continue;
                }
                enum fw_verdict d = streq(r->action, "allow") || streq(r->action, "limit") ? FW_VERDICT_ACCEPTED
                                  : streq(r->action, "reject") ? FW_VERDICT_REJECTED : FW_VERDICT_DROPPED;
                if (v.n_deletable == 0)
                        v.now = d;
                /* a block for this port alone: deleting it lets the rules below decide */
                if (d != FW_VERDICT_ACCEPTED && only && !r->dapp && streq(r->sport, "any") &&
                    v.n_deletable < ELEMENTSOF(v.deletable)) {
                        v.deletable[v.n_deletable++] = r->number;
                        continue;
                }
                v.rule = r->number;
                v.verdict = d;
                goto done;
        }
        v.by_policy = true;
        v.verdict = streq_ptr(u->input_policy, "ACCEPT") ? FW_VERDICT_ACCEPTED
                  : streq_ptr(u->input_policy, "REJECT") ? FW_VERDICT_REJECTED : FW_VERDICT_DROPPED;
        if (v.n_deletable == 0)
                v.now = v.verdict;
done:
        nv = realloc(u->verdicts, sizeof(*nv) * (u->n_verdicts + 1));
        if (!nv)
                goto oom;
        u->verdicts = nv;
        u->verdicts[u->n_verdicts++] = v;
        return 0;
oom:
        strv_free(v.notes);
        return -ENOMEM;
}

int ufw_evaluate(struct ufw_facts *u, const struct options *o) {
        for (int fam = 0; fam < 2; fam++) {
                int family = fam ? AF_INET6 : AF_INET;

                if (family == AF_INET6 && !u->ipv6)
                        continue;
                if (o->from.family && o->from.family != family)
                        continue;
                for (size_t i = 0; i < o->n_ports; i++) {
                        int r = evaluate_one(u, o, family, o->ports[i]);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}
