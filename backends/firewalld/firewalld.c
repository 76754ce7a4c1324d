/* The firewalld backend, over D-Bus (sd-bus), never firewall-cmd and never its nftables
 * table directly: what is written there is gone at its next reload. Runtime and
 * permanent configuration are read and changed separately. Never stops firewalld. */

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "backend.h"
#include "fwd-files.h"
#include "fwd-rich.h"
#include "sshd/sshd-files.h"
#include "systemd/systemd-unit.h"
#include "util/exec.h"
#include "util/fileio.h"
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

/* Every non-loopback interface that is up and has an address: each one's zone decides for
 * the SYNs that arrive on it. */
static int external_interfaces(char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        struct ifaddrs *ifa;
        int r = 0;

        if (getifaddrs(&ifa) < 0)
                return -errno;
        for (struct ifaddrs *i = ifa; i && r >= 0; i = i->ifa_next)
                if (i->ifa_addr && !(i->ifa_flags & IFF_LOOPBACK) && (i->ifa_flags & IFF_UP) &&
                    (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6) &&
                    !strv_contains(l, i->ifa_name))
                        r = strv_extend(&l, i->ifa_name);
        freeifaddrs(ifa);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

static struct firewalld_zone *zone_get(struct firewalld_facts *d, const char *name) {
        struct firewalld_zone *nz;

        for (size_t i = 0; i < d->n_zones; i++)
                if (streq(d->zones[i].name, name))
                        return &d->zones[i];
        nz = realloc(d->zones, sizeof(*nz) * (d->n_zones + 1));
        if (!nz)
                return NULL;
        d->zones = nz;
        nz = &d->zones[d->n_zones];
        *nz = (struct firewalld_zone) { .name = strdup(name) };
        if (!nz->name)
                return NULL;
        d->n_zones++;
        return nz;
}

static int probe_port(sd_bus *bus, struct firewalld_zone *z, const char *config_zone, char **rt_rich, char **pm_rich,
                      uint16_t port) {
        struct firewalld_port fp = { .port = port, .blocking_only_port = true };
        char portstr[8];
        bool svc = false, prt = false, acc = false;
        int r;

        snprintf(portstr, sizeof portstr, "%u", port);
        if (port == 22)
                (void) call_b(bus, FWD_PATH, FWD_ZONE, "queryService", &svc, "ss", z->name, "ssh");
        {
                sd_bus_message *reply = NULL;
                int v = 0;
                if (sd_bus_call_method(bus, FWD_NAME, FWD_PATH, FWD_ZONE, "queryPort", NULL, &reply, "sss", z->name,
                                       portstr, "tcp") >= 0 &&
                    sd_bus_message_read(reply, "b", &v) >= 0)
                        prt = v;
                sd_bus_message_unref(reply);
        }
        r = fwd_rich_sort(rt_rich, port, &fp.runtime_blocking, &fp.blocking_only_port, &fp.notes, &acc);
        if (r < 0)
                goto fail;
        fp.runtime_allowed = svc || prt || acc;
        fp.runtime = fwd_zone_verdict(fp.runtime_allowed, fp.runtime_blocking, z->target);

        if (config_zone) {
                svc = prt = acc = false;
                if (port == 22)
                        (void) call_b(bus, config_zone, FWD_CONFIG_ZONE, "queryService", &svc, "s", "ssh", NULL);
                (void) call_b(bus, config_zone, FWD_CONFIG_ZONE, "queryPort", &prt, "ss", portstr, "tcp");
                r = fwd_rich_sort(pm_rich, port, &fp.permanent_blocking, &fp.blocking_only_port, NULL, &acc);
                if (r < 0)
                        goto fail;
                fp.permanent_allowed = svc || prt || acc;
                fp.permanent = fwd_zone_verdict(fp.permanent_allowed, fp.permanent_blocking, z->target);
        } else {
                fp.permanent_allowed = fp.runtime_allowed;
                fp.permanent = fp.runtime;
        }

        return firewalld_zone_add_port(z, &fp);
fail:
        strv_free(fp.runtime_blocking);
        strv_free(fp.permanent_blocking);
        strv_free(fp.notes);
        return r;
}

/* One zone over the bus: its target, rich rules, and the verdict for each port. */
static int probe_zone(sd_bus *bus, const struct options *o, struct firewalld_facts *d, struct firewalld_zone *z,
                      struct facts *f) {
        _cleanup_free_ char *config_zone = NULL;
        _cleanup_strv_free_ char **rt_rich = NULL, **pm_rich = NULL;
        bool permanent;
        int r;

        r = zone_target(bus, z->name, &z->target);
        if (r < 0)
                return strv_extendf(&f->unreadable, "firewalld: zone '%s': %s", z->name, strerror(-r));
        r = call_strv(bus, FWD_PATH, FWD_ZONE, "getRichRules", &rt_rich, z->name);
        if (r < 0)
                return strv_extendf(&f->unreadable, "firewalld: rich rules of '%s': %s", z->name, strerror(-r));
        permanent = call_s(bus, FWD_CONFIG_PATH, FWD_CONFIG, "getZoneByName", &config_zone, "s", z->name) >= 0 &&
                    call_strv(bus, config_zone, FWD_CONFIG_ZONE, "getRichRules", &pm_rich, NULL) >= 0;
        if (!permanent)
                (void) strv_extendf(&f->unreadable, "firewalld: permanent configuration of zone '%s'", z->name);
        d->permanent_known = d->permanent_known && permanent;
        for (size_t i = 0; i < o->n_ports; i++) {
                r = probe_port(bus, z, permanent ? config_zone : NULL, rt_rich, pm_rich, o->ports[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int probe_running(sd_bus *bus, const struct options *o, struct firewalld_facts *d, struct facts *f) {
        _cleanup_strv_free_ char **ifaces = NULL;
        _cleanup_free_ char *def = NULL, *list = NULL;
        int r;

        r = call_s(bus, FWD_PATH, FWD_IFACE, "getDefaultZone", &def, NULL);
        if (r < 0)
                return strv_extendf(&f->unreadable, "firewalld: getDefaultZone: %s", strerror(-r));
        if (external_interfaces(&ifaces) < 0)
                (void) strv_extend(&f->unreadable, "firewalld: the list of network interfaces");
        /* an interface in no zone gets the default zone */
        for (char **i = ifaces; i && *i; i++) {
                _cleanup_free_ char *zone = NULL;
                struct firewalld_zone *z;

                (void) call_s(bus, FWD_PATH, FWD_ZONE, "getZoneOfInterface", &zone, "s", *i);
                z = zone_get(d, isempty(zone) ? def : zone);
                if (!z || strv_extend(&z->interfaces, *i) < 0)
                        return -ENOMEM;
        }
        if (d->n_zones == 0 && !zone_get(d, def))
                return -ENOMEM;
        d->permanent_known = true;
        for (size_t i = 0; i < d->n_zones; i++) {
                r = probe_zone(bus, o, d, &d->zones[i], f);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < d->n_zones; i++) {
                const struct firewalld_zone *z = &d->zones[i];
                _cleanup_free_ char *ifs = NULL;
                char *n;

                for (char **ifn = z->interfaces; ifn && *ifn; ifn++) {
                        n = strprintf("%s%s%s", ifs ?: "", ifs ? ", " : "", *ifn);
                        if (!n)
                                return -ENOMEM;
                        free(ifs);
                        ifs = n;
                }
                n = strprintf("%s%s%s (%s, target %s)", list ?: "", list ? "; " : "", z->name, ifs ?: "no interface",
                              strna(z->target));
                if (!n)
                        return -ENOMEM;
                free(list);
                list = n;
        }
        return strv_extendf(&f->fw.frontends, "firewalld: running, zones %s", strna(list));
}

/* Stopped (or a tree): the permanent configuration decides at firewalld's next start. */
static int probe_files(const struct options *o, struct firewalld_facts *d, struct facts *f) {
        int r = fwd_files_probe(o, d, &f->unreadable);

        if (r < 0)
                return r;
        if (d->n_zones == 0)
                return strv_extendf(&f->fw.frontends, "firewalld: %s, enabled; its permanent configuration could not "
                                                      "be read", options_offline(o) ? "in the tree" : "not running");
        return strv_extendf(&f->fw.frontends, "firewalld: %s, enabled: at its start, default zone %s (target %s) from %s",
                            options_offline(o) ? "in the tree" : "not running", d->zones[0].name,
                            strna(d->zones[0].target), d->zones[0].file);
}

static bool installed_in_tree(const struct options *o) {
        static const char *const paths[] = { "/usr/sbin/firewalld", "/usr/bin/firewalld", "/sbin/firewalld" };

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_free_ char *p = options_path(o, paths[i]);
                if (p && access(p, X_OK) == 0)
                        return true;
        }
        return false;
}

static int firewalld_probe(const struct options *o, struct facts *f) {
        struct firewalld_facts *d = &f->fw.firewalld;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        if (options_offline(o)) {
                /* no bus: nothing of this host is the tree's firewalld */
                d->installed = installed_in_tree(o);
                if (!d->installed)
                        return 0;
                f->fw.known = true;
                d->enabled = sd_unit_enabled_offline(o->root, "firewalld.service");
                if (!d->enabled)
                        return strv_extend(&f->fw.frontends, "firewalld: in the tree, disabled");
                return probe_files(o, d, f);
        }

        path = exec_find_program("firewalld");
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
                if (!d->error || strv_extend(&f->unreadable, d->error) < 0)
                        return -ENOMEM;
                return d->enabled ? probe_files(o, d, f) : 0;
        }
        d->running = r > 0;
        d->installed = d->installed || d->running;
        if (!d->installed)
                return 0;
        if (!d->running) {
                if (!d->enabled)
                        return strv_extend(&f->fw.frontends, "firewalld: installed, not running, disabled");
                return probe_files(o, d, f);
        }
        return probe_running(bus, o, d, f);
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

/* Zone files (firewalld not running, or a tree): step args DEST, SOURCE, ELEMENT, with DEST and
 * SOURCE as the target system sees them; SOURCE is the /usr/lib zone that DEST starts as a
 * copy of, when DEST is not there yet. */
static bool is_file_step(const struct step *s) {
        return streq(s->backend, "firewalld") && streq(s->operation, "zone-file-add");
}

static bool zone_path_ok(const char *p) {
        return (strncmp(p, "/etc/firewalld/zones/", 21) == 0 || strncmp(p, "/usr/lib/firewalld/zones/", 25) == 0) &&
               !strstr(p, "/..");
}

/* Each DEST as it is (or its absence): owner, mode, mtime and content. */
static int snapshot_files(const struct options *o, const struct plan *plan, char **ret) {
        _cleanup_free_ char *text = NULL;
        int r;

        for (size_t i = 0; i < plan->n_steps; i++) {
                _cleanup_free_ char *path = NULL;

                if (!streq(plan->steps[i].backend, "firewalld"))
                        continue;
                if (!is_file_step(&plan->steps[i]) || strv_length(plan->steps[i].args) < 3)
                        return -EINVAL; /* never files and the bus in one plan */
                path = options_path(o, plan->steps[i].args[0]);
                if (!path)
                        return -ENOMEM;
                if (text && strstr(text, path))
                        continue;
                r = sshd_file_snapshot(path, &text);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(text);
        return 0;
}

/* A new zone file as firewalld writes one (0644), atomically; its directory made 0750 as
 * firewalld makes it. */
static int create_file(const char *path, const char *data) {
        _cleanup_free_ char *dir = strdup(path), *tmp = strprintf("%s.sshrepair-new", path);
        _cleanup_close_ int fd = -1;
        char *slash;

        if (!dir || !tmp)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (slash) {
                *slash = 0;
                if (mkdir(dir, 0750) < 0 && errno != EEXIST)
                        return -errno;
        }
        (void) unlink(tmp);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        if (write_full_fd(fd, data, strlen(data)) < 0)
                goto fail;
        if (fchmod(fd, 0644) < 0 || fsync(fd) < 0 || rename(tmp, path) < 0)
                goto fail;
        return 0;
fail:
        {
                int e = -errno;
                (void) unlink(tmp);
                return e;
        }
}

static int apply_file(const struct options *o, const struct step *s, char ***ret_details) {
        _cleanup_free_ char *dest = NULL, *src = NULL, *text = NULL, *edited = NULL;
        struct fwd_zone_xml x = {};
        bool create = false;
        size_t len;
        int r;

        if (strv_length(s->args) < 3 || strncmp(s->args[0], "/etc/firewalld/zones/", 21) != 0 ||
            !zone_path_ok(s->args[0]) || !zone_path_ok(s->args[1]) || strchr(s->args[2], '\n'))
                return -EINVAL;
        dest = options_path(o, s->args[0]);
        src = options_path(o, s->args[1]);
        if (!dest || !src)
                return -ENOMEM;
        r = sshd_file_read(dest, &text, &len);
        if (r == -ENOENT && !streq(dest, src)) {
                create = true;
                r = sshd_file_read(src, &text, &len);
        }
        if (r < 0)
                return r;
        /* there already: nothing to do */
        if (!create && strstr(text, s->args[2]))
                return 0;
        r = fwd_zone_text_add(text, s->args[2], &edited);
        if (r >= 0)
                r = fwd_zone_xml_parse(edited, strlen(edited), &x);
        fwd_zone_xml_done(&x);
        if (r < 0) {
                if (ret_details)
                        (void) strv_extendf(ret_details, "%s: cannot add '%s': %s", create ? src : dest, s->args[2],
                                            r == -EBADMSG ? "no '</zone>' line, or not a zone file" : strerror(-r));
                return r;
        }
        return create ? create_file(dest, edited) : sshd_file_replace(dest, edited, strlen(edited));
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
        for (size_t i = 0; i < plan->n_steps; i++)
                if (is_file_step(&plan->steps[i]))
                        return snapshot_files(o, plan, ret);
        if (options_offline(o))
                return -EINVAL;
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
        if (strncmp(snapshot, "file ", 5) == 0) {
                r = sshd_files_restore(snapshot);
                return r < 0 ? r : 0;
        }
        if (options_offline(o))
                return -EINVAL;
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

        if (is_file_step(s))
                return apply_file(o, s, ret_details);
        /* never the host's firewalld for a tree */
        if (options_offline(o))
                return -EINVAL;
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
