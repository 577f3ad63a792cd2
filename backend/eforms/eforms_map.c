/* eforms_map.c - one parsed eForms notice mapped to one OCDS release (OCP eForms guidance;
 * the BT -> OCDS table is docs/eforms.md). */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eforms/eforms.h"
#include "eforms/eforms_internal.h"
#include "eforms/eforms_map.h"
#include "eforms/eforms_xml.h"

/* ---------------------------------------------------------------- notes */

void eforms_notes_init(eforms_notes *ns)
{
    ns->v = NULL;
    ns->n = ns->cap = ns->dropped = 0;
}

void eforms_notes_dispose(eforms_notes *ns)
{
    size_t i;

    if (!ns)
        return;
    for (i = 0; i < ns->n; i++) {
        free(ns->v[i].code);
        free(ns->v[i].field);
        free(ns->v[i].message);
    }
    free(ns->v);
    eforms_notes_init(ns);
}

static int eforms_note_addv(eforms_notes *ns, const char *code, const char *field, const char *fmt,
                            va_list ap)
{
    char msg[512];
    model_note *nn;

    if (ns->n >= ns->cap) {
        size_t ncap = ns->cap ? ns->cap * 2 : 8;
        nn = realloc(ns->v, ncap * sizeof *nn);
        if (!nn)
            return ERR_NOMEM;
        ns->v = nn;
        ns->cap = ncap;
    }
    vsnprintf(msg, sizeof msg, fmt, ap); /* truncation accepted: a note is one sentence */
    nn = &ns->v[ns->n];
    nn->code = strdup(code);
    nn->field = strdup(field ? field : "");
    nn->message = strdup(msg);
    if (!nn->code || !nn->field || !nn->message) {
        free(nn->code);
        free(nn->field);
        free(nn->message);
        return ERR_NOMEM;
    }
    ns->n++;
    return 0;
}

int eforms_note_add(eforms_notes *ns, const char *code, const char *field, const char *fmt, ...)
{
    va_list ap;
    int rc;

    if (ns->n >= EFORMS_MAX_NOTES - 1) {
        ns->dropped++;
        return 0;
    }
    va_start(ap, fmt);
    rc = eforms_note_addv(ns, code, field, fmt, ap);
    va_end(ap);
    return rc;
}

static int eforms_note_add_raw(eforms_notes *ns, const char *code, const char *field, const char *fmt, ...)
    PA_PRINTF(4, 5);
static int eforms_note_add_raw(eforms_notes *ns, const char *code, const char *field, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = eforms_note_addv(ns, code, field, fmt, ap);
    va_end(ap);
    return rc;
}

int eforms_notes_finish(eforms_notes *ns)
{
    if (ns->dropped == 0)
        return 0;
    return eforms_note_add_raw(ns, "notes_truncated", "", "%zu further notes about this notice were left out",
                               ns->dropped);
}

void eforms_mapped_dispose(eforms_mapped *m)
{
    if (!m)
        return;
    json_free(m->release);
    free(m->ocid);
    free(m->release_id);
    free(m->buyer_id);
    free(m->changes_release);
    m->changes_release = NULL;
    m->release = NULL;
    m->ocid = m->release_id = m->buyer_id = NULL;
}

/* ---------------------------------------------------------------- JSON helpers */

int eforms_jset(json_value *o, const char *k, json_value *v)
{
    if (!v)
        return ERR_NOMEM;
    return json_object_set(o, k, v);
}

int eforms_jset_str(json_value *o, const char *k, const char *s)
{
    if (!s || !*s)
        return 0;
    return eforms_jset(o, k, json_new_cstring(s));
}

/* A new object (or array) set as o[k]; NULL when out of memory. */
json_value *eforms_jnew_in(json_value *o, const char *k, int array)
{
    json_value *v = array ? json_new_array() : json_new_object();

    if (!v || json_object_set(o, k, v) != 0)
        return NULL;
    return v;
}

json_value *eforms_jpush_obj(json_value *arr)
{
    json_value *v = json_new_object();

    if (!v || json_array_push(arr, v) != 0)
        return NULL;
    return v;
}

int eforms_jpush_str(json_value *arr, const char *s)
{
    json_value *v = json_new_cstring(s);

    if (!v)
        return ERR_NOMEM;
    return json_array_push(arr, v);
}

/* 1 when array arr holds the string s. */
static int jarr_has(const json_value *arr, const char *s)
{
    size_t i;

    for (i = 0; i < json_len(arr); i++) {
        const char *t = json_str(json_at(arr, i));
        if (t && strcmp(t, s) == 0)
            return 1;
    }
    return 0;
}

/* Pushes s onto arr unless it is there already. */
int eforms_jpush_unique(json_value *arr, const char *s)
{
    if (jarr_has(arr, s))
        return 0;
    return eforms_jpush_str(arr, s);
}

/* ---------------------------------------------------------------- value helpers */

/* 1 when s is an xsd:decimal ([+-]digits[.digits]), the lexical form of eForms amounts. */
int eforms_map_is_decimal(const char *s)
{
    size_t digits = 0;

    if (*s == '+' || *s == '-')
        s++;
    while (isdigit((unsigned char)*s)) {
        s++;
        digits++;
    }
    if (*s == '.') {
        s++;
        while (isdigit((unsigned char)*s)) {
            s++;
            digits++;
        }
    }
    return digits > 0 && *s == '\0' && digits <= 40;
}

/* The number text of a decimal with a leading '+' dropped (JSON has none), else NULL. */
json_value *eforms_map_number(const char *s)
{
    char buf[96];
    size_t len = 0;
    const char *dot;

    /* an xsd:decimal written as JSON: no '+', no leading zeros ("007"), a digit on both
     * sides of the point (".5" -> "0.5", "5." -> "5"); the caller checked the form */
    if (*s == '+')
        s++;
    if (*s == '-')
        buf[len++] = *s++;
    while (s[0] == '0' && isdigit((unsigned char)s[1]))
        s++;
    dot = strchr(s, '.');
    if (s[0] == '.' || s[0] == '\0')
        buf[len++] = '0';
    while (*s && *s != '.' && len < sizeof buf - 2)
        buf[len++] = *s++;
    if (dot && dot[1]) {
        s = dot;
        while (*s && len < sizeof buf - 1)
            buf[len++] = *s++;
    }
    return json_new_number_text(buf, len);
}

/* An OCDS Value {amount, currency} from an amount element (currencyID attribute); NULL
 * in *out when absent. Invalid numbers give a note and no value. */
int eforms_map_amount(map_ctx *c, xmlNodePtr n, const char *field, json_value **out)
{
    char *txt = NULL, *cur = NULL;
    json_value *v = NULL, *num = NULL;
    int rc = 0;

    *out = NULL;
    if (!n)
        return 0;
    txt = eforms_x_text(n, NULL);
    if (!txt)
        goto cleanup;
    if (!eforms_map_is_decimal(txt)) {
        TRY(eforms_note_add(c->ns, "number_invalid", field,
                            "%s (line %ld): '%.60s' is not a decimal amount; left out", (const char *)n->name,
                            (long)xmlGetLineNo(n), txt));
        goto cleanup;
    }
    num = eforms_map_number(txt);
    if (!num) {
        rc = ERR_NOMEM;
        goto cleanup;
    }
    v = json_new_object();
    if (!v) {
        rc = ERR_NOMEM;
        goto cleanup;
    }
    rc = json_object_set(v, "amount", num);
    num = NULL;
    if (rc)
        goto cleanup;
    cur = eforms_x_attr(n, "currencyID");
    if (cur && *cur)
        TRY(eforms_jset_str(v, "currency", cur));
    else
        TRY(eforms_note_add(c->ns, "currency_missing", field, "amount %s has no currencyID", txt));
    *out = v;
    v = NULL;
cleanup:
    json_free(num);
    json_free(v);
    free(txt);
    free(cur);
    return rc;
}

