/* normalise.c - tolerated OCDS quirks fixed in place, each with a grouped note. */
#include "ocds/normalise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NORM_MAX_DEPTH (2 * JSON_MAX_DEPTH)
#define PATH_MAX_LEN 512

/* A group of identical fixes: one note per (code, field pattern). */
typedef struct {
    const char *code;
    char pattern[PATH_MAX_LEN]; /* path with indices dropped: awards[].value.amount */
    char example[PATH_MAX_LEN]; /* the first path: awards[0].value.amount */
    char before[80];            /* the first value as published */
    size_t count;
} fix_group;

/* One step of the current path: an object key, or an array index when key is NULL. */
typedef struct {
    const char *key;
    size_t index;
} path_step;

/* The current path is kept as a stack of steps and spelled out (path, path_len) only when
 * a fix is recorded: most members need no fix, and formatting a path for each of them
 * was a fifth of the normaliser's time. */
typedef struct {
    fix_group *groups;
    size_t n, cap;
    path_step steps[NORM_MAX_DEPTH + 4];
    size_t n_steps;
    char path[PATH_MAX_LEN];   /* the current path, once spelled out */
    size_t path_len;
} norm_ctx;

static const char *MSG_FOR[][2] = {
    {"number_as_string", "given as a string and read as a number"},
    {"number_unreadable", "given as a string that is not a plain number; left as it is and not used"},
    {"amount_empty", "given as \"\" or null; removed (an absent amount, not zero)"},
    {"id_as_number", "an id given as a number; read as the string of its digits"},
    {"tag_as_string", "tag given as a string; read as a one-element array"},
    {"currency_case", "currency not in upper case; upper-cased (ISO 4217)"},
    {"currency_empty", "currency given as \"\"; removed"},
};

/* Appends text to c->path, keeping at most PATH_MAX_LEN - 1 bytes (the first ones, as a
 * truncating snprintf would). */
static void path_append(norm_ctx *c, const char *s, size_t n)
{
    size_t room = sizeof(c->path) - 1 - c->path_len;
    if (n > room)
        n = room;
    memcpy(c->path + c->path_len, s, n);
    c->path_len += n;
    c->path[c->path_len] = '\0';
}

/* Spells out the current path: keys joined by ".", indices as "[i]" ("awards[0].value"). */
static void path_spell(norm_ctx *c)
{
    c->path_len = 0;
    c->path[0] = '\0';
    for (size_t i = 0; i < c->n_steps; i++) {
        const path_step *st = &c->steps[i];
        if (st->key) {
            if (c->path_len)
                path_append(c, ".", 1);
            path_append(c, st->key, strlen(st->key));
        } else {
            char num[32];
            size_t k = sizeof(num), x = st->index;
            num[--k] = ']';
            do {
                num[--k] = (char)('0' + x % 10);
                x /= 10;
            } while (x);
            num[--k] = '[';
            path_append(c, num + k, sizeof(num) - k);
        }
    }
}

static int record_fix(norm_ctx *c, const char *code, const json_value *before)
{
    char pattern[PATH_MAX_LEN];
    size_t w = 0;
    fix_group *g = NULL;

    path_spell(c);

    /* the pattern: drop the digits between [ and ] */
    for (size_t i = 0; i < c->path_len && w + 1 < sizeof(pattern); i++) {
        pattern[w++] = c->path[i];
        if (c->path[i] == '[')
            while (i + 1 < c->path_len && c->path[i + 1] != ']')
                i++;
    }
    pattern[w] = '\0';
    for (size_t i = 0; i < c->n; i++)
        if (c->groups[i].code == code && strcmp(c->groups[i].pattern, pattern) == 0) {
            g = &c->groups[i];
            break;
        }
    if (!g) {
        if (c->n == c->cap) {
            size_t ncap = c->cap ? c->cap * 2 : 8;
            fix_group *ng = realloc(c->groups, ncap * sizeof(*ng));
            if (!ng)
                return ERR_NOMEM;
            c->groups = ng;
            c->cap = ncap;
        }
        g = &c->groups[c->n++];
        memset(g, 0, sizeof(*g));
        g->code = code;
        snprintf(g->pattern, sizeof(g->pattern), "%s", pattern);
        snprintf(g->example, sizeof(g->example), "%.*s", (int)c->path_len, c->path);
        if (!before || before->type == JSON_NULL)
            snprintf(g->before, sizeof(g->before), "null");
        else if (before->type == JSON_STRING)
            snprintf(g->before, sizeof(g->before), "\"%.60s\"", before->u.string.s);
        else if (before->type == JSON_NUMBER)
            snprintf(g->before, sizeof(g->before), "%.60s", before->u.number.text);
    }
    g->count++;
    return 0;
}

