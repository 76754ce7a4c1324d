/* firewalld over a mocked bus: a private dbus-daemon, and a fake org.fedoraproject.FirewallD1
 * in a child process answering what the backend asks. Then the policy on those facts, the
 * steps applied through the backend, and snapshot/restore. Skips without dbus-daemon. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "backend.h"
#include "fw-fixtures.h"
#include "fwd-rich.h"
#include "plans/firewall.h"

/* ---------------------------------------------------------------- the fake firewalld */

struct zone_state {
        bool ssh;
        char **ports;   /* "2222/tcp" */
        char **rich;
};

static struct zone_state runtime, permanent;

static int reply_b(sd_bus_message *m, bool b) {
        return sd_bus_reply_method_return(m, "b", (int) b);
}

static int toggle(char ***l, const char *v, bool on) {
        char **n = NULL;

        if (on)
                return strv_contains(*l, v) ? 0 : strv_extend(l, v);
        for (char **p = *l; p && *p; p++)
                if (!streq(*p, v) && strv_extend(&n, *p) < 0)
                        return -ENOMEM;
        strv_free(*l);
        *l = n;
        return 0;
}

static int m_default_zone(sd_bus_message *m, void *u, sd_bus_error *e) {
        return sd_bus_reply_method_return(m, "s", "public");
}

static int m_zone_of_interface(sd_bus_message *m, void *u, sd_bus_error *e) {
        return sd_bus_reply_method_return(m, "s", "");
}

static int m_settings(sd_bus_message *m, void *u, sd_bus_error *e) {
        sd_bus_message *r = NULL;
        int k;

        k = sd_bus_message_new_method_return(m, &r);
        if (k >= 0)
                k = sd_bus_message_append(r, "a{sv}", 2, "short", "s", "Public", "target", "s", "default");
        if (k >= 0)
                k = sd_bus_send(NULL, r, NULL);
        sd_bus_message_unref(r);
        return k;
}

static struct zone_state *zs(void *u) {
        return u ? &permanent : &runtime;
}

static int m_query_service(sd_bus_message *m, void *u, sd_bus_error *e) {
        const char *zone = NULL, *svc;
        int k = u ? sd_bus_message_read(m, "s", &svc) : sd_bus_message_read(m, "ss", &zone, &svc);
        return k < 0 ? k : reply_b(m, zs(u)->ssh && streq(svc, "ssh"));
}

static int m_query_port(sd_bus_message *m, void *u, sd_bus_error *e) {
        const char *zone = NULL, *port, *proto;
        char buf[32];
        int k = u ? sd_bus_message_read(m, "ss", &port, &proto) : sd_bus_message_read(m, "sss", &zone, &port, &proto);
        if (k < 0)
                return k;
        snprintf(buf, sizeof buf, "%s/%s", port, proto);
        return reply_b(m, strv_contains(zs(u)->ports, buf));
}

static int m_rich_rules(sd_bus_message *m, void *u, sd_bus_error *e) {
        sd_bus_message *r = NULL;
        int k = sd_bus_message_new_method_return(m, &r);
        if (k >= 0)
                k = sd_bus_message_append_strv(r, zs(u)->rich);
        if (k >= 0)
                k = sd_bus_send(NULL, r, NULL);
        sd_bus_message_unref(r);
        return k;
}

static int m_query_rich(sd_bus_message *m, void *u, sd_bus_error *e) {
        const char *zone = NULL, *rule;
        int k = u ? sd_bus_message_read(m, "s", &rule) : sd_bus_message_read(m, "ss", &zone, &rule);
        return k < 0 ? k : reply_b(m, strv_contains(zs(u)->rich, rule));
}

