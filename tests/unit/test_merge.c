/* test_merge.c - the OCDS merge routine (compiled release) and versioned-release
 * reduction: hand-computed expectations, and real ocdskit data (releases -> the published
 * compiled release). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ocds/merge.h"
#include "ocds/reader.h"

static json_value *J(const char *text)
{
    json_value *v = NULL;
    err_t e;

    if (json_parse(&v, text, strlen(text), &e) != 0)
        fail_msg("bad test JSON: %s", e.msg);
    return v;
}

static void assert_json_equal(const json_value *got, const char *expected_text)
{
    json_value *want = J(expected_text);

    if (!json_equal(got, want)) {
        buf_t a, b;
        buf_init(&a, 1u << 22);
        buf_init(&b, 1u << 22);
        assert_int_equal(json_write_canonical(&a, got), 0);
        assert_int_equal(json_write_canonical(&b, want), 0);
        fail_msg("got\n%s\nwant\n%s", buf_cstr(&a), buf_cstr(&b));
    }
    json_free(want);
}

/* Four releases of one ocid, given out of order: R3 (March), R1 (January), R4 (March,
 * same date as R3, later in the input), R2 (February). Merge order: R1, R2, R3, R4.
 *  - tender.title: "Old" (R1) -> "New" (R3)                                field override
 *  - tender.status: "active" (R1) -> null (R3)                             removed
 *  - tender.value.amount: 100 (R1) -> 120 (R2); currency EUR kept (R1)     objects merged
 *  - tender.items by id: i1 {desk, 2} + {quantity 3} -> {desk, 3}; i2 added
 *  - tender.extras (objects without ids): [a, b] (R1) -> [c] (R2)          replaced
 *  - tender.submissionMethod (strings): [electronic] (R2) -> [written] (R4, same date as
 *    R3 but later in input, so it wins)                                    replaced
 *  - awards by id: a1 pending (R2) -> active (R3), suppliers from R2, value from R3,
 *    description null in R2 never added; a2 pending (R3) -> active (R4)
 *  - parties by id: b (R1) + s (R3)
 *  - compiled: tag ["compiled"], date = latest = 2020-03-01T00:00:00Z,
 *    id = "ocds-x-1-2020-03-01T00:00:00Z"; release id/date/tag dropped. */
static void test_merge_four_releases(void **state)
{
    (void)state;
    json_value *r1 = J("{\"ocid\":\"ocds-x-1\",\"id\":\"1\",\"date\":\"2020-01-01T00:00:00Z\",\"tag\":[\"tender\"],"
                       "\"buyer\":{\"id\":\"b\",\"name\":\"Buyer\"},"
                       "\"parties\":[{\"id\":\"b\",\"name\":\"Buyer\",\"roles\":[\"buyer\"]}],"
                       "\"tender\":{\"id\":\"t1\",\"title\":\"Old\",\"status\":\"active\","
                       "\"value\":{\"amount\":100,\"currency\":\"EUR\"},"
                       "\"items\":[{\"id\":\"i1\",\"description\":\"desk\",\"quantity\":2}],"
                       "\"extras\":[{\"k\":\"a\"},{\"k\":\"b\"}]}}");
    json_value *r2 = J("{\"ocid\":\"ocds-x-1\",\"id\":\"2\",\"date\":\"2020-02-01T00:00:00Z\",\"tag\":[\"award\"],"
                       "\"awards\":[{\"id\":\"a1\",\"status\":\"pending\",\"description\":null,"
                       "\"suppliers\":[{\"id\":\"s\",\"name\":\"S\"}]}],"
                       "\"tender\":{\"value\":{\"amount\":120},"
                       "\"items\":[{\"id\":\"i1\",\"quantity\":3},{\"id\":\"i2\",\"description\":\"chair\"}],"
                       "\"extras\":[{\"k\":\"c\"}],\"submissionMethod\":[\"electronicSubmission\"]}}");
    json_value *r3 = J("{\"ocid\":\"ocds-x-1\",\"id\":\"3\",\"date\":\"2020-03-01T00:00:00Z\",\"tag\":[\"award\"],"
                       "\"awards\":[{\"id\":\"a1\",\"status\":\"active\",\"value\":{\"amount\":90}},"
                       "{\"id\":\"a2\",\"status\":\"pending\"}],"
                       "\"tender\":{\"status\":null,\"title\":\"New\"},"
                       "\"parties\":[{\"id\":\"s\",\"name\":\"Supplier\",\"roles\":[\"supplier\"]}]}");
    json_value *r4 = J("{\"ocid\":\"ocds-x-1\",\"id\":\"4\",\"date\":\"2020-03-01T00:00:00Z\",\"tag\":[\"awardUpdate\"],"
                       "\"awards\":[{\"id\":\"a2\",\"status\":\"active\"}],"
                       "\"tender\":{\"submissionMethod\":[\"written\"]}}");
    json_value *in[4] = {r3, r1, r4, r2};
    json_value *out = NULL;
    err_t e;

    assert_int_equal(ocds_merge(&out, in, 4, &e), 0);
    assert_json_equal(out,
                      "{\"tag\":[\"compiled\"],\"id\":\"ocds-x-1-2020-03-01T00:00:00Z\",\"date\":\"2020-03-01T00:00:00Z\","
                      "\"ocid\":\"ocds-x-1\",\"buyer\":{\"id\":\"b\",\"name\":\"Buyer\"},"
                      "\"parties\":[{\"id\":\"b\",\"name\":\"Buyer\",\"roles\":[\"buyer\"]},"
                      "{\"id\":\"s\",\"name\":\"Supplier\",\"roles\":[\"supplier\"]}],"
                      "\"tender\":{\"id\":\"t1\",\"title\":\"New\",\"value\":{\"amount\":120,\"currency\":\"EUR\"},"
                      "\"items\":[{\"id\":\"i1\",\"description\":\"desk\",\"quantity\":3},{\"id\":\"i2\",\"description\":\"chair\"}],"
                      "\"extras\":[{\"k\":\"c\"}],\"submissionMethod\":[\"written\"]},"
                      "\"awards\":[{\"id\":\"a1\",\"status\":\"active\",\"suppliers\":[{\"id\":\"s\",\"name\":\"S\"}],"
                      "\"value\":{\"amount\":90}},{\"id\":\"a2\",\"status\":\"active\"}]}");
    /* The compiled release's metadata comes first. */
    assert_string_equal(out->u.object.keys[0], "tag");
    assert_string_equal(out->u.object.keys[1], "id");
    assert_string_equal(out->u.object.keys[2], "date");
    /* The inputs are not modified. */
    assert_string_equal(json_get_str(json_get(r1, "tender"), "status"), "active");
    json_free(out);
    json_free(r1);
    json_free(r2);
    json_free(r3);
    json_free(r4);
}

