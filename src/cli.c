#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "util/strv.h"

#define MAX_CONFIRM_SEC (24U * 3600U)

enum {
        ARG_DRY_RUN = 0x100,
        ARG_JSON,
        ARG_FROM,
        ARG_ROOT,
        ARG_CONFIRM,
        ARG_ALLOW_INSECURE,
        ARG_VERSION,
        ARG_IF_UNCONFIRMED,
};

static const struct option long_options[] = {
        { "dry-run", no_argument, NULL, ARG_DRY_RUN },
        { "yes", no_argument, NULL, 'y' },
        { "port", required_argument, NULL, 'p' },
        { "user", required_argument, NULL, 'u' },
        { "from", required_argument, NULL, ARG_FROM },
        { "json", no_argument, NULL, ARG_JSON },
        { "root", required_argument, NULL, ARG_ROOT },
        { "confirm", required_argument, NULL, ARG_CONFIRM },
        { "allow-insecure", no_argument, NULL, ARG_ALLOW_INSECURE },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, ARG_VERSION },
        { "if-unconfirmed", no_argument, NULL, ARG_IF_UNCONFIRMED },
        {}
};

void cli_help(FILE *out) {
        fputs("Usage: sshrepair [OPTIONS]\n"
              "       sshrepair status | confirm [ID] | rollback [ID] | recover\n"
              "\n"
              "Finds out why SSH is refused on this host, shows a repair plan, applies it after a\n"
              "snapshot, checks that the SSH port answers, and rolls back if it does not.\n"
              "\n"
              "  --dry-run            show findings and plan; change nothing\n"
              "  -y, --yes            apply without asking\n"
              "  -p, --port N         the port clients use (repeatable; default 22)\n"
              "  -u, --user NAME      the account that must be able to log in\n"
              "      --from CIDR      the address clients come from; open the port only for it\n"
              "      --json           print one JSON document instead of text\n"
              "      --root DIR       act on a system mounted at DIR (offline rescue)\n"
              "      --confirm SECS   roll back after SECS unless 'sshrepair confirm' is run\n"
              "      --allow-insecure allow changes that weaken security (root or password login)\n"
              "  -v, --verbose        say more\n"
              "  -h, --help           show this help\n"
              "      --version        show the version\n"
              "\n"
              "Commands:\n"
              "  status               list recorded transactions and their state\n"
              "  confirm [ID]         keep a change made with --confirm (default: the latest waiting)\n"
              "  rollback [ID]        restore the snapshot of a transaction (default: the latest\n"
              "                       unfinished, else the latest); --if-unconfirmed: only if it still\n"
              "                       waits for confirmation (what the scheduled rollback runs)\n"
              "  recover              roll back every transaction that never finished (run at boot)\n"
              "\n"
              "Exit: 0 SSH answers; 1 faults left as they are; 2 usage or bad input;\n"
              "      3 repair failed and was rolled back; 4 rollback incomplete; 5 cannot act here.\n",
              out);
}

