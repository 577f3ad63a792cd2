/* test_criteria.c - criteria sets: the shipped sets load; broken files give errors at
 * their exact lines; applicability filters and the validity window; texts and bands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "criteria.h"
#include "store/store.h"
#include "util/buf.h"

/* Paths of the shipped templates, from $PROCAUDIT_ROOT (set by scripts/check.sh) or
 * the current directory (make runs from the repository root). */
static void template_path(char *out, size_t n, const char *name)
{
    const char *root = getenv("PROCAUDIT_ROOT");
    snprintf(out, n, "%s/templates/criteria/%s", root && *root ? root : ".", name);
}

static criteria_set *load_text(const char *xml, buf_t *errors, int *rc_out)
{
    char xsd[4096];
    criteria_set *s = NULL;
    err_t e;
    template_path(xsd, sizeof xsd, "criteria-set.xsd");
    *rc_out = criteria_load_memory(&s, "inline.xml", xml, strlen(xml), xsd, errors, &e);
    return s;
}

static const criterion_def *find_crit(const criteria_set *s, const char *id)
{
    for (size_t i = 0; i < s->n_criteria; i++)
        if (strcmp(s->criteria[i].id, id) == 0)
            return &s->criteria[i];
    return NULL;
}

/* --- the shipped sets -------------------------------------------------------------- */

static void test_criteria_loads_international_red_flags(void **state)
{
    (void)state;
    char path[4096];
    criteria_set *s = NULL;
    buf_t errors;
    err_t e;
    buf_init(&errors, 1 << 20);
    template_path(path, sizeof path, "international-red-flags.xml");
    int rc = criteria_load_file(&s, path, NULL, &errors, &e);
    if (rc)
        fprintf(stderr, "%s\n%s", e.msg, buf_cstr(&errors));
    assert_int_equal(rc, 0);
    assert_string_equal(s->id, "international-red-flags");
    assert_string_equal(s->version, "1.0.0");
    assert_string_equal(s->language, "en");
    /* 7 procedure + 5 content + 7 price + 9 evaluation criteria, one per indicator of
     * the SPEC §5.4 catalogue (28 indicators). */
    assert_int_equal(s->n_criteria, 28);
    assert_int_equal(criteria_enabled_count(s, DIM_PROCEDURE), 7);
    assert_int_equal(criteria_enabled_count(s, DIM_CONTENT), 5);
    assert_int_equal(criteria_enabled_count(s, DIM_PRICE), 7);
    assert_int_equal(criteria_enabled_count(s, DIM_EVALUATION), 9);
    for (size_t i = 0; i < s->n_criteria; i++)
        for (size_t j = i + 1; j < s->n_criteria; j++)
            assert_string_not_equal(s->criteria[i].indicator_name, s->criteria[j].indicator_name);
    assert_true(s->dims[DIM_PROCEDURE].weight == 0.30);
    assert_true(s->dims[DIM_EVALUATION].weight == 0.25);
    const criterion_def *r003 = find_crit(s, "R003");
    assert_non_null(r003);
    assert_string_equal(r003->indicator_name, "submission_period");
    assert_ptr_equal(r003->indicator, indicator_find("submission_period"));
    assert_int_equal(r003->sev, SEVERITY_HIGH);
    assert_true(r003->weight == 3);
    assert_string_equal(criteria_param(r003, "threshold"), "15");
    assert_string_equal(criteria_param(r003, "procurement_methods"), "open|selective");
    /* The SHA-256 is that of the file bytes: compare with the store's implementation. */
    char hex[65];
    uint64_t size = 0;
    assert_int_equal(store_sha256_file(path, hex, &size, &e), 0);
    assert_string_equal(s->sha256, hex);
    assert_int_equal(s->content_len, size);
    /* Bands 0-50-75-90-100. */
    assert_int_equal(s->n_bands, 4);
    assert_string_equal(criteria_band_label(s, 1, 49.99, "en"), "high risk");
    assert_string_equal(criteria_band_label(s, 1, 50, "en"), "elevated risk");
    assert_string_equal(criteria_band_label(s, 1, 100, "en"), "low risk");
    assert_string_equal(criteria_band_label(s, 0, 0, "en"), "not assessed");
    criteria_set_free(s);
    buf_dispose(&errors);
}

