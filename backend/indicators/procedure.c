/* procedure.c - procedure indicators (SPEC §5.4 "Procedure"): submission period [R003],
 * single bid [R018], non-competitive method, tender not published, decision period,
 * timeline coherence, repeat direct awards (population). Pure functions of the model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/ind_util.h"

/* ---------------------------------------------------------------- submission_period */

/* R003 (OCP red flags guide; Cardinal R003): days from tender.tenderPeriod.startDate to
 * .endDate below a minimum. The minimum is `threshold` (alias `minimum_days`; 15 when
 * neither is given, then the threshold text says "default"), or the entry of
 * procurement_method_details (then procurement_method_thresholds) matching the
 * procurement. We compare the exact duration; Cardinal truncates to whole days first,
 * which gives the same verdict for whole-day minimums. */
IND_EVAL(ind_submission_period)
{
    ind_ctx c;
    result_t *r;
    double thr, days, v;
    const char *methods = indicator_param_str(prm, "procurement_methods", NULL);
    const char *details = indicator_param_str(prm, "procurement_method_details", NULL);
    const char *mthr = indicator_param_str(prm, "procurement_method_thresholds", NULL);
    /* Where the minimum comes from, for the threshold text: "default" only when no
     * parameter gave it. */
    const char *src = ind_param_has(prm, "threshold")      ? "parameter threshold"
                      : ind_param_has(prm, "minimum_days") ? "parameter minimum_days"
                                                           : "default";
    int rc, by_method = 0;
    char a[40], b[40];

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "submission_period", "R003", e);
    if ((rc = ind_param_double_alias(prm, "threshold", "minimum_days", 15, &thr, e)) != 0)
        return rc;
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!ind_list_empty(methods) && !ind_method_in(p, methods)) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "The procurement method (%s) is not one the rule covers (%s).",
                       p->procurement_method ? p->procurement_method : "not given", methods);
        ind_fields(&c, r, "tender.procurementMethod", (const char *)NULL);
        return ind_finish(&c);
    }
    if (!p->tender_start.present || !p->tender_end.present) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The tender period's %s is not given.",
                       !p->tender_start.present ? "start date" : "end date");
        ind_fields(&c, r, "tender.tenderPeriod.startDate", "tender.tenderPeriod.endDate", (const char *)NULL);
        return ind_finish(&c);
    }
    if (p->procurement_method_details) {
        rc = ind_map_number(details, p->procurement_method_details, "procurement_method_details", &v, e);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            thr = v;
            src = "the minimum for these procurement method details";
            by_method = 1;
        }
    }
    if (!by_method && p->procurement_method) {
        rc = ind_map_number(mthr, p->procurement_method, "procurement_method_thresholds", &v, e);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            thr = v;
            src = "the minimum for this procurement method";
        }
    }
    days = ind_days(p->tender_start, p->tender_end);
    r = ind_result(&c, NULL, NULL, days < thr ? RESULT_FLAG : RESULT_PASS);
    ind_measured(&c, r, days, "days", "%.2f days", days);
    ind_threshold(&c, r, thr, "at least %g days (%s)", thr, src);
    if (days < 0)
        ind_explain(&c, r, "The tender period ends (%s) before it starts (%s).", ind_date_text(p->tender_end, b, sizeof b),
                    ind_date_text(p->tender_start, a, sizeof a));
    else
        ind_explain(&c, r, "Tenderers had %.2f days (%s to %s) to submit, %s the minimum of %g days.", days,
                    ind_date_text(p->tender_start, a, sizeof a), ind_date_text(p->tender_end, b, sizeof b),
                    days < thr ? "below" : "meeting", thr);
    ind_fields(&c, r, "tender.tenderPeriod.startDate", "tender.tenderPeriod.endDate", "tender.procurementMethod",
               "tender.procurementMethodDetails", (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- single_bid */

static size_t count_distinct(char *const *ids, size_t n, const char **seen, size_t nseen, size_t cap)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        if (!ids[i])
            continue;
        for (j = 0; j < nseen; j++)
            if (strcmp(seen[j], ids[i]) == 0)
                break;
        if (j == nseen && nseen < cap)
            seen[nseen++] = ids[i];
    }
    return nseen;
}

