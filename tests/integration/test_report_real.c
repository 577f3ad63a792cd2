/* test_report_real.c - reports from real OCDS data: ingest a Moldovan record (a buyer
 * named in Cyrillic) and an Armenian release package (contacts with e-mails and phones)
 * into a fresh database, score them under international-red-flags, load each report
 * input with store_report_* and check the rendered PDFs with pdftotext; then the CLI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "criteria.h"
#include "ingest.h"
#include "pgtest.h"
#include "report.h"
#include "score.h"
#include "scoretest.h"
#include "store/evaluations.h"
#include "store/report_data.h"
#include "store/store.h"

#include "../unit/report_pdf_util.h"

#define DBNAME "procaudit_test_report_real"
#define MD_FILE "ocds/moldova-ppa/records/ocds-ngfbwp-19733168.json"
#define MD_OCID "ocds-ngfbwp-19733168"
#define MD_BUYER "Главное управление строительства и инфраструктуры Гагаузии"
/* sha256sum of the file as published (computed with coreutils, not by procaudit) */
#define MD_SHA "586d0afad50f15f4cf095a4a9eaf458eb43f8058db732c6196e949e2bb96cce8"
#define AM_FILE "ocds/armenia-armeps/releases/6.json"
#define AM_OCID "AM-PPS-fd7b426a70b9d7ea26a27f21a8eea687"
#define AM_BUYER_ID "AM-TIN-02629081"

typedef struct {
    store *st;
    report_templates *tpl;
    report_fonts fonts;
} fixture;

static int setup(void **state)
{
    const char *data = pgtest_shared_data();
    fixture *f;
    char path[4096];
    err_t e;
    const char *files[] = {MD_FILE, AM_FILE};

    *state = NULL;
    if (!data)
        return 0;
    f = calloc(1, sizeof *f);
    if (!f || pgtest_fresh(&f->st, DBNAME) != 0)
        return -1;
    for (size_t i = 0; i < 2; i++) {
        ingest_stats is = {0};
        snprintf(path, sizeof path, "%s/%s", data, files[i]);
        err_clear(&e);
        if (ingest_file(f->st, path, &is, &e) != 0) {
            fprintf(stderr, "ingest %s: %s\n", path, e.msg);
            return -1;
        }
    }
    if (scoretest_score_all(f->st, "international-red-flags.xml", NULL, NULL) != 0)
        return -1;
    f->tpl = tu_templates("en");
    report_fonts_default(&f->fonts);
    if (!f->tpl)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (!f)
        return 0;
    report_templates_free(f->tpl);
    store_close(f->st);
    free(f);
    return 0;
}

/* Loads and renders the report of ocid; returns the squashed text and, in *ev_out, the
 * stored evaluation it was rendered from. */
static char *render(fixture *f, const char *ocid, report_audience aud, evaluation_t **ev_out)
{
    model_procurement *p = NULL;
    evaluation_t *ev = NULL;
    report_context ctx;
    unsigned char *pdf = NULL;
    size_t n = 0;
    const char *path;
    char *txt;
    err_t e;
    int rc;

    report_context_init(&ctx);
    ctx.audience = aud;
    ctx.generated_at = 1767225600; /* 2026-01-01T00:00:00Z */
    err_clear(&e);
    rc = store_report_procurement(f->st, ocid, "international-red-flags", &p, &ev, &ctx, &e);
    if (rc)
        fprintf(stderr, "load: %s\n", e.msg);
    assert_int_equal(rc, 0);
    rc = report_procurement_pdf(&pdf, &n, f->tpl, &f->fonts, p, ev, &ctx, &e);
    if (rc)
        fprintf(stderr, "render: %s\n", e.msg);
    assert_int_equal(rc, 0);
    path = tu_write_tmp(pdf, n, 0);
    txt = tu_text(path, 0, 0);
    tu_squash(txt);
    unlink(path);
    free(pdf);
    model_procurement_free(p);
    report_context_dispose(&ctx);
    *ev_out = ev;
    return txt;
}

