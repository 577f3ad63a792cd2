/* test_score_all.c - ingest every OCDS file of $PROCAUDIT_SHARED/data/ocds into a fresh
 * database, score all procurements under international-red-flags, and check real results
 * against values computed by hand from the source JSON; then the storage round trip and
 * append-only re-scoring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>

#include "criteria.h"
#include "ingest.h"
#include "pgtest.h"
#include "score.h"
#include "scoretest.h"
#include "store/evaluations.h"
#include "store/store.h"
#include "util/buf.h"

#define DBNAME "procaudit_test_score_all"

typedef struct {
    store *st;
    criteria_set *set;
    size_t files, files_failed;
    score_run_stats stats;
} fixture;

/* Ingests every regular file under dir, in name order (recursive). */
static void ingest_tree(fixture *f, const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0)
        return;
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat sb;
        if (names[i]->d_name[0] == '.') {
            free(names[i]);
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        free(names[i]);
        if (stat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            ingest_tree(f, path);
        } else if (S_ISREG(sb.st_mode)) {
            ingest_stats is = {0};
            err_t e;
            err_clear(&e);
            f->files++;
            /* Some files are broken on purpose (empty, Latin-1): those fail, the rest go on. */
            if (ingest_file(f->st, path, &is, &e) != 0)
                f->files_failed++;
        }
    }
    free(names);
}

