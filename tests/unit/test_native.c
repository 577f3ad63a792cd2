/* test_native.c - the native procaudit XML reader: the three samples mapped by hand, and
 * hostile files (XXE, billion laughs, invalid UTF-8, deep nesting, XSD errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "json/json.h"
#include "model.h"
#include "native/native.h"
#include "ocds/map.h"
#include "testfile.h"

/* ------------------------------------------------------------------ collecting items */

#define MAX_ITEMS 8

typedef struct {
    size_t n;
    ocds_item_kind kind[MAX_ITEMS];
    json_value *release[MAX_ITEMS];  /* taken from the reader */
    char ocid[MAX_ITEMS][256];
    char release_id[MAX_ITEMS][256];
    char error[MAX_ITEMS][1024];
    int error_code[MAX_ITEMS];
    uint64_t line[MAX_ITEMS];
    size_t index[MAX_ITEMS];
    int stop_with;                   /* the callback returns this */
} collected;

static int collect(void *ctx, ocds_item *it)
{
    collected *c = ctx;

    if (c->n < MAX_ITEMS) {
        c->kind[c->n] = it->kind;
        c->release[c->n] = it->release;
        it->release = NULL;
        snprintf(c->ocid[c->n], sizeof c->ocid[0], "%s", it->ocid ? it->ocid : "");
        snprintf(c->release_id[c->n], sizeof c->release_id[0], "%s",
                 it->release_id ? it->release_id : "");
        snprintf(c->error[c->n], sizeof c->error[0], "%s", it->error.msg);
        c->error_code[c->n] = it->error.code;
        c->line[c->n] = it->line;
        c->index[c->n] = it->index;
        c->n++;
    }
    return c->stop_with;
}

static void collected_free(collected *c)
{
    size_t i;

    for (i = 0; i < c->n; i++)
        json_free(c->release[i]);
    memset(c, 0, sizeof *c);
}

static const char *root_dir(void)
{
    const char *r = getenv("PROCAUDIT_ROOT");

    return r && *r ? r : ".";
}

static void read_sample(const char *name, collected *c, ocds_read_stats *st)
{
    char path[1024];
    err_t e;

    memset(c, 0, sizeof *c);
    memset(st, 0, sizeof *st);
    assert_true(snprintf(path, sizeof path, "%s/samples/native/%s", root_dir(), name) <
                (int)sizeof path);
    err_clear(&e);
    if (native_read_file(path, collect, c, st, &e) != 0)
        fail_msg("%s", e.msg);
}

static model_procurement *model_of(const json_value *rel)
{
    model_procurement *p = NULL;
    err_t e;

    err_clear(&e);
    if (model_from_ocds(&p, rel, NULL, &e) != 0)
        fail_msg("%s", e.msg);
    return p;
}

/* Reads XML text through a temporary file. Returns native_read_file's code. */
static int read_text(const char *xml, size_t len, collected *c, ocds_read_stats *st, err_t *e)
{
    char path[64];
    int rc;

    memset(c, 0, sizeof *c);
    memset(st, 0, sizeof *st);
    testfile_temp(path, sizeof path, "/tmp/test_native_XXXXXX", xml, len);
    err_clear(e);
    rc = native_read_file(path, collect, c, st, e);
    unlink(path);
    return rc;
}

/* Notes saying that the mapper had to add a party or a role. */
static size_t count_role_notes(const model_procurement *p)
{
    size_t i, n = 0;

    for (i = 0; i < p->n_notes; i++)
        if (strcmp(p->notes[i].code, "party_role_added") == 0 ||
            strcmp(p->notes[i].code, "party_added") == 0)
            n++;
    return n;
}

static double num_at(const json_value *v, const char *path)
{
    double d = 0;

    if (json_number(json_path(v, path), 0, &d) != 0)
        fail_msg("no number at %s", path);
    return d;
}

/* ------------------------------------------------------------------ the samples */

