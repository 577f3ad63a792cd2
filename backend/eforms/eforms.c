/* eforms.c - placeholder until the eForms reader lands: refuses every notice. */
#include "eforms/eforms.h"

#include <string.h>

int eforms_read_file(const char *path, ocds_item_cb cb, void *ctx, ocds_read_stats *stats, err_t *e)
{
    (void)cb;
    (void)ctx;
    (void)stats;
    return err_set(e, ERR_BAD_INPUT, "%s: eForms notices are not supported yet", path);
}

int eforms_is_root(const char *local_name)
{
    return strcmp(local_name, "ContractNotice") == 0 || strcmp(local_name, "ContractAwardNotice") == 0 ||
           strcmp(local_name, "PriorInformationNotice") == 0;
}