static void test_criteria_loads_public_services_with_chinese(void **state)
{
    (void)state;
    char path[4096];
    criteria_set *s = NULL;
    buf_t errors;
    err_t e;
    buf_init(&errors, 1 << 20);
    template_path(path, sizeof path, "public-services.xml");
    int rc = criteria_load_file(&s, path, NULL, &errors, &e);
    if (rc)
        fprintf(stderr, "%s\n%s", e.msg, buf_cstr(&errors));
    assert_int_equal(rc, 0);
    assert_string_equal(s->id, "public-services");
    assert_int_equal(s->n_criteria, 21);
    assert_string_equal(criteria_label_for(s->titles, s->n_titles, "zh", s->language), "公共服务采购");
    assert_string_equal(
        criteria_label_for(s->dims[DIM_EVALUATION].labels, s->dims[DIM_EVALUATION].n_labels, "zh", "en"),
        "评审与评估");
    assert_string_equal(criteria_band_label(s, 1, 10, "zh"), "高风险");
    /* Every criterion has a Chinese title. */
    for (size_t i = 0; i < s->n_criteria; i++) {
        int zh = 0;
        for (size_t t = 0; t < s->criteria[i].n_texts; t++)
            zh |= strcmp(s->criteria[i].texts[t].lang, "zh") == 0 && s->criteria[i].texts[t].title;
        assert_true(zh);
    }
    /* Texts in zh: title in Chinese, "why" falls back to English. */
    const criterion_def *q = find_crit(s, "PS-EVAL-QUALITY");
    assert_non_null(q);
    assert_string_equal(criteria_param(q, "minimum_quality_share"), "0.5");
    assert_int_equal(q->filters.n_categories, 1);
    assert_string_equal(q->filters.categories[0], "services");
    criterion_info ci;
    assert_int_equal(criteria_info_fill(&ci, s, q, "zh"), 0);
    assert_string_equal(ci.title, "质量权重低于授标总权重的一半");
    assert_non_null(ci.why);
    assert_true(strncmp(ci.why, "For care and social services", 28) == 0);
    assert_string_equal(ci.params_text, "minimum_quality_share=0.5");
    assert_int_equal(ci.dim, DIM_EVALUATION);
    criterion_info_dispose(&ci);
    /* The services split criterion is filtered on CPV 85, 80, 98, 75. */
    const criterion_def *sp = find_crit(s, "PS-CONT-SPLIT");
    assert_non_null(sp);
    assert_int_equal(sp->filters.n_prefixes, 4);
    assert_string_equal(sp->filters.prefix_scheme, "CPV");
    criteria_set_free(s);
    buf_dispose(&errors);
}

/* --- broken files: every error at its line ----------------------------------------- */

#define HEAD                                                                                                 \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                             /* 1 */                       \
    "<criteria_set id=\"t\" version=\"1\" language=\"en\">\n"                  /* 2 */                       \
    "  <title lang=\"en\">Test</title>\n"                                      /* 3 */                       \
    "  <bands>\n"                                                              /* 4 */                       \
    "    <band min=\"0\" max=\"50\"><label lang=\"en\">high</label></band>\n"  /* 5 */                       \
    "    <band min=\"50\" max=\"100\"><label lang=\"en\">low</label></band>\n" /* 6 */                       \
    "  </bands>\n"                                                             /* 7 */

#define CRIT(id, ind)                                                                                        \
    "    <criterion id=\"" id "\" indicator=\"" ind "\" weight=\"1\" severity=\"high\">"                     \
    "<text lang=\"en\"><title>x</title></text></criterion>\n"

