/* price.c - price indicators (SPEC §5.4 "Price"): award vs estimate, contract value
 * increase, payments above the contract, value just below a threshold, price close to
 * the winning bid [R024] and heavily discounted bid [R058] (population), identical bid
 * prices [R028]. Pure functions of the model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/ind_util.h"

/* An award that stands: status active, or no status given. */
static int award_live(const model_award *a)
{
    return a->status == NULL || strcmp(a->status, "active") == 0;
}

static int contract_live(const model_contract *c)
{
    return !ind_streq(c->status, "cancelled");
}

/* ---------------------------------------------------------------- award_vs_estimate */

/* The estimate: tender.value, else the sum of the lots' values, else planning.budget. */
static int estimate_of(const model_procurement *p, model_amount *est, const char **field)
{
    size_t i;

    if (ind_amount_ok(&p->tender_value)) {
        *est = p->tender_value;
        *field = "tender.value";
        return 1;
    }
    if (p->n_lots > 0) {
        model_amount sum = {1, 0, ""};
        for (i = 0; i < p->n_lots; i++) {
            const model_amount *v = &p->lots[i].value;
            if (!ind_amount_ok(v) || (sum.currency[0] && strcmp(sum.currency, v->currency) != 0))
                break;
            memcpy(sum.currency, v->currency, sizeof sum.currency);
            sum.amount += v->amount;
        }
        if (i == p->n_lots) {
            *est = sum;
            *field = "tender.lots.value";
            return 1;
        }
    }
    if (ind_amount_ok(&p->planning_budget)) {
        *est = p->planning_budget;
        *field = "planning.budget.amount";
        return 1;
    }
    return 0;
}

/* Sum of the live awards' values in `cur`: 1 ok; 0 an award has no usable value;
 * -1 an award is in another currency. *n receives the number of live awards. */
static int awarded_sum(const model_procurement *p, const char *cur, double *sum, size_t *n)
{
    size_t i;

    *sum = 0;
    *n = 0;
    for (i = 0; i < p->n_awards; i++) {
        const model_award *a = &p->awards[i];
        if (!award_live(a))
            continue;
        (*n)++;
        if (!ind_amount_ok(&a->value) || a->value.amount < 0)
            return 0;
        if (strcmp(a->value.currency, cur) != 0)
            return -1;
        *sum += a->value.amount;
    }
    return 1;
}

/* Awarded value ÷ estimated value above 1 + overrun (0.10), or within closeness (0.01) of
 * the estimate (an estimate copied from the winning offer). */
