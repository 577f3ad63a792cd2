/* test_score.c - the scorer's arithmetic (dimension, overall, coverage, band) computed by
 * hand, not-assessed dimensions, the validity window in coverage, population passes and
 * determinism. The indicators are test fakes whose results are fixed per criterion, so
 * the numbers below depend only on the scoring rules of score.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "criteria.h"
#include "json/json.h"
#include "ocds/map.h"
#include "score.h"
#include "util/buf.h"

/* --- fake indicators --------------------------------------------------------------- */

/* What the fake gives per criterion id: up to 3 results (status, score). */
typedef struct {
    const char *criterion;
    size_t n;
    result_status st[3];
    double score[3];
} fake_plan;

static const fake_plan plans[] = {
    {"A", 1, {RESULT_PASS}, {100}},
    {"B", 1, {RESULT_FLAG}, {0}},
    {"C", 1, {RESULT_NOT_APPLICABLE}, {0}},
    {"D", 1, {RESULT_INSUFFICIENT_DATA}, {0}},
    {"E", 2, {RESULT_PASS, RESULT_FLAG}, {100, 0}},
    {"F", 1, {RESULT_PASS}, {80}},
    {"G", 1, {RESULT_FLAG}, {0}},
    {"H", 1, {RESULT_PASS}, {100}},
    {"I", 1, {RESULT_PASS}, {100}},
    {"J", 3, {RESULT_INSUFFICIENT_DATA, RESULT_FLAG, RESULT_PASS}, {0, 20, 70}},
};

static int fake_eval(const model_procurement *p, const indicator_params *prm, const void *st,
                     result_list *out, err_t *e)
{
    (void)st;
    if (strcmp(prm->criterion_id, "K") == 0)
        return err_set(e, ERR_BAD_INPUT, "awards[0].value: hostile value");
    if (strcmp(prm->criterion_id, "U") == 0)
        return err_set(e, ERR_USAGE, "parameter x: 'y' is not a number");
    for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        if (strcmp(plans[i].criterion, prm->criterion_id) != 0)
            continue;
        for (size_t k = 0; k < plans[i].n; k++) {
            result_t *r = result_list_add(out);
            char sid[32];
            snprintf(sid, sizeof sid, "lot-%zu", k);
            r->criterion_id = strdup(prm->criterion_id);
            r->indicator = strdup("fake");
            r->subject_kind = strdup(plans[i].n > 1 ? "lot" : "procurement");
            r->subject_id = strdup(plans[i].n > 1 ? sid : p->ocid);
            r->status = plans[i].st[k];
            r->score = plans[i].score[k];
            r->explanation = strdup("fake");
        }
    }
    return 0;
}

/* A population fake: counts the procurements it was fed, and gives that count as the
 * measured value (pass). */
typedef struct {
    size_t added;
    int finished;
} pop_state;

static void *pop_new(const indicator_params *prm, err_t *e)
{
    (void)prm;
    (void)e;
    return calloc(1, sizeof(pop_state));
}
static int pop_add(void *st, const model_procurement *p, err_t *e)
{
    (void)p;
    (void)e;
    ((pop_state *)st)->added++;
    return 0;
}
static int pop_finish(void *st, err_t *e)
{
    (void)e;
    ((pop_state *)st)->finished = 1;
    return 0;
}
static void pop_free(void *st)
{
    free(st);
}
static int pop_eval(const model_procurement *p, const indicator_params *prm, const void *st, result_list *out,
                    err_t *e)
{
    (void)e;
    const pop_state *ps = st;
    result_t *r = result_list_add(out);
    r->criterion_id = strdup(prm->criterion_id);
    r->subject_kind = strdup("procurement");
    r->subject_id = strdup(p->ocid);
    r->status = ps->finished ? RESULT_PASS : RESULT_FLAG;
    r->score = ps->finished ? 100 : 0;
    r->has_measured = 1;
    r->measured = (double)ps->added;
    r->stats_json = strdup("{\"n\":1}");
    return 0;
}

