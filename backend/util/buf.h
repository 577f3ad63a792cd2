/* buf.h - a growable byte buffer with a maximum size.
 *
 * Every text built from input (JSON copies, SQL parameters, log lines, report text) goes
 * through a buf_t created with a maximum, so hostile input cannot make it grow without
 * bound. The contents are always NUL-terminated (data may be NULL while len == 0).
 * Failure semantics (as curl's dynbuf): when an append fails (ERR_NOMEM, or ERR_LIMIT
 * when the maximum would be exceeded) the buffer is freed and reset to empty, so a
 * caller can stop at the first failure and has nothing to clean up beyond buf_dispose.
 */
#ifndef PROCAUDIT_BUF_H
#define PROCAUDIT_BUF_H

#include <stddef.h>

#include "util/err.h"

typedef struct {
    char *data;   /* owned; NUL-terminated when not NULL */
    size_t len;   /* bytes used, not counting the NUL */
    size_t cap;   /* bytes allocated */
    size_t max;   /* the largest len allowed */
} buf_t;

/* Initialises a caller-owned buf_t, empty, with the given maximum length in bytes. */
void buf_init(buf_t *b, size_t max);
/* Frees the contents; the buf_t stays usable (empty, same maximum). NULL is accepted. */
void buf_dispose(buf_t *b);
/* Empties the buffer but keeps its allocation. */
void buf_reset(buf_t *b);
/* Appends n bytes. 0, ERR_NOMEM or ERR_LIMIT (see the failure semantics above). */
int buf_append(buf_t *b, const void *p, size_t n) PA_MUSTCHECK;
/* Appends a NUL-terminated string. Same returns as buf_append. */
int buf_puts(buf_t *b, const char *s) PA_MUSTCHECK;
/* Appends one byte. Same returns as buf_append. */
int buf_putc(buf_t *b, char c) PA_MUSTCHECK;
/* Appends printf-formatted text. Same returns as buf_append. */
int buf_printf(buf_t *b, const char *fmt, ...) PA_PRINTF(2, 3) PA_MUSTCHECK;
/* Hands the contents to the caller (free() them) and empties the buffer. Returns an
 * allocated empty string when the buffer is empty; NULL only when that allocation fails. */
char *buf_take(buf_t *b);
/* The contents as a string: "" when empty. Valid until the next change. */
const char *buf_cstr(const buf_t *b);

#endif
