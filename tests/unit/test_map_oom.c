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
#define _GNU_SOURCE 1 /* dladdr, Dl_info */
#include <dlfcn.h>
#include <link.h>
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

#if defined(__SANITIZE_ADDRESS__)
#define OOM_INJECTION 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OOM_INJECTION 0
#endif
#endif
#ifndef OOM_INJECTION
#define OOM_INJECTION 1
#endif

#if OOM_INJECTION
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t a, size_t n);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static long fail_at = -1;   /* the allocation number that fails; -1: none */
static long n_allocs;       /* allocations since the counter was reset */
static long live;           /* blocks allocated minus blocks freed, while counting */
static int counting;
static int spare_libxml2;   /* never fail an allocation libxml2 makes itself */
static uintptr_t libxml2_lo, libxml2_hi; /* libxml2's loaded address range */

/* 1 when the allocation asked for by code at `caller` is to fail. libxml2 2.9.14 itself
 * crashes on some failed allocations (fixed upstream in 2.11), so for the native reader
 * only the allocations of our code (and of libc on its behalf) are made to fail. */
static int should_fail(void *caller)
{
    if (!counting)
        return 0;
    if (spare_libxml2 && (uintptr_t)caller >= libxml2_lo && (uintptr_t)caller < libxml2_hi)
        return 0;
    return n_allocs++ == fail_at;
}

void *malloc(size_t n)
{
    void *p;

    if (should_fail(__builtin_return_address(0)))
        return NULL;
    p = __libc_malloc(n);
    if (p && counting)
        live++;
    return p;
}

void *calloc(size_t a, size_t n)
{
    void *p;

    if (should_fail(__builtin_return_address(0)))
        return NULL;
    p = __libc_calloc(a, n);
    if (p && counting)
        live++;
    return p;
}

void *realloc(void *old, size_t n)
{
    void *p;

    if (should_fail(__builtin_return_address(0)))
        return NULL;
    p = __libc_realloc(old, n);
    if (p && !old && counting)
        live++;
    return p;
}

void free(void *p)
{
    if (p && counting)
        live--;
    __libc_free(p);
}

static int injection_works(void)
{
    /* Called through a volatile pointer: the compiler may not elide the pair. */
    void *(*volatile alloc)(size_t) = malloc;
    void *p;

    /* Under valgrind our malloc is redirected: a forced failure does not happen. */
    counting = 1;
    n_allocs = 0;
    fail_at = 0;
    p = alloc(16);
    counting = 0;
    fail_at = -1;
    if (p) {
        free(p);
        return 0;
    }
    return 1;
}

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

    if (!injection_works())
        skip();
    assert_int_equal(json_parse(&v, release_json, strlen(release_json), &e), 0);
    for (n = 0;; n++) {
        p = (model_procurement *)1;
        live = 0;
        n_allocs = 0;
        fail_at = n;
        counting = 1;
        rc = model_from_ocds(&p, v, NULL, &e);
        if (rc == 0)
            model_procurement_free(p);
        counting = 0;
        fail_at = -1;
        if (rc == 0)
            break;
        failures++;
        if (rc != ERR_NOMEM)
            fail_msg("allocation %ld failed: rc %d (%s), not ERR_NOMEM", n, rc, e.msg);
        assert_null(p);
        if (live != 0)
            fail_msg("allocation %ld failed: %ld blocks leaked", n, live);
    }
    /* The release needs well over a hundred allocations: each one was made to fail. */
    assert_true(failures > 100);
    /* The successful run freed all it allocated too. */
    assert_int_equal(live, 0);
    json_free(v);
}

/* dl_iterate_phdr callback: the address range of the object named *data. */
static int find_range(struct dl_phdr_info *info, size_t size, void *data)
{
    const char *name = data;
    int i;

    (void)size;
    if (!info->dlpi_name || strcmp(info->dlpi_name, name) != 0)
        return 0;
    libxml2_lo = UINTPTR_MAX;
    libxml2_hi = 0;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (ph->p_type != PT_LOAD)
            continue;
        if (lo < libxml2_lo)
            libxml2_lo = lo;
        if (hi > libxml2_hi)
            libxml2_hi = hi;
    }
    return 1;
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

    Dl_info info;

    if (!injection_works())
        skip();
    assert_true(dladdr((void *)(uintptr_t)xmlReadMemory, &info) && info.dli_fname);
    assert_int_equal(dl_iterate_phdr(find_range, (void *)(uintptr_t)info.dli_fname), 1);
    assert_true((uintptr_t)(void *)(uintptr_t)xmlReadMemory >= libxml2_lo &&
                (uintptr_t)(void *)(uintptr_t)xmlReadMemory < libxml2_hi);
    /* Warm up: libxml2's globals and the cached XSD are allocated once, outside. */
    memset(&st, 0, sizeof st);
    assert_int_equal(native_read_buffer("oom.xml", xml, sizeof xml - 1, on_item, &releases, &st,
                                        &e),
                     0);
    assert_int_equal(releases, 1);
    spare_libxml2 = 1;
    for (n = 0;; n++) {
        releases = 0;
        memset(&st, 0, sizeof st);
        live = 0;
        n_allocs = 0;
        fail_at = n;
        counting = 1;
        rc = native_read_buffer("oom.xml", xml, sizeof xml - 1, on_item, &releases, &st, &e);
        counting = 0;
        fail_at = -1;
        if (rc == 0)
            break;
        if (rc != ERR_NOMEM)
            fail_msg("allocation %ld failed: rc %d (%s), not ERR_NOMEM", n, rc, e.msg);
        assert_int_equal(releases, 0);
        if (live != 0)
            fail_msg("allocation %ld failed: %ld blocks leaked", n, live);
    }
    spare_libxml2 = 0;
    assert_int_equal(releases, 1);
    assert_int_equal(live, 0);
    assert_true(n > 100);
}

#else /* AddressSanitizer owns malloc: nothing can be injected. */

static void test_map_oom_every_allocation(void **state)
{
    (void)state;
    skip();
}

static void test_native_oom_every_allocation(void **state)
{
    (void)state;
    skip();
}
#endif

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
