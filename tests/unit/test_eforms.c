/* test_eforms.c - the eForms reader: every shared notice read without a crash, values of
 * real notices checked by hand against their XML, CN + CAN merged into one procurement,
 * and hostile XML refused with nothing read from disk or network.
 *
 * Hand checks give the XPath of each value in the notice (prefixes as in the file; the root
 * is written "(root)") and the value read there. Files come from $PROCAUDIT_SHARED/data/eforms
 * (see its SOURCES.md); tests that need them skip when they are absent.
 */
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
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "eforms/eforms.h"
#include "json/json.h"
#include "model.h"
#include "ocds/map.h"
#include "ocds/merge.h"

/* ------------------------------------------------------------------ helpers */

#define MAX_GOT 8

typedef struct {
    size_t n_rel, n_rej;
    json_value *rel[MAX_GOT];
    char ocid[MAX_GOT][256];
    char rej[1200];   /* the last rejection reason */
    char notes[8192]; /* "code|field|message\n" of the last release */
} got_t;

static int collect(void *ctx, ocds_item *it)
{
    got_t *g = ctx;
    size_t i, len;

    if (it->kind == OCDS_ITEM_REJECTED) {
        g->n_rej++;
        snprintf(g->rej, sizeof g->rej, "%s", it->error.msg);
        assert_null(it->release);
        return 0;
    }
    assert_int_equal(it->kind, OCDS_ITEM_RELEASE);
    assert_non_null(it->release);
    assert_non_null(it->ocid);
    assert_non_null(it->release_id);
    if (g->n_rel < MAX_GOT) {
        g->rel[g->n_rel] = it->release; /* taken */
        snprintf(g->ocid[g->n_rel], sizeof g->ocid[0], "%s", it->ocid);
        it->release = NULL;
    }
    g->n_rel++;
    g->notes[0] = '\0';
    for (i = 0, len = 0; i < it->n_notes; i++) {
        int w = snprintf(g->notes + len, sizeof g->notes - len, "%s|%s|%s\n", it->notes[i].code,
                         it->notes[i].field, it->notes[i].message);
        if (w < 0 || (size_t)w >= sizeof g->notes - len)
            break;
        len += (size_t)w;
    }
    return 0;
}

static void got_free(got_t *g)
{
    size_t i;

    for (i = 0; i < g->n_rel && i < MAX_GOT; i++)
        json_free(g->rel[i]);
    memset(g, 0, sizeof *g);
}

static const char *shared_dir(void)
{
    static char dir[1024];
    const char *s = getenv("PROCAUDIT_SHARED");
    struct stat st;

    snprintf(dir, sizeof dir, "%s/data/eforms", s && *s ? s : "../shared");
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return dir;
}

static void root_path(char *out, size_t n, const char *rel)
{
    const char *r = getenv("PROCAUDIT_ROOT");
    snprintf(out, n, "%s/%s", r && *r ? r : ".", rel);
}

/* Reads one shared notice (path relative to data/eforms) into g; skips when absent. */
static int read_shared(const char *rel, got_t *g)
{
    const char *d = shared_dir();
    char path[2048];
    err_t e;
    int rc;

    if (!d)
        return -1;
    snprintf(path, sizeof path, "%s/%s", d, rel);
    memset(g, 0, sizeof *g);
    err_clear(&e);
    rc = eforms_read_file(path, collect, g, NULL, &e);
    if (rc != 0)
        fail_msg("%s: %s", rel, e.msg);
    return 0;
}

static void read_path(const char *path, got_t *g)
{
    err_t e;

    memset(g, 0, sizeof *g);
    err_clear(&e);
    if (eforms_read_file(path, collect, g, NULL, &e) != 0)
        fail_msg("%s: %s", path, e.msg);
}

static const char *S(const json_value *v, const char *dotted)
{
    return json_str(json_path(v, dotted));
}

static double N(const json_value *v, const char *dotted)
{
    double d = -1;
    if (json_number(json_path(v, dotted), 0, &d) != 0)
        fail_msg("%s is not a number", dotted);
    return d;
}

/* The element of array `arr` whose `id` is id. */
static const json_value *by_id(const json_value *arr, const char *id)
{
    size_t i;

    for (i = 0; i < json_len(arr); i++)
        if (json_get_str(json_at(arr, i), "id") && strcmp(json_get_str(json_at(arr, i), "id"), id) == 0)
            return json_at(arr, i);
    fail_msg("no element with id %s", id);
    return NULL;
}

static int has_note(const got_t *g, const char *code)
{
    char pat[64];
    snprintf(pat, sizeof pat, "%s|", code);
    return strncmp(g->notes, pat, strlen(pat)) == 0 || strstr(g->notes, pat) != NULL;
}

/* ------------------------------------------------------------------ every shared file */

typedef struct {
    size_t files, releases, rejected, invalid_files, invalid_flagged;
} walk_t;

static int walk_cb(void *ctx, ocds_item *it)
{
    got_t *g = ctx;

    if (it->kind == OCDS_ITEM_REJECTED) {
        g->n_rej++;
        snprintf(g->rej, sizeof g->rej, "%s", it->error.msg);
        return 0;
    }
    g->n_rel++;
    assert_non_null(json_get_str(it->release, "ocid"));
    assert_int_equal(strncmp(json_get_str(it->release, "ocid"), EFORMS_DEFAULT_OCID_PREFIX,
                             strlen(EFORMS_DEFAULT_OCID_PREFIX)),
                     0);
    assert_non_null(json_get_str(it->release, "id"));
    assert_non_null(json_get(it->release, "tag"));
    /* the release goes through the OCDS merge and the model mapper as ingest will do */
    {
        json_value *compiled = NULL;
        model_procurement *p = NULL;
        err_t e;

        err_clear(&e);
        if (ocds_merge(&compiled, &it->release, 1, &e) != 0)
            fail_msg("%s: ocds_merge: %s", it->file, e.msg);
        if (model_from_ocds(&p, compiled, NULL, &e) != 0)
            fail_msg("%s: model_from_ocds: %s", it->file, e.msg);
        assert_string_equal(p->ocid, json_get_str(it->release, "ocid"));
        /* an absent estimated value stays absent (never 0) */
        if (!json_path(it->release, "tender.value"))
            assert_false(p->tender_value.present);
        model_procurement_free(p);
        json_free(compiled);
    }
    g->notes[0] = '\0';
    {
        size_t i, len = 0;
        for (i = 0; i < it->n_notes; i++) {
            int w = snprintf(g->notes + len, sizeof g->notes - len, "%s|", it->notes[i].code);
            if (w < 0 || (size_t)w >= sizeof g->notes - len)
                break;
            len += (size_t)w;
        }
    }
    return 0;
}

static void walk_dir(const char *dir, walk_t *w)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        char path[2048];
        struct stat st;
        got_t g;
        err_t e;

        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk_dir(path, w);
            continue;
        }
        if (!strstr(de->d_name, ".xml"))
            continue;
        memset(&g, 0, sizeof g);
        err_clear(&e);
        if (eforms_read_file(path, walk_cb, &g, NULL, &e) != 0)
            fail_msg("%s: %s", path, e.msg);
        assert_int_equal(g.n_rel + g.n_rej, 1); /* one notice per file, one item */
        w->files++;
        w->releases += g.n_rel;
        w->rejected += g.n_rej;
        if (g.n_rej) /* a rejection names the file and says why */
            assert_non_null(strstr(g.rej, de->d_name));
        if (strncmp(de->d_name, "INVALID_", 8) == 0) {
            w->invalid_files++;
            if (g.n_rej || strstr(g.notes, "xsd_invalid|") || strstr(g.notes, "change_folder_mismatch|"))
                w->invalid_flagged++;
            else
                print_message("unflagged invalid example: %s (notes: %s)\n", de->d_name, g.notes);
        }
    }
    closedir(d);
}

