#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipt-persist.h"
#include "systemd/systemd-unit.h"
#include "ipt-ruleset.h"
#include "util/strv.h"

static const struct {
        int family;
        const char *path;
        const char *unit;
} candidates[] = {
        { AF_INET, "/etc/iptables/rules.v4", "netfilter-persistent.service" },      /* Debian, Ubuntu */
        { AF_INET6, "/etc/iptables/rules.v6", "netfilter-persistent.service" },
        { AF_INET, "/etc/sysconfig/iptables", "iptables.service" },                 /* RHEL family */
        { AF_INET6, "/etc/sysconfig/ip6tables", "ip6tables.service" },
        { AF_INET, "/etc/iptables/iptables.rules", "iptables.service" },            /* Arch */
        { AF_INET6, "/etc/iptables/ip6tables.rules", "ip6tables.service" },
};



int ipt_file_read(const char *path, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, alloc = 0;
        FILE *f = fopen(path, "re");

        if (!f)
                return -errno;
        for (;;) {
                size_t k;
                if (size + 4096 + 1 > alloc) {
                        char *b = realloc(buf, alloc = alloc ? alloc * 2 : 16384);
                        if (!b) {
                                fclose(f);
                                return -ENOMEM;
                        }
                        buf = b;
                }
                k = fread(buf + size, 1, alloc - size - 1, f);
                size += k;
                if (k == 0)
                        break;
        }
        if (ferror(f)) {
                fclose(f);
                return -EIO;
        }
        fclose(f);
        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

static bool writable(const char *path) {
        _cleanup_free_ char *dir = strdup(path);

        if (!dir || access(path, W_OK) < 0)
                return false;
        return access(dirname(dir), W_OK) == 0;
}

int ipt_persist_detect(const char *root, int family, const char *save_text, struct ipt_persist *ret) {
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                _cleanup_free_ char *path = NULL, *content = NULL, *saved = NULL, *live = NULL;
                struct ipt_persist p = {};
                int r;

                if (candidates[i].family != family)
                        continue;
                path = strprintf("%s%s", root, candidates[i].path);
                if (!path)
                        return -ENOMEM;
                if (access(path, F_OK) < 0 || !sd_unit_enabled_offline(root, candidates[i].unit))
                        continue;
                r = ipt_file_read(path, &content, NULL);
                if (r >= 0)
                        r = ipt_save_normalize(content, "filter", &saved);
                if (r >= 0)
                        r = ipt_save_normalize(save_text, "filter", &live);
                if (r == -ENOMEM)
                        return r;
                /* A file without a filter table mirrors an empty, all-ACCEPT one. */
                p.in_sync = r >= 0 && streq(strna(saved), strna(live));
                p.writable = writable(path);
                p.path = TAKE_PTR(path);
                p.loaded_by = strdup(candidates[i].unit);
                if (!p.loaded_by) {
                        free(p.path);
                        return -ENOMEM;
                }
                *ret = p;
                return 1;
        }
        return 0;
}

