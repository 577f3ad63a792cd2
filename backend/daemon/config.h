/* config.h - procauditd's configuration: one table drives parsing, defaults,
 * --show-config and the reference in docs/daemon.md.
 *
 * The file format is one `key = value` per line; `#` starts a comment (outside a
 * value's quotes), blank lines are ignored, values may be wrapped in double quotes to
 * keep leading or trailing spaces. Unknown keys, bad values and repeated keys are
 * errors reported as `file:line: message`. Model: PgBouncer's bouncer_params[] and
 * Redis' static_configs[] (STYLE.md item 10).
 *
 * Ownership: a cfg_t owns all its strings; cfg_dispose frees them. A reload parses
 * into a fresh cfg_t, validates it, and the caller swaps only on success.
 */
#ifndef PROCAUDIT_CFG_H
#define PROCAUDIT_CFG_H

#include <stdio.h>

#include "util/err.h"
#include "util/log.h"

/* The most criteria sets a daemon applies at once. */
#define CFG_MAX_CRITERIA 16

typedef enum {
    CFG_AUDIENCE_INTERNAL = 0, /* everything, for the audit file */
    CFG_AUDIENCE_PUBLIC = 1    /* contact names, e-mails and phone numbers removed */
} cfg_audience;

typedef struct {
    char *archive_dir;        /* ingested files end up here */
    char *criteria[CFG_MAX_CRITERIA]; /* criteria-set files, in the order given */
    size_t n_criteria;
    char *database;           /* libpq conninfo or URI; "" = the PG* environment */
    char *inbox_dir;          /* files to ingest are dropped here */
    unsigned job_kinds;       /* bit k set: runs jobs of kind k (store_job_kind order) */
    int job_max_attempts;     /* a job failing this many times is marked failed */
    int job_retention;        /* seconds a done job is kept; 0 = forever */
    log_level log_level;
    char *migrations_dir;     /* "" = store_migrations_dir's search */
    char *name;               /* this daemon's name in jobs.locked_by; "" = host:pid */
    int poll_interval;        /* seconds between job polls when no NOTIFY arrives */
    cfg_audience report_audience;
    char *report_language;    /* "en", "zh", ...: the report template language */
    char *rejected_dir;       /* files that could not be ingested, with NAME.error */
    char *reports_dir;        /* rendered PDFs */
    int retry_backoff_max;    /* seconds: the longest wait between retries */
    int retry_backoff_min;    /* seconds: the first wait between retries */
    int settle_time;          /* seconds a file's mtime must be old before it is taken */
    int workers;              /* worker processes (each with its own connection) */
} cfg_t;

/* Sets every field to its default from the table (allocates the strings).
 * Returns 0 or ERR_NOMEM (then the cfg_t is disposed). */
int cfg_init(cfg_t *c) PA_MUSTCHECK;

/* Frees what a cfg_t owns; the struct is left zeroed. NULL is accepted. */
void cfg_dispose(cfg_t *c);

/* Sets defaults, then reads the file at `path` over them, then validates (cfg_validate).
 * On failure *c is disposed (zeroed) and e holds `path:line: message`.
 * Returns 0, ERR_IO (cannot open/read), ERR_USAGE (a bad line or value), ERR_LIMIT
 * (a line longer than 4096 bytes, a file over 1 MB, too many criteria sets) or ERR_NOMEM. */
int cfg_load(cfg_t *c, const char *path, err_t *e) PA_MUSTCHECK;

/* Same as cfg_load but from a string (for tests); `name` stands for the file name in
 * messages. */
int cfg_load_string(cfg_t *c, const char *name, const char *text, err_t *e) PA_MUSTCHECK;

/* Sets one key from its text form, as a file line would ("workers", "4"). `where` is
 * the "file:line" prefix of messages (may be NULL). Returns 0, ERR_USAGE or ERR_NOMEM. */
int cfg_set(cfg_t *c, const char *key, const char *value, const char *where, err_t *e) PA_MUSTCHECK;

/* Checks the cross-field rules: directories set and distinct, backoff min <= max,
 * workers 1..64, at least one criteria set. Returns 0 or ERR_USAGE. */
int cfg_validate(const cfg_t *c, err_t *e) PA_MUSTCHECK;

/* Writes every setting as `key = value` lines in table order, with the help text as a
 * comment above each: the output is a valid config file. */
void cfg_show(const cfg_t *c, FILE *out);

/* Writes the reference table (Markdown: key, type, default, reload, meaning). */
void cfg_doc_markdown(FILE *out);

/* Names the keys whose values differ between `old` and `new` but cannot change without
 * a restart, as a comma-separated list into `buf` (empty when none). */
void cfg_nonreloadable_changes(const cfg_t *old, const cfg_t *new_, char *buf, size_t size);

/* Copies the values of the keys that need a restart from `old` into `new_`, so a reload
 * applies only what it can. Returns 0 or ERR_NOMEM. */
int cfg_carry_nonreloadable(cfg_t *new_, const cfg_t *old, err_t *e) PA_MUSTCHECK;

#endif