static void test_every_shared_notice(void **state)
{
    const char *d = shared_dir();
    char path[2048];
    walk_t w = {0};
    got_t g;

    (void)state;
    if (!d)
        skip();
    eforms_registry_reset();
    /* INVALID_change-cn_24_FRA_comments.xml changes cn_24_FRA_comments.xml: read the
     * original first so that the change can be checked against it. */
    snprintf(path, sizeof path, "%s/sdk-examples/cn_24_FRA_comments.xml", d);
    read_path(path, &g);
    got_free(&g);
    snprintf(path, sizeof path, "%s/ted-published", d);
    walk_dir(path, &w);
    /* Every real TED notice maps to a release (62 files in SOURCES.md). */
    assert_int_equal(w.rejected, 0);
    assert_true(w.releases >= 62);
    snprintf(path, sizeof path, "%s/sdk-examples", d);
    walk_dir(path, &w);
    print_message("eforms: %zu files, %zu releases, %zu rejected; %zu/%zu INVALID_* flagged\n", w.files,
                  w.releases, w.rejected, w.invalid_flagged, w.invalid_files);
    /* 8 INVALID_* examples: 7 lack BT-701/BT-04 (rejected), the change notice alters
     * unchangeable fields (note change_folder_mismatch). X01_EEIG is not a procurement
     * notice (rejected). */
    assert_int_equal(w.invalid_files, 8);
    assert_int_equal(w.invalid_flagged, 8);
    assert_true(w.rejected >= 8);
    eforms_registry_reset();
}

static void test_rejections_name_element_and_line(void **state)
{
    got_t g;

    (void)state;
    /* sdk-examples/INVALID_cn_24_empty.xml: the root <ContractNotice> on line 4 has no cbc:ID */
    if (read_shared("sdk-examples/INVALID_cn_24_empty.xml", &g) != 0)
        skip();
    assert_int_equal(g.n_rej, 1);
    assert_non_null(strstr(
        g.rej, "INVALID_cn_24_empty.xml: ContractNotice (line 4): no cbc:ID, the BT-701 notice identifier"));
    /* X01_EEIG.xml: root BusinessRegistrationInformationNotice on line 2 */
    assert_int_equal(read_shared("sdk-examples/X01_EEIG.xml", &g), 0);
    assert_int_equal(g.n_rej, 1);
    assert_non_null(
        strstr(g.rej, "BusinessRegistrationInformationNotice (line 2): not an eForms procurement notice"));
}

/* ------------------------------------------------------------------ hand-checked real notices */

/* NLD, CAN: ted-published/package_can_v1.7/2024-OJS065-00191536.xml (Waterschap Rivierenland). */
static void test_nld_can(void **state)
{
    got_t g;
    const json_value *r, *lot, *crit, *aw, *k;

    (void)state;
    if (read_shared("ted-published/package_can_v1.7/2024-OJS065-00191536.xml", &g) != 0)
        skip();
    assert_int_equal(g.n_rel, 1);
    r = g.rel[0];
    /* (root)/cbc:ContractFolderID = 9974ccf1-1d0a-4393-9198-33b67d6e2cb7 */
    assert_string_equal(S(r, "ocid"), "ocds-procaudit-eforms-9974ccf1-1d0a-4393-9198-33b67d6e2cb7");
    /* (root)/cbc:ID e23f09ec-... + (root)/cbc:VersionID 01 */
    assert_string_equal(S(r, "id"), "e23f09ec-e388-47f1-94c2-f6e495b1cf27-01");
    /* (root)/cbc:IssueDate 2024-03-29+00:00, (root)/cbc:IssueTime 13:36:26+00:00 -> UTC */
    assert_string_equal(S(r, "date"), "2024-03-29T13:36:26Z");
    assert_string_equal(json_str(json_at(json_get(r, "tag"), 0)), "award");
    assert_string_equal(json_str(json_at(json_get(r, "tag"), 1)), "contract");
    /* buyer: (root)/cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID = ORG-0001;
     * efac:Organization[ORG-0001]/efac:Company/cac:PartyName/cbc:Name = Waterschap Rivierenland,
     * cac:PartyLegalEntity/cbc:CompanyID = 30281419, country NLD */
    assert_string_equal(S(r, "buyer.name"), "Waterschap Rivierenland");
    assert_string_equal(S(r, "buyer.id"), "NLD-30281419");
    /* BT-105 (root)/cac:TenderingProcess/cbc:ProcedureCode = open */
    assert_string_equal(S(r, "tender.procurementMethod"), "open");
    /* BT-27 (root)/cac:ProcurementProject/cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount
     * currencyID="EUR" 7000000 */
    assert_true(N(r, "tender.value.amount") == 7000000.0);
    assert_string_equal(S(r, "tender.value.currency"), "EUR");
    /* one cac:ProcurementProjectLot, cbc:ID LOT-0000 */
    assert_int_equal(json_len(json_path(r, "tender.lots")), 1);
    lot = by_id(json_path(r, "tender.lots"), "LOT-0000");
    /* 5 SubordinateAwardingCriterion: 4 quality with number-fixed fix-unit 500000, 50000,
     * 50000, 25000; price with fix-tot 4000000 (fixed amounts, not weights) */
    crit = json_path(lot, "awardCriteria.criteria");
    assert_int_equal(json_len(crit), 5);
    assert_string_equal(json_get_str(json_at(crit, 4), "type"), "price");
    assert_string_equal(json_get_str(json_at(json_get(json_at(crit, 4), "numbers"), 0), "fixed"), "total");
    assert_true(N(json_at(json_get(json_at(crit, 4), "numbers"), 0), "number") == 4000000.0);
    assert_null(json_get(json_at(json_get(json_at(crit, 0), "numbers"), 0), "weight"));
    /* BT-759: only efbc:StatisticsCode t-esubm = 3 (electronic tenders); no "tenders" count,
     * so numberOfTenderers stays absent (never 0) */
    assert_null(json_path(r, "tender.numberOfTenderers"));
    assert_true(N(by_id(json_path(r, "bids.statistics"), "LOT-0000-electronicBids"), "value") == 3.0);
    /* winner: LotResult RES-0001 (selec-w) -> LotTender TEN-0001 -> TenderingParty TPA-0001
     * -> Tenderer ORG-0003 = "Hegeman Bouw &amp; Infra B.V." (CompanyID 70248311) */
    aw = by_id(json_get(r, "awards"), "RES-0001");
    assert_string_equal(json_get_str(aw, "status"), "active");
    assert_string_equal(S(json_at(json_get(aw, "suppliers"), 0), "name"), "Hegeman Bouw & Infra B.V.");
    assert_string_equal(S(json_at(json_get(aw, "suppliers"), 0), "id"), "NLD-70248311");
    /* BT-720 LotTender[TEN-0001]/cac:LegalMonetaryTotal/cbc:PayableAmount EUR 3887000.00 */
    assert_true(N(aw, "value.amount") == 3887000.0);
    /* BT-1451 SettledContract[CON-0001]/cbc:AwardDate 2024-02-14+01:00 */
    assert_string_equal(json_get_str(aw, "date"), "2024-02-14T00:00:00+01:00");
    k = by_id(json_get(r, "contracts"), "CON-0001");
    assert_string_equal(json_get_str(k, "awardID"), "RES-0001");
    assert_true(N(k, "value.amount") == 3887000.0);
    /* declared eforms-sdk-1.7; only 1.15 ships */
    assert_true(has_note(&g, "xsd_version_substituted"));
    got_free(&g);
}

