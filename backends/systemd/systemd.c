/* The systemd backend: the SSH service and socket units, over sd-bus. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "backend.h"
#include "sshd/sshd-files.h"
#include "systemd-offline.h"
#include "systemd-unit.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/time-util.h"

#define JOURNAL_LINES 10


/* Debian/Ubuntu first: there sshd.service is an alias of ssh.service. */
static const char *const service_names[] = { "ssh.service", "sshd.service", NULL };
static const char *const socket_names[] = { "ssh.socket", "sshd.socket", NULL };

/* The first unit of 'names' that exists: through the manager ('bus'), or offline from the
 * unit files under 'root' (bus NULL). */
static int read_first_existing(sd_bus *bus, const char *root, const char *const *names, struct unit_fact *ret) {
        for (const char *const *n = names; *n; n++) {
                struct unit_fact u = {};
                int r;

                r = bus ? sd_unit_read(bus, *n, &u) : sd_offline_unit_read(root, *n, &u);
                if (r < 0)
                        return r;
                if (!streq(u.load_state, "not-found")) {
                        *ret = u;
                        return 1;
                }
                unit_fact_done(&u);
        }
        return 0;
}

static int probe_blocker(const struct options *o, struct facts *f) {
        int r;

        if (!f->service.name || streq_ptr(f->service.load_state, "not-found"))
                return 0;
        r = sd_unit_blocking_file(o->root, f->service.name, &f->service_blocked_by);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return strv_extendf(&f->unreadable, "unit file of %s: %s", f->service.name, strerror(-r));
        return 0;
}

/* Offline: the tree's unit files, read as `systemctl --root` reads them; nothing runs. */
static int systemd_probe_offline(const struct options *o, struct facts *f) {
        static const char *const managers[] = { "/lib/systemd/systemd", "/usr/lib/systemd/systemd", NULL };
        bool found = false;
        int r;

        for (const char *const *m = managers; *m && !found; m++) {
                _cleanup_free_ char *p = options_path(o, *m);

                if (!p)
                        return -ENOMEM;
                found = access(p, X_OK) == 0;
        }
        if (!found) {
                f->systemd_error = strprintf("the system at %s has no systemd (no /usr/lib/systemd/systemd)", o->root);
                return f->systemd_error ? 0 : -ENOMEM;
        }
        f->systemd = true;
        r = read_first_existing(NULL, o->root, service_names, &f->service);
        if (r < 0)
                return strv_extendf(&f->unreadable, "ssh service unit: %s", strerror(-r));
        r = read_first_existing(NULL, o->root, socket_names, &f->socket);
        if (r < 0)
                return strv_extendf(&f->unreadable, "ssh socket unit: %s", strerror(-r));
        return probe_blocker(o, f);
}

static int systemd_probe(const struct options *o, struct facts *f) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (options_offline(o))
                return systemd_probe_offline(o, f);
        if (sd_booted() <= 0) {
                f->systemd_error = strdup("PID 1 is not systemd");
                return f->systemd_error ? 0 : -ENOMEM;
        }
        r = sd_unit_bus_open(&bus);
        if (r < 0) {
                f->systemd_error = strprintf("cannot connect to systemd: %s", strerror(-r));
                return f->systemd_error ? 0 : -ENOMEM;
        }
        f->systemd = true;

        r = read_first_existing(bus, NULL, service_names, &f->service);
        if (r < 0)
                return strv_extendf(&f->unreadable, "ssh service unit: %s", strerror(-r));
        r = read_first_existing(bus, NULL, socket_names, &f->socket);
        if (r < 0)
                return strv_extendf(&f->unreadable, "ssh socket unit: %s", strerror(-r));

        if (f->service.name &&
            (streq_ptr(f->service.active_state, "failed") ||
             (f->service.result && !streq(f->service.result, "success")))) {
                r = sd_unit_journal_tail(f->service.name, JOURNAL_LINES, 0, &f->service.journal);
                if (r < 0)
                        (void) strv_extendf(&f->unreadable, "journal of %s: %s", f->service.name, strerror(-r));
        }
        return probe_blocker(o, f);
}

static const char *normalized_active(const char *state) {
        /* "failed" and "inactive" both mean "not running" for a rollback; "activating" and
         * "reloading" mean it runs. */
        if (!state || streq(state, "inactive") || streq(state, "failed") || streq(state, "deactivating"))
                return "inactive";
        return "active";
}

