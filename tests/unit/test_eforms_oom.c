/* test_eforms_oom.c - failure-path testing of the eForms reader: the Nth allocation of our
 * code fails, for every N, until the read succeeds.
 *
 * This binary replaces malloc/calloc/realloc/free (glibc exports __libc_* to delegate to)
 * and counts allocations. libxml2's own allocations are never made to fail (libxml2
 * 2.9.14 has crashes on some failed allocations, fixed upstream in 2.11) but are counted
 * for the leak check. Each failing run must return ERR_NOMEM with a message, hand nothing
 * to the callback (in particular no rejection: running out of memory is never read as a
 * missing field), and leave no block allocated. Under AddressSanitizer or valgrind, which
 * own malloc, the injection cannot work and the test skips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "eforms/eforms.h"
#include "oomtest.h"

OOMTEST_DEFINE_ALLOCATORS()

typedef struct {
    int releases, rejected;
} seen_t;

static int on_item(void *ctx, ocds_item *it)
{
    seen_t *s = ctx;

    if (it->kind == OCDS_ITEM_RELEASE)
        s->releases++;
    else
        s->rejected++;
    return 0;
}

/* Reads `path` with allocation n failing, for n = 0, 1, ... until the read succeeds.
 * Returns the number of failing runs. */
static long every_allocation(const char *path)
{
    long n, failures = 0;
    seen_t seen;
    err_t e;
    int rc;

    for (n = 0;; n++) {
        memset(&seen, 0, sizeof seen);
        err_clear(&e);
        oomtest_start(n);
        rc = eforms_read_file(path, on_item, &seen, NULL, &e);
        oomtest_fail_at = -1;
        eforms_registry_reset(); /* frees what the registry kept, still counted */
        oomtest_stop();
        if (oomtest_live != 0)
            fail_msg("%s: allocation %ld failed: %ld blocks leaked (rc %d)", path, n, oomtest_live, rc);
        if (rc == 0 && oomtest_n_allocs <= n) { /* no allocation failed: the normal read */
            assert_int_equal(seen.releases, 1);
            assert_int_equal(seen.rejected, 0);
            break;
        }
        failures++;
        if (rc != ERR_NOMEM)
            fail_msg("%s: allocation %ld failed: rc %d, releases %d, rejected %d (%s)", path, n, rc,
                     seen.releases, seen.rejected, e.msg);
        assert_int_equal(seen.releases + seen.rejected, 0);
        assert_true(e.msg[0] != '\0');
    }
    return failures;
}

static void test_oom_every_allocation(void **state)
{
    const char *s = getenv("PROCAUDIT_SHARED");
    static const char *files[] = {
        "data/eforms/sdk-examples/can_24_FRA_comments.xml",          /* CAN: results, contracts */
        "data/eforms/sdk-examples/can-modif_24_value.xml",           /* CMN: amendments */
        "data/eforms/sdk-examples/change-cn_24_open_dates.xml",      /* change notice */
        "data/eforms/ted-published/eforms_sdk_v1.9/665175-2023.xml", /* CN, 4 lots, criteria */
    };
    char path[2048];
    struct stat st;
    eforms_options o;
    size_t i;
    long total = 0;
    seen_t warm = {0, 0};
    err_t e;

    (void)state;
    snprintf(path, sizeof path, "%s/data/eforms", s && *s ? s : "../shared");
    if (stat(path, &st) != 0 || !oomtest_injection_works())
        skip();
    assert_true(oomtest_find_libxml2());
    assert_true(oomtest_libxml2_hi > oomtest_libxml2_lo);
    oomtest_spare_libxml2 = 1;
    /* the schemas are libxml2's (cached per process): this test is about our code */
    memset(&o, 0, sizeof o);
    o.skip_validation = 1;
    assert_int_equal(eforms_set_options(&o), 0);
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", s && *s ? s : "../shared", files[i]);
        err_clear(&e);
        /* warm-up: libxml2's one-time initialisation is not counted */
        assert_int_equal(eforms_read_file(path, on_item, &warm, NULL, &e), 0);
        eforms_registry_reset();
        total += every_allocation(path);
    }
    print_message("eforms oom: %ld failing runs, each ERR_NOMEM, no leak\n", total);
    /* a CAN needs hundreds of allocations of our own: each one was made to fail */
    assert_true(total > 400);
    assert_int_equal(eforms_set_options(NULL), 0);
    eforms_cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oom_every_allocation),
    };
    return cmocka_run_group_tests_name("eforms_oom", tests, NULL, NULL);
}
