/* The firewalld backend, over D-Bus (sd-bus), never firewall-cmd and never its nftables
 * table directly: what is written there is gone at its next reload. Runtime and
 * permanent configuration are read and changed separately. Never stops firewalld. */

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "backend.h"
#include "systemd/systemd-unit.h"
#include "fwd-rich.h"
#include "util/exec.h"
#include "util/log.h"
#include "util/strv.h"

#define FWD_NAME "org.fedoraproject.FirewallD1"
#define FWD_PATH "/org/fedoraproject/FirewallD1"
#define FWD_IFACE "org.fedoraproject.FirewallD1"
#define FWD_ZONE FWD_IFACE ".zone"
#define FWD_CONFIG_PATH FWD_PATH "/config"
#define FWD_CONFIG FWD_IFACE ".config"
#define FWD_CONFIG_ZONE FWD_IFACE ".config.zone"

static int bus_open(sd_bus **ret) {
        return sd_bus_open_system(ret);
}

/* firewalld is D-Bus activatable: asking it anything would start it. */
static int fwd_running(sd_bus *bus) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int has = 0, r;

        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "NameHasOwner", &e, &reply, "s", FWD_NAME);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "b", &has);
        sd_bus_message_unref(reply);
        return r < 0 ? r : has;
}

static int call_s(sd_bus *bus, const char *path, const char *iface, const char *member, char **ret, const char *types,
                  ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        const char *s;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, FWD_NAME, path, iface, member);
        if (r < 0)
                return r;
        va_start(ap, types);
        r = types ? sd_bus_message_appendv(m, types, ap) : 0;
        va_end(ap);
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, &e, &reply);
        sd_bus_message_unref(m);
        if (r < 0) {
                /* adding what is there, removing what is not: done already */
                if (e.message && (strstr(e.message, "ALREADY_ENABLED") || strstr(e.message, "NOT_ENABLED")))
                        return 0;
                if (e.message)
                        log_debug("firewalld %s: %s", member, e.message);
                return r;
        }
        if (ret) {
                char type;
                r = sd_bus_message_peek_type(reply, &type, NULL);
                if (r > 0 && type == 's' && sd_bus_message_read(reply, "s", &s) >= 0)
                        *ret = strdup(s);
                else if (r > 0 && type == 'o' && sd_bus_message_read(reply, "o", &s) >= 0)
                        *ret = strdup(s);
                else
                        *ret = NULL;
                r = *ret ? 0 : -EBADMSG;
        }
        sd_bus_message_unref(reply);
        return r < 0 ? r : 0;
}

static int call_b(sd_bus *bus, const char *path, const char *iface, const char *member, bool *ret, const char *types,
                  const char *a, const char *b) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int v = 0, r;

        if (!b)
                r = a ? sd_bus_call_method(bus, FWD_NAME, path, iface, member, &e, &reply, types, a)
                      : sd_bus_call_method(bus, FWD_NAME, path, iface, member, &e, &reply, NULL);
        else
                r = sd_bus_call_method(bus, FWD_NAME, path, iface, member, &e, &reply, types, a, b);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "b", &v);
        sd_bus_message_unref(reply);
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}

static int call_strv(sd_bus *bus, const char *path, const char *iface, const char *member, char ***ret,
                     const char *zone) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r;

        r = zone ? sd_bus_call_method(bus, FWD_NAME, path, iface, member, &e, &reply, "s", zone)
                 : sd_bus_call_method(bus, FWD_NAME, path, iface, member, &e, &reply, NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(reply, ret);
        sd_bus_message_unref(reply);
        return r;
}

/* The zone's target from getZoneSettings2 (a{sv}). */
static int zone_target(sd_bus *bus, const char *zone, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r;

        *ret = NULL;
        r = sd_bus_call_method(bus, FWD_NAME, FWD_PATH, FWD_ZONE, "getZoneSettings2", &e, &reply, "s", zone);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r > 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *key, *value;

                r = sd_bus_message_read(reply, "s", &key);
                if (r >= 0 && streq(key, "target")) {
                        r = sd_bus_message_read(reply, "v", "s", &value);
                        if (r >= 0 && !(*ret = strdup(value)))
                                r = -ENOMEM;
                } else if (r >= 0)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r >= 0)
                        r = 1;
        }
        sd_bus_message_unref(reply);
        if (r >= 0 && !*ret)
                *ret = strdup("default");
        return r < 0 ? r : *ret ? 0 : -ENOMEM;
}

