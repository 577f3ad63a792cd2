/* test_indicators_price.c - price indicators on procurements built in C, with the
 * arithmetic in the comments. */
#include "ind_fixture.h"

/* ---- award_vs_estimate ---- */

static void test_award_vs_estimate(void **state)
{
    model_procurement *p = fx_new("ave");
    model_award *a;
    double m;

    (void)state;
    fx_status("award_vs_estimate", p, NOKV, RESULT_NOT_APPLICABLE);   /* nothing awarded */
    a = fx_award(p, "active", "S", NULL);
    a->value = fx_amount(105, "EUR");
    fx_status("award_vs_estimate", p, NOKV, RESULT_INSUFFICIENT_DATA);  /* no estimate */
    p->tender_value = fx_amount(100, "EUR");
    /* 105 / 100 = 1.05: not above 1.10, not within 1% of 1. */
    m = fx_status("award_vs_estimate", p, NOKV, RESULT_PASS);
    assert_true(fabs(m - 1.05) < 1e-12);
    a->value.amount = 111;   /* 1.11 > 1.10 */
    fx_status("award_vs_estimate", p, NOKV, RESULT_FLAG);
    a->value.amount = 110;   /* exactly 1 + 0.10: not above */
    fx_status("award_vs_estimate", p, NOKV, RESULT_PASS);
    a->value.amount = 101;   /* exactly 1% from the estimate: within the closeness band */
    fx_status("award_vs_estimate", p, NOKV, RESULT_FLAG);
    a->value.amount = 99.5;  /* 0.5% below */
    fx_status("award_vs_estimate", p, NOKV, RESULT_FLAG);
    fx_status("award_vs_estimate", p, KV("closeness=0"), RESULT_PASS);
    /* Two awards are summed: 60 + 60 = 120 -> 1.20 > 1.10. */
    a->value.amount = 60;
    a = fx_award(p, NULL, "T", NULL);
    a->value = fx_amount(60, "EUR");
    assert_true(fabs(fx_status("award_vs_estimate", p, NOKV, RESULT_FLAG) - 1.2) < 1e-12);
    /* A cancelled award does not count: 60 / 100. */
    free(a->status);
    a->status = fx_dup("cancelled");
    fx_status("award_vs_estimate", p, NOKV, RESULT_PASS);
    /* Hostile: another currency, a negative award, a zero or huge estimate. */
    free(p->awards[1].status);
    p->awards[1].status = NULL;
    p->awards[1].value = fx_amount(60, "USD");
    fx_status("award_vs_estimate", p, NOKV, RESULT_INSUFFICIENT_DATA);
    p->awards[1].value = fx_amount(-60, "EUR");
    fx_status("award_vs_estimate", p, NOKV, RESULT_INSUFFICIENT_DATA);
    p->awards[1].value = fx_amount(60, "EUR");
    p->tender_value = fx_amount(0, "EUR");
    fx_status("award_vs_estimate", p, NOKV, RESULT_INSUFFICIENT_DATA);
    p->tender_value = fx_amount(1e300, "EUR");
    fx_status("award_vs_estimate", p, NOKV, RESULT_INSUFFICIENT_DATA);
    p->tender_value = fx_amount(100, "");
    fx_status("award_vs_estimate", p, NOKV, RESULT_INSUFFICIENT_DATA);
    model_procurement_free(p);
}

/* ---- contract_value_increase ---- */

