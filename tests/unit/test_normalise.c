/* test_normalise.c - each tolerated OCDS quirk fixed in place with its note, on inline
 * releases and on real Moldova, Colombia and Montréal releases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ocds/normalise.h"
#include "ocds/reader.h"

static json_value *J(const char *text)
{
    json_value *v = NULL;
    err_t e;

    if (json_parse(&v, text, strlen(text), &e) != 0)
        fail_msg("bad test JSON: %s", e.msg);
    return v;
}

static char *canon(const json_value *v)
{
    buf_t b;

    buf_init(&b, 1u << 22);
    assert_int_equal(json_write_canonical(&b, v), 0);
    return buf_take(&b);
}

static const model_note *find_note(const model_note *n, size_t k, const char *code, const char *field)
{
    for (size_t i = 0; i < k; i++)
        if (strcmp(n[i].code, code) == 0 && (!field || strcmp(n[i].field, field) == 0))
            return &n[i];
    return NULL;
}

static size_t count_code(const model_note *n, size_t k, const char *code)
{
    size_t c = 0;
    for (size_t i = 0; i < k; i++)
        c += strcmp(n[i].code, code) == 0;
    return c;
}

static void test_each_quirk(void **state)
{
    (void)state;
    json_value *r = J("{\"ocid\":\"o\",\"id\":17,\"tag\":\"award\","
                      "\"tender\":{\"value\":{\"amount\":\"123.5\",\"currency\":\"eur\"},"
                      "\"minValue\":{\"amount\":\"\",\"currency\":\"\"},\"maxValue\":{\"amount\":null},"
                      "\"items\":[{\"id\":1,\"quantity\":\" 4 \"},{\"id\":2,\"quantity\":\"x\"}],"
                      "\"date\":\"2020-01-01\"},"
                      "\"awards\":[{\"id\":5,\"relatedLots\":[1,\"2\"],\"suppliers\":[{\"id\":99}],"
                      "\"value\":{\"amount\":\"1.234,50\",\"currency\":\"Mdl\"}}],"
                      "\"contracts\":[{\"id\":\"c\",\"awardID\":5,\"value\":{\"amount\":\".5\"}}]}");
    model_note *notes = NULL;
    size_t n = 0;
    err_t e;
    char *s;

    assert_int_equal(ocds_normalise(r, &notes, &n, &e), 0);
    s = canon(r);
    /* amounts: "123.5" -> 123.5; "" and null removed; " 4 " -> 4; ".5" -> 0.5;
     * "1.234,50" and "x" left as they are; ids -> strings; tag -> ["award"];
     * currencies: eur -> EUR, Mdl -> MDL, "" removed; dates untouched. */
    assert_string_equal(s,
                        "{\"awards\":[{\"id\":\"5\",\"relatedLots\":[\"1\",\"2\"],\"suppliers\":[{\"id\":\"99\"}],"
                        "\"value\":{\"amount\":\"1.234,50\",\"currency\":\"MDL\"}}],"
                        "\"contracts\":[{\"awardID\":\"5\",\"id\":\"c\",\"value\":{\"amount\":0.5}}],"
                        "\"id\":\"17\",\"ocid\":\"o\",\"tag\":[\"award\"],"
                        "\"tender\":{\"date\":\"2020-01-01\",\"items\":[{\"id\":\"1\",\"quantity\":4},{\"id\":\"2\",\"quantity\":\"x\"}],"
                        "\"maxValue\":{},\"minValue\":{},\"value\":{\"amount\":123.5,\"currency\":\"EUR\"}}}");
    free(s);
    /* Notes, grouped by code and field pattern. */
    assert_non_null(find_note(notes, n, "id_as_number", "id"));
    assert_non_null(find_note(notes, n, "tag_as_string", "tag"));
    assert_non_null(find_note(notes, n, "number_as_string", "tender.value.amount"));
    assert_non_null(find_note(notes, n, "number_as_string", "tender.items[].quantity"));
    assert_non_null(find_note(notes, n, "number_as_string", "contracts[].value.amount"));
    assert_non_null(find_note(notes, n, "amount_empty", "tender.minValue.amount"));
    assert_non_null(find_note(notes, n, "amount_empty", "tender.maxValue.amount"));
    assert_non_null(find_note(notes, n, "number_unreadable", "awards[].value.amount"));
    assert_non_null(find_note(notes, n, "number_unreadable", "tender.items[].quantity"));
    assert_non_null(find_note(notes, n, "currency_case", "tender.value.currency"));
    assert_non_null(find_note(notes, n, "currency_case", "awards[].value.currency"));
    assert_non_null(find_note(notes, n, "currency_empty", "tender.minValue.currency"));
    assert_non_null(find_note(notes, n, "id_as_number", "awards[].relatedLots[]"));
    assert_non_null(find_note(notes, n, "id_as_number", "awards[].suppliers[].id"));
    assert_non_null(find_note(notes, n, "id_as_number", "contracts[].awardID"));
    /* items[0].id and items[1].id: one grouped note with the count 2 */
    const model_note *g = find_note(notes, n, "id_as_number", "tender.items[].id");
    assert_non_null(g);
    if (!strstr(g->message, "2 fields") || !strstr(g->message, "tender.items[0].id = 1"))
        fail_msg("message: %s", g->message);
    g = find_note(notes, n, "number_as_string", "tender.value.amount");
    if (!strstr(g->message, "tender.value.amount") || !strstr(g->message, "\"123.5\""))
        fail_msg("message: %s", g->message);
    /* The groups: id_as_number 6 (id, tender.items[].id, awards[].id,
     * awards[].relatedLots[], awards[].suppliers[].id, contracts[].awardID), tag 1,
     * number_as_string 3, amount_empty 2, number_unreadable 2, currency_case 2,
     * currency_empty 1 = 17. */
    assert_int_equal(count_code(notes, n, "id_as_number"), 6);
    assert_int_equal(n, 17);
    model_notes_free(notes, n);
    json_free(r);
}

