/* jobs.c - the job queue: enqueue, claim with SKIP LOCKED, finish in the work's
 * transaction, fail with backoff, hand back the jobs of dead sessions, LISTEN/NOTIFY. */
#include "store/jobs.h"

#include "store/store.h"

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

/* The store's statement runner with a label for messages. */
static int job_exec(store *st, const char *what, const char *sql, int n, const char *const *params,
                    ExecStatusType want, PGresult **out, err_t *e)
{
    int rc = store_exec(st, out, want, sql, n, params, e);
    if (rc != 0)
        err_prefix(e, "%s: ", what);
    return rc;
}

static int job_cmd(store *st, const char *what, const char *sql, int n, const char *const *params,
                   err_t *e)
{
    return job_exec(st, what, sql, n, params, PGRES_COMMAND_OK, NULL, e);
}

int store_job_enqueue(store *st, store_job_kind kind, const char *ocid,
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
    return job_cmd(st, "enqueue job",
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

int store_job_claim(store *st, const char *me, unsigned kinds, store_job *out, err_t *e)
{
    PGresult *r = NULL;
    char list[40];
    const char *p[2] = {me, list};
    size_t used = 0;
    const char *kind;
    int rc;

    memset(out, 0, sizeof *out);
    /* A text[] literal of fixed names, e.g. {score,render}: not input. */
    list[used++] = '{';
    for (unsigned k = 0; k < 3; k++) {
        if (!(kinds & STORE_JOB_KIND_BIT(k)))
            continue;
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used > 1 ? "," : "", job_kind_names[k]);
    }
    snprintf(list + used, sizeof list - used, "}");
    /* The inner SELECT takes the row lock and skips rows other daemons hold, so two
     * daemons never claim the same job; the UPDATE commits the claim at once. */
    rc = job_exec(st, "claim job",
                  "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, "
                  "locked_pid = pg_backend_pid(), locked_at = now(), updated_at = now() "
                  "WHERE id = (SELECT id FROM jobs WHERE state = 'pending' AND run_after <= now() "
                  "AND kind = ANY ($2::text[]) "
                  "ORDER BY run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
                  "RETURNING id, kind, ocid, set_id, path, attempts",
                  2, p, PGRES_TUPLES_OK, &r, e);
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

int store_job_begin(store *st, const store_job *j, const char *me, err_t *e)
{
    char id[32];
    const char *p[2] = {id, me};
    PGresult *r = NULL;
    int rc;

    snprintf(id, sizeof id, "%lld", j->id);
    rc = store_begin(st, e);
    if (rc != 0)
        return rc;
    rc = job_exec(st, "lock job",
                  "SELECT id FROM jobs WHERE id = $1 AND state = 'running' AND locked_by = $2 "
                  "AND locked_pid = pg_backend_pid() FOR UPDATE",
                  2, p, PGRES_TUPLES_OK, &r, e);
    if (rc == 0 && PQntuples(r) != 1)
        rc = err_set(e, ERR_CONFLICT, "job %lld is no longer ours", j->id);
    PQclear(r);
    if (rc != 0)
        store_job_rollback(st);
    return rc;
}

int store_job_finish(store *st, const store_job *j, const char *result, err_t *e)
{
    char id[32];
    const char *p[2] = {id, result};
    int rc;

    snprintf(id, sizeof id, "%lld", j->id);
    rc = job_cmd(st, "finish job",
                 "UPDATE jobs SET state = 'done', finished_at = now(), updated_at = now(), "
                 "last_error = NULL, locked_pid = NULL, result = $2 WHERE id = $1",
                 2, p, e);
    if (rc != 0) {
        store_job_rollback(st);
        return rc;
    }
    rc = store_commit(st, e);
    if (rc != 0)
        err_prefix(e, "commit job: ");
    return rc;
}

void store_job_rollback(store *st)
{
    err_t scratch;
    if (st)
        store_rollback(st, &scratch);
}

int store_job_fail(store *st, const store_job *j, const char *me, int max_attempts,
                   int backoff_s, const char *msg, err_t *e)
{
    char id[32], max[16], back[16], text[2001];
    const char *p[5] = {id, max, back, text, me};

    snprintf(id, sizeof id, "%lld", j->id);
    snprintf(max, sizeof max, "%d", max_attempts);
    snprintf(back, sizeof back, "%d", backoff_s);
    snprintf(text, sizeof text, "%s", msg ? msg : "");
    return job_cmd(st, "fail job",
                   "UPDATE jobs j SET state = CASE WHEN j.attempts >= $2::int THEN 'failed' "
                   " WHEN EXISTS (SELECT 1 FROM jobs q WHERE q.state = 'pending' AND q.kind = j.kind "
                   "  AND coalesce(q.ocid, '') = coalesce(j.ocid, '') AND coalesce(q.set_id, '') = coalesce(j.set_id, '') "
                   "  AND coalesce(q.path, '') = coalesce(j.path, '')) THEN 'done' ELSE 'pending' END, "
                   "run_after = now() + make_interval(secs => $3::int), last_error = $4, "
                   "locked_by = NULL, locked_pid = NULL, updated_at = now(), "
                   "finished_at = CASE WHEN j.attempts >= $2::int THEN now() END "
                   "WHERE j.id = $1 AND j.state = 'running' AND j.locked_by = $5",
                   5, p, e);
}

int store_job_rescue(store *st, int max_attempts, long *n_out, err_t *e)
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
    rc = job_exec(st, "rescue jobs",
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

int store_job_enqueue_stale(store *st, const char *set_id, const char *sha256, long *n_out, err_t *e)
{
    const char *p[2] = {set_id, sha256};
    PGresult *r = NULL;
    int rc;

    if (n_out)
        *n_out = 0;
    rc = job_exec(st, "enqueue stale",
                  "WITH added AS (INSERT INTO jobs (kind, ocid, set_id) "
                  " SELECT 'score', p.ocid, $1 FROM procurements p "
                  " WHERE NOT EXISTS (SELECT 1 FROM evaluations e "
                  "   WHERE e.ocid = p.ocid AND e.set_id = $1 AND e.sha256 = $2) "
                  " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'score' AND j.ocid = p.ocid "
                  "   AND j.state IN ('pending', 'running') AND (j.set_id IS NULL OR j.set_id = $1)) "
                  " ON CONFLICT (kind, coalesce(ocid, ''), coalesce(set_id, ''), coalesce(path, '')) "
                  " WHERE state = 'pending' DO NOTHING RETURNING 1) "
                  "SELECT count(*) FROM added",
                  2, p, PGRES_TUPLES_OK, &r, e);
    if (rc == 0 && n_out)
        *n_out = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return rc;
}

int store_job_purge(store *st, long older_than_s, long *n_out, err_t *e)
{
    char secs[32];
    const char *p[1] = {secs};
    PGresult *r = NULL;
    int rc;

    if (n_out)
        *n_out = 0;
    snprintf(secs, sizeof secs, "%ld", older_than_s);
    rc = job_exec(st, "purge jobs",
                  "WITH gone AS (DELETE FROM jobs WHERE state = 'done' "
                  "AND finished_at < now() - make_interval(secs => $1::bigint) RETURNING 1) "
                  "SELECT count(*) FROM gone",
                  1, p, PGRES_TUPLES_OK, &r, e);
    if (rc == 0 && n_out)
        *n_out = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return rc;
}

int store_job_listen(store *st, err_t *e)
{
    return job_cmd(st, "listen", "LISTEN " STORE_JOB_CHANNEL, 0, NULL, e);
}

int store_job_wait(store *st, int extra_fd, int timeout_ms, err_t *e)
{
    struct pollfd pfd[2];
    PGnotify *n;
    PGconn *conn;
    int got = 0, sock, nfds = 1;

    if (!store_ok(st))
        return err_set(e, ERR_DB_UNAVAILABLE, "wait: connection lost");
    conn = store_conn(st);
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
    pfd[0].fd = sock;
    pfd[0].events = POLLIN;
    pfd[0].revents = 0;
    if (extra_fd >= 0) {
        pfd[1].fd = extra_fd;
        pfd[1].events = POLLIN;
        pfd[1].revents = 0;
        nfds = 2;
    }
    if (poll(pfd, (nfds_t)nfds, timeout_ms) < 0) {
        if (errno == EINTR)
            return 0;
        return err_set(e, ERR_DB_UNAVAILABLE, "wait: poll: %s", strerror(errno));
    }
    if (pfd[0].revents) {
        if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK)
            return store_result_error(st, NULL, "wait", e);
        while ((n = PQnotifies(conn)) != NULL) {
            PQfreemem(n);
            got = 1;
        }
    }
    if (got)
        return 1;
    return (nfds == 2 && pfd[1].revents) ? 2 : 0;
}

int store_job_counts(store *st, long counts[4], err_t *e)
{
    static const char *const states[] = {"pending", "running", "done", "failed"};
    PGresult *r = NULL;
    int rc;

    for (int i = 0; i < 4; i++)
        counts[i] = 0;
    rc = job_exec(st, "count jobs", "SELECT state, count(*) AS n FROM jobs GROUP BY state", 0, NULL,
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
