/* content.c - content indicators (SPEC §5.4 "Content"): specification completeness
 * (graded), documents published, scope consistency, split purchases (population),
 * heterogeneous supplier [R048] (population). Pure functions of the model. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/ind_util.h"

/* Characters (UTF-8 code points) of a string, ignoring leading/trailing white space. */
static size_t text_chars(const char *s)
{
    size_t n = 0;
    const unsigned char *p;

    if (!s)
        return 0;
    for (p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80 && !(n == 0 && isspace(*p)))
            n++;
    return n;
}

/* ---------------------------------------------------------------- specification_completeness */

/* Five equal parts, each 0..1: a description of at least minimum_description_chars; the
 * share of items with a classification; the share of items with a quantity and a unit;
 * a contract period or duration (tender or contracts); a place of performance (tender
 * or item delivery). Score = 100 × mean; flagged below pass_score (60). */
IND_EVAL(ind_specification_completeness)
{
    ind_ctx c;
    result_t *r;
    double minc, pass, parts[5], score;
    size_t i, cls = 0, qty = 0, nd;
    int rc, period = 0, place = 0, met = 0;
    static const char *const names[5] = {"description", "item classifications", "item quantities and units",
                                         "contract period", "place of performance"};
    char missing[256];
    size_t mlen = 0;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "specification_completeness", NULL, e);
    if ((rc = indicator_param_double(prm, "minimum_description_chars", 100, &minc, e)) != 0 ||
        (rc = indicator_param_double(prm, "pass_score", 60, &pass, e)) != 0)
        return rc;
    if (!ind_param_has(prm, "pass_score") && ind_param_has(prm, "pass_share")) {
        /* pass_share is the same threshold as a share 0..1 of the full score. */
        if ((rc = indicator_param_double(prm, "pass_share", 0.6, &pass, e)) != 0)
            return rc;
        pass *= 100.0;
    }
    if (ind_excluded(&c, 0))
        return ind_finish(&c);
    if (!ind_has_tender(p)) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "No tender information is published.");
        ind_fields(&c, r, "tender", (const char *)NULL);
        return ind_finish(&c);
    }
    nd = text_chars(p->description);
    parts[0] = nd >= minc ? 1.0 : 0.0;
    for (i = 0; i < p->n_items; i++) {
        const model_item *it = &p->items[i];
        if (it->classification_id && *it->classification_id)
            cls++;
        if (it->has_quantity && isfinite(it->quantity) && it->quantity > 0 && it->unit_name && *it->unit_name)
            qty++;
        if (it->delivery_location && *it->delivery_location)
            place = 1;
    }
    parts[1] = p->n_items ? (double)cls / (double)p->n_items : 0.0;
    parts[2] = p->n_items ? (double)qty / (double)p->n_items : 0.0;
    if ((p->contract_period_start.present && p->contract_period_end.present) ||
        (p->has_duration_days && p->duration_days > 0))
        period = 1;
    for (i = 0; !period && i < p->n_contracts; i++)
        if (p->contracts[i].period_start.present && p->contracts[i].period_end.present)
            period = 1;
    parts[3] = period;
    if (p->place_of_performance && *p->place_of_performance)
        place = 1;
    parts[4] = place;
    score = 0;
    missing[0] = '\0';
    for (i = 0; i < 5; i++) {
        score += parts[i];
        if (parts[i] >= 1.0)
            met++;
        else if (mlen < sizeof missing) {
            int k = snprintf(missing + mlen, sizeof missing - mlen, "%s%s", mlen ? ", " : "", names[i]);
            mlen += k > 0 ? (size_t)k : 0;
        }
    }
    score = score / 5.0 * 100.0;
    r = ind_result(&c, NULL, NULL, score < pass ? RESULT_FLAG : RESULT_PASS);
    if (r)
        r->score = score;
    ind_measured(&c, r, score, "score", "%.0f of 100 (%d of 5 parts complete)", score, met);
    ind_threshold(&c, r, pass, "below %g is flagged", pass);
    if (met == 5)
        ind_explain(&c, r, "The specification is complete: description, classified items with quantities, period "
                           "and place.");
    else
        ind_explain(&c, r, "The specification scores %.0f of 100; incomplete: %s (description %zu characters, "
                           "%zu of %zu items classified, %zu with quantity and unit).",
                    score, missing, nd, cls, p->n_items, qty);
    ind_fields(&c, r, "tender.description", "tender.items.classification", "tender.items.quantity",
               "tender.items.unit.name", "tender.contractPeriod", "tender.contractPeriod.durationInDays",
               "tender.items.deliveryLocation", "tender.deliveryAddresses", (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- documents_published */

/* At least `minimum` (1) of the document_types are among tender.documents. */
IND_EVAL(ind_documents_published)
{
    ind_ctx c;
    result_t *r;
    const char *types = indicator_param_str(prm, "document_types",
                                            "technicalSpecifications|biddingDocuments|evaluationCriteria|tenderNotice");
    long minimum;
    size_t i, j, found = 0;
    int rc;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "documents_published", NULL, e);
    const char *match = indicator_param_str(prm, "match", "any");

    if ((rc = ind_param_count(prm, "minimum", 1, &minimum, e)) != 0)
        return rc;
    if (strcmp(match, "any") != 0 && strcmp(match, "all") != 0)
        return err_set(e, ERR_USAGE, "documents_published: match must be 'any' or 'all'");
    if (!ind_param_has(prm, "minimum") && strcmp(match, "all") == 0) {
        /* every listed type: count the entries of the list */
        const char *q;
        minimum = 1;
        for (q = types; *q; q++)
            minimum += *q == '|';
    }
    if (ind_excluded(&c, 0))
        return ind_finish(&c);
    if (!ind_has_tender(p)) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "No tender information is published.");
        ind_fields(&c, r, "tender", (const char *)NULL);
        return ind_finish(&c);
    }
    /* Count distinct listed types present. */
    for (i = 0; i < p->n_documents; i++) {
        const char *t = p->documents[i].document_type;
        int dup = 0;
        if (!t || !ind_list_has(types, t))
            continue;
        for (j = 0; j < i; j++)
            if (ind_streq(p->documents[j].document_type, t))
                dup = 1;
        if (!dup)
            found++;
    }
    r = ind_result(&c, NULL, NULL, found >= (size_t)minimum ? RESULT_PASS : RESULT_FLAG);
    ind_measured(&c, r, (double)found, "count", "%zu of the listed document types", found);
    ind_threshold(&c, r, (double)minimum, "at least %ld of %s", minimum, types);
    ind_explain(&c, r, "%zu of the expected tender document types are published among %zu tender documents.", found,
                p->n_documents);
    ind_fields(&c, r, "tender.documents.documentType", (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- scope_consistency */

/* The category a CPV code implies: division 45 works; 03..44 and 48 goods; 49..98 services
 * (CPV 2008, Regulation (EC) No 213/2008). NULL when not a CPV code. */
static const char *cpv_category(const char *id)
{
    int d;

    if (!id || !isdigit((unsigned char)id[0]) || !isdigit((unsigned char)id[1]))
        return NULL;
    d = (id[0] - '0') * 10 + (id[1] - '0');
    if (d == 45)
        return "works";
    if ((d >= 3 && d <= 44) || d == 48)
        return "goods";
    if (d >= 49 && d <= 98)
        return "services";
    return NULL;
}

static int prefix_ok(const char *list, const char *id)
{
    const char *q = list;

    while (q && *q) {
        const char *bar = strchr(q, '|');
        size_t len = bar ? (size_t)(bar - q) : strlen(q);
        if (len > 0 && strncmp(id, q, len) == 0)
            return 1;
        q = bar ? bar + 1 : NULL;
    }
    return 0;
}

/* tender.mainProcurementCategory agrees with the category the CPV item classifications
 * imply; with classification_prefixes set, every classified item falls under one. */
IND_EVAL(ind_scope_consistency)
{
    ind_ctx c;
    result_t *r;
    const char *prefixes = indicator_param_str(prm, "classification_prefixes", NULL);
    const char *scheme = indicator_param_str(prm, "scheme", "CPV");
    size_t i, checked = 0, bad = 0;
    const char *first = NULL;

    (void)pop;
    ind_ctx_init(&c, out, prm, p, "scope_consistency", NULL, e);
    if (ind_excluded(&c, 0))
        return ind_finish(&c);
    for (i = 0; i < p->n_items; i++) {
        const model_item *it = &p->items[i];
        const char *cat;
        if (!it->classification_id)
            continue;
        if (!ind_list_empty(prefixes)) {
            if (it->classification_scheme && ind_param_has(prm, "scheme") &&
                strcmp(it->classification_scheme, scheme) != 0)
                continue;
            checked++;
            if (!prefix_ok(prefixes, it->classification_id) && bad++ == 0)
                first = it->classification_id;
            continue;
        }
        if (!p->main_procurement_category)
            continue;
        if (it->classification_scheme && strcmp(it->classification_scheme, "CPV") != 0)
            continue;
        cat = cpv_category(it->classification_id);
        if (!cat)
            continue;
        checked++;
        if (strcmp(cat, p->main_procurement_category) != 0 && bad++ == 0)
            first = it->classification_id;
    }
    if (checked == 0) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "%s",
                       !ind_list_empty(prefixes) ? "No item has a classification."
                       : !p->main_procurement_category ? "The main procurement category is not given."
                                                       : "No item has a CPV classification to compare.");
        ind_fields(&c, r, "tender.mainProcurementCategory", "tender.items.classification", (const char *)NULL);
        return ind_finish(&c);
    }
    r = ind_result(&c, NULL, NULL, bad ? RESULT_FLAG : RESULT_PASS);
    ind_measured(&c, r, (double)bad, "count", "%zu of %zu items out of scope", bad, checked);
    if (!ind_list_empty(prefixes)) {
        ind_threshold(&c, r, 0, "every item under %s", prefixes);
        if (bad)
            ind_explain(&c, r, "%zu of %zu classified items fall outside the configured classifications (first: %s).",
                        bad, checked, first ? first : "");
        else
            ind_explain(&c, r, "All %zu classified items fall under the configured classifications.", checked);
    } else {
        ind_threshold(&c, r, 0, "every CPV item in the declared category (%s)", p->main_procurement_category);
        if (bad)
            ind_explain(&c, r, "%zu of %zu CPV items do not belong to the declared category %s (first: %s).", bad,
                        checked, p->main_procurement_category, first ? first : "");
        else
            ind_explain(&c, r, "All %zu CPV items agree with the declared category %s.", checked,
                        p->main_procurement_category);
    }
    ind_fields(&c, r, "tender.mainProcurementCategory", "tender.items.classification", (const char *)NULL);
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- split_purchases */

typedef struct {
    int64_t t;
    double amount;
} dated_amount;

typedef struct {
    dated_amount *v;
    size_t n, cap;
} split_list;

typedef struct {
    ind_hash *keys;        /* "buyer\x1fsupplier\x1fclass" -> split_list */
    double threshold, window;
    long digits, minimum;
    char currency[8];
    char exclude[512];
    int finished;
} split_state;

static void split_dispose(void *v)
{
    free(((split_list *)v)->v);
}

static int split_key(char *buf, size_t n, const char *buyer, const char *sup, const char *cls, long digits)
{
    int k = snprintf(buf, n, "%s\x1f%s\x1f%.*s", buyer, sup, (int)digits, cls);
    return k < 0 || (size_t)k >= n ? -1 : 0;
}

/* The classification of an award: its first item's, else the tender's first item's. */
static const char *award_class(const model_procurement *p, const model_award *a)
{
    size_t i;

    for (i = 0; i < a->n_items; i++)
        if (a->items[i].classification_id)
            return a->items[i].classification_id;
    for (i = 0; i < p->n_items; i++)
        if (p->items[i].classification_id)
            return p->items[i].classification_id;
    return NULL;
}

static model_date award_date(const model_procurement *p, const model_award *a)
{
    if (a->date.present)
        return a->date;
    if (p->date_published.present)
        return p->date_published;
    return p->date;
}

static int split_counts(const split_state *s, const model_award *a)
{
    return (a->status == NULL || ind_streq(a->status, "active")) && ind_amount_ok(&a->value) &&
           strcmp(a->value.currency, s->currency) == 0 && a->value.amount >= 0 && a->value.amount < s->threshold;
}

void *ind_split_pop_new(const indicator_params *prm, err_t *e)
{
    split_state *s = calloc(1, sizeof *s);
    const char *cur = ind_param_alias(prm, "currency", "threshold_currency", "EUR");
    const char *ex = indicator_param_str(prm, "exclude_procurement_method_details", "");

    if (!s) {
        err_set(e, ERR_NOMEM, "split_purchases: out of memory");
        return NULL;
    }
    if (ind_param_double_alias(prm, "threshold", "threshold_amount", 221000, &s->threshold, e) != 0 ||
        indicator_param_double(prm, "window_days", 90, &s->window, e) != 0 ||
        ind_param_count(prm, ind_param_has(prm, "digits") || !ind_param_has(prm, "classification_digits")
                                 ? "digits" : "classification_digits", 3, &s->digits, e) != 0 ||
        ind_param_count(prm, "minimum_awards", 2, &s->minimum, e) != 0)
        goto fail;
    if (s->threshold <= 0 || s->window < 0 || s->digits < 1 || s->minimum < 2) {
        err_set(e, ERR_USAGE, "split_purchases: threshold > 0, window_days >= 0, digits >= 1, minimum_awards >= 2");
        goto fail;
    }
    if (snprintf(s->currency, sizeof s->currency, "%s", cur) >= (int)sizeof s->currency ||
        snprintf(s->exclude, sizeof s->exclude, "%s", ex) >= (int)sizeof s->exclude) {
        err_set(e, ERR_USAGE, "split_purchases: currency or exclusions too long");
        goto fail;
    }
    if (!(s->keys = ind_hash_new(sizeof(split_list)))) {
        err_set(e, ERR_NOMEM, "split_purchases: out of memory");
        goto fail;
    }
    return s;
fail:
    ind_split_pop_free(s);
    return NULL;
}

int ind_split_pop_add(void *state, const model_procurement *p, err_t *e)
{
    split_state *s = state;
    size_t i, j;
    char key[768];

    if (!p->buyer_id || ind_streq(p->tender_status, "cancelled") ||
        (p->procurement_method_details && ind_list_has(s->exclude, p->procurement_method_details)))
        return 0;
    for (i = 0; i < p->n_awards; i++) {
        const model_award *a = &p->awards[i];
        const char *cls = award_class(p, a);
        model_date d = award_date(p, a);
        if (!split_counts(s, a) || !cls || !d.present)
            continue;
        for (j = 0; j < a->n_suppliers; j++) {
            split_list *l;
            if (!a->supplier_ids[j] || split_key(key, sizeof key, p->buyer_id, a->supplier_ids[j], cls, s->digits))
                continue;
            if (!(l = ind_hash_get(s->keys, key, 1)))
                return err_set(e, ERR_NOMEM, "split_purchases: out of memory");
            if (l->n == l->cap) {
                size_t nc = l->cap ? l->cap * 2 : 4;
                dated_amount *nv = realloc(l->v, nc * sizeof *nv);
                if (!nv)
                    return err_set(e, ERR_NOMEM, "split_purchases: out of memory");
                l->v = nv;
                l->cap = nc;
            }
            l->v[l->n].t = d.t;
            l->v[l->n].amount = a->value.amount;
            l->n++;
        }
    }
    return 0;
}

int ind_split_pop_finish(void *state, err_t *e)
{
    (void)e;
    ((split_state *)state)->finished = 1;
    return 0;
}

void ind_split_pop_free(void *state)
{
    split_state *s = state;

    if (!s)
        return;
    ind_hash_free(s->keys, split_dispose);
    free(s);
}

/* Several awards of one buyer to one supplier for the same classification (leading
 * `digits` digits), each under the threshold, within window_days either side of this
 * award, whose sum exceeds the threshold: the purchase may have been split to stay under
 * it (EU Directive 2014/24/EU art. 5(3) forbids subdividing to avoid the rules). */
IND_EVAL(ind_split_purchases)
{
    ind_ctx c;
    result_t *r;
    const split_state *s = pop;
    size_t i, j, k;
    int any = 0;
    char key[768], a1[64], a2[64];

    ind_ctx_init(&c, out, prm, p, "split_purchases", NULL, e);
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!s || !s->finished) {
        ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The population statistics were not computed.");
        return ind_finish(&c);
    }
    if (!p->buyer_id) {
        r = ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The buyer is not identified.");
        ind_fields(&c, r, "buyer.id", (const char *)NULL);
        return ind_finish(&c);
    }
    for (i = 0; i < p->n_awards; i++) {
        const model_award *a = &p->awards[i];
        const char *cls = award_class(p, a);
        model_date d = award_date(p, a);
        if (!split_counts(s, a))
            continue;
        for (j = 0; j < a->n_suppliers; j++) {
            const split_list *l;
            size_t cnt = 0;
            double sum = 0;
            if (!a->supplier_ids[j])
                continue;
            any = 1;
            if (!cls || !d.present) {
                r = ind_result(&c, "award", a->id ? a->id : "(no id)", RESULT_INSUFFICIENT_DATA);
                ind_explain(&c, r, "The award has no %s.", !cls ? "item classification" : "date");
                ind_fields(&c, r, "awards.items.classification", "tender.items.classification", "awards.date",
                           (const char *)NULL);
                continue;
            }
            if (split_key(key, sizeof key, p->buyer_id, a->supplier_ids[j], cls, s->digits))
                continue;
            l = ind_hash_get(s->keys, key, 0);
            for (k = 0; l && k < l->n; k++)
                if (fabs((double)(l->v[k].t - d.t)) <= s->window * 86400.0) {
                    cnt++;
                    sum += l->v[k].amount;
                }
            r = ind_result(&c, "award", a->id ? a->id : "(no id)",
                           cnt >= (size_t)s->minimum && sum > s->threshold ? RESULT_FLAG : RESULT_PASS);
            ind_measured(&c, r, sum, s->currency, "%zu awards summing %s", cnt,
                         ind_amount_text(sum, s->currency, a1, sizeof a1));
            ind_threshold(&c, r, s->threshold, "%ld or more awards, each under and together above %s", s->minimum,
                          ind_amount_text(s->threshold, s->currency, a2, sizeof a2));
            ind_explain(&c, r, "Buyer %s made %zu awards under the threshold to %s for classification %.*s within %g "
                               "days of this one, totalling %s against a threshold of %s.",
                        p->buyer_id, cnt, a->supplier_ids[j], (int)s->digits, cls, s->window, a1, a2);
            ind_fields(&c, r, "buyer.id", "awards.suppliers.id", "awards.value", "awards.date",
                       "awards.items.classification", (const char *)NULL);
            ind_stats(&c, r, "{\"groups\":%zu,\"window_days\":%g,\"digits\":%ld}", ind_hash_count(s->keys), s->window,
                      s->digits);
            if (r && r->status == RESULT_FLAG)
                ind_party(&c, r, a->supplier_ids[j]);
        }
    }
    if (!any) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "No award under the threshold (%s %g) was made.", s->currency,
                       s->threshold);
        ind_fields(&c, r, "awards.value", "awards.status", (const char *)NULL);
    }
    return ind_finish(&c);
}

