#pragma once

/* The firewall frontends' policy modules, called by plan_frontends() in this order. */

#include "plans.h"

int plan_iptables(const struct facts *f, const struct options *o, struct plan *p);
int plan_ufw(const struct facts *f, const struct options *o, struct plan *p);
int plan_firewalld(const struct facts *f, const struct options *o, struct plan *p);
int plan_fail2ban(const struct facts *f, const struct options *o, struct plan *p);

/* "192.0.2.0/24", or NULL when --from is not given; the caller frees. */
char *plan_from_string(const struct options *o);
/* Appends one argument to the last step. */
int plan_step_arg(struct plan *p, const char *arg);