/* POL, CAN, 6 lots: ted-published/package_can_v1.10/2024-OJS072-00215550.xml */
static void test_pol_can(void **state)
{
    got_t g;
    const json_value *r, *aw, *crit;

    (void)state;
    if (read_shared("ted-published/package_can_v1.10/2024-OJS072-00215550.xml", &g) != 0)
        skip();
    assert_int_equal(g.n_rel, 1);
    r = g.rel[0];
    /* buyer ORG-0001: cac:PartyName/cbc:Name = Wojewódzki Szpital Zespolony w Elblągu */
    assert_string_equal(S(r, "buyer.name"), "Wojewódzki Szpital Zespolony w Elblągu");
    assert_string_equal(S(r, "tender.procurementMethod"), "open");
    /* BT-27 procedure EstimatedOverallContractAmount currencyID="PLN" 167733600 */
    assert_true(N(r, "tender.value.amount") == 167733600.0);
    assert_string_equal(S(r, "tender.value.currency"), "PLN");
    /* 6 cac:ProcurementProjectLot LOT-0001..LOT-0006 */
    assert_int_equal(json_len(json_path(r, "tender.lots")), 6);
    /* LOT-0002: one criterion, AwardingCriterionTypeCode price, ParameterCode per-exa,
     * ParameterNumeric 100 */
    crit = json_path(by_id(json_path(r, "tender.lots"), "LOT-0002"), "awardCriteria.criteria");
    assert_int_equal(json_len(crit), 1);
    assert_string_equal(json_get_str(json_at(crit, 0), "type"), "price");
    assert_string_equal(json_get_str(json_at(json_get(json_at(crit, 0), "numbers"), 0), "weight"),
                        "percentageExact");
    assert_true(N(json_at(json_get(json_at(crit, 0), "numbers"), 0), "number") == 100.0);
    /* RES-0002 -> TEN-0048 (PayableAmount PLN 2144443.98) -> TPA-0004 -> ORG-0003
     * "Astrazeneca Kft." */
    aw = by_id(json_get(r, "awards"), "RES-0002");
    assert_string_equal(json_str(json_at(json_get(aw, "relatedLots"), 0)), "LOT-0002");
    assert_string_equal(S(json_at(json_get(aw, "suppliers"), 0), "name"), "Astrazeneca Kft.");
    assert_true(N(aw, "value.amount") == 2144443.98);
    assert_string_equal(S(aw, "value.currency"), "PLN");
    /* (root)/cbc:IssueDate 2024-04-10Z + cbc:IssueTime 09:31:16Z */
    assert_string_equal(S(r, "date"), "2024-04-10T09:31:16Z");
    got_free(&g);
}

/* POL, CN, restricted, 4 lots + 1 group: ted-published/eforms_sdk_v1.9/665175-2023.xml */
static void test_pol_cn_restricted(void **state)
{
    got_t g;
    const json_value *r, *crit;
    static const double w[5] = {40, 10, 35, 5, 10};
    size_t i;

    (void)state;
    if (read_shared("ted-published/eforms_sdk_v1.9/665175-2023.xml", &g) != 0)
        skip();
    r = g.rel[0];
    assert_string_equal(S(r, "buyer.name"), "32 Wojskowy Oddział Gospodarczy w Zamościu");
    /* BT-105 restricted -> selective (OCP mapping), label kept in the details */
    assert_string_equal(S(r, "tender.procurementMethod"), "selective");
    assert_string_equal(S(r, "tender.procurementMethodDetails"), "Restricted");
    assert_true(has_note(&g, "code_mapped"));
    /* no EstimatedOverallContractAmount anywhere: no value, not 0 */
    assert_null(json_path(r, "tender.value"));
    /* lots LOT-0001..LOT-0004; GLO-0008 (schemeName LotsGroup) is a group, not a lot */
    assert_int_equal(json_len(json_path(r, "tender.lots")), 4);
    /* LOT-0001 criteria: price 40, price 10, price 35, price 5, quality 10 (all per-exa);
     * 40 + 10 + 35 + 5 + 10 = 100 */
    crit = json_path(by_id(json_path(r, "tender.lots"), "LOT-0001"), "awardCriteria.criteria");
    assert_int_equal(json_len(crit), 5);
    for (i = 0; i < 5; i++)
        assert_true(N(json_at(json_get(json_at(crit, i), "numbers"), 0), "number") == w[i]);
    assert_string_equal(json_get_str(json_at(crit, 4), "type"), "quality");
    got_free(&g);
}

/* FIN, CN, restricted, one lot: ted-published/eforms_sdk_v1.7/615708-2023.xml */
static void test_fin_cn(void **state)
{
    got_t g;
    const json_value *r, *crit;

    (void)state;
    if (read_shared("ted-published/eforms_sdk_v1.7/615708-2023.xml", &g) != 0)
        skip();
    r = g.rel[0];
    assert_string_equal(S(r, "buyer.name"), "Puolustusvoimien logistiikkalaitos");
    assert_string_equal(S(r, "tender.procurementMethod"), "selective");
    /* BT-27 procedure and lot: EUR 10000000 */
    assert_true(N(r, "tender.value.amount") == 10000000.0);
    assert_string_equal(S(r, "tender.value.currency"), "EUR");
    assert_int_equal(json_len(json_path(r, "tender.lots")), 1);
    /* LOT-0000: price per-exa 50, quality per-exa 50 */
    crit = json_path(by_id(json_path(r, "tender.lots"), "LOT-0000"), "awardCriteria.criteria");
    assert_int_equal(json_len(crit), 2);
    assert_string_equal(json_get_str(json_at(crit, 0), "type"), "price");
    assert_true(N(json_at(json_get(json_at(crit, 0), "numbers"), 0), "number") == 50.0);
    assert_string_equal(json_get_str(json_at(crit, 1), "type"), "quality");
    assert_true(N(json_at(json_get(json_at(crit, 1), "numbers"), 0), "number") == 50.0);
    /* a restricted procedure's first stage: no cac:TenderSubmissionDeadlinePeriod */
    assert_null(json_path(r, "tender.tenderPeriod"));
    /* (root)/cbc:IssueDate 2023-10-10+00:00, cbc:IssueTime 11:51:31+00:00 */
    assert_string_equal(S(r, "date"), "2023-10-10T11:51:31Z");
    assert_string_equal(json_str(json_at(json_get(r, "tag"), 0)), "tender");
    got_free(&g);
}

/* ITA, CN, open: ted-published/eforms_sdk_v1.6/158253-2023.xml (JRC Ispra) */
static void test_ita_cn(void **state)
{
    got_t g;
    const json_value *r, *crit;

    (void)state;
    if (read_shared("ted-published/eforms_sdk_v1.6/158253-2023.xml", &g) != 0)
        skip();
    r = g.rel[0];
    assert_string_equal(S(r, "buyer.name"), "Centro Commune di Ricerca");
    assert_string_equal(S(r, "tender.procurementMethod"), "open");
    /* BT-27 EUR 1200000 */
    assert_true(N(r, "tender.value.amount") == 1200000.0);
    /* BT-131 LOT-0001 TenderSubmissionDeadlinePeriod EndDate 2023-04-26+02:00, EndTime
     * 16:00:00+02:00 */
    assert_string_equal(S(r, "tender.tenderPeriod.endDate"), "2023-04-26T16:00:00+02:00");
    crit = json_path(by_id(json_path(r, "tender.lots"), "LOT-0001"), "awardCriteria.criteria");
    assert_int_equal(json_len(crit), 1);
    assert_true(N(json_at(json_get(json_at(crit, 0), "numbers"), 0), "number") == 100.0);
    /* cbc:IssueTime 10:56:32.696816Z: the fraction of a second is dropped */
    assert_string_equal(S(r, "date"), "2023-03-15T10:56:32Z");
    got_free(&g);
}

/* The release says where it came from (procaudit.sourceFormat, as the native reader
 * writes it), so the model and the reports show "eforms", not "ocds". The sample is in the
 * repository: samples/eforms/2023-00615708_FIN_cn.xml. */