/* ---------------------------------------------------------------- R048 */

typedef struct {
    size_t processes;
    char **codes;
    size_t n, cap;
} variety;

typedef struct {
    ind_hash *sup;          /* supplier id -> variety */
    long digits, minimum;
    int fixed;
    double threshold;
    int tender_items;
    ind_fences f;
    size_t members;
    char exclude[512];
    int finished;
} r048_state;

static void variety_dispose(void *v)
{
    variety *x = v;
    size_t i;

    for (i = 0; i < x->n; i++)
        free(x->codes[i]);
    free(x->codes);
}

static int variety_add(variety *x, const char *code, long digits)
{
    size_t i, len = strlen(code);
    char *c;

    if (len > (size_t)digits)
        len = (size_t)digits;
    /* Cardinal takes the first `digits` characters (code points); classification ids
     * are ASCII digits in practice. */
    for (i = 0; i < x->n; i++)
        if (strlen(x->codes[i]) == len && strncmp(x->codes[i], code, len) == 0)
            return 0;
    if (x->n == x->cap) {
        size_t nc = x->cap ? x->cap * 2 : 4;
        char **nv = realloc(x->codes, nc * sizeof *nv);
        if (!nv)
            return ERR_NOMEM;
        x->codes = nv;
        x->cap = nc;
    }
    c = strndup(code, len);
    if (!c)
        return ERR_NOMEM;
    x->codes[x->n++] = c;
    return 0;
}