IND_EVAL(ind_award_vs_estimate)
{
    ind_ctx c;
    result_t *r;
    double over, close, sum, ratio;
    model_amount est;
    const char *ef;
    size_t n;
    int rc, k;
    char a[64], b[64];

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "award_vs_estimate", NULL, e);
    if ((rc = indicator_param_double(prm, "overrun", 0.10, &over, e)) != 0 ||
        (rc = indicator_param_double(prm, "closeness", 0.01, &close, e)) != 0)
        return rc;
    if (over < 0 || close < 0)
        return err_set(e, ERR_USAGE, "award_vs_estimate: overrun and closeness must be >= 0");
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!estimate_of(p, &est, &ef)) {
        k = awarded_sum(p, "", &sum, &n);
        r = ind_simple(&c, n == 0 ? RESULT_NOT_APPLICABLE : RESULT_INSUFFICIENT_DATA, "%s",
                       n == 0 ? "No award has been made yet." : "No estimated value is given.");
        (void)k;
        ind_fields(&c, r, "tender.value", "tender.lots.value", "planning.budget.amount", (const char *)NULL);
        return ind_finish(&c);
    }
    k = awarded_sum(p, est.currency, &sum, &n);
    if (n == 0) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "No award has been made yet.");
        ind_fields(&c, r, "awards.status", (const char *)NULL);
        return ind_finish(&c);
    }
    if (k <= 0 || !est.currency[0] || est.amount <= 0) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "%s",
                       k == 0       ? "An award's value is not given."
                       : k < 0      ? "The awarded values are not in the currency of the estimate."
                       : !est.currency[0] ? "The estimate has no currency."
                                    : "The estimated value is not positive.");
        ind_fields(&c, r, ef, "awards.value", (const char *)NULL);
        return ind_finish(&c);
    }
    ratio = sum / est.amount;
    if (!isfinite(ratio)) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The values cannot be compared.");
        ind_fields(&c, r, ef, "awards.value", (const char *)NULL);
        return ind_finish(&c);
    }
    /* A tolerance of 1e-9 keeps ratios exactly on a bound (101 / 100 against 1%) on the
     * side the rule states despite binary rounding. */
    r = ind_result(&c, NULL, NULL,
                   ratio > 1 + over + 1e-9 || fabs(ratio - 1) <= close + 1e-9 ? RESULT_FLAG : RESULT_PASS);
    ind_measured(&c, r, ratio, "ratio", "%.4f of the estimate", ratio);
    ind_threshold(&c, r, 1 + over, "above %.4f, or within %.4f of 1, is flagged", 1 + over, close);
    if (ratio > 1 + over + 1e-9)
        ind_explain(&c, r, "The awarded value (%s) is %.1f%% above the estimate (%s).",
                    ind_amount_text(sum, est.currency, a, sizeof a), (ratio - 1) * 100,
                    ind_amount_text(est.amount, est.currency, b, sizeof b));
    else if (fabs(ratio - 1) <= close + 1e-9)
        ind_explain(&c, r, "The awarded value (%s) is within %.2f%% of the estimate (%s).",
                    ind_amount_text(sum, est.currency, a, sizeof a), close * 100,
                    ind_amount_text(est.amount, est.currency, b, sizeof b));
    else
        ind_explain(&c, r, "The awarded value (%s) is %.4f times the estimate (%s).",
                    ind_amount_text(sum, est.currency, a, sizeof a), ratio,
                    ind_amount_text(est.amount, est.currency, b, sizeof b));
    ind_fields(&c, r, ef, "awards.value", "awards.status", (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- contract_value_increase */

/* Per contract: value after amendments ÷ original value above 1 + limit (0.20). The
 * original is contracts.value as first published (the model's original_value); the value
 * after is contracts.value, or the last amendment that states one. */
IND_EVAL(ind_contract_value_increase)
{
    ind_ctx c;
    result_t *r;
    double lim, ratio;
    size_t i, j;
    int any = 0, rc;
    char a[64], b[64];

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "contract_value_increase", NULL, e);
    if ((rc = indicator_param_double(prm, "limit", 0.20, &lim, e)) != 0)
        return rc;
    if (lim < 0)
        return err_set(e, ERR_USAGE, "contract_value_increase: limit must be >= 0");
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    for (i = 0; i < p->n_contracts; i++) {
        const model_contract *ct = &p->contracts[i];
        const char *id = ct->id ? ct->id : "(no id)";
        model_amount now = ct->value;
        if (!contract_live(ct))
            continue;
        any = 1;
        for (j = ct->n_amendments; j-- > 0;)
            if (ct->amendments[j].has_amended_value && ind_amount_ok(&ct->amendments[j].amended_value)) {
                if (!ind_amount_ok(&now))
                    now = ct->amendments[j].amended_value;
                break;
            }
        if (!ind_amount_ok(&ct->original_value)) {
            r = ind_result(&c, "contract", id, ct->n_amendments == 0 ? RESULT_NOT_APPLICABLE : RESULT_INSUFFICIENT_DATA);
            ind_explain(&c, r, "%s", ct->n_amendments == 0 ? "The contract shows no amendment or earlier value."
                                                           : "The contract was amended but its original value is not known.");
            ind_fields(&c, r, "contracts.value", "contracts.amendments", (const char *)NULL);
            continue;
        }
        if (!ind_amount_ok(&now) || strcmp(now.currency, ct->original_value.currency) != 0 ||
            ct->original_value.amount <= 0) {
            r = ind_result(&c, "contract", id, RESULT_INSUFFICIENT_DATA);
            ind_explain(&c, r, "%s", !ind_amount_ok(&now) ? "The current contract value is not given."
                                     : ct->original_value.amount <= 0 ? "The original contract value is not positive."
                                                                      : "The values are in different currencies.");
            ind_fields(&c, r, "contracts.value", "contracts.amendments", (const char *)NULL);
            continue;
        }
        ratio = now.amount / ct->original_value.amount;
        r = ind_result(&c, "contract", id, ratio > 1 + lim + 1e-9 ? RESULT_FLAG : RESULT_PASS);
        ind_measured(&c, r, ratio, "ratio", "%.4f of the original value", ratio);
        ind_threshold(&c, r, 1 + lim, "above %.4f is flagged", 1 + lim);
        ind_explain(&c, r, "The contract value went from %s to %s (%+.1f%%).",
                    ind_amount_text(ct->original_value.amount, now.currency, a, sizeof a),
                    ind_amount_text(now.amount, now.currency, b, sizeof b), (ratio - 1) * 100);
        ind_fields(&c, r, "contracts.value", "contracts.amendments", (const char *)NULL);
    }
    if (!any) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "No contract has been signed.");
        ind_fields(&c, r, "contracts", (const char *)NULL);
    }
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- payments_exceed_contract */

