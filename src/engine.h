#pragma once

#include <stdio.h>

#include "model.h"

/* Where the engine reads and writes; the defaults are the process's, tests substitute. */
struct engine_io {
        FILE *out;      /* the report: text, or the JSON document */
        FILE *progress; /* progress lines while applying */
        FILE *tty_in;   /* answers to "Apply?"; NULL: no terminal */
        const char *state_dir;
        const char *report_path; /* where the JSON report of a run that may act goes; NULL: nowhere */
        const struct backend *const *backends; /* what to probe; NULL: every backend built in */
};

#define SSHREPAIR_REPORT_PATH "/var/log/sshrepair/last.json"

/* Runs the pipeline — probe, diagnose, plan, (apply, verify, roll back) — and returns the
 * exit code of the contract in DESIGN.md. */
int engine_repair(const struct options *o, const struct engine_io *io);