static void test_criteria_valid_minimal_set(void **state)
{
    (void)state;
    const char *xml = HEAD "  <dimension name=\"procedure\" weight=\"1\">\n" /* 8 */
        CRIT("A", "single_bid")                                              /* 9 */
        "  </dimension>\n"
        "  <dimension name=\"content\" weight=\"1\"/>\n"
        "  <dimension name=\"price\" weight=\"1\"/>\n"
        "  <dimension name=\"evaluation\" weight=\"0\"/>\n"
        "</criteria_set>\n";
    buf_t errors;
    int rc;
    buf_init(&errors, 1 << 16);
    criteria_set *s = load_text(xml, &errors, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(buf_cstr(&errors), "");
    assert_int_equal(s->n_criteria, 1);
    assert_int_equal(s->criteria[0].line, 9);
    assert_int_equal(s->criteria[0].enabled, 1);
    criteria_set_free(s);
    buf_dispose(&errors);
}

static void test_criteria_semantic_errors_at_exact_lines(void **state)
{
    (void)state;
    const char *xml = HEAD "  <dimension name=\"procedure\" weight=\"1\">\n"                /* 8 */
        CRIT("A", "single_bid")                                                             /* 9 */
        CRIT("A", "no_such_indicator")                                                      /* 10 */
        "    <criterion id=\"B\" indicator=\"single_bid\" weight=\"0\" severity=\"low\">\n" /* 11 */
        "      <validity effective_from=\"2021-01-01\" effective_to=\"2020-12-31\"/>\n"     /* 12 */
        "      <text lang=\"zh\"><title>x</title></text>\n"                                 /* 13 */
        "    </criterion>\n"                                                                /* 14 */
        "  </dimension>\n"                                                                  /* 15 */
        "  <dimension name=\"content\" weight=\"1\"/>\n"                                    /* 16 */
        "  <dimension name=\"content\" weight=\"1\"/>\n"                                    /* 17 */
        "  <dimension name=\"evaluation\" weight=\"1\"/>\n"                                 /* 18 */
        "</criteria_set>\n";
    buf_t errors;
    int rc;
    buf_init(&errors, 1 << 16);
    criteria_set *s = load_text(xml, &errors, &rc);
    assert_null(s);
    assert_int_equal(rc, ERR_BAD_INPUT);
    const char *t = buf_cstr(&errors);
    assert_non_null(strstr(t, "inline.xml:10: criterion id 'A' is already used at line 9\n"));
    assert_non_null(strstr(t, "inline.xml:10: criterion A: unknown indicator 'no_such_indicator'\n"));
    assert_non_null(strstr(t, "inline.xml:11: criterion B: weight '0' must be a number > 0\n"));
    assert_non_null(strstr(
        t, "inline.xml:12: criterion B: effective_from 2021-01-01 is after effective_to 2020-12-31\n"));
    assert_non_null(strstr(t, "inline.xml:11: criterion B: no <text> in the set's language 'en'\n"));
    assert_non_null(strstr(t, "inline.xml:17: dimension 'content' is already given at line 16\n"));
    assert_non_null(strstr(t, "inline.xml:2: dimension 'price' is missing\n"));
    /* Listed in line order (the missing dimension, found last, is on line 2). */
    assert_true(strncmp(t, "inline.xml:2: ", 14) == 0);
    assert_true(strstr(t, "inline.xml:10:") < strstr(t, "inline.xml:11:"));
    assert_true(strstr(t, "inline.xml:12:") < strstr(t, "inline.xml:17:"));
    buf_dispose(&errors);
}

static void test_criteria_band_gap_and_overlap(void **state)
{
    (void)state;
    const char *xml = "<?xml version=\"1.0\"?>\n"                                             /* 1 */
                      "<criteria_set id=\"t\" version=\"1\" language=\"en\">\n"               /* 2 */
                      "  <title lang=\"en\">Test</title>\n"                                   /* 3 */
                      "  <bands>\n"                                                           /* 4 */
                      "    <band min=\"10\" max=\"60\"><label lang=\"en\">a</label></band>\n" /* 5 */
                      "    <band min=\"50\" max=\"90\"><label lang=\"en\">b</label></band>\n" /* 6 */
                      "  </bands>\n"                                                          /* 7 */
                      "  <dimension name=\"procedure\" weight=\"1\"/>\n"
                      "  <dimension name=\"content\" weight=\"1\"/>\n"
                      "  <dimension name=\"price\" weight=\"1\"/>\n"
                      "  <dimension name=\"evaluation\" weight=\"1\"/>\n"
                      "</criteria_set>\n";
    buf_t errors;
    int rc;
    buf_init(&errors, 1 << 16);
    criteria_set *s = load_text(xml, &errors, &rc);
    assert_null(s);
    const char *t = buf_cstr(&errors);
    assert_non_null(strstr(t, "inline.xml:5: bands: the lowest band starts at 10, not 0\n"));
    assert_non_null(strstr(t, "inline.xml:6: bands: the highest band ends at 90, not 100\n"));
    assert_non_null(strstr(t, "inline.xml:6: bands: band 50..90 overlaps band 10..60\n"));
    buf_dispose(&errors);
}

static void test_criteria_schema_and_syntax_errors_have_lines(void **state)
{
    (void)state;
    /* Line 9: a severity outside the enumeration (the XSD's message). */
    const char *xml =
        HEAD "  <dimension name=\"procedure\" weight=\"1\">\n"                                    /* 8 */
             "    <criterion id=\"A\" indicator=\"single_bid\" weight=\"1\" severity=\"urgent\">" /* 9 */
             "<text lang=\"en\"><title>x</title></text></criterion>\n"
             "  </dimension>\n"
             "</criteria_set>\n";
    buf_t errors;
    int rc;
    buf_init(&errors, 1 << 16);
    criteria_set *s = load_text(xml, &errors, &rc);
    assert_null(s);
    assert_int_equal(rc, ERR_BAD_INPUT);
    assert_non_null(strstr(buf_cstr(&errors), "inline.xml:9: Element 'criterion', attribute 'severity'"));
    /* Only 1 dimension where 4 are required: libxml2 reports it at the line of the
     * element whose children are incomplete, <criteria_set> on line 2. */
    assert_non_null(
        strstr(buf_cstr(&errors), "inline.xml:2: Element 'criteria_set': Missing child element(s)"));

    /* Not well-formed: the mismatch is found on line 3. */
    buf_reset(&errors);
    s = load_text("<?xml version=\"1.0\"?>\n<criteria_set>\n<title></criteria_set>\n", &errors, &rc);
    assert_null(s);
    assert_int_equal(rc, ERR_BAD_INPUT);
    assert_true(strncmp(buf_cstr(&errors), "inline.xml:3: ", 14) == 0);

    /* A DOCTYPE (entity declarations) is refused at its line. */
    buf_reset(&errors);
    s = load_text("<?xml version=\"1.0\"?>\n\n<!DOCTYPE criteria_set [<!ENTITY x \"y\">]>\n<criteria_set/>\n",
                  &errors, &rc);
    assert_null(s);
    assert_string_equal(buf_cstr(&errors), "inline.xml:3: a DOCTYPE is not allowed in a criteria set\n");
    buf_dispose(&errors);
}

/* --- applicability and validity ---------------------------------------------------- */

static int64_t day(int y, int m, int d)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    return (int64_t)timegm(&tm);
}

