#pragma once

#include "model.h"

/* Connects to address:port with a timeout and reads the server's identification line.
 * ret->error: 0 when it begins with "SSH-2.0-" (or "SSH-1.99-"), -EPROTO when something else
 * answered, else the connect or read error (-ECONNREFUSED, -ETIMEDOUT, ...). Returns < 0
 * only for bad arguments. */
int verify_banner(int family, const char *address, uint16_t port, unsigned timeout_ms, struct probe_result *ret);

/* Probes every port in 'o' on 127.0.0.1 and ::1. Fills *ret (caller frees) with one result
 * per address and port; addresses the host lacks (no IPv6) are left out. */
int verify_ports(const struct options *o, unsigned timeout_ms, struct probe_result **ret, size_t *ret_n);

/* True when every port has an address that answered with a banner. */
bool verify_all_answer(const struct options *o, const struct probe_result *r, size_t n);

/* Repeats verify_ports() until every port answers or 'total_ms' passes: a service that has
 * just started may need a moment to listen. The last round's results go to *ret. */
int verify_wait(const struct options *o, unsigned total_ms, struct probe_result **ret, size_t *ret_n);
