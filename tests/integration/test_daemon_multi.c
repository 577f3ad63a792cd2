/* test_daemon_multi.c - two daemons on one database and one inbox: every file taken by
 * exactly one of them, no job done twice, both doing work; and one daemon with two
 * worker processes. */
#include <dirent.h>
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

/* Copies up to `max` files of one shared-data folder into the inbox as PREFIX-NAME. */
static long drop_dir(const dtest_env *env, const char *data, const char *sub, const char *prefix, int max)
{
    char dir[1200];
    DIR *d;
    struct dirent *de;
    long n = 0;

    snprintf(dir, sizeof dir, "%s/ocds/%s", data, sub);
    d = opendir(dir);
    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL && n < max) {
        char src[1500], name[300];
        if (de->d_name[0] == '.')
            continue;
        snprintf(src, sizeof src, "%s/%s", dir, de->d_name);
        snprintf(name, sizeof name, "%s-%s", prefix, de->d_name);
        if (dtest_drop(src, env->inbox, name) != 0)
            break;
        n++;
    }
    closedir(d);
    return n;
}

/* How many lines of `log` contain `needle`. */
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

static void test_daemon_two_daemons_share_one_inbox_and_database(void **state)
{
    dtest_env env;
    const char *data = dtest_shared_data();
    char conf_b[300], log_b[300], gen[400];
    pid_t a, b;
    long files = 0, n;
    (void)state;

    if (!data)
        skip();
    /* Daemon A uses env.conf; daemon B the same settings under another name. */
    assert_int_equal(dtest_setup(&env, "pa_test_daemon_multi", NULL, "name = alpha\njob_kinds = ingest, score\n"), 0);
    snprintf(env.kinds, sizeof env.kinds, "'ingest', 'score'");
    snprintf(conf_b, sizeof conf_b, "%s/b.conf", env.root);
    snprintf(log_b, sizeof log_b, "%s/b.log", env.root);
    assert_int_equal(dtest_sh("sed 's/^name = alpha/name = beta/' '%s' > '%s'", env.conf, conf_b), 0);
    a = dtest_start(&env, NULL);
    {
        /* dtest_start runs env.conf: start B from a copy of env pointing at conf_b. */
        dtest_env eb = env;
        snprintf(eb.conf, sizeof eb.conf, "%s", conf_b);
        b = dtest_start(&eb, log_b);
    }
    usleep(300000);
    /* Real files from three publishers, plus two generated packages (300 procurements). */
    n = drop_dir(&env, data, "canada-buyandsell/releases", "ca", 12);
    assert_true(n > 0);
    files += n;
    n = drop_dir(&env, data, "moldova-ppa/releases", "md", 12);
    assert_true(n > 0);
    files += n;
    n = drop_dir(&env, data, "mexico-cdmx-sefin/releases", "mx", 8);
    assert_true(n > 0);
    files += n;
    for (int i = 0; i < 2; i++) {
        char tag[8];
        snprintf(gen, sizeof gen, "%s/.gen%d.src", env.root, i);
        snprintf(tag, sizeof tag, "m%d", i);
        assert_int_equal(dtest_gen_ocds(gen, tag, 150), 0);
        assert_int_equal(dtest_drop(gen, env.inbox, i ? "gen1.json" : "gen0.json"), 0);
        files++;
    }
    assert_int_equal(dtest_wait_idle(&env, 150), 0);
    assert_int_equal(dtest_stop(a, SIGTERM, 30), 0);
    assert_int_equal(dtest_stop(b, SIGTERM, 30), 0);

    /* Every file ended in exactly one place, handled by exactly one daemon: the two logs
     * together hold one outcome line per file. */
    assert_int_equal(dtest_files(env.inbox), 0);
    assert_int_equal(dtest_files(env.archive) + dtest_files(env.rejected), files);
    {
        long outcomes = 0;
        const char *needles[] = {"] ingested (", "] already ingested", "] rejected: "};
        for (int i = 0; i < 3; i++)
            outcomes += log_lines(env.log, needles[i]) + log_lines(log_b, needles[i]);
        assert_int_equal(outcomes, files);
    }
    /* Each ingested file once in ingested_files (identical bytes would be one row). */
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM ingested_files WHERE status = 'ingested'"),
                     dtest_files(env.archive));
    /* Both did work: files and jobs. */
    assert_true(log_lines(env.log, "] done: ") > 0);
    assert_true(log_lines(log_b, "] done: ") > 0);
    if (dtest_can_score()) {
        /* No job done twice: one evaluation per done score job, and no job claimed more
         * than once (attempts = 1 everywhere: nobody crashed, nobody double-claimed). */
        assert_int_equal(dtest_count(&env, "SELECT count(*) FROM evaluations"),
                         dtest_count(&env, "SELECT count(*) FROM jobs WHERE kind = 'score' AND state = 'done'"));
        assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE attempts <> 1 AND state = 'done'"), 0);
        /* Each done job names the daemon that did it: only these two, and both. */
        assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE state = 'done' "
                                           "AND locked_by NOT IN ('alpha', 'beta')"),
                         0);
        assert_int_equal(dtest_count(&env, "SELECT count(DISTINCT locked_by) FROM jobs WHERE state = 'done'"), 2);
        assert_int_equal(dtest_count(&env, "SELECT count(*) FROM procurements p WHERE NOT EXISTS "
                                           "(SELECT 1 FROM evaluations e WHERE e.ocid = p.ocid)"),
                         0);
    }
    dtest_teardown(&env);
}