static int parse_uint(const char *s, unsigned long max, unsigned long *ret) {
        unsigned long v;
        char *end;

        if (!s || !*s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || *end || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

int cidr_parse(const char *s, struct cidr *ret) {
        char addr[INET6_ADDRSTRLEN + 1];
        const char *slash = strchr(s, '/');
        size_t len = slash ? (size_t) (slash - s) : strlen(s);
        struct cidr c = {};
        unsigned long prefix;
        unsigned maxbits;
        uint8_t *bytes;

        if (len == 0 || len >= sizeof addr)
                return -EINVAL;
        memcpy(addr, s, len);
        addr[len] = 0;
        if (inet_pton(AF_INET, addr, &c.addr.in) == 1) {
                c.family = AF_INET;
                maxbits = 32;
                bytes = (uint8_t *) &c.addr.in;
        } else if (inet_pton(AF_INET6, addr, &c.addr.in6) == 1) {
                c.family = AF_INET6;
                maxbits = 128;
                bytes = c.addr.in6.s6_addr;
        } else
                return -EINVAL;

        if (slash) {
                if (parse_uint(slash + 1, maxbits, &prefix) < 0)
                        return -EINVAL;
        } else
                prefix = maxbits;
        c.prefixlen = (unsigned) prefix;

        /* A host part is almost always a typo for another network: refuse to guess. */
        for (unsigned bit = c.prefixlen; bit < maxbits; bit++)
                if (bytes[bit / 8] & (0x80 >> (bit % 8)))
                        return -EDOM;
        *ret = c;
        return 0;
}

const char *cidr_to_string(const struct cidr *c, char *buf, size_t size) {
        char a[INET6_ADDRSTRLEN] = "";

        inet_ntop(c->family, &c->addr, a, sizeof a);
        snprintf(buf, size, "%s/%u", a, c->prefixlen);
        return buf;
}

static bool user_name_valid(const char *s) {
        size_t n = strlen(s);

        /* POSIX portable names, as useradd accepts them; no leading '-'. */
        if (n == 0 || n > 32 || s[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", s[i]) &&
                    !(s[i] == '$' && i == n - 1))
                        return false;
        return true;
}

#define fail(...)                                       \
        do {                                            \
                *ret_error = strprintf(__VA_ARGS__);    \
                r = -EINVAL;                            \
                goto out;                               \
        } while (0)

int cli_parse(int argc, char *argv[], struct options *ret, char **ret_error) {
        struct options o = { .command = COMMAND_REPAIR };
        bool have_from = false;
        unsigned long v;
        int c, r = 0;

        *ret_error = NULL;
        optind = 0; /* full reset, so the parser can run more than once (tests) */
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":yp:u:vh", long_options, NULL)) >= 0) {
                switch (c) {
                case ARG_DRY_RUN:
                        o.dry_run = true;
                        break;
                case 'y':
                        o.yes = true;
                        break;
                case 'p':
                        if (parse_uint(optarg, 65535, &v) < 0 || v == 0)
                                fail("--port: '%s' is not a port number (1-65535)", optarg);
                        bool dup = false;
                        for (size_t i = 0; i < o.n_ports; i++)
                                dup = dup || o.ports[i] == v;
                        if (dup)
                                break;
                        if (o.n_ports == SSHREPAIR_MAX_PORTS)
                                fail("--port: '%s': at most %d ports", optarg, SSHREPAIR_MAX_PORTS);
                        o.ports[o.n_ports++] = (uint16_t) v;
                        break;
                case 'u':
                        if (!user_name_valid(optarg))
                                fail("--user: '%s' is not a valid user name", optarg);
                        free(o.user);
                        o.user = strdup(optarg);
                        if (!o.user)
                                fail("out of memory");
                        break;
                case ARG_FROM:
                        r = cidr_parse(optarg, &o.from);
                        if (r == -EDOM)
                                fail("--from: '%s' has bits set past the prefix length; give the network address",
                                     optarg);
                        if (r < 0)
                                fail("--from: '%s' is not an IPv4 or IPv6 address or CIDR", optarg);
                        have_from = true;
                        break;
                case ARG_JSON:
                        o.json = true;
                        break;
                case ARG_ROOT: {
                        struct stat st;

                        _cleanup_free_ char *abs = NULL, *etc = NULL;

                        if (stat(optarg, &st) < 0)
                                fail("--root: '%s': %s", optarg, strerror(errno));
                        if (!S_ISDIR(st.st_mode))
                                fail("--root: '%s' is not a directory", optarg);
                        abs = realpath(optarg, NULL);
                        if (!abs)
                                fail("--root: '%s': %s", optarg, strerror(errno));
                        etc = strprintf("%s/etc", abs);
                        if (!etc)
                                fail("out of memory");
                        if (stat(etc, &st) < 0 || !S_ISDIR(st.st_mode))
                                fail("--root: '%s' has no etc/ directory: not the root of an installed system "
                                     "(mount its root file system there)", optarg);
                        free(o.root);
                        /* "/" is the running system: no offline mode */
                        o.root = streq(abs, "/") ? NULL : TAKE_PTR(abs);
                        break;
                }
                case ARG_CONFIRM:
                        if (parse_uint(optarg, MAX_CONFIRM_SEC, &v) < 0 || v == 0)
                                fail("--confirm: '%s' is not a number of seconds (1-%u)", optarg, MAX_CONFIRM_SEC);
                        o.confirm_sec = (unsigned) v;
                        break;
                case ARG_ALLOW_INSECURE:
                        o.allow_insecure = true;
                        break;
                case 'v':
                        o.verbose++;
                        break;
                case 'h':
                        o.command = COMMAND_HELP;
                        break;
                case ARG_VERSION:
                        o.command = COMMAND_VERSION;
                        break;
                case ARG_IF_UNCONFIRMED:
                        o.if_unconfirmed = true;
                        break;
                case ':':
                        fail("option '%s' needs a value", argv[optind - 1]);
                case '?':
                default:
                        fail("unknown option '%s'", argv[optind - 1]);
                }
        }

        if (o.command == COMMAND_HELP || o.command == COMMAND_VERSION)
                goto done;

        if (optind < argc) {
                enum command cmd = command_from_string(argv[optind]);

                if (cmd != COMMAND_STATUS && cmd != COMMAND_CONFIRM && cmd != COMMAND_ROLLBACK &&
                    cmd != COMMAND_RECOVER)
                        fail("unknown command '%s' (known: status, confirm, rollback, recover)", argv[optind]);
                o.command = cmd;
                optind++;
                if ((cmd == COMMAND_CONFIRM || cmd == COMMAND_ROLLBACK) && optind < argc) {
                        o.txn_id = strdup(argv[optind++]);
                        if (!o.txn_id)
                                fail("out of memory");
                }
                if (optind < argc)
                        fail("%s: unexpected argument '%s'", command_to_string(cmd), argv[optind]);
                if (o.dry_run || o.yes || o.n_ports || o.user || have_from || o.confirm_sec || o.allow_insecure)
                        fail("%s: takes only --json, --root and --verbose", command_to_string(cmd));
        }

        if (o.if_unconfirmed && o.command != COMMAND_ROLLBACK)
                fail("--if-unconfirmed: only with 'rollback'");
        if (o.root && o.confirm_sec)
                fail("--confirm: cannot be combined with --root (nothing runs there to log in and confirm)");
        if (o.dry_run && o.confirm_sec)
                fail("--confirm: cannot be combined with --dry-run (nothing is applied to confirm)");
        if (o.command == COMMAND_REPAIR && o.n_ports == 0)
                o.ports[o.n_ports++] = 22;
done:
        *ret = o;
        return 0;
out:
        options_done(&o);
        return r;
}
