/* eforms_results.c - the result section of a notice (efac:NoticeResult: lot results, lot
 * tenders, tendering parties, settled contracts) mapped to OCDS bids, awards and contracts
 * (OCP eForms guidance; docs/eforms.md). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eforms/eforms_internal.h"
#include "eforms/eforms_map.h"
#include "eforms/eforms_xml.h"

/* BT-760 received-submission-type -> bids.statistics measure (OCP mapping table). */
static const map_code map_submission[] = {
    {"tenders", "bids", NULL},
    {"part-req", "requests", NULL},
    {"t-esubm", "electronicBids", NULL},
    {"t-med", "mediumBids", NULL},
    {"t-micro", "microBids", NULL},
    {"t-small", "smallBids", NULL},
    {"t-sme", "smeBids", NULL},
    {"t-no-eea", "foreignBidsFromNonEU", NULL},
    {"t-oth-eea", "foreignBidsFromEU", NULL},
    {"t-verif-inad", "tendersDisqualified", NULL},
    {"t-verif-inad-low", "tendersAbnormallyLow", NULL},
    {"t-no-verif", "tendersNotVerified", NULL},
};

/* The numeric value of an amount element (for sums), or -1 when unusable; *decimals gets
 * the number of digits after its decimal point. */
static int map_amount_double(xmlNodePtr n, double *out, int *decimals, char *cur, size_t cur_size)
{
    char *txt = eforms_x_text(n, NULL), *c, *dot;
    int rc = -1;

    cur[0] = '\0';
    *decimals = 0;
    if (!txt)
        return -1;
    if (eforms_map_is_decimal(txt)) {
        *out = strtod(txt, NULL);
        dot = strchr(txt, '.');
        *decimals = dot ? (int)strlen(dot + 1) : 0;
        rc = 0;
    }
    c = eforms_x_attr(n, "currencyID");
    if (c)
        snprintf(cur, cur_size, "%s", c);
    free(c);
    free(txt);
    return rc;
}

/* ---------------------------------------------------------------- results */

typedef struct {
    char *id;          /* TEN-nnnn */
    char *lot;         /* BT-13714 */
    char *tpa;         /* tendering party ref */
    xmlNodePtr amount; /* BT-720 PayableAmount */
    json_value *bid;
} map_bidref;

typedef struct {
    char *id; /* TPA-nnnn */
    xmlNodePtr node;
} map_tpa;

typedef struct {
    map_bidref *t;
    size_t n_t;
    map_tpa *p;
    size_t n_p;
} map_results;

static void map_results_dispose(map_results *r)
{
    size_t i;

    for (i = 0; i < r->n_t; i++) {
        free(r->t[i].id);
        free(r->t[i].lot);
        free(r->t[i].tpa);
    }
    for (i = 0; i < r->n_p; i++)
        free(r->p[i].id);
    free(r->t);
    free(r->p);
}

static map_bidref *map_find_tender(map_results *r, const char *id)
{
    size_t i;

    for (i = 0; id && i < r->n_t; i++)
        if (strcmp(r->t[i].id, id) == 0)
            return &r->t[i];
    return NULL;
}

static xmlNodePtr map_find_tpa(map_results *r, const char *id)
{
    size_t i;

    for (i = 0; id && i < r->n_p; i++)
        if (strcmp(r->p[i].id, id) == 0)
            return r->p[i].node;
    return NULL;
}

/* Adds the tenderers of tendering party `tpa` (efac:Tenderer -> ORG) to array arr as
 * OrganizationReferences, giving them `role`. */
static int map_tenderers(map_ctx *c, map_results *r, const char *tpa, json_value *arr, const char *role,
                         const char *field)
{
    xmlNodePtr p = map_find_tpa(r, tpa), t;
    char *ref = NULL;
    int rc = 0;

    if (!p) {
        if (tpa)
            rc = eforms_note_add(c->ns, "org_unresolved", field, "tendering party %.40s is not in the notice",
                                 tpa);
        return rc;
    }
    for (t = eforms_x_first(p, "efac:Tenderer"); t; t = eforms_x_next(t)) {
        map_org *o;
        size_t i;
        int dup = 0;

        ref = eforms_x_text_at(t, "cbc:ID", NULL);
        TRY(eforms_map_party(c, ref, role, field, &o));
        if (o) {
            for (i = 0; i < json_len(arr); i++) {
                const char *id = json_get_str(json_at(arr, i), "id");
                if (id && strcmp(id, o->party_id) == 0)
                    dup = 1;
            }
            if (!dup) {
                json_value *ref_obj = eforms_map_org_ref(o);
                if (!ref_obj) {
                    rc = ERR_NOMEM;
                    goto cleanup;
                }
                TRY(json_array_push(arr, ref_obj));
            }
        }
        free(ref);
        ref = NULL;
    }
cleanup:
    free(ref);
    return rc;
}

