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

#endif
