#pragma once

/* firewalld rich rules, as far as a SYN to one TCP port needs them. Pure. */

#include <stdbool.h>
#include <stdint.h>

#include "model-fw.h"

enum fwd_rich_effect {
        FWD_RICH_NONE,     /* does not concern this port */
        FWD_RICH_ACCEPT,
        FWD_RICH_BLOCK,    /* reject or drop */
};

/* What 'rule' does to a TCP SYN to 'port': *ret_some is set when it names a source,
 * destination or other condition (so it decides for some clients only); *ret_only when it
 * names nothing but this port (or service ssh for 22). */
enum fwd_rich_effect fwd_rich_parse(const char *rule, uint16_t port, bool *ret_some, bool *ret_only);

/* Sorts a zone's rich rules for 'port': those that block it for every client go to
 * *blocking (*only stays true while each names nothing but this port), those that decide
 * for some clients only to *notes (when notes is not NULL); *accepts is set when one
 * accepts it for every client. */
int fwd_rich_sort(char **rules, uint16_t port, char ***blocking, bool *only, char ***notes, bool *accepts);

/* What a zone with 'target' does with the SYN: firewalld puts a zone's deny rules before
 * its allow rules. */
enum fw_verdict fwd_zone_verdict(bool allowed, char **blocking, const char *target);