/* add/remove Service, Port, RichRule; runtime ones take the zone first (and a timeout) */
static int m_change(sd_bus_message *m, void *u, sd_bus_error *e) {
        const char *member = sd_bus_message_get_member(m), *zone = NULL, *a = NULL, *b = NULL;
        bool on = strncmp(member, "add", 3) == 0;
        struct zone_state *z = zs(u);
        char buf[64];
        int k;

        if (!u) {
                k = sd_bus_message_read(m, "s", &zone);
                if (k < 0)
                        return k;
        }
        k = sd_bus_message_read(m, "s", &a);
        if (k >= 0 && strstr(member, "Port"))
                k = sd_bus_message_read(m, "s", &b);
        if (k < 0)
                return k;
        if (strstr(member, "Service")) {
                if (on && z->ssh)
                        return sd_bus_error_setf(e, "org.fedoraproject.FirewallD1.Exception", "ALREADY_ENABLED: '%s'", a);
                z->ssh = on;
        } else if (strstr(member, "Port")) {
                snprintf(buf, sizeof buf, "%s/%s", a, b);
                toggle(&z->ports, buf, on);
        } else
                toggle(&z->rich, a, on);
        return u ? sd_bus_reply_method_return(m, "") : sd_bus_reply_method_return(m, "s", zone);
}

static int m_zone_by_name(sd_bus_message *m, void *u, sd_bus_error *e) {
        return sd_bus_reply_method_return(m, "o", "/org/fedoraproject/FirewallD1/config/zone/0");
}

static const sd_bus_vtable main_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("getDefaultZone", "", "s", m_default_zone, 0),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable zone_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("getZoneOfInterface", "s", "s", m_zone_of_interface, 0),
        SD_BUS_METHOD("getZoneSettings2", "s", "a{sv}", m_settings, 0),
        SD_BUS_METHOD("queryService", "ss", "b", m_query_service, 0),
        SD_BUS_METHOD("queryPort", "sss", "b", m_query_port, 0),
        SD_BUS_METHOD("getRichRules", "s", "as", m_rich_rules, 0),
        SD_BUS_METHOD("queryRichRule", "ss", "b", m_query_rich, 0),
        SD_BUS_METHOD("addService", "ssi", "s", m_change, 0),
        SD_BUS_METHOD("removeService", "ss", "s", m_change, 0),
        SD_BUS_METHOD("addPort", "sssi", "s", m_change, 0),
        SD_BUS_METHOD("removePort", "sss", "s", m_change, 0),
        SD_BUS_METHOD("addRichRule", "ssi", "s", m_change, 0),
        SD_BUS_METHOD("removeRichRule", "ss", "s", m_change, 0),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable config_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("getZoneByName", "s", "o", m_zone_by_name, 0),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable config_zone_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("queryService", "s", "b", m_query_service, 0),
        SD_BUS_METHOD("queryPort", "ss", "b", m_query_port, 0),
        SD_BUS_METHOD("getRichRules", "", "as", m_rich_rules, 0),
        SD_BUS_METHOD("queryRichRule", "s", "b", m_query_rich, 0),
        SD_BUS_METHOD("addService", "s", "", m_change, 0),
        SD_BUS_METHOD("removeService", "s", "", m_change, 0),
        SD_BUS_METHOD("addPort", "ss", "", m_change, 0),
        SD_BUS_METHOD("removePort", "ss", "", m_change, 0),
        SD_BUS_METHOD("addRichRule", "s", "", m_change, 0),
        SD_BUS_METHOD("removeRichRule", "s", "", m_change, 0),
        SD_BUS_VTABLE_END,
};

static void fake_firewalld(int ready_fd) {
        sd_bus *bus = NULL;
        static int permanent_tag = 1;

        /* the seed's situation: ssh removed from the zone, and a rich rule rejecting 22 */
        runtime.ssh = permanent.ssh = false;
        strv_extend(&runtime.rich, "rule port port=\"22\" protocol=\"tcp\" reject");
        strv_extend(&permanent.rich, "rule port port=\"22\" protocol=\"tcp\" reject");
        strv_extend(&runtime.rich, "rule family=\"ipv4\" source address=\"198.51.100.7\" drop");

        if (sd_bus_open_system(&bus) < 0 ||
            sd_bus_add_object_vtable(bus, NULL, "/org/fedoraproject/FirewallD1", "org.fedoraproject.FirewallD1",
                                     main_vtable, NULL) < 0 ||
            sd_bus_add_object_vtable(bus, NULL, "/org/fedoraproject/FirewallD1", "org.fedoraproject.FirewallD1.zone",
                                     zone_vtable, NULL) < 0 ||
            sd_bus_add_object_vtable(bus, NULL, "/org/fedoraproject/FirewallD1/config",
                                     "org.fedoraproject.FirewallD1.config", config_vtable, NULL) < 0 ||
            sd_bus_add_object_vtable(bus, NULL, "/org/fedoraproject/FirewallD1/config/zone/0",
                                     "org.fedoraproject.FirewallD1.config.zone", config_zone_vtable, &permanent_tag) < 0 ||
            sd_bus_request_name(bus, "org.fedoraproject.FirewallD1", 0) < 0)
                _exit(1);
        (void) !write(ready_fd, "x", 1);
        close(ready_fd);
        for (;;) {
                int r = sd_bus_process(bus, NULL);
                if (r < 0)
                        _exit(1);
                if (r == 0)
                        sd_bus_wait(bus, UINT64_MAX);
        }
}

