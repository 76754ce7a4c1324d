/* Policy for sshd's configuration: lines sshd rejects, the port it listens on, key logins.
 * Access for --user (Allow/Deny, Match) and settings that weaken security are in
 * sshd-access.c. Every edit targets the line whose value sshd uses (first value wins; a
 * Match block that applies beats the global value); nothing here does I/O. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plans.h"
#include "sshd.h"
#include "util/strv.h"

#define UNDO_FILE "sshrepair rollback (restores %s byte for byte)"
/* Evidence stays readable when a file sets a keyword hundreds of times. */
#define MAX_EVIDENCE_LINES 10

char *sshd_plan_scope(const struct sshd_config_facts *c, const struct sshd_source *src) {
        if (src->match >= 0 && (size_t) src->match < c->n_matches && c->matches[src->match].aug_path)
                return strprintf("%s/Settings", c->matches[src->match].aug_path);
        return strprintf("/files%s", src->file);
}

char *sshd_plan_where(const struct sshd_source *src) {
        return strprintf("%s line %u", src->file, src->line);
}

bool sshd_plan_editable(const struct sshd_config_facts *c, const char *file) {
        const struct sshd_file *f = sshd_find_file(c, file);

        return f && f->parsed;
}

/* 'text' with every " FILE" (a word of its own) spelled " SHOWN". */
static char *in_tree(const char *text, const char *file, const char *shown) {
        size_t n = strlen(file), extra = strlen(shown) - n, count = 0;
        char *out, *o;

        for (const char *p = strstr(text, file); p; p = strstr(p + n, file))
                count++;
        out = malloc(strlen(text) + count * extra + 1);
        if (!out)
                return NULL;
        o = out;
        for (const char *p = text; *p;) {
                const char *hit = strstr(p, file);

                if (!hit) {
                        o = stpcpy(o, p);
                        break;
                }
                memcpy(o, p, (size_t) (hit - p));
                o += hit - p;
                /* a word of its own: at the start or after a space or quote */
                if (hit == text || strchr(" '\"", hit[-1]))
                        o = stpcpy(o, shown);
                else
                        o = stpcpy(o, file);
                p = hit + n;
        }
        *o = 0;
        return out;
}

int sshd_plan_edit(struct sshd_plan *sp, const char *fault_id, const char *description, const char *command,
                   const char *undo, const char *operation, const char *file, ...) {
        _cleanup_free_ char *u = NULL;
        struct step *s;
        va_list ap;
        int r;

        _cleanup_free_ char *shown = NULL, *cmd_offline = NULL, *undo_offline = NULL;

        /* Offline the commands name the file in the tree; the step's argument stays the path
         * as the target sees it (the backend edits it under --root). */
        if (options_offline(sp->o)) {
                shown = options_path(sp->o, file);
                cmd_offline = shown ? in_tree(command, file, shown) : NULL;
                undo_offline = shown && undo ? in_tree(undo, file, shown) : NULL;
                if (!shown || !cmd_offline || (undo && !undo_offline))
                        return -ENOMEM;
                command = cmd_offline;
                if (undo)
                        undo = undo_offline;
        }
        if (!undo) {
                u = strprintf(UNDO_FILE, shown ?: file);
                if (!u)
                        return -ENOMEM;
                undo = u;
        }
        r = plan_add_step(sp->p, fault_id, "sshd", operation, file, description, command, undo);
        if (r < 0)
                return r;
        s = &sp->p->steps[sp->p->n_steps - 1];
        va_start(ap, file);
        for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
                if ((r = strv_extend(&s->args, a)) < 0)
                        break;
        va_end(ap);
        if (r < 0)
                return r;
        if (!sp->first_edit_fault)
                sp->first_edit_fault = s->fault_id;
        return 0;
}

