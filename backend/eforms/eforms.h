/* eforms.h - EU eForms notices (UBL 2.3, SDK 1.x) read into OCDS releases (SPEC §3.2). */
#ifndef PROCAUDIT_EFORMS_H
#define PROCAUDIT_EFORMS_H

#include "ocds/reader.h"

/* Reads one eForms notice file and hands one OCDS_ITEM_RELEASE (the notice mapped to an
 * OCDS release, ocid = configured prefix + BT-04 ContractFolderID) or one
 * OCDS_ITEM_REJECTED to cb. Returns 0, or an err_code when the file itself fails. */
int eforms_read_file(const char *path, ocds_item_cb cb, void *ctx, ocds_read_stats *stats, err_t *e) PA_MUSTCHECK;

/* 1 when the XML root element (namespace prefix ignored) is an eForms notice root
 * (ContractNotice, ContractAwardNotice, PriorInformationNotice). */
int eforms_is_root(const char *local_name);

#endif