static int systemd_snapshot(const struct options *o, const struct plan *plan, char **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **units = NULL;
        _cleanup_free_ char *buf = NULL, *files = NULL;
        size_t size = 0;
        FILE *out;
        int r;

        for (size_t i = 0; i < plan->n_steps; i++) {
                const struct step *s = &plan->steps[i];

                if (!streq(s->backend, "systemd") || !s->args || !s->args[0])
                        continue;
                if (streq(s->operation, "remove-file")) {
                        /* the file itself, byte-exact; none of the units changes */
                        _cleanup_free_ char *path = options_path(o, s->args[0]);

                        if (!path)
                                return -ENOMEM;
                        r = sshd_file_snapshot(path, &files);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (strv_contains(units, s->args[0]))
                        continue;
                r = strv_extend(&units, s->args[0]);
                if (r < 0)
                        return r;
        }
        if (!units) {
                *ret = TAKE_PTR(files);
                return 0;
        }
        if (options_offline(o)) {
                /* the links enable and unmask touch; nothing runs, so no active state */
                for (char **u = units; *u; u++) {
                        r = sd_offline_links_snapshot(o->root, *u, &files);
                        if (r < 0)
                                return r;
                }
                *ret = TAKE_PTR(files);
                return 0;
        }

        r = sd_unit_bus_open(&bus);
        if (r < 0)
                return r;

        out = open_memstream(&buf, &size);
        if (!out)
                return -ENOMEM;
        for (char **u = units; *u; u++) {
                struct unit_fact f = {};

                r = sd_unit_read(bus, *u, &f);
                if (r < 0) {
                        fclose(out);
                        return r;
                }
                /* "-": no unit file at all (its package is not installed) */
                fprintf(out, "%s active=%s enabled=%s\n", *u, normalized_active(f.active_state),
                        isempty(f.unit_file_state) ? "-" : f.unit_file_state);
                unit_fact_done(&f);
        }
        if (files)
                fputs(files, out);
        if (fclose(out) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(buf);
        return 0;
}

static int restore_enablement(sd_bus *bus, const char *unit, const char *want, const char *have) {
        /* "-": the unit did not exist; removing what installed it is another backend's undo */
        if (streq(want, have) || streq(want, "-"))
                return 0;
        if (streq(have, "masked")) {
                int r = sd_unit_file_op(bus, "UnmaskUnitFiles", unit);
                if (r < 0)
                        return r;
        }
        if (streq(want, "enabled"))
                return sd_unit_file_op(bus, "EnableUnitFiles", unit);
        if (streq(want, "disabled"))
                return sd_unit_file_op(bus, "DisableUnitFiles", unit);
        if (streq(want, "masked"))
                return sd_unit_file_op(bus, "MaskUnitFiles", unit);
        log_debug("Cannot bring %s back to unit file state '%s' (now '%s').", unit, want, have);
        return -EOPNOTSUPP;
}

static int restore_unit(sd_bus *bus, const char *unit, const char *want_active, const char *want_enabled) {
        struct unit_fact f = {};
        int r;

        r = sd_unit_read(bus, unit, &f);
        if (r < 0)
                return r;

        r = restore_enablement(bus, unit, want_enabled, isempty(f.unit_file_state) ? "-" : f.unit_file_state);
        if (r >= 0 && !streq(want_active, normalized_active(f.active_state)))
                r = sd_unit_job(bus, streq(want_active, "active") ? "StartUnit" : "StopUnit", unit, NULL);
        /* A start that failed during the repair leaves the unit "failed"; it was not before. */
        if (r >= 0 && streq(want_active, "inactive"))
                (void) sd_unit_reset_failed(bus, unit);
        unit_fact_done(&f);
        return r;
}

static int systemd_restore(const struct options *o, const char *snapshot) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **lines = NULL;
        int r, ret = 0;

        /* files removed by "remove-file" come back first */
        r = sshd_files_restore(snapshot);
        if (r < 0)
                ret = r;
        if (options_offline(o)) {
                r = sd_offline_links_restore(o->root, snapshot);
                return ret < 0 ? ret : r < 0 ? r : 0;
        }
        if (strv_split(snapshot, "\n", &lines) < 0)
                return -ENOMEM;
        if (!lines || !strstr(snapshot, " active="))
                return ret;
        r = sd_unit_bus_open(&bus);
        if (r < 0)
                return r;

        for (char **l = lines; *l; l++) {
                char unit[256], active[32], enabled[64];

                if (strncmp(*l, "file ", 5) == 0 || strncmp(*l, "data ", 5) == 0)
                        continue;
                if (sscanf(*l, "%255s active=%31s enabled=%63s", unit, active, enabled) != 3)
                        return -EBADMSG;
                r = restore_unit(bus, unit, active, enabled);
                if (r < 0 && ret == 0)
                        ret = r; /* go on: restore as much as possible */
        }
        return ret;
}

static int start_failure_details(const char *unit, const char *job_result, uint64_t since_usec, char ***ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **d = NULL;
        struct unit_fact f = {};
        int r;

        r = strv_extendf(&d, "job for %s finished with result '%s'", unit, strna(job_result));
        if (r < 0)
                return r;
        if (sd_unit_bus_open(&bus) >= 0 && sd_unit_read(bus, unit, &f) >= 0) {
                r = strv_extendf(&d, "%s: ActiveState=%s SubState=%s Result=%s", unit, strna(f.active_state),
                                 strna(f.sub_state), strna(f.result));
                unit_fact_done(&f);
                if (r < 0)
                        return r;
        }
        _cleanup_strv_free_ char **journal = NULL;
        if (sd_unit_journal_tail(unit, JOURNAL_LINES, since_usec, &journal) >= 0)
                for (char **l = journal; l && *l; l++) {
                        r = strv_extendf(&d, "journal: %s", *l);
                        if (r < 0)
                                return r;
                }
        *ret = TAKE_PTR(d);
        return 0;
}

static const struct {
        const char *operation;
        const char *job;       /* a job method, or NULL */
        const char *file_op;   /* a unit-file method, or NULL */
} operations[] = {
        { "start", "StartUnit", NULL },
        { "stop", "StopUnit", NULL },
        { "restart", "RestartUnit", NULL },
        { "reload", "ReloadUnit", NULL },
        /* reload when running, else nothing: for a rollback of configuration files */
        { "try-reload-or-restart", "ReloadOrTryRestartUnit", NULL },
        { "try-restart", "TryRestartUnit", NULL },
        /* neither a job nor a unit file operation: */
        { "daemon-reload", NULL, NULL }, /* the manager's Reload; the unit is what it is for */
        { "reset-failed", NULL, NULL },  /* clears the failed state and the start rate limit */
        { "enable", NULL, "EnableUnitFiles" },
        { "disable", NULL, "DisableUnitFiles" },
        { "unmask", NULL, "UnmaskUnitFiles" },
};

/* Removes a file that keeps the service from starting (ConditionPathExists=!FILE). */
static int apply_remove_file(const struct options *o, const char *path, char ***ret_details) {
        _cleanup_free_ char *full = options_path(o, path);

        if (!full)
                return -ENOMEM;
        if (unlink(full) < 0 && errno != ENOENT) {
                int r = -errno;

                if (ret_details)
                        (void) strv_extendf(ret_details, "cannot remove %s: %s", full, strerror(-r));
                return r;
        }
        return 0;
}

/* Offline only the unit files change: enable and unmask; nothing is started. */
static int systemd_apply_offline(const struct options *o, const struct step *s, char ***ret_details) {
        const char *unit = s->args[0];

        if (streq(s->operation, "enable"))
                return sd_offline_enable(o->root, unit, ret_details);
        if (streq(s->operation, "unmask"))
                return sd_offline_unmask(o->root, unit);
        if (ret_details)
                (void) strv_extendf(ret_details, "'%s' needs the running system; offline (--root) it is not done",
                                    s->operation);
        return -EOPNOTSUPP;
}

static int systemd_apply(const struct options *o, const struct step *s, char ***ret_details) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        const char *unit = s->args ? s->args[0] : NULL;
        int r;

        if (!unit)
                return -EINVAL;
        if (streq(s->operation, "remove-file"))
                return apply_remove_file(o, unit, ret_details);
        if (options_offline(o))
                return systemd_apply_offline(o, s, ret_details);
        r = sd_unit_bus_open(&bus);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(operations); i++) {
                _cleanup_free_ char *result = NULL;

                if (!streq(operations[i].operation, s->operation))
                        continue;
                if (operations[i].file_op)
                        return sd_unit_file_op(bus, operations[i].file_op, unit);
                if (streq(operations[i].operation, "reset-failed"))
                        return sd_unit_reset_failed(bus, unit);
                if (!operations[i].job)
                        return sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                                  "org.freedesktop.systemd1.Manager", "Reload", NULL, NULL, NULL);

                /* the journal lines that explain a failure are the ones this job caused */
                uint64_t since = now_usec(CLOCK_REALTIME);
                r = sd_unit_job(bus, operations[i].job, unit, &result);
                if (r < 0 && ret_details)
                        (void) start_failure_details(unit, result, since, ret_details);
                return r;
        }
        return -EOPNOTSUPP;
}

const struct backend backend_systemd = {
        .name = "systemd",
        .probe = systemd_probe,
        .snapshot = systemd_snapshot,
        .restore = systemd_restore,
        .apply = systemd_apply,
};
