/* cmd_migrate.c - procaudit migrate: apply the numbered schema migrations. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

static const struct {
    const char *name;
    const char *arg;
    const char *help;
} migrate_options[] = {
    {"--db", "CONNINFO", "libpq conninfo or URI (default: the PG* environment variables)"},
    {"--dir", "DIR", "migrations directory (default: $PROCAUDIT_MIGRATIONS, else "
                     "../migrations beside the executable, else ./migrations)"},
    {"--check", NULL, "only compare the database with the files; exit 3 when they differ"},
    {"--help", NULL, "this text"},
};

static void migrate_usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: procaudit migrate [--db CONNINFO] [--dir DIR] [--check]\n\n"
               "Applies migrations/NNN_name.sql not yet applied, in order, each in its own\n"
               "transaction, recorded in schema_migrations. Running it again changes nothing.\n"
               "An applied file that changed since is an error.\n\noptions:\n");
    for (i = 0; i < sizeof migrate_options / sizeof migrate_options[0]; i++)
        fprintf(f, "  %-6s %-9s %s\n", migrate_options[i].name,
                migrate_options[i].arg ? migrate_options[i].arg : "", migrate_options[i].help);
    fprintf(f, "\nexit codes: 0 ok, 2 usage, 3 database or files (message on stderr)\n");
}

int cmd_migrate(int argc, char **argv)
{
    const char *db = NULL, *dir_opt = NULL;
    char dir[4096];
    int check = 0, i, rc;
    store *st = NULL;
    store_migrate_report rep;
    err_t e;

    err_clear(&e);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            migrate_usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            dir_opt = argv[++i];
        } else if (strcmp(argv[i], "--check") == 0) {
            check = 1;
        } else {
            fprintf(stderr, "procaudit migrate: unexpected argument '%s'\n", argv[i]);
            migrate_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    rc = store_migrations_dir(dir, sizeof dir, dir_opt, &e);
    if (rc == 0)
        rc = store_open(&st, db, &e);
    if (rc == 0 && check) {
        rc = store_schema_check(st, dir, &e);
        if (rc == 0)
            printf("migrate: the database matches %s\n", dir);
    } else if (rc == 0) {
        rc = store_migrate(st, dir, &rep, &e);
        if (rc == 0)
            printf("migrate: %d applied, %d already applied, schema version %03d (%s)\n",
                   rep.applied, rep.already, rep.latest, dir);
    }
    store_close(st);
    if (rc) {
        fprintf(stderr, "procaudit migrate: %s\n", e.msg);
        return rc == ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_INFRA;
    }
    return CLI_EXIT_OK;
}
