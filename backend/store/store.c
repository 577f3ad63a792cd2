/* store.c - the PostgreSQL connection: open, transactions, statements, error classes. */
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#define STORE_MAX_PREPARED 48

struct store {
    PGconn *conn;
    int in_tx;    /* 1 between store_begin and store_commit/store_rollback */
    int pipeline; /* 1 between store_pipeline_begin and store_pipeline_wait */
    int trace;    /* PROCAUDIT_SQL_TRACE set: one line per statement with its time */
    /* Statements prepared on this connection (store_exec_prepared). After a failed
     * pipeline some may not exist: the generation changes and they are prepared again
     * under new names. */
    char prepared[STORE_MAX_PREPARED][64];
    int n_prepared;
    unsigned prep_gen;
};

/* Notices (e.g. "table exists, skipping") are not errors; keep them off stderr. */
static void store_quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Copies a libpq message as one line: no trailing newline, inner line breaks and tabs
 * become spaces, runs of spaces are squeezed. */
static void trim_copy(char *dst, size_t n, const char *src)
{
    size_t len, i, j;

    snprintf(dst, n, "%s", src ? src : "");
    len = strlen(dst);
    while (len > 0 && (dst[len - 1] == '\n' || dst[len - 1] == '\r' || dst[len - 1] == ' '))
        dst[--len] = '\0';
    for (i = 0, j = 0; i < len; i++) {
        char ch = dst[i];
        if (ch == '\n' || ch == '\r' || ch == '\t')
            ch = ' ';
        if (ch == ' ' && j > 0 && dst[j - 1] == ' ')
            continue;
        dst[j++] = ch;
    }
    dst[j] = '\0';
}

int store_open(store **out, const char *conninfo, err_t *e)
{
    store *st = NULL;
    char msg[512];
    int rc = ERR_OK;

    *out = NULL;
    st = calloc(1, sizeof *st);
    if (!st)
        return err_set(e, ERR_NOMEM, "store: out of memory");
    st->conn = PQconnectdb(conninfo ? conninfo : "");
    if (!st->conn) {
        rc = err_set(e, ERR_NOMEM, "store: out of memory creating the connection");
        goto cleanup;
    }
    if (PQstatus(st->conn) != CONNECTION_OK) {
        trim_copy(msg, sizeof msg, PQerrorMessage(st->conn));
        rc = err_set(e, ERR_DB_UNAVAILABLE, "database unavailable: %s", msg);
        goto cleanup;
    }
    PQsetNoticeProcessor(st->conn, store_quiet_notice, NULL);
    st->trace = getenv("PROCAUDIT_SQL_TRACE") != NULL;
    if (PQsetClientEncoding(st->conn, "UTF8") != 0) {
        trim_copy(msg, sizeof msg, PQerrorMessage(st->conn));
        rc = err_set(e, ERR_DB, "database: cannot set client encoding UTF8: %s", msg);
        goto cleanup;
    }
    *out = st;
    st = NULL;
cleanup:
    store_close(st);
    return rc;
}

void store_close(store *st)
{
    if (!st)
        return;
    if (st->conn)
        PQfinish(st->conn);
    free(st);
}

PGconn *store_conn(store *st)
{
    return st->conn;
}

int store_ok(const store *st)
{
    return st && st->conn && PQstatus(st->conn) == CONNECTION_OK;
}

/* SQLSTATE classes that mean "the database is not usable now", not "this statement is
 * wrong": 08 connection exception, 53 insufficient resources, 57P01..57P05 operator
 * intervention (shutdown, crash recovery), 40001/40P01 are NOT here (the caller's
 * transaction is simply rolled back and reported as ERR_DB). */
static int sqlstate_unavailable(const char *state)
{
    if (!state || strlen(state) != 5)
        return 0;
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0)
        return 1;
    if (strncmp(state, "57P", 3) == 0)
        return 1;
    return 0;
}

