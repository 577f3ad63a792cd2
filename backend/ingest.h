/* ingest.h - one input file into the database: detect the format, read it, merge the
 * releases per ocid, map to the model, store. Used by `procaudit ingest` and the daemon.
 */
#ifndef PROCAUDIT_INGEST_H
#define PROCAUDIT_INGEST_H

#include <stddef.h>

#include "util/err.h"

typedef struct store store;  /* backend/store/store.h */

typedef struct {
    char format[16];          /* "ocds", "eforms", "native", or "unknown" */
    size_t releases_new;      /* releases stored that were not there before */
    size_t releases_same;     /* releases already stored with the same content (no-op) */
    size_t releases_changed;  /* same (ocid, id) with different content: kept as a new version */
    size_t compiled;          /* compiled releases taken as published */
    size_t linked_skipped;    /* linked releases noted and skipped */
    size_t rejected;          /* records rejected (stored in rejected_records) */
    size_t procurements;      /* distinct ocids touched (recompiled and re-mapped) */
    size_t notes;             /* data-quality notes stored */
} ingest_stats;

#endif
