/* fuzz_map.c - libFuzzer target for the OCDS-to-model mapper (SPEC §9).
 *
 * Parses arbitrary bytes as JSON (json_parse, with its depth and size limits) and maps
 * the tree with model_from_ocds, once with the built-in code map. Any tree must map or be
 * refused cleanly (ERR_BAD_INPUT); nothing may crash, leak or read out of bounds. Build
 * and run from the repository root:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c17 -D_POSIX_C_SOURCE=200809L \
 *     -D_DEFAULT_SOURCE -Ibackend $(pkg-config --cflags libxml-2.0 yajl) \
 *     fuzz/fuzz_map.c backend/ocds/map.c backend/ocds/codemap.c backend/model.c \
 *     backend/json/json.c backend/util/err.c backend/util/buf.c backend/util/log.c \
 *     $(pkg-config --libs libxml-2.0 yajl) -lm -o build/fuzz_map
 *   build/fuzz_map -max_len=65536 -dict=fuzz/map.dict build/corpus_map \
 *     ../shared/data/cardinal-fixtures
 */
#include <stddef.h>
#include <stdint.h>

#include "json/json.h"
#include "ocds/map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_value *v = NULL;
    model_procurement *p = NULL;
    err_t e;

    if (json_parse(&v, (const char *)data, size, &e) != 0)
        return 0;
    if (model_from_ocds(&p, v, NULL, &e) == 0)
        model_procurement_free(p);
    json_free(v);
    return 0;
}