static void test_source_format(void **state)
{
    got_t g;
    char path[2048];
    model_procurement *p = NULL;
    err_t e;

    (void)state;
    root_path(path, sizeof path, "samples/eforms/2023-00615708_FIN_cn.xml");
    read_path(path, &g);
    assert_int_equal(g.n_rel, 1);
    assert_non_null(S(g.rel[0], "procaudit.sourceFormat"));
    assert_string_equal(S(g.rel[0], "procaudit.sourceFormat"), "eforms");
    err_clear(&e);
    assert_int_equal(model_from_ocds(&p, g.rel[0], NULL, &e), 0);
    assert_string_equal(p->source_format, "eforms");
    model_procurement_free(p);
    got_free(&g);
}

/* BT-11 buyer legal type, read by hand in samples/eforms/2024-OJS065-00191536_NLD_can.xml:
 * (root)/cac:ContractingParty/cac:ContractingPartyType/cbc:PartyTypeCode
 * listName="buyer-legal-type" = "ra" (Waterschap Rivierenland, a regional water
 * authority), the party ORG-0001 of cac:ContractingParty/cac:Party. It becomes the buyer
 * party's details.classifications[] {eu-buyer-legal-type, ra, Regional authority} and
 * the model's buyer_kind. */
static void test_buyer_legal_type(void **state)
{
    got_t g;
    char path[2048];
    const json_value *r, *buyer, *cls;
    model_procurement *p = NULL;
    err_t e;

    (void)state;
    root_path(path, sizeof path, "samples/eforms/2024-OJS065-00191536_NLD_can.xml");
    read_path(path, &g);
    assert_int_equal(g.n_rel, 1);
    r = g.rel[0];
    assert_non_null(S(r, "buyer.id"));
    buyer = by_id(json_get(r, "parties"), S(r, "buyer.id"));
    assert_string_equal(json_get_str(buyer, "name"), "Waterschap Rivierenland");
    cls = json_path(buyer, "details.classifications");
    assert_int_equal(json_len(cls), 1);
    assert_string_equal(json_get_str(json_at(cls, 0), "scheme"), "eu-buyer-legal-type");
    assert_string_equal(json_get_str(json_at(cls, 0), "id"), "ra");
    assert_string_equal(json_get_str(json_at(cls, 0), "description"), "Regional authority");
    /* The other parties (the winner ORG-0003) are no buyers: no legal type. */
    for (size_t i = 0; i < json_len(json_get(r, "parties")); i++) {
        const json_value *pt = json_at(json_get(r, "parties"), i);
        if (pt != buyer)
            assert_null(json_get(pt, "details"));
    }
    err_clear(&e);
    assert_int_equal(model_from_ocds(&p, r, NULL, &e), 0);
    assert_non_null(p->buyer_kind);
    assert_string_equal(p->buyer_kind, "ra");
    assert_string_equal(p->buyer_kind_scheme, "eu-buyer-legal-type");
    model_procurement_free(p);
    got_free(&g);
    /* ted-published/eforms_sdk_v1.3/634807-2022.xml (root)/cac:ContractingParty/
     * cac:ContractingPartyType/cbc:PartyTypeCode = "rl-aut", a code outside the list
     * (20220615-0): kept as given, no label, noted. */
    if (read_shared("ted-published/eforms_sdk_v1.3/634807-2022.xml", &g) != 0)
        skip();
    r = g.rel[0];
    buyer = by_id(json_get(r, "parties"), S(r, "buyer.id"));
    cls = json_path(buyer, "details.classifications");
    assert_int_equal(json_len(cls), 1);
    assert_string_equal(json_get_str(json_at(cls, 0), "id"), "rl-aut");
    assert_null(json_get(json_at(cls, 0), "description"));
    assert_true(has_note(&g, "code_outside_codelist"));
    got_free(&g);
}

/* BEL, CAN, 5 lots, 2 winners per lot: ted-published/package_can_v1.8/2024-OJS065-00191534.xml */
static void test_bel_can(void **state)
{
    got_t g;
    const json_value *r, *aw;

    (void)state;
    if (read_shared("ted-published/package_can_v1.8/2024-OJS065-00191534.xml", &g) != 0)
        skip();
    r = g.rel[0];
    assert_string_equal(S(r, "buyer.name"), "FOD Binnenlandse Zaken");
    assert_int_equal(json_len(json_path(r, "tender.lots")), 5);
    /* LotResult RES-0001: ReceivedSubmissionsStatistics StatisticsNumeric 6 with no
     * StatisticsCode (read as tenders, note code_assumed) */
    assert_true(N(by_id(json_path(r, "bids.statistics"), "LOT-0001-bids"), "value") == 6.0);
    assert_true(has_note(&g, "code_assumed"));
    /* several lots: no single numberOfTenderers */
    assert_null(json_path(r, "tender.numberOfTenderers"));
    /* RES-0004 (LOT-0004) has two winning tenders, TEN-0004 and TEN-0009; the award value
     * is their sum, printed with the inputs' two decimals: 25575.99 EUR (not
     * 25575.989999999998) */
    aw = by_id(json_get(r, "awards"), "RES-0004");
    assert_int_equal(json_len(json_get(aw, "suppliers")), 2);
    {
        const json_value *amt = json_path(aw, "value.amount");
        assert_non_null(amt);
        assert_int_equal(amt->type, JSON_NUMBER);
        assert_string_equal(amt->u.number.text, "25575.99");
    }
    got_free(&g);
}

/* ITA, CAN with a prefixed root (<urn:ContractAwardNotice>), no winner:
 * ted-published/package_can_v1.8/2023-OJS167-00524889.xml */
static void test_ita_can_prefixed_root(void **state)
{
    got_t g;
    const json_value *r, *aw;

    (void)state;
    if (read_shared("ted-published/package_can_v1.8/2023-OJS167-00524889.xml", &g) != 0)
        skip();
    assert_int_equal(g.n_rel, 1);
    r = g.rel[0];
    /* LotResult RES-0001 TenderResultCode clos-nw, DecisionReasonCode no-rece */
    aw = by_id(json_get(r, "awards"), "RES-0001");
    assert_string_equal(json_get_str(aw, "status"), "unsuccessful");
    assert_string_equal(json_get_str(aw, "statusDetails"), "no-rece");
    assert_null(json_get(aw, "suppliers"));
    assert_null(json_get(aw, "value"));
    /* cac:ProcurementProjectLot LOT-0004 is the lot of that result: unsuccessful (OCP) */
    assert_string_equal(S(by_id(json_path(r, "tender.lots"), "LOT-0004"), "status"), "unsuccessful");
    /* no SettledContract: tag award only */
    assert_int_equal(json_len(json_get(r, "tag")), 1);
    got_free(&g);
}

/* ------------------------------------------------------------------ CN + CAN of one procedure */

/* sdk-examples/cn_24_FRA_comments.xml and can_24_FRA_comments.xml (both based on real TED
 * notices of Rouen Habitat) share ContractFolderID e3cdabf1-e057-47a5-9210-b1f6fc757228. */