static void test_native_home_care_sample(void **state)
{
    collected c;
    ocds_read_stats st;
    model_procurement *p;
    const model_contract *k;
    const json_value *rel, *ev;
    double paid = 0;
    size_t i;
    (void)state;

    read_sample("home-care-older-people.xml", &c, &st);
    assert_int_equal(c.n, 1);
    assert_int_equal(st.releases, 1);
    assert_int_equal(st.rejected, 0);
    assert_string_equal(st.shape, "native_xml");
    assert_int_equal(c.kind[0], OCDS_ITEM_RELEASE);
    assert_string_equal(c.ocid[0], "ocds-procaudit-native-RCC-ASC-2024-017");
    assert_string_equal(c.release_id[0], "RCC-ASC-2024-017/2025-07-15T09:30:00Z");
    rel = c.release[0];
    assert_string_equal(json_str(json_path(rel, "procaudit.sourceFormat")), "native");

    p = model_of(rel);
    assert_string_equal(p->source_format, "native");
    assert_int_equal(p->date.t, 1752571800); /* 2025-07-15T09:30Z */
    assert_string_equal(p->buyer_id, "GB-LAE-RVC");
    assert_string_equal(p->buyer_name, "Riverside City Council, Adult Social Care");
    assert_string_equal(p->procuring_entity_id, "GB-LAE-RVC");
    assert_string_equal(model_party_find(p, "GB-LAE-RVC")->email,
                        "commissioning@riverside.example.gov.uk");
    assert_string_equal(p->procurement_method, "open");
    assert_string_equal(p->main_procurement_category, "services");
    assert_string_equal(p->tender_status, "complete");
    assert_float_equal(p->tender_value.amount, 1300000, 0);
    assert_string_equal(p->tender_value.currency, "GBP");
    assert_float_equal(p->planning_budget.amount, 1350000, 0);
    /* 2024-02-05T09:00Z .. 2024-03-08T12:00Z: 29 days of February 2024 + 3 days + 3 h. */
    assert_int_equal(p->tender_start.t, 1707123600);
    assert_int_equal(p->tender_end.t, 1709899200);
    assert_float_equal(model_days_between(p->tender_start, p->tender_end), 32.125, 1e-9);
    assert_float_equal(p->duration_days, 730, 0);
    assert_string_equal(p->place_of_performance,
                        "Riverside (North and East localities), United Kingdom");
    /* Items: D1 48000 hours at 27.00 GBP; D2 inherits the service's CPV 85312000. */
    assert_int_equal(p->n_items, 2);
    assert_float_equal(p->items[0].quantity, 48000, 0);
    assert_string_equal(p->items[0].unit_name, "hour");
    assert_float_equal(p->items[0].unit_value.amount, 27, 0);
    assert_string_equal(p->items[0].classification_id, "85312100");
    assert_string_equal(p->items[1].classification_id, "85312000");
    assert_int_equal(p->n_documents, 2);
    /* Three bids from three providers; the third disqualified. */
    assert_int_equal(p->n_bids, 3);
    assert_true(p->has_number_of_tenderers);
    assert_int_equal(p->number_of_tenderers, 3);
    assert_string_equal(p->bids[2].status, "disqualified");
    assert_float_equal(p->bids[2].value.amount, 1080000, 0);
    /* Criteria 60 % + 10 % + 30 % quality/quality/price: shares 0.6, 0.1, 0.3. */
    assert_int_equal(p->n_award_criteria, 3);
    assert_float_equal(p->award_criteria_list[0].share, 0.6, 1e-12);
    assert_float_equal(p->award_criteria_list[1].share, 0.1, 1e-12);
    assert_string_equal(p->award_criteria_list[2].type, "price");
    assert_float_equal(p->award_criteria_list[2].share, 0.3, 1e-12);
    assert_string_equal(p->award_criteria, "ratedCriteria");
    /* Award and contract. */
    assert_int_equal(p->n_awards, 1);
    assert_string_equal(p->awards[0].supplier_ids[0], "GB-CHC-1100123");
    assert_string_equal(p->awards[0].related_bids[0], "BID-1");
    assert_float_equal(p->awards[0].value.amount, 1296000, 0);
    assert_int_equal(p->awards[0].n_documents, 2);
    assert_int_equal(p->n_contracts, 1);
    k = &p->contracts[0];
    /* 48000 h x 27.00 = 1296000 first; x 28.35 = 1360800 after the amendment: x 1.05. */
    assert_float_equal(k->original_value.amount, 1296000, 0);
    assert_float_equal(k->value.amount, 1360800, 0);
    assert_float_equal(k->value.amount / k->original_value.amount, 1.05, 1e-12);
    assert_int_equal(k->n_amendments, 1);
    assert_true(k->amendments[0].has_amended_value);
    assert_float_equal(k->amendments[0].amended_value.amount, 1360800, 0);
    /* Payments 52650 + 53460 + 54270 = 160380, buyer to provider. */
    assert_int_equal(k->n_transactions, 3);
    for (i = 0; i < k->n_transactions; i++)
        paid += k->transactions[i].value.amount;
    assert_float_equal(paid, 160380, 0);
    assert_string_equal(k->transactions[0].payer_id, "GB-LAE-RVC");
    assert_string_equal(k->transactions[0].payee_id, "GB-CHC-1100123");
    /* Milestones: 2 planned payments + 1 delivery + 1 interim evaluation (assessment). */
    assert_int_equal(k->n_milestones, 4);
    assert_string_equal(k->milestones[0].type, "payment");
    assert_string_equal(k->milestones[2].type, "delivery");
    assert_string_equal(k->milestones[3].type, "assessment");
    assert_string_equal(k->milestones[3].id, "EV-2024-Q3");
    assert_true(k->milestones[3].date_met.present);
    /* Documents: the signed contract and the interim evaluation report. */
    assert_int_equal(k->n_documents, 2);
    assert_string_equal(k->documents[1].document_type, "physicalProgressReport");
    /* Roles computed from bids, awards and payments; no role note is needed. */
    assert_int_equal(count_role_notes(p), 0);
    model_procurement_free(p);

    /* Evaluation arrangements and results in the procaudit extension. */
    ev = json_path(rel, "procaudit.evaluation");
    assert_non_null(ev);
    assert_int_equal(json_len(json_get(ev, "evaluators")), 2);
    assert_int_equal(json_at(json_get(ev, "evaluators"), 1)->type, JSON_OBJECT);
    assert_true(json_get(json_at(json_get(ev, "evaluators"), 1), "independent")->u.boolean);
    assert_false(json_get(json_at(json_get(ev, "evaluators"), 0), "independent")->u.boolean);
    assert_int_equal(json_len(json_get(ev, "performanceIndicators")), 3);
    assert_float_equal(num_at(json_at(json_get(ev, "performanceIndicators"), 1), "baseline"), 4.1,
                       1e-12);
    assert_float_equal(num_at(json_at(json_get(ev, "results"), 0), "score"), 76, 0);
    assert_float_equal(
        num_at(json_at(json_get(json_at(json_get(ev, "results"), 0), "measurements"), 0), "value"),
        96.2, 1e-12);
    assert_string_equal(json_get_str(json_at(json_path(rel, "bids.details"), 2), "status"),
                        "disqualified");
    assert_non_null(strstr(json_str(json_path(json_at(json_path(rel, "bids.details"), 2),
                                              "procaudit.statusReason")),
                           "Care Quality Commission"));
    assert_float_equal(num_at(json_at(json_path(rel, "bids.details"), 0), "procaudit.score"), 84.5,
                       0);
    /* The decimal text is kept as written ("1296000.00"). */
    assert_string_equal(json_path(json_at(json_get(rel, "awards"), 0), "value.amount")->u.number.text,
                        "1296000.00");
    collected_free(&c);
}

