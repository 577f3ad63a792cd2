/* test_daemon_spool.c - the inbox spool: claiming, settle time, takeover of a dead
 * daemon's claims, archive/reject with .error, never overwriting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "spool.h"

typedef struct {
    char root[256], inbox[300], archive[300], rejected[300];
} dirs;

static int setup(void **state)
{
    dirs *d = calloc(1, sizeof *d);
    snprintf(d->root, sizeof d->root, "/tmp/pa-spool-XXXXXX");
    if (!mkdtemp(d->root))
        return -1;
    snprintf(d->inbox, sizeof d->inbox, "%s/inbox", d->root);
    snprintf(d->archive, sizeof d->archive, "%s/archive", d->root);
    snprintf(d->rejected, sizeof d->rejected, "%s/rejected", d->root);
    if (mkdir(d->inbox, 0700) != 0)
        return -1;
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    dirs *d = *state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->root);
    if (system(cmd) != 0)
        return -1;
    free(d);
    return 0;
}

static void put(const char *dir, const char *name, const char *text, int age_s)
{
    char p[600];
    FILE *f;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    if (age_s) {
        struct timeval tv[2];
        gettimeofday(&tv[0], NULL);
        tv[0].tv_sec -= age_s;
        tv[1] = tv[0];
        assert_int_equal(utimes(p, tv), 0);
    }
}

static int exists(const char *dir, const char *name)
{
    char p[600];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

static void test_spool_takes_settled_files_oldest_first_and_skips_hidden(void **state)
{
    dirs *d = *state;
    spool *s = NULL;
    char *path = NULL, *name = NULL;
    err_t e;

    assert_int_equal(spool_open(&s, d->inbox, d->archive, d->rejected, "t1", 5, &e), 0);
    put(d->inbox, "new.json", "{}", 0);        /* 0 s old < settle 5 s: still being written */
    put(d->inbox, "old.json", "{}", 100);      /* oldest */
    put(d->inbox, "mid.xml", "<a/>", 50);
    put(d->inbox, ".hidden.json", "{}", 100);  /* producers write under a dot name */
    put(d->inbox, "up.json.part", "{}", 100);
    assert_int_equal(spool_next(s, &path, &name, &e), 0);
    assert_string_equal(name, "old.json");
    assert_non_null(strstr(path, "/inbox/.claimed/t1/old.json"));
    assert_false(exists(d->inbox, "old.json"));
    assert_int_equal(spool_archive(s, path, name, &e), 0);
    assert_true(exists(d->archive, "old.json"));
    free(path);
    free(name);
    assert_int_equal(spool_next(s, &path, &name, &e), 0);
    assert_string_equal(name, "mid.xml");
    free(path);
    free(name);
    /* mid.xml is still claimed (not archived): a later call hands it out again first. */
    assert_int_equal(spool_next(s, &path, &name, &e), 0);
    assert_string_equal(name, "mid.xml");
    assert_int_equal(spool_reject(s, path, name, "bad input: not XML", &e), 0);
    free(path);
    free(name);
    assert_int_equal(spool_next(s, &path, &name, &e), ERR_NOT_FOUND);
    assert_true(exists(d->inbox, "new.json"));
    assert_true(exists(d->inbox, ".hidden.json"));
    assert_true(exists(d->rejected, "mid.xml"));
    {
        char p[600], line[200];
        FILE *f;
        snprintf(p, sizeof p, "%s/mid.xml.error", d->rejected);
        f = fopen(p, "r");
        assert_non_null(f);
        assert_non_null(fgets(line, sizeof line, f));
        fclose(f);
        assert_string_equal(line, "bad input: not XML\n");
    }
    spool_free(s);
}

static void test_spool_never_overwrites_in_archive(void **state)
{
    dirs *d = *state;
    spool *s = NULL;
    char *path = NULL, *name = NULL;
    err_t e;

    assert_int_equal(spool_open(&s, d->inbox, d->archive, d->rejected, "t1", 0, &e), 0);
    for (int i = 0; i < 3; i++) {
        put(d->inbox, "same.json", i == 0 ? "first" : "again", 0);
        assert_int_equal(spool_next(s, &path, &name, &e), 0);
        assert_int_equal(spool_archive(s, path, name, &e), 0);
        free(path);
        free(name);
    }
    assert_true(exists(d->archive, "same.json"));
    assert_true(exists(d->archive, "same.json.1"));
    assert_true(exists(d->archive, "same.json.2"));
    spool_free(s);
}

static void test_spool_two_daemons_never_take_the_same_file(void **state)
{
    dirs *d = *state;
    spool *a = NULL, *b = NULL;
    char *path = NULL, *name = NULL;
    int got_a = 0, got_b = 0;
    err_t e;

    assert_int_equal(spool_open(&a, d->inbox, d->archive, d->rejected, "A", 0, &e), 0);
    assert_int_equal(spool_open(&b, d->inbox, d->archive, d->rejected, "B", 0, &e), 0);
    /* A second daemon under a live daemon's name is refused. */
    {
        spool *c = NULL;
        assert_int_equal(spool_open(&c, d->inbox, d->archive, d->rejected, "A", 0, &e), ERR_CONFLICT);
        assert_null(c);
    }
    for (int i = 0; i < 10; i++) {
        char n[32];
        snprintf(n, sizeof n, "f%02d.json", i);
        put(d->inbox, n, "{}", 10);
    }
    /* Alternate: each file goes to exactly one of them, 10 in all. */
    for (int i = 0; i < 20; i++) {
        spool *s = (i % 2) ? b : a;
        int rc = spool_next(s, &path, &name, &e);
        if (rc == ERR_NOT_FOUND)
            continue;
        assert_int_equal(rc, 0);
        assert_int_equal(spool_archive(s, path, name, &e), 0);
        if (s == a)
            got_a++;
        else
            got_b++;
        free(path);
        free(name);
    }
    assert_int_equal(got_a, 5);
    assert_int_equal(got_b, 5);
    spool_free(a);
    spool_free(b);
}