/* Path building: push a key or an index, pop back to a saved depth. The stack is one
 * step deeper than norm_value's depth limit, so a push never overflows it. */
static size_t path_push_key(norm_ctx *c, const char *key)
{
    size_t saved = c->n_steps;
    c->steps[c->n_steps].key = key;
    c->steps[c->n_steps].index = 0;
    c->n_steps++;
    return saved;
}

static size_t path_push_index(norm_ctx *c, size_t i)
{
    size_t saved = c->n_steps;
    c->steps[c->n_steps].key = NULL;
    c->steps[c->n_steps].index = i;
    c->n_steps++;
    return saved;
}

static void path_pop(norm_ctx *c, size_t saved)
{
    c->n_steps = saved;
}

/* The keys the normaliser looks at. */
typedef enum { KEY_OTHER, KEY_AMOUNT, KEY_ID, KEY_RELATED_LOTS, KEY_TAG, KEY_CURRENCY } key_kind;

/* Amount keys: amount, quantity, numberOfTenderers, durationInDays, maxExtentDays. Id keys:
 * id, awardID, relatedLot, relatedBid, contractID. Dispatched on the first byte so that the
 * common keys (title, description, ...) cost one comparison. */
static key_kind key_kind_of(const char *k)
{
    switch (k[0]) {
    case 'a':
        if (strcmp(k, "amount") == 0)
            return KEY_AMOUNT;
        if (strcmp(k, "awardID") == 0)
            return KEY_ID;
        break;
    case 'q':
        if (strcmp(k, "quantity") == 0)
            return KEY_AMOUNT;
        break;
    case 'n':
        if (strcmp(k, "numberOfTenderers") == 0)
            return KEY_AMOUNT;
        break;
    case 'd':
        if (strcmp(k, "durationInDays") == 0)
            return KEY_AMOUNT;
        break;
    case 'm':
        if (strcmp(k, "maxExtentDays") == 0)
            return KEY_AMOUNT;
        break;
    case 'i':
        if (strcmp(k, "id") == 0)
            return KEY_ID;
        break;
    case 'r':
        if (strcmp(k, "relatedLot") == 0 || strcmp(k, "relatedBid") == 0)
            return KEY_ID;
        if (strcmp(k, "relatedLots") == 0)
            return KEY_RELATED_LOTS;
        break;
    case 'c':
        if (strcmp(k, "contractID") == 0)
            return KEY_ID;
        if (strcmp(k, "currency") == 0)
            return KEY_CURRENCY;
        break;
    case 't':
        if (strcmp(k, "tag") == 0)
            return KEY_TAG;
        break;
    default:
        break;
    }
    return KEY_OTHER;
}

/* A decimal number in a string: optional sign, digits with an optional point, optional
 * exponent, optional surrounding spaces. Sets [*start, *len) to the number without the
 * spaces and a leading '+'. */
