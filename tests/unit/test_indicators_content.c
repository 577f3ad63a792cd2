/* test_indicators_content.c - content indicators and the generic rule kinds on
 * procurements built in C, with the arithmetic in the comments. */
#include "ind_fixture.h"

/* ---- specification_completeness ---- */

static void test_specification_completeness(void **state)
{
    model_procurement *p = fx_new("sc");
    model_item *it;
    result_list l;
    char desc[101];

    (void)state;
    fx_status("specification_completeness", p, NOKV, RESULT_INSUFFICIENT_DATA);  /* no tender */
    p->title = fx_dup("Home care services");
    /* Nothing complete: 0 of 5 parts -> score 0, flagged. */
    assert_true(fx_status("specification_completeness", p, NOKV, RESULT_FLAG) == 0.0);
    memset(desc, 'a', 100);
    desc[100] = '\0';
    p->description = fx_dup(desc);                        /* exactly 100 characters: complete */
    it = fx_item(p, "85311000");
    it->has_quantity = 1;
    it->quantity = 12;
    it->unit_name = fx_dup("month");
    fx_item(p, NULL);                                     /* second item: nothing */
    p->has_duration_days = 1;
    p->duration_days = 365;
    /* description 1 + classified 1/2 + quantity 1/2 + period 1 + place 0 = 3 of 5 ->
     * 60: exactly the pass score. */
    assert_int_equal(fx_run("specification_completeness", p, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_PASS);
    assert_true(fabs(fx_one(&l)->score - 60.0) < 1e-9);
    result_list_dispose(&l);
    fx_status("specification_completeness", p, KV("pass_share=0.61"), RESULT_FLAG);
    p->place_of_performance = fx_dup("Lisbon");           /* 4 of 5 -> 80 */
    assert_true(fabs(fx_status("specification_completeness", p, NOKV, RESULT_PASS) - 80.0) < 1e-9);
    /* 99 characters: the description part drops out -> 60. UTF-8 counts code points:
     * 50 two-byte characters are 50 characters. */
    free(p->description);
    p->description = fx_dup(desc + 1);
    assert_true(fabs(fx_status("specification_completeness", p, NOKV, RESULT_PASS) - 60.0) < 1e-9);
    free(p->description);
    p->description = fx_dup("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");  /* 5 characters, 10 bytes */
    fx_status("specification_completeness", p, KV("minimum_description_chars=5"), RESULT_PASS);
    fx_status("specification_completeness", p, KV("minimum_description_chars=6", "pass_score=80"), RESULT_FLAG);
    /* Hostile quantity: negative does not count. */
    it = &p->items[0];
    it->quantity = -3;
    fx_status("specification_completeness", p, KV("minimum_description_chars=5", "pass_score=80"), RESULT_FLAG);
    model_procurement_free(p);
}

/* ---- documents_published ---- */

static void test_documents_published(void **state)
{
    model_procurement *p = fx_new("dp");

    (void)state;
    fx_status("documents_published", p, NOKV, RESULT_INSUFFICIENT_DATA);
    p->procurement_method = fx_dup("open");
    assert_true(fx_status("documents_published", p, NOKV, RESULT_FLAG) == 0.0);
    fx_doc_in(&p->documents, &p->n_documents, "contractDraft");
    fx_status("documents_published", p, NOKV, RESULT_FLAG);
    fx_doc_in(&p->documents, &p->n_documents, "technicalSpecifications");
    fx_doc_in(&p->documents, &p->n_documents, "technicalSpecifications");  /* counted once */
    assert_true(fx_status("documents_published", p, NOKV, RESULT_PASS) == 1.0);
    fx_status("documents_published", p, KV("minimum=2"), RESULT_FLAG);
    /* match=all over 3 listed types: 1 of 3 -> flagged; with all three -> pass. */
    fx_status("documents_published", p,
              KV("document_types=technicalSpecifications|biddingDocuments|evaluationCriteria", "match=all"),
              RESULT_FLAG);
    fx_doc_in(&p->documents, &p->n_documents, "biddingDocuments");
    fx_doc_in(&p->documents, &p->n_documents, "evaluationCriteria");
    fx_status("documents_published", p,
              KV("document_types=technicalSpecifications|biddingDocuments|evaluationCriteria", "match=all"),
              RESULT_PASS);
    model_procurement_free(p);
}

/* ---- scope_consistency ---- */

static void test_scope_consistency(void **state)
{
    model_procurement *p = fx_new("scope");

    (void)state;
    fx_item(p, "85311000");   /* CPV 85: services */
    fx_status("scope_consistency", p, NOKV, RESULT_INSUFFICIENT_DATA);  /* no category */
    p->main_procurement_category = fx_dup("services");
    assert_true(fx_status("scope_consistency", p, NOKV, RESULT_PASS) == 0.0);
    fx_item(p, "45210000");   /* CPV 45: works */
    fx_item(p, "30190000");   /* CPV 30: goods */
    assert_true(fx_status("scope_consistency", p, NOKV, RESULT_FLAG) == 2.0);
    /* Services set: items must fall under 85 or 80. */
    fx_status("scope_consistency", p, KV("classification_prefixes=85|80"), RESULT_FLAG);
    fx_status("scope_consistency", p, KV("classification_prefixes=85|45|30"), RESULT_PASS);
    /* Hostile: a code that is no CPV ("ZZ") is skipped; only it left -> insufficient. */
    model_procurement_free(p);
    p = fx_new("scope2");
    p->main_procurement_category = fx_dup("goods");
    fx_item(p, "ZZ");
    fx_status("scope_consistency", p, NOKV, RESULT_INSUFFICIENT_DATA);
    model_procurement_free(p);
}

/* ---- split_purchases (population) ---- */

static model_procurement *small(const char *ocid, const char *buyer, const char *sup, double amount,
                                const char *date, const char *cpv)
{
    model_procurement *p = fx_new(ocid);
    model_award *a;

    p->buyer_id = fx_dup(buyer);
    a = fx_award(p, "active", sup, NULL);
    a->id = fx_dup(ocid);
    a->value = fx_amount(amount, "EUR");
    a->date = fx_date(date);
    fx_award_item(a, cpv);
    return p;
}

static void test_split_purchases(void **state)
{
    model_procurement *ps[4];
    result_list l;
    size_t i;

    (void)state;
    /* Three awards of B to S under 100000 EUR, CPV group 853, within 90 days of the
     * middle one: 40000 + 40000 + 30000 = 110000 > 100000. */
    ps[0] = small("s1", "B", "S", 40000, "2021-01-01", "85311000");
    ps[1] = small("s2", "B", "S", 40000, "2021-02-01", "85312000");
    ps[2] = small("s3", "B", "S", 30000, "2021-03-01", "85321000");
    ps[3] = small("s4", "B", "S", 90000, "2021-02-15", "30190000");  /* other classification */
    assert_int_equal(fx_run_pop("split_purchases", ps, 4, 1, KV("threshold=100000"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    assert_true(fx_one(&l)->measured == 110000.0);
    result_list_dispose(&l);
    /* window 30: from s2 (2021-02-01) only s1 (31 days) is out, s3 (28 days) in:
     * 40000 + 30000 = 70000: pass. */
    assert_int_equal(fx_run_pop("split_purchases", ps, 4, 1, KV("threshold=100000", "window_days=30"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_PASS);
    assert_true(fx_one(&l)->measured == 70000.0);
    result_list_dispose(&l);
    /* Sum exactly at the threshold (110000) is not above it. */
    assert_int_equal(fx_run_pop("split_purchases", ps, 4, 1, KV("threshold_amount=110000"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_PASS);
    result_list_dispose(&l);
    /* s4 alone in its group. An award above the threshold is not a split part. */
    assert_int_equal(fx_run_pop("split_purchases", ps, 4, 3, KV("threshold=100000"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_PASS);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("split_purchases", ps, 4, 3, KV("threshold=50000"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_NOT_APPLICABLE);
    result_list_dispose(&l);
    /* No buyer: insufficient. */
    free(ps[0]->buyer_id);
    ps[0]->buyer_id = NULL;
    assert_int_equal(fx_run_pop("split_purchases", ps, 4, 0, KV("threshold=100000"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_INSUFFICIENT_DATA);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("split_purchases", ps, 4, 0, KV("threshold=-1"), &l), ERR_USAGE);
    for (i = 0; i < 4; i++)
        model_procurement_free(ps[i]);
}

/* ---- heterogeneous_supplier [R048] (population) ---- */

static model_procurement *supplied(const char *ocid, const char *sup, const char *c1, const char *c2)
{
    model_procurement *p = fx_new(ocid);
    model_award *a = fx_award(p, "active", sup, NULL);

    fx_award_item(a, c1);
    if (c2)
        fx_award_item(a, c2);
    return p;
}

static void test_heterogeneous_supplier(void **state)
{
    model_procurement *ps[6];
    result_list l;
    size_t i;

    (void)state;
    /* F supplies divisions 10 and 11 (variety 2); four others one division each.
     * Varieties [1, 1, 1, 1, 2]: Q1 h = 5.333 * .25 + 1/3 = 1.667 -> 1; Q3 h = 4.333 ->
     * 1 + .333 * 1 = 1.333; fence 1.333 + 1.5 * .333 = 1.833: F (2) flagged. */
    ps[0] = supplied("F", "F", "10000000", "11000000");
    ps[1] = supplied("1", "1", "10000000", NULL);
    ps[2] = supplied("2", "2", "10000000", NULL);
    ps[3] = supplied("3", "3", "10000000", NULL);
    ps[4] = supplied("4", "4", "10000000", "10100000");  /* same division twice: 1 */
    ps[5] = supplied("m", "S", "10000000", "11000000");
    ps[5]->awards[0].n_suppliers = 1;                     /* single supplier, pending below */
    free(ps[5]->awards[0].status);
    ps[5]->awards[0].status = fx_dup("pending");
    assert_int_equal(fx_run_pop("heterogeneous_supplier", ps, 6, 0, KV("minimum_contracting_processes=1"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    assert_string_equal(fx_one(&l)->subject_kind, "tenderer");
    assert_true(fx_one(&l)->measured == 2.0);
    assert_true(fabs(fx_one(&l)->threshold - 11.0 / 6.0) < 1e-9);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("heterogeneous_supplier", ps, 6, 4, KV("minimum_contracting_processes=1"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_PASS);
    assert_true(fx_one(&l)->measured == 1.0);
    result_list_dispose(&l);
    /* digits=3: 4's items 100 and 101 differ -> 2, F 100 and 110 -> 2; now [1,1,1,2,2]:
     * Q1 1, Q3 h 4.333 -> 2, fence 2 + 1.5 = 3.5: nobody flagged. */
    assert_int_equal(
        fx_run_pop("heterogeneous_supplier", ps, 6, 0, KV("minimum_contracting_processes=1", "digits=3"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_PASS);
    result_list_dispose(&l);
    /* Default minimum of 20 processes: F has 1 -> not applicable. Pending award -> NA. */
    assert_int_equal(fx_run_pop("heterogeneous_supplier", ps, 6, 0, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_NOT_APPLICABLE);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("heterogeneous_supplier", ps, 6, 5, KV("minimum_contracting_processes=1"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_NOT_APPLICABLE);
    result_list_dispose(&l);
    /* Fixed threshold: 2 >= 2 flagged. */
    assert_int_equal(
        fx_run_pop("heterogeneous_supplier", ps, 6, 0, KV("minimum_contracting_processes=1", "threshold=2"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    result_list_dispose(&l);
    /* F's second process has two awards to F with items: still one process, so F has 2
     * processes: judged with a minimum of 2, not with 3. */
    model_procurement_free(ps[5]);
    ps[5] = supplied("two", "F", "12000000", NULL);
    fx_award_item(fx_award(ps[5], "active", "F", NULL), "13000000");
    assert_int_equal(fx_run_pop("heterogeneous_supplier", ps, 6, 0, KV("minimum_contracting_processes=2"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);   /* variety 4 (10, 11, 12, 13) */
    assert_true(fx_one(&l)->measured == 4.0);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("heterogeneous_supplier", ps, 6, 5, KV("minimum_contracting_processes=3"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_NOT_APPLICABLE);   /* one result for F, not two */
    result_list_dispose(&l);
    for (i = 0; i < 6; i++)
        model_procurement_free(ps[i]);
}

/* ---- generic rule kinds ---- */

static void test_generic_field_present(void **state)
{
    model_procurement *p = fx_new("g");
    result_list l;

    (void)state;
    p->title = fx_dup("t");
    fx_status("field_present", p, KV("fields=tender.title"), RESULT_PASS);
    /* 1 of 2 present: 0.5 */
    assert_true(fx_status("field_present", p, KV("fields=tender.title|tender.description"), RESULT_FLAG) == 0.5);
    fx_status("field_present", p, KV("fields=tender.title|tender.description", "minimum_share=0.5"), RESULT_PASS);
    /* Date fields count too (the public-services set uses them). */
    p->contract_period_start = fx_date("2020-01-01");
    fx_status("field_present", p, KV("fields=tender.contractPeriod.startDate|tender.contractPeriod.durationInDays",
                                     "minimum_share=0.5"),
              RESULT_PASS);
    assert_int_equal(fx_run("field_present", p, KV("fields=tender.nope"), &l), ERR_USAGE);
    assert_int_equal(fx_run("field_present", p, NOKV, &l), ERR_USAGE);
    model_procurement_free(p);
}

static void test_generic_date_difference(void **state)
{
    model_procurement *p = fx_new("g");
    model_award *a;
    model_contract *c;
    result_list l;

    (void)state;
    a = fx_award(p, "active", "S", NULL);
    a->date = fx_date("2020-01-01");
    fx_status("date_difference", p, KV("from=awards.date", "to=contracts.dateSigned", "minimum_days=10"),
              RESULT_INSUFFICIENT_DATA);
    c = fx_contract(p, "c", "active");
    c->date_signed = fx_date("2020-01-11");  /* 10 days: exactly the minimum */
    assert_true(fx_status("date_difference", p,
                          KV("from=awards.date", "to=contracts.dateSigned", "minimum_days=10", "maximum_days=90"),
                          RESULT_PASS) == 10.0);
    c->date_signed = fx_date("2020-01-10");
    fx_status("date_difference", p, KV("from=awards.date", "to=contracts.dateSigned", "minimum_days=10"), RESULT_FLAG);
    c->date_signed = fx_date("2019-12-01");  /* hostile: signed before the award: -31 days */
    assert_true(fx_status("date_difference", p, KV("from=awards.date", "to=contracts.dateSigned", "maximum_days=90"),
                          RESULT_PASS) == -31.0);
    assert_int_equal(fx_run("date_difference", p, KV("from=awards.date", "to=contracts.dateSigned"), &l), ERR_USAGE);
    assert_int_equal(fx_run("date_difference", p, KV("from=x", "to=contracts.dateSigned", "minimum_days=1"), &l),
                     ERR_USAGE);
    model_procurement_free(p);
}

static void test_generic_value_in_list(void **state)
{
    model_procurement *p = fx_new("g");
    result_list l;

    (void)state;
    fx_status("value_in_list", p, KV("field=tender.awardCriteria", "values=ratedCriteria|qualityOnly"),
              RESULT_INSUFFICIENT_DATA);
    p->award_criteria = fx_dup("priceOnly");
    fx_status("value_in_list", p, KV("field=tender.awardCriteria", "values=ratedCriteria|qualityOnly"), RESULT_FLAG);
    fx_status("value_in_list", p, KV("field=tender.awardCriteria", "values=priceOnly", "mode=forbidden"), RESULT_FLAG);
    fx_status("value_in_list", p, KV("field=tender.awardCriteria", "values=priceOnly"), RESULT_PASS);
    /* No prefix matching: "price" is not "priceOnly". */
    fx_status("value_in_list", p, KV("field=tender.awardCriteria", "values=price"), RESULT_FLAG);
    assert_int_equal(fx_run("value_in_list", p, KV("field=tender.awardCriteria", "values=a", "mode=maybe"), &l),
                     ERR_USAGE);
    model_procurement_free(p);
}

static void test_generic_amount_ratio(void **state)
{
    model_procurement *p = fx_new("g");
    model_award *a;

    (void)state;
    p->tender_value = fx_amount(200, "EUR");
    fx_status("amount_ratio", p, KV("numerator=awards.value", "denominator=tender.value", "maximum=1.1"),
              RESULT_INSUFFICIENT_DATA);
    a = fx_award(p, "active", "S", NULL);
    a->value = fx_amount(220, "EUR");
    /* 220 / 200 = 1.1: exactly the maximum. */
    assert_true(fabs(fx_status("amount_ratio", p,
                               KV("numerator=awards.value", "denominator=tender.value", "minimum=0.5", "maximum=1.1"),
                               RESULT_PASS) - 1.1) < 1e-12);
    a->value.amount = 90;  /* 0.45 < 0.5 */
    fx_status("amount_ratio", p, KV("numerator=awards.value", "denominator=tender.value", "minimum=0.5"), RESULT_FLAG);
    a->value = fx_amount(90, "USD");
    fx_status("amount_ratio", p, KV("numerator=awards.value", "denominator=tender.value", "minimum=0.5"),
              RESULT_INSUFFICIENT_DATA);
    a->value = fx_amount(90, "EUR");
    p->tender_value.amount = 0;  /* hostile: division by zero */
    fx_status("amount_ratio", p, KV("numerator=awards.value", "denominator=tender.value", "minimum=0.5"),
              RESULT_INSUFFICIENT_DATA);
    model_procurement_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_specification_completeness),
        cmocka_unit_test(test_documents_published),
        cmocka_unit_test(test_scope_consistency),
        cmocka_unit_test(test_split_purchases),
        cmocka_unit_test(test_heterogeneous_supplier),
        cmocka_unit_test(test_generic_field_present),
        cmocka_unit_test(test_generic_date_difference),
        cmocka_unit_test(test_generic_value_in_list),
        cmocka_unit_test(test_generic_amount_ratio),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
