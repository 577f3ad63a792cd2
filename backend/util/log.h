/* log.h - one line per event on stderr: "LEVEL [context] message".
 *
 * journald adds timestamps under systemd; on a terminal set PROCAUDIT_LOG_TIME=1 (or
 * log_set_timestamps(1)) for an ISO 8601 UTC prefix. The context is a short string
 * naming the file, ocid or job the line is about (may be NULL).
 */
#ifndef PROCAUDIT_LOG_H
#define PROCAUDIT_LOG_H

#include "util/err.h"

typedef enum {
    LOG_LEVEL_ERROR = 0, /* the operation failed */
    LOG_LEVEL_WARN = 1,  /* something was skipped or degraded, work continues */
    LOG_LEVEL_INFO = 2,  /* a normal event worth a line (file ingested, job done) */
    LOG_LEVEL_DEBUG = 3  /* detail for developers; includes the function name */
} log_level;

/* Lines above this level are dropped (default LOG_LEVEL_INFO). */
void log_set_level(log_level lvl);
/* Parses "error|warn|info|debug"; returns 0 or ERR_USAGE. */
int log_level_parse(const char *s, log_level *out);
void log_set_timestamps(int on);

void log_msg(log_level lvl, const char *ctx, const char *fmt, ...) PA_PRINTF(3, 4);

#define log_error(ctx, ...) log_msg(LOG_LEVEL_ERROR, (ctx), __VA_ARGS__)
#define log_warn(ctx, ...) log_msg(LOG_LEVEL_WARN, (ctx), __VA_ARGS__)
#define log_info(ctx, ...) log_msg(LOG_LEVEL_INFO, (ctx), __VA_ARGS__)
#define log_debug(ctx, ...) log_msg(LOG_LEVEL_DEBUG, (ctx), __VA_ARGS__)

#endif
