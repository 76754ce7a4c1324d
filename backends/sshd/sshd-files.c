/* Byte-exact file snapshots, atomic replacement, staging trees. */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sshd-files.h"
#include "sshd-lines.h"
#include "util/fileio.h"
#include "util/strv.h"

#define SELINUX_XATTR "security.selinux"
#define MAX_FILE_SIZE (64u << 20)

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64_encode(const unsigned char *in, size_t len) {
        char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i += 3) {
                unsigned v = (unsigned) in[i] << 16 | (i + 1 < len ? (unsigned) in[i + 1] << 8 : 0) |
                             (i + 2 < len ? in[i + 2] : 0);
                *o++ = b64[v >> 18 & 63];
                *o++ = b64[v >> 12 & 63];
                *o++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
                *o++ = i + 2 < len ? b64[v & 63] : '=';
        }
        *o = 0;
        return out;
}

static int base64_decode(const char *in, char **ret, size_t *ret_len) {
        size_t len = strlen(in), n = 0;
        char *out = malloc(len / 4 * 3 + 1);
        unsigned v = 0, bits = 0;

        if (!out)
                return -ENOMEM;
        for (const char *p = in; *p && *p != '='; p++) {
                const char *c = strchr(b64, *p);
                if (!c || !*p) {
                        free(out);
                        return -EBADMSG;
                }
                v = v << 6 | (unsigned) (c - b64);
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[n++] = (char) (v >> bits & 0xff);
                }
        }
        out[n] = 0;
        *ret = out;
        *ret_len = n;
        return 0;
}

static int read_fd(int fd, char **ret, size_t *ret_len) {
        return read_full_fd(fd, MAX_FILE_SIZE, ret, ret_len);
}

int sshd_file_read(const char *path, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return -errno;
        return read_fd(fd, ret, ret_len);
}

static char *selinux_label(int fd) {
        char buf[512];
        ssize_t k = fgetxattr(fd, SELINUX_XATTR, buf, sizeof buf - 1);

        if (k <= 0)
                return NULL;
        buf[k] = 0;
        /* labels are printable; a trailing NUL is part of the stored value */
        for (ssize_t i = 0; i < k; i++)
                if (buf[i] != 0 && (buf[i] <= ' ' || buf[i] > '~'))
                        return NULL;
        return strdup(buf);
}

int sshd_file_snapshot(const char *path, char **text) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *data = NULL, *enc = NULL, *label = NULL, *line = NULL;
        size_t len;
        struct stat st;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0 && errno == ENOENT)
                line = strprintf("%sfile %s absent\n", *text ?: "", path);
        else if (fd < 0)
                return -errno;
        else {
                if (fstat(fd, &st) < 0)
                        return -errno;
                r = read_fd(fd, &data, &len);
                if (r < 0)
                        return r;
                enc = base64_encode((const unsigned char *) data, len);
                label = selinux_label(fd);
                if (!enc)
                        return -ENOMEM;
                line = strprintf("%sfile %s uid=%u gid=%u mode=%04o mtime=%lld.%09ld size=%zu selinux=%s\ndata %s\n",
                                 *text ?: "", path, (unsigned) st.st_uid, (unsigned) st.st_gid,
                                 (unsigned) (st.st_mode & 07777), (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                                 len, label ?: "-", enc);
        }
        if (!line)
                return -ENOMEM;
        free(*text);
        *text = TAKE_PTR(line);
        return 0;
}

struct meta {
        uid_t uid;
        gid_t gid;
        mode_t mode;
        struct timespec mtime;
        const char *label; /* NULL: none */
};