static const indicator_def fake_def = {.name = "fake", .evaluate = fake_eval};
static const indicator_def pop_def = {.name = "fakepop",
                                      .evaluate = pop_eval,
                                      .pop_new = pop_new,
                                      .pop_add = pop_add,
                                      .pop_finish = pop_finish,
                                      .pop_free = pop_free};

/* --- the set ----------------------------------------------------------------------- */

#define CR(id, w, extra)                                                                                     \
    "<criterion id=\"" id "\" indicator=\"single_bid\" weight=\"" w "\" severity=\"high\"" extra ">"         \
    "<text lang=\"en\"><title>t" id "</title></text></criterion>\n"

/* Dimension weights 0.3 / 0.2 / 0.25 / 0.25; bands 0-50 high, 50-100 low. I has a
 * validity window ending in 2015; H is disabled; P is the population criterion. */
static const char *SET =
    "<?xml version=\"1.0\"?>\n"
    "<criteria_set id=\"arith\" version=\"7\" language=\"en\">\n"
    "<title lang=\"en\">Arithmetic</title>\n"
    "<bands><band min=\"0\" max=\"50\"><label lang=\"en\">high risk</label></band>\n"
    "<band min=\"50\" max=\"100\"><label lang=\"en\">low risk</label></band></bands>\n"
    "<dimension name=\"procedure\" weight=\"0.3\">\n" CR("A", "3", "") CR("B", "1", "") CR(
        "C", "2",
        "") "<criterion id=\"I\" indicator=\"single_bid\" weight=\"5\" severity=\"low\">"
            "<validity effective_to=\"2015-12-31\"/><text lang=\"en\"><title>tI</title></text></criterion>\n"
            "</dimension>\n"
            "<dimension name=\"content\" weight=\"0.2\">\n" CR(
                "D", "2", "") "</dimension>\n"
                              "<dimension name=\"price\" weight=\"0.25\">\n" CR("E", "1", "")
                                  CR("F", "1",
                                     "") "</dimension>\n"
                                         "<dimension name=\"evaluation\" weight=\"0.25\">\n" CR("G", "1", "")
                                             CR("H", "1", " enabled=\"false\"") "</dimension>\n"
                                                                                "</criteria_set>\n";

static criteria_set *load_set(const char *xml)
{
    char xsd[4096];
    const char *root = getenv("PROCAUDIT_ROOT");
    snprintf(xsd, sizeof xsd, "%s/templates/criteria/criteria-set.xsd", root && *root ? root : ".");
    criteria_set *s = NULL;
    buf_t errors;
    err_t e;
    buf_init(&errors, 1 << 16);
    int rc = criteria_load_memory(&s, "arith.xml", xml, strlen(xml), xsd, &errors, &e);
    if (rc)
        fprintf(stderr, "%s\n%s", e.msg, buf_cstr(&errors));
    assert_int_equal(rc, 0);
    buf_dispose(&errors);
    for (size_t i = 0; i < s->n_criteria; i++)
        s->criteria[i].indicator = strcmp(s->criteria[i].id, "P") == 0 ? &pop_def : &fake_def;
    return s;
}

static int64_t day(int y, int m, int d)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    return (int64_t)timegm(&tm);
}