/* Per contract: the sum of implementation.transactions above the contract value times
 * 1 + tolerance (0). */
IND_EVAL(ind_payments_exceed_contract)
{
    ind_ctx c;
    result_t *r;
    double tol, sum;
    size_t i, j;
    int any = 0, rc;
    char a[64], b[64];

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "payments_exceed_contract", NULL, e);
    if ((rc = indicator_param_double(prm, "tolerance", 0, &tol, e)) != 0)
        return rc;
    if (tol < 0)
        return err_set(e, ERR_USAGE, "payments_exceed_contract: tolerance must be >= 0");
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    for (i = 0; i < p->n_contracts; i++) {
        const model_contract *ct = &p->contracts[i];
        const char *id = ct->id ? ct->id : "(no id)";
        const char *why = NULL;
        if (!contract_live(ct))
            continue;
        any = 1;
        if (ct->n_transactions == 0) {
            r = ind_result(&c, "contract", id, RESULT_NOT_APPLICABLE);
            ind_explain(&c, r, "No payment is published for this contract.");
            ind_fields(&c, r, "contracts.implementation.transactions", (const char *)NULL);
            continue;
        }
        sum = 0;
        if (!ind_amount_ok(&ct->value) || !ct->value.currency[0])
            why = "The contract value (with its currency) is not given.";
        else if (ct->value.amount < 0)
            why = "The contract value is negative.";
        for (j = 0; !why && j < ct->n_transactions; j++) {
            const model_amount *v = &ct->transactions[j].value;
            if (!ind_amount_ok(v))
                why = "A payment has no usable amount.";
            else if (strcmp(v->currency, ct->value.currency) != 0)
                why = "A payment is not in the contract's currency.";
            else
                sum += v->amount;
        }
        if (why) {
            r = ind_result(&c, "contract", id, RESULT_INSUFFICIENT_DATA);
            ind_explain(&c, r, "%s", why);
            ind_fields(&c, r, "contracts.value", "contracts.implementation.transactions.value", (const char *)NULL);
            continue;
        }
        r = ind_result(&c, "contract", id, sum > ct->value.amount * (1 + tol) ? RESULT_FLAG : RESULT_PASS);
        ind_measured(&c, r, sum, ct->value.currency, "%s paid", ind_amount_text(sum, ct->value.currency, a, sizeof a));
        ind_threshold(&c, r, ct->value.amount * (1 + tol), "above %s is flagged",
                      ind_amount_text(ct->value.amount * (1 + tol), ct->value.currency, b, sizeof b));
        ind_explain(&c, r, "Payments of %s against a contract value of %s.", a,
                    ind_amount_text(ct->value.amount, ct->value.currency, b, sizeof b));
        ind_fields(&c, r, "contracts.value", "contracts.implementation.transactions.value", (const char *)NULL);
    }
    if (!any) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "No contract has been signed.");
        ind_fields(&c, r, "contracts", (const char *)NULL);
    }
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- just_below_threshold */

