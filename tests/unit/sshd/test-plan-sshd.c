/* The sshd policy on fixture facts: no I/O, no sshd, no Augeas. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>

#include "lib/fixtures.h"
#include "plans/plans.h"

#define MAIN "/etc/ssh/sshd_config"
#define DROPIN "/etc/ssh/sshd_config.d/10-x.conf"

static void eff(struct facts *f, enum sshd_key k, const char *v) {
        assert_int_equal(strv_extend(&f->sshd_config.effective[k], v), 0);
}

static void user_eff(struct facts *f, enum sshd_key k, const char *v) {
        assert_int_equal(strv_extend(&f->sshd_config.user_effective[k], v), 0);
}

static void add_file(struct facts *f, const char *path, bool parsed) {
        struct sshd_config_facts *c = &f->sshd_config;

        c->files = realloc(c->files, sizeof(*c->files) * (c->n_files + 1));
        c->files[c->n_files++] = (struct sshd_file) { .path = strdup(path), .target = strdup(path), .parsed = parsed };
}

static int add_match(struct facts *f, const char *file, unsigned line, const char *aug, const char *criteria,
                     int applies) {
        struct sshd_config_facts *c = &f->sshd_config;

        c->matches = realloc(c->matches, sizeof(*c->matches) * (c->n_matches + 1));
        c->matches[c->n_matches] = (struct sshd_match) { .file = strdup(file), .line = line, .aug_path = strdup(aug),
                                                         .criteria = strdup(criteria), .applies = applies };
        return (int) c->n_matches++;
}

static void add_source(struct facts *f, const char *file, unsigned line, const char *aug, int match,
                       const char *keyword, const char *v1, const char *v2) {
        struct sshd_config_facts *c = &f->sshd_config;
        struct sshd_source s = { .key = sshd_key_from_string(keyword), .keyword = strdup(keyword),
                                 .file = strdup(file), .line = line, .aug_path = aug ? strdup(aug) : NULL,
                                 .match = match };

        strv_extend(&s.values, v1);
        if (v2)
                strv_extend(&s.values, v2);
        c->sources = realloc(c->sources, sizeof(*c->sources) * (c->n_sources + 1));
        c->sources[c->n_sources++] = s;
}

static void add_access(struct facts *f, enum sshd_key k, const char *pattern, int matches) {
        struct sshd_config_facts *c = &f->sshd_config;

        c->access = realloc(c->access, sizeof(*c->access) * (c->n_access + 1));
        c->access[c->n_access++] = (struct sshd_access) { .key = k, .pattern = strdup(pattern), .matches = matches };
}

/* A healthy Debian host whose configuration sshd accepts, port 22, keys on. */
static void healthy(struct facts *f) {
        struct sshd_config_facts *c = &f->sshd_config;

        fixture_healthy(f);
        c->known = c->test_ran = c->test_ok = c->effective_known = true;
        c->main_path = strdup(MAIN);
        add_file(f, MAIN, true);
        add_file(f, DROPIN, true);
        eff(f, SSHD_PORT, "22");
        eff(f, SSHD_LISTEN_ADDRESS, "[::]:22");
        eff(f, SSHD_LISTEN_ADDRESS, "0.0.0.0:22");
        eff(f, SSHD_PUBKEY_AUTHENTICATION, "yes");
        eff(f, SSHD_PASSWORD_AUTHENTICATION, "yes");
        eff(f, SSHD_PERMIT_ROOT_LOGIN, "without-password");
        eff(f, SSHD_PERMIT_EMPTY_PASSWORDS, "no");
        c->host_addresses_known = true;
        strv_extend(&c->host_addresses, "127.0.0.1");
        strv_extend(&c->host_addresses, "::1");
}

