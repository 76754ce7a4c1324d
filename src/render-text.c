#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <string.h>

#include "cli.h"
#include "render.h"
#include "util/strv.h"

static void put(FILE *out, const char *s) {
        for (const unsigned char *c = (const unsigned char *) strna(s); *c; c++)
                fputc(*c < 0x20 || *c == 0x7f ? '?' : *c, out);
}

static void render_unit(FILE *out, const char *label, const struct unit_fact *u) {
        fprintf(out, "  %-14s ", label);
        if (!u->name) {
                fputs("no such unit\n", out);
                return;
        }
        put(out, u->name);
        fputs(": ", out);
        put(out, u->active_state);
        fputs(" (", out);
        put(out, u->sub_state);
        fputs("), ", out);
        put(out, u->unit_file_state);
        fputc('\n', out);
}

static const char *probe_error_string(int error) {
        switch (error) {
        case 0:
                return "SSH answers";
        case -EPROTO:
                return "answers, but not SSH";
        case -ECONNREFUSED:
                return "connection refused";
        case -ETIMEDOUT:
                return "no answer (timeout)";
        default:
                return strerror(-error);
        }
}

static void render_probe(FILE *out, const struct probe_result *a) {
        fprintf(out, "%s%s%s port %u: %s", a->family == AF_INET6 ? "[" : "", a->address,
                a->family == AF_INET6 ? "]" : "", a->port, probe_error_string(a->error));
        if (a->banner[0]) {
                fputs(" '", out);
                put(out, a->banner);
                fputc('\'', out);
        }
        fputc('\n', out);
}

static void render_facts(FILE *out, const struct options *o, const struct facts *f) {
        fputs("Facts:\n", out);
        fprintf(out, "  %-14s %s\n", "sshd", f->sshd_path ?: "not installed");
        if (f->sshd_config.known) {
                _cleanup_strv_free_ char **settings = NULL;

                if (sshd_config_describe(&f->sshd_config, &settings) >= 0)
                        for (char **s = settings; s && *s; s++) {
                                fprintf(out, "  %-14s ", s == settings ? "sshd config" : "");
                                put(out, *s);
                                fputc('\n', out);
                        }
                if (f->sshd_config.run_dir_created)
                        fprintf(out, "  %-14s created /run/sshd (0755) so that sshd could check its configuration\n", "");
        }
        if (f->systemd) {
                render_unit(out, "service", &f->service);
                render_unit(out, "socket", &f->socket);
        } else {
                fprintf(out, "  %-14s ", "systemd");
                put(out, f->systemd_error);
                fputc('\n', out);
        }
        if (f->nft.known) {
                fprintf(out, "  %-14s %zu tables, %zu chains, %zu rules, %zu sets\n", "nftables", f->nft.n_tables,
                        f->nft.n_chains, f->nft.n_rules, f->nft.n_sets);
                if (f->nft.source) { /* --root: the tree's boot-time ruleset, or why there is none */
                        fprintf(out, "  %-14s at boot: ", "");
                        put(out, f->nft.source);
                        fputc('\n', out);
                }
                for (size_t i = 0; i < f->nft.n_verdicts; i++) {
                        const struct nft_chain_verdict *v = &f->nft.verdicts[i];

                        fprintf(out, "  %-14s %s %s %s (%s, priority %d), %s SYN to port %u: %s", "", v->family, v->table,
                                v->chain, v->hook, v->priority, v->nfproto == NFPROTO_IPV6 ? "IPv6" : "IPv4", v->port,
                                nft_verdict_to_string(v->verdict));
                        if (v->text) {
                                fputs(" by '", out);
                                put(out, v->text);
                                fputc('\'', out);
                        }
                        fputc('\n', out);
                }
        }
        for (char **l = f->fw.frontends; l && *l; l++) {
                fprintf(out, "  %-14s ", l == f->fw.frontends ? "firewall" : "");
                put(out, *l);
                fputc('\n', out);
        }
        if (f->listen_known)
                for (size_t i = 0; i < o->n_ports; i++) {
                        size_t any = 0;

                        fprintf(out, "  %-14s port %u: ", i == 0 ? "listening" : "", o->ports[i]);
                        for (size_t j = 0; j < f->n_listen; j++)
                                if (f->listen[j].port == o->ports[i])
                                        fprintf(out, "%s%s", any++ ? ", " : "", f->listen[j].address);
                        fputs(any ? "\n" : "nothing listens\n", out);
                }
        if (options_offline(o))
                fprintf(out, "  %-14s not checked: offline (--root %s); verify after it boots\n", "connect", o->root);
        for (size_t i = 0; i < f->n_answers; i++) {
                fprintf(out, "  %-14s ", i == 0 ? "connect" : "");
                render_probe(out, &f->answers[i]);
        }
        for (char **u = f->unreadable; u && *u; u++) {
                fprintf(out, "  %-14s ", "not read");
                put(out, *u);
                fputc('\n', out);
        }
}