static int decimal_text(const char *s, size_t n, size_t *start, size_t *len)
{
    size_t i = 0, d = 0, end;

    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (i < n && s[i] == '+')
        i++;
    *start = i;
    end = i;
    if (end < n && s[end] == '-')
        end++;
    while (end < n && s[end] >= '0' && s[end] <= '9') {
        end++;
        d++;
    }
    if (end < n && s[end] == '.') {
        end++;
        while (end < n && s[end] >= '0' && s[end] <= '9') {
            end++;
            d++;
        }
    }
    if (d == 0)
        return 0;
    if (end < n && (s[end] == 'e' || s[end] == 'E')) {
        size_t ed = 0;
        end++;
        if (end < n && (s[end] == '+' || s[end] == '-'))
            end++;
        while (end < n && s[end] >= '0' && s[end] <= '9') {
            end++;
            ed++;
        }
        if (ed == 0)
            return 0;
    }
    if (end != n)
        return 0;
    *len = n - *start;
    return 1;
}

/* 1 when s[0..n) is strict JSON number syntax: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_number_syntax(const char *s, size_t n)
{
    size_t i = 0;

    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t d;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return 0;
    }
    return i == n;
}

/* A number node from decimal text: the text itself when it is already JSON number
 * syntax (no precision lost), else its value (for "12." or ".5" or "007"). */
static json_value *number_from_text(const char *s, size_t n)
{
    char tmp[128];

    if (json_number_syntax(s, n))
        return json_new_number_text(s, n);
    if (n >= sizeof(tmp))
        return NULL;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    json_value *v = json_new_number(strtod(tmp, NULL));
    if (v && v->type != JSON_NUMBER) { /* not finite: json_new_number gave null */
        json_free(v);
        return NULL;
    }
    return v;
}

static int norm_value(norm_ctx *c, json_value *v, int depth);

/* Fixes member i of object obj; may remove it (then *removed = 1). */
static int norm_member(norm_ctx *c, json_value *obj, size_t i, int depth, int *removed)
{
    const char *k = obj->u.object.keys[i];
    json_value *v = obj->u.object.values[i];
    int rc = 0;
    key_kind kind = key_kind_of(k);

    *removed = 0;
    if (kind == KEY_OTHER && v->type != JSON_OBJECT && v->type != JSON_ARRAY && depth <= NORM_MAX_DEPTH)
        return 0; /* what norm_value does with a scalar */
    if (kind == KEY_AMOUNT) {
        if (v->type == JSON_NULL || (v->type == JSON_STRING && v->u.string.len == 0)) {
            if ((rc = record_fix(c, "amount_empty", v)) != 0)
                return rc;
            *removed = 1;
            return 0;
        }
        if (v->type == JSON_STRING) {
            size_t start, len;
            if (decimal_text(v->u.string.s, v->u.string.len, &start, &len)) {
                json_value *num = number_from_text(v->u.string.s + start, len);
                if (!num)
                    return record_fix(c, "number_unreadable", v);
                if ((rc = record_fix(c, "number_as_string", v)) != 0) {
                    json_free(num);
                    return rc;
                }
                json_free(v);
                obj->u.object.values[i] = num;
                return 0;
            }
            return record_fix(c, "number_unreadable", v);
        }
        return 0;
    }
    if (kind == KEY_ID && v->type == JSON_NUMBER) {
        json_value *s = json_new_string(v->u.number.text, v->u.number.len);
        if (!s)
            return ERR_NOMEM;
        if ((rc = record_fix(c, "id_as_number", v)) != 0) {
            json_free(s);
            return rc;
        }
        json_free(v);
        obj->u.object.values[i] = s;
        return 0;
    }
    if (kind == KEY_RELATED_LOTS && v->type == JSON_ARRAY) {
        for (size_t j = 0; j < v->u.array.len; j++) {
            json_value *it = v->u.array.items[j];
            if (it->type != JSON_NUMBER)
                continue;
            json_value *s = json_new_string(it->u.number.text, it->u.number.len);
            size_t saved = path_push_index(c, j);
            if (!s)
                return ERR_NOMEM;
            rc = record_fix(c, "id_as_number", it);
            path_pop(c, saved);
            if (rc) {
                json_free(s);
                return rc;
            }
            json_free(it);
            v->u.array.items[j] = s;
        }
        return 0;
    }
    if (kind == KEY_TAG && depth == 1 && v->type == JSON_STRING) {
        json_value *arr = json_new_array();
        if (!arr)
            return ERR_NOMEM;
        if ((rc = record_fix(c, "tag_as_string", v)) != 0) {
            json_free(arr);
            return rc;
        }
        obj->u.object.values[i] = arr;
        return json_array_push(arr, v); /* takes v, also on failure */
    }
    if (kind == KEY_CURRENCY && v->type == JSON_STRING) {
        int lower = 0;
        if (v->u.string.len == 0) {
            if ((rc = record_fix(c, "currency_empty", v)) != 0)
                return rc;
            *removed = 1;
            return 0;
        }
        for (size_t j = 0; j < v->u.string.len; j++)
            if (v->u.string.s[j] >= 'a' && v->u.string.s[j] <= 'z')
                lower = 1;
        if (lower) {
            if ((rc = record_fix(c, "currency_case", v)) != 0)
                return rc;
            /* the text belongs to the node: changing its bytes in place is allowed */
            for (size_t j = 0; j < v->u.string.len; j++)
                if (v->u.string.s[j] >= 'a' && v->u.string.s[j] <= 'z')
                    v->u.string.s[j] = (char)(v->u.string.s[j] - 'a' + 'A');
        }
        return 0;
    }
    return norm_value(c, v, depth);
}

