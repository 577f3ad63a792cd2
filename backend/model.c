/* model.c - freeing and small queries of the procurement model (model.h). */
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void strv_free(char **v, size_t n)
{
    size_t i;

    if (!v)
        return;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void model_notes_free(model_note *notes, size_t n)
{
    size_t i;

    if (!notes)
        return;
    for (i = 0; i < n; i++) {
        free(notes[i].code);
        free(notes[i].field);
        free(notes[i].message);
    }
    free(notes);
}

int model_note_add(model_note **notes, size_t *n, const char *code, const char *field,
                   const char *fmt, ...)
{
    model_note *grown;
    model_note nt = {NULL, NULL, NULL};
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    /* A message longer than msg is cut: it is a human sentence, never parsed. */
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    nt.code = strdup(code ? code : "");
    nt.field = field ? strdup(field) : NULL;
    nt.message = strdup(msg);
    if (!nt.code || (field && !nt.field) || !nt.message)
        goto nomem;
    /* The capacity is implied by the count (8, then doubling at each power of two), so
     * the array needs no capacity field: grow when the count is 0 or a full power of 2. */
    if (*n == 0 || (*n >= 8 && (*n & (*n - 1)) == 0)) {
        size_t cap = *n == 0 ? 8 : *n * 2;
        grown = realloc(*notes, cap * sizeof **notes);
        if (!grown)
            goto nomem;
        *notes = grown;
    }
    (*notes)[(*n)++] = nt;
    return 0;
nomem:
    free(nt.code);
    free(nt.field);
    free(nt.message);
    return ERR_NOMEM;
}

static void documents_free(model_document *d, size_t n)
{
    size_t i;

    if (!d)
        return;
    for (i = 0; i < n; i++) {
        free(d[i].id);
        free(d[i].document_type);
        free(d[i].title);
        free(d[i].url);
        free(d[i].format);
    }
    free(d);
}

static void milestones_free(model_milestone *m, size_t n)
{
    size_t i;

    if (!m)
        return;
    for (i = 0; i < n; i++) {
        free(m[i].id);
        free(m[i].type);
        free(m[i].status);
        free(m[i].title);
    }
    free(m);
}

static void parties_free(model_party *p, size_t n)
{
    size_t i;

    if (!p)
        return;
    for (i = 0; i < n; i++) {
        free(p[i].id);
        free(p[i].name);
        free(p[i].identifier_scheme);
        free(p[i].identifier_id);
        strv_free(p[i].roles, p[i].n_roles);
        free(p[i].contact_name);
        free(p[i].email);
        free(p[i].telephone);
        free(p[i].country);
        free(p[i].locality);
    }
    free(p);
}

static void items_free(model_item *it, size_t n)
{
    size_t i;

    if (!it)
        return;
    for (i = 0; i < n; i++) {
        free(it[i].id);
        free(it[i].description);
        free(it[i].classification_scheme);
        free(it[i].classification_id);
        free(it[i].unit_name);
        free(it[i].related_lot);
        free(it[i].delivery_location);
    }
    free(it);
}

static void lots_free(model_lot *l, size_t n)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < n; i++) {
        free(l[i].id);
        free(l[i].title);
        free(l[i].description);
        free(l[i].status);
    }
    free(l);
}

static void criteria_free(model_award_criterion *c, size_t n)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < n; i++) {
        free(c[i].type);
        free(c[i].name);
        free(c[i].description);
        free(c[i].weight_kind);
        free(c[i].related_lot);
    }
    free(c);
}

static void bids_free(model_bid *b, size_t n)
{
    size_t i;

    if (!b)
        return;
    for (i = 0; i < n; i++) {
        free(b[i].id);
        free(b[i].status);
        free(b[i].status_raw);
        strv_free(b[i].tenderer_ids, b[i].n_tenderers);
        strv_free(b[i].related_lots, b[i].n_related_lots);
    }
    free(b);
}

static void awards_free(model_award *a, size_t n)
{
    size_t i;

    if (!a)
        return;
    for (i = 0; i < n; i++) {
        free(a[i].id);
        free(a[i].title);
        free(a[i].status);
        free(a[i].status_raw);
        strv_free(a[i].supplier_ids, a[i].n_suppliers);
        strv_free(a[i].related_lots, a[i].n_related_lots);
        strv_free(a[i].related_bids, a[i].n_related_bids);
        documents_free(a[i].documents, a[i].n_documents);
        items_free(a[i].items, a[i].n_items);
    }
    free(a);
}

static void contracts_free(model_contract *c, size_t n)
{
    size_t i, j;

    if (!c)
        return;
    for (i = 0; i < n; i++) {
        free(c[i].id);
        free(c[i].award_id);
        free(c[i].title);
        free(c[i].status);
        free(c[i].status_raw);
        for (j = 0; c[i].amendments && j < c[i].n_amendments; j++) {
            free(c[i].amendments[j].id);
            free(c[i].amendments[j].rationale);
            free(c[i].amendments[j].description);
        }
        free(c[i].amendments);
        for (j = 0; c[i].transactions && j < c[i].n_transactions; j++) {
            free(c[i].transactions[j].id);
            free(c[i].transactions[j].payer_id);
            free(c[i].transactions[j].payee_id);
        }
        free(c[i].transactions);
        milestones_free(c[i].milestones, c[i].n_milestones);
        documents_free(c[i].documents, c[i].n_documents);
    }
    free(c);
}

void model_procurement_free(model_procurement *p)
{
    if (!p)
        return;
    free(p->ocid);
    free(p->source_format);
    free(p->language);
    free(p->buyer_id);
    free(p->buyer_name);
    free(p->buyer_kind);
    free(p->buyer_kind_scheme);
    free(p->procuring_entity_id);
    free(p->procuring_entity_name);
    parties_free(p->parties, p->n_parties);
    free(p->tender_id);
    free(p->title);
    free(p->description);
    free(p->tender_status);
    free(p->tender_status_raw);
    free(p->procurement_method);
    free(p->procurement_method_raw);
    free(p->procurement_method_details);
    free(p->procurement_method_rationale);
    free(p->main_procurement_category);
    free(p->main_procurement_category_raw);
    free(p->award_criteria);
    free(p->award_criteria_raw);
    free(p->award_criteria_details);
    criteria_free(p->award_criteria_list, p->n_award_criteria);
    strv_free(p->tenderer_ids, p->n_tenderers);
    free(p->place_of_performance);
    items_free(p->items, p->n_items);
    lots_free(p->lots, p->n_lots);
    documents_free(p->documents, p->n_documents);
    milestones_free(p->milestones, p->n_milestones);
    bids_free(p->bids, p->n_bids);
    awards_free(p->awards, p->n_awards);
    contracts_free(p->contracts, p->n_contracts);
    model_notes_free(p->notes, p->n_notes);
    free(p);
}

const model_party *model_party_find(const model_procurement *p, const char *id)
{
    size_t i;

    if (!p || !id)
        return NULL;
    for (i = 0; i < p->n_parties; i++)
        if (p->parties[i].id && strcmp(p->parties[i].id, id) == 0)
            return &p->parties[i];
    return NULL;
}

double model_days_between(model_date a, model_date b)
{
    return (double)(b.t - a.t) / 86400.0;
}
