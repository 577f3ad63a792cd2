/* test_daemon_jobs.c - the jobs table on a real PostgreSQL: enqueue once, the ingest
 * trigger, exclusive claims under concurrency, finish in the work's transaction, fail
 * with backoff, and hand-back of jobs whose claimer died. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dtest.h"
#include "store/jobs.h"
#include "store/store.h"

static dtest_env env;

static int setup(void **state)
{
    (void)state;
    return dtest_setup(&env, "pa_test_daemon_jobs", NULL, NULL);
}

static int teardown(void **state)
{
    (void)state;
    dtest_teardown(&env);
    return 0;
}

static void exec_ok(store *st, const char *sql)
{
    err_t e;
    if (store_exec(st, NULL, PGRES_COMMAND_OK, sql, 0, NULL, &e) != 0)
        fail_msg("%s: %s", sql, e.msg);
}

static void test_store_job_enqueue_is_once_per_pending_payload(void **state)
{
    store *st = dtest_store(&env);
    err_t e;
    (void)state;
    exec_ok(st, "TRUNCATE jobs");
    assert_int_equal(store_job_enqueue(st, STORE_JOB_SCORE, "ocds-a", NULL, NULL, &e), 0);
    assert_int_equal(store_job_enqueue(st, STORE_JOB_SCORE, "ocds-a", NULL, NULL, &e), 0);
    assert_int_equal(store_job_enqueue(st, STORE_JOB_RENDER, "ocds-a", "set1", NULL, &e), 0);
    assert_int_equal(store_job_enqueue(st, STORE_JOB_RENDER, "ocds-a", "set2", NULL, &e), 0);
    assert_int_equal(store_job_enqueue(st, STORE_JOB_RENDER, "ocds-a", NULL, NULL, &e), 0);
    /* score a (once) + render a/set1 + a/set2 + a/(all) = 4 */
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs"), 4);
    assert_int_equal(store_job_enqueue(st, STORE_JOB_SCORE, NULL, NULL, NULL, &e), ERR_USAGE);
    assert_int_equal(store_job_enqueue(st, STORE_JOB_INGEST, NULL, NULL, NULL, &e), ERR_USAGE);
    store_close(st);
}

static void test_store_job_ingest_trigger_enqueues_scoring_in_the_same_transaction(void **state)
{
    store *st = dtest_store(&env);
    err_t e;
    (void)state;
    exec_ok(st, "TRUNCATE jobs");
    exec_ok(st, "DELETE FROM procurements WHERE ocid LIKE 'ocds-trg-%'");
    exec_ok(st, "TRUNCATE jobs");
    /* A rolled-back insert leaves no job. */
    assert_int_equal(store_begin(st, &e), 0);
    exec_ok(st, "INSERT INTO procurements (ocid) VALUES ('ocds-trg-0')");
    assert_int_equal(store_rollback(st, &e), 0);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs"), 0);
    /* Three procurements in one statement, then an update of two of them while their
     * jobs are still pending: 3 jobs, not 5. */
    exec_ok(st, "INSERT INTO procurements (ocid) VALUES ('ocds-trg-1'), ('ocds-trg-2'), ('ocds-trg-3')");
    exec_ok(st, "UPDATE procurements SET title = 't' WHERE ocid IN ('ocds-trg-1', 'ocds-trg-2')");
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE kind = 'score' AND state = 'pending' "
                                       "AND set_id IS NULL AND ocid LIKE 'ocds-trg-%'"),
                     3);
    store_close(st);
}

