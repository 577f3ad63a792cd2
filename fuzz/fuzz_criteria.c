/* fuzz_criteria.c - libFuzzer target for the criteria-set loader (SPEC §9).
 *
 * Feeds arbitrary bytes to criteria_load_memory (parse with XML_PARSE_NONET, DOCTYPE
 * refusal, XSD validation, semantic checks, parameter probes) and, when a set loads,
 * walks it through criteria_check-like reads. Build and run from the repository root:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c17 -D_POSIX_C_SOURCE=200809L \
 *     -D_DEFAULT_SOURCE -Ibackend $(pkg-config --cflags libxml-2.0 yajl) \
 *     fuzz/fuzz_criteria.c backend/criteria.c backend/result.c backend/model.c \
 *     backend/util/*.c backend/json/json.c backend/indicators/*.c \
 *     $(pkg-config --libs libxml-2.0 yajl) -lcrypto -lm -o build/fuzz_criteria
 *   PROCAUDIT_TEMPLATES=templates build/fuzz_criteria -max_len=65536 \
 *     -dict=fuzz/criteria.dict fuzz/corpus_criteria templates/criteria
 *
 * The seed corpus is the shipped sets (templates/criteria/*.xml).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "criteria.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char xsd[4096];
    static int have_xsd = -1;
    if (have_xsd < 0) {
        buf_t b;
        err_t e;
        buf_init(&b, sizeof xsd - 1);
        have_xsd = criteria_find_template(&b, "criteria-set.xsd", &e) == 0;
        if (have_xsd) {
            const char *p = buf_cstr(&b);
            size_t n = b.len < sizeof xsd - 1 ? b.len : sizeof xsd - 1;
            for (size_t i = 0; i < n; i++)
                xsd[i] = p[i];
            xsd[n] = '\0';
        }
        buf_dispose(&b);
    }
    if (!have_xsd)
        abort(); /* set PROCAUDIT_TEMPLATES=templates */

    criteria_set *s = NULL;
    buf_t errors;
    err_t e;
    buf_init(&errors, 1 << 20);
    if (criteria_load_memory(&s, "fuzz.xml", (const char *)data, size, xsd, &errors, &e) == 0) {
        for (size_t i = 0; i < s->n_criteria; i++) {
            criterion_info ci;
            if (criteria_info_fill(&ci, s, &s->criteria[i], "zh") == 0)
                criterion_info_dispose(&ci);
            model_procurement p = {0};
            char ocid[] = "fuzz";
            p.ocid = ocid;
            char reason[256], field[64];
            (void)criteria_applies(&s->criteria[i], &p, reason, sizeof reason, field, sizeof field);
        }
        (void)criteria_band_label(s, 1, 50.0, "en");
        criteria_set_free(s);
    }
    buf_dispose(&errors);
    return 0;
}
