#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "systemd-unit.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/time-util.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_UNIT "org.freedesktop.systemd1.Unit"

/* Longer than systemd's default start timeout (90 s), so a job that systemd itself gives
 * up on reports its own result. */
#define JOB_TIMEOUT_USEC (120 * USEC_PER_SEC)


int sd_unit_bus_open(sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (geteuid() == 0) {
                r = sd_bus_new(&bus);
                if (r < 0)
                        return r;
                r = sd_bus_set_address(bus, "unix:path=/run/systemd/private");
                if (r >= 0)
                        r = sd_bus_start(bus);
                if (r >= 0) {
                        *ret = TAKE_PTR(bus);
                        return 0;
                }
                bus = sd_bus_flush_close_unref(bus);
        }
        r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

static int get_string(sd_bus *bus, const char *path, const char *iface, const char *prop, char **ret) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        char *s = NULL;
        int r;

        r = sd_bus_get_property_string(bus, SD_DEST, path, iface, prop, &error, &s);
        sd_bus_error_free(&error);
        if (r < 0)
                return r;
        *ret = s;
        return 0;
}

static const char *unit_interface(const char *name) {
        const char *dot = strrchr(name, '.');

        if (dot && streq(dot, ".service"))
                return "org.freedesktop.systemd1.Service";
        if (dot && streq(dot, ".socket"))
                return "org.freedesktop.systemd1.Socket";
        return NULL;
}

int sd_unit_read(sd_bus *bus, const char *name, struct unit_fact *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        struct unit_fact u = {};
        const char *path, *iface;
        int r;

        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "LoadUnit", &error, &reply, "s", name);
        if (r < 0) {
                log_debug("LoadUnit('%s') failed: %s", name, error.message ?: strerror(-r));
                sd_bus_error_free(&error);
                return r;
        }
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;

        if ((r = get_string(bus, path, SD_UNIT, "Id", &u.name)) < 0 ||
            (r = get_string(bus, path, SD_UNIT, "LoadState", &u.load_state)) < 0 ||
            (r = get_string(bus, path, SD_UNIT, "ActiveState", &u.active_state)) < 0 ||
            (r = get_string(bus, path, SD_UNIT, "SubState", &u.sub_state)) < 0 ||
            (r = get_string(bus, path, SD_UNIT, "UnitFileState", &u.unit_file_state)) < 0)
                goto fail;

        iface = unit_interface(u.name);
        if (iface && !streq(u.load_state, "not-found"))
                (void) get_string(bus, path, iface, "Result", &u.result);

        *ret = u;
        return 0;
fail:
        unit_fact_done(&u);
        return r;
}

struct job_wait {
        const char *job;
        char *result;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct job_wait *w = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (w->job && streq(path, w->job) && !w->result)
                w->result = strdup(result);
        return 0;
}

int sd_unit_job(sd_bus *bus, const char *method, const char *name, char **ret_result) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        struct job_wait w = {};
        _cleanup_free_ char *job = NULL;
        const char *p;
        uint64_t deadline;
        int r;

        /* Subscribe before queueing the job, so its JobRemoved signal cannot be missed. */
        r = sd_bus_match_signal(bus, &slot, SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed, &w);
        if (r < 0)
                return r;
        (void) sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", NULL, NULL, NULL);

        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, method, &error, &reply, "ss", name, "replace");
        if (r < 0) {
                if (ret_result)
                        *ret_result = strdup(error.message ?: strerror(-r));
                sd_bus_error_free(&error);
                return r;
        }
        r = sd_bus_message_read(reply, "o", &p);
        if (r < 0)
                return r;
        job = strdup(p);
        if (!job)
                return -ENOMEM;
        w.job = job;

        deadline = now_usec(CLOCK_MONOTONIC) + JOB_TIMEOUT_USEC;
        while (!w.result) {
                uint64_t n = now_usec(CLOCK_MONOTONIC);

                if (n >= deadline) {
                        r = -ETIMEDOUT;
                        break;
                }
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, deadline - n);
                if (r < 0)
                        break;
        }
        if (!w.result) {
                if (ret_result)
                        *ret_result = strdup(r == -ETIMEDOUT ? "timeout waiting for the job" : strerror(-r));
                return r < 0 ? r : -EIO;
        }
        if (streq(w.result, "done")) {
                free(w.result);
                return 0;
        }
        if (ret_result)
                *ret_result = w.result;
        else
                free(w.result);
        return -EIO;
}