static int map_stat(map_ctx *c, const char *measure, json_value *value, const char *lot, const char *currency)
{
    json_value *s;
    char idbuf[112];
    int rc = 0;

    if (!c->bid_stats && !(c->bid_stats = eforms_jnew_in(c->bids, "statistics", 1))) {
        json_free(value);
        return ERR_NOMEM;
    }
    s = eforms_jpush_obj(c->bid_stats);
    if (!s) {
        json_free(value);
        return ERR_NOMEM;
    }
    /* one statistic per lot and measure: a later notice of the procedure updates it */
    snprintf(idbuf, sizeof idbuf, "%.60s-%.40s", lot ? lot : "all", measure);
    c->n_stats++;
    TRY(eforms_jset_str(s, "id", idbuf));
    TRY(eforms_jset_str(s, "measure", measure));
    rc = eforms_jset(s, "value", value); /* owns value, also when it fails */
    value = NULL;
    if (rc)
        goto cleanup;
    if (currency)
        TRY(eforms_jset_str(s, "currency", currency));
    TRY(eforms_jset_str(s, "relatedLot", lot));
cleanup:
    json_free(value);
    return rc;
}

/* Sums the BT-720 values of tenders `ids`; sets *out to {amount, currency} when every one
 * has a value in one currency (note otherwise). */
static int map_sum_values(map_ctx *c, map_results *r, char **ids, size_t n, const char *field,
                          json_value **out)
{
    double sum = 0, x;
    char cur[16], cur0[16] = "", num[64];
    size_t i, have = 0;
    int rc = 0, dec, maxdec = 0;

    *out = NULL;
    for (i = 0; i < n; i++) {
        map_bidref *t = map_find_tender(r, ids[i]);
        if (!t || !t->amount)
            continue;
        if (map_amount_double(t->amount, &x, &dec, cur, sizeof cur) != 0)
            continue;
        if (have && strcmp(cur, cur0) != 0)
            return eforms_note_add(c->ns, "currency_mixed", field, "tender values in %s and %s: no total",
                                   cur0, cur);
        snprintf(cur0, sizeof cur0, "%s", cur);
        sum += x;
        if (dec > maxdec)
            maxdec = dec;
        have++;
    }
    if (have == 0)
        return 0;
    if (have == 1) { /* keep the source text of a single value */
        for (i = 0; i < n; i++) {
            map_bidref *t = map_find_tender(r, ids[i]);
            if (t && t->amount)
                return eforms_map_amount(c, t->amount, field, out);
        }
    }
    /* the sum printed with the inputs' precision: 25575.99, not 25575.989999999998 */
    snprintf(num, sizeof num, "%.*f", maxdec > 9 ? 9 : maxdec, sum);
    {
        json_value *v = json_new_object();
        if (!v)
            return ERR_NOMEM;
        rc = eforms_jset(v, "amount", json_new_number_text(num, strlen(num)));
        if (rc == 0 && *cur0)
            rc = eforms_jset_str(v, "currency", cur0);
        if (rc == 0)
            rc = eforms_note_add(c->ns, "derived", field, "sum of %zu tender values (BT-720)%s", have,
                                 have < n ? ", some tenders have none" : "");
        if (rc) {
            json_free(v);
            return rc;
        }
        *out = v;
    }
    return 0;
}

typedef struct {
    char **v;
    size_t n;
} map_strs;

