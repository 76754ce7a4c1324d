#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ipt-eval.h"
#include "util/strv.h"

#define MAX_DEPTH 64
#define MAX_NOTES 8

/* How a rule's conditions relate to the SYNs we ask about. */
enum match {
        MATCH_NO,      /* matches none of them */
        MATCH_YES,     /* matches all of them */
        MATCH_SOME,    /* matches some (a source range, a rate limit, one of several interfaces) */
        MATCH_UNKNOWN, /* we cannot tell */
};

static enum match match_and(enum match a, enum match b) {
        if (a == MATCH_NO || b == MATCH_NO)
                return MATCH_NO;
        if (a == MATCH_UNKNOWN || b == MATCH_UNKNOWN)
                return MATCH_UNKNOWN;
        if (a == MATCH_SOME || b == MATCH_SOME)
                return MATCH_SOME;
        return MATCH_YES;
}

static enum match match_not(enum match m, bool invert) {
        if (!invert)
                return m;
        return m == MATCH_YES ? MATCH_NO : m == MATCH_NO ? MATCH_YES : m;
}

enum fw_owner ipt_chain_owner(const char *name) {
        static const struct {
                const char *prefix;
                enum fw_owner owner;
        } table[] = {
                { "ufw-", FW_OWNER_UFW },       { "ufw6-", FW_OWNER_UFW },
                { "f2b-", FW_OWNER_FAIL2BAN },  { "fail2ban-", FW_OWNER_FAIL2BAN },
                { "sshguard", FW_OWNER_SSHGUARD },
                { "INPUT_direct", FW_OWNER_FIREWALLD }, { "INPUT_ZONES", FW_OWNER_FIREWALLD },
                { "IN_", FW_OWNER_FIREWALLD },
                { "DOCKER", FW_OWNER_DOCKER },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strncmp(name, table[i].prefix, strlen(table[i].prefix)) == 0)
                        return table[i].owner;
        return FW_OWNER_NONE;
}

struct rule_eval {
        const struct ipt_packet *pkt;
        enum match m;
        char *why;          /* for MATCH_UNKNOWN / MATCH_SOME: which part */
        bool port_seen;     /* some destination port condition */
        bool port_only;     /* all of them name requested ports only */
        const char *module; /* the current -m */
        bool module_known;
};

static void note(struct rule_eval *e, enum match m, const char *fmt, ...) _printf_(3, 4);
static void note(struct rule_eval *e, enum match m, const char *fmt, ...) {
        va_list ap;

        e->m = match_and(e->m, m);
        if ((m == MATCH_UNKNOWN || m == MATCH_SOME) && (!e->why || m == MATCH_UNKNOWN)) {
                free(e->why);
                va_start(ap, fmt);
                if (vasprintf(&e->why, fmt, ap) < 0)
                        e->why = NULL;
                va_end(ap);
        }
}

static bool port_requested(const struct ipt_packet *p, unsigned port) {
        for (size_t i = 0; i < p->n_ports; i++)
                if (p->ports[i] == port)
                        return true;
        return false;
}

/* A destination port list ("22,80,100:200"): whether it holds the port, and whether it
 * holds nothing but requested ports. */
static int dports(struct rule_eval *e, const char *list, bool invert, const char *opt) {
        _cleanup_free_ char *copy = strdup(list);
        bool hit = false, only = true;
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                unsigned lo, hi;

                if (ipt_parse_port_range(t, &lo, &hi) < 0) {
                        note(e, MATCH_UNKNOWN, "cannot read the port list '%s'", list);
                        return 0;
                }
                hit = hit || (e->pkt->port >= lo && e->pkt->port <= hi);
                if (hi - lo > 64)
                        only = false;
                else
                        for (unsigned p = lo; p <= hi; p++)
                                only = only && port_requested(e->pkt, p);
        }
        e->port_seen = true;
        e->port_only = e->port_only && only && !invert;
        e->m = match_and(e->m, match_not(hit ? MATCH_YES : MATCH_NO, invert));
        (void) opt;
        return 0;
}