static void test_native_youth_sample_two_procurements_and_lots(void **state)
{
    collected c;
    ocds_read_stats st;
    model_procurement *p;
    const model_award_criterion *cr;
    double paid = 0;
    size_t i;
    (void)state;

    read_sample("youth-employment-training.xml", &c, &st);
    assert_int_equal(c.n, 2);
    assert_int_equal(st.releases, 2);
    assert_int_equal(c.index[1], 1);
    assert_string_equal(c.ocid[1], "ocds-procaudit-native-NREO-2025-007");

    p = model_of(c.release[0]);
    assert_string_equal(p->procurement_method, "selective");
    assert_int_equal(p->n_lots, 2);
    assert_float_equal(p->lots[1].value.amount, 300000, 0);
    /* Bids from 3 distinct providers (488210 bid on both lots). */
    assert_int_equal(p->n_bids, 4);
    assert_int_equal(p->number_of_tenderers, 3);
    assert_string_equal(p->bids[3].status, "withdrawn");
    assert_false(p->bids[3].value.present);
    assert_string_equal(p->bids[0].related_lots[0], "LOT-1");
    /* Lot criteria in points: LOT-1 50/20/30 of 100, LOT-2 60/40 of 100. */
    assert_int_equal(p->n_award_criteria, 5);
    cr = p->award_criteria_list;
    assert_string_equal(cr[0].related_lot, "LOT-1");
    assert_string_equal(cr[0].weight_kind, "points");
    assert_float_equal(cr[0].share, 0.5, 1e-12);
    assert_float_equal(cr[1].share, 0.2, 1e-12);
    assert_float_equal(cr[2].share, 0.3, 1e-12);
    assert_string_equal(cr[3].related_lot, "LOT-2");
    assert_float_equal(cr[3].share, 0.6, 1e-12);
    assert_float_equal(cr[4].share, 0.4, 1e-12);
    /* Lot 1: 300 x 1440 = 432000; paid 129600 + 129600 + 144576 = 403776. */
    assert_int_equal(p->n_contracts, 2);
    assert_string_equal(p->contracts[0].status, "terminated");
    assert_float_equal(p->contracts[0].value.amount, 300 * 1440.0, 0);
    for (i = 0; i < p->contracts[0].n_transactions; i++)
        paid += p->contracts[0].transactions[i].value.amount;
    assert_float_equal(paid, 403776, 0);
    /* YPP-1 targets YC-1, YPP-2 targets YC-2; each contract has its own. */
    assert_string_equal(p->contracts[0].milestones[0].id, "YPP-1");
    assert_string_equal(p->contracts[1].milestones[0].id, "YPP-2");
    /* YC-1: the final evaluation; YC-2: reporting milestone + interim evaluation. */
    assert_int_equal(p->contracts[0].n_milestones, 2);
    assert_string_equal(p->contracts[0].documents[0].document_type, "finalAudit");
    assert_int_equal(p->contracts[1].n_milestones, 3);
    /* +01:00: 2023-07-28T12:00+01:00 = 11:00Z. */
    assert_int_equal(p->tender_end.t % 86400, 11 * 3600);
    model_procurement_free(p);

    p = model_of(c.release[1]);
    assert_string_equal(p->procurement_method, "direct");
    assert_non_null(strstr(p->procurement_method_rationale, "EUR 25,000"));
    /* No deliverables: one item for the service carries its CPV code. */
    assert_int_equal(p->n_items, 1);
    assert_string_equal(p->items[0].id, "service");
    assert_string_equal(p->items[0].classification_id, "79419000");
    assert_string_equal(p->awards[0].status, "active");   /* the XSD default */
    assert_string_equal(p->contracts[0].status, "active");
    assert_int_equal(p->n_bids, 0);
    assert_false(p->has_number_of_tenderers);
    assert_int_equal(p->n_award_criteria, 0);
    assert_null(p->award_criteria);
    model_procurement_free(p);
    assert_int_equal(json_len(json_get(c.release[1], "tag")), 3); /* tender award contract */
    collected_free(&c);
}

