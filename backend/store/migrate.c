/* migrate.c - numbered schema migrations (migrations/NNN_name.sql), applied in order. */
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"

/* A migration file larger than this is refused (a schema file, not a data dump). */
#define MIGRATION_MAX_BYTES (8u * 1024u * 1024u)
#define MIGRATIONS_MAX 999
/* The advisory lock key of `procaudit migrate` (an arbitrary constant: "pamigrat"). */
#define MIGRATE_LOCK_KEY "7061696d69677261"

typedef struct {
    int version;
    char name[256];  /* the file name, e.g. 001_core.sql */
    char sha256[65];
    char *sql;       /* the file's contents, NUL-terminated (loaded on demand) */
    size_t len;
} migration_file;

typedef struct {
    int version;
    char name[256];
    char sha256[65];
} migration_applied;

static int dir_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int store_migrations_dir(char *out, size_t n, const char *given, err_t *e)
{
    const char *env = getenv("PROCAUDIT_MIGRATIONS");
    char exe[PATH_MAX];
    char cand[PATH_MAX + 32];
    ssize_t len;

    if (given && given[0]) {
        if (snprintf(out, n, "%s", given) >= (int)n)
            return err_set(e, ERR_LIMIT, "migrations directory path too long");
        return ERR_OK;
    }
    if (env && env[0]) {
        if (snprintf(out, n, "%s", env) >= (int)n)
            return err_set(e, ERR_LIMIT, "PROCAUDIT_MIGRATIONS too long");
        return ERR_OK;
    }
    len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        char *slash;
        exe[len] = '\0';
        slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            if (snprintf(cand, sizeof cand, "%s/../migrations", exe) < (int)sizeof cand &&
                dir_exists(cand)) {
                char real[PATH_MAX];
                if (realpath(cand, real) && strlen(real) < sizeof cand)
                    memcpy(cand, real, strlen(real) + 1);
                if (snprintf(out, n, "%s", cand) >= (int)n)
                    return err_set(e, ERR_LIMIT, "migrations directory path too long");
                return ERR_OK;
            }
        }
    }
    if (snprintf(out, n, "%s", "./migrations") >= (int)n)
        return err_set(e, ERR_LIMIT, "migrations directory path too long");
    return ERR_OK;
}

/* Parses "NNN_name.sql" (3 or more digits, then '_', then [A-Za-z0-9_-]+, then ".sql").
 * Returns the version, 0 for a file that is not a migration (no leading digit), -1 for a
 * name that starts with digits but is malformed. */
static int parse_name(const char *name)
{
    size_t len = strlen(name), i = 0;
    long v = 0;

    if (name[0] < '0' || name[0] > '9')
        return 0;
    while (name[i] >= '0' && name[i] <= '9') {
        v = v * 10 + (name[i] - '0');
        if (v > MIGRATIONS_MAX)
            return -1;
        i++;
    }
    if (i < 3 || name[i] != '_' || len < i + 6 || strcmp(name + len - 4, ".sql") != 0)
        return -1;
    for (i = i + 1; i < len - 4; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return -1;
    }
    return v > 0 ? (int)v : -1;
}

static int cmp_file(const void *a, const void *b)
{
    const migration_file *x = a, *y = b;
    return (x->version > y->version) - (x->version < y->version);
}

static void files_free(migration_file *files, size_t n)
{
    size_t i;
    for (i = 0; files && i < n; i++)
        free(files[i].sql);
    free(files);
}