/* One entry of the thresholds list: "AMOUNT" or "AMOUNT CUR". 0, or ERR_USAGE. */
static int threshold_entry(const char *q, size_t len, const char *defcur, double *t, char cur[8], err_t *e)
{
    char tmp[64], *end;

    if (len == 0 || len >= sizeof tmp)
        return err_set(e, ERR_USAGE, "parameter thresholds: bad entry");
    memcpy(tmp, q, len);
    tmp[len] = '\0';
    *t = strtod(tmp, &end);
    if (end == tmp || !isfinite(*t) || *t <= 0)
        return err_set(e, ERR_USAGE, "parameter thresholds: '%s' is not a positive amount", tmp);
    while (*end == ' ')
        end++;
    if (*end) {
        size_t k;
        if (strlen(end) != 3)
            return err_set(e, ERR_USAGE, "parameter thresholds: '%s': expected AMOUNT [CURRENCY]", tmp);
        for (k = 0; k < 3; k++)
            cur[k] = (char)(end[k] >= 'a' && end[k] <= 'z' ? end[k] - 32 : end[k]);
        cur[3] = '\0';
    } else {
        snprintf(cur, 8, "%s", defcur);
    }
    return 0;
}

/* The estimated value (tender.value), else the awarded sum, within `band` (5%; alias
 * margin) below one of the configured procedure thresholds ("AMOUNT [CUR]|...", default
 * the EU services threshold for sub-central authorities, 221000 EUR, Directive
 * 2014/24/EU art. 4 as amended for 2024-2025). Only thresholds in the value's currency
 * are compared; none in it gives not_applicable. */