static void test_score_arithmetic_by_hand(void **state)
{
    (void)state;
    criteria_set *s = load_set(SET);
    char ocid[] = "ocds-x-1";
    model_procurement p = {0};
    p.ocid = ocid;
    p.date_published = (model_date){1, day(2019, 3, 1), 0}; /* after I's window */
    evaluation_t *ev = NULL;
    err_t e;
    assert_int_equal(score_evaluate(&ev, s, &p, NULL, NULL, "2026-01-01T00:00:00Z", &e), 0);

    /* Criteria listed: all enabled ones (H is disabled): A B C I D E F G = 8. */
    assert_int_equal(ev->n_criteria, 8);
    /* Results: A B C I D, E twice, F G = 9 (I gives one not_applicable result). */
    assert_int_equal(ev->n_results, 9);

    /* Procedure: A (w3) 100, B (w1) 0 are pass/flag; C not applicable; I not in force.
     * score = (3*100 + 1*0) / (3 + 1) = 75; coverage = 2 covered / 3 counted (A, B, C;
     * I is not counted: not in force on 2019-03-01) = 0.6667. */
    assert_true(ev->has_dim_score[DIM_PROCEDURE]);
    assert_float_equal(ev->dim_score[DIM_PROCEDURE], 75.0, 1e-9);
    assert_float_equal(ev->dim_coverage[DIM_PROCEDURE], 2.0 / 3.0, 1e-12);
    /* Content: D insufficient_data only -> not assessed, coverage 0/1. */
    assert_false(ev->has_dim_score[DIM_CONTENT]);
    assert_float_equal(ev->dim_coverage[DIM_CONTENT], 0.0, 1e-12);
    /* Price: E gives pass 100 and flag 0 -> criterion score (100+0)/2 = 50; F pass 80.
     * score = (1*50 + 1*80) / 2 = 65; coverage 2/2. */
    assert_float_equal(ev->dim_score[DIM_PRICE], 65.0, 1e-9);
    assert_float_equal(ev->dim_coverage[DIM_PRICE], 1.0, 1e-12);
    /* Evaluation: G flag 0 (H disabled, not counted) -> 0; coverage 1/1. */
    assert_true(ev->has_dim_score[DIM_EVALUATION]);
    assert_float_equal(ev->dim_score[DIM_EVALUATION], 0.0, 1e-12);
    assert_float_equal(ev->dim_coverage[DIM_EVALUATION], 1.0, 1e-12);
    /* Overall over the assessed dimensions: (0.3*75 + 0.25*65 + 0.25*0) / (0.3+0.25+0.25)
     * = (22.5 + 16.25) / 0.8 = 48.4375 -> band "high risk" (0 <= s < 50).
     * Coverage: covered A B E F G = 5 of counted A B C D E F G = 7. */
    assert_true(ev->has_overall);
    assert_float_equal(ev->overall, 48.4375, 1e-9);
    assert_float_equal(ev->coverage, 5.0 / 7.0, 1e-12);
    assert_string_equal(ev->band, "high risk");

    /* The not-in-force result says why. */
    const result_t *ri = NULL;
    for (size_t i = 0; i < ev->n_results; i++)
        if (strcmp(ev->results[i].criterion_id, "I") == 0)
            ri = &ev->results[i];
    assert_non_null(ri);
    assert_int_equal(ri->status, RESULT_NOT_APPLICABLE);
    assert_string_equal(ri->explanation,
                        "The criterion is in force to 2015-12-31; the tender date is 2019-03-01.");
    assert_string_equal(ri->fields[0], "tender.datePublished");
    /* Results carry the criterion's dimension and indicator name, not the fake's. */
    assert_string_equal(ev->results[0].indicator, "single_bid");
    assert_string_equal(ev->set_id, "arith");
    assert_string_equal(ev->set_version, "7");
    assert_string_equal(ev->set_sha256, s->sha256);
    evaluation_free(ev);

    /* In 2014 criterion I is in force and passes (w5, 100): procedure = (3*100 + 1*0 +
     * 5*100) / 9 = 800/9 = 88.888...; coverage 3/4. Overall = (0.3*800/9 + 0.25*65 +
     * 0.25*0) / 0.8 = (26.6667 + 16.25) / 0.8 = 53.6458... -> "low risk". */
    p.date_published = (model_date){1, day(2014, 5, 1), 0};
    assert_int_equal(score_evaluate(&ev, s, &p, NULL, "en", "2026-01-01T00:00:00Z", &e), 0);
    assert_float_equal(ev->dim_score[DIM_PROCEDURE], 800.0 / 9.0, 1e-9);
    assert_float_equal(ev->dim_coverage[DIM_PROCEDURE], 0.75, 1e-12);
    assert_float_equal(ev->overall, (0.3 * 800.0 / 9.0 + 0.25 * 65) / 0.8, 1e-9);
    assert_float_equal(ev->coverage, 6.0 / 8.0, 1e-12);
    assert_string_equal(ev->band, "low risk");
    evaluation_free(ev);
    criteria_set_free(s);
}