/* Reads a whole migration file into mf->sql and hashes it. */
static int load_file(const char *dir, migration_file *mf, err_t *e)
{
    char path[PATH_MAX];
    FILE *f = NULL;
    buf_t b;
    char chunk[8192];
    size_t got;
    int rc = ERR_OK;

    buf_init(&b, MIGRATION_MAX_BYTES);
    if (snprintf(path, sizeof path, "%s/%s", dir, mf->name) >= (int)sizeof path)
        return err_set(e, ERR_LIMIT, "%s/%s: path too long", dir, mf->name);
    f = fopen(path, "rb");
    if (!f) {
        rc = err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf_append(&b, chunk, got) != 0) {
            rc = err_set(e, ERR_LIMIT, "%s: larger than %u bytes", path, MIGRATION_MAX_BYTES);
            goto cleanup;
        }
    }
    if (ferror(f)) {
        rc = err_set(e, ERR_IO, "%s: read error", path);
        goto cleanup;
    }
    if (memchr(buf_cstr(&b), '\0', b.len)) {
        rc = err_set(e, ERR_USAGE, "%s: contains a NUL byte", path);
        goto cleanup;
    }
    store_sha256_hex(buf_cstr(&b), b.len, mf->sha256);
    mf->len = b.len;
    mf->sql = buf_take(&b);
    if (!mf->sql)
        rc = err_set(e, ERR_NOMEM, "%s: out of memory", path);
cleanup:
    buf_dispose(&b);
    if (f)
        fclose(f);
    return rc;
}

/* Lists, sorts and loads the migration files of dir. */
static int list_files(const char *dir, migration_file **out, size_t *n_out, err_t *e)
{
    DIR *d = NULL;
    struct dirent *de;
    migration_file *files = NULL;
    size_t n = 0, cap = 0, i;
    int rc = ERR_OK;

    *out = NULL;
    *n_out = 0;
    d = opendir(dir);
    if (!d)
        return err_set(e, ERR_IO, "migrations directory %s: %s", dir, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        int v = parse_name(de->d_name);
        if (v == 0)
            continue;
        if (v < 0) {
            rc = err_set(e, ERR_USAGE, "%s/%s: not a migration name (expected NNN_name.sql)", dir,
                         de->d_name);
            goto cleanup;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            migration_file *nf = realloc(files, nc * sizeof *nf);
            if (!nf) {
                rc = err_set(e, ERR_NOMEM, "out of memory listing migrations");
                goto cleanup;
            }
            files = nf;
            cap = nc;
        }
        memset(&files[n], 0, sizeof files[n]);
        files[n].version = v;
        snprintf(files[n].name, sizeof files[n].name, "%s", de->d_name);
        n++;
    }
    qsort(files, n, sizeof *files, cmp_file);
    for (i = 0; i < n; i++) {
        if (i > 0 && files[i].version == files[i - 1].version) {
            rc = err_set(e, ERR_USAGE, "%s: %s and %s have the same version %03d", dir,
                         files[i - 1].name, files[i].name, files[i].version);
            goto cleanup;
        }
        rc = load_file(dir, &files[i], e);
        if (rc)
            goto cleanup;
    }
    *out = files;
    *n_out = n;
    files = NULL;
cleanup:
    files_free(files, n);
    closedir(d);
    return rc;
}

/* Reads schema_migrations (empty when the table does not exist yet). */
static int list_applied(store *st, migration_applied **out, size_t *n_out, err_t *e)
{
    PGresult *res = NULL;
    migration_applied *ap = NULL;
    size_t n, i;
    int rc;

    *out = NULL;
    *n_out = 0;
    rc = store_exec(st, &res, PGRES_TUPLES_OK,
                    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present", 0, NULL, e);
    if (rc)
        return rc;
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        PQclear(res);
        return ERR_OK;
    }
    PQclear(res);
    rc = store_exec(st, &res, PGRES_TUPLES_OK,
                    "SELECT version, name, sha256 FROM schema_migrations ORDER BY version", 0,
                    NULL, e);
    if (rc)
        return rc;
    n = (size_t)PQntuples(res);
    if (n) {
        int fv = PQfnumber(res, "version"), fn = PQfnumber(res, "name"),
            fs = PQfnumber(res, "sha256");
        ap = calloc(n, sizeof *ap);
        if (!ap) {
            PQclear(res);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        for (i = 0; i < n; i++) {
            ap[i].version = (int)strtol(PQgetvalue(res, (int)i, fv), NULL, 10);
            snprintf(ap[i].name, sizeof ap[i].name, "%s", PQgetvalue(res, (int)i, fn));
            snprintf(ap[i].sha256, sizeof ap[i].sha256, "%s", PQgetvalue(res, (int)i, fs));
        }
    }
    PQclear(res);
    *out = ap;
    *n_out = n;
    return ERR_OK;
}

static const migration_file *find_file(const migration_file *f, size_t n, int version)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (f[i].version == version)
            return &f[i];
    return NULL;
}

