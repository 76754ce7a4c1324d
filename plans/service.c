/* Policy for the SSH service itself: installed, enabled, running. */

#include <string.h>

#include "plans.h"
#include "util/strv.h"

static bool unit_enabled(const struct unit_fact *u) {
        /* "enabled-runtime" is gone after a reboot, so it does not count. */
        static const char *const enabled[] = { "enabled", "static", "alias", "indirect", "generated", NULL };

        for (const char *const *e = enabled; *e; e++)
                if (streq_ptr(u->unit_file_state, *e))
                        return true;
        return false;
}

static bool unit_active(const struct unit_fact *u) {
        return streq_ptr(u->active_state, "active") || streq_ptr(u->active_state, "reloading");
}

static bool unit_masked(const struct unit_fact *u) {
        return streq_ptr(u->load_state, "masked") || streq_ptr(u->unit_file_state, "masked");
}

static bool all_ports_answer(const struct facts *f, const struct options *o) {
        for (size_t i = 0; i < o->n_ports; i++)
                if (!facts_port_answers(f, o->ports[i]))
                        return false;
        return true;
}

/* "systemctl --root=DIR VERB UNIT" offline, "systemctl VERB UNIT" live. */
static char *systemctl(const struct options *o, const char *verb, const char *unit) {
        if (options_offline(o))
                return strprintf("systemctl --root=%s %s %s", o->root, verb, unit);
        return strprintf("systemctl %s %s", verb, unit);
}

/* Offline, installing into the tree is the user's call: say how, with the tree's own
 * package manager. */
static int plan_not_installed_offline(const struct facts *f, const struct options *o, struct plan *p) {
        struct fault *x;

        x = plan_add_fault(p, "sshd.not-installed", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                           "The OpenSSH server is not installed in %s", o->root);
        if (!x || fault_add_evidence(x, "no sshd binary in %s/usr/sbin, /usr/bin or /usr/local/sbin", o->root) < 0)
                return -ENOMEM;
        if (f->pkg.manager)
                return fault_set_advice(x, "install it into the tree: 'chroot %s %s install %s'", o->root,
                                        f->pkg.manager, f->pkg.package);
        return fault_set_advice(x, "install it into the tree with its package manager: 'chroot %s apt-get install "
                                   "openssh-server' (Debian, Ubuntu) or 'chroot %s dnf install openssh-server' (RHEL, "
                                   "Fedora, Rocky, Alma)", o->root, o->root);
}

static int plan_not_installed(const struct facts *f, struct plan *p) {
        _cleanup_free_ char *install = NULL, *remove = NULL, *enable = NULL, *start = NULL, *disable = NULL,
                            *stop = NULL;
        /* only when the binary is missing: a unit without its binary is for a person */
        bool can_install = f->pkg.manager && !f->sshd_path && f->systemd;
        struct fault *x;

        x = plan_add_fault(p, "sshd.not-installed", SEVERITY_ERROR, can_install ? REMEDY_AUTO : REMEDY_NEEDS_PERSON,
                           "The OpenSSH server is not installed");
        if (!x)
                return -ENOMEM;
        if (!f->sshd_path && fault_add_evidence(x, "no sshd binary in /usr/sbin, /usr/bin or /usr/local/sbin") < 0)
                return -ENOMEM;
        if (f->systemd && !f->service.name &&
            fault_add_evidence(x, "systemd has no ssh.service or sshd.service unit") < 0)
                return -ENOMEM;
        if (!can_install)
                return fault_set_advice(x, "install it: 'apt-get install openssh-server' (Debian, Ubuntu) or "
                                           "'dnf install openssh-server' (RHEL, Fedora, Rocky, Alma)");

        install = strprintf("%s install -y %s", f->pkg.manager, f->pkg.package);
        remove = strprintf("%s %s -y %s", f->pkg.manager, streq(f->pkg.manager, "apt-get") ? "purge" : "remove",
                           f->pkg.package);
        enable = strprintf("systemctl enable %s", f->pkg.unit);
        disable = strprintf("systemctl disable %s", f->pkg.unit);
        start = strprintf("systemctl start %s", f->pkg.unit);
        stop = strprintf("systemctl stop %s", f->pkg.unit);
        if (!install || !remove || !enable || !disable || !start || !stop)
                return -ENOMEM;
        if (plan_add_step(p, "sshd.not-installed", "pkg", "install", f->pkg.manager,
                          "Install the OpenSSH server with the host's package manager", install, remove) < 0 ||
            strv_extend(&p->steps[p->n_steps - 1].args, f->pkg.package) < 0)
                return -ENOMEM;
        /* Debian's package starts the service itself; elsewhere it does not. Both are no-ops
         * when already done. */
        if (plan_add_step(p, "sshd.not-installed", "systemd", "enable", f->pkg.unit,
                          "Enable the SSH service so it starts at boot", enable, disable) < 0 ||
            plan_add_step(p, "sshd.not-installed", "systemd", "start", f->pkg.unit, "Start the SSH service", start,
                          stop) < 0)
                return -ENOMEM;
        return 0;
}

