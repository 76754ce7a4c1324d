#pragma once

/* The policy layer: pure functions from facts and options to faults and steps. No I/O. */

#include "model.h"
#include "util/macros.h"

/* The one entry: diagnoses 'facts' and fills *ret with faults and the steps that remedy
 * them, in the order they must be applied. */
int plan_build(const struct facts *facts, const struct options *o, struct plan *ret);

/* Building blocks for the policy modules. */
struct fault *plan_add_fault(struct plan *p, const char *id, enum severity severity, enum remedy remedy,
                             const char *summary_format, ...) _printf_(5, 6);
int fault_add_evidence(struct fault *f, const char *format, ...) _printf_(2, 3);
int fault_set_advice(struct fault *f, const char *format, ...) _printf_(2, 3);
/* Appends a step with one argument; 'command' and 'undo' are what a person would type. */
int plan_add_step(struct plan *p, const char *fault_id, const char *backend, const char *operation,
                  const char *arg, const char *description, const char *command, const char *undo);

/* The policy modules, called by plan_build() in this order. */
int plan_sshd(const struct facts *facts, const struct options *o, struct plan *p);
int plan_auth(const struct facts *facts, const struct options *o, struct plan *p);
int plan_service(const struct facts *facts, const struct options *o, struct plan *p);
int plan_nft(const struct facts *facts, const struct options *o, struct plan *p);
int plan_frontends(const struct facts *facts, const struct options *o, struct plan *p);