/* R018 (OCP red flags guide; Cardinal R018): one tenderer in a competitive procedure.
 * The count is tender.numberOfTenderers; when absent (Cardinal then says nothing), the
 * distinct ids of tender.tenderers[], else of the tenderers of submitted bids. A count of
 * 0 (no bid was received) is not_applicable: a tender nobody bid for is not a single-bid
 * case (Cardinal flags only exactly 1, so it says nothing either). */
IND_EVAL(ind_single_bid)
{
    ind_ctx c;
    result_t *r;
    const char *methods = indicator_param_str(prm, "procurement_methods", "open|selective");
    const char *how, *field;
    long n = -1;
    const char **seen = NULL;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "single_bid", "R018", e);
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!p->procurement_method) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The procurement method is not given, so competition cannot be judged.");
        ind_fields(&c, r, "tender.procurementMethod", (const char *)NULL);
        return ind_finish(&c);
    }
    if (!ind_method_in(p, methods)) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "The procedure (%s) is not competitive (%s).", p->procurement_method,
                       methods);
        ind_fields(&c, r, "tender.procurementMethod", (const char *)NULL);
        return ind_finish(&c);
    }
    if (p->has_number_of_tenderers) {
        if (p->number_of_tenderers < 0) {
            r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The number of tenderers is negative (%ld).",
                           p->number_of_tenderers);
            ind_fields(&c, r, "tender.numberOfTenderers", (const char *)NULL);
            return ind_finish(&c);
        }
        n = p->number_of_tenderers;
        how = "tender.numberOfTenderers";
        field = "tender.numberOfTenderers";
    } else if (p->n_tenderers > 0) {
        seen = malloc(p->n_tenderers * sizeof *seen);
        if (!seen)
            return err_set(e, ERR_NOMEM, "single_bid: out of memory");
        n = (long)count_distinct(p->tenderer_ids, p->n_tenderers, seen, 0, p->n_tenderers);
        how = "distinct tender.tenderers";
        field = "tender.tenderers";
    } else {
        size_t total = 0, i, k = 0;
        for (i = 0; i < p->n_bids; i++)
            if (ind_bid_submitted(&p->bids[i]))
                total += p->bids[i].n_tenderers;
        if (total > 0) {
            seen = malloc(total * sizeof *seen);
            if (!seen)
                return err_set(e, ERR_NOMEM, "single_bid: out of memory");
            for (i = 0; i < p->n_bids; i++)
                if (ind_bid_submitted(&p->bids[i]))
                    k = count_distinct(p->bids[i].tenderer_ids, p->bids[i].n_tenderers, seen, k, total);
            n = (long)k;
        }
        how = "distinct tenderers of submitted bids";
        field = "bids.details.tenderers";
    }
    free(seen);
    if (n < 0) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA,
                       "Neither the number of tenderers nor the tenderers or bids are given.");
        ind_fields(&c, r, "tender.numberOfTenderers", "tender.tenderers", "bids.details", (const char *)NULL);
        return ind_finish(&c);
    }
    if (n == 0 && p->has_number_of_tenderers) {
        /* No bid at all: a failed (or cancelled) tender, not a single-bid case. */
        r = ind_simple(&c, RESULT_NOT_APPLICABLE,
                       "The %s procedure received no bid (tender.numberOfTenderers = 0): no bid was "
                       "received, so it is not a single-bid case.",
                       p->procurement_method);
        ind_measured(&c, r, 0, "count", "0 tenderers");
        ind_fields(&c, r, field, "tender.procurementMethod", (const char *)NULL);
        return ind_finish(&c);
    }
    if (n == 0) {
        /* Tenderers or bids are listed, but none with an id: they cannot be counted. */
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The %s are listed without ids, so they cannot be counted.",
                       p->n_tenderers > 0 ? "tenderers" : "tenderers of the submitted bids");
        ind_fields(&c, r, field, (const char *)NULL);
        return ind_finish(&c);
    }
    r = ind_result(&c, NULL, NULL, n == 1 ? RESULT_FLAG : RESULT_PASS);
    ind_measured(&c, r, (double)n, "count", "%ld tenderer%s", n, n == 1 ? "" : "s");
    ind_threshold(&c, r, 1, "exactly 1 is flagged");
    ind_explain(&c, r, "The %s procedure had %ld tenderer%s (%s).", p->procurement_method, n, n == 1 ? "" : "s", how);
    ind_fields(&c, r, field, "tender.procurementMethod", (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- non_competitive_method */

/* A limited or direct procedure (OCDS method codelist) is flagged; its score is
 * score_with_rationale (50) when tender.procurementMethodRationale is given, else 0. */
IND_EVAL(ind_non_competitive_method)
{
    ind_ctx c;
    result_t *r;
    const char *methods = ind_param_alias(prm, "procurement_methods", "non_competitive_methods", "limited|direct");
    double sr;
    int rc, has_rat;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "non_competitive_method", NULL, e);
    if ((rc = indicator_param_double(prm, "score_with_rationale", 50, &sr, e)) != 0)
        return rc;
    if (sr < 0 || sr > 100)
        return err_set(e, ERR_USAGE, "parameter score_with_rationale: expected 0..100");
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!p->procurement_method) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The procurement method is not given.");
        ind_fields(&c, r, "tender.procurementMethod", (const char *)NULL);
        return ind_finish(&c);
    }
    has_rat = p->procurement_method_rationale && *p->procurement_method_rationale;
    if (!ind_method_in(p, methods)) {
        r = ind_result(&c, NULL, NULL, RESULT_PASS);
        ind_measured(&c, r, NAN, NULL, "%s", p->procurement_method);
        ind_threshold_text(&c, r, "%s is flagged", methods);
        ind_explain(&c, r, "The procedure is %s, a competitive method.", p->procurement_method);
        ind_fields(&c, r, "tender.procurementMethod", (const char *)NULL);
        return ind_finish(&c);
    }
    r = ind_result(&c, NULL, NULL, RESULT_FLAG);
    if (r)
        r->score = has_rat ? sr : 0;
    ind_measured(&c, r, NAN, NULL, "%s, %s rationale", p->procurement_method, has_rat ? "with" : "without");
    ind_threshold_text(&c, r, "%s is flagged", methods);
    ind_explain(&c, r, "The procedure is %s (non-competitive) %s.", p->procurement_method,
                has_rat ? "and a rationale is given" : "and no rationale is given");
    ind_fields(&c, r, "tender.procurementMethod", "tender.procurementMethodRationale", (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- tender_not_published */

/* The earliest date among awards that are not cancelled or unsuccessful. */
static int first_award_date(const model_procurement *p, model_date *out)
{
    size_t i;
    int have = 0;

    for (i = 0; i < p->n_awards; i++) {
        const model_award *a = &p->awards[i];
        if (ind_streq(a->status, "cancelled") || ind_streq(a->status, "unsuccessful") || !a->date.present)
            continue;
        if (!have || a->date.t < out->t) {
            *out = a->date;
            have = 1;
        }
    }
    return have;
}

static int has_live_award(const model_procurement *p)
{
    size_t i;

    for (i = 0; i < p->n_awards; i++)
        if (!ind_streq(p->awards[i].status, "cancelled") && !ind_streq(p->awards[i].status, "unsuccessful"))
            return 1;
    return 0;
}

/* A competitive procedure must publish its tender (tender.datePublished, else the start of
 * the tender period as the evidence of publication) and before any award. */
IND_EVAL(ind_tender_not_published)
{
    ind_ctx c;
    result_t *r;
    const char *methods = ind_param_alias(prm, "procurement_methods", "competitive_methods", "open|selective");
    model_date pub, aw;
    const char *pubf;
    char a[40], b[40];

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "tender_not_published", NULL, e);
    if (ind_excluded(&c, 0))
        return ind_finish(&c);
    if (!p->procurement_method) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The procurement method is not given.");
        ind_fields(&c, r, "tender.procurementMethod", (const char *)NULL);
        return ind_finish(&c);
    }
    if (!ind_method_in(p, methods)) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "The procedure (%s) is not competitive, so no call is published.",
                       p->procurement_method);
        ind_fields(&c, r, "tender.procurementMethod", (const char *)NULL);
        return ind_finish(&c);
    }
    pub = p->date_published;
    pubf = "tender.datePublished";
    if (!pub.present) {
        pub = p->tender_start;
        pubf = "tender.tenderPeriod.startDate";
    }
    if (!pub.present) {
        r = ind_result(&c, NULL, NULL, RESULT_FLAG);
        ind_measured(&c, r, NAN, NULL, "no publication date");
        ind_threshold_text(&c, r, "a publication date before the award");
        ind_explain(&c, r, "The %s procedure gives no tender publication date (nor a tender period start).",
                    p->procurement_method);
        ind_fields(&c, r, "tender.datePublished", "tender.tenderPeriod.startDate", "tender.procurementMethod",
                   (const char *)NULL);
        return ind_finish(&c);
    }
    if (first_award_date(p, &aw) && pub.t > aw.t) {
        double d = ind_days(aw, pub);
        r = ind_result(&c, NULL, NULL, RESULT_FLAG);
        ind_measured(&c, r, d, "days", "published %.2f days after the award", d);
        ind_threshold(&c, r, 0, "published before the award");
        ind_explain(&c, r, "The tender was published (%s) after the first award (%s).", ind_date_text(pub, a, sizeof a),
                    ind_date_text(aw, b, sizeof b));
        ind_fields(&c, r, pubf, "awards.date", "tender.procurementMethod", (const char *)NULL);
        return ind_finish(&c);
    }
    r = ind_result(&c, NULL, NULL, RESULT_PASS);
    ind_measured(&c, r, NAN, NULL, "published %s", ind_date_text(pub, a, sizeof a));
    ind_threshold_text(&c, r, "a publication date before the award");
    ind_explain(&c, r, "The tender was published on %s%s.", a,
                strcmp(pubf, "tender.datePublished") == 0 ? "" : " (start of the tender period)");
    ind_fields(&c, r, pubf, "awards.date", "tender.procurementMethod", (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- decision_period */

/* Days from tender.tenderPeriod.endDate to the first award date (awards not cancelled or
 * unsuccessful) outside [minimum_days, maximum_days] (0, 120). */
IND_EVAL(ind_decision_period)
{
    ind_ctx c;
    result_t *r;
    double mn, mx, days;
    model_date aw;
    int rc;
    char a[40], b[40];

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "decision_period", NULL, e);
    if ((rc = indicator_param_double(prm, "minimum_days", 0, &mn, e)) != 0 ||
        (rc = indicator_param_double(prm, "maximum_days", 120, &mx, e)) != 0)
        return rc;
    if (mn > mx)
        return err_set(e, ERR_USAGE, "decision_period: minimum_days is above maximum_days");
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!has_live_award(p)) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "No award has been made yet.");
        ind_fields(&c, r, "awards", (const char *)NULL);
        return ind_finish(&c);
    }
    if (!p->tender_end.present || !first_award_date(p, &aw)) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The %s is not given.",
                       !p->tender_end.present ? "end of the tender period" : "award date");
        ind_fields(&c, r, "tender.tenderPeriod.endDate", "awards.date", (const char *)NULL);
        return ind_finish(&c);
    }
    days = ind_days(p->tender_end, aw);
    r = ind_result(&c, NULL, NULL, days < mn || days > mx ? RESULT_FLAG : RESULT_PASS);
    ind_measured(&c, r, days, "days", "%.2f days", days);
    ind_threshold(&c, r, days < mn ? mn : mx, "between %g and %g days", mn, mx);
    ind_explain(&c, r, "The first award (%s) came %.2f days after the tender closed (%s), %s [%g, %g] days.",
                ind_date_text(aw, b, sizeof b), days, ind_date_text(p->tender_end, a, sizeof a),
                days < mn || days > mx ? "outside" : "within", mn, mx);
    ind_fields(&c, r, "tender.tenderPeriod.endDate", "awards.date", (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- timeline_coherence */

typedef struct {
    int checks, bad;
    double tol;             /* days */
    char first[256];        /* the first violation, for the explanation */
} timeline;

static void tl_check(timeline *t, const char *na, model_date a, const char *nb, model_date b)
{
    char x[40], y[40];

    if (!a.present || !b.present)
        return;
    t->checks++;
    if (ind_days(a, b) >= -t->tol)
        return;
    if (t->bad++ == 0)
        snprintf(t->first, sizeof t->first, "%s (%s) is after %s (%s)", na, ind_date_text(a, x, sizeof x), nb,
                 ind_date_text(b, y, sizeof y));
}

/* Dates out of order: tender start <= end; publication <= tender end; tender end <= each
 * award; award <= signature of its contract; signature <= each payment; every period's
 * start <= its end. Flagged when any pair is out of order by more than tolerance_days. */
IND_EVAL(ind_timeline_coherence)
{
    ind_ctx c;
    result_t *r;
    timeline t = {0};
    size_t i, j, k;
    int rc;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "timeline_coherence", NULL, e);
    if ((rc = indicator_param_double(prm, "tolerance_days", 0, &t.tol, e)) != 0)
        return rc;
    if (t.tol < 0)
        return err_set(e, ERR_USAGE, "timeline_coherence: tolerance_days is negative");
    if (ind_excluded(&c, 0))
        return ind_finish(&c);
    tl_check(&t, "tender.tenderPeriod.startDate", p->tender_start, "tender.tenderPeriod.endDate", p->tender_end);
    tl_check(&t, "tender.datePublished", p->date_published, "tender.tenderPeriod.endDate", p->tender_end);
    tl_check(&t, "tender.awardPeriod.startDate", p->award_period_start, "tender.awardPeriod.endDate",
             p->award_period_end);
    tl_check(&t, "tender.contractPeriod.startDate", p->contract_period_start, "tender.contractPeriod.endDate",
             p->contract_period_end);
    for (i = 0; i < p->n_awards; i++) {
        const model_award *a = &p->awards[i];
        if (ind_streq(a->status, "cancelled") || ind_streq(a->status, "unsuccessful"))
            continue;
        tl_check(&t, "tender.tenderPeriod.endDate", p->tender_end, "awards.date", a->date);
    }
    for (j = 0; j < p->n_contracts; j++) {
        const model_contract *ct = &p->contracts[j];
        model_date first = {0};
        tl_check(&t, "contracts.period.startDate", ct->period_start, "contracts.period.endDate", ct->period_end);
        for (i = 0; i < p->n_awards; i++)
            if (ct->award_id && ind_streq(p->awards[i].id, ct->award_id))
                tl_check(&t, "awards.date", p->awards[i].date, "contracts.dateSigned", ct->date_signed);
        for (k = 0; k < ct->n_transactions; k++) {
            model_date d = ct->transactions[k].date;
            if (d.present && (!first.present || d.t < first.t))
                first = d;
        }
        tl_check(&t, "contracts.dateSigned", ct->date_signed, "contracts.implementation.transactions.date", first);
    }
    if (t.checks == 0) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "No pair of dates that should be in order is given.");
        ind_fields(&c, r, "tender.tenderPeriod", "awards.date", "contracts.dateSigned", (const char *)NULL);
        return ind_finish(&c);
    }
    r = ind_result(&c, NULL, NULL, t.bad > 0 ? RESULT_FLAG : RESULT_PASS);
    ind_measured(&c, r, t.bad, "count", "%d of %d date pairs out of order", t.bad, t.checks);
    ind_threshold(&c, r, 0, "no pair out of order by more than %g days", t.tol);
    if (t.bad > 0)
        ind_explain(&c, r, "%d of %d date pairs are out of order; first: %s.", t.bad, t.checks, t.first);
    else
        ind_explain(&c, r, "All %d date pairs given are in order.", t.checks);
    ind_fields(&c, r, "tender.tenderPeriod.startDate", "tender.tenderPeriod.endDate", "tender.datePublished",
               "tender.awardPeriod", "tender.contractPeriod", "awards.date", "contracts.dateSigned",
               "contracts.period", "contracts.implementation.transactions.date", (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- repeat_direct_awards */

/* Population: per buyer and supplier, the dates of their non-competitive awards. */
typedef struct {
    int64_t *t;
    size_t n, cap;
} rda_dates;

typedef struct {
    ind_hash *pairs;      /* "buyer\x1fsupplier" -> rda_dates */
    char methods[256];
    long count;
    double window;        /* days */
    int finished;
} rda_state;

static void rda_dispose(void *v)
{
    free(((rda_dates *)v)->t);
}

static int rda_key(char *buf, size_t n, const char *buyer, const char *sup)
{
    int k = snprintf(buf, n, "%s\x1f%s", buyer, sup);
    return k < 0 || (size_t)k >= n ? -1 : 0;
}

static model_date award_when(const model_procurement *p, const model_award *a)
{
    if (a->date.present)
        return a->date;
    if (p->date_published.present)
        return p->date_published;
    return p->date;
}

static int rda_counts(const model_award *a)
{
    return a->status == NULL || ind_streq(a->status, "active");
}

void *ind_rda_pop_new(const indicator_params *prm, err_t *e)
{
    rda_state *s = calloc(1, sizeof *s);
    const char *m = ind_param_alias(prm, "procurement_methods", "non_competitive_methods", "limited|direct");
    int rc;

    if (!s) {
        err_set(e, ERR_NOMEM, "repeat_direct_awards: out of memory");
        return NULL;
    }
    if ((rc = ind_param_count(prm, ind_param_has(prm, "count") || !ind_param_has(prm, "minimum_awards") ? "count"
                                                                                                      : "minimum_awards",
                              3, &s->count, e)) != 0 ||
        (rc = indicator_param_double(prm, "window_days", 365, &s->window, e)) != 0) {
        free(s);
        return NULL;
    }
    if (s->count < 1 || s->window < 0) {
        err_set(e, ERR_USAGE, "repeat_direct_awards: count must be >= 1 and window_days >= 0");
        free(s);
        return NULL;
    }
    snprintf(s->methods, sizeof s->methods, "%s", m);
    s->pairs = ind_hash_new(sizeof(rda_dates));
    if (!s->pairs) {
        free(s);
        err_set(e, ERR_NOMEM, "repeat_direct_awards: out of memory");
        return NULL;
    }
    return s;
}

int ind_rda_pop_add(void *state, const model_procurement *p, err_t *e)
{
    rda_state *s = state;
    size_t i, j;
    char key[512];

    if (ind_streq(p->tender_status, "cancelled") || !p->buyer_id || !ind_method_in(p, s->methods))
        return 0;
    for (i = 0; i < p->n_awards; i++) {
        const model_award *a = &p->awards[i];
        model_date d = award_when(p, a);
        if (!rda_counts(a) || !d.present)
            continue;
        for (j = 0; j < a->n_suppliers; j++) {
            rda_dates *v;
            if (!a->supplier_ids[j] || rda_key(key, sizeof key, p->buyer_id, a->supplier_ids[j]) != 0)
                continue;
            v = ind_hash_get(s->pairs, key, 1);
            if (!v)
                return err_set(e, ERR_NOMEM, "repeat_direct_awards: out of memory");
            if (v->n == v->cap) {
                size_t nc = v->cap ? v->cap * 2 : 4;
                int64_t *nt = realloc(v->t, nc * sizeof *nt);
                if (!nt)
                    return err_set(e, ERR_NOMEM, "repeat_direct_awards: out of memory");
                v->t = nt;
                v->cap = nc;
            }
            v->t[v->n++] = d.t;
        }
    }
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int ind_rda_pop_finish(void *state, err_t *e)
{
    rda_state *s = state;
    size_t it = 0;
    const char *k;
    void *v;

    (void)e;
    while (ind_hash_at(s->pairs, &it, &k, &v)) {
        rda_dates *d = v;
        if (d->n > 1)
            qsort(d->t, d->n, sizeof *d->t, cmp_i64);
    }
    s->finished = 1;
    return 0;
}

void ind_rda_pop_free(void *state)
{
    rda_state *s = state;

    if (!s)
        return;
    ind_hash_free(s->pairs, rda_dispose);
    free(s);
}

/* The most dates of sorted t[] inside one window of `w` seconds that contains `at`. */
static size_t max_in_window(const int64_t *t, size_t n, int64_t at, int64_t w)
{
    size_t i, j = 0, best = 0;

    for (i = 0; i < n; i++) {
        if (t[i] < at - w || t[i] > at)
            continue;
        if (j < i)
            j = i;
        while (j < n && t[j] <= t[i] + w)
            j++;
        if (j - i > best)
            best = j - i;
    }
    return best;
}

/* One result per supplier of this procurement's non-competitive awards: how many
 * non-competitive awards the same buyer gave it within one window of window_days that
 * contains this award. */
IND_EVAL(ind_repeat_direct_awards)
{
    ind_ctx c;
    result_t *r;
    const rda_state *s = pop;
    size_t i, j;
    int any = 0;
    char key[512];

    ind_ctx_init(&c, out, prm, p, "repeat_direct_awards", NULL, e);
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!s || !s->finished) {
        ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The population statistics were not computed.");
        return ind_finish(&c);
    }
    if (!p->procurement_method) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The procurement method is not given.");
        ind_fields(&c, r, "tender.procurementMethod", (const char *)NULL);
        return ind_finish(&c);
    }
    if (!ind_method_in(p, s->methods)) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "The procedure (%s) is competitive.", p->procurement_method);
        ind_fields(&c, r, "tender.procurementMethod", (const char *)NULL);
        return ind_finish(&c);
    }
    if (!p->buyer_id) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The buyer is not identified.");
        ind_fields(&c, r, "buyer.id", (const char *)NULL);
        return ind_finish(&c);
    }
    for (i = 0; i < p->n_awards; i++) {
        const model_award *a = &p->awards[i];
        model_date d = award_when(p, a);
        if (!rda_counts(a))
            continue;
        for (j = 0; j < a->n_suppliers; j++) {
            const rda_dates *v;
            size_t cnt;
            if (!a->supplier_ids[j])
                continue;
            any = 1;
            if (!d.present) {
                r = ind_result(&c, "tenderer", a->supplier_ids[j], RESULT_INSUFFICIENT_DATA);
                ind_explain(&c, r, "The award to %s has no date.", a->supplier_ids[j]);
                ind_fields(&c, r, "awards.date", (const char *)NULL);
                continue;
            }
            if (rda_key(key, sizeof key, p->buyer_id, a->supplier_ids[j]) != 0)
                continue;
            v = ind_hash_get(s->pairs, key, 0);
            cnt = v ? max_in_window(v->t, v->n, d.t, (int64_t)(s->window * 86400.0)) : 1;
            r = ind_result(&c, "tenderer", a->supplier_ids[j], cnt >= (size_t)s->count ? RESULT_FLAG : RESULT_PASS);
            ind_measured(&c, r, (double)cnt, "count", "%zu non-competitive awards", cnt);
            ind_threshold(&c, r, (double)s->count, "%ld or more within %g days", s->count, s->window);
            ind_explain(&c, r, "Buyer %s gave supplier %s %zu non-competitive awards within %g days around this one.",
                        p->buyer_id, a->supplier_ids[j], cnt, s->window);
            ind_fields(&c, r, "buyer.id", "awards.suppliers.id", "awards.date", "tender.procurementMethod",
                       (const char *)NULL);
            ind_stats(&c, r, "{\"pairs\":%zu,\"window_days\":%g,\"count\":%ld}", ind_hash_count(s->pairs), s->window,
                      s->count);
            ind_party(&c, r, a->supplier_ids[j]);
        }
    }
    if (!any) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "No award with a supplier has been made.");
        ind_fields(&c, r, "awards", (const char *)NULL);
    }
    return ind_finish(&c);
}
