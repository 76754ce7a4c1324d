#pragma once

/* The INPUT path of a filter table for one TCP SYN from outside: which rule decides, and
 * whether we can know at all. Pure: no I/O. */

#include "ipt-ruleset.h"
#include "model.h"

struct ipt_packet {
        int family;                 /* AF_INET or AF_INET6 */
        uint16_t port;
        const uint16_t *ports;      /* every requested port: for "matches nothing else" */
        size_t n_ports;
        const struct cidr *from;    /* the client's address or network; NULL: anywhere */
        char *const *ifaces;        /* external interfaces; NULL: unknown */
};

/* Fills *ret (variant and family are left to the caller). */
int ipt_evaluate(const struct ipt_ruleset *rs, const struct ipt_packet *pkt, struct ipt_verdict *ret);

/* Whose chain this is, by its name. */
enum fw_owner ipt_chain_owner(const char *name);