static void test_report_real_cyrillic_buyer_scores_and_flags(void **state)
{
    fixture *f = *state;
    evaluation_t *ev;
    char *txt, want[512];
    static const char *const dims[DIM_COUNT] = {"Procedure", "Content", "Price", "Evaluation"};
    size_t flags = 0;

    if (!f)
        skip();
    txt = render(f, MD_OCID, REPORT_INTERNAL, &ev);
    assert_non_null(strstr(txt, MD_OCID));
    assert_non_null(strstr(txt, MD_BUYER));
    assert_non_null(strstr(txt, MD_SHA));
    assert_non_null(strstr(txt, "ocds-ngfbwp-19733168.json"));
    assert_non_null(ev->set_sha256);
    assert_int_equal(strlen(ev->set_sha256), 64);
    assert_non_null(strstr(txt, ev->set_sha256));
    /* each dimension as stored: "Procedure: score 50.0, coverage 40%" or "not assessed" */
    for (int d = 0; d < DIM_COUNT; d++) {
        if (ev->has_dim_score[d])
            snprintf(want, sizeof want, "%s: score %.1f, coverage %.0f%%", dims[d], ev->dim_score[d],
                     ev->dim_coverage[d] * 100);
        else
            snprintf(want, sizeof want, "%s: not assessed, coverage %.0f%%", dims[d],
                     ev->dim_coverage[d] * 100);
        if (!strstr(txt, want))
            fprintf(stderr, "missing: %s\n", want);
        assert_non_null(strstr(txt, want));
    }
    /* every flag with its measured value and threshold, in the findings */
    for (size_t i = 0; i < ev->n_results; i++) {
        const result_t *r = &ev->results[i];
        if (r->status != RESULT_FLAG)
            continue;
        flags++;
        assert_non_null(strstr(txt, r->criterion_id));
        if (r->measured_text && r->threshold_text) {
            snprintf(want, sizeof want, "Measured value: %s; threshold: %s", r->measured_text,
                     r->threshold_text);
            tu_squash(want);
            if (!strstr(txt, want))
                fprintf(stderr, "missing: %s\n", want);
            assert_non_null(strstr(txt, want));
        }
    }
    /* the Moldovan record has something to flag (R003-type data is present) */
    assert_true(flags > 0);
    free(txt);
    evaluation_free(ev);
}

static void test_report_real_public_has_no_contacts(void **state)
{
    fixture *f = *state;
    evaluation_t *ev;
    char *txt;
    /* the contact points of this release, listed with jq from the source file */
    static const char *const personal[] = {"minfin@minfin.am", "tender@pc-electronics.am",
                                           "sales@iunetworks.am", "yerevan@step.ru",
                                           "khv_84@mail.ru", "59 53 05"};

    if (!f)
        skip();
    txt = render(f, AM_OCID, REPORT_INTERNAL, &ev);
    assert_non_null(strstr(txt, "minfin@minfin.am"));
    assert_non_null(strstr(txt, "Ministry of Finance of the RA"));
    free(txt);
    evaluation_free(ev);
    txt = render(f, AM_OCID, REPORT_PUBLIC, &ev);
    for (size_t i = 0; i < sizeof personal / sizeof personal[0]; i++) {
        if (strstr(txt, personal[i]))
            fprintf(stderr, "leaked: %s\n", personal[i]);
        assert_null(strstr(txt, personal[i]));
    }
    assert_non_null(strstr(txt, "Personal data was omitted from this public version"));
    assert_non_null(strstr(txt, AM_OCID));
    free(txt);
    evaluation_free(ev);
}