static const model_item *r048_items(const model_procurement *p, const model_award *a, int tender_items, size_t *n)
{
    if (a->n_items > 0 || !tender_items) {
        *n = a->n_items;
        return a->items;
    }
    *n = p->n_items;
    return p->items;
}

/* An active award to a single supplier, with items. */
static int r048_award(const model_award *a)
{
    return ind_streq(a->status, "active") && a->n_suppliers == 1 && a->supplier_ids[0];
}

void *ind_r048_pop_new(const indicator_params *prm, err_t *e)
{
    r048_state *s = calloc(1, sizeof *s);
    const char *ex = indicator_param_str(prm, "exclude_procurement_method_details", "");
    long ti = 0;

    if (!s) {
        err_set(e, ERR_NOMEM, "heterogeneous_supplier: out of memory");
        return NULL;
    }
    s->fixed = ind_param_has(prm, "threshold");
    if (ind_param_count(prm, "digits", 2, &s->digits, e) != 0 ||
        ind_param_count(prm, "minimum_contracting_processes", 20, &s->minimum, e) != 0 ||
        indicator_param_double(prm, "threshold", 0, &s->threshold, e) != 0 ||
        ind_param_count(prm, "use_tender_items", 0, &ti, e) != 0)
        goto fail;
    if (s->digits < 1 || s->digits > 32) {
        err_set(e, ERR_USAGE, "parameter digits: expected 1..32");
        goto fail;
    }
    s->tender_items = ti != 0;
    if (snprintf(s->exclude, sizeof s->exclude, "%s", ex) >= (int)sizeof s->exclude) {
        err_set(e, ERR_USAGE, "parameter exclude_procurement_method_details: too long");
        goto fail;
    }
    if (!(s->sup = ind_hash_new(sizeof(variety)))) {
        err_set(e, ERR_NOMEM, "heterogeneous_supplier: out of memory");
        goto fail;
    }
    return s;
fail:
    ind_r048_pop_free(s);
    return NULL;
}

