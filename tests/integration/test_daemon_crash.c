/* test_daemon_crash.c - nothing lost (SPEC §9): kill -9 at 10 random moments during
 * ingest and scoring of a large generated file, restarting each time, ends with the
 * counts of a clean run, no half-written evaluation and no file lost; SIGTERM during an
 * ingest lets it commit and exits 0, and a restart finishes the rest.
 *
 * DTEST_SEED=N replays the same kill moments (the seed is printed). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dtest.h"
#include "store/store.h"

/* 400 procurements: the ingest takes a few tenths of a second and the scoring several
 * seconds, which is enough for kill moments inside each, within the suite's time
 * budget. Rendering is left out here (job_kinds): it is covered by test_daemon_e2e and
 * is idempotent (same file name, tmp + rename). */
#define N_PROC 400
#define PER 10 /* releases per procurement: 4000 releases make the ingest last about a second */
#define EXTRA "job_kinds = ingest, score\njob_max_attempts = 50\n"

typedef struct {
    long procurements, releases, files, evaluated, evaluations, score_done, failed, flags;
} counts;

static void take_counts(const dtest_env *env, counts *c)
{
    c->procurements = dtest_count(env, "SELECT count(*) FROM procurements");
    c->releases = dtest_count(env, "SELECT count(*) FROM releases");
    c->files = dtest_count(env, "SELECT count(*) FROM ingested_files WHERE status = 'ingested'");
    c->evaluated = dtest_count(env, "SELECT count(DISTINCT ocid) FROM evaluations");
    c->evaluations = dtest_count(env, "SELECT count(*) FROM evaluations");
    c->score_done = dtest_count(env, "SELECT count(*) FROM jobs WHERE kind = 'score' AND state = 'done'");
    c->failed = dtest_count(env, "SELECT count(*) FROM jobs WHERE state = 'failed'");
    /* The flags of the latest evaluations: the same data and population give the same
     * results, so this equals the clean run's unless some evaluation went wrong. */
    c->flags = dtest_count(env, "SELECT coalesce(sum(n_flags), 0) FROM (SELECT DISTINCT ON (ocid) n_flags "
                                "FROM evaluations ORDER BY ocid, id DESC) l");
}


static char bigfile[300];

static int setup(void **state)
{
    (void)state;
    snprintf(bigfile, sizeof bigfile, "/tmp/pa-dtest-crash-%ld.json", (long)getpid());
    return dtest_gen_ocds_releases(bigfile, "crash", N_PROC, PER);
}

static int teardown(void **state)
{
    (void)state;
    unlink(bigfile);
    return 0;
}

/* One number from a query on an open connection (cheap enough to poll). */
static long poll_count(store *st, const char *sql)
{
    PGresult *r = NULL;
    err_t e;
    long n = -1;

    if (store_exec(st, &r, PGRES_TUPLES_OK, sql, 0, NULL, &e) == 0)
        n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return n;
}

/* Waits until the daemon `pid` holds big.json in its own claim directory
 * (inbox/.claimed/HOST-PID/): from then on it is ingesting it. */
static void wait_claimed_by(const dtest_env *env, pid_t pid)
{
    char pat[600];
    double t0 = dtest_now();

    snprintf(pat, sizeof pat, "%s/.claimed/*-%ld/big.json", env->inbox, (long)pid);
    while (dtest_now() - t0 < 10 && dtest_files(env->archive) == 0) {
        glob_t g;
        int found = glob(pat, 0, NULL, &g) == 0 && g.gl_pathc > 0;
        globfree(&g);
        if (found)
            return;
        usleep(500);
    }
}

/* The clean run: one daemon, start to finish. *ingest_s: from the claim of the file to
 * the commit of its ingest (what the ingest-phase kills aim at). */
static void clean_run(counts *c, double *seconds, double *ingest_s)
{
    dtest_env env;
    pid_t pid;
    double t0, t_claim;

    assert_int_equal(dtest_setup(&env, "pa_test_daemon_clean", NULL, EXTRA), 0);
    snprintf(env.kinds, sizeof env.kinds, "'ingest', 'score'");
    assert_int_equal(dtest_drop(bigfile, env.inbox, "big.json"), 0);
    t0 = dtest_now();
    pid = dtest_start(&env, NULL);
    wait_claimed_by(&env, pid);
    t_claim = dtest_now();
    {
        store *st = dtest_store(&env);
        while (poll_count(st, "SELECT count(*) FROM ingested_files") == 0 && dtest_now() - t0 < 30)
            usleep(1000);
        store_close(st);
    }
    *ingest_s = dtest_now() - t_claim;
    assert_int_equal(dtest_wait_idle(&env, 120), 0);
    *seconds = dtest_now() - t0;
    assert_int_equal(dtest_stop(pid, SIGTERM, 30), 0);
    take_counts(&env, c);
    dtest_teardown(&env);
}

