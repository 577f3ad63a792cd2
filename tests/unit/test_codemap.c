/* test_codemap.c - the code map: resolution order, the shipped file, loading errors. */
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

static codemap *load_str(const char *xml, int expect_rc, err_t *e)
{
    codemap *cm = (codemap *)1;

    err_clear(e);
    assert_int_equal(codemap_load_buffer(&cm, xml, strlen(xml), "t.xml", e), expect_rc);
    if (expect_rc)
        assert_null(cm);
    return cm;
}

static void test_codemap_default_resolution_order(void **state)
{
    const char *code;
    (void)state;

    /* 1. A map entry, compared ignoring ASCII case and outer spaces. */
    assert_int_equal(codemap_resolve(NULL, CODEMAP_BID_STATUS, "Qualified", &code),
                     CODEMAP_MAPPED);
    assert_string_equal(code, "valid");
    assert_int_equal(codemap_resolve(NULL, CODEMAP_BID_STATUS, " not-qualified ", &code),
                     CODEMAP_MAPPED);
    assert_string_equal(code, "disqualified");
    assert_int_equal(codemap_resolve(NULL, CODEMAP_BID_STATUS, "active", &code),
                     CODEMAP_MAPPED);
    assert_string_equal(code, "valid");
    /* The map wins over the codelist: deprecated lowestCost is a 1.1 code, yet mapped. */
    assert_int_equal(codemap_resolve(NULL, CODEMAP_AWARD_CRITERIA, "lowestCost", &code),
                     CODEMAP_MAPPED);
    assert_string_equal(code, "priceOnly");
    assert_int_equal(codemap_resolve(NULL, CODEMAP_AWARD_CRITERIA, "bestValueToGoverment",
                                     &code),
                     CODEMAP_MAPPED);
    assert_string_equal(code, "ratedCriteria");
    /* 2. Standard codes as they stand. */
    assert_int_equal(codemap_resolve(NULL, CODEMAP_METHOD, "open", &code), CODEMAP_STANDARD);
    assert_string_equal(code, "open");
    assert_int_equal(codemap_resolve(NULL, CODEMAP_BID_STATUS, "disqualified", &code),
                     CODEMAP_STANDARD);
    assert_int_equal(codemap_resolve(NULL, CODEMAP_AWARD_CRITERIA, "singleBidOnly", &code),
                     CODEMAP_STANDARD);
    /* 3. A standard code in another case. */
    assert_int_equal(codemap_resolve(NULL, CODEMAP_BID_STATUS, "Disqualified", &code),
                     CODEMAP_MAPPED);
    assert_string_equal(code, "disqualified");
    assert_int_equal(codemap_resolve(NULL, CODEMAP_METHOD, "OPEN", &code), CODEMAP_MAPPED);
    assert_string_equal(code, "open");
    /* UTF-8 entries (Moldova, ţ with cedilla). */
    assert_int_equal(codemap_resolve(NULL, CODEMAP_METHOD,
                                     "Licita\xc5\xa3ie public\xc4\x83", &code),
                     CODEMAP_MAPPED);
    assert_string_equal(code, "open");
    /* 4. Outside. A code of another list is not accepted. */
    assert_int_equal(codemap_resolve(NULL, CODEMAP_BID_STATUS, "unsuccessful", &code),
                     CODEMAP_OUTSIDE);
    assert_null(code);
    assert_int_equal(codemap_resolve(NULL, CODEMAP_METHOD, "services", &code), CODEMAP_OUTSIDE);
    assert_int_equal(codemap_resolve(NULL, CODEMAP_N_LISTS, "open", &code), CODEMAP_OUTSIDE);

    assert_true(codemap_in_codelist(CODEMAP_CONTRACT_STATUS, "terminated"));
    assert_false(codemap_in_codelist(CODEMAP_CONTRACT_STATUS, "Terminated"));
    assert_string_equal(codemap_list_name(CODEMAP_CATEGORY), "mainProcurementCategory");
    assert_string_equal(codemap_list_name(CODEMAP_N_LISTS), "?");
    /* Freeing the built-in map or NULL is a no-op. */
    codemap_free((codemap *)(uintptr_t)codemap_default());
    codemap_free(NULL);
    assert_true(codemap_size(codemap_default()) > 40);
}

