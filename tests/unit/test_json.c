/* test_json.c - the JSON tree: parse, writers (compact, canonical), equality, clone,
 * accessors, the builder, UTF-8 checking and hostile inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json/json.h"

static json_value *parse_ok(const char *text)
{
    json_value *v = NULL;
    err_t e;

    err_clear(&e);
    assert_int_equal(json_parse(&v, text, strlen(text), &e), 0);
    assert_non_null(v);
    return v;
}

static char *write_str(const json_value *v, int canonical)
{
    buf_t b;

    buf_init(&b, 1u << 20);
    assert_int_equal(canonical ? json_write_canonical(&b, v) : json_write(&b, v), 0);
    return buf_take(&b);
}

static void test_roundtrip_keeps_order_and_number_text(void **state)
{
    (void)state;
    /* Key order and number text (1.50, 1e3, a 25-digit integer) come back as written. */
    const char *in = " { \"z\": 1.50, \"a\": [true, false, null, 1e3], \"m\": {\"k\": "
                     "\"x\\\"y\\n\\u00e9\"}, \"big\": 1234567890123456789012345 } ";
    json_value *v = parse_ok(in);
    char *out = write_str(v, 0);
    assert_string_equal(out, "{\"z\":1.50,\"a\":[true,false,null,1e3],\"m\":{\"k\":\"x\\\"y\\n\xc3\xa9\"},"
                             "\"big\":1234567890123456789012345}");
    free(out);
    out = write_str(v, 1);
    /* Canonical: keys sorted a < big < m < z; 1.50 stays (not integral), 1e3 -> 1000. */
    assert_string_equal(out, "{\"a\":[true,false,null,1000],\"big\":1234567890123456789012345,"
                             "\"m\":{\"k\":\"x\\\"y\\n\xc3\xa9\"},\"z\":1.50}");
    free(out);
    json_free(v);
}

static void test_duplicate_keys_keep_last(void **state)
{
    (void)state;
    json_value *v = parse_ok("{\"a\":1,\"b\":2,\"a\":3}");
    char *out = write_str(v, 0);
    /* "a" kept once, with the last value 3, in the position of its last occurrence. */
    assert_string_equal(out, "{\"b\":2,\"a\":3}");
    free(out);
    json_free(v);

    /* More than 16 keys takes the sorting path: k0..k19 then k5 again. */
    char text[512];
    size_t n = 0;
    n += (size_t)snprintf(text + n, sizeof(text) - n, "{");
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "\"k%d\":%d,", i, i);
    n += (size_t)snprintf(text + n, sizeof(text) - n, "\"k5\":99}");
    v = parse_ok(text);
    assert_int_equal(json_len(v), 20);
    double d = 0;
    assert_int_equal(json_number(json_get(v, "k5"), 0, &d), 0);
    assert_true(d == 99.0);
    json_free(v);
}

static void test_equal_and_clone(void **state)
{
    (void)state;
    json_value *a = parse_ok("{\"x\":[1,{\"p\":\"q\",\"r\":1.0}],\"y\":null}");
    json_value *b = parse_ok("{\"y\":null,\"x\":[1.0,{\"r\":1,\"p\":\"q\"}]}");
    json_value *c = parse_ok("{\"y\":null,\"x\":[{\"r\":1,\"p\":\"q\"},1]}");
    json_value *d = parse_ok("{\"y\":null,\"x\":[1,{\"r\":2,\"p\":\"q\"}]}");
    assert_true(json_equal(a, b));  /* key order ignored, 1 == 1.0 */
    assert_false(json_equal(a, c)); /* array order matters */
    assert_false(json_equal(a, d)); /* 1.0 != 2 */
    json_value *k = json_clone(a);
    assert_true(json_equal(a, k));
    char *s1 = write_str(a, 0), *s2 = write_str(k, 0);
    assert_string_equal(s1, s2);
    free(s1);
    free(s2);
    /* Canonical bytes equal for equal content. */
    s1 = write_str(a, 1);
    s2 = write_str(b, 1);
    assert_string_equal(s1, s2);
    free(s1);
    free(s2);
    json_free(a);
    json_free(b);
    json_free(c);
    json_free(d);
    json_free(k);
}

