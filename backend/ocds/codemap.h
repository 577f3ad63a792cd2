/* codemap.h - publisher codes to OCDS codelist codes (SPEC §3.1 "configurable code map").
 *
 * Publishers fill codelist fields with their own words: a bid status `Qualified` that
 * means `valid`, a procurement method `Licitaţie publică` that means `open`, an award
 * criterion with a typo (`bestValueToGoverment`). Indicators need the standard codes, so
 * the mapper (ocds/map.c) passes every such field through a code map first. The map is an
 * XML file an operator edits without recompiling (templates/codemap.xml documents the
 * format and is the same as the built-in map codemap_default()).
 *
 * Resolution of a raw value for one list, in this order:
 *   1. an entry of the map whose `from` equals the value (ASCII case-insensitive, outer
 *      white space ignored) -> CODEMAP_MAPPED with the entry's `to`;
 *   2. the value is a code of the standard codelist, exactly -> CODEMAP_STANDARD;
 *   3. it equals a standard code but for ASCII case or outer white space
 *      -> CODEMAP_MAPPED with the standard spelling;
 *   4. otherwise -> CODEMAP_OUTSIDE (the caller keeps the value and notes it).
 * Step 1 comes first so that a map can also replace deprecated codes (OCDS 1.0
 * `lowestCost` -> `priceOnly`).
 *
 * The standard codelists are embedded (OCDS 1.1.5 codelists method, awardStatus,
 * awardCriteria, procurementCategory, tenderStatus, contractStatus; bidStatus of the
 * OCDS bids extension), deprecated codes included.
 */
#ifndef PROCAUDIT_OCDS_CODEMAP_H
#define PROCAUDIT_OCDS_CODEMAP_H

#include <stddef.h>

#include "util/err.h"

typedef enum {
    CODEMAP_METHOD = 0,        /* tender.procurementMethod (codelist method) */
    CODEMAP_BID_STATUS = 1,    /* bids.details[].status (bids extension bidStatus) */
    CODEMAP_AWARD_STATUS = 2,  /* awards[].status (awardStatus) */
    CODEMAP_AWARD_CRITERIA = 3,/* tender.awardCriteria (awardCriteria) */
    CODEMAP_CATEGORY = 4,      /* tender.mainProcurementCategory (procurementCategory) */
    CODEMAP_TENDER_STATUS = 5, /* tender.status (tenderStatus) */
    CODEMAP_CONTRACT_STATUS = 6,/* contracts[].status (contractStatus) */
    CODEMAP_N_LISTS = 7        /* the number of lists, not a list */
} codemap_list;

typedef enum {
    CODEMAP_STANDARD = 0,      /* the value is a standard code as it stands */
    CODEMAP_MAPPED = 1,        /* the value was replaced by a standard code */
    CODEMAP_OUTSIDE = 2        /* not a standard code and no entry maps it */
} codemap_result;

typedef struct codemap codemap;

/* Longest `from` value accepted in a map file, in bytes. */
#define CODEMAP_MAX_VALUE 512
/* Largest map file accepted, in bytes. */
#define CODEMAP_MAX_FILE (4u * 1024u * 1024u)

/* Loads a code map file (format: templates/codemap.xml). The file replaces the built-in
 * map (it does not add to it). Read with libxml2, network off, no DTD allowed, no entity
 * expansion. Every error is reported as "file:line: message" in e:
 * ERR_IO (unreadable), ERR_LIMIT (larger than CODEMAP_MAX_FILE), ERR_BAD_INPUT (not
 * well-formed XML, a DOCTYPE, an unknown list name, a `to` that is not a code of the
 * list's standard codelist, an empty or over-long `from`, the same `from` twice in one
 * list), ERR_NOMEM. On success *out is a new map the caller frees with codemap_free;
 * on failure *out is NULL. */
int codemap_load(codemap **out, const char *path, err_t *e) PA_MUSTCHECK;

/* The same from a buffer of len bytes; `name` stands for the file name in messages. */
int codemap_load_buffer(codemap **out, const char *xml, size_t len, const char *name,
                        err_t *e) PA_MUSTCHECK;

/* Frees a loaded map. NULL and codemap_default() are accepted (no-op). */
void codemap_free(codemap *cm);

/* The built-in map (static, never freed), used when no file is configured. */
const codemap *codemap_default(void);

/* The code map in force for this process, loaded once on first use (thread-safe):
 * the file named by $PROCAUDIT_CODEMAP; else "codemap.xml" in the templates folder,
 * searched as criteria sets are ($PROCAUDIT_TEMPLATES, ../templates beside the running
 * executable, $PROCAUDIT_ROOT/templates, ./templates); else the built-in map
 * (codemap_default). A file that exists but does not load is reported once on stderr as
 * "file:line: message" and the built-in map is used, so a bad edit never stops ingest
 * but is never silent. Never NULL; owned by the module (do not free). The mapper and
 * ingest use it whenever their caller passes no map. */
const codemap *codemap_active(void);

/* Resolves `raw` for `list` as described above. *code receives the standard code for
 * CODEMAP_STANDARD and CODEMAP_MAPPED (a static or map-owned string valid while the map
 * lives), NULL for CODEMAP_OUTSIDE. A NULL cm means codemap_default(). raw must not be
 * NULL. */
codemap_result codemap_resolve(const codemap *cm, codemap_list list, const char *raw,
                               const char **code);

/* 1 when `code` is exactly a code of the list's standard codelist. */
int codemap_in_codelist(codemap_list list, const char *code);

/* The list's name as used in map files and notes ("procurementMethod", "bidStatus",
 * "awardStatus", "awardCriteria", "mainProcurementCategory", "tenderStatus",
 * "contractStatus"); "?" for an out-of-range value. */
const char *codemap_list_name(codemap_list list);

/* The number of entries of a map (for `criteria check`-style printing and tests). */
size_t codemap_size(const codemap *cm);

/* Entry i (0 <= i < codemap_size) of a map: its list, `from` (trimmed) and `to`, all
 * owned by the map. Returns 0, or ERR_NOT_FOUND when i is out of range. Loaded maps
 * list their entries sorted by list and from; the built-in map in its own order. */
int codemap_entry_at(const codemap *cm, size_t i, codemap_list *list, const char **from,
                     const char **to);

#endif
