#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _warn_unused_result_ __attribute__((warn_unused_result))

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

/* Hands ownership of a pointer to the caller: returns it and clears the variable. */
#define TAKE_PTR(p)                             \
        ({                                      \
                __typeof__(p) _tp_ = (p);       \
                (p) = NULL;                     \
                _tp_;                           \
        })
#define TAKE_FD(fd)                             \
        ({                                      \
                int _tf_ = (fd);                \
                (fd) = -1;                      \
                _tf_;                           \
        })

#define streq(a, b) (strcmp((a), (b)) == 0)
#define streq_ptr(a, b) ((a) && (b) && streq((a), (b)))
#define isempty(s) (!(s) || !*(s))
#define strna(s) ((s) ?: "n/a")

/* Declares a cleanup function for a type whose destructor takes a pointer and accepts NULL. */
#define DEFINE_CLEANUP_FUNC(type, func)                 \
        static inline void func##p(type **p) { /* NOLINT(bugprone-macro-parentheses): a type */ \
                if (*p)                                 \
                        func(*p);                       \
        }
