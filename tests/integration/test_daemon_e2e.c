/* test_daemon_e2e.c - procauditd end to end on real files: spool in, archive/rejected
 * out, an evaluation for every procurement, one readable PDF per evaluation; reload
 * keeps the old config on a bad file; a schema mismatch stops the start. */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dtest.h"
#include "store/jobs.h"

/* Real files (under $PROCAUDIT_SHARED/data/ocds) and what must become of them. */
static const struct {
    const char *path;
    int good;      /* 1: archived, 0: rejected */
} inputs[] = {
    {"canada-montreal/releases", 1},          /* every file of these folders */
    {"mexico-inai/releases", 1},
    {"uk-contracts-finder/releases", 1},
    {"paraguay-dncp/records/283826.json", 0}, /* a 0-byte file: rejected */
};

static int drop_inputs(const dtest_env *env, const char *data, long *n_good, long *n_bad)
{
    *n_good = *n_bad = 0;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char p[1200];
        struct stat st;
        snprintf(p, sizeof p, "%s/ocds/%s", data, inputs[i].path);
        if (stat(p, &st) != 0)
            return -1;
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(p);
            struct dirent *de;
            int taken = 0;
            while (d && (de = readdir(d)) != NULL && taken < 6) {
                char src[1500], name[300];
                if (de->d_name[0] == '.')
                    continue;
                snprintf(src, sizeof src, "%s/%s", p, de->d_name);
                snprintf(name, sizeof name, "%zu-%s", i, de->d_name);
                if (dtest_drop(src, env->inbox, name) != 0)
                    return -1;
                taken++;
                (*n_good)++;
            }
            if (d)
                closedir(d);
        } else {
            char name[64];
            snprintf(name, sizeof name, "%zu-file.json", i);
            if (dtest_drop(p, env->inbox, name) != 0)
                return -1;
            if (inputs[i].good)
                (*n_good)++;
            else
                (*n_bad)++;
        }
    }
    /* Not JSON, not XML: rejected with the reason beside it. */
    {
        char p[400];
        FILE *f;
        snprintf(p, sizeof p, "%s/.garbage.tmp", env->root);
        f = fopen(p, "w");
        if (!f)
            return -1;
        fputs("this is not a procurement record\n", f);
        fclose(f);
        if (dtest_drop(p, env->inbox, "garbage.json") != 0)
            return -1;
        (*n_bad)++;
    }
    return 0;
}

/* For every done render job: its PDF's text (pdftotext) contains its ocid. Returns the
 * number of PDFs checked, or -1 at the first that does not. */
static long pdfs_name_their_ocid(const dtest_env *env)
{
    store *st = dtest_store(env);
    PGresult *r = NULL;
    err_t e;
    long ok = 0;

    if (!st || store_exec(st, &r, PGRES_TUPLES_OK,
                          "SELECT DISTINCT ocid, result FROM jobs WHERE kind = 'render' AND state = 'done'",
                          0, NULL, &e) != 0) {
        store_close(st);
        return -1;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        char cmd[2048], line[4096];
        FILE *p;
        int found = 0;
        snprintf(cmd, sizeof cmd, "pdftotext -q '%s' -", PQgetvalue(r, i, 1));
        p = popen(cmd, "r");
        while (p && fgets(line, sizeof line, p))
            if (strstr(line, PQgetvalue(r, i, 0)))
                found = 1;
        if (p)
            pclose(p);
        if (!found) {
            print_error("%s does not name %s\n", PQgetvalue(r, i, 1), PQgetvalue(r, i, 0));
            ok = -1;
            break;
        }
        ok++;
    }
    PQclear(r);
    store_close(st);
    return ok;
}

