/* store.h - the PostgreSQL store: connection, transactions, statements, migrations.
 *
 * One `store` wraps one libpq connection. It is not thread-safe: one per thread.
 *
 * Errors: a statement the server refused returns ERR_DB with the server's message and
 * SQLSTATE in e; a lost or impossible connection (libpq reports CONNECTION_BAD, or the
 * SQLSTATE class is 08 "connection exception", 57P0x "operator intervention" or 53
 * "insufficient resources") returns ERR_DB_UNAVAILABLE, which callers treat as "retry
 * later, nothing is lost" (SPEC §7). Every statement goes through PQexecParams (or a
 * migration file sent as is, see store_migrate); no SQL is ever built from input.
 */
#ifndef PROCAUDIT_STORE_H
#define PROCAUDIT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "model.h"
#include "util/err.h"

typedef struct store store;

/* Connects. `conninfo` is a libpq conninfo string or URI; NULL or "" uses the PG*
 * environment variables (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, ...).
 * On success *out is a new store (store_close it). Errors: ERR_DB_UNAVAILABLE (the
 * server cannot be reached or refused the login; message from libpq), ERR_NOMEM. */
int store_open(store **out, const char *conninfo, err_t *e) PA_MUSTCHECK;

/* Closes the connection and frees the store. NULL is accepted. */
void store_close(store *st);

/* The libpq connection, for modules that issue their own statements (they must follow
 * the same rules: PQexecParams/prepared, classify errors with store_result_error). */
PGconn *store_conn(store *st);

/* Transactions. store_begin fails with ERR_DB if one is already open. store_rollback
 * is safe to call when no transaction is open (it is then a no-op) and on a broken
 * connection; it never overwrites an error already in e (pass a scratch err_t). */
int store_begin(store *st, err_t *e) PA_MUSTCHECK;
int store_commit(store *st, err_t *e) PA_MUSTCHECK;
int store_rollback(store *st, err_t *e);
/* Savepoints inside a transaction (name is a fixed identifier chosen by the caller,
 * never input). */
int store_savepoint(store *st, const char *name, err_t *e) PA_MUSTCHECK;
int store_rollback_to(store *st, const char *name, err_t *e) PA_MUSTCHECK;
int store_release(store *st, const char *name, err_t *e) PA_MUSTCHECK;

/* Runs one statement with text parameters (values[i] NULL = SQL NULL).
 * `expect` is PGRES_COMMAND_OK or PGRES_TUPLES_OK. On success, when out is not NULL,
 * *out is the result (PQclear it); otherwise the result is cleared. On failure *out is
 * NULL and the error is ERR_DB or ERR_DB_UNAVAILABLE (see above). */
int store_exec(store *st, PGresult **out, ExecStatusType expect, const char *sql,
               int n, const char *const *values, err_t *e) PA_MUSTCHECK;

/* Like store_exec with per-parameter types (OIDs, 0 = infer), lengths and formats
 * (1 = binary), for the array parameters of bulk writes. */
int store_exec_bin(store *st, PGresult **out, ExecStatusType expect, const char *sql,
                   int n, const Oid *types, const char *const *values, const int *lengths,
                   const int *formats, err_t *e) PA_MUSTCHECK;

/* Classifies a failed result (or a NULL result) into ERR_DB / ERR_DB_UNAVAILABLE and
 * fills e with "what: server message [SQLSTATE]". Returns the code. */
int store_result_error(store *st, const PGresult *res, const char *what, err_t *e);

/* Pipelining (libpq pipeline mode): statements queued without waiting, so that the
 * server works while the caller prepares the next batch.
 *   store_pipeline_begin  enters pipeline mode (no-op when already in it).
 *   store_pipeline_send   queues one statement (expected to return no rows); outside
 *                         pipeline mode it simply runs it. The parameters are copied.
 *   store_pipeline_poll   pushes queued bytes to the server without blocking.
 *   store_pipeline_wait   ends the pipeline: waits for every queued statement and leaves
 *                         pipeline mode; returns the first failure (ERR_DB /
 *                         ERR_DB_UNAVAILABLE) with its message. After a failure the later
 *                         statements were skipped and the transaction is in error (roll
 *                         back to a savepoint queued before them, or roll back).
 * store_exec*, store_commit and store_rollback wait for a pending pipeline first. */
int store_pipeline_begin(store *st, err_t *e) PA_MUSTCHECK;
int store_pipeline_send(store *st, const char *sql, int n, const Oid *types,
                        const char *const *values, const int *lengths, const int *formats,
                        err_t *e) PA_MUSTCHECK;
int store_pipeline_wait(store *st, err_t *e) PA_MUSTCHECK;
/* Sends more of the queued statements, as far as the server takes them without waiting;
 * call it now and then while preparing the next batch. */
void store_pipeline_poll(store *st);

