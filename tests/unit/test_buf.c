/* test_buf.c - the bounded buffer: growth, the maximum, and take. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"

static void test_buf_appends_and_formats(void **state)
{
    buf_t b;
    (void)state;
    buf_init(&b, 100);
    assert_int_equal(buf_puts(&b, "R0"), 0);
    assert_int_equal(buf_printf(&b, "%02d:%s", 3, "x"), 0);
    assert_string_equal(buf_cstr(&b), "R003:x");
    assert_int_equal(b.len, 6);
    buf_dispose(&b);
}

static void test_buf_refuses_past_maximum_and_empties(void **state)
{
    buf_t b;
    (void)state;
    buf_init(&b, 8);
    assert_int_equal(buf_puts(&b, "12345678"), 0);
    assert_int_equal(buf_putc(&b, '9'), ERR_LIMIT);
    assert_int_equal(b.len, 0);
    assert_null(b.data);
    buf_dispose(&b);
}

static void test_buf_take_hands_over_and_resets(void **state)
{
    buf_t b;
    char *s;
    (void)state;
    buf_init(&b, 64);
    s = buf_take(&b);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(buf_puts(&b, "ocds-abc"), 0);
    s = buf_take(&b);
    assert_string_equal(s, "ocds-abc");
    assert_int_equal(b.len, 0);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_appends_and_formats),
        cmocka_unit_test(test_buf_refuses_past_maximum_and_empties),
        cmocka_unit_test(test_buf_take_hands_over_and_resets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
