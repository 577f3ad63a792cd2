/* map.c - an OCDS compiled release mapped to the procurement model (map.h). */
#include "ocds/map.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The mapping state. Errors are sticky: after the first ERR_NOMEM every helper returns
 * at once and model_from_ocds reports it, so the many small steps need no checks. */
typedef struct {
    model_procurement *p;
    const codemap *cm;
    int rc;                 /* first fatal error, 0 while none */
    size_t dropped_notes;   /* notes beyond MAP_MAX_NOTES */
    size_t parties_cap;     /* allocated entries of p->parties */
    size_t *pidx;           /* open-addressing index of parties by id: entry = index+1 */
    size_t pidx_cap;        /* slots (a power of two, at most half full) */
    size_t crit_cap;        /* allocated entries of p->award_criteria_list */
} mapper;

typedef char path_t[256];

/* ------------------------------------------------------------------ notes, paths */

static void note(mapper *m, const char *code, const char *field, const char *fmt, ...)
    PA_PRINTF(4, 5);

static void note(mapper *m, const char *code, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (m->rc)
        return;
    if (m->p->n_notes >= MAP_MAX_NOTES) {
        m->dropped_notes++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (model_note_add(&m->p->notes, &m->p->n_notes, code, field, "%s", msg) != 0)
        m->rc = ERR_NOMEM;
}

/* Appends src to out at *len (paths only label notes: a path longer than path_t is cut
 * and ends in "..."). Built by hand, not snprintf: the mapper forms a path for every
 * field it reads, and formatting dominated its profile. */
static void path_cat(path_t out, size_t *len, const char *src, size_t n)
{
    size_t room = sizeof(path_t) - 1 - *len;

    if (n > room) {
        memcpy(out + *len, src, room);
        memcpy(out + sizeof(path_t) - 4, "...", 4);
        *len = sizeof(path_t) - 1;
        return;
    }
    memcpy(out + *len, src, n);
    *len += n;
    out[*len] = '\0';
}

/* out = base + "." + key (or key alone when base is ""). out may not alias base. */
static const char *sub(path_t out, const char *base, const char *key)
{
    size_t len = 0;

    out[0] = '\0';
    path_cat(out, &len, base, strlen(base));
    if (*base)
        path_cat(out, &len, ".", 1);
    path_cat(out, &len, key, strlen(key));
    return out;
}

/* out = base + "[i]". */
static const char *idx(path_t out, const char *base, size_t i)
{
    char num[24];
    size_t len = 0, k = sizeof num;

    num[--k] = ']';
    do {
        num[--k] = (char)('0' + i % 10);
        i /= 10;
    } while (i && k > 1);
    num[--k] = '[';
    out[0] = '\0';
    path_cat(out, &len, base, strlen(base));
    path_cat(out, &len, num + k, sizeof num - k);
    return out;
}

/* A path spelled only when a note needs it: the leaf readers (text_of, number_of,
 * amount_of, date_of) get one for every field they read and almost never note. A step
 * with no parent is a whole path; a step with one is sub(parent, s). */
typedef struct lazy_path {
    const struct lazy_path *parent;
    const char *s;
} lazy_path;

#define LP(path) (&(const lazy_path){NULL, (path)})
#define LP_SUB(base, key) (&(const lazy_path){LP(base), (key)})

/* The path of lp, as the nested sub() calls would have spelled it (in out, or lp->s). */
static const char *lp_spell(path_t out, const lazy_path *lp)
{
    path_t up;

    if (!lp->parent)
        return lp->s;
    return sub(out, lp_spell(up, lp->parent), lp->s);
}

static char *dup_n(mapper *m, const char *s, size_t n)
{
    char *r;

    if (m->rc)
        return NULL;
    r = strndup(s, n);
    if (!r)
        m->rc = ERR_NOMEM;
    return r;
}

static char *dup_s(mapper *m, const char *s)
{
    return s ? dup_n(m, s, strlen(s)) : NULL;
}

static void set_str(mapper *m, char **field, const char *s)
{
    free(*field);
    *field = dup_s(m, s);
}

/* ------------------------------------------------------------------ scalars */

static int all_space(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return 0;
    return 1;
}

enum { TEXT_PLAIN = 0, TEXT_ID = 1 };

/* The text of v as an owned string, or NULL when absent (missing, null, "", blank).
 * Ids (kind TEXT_ID) may be numbers (noted id_as_number); other text may be a number
 * too (noted wrong_type, kept as its text); other types are noted and absent. */
static char *text_of(mapper *m, const json_value *v, const lazy_path *lp, int kind)
{
    path_t pb;
    const char *s;
    size_t n, nul;

    if (m->rc || !v || v->type == JSON_NULL)
        return NULL;
    if (v->type == JSON_NUMBER) {
        note(m, kind == TEXT_ID ? "id_as_number" : "wrong_type", lp_spell(pb, lp),
             "a number where text was expected; read as \"%.40s\"", v->u.number.text);
        return dup_n(m, v->u.number.text, v->u.number.len);
    }
    if (v->type != JSON_STRING) {
        note(m, "wrong_type", lp_spell(pb, lp), "expected a string; ignored");
        return NULL;
    }
    s = v->u.string.s;
    n = v->u.string.len;
    if (n == 0 || all_space(s, n))
        return NULL;
    if (kind == TEXT_ID && n == 4 && strncasecmp(s, "null", 4) == 0) {
        note(m, "null_as_string", lp_spell(pb, lp), "the id is the string \"null\"; read as absent");
        return NULL;
    }
    nul = strnlen(s, n);
    if (nul < n) {
        note(m, "string_nul", lp_spell(pb, lp), "the string holds a NUL byte; cut at byte %zu", nul);
        n = nul;
        if (n == 0)
            return NULL;
    }
    if (n > MAP_MAX_STRING) {
        n = MAP_MAX_STRING;
        /* Back off to the start of a UTF-8 sequence (never cut a character). */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        note(m, "string_truncated", lp_spell(pb, lp), "longer than %u bytes; cut", MAP_MAX_STRING);
    }
    return dup_n(m, s, n);
}

static char *text(mapper *m, const json_value *obj, const char *key, const char *base)
{
    const json_value *v = json_get(obj, key);

    if (!v)
        return NULL;
    return text_of(m, v, LP_SUB(base, key), TEXT_PLAIN);
}

static char *id_text(mapper *m, const json_value *obj, const char *key, const char *base)
{
    const json_value *v = json_get(obj, key);

    if (!v)
        return NULL;
    return text_of(m, v, LP_SUB(base, key), TEXT_ID);
}

/* A number (count, quantity, duration, weight): JSON number, or numeric string (noted).
 * Returns 1 and sets *out when present. */
static int number_of(mapper *m, const json_value *v, const lazy_path *lp, double *out)
{
    path_t pb;
    int rc;

    if (m->rc || !v)
        return 0;
    rc = json_number(v, 1, out);
    if (rc == ERR_NOT_FOUND)
        return 0;
    if (rc != 0) {
        note(m, "number_invalid", lp_spell(pb, lp), "not a finite number; ignored");
        return 0;
    }
    if (v->type == JSON_STRING)
        note(m, "number_as_string", lp_spell(pb, lp), "a number given as a string \"%.40s\"",
             v->u.string.s);
    return 1;
}

static void amount_of(mapper *m, const json_value *v, const lazy_path *lp, model_amount *out)
{
    path_t pb;
    path_t p;
    const json_value *cur;
    double d;

    memset(out, 0, sizeof *out);
    if (m->rc || !v || v->type == JSON_NULL)
        return;
    if (v->type == JSON_NUMBER || v->type == JSON_STRING) {
        /* "value": 123 instead of {"amount": 123}: read the amount, note the shape. */
        note(m, "wrong_type", lp_spell(pb, lp), "a value given as a bare number; read as its amount");
        out->present = number_of(m, v, lp, &d);
        out->amount = out->present ? d : 0;
        if (out->present)
            note(m, "currency_missing", lp_spell(pb, lp), "an amount without a currency");
        return;
    }
    if (v->type != JSON_OBJECT) {
        note(m, "wrong_type", lp_spell(pb, lp), "expected a Value object; ignored");
        return;
    }
    if (number_of(m, json_get(v, "amount"), &(const lazy_path){lp, "amount"}, &d)) {
        out->present = 1;
        out->amount = d;
    }
    cur = json_get(v, "currency");
    if (cur && cur->type == JSON_STRING && !all_space(cur->u.string.s, cur->u.string.len)) {
        const char *s = cur->u.string.s;
        size_t n = cur->u.string.len, i;
        int lower = 0, ok = 1;

        while (n && *s == ' ') {
            s++;
            n--;
        }
        while (n && s[n - 1] == ' ')
            n--;
        if (n != 3)
            ok = 0;
        for (i = 0; ok && i < 3; i++) {
            char c = s[i];
            if (c >= 'a' && c <= 'z')
                lower = 1;
            else if (!(c >= 'A' && c <= 'Z'))
                ok = 0;
        }
        if (!ok) {
            note(m, "currency_invalid", sub(p, lp_spell(pb, lp), "currency"),
                 "\"%.16s\" is not an ISO 4217 code; dropped", cur->u.string.s);
        } else {
            for (i = 0; i < 3; i++)
                out->currency[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
            out->currency[3] = '\0';
            if (lower)
                note(m, "currency_case", sub(p, lp_spell(pb, lp), "currency"),
                     "currency \"%.3s\" read as \"%s\"", s, out->currency);
        }
    } else if (cur && cur->type != JSON_NULL && cur->type != JSON_STRING) {
        note(m, "wrong_type", sub(p, lp_spell(pb, lp), "currency"), "expected a string; ignored");
    }
    if (out->present && !out->currency[0])
        note(m, "currency_missing", lp_spell(pb, lp), "an amount without a currency");
}

static void amount(mapper *m, const json_value *obj, const char *key, const char *base,
                   model_amount *out)
{

    amount_of(m, json_get(obj, key), LP_SUB(base, key), out);
}

/* ------------------------------------------------------------------ dates */

static int digits(const char *s, int n, int *out)
{
    int i, v = 0;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int mo)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return mo == 2 && leap(y) ? 29 : d[mo - 1];
}

/* Days from 1970-01-01 to y-mo-d in the proleptic Gregorian calendar (civil-from-days
 * inverse: shift the year to start in March so the leap day is last). */
static int64_t days_from_civil(int y, int mo, int d)
{
    int64_t yy = y - (mo <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

int map_parse_date(const char *s, model_date *out)
{
    int y, mo, d, hh = 0, mi = 0, ss = 0, flags = 0, tz = 0;
    size_t n;

    memset(out, 0, sizeof *out);
    if (!s)
        return ERR_BAD_INPUT;
    while (*s == ' ')
        s++;
    n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d))
        return ERR_BAD_INPUT;
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
        return ERR_BAD_INPUT;
    if (n == 10) {
        flags = MODEL_DATE_DATE_ONLY;
    } else {
        size_t i = 11;
        if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || n < 16 ||
            digits(s + 11, 2, &hh) || s[13] != ':' || digits(s + 14, 2, &mi))
            return ERR_BAD_INPUT;
        i = 16;
        if (i < n && s[i] == ':') {
            if (i + 3 > n || digits(s + i + 1, 2, &ss))
                return ERR_BAD_INPUT;
            i += 3;
            if (i < n && (s[i] == '.' || s[i] == ',')) {
                size_t f = ++i;
                while (i < n && s[i] >= '0' && s[i] <= '9')
                    i++;
                if (i == f)
                    return ERR_BAD_INPUT;
            }
        }
        if (hh > 24 || mi > 59 || ss > 60 || (hh == 24 && (mi || ss)))
            return ERR_BAD_INPUT;
        if (i == n) {
            flags = MODEL_DATE_NO_ZONE;
        } else if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
            tz = 0;
        } else if (s[i] == '+' || s[i] == '-') {
            int sign = s[i] == '-' ? -1 : 1, th, tm = 0;
            size_t rest = n - i - 1;
            const char *z = s + i + 1;
            if (rest == 2) {
                if (digits(z, 2, &th))
                    return ERR_BAD_INPUT;
            } else if (rest == 4) {
                if (digits(z, 2, &th) || digits(z + 2, 2, &tm))
                    return ERR_BAD_INPUT;
            } else if (rest == 5 && z[2] == ':') {
                if (digits(z, 2, &th) || digits(z + 3, 2, &tm))
                    return ERR_BAD_INPUT;
            } else {
                return ERR_BAD_INPUT;
            }
            if (th > 23 || tm > 59)
                return ERR_BAD_INPUT;
            tz = sign * (th * 3600 + tm * 60);
        } else {
            return ERR_BAD_INPUT;
        }
    }
    /* Checked after the syntax so that "0207-..." is implausible, not unparsable. */
    if (y < MAP_MIN_YEAR || y > MAP_MAX_YEAR)
        return ERR_LIMIT;
    out->t = days_from_civil(y, mo, d) * 86400 + (int64_t)hh * 3600 + mi * 60 + ss - tz;
    out->flags = flags;
    out->present = 1;
    return 0;
}

