/* native.c - placeholder until the native XML reader lands: refuses every file. */
#include "native/native.h"

#include <string.h>

int native_read_file(const char *path, ocds_item_cb cb, void *ctx, ocds_read_stats *stats, err_t *e)
{
    (void)cb;
    (void)ctx;
    (void)stats;
    return err_set(e, ERR_BAD_INPUT, "%s: native procaudit XML is not supported yet", path);
}

int native_is_root(const char *local_name, const char *ns_uri)
{
    (void)ns_uri;
    return strcmp(local_name, "procurement") == 0 || strcmp(local_name, "procurements") == 0;
}