static bool list_has(const char *list, const char *word) {
        size_t n = strlen(word);

        for (const char *p = list; p && *p;) {
                size_t k = strcspn(p, ",");
                if (k == n && strncasecmp(p, word, n) == 0)
                        return true;
                p += k + (p[k] == ',');
        }
        return false;
}

/* --tcp-flags MASK COMP for a SYN: (flags & mask) == comp, as sets of names. */
static enum match tcp_flags(const char *mask, const char *comp) {
        static const char *const names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR" };
        unsigned m = 0, c = 0;

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                if (list_has(mask, names[i]) || list_has(mask, "ALL"))
                        m |= 1u << i;
                if (list_has(comp, names[i]) || list_has(comp, "ALL"))
                        c |= 1u << i;
        }
        return ((2u & m) == c) ? MATCH_YES : MATCH_NO;
}

static int parse_cidr(const char *s, int family, struct cidr *ret) {
        char addr[INET6_ADDRSTRLEN + 1];
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t) (slash - s) : strlen(s);
        unsigned max = family == AF_INET ? 32 : 128;
        unsigned long plen = max;

        if (n >= sizeof addr)
                return -EINVAL;
        memcpy(addr, s, n);
        addr[n] = 0;
        *ret = (struct cidr) { .family = family };
        if (inet_pton(family, addr, &ret->addr) != 1)
                return -EINVAL;
        if (slash) {
                char *end;
                plen = strtoul(slash + 1, &end, 10);
                if (*end) {
                        /* a dotted mask, as some tools print: 255.255.255.0 */
                        struct in_addr m;
                        if (family != AF_INET || inet_pton(AF_INET, slash + 1, &m) != 1)
                                return -EINVAL;
                        plen = (unsigned long) __builtin_popcount(m.s_addr);
                }
        }
        if (plen > max)
                return -EINVAL;
        ret->prefixlen = (unsigned) plen;
        return 0;
}

static bool prefix_equal(const struct cidr *a, const struct cidr *b, unsigned plen) {
        const uint8_t *x = (const uint8_t *) &a->addr, *y = (const uint8_t *) &b->addr;
        unsigned bytes = plen / 8, bits = plen % 8;

        if (memcmp(x, y, bytes) != 0)
                return false;
        if (bits == 0)
                return true;
        return ((x[bytes] ^ y[bytes]) & (uint8_t) (0xff << (8 - bits))) == 0;
}

/* The client's network against the rule's: inside, outside or overlapping. */
static enum match source_match(const struct ipt_packet *p, const char *s) {
        struct cidr rule;

        if (parse_cidr(s, p->family, &rule) < 0)
                return MATCH_UNKNOWN;
        if (rule.prefixlen == 0)
                return MATCH_YES;
        if (!p->from || p->from->family != p->family)
                return MATCH_SOME;
        if (p->from->prefixlen >= rule.prefixlen)
                return prefix_equal(p->from, &rule, rule.prefixlen) ? MATCH_YES : MATCH_NO;
        return prefix_equal(p->from, &rule, p->from->prefixlen) ? MATCH_SOME : MATCH_NO;
}

static bool iface_matches(const char *pattern, const char *name) {
        size_t n = strlen(pattern);

        if (n > 0 && pattern[n - 1] == '+')
                return strncmp(pattern, name, n - 1) == 0;
        return streq(pattern, name);
}

static enum match iface_match(const struct ipt_packet *p, const char *pattern) {
        size_t hits = 0, n = 0;

        if (streq(pattern, "+"))
                return MATCH_YES;
        if (iface_matches(pattern, "lo") && !strchr(pattern, '+'))
                return MATCH_NO;
        if (!p->ifaces)
                return MATCH_SOME;
        for (char *const *i = p->ifaces; *i; i++, n++)
                hits += iface_matches(pattern, *i);
        return hits == 0 ? MATCH_NO : hits == n ? MATCH_YES : MATCH_SOME;
}

static enum match proto_match(const struct ipt_packet *p, const char *proto) {
        if (streq(proto, "tcp"))
                return MATCH_YES;
        if (strcasecmp(proto, "tcp") == 0 || streq(proto, "6") || strcasecmp(proto, "all") == 0 || streq(proto, "0"))
                return MATCH_YES;
        return MATCH_NO;
}

