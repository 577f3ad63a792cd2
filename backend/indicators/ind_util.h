/* ind_util.h - helpers shared by the indicator files (internal to backend/indicators/).
 *
 * Not a public API: only the files of backend/indicators/ include it. It gives
 *  - a result builder (ind_ctx) with sticky failure, so that an indicator reads as a list
 *    of statements and checks for out-of-memory once, at ind_finish;
 *  - the common OCDS readings the red flags share (submitted / valid bids, final awards,
 *    Cardinal's exclusions);
 *  - parameter helpers (pipe-separated lists, "key:value" maps);
 *  - population machinery: a string-keyed hash table and the quantile estimator.
 * Every helper is NULL-safe on the model's optional strings.
 */
#ifndef PROCAUDIT_IND_UTIL_H
#define PROCAUDIT_IND_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "indicators/indicator.h"

/* ---- result builder ---- */

typedef struct {
    result_list *out;
    const indicator_params *prm;
    const model_procurement *p;
    const char *indicator;   /* the indicator's name */
    const char *code;        /* its red-flag code or NULL (default criterion id) */
    err_t *e;
    int failed;              /* an allocation failed: every further call is a no-op */
} ind_ctx;

void ind_ctx_init(ind_ctx *c, result_list *out, const indicator_params *prm,
                  const model_procurement *p, const char *indicator, const char *code, err_t *e);

/* Appends a result for a subject ("procurement" with the ocid when kind is NULL) with
 * the status and its default score (pass 100, flag 0, others 0). NULL after a failure. */
result_t *ind_result(ind_ctx *c, const char *kind, const char *id, result_status st);
/* Each setter accepts r == NULL (no-op) and records failures in c. In terse mode
 * (prm->terse) the texts are skipped; numbers and statuses are always set. */
void ind_measured(ind_ctx *c, result_t *r, double v, const char *unit, const char *fmt, ...) PA_PRINTF(5, 6);
void ind_threshold(ind_ctx *c, result_t *r, double v, const char *fmt, ...) PA_PRINTF(4, 5);
void ind_threshold_text(ind_ctx *c, result_t *r, const char *fmt, ...) PA_PRINTF(3, 4);
void ind_explain(ind_ctx *c, result_t *r, const char *fmt, ...) PA_PRINTF(3, 4);
/* Appends field paths (NULL-terminated list). */
void ind_fields(ind_ctx *c, result_t *r, ...);
void ind_stats(ind_ctx *c, result_t *r, const char *fmt, ...) PA_PRINTF(3, 4);
/* Adds an organisation id the result concerns (result_t.party_ids), once. */
void ind_party(ind_ctx *c, result_t *r, const char *id);
/* Shortcut: one procurement-level result with status st and an explanation. */
result_t *ind_simple(ind_ctx *c, result_status st, const char *fmt, ...) PA_PRINTF(3, 4);
/* 0, or ERR_NOMEM with a message naming the indicator. */
int ind_finish(ind_ctx *c);

/* ---- parameters ---- */

/* 1 when `s` is one of the '|'-separated entries of `list` (exact match). */
int ind_list_has(const char *list, const char *s);
/* 1 when `list` is NULL or empty. */
int ind_list_empty(const char *list);
/* Looks `key` up in "k1:v1|k2:v2" and parses its value as a number: 1 found (in *out),
 * 0 absent, ERR_USAGE malformed (message names the parameter). */
int ind_map_number(const char *map, const char *key, const char *param, double *out, err_t *e);
/* A non-negative whole number parameter. */
int ind_param_count(const indicator_params *p, const char *name, long def, long *out, err_t *e) PA_MUSTCHECK;
/* The value of `name`, else of its alias `alias` (a name the shipped criteria sets use),
 * else def. */
const char *ind_param_alias(const indicator_params *p, const char *name, const char *alias, const char *def);
/* indicator_param_double on `name`, else on `alias`. */
int ind_param_double_alias(const indicator_params *p, const char *name, const char *alias, double def, double *out,
                           err_t *e) PA_MUSTCHECK;
/* 1 when the parameter is present (a fixed threshold instead of a computed fence). */
int ind_param_has(const indicator_params *p, const char *name);

/* ---- common readings ---- */

int ind_streq(const char *a, const char *b);
/* Cardinal's exclusions and ours, shared by every indicator: a cancelled tender
 * (tender.status) when `cancelled` is set, or procurementMethodDetails listed in the
 * global parameter exclude_procurement_method_details. Appends one not_applicable
 * result and returns 1 when excluded; 0 otherwise. */
int ind_excluded(ind_ctx *c, int cancelled);
/* The price-comparison filter of Cardinal (no_price_comparison_procurement_methods /
 * price_comparison_procurement_methods, matched against procurementMethodDetails):
 * 1 when prices may be compared in this procurement. */
int ind_price_comparison(const model_procurement *p, const indicator_params *prm);
/* A bid is submitted when its status is set and is not invited or withdrawn
 * (pending, valid, disqualified: OCDS bidStatus). */
int ind_bid_submitted(const model_bid *b);
int ind_bid_valid(const model_bid *b);
int ind_bid_disqualified(const model_bid *b);
/* Awards of a procurement whose every award is final: 1 and the active awards' indexes
 * in idx (caller array of p->n_awards), *n their count; 0 when an award is pending,
 * invalid or of another status (awards without status are skipped), or there are no
 * bids. Cardinal's get_complete_awards_and_bids_if_all_awards_final. */
