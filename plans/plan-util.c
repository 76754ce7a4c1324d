#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plans.h"
#include "util/strv.h"

struct fault *plan_add_fault(struct plan *p, const char *id, enum severity severity, enum remedy remedy,
                             const char *summary_format, ...) {
        struct fault f = { .severity = severity, .remedy = remedy }, *nf;
        va_list ap;
        int r;

        f.id = strdup(id);
        va_start(ap, summary_format);
        r = vasprintf(&f.summary, summary_format, ap);
        va_end(ap);
        if (!f.id || r < 0) {
                free(f.id);
                return NULL;
        }
        nf = realloc(p->faults, sizeof(*nf) * (p->n_faults + 1));
        if (!nf) {
                free(f.id);
                free(f.summary);
                return NULL;
        }
        p->faults = nf;
        nf[p->n_faults] = f;
        return &nf[p->n_faults++];
}

int fault_add_evidence(struct fault *f, const char *format, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, format);
        r = vasprintf(&s, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        r = strv_consume(&f->evidence, s);
        if (r < 0)
                free(s);
        return r;
}

int fault_set_advice(struct fault *f, const char *format, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, format);
        r = vasprintf(&s, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        free(f->advice);
        f->advice = s;
        return 0;
}

int plan_add_step(struct plan *p, const char *fault_id, const char *backend, const char *operation,
                  const char *arg, const char *description, const char *command, const char *undo) {
        struct step s = {}, *ns;

        s.fault_id = strdup(fault_id);
        s.backend = strdup(backend);
        s.operation = strdup(operation);
        s.description = strdup(description);
        s.command = strdup(command);
        s.undo = undo ? strdup(undo) : NULL;
        if (!s.fault_id || !s.backend || !s.operation || !s.description || !s.command || (undo && !s.undo) ||
            (arg && strv_extend(&s.args, arg) < 0))
                goto oom;
        ns = realloc(p->steps, sizeof(*ns) * (p->n_steps + 1));
        if (!ns)
                goto oom;
        p->steps = ns;
        ns[p->n_steps++] = s;
        return 0;
oom:
        free(s.fault_id);
        free(s.backend);
        free(s.operation);
        free(s.description);
        free(s.command);
        free(s.undo);
        strv_free(s.args);
        return -ENOMEM;
}