static void test_merge_orders_by_instant_not_text(void **state)
{
    (void)state;
    /* 10:00+02:00 is 08:00Z, earlier than 09:00Z although its text sorts later: the
     * 09:00Z release is applied last and its title wins. */
    json_value *a = J("{\"ocid\":\"o\",\"date\":\"2020-01-01T09:00:00Z\",\"tender\":{\"title\":\"later\"}}");
    json_value *b = J("{\"ocid\":\"o\",\"date\":\"2020-01-01T10:00:00+02:00\",\"tender\":{\"title\":\"earlier\"}}");
    json_value *in[2] = {a, b};
    json_value *out = NULL;
    err_t e;
    assert_int_equal(ocds_merge(&out, in, 2, &e), 0);
    assert_string_equal(json_get_str(json_get(out, "tender"), "title"), "later");
    assert_string_equal(json_get_str(out, "date"), "2020-01-01T09:00:00Z");
    json_free(out);
    json_free(a);
    json_free(b);
}

static void test_merge_edge_cases(void **state)
{
    (void)state;
    json_value *out = NULL;
    err_t e;
    /* No dates: input order; id is the ocid alone, no date. */
    json_value *a = J("{\"ocid\":\"o\",\"x\":1,\"arr\":[{\"id\":1,\"v\":\"a\"}]}");
    json_value *b = J("{\"ocid\":\"o\",\"x\":2,\"arr\":[{\"id\":\"1\",\"w\":\"b\"}],\"y\":null}");
    json_value *in[2] = {a, b};
    assert_int_equal(ocds_merge(&out, in, 2, &e), 0);
    /* ids 1 and "1" are the same id (ids as numbers are tolerated) */
    assert_json_equal(out, "{\"tag\":[\"compiled\"],\"id\":\"o\",\"ocid\":\"o\",\"x\":2,"
                           "\"arr\":[{\"id\":\"1\",\"v\":\"a\",\"w\":\"b\"}]}"); /* the later id text wins, as any literal */
    json_free(out);
    json_free(a);
    json_free(b);
    /* An empty array in a later release leaves an id-merged array alone, but replaces a
     * literal array. */
    a = J("{\"ocid\":\"o\",\"date\":\"2020-01-01\",\"awards\":[{\"id\":\"a\"}],\"tags\":[\"x\"]}");
    b = J("{\"ocid\":\"o\",\"date\":\"2020-01-02\",\"awards\":[],\"tags\":[]}");
    in[0] = a;
    in[1] = b;
    assert_int_equal(ocds_merge(&out, in, 2, &e), 0);
    assert_json_equal(out, "{\"tag\":[\"compiled\"],\"id\":\"o-2020-01-02\",\"date\":\"2020-01-02\",\"ocid\":\"o\","
                           "\"awards\":[{\"id\":\"a\"}],\"tags\":[]}");
    json_free(out);
    json_free(a);
    json_free(b);
    /* Errors */
    assert_int_equal(ocds_merge(&out, in, 0, &e), ERR_BAD_INPUT);
    json_value *s = J("[1]");
    in[0] = s;
    assert_int_equal(ocds_merge(&out, in, 1, &e), ERR_BAD_INPUT);
    assert_null(out);
    json_free(s);
}

