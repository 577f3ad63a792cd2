/* pgtest.h - helpers for integration tests against the private PostgreSQL: a fresh
 * migrated database per test binary, row counts, single-number queries. */
#ifndef PROCAUDIT_PGTEST_H
#define PROCAUDIT_PGTEST_H

#include "store/store.h"

/* The repository root ($PROCAUDIT_ROOT, else "."). */
const char *pgtest_root(void);

/* $PROCAUDIT_SHARED/data when that directory exists, else NULL (tests then skip). */
const char *pgtest_shared_data(void);

/* Drops and creates database `name` (scripts/pg.sh createdb; name must be [a-z0-9_]),
 * applies every migration of $PROCAUDIT_ROOT/migrations and opens a store on it.
 * Returns 0, or -1 with the reason on stderr. */
int pgtest_fresh(store **out, const char *name);

/* Opens another connection to database `name`. NULL on failure (reason on stderr). */
store *pgtest_open(const char *name);

/* count(*) of one of the schema's tables (a fixed list: anything else returns -2);
 * -1 on a database error. */
long pgtest_count(store *st, const char *table);

/* The first column of the first row of `sql` run with at most one text parameter, as a
 * long (-1 on error or NULL). */
long pgtest_long(store *st, const char *sql, const char *param);

/* The first column of the first row as text into out (n bytes); 0, or -1 on error/NULL. */
int pgtest_text(store *st, const char *sql, const char *param, char *out, size_t n);

#endif