static void test_daemon_survives_kill_9_during_ingest_and_scoring(void **state)
{
    dtest_env env;
    counts clean, crash;
    double t_clean, t_ingest;
    unsigned seed;
    int during_ingest = 0, during_scoring = 0;
    pid_t pid;
    (void)state;

    if (!dtest_can_score())
        skip();
    clean_run(&clean, &t_clean, &t_ingest);
    /* By hand: the generator writes PER releases per procurement, distinct ocids. */
    assert_int_equal(clean.procurements, N_PROC);
    assert_int_equal(clean.releases, N_PROC * PER);
    assert_int_equal(clean.files, 1);
    assert_int_equal(clean.evaluated, N_PROC);
    assert_int_equal(clean.failed, 0);

    seed = getenv("DTEST_SEED") ? (unsigned)strtoul(getenv("DTEST_SEED"), NULL, 10) : (unsigned)time(NULL);
    print_message("kill -9 moments: seed %u, clean run %.1f s, of which ingest %.2f s\n", seed, t_clean,
                  t_ingest);
    srand(seed);

    assert_int_equal(dtest_setup(&env, "pa_test_daemon_crash", NULL, EXTRA), 0);
    snprintf(env.kinds, sizeof env.kinds, "'ingest', 'score'");
    assert_int_equal(dtest_drop(bigfile, env.inbox, "big.json"), 0);
    for (int k = 0; k < 10; k++) {
        long evals = dtest_count(&env, "SELECT count(*) FROM evaluations");
        double at;
        pid = dtest_start(&env, NULL);
        if (k < 4 && dtest_count(&env, "SELECT count(*) FROM ingested_files") == 0) {
            /* During the ingest: once this daemon has taken the file and its session
             * has a transaction open, within the first 30% of the time the clean run's
             * ingest took (so the kill lands before the commit). */
            store *st = dtest_store(&env);
            double t0 = dtest_now();
            wait_claimed_by(&env, pid);
            while (poll_count(st, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL") == 0 &&
                   dtest_now() - t0 < 10)
                usleep(500);
            store_close(st);
            at = 0.3 * t_ingest * ((double)rand() / RAND_MAX);
        } else {
            /* During the scoring: after this daemon has stored a random number of
             * evaluations (1..N_PROC/12, so six such kills never exhaust the work
             * whatever the machine's speed), plus 0..20 ms to land anywhere in a job. */
            store *st = dtest_store(&env);
            long want = evals + 1 + rand() % (N_PROC / 12);
            double t0 = dtest_now();
            while (poll_count(st, "SELECT count(*) FROM evaluations") < want && dtest_now() - t0 < 30)
                usleep(1000);
            store_close(st);
            at = 0.02 * ((double)rand() / RAND_MAX);
        }
        usleep((useconds_t)(at * 1e6));
        kill(pid, SIGKILL);
        assert_int_equal(dtest_stop(pid, 0, 10), 128 + SIGKILL);
        if (dtest_count(&env, "SELECT count(*) FROM ingested_files") == 0)
            during_ingest++;
        else if (dtest_count(&env, "SELECT count(*) FROM jobs WHERE kind = 'score' AND state <> 'done'") > 0)
            during_scoring++;
        /* The file is never lost: it is in the inbox (a claim directory) or archived. */
        assert_int_equal(dtest_sh("test $(find '%s' '%s' -name big.json | wc -l) = 1", env.inbox, env.archive), 0);
    }
    print_message("killed %d times before the ingest committed, %d times during scoring\n", during_ingest,
                  during_scoring);
    pid = dtest_start(&env, NULL);
    assert_int_equal(dtest_wait_idle(&env, 120), 0);
    assert_int_equal(dtest_stop(pid, SIGTERM, 30), 0);
    take_counts(&env, &crash);

    assert_int_equal(crash.procurements, clean.procurements);
    assert_int_equal(crash.releases, clean.releases);
    assert_int_equal(crash.files, clean.files);
    assert_int_equal(crash.evaluated, clean.evaluated);
    assert_int_equal(crash.failed, 0);
    assert_int_equal(crash.flags, clean.flags);
    /* The kills did land in both phases. */
    assert_true(during_ingest >= 2);
    assert_true(during_scoring >= 4);
    /* No job done twice: one evaluation per done score job (one criteria set). */
    assert_int_equal(crash.evaluations, crash.score_done);
    /* No half-written evaluation. */
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM evaluations e WHERE n_results <> "
                                       "(SELECT count(*) FROM results r WHERE r.evaluation_id = e.id)"),
                     0);
    /* The file: archived once, nothing left in the inbox or in claim directories. */
    assert_int_equal(dtest_files(env.archive), 1);
    assert_int_equal(dtest_files(env.rejected), 0);
    assert_int_equal(dtest_sh("test $(find '%s' -type f ! -name .lock | wc -l) = 0", env.inbox), 0);
    dtest_teardown(&env);
}

