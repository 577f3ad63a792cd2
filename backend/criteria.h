/* criteria.h - criteria sets: loading, validation, applicability and texts (SPEC §5.1).
 *
 * A criteria set is one XML file (format: docs/criteria.md, schema:
 * templates/criteria/criteria-set.xsd). criteria_load_file parses it with libxml2
 * (XML_PARSE_NONET, no entity substitution, no DTD), validates it against the XSD, then
 * checks its meaning (known indicators, weights, bands covering 0..100, duplicate ids,
 * validity windows). Every error is reported as "file:line: message".
 *
 * A loaded criteria_set is immutable and owns everything it points to; the scorer
 * (backend/score.c) reads it, several threads may read one set at once, and
 * criteria_set_free releases it. The daemon loads a new set on reload and swaps only
 * when the load succeeded (the old set stays in force when the new file is bad).
 */
#ifndef PROCAUDIT_CRITERIA_H
#define PROCAUDIT_CRITERIA_H

#include <stddef.h>
#include <stdint.h>

#include "indicators/indicator.h"
#include "model.h"
#include "result.h"
#include "util/buf.h"
#include "util/err.h"

/* Limits applied to every file (hostile input). */
#define CRITERIA_MAX_FILE_BYTES (4u * 1024u * 1024u)
#define CRITERIA_MAX_ERRORS 100 /* errors collected before giving up */

/* A text in one language (<title lang="zh">, <label lang="en">). */
typedef struct {
    char *lang;
    char *text;
} criteria_label;

/* The auditor's texts of a criterion in one language (<text lang>). Absent fields are
 * NULL; criteria_info_fill falls back to the set's default language field by field. */
typedef struct {
    char *lang;
    char *title;
    char *why;   /* why it matters: the risk or effect */
    char *check; /* what to check by hand */
    char *recommendation;
    char *source; /* legal basis or published source */
} criteria_text;

/* Applicability filters (<applies_to>); a list with n == 0 is "no filter". */
typedef struct {
    char **methods; /* tender.procurementMethod codes */
    size_t n_methods;
    char **categories; /* mainProcurementCategory: goods | works | services */
    size_t n_categories;
    char **prefixes; /* item classification prefixes */
    size_t n_prefixes;
    char *prefix_scheme; /* scheme the prefixes belong to, or NULL (any) */
    int has_value_range;
    int has_value_min, has_value_max;
    double value_min, value_max; /* in value_currency when it is not "" */
    char value_currency[8];
    char **buyer_kinds; /* eForms BT-11 buyer legal type codes (or TED CA_TYPE codes), matched
                           against model_procurement.buyer_kind without case */
    size_t n_buyer_kinds;
    char **statuses; /* tender.status codes or stages awarded|contracted|implementation */
    size_t n_statuses;
} criteria_filters;

/* One criterion of a set. */
typedef struct {
    char *id;
    char *indicator_name;
    const indicator_def *indicator; /* from indicator_find; never NULL in a loaded set */
    dimension dim;                  /* the dimension it sits in */
    double weight;                  /* > 0 */
    severity sev;
    int enabled;
    indicator_param *params; /* names and values owned by the set */
    size_t n_params;
    criteria_filters filters;
    int has_from, has_to;
    int64_t from_t;                  /* effective_from at 00:00:00 UTC, seconds */
    int64_t to_t;                    /* effective_to at 23:59:59 UTC (inclusive day) */
    char from_text[16], to_text[16]; /* "YYYY-MM-DD" or "" */
    criteria_text *texts;
    size_t n_texts;
    int line; /* line of <criterion> in the file */
} criterion_def;

typedef struct {
    double min, max; /* 0..100; min <= score < max (last band includes 100) */
    criteria_label *labels;
    size_t n_labels;
} criteria_band;

typedef struct {
    double weight; /* >= 0 */
    criteria_label *labels;
    size_t n_labels;
} criteria_dimension;

typedef struct {
    char *path; /* the file it was loaded from (or the name given) */
    char *id;
    char *version;
    char *language;  /* default language */
    char sha256[65]; /* hex SHA-256 of the file bytes */
    criteria_label *titles;
    size_t n_titles;
    criteria_label *descriptions;
    size_t n_descriptions;
    criteria_band *bands; /* sorted by min */
    size_t n_bands;
    criteria_dimension dims[DIM_COUNT];
    criterion_def *criteria; /* in file order (dimension by dimension) */
    size_t n_criteria;
    char *content; /* the file bytes (NUL-terminated), for storage */
    size_t content_len;
} criteria_set;