/* ---------------------------------------------------------------- setup */

static pid_t daemon_pid, fake_pid;
static char dir[] = "/tmp/test-firewalld-XXXXXX";

static int setup(void **state) {
        char conf[256], sock[256], address[300];
        int ready[2];
        FILE *f;

        if (access("/usr/bin/dbus-daemon", X_OK) < 0)
                return 0;
        assert_non_null(mkdtemp(dir));
        snprintf(conf, sizeof conf, "%s/bus.conf", dir);
        snprintf(sock, sizeof sock, "%s/bus", dir);
        f = fopen(conf, "we");
        fprintf(f, "<busconfig><type>system</type><listen>unix:path=%s</listen>"
                   "<auth>EXTERNAL</auth><policy context=\"default\"><allow user=\"*\"/><allow own=\"*\"/>"
                   "<allow send_destination=\"*\"/><allow receive_sender=\"*\"/></policy></busconfig>\n", sock);
        fclose(f);
        daemon_pid = fork();
        if (daemon_pid == 0) {
                char arg[300];
                snprintf(arg, sizeof arg, "--config-file=%s", conf);
                execl("/usr/bin/dbus-daemon", "dbus-daemon", arg, "--nofork", "--nopidfile", (char *) NULL);
                _exit(127);
        }
        for (int i = 0; i < 100 && access(sock, F_OK) < 0; i++)
                usleep(20000);
        snprintf(address, sizeof address, "unix:path=%s", sock);
        setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1);

        assert_int_equal(pipe(ready), 0);
        fake_pid = fork();
        if (fake_pid == 0) {
                close(ready[0]);
                fake_firewalld(ready[1]);
        }
        close(ready[1]);
        char c;
        assert_int_equal(read(ready[0], &c, 1), 1);
        close(ready[0]);
        return 0;
}

static int teardown(void **state) {
        char cmd[300];

        if (fake_pid > 0)
                kill(fake_pid, SIGTERM), waitpid(fake_pid, NULL, 0);
        if (daemon_pid > 0)
                kill(daemon_pid, SIGTERM), waitpid(daemon_pid, NULL, 0);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (daemon_pid > 0)
                (void) !system(cmd);
        return 0;
}

/* ---------------------------------------------------------------- tests */

static void probe(const struct options *o, struct facts *f) {
        fixture_healthy(f);
        f->fw.known = true;
        assert_int_equal(backend_firewalld.probe(o, f), 0);
}

