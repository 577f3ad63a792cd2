/* err.c - the error context: formatting messages into a caller-owned err_t. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(err_t *e)
{
    if (!e)
        return;
    e->code = ERR_OK;
    e->msg[0] = '\0';
}

int err_set(err_t *e, int code, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return code;
    e->code = code;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

int err_prefix(err_t *e, const char *fmt, ...)
{
    char head[512];
    char old[sizeof e->msg];
    va_list ap;

    if (!e)
        return ERR_GENERIC;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    {
        size_t hl = strnlen(head, sizeof e->msg - 1);
        size_t ol = strnlen(old, sizeof old);
        if (ol > sizeof e->msg - 1 - hl)
            ol = sizeof e->msg - 1 - hl;
        memcpy(e->msg, head, hl);
        memcpy(e->msg + hl, old, ol);
        e->msg[hl + ol] = '\0';
    }
    return e->code;
}

const char *err_name(int code)
{
    switch (code) {
    case ERR_OK: return "ok";
    case ERR_NOMEM: return "out of memory";
    case ERR_IO: return "i/o error";
    case ERR_BAD_INPUT: return "bad input";
    case ERR_NOT_FOUND: return "not found";
    case ERR_CONFLICT: return "conflict";
    case ERR_DB: return "database error";
    case ERR_DB_UNAVAILABLE: return "database unavailable";
    case ERR_USAGE: return "usage error";
    case ERR_LIMIT: return "limit exceeded";
    case ERR_SCHEMA: return "schema version mismatch";
    default: return "error";
    }
}