static void test_report_real_cli_is_deterministic(void **state)
{
    fixture *f = *state;
    char cmd[8192], *out;
    const char *root = pgtest_root();

    if (!f)
        skip();
    for (int k = 0; k < 2; k++) {
        snprintf(cmd, sizeof cmd,
                 "SOURCE_DATE_EPOCH=1767225600 '%s/build/procaudit' report --db dbname=" DBNAME
                 " --ocid " AM_OCID " --audience public --templates '%s/templates/reports'"
                 " -o /tmp/test_report_real_%d.pdf 2>&1; echo rc=$?",
                 root, root, k);
        out = tu_capture(cmd);
        if (!strstr(out, "rc=0"))
            fprintf(stderr, "%s\n", out);
        assert_non_null(strstr(out, "rc=0"));
        free(out);
    }
    out = tu_capture("cmp /tmp/test_report_real_0.pdf /tmp/test_report_real_1.pdf && echo same");
    assert_non_null(strstr(out, "same"));
    free(out);
    /* the buyer report of the Armenian Ministry of Finance, in Chinese labels */
    snprintf(cmd, sizeof cmd,
             "'%s/build/procaudit' report --db dbname=" DBNAME " --buyer " AM_BUYER_ID
             " --lang zh --templates '%s/templates/reports' -o /tmp/test_report_real_b.pdf"
             " 2>&1; echo rc=$?",
             root, root);
    out = tu_capture(cmd);
    assert_non_null(strstr(out, "rc=0"));
    free(out);
    out = tu_text("/tmp/test_report_real_b.pdf", 0, 0);
    tu_squash(out);
    assert_non_null(strstr(out, "采购人报告"));
    assert_non_null(strstr(out, "Ministry of Finance of the RA"));
    /* the ocid wraps inside its narrow table cell (after "AM-PPS-", a hyphen pdftotext
     * then drops): look for a piece that stays on one line */
    assert_non_null(strstr(out, "fd7b426a70b9d7ea"));
    free(out);
    /* an unknown ocid is "not found" (exit 1), and no file is written */
    snprintf(cmd, sizeof cmd,
             "'%s/build/procaudit' report --db dbname=" DBNAME " --ocid nope"
             " --templates '%s/templates/reports' -o /tmp/test_report_real_x.pdf 2>&1;"
             " echo rc=$?; test -e /tmp/test_report_real_x.pdf && echo exists",
             root, root);
    out = tu_capture(cmd);
    assert_non_null(strstr(out, "rc=1"));
    assert_null(strstr(out, "exists"));
    free(out);
    /* an unknown ocid or buyer is exit 1 in show, score and report alike (README) */
    snprintf(cmd, sizeof cmd,
             "P='%s/build/procaudit'; $P show --db dbname=" DBNAME " nope >/dev/null 2>&1; echo rc=$?;"
             " $P score --quiet --db dbname=" DBNAME " --ocid nope >/dev/null 2>&1; echo rc=$?;"
             " $P report --db dbname=" DBNAME " --buyer nope --templates '%s/templates/reports'"
             " -o /tmp/test_report_real_x.pdf >/dev/null 2>&1; echo rc=$?",
             root, root);
    out = tu_capture(cmd);
    assert_string_equal(out, "rc=1\nrc=1\nrc=1\n");
    free(out);
    /* a file that does not exist: exit 3, one line that names it once */
    snprintf(cmd, sizeof cmd,
             "'%s/build/procaudit' ingest --db dbname=" DBNAME " /nonexistent-report-real.json 2>&1;"
             " echo rc=$?",
             root);
    out = tu_capture(cmd);
    assert_string_equal(out, "/nonexistent-report-real.json: failed: No such file or directory\nrc=3\n");
    free(out);
    /* an output directory that does not exist: a file-system failure, exit 3 */
    snprintf(cmd, sizeof cmd,
             "'%s/build/procaudit' report --db dbname=" DBNAME " --ocid " AM_OCID
             " --templates '%s/templates/reports' -o /nonexistent-dir/x.pdf 2>&1; echo rc=$?",
             root, root);
    out = tu_capture(cmd);
    assert_non_null(strstr(out, "rc=3"));
    assert_non_null(strstr(out, "/nonexistent-dir/x.pdf"));
    free(out);
    /* a bad audience or language is a usage error */
    snprintf(cmd, sizeof cmd,
             "'%s/build/procaudit' report --ocid " AM_OCID " --audience everyone -o /tmp/x.pdf"
             " >/dev/null 2>&1; echo rc=$?; '%s/build/procaudit' report --db dbname=" DBNAME
             " --ocid " AM_OCID " --lang ../../etc -o /tmp/x.pdf >/dev/null 2>&1; echo rc=$?",
             root, root);
    out = tu_capture(cmd);
    assert_string_equal(out, "rc=2\nrc=2\n");
    free(out);
    unlink("/tmp/test_report_real_0.pdf");
    unlink("/tmp/test_report_real_1.pdf");
    unlink("/tmp/test_report_real_b.pdf");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_real_cyrillic_buyer_scores_and_flags),
        cmocka_unit_test(test_report_real_public_has_no_contacts),
        cmocka_unit_test(test_report_real_cli_is_deterministic),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