/* --user: the effective values for the user start as the global ones. */
static void with_user(struct facts *f) {
        struct sshd_config_facts *c = &f->sshd_config;

        for (int k = 0; k < _SSHD_KEY_MAX; k++)
                c->user_effective[k] = strv_copy(c->effective[k]);
        c->user_effective_known = true;
        c->user_exists = true;
        c->user_has_keys = true;
}

static struct options opts(const char *user, uint16_t port, bool insecure) {
        struct options o = fixture_options();

        o.user = (char *) user;
        o.ports[0] = port;
        o.allow_insecure = insecure;
        return o;
}

static void build(const struct facts *f, const struct options *o, struct plan *p) {
        assert_int_equal(plan_build(f, o, p), 0);
}

static const struct fault *expect_fault(const struct plan *p, const char *id, enum severity s, enum remedy r) {
        const struct fault *x = plan_find_fault(p, id);

        if (!x)
                fail_msg("no fault '%s'", id);
        assert_int_equal(x->severity, s);
        assert_int_equal(x->remedy, r);
        return x;
}

static void expect_edit(const struct plan *p, size_t i, const char *op, const char *a0, const char *a1, const char *a2,
                        const char *a3) {
        const char *want[] = { a0, a1, a2, a3 };

        assert_true(i < p->n_steps);
        assert_string_equal(p->steps[i].backend, "sshd");
        assert_string_equal(p->steps[i].operation, op);
        for (size_t k = 0; k < 4 && want[k]; k++)
                assert_string_equal(p->steps[i].args[k], want[k]);
        assert_non_null(p->steps[i].command);
}

static void expect_reload(const struct plan *p, size_t i) {
        assert_true(i < p->n_steps);
        assert_string_equal(p->steps[i].backend, "systemd");
        assert_string_equal(p->steps[i].operation, "reload");
        assert_string_equal(p->steps[i].args[0], "ssh.service");
        assert_string_equal(p->steps[i].command, "systemctl reload ssh.service");
}

