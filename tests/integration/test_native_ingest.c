/* test_native_ingest.c - the native XML samples ingested into a fresh PostgreSQL database:
 * row counts per table counted by hand from the three sample files, values read back,
 * a re-ingest that changes nothing, and a file with one invalid procurement that goes
 * in partly (the invalid one in rejected_records). */
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
#include "pgtest.h"
#include "store/store.h"

#define DB "pa_test_native_ingest"

static store *st;

static int setup(void **state)
{
    (void)state;
    if (getenv("PGHOST") == NULL && getenv("PGDATABASE") == NULL)
        return 0; /* no cluster: each test skips */
    return pgtest_fresh(&st, DB);
}

static int teardown(void **state)
{
    (void)state;
    if (st)
        store_close(st);
    st = NULL;
    return 0;
}

static void ingest_sample(const char *name, ingest_stats *s)
{
    char path[4096];
    err_t e;

    assert_true(snprintf(path, sizeof path, "%s/samples/native/%s", pgtest_root(), name) <
                (int)sizeof path);
    memset(s, 0, sizeof *s);
    err_clear(&e);
    if (ingest_file(st, path, s, &e) != 0)
        fail_msg("%s: %s", path, e.msg);
}

static void test_native_samples_into_tables(void **state)
{
    ingest_stats s;
    (void)state;

    if (!st)
        skip();
    ingest_sample("home-care-older-people.xml", &s);
    assert_string_equal(s.format, "native");
    assert_int_equal(s.releases_new, 1);
    assert_int_equal(s.rejected, 0);
    ingest_sample("youth-employment-training.xml", &s);
    assert_int_equal(s.releases_new, 2);
    assert_int_equal(s.procurements, 2);
    ingest_sample("community-social-work-zh.xml", &s);
    assert_int_equal(s.releases_new, 1);

    /* Counted by hand from the samples (home care / youth programme / youth evaluation /
     * community social work). */
    assert_int_equal(pgtest_count(st, "releases"), 4);
    assert_int_equal(pgtest_count(st, "procurements"), 4);
    /* parties: 1+3+2 / 1+3+2 / 1+1 / 1+3+2 (buyer, providers, evaluators) = 20 */
    assert_int_equal(pgtest_count(st, "parties"), 20);
    /* items: 2 deliverables / 2 / 1 service item / 4 = 9; lots: 0 / 2 / 0 / 0 */
    assert_int_equal(pgtest_count(st, "items"), 9);
    assert_int_equal(pgtest_count(st, "lots"), 2);
    /* bids 3 / 4 / 0 / 3; awards 1 / 2 / 1 / 1; contracts 1 / 2 / 1 / 1 */
    assert_int_equal(pgtest_count(st, "bids"), 10);
    assert_int_equal(pgtest_count(st, "awards"), 5);
    assert_int_equal(pgtest_count(st, "award_suppliers"), 5);
    assert_int_equal(pgtest_count(st, "contracts"), 5);
    assert_int_equal(pgtest_count(st, "amendments"), 1);
    /* payments 3 / 3 + 1 / 0 / 2 */
    assert_int_equal(pgtest_count(st, "transactions"), 9);
    assert_int_equal(pgtest_count(st, "rejected_records"), 0);

    assert_int_equal(pgtest_long(st, "SELECT tender_value FROM procurements WHERE ocid = $1",
                                 "ocds-procaudit-native-RCC-ASC-2024-017"),
                     1300000);
    assert_int_equal(pgtest_long(st, "SELECT number_of_tenderers FROM procurements WHERE ocid = $1",
                                 "ocds-procaudit-native-NREO-2023-041"),
                     3);
    assert_int_equal(pgtest_long(st,
                                 "SELECT count(*) FROM procurements WHERE source_format = $1",
                                 "native"),
                     4);
    /* 129600 + 129600 + 144576 = 403776 paid on lot 1; + 89550 on lot 2 = 493326. */
    assert_int_equal(pgtest_long(st,
                                 "SELECT sum(t.value)::bigint FROM transactions t "
                                 "WHERE t.ocid = $1",
                                 "ocds-procaudit-native-NREO-2023-041"),
                     493326);

    /* The same bytes again: nothing changes. */
    ingest_sample("home-care-older-people.xml", &s);
    assert_int_equal(s.duplicate_file, 1);
    assert_int_equal(pgtest_count(st, "releases"), 4);
}

static void test_native_invalid_procurement_goes_to_rejected_records(void **state)
{
    static const char xml[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<procurements xmlns=\"urn:procaudit:native:1\">\n"
        "<procurement id=\"BAD\" date=\"2024-01-01\"><buyer id=\"B\"><name>T</name></buyer>\n"
        "<procedure><method>sometimes</method></procedure><service><title>x</title></service>\n"
        "</procurement>\n"
        "<procurement id=\"OK\" date=\"2024-01-01\"><buyer id=\"B\"><name>T</name></buyer>\n"
        "<procedure><method>direct</method></procedure><service><title>x</title></service>\n"
        "</procurement>\n"
        "</procurements>\n";
    char path[64] = "/tmp/pa_native_ingest_XXXXXX";
    ingest_stats s;
    err_t e;
    long before;
    int fd;
    (void)state;

    if (!st)
        skip();
    before = pgtest_count(st, "procurements");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, xml, sizeof xml - 1), (ssize_t)(sizeof xml - 1));
    close(fd);
    memset(&s, 0, sizeof s);
    err_clear(&e);
    assert_int_equal(ingest_file(st, path, &s, &e), 0);
    unlink(path);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(s.releases_new, 1);
    assert_int_equal(pgtest_count(st, "rejected_records"), 1);
    assert_int_equal(pgtest_count(st, "procurements"), before + 1);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM procurements WHERE ocid = $1",
                                 "ocds-procaudit-native-OK"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_samples_into_tables),
        cmocka_unit_test(test_native_invalid_procurement_goes_to_rejected_records),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
