/* ind_fixture.h - builders for indicator unit tests: procurements made directly in C (no
 * JSON), and runners that evaluate one indicator (with its population when it has one).
 * Header-only (static functions), included by tests/unit/test_indicators_*.c. */
#ifndef PROCAUDIT_TEST_IND_FIXTURE_H
#define PROCAUDIT_TEST_IND_FIXTURE_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "indicators/indicator.h"
#include "model.h"
#include "result.h"

static inline char *fx_dup(const char *s)
{
    char *d = s ? strdup(s) : NULL;
    assert_true(!s || d);
    return d;
}

/* "YYYY-MM-DD[THH:MM:SS]" (UTC) as a present model_date; NULL gives an absent date. */
static inline model_date fx_date(const char *s)
{
    model_date d = {0};
    struct tm tm = {0};
    int n;

    if (!s)
        return d;
    n = sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
    assert_true(n == 3 || n == 6);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    d.present = 1;
    d.t = (int64_t)timegm(&tm);
    if (n == 3)
        d.flags = MODEL_DATE_DATE_ONLY;
    return d;
}

static inline model_amount fx_amount(double v, const char *cur)
{
    model_amount a = {0};
    a.present = 1;
    a.amount = v;
    if (cur)
        snprintf(a.currency, sizeof a.currency, "%s", cur);
    return a;
}

static inline model_procurement *fx_new(const char *ocid)
{
    model_procurement *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->ocid = fx_dup(ocid);
    return p;
}

static inline char **fx_ids(size_t *n, va_list ap)
{
    char **v = NULL;
    const char *s;

    *n = 0;
    while ((s = va_arg(ap, const char *)) != NULL) {
        v = realloc(v, (*n + 1) * sizeof *v);
        assert_non_null(v);
        v[(*n)++] = fx_dup(s);
    }
    return v;
}

/* A bid: status (NULL: none), amount (NAN: absent), currency, then tenderer ids, NULL. */
static inline model_bid *fx_bid(model_procurement *p, const char *status, double amount, const char *cur, ...)
{
    model_bid *b;
    va_list ap;

    p->bids = realloc(p->bids, (p->n_bids + 1) * sizeof *p->bids);
    assert_non_null(p->bids);
    b = &p->bids[p->n_bids++];
    memset(b, 0, sizeof *b);
    b->status = fx_dup(status);
    if (!isnan(amount))
        b->value = fx_amount(amount, cur);
    va_start(ap, cur);
    b->tenderer_ids = fx_ids(&b->n_tenderers, ap);
    va_end(ap);
    return b;
}

/* An award: status (NULL: none), then supplier ids, NULL. */
static inline model_award *fx_award(model_procurement *p, const char *status, ...)
{
    model_award *a;
    va_list ap;

    p->awards = realloc(p->awards, (p->n_awards + 1) * sizeof *p->awards);
    assert_non_null(p->awards);
    a = &p->awards[p->n_awards++];
    memset(a, 0, sizeof *a);
    a->status = fx_dup(status);
    va_start(ap, status);
    a->supplier_ids = fx_ids(&a->n_suppliers, ap);
    va_end(ap);
    return a;
}

static inline model_item *fx_item_in(model_item **items, size_t *n, const char *cls)
{
    model_item *it;

    *items = realloc(*items, (*n + 1) * sizeof **items);
    assert_non_null(*items);
    it = &(*items)[(*n)++];
    memset(it, 0, sizeof *it);
    it->classification_id = fx_dup(cls);
    if (cls)
        it->classification_scheme = fx_dup("CPV");
    return it;
}

static inline model_item *fx_item(model_procurement *p, const char *cls)
{
    return fx_item_in(&p->items, &p->n_items, cls);
}

static inline model_item *fx_award_item(model_award *a, const char *cls)
{
    return fx_item_in(&a->items, &a->n_items, cls);
}

static inline model_contract *fx_contract(model_procurement *p, const char *id, const char *status)
{
    model_contract *c;

    p->contracts = realloc(p->contracts, (p->n_contracts + 1) * sizeof *p->contracts);
    assert_non_null(p->contracts);
    c = &p->contracts[p->n_contracts++];
    memset(c, 0, sizeof *c);
    c->id = fx_dup(id);
    c->status = fx_dup(status);
    return c;
}

static inline void fx_transaction(model_contract *c, double amount, const char *cur, const char *date)
{
    model_transaction *t;

    c->transactions = realloc(c->transactions, (c->n_transactions + 1) * sizeof *c->transactions);
    assert_non_null(c->transactions);
    t = &c->transactions[c->n_transactions++];
    memset(t, 0, sizeof *t);
    if (!isnan(amount))
        t->value = fx_amount(amount, cur);
    t->date = fx_date(date);
}

