/* generic.c - the generic rule kinds of criteria sets (SPEC §5.1): field_present,
 * date_difference, value_in_list, amount_ratio. They read named fields of the model
 * (the names are OCDS paths; the lists below are the supported ones, documented in
 * docs/indicators.md), so that a set can encode simple local rules without C changes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/ind_util.h"

/* ---------------------------------------------------------------- field presence */

static int s_ok(const char *s)
{
    return s && *s;
}

static int every_award(const model_procurement *p, int what)
{
    size_t i;

    if (p->n_awards == 0)
        return 0;
    for (i = 0; i < p->n_awards; i++) {
        const model_award *a = &p->awards[i];
        int ok = what == 0 ? a->date.present : what == 1 ? ind_amount_ok(&a->value) : a->n_suppliers > 0;
        if (!ok)
            return 0;
    }
    return 1;
}

static int every_contract(const model_procurement *p, int what)
{
    size_t i;

    if (p->n_contracts == 0)
        return 0;
    for (i = 0; i < p->n_contracts; i++) {
        const model_contract *c = &p->contracts[i];
        int ok = what == 0   ? c->date_signed.present
                 : what == 1 ? ind_amount_ok(&c->value)
                 : what == 2 ? c->period_start.present && c->period_end.present
                 : what == 3 ? c->n_transactions > 0
                 : what == 4 ? c->n_milestones > 0
                             : c->n_documents > 0;
        if (!ok)
            return 0;
    }
    return 1;
}

/* 1 present, 0 absent, -1 unknown field name. Array paths (awards.*, contracts.*) are
 * present when there is at least one element and every element has the field. */
static int field_present(const model_procurement *p, const char *f)
{
    static const struct {
        const char *name;
        int id;
    } tab[] = {
        {"ocid", 0}, {"tender.id", 1}, {"tender.title", 2}, {"tender.description", 3}, {"tender.value", 4},
        {"tender.procurementMethod", 5}, {"tender.procurementMethodDetails", 6},
        {"tender.procurementMethodRationale", 7}, {"tender.mainProcurementCategory", 8},
        {"tender.awardCriteria", 9}, {"tender.awardCriteriaDetails", 10}, {"tender.tenderPeriod.startDate", 11},
        {"tender.tenderPeriod.endDate", 12}, {"tender.datePublished", 13}, {"tender.contractPeriod", 14},
        {"tender.numberOfTenderers", 15}, {"tender.items", 16}, {"tender.documents", 17}, {"tender.milestones", 18},
        {"tender.lots", 19}, {"buyer.id", 20}, {"buyer.name", 21}, {"tender.procuringEntity.id", 22},
        {"planning.budget.amount", 23}, {"bids.details", 24}, {"awards", 25}, {"awards.date", 26},
        {"awards.value", 27}, {"awards.suppliers", 28}, {"contracts", 29}, {"contracts.dateSigned", 30},
        {"contracts.value", 31}, {"contracts.period", 32}, {"contracts.implementation.transactions", 33},
        {"contracts.milestones", 34}, {"contracts.documents", 35}, {"tender.placeOfPerformance", 36},
        {"tender.awardCriteria.criteria", 37}, {"tender.items.classification", 38}, {"tender.status", 39},
        {"tender.contractPeriod.durationInDays", 40},
    };
    size_t i;
    int id = -1;

    for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(tab[i].name, f) == 0)
            id = tab[i].id;
    switch (id) {
    case 0: return s_ok(p->ocid);
    case 1: return s_ok(p->tender_id);
    case 2: return s_ok(p->title);
    case 3: return s_ok(p->description);
    case 4: return ind_amount_ok(&p->tender_value);
    case 5: return s_ok(p->procurement_method);
    case 6: return s_ok(p->procurement_method_details);
    case 7: return s_ok(p->procurement_method_rationale);
    case 8: return s_ok(p->main_procurement_category);
    case 9: return s_ok(p->award_criteria);
    case 10: return s_ok(p->award_criteria_details);
    case 11: return p->tender_start.present;
    case 12: return p->tender_end.present;
    case 13: return p->date_published.present;
    case 14: return (p->contract_period_start.present && p->contract_period_end.present) || p->has_duration_days;
    case 15: return p->has_number_of_tenderers;
    case 16: return p->n_items > 0;
    case 17: return p->n_documents > 0;
    case 18: return p->n_milestones > 0;
    case 19: return p->n_lots > 0;
    case 20: return s_ok(p->buyer_id);
    case 21: return s_ok(p->buyer_name);
    case 22: return s_ok(p->procuring_entity_id);
    case 23: return ind_amount_ok(&p->planning_budget);
    case 24: return p->n_bids > 0;
    case 25: return p->n_awards > 0;
    case 26: return every_award(p, 0);
    case 27: return every_award(p, 1);
    case 28: return every_award(p, 2);
    case 29: return p->n_contracts > 0;
    case 30: return every_contract(p, 0);
    case 31: return every_contract(p, 1);
    case 32: return every_contract(p, 2);
    case 33: return every_contract(p, 3);
    case 34: return every_contract(p, 4);
    case 35: return every_contract(p, 5);
    case 36: return s_ok(p->place_of_performance);
    case 37: return p->n_award_criteria > 0;
    case 38: {
        size_t k;
        if (p->n_items == 0)
            return 0;
        for (k = 0; k < p->n_items; k++)
            if (!s_ok(p->items[k].classification_id))
                return 0;
        return 1;
    }
    case 39: return s_ok(p->tender_status);
    case 40: return p->has_duration_days;
    default: return -1;
    }
}