static void test_cn_can_merge(void **state)
{
    got_t cn, can;
    json_value *rels[2], *compiled = NULL;
    model_procurement *p = NULL;
    err_t e;
    size_t i, n_lot1 = 0;

    (void)state;
    eforms_registry_reset();
    if (read_shared("sdk-examples/cn_24_FRA_comments.xml", &cn) != 0)
        skip();
    assert_int_equal(read_shared("sdk-examples/can_24_FRA_comments.xml", &can), 0);
    assert_int_equal(cn.n_rel, 1);
    assert_int_equal(can.n_rel, 1);
    /* same ocid, same buyer (ORG-0001 Rouen Habitat, CompanyID "123 456 789" in both) */
    assert_string_equal(cn.ocid[0], can.ocid[0]);
    assert_false(has_note(&can, "folder_id_buyer_conflict"));
    /* CN IssueDate 2019-05-10+01:00 00:00:00+01:00 = 2019-05-09T23:00:00Z;
     * CAN IssueDate 2019-10-23+01:00 00:00:00+01:00 = 2019-10-22T23:00:00Z */
    assert_string_equal(S(cn.rel[0], "date"), "2019-05-09T23:00:00Z");
    assert_string_equal(S(can.rel[0], "date"), "2019-10-22T23:00:00Z");
    rels[0] = can.rel[0]; /* given out of order: the merge sorts by date */
    rels[1] = cn.rel[0];
    err_clear(&e);
    if (ocds_merge(&compiled, rels, 2, &e) != 0)
        fail_msg("ocds_merge: %s", e.msg);
    /* both stages in one compiled release: the CN's deadline (BT-131 2019-06-24Z
     * 16:00:00Z) and the CAN's awards and contracts */
    assert_string_equal(S(compiled, "ocid"), "ocds-procaudit-eforms-e3cdabf1-e057-47a5-9210-b1f6fc757228");
    assert_string_equal(S(compiled, "tender.tenderPeriod.endDate"), "2019-06-24T16:00:00Z");
    assert_int_equal(json_len(json_get(compiled, "awards")), 2);
    assert_int_equal(json_len(json_get(compiled, "contracts")), 2);
    assert_int_equal(json_len(json_path(compiled, "tender.lots")), 2);
    assert_string_equal(S(compiled, "date"), "2019-10-22T23:00:00Z");
    /* the party list is merged by stable id: buyer once, two suppliers */
    assert_string_equal(S(by_id(json_get(compiled, "parties"), "FRA-123456789"), "name"), "Rouen Habitat");
    /* The model (as scoring reads it): LOT-0001 criteria price 40 % + quality 60 %
     * (CAN lot LOT-0001, ParameterCode per-exa, ParameterNumeric 40 and 60): shares
     * 40 / (40 + 60) = 0.4 and 0.6. */
    err_clear(&e);
    if (model_from_ocds(&p, compiled, NULL, &e) != 0)
        fail_msg("model_from_ocds: %s", e.msg);
    assert_string_equal(p->buyer_name, "Rouen Habitat");
    assert_string_equal(p->procurement_method, "open");
    for (i = 0; i < p->n_award_criteria; i++) {
        const model_award_criterion *c = &p->award_criteria_list[i];
        if (!c->related_lot || strcmp(c->related_lot, "LOT-0001") != 0)
            continue;
        n_lot1++;
        assert_true(c->has_weight);
        assert_string_equal(c->weight_kind, "percentage");
        assert_true(c->has_share);
        if (strcmp(c->type, "price") == 0) {
            assert_true(c->weight == 40.0);
            assert_true(c->share > 0.3999 && c->share < 0.4001);
        } else {
            assert_string_equal(c->type, "quality");
            assert_true(c->weight == 60.0);
            assert_true(c->share > 0.5999 && c->share < 0.6001);
        }
    }
    assert_int_equal(n_lot1, 2);
    /* CAN BT-759 tenders LOT-0001 = 3, LOT-0002 = 2 */
    assert_true(N(by_id(json_path(compiled, "bids.statistics"), "LOT-0001-bids"), "value") == 3.0);
    assert_true(N(by_id(json_path(compiled, "bids.statistics"), "LOT-0002-bids"), "value") == 2.0);
    model_procurement_free(p);
    json_free(compiled);
    got_free(&cn);
    got_free(&can);
    eforms_registry_reset();
}

/* A real CN and a CAN written for it (tests/fixtures/eforms/can_for_ita_cn_158253-2023.xml,
 * invented result for the real JRC Ispra notice 158253-2023). */
static void test_real_cn_written_can_merge(void **state)
{
    got_t cn, can;
    json_value *rels[2], *compiled = NULL;
    model_procurement *p = NULL;
    char path[2048];
    err_t e;

    (void)state;
    eforms_registry_reset();
    if (read_shared("ted-published/eforms_sdk_v1.6/158253-2023.xml", &cn) != 0)
        skip();
    root_path(path, sizeof path, "tests/fixtures/eforms/can_for_ita_cn_158253-2023.xml");
    read_path(path, &can);
    assert_int_equal(can.n_rel, 1);
    /* same BT-04 513e5b58-02e0-42cd-9ff3-fcb7c1291ffc, same buyer (CompanyID JRC, ITA) */
    assert_string_equal(cn.ocid[0], "ocds-procaudit-eforms-513e5b58-02e0-42cd-9ff3-fcb7c1291ffc");
    assert_string_equal(can.ocid[0], cn.ocid[0]);
    assert_false(has_note(&can, "folder_id_buyer_conflict"));
    /* the fixture is valid against the 1.15 XSD: no xsd_invalid note */
    assert_false(has_note(&can, "xsd_invalid"));
    rels[0] = cn.rel[0];
    rels[1] = can.rel[0];
    err_clear(&e);
    if (ocds_merge(&compiled, rels, 2, &e) != 0)
        fail_msg("ocds_merge: %s", e.msg);
    /* from the CN: BT-27 EUR 1200000, BT-131 2023-04-26T16:00:00+02:00 */
    assert_true(N(compiled, "tender.value.amount") == 1200000.0);
    assert_string_equal(S(compiled, "tender.tenderPeriod.endDate"), "2023-04-26T16:00:00+02:00");
    /* from the CAN: 4 tenders received, winner, value EUR 1045300.00, signed 2023-07-14 */
    assert_true(N(compiled, "tender.numberOfTenderers") == 4.0);
    assert_string_equal(
        S(json_at(json_get(by_id(json_get(compiled, "awards"), "RES-0001"), "suppliers"), 0), "name"),
        "Officine Meccaniche Prealpi S.r.l.");
    assert_string_equal(S(by_id(json_get(compiled, "contracts"), "CON-0001"), "dateSigned"),
                        "2023-07-14T00:00:00+02:00");
    err_clear(&e);
    if (model_from_ocds(&p, compiled, NULL, &e) != 0)
        fail_msg("model_from_ocds: %s", e.msg);
    assert_true(p->has_number_of_tenderers);
    assert_int_equal(p->number_of_tenderers, 4);
    assert_true(p->tender_value.present);
    assert_true(p->tender_value.amount == 1200000.0);
    assert_int_equal(p->n_awards, 1);
    assert_true(p->awards[0].value.amount == 1045300.0);
    /* price 100 %: one criterion (the CAN's list replaces the CN's), share 100 / 100 = 1 */
    assert_int_equal(p->n_award_criteria, 1);
    assert_true(p->award_criteria_list[0].has_share && p->award_criteria_list[0].share == 1.0);
    model_procurement_free(p);
    json_free(compiled);
    got_free(&cn);
    got_free(&can);
    eforms_registry_reset();
}

/* A notice reusing a folder id with another buyer is kept apart (fixture written for
 * this test: tests/fixtures/eforms/cn_same_folder_other_buyer.xml). */