static void map_strs_dispose(map_strs *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* Collects the texts of every `path` sibling under n (cbc:ID of repeated references). */
static int map_collect(xmlNodePtr n, const char *path, const char *leaf, map_strs *out)
{
    xmlNodePtr x;

    for (x = eforms_x_first(n, path); x; x = eforms_x_next(x)) {
        char *s = eforms_x_text_at(x, leaf, NULL), **nv;
        if (!s)
            continue;
        nv = realloc(out->v, (out->n + 1) * sizeof *nv);
        if (!nv) {
            free(s);
            return ERR_NOMEM;
        }
        out->v = nv;
        out->v[out->n++] = s;
    }
    return 0;
}

static int map_results_read(map_ctx *c, xmlNodePtr nr, map_results *r)
{
    xmlNodePtr x;
    int rc = 0;

    for (x = eforms_x_first(nr, "efac:TenderingParty"); x; x = eforms_x_next(x)) {
        map_tpa *nv;
        char *id = eforms_x_text_at(x, "cbc:ID", NULL);
        if (!id)
            continue;
        if (r->n_p >= MAP_MAX_RESULTS || !(nv = realloc(r->p, (r->n_p + 1) * sizeof *nv))) {
            free(id);
            return r->n_p >= MAP_MAX_RESULTS ? err_set(c->e, ERR_LIMIT, "too many efac:TenderingParty")
                                             : ERR_NOMEM;
        }
        r->p = nv;
        nv[r->n_p].id = id;
        nv[r->n_p].node = x;
        r->n_p++;
    }
    for (x = eforms_x_first(nr, "efac:LotTender"); x; x = eforms_x_next(x)) {
        map_bidref *nv, *t;
        char *id = eforms_x_text_at(x, "cbc:ID", NULL);
        if (!id)
            continue;
        if (r->n_t >= MAP_MAX_RESULTS || !(nv = realloc(r->t, (r->n_t + 1) * sizeof *nv))) {
            free(id);
            return r->n_t >= MAP_MAX_RESULTS ? err_set(c->e, ERR_LIMIT, "too many efac:LotTender")
                                             : ERR_NOMEM;
        }
        r->t = nv;
        t = &nv[r->n_t++];
        t->id = id;
        t->lot = eforms_x_text_at(x, "efac:TenderLot/cbc:ID", NULL);
        t->tpa = eforms_x_text_at(x, "efac:TenderingParty/cbc:ID", NULL);
        t->amount = eforms_x_first(x, "cac:LegalMonetaryTotal/cbc:PayableAmount");
        t->bid = NULL;
    }
    return rc;
}

/* bids.details[] from efac:LotTender (BT-720 value, tenderers through the tendering party). */
static int map_bids(map_ctx *c, map_results *r)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < r->n_t; i++) {
        map_bidref *t = &r->t[i];
        json_value *b, *arr, *v = NULL;
        char field[96];

        if (!c->bid_details && !(c->bid_details = eforms_jnew_in(c->bids, "details", 1)))
            return ERR_NOMEM;
        b = eforms_jpush_obj(c->bid_details);
        if (!b)
            return ERR_NOMEM;
        snprintf(field, sizeof field, "bids.details[%.40s]", t->id);
        TRY(eforms_jset_str(b, "id", t->id));
        if (t->lot) {
            arr = eforms_jnew_in(b, "relatedLots", 1);
            if (!arr)
                return ERR_NOMEM;
            TRY(eforms_jpush_str(arr, t->lot));
        }
        TRY(eforms_map_amount(c, t->amount, field, &v));
        if (v)
            TRY(json_object_set(b, "value", v));
        arr = eforms_jnew_in(b, "tenderers", 1);
        if (!arr)
            return ERR_NOMEM;
        TRY(map_tenderers(c, r, t->tpa, arr, "tenderer", field));
        if (json_len(arr) == 0)
            json_object_remove(b, "tenderers");
        t->bid = b;
    }
cleanup:
    return rc;
}

static const char *map_award_status(const char *code)
{
    if (!code)
        return NULL;
    if (strcmp(code, "selec-w") == 0)
        return "active";
    if (strcmp(code, "clos-nw") == 0)
        return "unsuccessful";
    if (strcmp(code, "open-nw") == 0)
        return "pending";
    return NULL;
}

/* The earliest BT-1451 winner decision date of the settled contracts `cons`. */
static int map_award_date(map_ctx *c, xmlNodePtr nr, map_strs *cons, char *out, size_t out_size)
{
    xmlNodePtr sc;
    int64_t best = 0;
    int have = 0, rc = 0;
    char d[64];

    out[0] = '\0';
    for (sc = eforms_x_first(nr, "efac:SettledContract"); sc; sc = eforms_x_next(sc)) {
        char *id = eforms_x_text_at(sc, "cbc:ID", NULL);
        size_t i;
        int hit = 0, r;

        for (i = 0; id && i < cons->n; i++)
            hit |= strcmp(cons->v[i], id) == 0;
        free(id);
        if (!hit)
            continue;
        r = eforms_map_datetime(c, eforms_x_first(sc, "cbc:AwardDate"), NULL, 0, "awards.date", d, sizeof d);
        if (r < 0 && r != ERR_BAD_INPUT)
            return r;
        if (r == 0 && (!have || eforms_map_epoch(d) < best)) {
            best = eforms_map_epoch(d);
            snprintf(out, out_size, "%s", d);
            have = 1;
        }
    }
    return rc;
}

