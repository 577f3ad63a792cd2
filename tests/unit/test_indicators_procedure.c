/* test_indicators_procedure.c - procedure indicators on procurements built in C: pass,
 * flag, not_applicable, insufficient_data, boundaries and hostile values, with the
 * expected numbers worked out by hand in the comments. */
#include "ind_fixture.h"

static model_procurement *period(const char *ocid, const char *start, const char *end, const char *method)
{
    model_procurement *p = fx_new(ocid);
    p->tender_start = fx_date(start);
    p->tender_end = fx_date(end);
    p->procurement_method = fx_dup(method);
    return p;
}

/* ---- submission_period [R003] ---- */

static void test_submission_period_boundary_and_flag(void **state)
{
    model_procurement *p;
    double m;

    (void)state;
    /* 2000-01-01T18:00 -> 2000-01-16T18:00 is exactly 15 days: meets the minimum of 15. */
    p = period("exact", "2000-01-01T18:00:00", "2000-01-16T18:00:00", "open");
    m = fx_status("submission_period", p, NOKV, RESULT_PASS);
    assert_true(fabs(m - 15.0) < 1e-9);
    model_procurement_free(p);
    /* One second less: 15 - 1/86400 = 14.99998843 days < 15: flagged. */
    p = period("short", "2000-01-01T18:00:00", "2000-01-16T17:59:59", "open");
    m = fx_status("submission_period", p, NOKV, RESULT_FLAG);
    assert_true(fabs(m - (15.0 - 1.0 / 86400.0)) < 1e-9);
    model_procurement_free(p);
}

static void test_submission_period_parameters(void **state)
{
    model_procurement *p;

    (void)state;
    /* threshold=10: 2000-01-10T18:00 -> 2000-01-20T17:59:59 is 9.99999 days: flagged. */
    p = period("10", "2000-01-10T18:00:00", "2000-01-20T17:59:59", NULL);
    fx_status("submission_period", p, KV("threshold=10"), RESULT_FLAG);
    /* minimum_days is the alias the shipped sets use: same verdict; 9.99999 >= 9: pass. */
    fx_status("submission_period", p, KV("minimum_days=9"), RESULT_PASS);
    model_procurement_free(p);
    /* Per details: x -> 5 days. 4.99999 days flagged, exactly 5 passes; details z falls
     * back to the default 15 (5 days < 15: flagged). */
    p = period("x", "2000-01-01T18:00:00", "2000-01-06T17:59:59", NULL);
    p->procurement_method_details = fx_dup("x");
    fx_status("submission_period", p, KV("procurement_method_details=x:5|y:10"), RESULT_FLAG);
    p->tender_end = fx_date("2000-01-06T18:00:00");
    fx_status("submission_period", p, KV("procurement_method_details=x:5|y:10"), RESULT_PASS);
    free(p->procurement_method_details);
    p->procurement_method_details = fx_dup("z");
    fx_status("submission_period", p, KV("procurement_method_details=x:5|y:10"), RESULT_FLAG);
    model_procurement_free(p);
}

/* The threshold text of a run of submission_period on p with parameters kv (owned copy). */
static char *r003_threshold_text(model_procurement *p, const char *const *kv)
{
    result_list l;
    char *t;

    assert_int_equal(fx_run("submission_period", p, kv, &l), 0);
    assert_non_null(fx_one(&l)->threshold_text);
    t = fx_dup(fx_one(&l)->threshold_text);
    result_list_dispose(&l);
    return t;
}

/* "(default)" only when no parameter gave the minimum. 2000-01-01 -> 2000-01-21 = 20 days. */
static void test_submission_period_threshold_source(void **state)
{
    model_procurement *p = period("src", "2000-01-01T00:00:00", "2000-01-21T00:00:00", "open");
    char *t;

    (void)state;
    t = r003_threshold_text(p, NOKV);
    assert_string_equal(t, "at least 15 days (default)");
    free(t);
    /* Given explicitly, even with the default's value. */
    t = r003_threshold_text(p, KV("threshold=15"));
    assert_string_equal(t, "at least 15 days (parameter threshold)");
    free(t);
    t = r003_threshold_text(p, KV("minimum_days=30"));
    assert_string_equal(t, "at least 30 days (parameter minimum_days)");
    free(t);
    /* A per-method minimum wins over the threshold and says so. */
    t = r003_threshold_text(p, KV("threshold=15", "procurement_method_thresholds=open:25"));
    assert_string_equal(t, "at least 25 days (the minimum for this procurement method)");
    free(t);
    model_procurement_free(p);
}