static const char *FILTER_SET = HEAD
    "  <dimension name=\"procedure\" weight=\"1\">\n"
    "    <criterion id=\"M\" indicator=\"single_bid\" weight=\"1\" severity=\"high\">\n"
    "      <applies_to><procurement_methods>open selective</procurement_methods></applies_to>\n"
    "      <text lang=\"en\"><title>m</title></text></criterion>\n"
    "    <criterion id=\"C\" indicator=\"single_bid\" weight=\"1\" severity=\"high\">\n"
    "      <applies_to><main_procurement_categories>services</main_procurement_categories>\n"
    "        <classification_prefixes scheme=\"CPV\">85 80</classification_prefixes></applies_to>\n"
    "      <text lang=\"en\"><title>c</title></text></criterion>\n"
    "    <criterion id=\"V\" indicator=\"single_bid\" weight=\"1\" severity=\"high\">\n"
    "      <applies_to><value_range min=\"1000\" max=\"5000\" currency=\"EUR\"/></applies_to>\n"
    "      <text lang=\"en\"><title>v</title></text></criterion>\n"
    "    <criterion id=\"S\" indicator=\"single_bid\" weight=\"1\" severity=\"high\">\n"
    "      <applies_to><procurement_statuses>awarded</procurement_statuses></applies_to>\n"
    "      <text lang=\"en\"><title>s</title></text></criterion>\n"
    "    <criterion id=\"W\" indicator=\"single_bid\" weight=\"1\" severity=\"high\">\n"
    "      <validity effective_from=\"2016-04-18\" effective_to=\"2020-12-31\"/>\n"
    "      <text lang=\"en\"><title>w</title></text></criterion>\n"
    "    <criterion id=\"K\" indicator=\"single_bid\" weight=\"1\" severity=\"high\" enabled=\"false\">\n"
    "      <applies_to><buyer_kinds>la</buyer_kinds></applies_to>\n"
    "      <text lang=\"en\"><title>k</title></text></criterion>\n"
    "  </dimension>\n"
    "  <dimension name=\"content\" weight=\"1\"/>\n"
    "  <dimension name=\"price\" weight=\"1\"/>\n"
    "  <dimension name=\"evaluation\" weight=\"1\"/>\n"
    "</criteria_set>\n";