static void test_native_chinese_sample(void **state)
{
    collected c;
    ocds_read_stats st;
    model_procurement *p;
    const model_contract *k;
    (void)state;

    read_sample("community-social-work-zh.xml", &c, &st);
    assert_int_equal(c.n, 1);
    p = model_of(c.release[0]);
    assert_string_equal(p->language, "zh");
    assert_string_equal(p->buyer_name,
                        "\xe7\xa4\xba\xe4\xbe\x8b\xe5\xb8\x82\xe5\x8d\x97\xe6\xb9\x96\xe5\x8c\xba"
                        "\xe9\x9d\x92\xe6\xa1\x90\xe8\xa1\x97\xe9\x81\x93\xe5\x8a\x9e\xe4\xba\x8b"
                        "\xe5\xa4\x84"); /* 示例市南湖区青桐街道办事处 */
    assert_non_null(strstr(p->title, "\xe7\xa4\xbe\xe5\x8c\xba\xe7\xa4\xbe\xe4\xbc\x9a"
                                     "\xe5\xb7\xa5\xe4\xbd\x9c\xe6\x9c\x8d\xe5\x8a\xa1")); /* 社区社会工作服务 */
    assert_string_equal(p->tender_value.currency, "CNY");
    /* 2024-03-08T09:30:00+08:00 = 01:30Z. */
    assert_int_equal(p->tender_end.t, 1709861400);
    /* 45 + 35 + 10 + 10 = 100 points: the price weighs 10/100. */
    assert_int_equal(p->n_award_criteria, 4);
    assert_string_equal(p->award_criteria_list[2].type, "price");
    assert_float_equal(p->award_criteria_list[2].share, 0.1, 1e-12);
    assert_int_equal(p->n_items, 4);
    assert_float_equal(p->items[3].quantity, 2400, 0);
    assert_string_equal(p->items[3].unit_name, "\xe4\xba\xba\xe6\xac\xa1"); /* 人次 */
    k = &p->contracts[0];
    /* One contract: the 3 planned payments and both results attach to it:
     * 3 payment + 1 reporting + 2 assessment milestones. 40 % of 1180000 = 472000. */
    assert_int_equal(k->n_milestones, 6);
    assert_false(k->milestones[0].date_met.present);
    assert_int_equal(k->n_transactions, 2);
    assert_float_equal(k->transactions[0].value.amount, 0.4 * 1180000, 1e-6);
    assert_int_equal(k->n_documents, 2); /* contract + final evaluation report */
    assert_string_equal(p->bids[2].status, "disqualified");
    model_procurement_free(p);
    collected_free(&c);
}