static int write_replace(const char *path, const char *data, size_t len, const struct meta *m) {
        _cleanup_free_ char *copy = strdup(path), *tmp = NULL;
        _cleanup_close_ int fd = -1, dfd = -1;
        const char *dir;
        int r;

        if (!copy)
                return -ENOMEM;
        dir = dirname(copy);
        tmp = strprintf("%s/.#sshrepair.XXXXXX", dir);
        if (!tmp)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = write_full_fd(fd, data, len);
        if (r < 0)
                goto fail;
        if (fchown(fd, m->uid, m->gid) < 0 || fchmod(fd, m->mode) < 0) {
                r = -errno;
                goto fail;
        }
        if (m->label && fsetxattr(fd, SELINUX_XATTR, m->label, strlen(m->label) + 1, 0) < 0 && errno != ENOTSUP) {
                r = -errno;
                goto fail;
        }
        if (m->mtime.tv_sec || m->mtime.tv_nsec) {
                struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, m->mtime };
                if (futimens(fd, ts) < 0) {
                        r = -errno;
                        goto fail;
                }
        }
        if (fsync(fd) < 0 || rename(tmp, path) < 0) {
                r = -errno;
                goto fail;
        }
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0)
                (void) fsync(dfd);
        return 0;
fail:
        (void) unlink(tmp);
        return r;
}

int sshd_file_replace(const char *path, const char *data, size_t len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        _cleanup_free_ char *label = NULL;
        struct stat st;
        struct meta m = {};

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADF;
        label = selinux_label(fd);
        m = (struct meta) { .uid = st.st_uid, .gid = st.st_gid, .mode = st.st_mode & 07777, .label = label };
        return write_replace(path, data, len, &m);
}

static int restore_one(const char *header, const char *data_line) {
        char path[4096], label[512];
        unsigned uid, gid, mode;
        long long sec;
        long nsec;
        size_t size;
        _cleanup_free_ char *want = NULL, *now = NULL;
        size_t want_len;
        int r;

        if (sscanf(header, "file %4095s uid=%u gid=%u mode=%o mtime=%lld.%ld size=%zu selinux=%511s", path, &uid, &gid,
                   &mode, &sec, &nsec, &size, label) == 8) {
                if (!data_line || strncmp(data_line, "data ", 5) != 0)
                        return -EBADMSG;
                r = base64_decode(data_line + 5, &want, &want_len);
                if (r < 0)
                        return r;
                if (want_len != size)
                        return -EBADMSG;
                /* Already equal? Then leave it alone (and its ctime). */
                if (sshd_file_snapshot(path, &now) >= 0) {
                        _cleanup_free_ char *expect = strprintf("%s\n%s\n", header, data_line);

                        if (expect && now && streq(now, expect))
                                return 0;
                }
                struct meta m = { .uid = uid, .gid = gid, .mode = mode, .mtime = { sec, nsec },
                                  .label = streq(label, "-") ? NULL : label };
                r = write_replace(path, want, want_len, &m);
                return r < 0 ? r : 1;
        }
        if (sscanf(header, "file %4095s absent", path) == 1) {
                if (unlink(path) < 0)
                        return errno == ENOENT ? 0 : -errno;
                return 1;
        }
        return -EBADMSG;
}

int sshd_files_restore(const char *snapshot) {
        _cleanup_free_ char *copy = strdup(snapshot ?: "");
        char *line, *save = NULL, *pending = NULL;
        int ret = 0, changed = 0;

        if (!copy)
                return -ENOMEM;
        for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                int r;

                if (strncmp(line, "file ", 5) == 0) {
                        if (pending) {
                                r = restore_one(pending, NULL);
                                if (r < 0)
                                        ret = ret ?: r;
                                changed |= r > 0;
                        }
                        pending = line;
                        continue;
                }
                if (strncmp(line, "data ", 5) == 0 && pending) {
                        r = restore_one(pending, line);
                        if (r < 0)
                                ret = ret ?: r;
                        changed |= r > 0;
                        pending = NULL;
                }
        }
        if (pending) {
                int r = restore_one(pending, NULL);
                if (r < 0)
                        ret = ret ?: r;
                changed |= r > 0;
        }
        return ret < 0 ? ret : changed;
}

static int mkdir_parents(const char *path) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                if (mkdir(p, 0700) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        return 0;
}

