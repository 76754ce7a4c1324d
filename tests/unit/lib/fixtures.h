#pragma once

/* Fixture facts for planner and renderer tests: a Debian host with ssh.service and
 * ssh.socket, in a state the test then adjusts. */

#include <string.h>

#include "model.h"
#include "util/strv.h"

static inline void fixture_unit(struct unit_fact *u, const char *name, const char *active, const char *sub,
                                const char *file_state) {
        unit_fact_done(u);
        u->name = strdup(name);
        u->load_state = strdup(streq(file_state, "masked") ? "masked" : "loaded");
        u->active_state = strdup(active);
        u->sub_state = strdup(sub);
        u->unit_file_state = strdup(file_state);
        u->result = strdup("success");
}

static inline void fixture_answers(struct facts *f, uint16_t port, int error) {
        free(f->answers);
        f->answers = calloc(2, sizeof(*f->answers));
        f->n_answers = 2;
        f->answers[0] = (struct probe_result) { .family = AF_INET, .address = "127.0.0.1", .port = port, .error = error };
        f->answers[1] = (struct probe_result) { .family = AF_INET6, .address = "::1", .port = port, .error = error };
        if (error == 0) {
                strcpy(f->answers[0].banner, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
                strcpy(f->answers[1].banner, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
        }
}

/* A healthy Debian host: ssh.service active and enabled, ssh.socket off, port 22 answers. */
static inline void fixture_healthy(struct facts *f) {
        *f = (struct facts) { .is_root = true, .systemd = true, .listen_known = true };
        f->sshd_path = strdup("/usr/sbin/sshd");
        fixture_unit(&f->service, "ssh.service", "active", "running", "enabled");
        fixture_unit(&f->socket, "ssh.socket", "inactive", "dead", "disabled");
        f->listen = calloc(1, sizeof(*f->listen));
        f->listen[0] = (struct listen_fact) { .family = AF_INET, .address = "0.0.0.0", .port = 22 };
        f->n_listen = 1;
        fixture_answers(f, 22, 0);
}

/* The same host after `systemctl disable --now ssh`. */
static inline void fixture_stopped_disabled(struct facts *f) {
        fixture_healthy(f);
        fixture_unit(&f->service, "ssh.service", "inactive", "dead", "disabled");
        f->n_listen = 0;
        fixture_answers(f, 22, -ECONNREFUSED);
}

static inline struct options fixture_options(void) {
        return (struct options) { .command = COMMAND_REPAIR, .n_ports = 1, .ports = { 22 } };
}
