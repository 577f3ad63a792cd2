/* registry.c - the table of built-in indicators (SPEC §5.4) and generic rule kinds
 * (§5.1), result lists and parameter accessors (see indicator.h). */
#include "indicators/indicator.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/ind_util.h"

/* ---------------------------------------------------------------- result lists */

void result_list_dispose(result_list *l)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < l->n; i++)
        result_dispose(&l->items[i]);
    free(l->items);
    *l = (result_list){0};
}

result_t *result_list_add(result_list *l)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        result_t *ni = realloc(l->items, nc * sizeof *ni);
        if (!ni)
            return NULL;
        l->items = ni;
        l->cap = nc;
    }
    l->items[l->n] = (result_t){0};
    return &l->items[l->n++];
}

/* ---------------------------------------------------------------- parameters */

const char *indicator_param_str(const indicator_params *p, const char *name, const char *def)
{
    size_t i;

    if (!p || !name)
        return def;
    /* The last occurrence wins, so that a --param given later overrides an earlier one. */
    for (i = p->n; i-- > 0;)
        if (p->items[i].name && strcmp(p->items[i].name, name) == 0)
            return p->items[i].value ? p->items[i].value : def;
    return def;
}

int indicator_param_double(const indicator_params *p, const char *name, double def, double *out, err_t *e)
{
    const char *s = indicator_param_str(p, name, NULL);
    char *end;
    double v;

    if (!s) {
        *out = def;
        return 0;
    }
    errno = 0;
    v = strtod(s, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == s || *end || errno || !isfinite(v))
        return err_set(e, ERR_USAGE, "parameter %s: '%.64s' is not a finite number", name, s);
    *out = v;
    return 0;
}

/* ---------------------------------------------------------------- parameter docs */

#define P(n, d, h) {n, d, h}
#define END {NULL, NULL, NULL}

static const indicator_param_doc prm_r003[] = {
    P("threshold", "15", "minimum days from tender.tenderPeriod.startDate to .endDate"),
    P("minimum_days", NULL, "alias of threshold"),
    P("procurement_methods", NULL, "only these procurementMethod codes, '|'-separated (default: all)"),
    P("procurement_method_details", NULL, "per procurementMethodDetails minimum days, 'details:days|...'"),
    P("procurement_method_thresholds", NULL, "per procurementMethod minimum days, 'method:days|...'"),
    END};
static const indicator_param_doc prm_r018[] = {
    P("procurement_methods", "open|selective", "competitive procurementMethod codes"), END};
static const indicator_param_doc prm_noncomp[] = {
    P("procurement_methods", "limited|direct", "non-competitive procurementMethod codes"),
    P("non_competitive_methods", NULL, "alias of procurement_methods"),
    P("score_with_rationale", "50", "score (0..100) of a non-competitive procedure with a rationale"), END};
static const indicator_param_doc prm_notpub[] = {
    P("procurement_methods", "open|selective", "competitive procurementMethod codes"),
    P("competitive_methods", NULL, "alias of procurement_methods"), END};
static const indicator_param_doc prm_decision[] = {
    P("minimum_days", "0", "fewest days from tender end to the first award"),
    P("maximum_days", "120", "most days from tender end to the first award"), END};
static const indicator_param_doc prm_timeline[] = {
    P("tolerance_days", "0", "days a later step may precede an earlier one without a flag"), END};
static const indicator_param_doc prm_rda[] = {
    P("procurement_methods", "limited|direct", "non-competitive procurementMethod codes"),
    P("non_competitive_methods", NULL, "alias of procurement_methods"),
    P("count", "3", "awards of one buyer to one supplier that raise the flag"),
    P("minimum_awards", NULL, "alias of count"),
    P("window_days", "365", "length of the window, days"), END};
static const indicator_param_doc prm_spec[] = {
    P("minimum_description_chars", "100", "characters of tender.description"),
    P("pass_score", "60", "score (0..100) below which the procurement is flagged"),
    P("pass_share", NULL, "pass_score as a share 0..1"), END};
static const indicator_param_doc prm_docs[] = {
    P("document_types", "technicalSpecifications|biddingDocuments|evaluationCriteria|tenderNotice",
      "documentType codes that count as tender documents"),
    P("minimum", "1", "how many of those types must be published"),
    P("match", "any", "'any' (minimum 1) or 'all' (every listed type)"), END};
