/* testfile.h - temporary files with given bytes, for tests that read files. */
#ifndef PROCAUDIT_TESTFILE_H
#define PROCAUDIT_TESTFILE_H

#include <stddef.h>

/* Creates a new file from the mkstemp template `tmpl` (ending in "XXXXXX"), writes the len
 * bytes at `bytes` into it and closes it; its name goes into out (size n). Fails the
 * running cmocka test when the name does not fit or a call fails. The caller unlink()s
 * the file. */
void testfile_temp(char *out, size_t n, const char *tmpl, const void *bytes, size_t len);

#endif
