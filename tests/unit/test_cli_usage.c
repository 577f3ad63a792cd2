/* test_cli_usage.c - exit codes and messages of `build/procaudit` for bad usage, found
 * before any database is reached (PGHOST points nowhere, so a command that wrongly went on
 * to the database would exit 3): each bad usage exits 2 and its first stderr line says what
 * is wrong (not the usage text); an unreadable input file exits 3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static char root[4096], bin[4096];

static int setup(void **state)
{
    const char *r = getenv("PROCAUDIT_ROOT"), *exe = getenv("PROCAUDIT_BIN");

    (void)state;
    if ((size_t)snprintf(root, sizeof root, "%s", r ? r : ".") >= sizeof root)
        return -1;
    if (exe)
        return (size_t)snprintf(bin, sizeof bin, "%s", exe) >= sizeof bin ? -1 : 0;
    return (size_t)snprintf(bin, sizeof bin, "%s/build/procaudit", root) >= sizeof bin ? -1 : 0;
}

/* Runs `procaudit ARGS` from the repository root with no reachable database; returns its
 * exit status and copies the first line of its stderr (stdout discarded) into line. */
static int run(const char *args, char *line, size_t n)
{
    char cmd[8192];
    FILE *p;
    int status;
    struct stat st;

    if (stat(bin, &st) != 0) {
        print_message("%s not built\n", bin);
        skip();
    }
    if ((size_t)snprintf(cmd, sizeof cmd,
                         "cd '%s' && PGHOST=/nonexistent-procaudit-test PGPORT=1 '%s' %s 2>&1 >/dev/null",
                         root, bin, args) >= sizeof cmd)
        fail_msg("command too long");
    p = popen(cmd, "r");
    assert_non_null(p);
    line[0] = '\0';
    if (!fgets(line, (int)n, p))
        line[0] = '\0';
    while (fgetc(p) != EOF)
        ;
    status = pclose(p);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* exit code `code` and a first stderr line containing `want` */
static void expect(const char *args, int code, const char *want)
{
    char line[4096];
    int rc = run(args, line, sizeof line);

    if (rc != code || !strstr(line, want))
        fail_msg("procaudit %s: exit %d (want %d), first line '%s' (want '%s')", args, rc, code, line, want);
}

static void test_report_dates(void **state)
{
    (void)state;
    /* month 13 and day 45 are not a calendar date */
    expect("report --buyer B --from 2020-13-45 -o /tmp/x.pdf", 2, "--from '2020-13-45' is not a date");
    /* 2021 is not a leap year (2021 % 4 = 1): no 29 February */
    expect("report --buyer B --to 2021-02-29 -o /tmp/x.pdf", 2, "--to '2021-02-29' is not a date");
    expect("report --buyer B --from 2020-1-5 -o /tmp/x.pdf", 2, "is not a date");
    expect("report --buyer B --from 2024-03-01 --to 2024-02-29 -o /tmp/x.pdf", 2,
           "--from 2024-03-01 is later than --to 2024-02-29");
    expect("report --ocid X --from 2024-01-01 -o /tmp/x.pdf", 2, "only with --buyer");
    expect("report --ocid X --to 2024-01-01 -o /tmp/x.pdf", 2, "only with --buyer");
    /* valid dates (2024 is a leap year: 2024 % 4 = 0, 2024 % 100 != 0) go on to the
     * database, which is unreachable here: exit 3 */
    expect("report --buyer B --from 2024-02-29 --to 2024-02-29 --templates templates/reports -o /tmp/x.pdf", 3,
           "database");
}

static void test_report_lang(void **state)
{
    (void)state;
    /* templates/reports holds labels.en.xml and labels.zh.xml only */
    expect("report --ocid X --lang fr --templates templates/reports -o /tmp/x.pdf", 2,
           "no report labels for language fr (available: en, zh)");
    expect("report --ocid X --lang ../x --templates templates/reports -o /tmp/x.pdf", 2,
           "no report labels for language ../x");
}

static void test_indicators(void **state)
{
    (void)state;
    expect("indicators /nonexistent-procaudit-test.json", 3, "No such file or directory");
    expect("indicators --format foo samples/ocds", 2, "--format native|cardinal, not 'foo'");
    expect("indicators", 2, "no FILE given");
    expect("indicators --format", 2, "--format needs a value");
}

static void test_indicators_path_once(void **state)
{
    char line[4096];
    const char *p;

    (void)state;
    assert_int_equal(run("indicators /nonexistent-procaudit-test.json", line, sizeof line), 3);
    p = strstr(line, "/nonexistent-procaudit-test.json");
    assert_non_null(p);
    assert_null(strstr(p + 1, "/nonexistent-procaudit-test.json"));
}

static void test_criteria_score(void **state)
{
    (void)state;
    expect("criteria", 2, "no action given");
    expect("criteria check", 2, "no FILE or SET_ID given");
    expect("score --ocid", 2, "--ocid needs a value");
}

/* Writes a procauditd configuration whose four directories are under `base`, runs
 * `procauditd -n` on it and returns its exit status, with its stdout in out. */
static int run_check_config(const char *base, char *out, size_t n)
{
    char conf[4096], cmd[8192];
    FILE *f;
    size_t got;
    int status;
    struct stat st;

    if ((size_t)snprintf(cmd, sizeof cmd, "%s/build/procauditd", root) >= sizeof cmd || stat(cmd, &st) != 0) {
        print_message("procauditd not built\n");
        skip();
    }
    if ((size_t)snprintf(conf, sizeof conf, "/tmp/test_cli_usage_%ld.conf", (long)getpid()) >= sizeof conf)
        fail_msg("path too long");
    f = fopen(conf, "w");
    assert_non_null(f);
    /* line 1 a comment, line 2 the database, line 3 inbox_dir, 4 archive, 5 rejected, 6 reports */
    fprintf(f, "# test_cli_usage\ndatabase = dbname=none\ninbox_dir = %s/inbox\narchive_dir = %s/archive\n"
               "rejected_dir = %s/rejected\nreports_dir = %s/reports\n"
               "criteria = %s/templates/criteria/international-red-flags.xml\n",
            base, base, base, base, root);
    assert_int_equal(fclose(f), 0);
    if ((size_t)snprintf(cmd, sizeof cmd, "cd '%s' && build/procauditd -n -c '%s' 2>/dev/null", root, conf) >=
        sizeof cmd)
        fail_msg("command too long");
    f = popen(cmd, "r");
    assert_non_null(f);
    got = fread(out, 1, n - 1, f);
    out[got] = '\0';
    status = pclose(f);
    unlink(conf);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_daemon_check_config_dirs(void **state)
{
    char base[256], out[8192], want[1024];

    (void)state;
    /* directories that cannot be created: base is a regular file of our own */
    snprintf(base, sizeof base, "/tmp/test_cli_usage_%ld", (long)getpid());
    {
        FILE *f = fopen(base, "w");
        assert_non_null(f);
        fclose(f);
    }
    assert_int_equal(run_check_config(base, out, sizeof out), 2);
    snprintf(want, sizeof want, ":3: inbox_dir: no such directory");
    if (!strstr(out, want))
        fail_msg("want '%s' in:\n%s", want, out);
    assert_non_null(strstr(out, ":6: reports_dir: no such directory"));
    assert_null(strstr(out, ": ok ("));
    unlink(base);
    /* a base that does not exist but whose parent (/tmp) is writable: the daemon creates
     * the spool directories at start (mkdir -p), so -n says so and is ok; reports_dir is
     * created with one mkdir at the first report, and its parent (base) is missing */
    assert_int_equal(run_check_config(base, out, sizeof out), 2);
    snprintf(want, sizeof want, ":3: inbox_dir: %s/inbox does not exist yet: procauditd creates it at start", base);
    if (!strstr(out, want))
        fail_msg("want '%s' in:\n%s", want, out);
    assert_non_null(strstr(out, ":6: reports_dir: no such directory"));
    /* with base there, all four are fine */
    assert_int_equal(mkdir(base, 0700), 0);
    assert_int_equal(run_check_config(base, out, sizeof out), 0);
    assert_non_null(strstr(out, ":6: reports_dir:"));
    assert_non_null(strstr(out, "does not exist yet: procauditd creates it at the first report"));
    assert_non_null(strstr(out, ": ok (1 criteria set(s))"));
    rmdir(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_dates),
        cmocka_unit_test(test_report_lang),
        cmocka_unit_test(test_indicators),
        cmocka_unit_test(test_indicators_path_once),
        cmocka_unit_test(test_criteria_score),
        cmocka_unit_test(test_daemon_check_config_dirs),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
