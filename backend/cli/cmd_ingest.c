/* cmd_ingest.c - procaudit ingest FILE...: one summary line per file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ingest.h"
#include "store/store.h"

static const struct {
    const char *name;
    const char *arg;
    const char *help;
} ingest_options_help[] = {
    {"--db", "CONNINFO", "libpq conninfo or URI (default: the PG* environment variables)"},
    {"--batch", "N", "releases per batch (default 500; a batch also ends at 6 MB of JSON)"},
    {"--dir", "DIR", "migrations directory used for the schema check"},
    {"--quiet", NULL, "no progress line, even on a terminal"},
    {"--help", NULL, "this text"},
};

static void ingest_usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: procaudit ingest [OPTIONS] FILE...\n\n"
               "Ingests OCDS JSON (any packaging), eForms XML or native procaudit XML; the\n"
               "format is detected from the content. Each file is one transaction; a file\n"
               "whose bytes were already ingested changes nothing. One line per file on stdout.\n\n"
               "options:\n");
    for (i = 0; i < sizeof ingest_options_help / sizeof ingest_options_help[0]; i++)
        fprintf(f, "  %-8s %-9s %s\n", ingest_options_help[i].name,
                ingest_options_help[i].arg ? ingest_options_help[i].arg : "",
                ingest_options_help[i].help);
    fprintf(f, "\nexit codes: 0 all ingested; 1 some records or files rejected; 2 usage;\n"
               "3 infrastructure (database unreachable or refusing, unreadable file, memory)\n");
}

typedef struct {
    const char *path;
    int shown;
    double start;     /* when the file's ingest began (seconds, monotonic) */
    double last;      /* when the line was last drawn */
} progress_state;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A progress line on stderr (a terminal only), redrawn in place: only for files that take
 * more than a second, at most five times a second. */
static void show_progress(void *ctx, unsigned long long done, unsigned long long total,
                          size_t releases)
{
    progress_state *ps = ctx;
    unsigned pct = total ? (unsigned)(done * 100 / total) : 0;
    double t = now_s();

    if (t - ps->start < 1.0 || t - ps->last < 0.2)
        return;
    ps->last = t;
    fprintf(stderr, "\r\033[Kingest: %s %u%% (%zu releases, %.0f s)", ps->path, pct, releases,
            t - ps->start);
    fflush(stderr);
    ps->shown = 1;
}

static void print_summary(const char *path, const ingest_stats *s)
{
    if (s->duplicate_file) {
        printf("%s: already ingested (file #%lld, %s); nothing changed\n", path, s->file_id,
               s->format);
        return;
    }
    printf("%s: ingested %s%s%s: %zu releases (%zu new, %zu same, %zu changed), %zu compiled, "
           "%zu linked skipped, %zu rejected, %zu procurements, %zu notes\n",
           path, s->format, s->shape[0] ? " " : "", s->shape, s->releases_read, s->releases_new,
           s->releases_same, s->releases_changed, s->compiled, s->linked_skipped, s->rejected,
           s->procurements, s->notes);
}

/* The message without a leading "PATH: ": the lines below print the path once. */
static const char *after_path(const char *msg, const char *path)
{
    size_t pl = strlen(path);
    if (strncmp(msg, path, pl) == 0 && msg[pl] == ':' && msg[pl + 1] == ' ')
        return msg + pl + 2;
    return msg;
}

int cmd_ingest(int argc, char **argv)
{
    const char *db = NULL, *dir_opt = NULL;
    char dir[4096];
    int i, quiet = 0, exit_code = CLI_EXIT_OK, first_file = 0, rc;
    long batch = 0;
    store *st = NULL;
    ingest_options opts;
    err_t e;

    err_clear(&e);
    memset(&opts, 0, sizeof opts);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            ingest_usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            dir_opt = argv[++i];
        } else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
            char *end = NULL;
            batch = strtol(argv[++i], &end, 10);
            if (!end || *end || batch < 1 || batch > 4000) {
                fprintf(stderr, "procaudit ingest: --batch wants 1..4000\n");
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            quiet = 1;
        } else if (strcmp(argv[i], "--") == 0) {
            first_file = i + 1;
            break;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "procaudit ingest: unknown option '%s'\n", argv[i]);
            ingest_usage(stderr);
            return CLI_EXIT_USAGE;
        } else {
            first_file = i;
            break;
        }
    }
    if (first_file == 0 || first_file >= argc) {
        fprintf(stderr, "procaudit ingest: no FILE given\n");
        ingest_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    opts.batch = (size_t)batch;
    rc = store_migrations_dir(dir, sizeof dir, dir_opt, &e);
    if (rc == 0)
        rc = store_open(&st, db, &e);
    if (rc == 0) {
        rc = store_schema_check(st, dir, &e);
        if (rc == ERR_IO)
            rc = 0; /* no migration files beside us: let the statements speak */
    }
    if (rc) {
        fprintf(stderr, "procaudit ingest: %s\n", e.msg);
        store_close(st);
        return CLI_EXIT_INFRA;
    }
    for (i = first_file; i < argc; i++) {
        ingest_stats s;
        progress_state ps = {argv[i], 0, now_s(), 0.0};
        if (!quiet && isatty(STDERR_FILENO)) {
            opts.progress = show_progress;
            opts.progress_ctx = &ps;
        }
        err_clear(&e);
        rc = ingest_file_opts(st, argv[i], &opts, &s, &e);
        if (ps.shown) {
            fprintf(stderr, "\r\033[K");
            fflush(stderr);
        }
        if (rc == 0) {
            print_summary(argv[i], &s);
            if (s.rejected && exit_code == CLI_EXIT_OK)
                exit_code = CLI_EXIT_REJECTED;
        } else if (rc == ERR_BAD_INPUT) {
            printf("%s: rejected: %s\n", argv[i], after_path(e.msg, argv[i]));
            if (exit_code == CLI_EXIT_OK)
                exit_code = CLI_EXIT_REJECTED;
        } else {
            /* One line per file, on stdout with the others; the exit code says 3. */
            printf("%s: failed: %s\n", argv[i], after_path(e.msg, argv[i]));
            exit_code = CLI_EXIT_INFRA;
            if (rc == ERR_DB_UNAVAILABLE || rc == ERR_NOMEM)
                break; /* the next files would fail the same way */
        }
        fflush(stdout);
    }
    store_close(st);
    return exit_code;
}