static void test_score_not_assessed_when_nothing_scored(void **state)
{
    (void)state;
    /* Only C (not applicable) and D (insufficient data): no dimension, no overall. */
    static const char *xml =
        "<?xml version=\"1.0\"?>\n<criteria_set id=\"na\" version=\"1\" language=\"en\">\n"
        "<title lang=\"en\">NA</title>\n"
        "<bands><band min=\"0\" max=\"100\"><label lang=\"en\">any</label></band></bands>\n"
        "<dimension name=\"procedure\" weight=\"1\">\n" CR(
            "C", "1", "") "</dimension>\n"
                          "<dimension name=\"content\" weight=\"1\">\n" CR(
                              "D", "1", "") "</dimension>\n"
                                            "<dimension name=\"price\" weight=\"1\"/>\n<dimension "
                                            "name=\"evaluation\" weight=\"1\"/>\n"
                                            "</criteria_set>\n";
    criteria_set *s = load_set(xml);
    char ocid[] = "ocds-x-2";
    model_procurement p = {0};
    p.ocid = ocid;
    evaluation_t *ev = NULL;
    err_t e;
    assert_int_equal(score_evaluate(&ev, s, &p, NULL, NULL, "2026-01-01T00:00:00Z", &e), 0);
    for (int d = 0; d < DIM_COUNT; d++)
        assert_false(ev->has_dim_score[d]);
    assert_false(ev->has_overall);
    assert_float_equal(ev->coverage, 0.0, 1e-12);
    assert_string_equal(ev->band, "not assessed");
    /* Price has no criteria: coverage 0 (0 of 0), not assessed. */
    assert_float_equal(ev->dim_coverage[DIM_PRICE], 0.0, 1e-12);
    /* The canonical JSON shows nulls for scores that do not exist. */
    buf_t b;
    buf_init(&b, 1 << 20);
    assert_int_equal(score_evaluation_json(&b, ev), 0);
    assert_non_null(strstr(buf_cstr(&b), "\"overall\":null,\"coverage\":0,\"band\":\"not assessed\""));
    assert_non_null(strstr(buf_cstr(&b), "\"procedure\":{\"score\":null,\"coverage\":0}"));
    buf_dispose(&b);
    evaluation_free(ev);
    criteria_set_free(s);
}

static void test_score_several_results_mean_and_coverage(void **state)
{
    (void)state;
    /* J gives insufficient_data, flag 20 and pass 70 (three lots): covered (any pass/flag);
     * its score is the mean of the pass/flag results (20 + 70) / 2 = 45. */
    static const char *xml =
        "<?xml version=\"1.0\"?>\n<criteria_set id=\"j\" version=\"1\" language=\"en\">\n"
        "<title lang=\"en\">J</title>\n"
        "<bands><band min=\"0\" max=\"100\"><label lang=\"en\">any</label></band></bands>\n"
        "<dimension name=\"procedure\" weight=\"1\">\n" CR(
            "J", "2",
            "") "</dimension>\n"
                "<dimension name=\"content\" weight=\"1\"/>\n"
                "<dimension name=\"price\" weight=\"1\"/>\n<dimension name=\"evaluation\" weight=\"1\"/>\n"
                "</criteria_set>\n";
    criteria_set *s = load_set(xml);
    char ocid[] = "ocds-x-3";
    model_procurement p = {0};
    p.ocid = ocid;
    evaluation_t *ev = NULL;
    err_t e;
    assert_int_equal(score_evaluate(&ev, s, &p, NULL, NULL, "2026-01-01T00:00:00Z", &e), 0);
    assert_int_equal(ev->n_results, 3);
    assert_string_equal(ev->results[1].subject_kind, "lot");
    assert_string_equal(ev->results[1].subject_id, "lot-1");
    assert_float_equal(ev->dim_score[DIM_PROCEDURE], 45.0, 1e-12);
    assert_float_equal(ev->dim_coverage[DIM_PROCEDURE], 1.0, 1e-12);
    /* Only procedure assessed: overall = 45. */
    assert_float_equal(ev->overall, 45.0, 1e-12);
    assert_float_equal(ev->coverage, 1.0, 1e-12);
    evaluation_free(ev);
    criteria_set_free(s);
}