static int map_lot_results(map_ctx *c, xmlNodePtr nr, map_results *r, size_t *n_with_tenders,
                           json_value **tenders)
{
    xmlNodePtr lr;
    map_strs tens = {0}, cons = {0};
    char *id = NULL, *lot = NULL, *code = NULL, *s = NULL;
    int rc = 0;

    *n_with_tenders = 0;
    *tenders = NULL;
    for (lr = eforms_x_first(nr, "efac:LotResult"); lr; lr = eforms_x_next(lr)) {
        json_value *a, *v = NULL;
        xmlNodePtr st;
        const char *status;
        char field[96], d[64];
        size_t i;

        id = eforms_x_text_at(lr, "cbc:ID", NULL);
        lot = eforms_x_text_at(lr, "efac:TenderLot/cbc:ID", NULL);
        if (!id)
            goto next;
        snprintf(field, sizeof field, "awards[%.40s]", id);
        TRY(map_collect(lr, "efac:LotTender", "cbc:ID", &tens));
        TRY(map_collect(lr, "efac:SettledContract", "cbc:ID", &cons));
        /* BT-759 / BT-760 received submissions -> bids.statistics */
        for (st = eforms_x_first(lr, "efac:ReceivedSubmissionsStatistics"); st; st = eforms_x_next(st)) {
            const map_code *mc;
            json_value *num;

            code = eforms_x_text_at(st, "efbc:StatisticsCode", NULL);
            s = eforms_x_text_at(st, "efbc:StatisticsNumeric", NULL);
            if (!code && s) { /* BT-759 without BT-760 (seen in SDK 1.7/1.8 notices) */
                code = strdup("tenders");
                if (!code) {
                    rc = ERR_NOMEM;
                    goto cleanup;
                }
                TRY(eforms_note_add(c->ns, "code_assumed", field,
                                    "BT-759 count %.20s has no BT-760 type: read as tenders received", s));
            }
            mc = MAP_FIND(map_submission, code);
            if (!s || !eforms_map_is_decimal(s) || strchr(s, '.') || s[0] == '-') {
                TRY(eforms_note_add(c->ns, "number_invalid", field,
                                    "BT-759 (line %ld): '%.20s' is not a count; left out",
                                    (long)xmlGetLineNo(st), s ? s : ""));
            } else if (!mc) {
                TRY(eforms_note_add(c->ns, "code_outside_codelist", field, "BT-760 '%.40s' unknown; left out",
                                    code ? code : ""));
            } else {
                num = eforms_map_number(s);
                if (!num) {
                    rc = ERR_NOMEM;
                    goto cleanup;
                }
                if (strcmp(mc->code, "tenders") == 0) {
                    (*n_with_tenders)++;
                    json_free(*tenders);
                    *tenders = json_clone(num);
                    if (!*tenders) {
                        json_free(num);
                        rc = ERR_NOMEM;
                        goto cleanup;
                    }
                }
                TRY(map_stat(c, mc->ocds, num, lot, NULL));
            }
            free(code);
            free(s);
            code = s = NULL;
        }
        /* BT-710 / BT-711 lowest and highest tender values */
        {
            static const struct {
                const char *path, *measure;
            } lh[] = {{"cbc:LowerTenderAmount", "lowestValidBidValue"},
                      {"cbc:HigherTenderAmount", "highestValidBidValue"}};
            for (i = 0; i < 2; i++) {
                xmlNodePtr n = eforms_x_first(lr, lh[i].path);
                TRY(eforms_map_amount(c, n, field, &v));
                if (v) {
                    json_value *amt = json_object_take(v, "amount");
                    char *cur = eforms_x_attr(n, "currencyID");
                    json_free(v);
                    v = NULL;
                    rc = map_stat(c, lh[i].measure, amt, lot, cur);
                    free(cur);
                    if (rc)
                        goto cleanup;
                }
            }
        }
        /* the award */
        if (!c->awards && !(c->awards = eforms_jnew_in(c->rel, "awards", 1))) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        a = eforms_jpush_obj(c->awards);
        if (!a) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        TRY(eforms_jset_str(a, "id", id));
        if (lot) {
            json_value *rl = eforms_jnew_in(a, "relatedLots", 1);
            if (!rl) {
                rc = ERR_NOMEM;
                goto cleanup;
            }
            TRY(eforms_jpush_str(rl, lot));
        }
        code = eforms_x_text_at(lr, "cbc:TenderResultCode", NULL); /* BT-142 */
        status = map_award_status(code);
        if (status)
            TRY(eforms_jset_str(a, "status", status));
        else if (code)
            TRY(eforms_note_add(c->ns, "code_outside_codelist", field, "BT-142 '%.40s' unknown", code));
        if (code && strcmp(code, "selec-w") == 0) {
            json_value *sup = eforms_jnew_in(a, "suppliers", 1), *rb;
            if (!sup) {
                rc = ERR_NOMEM;
                goto cleanup;
            }
            for (i = 0; i < tens.n; i++) {
                map_bidref *t = map_find_tender(r, tens.v[i]);
                if (!t) {
                    TRY(eforms_note_add(c->ns, "reference_unresolved", field,
                                        "lot tender %.40s is not in the notice", tens.v[i]));
                    continue;
                }
                TRY(map_tenderers(c, r, t->tpa, sup, "supplier", field));
            }
            if (json_len(sup) == 0)
                json_object_remove(a, "suppliers");
            TRY(map_sum_values(c, r, tens.v, tens.n, field, &v));
            if (v) {
                json_value *take = v;
                v = NULL;
                TRY(json_object_set(a, "value", take));
            }
            if (tens.n) {
                rb = eforms_jnew_in(a, "relatedBids", 1);
                if (!rb) {
                    rc = ERR_NOMEM;
                    goto cleanup;
                }
                for (i = 0; i < tens.n; i++)
                    TRY(eforms_jpush_unique(rb, tens.v[i]));
            }
            TRY(map_award_date(c, nr, &cons, d, sizeof d));
            if (*d)
                TRY(eforms_jset_str(a, "date", d));
        } else if (code && strcmp(code, "clos-nw") == 0) {
            char *why =
                eforms_x_text_at(lr, "efac:DecisionReason/efbc:DecisionReasonCode", NULL); /* BT-144 */
            rc = eforms_jset_str(a, "statusDetails", why);
            free(why);
            if (rc)
                goto cleanup;
            if (lot) { /* OCP: the lot of a closed, not awarded result is unsuccessful */
                json_value *lo = eforms_map_lot(c, lot);
                if (!lo) {
                    rc = ERR_NOMEM;
                    goto cleanup;
                }
                TRY(eforms_jset_str(lo, "status", "unsuccessful"));
            }
        }
    next:
        free(id);
        free(lot);
        free(code);
        id = lot = code = NULL;
        map_strs_dispose(&tens);
        map_strs_dispose(&cons);
    }
cleanup:
    free(id);
    free(lot);
    free(code);
    free(s);
    map_strs_dispose(&tens);
    map_strs_dispose(&cons);
    return rc;
}