static const migration_applied *find_applied(const migration_applied *a, size_t n, int version)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (a[i].version == version)
            return &a[i];
    return NULL;
}

/* Every applied migration must still be there, byte for byte. */
static int check_applied(const char *dir, const migration_file *files, size_t nf,
                         const migration_applied *ap, size_t na, err_t *e)
{
    size_t i;

    for (i = 0; i < na; i++) {
        const migration_file *f = find_file(files, nf, ap[i].version);
        if (!f)
            return err_set(e, ERR_SCHEMA,
                           "the database has migration %03d (%s) which is not in %s: the "
                           "database is newer than this build; upgrade procaudit (or point "
                           "--dir / PROCAUDIT_MIGRATIONS at the newer migrations)",
                           ap[i].version, ap[i].name, dir);
        if (strcmp(f->sha256, ap[i].sha256) != 0)
            return err_set(e, ERR_SCHEMA,
                           "%s/%s was changed after it was applied (applied sha256 %.12s, file "
                           "%.12s): restore the applied file and put changes in a new migration",
                           dir, f->name, ap[i].sha256, f->sha256);
    }
    return ERR_OK;
}

/* Finds the end of the SQL statement starting at p: the ';' outside quotes, comments and
 * dollar-quoted bodies ($$...$$, $tag$...$tag$), or the end of the text. */
static char *statement_end(char *p)
{
    while (*p) {
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            int depth = 1; /* PostgreSQL block comments nest */
            p += 2;
            while (*p && depth > 0) {
                if (p[0] == '/' && p[1] == '*') {
                    depth++;
                    p += 2;
                } else if (p[0] == '*' && p[1] == '/') {
                    depth--;
                    p += 2;
                } else {
                    p++;
                }
            }
        } else if (*p == '\'' || *p == '"') {
            char q = *p++;
            while (*p && *p != q)
                p++; /* doubled quotes ('') simply reopen: the loop continues */
            if (*p)
                p++;
        } else if (*p == '$') {
            char *tag = p, *t = p + 1;
            size_t tl;
            while ((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') ||
                   *t == '_')
                t++;
            if (*t != '$') {
                p++; /* a parameter such as $1, not a dollar quote */
                continue;
            }
            tl = (size_t)(t - tag + 1); /* "$tag$" with both dollars */
            p = t + 1;
            while (*p && strncmp(p, tag, tl) != 0)
                p++;
            if (*p)
                p += tl;
        } else if (*p == ';') {
            return p;
        } else {
            p++;
        }
    }
    return p;
}

/* 1 when [p, end) holds only white space and comments. */
static int statement_empty(const char *p, const char *end)
{
    while (p < end) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            p++;
        } else if (p + 1 < end && p[0] == '-' && p[1] == '-') {
            while (p < end && *p != '\n')
                p++;
        } else if (p + 1 < end && p[0] == '/' && p[1] == '*') {
            const char *c = strstr(p + 2, "*/");
            if (!c || c >= end)
                return 0;
            p = c + 2;
        } else {
            return 0;
        }
    }
    return 1;
}

/* Runs the statements of a migration file one by one (PQexecParams carries one statement
 * at a time), inside the caller's transaction. */
