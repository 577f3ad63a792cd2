/* report_fixture.h - procurements and evaluations built in C for the report tests and
 * the report benchmark (no database). Included by tests/unit/test_report_*.c and
 * bench/reports.c; everything is static inline so each includer takes what it uses.
 *
 * The fixture procurement (values chosen so that the tests can assert them by hand):
 *  - ocid "ocds-fx0001-2024-017", buyer "Ayuntamiento de Álora", supplier
 *    "Cooperativa Ñandú S.L."; contact "María Pérez Gómez", maria.perez@alora.es,
 *    +34 952 49 61 00 (personal data: must vanish from the public audience).
 *  - tender value 100,000.00 EUR; award 118,000.00 EUR (ratio 1.18).
 *  - criteria: R003 (procedure, high) flag "9 days" vs "< 15 days"; R018 (procedure, high)
 *    pass; C01 (content, medium) insufficient data; P01 (price, medium) flag "1.18" vs
 *    "> 1.10"; P02 (price, high) flag "1.35" vs "> 1.20"; E01 (evaluation, low) not
 *    applicable.
 *  - dimension scores: procedure (0 + 100) / 2 = 50.0; price (0 + 0) / 2 = 0.0; content
 *    and evaluation not assessed; overall = mean of existing dimensions = (50 + 0) / 2 =
 *    25.0; coverage 4 of 6 = 0.6667.
 */
#ifndef PROCAUDIT_TEST_REPORT_FIXTURE_H
#define PROCAUDIT_TEST_REPORT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "report.h"
#include "result.h"

#define FX_OCID "ocds-fx0001-2024-017"
#define FX_SHA "5d41402abc4b2a76b9719d911017c592ae2b5b5f7e0a6f0c7d2e1b3a4c5d6e7f"
#define FX_EMAIL "maria.perez@alora.es"
#define FX_PHONE "+34 952 49 61 00"
#define FX_CONTACT "María Pérez Gómez"

static inline char *fx_dup(const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        abort();
    return d;
}

static inline void *fx_calloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p)
        abort();
    return p;
}

/* prefix + zero-padded number, e.g. fx_num("bid-", 3, 7) = "bid-007" */
static inline char *fx_num(const char *prefix, int width, long a)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s%0*ld", prefix, width, a);
    return fx_dup(tmp);
}

static inline model_date fx_date(int64_t t)
{
    model_date d = {1, t, 0};
    return d;
}

static inline model_amount fx_eur(double v)
{
    model_amount a = {1, v, "EUR"};
    return a;
}

static inline char **fx_ids1(const char *id, size_t *n)
{
    char **v = fx_calloc(1, sizeof *v);
    v[0] = fx_dup(id);
    *n = 1;
    return v;
}

/* 2024-03-01T00:00:00Z */
#define FX_T0 1709251200LL
#define FX_DAY 86400LL

/* The fixture procurement with n_bids bids (>= 1) and n_amend amendments on its one
 * contract. buyer_name NULL keeps "Ayuntamiento de Álora". */
