/* test_indicators_evaluation.c - evaluation indicators on procurements built in C, with
 * the arithmetic in the comments. */
#include "ind_fixture.h"

/* ---- award_criteria_published ---- */

static void test_award_criteria_published(void **state)
{
    model_procurement *p = fx_new("acp");

    (void)state;
    fx_status("award_criteria_published", p, NOKV, RESULT_INSUFFICIENT_DATA);  /* no tender at all */
    p->title = fx_dup("Home care");
    fx_status("award_criteria_published", p, NOKV, RESULT_FLAG);         /* nothing stated */
    p->award_criteria = fx_dup("priceOnly");
    fx_status("award_criteria_published", p, NOKV, RESULT_PASS);         /* price only: no weights needed */
    free(p->award_criteria);
    p->award_criteria = fx_dup("ratedCriteria");
    fx_status("award_criteria_published", p, NOKV, RESULT_FLAG);         /* rated, no weighted list */
    fx_criterion(p, "price", 60);
    fx_criterion(p, "quality", NAN);
    /* 1 of 2 criteria weighted */
    assert_true(fx_status("award_criteria_published", p, NOKV, RESULT_FLAG) == 1.0);
    p->award_criteria_list[1].has_weight = 1;
    p->award_criteria_list[1].weight = 40;
    assert_true(fx_status("award_criteria_published", p, NOKV, RESULT_PASS) == 2.0);
    p->procurement_method = fx_dup("direct");
    fx_status("award_criteria_published", p, KV("procurement_methods=open|selective"), RESULT_NOT_APPLICABLE);
    model_procurement_free(p);
}

/* ---- price_only_award ---- */

static void test_price_only_award(void **state)
{
    model_procurement *p = fx_new("poa");
    double m;

    (void)state;
    fx_status("price_only_award", p, NOKV, RESULT_INSUFFICIENT_DATA);
    p->award_criteria = fx_dup("lowestCost");
    fx_status("price_only_award", p, NOKV, RESULT_FLAG);
    free(p->award_criteria);
    p->award_criteria = NULL;
    fx_criterion(p, "price", 100);
    fx_criterion(p, "cost", NAN);  /* cost is price-like */
    fx_status("price_only_award", p, NOKV, RESULT_FLAG);
    model_procurement_free(p);
    /* price 70 / quality 30: quality share 30 / 100 = 0.30. */
    p = fx_new("poa2");
    fx_criterion(p, "price", 70);
    fx_criterion(p, "quality", 30);
    m = fx_status("price_only_award", p, NOKV, RESULT_PASS);
    assert_true(fabs(m - 0.3) < 1e-12);
    fx_status("price_only_award", p, KV("minimum_quality_share=0.3"), RESULT_PASS);  /* at the minimum */
    fx_status("price_only_award", p, KV("minimum_quality_share=0.31"), RESULT_FLAG);
    /* Shares given (eForms normalised) take precedence over raw weights. */
    p->award_criteria_list[0].has_share = 1;
    p->award_criteria_list[0].share = 0.4;
    p->award_criteria_list[1].has_share = 1;
    p->award_criteria_list[1].share = 0.6;
    assert_true(fabs(fx_status("price_only_award", p, KV("minimum_quality_share=0.5"), RESULT_PASS) - 0.6) < 1e-12);
    /* Hostile: order-of-importance weights only: share unknown. */
    p->award_criteria_list[0].has_share = 0;
    p->award_criteria_list[1].has_share = 0;
    free(p->award_criteria_list[1].weight_kind);
    p->award_criteria_list[1].weight_kind = fx_dup("order");
    fx_status("price_only_award", p, KV("minimum_quality_share=0.5"), RESULT_INSUFFICIENT_DATA);
    fx_status("price_only_award", p, NOKV, RESULT_PASS);
    model_procurement_free(p);
}

/* ---- lowest_bid_disqualified [R036] ---- */