static void test_accessors(void **state)
{
    (void)state;
    json_value *v = parse_ok("{\"tender\":{\"tenderPeriod\":{\"startDate\":\"2020-01-02\"},"
                             "\"value\":{\"amount\":\"123.5\",\"bad\":\"12abc\",\"e\":\"\"}},"
                             "\"list\":[10,20],\"n\":-2.5e2}");
    double d = 0;
    assert_string_equal(json_str(json_path(v, "tender.tenderPeriod.startDate")), "2020-01-02");
    assert_null(json_path(v, "tender.tenderPeriod.endDate"));
    assert_null(json_path(v, "list.0"));
    assert_null(json_get_str(v, "list"));
    assert_int_equal(json_len(json_get(v, "list")), 2);
    assert_int_equal(json_number(json_at(json_get(v, "list"), 1), 0, &d), 0);
    assert_true(d == 20.0);
    assert_null(json_at(json_get(v, "list"), 2));
    assert_int_equal(json_number(json_get(v, "n"), 0, &d), 0);
    assert_true(d == -250.0); /* -2.5e2 = -250 */
    const json_value *val = json_path(v, "tender.value");
    assert_int_equal(json_number(json_get(val, "amount"), 0, &d), ERR_BAD_INPUT);
    assert_int_equal(json_number(json_get(val, "amount"), 1, &d), 0);
    assert_true(d == 123.5);
    assert_int_equal(json_number(json_get(val, "bad"), 1, &d), ERR_BAD_INPUT);
    assert_int_equal(json_number(json_get(val, "e"), 1, &d), ERR_NOT_FOUND);
    assert_int_equal(json_number(json_get(val, "absent"), 1, &d), ERR_NOT_FOUND);
    json_free(v);
}

static void test_mutators(void **state)
{
    (void)state;
    json_value *o = json_new_object();
    assert_int_equal(json_object_set(o, "a", json_new_number(1.5)), 0);
    assert_int_equal(json_object_set(o, "b", json_new_cstring("x")), 0);
    assert_int_equal(json_object_set(o, "a", json_new_number(3)), 0); /* replaces */
    json_value *arr = json_new_array();
    assert_int_equal(json_array_push(arr, json_new_bool(1)), 0);
    assert_int_equal(json_array_push(arr, json_new_null()), 0);
    assert_int_equal(json_object_set(o, "c", arr), 0);
    char *s = write_str(o, 0);
    assert_string_equal(s, "{\"a\":3,\"b\":\"x\",\"c\":[true,null]}");
    free(s);
    json_value *t = json_object_take(o, "b");
    assert_string_equal(json_str(t), "x");
    json_free(t);
    json_object_remove(o, "a");
    json_object_remove(o, "zz");
    s = write_str(o, 0);
    assert_string_equal(s, "{\"c\":[true,null]}");
    free(s);
    json_free(o);
    /* Numbers from doubles: shortest text that reads back. */
    json_value *n = json_new_number(0.1);
    assert_string_equal(n->u.number.text, "0.1");
    json_free(n);
    n = json_new_number(1e20);
    assert_string_equal(n->u.number.text, "1e+20");
    json_free(n);
    n = json_new_number(123456.0);
    assert_string_equal(n->u.number.text, "123456");
    json_free(n);
}

static void test_strings_with_nul_and_escapes(void **state)
{
    (void)state;
    json_value *v = parse_ok("[\"a\\u0000b\", \"\\u001f\\t\\/\"]");
    const json_value *s = json_at(v, 0);
    assert_int_equal(s->u.string.len, 3);
    assert_memory_equal(s->u.string.s, "a\0b", 3);
    char *out = write_str(v, 0);
    assert_string_equal(out, "[\"a\\u0000b\",\"\\u001f\\t/\"]");
    free(out);
    json_free(v);
}

