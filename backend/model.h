/* model.h - the procurement model every stage shares.
 *
 * One model_procurement is one contracting process (one OCDS ocid) in its current state:
 * what the compiled release says, mapped into C structs that indicators and reports read
 * without touching JSON. It is built from a compiled release (OCDS) by model_from_ocds()
 * in backend/ocds/map.c; eForms and native XML are first mapped onto an OCDS release and
 * then take the same path, so there is one mapping into this model.
 *
 * Conventions:
 *  - Strings are owned UTF-8, NULL when absent (never "" for absent).
 *  - Amounts: model_amount with `present` (the amount was given and parsed) and the ISO
 *    4217 currency upper-cased ("" when absent). Never read an amount with present == 0.
 *  - Dates: model_date with `present`, seconds since the epoch UTC, and flags saying
 *    whether the source had only a date or no zone (then read as UTC).
 *  - Arrays are pointer + count; counts are 0 when absent.
 *  - Codes: `*_raw` keeps the publisher's value when the code map replaced it.
 *  - Everything in a model_procurement is owned by it; model_procurement_free() frees
 *    all of it.
 */
#ifndef PROCAUDIT_MODEL_H
#define PROCAUDIT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct {
    int present;        /* 1 when `amount` holds a parsed number */
    double amount;      /* in `currency`; may be negative or huge in hostile data */
    char currency[8];   /* ISO 4217, upper-case; "" when the source gave none */
} model_amount;

enum {
    MODEL_DATE_DATE_ONLY = 1, /* the source gave YYYY-MM-DD only (read as 00:00 UTC) */
    MODEL_DATE_NO_ZONE = 2    /* the source gave a datetime with no zone (read as UTC) */
};

typedef struct {
    int present;        /* 1 when `t` holds a parsed date */
    int64_t t;          /* seconds since 1970-01-01T00:00:00Z */
    int flags;          /* MODEL_DATE_* */
} model_date;

/* A data-quality note: a tolerated quirk or a mapping decision, kept with the record. */
typedef struct {
    char *code;         /* short stable code, e.g. "number_as_string", "currency_case" */
    char *field;        /* the OCDS path it concerns, e.g. "awards[0].value.amount" */
    char *message;      /* one sentence for a human */
} model_note;

typedef struct {
    char *id;
    char *name;
    char *identifier_scheme;
    char *identifier_id;
    char **roles;       /* OCDS partyRole codes */
    size_t n_roles;
    char *contact_name; /* personal data: omitted from public reports */
    char *email;        /* personal data */
    char *telephone;    /* personal data */
    char *country;      /* address.countryName */
    char *locality;     /* address.locality */
} model_party;

typedef struct {
    char *id;
    char *description;
    char *classification_scheme;  /* e.g. "CPV", "UNSPSC" */
    char *classification_id;
    int has_quantity;
    double quantity;
    char *unit_name;
    model_amount unit_value;
    char *related_lot;
    char *delivery_location;      /* deliveryAddress / deliveryLocation as text */
} model_item;

typedef struct {
    char *id;
    char *title;
    char *description;
    char *status;
    model_amount value;           /* estimated value of the lot */
} model_lot;

typedef struct {
    char *id;
    char *document_type;          /* OCDS documentType codelist */
    char *title;
    char *url;
    char *format;
    model_date date_published;
} model_document;

typedef struct {
    char *id;
    char *type;                   /* OCDS milestoneType */
    char *status;
    char *title;
    model_date due_date;
    model_date date_met;
} model_milestone;

/* One award criterion (OCDS tender.awardCriteriaDetails / eForms BT-539..541). */
typedef struct {
    char *type;                   /* "price", "quality" or "cost" (eForms BT-539) */
    char *name;
    char *description;
    int has_weight;
    double weight;                /* as given */
    char *weight_kind;            /* "percentage", "points", "decimal", "order" (BT-5421..5423) or NULL */
    int has_share;
    double share;                 /* weight normalised to 0..1 of the total, when meaningful */
    char *related_lot;            /* the lot id for tender.lots[].awardCriteria, else NULL */
} model_award_criterion;

typedef struct {
    char *id;
    char *status;                 /* bids.details[].status, bidStatus codelist after the code map */
    char *status_raw;             /* publisher's code when mapped or outside the codelist */
    model_date date;
    model_amount value;
    char **tenderer_ids;
    size_t n_tenderers;
    char **related_lots;
    size_t n_related_lots;
} model_bid;

typedef struct {
    char *id;
    char *title;
    char *status;                 /* awardStatus codelist (after the code map) */
    char *status_raw;             /* publisher's code when mapped or outside the codelist */
    model_date date;
    model_amount value;
    char **supplier_ids;
    size_t n_suppliers;
    char **related_lots;
    size_t n_related_lots;
    char **related_bids;
    size_t n_related_bids;
    model_document *documents;
    size_t n_documents;
    model_item *items;            /* awards[].items (what was awarded; R048 reads their
                                     classifications) */
    size_t n_items;
} model_award;