/* ------------------------------------------------------------------ hostile files */

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define NS "xmlns=\"urn:procaudit:native:1\""

/* The smallest valid procurement, with a hole for extra content in <procedure>. */
static void minimal(char *out, size_t n, const char *id, const char *bid_status)
{
    int w = snprintf(out, n,
                     "<procurement id=\"%s\" date=\"2024-01-01\">\n"
                     "  <buyer id=\"B\"><name>Town</name></buyer>\n"
                     "  <provider id=\"P\"><name>Care</name></provider>\n"
                     "  <procedure><method>open</method>\n"
                     "    <bid id=\"b1\" provider=\"P\" status=\"%s\"/>\n"
                     "  </procedure>\n"
                     "  <service><title>Care</title></service>\n"
                     "</procurement>\n",
                     id, bid_status);
    assert_true(w > 0 && (size_t)w < n);
}

static void test_native_xxe_is_not_read(void **state)
{
    const char *xml = HEAD "<!DOCTYPE procurement [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
                           "<procurement " NS " id=\"X\" date=\"2024-01-01\">"
                           "<buyer id=\"B\"><name>&xxe;</name></buyer></procurement>\n";
    collected c;
    ocds_read_stats st;
    err_t e;
    (void)state;

    assert_int_equal(read_text(xml, strlen(xml), &c, &st, &e), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.kind[0], OCDS_ITEM_REJECTED);
    assert_null(c.release[0]);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(st.releases, 0);
    assert_non_null(strstr(c.error[0], ":2: a document type declaration (DOCTYPE) is refused"));
    assert_null(strstr(c.error[0], "root:"));
    collected_free(&c);
}

