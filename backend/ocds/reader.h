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
                                converted here; ocds_normalise notes them), or NULL */
    const char *file;        /* the path being read */
    uint64_t offset;         /* byte offset of the record's first byte in the file */
    uint64_t line;           /* 1-based line of that byte */
    size_t index;            /* 0-based ordinal of the record in the file */
    const char *package_json;/* the enclosing package's metadata (uri, publisher,
                                license, publishedDate) as compact JSON, or NULL */
    model_note *notes;       /* quirks seen at read time; owned by the reader (none at
                                present: the quirks are noted by ocds_normalise) */
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
    char shape[32];          /* "release", "release_package", "record_package", "record"
                                (OCP bare record), "compiled_release", "versioned_release",
                                "array_<one of these>" (wrapped in a top-level array),
                                "jsonl", "concatenated" (several values), "empty", "invalid" */
} ocds_read_stats;

/* Reads the OCDS file at `path` (streamed in 64 KiB chunks; see the shapes above) and
 * calls cb(ctx, item) once per item, in file order. `stats` (may be NULL) is filled in.
 * The file is checked to be UTF-8 before any item is handed over, so a file in another
 * encoding yields no items at all.
 * Returns 0 when the file was read to its end (rejected records included: they are
 * items, counted in stats->rejected), or:
 *   ERR_IO        the file cannot be opened or read;
 *   ERR_BAD_INPUT the file itself is bad: empty (0 bytes or only white space), not UTF-8
 *                 (the message names the byte offset and line, and says when the bytes
 *                 look like ISO-8859-1), or broken JSON that cannot be resynchronised
 *                 (byte offset and line named). Items before the break were handed over:
 *                 a caller that wants all-or-nothing drops them (one transaction);
 *   ERR_LIMIT     nesting deeper than 100000 levels (the parser stops);
 *   ERR_NOMEM;
 *   or the negative code the callback returned, with the callback's message (from
 *   item->error, when it set one) in e. */
int ocds_read_file(const char *path, ocds_item_cb cb, void *ctx, ocds_read_stats *stats,
                   err_t *e) PA_MUSTCHECK;

/* The same on a buffer in memory; `name` stands for the file name in messages. */
int ocds_read_buffer(const char *name, const char *data, size_t len, ocds_item_cb cb,
                     void *ctx, ocds_read_stats *stats, err_t *e) PA_MUSTCHECK;

/* For the other readers (eForms, native XML): clears *it and sets its kind, file `path`,
 * record `index` (0-based), `line` (1-based) and `ocid` (may be NULL; not copied). */
void ocds_item_init(ocds_item *it, ocds_item_kind kind, const char *path, size_t index,
                    uint64_t line, const char *ocid);

/* For the other readers (eForms, native XML): hands one rejected record to cb as an
 * OCDS_ITEM_REJECTED item of file `path` (record `index`, 0-based; `line`, 1-based; `ocid`
 * may be NULL) with error code `code` and the printf-formatted message, and counts it in
 * stats->rejected (stats may be NULL). Returns 0, or the callback's non-zero return with
 * "path: the callback stopped the read" in e. */
int ocds_emit_rejected(const char *path, size_t index, uint64_t line, const char *ocid, int code,
                       ocds_item_cb cb, void *ctx, ocds_read_stats *stats, err_t *e,
                       const char *fmt, ...) PA_PRINTF(10, 11);

/* Incremental reading, for data that arrives in pieces (a pipe, a socket). Chunks may be
 * cut anywhere (inside a UTF-8 sequence or a token); the items are the same as for one
 * whole buffer. UTF-8 is checked as the bytes arrive, so items before an invalid byte
 * have been handed over when the error is returned.
 *   ocds_reader_new: NULL when out of memory. `name` is copied.
 *   ocds_reader_feed: 0 or an error as ocds_read_file (after an error, stop feeding).
 *   ocds_reader_finish: ends the input (a truncated last value is reported here), fills
 *   stats; 0 or an error as ocds_read_file.
 *   ocds_reader_free: NULL accepted. */
typedef struct ocds_reader ocds_reader;
ocds_reader *ocds_reader_new(const char *name, ocds_item_cb cb, void *ctx);
int ocds_reader_feed(ocds_reader *r, const char *data, size_t len, err_t *e) PA_MUSTCHECK;
int ocds_reader_finish(ocds_reader *r, ocds_read_stats *stats, err_t *e) PA_MUSTCHECK;
void ocds_reader_free(ocds_reader *r);

#endif
