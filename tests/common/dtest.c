/* dtest.c - the daemon integration-test harness (see dtest.h). */
#include "dtest.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *dtest_root(void)
{
    const char *r = getenv("PROCAUDIT_ROOT");
    return r && *r ? r : ".";
}

const char *dtest_shared_data(void)
{
    static char p[1024];
    const char *s = getenv("PROCAUDIT_SHARED");
    struct stat st;

    snprintf(p, sizeof p, "%s/data", s && *s ? s : "../shared");
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode) ? p : NULL;
}

int dtest_setup(dtest_env *env, const char *name, const char *criteria, const char *extra)
{
    char cmd[1024], dir[1024], crit[2048];
    store *st = NULL;
    store_migrate_report rep;
    err_t e;
    FILE *f;
    size_t used = 0;
    const char *c = criteria ? criteria : "international-red-flags";

    memset(env, 0, sizeof *env);
    snprintf(env->db, sizeof env->db, "%s", name);
    snprintf(env->conninfo, sizeof env->conninfo, "dbname=%s", name);
    snprintf(cmd, sizeof cmd, "'%s/scripts/pg.sh' createdb %s >/dev/null 2>&1", dtest_root(), name);
    if (system(cmd) != 0) {
        fprintf(stderr, "dtest: createdb %s failed\n", name);
        return -1;
    }
    snprintf(dir, sizeof dir, "%s/migrations", dtest_root());
    if (store_open(&st, env->conninfo, &e) != 0 || store_migrate(st, dir, &rep, &e) != 0) {
        fprintf(stderr, "dtest: migrate %s: %s\n", name, e.msg);
        store_close(st);
        return -1;
    }
    store_close(st);
    snprintf(env->root, sizeof env->root, "/tmp/pa-dtest-%s-XXXXXX", name);
    if (!mkdtemp(env->root))
        return -1;
    snprintf(env->inbox, sizeof env->inbox, "%s/inbox", env->root);
    snprintf(env->archive, sizeof env->archive, "%s/archive", env->root);
    snprintf(env->rejected, sizeof env->rejected, "%s/rejected", env->root);
    snprintf(env->reports, sizeof env->reports, "%s/reports", env->root);
    snprintf(env->conf, sizeof env->conf, "%s/procauditd.conf", env->root);
    snprintf(env->log, sizeof env->log, "%s/daemon.log", env->root);
    if (mkdir(env->inbox, 0700) != 0)
        return -1;
    crit[0] = '\0';
    while (*c) {
        const char *comma = strchr(c, ',');
        size_t n = comma ? (size_t)(comma - c) : strlen(c);
        int w = snprintf(crit + used, sizeof crit - used, "%s%s/templates/criteria/%.*s.xml",
                         used ? ", " : "", dtest_root(), (int)n, c);
        if (w < 0 || (size_t)w >= sizeof crit - used)
            return -1;
        used += (size_t)w;
        c += n + (comma ? 1 : 0);
    }
    f = fopen(env->conf, "w");
    if (!f)
        return -1;
    fprintf(f,
            "database = %s\ninbox_dir = %s\narchive_dir = %s\nrejected_dir = %s\nreports_dir = %s\n"
            "criteria = %s\nmigrations_dir = %s\npoll_interval = 1\nsettle_time = 0\n"
            "retry_backoff_min = 1\nretry_backoff_max = 2\n%s",
            env->conninfo, env->inbox, env->archive, env->rejected, env->reports, crit, dir,
            extra ? extra : "");
    fclose(f);
    snprintf(env->kinds, sizeof env->kinds, "'ingest'%s%s", dtest_can_score() ? ", 'score'" : "",
             dtest_can_render() ? ", 'render'" : "");
    return 0;
}

void dtest_teardown(dtest_env *env)
{
    char cmd[400];
    if (!env->root[0] || getenv("DTEST_KEEP"))
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", env->root);
    if (system(cmd) != 0)
        fprintf(stderr, "dtest: could not remove %s\n", env->root);
}

