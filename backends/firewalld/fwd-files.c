#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwd-files.h"
#include "fwd-rich.h"
#include "util/fileio.h"
#include "util/strv.h"

#define ZONE_FILE_MAX (4u * 1024 * 1024)

void fwd_zone_xml_done(struct fwd_zone_xml *z) {
        if (!z)
                return;
        free(z->target);
        strv_free(z->services);
        strv_free(z->ports);
        strv_free(z->rich);
        *z = (struct fwd_zone_xml) {};
}

static bool is(const xmlNode *n, const char *name) {
        return n->type == XML_ELEMENT_NODE && streq((const char *) n->name, name);
}

/* An attribute's value, or NULL. Caller frees with free() (xmlFree is free here). */
static char *prop(const xmlNode *n, const char *name) {
        return (char *) xmlGetProp(n, (const xmlChar *) name);
}

static void put_attr(FILE *out, const xmlNode *n, const char *name) {
        _cleanup_free_ char *v = prop(n, name);

        if (v)
                fprintf(out, " %s=\"%s\"", name, v);
}

static void put_limit(FILE *out, const xmlNode *n) {
        for (const xmlNode *c = n->children; c; c = c->next)
                if (is(c, "limit"))
                        put_attr(out, c, "value");
}

/* A <rule> element as firewalld prints it: rule family="ipv4" source address="..." ... accept */
static int rule_string(const xmlNode *rule, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *out = open_memstream(&buf, &size);

        if (!out)
                return -ENOMEM;
        fputs("rule", out);
        put_attr(out, rule, "priority");
        put_attr(out, rule, "family");
        for (const xmlNode *c = rule->children; c; c = c->next) {
                const char *name = (const char *) c->name;

                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (is(c, "source") || is(c, "destination")) {
                        _cleanup_free_ char *inv = prop(c, "invert");

                        fprintf(out, " %s%s", name, inv && (streq(inv, "yes") || streq(inv, "true")) ? " NOT" : "");
                        put_attr(out, c, "address");
                        put_attr(out, c, "mac");
                        put_attr(out, c, "ipset");
                } else if (is(c, "service") || is(c, "icmp-block") || is(c, "icmp-type")) {
                        fprintf(out, " %s", name);
                        put_attr(out, c, "name");
                } else if (is(c, "port") || is(c, "source-port") || is(c, "forward-port")) {
                        fprintf(out, " %s", name);
                        put_attr(out, c, "port");
                        put_attr(out, c, "protocol");
                        put_attr(out, c, "to-port");
                        put_attr(out, c, "to-addr");
                } else if (is(c, "protocol")) {
                        fputs(" protocol", out);
                        put_attr(out, c, "value");
                } else if (is(c, "masquerade")) {
                        fputs(" masquerade", out);
                } else if (is(c, "log") || is(c, "audit") || is(c, "nflog")) {
                        fprintf(out, " %s", name);
                        put_attr(out, c, "prefix");
                        put_attr(out, c, "level");
                        put_limit(out, c);
                } else if (is(c, "accept") || is(c, "reject") || is(c, "drop") || is(c, "mark")) {
                        fprintf(out, " %s", name);
                        put_attr(out, c, "type");
                        put_attr(out, c, "set");
                        put_limit(out, c);
                }
        }
        if (fclose(out) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

int fwd_zone_xml_parse(const char *text, size_t len, struct fwd_zone_xml *ret) {
        struct fwd_zone_xml z = {};
        xmlDoc *doc;
        xmlNode *root;
        int r = 0;

        if (len > ZONE_FILE_MAX)
                return -EFBIG;
        doc = xmlReadMemory(text, (int) len, "zone.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc)
                return -EBADMSG;
        root = xmlDocGetRootElement(doc);
        if (!root || !is(root, "zone")) {
                xmlFreeDoc(doc);
                return -EBADMSG;
        }
        z.target = prop(root, "target");
        if (z.target && streq(z.target, "%%REJECT%%")) {
                free(z.target);
                z.target = strdup("REJECT");
        }
        if (!z.target)
                z.target = strdup("default");
        if (!z.target)
                r = -ENOMEM;
        for (const xmlNode *c = root->children; c && r >= 0; c = c->next) {
                if (is(c, "service")) {
                        _cleanup_free_ char *name = prop(c, "name");
                        if (name)
                                r = strv_extend(&z.services, name);
                } else if (is(c, "port")) {
                        _cleanup_free_ char *port = prop(c, "port"), *proto = prop(c, "protocol");
                        if (port && proto)
                                r = strv_extendf(&z.ports, "%s/%s", port, proto);
                } else if (is(c, "rule")) {
                        _cleanup_free_ char *s = NULL;
                        r = rule_string(c, &s);
                        if (r >= 0)
                                r = strv_extend(&z.rich, s);
                }
        }
        xmlFreeDoc(doc);
        if (r < 0) {
                fwd_zone_xml_done(&z);
                return r;
        }
        *ret = z;
        return 0;
}

char *fwd_default_zone(const char *conf) {
        for (const char *p = conf; p && *p;) {
                const char *nl = strchr(p, '\n');

                p += strspn(p, " \t");
                if (strncmp(p, "DefaultZone=", 12) == 0) {
                        const char *v = p + 12;
                        size_t n = strcspn(v, " \t\r\n\"'");
                        if (n > 0)
                                return strndup(v, n);
                }
                p = nl ? nl + 1 : NULL;
        }
        return strdup("public");
}

static const char *end_line(const char *text) {
        for (const char *p = text; p && *p;) {
                const char *nl = strchr(p, '\n');

                if (strncmp(p, "</zone>", 7) == 0 && (p[7] == '\n' || p[7] == 0))
                        return p;
                p = nl ? nl + 1 : NULL;
        }
        return NULL;
}

bool fwd_zone_text_editable(const char *text) {
        return end_line(text) != NULL;
}

int fwd_zone_text_add(const char *text, const char *element, char **ret) {
        const char *at = end_line(text);

        if (!at)
                return -EBADMSG;
        *ret = strprintf("%.*s  %s\n%s", (int) (at - text), text, element, at);
        return *ret ? 0 : -ENOMEM;
}

static int read_target(const struct options *o, const char *path, char **ret, size_t *ret_len) {
        _cleanup_free_ char *p = options_path(o, path);
        _cleanup_close_ int fd = -1;

        if (!p)
                return -ENOMEM;
        fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, ZONE_FILE_MAX, ret, ret_len);
}

static bool port_listed(char **ports, uint16_t port) {
        for (char **p = ports; p && *p; p++) {
                unsigned long lo, hi;
                char *end;

                lo = strtoul(*p, &end, 10);
                hi = *end == '-' ? strtoul(end + 1, &end, 10) : lo;
                if (streq(end, "/tcp") && port >= lo && port <= hi)
                        return true;
        }
        return false;
}

static int evaluate_port(struct firewalld_zone *z, const struct fwd_zone_xml *x, uint16_t port) {
        struct firewalld_port fp = { .port = port, .blocking_only_port = true, .runtime = FW_VERDICT_ACCEPTED,
                                     .runtime_allowed = true };
        bool accepts = false;
        int r;

        r = fwd_rich_sort(x->rich, port, &fp.permanent_blocking, &fp.blocking_only_port, &fp.notes, &accepts);
        if (r < 0)
                goto fail;
        fp.permanent_allowed = (port == 22 && strv_contains(x->services, "ssh")) || port_listed(x->ports, port) || accepts;
        fp.permanent = fwd_zone_verdict(fp.permanent_allowed, fp.permanent_blocking, x->target);
        return firewalld_zone_add_port(z, &fp);
fail:
        strv_free(fp.permanent_blocking);
        strv_free(fp.notes);
        return r;
}

int fwd_files_probe(const struct options *o, struct firewalld_facts *d, char ***unreadable) {
        _cleanup_free_ char *conf = NULL, *name = NULL, *text = NULL, *etc = NULL, *lib = NULL, *dir = NULL;
        struct firewalld_zone z = {};
        struct fwd_zone_xml x = {};
        size_t len = 0;
        int r;

        r = read_target(o, "/etc/firewalld/firewalld.conf", &conf, &len);
        if (r == -ENOENT)
                r = read_target(o, "/usr/lib/firewalld/firewalld.conf", &conf, &len);
        if (r < 0 && r != -ENOENT)
                return strv_extendf(unreadable, "firewalld.conf: %s", strerror(-r));
        name = fwd_default_zone(conf);
        if (!name)
                return -ENOMEM;
        if (!*name || strchr(name, '/') || name[0] == '.')
                return strv_extendf(unreadable, "firewalld.conf: DefaultZone='%s' is not a zone name", name);

        etc = strprintf("/etc/firewalld/zones/%s.xml", name);
        lib = strprintf("/usr/lib/firewalld/zones/%s.xml", name);
        if (!etc || !lib)
                return -ENOMEM;
        r = read_target(o, etc, &text, &len);
        z.builtin = r == -ENOENT;
        if (z.builtin)
                r = read_target(o, lib, &text, &len);
        if (r < 0)
                return strv_extendf(unreadable, "firewalld zone '%s': %s: %s", name, z.builtin ? lib : etc, strerror(-r));
        r = fwd_zone_xml_parse(text, len, &x);
        if (r < 0)
                return strv_extendf(unreadable, "firewalld zone '%s': %s: %s", name, z.builtin ? lib : etc,
                                    r == -EBADMSG ? "not a zone file" : strerror(-r));

        z.name = TAKE_PTR(name);
        z.file = strdup(z.builtin ? lib : etc);
        z.target = strdup(x.target);
        z.editable = fwd_zone_text_editable(text);
        r = z.file && z.target ? 0 : -ENOMEM;
        for (size_t i = 0; r >= 0 && i < o->n_ports; i++)
                r = evaluate_port(&z, &x, o->ports[i]);
        fwd_zone_xml_done(&x);
        if (r >= 0) {
                struct firewalld_zone *nz = realloc(d->zones, sizeof(*nz) * (d->n_zones + 1));
                if (!nz)
                        r = -ENOMEM;
                else {
                        d->zones = nz;
                        d->zones[d->n_zones++] = z;
                        z = (struct firewalld_zone) {};
                }
        }
        if (r < 0) {
                free(z.name), free(z.file), free(z.target);
                for (size_t i = 0; i < z.n_ports; i++)
                        strv_free(z.ports[i].permanent_blocking), strv_free(z.ports[i].notes);
                free(z.ports);
                return r;
        }
        d->permanent_known = true;
        d->from_files = true;
        /* /etc/firewalld/zones, or /etc/firewalld where that is still to be made */
        dir = options_path(o, "/etc/firewalld/zones");
        if (!dir)
                return -ENOMEM;
        if (access(dir, F_OK) == 0)
                d->writable = access(dir, W_OK) == 0;
        else {
                _cleanup_free_ char *parent = options_path(o, "/etc/firewalld");
                d->writable = parent && access(parent, W_OK) == 0;
        }
        return 0;
}