/* Matches whose conditions depend on things we do not know (rates, marks, time): some
 * SYNs match. */
static const char *const some_modules[] = {
        "limit", "hashlimit", "connlimit", "mark", "connmark", "mac", "ttl", "hl", "length", "iprange",
        "tos", "dscp", "ecn", "time", "statistic", "quota", "nfacct", "cpu", "devgroup", "tcpmss", "helper",
        "connbytes", "cgroup", "realm", "set", NULL,
};
/* Matches for headers a plain TCP SYN does not carry: none match. */
static const char *const none_modules[] = { "rt", "frag", "hbh", "dst", "ipv6header", "ah", "esp", "mh", "icmp",
                                            "icmp6", "icmpv6", "udp", "udplite", "sctp", "dccp", "gre", NULL };
static const char *const known_modules[] = { "tcp", "multiport", "conntrack", "state", "comment", "addrtype",
                                             "recent", "pkttype", "physdev", NULL };

static bool in_list(const char *const *l, const char *s) {
        for (; *l; l++)
                if (streq(*l, s))
                        return true;
        return false;
}

static int eval_option(struct rule_eval *e, const char *opt, char **args, size_t n, bool inv) {
        const struct ipt_packet *p = e->pkt;
        const char *a = n > 0 ? args[0] : NULL;
        const char *mod = e->module;

        /* generic options */
        if (streq(opt, "-p") || streq(opt, "--protocol")) {
                if (!a)
                        goto bad;
                e->m = match_and(e->m, match_not(proto_match(p, a), inv));
                /* "-p tcp --dport 22": iptables loads the protocol's match by itself (a
                 * rules file written by hand has no "-m tcp") */
                if (!e->module && !inv && (strcasecmp(a, "tcp") == 0 || strcasecmp(a, "udp") == 0)) {
                        e->module = strcasecmp(a, "tcp") == 0 ? "tcp" : "udp";
                        e->module_known = true;
                }
                return 0;
        }
        if (streq(opt, "-s") || streq(opt, "--source") || streq(opt, "--src")) {
                enum match m;
                if (!a)
                        goto bad;
                m = match_not(source_match(p, a), inv);
                if (m == MATCH_UNKNOWN || m == MATCH_SOME)
                        note(e, m, "%ssource %s", inv ? "not " : "", a);
                else
                        e->m = match_and(e->m, m);
                return 0;
        }
        if (streq(opt, "-d") || streq(opt, "--destination") || streq(opt, "--dst")) {
                struct cidr c;
                if (!a || parse_cidr(a, p->family, &c) < 0)
                        goto bad;
                if (c.prefixlen == 0)
                        e->m = match_and(e->m, match_not(MATCH_YES, inv));
                else
                        note(e, MATCH_SOME, "%sdestination %s", inv ? "not " : "", a);
                return 0;
        }
        if (streq(opt, "-i") || streq(opt, "--in-interface")) {
                enum match m;
                if (!a)
                        goto bad;
                m = match_not(iface_match(p, a), inv);
                if (m == MATCH_SOME)
                        note(e, m, "%sinterface %s", inv ? "not " : "", a);
                else
                        e->m = match_and(e->m, m);
                return 0;
        }
        if (streq(opt, "-o") || streq(opt, "--out-interface") || streq(opt, "-c") || streq(opt, "--set-counters"))
                return 0;
        if (streq(opt, "-f") || streq(opt, "--fragment")) {
                e->m = match_and(e->m, match_not(MATCH_NO, inv));
                return 0;
        }
        if (!mod)
                goto unknown;
        if (!e->module_known)
                return 0; /* already unknown */
        if (in_list(some_modules, mod)) {
                if (streq(mod, "set") && !streq(opt, "--match-set"))
                        return 0;
                if (streq(mod, "limit") && !streq(opt, "--limit"))
                        return 0;
                note(e, MATCH_SOME, "-m %s %s", mod, opt);
                return 0;
        }
        if (in_list(none_modules, mod)) {
                e->m = match_and(e->m, match_not(MATCH_NO, inv));
                return 0;
        }
        if (streq(mod, "comment") || streq(mod, "physdev"))
                return 0;
        if (streq(mod, "tcp") || streq(mod, "multiport")) {
                if (streq(opt, "--dport") || streq(opt, "--destination-port") || streq(opt, "--dports") ||
                    streq(opt, "--destination-ports")) {
                        if (!a)
                                goto bad;
                        return dports(e, a, inv, opt);
                }
                if (streq(opt, "--sport") || streq(opt, "--source-port") || streq(opt, "--sports") ||
                    streq(opt, "--source-ports") || streq(opt, "--ports") || streq(opt, "--tcp-option")) {
                        unsigned lo, hi;
                        if (a && ipt_parse_port_range(a, &lo, &hi) == 0 && lo == 0 && hi == 65535)
                                return 0;
                        note(e, MATCH_SOME, "%s %s", opt, strna(a));
                        e->port_only = e->port_only && !streq(opt, "--ports");
                        return 0;
                }
                if (streq(opt, "--syn")) {
                        e->m = match_and(e->m, match_not(MATCH_YES, inv));
                        return 0;
                }
                if (streq(opt, "--tcp-flags")) {
                        if (n < 2)
                                goto bad;
                        e->m = match_and(e->m, match_not(tcp_flags(args[0], args[1]), inv));
                        return 0;
                }
                goto unknown;
        }
        if (streq(mod, "conntrack") || streq(mod, "state")) {
                if (streq(opt, "--ctstate") || streq(opt, "--state")) {
                        if (!a)
                                goto bad;
                        e->m = match_and(e->m, match_not(list_has(a, "NEW") ? MATCH_YES : MATCH_NO, inv));
                        return 0;
                }
                if (streq(opt, "--ctproto")) {
                        if (!a)
                                goto bad;
                        e->m = match_and(e->m, match_not(proto_match(p, a), inv));
                        return 0;
                }
                if (streq(opt, "--ctdir")) {
                        e->m = match_and(e->m, match_not(a && strcasecmp(a, "ORIGINAL") == 0 ? MATCH_YES : MATCH_NO, inv));
                        return 0;
                }
                goto unknown;
        }
        if (streq(mod, "addrtype")) {
                if (streq(opt, "--dst-type")) {
                        bool yes = a && (list_has(a, "LOCAL") || list_has(a, "UNICAST"));
                        e->m = match_and(e->m, match_not(yes ? MATCH_YES : MATCH_NO, inv));
                        return 0;
                }
                if (streq(opt, "--src-type")) {
                        bool yes = a && list_has(a, "UNICAST");
                        e->m = match_and(e->m, match_not(yes ? MATCH_YES : MATCH_NO, inv));
                        return 0;
                }
                return 0;
        }
        if (streq(mod, "recent")) {
                if (streq(opt, "--rcheck") || streq(opt, "--update") || streq(opt, "--remove"))
                        note(e, MATCH_SOME, "-m recent %s", opt);
                return 0;
        }
        if (streq(mod, "pkttype")) {
                bool yes = a && (strcasecmp(a, "unicast") == 0 || strcasecmp(a, "host") == 0);
                e->m = match_and(e->m, match_not(yes ? MATCH_YES : MATCH_NO, inv));
                return 0;
        }
unknown:
        note(e, MATCH_UNKNOWN, "the option '%s'%s%s is not understood", opt, mod ? " of -m " : "", mod ? mod : "");
        return 0;
bad:
        note(e, MATCH_UNKNOWN, "'%s' has no valid argument", opt);
        return 0;
}

