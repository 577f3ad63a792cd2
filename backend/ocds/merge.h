/* merge.h - the OCDS merge routine: releases of one ocid -> a compiled release.
 *
 * Rules (OCDS 1.1 "Merging", https://standard.open-contracting.org/1.1/en/schema/merging/):
 *  - releases are applied in `date` order, oldest first; releases with equal dates (or no
 *    date) keep their input order (a stable sort), so the later one in the input wins;
 *  - objects are merged field by field, recursively;
 *  - an array whose items are all objects with an `id` is merged by `id`: an item with
 *    the id of an earlier item is merged into it (recursively), a new id is appended;
 *    every other array (strings, numbers, objects without ids, mixed) replaces the
 *    earlier value as a whole;
 *  - a field whose later value is `null` is removed from the compiled release;
 *  - the compiled release gets `tag: ["compiled"]`, `date` = the latest release date and
 *    `id` = `<ocid>-<latest date>` (the identifier OCDS recommends for compiled releases).
 *  Fields of the releases that only describe a release (`id`, `date`, `tag`) are not
 *  merged from the releases; `ocid` comes from the releases (the first non-empty one).
 *
 * Dates are compared as text: OCDS dates are ISO 8601 / RFC 3339, so text order is time
 * order for dates written in the same zone and precision (the common case).
 */
#ifndef PROCAUDIT_OCDS_MERGE_H
#define PROCAUDIT_OCDS_MERGE_H

#include <stddef.h>

#include "json/json.h"
#include "util/err.h"

/* Merges n releases (JSON objects, not modified) into a new compiled release *out that
 * the caller frees with json_free. n may be 1. Errors: ERR_BAD_INPUT (n == 0, or a
 * release that is not an object), ERR_LIMIT (nesting deeper than JSON_MAX_DEPTH),
 * ERR_NOMEM. On failure *out is NULL. */
int ocds_merge(json_value **out, json_value *const *releases, size_t n, err_t *e) PA_MUSTCHECK;

/* Reduces a versioned release (each versioned field an array of
 * {releaseID, releaseDate, releaseTag, value}) to its current values: the last entry of
 * each history; a last value of null removes the field. Arrays of objects with `id` are
 * kept as arrays whose items are reduced in turn. Adds `tag: ["compiled"]`, and `date` and
 * `id` (`<ocid>-<latest releaseDate>`) when absent. *out is new (caller frees).
 * Errors: ERR_BAD_INPUT (not an object), ERR_LIMIT (depth), ERR_NOMEM. */
int ocds_versioned_to_compiled(json_value **out, const json_value *versioned, err_t *e) PA_MUSTCHECK;

/* 1 when v looks like a versioned release: some field (searched to a bounded depth) holds
 * a history array of objects with `releaseDate` and `value`. */
int ocds_is_versioned(const json_value *v);

#endif
