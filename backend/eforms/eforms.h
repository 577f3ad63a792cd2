/* eforms.h - EU eForms notices (UBL 2.3, SDK 1.x) read into OCDS releases (SPEC §3.2).
 *
 * One file holds one notice (ContractNotice, ContractAwardNotice, PriorInformationNotice,
 * with or without a namespace prefix on the root). The notice is parsed with libxml2
 * (XML_PARSE_NONET; never NOENT or DTDLOAD; a document type declaration, hence any entity
 * declaration, is refused), checked against limits (EFORMS_MAX_FILE_BYTES per notice,
 * EFORMS_MAX_DEPTH element nesting, strict UTF-8), validated against the XSD of the SDK
 * version it declares in cbc:CustomizationID (the nearest shipped version when that one is
 * absent, said in a note), and mapped to one OCDS release following the OCP eForms-to-OCDS
 * guidance (docs/eforms.md has the BT -> OCDS table).
 *
 * The release: ocid = prefix + BT-04 ContractFolderID (suffixed with the buyer's party id
 * when an earlier notice of the same folder named another buyer, with a note); id =
 * notice id (BT-701) + "-" + version (BT-757); date = BT-05 issue date and time; tag by
 * notice type (planning, tender, tenderUpdate, award, contract, awardUpdate,
 * contractAmendment).
 */
#ifndef PROCAUDIT_EFORMS_H
#define PROCAUDIT_EFORMS_H

#include <stddef.h>

#include "ocds/reader.h"

#define EFORMS_MAX_FILE_BYTES (20u * 1024u * 1024u) /* one notice; TED's largest are ~3 MB */
#define EFORMS_MAX_DEPTH 128                        /* element nesting; notices use < 30 */
#define EFORMS_DEFAULT_OCID_PREFIX "ocds-procaudit-eforms-"

/* Reads one eForms notice file and hands one OCDS_ITEM_RELEASE (the notice mapped to an
 * OCDS release, with data-quality notes in item.notes: xsd_invalid, xsd_version_substituted,
 * code_mapped, ...) or one OCDS_ITEM_REJECTED (item.error names the file, the element and
 * the line: not well-formed, DOCTYPE/entities, over a limit, invalid UTF-8, not a notice,
 * no BT-04 or notice id) to cb, using the process-wide options (eforms_set_options).
 * Returns 0 (also after a rejection), ERR_IO when the file cannot be opened or read,
 * ERR_NOMEM, or the callback's own error when it stops the read. */
int eforms_read_file(const char *path, ocds_item_cb cb, void *ctx, ocds_read_stats *stats,
                     err_t *e) PA_MUSTCHECK;

/* 1 when the XML root element (namespace prefix ignored) is an eForms notice root
 * (ContractNotice, ContractAwardNotice, PriorInformationNotice). */
int eforms_is_root(const char *local_name);

/* Returns the buyer party id already recorded for `ocid` into out (0), or ERR_NOT_FOUND.
 * The store can answer from procurements.buyer_id so that the buyer check also spans
 * earlier ingests. */
typedef int (*eforms_buyer_lookup)(void *ctx, const char *ocid, char *out, size_t out_size);

typedef struct {
    const char *ocid_prefix;          /* NULL: EFORMS_DEFAULT_OCID_PREFIX */
    const char *schema_dir;           /* holds <version>/maindoc/ (the XSDs). NULL: $PROCAUDIT_EFORMS_SCHEMAS,
                                         else $PROCAUDIT_ROOT/schemas/eforms, else ./schemas/eforms */
    int skip_validation;              /* 1: no XSD validation (no notes about it either) */
    eforms_buyer_lookup buyer_lookup; /* NULL: only the in-process registry is asked */
    void *buyer_lookup_ctx;
} eforms_options;

/* Sets the process-wide options (copied; strings duplicated). NULL restores the defaults.
 * Returns 0 or ERR_NOMEM. Not thread-safe against concurrent reads: call at start-up. */
int eforms_set_options(const eforms_options *opts) PA_MUSTCHECK;

/* Forgets the in-process registry of ContractFolderID -> buyer party id (tests; the
 * daemon between unrelated batches). */
void eforms_registry_reset(void);

/* Frees the cached compiled schemas and options (at exit; leak checkers). */
void eforms_cleanup(void);

#endif
