/* test_report_buyer.c - the buyer report rendered from C-built rows and read back. */
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

static char *render_buyer(size_t n_rows, const char *buyer, report_audience aud,
                          const char *lang, size_t *size_out)
{
    report_templates *t = tu_templates(lang);
    report_fonts f;
    report_context ctx;
    evaluation_t *set = fx_evaluation();
    unsigned char *pdf = NULL;
    size_t n = 0;
    err_t e;
    const char *path;
    char *txt;
    int rc;

    assert_non_null(t);
    report_fonts_default(&f);
    fx_context(&ctx, aud);
    fx_buyer_rows(&ctx, n_rows, buyer);
    err_clear(&e);
    rc = report_buyer_pdf(&pdf, &n, t, &f, set, &ctx, &e);
    if (rc)
        fprintf(stderr, "render: %s\n", e.msg);
    assert_int_equal(rc, 0);
    path = tu_write_tmp(pdf, n, 0);
    assert_non_null(path);
    txt = tu_text(path, 0, 0);
    tu_squash(txt);
    if (size_out)
        *size_out = n;
    unlink(path);
    free(pdf);
    report_context_dispose(&ctx);
    evaluation_free(set);
    report_templates_free(t);
    return txt;
}

/* 20 rows with scores 10·(i mod 10) + 5: each bin of 10 holds exactly 2; mean 50.0
 * ((5 + 15 + ... + 95) / 10 = 50); R003 flags the even rows: 10 of 20 (50%). */
static void test_report_buyer_portfolio_numbers(void **state)
{
    char *txt = render_buyer(20, NULL, REPORT_INTERNAL, "en", NULL);
    (void)state;
    assert_non_null(strstr(txt, "Buyer report"));
    assert_non_null(strstr(txt, "Ayuntamiento de Álora"));
    assert_non_null(strstr(txt, "50.0 over 20 assessed procurements"));
    assert_non_null(strstr(txt, "R003 Short submission period Procedure 10 of 20 50%"));
    /* dataset median 62.5 from the context */
    assert_non_null(strstr(txt, "median of the 2210 procurements evaluated under "
                                "international-red-flags: 62.5"));
    /* the lowest first: ocds-...-001 (5.0) and -011 (5.0) */
    assert_non_null(strstr(txt, "The 10 procurements with the lowest overall scores"));
    assert_non_null(strstr(txt, "ocds-fx0001-2024-020"));
    /* the method appendix lists the set and its hash */
    assert_non_null(strstr(txt, FX_SHA));
    assert_non_null(strstr(txt, "Page 1 of "));
    free(txt);
}

static void test_report_buyer_cyrillic_and_chinese(void **state)
{
    char *txt = render_buyer(3, "Администрация города Бишкек", REPORT_PUBLIC, "zh", NULL);
    (void)state;
    assert_non_null(strstr(txt, "采购人报告"));
    assert_non_null(strstr(txt, "Администрация города Бишкек"));
    assert_non_null(strstr(txt, "本公开版本已删除个人数据"));
    free(txt);
}

static void test_report_buyer_empty_portfolio(void **state)
{
    char *txt = render_buyer(0, NULL, REPORT_INTERNAL, "en", NULL);
    (void)state;
    assert_non_null(strstr(txt, "No procurement of this buyer is evaluated in the period."));
    assert_non_null(strstr(txt, "No criterion flagged any procurement of this buyer."));
    free(txt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_buyer_portfolio_numbers),
        cmocka_unit_test(test_report_buyer_cyrillic_and_chinese),
        cmocka_unit_test(test_report_buyer_empty_portfolio),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
