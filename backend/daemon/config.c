/* config.c - the table of procauditd settings and the `key = value` file parser. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define CFG_MAX_LINE 4096
#define CFG_MAX_FILE (1024 * 1024)
#define CFG_MAX_VALUE 4000

typedef enum {
    CT_STRING = 0,   /* free text (paths, conninfo) */
    CT_INT = 1,      /* a decimal integer within [min, max] */
    CT_SECONDS = 2,  /* a duration: an integer with an optional s/m/h suffix, in seconds */
    CT_LOGLEVEL = 3, /* error|warn|info|debug */
    CT_AUDIENCE = 4, /* internal|public */
    CT_LIST = 5,     /* comma-separated strings (criteria-set files) */
    CT_KINDS = 6     /* comma-separated job kinds: ingest, score, render */
} cfg_type;

typedef struct {
    const char *name;
    cfg_type type;
    size_t offset;     /* of the field in cfg_t */
    const char *def;   /* default, in the file's text form */
    int reloadable;    /* 1: SIGHUP applies a change; 0: needs a restart */
    long min, max;     /* bounds of CT_INT / CT_SECONDS */
    const char *help;
} cfg_param;

#define F(field) offsetof(cfg_t, field)

/* Alphabetical. Defaults follow the FHS layout of a packaged service. */
static const cfg_param cfg_params[] = {
    {"archive_dir", CT_STRING, F(archive_dir), "/var/lib/procaudit/spool/archive", 0, 0, 0,
     "Directory where files go once their ingest is committed."},
    {"criteria", CT_LIST, F(criteria), "international-red-flags", 1, 0, 0,
     "Criteria sets to score every procurement with, comma-separated: file paths, or set ids looked up as criteria/ID.xml under $PROCAUDIT_TEMPLATES, ../templates beside the executable, ./templates."},
    {"database", CT_STRING, F(database), "", 0, 0, 0,
     "libpq conninfo or URI (\"host=... dbname=...\", \"postgresql://...\"); empty: the PG* environment variables."},
    {"inbox_dir", CT_STRING, F(inbox_dir), "/var/lib/procaudit/spool/inbox", 0, 0, 0,
     "Directory watched for files to ingest (OCDS JSON, eForms XML, native XML)."},
    {"job_kinds", CT_KINDS, F(job_kinds), "ingest, score, render", 1, 0, 0,
     "Kinds of job this daemon runs (a subset of ingest, score, render); the inbox is always watched. Lets a fleet split scoring and rendering between machines."},
    {"job_max_attempts", CT_INT, F(job_max_attempts), "5", 1, 1, 1000,
     "A job that fails this many times is marked failed and left for an operator."},
    {"job_retention", CT_SECONDS, F(job_retention), "7d", 1, 0, 315360000,
     "Done jobs older than this are deleted (failed jobs are kept); 0 keeps them all."},
    {"log_level", CT_LOGLEVEL, F(log_level), "info", 1, 0, 0,
     "Lowest level logged: error, warn, info or debug."},
    {"migrations_dir", CT_STRING, F(migrations_dir), "", 0, 0, 0,
     "Migrations the schema must match; empty: $PROCAUDIT_MIGRATIONS, else ../migrations beside the executable, else ./migrations."},
    {"name", CT_STRING, F(name), "", 0, 0, 0,
     "This daemon's name in jobs.locked_by and its claim directory; empty: HOSTNAME-PID. Give each daemon sharing a database a distinct name."},
    {"poll_interval", CT_SECONDS, F(poll_interval), "5", 1, 1, 3600,
     "Seconds between scans of the inbox and polls of the jobs table when nothing wakes the daemon sooner (inotify on the inbox, NOTIFY on new jobs)."},
    {"rejected_dir", CT_STRING, F(rejected_dir), "/var/lib/procaudit/spool/rejected", 0, 0, 0,
     "Directory for files that could not be ingested, each with NAME.error beside it."},
    {"report_audience", CT_AUDIENCE, F(report_audience), "internal", 1, 0, 0,
     "Audience of rendered reports: internal (everything) or public (personal data removed)."},
    {"report_language", CT_STRING, F(report_language), "en", 1, 0, 0,
     "Language of the report labels (a templates/reports language code)."},
    {"reports_dir", CT_STRING, F(reports_dir), "/var/lib/procaudit/reports", 0, 0, 0,
     "Directory where rendered PDF reports are written."},
    {"retry_backoff_max", CT_SECONDS, F(retry_backoff_max), "60", 1, 1, 86400,
     "Longest wait, in seconds, between retries of a failed job or a database reconnect."},
    {"retry_backoff_min", CT_SECONDS, F(retry_backoff_min), "1", 1, 1, 86400,
     "First wait, in seconds, before retrying; doubles up to retry_backoff_max."},
    {"settle_time", CT_SECONDS, F(settle_time), "2", 1, 0, 3600,
     "A file in the inbox is taken only when unmodified for this many seconds (files renamed into place can use 0)."},
    {"workers", CT_INT, F(workers), "1", 0, 1, 64,
     "Worker processes, each with its own database connection and claim directory."},
};
#define CFG_N (sizeof cfg_params / sizeof cfg_params[0])