/* Runs a statement that returns no rows, prepared once per connection under `name` (a
 * fixed identifier; parse and plan happen once, not per call); in pipeline mode it is
 * queued like store_pipeline_send. Errors as store_exec. */
int store_exec_prepared(store *st, const char *name, const char *sql, int n, const Oid *types,
                        const char *const *values, const int *lengths, const int *formats,
                        err_t *e) PA_MUSTCHECK;

/* 1 when the connection is healthy (CONNECTION_OK), else 0. */
int store_ok(const store *st);

/* --- SHA-256 (libcrypto) --- */

/* Writes the lower-case hex SHA-256 of n bytes at p into hex (65 bytes with the NUL). */
void store_sha256_hex(const void *p, size_t n, char hex[65]);

/* Hashes a whole file, streaming. *size_out gets its size in bytes. Errors: ERR_IO. */
int store_sha256_file(const char *path, char hex[65], uint64_t *size_out, err_t *e) PA_MUSTCHECK;

/* --- migrations (migrate.c) --- */

/* Picks the migrations directory into out (n bytes): `given` when not NULL; else
 * $PROCAUDIT_MIGRATIONS; else ../migrations beside the running executable
 * (build/procaudit -> migrations/) when that directory exists; else "./migrations".
 * Returns 0, or ERR_LIMIT when the path does not fit. */
int store_migrations_dir(char *out, size_t n, const char *given, err_t *e) PA_MUSTCHECK;

typedef struct {
    int applied;       /* migrations applied by this call */
    int already;       /* migrations that were already applied (unchanged) */
    int latest;        /* the highest version now applied (0 when none) */
} store_migrate_report;

/* Applies every migrations/NNN_name.sql not applied yet, in version order, each in its
 * own transaction together with its schema_migrations row; an advisory lock keeps two
 * concurrent migrates apart. Idempotent: running it again applies nothing.
 * A migration file must not contain transaction control (BEGIN/COMMIT).
 * Errors: ERR_IO (directory or file unreadable), ERR_USAGE (a file name that is not
 * NNN_name.sql, or two files with one version), ERR_SCHEMA (an applied migration whose
 * file changed or vanished, i.e. the database is newer than these files), ERR_DB (a
 * migration failed: it is rolled back, the earlier ones stay), ERR_DB_UNAVAILABLE. */
int store_migrate(store *st, const char *dir, store_migrate_report *report, err_t *e) PA_MUSTCHECK;

/* Compares the database with the migration files without changing anything.
 * 0 when every file is applied unchanged and nothing else is applied. ERR_SCHEMA with a
 * message naming the versions and the fix: database older -> "run `procaudit migrate`";
 * database newer -> "upgrade procaudit (or point --dir at the newer migrations)";
 * changed file -> "restore the applied file". Also ERR_IO, ERR_DB, ERR_DB_UNAVAILABLE. */
int store_schema_check(store *st, const char *dir, err_t *e) PA_MUSTCHECK;

/* --- ingest writes (write.c) ---
 *
 * The ingest writes in batches: a store_batch collects rows for every table in memory
 * (as binary PostgreSQL arrays, so no value is ever escaped into SQL) and
 * store_batch_flush sends one INSERT ... SELECT FROM unnest($1::text[], ...) per table.
 * Memory is the batch's rows only; the caller flushes every few hundred releases.
 * Keys longer than STORE_KEY_MAX bytes (ocid, ids) are cut at a UTF-8 boundary so that
 * hostile ids cannot exceed PostgreSQL's index row limit.
 */
#define STORE_KEY_MAX 400

typedef struct store_batch store_batch;

/* One release as received. `json` is its canonical JSON (json_write_canonical) of
 * `json_len` bytes and `sha256` the hex SHA-256 of those bytes. `date` is seconds since
 * the epoch when has_date. `version` is 1 for a new (ocid, release_id), n+1 for a new
 * content of a known one. */
typedef struct {
    const char *ocid;
    const char *release_id;
    const char *sha256;
    int version;
    int has_date;
    int64_t date;
    const char *json;
    size_t json_len;
    uint64_t offset;
    uint64_t line;
} store_release_row;

/* Creates an empty batch (store_batch_free it). Errors: ERR_NOMEM. */
int store_batch_new(store_batch **out, err_t *e) PA_MUSTCHECK;
void store_batch_free(store_batch *b);
/* Drops every row collected (after a failed flush, for instance). */
void store_batch_reset(store_batch *b);
/* Bytes of row data collected so far (to flush before memory grows). */
size_t store_batch_bytes(const store_batch *b);

/* The adders copy what they are given; they return 0, ERR_NOMEM or ERR_LIMIT. */
int store_batch_release(store_batch *b, const store_release_row *r) PA_MUSTCHECK;
/* A compiled release as published (a record's compiledRelease, a reduced versioned
 * release): stored once per (ocid, sha256) in published_compiled_releases. sha256 is the
 * hex SHA-256 of `json` (canonical JSON); date in seconds when has_date. */
