/* err.h - the one error convention of procaudit.
 *
 * Fallible functions return an int: 0 (ERR_OK) on success, one of the negative codes
 * below on failure, and write a human message into a caller-supplied `err_t`. The
 * caller owns the err_t (usually on its stack); nothing in it needs freeing.
 * Propagate errors upward without overwriting them; use assert() for programmer errors.
 */
#ifndef PROCAUDIT_ERR_H
#define PROCAUDIT_ERR_H

#include <stddef.h>

#if defined(__GNUC__)
#define PA_MUSTCHECK __attribute__((warn_unused_result))
#define PA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define PA_MUSTCHECK
#define PA_PRINTF(f, a)
#endif

/* Expected failures. The CLI maps them to exit codes (README "Exit codes"). */
typedef enum {
    ERR_OK = 0,            /* success */
    ERR_GENERIC = -1,      /* anything not listed below */
    ERR_NOMEM = -2,        /* an allocation failed, or a bounded buffer hit its maximum */
    ERR_IO = -3,           /* a file could not be opened, read or written */
    ERR_BAD_INPUT = -4,    /* a record or file is malformed (the record is skipped) */
    ERR_NOT_FOUND = -5,    /* the thing asked for does not exist */
    ERR_CONFLICT = -6,     /* the thing exists with other content */
    ERR_DB = -7,           /* the database refused a statement (a bug or a constraint) */
    ERR_DB_UNAVAILABLE = -8, /* the database cannot be reached: retry later */
    ERR_USAGE = -9,        /* a caller asked for something meaningless (bad option) */
    ERR_LIMIT = -10,       /* an input exceeds a size, depth or count limit */
    ERR_SCHEMA = -11       /* the database schema version is not the one this build expects */
} err_code;

/* Where the message of a failure goes. `code` repeats the returned code. */
typedef struct {
    int code;
    char msg[1024];
} err_t;

/* Clears *e (code ERR_OK, empty message). */
void err_clear(err_t *e);

/* Sets e->code and formats the message; returns `code` so that callers can write
 * `return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));`. e may be NULL. */
int err_set(err_t *e, int code, const char *fmt, ...) PA_PRINTF(3, 4);

/* Prefixes the existing message with a formatted context ("file.json: " + msg); keeps
 * the code. Returns e->code. */
int err_prefix(err_t *e, const char *fmt, ...) PA_PRINTF(2, 3);

/* A static English name of a code ("bad input"). Never NULL. */
const char *err_name(int code);

#endif