static void test_score_is_deterministic(void **state)
{
    (void)state;
    criteria_set *s = load_set(SET);
    char ocid[] = "ocds-x-4";
    model_procurement p = {0};
    p.ocid = ocid;
    evaluation_t *a = NULL, *b = NULL;
    err_t e;
    buf_t ja, jb;
    buf_init(&ja, 1 << 20);
    buf_init(&jb, 1 << 20);
    assert_int_equal(score_evaluate(&a, s, &p, NULL, NULL, "2026-01-01T00:00:00Z", &e), 0);
    assert_int_equal(score_evaluate(&b, s, &p, NULL, NULL, "2026-01-01T00:00:00Z", &e), 0);
    assert_int_equal(score_evaluation_json(&ja, a), 0);
    assert_int_equal(score_evaluation_json(&jb, b), 0);
    assert_true(ja.len > 100);
    assert_int_equal(ja.len, jb.len);
    assert_memory_equal(ja.data, jb.data, ja.len);
    evaluation_free(a);
    evaluation_free(b);
    buf_dispose(&ja);
    buf_dispose(&jb);
    criteria_set_free(s);
}

/* --- population orchestration ------------------------------------------------------ */

typedef struct {
    model_procurement *items;
    size_t n;
    int calls;
} array_source;

static int array_each(void *ctx, score_visit_fn visit, void *vctx, err_t *e)
{
    array_source *a = ctx;
    a->calls++;
    for (size_t i = 0; i < a->n; i++) {
        int rc = visit(vctx, &a->items[i], e);
        if (rc)
            return rc;
    }
    return 0;
}

typedef struct {
    double measured[8];
    char ocid[8][16];
    size_t n;
} sink_log;

static int log_sink(void *ctx, const evaluation_t *ev, err_t *e)
{
    (void)e;
    sink_log *l = ctx;
    assert_int_equal(ev->n_results, 1);
    l->measured[l->n] = ev->results[0].measured;
    snprintf(l->ocid[l->n], sizeof l->ocid[0], "%s", ev->ocid);
    l->n++;
    return 0;
}