int store_result_error(store *st, const PGresult *res, const char *what, err_t *e)
{
    char msg[700];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    int code;

    if (res && PQresultErrorMessage(res)[0])
        trim_copy(msg, sizeof msg, PQresultErrorMessage(res));
    else
        trim_copy(msg, sizeof msg, PQerrorMessage(st->conn));
    if (!msg[0])
        snprintf(msg, sizeof msg, "unexpected result status");

    code = (PQstatus(st->conn) != CONNECTION_OK || sqlstate_unavailable(state)) ? ERR_DB_UNAVAILABLE
                                                                              : ERR_DB;
    return err_set(e, code, "%s: %s%s%s%s", what ? what : "database", msg, state ? " [" : "",
                   state ? state : "", state ? "]" : "");
}

/* A short label for messages: the statement's first line, cut at 60 bytes. */
static void sql_label(char *dst, size_t n, const char *sql)
{
    size_t i = 0;

    while (*sql == ' ' || *sql == '\n')
        sql++;
    while (sql[i] && sql[i] != '\n' && i + 1 < n && i < 60) {
        dst[i] = sql[i];
        i++;
    }
    dst[i] = '\0';
}

int store_exec_bin(store *st, PGresult **out, ExecStatusType expect, const char *sql, int n,
                   const Oid *types, const char *const *values, const int *lengths,
                   const int *formats, err_t *e)
{
    PGresult *res;
    char label[64];

    struct timespec t0, t1;

    if (out)
        *out = NULL;
    if (st->pipeline) {
        /* A statement needs the results of what was queued before it. */
        int rc = store_pipeline_wait(st, e);
        if (rc)
            return rc;
    }
    if (st->trace)
        clock_gettime(CLOCK_MONOTONIC, &t0);
    res = PQexecParams(st->conn, sql, n, types, values, lengths, formats, 0);
    if (st->trace) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        sql_label(label, sizeof label, sql);
        fprintf(stderr, "sql %.6f %s\n",
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, label);
    }
    if (!res || PQresultStatus(res) != expect) {
        int rc;
        sql_label(label, sizeof label, sql);
        rc = store_result_error(st, res, label, e);
        PQclear(res);
        return rc;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return ERR_OK;
}

int store_exec(store *st, PGresult **out, ExecStatusType expect, const char *sql, int n,
               const char *const *values, err_t *e)
{
    return store_exec_bin(st, out, expect, sql, n, NULL, values, NULL, NULL, e);
}

int store_begin(store *st, err_t *e)
{
    int rc;

    if (st->in_tx)
        return err_set(e, ERR_DB, "store_begin: a transaction is already open");
    rc = store_exec(st, NULL, PGRES_COMMAND_OK, "BEGIN", 0, NULL, e);
    if (rc == 0)
        st->in_tx = 1;
    return rc;
}

int store_commit(store *st, err_t *e)
{
    PGresult *res;
    int rc = ERR_OK;

    if (st->pipeline) {
        rc = store_pipeline_wait(st, e);
        if (rc)
            return rc;
    }
    if (!st->in_tx)
        return err_set(e, ERR_DB, "store_commit: no transaction is open");
    st->in_tx = 0;
    res = PQexec(st->conn, "COMMIT");
    /* A COMMIT of an aborted transaction answers "ROLLBACK" with COMMAND_OK: catch it. */
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = store_result_error(st, res, "COMMIT", e);
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = err_set(e, ERR_DB, "COMMIT: the transaction had failed and was rolled back");
    PQclear(res);
    return rc;
}

int store_rollback(store *st, err_t *e)
{
    PGresult *res;
    int rc = ERR_OK;

    if (st->pipeline) {
        err_t ignored;
        if (store_pipeline_wait(st, &ignored) != 0) {
            /* the rollback below ends whatever failed */
        }
    }
    if (!st->in_tx)
        return ERR_OK;
    st->in_tx = 0;
    if (PQstatus(st->conn) != CONNECTION_OK)
        return ERR_OK; /* the server rolls back by itself when the session ends */
    res = PQexec(st->conn, "ROLLBACK");
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = store_result_error(st, res, "ROLLBACK", e);
    PQclear(res);
    return rc;
}

