/* log.c - the leveled one-line logger (see log.h). */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static log_level log_max = LOG_LEVEL_INFO;
static int log_ts = -1;

void log_set_level(log_level lvl) { log_max = lvl; }
void log_set_timestamps(int on) { log_ts = on; }

int log_level_parse(const char *s, log_level *out)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (log_level)i;
            return 0;
        }
    }
    return ERR_USAGE;
}

void log_msg(log_level lvl, const char *ctx, const char *fmt, ...)
{
    static const char *const tags[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    char line[2048];
    size_t n = 0;
    va_list ap;

    if (lvl > log_max)
        return;
    if (log_ts < 0) {
        const char *e = getenv("PROCAUDIT_LOG_TIME");
        log_ts = e && *e == '1';
    }
    if (log_ts) {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        n += strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    }
    n += (size_t)snprintf(line + n, sizeof line - n, "%s ", tags[lvl]);
    if (ctx && *ctx && n < sizeof line)
        n += (size_t)snprintf(line + n, sizeof line - n, "[%s] ", ctx);
    if (n < sizeof line) {
        va_start(ap, fmt);
        vsnprintf(line + n, sizeof line - n, fmt, ap);
        va_end(ap);
    }
    /* One write per line so that lines of several processes do not interleave. */
    for (char *p = line; *p; p++)
        if (*p == '\n')
            *p = ' ';
    fprintf(stderr, "%s\n", line);
}
