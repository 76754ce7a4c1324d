#pragma once

/* firewalld rich rules, as far as a SYN to one TCP port needs them. Pure. */

#include <stdbool.h>
#include <stdint.h>

enum fwd_rich_effect {
        FWD_RICH_NONE,     /* does not concern this port */
        FWD_RICH_ACCEPT,
        FWD_RICH_BLOCK,    /* reject or drop */
};

/* What 'rule' does to a TCP SYN to 'port': *ret_some is set when it names a source,
 * destination or other condition (so it decides for some clients only); *ret_only when it
 * names nothing but this port (or service ssh for 22). */
enum fwd_rich_effect fwd_rich_parse(const char *rule, uint16_t port, bool *ret_some, bool *ret_only);
