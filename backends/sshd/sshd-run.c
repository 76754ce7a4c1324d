/* Running sshd -t / -T and reading what it prints. */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sshd-run.h"
#include "util/log.h"
#include "util/strv.h"

#define EXEC_TIMEOUT_MS 30000
#define EXEC_MAX_OUTPUT (4u << 20)

struct buf {
        char *data;
        size_t len;
        bool done;
};

static int buf_read(int fd, struct buf *b) {
        char chunk[4096];
        ssize_t k = read(fd, chunk, sizeof chunk);

        if (k < 0)
                return errno == EINTR || errno == EAGAIN ? 0 : -errno;
        if (k == 0) {
                b->done = true;
                return 0;
        }
        if (b->len + (size_t) k > EXEC_MAX_OUTPUT)
                return 0; /* drop the excess, keep draining */
        char *n = realloc(b->data, b->len + (size_t) k + 1);
        if (!n)
                return -ENOMEM;
        memcpy(n + b->len, chunk, (size_t) k);
        b->data = n;
        b->len += (size_t) k;
        b->data[b->len] = 0;
        return 0;
}

/* --root: sshd is the tree's own, run chrooted into it (NULL: the live host). */
static const char *run_root;

void sshd_run_set_root(const char *root) {
        run_root = root && root[0] && !streq(root, "/") ? root : NULL;
}

const char *sshd_run_get_root(void) {
        return run_root;
}

/* Offline, a file for the chrooted sshd to read (sshd_match_applies()): written on this
 * host, and copied by the child into its own tmpfs on DIR/run, so the tree gets no file. */
static const char *run_scratch;
#define RUN_SCRATCH_NAME "/run/sshrepair-match"