/* Remembers ids within one procurement: 1 when `id` was seen before, 0 when it is new
 * (and now remembered), ERR_NOMEM. The set is made on first use; free with
 * ind_hash_free. */
static int seen_once(ind_hash **h, const char *id)
{
    if (!*h && !(*h = ind_hash_new(1)))
        return ERR_NOMEM;
    if (ind_hash_get(*h, id, 0))
        return 1;
    return ind_hash_get(*h, id, 1) ? 0 : ERR_NOMEM;
}

int ind_r048_pop_add(void *state, const model_procurement *p, err_t *e)
{
    r048_state *s = state;
    size_t i, j, n;
    ind_hash *seen = NULL;
    int rc = 0;

    if (ind_streq(p->tender_status, "cancelled") ||
        (p->procurement_method_details && ind_list_has(s->exclude, p->procurement_method_details)))
        return 0;
    for (i = 0; i < p->n_awards; i++) {
        const model_award *a = &p->awards[i];
        const model_item *items;
        variety *v = NULL;
        if (!r048_award(a))
            continue;
        items = r048_items(p, a, s->tender_items, &n);
        for (j = 0; rc == 0 && j < n; j++) {
            if (!items[j].classification_id)
                continue;
            if (!v && !(v = ind_hash_get(s->sup, a->supplier_ids[0], 1))) {
                rc = ERR_NOMEM;
                break;
            }
            /* A supplier counts once per contracting process (at its first classified
             * item here). */
            {
                int k = seen_once(&seen, a->supplier_ids[0]);
                if (k < 0) {
                    rc = k;
                    break;
                }
                if (k == 0)
                    v->processes++;
            }
            if (variety_add(v, items[j].classification_id, s->digits) != 0)
                rc = ERR_NOMEM;
        }
        if (rc != 0)
            break;
    }
    ind_hash_free(seen, NULL);
    return rc ? err_set(e, ERR_NOMEM, "heterogeneous_supplier: out of memory") : 0;
}

