/* map.h - an OCDS 1.1 compiled release (json_value tree) mapped to a model_procurement.
 *
 * The one mapping into the model: OCDS files give compiled releases directly or through
 * the merge; eForms and native XML are first turned into OCDS releases. The mapping is a
 * pure function of the tree and the code map (no I/O, no globals), so the same input
 * always gives the same model, notes included, in the same order.
 *
 * Hostile data policy: nothing in the tree makes the mapping fail except a missing ocid
 * or a tree that is not an object. Every tolerated quirk becomes a model_note on the
 * procurement (code, OCDS path, sentence):
 *   number_as_string    an amount/quantity/count given as a numeric string (value kept)
 *   number_invalid      a number that is not one (value absent)
 *   id_as_number        an id given as a JSON number (converted to its text)
 *   null_as_string      an id that is the string "null" (absent)
 *   empty_object        a document or amendment with every field empty (dropped)
 *   wrong_type          a field of the wrong JSON type (absent)
 *   string_nul          a string with a NUL byte (cut there)
 *   string_truncated    a string longer than MAP_MAX_STRING (cut at a UTF-8 boundary)
 *   currency_case       currency not in upper case (upper-cased)
 *   currency_invalid    currency not three ASCII letters (dropped)
 *   currency_missing    an amount without a currency
 *   date_only           YYYY-MM-DD (read as 00:00:00Z)
 *   date_no_zone        a datetime with no zone (read as UTC)
 *   date_invalid        unparsable date (absent)
 *   date_implausible    a year outside MAP_MIN_YEAR..MAP_MAX_YEAR, e.g. 0207 (absent)
 *   period_end_before_start  a period whose end is before its start (both kept)
 *   code_mapped         the code map replaced a publisher code (original in *_raw)
 *   code_outside_codelist  a code neither standard nor mapped (kept as it is)
 *   org_id_from_identifier / org_id_from_name  an organisation reference with no id
 *                       (OCDS 1.0): the id is "scheme-id" of its identifier, or its name
 *   party_added         a referenced organisation absent from parties[] was added
 *   party_role_added    a party referenced as buyer/supplier/... lacked that role
 *   party_duplicate_id  two parties share an id (the first wins in model_party_find)
 *   buyer_from_parties / procuring_entity_from_parties  taken from parties[].roles
 *   array_truncated     an array longer than MAP_MAX_ARRAY, or a party with more than
 *                       MAP_MAX_ROLES roles (the rest ignored)
 *   weight_invalid      an award-criterion weight that is not a number or negative
 *   award_criteria_derived  no awardCriteria code: derived from the criteria types
 *                       (price only -> priceOnly, ..., a mix -> ratedCriteria)
 *   notes_truncated     more than MAP_MAX_NOTES notes (the rest dropped)
 * Negative and huge amounts are kept as they are: indicators judge them.
 *
 * Non-standard fields read (documented in docs/native-format.md):
 *   tender.awardCriteria as an object {criteria:[...]} and tender.lots[].awardCriteria
 *   (the shape every reader writes; see model_award_criterion), contracts[].procaudit
 *   .originalValue (-> original_value), contracts[].amendments[].procaudit.amendedValue
 *   or amendments[].value (-> amended_value), releases' procaudit.sourceFormat.
 * OCDS 1.0 forms upgraded: contracts[].amendment (an object), transactions' `amount`,
 *   providerOrganization / receiverOrganization, awards[].relatedBid, organisation
 *   references given by identifier only.
 */
#ifndef PROCAUDIT_OCDS_MAP_H
#define PROCAUDIT_OCDS_MAP_H

#include "json/json.h"
#include "model.h"
#include "ocds/codemap.h"
#include "util/err.h"

#define MAP_MAX_ARRAY 100000        /* elements read from any one array */
#define MAP_MAX_STRING (1u << 20)   /* bytes kept of any one string */
#define MAP_MAX_NOTES 5000          /* notes kept per procurement */
#define MAP_MAX_ROLES 32            /* distinct roles kept per party */
#define MAP_MIN_YEAR 1900           /* plausible years of a procurement date */
#define MAP_MAX_YEAR 2199

/* Maps a compiled release to a new model_procurement (*out, freed by the caller with
 * model_procurement_free). `cm` is the code map (NULL: codemap_default()).
 * source_format is "ocds" unless the release's procaudit.sourceFormat says "eforms" or
 * "native". Errors: ERR_BAD_INPUT (not an object; no ocid: message "ocid: ..."),
 * ERR_NOMEM. On error *out is NULL. */
int model_from_ocds(model_procurement **out, const json_value *compiled, const codemap *cm,
                    err_t *e) PA_MUSTCHECK;

/* Parses an ISO 8601 / RFC 3339 date or datetime: YYYY-MM-DD, or
 * YYYY-MM-DD('T'|' ')hh:mm[:ss[(.|,)fraction]][Z|±hh[:mm]|±hhmm] (24:00:00 is the next
 * midnight; a leap second 60 is accepted). Fractions are dropped (seconds resolution).
 * Sets out->t (UTC seconds) and out->flags (MODEL_DATE_DATE_ONLY, MODEL_DATE_NO_ZONE),
 * out->present = 1. Returns 0, ERR_BAD_INPUT (not such a date, or an impossible one such
 * as 2021-02-30) or ERR_LIMIT (year outside MAP_MIN_YEAR..MAP_MAX_YEAR); then *out is
 * zeroed. */
int map_parse_date(const char *s, model_date *out) PA_MUSTCHECK;

#endif