static int date_field(const model_procurement *p, const char *f, model_date *out);
static int code_field(const model_procurement *p, const char *f, const char **out);
static int amount_field(const model_procurement *p, const char *f, model_amount *out);

/* Any name of the presence table, or of the date, code and amount tables. */
static int any_field_present(const model_procurement *p, const char *f)
{
    int k = field_present(p, f);
    model_date d;
    model_amount a;
    const char *s;

    if (k >= 0)
        return k;
    if (date_field(p, f, &d) == 0)
        return d.present;
    if (code_field(p, f, &s) == 0)
        return s_ok(s);
    k = amount_field(p, f, &a);
    return k < 0 ? -1 : k;
}

/* A field, or at least minimum_share (1) of a '|'-separated list of fields, is present. */
IND_EVAL(ind_field_present)
{
    ind_ctx c;
    result_t *r;
    const char *fields = indicator_param_str(prm, "fields", NULL);
    const char *q;
    double share, got;
    size_t n = 0, have = 0;
    int rc;
    char missing[512];
    size_t mlen = 0;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "field_present", NULL, e);
    if (ind_list_empty(fields))
        return err_set(e, ERR_USAGE, "field_present: parameter 'fields' is required");
    if ((rc = indicator_param_double(prm, "minimum_share", 1, &share, e)) != 0)
        return rc;
    if (share < 0 || share > 1)
        return err_set(e, ERR_USAGE, "field_present: minimum_share must be in [0, 1]");
    missing[0] = '\0';
    for (q = fields; q && *q;) {
        const char *bar = strchr(q, '|');
        size_t len = bar ? (size_t)(bar - q) : strlen(q);
        char name[128];
        int k;
        if (len == 0 || len >= sizeof name)
            return err_set(e, ERR_USAGE, "field_present: bad field name in 'fields'");
        memcpy(name, q, len);
        name[len] = '\0';
        k = any_field_present(p, name);
        if (k < 0)
            return err_set(e, ERR_USAGE, "field_present: unknown field '%s' (see docs/indicators.md)", name);
        n++;
        if (k)
            have++;
        else if (mlen < sizeof missing) {
            int w = snprintf(missing + mlen, sizeof missing - mlen, "%s%s", mlen ? ", " : "", name);
            mlen += w > 0 ? (size_t)w : 0;
        }
        q = bar ? bar + 1 : NULL;
    }
    if (ind_excluded(&c, 0))
        return ind_finish(&c);
    got = (double)have / (double)n;
    r = ind_result(&c, NULL, NULL, got + 1e-12 >= share ? RESULT_PASS : RESULT_FLAG);
    ind_measured(&c, r, got, "ratio", "%zu of %zu fields present", have, n);
    ind_threshold(&c, r, share, "at least %.0f%% present", share * 100);
    if (have == n)
        ind_explain(&c, r, "All %zu fields are present.", n);
    else
        ind_explain(&c, r, "%zu of %zu fields are present; missing: %s.", have, n, missing);
    ind_fields(&c, r, fields, (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- dates */

static model_date first_of_awards(const model_procurement *p)
{
    model_date d = {0};
    size_t i;

    for (i = 0; i < p->n_awards; i++)
        if (p->awards[i].date.present && (!d.present || p->awards[i].date.t < d.t))
            d = p->awards[i].date;
    return d;
}

static model_date first_of_contracts(const model_procurement *p, int what)
{
    model_date d = {0};
    size_t i;

    for (i = 0; i < p->n_contracts; i++) {
        model_date x = what == 0 ? p->contracts[i].date_signed
                       : what == 1 ? p->contracts[i].period_start : p->contracts[i].period_end;
        if (x.present && (!d.present || x.t < d.t))
            d = x;
    }
    return d;
}

/* 0 and *out (maybe not present), or -1 for an unknown name. Array fields take the
 * earliest date. */
static int date_field(const model_procurement *p, const char *f, model_date *out)
{
    *out = (model_date){0};
    if (strcmp(f, "date") == 0) *out = p->date;
    else if (strcmp(f, "tender.datePublished") == 0) *out = p->date_published;
    else if (strcmp(f, "tender.tenderPeriod.startDate") == 0) *out = p->tender_start;
    else if (strcmp(f, "tender.tenderPeriod.endDate") == 0) *out = p->tender_end;
    else if (strcmp(f, "tender.awardPeriod.startDate") == 0) *out = p->award_period_start;
    else if (strcmp(f, "tender.awardPeriod.endDate") == 0) *out = p->award_period_end;
    else if (strcmp(f, "tender.contractPeriod.startDate") == 0) *out = p->contract_period_start;
    else if (strcmp(f, "tender.contractPeriod.endDate") == 0) *out = p->contract_period_end;
    else if (strcmp(f, "awards.date") == 0) *out = first_of_awards(p);
    else if (strcmp(f, "contracts.dateSigned") == 0) *out = first_of_contracts(p, 0);
    else if (strcmp(f, "contracts.period.startDate") == 0) *out = first_of_contracts(p, 1);
    else if (strcmp(f, "contracts.period.endDate") == 0) *out = first_of_contracts(p, 2);
    else return -1;
    return 0;
}

/* Days from date field `from` to `to` within [minimum_days, maximum_days] (either bound
 * may be omitted, not both). */
IND_EVAL(ind_date_difference)
{
    ind_ctx c;
    result_t *r;
    const char *from = indicator_param_str(prm, "from", NULL), *to = indicator_param_str(prm, "to", NULL);
    int hmin = ind_param_has(prm, "minimum_days"), hmax = ind_param_has(prm, "maximum_days"), rc, bad;
    double mn, mx, d;
    model_date a, b;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "date_difference", NULL, e);
    if (!from || !to)
        return err_set(e, ERR_USAGE, "date_difference: parameters 'from' and 'to' are required");
    if (!hmin && !hmax)
        return err_set(e, ERR_USAGE, "date_difference: give minimum_days, maximum_days or both");
    if ((rc = indicator_param_double(prm, "minimum_days", -INFINITY, &mn, e)) != 0 ||
        (rc = indicator_param_double(prm, "maximum_days", INFINITY, &mx, e)) != 0)
        return rc;
    if (date_field(p, from, &a) != 0 || date_field(p, to, &b) != 0)
        return err_set(e, ERR_USAGE, "date_difference: unknown date field '%s' (see docs/indicators.md)",
                       date_field(p, from, &a) != 0 ? from : to);
    if (ind_excluded(&c, 0))
        return ind_finish(&c);
    if (!a.present || !b.present) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "%s is not given.", !a.present ? from : to);
        ind_fields(&c, r, from, to, (const char *)NULL);
        return ind_finish(&c);
    }
    d = ind_days(a, b);
    bad = (hmin && d < mn) || (hmax && d > mx);
    r = ind_result(&c, NULL, NULL, bad ? RESULT_FLAG : RESULT_PASS);
    ind_measured(&c, r, d, "days", "%.2f days", d);
    if (hmin && hmax)
        ind_threshold(&c, r, d < mn ? mn : mx, "between %g and %g days", mn, mx);
    else if (hmin)
        ind_threshold(&c, r, mn, "at least %g days", mn);
    else
        ind_threshold(&c, r, mx, "at most %g days", mx);
    ind_explain(&c, r, "%.2f days from %s to %s, %s the allowed range.", d, from, to, bad ? "outside" : "within");
    ind_fields(&c, r, from, to, (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- codes */

static int code_field(const model_procurement *p, const char *f, const char **out)
{
    if (strcmp(f, "tender.procurementMethod") == 0) *out = p->procurement_method;
    else if (strcmp(f, "tender.procurementMethodDetails") == 0) *out = p->procurement_method_details;
    else if (strcmp(f, "tender.mainProcurementCategory") == 0) *out = p->main_procurement_category;
    else if (strcmp(f, "tender.awardCriteria") == 0) *out = p->award_criteria;
    else if (strcmp(f, "tender.status") == 0) *out = p->tender_status;
    else if (strcmp(f, "buyer.id") == 0) *out = p->buyer_id;
    else if (strcmp(f, "buyer.name") == 0) *out = p->buyer_name;
    else if (strcmp(f, "tender.procuringEntity.id") == 0) *out = p->procuring_entity_id;
    else if (strcmp(f, "tender.value.currency") == 0) *out = p->tender_value.currency[0] ? p->tender_value.currency : NULL;
    else if (strcmp(f, "language") == 0) *out = p->language;
    else return -1;
    return 0;
}

/* A code field's value is in `values` (mode allowed: flagged when it is not; mode
 * forbidden: flagged when it is). */
IND_EVAL(ind_value_in_list)
{
    ind_ctx c;
    result_t *r;
    const char *field = indicator_param_str(prm, "field", NULL), *values = indicator_param_str(prm, "values", NULL);
    const char *mode = indicator_param_str(prm, "mode", "allowed"), *v = NULL;
    int forbidden, in;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "value_in_list", NULL, e);
    if (!field || ind_list_empty(values))
        return err_set(e, ERR_USAGE, "value_in_list: parameters 'field' and 'values' are required");
    if (strcmp(mode, "allowed") != 0 && strcmp(mode, "forbidden") != 0)
        return err_set(e, ERR_USAGE, "value_in_list: mode must be 'allowed' or 'forbidden'");
    forbidden = strcmp(mode, "forbidden") == 0;
    if (code_field(p, field, &v) != 0)
        return err_set(e, ERR_USAGE, "value_in_list: unknown field '%s' (see docs/indicators.md)", field);
    if (ind_excluded(&c, 0))
        return ind_finish(&c);
    if (!v) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "%s is not given.", field);
        ind_fields(&c, r, field, (const char *)NULL);
        return ind_finish(&c);
    }
    in = ind_list_has(values, v);
    r = ind_result(&c, NULL, NULL, in == forbidden ? RESULT_FLAG : RESULT_PASS);
    ind_measured(&c, r, NAN, NULL, "%s", v);
    ind_threshold_text(&c, r, "%s %s", forbidden ? "not one of" : "one of", values);
    ind_explain(&c, r, "%s is '%s', %s the %s list.", field, v, in ? "in" : "not in", forbidden ? "forbidden" : "allowed");
    ind_fields(&c, r, field, (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- amounts */

/* 1 with the amount, 0 not available (absent, mixed currencies), -1 unknown name. Array
 * fields are summed (awards: active or without status; contracts: not cancelled). */
static int amount_field(const model_procurement *p, const char *f, model_amount *out)
{
    size_t i, j;
    int any = 0;

    *out = (model_amount){0};
#define ADD(v)                                                                               \
    do {                                                                                     \
        if (!ind_amount_ok(&(v)) || (any && strcmp(out->currency, (v).currency) != 0))       \
            return 0;                                                                        \
        if (!any)                                                                            \
            memcpy(out->currency, (v).currency, sizeof out->currency);                       \
        out->amount += (v).amount;                                                           \
        any = 1;                                                                             \
    } while (0)
    if (strcmp(f, "tender.value") == 0)
        ADD(p->tender_value);
    else if (strcmp(f, "planning.budget.amount") == 0)
        ADD(p->planning_budget);
    else if (strcmp(f, "tender.lots.value") == 0) {
        for (i = 0; i < p->n_lots; i++)
            ADD(p->lots[i].value);
    } else if (strcmp(f, "awards.value") == 0) {
        for (i = 0; i < p->n_awards; i++)
            if (!p->awards[i].status || strcmp(p->awards[i].status, "active") == 0)
                ADD(p->awards[i].value);
    } else if (strcmp(f, "contracts.value") == 0) {
        for (i = 0; i < p->n_contracts; i++)
            if (!ind_streq(p->contracts[i].status, "cancelled"))
                ADD(p->contracts[i].value);
    } else if (strcmp(f, "contracts.implementation.transactions.value") == 0) {
        for (i = 0; i < p->n_contracts; i++)
            for (j = 0; j < p->contracts[i].n_transactions; j++)
                ADD(p->contracts[i].transactions[j].value);
    } else
        return -1;
#undef ADD
    out->present = any;
    return any;
}

/* numerator ÷ denominator (amount fields, same currency) within [minimum, maximum]. */
IND_EVAL(ind_amount_ratio)
{
    ind_ctx c;
    result_t *r;
    const char *nf = indicator_param_str(prm, "numerator", NULL), *df = indicator_param_str(prm, "denominator", NULL);
    int hmin = ind_param_has(prm, "minimum"), hmax = ind_param_has(prm, "maximum"), rc, kn, kd, bad;
    double mn, mx, ratio;
    model_amount a, b;
    char x[64], y[64];

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "amount_ratio", NULL, e);
    if (!nf || !df)
        return err_set(e, ERR_USAGE, "amount_ratio: parameters 'numerator' and 'denominator' are required");
    if (!hmin && !hmax)
        return err_set(e, ERR_USAGE, "amount_ratio: give minimum, maximum or both");
    if ((rc = indicator_param_double(prm, "minimum", -INFINITY, &mn, e)) != 0 ||
        (rc = indicator_param_double(prm, "maximum", INFINITY, &mx, e)) != 0)
        return rc;
    kn = amount_field(p, nf, &a);
    kd = amount_field(p, df, &b);
    if (kn < 0 || kd < 0)
        return err_set(e, ERR_USAGE, "amount_ratio: unknown amount field '%s' (see docs/indicators.md)",
                       kn < 0 ? nf : df);
    if (ind_excluded(&c, 0))
        return ind_finish(&c);
    if (!kn || !kd || !a.currency[0] || strcmp(a.currency, b.currency) != 0 || !(b.amount > 0)) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "%s",
                       !kn || !kd ? "An amount is not given (or mixes currencies)."
                       : !a.currency[0] || strcmp(a.currency, b.currency) != 0
                           ? "The two amounts are not in the same currency."
                           : "The denominator is not positive.");
        ind_fields(&c, r, nf, df, (const char *)NULL);
        return ind_finish(&c);
    }
    ratio = a.amount / b.amount;
    bad = (hmin && ratio < mn) || (hmax && ratio > mx);
    r = ind_result(&c, NULL, NULL, bad ? RESULT_FLAG : RESULT_PASS);
    ind_measured(&c, r, ratio, "ratio", "%.4f", ratio);
    if (hmin && hmax)
        ind_threshold(&c, r, ratio < mn ? mn : mx, "between %g and %g", mn, mx);
    else if (hmin)
        ind_threshold(&c, r, mn, "at least %g", mn);
    else
        ind_threshold(&c, r, mx, "at most %g", mx);
    ind_explain(&c, r, "%s (%s) is %.4f times %s (%s), %s the allowed range.", nf,
                ind_amount_text(a.amount, a.currency, x, sizeof x), ratio, df,
                ind_amount_text(b.amount, b.currency, y, sizeof y), bad ? "outside" : "within");
    ind_fields(&c, r, nf, df, (const char *)NULL);
    return ind_finish(&c);
}
