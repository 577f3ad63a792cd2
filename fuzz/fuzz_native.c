/* fuzz_native.c - libFuzzer target for the native procaudit XML reader (SPEC §9).
 *
 * Feeds arbitrary bytes to native_read_buffer (UTF-8 check, DOCTYPE refusal, libxml2
 * parse with XML_PARSE_NONET, depth and element caps, XSD validation, mapping to OCDS)
 * and maps every release it yields with model_from_ocds. Build and run from the
 * repository root:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c17 -D_POSIX_C_SOURCE=200809L \
 *     -D_DEFAULT_SOURCE -Ibackend $(pkg-config --cflags libxml-2.0 yajl) \
 *     fuzz/fuzz_native.c backend/native/native.c backend/ocds/map.c \
 *     backend/ocds/codemap.c backend/model.c backend/json/json.c backend/util/err.c backend/util/buf.c backend/util/log.c \
 *     $(pkg-config --libs libxml-2.0 yajl) -lm -o build/fuzz_native
 *   PROCAUDIT_ROOT=. build/fuzz_native -max_len=65536 -dict=fuzz/native.dict \
 *     build/corpus_native samples/native
 *
 * The seed corpus is the shipped samples (the files of samples/native).
 */
#include <stddef.h>
#include <stdint.h>

#include "native/native.h"
#include "ocds/map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_item(void *ctx, ocds_item *it)
{
    model_procurement *p = NULL;
    err_t e;

    (void)ctx;
    if (it->kind == OCDS_ITEM_RELEASE && it->release &&
        model_from_ocds(&p, it->release, NULL, &e) == 0)
        model_procurement_free(p);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ocds_read_stats st = {0};
    err_t e;

    (void)native_read_buffer("fuzz.xml", (const char *)data, size, on_item, NULL, &st, &e);
    return 0;
}
