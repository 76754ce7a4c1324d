#include <arpa/inet.h>
#include <linux/netfilter.h>

#include "cli.h"
#include "render.h"
#include "util/json.h"
#include "util/strv.h"

static const char *family_to_string(int family) {
        return family == AF_INET6 ? "ipv6" : "ipv4";
}

static void json_unit(struct json *j, const char *key, const struct unit_fact *u) {
        if (!u->name) {
                json_string(j, key, NULL);
                return;
        }
        json_object_begin(j, key);
        json_string(j, "name", u->name);
        json_string(j, "load_state", u->load_state);
        json_string(j, "active_state", u->active_state);
        json_string(j, "sub_state", u->sub_state);
        json_string(j, "unit_file_state", u->unit_file_state);
        json_string(j, "result", u->result);
        json_strv(j, "journal", u->journal);
        json_object_end(j);
}

static void json_probes(struct json *j, const char *key, const struct probe_result *p, size_t n) {
        json_array_begin(j, key);
        for (size_t i = 0; i < n; i++) {
                json_object_begin(j, NULL);
                json_string(j, "family", family_to_string(p[i].family));
                json_string(j, "address", p[i].address);
                json_int(j, "port", p[i].port);
                json_bool(j, "ssh", p[i].error == 0);
                json_int(j, "errno", -p[i].error);
                json_string(j, "banner", p[i].banner[0] ? p[i].banner : NULL);
                json_object_end(j);
        }
        json_array_end(j);
}

static void json_options(struct json *j, const struct options *o) {
        char buf[INET6_ADDRSTRLEN + 8];

        json_object_begin(j, "options");
        json_string(j, "command", command_to_string(o->command));
        json_bool(j, "dry_run", o->dry_run);
        json_bool(j, "yes", o->yes);
        json_array_begin(j, "ports");
        for (size_t i = 0; i < o->n_ports; i++)
                json_int(j, NULL, o->ports[i]);
        json_array_end(j);
        json_string(j, "user", o->user);
        json_string(j, "from", o->from.family ? cidr_to_string(&o->from, buf, sizeof buf) : NULL);
        json_string(j, "root", o->root);
        json_bool(j, "allow_insecure", o->allow_insecure);
        json_object_end(j);
}

static void json_facts(struct json *j, const struct facts *f) {
        json_object_begin(j, "facts");
        json_bool(j, "is_root", f->is_root);
        json_object_begin(j, "systemd");
        json_bool(j, "running", f->systemd);
        json_string(j, "error", f->systemd_error);
        json_object_end(j);
        json_unit(j, "service", &f->service);
        json_unit(j, "socket", &f->socket);
        json_object_begin(j, "sshd");
        json_string(j, "path", f->sshd_path);
        json_bool(j, "config_known", f->sshd_config.known);
        json_bool(j, "run_dir_created", f->sshd_config.run_dir_created);
        {
                _cleanup_strv_free_ char **settings = NULL;

                if (f->sshd_config.known)
                        (void) sshd_config_describe(&f->sshd_config, &settings);
                json_strv(j, "settings", settings);
        }
        json_object_end(j);
        json_array_begin(j, "listening");
        for (size_t i = 0; i < f->n_listen; i++) {
                json_object_begin(j, NULL);
                json_string(j, "family", family_to_string(f->listen[i].family));
                json_string(j, "address", f->listen[i].address);
                json_int(j, "port", f->listen[i].port);
                json_object_end(j);
        }
        json_array_end(j);
        json_object_begin(j, "nftables");
        json_bool(j, "known", f->nft.known);
        json_int(j, "tables", (int64_t) f->nft.n_tables);
        json_int(j, "rules", (int64_t) f->nft.n_rules);
        json_array_begin(j, "base_chains");
        for (size_t i = 0; i < f->nft.n_verdicts; i++) {
                const struct nft_chain_verdict *v = &f->nft.verdicts[i];

                json_object_begin(j, NULL);
                json_string(j, "syn_family", v->nfproto == NFPROTO_IPV6 ? "ipv6" : "ipv4");
                json_int(j, "port", v->port);
                json_string(j, "family", v->family);
                json_string(j, "table", v->table);
                json_string(j, "chain", v->chain);
                json_string(j, "hook", v->hook);
                json_int(j, "priority", v->priority);
                json_string(j, "verdict", nft_verdict_to_string(v->verdict));
                json_string(j, "rule", v->text);
                json_int(j, "handle", (int64_t) v->handle);
                json_bool(j, "by_policy", v->by_policy);
                json_object_end(j);
        }
        json_array_end(j);
        json_object_end(j);
        json_strv(j, "firewall_frontends", f->fw.frontends);
        json_probes(j, "answers", f->answers, f->n_answers);
        json_strv(j, "unreadable", f->unreadable);
        json_object_end(j);
}

static void json_plan(struct json *j, const struct plan *p) {
        json_array_begin(j, "faults");
        for (size_t i = 0; i < p->n_faults; i++) {
                const struct fault *x = &p->faults[i];

                json_object_begin(j, NULL);
                json_string(j, "id", x->id);
                json_string(j, "severity", severity_to_string(x->severity));
                json_string(j, "remedy", remedy_to_string(x->remedy));
                json_string(j, "summary", x->summary);
                json_strv(j, "evidence", x->evidence);
                json_string(j, "advice", x->advice);
                json_object_end(j);
        }
        json_array_end(j);

        json_array_begin(j, "steps");
        for (size_t i = 0; i < p->n_steps; i++) {
                const struct step *s = &p->steps[i];

                json_object_begin(j, NULL);
                json_string(j, "fault", s->fault_id);
                json_string(j, "backend", s->backend);
                json_string(j, "operation", s->operation);
                json_strv(j, "args", s->args);
                json_string(j, "description", s->description);
                json_string(j, "command", s->command);
                json_string(j, "undo", s->undo);
                json_object_end(j);
        }
        json_array_end(j);
}

void render_json(FILE *out, const struct options *o, const struct facts *f, const struct plan *p,
                 const struct outcome *oc) {
        struct json j;

        json_init(&j, out);
        json_object_begin(&j, NULL);
        json_int(&j, "schema_version", RENDER_JSON_SCHEMA_VERSION);
        json_string(&j, "version", PROJECT_VERSION);
        json_options(&j, o);
        json_facts(&j, f);
        json_plan(&j, p);
        json_object_begin(&j, "outcome");
        json_int(&j, "exit_code", oc->exit_code);
        json_string(&j, "phase", phase_to_string(oc->phase));
        json_string(&j, "message", oc->message);
        json_int(&j, "applied_steps", (int64_t) oc->n_applied);
        json_probes(&j, "verification", oc->probes, oc->n_probes);
        json_string(&j, "journal", oc->journal_path);
        json_object_end(&j);
        json_object_end(&j);
        fflush(out);
}
