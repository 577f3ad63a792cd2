/* eforms_internal.h - shared between the files of the eForms module only (not public). */
#ifndef PROCAUDIT_EFORMS_INTERNAL_H
#define PROCAUDIT_EFORMS_INTERNAL_H

#include <stddef.h>

#include <libxml/tree.h>

#include "json/json.h"
#include "model.h"
#include "util/err.h"

/* Data-quality notes gathered while reading one notice (at most EFORMS_MAX_NOTES; the
 * last one then says how many were dropped). */
#define EFORMS_MAX_NOTES 64

typedef struct {
    model_note *v;
    size_t n, cap;
    size_t dropped;
} eforms_notes;

void eforms_notes_init(eforms_notes *ns);
void eforms_notes_dispose(eforms_notes *ns);
/* Adds a note (strings copied, message printf-formatted and truncated at 512 bytes).
 * Returns 0 or ERR_NOMEM; past the cap the note is counted in `dropped` and 0 returned. */
int eforms_note_add(eforms_notes *ns, const char *code, const char *field, const char *fmt, ...)
    PA_PRINTF(4, 5) PA_MUSTCHECK;
/* Closes the list: when notes were dropped, adds one "notes_truncated" note. */
int eforms_notes_finish(eforms_notes *ns) PA_MUSTCHECK;

/* Validates doc against the XSD of the SDK version `declared` (e.g. "eforms-sdk-1.10")
 * under schema_dir/<major.minor>/maindoc/, or the nearest shipped version (note
 * "xsd_version_substituted"); each validation error becomes an "xsd_invalid" note with its
 * line and message (at most 10, then a count). No schema at all: note "xsd_unavailable".
 * Schemas are compiled once per version and cached; every file they include is read from
 * schema_dir only (network and other paths refused). The confinement swaps libxml2's
 * process-wide external entity loader while a schema compiles (under a mutex, restored
 * after): another thread loading its own XSD in that instant would be refused too.
 * Returns 0 or ERR_NOMEM. */
int eforms_xsd_validate(xmlDocPtr doc, const char *schema_dir, const char *declared, eforms_notes *ns,
                        err_t *e) PA_MUSTCHECK;
void eforms_xsd_cleanup(void);

typedef struct {
    json_value *release;   /* the OCDS release (owned by the caller after success) */
    char *ocid;            /* prefix + BT-04 (the base ocid) */
    char *release_id;      /* notice id + "-" + version */
    char *buyer_id;        /* the first buyer's party id, or NULL */
    char *changes_release; /* a change notice: BT-758, the notice (id-version) it changes */
} eforms_mapped;

void eforms_mapped_dispose(eforms_mapped *m);

/* Maps a parsed notice to an OCDS release. Errors: ERR_BAD_INPUT when the notice cannot
 * be mapped (not an eForms root, BT-04 or BT-701 missing), with "element (line N):
 * message" in e; ERR_NOMEM. Tolerated quirks become notes. */
int eforms_map_notice(eforms_mapped *out, xmlDocPtr doc, const char *ocid_prefix, eforms_notes *ns,
                      err_t *e) PA_MUSTCHECK;

#endif