int ind_r048_pop_finish(void *state, err_t *e)
{
    r048_state *s = state;
    ind_vec v = {0};
    size_t it = 0;
    const char *k;
    void *val;

    while (ind_hash_at(s->sup, &it, &k, &val)) {
        variety *x = val;
        if (x->processes >= (size_t)s->minimum && ind_vec_push(&v, (double)x->n) != 0) {
            ind_vec_dispose(&v);
            return err_set(e, ERR_NOMEM, "heterogeneous_supplier: out of memory");
        }
    }
    ind_vec_sort(&v);
    ind_fences_of(v.v, v.n, &s->f);
    s->members = v.n;
    ind_vec_dispose(&v);
    s->finished = 1;
    return 0;
}

void ind_r048_pop_free(void *state)
{
    r048_state *s = state;

    if (!s)
        return;
    ind_hash_free(s->sup, variety_dispose);
    free(s);
}

static void r048_judge(ind_ctx *c, const r048_state *s, const char *id, const variety *v)
{
    double fence = s->fixed ? s->threshold : s->f.upper;
    result_t *r = ind_result(c, "tenderer", id, (double)v->n >= fence ? RESULT_FLAG : RESULT_PASS);

    ind_measured(c, r, (double)v->n, "count", "%zu classification groups", v->n);
    ind_threshold(c, r, fence, ">= %.4g (%s)", fence, s->fixed ? "fixed threshold" : "Q3 + 1.5 IQR");
    ind_explain(c, r, "Supplier %s was awarded items in %zu distinct %ld-digit classification groups across %zu "
                      "processes; the fence is %.4g.",
                id, v->n, s->digits, v->processes, fence);
    ind_fields(c, r, "awards.suppliers.id", "awards.items.classification.id", "awards.status", (const char *)NULL);
    if (!(c->prm && c->prm->terse))
        ind_stats(c, r, "{\"n\":%zu,\"q1\":%.10g,\"q3\":%.10g,\"upper_fence\":%.10g,\"fixed\":%s,\"digits\":%ld}",
                  s->members, isfinite(s->f.q1) ? s->f.q1 : 0.0, isfinite(s->f.q3) ? s->f.q3 : 0.0,
                  isfinite(fence) ? fence : 0.0, s->fixed ? "true" : "false", s->digits);
    if (r && r->status == RESULT_FLAG)
        ind_party(c, r, id);
}