static void test_merge_duplicate_ids_and_empty_object(void **state)
{
    (void)state;
    json_value *out = NULL;
    err_t e;
    /* Two objects with the same id in one release are merged into one, the later field
     * values winning ({id 1, key first} then {id 1, key second} -> {id 1, key second});
     * an empty object in a later release changes nothing (planning.rationale stays). */
    json_value *a = J("{\"ocid\":\"d\",\"date\":\"2000-01-01T00:00:00Z\",\"planning\":{\"rationale\":\"reason\"},"
                      "\"awards\":[{\"id\":1,\"key\":\"first\",\"x\":1},{\"id\":1,\"key\":\"second\"}]}");
    json_value *b = J("{\"ocid\":\"d\",\"date\":\"2000-01-02T00:00:00Z\",\"planning\":{}}");
    json_value *in[2] = {a, b};
    assert_int_equal(ocds_merge(&out, in, 2, &e), 0);
    assert_json_equal(out, "{\"tag\":[\"compiled\"],\"id\":\"d-2000-01-02T00:00:00Z\",\"date\":\"2000-01-02T00:00:00Z\","
                           "\"ocid\":\"d\",\"planning\":{\"rationale\":\"reason\"},"
                           "\"awards\":[{\"id\":1,\"key\":\"second\",\"x\":1}]}");
    json_free(out);
    json_free(a);
    json_free(b);
}

static void test_merge_many_ids_uses_hash(void **state)
{
    (void)state;
    /* 200 items in release 1, the same 200 ids + 1 new in release 2: 201 items, each
     * with both fields. */
    buf_t b1, b2;
    json_value *r1, *r2, *out = NULL;
    err_t e;
    buf_init(&b1, 1u << 20);
    buf_init(&b2, 1u << 20);
    assert_int_equal(buf_puts(&b1, "{\"ocid\":\"h\",\"date\":\"2020-01-01\",\"items\":["), 0);
    assert_int_equal(buf_puts(&b2, "{\"ocid\":\"h\",\"date\":\"2020-01-02\",\"items\":["), 0);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(buf_printf(&b1, "%s{\"id\":\"%d\",\"a\":%d}", i ? "," : "", i, i), 0);
        assert_int_equal(buf_printf(&b2, "{\"id\":\"%d\",\"b\":%d},", 199 - i, i), 0);
    }
    assert_int_equal(buf_puts(&b1, "]}"), 0);
    assert_int_equal(buf_puts(&b2, "{\"id\":\"new\"}]}"), 0);
    r1 = J(buf_cstr(&b1));
    r2 = J(buf_cstr(&b2));
    json_value *in[2] = {r1, r2};
    assert_int_equal(ocds_merge(&out, in, 2, &e), 0);
    const json_value *items = json_get(out, "items");
    assert_int_equal(json_len(items), 201);
    /* item "7" (position 7): a = 7, b = 199 - 7 = 192 */
    double d;
    assert_string_equal(json_get_str(json_at(items, 7), "id"), "7");
    assert_int_equal(json_number(json_get(json_at(items, 7), "a"), 0, &d), 0);
    assert_true(d == 7.0);
    assert_int_equal(json_number(json_get(json_at(items, 7), "b"), 0, &d), 0);
    assert_true(d == 192.0);
    assert_string_equal(json_get_str(json_at(items, 200), "id"), "new");
    json_free(out);
    json_free(r1);
    json_free(r2);
    buf_dispose(&b1);
    buf_dispose(&b2);
}

