/* jobs.h - the daemon's work queue in PostgreSQL (table `jobs`, migrations/003_jobs.sql).
 *
 * Life of a job: enqueued `pending` (by the ingest trigger on procurements, by a score
 * handler for its render jobs, or by store_job_enqueue) -> claimed `running` by one
 * daemon (SELECT ... FOR UPDATE SKIP LOCKED, attempts + 1, committed at once) -> the
 * handler's work and the switch to `done` commit in ONE transaction opened by
 * store_job_begin and closed by store_job_finish, so a crash in between rolls the work
 * back and leaves the job `running` with the claimer's backend pid. store_job_rescue
 * hands such jobs back (`pending`, or `failed` once attempts reach the maximum) when the
 * claiming session no longer exists, which is how a kill -9 or a database restart is
 * recovered without doing a job twice. A handler failure goes through store_job_fail:
 * `pending` again after a backoff, or `failed`.
 *
 * All functions take the daemon's store (one connection). Every function returns 0 or a
 * negative err_code and fills `e`: ERR_DB_UNAVAILABLE when the server cannot be reached
 * (connection lost, shutting down: retry after reconnecting), ERR_DB when it refused a
 * statement, ERR_NOMEM, plus the codes named per function.
 */
#ifndef PROCAUDIT_STORE_JOBS_H
#define PROCAUDIT_STORE_JOBS_H

#include "util/err.h"

typedef struct store store; /* store/store.h */

typedef enum {
    STORE_JOB_INGEST = 0, /* ingest the file at `path` */
    STORE_JOB_SCORE = 1,  /* score `ocid` under `set_id`, or every configured set if NULL */
    STORE_JOB_RENDER = 2  /* render the report of `ocid`'s latest evaluation under `set_id` */
} store_job_kind;

typedef enum {
    STORE_JOB_PENDING = 0, /* waiting for run_after and a daemon */
    STORE_JOB_RUNNING = 1, /* claimed by locked_by */
    STORE_JOB_DONE = 2,    /* finished; kept for the record */
    STORE_JOB_FAILED = 3   /* gave up after job_max_attempts; last_error says why */
} store_job_state;

/* One claimed job. Strings are owned (NULL when the column is NULL). */
typedef struct {
    long long id;
    store_job_kind kind;
    char *ocid;
    char *set_id;
    char *path;
    int attempts;   /* including this claim */
} store_job;

/* The NOTIFY channel the daemon LISTENs on. */
#define STORE_JOB_CHANNEL "procaudit_jobs"

/* Frees the strings of a job; NULL is accepted. */
void store_job_dispose(store_job *j);

/* "ingest", "score", "render". */
const char *store_job_kind_name(store_job_kind k);

/* Inserts a pending job in the caller's current transaction (or alone in autocommit).
 * A pending job with the same kind and payload makes this a no-op. ocid is required for
 * score and render, path for ingest; set_id may be NULL.
 * Returns 0, ERR_USAGE (missing payload), ERR_DB, ERR_DB_UNAVAILABLE. */
int store_job_enqueue(store *st, store_job_kind kind, const char *ocid,
                      const char *set_id, const char *path, err_t *e) PA_MUSTCHECK;

/* Bits of store_job_claim's `kinds`: which kinds of job the caller can run. */
#define STORE_JOB_KIND_BIT(k) (1u << (unsigned)(k))
#define STORE_JOB_ALL_KINDS 7u

/* Claims the oldest ready pending job of one of `kinds` (STORE_JOB_KIND_BIT bits) for
 * daemon `me` (its own statement, committed):
 * state running, attempts + 1, locked_by/locked_pid/locked_at set. Fills *out (owned by
 * the caller: store_job_dispose). Returns 0, ERR_NOT_FOUND (nothing ready), ERR_DB,
 * ERR_DB_UNAVAILABLE, ERR_NOMEM. */
int store_job_claim(store *st, const char *me, unsigned kinds, store_job *out, err_t *e) PA_MUSTCHECK;

