/* test_eforms_ingest.c - eForms notices through the whole chain: ingest into a fresh
 * PostgreSQL database (format detection, the eForms reader, the OCDS merge of a CN and its
 * CAN, the normalised tables, the data-quality notes), then scoring under the
 * public-services criteria set, checking that the award-criteria weights of the notices
 * arrive in the evaluation dimension with the values computed by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "criteria.h"
#include "eforms/eforms.h"
#include "ingest.h"
#include "pgtest.h"
#include "score.h"
#include "scoretest.h"
#include "store/evaluations.h"
#include "store/store.h"

#define DBNAME "procaudit_test_eforms_ingest"

#define FRA_OCID "ocds-procaudit-eforms-e3cdabf1-e057-47a5-9210-b1f6fc757228"
#define FIN_OCID "ocds-procaudit-eforms-bc38ad25-a1f2-4553-875f-ba937663dfff"
#define POL_OCID "ocds-procaudit-eforms-89fdee64-a1ba-4e69-924a-6a96ded61d8b"
#define NLD_OCID "ocds-procaudit-eforms-9974ccf1-1d0a-4393-9198-33b67d6e2cb7"
#define ITA_OCID "ocds-procaudit-eforms-513e5b58-02e0-42cd-9ff3-fcb7c1291ffc"

typedef struct {
    store *st;
    criteria_set *set;
    score_run_stats stats;
    size_t failed;
} fixture;

static void ingest_one(fixture *f, const char *path)
{
    ingest_stats is;
    err_t e;

    memset(&is, 0, sizeof is);
    err_clear(&e);
    if (ingest_file(f->st, path, &is, &e) != 0) {
        fprintf(stderr, "ingest %s: %s\n", path, e.msg);
        f->failed++;
        return;
    }
    if (strcmp(is.format, "eforms") != 0) {
        fprintf(stderr, "ingest %s: format %s\n", path, is.format);
        f->failed++;
    }
}

static int setup(void **state)
{
    const char *data = pgtest_shared_data();
    char path[4096];
    fixture *f;
    static const char *shared[] = {
        "eforms/sdk-examples/can_24_FRA_comments.xml", /* the CAN first: the merge orders by date */
        "eforms/sdk-examples/cn_24_FRA_comments.xml",
        "eforms/ted-published/eforms_sdk_v1.7/615708-2023.xml",
        "eforms/ted-published/package_can_v1.10/2024-OJS072-00215550.xml",
        "eforms/ted-published/package_can_v1.7/2024-OJS065-00191536.xml",
        "eforms/ted-published/eforms_sdk_v1.6/158253-2023.xml",
    };
    size_t i;

    *state = NULL;
    if (!data)
        return 0;
    f = calloc(1, sizeof *f);
    if (!f || pgtest_fresh(&f->st, DBNAME) != 0) {
        free(f);
        return -1;
    }
    eforms_registry_reset();
    for (i = 0; i < sizeof shared / sizeof shared[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", data, shared[i]);
        ingest_one(f, path);
    }
    snprintf(path, sizeof path, "%s/tests/fixtures/eforms/can_for_ita_cn_158253-2023.xml", pgtest_root());
    ingest_one(f, path);
    if (scoretest_score_all(f->st, "public-services.xml", &f->set, &f->stats) != 0)
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
    eforms_cleanup();
    return 0;
}

/* The text of the first column of the first row of sql with up to two parameters ("" when
 * no row or NULL). */