static inline model_document *fx_doc_in(model_document **d, size_t *n, const char *type)
{
    model_document *x;

    *d = realloc(*d, (*n + 1) * sizeof **d);
    assert_non_null(*d);
    x = &(*d)[(*n)++];
    memset(x, 0, sizeof *x);
    x->document_type = fx_dup(type);
    return x;
}

static inline void fx_criterion(model_procurement *p, const char *type, double weight)
{
    model_award_criterion *k;

    p->award_criteria_list = realloc(p->award_criteria_list, (p->n_award_criteria + 1) * sizeof *k);
    assert_non_null(p->award_criteria_list);
    k = &p->award_criteria_list[p->n_award_criteria++];
    memset(k, 0, sizeof *k);
    k->type = fx_dup(type);
    if (!isnan(weight)) {
        k->has_weight = 1;
        k->weight = weight;
        k->weight_kind = fx_dup("percentage");
    }
}

/* ---- running indicators ---- */

/* Parameters given as "name=value" strings. */
typedef struct {
    indicator_param items[16];
    char buf[16][128];
    indicator_params prm;
} fx_params;

static inline const indicator_params *fx_prm(fx_params *f, const char *const *kv)
{
    size_t i;

    memset(f, 0, sizeof *f);
    for (i = 0; kv && kv[i] && i < 16; i++) {
        char *eq;
        snprintf(f->buf[i], sizeof f->buf[i], "%s", kv[i]);
        eq = strchr(f->buf[i], '=');
        assert_non_null(eq);
        *eq = '\0';
        f->items[i].name = f->buf[i];
        f->items[i].value = eq + 1;
    }
    f->prm.items = f->items;
    f->prm.n = i;
    f->prm.criterion_id = "T";
    return &f->prm;
}

/* Evaluates indicator `name` on procs[target] after feeding all n procurements to its
 * population (when it has one). Returns the evaluate return code; results in *out. */
static inline int fx_run_pop(const char *name, model_procurement **procs, size_t n, size_t target, const char *const *kv,
                      result_list *out)
{
    const indicator_def *d = indicator_find(name);
    fx_params fp;
    const indicator_params *prm = fx_prm(&fp, kv);
    void *pop = NULL;
    err_t e;
    size_t i;
    int rc;

    assert_non_null(d);
    err_clear(&e);
    memset(out, 0, sizeof *out);
    if (d->pop_new) {
        pop = d->pop_new(prm, &e);
        if (!pop)
            return e.code ? e.code : ERR_NOMEM;
        for (i = 0; i < n; i++)
            assert_int_equal(d->pop_add(pop, procs[i], &e), 0);
        assert_int_equal(d->pop_finish(pop, &e), 0);
    }
    rc = d->evaluate(procs[target], prm, pop, out, &e);
    if (pop)
        d->pop_free(pop);
    return rc;
}

static inline int fx_run(const char *name, model_procurement *p, const char *const *kv, result_list *out)
{
    return fx_run_pop(name, &p, 1, 0, kv, out);
}

/* The single result of a run (asserts there is exactly one). */
static inline const result_t *fx_one(const result_list *l)
{
    assert_int_equal(l->n, 1);
    return &l->items[0];
}

/* The result about subject `id` (asserts it exists). */
static inline const result_t *fx_subject(const result_list *l, const char *id)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (strcmp(l->items[i].subject_id, id) == 0)
            return &l->items[i];
    fail_msg("no result for subject %s", id);
    return NULL;
}

/* Runs and asserts the status of the single result; returns its measured value. */
static inline double fx_status(const char *name, model_procurement *p, const char *const *kv, result_status want)
{
    result_list l;
    double m;
    const result_t *r;

    assert_int_equal(fx_run(name, p, kv, &l), 0);
    r = fx_one(&l);
    if (r->status != want)
        fail_msg("%s on %s: status %s, expected %s (%s)", name, p->ocid, result_status_name(r->status),
                 result_status_name(want), r->explanation ? r->explanation : "");
    assert_true(r->explanation != NULL && r->explanation[0] != '\0');
    assert_false(isnan(r->measured) || isnan(r->score) || isnan(r->threshold));
    m = r->has_measured ? r->measured : NAN;
    result_list_dispose(&l);
    return m;
}

#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NOKV ((const char *const *)NULL)

#endif