static void expect_error(const char *text, size_t len, int code, const char *needle)
{
    json_value *v = NULL;
    err_t e;

    err_clear(&e);
    assert_int_equal(json_parse(&v, text, len, &e), code);
    assert_null(v);
    if (!strstr(e.msg, needle))
        fail_msg("message '%s' lacks '%s'", e.msg, needle);
}

static void test_errors_name_offset_and_line(void **state)
{
    (void)state;
    /* The bad token '}' after "a": is at byte 9 of line 2 ("{\n  \"a\": }"): 1+1+2+4+1 = 9. */
    expect_error("{\n  \"a\": }", 10, ERR_BAD_INPUT, "line 2");
    /* Latin-1 e-acute (0xE9) at byte 6 of "{\"a\":\"\xe9\"}". */
    expect_error("{\"a\":\"\xe9\"}", 10, ERR_BAD_INPUT, "invalid UTF-8 at byte 6");
    expect_error("{\"a\":1} x", 9, ERR_BAD_INPUT, "invalid JSON");
    expect_error("{\"a\":1", 6, ERR_BAD_INPUT, "invalid JSON");
    expect_error("", 0, ERR_BAD_INPUT, "");
    expect_error("[1,\0 2]", 7, ERR_BAD_INPUT, "invalid JSON");
}

static void test_depth_limit(void **state)
{
    (void)state;
    /* JSON_MAX_DEPTH (64) nested arrays parse; 65 do not; 10000 do not. */
    char *t = malloc(20001);
    for (int depth = 64; depth <= 65; depth++) {
        memset(t, '[', (size_t)depth);
        memset(t + depth, ']', (size_t)depth);
        json_value *v = NULL;
        err_t e;
        int rc = json_parse(&v, t, (size_t)depth * 2, &e);
        assert_int_equal(rc, depth == 64 ? 0 : ERR_LIMIT);
        json_free(v);
    }
    memset(t, '[', 10000);
    memset(t + 10000, ']', 10000);
    expect_error(t, 20000, ERR_LIMIT, "deeper than 64");
    free(t);
}

static void test_huge_numbers(void **state)
{
    (void)state;
    json_value *v = parse_ok("[1e999, -1e999, 123456789012345678901234567890]");
    double d;
    assert_int_equal(json_number(json_at(v, 0), 0, &d), ERR_BAD_INPUT); /* infinite */
    assert_int_equal(json_number(json_at(v, 1), 0, &d), ERR_BAD_INPUT);
    assert_int_equal(json_number(json_at(v, 2), 0, &d), 0);
    assert_true(d > 1.2e29 && d < 1.3e29);
    assert_string_equal(json_at(v, 0)->u.number.text, "1e999"); /* text kept */
    json_value *w = parse_ok("[2e999, -1e999, 123456789012345678901234567890.0]");
    assert_false(json_equal(json_at(v, 0), json_at(w, 0))); /* both infinite, texts differ */
    assert_true(json_equal(json_at(v, 1), json_at(w, 1)));  /* same text */
    assert_true(json_equal(json_at(v, 2), json_at(w, 2)));  /* same value */
    json_free(w);
    json_free(v);
}