static const indicator_param_doc prm_scope[] = {
    P("classification_prefixes", NULL, "items must fall under these classification prefixes, '|'-separated"),
    P("scheme", "CPV", "classification scheme compared"), END};
static const indicator_param_doc prm_split[] = {
    P("threshold", "221000", "procedure threshold amount"),
    P("threshold_amount", NULL, "alias of threshold"),
    P("currency", "EUR", "currency of the threshold"),
    P("threshold_currency", NULL, "alias of currency"),
    P("window_days", "90", "days either side of an award"),
    P("digits", "3", "leading classification digits that make 'the same classification'"),
    P("classification_digits", NULL, "alias of digits"),
    P("minimum_awards", "2", "awards under the threshold that raise the flag together"), END};
static const indicator_param_doc prm_r048[] = {
    P("digits", "2", "leading classification digits compared"),
    P("threshold", NULL, "fixed upper fence (count); default: Q3 + 1.5 IQR"),
    P("minimum_contracting_processes", "20", "processes a supplier needs to be judged"),
    P("use_tender_items", "0", "1: use tender.items when an award lists none"), END};
static const indicator_param_doc prm_estimate[] = {
    P("overrun", "0.10", "awarded / estimated above 1 + overrun is flagged"),
    P("closeness", "0.01", "awarded within this share of the estimate is flagged"), END};
static const indicator_param_doc prm_increase[] = {
    P("limit", "0.20", "value after amendments / original above 1 + limit is flagged"), END};
static const indicator_param_doc prm_payments[] = {
    P("tolerance", "0", "payments / contract value above 1 + tolerance is flagged"), END};
static const indicator_param_doc prm_below[] = {
    P("thresholds", "221000", "procedure thresholds, 'AMOUNT [CUR]|...'"),
    P("currency", "EUR", "currency of thresholds given without one"),
    P("band", "0.05", "share below a threshold that is flagged"),
    P("margin", NULL, "alias of band"), END};
static const indicator_param_doc prm_r024[] = {
    P("threshold", NULL, "fixed lower fence (ratio); default: Q1 - 1.5 IQR"),
    P("currency", NULL, "compare only bids in this currency"), END};
static const indicator_param_doc prm_r058[] = {
    P("threshold", NULL, "fixed upper fence (ratio); default: Q3 + 1.5 IQR"),
    P("currency", NULL, "compare only bids in this currency"), END};
static const indicator_param_doc prm_none[] = {END};
static const indicator_param_doc prm_currency[] = {
    P("currency", NULL, "compare only bids in this currency"), END};
static const indicator_param_doc prm_acp[] = {
    P("procurement_methods", NULL, "only these procurementMethod codes (default: all)"), END};
static const indicator_param_doc prm_price_only[] = {
    P("minimum_quality_share", "0", "quality weight share (0..1) below which the award is flagged"), END};
static const indicator_param_doc prm_r035[] = {
    P("threshold", "1", "other tenderers with disqualified bids that raise the flag"), END};
static const indicator_param_doc prm_r038[] = {
    P("threshold", NULL, "fixed upper fence (ratio); default: Q3 + 1.5 IQR"),
    P("minimum_submitted_bids", "2", "bids a tenderer needs to be judged"),
    P("minimum_contracting_processes", "2", "processes with bids a buyer or procuring entity needs"),
    P("minimum_counts", "processes", "'processes' or 'bids' (Cardinal) for the buyer minimum"),
    P("level", "all", "organisations judged: buyer|procuring_entity|tenderer or all"), END};
static const indicator_param_doc prm_r025[] = {
    P("percentile", "75", "a top tenderer's valid bids are at or above this percentile"),
    P("threshold", NULL, "fixed lower fence (ratio); default: Q1 - 1.5 IQR"), END};
static const indicator_param_doc prm_evalrep[] = {
    P("document_types", "evaluationReports|awardNotice", "documentType codes that count"), END};
static const indicator_param_doc prm_perf[] = {
    P("document_types", "physicalProgressReport|financialProgressReport|finalAudit|projectEvaluation|completionCertificate",
      "documentType codes that count as monitoring"),
    P("contract_statuses", "active|terminated", "contract statuses under way or ended"),
    P("minimum_evidence", "1", "milestones plus monitoring documents required"), END};
static const indicator_param_doc prm_field_present[] = {
    P("fields", NULL, "field names (see docs/indicators.md), '|'-separated"),
    P("minimum_share", "1", "share (0..1) of the fields that must be present"), END};
