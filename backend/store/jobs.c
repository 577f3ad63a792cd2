/* jobs.c - the job queue: enqueue, claim with SKIP LOCKED, finish in the work's
 * transaction, fail with backoff, hand back the jobs of dead sessions, LISTEN/NOTIFY. */
#include "store/jobs.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

static const char *const job_kind_names[] = {"ingest", "score", "render"};

void store_job_dispose(store_job *j)
{
    if (!j)
        return;
    free(j->ocid);
    free(j->set_id);
    free(j->path);
    memset(j, 0, sizeof *j);
}

const char *store_job_kind_name(store_job_kind k)
{
    if ((unsigned)k < 3)
        return job_kind_names[k];
    return "unknown";
}

int store_job_db_error(struct pg_conn *conn, const void *pgresult, const char *what, err_t *e)
{
    const PGresult *r = pgresult;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorMessage(r) : NULL;
    int unavailable = 0;
    char clean[600];
    size_t n;

    if (!msg || !*msg)
        msg = conn ? PQerrorMessage(conn) : "no connection";
    if (!conn || PQstatus(conn) == CONNECTION_BAD)
        unavailable = 1;
    if (state && (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
                  strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0 ||
                  strcmp(state, "53300") == 0))
        unavailable = 1;
    /* A NULL result (not even a PGresult) means libpq lost the server. */
    if (!r && conn && PQstatus(conn) != CONNECTION_OK)
        unavailable = 1;
    snprintf(clean, sizeof clean, "%s", msg);
    n = strlen(clean);
    while (n > 0 && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
        clean[--n] = '\0';
    return err_set(e, unavailable ? ERR_DB_UNAVAILABLE : ERR_DB, "%s: %s", what, clean);
}

/* Runs one parameterised statement and checks the exact expected status. On success
 * *out holds the result (PQclear it); on failure it is cleared and e is set. */
static int job_exec(PGconn *conn, const char *what, const char *sql, int n,
                    const char *const *params, ExecStatusType want, PGresult **out, err_t *e)
{
    PGresult *r;

    *out = NULL;
    if (!conn)
        return err_set(e, ERR_DB_UNAVAILABLE, "%s: no connection", what);
    r = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    if (!r || PQresultStatus(r) != want) {
        int rc = store_job_db_error(conn, r, what, e);
        PQclear(r);
        return rc;
    }
    *out = r;
    return 0;
}

static int job_cmd(PGconn *conn, const char *what, const char *sql, int n, const char *const *params,
                   err_t *e)
{
    PGresult *r = NULL;
    int rc = job_exec(conn, what, sql, n, params, PGRES_COMMAND_OK, &r, e);
    PQclear(r);
    return rc;
}

int store_job_enqueue(struct pg_conn *conn, store_job_kind kind, const char *ocid,
                      const char *set_id, const char *path, err_t *e)
{
    const char *p[4];

    if ((unsigned)kind > STORE_JOB_RENDER)
        return err_set(e, ERR_USAGE, "enqueue: unknown job kind %d", (int)kind);
    if (kind == STORE_JOB_INGEST && (!path || !*path))
        return err_set(e, ERR_USAGE, "enqueue: an ingest job needs a path");
    if (kind != STORE_JOB_INGEST && (!ocid || !*ocid))
        return err_set(e, ERR_USAGE, "enqueue: a %s job needs an ocid", job_kind_names[kind]);
    p[0] = job_kind_names[kind];
    p[1] = kind == STORE_JOB_INGEST ? NULL : ocid;
    p[2] = kind == STORE_JOB_INGEST ? NULL : set_id;
    p[3] = kind == STORE_JOB_INGEST ? path : NULL;
    return job_cmd(conn, "enqueue job",
                   "INSERT INTO jobs (kind, ocid, set_id, path) VALUES ($1, $2, $3, $4) "
                   "ON CONFLICT (kind, coalesce(ocid, ''), coalesce(set_id, ''), coalesce(path, '')) "
                   "WHERE state = 'pending' DO NOTHING",
                   4, p, e);
}

static char *dup_col(const PGresult *r, const char *name)
{
    int c = PQfnumber(r, name);
    if (c < 0 || PQgetisnull(r, 0, c))
        return NULL;
    return strdup(PQgetvalue(r, 0, c));
}

int store_job_claim(struct pg_conn *conn, const char *me, store_job *out, err_t *e)
{
    PGresult *r = NULL;
    const char *p[1] = {me};
    const char *kind;
    int rc;

    memset(out, 0, sizeof *out);
    /* The inner SELECT takes the row lock and skips rows other daemons hold, so two
     * daemons never claim the same job; the UPDATE commits the claim at once. */
    rc = job_exec(conn, "claim job",
                  "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, "
                  "locked_pid = pg_backend_pid(), locked_at = now(), updated_at = now() "
                  "WHERE id = (SELECT id FROM jobs WHERE state = 'pending' AND run_after <= now() "
                  "ORDER BY run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
                  "RETURNING id, kind, ocid, set_id, path, attempts",
                  1, p, PGRES_TUPLES_OK, &r, e);
    if (rc != 0)
        goto cleanup;
    if (PQntuples(r) == 0) {
        rc = ERR_NOT_FOUND;
        err_set(e, rc, "no job ready");
        goto cleanup;
    }
    out->id = strtoll(PQgetvalue(r, 0, PQfnumber(r, "id")), NULL, 10);
    out->attempts = (int)strtol(PQgetvalue(r, 0, PQfnumber(r, "attempts")), NULL, 10);
    kind = PQgetvalue(r, 0, PQfnumber(r, "kind"));
    out->kind = strcmp(kind, "ingest") == 0 ? STORE_JOB_INGEST
              : strcmp(kind, "score") == 0  ? STORE_JOB_SCORE
                                            : STORE_JOB_RENDER;
    out->ocid = dup_col(r, "ocid");
    out->set_id = dup_col(r, "set_id");
    out->path = dup_col(r, "path");
    if ((out->kind != STORE_JOB_INGEST && !out->ocid) || (out->kind == STORE_JOB_INGEST && !out->path)) {
        rc = err_set(e, ERR_NOMEM, "claim job: out of memory");
        store_job_dispose(out);
    }

cleanup:
    PQclear(r);
    return rc;
}

int store_job_begin(struct pg_conn *conn, const store_job *j, const char *me, err_t *e)
{
    char id[32];
    const char *p[2] = {id, me};
    PGresult *r = NULL;
    int rc;

    snprintf(id, sizeof id, "%lld", j->id);
    rc = job_cmd(conn, "begin job", "BEGIN", 0, NULL, e);
    if (rc != 0)
        return rc;
    rc = job_exec(conn, "lock job",
                  "SELECT id FROM jobs WHERE id = $1 AND state = 'running' AND locked_by = $2 "
                  "AND locked_pid = pg_backend_pid() FOR UPDATE",
                  2, p, PGRES_TUPLES_OK, &r, e);
    if (rc == 0 && PQntuples(r) != 1)
        rc = err_set(e, ERR_CONFLICT, "job %lld is no longer ours", j->id);
    PQclear(r);
    if (rc != 0)
        store_job_rollback(conn);
    return rc;
}

int store_job_finish(struct pg_conn *conn, const store_job *j, err_t *e)
{
    char id[32];
    const char *p[1] = {id};
    int rc;

    snprintf(id, sizeof id, "%lld", j->id);
    rc = job_cmd(conn, "finish job",
                 "UPDATE jobs SET state = 'done', finished_at = now(), updated_at = now(), "
                 "last_error = NULL, locked_pid = NULL WHERE id = $1",
                 1, p, e);
    if (rc != 0) {
        store_job_rollback(conn);
        return rc;
    }
    return job_cmd(conn, "commit job", "COMMIT", 0, NULL, e);
}

void store_job_rollback(struct pg_conn *conn)
{
    PGresult *r;

    if (!conn || PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) == PQTRANS_IDLE)
        return;
    r = PQexec(conn, "ROLLBACK");
    PQclear(r);
}