static void test_score_run_feeds_population_first(void **state)
{
    (void)state;
    /* P applies to open procedures only: of the 4 procurements of the population, 3 are
     * open, so P's state sees 3; the evaluation source (2 procurements) is scored after
     * the population is finished, and each result measures 3. */
    static const char *xml =
        "<?xml version=\"1.0\"?>\n<criteria_set id=\"pop\" version=\"1\" language=\"en\">\n"
        "<title lang=\"en\">Pop</title>\n"
        "<bands><band min=\"0\" max=\"100\"><label lang=\"en\">any</label></band></bands>\n"
        "<dimension name=\"procedure\" weight=\"1\">\n"
        "<criterion id=\"P\" indicator=\"single_bid\" weight=\"1\" severity=\"low\">"
        "<applies_to><procurement_methods>open</procurement_methods></applies_to>"
        "<text lang=\"en\"><title>P</title></text></criterion>\n"
        "</dimension>\n<dimension name=\"content\" weight=\"1\"/>\n"
        "<dimension name=\"price\" weight=\"1\"/>\n<dimension name=\"evaluation\" weight=\"1\"/>\n"
        "</criteria_set>\n";
    criteria_set *s = load_set(xml);
    assert_true(score_set_has_population(s));
    char open[] = "open", direct[] = "direct";
    char o1[] = "o1", o2[] = "o2", o3[] = "o3", o4[] = "o4";
    model_procurement all[4] = {{0}};
    all[0].ocid = o1, all[0].procurement_method = open;
    all[1].ocid = o2, all[1].procurement_method = open;
    all[2].ocid = o3, all[2].procurement_method = direct;
    all[3].ocid = o4, all[3].procurement_method = open;
    array_source pop = {all, 4, 0};
    array_source sel = {all, 2, 0};
    sink_log log = {0};
    score_run_stats st;
    err_t e;
    assert_int_equal(score_run(s, NULL, "2026-01-01T00:00:00Z", array_each, &pop, array_each, &sel, log_sink,
                               &log, &st, &e),
                     0);
    assert_int_equal(pop.calls, 1);
    assert_int_equal(sel.calls, 1);
    assert_int_equal(st.population, 4); /* fed to score_pop_add */
    assert_int_equal(st.evaluated, 2);
    assert_int_equal(log.n, 2);
    assert_string_equal(log.ocid[0], "o1");
    assert_float_equal(log.measured[0], 3.0, 0); /* o1, o2, o4 applied; o3 is direct */
    assert_float_equal(log.measured[1], 3.0, 0);

    /* Without a population, the population criterion is insufficient_data. */
    evaluation_t *ev = NULL;
    assert_int_equal(score_evaluate(&ev, s, &all[0], NULL, NULL, "2026-01-01T00:00:00Z", &e), 0);
    assert_int_equal(ev->results[0].status, RESULT_INSUFFICIENT_DATA);
    evaluation_free(ev);
    criteria_set_free(s);
}

/* The real set on a real compiled release (ocdskit-realdata/compiled-release-1.json,
 * OCDS-87SD3T-AD-SF-DRM-063-2015): two evaluations, with the same population, give the
 * same bytes, and the JSON parses. Skipped without the shared data. */
static void test_score_real_set_is_deterministic(void **state)
{
    (void)state;
    const char *shared = getenv("PROCAUDIT_SHARED");
    char path[4096], setp[4096];
    if (!shared || !*shared)
        skip();
    snprintf(path, sizeof path, "%s/data/ocds/ocdskit-realdata/compiled-release-1.json", shared);
    FILE *f = fopen(path, "rb");
    if (!f)
        skip();
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    json_value *tree = NULL;
    model_procurement *p = NULL;
    criteria_set *s = NULL;
    score_population *pop = NULL;
    evaluation_t *a = NULL, *b = NULL;
    err_t e;
    buf_t ja, jb;
    buf_init(&ja, 1 << 24);
    buf_init(&jb, 1 << 24);
    assert_int_equal(json_parse(&tree, text, n, &e), 0);
    assert_int_equal(model_from_ocds(&p, tree, NULL, &e), 0);
    const char *root = getenv("PROCAUDIT_ROOT");
    snprintf(setp, sizeof setp, "%s/templates/criteria/international-red-flags.xml",
             root && *root ? root : ".");
    assert_int_equal(criteria_load_file(&s, setp, NULL, NULL, &e), 0);
    assert_int_equal(score_pop_new(&pop, s, &e), 0);
    assert_int_equal(score_pop_add(pop, p, &e), 0);
    assert_int_equal(score_pop_finish(pop, &e), 0);
    assert_int_equal(score_evaluate(&a, s, p, pop, "en", "2026-01-01T00:00:00Z", &e), 0);
    assert_int_equal(score_evaluate(&b, s, p, pop, "en", "2026-01-01T00:00:00Z", &e), 0);
    assert_string_equal(a->ocid, "OCDS-87SD3T-AD-SF-DRM-063-2015");
    assert_int_equal(a->n_criteria, 28);
    assert_true(a->n_results >= 28);
    assert_int_equal(score_evaluation_json(&ja, a), 0);
    assert_int_equal(score_evaluation_json(&jb, b), 0);
    assert_int_equal(ja.len, jb.len);
    assert_memory_equal(ja.data, jb.data, ja.len);
    json_value *back = NULL;
    assert_int_equal(json_parse(&back, ja.data, ja.len, &e), 0);
    assert_int_equal(json_len(json_get(back, "results")), a->n_results);
    json_free(back);
    json_free(tree);
    model_procurement_free(p);
    score_pop_free(pop);
    evaluation_free(a);
    evaluation_free(b);
    criteria_set_free(s);
    buf_dispose(&ja);
    buf_dispose(&jb);
}