IND_EVAL(ind_just_below_threshold)
{
    ind_ctx c;
    result_t *r;
    const char *list = indicator_param_str(prm, "thresholds", "221000");
    const char *defcur = indicator_param_str(prm, "currency", "EUR");
    const char *q, *vf;
    double band, v = 0, best = NAN;
    model_amount val = {0};
    size_t n;
    int rc, hit = 0, same_cur = 0;
    char a[64], b[64], cur[8];

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "just_below_threshold", NULL, e);
    if ((rc = ind_param_double_alias(prm, "band", "margin", 0.05, &band, e)) != 0)
        return rc;
    if (band < 0 || band >= 1)
        return err_set(e, ERR_USAGE, "just_below_threshold: band must be in [0, 1)");
    /* Check the list once, whatever the procurement. */
    for (q = list; q && *q;) {
        const char *bar = strchr(q, '|');
        double t;
        if ((rc = threshold_entry(q, bar ? (size_t)(bar - q) : strlen(q), defcur, &t, cur, e)) != 0)
            return rc;
        q = bar ? bar + 1 : NULL;
    }
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (ind_amount_ok(&p->tender_value) && p->tender_value.currency[0]) {
        val = p->tender_value;
        vf = "tender.value";
    } else {
        size_t i;
        vf = "awards.value";
        for (i = 0; i < p->n_awards; i++)
            if ((!p->awards[i].status || strcmp(p->awards[i].status, "active") == 0) &&
                ind_amount_ok(&p->awards[i].value) && p->awards[i].value.currency[0]) {
                memcpy(val.currency, p->awards[i].value.currency, sizeof val.currency);
                break;
            }
        rc = val.currency[0] ? awarded_sum(p, val.currency, &v, &n) : 0;
        if (!val.currency[0] || n == 0 || rc <= 0) {
            r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "%s",
                           rc < 0 ? "The awarded values are in several currencies."
                                  : "Neither an estimated nor an awarded value (with its currency) is given.");
            ind_fields(&c, r, "tender.value", "awards.value", (const char *)NULL);
            return ind_finish(&c);
        }
        val.present = 1;
        val.amount = v;
    }
    v = val.amount;
    for (q = list; q && *q;) {
        const char *bar = strchr(q, '|');
        double t;
        if ((rc = threshold_entry(q, bar ? (size_t)(bar - q) : strlen(q), defcur, &t, cur, e)) != 0)
            return rc;
        q = bar ? bar + 1 : NULL;
        if (strcmp(cur, val.currency) != 0)
            continue;
        same_cur = 1;
        if (v < t && (isnan(best) || t < best))
            best = t;
        if (v < t && v + 1e-6 >= t * (1 - band))
            hit = 1;
    }
    if (!same_cur) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "The value is in %s; no threshold is given in that currency (%s).",
                       val.currency, list);
        ind_fields(&c, r, vf, (const char *)NULL);
        return ind_finish(&c);
    }
    r = ind_result(&c, NULL, NULL, hit ? RESULT_FLAG : RESULT_PASS);
    ind_measured(&c, r, v, val.currency, "%s", ind_amount_text(v, val.currency, a, sizeof a));
    if (!isnan(best)) {
        ind_threshold(&c, r, best, "from %s up to the threshold is flagged",
                      ind_amount_text(best * (1 - band), val.currency, b, sizeof b));
        ind_explain(&c, r, "The value %s is %.2f%% below the threshold of %s.", a, (1 - v / best) * 100,
                    ind_amount_text(best, val.currency, b, sizeof b));
    } else {
        ind_threshold_text(&c, r, "within %.1f%% below one of %s", band * 100, list);
        ind_explain(&c, r, "The value %s is not below any configured threshold.", a);
    }
    ind_fields(&c, r, vf, (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- R024 / R058 */

/* A procurement's ratio kept for pop_results (terse runs only). The three strings share
 * one allocation, owned through `ocid`. */
typedef struct {
    char *ocid, *winner, *other;
    double ratio;
} slr_kept;

/* Population of (second-lowest valid bid - winning bid) ÷ winning bid ratios. The state
 * keeps a copy of the parameters it was made with (their strings belong to the criteria
 * set or the command line, which outlive it): pop_add reads the filters from them. */
typedef struct {
    indicator_params prm;
    ind_vec ratios;
    ind_fences f;
    int fixed;             /* a threshold parameter replaces the computed fence */
    double threshold;
    int finished;
    slr_kept *kept;        /* terse: every procurement with a ratio */
    size_t n_kept, cap_kept;
} slr_state;

static void *slr_new(const indicator_params *prm, err_t *e, const char *name)
{
    slr_state *s = calloc(1, sizeof *s);

    if (!s) {
        err_set(e, ERR_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    if (prm)
        s->prm = *prm;
    s->fixed = ind_param_has(prm, "threshold");
    if (indicator_param_double(prm, "threshold", 0, &s->threshold, e) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

static int slr_keep(slr_state *s, const char *ocid, const char *w, const char *o, double ratio)
{
    slr_kept *k;
    size_t lo, lw, lx;

    if (s->n_kept == s->cap_kept) {
        size_t nc = s->cap_kept ? s->cap_kept * 2 : 256;
        slr_kept *nk = realloc(s->kept, nc * sizeof *nk);
        if (!nk)
            return ERR_NOMEM;
        s->kept = nk;
        s->cap_kept = nc;
    }
    ocid = ocid ? ocid : "";
    w = w ? w : "";
    o = o ? o : "";
    lo = strlen(ocid) + 1;
    lw = strlen(w) + 1;
    lx = strlen(o) + 1;
    k = &s->kept[s->n_kept];
    /* One block holds the three strings (ocid owns it). */
    k->ocid = malloc(lo + lw + lx);
    if (!k->ocid)
        return ERR_NOMEM;
    memcpy(k->ocid, ocid, lo);
    k->winner = k->ocid + lo;
    memcpy(k->winner, w, lw);
    k->other = k->winner + lw;
    memcpy(k->other, o, lx);
    k->ratio = ratio;
    s->n_kept++;
    return 0;
}

static int slr_add(void *state, const model_procurement *p, err_t *e)
{
    slr_state *s = state;
    double ratio;
    const char *w, *o;
    const char *ex = indicator_param_str(&s->prm, "exclude_procurement_method_details", NULL);

    if (ind_streq(p->tender_status, "cancelled") ||
        (p->procurement_method_details && ind_list_has(ex, p->procurement_method_details)))
        return 0;
    if (!ind_second_lowest_ratio(p, &s->prm, &ratio, &w, &o))
        return 0;
    if (ind_vec_push(&s->ratios, ratio) != 0 || (s->prm.terse && slr_keep(s, p->ocid, w, o, ratio) != 0))
        return err_set(e, ERR_NOMEM, "bid ratio population: out of memory");
    return 0;
}

static int slr_finish(void *state, err_t *e)
{
    slr_state *s = state;

    (void)e;
    ind_vec_sort(&s->ratios);
    ind_fences_of(s->ratios.v, s->ratios.n, &s->f);
    s->finished = 1;
    return 0;
}

static void slr_free(void *state)
{
    slr_state *s = state;
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->n_kept; i++)
        free(s->kept[i].ocid);   /* the block of the three strings */
    free(s->kept);
    ind_vec_dispose(&s->ratios);
    free(s);
}

void *ind_r024_pop_new(const indicator_params *prm, err_t *e)
{
    return slr_new(prm, e, "price_close_to_winning_bid");
}
int ind_r024_pop_add(void *state, const model_procurement *p, err_t *e)
{
    return slr_add(state, p, e);
}
int ind_r024_pop_finish(void *state, err_t *e)
{
    return slr_finish(state, e);
}
void ind_r024_pop_free(void *state)
{
    slr_free(state);
}
void *ind_r058_pop_new(const indicator_params *prm, err_t *e)
{
    return slr_new(prm, e, "heavily_discounted_bid");
}
int ind_r058_pop_add(void *state, const model_procurement *p, err_t *e)
{
    return slr_add(state, p, e);
}
int ind_r058_pop_finish(void *state, err_t *e)
{
    return slr_finish(state, e);
}
void ind_r058_pop_free(void *state)
{
    slr_free(state);
}

static void num_json(char *buf, size_t n, double v)
{
    if (isfinite(v))
        snprintf(buf, n, "%.10g", v);
    else
        snprintf(buf, n, "null");
}

/* Judges one ratio against the population: R024 (low: flag ratio <= lower fence) and
 * R058 (high: flag ratio >= upper fence). Cardinal's guards: R024 needs Q1 > 0 and a
 * positive fence (else 75% of processes would be flagged); R058 needs a positive fence.
 * `subject` NULL means the procurement of c. */
static void slr_judge(ind_ctx *c, const slr_state *s, const char *subject, double ratio, const char *w,
                      const char *o, int high)
{
    result_t *r;
    double fence;
    int guard, flag;
    char q1[32], q3[32], fb[32];

    if (s->fixed) {
        fence = s->threshold;
        guard = fence > 0;
    } else if (high) {
        fence = s->f.upper;
        guard = fence > 0;
    } else {
        fence = s->f.lower;
        guard = s->f.q1 > 0 && fence > 0;
    }
    flag = guard && (high ? ratio >= fence : ratio <= fence);
    r = ind_result(c, NULL, subject, flag ? RESULT_FLAG : RESULT_PASS);
    ind_measured(c, r, ratio, "ratio", "%.4f", ratio);
    ind_threshold(c, r, fence, "%s %.4f (%s)", high ? ">=" : "<=", fence,
                  s->fixed ? "fixed threshold" : high ? "Q3 + 1.5 IQR" : "Q1 - 1.5 IQR");
    if (!guard)
        ind_explain(c, r, "The second-lowest bid is %.2f%% above the winning bid; the fence (%.4f) is not positive, so "
                          "no process is an outlier.", ratio * 100, fence);
    else
        ind_explain(c, r, "The second-lowest bid is %.2f%% above the winning bid, %s the fence of %.2f%%.", ratio * 100,
                    flag ? (high ? "at or above" : "at or below") : (high ? "below" : "above"), fence * 100);
    ind_fields(c, r, "bids.details.value", "bids.details.status", "bids.details.tenderers", "awards.suppliers",
               "awards.status", (const char *)NULL);
    if (!(c->prm && c->prm->terse)) {
        num_json(q1, sizeof q1, s->f.q1);
        num_json(q3, sizeof q3, s->f.q3);
        num_json(fb, sizeof fb, fence);
        ind_stats(c, r, "{\"n\":%zu,\"q1\":%s,\"q3\":%s,\"%s\":%s,\"fixed\":%s}", s->ratios.n, q1, q3,
                  high ? "upper_fence" : "lower_fence", fb, s->fixed ? "true" : "false");
    }
    if (flag) {
        ind_party(c, r, w);
        if (!high)
            ind_party(c, r, o);
    }
}

static int slr_eval(const model_procurement *p, const indicator_params *prm, const void *pop, result_list *out,
                    err_t *e, int high)
{
    ind_ctx c;
    result_t *r;
    const slr_state *s = pop;
    double ratio;
    const char *w, *o;

    ind_ctx_init(&c, out, prm, p, high ? "heavily_discounted_bid" : "price_close_to_winning_bid", high ? "R058" : "R024",
                 e);
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!ind_price_comparison(p, prm)) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "Prices are not compared in this procedure (%s).",
                       p->procurement_method_details);
        ind_fields(&c, r, "tender.procurementMethodDetails", (const char *)NULL);
        return ind_finish(&c);
    }
    if (p->n_bids == 0) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "No bids are published.");
        ind_fields(&c, r, "bids.details", (const char *)NULL);
        return ind_finish(&c);
    }
    if (!ind_second_lowest_ratio(p, prm, &ratio, &w, &o)) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE,
                       "The bids cannot be compared: the rule needs every award final, one active award to one "
                       "supplier, a valid single-tenderer bid from the winner that is the lowest, and another valid "
                       "bid, in one currency.");
        ind_fields(&c, r, "awards.status", "awards.suppliers", "bids.details.status", "bids.details.value",
                   "bids.details.tenderers", (const char *)NULL);
        return ind_finish(&c);
    }
    if (!s || !s->finished || s->ratios.n == 0) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The population statistics were not computed.");
        return ind_finish(&c);
    }
    slr_judge(&c, s, NULL, ratio, w, o, high);
    return ind_finish(&c);
}

