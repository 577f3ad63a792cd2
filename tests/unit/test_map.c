/* test_map.c - OCDS compiled release -> model_procurement: every quirk, by hand.
 *
 * Inline releases are written with single quotes (turned into double quotes before
 * parsing) so that they stay readable. Epoch seconds in comments are days since
 * 1970-01-01 times 86400 plus the time of day, e.g. 2020-01-02 is day 18263:
 * 18263 * 86400 = 1577923200.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json/json.h"
#include "model.h"
#include "ocds/codemap.h"
#include "ocds/map.h"

/* ------------------------------------------------------------------ helpers */

static json_value *parse_q(const char *single_quoted)
{
    size_t n = strlen(single_quoted), i;
    char *s = malloc(n + 1);
    json_value *v = NULL;
    err_t e;

    assert_non_null(s);
    for (i = 0; i <= n; i++)
        s[i] = single_quoted[i] == '\'' ? '"' : single_quoted[i];
    err_clear(&e);
    if (json_parse(&v, s, n, &e) != 0)
        fail_msg("inline JSON does not parse: %s", e.msg);
    free(s);
    return v;
}

static model_procurement *map_q(const char *single_quoted)
{
    json_value *v = parse_q(single_quoted);
    model_procurement *p = NULL;
    err_t e;

    err_clear(&e);
    if (model_from_ocds(&p, v, NULL, &e) != 0)
        fail_msg("model_from_ocds: %s", e.msg);
    json_free(v);
    return p;
}

/* 1 when p has a note with this code (and this field, when field is not NULL). */
static int has_note(const model_procurement *p, const char *code, const char *field)
{
    size_t i;

    for (i = 0; i < p->n_notes; i++)
        if (strcmp(p->notes[i].code, code) == 0 &&
            (!field || (p->notes[i].field && strcmp(p->notes[i].field, field) == 0)))
            return 1;
    return 0;
}

static size_t count_notes(const model_procurement *p, const char *code)
{
    size_t i, n = 0;

    for (i = 0; i < p->n_notes; i++)
        if (strcmp(p->notes[i].code, code) == 0)
            n++;
    return n;
}