static const indicator_param_doc prm_date_diff[] = {
    P("from", NULL, "date field name"), P("to", NULL, "date field name"),
    P("minimum_days", NULL, "fewest days allowed"), P("maximum_days", NULL, "most days allowed"), END};
static const indicator_param_doc prm_value_in_list[] = {
    P("field", NULL, "code field name"), P("values", NULL, "'|'-separated values"),
    P("mode", "allowed", "'allowed': flag values outside the list; 'forbidden': flag values in it"), END};
static const indicator_param_doc prm_amount_ratio[] = {
    P("numerator", NULL, "amount field name"), P("denominator", NULL, "amount field name"),
    P("minimum", NULL, "smallest ratio allowed"), P("maximum", NULL, "largest ratio allowed"), END};

/* ---------------------------------------------------------------- the table */

#define NOPOP NULL, NULL, NULL, NULL
#define POP(prefix) prefix##_pop_new, prefix##_pop_add, prefix##_pop_finish, prefix##_pop_free

static const indicator_def defs[] = {
    /* procedure */
    {"submission_period", DIM_PROCEDURE, "R003", "Short submission period: tender period below a minimum of days",
     ind_submission_period, NOPOP, prm_r003, NULL},
    {"single_bid", DIM_PROCEDURE, "R018", "Single bid received in a competitive procedure", ind_single_bid, NOPOP,
     prm_r018, NULL},
    {"non_competitive_method", DIM_PROCEDURE, NULL, "Limited or direct procedure (graded by rationale)",
     ind_non_competitive_method, NOPOP, prm_noncomp, NULL},
    {"tender_not_published", DIM_PROCEDURE, NULL, "Competitive procedure without tender publication, or published after the award",
     ind_tender_not_published, NOPOP, prm_notpub, NULL},
    {"decision_period", DIM_PROCEDURE, NULL, "Days from tender end to award outside [minimum, maximum]",
     ind_decision_period, NOPOP, prm_decision, NULL},
    {"timeline_coherence", DIM_PROCEDURE, NULL, "Dates out of order (tender end <= award <= signature <= payment)",
     ind_timeline_coherence, NOPOP, prm_timeline, NULL},
    {"repeat_direct_awards", DIM_PROCEDURE, NULL, "Same buyer gives the same supplier N non-competitive awards within a window",
     ind_repeat_direct_awards, POP(ind_rda), prm_rda, NULL},
    /* content */
    {"specification_completeness", DIM_CONTENT, NULL, "Completeness of the description, items, period and place (graded)",
     ind_specification_completeness, NOPOP, prm_spec, NULL},
    {"documents_published", DIM_CONTENT, NULL, "Tender documents (specifications, bidding documents, criteria) published",
     ind_documents_published, NOPOP, prm_docs, NULL},
    {"scope_consistency", DIM_CONTENT, NULL, "mainProcurementCategory agrees with item classifications",
     ind_scope_consistency, NOPOP, prm_scope, NULL},
    {"split_purchases", DIM_CONTENT, NULL, "Awards to one supplier, each under a threshold, summing above it",
     ind_split_purchases, POP(ind_split), prm_split, NULL},
    {"heterogeneous_supplier", DIM_CONTENT, "R048", "Variety of items supplied by a tenderer is a high outlier",
     ind_heterogeneous_supplier, POP(ind_r048), prm_r048, ind_r048_pop_results},
    /* price */
    {"award_vs_estimate", DIM_PRICE, NULL, "Awarded value far above, or suspiciously close to, the estimate",
     ind_award_vs_estimate, NOPOP, prm_estimate, NULL},
    {"contract_value_increase", DIM_PRICE, NULL, "Contract value increased by amendments above a limit",
     ind_contract_value_increase, NOPOP, prm_increase, NULL},
    {"payments_exceed_contract", DIM_PRICE, NULL, "Sum of payments above the contract value", ind_payments_exceed_contract,
     NOPOP, prm_payments, NULL},
    {"just_below_threshold", DIM_PRICE, NULL, "Value just below a procedure threshold", ind_just_below_threshold, NOPOP,
     prm_below, NULL},
    {"price_close_to_winning_bid", DIM_PRICE, "R024", "Second-lowest bid close to the winning bid (low outlier)",
     ind_price_close_to_winning_bid, POP(ind_r024), prm_r024, ind_r024_pop_results},
    {"heavily_discounted_bid", DIM_PRICE, "R058", "Winning bid far below the second-lowest bid (high outlier)",
     ind_heavily_discounted_bid, POP(ind_r058), prm_r058, ind_r058_pop_results},
    {"identical_bid_prices", DIM_PRICE, "R028", "Different tenderers submitted identical bid prices",
     ind_identical_bid_prices, NOPOP, prm_none, NULL},
    /* evaluation */
    {"award_criteria_published", DIM_EVALUATION, NULL, "Award criteria stated, with weights unless price-only",
     ind_award_criteria_published, NOPOP, prm_acp, NULL},
    {"price_only_award", DIM_EVALUATION, NULL, "Price is the only award criterion, or quality weighs too little",
     ind_price_only_award, NOPOP, prm_price_only, NULL},
    {"lowest_bid_disqualified", DIM_EVALUATION, "R036", "The lowest submitted bid was disqualified",
     ind_lowest_bid_disqualified, NOPOP, prm_currency, NULL},
    {"all_except_winner_disqualified", DIM_EVALUATION, "R035", "All bids except the winner's were disqualified",
     ind_all_except_winner_disqualified, NOPOP, prm_r035, NULL},
    {"late_bid_won", DIM_EVALUATION, "R030", "A bid submitted after the deadline won", ind_late_bid_won, NOPOP, prm_none, NULL},
    {"excessive_disqualified_bids", DIM_EVALUATION, "R038", "Share of disqualified bids is a high outlier (buyer, procuring entity, tenderer)",
     ind_excessive_disqualified_bids, POP(ind_r038), prm_r038, ind_r038_pop_results},
    {"excessive_unsuccessful_bids", DIM_EVALUATION, "R025", "A top tenderer's share of winning bids is a low outlier",
     ind_excessive_unsuccessful_bids, POP(ind_r025), prm_r025, ind_r025_pop_results},
    {"evaluation_report_published", DIM_EVALUATION, NULL, "An evaluation report or award notice is published",
     ind_evaluation_report_published, NOPOP, prm_evalrep, NULL},
    {"performance_monitoring", DIM_EVALUATION, NULL, "Contracts under way or ended have milestones, progress reports or an evaluation",
     ind_performance_monitoring, NOPOP, prm_perf, NULL},
    /* generic rule kinds (SPEC §5.1) */
    {"field_present", DIM_CONTENT, NULL, "Generic: a field, or a share of a list of fields, is present",
     ind_field_present, NOPOP, prm_field_present, NULL},
    {"date_difference", DIM_PROCEDURE, NULL, "Generic: days between two date fields within [minimum, maximum]",
     ind_date_difference, NOPOP, prm_date_diff, NULL},
    {"value_in_list", DIM_PROCEDURE, NULL, "Generic: a code field's value is (or is not) in a list", ind_value_in_list,
     NOPOP, prm_value_in_list, NULL},
    {"amount_ratio", DIM_PRICE, NULL, "Generic: ratio of two amounts within [minimum, maximum]", ind_amount_ratio,
     NOPOP, prm_amount_ratio, NULL},
};

const indicator_def *indicator_all(size_t *n)
{
    *n = sizeof defs / sizeof defs[0];
    return defs;
}

const indicator_def *indicator_find(const char *name)
{
    size_t i;

    if (!name)
        return NULL;
    for (i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (strcmp(defs[i].name, name) == 0)
            return &defs[i];
    return NULL;
}

const indicator_def *indicator_find_code(const char *code)
{
    size_t i;

    if (!code)
        return NULL;
    for (i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (defs[i].red_flag && strcmp(defs[i].red_flag, code) == 0)
            return &defs[i];
    return NULL;
}

int indicator_param_known(const indicator_def *def, const char *name)
{
    static const char *const global[] = {"exclude_procurement_method_details",
                                         "no_price_comparison_procurement_methods",
                                         "price_comparison_procurement_methods", "currency"};
    const indicator_param_doc *d;
    size_t i;

    if (!name)
        return 0;
    for (i = 0; i < sizeof global / sizeof global[0]; i++)
        if (strcmp(global[i], name) == 0)
            return 1;
    if (!def || !def->params)
        return 0;
    for (d = def->params; d->name; d++)
        if (strcmp(d->name, name) == 0)
            return 1;
    return 0;
}