/* Loads and checks a criteria set from `path`, validating it against the XSD at
 * `xsd_path` (NULL: criteria-set.xsd beside the file, then criteria_find_template).
 * On success *out is a new set (criteria_set_free). On failure *out is NULL, every
 * error found is appended to `errors` (one "file:line: message" per line; may be NULL)
 * and e holds the first error and the count.
 * Errors: ERR_IO (unreadable file or XSD), ERR_LIMIT (file above
 * CRITERIA_MAX_FILE_BYTES), ERR_BAD_INPUT (not well-formed, XSD-invalid or a semantic
 * error), ERR_NOMEM. */
int criteria_load_file(criteria_set **out, const char *path, const char *xsd_path, buf_t *errors,
                       err_t *e) PA_MUSTCHECK;

/* The same from bytes in memory; `name` is used in messages and as the set's path.
 * `xsd_path` must be given (or NULL for criteria_find_template's XSD). */
int criteria_load_memory(criteria_set **out, const char *name, const char *data, size_t len,
                         const char *xsd_path, buf_t *errors, err_t *e) PA_MUSTCHECK;

void criteria_set_free(criteria_set *s);

/* Finds a template file under criteria/ (e.g. "international-red-flags.xml" or
 * "criteria-set.xsd") in, in order: $PROCAUDIT_TEMPLATES, ../templates beside the
 * running executable (/proc/self/exe; also ../../templates, for build/tests/),
 * $PROCAUDIT_ROOT/templates, ./templates. Writes the path to `out`.
 * Errors: ERR_NOT_FOUND (with the places searched in e), ERR_NOMEM. */
int criteria_find_template(buf_t *out, const char *name, err_t *e) PA_MUSTCHECK;

/* Resolves a --criteria argument: an existing file path is used as is; otherwise a set
 * id ("public-services") is looked up as criteria/<id>.xml with criteria_find_template;
 * NULL means the default set, international-red-flags. Errors: ERR_NOT_FOUND, ERR_NOMEM. */
int criteria_resolve(buf_t *out, const char *file_or_id, err_t *e) PA_MUSTCHECK;

/* Why a criterion does or does not judge a procurement. */
typedef enum {
    CRITERIA_APPLIES = 0,        /* run the indicator */
    CRITERIA_NOT_APPLICABLE = 1, /* a filter does not match: RESULT_NOT_APPLICABLE */
    CRITERIA_NOT_IN_FORCE = 2,   /* tender date outside the validity window:
                                    RESULT_NOT_APPLICABLE, not counted as enabled */
    CRITERIA_UNDECIDABLE = 3     /* data needed by a filter or the window is missing:
                                    RESULT_INSUFFICIENT_DATA */
} criteria_applicability;

/* Decides whether criterion `c` judges procurement `p`: the validity window first (the
 * tender date: tender.datePublished, else tender.tenderPeriod.startDate, else the
 * compiled release date), then every filter of <applies_to>. For anything but
 * CRITERIA_APPLIES, a plain sentence giving the reason is written to `reason` (may be
 * NULL), and the OCDS field concerned to `field` (may be NULL). Never fails: a reason
 * that does not fit is truncated. Pure: reads only c and p. */
criteria_applicability criteria_applies(const criterion_def *c, const model_procurement *p, char *reason,
                                        size_t reason_size, char *field, size_t field_size);

/* The tender date used for the validity window; {0} (present == 0) when none. */
model_date criteria_tender_date(const model_procurement *p);

/* The text of `labels` in `lang`, else in `fallback`, else the first; NULL when n == 0. */
const char *criteria_label_for(const criteria_label *labels, size_t n, const char *lang,
                               const char *fallback);

/* Fills *out (caller-owned; criterion_info_dispose) with the criterion's texts in
 * `lang` (falling back field by field to the set's language) and its parameters as
 * "name=value; ..." text. Returns 0 or ERR_NOMEM (then *out is disposed). */
int criteria_info_fill(criterion_info *out, const criteria_set *s, const criterion_def *c,
                       const char *lang) PA_MUSTCHECK;

/* The risk band label of an overall score in `lang`; "not assessed" when has_score is 0. */
const char *criteria_band_label(const criteria_set *s, int has_score, double score, const char *lang);

/* A criterion's parameter value, or NULL. */
const char *criteria_param(const criterion_def *c, const char *name);

/* Number of enabled criteria in dimension d (all dimensions when d == DIM_COUNT). */
size_t criteria_enabled_count(const criteria_set *s, dimension d);

#endif