static void test_daemon_sigterm_during_ingest_commits_and_exits_0(void **state)
{
    dtest_env env;
    pid_t pid;
    char big2[320];
    double t0;
    long before;
    (void)state;

    /* 3000 releases: an ingest of about 2 s, so SIGTERM lands inside it. This daemon
     * only ingests (job_kinds), so the test measures the ingest, not the scoring. */
    snprintf(big2, sizeof big2, "%s.3k.json", bigfile);
    assert_int_equal(dtest_gen_ocds(big2, "term", 3000), 0);
    assert_int_equal(dtest_setup(&env, "pa_test_daemon_term", NULL, "job_kinds = ingest\n"), 0);
    snprintf(env.kinds, sizeof env.kinds, "'ingest'");
    pid = dtest_start(&env, NULL);
    usleep(400000);
    assert_int_equal(dtest_drop(big2, env.inbox, "big.json"), 0);
    /* Wait for the claim (the file leaves the inbox proper), then ask it to stop. */
    t0 = dtest_now();
    while (dtest_files(env.inbox) != 0 && dtest_now() - t0 < 10)
        usleep(5000);
    usleep(200000);
    before = dtest_count(&env, "SELECT count(*) FROM ingested_files");
    kill(pid, SIGTERM);
    /* A second file arrives while it is stopping: it must wait for the restart. */
    assert_int_equal(dtest_drop(bigfile, env.inbox, "later.json"), 0);
    assert_int_equal(dtest_stop(pid, 0, 60), 0);
    if (before != 0)
        print_message("the ingest had committed before SIGTERM (machine too fast for 3000 releases)\n");
    /* The unit of work (the whole file) finished and committed before the exit. */
    assert_true(dtest_log_has(env.log, "[big.json] ingested (ocds): 3000 releases new"));
    assert_true(dtest_log_has(env.log, "stopped (exit 0)"));
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM procurements"), 3000);
    assert_int_equal(dtest_files(env.archive), 1);
    assert_int_equal(dtest_files(env.inbox), 1); /* later.json, untouched */
    /* The restart finishes: later.json goes in; every procurement (3000 + N_PROC) has its
     * score job queued for a daemon that scores. */
    pid = dtest_start(&env, NULL);
    assert_int_equal(dtest_wait_idle(&env, 60), 0);
    assert_int_equal(dtest_stop(pid, SIGTERM, 30), 0);
    assert_int_equal(dtest_files(env.archive), 2);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM procurements"), 3000 + N_PROC);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE kind = 'score' AND state = 'pending'"),
                     3000 + N_PROC);
    unlink(big2);
    dtest_teardown(&env);
}

/* A second SIGTERM does not wait for the unit of work: the ingest under way is rolled
 * back, the file stays claimed, and the next start ingests it. */
static void test_daemon_second_sigterm_exits_at_once(void **state)
{
    dtest_env env;
    store *st;
    pid_t pid;
    double t0;
    (void)state;

    assert_int_equal(dtest_setup(&env, "pa_test_daemon_term2", NULL, "job_kinds = ingest\n"), 0);
    snprintf(env.kinds, sizeof env.kinds, "'ingest'");
    assert_int_equal(dtest_drop(bigfile, env.inbox, "big.json"), 0);
    pid = dtest_start(&env, NULL);
    /* Once the ingest transaction is open... */
    wait_claimed_by(&env, pid);
    st = dtest_store(&env);
    t0 = dtest_now();
    while (poll_count(st, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                          "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL") == 0 &&
           dtest_now() - t0 < 10)
        usleep(500);
    store_close(st);
    /* ...two SIGTERMs: out at once with status 1, nothing committed. */
    kill(pid, SIGTERM);
    usleep(20000);
    kill(pid, SIGTERM);
    t0 = dtest_now();
    assert_int_equal(dtest_stop(pid, 0, 10), 1);
    assert_true(dtest_now() - t0 < 1.0);
    if (dtest_count(&env, "SELECT count(*) FROM ingested_files") != 0)
        print_message("the ingest had committed before the second SIGTERM (machine too fast)\n");
    else
        assert_int_equal(dtest_sh("test -n \"$(find '%s/.claimed' -name big.json)\"", env.inbox), 0);
    /* The next start finds the file and ingests it. */
    pid = dtest_start(&env, NULL);
    assert_int_equal(dtest_wait_idle(&env, 60), 0);
    assert_int_equal(dtest_stop(pid, SIGTERM, 30), 0);
    assert_int_equal(dtest_files(env.archive), 1);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM procurements"), N_PROC);
    dtest_teardown(&env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daemon_survives_kill_9_during_ingest_and_scoring),
        cmocka_unit_test(test_daemon_sigterm_during_ingest_commits_and_exits_0),
        cmocka_unit_test(test_daemon_second_sigterm_exits_at_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
