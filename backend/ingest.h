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
    /* Added by the store helper: */
    int duplicate_file;       /* 1: these exact bytes were ingested before; nothing changed */
    long long file_id;        /* the ingested_files row (0 when none was written) */
    char shape[32];           /* the packaging the reader saw: release_package, ... */
    size_t releases_read;     /* OCDS_ITEM_RELEASE items read from the file */
} ingest_stats;

struct codemap;

/* Progress of a long ingest: bytes of the file read so far, its size, releases read. */
typedef void (*ingest_progress_cb)(void *ctx, unsigned long long done, unsigned long long total,
                                   size_t releases);

typedef struct {
    size_t batch;                  /* releases per batch (0: INGEST_BATCH_DEFAULT) */
    const struct codemap *codemap; /* NULL: codemap_default() */
    ingest_progress_cb progress;   /* called after each batch; may be NULL */
    void *progress_ctx;
} ingest_options;

#define INGEST_BATCH_DEFAULT 500

/* Ingests one file (SPEC §3, §4, §9).
 *
 * Format from content: the first non-blank byte after an optional UTF-8 BOM; '{' or '['
 * is OCDS JSON (ocds_read_file), '<' is XML dispatched on its root element (eForms notice
 * or native procaudit document). The whole file is one database transaction: after a
 * crash it is either fully ingested or not at all. Ingests are serialised across
 * processes by an advisory lock, so concurrent daemons never merge from half a picture.
 *
 * Identity: the SHA-256 of the bytes. Bytes already ingested: nothing changes,
 * stats->duplicate_file = 1, returns 0. Releases: stored as received; the same
 * (ocid, release id) with the same content again is a no-op, with other content it is
 * kept as a new version (stats->releases_changed and a quality note "release_changed").
 * Every few hundred releases (opts->batch) the touched ocids are recompiled from all
 * their stored releases (latest version of each release id), across files: normalised,
 * merged, mapped to the model, and their normalised rows rewritten. A record's
 * compiledRelease is used as published instead.
 *
 * Failure policy: a bad record is stored in rejected_records (file, position, ocid,
 * field, message) and the rest of the file goes in (return 0, stats->rejected > 0). A
 * bad file (empty, not UTF-8, unknown format, JSON broken beyond recovery) is rolled
 * back and recorded in ingested_files with status 'rejected' and the reason: returns
 * ERR_BAD_INPUT with the reason in e. Infrastructure failures roll back and record
 * nothing: ERR_IO (unreadable), ERR_NOMEM, ERR_DB_UNAVAILABLE (retry later); ERR_DB when
 * the database refused a statement (the file is then recorded as rejected, with the
 * database's message). Memory is bounded by the batch, never by the file. */
int ingest_file(store *st, const char *path, ingest_stats *stats, err_t *e) PA_MUSTCHECK;
int ingest_file_opts(store *st, const char *path, const ingest_options *opts,
                     ingest_stats *stats, err_t *e) PA_MUSTCHECK;

/* Detects a file's format from its first bytes: writes "ocds", "eforms", "native" into
 * fmt (16 bytes). Errors: ERR_IO, ERR_BAD_INPUT (empty file, UTF-16/32, unknown first
 * byte, XML whose root is neither eForms nor native; the message says which). */
int ingest_detect_format(const char *path, char fmt[16], err_t *e) PA_MUSTCHECK;

#endif
