/* /etc/nftables.conf: a small reader that finds, per chain block, the line of every rule and
 * of the closing brace; edits by line number, all at once, checked against the checksum the
 * probe saw. A chain it cannot follow line by line (several rules on a line, a set spread over
 * lines) is marked not editable: the plan then reports that the change is not persisted. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nft-batch.h"
#include "nft-persist.h"
#include "util/fileio.h"
#include "systemd/systemd-unit.h"
#include "util/strv.h"

static char *checksum(const char *data, size_t len) {
        uint64_t h = 1469598103934665603ULL;

        for (size_t i = 0; i < len; i++) {
                h ^= (uint8_t) data[i];
                h *= 1099511628211ULL;
        }
        return strprintf("%016llx", (unsigned long long) h);
}

/* Braces outside quotes and comments; *ret_semi: a ';' outside quotes and braces. */
static void scan_line(const char *l, int *ret_open, int *ret_close, bool *ret_semi, size_t *ret_code_len) {
        bool quote = false;
        int open = 0, close = 0, depth = 0;
        size_t i;

        *ret_semi = false;
        for (i = 0; l[i] && l[i] != '\n'; i++) {
                if (l[i] == '"')
                        quote = !quote;
                else if (!quote && l[i] == '#')
                        break;
                else if (!quote && l[i] == '{')
                        open++, depth++;
                else if (!quote && l[i] == '}')
                        close++, depth--;
                else if (!quote && l[i] == ';' && depth <= 0)
                        *ret_semi = true;
        }
        *ret_open = open;
        *ret_close = close;
        *ret_code_len = i;
}

static bool starts_word(const char *s, const char *w) {
        size_t n = strlen(w);
        return strncmp(s, w, n) == 0 && (s[n] == ' ' || s[n] == '\t' || s[n] == 0 || s[n] == '{');
}

int nft_conf_parse(const char *text, struct nft_conf *ret) {
        static const char *const families[] = { "ip", "ip6", "inet", "arp", "bridge", "netdev" };
        char table_family[16] = "", table_name[256] = "";
        struct nft_conf_chain *cur = NULL;
        int depth = 0, chain_depth = -1;
        unsigned lineno = 0;
        const char *p = text;

        while (*p) {
                const char *eol = strchr(p, '\n'), *s;
                size_t len = eol ? (size_t) (eol - p) : strlen(p), code;
                int open, close;
                bool semi;
                char line[4096];

                lineno++;
                if (len >= sizeof line)
                        len = sizeof line - 1;
                memcpy(line, p, len);
                line[len] = 0;
                p = eol ? eol + 1 : p + strlen(p);
                scan_line(line, &open, &close, &semi, &code);
                line[code] = 0;
                s = line + strspn(line, " \t");
                while (code > 0 && (line[code - 1] == ' ' || line[code - 1] == '\t'))
                        line[--code] = 0;
                if (!*s)
                        continue;

                if (depth == 0 && starts_word(s, "table")) {
                        char a[256] = "", b[256] = "";
                        int n = sscanf(s, "table %255s %255s", a, b);
                        bool fam = false;
                        for (size_t i = 0; i < ELEMENTSOF(families); i++)
                                fam = fam || streq(a, families[i]);
                        snprintf(table_family, sizeof table_family, "%s", fam ? a : "ip");
                        snprintf(table_name, sizeof table_name, "%s", fam && n == 2 ? b : a);
                        table_name[strcspn(table_name, "{")] = 0;
                } else if (depth == 0 && (starts_word(s, "add") || starts_word(s, "insert") || starts_word(s, "delete") ||
                                          starts_word(s, "replace") || starts_word(s, "include"))) {
                        if (!ret->problem)
                                ret->problem = strprintf("line %u: '%s' outside a table block is not followed", lineno, s);
                } else if (depth == 1 && starts_word(s, "chain")) {
                        struct nft_conf_chain *n = realloc(ret->chains, sizeof(*n) * (ret->n_chains + 1));
                        char name[256] = "";
                        if (!n)
                                return -ENOMEM;
                        ret->chains = n;
                        cur = &n[ret->n_chains++];
                        sscanf(s, "chain %255s", name);
                        name[strcspn(name, "{")] = 0;
                        *cur = (struct nft_conf_chain) {
                                .family = strdup(table_family),
                                .table = strdup(table_name),
                                .chain = strdup(name),
                                .editable = open == 1 && close == 0,
                        };
                        if (!cur->family || !cur->table || !cur->chain)
                                return -ENOMEM;
                        chain_depth = depth + open - close;
                } else if (cur && depth == chain_depth) {
                        if (s[0] == '}' && close == 1 && open == 0) {
                                cur->close_line = lineno;
                                if (!cur->indent)
                                        cur->indent = strndup(line, (size_t) (s - line) + 0);
                                if (cur->indent && !cur->rule_lines) { /* no rules: one level deeper */
                                        char *i = strprintf("%s%s", cur->indent, *cur->indent ? cur->indent : "\t");
                                        free(cur->indent);
                                        cur->indent = i;
                                }
                        } else if (starts_word(s, "type") || starts_word(s, "policy") || starts_word(s, "comment") ||
                                   starts_word(s, "devices")) {
                                if (!cur->indent)
                                        cur->indent = strndup(line, (size_t) (s - line));
                        } else {
                                unsigned *l = realloc(cur->rule_lines, sizeof(*l) * (cur->n_rules + 1));
                                if (!l)
                                        return -ENOMEM;
                                cur->rule_lines = l;
                                l[cur->n_rules++] = lineno;
                                if (open != close || semi)
                                        cur->editable = false;
                                free(cur->indent);
                                cur->indent = strndup(line, (size_t) (s - line));
                        }
                } else if (cur && depth > chain_depth)
                        cur->editable = false; /* inside a rule spread over lines */
                depth += open - close;
                if (cur && depth < chain_depth) {
                        cur = NULL;
                        chain_depth = -1;
                }
        }
        return 0;
}

