/* test_xmlsafe.c - the guarded libxml2 parse (DOCTYPE refusal, first error, depth) and
 * the input checks before it (strict UTF-8, line of an offset). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <libxml/parser.h>

#include "util/xmlsafe.h"

static const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

/* Parses the literal xml (UTF-8 imposed unless encoding is NULL): the document or NULL. */
static xmlDocPtr parse(const char *xml, size_t len, const char *encoding, xmlsafe_report *r)
{
    xmlDocPtr doc = NULL;
    err_t e;

    err_clear(&e);
    assert_int_equal(xmlsafe_parse(&doc, xml, len, "t.xml", encoding, opts, 0, r, &e), 0);
    return doc;
}

static void test_xmlsafe_parses_and_measures_depth(void **state)
{
    /* root a (1) > b (2) > c (3); d is a second child of a at depth 2 */
    static const char xml[] = "<a><b><c/></b><d>text</d></a>";
    xmlsafe_report r;
    xmlDocPtr doc;

    (void)state;
    doc = parse(xml, sizeof xml - 1, "UTF-8", &r);
    assert_non_null(doc);
    assert_int_equal(r.well_formed, 1);
    assert_int_equal(r.doctype, 0);
    assert_int_equal(r.have_error, 0);
    assert_int_equal(xmlsafe_depth(xmlDocGetRootElement(doc)), 3);
    assert_int_equal(xmlsafe_depth(NULL), 0);
    xmlFreeDoc(doc);
}

static void test_xmlsafe_refuses_doctype_before_entities(void **state)
{
    /* an entity bomb: the DOCTYPE on line 2 stops the parse before any declaration */
    static const char xml[] = "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"xxxxxxxx\">\n"
                              "<!ENTITY y \"&x;&x;&x;&x;&x;&x;&x;&x;\">]>\n<a>&y;</a>";
    xmlsafe_report r;

    (void)state;
    assert_null(parse(xml, sizeof xml - 1, NULL, &r));
    assert_int_equal(r.doctype, 1);
    assert_int_equal(r.entity, 0);
    assert_int_equal(r.line, 2);
}

static void test_xmlsafe_captures_first_error_line(void **state)
{
    /* line 3 closes <b> with </c>: a mismatched tag, a fatal error on line 3 */
    static const char xml[] = "<a>\n<b>\n</c>\n</a>";
    xmlsafe_report r;

    (void)state;
    assert_null(parse(xml, sizeof xml - 1, "UTF-8", &r));
    assert_int_equal(r.well_formed, 0);
    assert_int_equal(r.have_error, 1);
    assert_int_equal(r.error_line, 3);
    assert_int_equal(r.error_code, XML_ERR_TAG_NAME_MISMATCH);
    assert_non_null(strstr(r.error, "mismatch"));
    assert_int_not_equal(r.error[strlen(r.error) - 1], '\n');
    assert_int_equal(r.have_last, 1);
}

static void test_xmlsafe_utf8_and_lines(void **state)
{
    /* BOM (3 bytes), "a\n" (offsets 3-4), then C0 AF: an overlong '/', refused at 5 */
    static const char overlong[] = "\xEF\xBB\xBF" "a\n\xC0\xAF";
    /* "\xED\xA0\x80" encodes U+D800, a surrogate: refused at offset 1 */
    static const char surrogate[] = "x\xED\xA0\x80";
    /* U+00E9 (2 bytes) and U+1F600 (4 bytes): valid, 6 bytes, no BOM */
    static const char good[] = "\xC3\xA9\xF0\x9F\x98\x80";
    size_t bom = 99;

    (void)state;
    assert_int_equal(xmlsafe_utf8_check(overlong, sizeof overlong - 1, &bom), 5);
    assert_int_equal(bom, 3);
    assert_int_equal(xmlsafe_line_of(overlong, 5), 2); /* one new line before offset 5 */
    assert_int_equal(xmlsafe_utf8_check(surrogate, sizeof surrogate - 1, NULL), 1);
    assert_int_equal(xmlsafe_utf8_check(good, sizeof good - 1, &bom), 6);
    assert_int_equal(bom, 0);
    /* a truncated 3-byte sequence at the end: refused where it starts */
    assert_int_equal(xmlsafe_utf8_check("ab\xE2\x82", 4, NULL), 2);
    assert_int_equal(xmlsafe_line_of("no newline", 5), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xmlsafe_parses_and_measures_depth),
        cmocka_unit_test(test_xmlsafe_refuses_doctype_before_entities),
        cmocka_unit_test(test_xmlsafe_captures_first_error_line),
        cmocka_unit_test(test_xmlsafe_utf8_and_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