/* Reads a whole file of the shared test data, or skips the test when it is absent. */
static json_value *load_shared(const char *rel)
{
    const char *shared = getenv("PROCAUDIT_SHARED");
    char path[1024];
    FILE *f;
    long len;
    char *buf;
    json_value *v = NULL;
    err_t e;

    if (!shared)
        shared = "../shared";
    if (snprintf(path, sizeof path, "%s/data/%s", shared, rel) >= (int)sizeof path)
        fail_msg("path too long");
    f = fopen(path, "rb");
    if (!f) {
        skip();
        return NULL;
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    assert_true(len > 0);
    rewind(f);
    buf = malloc((size_t)len);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    err_clear(&e);
    if (json_parse(&v, buf, (size_t)len, &e) != 0)
        fail_msg("%s: %s", path, e.msg);
    free(buf);
    return v;
}

static const model_party *party(const model_procurement *p, const char *id)
{
    const model_party *pt = model_party_find(p, id);

    if (!pt)
        fail_msg("no party %s", id);
    return pt;
}

static int party_has_role(const model_party *pt, const char *role)
{
    size_t i;

    for (i = 0; i < pt->n_roles; i++)
        if (strcmp(pt->roles[i], role) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ dates */

static void test_map_date_variants(void **state)
{
    model_date d;
    (void)state;

    /* 2016-03-31 is day 16891: 16891 * 86400 = 1459382400. */
    assert_int_equal(map_parse_date("2016-03-31", &d), 0);
    assert_true(d.present);
    assert_int_equal(d.t, 1459382400);
    assert_int_equal(d.flags, MODEL_DATE_DATE_ONLY);
    /* + 10:20:30 = 37230 s -> 1459419630, no zone -> read as UTC. */
    assert_int_equal(map_parse_date("2016-03-31T10:20:30", &d), 0);
    assert_int_equal(d.t, 1459419630);
    assert_int_equal(d.flags, MODEL_DATE_NO_ZONE);
    /* Microseconds are dropped. */
    assert_int_equal(map_parse_date("2016-03-31T10:20:30.123456Z", &d), 0);
    assert_int_equal(d.t, 1459419630);
    assert_int_equal(d.flags, 0);
    /* +02:00 is two hours ahead of UTC: 1459419630 - 7200 = 1459412430. */
    assert_int_equal(map_parse_date("2016-03-31T10:20:30+02:00", &d), 0);
    assert_int_equal(d.t, 1459412430);
    /* -0530: 1459419630 + 19800 = 1459439430. */
    assert_int_equal(map_parse_date("2016-03-31T10:20:30-0530", &d), 0);
    assert_int_equal(d.t, 1459439430);
    /* A space instead of T, no seconds, lower-case z: 1459382400 + 37200. */
    assert_int_equal(map_parse_date("2016-03-31 10:20z", &d), 0);
    assert_int_equal(d.t, 1459419600);
    /* 24:00:00 is the next midnight: 1459382400 + 86400. */
    assert_int_equal(map_parse_date("2016-03-31T24:00:00Z", &d), 0);
    assert_int_equal(d.t, 1459468800);
    /* Leap day 2016-02-29 = 31 days before 2016-03-31: 1459382400 - 2678400. */
    assert_int_equal(map_parse_date("2016-02-29", &d), 0);
    assert_int_equal(d.t, 1456704000);
    /* Before the epoch. */
    assert_int_equal(map_parse_date("1969-12-31T23:59:59Z", &d), 0);
    assert_int_equal(d.t, -1);

    assert_int_equal(map_parse_date("0207-03-31T00:00:00Z", &d), ERR_LIMIT);
    assert_false(d.present);
    assert_int_equal(map_parse_date("2300-01-01", &d), ERR_LIMIT);
    assert_int_equal(map_parse_date("2015-02-29", &d), ERR_BAD_INPUT); /* not a leap year */
    assert_int_equal(map_parse_date("2016-02-30", &d), ERR_BAD_INPUT);
    assert_int_equal(map_parse_date("2016-13-01", &d), ERR_BAD_INPUT);
    assert_int_equal(map_parse_date("31/03/2016", &d), ERR_BAD_INPUT);
    assert_int_equal(map_parse_date("20160331", &d), ERR_BAD_INPUT);
    assert_int_equal(map_parse_date("2016-03-31T25:00:00Z", &d), ERR_BAD_INPUT);
    assert_int_equal(map_parse_date("2016-03-31T24:00:01Z", &d), ERR_BAD_INPUT);
    assert_int_equal(map_parse_date("2016-03-31T10:20:30+2", &d), ERR_BAD_INPUT);
    assert_int_equal(map_parse_date("2016-03-31T10:20:30.Z", &d), ERR_BAD_INPUT);
    assert_int_equal(map_parse_date("2016-03-31Tfoo", &d), ERR_BAD_INPUT);
    assert_int_equal(map_parse_date("2016-03-31T10:20:30Z junk", &d), ERR_BAD_INPUT);
    assert_int_equal(map_parse_date("", &d), ERR_BAD_INPUT);
    assert_false(d.present);
}

static void test_map_days_between(void **state)
{
    model_date a = {1, 1577923200, 0}, b = {1, 1577869200, 0};
    (void)state;

    /* 2020-01-02T00:00Z -> 2020-01-01T09:00Z: -54000 s = -0.625 days. */
    assert_float_equal(model_days_between(a, b), -0.625, 1e-9);
    assert_float_equal(model_days_between(b, a), 0.625, 1e-9);
}

/* ------------------------------------------------------------------ a crafted release */

static const char *const quirky =
    "{'ocid':'ocds-test-1','date':'2020-01-15T10:00:00Z','language':'en',"
    " 'parties':["
    "  {'id':'B1','name':'City of Testville','roles':['buyer'],"
    "   'identifier':{'scheme':'XX-REG','id':123},"
    "   'contactPoint':{'name':'Ann Auditor','email':'ann@example.org','telephone':'+1 555'},"
    "   'address':{'countryName':'Nowhere','locality':'Testville'}},"
    "  {'id':'S1','name':'Care Ltd','roles':['supplier','tenderer']},"
    "  {'id':'S2','name':'Help Co','roles':['tenderer']}],"
    " 'buyer':{'id':'B1'},"
    " 'planning':{'budget':{'amount':{'amount':'1000000.50','currency':'eur'}}},"
    " 'tender':{'id':'T1','title':'Home care','description':'Visits to older people',"
    "  'status':'Active','procurementMethod':'Licitaci\\u00f3n P\\u00fablica',"
    "  'mainProcurementCategory':'servicios','awardCriteria':'bestValueToGoverment',"
    "  'value':{'amount':-5,'currency':'EUR'},'datePublished':'2020-01-02',"
    "  'tenderPeriod':{'startDate':'2020-01-02T09:00:00','endDate':'2020-01-01T09:00:00Z'},"
    "  'contractPeriod':{'startDate':'2020-03-01T00:00:00+02:00',"
    "                    'endDate':'0207-01-01T00:00:00Z','durationInDays':'365'},"
    "  'numberOfTenderers':'2','tenderers':[{'id':'S1'},{'id':'S2'}],"
    "  'procuringEntity':{'id':'B1'},"
    "  'items':[{'id':7,'description':'Visits','classification':{'scheme':'CPV','id':'85312000'},"
    "   'quantity':'1200','unit':{'name':'hour','value':{'amount':25,'currency':'EUR'}},"
    "   'deliveryAddress':{'locality':'Testville','countryName':'Nowhere'}}],"
    "  'documents':[{'id':'D1','documentType':'technicalSpecifications','title':'Spec',"
    "   'url':'http://x/spec.pdf','datePublished':'2020-01-02T00:00:00Z'},"
    "   {'id':'','title':'','url':''}],"
    "  'milestones':[{'id':'M1','type':'delivery','status':'met','title':'Start',"
    "   'dueDate':'2020-03-01','dateMet':'2020-03-02T00:00:00Z'}]},"
    " 'bids':{'details':["
    "  {'id':'BID1','status':'Qualified','date':'2020-01-01T08:00:00Z',"
    "   'value':{'amount':1e15,'currency':'EUR'},'tenderers':[{'id':'S1'}]},"
    "  {'id':'BID2','status':'Disqualified','value':{'amount':'abc','currency':'EUR'},"
    "   'tenderers':[{'id':'S2'}]},"
    "  {'id':'BID3','status':'weird','value':{'amount':100}}]},"
    " 'awards':[{'id':'A1','status':'awarded','date':'2020-02-01T12:00:00Z',"
    "  'value':{'amount':30000,'currency':'EUR'},'suppliers':[{'id':'S1'},{'name':'Ghost Inc'}],"
    "  'relatedBids':['BID1'],'documents':[{'id':'AD1','documentType':'awardNotice'}]}],"
    " 'contracts':[{'id':'C1','awardID':'A1','status':'signed',"
    "  'value':{'amount':36000,'currency':'EUR'},'dateSigned':'2020-02-15T00:00:00Z',"
    "  'period':{'startDate':'2020-03-01T00:00:00Z','endDate':'2021-02-28T00:00:00Z'},"
    "  'amendments':[{'id':'AM1','date':'2020-09-01T00:00:00Z','rationale':'more hours'}],"
    "  'amendment':{'date':'2020-10-01T00:00:00Z','description':'1.0 style'},"
    "  'implementation':{'transactions':["
    "   {'id':'TR1','date':'2020-04-01T00:00:00Z','value':{'amount':3000,'currency':'EUR'},"
    "    'payer':{'id':'B1'},'payee':{'id':'S1'}},"
    "   {'id':'TR2','date':'2020-05-01','amount':{'amount':3000,'currency':'EUR'},"
    "    'providerOrganization':{'scheme':'XX-REG','id':'123'},"
    "    'receiverOrganization':{'scheme':'XX-REG','id':'999'}}],"
    "   'milestones':[{'id':'IM1','title':'Quarter 1 report'}],"
    "   'documents':[{'id':'ID1','documentType':'physicalProgressReport','title':'Q1'}]}}]}";

static void test_map_release_level_buyer_and_parties(void **state)
{
    model_procurement *p = map_q(quirky);
    const model_party *b;
    (void)state;

    assert_string_equal(p->ocid, "ocds-test-1");
    assert_string_equal(p->source_format, "ocds");
    assert_string_equal(p->language, "en");
    assert_true(p->date.present);
    assert_int_equal(p->date.t, 1579082400); /* day 18276 * 86400 + 10 h */
    assert_string_equal(p->buyer_id, "B1");
    assert_string_equal(p->buyer_name, "City of Testville"); /* from parties[0] */
    assert_string_equal(p->procuring_entity_id, "B1");
    assert_string_equal(p->procuring_entity_name, "City of Testville");
    /* 3 parties given + "Ghost Inc" added from the award's suppliers. */
    assert_int_equal(p->n_parties, 4);
    b = party(p, "B1");
    assert_string_equal(b->identifier_scheme, "XX-REG");
    assert_string_equal(b->identifier_id, "123");
    assert_true(has_note(p, "id_as_number", "parties[0].identifier.id"));
    assert_string_equal(b->contact_name, "Ann Auditor");
    assert_string_equal(b->email, "ann@example.org");
    assert_string_equal(b->telephone, "+1 555");
    assert_string_equal(b->country, "Nowhere");
    assert_string_equal(b->locality, "Testville");
    assert_true(party_has_role(b, "buyer"));
    /* B1 is the procuringEntity but did not say so in its roles. */
    assert_true(party_has_role(b, "procuringEntity"));
    assert_true(has_note(p, "party_role_added", "tender.procuringEntity"));
    assert_true(party_has_role(party(p, "Ghost Inc"), "supplier"));
    assert_true(has_note(p, "org_id_from_name", "awards[0].suppliers[1]"));
    assert_true(has_note(p, "party_added", "awards[0].suppliers[1]"));
    assert_null(model_party_find(p, "nobody"));
    assert_null(model_party_find(p, NULL));
    /* planning.budget.amount: "1000000.50" eur */
    assert_true(p->planning_budget.present);
    assert_float_equal(p->planning_budget.amount, 1000000.5, 1e-9);
    assert_string_equal(p->planning_budget.currency, "EUR");
    assert_true(has_note(p, "number_as_string", "planning.budget.amount.amount"));
    assert_true(has_note(p, "currency_case", "planning.budget.amount.currency"));
    model_procurement_free(p);
}

static void test_map_tender_codes_dates_and_amounts(void **state)
{
    model_procurement *p = map_q(quirky);
    (void)state;

    assert_string_equal(p->tender_id, "T1");
    assert_string_equal(p->title, "Home care");
    /* "Active" differs from the code "active" by case only: mapped, noted. */
    assert_string_equal(p->tender_status, "active");
    assert_string_equal(p->tender_status_raw, "Active");
    assert_string_equal(p->procurement_method, "open");
    assert_string_equal(p->procurement_method_raw, "Licitaci\xc3\xb3n P\xc3\xba" "blica");
    assert_string_equal(p->main_procurement_category, "services");
    assert_string_equal(p->main_procurement_category_raw, "servicios");
    assert_string_equal(p->award_criteria, "ratedCriteria");
    assert_string_equal(p->award_criteria_raw, "bestValueToGoverment");
    assert_true(has_note(p, "code_mapped", "tender.awardCriteria"));
    assert_true(has_note(p, "code_mapped", "tender.procurementMethod"));
    /* A negative estimate is kept as it is. */
    assert_true(p->tender_value.present);
    assert_float_equal(p->tender_value.amount, -5.0, 0);
    assert_string_equal(p->tender_value.currency, "EUR");
    /* datePublished 2020-01-02: date only, day 18263. */
    assert_int_equal(p->date_published.t, 1577923200);
    assert_int_equal(p->date_published.flags, MODEL_DATE_DATE_ONLY);
    assert_true(has_note(p, "date_only", "tender.datePublished"));
    /* tenderPeriod: start 2020-01-02T09:00 (no zone) after end 2020-01-01T09:00Z. */
    assert_int_equal(p->tender_start.t, 1577955600);
    assert_int_equal(p->tender_start.flags, MODEL_DATE_NO_ZONE);
    assert_true(has_note(p, "date_no_zone", "tender.tenderPeriod.startDate"));
    assert_int_equal(p->tender_end.t, 1577869200);
    assert_true(has_note(p, "period_end_before_start", "tender.tenderPeriod"));
    assert_float_equal(model_days_between(p->tender_start, p->tender_end), -1.0, 1e-9);
    /* contractPeriod start 2020-03-01T00:00+02:00 = 2020-02-29T22:00Z; end year 0207. */
    assert_int_equal(p->contract_period_start.t, 1583013600);
    assert_false(p->contract_period_end.present);
    assert_true(has_note(p, "date_implausible", "tender.contractPeriod.endDate"));
    assert_true(p->has_duration_days);
    assert_float_equal(p->duration_days, 365, 0);
    assert_true(has_note(p, "number_as_string", "tender.contractPeriod.durationInDays"));
    assert_true(p->has_number_of_tenderers);
    assert_int_equal(p->number_of_tenderers, 2);
    assert_int_equal(p->n_tenderers, 2);
    assert_string_equal(p->tenderer_ids[1], "S2");
    model_procurement_free(p);
}

static void test_map_items_documents_milestones(void **state)
{
    model_procurement *p = map_q(quirky);
    (void)state;

    assert_int_equal(p->n_items, 1);
    assert_string_equal(p->items[0].id, "7");
    assert_true(has_note(p, "id_as_number", "tender.items[0].id"));
    assert_string_equal(p->items[0].classification_scheme, "CPV");
    assert_string_equal(p->items[0].classification_id, "85312000");
    assert_true(p->items[0].has_quantity);
    assert_float_equal(p->items[0].quantity, 1200, 0);
    assert_string_equal(p->items[0].unit_name, "hour");
    assert_float_equal(p->items[0].unit_value.amount, 25, 0);
    assert_string_equal(p->items[0].delivery_location, "Testville, Nowhere");
    assert_string_equal(p->place_of_performance, "Testville, Nowhere");
    /* The second document is all "" and is dropped. */
    assert_int_equal(p->n_documents, 1);
    assert_string_equal(p->documents[0].document_type, "technicalSpecifications");
    assert_string_equal(p->documents[0].url, "http://x/spec.pdf");
    assert_true(has_note(p, "empty_object", "tender.documents[1]"));
    assert_int_equal(p->n_milestones, 1);
    assert_string_equal(p->milestones[0].type, "delivery");
    assert_int_equal(p->milestones[0].due_date.t, 1583020800);  /* day 18322 */
    assert_int_equal(p->milestones[0].date_met.t, 1583107200);  /* day 18323 */
    model_procurement_free(p);
}

/* awards[].items are mapped like tender.items, per award (R048 reads their
 * classifications); an item that is not an object is skipped with a note. */
static void test_map_award_items(void **state)
{
    model_procurement *p = map_q(
        "{'ocid':'ocds-x-ai','id':'1','date':'2020-01-02T00:00:00Z',"
        " 'tender':{'items':[{'id':'t1','classification':{'scheme':'CPV','id':'33000000'}}]},"
        " 'awards':[{'id':'A1','items':[{'id':1,'description':'Gloves',"
        "   'classification':{'scheme':'CPV','id':'18424000'},'quantity':'500',"
        "   'unit':{'name':'box','value':{'amount':4.5,'currency':'EUR'}}},"
        "   {'id':'2','classification':{'scheme':'UNSPSC','id':42132200}}, 7]},"
        "  {'id':'A2'}]}");
    model_award *a;
    (void)state;

    assert_int_equal(p->n_items, 1);
    assert_int_equal(p->n_awards, 2);
    a = &p->awards[0];
    /* Three entries, the third (7) not an object: two items. */
    assert_int_equal(a->n_items, 2);
    assert_string_equal(a->items[0].id, "1");
    assert_true(has_note(p, "id_as_number", "awards[0].items[0].id"));
    assert_string_equal(a->items[0].description, "Gloves");
    assert_string_equal(a->items[0].classification_scheme, "CPV");
    assert_string_equal(a->items[0].classification_id, "18424000");
    assert_true(a->items[0].has_quantity);
    assert_float_equal(a->items[0].quantity, 500, 0);
    assert_string_equal(a->items[0].unit_name, "box");
    assert_float_equal(a->items[0].unit_value.amount, 4.5, 0);
    assert_string_equal(a->items[0].unit_value.currency, "EUR");
    assert_string_equal(a->items[1].classification_scheme, "UNSPSC");
    assert_string_equal(a->items[1].classification_id, "42132200");
    assert_true(has_note(p, "wrong_type", "awards[0].items[2]"));
    /* The second award has no items. */
    assert_int_equal(p->awards[1].n_items, 0);
    assert_null(p->awards[1].items);
    /* The tender's items are not the awards'. */
    assert_string_equal(p->items[0].classification_id, "33000000");
    model_procurement_free(p);
}

/* The buyer's kind from the buyer party's details.classifications: eu-buyer-legal-type
 * (eForms BT-11) before TED_CA_TYPE, schemes without case; other parties are not read. */
static void test_map_buyer_kind(void **state)
{
    model_procurement *p;
    (void)state;

    p = map_q("{'ocid':'ocds-x-bk','id':'1','buyer':{'id':'B'},"
              " 'parties':[{'id':'S','roles':['supplier'],"
              "   'details':{'classifications':[{'scheme':'eu-buyer-legal-type','id':'cga'}]}},"
              "  {'id':'B','roles':['buyer'],'details':{'classifications':["
              "   {'scheme':'TED_CA_TYPE','id':'REGIONAL_AUTHORITY'},{'scheme':'other','id':'x'},"
              "   {'scheme':'EU-Buyer-Legal-Type','id':'la'}]}}]}");
    assert_string_equal(p->buyer_id, "B");
    assert_non_null(p->buyer_kind);
    assert_string_equal(p->buyer_kind, "la");
    assert_string_equal(p->buyer_kind_scheme, "EU-Buyer-Legal-Type");
    model_procurement_free(p);
    /* Only TED's CA_TYPE: kept as published. */
    p = map_q("{'ocid':'ocds-x-bk','id':'1','buyer':{'id':'B'},"
              " 'parties':[{'id':'B','details':{'classifications':[{'scheme':'TED_CA_TYPE','id':'MINISTRY'}]}}]}");
    assert_non_null(p->buyer_kind);
    assert_string_equal(p->buyer_kind, "MINISTRY");
    assert_string_equal(p->buyer_kind_scheme, "TED_CA_TYPE");
    model_procurement_free(p);
    /* The supplier's classification is not the buyer's; no buyer: no kind. */
    p = map_q("{'ocid':'ocds-x-bk','id':'1','buyer':{'id':'B'},"
              " 'parties':[{'id':'S','details':{'classifications':[{'scheme':'eu-buyer-legal-type','id':'cga'}]}}]}");
    assert_null(p->buyer_kind);
    assert_null(p->buyer_kind_scheme);
    model_procurement_free(p);
}

static void test_map_bids_awards_contracts(void **state)
{
    model_procurement *p = map_q(quirky);
    const model_contract *c;
    (void)state;

    assert_int_equal(p->n_bids, 3);
    assert_string_equal(p->bids[0].status, "valid");
    assert_string_equal(p->bids[0].status_raw, "Qualified");
    assert_int_equal(p->bids[0].date.t, 1577865600);
    /* A huge amount is kept as it is. */
    assert_true(p->bids[0].value.present);
    assert_float_equal(p->bids[0].value.amount, 1e15, 0);
    assert_string_equal(p->bids[0].tenderer_ids[0], "S1");
    assert_string_equal(p->bids[1].status, "disqualified");
    assert_string_equal(p->bids[1].status_raw, "Disqualified");
    assert_false(p->bids[1].value.present);
    assert_string_equal(p->bids[1].value.currency, "EUR");
    assert_true(has_note(p, "number_invalid", "bids.details[1].value.amount"));
    assert_string_equal(p->bids[2].status, "weird");
    assert_string_equal(p->bids[2].status_raw, "weird");
    assert_true(has_note(p, "code_outside_codelist", "bids.details[2].status"));
    assert_true(p->bids[2].value.present);
    assert_string_equal(p->bids[2].value.currency, "");
    assert_true(has_note(p, "currency_missing", "bids.details[2].value"));

    assert_int_equal(p->n_awards, 1);
    assert_string_equal(p->awards[0].status, "active");
    assert_string_equal(p->awards[0].status_raw, "awarded");
    assert_int_equal(p->awards[0].date.t, 1580558400);
    assert_float_equal(p->awards[0].value.amount, 30000, 0);
    assert_int_equal(p->awards[0].n_suppliers, 2);
    assert_string_equal(p->awards[0].supplier_ids[1], "Ghost Inc");
    assert_int_equal(p->awards[0].n_related_bids, 1);
    assert_string_equal(p->awards[0].related_bids[0], "BID1");
    assert_int_equal(p->awards[0].n_documents, 1);
    assert_string_equal(p->awards[0].documents[0].document_type, "awardNotice");

    assert_int_equal(p->n_contracts, 1);
    c = &p->contracts[0];
    assert_string_equal(c->award_id, "A1");
    assert_string_equal(c->status, "active");
    assert_string_equal(c->status_raw, "signed");
    assert_float_equal(c->value.amount, 36000, 0);
    assert_false(c->original_value.present);
    assert_int_equal(c->date_signed.t, 1581724800);
    assert_int_equal(c->period_start.t, 1583020800);
    assert_int_equal(c->period_end.t, 1614470400);
    /* amendments[] (1.1) then amendment (1.0). */
    assert_int_equal(c->n_amendments, 2);
    assert_string_equal(c->amendments[0].rationale, "more hours");
    assert_int_equal(c->amendments[1].date.t, 1601510400);
    assert_string_equal(c->amendments[1].description, "1.0 style");
    assert_int_equal(c->n_transactions, 2);
    assert_string_equal(c->transactions[0].payer_id, "B1");
    assert_string_equal(c->transactions[0].payee_id, "S1");
    /* OCDS 1.0 transaction: amount instead of value, identifiers instead of refs. */
    assert_float_equal(c->transactions[1].value.amount, 3000, 0);
    assert_string_equal(c->transactions[1].payer_id, "XX-REG-123");
    assert_string_equal(c->transactions[1].payee_id, "XX-REG-999");
    assert_int_equal(c->transactions[1].date.t, 1588291200);
    assert_int_equal(c->n_milestones, 1);
    assert_string_equal(c->milestones[0].title, "Quarter 1 report");
    assert_int_equal(c->n_documents, 1);
    assert_string_equal(c->documents[0].document_type, "physicalProgressReport");
    model_procurement_free(p);
}

/* ------------------------------------------------------------------ small cases */

static void test_map_absent_values_and_empty_strings(void **state)
{
    model_procurement *p = map_q(
        "{'ocid':'x','tender':{'title':'','description':null,'value':{'amount':'','currency':''},"
        " 'procurementMethod':'','status':null,'tenderPeriod':{'startDate':'','endDate':null}},"
        " 'awards':[{'id':'a','value':{'amount':null,'currency':'USD'},'status':''}]}");
    (void)state;

    assert_null(p->title);
    assert_null(p->description);
    assert_false(p->tender_value.present);
    assert_string_equal(p->tender_value.currency, "");
    assert_null(p->procurement_method);
    assert_null(p->procurement_method_raw);
    assert_null(p->tender_status);
    assert_false(p->tender_start.present);
    assert_false(p->tender_end.present);
    assert_false(p->awards[0].value.present);
    assert_string_equal(p->awards[0].value.currency, "USD");
    assert_null(p->awards[0].status);
    assert_null(p->buyer_id);
    /* "" and null are simply absent: nothing to note, and no currency_missing since the
     * amount is absent too. */
    assert_int_equal(p->n_notes, 0);
    model_procurement_free(p);
}

static void test_map_amount_quirks(void **state)
{
    model_procurement *p = map_q(
        "{'ocid':'x','awards':["
        " {'id':'1','value':{'amount':'  42.5 ','currency':' usd '}},"
        " {'id':'2','value':{'amount':'1,234.56','currency':'EUR'}},"
        " {'id':'3','value':{'amount':3.1e14,'currency':'AMD'}},"
        " {'id':'4','value':{'amount':-62999.99,'currency':'AMD'}},"
        " {'id':'5','value':{'amount':10,'currency':'EURO'}},"
        " {'id':'6','value':{'amount':'1e999','currency':'EUR'}},"
        " {'id':'7','value':7}]}");
    (void)state;

    assert_true(p->awards[0].value.present);
    assert_float_equal(p->awards[0].value.amount, 42.5, 0);
    assert_string_equal(p->awards[0].value.currency, "USD");
    assert_true(has_note(p, "number_as_string", "awards[0].value.amount"));
    assert_true(has_note(p, "currency_case", "awards[0].value.currency"));
    /* Thousands separators are ambiguous: refused, not guessed. */
    assert_false(p->awards[1].value.present);
    assert_true(has_note(p, "number_invalid", "awards[1].value.amount"));
    /* Huge (Armenia 3.1e14 AMD) and negative (Armenia -62999.99) kept as they are. */
    assert_float_equal(p->awards[2].value.amount, 3.1e14, 0);
    assert_float_equal(p->awards[3].value.amount, -62999.99, 1e-9);
    assert_true(p->awards[3].value.present);
    assert_string_equal(p->awards[4].value.currency, "");
    assert_true(has_note(p, "currency_invalid", "awards[4].value.currency"));
    assert_true(has_note(p, "currency_missing", "awards[4].value"));
    assert_false(p->awards[5].value.present);
    assert_true(has_note(p, "number_invalid", "awards[5].value.amount"));
    /* A bare number as value: read as the amount, noted. */
    assert_true(p->awards[6].value.present);
    assert_float_equal(p->awards[6].value.amount, 7, 0);
    assert_true(has_note(p, "wrong_type", "awards[6].value"));
    model_procurement_free(p);
}

static void test_map_date_quirks_in_release(void **state)
{
    model_procurement *p = map_q(
        "{'ocid':'x','date':'2016-03-31','tender':{'datePublished':'0207-05-01T00:00:00Z',"
        " 'tenderPeriod':{'startDate':'2016-03-31T10:20:30.123456+02:00','endDate':'soon'},"
        " 'awardPeriod':{'startDate':20160331}}}");
    (void)state;

    assert_int_equal(p->date.t, 1459382400);
    assert_true(has_note(p, "date_only", "date"));
    assert_false(p->date_published.present);
    assert_true(has_note(p, "date_implausible", "tender.datePublished"));
    /* 10:20:30+02:00 = 08:20:30Z: 1459382400 + 30030. */
    assert_int_equal(p->tender_start.t, 1459412430);
    assert_int_equal(p->tender_start.flags, 0);
    assert_false(p->tender_end.present);
    assert_true(has_note(p, "date_invalid", "tender.tenderPeriod.endDate"));
    assert_false(p->award_period_start.present);
    assert_true(has_note(p, "date_invalid", "tender.awardPeriod.startDate"));
    model_procurement_free(p);
}

static void test_map_award_criteria_shares(void **state)
{
    model_procurement *p = map_q(
        "{'ocid':'x','tender':{"
        " 'awardCriteria':{'criteria':["
        "  {'type':'price','name':'Price','numbers':[{'number':40,'weight':'percentageExact'}]},"
        "  {'type':'quality','name':'Method','numbers':[{'number':'60','weight':'percentageExact'}]}]},"
        " 'lots':["
        "  {'id':'L1','awardCriteria':{'criteria':["
        "   {'type':'price','numbers':[{'number':30,'weight':'pointsExact'}]},"
        "   {'type':'quality','numbers':[{'number':50,'weight':'pointsExact'}]},"
        "   {'type':'quality','numbers':[{'number':5,'threshold':'minimumScore'},"
        "                                {'number':20,'weight':'pointsExact'}]}]}},"
        "  {'id':'L2','awardCriteria':{'criteria':["
        "   {'type':'price','numbers':[{'number':1,'weight':'orderOfImportance'}]},"
        "   {'type':'quality','numbers':[{'number':2,'weight':'orderOfImportance'}]}]}},"
        "  {'id':'L3','awardCriteria':{'criteria':["
        "   {'type':'price','numbers':[{'number':70,'weight':'percentageExact'}]},"
        "   {'type':'quality'}]}}]}}");
    const model_award_criterion *c;
    (void)state;

    assert_int_equal(p->n_award_criteria, 9);
    c = p->award_criteria_list;
    /* Tender: 40 % and 60 % -> shares 40/100 and 60/100. */
    assert_null(c[0].related_lot);
    assert_string_equal(c[0].type, "price");
    assert_string_equal(c[0].weight_kind, "percentage");
    assert_true(c[0].has_share);
    assert_float_equal(c[0].share, 0.4, 1e-12);
    assert_float_equal(c[1].weight, 60, 0);
    assert_float_equal(c[1].share, 0.6, 1e-12);
    assert_true(has_note(p, "number_as_string", "tender.awardCriteria.criteria[1].numbers[0].number"));
    /* L1: 30 + 50 + 20 = 100 points -> 0.3, 0.5, 0.2 (the threshold number is no weight). */
    assert_string_equal(c[2].related_lot, "L1");
    assert_string_equal(c[2].weight_kind, "points");
    assert_float_equal(c[2].share, 0.3, 1e-12);
    assert_float_equal(c[3].share, 0.5, 1e-12);
    assert_float_equal(c[4].weight, 20, 0);
    assert_float_equal(c[4].share, 0.2, 1e-12);
    /* L2: an order of importance gives weights but no shares. */
    assert_string_equal(c[5].related_lot, "L2");
    assert_string_equal(c[5].weight_kind, "order");
    assert_true(c[5].has_weight);
    assert_false(c[5].has_share);
    assert_false(c[6].has_share);
    /* L3: one criterion without a weight -> no shares in that lot. */
    assert_true(c[7].has_weight);
    assert_false(c[7].has_share);
    assert_false(c[8].has_weight);
    assert_false(c[8].has_share);
    /* awardCriteria as an object gives no code: price and quality -> ratedCriteria. */
    assert_string_equal(p->award_criteria, "ratedCriteria");
    assert_null(p->award_criteria_raw);
    assert_true(has_note(p, "award_criteria_derived", "tender.awardCriteria"));
    model_procurement_free(p);
}

static void test_map_ocds10_identifiers_and_null_id(void **state)
{
    model_procurement *p = map_q(
        "{'ocid':'x','buyer':{'name':'Ministry','identifier':{'scheme':'GB-COH','id':'0123'}},"
        " 'awards':[{'id':'a','suppliers':[{'name':'ACME','identifier':{'scheme':'S','id':'null'}}],"
        "  'relatedBid':'b1'}]}");
    (void)state;

    assert_string_equal(p->buyer_id, "GB-COH-0123");
    assert_string_equal(p->buyer_name, "Ministry");
    assert_true(has_note(p, "org_id_from_identifier", "buyer"));
    assert_string_equal(party(p, "GB-COH-0123")->identifier_id, "0123");
    /* Paraguay writes identifier.id "null": not an id, so the name stands for it. */
    assert_string_equal(p->awards[0].supplier_ids[0], "ACME");
    assert_true(has_note(p, "null_as_string", "awards[0].suppliers[0].identifier.id"));
    assert_int_equal(p->awards[0].n_related_bids, 1);
    assert_string_equal(p->awards[0].related_bids[0], "b1");
    model_procurement_free(p);
}

static void test_map_buyer_from_parties_and_wrong_types(void **state)
{
    model_procurement *p = map_q(
        "{'ocid':'x','parties':[{'id':'P1','name':'Town','roles':'buyer'},42],"
        " 'tender':{'items':'none','numberOfTenderers':2.5,'lots':[{'id':1,'value':{'amount':5,'currency':'EUR'}}]},"
        " 'bids':[{'id':'b','status':'valid'}]}");
    (void)state;

    /* roles given as one string; no buyer object: the party with role buyer. */
    assert_string_equal(p->buyer_id, "P1");
    assert_string_equal(p->buyer_name, "Town");
    assert_true(has_note(p, "buyer_from_parties", "buyer"));
    assert_int_equal(p->n_parties, 1);
    assert_true(has_note(p, "wrong_type", "parties[1]"));
    assert_int_equal(p->n_items, 0);
    assert_true(has_note(p, "wrong_type", "tender.items"));
    assert_false(p->has_number_of_tenderers);
    assert_true(has_note(p, "number_invalid", "tender.numberOfTenderers"));
    assert_int_equal(p->n_lots, 1);
    assert_string_equal(p->lots[0].id, "1");
    assert_float_equal(p->lots[0].value.amount, 5, 0);
    /* bids as an array of details. */
    assert_int_equal(p->n_bids, 1);
    assert_string_equal(p->bids[0].status, "valid");
    assert_null(p->bids[0].status_raw);
    model_procurement_free(p);

    /* A buyer object that identifies nothing: the party with role buyer stands in. */
    p = map_q("{'ocid':'y','buyer':{},'parties':[{'id':'P9','name':'City','roles':['buyer']}]}");
    assert_string_equal(p->buyer_id, "P9");
    assert_string_equal(p->buyer_name, "City");
    assert_true(has_note(p, "buyer_from_parties", "buyer"));
    model_procurement_free(p);
}

static void test_map_refuses_no_ocid_and_non_object(void **state)
{
    json_value *v = parse_q("{'id':'r1','tender':{}}");
    json_value *a = parse_q("[1,2]");
    model_procurement *p = (model_procurement *)1;
    err_t e;
    (void)state;

    err_clear(&e);
    assert_int_equal(model_from_ocds(&p, v, NULL, &e), ERR_BAD_INPUT);
    assert_null(p);
    assert_non_null(strstr(e.msg, "ocid"));
    assert_int_equal(model_from_ocds(&p, a, NULL, &e), ERR_BAD_INPUT);
    assert_null(p);
    json_free(v);
    json_free(a);
    model_procurement_free(NULL);
}

static void test_map_source_format_and_original_value(void **state)
{
    model_procurement *p = map_q(
        "{'ocid':'x','procaudit':{'sourceFormat':'native'},"
        " 'contracts':[{'id':'c','value':{'amount':120,'currency':'EUR'},"
        "  'procaudit':{'originalValue':{'amount':100,'currency':'EUR'}},"
        "  'amendments':[{'id':'m','procaudit':{'amendedValue':{'amount':120,'currency':'EUR'}}}]}]}");
    (void)state;

    assert_string_equal(p->source_format, "native");
    assert_float_equal(p->contracts[0].original_value.amount, 100, 0);
    assert_true(p->contracts[0].amendments[0].has_amended_value);
    assert_float_equal(p->contracts[0].amendments[0].amended_value.amount, 120, 0);
    model_procurement_free(p);
}

static void test_map_is_deterministic(void **state)
{
    model_procurement *a = map_q(quirky), *b = map_q(quirky);
    size_t i;
    (void)state;

    assert_int_equal(a->n_notes, b->n_notes);
    for (i = 0; i < a->n_notes; i++) {
        assert_string_equal(a->notes[i].code, b->notes[i].code);
        assert_string_equal(a->notes[i].message, b->notes[i].message);
    }
    model_procurement_free(a);
    model_procurement_free(b);
}

/* Limits: an array cut at MAP_MAX_ARRAY, the notes cut at MAP_MAX_NOTES (the last one
 * saying so), strings cut at a NUL and at MAP_MAX_STRING on a UTF-8 boundary. */
static void test_map_limits(void **state)
{
    buf_t b;
    json_value *v = NULL;
    model_procurement *p = NULL;
    err_t e;
    size_t i;
    (void)state;

    buf_init(&b, 64u << 20);
    /* 100001 items whose ids are numbers: 100000 read, 100000 id_as_number notes wanted,
     * 5000 kept: 4999 of them + one notes_truncated. */
    assert_int_equal(buf_puts(&b, "{\"ocid\":\"x\",\"tender\":{\"items\":["), 0);
    for (i = 0; i <= MAP_MAX_ARRAY; i++)
        assert_int_equal(buf_printf(&b, "%s{\"id\":%zu}", i ? "," : "", i), 0);
    assert_int_equal(buf_puts(&b, "]}}"), 0);
    err_clear(&e);
    assert_int_equal(json_parse(&v, b.data, b.len, &e), 0);
    assert_int_equal(model_from_ocds(&p, v, NULL, &e), 0);
    assert_int_equal(p->n_items, MAP_MAX_ARRAY);
    assert_string_equal(p->items[MAP_MAX_ARRAY - 1].id, "99999");
    assert_int_equal(p->n_notes, MAP_MAX_NOTES);
    assert_string_equal(p->notes[0].code, "array_truncated");
    assert_string_equal(p->notes[MAP_MAX_NOTES - 1].code, "notes_truncated");
    /* 100000 + 1 notes were due (the truncation note first): 5000 - 1 kept, so
     * 100001 - 4999 = 95002 dropped. */
    assert_non_null(strstr(p->notes[MAP_MAX_NOTES - 1].message, "95002 further notes"));
    model_procurement_free(p);
    json_free(v);

    /* A title with a NUL (from \u0000), a description of MAP_MAX_STRING + 2 bytes ending
     * in a 3-byte character that straddles the cut. */
    buf_reset(&b);
    assert_int_equal(buf_puts(&b, "{\"ocid\":\"x\",\"tender\":{\"title\":\"ab\\u0000cd\","
                                  "\"description\":\""), 0);
    for (i = 0; i < MAP_MAX_STRING - 1; i++)
        assert_int_equal(buf_putc(&b, 'a'), 0);
    assert_int_equal(buf_puts(&b, "\xe7\xa4\xbe\"}}"), 0); /* bytes MAX-1, MAX, MAX+1 */
    assert_int_equal(json_parse(&v, b.data, b.len, &e), 0);
    assert_int_equal(model_from_ocds(&p, v, NULL, &e), 0);
    assert_string_equal(p->title, "ab");
    assert_true(has_note(p, "string_nul", "tender.title"));
    /* The cut falls inside the character: back to its first byte, MAX - 1 bytes kept. */
    assert_int_equal(strlen(p->description), MAP_MAX_STRING - 1);
    assert_true(has_note(p, "string_truncated", "tender.description"));
    model_procurement_free(p);
    json_free(v);
    buf_dispose(&b);
}

/* ------------------------------------------------------------------ real records */

/* Moldova, ocds-ngfbwp-17180016 (moldova-ppa/records/ocds-ngfbwp-17180016.json),
 * compiledRelease read by hand: buyer e136778b5dcc797d9cfe89628271813a "I.M.S.P.
 * INSTITUTUL MAMEI ŞI COPILULUI"; procurementMethod "Cerere a ofertelor de preţuri";
 * status "Executarea contractului"; tenderPeriod 2017-02-14T00:00:00.000Z ..
 * 2017-02-22T11:00:00.000Z; value {"amount": "", "currency": ""}; one tenderer
 * 8d97cc04...; tender.documents [{all ""}]; 2 awards 144708 and 53922 "mdl", status "";
 * 2 contracts, status "Înregistrat(ă)", dateSigned 2017-03-30, amendment {changes: []}. */
static void test_map_real_moldova(void **state)
{
    json_value *root = load_shared("ocds/moldova-ppa/records/ocds-ngfbwp-17180016.json");
    model_procurement *p = NULL;
    err_t e;
    (void)state;

    err_clear(&e);
    assert_int_equal(model_from_ocds(&p, json_get(root, "compiledRelease"), NULL, &e), 0);
    assert_string_equal(p->ocid, "ocds-ngfbwp-17180016");
    assert_string_equal(p->buyer_id, "e136778b5dcc797d9cfe89628271813a");
    assert_string_equal(p->buyer_name, "I.M.S.P. INSTITUTUL MAMEI \xc5\x9e" "I COPILULUI");
    assert_string_equal(p->procurement_method, "open");
    assert_string_equal(p->procurement_method_raw, "Cerere a ofertelor de pre\xc5\xa3uri");
    assert_string_equal(p->tender_status, "complete");
    assert_string_equal(p->tender_status_raw, "Executarea contractului");
    assert_null(p->award_criteria);
    assert_false(p->tender_value.present);
    /* 17211 * 86400 = 1487030400; 17219 * 86400 + 11 h = 1487761200; 8.458 days. */
    assert_int_equal(p->tender_start.t, 1487030400);
    assert_int_equal(p->tender_end.t, 1487761200);
    assert_float_equal(model_days_between(p->tender_start, p->tender_end), 8 + 11.0 / 24, 1e-9);
    assert_int_equal(p->n_tenderers, 1);
    assert_int_equal(p->n_documents, 0);
    assert_int_equal(p->n_awards, 2);
    assert_float_equal(p->awards[0].value.amount, 144708, 0);
    assert_string_equal(p->awards[0].value.currency, "MDL");
    assert_float_equal(p->awards[1].value.amount, 53922, 0);
    assert_null(p->awards[0].status);
    assert_true(has_note(p, "currency_case", "awards[1].value.currency"));
    assert_int_equal(p->n_contracts, 2);
    assert_string_equal(p->contracts[0].status, "active");
    assert_string_equal(p->contracts[0].status_raw, "\xc3\x8enregistrat(\xc4\x83)");
    assert_string_equal(p->contracts[0].award_id, "award-18741041");
    assert_int_equal(p->contracts[0].date_signed.t, 1490832000); /* day 17255 */
    assert_int_equal(p->contracts[0].n_amendments, 0);
    assert_float_equal(p->contracts[1].value.amount, 53922, 0);
    model_procurement_free(p);
    json_free(root);
}

/* Paraguay, ocds-03ad3f-280555 (paraguay-dncp/records/280555.json, a real record package,
 * records[0].compiledRelease): OCDS 1.0 style, no parties; buyer has a name only
 * "Administración Nacional de Electricidad (ANDE)" with a contactPoint; date
 * 2017-08-08T08:25:54-04:00; tenderPeriod.endDate 2015-07-06T09:00:00-04:00; 1 item
 * (quantity 1, classification 72102201-010, unit "Unidad", unit value amount null);
 * 2 lots; 36 tender documents; 1 award 45233757 USD whose supplier has identifier.id
 * "null"; 1 contract 45233756 USD signed 2015-12-18T12:00:00-05:00 with 9 documents. */
static void test_map_real_paraguay(void **state)
{
    json_value *root = load_shared("ocds/paraguay-dncp/records/280555.json");
    const json_value *rec = json_at(json_get(root, "records"), 0);
    model_procurement *p = NULL;
    const char *ande = "Administraci\xc3\xb3n Nacional de Electricidad (ANDE)";
    err_t e;
    (void)state;

    err_clear(&e);
    assert_int_equal(model_from_ocds(&p, json_get(rec, "compiledRelease"), NULL, &e), 0);
    assert_string_equal(p->ocid, "ocds-03ad3f-280555");
    /* 08:25:54-04:00 = 12:25:54Z on day 17386: 1502150400 + 44754. */
    assert_int_equal(p->date.t, 1502195154);
    assert_string_equal(p->buyer_id, ande);
    assert_string_equal(p->buyer_name, ande);
    assert_string_equal(party(p, ande)->email, "carolina_alegre@ande.gov.py");
    assert_true(party_has_role(party(p, ande), "procuringEntity"));
    assert_string_equal(p->procuring_entity_id, ande);
    assert_string_equal(p->tender_status, "complete");
    assert_false(p->tender_value.present);
    assert_false(p->planning_budget.present);
    assert_false(p->tender_start.present);
    assert_int_equal(p->tender_end.t, 1436187600); /* 13:00Z on day 16622 */
    assert_int_equal(p->n_items, 1);
    assert_float_equal(p->items[0].quantity, 1, 0);
    assert_string_equal(p->items[0].classification_id, "72102201-010");
    assert_string_equal(p->items[0].unit_name, "Unidad");
    assert_false(p->items[0].unit_value.present);
    assert_int_equal(p->n_lots, 2);
    assert_int_equal(p->n_documents, 36);
    assert_float_equal(p->awards[0].value.amount, 45233757, 0);
    assert_string_equal(p->awards[0].supplier_ids[0], "CONSORCIO SIEMENS - RIEDER - 500 KV");
    assert_float_equal(p->contracts[0].value.amount, 45233756, 0);
    assert_int_equal(p->contracts[0].date_signed.t, 1450458000); /* 17:00Z, day 16787 */
    assert_int_equal(p->contracts[0].n_documents, 9);
    model_procurement_free(p);
    json_free(root);
}

/* UK Contracts Finder, ocds-b5fd17-2c3aae9c-adc8-11e6-9901-0019b9f3037b: a framework for
 * community based support services (domiciliary care, supported living). Buyer
 * fc5aeb90c231da2210f5071852d4c8d1 "Spend Network"; party address countryName
 * "United Kingdom", locality ""; contact email janice.llewellyn@southglos.gov.uk,
 * telephone ""; tender.value 24477500 GBP; tenderPeriod 2014-12-17T16:44:58Z ..
 * 2018-01-31T00:00:00Z; items ids 1 and 2 (numbers), CPV 85000000 and 98000000;
 * milestones ids 1, 2 with dueDate 2014-02-01T00:00:00Z and 2018-01-31T00:00:00Z. */
static void test_map_real_uk(void **state)
{
    json_value *root = load_shared(
        "ocds/uk-contracts-finder/records/ocds-b5fd17-2c3aae9c-adc8-11e6-9901-0019b9f3037b.json");
    model_procurement *p = NULL;
    const model_party *b;
    err_t e;
    (void)state;

    err_clear(&e);
    assert_int_equal(model_from_ocds(&p, json_get(root, "compiledRelease"), NULL, &e), 0);
    assert_string_equal(p->buyer_name, "Spend Network");
    b = party(p, "fc5aeb90c231da2210f5071852d4c8d1");
    assert_string_equal(b->country, "United Kingdom");
    assert_null(b->locality);
    assert_null(b->telephone);
    assert_string_equal(b->email, "janice.llewellyn@southglos.gov.uk");
    assert_null(b->identifier_id);
    assert_float_equal(p->tender_value.amount, 24477500, 0);
    assert_string_equal(p->tender_value.currency, "GBP");
    assert_string_equal(p->tender_status, "active");
    assert_int_equal(p->tender_start.t, 1418834698);
    assert_int_equal(p->tender_end.t, 1517356800);
    assert_int_equal(p->n_items, 2);
    assert_string_equal(p->items[0].id, "1");
    assert_string_equal(p->items[1].classification_id, "98000000");
    assert_int_equal(p->n_milestones, 2);
    assert_int_equal(p->milestones[0].due_date.t, 1391212800);
    assert_null(p->procurement_method);
    assert_int_equal(p->n_awards, 0);
    model_procurement_free(p);
    json_free(root);
}

/* Armenia, AM-PPS-5a536f62f7a3f33031dae6e2c6c25b25 (armenia-armeps/releases/6.json has
 * releases only; this release carries the whole state and is mapped as a compiled
 * release). By hand: procurementMethod "direct", awardCriteria "lowestCost", status
 * "complete", numberOfTenderers 1, tender.value 0.01 AMD; tenderPeriod start
 * 2016-07-01T14:19:58+04:00, end 2016-06-13T04:00:00+04:00 (end before start);
 * award 63000 AMD dated 2016-06-13T03:00:00+04:00, relatedLots given as objects
 * [{"lotId": ...}]; one bid with status "qualified", value amount null, relatedLot
 * 5f811e21-b5f2-4bdb-a34f-a84cec6f2d5b. */
static void test_map_real_armenia(void **state)
{
    json_value *root = load_shared("ocds/armenia-armeps/releases/6.json");
    const json_value *rels = json_get(root, "releases"), *rel = NULL;
    model_procurement *p = NULL;
    size_t i;
    err_t e;
    (void)state;

    for (i = 0; i < json_len(rels); i++)
        if (strcmp(json_get_str(json_at(rels, i), "ocid"),
                   "AM-PPS-5a536f62f7a3f33031dae6e2c6c25b25") == 0)
            rel = json_at(rels, i);
    assert_non_null(rel);
    err_clear(&e);
    assert_int_equal(model_from_ocds(&p, rel, NULL, &e), 0);
    assert_string_equal(p->procurement_method, "direct");
    assert_null(p->procurement_method_raw);
    assert_string_equal(p->award_criteria, "priceOnly");
    assert_string_equal(p->award_criteria_raw, "lowestCost");
    assert_string_equal(p->main_procurement_category, "services");
    assert_int_equal(p->number_of_tenderers, 1);
    assert_float_equal(p->tender_value.amount, 0.01, 1e-12);
    /* 14:19:58+04:00 = 10:19:58Z on day 16983; 04:00+04:00 = 00:00Z on day 16965. */
    assert_int_equal(p->tender_start.t, 1467368398);
    assert_int_equal(p->tender_end.t, 1465776000);
    assert_true(has_note(p, "period_end_before_start", "tender.tenderPeriod"));
    assert_int_equal(p->n_awards, 1);
    assert_float_equal(p->awards[0].value.amount, 63000, 0);
    assert_int_equal(p->awards[0].date.t, 1465772400); /* 23:00Z on day 16964 */
    assert_int_equal(p->awards[0].n_related_lots, 0);
    assert_true(has_note(p, "wrong_type", "awards[0].relatedLots[0]"));
    assert_int_equal(p->n_bids, 1);
    assert_string_equal(p->bids[0].status, "valid");
    assert_string_equal(p->bids[0].status_raw, "qualified");
    assert_false(p->bids[0].value.present);
    assert_string_equal(p->bids[0].related_lots[0], "5f811e21-b5f2-4bdb-a34f-a84cec6f2d5b");
    assert_true(count_notes(p, "code_mapped") >= 2);
    model_procurement_free(p);
    json_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_date_variants),
        cmocka_unit_test(test_map_days_between),
        cmocka_unit_test(test_map_release_level_buyer_and_parties),
        cmocka_unit_test(test_map_tender_codes_dates_and_amounts),
        cmocka_unit_test(test_map_items_documents_milestones),
        cmocka_unit_test(test_map_bids_awards_contracts),
        cmocka_unit_test(test_map_award_items),
        cmocka_unit_test(test_map_buyer_kind),
        cmocka_unit_test(test_map_absent_values_and_empty_strings),
        cmocka_unit_test(test_map_amount_quirks),
        cmocka_unit_test(test_map_date_quirks_in_release),
        cmocka_unit_test(test_map_award_criteria_shares),
        cmocka_unit_test(test_map_ocds10_identifiers_and_null_id),
        cmocka_unit_test(test_map_buyer_from_parties_and_wrong_types),
        cmocka_unit_test(test_map_refuses_no_ocid_and_non_object),
        cmocka_unit_test(test_map_source_format_and_original_value),
        cmocka_unit_test(test_map_is_deterministic),
        cmocka_unit_test(test_map_limits),
        cmocka_unit_test(test_map_real_moldova),
        cmocka_unit_test(test_map_real_paraguay),
        cmocka_unit_test(test_map_real_uk),
        cmocka_unit_test(test_map_real_armenia),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
