/* native.h - the native procaudit XML format (SPEC §3.4) read into OCDS releases. */
#ifndef PROCAUDIT_NATIVE_H
#define PROCAUDIT_NATIVE_H

#include "ocds/reader.h"

/* Reads one native procaudit XML file (root element <procurement> or <procurements> in
 * the procaudit namespace) and hands one item per procurement to cb. Returns 0, or an
 * err_code when the file itself fails. */
int native_read_file(const char *path, ocds_item_cb cb, void *ctx, ocds_read_stats *stats, err_t *e) PA_MUSTCHECK;

/* 1 when the root element's local name and namespace are the native format's. */
int native_is_root(const char *local_name, const char *ns_uri);

#endif
