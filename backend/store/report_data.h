/* report_data.h - what a PDF report needs, read from PostgreSQL: the procurement model,
 * its latest evaluation, and the report_context (data sources, frequency in perspective,
 * population statistics, a buyer's portfolio). The reports module (reports/) never
 * touches the database; this is the only place that fills its inputs from it.
 *
 * Tables read (migrations 001 and 002): compiled_releases, procurements, releases,
 * ingested_files, quality_notes, evaluations, results. Every statement goes through
 * store_exec (PQexecParams with $n parameters).
 *
 * Population and frequency counts use, for each ocid, its latest evaluation under the
 * same criteria set id (SPEC §4: the latest per (procurement, set) is the one shown).
 */
#ifndef PROCAUDIT_STORE_REPORT_DATA_H
#define PROCAUDIT_STORE_REPORT_DATA_H

#include "model.h"
#include "report.h"
#include "result.h"
#include "store/store.h"
#include "util/err.h"

/* Loads the procurement `ocid` for a procurement audit report: *p_out the compiled
 * release mapped with model_from_ocds (its data-quality notes followed by the stored
 * quality_notes of the ocid that the mapping does not repeat), *ev_out its latest
 * evaluation under `set_id` (NULL: under any set), and fills ctx (initialised by the
 * caller with report_context_init; audience and generated_at are left as they are):
 * sources (files whose releases built it: base name, format, SHA-256), buyer_total and
 * frequencies (over the buyer's procurements under the same set id), population
 * statistics (all procurements under the same set id; population_scope = the set id).
 * On failure *p_out and *ev_out are NULL and ctx keeps what was filled (dispose it).
 * Errors: ERR_NOT_FOUND (no compiled release, or no evaluation: the message says to run
 * `procaudit score`), ERR_BAD_INPUT (stored JSON that does not parse or map), ERR_DB,
 * ERR_DB_UNAVAILABLE, ERR_NOMEM. */
int store_report_procurement(store *st, const char *ocid, const char *set_id,
                             model_procurement **p_out, evaluation_t **ev_out,
                             report_context *ctx, err_t *e) PA_MUSTCHECK;

/* Loads a buyer report: ctx->buyer_id/name, the period (from/to: ISO dates, inclusive,
 * on the tender publication date or else the release date; NULL for open ends), one row
 * per procurement of the buyer with a latest evaluation under `set_id` (NULL: the set
 * of the buyer's most recent evaluation), in ocid order, and the population statistics.
 * *set_out is the latest evaluation of one of those procurements (criteria texts and set
 * identity for the method appendix), or NULL when the buyer has none.
 * Errors: ERR_NOT_FOUND (no procurement of this buyer), ERR_USAGE (a malformed date),
 * ERR_DB, ERR_DB_UNAVAILABLE, ERR_NOMEM. */
int store_report_buyer(store *st, const char *buyer_id, const char *set_id, const char *from,
                       const char *to, evaluation_t **set_out, report_context *ctx,
                       err_t *e) PA_MUSTCHECK;

#endif