static void test_submission_period_not_applicable_and_missing(void **state)
{
    model_procurement *p;
    result_list l;
    err_t e;

    (void)state;
    /* Methods filter open|selective: limited and a missing method are not covered. */
    p = period("limited", "2000-01-01", "2000-01-05", "limited");
    fx_status("submission_period", p, KV("procurement_methods=open|selective"), RESULT_NOT_APPLICABLE);
    free(p->procurement_method);
    p->procurement_method = NULL;
    fx_status("submission_period", p, KV("procurement_methods=open|selective"), RESULT_NOT_APPLICABLE);
    model_procurement_free(p);
    /* No start date: insufficient data. */
    p = period("nostart", NULL, "2000-01-05", "open");
    fx_status("submission_period", p, NOKV, RESULT_INSUFFICIENT_DATA);
    /* A cancelled tender is excluded (as in Cardinal). */
    p->tender_status = fx_dup("cancelled");
    fx_status("submission_period", p, NOKV, RESULT_NOT_APPLICABLE);
    model_procurement_free(p);
    /* Excluded procurement method details. */
    p = period("exc", "2000-01-01", "2000-01-05", "open");
    p->procurement_method_details = fx_dup("EXC");
    fx_status("submission_period", p, KV("exclude_procurement_method_details=EXC"), RESULT_NOT_APPLICABLE);
    /* A malformed parameter is an error, not a result. */
    err_clear(&e);
    memset(&l, 0, sizeof l);
    assert_int_equal(fx_run("submission_period", p, KV("threshold=abc"), &l), ERR_USAGE);
    result_list_dispose(&l);
    assert_int_equal(fx_run("submission_period", p, KV("procurement_method_details=x5"), &l), ERR_USAGE);
    result_list_dispose(&l);
    model_procurement_free(p);
}

static void test_submission_period_hostile(void **state)
{
    model_procurement *p;
    double m;

    (void)state;
    /* End before start: -15 days, flagged (a zero-length period is shorter than 15 days). */
    p = period("reversed", "2000-01-16", "2000-01-01", "open");
    m = fx_status("submission_period", p, NOKV, RESULT_FLAG);
    assert_true(fabs(m + 15.0) < 1e-9);
    model_procurement_free(p);
    /* Zone-less datetimes are read as UTC by the mapper; the indicator just subtracts. */
    p = period("nozone", "2000-01-01T00:00:00", "2000-02-01T00:00:00", "open");
    p->tender_start.flags = MODEL_DATE_NO_ZONE;
    m = fx_status("submission_period", p, NOKV, RESULT_PASS);
    assert_true(fabs(m - 31.0) < 1e-9);
    model_procurement_free(p);
}

/* ---- single_bid [R018] ---- */

static void test_single_bid(void **state)
{
    model_procurement *p = fx_new("sb");

    (void)state;
    p->procurement_method = fx_dup("open");
    p->has_number_of_tenderers = 1;
    p->number_of_tenderers = 1;
    assert_true(fx_status("single_bid", p, NOKV, RESULT_FLAG) == 1.0);
    p->number_of_tenderers = 2;
    assert_true(fx_status("single_bid", p, NOKV, RESULT_PASS) == 2.0);
    /* No bid at all is not a single bid: not_applicable, the count (0) still shown. */
    p->number_of_tenderers = 0;
    assert_true(fx_status("single_bid", p, NOKV, RESULT_NOT_APPLICABLE) == 0.0);
    {
        result_list l;
        assert_int_equal(fx_run("single_bid", p, NOKV, &l), 0);
        assert_non_null(strstr(fx_one(&l)->explanation, "no bid was received"));
        result_list_dispose(&l);
    }
    p->number_of_tenderers = -1;  /* hostile: a negative count */
    fx_status("single_bid", p, NOKV, RESULT_INSUFFICIENT_DATA);
    /* Without numberOfTenderers: distinct tenderers of submitted bids (A twice = 1). */
    p->has_number_of_tenderers = 0;
    fx_status("single_bid", p, NOKV, RESULT_INSUFFICIENT_DATA);
    /* A submitted bid whose tenderer has no id: nothing to count. */
    fx_bid(p, "valid", 10, "EUR", "A", NULL);
    free(p->bids[0].tenderer_ids[0]);
    p->bids[0].tenderer_ids[0] = NULL;
    fx_status("single_bid", p, NOKV, RESULT_INSUFFICIENT_DATA);
    p->bids[0].tenderer_ids[0] = fx_dup("A");
    fx_bid(p, "valid", 12, "EUR", "A", NULL);
    fx_bid(p, "withdrawn", 9, "EUR", "B", NULL);  /* withdrawn: not submitted */
    assert_true(fx_status("single_bid", p, NOKV, RESULT_FLAG) == 1.0);
    fx_bid(p, "disqualified", 11, "EUR", "C", NULL);
    assert_true(fx_status("single_bid", p, NOKV, RESULT_PASS) == 2.0);
    /* limited is not competitive by default; selective is. */
    free(p->procurement_method);
    p->procurement_method = fx_dup("limited");
    fx_status("single_bid", p, NOKV, RESULT_NOT_APPLICABLE);
    fx_status("single_bid", p, KV("procurement_methods=limited"), RESULT_PASS);
    free(p->procurement_method);
    p->procurement_method = NULL;
    fx_status("single_bid", p, NOKV, RESULT_INSUFFICIENT_DATA);
    model_procurement_free(p);
}