static void test_spool_takes_over_a_dead_daemons_claims(void **state)
{
    dirs *d = *state;
    spool *s = NULL;
    char *path = NULL, *name = NULL;
    size_t n = 0;
    pid_t pid;
    int status;
    err_t e;

    put(d->inbox, "x.json", "{}", 20);
    put(d->inbox, "y.json", "{}", 10);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The "dead daemon": claims the oldest file, then dies without cleaning up. */
        spool *c = NULL;
        char *p1, *n1;
        if (spool_open(&c, d->inbox, d->archive, d->rejected, "dead", 0, &e) != 0)
            _exit(1);
        if (spool_next(c, &p1, &n1, &e) != 0 || strcmp(n1, "x.json") != 0)
            _exit(2);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(exists(d->inbox, ".claimed/dead/x.json"));

    assert_int_equal(spool_open(&s, d->inbox, d->archive, d->rejected, "live", 0, &e), 0);
    assert_int_equal(spool_pending(s), 2); /* y in the inbox, x in the dead claim */
    /* Without a takeover only y is visible to us. */
    assert_int_equal(spool_next(s, &path, &name, &e), 0);
    assert_string_equal(name, "y.json");
    assert_int_equal(spool_archive(s, path, name, &e), 0);
    free(path);
    free(name);
    assert_int_equal(spool_next(s, &path, &name, &e), ERR_NOT_FOUND);
    assert_int_equal(spool_reclaim(s, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_false(exists(d->inbox, ".claimed/dead"));
    assert_int_equal(spool_next(s, &path, &name, &e), 0);
    assert_string_equal(name, "x.json");
    assert_int_equal(spool_archive(s, path, name, &e), 0);
    free(path);
    free(name);
    assert_true(exists(d->archive, "x.json"));
    assert_true(exists(d->archive, "y.json"));
    assert_int_equal(spool_pending(s), 0);
    spool_free(s);
    /* An empty claim directory is removed on a clean stop. */
    assert_false(exists(d->inbox, ".claimed/live"));
}

static void test_spool_rejects_symlinks_without_following_them(void **state)
{
    dirs *d = *state;
    spool *s = NULL;
    char *path = NULL, *name = NULL, link[600];
    err_t e;

    assert_int_equal(spool_open(&s, d->inbox, d->archive, d->rejected, "t1", 0, &e), 0);
    snprintf(link, sizeof link, "%s/passwd.json", d->inbox);
    assert_int_equal(symlink("/etc/passwd", link), 0);
    assert_int_equal(spool_next(s, &path, &name, &e), ERR_NOT_FOUND);
    assert_true(exists(d->rejected, "passwd.json.error"));
    assert_false(exists(d->inbox, "passwd.json"));
    spool_free(s);
}

/* A burst of 3000 files: each claimed once, in mtime order (ages 3000 s .. 1 s, so
 * f0000 is the oldest), with one directory scan serving many claims. */
static void test_spool_burst_is_claimed_once_each_in_order(void **state)
{
    dirs *d = *state;
    spool *s = NULL;
    char *path = NULL, *name = NULL, expect[32];
    err_t e;
    int n = 0;

    for (int i = 0; i < 3000; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "f%04d.json", i);
        put(d->inbox, nm, "{}", 3000 - i);
    }
    assert_int_equal(spool_open(&s, d->inbox, d->archive, d->rejected, "t1", 0, &e), 0);
    while (spool_next(s, &path, &name, &e) == 0) {
        snprintf(expect, sizeof expect, "f%04d.json", n);
        assert_string_equal(name, expect);
        assert_int_equal(spool_archive(s, path, name, &e), 0);
        free(path);
        free(name);
        n++;
    }
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_int_equal(n, 3000);
    assert_int_equal(spool_pending(s), 0);
    spool_free(s);
}

/* File names are bytes: a newline or an escape in one is kept as it is when moving
 * (the daemon prints such bytes as '?' in its log). */
static void test_spool_keeps_odd_file_names(void **state)
{
    dirs *d = *state;
    spool *s = NULL;
    char *path = NULL, *name = NULL;
    const char *odd = "two\nlines \x1b[31mred.json";
    err_t e;

    assert_int_equal(spool_open(&s, d->inbox, d->archive, d->rejected, "t1", 0, &e), 0);
    put(d->inbox, odd, "{}", 0);
    assert_int_equal(spool_next(s, &path, &name, &e), 0);
    assert_string_equal(name, odd);
    assert_int_equal(spool_archive(s, path, name, &e), 0);
    assert_true(exists(d->archive, odd));
    free(path);
    free(name);
    spool_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_spool_takes_settled_files_oldest_first_and_skips_hidden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_never_overwrites_in_archive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_two_daemons_never_take_the_same_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_takes_over_a_dead_daemons_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_rejects_symlinks_without_following_them, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_keeps_odd_file_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_burst_is_claimed_once_each_in_order, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
