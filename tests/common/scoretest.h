/* scoretest.h - integration-test set-up shared by the tests that score what they ingest:
 * load a criteria set from templates/criteria, store it and score every stored
 * procurement under it into the evaluations and results tables. */
#ifndef PROCAUDIT_SCORETEST_H
#define PROCAUDIT_SCORETEST_H

#include "criteria.h"
#include "score.h"
#include "store/store.h"

/* The time every set-up run is stamped with (created_at of the evaluations). */
#define SCORETEST_CREATED_AT "2026-01-01T00:00:00Z"

/* A score_sink_fn writing each evaluation with store_eval_write; ctx is the store. */
int scoretest_sink(void *ctx, const evaluation_t *ev, err_t *e);

/* Loads templates/criteria/<set_file> under pgtest_root() ($PROCAUDIT_ROOT, else "."),
 * stores it (store_eval_put_set) and scores every compiled release of st under it with
 * score_run: language "en", created_at SCORETEST_CREATED_AT, population and evaluation
 * both store_eval_source_each over st, each evaluation written by scoretest_sink.
 * Returns 0, with the set in *set_out when set_out is not NULL (the caller
 * criteria_set_free()s it; else it is freed here) and the run's counts in *stats when
 * stats is not NULL; or -1 with the reason on stderr (*set_out NULL, nothing left
 * allocated). */
int scoretest_score_all(store *st, const char *set_file, criteria_set **set_out,
                        score_run_stats *stats);

#endif
