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
#define _GNU_SOURCE 1
#include <link.h>
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

#if defined(__SANITIZE_ADDRESS__)
#define EF_OOM_INJECTION 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EF_OOM_INJECTION 0
#endif
#endif
#ifndef EF_OOM_INJECTION
#define EF_OOM_INJECTION 1
#endif

static long fail_at = -1; /* the counted allocation that fails; -1: none */
static long n_allocs;     /* counted allocations since the reset */
static long live;         /* blocks allocated minus blocks freed while counting */
static int counting;
static uintptr_t xml_lo, xml_hi; /* libxml2's loaded address range */

#if EF_OOM_INJECTION
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t a, size_t n);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static int fails(void *caller)
{
    if (!counting || ((uintptr_t)caller >= xml_lo && (uintptr_t)caller < xml_hi))
        return 0;
    return n_allocs++ == fail_at;
}

void *malloc(size_t n)
{
    void *p;

    if (fails(__builtin_return_address(0)))
        return NULL;
    p = __libc_malloc(n);
    if (p && counting)
        live++;
    return p;
}

void *calloc(size_t a, size_t n)
{
    void *p;

    if (fails(__builtin_return_address(0)))
        return NULL;
    p = __libc_calloc(a, n);
    if (p && counting)
        live++;
    return p;
}

void *realloc(void *old, size_t n)
{
    void *p;

    if (fails(__builtin_return_address(0)))
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
#endif

/* dl_iterate_phdr callback: libxml2's address range. */
static int find_libxml2(struct dl_phdr_info *info, size_t size, void *data)
{
    int i;

    (void)size;
    (void)data;
    if (!info->dlpi_name || !strstr(info->dlpi_name, "libxml2.so"))
        return 0;
    xml_lo = UINTPTR_MAX;
    xml_hi = 0;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (ph->p_type != PT_LOAD)
            continue;
        if (lo < xml_lo)
            xml_lo = lo;
        if (hi > xml_hi)
            xml_hi = hi;
    }
    return 1;
}

static int injection_works(void)
{
#if EF_OOM_INJECTION
    void *(*volatile alloc)(size_t) = malloc;
    void *p;

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
#else
    return 0;
#endif
}

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
        live = 0;
        n_allocs = 0;
        fail_at = n;
        counting = 1;
        rc = eforms_read_file(path, on_item, &seen, NULL, &e);
        fail_at = -1;
        eforms_registry_reset(); /* frees what the registry kept, still counted */
        counting = 0;
        if (live != 0)
            fail_msg("%s: allocation %ld failed: %ld blocks leaked (rc %d)", path, n, live, rc);
        if (rc == 0 && n_allocs <= n) { /* no allocation failed: the normal read */
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
    if (stat(path, &st) != 0 || !injection_works())
        skip();
    dl_iterate_phdr(find_libxml2, NULL);
    assert_true(xml_hi > xml_lo);
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