enum target_kind {
        TARGET_NONE,
        TARGET_CONTINUE, /* LOG and other non-terminating targets */
        TARGET_ACCEPT,
        TARGET_DROP,
        TARGET_REJECT,
        TARGET_RETURN,
        TARGET_JUMP,
        TARGET_GOTO,
        TARGET_UNKNOWN,
};

static enum target_kind target_kind(const struct ipt_rule *r, size_t i) {
        static const char *const cont[] = { "LOG", "NFLOG", "ULOG", "MARK", "CONNMARK", "NOTRACK", "CT", "TRACE",
                                            "AUDIT", "CLASSIFY", "DSCP", "TOS", "TCPMSS", "SET", "CONNSECMARK",
                                            "SECMARK", "TTL", "HL", "IDLETIMER", "LED", "RATEEST", "CHECKSUM", NULL };
        const char *t = r->tok[i + 1];
        bool go = streq(r->tok[i], "-g") || streq(r->tok[i], "--goto");

        if (r->target >= 0)
                return go ? TARGET_GOTO : TARGET_JUMP;
        if (streq(t, "ACCEPT"))
                return TARGET_ACCEPT;
        if (streq(t, "DROP"))
                return TARGET_DROP;
        if (streq(t, "REJECT"))
                return TARGET_REJECT;
        if (streq(t, "RETURN"))
                return TARGET_RETURN;
        if (in_list(cont, t))
                return TARGET_CONTINUE;
        return TARGET_UNKNOWN;
}

