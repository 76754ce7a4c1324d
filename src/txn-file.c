#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "txn-file.h"
#include "util/strv.h"

#define PLAN_MAGIC "sshrepair-plan 1"

static void put_field(FILE *f, const char *s) {
        fputc('\t', f);
        for (const char *c = s ?: ""; *c; c++)
                switch (*c) {
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                default:
                        fputc(*c, f);
                }
}

int txn_file_format(const struct options *o, const struct plan *p, char **ret) {
        char *buf = NULL, cidr[INET6_ADDRSTRLEN + 8];
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return -ENOMEM;
        fputs(PLAN_MAGIC "\noption ports", f);
        for (size_t i = 0; i < o->n_ports; i++)
                fprintf(f, " %u", o->ports[i]);
        fputc('\n', f);
        if (o->user)
                fprintf(f, "option user %s\n", o->user);
        if (o->from.family)
                fprintf(f, "option from %s\n", cidr_to_string(&o->from, cidr, sizeof cidr));
        if (o->allow_insecure)
                fputs("option allow-insecure\n", f);
        if (options_offline(o))
                fputs("option offline\n", f); /* not the path: the tree may be mounted elsewhere later */
        for (size_t i = 0; i < p->n_steps; i++) {
                const struct step *s = &p->steps[i];

                fputs("step", f);
                put_field(f, s->fault_id);
                put_field(f, s->backend);
                put_field(f, s->operation);
                put_field(f, s->description);
                put_field(f, s->command);
                put_field(f, s->undo);
                for (char **a = s->args; a && *a; a++)
                        put_field(f, *a);
                fputc('\n', f);
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

/* Splits a step line's tab-separated fields and undoes the escapes, in place. */
static int split_fields(char *line, char ***ret) {
        _cleanup_strv_free_ char **fields = NULL;
        char *field = line;

        for (;;) {
                char *tab = strchr(field, '\t'), *w = field;

                if (tab)
                        *tab = 0;
                for (char *r = field; *r; r++) {
                        if (*r == '\\') {
                                r++;
                                *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r;
                                if (!*r)
                                        return -EBADMSG;
                        } else
                                *w++ = *r;
                }
                *w = 0;
                if (strv_extend(&fields, field) < 0)
                        return -ENOMEM;
                if (!tab)
                        break;
                field = tab + 1;
        }
        *ret = TAKE_PTR(fields);
        return 0;
}

static int parse_step(char *line, struct plan *p) {
        _cleanup_strv_free_ char **f = NULL;
        struct step *s;
        int r;

        r = split_fields(line, &f);
        if (r < 0)
                return r;
        if (strv_length(f) < 6)
                return -EBADMSG;
        s = realloc(p->steps, sizeof(*s) * (p->n_steps + 1));
        if (!s)
                return -ENOMEM;
        p->steps = s;
        s = &p->steps[p->n_steps++];
        *s = (struct step) {
                .fault_id = strdup(f[0]),
                .backend = strdup(f[1]),
                .operation = strdup(f[2]),
                .description = strdup(f[3]),
                .command = strdup(f[4]),
                .undo = *f[5] ? strdup(f[5]) : NULL,
                .args = strv_copy(f + 6),
        };
        if (!s->fault_id || !s->backend || !s->operation || !s->description || !s->command ||
            (*f[5] && !s->undo) || !s->args)
                return -ENOMEM;
        if (!s->args[0]) {
                free(s->args);
                s->args = NULL;
        }
        return 0;
}

static int parse_option(const char *line, struct options *o) {
        char name[32];
        int off = 0;

        if (sscanf(line, "option %31s %n", name, &off) < 1)
                return -EBADMSG;
        const char *value = off ? line + off : "";
        if (streq(name, "ports")) {
                const char *v = value;
                unsigned port;
                int n;

                while (o->n_ports < SSHREPAIR_MAX_PORTS && sscanf(v, "%u%n", &port, &n) == 1) {
                        if (port == 0 || port > 65535)
                                return -EBADMSG;
                        o->ports[o->n_ports++] = (uint16_t) port;
                        v += n;
                }
        } else if (streq(name, "user")) {
                free(o->user);
                o->user = strdup(value);
                if (!o->user)
                        return -ENOMEM;
        } else if (streq(name, "from")) {
                if (cidr_parse(value, &o->from) < 0)
                        return -EBADMSG;
        } else if (streq(name, "allow-insecure"))
                o->allow_insecure = true;
        else if (streq(name, "offline")) {
                /* a marker; load() puts the invocation's --root in its place */
                free(o->root);
                o->root = strdup("");
                if (!o->root)
                        return -ENOMEM;
        }
        else
                return -EBADMSG;
        return 0;
}

int txn_file_parse(const char *text, struct options *ret_o, struct plan *ret_p) {
        _cleanup_free_ char *copy = strdup(text);
        struct options o = { .command = COMMAND_REPAIR };
        struct plan p = {};
        char *line, *save = NULL;
        int r = 0;

        if (!copy)
                return -ENOMEM;
        line = strtok_r(copy, "\n", &save);
        if (!line || !streq(line, PLAN_MAGIC))
                return -EBADMSG;
        while ((line = strtok_r(NULL, "\n", &save))) {
                if (strncmp(line, "option ", 7) == 0)
                        r = parse_option(line, &o);
                else if (strncmp(line, "step\t", 5) == 0)
                        r = parse_step(line + 5, &p);
                else
                        r = -EBADMSG;
                if (r < 0)
                        break;
        }
        if (r < 0) {
                options_done(&o);
                plan_done(&p);
                return r;
        }
        *ret_o = o;
        *ret_p = p;
        return 0;
}