static void test_native_billion_laughs_refused(void **state)
{
    const char *xml = HEAD "<!DOCTYPE lolz [\n"
                           " <!ENTITY lol \"lol\">\n"
                           " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
                           " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
                           " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
                           " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
                           " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
                           " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
                           " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
                           " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
                           " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
                           "]>\n<procurements " NS "><procurement id=\"&lol9;\"/></procurements>\n";
    collected c;
    ocds_read_stats st;
    err_t e;
    (void)state;

    assert_int_equal(read_text(xml, strlen(xml), &c, &st, &e), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.kind[0], OCDS_ITEM_REJECTED);
    assert_non_null(strstr(c.error[0], "DOCTYPE"));
    collected_free(&c);
}

static void test_native_invalid_utf8_refused(void **state)
{
    char xml[2048];
    char body[1024];
    collected c;
    ocds_read_stats st;
    err_t e;
    size_t off;
    char *bad;
    (void)state;

    minimal(body, sizeof body, "U1", "valid");
    assert_true(snprintf(xml, sizeof xml, HEAD "<procurements " NS ">\n%s</procurements>\n", body) <
                (int)sizeof xml);
    /* "Town" -> "T\xC3(wn": a lead byte followed by a non-continuation byte. */
    bad = strstr(xml, "Town");
    bad[1] = '\xc3';
    bad[2] = '(';
    off = (size_t)(bad + 1 - xml);
    assert_int_equal(read_text(xml, strlen(xml), &c, &st, &e), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.kind[0], OCDS_ITEM_REJECTED);
    {
        char want[64];
        /* The buyer is on line 4: the declaration, <procurements>, <procurement>. */
        snprintf(want, sizeof want, ":4: invalid UTF-8 at byte offset %zu", off);
        assert_non_null(strstr(c.error[0], want));
    }
    collected_free(&c);
}

static void test_native_deep_nesting_refused(void **state)
{
    buf_t b;
    collected c;
    ocds_read_stats st;
    err_t e;
    int i;
    (void)state;

    /* 40 levels: well-formed for libxml2, over our NATIVE_MAX_DEPTH (16). */
    buf_init(&b, 1 << 20);
    assert_int_equal(buf_puts(&b, HEAD "<procurement " NS " id=\"D\" date=\"2024-01-01\">"), 0);
    for (i = 0; i < 40; i++)
        assert_int_equal(buf_puts(&b, "<x>"), 0);
    for (i = 0; i < 40; i++)
        assert_int_equal(buf_puts(&b, "</x>"), 0);
    assert_int_equal(buf_puts(&b, "</procurement>\n"), 0);
    assert_int_equal(read_text(b.data, b.len, &c, &st, &e), 0);
    assert_int_equal(c.kind[0], OCDS_ITEM_REJECTED);
    assert_int_equal(c.error_code[0], ERR_LIMIT);
    assert_non_null(strstr(c.error[0], "elements nested 41 deep, over the limit of 16"));
    collected_free(&c);

    /* 100000 levels: libxml2 stops at its own limit (256) before building the tree. */
    buf_reset(&b);
    assert_int_equal(buf_puts(&b, HEAD "<procurement " NS ">"), 0);
    for (i = 0; i < 100000; i++)
        assert_int_equal(buf_puts(&b, "<x>"), 0);
    assert_int_equal(read_text(b.data, b.len, &c, &st, &e), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.kind[0], OCDS_ITEM_REJECTED);
    assert_int_equal(c.error_code[0], ERR_LIMIT);
    assert_non_null(strstr(c.error[0], "not well-formed XML"));
    collected_free(&c);
    buf_dispose(&b);
}