/* templates/codemap.xml as shipped says exactly what the built-in map says. */
static void test_codemap_shipped_file_equals_builtin(void **state)
{
    const char *root = getenv("PROCAUDIT_ROOT");
    const codemap *def = codemap_default();
    codemap *cm = NULL;
    char path[1024];
    size_t i;
    err_t e;
    (void)state;

    if (!root)
        root = ".";
    assert_true(snprintf(path, sizeof path, "%s/templates/codemap.xml", root) <
                (int)sizeof path);
    err_clear(&e);
    if (codemap_load(&cm, path, &e) != 0)
        fail_msg("%s", e.msg);
    assert_int_equal(codemap_size(cm), codemap_size(def));
    for (i = 0; i < codemap_size(def); i++) {
        codemap_list list;
        const char *from, *to, *got = NULL;
        assert_int_equal(codemap_entry_at(def, i, &list, &from, &to), 0);
        assert_int_not_equal(codemap_resolve(cm, list, from, &got), CODEMAP_OUTSIDE);
        if (strcmp(got, to) != 0)
            fail_msg("%s \"%s\": file says %s, built-in says %s", codemap_list_name(list), from,
                     got, to);
    }
    assert_int_equal(codemap_entry_at(cm, codemap_size(cm), &(codemap_list){0},
                                      &(const char *){NULL}, &(const char *){NULL}),
                     ERR_NOT_FOUND);
    codemap_free(cm);
}

static void test_codemap_loaded_map_replaces_builtin(void **state)
{
    err_t e;
    const char *code;
    codemap *cm = load_str(
        "<?xml version='1.0'?>\n"
        "<codemap xmlns='urn:procaudit:codemap:1'>\n"
        "  <!-- Paraguay -->\n"
        "  <list name='procurementMethod'>\n"
        "    <map from='Concurso de Ofertas' to='selective'/>\n"
        "    <map from='  Contratación Directa ' to='direct'/>\n"
        "  </list>\n"
        "  <list name='bidStatus'><map from='unsuccessful' to='valid'/></list>\n"
        "</codemap>\n",
        0, &e);
    (void)state;

    assert_int_equal(codemap_size(cm), 3);
    assert_int_equal(codemap_resolve(cm, CODEMAP_METHOD, "concurso de ofertas", &code),
                     CODEMAP_MAPPED);
    assert_string_equal(code, "selective");
    assert_int_equal(codemap_resolve(cm, CODEMAP_METHOD, "Contrataci\xc3\xb3n Directa", &code),
                     CODEMAP_MAPPED);
    assert_string_equal(code, "direct");
    assert_int_equal(codemap_resolve(cm, CODEMAP_BID_STATUS, "Unsuccessful", &code),
                     CODEMAP_MAPPED);
    assert_string_equal(code, "valid");
    /* Not in this file: the built-in entry no longer applies. */
    assert_int_equal(codemap_resolve(cm, CODEMAP_BID_STATUS, "qualified", &code),
                     CODEMAP_OUTSIDE);
    assert_int_equal(codemap_resolve(cm, CODEMAP_AWARD_CRITERIA, "lowestCost", &code),
                     CODEMAP_STANDARD);
    codemap_free(cm);
}

/* The mapper uses the map it is given. */
static void test_codemap_used_by_mapper(void **state)
{
    err_t e;
    json_value *v = NULL;
    model_procurement *p = NULL;
    const char *js = "{\"ocid\":\"ocds-x\",\"tender\":{\"procurementMethod\":\"Concurso de "
                     "Ofertas\"},\"bids\":{\"details\":[{\"id\":\"1\",\"status\":\"qualified\"}]}}";
    codemap *cm = load_str("<codemap><list name='procurementMethod'>"
                           "<map from='Concurso de Ofertas' to='selective'/></list></codemap>",
                           0, &e);
    (void)state;

    assert_int_equal(json_parse(&v, js, strlen(js), &e), 0);
    assert_int_equal(model_from_ocds(&p, v, cm, &e), 0);
    assert_string_equal(p->procurement_method, "selective");
    assert_string_equal(p->procurement_method_raw, "Concurso de Ofertas");
    /* "qualified" is not in this map: kept, outside the codelist. */
    assert_string_equal(p->bids[0].status, "qualified");
    assert_string_equal(p->bids[0].status_raw, "qualified");
    model_procurement_free(p);
    json_free(v);
    codemap_free(cm);
}

