#pragma once

/* Structured records in the systemd journal, one MESSAGE_ID per kind of event, so that a
 * run with no one watching (cloud-init, a boot unit) can be found and read afterwards:
 *   journalctl MESSAGE_ID=<id>   or   journalctl SYSLOG_IDENTIFIER=sshrepair FAULT=sshd.inactive */

#include "model.h"

#define EVENT_FAULT_ID "f9a865935b394e40b8af7cd15af30e13"
#define EVENT_STEP_ID "f944ccedcfe646e5a1cf913dd1d6e942"
#define EVENT_OUTCOME_ID "45794be799e84af0af61ad967cddf322"

void events_fault(const struct fault *x);
void events_step(size_t i, const struct step *s, int error);
void events_outcome(const struct outcome *oc);