/* The cheap conditions first: most rules of a big ruleset are for other protocols or
 * ports, and the parser's note of the rule's -p and --dport shows that without the full
 * walk (which formats notes). */
static bool quick_no(const struct ipt_packet *p, const struct ipt_rule *r) {
        if (r->proto_tok && match_not(proto_match(p, r->tok[r->proto_tok]), r->proto_inv) == MATCH_NO)
                return true;
        return r->has_dport && (p->port >= r->dport_lo && p->port <= r->dport_hi) == r->dport_inv;
}

/* Evaluates a rule's conditions; *ret_target is the index of "-j"/"-g" or n_tok. */
static int eval_rule(const struct ipt_packet *p, const struct ipt_rule *r, struct rule_eval *e, size_t *ret_target) {
        bool inv = false;
        size_t i = 0;
        int k;

        *e = (struct rule_eval) { .pkt = p, .m = MATCH_YES, .port_only = true };
        if (quick_no(p, r)) {
                e->m = MATCH_NO;
                *ret_target = r->n_tok;
                return 0;
        }
        while (i < r->n_tok) {
                const char *t = r->tok[i];
                size_t j;

                if (ipt_tok_quoted(r, i)) {
                        note(e, MATCH_UNKNOWN, "unexpected argument '%s'", t);
                        i++;
                        continue;
                }
                if (streq(t, "!")) {
                        inv = true;
                        i++;
                        continue;
                }
                if ((streq(t, "-j") || streq(t, "--jump") || streq(t, "-g") || streq(t, "--goto")) && i + 1 < r->n_tok)
                        break;
                if (streq(t, "-m") || streq(t, "--match")) {
                        if (i + 1 >= r->n_tok) {
                                note(e, MATCH_UNKNOWN, "'-m' without a name");
                                break;
                        }
                        e->module = r->tok[i + 1];
                        e->module_known = in_list(known_modules, e->module) || in_list(some_modules, e->module) ||
                                          in_list(none_modules, e->module);
                        if (!e->module_known)
                                note(e, MATCH_UNKNOWN, "the match '-m %s' is not understood", e->module);
                        i += 2;
                        continue;
                }
                for (j = i + 1; j < r->n_tok; j++)
                        if (!ipt_tok_quoted(r, j) && (r->tok[j][0] == '-' || streq(r->tok[j], "!")) &&
                            !(r->tok[j][0] == '-' && r->tok[j][1] >= '0' && r->tok[j][1] <= '9'))
                                break;
                k = eval_option(e, t, &r->tok[i + 1], j - i - 1, inv);
                if (k < 0)
                        return k;
                if (e->m == MATCH_NO) {
                        *ret_target = r->n_tok; /* the target does not matter */
                        return 0;
                }
                inv = false;
                i = j;
        }
        *ret_target = i;
        return 0;
}

struct frame {
        int chain;
        size_t next;   /* index of the next rule to look at */
        bool some;     /* only some of the SYNs get here */
};

