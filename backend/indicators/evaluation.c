/* evaluation.c - evaluation indicators (SPEC §5.4 "Evaluation"): award criteria published,
 * price-only award, lowest bid disqualified [R036], all except winner disqualified [R035],
 * late bid won [R030], excessive disqualified bids [R038] and excessive unsuccessful bids
 * [R025] (population), evaluation report published, performance monitoring. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/ind_util.h"

static int award_live(const model_award *a)
{
    return a->status == NULL || strcmp(a->status, "active") == 0;
}

static int is_price_type(const char *t)
{
    return ind_streq(t, "price") || ind_streq(t, "cost");
}

/* OCDS awardCriteria codes that mean the price (or cost) alone decides. */
static int price_only_code(const char *code)
{
    return ind_streq(code, "priceOnly") || ind_streq(code, "costOnly") || ind_streq(code, "lowestCost");
}

/* ---------------------------------------------------------------- award_criteria_published */

/* Award criteria stated (tender.awardCriteria, .awardCriteriaDetails or the structured
 * criteria list of eForms BT-539..541), with weights for every criterion unless the
 * award is on price alone. */
IND_EVAL(ind_award_criteria_published)
{
    ind_ctx c;
    result_t *r;
    const char *methods = indicator_param_str(prm, "procurement_methods", NULL);
    size_t i, weighted = 0, nonprice = 0;
    int stated;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "award_criteria_published", NULL, e);
    if (ind_excluded(&c, 0))
        return ind_finish(&c);
    if (!ind_list_empty(methods) && !ind_method_in(p, methods)) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "The procurement method (%s) is not one the rule covers (%s).",
                       p->procurement_method ? p->procurement_method : "not given", methods);
        ind_fields(&c, r, "tender.procurementMethod", (const char *)NULL);
        return ind_finish(&c);
    }
    if (!ind_has_tender(p)) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "No tender information is published.");
        ind_fields(&c, r, "tender", (const char *)NULL);
        return ind_finish(&c);
    }
    stated = p->n_award_criteria > 0 || p->award_criteria || (p->award_criteria_details && *p->award_criteria_details);
    if (!stated) {
        r = ind_result(&c, NULL, NULL, RESULT_FLAG);
        ind_measured(&c, r, 0, "count", "no award criteria");
        ind_threshold_text(&c, r, "award criteria stated");
        ind_explain(&c, r, "No award criteria are stated for the tender.");
        ind_fields(&c, r, "tender.awardCriteria", "tender.awardCriteriaDetails", "tender.awardCriteria.criteria",
                   (const char *)NULL);
        return ind_finish(&c);
    }
    for (i = 0; i < p->n_award_criteria; i++) {
        if (p->award_criteria_list[i].has_weight)
            weighted++;
        if (!is_price_type(p->award_criteria_list[i].type))
            nonprice++;
    }
    if (price_only_code(p->award_criteria) || (p->n_award_criteria > 0 && nonprice == 0)) {
        r = ind_result(&c, NULL, NULL, RESULT_PASS);
        ind_measured(&c, r, (double)p->n_award_criteria, "count", "price only");
        ind_threshold_text(&c, r, "award criteria stated");
        ind_explain(&c, r, "The award is on price alone, which is stated.");
        ind_fields(&c, r, "tender.awardCriteria", "tender.awardCriteria.criteria", (const char *)NULL);
        return ind_finish(&c);
    }
    if (p->n_award_criteria == 0) {
        r = ind_result(&c, NULL, NULL, RESULT_FLAG);
        ind_measured(&c, r, 0, "count", "criteria without weights");
        ind_threshold_text(&c, r, "every criterion weighted");
        ind_explain(&c, r, "The award is not on price alone (%s) but no weighted criteria are given.",
                    p->award_criteria ? p->award_criteria : "criteria described in text");
        ind_fields(&c, r, "tender.awardCriteria", "tender.awardCriteriaDetails", "tender.awardCriteria.criteria",
                   (const char *)NULL);
        return ind_finish(&c);
    }
    r = ind_result(&c, NULL, NULL, weighted == p->n_award_criteria ? RESULT_PASS : RESULT_FLAG);
    ind_measured(&c, r, (double)weighted, "count", "%zu of %zu criteria weighted", weighted, p->n_award_criteria);
    ind_threshold(&c, r, (double)p->n_award_criteria, "every criterion weighted");
    ind_explain(&c, r, "%zu of the %zu award criteria have a weight.", weighted, p->n_award_criteria);
    ind_fields(&c, r, "tender.awardCriteria.criteria.type", "tender.awardCriteria.criteria.numbers.weight",
               (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- price_only_award */

/* The quality share of the criteria: the normalised shares when given, else percentage or
 * points weights over their total. 1 with *share, 0 when unknown. */
static int quality_share(const model_procurement *p, double *share)
{
    size_t i;
    double q = 0, tot = 0;
    int all_share = 1, all_weight = 1;

    if (p->n_award_criteria == 0)
        return 0;
    for (i = 0; i < p->n_award_criteria; i++) {
        const model_award_criterion *k = &p->award_criteria_list[i];
        if (!k->has_share || !isfinite(k->share))
            all_share = 0;
        if (!k->has_weight || !isfinite(k->weight) || k->weight < 0 || ind_streq(k->weight_kind, "order"))
            all_weight = 0;
    }
    for (i = 0; i < p->n_award_criteria; i++) {
        const model_award_criterion *k = &p->award_criteria_list[i];
        double w = all_share ? k->share : k->weight;
        if (!all_share && !all_weight)
            return 0;
        tot += w;
        if (!is_price_type(k->type))
            q += w;
    }
    if (!(tot > 0))
        return 0;
    *share = q / tot;
    return 1;
}

/* Price is the only award criterion (awardCriteria priceOnly/costOnly/lowestCost, or every
 * listed criterion is of type price or cost), or, when minimum_quality_share > 0 (a
 * services set), quality weighs less than that share. */
IND_EVAL(ind_price_only_award)
{
    ind_ctx c;
    result_t *r;
    double minq, share = 0;
    size_t i, nonprice = 0;
    int rc, known;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "price_only_award", NULL, e);
    if ((rc = indicator_param_double(prm, "minimum_quality_share", 0, &minq, e)) != 0)
        return rc;
    if (minq < 0 || minq > 1)
        return err_set(e, ERR_USAGE, "price_only_award: minimum_quality_share must be in [0, 1]");
    if (ind_excluded(&c, 0))
        return ind_finish(&c);
    for (i = 0; i < p->n_award_criteria; i++)
        if (!is_price_type(p->award_criteria_list[i].type))
            nonprice++;
    if (p->n_award_criteria == 0 && !p->award_criteria) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The award criteria are not given.");
        ind_fields(&c, r, "tender.awardCriteria", "tender.awardCriteria.criteria", (const char *)NULL);
        return ind_finish(&c);
    }
    if ((p->n_award_criteria > 0 && nonprice == 0) || (p->n_award_criteria == 0 && price_only_code(p->award_criteria))) {
        r = ind_result(&c, NULL, NULL, RESULT_FLAG);
        ind_measured(&c, r, 0, "ratio", "quality share 0");
        ind_threshold_text(&c, r, "a non-price criterion%s", minq > 0 ? " with enough weight" : "");
        ind_explain(&c, r, "Price (or cost) is the only award criterion.");
        ind_fields(&c, r, "tender.awardCriteria", "tender.awardCriteria.criteria.type", (const char *)NULL);
        return ind_finish(&c);
    }
    known = quality_share(p, &share);
    if (minq > 0 && !known) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "Quality criteria exist but their weights are not given, so the "
                                                     "quality share is unknown.");
        ind_fields(&c, r, "tender.awardCriteria.criteria.numbers.weight", (const char *)NULL);
        return ind_finish(&c);
    }
    r = ind_result(&c, NULL, NULL, minq > 0 && share < minq ? RESULT_FLAG : RESULT_PASS);
    if (known)
        ind_measured(&c, r, share, "ratio", "quality share %.2f", share);
    else
        ind_measured(&c, r, NAN, NULL, "non-price criteria (%s)", p->award_criteria ? p->award_criteria : "listed");
    if (minq > 0)
        ind_threshold(&c, r, minq, "quality share below %.2f is flagged", minq);
    else
        ind_threshold_text(&c, r, "price as the only criterion is flagged");
    if (known)
        ind_explain(&c, r, "Non-price criteria weigh %.0f%% of the award%s.", share * 100,
                    minq > 0 && share < minq ? ", below the minimum" : "");
    else
        ind_explain(&c, r, "The award is not on price alone.");
    ind_fields(&c, r, "tender.awardCriteria", "tender.awardCriteria.criteria", (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- lowest_bid_disqualified */

static int any_active(const model_procurement *p)
{
    size_t i;

    for (i = 0; i < p->n_awards; i++)
        if (ind_streq(p->awards[i].status, "active"))
            return 1;
    return 0;
}

/* R036 (OCP red flags guide; Cardinal R036): with an active award, the lowest submitted bid
 * (the first in publication order among equal amounts, as Cardinal) is disqualified while
 * a valid bid has a price. Bids in another currency than the configured one (else the
 * first priced bid's) are left out. */
IND_EVAL(ind_lowest_bid_disqualified)
{
    ind_ctx c;
    result_t *r;
    const char *cur = indicator_param_str(prm, "currency", NULL);
    size_t i, priced = 0;
    int have = 0, low_disq = 0, valid_priced = 0;
    double low = 0;
    char a[64];

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "lowest_bid_disqualified", "R036", e);
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!ind_price_comparison(p, prm)) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "Prices are not compared in this procedure (%s).",
                       p->procurement_method_details);
        ind_fields(&c, r, "tender.procurementMethodDetails", (const char *)NULL);
        return ind_finish(&c);
    }
    if (!any_active(p)) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "No award is active yet.");
        ind_fields(&c, r, "awards.status", (const char *)NULL);
        return ind_finish(&c);
    }
    if (p->n_bids == 0) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "No bids are published.");
        ind_fields(&c, r, "bids.details", (const char *)NULL);
        return ind_finish(&c);
    }
    for (i = 0; i < p->n_bids; i++) {
        const model_bid *b = &p->bids[i];
        if (!ind_bid_submitted(b) || !ind_amount_ok(&b->value) || !b->value.currency[0])
            continue;
        if (!cur)
            cur = b->value.currency;
        if (strcmp(cur, b->value.currency) != 0)
            continue;
        priced++;
        if (!have || b->value.amount < low) {
            low = b->value.amount;
            low_disq = ind_bid_disqualified(b);
            have = 1;
        }
        if (ind_bid_valid(b))
            valid_priced = 1;
    }
    if (!have || !valid_priced) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "%s", !have ? "No submitted bid has a price."
                                                                  : "No valid bid has a price.");
        ind_fields(&c, r, "bids.details.value", "bids.details.status", (const char *)NULL);
        return ind_finish(&c);
    }
    r = ind_result(&c, NULL, NULL, low_disq ? RESULT_FLAG : RESULT_PASS);
    ind_measured(&c, r, low, cur, "lowest bid %s", ind_amount_text(low, cur, a, sizeof a));
    ind_threshold_text(&c, r, "the lowest submitted bid disqualified is flagged");
    ind_explain(&c, r, "The lowest of %zu priced submitted bids (%s) was %s.", priced, a,
                low_disq ? "disqualified" : "not disqualified");
    ind_fields(&c, r, "bids.details.value", "bids.details.status", "awards.status", (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- all_except_winner_disqualified */

typedef struct {
    const char **v;
    size_t n, cap;
} idset;

static int idset_add(idset *s, const char *id)
{
    size_t i;

    if (!id)
        return 0;
    for (i = 0; i < s->n; i++)
        if (strcmp(s->v[i], id) == 0)
            return 0;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 8;
        const char **nv = realloc(s->v, nc * sizeof *nv);
        if (!nv)
            return ERR_NOMEM;
        s->v = nv;
        s->cap = nc;
    }
    s->v[s->n++] = id;
    return 0;
}

static int idset_has(const idset *s, const char *id)
{
    size_t i;

    for (i = 0; id && i < s->n; i++)
        if (strcmp(s->v[i], id) == 0)
            return 1;
    return 0;
}

/* R035 (OCP red flags guide; Cardinal R035): exactly one tenderer has valid bids, it is
 * the set of suppliers of the active awards, and at least `threshold` (1) other tenderers
 * had bids disqualified. The measured value is the number of those others. */
IND_EVAL(ind_all_except_winner_disqualified)
{
    ind_ctx c;
    result_t *r;
    idset valid = {0}, disq = {0}, sup = {0};
    size_t *idx = NULL, n = 0, i, j, others = 0;
    long thr;
    int rc = 0, eq;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "all_except_winner_disqualified", "R035", e);
    if ((rc = ind_param_count(prm, "threshold", 1, &thr, e)) != 0)
        return rc;
    if (thr < 1)
        thr = 1;
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (p->n_bids == 0) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "No bids are published.");
        ind_fields(&c, r, "bids.details", (const char *)NULL);
        return ind_finish(&c);
    }
    idx = malloc((p->n_awards ? p->n_awards : 1) * sizeof *idx);
    if (!idx)
        return err_set(e, ERR_NOMEM, "all_except_winner_disqualified: out of memory");
    if (!ind_final_awards(p, idx, &n) || n == 0) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "The awards are not final, or none is active.");
        ind_fields(&c, r, "awards.status", (const char *)NULL);
        goto done;
    }
    for (i = 0; i < n && rc == 0; i++)
        for (j = 0; j < p->awards[idx[i]].n_suppliers && rc == 0; j++)
            rc = idset_add(&sup, p->awards[idx[i]].supplier_ids[j]);
    for (i = 0; i < p->n_bids && rc == 0; i++) {
        const model_bid *b = &p->bids[i];
        idset *s = ind_bid_valid(b) ? &valid : ind_bid_disqualified(b) ? &disq : NULL;
        for (j = 0; s && j < b->n_tenderers && rc == 0; j++)
            rc = idset_add(s, b->tenderer_ids[j]);
    }
    if (rc != 0) {
        rc = err_set(e, ERR_NOMEM, "all_except_winner_disqualified: out of memory");
        goto done;
    }
    for (i = 0; i < disq.n; i++)
        if (!idset_has(&valid, disq.v[i]))
            others++;
    eq = valid.n == sup.n;
    for (i = 0; eq && i < valid.n; i++)
        eq = idset_has(&sup, valid.v[i]);
    if (valid.n == 0) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "No bid is valid.");
        ind_fields(&c, r, "bids.details.status", (const char *)NULL);
        goto done;
    }
    r = ind_result(&c, NULL, NULL, valid.n == 1 && eq && others >= (size_t)thr ? RESULT_FLAG : RESULT_PASS);
    ind_measured(&c, r, (double)others, "count", "%zu other tenderer%s disqualified", others, others == 1 ? "" : "s");
    ind_threshold(&c, r, (double)thr, "a single valid tenderer who won, and %ld or more others disqualified", thr);
    if (r && r->status == RESULT_FLAG) {
        ind_explain(&c, r, "Only %s's bids were valid and it won; %zu other tenderer%s had bids disqualified.",
                    valid.v[0], others, others == 1 ? "" : "s");
        ind_party(&c, r, valid.v[0]);
    } else {
        ind_explain(&c, r, "%zu tenderer%s had valid bids%s; %zu other tenderer%s had bids disqualified.", valid.n,
                    valid.n == 1 ? "" : "s", eq ? " and won" : "", others, others == 1 ? "" : "s");
    }
    ind_fields(&c, r, "bids.details.status", "bids.details.tenderers", "awards.status", "awards.suppliers",
               (const char *)NULL);
