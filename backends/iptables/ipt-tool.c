#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipt-tool.h"
#include "util/strv.h"

static const char *const names[_IPT_VARIANT_MAX][2][_IPT_PROGRAM_MAX] = {
        [IPT_VARIANT_NFT] = {
                { "iptables-nft", "iptables-nft-save", "iptables-nft-restore" },
                { "ip6tables-nft", "ip6tables-nft-save", "ip6tables-nft-restore" },
        },
        [IPT_VARIANT_LEGACY] = {
                { "iptables-legacy", "iptables-legacy-save", "iptables-legacy-restore" },
                { "ip6tables-legacy", "ip6tables-legacy-save", "ip6tables-legacy-restore" },
        },
};

const char *ipt_program_name(enum ipt_variant v, int family, enum ipt_program p) {
        return names[v][family == AF_INET6][p];
}

const char *ipt_command_name(enum ipt_variant v, int family, bool is_default) {
        if (is_default)
                return family == AF_INET6 ? "ip6tables" : "iptables";
        return ipt_program_name(v, family, IPT_PROGRAM_CMD);
}

char *ipt_program_path(enum ipt_variant v, int family, enum ipt_program p) {
        return exec_find_program(ipt_program_name(v, family, p));
}

enum ipt_variant ipt_default_variant(void) {
        _cleanup_free_ char *path = exec_find_program("iptables"), *real = NULL;

        if (!path)
                return _IPT_VARIANT_MAX;
        real = realpath(path, NULL);
        if (!real)
                return _IPT_VARIANT_MAX;
        /* Debian: iptables -> /etc/alternatives/iptables -> iptables-nft -> xtables-nft-multi */
        if (strstr(real, "nft"))
                return IPT_VARIANT_NFT;
        if (strstr(real, "legacy"))
                return IPT_VARIANT_LEGACY;
        return _IPT_VARIANT_MAX;
}

enum ipt_variant ipt_default_variant_in(const char *root) {
        static const char *const links[] = { "/usr/sbin/iptables", "/sbin/iptables", NULL };

        for (const char *const *n = links; *n; n++) {
                _cleanup_free_ char *path = strprintf("%s%s", root, *n);

                if (!path)
                        return _IPT_VARIANT_MAX;
                /* follow the links inside the tree: an absolute target is under 'root' too */
                for (int hops = 0; hops < 16; hops++) {
                        char target[PATH_MAX];
                        ssize_t k = readlink(path, target, sizeof target - 1);
                        const char *base;
                        char *next;

                        if (k < 0) {
                                base = strrchr(path, '/');
                                base = base ? base + 1 : path;
                                if (access(path, F_OK) < 0)
                                        break;
                                if (strstr(base, "nft"))
                                        return IPT_VARIANT_NFT;
                                if (strstr(base, "legacy"))
                                        return IPT_VARIANT_LEGACY;
                                return _IPT_VARIANT_MAX;
                        }
                        target[k] = 0;
                        if (target[0] == '/')
                                next = strprintf("%s%s", root, target);
                        else {
                                char *slash = strrchr(path, '/');
                                next = strprintf("%.*s/%s", (int) (slash - path), path, target);
                        }
                        if (!next)
                                return _IPT_VARIANT_MAX;
                        free(path);
                        path = next;
                }
        }
        return _IPT_VARIANT_MAX;
}

int ipt_run(enum ipt_variant v, int family, char *const *args, char **ret_error) {
        _cleanup_free_ char *path = ipt_program_path(v, family, IPT_PROGRAM_CMD);
        _cleanup_free_ const char **argv = NULL;
        struct exec_result res = { .status = -1 };
        size_t n = strv_length(args), k = 0;
        int r;

        if (!path) {
                if (ret_error)
                        *ret_error = strprintf("%s is not installed", ipt_program_name(v, family, IPT_PROGRAM_CMD));
                return -ENOENT;
        }
        argv = calloc(n + 3, sizeof(char *));
        if (!argv)
                return -ENOMEM;
        argv[k++] = path;
        argv[k++] = "-w";
        for (size_t i = 0; i < n; i++)
                argv[k++] = args[i];
        r = exec_run(argv, NULL, 0, EXEC_TIMEOUT_MS_DEFAULT, &res);
        if (r < 0)
                return r;
        if (res.status != 0) {
                if (ret_error)
                        *ret_error = exec_result_describe(&res);
                exec_result_done(&res);
                return -EIO;
        }
        exec_result_done(&res);
        return 0;
}

int ipt_family_from_string(const char *s) {
        if (streq_ptr(s, "ipv4"))
                return AF_INET;
        if (streq_ptr(s, "ipv6"))
                return AF_INET6;
        return -EINVAL;
}

const char *ipt_family_to_string(int family) {
        return family == AF_INET6 ? "ipv6" : "ipv4";
}
