/* population.c - shared indicator helpers: result builder, parameters, common OCDS
 * readings, the string hash table and the quantiles behind Tukey fences (SPEC §5.3). */
#include "indicators/ind_util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- result builder */

void ind_ctx_init(ind_ctx *c, result_list *out, const indicator_params *prm,
                  const model_procurement *p, const char *indicator, const char *code, err_t *e)
{
    c->out = out;
    c->prm = prm;
    c->p = p;
    c->indicator = indicator;
    c->code = code;
    c->e = e;
    c->failed = 0;
}

static char *dup_or_fail(ind_ctx *c, const char *s)
{
    char *d;

    if (!s)
        return NULL;
    d = strdup(s);
    if (!d)
        c->failed = 1;
    return d;
}

static char *vfmt(ind_ctx *c, const char *fmt, va_list ap)
{
    va_list aq;
    int n;
    char *s;

    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0) {
        c->failed = 1;
        return NULL;
    }
    s = malloc((size_t)n + 1);
    if (!s) {
        c->failed = 1;
        return NULL;
    }
    if (vsnprintf(s, (size_t)n + 1, fmt, ap) != n) {
        free(s);
        c->failed = 1;
        return NULL;
    }
    return s;
}

static int terse(const ind_ctx *c)
{
    return c->prm && c->prm->terse;
}

result_t *ind_result(ind_ctx *c, const char *kind, const char *id, result_status st)
{
    result_t *r;
    const char *crit;

    if (c->failed)
        return NULL;
    r = result_list_add(c->out);
    if (!r) {
        c->failed = 1;
        return NULL;
    }
    crit = c->prm && c->prm->criterion_id ? c->prm->criterion_id : (c->code ? c->code : c->indicator);
    r->criterion_id = dup_or_fail(c, crit);
    r->indicator = dup_or_fail(c, c->indicator);
    r->dim = c->prm ? c->prm->dim : DIM_PROCEDURE;
    r->subject_kind = dup_or_fail(c, kind ? kind : "procurement");
    r->subject_id = dup_or_fail(c, id ? id : (c->p && c->p->ocid ? c->p->ocid : ""));
    r->status = st;
    r->score = st == RESULT_PASS ? 100.0 : 0.0;
    return c->failed ? NULL : r;
}

void ind_measured(ind_ctx *c, result_t *r, double v, const char *unit, const char *fmt, ...)
{
    va_list ap;

    if (!r || c->failed)
        return;
    r->has_measured = isfinite(v) ? 1 : 0;
    r->measured = isfinite(v) ? v : 0.0;
    if (unit && !r->unit)
        r->unit = dup_or_fail(c, unit);
    if (terse(c) || !fmt)
        return;
    va_start(ap, fmt);
    free(r->measured_text);
    r->measured_text = vfmt(c, fmt, ap);
    va_end(ap);
}

void ind_threshold(ind_ctx *c, result_t *r, double v, const char *fmt, ...)
{
    va_list ap;

    if (!r || c->failed)
        return;
    r->has_threshold = isfinite(v) ? 1 : 0;
    r->threshold = isfinite(v) ? v : 0.0;
    if (terse(c) || !fmt)
        return;
    va_start(ap, fmt);
    free(r->threshold_text);
    r->threshold_text = vfmt(c, fmt, ap);
    va_end(ap);
}

void ind_threshold_text(ind_ctx *c, result_t *r, const char *fmt, ...)
{
    va_list ap;

    if (!r || c->failed || terse(c))
        return;
    va_start(ap, fmt);
    free(r->threshold_text);
    r->threshold_text = vfmt(c, fmt, ap);
    va_end(ap);
}

void ind_explain(ind_ctx *c, result_t *r, const char *fmt, ...)
{
    va_list ap;

    if (!r || c->failed || terse(c))
        return;
    va_start(ap, fmt);
    free(r->explanation);
    r->explanation = vfmt(c, fmt, ap);
    va_end(ap);
}