static inline model_procurement *fx_procurement(size_t n_bids, size_t n_amend,
                                                const char *buyer_name)
{
    model_procurement *p = fx_calloc(1, sizeof *p);
    model_contract *c;

    p->ocid = fx_dup(FX_OCID);
    p->source_format = fx_dup("ocds");
    p->buyer_id = fx_dup("ES-L01290124");
    p->buyer_name = fx_dup(buyer_name ? buyer_name : "Ayuntamiento de Álora");
    p->title = fx_dup("Servicio de ayuda a domicilio para personas mayores");
    p->description = fx_dup("Prestación del servicio municipal de ayuda a domicilio, "
                            "con atención personal y doméstica a personas dependientes.");
    p->procurement_method = fx_dup("open");
    p->main_procurement_category = fx_dup("services");
    p->tender_value = fx_eur(100000.0);
    p->date_published = fx_date(FX_T0);
    p->tender_start = fx_date(FX_T0);
    p->tender_end = fx_date(FX_T0 + 9 * FX_DAY);

    p->n_parties = 3;
    p->parties = fx_calloc(3, sizeof *p->parties);
    p->parties[0].id = fx_dup("ES-L01290124");
    p->parties[0].name = fx_dup(p->buyer_name);
    p->parties[0].roles = fx_ids1("buyer", &p->parties[0].n_roles);
    p->parties[0].contact_name = fx_dup(FX_CONTACT);
    p->parties[0].email = fx_dup(FX_EMAIL);
    p->parties[0].telephone = fx_dup(FX_PHONE);
    p->parties[0].locality = fx_dup("Álora");
    p->parties[0].country = fx_dup("España");
    p->parties[1].id = fx_dup("ES-B93000001");
    p->parties[1].name = fx_dup("Cooperativa Ñandú S.L.");
    p->parties[1].roles = fx_ids1("supplier", &p->parties[1].n_roles);
    p->parties[1].email = fx_dup("oficina@nandu.coop");
    p->parties[1].telephone = fx_dup("+34 600 11 22 33");
    p->parties[2].id = fx_dup("ES-B93000002");
    p->parties[2].name = fx_dup("Servicios Sociales del Sur S.A.");
    p->parties[2].roles = fx_ids1("tenderer", &p->parties[2].n_roles);

    p->n_bids = n_bids ? n_bids : 1;
    p->bids = fx_calloc(p->n_bids, sizeof *p->bids);
    for (size_t i = 0; i < p->n_bids; i++) {
        p->bids[i].id = fx_num("bid-", 3, (long)i + 1);
        p->bids[i].status = fx_dup(i == 0 ? "valid" : "disqualified");
        p->bids[i].date = fx_date(FX_T0 + 8 * FX_DAY);
        p->bids[i].value = fx_eur(118000.0 + 250.0 * (double)i);
        p->bids[i].tenderer_ids = fx_ids1(i % 2 ? "ES-B93000002" : "ES-B93000001",
                                          &p->bids[i].n_tenderers);
    }
    p->n_awards = 1;
    p->awards = fx_calloc(1, sizeof *p->awards);
    p->awards[0].id = fx_dup("award-1");
    p->awards[0].status = fx_dup("active");
    p->awards[0].date = fx_date(FX_T0 + 20 * FX_DAY);
    p->awards[0].value = fx_eur(118000.0);
    p->awards[0].supplier_ids = fx_ids1("ES-B93000001", &p->awards[0].n_suppliers);

    p->n_contracts = 1;
    p->contracts = c = fx_calloc(1, sizeof *p->contracts);
    c->id = fx_dup("contract-1");
    c->award_id = fx_dup("award-1");
    c->status = fx_dup("active");
    c->original_value = fx_eur(118000.0);
    c->value = fx_eur(159300.0);
    c->date_signed = fx_date(FX_T0 + 30 * FX_DAY);
    c->period_start = fx_date(FX_T0 + 31 * FX_DAY);
    c->period_end = fx_date(FX_T0 + 396 * FX_DAY);
    c->n_amendments = n_amend;
    c->amendments = fx_calloc(n_amend, sizeof *c->amendments);
    for (size_t i = 0; i < n_amend; i++) {
        c->amendments[i].id = fx_num("amend-", 2, (long)i + 1);
        c->amendments[i].date = fx_date(FX_T0 + (40 + (int64_t)i) * FX_DAY);
        c->amendments[i].rationale = fx_dup(
            "Ampliación de horas de atención por aumento de personas usuarias en lista de "
            "espera, aprobada por resolución de la concejalía de servicios sociales.");
        c->amendments[i].has_amended_value = 1;
        c->amendments[i].amended_value = fx_eur(118000.0 + 826.0 * (double)(i + 1));
    }
    c->n_transactions = 2;
    c->transactions = fx_calloc(2, sizeof *c->transactions);
    for (size_t i = 0; i < 2; i++) {
        c->transactions[i].id = fx_num("pay-", 1, (long)i + 1);
        c->transactions[i].date = fx_date(FX_T0 + (60 + 30 * (int64_t)i) * FX_DAY);
        c->transactions[i].value = fx_eur(20000.0);
        c->transactions[i].payer_id = fx_dup("ES-L01290124");
        c->transactions[i].payee_id = fx_dup("ES-B93000001");
    }
    p->n_notes = 1;
    p->notes = fx_calloc(1, sizeof *p->notes);
    p->notes[0].code = fx_dup("date_no_zone");
    p->notes[0].field = fx_dup("tender.tenderPeriod.endDate");
    p->notes[0].message = fx_dup("The date has no time zone and was read as UTC.");
    return p;
}

