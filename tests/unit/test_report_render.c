/* test_report_render.c - the procurement audit report rendered from C-built inputs and
 * read back with poppler-utils: content, audiences, determinism, fonts, scripts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "report_fixture.h"
#include "report_pdf_util.h"

typedef struct {
    report_templates *tpl;
    report_fonts fonts;
} fx_state;

static int setup(void **state)
{
    fx_state *s = calloc(1, sizeof *s);
    err_t e;
    if (!s)
        return -1;
    s->tpl = tu_templates("en");
    report_fonts_default(&s->fonts);
    err_clear(&e);
    if (!s->tpl || report_fonts_check(&s->fonts, &e) != 0) {
        fprintf(stderr, "setup: %s\n", e.msg);
        report_templates_free(s->tpl);
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    fx_state *s = *state;
    report_templates_free(s->tpl);
    free(s);
    return 0;
}

/* Renders the fixture procurement; returns the PDF's path (slot) and the bytes. */
static const char *render(fx_state *s, model_procurement *p, evaluation_t *ev,
                          report_audience aud, const report_templates *tpl, int slot,
                          unsigned char **pdf_out, size_t *n_out)
{
    report_context ctx;
    unsigned char *pdf = NULL;
    size_t n = 0;
    err_t e;
    const char *path;
    int rc;

    fx_context(&ctx, aud);
    err_clear(&e);
    rc = report_procurement_pdf(&pdf, &n, tpl ? tpl : s->tpl, &s->fonts, p, ev, &ctx, &e);
    if (rc != 0)
        fprintf(stderr, "render: %s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_non_null(pdf);
    assert_true(n > 1000);
    assert_memory_equal(pdf, "%PDF-", 5);
    path = tu_write_tmp(pdf, n, slot);
    assert_non_null(path);
    if (pdf_out) {
        *pdf_out = pdf;
        *n_out = n;
    } else {
        free(pdf);
    }
    report_context_dispose(&ctx);
    return path;
}

static void test_report_procurement_shows_values_and_flags(void **state)
{
    fx_state *s = *state;
    model_procurement *p = fx_procurement(3, 2, NULL);
    evaluation_t *ev = fx_evaluation();
    const char *path = render(s, p, ev, REPORT_INTERNAL, NULL, 0, NULL, NULL);
    char *txt = tu_text(path, 0, 0);

    assert_non_null(txt);
    tu_squash(txt);
    assert_non_null(strstr(txt, FX_OCID));
    assert_non_null(strstr(txt, "Ayuntamiento de Álora"));
    assert_non_null(strstr(txt, "Cooperativa Ñandú S.L."));
    /* dimension scores (see report_fixture.h: 50.0, 0.0, overall 25.0, two not assessed) */
    assert_non_null(strstr(txt, "Procedure: score 50.0, coverage 100%"));
    assert_non_null(strstr(txt, "Price: score 0.0, coverage 100%"));
    assert_non_null(strstr(txt, "Content: not assessed"));
    assert_non_null(strstr(txt, "Evaluation: not assessed"));
    assert_non_null(strstr(txt, "Overall score 25.0 / 100"));
    /* coverage 4/6 = 66.7% printed as 67% */
    assert_non_null(strstr(txt, "67%"));
    /* each flagged criterion with its measured value and threshold, in the findings */
    assert_non_null(strstr(txt, "Measured value: 9 days; threshold: < 15 days"));
    assert_non_null(strstr(txt, "Measured value: 1.18 (award / estimate); threshold: > 1.10"));
    assert_non_null(strstr(txt, "Measured value: 1.35 (current / original); threshold: > 1.20"));
    /* the criteria-set hash and the source file hash */
    assert_non_null(strstr(txt, FX_SHA));
    assert_non_null(strstr(txt, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
    /* frequency in perspective: R003 flagged in 12 of 340 */
    assert_non_null(strstr(txt, "flagged in 12 of 340 procurements of this buyer"));
    /* amounts: 100,000.00 EUR estimate, 118,000.00 EUR award */
    assert_non_null(strstr(txt, "100,000.00 EUR"));
    assert_non_null(strstr(txt, "118,000.00 EUR"));
    /* key dates on the cover: award FX_T0 + 20 days, signature FX_T0 + 30 days */
    assert_non_null(strstr(txt, "Award decision 2024-03-21"));
    assert_non_null(strstr(txt, "Contract signed 2024-03-31"));
    /* internal audience keeps the contacts */
    assert_non_null(strstr(txt, FX_EMAIL));
    assert_non_null(strstr(txt, FX_PHONE));
    assert_null(strstr(txt, "Personal data was omitted"));
    /* page numbers with the total */
    assert_non_null(strstr(txt, "Page 1 of "));
    free(txt);
    model_procurement_free(p);
    evaluation_free(ev);
    unlink(path);
}

/* Findings are ordered most severe first: P02 (high, score 0) and R003 (high, score 0)
 * before P01 (medium). Among equal severity and score: dimension order, procedure (R003)
 * before price (P02). */
/* The evaluation dimension lists the award criteria with their weights as published
 * (eForms BT-539/540/541/5421): price 40 and quality 60 percentage points of a lot give
 * shares 40 / (40 + 60) = 40% and 60%; a criterion without a weight shows "-". */
static void test_report_award_criteria_weights_in_evaluation(void **state)
{
    fx_state *s = *state;
    model_procurement *p = fx_procurement(1, 0, NULL);
    evaluation_t *ev = fx_evaluation();
    const char *path;
    char *txt;

    p->award_criteria_list = fx_calloc(3, sizeof *p->award_criteria_list);
    p->n_award_criteria = 3;
    p->award_criteria_list[0] = (model_award_criterion){.type = fx_dup("price"), .name = fx_dup("Precio"),
        .has_weight = 1, .weight = 40, .weight_kind = fx_dup("percentage"), .has_share = 1, .share = 0.4,
        .related_lot = fx_dup("LOT-0001")};
    p->award_criteria_list[1] = (model_award_criterion){.type = fx_dup("quality"),
        .name = fx_dup("Calidad del plan de atención"), .has_weight = 1, .weight = 60,
        .weight_kind = fx_dup("percentage"), .has_share = 1, .share = 0.6, .related_lot = fx_dup("LOT-0001")};
    p->award_criteria_list[2] = (model_award_criterion){.type = fx_dup("quality"),
        .name = fx_dup("Experiencia"), .related_lot = fx_dup("LOT-0002")};
    path = render(s, p, ev, REPORT_INTERNAL, NULL, 5, NULL, NULL);
    txt = tu_text(path, 0, 0);
    assert_non_null(txt);
    tu_squash(txt);
    assert_non_null(strstr(txt, "Award criteria and their weights"));
    assert_non_null(strstr(txt, "LOT-0001 price Precio 40 percentage 40%"));
    assert_non_null(strstr(txt, "LOT-0001 quality Calidad del plan de atención 60 percentage 60%"));
    assert_non_null(strstr(txt, "LOT-0002 quality Experiencia - -"));
    free(txt);
    model_procurement_free(p);
    evaluation_free(ev);
    unlink(path);
}

static void test_report_findings_most_severe_first(void **state)
{
    fx_state *s = *state;
    model_procurement *p = fx_procurement(1, 0, NULL);
    evaluation_t *ev = fx_evaluation();
    const char *path;
    char *txt;
    const char *f1, *f2, *f3;

    /* population statistics of P01 are printed as "key = value" pairs */
    ev->results[3].stats_json = fx_dup("{\"n\":340,\"q1\":0.97,\"q3\":1.05,\"fence\":{\"upper\":1.17}}");
    path = render(s, p, ev, REPORT_INTERNAL, NULL, 0, NULL, NULL);
    txt = tu_text(path, 0, 0);

    tu_squash(txt);
    f1 = strstr(txt, "Finding 1: Short submission period (R003)");
    f2 = strstr(txt, "Finding 2: Contract value increased by amendments (P02)");
    f3 = strstr(txt, "Finding 3: Award above the estimate (P01)");
    assert_non_null(f1);
    assert_non_null(f2);
    assert_non_null(f3);
    assert_true(f1 < f2 && f2 < f3);
    assert_non_null(strstr(txt, "Cause To be established by the auditor."));
    assert_non_null(strstr(txt, "n = 340; q1 = 0.97; q3 = 1.05; fence.upper = 1.17"));
    free(txt);
    model_procurement_free(p);
    evaluation_free(ev);
    unlink(path);
}

static void test_report_public_omits_personal_data(void **state)
{
    fx_state *s = *state;
    model_procurement *p = fx_procurement(3, 2, NULL);
    evaluation_t *ev = fx_evaluation();
    const char *path;
    char *txt;

    /* a contact e-mail hidden in free text must go too */
    free(p->description);
    p->description = fx_dup("Consultas: escriba a servicios.sociales@alora.es o llame.");
    free(ev->results[0].explanation);
    ev->results[0].explanation = fx_dup("Ask María Pérez Gómez (maria.perez@alora.es).");
    path = render(s, p, ev, REPORT_PUBLIC, NULL, 0, NULL, NULL);
    txt = tu_text(path, 0, 0);
    tu_squash(txt);
    assert_null(strstr(txt, FX_EMAIL));
    assert_null(strstr(txt, FX_PHONE));
    assert_null(strstr(txt, FX_CONTACT));
    assert_null(strstr(txt, "oficina@nandu.coop"));
    assert_null(strstr(txt, "+34 600 11 22 33"));
    assert_null(strstr(txt, "servicios.sociales@alora.es"));
    assert_null(strstr(txt, "@"));
    assert_non_null(strstr(txt, "Personal data was omitted from this public version"));
    assert_non_null(strstr(txt, "Ask [omitted] ([omitted])."));
    /* the rest is still there */
    assert_non_null(strstr(txt, FX_OCID));
    assert_non_null(strstr(txt, "Ayuntamiento de Álora"));
    assert_non_null(strstr(txt, "Public version"));
    free(txt);
    model_procurement_free(p);
    evaluation_free(ev);
    unlink(path);
}

/* 1 when the n bytes hold the string s (PDF object syntax is ASCII) */
static int has_bytes(const unsigned char *p, size_t n, const char *s, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, s, k) == 0)
            return 1;
    return 0;
}

static void test_report_same_epoch_same_bytes(void **state)
{
    fx_state *s = *state;
    model_procurement *p = fx_procurement(5, 3, NULL);
    evaluation_t *ev = fx_evaluation();
    unsigned char *a, *b;
    size_t na, nb;
    const char *pa = render(s, p, ev, REPORT_INTERNAL, NULL, 0, &a, &na);
    const char *pb = render(s, p, ev, REPORT_INTERNAL, NULL, 1, &b, &nb);
    char cmd[300], *info;

    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    /* no time-derived document ID, and an outline (bookmarks) with UTF-16 titles */
    assert_false(has_bytes(a, na, "/ID", 3));
    assert_true(has_bytes(a, na, "/Type /Outlines", 15));
    assert_true(has_bytes(a, na, "/PageMode /UseOutlines", 22));
    /* the Info dates come from generated_at (2024-06-01T10:00:00Z), not the clock */
    snprintf(cmd, sizeof cmd, "pdfinfo -isodates '%s'", pa);
    info = tu_capture(cmd);
    assert_non_null(strstr(info, "2024-06-01T10:00:00"));
    assert_non_null(strstr(info, "Procurement audit report: " FX_OCID));
    free(info);
    free(a);
    free(b);
    model_procurement_free(p);
    evaluation_free(ev);
    unlink(pa);
    unlink(pb);
}

static void test_report_fonts_embedded(void **state)
{
    fx_state *s = *state;
    model_procurement *p = fx_procurement(1, 0, NULL);
    evaluation_t *ev = fx_evaluation();
    const char *path = render(s, p, ev, REPORT_INTERNAL, NULL, 0, NULL, NULL);
    char cmd[300], *out, *line;
    int fonts = 0;

    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>/dev/null", path);
    out = tu_capture(cmd);
    /* after the two header lines, every font line says "yes" in the emb column */
    line = strstr(out, "---");
    assert_non_null(line);
    line = strchr(line, '\n');
    while (line && line[1]) {
        char *next = strchr(line + 1, '\n');
        if (next)
            *next = '\0';
        assert_non_null(strstr(line + 1, "CID TrueType"));
        assert_non_null(strstr(line + 1, " yes yes yes "));
        fonts++;
        line = next;
    }
    /* regular and bold only: a Latin report loads neither the fallback nor the CJK font */
    assert_int_equal(fonts, 2);
    free(out);
    model_procurement_free(p);
    evaluation_free(ev);
    unlink(path);
}

/* Chinese labels, an Armenian buyer and a Cyrillic supplier round-trip through
 * pdftotext; a Chinese run without spaces still wraps (the title is longer than a line). */
static void test_report_chinese_labels_and_other_scripts(void **state)
{
    fx_state *s = *state;
    report_templates *zh = tu_templates("zh");
    model_procurement *p = fx_procurement(2, 1, "Երևանի քաղաքապետարան");
    evaluation_t *ev = fx_evaluation();
    const char *path;
    char *txt;

    assert_non_null(zh);
    free(p->parties[1].name);
    p->parties[1].name = fx_dup("ООО «Социальные услуги»");
    free(p->title);
    p->title = fx_dup("为老年人和残疾人提供居家护理服务的政府购买服务项目包括上门照料助餐助浴康复训练"
                      "心理慰藉和紧急援助等多项内容并由社会组织承接实施");
    path = render(s, p, ev, REPORT_INTERNAL, zh, 0, NULL, NULL);
    txt = tu_text(path, 0, 0);
    tu_squash(txt);
    assert_non_null(strstr(txt, "采购审计报告"));
    assert_non_null(strstr(txt, "审计发现"));
    assert_non_null(strstr(txt, "Երևանի քաղաքապետարան"));
    assert_non_null(strstr(txt, "ООО «Социальные услуги»"));
    assert_non_null(strstr(txt, FX_OCID));
    /* the Chinese label with numbers: "在该采购人的 340 项采购中被标记 12 次" */
    assert_non_null(strstr(txt, "340"));
    free(txt);
    {
        char cmd[300], *out;
        snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>/dev/null", path);
        out = tu_capture(cmd);
        assert_non_null(strstr(out, "WenQuanYiMicroHei"));
        /* Armenian is not in Liberation Sans: the DejaVu fallback is embedded for it */
        assert_non_null(strstr(out, "DejaVuSans"));
        free(out);
        /* metadata written through the UTF-8 encoder comes back as UTF-8 */
        snprintf(cmd, sizeof cmd, "pdfinfo -enc UTF-8 '%s' 2>/dev/null", path);
        out = tu_capture(cmd);
        assert_non_null(strstr(out, "Title:           采购审计报告: " FX_OCID));
        assert_non_null(strstr(out, "Author:          procaudit 公共采购审计"));
        assert_non_null(strstr(out, "Subject:         为老年人"));
        free(out);
    }
    report_templates_free(zh);
    model_procurement_free(p);
    evaluation_free(ev);
    unlink(path);
}

/* 200 bids and 50 amendments: the tables continue over pages and repeat their header. */
static void test_report_long_tables_repeat_headers(void **state)
{
    fx_state *s = *state;
    model_procurement *p = fx_procurement(200, 50, NULL);
    evaluation_t *ev = fx_evaluation();
    const char *path = render(s, p, ev, REPORT_INTERNAL, NULL, 0, NULL, NULL);
    int pages = tu_pages(path), bid_pages = 0, amend_pages = 0, last_bid_page = 0;

    assert_true(pages > 8);
    for (int i = 1; i <= pages; i++) {
        char *t = tu_text(path, i, i);
        tu_squash(t);
        /* the bids table header "ID Tenderers Date Value Status Lots" */
        if (strstr(t, "ID Tenderers Date Value Status Lots")) {
            bid_pages++;
            /* every continuation page carries bid rows under the repeated header */
            assert_non_null(strstr(t, "bid-"));
        }
        if (strstr(t, "bid-200"))
            last_bid_page = i;
        if (strstr(t, "Contract ID Date Rationale / description Value after"))
            amend_pages++;
        free(t);
    }
    /* 200 rows of ~12 pt do not fit on fewer than 4 pages of ~720 pt */
    assert_true(bid_pages >= 4);
    /* 50 amendments of two wrapped lines (~22 pt each) need at least 2 pages */
    assert_true(amend_pages >= 2);
    assert_true(last_bid_page > 0);
    model_procurement_free(p);
    evaluation_free(ev);
    unlink(path);
}

/* A character outside the BMP (U+1F600) becomes a visible placeholder, counted in the
 * limitations section; nothing is dropped silently. */
static void test_report_placeholder_for_undrawable(void **state)
{
    fx_state *s = *state;
    model_procurement *p = fx_procurement(1, 0, NULL);
    evaluation_t *ev = fx_evaluation();
    const char *path;
    char *txt;

    free(p->title);
    p->title = fx_dup("Servicio \xF0\x9F\x98\x80 especial \xFF final");
    path = render(s, p, ev, REPORT_INTERNAL, NULL, 0, NULL, NULL);
    txt = tu_text(path, 0, 0);
    tu_squash(txt);
    /* the title is drawn on the cover (1 emoji + 1 invalid byte = 2 placeholders) */
    assert_non_null(strstr(txt, "Servicio \xEF\xBF\xBD especial \xEF\xBF\xBD final"));
    assert_non_null(strstr(txt, "characters of the source text cannot be drawn"));
    free(txt);
    model_procurement_free(p);
    evaluation_free(ev);
    unlink(path);
}

static void test_report_refuses_evaluation_of_other_ocid(void **state)
{
    fx_state *s = *state;
    model_procurement *p = fx_procurement(1, 0, NULL);
    evaluation_t *ev = fx_evaluation();
    report_context ctx;
    unsigned char *pdf = (unsigned char *)"x";
    size_t n = 1;
    err_t e;

    free(ev->ocid);
    ev->ocid = fx_dup("ocds-other");
    fx_context(&ctx, REPORT_INTERNAL);
    err_clear(&e);
    assert_int_equal(report_procurement_pdf(&pdf, &n, s->tpl, &s->fonts, p, ev, &ctx, &e),
                     ERR_BAD_INPUT);
    assert_null(pdf);
    assert_int_equal(n, 0);
    assert_non_null(strstr(e.msg, "ocds-other"));
    report_context_dispose(&ctx);
    model_procurement_free(p);
    evaluation_free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_procurement_shows_values_and_flags),
        cmocka_unit_test(test_report_findings_most_severe_first),
        cmocka_unit_test(test_report_award_criteria_weights_in_evaluation),
        cmocka_unit_test(test_report_public_omits_personal_data),
        cmocka_unit_test(test_report_same_epoch_same_bytes),
        cmocka_unit_test(test_report_fonts_embedded),
        cmocka_unit_test(test_report_chinese_labels_and_other_scripts),
        cmocka_unit_test(test_report_long_tables_repeat_headers),
        cmocka_unit_test(test_report_placeholder_for_undrawable),
        cmocka_unit_test(test_report_refuses_evaluation_of_other_ocid),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