static void text_of(fixture *f, char *out, size_t n, const char *sql, const char *p1, const char *p2)
{
    PGresult *res = NULL;
    const char *v[2] = {p1, p2};
    err_t e;

    err_clear(&e);
    if (store_exec(f->st, &res, PGRES_TUPLES_OK, sql, p2 ? 2 : p1 ? 1 : 0, v, &e) != 0)
        fail_msg("%s: %s", sql, e.msg);
    snprintf(out, n, "%s", PQntuples(res) && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
}

static void test_ingested(void **state)
{
    fixture *f = *state;
    char t[512];

    if (!f)
        skip();
    assert_int_equal(f->failed, 0);
    /* 7 files, 5 procedures: the FRA CN + CAN share one ocid, so do the ITA CN + CAN */
    assert_int_equal(pgtest_long(f->st, "SELECT count(*) FROM compiled_releases", NULL), 5);
    assert_int_equal(pgtest_long(f->st, "SELECT count(*) FROM releases", NULL), 7);
    /* both stages in the FRA compiled release: the CN's deadline (BT-131 2019-06-24Z
     * 16:00:00Z) and the CAN's 2 awards */
    text_of(f, t, sizeof t,
            "SELECT data->'tender'->'tenderPeriod'->>'endDate' FROM compiled_releases WHERE ocid = $1",
            FRA_OCID, NULL);
    assert_string_equal(t, "2019-06-24T16:00:00Z");
    text_of(f, t, sizeof t,
            "SELECT jsonb_array_length(data->'awards') FROM compiled_releases WHERE ocid = $1", FRA_OCID,
            NULL);
    assert_string_equal(t, "2");
    /* buyer in the normalised table (BT-500 of ORG-0001) */
    text_of(f, t, sizeof t, "SELECT buyer_name FROM procurements WHERE ocid = $1", FIN_OCID, NULL);
    assert_string_equal(t, "Puolustusvoimien logistiikkalaitos");
    /* POL 2024-OJS072-00215550: 6 lots, 6 awards; RES-0002 (LOT-0002) -> TEN-0048
     * PayableAmount PLN 2144443.98 -> TPA-0004 -> ORG-0003 Astrazeneca Kft. */
    text_of(f, t, sizeof t,
            "SELECT n_lots || '/' || n_awards || '/' || method || '/' || tender_value || ' ' || "
            "tender_currency FROM procurements WHERE ocid = $1",
            POL_OCID, NULL);
    assert_string_equal(t, "6/6/open/167733600 PLN");
    text_of(f, t, sizeof t, "SELECT value || ' ' || currency FROM awards WHERE ocid = $1 AND id = $2",
            POL_OCID, "RES-0002");
    assert_string_equal(t, "2144443.98 PLN");
    text_of(f, t, sizeof t, "SELECT supplier_name FROM award_suppliers WHERE ocid = $1 AND award_id = $2",
            POL_OCID, "RES-0002");
    assert_string_equal(t, "Astrazeneca Kft.");
    /* ITA: the CN gives BT-27 EUR 1200000 and the deadline 2023-04-26 16:00+02:00 = 14:00Z;
     * the CAN written for it gives 4 tenders received (BT-759) */
    text_of(f, t, sizeof t,
            "SELECT tender_value || '/' || number_of_tenderers || '/' || "
            "to_char(tender_end AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM procurements WHERE ocid = $1",
            ITA_OCID, NULL);
    assert_string_equal(t, "1200000/4/2023-04-26 14:00");
    /* NLD: BT-759 only t-esubm: no number of tenderers (NULL, not 0) */
    text_of(f, t, sizeof t,
            "SELECT coalesce(number_of_tenderers::text, 'null') FROM procurements WHERE ocid = $1", NLD_OCID,
            NULL);
    assert_string_equal(t, "null");
    /* data-quality notes are stored: the FIN notice declares eforms-sdk-1.7 */
    assert_true(pgtest_long(f->st,
                            "SELECT count(*) FROM quality_notes WHERE ocid = $1 AND code = "
                            "'xsd_version_substituted'",
                            FIN_OCID) >= 1);
}

/* The stored result of (ocid, criterion) in the latest evaluation. */
static void result_of(fixture *f, const char *ocid, const char *criterion, char *status, size_t n,
                      double *measured, int *has_measured, char *dim, size_t dn)
{
    PGresult *res = NULL;
    const char *v[2] = {ocid, criterion};
    err_t e;

    err_clear(&e);
    if (store_exec(
            f->st, &res, PGRES_TUPLES_OK,
            "SELECT r.status, r.measured, r.dimension FROM results r JOIN evaluations ev ON ev.id = "
            "r.evaluation_id WHERE ev.ocid = $1 AND r.criterion_id = $2 ORDER BY ev.id DESC, r.ord LIMIT 1",
            2, v, &e) != 0)
        fail_msg("%s", e.msg);
    if (PQntuples(res) != 1)
        fail_msg("no result for %s %s", ocid, criterion);
    snprintf(status, n, "%s", PQgetvalue(res, 0, 0));
    *has_measured = !PQgetisnull(res, 0, 1);
    *measured = *has_measured ? strtod(PQgetvalue(res, 0, 1), NULL) : 0;
    snprintf(dim, dn, "%s", PQgetvalue(res, 0, 2));
    PQclear(res);
}

static void test_weights_in_evaluation_dimension(void **state)
{
    fixture *f = *state;
    char st[32], dim[32];
    double m;
    int hm;

    if (!f)
        skip();
    /* FIN 615708-2023 (BT-23 services): LOT-0000 price per-exa 50, quality per-exa 50 ->
     * both weighted: PS-EVAL-CRITERIA pass, measured 2 (of 2); quality share
     * 50 / (50 + 50) = 0.5, not below 0.5 -> PS-EVAL-QUALITY pass */
    result_of(f, FIN_OCID, "PS-EVAL-CRITERIA", st, sizeof st, &m, &hm, dim, sizeof dim);
    assert_string_equal(dim, "evaluation");
    assert_string_equal(st, "pass");
    assert_true(hm && m == 2.0);
    result_of(f, FIN_OCID, "PS-EVAL-QUALITY", st, sizeof st, &m, &hm, dim, sizeof dim);
    assert_string_equal(dim, "evaluation");
    assert_string_equal(st, "pass");
    assert_true(hm);
    assert_float_equal(m, 0.5, 1e-9);

    /* FRA (services): LOT-0001 price 40 quality 60, LOT-0002 price 60 quality 40 (per-exa).
     * Shares per lot: 0.4/0.6 and 0.6/0.4; quality share = (0.6 + 0.4) / (0.4 + 0.6 + 0.6
     * + 0.4) = 1.0 / 2.0 = 0.5, not below the minimum 0.5 -> PS-EVAL-QUALITY pass. */
    result_of(f, FRA_OCID, "PS-EVAL-QUALITY", st, sizeof st, &m, &hm, dim, sizeof dim);
    assert_string_equal(dim, "evaluation");
    assert_string_equal(st, "pass");
    assert_true(hm);
    assert_float_equal(m, 0.5, 1e-9);
    /* 4 criteria, all weighted */
    result_of(f, FRA_OCID, "PS-EVAL-CRITERIA", st, sizeof st, &m, &hm, dim, sizeof dim);
    assert_string_equal(st, "pass");
    assert_true(hm && m == 4.0);

    /* ITA (services, CPV 71333000): price per-exa 100 only -> quality share 0 -> flag */
    result_of(f, ITA_OCID, "PS-EVAL-QUALITY", st, sizeof st, &m, &hm, dim, sizeof dim);
    assert_string_equal(st, "flag");
    assert_true(hm && m == 0.0);

    /* NLD: 5 criteria with fixed amounts (number-fixed), none weighted -> measured 0 of 5,
     * flag */
    result_of(f, NLD_OCID, "PS-EVAL-CRITERIA", st, sizeof st, &m, &hm, dim, sizeof dim);
    assert_string_equal(st, "flag");
    assert_true(hm && m == 0.0);
    /* the CAN itself is published: awards[].documents has the awardNotice (TED 191536-2024) */
    result_of(f, NLD_OCID, "PS-EVAL-REPORT", st, sizeof st, &m, &hm, dim, sizeof dim);
    assert_string_equal(dim, "evaluation");
    assert_string_equal(st, "pass");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ingested),
        cmocka_unit_test(test_weights_in_evaluation_dimension),
    };
    return cmocka_run_group_tests_name("eforms_ingest", tests, setup, teardown);
}