done:
    free(idx);
    free(valid.v);
    free(disq.v);
    free(sup.v);
    if (rc != 0)
        return rc;
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- late_bid_won */

/* R030 (OCP red flags guide; Cardinal R030): a valid bid dated after
 * tender.tenderPeriod.endDate was submitted by a supplier of an active award. Dates are
 * compared as instants (Cardinal compares the texts, which differs for mixed offsets). */
IND_EVAL(ind_late_bid_won)
{
    ind_ctx c;
    result_t *r = NULL;
    idset sup = {0};
    size_t i, j, late = 0;
    int rc = 0, undated = 0;
    double worst = 0;
    char a[40];

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "late_bid_won", "R030", e);
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!any_active(p)) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "No award is active yet.");
        ind_fields(&c, r, "awards.status", (const char *)NULL);
        return ind_finish(&c);
    }
    if (p->n_bids == 0 || !p->tender_end.present) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "%s",
                       p->n_bids == 0 ? "No bids are published." : "The end of the tender period is not given.");
        ind_fields(&c, r, "bids.details", "tender.tenderPeriod.endDate", (const char *)NULL);
        return ind_finish(&c);
    }
    for (i = 0; i < p->n_awards && rc == 0; i++)
        if (ind_streq(p->awards[i].status, "active"))
            for (j = 0; j < p->awards[i].n_suppliers && rc == 0; j++)
                rc = idset_add(&sup, p->awards[i].supplier_ids[j]);
    if (rc != 0) {
        free(sup.v);
        return err_set(e, ERR_NOMEM, "late_bid_won: out of memory");
    }
    r = NULL;
    for (i = 0; i < p->n_bids; i++) {
        const model_bid *b = &p->bids[i];
        int won = 0;
        if (!ind_bid_valid(b))
            continue;
        for (j = 0; j < b->n_tenderers; j++)
            if (idset_has(&sup, b->tenderer_ids[j]))
                won = 1;
        if (!won)
            continue;
        if (!b->date.present) {
            undated = 1;
            continue;
        }
        if (b->date.t <= p->tender_end.t)
            continue;
        if (!r)
            r = ind_result(&c, NULL, NULL, RESULT_FLAG);
        late++;
        if (ind_days(p->tender_end, b->date) > worst)
            worst = ind_days(p->tender_end, b->date);
        for (j = 0; j < b->n_tenderers; j++)
            if (idset_has(&sup, b->tenderer_ids[j]))
                ind_party(&c, r, b->tenderer_ids[j]);
    }
    free(sup.v);
    if (r) {
        ind_measured(&c, r, worst, "days", "%.2f days late", worst);
        ind_threshold(&c, r, 0, "after %s is late", ind_date_text(p->tender_end, a, sizeof a));
        ind_explain(&c, r, "%zu winning valid bid%s arrived after the deadline (%s), up to %.2f days late.", late,
                    late == 1 ? "" : "s", a, worst);
    } else if (undated) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "A winning bid has no date.");
    } else {
        r = ind_result(&c, NULL, NULL, RESULT_PASS);
        ind_measured(&c, r, 0, "days", "no late winning bid");
        ind_threshold(&c, r, 0, "after %s is late", ind_date_text(p->tender_end, a, sizeof a));
        ind_explain(&c, r, "No winning bid is dated after the deadline (%s).", a);
    }
    ind_fields(&c, r, "bids.details.date", "bids.details.status", "bids.details.tenderers",
               "tender.tenderPeriod.endDate", "awards.suppliers", "awards.status", (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- R038 */

typedef struct {
    size_t num, den, processes;
} frac;

typedef struct {
    ind_fences f;
    int has;           /* at least one qualifying member */
    size_t members;
} group_stats;

typedef struct {
    ind_hash *buyer, *pe, *tenderer;
    group_stats gb, gp, gt;
    int fixed;
    double threshold;
    long min_bids, min_procs;
    int count_bids;          /* 1: Cardinal's buyer minimum (counts bids) */
    char exclude[512];
    int finished;
} r038_state;

void *ind_r038_pop_new(const indicator_params *prm, err_t *e)
{
    r038_state *s = calloc(1, sizeof *s);
    const char *mc = indicator_param_str(prm, "minimum_counts", "processes");
    const char *ex = indicator_param_str(prm, "exclude_procurement_method_details", "");

    if (!s) {
        err_set(e, ERR_NOMEM, "excessive_disqualified_bids: out of memory");
        return NULL;
    }
    s->fixed = ind_param_has(prm, "threshold");
    if (indicator_param_double(prm, "threshold", 0, &s->threshold, e) != 0 ||
        ind_param_count(prm, "minimum_submitted_bids", 2, &s->min_bids, e) != 0 ||
        ind_param_count(prm, "minimum_contracting_processes", 2, &s->min_procs, e) != 0)
        goto fail;
    if (strcmp(mc, "processes") != 0 && strcmp(mc, "bids") != 0) {
        err_set(e, ERR_USAGE, "parameter minimum_counts: expected 'processes' or 'bids'");
        goto fail;
    }
    s->count_bids = strcmp(mc, "bids") == 0;
    if (snprintf(s->exclude, sizeof s->exclude, "%s", ex) >= (int)sizeof s->exclude) {
        err_set(e, ERR_USAGE, "parameter exclude_procurement_method_details: too long");
        goto fail;
    }
    s->buyer = ind_hash_new(sizeof(frac));
    s->pe = ind_hash_new(sizeof(frac));
    s->tenderer = ind_hash_new(sizeof(frac));
    if (!s->buyer || !s->pe || !s->tenderer) {
        err_set(e, ERR_NOMEM, "excessive_disqualified_bids: out of memory");
        goto fail;
    }
    return s;
fail:
    ind_r038_pop_free(s);
    return NULL;
}

static int r038_skip(const model_procurement *p, const char *exclude)
{
    return ind_streq(p->tender_status, "cancelled") ||
           (p->procurement_method_details && ind_list_has(exclude, p->procurement_method_details));
}

int ind_r038_pop_add(void *state, const model_procurement *p, err_t *e)
{
    r038_state *s = state;
    size_t i, j, sub = 0, dq = 0;
    frac *f;

    if (r038_skip(p, s->exclude))
        return 0;
    for (i = 0; i < p->n_bids; i++) {
        const model_bid *b = &p->bids[i];
        int d;
        if (!ind_bid_submitted(b))
            continue;
        sub++;
        d = ind_bid_disqualified(b);
        dq += (size_t)d;
        for (j = 0; j < b->n_tenderers; j++) {
            if (!b->tenderer_ids[j])
                continue;
            if (!(f = ind_hash_get(s->tenderer, b->tenderer_ids[j], 1)))
                return err_set(e, ERR_NOMEM, "excessive_disqualified_bids: out of memory");
            f->num += (size_t)d;
            f->den++;
        }
    }
    if (sub == 0)
        return 0;
    if (p->buyer_id) {
        if (!(f = ind_hash_get(s->buyer, p->buyer_id, 1)))
            return err_set(e, ERR_NOMEM, "excessive_disqualified_bids: out of memory");
        f->num += dq;
        f->den += sub;
        f->processes++;
    }
    if (p->procuring_entity_id) {
        if (!(f = ind_hash_get(s->pe, p->procuring_entity_id, 1)))
            return err_set(e, ERR_NOMEM, "excessive_disqualified_bids: out of memory");
        f->num += dq;
        f->den += sub;
        f->processes++;
    }
    return 0;
}

static int r038_qualifies(const r038_state *s, const frac *f, int tenderer)
{
    if (tenderer)
        return f->den >= (size_t)s->min_bids;
    return (s->count_bids ? f->den : f->processes) >= (size_t)s->min_procs;
}

static int r038_group(r038_state *s, ind_hash *h, group_stats *g, int tenderer, err_t *e)
{
    ind_vec v = {0};
    size_t it = 0;
    const char *k;
    void *val;

    while (ind_hash_at(h, &it, &k, &val)) {
        frac *f = val;
        if (r038_qualifies(s, f, tenderer) && ind_vec_push(&v, (double)f->num / (double)f->den) != 0) {
            ind_vec_dispose(&v);
            return err_set(e, ERR_NOMEM, "excessive_disqualified_bids: out of memory");
        }
    }
    ind_vec_sort(&v);
    ind_fences_of(v.v, v.n, &g->f);
    g->has = v.n > 0;
    g->members = v.n;
    ind_vec_dispose(&v);
    return 0;
}

int ind_r038_pop_finish(void *state, err_t *e)
{
    r038_state *s = state;
    int rc;

    if ((rc = r038_group(s, s->buyer, &s->gb, 0, e)) != 0 || (rc = r038_group(s, s->pe, &s->gp, 0, e)) != 0 ||
        (rc = r038_group(s, s->tenderer, &s->gt, 1, e)) != 0)
        return rc;
    s->finished = 1;
    return 0;
}

void ind_r038_pop_free(void *state)
{
    r038_state *s = state;

    if (!s)
        return;
    ind_hash_free(s->buyer, NULL);
    ind_hash_free(s->pe, NULL);
    ind_hash_free(s->tenderer, NULL);
    free(s);
}

static void r038_member(ind_ctx *c, const r038_state *s, ind_hash *h, const group_stats *g, const char *kind,
                        const char *id, int tenderer, const char *field)
{
    const frac *f = ind_hash_get(h, id, 0);
    result_t *r;
    double fence = s->fixed ? s->threshold : g->f.upper, ratio;
    const char *unit = tenderer ? "bids" : s->count_bids ? "bids" : "processes with bids";

    if (!f || !r038_qualifies(s, f, tenderer)) {
        r = ind_result(c, kind, id, RESULT_NOT_APPLICABLE);
        ind_explain(c, r, "%s %s has too few %s (%zu) to be compared (minimum %ld).", kind, id, unit,
                    f ? (tenderer || s->count_bids ? f->den : f->processes) : 0,
                    tenderer ? s->min_bids : s->min_procs);
        ind_fields(c, r, field, "bids.details.status", (const char *)NULL);
        return;
    }
    ratio = (double)f->num / (double)f->den;
    /* A fence of 0 would flag every member with a ratio of 0: no outliers then. */
    r = ind_result(c, kind, id, fence > 0 && ratio >= fence ? RESULT_FLAG : RESULT_PASS);
    ind_measured(c, r, ratio, "ratio", "%zu of %zu submitted bids disqualified (%.4f)", f->num, f->den, ratio);
    ind_threshold(c, r, fence, ">= %.4f (%s)", fence, s->fixed ? "fixed threshold" : "Q3 + 1.5 IQR");
    ind_explain(c, r, "%s %s had %zu of %zu submitted bids disqualified, %s the fence of %.4f.", kind, id, f->num,
                f->den, fence > 0 && ratio >= fence ? "at or above" : fence > 0 ? "below" : "with a non-positive",
                fence);
    ind_fields(c, r, field, "bids.details.status", (const char *)NULL);
    if (!(c->prm && c->prm->terse))
        ind_stats(c, r, "{\"group\":\"%s\",\"n\":%zu,\"q1\":%.10g,\"q3\":%.10g,\"upper_fence\":%.10g,\"fixed\":%s}",
              kind, g->members, g->has ? g->f.q1 : 0.0, g->has ? g->f.q3 : 0.0, isfinite(fence) ? fence : 0.0,
              s->fixed ? "true" : "false");
    if (r && r->status == RESULT_FLAG)
        ind_party(c, r, id);
}

/* Every organisation of the chosen levels that qualifies, judged (see pop_results). */
int ind_r038_pop_results(const void *state, const indicator_params *prm, result_list *out, err_t *e)
{
    const r038_state *s = state;
    const char *level = indicator_param_str(prm, "level", "all");
    ind_ctx c;
    int g;

    ind_ctx_init(&c, out, prm, NULL, "excessive_disqualified_bids", "R038", e);
    for (g = 0; s && s->finished && g < 3; g++) {
        static const char *const kinds[3] = {"buyer", "procuring_entity", "tenderer"};
        static const char *const fields[3] = {"buyer.id", "tender.procuringEntity.id", "bids.details.tenderers.id"};
        ind_hash *h = g == 0 ? s->buyer : g == 1 ? s->pe : s->tenderer;
        const group_stats *gs = g == 0 ? &s->gb : g == 1 ? &s->gp : &s->gt;
        size_t it = 0;
        const char *k;
        void *v;
        if (!ind_list_has(level, "all") && !ind_list_has(level, kinds[g]))
            continue;
        while (ind_hash_at(h, &it, &k, &v))
            if (r038_qualifies(s, v, g == 2))
                r038_member(&c, s, h, gs, kinds[g], k, g == 2, fields[g]);
    }
    return ind_finish(&c);
}

/* R038 (OCP red flags guide; Cardinal R038): the share of disqualified bids among submitted
 * bids, per buyer, procuring entity and tenderer, at or above Q3 + 1.5 IQR of its group.
 * A buyer or procuring entity is judged with minimum_contracting_processes processes with
 * submitted bids (Cardinal counts submitted bids there: minimum_counts=bids), a tenderer
 * with minimum_submitted_bids bids. One result per organisation of this procurement. */
IND_EVAL(ind_excessive_disqualified_bids)
{
    ind_ctx c;
    result_t *r;
    const r038_state *s = pop;
    size_t i, j, sub = 0, start = out->n;
    idset seen = {0};
    const char *level = indicator_param_str(prm, "level", "all");
    int lb, lp, lt;

    ind_ctx_init(&c, out, prm, p, "excessive_disqualified_bids", "R038", e);
    /* level: which organisations are judged (buyer, procuring_entity, tenderer, all; a
     * '|'-separated list). */
    lb = ind_list_has(level, "all") || ind_list_has(level, "buyer");
    lp = ind_list_has(level, "all") || ind_list_has(level, "procuring_entity");
    lt = ind_list_has(level, "all") || ind_list_has(level, "tenderer");
    if (!lb && !lp && !lt)
        return err_set(e, ERR_USAGE, "excessive_disqualified_bids: level must list buyer, procuring_entity, "
                                     "tenderer or all");
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!s || !s->finished) {
        ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The population statistics were not computed.");
        return ind_finish(&c);
    }
    for (i = 0; i < p->n_bids; i++)
        if (ind_bid_submitted(&p->bids[i]))
            sub++;
    if (sub == 0) {
        r = ind_simple(&c, p->n_bids == 0 ? RESULT_INSUFFICIENT_DATA : RESULT_NOT_APPLICABLE, "%s",
                       p->n_bids == 0 ? "No bids are published." : "No bid was submitted.");
        ind_fields(&c, r, "bids.details.status", (const char *)NULL);
        return ind_finish(&c);
    }
    if (lb && p->buyer_id)
        r038_member(&c, s, s->buyer, &s->gb, "buyer", p->buyer_id, 0, "buyer.id");
    if (lp && p->procuring_entity_id)
        r038_member(&c, s, s->pe, &s->gp, "procuring_entity", p->procuring_entity_id, 0, "tender.procuringEntity.id");
    for (i = 0; lt && i < p->n_bids; i++) {
        const model_bid *b = &p->bids[i];
        if (!ind_bid_submitted(b))
            continue;
        for (j = 0; j < b->n_tenderers; j++) {
            const char *id = b->tenderer_ids[j];
            if (!id || idset_has(&seen, id))
                continue;
            if (idset_add(&seen, id) != 0) {
                free(seen.v);
                return err_set(e, ERR_NOMEM, "excessive_disqualified_bids: out of memory");
            }
            r038_member(&c, s, s->tenderer, &s->gt, "tenderer", id, 1, "bids.details.tenderers.id");
        }
    }
    free(seen.v);
    if (out->n == start) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The organisations to judge (%s) are not identified.", level);
        ind_fields(&c, r, "buyer.id", "tender.procuringEntity.id", "bids.details.tenderers.id", (const char *)NULL);
    }
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- R025 */

typedef struct {
    size_t wins, processes;
} winfrac;

typedef struct {
    ind_hash *t;
    double percentile;       /* 0..100 */
    double upper;            /* processes at that percentile */
    ind_fences f;            /* of the win ratios */
    int fixed;
    double threshold;
    char exclude[512];
    int finished;
} r025_state;

/* The valid single-tenderer bidders of a procurement with one active award to one supplier
 * (all awards final), and that supplier: Cardinal's R025 population. Returns 1 when the
 * procurement qualifies (set filled, *winner set), 0 when not, <0 on no memory. */
static int r025_bidders(const model_procurement *p, idset *set, const char **winner)
{
    size_t *idx, n, i;
    const model_award *a;

    if (p->n_awards == 0 || p->n_bids == 0)
        return 0;
    idx = malloc(p->n_awards * sizeof *idx);
    if (!idx)
        return ERR_NOMEM;
    if (!ind_final_awards(p, idx, &n) || n != 1) {
        free(idx);
        return 0;
    }
    a = &p->awards[idx[0]];
    free(idx);
    if (a->n_suppliers != 1 || !a->supplier_ids[0])
        return 0;
    *winner = a->supplier_ids[0];
    for (i = 0; i < p->n_bids; i++) {
        const model_bid *b = &p->bids[i];
        if (ind_bid_valid(b) && b->n_tenderers == 1 && b->tenderer_ids[0] && idset_add(set, b->tenderer_ids[0]) != 0)
            return ERR_NOMEM;
    }
    return 1;
}

void *ind_r025_pop_new(const indicator_params *prm, err_t *e)
{
    r025_state *s = calloc(1, sizeof *s);
    const char *ex = indicator_param_str(prm, "exclude_procurement_method_details", "");

    if (!s) {
        err_set(e, ERR_NOMEM, "excessive_unsuccessful_bids: out of memory");
        return NULL;
    }
    s->fixed = ind_param_has(prm, "threshold");
    if (indicator_param_double(prm, "threshold", 0, &s->threshold, e) != 0 ||
        indicator_param_double(prm, "percentile", 75, &s->percentile, e) != 0)
        goto fail;
    if (s->percentile < 0 || s->percentile > 100) {
        err_set(e, ERR_USAGE, "parameter percentile: expected 0..100");
        goto fail;
    }
    if (snprintf(s->exclude, sizeof s->exclude, "%s", ex) >= (int)sizeof s->exclude) {
        err_set(e, ERR_USAGE, "parameter exclude_procurement_method_details: too long");
        goto fail;
    }
    if (!(s->t = ind_hash_new(sizeof(winfrac)))) {
        err_set(e, ERR_NOMEM, "excessive_unsuccessful_bids: out of memory");
        goto fail;
    }
    return s;
fail:
    ind_r025_pop_free(s);
    return NULL;
}

int ind_r025_pop_add(void *state, const model_procurement *p, err_t *e)
{
    r025_state *s = state;
    idset set = {0};
    const char *w = NULL;
    size_t i;
    int rc;

    if (r038_skip(p, s->exclude))
        return 0;
    rc = r025_bidders(p, &set, &w);
    for (i = 0; rc > 0 && i < set.n; i++) {
        winfrac *f = ind_hash_get(s->t, set.v[i], 1);
        if (!f) {
            rc = ERR_NOMEM;
            break;
        }
        f->processes++;
        f->wins += strcmp(set.v[i], w) == 0;
    }
    free(set.v);
    if (rc < 0)
        return err_set(e, ERR_NOMEM, "excessive_unsuccessful_bids: out of memory");
    return 0;
}

int ind_r025_pop_finish(void *state, err_t *e)
{
    r025_state *s = state;
    ind_vec den = {0}, rat = {0};
    size_t it = 0;
    const char *k;
    void *v;

    while (ind_hash_at(s->t, &it, &k, &v)) {
        winfrac *f = v;
        if (ind_vec_push(&den, (double)f->processes) != 0 ||
            ind_vec_push(&rat, (double)f->wins / (double)f->processes) != 0) {
            ind_vec_dispose(&den);
            ind_vec_dispose(&rat);
            return err_set(e, ERR_NOMEM, "excessive_unsuccessful_bids: out of memory");
        }
    }
    ind_vec_sort(&den);
    ind_vec_sort(&rat);
    s->upper = ind_quantile(den.v, den.n, s->percentile / 100.0);
    ind_fences_of(rat.v, rat.n, &s->f);
    ind_vec_dispose(&den);
    ind_vec_dispose(&rat);
    s->finished = 1;
    return 0;
}

void ind_r025_pop_free(void *state)
{
    r025_state *s = state;

    if (!s)
        return;
    ind_hash_free(s->t, NULL);
    free(s);
}

static void r025_judge(ind_ctx *c, const r025_state *s, const char *id, const winfrac *f)
{
    result_t *r;
    double lower = s->fixed ? s->threshold : s->f.lower;
    int guard = s->fixed ? lower > 0 : s->f.q1 > 0 && lower > 0;
    double ratio = (double)f->wins / (double)f->processes;
    int flag = guard && (double)f->processes >= s->upper && ratio <= lower;

    r = ind_result(c, "tenderer", id, flag ? RESULT_FLAG : RESULT_PASS);
    ind_measured(c, r, ratio, "ratio", "won %zu of %zu processes (%.4f)", f->wins, f->processes, ratio);
    ind_threshold(c, r, lower, "<= %.4f with >= %.4g processes", lower, s->upper);
    ind_explain(c, r, "Tenderer %s won %zu of the %zu processes where it bid validly; top tenderers bid in at "
                      "least %.4g, and the lower fence is %.4f%s.",
                id, f->wins, f->processes, s->upper, lower, guard ? "" : " (not positive: no outliers)");
    ind_fields(c, r, "bids.details.tenderers.id", "bids.details.status", "awards.suppliers.id", (const char *)NULL);
    if (!(c->prm && c->prm->terse))
        ind_stats(c, r,
                  "{\"n\":%zu,\"percentile\":%g,\"upper_fence\":%.10g,\"q1\":%.10g,\"q3\":%.10g,\"lower_fence\":%.10g,"
                  "\"fixed\":%s}",
                  ind_hash_count(s->t), s->percentile, isfinite(s->upper) ? s->upper : 0.0,
                  isfinite(s->f.q1) ? s->f.q1 : 0.0, isfinite(s->f.q3) ? s->f.q3 : 0.0,
                  isfinite(lower) ? lower : 0.0, s->fixed ? "true" : "false");
    if (flag)
        ind_party(c, r, id);
}

int ind_r025_pop_results(const void *state, const indicator_params *prm, result_list *out, err_t *e)
{
    const r025_state *s = state;
    ind_ctx c;
    size_t it = 0;
    const char *k;
    void *v;

    ind_ctx_init(&c, out, prm, NULL, "excessive_unsuccessful_bids", "R025", e);
    while (s && s->finished && ind_hash_at(s->t, &it, &k, &v))
        if (((const winfrac *)v)->processes > 0)
            r025_judge(&c, s, k, v);
    return ind_finish(&c);
}

/* R025 (OCP red flags guide; Cardinal R025): a tenderer whose number of processes with a
 * valid bid is at or above the percentile (75) of all tenderers, and whose share of wins
 * is at or below Q1 - 1.5 IQR of the win shares. One result per valid bidder here. */
IND_EVAL(ind_excessive_unsuccessful_bids)
{
    ind_ctx c;
    result_t *r;
    const r025_state *s = pop;
    idset set = {0};
    const char *w = NULL;
    size_t i;
    int rc;

    ind_ctx_init(&c, out, prm, p, "excessive_unsuccessful_bids", "R025", e);
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!s || !s->finished) {
        ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The population statistics were not computed.");
        return ind_finish(&c);
    }
    if (p->n_bids == 0) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "No bids are published.");
        ind_fields(&c, r, "bids.details", (const char *)NULL);
        return ind_finish(&c);
    }
    rc = r025_bidders(p, &set, &w);
    if (rc < 0) {
        free(set.v);
        return err_set(e, ERR_NOMEM, "excessive_unsuccessful_bids: out of memory");
    }
    if (rc == 0 || set.n == 0) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "The rule needs every award final, one active award to one "
                                                  "supplier and valid single-tenderer bids.");
        ind_fields(&c, r, "awards.status", "awards.suppliers", "bids.details.status", (const char *)NULL);
        free(set.v);
        return ind_finish(&c);
    }
    for (i = 0; i < set.n; i++) {
        const winfrac *f = ind_hash_get(s->t, set.v[i], 0);
        if (f && f->processes > 0)
            r025_judge(&c, s, set.v[i], f);
    }
    free(set.v);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- documents */