static int setup(void **state)
{
    const char *shared = getenv("PROCAUDIT_SHARED");
    char data[4096];
    if (!shared || !*shared)
        return 0;
    snprintf(data, sizeof data, "%s/data/ocds", shared);
    struct stat sb;
    if (stat(data, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return 0;
    fixture *f = calloc(1, sizeof *f);
    if (!f || pgtest_fresh(&f->st, DBNAME) != 0) {
        free(f);
        return -1;
    }
    ingest_tree(f, data);
    if (scoretest_score_all(f->st, "international-red-flags.xml", &f->set, &f->stats) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (!f)
        return 0;
    criteria_set_free(f->set);
    store_close(f->st);
    free(f);
    return 0;
}

/* One result of the stored evaluation of (ocid, criterion): status, measured. */
typedef struct {
    char status[32];
    int has_measured;
    double measured;
    int n;
} row;

static row result_of(fixture *f, const char *ocid, const char *criterion)
{
    row r = {0};
    PGresult *res = NULL;
    err_t e;
    const char *v[2] = {ocid, criterion};
    int rc =
        store_exec(f->st, &res, PGRES_TUPLES_OK,
                   "SELECT r.status, r.measured FROM results r JOIN evaluations ev ON ev.id = r.evaluation_id"
                   " WHERE ev.ocid = $1 AND r.criterion_id = $2 ORDER BY ev.id DESC, r.ord LIMIT 1",
                   2, v, &e);
    assert_int_equal(rc, 0);
    r.n = PQntuples(res);
    if (r.n) {
        snprintf(r.status, sizeof r.status, "%s", PQgetvalue(res, 0, 0));
        if (!PQgetisnull(res, 0, 1)) {
            r.has_measured = 1;
            r.measured = strtod(PQgetvalue(res, 0, 1), NULL);
        }
    }
    PQclear(res);
    return r;
}

static long count_of(fixture *f, const char *sql)
{
    PGresult *res = NULL;
    err_t e;
    assert_int_equal(store_exec(f->st, &res, PGRES_TUPLES_OK, sql, 0, NULL, &e), 0);
    long n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return n;
}

static void test_score_all_completes(void **state)
{
    fixture *f = *state;
    if (!f)
        skip();
    /* The shared data has 798 files; the OCDS part a few hundred, a handful broken. */
    assert_true(f->files > 300);
    assert_true(f->files_failed < f->files / 10);
    long compiled = count_of(f, "SELECT count(*) FROM compiled_releases");
    assert_true(compiled > 300);
    /* Every compiled release got exactly one evaluation, each criterion at least one result. */
    assert_int_equal(f->stats.evaluated, (size_t)compiled);
    assert_int_equal(f->stats.population, (size_t)compiled);
    assert_int_equal(count_of(f, "SELECT count(*) FROM evaluations"), compiled);
    assert_int_equal(count_of(f,
                              "SELECT count(*) FROM evaluations ev WHERE (SELECT count(DISTINCT criterion_id)"
                              " FROM results r WHERE r.evaluation_id = ev.id) <> 28"),
                     0);
    assert_int_equal(count_of(f, "SELECT count(*) FROM results"), (long)f->stats.results);
    assert_int_equal(count_of(f, "SELECT count(*) FROM results WHERE status = 'flag'"), (long)f->stats.flags);
    /* Scores exist only for pass/flag; coverage within 0..1 (the table checks it too). */
    assert_int_equal(
        count_of(f, "SELECT count(*) FROM results WHERE (score IS NULL) = (status IN ('pass','flag'))"), 0);
    /* An evaluation with no overall score is "not assessed", and only then. */
    assert_int_equal(
        count_of(f, "SELECT count(*) FROM evaluations WHERE (overall IS NULL) <> (band = 'not assessed')"),
        0);
}

static void test_score_all_hand_computed_results(void **state)
{
    fixture *f = *state;
    if (!f)
        skip();
    row r;

    /* armenia-armeps/releases/6.json, AM-PPS-9154d295df0b7d609ef3dcc4d10c1a01: selective,
     * tender.tenderPeriod 2016-07-01T11:10:45+04:00 .. 2016-07-11T10:00:00+04:00
     * = 10 days - 1:10:45 = 9 days + 82155 s = 9 + 82155/86400 = 9.950868 days < 15 -> flag. */
    r = result_of(f, "AM-PPS-9154d295df0b7d609ef3dcc4d10c1a01", "R003");
    assert_int_equal(r.n, 1);
    assert_string_equal(r.status, "flag");
    assert_true(r.has_measured);
    assert_float_equal(r.measured, 9.0 + 82155.0 / 86400.0, 1e-6);

    /* Same file, AM-PPS-da8b1b1a019e53c5d1fd025ad076ad3d: selective,
     * tender.numberOfTenderers 1 -> R018 flag (measured 1 tenderer);
     * award 16800000 AMD / tender.value 17000000 AMD = 0.988235: not above 1 + 0.10, and
     * |0.988235 - 1| = 0.0118 > closeness 0.01 -> PRICE-ESTIMATE pass. */
    r = result_of(f, "AM-PPS-da8b1b1a019e53c5d1fd025ad076ad3d", "R018");
    assert_string_equal(r.status, "flag");
    assert_float_equal(r.measured, 1.0, 0);
    r = result_of(f, "AM-PPS-da8b1b1a019e53c5d1fd025ad076ad3d", "PRICE-ESTIMATE");
    assert_string_equal(r.status, "pass");
    assert_float_equal(r.measured, 16800000.0 / 17000000.0, 1e-9);

    /* paraguay-dncp, ocds-03ad3f-275348: award 2607178400 PYG / tender.value 2597729024
     * PYG = 1.0036376: within 0.01 of the estimate -> PRICE-ESTIMATE flag (closeness). */
    r = result_of(f, "ocds-03ad3f-275348", "PRICE-ESTIMATE");
    assert_string_equal(r.status, "flag");
    assert_float_equal(r.measured, 2607178400.0 / 2597729024.0, 1e-9);

    /* mexico-cdmx-sefin, OCDS-87SD3T-AD-SF-DRM-065-2015: selective, numberOfTenderers 1
     * -> R018 flag; tenderPeriod 2015-12-14T00:00:00-06:00 .. 2015-12-17T00:00:00-06:00
     * = 3 days < 15 -> R003 flag. */
    r = result_of(f, "OCDS-87SD3T-AD-SF-DRM-065-2015", "R018");
    assert_string_equal(r.status, "flag");
    r = result_of(f, "OCDS-87SD3T-AD-SF-DRM-065-2015", "R003");
    assert_string_equal(r.status, "flag");
    assert_float_equal(r.measured, 3.0, 1e-9);
}

static void test_score_all_round_trip_and_append_only(void **state)
{
    fixture *f = *state;
    if (!f)
        skip();
    const char *ocid = "AM-PPS-da8b1b1a019e53c5d1fd025ad076ad3d";
    evaluation_t *a = NULL, *b = NULL;
    int64_t id1 = 0, id2 = 0;
    err_t e;
    assert_int_equal(store_eval_load_latest(f->st, ocid, "international-red-flags", &a, &id1, &e), 0);
    assert_string_equal(a->ocid, ocid);
    assert_string_equal(a->set_sha256, f->set->sha256);
    assert_string_equal(a->created_at, "2026-01-01T00:00:00Z");
    assert_int_equal(a->n_criteria, 28);
    assert_true(a->n_results >= 28);
    /* The R018 flag above lowers the procedure score below 100. */
    assert_true(a->has_dim_score[DIM_PROCEDURE]);
    assert_true(a->dim_score[DIM_PROCEDURE] < 100.0);

    /* Re-scoring adds a new evaluation; the latest is the new one, with equal content. */
    store_eval_source one = {.st = f->st, .scope = {ocid, NULL}};
    store_eval_source all = {.st = f->st};
    score_run_stats st;
    assert_int_equal(score_run(f->set, "en", "2026-01-02T00:00:00Z", store_eval_source_each, &all,
                               store_eval_source_each, &one, scoretest_sink, f->st, &st, &e),
                     0);
    assert_int_equal(st.evaluated, 1);
    assert_int_equal(store_eval_load_latest(f->st, ocid, NULL, &b, &id2, &e), 0);
    assert_true(id2 > id1);
    assert_string_equal(b->created_at, "2026-01-02T00:00:00Z");
    assert_int_equal(a->n_results, b->n_results);
    assert_int_equal(a->has_overall, b->has_overall);
    assert_float_equal(a->overall, b->overall, 0);
    assert_float_equal(a->coverage, b->coverage, 0);
    for (size_t i = 0; i < a->n_results; i++) {
        assert_string_equal(a->results[i].criterion_id, b->results[i].criterion_id);
        assert_int_equal(a->results[i].status, b->results[i].status);
        assert_float_equal(a->results[i].score, b->results[i].score, 0);
        assert_int_equal(a->results[i].n_fields, b->results[i].n_fields);
    }
    assert_string_equal(a->criteria[0].title, b->criteria[0].title);
    /* Both evaluations are kept; an UPDATE is refused. */
    assert_int_equal(
        count_of(f,
                 "SELECT count(*) FROM evaluations WHERE ocid = 'AM-PPS-da8b1b1a019e53c5d1fd025ad076ad3d'"),
        2);
    assert_int_not_equal(
        store_exec(f->st, NULL, PGRES_COMMAND_OK, "UPDATE evaluations SET band = 'x'", 0, NULL, &e), 0);
    /* The exact set file is stored. */
    char *content = NULL;
    assert_int_equal(store_eval_load_set_content(f->st, f->set->sha256, &content, &e), 0);
    assert_int_equal(strlen(content), f->set->content_len);
    free(content);
    evaluation_free(a);
    evaluation_free(b);
}

static int count_release(void *ctx, const char *ocid, const char *json, size_t len, err_t *e)
{
    (void)e;
    size_t *n = ctx;
    assert_non_null(ocid);
    assert_true(len > 2 && json[0] == '{');
    (*n)++;
    return 0;
}

/* The scope reader pages by ocid: with batches of 7 it visits every compiled release of
 * a buyer (AM-TIN-02507171, the buyer with the most procurements in the shared data)
 * exactly once, every compiled release when unscoped, and none for an unknown ocid. */
static void test_score_all_scope_pages(void **state)
{
    fixture *f = *state;
    if (!f)
        skip();
    err_t e;
    size_t n = 0, visited = 0;
    store_eval_scope buyer = {NULL, "AM-TIN-02507171"};
    assert_int_equal(store_eval_each_compiled(f->st, &buyer, 7, count_release, &n, &visited, &e), 0);
    long expect = count_of(f, "SELECT count(*) FROM procurements p JOIN compiled_releases c USING (ocid)"
                              " WHERE p.buyer_id = 'AM-TIN-02507171'");
    assert_true(expect > 7);
    assert_int_equal(n, (size_t)expect);
    assert_int_equal(visited, (size_t)expect);
    n = 0;
    assert_int_equal(store_eval_each_compiled(f->st, NULL, 7, count_release, &n, NULL, &e), 0);
    assert_int_equal(n, (size_t)count_of(f, "SELECT count(*) FROM compiled_releases"));
    store_eval_scope none = {"no-such-ocid", NULL};
    n = 0;
    assert_int_equal(store_eval_each_compiled(f->st, &none, 7, count_release, &n, NULL, &e), 0);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score_all_completes),
        cmocka_unit_test(test_score_all_hand_computed_results),
        cmocka_unit_test(test_score_all_round_trip_and_append_only),
        cmocka_unit_test(test_score_all_scope_pages),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