int store_job_fail(struct pg_conn *conn, const store_job *j, const char *me, int max_attempts,
                   int backoff_s, const char *msg, err_t *e)
{
    char id[32], max[16], back[16], text[2001];
    const char *p[5] = {id, max, back, text, me};

    snprintf(id, sizeof id, "%lld", j->id);
    snprintf(max, sizeof max, "%d", max_attempts);
    snprintf(back, sizeof back, "%d", backoff_s);
    snprintf(text, sizeof text, "%s", msg ? msg : "");
    return job_cmd(conn, "fail job",
                   "UPDATE jobs SET state = CASE WHEN attempts >= $2::int THEN 'failed' ELSE 'pending' END, "
                   "run_after = now() + make_interval(secs => $3::int), last_error = $4, "
                   "locked_by = NULL, locked_pid = NULL, updated_at = now(), "
                   "finished_at = CASE WHEN attempts >= $2::int THEN now() END "
                   "WHERE id = $1 AND state = 'running' AND locked_by = $5",
                   5, p, e);
}

int store_job_rescue(struct pg_conn *conn, int max_attempts, long *n_out, err_t *e)
{
    char max[16];
    const char *p[1] = {max};
    PGresult *r = NULL;
    int rc;

    if (n_out)
        *n_out = 0;
    snprintf(max, sizeof max, "%d", max_attempts);
    /* The claimer's backend is gone when no session has its pid, or one has it but
     * started after the claim (pid reused). backend_start is NULL for sessions of other
     * roles without pg_read_all_stats: then the pid match alone counts as alive. A
     * pending job with the same payload may exist already; the unique index would
     * refuse a second one, so such a job is closed as done instead (its work is queued). */
    rc = job_exec(conn, "rescue jobs",
                  "WITH dead AS (SELECT j.id FROM jobs j WHERE j.state = 'running' AND NOT EXISTS "
                  "  (SELECT 1 FROM pg_stat_activity a WHERE a.pid = j.locked_pid "
                  "   AND (a.backend_start IS NULL OR a.backend_start <= j.locked_at)) "
                  "  FOR UPDATE SKIP LOCKED) "
                  "UPDATE jobs j SET "
                  " state = CASE WHEN j.attempts >= $1::int THEN 'failed' "
                  "  WHEN EXISTS (SELECT 1 FROM jobs q WHERE q.state = 'pending' AND q.kind = j.kind "
                  "   AND coalesce(q.ocid, '') = coalesce(j.ocid, '') AND coalesce(q.set_id, '') = coalesce(j.set_id, '') "
                  "   AND coalesce(q.path, '') = coalesce(j.path, '')) THEN 'done' ELSE 'pending' END, "
                  " last_error = 'claimer ' || coalesce(j.locked_by, '?') || ' went away', "
                  " locked_by = NULL, locked_pid = NULL, run_after = now(), updated_at = now() "
                  "FROM dead WHERE j.id = dead.id RETURNING j.id",
                  1, p, PGRES_TUPLES_OK, &r, e);
    if (rc == 0 && n_out)
        *n_out = PQntuples(r);
    PQclear(r);
    return rc;
}