/* Opens the transaction of a claimed job's work: BEGIN, then locks the job row and checks
 * that it is still running and locked by `me`. Returns 0 (transaction open), ERR_CONFLICT
 * (handed back meanwhile, e.g. after a reconnect: transaction rolled back, drop the job),
 * ERR_DB, ERR_DB_UNAVAILABLE. */
int store_job_begin(store *st, const store_job *j, const char *me, err_t *e) PA_MUSTCHECK;

/* Marks the job done, with `result` (what it produced, e.g. a report path; may be
 * NULL), and COMMITs the transaction opened by store_job_begin. Returns 0, ERR_DB, ERR_DB_UNAVAILABLE (then the outcome is unknown to us; the
 * database either committed everything or nothing). */
int store_job_finish(store *st, const store_job *j, const char *result, err_t *e) PA_MUSTCHECK;

/* ROLLBACK of the open transaction, if any (errors ignored: a lost connection rolls back
 * by itself). st may be NULL. */
void store_job_rollback(store *st);

/* Records a handler failure (own statement, outside any work transaction): pending again
 * after `backoff_s` seconds, or failed once attempts >= max_attempts; last_error = msg
 * (truncated to 2000 bytes). When a pending job with the same payload was enqueued
 * meanwhile, this one is closed as done instead (the newer job does the work; one
 * pending job per payload). Only when still locked by `me`. Returns 0, ERR_DB,
 * ERR_DB_UNAVAILABLE. */
int store_job_fail(store *st, const store_job *j, const char *me, int max_attempts,
                   int backoff_s, const char *msg, err_t *e) PA_MUSTCHECK;

/* Hands back running jobs whose claiming session has ended (its daemon died or lost its
 * connection): pending, or failed when attempts >= max_attempts. *n_out = jobs handed
 * back (may be NULL). Returns 0, ERR_DB, ERR_DB_UNAVAILABLE. */
int store_job_rescue(store *st, int max_attempts, long *n_out, err_t *e) PA_MUSTCHECK;

/* Enqueues a score job under `set_id` for every procurement that has no evaluation made
 * with this version of the set (criteria_sets SHA-256 `sha256`) and no score job pending
 * or running for it (under this set or all sets): what a new or changed criteria set
 * needs (SPEC §1: re-scoring when the criteria change, the old evaluations kept).
 * Safe to run from several daemons at once (the pending-job index keeps one job per
 * payload). *n_out = jobs added (may be NULL). Returns 0, ERR_DB, ERR_DB_UNAVAILABLE. */
int store_job_enqueue_stale(store *st, const char *set_id, const char *sha256, long *n_out,
                            err_t *e) PA_MUSTCHECK;

/* Deletes done jobs that finished more than `older_than_s` seconds ago (failed jobs are
 * kept for an operator). *n_out = rows deleted (may be NULL). Returns 0, ERR_DB,
 * ERR_DB_UNAVAILABLE. */
int store_job_purge(store *st, long older_than_s, long *n_out, err_t *e) PA_MUSTCHECK;

/* LISTEN on STORE_JOB_CHANNEL. Returns 0, ERR_DB, ERR_DB_UNAVAILABLE. */
int store_job_listen(store *st, err_t *e) PA_MUSTCHECK;

/* Waits up to timeout_ms for a notification on the connection's socket (draining all
 * that arrived) or for `extra_fd` to become readable (-1: none; e.g. the inbox's
 * inotify descriptor, left for the caller to drain). Returns 1 (notified), 2 (extra_fd
 * readable), 0 (timed out, or a signal interrupted the wait), ERR_DB_UNAVAILABLE
 * (connection lost). */
int store_job_wait(store *st, int extra_fd, int timeout_ms, err_t *e);

/* Counts jobs per state: counts[STORE_JOB_PENDING..STORE_JOB_FAILED].
 * Returns 0, ERR_DB, ERR_DB_UNAVAILABLE. */
int store_job_counts(store *st, long counts[4], err_t *e) PA_MUSTCHECK;

#endif
