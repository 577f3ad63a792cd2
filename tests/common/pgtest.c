/* pgtest.c - integration-test helpers: fresh databases, counts (see pgtest.h). */
#include "pgtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *pgtest_root(void)
{
    const char *r = getenv("PROCAUDIT_ROOT");
    return r && r[0] ? r : ".";
}

const char *pgtest_shared_data(void)
{
    static char path[4096];
    const char *s = getenv("PROCAUDIT_SHARED");
    struct stat sb;

    if (!s || !s[0])
        return NULL;
    if (snprintf(path, sizeof path, "%s/data", s) >= (int)sizeof path)
        return NULL;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return NULL;
    return path;
}

store *pgtest_open(const char *name)
{
    char conninfo[128];
    store *st = NULL;
    err_t e;

    snprintf(conninfo, sizeof conninfo, "dbname=%s", name);
    if (store_open(&st, conninfo, &e) != 0) {
        fprintf(stderr, "pgtest: %s\n", e.msg);
        return NULL;
    }
    return st;
}

int pgtest_fresh(store **out, const char *name)
{
    char cmd[4096], dir[4096];
    size_t i;
    store_migrate_report rep;
    err_t e;

    *out = NULL;
    for (i = 0; name[i]; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
              name[i] == '_'))
            return -1;
    if (snprintf(cmd, sizeof cmd, "'%s/scripts/pg.sh' createdb %s >/dev/null 2>&1", pgtest_root(),
                 name) >= (int)sizeof cmd)
        return -1;
    if (system(cmd) != 0) {
        fprintf(stderr, "pgtest: %s failed\n", cmd);
        return -1;
    }
    *out = pgtest_open(name);
    if (!*out)
        return -1;
    snprintf(dir, sizeof dir, "%s/migrations", pgtest_root());
    if (store_migrate(*out, dir, &rep, &e) != 0) {
        fprintf(stderr, "pgtest: migrate: %s\n", e.msg);
        store_close(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

long pgtest_long(store *st, const char *sql, const char *param)
{
    PGresult *res = NULL;
    const char *params[1] = {param};
    err_t e;
    long v = -1;

    if (store_exec(st, &res, PGRES_TUPLES_OK, sql, param ? 1 : 0, params, &e) != 0) {
        fprintf(stderr, "pgtest: %s\n", e.msg);
        return -1;
    }
    if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        v = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return v;
}

int pgtest_text(store *st, const char *sql, const char *param, char *out, size_t n)
{
    PGresult *res = NULL;
    const char *params[1] = {param};
    err_t e;
    int rc = -1;

    out[0] = '\0';
    if (store_exec(st, &res, PGRES_TUPLES_OK, sql, param ? 1 : 0, params, &e) != 0) {
        fprintf(stderr, "pgtest: %s\n", e.msg);
        return -1;
    }
    if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
        snprintf(out, n, "%s", PQgetvalue(res, 0, 0));
        rc = 0;
    }
    PQclear(res);
    return rc;
}

long pgtest_count(store *st, const char *table)
{
    /* One fixed statement per table: no SQL is built from the argument. */
    static const struct {
        const char *table;
        const char *sql;
    } counts[] = {
        {"ingested_files", "SELECT count(*) FROM ingested_files"},
        {"releases", "SELECT count(*) FROM releases"},
        {"compiled_releases", "SELECT count(*) FROM compiled_releases"},
        {"procurements", "SELECT count(*) FROM procurements"},
        {"parties", "SELECT count(*) FROM parties"},
        {"lots", "SELECT count(*) FROM lots"},
        {"items", "SELECT count(*) FROM items"},
        {"bids", "SELECT count(*) FROM bids"},
        {"awards", "SELECT count(*) FROM awards"},
        {"award_suppliers", "SELECT count(*) FROM award_suppliers"},
        {"contracts", "SELECT count(*) FROM contracts"},
        {"amendments", "SELECT count(*) FROM amendments"},
        {"documents", "SELECT count(*) FROM documents"},
        {"transactions", "SELECT count(*) FROM transactions"},
        {"quality_notes", "SELECT count(*) FROM quality_notes"},
        {"rejected_records", "SELECT count(*) FROM rejected_records"},
        {"schema_migrations", "SELECT count(*) FROM schema_migrations"},
    };
    size_t i;

    for (i = 0; i < sizeof counts / sizeof counts[0]; i++)
        if (strcmp(counts[i].table, table) == 0)
            return pgtest_long(st, counts[i].sql, NULL);
    return -2;
}