static void test_codemap_load_errors_name_file_and_line(void **state)
{
    err_t e;
    codemap *cm = NULL;
    (void)state;

    load_str("<codemap>\n<list name='procurementMethod'>\n<map from='x' to='opn'/>\n"
             "</list></codemap>", ERR_BAD_INPUT, &e);
    assert_non_null(strstr(e.msg, "t.xml:3: to=\"opn\" is not a code of the "
                                  "procurementMethod codelist"));
    load_str("<codemap>\n\n<list name='colour'/></codemap>", ERR_BAD_INPUT, &e);
    assert_non_null(strstr(e.msg, "t.xml:3: unknown list \"colour\""));
    /* The same from twice, differing only by case: both lines named. */
    load_str("<codemap><list name='bidStatus'>\n<map from='OK' to='valid'/>\n"
             "<map from='ok' to='disqualified'/>\n</list></codemap>", ERR_BAD_INPUT, &e);
    assert_non_null(strstr(e.msg, "t.xml:3: from=\""));
    assert_non_null(strstr(e.msg, "(also line 2)"));
    load_str("<codemap><list name='bidStatus'>\n<map from='  ' to='valid'/></list></codemap>",
             ERR_BAD_INPUT, &e);
    assert_non_null(strstr(e.msg, "t.xml:2: from must be"));
    load_str("<codemap><list name='bidStatus'>\n<map to='valid'/></list></codemap>",
             ERR_BAD_INPUT, &e);
    assert_non_null(strstr(e.msg, "t.xml:2: <map> needs both from and to"));
    load_str("<codemap>\n<list name='bidStatus'>\n<entry/></list></codemap>", ERR_BAD_INPUT, &e);
    assert_non_null(strstr(e.msg, "t.xml:3: unexpected entry"));
    load_str("<criteria/>", ERR_BAD_INPUT, &e);
    assert_non_null(strstr(e.msg, "t.xml:1: the root element must be <codemap>"));
    load_str("<codemap xmlns='urn:other'/>", ERR_BAD_INPUT, &e);
    assert_non_null(strstr(e.msg, "root element"));
    /* Not well-formed: libxml2's message with the line of the error. */
    load_str("<codemap>\n<list name='bidStatus'>\n</codemap>", ERR_BAD_INPUT, &e);
    assert_non_null(strstr(e.msg, "t.xml:3: "));
    /* External entity (XXE) and billion laughs: any DOCTYPE is refused before parsing. */
    load_str("<?xml version='1.0'?>\n<!DOCTYPE c [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n"
             "<codemap><list name='bidStatus'><map from='&x;' to='valid'/></list></codemap>",
             ERR_BAD_INPUT, &e);
    assert_non_null(strstr(e.msg, "t.xml:2: a DOCTYPE is not allowed"));
    assert_null(strstr(e.msg, "root:"));
    load_str("<!DOCTYPE c [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>"
             "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;'>]>\n<codemap><list name='bidStatus'>"
             "<map from='&c;' to='valid'/></list></codemap>",
             ERR_BAD_INPUT, &e);
    assert_non_null(strstr(e.msg, "t.xml:1: a DOCTYPE is not allowed"));
    /* The word in a comment is no declaration. */
    cm = load_str("<codemap><!-- no <!DOCTYPE here --><list name='bidStatus'/></codemap>", 0, &e);
    assert_int_equal(codemap_size(cm), 0);
    codemap_free(cm);
    cm = NULL;
    /* Invalid UTF-8 in an attribute. */
    load_str("<codemap><list name='bidStatus'><map from='\xc3\x28' to='valid'/></list></codemap>",
             ERR_BAD_INPUT, &e);
    assert_non_null(strstr(e.msg, "t.xml:1: "));
    err_clear(&e);
    assert_int_equal(codemap_load(&cm, "/nonexistent/codemap.xml", &e), ERR_IO);
    assert_null(cm);
    assert_non_null(strstr(e.msg, "/nonexistent/codemap.xml:0: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codemap_default_resolution_order),
        cmocka_unit_test(test_codemap_shipped_file_equals_builtin),
        cmocka_unit_test(test_codemap_loaded_map_replaces_builtin),
        cmocka_unit_test(test_codemap_used_by_mapper),
        cmocka_unit_test(test_codemap_load_errors_name_file_and_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
