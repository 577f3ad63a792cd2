/* cmd_show.c - procaudit show OCID: a procurement's main fields, counts and notes. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "result.h"
#include "store/evaluations.h"
#include "store/store.h"

#define SHOW_MAX_NOTES 50

static void show_usage(FILE *f)
{
    fprintf(f, "usage: procaudit show [--db CONNINFO] OCID\n\n"
               "Prints the procurement's main fields (buyer, method, values, dates), how many\n"
               "releases, parties, lots, items, bids, awards, contracts, amendments, documents\n"
               "and transactions it has, its latest evaluation (scores, coverage, band and every\n"
               "flag with its measured value and threshold), its data-quality notes and\n"
               "rejected records.\n\n"
               "options:\n"
               "  --db CONNINFO  libpq conninfo or URI (default: the PG* environment variables)\n"
               "  --help         this text\n"
               "\nexit codes: 0 shown; 1 not found (no procurement with that ocid); 2 usage;\n"
               "3 database\n");
}

/* Prints "  label: value" for every non-NULL column of row 0, in query order. */
static void print_row(const PGresult *res)
{
    int i, n = PQnfields(res);

    for (i = 0; i < n; i++)
        if (!PQgetisnull(res, 0, i))
            printf("  %-22s %s\n", PQfname(res, i), PQgetvalue(res, 0, i));
}

/* Prints the latest evaluation of ocid (under any criteria set): the set and its
 * SHA-256, the overall and dimension scores with coverage, the band, and every flag with
 * its measured value and threshold. ERR_NOT_FOUND is not an error here: it prints that
 * the procurement has not been scored. Other errors as store_eval_load_latest. */
static int show_evaluation(store *st, const char *ocid, err_t *e)
{
    evaluation_t *ev = NULL;
    int rc, d;
    size_t i;

    rc = store_eval_load_latest(st, ocid, NULL, &ev, NULL, e);
    if (rc == ERR_NOT_FOUND) {
        printf("evaluation: none yet (procaudit score --ocid %s)\n", ocid);
        err_clear(e);
        return 0;
    }
    if (rc)
        return rc;
    printf("evaluation (%s %s, sha256 %s, %s)\n", ev->set_id, ev->set_version, ev->set_sha256,
           ev->created_at ? ev->created_at : "");
    if (ev->has_overall)
        printf("  %-22s %.1f (coverage %.0f%%, %s)\n", "overall", ev->overall, ev->coverage * 100.0,
               ev->band ? ev->band : "no band");
    else
        printf("  %-22s not assessed (coverage %.0f%%)\n", "overall", ev->coverage * 100.0);
    for (d = 0; d < DIM_COUNT; d++) {
        if (ev->has_dim_score[d])
            printf("  %-22s %.1f (coverage %.0f%%)\n", dimension_name((dimension)d), ev->dim_score[d],
                   ev->dim_coverage[d] * 100.0);
        else
            printf("  %-22s not assessed (coverage %.0f%%)\n", dimension_name((dimension)d),
                   ev->dim_coverage[d] * 100.0);
    }
    for (i = 0; i < ev->n_results; i++) {
        const result_t *r = &ev->results[i];
        if (r->status != RESULT_FLAG)
            continue;
        printf("  flag %s (%s %s): %s; threshold %s\n", r->criterion_id, r->subject_kind ? r->subject_kind : "",
               r->subject_id ? r->subject_id : "", r->measured_text ? r->measured_text : "(no value)",
               r->threshold_text ? r->threshold_text : "(none)");
    }
    evaluation_free(ev);
    return 0;
}