store *dtest_store(const dtest_env *env)
{
    store *st = NULL;
    err_t e;
    if (store_open(&st, env->conninfo, &e) != 0) {
        fprintf(stderr, "dtest: %s\n", e.msg);
        return NULL;
    }
    return st;
}

pid_t dtest_start(const dtest_env *env, const char *log)
{
    char bin[1024];
    pid_t pid;

    snprintf(bin, sizeof bin, "%s/build/procauditd", dtest_root());
    pid = fork();
    if (pid == 0) {
        int fd = open(log ? log : env->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            close(fd);
        }
        execl(bin, "procauditd", "-c", env->conf, (char *)NULL);
        _exit(127);
    }
    return pid;
}

int dtest_stop(pid_t pid, int sig, int timeout_s)
{
    int status;
    time_t end = time(NULL) + timeout_s;

    if (sig)
        kill(pid, sig);
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (time(NULL) > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        usleep(20000);
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

long dtest_count(const dtest_env *env, const char *sql)
{
    store *st = dtest_store(env);
    PGresult *r = NULL;
    err_t e;
    long n = -1;

    if (!st)
        return -1;
    if (store_exec(st, &r, PGRES_TUPLES_OK, sql, 0, NULL, &e) == 0 && PQntuples(r) == 1)
        n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    else
        fprintf(stderr, "dtest: %s: %s\n", sql, e.msg);
    PQclear(r);
    store_close(st);
    return n;
}

long dtest_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    long n = 0;

    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.' || (l > 6 && strcmp(de->d_name + l - 6, ".error") == 0))
            continue;
        n++;
    }
    closedir(d);
    return n;
}

static long claimed_files(const dtest_env *env)
{
    char root[400];
    DIR *d;
    struct dirent *de;
    long n = 0;

    snprintf(root, sizeof root, "%s/.claimed", env->inbox);
    d = opendir(root);
    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        char p[700];
        if (de->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", root, de->d_name);
        n += dtest_files(p);
    }
    closedir(d);
    return n;
}

int dtest_wait_idle(const dtest_env *env, int timeout_s)
{
    time_t end = time(NULL) + timeout_s;
    int quiet = 0;
    char sql[300];

    /* Only the kinds the daemon runs: the others wait for a daemon that can. */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM jobs WHERE state IN ('pending', 'running') AND kind IN (%s)",
             env->kinds);
    while (time(NULL) <= end) {
        long busy = dtest_count(env, sql);
        if (busy == 0 && dtest_files(env->inbox) == 0 && claimed_files(env) == 0) {
            /* Twice in a row: a file may be between claim and ingest commit. */
            if (++quiet >= 2)
                return 0;
        } else {
            quiet = 0;
        }
        usleep(300000);
    }
    return -1;
}

int dtest_drop(const char *src, const char *dir, const char *name)
{
    char tmp[1200], dst[1200], b[65536];
    FILE *in = fopen(src, "rb"), *out;
    size_t n;

    if (!in)
        return -1;
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    out = fopen(tmp, "wb");
    if (!out) {
        fclose(in);
        return -1;
    }
    while ((n = fread(b, 1, sizeof b, in)) > 0)
        fwrite(b, 1, n, out);
    fclose(in);
    if (fclose(out) != 0)
        return -1;
    return rename(tmp, dst);
}