static void test_daemon_ingests_scores_and_renders_real_files(void **state)
{
    dtest_env env;
    const char *data = dtest_shared_data();
    long n_good, n_bad;
    pid_t pid;
    (void)state;

    if (!data)
        skip();
    assert_int_equal(dtest_setup(&env, "pa_test_daemon_e2e", NULL, NULL), 0);
    assert_int_equal(drop_inputs(&env, data, &n_good, &n_bad), 0);
    assert_true(n_good >= 10);
    /* Two ingest jobs (files outside the spool, e.g. from another tool): a real file,
     * and one that is not a procurement record (failed at once, not retried). */
    {
        store *st = dtest_store(&env);
        char real[1200], bad[400];
        err_t e;
        FILE *f;
        snprintf(real, sizeof real, "%s/ocds/mexico-gacm/releases", data);
        assert_int_equal(dtest_sh("cp \"%s/$(ls '%s' | head -1)\" '%s/job-real.json'", real, real, env.root), 0);
        snprintf(real, sizeof real, "%s/job-real.json", env.root);
        snprintf(bad, sizeof bad, "%s/job-bad.json", env.root);
        f = fopen(bad, "w");
        assert_non_null(f);
        fputs("<<< not json >>>\n", f);
        fclose(f);
        assert_int_equal(store_job_enqueue(st, STORE_JOB_INGEST, NULL, NULL, real, &e), 0);
        assert_int_equal(store_job_enqueue(st, STORE_JOB_INGEST, NULL, NULL, bad, &e), 0);
        store_close(st);
    }
    pid = dtest_start(&env, NULL);
    assert_int_equal(dtest_wait_idle(&env, 120), 0);
    assert_int_equal(dtest_stop(pid, SIGTERM, 30), 0);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE kind = 'ingest' AND state = 'done' "
                                       "AND path LIKE '%/job-real.json'"),
                     1);
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE kind = 'ingest' AND state = 'failed' "
                                       "AND attempts = 1 AND path LIKE '%/job-bad.json'"),
                     1);

    /* Every file is in exactly one place. */
    assert_int_equal(dtest_files(env.inbox), 0);
    assert_int_equal(dtest_files(env.archive), n_good);
    assert_int_equal(dtest_files(env.rejected), n_bad);
    {
        char p[400];
        struct stat st;
        snprintf(p, sizeof p, "%s/garbage.json.error", env.rejected);
        assert_int_equal(stat(p, &st), 0);
        assert_true(st.st_size > 1);
        snprintf(p, sizeof p, "%s/3-file.json.error", env.rejected);
        assert_int_equal(stat(p, &st), 0);
    }
    assert_true(dtest_log_has(env.log, "] ingested (ocds)"));
    assert_true(dtest_log_has(env.log, "[garbage.json] rejected: "));
    assert_true(dtest_log_has(env.log, "stopped (exit 0)"));
    assert_true(dtest_count(&env, "SELECT count(*) FROM procurements") > 0);
    /* Every procurement stored got a score job in the ingest's transaction. */
    assert_int_equal(dtest_count(&env, "SELECT count(*) FROM procurements p WHERE NOT EXISTS "
                                       "(SELECT 1 FROM jobs j WHERE j.kind = 'score' AND j.ocid = p.ocid)"),
                     0);

    if (!dtest_can_score()) {
        print_message("scoring not in this build (crit branch not merged): evaluations not checked\n");
    } else {
        assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE state <> 'done' AND kind = 'score'"), 0);
        assert_int_equal(dtest_count(&env, "SELECT count(*) FROM procurements p WHERE NOT EXISTS "
                                           "(SELECT 1 FROM evaluations e WHERE e.ocid = p.ocid)"),
                         0);
        /* Each evaluation is whole: as many result rows as it says. */
        assert_int_equal(dtest_count(&env, "SELECT count(*) FROM evaluations e WHERE n_results <> "
                                           "(SELECT count(*) FROM results r WHERE r.evaluation_id = e.id)"),
                         0);
    }
    if (!dtest_can_render()) {
        print_message("rendering not in this build (reports branch not merged): PDFs not checked\n");
    } else {
        long pdfs = dtest_files(env.reports);
        long evals = dtest_count(&env, "SELECT count(DISTINCT (ocid, set_id)) FROM evaluations");
        assert_int_equal(pdfs, evals);
        /* Every PDF opens and names its procurement (pdftotext), and every file in the
         * reports directory is the result of one render job. */
        assert_int_equal(pdfs_name_their_ocid(&env), pdfs);
        assert_int_equal(dtest_count(&env, "SELECT count(*) FROM jobs WHERE kind = 'render' AND state <> 'done'"), 0);
    }
    dtest_teardown(&env);
}

/* A stand-in for systemd's notification socket: a child process receives the daemon's
 * sd_notify datagrams and appends each, with a "|", to `out` (draining all the time, as
 * systemd does: the socket queue holds only a few datagrams). Returns the child's pid. */
