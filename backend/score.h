/* score.h - the four-dimension scorer: criteria set + procurement -> evaluation (SPEC §5.2).
 *
 * score_evaluate runs every enabled criterion of a set on one model_procurement (after
 * its applicability filters and validity window, backend/criteria.h), collects the
 * results, and computes:
 *
 *   criterion score   = mean of the scores of its results with status pass or flag
 *                       (a criterion that yields several results, one per lot, award or
 *                       contract, is "covered" when any of them is pass or flag);
 *   dimension score   = sum(w_c * criterion score) / sum(w_c) over the covered criteria
 *                       of the dimension (w_c the criterion weight); none covered ->
 *                       no score ("not assessed");
 *   overall score     = sum(W_d * dimension score) / sum(W_d) over the dimensions that
 *                       have a score (W_d the dimension weight); none -> no score;
 *   coverage          = covered criteria / criteria counted, per dimension and overall,
 *                       where "counted" is every enabled criterion except those not in
 *                       force on the procurement's tender date (validity window);
 *   band              = the set's band of the overall score ("not assessed" without one).
 *
 * not_applicable and insufficient_data results never count as pass. Everything is a pure
 * function of its inputs: the same procurement, set and population give the same
 * evaluation, byte for byte (score_evaluation_json), apart from created_at, which the
 * caller may fix.
 *
 * Population indicators (SPEC §5.3): a score_population holds one state per enabled
 * criterion whose indicator has population hooks. score_pop_add feeds it every
 * procurement of the population scope (only to the criteria that apply to it, after the
 * filters and window), score_pop_finish computes the statistics, then score_evaluate
 * reads them. score_run orchestrates both passes over caller-supplied sources, so that
 * this module never touches the database or files.
 */
#ifndef PROCAUDIT_SCORE_H
#define PROCAUDIT_SCORE_H

#include <stddef.h>

#include "criteria.h"
#include "model.h"
#include "result.h"
#include "util/buf.h"
#include "util/err.h"

typedef struct score_population score_population;

/* A new population for `set` (empty states, one per enabled population criterion; none
 * when the set has no population indicator). Errors: ERR_USAGE (an indicator refused
 * its parameters; the criterion is named), ERR_NOMEM. */
int score_pop_new(score_population **out, const criteria_set *set, err_t *e) PA_MUSTCHECK;
/* Feeds one procurement to every population criterion that applies to it. The states
 * keep what they need (copies), not p. Errors: those of the indicators' pop_add
 * (ERR_NOMEM), prefixed with the criterion id. */
int score_pop_add(score_population *pop, const model_procurement *p, err_t *e) PA_MUSTCHECK;
/* Computes the statistics; call once, after the last score_pop_add. */
int score_pop_finish(score_population *pop, err_t *e) PA_MUSTCHECK;
/* Procurements fed so far. */
size_t score_pop_count(const score_population *pop);
/* 1 when the set has at least one enabled population criterion. */
int score_set_has_population(const criteria_set *set);
void score_pop_free(score_population *pop);

/* Evaluates one procurement. `pop` may be NULL (population criteria then give
 * insufficient_data, saying no population was computed). `lang` NULL means the set's
 * language. `created_at` (ISO 8601 UTC) NULL means now. On success *out is a new
 * evaluation (evaluation_free). Errors: ERR_USAGE (an indicator refused its parameters),
 * ERR_NOMEM; on error *out is NULL. Bad or missing data is never an error: it gives
 * insufficient_data results. */
int score_evaluate(evaluation_t **out, const criteria_set *set, const model_procurement *p,
                   const score_population *pop, const char *lang, const char *created_at,
                   err_t *e) PA_MUSTCHECK;

/* The evaluation as canonical JSON (fixed key order, numbers with %.17g, so equal
 * evaluations give equal bytes). Returns 0 or the buf error (ERR_NOMEM, ERR_LIMIT). */
int score_evaluation_json(buf_t *out, const evaluation_t *ev) PA_MUSTCHECK;

/* --- orchestration over a scope ----------------------------------------------------- */

/* Called by a source once per procurement; return 0 to go on or an error to stop. */
typedef int (*score_visit_fn)(void *vctx, const model_procurement *p, err_t *e);
/* A source of procurements: calls visit(vctx, p, e) for each procurement of its scope,
 * in a stable order, and returns 0 or the first error (its own or visit's). A source is
 * called once or twice by score_run, and must yield the same procurements each time.
 * Records it cannot read are its business (count and skip them). */
typedef int (*score_source_fn)(void *ctx, score_visit_fn visit, void *vctx, err_t *e);
/* Receives each evaluation (borrowed: copy what is kept). 0 or an error to stop. */
typedef int (*score_sink_fn)(void *ctx, const evaluation_t *ev, err_t *e);

typedef struct {
    size_t population; /* procurements fed to the population hooks */
    size_t evaluated;  /* evaluations handed to the sink */
    size_t results;    /* results in them */
    size_t flags;      /* results with status flag */
} score_run_stats;

/* Scores a scope: when the set has population criteria, first feeds every procurement
 * of `pop_src` (the population scope, e.g. all procurements in the database) to the
 * hooks and finishes them; then evaluates every procurement of `eval_src` (the
 * procurements to score, e.g. one buyer's) and hands each evaluation to `sink`.
 * pop_src NULL means eval_src. Stops at the first error (a source, an indicator
 * refusing its parameters, no memory, the sink). stats may be NULL. */
int score_run(const criteria_set *set, const char *lang, const char *created_at, score_source_fn pop_src,
              void *pop_ctx, score_source_fn eval_src, void *eval_ctx, score_sink_fn sink, void *sink_ctx,
              score_run_stats *stats, err_t *e) PA_MUSTCHECK;

#endif