int store_batch_published(store_batch *b, const char *ocid, const char *sha256, int has_date,
                          int64_t date, const char *json, size_t len) PA_MUSTCHECK;
/* The compiled release of one ocid (at most one per ocid per flush). source is "merged"
 * or "published"; n_releases the number of releases merged (0 when published). `fresh`:
 * the ocid has no compiled release yet (a plain insert; else an upsert). */
int store_batch_compiled(store_batch *b, const char *ocid, const char *json, size_t len,
                         const char *source, int n_releases, int fresh) PA_MUSTCHECK;
/* The procurement row and every normalised row of one mapped ocid (at most one per ocid
 * per flush). Unless `fresh` (the ocid has no rows yet), the flush first deletes the
 * ocid's normalised rows and its 'compile' notes, and upserts the procurement row. Rows
 * whose key repeats within the procurement (two parties, lots, bids, awards or contracts
 * with one id) keep the first occurrence. Mapping notes of p are not added here
 * (add them with store_batch_note, origin "compile"). */
int store_batch_procurement(store_batch *b, const model_procurement *p, int fresh) PA_MUSTCHECK;
/* A data-quality note; origin "read", "compile" or "ingest"; ocid, field may be NULL;
 * file_id 0 = none. */
int store_batch_note(store_batch *b, const char *ocid, int64_t file_id, const char *origin,
                     const char *code, const char *field, const char *message) PA_MUSTCHECK;
/* A rejected record of the file being ingested (ocid and field may be NULL). */
int store_batch_rejected(store_batch *b, uint64_t position, uint64_t line, uint64_t index,
                         const char *ocid, const char *field, const char *message) PA_MUSTCHECK;
/* Writes everything collected (inside the caller's transaction), then empties the batch.
 * file_id is the ingested_files row the releases and rejected records belong to.
 * Errors: ERR_DB, ERR_DB_UNAVAILABLE, ERR_NOMEM. On failure the batch is emptied too. */
int store_batch_flush(store *st, store_batch *b, int64_t file_id, err_t *e) PA_MUSTCHECK;

/* --- ingested_files --- */

typedef struct {
    int found;          /* 1 when a row with this sha256 exists */
    int64_t id;
    char status[16];    /* "ingested" or "rejected" */
    char format[16];
    char name[512];
    char error[512];    /* why it was rejected */
} store_file_info;

/* Looks up a file by content. Errors: ERR_DB, ERR_DB_UNAVAILABLE. */
int store_file_find(store *st, const char *sha256, store_file_info *out, err_t *e) PA_MUSTCHECK;
/* Inserts (or, for a row with this sha256 that was rejected, reuses) the file's row,
 * status 'ingested' (the caller's transaction makes that true or void); *id gets its id. */
int store_file_begin(store *st, const char *name, uint64_t size, const char *sha256,
                     const char *format, int64_t *id, err_t *e) PA_MUSTCHECK;
/* Sets status ('ingested'|'rejected'), format, shape, stats (a JSON object) and error
 * (NULL when none). */
int store_file_finish(store *st, int64_t id, const char *status, const char *format,
                      const char *shape, const char *stats_json, const char *error,
                      err_t *e) PA_MUSTCHECK;
/* Records a file rejected as a whole, in its own statement (outside any ingest
 * transaction): inserts or updates the row by sha256. */
int store_file_reject(store *st, const char *name, uint64_t size, const char *sha256,
                      const char *format, const char *error, err_t *e) PA_MUSTCHECK;

/* --- reading releases back --- */

/* Called per stored release of the asked ocids: kind 'r' with release_id, sha256 and
 * version; kind 'c' (release_id/sha256 NULL) once per ocid that has a compiled release;
 * kind 'p' with sha256 per published compiled release stored.
 * Return 0 to go on or an err_code to stop. */
typedef int (*store_known_cb)(void *ctx, char kind, const char *ocid, const char *release_id,
                              const char *sha256, int version);
int store_releases_known(store *st, const char *const *ocids, size_t n, store_known_cb cb,
                         void *ctx, err_t *e) PA_MUSTCHECK;

/* Called per (ocid, release_id) with the latest version's JSON (len bytes). */
typedef int (*store_loaded_cb)(void *ctx, const char *ocid, const char *release_id,
                               const char *json, size_t len);
int store_releases_load(store *st, const char *const *ocids, size_t n, store_loaded_cb cb,
                        void *ctx, err_t *e) PA_MUSTCHECK;
/* Per ocid, the published compiled release that wins (latest date, then greatest
 * SHA-256): cb(ctx, ocid, sha256 hex, json, len). */
int store_published_load(store *st, const char *const *ocids, size_t n, store_loaded_cb cb,
                         void *ctx, err_t *e) PA_MUSTCHECK;

#endif