int ind_final_awards(const model_procurement *p, size_t *idx, size_t *n);
/* Competitive procedure per a methods list (default "open|selective"). */
int ind_method_in(const model_procurement *p, const char *list);
/* 1 when the procurement publishes anything about its tender beyond a status (an id,
 * title, description, method, items, lots, value, dates, documents or award criteria). */
int ind_has_tender(const model_procurement *p);
/* Days b - a (both present). */
double ind_days(model_date a, model_date b);
/* Text of a date "YYYY-MM-DD HH:MM" UTC into buf. */
const char *ind_date_text(model_date d, char *buf, size_t n);
/* Amount text "1234.50 EUR" into buf. */
const char *ind_amount_text(double v, const char *cur, char *buf, size_t n);
/* 1 when v is finite and |v| < 1e15 (a usable amount). */
int ind_amount_ok(const model_amount *a);

/* Whether the winner/lowest-other-bid ratio of R024/R058 exists for p: 1 with *ratio,
 * winner id and lowest other id; 0 when not computable (reasons in Cardinal's R024). */
int ind_second_lowest_ratio(const model_procurement *p, const indicator_params *prm,
                            double *ratio, const char **winner, const char **other);

/* ---- population machinery (population.c) ---- */

typedef struct ind_hash ind_hash;
/* A string-keyed hash table; values are fixed-size blocks of `value_size` bytes, zeroed
 * on insertion. Keys are copied. NULL when out of memory. */
ind_hash *ind_hash_new(size_t value_size);
void ind_hash_free(ind_hash *h, void (*value_dispose)(void *value));
/* The value block of key (inserted zeroed when absent and create is set), or NULL
 * (absent, or out of memory when create). */
void *ind_hash_get(ind_hash *h, const char *key, int create);
size_t ind_hash_count(const ind_hash *h);
/* Iterates: i from 0 while ind_hash_at returns 1. */
int ind_hash_at(const ind_hash *h, size_t *i, const char **key, void **value);

/* A growable array of doubles. */
typedef struct {
    double *v;
    size_t n, cap;
} ind_vec;
int ind_vec_push(ind_vec *a, double x) PA_MUSTCHECK;
void ind_vec_dispose(ind_vec *a);
/* Sorts ascending (NaN never enters: callers only push finite values). */
void ind_vec_sort(ind_vec *a);
/* Quantile tau (0..1) of sorted values: Hyndman & Fan type 8 (approximately
 * median-unbiased), as statrs' Data::quantile that Cardinal uses; NaN when empty. */
double ind_quantile(const double *sorted, size_t n, double tau);

/* Tukey fences of a sorted sample: q1, q3 and q1 - 1.5 IQR / q3 + 1.5 IQR. */
typedef struct {
    size_t n;
    double q1, q3, lower, upper;
} ind_fences;
void ind_fences_of(const double *sorted, size_t n, ind_fences *f);

/* ---- the indicators (one file per dimension; the table is in registry.c) ---- */

#define IND_EVAL(fn) int fn(const model_procurement *p, const indicator_params *prm, \
                            const void *pop, result_list *out, err_t *e)
#define IND_POP(prefix) \
    void *prefix##_pop_new(const indicator_params *prm, err_t *e); \
    int prefix##_pop_add(void *state, const model_procurement *p, err_t *e); \
    int prefix##_pop_finish(void *state, err_t *e); \
    void prefix##_pop_free(void *state); \
    int prefix##_pop_results(const void *state, const indicator_params *prm, result_list *out, err_t *e)

/* procedure.c */
IND_EVAL(ind_submission_period);
IND_EVAL(ind_single_bid);
IND_EVAL(ind_non_competitive_method);
IND_EVAL(ind_tender_not_published);
IND_EVAL(ind_decision_period);
IND_EVAL(ind_timeline_coherence);
IND_EVAL(ind_repeat_direct_awards);
IND_POP(ind_rda);
/* content.c */
IND_EVAL(ind_specification_completeness);
IND_EVAL(ind_documents_published);
IND_EVAL(ind_scope_consistency);
IND_EVAL(ind_split_purchases);
IND_POP(ind_split);
IND_EVAL(ind_heterogeneous_supplier);
IND_POP(ind_r048);
/* price.c */
IND_EVAL(ind_award_vs_estimate);
IND_EVAL(ind_contract_value_increase);
IND_EVAL(ind_payments_exceed_contract);
IND_EVAL(ind_just_below_threshold);
IND_EVAL(ind_price_close_to_winning_bid);
IND_EVAL(ind_heavily_discounted_bid);
IND_POP(ind_r024);
IND_POP(ind_r058);
IND_EVAL(ind_identical_bid_prices);
/* evaluation.c */
IND_EVAL(ind_award_criteria_published);
IND_EVAL(ind_price_only_award);
IND_EVAL(ind_lowest_bid_disqualified);
IND_EVAL(ind_all_except_winner_disqualified);
IND_EVAL(ind_late_bid_won);
IND_EVAL(ind_excessive_disqualified_bids);
IND_POP(ind_r038);
IND_EVAL(ind_excessive_unsuccessful_bids);
IND_POP(ind_r025);
IND_EVAL(ind_evaluation_report_published);
IND_EVAL(ind_performance_monitoring);
/* generic.c */
IND_EVAL(ind_field_present);
IND_EVAL(ind_date_difference);
IND_EVAL(ind_value_in_list);
IND_EVAL(ind_amount_ratio);

#endif
