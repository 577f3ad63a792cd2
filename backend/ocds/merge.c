/* merge.c - the OCDS merge routine (compiled releases) and versioned-release reduction. */
#include "ocds/merge.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MERGE_MAX_DEPTH (2 * JSON_MAX_DEPTH)

/* ------------------------------------------------------------------ dates */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

/* Parses an ISO 8601 date or datetime (YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+HH:MM|-HH:MM|+HHMM]);
 * a missing zone is read as UTC. Returns 1 and the instant, or 0 when it is not a date. */
static int parse_date(const char *s, int64_t *sec, long *nanos)
{
    int y, mo, d, h = 0, mi = 0, se = 0, zh = 0, zm = 0;
    long ns = 0;
    const char *p;

    if (!s || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return 0;
    p = s + 10;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi))
            return 0;
        p += 6;
        if (*p == ':') {
            if (!digits(p + 1, 2, &se))
                return 0;
            p += 3;
            if (*p == '.' || *p == ',') {
                long scale = 100000000;
                p++;
                while (*p >= '0' && *p <= '9') {
                    ns += (*p - '0') * scale;
                    scale /= 10;
                    p++;
                }
            }
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1;
            if (!digits(p + 1, 2, &zh))
                return 0;
            p += 3;
            if (*p == ':')
                p++;
            if (digits(p, 2, &zm))
                p += 2;
            zh *= sign;
            zm *= sign;
        }
    }
    if (*p != '\0')
        return 0;
    *sec = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se -
           (zh * 3600 + zm * 60);
    *nanos = ns;
    return 1;
}

typedef struct {
    const char *text; /* the release date, or NULL */
    int parsed;
    int64_t sec;
    long nanos;
    size_t index;     /* input order: breaks ties (stable) */
} date_key;

static void date_key_init(date_key *k, const char *text, size_t index)
{
    k->text = text;
    k->index = index;
    k->parsed = parse_date(text, &k->sec, &k->nanos);
}

/* Orders releases by date: no date first, then dates as instants (text when either does
 * not parse), ties by input order. */
static int date_key_cmp(const date_key *a, const date_key *b)
{
    if (!a->text != !b->text)
        return a->text ? 1 : -1;
    if (a->text) {
        if (a->parsed && b->parsed) {
            if (a->sec != b->sec)
                return a->sec < b->sec ? -1 : 1;
            if (a->nanos != b->nanos)
                return a->nanos < b->nanos ? -1 : 1;
        } else {
            int c = strcmp(a->text, b->text);
            if (c)
                return c;
        }
    }
    return a->index < b->index ? -1 : a->index > b->index;
}

static int date_key_qsort(const void *x, const void *y)
{
    return date_key_cmp(x, y);
}

/* ------------------------------------------------------------------ merge */

/* The id of an object in an array as text (string, or number text), or NULL. */
static const char *id_text(const json_value *obj, size_t *len)
{
    const json_value *id = json_get(obj, "id");

    if (!id)
        return NULL;
    if (id->type == JSON_STRING) {
        *len = id->u.string.len;
        return id->u.string.s;
    }
    if (id->type == JSON_NUMBER) {
        *len = id->u.number.len;
        return id->u.number.text;
    }
    return NULL;
}

