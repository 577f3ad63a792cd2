/* fuzz_report_template.c - libFuzzer target for the report templates and the text layer
 * (SPEC §9: parsers of templates get fuzz targets).
 *
 * The input is split at the first NUL byte: before it, layout.xml; after it,
 * labels.en.xml. Both go to rtpl_load_memory (libxml2 with no network, no entities, no
 * DTD, size and count limits). Whatever the outcome, the whole input is then cleaned
 * (UTF-8 decoding, redaction of e-mail addresses) and broken into lines with libunibreak
 * on measured widths, in a document opened once with the default fonts.
 * Build and run from the repository root:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c17 -D_POSIX_C_SOURCE=200809L \
 *     -D_DEFAULT_SOURCE -Ibackend -Ireports $(pkg-config --cflags libxml-2.0 libunibreak) \
 *     fuzz/fuzz_report_template.c reports/*.c backend/model.c backend/result.c \
 *     backend/util/*.c $(pkg-config --libs libxml-2.0 libunibreak) -lhpdf -lm \
 *     -o build/fuzz_report_template
 *   PROCAUDIT_ROOT=. build/fuzz_report_template -max_len=65536 fuzz/corpus_report \
 *     templates/reports
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static report_templates *tpl;
    static report_fonts fonts;
    static rdoc rd;
    static int ready;
    const char *nul = memchr(data, 0, size);
    size_t l1 = nul ? (size_t)(nul - (const char *)data) : size;
    report_templates *t = NULL;
    char *text;
    rlines lines;
    err_t e;

    if (!ready) {
        /* a fixed document for the text layer: built-in labels are not needed */
        static const char layout[] = "<report-layout><report kind=\"procurement\"><section "
                                     "id=\"cover\"/></report><report kind=\"buyer\"><section "
                                     "id=\"cover\"/></report></report-layout>";
        static const char labels[] = "<labels><label key=\"privacy.omitted\">[x]</label></labels>";
        if (rtpl_load_memory(&tpl, layout, sizeof layout - 1, labels, sizeof labels - 1, &e) != 0)
            abort();
        report_fonts_default(&fonts);
        if (rdoc_open(&rd, &fonts, tpl, 1, &e) != 0)
            abort();
        ready = 1;
    }
    if (rtpl_load_memory(&t, (const char *)data, l1, nul ? nul + 1 : "",
                         nul ? size - l1 - 1 : 0, &e) == 0) {
        const char *const *sec;
        (void)rtpl_sections(t, RKIND_PROCUREMENT, &sec);
        (void)report_templates_label(t, "privacy.omitted");
        report_templates_free(t);
    }
    text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* the text layer takes C strings: stops at the first NUL */
    if (rtext_wrap(&rd, &lines, text, RS_REGULAR, 9.5f, 120.0f, 50) == 0)
        rlines_dispose(&lines);
    free(text);
    return 0;
}
