/* eforms_map.h - the mapping context and helpers shared by eforms_map.c (notice, parties,
 * tender, lots, changes) and eforms_results.c (bids, awards, contracts). Not public. */
#ifndef PROCAUDIT_EFORMS_MAP_H
#define PROCAUDIT_EFORMS_MAP_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "eforms/eforms_internal.h"
#include "json/json.h"
#include "util/err.h"

#define MAP_MAX_ORGS 2000    /* organisations per notice */
#define MAP_MAX_LOTS 2000    /* lots per notice (TED allows 400) */
#define MAP_MAX_RESULTS 4000 /* lot results, lot tenders, tendering parties, contracts */

/* One-label error handling inside mapping functions (rc and cleanup: in scope). */
#define TRY(x)                                                                                               \
    do {                                                                                                     \
        rc = (x);                                                                                            \
        if (rc)                                                                                              \
            goto cleanup;                                                                                    \
    } while (0)

typedef struct {
    char *org_id;   /* ORG-nnnn as in the notice */
    char *party_id; /* the stable id used in parties[] */
    xmlNodePtr company;
    json_value *party; /* in parties[], NULL until referenced */
} map_org;

typedef struct {
    char *id;
    json_value *obj;
} map_ref;

/* What one notice's mapping works on. The json_value pointers point into `rel` (owned
 * by it); they stay valid because nothing is ever replaced once created. */
typedef struct {
    xmlNodePtr root, ext; /* the notice root and its efext:EformsExtension */
    char lang[8];         /* BT-702 notice language (ISO 639-3) */
    const char *notice_id;
    const char *release_date;
    eforms_notes *ns;
    err_t *e;
    map_org *orgs;
    size_t n_orgs;
    json_value *rel, *parties, *tender, *lots;
    map_ref *lotv;
    size_t n_lots;
    size_t n_items;
    json_value *items;
    json_value *bids, *bid_stats, *bid_details;
    size_t n_stats;
    json_value *awards, *contracts;
} map_ctx;

/* A code table row: eForms code -> OCDS code (NULL: none) and label. */
typedef struct {
    const char *code;
    const char *ocds;
    const char *label;
} map_code;

const map_code *eforms_map_find(const map_code *t, size_t n, const char *code);
#define MAP_FIND(t, code) eforms_map_find((t), sizeof(t) / sizeof((t)[0]), (code))

/* JSON building. eforms_jset takes v (NULL means out of memory: ERR_NOMEM); _str skips
 * NULL or "" strings; _jnew_in returns a new object/array set as o[k] (NULL: no memory);
 * _jpush_obj a new object pushed on arr; _jpush_unique pushes s unless present. */
int eforms_jset(json_value *o, const char *k, json_value *v) PA_MUSTCHECK;
int eforms_jset_str(json_value *o, const char *k, const char *s) PA_MUSTCHECK;
json_value *eforms_jnew_in(json_value *o, const char *k, int array);
json_value *eforms_jpush_obj(json_value *arr);
int eforms_jpush_str(json_value *arr, const char *s) PA_MUSTCHECK;
int eforms_jpush_unique(json_value *arr, const char *s) PA_MUSTCHECK;

/* Values. _is_decimal: xsd:decimal lexical form; _number: its JSON number (leading '+'
 * and zeros dropped, NULL only when out of memory); _amount: {amount, currency} of an amount element (*out
 * NULL when absent; notes for bad numbers); _datetime: OCDS date-time of a date (+ time) element, 0 / 1
 * (absent) / ERR_BAD_INPUT (noted) / ERR_NOMEM; _epoch: seconds of such a text. */
int eforms_map_is_decimal(const char *s);
json_value *eforms_map_number(const char *s);
int eforms_map_amount(map_ctx *c, xmlNodePtr n, const char *field, json_value **out) PA_MUSTCHECK;
int eforms_map_datetime(map_ctx *c, xmlNodePtr dn, xmlNodePtr tn, int is_end, const char *field, char *out,
                        size_t out_size) PA_MUSTCHECK;
int64_t eforms_map_epoch(const char *s);

/* Parties, lots, contracts: get or create. _party resolves ORG-nnnn (note when unknown,
 * *out NULL) and adds `role`; _org_ref gives {id, name}; _lot / _contract return the
 * object with that id in tender.lots / contracts (NULL: no memory or over the limit). */
int eforms_map_party(map_ctx *c, const char *org_ref, const char *role, const char *field,
                     map_org **out) PA_MUSTCHECK;
json_value *eforms_map_org_ref(const map_org *o);
json_value *eforms_map_lot(map_ctx *c, const char *id);
json_value *eforms_map_contract(map_ctx *c, const char *id);

/* efac:NoticeResult -> bids (details, statistics), awards, contracts and, for one lot,
 * tender.numberOfTenderers (eforms_results.c). Returns 0, ERR_NOMEM or ERR_LIMIT. */
int eforms_map_results(map_ctx *c) PA_MUSTCHECK;

#endif
