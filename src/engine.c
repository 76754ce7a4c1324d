#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "engine.h"
#include "plans/plans.h"
#include "render.h"
#include "txn.h"
#include "util/log.h"
#include "util/strv.h"
#include "verify.h"

/* Before any change: how long one connect may take to see a banner. */
#define PROBE_TIMEOUT_MS 2000

static int probe_all(const struct options *o, struct facts *f) {
        int r;

        f->is_root = geteuid() == 0;
        if (!f->is_root) {
                r = strv_extend(&f->unreadable, "not root: journal, firewall rules and root-only files may be "
                                                "incomplete or missing; applying a plan needs root");
                if (r < 0)
                        return log_oom();
        }
        for (const struct backend *const *b = backends; *b; b++) {
                if (!(*b)->probe)
                        continue;
                r = (*b)->probe(o, f);
                if (r < 0)
                        return log_error_errno(r, "Failed to probe '%s': %m", (*b)->name);
        }
        return verify_ports(o, PROBE_TIMEOUT_MS, &f->answers, &f->n_answers);
}

static void progress_step_begin(void *userdata, size_t i, size_t n, const struct step *s) {
        render_text_step_begin(userdata, i, n, s);
}

static void progress_step_end(void *userdata, int error, char *const *details) {
        render_text_step_end(userdata, error, details);
}

static void progress_message(void *userdata, const char *text) {
        fprintf(userdata, "%s\n", text);
        fflush(userdata);
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
                return set_message(oc, 0, "SSH answers: nothing to do");
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

        r = probe_all(o, &facts);
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

        exit_code = decide(o, io, &facts, &plan, &oc);
        if (exit_code < 0) {
                struct txn_progress progress = {
                        .step_begin = progress_step_begin,
                        .step_end = progress_step_end,
                        .message = progress_message,
                        .userdata = io->progress,
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
                        set_message(&oc, 1, "Repaired and verified, but some findings need a person: see above");
                exit_code = oc.exit_code;
        }

        if (o->json)
                render_json(io->out, o, &facts, &plan, &oc);
        else
                render_text_outcome(io->out, &oc);
out:
        outcome_done(&oc);
        plan_done(&plan);
        facts_done(&facts);
        return exit_code;
}