static int add_unit_evidence(struct fault *x, const struct unit_fact *u) {
        int r;

        r = fault_add_evidence(x, "%s: ActiveState=%s SubState=%s UnitFileState=%s", u->name,
                               strna(u->active_state), strna(u->sub_state), strna(u->unit_file_state));
        if (r >= 0 && u->result && !streq(u->result, "success"))
                r = fault_add_evidence(x, "%s: last run ended with Result=%s", u->name, u->result);
        for (char **l = u->journal; r >= 0 && l && *l; l++)
                r = fault_add_evidence(x, "journal: %s", *l);
        return r;
}

/* A ConditionPathExists=!FILE of the unit names a file that is there: systemd skips the
 * start, whatever else is right. The file is removed (snapshotted first). */
static int plan_blocked(const struct facts *f, const struct options *o, struct plan *p) {
        _cleanup_free_ char *path = NULL, *rm = NULL, *touch = NULL;
        struct fault *x;

        if (!f->service_blocked_by)
                return 0;
        path = options_path(o, f->service_blocked_by);
        if (!path)
                return -ENOMEM;
        x = plan_add_fault(p, "sshd.not-to-be-run", SEVERITY_ERROR, REMEDY_AUTO,
                           "%s exists: %s never starts while it is there", path, f->service.name);
        if (!x || fault_add_evidence(x, "%s: ConditionPathExists=!%s", f->service.name, f->service_blocked_by) < 0)
                return -ENOMEM;
        rm = strprintf("rm %s", path);
        touch = strprintf("touch %s", path);
        if (!rm || !touch)
                return -ENOMEM;
        return plan_add_step(p, "sshd.not-to-be-run", "systemd", "remove-file", f->service_blocked_by,
                             "Remove the file that keeps the SSH service from starting", rm, touch);
}

/* Offline there is nobody to ask whether the mask was meant, and the point of the rescue is
 * a system that serves SSH when it boots: unmask and enable, as `systemctl --root` would. */
static int plan_masked_offline(const struct facts *f, const struct options *o, struct plan *p) {
        const struct unit_fact *svc = &f->service;
        _cleanup_free_ char *unmask = systemctl(o, "unmask", svc->name), *mask = systemctl(o, "mask", svc->name),
                            *enable = systemctl(o, "enable", svc->name), *disable = systemctl(o, "disable", svc->name);
        struct fault *x;

        if (!unmask || !mask || !enable || !disable)
                return -ENOMEM;
        x = plan_add_fault(p, "sshd.masked", SEVERITY_ERROR, REMEDY_AUTO, "%s is masked: systemd will not start it at boot",
                           svc->name);
        if (!x || fault_add_evidence(x, "%s: UnitFileState=%s (a link to /dev/null in %s/etc/systemd/system)",
                                     svc->name, strna(svc->unit_file_state), o->root) < 0)
                return -ENOMEM;
        if (plan_add_step(p, "sshd.masked", "systemd", "unmask", svc->name, "Unmask the SSH service", unmask, mask) < 0 ||
            plan_add_step(p, "sshd.masked", "systemd", "enable", svc->name,
                          "Enable the SSH service so it starts at boot", enable, disable) < 0)
                return -ENOMEM;
        return 0;
}