int ind_r048_pop_results(const void *state, const indicator_params *prm, result_list *out, err_t *e)
{
    const r048_state *s = state;
    ind_ctx c;
    size_t it = 0;
    const char *k;
    void *v;

    ind_ctx_init(&c, out, prm, NULL, "heterogeneous_supplier", "R048", e);
    while (s && s->finished && ind_hash_at(s->sup, &it, &k, &v))
        if (((const variety *)v)->processes >= (size_t)s->minimum)
            r048_judge(&c, s, k, v);
    return ind_finish(&c);
}

/* R048 (OCP red flags guide; Cardinal R048): the number of distinct classification
 * prefixes (`digits` leading characters) across the items awarded to a supplier, at or
 * above Q3 + 1.5 IQR of all suppliers with at least minimum_contracting_processes
 * processes (or the fixed threshold). One result per such supplier of this procurement. */
IND_EVAL(ind_heterogeneous_supplier)
{
    ind_ctx c;
    result_t *r;
    const r048_state *s = pop;
    size_t i, n, ndone = 0;
    ind_hash *done = NULL;
    int k;

    ind_ctx_init(&c, out, prm, p, "heterogeneous_supplier", "R048", e);
    if (ind_excluded(&c, 1))
        return ind_finish(&c);
    if (!s || !s->finished) {
        ind_simple(&c, RESULT_INSUFFICIENT_DATA, "The population statistics were not computed.");
        return ind_finish(&c);
    }
    for (i = 0; i < p->n_awards; i++) {
        const model_award *a = &p->awards[i];
        const variety *v;
        if (!r048_award(a))
            continue;
        r048_items(p, a, s->tender_items, &n);
        if (n == 0)
            continue;
        /* One result per supplier, however many of its awards are here. */
        k = seen_once(&done, a->supplier_ids[0]);
        if (k < 0) {
            ind_hash_free(done, NULL);
            return err_set(e, ERR_NOMEM, "heterogeneous_supplier: out of memory");
        }
        if (k == 1)
            continue;
        ndone++;
        v = ind_hash_get(s->sup, a->supplier_ids[0], 0);
        if (!v || v->processes < (size_t)s->minimum) {
            r = ind_result(&c, "tenderer", a->supplier_ids[0], RESULT_NOT_APPLICABLE);
            ind_explain(&c, r, "Supplier %s has classified awards in %zu processes, fewer than the %ld needed.",
                        a->supplier_ids[0], v ? v->processes : 0, s->minimum);
            ind_fields(&c, r, "awards.suppliers.id", "awards.items.classification.id", (const char *)NULL);
            continue;
        }
        r048_judge(&c, s, a->supplier_ids[0], v);
    }
    ind_hash_free(done, NULL);
    if (ndone == 0) {
        r = ind_simple(&c, RESULT_NOT_APPLICABLE, "No active award to a single supplier lists classified items.");
        ind_fields(&c, r, "awards.status", "awards.suppliers", "awards.items", (const char *)NULL);
    }
    return ind_finish(&c);
}