static void test_versioned_to_compiled(void **state)
{
    (void)state;
    json_value *v = J("{\"ocid\":\"V\",\"tender\":{\"id\":\"t\",\"value\":{\"amount\":[{\"releaseID\":\"1\","
                      "\"releaseDate\":\"2020-01-01T00:00:00Z\",\"releaseTag\":[\"tender\"],\"value\":1000},"
                      "{\"releaseID\":\"3\",\"releaseDate\":\"2020-02-05T00:00:00Z\",\"releaseTag\":[\"tenderAmendment\"],"
                      "\"value\":2000}]},\"submissionMethod\":[{\"releaseID\":\"1\",\"releaseDate\":\"2020-01-01T00:00:00Z\","
                      "\"releaseTag\":[\"tender\"],\"value\":[\"written\"]}]}}");
    json_value *out = NULL;
    err_t e;
    assert_true(ocds_is_versioned(v));
    assert_int_equal(ocds_versioned_to_compiled(&out, v, &e), 0);
    /* current values: amount 2000 (last), submissionMethod ["written"], latest date 2020-02-05 */
    assert_json_equal(out, "{\"tag\":[\"compiled\"],\"id\":\"V-2020-02-05T00:00:00Z\",\"date\":\"2020-02-05T00:00:00Z\","
                           "\"ocid\":\"V\",\"tender\":{\"id\":\"t\",\"value\":{\"amount\":2000},"
                           "\"submissionMethod\":[\"written\"]}}");
    json_free(out);
    json_free(v);
    v = J("{\"ocid\":\"V\",\"tender\":{\"title\":\"plain\"}}");
    assert_false(ocds_is_versioned(v));
    json_free(v);
}

/* ------------------------------------------------------------------ real data */

typedef struct {
    json_value *items[16];
    size_t n;
} keep;

static int keep_items(void *ctx, ocds_item *it)
{
    keep *k = ctx;
    if (k->n < 16 && it->release) {
        k->items[k->n++] = it->release;
        it->release = NULL;
    }
    return 0;
}

static int read_all(const char *rel, keep *k)
{
    const char *root = getenv("PROCAUDIT_SHARED");
    char path[1024];
    err_t e;

    if (!root)
        return -1;
    snprintf(path, sizeof(path), "%s/data/ocds/%s", root, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fclose(f);
    memset(k, 0, sizeof(*k));
    assert_int_equal(ocds_read_file(path, keep_items, k, NULL, &e), 0);
    return 0;
}

static void keep_free(keep *k)
{
    for (size_t i = 0; i < k->n; i++)
        json_free(k->items[i]);
}

static void test_real_releases_merge_to_published_compiled(void **state)
{
    keep rel, comp, ver;
    json_value *out = NULL, *out2 = NULL;
    err_t e;
    (void)state;
    /* ocdskit-realdata: release-package-1.json holds the 2 releases (01 of 2015-12-22,
     * 02 of 2017-06-05) of OCDS-87SD3T-AD-SF-DRM-063-2015; compiled-release-1.json is the
     * compiled release OCP's ocdskit made from them, versioned-release-1.json the
     * versioned one. Our merge must give the same content. */
    if (read_all("ocdskit-realdata/release-package-1.json", &rel) != 0)
        skip();
    assert_int_equal(read_all("ocdskit-realdata/compiled-release-1.json", &comp), 0);
    assert_int_equal(read_all("ocdskit-realdata/versioned-release-1.json", &ver), 0);
    assert_int_equal(rel.n, 2);
    assert_int_equal(comp.n, 1);
    assert_int_equal(ver.n, 1);
    assert_int_equal(ocds_merge(&out, rel.items, rel.n, &e), 0);
    if (!json_equal(out, comp.items[0])) {
        buf_t a;
        buf_init(&a, 1u << 22);
        assert_int_equal(json_write_canonical(&a, out), 0);
        fail_msg("merged: %s", buf_cstr(&a));
    }
    /* The reader already reduced the versioned release; it equals the compiled one except
     * for date and id: release 02 changed no value, so no history entry carries its date
     * and the latest releaseDate in the versioned release is 2015-12-22T00:00:00-06:00
     * (grep -o '"releaseDate":"[^"]*"' versioned-release-1.json | sort -u). */
    out2 = ver.items[0];
    assert_string_equal(json_get_str(out2, "date"), "2015-12-22T00:00:00-06:00");
    assert_string_equal(json_get_str(out2, "id"), "OCDS-87SD3T-AD-SF-DRM-063-2015-2015-12-22T00:00:00-06:00");
    json_object_remove(out2, "date");
    json_object_remove(out2, "id");
    json_object_remove(comp.items[0], "date");
    json_object_remove(comp.items[0], "id");
    assert_true(json_equal(out2, comp.items[0]));
    json_free(out);
    keep_free(&rel);
    keep_free(&comp);
    keep_free(&ver);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_four_releases),
        cmocka_unit_test(test_merge_orders_by_instant_not_text),
        cmocka_unit_test(test_merge_edge_cases),
        cmocka_unit_test(test_merge_duplicate_ids_and_empty_object),
        cmocka_unit_test(test_merge_many_ids_uses_hash),
        cmocka_unit_test(test_versioned_to_compiled),
        cmocka_unit_test(test_real_releases_merge_to_published_compiled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