static void date_of(mapper *m, const json_value *v, const lazy_path *lp, model_date *out)
{
    path_t pb;
    int rc;

    memset(out, 0, sizeof *out);
    if (m->rc || !v || v->type == JSON_NULL)
        return;
    if (v->type != JSON_STRING) {
        note(m, "date_invalid", lp_spell(pb, lp), "a date that is not a string; ignored");
        return;
    }
    if (v->u.string.len == 0 || all_space(v->u.string.s, v->u.string.len))
        return;
    if (strlen(v->u.string.s) != v->u.string.len)
        rc = ERR_BAD_INPUT;
    else
        rc = map_parse_date(v->u.string.s, out);
    if (rc == ERR_LIMIT) {
        note(m, "date_implausible", lp_spell(pb, lp), "year outside %d..%d in \"%.40s\"; ignored",
             MAP_MIN_YEAR, MAP_MAX_YEAR, v->u.string.s);
    } else if (rc) {
        note(m, "date_invalid", lp_spell(pb, lp), "\"%.40s\" is not an ISO 8601 date; ignored",
             v->u.string.s);
    } else if (out->flags & MODEL_DATE_DATE_ONLY) {
        note(m, "date_only", lp_spell(pb, lp), "a date without a time; read as 00:00:00Z");
    } else if (out->flags & MODEL_DATE_NO_ZONE) {
        note(m, "date_no_zone", lp_spell(pb, lp), "a datetime without a zone; read as UTC");
    }
}

static void date(mapper *m, const json_value *obj, const char *key, const char *base,
                 model_date *out)
{

    date_of(m, json_get(obj, key), LP_SUB(base, key), out);
}

/* A period {startDate, endDate}; notes an end before the start (both kept). */
static void period(mapper *m, const json_value *obj, const char *key, const char *base,
                   model_date *start, model_date *end)
{
    path_t p;
    const json_value *v = json_get(obj, key);

    sub(p, base, key);
    memset(start, 0, sizeof *start);
    memset(end, 0, sizeof *end);
    if (!v || v->type == JSON_NULL)
        return;
    if (v->type != JSON_OBJECT) {
        note(m, "wrong_type", p, "expected a Period object; ignored");
        return;
    }
    date(m, v, "startDate", p, start);
    date(m, v, "endDate", p, end);
    if (start->present && end->present && end->t < start->t)
        note(m, "period_end_before_start", p, "the end (%.1f days) is before the start",
             model_days_between(*start, *end));
}

/* ------------------------------------------------------------------ arrays */

/* The array at obj.key with its length capped (noted), or NULL with *n = 0 (absent, or
 * not an array: noted). */
