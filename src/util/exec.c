#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/exec.h"
#include "util/strv.h"
#include "util/time-util.h"

static const char *const exec_env[] = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LC_ALL=C",
        NULL,
};

static uint64_t exec_now_ms(void) {
        return now_usec(CLOCK_MONOTONIC) / USEC_PER_MSEC;
}

void exec_result_done(struct exec_result *r) {
        if (!r)
                return;
        free(r->out);
        free(r->err);
        *r = (struct exec_result) { .status = -1 };
}

char *exec_find_program(const char *name) {
        static const char *const dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin", NULL };

        for (const char *const *d = dirs; *d; d++) {
                _cleanup_free_ char *p = strprintf("%s/%s", *d, name);

                if (!p)
                        return NULL;
                if (access(p, X_OK) == 0)
                        return TAKE_PTR(p);
        }
        return NULL;
}

static void close_fd(int *fd) {
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

static int job_start(struct exec_job *j) {
        int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
        pid_t pid;

        j->result = (struct exec_result) { .status = -1 };
        j->pid = 0;
        j->fd_in = j->fd_out = j->fd_err = -1;
        j->input_off = 0;
        j->out_cap = j->err_cap = 0;

        if ((j->input && pipe2(in, O_CLOEXEC) < 0) || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
                goto fail;
        pid = fork();
        if (pid < 0)
                goto fail;
        if (pid == 0) {
                int devnull = -1;

                if (!j->input) {
                        devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
                        if (devnull < 0)
                                _exit(127);
                }
                if (dup2(j->input ? in[0] : devnull, STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
                    dup2(err[1], STDERR_FILENO) < 0)
                        _exit(127);
                /* every other descriptor is O_CLOEXEC or closed by the kernel at execve */
                signal(SIGPIPE, SIG_DFL);
                /* a thread that started it may block signals: the program gets none blocked */
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                execve(j->argv[0], (char *const *) j->argv, (char *const *) exec_env);
                _exit(127);
        }
        j->pid = pid;
        if (j->input) {
                close(in[0]);
                j->fd_in = in[1];
                (void) fcntl(j->fd_in, F_SETFL, O_NONBLOCK);
        }
        close(out[1]);
        close(err[1]);
        j->fd_out = out[0];
        j->fd_err = err[0];
        (void) fcntl(j->fd_out, F_SETFL, O_NONBLOCK);
        (void) fcntl(j->fd_err, F_SETFL, O_NONBLOCK);
        return 0;
fail: {
        int e = errno;
        const int fds[] = { in[0], in[1], out[0], out[1], err[0], err[1] };

        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        return -e;
}
}

static int append(char **buf, size_t *len, size_t *cap, const char *data, size_t n, size_t max, bool *truncated) {
        if (*len + n > max) {
                *truncated = true;
                n = max > *len ? max - *len : 0;
        }
        if (*len + n + 1 > *cap) {
                size_t c = *cap ? *cap : 4096;
                char *b;

                while (c < *len + n + 1)
                        c *= 2;
                b = realloc(*buf, c);
                if (!b)
                        return -ENOMEM;
                *buf = b;
                *cap = c;
        }
        memcpy(*buf + *len, data, n);
        *len += n;
        (*buf)[*len] = 0;
        return 0;
}

/* Reads what is there; returns 1 at EOF. */
static int drain(int fd, char **buf, size_t *len, size_t *cap, size_t max, bool *truncated) {
        char chunk[65536];

        for (;;) {
                ssize_t k = read(fd, chunk, sizeof chunk);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return 0;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return 1;
                if (append(buf, len, cap, chunk, (size_t) k, max, truncated) < 0)
                        return -ENOMEM;
                if ((size_t) k < sizeof chunk)
                        return 0;
        }
}

/* Starts every job (refused with -EINVAL: one with input, when 'no_input'); the first
 * error, once all were tried. */
static int start_all(struct exec_job *jobs, size_t n, bool no_input) {
        int r = 0;

        for (size_t i = 0; i < n; i++) {
                struct exec_job *j = &jobs[i];
                int k;

                if (no_input && j->input) { /* not started, and nothing for the wait to do */
                        j->result = (struct exec_result) { .status = -1 };
                        j->pid = 0;
                        j->fd_in = j->fd_out = j->fd_err = -1;
                        k = -EINVAL;
                } else
                        k = job_start(j);
                if (k < 0 && r == 0)
                        r = k;
        }
        return r;
}

int exec_start_many(struct exec_job *jobs, size_t n) {
        return start_all(jobs, n, true);
}

/* Waits for started jobs: feeds their input, reads their output, reaps them. 'r' is the
 * error of their start, kept. */
static int wait_many(struct exec_job *jobs, size_t n, unsigned timeout_ms, size_t max_output, int r) {
        uint64_t deadline = exec_now_ms() + timeout_ms;
        _cleanup_free_ struct pollfd *pfd = NULL;

        pfd = calloc(n * 3 + 1, sizeof(*pfd));
        if (!pfd)
                r = -ENOMEM;
        for (;;) {
                size_t np = 0;
                uint64_t now = exec_now_ms();

                for (size_t i = 0; i < n; i++)
                        np += (jobs[i].fd_in >= 0) + (jobs[i].fd_out >= 0) + (jobs[i].fd_err >= 0);
                if (np == 0)
                        break;
                /* at the deadline (or out of memory) the programs are killed */
                if (!pfd || now >= deadline) {
                        for (size_t i = 0; i < n; i++)
                                if (jobs[i].pid > 0 && (jobs[i].fd_out >= 0 || jobs[i].fd_err >= 0)) {
                                        kill(jobs[i].pid, SIGKILL);
                                        jobs[i].result.timed_out = true;
                                        close_fd(&jobs[i].fd_in);
                                        close_fd(&jobs[i].fd_out);
                                        close_fd(&jobs[i].fd_err);
                                }
                        break;
                }
                np = 0;
                for (size_t i = 0; i < n; i++) {
                        struct exec_job *j = &jobs[i];

                        if (j->fd_in >= 0)
                                pfd[np++] = (struct pollfd) { .fd = j->fd_in, .events = POLLOUT };
                        if (j->fd_out >= 0)
                                pfd[np++] = (struct pollfd) { .fd = j->fd_out, .events = POLLIN };
                        if (j->fd_err >= 0)
                                pfd[np++] = (struct pollfd) { .fd = j->fd_err, .events = POLLIN };
                }
                if (poll(pfd, np, (int) (deadline - now)) < 0 && errno != EINTR) {
                        r = r ?: -errno;
                        break;
                }
                for (size_t i = 0; i < n; i++) {
                        struct exec_job *j = &jobs[i];
                        struct exec_result *x = &j->result;
                        int k;

                        if (j->fd_in >= 0) {
                                ssize_t w = write(j->fd_in, j->input + j->input_off, j->input_len - j->input_off);

                                if (w > 0)
                                        j->input_off += (size_t) w;
                                if ((w < 0 && errno != EAGAIN && errno != EINTR) || j->input_off >= j->input_len)
                                        close_fd(&j->fd_in);
                        }
                        if (j->fd_out >= 0) {
                                size_t before = x->out_len;

                                k = drain(j->fd_out, &x->out, &x->out_len, &j->out_cap, max_output, &x->truncated);
                                if (k >= 0 && x->out_len > before && j->on_output)
                                        k = j->on_output(j);
                                if (k != 0)
                                        close_fd(&j->fd_out);
                                if (k < 0)
                                        r = r ?: k;
                        }
                        if (j->fd_err >= 0) {
                                k = drain(j->fd_err, &x->err, &x->err_len, &j->err_cap, max_output, &x->truncated);
                                if (k != 0)
                                        close_fd(&j->fd_err);
                                if (k < 0)
                                        r = r ?: k;
                        }
                }
        }

        for (size_t i = 0; i < n; i++) {
                struct exec_job *j = &jobs[i];
                int status;

                close_fd(&j->fd_in);
                close_fd(&j->fd_out);
                close_fd(&j->fd_err);
                if (j->pid <= 0)
                        continue;
                while (waitpid(j->pid, &status, 0) < 0)
                        if (errno != EINTR) {
                                status = -1;
                                break;
                        }
                j->pid = 0;
                if (status == -1)
                        j->result.status = -1;
                else if (WIFEXITED(status))
                        j->result.status = WEXITSTATUS(status);
                else if (WIFSIGNALED(status))
                        j->result.status = 128 + WTERMSIG(status);
                if (!j->result.out)
                        j->result.out = strdup("");
                if (!j->result.err)
                        j->result.err = strdup("");
                if (!j->result.out || !j->result.err)
                        r = r ?: -ENOMEM;
        }
        return r;
}

int exec_wait_many(struct exec_job *jobs, size_t n, unsigned timeout_ms, size_t max_output) {
        return wait_many(jobs, n, timeout_ms, max_output, 0);
}

int exec_run_many(struct exec_job *jobs, size_t n, unsigned timeout_ms, size_t max_output) {
        struct sigaction ign = { .sa_handler = SIG_IGN }, old;
        bool input = false;
        int r;

        /* a child that exits before reading all its input must not kill us (only then: the
         * disposition is the process's, and other threads may run programs too) */
        for (size_t i = 0; i < n; i++)
                input = input || jobs[i].input;
        if (input)
                sigaction(SIGPIPE, &ign, &old);
        r = wait_many(jobs, n, timeout_ms, max_output, start_all(jobs, n, false));
        if (input)
                sigaction(SIGPIPE, &old, NULL);
        return r;
}

int exec_run(const char *const *argv, const char *input, size_t input_len, unsigned timeout_ms,
             struct exec_result *ret) {
        struct exec_job j = { .argv = argv, .input = input, .input_len = input_len };
        int r;

        r = exec_run_many(&j, 1, timeout_ms, EXEC_MAX_OUTPUT_DEFAULT);
        if (r < 0) {
                exec_result_done(&j.result);
                return r;
        }
        *ret = j.result;
        return 0;
}

char *exec_result_describe(const struct exec_result *r) {
        const char *s = !isempty(r->err) ? r->err : strna(r->out);
        size_t n = strcspn(s, "\n");

        if (r->timed_out)
                return strdup("timed out");
        if (r->status < 0)
                return strdup("could not be run");
        return strprintf("exit %d%s%.*s", r->status, n ? ": " : "", (int) (n > 300 ? 300 : n), s);
}
