/* test_file.c - file_read_all: whole reads, the size limit, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testfile.h"
#include "util/file.h"

static void test_file_reads_whole_files(void **state)
{
    /* exactly at the limit: 5 bytes (one a NUL) with limit 5; 0 bytes with limit 0 */
    static const struct {
        const char *bytes;
        size_t len, limit;
    } cases[] = {{"ab\0cd", 5, 5}, {"", 0, 0}};
    char path[64], *out;
    size_t i, len;
    err_t e;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        out = NULL;
        len = 99;
        testfile_temp(path, sizeof path, "/tmp/test_file_XXXXXX", cases[i].bytes, cases[i].len);
        assert_int_equal(file_read_all(path, cases[i].limit, &out, &len, &e), 0);
        unlink(path);
        assert_non_null(out);
        assert_int_equal(len, cases[i].len);
        assert_memory_equal(out, cases[i].bytes, cases[i].len);
        assert_int_equal(out[len], '\0');
        free(out);
    }
}

static void test_file_refuses_over_limit(void **state)
{
    char path[64], *out = (char *)"x";
    size_t len = 99;
    err_t e;

    (void)state;
    err_clear(&e);
    testfile_temp(path, sizeof path, "/tmp/test_file_XXXXXX", "123456", 6);
    /* 6 bytes against a limit of 5: refused before reading */
    assert_int_equal(file_read_all(path, 5, &out, &len, &e), ERR_LIMIT);
    unlink(path);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_string_equal(e.msg, "6 bytes, over the limit of 5 bytes");
}

static void test_file_refuses_missing_and_directory(void **state)
{
    char *out = (char *)"x";
    size_t len = 99;
    err_t e;

    (void)state;
    err_clear(&e);
    assert_int_equal(file_read_all("/nonexistent/f.xml", 100, &out, &len, &e), ERR_IO);
    assert_null(out);
    assert_non_null(strstr(e.msg, "/nonexistent/f.xml: "));
    err_clear(&e);
    assert_int_equal(file_read_all("/tmp", 100, &out, &len, &e), ERR_IO);
    assert_string_equal(e.msg, "/tmp: not a regular file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_reads_whole_files),
        cmocka_unit_test(test_file_refuses_over_limit),
        cmocka_unit_test(test_file_refuses_missing_and_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
