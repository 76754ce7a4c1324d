#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "journal.h"
#include "util/crc32.h"
#include "util/fileio.h"
#include "util/strv.h"

#define JOURNAL_MAX_SIZE (16U * 1024U * 1024U)

static const char *const txn_state_table[_TXN_STATE_MAX] = {
        [TXN_ABANDONED] = "abandoned",
        [TXN_INCOMPLETE] = "incomplete",
        [TXN_AWAITING_CONFIRM] = "awaiting-confirm",
        [TXN_COMMITTED] = "committed",
        [TXN_ROLLED_BACK] = "rolled-back",
        [TXN_ROLLBACK_FAILED] = "rollback-failed",
};

const char *txn_state_to_string(enum txn_state s) {
        return s >= 0 && s < _TXN_STATE_MAX ? txn_state_table[s] : NULL;
}

void journal_summary_done(struct journal_summary *s) {
        if (!s)
                return;
        strv_free(s->snapshots);
        *s = (struct journal_summary) {};
}

static int apply_record(struct journal_summary *s, const char *payload) {
        char word[32] = "";
        unsigned long long a = 0;
        int n = sscanf(payload, "%31s %llu", word, &a);

        if (n < 1)
                return -EBADMSG;
        if (streq(word, "begin") && n == 2) {
                s->begun = true;
                s->n_steps = (size_t) a;
        } else if (streq(word, "snapshot"))
                return strv_extend(&s->snapshots, payload + strlen("snapshot "));
        else if (streq(word, "step-begin") && n == 2)
                s->steps_begun = (size_t) a > s->steps_begun ? (size_t) a : s->steps_begun;
        else if (streq(word, "step-done") && n == 2)
                s->steps_done = (size_t) a > s->steps_done ? (size_t) a : s->steps_done;
        else if (streq(word, "step-failed"))
                ;
        else if (streq(payload, "verify ok"))
                s->verify = 1;
        else if (streq(payload, "verify fail"))
                s->verify = 0;
        else if (streq(payload, "verify offline"))
                ; /* --root: nothing could be checked */
        else if (streq(word, "confirm-wait") && n == 2)
                s->confirm_deadline = a;
        else if (streq(word, "commit"))
                s->committed = true;
        else if (streq(word, "rollback-begin"))
                s->rollback_begun = true;
        else if (streq(word, "rollback-done")) {
                s->rollback_done = true;
                s->rollback_failed = false;
        } else if (streq(word, "rollback-failed"))
                s->rollback_failed = true;
        else if (streq(word, "abandoned"))
                ;
        else
                return -EBADMSG;
        return 0;
}

int journal_parse(const char *text, size_t len, struct journal_summary *ret) {
        struct journal_summary s = { .verify = -1 };
        size_t pos = 0;

        while (pos < len) {
                const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
                char buf[1024];
                unsigned seq;
                uint32_t crc;
                int off = 0, r;

                if (!nl || (size_t) (nl - line) >= sizeof buf) {
                        s.torn = true; /* written only in part */
                        break;
                }
                memcpy(buf, line, (size_t) (nl - line));
                buf[nl - line] = 0;
                pos += (size_t) (nl - line) + 1;

                if (sscanf(buf, "%u %8" SCNx32 " %n", &seq, &crc, &off) != 2 || off == 0 ||
                    seq != s.n_records + 1) {
                        s.torn = true;
                        break;
                }
                /* the checksum covers "SEQ PAYLOAD" */
                char head[16];
                int hl = snprintf(head, sizeof head, "%u ", seq);
                if (crc32_update(crc32(head, (size_t) hl), buf + off, strlen(buf + off)) != crc) {
                        s.torn = true;
                        break;
                }
                r = apply_record(&s, buf + off);
                if (r == -ENOMEM) {
                        journal_summary_done(&s);
                        return r;
                }
                if (r < 0) {
                        s.torn = true;
                        break;
                }
                s.n_records++;
        }
        *ret = s;
        return 0;
}

enum txn_state journal_summary_state(const struct journal_summary *s) {
        if (s->rollback_done)
                return TXN_ROLLED_BACK;
        if (s->rollback_failed)
                return TXN_ROLLBACK_FAILED;
        if (s->committed)
                return TXN_COMMITTED;
        /* a torn "step-begin" may have been followed by the change: only a run that never
         * began a step is known to have changed nothing */
        if (s->steps_begun == 0 && !(s->torn && s->begun))
                return TXN_ABANDONED;
        if (s->verify == 1 && s->confirm_deadline > 0 && !s->rollback_begun && !s->torn)
                return TXN_AWAITING_CONFIRM;
        return TXN_INCOMPLETE;
}

