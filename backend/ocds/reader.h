/* reader.h - the streaming OCDS reader: every packaging shape, one release at a time.
 *
 * Shapes (SPEC §3.1): a single release; a release package (releases[]); a record package
 * (records[] with compiledRelease and/or releases[], linked releases as {url,...}); OCP's
 * bare-record objects ({releases, compiledRelease, versionedRelease}); a single compiled or
 * versioned release; JSON Lines of any of these; several JSON values concatenated; a
 * package wrapped in a top-level array. The shape is detected from content, not the name.
 *
 * The reader calls `cb` once per item found, in file order. Memory is bounded by the
 * largest single release (yajl events, one json_value tree per release). A bad record is
 * handed to `cb` as OCDS_ITEM_REJECTED and the rest of the file is still read; only a
 * failure of the file itself (unreadable, invalid UTF-8 or non-UTF-8 encoding detected,
 * JSON syntax broken so that nothing further can be read) ends the read with an error.
 *
 * The eForms and native XML readers (backend/eforms, backend/native) yield the same
 * items (an OCDS release mapped from the notice), so ingest has one path.
 */
#ifndef PROCAUDIT_OCDS_READER_H
#define PROCAUDIT_OCDS_READER_H

#include <stddef.h>
#include <stdint.h>

#include "json/json.h"
#include "model.h"
#include "util/err.h"

typedef enum {
    OCDS_ITEM_RELEASE = 0,   /* a release to merge with the others of its ocid */
    OCDS_ITEM_COMPILED = 1,  /* a record's compiledRelease (or a versioned release
                                reduced to its current values): used as is */
    OCDS_ITEM_LINKED = 2,    /* a linked release ({url, date, tag}): noted, skipped */
    OCDS_ITEM_REJECTED = 3   /* a bad record: `error` says why; release may be NULL */
} ocds_item_kind;

typedef struct {
    ocds_item_kind kind;
    json_value *release;     /* the release as received (not normalised). Owned by the
                                reader; the callback may take it (set it to NULL). */
    const char *ocid;        /* the release's ocid, or NULL (always NULL-safe) */
    const char *release_id;  /* the release's id as text (ids given as numbers are
                                converted and noted), or NULL */
    const char *file;        /* the path being read */
    uint64_t offset;         /* byte offset of the record's first byte in the file */
    uint64_t line;           /* 1-based line of that byte */
    size_t index;            /* 0-based ordinal of the record in the file */
    const char *package_json;/* the enclosing package's metadata (uri, publisher,
                                license, publishedDate) as compact JSON, or NULL */
    model_note *notes;       /* quirks seen at read time; owned by the reader */
    size_t n_notes;
    err_t error;             /* OCDS_ITEM_REJECTED: "field: message" */
} ocds_item;

/* Called once per item. Return 0 to go on, or a negative err_code to stop the read
 * (it is returned by ocds_read_*, with the callback's message left in e). */
typedef int (*ocds_item_cb)(void *ctx, ocds_item *item);

typedef struct {
    size_t releases;         /* OCDS_ITEM_RELEASE items */
    size_t compiled;         /* OCDS_ITEM_COMPILED items */
    size_t linked;           /* OCDS_ITEM_LINKED items */
    size_t rejected;         /* OCDS_ITEM_REJECTED items */
    uint64_t bytes;          /* bytes read */
    char shape[32];          /* "release_package", "record_package", "jsonl", ... */
} ocds_read_stats;

#endif