static void test_daemon_runs_several_workers(void **state)
{
    dtest_env env;
    char gen[400];
    pid_t pid;
    (void)state;

    assert_int_equal(dtest_setup(&env, "pa_test_daemon_workers", NULL, "workers = 2\njob_kinds = ingest, score\n"), 0);
    snprintf(env.kinds, sizeof env.kinds, "'ingest', 'score'");
    pid = dtest_start(&env, NULL);
    for (int i = 0; i < 3; i++) {
        char tag[8], name[32];
        snprintf(gen, sizeof gen, "%s/.w%d.src", env.root, i);
        snprintf(tag, sizeof tag, "w%d", i);
        snprintf(name, sizeof name, "w%d.json", i);
        assert_int_equal(dtest_gen_ocds(gen, tag, 60), 0);
        assert_int_equal(dtest_drop(gen, env.inbox, name), 0);
    }
    assert_int_equal(dtest_wait_idle(&env, 90), 0);
    assert_true(dtest_log_has(env.log, "worker 1 started"));
    assert_true(dtest_log_has(env.log, "worker 2 started"));
    /* SIGHUP to the supervisor reaches every worker. */
    kill(pid, SIGHUP);
    usleep(800000);
    assert_int_equal(log_lines(env.log, "criteria set(s) reloaded from"), 2);
    /* A worker killed is restarted by the supervisor. */
    {
        FILE *f = fopen(env.log, "r");
        char line[1024];
        long w1 = 0;
        while (f && fgets(line, sizeof line, f)) {
            const char *p = strstr(line, "worker 1 started (pid ");
            if (p)
                w1 = strtol(p + strlen("worker 1 started (pid "), NULL, 10);
        }
        if (f)
            fclose(f);
        assert_true(w1 > 0);
        assert_int_equal(kill((pid_t)w1, SIGKILL), 0);
        usleep(2500000); /* retry_backoff_min (1 s) + the supervisor's 1 s tick */
        assert_int_equal(log_lines(env.log, "worker 1 started"), 2);
        assert_true(dtest_log_has(env.log, "(signal 9); restarting in 1 s"));
    }
    assert_int_equal(dtest_stop(pid, SIGTERM, 30), 0);
    assert_int_equal(dtest_files(env.archive), 3);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM procurements"), 3 * 60);
    if (dtest_can_score()) {
        assert_int_equal(dtest_count(&env, "SELECT count(DISTINCT ocid) FROM evaluations"), 3 * 60);
        assert_int_equal(dtest_count(&env, "SELECT count(*) FROM evaluations"),
                         dtest_count(&env, "SELECT count(*) FROM jobs WHERE kind = 'score' AND state = 'done'"));
        /* Both workers did jobs (they are named NAME-w1 and NAME-w2). */
        assert_int_equal(dtest_count(&env, "SELECT count(DISTINCT right(locked_by, 3)) FROM jobs "
                                           "WHERE state = 'done' AND right(locked_by, 3) IN ('-w1', '-w2')"),
                         2);
    }
    dtest_teardown(&env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daemon_two_daemons_share_one_inbox_and_database),
        cmocka_unit_test(test_daemon_runs_several_workers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