static const char *const cfg_type_names[] = {"string", "integer", "seconds", "level", "audience", "list",
                                             "kinds"};
static const char *const cfg_kind_names[] = {"ingest", "score", "render"};

static char **str_field(cfg_t *c, const cfg_param *p) { return (char **)(void *)((char *)c + p->offset); }
static int *int_field(cfg_t *c, const cfg_param *p) { return (int *)(void *)((char *)c + p->offset); }
static const char *const *cstr_field(const cfg_t *c, const cfg_param *p)
{
    return (const char *const *)(const void *)((const char *)c + p->offset);
}
static const int *cint_field(const cfg_t *c, const cfg_param *p)
{
    return (const int *)(const void *)((const char *)c + p->offset);
}

static const cfg_param *cfg_find(const char *key)
{
    for (size_t i = 0; i < CFG_N; i++)
        if (strcmp(cfg_params[i].name, key) == 0)
            return &cfg_params[i];
    return NULL;
}

static void list_clear(cfg_t *c)
{
    for (size_t i = 0; i < c->n_criteria; i++) {
        free(c->criteria[i]);
        c->criteria[i] = NULL;
    }
    c->n_criteria = 0;
}

void cfg_dispose(cfg_t *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < CFG_N; i++) {
        if (cfg_params[i].type == CT_STRING)
            free(*str_field(c, &cfg_params[i]));
    }
    list_clear(c);
    memset(c, 0, sizeof *c);
}

static char *trim(char *s)
{
    char *end;
    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    *end = '\0';
    return s;
}

/* Parses a non-negative integer with an optional unit suffix (s, m, h) for seconds. */
static int parse_number(const char *v, int seconds, long *out)
{
    char *end = NULL;
    long n, mul = 1;

    if (!isdigit((unsigned char)v[0]))
        return -1;
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno || end == v)
        return -1;
    if (seconds && *end) {
        if (strcmp(end, "s") == 0)
            mul = 1;
        else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
            mul = 60;
        else if (strcmp(end, "h") == 0)
            mul = 3600;
        else if (strcmp(end, "d") == 0)
            mul = 86400;
        else
            return -1;
        end += strlen(end);
    }
    if (*end)
        return -1;
    if (n > LONG_MAX / mul)
        return -1;
    *out = n * mul;
    return 0;
}