static void test_lowest_bid_disqualified(void **state)
{
    model_procurement *p = fx_new("lbd");

    (void)state;
    fx_status("lowest_bid_disqualified", p, NOKV, RESULT_NOT_APPLICABLE);  /* no active award */
    fx_award(p, "active", NULL);
    fx_status("lowest_bid_disqualified", p, NOKV, RESULT_INSUFFICIENT_DATA);  /* no bids */
    fx_bid(p, "disqualified", 1, "USD", NULL);
    fx_bid(p, "valid", 2, "USD", NULL);
    assert_true(fx_status("lowest_bid_disqualified", p, NOKV, RESULT_FLAG) == 1.0);
    fx_bid(p, "invited", 0.5, "USD", NULL);     /* not submitted: ignored */
    fx_status("lowest_bid_disqualified", p, NOKV, RESULT_FLAG);
    fx_bid(p, "pending", 0.5, "USD", NULL);     /* submitted and lowest, not disqualified */
    assert_true(fx_status("lowest_bid_disqualified", p, NOKV, RESULT_PASS) == 0.5);
    model_procurement_free(p);
    /* Equal amounts: the first published is the lowest (as Cardinal): disqualified 1
     * before valid 1 is flagged; valid first is not. */
    p = fx_new("equal");
    fx_award(p, "active", NULL);
    fx_bid(p, "disqualified", 1, "USD", NULL);
    fx_bid(p, "valid", 1, "USD", NULL);
    fx_status("lowest_bid_disqualified", p, NOKV, RESULT_FLAG);
    model_procurement_free(p);
    p = fx_new("equal2");
    fx_award(p, "active", NULL);
    fx_bid(p, "valid", 1, "USD", NULL);
    fx_bid(p, "disqualified", 1, "USD", NULL);
    fx_status("lowest_bid_disqualified", p, NOKV, RESULT_PASS);
    model_procurement_free(p);
    /* Missing amount on the valid bid: no valid priced bid. */
    p = fx_new("missing");
    fx_award(p, "active", NULL);
    fx_bid(p, "disqualified", 1, "USD", NULL);
    fx_bid(p, "valid", NAN, "USD", NULL);
    fx_status("lowest_bid_disqualified", p, NOKV, RESULT_INSUFFICIENT_DATA);
    /* Hostile: a bid in another currency is left out, not compared. */
    fx_bid(p, "valid", 0.1, "EUR", NULL);
    fx_status("lowest_bid_disqualified", p, NOKV, RESULT_INSUFFICIENT_DATA);
    fx_bid(p, "valid", 5, "USD", NULL);
    fx_status("lowest_bid_disqualified", p, NOKV, RESULT_FLAG);
    fx_status("lowest_bid_disqualified", p, KV("currency=EUR"), RESULT_PASS);
    model_procurement_free(p);
}

/* ---- all_except_winner_disqualified [R035] ---- */