int store_job_listen(struct pg_conn *conn, err_t *e)
{
    return job_cmd(conn, "listen", "LISTEN " STORE_JOB_CHANNEL, 0, NULL, e);
}

int store_job_wait(struct pg_conn *conn, int timeout_ms, err_t *e)
{
    struct pollfd pfd;
    PGnotify *n;
    int got = 0, sock;

    if (!conn || PQstatus(conn) != CONNECTION_OK)
        return err_set(e, ERR_DB_UNAVAILABLE, "wait: connection lost");
    /* Notifications may have arrived with an earlier result. */
    PQconsumeInput(conn);
    while ((n = PQnotifies(conn)) != NULL) {
        PQfreemem(n);
        got = 1;
    }
    if (got)
        return 1;
    sock = PQsocket(conn);
    if (sock < 0)
        return err_set(e, ERR_DB_UNAVAILABLE, "wait: no socket");
    pfd.fd = sock;
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (poll(&pfd, 1, timeout_ms) < 0) {
        if (errno == EINTR)
            return 0;
        return err_set(e, ERR_DB_UNAVAILABLE, "wait: poll: %s", strerror(errno));
    }
    if (pfd.revents == 0)
        return 0;
    if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK)
        return store_job_db_error(conn, NULL, "wait", e);
    while ((n = PQnotifies(conn)) != NULL) {
        PQfreemem(n);
        got = 1;
    }
    return got;
}

int store_job_counts(struct pg_conn *conn, long counts[4], err_t *e)
{
    static const char *const states[] = {"pending", "running", "done", "failed"};
    PGresult *r = NULL;
    int rc;

    for (int i = 0; i < 4; i++)
        counts[i] = 0;
    rc = job_exec(conn, "count jobs", "SELECT state, count(*) AS n FROM jobs GROUP BY state", 0, NULL,
                  PGRES_TUPLES_OK, &r, e);
    if (rc != 0)
        return rc;
    for (int row = 0; row < PQntuples(r); row++) {
        const char *s = PQgetvalue(r, row, PQfnumber(r, "state"));
        for (int i = 0; i < 4; i++)
            if (strcmp(s, states[i]) == 0)
                counts[i] = strtol(PQgetvalue(r, row, PQfnumber(r, "n")), NULL, 10);
    }
    PQclear(r);
    return 0;
}
