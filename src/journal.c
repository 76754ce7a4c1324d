#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "journal.h"
#include "util/strv.h"

static int mkdir_private(int parent_fd, const char *name) {
        int fd;

        if (mkdirat(parent_fd, name, 0700) < 0 && errno != EEXIST)
                return -errno;
        /* O_NOFOLLOW: a symlink planted in place of the directory is refused. */
        fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fd;
}

static int open_state_dir(const char *state_dir) {
        int fd;

        if (mkdir(state_dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int journal_lock(const char *state_dir, pid_t *ret_holder) {
        _cleanup_close_ int dfd = -1, fd = -1;
        char buf[32];
        int n;

        dfd = open_state_dir(state_dir);
        if (dfd < 0)
                return dfd;
        fd = openat(dfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int e = errno;
                ssize_t k = pread(fd, buf, sizeof buf - 1, 0);

                buf[k > 0 ? k : 0] = 0;
                if (ret_holder)
                        *ret_holder = (pid_t) atoi(buf);
                return e == EWOULDBLOCK ? -EWOULDBLOCK : -e;
        }
        n = snprintf(buf, sizeof buf, "%d\n", (int) getpid());
        if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t) n, 0) != n)
                return -errno;
        return TAKE_FD(fd);
}

static int write_all_sync(int fd, const char *data, size_t len) {
        while (len > 0) {
                ssize_t k = write(fd, data, len);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                data += k;
                len -= (size_t) k;
        }
        return fsync(fd) < 0 ? -errno : 0;
}

int journal_begin(const char *state_dir, struct journal *ret) {
        _cleanup_close_ int sfd = -1, tfd = -1, dfd = -1, lfd = -1;
        struct journal j = { .dir_fd = -1, .log_fd = -1 };
        struct timespec ts;
        struct tm tm;

        sfd = open_state_dir(state_dir);
        if (sfd < 0)
                return sfd;
        tfd = mkdir_private(sfd, "txn");
        if (tfd < 0)
                return tfd;

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        /* sortable, unique enough for one host: time plus the pid */
        snprintf(j.id, sizeof j.id, "%04d%02d%02dT%02d%02d%02d-%d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec, (int) getpid() % 100000);
        if (mkdirat(tfd, j.id, 0700) < 0)
                return -errno;
        dfd = openat(tfd, j.id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        lfd = openat(dfd, "journal", O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (lfd < 0)
                return -errno;
        if (fsync(dfd) < 0 || fsync(tfd) < 0)
                return -errno;
        j.path = strprintf("%s/txn/%s", state_dir, j.id);
        if (!j.path)
                return -ENOMEM;
        j.dir_fd = TAKE_FD(dfd);
        j.log_fd = TAKE_FD(lfd);
        *ret = j;
        return 0;
}

int journal_record(struct journal *j, const char *format, ...) {
        _cleanup_free_ char *line = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&line, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        line[strcspn(line, "\n")] = 0;
        _cleanup_free_ char *rec = strprintf("%s\n", line);
        if (!rec)
                return -ENOMEM;
        return write_all_sync(j->log_fd, rec, strlen(rec));
}

int journal_save_snapshot(struct journal *j, const char *backend, const char *data) {
        _cleanup_free_ char *name = strprintf("snapshot.%s", backend);
        _cleanup_close_ int fd = -1;
        int r;

        if (!name)
                return -ENOMEM;
        fd = openat(j->dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        r = write_all_sync(fd, data ?: "", data ? strlen(data) : 0);
        if (r < 0)
                return r;
        return fsync(j->dir_fd) < 0 ? -errno : 0;
}

void journal_close(struct journal *j) {
        if (!j)
                return;
        closep(&j->dir_fd);
        closep(&j->log_fd);
        free(j->path);
        *j = (struct journal) { .dir_fd = -1, .log_fd = -1 };
}