static int slr_results(const void *state, const indicator_params *prm, result_list *out, err_t *e, int high)
{
    const slr_state *s = state;
    ind_ctx c;
    size_t i;

    ind_ctx_init(&c, out, prm, NULL, high ? "heavily_discounted_bid" : "price_close_to_winning_bid",
                 high ? "R058" : "R024", e);
    for (i = 0; s && s->finished && i < s->n_kept; i++)
        slr_judge(&c, s, s->kept[i].ocid, s->kept[i].ratio, s->kept[i].winner, s->kept[i].other, high);
    return ind_finish(&c);
}

int ind_r024_pop_results(const void *state, const indicator_params *prm, result_list *out, err_t *e)
{
    return slr_results(state, prm, out, e, 0);
}

int ind_r058_pop_results(const void *state, const indicator_params *prm, result_list *out, err_t *e)
{
    return slr_results(state, prm, out, e, 1);
}

/* R024 (OCP red flags guide; Cardinal R024). */
IND_EVAL(ind_price_close_to_winning_bid)
{
    return slr_eval(p, prm, pop, out, e, 0);
}

/* R058 (OCP red flags guide; Cardinal R058). */
IND_EVAL(ind_heavily_discounted_bid)
{
    return slr_eval(p, prm, pop, out, e, 1);
}

