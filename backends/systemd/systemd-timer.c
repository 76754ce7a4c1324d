#include <errno.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "systemd-timer.h"
#include "systemd-unit.h"
#include "util/log.h"
#include "util/strv.h"

int sd_timer_schedule(const char *name, uint64_t usec, char *const *argv) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *timer = strprintf("%s.timer", name), *service = strprintf("%s.service", name);
        int r;

        if (!timer || !service)
                return -ENOMEM;
        r = sd_unit_bus_open(&bus);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "StartTransientUnit");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", timer, "fail");
        if (r < 0)
                return r;

        /* the timer; AccuracySec= defaults to a minute, which would let the rollback come up
         * to a minute late: the deadline we printed must hold */
        r = sd_bus_message_append(m, "a(sv)", 4,
                                  "Description", "s", "sshrepair: roll back unless confirmed",
                                  "RemainAfterElapse", "b", 0,
                                  "AccuracyUSec", "t", (uint64_t) 1000000,
                                  "TimersMonotonic", "a(st)", 1, "OnActiveSec", usec);
        if (r < 0)
                return r;

        /* the service it starts, as an auxiliary unit */
        r = sd_bus_message_open_container(m, 'a', "(sa(sv))");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'r', "sa(sv)");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", service);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "Description", "s", "sshrepair: scheduled rollback");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "Type", "s", "oneshot");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", "ExecStart");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "a(sasb)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sasb)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'r', "sasb");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", argv[0]);
        if (r >= 0)
                r = sd_bus_message_append_strv(m, (char **) argv);
        if (r >= 0)
                r = sd_bus_message_append(m, "b", 0);
        for (int i = 0; r >= 0 && i < 6; i++) /* (sasb), a, v, (sv), a(sv), (sa(sv)) */
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m); /* a(sa(sv)) */
        if (r < 0)
                return r;

        r = sd_bus_call(bus, m, 0, &error, NULL);
        if (r < 0)
                log_debug("StartTransientUnit('%s') failed: %s", timer, error.message ?: strerror(-r));
        sd_bus_error_free(&error);
        return r < 0 ? r : 0;
}

int sd_timer_cancel(const char *name) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *timer = strprintf("%s.timer", name);
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        if (!timer)
                return -ENOMEM;
        r = sd_unit_bus_open(&bus);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "StopUnit", &error, NULL, "ss", timer, "replace");
        if (r < 0 && sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
                r = 0;
        sd_bus_error_free(&error);
        return r < 0 ? r : 0;
}