/* An invalid procurement is rejected with file:line and element; the next one is read. */
static void test_native_xsd_errors_reject_one_procurement(void **state)
{
    char bad[1024], good[1024], xml[4096];
    collected c;
    ocds_read_stats st;
    err_t e;
    (void)state;

    minimal(bad, sizeof bad, "BAD-1", "ok");   /* "ok" is no bidStatus */
    minimal(good, sizeof good, "GOOD-2", "valid");
    assert_true(snprintf(xml, sizeof xml, HEAD "<procurements " NS ">\n%s%s</procurements>\n", bad,
                         good) < (int)sizeof xml);
    assert_int_equal(read_text(xml, strlen(xml), &c, &st, &e), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(st.releases, 1);
    assert_int_equal(c.kind[0], OCDS_ITEM_REJECTED);
    assert_int_equal(c.index[0], 0);
    assert_int_equal(c.line[0], 3);
    assert_string_equal(c.ocid[0], "ocds-procaudit-native-BAD-1");
    /* <bid> is on line 7: declaration, <procurements>, <procurement>, buyer, provider,
     * <procedure>, <bid>. */
    assert_non_null(strstr(c.error[0], ":7: element <bid>: Element 'bid', attribute 'status'"));
    assert_non_null(strstr(c.error[0], "(xsd_invalid)"));
    assert_int_equal(c.kind[1], OCDS_ITEM_RELEASE);
    assert_string_equal(c.ocid[1], "ocds-procaudit-native-GOOD-2");
    assert_int_equal(c.index[1], 1);
    collected_free(&c);
}

static void test_native_dangling_reference_rejected(void **state)
{
    const char *xml = HEAD "<procurement " NS " id=\"R\" date=\"2024-01-01\">\n"
                           "<buyer id=\"B\"><name>Town</name></buyer>\n"
                           "<procedure><method>direct</method></procedure>\n"
                           "<service><title>Care</title></service>\n"
                           "<award id=\"A\" provider=\"NOBODY\"/>\n"
                           "</procurement>\n";
    collected c;
    ocds_read_stats st;
    err_t e;
    (void)state;

    assert_int_equal(read_text(xml, strlen(xml), &c, &st, &e), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.kind[0], OCDS_ITEM_REJECTED);
    assert_non_null(strstr(c.error[0], "NOBODY"));
    assert_non_null(strstr(c.error[0], "element <"));
    collected_free(&c);
}

/* A procurement over NATIVE_MAX_ELEMENTS is refused before validation; the next one is
 * still read. */
static void test_native_oversized_procurement_rejected_alone(void **state)
{
    buf_t b;
    char good[1024];
    collected c;
    ocds_read_stats st;
    err_t e;
    int i;
    (void)state;

    minimal(good, sizeof good, "SMALL", "valid");
    buf_init(&b, 4u << 20);
    assert_int_equal(buf_puts(&b, HEAD "<procurements " NS ">\n"
                                      "<procurement id=\"HUGE\" date=\"2024-01-01\">"
                                      "<service><title>t</title>"), 0);
    /* 1 procurement + 1 service + 1 title + 10000 lots = 10003 elements. */
    for (i = 0; i < 10000; i++)
        assert_int_equal(buf_printf(&b, "<lot id=\"L%d\"/>", i), 0);
    assert_int_equal(buf_puts(&b, "</service></procurement>\n"), 0);
    assert_int_equal(buf_puts(&b, good), 0);
    assert_int_equal(buf_puts(&b, "</procurements>\n"), 0);
    assert_int_equal(read_text(b.data, b.len, &c, &st, &e), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.kind[0], OCDS_ITEM_REJECTED);
    assert_int_equal(c.error_code[0], ERR_LIMIT);
    assert_string_equal(c.ocid[0], "ocds-procaudit-native-HUGE");
    assert_non_null(strstr(c.error[0], ":3: element <procurement>: more than 10000 elements"));
    assert_int_equal(c.kind[1], OCDS_ITEM_RELEASE);
    assert_string_equal(c.ocid[1], "ocds-procaudit-native-SMALL");
    collected_free(&c);
    buf_dispose(&b);
}

static void test_native_file_level_refusals(void **state)
{
    char path[64];
    collected c;
    ocds_read_stats st;
    err_t e;
    int fd;
    const char *wrong_ns = HEAD "<procurement xmlns=\"urn:other\" id=\"W\" date=\"2024-01-01\"/>\n";
    const char *broken = HEAD "<procurement " NS ">\n<buyer>\n</procurement>\n";
    (void)state;

    assert_int_equal(read_text(wrong_ns, strlen(wrong_ns), &c, &st, &e), 0);
    assert_int_equal(c.kind[0], OCDS_ITEM_REJECTED);
    assert_non_null(strstr(c.error[0], ":2: element <procurement>: the root must be"));
    collected_free(&c);

    assert_int_equal(read_text(broken, strlen(broken), &c, &st, &e), 0);
    assert_int_equal(c.kind[0], OCDS_ITEM_REJECTED);
    assert_non_null(strstr(c.error[0], ":4: not well-formed XML"));
    collected_free(&c);

    /* Over the size limit (a sparse file: nothing is written). */
    assert_true(snprintf(path, sizeof path, "/tmp/test_native_XXXXXX") < (int)sizeof path);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)NATIVE_MAX_FILE_BYTES + 1), 0);
    close(fd);
    memset(&c, 0, sizeof c);
    memset(&st, 0, sizeof st);
    assert_int_equal(native_read_file(path, collect, &c, &st, &e), 0);
    unlink(path);
    assert_int_equal(c.kind[0], OCDS_ITEM_REJECTED);
    assert_int_equal(c.error_code[0], ERR_LIMIT);
    assert_non_null(strstr(c.error[0], "over the limit"));
    collected_free(&c);

    /* An unreadable file is the caller's failure, not a rejected record. */
    memset(&c, 0, sizeof c);
    err_clear(&e);
    assert_int_equal(native_read_file("/nonexistent/x.xml", collect, &c, &st, &e), ERR_IO);
    assert_int_equal(c.n, 0);
}

