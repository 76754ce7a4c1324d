#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "engine.h"
#include "events.h"
#include "plans/plans.h"
#include "render.h"
#include "txn.h"
#include "util/log.h"
#include "util/strv.h"
#include "verify.h"

/* Before any change: how long one connect may take to see a banner. */
#define PROBE_TIMEOUT_MS 2000

static int probe_all(const struct options *o, const struct backend *const *list, struct facts *f) {
        int r;

        f->is_root = geteuid() == 0;
        if (!f->is_root) {
                r = strv_extend(&f->unreadable, "not root: journal, firewall rules and root-only files may be "
                                                "incomplete or missing; applying a plan needs root");
                if (r < 0)
                        return log_oom();
        }
        for (const struct backend *const *b = list ?: backends; *b; b++)
                if ((*b)->prefetch)
                        (*b)->prefetch(o);
        /* the connect check first: it needs nothing the probes find, and runs while what
         * prefetch started (big firewall dumps) still runs */
        if (!options_offline(o)) { /* offline nothing of the tree runs here: no connect check */
                r = verify_ports(o, PROBE_TIMEOUT_MS, &f->answers, &f->n_answers);
                if (r < 0)
                        return r;
        }
        for (const struct backend *const *b = list ?: backends; *b; b++) {
                if (!(*b)->probe)
                        continue;
                r = (*b)->probe(o, f);
                if (r < 0)
                        return log_error_errno(r, "Failed to probe '%s': %m", (*b)->name);
        }
        return 0;
}

struct progress_state {
        FILE *out;
        size_t i;
        const struct step *step;
};

static void progress_step_begin(void *userdata, size_t i, size_t n, const struct step *s) {
        struct progress_state *p = userdata;

        p->i = i;
        p->step = s;
        render_text_step_begin(p->out, i, n, s);
}

static void progress_step_end(void *userdata, int error, char *const *details) {
        struct progress_state *p = userdata;

        render_text_step_end(p->out, error, details);
        events_step(p->i, p->step, error);
}

static void progress_message(void *userdata, const char *text) {
        struct progress_state *p = userdata;

        fprintf(p->out, "%s\n", text);
        fflush(p->out);
}

/* Writes the JSON report atomically, readable by root only. */
static int write_report(const char *path, const struct options *o, const struct facts *f, const struct plan *p,
                        const struct outcome *oc) {
        _cleanup_free_ char *dir = strdup(path), *tmp = strprintf("%s.tmp", path);
        _cleanup_close_ int fd = -1;
        FILE *out;
        char *slash;

        if (!dir || !tmp)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = 0;
                if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                        return -errno;
        }
        (void) unlink(tmp);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        out = fdopen(TAKE_FD(fd), "w");
        if (!out)
                return -errno;
        render_json(out, o, f, p, oc);
        if (fflush(out) != 0 || fsync(fileno(out)) < 0) {
                int e = errno;
                fclose(out);
                return -e;
        }
        if (fclose(out) != 0)
                return -errno;
        return rename(tmp, path) < 0 ? -errno : 0;
}

static bool ask(const struct engine_io *io, FILE *prompt) {
        char answer[16];

        fputs("\nApply? [y/N] ", prompt);
        fflush(prompt);
        if (!fgets(answer, sizeof answer, io->tty_in))
                return false;
        return answer[0] == 'y' || answer[0] == 'Y';
}

static int set_message(struct outcome *oc, int exit_code, const char *message) {
        oc->exit_code = exit_code;
        free(oc->message);
        oc->message = strdup(message);
        return exit_code;
}

/* Decides whether to apply; returns -1 to apply, else the exit code. */
static int decide(const struct options *o, const struct engine_io *io, const struct facts *f,
                  const struct plan *p, struct outcome *oc) {
        if (p->n_faults == 0)
                return set_message(oc, 0, options_offline(o) ? "No fault found in the tree: nothing to do "
                                                               "(SSH itself is checked only after it boots)"
                                                             : "SSH answers: nothing to do");
        if (!plan_has_fixable(p))
                return set_message(oc, 1, "Nothing here can be repaired automatically: see 'what to do' above");
        if (o->dry_run)
                return set_message(oc, 1, "Dry run: nothing was changed");
        if (!o->yes) {
                if (!io->tty_in)
                        return set_message(oc, 1, "No terminal to ask and no --yes: behaved as --dry-run, "
                                                  "nothing was changed");
                if (!ask(io, o->json ? stderr : io->out))
                        return set_message(oc, 1, "Not applied: nothing was changed");
        }
        if (!f->is_root)
                return set_message(oc, 5, "Only root can apply the plan: nothing was changed");
        return -1;
}

int engine_repair(const struct options *o, const struct engine_io *io) {
        struct facts facts = {};
        struct plan plan = {};
        struct outcome oc = {};
        int r, exit_code;

        r = probe_all(o, io->backends, &facts);
        if (r < 0) {
                exit_code = 5;
                goto out;
        }
        r = plan_build(&facts, o, &plan);
        if (r < 0) {
                log_error_errno(r, "Failed to build the plan: %m");
                exit_code = 5;
                goto out;
        }
        if (!o->json)
                render_text_report(io->out, o, &facts, &plan);
        for (size_t i = 0; i < plan.n_faults; i++)
                events_fault(&plan.faults[i]);

        exit_code = decide(o, io, &facts, &plan, &oc);
        if (exit_code < 0) {
                struct progress_state state = { .out = io->progress };
                struct txn_progress progress = {
                        .step_begin = progress_step_begin,
                        .step_end = progress_step_end,
                        .message = progress_message,
                        .userdata = &state,
                };

                if (!o->json)
                        fputc('\n', io->out);
                r = txn_run(o, &plan, io->state_dir, &progress, &oc);
                if (r < 0) {
                        log_error_errno(r, "The transaction failed: %m");
                        oc.exit_code = 4;
                }
                /* Repaired, but something still needs a person (e.g. a setting that only
                 * --allow-insecure may change): the faults are left, so say so. */
                if (oc.exit_code == 0 && plan_has_unfixable(&plan))
                        set_message(&oc, 1, options_offline(o)
                                                    ? "Repaired offline (verify SSH after the system boots), but "
                                                      "some findings need a person: see above"
                                                    : "Repaired and verified, but some findings need a person: "
                                                      "see above");
                exit_code = oc.exit_code;
        }

        if (o->json)
                render_json(io->out, o, &facts, &plan, &oc);
        else
                render_text_outcome(io->out, &oc);
        events_outcome(&oc);
        if (io->report_path && !o->dry_run && facts.is_root) {
                r = write_report(io->report_path, o, &facts, &plan, &oc);
                if (r < 0)
                        log_warning_errno(r, "Failed to write the report '%s': %m", io->report_path);
        }
out:
        outcome_done(&oc);
        plan_done(&plan);
        facts_done(&facts);
        return exit_code;
}