static void test_mocked_bus(void **state) {
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};
        const struct firewalld_port *fp;
        _cleanup_free_ char *snap = NULL, *snap2 = NULL;

        if (daemon_pid <= 0)
                skip();
        probe(&o, &f);
        assert_true(f.fw.firewalld.running);
        /* every external interface is in no zone (the fake says ""): the default zone, once */
        assert_int_equal(f.fw.firewalld.n_zones, 1);
        assert_string_equal(f.fw.firewalld.zones[0].name, "public");
        assert_string_equal(f.fw.firewalld.zones[0].target, "default");
        assert_int_equal(f.fw.firewalld.zones[0].n_ports, 1);
        fp = &f.fw.firewalld.zones[0].ports[0];
        assert_int_equal(fp->runtime, FW_VERDICT_REJECTED);
        assert_int_equal(fp->permanent, FW_VERDICT_REJECTED);
        assert_false(fp->runtime_allowed);
        assert_int_equal(strv_length(fp->runtime_blocking), 1);
        assert_true(fp->blocking_only_port);
        assert_int_equal(strv_length(fp->notes), 1); /* the drop for one source */

        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_non_null(fw_find_fault(&p, "firewall.firewalld.rich-reject"));
        assert_int_equal(p.n_steps, 4);
        assert_string_equal(p.steps[0].command,
                            "firewall-cmd --zone=public --remove-rich-rule='rule port port=\"22\" protocol=\"tcp\" reject'");
        assert_string_equal(p.steps[1].command, "firewall-cmd --permanent --zone=public --remove-rich-rule='rule port "
                                                "port=\"22\" protocol=\"tcp\" reject'");
        assert_string_equal(p.steps[2].command, "firewall-cmd --zone=public --add-service=ssh");
        assert_string_equal(p.steps[3].command, "firewall-cmd --permanent --zone=public --add-service=ssh");
        assert_string_equal(p.steps[3].undo, "firewall-cmd --permanent --zone=public --remove-service=ssh");

        assert_int_equal(backend_firewalld.snapshot(&o, &p, &snap), 0);
        for (size_t i = 0; i < p.n_steps; i++)
                assert_int_equal(backend_firewalld.apply(&o, &p.steps[i], NULL), 0);
        /* idempotent: adding what is there is no error */
        assert_int_equal(backend_firewalld.apply(&o, &p.steps[2], NULL), 0);
        facts_done(&f);

        probe(&o, &f);
        fp = &f.fw.firewalld.zones[0].ports[0];
        assert_int_equal(fp->runtime, FW_VERDICT_ACCEPTED);
        assert_int_equal(fp->permanent, FW_VERDICT_ACCEPTED);
        facts_done(&f);

        /* rollback: back to the snapshot, which compares equal */
        assert_int_equal(backend_firewalld.restore(&o, snap), 0);
        assert_int_equal(backend_firewalld.snapshot(&o, &p, &snap2), 0);
        assert_string_equal(snap, snap2);
        probe(&o, &f);
        assert_int_equal(f.fw.firewalld.zones[0].ports[0].runtime, FW_VERDICT_REJECTED);
        facts_done(&f);
        plan_done(&p);
}

static void test_rich_parse(void **state) {
        bool some, only;

        assert_int_equal(fwd_rich_parse("rule port port=\"22\" protocol=\"tcp\" reject", 22, &some, &only), FWD_RICH_BLOCK);
        assert_false(some);
        assert_true(only);
        assert_int_equal(fwd_rich_parse("rule port port=\"20-25\" protocol=\"tcp\" drop", 22, &some, &only), FWD_RICH_BLOCK);
        assert_false(only);
        assert_int_equal(fwd_rich_parse("rule port port=\"20-25\" protocol=\"udp\" drop", 22, &some, &only), FWD_RICH_NONE);
        assert_int_equal(fwd_rich_parse("rule service name=\"ssh\" reject", 22, &some, &only), FWD_RICH_BLOCK);
        assert_true(only);
        assert_int_equal(fwd_rich_parse("rule service name=\"http\" reject", 22, &some, &only), FWD_RICH_NONE);
        assert_int_equal(fwd_rich_parse("rule family=\"ipv4\" source address=\"192.0.2.0/24\" service name=\"ssh\" accept",
                                        22, &some, &only),
                         FWD_RICH_ACCEPT);
        assert_true(some);
        assert_int_equal(fwd_rich_parse("rule family=\"ipv4\" source address=\"198.51.100.7\" drop", 22, &some, &only),
                         FWD_RICH_BLOCK);
        assert_true(some);
        assert_false(only);
        assert_int_equal(fwd_rich_parse("rule protocol value=\"icmp\" drop", 22, &some, &only), FWD_RICH_NONE);
}

