/* result.h - what a criterion says about one subject, and an evaluation of a procurement.
 *
 * Shapes shared by the indicators (backend/indicators/), the scorer (backend/score.c),
 * the store (backend/store/) and the reports (reports/). SPEC §5.2.
 * Everything is owned by the enclosing struct; result_dispose / evaluation_free free it.
 */
#ifndef PROCAUDIT_RESULT_H
#define PROCAUDIT_RESULT_H

#include <stddef.h>

typedef enum {
    RESULT_PASS = 0,              /* the rule holds */
    RESULT_FLAG = 1,              /* the rule is broken: a red flag */
    RESULT_NOT_APPLICABLE = 2,    /* the rule does not concern this procurement */
    RESULT_INSUFFICIENT_DATA = 3  /* it does, but the data needed is missing */
} result_status;

typedef enum {
    DIM_PROCEDURE = 0,
    DIM_CONTENT = 1,
    DIM_PRICE = 2,
    DIM_EVALUATION = 3,
    DIM_COUNT = 4
} dimension;

typedef struct {
    char *criterion_id;     /* the criterion's id in its set, e.g. "R003" */
    char *indicator;        /* the indicator it used, e.g. "submission_period" */
    dimension dim;
    char *subject_kind;     /* "procurement", "lot", "award", "contract", "buyer", "tenderer" */
    char *subject_id;       /* the ocid, or the id of the lot/award/contract/party */
    result_status status;
    double score;           /* 0..100: pass 100, flag 0, or graded */
    int has_measured;
    double measured;        /* the measured value, in `unit` */
    char *measured_text;    /* the measured value as printed, with unit ("9 days") */
    char *unit;             /* "days", "ratio", "count", "EUR", ... */
    char *threshold_text;   /* the threshold or fence compared with ("< 15 days") */
    int has_threshold;
    double threshold;
    char *explanation;      /* one plain sentence */
    char **fields;          /* the OCDS paths read */
    size_t n_fields;
    char *stats_json;       /* population statistics used (JSON object text), or NULL */
} result_t;

void result_dispose(result_t *r);
const char *result_status_name(result_status s);  /* "pass", "flag", ... */
const char *dimension_name(dimension d);          /* "procedure", "content", ... */

#endif