/* In the child: copies run_scratch into the tmpfs; only async-signal-safe calls. */
static int place_scratch(const char *root) {
        char dst[4096], buf[4096];
        int in, out, ok = 0;
        ssize_t k;

        if ((size_t) snprintf(dst, sizeof dst, "%s" RUN_SCRATCH_NAME, root) >= sizeof dst)
                return -1;
        in = open(run_scratch, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return -1;
        out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (out < 0) {
                close(in);
                return -1;
        }
        while ((k = read(in, buf, sizeof buf)) > 0)
                if (write(out, buf, (size_t) k) != k) {
                        ok = -1;
                        break;
                }
        if (k < 0)
                ok = -1;
        close(in);
        close(out);
        return ok;
}

/* In the child: enter the tree. sshd insists on its privilege separation directory
 * (/run/sshd), which a tree at rest does not have: in a mount namespace of the child's own,
 * an empty tmpfs on DIR/run gets one (and the scratch file), and the tree itself is not
 * changed. */
static void enter_root(const char *root) {
        char run[4096], sshd_dir[4096];
        struct stat st;
        bool tmpfs = false;

        if ((size_t) snprintf(run, sizeof run, "%s/run", root) >= sizeof run ||
            (size_t) snprintf(sshd_dir, sizeof sshd_dir, "%s/run/sshd", root) >= sizeof sshd_dir)
                _exit(126);
        if ((run_scratch || stat(sshd_dir, &st) < 0) && unshare(CLONE_NEWNS) == 0 &&
            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
            mount("tmpfs", run, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == 0) {
                tmpfs = true;
                (void) mkdir(sshd_dir, 0755);
        }
        if (stat(sshd_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
                dprintf(STDERR_FILENO, "sshrepair: no /run/sshd in %s, and none could be mounted\n", root);
                _exit(126);
        }
        if (run_scratch && (!tmpfs || place_scratch(root) < 0)) {
                dprintf(STDERR_FILENO, "sshrepair: cannot place a scratch file on a tmpfs in %s\n", root);
                _exit(126);
        }
        if (chroot(root) < 0 || chdir("/") < 0) {
                dprintf(STDERR_FILENO, "sshrepair: cannot chroot into %s: %s\n", root, strerror(errno));
                _exit(126);
        }
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sshd_exec(char *const *argv, char **ret_out, char **ret_err, int *ret_status) {
        static char *const env[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", (char *) "LC_ALL=C", NULL };
        int out[2] = { -1, -1 }, err[2] = { -1, -1 }, status = 0, r = 0;
        struct buf bo = {}, be = {};
        long long deadline = now_ms() + EXEC_TIMEOUT_MS;
        pid_t pid;

        if (pipe2(out, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(err, O_CLOEXEC) < 0) {
                r = -errno;
                close(out[0]);
                close(out[1]);
                return r;
        }
        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(out[0]), close(out[1]), close(err[0]), close(err[1]);
                return r;
        }
        if (pid == 0) {
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

                if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
                    dup2(err[1], STDERR_FILENO) < 0)
                        _exit(127);
                if (run_root)
                        enter_root(run_root);
                execve(argv[0], argv, env);
                if (run_root)
                        dprintf(STDERR_FILENO, "sshrepair: cannot run %s in %s: %s\n", argv[0], run_root, strerror(errno));
                _exit(127);
        }
        close(out[1]);
        close(err[1]);

        while (!bo.done || !be.done) {
                struct pollfd p[2] = {
                        { .fd = bo.done ? -1 : out[0], .events = POLLIN },
                        { .fd = be.done ? -1 : err[0], .events = POLLIN },
                };
                long long left = deadline - now_ms();
                int k;

                if (left <= 0) {
                        (void) kill(pid, SIGKILL);
                        r = -ETIMEDOUT;
                        break;
                }
                k = poll(p, 2, (int) left);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        r = -errno;
                        (void) kill(pid, SIGKILL);
                        break;
                }
                if (p[0].revents && (r = buf_read(out[0], &bo)) < 0)
                        break;
                if (p[1].revents && (r = buf_read(err[0], &be)) < 0)
                        break;
        }
        close(out[0]);
        close(err[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        r = r ?: -errno;
                        break;
                }
        if (r < 0) {
                free(bo.data);
                free(be.data);
                return r;
        }
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        *ret_out = bo.data ?: strdup("");
        *ret_err = be.data ?: strdup("");
        if (!*ret_out || !*ret_err) {
                free(*ret_out);
                free(*ret_err);
                return -ENOMEM;
        }
        return 0;
}

int sshd_ensure_run_dir(void) {
        struct stat st;

        if (stat("/run/sshd", &st) == 0)
                return 0;
        if (errno != ENOENT)
                return -errno;
        if (mkdir("/run/sshd", 0755) < 0)
                return errno == EEXIST ? 0 : -errno;
        /* umask may have taken bits away */
        if (chmod("/run/sshd", 0755) < 0)
                return -errno;
        return 1;
}

/* Runs sshd. systemd removes /run/sshd whenever ssh.service stops, which it does between
 * the attempts of an auto-restart loop too: make sure it is there right before each run,
 * and once more if sshd still complains about it. */
static int run_sshd(char *const *argv, char **ret_out, char **ret_err, int *ret_status) {
        for (int attempt = 0;; attempt++) {
                int r;

                *ret_status = -1;
                if (run_root) {
                        /* offline: 126/127 is our child failing to get there, not sshd's verdict */
                        r = sshd_exec(argv, ret_out, ret_err, ret_status);
                        if (r >= 0 && (*ret_status == 126 || *ret_status == 127)) {
                                log_debug("sshd could not run in %s: %s", run_root, *ret_err);
                                free(*ret_out);
                                free(*ret_err);
                                *ret_out = *ret_err = NULL;
                                return -ENOEXEC;
                        }
                        return r;
                }
                (void) sshd_ensure_run_dir();
                r = sshd_exec(argv, ret_out, ret_err, ret_status);
                if (r < 0 || *ret_status == 0 || attempt > 0 || !*ret_err ||
                    !strstr(*ret_err, "Missing privilege separation directory"))
                        return r;
                free(*ret_out);
                free(*ret_err);
        }
}

static int split_lines(const char *text, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = text;

        while (p && *p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                char *line = strndup(p, len);

                if (!line)
                        return -ENOMEM;
                strstrip_trailing(line);
                if (*line == 0)
                        free(line);
                else if (strv_consume(&l, line) < 0) {
                        free(line);
                        return -ENOMEM;
                }
                p = nl ? nl + 1 : NULL;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int sshd_test(const char *sshd, const char *config, char ***ret_messages) {
        char *argv[] = { (char *) sshd, (char *) "-t", config ? (char *) "-f" : NULL, (char *) config, NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        int status, r;

        r = run_sshd(argv, &out, &err, &status);
        if (r < 0)
                return r;
        if (ret_messages) {
                r = split_lines(err, ret_messages);
                if (r < 0)
                        return r;
        }
        return status == 0 ? 1 : 0;
}

int sshd_dump_parse(const char *out, char **effective[static _SSHD_KEY_MAX], char ***ret_hostkeys) {
        _cleanup_strv_free_ char **lines = NULL, **hostkeys = NULL;
        char **eff[_SSHD_KEY_MAX] = {};
        int r;

        r = split_lines(out, &lines);
        if (r < 0)
                return r;
        for (char **l = lines; l && *l; l++) {
                char *sp = strchr(*l, ' ');
                enum sshd_key k = _SSHD_KEY_INVALID;

                if (!sp)
                        continue;
                *sp = 0;
                if (streq(*l, "hostkey"))
                        r = strv_extend(&hostkeys, sp + 1);
                else {
                        for (int i = 0; i < _SSHD_KEY_MAX; i++)
                                if (streq(*l, sshd_key_dump_name((enum sshd_key) i)))
                                        k = (enum sshd_key) i;
                        r = k == _SSHD_KEY_INVALID ? 0 : strv_extend(&eff[k], sp + 1);
                }
                if (r < 0)
                        goto fail;
        }
        for (int i = 0; i < _SSHD_KEY_MAX; i++) {
                strv_free(effective[i]);
                effective[i] = eff[i];
        }
        if (ret_hostkeys) {
                strv_free(*ret_hostkeys);
                *ret_hostkeys = TAKE_PTR(hostkeys);
        }
        return 0;
fail:
        for (int i = 0; i < _SSHD_KEY_MAX; i++)
                strv_free(eff[i]);
        return r;
}

int sshd_dump(const char *sshd, const char *config, const char *spec, char **effective[static _SSHD_KEY_MAX],
              char ***ret_hostkeys, char ***ret_messages) {
        char *argv[8];
        size_t n = 0;
        _cleanup_free_ char *out = NULL, *err = NULL;
        int status, r;

        argv[n++] = (char *) sshd;
        argv[n++] = (char *) "-T";
        if (config) {
                argv[n++] = (char *) "-f";
                argv[n++] = (char *) config;
        }
        if (spec) {
                argv[n++] = (char *) "-C";
                argv[n++] = (char *) spec;
        }
        argv[n] = NULL;

        r = run_sshd(argv, &out, &err, &status);
        if (r < 0)
                return r;
        if (status != 0) {
                if (ret_messages && split_lines(err, ret_messages) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        return sshd_dump_parse(out, effective, ret_hostkeys);
}

int sshd_parse_error_location(const char *message, char **ret_file, unsigned *ret_line) {
        /* servconf.c prints both "%s line %d: ..." and "%s: line %d: ...". */
        const char *p = strstr(message, " line ");
        const char *end;
        unsigned long line;
        char *e, *file;

        if (!p || p == message)
                return -ENOENT;
        end = p;
        if (end[-1] == ':')
                end--;
        if (!isdigit((unsigned char) p[6]))
                return -ENOENT;
        line = strtoul(p + 6, &e, 10);
        if (*e != ':' || line == 0 || line > 100000000)
                return -ENOENT;
        file = strndup(message, (size_t) (end - message));
        if (!file)
                return -ENOMEM;
        if (file[0] != '/') {
                free(file);
                return -ENOENT;
        }
        *ret_file = file;
        *ret_line = (unsigned) line;
        return 0;
}

int sshd_match_applies(const char *sshd, const char *criteria, const char *spec, char *const *hostkeys) {
        char path[] = "/tmp/sshrepair-match-XXXXXX";
        /* offline the chrooted sshd reads the copy that the child puts on its tmpfs */
        char *argv[] = { (char *) sshd, (char *) "-T", (char *) "-f", run_root ? (char *) RUN_SCRATCH_NAME : path,
                         (char *) "-C", (char *) spec, NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        FILE *f;
        int fd, status, r;

        if (strchr(criteria, '\n'))
                return -EINVAL;
        fd = mkstemp(path);
        if (fd < 0)
                return -errno;
        f = fdopen(fd, "w");
        if (!f) {
                r = -errno;
                close(fd);
                unlink(path);
                return r;
        }
        for (char *const *h = hostkeys; h && *h; h++)
                fprintf(f, "HostKey %s\n", *h);
        /* PermitTTY defaults to yes: "no" in the output means the block applied. */
        fprintf(f, "Match %s\n\tPermitTTY no\n", criteria);
        if (fclose(f) != 0) {
                unlink(path);
                return -EIO;
        }
        run_scratch = run_root ? path : NULL;
        r = run_sshd(argv, &out, &err, &status);
        run_scratch = NULL;
        unlink(path);
        if (r < 0)
                return r;
        if (status != 0)
                return -EINVAL;
        if (strstr(out, "\npermittty no\n"))
                return 1;
        if (strstr(out, "\npermittty yes\n"))
                return 0;
        return -EBADMSG;
}
