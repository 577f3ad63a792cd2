/* normalise.h - fixes the tolerated quirks of an OCDS release in place (SPEC 3.1).
 *
 * Each fix leaves a data-quality note (model_note) so that an auditor sees what was read
 * differently from what was published. Notes are grouped: one note per code and field
 * pattern (array indices dropped, e.g. "awards[].value.amount"), with the count and the
 * first example in the message.
 *
 *   number_as_string   an amount/quantity given as a string ("123.5") becomes a number
 *   number_unreadable  such a string that is not a plain decimal number ("1.234,50") is
 *                      left as it is (the model mapper then ignores it)
 *   amount_empty       an amount that is "" or null is removed (an absent amount, not 0)
 *   id_as_number       an id given as a number becomes a string: `id` anywhere (release,
 *                      parties, awards, contracts, bids, items, lots, documents,
 *                      identifiers, suppliers, tenderers, buyer, procuringEntity, ...),
 *                      `awardID`, `relatedLot`, `relatedBid`, and items of `relatedLots`
 *   tag_as_string      a `tag` given as a string becomes a one-element array
 *   currency_case      a currency in lower or mixed case ("mdl") is upper-cased ("MDL")
 *   currency_empty     an empty currency ("") is removed
 * Dates are left as strings; the model mapper notes date-only and zone-less dates.
 */
#ifndef PROCAUDIT_OCDS_NORMALISE_H
#define PROCAUDIT_OCDS_NORMALISE_H

#include <stddef.h>

#include "json/json.h"
#include "model.h"
#include "util/err.h"

/* Normalises `release` (a JSON object: a release or a compiled release) in place and
 * appends its notes to the growable array *notes of *n_notes entries (the caller owns it
 * and frees it with model_notes_free; *notes may be NULL with *n_notes 0).
 * Returns 0, ERR_BAD_INPUT (not an object), ERR_LIMIT (nested deeper than
 * 2 * JSON_MAX_DEPTH) or ERR_NOMEM; on failure the release may be partly normalised and
 * the notes gathered so far are kept. */
int ocds_normalise(json_value *release, model_note **notes, size_t *n_notes, err_t *e) PA_MUSTCHECK;

#endif