static int first_external_interface(char **ret) {
        struct ifaddrs *ifa;

        *ret = NULL;
        if (getifaddrs(&ifa) < 0)
                return -errno;
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
                if (i->ifa_addr && !(i->ifa_flags & IFF_LOOPBACK) && (i->ifa_flags & IFF_UP) &&
                    (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6)) {
                        *ret = strdup(i->ifa_name);
                        break;
                }
        freeifaddrs(ifa);
        return 0;
}


/* Sorts the rich rules into blocking ones and notes; returns whether one accepts for all. */
static int rich_rules(char **rules, uint16_t port, char ***blocking, bool *only, char ***notes, bool *accepts) {
        for (char **r = rules; r && *r; r++) {
                bool some = false, just = false;
                enum fwd_rich_effect e = fwd_rich_parse(*r, port, &some, &just);

                if (e == FWD_RICH_NONE)
                        continue;
                if (some) {
                        if (notes && strv_extendf(notes, "rich rule '%s' (some clients only)", *r) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (e == FWD_RICH_ACCEPT) {
                        *accepts = true;
                        continue;
                }
                if (strv_extend(blocking, *r) < 0)
                        return -ENOMEM;
                *only = *only && just;
        }
        return 0;
}

static enum fw_verdict zone_verdict(bool allowed, char **blocking, const char *target) {
        /* firewalld puts a zone's deny rules before its allow rules */
        if (blocking)
                return FW_VERDICT_REJECTED;
        if (allowed || streq_ptr(target, "ACCEPT"))
                return FW_VERDICT_ACCEPTED;
        return streq_ptr(target, "DROP") ? FW_VERDICT_DROPPED : FW_VERDICT_REJECTED;
}

static int probe_port(sd_bus *bus, struct firewalld_facts *d, const char *config_zone, char **rt_rich, char **pm_rich,
                      uint16_t port) {
        struct firewalld_port fp = { .port = port, .blocking_only_port = true };
        char portstr[8];
        bool svc = false, prt = false, acc = false;
        int r;

        snprintf(portstr, sizeof portstr, "%u", port);
        if (port == 22)
                (void) call_b(bus, FWD_PATH, FWD_ZONE, "queryService", &svc, "ss", d->zone, "ssh");
        {
                sd_bus_message *reply = NULL;
                int v = 0;
                if (sd_bus_call_method(bus, FWD_NAME, FWD_PATH, FWD_ZONE, "queryPort", NULL, &reply, "sss", d->zone,
                                       portstr, "tcp") >= 0 &&
                    sd_bus_message_read(reply, "b", &v) >= 0)
                        prt = v;
                sd_bus_message_unref(reply);
        }
        r = rich_rules(rt_rich, port, &fp.runtime_blocking, &fp.blocking_only_port, &fp.notes, &acc);
        if (r < 0)
                goto fail;
        fp.runtime_allowed = svc || prt || acc;
        fp.runtime = zone_verdict(fp.runtime_allowed, fp.runtime_blocking, d->target);

        if (config_zone) {
                svc = prt = acc = false;
                if (port == 22)
                        (void) call_b(bus, config_zone, FWD_CONFIG_ZONE, "queryService", &svc, "s", "ssh", NULL);
                (void) call_b(bus, config_zone, FWD_CONFIG_ZONE, "queryPort", &prt, "ss", portstr, "tcp");
                r = rich_rules(pm_rich, port, &fp.permanent_blocking, &fp.blocking_only_port, NULL, &acc);
                if (r < 0)
                        goto fail;
                fp.permanent_allowed = svc || prt || acc;
                fp.permanent = zone_verdict(fp.permanent_allowed, fp.permanent_blocking, d->target);
        } else {
                fp.permanent_allowed = fp.runtime_allowed;
                fp.permanent = fp.runtime;
        }

        struct firewalld_port *np = realloc(d->ports, sizeof(*np) * (d->n_ports + 1));
        if (!np) {
                r = -ENOMEM;
                goto fail;
        }
        d->ports = np;
        d->ports[d->n_ports++] = fp;
        return 0;
fail:
        strv_free(fp.runtime_blocking);
        strv_free(fp.permanent_blocking);
        strv_free(fp.notes);
        return r;
}

static int firewalld_probe(const struct options *o, struct facts *f) {
        struct firewalld_facts *d = &f->fw.firewalld;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *path = exec_find_program("firewalld"), *config_zone = NULL, *zone = NULL;
        _cleanup_strv_free_ char **rt_rich = NULL, **pm_rich = NULL;
        int r;

        d->installed = path != NULL;
        d->enabled = sd_unit_enabled_offline(NULL, "firewalld.service");
        /* whoever owns its bus name is firewalld, wherever it was installed */
        r = bus_open(&bus);
        if (r >= 0)
                r = fwd_running(bus);
        if (r < 0) {
                if (!d->installed)
                        return 0;
                d->error = strprintf("cannot ask the system bus: %s", strerror(-r));
                return d->error ? strv_extend(&f->unreadable, d->error) : -ENOMEM;
        }
        d->running = r > 0;
        d->installed = d->installed || d->running;
        if (!d->installed)
                return 0;
        if (!d->running)
                return strv_extendf(&f->fw.frontends, "firewalld: installed, not running%s",
                                    d->enabled ? " (enabled: it starts at boot)" : ", disabled");

        (void) first_external_interface(&d->interface);
        if (d->interface)
                (void) call_s(bus, FWD_PATH, FWD_ZONE, "getZoneOfInterface", &zone, "s", d->interface);
        if (isempty(zone)) {
                free(zone);
                zone = NULL;
                r = call_s(bus, FWD_PATH, FWD_IFACE, "getDefaultZone", &zone, NULL);
                if (r < 0)
                        return strv_extendf(&f->unreadable, "firewalld: getDefaultZone: %s", strerror(-r));
        }
        d->zone = TAKE_PTR(zone);
        r = zone_target(bus, d->zone, &d->target);
        if (r < 0)
                return strv_extendf(&f->unreadable, "firewalld: zone '%s': %s", d->zone, strerror(-r));
        r = call_strv(bus, FWD_PATH, FWD_ZONE, "getRichRules", &rt_rich, d->zone);
        if (r < 0)
                return strv_extendf(&f->unreadable, "firewalld: rich rules of '%s': %s", d->zone, strerror(-r));
        if (call_s(bus, FWD_CONFIG_PATH, FWD_CONFIG, "getZoneByName", &config_zone, "s", d->zone) >= 0 &&
            call_strv(bus, config_zone, FWD_CONFIG_ZONE, "getRichRules", &pm_rich, NULL) >= 0)
                d->permanent_known = true;
        else
                (void) strv_extendf(&f->unreadable, "firewalld: permanent configuration of zone '%s'", d->zone);

        for (size_t i = 0; i < o->n_ports; i++) {
                r = probe_port(bus, d, d->permanent_known ? config_zone : NULL, rt_rich, pm_rich, o->ports[i]);
                if (r < 0)
                        return r;
        }
        return strv_extendf(&f->fw.frontends, "firewalld: running, interface %s in zone %s (target %s)",
                            strna(d->interface), d->zone, strna(d->target));
}

/* Snapshot: one line per thing a step touches, "ZONE SCOPE KIND VALUE yes|no". */
struct item {
        const char *zone, *scope, *kind, *value;
};

static int item_query(sd_bus *bus, const struct item *it, bool *ret) {
        _cleanup_free_ char *cz = NULL;
        bool perm = streq(it->scope, "permanent");
        const char *path = FWD_PATH, *iface = FWD_ZONE;
        char port[16] = "", proto[8] = "";

        if (perm) {
                int r = call_s(bus, FWD_CONFIG_PATH, FWD_CONFIG, "getZoneByName", &cz, "s", it->zone);
                if (r < 0)
                        return r;
                path = cz;
                iface = FWD_CONFIG_ZONE;
        }
        if (streq(it->kind, "port") && sscanf(it->value, "%15[^/]/%7s", port, proto) != 2)
                return -EINVAL;
        if (streq(it->kind, "service"))
                return perm ? call_b(bus, path, iface, "queryService", ret, "s", it->value, NULL)
                            : call_b(bus, path, iface, "queryService", ret, "ss", it->zone, it->value);
        if (streq(it->kind, "port")) {
                if (perm)
                        return call_b(bus, path, iface, "queryPort", ret, "ss", port, proto);
                sd_bus_message *reply = NULL;
                int v = 0, r = sd_bus_call_method(bus, FWD_NAME, path, iface, "queryPort", NULL, &reply, "sss", it->zone,
                                                  port, proto);
                if (r >= 0)
                        r = sd_bus_message_read(reply, "b", &v);
                sd_bus_message_unref(reply);
                *ret = v;
                return r < 0 ? r : 0;
        }
        if (streq(it->kind, "rich-rule"))
                return perm ? call_b(bus, path, iface, "queryRichRule", ret, "s", it->value, NULL)
                            : call_b(bus, path, iface, "queryRichRule", ret, "ss", it->zone, it->value);
        return -EINVAL;
}

static int item_set(sd_bus *bus, const struct item *it, bool on) {
        _cleanup_free_ char *cz = NULL;
        bool perm = streq(it->scope, "permanent");
        char port[16] = "", proto[8] = "";
        const char *kind = streq(it->kind, "service") ? "Service" : streq(it->kind, "port") ? "Port" : "RichRule";
        char member[32];

        snprintf(member, sizeof member, "%s%s", on ? "add" : "remove", kind);
        if (streq(it->kind, "port") && sscanf(it->value, "%15[^/]/%7s", port, proto) != 2)
                return -EINVAL;
        if (perm) {
                int r = call_s(bus, FWD_CONFIG_PATH, FWD_CONFIG, "getZoneByName", &cz, "s", it->zone);
                if (r < 0)
                        return r;
                if (streq(it->kind, "port"))
                        return call_s(bus, cz, FWD_CONFIG_ZONE, member, NULL, "ss", port, proto);
                return call_s(bus, cz, FWD_CONFIG_ZONE, member, NULL, "s", it->value);
        }
        /* runtime: add* take a timeout (0: none) */
        if (streq(it->kind, "port"))
                return on ? call_s(bus, FWD_PATH, FWD_ZONE, member, NULL, "sssi", it->zone, port, proto, 0)
                          : call_s(bus, FWD_PATH, FWD_ZONE, member, NULL, "sss", it->zone, port, proto);
        return on ? call_s(bus, FWD_PATH, FWD_ZONE, member, NULL, "ssi", it->zone, it->value, 0)
                  : call_s(bus, FWD_PATH, FWD_ZONE, member, NULL, "ss", it->zone, it->value);
}

/* Step args: zone, scope (runtime|permanent), kind (service|port|rich-rule), value. */
static int step_item(const struct step *s, struct item *ret) {
        if (strv_length(s->args) < 4)
                return -EINVAL;
        *ret = (struct item) { s->args[0], s->args[1], s->args[2], s->args[3] };
        return 0;
}

static int firewalld_snapshot(const struct options *o, const struct plan *plan, char **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *out;
        int r = 0;

        if (!plan_uses_backend(plan, "firewalld")) {
                *ret = NULL;
                return 0;
        }
        r = bus_open(&bus);
        if (r < 0)
                return r;
        out = open_memstream(&buf, &size);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < plan->n_steps && r >= 0; i++) {
                struct item it;
                bool on = false;

                if (!streq(plan->steps[i].backend, "firewalld"))
                        continue;
                r = step_item(&plan->steps[i], &it);
                if (r >= 0)
                        r = item_query(bus, &it, &on);
                if (r >= 0)
                        /* the value last: a rich rule has spaces */
                        fprintf(out, "%s %s %s %s %s\n", on ? "yes" : "no", it.zone, it.scope, it.kind, it.value);
        }
        if (fclose(out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        return 0;
}

static int firewalld_restore(const struct options *o, const char *snapshot) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *copy = snapshot ? strdup(snapshot) : NULL;
        char *save = NULL;
        int r, ret = 0;

        if (!snapshot)
                return 0;
        if (!copy)
                return -ENOMEM;
        r = bus_open(&bus);
        if (r < 0)
                return r;
        /* strtok_r would merge nothing here: one item per line */
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *f[4], *p = line;
                struct item it;
                bool want, now = false;

                for (size_t k = 0; k < 4; k++) {
                        f[k] = p;
                        p = strchr(p, ' ');
                        if (!p)
                                return -EBADMSG;
                        *p++ = 0;
                }
                want = streq(f[0], "yes");
                it = (struct item) { f[1], f[2], f[3], p };
                r = item_query(bus, &it, &now);
                if (r >= 0 && now != want)
                        r = item_set(bus, &it, want);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}

static int firewalld_apply(const struct options *o, const struct step *s, char ***ret_details) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        struct item it;
        int r;

        r = step_item(s, &it);
        if (r < 0)
                return r;
        r = bus_open(&bus);
        if (r < 0)
                return r;
        if (streq(s->operation, "add"))
                r = item_set(bus, &it, true);
        else if (streq(s->operation, "remove"))
                r = item_set(bus, &it, false);
        else
                return -EOPNOTSUPP;
        if (r < 0 && ret_details)
                (void) strv_extendf(ret_details, "firewalld: %s %s %s in zone %s (%s): %s", s->operation, it.kind, it.value,
                                    it.zone, it.scope, strerror(-r));
        return r;
}

const struct backend backend_firewalld = {
        .name = "firewalld",
        .probe = firewalld_probe,
        .snapshot = firewalld_snapshot,
        .restore = firewalld_restore,
        .apply = firewalld_apply,
};
