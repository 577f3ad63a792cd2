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
    char **party_ids;       /* organisations the result concerns (e.g. the tenderers with
                               identical bid prices, the winner of a late bid), or NULL */
    size_t n_party_ids;
} result_t;

void result_dispose(result_t *r);
const char *result_status_name(result_status s);  /* "pass", "flag", ... */
const char *dimension_name(dimension d);          /* "procedure", "content", ... */

#endif

#ifndef PROCAUDIT_RESULT_EVAL
#define PROCAUDIT_RESULT_EVAL

typedef enum { SEVERITY_LOW = 0, SEVERITY_MEDIUM = 1, SEVERITY_HIGH = 2 } severity;

/* The auditor's texts of one criterion, in the language the evaluation was asked in:
 * copied from the criteria set so that a report needs nothing else. */
typedef struct {
    char *criterion_id;
    char *indicator;
    dimension dim;
    double weight;
    severity sev;
    char *title;
    char *why;               /* why it matters: the risk or effect */
    char *check;             /* what to check by hand */
    char *recommendation;
    char *source;            /* legal basis or published source (red-flag code, regulation) */
    char *params_text;       /* the parameters as used, e.g. "minimum_days=15" */
} criterion_info;

/* One evaluation: all results for one procurement under one criteria-set version. */
typedef struct {
    char *ocid;
    char *set_id;
    char *set_version;
    char *set_sha256;        /* hex SHA-256 of the criteria-set file bytes */
    char *set_title;
    char *language;          /* the language of the texts ("en", "zh") */
    char *created_at;        /* ISO 8601 UTC */
    criterion_info *criteria;
    size_t n_criteria;       /* criteria enabled in the set */
    result_t *results;
    size_t n_results;
    int has_dim_score[DIM_COUNT];
    double dim_score[DIM_COUNT];     /* 0..100 */
    double dim_coverage[DIM_COUNT];  /* 0..1: criteria with pass/flag ÷ enabled */
    int has_overall;
    double overall;                  /* 0..100 */
    double coverage;                 /* 0..1 */
    char *band;                      /* risk band label */
} evaluation_t;

/* Frees everything an evaluation owns, then the struct. NULL is accepted. */
void evaluation_free(evaluation_t *ev);
void criterion_info_dispose(criterion_info *c);

#endif
