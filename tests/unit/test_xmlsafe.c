/* test_xmlsafe.c - the guarded libxml2 parse: DOCTYPE refusal, first error, depth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <libxml/parser.h>

#include "util/xmlsafe.h"

static const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

static void test_xmlsafe_parses_and_measures_depth(void **state)
{
    /* root a (1) > b (2) > c (3); d is a second child of a at depth 2 */
    static const char xml[] = "<a><b><c/></b><d>text</d></a>";
    xmlsafe_report r;
    xmlDocPtr doc = NULL;
    err_t e;

    (void)state;
    assert_int_equal(xmlsafe_parse(&doc, xml, sizeof xml - 1, "t.xml", "UTF-8", opts, 0, &r, &e), 0);
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
    xmlDocPtr doc = NULL;
    err_t e;

    (void)state;
    assert_int_equal(xmlsafe_parse(&doc, xml, sizeof xml - 1, "t.xml", NULL, opts, 0, &r, &e), 0);
    assert_null(doc);
    assert_int_equal(r.doctype, 1);
    assert_int_equal(r.entity, 0);
    assert_int_equal(r.line, 2);
}

static void test_xmlsafe_captures_first_error_line(void **state)
{
    /* line 3 closes <b> with </c>: a mismatched tag, a fatal error on line 3 */
    static const char xml[] = "<a>\n<b>\n</c>\n</a>";
    xmlsafe_report r;
    xmlDocPtr doc = NULL;
    err_t e;

    (void)state;
    assert_int_equal(xmlsafe_parse(&doc, xml, sizeof xml - 1, "t.xml", "UTF-8", opts, 0, &r, &e), 0);
    assert_null(doc);
    assert_int_equal(r.well_formed, 0);
    assert_int_equal(r.have_error, 1);
    assert_int_equal(r.error_line, 3);
    assert_int_equal(r.error_code, XML_ERR_TAG_NAME_MISMATCH);
    assert_non_null(strstr(r.error, "mismatch"));
    assert_int_not_equal(r.error[strlen(r.error) - 1], '\n');
    assert_int_equal(r.have_last, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xmlsafe_parses_and_measures_depth),
        cmocka_unit_test(test_xmlsafe_refuses_doctype_before_entities),
        cmocka_unit_test(test_xmlsafe_captures_first_error_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
