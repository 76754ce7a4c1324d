#pragma once

#include <stdint.h>

/* Starts NAME.timer and NAME.service as transient system units: after 'usec' the service
 * runs argv (argv[0] an absolute path). They live in the service manager, so neither the
 * end of this process nor of the operator's session cancels them. */
int sd_timer_schedule(const char *name, uint64_t usec, char *const *argv);
/* Stops NAME.timer; a timer that is already gone is not an error. */
int sd_timer_cancel(const char *name);