static int decide(struct ipt_verdict *v, enum fw_verdict verdict, const struct ipt_ruleset *rs,
                  const struct frame *stack, size_t depth, const struct ipt_rule *r, const struct rule_eval *e) {
        const struct frame *top = &stack[depth - 1];
        const struct ipt_chain *c = &rs->chains[top->chain];

        v->verdict = verdict;
        v->chain = strdup(c->name);
        v->index = (unsigned) top->next;
        v->entry = (unsigned) stack[0].next;
        v->line = r->line;
        v->entry_line = rs->chains[stack[0].chain].rules[stack[0].next - 1].line;
        v->rule = strdup(r->text);
        if (!v->chain || !v->rule)
                return -ENOMEM;
        for (size_t i = 0; i < r->n_tok; i++)
                if (strv_extend(&v->spec, r->tok[i]) < 0)
                        return -ENOMEM;
        v->only_port = e->port_seen && e->port_only;
        for (size_t i = 0; i < depth; i++) {
                enum fw_owner o = ipt_chain_owner(rs->chains[stack[i].chain].name);
                if (o != FW_OWNER_NONE) {
                        v->owner = o;
                        break;
                }
        }
        return 0;
}

/* Where the walk through the chains is: it stops at a decision and can go on from there
 * as if the deciding rule were deleted (skip: the rules deleted so far, wherever the walk
 * meets them again). */
struct walk {
        struct frame stack[MAX_DEPTH];
        size_t depth;
        const struct ipt_rule *skip[8];
        size_t n_skip;
        const struct ipt_rule *noted[MAX_NOTES]; /* the rule of each note of the verdict */
};

static int add_note(struct ipt_verdict *v, struct walk *w, const struct ipt_rule *r, const char *what, const char *why) {
        size_t n = strv_length(v->notes);

        if (n >= MAX_NOTES)
                return 0;
        w->noted[n] = r;
        return strv_extendf(&v->notes, "%s (%s): %s", r->text, what, why ? why : "only some of the SYNs reach it");
}

/* The notes of the walk so far for the verdict after 'deleted' is gone: not its own. */
static int notes_without(const struct ipt_verdict *v, struct walk *w, const struct ipt_rule *deleted, char ***ret) {
        size_t k = 0;

        for (size_t i = 0; v->notes && v->notes[i]; i++) {
                if (w->noted[i] == deleted)
                        continue;
                if (strv_extend(ret, v->notes[i]) < 0)
                        return -ENOMEM;
                w->noted[k++] = w->noted[i];
        }
        return 0;
}

static bool skipped(const struct walk *w, const struct ipt_rule *r) {
        for (size_t i = 0; i < w->n_skip; i++)
                if (w->skip[i] == r)
                        return true;
        return false;
}