static int docs_have(const model_document *d, size_t n, const char *types, const char **found)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (d[i].document_type && ind_list_has(types, d[i].document_type)) {
            *found = d[i].document_type;
            return 1;
        }
    return 0;
}

/* Once an award is made, an evaluation report or award notice (document_types) is among
 * the tender, award or contract documents. */
IND_EVAL(ind_evaluation_report_published)
{
    ind_ctx c;
    result_t *r;
    const char *types = indicator_param_str(prm, "document_types", "evaluationReports|awardNotice");
    const char *found = NULL;
    size_t i;
    int live = 0, have;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "evaluation_report_published", NULL, e);
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    for (i = 0; i < p->n_awards; i++)
        if (award_live(&p->awards[i]))
            live = 1;
    if (!live) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "No award has been made yet.");
        ind_fields(&c, r, "awards.status", (const char *)NULL);
        return ind_finish(&c);
    }
    have = docs_have(p->documents, p->n_documents, types, &found);
    for (i = 0; !have && i < p->n_awards; i++)
        have = docs_have(p->awards[i].documents, p->awards[i].n_documents, types, &found);
    for (i = 0; !have && i < p->n_contracts; i++)
        have = docs_have(p->contracts[i].documents, p->contracts[i].n_documents, types, &found);
    r = ind_result(&c, NULL, NULL, have ? RESULT_PASS : RESULT_FLAG);
    ind_measured(&c, r, have, "count", "%s", have ? found : "none published");
    ind_threshold_text(&c, r, "one of %s", types);
    ind_explain(&c, r, have ? "An evaluation document (%s) is published." : "No evaluation report or award notice (%s) "
                                                                              "is published.",
                have ? found : types);
    ind_fields(&c, r, "tender.documents.documentType", "awards.documents.documentType",
               "contracts.documents.documentType", (const char *)NULL);
    return ind_finish(&c);
}

