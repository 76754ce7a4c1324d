#pragma once

/* Runs programs without a shell: fork + execve with a fixed environment (PATH, LC_ALL=C),
 * stdin fed from a buffer (or /dev/null), stdout and stderr captured up to a size cap,
 * and a deadline after which the child is killed. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct exec_result {
        int status;      /* the exit code; 128 + N when killed by signal N; -1: not run */
        char *out;       /* NUL-terminated; never NULL after a successful run */
        size_t out_len;
        char *err;
        size_t err_len;
        bool truncated;  /* output beyond the cap was dropped */
        bool timed_out;  /* killed at the deadline */
};

struct exec_job {
        const char *const *argv; /* argv[0] is an absolute path */
        const char *input;       /* NULL: /dev/null */
        size_t input_len;
        struct exec_result result;
        /* Optional: called whenever more of stdout arrived, result.out holding all of it so
         * far (it may move between calls). A return < 0 ends the run with that error. */
        int (*on_output)(struct exec_job *j);
        void *userdata;
        /* private */
        pid_t pid;
        int fd_in, fd_out, fd_err;
        size_t input_off;
        size_t out_cap, err_cap;
};

#define EXEC_TIMEOUT_MS_DEFAULT 30000
#define EXEC_MAX_OUTPUT_DEFAULT (256u * 1024 * 1024)

/* Runs one program to completion. Returns < 0 only when it could not be started or
 * waited for; a non-zero exit is ret->status. The caller frees ret with exec_result_done(). */
int exec_run(const char *const *argv, const char *input, size_t input_len, unsigned timeout_ms,
             struct exec_result *ret);

/* Runs several programs at the same time and waits for all of them. */
int exec_run_many(struct exec_job *jobs, size_t n, unsigned timeout_ms, size_t max_output);

/* The same in two halves, for a caller that starts programs early and waits for them
 * later (perhaps in another thread): jobs without input only (-EINVAL for such
 * a job). A job that could not
 * be started has status -1; the first such error is returned once all were tried. The
 * deadline counts from the wait. */
int exec_start_many(struct exec_job *jobs, size_t n);
int exec_wait_many(struct exec_job *jobs, size_t n, unsigned timeout_ms, size_t max_output);

void exec_result_done(struct exec_result *r);

/* The first line of stderr (or stdout), for error messages: "exit 1: iptables: Bad rule";
 * "timed out"; "could not be run" (status -1). */
char *exec_result_describe(const struct exec_result *r);

/* Finds a program in the system directories (/usr/sbin, /usr/bin, /sbin, /bin); returns a
 * newly allocated path or NULL. */
char *exec_find_program(const char *name);
