/* read_ocds.c - reads OCDS files with the streaming reader and prints per-file counts and
 * the time taken (parse + build trees + free). Usage: read_ocds [-v] [-w|-c] FILE...
 *   -v  print every item;  -w  also write each release as compact JSON;
 *   -c  also write each release as canonical JSON (sorted keys). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ocds/reader.h"

static int verbose, write_mode;
static buf_t out;

static int on_item(void *ctx, ocds_item *it)
{
    static const char *kinds[] = {"release", "compiled", "linked", "rejected"};
    (void)ctx;
    if (write_mode && it->release) {
        buf_reset(&out);
        if ((write_mode == 1 ? json_write(&out, it->release) : json_write_canonical(&out, it->release)) != 0)
            return ERR_NOMEM;
    }
    if (verbose)
        printf("  #%zu %s line %llu byte %llu ocid=%s id=%s%s%s\n", it->index, kinds[it->kind],
               (unsigned long long)it->line, (unsigned long long)it->offset,
               it->ocid ? it->ocid : "-", it->release_id ? it->release_id : "-",
               it->kind == OCDS_ITEM_REJECTED ? " error=" : "",
               it->kind == OCDS_ITEM_REJECTED ? it->error.msg : "");
    return 0;
}

int main(int argc, char **argv)
{
    int bad = 0;

    for (int i = 1; i < argc; i++) {
        ocds_read_stats st;
        err_t e;
        struct timespec t0, t1;
        int rc;

        if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
            continue;
        }
        if (strcmp(argv[i], "-w") == 0 || strcmp(argv[i], "-c") == 0) {
            write_mode = argv[i][1] == 'w' ? 1 : 2;
            buf_init(&out, 1u << 30);
            continue;
        }
        err_clear(&e);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rc = ocds_read_file(argv[i], on_item, NULL, &st, &e);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("%s: rc=%d shape=%s releases=%zu compiled=%zu linked=%zu rejected=%zu bytes=%llu "
               "time=%.3fs%s%s\n", argv[i], rc, st.shape, st.releases, st.compiled, st.linked,
               st.rejected, (unsigned long long)st.bytes,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
               rc ? " error=" : "", rc ? e.msg : "");
        if (rc)
            bad++;
    }
    buf_dispose(&out);
    return bad ? 1 : 0;
}