static int map_digits(const char *s, int n)
{
    int i;

    for (i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* 1 when z is a time-zone suffix: "", "Z" or "+hh:mm"/"-hh:mm". */
static int map_zone_ok(const char *z)
{
    if (!*z || strcmp(z, "Z") == 0)
        return 1;
    return (z[0] == '+' || z[0] == '-') && map_digits(z + 1, 2) && z[3] == ':' && map_digits(z + 4, 2) &&
           !z[6];
}

/* An OCDS date-time from an eForms date (xsd:date, "2019-10-23+01:00") and an optional
 * time (xsd:time, "14:00:00+01:00"): "2019-10-23T14:00:00+01:00". Without a time the
 * OCP guidance gives T00:00:00 (T23:59:59 for end dates); without a zone, Z (note
 * date_no_zone). Returns 0, 1 when absent, or ERR_BAD_INPUT (note date_invalid). */
int eforms_map_datetime(map_ctx *c, xmlNodePtr dn, xmlNodePtr tn, int is_end, const char *field, char *out,
                        size_t out_size)
{
    char *d = NULL, *t = NULL;
    const char *dz, *tz = "", *zone;
    char tbuf[16];
    int rc = 1;

    d = eforms_x_text(dn, NULL);
    if (!d)
        goto cleanup;
    if (strlen(d) < 10 || !map_digits(d, 4) || d[4] != '-' || !map_digits(d + 5, 2) || d[7] != '-' ||
        !map_digits(d + 8, 2) || !map_zone_ok(d + 10)) {
        rc = eforms_note_add(c->ns, "date_invalid", field, "%s (line %ld): '%.40s' is not a date; left out",
                             (const char *)dn->name, (long)xmlGetLineNo(dn), d);
        if (rc == 0)
            rc = ERR_BAD_INPUT;
        goto cleanup;
    }
    dz = d + 10;
    snprintf(tbuf, sizeof tbuf, "%s", is_end ? "23:59:59" : "00:00:00");
    t = eforms_x_text(tn, NULL);
    if (t) {
        size_t tl = strlen(t), k = 8;
        if (tl >= 8 && map_digits(t, 2) && t[2] == ':' && map_digits(t + 3, 2) && t[5] == ':' &&
            map_digits(t + 6, 2)) {
            if (t[8] == '.') /* fractions of a second: dropped */
                for (k = 9; isdigit((unsigned char)t[k]); k++)
                    ;
            if (map_zone_ok(t + k)) {
                memcpy(tbuf, t, 8);
                tbuf[8] = '\0';
                tz = t + k;
            }
        }
    }
    zone = *tz ? tz : dz;
    if (!*zone) {
        zone = "Z";
        rc = eforms_note_add(c->ns, "date_no_zone", field, "%.10s has no time zone; read as UTC", d);
        if (rc)
            goto cleanup;
    }
    snprintf(out, out_size, "%.10sT%s%s", d, tbuf, zone);
    rc = 0;
cleanup:
    free(d);
    free(t);
    return rc;
}

/* Seconds since the epoch of a date-time written by eforms_map_datetime (for comparisons). */
int64_t eforms_map_epoch(const char *s)
{
    long y = strtol(s, NULL, 10), m = strtol(s + 5, NULL, 10), d = strtol(s + 8, NULL, 10);
    long hh = strtol(s + 11, NULL, 10), mi = strtol(s + 14, NULL, 10), ss = strtol(s + 17, NULL, 10);
    const char *z = s + 19;
    long era, yoe, doy, doe, days, off = 0;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    days = era * 146097 + doe - 719468;
    if (*z == '+' || *z == '-')
        off = (strtol(z + 1, NULL, 10) * 60 + strtol(z + 4, NULL, 10)) * 60 * (*z == '-' ? -1 : 1);
    return (int64_t)days * 86400 + hh * 3600 + mi * 60 + ss - off;
}

/* A date-time written by eforms_map_datetime rewritten in UTC ("...Z"): the release date, so
 * that text order is time order when releases are merged. */
static void map_to_utc(const char *in, char *out, size_t n)
{
    time_t t = (time_t)eforms_map_epoch(in);
    struct tm tm;

    if (!gmtime_r(&t, &tm) || strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, n, "%s", in);
}

/* ---------------------------------------------------------------- code tables */

/* BT-105 procurement-procedure-type -> OCDS procurementMethod (OCP mapping; the oth-*
 * codes have no OCDS equivalent and stay in procurementMethodDetails only). */
static const map_code map_procedure[] = {
    {"open", "open", "Open"},
    {"restricted", "selective", "Restricted"},
    {"comp-dial", "selective", "Competitive dialogue"},
    {"comp-tend", "selective", "Competitive tendering (article 5(3) of Regulation 1370/2007)"},
    {"innovation", "selective", "Innovation partnership"},
    {"neg-w-call", "selective",
     "Negotiated with prior publication of a call for competition / competitive with negotiation"},
    {"neg-wo-call", "limited", "Negotiated without prior call for competition"},
    {"exp-int-rail", "selective", "Request for expression of interest - only for rail"},
    {"oth-mult", NULL, "Other multiple stage procedure"},
    {"oth-single", NULL, "Other single stage procedure"},
};

/* BT-5421/5422/5423 award-criterion-parameter codes -> the OCDS for eForms numbers[] keys. */
static const struct {
    const char *code;
    const char *key;
    const char *value;
} map_crit_param[] = {
    {"per-exa", "weight", "percentageExact"},
    {"per-mid", "weight", "percentageRangeMiddle"},
    {"poi-exa", "weight", "pointsExact"},
    {"poi-mid", "weight", "pointsRangeMiddle"},
    {"dec-exa", "weight", "decimalExact"},
    {"dec-mid", "weight", "decimalRangeMiddle"},
    {"ord-imp", "weight", "orderOfImportance"},
    {"max-pass", "threshold", "maximumBids"},
    {"min-score", "threshold", "minimumScore"},
    {"fix-tot", "fixed", "total"},
    {"fix-unit", "fixed", "unit"},
};

/* ISO 639-3 (eForms) -> ISO 639-1 (OCDS release language), the EU's official languages. */
static const map_code map_lang[] = {
    {"BUL", "bg", NULL}, {"CES", "cs", NULL}, {"DAN", "da", NULL}, {"DEU", "de", NULL}, {"ELL", "el", NULL},
    {"ENG", "en", NULL}, {"EST", "et", NULL}, {"FIN", "fi", NULL}, {"FRA", "fr", NULL}, {"GLE", "ga", NULL},
    {"HRV", "hr", NULL}, {"HUN", "hu", NULL}, {"ITA", "it", NULL}, {"LAV", "lv", NULL}, {"LIT", "lt", NULL},
    {"MLT", "mt", NULL}, {"NLD", "nl", NULL}, {"POL", "pl", NULL}, {"POR", "pt", NULL}, {"RON", "ro", NULL},
    {"SLK", "sk", NULL}, {"SLV", "sl", NULL}, {"SPA", "es", NULL}, {"SWE", "sv", NULL}, {"NOR", "no", NULL},
    {"ISL", "is", NULL},
};

const map_code *eforms_map_find(const map_code *t, size_t n, const char *code)
{
    size_t i;

    for (i = 0; code && i < n; i++)
        if (strcmp(t[i].code, code) == 0)
            return &t[i];
    return NULL;
}

/* ---------------------------------------------------------------- organisations */

/* A stable party id: the same organisation gets the same id in every notice (the ORG-nnnn
 * ids are local to one notice). "<country>-<BT-501 company id>" when the identifier is
 * given, else "<country>-NAME-<normalised BT-500 name>", else "<notice id>-<ORG-nnnn>". */
static char *map_party_id(const char *notice_id, const char *org_id, const char *country, const char *company,
                          const char *name)
{
    char out[160];
    size_t len, i;
    const char *src = company && *company ? company : name;
    int last_dash = 0;

    if (!src || !*src) {
        snprintf(out, sizeof out, "%.80s-%.40s", notice_id, org_id);
        return strdup(out);
    }
    len = (size_t)snprintf(out, sizeof out, "%.3s-%s", country && *country ? country : "XXX",
                           src == company ? "" : "NAME-");
    for (i = 0; src[i] && len < sizeof out - 5; i++) {
        unsigned char ch = (unsigned char)src[i];
        if (ch >= 0x80) { /* keep UTF-8 letters as they are */
            out[len++] = (char)ch;
            last_dash = 0;
        } else if (isalnum(ch)) {
            out[len++] = (char)(src == company ? toupper(ch) : tolower(ch));
            last_dash = 0;
        } else if (src == name && !last_dash && (ch == ' ' || ch == '-' || ch == '.' || ch == ',')) {
            out[len++] = '-';
            last_dash = 1;
        } else if (src == company && (ch == '-' || ch == '/' || ch == '.')) {
            out[len++] = (char)ch;
        }
    }
    while (len > 0 && ((unsigned char)out[len - 1] & 0xC0) == 0x80 && i < strlen(src))
        len--; /* cut inside a UTF-8 sequence at the length cap: drop the partial one */
    while (len > 0 && ((unsigned char)out[len - 1] & 0xC0) == 0xC0)
        len--;
    while (len > 0 && out[len - 1] == '-')
        len--;
    out[len] = '\0';
    return strdup(out);
}

static int map_orgs(map_ctx *c)
{
    xmlNodePtr o;
    int rc = 0;
    char *org_id = NULL, *company = NULL, *name = NULL, *country = NULL;

    for (o = eforms_x_first(c->ext, "efac:Organizations/efac:Organization"); o; o = eforms_x_next(o)) {
        xmlNodePtr co = eforms_x_first(o, "efac:Company");
        map_org *nv;

        if (!co)
            continue;
        org_id = eforms_x_text_at(co, "cac:PartyIdentification/cbc:ID", NULL);
        if (!org_id)
            continue;
        if (c->n_orgs >= MAP_MAX_ORGS) {
            rc = err_set(c->e, ERR_LIMIT, "efac:Organization (line %ld): more than %d organisations",
                         (long)xmlGetLineNo(o), MAP_MAX_ORGS);
            goto cleanup;
        }
        company = eforms_x_text_at(co, "cac:PartyLegalEntity/cbc:CompanyID", NULL);
        name = eforms_x_text_at(co, "cac:PartyName/cbc:Name", c->lang);
        country = eforms_x_text_at(co, "cac:PostalAddress/cac:Country/cbc:IdentificationCode", NULL);
        nv = realloc(c->orgs, (c->n_orgs + 1) * sizeof *nv);
        if (!nv) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        c->orgs = nv;
        nv[c->n_orgs].org_id = org_id;
        nv[c->n_orgs].company = co;
        nv[c->n_orgs].party = NULL;
        nv[c->n_orgs].party_id = map_party_id(c->notice_id, org_id, country, company, name);
        org_id = NULL;
        if (!nv[c->n_orgs].party_id) {
            free(nv[c->n_orgs].org_id);
            rc = ERR_NOMEM;
            goto cleanup;
        }
        c->n_orgs++;
        free(company);
        free(name);
        free(country);
        company = name = country = NULL;
    }
cleanup:
    free(org_id);
    free(company);
    free(name);
    free(country);
    return rc;
}

/* Builds the OCDS Organization of one eForms organisation. */
static int map_party_build(map_ctx *c, map_org *o)
{
    xmlNodePtr co = o->company;
    json_value *p = NULL, *sub;
    char *s = NULL;
    int rc = 0;

    p = eforms_jpush_obj(c->parties);
    if (!p)
        return ERR_NOMEM;
    TRY(eforms_jset_str(p, "id", o->party_id));
    s = eforms_x_text_at(co, "cac:PartyName/cbc:Name", c->lang);
    TRY(eforms_jset_str(p, "name", s));
    free(s);
    s = eforms_x_text_at(co, "cac:PartyLegalEntity/cbc:CompanyID", NULL);
    if (s) {
        sub = eforms_jnew_in(p, "identifier", 0);
        if (!sub) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        TRY(eforms_jset_str(sub, "id", s));
        free(s);
        s = eforms_x_text_at(co, "cac:PartyName/cbc:Name", c->lang);
        TRY(eforms_jset_str(sub, "legalName", s));
    }
    free(s);
    s = NULL;
    {
        static const struct {
            const char *path, *key;
        } addr[] = {
            {"cac:PostalAddress/cbc:StreetName", "streetAddress"},
            {"cac:PostalAddress/cbc:CityName", "locality"},
            {"cac:PostalAddress/cbc:PostalZone", "postalCode"},
            {"cac:PostalAddress/cbc:CountrySubentityCode", "region"},
            {"cac:PostalAddress/cac:Country/cbc:IdentificationCode", "countryName"},
        };
        static const struct {
            const char *path, *key;
        } contact[] = {
            {"cac:Contact/cbc:Name", "name"},
            {"cac:Contact/cbc:ElectronicMail", "email"},
            {"cac:Contact/cbc:Telephone", "telephone"},
            {"cbc:WebsiteURI", "url"},
        };
        json_value *a = NULL;
        size_t i;

        for (i = 0; i < sizeof addr / sizeof addr[0]; i++) {
            s = eforms_x_text_at(co, addr[i].path, NULL);
            if (s) {
                if (!a && !(a = eforms_jnew_in(p, "address", 0))) {
                    rc = ERR_NOMEM;
                    goto cleanup;
                }
                TRY(eforms_jset_str(a, addr[i].key, s));
                free(s);
                s = NULL;
            }
        }
        a = NULL;
        for (i = 0; i < sizeof contact / sizeof contact[0]; i++) {
            s = eforms_x_text_at(co, contact[i].path, NULL);
            if (s) {
                if (!a && !(a = eforms_jnew_in(p, "contactPoint", 0))) {
                    rc = ERR_NOMEM;
                    goto cleanup;
                }
                TRY(eforms_jset_str(a, contact[i].key, s));
                free(s);
                s = NULL;
            }
        }
    }
    sub = eforms_jnew_in(p, "roles", 1);
    if (!sub) {
        rc = ERR_NOMEM;
        goto cleanup;
    }
    o->party = p;
cleanup:
    free(s);
    return rc;
}

/* The party for an ORG-nnnn reference, created on first use, with `role` added (NULL: no
 * role). *out is NULL (and a note added) when the notice has no such organisation. */
int eforms_map_party(map_ctx *c, const char *org_ref, const char *role, const char *field, map_org **out)
{
    size_t i;
    int rc = 0;

    *out = NULL;
    if (!org_ref)
        return 0;
    for (i = 0; i < c->n_orgs; i++)
        if (strcmp(c->orgs[i].org_id, org_ref) == 0)
            break;
    if (i == c->n_orgs)
        return eforms_note_add(c->ns, "org_unresolved", field,
                               "%.40s is referenced but not in efac:Organizations; left out", org_ref);
    if (!c->orgs[i].party)
        TRY(map_party_build(c, &c->orgs[i]));
    if (role) {
        json_value *roles = (json_value *)(uintptr_t)json_get(c->orgs[i].party, "roles");
        TRY(eforms_jpush_unique(roles, role));
    }
    *out = &c->orgs[i];
cleanup:
    return rc;
}

/* {id, name} of a party, as OCDS OrganizationReference. */
json_value *eforms_map_org_ref(const map_org *o)
{
    json_value *r = json_new_object();
    const char *name = json_get_str(o->party, "name");

    if (!r)
        return NULL;
    if (eforms_jset_str(r, "id", o->party_id) != 0 || (name && eforms_jset_str(r, "name", name) != 0)) {
        json_free(r);
        return NULL;
    }
    return r;
}

/* ---------------------------------------------------------------- tender */

/* BT-11 buyer legal type codes (the buyer-legal-type authority list, version 20220615-0,
 * of which eforms-buyer-legal-type allows all but eu-int-org) and their English labels.
 * Older codes seen in SDK 1.3 notices (rl-aut) are kept as given, noted. */
static const map_code map_buyer_legal_type[] = {
    {"body-pl", "body-pl", "Body governed by public law"},
    {"body-pl-cga", "body-pl-cga", "Body governed by public law, controlled by a central government authority"},
    {"body-pl-la", "body-pl-la", "Body governed by public law, controlled by a local authority"},
    {"body-pl-ra", "body-pl-ra", "Body governed by public law, controlled by a regional authority"},
    {"cga", "cga", "Central government authority"},
    {"def-cont", "def-cont", "Defence contractor"},
    {"eu-ins-bod-ag", "eu-ins-bod-ag", "EU institution, body or agency"},
    {"eu-int-org", "eu-int-org", "European Institution/Agency or International Organisation"},
    {"grp-p-aut", "grp-p-aut", "Group of public authorities"},
    {"int-org", "int-org", "International organisation"},
    {"la", "la", "Local authority"},
    {"org-sub", "org-sub", "Organisation awarding a contract subsidised by a contracting authority"},
    {"org-sub-cga", "org-sub-cga", "Organisation awarding a contract subsidised by a central government authority"},
    {"org-sub-la", "org-sub-la", "Organisation awarding a contract subsidised by a local authority"},
    {"org-sub-ra", "org-sub-ra", "Organisation awarding a contract subsidised by a regional authority"},
    {"pub-undert", "pub-undert", "Public undertaking"},
    {"pub-undert-cga", "pub-undert-cga", "Public undertaking, controlled by a central government authority"},
    {"pub-undert-la", "pub-undert-la", "Public undertaking, controlled by a local authority"},
    {"pub-undert-ra", "pub-undert-ra", "Public undertaking, controlled by a regional authority"},
    {"ra", "ra", "Regional authority"},
    {"spec-rights-entity", "spec-rights-entity", "Entity with special or exclusive rights"},
};

/* Adds {scheme, id, description} to party.details.classifications[] unless that scheme
 * and id are there already. Returns 0 or ERR_NOMEM. */
static int map_party_classification(json_value *party, const char *scheme, const char *id, const char *label)
{
    json_value *details = (json_value *)(uintptr_t)json_get(party, "details");
    json_value *cls, *o;
    size_t i;

    if (!details && !(details = eforms_jnew_in(party, "details", 0)))
        return ERR_NOMEM;
    cls = (json_value *)(uintptr_t)json_get(details, "classifications");
    if (!cls && !(cls = eforms_jnew_in(details, "classifications", 1)))
        return ERR_NOMEM;
    for (i = 0; i < json_len(cls); i++) {
        const char *s = json_get_str(json_at(cls, i), "scheme"), *d = json_get_str(json_at(cls, i), "id");
        if (s && d && strcmp(s, scheme) == 0 && strcmp(d, id) == 0)
            return 0;
    }
    o = eforms_jpush_obj(cls);
    if (!o || eforms_jset_str(o, "scheme", scheme) != 0 || eforms_jset_str(o, "id", id) != 0 ||
        (label && eforms_jset_str(o, "description", label) != 0))
        return ERR_NOMEM;
    return 0;
}

/* BT-11 buyer legal type of one cac:ContractingParty (cac:ContractingPartyType/
 * cbc:PartyTypeCode with listName buyer-legal-type; the other list there, BT-740
 * buyer-contracting-type, is not this) -> the buyer party's details.classifications[]
 * {scheme "eu-buyer-legal-type", id, description}, as the OCP eForms guidance maps it.
 * A code outside the list is kept as given, noted. */
static int map_buyer_legal_types(map_ctx *c, xmlNodePtr cp, map_org *o)
{
    xmlNodePtr t;
    char *list = NULL, *code = NULL;
    int rc = 0;

    for (t = eforms_x_first(cp, "cac:ContractingPartyType"); t; t = eforms_x_next(t)) {
        xmlNodePtr pc = eforms_x_first(t, "cbc:PartyTypeCode");
        const map_code *mc;

        list = eforms_x_attr(pc, "listName");
        code = eforms_x_text(pc, NULL);
        mc = code ? MAP_FIND(map_buyer_legal_type, code) : NULL;
        /* Without listName: taken when the code is a buyer legal type. */
        if (code && ((list && strcmp(list, "buyer-legal-type") == 0) || (!list && mc))) {
            if (!mc)
                TRY(eforms_note_add(c->ns, "code_outside_codelist", "parties.details.classifications",
                                    "BT-11 buyer legal type '%.40s' is not in the buyer-legal-type list; kept as given",
                                    code));
            TRY(map_party_classification(o->party, "eu-buyer-legal-type", code, mc ? mc->label : NULL));
        }
        free(list);
        list = NULL;
        free(code);
        code = NULL;
    }
cleanup:
    free(list);
    free(code);
    return rc;
}

static int map_buyers(map_ctx *c, char **buyer_id)
{
    xmlNodePtr cp;
    char *ref = NULL;
    int rc = 0;

    *buyer_id = NULL;
    for (cp = eforms_x_first(c->root, "cac:ContractingParty"); cp; cp = eforms_x_next(cp)) {
        map_org *o;

        ref = eforms_x_text_at(cp, "cac:Party/cac:PartyIdentification/cbc:ID", NULL);
        TRY(eforms_map_party(c, ref, "buyer", "buyer", &o));
        if (o)
            TRY(map_buyer_legal_types(c, cp, o));
        if (o && !*buyer_id) {
            json_value *b = eforms_map_org_ref(o);
            if (!b) {
                rc = ERR_NOMEM;
                goto cleanup;
            }
            TRY(json_object_set(c->rel, "buyer", b));
            *buyer_id = strdup(o->party_id);
            if (!*buyer_id) {
                rc = ERR_NOMEM;
                goto cleanup;
            }
        }
        free(ref);
        ref = NULL;
    }
    if (!*buyer_id)
        TRY(eforms_note_add(c->ns, "buyer_missing", "buyer",
                            "no cac:ContractingParty resolves to an organisation: the release has no buyer"));
cleanup:
    free(ref);
    return rc;
}

/* The lot object for a lot id (BT-137), created when first seen. */
json_value *eforms_map_lot(map_ctx *c, const char *id)
{
    size_t i;
    map_ref *nv;
    json_value *o;

    for (i = 0; i < c->n_lots; i++)
        if (strcmp(c->lotv[i].id, id) == 0)
            return c->lotv[i].obj;
    if (c->n_lots >= MAP_MAX_LOTS)
        return NULL;
    if (!c->lots && !(c->lots = eforms_jnew_in(c->tender, "lots", 1)))
        return NULL;
    nv = realloc(c->lotv, (c->n_lots + 1) * sizeof *nv);
    if (!nv)
        return NULL;
    c->lotv = nv;
    o = eforms_jpush_obj(c->lots);
    if (!o || eforms_jset_str(o, "id", id) != 0)
        return NULL;
    nv[c->n_lots].id = strdup(id);
    if (!nv[c->n_lots].id)
        return NULL;
    nv[c->n_lots].obj = o;
    c->n_lots++;
    return o;
}

/* One cac:SubordinateAwardingCriterion -> {type, name, description, numbers[]} (BT-539,
 * BT-734, BT-540, BT-541 with BT-5421/5422/5423). */
static int map_criterion(map_ctx *c, xmlNodePtr sc, json_value *criteria, const char *field)
{
    json_value *cr, *numbers = NULL;
    xmlNodePtr p;
    char *s = NULL, *code = NULL, *num = NULL;
    int rc = 0;

    cr = eforms_jpush_obj(criteria);
    if (!cr)
        return ERR_NOMEM;
    s = eforms_x_text_at(sc, "cbc:AwardingCriterionTypeCode", NULL);
    if (s && strcmp(s, "price") != 0 && strcmp(s, "quality") != 0 && strcmp(s, "cost") != 0)
        TRY(eforms_note_add(c->ns, "code_outside_codelist", field, "BT-539 award criterion type '%.40s'", s));
    TRY(eforms_jset_str(cr, "type", s));
    free(s);
    s = eforms_x_text_at(sc, "cbc:Name", c->lang);
    TRY(eforms_jset_str(cr, "name", s));
    free(s);
    s = eforms_x_text_at(sc, "cbc:Description", c->lang);
    TRY(eforms_jset_str(cr, "description", s));
    free(s);
    s = NULL;
    for (p = eforms_x_first(eforms_x_ext(sc), "efac:AwardCriterionParameter"); p; p = eforms_x_next(p)) {
        size_t i;
        json_value *nobj, *nv;

        code = eforms_x_text_at(p, "efbc:ParameterCode", NULL);
        num = eforms_x_text_at(p, "efbc:ParameterNumeric", NULL);
        if (!num || !eforms_map_is_decimal(num)) {
            TRY(eforms_note_add(
                c->ns, "number_invalid", field,
                "efac:AwardCriterionParameter (line %ld): BT-541 '%.40s' is not a number; left out",
                (long)xmlGetLineNo(p), num ? num : ""));
            goto next;
        }
        if (!numbers && !(numbers = eforms_jnew_in(cr, "numbers", 1))) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        nobj = eforms_jpush_obj(numbers);
        nv = eforms_map_number(num);
        if (!nobj || !nv) {
            json_free(nv);
            rc = ERR_NOMEM;
            goto cleanup;
        }
        TRY(json_object_set(nobj, "number", nv));
        for (i = 0; code && i < sizeof map_crit_param / sizeof map_crit_param[0]; i++)
            if (strcmp(map_crit_param[i].code, code) == 0)
                break;
        if (code && i < sizeof map_crit_param / sizeof map_crit_param[0])
            TRY(eforms_jset_str(nobj, map_crit_param[i].key, map_crit_param[i].value));
        else
            TRY(eforms_note_add(
                c->ns, "code_outside_codelist", field,
                "BT-5421/5422/5423 parameter code '%.40s' unknown: number kept without its kind",
                code ? code : ""));
    next:
        free(code);
        free(num);
        code = num = NULL;
    }
cleanup:
    free(s);
    free(code);
    free(num);
    return rc;
}

/* Duration (BT-36) in days: DAY 1, WEEK 7, MONTH 30, YEAR 365 (note when converted). */
static int map_duration(map_ctx *c, xmlNodePtr dm, json_value *period, const char *field)
{
    char *txt = eforms_x_text(dm, NULL), *unit = eforms_x_attr(dm, "unitCode");
    long mult = 0, n;
    char *end;
    int rc = 0;

    if (!txt || !unit)
        goto cleanup;
    if (strcmp(unit, "DAY") == 0 || strcmp(unit, "CALENDAR_DAY") == 0)
        mult = 1;
    else if (strcmp(unit, "WEEK") == 0)
        mult = 7;
    else if (strcmp(unit, "MONTH") == 0)
        mult = 30;
    else if (strcmp(unit, "YEAR") == 0)
        mult = 365;
    n = strtol(txt, &end, 10);
    if (!mult || *end || n < 0 || n > 100000) {
        rc = eforms_note_add(c->ns, "code_outside_codelist", field,
                             "BT-36 duration '%.20s %.20s' not understood", txt, unit);
        goto cleanup;
    }
    {
        json_value *v = json_new_number((double)(n * mult));
        TRY(eforms_jset(period, "durationInDays", v));
    }
    if (mult != 1)
        rc = eforms_note_add(c->ns, "duration_converted", field, "BT-36 %ld %s read as %ld days", n, unit,
                             n * mult);
cleanup:
    free(txt);
    free(unit);
    return rc;
}

/* cac:PlannedPeriod -> contractPeriod {startDate, endDate, durationInDays}. */
static int map_period(map_ctx *c, xmlNodePtr pp, json_value *owner, const char *field)
{
    json_value *per;
    char d[64];
    int rc = 0, r;

    if (!pp)
        return 0;
    per = eforms_jnew_in(owner, "contractPeriod", 0);
    if (!per)
        return ERR_NOMEM;
    r = eforms_map_datetime(c, eforms_x_first(pp, "cbc:StartDate"), NULL, 0, field, d, sizeof d);
    if (r == 0)
        TRY(eforms_jset_str(per, "startDate", d));
    else if (r < 0 && r != ERR_BAD_INPUT)
        return r;
    r = eforms_map_datetime(c, eforms_x_first(pp, "cbc:EndDate"), NULL, 1, field, d, sizeof d);
    if (r == 0)
        TRY(eforms_jset_str(per, "endDate", d));
    else if (r < 0 && r != ERR_BAD_INPUT)
        return r;
    TRY(map_duration(c, eforms_x_first(pp, "cbc:DurationMeasure"), per, field));
    if (json_len(per) == 0)
        json_object_remove(owner, "contractPeriod");
cleanup:
    return rc;
}

/* Items (CPV, BT-262 main + BT-263 additional) of one cac:ProcurementProject. */
static int map_item(map_ctx *c, xmlNodePtr proj, const char *lot_id)
{
    xmlNodePtr main_cl = eforms_x_first(proj, "cac:MainCommodityClassification/cbc:ItemClassificationCode"),
               ad;
    json_value *it, *cl, *adds = NULL;
    char idbuf[24], *s = NULL;
    int rc = 0;

    if (!main_cl)
        return 0;
    if (!c->items && !(c->items = eforms_jnew_in(c->tender, "items", 1)))
        return ERR_NOMEM;
    it = eforms_jpush_obj(c->items);
    if (!it)
        return ERR_NOMEM;
    snprintf(idbuf, sizeof idbuf, "%zu", ++c->n_items);
    TRY(eforms_jset_str(it, "id", idbuf));
    cl = eforms_jnew_in(it, "classification", 0);
    if (!cl) {
        rc = ERR_NOMEM;
        goto cleanup;
    }
    s = eforms_x_attr(main_cl, "listName");
    TRY(eforms_jset_str(cl, "scheme", s && strcmp(s, "cpv") != 0 ? s : "CPV"));
    free(s);
    s = eforms_x_text(main_cl, NULL);
    TRY(eforms_jset_str(cl, "id", s));
    free(s);
    s = NULL;
    for (ad = eforms_x_first(proj, "cac:AdditionalCommodityClassification"); ad; ad = eforms_x_next(ad)) {
        xmlNodePtr code = eforms_x_first(ad, "cbc:ItemClassificationCode");
        json_value *a;

        s = eforms_x_text(code, NULL);
        if (!s)
            continue;
        if (!adds && !(adds = eforms_jnew_in(it, "additionalClassifications", 1))) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        a = eforms_jpush_obj(adds);
        if (!a) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        {
            char *ln = eforms_x_attr(code, "listName");
            rc = eforms_jset_str(a, "scheme", ln && strcmp(ln, "cpv") != 0 ? ln : "CPV");
            free(ln);
            if (rc)
                goto cleanup;
        }
        TRY(eforms_jset_str(a, "id", s));
        free(s);
        s = NULL;
    }
    if (lot_id)
        TRY(eforms_jset_str(it, "relatedLot", lot_id));
cleanup:
    free(s);
    return rc;
}

/* The document `id` in owner.documents[], created when absent. */
static json_value *map_document(json_value *owner, const char *id, int *created)
{
    json_value *docs = (json_value *)(uintptr_t)json_get(owner, "documents"), *d;
    size_t i;

    *created = 0;
    if (!docs && !(docs = eforms_jnew_in(owner, "documents", 1)))
        return NULL;
    for (i = 0; i < json_len(docs); i++) {
        const char *did = json_get_str(json_at(docs, i), "id");
        if (did && strcmp(did, id) == 0)
            return (json_value *)(uintptr_t)json_at(docs, i);
    }
    d = eforms_jpush_obj(docs);
    if (!d || eforms_jset_str(d, "id", id) != 0)
        return NULL;
    *created = 1;
    return d;
}

/* BT-15 / BT-14 procurement documents of one lot (cac:CallForTendersDocumentReference) ->
 * tender.documents[] {id, documentType biddingDocuments, url, accessDetails, relatedLots}. */
static int map_bidding_documents(map_ctx *c, xmlNodePtr lot, const char *lot_id)
{
    xmlNodePtr r;
    char *id = NULL, *s = NULL;
    int rc = 0;

    for (r = eforms_x_first(lot, "cac:TenderingTerms/cac:CallForTendersDocumentReference"); r;
         r = eforms_x_next(r)) {
        json_value *d, *rl;
        int created;

        id = eforms_x_text_at(r, "cbc:ID", NULL);
        if (!id)
            continue;
        d = map_document(c->tender, id, &created);
        if (!d) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        if (created) {
            TRY(eforms_jset_str(d, "documentType", "biddingDocuments"));
            s = eforms_x_text_at(r, "cac:Attachment/cac:ExternalReference/cbc:URI", NULL);
            TRY(eforms_jset_str(d, "url", s));
            free(s);
            s = eforms_x_text_at(r, "cbc:DocumentType", NULL);
            if (s && strcmp(s, "restricted-document") == 0)
                TRY(eforms_jset_str(d, "accessDetails", "restricted (BT-14)"));
            free(s);
            s = NULL;
        }
        rl = (json_value *)(uintptr_t)json_get(d, "relatedLots");
        if (!rl && !(rl = eforms_jnew_in(d, "relatedLots", 1))) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        TRY(eforms_jpush_unique(rl, lot_id));
        free(id);
        id = NULL;
    }
cleanup:
    free(id);
    free(s);
    return rc;
}

static int map_lots(map_ctx *c, char *earliest_deadline, size_t dl_size, size_t *n_deadlines, int *differ)
{
    xmlNodePtr l;
    char *id = NULL, *s = NULL, *scheme = NULL;
    char field[96], d[64];
    int rc = 0;
    int64_t best = 0;

    earliest_deadline[0] = '\0';
    *n_deadlines = 0;
    *differ = 0;
    for (l = eforms_x_first(c->root, "cac:ProcurementProjectLot"); l; l = eforms_x_next(l)) {
        xmlNodePtr idn = eforms_x_first(l, "cbc:ID"), proj = eforms_x_first(l, "cac:ProcurementProject"), sc,
                   dl;
        json_value *lot, *v = NULL, *crit = NULL;
        int r;

        id = eforms_x_text(idn, NULL);
        scheme = eforms_x_attr(idn, "schemeName");
        if (!id || (scheme && strcmp(scheme, "LotsGroup") == 0) || strncmp(id, "GLO-", 4) == 0)
            goto next; /* groups of lots (BT-330) are not lots */
        lot = eforms_map_lot(c, id);
        if (!lot) {
            rc = c->n_lots >= MAP_MAX_LOTS ? err_set(c->e, ERR_LIMIT,
                                                     "cac:ProcurementProjectLot (line %ld): more "
                                                     "than %d lots",
                                                     (long)xmlGetLineNo(l), MAP_MAX_LOTS)
                                           : ERR_NOMEM;
            goto cleanup;
        }
        snprintf(field, sizeof field, "tender.lots[%.40s]", id);
        s = eforms_x_text_at(proj, "cbc:Name", c->lang);
        TRY(eforms_jset_str(lot, "title", s));
        free(s);
        s = eforms_x_text_at(proj, "cbc:Description", c->lang);
        TRY(eforms_jset_str(lot, "description", s));
        free(s);
        s = NULL;
        TRY(eforms_map_amount(
            c, eforms_x_first(proj, "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount"), field,
            &v));
        if (v)
            TRY(json_object_set(lot, "value", v));
        TRY(map_period(c, eforms_x_first(proj, "cac:PlannedPeriod"), lot, field));
        dl = eforms_x_first(l, "cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod");
        r = eforms_map_datetime(c, eforms_x_first(dl, "cbc:EndDate"), eforms_x_first(dl, "cbc:EndTime"), 1,
                                field, d, sizeof d);
        if (r == 0) {
            json_value *tp = eforms_jnew_in(lot, "tenderPeriod", 0);
            if (!tp) {
                rc = ERR_NOMEM;
                goto cleanup;
            }
            TRY(eforms_jset_str(tp, "endDate", d));
            if (*n_deadlines > 0 && eforms_map_epoch(d) != best && !*differ)
                *differ = 1;
            if (*n_deadlines == 0 || eforms_map_epoch(d) < best) {
                best = eforms_map_epoch(d);
                snprintf(earliest_deadline, dl_size, "%s", d);
            }
            (*n_deadlines)++;
        } else if (r < 0 && r != ERR_BAD_INPUT) {
            rc = r;
            goto cleanup;
        }
        for (sc = eforms_x_first(l, "cac:TenderingTerms/cac:AwardingTerms/cac:AwardingCriterion/"
                                    "cac:SubordinateAwardingCriterion");
             sc; sc = eforms_x_next(sc)) {
            if (!crit) {
                json_value *ac = eforms_jnew_in(lot, "awardCriteria", 0);
                if (!ac || !(crit = eforms_jnew_in(ac, "criteria", 1))) {
                    rc = ERR_NOMEM;
                    goto cleanup;
                }
            }
            TRY(map_criterion(c, sc, crit, field));
        }
        TRY(map_item(c, proj, id));
        TRY(map_bidding_documents(c, l, id));
    next:
        free(id);
        free(scheme);
        id = scheme = NULL;
    }
cleanup:
    free(id);
    free(s);
    free(scheme);
    return rc;
}

static int map_tender(map_ctx *c, const char *folder_id)
{
    xmlNodePtr proj = eforms_x_first(c->root, "cac:ProcurementProject");
    char *s = NULL;
    char deadline[64];
    size_t n_deadlines = 0;
    int differ = 0;
    json_value *v = NULL;
    const map_code *mc;
    int rc = 0;

    TRY(eforms_jset_str(c->tender, "id", folder_id));
    s = eforms_x_text_at(proj, "cbc:Name", c->lang); /* BT-21 */
    TRY(eforms_jset_str(c->tender, "title", s));
    free(s);
    s = eforms_x_text_at(proj, "cbc:Description", c->lang); /* BT-24 */
    TRY(eforms_jset_str(c->tender, "description", s));
    free(s);
    s = eforms_x_text_at(proj, "cbc:ProcurementTypeCode", NULL); /* BT-23 */
    if (s) {
        const char *cat = strcmp(s, "works") == 0      ? "works"
                          : strcmp(s, "supplies") == 0 ? "goods"
                          : strcmp(s, "services") == 0 ? "services"
                                                       : NULL;
        if (cat)
            TRY(eforms_jset_str(c->tender, "mainProcurementCategory", cat));
        else
            TRY(eforms_note_add(c->ns, "code_mapped", "tender.mainProcurementCategory",
                                "BT-23 '%.40s' has no OCDS category; left out", s));
    }
    free(s);
    s = eforms_x_text_at(c->root, "cac:TenderingProcess/cbc:ProcedureCode", NULL); /* BT-105 */
    if (s) {
        mc = MAP_FIND(map_procedure, s);
        if (!mc) {
            TRY(eforms_note_add(c->ns, "code_outside_codelist", "tender.procurementMethod",
                                "BT-105 procedure type '%.40s' is not in the eForms codelist", s));
            TRY(eforms_jset_str(c->tender, "procurementMethodDetails", s));
        } else {
            if (mc->ocds)
                TRY(eforms_jset_str(c->tender, "procurementMethod", mc->ocds));
            TRY(eforms_jset_str(c->tender, "procurementMethodDetails", mc->label));
            if (!mc->ocds)
                TRY(eforms_note_add(
                    c->ns, "code_mapped", "tender.procurementMethod",
                    "BT-105 '%s' (%s) has no OCDS procurementMethod: only the details are kept", mc->code,
                    mc->label));
            else if (strcmp(mc->code, mc->ocds) != 0)
                TRY(eforms_note_add(c->ns, "code_mapped", "tender.procurementMethod",
                                    "BT-105 '%s' mapped to '%s' (OCP eForms guidance)", mc->code, mc->ocds));
        }
    }
    free(s);
    s = eforms_x_text_at(c->root, "cac:TenderingProcess/cac:ProcessJustification/cbc:ProcessReason", c->lang);
    TRY(eforms_jset_str(c->tender, "procurementMethodRationale", s)); /* BT-136 text (BT-135) */
    free(s);
    s = NULL;
    TRY(eforms_map_amount(c,
                          eforms_x_first(proj, "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount"),
                          "tender.value", &v)); /* BT-27 procedure */
    if (v) {
        json_value *take = v;
        v = NULL; /* json_object_set owns it, also when it fails */
        TRY(json_object_set(c->tender, "value", take));
    }
    TRY(map_period(c, eforms_x_first(proj, "cac:PlannedPeriod"), c->tender, "tender.contractPeriod"));
    TRY(map_lots(c, deadline, sizeof deadline, &n_deadlines, &differ));
    if (c->n_items == 0)
        TRY(map_item(c, proj, NULL));
    if (n_deadlines > 0) {
        json_value *tp = eforms_jnew_in(c->tender, "tenderPeriod", 0);
        if (!tp) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        TRY(eforms_jset_str(tp, "endDate", deadline));
        if (differ)
            TRY(eforms_note_add(c->ns, "derived", "tender.tenderPeriod.endDate",
                                "the earliest of %zu lot deadlines (BT-131)", n_deadlines));
    }
    /* One lot (or lots that all agree): its value and period are the tender's. */
    if (c->n_lots >= 1) {
        const json_value *first = c->lotv[0].obj;
        static const char *keys[] = {"value",
                                     "contractPeriod"}; /* not awardCriteria: the model reads the lots' */
        size_t k, i;

        for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            const json_value *fv = json_get(first, keys[k]);
            int same = fv != NULL;
            if (json_get(c->tender, keys[k]))
                continue;
            for (i = 1; same && i < c->n_lots; i++)
                same = json_equal(fv, json_get(c->lotv[i].obj, keys[k]));
            if (!same || (k == 0 && c->n_lots > 1))
                continue; /* several lots: their values add up to no stated total */
            TRY(eforms_jset(c->tender, keys[k], json_clone(fv)));
            if (k == 0)
                TRY(eforms_note_add(c->ns, "derived", "tender.value",
                                    "no procedure BT-27: the value of the only lot %.40s", c->lotv[0].id));
        }
    }
cleanup:
    json_free(v);
    free(s);
    return rc;
}

/* ---------------------------------------------------------------- changes, modifications */

static int map_join_texts(map_ctx *c, xmlNodePtr parent, const char *path, const char *leaf, char *out,
                          size_t n)
{
    xmlNodePtr x;
    size_t len = 0;

    out[0] = '\0';
    for (x = eforms_x_first(parent, path); x; x = eforms_x_next(x)) {
        char *s = eforms_x_text_at(x, leaf, c->lang);
        if (s && len < n - 1) {
            int w = snprintf(out + len, n - len, "%s%s", len ? "; " : "", s);
            len = w < 0 ? len : (size_t)w + len >= n ? n - 1 : len + (size_t)w;
        }
        free(s);
    }
    return 0;
}

/* BT-13716/BT-141/BT-140 (efac:Changes) -> tender.amendments[]; efac:ContractModification
 * (BT-200/BT-201/BT-202, BT-1501) -> contracts[].amendments[]. */
static int map_changes(map_ctx *c, int *is_change, char **changes_release)
{
    xmlNodePtr ch = eforms_x_first(c->ext, "efac:Changes"), m;
    char desc[2048], why[2048], idbuf[160];
    char *s = NULL;
    size_t k = 0;
    int rc = 0;

    *is_change = ch != NULL;
    if (ch) {
        json_value *am = eforms_jnew_in(c->tender, "amendments", 1), *a;
        if (!am || !(a = eforms_jpush_obj(am)))
            return ERR_NOMEM;
        snprintf(idbuf, sizeof idbuf, "%.150s", c->notice_id);
        TRY(eforms_jset_str(a, "id", idbuf));
        TRY(eforms_jset_str(a, "date", c->release_date));
        TRY(map_join_texts(c, ch, "efac:Change", "efbc:ChangeDescription", desc, sizeof desc));
        TRY(eforms_jset_str(a, "description", desc));
        TRY(map_join_texts(c, ch, "efac:ChangeReason", "efbc:ReasonDescription", why, sizeof why));
        if (!*why)
            TRY(map_join_texts(c, ch, "efac:ChangeReason", "cbc:ReasonCode", why, sizeof why));
        TRY(eforms_jset_str(a, "rationale", why));
        s = eforms_x_text_at(ch, "efbc:ChangedNoticeIdentifier", NULL); /* BT-758 */
        TRY(eforms_jset_str(a, "amendsReleaseID", s));
        *changes_release = s;
        s = NULL;
    }
    for (m = eforms_x_first(c->ext, "efac:ContractModification"); m; m = eforms_x_next(m)) {
        json_value *k_obj, *am, *a;

        s = eforms_x_text_at(m, "efbc:ModifiedContractIdentifier", NULL);
        if (!s) {
            TRY(eforms_note_add(c->ns, "reference_unresolved", "contracts.amendments",
                                "efac:ContractModification (line %ld) names no contract (BT-1501)",
                                (long)xmlGetLineNo(m)));
            continue;
        }
        k_obj = eforms_map_contract(c, s);
        if (!k_obj) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        am = (json_value *)(uintptr_t)json_get(k_obj, "amendments");
        if (!am && !(am = eforms_jnew_in(k_obj, "amendments", 1))) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        a = eforms_jpush_obj(am);
        if (!a) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        snprintf(idbuf, sizeof idbuf, "%.140s-%zu", c->notice_id, ++k);
        TRY(eforms_jset_str(a, "id", idbuf));
        TRY(eforms_jset_str(a, "date", c->release_date));
        TRY(map_join_texts(c, m, "efac:Change", "efbc:ChangeDescription", desc, sizeof desc)); /* BT-202 */
        TRY(eforms_jset_str(a, "description", desc));
        TRY(map_join_texts(c, m, "efac:ChangeReason", "efbc:ReasonDescription", why,
                           sizeof why)); /* BT-201 */
        if (!*why)
            TRY(map_join_texts(c, m, "efac:ChangeReason", "cbc:ReasonCode", why, sizeof why)); /* BT-200 */
        TRY(eforms_jset_str(a, "rationale", why));
        free(s);
        s = eforms_x_text_at(m, "efbc:ChangedNoticeIdentifier", NULL); /* BT-1501(n) */
        TRY(eforms_jset_str(a, "amendsReleaseID", s));
        free(s);
        s = NULL;
    }
cleanup:
    free(s);
    return rc;
}

/* The notice itself as an OCDS document: tender.documents (planning: plannedProcurementNotice;
 * competition: tenderNotice) or every award's documents (result: awardNotice); the TED
 * address when the notice carries its OJ S publication number (OPP-010). */
static int map_notice_document(map_ctx *c, const char *tag0, const char *release_id)
{
    char *pub = NULL, url[128], d[64], title[200];
    const char *type, *p;
    json_value *owners[MAP_MAX_LOTS + 1];
    size_t n_owners = 0, i;
    int rc = 0, r;

    if (strncmp(tag0, "planning", 8) == 0)
        type = "plannedProcurementNotice";
    else if (strncmp(tag0, "tender", 6) == 0)
        type = "tenderNotice";
    else if (strncmp(tag0, "award", 5) == 0)
        type = "awardNotice";
    else
        return 0;
    if (strcmp(type, "awardNotice") == 0) {
        for (i = 0; c->awards && i < json_len(c->awards) && n_owners < MAP_MAX_LOTS; i++)
            owners[n_owners++] = (json_value *)(uintptr_t)json_at(c->awards, i);
    } else {
        owners[n_owners++] = c->tender;
    }
    url[0] = '\0';
    pub = eforms_x_text_at(c->ext, "efac:Publication/efbc:NoticePublicationID", NULL);
    if (pub) {
        for (p = pub; *p == '0'; p++)
            ;
        if (strlen(p) < 40 && strspn(p, "0123456789-") == strlen(p))
            snprintf(url, sizeof url, "https://ted.europa.eu/en/notice/-/detail/%s", p);
    }
    r = eforms_map_datetime(c, eforms_x_first(c->ext, "efac:Publication/efbc:PublicationDate"), NULL, 0,
                            "documents", d, sizeof d);
    if (r < 0 && r != ERR_BAD_INPUT) {
        rc = r;
        goto cleanup;
    }
    if (r != 0)
        snprintf(d, sizeof d, "%s", c->release_date);
    snprintf(title, sizeof title, "eForms notice %.150s", release_id);
    for (i = 0; i < n_owners; i++) {
        int created;
        json_value *doc = map_document(owners[i], release_id, &created);
        if (!doc) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        TRY(eforms_jset_str(doc, "documentType", type));
        TRY(eforms_jset_str(doc, "title", title));
        TRY(eforms_jset_str(doc, "url", url));
        TRY(eforms_jset_str(doc, "datePublished", d));
        TRY(eforms_jset_str(doc, "format", "application/xml"));
    }
cleanup:
    free(pub);
    return rc;
}

/* ---------------------------------------------------------------- the notice */

/* tag[] from BT-02 notice type (the listName gives the form type, BT-03) and the
 * presence of efac:Changes (a change notice updates what it changes). */
static int map_tags(map_ctx *c, const char *form, int is_change, int has_contracts, const char **tag0)
{
    json_value *tag = (json_value *)(uintptr_t)json_get(c->rel, "tag");
    int rc = 0;

    *tag0 = NULL;
    if (!tag)
        return ERR_NOMEM;
    if (form && (strcmp(form, "planning") == 0 || strcmp(form, "consultation") == 0)) {
        *tag0 = is_change ? "planningUpdate" : "planning";
    } else if (form && (strcmp(form, "result") == 0 || strcmp(form, "dir-awa-pre") == 0)) {
        *tag0 = is_change ? "awardUpdate" : "award";
    } else if (form && strcmp(form, "cont-modif") == 0) {
        *tag0 = "contractAmendment";
    } else {
        *tag0 = is_change ? "tenderUpdate" : "tender";
    }
    TRY(eforms_jpush_str(tag, *tag0));
    if (has_contracts && form && strcmp(form, "result") == 0)
        TRY(eforms_jpush_str(tag, is_change ? "contractUpdate" : "contract"));
cleanup:
    return rc;
}

int eforms_map_notice(eforms_mapped *out, xmlDocPtr doc, const char *ocid_prefix, eforms_notes *ns, err_t *e)
{
    map_ctx c;
    char *folder = NULL, *nid = NULL, *ver = NULL, *lang = NULL, *form = NULL, *ntype = NULL, *buyer = NULL;
    char date[64], idbuf[256];
    const char *tag0 = NULL;
    const map_code *lc;
    int rc = 0, is_change = 0, r;
    size_t i;

    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    (void)eforms_x_oom_take();
    c.ns = ns;
    c.e = e;
    c.root = xmlDocGetRootElement(doc);
    if (!c.root || !c.root->name || !eforms_is_root((const char *)c.root->name)) {
        rc = err_set(e, ERR_BAD_INPUT, "%s (line %ld): not an eForms procurement notice root",
                     c.root && c.root->name ? (const char *)c.root->name : "(no root)",
                     c.root ? (long)xmlGetLineNo(c.root) : 0L);
        goto cleanup;
    }
    c.ext = eforms_x_ext(c.root);
    nid = eforms_x_text_at(c.root, "cbc:ID", NULL); /* BT-701 */
    if (!nid) {
        xmlNodePtr f = eforms_x_first(c.root, "cbc:ID");
        if (f)
            rc = err_set(e, ERR_BAD_INPUT, "cbc:ID (line %ld): BT-701 notice identifier is empty",
                         (long)xmlGetLineNo(f));
        else
            rc = err_set(e, ERR_BAD_INPUT, "%s (line %ld): no cbc:ID, the BT-701 notice identifier",
                         (const char *)c.root->name, (long)xmlGetLineNo(c.root));
        goto cleanup;
    }
    {
        xmlNodePtr nt = eforms_x_first(c.root, "cbc:NoticeTypeCode"); /* BT-02, listName = BT-03 */
        form = eforms_x_attr(nt, "listName");
        ntype = eforms_x_text(nt, NULL);
    }
    folder = eforms_x_text_at(c.root, "cbc:ContractFolderID", NULL); /* BT-04 */
    if (!folder && form && (strcmp(form, "planning") == 0 || strcmp(form, "consultation") == 0)) {
        /* PIN-only, buyer-profile and consultation notices start no procedure: OCP gives
         * them their own planning process; the notice id stands in for BT-04. */
        folder = strdup(nid);
        if (!folder) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        TRY(eforms_note_add(
            ns, "folder_id_missing", "ocid",
            "planning notice without BT-04 ContractFolderID: the ocid is built from the notice id"));
    }
    if (!folder) {
        xmlNodePtr f = eforms_x_first(c.root, "cbc:ContractFolderID");
        if (f)
            rc = err_set(e, ERR_BAD_INPUT,
                         "cbc:ContractFolderID (line %ld): BT-04 procedure identifier is empty",
                         (long)xmlGetLineNo(f));
        else
            rc = err_set(e, ERR_BAD_INPUT,
                         "%s (line %ld): no cbc:ContractFolderID, the BT-04 procedure identifier",
                         (const char *)c.root->name, (long)xmlGetLineNo(c.root));
        goto cleanup;
    }
    c.notice_id = nid;
    lang = eforms_x_text_at(c.root, "cbc:NoticeLanguageCode", NULL); /* BT-702 */
    if (lang)
        snprintf(c.lang, sizeof c.lang, "%.7s", lang);
    c.rel = json_new_object();
    if (!c.rel) {
        rc = ERR_NOMEM;
        goto cleanup;
    }
    {
        size_t plen = strlen(ocid_prefix), flen = strlen(folder);
        out->ocid = malloc(plen + flen + 1);
        if (!out->ocid) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        memcpy(out->ocid, ocid_prefix, plen);
        memcpy(out->ocid + plen, folder, flen + 1);
    }
    TRY(eforms_jset_str(c.rel, "ocid", out->ocid));
    ver = eforms_x_text_at(c.root, "cbc:VersionID", NULL); /* BT-757 */
    if (ver)
        snprintf(idbuf, sizeof idbuf, "%.200s-%.40s", nid, ver);
    else {
        snprintf(idbuf, sizeof idbuf, "%.200s", nid);
        TRY(eforms_note_add(ns, "version_missing", "id",
                            "BT-757 notice version missing: release id is the notice id"));
    }
    out->release_id = strdup(idbuf);
    if (!out->release_id) {
        rc = ERR_NOMEM;
        goto cleanup;
    }
    TRY(eforms_jset_str(c.rel, "id", idbuf));
    r = eforms_map_datetime(&c, eforms_x_first(c.root, "cbc:IssueDate"),
                            eforms_x_first(c.root, "cbc:IssueTime"), 0, "date", date,
                            sizeof date); /* BT-05 */
    if (r < 0 && r != ERR_BAD_INPUT) {
        rc = r;
        goto cleanup;
    }
    if (r != 0) {
        date[0] = '\0';
        TRY(eforms_note_add(ns, "date_missing", "date", "BT-05 notice dispatch date missing or invalid"));
    } else {
        char utc[64];
        map_to_utc(date, utc, sizeof utc);
        snprintf(date, sizeof date, "%s", utc);
        TRY(eforms_jset_str(c.rel, "date", date));
    }
    c.release_date = date;
    if (!eforms_jnew_in(c.rel, "tag", 1)) { /* filled by map_tags, placed here for key order */
        rc = ERR_NOMEM;
        goto cleanup;
    }
    TRY(eforms_jset_str(c.rel, "initiationType", "tender"));
    lc = MAP_FIND(map_lang, lang);
    if (lc)
        TRY(eforms_jset_str(c.rel, "language", lc->ocds));
    c.parties = eforms_jnew_in(c.rel, "parties", 1);
    c.tender = json_new_object(); /* placed after buyer, for a readable key order */
    if (!c.parties || !c.tender) {
        rc = ERR_NOMEM;
        goto cleanup;
    }
    TRY(map_orgs(&c));
    TRY(map_buyers(&c, &buyer));
    {
        json_value *t = c.tender;
        c.tender = NULL;
        TRY(json_object_set(c.rel, "tender", t));
        c.tender = t;
    }
    TRY(map_tender(&c, folder));
    TRY(map_changes(&c, &is_change, &out->changes_release));
    TRY(eforms_map_results(&c));
    TRY(map_tags(&c, form, is_change, c.contracts != NULL && json_len(c.contracts) > 0, &tag0));
    if (strcmp(tag0, "tender") == 0) { /* OPP-012 publication date of the call for competition */
        char d[64];
        r = eforms_map_datetime(&c, eforms_x_first(c.ext, "efac:Publication/efbc:PublicationDate"), NULL, 0,
                                "tender.datePublished", d, sizeof d);
        if (r == 0)
            TRY(eforms_jset_str(c.tender, "datePublished", d));
        else if (r < 0 && r != ERR_BAD_INPUT) {
            rc = r;
            goto cleanup;
        }
    }
    (void)ntype;
    TRY(map_notice_document(&c, tag0, out->release_id));
    /* Parties with no role are kept (review bodies, eSenders): roles [] is dropped. */
    for (i = 0; i < c.n_orgs; i++)
        if (c.orgs[i].party && json_len(json_get(c.orgs[i].party, "roles")) == 0)
            json_object_remove(c.orgs[i].party, "roles");
    if (json_len(c.parties) == 0)
        json_object_remove(c.rel, "parties");
    {
        /* The procaudit extension, as the native reader writes it: the model and the
         * reports show the source format (model_procurement.source_format). */
        json_value *ext = eforms_jnew_in(c.rel, "procaudit", 0);
        if (!ext) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        TRY(eforms_jset_str(ext, "sourceFormat", "eforms"));
    }
    out->release = c.rel;
    c.rel = NULL;
    c.tender = NULL;
    out->buyer_id = buyer;
    buyer = NULL;
cleanup:
    if (eforms_x_oom_take() && rc != ERR_NOMEM) /* a copy failed: never read as "absent" */
        rc = err_set(e, ERR_NOMEM, "out of memory while mapping the notice");
    if (c.tender && (!c.rel || json_get(c.rel, "tender") != c.tender))
        json_free(c.tender);
    json_free(c.rel);
    for (i = 0; i < c.n_orgs; i++) {
        free(c.orgs[i].org_id);
        free(c.orgs[i].party_id);
    }
    free(c.orgs);
    for (i = 0; i < c.n_lots; i++)
        free(c.lotv[i].id);
    free(c.lotv);
    free(folder);
    free(nid);
    free(ver);
    free(lang);
    free(form);
    free(ntype);
    free(buyer);
    if (rc)
        eforms_mapped_dispose(out);
    return rc;
}
