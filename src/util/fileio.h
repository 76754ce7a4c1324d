#pragma once

#include <stddef.h>

/* Reads a whole regular file from 'fd' (up to 'max' bytes; larger: -EFBIG; not a regular
 * file: -EBADF). *ret is NUL-terminated; the caller frees it. */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_len);

/* The same for the file at 'path'. */
int read_full_file(const char *path, size_t max, char **ret, size_t *ret_len);

/* Writes all of data[0..len) to 'fd', across short writes and EINTR. */
int write_full_fd(int fd, const void *data, size_t len);
