/* fuzz_codemap.c - libFuzzer target for the code-map loader (SPEC §9).
 *
 * Feeds arbitrary bytes to codemap_load_buffer and, when a map loads, resolves a few
 * values against every list. Build and run from the repository root:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c17 -D_POSIX_C_SOURCE=200809L \
 *     -D_DEFAULT_SOURCE -Ibackend $(pkg-config --cflags libxml-2.0) \
 *     fuzz/fuzz_codemap.c backend/ocds/codemap.c backend/util/err.c \
 *     $(pkg-config --libs libxml-2.0) -o build/fuzz_codemap
 *   mkdir -p build/seed_codemap && cp templates/codemap.xml build/seed_codemap/
 *   build/fuzz_codemap -max_len=16384 build/corpus_codemap build/seed_codemap
 */
#include <stddef.h>
#include <stdint.h>

#include "ocds/codemap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const probes[] = {"open", "Qualified", " x ", "", "lowestCost"};
    codemap *cm = NULL;
    err_t e;
    size_t i;
    int l;

    if (codemap_load_buffer(&cm, (const char *)data, size, "fuzz.xml", &e) != 0)
        return 0;
    for (l = 0; l < CODEMAP_N_LISTS; l++)
        for (i = 0; i < sizeof probes / sizeof probes[0]; i++) {
            const char *code;
            (void)codemap_resolve(cm, (codemap_list)l, probes[i], &code);
        }
    codemap_free(cm);
    return 0;
}
