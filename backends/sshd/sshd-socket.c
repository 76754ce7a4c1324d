/* Reading ssh.socket's listeners over sd-bus. */

#include <errno.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "sshd-socket.h"
#include "systemd/systemd-unit.h"
#include "util/strv.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_SOCKET "org.freedesktop.systemd1.Socket"

int sshd_socket_listen(const char *unit, char ***ret, char **ret_dropin) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL, *prop = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_strv_free_ char **l = NULL;
        const char *path, *type, *address;
        int r;

        r = sd_unit_bus_open(&bus);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "LoadUnit", &error, &reply, "s", unit);
        if (r < 0)
                goto out;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                goto out;
        /* Drop-ins apply in the order of their file names, wherever they are: ours must sort
         * after every existing one, or an "ListenStream=" there would reset our list. */
        {
                _cleanup_strv_free_ char **dropins = NULL;
                _cleanup_free_ char *name = strdup(SSHD_SOCKET_DROPIN_NAME);

                if (!name) {
                        r = -ENOMEM;
                        goto out;
                }
                r = sd_bus_get_property_strv(bus, SD_DEST, path, "org.freedesktop.systemd1.Unit", "DropInPaths", &error,
                                             &dropins);
                if (r < 0)
                        goto out;
                for (bool again = true; again;) {
                        again = false;
                        for (char **d = dropins; d && *d && !again; d++) {
                                const char *base = strrchr(*d, '/') ? strrchr(*d, '/') + 1 : *d;
                                char *longer;

                                if (strcmp(base, name) <= 0 || streq(base, SSHD_SOCKET_DROPIN_NAME))
                                        continue;
                                longer = strprintf("z%s", name);
                                if (!longer) {
                                        r = -ENOMEM;
                                        goto out;
                                }
                                free(name);
                                name = longer;
                                again = true;
                        }
                }
                *ret_dropin = strprintf(SSHD_SOCKET_DROPIN_DIR "/%s", unit, name);
                if (!*ret_dropin) {
                        r = -ENOMEM;
                        goto out;
                }
        }
        r = sd_bus_get_property(bus, SD_DEST, path, SD_SOCKET, "Listen", &error, &prop, "a(ss)");
        if (r < 0)
                goto out;
        r = sd_bus_message_enter_container(prop, 'a', "(ss)");
        if (r < 0)
                goto out;
        while ((r = sd_bus_message_read(prop, "(ss)", &type, &address)) > 0)
                if (streq(type, "Stream") && strv_extend(&l, address) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
        if (r < 0)
                goto out;
        *ret = TAKE_PTR(l);
        r = 0;
out:
        sd_bus_error_free(&error);
        return r;
}