static const json_value *array(mapper *m, const json_value *obj, const char *key,
                               const char *base, size_t *n)
{
    path_t p;
    const json_value *v = json_get(obj, key);

    *n = 0;
    if (!v || v->type == JSON_NULL)
        return NULL;
    if (v->type != JSON_ARRAY) {
        note(m, "wrong_type", sub(p, base, key), "expected an array; ignored");
        return NULL;
    }
    *n = json_len(v);
    if (*n > MAP_MAX_ARRAY) {
        note(m, "array_truncated", sub(p, base, key), "%zu elements; the first %d read", *n,
             MAP_MAX_ARRAY);
        *n = MAP_MAX_ARRAY;
    }
    return v;
}

static void *alloc_array(mapper *m, size_t n, size_t size)
{
    void *a;

    if (m->rc || n == 0)
        return NULL;
    a = calloc(n, size);
    if (!a)
        m->rc = ERR_NOMEM;
    return a;
}

/* An array of strings (relatedLots, roles): ids as numbers are accepted (noted). A
 * single string instead of an array is read as one element (noted). */
static char **string_list(mapper *m, const json_value *obj, const char *key,
                          const char *base, size_t *count)
{
    /* Singular keys (OCDS 1.0 relatedBid, relatedLot) legitimately hold one string. */
    int singular = key[strlen(key) - 1] != 's';

    path_t p, q;
    const json_value *v = json_get(obj, key), *arr;
    char **out;
    size_t n, i;

    *count = 0;
    if (v && v->type == JSON_STRING) {
        char *one = text_of(m, v, LP(sub(p, base, key)), TEXT_ID);
        if (!one)
            return NULL;
        if (!singular)
            note(m, "wrong_type", p, "a single string where an array was expected");
        out = alloc_array(m, 1, sizeof *out);
        if (!out) {
            free(one);
            return NULL;
        }
        out[0] = one;
        *count = 1;
        return out;
    }
    arr = array(m, obj, key, base, &n);
    out = alloc_array(m, n, sizeof *out);
    if (!out)
        return NULL;
    sub(p, base, key);
    for (i = 0; i < n && !m->rc; i++) {
        char *s = text_of(m, json_at(arr, i), LP(idx(q, p, i)), TEXT_ID);
        if (s)
            out[(*count)++] = s;
    }
    return out;
}

/* ------------------------------------------------------------------ parties */

/* FNV-1a: the party index must stay linear in hostile releases with 10^5 parties. */
static size_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return (size_t)h;
}

/* The first party with this id (O(1) through the index), or NULL. */
static model_party *party_find_mut(mapper *m, const char *id)
{
    size_t h, e;

    if (!id || !m->pidx_cap)
        return NULL;
    for (h = hash_str(id) & (m->pidx_cap - 1); (e = m->pidx[h]) != 0;
         h = (h + 1) & (m->pidx_cap - 1))
        if (strcmp(m->p->parties[e - 1].id, id) == 0)
            return &m->p->parties[e - 1];
    return NULL;
}

static void pidx_put(size_t *tab, size_t cap, const model_party *parties, size_t i)
{
    size_t h;

    for (h = hash_str(parties[i].id) & (cap - 1); tab[h]; h = (h + 1) & (cap - 1))
        ;
    tab[h] = i + 1;
}

/* Adds party i (its id set) to the index, unless a party with that id is there. */
static void party_index(mapper *m, size_t i)
{
    model_party *pt = &m->p->parties[i];

    if (m->rc || !pt->id || party_find_mut(m, pt->id))
        return;
    if ((m->p->n_parties + 1) * 2 > m->pidx_cap) {
        size_t cap = m->pidx_cap ? m->pidx_cap * 2 : 16, j;
        size_t *tab;
        while ((m->p->n_parties + 1) * 2 > cap)
            cap *= 2;
        tab = calloc(cap, sizeof *tab);
        if (!tab) {
            m->rc = ERR_NOMEM;
            return;
        }
        for (j = 0; j < m->pidx_cap; j++)
            if (m->pidx[j])
                pidx_put(tab, cap, m->p->parties, m->pidx[j] - 1);
        free(m->pidx);
        m->pidx = tab;
        m->pidx_cap = cap;
    }
    pidx_put(m->pidx, m->pidx_cap, m->p->parties, i);
}

static int has_role(const model_party *pt, const char *role)
{
    size_t i;

    for (i = 0; i < pt->n_roles; i++)
        if (strcmp(pt->roles[i], role) == 0)
            return 1;
    return 0;
}

static void add_role(mapper *m, model_party *pt, const char *role)
{
    char **grown;
    char *r;

    if (m->rc || has_role(pt, role))
        return;
    if (pt->n_roles >= MAP_MAX_ROLES) {
        if (pt->n_roles == MAP_MAX_ROLES) /* noted once: a party with absurd roles */
            note(m, "array_truncated", pt->id, "more than %d roles; the rest ignored",
                 MAP_MAX_ROLES);
        return;
    }
    r = dup_s(m, role);
    if (!r)
        return;
    grown = realloc(pt->roles, (pt->n_roles + 1) * sizeof *grown);
    if (!grown) {
        free(r);
        m->rc = ERR_NOMEM;
        return;
    }
    pt->roles = grown;
    pt->roles[pt->n_roles++] = r;
}

static model_party *new_party(mapper *m)
{
    model_party *grown;

    if (m->rc)
        return NULL;
    if (m->p->n_parties == m->parties_cap) {
        size_t cap = m->parties_cap ? m->parties_cap * 2 : 8;
        grown = realloc(m->p->parties, cap * sizeof *grown);
        if (!grown) {
            m->rc = ERR_NOMEM;
            return NULL;
        }
        m->p->parties = grown;
        m->parties_cap = cap;
    }
    grown = &m->p->parties[m->p->n_parties++];
    memset(grown, 0, sizeof *grown);
    return grown;
}

/* The id an organisation reference stands for: its id; else (OCDS 1.0) "scheme-id" of
 * its identifier; else its name. NULL when it has none of them. */
static char *org_ref_id(mapper *m, const json_value *org, const char *path)
{
    path_t p;
    const json_value *ident;
    char *id, *scheme, *iid, *name;

    if (m->rc || !org || org->type != JSON_OBJECT)
        return NULL;
    id = id_text(m, org, "id", path);
    if (id)
        return id;
    ident = json_get(org, "identifier");
    sub(p, path, "identifier");
    scheme = ident ? id_text(m, ident, "scheme", p) : NULL;
    iid = ident ? id_text(m, ident, "id", p) : NULL;
    if (iid) {
        size_t len = (scheme ? strlen(scheme) + 1 : 0) + strlen(iid) + 1;
        id = malloc(len);
        if (!id) {
            m->rc = ERR_NOMEM;
        } else {
            snprintf(id, len, "%s%s%s", scheme ? scheme : "", scheme ? "-" : "", iid);
            note(m, "org_id_from_identifier", path,
                 "an organisation without id; its identifier \"%.80s\" is used", id);
        }
        free(scheme);
        free(iid);
        return id;
    }
    free(scheme);
    name = text(m, org, "name", path);
    if (name)
        note(m, "org_id_from_name", path,
             "an organisation without id or identifier; its name is used as id");
    return name;
}

/* Fills a party from an Organization object (parties[] entry or an inline 1.0 one). */
static void party_fill(mapper *m, model_party *pt, const json_value *org, const char *path)
{
    path_t p;
    const json_value *ident = json_get(org, "identifier");
    const json_value *cp = json_get(org, "contactPoint");
    const json_value *addr = json_get(org, "address");

    if (!pt->name)
        pt->name = text(m, org, "name", path);
    if (ident && ident->type == JSON_OBJECT && !pt->identifier_id) {
        sub(p, path, "identifier");
        pt->identifier_scheme = id_text(m, ident, "scheme", p);
        pt->identifier_id = id_text(m, ident, "id", p);
        if (!pt->name)
            pt->name = text(m, ident, "legalName", p);
    }
    if (cp && cp->type == JSON_OBJECT && !pt->contact_name && !pt->email && !pt->telephone) {
        sub(p, path, "contactPoint");
        pt->contact_name = text(m, cp, "name", p);
        pt->email = text(m, cp, "email", p);
        pt->telephone = text(m, cp, "telephone", p);
    }
    if (addr && addr->type == JSON_OBJECT && !pt->country && !pt->locality) {
        sub(p, path, "address");
        pt->country = text(m, addr, "countryName", p);
        pt->locality = text(m, addr, "locality", p);
    }
}