bool nft_conf_loaded_at_boot(const struct options *o) {
        return sd_unit_enabled_offline(options_offline(o) ? o->root : "/", "nftables.service");
}

/* Paths in steps and snapshots are the system's own ("/etc/nftables.conf"); with --root they
 * are read and written under the tree. */
int nft_conf_probe(const struct options *o, struct nft_conf *ret) {
        _cleanup_free_ char *text = NULL, *real = NULL;
        struct nft_conf c = {};
        size_t len = 0;
        int r;

        if (!nft_conf_loaded_at_boot(o))
                return 0;
        real = options_path(o, NFT_CONF_PATH);
        if (!real)
                return -ENOMEM;
        r = read_full_file(real, NFT_FILE_MAX, &text, &len);
        if (r < 0)
                return r == -ENOENT ? 0 : r;
        c.path = strdup(NFT_CONF_PATH);
        c.loaded_by = strdup("nftables.service");
        c.checksum = checksum(text, len);
        if (!c.path || !c.loaded_by || !c.checksum) {
                nft_conf_done(&c);
                return -ENOMEM;
        }
        r = nft_conf_parse(text, &c);
        if (r < 0) {
                nft_conf_done(&c);
                return r;
        }
        *ret = c;
        return 0;
}

static int write_atomic(const char *path, const char *data, size_t len, const struct stat *st, const struct timespec *times) {
        _cleanup_free_ char *tmp = strprintf("%s.sshrepair-XXXXXX", path);
        int fd, r = 0;

        if (!tmp)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, data, len) != (ssize_t) len || fsync(fd) < 0)
                r = -errno ?: -EIO;
        if (r >= 0 && st && (fchmod(fd, st->st_mode & 07777) < 0 || fchown(fd, st->st_uid, st->st_gid) < 0))
                r = -errno;
        if (r >= 0 && times && futimens(fd, times) < 0)
                r = -errno;
        close(fd);
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