static void test_all_except_winner_disqualified(void **state)
{
    model_procurement *p = fx_new("aewd");
    result_list l;

    (void)state;
    fx_status("all_except_winner_disqualified", p, NOKV, RESULT_INSUFFICIENT_DATA);
    fx_bid(p, "disqualified", NAN, NULL, "D", NULL);
    fx_bid(p, "valid", NAN, NULL, "V", NULL);
    fx_status("all_except_winner_disqualified", p, NOKV, RESULT_NOT_APPLICABLE);  /* no award */
    fx_award(p, "active", "V", NULL);
    assert_int_equal(fx_run("all_except_winner_disqualified", p, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    assert_true(fx_one(&l)->measured == 1.0);
    assert_int_equal(fx_one(&l)->n_party_ids, 1);
    assert_string_equal(fx_one(&l)->party_ids[0], "V");
    result_list_dispose(&l);
    fx_bid(p, "disqualified", NAN, NULL, "E", NULL);
    assert_true(fx_status("all_except_winner_disqualified", p, NOKV, RESULT_FLAG) == 2.0);
    fx_status("all_except_winner_disqualified", p, KV("threshold=2"), RESULT_FLAG);   /* 2 >= 2 */
    fx_status("all_except_winner_disqualified", p, KV("threshold=3"), RESULT_PASS);
    fx_bid(p, "disqualified", NAN, NULL, "V", NULL);  /* the winner's own disqualified bid */
    assert_true(fx_status("all_except_winner_disqualified", p, NOKV, RESULT_FLAG) == 2.0);
    fx_award(p, "pending", NULL);                      /* not final */
    fx_status("all_except_winner_disqualified", p, NOKV, RESULT_NOT_APPLICABLE);
    free(p->awards[1].status);
    p->awards[1].status = fx_dup("active");            /* a second winner S */
    p->awards[1].supplier_ids = calloc(1, sizeof(char *));
    p->awards[1].supplier_ids[0] = fx_dup("S");
    p->awards[1].n_suppliers = 1;
    fx_status("all_except_winner_disqualified", p, NOKV, RESULT_PASS);
    model_procurement_free(p);
    /* Two valid tenderers: pass. */
    p = fx_new("two");
    fx_bid(p, "disqualified", NAN, NULL, "D", NULL);
    fx_bid(p, "valid", NAN, NULL, "V", NULL);
    fx_bid(p, "valid", NAN, NULL, "W", NULL);
    fx_award(p, "active", "V", NULL);
    fx_status("all_except_winner_disqualified", p, NOKV, RESULT_PASS);
    model_procurement_free(p);
}

/* ---- late_bid_won [R030] ---- */

static void test_late_bid_won(void **state)
{
    model_procurement *p = fx_new("lbw");
    model_bid *b;
    result_list l;

    (void)state;
    fx_status("late_bid_won", p, NOKV, RESULT_NOT_APPLICABLE);
    fx_award(p, "active", "W", NULL);
    fx_status("late_bid_won", p, NOKV, RESULT_INSUFFICIENT_DATA);
    b = fx_bid(p, "valid", NAN, NULL, "W", NULL);
    b->date = fx_date("2000-04-01");
    fx_status("late_bid_won", p, NOKV, RESULT_INSUFFICIENT_DATA);   /* no deadline */
    p->tender_end = fx_date("2000-03-15");
    /* 2000-03-15 -> 2000-04-01: 17 days late. */
    assert_int_equal(fx_run("late_bid_won", p, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_FLAG);
    assert_true(fabs(fx_one(&l)->measured - 17.0) < 1e-9);
    assert_string_equal(fx_one(&l)->party_ids[0], "W");
    result_list_dispose(&l);
    b->date = p->tender_end;   /* at the deadline: not late */
    fx_status("late_bid_won", p, NOKV, RESULT_PASS);
    b->date.t += 1;            /* one second after */
    fx_status("late_bid_won", p, NOKV, RESULT_FLAG);
    /* The same instant written in another zone is still compared as an instant: the
     * mapper gives UTC seconds, so 2000-03-15T01:00:00+01:00 equals the deadline. */
    b->date = fx_date("2000-03-15");
    fx_status("late_bid_won", p, NOKV, RESULT_PASS);
    b->date.present = 0;
    fx_status("late_bid_won", p, NOKV, RESULT_INSUFFICIENT_DATA);
    /* A late bid of a loser is not a red flag. */
    b->date = fx_date("2000-04-01");
    free(b->tenderer_ids[0]);
    b->tenderer_ids[0] = fx_dup("L");
    fx_status("late_bid_won", p, NOKV, RESULT_PASS);
    model_procurement_free(p);
}

/* ---- excessive_disqualified_bids [R038] ---- */

static model_procurement *r038(const char *ocid, const char *buyer, int disq, int valid, const char *tenderer)
{
    model_procurement *p = fx_new(ocid);
    int i;

    p->buyer_id = fx_dup(buyer);
    for (i = 0; i < disq; i++)
        fx_bid(p, "disqualified", NAN, NULL, tenderer, NULL);
    for (i = 0; i < valid; i++)
        fx_bid(p, "valid", NAN, NULL, "OK", NULL);
    return p;
}

static void test_excessive_disqualified_bids(void **state)
{
    model_procurement *ps[6];
    result_list l;
    const result_t *r;
    size_t i;

    (void)state;
    /* Buyers' ratios over processes with bids (minimum 2 processes):
     *   B: 2 processes, 1 disqualified of 2 bids in each -> 2/4 = 0.5
     *   C: 2 processes, 0 of 4 -> 0;  D and E: 1 process each, below the minimum.
     * Sorted [0, 0.5], n = 2: h(.25) = 2.333 * .25 + 1/3 = 0.917 -> below 1: the minimum 0;
     * h(.75) = 2.083 -> at n: the maximum 0.5. Upper fence 0.5 + 1.5 * 0.5 = 1.25: B's
     * 0.5 passes. */
    ps[0] = r038("0", "B", 1, 1, "D");
    ps[1] = r038("1", "B", 1, 1, "D");
    ps[2] = r038("2", "C", 0, 2, "X");
    ps[3] = r038("3", "C", 0, 2, "X");
    ps[4] = r038("4", "D", 0, 4, "X");
    ps[5] = r038("5", "E", 0, 4, "X");
    ps[4]->n_bids = 2;  /* keep 2 bids: D has one process, below the minimum */
    for (i = 0; i < 2; i++) {
        free(ps[4]->bids[2 + i].status);
        free(ps[4]->bids[2 + i].tenderer_ids[0]);
        free(ps[4]->bids[2 + i].tenderer_ids);
    }
    assert_int_equal(fx_run_pop("excessive_disqualified_bids", ps, 6, 0, KV("level=buyer"), &l), 0);
    r = fx_subject(&l, "B");
    assert_int_equal(r->status, RESULT_PASS);
    assert_true(r->measured == 0.5);
    result_list_dispose(&l);
    /* D has 1 process (2 bids): below minimum_contracting_processes = 2 -> not applicable;
     * with Cardinal's count (bids: 2 >= 2) it qualifies: ratios [0, 0, 0, 0.5] give
     * Q1 = 0, Q3 = h 3.583 -> 0 + .583 * .5 = .2917, fence .7292; D's 0 passes. */
    assert_int_equal(fx_run_pop("excessive_disqualified_bids", ps, 6, 4, KV("level=buyer"), &l), 0);
    assert_int_equal(fx_subject(&l, "D")->status, RESULT_NOT_APPLICABLE);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("excessive_disqualified_bids", ps, 6, 4, KV("level=buyer", "minimum_counts=bids"), &l),
                     0);
    assert_int_equal(fx_subject(&l, "D")->status, RESULT_PASS);
    result_list_dispose(&l);
    /* Tenderer D: 2 bids, both disqualified -> 1.0; OK: 12 valid bids -> 0 (X has no
     * bid). Sorted [0, 1], n = 2: Q1 = 0, Q3 = 1, fence 1 + 1.5 = 2.5: D passes
     * (1.0 < 2.5). A fixed threshold of 1.0 flags it (1.0 >= 1.0). */
    assert_int_equal(fx_run_pop("excessive_disqualified_bids", ps, 6, 0, KV("level=tenderer"), &l), 0);
    assert_int_equal(fx_subject(&l, "D")->status, RESULT_PASS);
    assert_true(fx_subject(&l, "D")->measured == 1.0);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("excessive_disqualified_bids", ps, 6, 0, KV("level=tenderer", "threshold=1"), &l), 0);
    assert_int_equal(fx_subject(&l, "D")->status, RESULT_FLAG);
    assert_int_equal(fx_subject(&l, "OK")->status, RESULT_PASS);
    result_list_dispose(&l);
    /* Hostile: no bids -> insufficient; a bad level -> usage error. */
    model_procurement_free(ps[5]);
    ps[5] = fx_new("empty");
    assert_int_equal(fx_run_pop("excessive_disqualified_bids", ps, 6, 5, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_INSUFFICIENT_DATA);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("excessive_disqualified_bids", ps, 6, 0, KV("level=nobody"), &l), ERR_USAGE);
    result_list_dispose(&l);
    for (i = 0; i < 6; i++)
        model_procurement_free(ps[i]);
}

/* ---- excessive_unsuccessful_bids [R025] ---- */

static model_procurement *r025(const char *ocid, const char *a, const char *b, const char *winner)
{
    model_procurement *p = fx_new(ocid);
    fx_bid(p, "valid", NAN, NULL, a, NULL);
    fx_bid(p, "valid", NAN, NULL, b, NULL);
    fx_award(p, "active", winner, NULL);
    return p;
}

static void test_excessive_unsuccessful_bids(void **state)
{
    model_procurement *ps[10];
    result_list l;
    size_t i;
    char id[8];

    (void)state;
    /* F bids in 10 processes and wins 2 (ratio 0.2); N bids once and loses (0); eight
     * others bid once and win (1). Processes [1 x9, 10]: the 75th percentile is
     * h = 10.333 * .75 + 1/3 = 8.083 -> 1. Ratios [0, .2, 1 x8]: Q1 h = 2.917 ->
     * .2 + .917 * .8 = .9333; Q3 = 1; lower fence .9333 - 1.5 * .0667 = .8333.
     * F: 10 >= 1 and .2 <= .8333: flagged. N: 1 >= 1 and 0 <= .8333: flagged. */
    for (i = 0; i < 8; i++) {
        snprintf(id, sizeof id, "%zu", i);
        ps[i] = r025(id, "F", id, id);
    }
    ps[8] = r025("8", "F", "N", "F");
    ps[9] = r025("9", "F", "F", "F");
    assert_int_equal(fx_run_pop("excessive_unsuccessful_bids", ps, 10, 8, NOKV, &l), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(fx_subject(&l, "F")->status, RESULT_FLAG);
    assert_true(fabs(fx_subject(&l, "F")->measured - 0.2) < 1e-12);
    assert_int_equal(fx_subject(&l, "N")->status, RESULT_FLAG);
    assert_true(fx_subject(&l, "N")->measured == 0.0);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("excessive_unsuccessful_bids", ps, 10, 0, NOKV, &l), 0);
    assert_int_equal(fx_subject(&l, "0")->status, RESULT_PASS);
    result_list_dispose(&l);
    /* A fixed threshold of 0.1: F's 0.2 is above it. */
    assert_int_equal(fx_run_pop("excessive_unsuccessful_bids", ps, 10, 8, KV("threshold=0.1"), &l), 0);
    assert_int_equal(fx_subject(&l, "F")->status, RESULT_PASS);
    result_list_dispose(&l);
    /* Two winners: not applicable. */
    fx_award(ps[0], "active", "X", NULL);
    assert_int_equal(fx_run_pop("excessive_unsuccessful_bids", ps, 10, 0, NOKV, &l), 0);
    assert_int_equal(fx_one(&l)->status, RESULT_NOT_APPLICABLE);
    result_list_dispose(&l);
    assert_int_equal(fx_run_pop("excessive_unsuccessful_bids", ps, 10, 0, KV("percentile=101"), &l), ERR_USAGE);
    for (i = 0; i < 10; i++)
        model_procurement_free(ps[i]);
}

/* ---- evaluation_report_published, performance_monitoring ---- */

static void test_evaluation_report_published(void **state)
{
    model_procurement *p = fx_new("erp");
    model_award *a;

    (void)state;
    fx_status("evaluation_report_published", p, NOKV, RESULT_NOT_APPLICABLE);
    a = fx_award(p, "active", "S", NULL);
    fx_status("evaluation_report_published", p, NOKV, RESULT_FLAG);
    fx_doc_in(&p->documents, &p->n_documents, "tenderNotice");
    fx_status("evaluation_report_published", p, NOKV, RESULT_FLAG);
    fx_doc_in(&a->documents, &a->n_documents, "awardNotice");
    fx_status("evaluation_report_published", p, NOKV, RESULT_PASS);
    fx_status("evaluation_report_published", p, KV("document_types=evaluationReports"), RESULT_FLAG);
    model_procurement_free(p);
}

static void test_performance_monitoring(void **state)
{
    model_procurement *p = fx_new("pm");
    model_contract *c;

    (void)state;
    fx_status("performance_monitoring", p, NOKV, RESULT_NOT_APPLICABLE);
    c = fx_contract(p, "c1", "pending");
    fx_status("performance_monitoring", p, NOKV, RESULT_NOT_APPLICABLE);   /* not under way */
    free(c->status);
    c->status = fx_dup("active");
    assert_true(fx_status("performance_monitoring", p, NOKV, RESULT_FLAG) == 0.0);
    fx_doc_in(&c->documents, &c->n_documents, "contractSigned");            /* not monitoring */
    fx_status("performance_monitoring", p, NOKV, RESULT_FLAG);
    fx_doc_in(&c->documents, &c->n_documents, "physicalProgressReport");
    assert_true(fx_status("performance_monitoring", p, NOKV, RESULT_PASS) == 1.0);
    fx_status("performance_monitoring", p, KV("minimum_evidence=2"), RESULT_FLAG);
    c->milestones = calloc(1, sizeof *c->milestones);
    c->n_milestones = 1;
    assert_true(fx_status("performance_monitoring", p, KV("minimum_evidence=2"), RESULT_PASS) == 2.0);
    model_procurement_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_award_criteria_published),
        cmocka_unit_test(test_price_only_award),
        cmocka_unit_test(test_lowest_bid_disqualified),
        cmocka_unit_test(test_all_except_winner_disqualified),
        cmocka_unit_test(test_late_bid_won),
        cmocka_unit_test(test_excessive_disqualified_bids),
        cmocka_unit_test(test_excessive_unsuccessful_bids),
        cmocka_unit_test(test_evaluation_report_published),
        cmocka_unit_test(test_performance_monitoring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