static void map_parties(mapper *m, const json_value *rel)
{
    path_t p;
    size_t n, i, j;
    const json_value *arr = array(m, rel, "parties", "", &n);

    for (i = 0; i < n && !m->rc; i++) {
        const json_value *org = json_at(arr, i);
        model_party *pt;
        char *id;
        char **roles;
        size_t nroles;

        idx(p, "parties", i);
        if (!org || org->type != JSON_OBJECT) {
            note(m, "wrong_type", p, "a party that is not an object; ignored");
            continue;
        }
        id = org_ref_id(m, org, p);
        if (id && party_find_mut(m, id))
            note(m, "party_duplicate_id", p, "id \"%.80s\" is used by an earlier party", id);
        pt = new_party(m);
        if (!pt) {
            free(id);
            return;
        }
        pt->id = id;
        party_index(m, m->p->n_parties - 1);
        party_fill(m, pt, org, p);
        roles = string_list(m, org, "roles", p, &nroles);
        for (j = 0; j < nroles && !m->rc; j++) {
            /* roles could repeat; keep each once. */
            if (!has_role(pt, roles[j]))
                add_role(m, pt, roles[j]);
        }
        for (j = 0; j < nroles; j++)
            free(roles[j]);
        free(roles);
    }
}

/* Resolves an organisation reference to a party id (owned), making sure the party exists
 * and has `role`: an organisation missing from parties[] is added from the reference. */
static char *org_ref(mapper *m, const json_value *org, const char *path, const char *role)
{
    model_party *pt;
    char *id;

    if (m->rc || !org || org->type == JSON_NULL)
        return NULL;
    if (org->type != JSON_OBJECT) {
        if (org->type == JSON_STRING || org->type == JSON_NUMBER) {
            /* A bare id instead of an OrganizationReference. */
            note(m, "wrong_type", path, "an organisation reference given as a bare id");
            id = text_of(m, org, LP(path), TEXT_ID);
        } else {
            note(m, "wrong_type", path, "expected an organisation reference; ignored");
            return NULL;
        }
    } else {
        id = org_ref_id(m, org, path);
    }
    if (!id)
        return NULL;
    pt = party_find_mut(m, id);
    if (!pt) {
        pt = new_party(m);
        if (!pt) {
            free(id);
            return NULL;
        }
        pt->id = dup_s(m, id);
        party_index(m, m->p->n_parties - 1);
        if (org->type == JSON_OBJECT)
            party_fill(m, pt, org, path);
        note(m, "party_added", path, "organisation \"%.80s\" is not in parties[]; added as %s",
             id, role);
    } else if (!has_role(pt, role)) {
        note(m, "party_role_added", path, "party \"%.80s\" is referenced as %s without that role",
             id, role);
    }
    add_role(m, pt, role);
    return id;
}

static char **org_ref_list(mapper *m, const json_value *obj, const char *key,
                           const char *base, const char *role, size_t *count)
{
    path_t p, q;
    size_t n, i;
    const json_value *arr = array(m, obj, key, base, &n);
    char **out = alloc_array(m, n, sizeof(char *));

    *count = 0;
    if (!out)
        return NULL;
    sub(p, base, key);
    for (i = 0; i < n && !m->rc; i++) {
        char *id = org_ref(m, json_at(arr, i), idx(q, p, i), role);
        if (id)
            out[(*count)++] = id;
    }
    return out;
}

/* ------------------------------------------------------------------ codes */

/* Runs a codelist field through the code map: *field gets the standard (or kept) code,
 * *raw (when given) the publisher's value when it differs from the standard or is
 * outside the codelist. */
static void code(mapper *m, codemap_list list, const json_value *obj, const char *key,
                 const char *base, char **field, char **raw)
{
    path_t p;
    const char *std = NULL;
    char *val = text(m, obj, key, base);

    if (!val)
        return;
    sub(p, base, key);
    switch (codemap_resolve(m->cm, list, val, &std)) {
    case CODEMAP_STANDARD:
        *field = dup_s(m, std);
        free(val);
        break;
    case CODEMAP_MAPPED:
        note(m, "code_mapped", p, "%s \"%.80s\" mapped to \"%s\"", codemap_list_name(list), val,
             std);
        *field = dup_s(m, std);
        if (raw)
            *raw = val;
        else
            free(val);
        break;
    case CODEMAP_OUTSIDE:
    default:
        note(m, "code_outside_codelist", p, "\"%.80s\" is not a %s code and no map entry maps it",
             val, codemap_list_name(list));
        if (raw)
            *raw = dup_s(m, val);
        *field = val;
        break;
    }
}

/* ------------------------------------------------------------------ places */

/* Appends "part" to a comma-separated text in b. */
static void join(mapper *m, buf_t *b, const char *part)
{
    if (m->rc || !part)
        return;
    if ((b->len && buf_puts(b, ", ") != 0) || buf_puts(b, part) != 0)
        m->rc = ERR_NOMEM;
}

/* An Address or Location object as one line of text, or NULL. */
static char *place_text(mapper *m, const json_value *v, const char *path)
{
    static const char *const addr_keys[] = {"streetAddress", "locality", "region",
                                            "postalCode", "countryName", NULL};
    buf_t b;
    size_t i;
    char *r = NULL;
    const json_value *gaz;

    if (m->rc || !v || v->type != JSON_OBJECT)
        return NULL;
    buf_init(&b, 4096);
    for (i = 0; addr_keys[i]; i++) {
        char *s = text(m, v, addr_keys[i], path);
        join(m, &b, s);
        free(s);
    }
    if (!b.len) {
        /* A Location: its description, else its gazetteer identifiers. */
        char *s = text(m, v, "description", path);
        join(m, &b, s);
        free(s);
        gaz = json_get(v, "gazetteer");
        if (!b.len && gaz && gaz->type == JSON_OBJECT) {
            path_t p;
            size_t n, k;
            const json_value *ids = array(m, gaz, "identifiers", sub(p, path, "gazetteer"), &n);
            char *scheme = text(m, gaz, "scheme", p);
            join(m, &b, scheme);
            for (k = 0; k < n && k < 16; k++) {
                const char *g = json_str(json_at(ids, k));
                join(m, &b, g);
            }
            free(scheme);
        }
    }
    if (b.len && !m->rc) {
        r = buf_take(&b);
        if (!r)
            m->rc = ERR_NOMEM;
    }
    buf_dispose(&b);
    return r;
}

/* The first place among deliveryAddress, deliveryLocation, deliveryAddresses[0],
 * deliveryLocations[0] (OCDS 1.1 and 1.2 spellings). */
