/* reports.c - benchmark of the PDF reports (SPEC §10): time per report and file size
 * for a typical and a large procurement, next to a bare libharu document with the same
 * fonts and page count, with the ratio and reports per second on one core.
 *
 * Usage: reports [-n ROUNDS] [--dejavu]   (from the repository root, or set PROCAUDIT_ROOT)
 * --dejavu renders with DejaVu Sans and DejaVu Sans Bold alone (the fonts before
 * Liberation Sans became the default), to compare sizes.
 * The inputs are the C-built fixtures of the report tests (tests/unit/report_fixture.h):
 * typical = 3 bids, 2 amendments; large = 200 bids, 50 amendments. One thread: the
 * figures are per core. Times are CPU seconds of this process (CLOCK_PROCESS_CPUTIME_ID),
 * so other work on the machine does not inflate them.
 */
#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "../tests/unit/report_fixture.h"
#include "../tests/unit/report_pdf_util.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Pages of a PDF: "/Type /Page" objects that are not "/Type /Pages". */
static int count_pages(const unsigned char *pdf, size_t n)
{
    int pages = 0;
    for (size_t i = 0; i + 11 < n; i++)
        if (memcmp(pdf + i, "/Type /Page", 11) == 0 && pdf[i + 11] != 's')
            pages++;
    return pages;
}

static void no_errors(HPDF_STATUS err, HPDF_STATUS detail, void *user)
{
    (void)detail;
    (void)user;
    fprintf(stderr, "bare document: libharu error 0x%04X\n", (unsigned)err);
    exit(3);
}

/* The floor: a libharu document with the same fonts (regular, bold, and the fallback
 * when the report needed it), the same number of A4 pages, compression, the UTF-8
 * encoder, and one line of text in each font on each page. */
static size_t bare_document(const report_fonts *f, int pages, int with_fallback)
{
    HPDF_Doc pdf = HPDF_New(no_errors, NULL);
    HPDF_Font reg, bold, fb = NULL;
    size_t size;

    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(pdf);
    HPDF_SetCurrentEncoder(pdf, "UTF-8");
    reg = HPDF_GetFont(pdf, HPDF_LoadTTFontFromFile(pdf, f->regular, HPDF_TRUE), "UTF-8");
    bold = HPDF_GetFont(pdf, HPDF_LoadTTFontFromFile(pdf, f->bold, HPDF_TRUE), "UTF-8");
    if (with_fallback && f->fallback)
        fb = HPDF_GetFont(pdf, HPDF_LoadTTFontFromFile(pdf, f->fallback, HPDF_TRUE), "UTF-8");
    for (int i = 0; i < pages; i++) {
        HPDF_Page pg = HPDF_AddPage(pdf);
        HPDF_Page_SetSize(pg, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
        HPDF_Page_BeginText(pg);
        HPDF_Page_SetFontAndSize(pg, reg, 9.5f);
        HPDF_Page_TextOut(pg, 50, 780, "Procurement audit report ocds-fx0001-2024-017 Álora");
        HPDF_Page_SetFontAndSize(pg, bold, 9.5f);
        HPDF_Page_TextOut(pg, 50, 760, "Findings: criteria, condition, cause, effect");
        if (fb) {
            HPDF_Page_SetFontAndSize(pg, fb, 9.5f);
            HPDF_Page_TextOut(pg, 50, 740, "Երևան");
        }
        HPDF_Page_EndText(pg);
    }
    HPDF_SaveToStream(pdf);
    size = HPDF_GetStreamSize(pdf);
    HPDF_Free(pdf);
    return size;
}

typedef struct {
    const char *name;
    size_t bids, amendments;
    const char *buyer;        /* NULL: the Latin fixture buyer */
    const char *lang;
} bench_case;

static int run_case(const bench_case *c, int rounds, const report_fonts *f)
{
    report_templates *t = tu_templates(c->lang);
    model_procurement *p = fx_procurement(c->bids, c->amendments, c->buyer);
    evaluation_t *ev = fx_evaluation();
    report_context ctx;
    unsigned char *pdf = NULL;
    size_t n = 0, bare_size = 0;
    double t0, t_report, t_bare;
    int pages, fallback;
    err_t e;

    if (!t)
        return 3;
    fx_context(&ctx, REPORT_INTERNAL);
    err_clear(&e);
    if (report_procurement_pdf(&pdf, &n, t, f, p, ev, &ctx, &e) != 0) {
        fprintf(stderr, "%s: %s\n", c->name, e.msg);
        return 3;
    }
    pages = count_pages(pdf, n);
    fallback = c->buyer != NULL;
    free(pdf);
    t0 = now();
    for (int i = 0; i < rounds; i++) {
        if (report_procurement_pdf(&pdf, &n, t, f, p, ev, &ctx, &e) != 0)
            return 3;
        free(pdf);
    }
    t_report = (now() - t0) / rounds;
    t0 = now();
    for (int i = 0; i < rounds; i++)
        bare_size = bare_document(f, pages, fallback);
    t_bare = (now() - t0) / rounds;
    printf("%-22s %5d %9.1f %9.1f %6.2fx %8.1f %9.1f %9.1f\n", c->name, pages, t_report * 1e3,
           t_bare * 1e3, t_report / t_bare, 1.0 / t_report, (double)n / 1024.0,
           (double)bare_size / 1024.0);
    report_context_dispose(&ctx);
    model_procurement_free(p);
    evaluation_free(ev);
    report_templates_free(t);
    return 0;
}

int main(int argc, char **argv)
{
    int rounds = 30;
    report_fonts f;
    err_t e;
    static const bench_case cases[] = {
        {"typical (Latin)", 3, 2, NULL, "en"},
        {"large (200 bids, 50 am.)", 200, 50, NULL, "en"},
        {"typical, Armenian buyer", 3, 2, "Երևանի քաղաքապետարան", "en"},
    };

    report_fonts_default(&f);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            rounds = (int)strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--dejavu") == 0) {
            f.regular = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
            f.bold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
            f.fallback = NULL;
        } else {
            fprintf(stderr, "usage: reports [-n ROUNDS] [--dejavu]\n");
            return 2;
        }
    }
    if (rounds < 1)
        rounds = 1;
    err_clear(&e);
    if (report_fonts_check(&f, &e) != 0) {
        fprintf(stderr, "fonts: %s\n", e.msg);
        return 3;
    }
    printf("fonts: regular %s, bold %s, fallback %s\n", f.regular, f.bold ? f.bold : "-",
           f.fallback ? f.fallback : "-");
    printf("%d rounds each, one thread, CPU time per document\n\n", rounds);
    printf("%-22s %5s %9s %9s %7s %8s %9s %9s\n", "case", "pages", "report ms", "bare ms",
           "ratio", "rep/s", "report KB", "bare KB");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (run_case(&cases[i], rounds, &f) != 0)
            return 3;
    printf("\ntargets (SPEC §10): ratio <= 3.0x, >= 20 reports/s/core, <= 200 KB for a Latin "
           "report\n");
    return 0;
}
