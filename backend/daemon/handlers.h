/* handlers.h - what procauditd does for one file or one job: ingest, score, render.
 *
 * A handler_ctx holds what a reload swaps as a whole: the loaded criteria sets and the
 * report settings. Handlers are called by the daemon loop (daemon.c); the score and
 * render handlers run inside the job's transaction (store_job_begin .. store_job_finish)
 * so that their writes and the job's `done` commit together.
 *
 * Errors follow err.h: ERR_DB_UNAVAILABLE means "retry after reconnecting, nothing was
 * lost"; ERR_BAD_INPUT / ERR_LIMIT / ERR_IO about the input mean "reject it"; ERR_NOT_FOUND
 * means the procurement or evaluation the job names does not exist (the job is dropped
 * as done with a warning); other codes fail the job (retried with backoff).
 */
#ifndef PROCAUDIT_HANDLERS_H
#define PROCAUDIT_HANDLERS_H

#include <stddef.h>

#include "config.h"
#include "ingest.h"
#include "store/jobs.h"
#include "util/err.h"

typedef struct handler_ctx handler_ctx;

/* Loads and validates the criteria sets named in cfg->criteria and copies the report
 * settings. *out is owned by the caller (handler_ctx_free). Returns 0, ERR_IO, ERR_USAGE
 * (a criteria set is invalid: e names file and problem; or two sets share an id),
 * ERR_NOMEM. */
int handler_ctx_new(handler_ctx **out, const cfg_t *cfg, err_t *e) PA_MUSTCHECK;

/* Frees the context; NULL is accepted. */
void handler_ctx_free(handler_ctx *h);

/* Number of criteria sets loaded, and the id of set i ("international-red-flags"). */
size_t handler_ctx_sets(const handler_ctx *h);
const char *handler_ctx_set_id(const handler_ctx *h, size_t i);
/* The hex SHA-256 of set i's file (the version evaluations record). */
const char *handler_ctx_set_sha256(const handler_ctx *h, size_t i);

/* 1 when this build has a scorer / a renderer (the crit and reports modules), else 0. */
int handler_can_score(void);
int handler_can_render(void);

/* Ingests one file in one transaction (ingest_file); the trigger on procurements
 * enqueues the scoring of every procurement it touched in that same transaction.
 * Fills *stats. Returns ingest_file's codes. */
int handler_ingest(handler_ctx *h, store *st, const char *path, ingest_stats *stats,
                   err_t *e) PA_MUSTCHECK;

/* Scores job->ocid under job->set_id (or every loaded set when NULL), stores one
 * evaluation per set and enqueues one render job per evaluation, all in the caller's
 * open transaction. *n_evaluations = evaluations stored. */
int handler_score(handler_ctx *h, store *st, const store_job *job, size_t *n_evaluations,
                  err_t *e) PA_MUSTCHECK;

/* Renders the report of job->ocid's latest evaluation under job->set_id into
 * reports_dir (handler_report_name), writing NAME.tmp, fsync, rename. out_path gets the
 * final path. */
int handler_render(handler_ctx *h, store *st, const store_job *job, char *out_path,
                   size_t out_size, err_t *e) PA_MUSTCHECK;

/* The report file name of (ocid, set_id, audience, language), safe for any input:
 * up to 60 bytes of the ocid with every byte outside [A-Za-z0-9._-] replaced by '_',
 * then '-' and 12 hex digits of SHA-256(ocid NUL set_id NUL audience NUL language), then
 * "-" + the sanitised set id (up to 40 bytes) + ("-public" for the public audience) +
 * "-" language + ".pdf". Distinct inputs give distinct names (up to the hash), the same
 * inputs always the same name. Returns 0 or ERR_LIMIT (out too small). */
int handler_report_name(char *out, size_t size, const char *ocid, const char *set_id,
                        cfg_audience audience, const char *language, err_t *e) PA_MUSTCHECK;

#endif