static int set_list(cfg_t *c, const char *value, const char *where, err_t *e)
{
    const char *p = value;

    list_clear(c);
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char item[CFG_MAX_VALUE + 1];
        char *t;

        if (n > CFG_MAX_VALUE)
            return err_set(e, ERR_USAGE, "%scriteria: an entry is too long", where);
        memcpy(item, p, n);
        item[n] = '\0';
        t = trim(item);
        if (*t) {
            if (c->n_criteria == CFG_MAX_CRITERIA)
                return err_set(e, ERR_USAGE, "%scriteria: more than %d criteria sets", where,
                               CFG_MAX_CRITERIA);
            c->criteria[c->n_criteria] = strdup(t);
            if (!c->criteria[c->n_criteria])
                return err_set(e, ERR_NOMEM, "out of memory");
            c->n_criteria++;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

int cfg_set(cfg_t *c, const char *key, const char *value, const char *where, err_t *e)
{
    const cfg_param *p = cfg_find(key);
    char pre[300];
    long n;

    snprintf(pre, sizeof pre, "%s%s", where ? where : "", where ? ": " : "");
    if (!p)
        return err_set(e, ERR_USAGE, "%sunknown setting \"%.64s\"", pre, key);
    if (strlen(value) > CFG_MAX_VALUE)
        return err_set(e, ERR_USAGE, "%s%s: value longer than %d bytes", pre, key, CFG_MAX_VALUE);
    switch (p->type) {
    case CT_STRING: {
        char *dup = strdup(value);
        char **f = str_field(c, p);
        if (!dup)
            return err_set(e, ERR_NOMEM, "out of memory");
        free(*f);
        *f = dup;
        return 0;
    }
    case CT_INT:
    case CT_SECONDS:
        if (parse_number(value, p->type == CT_SECONDS, &n) != 0)
            return err_set(e, ERR_USAGE, "%s%s: \"%.64s\" is not %s", pre, key, value,
                           p->type == CT_SECONDS ? "a duration (e.g. 30, 30s, 5m, 1h, 7d)" : "an integer");
        if (n < p->min || n > p->max)
            return err_set(e, ERR_USAGE, "%s%s: %ld is outside %ld..%ld", pre, key, n, p->min, p->max);
        *int_field(c, p) = (int)n;
        return 0;
    case CT_LOGLEVEL: {
        log_level lvl;
        if (log_level_parse(value, &lvl) != 0)
            return err_set(e, ERR_USAGE, "%s%s: \"%.64s\" is not one of error, warn, info, debug", pre,
                           key, value);
        c->log_level = lvl;
        return 0;
    }
    case CT_AUDIENCE:
        if (strcmp(value, "internal") == 0)
            c->report_audience = CFG_AUDIENCE_INTERNAL;
        else if (strcmp(value, "public") == 0)
            c->report_audience = CFG_AUDIENCE_PUBLIC;
        else
            return err_set(e, ERR_USAGE, "%s%s: \"%.64s\" is not internal or public", pre, key, value);
        return 0;
    case CT_LIST:
        return set_list(c, value, pre, e);
    case CT_KINDS: {
        unsigned bits = 0;
        const char *q = value;
        while (*q) {
            size_t len = strcspn(q, ", \t");
            int found = 0;
            for (unsigned k = 0; k < 3 && len; k++)
                if (strlen(cfg_kind_names[k]) == len && strncmp(q, cfg_kind_names[k], len) == 0) {
                    bits |= 1u << k;
                    found = 1;
                }
            if (len && !found)
                return err_set(e, ERR_USAGE, "%s%s: \"%.*s\" is not ingest, score or render", pre, key,
                               (int)(len > 32 ? 32 : len), q);
            q += len;
            q += strspn(q, ", \t");
        }
        c->job_kinds = bits;
        return 0;
    }
    }
    return err_set(e, ERR_GENERIC, "%s%s: unhandled type", pre, key);
}

int cfg_init(cfg_t *c)
{
    err_t e;

    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < CFG_N; i++) {
        if (cfg_set(c, cfg_params[i].name, cfg_params[i].def, NULL, &e) != 0) {
            cfg_dispose(c);
            return ERR_NOMEM;
        }
    }
    return 0;
}

int cfg_validate(const cfg_t *c, err_t *e)
{
    const char *dirs[4] = {c->inbox_dir, c->archive_dir, c->rejected_dir, c->reports_dir};
    const char *names[4] = {"inbox_dir", "archive_dir", "rejected_dir", "reports_dir"};

    for (int i = 0; i < 4; i++) {
        if (!dirs[i] || !*dirs[i])
            return err_set(e, ERR_USAGE, "%s must be set", names[i]);
        for (int j = 0; j < i; j++)
            if (strcmp(dirs[i], dirs[j]) == 0)
                return err_set(e, ERR_USAGE, "%s and %s must be different directories", names[j],
                               names[i]);
    }
    if (c->retry_backoff_min > c->retry_backoff_max)
        return err_set(e, ERR_USAGE, "retry_backoff_min (%d) is larger than retry_backoff_max (%d)",
                       c->retry_backoff_min, c->retry_backoff_max);
    if (c->n_criteria == 0)
        return err_set(e, ERR_USAGE, "criteria: at least one criteria-set file is needed");
    if (c->workers < 1 || c->workers > 64)
        return err_set(e, ERR_USAGE, "workers: %d is outside 1..64", c->workers);
    for (const char *s = c->report_language; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
            return err_set(e, ERR_USAGE, "report_language: \"%.32s\" is not a language code",
                           c->report_language);
    if (!*c->report_language || strlen(c->report_language) > 16)
        return err_set(e, ERR_USAGE, "report_language: must be 1..16 characters");
    return 0;
}

/* Parses `text` line by line into c (already holding defaults). */
static int cfg_parse(cfg_t *c, const char *name, const char *text, err_t *e)
{
    const char *p = text;
    int lineno = 0;
    unsigned char seen[CFG_N];

    memset(seen, 0, sizeof seen);
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char line[CFG_MAX_LINE + 1];
        char where[300];
        char *key, *val, *eq;
        const cfg_param *prm;
        int rc;

        lineno++;
        snprintf(where, sizeof where, "%.240s:%d", name, lineno);
        if (n > CFG_MAX_LINE)
            return err_set(e, ERR_LIMIT, "%s: line longer than %d bytes", where, CFG_MAX_LINE);
        memcpy(line, p, n);
        line[n] = '\0';
        p += n + (nl ? 1 : 0);
        if (memchr(line, '\0', n))
            return err_set(e, ERR_USAGE, "%s: NUL byte in line", where);

        key = trim(line);
        if (*key == '\0' || *key == '#')
            continue;
        eq = strchr(key, '=');
        if (!eq)
            return err_set(e, ERR_USAGE, "%s: expected \"key = value\"", where);
        *eq = '\0';
        val = trim(eq + 1);
        key = trim(key);
        if (*key == '\0')
            return err_set(e, ERR_USAGE, "%s: missing key before \"=\"", where);
        if (*val == '"') {
            char *close = strchr(val + 1, '"');
            if (!close)
                return err_set(e, ERR_USAGE, "%s: unterminated quoted value", where);
            *close = '\0';
            {
                char *rest = trim(close + 1);
                if (*rest && *rest != '#')
                    return err_set(e, ERR_USAGE, "%s: text after the closing quote", where);
            }
            val = val + 1;
        } else {
            char *hash = strchr(val, '#');
            if (hash) {
                *hash = '\0';
                val = trim(val);
            }
        }
        prm = cfg_find(key);
        if (prm) {
            size_t idx = (size_t)(prm - cfg_params);
            if (seen[idx])
                return err_set(e, ERR_USAGE, "%s: %s is set twice", where, key);
            seen[idx] = 1;
        }
        rc = cfg_set(c, key, val, where, e);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int cfg_load_string(cfg_t *c, const char *name, const char *text, err_t *e)
{
    int rc = cfg_init(c);

    if (rc != 0)
        return err_set(e, rc, "out of memory");
    rc = cfg_parse(c, name, text, e);
    if (rc == 0) {
        rc = cfg_validate(c, e);
        if (rc != 0)
            err_prefix(e, "%.240s: ", name);
    }
    if (rc != 0)
        cfg_dispose(c);
    return rc;
}

int cfg_load(cfg_t *c, const char *path, err_t *e)
{
    FILE *f = NULL;
    buf_t b;
    char chunk[8192];
    size_t n;
    int rc = 0;

    memset(c, 0, sizeof *c);
    buf_init(&b, CFG_MAX_FILE);
    f = fopen(path, "r");
    if (!f) {
        rc = err_set(e, ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        goto cleanup;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf_append(&b, chunk, n) != 0) {
            rc = err_set(e, ERR_LIMIT, "%s: larger than %d bytes", path, CFG_MAX_FILE);
            goto cleanup;
        }
    }
    if (ferror(f)) {
        rc = err_set(e, ERR_IO, "%s: read error", path);
        goto cleanup;
    }
    if (memchr(buf_cstr(&b), '\0', b.len)) {
        rc = err_set(e, ERR_USAGE, "%s: NUL byte in file", path);
        goto cleanup;
    }
    rc = cfg_load_string(c, path, buf_cstr(&b), e);

cleanup:
    if (f)
        fclose(f);
    buf_dispose(&b);
    return rc;
}

/* The text form of one setting's value into out. */
static void value_text(const cfg_t *c, const cfg_param *p, char *out, size_t size)
{
    static const char *const lv[] = {"error", "warn", "info", "debug"};
    size_t used = 0;

    out[0] = '\0';
    switch (p->type) {
    case CT_STRING:
        snprintf(out, size, "%s", *cstr_field(c, p) ? *cstr_field(c, p) : "");
        break;
    case CT_INT:
    case CT_SECONDS:
        snprintf(out, size, "%d", *cint_field(c, p));
        break;
    case CT_LOGLEVEL:
        snprintf(out, size, "%s", lv[c->log_level]);
        break;
    case CT_AUDIENCE:
        snprintf(out, size, "%s", c->report_audience == CFG_AUDIENCE_PUBLIC ? "public" : "internal");
        break;
    case CT_KINDS:
        for (unsigned k = 0; k < 3 && used < size; k++) {
            if (c->job_kinds & (1u << k)) {
                int w = snprintf(out + used, size - used, "%s%s", used ? ", " : "", cfg_kind_names[k]);
                if (w < 0)
                    break;
                used += (size_t)w;
            }
        }
        break;
    case CT_LIST:
        for (size_t i = 0; i < c->n_criteria && used < size; i++) {
            int w = snprintf(out + used, size - used, "%s%s", i ? ", " : "", c->criteria[i]);
            if (w < 0)
                break;
            used += (size_t)w;
        }
        break;
    }
}

static int needs_quotes(const char *v)
{
    size_t n = strlen(v);
    return n == 0 || v[0] == ' ' || v[n - 1] == ' ' || strchr(v, '#') != NULL || v[0] == '"';
}

void cfg_show(const cfg_t *c, FILE *out)
{
    char v[CFG_MAX_VALUE * 2];

    for (size_t i = 0; i < CFG_N; i++) {
        const cfg_param *p = &cfg_params[i];
        value_text(c, p, v, sizeof v);
        fprintf(out, "# %s%s\n", p->help, p->reloadable ? "" : " (restart to change)");
        if (needs_quotes(v))
            fprintf(out, "%s = \"%s\"\n", p->name, v);
        else
            fprintf(out, "%s = %s\n", p->name, v);
    }
}

void cfg_doc_markdown(FILE *out)
{
    fprintf(out, "| key | type | default | on SIGHUP | meaning |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < CFG_N; i++) {
        const cfg_param *p = &cfg_params[i];
        fprintf(out, "| `%s` | %s | `%s` | %s | %s |\n", p->name, cfg_type_names[p->type],
                *p->def ? p->def : "\"\"", p->reloadable ? "applied" : "restart", p->help);
    }
}

void cfg_nonreloadable_changes(const cfg_t *old, const cfg_t *new_, char *buf, size_t size)
{
    char a[CFG_MAX_VALUE * 2], b[CFG_MAX_VALUE * 2];
    size_t used = 0;

    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < CFG_N; i++) {
        const cfg_param *p = &cfg_params[i];
        if (p->reloadable)
            continue;
        value_text(old, p, a, sizeof a);
        value_text(new_, p, b, sizeof b);
        if (strcmp(a, b) != 0 && used < size) {
            int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", p->name);
            if (w > 0)
                used += (size_t)w;
        }
    }
}

int cfg_carry_nonreloadable(cfg_t *new_, const cfg_t *old, err_t *e)
{
    char v[CFG_MAX_VALUE * 2];

    for (size_t i = 0; i < CFG_N; i++) {
        const cfg_param *p = &cfg_params[i];
        int rc;
        if (p->reloadable)
            continue;
        value_text(old, p, v, sizeof v);
        rc = cfg_set(new_, p->name, v, NULL, e);
        if (rc != 0)
            return rc;
    }
    return 0;
}