static void test_contract_value_increase(void **state)
{
    model_procurement *p = fx_new("cvi");
    model_contract *c;
    result_list l;

    (void)state;
    fx_status("contract_value_increase", p, NOKV, RESULT_NOT_APPLICABLE);  /* no contract */
    c = fx_contract(p, "c1", "active");
    c->value = fx_amount(125, "EUR");
    fx_status("contract_value_increase", p, NOKV, RESULT_NOT_APPLICABLE);  /* no amendment */
    c->amendments = calloc(1, sizeof *c->amendments);
    c->n_amendments = 1;
    fx_status("contract_value_increase", p, NOKV, RESULT_INSUFFICIENT_DATA);  /* original unknown */
    c->original_value = fx_amount(100, "EUR");
    /* 125 / 100 = 1.25 > 1.20 */
    assert_int_equal(fx_run("contract_value_increase", p, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    assert_string_equal(fx_one(&l)->subject_kind, "contract");
    assert_string_equal(fx_one(&l)->subject_id, "c1");
    assert_true(fabs(fx_one(&l)->measured - 1.25) < 1e-12);
    result_list_dispose(&l);
    c->value.amount = 120;  /* exactly 1.20: not above */
    fx_status("contract_value_increase", p, NOKV, RESULT_PASS);
    /* Value absent: the last amendment stating one (130) stands in: 1.30. */
    c->value.present = 0;
    c->amendments[0].has_amended_value = 1;
    c->amendments[0].amended_value = fx_amount(130, "EUR");
    assert_true(fabs(fx_status("contract_value_increase", p, NOKV, RESULT_FLAG) - 1.3) < 1e-12);
    fx_status("contract_value_increase", p, KV("limit=0.5"), RESULT_PASS);
    /* Hostile: currencies differ; original not positive. */
    c->amendments[0].amended_value = fx_amount(130, "USD");
    fx_status("contract_value_increase", p, NOKV, RESULT_INSUFFICIENT_DATA);
    c->amendments[0].amended_value = fx_amount(130, "EUR");
    c->original_value.amount = -1;
    fx_status("contract_value_increase", p, NOKV, RESULT_INSUFFICIENT_DATA);
    model_procurement_free(p);
}

/* ---- payments_exceed_contract ---- */

static void test_payments_exceed_contract(void **state)
{
    model_procurement *p = fx_new("pec");
    model_contract *c;

    (void)state;
    fx_status("payments_exceed_contract", p, NOKV, RESULT_NOT_APPLICABLE);
    c = fx_contract(p, "c1", "active");
    c->value = fx_amount(100, "EUR");
    fx_status("payments_exceed_contract", p, NOKV, RESULT_NOT_APPLICABLE);  /* no payment */
    fx_transaction(c, 60, "EUR", "2020-01-01");
    fx_transaction(c, 40, "EUR", "2020-02-01");
    /* 60 + 40 = 100: equal to the value, not above. */
    assert_true(fx_status("payments_exceed_contract", p, NOKV, RESULT_PASS) == 100.0);
    fx_transaction(c, 10, "EUR", "2020-03-01");
    /* 110 > 100 */
    assert_true(fx_status("payments_exceed_contract", p, NOKV, RESULT_FLAG) == 110.0);
    fx_status("payments_exceed_contract", p, KV("tolerance=0.1"), RESULT_PASS);  /* 110 <= 110 */
    fx_transaction(c, 1, "USD", "2020-04-01");
    fx_status("payments_exceed_contract", p, NOKV, RESULT_INSUFFICIENT_DATA);
    free(c->transactions);  /* drop every payment (they own no strings here) */
    c->transactions = NULL;
    c->n_transactions = 0;
    fx_transaction(c, NAN, "EUR", "2020-01-01");  /* a payment without amount */
    fx_status("payments_exceed_contract", p, NOKV, RESULT_INSUFFICIENT_DATA);
    model_procurement_free(p);
}

/* ---- just_below_threshold ---- */

static void test_just_below_threshold(void **state)
{
    model_procurement *p = fx_new("jbt");

    (void)state;
    fx_status("just_below_threshold", p, NOKV, RESULT_INSUFFICIENT_DATA);
    /* Threshold 221000 EUR, band 5%: flagged from 221000 * 0.95 = 209950 up to 220999.99. */
    p->tender_value = fx_amount(215000, "EUR");
    assert_true(fx_status("just_below_threshold", p, NOKV, RESULT_FLAG) == 215000.0);
    p->tender_value.amount = 209950;
    fx_status("just_below_threshold", p, NOKV, RESULT_FLAG);
    p->tender_value.amount = 209949;
    fx_status("just_below_threshold", p, NOKV, RESULT_PASS);
    p->tender_value.amount = 221000;  /* at the threshold: not below it */
    fx_status("just_below_threshold", p, NOKV, RESULT_PASS);
    /* The shipped sets' form: several thresholds with currencies, margin as the band.
     * 140000 is within 5% below 143000 (135850..143000). */
    p->tender_value.amount = 140000;
    fx_status("just_below_threshold", p, KV("thresholds=143000 EUR|221000 EUR", "margin=0.05"), RESULT_FLAG);
    fx_status("just_below_threshold", p, KV("thresholds=143000 EUR|221000 EUR", "margin=0.01"), RESULT_PASS);
    p->tender_value = fx_amount(215000, "USD");
    fx_status("just_below_threshold", p, NOKV, RESULT_NOT_APPLICABLE);
    p->tender_value = fx_amount(-5, "EUR");  /* hostile: negative, below every threshold */
    fx_status("just_below_threshold", p, NOKV, RESULT_PASS);
    {
        result_list l;
        assert_int_equal(fx_run("just_below_threshold", p, KV("thresholds=abc"), &l), ERR_USAGE);
        assert_int_equal(fx_run("just_below_threshold", p, KV("band=1"), &l), ERR_USAGE);
    }
    model_procurement_free(p);
}

/* ---- price_close_to_winning_bid [R024] and heavily_discounted_bid [R058] ---- */

/* One active award to W; W bids w, L bids l (valid, USD). */
static model_procurement *bids2(const char *ocid, double w, double l)
{
    model_procurement *p = fx_new(ocid);
    fx_bid(p, "valid", w, "USD", "W", NULL);
    fx_bid(p, "valid", l, "USD", "L", NULL);
    fx_award(p, "active", "W", NULL);
    return p;
}

static void test_price_close_to_winning_bid(void **state)
{
    model_procurement *ps[9];
    result_list l;
    size_t i;

    (void)state;
    /* Ratios (l - w) / w: F 0, R 0, and seven at (101 - 1) / 1 = 100. Sorted
     * [0, 0, 100 x7], n = 9. Type-8 quantiles: h(0.25) = 9.333 * 0.25 + 1/3 = 2.667 ->
     * x2 + 0.667 (x3 - x2) = 66.67; h(0.75) = 7.333 -> 100. Lower fence
     * 66.67 - 1.5 * 33.33 = 16.67: the two zeros are flagged, the 100s are not. */
    ps[0] = bids2("F", 1, 1);
    ps[1] = bids2("R", 2, 2);
    for (i = 2; i < 9; i++)
        ps[i] = bids2("n", 1, 101);
    assert_int_equal(fx_run_pop("price_close_to_winning_bid", ps, 9, 0, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    assert_true(fx_one(&l)->measured == 0.0);
    assert_true(fabs(fx_one(&l)->threshold - 50.0 / 3.0) < 1e-9);
    assert_int_equal(fx_one(&l)->n_party_ids, 2);   /* the winner and the lowest other */
    assert_non_null(fx_one(&l)->stats_json);
    assert_non_null(strstr(fx_one(&l)->stats_json, "\"n\":9"));
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("price_close_to_winning_bid", ps, 9, 2, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_PASS);
    assert_true(fx_one(&l)->measured == 100.0);
    result_list_dispose(&l);
    /* A fixed threshold replaces the fence: 100 <= 100 flagged. */
    assert_int_equal(fx_run_pop("price_close_to_winning_bid", ps, 9, 2, KV("threshold=100"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    result_list_dispose(&l);
    /* The lowest bid did not win (W 5, L 4): not comparable. */
    model_procurement_free(ps[1]);
    ps[1] = bids2("R", 5, 4);
    assert_int_equal(fx_run_pop("price_close_to_winning_bid", ps, 9, 1, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_NOT_APPLICABLE);
    result_list_dispose(&l);
    /* A pending award: not final, not comparable; no bids: insufficient. */
    free(ps[1]->awards[0].status);
    ps[1]->awards[0].status = fx_dup("pending");
    assert_int_equal(fx_run_pop("price_close_to_winning_bid", ps, 9, 1, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_NOT_APPLICABLE);
    result_list_dispose(&l);
    for (i = 0; i < 9; i++)
        model_procurement_free(ps[i]);
    /* All ratios 0: Q1 = 0, the guard says no outliers (Cardinal's R024 guard). */
    ps[0] = bids2("a", 1, 1);
    ps[1] = bids2("b", 1, 1);
    assert_int_equal(fx_run_pop("price_close_to_winning_bid", ps, 2, 0, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_PASS);
    result_list_dispose(&l);
    model_procurement_free(ps[0]);
    model_procurement_free(ps[1]);
    /* Hostile: a winning bid of 0 (division by zero) and no currency are not compared. */
    ps[0] = bids2("zero", 0, 5);
    assert_int_equal(fx_run_pop("price_close_to_winning_bid", ps, 1, 0, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_NOT_APPLICABLE);
    assert_false(isnan(fx_one(&l)->measured));
    result_list_dispose(&l);
    model_procurement_free(ps[0]);
    ps[0] = bids2("nocur", 1, 5);
    ps[0]->bids[0].value.currency[0] = '\0';
    assert_int_equal(fx_run_pop("price_close_to_winning_bid", ps, 1, 0, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_NOT_APPLICABLE);
    result_list_dispose(&l);
    /* No price comparison for these method details. */
    ps[0]->procurement_method_details = fx_dup("NPC");
    assert_int_equal(fx_run_pop("price_close_to_winning_bid", ps, 1, 0,
                                KV("no_price_comparison_procurement_methods=NPC"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_NOT_APPLICABLE);
    result_list_dispose(&l);
    model_procurement_free(ps[0]);
}

static void test_heavily_discounted_bid(void **state)
{
    model_procurement *ps[5];
    result_list l;
    size_t i;

    (void)state;
    /* Ratios [0, 0, 0, 0, 100]: h(0.25) = 5.333 * 0.25 + 1/3 = 1.667 -> 0;
     * h(0.75) = 4.333 -> x4 + 0.333 (x5 - x4) = 33.33. Upper fence 33.33 + 50 = 83.33. */
    ps[0] = bids2("F", 1, 101);
    for (i = 1; i < 5; i++)
        ps[i] = bids2("n", 1, 1);
    assert_int_equal(fx_run_pop("heavily_discounted_bid", ps, 5, 0, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    assert_true(fx_one(&l)->measured == 100.0);
    assert_true(fabs(fx_one(&l)->threshold - 250.0 / 3.0) < 1e-9);
    assert_int_equal(fx_one(&l)->n_party_ids, 1);
    assert_string_equal(fx_one(&l)->party_ids[0], "W");
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("heavily_discounted_bid", ps, 5, 1, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_PASS);
    result_list_dispose(&l);
    /* Fixed threshold exactly at the ratio: 100 >= 100 flagged. */
    assert_int_equal(fx_run_pop("heavily_discounted_bid", ps, 5, 0, KV("threshold=100"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("heavily_discounted_bid", ps, 5, 0, KV("threshold=100.5"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_PASS);
    result_list_dispose(&l);
    /* A cancelled tender is excluded; without a population: insufficient. */
    ps[0]->tender_status = fx_dup("cancelled");
    assert_int_equal(fx_run_pop("heavily_discounted_bid", ps, 5, 0, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_NOT_APPLICABLE);
    result_list_dispose(&l);
    assert_int_equal(indicator_find("heavily_discounted_bid")->evaluate(ps[1], NULL, NULL, &l, NULL), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_INSUFFICIENT_DATA);
    result_list_dispose(&l);
    for (i = 0; i < 5; i++)
        model_procurement_free(ps[i]);
}

/* ---- identical_bid_prices [R028] ---- */

static void test_identical_bid_prices(void **state)
{
    model_procurement *p = fx_new("ibp");
    result_list l;

    (void)state;
    fx_status("identical_bid_prices", p, NOKV, RESULT_INSUFFICIENT_DATA);   /* no bids */
    fx_bid(p, "valid", 1, "USD", "V", NULL);
    fx_status("identical_bid_prices", p, NOKV, RESULT_NOT_APPLICABLE);      /* one priced bid */
    fx_bid(p, "disqualified", 1, "USD", "D", NULL);
    assert_int_equal(fx_run("identical_bid_prices", p, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    assert_true(fx_one(&l)->measured == 1.0);
    assert_int_equal(fx_one(&l)->n_party_ids, 2);
    result_list_dispose(&l);
    model_procurement_free(p);
    /* Same tenderer set in another order: not flagged. 1.0 vs 1.1 and USD vs CAD neither. */
    p = fx_new("shuffled");
    fx_bid(p, "valid", 1, "USD", "A", "Z", NULL);
    fx_bid(p, "disqualified", 1, "USD", "Z", "A", NULL);
    fx_bid(p, "valid", 1.1, "USD", "B", NULL);
    fx_bid(p, "valid", 1, "CAD", "C", NULL);
    fx_bid(p, "withdrawn", 1, "USD", "W", NULL);   /* not submitted */
    fx_bid(p, "valid", 1, "USD", NULL);            /* no tenderer */
    assert_true(fx_status("identical_bid_prices", p, NOKV, RESULT_PASS) == 0.0);
    p->procurement_method_details = fx_dup("NPC");
    fx_status("identical_bid_prices", p, KV("no_price_comparison_procurement_methods=NPC"), RESULT_NOT_APPLICABLE);
    /* An allow list without this procurement's details: not compared either. */
    fx_status("identical_bid_prices", p, KV("price_comparison_procurement_methods=Auction"), RESULT_NOT_APPLICABLE);
    model_procurement_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_award_vs_estimate),
        cmocka_unit_test(test_contract_value_increase),
        cmocka_unit_test(test_payments_exceed_contract),
        cmocka_unit_test(test_just_below_threshold),
        cmocka_unit_test(test_price_close_to_winning_bid),
        cmocka_unit_test(test_heavily_discounted_bid),
        cmocka_unit_test(test_identical_bid_prices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