static void test_criteria_applicability_filters(void **state)
{
    (void)state;
    buf_t errors;
    int rc;
    char reason[512], field[128];
    buf_init(&errors, 1 << 16);
    criteria_set *s = load_text(FILTER_SET, &errors, &rc);
    if (rc)
        fprintf(stderr, "%s", buf_cstr(&errors));
    assert_int_equal(rc, 0);
    assert_int_equal(criteria_enabled_count(s, DIM_COUNT), 5); /* K is disabled */

    char ocid[] = "ocds-test-1", method[] = "direct", cat[] = "services", scheme[] = "cpv",
         cpv[] = "85311000-2", cpv_goods[] = "33100000";
    model_item items[2] = {{0}};
    items[0].classification_scheme = scheme;
    items[0].classification_id = cpv_goods;
    items[1].classification_scheme = scheme;
    items[1].classification_id = cpv;
    model_procurement p = {0};
    p.ocid = ocid;

    /* Method: missing -> undecidable; direct -> not applicable; open -> applies. */
    const criterion_def *m = find_crit(s, "M");
    assert_int_equal(criteria_applies(m, &p, reason, sizeof reason, field, sizeof field),
                     CRITERIA_UNDECIDABLE);
    assert_string_equal(field, "tender.procurementMethod");
    p.procurement_method = method;
    assert_int_equal(criteria_applies(m, &p, reason, sizeof reason, field, sizeof field),
                     CRITERIA_NOT_APPLICABLE);
    assert_string_equal(reason, "Procurement method 'direct' is not one of: open selective.");
    char open[] = "open";
    p.procurement_method = open;
    assert_int_equal(criteria_applies(m, &p, reason, sizeof reason, NULL, 0), CRITERIA_APPLIES);

    /* Category + CPV prefix (scheme compared case-insensitively; any item may match). */
    const criterion_def *c = find_crit(s, "C");
    p.main_procurement_category = cat;
    assert_int_equal(criteria_applies(c, &p, reason, sizeof reason, NULL, 0),
                     CRITERIA_UNDECIDABLE); /* no items */
    p.items = items;
    p.n_items = 1; /* 33100000 only */
    assert_int_equal(criteria_applies(c, &p, reason, sizeof reason, NULL, 0), CRITERIA_NOT_APPLICABLE);
    assert_string_equal(reason, "No item classification starts with CPV 85 80.");
    p.n_items = 2; /* + 85311000-2 */
    assert_int_equal(criteria_applies(c, &p, reason, sizeof reason, NULL, 0), CRITERIA_APPLIES);
    char works[] = "works";
    p.main_procurement_category = works;
    assert_int_equal(criteria_applies(c, &p, reason, sizeof reason, NULL, 0), CRITERIA_NOT_APPLICABLE);

    /* Value range 1000..5000 EUR: tender value first, else the awards' sum. */
    const criterion_def *v = find_crit(s, "V");
    assert_int_equal(criteria_applies(v, &p, reason, sizeof reason, NULL, 0), CRITERIA_UNDECIDABLE);
    model_award aw[2] = {{0}};
    aw[0].value = (model_amount){1, 2000, "EUR"};
    aw[1].value = (model_amount){1, 3500, "EUR"};
    p.awards = aw;
    p.n_awards = 2; /* 2000 + 3500 = 5500 > 5000 */
    assert_int_equal(criteria_applies(v, &p, reason, sizeof reason, field, sizeof field),
                     CRITERIA_NOT_APPLICABLE);
    assert_string_equal(field, "awards.value");
    p.tender_value = (model_amount){1, 4999.5, "EUR"}; /* within [1000, 5000] */
    assert_int_equal(criteria_applies(v, &p, reason, sizeof reason, field, sizeof field), CRITERIA_APPLIES);
    p.tender_value = (model_amount){1, 4999.5, "USD"}; /* no conversion */
    assert_int_equal(criteria_applies(v, &p, reason, sizeof reason, NULL, 0), CRITERIA_UNDECIDABLE);

    /* Status "awarded": any award. */
    const criterion_def *st = find_crit(s, "S");
    assert_int_equal(criteria_applies(st, &p, reason, sizeof reason, NULL, 0), CRITERIA_APPLIES);
    p.n_awards = 0;
    assert_int_equal(criteria_applies(st, &p, reason, sizeof reason, NULL, 0), CRITERIA_NOT_APPLICABLE);

    /* Buyer kind (filter "la"): none published -> undecidable; "ra" -> not applicable;
     * "LA" -> applies (codes compared without case). */
    const criterion_def *k = find_crit(s, "K");
    assert_int_equal(criteria_applies(k, &p, reason, sizeof reason, field, sizeof field), CRITERIA_UNDECIDABLE);
    assert_string_equal(reason, "The criterion applies to buyer kinds la; the buyer's kind is not published.");
    assert_string_equal(field, "parties.details.classifications");
    char ra[] = "ra", la_upper[] = "LA", bt11[] = "eu-buyer-legal-type";
    p.buyer_kind = ra;
    p.buyer_kind_scheme = bt11;
    assert_int_equal(criteria_applies(k, &p, reason, sizeof reason, field, sizeof field),
                     CRITERIA_NOT_APPLICABLE);
    assert_string_equal(reason, "Buyer kind 'ra' (eu-buyer-legal-type) is not one of: la.");
    p.buyer_kind = la_upper;
    assert_int_equal(criteria_applies(k, &p, reason, sizeof reason, NULL, 0), CRITERIA_APPLIES);

    criteria_set_free(s);
    buf_dispose(&errors);
}