/* ---- non_competitive_method ---- */

static void test_non_competitive_method(void **state)
{
    model_procurement *p = fx_new("nc");
    result_list l;

    (void)state;
    p->procurement_method = fx_dup("direct");
    assert_int_equal(fx_run("non_competitive_method", p, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    assert_true(fx_one(&l)->score == 0.0);  /* no rationale: 0 */
    result_list_dispose(&l);
    p->procurement_method_rationale = fx_dup("Only one provider holds the licence.");
    assert_int_equal(fx_run("non_competitive_method", p, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    assert_true(fx_one(&l)->score == 50.0);  /* with rationale: score_with_rationale 50 */
    result_list_dispose(&l);
    assert_int_equal(fx_run("non_competitive_method", p, KV("score_with_rationale=70"), &l), 0);
    assert_true(fx_one(&l)->score == 70.0);
    result_list_dispose(&l);
    assert_int_equal(fx_run("non_competitive_method", p, KV("score_with_rationale=150"), &l), ERR_USAGE);
    result_list_dispose(&l);
    free(p->procurement_method);
    p->procurement_method = fx_dup("open");
    fx_status("non_competitive_method", p, NOKV, RESULT_PASS);
    fx_status("non_competitive_method", p, KV("non_competitive_methods=open"), RESULT_FLAG);
    free(p->procurement_method);
    p->procurement_method = NULL;
    fx_status("non_competitive_method", p, NOKV, RESULT_INSUFFICIENT_DATA);
    p->tender_status = fx_dup("cancelled");
    fx_status("non_competitive_method", p, NOKV, RESULT_NOT_APPLICABLE);
    model_procurement_free(p);
}

/* ---- tender_not_published ---- */

static void test_tender_not_published(void **state)
{
    model_procurement *p = fx_new("tnp");
    model_award *a;

    (void)state;
    p->procurement_method = fx_dup("open");
    fx_status("tender_not_published", p, NOKV, RESULT_FLAG);  /* no date at all */
    p->tender_start = fx_date("2020-01-10");                   /* start as evidence */
    fx_status("tender_not_published", p, NOKV, RESULT_PASS);
    p->date_published = fx_date("2020-03-01");
    a = fx_award(p, "active", "S", NULL);
    a->date = fx_date("2020-02-01");
    /* Published 2020-03-01, 29 days after the award of 2020-02-01 (2020 is a leap year). */
    assert_true(fabs(fx_status("tender_not_published", p, NOKV, RESULT_FLAG) - 29.0) < 1e-9);
    p->date_published = fx_date("2020-02-01");  /* same instant as the award: not after */
    fx_status("tender_not_published", p, NOKV, RESULT_PASS);
    free(p->procurement_method);
    p->procurement_method = fx_dup("direct");
    fx_status("tender_not_published", p, NOKV, RESULT_NOT_APPLICABLE);
    free(p->procurement_method);
    p->procurement_method = NULL;
    fx_status("tender_not_published", p, NOKV, RESULT_INSUFFICIENT_DATA);
    model_procurement_free(p);
}

/* ---- decision_period ---- */

static void test_decision_period(void **state)
{
    model_procurement *p = fx_new("dp");
    model_award *a;

    (void)state;
    fx_status("decision_period", p, NOKV, RESULT_NOT_APPLICABLE);  /* no award */
    a = fx_award(p, "active", "S", NULL);
    fx_status("decision_period", p, NOKV, RESULT_INSUFFICIENT_DATA);  /* no dates */
    p->tender_end = fx_date("2000-01-01");
    a->date = fx_date("2000-01-31");
    assert_true(fabs(fx_status("decision_period", p, NOKV, RESULT_PASS) - 30.0) < 1e-9);
    /* 2000-01-01 + 120 days = 2000-04-30 (31 + 29 + 31 + 29): exactly the maximum. */
    a->date = fx_date("2000-04-30");
    assert_true(fabs(fx_status("decision_period", p, NOKV, RESULT_PASS) - 120.0) < 1e-9);
    a->date = fx_date("2000-05-01");
    fx_status("decision_period", p, NOKV, RESULT_FLAG);
    /* Award the day before the tender closed: -1 day < 0. */
    a->date = fx_date("1999-12-31");
    assert_true(fabs(fx_status("decision_period", p, NOKV, RESULT_FLAG) + 1.0) < 1e-9);
    fx_status("decision_period", p, KV("minimum_days=-2"), RESULT_PASS);
    model_procurement_free(p);
}

/* ---- timeline_coherence ---- */

static void test_timeline_coherence(void **state)
{
    model_procurement *p = fx_new("tl");
    model_award *a;
    model_contract *c;

    (void)state;
    fx_status("timeline_coherence", p, NOKV, RESULT_INSUFFICIENT_DATA);
    p->tender_start = fx_date("2020-01-01");
    p->tender_end = fx_date("2020-02-01");
    a = fx_award(p, "active", "S", NULL);
    a->id = fx_dup("a1");
    a->date = fx_date("2020-03-01");
    c = fx_contract(p, "c1", "active");
    c->award_id = fx_dup("a1");
    c->date_signed = fx_date("2020-03-10");
    fx_transaction(c, 100, "EUR", "2020-04-01");
    /* 4 pairs checked, all in order. */
    assert_true(fx_status("timeline_coherence", p, NOKV, RESULT_PASS) == 0.0);
    /* Signed one day before the award: 1 pair out of order. */
    c->date_signed = fx_date("2020-02-29");
    assert_true(fx_status("timeline_coherence", p, NOKV, RESULT_FLAG) == 1.0);
    fx_status("timeline_coherence", p, KV("tolerance_days=1"), RESULT_PASS);
    /* And a payment before the signature: 2 pairs. */
    c->transactions[0].date = fx_date("2020-01-15");
    assert_true(fx_status("timeline_coherence", p, NOKV, RESULT_FLAG) == 2.0);
    model_procurement_free(p);
}

/* ---- repeat_direct_awards (population) ---- */

static model_procurement *direct(const char *ocid, const char *buyer, const char *sup, const char *date)
{
    model_procurement *p = fx_new(ocid);
    model_award *a;

    p->procurement_method = fx_dup("direct");
    p->buyer_id = fx_dup(buyer);
    a = fx_award(p, "active", sup, NULL);
    a->date = fx_date(date);
    return p;
}

static void test_repeat_direct_awards(void **state)
{
    model_procurement *ps[5];
    result_list l;
    size_t i;

    (void)state;
    ps[0] = direct("d1", "B", "S", "2020-01-01");
    ps[1] = direct("d2", "B", "S", "2020-03-01");
    ps[2] = direct("d3", "B", "S", "2020-06-01");
    ps[3] = direct("d4", "B", "S", "2022-06-01");
    ps[4] = direct("d5", "C", "S", "2020-02-01");  /* another buyer */
    /* d2: the awards of 2020-01-01, 03-01, 06-01 fit one 365-day window: 3 >= 3. */
    assert_int_equal(fx_run_pop("repeat_direct_awards", ps, 5, 1, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    assert_true(fx_one(&l)->measured == 3.0);
    assert_string_equal(fx_one(&l)->subject_id, "S");
    result_list_dispose(&l);
    /* d4 (2022) stands alone: 1. d5: buyer C gave S one award: 1. */
    assert_int_equal(fx_run_pop("repeat_direct_awards", ps, 5, 3, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_PASS);
    assert_true(fx_one(&l)->measured == 1.0);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("repeat_direct_awards", ps, 5, 4, NOKV, &l), 0);
    assert_true(fx_one(&l)->measured == 1.0);
    result_list_dispose(&l);
    /* Window boundary: count=2, 2020-01-01 and 2020-12-31 are 365 days apart (leap year):
     * inside; with window_days=364 they are not. */
    model_procurement_free(ps[1]);
    ps[1] = direct("d2", "B", "S", "2020-12-31");
    model_procurement_free(ps[2]);
    ps[2] = direct("d3", "B", "T", "2020-06-01");
    assert_int_equal(fx_run_pop("repeat_direct_awards", ps, 5, 0, KV("count=2"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("repeat_direct_awards", ps, 5, 0, KV("count=2", "window_days=364"), &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_PASS);
    result_list_dispose(&l);
    /* Competitive: not applicable; no buyer: insufficient. */
    free(ps[0]->procurement_method);
    ps[0]->procurement_method = fx_dup("open");
    assert_int_equal(fx_run_pop("repeat_direct_awards", ps, 5, 0, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_NOT_APPLICABLE);
    result_list_dispose(&l);
    free(ps[0]->procurement_method);
    ps[0]->procurement_method = fx_dup("limited");
    free(ps[0]->buyer_id);
    ps[0]->buyer_id = NULL;
    assert_int_equal(fx_run_pop("repeat_direct_awards", ps, 5, 0, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_INSUFFICIENT_DATA);
    result_list_dispose(&l);
    /* Without the population: insufficient data, not a crash. */
    assert_int_equal(indicator_find("repeat_direct_awards")->evaluate(ps[1], NULL, NULL, &l, NULL), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_INSUFFICIENT_DATA);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("repeat_direct_awards", ps, 5, 0, KV("count=0"), &l), ERR_USAGE);
    for (i = 0; i < 5; i++)
        model_procurement_free(ps[i]);
}

/* ---- registry ---- */

static void test_registry_lists_every_indicator(void **state)
{
    static const char *const names[] = {
        "submission_period", "single_bid", "non_competitive_method", "tender_not_published", "decision_period",
        "timeline_coherence", "repeat_direct_awards", "specification_completeness", "documents_published",
        "scope_consistency", "split_purchases", "heterogeneous_supplier", "award_vs_estimate",
        "contract_value_increase", "payments_exceed_contract", "just_below_threshold", "price_close_to_winning_bid",
        "heavily_discounted_bid", "identical_bid_prices", "award_criteria_published", "price_only_award",
        "lowest_bid_disqualified", "all_except_winner_disqualified", "late_bid_won", "excessive_disqualified_bids",
        "excessive_unsuccessful_bids", "evaluation_report_published", "performance_monitoring", "field_present",
        "date_difference", "value_in_list", "amount_ratio"};
    size_t i, n;
    const indicator_def *all = indicator_all(&n);

    (void)state;
    assert_int_equal(n, sizeof names / sizeof names[0]);
    for (i = 0; i < n; i++) {
        const indicator_def *d = indicator_find(names[i]);
        assert_non_null(d);
        assert_non_null(d->evaluate);
        assert_non_null(d->params);
        /* Population hooks come all four or none. */
        assert_true((d->pop_new && d->pop_add && d->pop_finish && d->pop_free) ||
                    (!d->pop_new && !d->pop_add && !d->pop_finish && !d->pop_free));
    }
    assert_ptr_equal(indicator_find_code("R003"), indicator_find("submission_period"));
    assert_ptr_equal(indicator_find_code("R058"), indicator_find("heavily_discounted_bid"));
    assert_null(indicator_find("nope"));
    assert_true(indicator_param_known(indicator_find("submission_period"), "threshold"));
    assert_true(indicator_param_known(indicator_find("submission_period"), "exclude_procurement_method_details"));
    assert_false(indicator_param_known(indicator_find("submission_period"), "thresholdd"));
    assert_non_null(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submission_period_boundary_and_flag),
        cmocka_unit_test(test_submission_period_parameters),
        cmocka_unit_test(test_submission_period_threshold_source),
        cmocka_unit_test(test_submission_period_not_applicable_and_missing),
        cmocka_unit_test(test_submission_period_hostile),
        cmocka_unit_test(test_single_bid),
        cmocka_unit_test(test_non_competitive_method),
        cmocka_unit_test(test_tender_not_published),
        cmocka_unit_test(test_decision_period),
        cmocka_unit_test(test_timeline_coherence),
        cmocka_unit_test(test_repeat_direct_awards),
        cmocka_unit_test(test_registry_lists_every_indicator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
