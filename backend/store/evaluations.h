/* evaluations.h - storing and loading evaluations (tables of migrations/002_evaluations.sql),
 * and reading the compiled releases of a scope for scoring.
 *
 * Evaluations are append-only (SPEC §4): store_eval_write adds a new evaluation with its
 * results in one statement (atomic: all rows or none); the latest per (ocid, criteria set
 * id) is what store_eval_load_latest returns. The criteria-set file itself is stored once
 * per SHA-256 (store_eval_put_set) so a report can always print the exact set.
 * Every statement goes through store_exec (PQexecParams); nothing is built from input.
 */
#ifndef PROCAUDIT_STORE_EVALUATIONS_H
#define PROCAUDIT_STORE_EVALUATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "criteria.h"
#include "ocds/codemap.h"
#include "score.h"
#include "result.h"
#include "store/store.h"
#include "util/err.h"

/* Stores the criteria-set file (id, version, SHA-256, title, content) unless a row with
 * its SHA-256 exists. Must precede store_eval_write for evaluations under that set.
 * Errors: ERR_DB, ERR_DB_UNAVAILABLE, ERR_NOMEM. */
int store_eval_put_set(store *st, const criteria_set *set, err_t *e) PA_MUSTCHECK;

/* The stored file of the set with this SHA-256: *content is a new NUL-terminated string
 * (free()). Errors: ERR_NOT_FOUND, ERR_DB, ERR_DB_UNAVAILABLE, ERR_NOMEM. */
int store_eval_load_set_content(store *st, const char *sha256, char **content, err_t *e) PA_MUSTCHECK;

/* Appends one evaluation and all its results, atomically (one statement, so it works
 * inside or outside a caller's transaction). *id_out (may be NULL) receives the new
 * evaluation id. Errors: ERR_DB (e.g. the set was not stored first), ERR_DB_UNAVAILABLE,
 * ERR_NOMEM / ERR_LIMIT (the results do not fit in STORE_EVAL_MAX_JSON). */
#define STORE_EVAL_MAX_JSON (256u * 1024u * 1024u)
int store_eval_write(store *st, const evaluation_t *ev, int64_t *id_out, err_t *e) PA_MUSTCHECK;

/* Loads the latest evaluation of `ocid` under the criteria set `set_id` (NULL: under any
 * set) with its criteria texts and results in their stored order. *out is a new
 * evaluation (evaluation_free); *id_out (may be NULL) its id.
 * Errors: ERR_NOT_FOUND (none stored), ERR_BAD_INPUT (a stored JSON column that does
 * not parse), ERR_DB, ERR_DB_UNAVAILABLE, ERR_NOMEM. */
int store_eval_load_latest(store *st, const char *ocid, const char *set_id, evaluation_t **out,
                           int64_t *id_out, err_t *e) PA_MUSTCHECK;

/* A scope of procurements: all (both NULL), one ocid, or one buyer (procurements.buyer_id). */
typedef struct {
    const char *ocid;
    const char *buyer_id;
} store_eval_scope;

/* Called once per compiled release: its ocid and its JSON text (len bytes, valid until
 * the callback returns). Return 0 to go on, an error to stop. */
typedef int (*store_eval_release_fn)(void *ctx, const char *ocid, const char *json, size_t len, err_t *e);

/* Reads the compiled releases of a scope in ocid order, `batch` rows per query (keyset
 * pagination: memory is bounded by one batch, and no transaction stays open between
 * batches, so the callback may write on the same connection). batch 0 means 200.
 * *count (may be NULL) receives the number of releases visited.
 * Errors: ERR_DB, ERR_DB_UNAVAILABLE, ERR_NOMEM, or the callback's. */
int store_eval_each_compiled(store *st, const store_eval_scope *scope, size_t batch, store_eval_release_fn fn,
                             void *ctx, size_t *count, err_t *e) PA_MUSTCHECK;

/* A score_source_fn (score.h) over the compiled releases of a scope: each release is
 * parsed (json_parse) and mapped (model_from_ocds) and handed to the visitor. A release
 * that does not parse or map is logged (log_warn with its ocid), counted in `rejected`
 * and skipped; only no memory, the database or the visitor stop the pass. Set st and
 * scope (and optionally cm, progress and label) before use; the counters describe the
 * last pass. */
typedef struct {
    store *st;
    store_eval_scope scope;
    const codemap *cm; /* NULL: codemap_default() */
    int progress;      /* 1: a "\rscore: LABEL N" line on stderr every 500 */
    const char *label; /* for the progress line */
    size_t mapped;     /* releases mapped and visited in the last pass */
    size_t rejected;   /* releases skipped in the last pass */
    /* private */
    score_visit_fn visit;
    void *vctx;
} store_eval_source;

int store_eval_source_each(void *ctx, score_visit_fn visit, void *vctx, err_t *e) PA_MUSTCHECK;

#endif