static void test_same_folder_other_buyer(void **state)
{
    got_t a, b;
    char path[2048];
    const json_value *crit;

    (void)state;
    eforms_registry_reset();
    if (read_shared("ted-published/package_can_v1.7/2024-OJS065-00191536.xml", &a) != 0)
        skip();
    root_path(path, sizeof path, "tests/fixtures/eforms/cn_same_folder_other_buyer.xml");
    read_path(path, &b);
    assert_int_equal(b.n_rel, 1);
    assert_string_equal(a.ocid[0], "ocds-procaudit-eforms-9974ccf1-1d0a-4393-9198-33b67d6e2cb7");
    /* buyer ORG-0001 Gemeente Voorbeeld, CompanyID 99999999, country NLD */
    assert_string_equal(b.ocid[0], "ocds-procaudit-eforms-9974ccf1-1d0a-4393-9198-33b67d6e2cb7-NLD-99999999");
    assert_string_equal(S(b.rel[0], "ocid"), b.ocid[0]);
    assert_true(has_note(&b, "folder_id_buyer_conflict"));
    /* order of importance kept as given: quality 1, price 2 (no share can be derived) */
    crit = json_path(by_id(json_path(b.rel[0], "tender.lots"), "LOT-0000"), "awardCriteria.criteria");
    assert_string_equal(json_get_str(json_at(json_get(json_at(crit, 0), "numbers"), 0), "weight"),
                        "orderOfImportance");
    assert_true(N(json_at(json_get(json_at(crit, 1), "numbers"), 0), "number") == 2.0);
    /* BT-27 lot EUR 250000.50, kept as written; the only lot's value is the tender's */
    assert_string_equal(
        json_path(json_at(json_path(b.rel[0], "tender.lots"), 0), "value.amount")->u.number.text,
        "250000.50");
    assert_true(N(b.rel[0], "tender.value.amount") == 250000.5);
    /* BT-36 24 MONTH -> 720 days (30 a month, noted) */
    assert_true(N(b.rel[0], "tender.contractPeriod.durationInDays") == 720.0);
    assert_true(has_note(&b, "duration_converted"));
    /* BT-131 2024-06-03+02:00 12:00:00+02:00 */
    assert_string_equal(S(b.rel[0], "tender.tenderPeriod.endDate"), "2024-06-03T12:00:00+02:00");
    /* a second notice of the same other buyer lands under the same suffixed ocid */
    got_free(&b);
    read_path(path, &b);
    assert_string_equal(b.ocid[0], "ocds-procaudit-eforms-9974ccf1-1d0a-4393-9198-33b67d6e2cb7-NLD-99999999");
    got_free(&a);
    got_free(&b);
    eforms_registry_reset();
}

/* Joint procurement (several cac:ContractingParty): sdk-examples can_25_ENG_Buyers.xml has
 * buyers GBR-123456789 and GBR-321654987, can_25_ENG.xml only GBR-123456789,
 * can_25_ENG_buyers_countries.xml FRA-123456789 and GBR-321654987; all share folder
 * 18d27a53-0109-4f93-9231-6659d931bce0. The first recorded buyer is GBR-123456789: the
 * second notice names it (same procedure), the third does not (kept apart). */
static void test_joint_buyers(void **state)
{
    got_t a, b, c;
    const char *base = "ocds-procaudit-eforms-18d27a53-0109-4f93-9231-6659d931bce0";

    (void)state;
    eforms_registry_reset();
    if (read_shared("sdk-examples/can_25_ENG_Buyers.xml", &a) != 0)
        skip();
    assert_int_equal(read_shared("sdk-examples/can_25_ENG.xml", &b), 0);
    assert_int_equal(read_shared("sdk-examples/can_25_ENG_buyers_countries.xml", &c), 0);
    assert_string_equal(a.ocid[0], base);
    assert_string_equal(b.ocid[0], base);
    assert_false(has_note(&b, "folder_id_buyer_conflict"));
    assert_string_equal(c.ocid[0],
                        "ocds-procaudit-eforms-18d27a53-0109-4f93-9231-6659d931bce0-FRA-123456789");
    assert_true(has_note(&c, "folder_id_buyer_conflict"));
    got_free(&a);
    got_free(&b);
    got_free(&c);
    eforms_registry_reset();
}

/* Contract modification notice (CMN) -> contracts[].amendments[]:
 * sdk-examples/can-modif_24_value.xml */
static void test_modification(void **state)
{
    got_t g;
    const json_value *k, *am;

    (void)state;
    if (read_shared("sdk-examples/can-modif_24_value.xml", &g) != 0)
        skip();
    assert_int_equal(g.n_rel, 1);
    assert_string_equal(json_str(json_at(json_get(g.rel[0], "tag"), 0)), "contractAmendment");
    /* efac:ContractModification/efbc:ModifiedContractIdentifier CON-0001,
     * efac:Change/efbc:ChangeDescription "Increase in framework value",
     * efac:ChangeReason/efbc:ReasonDescription "The original business case ..." */
    k = by_id(json_get(g.rel[0], "contracts"), "CON-0001");
    am = json_at(json_get(k, "amendments"), 0);
    assert_non_null(am);
    assert_string_equal(json_get_str(am, "description"), "Increase in framework value");
    assert_int_equal(strncmp(json_get_str(am, "rationale"), "The original business case", 26), 0);
    /* efbc:ChangedNoticeIdentifier 342558-2018 */
    assert_string_equal(json_get_str(am, "amendsReleaseID"), "342558-2018");
    got_free(&g);
}

/* A change notice -> tag tenderUpdate and tender.amendments[]:
 * sdk-examples/change-cn_24_open_dates.xml */
static void test_change_notice(void **state)
{
    got_t g;
    const json_value *am;

    (void)state;
    if (read_shared("sdk-examples/change-cn_24_open_dates.xml", &g) != 0)
        skip();
    assert_string_equal(json_str(json_at(json_get(g.rel[0], "tag"), 0)), "tenderUpdate");
    am = json_at(json_path(g.rel[0], "tender.amendments"), 0);
    /* efac:Changes: two efac:Change descriptions, joined */
    assert_string_equal(
        json_get_str(am, "description"),
        "Time limit for receipt of tenders or requests to participate; Conditions for opening of tenders");
    assert_string_equal(json_get_str(am, "amendsReleaseID"), "c4c415ee-ac08-4465-8fa6-57568cf69462-01");
    got_free(&g);
}

/* SDK 1.3 notices carry efbc:ChangedSectionIdentifier, which the 1.15 XSD refuses: read,
 * with the schema errors as notes (ted-published/eforms_sdk_v1.3/295399-2023.xml). */
static void test_xsd_drift_noted(void **state)
{
    got_t g;

    (void)state;
    if (read_shared("ted-published/eforms_sdk_v1.3/295399-2023.xml", &g) != 0)
        skip();
    assert_int_equal(g.n_rel, 1);
    assert_true(has_note(&g, "xsd_version_substituted"));
    assert_true(has_note(&g, "xsd_invalid"));
    assert_non_null(strstr(g.notes, "xsd_invalid||line 10: Element"));
    assert_non_null(strstr(g.notes, "ChangedSectionIdentifier"));
    got_free(&g);
}

/* ------------------------------------------------------------------ hostile XML */

static int loader_calls;
static xmlExternalEntityLoader saved_loader;

/* Records any attempt to load an external resource, and loads nothing. */
static xmlParserInputPtr recording_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    loader_calls++;
    return NULL;
}

