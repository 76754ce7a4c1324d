#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "events.h"

/* Sending to the journal is best effort: without journald (a rescue shell) the calls fail
 * quietly and the report on stdout and in last.json remains. */

void events_fault(const struct fault *x) {
        (void) sd_journal_send("MESSAGE=Finding %s: %s", x->id, strna(x->summary),
                               "MESSAGE_ID=" EVENT_FAULT_ID,
                               "PRIORITY=%i", x->severity == SEVERITY_ERROR ? LOG_WARNING : LOG_NOTICE,
                               "SYSLOG_IDENTIFIER=sshrepair",
                               "FAULT=%s", x->id,
                               "SEVERITY=%s", severity_to_string(x->severity),
                               "REMEDY=%s", remedy_to_string(x->remedy),
                               NULL);
}

void events_step(size_t i, const struct step *s, int error) {
        (void) sd_journal_send("MESSAGE=Step %zu %s: %s", i + 1, error < 0 ? "failed" : "done", s->command,
                               "MESSAGE_ID=" EVENT_STEP_ID,
                               "PRIORITY=%i", error < 0 ? LOG_ERR : LOG_INFO,
                               "SYSLOG_IDENTIFIER=sshrepair",
                               "STEP=%zu", i + 1,
                               "FAULT=%s", s->fault_id,
                               "BACKEND=%s", s->backend,
                               "OPERATION=%s", s->operation,
                               "COMMAND=%s", s->command,
                               "ERRNO=%i", error < 0 ? -error : 0,
                               NULL);
}

void events_outcome(const struct outcome *oc) {
        const char *txn = oc->journal_path ? strrchr(oc->journal_path, '/') : NULL;

        (void) sd_journal_send("MESSAGE=%s (exit %i)", strna(oc->message), oc->exit_code,
                               "MESSAGE_ID=" EVENT_OUTCOME_ID,
                               "PRIORITY=%i", oc->exit_code == 0 ? LOG_NOTICE : LOG_WARNING,
                               "SYSLOG_IDENTIFIER=sshrepair",
                               "EXIT=%i", oc->exit_code,
                               "PHASE=%s", phase_to_string(oc->phase),
                               "TXN=%s", txn ? txn + 1 : "",
                               "APPLIED_STEPS=%zu", oc->n_applied,
                               NULL);
}