static int write_new(const char *path, const char *data, size_t len) {
        _cleanup_close_ int fd = -1;
        int r = mkdir_parents(path);

        if (r < 0)
                return r;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        r = write_full_fd(fd, data, len);
        if (r < 0)
                return r;
        return 0;
}

int sshd_stage_create(const struct sshd_config_facts *c, char **ret_dir) {
        static const char *const parents[] = { "/run", "/tmp", NULL };
        _cleanup_free_ char *dir = NULL;
        int r;

        for (const char *const *p = parents; *p && !dir; p++) {
                dir = strprintf("%s/sshrepair-stage.XXXXXX", *p);
                if (!dir)
                        return -ENOMEM;
                if (!mkdtemp(dir)) {
                        free(dir);
                        dir = NULL;
                }
        }
        if (!dir)
                return -errno;
        for (size_t i = 0; i < c->n_files; i++) {
                _cleanup_free_ char *data = NULL, *dst = NULL;
                size_t len = 0;

                r = sshd_file_read(c->files[i].path, &data, &len);
                if (r < 0)
                        continue; /* unreadable: sshd cannot read it either */
                dst = strprintf("%s%s", dir, c->files[i].path);
                if (!dst)
                        r = -ENOMEM;
                else
                        r = write_new(dst, data, len);
                if (r < 0) {
                        sshd_stage_remove(c, dir);
                        return r;
                }
        }
        *ret_dir = TAKE_PTR(dir);
        return 0;
}

static int redirect_file(const char *dir, const char *staged) {
        _cleanup_free_ char *data = NULL;
        char *out = NULL;
        size_t len = 0, outlen = 0;
        FILE *f;
        const char *p;
        bool changed = false;
        int r;

        r = sshd_file_read(staged, &data, &len);
        if (r < 0)
                return r;
        f = open_memstream(&out, &outlen);
        if (!f)
                return -ENOMEM;
        p = data;
        while (p < data + len) {
                const char *nl = memchr(p, '\n', (size_t) (data + len - p));
                const char *eol = nl ? nl : data + len, *s = p;

                while (s < eol && (*s == ' ' || *s == '\t'))
                        s++;
                if ((size_t) (eol - s) > 8 && strncasecmp(s, "include", 7) == 0 && (s[7] == ' ' || s[7] == '\t')) {
                        _cleanup_free_ char *rest = strndup(s + 8, (size_t) (eol - s - 8));
                        char *save = NULL;

                        if (!rest) {
                                fclose(f);
                                free(out);
                                return -ENOMEM;
                        }
                        fputs("Include", f);
                        for (char *w = strtok_r(rest, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save))
                                fprintf(f, " %s%s%s", dir, w[0] == '/' ? "" : "/etc/ssh/", w);
                        fputc('\n', f);
                        changed = true;
                } else
                        fwrite(p, 1, (size_t) (eol - p) + (nl ? 1 : 0), f);
                p = nl ? nl + 1 : data + len;
        }
        if (fclose(f) != 0) {
                free(out);
                return -ENOMEM;
        }
        r = changed ? write_new(staged, out, outlen) : 0;
        free(out);
        return r;
}

int sshd_stage_redirect_includes(const struct sshd_config_facts *c, const char *dir) {
        for (size_t i = 0; i < c->n_files; i++) {
                _cleanup_free_ char *staged = strprintf("%s%s", dir, c->files[i].path);
                int r;

                if (!staged)
                        return -ENOMEM;
                r = redirect_file(dir, staged);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        return 0;
}

void sshd_stage_remove(const struct sshd_config_facts *c, const char *dir) {
        /* Only what we created: the files, then their directories, deepest first. */
        for (size_t i = 0; i < c->n_files; i++) {
                _cleanup_free_ char *p = strprintf("%s%s", dir, c->files[i].path);

                if (!p)
                        continue;
                (void) unlink(p);
                for (char *s = strrchr(p, '/'); s && (size_t) (s - p) > strlen(dir); s = strrchr(p, '/')) {
                        *s = 0;
                        if (rmdir(p) < 0)
                                break;
                }
        }
        (void) rmdir(dir);
}