static void write_file(const char *path, const char *content, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Reads a hostile file with the recording loader in place: it must be rejected with a
 * reason containing `why`, and nothing may be loaded. */
static void expect_refused(const char *name, const char *content, size_t len, const char *why)
{
    char path[256];
    got_t g;

    snprintf(path, sizeof path, "/tmp/procaudit-test-eforms-%ld-%s", (long)getpid(), name);
    write_file(path, content, len);
    loader_calls = 0;
    saved_loader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(recording_loader);
    read_path(path, &g);
    xmlSetExternalEntityLoader(saved_loader);
    unlink(path);
    assert_int_equal(g.n_rel, 0);
    assert_int_equal(g.n_rej, 1);
    if (!strstr(g.rej, why))
        fail_msg("%s: reason \"%s\" does not say \"%s\"", name, g.rej, why);
    assert_int_equal(loader_calls, 0);
    assert_null(strstr(g.rej, "root:")); /* nothing of /etc/passwd */
    got_free(&g);
}

#define NOTICE_HEAD                                                                                          \
    "<ContractNotice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2\" "               \
    "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">"

static void test_billion_laughs(void **state)
{
    static const char doc[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE lolz [\n"
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
        "]>\n" NOTICE_HEAD
        "<cbc:ID>&lol9;</cbc:ID><cbc:ContractFolderID>x</cbc:ContractFolderID></ContractNotice>\n";

    (void)state;
    /* the DOCTYPE on line 2 is refused before any entity is declared or expanded */
    expect_refused("lolz.xml", doc, sizeof doc - 1, "line 2: a document type declaration (DOCTYPE) refused");
}

static void test_xxe(void **state)
{
    static const char doc[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE ContractNotice [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n" NOTICE_HEAD
        "<cbc:ID>&xxe;</cbc:ID><cbc:ContractFolderID>x</cbc:ContractFolderID></ContractNotice>\n";
    static const char doc2[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE ContractNotice SYSTEM \"http://127.0.0.1:9/evil.dtd\">\n" NOTICE_HEAD
        "<cbc:ID>a</cbc:ID></ContractNotice>\n";

    /* XInclude is never processed (no XML_PARSE_XINCLUDE): cbc:ID stays empty */
    static const char doc3[] =
        NOTICE_HEAD "<cbc:ID><xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
                    "href=\"/etc/passwd\" parse=\"text\"/></cbc:ID>"
                    "<cbc:ContractFolderID>x</cbc:ContractFolderID></ContractNotice>\n";

    (void)state;
    expect_refused("xxe.xml", doc, sizeof doc - 1, "DOCTYPE) refused");
    expect_refused("xxe-dtd.xml", doc2, sizeof doc2 - 1, "DOCTYPE) refused");
    expect_refused("xinclude.xml", doc3, sizeof doc3 - 1,
                   "cbc:ID (line 1): BT-701 notice identifier is empty");
}

/* A schema that imports over the network or includes a file outside the schema
 * directory does not compile: the restricted loader refuses both, the notice is read
 * with an xsd_unavailable note. */
static void test_schema_loader_confined(void **state)
{
    char dir[256], sub[300], xsd[400], path[2048];
    static const char evil[] =
        "<?xml version=\"1.0\"?>\n<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
        "targetNamespace=\"urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2\">\n"
        "<xsd:import namespace=\"urn:x\" schemaLocation=\"http://127.0.0.1:9/evil.xsd\"/>\n"
        "<xsd:include schemaLocation=\"/etc/passwd\"/>\n</xsd:schema>\n";
    eforms_options o;
    got_t g;

    (void)state;
    if (!shared_dir())
        skip();
    snprintf(dir, sizeof dir, "/tmp/procaudit-test-eforms-%ld-xsd", (long)getpid());
    snprintf(sub, sizeof sub, "%s/1.7", dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(sub, sizeof sub, "%s/1.7/maindoc", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(xsd, sizeof xsd, "%s/UBL-ContractNotice-2.3.xsd", sub);
    write_file(xsd, evil, sizeof evil - 1);
    memset(&o, 0, sizeof o);
    o.schema_dir = dir;
    assert_int_equal(eforms_set_options(&o), 0);
    /* a real SDK 1.7 contract notice (FIN 615708-2023) */
    snprintf(path, sizeof path, "%s/ted-published/eforms_sdk_v1.7/615708-2023.xml", shared_dir());
    read_path(path, &g);
    assert_int_equal(eforms_set_options(NULL), 0);
    unlink(xsd);
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/1.7", dir);
    rmdir(sub);
    rmdir(dir);
    assert_int_equal(g.n_rel, 1);
    assert_true(has_note(&g, "xsd_unavailable"));
    assert_false(has_note(&g, "xsd_invalid"));
    assert_null(strstr(g.notes, "root:"));
    got_free(&g);
}

static void test_huge_notice(void **state)
{
    char path[256];
    FILE *f;
    static char chunk[1 << 20];
    size_t i;
    got_t g;

    (void)state;
    /* 100 MB: a valid start, then 100 chunks of 1 MiB of spaces inside a comment */
    snprintf(path, sizeof path, "/tmp/procaudit-test-eforms-%ld-huge.xml", (long)getpid());
    f = fopen(path, "wb");
    assert_non_null(f);
    fputs("<?xml version=\"1.0\"?>" NOTICE_HEAD "<!--", f);
    memset(chunk, ' ', sizeof chunk);
    for (i = 0; i < 100; i++)
        assert_int_equal(fwrite(chunk, 1, sizeof chunk, f), sizeof chunk);
    fputs("--></ContractNotice>", f);
    assert_int_equal(fclose(f), 0);
    read_path(path, &g);
    unlink(path);
    assert_int_equal(g.n_rej, 1);
    assert_non_null(strstr(g.rej, "over the limit of 20971520 bytes (20 MB) per notice"));
    got_free(&g);
}

static void test_deep_nesting(void **state)
{
    size_t depth = 100000, i, len = 0;
    size_t cap = strlen(NOTICE_HEAD) + depth * 7 + 64;
    char *doc = malloc(cap);

    (void)state;
    assert_non_null(doc);
    len += (size_t)snprintf(doc, cap, "%s", NOTICE_HEAD);
    for (i = 0; i < depth; i++) {
        memcpy(doc + len, "<a>", 3);
        len += 3;
    }
    for (i = 0; i < depth; i++) {
        memcpy(doc + len, "</a>", 4);
        len += 4;
    }
    len += (size_t)snprintf(doc + len, cap - len, "</ContractNotice>");
    /* libxml2 stops at its own depth limit (256) long before 100000 */
    expect_refused("deep.xml", doc, len, "not well-formed XML: Excessive depth");
    free(doc);

    /* 150 levels: under libxml2's limit, over ours (EFORMS_MAX_DEPTH = 128) */
    {
        char d2[4096];
        size_t l2 = (size_t)snprintf(d2, sizeof d2, "%s", NOTICE_HEAD);
        for (i = 0; i < 150; i++)
            l2 += (size_t)snprintf(d2 + l2, sizeof d2 - l2, "<a>");
        for (i = 0; i < 150; i++)
            l2 += (size_t)snprintf(d2 + l2, sizeof d2 - l2, "</a>");
        l2 += (size_t)snprintf(d2 + l2, sizeof d2 - l2, "</ContractNotice>");
        /* root + 150 a + nothing inside: 151 element levels */
        expect_refused("deep150.xml", d2, l2, "elements nested 151 deep, over the limit of 128");
    }
}

static void test_invalid_utf8(void **state)
{
    /* "<?xml version=\"1.0\"?>\n" is 22 bytes; NOTICE_HEAD follows on line 2, then
     * "<cbc:ID>" (8 bytes), then "ab" and the bad byte 0xC3 followed by '(' */
    static const char doc[] =
        "<?xml version=\"1.0\"?>\n" NOTICE_HEAD "<cbc:ID>ab\xC3(</cbc:ID></ContractNotice>";
    static const char overlong[] =
        "<?xml version=\"1.0\"?>\n" NOTICE_HEAD "<cbc:ID>\xC0\xAF</cbc:ID></ContractNotice>";
    static const char latin1[] =
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" NOTICE_HEAD "</ContractNotice>";
    char want[128];

    (void)state;
    snprintf(want, sizeof want, "invalid UTF-8 at byte offset %zu (line 2)",
             22 + strlen(NOTICE_HEAD) + 8 + 2);
    expect_refused("utf8.xml", doc, sizeof doc - 1, want);
    snprintf(want, sizeof want, "invalid UTF-8 at byte offset %zu (line 2)", 22 + strlen(NOTICE_HEAD) + 8);
    expect_refused("overlong.xml", overlong, sizeof overlong - 1, want);
    expect_refused("latin1.xml", latin1, sizeof latin1 - 1,
                   "declares encoding 'ISO-8859-1'; eForms notices are UTF-8");
}

static void test_malformed(void **state)
{
    static const char truncated[] =
        "<?xml version=\"1.0\"?>\n" NOTICE_HEAD "\n<cbc:ID>a</cbc:ID>\n<cbc:Contract";
    static const char other_root[] = "<?xml version=\"1.0\"?>\n<Invoice/>";

    (void)state;
    expect_refused("truncated.xml", truncated, sizeof truncated - 1, "not well-formed XML");
    expect_refused("empty.xml", "", 0, "not well-formed XML");
    expect_refused("invoice.xml", other_root, sizeof other_root - 1,
                   "Invoice (line 2): not an eForms procurement notice");
    /* a well-formed notice without BT-04 */
    {
        static const char nofolder[] = NOTICE_HEAD "<cbc:ID>n1</cbc:ID></ContractNotice>";
        expect_refused("nofolder.xml", nofolder, sizeof nofolder - 1,
                       "no cbc:ContractFolderID, the BT-04 procedure identifier");
    }
}

/* A text longer than EFORMS_MAX_TEXT (64 KiB) is cut at a UTF-8 character boundary:
 * buyer name "a" + 40000 x "\xC3\xA9" (80001 bytes); 65536 bytes would end inside the
 * 32768th "\xC3\xA9" (1 + 2 * 32767 = 65535), so 65535 bytes remain. */
static void test_long_text_cut_on_character(void **state)
{
    static const char head[] =
        "<ContractNotice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2\" "
        "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\" "
        "xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" "
        "xmlns:ext=\"urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2\" "
        "xmlns:efext=\"http://data.europa.eu/p27/eforms-ubl-extensions/1\" "
        "xmlns:efac=\"http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1\">"
        "<ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>"
        "<efac:Organizations><efac:Organization><efac:Company>"
        "<cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID></cac:PartyIdentification>"
        "<cac:PartyName><cbc:Name>a";
    static const char tail[] =
        "</cbc:Name></cac:PartyName></efac:Company></efac:Organization></efac:Organizations>"
        "</efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>"
        "<cbc:ID>n-long</cbc:ID><cbc:ContractFolderID>f-long</cbc:ContractFolderID>"
        "<cbc:NoticeTypeCode listName=\"competition\">cn-standard</cbc:NoticeTypeCode>"
        "<cac:ContractingParty><cac:Party><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID>"
        "</cac:PartyIdentification></cac:Party></cac:ContractingParty></ContractNotice>";
    size_t n = sizeof head - 1 + 80000 + sizeof tail - 1, i, len;
    char *doc = malloc(n + 1), path[256];
    const char *name;
    got_t g;

    (void)state;
    assert_non_null(doc);
    memcpy(doc, head, sizeof head - 1);
    for (i = 0; i < 40000; i++)
        memcpy(doc + sizeof head - 1 + 2 * i, "\xC3\xA9", 2);
    memcpy(doc + sizeof head - 1 + 80000, tail, sizeof tail - 1);
    snprintf(path, sizeof path, "/tmp/procaudit-test-eforms-%ld-long.xml", (long)getpid());
    write_file(path, doc, n);
    free(doc);
    read_path(path, &g);
    unlink(path);
    assert_int_equal(g.n_rel, 1);
    name = S(g.rel[0], "buyer.name");
    assert_non_null(name);
    len = strlen(name);
    assert_int_equal(len, 65535);
    assert_int_equal((unsigned char)name[len - 2], 0xC3);
    assert_int_equal((unsigned char)name[len - 1], 0xA9);
    got_free(&g);
}

/* Amounts are xsd:decimal; written as JSON numbers with their digits kept: "+007.50" ->
 * 7.50, ".5" -> 0.5, "12." -> 12; "1,5" is not a decimal: left out with a note. */
static void test_decimal_forms(void **state)
{
    static const char doc[] =
        "<ContractNotice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2\" "
        "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\" "
        "xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\">"
        "<cbc:ID>n-dec</cbc:ID><cbc:ContractFolderID>f-dec</cbc:ContractFolderID>"
        "<cac:ProcurementProject><cac:RequestedTenderTotal><cbc:EstimatedOverallContractAmount "
        "currencyID=\"EUR\">+007.50</cbc:EstimatedOverallContractAmount></cac:RequestedTenderTotal>"
        "</cac:ProcurementProject>"
        "<cac:ProcurementProjectLot><cbc:ID>LOT-1</cbc:ID><cac:ProcurementProject><cac:RequestedTenderTotal>"
        "<cbc:EstimatedOverallContractAmount currencyID=\"EUR\">.5</cbc:EstimatedOverallContractAmount>"
        "</cac:RequestedTenderTotal></cac:ProcurementProject></cac:ProcurementProjectLot>"
        "<cac:ProcurementProjectLot><cbc:ID>LOT-2</cbc:ID><cac:ProcurementProject><cac:RequestedTenderTotal>"
        "<cbc:EstimatedOverallContractAmount currencyID=\"EUR\">12.</cbc:EstimatedOverallContractAmount>"
        "</cac:RequestedTenderTotal></cac:ProcurementProject></cac:ProcurementProjectLot>"
        "<cac:ProcurementProjectLot><cbc:ID>LOT-3</cbc:ID><cac:ProcurementProject><cac:RequestedTenderTotal>"
        "<cbc:EstimatedOverallContractAmount currencyID=\"EUR\">1,5</cbc:EstimatedOverallContractAmount>"
        "</cac:RequestedTenderTotal></cac:ProcurementProject></cac:ProcurementProjectLot></ContractNotice>";
    char path[256];
    const json_value *lots;
    got_t g;

    (void)state;
    snprintf(path, sizeof path, "/tmp/procaudit-test-eforms-%ld-dec.xml", (long)getpid());
    write_file(path, doc, sizeof doc - 1);
    read_path(path, &g);
    unlink(path);
    assert_int_equal(g.n_rel, 1);
    assert_string_equal(json_path(g.rel[0], "tender.value.amount")->u.number.text, "7.50");
    lots = json_path(g.rel[0], "tender.lots");
    assert_string_equal(json_path(by_id(lots, "LOT-1"), "value.amount")->u.number.text, "0.5");
    assert_string_equal(json_path(by_id(lots, "LOT-2"), "value.amount")->u.number.text, "12");
    assert_null(json_get(by_id(lots, "LOT-3"), "value"));
    assert_non_null(
        strstr(g.notes, "number_invalid|tender.lots[LOT-3]|EstimatedOverallContractAmount (line 1): '1,5'"));
    got_free(&g);
}

static void test_unreadable(void **state)
{
    got_t g;
    err_t e;

    (void)state;
    memset(&g, 0, sizeof g);
    err_clear(&e);
    assert_int_equal(eforms_read_file("/nonexistent/procaudit/notice.xml", collect, &g, NULL, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "/nonexistent/procaudit/notice.xml"));
    assert_int_equal(g.n_rel + g.n_rej, 0);
}

static int teardown_all(void **state)
{
    (void)state;
    eforms_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_shared_notice),
        cmocka_unit_test(test_rejections_name_element_and_line),
        cmocka_unit_test(test_nld_can),
        cmocka_unit_test(test_pol_can),
        cmocka_unit_test(test_pol_cn_restricted),
        cmocka_unit_test(test_fin_cn),
        cmocka_unit_test(test_ita_cn),
        cmocka_unit_test(test_source_format),
        cmocka_unit_test(test_buyer_legal_type),
        cmocka_unit_test(test_bel_can),
        cmocka_unit_test(test_ita_can_prefixed_root),
        cmocka_unit_test(test_cn_can_merge),
        cmocka_unit_test(test_real_cn_written_can_merge),
        cmocka_unit_test(test_same_folder_other_buyer),
        cmocka_unit_test(test_joint_buyers),
        cmocka_unit_test(test_modification),
        cmocka_unit_test(test_change_notice),
        cmocka_unit_test(test_xsd_drift_noted),
        cmocka_unit_test(test_billion_laughs),
        cmocka_unit_test(test_xxe),
        cmocka_unit_test(test_schema_loader_confined),
        cmocka_unit_test(test_huge_notice),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_long_text_cut_on_character),
        cmocka_unit_test(test_decimal_forms),
        cmocka_unit_test(test_unreadable),
    };
    return cmocka_run_group_tests_name("eforms", tests, NULL, teardown_all);
}
