/* daemon.h - procauditd's main loop: spool, jobs, signals, reload, reconnects.
 *
 * One worker process runs: take the next settled inbox file (spool.h) and ingest it, else
 * claim the next job (store/jobs.h) and run its handler (handlers.h), else wait for a
 * NOTIFY on procaudit_jobs or the poll interval. With workers > 1 the first process
 * supervises that many forked workers (each with its own connection and claim
 * directory), forwards signals and restarts a worker that dies.
 *
 * Signals only set flags (handlers below): SIGHUP reloads (parse, validate, load the
 * criteria sets, swap; a bad reload keeps the old config and sets); SIGTERM or SIGINT
 * lets the current file or job finish and commit, then exits 0; a second one exits at
 * once (status 1; the database rolls back the open transaction). SIGPIPE is ignored.
 * systemd is told READY=1, RELOADING=1, STOPPING=1 and STATUS=... (sd_notify).
 */
#ifndef PROCAUDIT_DAEMON_H
#define PROCAUDIT_DAEMON_H

#include "config.h"
#include "util/err.h"

/* Exit statuses of procauditd. */
enum {
    DAEMON_EXIT_OK = 0,      /* stopped on request after finishing its unit of work */
    DAEMON_EXIT_FORCED = 1,  /* a second SIGTERM/SIGINT: stopped at once */
    DAEMON_EXIT_USAGE = 2,   /* bad options or configuration */
    DAEMON_EXIT_INFRA = 3    /* schema mismatch, spool not usable, or out of memory */
};

/* Runs the daemon with the configuration at `config_path` until stopped. Returns one of
 * the DAEMON_EXIT_ codes. Logs everything itself (util/log.h). */
int daemon_run(const char *config_path);

/* -n / --check-config: loads the file and the criteria sets, prints "PATH: ok" or the
 * error on stderr. Returns DAEMON_EXIT_OK or DAEMON_EXIT_USAGE. */
int daemon_check_config(const char *config_path);

#endif
