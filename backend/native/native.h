/* native.h - the native procaudit XML format (SPEC §3.4) read into OCDS releases.
 *
 * For bodies that publish neither OCDS nor eForms (typically buyers of social services):
 * buyer, providers, procedure, service content and deliverables, price and payments,
 * evaluation arrangements and results. Format: templates/native/procaudit-native.xsd,
 * documented element by element with its OCDS equivalent in docs/native-format.md;
 * samples in samples/native/.
 *
 * Reading policy (hostile input): the file is read whole up to NATIVE_MAX_FILE_BYTES,
 * must be strict UTF-8 (a BOM is allowed), and is parsed by libxml2 with network access
 * off, no DTD loading, no entity substitution; a DOCTYPE is refused outright (so no
 * entity is ever declared: no XXE, no billion laughs), and elements may nest at most
 * NATIVE_MAX_DEPTH deep; a procurement of more than NATIVE_MAX_ELEMENTS elements is
 * rejected before validation (which grows with the square of its size). Every
 * <procurement> is validated against the XSD; the errors
 * of one procurement ("file:line: element <x>: message") reject that procurement only
 * (an OCDS_ITEM_REJECTED item, the rest of the file goes on); problems of the file as a
 * whole (size, encoding, DOCTYPE, well-formedness, depth, root element, errors outside
 * any procurement) give one OCDS_ITEM_REJECTED item for the file.
 *
 * Each valid <procurement> becomes one OCDS_ITEM_RELEASE: ocid = its ocid attribute or
 * NATIVE_OCID_PREFIX + its id; release id = id + "/" + date; the release carries
 * procaudit.sourceFormat = "native" (ocds/map.c sets model_procurement.source_format).
 */
#ifndef PROCAUDIT_NATIVE_H
#define PROCAUDIT_NATIVE_H

#include "ocds/reader.h"

#define NATIVE_NS "urn:procaudit:native:1"
#define NATIVE_OCID_PREFIX "ocds-procaudit-native-"
#define NATIVE_XSD_RELPATH "templates/native/procaudit-native.xsd"
#define NATIVE_MAX_FILE_BYTES (64u * 1024u * 1024u) /* one file */
#define NATIVE_MAX_DEPTH 16            /* element nesting; the format needs 7 */
#define NATIVE_MAX_PROCUREMENTS 100000 /* per file */
#define NATIVE_MAX_ERRORS 5            /* validation messages kept per procurement */
#define NATIVE_MAX_ELEMENTS 10000      /* elements per procurement (the samples have < 200) */

/* Reads one native procaudit XML file (root element <procurement> or <procurements> in
 * the procaudit namespace) and hands one item per procurement to cb, in file order. The
 * XSD is found at $PROCAUDIT_NATIVE_XSD, else $PROCAUDIT_ROOT/NATIVE_XSD_RELPATH, else
 * NATIVE_XSD_RELPATH (compiled once, then cached). Returns 0 (rejected records included;
 * stats->rejected counts them), or: ERR_IO (the file cannot be read, or the XSD cannot be
 * loaded), ERR_NOMEM, or the callback's non-zero return (which stops the read). */
int native_read_file(const char *path, ocds_item_cb cb, void *ctx, ocds_read_stats *stats, err_t *e) PA_MUSTCHECK;

/* The same for a document in memory (len bytes; `name` stands for the file in messages
 * and items). For the HTTP API and the fuzz targets. The caller keeps data. */
int native_read_buffer(const char *name, const char *data, size_t len, ocds_item_cb cb,
                       void *ctx, ocds_read_stats *stats, err_t *e) PA_MUSTCHECK;

/* 1 when the root element's local name and namespace are the native format's. A NULL
 * or empty ns_uri is accepted (detection is lenient; native_read_file then rejects a
 * root outside NATIVE_NS with a precise message); another namespace is not. */
int native_is_root(const char *local_name, const char *ns_uri);

/* Frees the cached XSD (at exit, for leak checkers). */
void native_cleanup(void);

#endif
