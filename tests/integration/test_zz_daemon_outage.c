/* test_zz_daemon_outage.c - the database stops for 20 s in the middle of the work
 * (scripts/pg.sh stop / start): the daemon survives, logs "unhealthy" once, carries on
 * when the database is back, and ends with the counts of a clean run.
 *
 * It stops the private cluster every other integration test uses, so it is named to
 * sort last (check.sh runs the binaries in name order) and always starts the cluster
 * again, also when an assertion fails. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dtest.h"

#define N_PROC 300
#define OUTAGE_S 20

static dtest_env env;
static pid_t daemon_pid;
static char bigfile[300];

static int setup(void **state)
{
    (void)state;
    snprintf(bigfile, sizeof bigfile, "/tmp/pa-dtest-outage-%ld.json", (long)getpid());
    if (dtest_gen_ocds(bigfile, "outage", N_PROC) != 0)
        return -1;
    return dtest_setup(&env, "pa_test_daemon_outage", NULL, "job_kinds = ingest, score\n");
}

static int teardown(void **state)
{
    (void)state;
    /* Whatever happened: the cluster is up again for whoever runs next. */
    dtest_sh("'%s/scripts/pg.sh' start >/dev/null 2>&1", dtest_root());
    if (daemon_pid > 0)
        dtest_stop(daemon_pid, SIGKILL, 10);
    unlink(bigfile);
    dtest_teardown(&env);
    return 0;
}

static long log_lines(const char *log, const char *needle)
{
    FILE *f = fopen(log, "r");
    char line[4096];
    long n = 0;

    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, needle))
            n++;
    fclose(f);
    return n;
}

static void test_daemon_survives_a_database_outage(void **state)
{
    double t0;
    long evals_before;
    (void)state;

    if (!dtest_can_score())
        skip();
    snprintf(env.kinds, sizeof env.kinds, "'ingest', 'score'");
    assert_int_equal(dtest_drop(bigfile, env.inbox, "big.json"), 0);
    daemon_pid = dtest_start(&env, NULL);
    /* Stop the database once the scoring is under way. */
    t0 = dtest_now();
    while (dtest_count(&env, "SELECT count(*) FROM evaluations") < 20 && dtest_now() - t0 < 60)
        usleep(20000);
    evals_before = dtest_count(&env, "SELECT count(*) FROM evaluations");
    assert_true(evals_before >= 20);
    assert_true(evals_before < N_PROC); /* still work left */
    assert_int_equal(dtest_sh("'%s/scripts/pg.sh' stop", dtest_root()), 0);
    sleep(OUTAGE_S);
    /* Still alive after 20 s without a database, and it said so, once. */
    assert_int_equal(kill(daemon_pid, 0), 0);
    assert_int_equal(log_lines(env.log, "WARN [database] unhealthy: "), 1);
    assert_int_equal(dtest_sh("'%s/scripts/pg.sh' start", dtest_root()), 0);
    assert_int_equal(dtest_wait_idle(&env, 120), 0);
    assert_true(dtest_log_has(env.log, "INFO [database] healthy again after "));
    assert_int_equal(dtest_stop(daemon_pid, SIGTERM, 30), 0);
    daemon_pid = 0;

    /* The counts of a clean run (by hand: one procurement per generated release). */
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM procurements"), N_PROC);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM ingested_files WHERE status = 'ingested'"), 1);
    assert_int_equal(dtest_count(&env, "SELECT count(DISTINCT ocid) FROM evaluations"), N_PROC);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE state <> 'done' AND kind = 'score'"), 0);
    /* One report queued per evaluation, for a daemon that renders (this one does not). */
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE state = 'pending' AND kind = 'render'"),
                     N_PROC);
    /* No job done twice, none half-written, the file archived once. */
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM evaluations"),
                     dtest_count(&env, "SELECT count(*) FROM jobs WHERE kind = 'score' AND state = 'done'"));
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM evaluations e WHERE n_results <> "
                                       "(SELECT count(*) FROM results r WHERE r.evaluation_id = e.id)"),
                     0);
    assert_int_equal(dtest_files(env.archive), 1);
    assert_int_equal(dtest_files(env.inbox), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daemon_survives_a_database_outage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