/* 1 when arr is a non-empty array whose items are all objects with a string/number id. */
static int is_id_array(const json_value *arr)
{
    size_t len;

    if (!arr || arr->type != JSON_ARRAY || arr->u.array.len == 0)
        return 0;
    for (size_t i = 0; i < arr->u.array.len; i++) {
        const json_value *o = arr->u.array.items[i];
        if (o->type != JSON_OBJECT || !id_text(o, &len))
            return 0;
    }
    return 1;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static int merge_object(json_value *out, const json_value *in, int top, int depth);

/* Without the schema, two field-name lists from the OCDS 1.1 release schema refine the
 * "objects with ids" rule:
 *  - arrays the schema marks wholeListMerge (their items have an `id` that is a code,
 *    not an identity): always replaced;
 *  - arrays merged by identifier: an empty array in a later release leaves them as
 *    they are ("If the array is empty in input, do nothing"), and an empty array for a
 *    field not seen before is not added (as the reference implementation does). */
static int is_whole_list_field(const char *k)
{
    return strcmp(k, "additionalIdentifiers") == 0 || strcmp(k, "additionalClassifications") == 0;
}

static int is_identifier_merge_field(const char *k)
{
    static const char *names[] = {"awards", "contracts", "parties", "items", "documents",
                                  "milestones", "amendments", "lots", "lotGroups", "details",
                                  "tenderers", "suppliers", "transactions", "relatedProcesses",
                                  "criteria", "requirementGroups", "requirements", "changes"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(k, names[i]) == 0)
            return 1;
    return 0;
}

/* A member of an object, writable (the first byte settles most comparisons). */
static json_value *member(json_value *obj, const char *key)
{
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (obj->u.object.keys[i][0] == key[0] && strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

/* Identifier merge of array `in` into array `out` (both arrays of objects with ids). */
static int merge_id_array(json_value *out, const json_value *in, int depth)
{
    size_t *table = NULL, tcap = 0;
    int rc = 0;

    /* A hash table of id -> index for long arrays (hostile inputs: 100k items). */
    if (out->u.array.len + in->u.array.len > 32) {
        tcap = 64;
        while (tcap < 2 * (out->u.array.len + in->u.array.len))
            tcap *= 2;
        table = malloc(tcap * sizeof(size_t));
        if (!table)
            return ERR_NOMEM;
        for (size_t i = 0; i < tcap; i++)
            table[i] = SIZE_MAX;
        for (size_t i = 0; i < out->u.array.len; i++) {
            size_t len;
            const char *id = id_text(out->u.array.items[i], &len);
            if (!id)
                continue;
            size_t h = (size_t)hash_bytes(id, len) & (tcap - 1);
            while (table[h] != SIZE_MAX)
                h = (h + 1) & (tcap - 1);
            table[h] = i;
        }
    }
    for (size_t j = 0; j < in->u.array.len && !rc; j++) {
        const json_value *item = in->u.array.items[j];
        size_t len = 0, olen = 0;
        const char *id = id_text(item, &len);
        json_value *match = NULL;
        size_t h = 0;

        if (table) {
            h = (size_t)hash_bytes(id, len) & (tcap - 1);
            while (table[h] != SIZE_MAX) {
                json_value *o = out->u.array.items[table[h]];
                const char *oid = id_text(o, &olen);
                if (oid && olen == len && memcmp(oid, id, len) == 0) {
                    match = o;
                    break;
                }
                h = (h + 1) & (tcap - 1);
            }
        } else {
            for (size_t i = 0; i < out->u.array.len; i++) {
                json_value *o = out->u.array.items[i];
                const char *oid = id_text(o, &olen);
                if (oid && olen == len && memcmp(oid, id, len) == 0) {
                    match = o;
                    break;
                }
            }
        }
        if (match) {
            rc = merge_object(match, item, 0, depth + 1);
            continue;
        }
        json_value *fresh = json_new_object();
        if (!fresh)
            return free(table), ERR_NOMEM;
        if ((rc = merge_object(fresh, item, 0, depth + 1)) != 0) {
            json_free(fresh);
            break;
        }
        if ((rc = json_array_push(out, fresh)) != 0)
            break;
        if (table)
            table[h] = out->u.array.len - 1; /* h is the empty slot the probe ended on */
    }
    free(table);
    return rc;
}

/* Merges object `in` into object `out` (OCDS merge routine, compiled release). At the top
 * level the release metadata id, date and tag are skipped (omitWhenMerged). */
static int merge_object(json_value *out, const json_value *in, int top, int depth)
{
    int rc = 0;

    if (depth > MERGE_MAX_DEPTH)
        return ERR_LIMIT;
    for (size_t i = 0; i < in->u.object.len && !rc; i++) {
        const char *k = in->u.object.keys[i];
        const json_value *v = in->u.object.values[i];
        json_value *cur = member(out, k);

        if (top && (strcmp(k, "id") == 0 || strcmp(k, "date") == 0 || strcmp(k, "tag") == 0))
            continue;
        switch (v->type) {
        case JSON_NULL:
            json_object_remove(out, k);
            break;
        case JSON_OBJECT:
            if (!cur || cur->type != JSON_OBJECT) {
                json_value *fresh = json_new_object();
                if (!fresh)
                    return ERR_NOMEM;
                if ((rc = merge_object(fresh, v, 0, depth + 1)) != 0) {
                    json_free(fresh);
                    return rc;
                }
                rc = json_object_set(out, k, fresh);
            } else {
                rc = merge_object(cur, v, 0, depth + 1);
            }
            break;
        case JSON_ARRAY:
            if (v->u.array.len == 0 && is_identifier_merge_field(k) && (!cur || cur->type == JSON_ARRAY)) {
                /* identifier merge of an empty array: nothing to do */
            } else if (is_id_array(v) && !is_whole_list_field(k)) {
                if (!is_id_array(cur)) {
                    json_value *fresh = json_new_array();
                    if (!fresh || (rc = json_object_set(out, k, fresh)) != 0)
                        return ERR_NOMEM;
                    cur = fresh;
                }
                rc = merge_id_array(cur, v, depth + 1);
            } else if (v->u.array.len == 0 && is_id_array(cur)) {
                /* identifier merge of an empty array: nothing to do */
            } else {
                json_value *c = json_clone(v);
                rc = c ? json_object_set(out, k, c) : ERR_NOMEM;
            }
            break;
        default: {
            json_value *c = json_clone(v);
            rc = c ? json_object_set(out, k, c) : ERR_NOMEM;
        }
        }
    }
    return rc;
}

/* Makes the compiled release's metadata: tag ["compiled"], id "<ocid>-<date>", date,
 * placed first, followed by the merged fields of `body` (which is consumed). */
static int finish_compiled(json_value **out, json_value *body, const char *date)
{
    json_value *c = json_new_object(), *tag = json_new_array();
    const char *ocid = json_get_str(body, "ocid");
    buf_t id;
    int rc = 0;

    buf_init(&id, 1u << 16);
    *out = NULL;
    if (!c || !tag) {
        json_free(tag);
        rc = ERR_NOMEM;
        goto cleanup;
    }
    if ((rc = json_array_push(tag, json_new_cstring("compiled"))) != 0) {
        json_free(tag);
        goto cleanup;
    }
    if ((rc = json_object_set(c, "tag", tag)) != 0) /* takes tag, also on failure */
        goto cleanup;
    if (ocid && (rc = buf_puts(&id, ocid)) != 0)
        goto cleanup;
    if (date && ((rc = buf_putc(&id, '-')) != 0 || (rc = buf_puts(&id, date)) != 0))
        goto cleanup;
    if (ocid || date) {
        if ((rc = json_object_set(c, "id", json_new_string(id.data ? id.data : "", id.len))) != 0)
            goto cleanup;
    }
    if (date && (rc = json_object_set(c, "date", json_new_cstring(date))) != 0)
        goto cleanup;
    for (size_t i = 0; i < body->u.object.len; i++) {
        const char *k = body->u.object.keys[i];
        json_value *v = body->u.object.values[i];
        body->u.object.values[i] = NULL;
        if (strcmp(k, "tag") == 0 || strcmp(k, "id") == 0 || strcmp(k, "date") == 0) {
            json_free(v);
            continue;
        }
        if ((rc = json_object_set(c, k, v)) != 0)
            goto cleanup;
    }
    *out = c;
    c = NULL;
cleanup:
    buf_dispose(&id);
    json_free(c);
    for (size_t i = 0; i < body->u.object.len; i++)
        json_free(body->u.object.values[i]);
    for (size_t i = 0; i < body->u.object.len; i++)
        json_object_key_free(body, body->u.object.keys[i]);
    body->u.object.len = 0;
    json_free(body);
    return rc;
}

int ocds_merge(json_value **out, json_value *const *releases, size_t n, err_t *e)
{
    date_key *keys = NULL;
    json_value *body = NULL;
    const char *latest = NULL;
    char *latest_copy = NULL;
    int rc = 0;

    *out = NULL;
    if (n == 0)
        return err_set(e, ERR_BAD_INPUT, "merge: no releases to merge");
    keys = malloc(n * sizeof(*keys));
    body = json_new_object();
    if (!keys || !body) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        if (!releases[i] || releases[i]->type != JSON_OBJECT) {
            rc = err_set(e, ERR_BAD_INPUT, "merge: release %zu is not an object", i);
            goto cleanup;
        }
        date_key_init(&keys[i], json_get_str(releases[i], "date"), i);
    }
    qsort(keys, n, sizeof(*keys), date_key_qsort);
    for (size_t i = 0; i < n; i++) {
        const json_value *rel = releases[keys[i].index];
        if ((rc = merge_object(body, rel, 1, 0)) != 0) {
            rc = rc == ERR_LIMIT
                     ? err_set(e, ERR_LIMIT, "merge: release %zu (ocid %s) is nested deeper than %d levels",
                               keys[i].index, json_get_str(rel, "ocid") ? json_get_str(rel, "ocid") : "?",
                               MERGE_MAX_DEPTH)
                     : err_set(e, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        if (keys[i].text)
            latest = keys[i].text;
    }
    if (latest && !(latest_copy = strdup(latest))) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    rc = finish_compiled(out, body, latest_copy);
    body = NULL;
    if (rc)
        err_set(e, rc, "out of memory");
cleanup:
    free(keys);
    free(latest_copy);
    json_free(body);
    return rc;
}

/* ------------------------------------------------------------------ versioned */

/* 1 when v is a history: a non-empty array of {releaseID, releaseDate, releaseTag, value}. */
static int is_history(const json_value *v)
{
    if (!v || v->type != JSON_ARRAY || v->u.array.len == 0)
        return 0;
    for (size_t i = 0; i < v->u.array.len; i++) {
        const json_value *o = v->u.array.items[i];
        int has_value = 0, has_release = 0;
        if (o->type != JSON_OBJECT)
            return 0;
        for (size_t k = 0; k < o->u.object.len; k++) {
            const char *key = o->u.object.keys[k];
            if (strcmp(key, "value") == 0)
                has_value = 1;
            else if (strcmp(key, "releaseDate") == 0 || strcmp(key, "releaseID") == 0)
                has_release = 1;
            else if (strcmp(key, "releaseTag") != 0)
                return 0;
        }
        if (!has_value || !has_release)
            return 0;
    }
    return 1;
}

static int find_history(const json_value *v, int depth)
{
    if (!v || depth > 4)
        return 0;
    if (v->type == JSON_OBJECT) {
        for (size_t i = 0; i < v->u.object.len; i++) {
            const json_value *c = v->u.object.values[i];
            if (is_history(c) || find_history(c, depth + 1))
                return 1;
        }
    } else if (v->type == JSON_ARRAY && v->u.array.len) {
        return find_history(v->u.array.items[0], depth + 1);
    }
    return 0;
}

int ocds_is_versioned(const json_value *v)
{
    return v && v->type == JSON_OBJECT && find_history(v, 0);
}

typedef struct {
    date_key latest;
    int have;
} latest_date;

static int reduce(json_value **out, const json_value *v, latest_date *ld, int depth);

/* The current value of a field: the last entry of a history, or the reduced value.
 * *out NULL means "absent" (the last value was null). */
static int reduce_field(json_value **out, const json_value *v, latest_date *ld, int depth)
{
    *out = NULL;
    if (is_history(v)) {
        const json_value *last = v->u.array.items[v->u.array.len - 1];
        const json_value *val = json_get(last, "value");
        for (size_t i = 0; i < v->u.array.len; i++) {
            const char *d = json_get_str(v->u.array.items[i], "releaseDate");
            date_key k;
            if (!d)
                continue;
            date_key_init(&k, d, 0);
            if (!ld->have || date_key_cmp(&k, &ld->latest) > 0) {
                ld->latest = k;
                ld->have = 1;
            }
        }
        if (!val || val->type == JSON_NULL)
            return 0;
        return reduce(out, val, ld, depth + 1);
    }
    return reduce(out, v, ld, depth + 1);
}

static int reduce(json_value **out, const json_value *v, latest_date *ld, int depth)
{
    json_value *r = NULL, *c = NULL;
    int rc = 0;

    *out = NULL;
    if (depth > MERGE_MAX_DEPTH)
        return ERR_LIMIT;
    if (v->type == JSON_OBJECT) {
        r = json_new_object();
        if (!r)
            return ERR_NOMEM;
        for (size_t i = 0; i < v->u.object.len; i++) {
            if ((rc = reduce_field(&c, v->u.object.values[i], ld, depth)) != 0)
                goto fail;
            if (c && (rc = json_object_set(r, v->u.object.keys[i], c)) != 0)
                goto fail;
        }
    } else if (v->type == JSON_ARRAY) {
        r = json_new_array();
        if (!r)
            return ERR_NOMEM;
        for (size_t i = 0; i < v->u.array.len; i++) {
            if ((rc = reduce(&c, v->u.array.items[i], ld, depth + 1)) != 0)
                goto fail;
            if ((rc = json_array_push(r, c)) != 0)
                goto fail;
        }
    } else {
        r = json_clone(v);
        if (!r)
            return ERR_NOMEM;
    }
    *out = r;
    return 0;
fail:
    json_free(r);
    return rc;
}

int ocds_versioned_to_compiled(json_value **out, const json_value *versioned, err_t *e)
{
    latest_date ld;
    json_value *body = NULL;
    const json_value *date_v;
    char *date = NULL;
    int rc;

    *out = NULL;
    memset(&ld, 0, sizeof(ld));
    if (!versioned || versioned->type != JSON_OBJECT)
        return err_set(e, ERR_BAD_INPUT, "versionedRelease: not an object");
    rc = reduce(&body, versioned, &ld, 0);
    if (rc == ERR_LIMIT)
        return err_set(e, rc, "versionedRelease: nested deeper than %d levels", MERGE_MAX_DEPTH);
    if (rc)
        return err_set(e, rc, "out of memory");
    date_v = json_get(body, "date");
    if (date_v && date_v->type == JSON_STRING)
        date = strdup(date_v->u.string.s);
    else if (ld.have)
        date = strdup(ld.latest.text);
    /* Keep an id the versioned release carries; else <ocid>-<date>. */
    if (json_get_str(body, "id")) {
        json_value *tag = json_new_array();
        if (!tag || json_array_push(tag, json_new_cstring("compiled")) ||
            json_object_set(body, "tag", tag)) {
            json_free(body);
            free(date);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        if (date && !json_get(body, "date") && json_object_set(body, "date", json_new_cstring(date))) {
            json_free(body);
            free(date);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        free(date);
        *out = body;
        return 0;
    }
    rc = finish_compiled(out, body, date);
    free(date);
    if (rc)
        return err_set(e, rc, "out of memory");
    return 0;
}