static void render_faults(FILE *out, const struct plan *p) {
        if (p->n_faults == 0) {
                fputs("\nFindings: none\n", out);
                return;
        }
        fputs("\nFindings:\n", out);
        for (size_t i = 0; i < p->n_faults; i++) {
                const struct fault *x = &p->faults[i];

                fprintf(out, "  [%s] %s: ", severity_to_string(x->severity), x->id);
                put(out, x->summary);
                if (x->remedy != REMEDY_AUTO)
                        fprintf(out, " (%s)", remedy_to_string(x->remedy));
                fputc('\n', out);
                for (char **e = x->evidence; e && *e; e++) {
                        fputs("      ", out);
                        put(out, *e);
                        fputc('\n', out);
                }
                if (x->advice) {
                        fputs("      what to do: ", out);
                        put(out, x->advice);
                        fputc('\n', out);
                }
        }
}

static void render_plan(FILE *out, const struct plan *p) {
        if (p->n_steps == 0)
                return;
        fputs("\nPlan:\n", out);
        for (size_t i = 0; i < p->n_steps; i++) {
                const struct step *s = &p->steps[i];

                fprintf(out, "  %zu. ", i + 1);
                put(out, s->description);
                fprintf(out, " [%s]\n       $ ", s->fault_id);
                put(out, s->command);
                fputc('\n', out);
                if (s->undo) {
                        fputs("       undo: ", out);
                        put(out, s->undo);
                        fputc('\n', out);
                }
        }
}

void render_text_report(FILE *out, const struct options *o, const struct facts *f, const struct plan *p) {
        render_facts(out, o, f);
        render_faults(out, p);
        render_plan(out, p);
        fflush(out);
}

void render_text_step_begin(FILE *out, size_t i, size_t n, const struct step *s) {
        fprintf(out, "[%zu/%zu] ", i + 1, n);
        put(out, s->command);
        fputs(" ... ", out);
        fflush(out);
}

void render_text_step_end(FILE *out, int error, char *const *details) {
        if (error >= 0)
                fputs("ok\n", out);
        else if (details && details[0])
                fputs("failed\n", out); /* the details say why */
        else
                fprintf(out, "failed: %s\n", strerror(-error));
        for (char *const *d = details; d && *d; d++) {
                fputs("      ", out);
                put(out, *d);
                fputc('\n', out);
        }
        fflush(out);
}

void render_text_outcome(FILE *out, const struct outcome *oc) {
        if (oc->n_probes > 0)
                fputs("\nVerification:\n", out);
        for (size_t i = 0; i < oc->n_probes; i++) {
                fputs("  ", out);
                render_probe(out, &oc->probes[i]);
        }
        fputc('\n', out);
        put(out, oc->message);
        fprintf(out, " (exit %d)\n", oc->exit_code);
        if (oc->journal_path)
                fprintf(out, "Journal: %s\n", oc->journal_path);
        fflush(out);
}
