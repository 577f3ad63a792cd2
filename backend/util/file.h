/* file.h - reading whole files into memory with a size limit. */
#ifndef PROCAUDIT_FILE_H
#define PROCAUDIT_FILE_H

#include <stddef.h>

#include "util/err.h"

/* Reads the whole regular file at `path` into a new NUL-terminated buffer.
 *
 * On success returns 0, sets *out to a malloc'd buffer of *out_len bytes plus a
 * terminating NUL (the caller free()s it; the content may itself hold NUL bytes).
 * On failure *out is NULL, *out_len is 0, nothing is left allocated, and:
 *   ERR_IO     the file cannot be opened or read, is not a regular file, or grew while it
 *              was read (it is never read past the size fstat gave + 1 byte);
 *              message "path: reason";
 *   ERR_LIMIT  the file is larger than max_bytes (nothing is read); message
 *              "N bytes, over the limit of M bytes" without the path, so that each
 *              caller words the refusal its own way (err_prefix / err_set);
 *   ERR_NOMEM  the buffer could not be allocated; message "path: out of memory".
 * e may be NULL. */
int file_read_all(const char *path, size_t max_bytes, char **out, size_t *out_len,
                  err_t *e) PA_MUSTCHECK;

#endif