/* Walks on from w's place; v comes with the notes of the walk so far. */
static int evaluate(const struct ipt_ruleset *rs, const struct ipt_packet *pkt, struct walk *w, int input,
                    struct ipt_verdict *ret, const struct ipt_rule **ret_rule) {
        struct ipt_verdict v = *ret;
        struct frame *stack = w->stack;
        size_t depth = w->depth;
        int r = 0;

        while (depth > 0) {
                struct frame *f = &stack[depth - 1];
                const struct ipt_chain *c = &rs->chains[f->chain];
                const struct ipt_rule *rule;
                struct rule_eval e;
                size_t ti;
                enum target_kind tk;

                if (f->next >= c->n_rules) {
                        depth--; /* fell off: return */
                        continue;
                }
                rule = &c->rules[f->next++];
                if (w->n_skip && skipped(w, rule))
                        continue;
                r = eval_rule(pkt, rule, &e, &ti);
                if (r < 0)
                        goto out;
                tk = ti + 1 < rule->n_tok ? target_kind(rule, ti) : TARGET_NONE;
                if (e.m == MATCH_NO || tk == TARGET_NONE || tk == TARGET_CONTINUE) {
                        free(e.why);
                        continue;
                }
                if (e.m == MATCH_UNKNOWN || tk == TARGET_UNKNOWN) {
                        r = decide(&v, FW_VERDICT_UNKNOWN, rs, stack, depth, rule, &e);
                        if (r >= 0)
                                v.unknown = e.m == MATCH_UNKNOWN ? TAKE_PTR(e.why)
                                                                 : strprintf("the target '%s' is not understood",
                                                                             rule->tok[ti + 1]);
                        free(e.why);
                        if (r >= 0 && !v.unknown)
                                r = -ENOMEM;
                        goto out;
                }
                bool some = e.m == MATCH_SOME || f->some;
                switch (tk) {
                case TARGET_ACCEPT:
                case TARGET_DROP:
                case TARGET_REJECT:
                        if (some) {
                                r = add_note(&v, w, rule, tk == TARGET_ACCEPT ? "accepts some" : "blocks some", e.why);
                                break;
                        }
                        r = decide(&v, tk == TARGET_ACCEPT ? FW_VERDICT_ACCEPTED
                                       : tk == TARGET_DROP ? FW_VERDICT_DROPPED
                                                           : FW_VERDICT_REJECTED,
                                   rs, stack, depth, rule, &e);
                        *ret_rule = rule;
                        free(e.why);
                        goto out;
                case TARGET_RETURN:
                        if (e.m == MATCH_SOME)
                                break; /* the others go on; those that return skip rules we still look at */
                        depth--;
                        break;
                case TARGET_JUMP:
                case TARGET_GOTO:
                        if (depth == MAX_DEPTH) {
                                r = decide(&v, FW_VERDICT_UNKNOWN, rs, stack, depth, rule, &e);
                                v.unknown = strdup("chains nest too deep");
                                free(e.why);
                                goto out;
                        }
                        if (tk == TARGET_GOTO && !some && depth > 1)
                                stack[depth - 1] = (struct frame) { .chain = rule->target, .some = f->some };
                        else
                                stack[depth++] = (struct frame) { .chain = rule->target, .some = some };
                        break;
                default:
                        break;
                }
                free(e.why);
                if (r < 0)
                        goto out;
        }

        /* INPUT's policy */
        {
                const struct ipt_chain *c = &rs->chains[input];
                const char *pol = strna(c->policy);

                v.by_policy = true;
                v.verdict = streq(pol, "DROP") ? FW_VERDICT_DROPPED : FW_VERDICT_ACCEPTED;
                v.chain = strdup("INPUT");
                v.rule = strprintf("-P INPUT %s", pol);
                if (!v.chain || !v.rule)
                        r = -ENOMEM;
        }
out:
        w->depth = depth;
        if (r < 0) {
                ipt_verdict_done(&v);
                *ret = (struct ipt_verdict) {};
                return r;
        }
        *ret = v;
        return 0;
}

int ipt_evaluate(const struct ipt_ruleset *rs, const struct ipt_packet *pkt, struct ipt_verdict *ret) {
        struct ipt_verdict v = { .family = pkt->family, .port = pkt->port }, *last;
        const struct ipt_rule *rule = NULL;
        struct walk w = {};
        int input, r;

        input = ipt_ruleset_find_chain(rs, "INPUT");
        if (input < 0) {
                v.verdict = FW_VERDICT_ACCEPTED;
                *ret = v;
                return 0;
        }
        v.input_rules = rs->chains[input].n_rules;
        w.stack[w.depth++] = (struct frame) { .chain = input };
        r = evaluate(rs, pkt, &w, input, &v, &rule);
        if (r < 0)
                return r;
        /* A block for the SSH port alone gets deleted: what decides once it is gone? The walk
         * goes on from that rule, with the notes it made before it. */
        last = &v;
        while ((last->verdict == FW_VERDICT_DROPPED || last->verdict == FW_VERDICT_REJECTED) && last->only_port &&
               !last->by_policy && last->owner == FW_OWNER_NONE && w.n_skip < ELEMENTSOF(w.skip) - 1) {
                struct ipt_verdict *a = calloc(1, sizeof(*a));

                if (!a) {
                        ipt_verdict_done(&v);
                        return -ENOMEM;
                }
                *a = (struct ipt_verdict) { .family = pkt->family, .port = pkt->port, .input_rules = v.input_rules };
                if (notes_without(last, &w, rule, &a->notes) < 0) {
                        ipt_verdict_done(a);
                        free(a);
                        ipt_verdict_done(&v);
                        return -ENOMEM;
                }
                w.skip[w.n_skip++] = rule;
                r = evaluate(rs, pkt, &w, input, a, &rule);
                if (r < 0) {
                        free(a);
                        ipt_verdict_done(&v);
                        return r;
                }
                last->after = a;
                last = a;
        }
        *ret = v;
        return 0;
}