static int norm_value(norm_ctx *c, json_value *v, int depth)
{
    int rc = 0;

    if (depth > NORM_MAX_DEPTH)
        return ERR_LIMIT;
    if (v->type == JSON_OBJECT) {
        size_t w = 0;
        for (size_t i = 0; i < v->u.object.len; i++) {
            int removed = 0;
            size_t saved = path_push_key(c, v->u.object.keys[i]);
            if (!rc)
                rc = norm_member(c, v, i, depth + 1, &removed);
            path_pop(c, saved);
            if (removed) {
                json_object_key_free(v, v->u.object.keys[i]);
                json_free(v->u.object.values[i]);
                continue;
            }
            v->u.object.keys[w] = v->u.object.keys[i];
            v->u.object.values[w] = v->u.object.values[i];
            w++;
        }
        v->u.object.len = w;
    } else if (v->type == JSON_ARRAY) {
        for (size_t i = 0; i < v->u.array.len && !rc; i++) {
            size_t saved = path_push_index(c, i);
            rc = norm_value(c, v->u.array.items[i], depth + 1);
            path_pop(c, saved);
        }
    }
    return rc;
}

int ocds_normalise(json_value *release, model_note **notes, size_t *n_notes, err_t *e)
{
    norm_ctx c;
    int rc;

    if (!release || release->type != JSON_OBJECT)
        return err_set(e, ERR_BAD_INPUT, "normalise: the release is not an object");
    memset(&c, 0, sizeof(c));
    rc = norm_value(&c, release, 0);
    for (size_t i = 0; i < c.n; i++) {
        const fix_group *g = &c.groups[i];
        const char *what = "";
        int r2;
        for (size_t k = 0; k < sizeof(MSG_FOR) / sizeof(MSG_FOR[0]); k++)
            if (strcmp(MSG_FOR[k][0], g->code) == 0)
                what = MSG_FOR[k][1];
        if (g->count == 1)
            r2 = model_note_add(notes, n_notes, g->code, g->pattern, "%s: %s (published value %s).",
                                g->example, what, g->before);
        else
            r2 = model_note_add(notes, n_notes, g->code, g->pattern, "%s: %zu fields %s (e.g. %s = %s).",
                                g->pattern, g->count, what, g->example, g->before);
        if (r2 && !rc)
            rc = r2;
    }
    free(c.groups);
    if (rc == ERR_LIMIT)
        return err_set(e, rc, "normalise: the release is nested deeper than %d levels", NORM_MAX_DEPTH);
    if (rc)
        return err_set(e, rc, "out of memory");
    return 0;
}