static void test_native_callback_can_stop(void **state)
{
    char one[1024], xml[4096];
    collected c;
    ocds_read_stats st;
    err_t e;
    char path[64];
    (void)state;

    minimal(one, sizeof one, "S1", "valid");
    assert_true(snprintf(xml, sizeof xml, HEAD "<procurements " NS ">%s", one) < (int)sizeof xml);
    minimal(one, sizeof one, "S2", "valid");
    assert_true(strlen(xml) + strlen(one) + 20 < sizeof xml);
    memcpy(xml + strlen(xml), one, strlen(one) + 1);
    memcpy(xml + strlen(xml), "</procurements>", 16);
    testfile_temp(path, sizeof path, "/tmp/test_native_XXXXXX", xml, strlen(xml));
    memset(&c, 0, sizeof c);
    memset(&st, 0, sizeof st);
    c.stop_with = ERR_GENERIC;
    err_clear(&e);
    assert_int_equal(native_read_file(path, collect, &c, &st, &e), ERR_GENERIC);
    unlink(path);
    assert_int_equal(c.n, 1); /* the second procurement was never handed over */
    collected_free(&c);
}

static void test_native_is_root(void **state)
{
    (void)state;
    assert_true(native_is_root("procurement", NATIVE_NS));
    assert_true(native_is_root("procurements", NATIVE_NS));
    assert_true(native_is_root("procurement", NULL));
    assert_true(native_is_root("procurements", ""));
    assert_false(native_is_root("procurement", "urn:other"));
    assert_false(native_is_root("ContractNotice", NATIVE_NS));
    assert_false(native_is_root(NULL, NULL));
}

static int teardown_all(void **state)
{
    (void)state;
    native_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_home_care_sample),
        cmocka_unit_test(test_native_youth_sample_two_procurements_and_lots),
        cmocka_unit_test(test_native_chinese_sample),
        cmocka_unit_test(test_native_xxe_is_not_read),
        cmocka_unit_test(test_native_billion_laughs_refused),
        cmocka_unit_test(test_native_invalid_utf8_refused),
        cmocka_unit_test(test_native_deep_nesting_refused),
        cmocka_unit_test(test_native_xsd_errors_reject_one_procurement),
        cmocka_unit_test(test_native_dangling_reference_rejected),
        cmocka_unit_test(test_native_oversized_procurement_rejected_alone),
        cmocka_unit_test(test_native_file_level_refusals),
        cmocka_unit_test(test_native_callback_can_stop),
        cmocka_unit_test(test_native_is_root),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