/* Joins at most 'max' words (0: all), then says how many there are. */
static char *join_max(char *const *l, const char *sep, size_t max) {
        size_t n = 32, total = strv_length(l), k = 0;
        char *s;

        for (char *const *i = l; i && *i; i++)
                n += strlen(*i) + strlen(sep);
        s = calloc(n, 1);
        if (!s)
                return NULL;
        for (char *const *i = l; i && *i && (max == 0 || k < max); i++, k++) {
                if (i != l)
                        strcat(s, sep);
                strcat(s, *i);
        }
        if (k < total)
                sprintf(s + strlen(s), "%s... (%zu in all)", sep, total);
        return s;
}

static char *join(char *const *l, const char *sep) {
        return join_max(l, sep, 0);
}

int sshd_plan_evidence_sources(struct fault *x, const struct sshd_config_facts *c, enum sshd_key key) {
        size_t n = 0;

        for (size_t i = 0; i < c->n_sources; i++) {
                const struct sshd_source *s = &c->sources[i];
                _cleanup_free_ char *v = NULL;
                int r;

                if (s->key != key)
                        continue;
                if (++n > MAX_EVIDENCE_LINES)
                        continue;
                v = join(s->values, " ");
                if (!v)
                        return -ENOMEM;
                if (s->match >= 0)
                        r = fault_add_evidence(x, "%s line %u: %s %s (in 'Match %s', line %u; %s)", s->file, s->line,
                                               s->keyword, v, c->matches[s->match].criteria, c->matches[s->match].line,
                                               c->matches[s->match].applies == 1   ? "applies"
                                               : c->matches[s->match].applies == 0 ? "does not apply"
                                                                                   : "not evaluated");
                else
                        r = fault_add_evidence(x, "%s line %u: %s %s", s->file, s->line, s->keyword, v);
                if (r < 0)
                        return r;
        }
        if (n > MAX_EVIDENCE_LINES)
                return fault_add_evidence(x, "... and %zu more lines that set %s", n - MAX_EVIDENCE_LINES,
                                          sshd_key_to_string(key));
        if (n == 0)
                return fault_add_evidence(x, "no line sets %s: sshd's default applies", sshd_key_to_string(key));
        return 0;
}

/* The first line that sets a global keyword in 'file', for adding lines next to it. */
static const struct sshd_source *last_global_in(const struct sshd_config_facts *c, enum sshd_key k, const char *file) {
        const struct sshd_source *last = NULL;

        for (size_t i = 0; i < c->n_sources; i++)
                if (c->sources[i].key == k && c->sources[i].match < 0 && streq(c->sources[i].file, file))
                        last = &c->sources[i];
        return last;
}

static bool file_has_match(const struct sshd_config_facts *c, const char *file) {
        for (size_t i = 0; i < c->n_matches; i++)
                if (streq(c->matches[i].file, file))
                        return true;
        return false;
}

/* Where "add" puts a new global line, in words: mirrors sshd_aug_edit()'s rule. */
static char *add_command(const struct sshd_config_facts *c, enum sshd_key k, const char *file, const char *value) {
        const struct sshd_source *last = last_global_in(c, k, file);

        if (last)
                return strprintf("sed -i '%ua %s %s' %s", last->line, sshd_key_to_string(k), value, file);
        if (file_has_match(c, file))
                return strprintf("in %s before the first 'Match' line: add '%s %s'", file, sshd_key_to_string(k), value);
        return strprintf("echo '%s %s' >> %s", sshd_key_to_string(k), value, file);
}

static int add_global_line(struct sshd_plan *sp, const char *fault_id, enum sshd_key k, const char *file,
                           const char *value, const char *description) {
        _cleanup_free_ char *scope = strprintf("/files%s", file), *cmd = add_command(sp->c, k, file, value);

        if (!scope || !cmd)
                return -ENOMEM;
        return sshd_plan_edit(sp, fault_id, description, cmd, NULL, "add", file, scope, sshd_key_to_string(k), value,
                              (char *) NULL);
}