/* The contract object for a SettledContract id, created on first use. */
json_value *eforms_map_contract(map_ctx *c, const char *id)
{
    size_t i;
    json_value *o;

    if (!c->contracts && !(c->contracts = eforms_jnew_in(c->rel, "contracts", 1)))
        return NULL;
    for (i = 0; i < json_len(c->contracts); i++) {
        const char *cid = json_get_str(json_at(c->contracts, i), "id");
        if (cid && strcmp(cid, id) == 0)
            return (json_value *)(uintptr_t)json_at(c->contracts, i);
    }
    o = eforms_jpush_obj(c->contracts);
    if (!o || eforms_jset_str(o, "id", id) != 0)
        return NULL;
    return o;
}

static int map_contracts(map_ctx *c, xmlNodePtr nr, map_results *r)
{
    xmlNodePtr sc, lr;
    map_strs tens = {0}, awards = {0};
    char *id = NULL, *s = NULL;
    int rc = 0;

    for (sc = eforms_x_first(nr, "efac:SettledContract"); sc; sc = eforms_x_next(sc)) {
        json_value *k, *v = NULL;
        char field[96], d[64];
        int rr;

        id = eforms_x_text_at(sc, "cbc:ID", NULL);
        if (!id)
            continue;
        snprintf(field, sizeof field, "contracts[%.40s]", id);
        k = eforms_map_contract(c, id);
        if (!k) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        for (lr = eforms_x_first(nr, "efac:LotResult"); lr; lr = eforms_x_next(lr)) {
            map_strs cons = {0};
            size_t i;
            int hit = 0;

            TRY(map_collect(lr, "efac:SettledContract", "cbc:ID", &cons));
            for (i = 0; i < cons.n; i++)
                hit |= strcmp(cons.v[i], id) == 0;
            map_strs_dispose(&cons);
            if (hit) {
                char *aid = eforms_x_text_at(lr, "cbc:ID", NULL), **nv;
                if (!aid)
                    continue;
                nv = realloc(awards.v, (awards.n + 1) * sizeof *nv);
                if (!nv) {
                    free(aid);
                    rc = ERR_NOMEM;
                    goto cleanup;
                }
                awards.v = nv;
                awards.v[awards.n++] = aid;
            }
        }
        if (awards.n == 1) {
            TRY(eforms_jset_str(k, "awardID", awards.v[0]));
        } else if (awards.n > 1) {
            json_value *ids = eforms_jnew_in(k, "awardIDs", 1);
            size_t i;
            if (!ids) {
                rc = ERR_NOMEM;
                goto cleanup;
            }
            for (i = 0; i < awards.n; i++)
                TRY(eforms_jpush_str(ids, awards.v[i]));
        }
        s = eforms_x_text_at(sc, "cbc:Title", c->lang); /* BT-721 */
        TRY(eforms_jset_str(k, "title", s));
        free(s);
        s = eforms_x_text_at(sc, "efac:ContractReference/cbc:ID", NULL); /* BT-150 */
        if (s) {
            json_value *ids = eforms_jnew_in(k, "identifiers", 1), *o;
            if (!ids || !(o = eforms_jpush_obj(ids))) {
                rc = ERR_NOMEM;
                goto cleanup;
            }
            TRY(eforms_jset_str(o, "id", s));
            TRY(eforms_jset_str(o, "scheme", "eforms-BT-150"));
        }
        free(s);
        s = NULL;
        rr = eforms_map_datetime(c, eforms_x_first(sc, "cbc:IssueDate"), NULL, 0, field, d,
                                 sizeof d); /* BT-145 */
        if (rr == 0)
            TRY(eforms_jset_str(k, "dateSigned", d));
        else if (rr < 0 && rr != ERR_BAD_INPUT) {
            rc = rr;
            goto cleanup;
        }
        TRY(map_collect(sc, "efac:LotTender", "cbc:ID", &tens));
        TRY(map_sum_values(c, r, tens.v, tens.n, field, &v)); /* BT-720 of its tenders */
        if (v)
            TRY(json_object_set(k, "value", v));
        free(id);
        id = NULL;
        map_strs_dispose(&tens);
        map_strs_dispose(&awards);
    }
cleanup:
    free(id);
    free(s);
    map_strs_dispose(&tens);
    map_strs_dispose(&awards);
    return rc;
}

int eforms_map_results(map_ctx *c)
{
    xmlNodePtr nr = eforms_x_first(c->ext, "efac:NoticeResult");
    map_results r = {0};
    size_t n_with_tenders = 0;
    json_value *tenders = NULL;
    int rc = 0;

    if (!nr)
        return 0;
    c->bids = eforms_jnew_in(c->rel, "bids", 0);
    if (!c->bids)
        return ERR_NOMEM;
    TRY(map_results_read(c, nr, &r));
    TRY(map_bids(c, &r));
    TRY(map_lot_results(c, nr, &r, &n_with_tenders, &tenders));
    TRY(map_contracts(c, nr, &r));
    if (n_with_tenders == 1 && c->n_lots <= 1) { /* BT-759 of the only lot */
        json_value *take = tenders;
        tenders = NULL; /* json_object_set owns it, also when it fails */
        TRY(json_object_set(c->tender, "numberOfTenderers", take));
    }
    if (json_len(c->bids) == 0)
        json_object_remove(c->rel, "bids");
cleanup:
    json_free(tenders);
    map_results_dispose(&r);
    return rc;
}
