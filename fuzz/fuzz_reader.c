/* fuzz_reader.c - libFuzzer target for the streaming OCDS reader, normalisation and the
 * merge routine (SPEC §9: every input is hostile).
 *
 * The first byte picks a chunk size (1..256), so that chunk boundaries fall everywhere
 * (inside tokens, UTF-8 sequences, the byte order mark); the rest is fed to an
 * ocds_reader in those chunks. Every release object handed over is normalised, and the
 * first 8 are merged into a compiled release and written canonically. Nothing may crash,
 * leak or read out of bounds; errors are fine. Build and run from the repository root:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c17 -D_POSIX_C_SOURCE=200809L \
 *     -D_DEFAULT_SOURCE -Ibackend $(pkg-config --cflags yajl) fuzz/fuzz_reader.c \
 *     backend/ocds/reader.c backend/ocds/normalise.c backend/ocds/merge.c backend/model.c \
 *     backend/json/json.c backend/util/err.c backend/util/buf.c \
 *     $(pkg-config --libs yajl) -lm -o build/fuzz_reader
 *   mkdir -p build/corpus_reader
 *   build/fuzz_reader -max_len=65536 -dict=fuzz/reader.dict build/corpus_reader \
 *     ../shared/data/ocds/ocdskit-realdata
 */
#include <stddef.h>
#include <stdint.h>

#include "ocds/merge.h"
#include "ocds/normalise.h"
#include "ocds/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    json_value *keep[8];
    size_t n;
} fuzz_ctx;

static int on_item(void *ctx, ocds_item *it)
{
    fuzz_ctx *c = ctx;
    model_note *notes = NULL;
    size_t n_notes = 0;
    err_t e;

    if (!it->release || it->release->type != JSON_OBJECT)
        return 0;
    if (ocds_normalise(it->release, &notes, &n_notes, &e) == 0 && c->n < 8) {
        c->keep[c->n++] = it->release;
        it->release = NULL;
    }
    model_notes_free(notes, n_notes);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_ctx c = {{NULL}, 0};
    ocds_reader *r;
    ocds_read_stats st;
    json_value *merged = NULL;
    size_t chunk, pos;
    err_t e;
    int rc = 0;

    if (size == 0)
        return 0;
    chunk = (size_t)data[0] + 1;
    data++;
    size--;
    r = ocds_reader_new("fuzz.json", on_item, &c);
    if (!r)
        return 0;
    for (pos = 0; pos < size && rc == 0; pos += chunk)
        rc = ocds_reader_feed(r, (const char *)data + pos, size - pos < chunk ? size - pos : chunk, &e);
    if (rc == 0)
        rc = ocds_reader_finish(r, &st, &e);
    ocds_reader_free(r);
    if (c.n && ocds_merge(&merged, c.keep, c.n, &e) == 0) {
        buf_t b;
        buf_init(&b, 1u << 24);
        if (json_write_canonical(&b, merged) == 0)
            (void)b.len;
        buf_dispose(&b);
        json_free(merged);
    }
    for (size_t i = 0; i < c.n; i++)
        json_free(c.keep[i]);
    return 0;
}