static char *delivery_place(mapper *m, const json_value *item, const char *path)
{
    static const char *const one[] = {"deliveryAddress", "deliveryLocation", NULL};
    static const char *const many[] = {"deliveryAddresses", "deliveryLocations", NULL};
    path_t p, q;
    size_t i, n;
    char *s;

    for (i = 0; one[i]; i++) {
        s = place_text(m, json_get(item, one[i]), sub(p, path, one[i]));
        if (s)
            return s;
    }
    for (i = 0; many[i]; i++) {
        const json_value *arr = array(m, item, many[i], path, &n);
        if (n) {
            s = place_text(m, json_at(arr, 0), idx(q, sub(p, path, many[i]), 0));
            if (s)
                return s;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ tender parts */

static void map_documents(mapper *m, const json_value *obj, const char *base,
                          model_document **out, size_t *count)
{
    path_t p, q;
    size_t n, i;
    const json_value *arr = array(m, obj, "documents", base, &n);
    model_document *d;

    if (!n)
        return;
    d = realloc(*out, (*count + n) * sizeof *d);
    if (!d) {
        m->rc = ERR_NOMEM;
        return;
    }
    *out = d;
    sub(p, base, "documents");
    for (i = 0; i < n && !m->rc; i++) {
        const json_value *v = json_at(arr, i);
        model_document *doc = &d[*count];

        idx(q, p, i);
        if (!v || v->type != JSON_OBJECT) {
            note(m, "wrong_type", q, "a document that is not an object; ignored");
            continue;
        }
        memset(doc, 0, sizeof *doc);
        (*count)++;
        doc->id = id_text(m, v, "id", q);
        doc->document_type = text(m, v, "documentType", q);
        doc->title = text(m, v, "title", q);
        doc->url = text(m, v, "url", q);
        doc->format = text(m, v, "format", q);
        date(m, v, "datePublished", q, &doc->date_published);
        if (!m->rc && !doc->id && !doc->document_type && !doc->title && !doc->url) {
            /* {"id": "", "title": "", "url": ""}: nothing was published. */
            (*count)--;
            free(doc->format);
            note(m, "empty_object", q, "a document with no id, type, title or url; ignored");
        }
    }
}

static void map_milestones(mapper *m, const json_value *obj, const char *base,
                           model_milestone **out, size_t *count)
{
    path_t p, q;
    size_t n, i;
    const json_value *arr = array(m, obj, "milestones", base, &n);
    model_milestone *ms;

    if (!n)
        return;
    ms = realloc(*out, (*count + n) * sizeof *ms);
    if (!ms) {
        m->rc = ERR_NOMEM;
        return;
    }
    *out = ms;
    sub(p, base, "milestones");
    for (i = 0; i < n && !m->rc; i++) {
        const json_value *v = json_at(arr, i);
        model_milestone *mi = &ms[*count];

        idx(q, p, i);
        if (!v || v->type != JSON_OBJECT) {
            note(m, "wrong_type", q, "a milestone that is not an object; ignored");
            continue;
        }
        memset(mi, 0, sizeof *mi);
        (*count)++;
        mi->id = id_text(m, v, "id", q);
        mi->type = text(m, v, "type", q);
        mi->status = text(m, v, "status", q);
        mi->title = text(m, v, "title", q);
        date(m, v, "dueDate", q, &mi->due_date);
        date(m, v, "dateMet", q, &mi->date_met);
    }
}

/* The `items` array of obj (tender or an award; base is its path) into *out / *n_out. */
static void map_items(mapper *m, const json_value *obj, const char *base, model_item **out,
                      size_t *n_out)
{
    path_t p, q, r;
    size_t n, i;
    const json_value *arr = array(m, obj, "items", base, &n);

    *out = alloc_array(m, n, sizeof **out);
    if (!*out)
        return;
    sub(p, base, "items");
    for (i = 0; i < n && !m->rc; i++) {
        const json_value *v = json_at(arr, i), *cl, *unit;
        model_item *it = &(*out)[*n_out];
        double d;

        idx(q, p, i);
        if (!v || v->type != JSON_OBJECT) {
            note(m, "wrong_type", q, "an item that is not an object; ignored");
            continue;
        }
        (*n_out)++;
        it->id = id_text(m, v, "id", q);
        it->description = text(m, v, "description", q);
        cl = json_get(v, "classification");
        if (cl && cl->type == JSON_OBJECT) {
            sub(r, q, "classification");
            it->classification_scheme = text(m, cl, "scheme", r);
            it->classification_id = id_text(m, cl, "id", r);
        }
        if (number_of(m, json_get(v, "quantity"), LP_SUB(q, "quantity"), &d)) {
            it->has_quantity = 1;
            it->quantity = d;
        }
        unit = json_get(v, "unit");
        if (unit && unit->type == JSON_OBJECT) {
            sub(r, q, "unit");
            it->unit_name = text(m, unit, "name", r);
            amount(m, unit, "value", r, &it->unit_value);
        }
        it->related_lot = id_text(m, v, "relatedLot", q);
        it->delivery_location = delivery_place(m, v, q);
    }
}

static void map_lots(mapper *m, const json_value *tender)
{
    path_t p, q;
    size_t n, i;
    const json_value *arr = array(m, tender, "lots", "tender", &n);
    model_procurement *pr = m->p;

    pr->lots = alloc_array(m, n, sizeof *pr->lots);
    if (!pr->lots)
        return;
    sub(p, "tender", "lots");
    for (i = 0; i < n && !m->rc; i++) {
        const json_value *v = json_at(arr, i);
        model_lot *l = &pr->lots[pr->n_lots];

        idx(q, p, i);
        if (!v || v->type != JSON_OBJECT) {
            note(m, "wrong_type", q, "a lot that is not an object; ignored");
            continue;
        }
        pr->n_lots++;
        l->id = id_text(m, v, "id", q);
        l->title = text(m, v, "title", q);
        l->description = text(m, v, "description", q);
        l->status = text(m, v, "status", q);
        amount(m, v, "value", q, &l->value);
    }
}

/* ------------------------------------------------------------------ award criteria */

static const char *weight_kind(const char *w)
{
    if (!w)
        return NULL;
    if (strncmp(w, "percentage", 10) == 0 || strncmp(w, "per-", 4) == 0)
        return "percentage";
    if (strncmp(w, "points", 6) == 0 || strncmp(w, "poi-", 4) == 0)
        return "points";
    if (strncmp(w, "decimal", 7) == 0 || strncmp(w, "dec-", 4) == 0)
        return "decimal";
    if (strncmp(w, "order", 5) == 0 || strncmp(w, "ord-", 4) == 0)
        return "order";
    return NULL;
}

/* Shares within one group [from, to) of criteria: weight / sum of weights when every
 * criterion of the group has a weight of one kind among percentage, points or decimal
 * and the sum is positive. An order of importance, a mix of kinds or a missing weight
 * gives no shares (it cannot be turned into a share honestly). */
static void criteria_shares(model_award_criterion *c, size_t from, size_t to)
{
    size_t i;
    double sum = 0;
    const char *kind = NULL;

    if (from >= to)
        return;
    for (i = from; i < to; i++) {
        if (!c[i].has_weight || !c[i].weight_kind || strcmp(c[i].weight_kind, "order") == 0 ||
            c[i].weight < 0)
            return;
        if (!kind)
            kind = c[i].weight_kind;
        else if (strcmp(kind, c[i].weight_kind) != 0)
            return;
        sum += c[i].weight;
    }
    if (!(sum > 0) || !isfinite(sum))
        return;
    for (i = from; i < to; i++) {
        c[i].has_share = 1;
        c[i].share = c[i].weight / sum;
    }
}

/* Appends the criteria of ac.criteria[] (ac = tender.awardCriteria or a lot's) to the
 * list; lot_id is the lot they belong to (NULL for the tender). */
static void criteria_group(mapper *m, const json_value *ac, const char *base,
                           const char *lot_id)
{
    path_t p, q, r, s;
    size_t n, i, k, nn, start;
    const json_value *arr;
    model_procurement *pr = m->p;
    model_award_criterion *grown;

    if (!ac || ac->type != JSON_OBJECT)
        return;
    arr = array(m, ac, "criteria", base, &n);
    if (!n)
        return;
    if (pr->n_award_criteria + n > m->crit_cap) {
        /* Geometric growth: many lots with a few criteria each stay linear. */
        size_t cap = m->crit_cap ? m->crit_cap : 8;
        while (cap < pr->n_award_criteria + n)
            cap *= 2;
        grown = realloc(pr->award_criteria_list, cap * sizeof *grown);
        if (!grown) {
            m->rc = ERR_NOMEM;
            return;
        }
        pr->award_criteria_list = grown;
        m->crit_cap = cap;
    }
    grown = pr->award_criteria_list;
    start = pr->n_award_criteria;
    sub(p, base, "criteria");
    for (i = 0; i < n && !m->rc; i++) {
        const json_value *v = json_at(arr, i), *nums;
        model_award_criterion *c = &grown[pr->n_award_criteria];

        idx(q, p, i);
        if (!v || v->type != JSON_OBJECT) {
            note(m, "wrong_type", q, "a criterion that is not an object; ignored");
            continue;
        }
        memset(c, 0, sizeof *c);
        pr->n_award_criteria++;
        c->type = text(m, v, "type", q);
        c->name = text(m, v, "name", q);
        c->description = text(m, v, "description", q);
        c->related_lot = dup_s(m, lot_id);
        nums = array(m, v, "numbers", q, &nn);
        sub(r, q, "numbers");
        for (k = 0; k < nn && !m->rc; k++) {
            const json_value *num = json_at(nums, k);
            const char *w = json_get_str(num, "weight");
            const char *kind = weight_kind(w);
            double d;

            idx(s, r, k);
            if (!w)
                continue; /* a threshold or fixed number, not a weight */
            if (!kind) {
                note(m, "weight_invalid", s, "unknown weight kind \"%.40s\"", w);
                continue;
            }
            if (!number_of(m, json_get(num, "number"), LP_SUB(s, "number"), &d)) {
                note(m, "weight_invalid", s, "a weight without a number");
                continue;
            }
            if (d < 0)
                note(m, "weight_invalid", s, "a negative weight %g (kept, no share)", d);
            c->has_weight = 1;
            c->weight = d;
            c->weight_kind = dup_s(m, kind);
            break;
        }
    }
    criteria_shares(pr->award_criteria_list, start, pr->n_award_criteria);
}

/* The awardCriteria code implied by the criteria list when the release gives none:
 * only price -> priceOnly, only cost -> costOnly, only quality -> qualityOnly, a mix ->
 * ratedCriteria (OCDS codelist definitions). A criterion of unknown type gives none. */
static void derive_award_criteria(mapper *m)
{
    model_procurement *pr = m->p;
    int price = 0, cost = 0, quality = 0;
    const char *code;
    size_t i;

    if (pr->award_criteria || pr->n_award_criteria == 0)
        return;
    for (i = 0; i < pr->n_award_criteria; i++) {
        const char *t = pr->award_criteria_list[i].type;
        if (!t)
            return;
        if (strcmp(t, "price") == 0)
            price = 1;
        else if (strcmp(t, "cost") == 0)
            cost = 1;
        else if (strcmp(t, "quality") == 0)
            quality = 1;
        else
            return;
    }
    code = price + cost + quality > 1 ? "ratedCriteria"
           : price                    ? "priceOnly"
           : cost                     ? "costOnly"
                                      : "qualityOnly";
    pr->award_criteria = dup_s(m, code);
    note(m, "award_criteria_derived", "tender.awardCriteria",
         "no awardCriteria code; \"%s\" derived from the types of %zu criteria", code,
         pr->n_award_criteria);
}

static void map_award_criteria(mapper *m, const json_value *tender)
{
    path_t p, q;
    size_t n, i;
    const json_value *ac = json_get(tender, "awardCriteria");
    const json_value *lots;

    if (ac && ac->type == JSON_OBJECT)
        criteria_group(m, ac, "tender.awardCriteria", NULL);
    else
        code(m, CODEMAP_AWARD_CRITERIA, tender, "awardCriteria", "tender",
             &m->p->award_criteria, &m->p->award_criteria_raw);
    lots = json_get(tender, "lots");
    n = lots && lots->type == JSON_ARRAY ? json_len(lots) : 0;
    if (n > MAP_MAX_ARRAY)
        n = MAP_MAX_ARRAY;
    for (i = 0; i < n && !m->rc; i++) {
        const json_value *lot = json_at(lots, i);
        const json_value *lac = json_get(lot, "awardCriteria");
        char *lot_id;

        if (!lac || lac->type != JSON_OBJECT)
            continue;
        idx(p, "tender.lots", i);
        lot_id = id_text(m, lot, "id", p);
        criteria_group(m, lac, sub(q, p, "awardCriteria"), lot_id);
        free(lot_id);
    }
    derive_award_criteria(m);
}

/* ------------------------------------------------------------------ tender */

static void map_tender(mapper *m, const json_value *rel)
{
    const json_value *t = json_get(rel, "tender"), *v;
    model_procurement *pr = m->p;
    double d;
    size_t i;

    if (!t || t->type == JSON_NULL)
        return;
    if (t->type != JSON_OBJECT) {
        note(m, "wrong_type", "tender", "expected an object; ignored");
        return;
    }
    pr->tender_id = id_text(m, t, "id", "tender");
    pr->title = text(m, t, "title", "tender");
    pr->description = text(m, t, "description", "tender");
    code(m, CODEMAP_TENDER_STATUS, t, "status", "tender", &pr->tender_status,
         &pr->tender_status_raw);
    code(m, CODEMAP_METHOD, t, "procurementMethod", "tender", &pr->procurement_method,
         &pr->procurement_method_raw);
    pr->procurement_method_details = text(m, t, "procurementMethodDetails", "tender");
    pr->procurement_method_rationale = text(m, t, "procurementMethodRationale", "tender");
    code(m, CODEMAP_CATEGORY, t, "mainProcurementCategory", "tender",
         &pr->main_procurement_category, &pr->main_procurement_category_raw);
    map_award_criteria(m, t);
    pr->award_criteria_details = text(m, t, "awardCriteriaDetails", "tender");
    amount(m, t, "value", "tender", &pr->tender_value);
    date(m, t, "datePublished", "tender", &pr->date_published);
    period(m, t, "tenderPeriod", "tender", &pr->tender_start, &pr->tender_end);
    period(m, t, "awardPeriod", "tender", &pr->award_period_start, &pr->award_period_end);
    period(m, t, "contractPeriod", "tender", &pr->contract_period_start,
           &pr->contract_period_end);
    v = json_path(t, "contractPeriod.durationInDays");
    if (number_of(m, v, LP("tender.contractPeriod.durationInDays"), &d)) {
        pr->has_duration_days = 1;
        pr->duration_days = d;
    }
    v = json_get(t, "numberOfTenderers");
    if (number_of(m, v, LP("tender.numberOfTenderers"), &d)) {
        if (d != floor(d) || fabs(d) > 1e9) {
            note(m, "number_invalid", "tender.numberOfTenderers", "%g is not a count; ignored",
                 d);
        } else {
            pr->has_number_of_tenderers = 1;
            pr->number_of_tenderers = (long)d;
        }
    }
    pr->tenderer_ids = org_ref_list(m, t, "tenderers", "tender", "tenderer", &pr->n_tenderers);
    map_items(m, t, "tender", &pr->items, &pr->n_items);
    map_lots(m, t);
    map_documents(m, t, "tender", &pr->documents, &pr->n_documents);
    map_milestones(m, t, "tender", &pr->milestones, &pr->n_milestones);
    pr->place_of_performance = delivery_place(m, t, "tender");
    for (i = 0; !pr->place_of_performance && i < pr->n_items && !m->rc; i++)
        if (pr->items[i].delivery_location)
            pr->place_of_performance = dup_s(m, pr->items[i].delivery_location);
}

/* ------------------------------------------------------------------ bids, awards */

static void map_bids(mapper *m, const json_value *rel)
{
    path_t p, q;
    const json_value *bids = json_get(rel, "bids"), *arr;
    model_procurement *pr = m->p;
    size_t n, i;

    if (!bids || bids->type == JSON_NULL)
        return;
    if (bids->type == JSON_ARRAY) {
        /* Some publishers write bids as the array of details itself. */
        note(m, "wrong_type", "bids", "bids given as an array; read as bids.details");
        n = json_len(bids);
        if (n > MAP_MAX_ARRAY)
            n = MAP_MAX_ARRAY;
        arr = bids;
        sub(p, "", "bids");
    } else {
        arr = array(m, bids, "details", "bids", &n);
        sub(p, "bids", "details");
    }
    pr->bids = alloc_array(m, n, sizeof *pr->bids);
    if (!pr->bids)
        return;
    for (i = 0; i < n && !m->rc; i++) {
        const json_value *v = json_at(arr, i);
        model_bid *b = &pr->bids[pr->n_bids];

        idx(q, p, i);
        if (!v || v->type != JSON_OBJECT) {
            note(m, "wrong_type", q, "a bid that is not an object; ignored");
            continue;
        }
        pr->n_bids++;
        b->id = id_text(m, v, "id", q);
        code(m, CODEMAP_BID_STATUS, v, "status", q, &b->status, &b->status_raw);
        date(m, v, "date", q, &b->date);
        amount(m, v, "value", q, &b->value);
        b->tenderer_ids = org_ref_list(m, v, "tenderers", q, "tenderer", &b->n_tenderers);
        b->related_lots = string_list(m, v, "relatedLots", q, &b->n_related_lots);
        if (!b->n_related_lots && json_get(v, "relatedLot")) {
            free(b->related_lots);
            b->related_lots = string_list(m, v, "relatedLot", q, &b->n_related_lots);
        }
    }
}

static void map_awards(mapper *m, const json_value *rel)
{
    path_t q;
    size_t n, i;
    const json_value *arr = array(m, rel, "awards", "", &n);
    model_procurement *pr = m->p;

    pr->awards = alloc_array(m, n, sizeof *pr->awards);
    if (!pr->awards)
        return;
    for (i = 0; i < n && !m->rc; i++) {
        const json_value *v = json_at(arr, i);
        model_award *a = &pr->awards[pr->n_awards];

        idx(q, "awards", i);
        if (!v || v->type != JSON_OBJECT) {
            note(m, "wrong_type", q, "an award that is not an object; ignored");
            continue;
        }
        pr->n_awards++;
        a->id = id_text(m, v, "id", q);
        a->title = text(m, v, "title", q);
        code(m, CODEMAP_AWARD_STATUS, v, "status", q, &a->status, &a->status_raw);
        date(m, v, "date", q, &a->date);
        amount(m, v, "value", q, &a->value);
        a->supplier_ids = org_ref_list(m, v, "suppliers", q, "supplier", &a->n_suppliers);
        a->related_lots = string_list(m, v, "relatedLots", q, &a->n_related_lots);
        a->related_bids = string_list(m, v, "relatedBids", q, &a->n_related_bids);
        if (!a->n_related_bids && json_get(v, "relatedBid")) {
            free(a->related_bids);
            a->related_bids = string_list(m, v, "relatedBid", q, &a->n_related_bids);
        }
        map_documents(m, v, q, &a->documents, &a->n_documents);
        /* awards[].items: what was awarded (R048 reads their classifications). */
        map_items(m, v, q, &a->items, &a->n_items);
    }
}

/* ------------------------------------------------------------------ contracts */

static void map_amendment(mapper *m, const json_value *v, const char *path,
                          model_contract *c)
{
    model_amendment *am = &c->amendments[c->n_amendments];
    const json_value *val;
    path_t p;

    memset(am, 0, sizeof *am);
    c->n_amendments++;
    am->id = id_text(m, v, "id", path);
    date(m, v, "date", path, &am->date);
    am->rationale = text(m, v, "rationale", path);
    am->description = text(m, v, "description", path);
    val = json_path(v, "procaudit.amendedValue");
    if (val)
        sub(p, path, "procaudit.amendedValue");
    else if ((val = json_get(v, "value")) != NULL)
        sub(p, path, "value");
    if (val) {
        amount_of(m, val, LP(p), &am->amended_value);
        am->has_amended_value = am->amended_value.present;
    }
    if (!m->rc && !am->id && !am->date.present && !am->rationale && !am->description &&
        !am->has_amended_value) {
        /* OCDS 1.0 publishers often write "amendment": {"changes": []} for none. */
        c->n_amendments--;
        note(m, "empty_object", path, "an amendment with no id, date, rationale, "
             "description or value; ignored");
    }
}

static void map_transactions(mapper *m, const json_value *impl, const char *base,
                             model_contract *c)
{
    path_t p, q, r;
    size_t n, i;
    const json_value *arr = array(m, impl, "transactions", base, &n);

    c->transactions = alloc_array(m, n, sizeof *c->transactions);
    if (!c->transactions)
        return;
    sub(p, base, "transactions");
    for (i = 0; i < n && !m->rc; i++) {
        const json_value *v = json_at(arr, i), *org;
        model_transaction *t = &c->transactions[c->n_transactions];

        idx(q, p, i);
        if (!v || v->type != JSON_OBJECT) {
            note(m, "wrong_type", q, "a transaction that is not an object; ignored");
            continue;
        }
        c->n_transactions++;
        t->id = id_text(m, v, "id", q);
        date(m, v, "date", q, &t->date);
        if (json_get(v, "value"))
            amount(m, v, "value", q, &t->value);
        else
            amount(m, v, "amount", q, &t->value); /* OCDS 1.0 */
        org = json_get(v, "payer");
        t->payer_id = org ? org_ref(m, org, sub(r, q, "payer"), "payer") : NULL;
        org = json_get(v, "payee");
        t->payee_id = org ? org_ref(m, org, sub(r, q, "payee"), "payee") : NULL;
        /* OCDS 1.0: providerOrganization / receiverOrganization are Identifiers. */
        if (!t->payer_id && (org = json_get(v, "providerOrganization")) != NULL) {
            char *id = id_text(m, org, "id", sub(r, q, "providerOrganization"));
            char *sc = id_text(m, org, "scheme", r);
            if (id) {
                size_t len = (sc ? strlen(sc) + 1 : 0) + strlen(id) + 1;
                t->payer_id = malloc(len);
                if (t->payer_id)
                    snprintf(t->payer_id, len, "%s%s%s", sc ? sc : "", sc ? "-" : "", id);
                else
                    m->rc = ERR_NOMEM;
            }
            free(id);
            free(sc);
        }
        if (!t->payee_id && (org = json_get(v, "receiverOrganization")) != NULL) {
            char *id = id_text(m, org, "id", sub(r, q, "receiverOrganization"));
            char *sc = id_text(m, org, "scheme", r);
            if (id) {
                size_t len = (sc ? strlen(sc) + 1 : 0) + strlen(id) + 1;
                t->payee_id = malloc(len);
                if (t->payee_id)
                    snprintf(t->payee_id, len, "%s%s%s", sc ? sc : "", sc ? "-" : "", id);
                else
                    m->rc = ERR_NOMEM;
            }
            free(id);
            free(sc);
        }
    }
}

static void map_contracts(mapper *m, const json_value *rel)
{
    path_t q, r, s;
    size_t n, i, k, na;
    const json_value *arr = array(m, rel, "contracts", "", &n);
    model_procurement *pr = m->p;

    pr->contracts = alloc_array(m, n, sizeof *pr->contracts);
    if (!pr->contracts)
        return;
    for (i = 0; i < n && !m->rc; i++) {
        const json_value *v = json_at(arr, i), *ams, *am1, *impl, *ov;
        model_contract *c = &pr->contracts[pr->n_contracts];

        idx(q, "contracts", i);
        if (!v || v->type != JSON_OBJECT) {
            note(m, "wrong_type", q, "a contract that is not an object; ignored");
            continue;
        }
        pr->n_contracts++;
        c->id = id_text(m, v, "id", q);
        c->award_id = id_text(m, v, "awardID", q);
        c->title = text(m, v, "title", q);
        code(m, CODEMAP_CONTRACT_STATUS, v, "status", q, &c->status, &c->status_raw);
        amount(m, v, "value", q, &c->value);
        ov = json_path(v, "procaudit.originalValue");
        if (ov)
            amount_of(m, ov, LP_SUB(q, "procaudit.originalValue"), &c->original_value);
        date(m, v, "dateSigned", q, &c->date_signed);
        period(m, v, "period", q, &c->period_start, &c->period_end);

        ams = array(m, v, "amendments", q, &na);
        am1 = json_get(v, "amendment"); /* OCDS 1.0: one object */
        if (am1 && am1->type != JSON_OBJECT)
            am1 = NULL;
        c->amendments = alloc_array(m, na + (am1 ? 1 : 0), sizeof *c->amendments);
        sub(r, q, "amendments");
        for (k = 0; c->amendments && k < na && !m->rc; k++) {
            const json_value *a = json_at(ams, k);
            idx(s, r, k);
            if (!a || a->type != JSON_OBJECT) {
                note(m, "wrong_type", s, "an amendment that is not an object; ignored");
                continue;
            }
            map_amendment(m, a, s, c);
        }
        if (c->amendments && am1)
            map_amendment(m, am1, sub(s, q, "amendment"), c);

        map_milestones(m, v, q, &c->milestones, &c->n_milestones);
        map_documents(m, v, q, &c->documents, &c->n_documents);
        impl = json_get(v, "implementation");
        if (impl && impl->type == JSON_OBJECT) {
            sub(r, q, "implementation");
            map_transactions(m, impl, r, c);
            map_milestones(m, impl, r, &c->milestones, &c->n_milestones);
            map_documents(m, impl, r, &c->documents, &c->n_documents);
        }
    }
}

/* ------------------------------------------------------------------ buyer */

static const model_party *party_with_role(const model_procurement *p, const char *role)
{
    size_t i;

    for (i = 0; i < p->n_parties; i++)
        if (has_role(&p->parties[i], role))
            return &p->parties[i];
    return NULL;
}

/* buyer or tender.procuringEntity: the id (resolving the party, adding it when absent),
 * the name from the reference or else from the party; else the first party with the
 * role (noted). */
static void map_org_role(mapper *m, const json_value *ref, const char *path,
                         const char *role, const char *fallback_note, char **id_out,
                         char **name_out)
{
    const model_party *pt;

    if (ref && ref->type != JSON_NULL) {
        *id_out = org_ref(m, ref, path, role);
        if (ref->type == JSON_OBJECT)
            *name_out = text(m, ref, "name", path);
    }
    if (!*id_out && !*name_out) {
        /* No reference, or one that identifies nothing ({}): the party with the role. */
        pt = party_with_role(m->p, role);
        if (pt && pt->id) {
            *id_out = dup_s(m, pt->id);
            note(m, fallback_note, path, "no %s given; party \"%.80s\" has that role", path,
                 pt->id);
        }
    }
    if (!*name_out && *id_out) {
        pt = party_find_mut(m, *id_out);
        if (pt && pt->name)
            *name_out = dup_s(m, pt->name);
    }
}

/* The buyer's kind: among the buyer party's details.classifications[], the one with
 * scheme "eu-buyer-legal-type" (eForms BT-11, as the OCP eForms guidance maps it), else
 * "TED_CA_TYPE" (TED forms' CA_TYPE, OCDS for the EU), schemes compared without case.
 * The code is kept as published. Only the party whose id is buyer_id is read. */
static void map_buyer_kind(mapper *m, const json_value *rel)
{
    static const char *const schemes[] = {"eu-buyer-legal-type", "TED_CA_TYPE"};
    const json_value *parties = json_get(rel, "parties"), *best = NULL, *cls = NULL;
    size_t i, n, best_rank = sizeof schemes / sizeof schemes[0];
    path_t p, q, r;
    model_procurement *pr = m->p;

    if (!pr->buyer_id || !parties || parties->type != JSON_ARRAY)
        return;
    n = json_len(parties);
    if (n > MAP_MAX_ARRAY)
        n = MAP_MAX_ARRAY;
    for (i = 0; i < n && !cls; i++) {
        const json_value *pt = json_at(parties, i), *id = json_get(pt, "id");
        const json_value *c = json_get(json_get(pt, "details"), "classifications");
        int same = id && ((id->type == JSON_STRING && strcmp(id->u.string.s, pr->buyer_id) == 0) ||
                          (id->type == JSON_NUMBER && strcmp(id->u.number.text, pr->buyer_id) == 0));
        if (same && c && c->type == JSON_ARRAY) {
            cls = c;
            idx(p, "parties", i);
        }
    }
    n = json_len(cls);
    if (n > MAP_MAX_ARRAY)
        n = MAP_MAX_ARRAY;
    for (i = 0; i < n; i++) {
        const char *sch = json_get_str(json_at(cls, i), "scheme");
        size_t k;
        for (k = 0; sch && k < best_rank; k++)
            if (strcasecmp(sch, schemes[k]) == 0) {
                const json_value *id = json_get(json_at(cls, i), "id");
                if (id && (id->type == JSON_STRING || id->type == JSON_NUMBER)) {
                    best = json_at(cls, i);
                    best_rank = k;
                    idx(q, sub(r, p, "details.classifications"), i);
                }
                break;
            }
    }
    if (!best)
        return;
    pr->buyer_kind = id_text(m, best, "id", q);
    if (pr->buyer_kind)
        pr->buyer_kind_scheme = dup_s(m, json_get_str(best, "scheme"));
}

/* ------------------------------------------------------------------ entry */

int model_from_ocds(model_procurement **out, const json_value *rel, const codemap *cm,
                    err_t *e)
{
    mapper m;
    model_procurement *pr = NULL;
    const char *fmt;
    int rc = 0;

    *out = NULL;
    memset(&m, 0, sizeof m);
    if (!rel || rel->type != JSON_OBJECT) {
        rc = err_set(e, ERR_BAD_INPUT, "compiled release: not a JSON object");
        goto cleanup;
    }
    pr = calloc(1, sizeof *pr);
    if (!pr) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    m.p = pr;
    m.cm = cm ? cm : codemap_active();

    pr->ocid = id_text(&m, rel, "ocid", "");
    if (!pr->ocid && !m.rc) {
        rc = err_set(e, ERR_BAD_INPUT, "ocid: missing or empty");
        goto cleanup;
    }
    fmt = json_str(json_path(rel, "procaudit.sourceFormat"));
    set_str(&m, &pr->source_format,
            fmt && (strcmp(fmt, "eforms") == 0 || strcmp(fmt, "native") == 0) ? fmt : "ocds");
    date(&m, rel, "date", "", &pr->date);
    pr->language = text(&m, rel, "language", "");

    map_parties(&m, rel);
    map_org_role(&m, json_get(rel, "buyer"), "buyer", "buyer", "buyer_from_parties",
                 &pr->buyer_id, &pr->buyer_name);
    map_buyer_kind(&m, rel);
    {
        const json_value *t = json_get(rel, "tender");
        const json_value *pe = t && t->type == JSON_OBJECT ? json_get(t, "procuringEntity")
                                                           : NULL;
        map_org_role(&m, pe, "tender.procuringEntity", "procuringEntity",
                     "procuring_entity_from_parties", &pr->procuring_entity_id,
                     &pr->procuring_entity_name);
    }
    /* planning.budget is a Budget whose `amount` is a Value object. */
    amount_of(&m, json_path(rel, "planning.budget.amount"), LP("planning.budget.amount"),
              &pr->planning_budget);
    map_tender(&m, rel);
    map_bids(&m, rel);
    map_awards(&m, rel);
    map_contracts(&m, rel);
    if (m.dropped_notes && !m.rc) {
        size_t dropped = m.dropped_notes;
        /* Replace the last note so that the cap holds and the truncation is visible. */
        pr->n_notes--;
        free(pr->notes[pr->n_notes].code);
        free(pr->notes[pr->n_notes].field);
        free(pr->notes[pr->n_notes].message);
        m.dropped_notes = 0;
        note(&m, "notes_truncated", NULL, "%zu further notes were dropped", dropped + 1);
    }
    if (m.rc) {
        rc = err_set(e, m.rc, "%s: out of memory while mapping", pr->ocid ? pr->ocid : "?");
        goto cleanup;
    }
    *out = pr;
    pr = NULL;
cleanup:
    free(m.pidx);
    model_procurement_free(pr);
    return rc;
}