static void test_clean_release_untouched(void **state)
{
    (void)state;
    const char *text = "{\"ocid\":\"o\",\"id\":\"1\",\"tag\":[\"tender\"],\"tender\":{\"value\":{\"amount\":10,\"currency\":\"EUR\"}}}";
    json_value *r = J(text), *copy = J(text);
    model_note *notes = NULL;
    size_t n = 0;
    err_t e;
    assert_int_equal(ocds_normalise(r, &notes, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_null(notes);
    assert_true(json_equal(r, copy));
    json_free(r);
    json_free(copy);
    /* not an object */
    r = J("[1]");
    assert_int_equal(ocds_normalise(r, &notes, &n, &e), ERR_BAD_INPUT);
    json_free(r);
}

/* ------------------------------------------------------------------ real files */

typedef struct {
    json_value *rel;
} one;

static int take_first(void *ctx, ocds_item *it)
{
    one *o = ctx;
    if (!o->rel && it->release) {
        o->rel = it->release;
        it->release = NULL;
    }
    return 0;
}

static json_value *read_real(const char *rel)
{
    const char *root = getenv("PROCAUDIT_SHARED");
    char path[1024];
    one o = {NULL};
    err_t e;
    FILE *f;

    if (!root)
        return NULL;
    snprintf(path, sizeof(path), "%s/data/ocds/%s", root, rel);
    if (!(f = fopen(path, "rb")))
        return NULL;
    fclose(f);
    assert_int_equal(ocds_read_file(path, take_first, &o, NULL, &e), 0);
    return o.rel;
}

static void test_real_moldova(void **state)
{
    (void)state;
    /* moldova-ppa/releases/ocds-ngfbwp-16949496-16949496.json:
     *   jq '[paths(. == "") ...]' -> tender.value.amount, awards.0.items.0.quantity,
     *     awards.0.items.0.unit.value.amount ("" amounts), tender.value.currency and
     *     awards.0.items.0.unit.value.currency ("" currencies);
     *   jq '[paths(. == "mdl") ...]' -> awards.0.value.currency, contracts.0.value.currency;
     *   numbers: awards.0.items.0.id is a number. */
    json_value *r = read_real("moldova-ppa/releases/ocds-ngfbwp-16949496-16949496.json");
    model_note *notes = NULL;
    size_t n = 0;
    err_t e;
    if (!r)
        skip();
    assert_int_equal(ocds_normalise(r, &notes, &n, &e), 0);
    assert_null(json_path(r, "tender.value.amount"));
    assert_null(json_path(r, "tender.value.currency"));
    assert_string_equal(json_get_str(json_path(json_at(json_get(r, "awards"), 0), "value"), "currency"), "MDL");
    assert_string_equal(json_get_str(json_at(json_get(json_at(json_get(r, "awards"), 0), "items"), 0), "id"),
                        "51765"); /* jq ".awards[0].items[0].id" -> 51765 (a number) */
    assert_int_equal(count_code(notes, n, "amount_empty"), 3);
    assert_int_equal(count_code(notes, n, "currency_empty"), 2);
    assert_int_equal(count_code(notes, n, "currency_case"), 2);
    assert_int_equal(count_code(notes, n, "id_as_number"), 1);
    model_notes_free(notes, n);
    json_free(r);
}

static void test_real_colombia_ids(void **state)
{
    (void)state;
    /* jq '[paths(type=="number")]' -> tender.items.0.id, awards.0.id, awards.0.items.0.id,
     * contracts.0.items.0.id (+ 3 numeric amounts, already numbers): 4 id groups. */
    json_value *r = read_real("colombia-colombiacompra/releases/ocds-k50g02-11-11-452228-59adb46f998eb5950cf4516b.json");
    model_note *notes = NULL;
    size_t n = 0;
    err_t e;
    if (!r)
        skip();
    assert_int_equal(ocds_normalise(r, &notes, &n, &e), 0);
    assert_int_equal(count_code(notes, n, "id_as_number"), 4);
    assert_non_null(find_note(notes, n, "id_as_number", "awards[].id"));
    assert_int_equal(json_at(json_get(r, "awards"), 0)->type, JSON_OBJECT);
    assert_int_equal(json_get(json_at(json_get(r, "awards"), 0), "id")->type, JSON_STRING);
    model_notes_free(notes, n);
    json_free(r);
}

static void test_real_montreal_tag(void **state)
{
    (void)state;
    json_value *r = read_real("canada-montreal/releases/ocds-a1234567-mt-063635891f001755a1637786dd047485f3dcfaf6-"
                              "063635891f001755a1637786dd047485f3dcfaf6.json");
    model_note *notes = NULL;
    size_t n = 0;
    err_t e;
    if (!r)
        skip();
    assert_int_equal(ocds_normalise(r, &notes, &n, &e), 0);
    const json_value *tag = json_get(r, "tag");
    assert_int_equal(tag->type, JSON_ARRAY);
    assert_int_equal(json_len(tag), 1);
    assert_string_equal(json_str(json_at(tag, 0)), "award");
    assert_non_null(find_note(notes, n, "tag_as_string", "tag"));
    model_notes_free(notes, n);
    json_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_quirk),
        cmocka_unit_test(test_clean_release_untouched),
        cmocka_unit_test(test_real_moldova),
        cmocka_unit_test(test_real_colombia_ids),
        cmocka_unit_test(test_real_montreal_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