int nft_conf_apply(const struct options *o, const struct step *s, char ***ret_details) {
        const char *sum = nft_step_arg(s, "sum");
        _cleanup_free_ char *text = NULL, *now = NULL, *out = NULL, *path = NULL;
        size_t len = 0, out_size = 0;
        unsigned lineno = 0;
        struct stat st;
        FILE *f;
        int r;

        if (!nft_step_arg(s, "path") || !sum)
                return -EINVAL;
        path = options_path(o, nft_step_arg(s, "path"));
        if (!path)
                return -ENOMEM;
        r = read_full_file(path, NFT_FILE_MAX, &text, &len);
        if (r < 0)
                return r;
        now = checksum(text, len);
        if (!now)
                return -ENOMEM;
        if (!streq(now, sum)) {
                if (ret_details)
                        (void) strv_extendf(ret_details, "%s changed since it was read: not edited", path);
                return -ESTALE;
        }
        if (stat(path, &st) < 0)
                return -errno;
        f = open_memstream(&out, &out_size);
        if (!f)
                return -ENOMEM;
        for (const char *p = text; *p;) {
                const char *eol = strchr(p, '\n');
                size_t l = eol ? (size_t) (eol - p + 1) : strlen(p);
                bool del = false;
                char key[32];

                lineno++;
                for (char **a = s->args; a && *a; a++) {
                        snprintf(key, sizeof key, "edit=before:%u:", lineno);
                        if (strncmp(*a, key, strlen(key)) == 0)
                                fprintf(f, "%s\n", *a + strlen(key));
                        snprintf(key, sizeof key, "edit=del:%u", lineno);
                        if (streq(*a, key))
                                del = true;
                }
                if (!del)
                        fwrite(p, 1, l, f);
                p += l;
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        return write_atomic(path, out, out_size, &st, NULL);
}

int nft_conf_snapshot(const struct options *o, const char *path, FILE *out) {
        _cleanup_free_ char *text = NULL, *b = NULL, *real = options_path(o, path);
        size_t len = 0;
        struct stat st;
        int r;

        if (!real)
                return -ENOMEM;
        r = read_full_file(real, NFT_FILE_MAX, &text, &len);
        if (r == -ENOENT) {
                fprintf(out, "file %s absent\n", path);
                return 0;
        }
        if (r < 0)
                return r;
        if (stat(real, &st) < 0)
                return -errno;
        b = nft_base64_encode(text, len);
        if (!b)
                return -ENOMEM;
        fprintf(out, "file %s %o %u %u %lld.%09ld %s\n", path, st.st_mode & 07777, st.st_uid, st.st_gid,
                (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec, b);
        return 0;
}

int nft_conf_restore(const struct options *o, const char *snapshot) {
        int ret = 0;

        for (const char *p = strstr(snapshot, "\nfile "); p; p = strstr(p + 1, "\nfile ")) {
                char path[4096], b64[16], *end;
                unsigned mode, uid, gid;
                long long sec;
                long nsec;
                int off = 0, r;
                _cleanup_free_ uint8_t *data = NULL;
                _cleanup_free_ char *real = NULL;
                size_t len = 0;

                if (sscanf(p + 1, "file %4095s %15s", path, b64) != 2 || !(real = options_path(o, path))) {
                        ret = ret ?: -EBADMSG;
                        continue;
                }
                if (streq(b64, "absent")) {
                        if (unlink(real) < 0 && errno != ENOENT && ret == 0)
                                ret = -errno;
                        continue;
                }
                if (sscanf(p + 1, "file %4095s %o %u %u %lld.%ld %n", path, &mode, &uid, &gid, &sec, &nsec, &off) != 6 || !off) {
                        ret = ret ?: -EBADMSG;
                        continue;
                }
                end = strchr(p + 1 + off, '\n');
                r = nft_base64_decode(p + 1 + off, end ? (size_t) (end - (p + 1 + off)) : strlen(p + 1 + off), &data, &len);
                if (r >= 0) {
                        struct stat st = { .st_mode = mode, .st_uid = uid, .st_gid = gid };
                        struct timespec times[2] = { { .tv_sec = 0, .tv_nsec = UTIME_OMIT }, { .tv_sec = sec, .tv_nsec = nsec } };
                        r = write_atomic(real, (const char *) data, len, &st, times);
                }
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}
