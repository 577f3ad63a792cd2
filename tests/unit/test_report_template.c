/* test_report_template.c - report templates (loading, fallback, refusal of bad files)
 * and the text layer underneath the reports (line breaking, redaction, formatting). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "report.h"
#include "report_int.h"
#include "report_pdf_util.h"

static void test_report_template_labels_and_fallback(void **state)
{
    report_templates *en = tu_templates("en"), *zh = tu_templates("zh");
    (void)state;
    assert_non_null(en);
    assert_non_null(zh);
    assert_string_equal(report_templates_label(en, "dim.price"), "Price");
    assert_string_equal(report_templates_label(zh, "dim.price"), "价格");
    /* limitations.intro has no Chinese text: the English one is used */
    assert_string_equal(report_templates_label(zh, "limitations.intro"),
                        report_templates_label(en, "limitations.intro"));
    /* an unknown key shows as itself */
    assert_string_equal(report_templates_label(en, "no.such.key"), "no.such.key");
    assert_string_equal(rtpl_org(zh), "procaudit 公共采购审计");
    {
        const char *const *sec;
        size_t n = rtpl_sections(en, RKIND_PROCUREMENT, &sec);
        assert_int_equal(n, 18);
        assert_string_equal(sec[0], "cover");
        assert_string_equal(sec[2], "findings");
        assert_string_equal(sec[n - 1], "method");
    }
    report_templates_free(en);
    report_templates_free(zh);
}

static void test_report_template_fills_placeholders(void **state)
{
    report_templates *en = tu_templates("en");
    buf_t b;
    const char *names[] = {"n", "m"}, *vals[] = {"12", "340"};
    (void)state;
    buf_init(&b, 1024);
    assert_int_equal(rtpl_fmt(&b, en, "frequency.sentence", 2, names, vals), 0);
    assert_string_equal(buf_cstr(&b), "flagged in 12 of 340 procurements of this buyer");
    buf_reset(&b);
    /* a placeholder without a value stays visible */
    assert_int_equal(rtpl_fmt(&b, en, "frequency.sentence", 1, names, vals), 0);
    assert_string_equal(buf_cstr(&b), "flagged in 12 of {m} procurements of this buyer");
    buf_reset(&b);
    {
        /* findings.criteria_text ends "Source: {source}.": a source ending in '.' gives
         * one period, not two */
        const char *nm[] = {"title", "threshold", "params", "source"};
        const char *vl[] = {"T", "< 15 days", "minimum_days=15", "Directive 2014/24/EU art. 47."};
        assert_int_equal(rtpl_fmt(&b, en, "findings.criteria_text", 4, nm, vl), 0);
        assert_string_equal(buf_cstr(&b), "T. Threshold: < 15 days. Parameters: minimum_days=15. "
                                          "Source: Directive 2014/24/EU art. 47.");
    }
    buf_dispose(&b);
    report_templates_free(en);
}