static int run_statements(store *st, const migration_file *f, err_t *e)
{
    char *sql = f->sql;
    int rc = ERR_OK, n = 0;

    while (*sql) {
        char *end = statement_end(sql);
        char saved = *end;
        if (!statement_empty(sql, end)) {
            PGresult *res;
            *end = '\0';
            n++;
            res = PQexecParams(store_conn(st), sql, 0, NULL, NULL, NULL, NULL, 0);
            *end = saved;
            if (!res || (PQresultStatus(res) != PGRES_COMMAND_OK &&
                         PQresultStatus(res) != PGRES_TUPLES_OK)) {
                char what[300];
                snprintf(what, sizeof what, "%s, statement %d", f->name, n);
                rc = store_result_error(st, res, what, e);
                PQclear(res);
                return rc;
            }
            PQclear(res);
        }
        sql = saved ? end + 1 : end;
    }
    return rc;
}

static int apply_one(store *st, const migration_file *f, err_t *e)
{
    char version[16];
    const char *params[3];
    err_t scratch;
    int rc;

    rc = store_begin(st, e);
    if (rc)
        return rc;
    rc = run_statements(st, f, e);
    if (rc)
        goto cleanup;
    snprintf(version, sizeof version, "%d", f->version);
    params[0] = version;
    params[1] = f->name;
    params[2] = f->sha256;
    rc = store_exec(st, NULL, PGRES_COMMAND_OK,
                    "INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)",
                    3, params, e);
    if (rc) {
        err_prefix(e, "%s: recording it in schema_migrations (does 001 create it?): ", f->name);
        goto cleanup;
    }
    rc = store_commit(st, e);
cleanup:
    if (rc)
        store_rollback(st, &scratch);
    return rc;
}

int store_migrate(store *st, const char *dir, store_migrate_report *report, err_t *e)
{
    migration_file *files = NULL;
    migration_applied *ap = NULL;
    size_t nf = 0, na = 0, i;
    int locked = 0, rc;
    const char *key[1] = {MIGRATE_LOCK_KEY};
    err_t scratch;

    memset(report, 0, sizeof *report);
    rc = list_files(dir, &files, &nf, e);
    if (rc)
        goto cleanup;
    rc = store_exec(st, NULL, PGRES_TUPLES_OK, "SELECT pg_advisory_lock(('x' || $1)::bit(64)::bigint)",
                    1, key, e);
    if (rc)
        goto cleanup;
    locked = 1;
    rc = list_applied(st, &ap, &na, e);
    if (rc)
        goto cleanup;
    rc = check_applied(dir, files, nf, ap, na, e);
    if (rc)
        goto cleanup;
    for (i = 0; i < nf; i++) {
        if (find_applied(ap, na, files[i].version)) {
            report->already++;
            report->latest = files[i].version;
            continue;
        }
        rc = apply_one(st, &files[i], e);
        if (rc)
            goto cleanup;
        report->applied++;
        report->latest = files[i].version;
    }
cleanup:
    if (locked && store_ok(st))
        if (store_exec(st, NULL, PGRES_TUPLES_OK,
                       "SELECT pg_advisory_unlock(('x' || $1)::bit(64)::bigint)", 1, key,
                       &scratch) != 0)
            { /* the lock ends with the session anyway */ }
    files_free(files, nf);
    free(ap);
    return rc;
}

int store_schema_check(store *st, const char *dir, err_t *e)
{
    migration_file *files = NULL;
    migration_applied *ap = NULL;
    size_t nf = 0, na = 0, i;
    int rc;

    rc = list_files(dir, &files, &nf, e);
    if (rc)
        goto cleanup;
    rc = list_applied(st, &ap, &na, e);
    if (rc)
        goto cleanup;
    rc = check_applied(dir, files, nf, ap, na, e);
    if (rc)
        goto cleanup;
    for (i = 0; i < nf; i++) {
        if (!find_applied(ap, na, files[i].version)) {
            rc = err_set(e, ERR_SCHEMA,
                         "the database schema is older than this build: migration %s (and %zu "
                         "more after it) not applied; run `procaudit migrate`",
                         files[i].name, nf - i - 1);
            goto cleanup;
        }
    }
cleanup:
    files_free(files, nf);
    free(ap);
    return rc;
}