int sshd_plan_set_key(struct sshd_plan *sp, const char *fault_id, enum sshd_key key, const char *value,
                      const char *why) {
        const struct sshd_source *src = sshd_winning_source(sp->c, key);
        _cleanup_free_ char *desc = NULL, *cmd = NULL, *have = NULL;

        if (!src) {
                /* The default is in effect: a line in the main file, before any Match. */
                desc = strprintf("Add '%s %s' to %s (%s)", sshd_key_to_string(key), value, sp->c->main_path, why);
                if (!desc)
                        return -ENOMEM;
                return add_global_line(sp, fault_id, key, sp->c->main_path, value, desc);
        }
        have = join(src->values, " ");
        if (!have)
                return -ENOMEM;
        desc = strprintf("Set %s to '%s' at %s line %u%s, where sshd takes it from (%s)", sshd_key_to_string(key), value,
                         src->file, src->line, src->match >= 0 ? ", inside the Match block" : "", why);
        cmd = strprintf("in %s line %u: set '%s %s' (was '%s %s')", src->file, src->line, src->keyword, value,
                        src->keyword, have);
        if (!desc || !cmd)
                return -ENOMEM;
        return sshd_plan_edit(sp, fault_id, desc, cmd, NULL, "set", src->file, src->aug_path, value, (char *) NULL);
}