/* ---------------------------------------------------------------- identical_bid_prices */

static int same_set(char *const *a, size_t na, char *const *b, size_t nb)
{
    size_t i, j;

    for (i = 0; i < na; i++) {
        for (j = 0; j < nb; j++)
            if (a[i] && b[j] && strcmp(a[i], b[j]) == 0)
                break;
        if (j == nb)
            return 0;
    }
    for (j = 0; j < nb; j++) {
        for (i = 0; i < na; i++)
            if (a[i] && b[j] && strcmp(a[i], b[j]) == 0)
                break;
        if (i == na)
            return 0;
    }
    return 1;
}

static int has_ids(const model_bid *b)
{
    size_t i;

    for (i = 0; i < b->n_tenderers; i++)
        if (b->tenderer_ids[i])
            return 1;
    return 0;
}

/* R028 (OCP red flags guide; Cardinal R028): two submitted bids with the same amount and
 * currency from different sets of tenderers. */
IND_EVAL(ind_identical_bid_prices)
{
    ind_ctx c;
    result_t *r;
    size_t i, j, priced = 0, pairs = 0;
    double amount = 0;
    const char *cur = "";
    char a[64];

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "identical_bid_prices", "R028", e);
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!ind_price_comparison(p, prm)) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "Prices are not compared in this procedure (%s).",
                       p->procurement_method_details);
        ind_fields(&c, r, "tender.procurementMethodDetails", (const char *)NULL);
        return ind_finish(&c);
    }
    if (p->n_bids == 0) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "No bids are published.");
        ind_fields(&c, r, "bids.details", (const char *)NULL);
        return ind_finish(&c);
    }
    r = NULL;
    for (i = 0; i < p->n_bids; i++) {
        const model_bid *b = &p->bids[i];
        if (!ind_bid_submitted(b) || !ind_amount_ok(&b->value) || !b->value.currency[0] || !has_ids(b))
            continue;
        priced++;
        for (j = 0; j < i; j++) {
            const model_bid *o = &p->bids[j];
            size_t k;
            if (!ind_bid_submitted(o) || !ind_amount_ok(&o->value) || !has_ids(o) ||
                o->value.amount != b->value.amount || strcmp(o->value.currency, b->value.currency) != 0 ||
                same_set(o->tenderer_ids, o->n_tenderers, b->tenderer_ids, b->n_tenderers))
                continue;
            if (!r) {
                r = ind_result(&c, NULL, NULL, RESULT_FLAG);
                amount = b->value.amount;
                cur = b->value.currency;
            }
            pairs++;
            for (k = 0; k < b->n_tenderers; k++)
                ind_party(&c, r, b->tenderer_ids[k]);
            for (k = 0; k < o->n_tenderers; k++)
                ind_party(&c, r, o->tenderer_ids[k]);
        }
    }
    if (r) {
        ind_measured(&c, r, (double)pairs, "count", "%zu pair%s of identical prices", pairs, pairs == 1 ? "" : "s");
        ind_threshold(&c, r, 1, "1 or more pairs is flagged");
        ind_explain(&c, r, "Different tenderers submitted bids of exactly %s (%zu pair%s).",
                    ind_amount_text(amount, cur, a, sizeof a), pairs, pairs == 1 ? "" : "s");
        ind_fields(&c, r, "bids.details.value", "bids.details.tenderers", "bids.details.status", (const char *)NULL);
        return ind_finish(&c);
    }
    if (priced < 2) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "Fewer than two submitted bids have a price and tenderers (%zu).",
                       priced);
        ind_fields(&c, r, "bids.details.value", "bids.details.tenderers", "bids.details.status", (const char *)NULL);
        return ind_finish(&c);
    }
    r = ind_result(&c, NULL, NULL, RESULT_PASS);
    ind_measured(&c, r, 0, "count", "no identical prices among %zu bids", priced);
    ind_threshold(&c, r, 1, "1 or more pairs is flagged");
    ind_explain(&c, r, "No two of the %zu priced bids from different tenderers have the same price.", priced);
    ind_fields(&c, r, "bids.details.value", "bids.details.tenderers", "bids.details.status", (const char *)NULL);
    return ind_finish(&c);
}