/* Savepoint statements: the name is a fixed identifier from our code; check it anyway so
 * that this function cannot become a way to build SQL from input. */
static int savepoint_stmt(store *st, const char *verb, const char *name, err_t *e)
{
    char sql[96];
    size_t i;

    for (i = 0; name[i]; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '_') || i > 40)
            return err_set(e, ERR_USAGE, "store: bad savepoint name");
    if (snprintf(sql, sizeof sql, "%s %s", verb, name) >= (int)sizeof sql)
        return err_set(e, ERR_LIMIT, "store: savepoint statement too long");
    return store_exec(st, NULL, PGRES_COMMAND_OK, sql, 0, NULL, e);
}

int store_savepoint(store *st, const char *name, err_t *e)
{
    return savepoint_stmt(st, "SAVEPOINT", name, e);
}

int store_rollback_to(store *st, const char *name, err_t *e)
{
    return savepoint_stmt(st, "ROLLBACK TO SAVEPOINT", name, e);
}

int store_release(store *st, const char *name, err_t *e)
{
    return savepoint_stmt(st, "RELEASE SAVEPOINT", name, e);
}

int store_pipeline_begin(store *st, err_t *e)
{
    if (st->pipeline)
        return ERR_OK;
    if (PQenterPipelineMode(st->conn) != 1)
        return store_result_error(st, NULL, "entering pipeline mode", e);
    /* Non-blocking: queued statements wait in libpq's output buffer and go out as the
     * server reads them (store_pipeline_poll), instead of blocking the caller until the
     * server has processed the statements before them. */
    if (PQsetnonblocking(st->conn, 1) != 0) {
        PQexitPipelineMode(st->conn);
        return store_result_error(st, NULL, "non-blocking mode", e);
    }
    st->pipeline = 1;
    return ERR_OK;
}

void store_pipeline_poll(store *st)
{
    if (!st->pipeline)
        return;
    /* Failures show up in store_pipeline_wait. */
    if (PQflush(st->conn) >= 0)
        PQconsumeInput(st->conn);
}

int store_pipeline_send(store *st, const char *sql, int n, const Oid *types,
                        const char *const *values, const int *lengths, const int *formats,
                        err_t *e)
{
    char label[64];

    if (!st->pipeline)
        return store_exec_bin(st, NULL, PGRES_COMMAND_OK, sql, n, types, values, lengths,
                              formats, e);
    if (PQsendQueryParams(st->conn, sql, n, types, values, lengths, formats, 0) != 1) {
        sql_label(label, sizeof label, sql);
        return store_result_error(st, NULL, label, e);
    }
    return ERR_OK;
}

int store_pipeline_wait(store *st, err_t *e)
{
    int rc = ERR_OK, nulls = 0;
    PGresult *res;
    struct timespec t0, t1;

    if (!st->pipeline)
        return ERR_OK;
    if (st->trace)
        clock_gettime(CLOCK_MONOTONIC, &t0);
    PQsetnonblocking(st->conn, 0);
    if (PQpipelineSync(st->conn) != 1) {
        rc = store_result_error(st, NULL, "pipeline sync", e);
        goto out;
    }
    /* Results come per statement (each followed by NULL), then the sync point. After a
     * failure the server skips the rest (PGRES_PIPELINE_ABORTED) until the sync. */
    for (;;) {
        ExecStatusType status;
        res = PQgetResult(st->conn);
        if (!res) {
            if (PQstatus(st->conn) != CONNECTION_OK || ++nulls > 100000) {
                if (rc == ERR_OK)
                    rc = store_result_error(st, NULL, "pipeline", e);
                break;
            }
            continue;
        }
        nulls = 0;
        status = PQresultStatus(res);
        if (status == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK &&
            status != PGRES_PIPELINE_ABORTED && rc == ERR_OK)
            rc = store_result_error(st, res, "pipelined statement", e);
        PQclear(res);
    }
out:
    if (st->trace) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        fprintf(stderr, "sql %.6f (pipeline wait)\n",
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    }
    if (PQexitPipelineMode(st->conn) == 1 || PQstatus(st->conn) != CONNECTION_OK)
        st->pipeline = 0;
    else if (rc == ERR_OK)
        rc = store_result_error(st, NULL, "leaving pipeline mode", e);
    st->pipeline = 0;
    if (rc) {
        /* Statements queued after the failure were skipped, PREPAREs included. */
        st->prep_gen++;
        st->n_prepared = 0;
    }
    return rc;
}