static void test_healthy(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("alice", 22, false);

        healthy(&f);
        with_user(&f);
        build(&f, &o, &p);
        assert_int_equal(p.n_faults, 0);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

static void test_port_mismatch_keeps_existing(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts(NULL, 22, false);

        healthy(&f);
        strv_free(f.sshd_config.effective[SSHD_PORT]);
        f.sshd_config.effective[SSHD_PORT] = NULL;
        eff(&f, SSHD_PORT, "2222");
        add_source(&f, MAIN, 14, "/files" MAIN "/Port", -1, "Port", "2222", NULL);
        fixture_answers(&f, 22, -ECONNREFUSED);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.port-mismatch", SEVERITY_ERROR, REMEDY_AUTO);
        assert_int_equal(p.n_steps, 2);
        expect_edit(&p, 0, "add", MAIN, "/files" MAIN, "Port", "22");
        assert_string_equal(p.steps[0].command, "sed -i '14a Port 22' " MAIN);
        expect_reload(&p, 1);
        plan_done(&p);
        facts_done(&f);
}

static void test_port_default_written_out(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts(NULL, 2222, false);

        healthy(&f);
        fixture_answers(&f, 2222, -ECONNREFUSED);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.port-mismatch", SEVERITY_ERROR, REMEDY_AUTO);
        assert_int_equal(p.n_steps, 3);
        /* 22 was the default: a Port line would drop it, so it is written out first */
        expect_edit(&p, 0, "add", MAIN, "/files" MAIN, "Port", "22");
        expect_edit(&p, 1, "add", MAIN, "/files" MAIN, "Port", "2222");
        expect_reload(&p, 2);
        plan_done(&p);
        facts_done(&f);
}

static void test_port_in_dropin(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts(NULL, 22, false);

        healthy(&f);
        strv_free(f.sshd_config.effective[SSHD_PORT]);
        f.sshd_config.effective[SSHD_PORT] = NULL;
        eff(&f, SSHD_PORT, "2200");
        add_source(&f, DROPIN, 3, "/files" DROPIN "/Port", -1, "Port", "2200", NULL);
        fixture_answers(&f, 22, -ECONNREFUSED);
        build(&f, &o, &p);
        expect_edit(&p, 0, "add", DROPIN, "/files" DROPIN, "Port", "22");
        plan_done(&p);
        facts_done(&f);
}

static void test_port_socket_activation(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts(NULL, 2222, false);

        healthy(&f);
        fixture_unit(&f.socket, "ssh.socket", "active", "listening", "enabled");
        fixture_answers(&f, 2222, -ECONNREFUSED);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.port-mismatch", SEVERITY_ERROR, REMEDY_NEEDS_PERSON);
        for (size_t i = 0; i < p.n_steps; i++)
                assert_string_not_equal(p.steps[i].backend, "sshd");
        plan_done(&p);
        facts_done(&f);
}

static void test_socket_dropin(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts(NULL, 2222, false);

        healthy(&f);
        fixture_unit(&f.service, "ssh.service", "inactive", "dead", "disabled");
        fixture_unit(&f.socket, "ssh.socket", "active", "listening", "enabled");
        f.sshd_config.socket_listen_known = true;
        strv_extend(&f.sshd_config.socket_listen, "[::]:22");
        fixture_answers(&f, 2222, -ECONNREFUSED);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.port-mismatch", SEVERITY_ERROR, REMEDY_AUTO);
        assert_int_equal(p.n_steps, 3);
        expect_edit(&p, 0, "write-file", "/etc/systemd/system/ssh.socket.d/zz-sshrepair-port.conf",
                    "# Written by sshrepair: the ports SSH clients use.\n[Socket]\nListenStream=\n"
                    "ListenStream=[::]:22\nListenStream=2222\n", NULL, NULL);
        assert_string_equal(p.steps[0].command,
                            "mkdir -p /etc/systemd/system/ssh.socket.d && printf '# Written by sshrepair: the ports SSH "
                            "clients use.\\n[Socket]\\nListenStream=\\nListenStream=[::]:22\\nListenStream=2222\\n' > "
                            "/etc/systemd/system/ssh.socket.d/zz-sshrepair-port.conf");
        assert_string_equal(p.steps[1].operation, "daemon-reload");
        assert_string_equal(p.steps[2].operation, "restart");
        assert_string_equal(p.steps[2].args[0], "ssh.socket");
        assert_string_equal(p.steps[2].command, "systemctl restart ssh.socket");
        plan_done(&p);
        facts_done(&f);
}

static void test_socket_service_running(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts(NULL, 22, false);

        /* Accept=no: the socket started ssh.service, which must stop before the restart */
        healthy(&f);
        fixture_unit(&f.socket, "ssh.socket", "active", "running", "enabled");
        f.sshd_config.socket_listen_known = true;
        strv_extend(&f.sshd_config.socket_listen, "[::]:2222");
        fixture_answers(&f, 22, -ECONNREFUSED);
        build(&f, &o, &p);
        assert_int_equal(p.n_steps, 4);
        assert_string_equal(p.steps[1].operation, "daemon-reload");
        assert_string_equal(p.steps[2].operation, "stop");
        assert_string_equal(p.steps[2].args[0], "ssh.service");
        assert_string_equal(p.steps[2].undo, "systemctl start ssh.service");
        assert_string_equal(p.steps[3].operation, "restart");
        plan_done(&p);
        facts_done(&f);
}

static void test_socket_has_port(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts(NULL, 22, false);

        /* sshd_config says 2222, but the socket listens on 22: nothing to do */
        healthy(&f);
        fixture_unit(&f.socket, "ssh.socket", "active", "listening", "enabled");
        strv_free(f.sshd_config.effective[SSHD_PORT]);
        f.sshd_config.effective[SSHD_PORT] = NULL;
        eff(&f, SSHD_PORT, "2222");
        f.sshd_config.socket_listen_known = true;
        strv_extend(&f.sshd_config.socket_listen, "[::]:22");
        build(&f, &o, &p);
        assert_null(plan_find_fault(&p, "sshd.port-mismatch"));
        plan_done(&p);
        facts_done(&f);
}

static void test_selinux_port(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts(NULL, 2222, false);

        healthy(&f);
        f.sshd_config.selinux_enforcing = true;
        fixture_answers(&f, 2222, -ECONNREFUSED);
        build(&f, &o, &p);
        /* Port 22 written out, Port 2222 added, 2222 labelled (22 is already), reload */
        assert_int_equal(p.n_steps, 4);
        assert_string_equal(p.steps[2].operation, "selinux-port");
        assert_string_equal(p.steps[2].args[0], "2222");
        assert_string_equal(p.steps[2].command, "semanage port -a -t ssh_port_t -p tcp 2222");
        assert_string_equal(p.steps[2].undo, "semanage port -d -t ssh_port_t -p tcp 2222");
        expect_reload(&p, 3);
        plan_done(&p);
        facts_done(&f);
}

static void test_listen_address_missing(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts(NULL, 22, false);

        healthy(&f);
        strv_free(f.sshd_config.effective[SSHD_LISTEN_ADDRESS]);
        f.sshd_config.effective[SSHD_LISTEN_ADDRESS] = NULL;
        eff(&f, SSHD_LISTEN_ADDRESS, "10.9.9.9:22");
        add_source(&f, MAIN, 20, "/files" MAIN "/ListenAddress", -1, "ListenAddress", "10.9.9.9", NULL);
        fixture_answers(&f, 22, -ECONNREFUSED);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.port-mismatch", SEVERITY_ERROR, REMEDY_AUTO);
        expect_edit(&p, 0, "add", MAIN, "/files" MAIN, "ListenAddress", "0.0.0.0");
        plan_done(&p);
        facts_done(&f);
}

static void test_invalid_line(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts(NULL, 22, false);

        healthy(&f);
        fixture_unit(&f.service, "ssh.service", "failed", "failed", "enabled");
        fixture_answers(&f, 22, -ECONNREFUSED);
        f.sshd_config.test_ok = false;
        f.sshd_config.effective_known = false;
        strv_extend(&f.sshd_config.test_messages, MAIN " line 13: unsupported option \"maybe\".");
        f.sshd_config.invalid = calloc(1, sizeof(struct sshd_invalid));
        f.sshd_config.invalid[0] = (struct sshd_invalid) { .file = strdup(MAIN), .line = 13,
                                                           .text = strdup("PermitRootLogin maybe"),
                                                           .aug_path = strdup("/files" MAIN "/PermitRootLogin") };
        f.sshd_config.n_invalid = 1;
        build(&f, &o, &p);
        expect_fault(&p, "sshd.config-invalid", SEVERITY_ERROR, REMEDY_AUTO);
        expect_fault(&p, "sshd.inactive", SEVERITY_ERROR, REMEDY_AUTO);
        assert_int_equal(p.n_steps, 3);
        expect_edit(&p, 0, "comment-out", MAIN, "/files" MAIN "/PermitRootLogin", NULL, NULL);
        assert_string_equal(p.steps[0].command, "sed -i '13s/^/# sshrepair disabled: /' " MAIN);
        /* not running: no reload; the start reads the repaired file, once the start limit
         * that the failing restarts hit is cleared */
        assert_string_equal(p.steps[1].operation, "reset-failed");
        assert_string_equal(p.steps[2].operation, "start");
        plan_done(&p);
        facts_done(&f);
}

static void test_invalid_no_line(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts(NULL, 22, false);

        healthy(&f);
        f.sshd_config.test_ok = false;
        f.sshd_config.effective_known = false;
        strv_extend(&f.sshd_config.test_messages, "sshd: no hostkeys available -- exiting.");
        build(&f, &o, &p);
        const struct fault *x = expect_fault(&p, "sshd.config-invalid", SEVERITY_ERROR, REMEDY_NEEDS_PERSON);
        assert_non_null(x->advice);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

static void test_pubkey_dropin_wins(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts(NULL, 22, false);

        healthy(&f);
        strv_free(f.sshd_config.effective[SSHD_PUBKEY_AUTHENTICATION]);
        f.sshd_config.effective[SSHD_PUBKEY_AUTHENTICATION] = NULL;
        eff(&f, SSHD_PUBKEY_AUTHENTICATION, "no");
        /* the drop-in is read first (Include at the top) and wins over the main file */
        add_source(&f, DROPIN, 1, "/files" DROPIN "/PubkeyAuthentication", -1, "PubkeyAuthentication", "no", NULL);
        add_source(&f, MAIN, 40, "/files" MAIN "/PubkeyAuthentication", -1, "PubkeyAuthentication", "yes", NULL);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.pubkey-disabled", SEVERITY_ERROR, REMEDY_AUTO);
        expect_edit(&p, 0, "set", DROPIN, "/files" DROPIN "/PubkeyAuthentication", "yes", NULL);
        expect_reload(&p, 1);
        plan_done(&p);
        facts_done(&f);
}

static void test_pubkey_match_block(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("alice", 22, false);
        int m;

        healthy(&f);
        with_user(&f);
        strv_free(f.sshd_config.user_effective[SSHD_PUBKEY_AUTHENTICATION]);
        f.sshd_config.user_effective[SSHD_PUBKEY_AUTHENTICATION] = NULL;
        user_eff(&f, SSHD_PUBKEY_AUTHENTICATION, "no");
        m = add_match(&f, MAIN, 120, "/files" MAIN "/Match[1]", "User alice", 1);
        add_source(&f, MAIN, 121, "/files" MAIN "/Match[1]/Settings/PubkeyAuthentication", m, "PubkeyAuthentication",
                   "no", NULL);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.pubkey-disabled", SEVERITY_ERROR, REMEDY_AUTO);
        expect_edit(&p, 0, "set", MAIN, "/files" MAIN "/Match[1]/Settings/PubkeyAuthentication", "yes", NULL);
        plan_done(&p);
        facts_done(&f);
}

static void test_pubkey_unparsed_file(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts(NULL, 22, false);

        healthy(&f);
        f.sshd_config.files[1].parsed = false;
        f.sshd_config.files[1].error = strdup("the Augeas Sshd lens cannot parse it");
        strv_free(f.sshd_config.effective[SSHD_PUBKEY_AUTHENTICATION]);
        f.sshd_config.effective[SSHD_PUBKEY_AUTHENTICATION] = NULL;
        eff(&f, SSHD_PUBKEY_AUTHENTICATION, "no");
        add_source(&f, DROPIN, 1, NULL, -1, "PubkeyAuthentication", "no", NULL);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.pubkey-disabled", SEVERITY_ERROR, REMEDY_NEEDS_PERSON);
        expect_fault(&p, "sshd.config-unparsed", SEVERITY_WARNING, REMEDY_NEEDS_PERSON);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

static void test_deny_users(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("alice", 22, false);

        healthy(&f);
        with_user(&f);
        user_eff(&f, SSHD_DENY_USERS, "alice");
        user_eff(&f, SSHD_DENY_USERS, "bob");
        add_source(&f, DROPIN, 1, "/files" DROPIN "/DenyUsers", -1, "DenyUsers", "alice", "bob");
        add_access(&f, SSHD_DENY_USERS, "alice", 1);
        add_access(&f, SSHD_DENY_USERS, "bob", 0);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.user-denied", SEVERITY_ERROR, REMEDY_AUTO);
        assert_int_equal(p.n_steps, 2);
        expect_edit(&p, 0, "list-remove", DROPIN, "/files" DROPIN "/DenyUsers", "alice", NULL);
        assert_string_equal(p.steps[0].command, "in " DROPIN " line 1: remove 'alice' from DenyUsers");
        expect_reload(&p, 1);
        plan_done(&p);
        facts_done(&f);
}

static void test_deny_wildcard_needs_person(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("alice", 22, false);

        healthy(&f);
        with_user(&f);
        user_eff(&f, SSHD_DENY_USERS, "a*");
        add_source(&f, DROPIN, 1, "/files" DROPIN "/DenyUsers", -1, "DenyUsers", "a*", NULL);
        add_access(&f, SSHD_DENY_USERS, "a*", 1);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.user-denied", SEVERITY_ERROR, REMEDY_NEEDS_PERSON);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

static void test_allow_users(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("alice", 22, false);

        healthy(&f);
        with_user(&f);
        user_eff(&f, SSHD_ALLOW_USERS, "bob");
        add_source(&f, MAIN, 13, "/files" MAIN "/AllowUsers", -1, "AllowUsers", "bob", NULL);
        add_access(&f, SSHD_ALLOW_USERS, "bob", 0);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.user-denied", SEVERITY_ERROR, REMEDY_AUTO);
        expect_edit(&p, 0, "list-add", MAIN, "/files" MAIN "/AllowUsers", "alice", NULL);
        plan_done(&p);
        facts_done(&f);
}

static void test_allow_users_with_from(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("alice", 22, false);

        o.from.family = AF_INET;
        inet_pton(AF_INET, "192.0.2.0", &o.from.addr.in);
        o.from.prefixlen = 24;
        healthy(&f);
        with_user(&f);
        user_eff(&f, SSHD_ALLOW_USERS, "alice@10.0.0.0/8");
        add_source(&f, MAIN, 13, "/files" MAIN "/AllowUsers", -1, "AllowUsers", "alice@10.0.0.0/8", NULL);
        add_access(&f, SSHD_ALLOW_USERS, "alice@10.0.0.0/8", 0);
        build(&f, &o, &p);
        /* only from where the client comes from */
        expect_edit(&p, 0, "list-add", MAIN, "/files" MAIN "/AllowUsers", "alice@192.0.2.0/24", NULL);
        plan_done(&p);
        facts_done(&f);
}

static void test_allow_users_from_match(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("alice", 22, false);
        int m;

        healthy(&f);
        with_user(&f);
        user_eff(&f, SSHD_ALLOW_USERS, "root");
        /* the global list names alice, but the Match list that applies replaces it */
        add_source(&f, MAIN, 13, "/files" MAIN "/AllowUsers", -1, "AllowUsers", "alice", NULL);
        m = add_match(&f, MAIN, 120, "/files" MAIN "/Match[1]", "Group sshusers", 1);
        add_source(&f, MAIN, 121, "/files" MAIN "/Match[1]/Settings/AllowUsers", m, "AllowUsers", "root", NULL);
        add_access(&f, SSHD_ALLOW_USERS, "root", 0);
        build(&f, &o, &p);
        expect_edit(&p, 0, "list-add", MAIN, "/files" MAIN "/Match[1]/Settings/AllowUsers", "alice", NULL);
        plan_done(&p);
        facts_done(&f);
}

static void test_allow_users_unknown_host(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("alice", 22, false);

        healthy(&f);
        with_user(&f);
        user_eff(&f, SSHD_ALLOW_USERS, "alice@10.0.0.0/8");
        add_source(&f, MAIN, 13, "/files" MAIN "/AllowUsers", -1, "AllowUsers", "alice@10.0.0.0/8", NULL);
        add_access(&f, SSHD_ALLOW_USERS, "alice@10.0.0.0/8", -1);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.user-denied", SEVERITY_WARNING, REMEDY_NEEDS_PERSON);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

static void test_allow_groups(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("alice", 22, false);

        healthy(&f);
        with_user(&f);
        user_eff(&f, SSHD_ALLOW_GROUPS, "sshusers");
        add_source(&f, MAIN, 13, "/files" MAIN "/AllowGroups", -1, "AllowGroups", "sshusers", NULL);
        add_access(&f, SSHD_ALLOW_GROUPS, "sshusers", 0);
        build(&f, &o, &p);
        const struct fault *x = expect_fault(&p, "sshd.group-denied", SEVERITY_ERROR, REMEDY_NEEDS_PERSON);
        assert_string_equal(x->advice, "if 'alice' should log in: 'usermod -aG sshusers alice'");
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);
        facts_done(&f);
}

static void root_no(struct facts *f) {
        healthy(f);
        with_user(f);
        strv_free(f->sshd_config.user_effective[SSHD_PERMIT_ROOT_LOGIN]);
        f->sshd_config.user_effective[SSHD_PERMIT_ROOT_LOGIN] = NULL;
        user_eff(f, SSHD_PERMIT_ROOT_LOGIN, "no");
        add_source(f, DROPIN, 1, "/files" DROPIN "/PermitRootLogin", -1, "PermitRootLogin", "no", NULL);
}

static void test_root_refused_without_flag(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("root", 22, false);

        root_no(&f);
        build(&f, &o, &p);
        const struct fault *x = expect_fault(&p, "sshd.root-login-refused", SEVERITY_ERROR, REMEDY_NEEDS_FLAG);
        assert_non_null(strstr(x->advice, "--allow-insecure"));
        assert_int_equal(p.n_steps, 0);
        assert_true(plan_has_unfixable(&p));
        plan_done(&p);
        facts_done(&f);
}

static void test_root_allowed_with_keys(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("root", 22, true);

        root_no(&f);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.root-login-refused", SEVERITY_ERROR, REMEDY_AUTO);
        expect_edit(&p, 0, "set", DROPIN, "/files" DROPIN "/PermitRootLogin", "prohibit-password", NULL);
        plan_done(&p);
        facts_done(&f);
}

static void test_root_allowed_without_keys(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("root", 22, true);

        root_no(&f);
        f.sshd_config.user_has_keys = false;
        build(&f, &o, &p);
        expect_edit(&p, 0, "set", DROPIN, "/files" DROPIN "/PermitRootLogin", "yes", NULL);
        plan_done(&p);
        facts_done(&f);
}

static void test_password_disabled_no_keys(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("alice", 22, false);

        healthy(&f);
        with_user(&f);
        f.sshd_config.user_has_keys = false;
        strv_free(f.sshd_config.user_effective[SSHD_PASSWORD_AUTHENTICATION]);
        f.sshd_config.user_effective[SSHD_PASSWORD_AUTHENTICATION] = NULL;
        user_eff(&f, SSHD_PASSWORD_AUTHENTICATION, "no");
        build(&f, &o, &p);
        expect_fault(&p, "sshd.password-disabled", SEVERITY_ERROR, REMEDY_NEEDS_FLAG);
        assert_int_equal(p.n_steps, 0);
        plan_done(&p);

        /* with the flag, and no line that sets it: a line in the main file */
        o.allow_insecure = true;
        build(&f, &o, &p);
        expect_fault(&p, "sshd.password-disabled", SEVERITY_ERROR, REMEDY_AUTO);
        expect_edit(&p, 0, "add", MAIN, "/files" MAIN, "PasswordAuthentication", "yes");
        plan_done(&p);
        facts_done(&f);
}

static void test_empty_password(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("alice", 22, false);

        healthy(&f);
        with_user(&f);
        f.sshd_config.user_has_keys = false;
        f.sshd_config.user_empty_password = true;
        build(&f, &o, &p);
        expect_fault(&p, "sshd.empty-password-refused", SEVERITY_ERROR, REMEDY_NEEDS_FLAG);
        plan_done(&p);
        facts_done(&f);
}

static void test_keys_file_elsewhere(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("alice", 22, false);

        healthy(&f);
        with_user(&f);
        f.sshd_config.user_has_keys = false;
        f.sshd_config.user_has_default_keys = true;
        user_eff(&f, SSHD_AUTHORIZED_KEYS_FILE, "/etc/ssh/keys/%u");
        add_source(&f, MAIN, 30, "/files" MAIN "/AuthorizedKeysFile", -1, "AuthorizedKeysFile", "/etc/ssh/keys/%u",
                   NULL);
        build(&f, &o, &p);
        expect_fault(&p, "sshd.authorized-keys-file", SEVERITY_ERROR, REMEDY_NEEDS_PERSON);
        plan_done(&p);
        facts_done(&f);
}

static void test_describe(void **state) {
        struct facts f;
        char **l = NULL;
        int m;

        healthy(&f);
        with_user(&f);
        strv_free(f.sshd_config.user_effective[SSHD_PUBKEY_AUTHENTICATION]);
        f.sshd_config.user_effective[SSHD_PUBKEY_AUTHENTICATION] = NULL;
        user_eff(&f, SSHD_PUBKEY_AUTHENTICATION, "no");
        m = add_match(&f, MAIN, 120, "/files" MAIN "/Match[1]", "User alice", 1);
        add_source(&f, MAIN, 121, "/files" MAIN "/Match[1]/Settings/PubkeyAuthentication", m, "PubkeyAuthentication",
                   "no", NULL);
        assert_int_equal(sshd_config_describe(&f.sshd_config, &l), 0);
        assert_true(strv_contains(l, "Port 22 (default)"));
        assert_true(strv_contains(l, "PubkeyAuthentication no (from " MAIN " line 121, in 'Match User alice')"));
        strv_free(l);
        facts_done(&f);
}

static void test_unknown_user(void **state) {
        struct facts f;
        struct plan p;
        struct options o = opts("nosuch", 22, false);

        healthy(&f);
        with_user(&f);
        f.sshd_config.user_exists = false;
        build(&f, &o, &p);
        expect_fault(&p, "sshd.user-unknown", SEVERITY_ERROR, REMEDY_NEEDS_PERSON);
        plan_done(&p);
        facts_done(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_healthy),
                cmocka_unit_test(test_port_mismatch_keeps_existing),
                cmocka_unit_test(test_port_default_written_out),
                cmocka_unit_test(test_port_in_dropin),
                cmocka_unit_test(test_port_socket_activation),
                cmocka_unit_test(test_socket_dropin),
                cmocka_unit_test(test_socket_service_running),
                cmocka_unit_test(test_socket_has_port),
                cmocka_unit_test(test_selinux_port),
                cmocka_unit_test(test_listen_address_missing),
                cmocka_unit_test(test_invalid_line),
                cmocka_unit_test(test_invalid_no_line),
                cmocka_unit_test(test_pubkey_dropin_wins),
                cmocka_unit_test(test_pubkey_match_block),
                cmocka_unit_test(test_pubkey_unparsed_file),
                cmocka_unit_test(test_deny_users),
                cmocka_unit_test(test_deny_wildcard_needs_person),
                cmocka_unit_test(test_allow_users),
                cmocka_unit_test(test_allow_users_with_from),
                cmocka_unit_test(test_allow_users_from_match),
                cmocka_unit_test(test_allow_users_unknown_host),
                cmocka_unit_test(test_allow_groups),
                cmocka_unit_test(test_root_refused_without_flag),
                cmocka_unit_test(test_root_allowed_with_keys),
                cmocka_unit_test(test_root_allowed_without_keys),
                cmocka_unit_test(test_password_disabled_no_keys),
                cmocka_unit_test(test_empty_password),
                cmocka_unit_test(test_keys_file_elsewhere),
                cmocka_unit_test(test_describe),
                cmocka_unit_test(test_unknown_user),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