/* An indicator failing on one procurement's data gives insufficient_data and the rest
 * goes on; one refusing the set's parameters stops the evaluation with the criterion
 * named. */
static void test_score_indicator_errors(void **state)
{
    (void)state;
    static const char *xml =
        "<?xml version=\"1.0\"?>\n<criteria_set id=\"err\" version=\"1\" language=\"en\">\n"
        "<title lang=\"en\">Err</title>\n"
        "<bands><band min=\"0\" max=\"100\"><label lang=\"en\">any</label></band></bands>\n"
        "<dimension name=\"procedure\" weight=\"1\">\n" CR("K", "1", "")
            CR("A", "1", "") "</dimension>\n"
                             "<dimension name=\"content\" weight=\"1\">\n" CR(
                                 "U", "1",
                                 " enabled=\"false\"") "</dimension>\n"
                                                       "<dimension name=\"price\" weight=\"1\"/>\n<dimension "
                                                       "name=\"evaluation\" weight=\"1\"/>\n"
                                                       "</criteria_set>\n";
    criteria_set *s = load_set(xml);
    char ocid[] = "ocds-x-5";
    model_procurement p = {0};
    p.ocid = ocid;
    evaluation_t *ev = NULL;
    err_t e;
    assert_int_equal(score_evaluate(&ev, s, &p, NULL, NULL, "2026-01-01T00:00:00Z", &e), 0);
    assert_int_equal(ev->n_results, 2);
    assert_int_equal(ev->results[0].status, RESULT_INSUFFICIENT_DATA);
    assert_string_equal(ev->results[0].explanation,
                        "The indicator failed on this procurement: awards[0].value: hostile value");
    assert_int_equal(ev->results[1].status, RESULT_PASS);
    /* K counted but not covered, A covered: procedure 100, coverage 1/2. */
    assert_float_equal(ev->dim_score[DIM_PROCEDURE], 100.0, 0);
    assert_float_equal(ev->dim_coverage[DIM_PROCEDURE], 0.5, 0);
    evaluation_free(ev);
    /* Enable U: its parameter error stops the evaluation. */
    for (size_t i = 0; i < s->n_criteria; i++)
        s->criteria[i].enabled = 1;
    assert_int_equal(score_evaluate(&ev, s, &p, NULL, NULL, "2026-01-01T00:00:00Z", &e), ERR_USAGE);
    assert_null(ev);
    assert_string_equal(e.msg, "criterion U (single_bid): parameter x: 'y' is not a number");
    criteria_set_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score_arithmetic_by_hand),
        cmocka_unit_test(test_score_not_assessed_when_nothing_scored),
        cmocka_unit_test(test_score_several_results_mean_and_coverage),
        cmocka_unit_test(test_score_is_deterministic),
        cmocka_unit_test(test_score_run_feeds_population_first),
        cmocka_unit_test(test_score_real_set_is_deterministic),
        cmocka_unit_test(test_score_indicator_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
