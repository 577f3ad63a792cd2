/* dtest.h - helpers for the daemon's integration tests: a fresh migrated database, a
 * temporary spool, a config file, starting/stopping build/procauditd, waiting for it. */
#ifndef PROCAUDIT_DTEST_H
#define PROCAUDIT_DTEST_H

#include <stddef.h>
#include <sys/types.h>

#include "store/store.h"

typedef struct {
    char db[64];          /* database name */
    char conninfo[128];   /* "dbname=..." (host/port/user from PG*) */
    char root[256];       /* temporary directory */
    char inbox[300], archive[300], rejected[300], reports[300];
    char conf[300];       /* config file path */
    char log[300];        /* daemon stderr */
    char kinds[64];       /* SQL list of the job kinds the daemon runs: dtest_wait_idle
                           * waits for these ("'ingest', 'score'"); set by dtest_setup from
                           * the build's capabilities, tests may narrow it */
} dtest_env;

/* The repository root ($PROCAUDIT_ROOT, else "."), and the shared data folder
 * ($PROCAUDIT_SHARED/data) or NULL when absent. */
const char *dtest_root(void);
const char *dtest_shared_data(void);

/* Drops and creates database `name`, applies every migration, creates a temporary spool
 * and writes a config (poll_interval 1, settle_time 0, backoff 1..2 s, criteria = every
 * templates/criteria/NAME.xml set named in `criteria` (comma-separated; NULL = the
 * international red flags set), plus `extra` lines). Returns 0 or -1 (message on stderr). */
int dtest_setup(dtest_env *env, const char *name, const char *criteria, const char *extra);

/* Removes the temporary directory. */
void dtest_teardown(dtest_env *env);

/* Opens a store on env's database (store_close it). */
store *dtest_store(const dtest_env *env);

/* Starts build/procauditd -c env->conf with stderr appended to env->log (or `log` when
 * not NULL). Returns the pid. */
pid_t dtest_start(const dtest_env *env, const char *log);

/* Sends `sig`, waits up to timeout_s for the exit; returns the exit status (0..255),
 * 128 + signal when killed, or -1 on timeout (then the process is SIGKILLed). */
int dtest_stop(pid_t pid, int sig, int timeout_s);

/* A single-number query on env's database (-1 on error). */
long dtest_count(const dtest_env *env, const char *sql);

/* Files in a directory, not counting names that begin with "." or end in ".error". */
long dtest_files(const char *dir);

/* Waits until the inbox and all claim directories are empty and no job is pending or
 * running, for up to timeout_s. Returns 0 when idle, -1 on timeout. */
int dtest_wait_idle(const dtest_env *env, int timeout_s);

/* Copies a file into dir under `name` (written as .name.tmp, then renamed into place).
 * Returns 0 or -1. */
int dtest_drop(const char *src, const char *dir, const char *name);

/* 1 when the log file contains `needle`. */
int dtest_log_has(const char *log, const char *needle);

/* Writes an OCDS release package of n releases, one procurement each (ocids
 * ocds-gen<tag>-00000 ...), with buyer, tenderers, tender period, value and award:
 * every indicator has something to read. Returns 0 or -1. */
int dtest_gen_ocds(const char *path, const char *tag, int n);
/* The same with `per` releases per procurement (per - 1 earlier tender updates, then the
 * full release above): n * per releases, n procurements. */
int dtest_gen_ocds_releases(const char *path, const char *tag, int n, int per);

/* Seconds since an arbitrary start, with sub-second resolution. */
double dtest_now(void);

/* 1 when build/procauditd can score / render (the crit and reports modules are in). */
int dtest_can_score(void);
int dtest_can_render(void);

/* Runs a shell command; returns its exit status. */
int dtest_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