static inline void fx_crit(criterion_info *c, const char *id, const char *ind, dimension d,
                           severity s, const char *title)
{
    c->criterion_id = fx_dup(id);
    c->indicator = fx_dup(ind);
    c->dim = d;
    c->weight = 1;
    c->sev = s;
    c->title = fx_dup(title);
    c->why = fx_dup("A short period favours bidders who knew of the tender in advance.");
    c->check = fx_dup("Check whether the period was shortened for a documented urgency.");
    c->recommendation = fx_dup("Allow at least the legal minimum period for submissions.");
    c->source = fx_dup("Red flag R003 (Open Contracting Partnership, 2024)");
    c->params_text = fx_dup("minimum_days=15");
}

static inline void fx_result(result_t *r, const char *id, const char *ind, dimension d,
                             result_status st, const char *meas, const char *thr)
{
    r->criterion_id = fx_dup(id);
    r->indicator = fx_dup(ind);
    r->dim = d;
    r->subject_kind = fx_dup("procurement");
    r->subject_id = fx_dup(FX_OCID);
    r->status = st;
    r->score = st == RESULT_PASS ? 100 : 0;
    r->measured_text = meas ? fx_dup(meas) : NULL;
    r->threshold_text = thr ? fx_dup(thr) : NULL;
    r->explanation = fx_dup(st == RESULT_INSUFFICIENT_DATA
                                ? "The items carry no classification."
                                : "The value measured is compared with the threshold.");
    r->n_fields = 1;
    r->fields = fx_calloc(1, sizeof *r->fields);
    r->fields[0] = fx_dup("tender.tenderPeriod");
}

/* The fixture evaluation (see the file comment for its numbers). */
static inline evaluation_t *fx_evaluation(void)
{
    evaluation_t *ev = fx_calloc(1, sizeof *ev);

    ev->ocid = fx_dup(FX_OCID);
    ev->set_id = fx_dup("international-red-flags");
    ev->set_version = fx_dup("1.0");
    ev->set_sha256 = fx_dup(FX_SHA);
    ev->set_title = fx_dup("International red flags");
    ev->language = fx_dup("en");
    ev->created_at = fx_dup("2024-06-01T10:00:00Z");
    ev->n_criteria = 6;
    ev->criteria = fx_calloc(6, sizeof *ev->criteria);
    fx_crit(&ev->criteria[0], "R003", "submission_period", DIM_PROCEDURE, SEVERITY_HIGH,
            "Short submission period");
    fx_crit(&ev->criteria[1], "R018", "single_bid", DIM_PROCEDURE, SEVERITY_HIGH,
            "Single bid in a competitive procedure");
    fx_crit(&ev->criteria[2], "C01", "specification_completeness", DIM_CONTENT,
            SEVERITY_MEDIUM, "Complete specification");
    fx_crit(&ev->criteria[3], "P01", "award_vs_estimate", DIM_PRICE, SEVERITY_MEDIUM,
            "Award above the estimate");
    fx_crit(&ev->criteria[4], "P02", "contract_value_increase", DIM_PRICE, SEVERITY_HIGH,
            "Contract value increased by amendments");
    fx_crit(&ev->criteria[5], "E01", "award_criteria_published", DIM_EVALUATION, SEVERITY_LOW,
            "Award criteria published");
    ev->n_results = 6;
    ev->results = fx_calloc(6, sizeof *ev->results);
    fx_result(&ev->results[0], "R003", "submission_period", DIM_PROCEDURE, RESULT_FLAG,
              "9 days", "< 15 days");
    fx_result(&ev->results[1], "R018", "single_bid", DIM_PROCEDURE, RESULT_PASS, "2 tenderers",
              ">= 2 tenderers");
    fx_result(&ev->results[2], "C01", "specification_completeness", DIM_CONTENT,
              RESULT_INSUFFICIENT_DATA, NULL, NULL);
    fx_result(&ev->results[3], "P01", "award_vs_estimate", DIM_PRICE, RESULT_FLAG,
              "1.18 (award / estimate)", "> 1.10");
    fx_result(&ev->results[4], "P02", "contract_value_increase", DIM_PRICE, RESULT_FLAG,
              "1.35 (current / original)", "> 1.20");
    fx_result(&ev->results[5], "E01", "award_criteria_published", DIM_EVALUATION,
              RESULT_NOT_APPLICABLE, NULL, NULL);
    ev->has_dim_score[DIM_PROCEDURE] = 1;
    ev->dim_score[DIM_PROCEDURE] = 50.0;
    ev->dim_coverage[DIM_PROCEDURE] = 1.0;
    ev->has_dim_score[DIM_PRICE] = 1;
    ev->dim_score[DIM_PRICE] = 0.0;
    ev->dim_coverage[DIM_PRICE] = 1.0;
    ev->has_overall = 1;
    ev->overall = 25.0;
    ev->coverage = 4.0 / 6.0;
    ev->band = fx_dup("high risk");
    return ev;
}

