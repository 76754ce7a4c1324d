#pragma once

/* The mechanism layer's one interface. A backend probes (read-only), snapshots what a plan's
 * steps will touch, restores a snapshot, and applies single steps. It never decides what to
 * change: the plan names the backend and operation of every step. */

#include <stddef.h>

#include "model.h"

struct backend {
        const char *name;

        /* Adds what this subsystem knows to 'facts'. Read-only. What cannot be read is noted
         * in facts->unreadable; returns < 0 only when probing cannot go on at all. */
        int (*probe)(const struct options *o, struct facts *facts);

        /* Optional. Called for every backend before any probe(): starts slow reads in the
         * background (e.g. a big *-save), so that they run while the others probe; probe()
         * collects them. Never fails: what it could not start, probe() does itself. */
        void (*prefetch)(const struct options *o);

        /* Serializes, as text, the state of everything this backend's steps in 'plan' touch.
         * Deterministic: a snapshot taken after restore() must compare equal. The caller
         * frees *ret. NULL when the backend has no state to save. */
        int (*snapshot)(const struct options *o, const struct plan *plan, char **ret);

        /* Brings back the state described by a snapshot() text. */
        int (*restore)(const struct options *o, const char *snapshot);

        /* Performs one step. On failure, *ret_details (caller frees) may say why. */
        int (*apply)(const struct options *o, const struct step *step, char ***ret_details);

        /* Optional. Performs steps[0..n), consecutive steps of the plan that all belong to this
         * backend, at once (the engine journals them as begun before and done after). On
         * failure *ret_failed is the index in steps[] of the step that failed, and *ret_details
         * (caller frees) may say why. NULL: apply() is called for each step. */
        int (*apply_group)(const struct options *o, const struct step *const *steps, size_t n, size_t *ret_failed,
                           char ***ret_details);

        /* Optional. Called after SSH answered over loopback, for each backend the plan used:
         * checks what a loopback connect does not cross (an external SYN's path). < 0: the
         * repair is not verified; *ret_details (caller frees) says what still blocks. */
        int (*verify)(const struct options *o, const struct plan *plan, char ***ret_details);

        /* Optional. True when this process applied steps of this backend and none of them
         * changed anything (an all-or-nothing batch the kernel refused). The rollback then
         * leaves this backend alone: whatever differs from its snapshot is someone else's
         * change (the one that made the batch fail), and it stays. */
        bool (*changed_nothing)(const struct options *o);
};

/* NULL-terminated, in probe order. */
extern const struct backend *const backends[];

const struct backend *backend_find(const char *name);

/* True when some step of 'plan' belongs to backend 'name'. */
bool plan_uses_backend(const struct plan *plan, const char *name);

int backend_not_supported_apply(const struct options *o, const struct step *step, char ***ret_details);

extern const struct backend backend_systemd;
extern const struct backend backend_sshd;
extern const struct backend backend_auth;
extern const struct backend backend_net;
extern const struct backend backend_pkg;
extern const struct backend backend_nftables;
extern const struct backend backend_iptables;
extern const struct backend backend_ufw;
extern const struct backend backend_firewalld;
extern const struct backend backend_fail2ban;
