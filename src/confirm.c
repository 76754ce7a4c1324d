#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "confirm.h"
#include "systemd/systemd-timer.h"
#include "util/strv.h"
#include "util/time-util.h"

static char *unit_name(const char *id) {
        return strprintf("sshrepair-rollback-%s", id);
}

static bool use_systemd(void) {
#ifdef SSHREPAIR_TEST_HOOKS
        /* test builds: exercise the watchdog on a host that has systemd */
        if (getenv("SSHREPAIR_TEST_WATCHDOG"))
                return false;
#endif
        return sd_booted() > 0;
}

static int self_path(char buf[static PATH_MAX]) {
        ssize_t n = readlink("/proc/self/exe", buf, PATH_MAX - 1);

        if (n < 0)
                return -errno;
        buf[n] = 0;
        return 0;
}

/* Double fork and setsid: the watchdog has no controlling terminal and is not a child of
 * the operator's shell, so a hang-up or a killed process group does not reach it. */
static int watchdog_schedule(const char *exe, const char *id, unsigned seconds, pid_t *ret_pid) {
        int pipefd[2];
        pid_t pid, grandchild = 0;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                close(pipefd[0]);
                close(pipefd[1]);
                return -errno;
        }
        if (pid == 0) {
                pid_t p;

                close(pipefd[0]);
                if (setsid() < 0)
                        _exit(1);
                p = fork();
                if (p != 0) {
                        (void) !write(pipefd[1], &p, sizeof p);
                        _exit(p < 0);
                }
                /* Not one inherited descriptor: a copy of the state lock would keep every later
                 * `sshrepair confirm` waiting until this watchdog fires. */
                close_range(3, ~0U, 0);
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, STDIN_FILENO);
                        dup2(null, STDOUT_FILENO);
                        dup2(null, STDERR_FILENO);
                }
                signal(SIGHUP, SIG_IGN);
                /* sleep() can wake early on a signal: wait for the deadline itself */
                uint64_t deadline = now_usec(CLOCK_MONOTONIC) + (uint64_t) seconds * USEC_PER_SEC;
                for (uint64_t n; (n = now_usec(CLOCK_MONOTONIC)) < deadline;)
                        (void) usleep((useconds_t) ((deadline - n) > USEC_PER_SEC ? USEC_PER_SEC : deadline - n));
                execl(exe, exe, "rollback", "--if-unconfirmed", id, (char *) NULL);
                _exit(127);
        }
        close(pipefd[1]);
        if (read(pipefd[0], &grandchild, sizeof grandchild) != sizeof grandchild)
                grandchild = 0;
        close(pipefd[0]);
        (void) waitpid(pid, NULL, 0);
        if (grandchild <= 0)
                return -ECHILD;
        *ret_pid = grandchild;
        return 0;
}

int confirm_schedule(const char *id, unsigned seconds, char **ret_how) {
        _cleanup_free_ char *name = unit_name(id);
        char exe[PATH_MAX];
        int r;

        if (!name)
                return -ENOMEM;
        r = self_path(exe);
        if (r < 0)
                return r;
        if (use_systemd()) {
                r = sd_timer_schedule(name, (uint64_t) seconds * USEC_PER_SEC,
                                      (char *const[]) { exe, (char *) "rollback", (char *) "--if-unconfirmed",
                                                        (char *) id, NULL });
                if (r >= 0) {
                        *ret_how = strprintf("systemd timer %s.timer", name);
                        return *ret_how ? 0 : -ENOMEM;
                }
                /* fall back to the watchdog */
        }
        pid_t pid = 0;
        r = watchdog_schedule(exe, id, seconds, &pid);
        if (r < 0)
                return r;
        *ret_how = strprintf("watchdog process %d", (int) pid);
        return *ret_how ? 0 : -ENOMEM;
}

int confirm_cancel(const char *id) {
        _cleanup_free_ char *name = unit_name(id);

        if (!name)
                return -ENOMEM;
        /* A watchdog finds the transaction confirmed and does nothing. */
        if (use_systemd())
                return sd_timer_cancel(name);
        return 0;
}