/* A context: two sources, R003 flagged in 12 of 340 procurements of the buyer. */
static inline void fx_context(report_context *c, report_audience aud)
{
    report_context_init(c);
    c->audience = aud;
    c->generated_at = 1717236000; /* 2024-06-01T10:00:00Z */
    c->n_sources = 1;
    c->sources = fx_calloc(1, sizeof *c->sources);
    c->sources[0].name = fx_dup("alora-2024.json");
    c->sources[0].sha256 = fx_dup("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    c->sources[0].format = fx_dup("ocds");
    c->sources[0].received_at = fx_dup("2024-05-30T08:00:00Z");
    c->buyer_total = 340;
    c->n_frequencies = 2;
    c->frequencies = fx_calloc(2, sizeof *c->frequencies);
    c->frequencies[0].criterion_id = fx_dup("R003");
    c->frequencies[0].flagged = 12;
    c->frequencies[0].assessed = 340;
    c->frequencies[1].criterion_id = fx_dup("P01");
    c->frequencies[1].flagged = 31;
    c->frequencies[1].assessed = 298;
    c->population_scope = fx_dup("international-red-flags");
    c->overall_dist = (report_distribution){1, 2210, 0, 45.0, 62.5, 80.0, 100};
}

/* Buyer rows: n procurements with overall scores 5, 15, 25, ... (10·i + 5, capped at 95),
 * each flagged by R003 when i is even. */
static inline void fx_buyer_rows(report_context *c, size_t n, const char *buyer_name)
{
    c->buyer_id = fx_dup("ES-L01290124");
    c->buyer_name = fx_dup(buyer_name ? buyer_name : "Ayuntamiento de Álora");
    c->period_from = fx_dup("2024-01-01");
    c->period_to = fx_dup("2024-12-31");
    c->n_rows = n;
    c->rows = fx_calloc(n, sizeof *c->rows);
    for (size_t i = 0; i < n; i++) {
        report_buyer_row *r = &c->rows[i];
        double s = 10.0 * (double)(i % 10) + 5.0;
        r->ocid = fx_num("ocds-fx0001-2024-", 3, (long)i + 1);
        r->title = fx_num("Contrato de servicios ", 1, (long)i + 1);
        r->date = fx_date(FX_T0 + (int64_t)i * FX_DAY);
        r->value = fx_eur(1000.0 * (double)(i + 1));
        r->has_overall = 1;
        r->overall = s;
        r->band = fx_dup(s < 50 ? "high risk" : "low risk");
        r->coverage = 0.75;
        r->has_dim_score[DIM_PROCEDURE] = 1;
        r->dim_score[DIM_PROCEDURE] = s;
        if (i % 2 == 0) {
            r->n_flags = 1;
            r->flags = fx_calloc(1, sizeof *r->flags);
            r->flags[0] = fx_dup("R003");
        }
    }
}

#endif
