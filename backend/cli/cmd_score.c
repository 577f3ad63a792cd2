/* cmd_score.c - procaudit score: evaluate compiled releases against a criteria set and
 * store the evaluations (append-only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "criteria.h"
#include "score.h"
#include "store/evaluations.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"

static const struct {
    const char *name;
    const char *arg;
    const char *help;
} score_options[] = {
    {"--all", NULL, "score every procurement in the database (the default)"},
    {"--ocid", "ID", "score one procurement"},
    {"--buyer", "ID", "score the procurements of one buyer (procurements.buyer_id)"},
    {"--criteria", "SET",
     "a criteria-set file, or a set id looked up in the templates "
     "(default: international-red-flags)"},
    {"--lang", "LANG", "language of the stored texts, e.g. en or zh (default: the set's)"},
    {"--population", "SCOPE",
     "all (default): population statistics over every procurement "
     "in the database; selection: over the procurements scored only"},
    {"--db", "CONNINFO", "libpq conninfo or URI (default: the PG* environment variables)"},
    {"--quiet", NULL, "no progress and summary lines"},
    {"--help", NULL, "this text"},
};

static void score_usage(FILE *f)
{
    fprintf(f, "usage: procaudit score [--all|--ocid ID|--buyer ID] [--criteria SET] [--lang LANG]\n"
               "                       [--population all|selection] [--db CONNINFO]\n\n"
               "Maps each compiled release of the scope to the procurement model, runs every\n"
               "enabled criterion of the set, and appends one evaluation per procurement\n"
               "(scores per dimension, overall, coverage, band, one row per result).\n"
               "Population indicators first see every procurement of the population scope.\n"
               "Templates are found in $PROCAUDIT_TEMPLATES, ../templates beside the\n"
               "executable, or ./templates.\n\noptions:\n");
    for (size_t i = 0; i < sizeof score_options / sizeof score_options[0]; i++)
        fprintf(f, "  %-12s %-9s %s\n", score_options[i].name,
                score_options[i].arg ? score_options[i].arg : "", score_options[i].help);
    fprintf(f, "\nexit codes: 0 ok, 1 not found (--ocid unknown) or some compiled releases could\n"
               "not be mapped (skipped), 2 usage or invalid criteria set, 3 database, files or\n"
               "memory\n");
}

static int count_one(void *ctx, const char *ocid, const char *json, size_t len, err_t *e)
{
    (void)ctx;
    (void)ocid;
    (void)json;
    (void)len;
    (void)e;
    return 0;
}

static int db_sink(void *ctx, const evaluation_t *ev, err_t *e)
{
    return store_eval_write(ctx, ev, NULL, e);
}

int cmd_score(int argc, char **argv)
{
    const char *db = NULL, *crit_arg = NULL, *lang = NULL, *ocid = NULL, *buyer = NULL;
    int all = 0, quiet = 0, pop_selection = 0, rc = 0, exit_code = CLI_EXIT_OK;
    store *st = NULL;
    criteria_set *set = NULL;
    buf_t path, errors;
    err_t e;
    score_run_stats stats = {0};
    buf_init(&path, 4096);
    buf_init(&errors, 1u << 20);
    err_clear(&e);

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            score_usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--all") == 0) {
            all = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--ocid") == 0 && has_val) {
            ocid = argv[++i];
        } else if (strcmp(a, "--buyer") == 0 && has_val) {
            buyer = argv[++i];
        } else if (strcmp(a, "--criteria") == 0 && has_val) {
            crit_arg = argv[++i];
        } else if (strcmp(a, "--lang") == 0 && has_val) {
            lang = argv[++i];
        } else if (strcmp(a, "--db") == 0 && has_val) {
            db = argv[++i];
        } else if (strcmp(a, "--population") == 0 && has_val) {
            const char *v = argv[++i];
            if (strcmp(v, "all") == 0) {
                pop_selection = 0;
            } else if (strcmp(v, "selection") == 0) {
                pop_selection = 1;
            } else {
                fprintf(stderr, "procaudit score: --population all|selection, not '%s'\n", v);
                return CLI_EXIT_USAGE;
            }
        } else if (!has_val && (strcmp(a, "--ocid") == 0 || strcmp(a, "--buyer") == 0 ||
                                strcmp(a, "--criteria") == 0 || strcmp(a, "--lang") == 0 ||
                                strcmp(a, "--db") == 0 || strcmp(a, "--population") == 0)) {
            fprintf(stderr, "procaudit score: %s needs a value\n", a);
            score_usage(stderr);
            return CLI_EXIT_USAGE;
        } else {
            fprintf(stderr, "procaudit score: unexpected argument '%s'\n", a);
            score_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (all + (ocid != NULL) + (buyer != NULL) > 1) {
        fprintf(stderr, "procaudit score: give one of --all, --ocid, --buyer\n");
        return CLI_EXIT_USAGE;
    }

    rc = criteria_resolve(&path, crit_arg, &e);
    if (rc) {
        fprintf(stderr, "procaudit score: %s\n", e.msg);
        exit_code = crit_arg ? CLI_EXIT_USAGE : CLI_EXIT_INFRA;
        goto cleanup;
    }
    rc = criteria_load_file(&set, buf_cstr(&path), NULL, &errors, &e);
    if (rc) {
        fputs(errors.len ? buf_cstr(&errors) : e.msg, stderr);
        if (!errors.len)
            fputc('\n', stderr);
        fprintf(stderr, "procaudit score: %s is not a valid criteria set\n", buf_cstr(&path));
        exit_code = rc == ERR_BAD_INPUT || rc == ERR_LIMIT ? CLI_EXIT_USAGE : CLI_EXIT_INFRA;
        goto cleanup;
    }
    rc = store_open(&st, db, &e);
    if (rc == 0)
        rc = store_eval_put_set(st, set, &e);
    if (rc) {
        fprintf(stderr, "procaudit score: %s\n", e.msg);
        exit_code = CLI_EXIT_INFRA;
        goto cleanup;
    }

    if (ocid) {
        /* An unknown ocid is "not found" (exit 1, as show and report), found before the
         * population pass. */
        size_t found = 0;
        store_eval_scope one = {ocid, NULL};
        rc = store_eval_each_compiled(st, &one, 1, count_one, NULL, &found, &e);
        if (rc) {
            fprintf(stderr, "procaudit score: %s\n", e.msg);
            exit_code = CLI_EXIT_INFRA;
            goto cleanup;
        }
        if (found == 0) {
            fprintf(stderr, "procaudit score: not found: no compiled release with ocid '%s'\n", ocid);
            exit_code = CLI_EXIT_REJECTED;
            goto cleanup;
        }
    }
    store_eval_source eval_src = {
        .st = st, .scope = {ocid, buyer}, .progress = !quiet && isatty(2), .label = "evaluated"};
    store_eval_source pop_src = {
        .st = st, .scope = {NULL, NULL}, .progress = eval_src.progress, .label = "population"};
    rc = score_run(set, lang, NULL, store_eval_source_each, pop_selection ? NULL : &pop_src,
                   store_eval_source_each, &eval_src, db_sink, st, &stats, &e);
    if (rc) {
        fprintf(stderr, "procaudit score: %s\n", e.msg);
        exit_code = cli_exit_for(rc) == CLI_EXIT_REJECTED ? CLI_EXIT_INFRA : cli_exit_for(rc);
        goto cleanup;
    }
    if (ocid && stats.evaluated == 0 && eval_src.rejected == 0) {
        fprintf(stderr, "procaudit score: not found: no compiled release with ocid '%s'\n", ocid);
        exit_code = CLI_EXIT_REJECTED;
        goto cleanup;
    }
    if (!quiet)
        printf("score: %zu procurements evaluated under %s %s (sha256 %.12s), %zu results, %zu flags, "
               "%zu skipped; population %zu\n",
               stats.evaluated, set->id, set->version, set->sha256, stats.results, stats.flags,
               eval_src.rejected, stats.population);
    if (eval_src.rejected)
        exit_code = CLI_EXIT_REJECTED;
cleanup:
    store_close(st);
    criteria_set_free(set);
    buf_dispose(&path);
    buf_dispose(&errors);
    return exit_code;
}