static void test_store_job_claim_finish_and_fail_with_backoff(void **state)
{
    store *st = dtest_store(&env);
    store_job j;
    err_t e;
    (void)state;
    exec_ok(st, "TRUNCATE jobs");
    assert_int_equal(store_job_enqueue(st, STORE_JOB_SCORE, "ocds-1", NULL, NULL, &e), 0);
    assert_int_equal(store_job_enqueue(st, STORE_JOB_SCORE, "ocds-2", NULL, NULL, &e), 0);
    assert_int_equal(store_job_claim(st, "me", STORE_JOB_ALL_KINDS, &j, &e), 0);
    assert_string_equal(j.ocid, "ocds-1"); /* oldest first */
    assert_int_equal(j.attempts, 1);
    assert_int_equal(j.kind, STORE_JOB_SCORE);
    assert_null(j.set_id);
    /* Work + done in one transaction; a rollback would leave it running. */
    assert_int_equal(store_job_begin(st, &j, "me", &e), 0);
    exec_ok(st, "CREATE TEMP TABLE work_done (id int)");
    exec_ok(st, "INSERT INTO work_done VALUES (1)");
    assert_int_equal(store_job_finish(st, &j, "made", &e), 0);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE ocid = 'ocds-1' AND state = 'done' "
                                       "AND finished_at IS NOT NULL AND result = 'made'"),
                     1);
    store_job_dispose(&j);

    /* A daemon that cannot render never claims a render job. */
    assert_int_equal(store_job_enqueue(st, STORE_JOB_RENDER, "ocds-0", "s", NULL, &e), 0);
    assert_int_equal(store_job_claim(st, "me", STORE_JOB_KIND_BIT(STORE_JOB_INGEST), &j, &e), ERR_NOT_FOUND);
    exec_ok(st, "DELETE FROM jobs WHERE kind = 'render'");

    /* ocds-2 fails: with max 2 attempts and a 60 s backoff it is pending but not ready. */
    assert_int_equal(store_job_claim(st, "me", STORE_JOB_ALL_KINDS, &j, &e), 0);
    assert_string_equal(j.ocid, "ocds-2");
    assert_int_equal(store_job_fail(st, &j, "me", 2, 60, "boom", &e), 0);
    store_job_dispose(&j);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE ocid = 'ocds-2' AND state = 'pending' "
                                       "AND last_error = 'boom' AND run_after > now() + interval '50 s'"),
                     1);
    assert_int_equal(store_job_claim(st, "me", STORE_JOB_ALL_KINDS, &j, &e), ERR_NOT_FOUND);
    /* Second attempt fails too: 2 >= 2, so failed for good. */
    exec_ok(st, "UPDATE jobs SET run_after = now() WHERE ocid = 'ocds-2'");
    assert_int_equal(store_job_claim(st, "me", STORE_JOB_ALL_KINDS, &j, &e), 0);
    assert_int_equal(j.attempts, 2);
    /* Another daemon cannot fail or begin a job it does not hold. */
    assert_int_equal(store_job_begin(st, &j, "other", &e), ERR_CONFLICT);
    assert_int_equal(store_job_fail(st, &j, "me", 2, 0, "boom again", &e), 0);
    store_job_dispose(&j);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE state = 'failed' AND attempts = 2"), 1);
    store_close(st);
}