static pid_t notify_listener(const char *path, const char *out)
{
    struct sockaddr_un a;
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    pid_t pid;

    if (fd < 0 || strlen(path) >= sizeof a.sun_path)
        return -1;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, path, strlen(path) + 1);
    unlink(path);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        char msg[1024];
        ssize_t n;
        while ((n = recv(fd, msg, sizeof msg - 1, 0)) > 0) {
            FILE *f = fopen(out, "a");
            if (f) {
                fwrite(msg, 1, (size_t)n, f);
                fputc('|', f);
                fclose(f);
            }
        }
        _exit(0);
    }
    close(fd);
    return pid;
}

/* The notifications received so far, in buf. */
static void notify_read(const char *out, char *buf, size_t size)
{
    FILE *f = fopen(out, "r");
    size_t n = 0;

    if (f) {
        n = fread(buf, 1, size - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
}

static void test_daemon_reload_keeps_old_config_on_a_bad_file(void **state)
{
    dtest_env env;
    pid_t pid;
    pid_t listener;
    char nsock[400], nlog[400], notes[16384];
    FILE *f;
    char good[4096];
    size_t n;
    const char *data = dtest_shared_data();
    char src[1200];
    (void)state;

    if (!data)
        skip();
    assert_int_equal(dtest_setup(&env, "pa_test_daemon_reload", NULL, NULL), 0);
    f = fopen(env.conf, "r");
    assert_non_null(f);
    n = fread(good, 1, sizeof good - 1, f);
    good[n] = '\0';
    fclose(f);
    snprintf(nsock, sizeof nsock, "%s/notify", env.root);
    snprintf(nlog, sizeof nlog, "%s/notify.log", env.root);
    listener = notify_listener(nsock, nlog);
    assert_true(listener > 0);
    setenv("NOTIFY_SOCKET", nsock, 1);
    pid = dtest_start(&env, NULL);
    unsetenv("NOTIFY_SOCKET");
    usleep(500000);
    notify_read(nlog, notes, sizeof notes);
    assert_non_null(strstr(notes, "READY=1"));
    assert_non_null(strstr(notes, "STATUS=healthy; files 0 ingested, 0 rejected; jobs "));
    /* A bad value on line 1 of an otherwise good file. */
    f = fopen(env.conf, "w");
    fprintf(f, "workers = lots\n%s", good);
    fclose(f);
    kill(pid, SIGHUP);
    usleep(700000);
    assert_true(dtest_log_has(env.log, ":1: workers: \"lots\" is not an integer; keeping the old configuration"));
    /* A criteria set that does not exist: also refused, old sets kept. */
    f = fopen(env.conf, "w");
    fprintf(f, "%s", good);
    fprintf(f, "log_level = debug\n");
    fclose(f);
    {
        /* Replace the criteria line by a missing file. */
        char cmd[600];
        snprintf(cmd, sizeof cmd, "sed -i 's|^criteria = .*|criteria = /nonexistent/set.xml|' '%s'", env.conf);
        assert_int_equal(system(cmd), 0);
    }
    kill(pid, SIGHUP);
    usleep(700000);
    assert_true(dtest_log_has(env.log, "/nonexistent/set.xml"));
    assert_true(dtest_log_has(env.log, "keeping the old configuration and criteria sets"));
    /* Still working with the old configuration: a file dropped now is ingested. */
    snprintf(src, sizeof src, "%s/ocds/mexico-inai/releases", data);
    assert_int_equal(dtest_sh("f=$(ls '%s' | head -1); cp '%s'/\"$f\" '%s/.x.tmp' && mv '%s/.x.tmp' '%s/after-reload.json'",
                              src, src, env.inbox, env.inbox, env.inbox),
                     0);
    assert_int_equal(dtest_wait_idle(&env, 60), 0);
    assert_int_equal(dtest_files(env.archive), 1);
    /* A good file with a restart-only change: applied except that key, with a warning. */
    f = fopen(env.conf, "w");
    fprintf(f, "%s", good);
    fclose(f);
    {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "sed -i 's|^poll_interval = 1|poll_interval = 2\\nworkers = 3|' '%s'", env.conf);
        assert_int_equal(system(cmd), 0);
    }
    kill(pid, SIGHUP);
    usleep(700000);
    assert_true(dtest_log_has(env.log, "changes to workers need a restart; they are ignored until then"));
    assert_true(dtest_log_has(env.log, "criteria set(s) reloaded from"));
    /* A changed criteria set (here: a new version of the same set) re-scores every
     * procurement under it; the evaluations of the old version stay. */
    if (dtest_can_score()) {
        long procs = dtest_count(&env, "SELECT count(*) FROM procurements");
        assert_true(procs > 0);
        assert_int_equal(dtest_count(&env, "SELECT count(*) FROM evaluations"), procs);
        assert_int_equal(dtest_sh("sed 's/version=\"1.0.0\"/version=\"1.0.1-test\"/' "
                                  "'%s/templates/criteria/international-red-flags.xml' > '%s/irf.xml' && "
                                  "cp '%s/templates/criteria/criteria-set.xsd' '%s/' && "
                                  "sed -i 's|^criteria = .*|criteria = %s/irf.xml|' '%s'",
                                  dtest_root(), env.root, dtest_root(), env.root, env.root, env.conf),
                         0);
        kill(pid, SIGHUP);
        usleep(500000);
        assert_int_equal(dtest_wait_idle(&env, 60), 0);
        assert_true(dtest_log_has(env.log, "procurement(s) queued for scoring under this version of the set"));
        assert_int_equal(dtest_count(&env, "SELECT count(*) FROM evaluations WHERE version = '1.0.1-test'"), procs);
        assert_int_equal(dtest_count(&env, "SELECT count(*) FROM evaluations WHERE version = '1.0.0'"), procs);
    }
    assert_int_equal(dtest_stop(pid, SIGTERM, 30), 0);
    /* systemd was told about every reload and the stop. */
    usleep(100000);
    kill(listener, SIGKILL);
    waitpid(listener, NULL, 0);
    notify_read(nlog, notes, sizeof notes);
    assert_non_null(strstr(notes, "RELOADING=1"));
    assert_non_null(strstr(notes, "STATUS=healthy; files 1 ingested, 0 rejected"));
    assert_non_null(strstr(notes, "STOPPING=1"));
    dtest_teardown(&env);
}

static void test_daemon_refuses_an_old_schema_and_names_the_fix(void **state)
{
    dtest_env env;
    pid_t pid;
    (void)state;

    assert_int_equal(dtest_setup(&env, "pa_test_daemon_schema", NULL, NULL), 0);
    /* Un-apply the last migration: the database is now older than the build. */
    assert_int_equal(dtest_sh("psql -X -q -d pa_test_daemon_schema -c \"DELETE FROM schema_migrations "
                              "WHERE version = (SELECT max(version) FROM schema_migrations)\" >/dev/null"),
                     0);
    pid = dtest_start(&env, NULL);
    assert_int_equal(dtest_stop(pid, 0, 30), 3);
    assert_true(dtest_log_has(env.log, "procaudit migrate"));
    dtest_teardown(&env);
}

/* A file renamed into the inbox of an idle daemon is taken at once (inotify), not
 * after the poll interval (60 s here). */
static void test_daemon_takes_a_new_file_at_once(void **state)
{
    dtest_env env;
    const char *data = dtest_shared_data();
    char src[1200];
    pid_t pid;
    double t0;
    (void)state;

    if (!data)
        skip();
    assert_int_equal(dtest_setup(&env, "pa_test_daemon_inotify", NULL, "job_kinds = ingest\n"), 0);
    /* dtest_setup wrote poll_interval = 1: make it 60. */
    assert_int_equal(dtest_sh("sed -i 's/^poll_interval = 1/poll_interval = 60/' '%s'", env.conf), 0);
    pid = dtest_start(&env, NULL);
    usleep(1500000); /* idle, waiting */
    snprintf(src, sizeof src, "%s/ocds/mexico-inai/releases", data);
    assert_int_equal(dtest_sh("f=$(ls '%s' | head -1); cp '%s'/\"$f\" '%s/.n.tmp' && mv '%s/.n.tmp' '%s/new.json'",
                              src, src, env.inbox, env.inbox, env.inbox),
                     0);
    t0 = dtest_now();
    while (dtest_files(env.archive) == 0 && dtest_now() - t0 < 20)
        usleep(20000);
    assert_int_equal(dtest_files(env.archive), 1);
    assert_true(dtest_now() - t0 < 5);
    assert_int_equal(dtest_stop(pid, SIGTERM, 30), 0);
    dtest_teardown(&env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daemon_ingests_scores_and_renders_real_files),
        cmocka_unit_test(test_daemon_reload_keeps_old_config_on_a_bad_file),
        cmocka_unit_test(test_daemon_refuses_an_old_schema_and_names_the_fix),
        cmocka_unit_test(test_daemon_takes_a_new_file_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
