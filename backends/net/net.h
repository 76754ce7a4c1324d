#pragma once

#include <stdio.h>

#include "model.h"

/* Appends the LISTEN sockets of a /proc/net/tcp or tcp6 file to *list. */
int net_parse_proc_tcp(FILE *in, int family, struct listen_fact **list, size_t *n);
