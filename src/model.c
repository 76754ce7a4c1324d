#include <string.h>

#include "model.h"
#include "util/strv.h"

void options_done(struct options *o) {
        if (!o)
                return;
        free(o->user);
        free(o->root);
        free(o->txn_id);
        *o = (struct options) {};
}

char *options_path(const struct options *o, const char *path) {
        if (!options_offline(o))
                return strdup(path);
        return strprintf("%s%s%s", o->root, path[0] == '/' ? "" : "/", path);
}

void unit_fact_done(struct unit_fact *u) {
        if (!u)
                return;
        free(u->name);
        free(u->load_state);
        free(u->active_state);
        free(u->sub_state);
        free(u->unit_file_state);
        free(u->result);
        strv_free(u->journal);
        *u = (struct unit_fact) {};
}

void facts_done(struct facts *f) {
        if (!f)
                return;
        free(f->systemd_error);
        unit_fact_done(&f->service);
        unit_fact_done(&f->socket);
        free(f->service_blocked_by);
        free(f->sshd_path);
        free(f->pkg.manager);
        free(f->pkg.package);
        free(f->pkg.unit);
        sshd_config_facts_done(&f->sshd_config);
        auth_facts_done(&f->auth);
        nft_facts_done(&f->nft);
        fw_facts_done(&f->fw);
        free(f->listen);
        free(f->answers);
        strv_free(f->unreadable);
        *f = (struct facts) {};
}

bool facts_listening_on(const struct facts *f, uint16_t port) {
        for (size_t i = 0; i < f->n_listen; i++)
                if (f->listen[i].port == port)
                        return true;
        return false;
}

bool facts_port_answers(const struct facts *f, uint16_t port) {
        for (size_t i = 0; i < f->n_answers; i++)
                if (f->answers[i].port == port && f->answers[i].error == 0)
                        return true;
        return false;
}

static void fault_done(struct fault *f) {
        free(f->id);
        free(f->summary);
        strv_free(f->evidence);
        free(f->advice);
}

static void step_done(struct step *s) {
        free(s->fault_id);
        free(s->backend);
        free(s->operation);
        strv_free(s->args);
        free(s->description);
        free(s->command);
        free(s->undo);
}

void plan_done(struct plan *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n_faults; i++)
                fault_done(&p->faults[i]);
        for (size_t i = 0; i < p->n_steps; i++)
                step_done(&p->steps[i]);
        free(p->faults);
        free(p->steps);
        *p = (struct plan) {};
}

bool plan_has_fixable(const struct plan *p) {
        return p->n_steps > 0;
}

bool plan_has_unfixable(const struct plan *p) {
        for (size_t i = 0; i < p->n_faults; i++)
                if (p->faults[i].remedy != REMEDY_AUTO && p->faults[i].severity == SEVERITY_ERROR)
                        return true;
        return false;
}

const struct fault *plan_find_fault(const struct plan *p, const char *id) {
        for (size_t i = 0; i < p->n_faults; i++)
                if (streq(p->faults[i].id, id))
                        return &p->faults[i];
        return NULL;
}

void outcome_done(struct outcome *o) {
        if (!o)
                return;
        free(o->message);
        free(o->probes);
        free(o->journal_path);
        *o = (struct outcome) {};
}

static const char *const command_table[_COMMAND_MAX] = {
        [COMMAND_REPAIR] = "repair",
        [COMMAND_STATUS] = "status",
        [COMMAND_CONFIRM] = "confirm",
        [COMMAND_ROLLBACK] = "rollback",
        [COMMAND_RECOVER] = "recover",
        [COMMAND_HELP] = "help",
        [COMMAND_VERSION] = "version",
};

static const char *const severity_table[_SEVERITY_MAX] = {
        [SEVERITY_INFO] = "info",
        [SEVERITY_WARNING] = "warning",
        [SEVERITY_ERROR] = "error",
};

static const char *const remedy_table[_REMEDY_MAX] = {
        [REMEDY_AUTO] = "automatic",
        [REMEDY_NEEDS_FLAG] = "needs-flag",
        [REMEDY_NEEDS_PERSON] = "needs-person",
};

static const char *const phase_table[_PHASE_MAX] = {
        [PHASE_NONE] = "none",
        [PHASE_COMMITTED] = "committed",
        [PHASE_AWAITING_CONFIRM] = "awaiting-confirm",
        [PHASE_ROLLED_BACK] = "rolled-back",
        [PHASE_ROLLBACK_FAILED] = "rollback-failed",
};

const char *command_to_string(enum command c) {
        return c >= 0 && c < _COMMAND_MAX ? command_table[c] : NULL;
}

enum command command_from_string(const char *s) {
        for (int i = 0; i < _COMMAND_MAX; i++)
                if (s && streq(command_table[i], s))
                        return (enum command) i;
        return _COMMAND_MAX;
}

const char *severity_to_string(enum severity s) {
        return s >= 0 && s < _SEVERITY_MAX ? severity_table[s] : NULL;
}

const char *remedy_to_string(enum remedy r) {
        return r >= 0 && r < _REMEDY_MAX ? remedy_table[r] : NULL;
}

const char *phase_to_string(enum phase p) {
        return p >= 0 && p < _PHASE_MAX ? phase_table[p] : NULL;
}
