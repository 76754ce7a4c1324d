#pragma once

/* firewalld's permanent configuration from its files, for when no firewalld answers on the
 * bus (installed and enabled but stopped; or a tree under --root DIR): what decides at its
 * next start. The default zone (firewalld.conf DefaultZone=) only: interface bindings in
 * zone files or NetworkManager are not followed. Zone files in /etc/firewalld/zones override
 * those in /usr/lib/firewalld/zones, as firewalld reads them. */

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* What a zone file says, as far as a TCP SYN needs it. */
struct fwd_zone_xml {
        char *target;          /* default, ACCEPT, DROP, REJECT ("%%REJECT%%" in the file) */
        char **services;       /* names */
        char **ports;          /* "22/tcp", "20-25/tcp" */
        char **rich;           /* each <rule> in firewalld's rich-rule language */
};

void fwd_zone_xml_done(struct fwd_zone_xml *z);

/* Parses a zone file (libxml2). -EBADMSG: not XML, or no <zone> root. */
int fwd_zone_xml_parse(const char *text, size_t len, struct fwd_zone_xml *ret);

/* DefaultZone= of firewalld.conf; "public" when it does not say. Caller frees. */
char *fwd_default_zone(const char *conf);

/* Whether the file has a line "</zone>" to add an element before. */
bool fwd_zone_text_editable(const char *text);

/* Adds the line "  ELEMENT" before the "</zone>" line, as
 * `sed -i '/^<\/zone>$/i \  ELEMENT'` does. -EBADMSG: no such line. */
int fwd_zone_text_add(const char *text, const char *element, char **ret);

/* Fills d->zones with the default zone and its verdict for each port in 'o', from the files
 * under o->root (or /). What cannot be read goes to *unreadable. */
int fwd_files_probe(const struct options *o, struct firewalld_facts *d, char ***unreadable);