/* Writes a template directory under /tmp with the given layout and English labels. */
static const char *make_dir(const char *layout, const char *labels)
{
    static char dir[64];
    char path[128];
    FILE *f;
    snprintf(dir, sizeof dir, "/tmp/test_report_tpl_XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/layout.xml", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(layout, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/labels.en.xml", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(labels, f);
    fclose(f);
    return dir;
}

static void remove_dir(const char *dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/layout.xml", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/labels.en.xml", dir);
    unlink(path);
    rmdir(dir);
}

static void test_report_template_refuses_bad_files(void **state)
{
    static const char good_labels[] = "<labels lang=\"en\"><label key=\"a\">A</label></labels>";
    report_templates *t = NULL;
    err_t e;
    const char *dir;
    (void)state;

    /* an unknown section, on line 3 */
    dir = make_dir("<report-layout>\n<report kind=\"procurement\">\n<section id=\"gossip\"/>\n"
                   "</report></report-layout>",
                   good_labels);
    err_clear(&e);
    assert_int_equal(report_templates_load(&t, dir, "en", &e), ERR_BAD_INPUT);
    assert_null(t);
    assert_non_null(strstr(e.msg, "layout.xml:3: unknown section 'gossip'"));
    remove_dir(dir);

    /* a DOCTYPE (where entities would be declared) is refused */
    dir = make_dir("<report-layout><report kind=\"procurement\"><section id=\"cover\"/></report>"
                   "<report kind=\"buyer\"><section id=\"cover\"/></report></report-layout>",
                   "<?xml version=\"1.0\"?>\n<!DOCTYPE labels [<!ENTITY x \"boom\">]>\n"
                   "<labels><label key=\"a\">&x;</label></labels>");
    err_clear(&e);
    assert_int_equal(report_templates_load(&t, dir, "en", &e), ERR_BAD_INPUT);
    assert_non_null(strstr(e.msg, "DOCTYPE"));

    /* the same directory with clean labels loads; a missing language file is an I/O error */
    {
        char path[128];
        FILE *f;
        snprintf(path, sizeof path, "%s/labels.en.xml", dir);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(good_labels, f);
        fclose(f);
    }
    err_clear(&e);
    assert_int_equal(report_templates_load(&t, dir, "en", &e), 0);
    assert_string_equal(report_templates_label(t, "a"), "A");
    report_templates_free(t);
    t = NULL;
    assert_int_equal(report_templates_load(&t, dir, "fr", &e), ERR_IO);
    assert_int_equal(report_templates_load(&t, dir, "EN", &e), ERR_USAGE);
    assert_int_equal(report_templates_load(&t, dir, "../x", &e), ERR_USAGE);
    remove_dir(dir);

    /* malformed XML names the file and line */
    dir = make_dir("<report-layout>\n<report kind=\"procurement\">\n</report-layout>", good_labels);
    err_clear(&e);
    assert_int_equal(report_templates_load(&t, dir, "en", &e), ERR_BAD_INPUT);
    assert_non_null(strstr(e.msg, "layout.xml:3:"));
    remove_dir(dir);
}

typedef struct {
    report_templates *t;
    report_fonts f;
    rdoc rd;
    err_t e;
} text_state;

static int text_setup(void **state)
{
    text_state *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->t = tu_templates("zh");
    report_fonts_default(&s->f);
    err_clear(&s->e);
    if (!s->t || rdoc_open(&s->rd, &s->f, s->t, 1, &s->e) != 0)
        return -1;
    rdoc_redact_add(&s->rd, "María Pérez");
    *state = s;
    return 0;
}

static int text_teardown(void **state)
{
    text_state *s = *state;
    rdoc_close(&s->rd);
    report_templates_free(s->t);
    free(s);
    return 0;
}

/* 60 CJK characters with no space at 10 pt (each 1 em = 10 pt wide in WenQuanYi Micro
 * Hei) in 105 pt: at most 10 per line, so 6 lines, each no wider than 105 pt. */
static void test_report_text_breaks_chinese_without_spaces(void **state)
{
    text_state *s = *state;
    buf_t b;
    rlines l;
    buf_init(&b, 4096);
    for (int i = 0; i < 6; i++)
        assert_int_equal(buf_puts(&b, "政府购买社会服务项目"), 0);
    assert_int_equal(rtext_wrap(&s->rd, &l, buf_cstr(&b), RS_REGULAR, 10, 105, 0), 0);
    assert_int_equal(l.n, 6);
    for (size_t i = 0; i < l.n; i++) {
        assert_true(l.lines[i].w <= 105.0f);
        assert_int_equal(l.lines[i].len, 30); /* 10 characters of 3 bytes */
    }
    rlines_dispose(&l);
    buf_dispose(&b);
}

/* Latin text breaks at spaces; a word longer than the line is cut; a newline forces a
 * break; the line cap ends with a visible "[…]". */
static void test_report_text_breaks_latin(void **state)
{
    text_state *s = *state;
    rlines l;
    assert_int_equal(rtext_wrap(&s->rd, &l, "alpha beta gamma\ndelta", RS_REGULAR, 10, 1000, 0), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.lines[0].len, 16);
    rlines_dispose(&l);
    assert_int_equal(rtext_wrap(&s->rd, &l, "aaaa bbbb cccc", RS_REGULAR, 10, 60, 0), 0);
    /* "aaaa bbbb" is 9 characters of about 5.6 pt = 50 pt: fits; then "cccc" */
    assert_int_equal(l.n, 2);
    assert_memory_equal(l.text + l.lines[1].off, "cccc", 4);
    rlines_dispose(&l);
    assert_int_equal(rtext_wrap(&s->rd, &l, "ocds-0123456789abcdef0123456789abcdef", RS_REGULAR, 10,
                                50, 0),
                     0);
    assert_true(l.n >= 4);
    for (size_t i = 0; i < l.n; i++)
        assert_true(l.lines[i].w <= 50.0f);
    rlines_dispose(&l);
    assert_int_equal(rtext_wrap(&s->rd, &l, "a b c d e f g h", RS_REGULAR, 10, 8, 3), 0);
    assert_int_equal(l.n, 3);
    assert_non_null(strstr(l.text, "[\xE2\x80\xA6]"));
    rlines_dispose(&l);
}

static void test_report_text_redacts_in_public(void **state)
{
    text_state *s = *state;
    char *c = rtext_clean(&s->rd, "Contact: María Pérez <m.perez@example.org>, tel.");
    assert_non_null(c);
    assert_string_equal(c, "Contact: [已删除] <[已删除]>, tel.");
    free(c);
    /* whole words only: the contact "María Pérez" is not removed from inside a word */
    c = rtext_clean(&s->rd, "XMaría Pérez and María Pérezz stay; (María Pérez) goes");
    assert_string_equal(c, "XMaría Pérez and María Pérezz stay; ([已删除]) goes");
    free(c);
    /* not an address: no dot in the domain */
    c = rtext_clean(&s->rd, "user@localhost and a@b");
    assert_string_equal(c, "user@localhost and a@b");
    free(c);
}

static void test_report_text_formats_numbers(void **state)
{
    char out[64];
    model_amount a = {1, 1234567.891, "EUR"}, neg = {1, -950.5, "USD"}, none = {0, 0, ""};
    (void)state;
    rfmt_amount(out, sizeof out, &a);
    assert_string_equal(out, "1,234,567.89 EUR");
    rfmt_amount(out, sizeof out, &neg);
    assert_string_equal(out, "-950.50 USD");
    rfmt_amount(out, sizeof out, &none);
    assert_string_equal(out, "");
    rfmt_date(out, sizeof out, 1709251200); /* 2024-03-01T00:00:00Z */
    assert_string_equal(out, "2024-03-01");
    rfmt_pct(out, sizeof out, 4.0 / 6.0);
    assert_string_equal(out, "67%");
}

/* Dark pixels (< 128) in a greyscale PGM (P5, 8-bit) produced by pdftoppm; -1 on error. */
static long dark_pixels(const char *pgm)
{
    FILE *f = fopen(pgm, "rb");
    int w, h, max, c;
    long dark = 0;
    if (!f)
        return -1;
    if (fscanf(f, "P5 %d %d %d", &w, &h, &max) != 3 || max != 255) {
        fclose(f);
        return -1;
    }
    fgetc(f);
    for (long i = 0; i < (long)w * h && (c = fgetc(f)) != EOF; i++)
        dark += c < 128;
    fclose(f);
    return dark;
}

/* 服 (U+670D) and 务 (U+52A1) are composite glyphs in WenQuanYi Micro Hei; libharu 2.3
 * alone embeds them without their components, and they render blank. Drawn 40 pt high
 * at (100, 700) on an A4 page, rendered at 72 dpi: the crop x 90..250, y 90..160 (from
 * the top: 842 - 700 = 142 is the baseline) must hold the strokes of two characters. */
static void test_report_text_cjk_composite_glyphs_are_drawn(void **state)
{
    text_state *s = *state;
    unsigned char *pdf = NULL;
    size_t n = 0;
    const char *path;
    char cmd[1024], pgm[300], *out;
    long dark;

    rl_page_new(&s->rd);
    rtext_draw(&s->rd, 100, 700, "服务", strlen("服务"), RS_REGULAR, 40, RC_BLACK);
    assert_int_equal(rdoc_finish(&s->rd, &pdf, &n, "t", "s", "k", 0), 0);
    path = tu_write_tmp(pdf, n, 0);
    snprintf(pgm, sizeof pgm, "%s-crop", path);
    snprintf(cmd, sizeof cmd,
             "pdftoppm -q -r 72 -gray -x 90 -y 90 -W 160 -H 70 -singlefile '%s' '%s' && echo ok",
             path, pgm);
    out = tu_capture(cmd);
    assert_non_null(strstr(out, "ok"));
    free(out);
    snprintf(cmd, sizeof cmd, "%s.pgm", pgm);
    dark = dark_pixels(cmd);
    /* two 40 pt characters of several strokes: hundreds of dark pixels; blank = 0 */
    assert_true(dark > 150);
    unlink(cmd);
    unlink(path);
    free(pdf);
}

static void test_report_fonts_check_refuses_non_truetype(void **state)
{
    report_fonts f = {0};
    err_t e;
    char path[64];
    FILE *fp;
    (void)state;
    snprintf(path, sizeof path, "/tmp/test_report_font_XXXXXX");
    assert_true(mkstemp(path) >= 0);
    fp = fopen(path, "wb");
    fwrite("OTTO\0\x01\0\0\0\0\0\0\0\0\0\0", 1, 16, fp);
    fclose(fp);
    f.regular = path;
    err_clear(&e);
    assert_int_equal(report_fonts_check(&f, &e), ERR_BAD_INPUT);
    assert_non_null(strstr(e.msg, "OpenType-CFF"));
    f.regular = "/nonexistent/font.ttf";
    assert_int_equal(report_fonts_check(&f, &e), ERR_IO);
    report_fonts_default(&f);
    f.cjk_index = 9; /* wqy-microhei.ttc holds 2 faces */
    assert_int_equal(report_fonts_check(&f, &e), ERR_BAD_INPUT);
    assert_non_null(strstr(e.msg, "face index 9"));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_template_labels_and_fallback),
        cmocka_unit_test(test_report_template_fills_placeholders),
        cmocka_unit_test(test_report_template_refuses_bad_files),
        cmocka_unit_test_setup_teardown(test_report_text_breaks_chinese_without_spaces,
                                        text_setup, text_teardown),
        cmocka_unit_test_setup_teardown(test_report_text_breaks_latin, text_setup,
                                        text_teardown),
        cmocka_unit_test_setup_teardown(test_report_text_redacts_in_public, text_setup,
                                        text_teardown),
        cmocka_unit_test_setup_teardown(test_report_text_cjk_composite_glyphs_are_drawn,
                                        text_setup, text_teardown),
        cmocka_unit_test(test_report_text_formats_numbers),
        cmocka_unit_test(test_report_fonts_check_refuses_non_truetype),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