int sd_unit_file_op(sd_bus *bus, const char *method, const char *name) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        bool has_force = !streq(method, "DisableUnitFiles") && !streq(method, "UnmaskUnitFiles");
        int r;

        r = sd_bus_message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, method);
        if (r < 0)
                return r;
        r = sd_bus_message_append_strv(m, (char *[]) { (char *) name, NULL });
        if (r < 0)
                return r;
        /* runtime = false: the change must survive a reboot */
        r = sd_bus_message_append(m, "b", 0);
        if (r >= 0 && has_force)
                r = sd_bus_message_append(m, "b", 0);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, m, 0, &error, NULL);
        if (r < 0) {
                log_debug("%s('%s') failed: %s", method, name, error.message ?: strerror(-r));
                sd_bus_error_free(&error);
                return r;
        }
        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "Reload", &error, NULL, NULL);
        sd_bus_error_free(&error);
        return r < 0 ? r : 0;
}

int sd_unit_reset_failed(sd_bus *bus, const char *name) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", &error, NULL, "s", name);
        sd_bus_error_free(&error);
        return r < 0 ? r : 0;
}

bool sd_unit_enabled_offline(const char *root, const char *unit) {
        _cleanup_free_ char *pattern = strprintf("%s/etc/systemd/system/*.wants/%s",
                                                 root && !streq(root, "/") ? root : "", unit);
        glob_t g = {};
        bool found;

        if (!pattern)
                return false;
        found = glob(pattern, GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;
        globfree(&g);
        return found;
}

static int journal_add_unit_matches(sd_journal *j, const char *name) {
        _cleanup_free_ char *m1 = strprintf("_SYSTEMD_UNIT=%s", name);
        _cleanup_free_ char *m2 = strprintf("UNIT=%s", name);
        int r;

        if (!m1 || !m2)
                return -ENOMEM;
        r = sd_journal_add_match(j, m1, 0);
        if (r >= 0)
                r = sd_journal_add_disjunction(j);
        if (r >= 0)
                r = sd_journal_add_match(j, m2, 0);
        return r;
}

int sd_unit_journal_tail(const char *name, size_t n, uint64_t since_usec, char ***ret) {
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        _cleanup_strv_free_ char **lines = NULL;
        size_t count = 0;
        int r;

        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0)
                return r;
        r = journal_add_unit_matches(j, name);
        if (r < 0)
                return r;
        r = sd_journal_seek_tail(j);
        if (r < 0)
                return r;

        /* Walk backwards, then reverse, so the result reads oldest first. */
        while (count < n && sd_journal_previous(j) > 0) {
                const void *data;
                size_t len;
                uint64_t t;

                if (since_usec > 0 && sd_journal_get_realtime_usec(j, &t) >= 0 && t < since_usec)
                        break;
                if (sd_journal_get_data(j, "MESSAGE", &data, &len) < 0)
                        continue;
                if (len <= 8)
                        continue;
                r = strv_extendf(&lines, "%.*s", (int) (len - 8), (const char *) data + 8);
                if (r < 0)
                        return r;
                count++;
        }
        for (size_t a = 0, b = count; b > a + 1; a++, b--) {
                char *t = lines[a];
                lines[a] = lines[b - 1];
                lines[b - 1] = t;
        }
        *ret = TAKE_PTR(lines);
        return 0;
}