static int show_main(store *st, const char *ocid, err_t *e)
{
    PGresult *res = NULL;
    const char *params[1] = {ocid};
    int rc, i;

    rc = store_exec(st, &res, PGRES_TUPLES_OK,
                    "SELECT p.ocid, p.title, p.buyer_id, p.buyer_name, p.procuring_entity_name,\n"
                    "  p.status AS tender_status, p.method, p.method_raw, p.method_details,\n"
                    "  p.category, p.award_criteria,\n"
                    "  p.tender_value || ' ' || coalesce(p.tender_currency, '?') AS tender_value,\n"
                    "  p.budget_value || ' ' || coalesce(p.budget_currency, '?') AS budget,\n"
                    "  p.date_published, p.tender_start, p.tender_end, p.award_period_end,\n"
                    "  p.contract_period_start, p.contract_period_end,\n"
                    "  p.number_of_tenderers, p.tenderers_listed, p.source_format,\n"
                    "  c.source AS compiled_from, c.releases AS releases_merged,\n"
                    "  p.updated_at\n"
                    "FROM procurements p LEFT JOIN compiled_releases c USING (ocid)\n"
                    "WHERE p.ocid = $1",
                    1, params, e);
    if (rc)
        return rc;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return err_set(e, ERR_NOT_FOUND, "no procurement with ocid '%s'", ocid);
    }
    printf("procurement %s\n", ocid);
    print_row(res);
    PQclear(res);

    rc = store_exec(st, &res, PGRES_TUPLES_OK,
                    "SELECT (SELECT count(*) FROM releases WHERE ocid = $1) AS releases,\n"
                    "  (SELECT count(*) FROM parties WHERE ocid = $1) AS parties,\n"
                    "  (SELECT count(*) FROM lots WHERE ocid = $1) AS lots,\n"
                    "  (SELECT count(*) FROM items WHERE ocid = $1) AS items,\n"
                    "  (SELECT count(*) FROM bids WHERE ocid = $1) AS bids,\n"
                    "  (SELECT count(*) FROM awards WHERE ocid = $1) AS awards,\n"
                    "  (SELECT count(*) FROM contracts WHERE ocid = $1) AS contracts,\n"
                    "  (SELECT count(*) FROM amendments WHERE ocid = $1) AS amendments,\n"
                    "  (SELECT count(*) FROM documents WHERE ocid = $1) AS documents,\n"
                    "  (SELECT count(*) FROM transactions WHERE ocid = $1) AS transactions",
                    1, params, e);
    if (rc)
        return rc;
    printf("counts\n");
    print_row(res);
    PQclear(res);

    rc = show_evaluation(st, ocid, e);
    if (rc)
        return rc;

    rc = store_exec(st, &res, PGRES_TUPLES_OK,
                    "SELECT a.id, a.status, a.value, a.currency,\n"
                    "  string_agg(coalesce(s.supplier_name, s.supplier_id), '; ') AS suppliers\n"
                    "FROM awards a LEFT JOIN award_suppliers s\n"
                    "  ON s.ocid = a.ocid AND s.award_id = a.id\n"
                    "WHERE a.ocid = $1 GROUP BY a.id, a.status, a.value, a.currency ORDER BY a.id\n"
                    "LIMIT 20",
                    1, params, e);
    if (rc)
        return rc;
    for (i = 0; i < PQntuples(res); i++)
        printf("award %s: %s, %s %s, %s\n", PQgetvalue(res, i, 0),
               PQgetisnull(res, i, 1) ? "(no status)" : PQgetvalue(res, i, 1),
               PQgetisnull(res, i, 2) ? "(no value)" : PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
               PQgetisnull(res, i, 4) ? "(no supplier)" : PQgetvalue(res, i, 4));
    PQclear(res);

    rc = store_exec(st, &res, PGRES_TUPLES_OK,
                    "SELECT origin, code, coalesce(field, '') AS field, message FROM quality_notes\n"
                    "WHERE ocid = $1 ORDER BY id LIMIT 50",
                    1, params, e);
    if (rc)
        return rc;
    printf("notes (%d%s)\n", PQntuples(res), PQntuples(res) == SHOW_MAX_NOTES ? " shown" : "");
    for (i = 0; i < PQntuples(res); i++)
        printf("  [%s] %s %s: %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
               PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
    PQclear(res);

    rc = store_exec(st, &res, PGRES_TUPLES_OK,
                    "SELECT f.name, r.line, coalesce(r.field, '') AS field, r.message\n"
                    "FROM rejected_records r JOIN ingested_files f ON f.id = r.file_id\n"
                    "WHERE r.ocid = $1 ORDER BY r.id LIMIT 20",
                    1, params, e);
    if (rc)
        return rc;
    for (i = 0; i < PQntuples(res); i++)
        printf("rejected: %s line %s %s: %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
               PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
    PQclear(res);
    return 0;
}

int cmd_show(int argc, char **argv)
{
    const char *db = NULL, *ocid = NULL;
    store *st = NULL;
    err_t e;
    int i, rc;

    err_clear(&e);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            show_usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (!ocid && (argv[i][0] != '-' || argv[i][1] == '\0')) {
            ocid = argv[i];
        } else {
            fprintf(stderr, "procaudit show: unexpected argument '%s'\n", argv[i]);
            show_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (!ocid) {
        fprintf(stderr, "procaudit show: no OCID given\n");
        show_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    rc = store_open(&st, db, &e);
    if (rc == 0)
        rc = show_main(st, ocid, &e);
    store_close(st);
    if (rc == ERR_NOT_FOUND) {
        fprintf(stderr, "procaudit show: %s\n", e.msg);
        return CLI_EXIT_REJECTED;
    }
    if (rc) {
        fprintf(stderr, "procaudit show: %s\n", e.msg);
        return CLI_EXIT_INFRA;
    }
    return CLI_EXIT_OK;
}