int dtest_log_has(const char *log, const char *needle)
{
    FILE *f = fopen(log, "r");
    char line[4096];
    int found = 0;

    if (!f)
        return 0;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

int dtest_gen_ocds(const char *path, const char *tag, int n)
{
    return dtest_gen_ocds_releases(path, tag, n, 1);
}

int dtest_gen_ocds_releases(const char *path, const char *tag, int n, int per)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return -1;
    fprintf(f, "{\"uri\": \"https://example.org/gen\", \"version\": \"1.1\", "
               "\"publishedDate\": \"2021-01-01T00:00:00Z\", \"releases\": [\n");
    /* Earlier releases of each procurement first (one per day before its last), each a
     * planning update with a slightly lower estimate, so the merge has work to do. */
    for (int k = 1; k < per; k++) {
        for (int i = 0; i < n; i++)
            fprintf(f,
                    "{\"ocid\": \"ocds-gen%s-%05d\", \"id\": \"r%05d-%d\", \"date\": \"2020-12-%02dT00:00:00Z\", "
                    "\"tag\": [\"tenderUpdate\"], \"initiationType\": \"tender\", "
                    "\"tender\": {\"id\": \"t%05d\", \"title\": \"Home care services lot %d (draft %d)\", "
                    "\"value\": {\"amount\": %ld, \"currency\": \"EUR\"}}},\n",
                    tag, i, i, k, 1 + k % 28, i, i, k, 9000L + (long)(i % 97) * 1000 + k);
    }
    for (int i = 0; i < n; i++) {
        int b = i % 17, s1 = i % 23, s2 = (i + 5) % 23, days = 5 + i % 40, bidders = 1 + i % 4;
        long amount = 10000 + (long)(i % 97) * 1000;
        fprintf(f,
                "%s{\"ocid\": \"ocds-gen%s-%05d\", \"id\": \"r%05d\", \"date\": \"2021-03-01T00:00:00Z\", "
                "\"tag\": [\"award\"], \"initiationType\": \"tender\", "
                "\"buyer\": {\"id\": \"B%d\", \"name\": \"Social services office %d\"}, "
                "\"parties\": [{\"id\": \"B%d\", \"name\": \"Social services office %d\", \"roles\": [\"buyer\"]}, "
                "{\"id\": \"S%d\", \"name\": \"Care provider %d\", \"roles\": [\"supplier\", \"tenderer\"]}, "
                "{\"id\": \"S%d\", \"name\": \"Care provider %d\", \"roles\": [\"tenderer\"]}], "
                "\"tender\": {\"id\": \"t%05d\", \"title\": \"Home care services lot %d\", \"status\": \"complete\", "
                "\"procurementMethod\": \"%s\", \"mainProcurementCategory\": \"services\", "
                "\"value\": {\"amount\": %ld, \"currency\": \"EUR\"}, "
                "\"tenderPeriod\": {\"startDate\": \"2021-01-01T00:00:00Z\", \"endDate\": \"2021-%02d-%02dT00:00:00Z\"}, "
                "\"numberOfTenderers\": %d, \"tenderers\": [{\"id\": \"S%d\", \"name\": \"Care provider %d\"}]}, "
                "\"awards\": [{\"id\": \"a%05d\", \"status\": \"active\", \"date\": \"2021-02-20T00:00:00Z\", "
                "\"value\": {\"amount\": %ld, \"currency\": \"EUR\"}, \"suppliers\": [{\"id\": \"S%d\", \"name\": \"Care provider %d\"}]}]}\n",
                i ? "," : "", tag, i, i, b, b, b, b, s1, s1, s2, s2, i, i, (i % 3) ? "open" : "direct", amount,
                1 + days / 31, 1 + days % 28, bidders, s1, s1, i, amount - 500, s1, s1);
    }
    fprintf(f, "]}\n");
    return fclose(f) == 0 ? 0 : -1;
}

double dtest_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Asks the binary itself: `procauditd --capabilities` prints "ingest score render" for
 * what it has. */
static int has_cap(const char *cap)
{
    char cmd[1200], line[256];
    FILE *p;
    int found = 0;

    snprintf(cmd, sizeof cmd, "'%s/build/procauditd' --capabilities 2>/dev/null", dtest_root());
    p = popen(cmd, "r");
    if (!p)
        return 0;
    while (fgets(line, sizeof line, p))
        if (strstr(line, cap))
            found = 1;
    pclose(p);
    return found;
}

int dtest_can_score(void) { return has_cap("score"); }
int dtest_can_render(void) { return has_cap("render"); }

int dtest_sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    int rc;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