static void test_utf8_prefix(void **state)
{
    (void)state;
    int tr;
    /* "ab" + e-acute (C3 A9) + "c": all valid, 5 bytes. */
    assert_int_equal(json_utf8_valid_prefix("ab\xc3\xa9"
                                            "c", 5, &tr), 5);
    assert_int_equal(tr, 0);
    /* Cut after C3: truncated at 2. */
    assert_int_equal(json_utf8_valid_prefix("ab\xc3", 3, &tr), 2);
    assert_int_equal(tr, 1);
    /* Overlong C0 80, surrogate ED A0 80, F5: invalid at 1. */
    assert_int_equal(json_utf8_valid_prefix("a\xc0\x80", 3, &tr), 1);
    assert_int_equal(tr, 0);
    assert_int_equal(json_utf8_valid_prefix("a\xed\xa0\x80", 4, &tr), 1);
    assert_int_equal(json_utf8_valid_prefix("a\xf5\x80\x80\x80", 5, &tr), 1);
    /* 4-byte U+1F600 (F0 9F 98 80) after 9 ASCII bytes (crosses the 8-byte fast path). */
    assert_int_equal(json_utf8_valid_prefix("123456789\xf0\x9f\x98\x80", 13, &tr), 13);
}

static void test_builder_rejects_misuse(void **state)
{
    (void)state;
    json_builder *b = json_builder_new(4);
    assert_int_equal(json_builder_key(b, "k", 1), ERR_BAD_INPUT); /* key outside object */
    assert_int_equal(json_builder_start_object(b), 0);
    assert_int_equal(json_builder_scalar(b, json_new_null()), ERR_BAD_INPUT); /* no key */
    assert_int_equal(json_builder_key(b, "k", 1), 0);
    assert_int_equal(json_builder_start_array(b), 0);
    assert_null(json_builder_take(b)); /* not finished */
    assert_int_equal(json_builder_end(b), 0);
    assert_int_equal(json_builder_end(b), 0);
    assert_int_equal(json_builder_end(b), ERR_BAD_INPUT);
    json_value *v = json_builder_take(b);
    char *s = write_str(v, 0);
    assert_string_equal(s, "{\"k\":[]}");
    free(s);
    json_free(v);
    /* Depth 4 allowed, 5 refused. */
    for (int i = 0; i < 4; i++)
        assert_int_equal(json_builder_start_array(b), 0);
    assert_int_equal(json_builder_start_array(b), ERR_LIMIT);
    json_builder_free(b); /* frees the partial tree */
}

static void test_nested_objects_grow_and_shrink(void **state)
{
    (void)state;
    /* The inner object's keys are packed into its block by the builder: adding 20 keys
     * (the block moves), taking and removing keys, and a duplicate in a nested object
     * must all keep the keys intact. */
    json_value *v = parse_ok("{\"outer\":{\"a\":1,\"bb\":2,\"a\":3,\"ccc\":{\"d\":4}}}");
    json_value *inner = v->u.object.values[0]; /* "outer", writable */
    char key[16];
    char *s = write_str(v, 0);
    assert_string_equal(s, "{\"outer\":{\"bb\":2,\"a\":3,\"ccc\":{\"d\":4}}}");
    free(s);
    for (int i = 0; i < 20; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(json_object_set(inner, key, json_new_number(i)), 0);
    }
    assert_int_equal(json_len(inner), 23);
    json_value *t = json_object_take(inner, "bb");
    assert_non_null(t);
    json_free(t);
    json_object_remove(inner, "k0");
    json_object_remove(inner, "ccc");
    assert_int_equal(json_len(inner), 20);
    assert_string_equal(inner->u.object.keys[0], "a");
    assert_string_equal(inner->u.object.keys[1], "k1");
    json_value *c = json_clone(v);
    assert_true(json_equal(c, v));
    json_free(c);
    json_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_keeps_order_and_number_text),
        cmocka_unit_test(test_duplicate_keys_keep_last),
        cmocka_unit_test(test_equal_and_clone),
        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_mutators),
        cmocka_unit_test(test_strings_with_nul_and_escapes),
        cmocka_unit_test(test_errors_name_offset_and_line),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_huge_numbers),
        cmocka_unit_test(test_utf8_prefix),
        cmocka_unit_test(test_builder_rejects_misuse),
        cmocka_unit_test(test_nested_objects_grow_and_shrink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
