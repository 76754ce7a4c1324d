#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static enum log_level max_level = LOG_LEVEL_WARNING;

void log_set_max_level(enum log_level level) {
        max_level = level;
}

enum log_level log_get_max_level(void) {
        return max_level;
}

int log_internal(enum log_level level, int error, const char *format, ...) {
        int e = error < 0 ? -error : error;

        if (level <= max_level) {
                static const char *const prefix[] = {
                        [LOG_LEVEL_ERROR] = "error: ",
                        [LOG_LEVEL_WARNING] = "warning: ",
                        [LOG_LEVEL_INFO] = "",
                        [LOG_LEVEL_DEBUG] = "debug: ",
                };
                va_list ap;
                int saved = errno;

                /* glibc's printf expands %m from errno */
                errno = e;
                fputs("sshrepair: ", stderr);
                fputs(prefix[level], stderr);
                va_start(ap, format);
                vfprintf(stderr, format, ap);
                va_end(ap);
                fputc('\n', stderr);
                errno = saved;
        }
        return -e;
}
