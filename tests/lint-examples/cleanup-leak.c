/* Why .clang-tidy leaves out clang-analyzer-unix.Malloc: clang 14's analyzer does not run
 * __attribute__((cleanup)) handlers. Run
 *   clang-tidy tests/lint-examples/cleanup-leak.c --checks='-*,clang-analyzer-unix.Malloc' -- -I src
 * and it reports correct() exactly like leaky(), and says nothing about double_free().
 * Not built; not part of the lint run. */

#include <stdlib.h>
#include <string.h>

#include "util/macros.h"

int correct(const char *s);
int leaky(const char *s);
int double_free(const char *s);

int correct(const char *s) {
        _cleanup_free_ char *p = strdup(s); /* freed by the cleanup handler */

        if (!p)
                return -1;
        return (int) strlen(p);
}

int leaky(const char *s) {
        char *p = strdup(s); /* never freed: a real leak */

        if (!p)
                return -1;
        return (int) strlen(p);
}

int double_free(const char *s) {
        _cleanup_free_ char *p = strdup(s);

        if (!p)
                return -1;
        free(p); /* and the cleanup handler frees it again */
        return 0;
}