int plan_service(const struct facts *f, const struct options *o, struct plan *p) {
        const struct unit_fact *svc = &f->service, *sock = &f->socket;
        bool socket_serves, socket_boots, need_enable, need_start;
        _cleanup_free_ char *enable = NULL, *disable = NULL, *start = NULL, *stop = NULL;
        struct fault *x;
        int r;

        if (!f->sshd_path)
                return options_offline(o) ? plan_not_installed_offline(f, o, p) : plan_not_installed(f, p);

        if (!f->systemd && options_offline(o)) {
                x = plan_add_fault(p, "service.no-manager", SEVERITY_WARNING, REMEDY_NEEDS_PERSON,
                                   "sshd is installed in %s, but the tree has no systemd: its unit files were not read",
                                   o->root);
                if (!x || fault_add_evidence(x, "%s", strna(f->systemd_error)) < 0)
                        return -ENOMEM;
                return fault_set_advice(x, "make sure the tree's init system starts sshd at boot");
        }
        if (!f->systemd) {
                if (all_ports_answer(f, o))
                        return 0;
                x = plan_add_fault(p, "service.no-manager", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                   "sshd is installed, but no supported service manager runs here");
                if (!x || fault_add_evidence(x, "%s", strna(f->systemd_error)) < 0)
                        return -ENOMEM;
                return fault_set_advice(x, "start sshd by hand: 'mkdir -p -m 0755 /run/sshd && %s'", f->sshd_path);
        }

        if (!svc->name)
                return options_offline(o) ? plan_not_installed_offline(f, o, p) : plan_not_installed(f, p);

        r = plan_blocked(f, o, p);
        if (r < 0)
                return r;

        socket_serves = sock->name && unit_active(sock);
        socket_boots = sock->name && unit_enabled(sock);

        if (unit_masked(svc) && options_offline(o))
                return plan_masked_offline(f, o, p);
        if (unit_masked(svc) && !socket_serves) {
                x = plan_add_fault(p, "sshd.masked", SEVERITY_ERROR, REMEDY_NEEDS_PERSON,
                                   "%s is masked: systemd will not start it", svc->name);
                if (!x || add_unit_evidence(x, svc) < 0)
                        return -ENOMEM;
                /* Someone masked it on purpose; undoing that is their call. */
                return fault_set_advice(x, "if that was not intended: 'systemctl unmask %s && systemctl enable --now %s'",
                                        svc->name, svc->name);
        }

        /* Offline nothing runs, and nothing is started: enabled is what counts at boot. */
        need_start = !options_offline(o) && !unit_active(svc) && !socket_serves;
        need_enable = !unit_enabled(svc) && !socket_boots;

        if (need_start) {
                x = plan_add_fault(p, "sshd.inactive", SEVERITY_ERROR, REMEDY_AUTO, "%s is not running%s", svc->name,
                                   streq_ptr(svc->active_state, "failed") ? " (it failed)" : "");
                if (!x || add_unit_evidence(x, svc) < 0)
                        return -ENOMEM;
                if (sock->name && fault_add_evidence(x, "%s: ActiveState=%s (socket activation is off)", sock->name,
                                                     strna(sock->active_state)) < 0)
                        return -ENOMEM;
        }
        if (need_enable) {
                /* offline, enabled is all that decides whether it runs after the boot */
                x = plan_add_fault(p, "sshd.disabled", need_start || options_offline(o) ? SEVERITY_ERROR : SEVERITY_WARNING,
                                   REMEDY_AUTO,
                                   "%s is not enabled: it will not start at boot", svc->name);
                if (!x || fault_add_evidence(x, "%s: UnitFileState=%s", svc->name, strna(svc->unit_file_state)) < 0)
                        return -ENOMEM;
        }

        enable = systemctl(o, "enable", svc->name);
        disable = systemctl(o, "disable", svc->name);
        start = systemctl(o, "start", svc->name);
        stop = systemctl(o, "stop", svc->name);
        if (!enable || !disable || !start || !stop)
                return -ENOMEM;

        /* Enable first, then start: what `systemctl enable --now` does. */
        if (need_enable && plan_add_step(p, "sshd.disabled", "systemd", "enable", svc->name,
                                         "Enable the SSH service so it starts at boot", enable, disable) < 0)
                return -ENOMEM;
        /* A unit that failed again and again (a broken sshd_config in a Restart= loop) hits
         * its start limit, and systemd refuses a start until that record is cleared. */
        if (need_start && (streq_ptr(svc->active_state, "failed") || streq_ptr(svc->active_state, "activating"))) {
                _cleanup_free_ char *reset = strprintf("systemctl reset-failed %s", svc->name);

                if (!reset || plan_add_step(p, "sshd.inactive", "systemd", "reset-failed", svc->name,
                                            "Clear the failed state of the SSH service, so that systemd allows a start",
                                            reset, NULL) < 0)
                        return -ENOMEM;
        }
        if (need_start && plan_add_step(p, "sshd.inactive", "systemd", "start", svc->name,
                                        "Start the SSH service", start, stop) < 0)
                return -ENOMEM;
        return 0;
}
