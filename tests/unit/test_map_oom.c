/* test_map_oom.c - failure-path testing (STYLE 14): the Nth allocation fails, for every N.
 *
 * This binary replaces malloc/calloc/realloc/free (glibc supports replacing them and
 * exports __libc_* to delegate to), counts allocations, and makes allocation number N
 * fail. The mapper (model_from_ocds) and the native reader are run for N = 0, 1, 2, ...
 * until they succeed: every failing run must return ERR_NOMEM with *out NULL, and for
 * the mapper leave exactly as many blocks allocated as before (no leak). Under
 * AddressSanitizer (which owns malloc) or valgrind (which redirects it) the injection
 * cannot work, so the tests skip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libxml/parser.h>

#include "json/json.h"
#include "model.h"
#include "native/native.h"
#include "ocds/map.h"
#include "oomtest.h"

OOMTEST_DEFINE_ALLOCATORS()

static const char *const release_json =
    "{\"ocid\":\"ocds-oom\",\"date\":\"2020-01-15\",\"language\":\"en\","
    "\"parties\":[{\"id\":\"B1\",\"name\":\"Town\",\"roles\":[\"buyer\"],"
    "\"identifier\":{\"scheme\":\"X\",\"id\":1},\"contactPoint\":{\"email\":\"a@b.c\"}}],"
    "\"buyer\":{\"id\":\"B1\"},"
    "\"planning\":{\"budget\":{\"amount\":{\"amount\":\"10\",\"currency\":\"eur\"}}},"
    "\"tender\":{\"id\":\"T\",\"title\":\"Care\",\"status\":\"Active\","
    "\"procurementMethod\":\"Licitaci\\u00f3n P\\u00fablica\",\"awardCriteria\":{\"criteria\":["
    "{\"type\":\"price\",\"numbers\":[{\"number\":40,\"weight\":\"percentageExact\"}]},"
    "{\"type\":\"quality\",\"numbers\":[{\"number\":60,\"weight\":\"percentageExact\"}]}]},"
    "\"tenderPeriod\":{\"startDate\":\"2020-01-02T09:00:00\",\"endDate\":\"2020-01-01\"},"
    "\"items\":[{\"id\":7,\"classification\":{\"scheme\":\"CPV\",\"id\":\"85\"},"
    "\"deliveryAddress\":{\"locality\":\"T\",\"countryName\":\"N\"}}],"
    "\"lots\":[{\"id\":\"L\",\"awardCriteria\":{\"criteria\":[{\"type\":\"price\"}]}}],"
    "\"documents\":[{\"id\":\"D\",\"documentType\":\"x\"},{\"id\":\"\"}],"
    "\"tenderers\":[{\"id\":\"S\"},{\"name\":\"Ghost\"}]},"
    "\"bids\":{\"details\":[{\"id\":\"b\",\"status\":\"Qualified\",\"tenderers\":[{\"id\":\"S\"}],"
    "\"relatedLots\":[\"L\"]}]},"
    "\"awards\":[{\"id\":\"a\",\"status\":\"awarded\",\"suppliers\":[{\"id\":\"S\"}],"
    "\"relatedBids\":[\"b\"],\"documents\":[{\"id\":\"ad\",\"url\":\"u\"}]}],"
    "\"contracts\":[{\"id\":\"c\",\"awardID\":\"a\",\"value\":{\"amount\":5,\"currency\":\"EUR\"},"
    "\"amendments\":[{\"id\":\"m\",\"date\":\"2020-05-01\"}],\"amendment\":{\"description\":\"d\"},"
    "\"implementation\":{\"transactions\":[{\"id\":\"t\",\"amount\":{\"amount\":1},"
    "\"providerOrganization\":{\"scheme\":\"X\",\"id\":\"1\"},\"payee\":{\"id\":\"S\"}}],"
    "\"milestones\":[{\"id\":\"im\"}],\"documents\":[{\"id\":\"idoc\",\"title\":\"q\"}]}}]}";

static void test_map_oom_every_allocation(void **state)
{
    json_value *v = NULL;
    model_procurement *p;
    err_t e;
    long n, failures = 0;
    int rc;
    (void)state;

    if (!oomtest_injection_works())
        skip();
    assert_int_equal(json_parse(&v, release_json, strlen(release_json), &e), 0);
    for (n = 0;; n++) {
        p = (model_procurement *)1;
        oomtest_start(n);
        rc = model_from_ocds(&p, v, NULL, &e);
        if (rc == 0)
            model_procurement_free(p);
        oomtest_stop();
        if (rc == 0)
            break;
        failures++;
        if (rc != ERR_NOMEM)
            fail_msg("allocation %ld failed: rc %d (%s), not ERR_NOMEM", n, rc, e.msg);
        assert_null(p);
        if (oomtest_live != 0)
            fail_msg("allocation %ld failed: %ld blocks leaked", n, oomtest_live);
    }
    /* The release needs well over a hundred allocations: each one was made to fail. */
    assert_true(failures > 100);
    /* The successful run freed all it allocated too. */
    assert_int_equal(oomtest_live, 0);
    json_free(v);
}