static int open_dir_at(int parent_fd, const char *name, bool create) {
        int fd;

        if (create && mkdirat(parent_fd, name, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

static int open_state_dir(const char *state_dir, bool create) {
        int fd;

        if (create && mkdir(state_dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int journal_lock(const char *state_dir, bool wait, pid_t *ret_holder) {
        _cleanup_close_ int dfd = -1, fd = -1;
        char buf[32];
        int n;

        dfd = open_state_dir(state_dir, true);
        if (dfd < 0)
                return dfd;
        fd = openat(dfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
                int e = errno;
                ssize_t k = pread(fd, buf, sizeof buf - 1, 0);

                buf[k > 0 ? k : 0] = 0;
                if (ret_holder)
                        *ret_holder = (pid_t) atoi(buf);
                return -e;
        }
        n = snprintf(buf, sizeof buf, "%d\n", (int) getpid());
        if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t) n, 0) != n)
                return -errno;
        return TAKE_FD(fd);
}

static int read_all_at(int dir_fd, const char *name, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return read_full_fd(fd, JOURNAL_MAX_SIZE, ret, ret_len);
}

enum attach_mode {
        ATTACH_CREATE,
        ATTACH_APPEND,
        ATTACH_READ,
};

static int journal_attach(int txn_dir_fd, const char *state_dir, const char *id, enum attach_mode mode,
                          struct journal *ret) {
        struct journal j = JOURNAL_NULL;
        _cleanup_close_ int dfd = -1, lfd = -1;
        int flags = O_NOFOLLOW | O_CLOEXEC;

        dfd = open_dir_at(txn_dir_fd, id, false);
        if (dfd < 0)
                return dfd;
        flags |= mode == ATTACH_READ ? O_RDONLY : O_WRONLY | O_APPEND;
        if (mode == ATTACH_CREATE)
                flags |= O_CREAT | O_EXCL;
        lfd = openat(dfd, "journal", flags, 0600);
        if (lfd < 0)
                return -errno;
        if (mode == ATTACH_APPEND) {
                _cleanup_free_ char *text = NULL;
                struct journal_summary s;
                size_t len = 0, keep = 0;
                int r;

                r = read_all_at(dfd, "journal", &text, &len);
                if (r < 0)
                        return r;
                r = journal_parse(text, len, &s);
                if (r < 0)
                        return r;
                j.seq = (unsigned) s.n_records;
                journal_summary_done(&s);
                /* Records after a torn one would never be read: cut the torn tail off (only
                 * it: the valid records stay where they are). */
                for (unsigned n = 0; n < j.seq; n++)
                        keep += (size_t) (strchr(text + keep, '\n') - (text + keep)) + 1;
                if (keep < len && (ftruncate(lfd, (off_t) keep) < 0 || fsync(lfd) < 0))
                        return -errno;
                j.torn_tail = keep < len;
        }
        snprintf(j.id, sizeof j.id, "%s", id);
        j.path = strprintf("%s/txn/%s", state_dir, id);
        if (!j.path)
                return -ENOMEM;
        j.dir_fd = TAKE_FD(dfd);
        j.log_fd = TAKE_FD(lfd);
        *ret = j;
        return 0;
}

int journal_begin(const char *state_dir, struct journal *ret) {
        _cleanup_close_ int sfd = -1, tfd = -1;
        char id[48];
        struct timespec ts;
        struct tm tm;
        int r;

        sfd = open_state_dir(state_dir, true);
        if (sfd < 0)
                return sfd;
        tfd = open_dir_at(sfd, "txn", true);
        if (tfd < 0)
                return tfd;

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        /* sortable by time; the pid keeps two runs in one second apart */
        snprintf(id, sizeof id, "%04d%02d%02dT%02d%02d%02d-%d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec, (int) getpid());
        /* one process, two transactions in one second (a rollback's own run, tests): "-N"
         * after the pid, which still sorts after the first */
        size_t base = strlen(id);
        for (unsigned n = 2; mkdirat(tfd, id, 0700) < 0; n++) {
                if (errno != EEXIST || n > 99)
                        return -errno;
                snprintf(id + base, sizeof id - base, "-%u", n);
        }
        if (fsync(tfd) < 0)
                return -errno;
        r = journal_attach(tfd, state_dir, id, ATTACH_CREATE, ret);
        if (r < 0)
                return r;
        return fsync(ret->dir_fd) < 0 ? -errno : 0;
}

static bool id_valid(const char *id) {
        /* ids are ours: digits, 'T' and '-'; nothing that could leave the directory */
        return !isempty(id) && strlen(id) < 48 && strspn(id, "0123456789T-") == strlen(id);
}

int journal_open(const char *state_dir, const char *id, bool writable, struct journal *ret) {
        _cleanup_close_ int sfd = -1, tfd = -1;

        if (!id_valid(id))
                return -EINVAL;
        sfd = open_state_dir(state_dir, false);
        if (sfd < 0)
                return sfd;
        tfd = open_dir_at(sfd, "txn", false);
        if (tfd < 0)
                return tfd;
        return journal_attach(tfd, state_dir, id, writable ? ATTACH_APPEND : ATTACH_READ, ret);
}

void journal_close(struct journal *j) {
        if (!j)
                return;
        closep(&j->dir_fd);
        closep(&j->log_fd);
        free(j->path);
        *j = JOURNAL_NULL;
}

#ifdef SSHREPAIR_TEST_HOOKS
/* Test builds only: SSHREPAIR_TEST_KILL_AFTER=N kills the process right after record N is
 * on disk, so the tests can stop a run at every journal point; SSHREPAIR_TEST_PAUSE_AFTER=N
 * makes it sleep there for 5 seconds, so a test can start a second run meanwhile. */
static void test_kill_point(unsigned seq) {
        const char *e = getenv("SSHREPAIR_TEST_KILL_AFTER");

        if (e && (unsigned) atoi(e) == seq)
                raise(SIGKILL);
        e = getenv("SSHREPAIR_TEST_PAUSE_AFTER");
        if (e && (unsigned) atoi(e) == seq)
                sleep(5);
}
#else
static void test_kill_point(unsigned seq) {
}
#endif

int journal_record(struct journal *j, const char *format, ...) {
        _cleanup_free_ char *payload = NULL, *rec = NULL;
        char head[16];
        va_list ap;
        int r, hl;

        va_start(ap, format);
        r = vasprintf(&payload, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        payload[strcspn(payload, "\n")] = 0;

        hl = snprintf(head, sizeof head, "%u ", j->seq + 1);
        rec = strprintf("%u %08" PRIx32 " %s\n", j->seq + 1,
                        crc32_update(crc32(head, (size_t) hl), payload, strlen(payload)), payload);
        if (!rec)
                return -ENOMEM;
        r = write_full_fd(j->log_fd, rec, strlen(rec));
        if (r < 0)
                return r;
        if (fsync(j->log_fd) < 0)
                return -errno;
        j->seq++;
        test_kill_point(j->seq);
        return 0;
}

int journal_write_file(struct journal *j, const char *name, const char *data, size_t len) {
        _cleanup_close_ int fd = -1;
        int r;

        fd = openat(j->dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        r = write_full_fd(fd, data, len);
        if (r < 0)
                return r;
        if (fsync(fd) < 0)
                return -errno;
        return fsync(j->dir_fd) < 0 ? -errno : 0;
}

int journal_read_file(struct journal *j, const char *name, char **ret, size_t *ret_len) {
        return read_all_at(j->dir_fd, name, ret, ret_len);
}

int journal_summary(struct journal *j, struct journal_summary *ret) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r;

        r = read_all_at(j->dir_fd, "journal", &text, &len);
        if (r < 0)
                return r;
        r = journal_parse(text, len, ret);
        /* what was cut off still counts: the step it announced may have run */
        if (r >= 0 && j->torn_tail)
                ret->torn = true;
        return r;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int journal_list(const char *state_dir, char ***ret) {
        _cleanup_strv_free_ char **ids = NULL;
        _cleanup_close_ int sfd = -1;
        int tfd;
        DIR *d;
        struct dirent *de;

        sfd = open_state_dir(state_dir, false);
        if (sfd == -ENOENT) {
                *ret = NULL;
                return 0;
        }
        if (sfd < 0)
                return sfd;
        tfd = open_dir_at(sfd, "txn", false);
        if (tfd == -ENOENT) {
                *ret = NULL;
                return 0;
        }
        if (tfd < 0)
                return tfd;
        d = fdopendir(tfd);
        if (!d) {
                close(tfd);
                return -errno;
        }
        while ((de = readdir(d)))
                if (id_valid(de->d_name) && strv_extend(&ids, de->d_name) < 0) {
                        closedir(d);
                        return -ENOMEM;
                }
        closedir(d);
        if (ids)
                qsort(ids, strv_length(ids), sizeof(char *), cmp_str);
        *ret = TAKE_PTR(ids);
        return 0;
}

static int remove_txn_dir(const char *state_dir, const char *id) {
        _cleanup_close_ int sfd = -1, tfd = -1, dfd = -1;
        DIR *d;
        struct dirent *de;

        sfd = open_state_dir(state_dir, false);
        if (sfd < 0)
                return sfd;
        tfd = open_dir_at(sfd, "txn", false);
        if (tfd < 0)
                return tfd;
        dfd = open_dir_at(tfd, id, false);
        if (dfd < 0)
                return dfd;
        d = fdopendir(TAKE_FD(dfd));
        if (!d)
                return -errno;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
        return unlinkat(tfd, id, AT_REMOVEDIR) < 0 ? -errno : 0;
}

int journal_prune(const char *state_dir, size_t keep) {
        _cleanup_strv_free_ char **ids = NULL;
        size_t n, finished = 0;
        int r;

        r = journal_list(state_dir, &ids);
        if (r < 0)
                return r;
        n = ids ? strv_length(ids) : 0;
        /* newest first: keep the first 'keep' finished ones, never an unfinished one */
        for (size_t i = n; i > 0; i--) {
                struct journal j = JOURNAL_NULL;
                struct journal_summary s;
                enum txn_state st;

                if (journal_open(state_dir, ids[i - 1], false, &j) < 0)
                        continue;
                r = journal_summary(&j, &s);
                journal_close(&j);
                if (r < 0)
                        continue;
                st = journal_summary_state(&s);
                journal_summary_done(&s);
                if (st != TXN_COMMITTED && st != TXN_ROLLED_BACK && st != TXN_ABANDONED)
                        continue;
                if (++finished > keep)
                        (void) remove_txn_dir(state_dir, ids[i - 1]);
        }
        return 0;
}