void ind_fields(ind_ctx *c, result_t *r, ...)
{
    va_list ap;
    const char *f;

    if (!r || c->failed || terse(c))
        return;
    va_start(ap, r);
    while ((f = va_arg(ap, const char *)) != NULL) {
        char **nf;
        size_t i;
        int seen = 0;

        for (i = 0; i < r->n_fields; i++)
            if (strcmp(r->fields[i], f) == 0)
                seen = 1;
        if (seen)
            continue;
        nf = realloc(r->fields, (r->n_fields + 1) * sizeof *nf);
        if (!nf) {
            c->failed = 1;
            break;
        }
        r->fields = nf;
        r->fields[r->n_fields] = strdup(f);
        if (!r->fields[r->n_fields]) {
            c->failed = 1;
            break;
        }
        r->n_fields++;
    }
    va_end(ap);
}

void ind_stats(ind_ctx *c, result_t *r, const char *fmt, ...)
{
    va_list ap;

    if (!r || c->failed)
        return;
    va_start(ap, fmt);
    free(r->stats_json);
    r->stats_json = vfmt(c, fmt, ap);
    va_end(ap);
}

void ind_party(ind_ctx *c, result_t *r, const char *id)
{
    char **np;
    size_t i;

    if (!r || !id || c->failed)
        return;
    for (i = 0; i < r->n_party_ids; i++)
        if (strcmp(r->party_ids[i], id) == 0)
            return;
    np = realloc(r->party_ids, (r->n_party_ids + 1) * sizeof *np);
    if (!np) {
        c->failed = 1;
        return;
    }
    r->party_ids = np;
    r->party_ids[r->n_party_ids] = strdup(id);
    if (!r->party_ids[r->n_party_ids]) {
        c->failed = 1;
        return;
    }
    r->n_party_ids++;
}

result_t *ind_simple(ind_ctx *c, result_status st, const char *fmt, ...)
{
    result_t *r = ind_result(c, NULL, NULL, st);
    va_list ap;

    if (!r || terse(c))
        return r;
    va_start(ap, fmt);
    r->explanation = vfmt(c, fmt, ap);
    va_end(ap);
    return r;
}

int ind_finish(ind_ctx *c)
{
    if (c->failed)
        return err_set(c->e, ERR_NOMEM, "indicator %s: out of memory", c->indicator);
    return 0;
}

/* ---------------------------------------------------------------- parameters */

int ind_list_empty(const char *list)
{
    return !list || !*list;
}

int ind_list_has(const char *list, const char *s)
{
    size_t n;
    const char *p, *bar;

    if (!list || !s)
        return 0;
    n = strlen(s);
    p = list;
    for (;;) {
        bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && memcmp(p, s, n) == 0)
            return 1;
        if (!bar)
            return 0;
        p = bar + 1;
    }
}

