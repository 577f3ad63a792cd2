/* indicator.h - the built-in indicators: pure functions of a procurement and parameters.
 *
 * An indicator reads a model_procurement (never the database or files) and the
 * parameters its criterion gives, and appends results (one per subject: the procurement,
 * or one of its lots, awards, contracts, bids) to a result list. Population indicators
 * (SPEC §5.3) first see every procurement of the scope through pop_add, then pop_finish
 * computes their statistics (quartiles, Tukey fences), then evaluate runs per procurement
 * with that state; the statistics used go into result_t.stats_json.
 *
 * The registry (indicator_find) lists every indicator of SPEC §5.4 and the generic rule
 * kinds of §5.1 (field_present, date_difference, value_in_list, amount_ratio).
 */
#ifndef PROCAUDIT_INDICATOR_H
#define PROCAUDIT_INDICATOR_H

#include <stddef.h>

#include "model.h"
#include "result.h"
#include "util/err.h"

/* Parameters of one criterion: name/value text pairs as written in the criteria set.
 * Owned by the criteria set; indicators only read them. */
typedef struct {
    const char *name;
    const char *value;
} indicator_param;

typedef struct {
    const indicator_param *items;
    size_t n;
    const char *criterion_id;   /* copied into each result */
    dimension dim;              /* the dimension the criterion sits in */
    int terse;                  /* 1: fill statuses and numbers only, skip the texts
                                   (explanation, fields, measured/threshold text): for
                                   bulk runs that print values (procaudit indicators
                                   --format cardinal). 0 for evaluations that are kept. */
} indicator_params;

/* A growable list of results an indicator appends to; the caller owns it and frees it
 * with result_list_dispose (which disposes every result). */
typedef struct {
    result_t *items;
    size_t n, cap;
} result_list;

void result_list_dispose(result_list *l);
/* Appends a zeroed result and returns it (NULL when out of memory). */
result_t *result_list_add(result_list *l);

/* Parameter accessors: the value of `name`, or `def` when absent. A present but
 * malformed value is an error (ERR_USAGE with the parameter named in e). */
const char *indicator_param_str(const indicator_params *p, const char *name, const char *def);
int indicator_param_double(const indicator_params *p, const char *name, double def, double *out, err_t *e) PA_MUSTCHECK;

/* Describes one parameter an indicator reads (for `criteria check`, docs and checks of
 * unknown names). */
typedef struct {
    const char *name;           /* e.g. "threshold" */
    const char *def;            /* default as text, or NULL when there is none */
    const char *help;           /* one line, with the unit */
} indicator_param_doc;

typedef struct indicator_def {
    const char *name;           /* e.g. "submission_period" */
    dimension dim;              /* its natural dimension */
    const char *red_flag;       /* published code ("R003") or NULL */
    const char *summary;        /* one line, for `criteria check` and docs */
    /* Appends this procurement's results to out. pop_state is NULL for indicators
     * without a population. Returns 0, or an err_code for a bad parameter / no memory
     * (never for bad data: missing data is RESULT_INSUFFICIENT_DATA). */
    int (*evaluate)(const model_procurement *p, const indicator_params *prm,
                    const void *pop_state, result_list *out, err_t *e);
    /* Population hooks (all NULL for per-procurement indicators). */
    void *(*pop_new)(const indicator_params *prm, err_t *e);
    int (*pop_add)(void *state, const model_procurement *p, err_t *e);
    int (*pop_finish)(void *state, err_t *e);
    void (*pop_free)(void *state);
    const indicator_param_doc *params;  /* the parameters read, NULL-name terminated */
    /* Optional (NULL for most): the results the population alone determines, after
     * pop_finish, for runs that print only values and flags in one pass over the input
     * (procaudit indicators --format cardinal). Organisation-level indicators (R025,
     * R038, R048) give one result per organisation judged; R024/R058 give one result
     * per procurement that had a bid ratio, which their state keeps (ocid, ratio,
     * winner) only when the parameters given to pop_new had `terse` set. Results as
     * evaluate would give them (same statuses, values and subjects), in a stable order. */
    int (*pop_results)(const void *state, const indicator_params *prm, result_list *out, err_t *e);
} indicator_def;

/* The definition named `name`, or NULL. */
const indicator_def *indicator_find(const char *name);
/* Every definition, in a stable order; *n receives the count. */
const indicator_def *indicator_all(size_t *n);
/* The definition whose red-flag code is `code` ("R024"), or NULL. */
const indicator_def *indicator_find_code(const char *code);
/* 1 when `name` is a parameter of def or a global one (exclude_procurement_method_details,
 * no_price_comparison_procurement_methods, price_comparison_procurement_methods). */
int indicator_param_known(const indicator_def *def, const char *name);

#endif
