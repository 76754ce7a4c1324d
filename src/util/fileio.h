#pragma once

#include <stddef.h>

/* Reads a whole regular file from 'fd' (up to 'max' bytes; larger: -EFBIG; not a regular
 * file: -EBADF). *ret is NUL-terminated; the caller frees it. */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_len);