static void test_plan_facts(void **state) {
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};
        struct firewalld_port *fp;

        /* permanent lacks ssh, runtime has it: a warning, the permanent step only */
        fixture_healthy(&f);
        f.fw.known = true;
        f.fw.firewalld = (struct firewalld_facts) { .installed = true, .running = true, .permanent_known = true };
        f.fw.firewalld.zones = calloc(1, sizeof(struct firewalld_zone));
        f.fw.firewalld.n_zones = 1;
        f.fw.firewalld.zones[0].name = strdup("public");
        f.fw.firewalld.zones[0].target = strdup("default");
        f.fw.firewalld.zones[0].ports = calloc(1, sizeof(*fp));
        f.fw.firewalld.zones[0].n_ports = 1;
        fp = &f.fw.firewalld.zones[0].ports[0];
        *fp = (struct firewalld_port) { .port = 22, .runtime = FW_VERDICT_ACCEPTED, .runtime_allowed = true,
                                        .permanent = FW_VERDICT_REJECTED, .blocking_only_port = true };
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(fw_find_fault(&p, "firewall.firewalld.not-allowed")->severity, SEVERITY_WARNING);
        assert_int_equal(p.n_steps, 1);
        assert_string_equal(p.steps[0].command, "firewall-cmd --permanent --zone=public --add-service=ssh");
        plan_done(&p);

        /* another port, and a rich rule blocking a range: a person must decide */
        fp->port = 2222;
        fp->runtime = FW_VERDICT_REJECTED;
        fp->runtime_allowed = false;
        strv_extend(&fp->runtime_blocking, "rule port port=\"1-3000\" protocol=\"tcp\" reject");
        fp->blocking_only_port = false;
        o.ports[0] = 2222;
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(fw_find_fault(&p, "firewall.firewalld.rich-reject")->remedy, REMEDY_NEEDS_PERSON);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);

        /* a port other than 22 is opened as a port */
        strv_free(fp->runtime_blocking);
        fp->runtime_blocking = NULL;
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_string_equal(p.steps[0].command, "firewall-cmd --zone=public --add-port=2222/tcp");
        assert_string_equal(p.steps[1].command, "firewall-cmd --permanent --zone=public --add-port=2222/tcp");
        plan_done(&p);
        facts_done(&f);
}

static void add_zone(struct facts *f, const char *name, const char *iface, bool allowed) {
        struct firewalld_facts *d = &f->fw.firewalld;
        struct firewalld_zone *z;

        d->zones = realloc(d->zones, sizeof(*z) * (d->n_zones + 1));
        assert_non_null(d->zones);
        z = &d->zones[d->n_zones++];
        *z = (struct firewalld_zone) { .name = strdup(name), .target = strdup("default"), .n_ports = 1 };
        assert_int_equal(strv_extend(&z->interfaces, iface), 0);
        z->ports = calloc(1, sizeof(*z->ports));
        z->ports[0] = (struct firewalld_port) { .port = 22, .blocking_only_port = true,
                                                .runtime = allowed ? FW_VERDICT_ACCEPTED : FW_VERDICT_REJECTED,
                                                .permanent = allowed ? FW_VERDICT_ACCEPTED : FW_VERDICT_REJECTED,
                                                .runtime_allowed = allowed, .permanent_allowed = allowed };
}

/* Each external interface's zone is judged: eth0 in public allows ssh, eth1 in internal and
 * eth2 in dmz do not; both of those get it, runtime and permanent. */
static void test_plan_zones(void **state) {
        struct options o = fixture_options();
        struct facts f;
        struct plan p = {};

        fixture_healthy(&f);
        f.fw.known = true;
        f.fw.firewalld = (struct firewalld_facts) { .installed = true, .running = true, .permanent_known = true };
        add_zone(&f, "public", "eth0", true);
        add_zone(&f, "internal", "eth1", false);
        add_zone(&f, "dmz", "eth2", false);
        assert_int_equal(plan_build(&f, &o, &p), 0);
        assert_int_equal(p.n_steps, 4);
        assert_string_equal(p.steps[0].command, "firewall-cmd --zone=internal --add-service=ssh");
        assert_string_equal(p.steps[1].command, "firewall-cmd --permanent --zone=internal --add-service=ssh");
        assert_string_equal(p.steps[2].command, "firewall-cmd --zone=dmz --add-service=ssh");
        assert_string_equal(p.steps[3].command, "firewall-cmd --permanent --zone=dmz --add-service=ssh");
        assert_string_equal(fw_find_fault(&p, "firewall.firewalld.not-allowed")->evidence[0],
                            "interface eth1 is in zone internal, target default");
        plan_done(&p);
        facts_done(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mocked_bus),
                cmocka_unit_test(test_rich_parse),
                cmocka_unit_test(test_plan_facts),
                cmocka_unit_test(test_plan_zones),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