static int parse_number(const char *s, size_t len, double *out)
{
    char tmp[64], *end;
    double v;

    if (len == 0 || len >= sizeof tmp)
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    errno = 0;
    v = strtod(tmp, &end);
    if (errno || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int ind_map_number(const char *map, const char *key, const char *param, double *out, err_t *e)
{
    const char *p = map, *bar, *colon;
    size_t klen;

    if (!map || !key)
        return 0;
    klen = strlen(key);
    while (*p) {
        bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        colon = memchr(p, ':', len);
        if (!colon)
            return err_set(e, ERR_USAGE, "parameter %s: entry '%.*s' is not KEY:NUMBER", param,
                           (int)(len > 80 ? 80 : len), p);
        if ((size_t)(colon - p) == klen && memcmp(p, key, klen) == 0) {
            if (parse_number(colon + 1, len - (size_t)(colon - p) - 1, out) != 0)
                return err_set(e, ERR_USAGE, "parameter %s: the value of '%s' is not a number", param, key);
            return 1;
        }
        if (!bar)
            break;
        p = bar + 1;
    }
    return 0;
}

int ind_param_count(const indicator_params *p, const char *name, long def, long *out, err_t *e)
{
    double d;
    int rc = indicator_param_double(p, name, (double)def, &d, e);

    if (rc != 0)
        return rc;
    if (d < 0 || d > 1e9 || floor(d) != d)
        return err_set(e, ERR_USAGE, "parameter %s: expected a whole number >= 0", name);
    *out = (long)d;
    return 0;
}

const char *ind_param_alias(const indicator_params *p, const char *name, const char *alias, const char *def)
{
    const char *v = indicator_param_str(p, name, NULL);

    if (!v && alias)
        v = indicator_param_str(p, alias, NULL);
    return v ? v : def;
}

int ind_param_double_alias(const indicator_params *p, const char *name, const char *alias, double def, double *out,
                           err_t *e)
{
    if (!ind_param_has(p, name) && alias && ind_param_has(p, alias))
        return indicator_param_double(p, alias, def, out, e);
    return indicator_param_double(p, name, def, out, e);
}

int ind_param_has(const indicator_params *p, const char *name)
{
    return indicator_param_str(p, name, NULL) != NULL;
}

/* ---------------------------------------------------------------- common readings */

int ind_streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

int ind_excluded(ind_ctx *c, int cancelled)
{
    const model_procurement *p = c->p;
    const char *ex = indicator_param_str(c->prm, "exclude_procurement_method_details", NULL);
    result_t *r;

    if (cancelled && ind_streq(p->tender_status, "cancelled")) {
        r = ind_simple(c, RESULT_NOT_APPLICABLE, "The tender was cancelled, so the rule does not concern it.");
        ind_fields(c, r, "tender.status", (const char *)NULL);
        return 1;
    }
    if (p->procurement_method_details && ind_list_has(ex, p->procurement_method_details)) {
        r = ind_simple(c, RESULT_NOT_APPLICABLE,
                       "The procurement method details '%s' are excluded by the criteria set.",
                       p->procurement_method_details);
        ind_fields(c, r, "tender.procurementMethodDetails", (const char *)NULL);
        return 1;
    }
    return 0;
}

int ind_price_comparison(const model_procurement *p, const indicator_params *prm)
{
    const char *yes = indicator_param_str(prm, "price_comparison_procurement_methods", NULL);
    const char *no = indicator_param_str(prm, "no_price_comparison_procurement_methods", NULL);
    const char *d = p->procurement_method_details;

    /* An allow list works only when not empty; a deny list also when the field is absent. */
    if (!ind_list_empty(yes))
        return d && ind_list_has(yes, d);
    if (d && ind_list_has(no, d))
        return 0;
    return 1;
}

int ind_bid_submitted(const model_bid *b)
{
    return b->status && strcmp(b->status, "invited") != 0 && strcmp(b->status, "withdrawn") != 0;
}

int ind_bid_valid(const model_bid *b)
{
    return ind_streq(b->status, "valid");
}

int ind_bid_disqualified(const model_bid *b)
{
    return ind_streq(b->status, "disqualified");
}

int ind_final_awards(const model_procurement *p, size_t *idx, size_t *n)
{
    size_t i;

    *n = 0;
    if (p->n_bids == 0)
        return 0;
    for (i = 0; i < p->n_awards; i++) {
        const char *s = p->awards[i].status;
        if (!s)
            continue;
        if (strcmp(s, "active") == 0)
            idx[(*n)++] = i;
        else if (strcmp(s, "cancelled") != 0 && strcmp(s, "unsuccessful") != 0)
            return 0;
    }
    return 1;
}

int ind_method_in(const model_procurement *p, const char *list)
{
    return p->procurement_method && ind_list_has(list, p->procurement_method);
}

int ind_has_tender(const model_procurement *p)
{
    return p->tender_id || p->title || p->description || p->procurement_method || p->n_items || p->n_lots ||
           p->tender_value.present || p->tender_start.present || p->tender_end.present || p->date_published.present ||
           p->n_documents || p->award_criteria || p->award_criteria_details || p->n_award_criteria;
}

double ind_days(model_date a, model_date b)
{
    return (double)(b.t - a.t) / 86400.0;
}

const char *ind_date_text(model_date d, char *buf, size_t n)
{
    struct tm tm;
    time_t t = (time_t)d.t;

    if (!d.present || !gmtime_r(&t, &tm)) {
        snprintf(buf, n, "(none)");
        return buf;
    }
    if (strftime(buf, n, d.flags & MODEL_DATE_DATE_ONLY ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(buf, n, "(date)");
    return buf;
}

const char *ind_amount_text(double v, const char *cur, char *buf, size_t n)
{
    if (!isfinite(v))
        snprintf(buf, n, "(not a number)");
    else if (fabs(v) >= 1e15)
        snprintf(buf, n, "%.6g %s", v, cur && *cur ? cur : "(no currency)");
    else
        snprintf(buf, n, "%.2f %s", v, cur && *cur ? cur : "(no currency)");
    return buf;
}

int ind_amount_ok(const model_amount *a)
{
    return a->present && isfinite(a->amount) && fabs(a->amount) < 1e15;
}

int ind_second_lowest_ratio(const model_procurement *p, const indicator_params *prm,
                            double *ratio, const char **winner, const char **other)
{
    size_t *idx, n, i;
    const model_award *aw;
    const char *sup, *cur = indicator_param_str(prm, "currency", NULL);
    int have_w = 0, have_o = 0;
    double wa = 0, oa = 0;
    const char *wid = NULL, *oid = NULL, *first_cur = NULL;

    if (!ind_price_comparison(p, prm) || p->n_awards == 0)
        return 0;
    idx = malloc(p->n_awards * sizeof *idx);
    if (!idx)
        return 0;
    if (!ind_final_awards(p, idx, &n) || n != 1) {
        free(idx);
        return 0;
    }
    aw = &p->awards[idx[0]];
    free(idx);
    /* One active award to one supplier: every bid competed for it. */
    if (aw->n_suppliers != 1 || !aw->supplier_ids[0])
        return 0;
    sup = aw->supplier_ids[0];
    for (i = 0; i < p->n_bids; i++) {
        const model_bid *b = &p->bids[i];
        if (!ind_bid_valid(b) || b->n_tenderers != 1 || !b->tenderer_ids[0] || !ind_amount_ok(&b->value) ||
            !b->value.currency[0])
            continue;
        /* One currency per comparison: the configured one, else the first seen here. */
        if (!first_cur)
            first_cur = cur && *cur ? cur : b->value.currency;
        if (strcmp(b->value.currency, first_cur) != 0)
            continue;
        if (strcmp(b->tenderer_ids[0], sup) == 0) {
            if (!have_w || b->value.amount < wa) {
                wa = b->value.amount;
                wid = b->tenderer_ids[0];
                have_w = 1;
            }
        } else if (!have_o || b->value.amount < oa) {
            oa = b->value.amount;
            oid = b->tenderer_ids[0];
            have_o = 1;
        }
    }
    /* The lowest bid must have won (price-only assumed), and the winning amount must be
     * positive for the ratio to mean anything. */
    if (!have_w || !have_o || oa < wa || wa <= 0)
        return 0;
    *ratio = (oa - wa) / wa;
    if (!isfinite(*ratio))
        return 0;
    *winner = wid;
    *other = oid;
    return 1;
}

/* ---------------------------------------------------------------- hash table */

struct ind_hash {
    char **keys;
    void **vals;
    size_t cap, count, value_size;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ULL;
    }
    return h;
}

ind_hash *ind_hash_new(size_t value_size)
{
    ind_hash *h = calloc(1, sizeof *h);

    if (!h)
        return NULL;
    h->cap = 64;
    h->value_size = value_size;
    h->keys = calloc(h->cap, sizeof *h->keys);
    h->vals = calloc(h->cap, sizeof *h->vals);
    if (!h->keys || !h->vals) {
        free(h->keys);
        free(h->vals);
        free(h);
        return NULL;
    }
    return h;
}

void ind_hash_free(ind_hash *h, void (*value_dispose)(void *value))
{
    size_t i;

    if (!h)
        return;
    for (i = 0; i < h->cap; i++) {
        if (!h->keys[i])
            continue;
        if (value_dispose)
            value_dispose(h->vals[i]);
        free(h->keys[i]);
        free(h->vals[i]);
    }
    free(h->keys);
    free(h->vals);
    free(h);
}

static int hash_grow(ind_hash *h)
{
    size_t ncap = h->cap * 2, i, j;
    char **nk = calloc(ncap, sizeof *nk);
    void **nv = calloc(ncap, sizeof *nv);

    if (!nk || !nv) {
        free(nk);
        free(nv);
        return -1;
    }
    for (i = 0; i < h->cap; i++) {
        if (!h->keys[i])
            continue;
        j = (size_t)(hash_str(h->keys[i]) & (ncap - 1));
        while (nk[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = h->keys[i];
        nv[j] = h->vals[i];
    }
    free(h->keys);
    free(h->vals);
    h->keys = nk;
    h->vals = nv;
    h->cap = ncap;
    return 0;
}

void *ind_hash_get(ind_hash *h, const char *key, int create)
{
    size_t j;

    if (!h || !key)
        return NULL;
    j = (size_t)(hash_str(key) & (h->cap - 1));
    while (h->keys[j]) {
        if (strcmp(h->keys[j], key) == 0)
            return h->vals[j];
        j = (j + 1) & (h->cap - 1);
    }
    if (!create)
        return NULL;
    if ((h->count + 1) * 4 > h->cap * 3) {
        if (hash_grow(h) != 0)
            return NULL;
        return ind_hash_get(h, key, create);
    }
    h->keys[j] = strdup(key);
    h->vals[j] = calloc(1, h->value_size ? h->value_size : 1);
    if (!h->keys[j] || !h->vals[j]) {
        free(h->keys[j]);
        free(h->vals[j]);
        h->keys[j] = NULL;
        h->vals[j] = NULL;
        return NULL;
    }
    h->count++;
    return h->vals[j];
}

size_t ind_hash_count(const ind_hash *h)
{
    return h ? h->count : 0;
}

int ind_hash_at(const ind_hash *h, size_t *i, const char **key, void **value)
{
    if (!h)
        return 0;
    while (*i < h->cap) {
        size_t k = (*i)++;
        if (h->keys[k]) {
            *key = h->keys[k];
            *value = h->vals[k];
            return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- vectors, quantiles */

int ind_vec_push(ind_vec *a, double x)
{
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 64;
        double *nv = realloc(a->v, nc * sizeof *nv);
        if (!nv)
            return ERR_NOMEM;
        a->v = nv;
        a->cap = nc;
    }
    a->v[a->n++] = x;
    return 0;
}

void ind_vec_dispose(ind_vec *a)
{
    free(a->v);
    *a = (ind_vec){0};
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void ind_vec_sort(ind_vec *a)
{
    if (a->n > 1)
        qsort(a->v, a->n, sizeof *a->v, cmp_double);
}

double ind_quantile(const double *s, size_t n, double tau)
{
    double h;
    long hf;

    if (n == 0 || !(tau >= 0.0 && tau <= 1.0))
        return NAN;
    /* Hyndman & Fan (1996) type 8: h = (n + 1/3) tau + 1/3, interpolating between the
     * order statistics around h (1-based). */
    h = ((double)n + 1.0 / 3.0) * tau + 1.0 / 3.0;
    hf = (long)h;
    if (hf <= 0 || tau == 0.0)
        return s[0];
    if ((size_t)hf >= n || tau == 1.0)
        return s[n - 1];
    return s[hf - 1] + (h - (double)hf) * (s[hf] - s[hf - 1]);
}

void ind_fences_of(const double *sorted, size_t n, ind_fences *f)
{
    f->n = n;
    f->q1 = ind_quantile(sorted, n, 0.25);
    f->q3 = ind_quantile(sorted, n, 0.75);
    /* Fused multiply-add, as Cardinal computes its fences, so that values exactly on a
     * fence compare the same way. */
    f->lower = fma(f->q3 - f->q1, -1.5, f->q1);
    f->upper = fma(f->q3 - f->q1, 1.5, f->q3);
}
