#pragma once

/* Shared by the sshd policy files (plans/sshd.c, plans/sshd-access.c). */

#include "plans.h"

struct sshd_plan {
        const struct facts *f;
        const struct options *o;
        struct plan *p;
        const struct sshd_config_facts *c;
        const char *first_edit_fault; /* the fault of the first edit, for the reload step */
};

/* "/files/etc/ssh/sshd_config" or "…/Match[2]/Settings": where a line for 'src' lives. */
char *sshd_plan_scope(const struct sshd_config_facts *c, const struct sshd_source *src);
/* "/etc/ssh/sshd_config line 12" */
char *sshd_plan_where(const struct sshd_source *src);
/* Whether the file holding 'src' can be edited (the lens parsed it). */
bool sshd_plan_editable(const struct sshd_config_facts *c, const char *file);

/* Adds an edit step of the sshd backend: operation, then file and the operation's
 * arguments (NULL-terminated). */
int sshd_plan_edit(struct sshd_plan *sp, const char *fault_id, const char *description, const char *command,
                   const char *undo, const char *operation, const char *file, ...) __attribute__((sentinel));

/* Sets 'key' to 'value' where sshd takes it from for this connection (the winning line),
 * or adds a line in the main file when the default is in effect. */
int sshd_plan_set_key(struct sshd_plan *sp, const char *fault_id, enum sshd_key key, const char *value,
                      const char *why);

int sshd_plan_evidence_sources(struct fault *x, const struct sshd_config_facts *c, enum sshd_key key);

int plan_sshd_access(struct sshd_plan *sp);
int plan_sshd_insecure(struct sshd_plan *sp);