static int on_item(void *ctx, ocds_item *it)
{
    size_t *n = ctx;

    if (it->kind == OCDS_ITEM_RELEASE)
        (*n)++;
    return 0;
}

/* The native reader under failing allocations of our code: ERR_NOMEM every time, never
 * a crash, a partial release or a leak. */
static void test_native_oom_every_allocation(void **state)
{
    static const char xml[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<procurement xmlns=\"urn:procaudit:native:1\" id=\"O\" date=\"2024-01-01\">"
        "<buyer id=\"B\"><name>Town</name></buyer>"
        "<provider id=\"P\"><name>Care</name><scale>sme</scale></provider>"
        "<procedure><method>open</method><bid id=\"b\" provider=\"P\" status=\"valid\">"
        "<value currency=\"EUR\">1.50</value></bid></procedure>"
        "<service><title>Care</title><classification scheme=\"CPV\">85</classification>"
        "<place><locality>T</locality></place></service>"
        "<award id=\"a\" provider=\"P\" bid=\"b\"/>"
        "<contract id=\"c\" award=\"a\"><payment id=\"y\" date=\"2024-02-01\" "
        "currency=\"EUR\">1</payment></contract>"
        "<evaluation><awardCriterion type=\"price\"><name>p</name>"
        "<weight kind=\"points\">10</weight></awardCriterion>"
        "<indicator id=\"k\"><name>n</name></indicator>"
        "<result id=\"r\" date=\"2024-03-01\" type=\"final\"><measurement indicator=\"k\">1"
        "</measurement></result></evaluation></procurement>\n";
    ocds_read_stats st;
    size_t releases = 0;
    long n;
    err_t e;
    int rc;
    (void)state;

    if (!oomtest_injection_works())
        skip();
    assert_int_equal(oomtest_find_libxml2(), 1);
    assert_true((uintptr_t)(void *)(uintptr_t)xmlReadMemory >= oomtest_libxml2_lo &&
                (uintptr_t)(void *)(uintptr_t)xmlReadMemory < oomtest_libxml2_hi);
    /* Warm up: libxml2's globals and the cached XSD are allocated once, outside. */
    memset(&st, 0, sizeof st);
    assert_int_equal(native_read_buffer("oom.xml", xml, sizeof xml - 1, on_item, &releases, &st,
                                        &e),
                     0);
    assert_int_equal(releases, 1);
    oomtest_spare_libxml2 = 1;
    for (n = 0;; n++) {
        releases = 0;
        memset(&st, 0, sizeof st);
        oomtest_start(n);
        rc = native_read_buffer("oom.xml", xml, sizeof xml - 1, on_item, &releases, &st, &e);
        oomtest_stop();
        if (rc == 0)
            break;
        if (rc != ERR_NOMEM)
            fail_msg("allocation %ld failed: rc %d (%s), not ERR_NOMEM", n, rc, e.msg);
        assert_int_equal(releases, 0);
        if (oomtest_live != 0)
            fail_msg("allocation %ld failed: %ld blocks leaked", n, oomtest_live);
    }
    oomtest_spare_libxml2 = 0;
    assert_int_equal(releases, 1);
    assert_int_equal(oomtest_live, 0);
    assert_true(n > 100);
}


static int teardown_all(void **state)
{
    (void)state;
    native_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_oom_every_allocation),
        cmocka_unit_test(test_native_oom_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