int ipt_persist_unloaded(const char *root, int family, char ***ret) {
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                _cleanup_free_ char *path = NULL;

                if (candidates[i].family != family)
                        continue;
                path = strprintf("%s%s", root, candidates[i].path);
                if (!path)
                        return -ENOMEM;
                if (access(path, F_OK) < 0 || sd_unit_enabled_offline(root, candidates[i].unit))
                        continue;
                if (strv_extendf(ret, "'%s' is there, but %s is not enabled: it is not loaded at boot, and left as it is",
                                 path, candidates[i].unit) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int write_atomic(const char *path, const char *data, size_t size, mode_t mode, uid_t uid, gid_t gid) {
        _cleanup_free_ char *tmp = strprintf("%s.sshrepair-XXXXXX", path);
        int fd;

        if (!tmp)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fchmod(fd, mode) < 0 || fchown(fd, uid, gid) < 0 || (size && write(fd, data, size) != (ssize_t) size) ||
            fsync(fd) < 0) {
                int e = errno ? errno : EIO;
                close(fd);
                unlink(tmp);
                return -e;
        }
        close(fd);
        if (rename(tmp, path) < 0) {
                int e = errno;
                unlink(tmp);
                return -e;
        }
        return 0;
}

int ipt_persist_write(const char *path, const char *live_filter) {
        _cleanup_free_ char *content = NULL, *out = NULL;
        size_t size = 0, osize = 0;
        struct stat st;
        bool in_filter = false, written = false;
        FILE *f;
        int r;

        if (stat(path, &st) < 0)
                return -errno;
        r = ipt_file_read(path, &content, &size);
        if (r < 0)
                return r;
        f = open_memstream(&out, &osize);
        if (!f)
                return -ENOMEM;
        for (const char *p = content; p && *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) + 1 : strlen(p);

                if (strncmp(p, "*filter", 7) == 0 && (p[7] == '\n' || p[7] == 0 || p[7] == ' ')) {
                        in_filter = true;
                        fputs(strna(live_filter), f);
                        written = true;
                } else if (in_filter) {
                        if (strncmp(p, "COMMIT", 6) == 0)
                                in_filter = false;
                } else
                        fwrite(p, 1, len, f);
                p += len;
        }
        if (!written)
                fputs(strna(live_filter), f);
        if (fclose(f) != 0)
                return -ENOMEM;
        return write_atomic(path, out, osize, st.st_mode & 07777, st.st_uid, st.st_gid);
}

int ipt_persist_edit_line(const char *path, unsigned line, const char *text) {
        _cleanup_free_ char *content = NULL, *out = NULL;
        size_t size = 0, osize = 0;
        unsigned n = 1;
        struct stat st;
        bool done = false;
        FILE *f;
        int r;

        if (line == 0 || stat(path, &st) < 0)
                return line == 0 ? -EINVAL : -errno;
        r = ipt_file_read(path, &content, &size);
        if (r < 0)
                return r;
        f = open_memstream(&out, &osize);
        if (!f)
                return -ENOMEM;
        for (const char *p = content; p < content + size; n++) {
                const char *nl = memchr(p, '\n', (size_t) (content + size - p));
                size_t len = nl ? (size_t) (nl - p) + 1 : (size_t) (content + size - p);

                if (n == line) {
                        done = true;
                        if (text)
                                fprintf(f, "%s\n", text);
                }
                if (n != line || text) {
                        fwrite(p, 1, len, f);
                        if (!nl)
                                fputc('\n', f);
                }
                p += len;
        }
        if (!done && text && n == line) {
                /* right after the last line */
                fprintf(f, "%s\n", text);
                done = true;
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        if (!done)
                return -ERANGE;
        return write_atomic(path, out, osize, st.st_mode & 07777, st.st_uid, st.st_gid);
}

int ipt_file_snapshot(FILE *out, const char *path, const char *recorded) {
        _cleanup_free_ char *content = NULL;
        size_t size = 0;
        struct stat st;
        int r;

        if (stat(path, &st) < 0)
                return -errno;
        r = ipt_file_read(path, &content, &size);
        if (r < 0)
                return r;
        fprintf(out, "== file %s %04o %u %u %zu\n", recorded, (unsigned) (st.st_mode & 07777), (unsigned) st.st_uid,
                (unsigned) st.st_gid, size);
        fwrite(content, 1, size, out);
        fputc('\n', out);
        return 0;
}

int ipt_file_restore(const char **p, const char *root) {
        _cleanup_free_ char *full = NULL;
        char path[4096];
        unsigned mode, uid, gid;
        size_t size;
        const char *nl = strchr(*p, '\n'), *data;
        int n = 0;

        if (!nl || sscanf(*p, "== file %4095s %o %u %u %zu%n", path, &mode, &uid, &gid, &size, &n) != 5)
                return -EBADMSG;
        data = nl + 1;
        if (strnlen(data, size + 1) < size + 1 || data[size] != '\n')
                return -EBADMSG;
        *p = data + size + 1;
        full = strprintf("%s%s", root ?: "", path);
        if (!full)
                return -ENOMEM;
        return write_atomic(full, data, size, (mode_t) mode, (uid_t) uid, (gid_t) gid);
}