static int plan_invalid(struct sshd_plan *sp) {
        const struct sshd_config_facts *c = sp->c;
        bool fixable = c->n_invalid > 0;
        struct fault *x;

        if (!c->test_ran || c->test_ok)
                return 0;
        /* With no host key at all sshd -t fails whatever the file says; plan_auth() plans the
         * keys, and the file itself names no line. */
        if (c->n_invalid == 0 && sp->f->auth.hostkeys_known && !sp->f->auth.hostkeys_present)
                return 0;
        for (size_t i = 0; i < c->n_invalid; i++)
                if (!c->invalid[i].aug_path || !sshd_plan_editable(c, c->invalid[i].file))
                        fixable = false;
        x = plan_add_fault(sp->p, "sshd.config-invalid", SEVERITY_ERROR, fixable ? REMEDY_AUTO : REMEDY_NEEDS_PERSON,
                           "sshd rejects its configuration ('sshd -t' fails): it cannot start or reload");
        if (!x)
                return -ENOMEM;
        for (char **m = c->test_messages; m && *m; m++)
                if (fault_add_evidence(x, "sshd -t: %s", *m) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < c->n_invalid; i++)
                if (fault_add_evidence(x, "%s line %u: %s", c->invalid[i].file, c->invalid[i].line,
                                       strna(c->invalid[i].text)) < 0)
                        return -ENOMEM;
        if (!fixable)
                return fault_set_advice(x, "%s", c->n_invalid == 0
                                                         ? "sshd names no line: read its message above, fix the file by hand, "
                                                           "then check with 'sshd -t'"
                                                         : "the line is in a file the Augeas lens cannot parse, or is a "
                                                           "Match line: fix it by hand, then check with 'sshd -t'");
        for (size_t i = 0; i < c->n_invalid; i++) {
                const struct sshd_invalid *v = &c->invalid[i];
                _cleanup_free_ char *desc = NULL, *cmd = NULL, *undo = NULL;

                desc = strprintf("Disable line %u of %s, which sshd rejects: '%s' (kept as a comment marked by sshrepair)",
                                 v->line, v->file, strna(v->text));
                cmd = strprintf("sed -i '%us/^/# sshrepair disabled: /' %s", v->line, v->file);
                undo = strprintf("sed -i '%us/^# sshrepair disabled: //' %s", v->line, v->file);
                if (!desc || !cmd || !undo)
                        return -ENOMEM;
                if (sshd_plan_edit(sp, "sshd.config-invalid", desc, cmd, undo, "comment-out", v->file, v->aug_path,
                                   (char *) NULL) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static bool has_port(char *const *ports, unsigned port) {
        char buf[8];

        snprintf(buf, sizeof buf, "%u", port);
        return strv_contains(ports, buf);
}

static bool unit_running(const struct unit_fact *u);

/* On an SELinux-enforcing host sshd (or systemd for the socket) may bind only to ports
 * labelled ssh_port_t; 22 is, others must be added. */
static int plan_selinux_ports(struct sshd_plan *sp, char *const *ports) {
        if (!sp->c->selinux_enforcing)
                return 0;
        for (char *const *p = ports; p && *p; p++) {
                _cleanup_free_ char *cmd = NULL, *undo = NULL, *desc = NULL;

                if (streq(*p, "22"))
                        continue;
                cmd = strprintf("semanage port -a -t ssh_port_t -p tcp %s", *p);
                undo = strprintf("semanage port -d -t ssh_port_t -p tcp %s", *p);
                desc = strprintf("Let sshd bind to port %s under SELinux (label it ssh_port_t)", *p);
                if (!cmd || !undo || !desc ||
                    plan_add_step(sp->p, "sshd.port-mismatch", "sshd", "selinux-port", *p, desc, cmd, undo) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* "[::]:22", "0.0.0.0:2222", "22" → the port. */
static const char *listen_port(const char *s) {
        const char *colon = strrchr(s, ':');

        return colon ? colon + 1 : s;
}

/* With the socket active, systemd listens and starts sshd per connection: Port and
 * ListenAddress are not read. The socket's listeners change through a drop-in. */
static int plan_socket_ports(struct sshd_plan *sp) {
        const struct sshd_config_facts *c = sp->c;
        const char *unit = sp->f->socket.name;
        _cleanup_strv_free_ char **have = NULL, **add = NULL;
        _cleanup_free_ char *have_s = NULL, *want_s = NULL, *path = NULL, *content = NULL, *cmd = NULL, *desc = NULL;
        _cleanup_free_ char *reload = NULL, *restart = NULL, *undo = NULL;
        FILE *out;
        size_t len;
        struct fault *x;

        for (char *const *l = c->socket_listen; l && *l; l++)
                if (!strv_contains(have, listen_port(*l)) && strv_extend(&have, listen_port(*l)) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < sp->o->n_ports; i++)
                if (!has_port(have, sp->o->ports[i]) && strv_extendf(&add, "%u", sp->o->ports[i]) < 0)
                        return -ENOMEM;
        if (!add)
                return 0;
        have_s = join(have, ", ");
        want_s = join(add, ", ");
        if (!have_s || !want_s)
                return -ENOMEM;
        x = plan_add_fault(sp->p, "sshd.port-mismatch", SEVERITY_ERROR,
                           c->socket_listen_known ? REMEDY_AUTO : REMEDY_NEEDS_PERSON,
                           "%s listens on port %s, not on %s (socket activation: its ListenStream= decides, not "
                           "sshd_config)", unit, *have_s ? have_s : "none", want_s);
        if (!x)
                return -ENOMEM;
        for (char *const *l = c->socket_listen; l && *l; l++)
                if (fault_add_evidence(x, "%s: ListenStream=%s", unit, *l) < 0)
                        return -ENOMEM;
        if (!c->socket_listen_known)
                return fault_set_advice(x, "'systemctl edit %s': '[Socket]', 'ListenStream=', then one "
                                           "'ListenStream=' per port; then 'systemctl restart %s'", unit, unit);

        path = c->socket_dropin ? strdup(c->socket_dropin)
                                : strprintf("/etc/systemd/system/%s.d/zz-sshrepair-port.conf", unit);
        out = open_memstream(&content, &len);
        if (!path || !out)
                return -ENOMEM;
        /* An empty ListenStream= resets the list: the old listeners are written out again. */
        fputs("# Written by sshrepair: the ports SSH clients use.\n[Socket]\nListenStream=\n", out);
        for (char *const *l = c->socket_listen; l && *l; l++)
                fprintf(out, "ListenStream=%s\n", *l);
        for (char **p = add; *p; p++)
                fprintf(out, "ListenStream=%s\n", *p);
        if (fclose(out) != 0)
                return -ENOMEM;
        cmd = strprintf("mkdir -p /etc/systemd/system/%s.d && printf '", unit);
        for (const char *ch = content; cmd && *ch; ch++) {
                char *n = strprintf("%s%s", cmd, *ch == '\n' ? "\\n" : (char[]) { *ch, 0 });
                free(cmd);
                cmd = n;
        }
        if (cmd) {
                char *n = strprintf("%s' > %s", cmd, path);
                free(cmd);
                cmd = n;
        }
        undo = strprintf("rm %s", path);
        desc = strprintf("Add a drop-in to %s that keeps port %s and adds %s", unit, have_s, want_s);
        reload = strdup("systemctl daemon-reload");
        restart = strprintf("systemctl restart %s", unit);
        if (!cmd || !undo || !desc || !reload || !restart)
                return -ENOMEM;
        if (plan_add_step(sp->p, "sshd.port-mismatch", "sshd", "write-file", path, desc, cmd, undo) < 0 ||
            strv_extend(&sp->p->steps[sp->p->n_steps - 1].args, content) < 0)
                return -ENOMEM;
        if (plan_selinux_ports(sp, add) < 0)
                return -ENOMEM;
        if (plan_add_step(sp->p, "sshd.port-mismatch", "systemd", "daemon-reload", unit,
                          "Make systemd read the drop-in", reload, reload) < 0)
                return -ENOMEM;
        /* With Accept=no (Debian 12) the socket starts ssh.service, and systemd refuses to
         * restart a socket whose service runs. Stopping it ends no session (KillMode=process);
         * the next connection starts it again. */
        if (sp->f->service.name && unit_running(&sp->f->service)) {
                _cleanup_free_ char *stop = strprintf("systemctl stop %s", sp->f->service.name);
                _cleanup_free_ char *start = strprintf("systemctl start %s", sp->f->service.name);
                _cleanup_free_ char *d = strprintf("Stop %s, which the socket started: systemd refuses to restart "
                                                   "%s while it runs (open sessions stay)",
                                                   sp->f->service.name, unit);
                if (!stop || !start || !d ||
                    plan_add_step(sp->p, "sshd.port-mismatch", "systemd", "stop", sp->f->service.name, d, stop,
                                  start) < 0)
                        return -ENOMEM;
        }
        if (plan_add_step(sp->p, "sshd.port-mismatch", "systemd", "restart", unit,
                          "Make the socket listen on the new port list (open connections stay)", restart,
                          restart) < 0)
                return -ENOMEM;
        return 0;
}

static int plan_ports(struct sshd_plan *sp) {
        const struct sshd_config_facts *c = sp->c;
        const struct facts *f = sp->f;
        char *const *ports = c->effective[SSHD_PORT];
        _cleanup_strv_free_ char **add = NULL;
        const struct sshd_source *first = NULL;
        _cleanup_free_ char *have = NULL, *want = NULL;
        const char *file;
        struct fault *x;

        if (f->socket.name && streq_ptr(f->socket.active_state, "active"))
                return plan_socket_ports(sp);
        for (size_t i = 0; i < sp->o->n_ports; i++)
                if (!has_port(ports, sp->o->ports[i]) && strv_extendf(&add, "%u", sp->o->ports[i]) < 0)
                        return -ENOMEM;
        if (!add)
                return 0;
        have = join_max(ports, ", ", 8);
        want = join(add, ", ");
        if (!have || !want)
                return -ENOMEM;

        for (size_t i = 0; i < c->n_sources && !first; i++)
                if (c->sources[i].key == SSHD_PORT && c->sources[i].match < 0)
                        first = &c->sources[i];
        file = first ? first->file : c->main_path;

        x = plan_add_fault(sp->p, "sshd.port-mismatch", SEVERITY_ERROR,
                           sshd_plan_editable(c, file) ? REMEDY_AUTO : REMEDY_NEEDS_PERSON,
                           options_offline(sp->o) ? "sshd is set to listen on port %s, not on %s"
                                                  : "sshd listens on port %s, not on %s",
                           have, want);
        if (!x || sshd_plan_evidence_sources(x, c, SSHD_PORT) < 0)
                return -ENOMEM;
        _cleanup_free_ char *listen = join_max(c->effective[SSHD_LISTEN_ADDRESS], " ", 4);
        if (!listen || fault_add_evidence(x, "%s: listenaddress %s",
                                              c->effective_from_files ? "from the files (sshd could not run offline)"
                                                                      : "sshd -T",
                                              listen) < 0)
                return -ENOMEM;
        if (!sshd_plan_editable(c, file))
                return fault_set_advice(x, "add 'Port %s' next to the Port line in %s by hand (keep the others)", want,
                                        file);

        /* Keep every port sshd has now: the default 22 is written out when no line names it,
         * since any Port line replaces the default. */
        if (!first)
                for (char *const *p = ports; p && *p; p++) {
                        _cleanup_free_ char *d = strprintf("Write out port %s, which sshd uses by default, so that "
                                                           "adding a port does not drop it", *p);
                        if (!d || add_global_line(sp, "sshd.port-mismatch", SSHD_PORT, file, *p, d) < 0)
                                return -ENOMEM;
                }
        for (char **p = add; *p; p++) {
                _cleanup_free_ char *d = strprintf("Make sshd listen on port %s too (it keeps port %s)", *p, have);
                if (!d || add_global_line(sp, "sshd.port-mismatch", SSHD_PORT, file, *p, d) < 0)
                        return -ENOMEM;
        }
        return plan_selinux_ports(sp, add);
}

static bool is_wildcard(const char *a) {
        return streq(a, "0.0.0.0") || streq(a, "::");
}

/* "0.0.0.0:22", "[::]:22" → the address part. */
static char *listen_host(const char *s) {
        if (s[0] == '[') {
                const char *e = strchr(s, ']');
                return e ? strndup(s + 1, (size_t) (e - s - 1)) : NULL;
        }
        const char *colon = strrchr(s, ':');
        return colon ? strndup(s, (size_t) (colon - s)) : strdup(s);
}

static int plan_listen_addresses(struct sshd_plan *sp) {
        const struct sshd_config_facts *c = sp->c;
        _cleanup_strv_free_ char **missing = NULL;
        bool some_present = false, v6 = false;
        struct fault *x;

        if (!c->host_addresses_known)
                return 0;
        for (char *const *l = c->effective[SSHD_LISTEN_ADDRESS]; l && *l; l++) {
                _cleanup_free_ char *h = listen_host(*l);

                if (!h)
                        return -ENOMEM;
                if (is_wildcard(h) || strv_contains(c->host_addresses, h))
                        some_present = true;
                else {
                        if (strchr(h, ':'))
                                v6 = true;
                        if (strv_extend(&missing, *l) < 0)
                                return -ENOMEM;
                }
        }
        if (!missing)
                return 0;
        x = plan_add_fault(sp->p, "sshd.port-mismatch", some_present ? SEVERITY_WARNING : SEVERITY_ERROR,
                           some_present || !sshd_plan_editable(c, c->main_path) ? REMEDY_NEEDS_PERSON : REMEDY_AUTO,
                           "sshd is told to listen on an address this host does not have");
        if (!x)
                return -ENOMEM;
        for (char **m = missing; *m; m++)
                if (fault_add_evidence(x, "ListenAddress %s: no interface has this address", *m) < 0)
                        return -ENOMEM;
        if (sshd_plan_evidence_sources(x, c, SSHD_LISTEN_ADDRESS) < 0)
                return -ENOMEM;
        if (some_present || !sshd_plan_editable(c, c->main_path))
                return fault_set_advice(x, "remove or correct the ListenAddress lines that name missing addresses");
        /* Nothing binds: listen on every address of the family that went missing. */
        return add_global_line(sp, "sshd.port-mismatch", SSHD_LISTEN_ADDRESS, c->main_path, v6 ? "::" : "0.0.0.0",
                               v6 ? "Listen on every IPv6 address: the one configured is gone"
                                  : "Listen on every IPv4 address: the one configured is gone");
}

static int plan_pubkey(struct sshd_plan *sp) {
        const char *v = sshd_effective_first(sp->c, SSHD_PUBKEY_AUTHENTICATION);
        const struct sshd_source *src;
        struct fault *x;

        if (!v || strcasecmp(v, "no") != 0)
                return 0;
        src = sshd_winning_source(sp->c, SSHD_PUBKEY_AUTHENTICATION);
        x = plan_add_fault(sp->p, "sshd.pubkey-disabled", SEVERITY_ERROR,
                           src && src->aug_path && sshd_plan_editable(sp->c, src->file) ? REMEDY_AUTO
                                                                                         : REMEDY_NEEDS_PERSON,
                           "Key logins are off (PubkeyAuthentication no)%s%s%s", sp->o->user ? " for '" : "",
                           sp->o->user ?: "", sp->o->user ? "'" : "");
        if (!x || sshd_plan_evidence_sources(x, sp->c, SSHD_PUBKEY_AUTHENTICATION) < 0)
                return -ENOMEM;
        if (!src || !src->aug_path || !sshd_plan_editable(sp->c, src->file))
                return fault_set_advice(x, "set 'PubkeyAuthentication yes' where it is set to 'no', then 'sshd -t'");
        return sshd_plan_set_key(sp, "sshd.pubkey-disabled", SSHD_PUBKEY_AUTHENTICATION, "yes",
                                 "key logins must work");
}

static int plan_unparsed(struct sshd_plan *sp) {
        struct fault *x = NULL;

        for (size_t i = 0; i < sp->c->n_files; i++) {
                const struct sshd_file *f = &sp->c->files[i];

                if (f->parsed)
                        continue;
                if (!x) {
                        x = plan_add_fault(sp->p, "sshd.config-unparsed", SEVERITY_WARNING, REMEDY_NEEDS_PERSON,
                                           "Some sshd configuration files cannot be edited safely");
                        if (!x || fault_set_advice(x, "these files are read for diagnosis only; sshrepair will not "
                                                      "edit them") < 0)
                                return -ENOMEM;
                }
                if (fault_add_evidence(x, "%s%s%.0u: %s", f->path, f->error_line ? " line " : "", f->error_line,
                                       strna(f->error)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static bool unit_running(const struct unit_fact *u) {
        return streq_ptr(u->active_state, "active") || streq_ptr(u->active_state, "reloading");
}

int plan_sshd(const struct facts *f, const struct options *o, struct plan *p) {
        struct sshd_plan sp = { .f = f, .o = o, .p = p, .c = &f->sshd_config };
        int r;

        if (!f->sshd_path || !sp.c->known)
                return 0;
        r = plan_invalid(&sp);
        if (r >= 0 && sp.c->effective_known)
                r = plan_ports(&sp);
        if (r >= 0 && sp.c->effective_known)
                r = plan_listen_addresses(&sp);
        if (r >= 0 && sp.c->effective_known)
                r = plan_pubkey(&sp);
        if (r >= 0 && sp.c->effective_known && o->user)
                r = plan_sshd_access(&sp);
        if (r >= 0 && sp.c->effective_known && o->user)
                r = plan_sshd_insecure(&sp);
        if (r >= 0 && p->n_faults > 0)
                r = plan_unparsed(&sp);
        if (r < 0)
                return r;

        /* A running sshd reads the edited files when reloaded: on SIGHUP it re-executes itself,
         * so new ports and addresses are bound too. Debian's ExecReload runs 'sshd -t' first. If
         * it does not run, plan_service() starts it after these edits. */
        if (sp.first_edit_fault && f->service.name && unit_running(&f->service)) {
                _cleanup_free_ char *cmd = strprintf("systemctl reload %s", f->service.name);

                if (!cmd)
                        return -ENOMEM;
                r = plan_add_step(p, sp.first_edit_fault, "systemd", "reload", f->service.name,
                                  "Make the running sshd read the edited configuration", cmd, cmd);
        }
        return r;
}