static void test_criteria_validity_window_uses_tender_date(void **state)
{
    (void)state;
    buf_t errors;
    int rc;
    char reason[512];
    buf_init(&errors, 1 << 16);
    criteria_set *s = load_text(FILTER_SET, &errors, &rc);
    assert_int_equal(rc, 0);
    const criterion_def *w = find_crit(s, "W"); /* 2016-04-18 .. 2020-12-31 inclusive */
    char ocid[] = "ocds-test-2";
    model_procurement p = {0};
    p.ocid = ocid;
    assert_int_equal(criteria_applies(w, &p, reason, sizeof reason, NULL, 0), CRITERIA_UNDECIDABLE);
    /* Only the release date: used as the last resort. */
    p.date = (model_date){1, day(2015, 6, 1), 0};
    assert_int_equal(criteria_applies(w, &p, reason, sizeof reason, NULL, 0), CRITERIA_NOT_IN_FORCE);
    assert_string_equal(
        reason, "The criterion is in force from 2016-04-18 to 2020-12-31; the tender date is 2015-06-01.");
    /* tender.tenderPeriod.startDate wins over the release date. */
    p.tender_start = (model_date){1, day(2016, 4, 18), 0};
    assert_int_equal(criteria_applies(w, &p, reason, sizeof reason, NULL, 0), CRITERIA_APPLIES);
    /* tender.datePublished wins over both: the last day of the window is in force
     * (2020-12-31 23:00 UTC), the next day is not. */
    p.date_published = (model_date){1, day(2020, 12, 31) + 23 * 3600, 0};
    assert_int_equal(criteria_applies(w, &p, reason, sizeof reason, NULL, 0), CRITERIA_APPLIES);
    p.date_published = (model_date){1, day(2021, 1, 1), 0};
    assert_int_equal(criteria_applies(w, &p, reason, sizeof reason, NULL, 0), CRITERIA_NOT_IN_FORCE);
    assert_int_equal(criteria_tender_date(&p).t, day(2021, 1, 1));
    criteria_set_free(s);
    buf_dispose(&errors);
}

static void test_criteria_resolve_finds_default_set(void **state)
{
    (void)state;
    buf_t out;
    err_t e;
    buf_init(&out, 4096);
    assert_int_equal(criteria_resolve(&out, NULL, &e), 0);
    size_t n = strlen(buf_cstr(&out));
    const char *suffix = "criteria/international-red-flags.xml";
    assert_true(n > strlen(suffix));
    assert_string_equal(buf_cstr(&out) + n - strlen(suffix), suffix);
    assert_int_equal(criteria_resolve(&out, "public-services", &e), 0);
    assert_int_equal(criteria_resolve(&out, "no-such-set", &e), ERR_NOT_FOUND);
    buf_dispose(&out);
}

