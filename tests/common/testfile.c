/* testfile.c - temporary files with given bytes, for tests that read files (testfile.h). */
#include "testfile.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

void testfile_temp(char *out, size_t n, const char *tmpl, const void *bytes, size_t len)
{
    int fd;

    assert_true(snprintf(out, n, "%s", tmpl) < (int)n);
    fd = mkstemp(out);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
}