typedef struct {
    char *id;
    model_date date;
    char *rationale;
    char *description;
    int has_amended_value;        /* the amendment states the value after it */
    model_amount amended_value;
} model_amendment;

typedef struct {
    char *id;
    model_date date;
    model_amount value;
    char *payer_id;
    char *payee_id;
} model_transaction;

typedef struct {
    char *id;
    char *award_id;
    char *title;
    char *status;                 /* contractStatus codelist (after the code map) */
    char *status_raw;             /* publisher's code when mapped or outside the codelist */
    model_amount value;           /* current value (after amendments when published so) */
    model_amount original_value;  /* the value first published, when the releases show it */
    model_date date_signed;
    model_date period_start;
    model_date period_end;
    model_amendment *amendments;
    size_t n_amendments;
    model_transaction *transactions;   /* implementation.transactions */
    size_t n_transactions;
    model_milestone *milestones;       /* contract and implementation milestones */
    size_t n_milestones;
    model_document *documents;         /* contract and implementation documents */
    size_t n_documents;
} model_contract;

typedef struct {
    char *ocid;
    char *source_format;          /* "ocds", "eforms", "native" */
    model_date date;              /* the compiled release's date */
    char *language;

    char *buyer_id;               /* buyer.id (party id) */
    char *buyer_name;
    char *buyer_kind;             /* the buyer's legal type, as published: the buyer party's
                                     details.classifications[] with scheme
                                     "eu-buyer-legal-type" (eForms BT-11 code: cga, ra, la,
                                     body-pl, ...) or else "TED_CA_TYPE" (TED forms' CA_TYPE:
                                     MINISTRY, REGIONAL_AUTHORITY, ...); NULL when absent */
    char *buyer_kind_scheme;      /* that classification's scheme as published, or NULL */
    char *procuring_entity_id;    /* tender.procuringEntity */
    char *procuring_entity_name;
    model_party *parties;
    size_t n_parties;

    model_amount planning_budget; /* planning.budget.amount */

    /* tender */
    char *tender_id;
    char *title;
    char *description;
    char *tender_status;
    char *tender_status_raw;      /* publisher's value when mapped or outside the codelist */
    char *procurement_method;     /* open | selective | limited | direct (codelist) */
    char *procurement_method_raw; /* publisher's value when mapped or outside the codelist */
    char *procurement_method_details;
    char *procurement_method_rationale;
    char *main_procurement_category;  /* goods | works | services */
    char *main_procurement_category_raw;
    char *award_criteria;         /* OCDS awardCriteria (priceOnly, ratedCriteria, ...) */
    char *award_criteria_raw;
    char *award_criteria_details;
    model_award_criterion *award_criteria_list;
    size_t n_award_criteria;
    model_amount tender_value;    /* estimated value (tender.value; eForms BT-27) */
    model_date date_published;    /* tender.datePublished (or the notice's publication) */
    model_date tender_start;      /* tender.tenderPeriod.startDate */
    model_date tender_end;        /* tender.tenderPeriod.endDate (eForms BT-131) */
    model_date award_period_start;
    model_date award_period_end;
    model_date contract_period_start; /* tender.contractPeriod */
    model_date contract_period_end;
    int has_duration_days;
    double duration_days;         /* tender.contractPeriod.durationInDays */
    int has_number_of_tenderers;
    long number_of_tenderers;     /* tender.numberOfTenderers (eForms BT-759) */
    char **tenderer_ids;          /* tender.tenderers[].id */
    size_t n_tenderers;
    char *place_of_performance;   /* delivery address/location of the tender or items */
    model_item *items;
    size_t n_items;
    model_lot *lots;
    size_t n_lots;
    model_document *documents;    /* tender.documents */
    size_t n_documents;
    model_milestone *milestones;  /* tender.milestones */
    size_t n_milestones;

    model_bid *bids;              /* bids.details */
    size_t n_bids;
    model_award *awards;
    size_t n_awards;
    model_contract *contracts;
    size_t n_contracts;

    model_note *notes;            /* data-quality notes gathered by reading and mapping */
    size_t n_notes;
} model_procurement;

/* Frees everything a model_procurement owns, then the struct itself. NULL is accepted. */
void model_procurement_free(model_procurement *p);

/* Frees n notes (their strings) and the array itself. NULL is accepted. */
void model_notes_free(model_note *notes, size_t n);

/* Appends a note {code, field, printf(fmt...)} to the growable array *notes of *n
 * entries (realloc'd; the caller owns it and frees it with model_notes_free). field may
 * be NULL. Returns 0 or ERR_NOMEM (the array is left as it was). */
int model_note_add(model_note **notes, size_t *n, const char *code, const char *field,
                   const char *fmt, ...) PA_PRINTF(5, 6) PA_MUSTCHECK;

/* Finds a party by id; NULL when absent or id is NULL. */
const model_party *model_party_find(const model_procurement *p, const char *id);

/* Days between two dates (b - a) as a real number, both present; undefined otherwise. */
double model_days_between(model_date a, model_date b);

#endif