/* Hostile files: entity bombs, external entities, huge and deep files, bad UTF-8. Each
 * is refused with an error and nothing is read from outside the file. */
static void test_criteria_refuses_hostile_files(void **state)
{
    (void)state;
    buf_t errors;
    int rc;
    criteria_set *s;
    buf_init(&errors, 1 << 16);

    /* Billion laughs: refused (DOCTYPE), no expansion. */
    s = load_text(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE criteria_set [\n"
        "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaa\">\n<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
        "]>\n<criteria_set id=\"&d;\" version=\"1\" language=\"en\"/>\n",
        &errors, &rc);
    assert_null(s);
    assert_int_equal(rc, ERR_BAD_INPUT);

    /* External entity: never fetched, refused. */
    buf_reset(&errors);
    s = load_text("<?xml version=\"1.0\"?>\n<!DOCTYPE c [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                  "<criteria_set id=\"t\" version=\"1\" language=\"en\">&x;</criteria_set>\n",
                  &errors, &rc);
    assert_null(s);
    assert_int_equal(rc, ERR_BAD_INPUT);
    assert_null(strstr(buf_cstr(&errors), "root:"));

    /* Invalid UTF-8 in a title: a parse error at its line. */
    buf_reset(&errors);
    s = load_text(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<criteria_set id=\"t\" version=\"1\" language=\"en\">\n"
        "<title lang=\"en\">\xff\xfe</title></criteria_set>\n",
        &errors, &rc);
    assert_null(s);
    assert_int_equal(rc, ERR_BAD_INPUT);
    assert_true(strncmp(buf_cstr(&errors), "inline.xml:3: ", 14) == 0);

    /* Nesting 10 000 deep: libxml2's depth limit (no XML_PARSE_HUGE) stops it. */
    buf_t deep;
    buf_init(&deep, 1 << 20);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(buf_puts(&deep, "<a>"), 0);
    s = load_text(buf_cstr(&deep), &errors, &rc);
    assert_null(s);
    assert_int_equal(rc, ERR_BAD_INPUT);
    buf_dispose(&deep);

    /* Above CRITERIA_MAX_FILE_BYTES: ERR_LIMIT before parsing. */
    char xsd[4096];
    err_t e;
    template_path(xsd, sizeof xsd, "criteria-set.xsd");
    char *big = calloc(1, CRITERIA_MAX_FILE_BYTES + 2);
    assert_non_null(big);
    memset(big, ' ', CRITERIA_MAX_FILE_BYTES + 1);
    assert_int_equal(criteria_load_memory(&s, "big.xml", big, CRITERIA_MAX_FILE_BYTES + 1, xsd, NULL, &e),
                     ERR_LIMIT);
    assert_null(s);
    free(big);

    /* A missing file is ERR_IO naming it. */
    assert_int_equal(criteria_load_file(&s, "/nonexistent/set.xml", xsd, NULL, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "/nonexistent/set.xml"));
    buf_dispose(&errors);
}

/* Runs a shell command, returns its exit status and its stdout+stderr in out. */
static int run_cmd(const char *cmd, buf_t *out)
{
    FILE *f = popen(cmd, "r");
    char chunk[4096];
    size_t n;
    if (!f)
        return -1;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_append(out, chunk, n) != 0)
            break;
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* procaudit criteria check prints the set as understood (weights as shares of the
 * overall score, Chinese labels with --lang zh) and exits 1 on a broken file with its
 * errors at their lines. Skipped when the binary is not built (make unit). */
static void test_criteria_check_command(void **state)
{
    (void)state;
    const char *root = getenv("PROCAUDIT_ROOT");
    char bin[4096], cmd[9000];
    snprintf(bin, sizeof bin, "%s/build/procaudit", root && *root ? root : ".");
    if (access(bin, X_OK) != 0)
        skip();
    buf_t out;
    buf_init(&out, 1 << 20);
    snprintf(cmd, sizeof cmd,
             "'%s' criteria check --lang zh '%s/templates/criteria/public-services.xml' 2>&1", bin,
             root && *root ? root : ".");
    assert_int_equal(run_cmd(cmd, &out), 0);
    /* public-services: evaluation 0.35 of 0.20 + 0.30 + 0.15 + 0.35 = 1.00 -> 35.0%;
     * 6 evaluation criteria. */
    assert_non_null(strstr(
        buf_cstr(&out),
        "dimension evaluation (评审与评估): weight 0.35 (35.0% of the overall score), 6 criteria enabled\n"));
    assert_non_null(strstr(buf_cstr(&out),
                           "  - PS-EVAL-QUALITY  indicator=price_only_award  weight=3  severity=high\n"
                           "      title: 质量权重低于授标总权重的一半\n"));
    assert_non_null(strstr(buf_cstr(&out), "      main procurement categories: services\n"));
    assert_non_null(strstr(buf_cstr(&out), "ok: "));

    /* A broken file: exit 1, errors as file:line: message. */
    char tmp[] = "/tmp/procaudit-crit-XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    const char *bad = "<?xml version=\"1.0\"?>\n<criteria_set id=\"t\" version=\"1\" language=\"en\">\n"
                      "<title lang=\"en\">T</title>\n<oops/>\n</criteria_set>\n";
    assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
    close(fd);
    buf_reset(&out);
    snprintf(cmd, sizeof cmd, "'%s' criteria check '%s' 2>&1", bin, tmp);
    assert_int_equal(run_cmd(cmd, &out), 1);
    char expect[256];
    snprintf(expect, sizeof expect, "%s:4: Element 'oops': This element is not expected.", tmp);
    assert_non_null(strstr(buf_cstr(&out), expect));
    unlink(tmp);
    buf_dispose(&out);
}

/* docs/criteria.md section 4 lists every indicator of the registry and every parameter
 * it reads, so the documented contract cannot drift from the code. */
static void test_criteria_docs_list_every_parameter(void **state)
{
    (void)state;
    char path[4096];
    const char *root = getenv("PROCAUDIT_ROOT");
    snprintf(path, sizeof path, "%s/docs/criteria.md", root && *root ? root : ".");
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char doc[1 << 18];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = '\0';
    const char *sec4 = strstr(doc, "## 4. Indicator parameters");
    assert_non_null(sec4);
    size_t count = 0;
    const indicator_def *all = indicator_all(&count);
    assert_true(count >= 32); /* 28 of the catalogue + 4 generic rule kinds */
    for (size_t i = 0; i < count; i++) {
        char needle[128];
        snprintf(needle, sizeof needle, "| `%s`", all[i].name);
        const char *at = strstr(sec4, needle);
        if (!at)
            fprintf(stderr, "docs/criteria.md: indicator %s missing\n", all[i].name);
        assert_non_null(at);
        /* The indicator's rows run to the next indicator row or heading. */
        const char *end = at + strlen(needle);
        for (;;) {
            const char *nl = strchr(end, '\n');
            if (!nl) {
                end += strlen(end);
                break;
            }
            end = nl + 1;
            if (strncmp(end, "| | ", 4) != 0)
                break;
        }
        for (const indicator_param_doc *d = all[i].params; d && d->name; d++) {
            char pn[128];
            snprintf(pn, sizeof pn, "`%s`", d->name);
            const char *hit = strstr(at, pn);
            int ok = hit && hit < end;
            if (!ok)
                fprintf(stderr, "docs/criteria.md: %s parameter %s missing\n", all[i].name, d->name);
            assert_true(ok);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_criteria_loads_international_red_flags),
        cmocka_unit_test(test_criteria_loads_public_services_with_chinese),
        cmocka_unit_test(test_criteria_valid_minimal_set),
        cmocka_unit_test(test_criteria_semantic_errors_at_exact_lines),
        cmocka_unit_test(test_criteria_band_gap_and_overlap),
        cmocka_unit_test(test_criteria_schema_and_syntax_errors_have_lines),
        cmocka_unit_test(test_criteria_applicability_filters),
        cmocka_unit_test(test_criteria_validity_window_uses_tender_date),
        cmocka_unit_test(test_criteria_resolve_finds_default_set),
        cmocka_unit_test(test_criteria_refuses_hostile_files),
        cmocka_unit_test(test_criteria_check_command),
        cmocka_unit_test(test_criteria_docs_list_every_parameter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
