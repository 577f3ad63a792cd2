/* test_score_oom.c - failure paths under out-of-memory: the Nth allocation fails, for
 * every N, during score_evaluate (criteria texts, applicability, every indicator of the
 * international set on a real procurement, aggregation); each call must return 0 or
 * ERR_NOMEM (never crash, never half an evaluation) and leave its out-parameter NULL on
 * failure. The criteria loader is not looped this way: Debian's libxml2 2.9.14 crashes
 * inside xmlSchemaParse when an allocation fails (a defect of that libxml2 version), so
 * only our own code and the indicators are exercised. The allocator is interposed
 * through glibc's __libc_* entry points (tests/common/oomtest.h), so the test is skipped
 * where AddressSanitizer or valgrind own malloc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "criteria.h"
#include "json/json.h"
#include "ocds/map.h"
#include "oomtest.h"
#include "score.h"

OOMTEST_DEFINE_ALLOCATORS()

static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = __builtin_malloc(1 << 22);
    *n = fread(buf, 1, (1 << 22) - 1, f);
    buf[*n] = '\0';
    fclose(f);
    return buf;
}

static void test_score_evaluate_survives_every_failed_allocation(void **state)
{
    (void)state;
    if (!oomtest_injection_works())
        skip();
    const char *shared = getenv("PROCAUDIT_SHARED"), *root = getenv("PROCAUDIT_ROOT");
    char path[4096], setp[4096];
    if (!shared || !*shared)
        skip();
    snprintf(path, sizeof path, "%s/data/ocds/ocdskit-realdata/compiled-release-1.json", shared);
    snprintf(setp, sizeof setp, "%s/templates/criteria/international-red-flags.xml",
             root && *root ? root : ".");
    size_t n = 0;
    char *text = read_all(path, &n);
    if (!text)
        skip();
    json_value *tree = NULL;
    model_procurement *p = NULL;
    criteria_set *s = NULL;
    err_t e;
    assert_int_equal(json_parse(&tree, text, n, &e), 0);
    assert_int_equal(model_from_ocds(&p, tree, NULL, &e), 0);
    assert_int_equal(criteria_load_file(&s, setp, NULL, NULL, &e), 0);

    /* score_evaluate with the Nth allocation and every later one failing, for every N
     * until it succeeds. */
    oomtest_sticky = 1;
    long n_fail = 0;
    for (long k = 0;; k++) {
        evaluation_t *ev = NULL;
        oomtest_start(k);
        int rc = score_evaluate(&ev, s, p, NULL, "en", "2026-01-01T00:00:00Z", &e);
        oomtest_stop();
        if (oomtest_failed == 0) {
            assert_int_equal(rc, 0);
            assert_non_null(ev);
            assert_true(ev->n_results >= 28);
            evaluation_free(ev);
            break;
        }
        /* An indicator may absorb a failed allocation as insufficient data; otherwise
         * the error is ERR_NOMEM and there is no evaluation. */
        if (rc != 0) {
            assert_int_equal(rc, ERR_NOMEM);
            assert_null(ev);
            n_fail++;
        }
        evaluation_free(ev);
        assert_true(k < 200000);
    }
    assert_true(n_fail > 10);

    criteria_set_free(s);
    model_procurement_free(p);
    json_free(tree);
    __builtin_free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score_evaluate_survives_every_failed_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
