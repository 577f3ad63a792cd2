/* report_pdf_util.h - helpers of the report tests: render into a temporary file and read
 * it back through poppler-utils (pdftotext, pdffonts, pdfinfo). static inline: each test
 * file takes what it uses. */
#ifndef PROCAUDIT_TEST_REPORT_PDF_UTIL_H
#define PROCAUDIT_TEST_REPORT_PDF_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

/* The repository root: $PROCAUDIT_ROOT or ".". */
static inline const char *tu_root(void)
{
    const char *r = getenv("PROCAUDIT_ROOT");
    return r && *r ? r : ".";
}

static inline report_templates *tu_templates(const char *lang)
{
    char dir[4096];
    report_templates *t = NULL;
    err_t e;
    err_clear(&e);
    snprintf(dir, sizeof dir, "%s/templates/reports", tu_root());
    if (report_templates_load(&t, dir, lang, &e) != 0) {
        fprintf(stderr, "templates: %s\n", e.msg);
        return NULL;
    }
    return t;
}

/* Writes bytes to a fresh temporary file; returns its path (static buffer per slot). */
static inline const char *tu_write_tmp(const unsigned char *pdf, size_t n, int slot)
{
    static char path[4][64];
    int fd;
    FILE *f;
    snprintf(path[slot & 3], sizeof path[0], "/tmp/test_report_XXXXXX");
    fd = mkstemp(path[slot & 3]);
    if (fd < 0)
        return NULL;
    f = fdopen(fd, "wb");
    if (!f)
        return NULL;
    if (fwrite(pdf, 1, n, f) != n) {
        fclose(f);
        return NULL;
    }
    fclose(f);
    return path[slot & 3];
}

/* Runs a shell command and returns its standard output (malloc'd, NUL-terminated; ""
 * when the command cannot be started). Never NULL. */
static inline char *tu_capture(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    char *out = NULL;
    size_t n = 0, cap = 0, k;
    char tmp[8192];
    if (!p) {
        out = calloc(1, 1);
        if (!out)
            abort();
        return out;
    }
    while ((k = fread(tmp, 1, sizeof tmp, p)) > 0) {
        if (n + k + 1 > cap) {
            cap = (n + k + 1) * 2;
            out = realloc(out, cap);
            if (!out)
                abort();
        }
        memcpy(out + n, tmp, k);
        n += k;
    }
    pclose(p);
    if (!out) {
        out = calloc(1, 1);
        if (!out)
            abort();
    } else {
        out[n] = '\0';
    }
    return out;
}

/* pdftotext of pages first..last (0, 0: all) of the PDF at path. */
static inline char *tu_text(const char *path, int first, int last)
{
    char cmd[4200];
    if (first > 0)
        snprintf(cmd, sizeof cmd, "pdftotext -q -layout -enc UTF-8 -f %d -l %d '%s' - 2>/dev/null", first,
                 last, path);
    else
        snprintf(cmd, sizeof cmd, "pdftotext -q -layout -enc UTF-8 '%s' - 2>/dev/null", path);
    return tu_capture(cmd);
}

/* Number of pages (pdfinfo). */
static inline int tu_pages(const char *path)
{
    char cmd[4200], *out, *p;
    int n = 0;
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>/dev/null", path);
    out = tu_capture(cmd);
    p = out ? strstr(out, "Pages:") : NULL;
    if (p)
        n = (int)strtol(p + 6, NULL, 10);
    free(out);
    return n;
}

/* pdftotext joins nothing across lines in a table cell; collapse all white space to
 * single spaces so that assertions match wrapped text too. */
static inline void tu_squash(char *s)
{
    char *w = s;
    int sp = 0;
    for (char *r = s; *r; r++) {
        if (*r == ' ' || *r == '\n' || *r == '\t' || *r == '\f' || *r == '\r') {
            sp = 1;
            continue;
        }
        if (sp && w != s)
            *w++ = ' ';
        sp = 0;
        *w++ = *r;
    }
    *w = '\0';
}

#endif