/* For contracts under way or ended (contract_statuses), evidence of monitoring:
 * milestones, or progress/audit/evaluation documents (document_types). Per contract. */
IND_EVAL(ind_performance_monitoring)
{
    ind_ctx c;
    result_t *r;
    const char *types = indicator_param_str(prm, "document_types",
                                            "physicalProgressReport|financialProgressReport|finalAudit|"
                                            "projectEvaluation|completionCertificate");
    const char *sts = indicator_param_str(prm, "contract_statuses", "active|terminated");
    size_t i;
    int any = 0, rc;
    long minev;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "performance_monitoring", NULL, e);
    if ((rc = ind_param_count(prm, "minimum_evidence", 1, &minev, e)) != 0)
        return rc;
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    for (i = 0; i < p->n_contracts; i++) {
        const model_contract *ct = &p->contracts[i];
        const char *found = NULL;
        size_t k, ndocs = 0, ev;
        int have;
        if (!ct->status || !ind_list_has(sts, ct->status))
            continue;
        any = 1;
        have = docs_have(ct->documents, ct->n_documents, types, &found);
        for (k = 0; k < ct->n_documents; k++)
            if (ct->documents[k].document_type && ind_list_has(types, ct->documents[k].document_type))
                ndocs++;
        ev = ct->n_milestones + ndocs;
        r = ind_result(&c, "contract", ct->id ? ct->id : "(no id)",
                       ev >= (size_t)minev ? RESULT_PASS : RESULT_FLAG);
        ind_measured(&c, r, (double)ev, "count", "%zu milestone%s, %zu monitoring document%s", ct->n_milestones,
                     ct->n_milestones == 1 ? "" : "s", ndocs, ndocs == 1 ? "" : "s");
        ind_threshold(&c, r, (double)minev, "at least %ld milestones or documents of %s", minev, types);
        if (ev >= (size_t)minev)
            ind_explain(&c, r, "The %s contract has monitoring evidence (%zu milestones%s%s).", ct->status,
                        ct->n_milestones, have ? ", " : "", have ? found : "");
        else
            ind_explain(&c, r, "The %s contract has no milestones, progress reports or final evaluation.", ct->status);
        ind_fields(&c, r, "contracts.status", "contracts.milestones", "contracts.implementation.milestones",
                   "contracts.documents.documentType", "contracts.implementation.documents.documentType",
                   (const char *)NULL);
    }
    if (!any) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "No contract is under way or ended (%s).", sts);
        ind_fields(&c, r, "contracts.status", (const char *)NULL);
    }
    return ind_finish(&c);
}