int store_exec_prepared(store *st, const char *name, const char *sql, int n, const Oid *types,
                        const char *const *values, const int *lengths, const int *formats,
                        err_t *e)
{
    char full[64];
    PGresult *res;
    int i, known = 0, rc;

    if (snprintf(full, sizeof full, "pa_%s_%u", name, st->prep_gen) >= (int)sizeof full)
        return err_set(e, ERR_USAGE, "store: statement name too long");
    for (i = 0; i < st->n_prepared && !known; i++)
        known = strcmp(st->prepared[i], full) == 0;
    if (!known) {
        if (st->n_prepared == STORE_MAX_PREPARED)
            return store_pipeline_send(st, sql, n, types, values, lengths, formats, e);
        if (st->pipeline) {
            if (PQsendPrepare(st->conn, full, sql, n, types) != 1)
                return store_result_error(st, NULL, full, e);
        } else {
            res = PQprepare(st->conn, full, sql, n, types);
            if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
                rc = store_result_error(st, res, full, e);
                PQclear(res);
                return rc;
            }
            PQclear(res);
        }
        snprintf(st->prepared[st->n_prepared++], sizeof st->prepared[0], "%s", full);
    }
    if (st->pipeline) {
        if (PQsendQueryPrepared(st->conn, full, n, values, lengths, formats, 0) != 1)
            return store_result_error(st, NULL, full, e);
        return ERR_OK;
    }
    {
        struct timespec t0, t1;
        if (st->trace)
            clock_gettime(CLOCK_MONOTONIC, &t0);
        res = PQexecPrepared(st->conn, full, n, values, lengths, formats, 0);
        if (st->trace) {
            clock_gettime(CLOCK_MONOTONIC, &t1);
            fprintf(stderr, "sql %.6f %s\n",
                    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, full);
        }
    }
    if (!res || (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)) {
        char label[64];
        sql_label(label, sizeof label, sql);
        rc = store_result_error(st, res, label, e);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    return ERR_OK;
}

static void hex_of(const unsigned char *md, unsigned len, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    unsigned i;

    for (i = 0; i < len; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * len] = '\0';
}

void store_sha256_hex(const void *p, size_t n, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;

    if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32) {
        hex[0] = '\0';
        return;
    }
    hex_of(md, len, hex);
}

int store_sha256_file(const char *path, char hex[65], uint64_t *size_out, err_t *e)
{
    FILE *f = NULL;
    EVP_MD_CTX *ctx = NULL;
    unsigned char *chunk = NULL;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    uint64_t size = 0;
    size_t got;
    int rc = ERR_OK;

    hex[0] = '\0';
    f = fopen(path, "rb");
    if (!f) {
        rc = err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    chunk = malloc(1u << 16);
    ctx = EVP_MD_CTX_new();
    if (!chunk || !ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        rc = err_set(e, ERR_NOMEM, "%s: cannot start SHA-256", path);
        goto cleanup;
    }
    while ((got = fread(chunk, 1, 1u << 16, f)) > 0) {
        size += got;
        if (EVP_DigestUpdate(ctx, chunk, got) != 1) {
            rc = err_set(e, ERR_GENERIC, "%s: SHA-256 failed", path);
            goto cleanup;
        }
    }
    if (ferror(f)) {
        rc = err_set(e, ERR_IO, "%s: read error", path);
        goto cleanup;
    }
    if (EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != 32) {
        rc = err_set(e, ERR_GENERIC, "%s: SHA-256 failed", path);
        goto cleanup;
    }
    hex_of(md, len, hex);
    if (size_out)
        *size_out = size;
cleanup:
    EVP_MD_CTX_free(ctx);
    free(chunk);
    if (f)
        fclose(f);
    return rc;
}