static void test_store_job_rescue_hands_back_jobs_of_a_dead_session(void **state)
{
    store *a = dtest_store(&env), *b = dtest_store(&env);
    store_job j;
    long n = -1;
    err_t e;
    (void)state;
    exec_ok(b, "TRUNCATE jobs");
    assert_int_equal(store_job_enqueue(b, STORE_JOB_RENDER, "ocds-r", "s", NULL, &e), 0);
    assert_int_equal(store_job_claim(a, "daemon-a", STORE_JOB_ALL_KINDS, &j, &e), 0);
    /* A is alive: nothing to hand back. */
    assert_int_equal(store_job_rescue(b, 5, &n, &e), 0);
    assert_int_equal(n, 0);
    /* A's session ends (as on kill -9 or a database restart). */
    store_close(a);
    a = NULL;
    usleep(200000);
    assert_int_equal(store_job_rescue(b, 5, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE state = 'pending' AND attempts = 1 "
                                       "AND locked_by IS NULL AND last_error LIKE 'claimer daemon-a %'"),
                     1);
    store_job_dispose(&j);
    /* Claimed again by B and B dies too; with max_attempts 2 the job is failed now. */
    {
        store *c = dtest_store(&env);
        assert_int_equal(store_job_claim(c, "daemon-c", STORE_JOB_ALL_KINDS, &j, &e), 0);
        assert_int_equal(j.attempts, 2);
        store_close(c);
        store_job_dispose(&j);
    }
    usleep(200000);
    assert_int_equal(store_job_rescue(b, 2, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE state = 'failed'"), 1);
    store_close(b);
}

/* Four processes claim from 200 jobs at once; each job's "work" inserts its id into a
 * log table in the job's transaction. Exactly-once means 200 log rows, 200 distinct. */
static void test_store_job_concurrent_claims_do_each_job_once(void **state)
{
    store *st = dtest_store(&env);
    err_t e;
    pid_t kids[4];
    (void)state;
    exec_ok(st, "TRUNCATE jobs");
    exec_ok(st, "DROP TABLE IF EXISTS job_log");
    exec_ok(st, "CREATE TABLE job_log (job_id bigint, worker int)");
    exec_ok(st, "INSERT INTO jobs (kind, ocid) SELECT 'score', 'ocds-c-' || g FROM generate_series(1, 200) g");
    store_close(st);
    for (int k = 0; k < 4; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            store *s = dtest_store(&env);
            store_job j;
            char me[16], id[32], w[8];
            int rc;
            snprintf(me, sizeof me, "w%d", k);
            snprintf(w, sizeof w, "%d", k);
            while ((rc = store_job_claim(s, me, STORE_JOB_ALL_KINDS, &j, &e)) == 0) {
                const char *p[2] = {id, w};
                snprintf(id, sizeof id, "%lld", j.id);
                if (store_job_begin(s, &j, me, &e) != 0 ||
                    store_exec(s, NULL, PGRES_COMMAND_OK, "INSERT INTO job_log VALUES ($1, $2)", 2, p, &e) != 0 ||
                    store_job_finish(s, &j, NULL, &e) != 0)
                    _exit(2);
                store_job_dispose(&j);
            }
            store_close(s);
            _exit(rc == ERR_NOT_FOUND ? 0 : 1);
        }
    }
    for (int k = 0; k < 4; k++) {
        int status;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM job_log"), 200);
    assert_int_equal(dtest_count(&env, "SELECT count(DISTINCT job_id) FROM job_log"), 200);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE state = 'done' AND attempts = 1"), 200);
}

static void test_store_job_wait_wakes_on_notify(void **state)
{
    store *a = dtest_store(&env), *b = dtest_store(&env);
    err_t e;
    (void)state;
    assert_int_equal(store_job_listen(a, &e), 0);
    assert_int_equal(store_job_wait(a, -1, 50, &e), 0); /* nothing yet: times out */
    assert_int_equal(store_job_enqueue(b, STORE_JOB_SCORE, "ocds-n", NULL, NULL, &e), 0);
    assert_int_equal(store_job_wait(a, -1, 2000, &e), 1);
    /* Another descriptor becoming readable wakes the wait too (2). */
    {
        int pfd[2];
        assert_int_equal(pipe(pfd), 0);
        assert_int_equal(store_job_wait(a, pfd[0], 50, &e), 0);
        assert_int_equal(write(pfd[1], "x", 1), 1);
        assert_int_equal(store_job_wait(a, pfd[0], 2000, &e), 2);
        close(pfd[0]);
        close(pfd[1]);
    }
    store_close(a);
    store_close(b);
}

/* A job fails while a newer job with the same payload waits: the failed one closes (the
 * newer does the work) instead of colliding with it. */
static void test_store_job_fail_defers_to_a_newer_pending_job(void **state)
{
    store *st = dtest_store(&env);
    store_job j;
    err_t e;
    (void)state;
    exec_ok(st, "TRUNCATE jobs");
    assert_int_equal(store_job_enqueue(st, STORE_JOB_SCORE, "ocds-dup", NULL, NULL, &e), 0);
    assert_int_equal(store_job_claim(st, "me", STORE_JOB_ALL_KINDS, &j, &e), 0);
    assert_int_equal(store_job_enqueue(st, STORE_JOB_SCORE, "ocds-dup", NULL, NULL, &e), 0);
    assert_int_equal(store_job_fail(st, &j, "me", 5, 0, "boom", &e), 0);
    store_job_dispose(&j);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE state = 'done' AND last_error = 'boom'"), 1);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE state = 'pending'"), 1);
    store_close(st);
}

static void test_store_job_purge_deletes_old_done_jobs_only(void **state)
{
    store *st = dtest_store(&env);
    long n = -1;
    err_t e;
    (void)state;
    exec_ok(st, "TRUNCATE jobs");
    /* done 2 h ago, done 10 min ago, failed 2 h ago, pending */
    exec_ok(st, "INSERT INTO jobs (kind, ocid, state, finished_at) VALUES "
                "('score', 'a', 'done', now() - interval '2 hours'), "
                "('score', 'b', 'done', now() - interval '10 minutes'), "
                "('score', 'c', 'failed', now() - interval '2 hours'), "
                "('score', 'd', 'pending', NULL)");
    assert_int_equal(store_job_purge(st, 3600, &n, &e), 0);
    assert_int_equal(n, 1); /* only a: done and older than 3600 s */
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs"), 3);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE ocid = 'a'"), 0);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_job_enqueue_is_once_per_pending_payload),
        cmocka_unit_test(test_store_job_ingest_trigger_enqueues_scoring_in_the_same_transaction),
        cmocka_unit_test(test_store_job_claim_finish_and_fail_with_backoff),
        cmocka_unit_test(test_store_job_rescue_hands_back_jobs_of_a_dead_session),
        cmocka_unit_test(test_store_job_concurrent_claims_do_each_job_once),
        cmocka_unit_test(test_store_job_wait_wakes_on_notify),
        cmocka_unit_test(test_store_job_purge_deletes_old_done_jobs_only),
        cmocka_unit_test(test_store_job_fail_defers_to_a_newer_pending_job),
    };
    if (!getenv("PGHOST") && !getenv("PGDATABASE")) {
        fprintf(stderr, "test_daemon_jobs: no PG* environment (run through make check)\n");
        return 0;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
