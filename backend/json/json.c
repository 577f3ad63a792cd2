/* json.c - the JSON document tree: constructors, builder, yajl parse, writers, equality. */
#include "json/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

/* ------------------------------------------------------------------ constructors */

static json_value *node_new(json_type t)
{
    json_value *v = calloc(1, sizeof(*v));

    if (v)
        v->type = t;
    return v;
}

/* A node with `len` bytes of text stored right after it (one allocation). */
static json_value *node_new_text(json_type t, const char *s, size_t len)
{
    json_value *v;
    char *text;

    if (len > (size_t)-1 - sizeof(*v) - 1)
        return NULL;
    v = malloc(sizeof(*v) + len + 1);
    if (!v)
        return NULL;
    memset(v, 0, sizeof(*v));
    v->type = t;
    text = (char *)(v + 1);
    if (len)
        memcpy(text, s, len);
    text[len] = '\0';
    if (t == JSON_STRING) {
        v->u.string.s = text;
        v->u.string.len = len;
    } else {
        v->u.number.text = text;
        v->u.number.len = len;
    }
    return v;
}

json_value *json_new_null(void) { return node_new(JSON_NULL); }

json_value *json_new_bool(int b)
{
    json_value *v = node_new(JSON_BOOL);

    if (v)
        v->u.boolean = b ? 1 : 0;
    return v;
}

json_value *json_new_number_text(const char *text, size_t len)
{
    return node_new_text(JSON_NUMBER, text, len);
}

/* The shortest of %.15g/%.16g/%.17g that reads back as d; integers without exponent. */
static size_t format_double(char *out, size_t cap, double d)
{
    int n = 0;

    if (d == 0)
        return (size_t)snprintf(out, cap, "0");
    if (d == floor(d) && fabs(d) < 9007199254740992.0)
        return (size_t)snprintf(out, cap, "%.0f", d);
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(out, cap, "%.*g", prec, d);
        if (n > 0 && (size_t)n < cap && strtod(out, NULL) == d)
            break;
    }
    return n > 0 ? (size_t)n : 0;
}

json_value *json_new_number(double d)
{
    char tmp[40];
    size_t n;

    if (!isfinite(d))
        return json_new_null();
    n = format_double(tmp, sizeof(tmp), d);
    return node_new_text(JSON_NUMBER, tmp, n);
}

json_value *json_new_string(const char *s, size_t len)
{
    return node_new_text(JSON_STRING, s, len);
}

json_value *json_new_cstring(const char *s)
{
    return s ? node_new_text(JSON_STRING, s, strlen(s)) : NULL;
}

json_value *json_new_array(void) { return node_new(JSON_ARRAY); }
json_value *json_new_object(void) { return node_new(JSON_OBJECT); }

/* ------------------------------------------------------------------ containers */

static int array_reserve(json_value *arr, size_t need)
{
    json_value **items;
    size_t ncap;

    if (need <= arr->u.array.cap)
        return 0;
    ncap = arr->u.array.cap ? arr->u.array.cap * 2 : 4;
    while (ncap < need)
        ncap *= 2;
    items = realloc(arr->u.array.items, ncap * sizeof(*items));
    if (!items)
        return ERR_NOMEM;
    arr->u.array.items = items;
    arr->u.array.cap = ncap;
    return 0;
}

int json_array_push(json_value *arr, json_value *item)
{
    if (!arr || arr->type != JSON_ARRAY || !item || array_reserve(arr, arr->u.array.len + 1)) {
        json_free(item);
        return ERR_NOMEM;
    }
    arr->u.array.items[arr->u.array.len++] = item;
    return 0;
}

/* An object's keys and values live in one block:
 *     char *keys[cap] | json_value *values[cap] | size_t kbytes | key bytes[kbytes]
 * so that an object costs one allocation (json_free frees u.object.keys only). Keys of
 * objects made by the builder are packed into the key bytes; a key set later
 * (json_object_set) is a separate allocation. A key is freed with key_release(), which
 * knows the difference. */
static char *key_region(const json_value *obj, size_t *kbytes)
{
    char *p;

    if (!obj->u.object.keys) {
        *kbytes = 0;
        return NULL;
    }
    p = (char *)(obj->u.object.values + obj->u.object.cap);
    memcpy(kbytes, p, sizeof(size_t));
    return p + sizeof(size_t);
}

static int key_is_packed(const char *region, size_t kbytes, const char *k)
{
    return region && k >= region && k < region + kbytes;
}

static void key_release(const json_value *obj, char *k)
{
    size_t kbytes;
    char *region = key_region(obj, &kbytes);

    if (!key_is_packed(region, kbytes, k))
        free(k);
}

void json_object_key_free(json_value *obj, char *key)
{
    key_release(obj, key);
}

/* (Re)allocates the block for ncap members plus `extra` packed key bytes (the packed
 * keys already there move with it). */
static int object_alloc(json_value *obj, size_t ncap, size_t extra)
{
    size_t old_kbytes, total, kbytes;
    char *old_region, **block, *region;

    if (ncap == 0)
        ncap = 1;
    old_region = key_region(obj, &old_kbytes);
    kbytes = old_kbytes + extra;
    if (ncap > (((size_t)-1) - kbytes - sizeof(size_t)) / (sizeof(char *) + sizeof(json_value *)))
        return ERR_NOMEM;
    total = ncap * (sizeof(char *) + sizeof(json_value *)) + sizeof(size_t) + kbytes;
    block = malloc(total);
    if (!block)
        return ERR_NOMEM;
    region = (char *)(block + 2 * ncap) + sizeof(size_t);
    memcpy(region - sizeof(size_t), &kbytes, sizeof(size_t));
    if (old_kbytes)
        memcpy(region, old_region, old_kbytes);
    for (size_t i = 0; i < obj->u.object.len; i++) {
        char *k = obj->u.object.keys[i];
        block[i] = key_is_packed(old_region, old_kbytes, k) ? region + (k - old_region) : k;
    }
    if (obj->u.object.len)
        memcpy(block + ncap, obj->u.object.values, obj->u.object.len * sizeof(json_value *));
    free(obj->u.object.keys);
    obj->u.object.keys = block;
    obj->u.object.values = (json_value **)(block + ncap);
    obj->u.object.cap = ncap;
    return 0;
}

static int object_alloc_exact(json_value *obj, size_t ncap)
{
    return object_alloc(obj, ncap, 0);
}

static int object_reserve(json_value *obj, size_t need)
{
    size_t ncap;

    if (need <= obj->u.object.cap)
        return 0;
    ncap = obj->u.object.cap ? obj->u.object.cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    return object_alloc_exact(obj, ncap);
}

static char *mem_dup(const char *s, size_t len)
{
    char *p = malloc(len + 1);

    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

/* Appends key/value without looking for an existing key; takes v (and frees it on
 * failure). The key is copied. */
static int object_append(json_value *obj, const char *key, size_t klen, json_value *v)
{
    char *k;

    if (object_reserve(obj, obj->u.object.len + 1)) {
        json_free(v);
        return ERR_NOMEM;
    }
    k = mem_dup(key, klen);
    if (!k) {
        json_free(v);
        return ERR_NOMEM;
    }
    obj->u.object.keys[obj->u.object.len] = k;
    obj->u.object.values[obj->u.object.len] = v;
    obj->u.object.len++;
    return 0;
}

static long object_find(const json_value *obj, const char *key)
{
    /* the first byte settles most comparisons without a call to strcmp */
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (obj->u.object.keys[i][0] == key[0] && strcmp(obj->u.object.keys[i], key) == 0)
            return (long)i;
    return -1;
}

int json_object_set(json_value *obj, const char *key, json_value *v)
{
    long i;

    if (!obj || obj->type != JSON_OBJECT || !key || !v) {
        json_free(v);
        return ERR_NOMEM;
    }
    i = object_find(obj, key);
    if (i >= 0) {
        json_free(obj->u.object.values[i]);
        obj->u.object.values[i] = v;
        return 0;
    }
    return object_append(obj, key, strlen(key), v);
}

json_value *json_object_take(json_value *obj, const char *key)
{
    long i;
    json_value *v;
    size_t n;

    if (!obj || obj->type != JSON_OBJECT || !key)
        return NULL;
    i = object_find(obj, key);
    if (i < 0)
        return NULL;
    v = obj->u.object.values[i];
    key_release(obj, obj->u.object.keys[i]);
    n = obj->u.object.len - (size_t)i - 1;
    memmove(obj->u.object.keys + i, obj->u.object.keys + i + 1, n * sizeof(char *));
    memmove(obj->u.object.values + i, obj->u.object.values + i + 1, n * sizeof(json_value *));
    obj->u.object.len--;
    return v;
}

void json_object_remove(json_value *obj, const char *key)
{
    json_free(json_object_take(obj, key));
}

/* ------------------------------------------------------------------ free, clone */

void json_free(json_value *v)
{
    if (!v)
        return;
    switch (v->type) {
    case JSON_STRING:
        if (v->u.string.s != (char *)(v + 1))
            free(v->u.string.s);
        break;
    case JSON_NUMBER:
        if (v->u.number.text != (char *)(v + 1))
            free(v->u.number.text);
        break;
    case JSON_ARRAY:
        for (size_t i = 0; i < v->u.array.len; i++)
            json_free(v->u.array.items[i]);
        free(v->u.array.items);
        break;
    case JSON_OBJECT:
        {
            size_t kbytes;
            char *region = key_region(v, &kbytes);
            for (size_t i = 0; i < v->u.object.len; i++) {
                if (!key_is_packed(region, kbytes, v->u.object.keys[i]))
                    free(v->u.object.keys[i]);
                json_free(v->u.object.values[i]);
            }
        }
        free(v->u.object.keys); /* the values and packed keys share the block */
        break;
    default:
        break;
    }
    free(v);
}

json_value *json_clone(const json_value *v)
{
    json_value *c = NULL;

    if (!v)
        return NULL;
    switch (v->type) {
    case JSON_NULL:
        return json_new_null();
    case JSON_BOOL:
        return json_new_bool(v->u.boolean);
    case JSON_NUMBER:
        return json_new_number_text(v->u.number.text, v->u.number.len);
    case JSON_STRING:
        return json_new_string(v->u.string.s, v->u.string.len);
    case JSON_ARRAY:
        c = json_new_array();
        if (!c || array_reserve(c, v->u.array.len))
            goto fail;
        for (size_t i = 0; i < v->u.array.len; i++) {
            json_value *item = json_clone(v->u.array.items[i]);
            if (!item)
                goto fail;
            c->u.array.items[c->u.array.len++] = item;
        }
        return c;
    case JSON_OBJECT:
        c = json_new_object();
        if (!c || object_alloc_exact(c, v->u.object.len))
            goto fail;
        for (size_t i = 0; i < v->u.object.len; i++) {
            json_value *item = json_clone(v->u.object.values[i]);
            if (!item || object_append(c, v->u.object.keys[i], strlen(v->u.object.keys[i]), item))
                goto fail;
        }
        return c;
    }
fail:
    json_free(c);
    return NULL;
}

/* ------------------------------------------------------------------ equality */

static int numbers_equal(const json_value *a, const json_value *b)
{
    if (a->u.number.len == b->u.number.len &&
        memcmp(a->u.number.text, b->u.number.text, a->u.number.len) == 0)
        return 1;
    double x = strtod(a->u.number.text, NULL), y = strtod(b->u.number.text, NULL);
    /* out of range (1e999 and 2e999 both read as infinity): only equal texts are equal */
    return isfinite(x) && isfinite(y) && x == y;
}

/* A key with its position, sorted by (key bytes, position): no global sort context. */
typedef struct {
    const char *key;
    size_t i;
} key_index;

static int cmp_key_index(const void *x, const void *y)
{
    const key_index *a = x, *b = y;
    int c = strcmp(a->key, b->key); /* strcmp compares as unsigned char: byte order */

    if (c)
        return c;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* The keys of an object sorted; NULL when out of memory. The caller frees. */
static key_index *sorted_keys(char *const *keys, size_t n)
{
    key_index *idx = malloc((n ? n : 1) * sizeof(*idx));

    if (!idx)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        idx[i].key = keys[i];
        idx[i].i = i;
    }
    qsort(idx, n, sizeof(*idx), cmp_key_index);
    return idx;
}

int json_equal(const json_value *a, const json_value *b)
{
    if (a == b)
        return 1;
    if (!a || !b || a->type != b->type)
        return 0;
    switch (a->type) {
    case JSON_NULL:
        return 1;
    case JSON_BOOL:
        return a->u.boolean == b->u.boolean;
    case JSON_NUMBER:
        return numbers_equal(a, b);
    case JSON_STRING:
        return a->u.string.len == b->u.string.len &&
               memcmp(a->u.string.s, b->u.string.s, a->u.string.len) == 0;
    case JSON_ARRAY:
        if (a->u.array.len != b->u.array.len)
            return 0;
        for (size_t i = 0; i < a->u.array.len; i++)
            if (!json_equal(a->u.array.items[i], b->u.array.items[i]))
                return 0;
        return 1;
    case JSON_OBJECT: {
        size_t n = a->u.object.len;
        if (n != b->u.object.len)
            return 0;
        if (n <= 32) {
            for (size_t i = 0; i < n; i++) {
                long j = object_find(b, a->u.object.keys[i]);
                if (j < 0 || !json_equal(a->u.object.values[i], b->u.object.values[j]))
                    return 0;
            }
            return 1;
        }
        /* Large objects: sort the keys of both sides, then walk them together. */
        key_index *pa = sorted_keys(a->u.object.keys, n), *pb = sorted_keys(b->u.object.keys, n);
        int eq = pa && pb;
        for (size_t i = 0; i < n && eq; i++)
            if (strcmp(pa[i].key, pb[i].key) != 0 ||
                !json_equal(a->u.object.values[pa[i].i], b->u.object.values[pb[i].i]))
                eq = 0;
        free(pa);
        free(pb);
        return eq;
    }
    }
    return 0;
}

/* ------------------------------------------------------------------ accessors */

const json_value *json_get(const json_value *obj, const char *key)
{
    long i;

    if (!obj || obj->type != JSON_OBJECT || !key)
        return NULL;
    i = object_find(obj, key);
    return i < 0 ? NULL : obj->u.object.values[i];
}

const json_value *json_path(const json_value *v, const char *dotted)
{
    const char *seg = dotted;

    if (!dotted)
        return NULL;
    while (v) {
        const char *dot = strchr(seg, '.');
        size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
        const json_value *next = NULL;

        if (v->type != JSON_OBJECT)
            return NULL;
        for (size_t i = 0; i < v->u.object.len; i++) {
            const char *k = v->u.object.keys[i];
            if (strncmp(k, seg, n) == 0 && k[n] == '\0') {
                next = v->u.object.values[i];
                break;
            }
        }
        v = next;
        if (!dot)
            return v;
        seg = dot + 1;
    }
    return NULL;
}

const char *json_str(const json_value *v)
{
    return v && v->type == JSON_STRING ? v->u.string.s : NULL;
}

const char *json_get_str(const json_value *obj, const char *key)
{
    return json_str(json_get(obj, key));
}

/* 1 when s[0..len) is a JSON number (optional '-', digits, fraction, exponent), with
 * optional surrounding spaces. */
static int is_number_text(const char *s, size_t len)
{
    size_t i = 0, d;

    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (i < len && s[i] == '-')
        i++;
    for (d = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        ;
    if (i == d)
        return 0;
    if (i < len && s[i] == '.') {
        i++;
        for (d = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == d)
            return 0;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        for (d = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == d)
            return 0;
    }
    return i == len;
}

int json_number(const json_value *v, int allow_string, double *out)
{
    double d;
    const char *text;

    if (!v || v->type == JSON_NULL)
        return ERR_NOT_FOUND;
    if (v->type == JSON_NUMBER) {
        text = v->u.number.text;
    } else if (v->type == JSON_STRING && allow_string) {
        const char *s = v->u.string.s;
        size_t n = v->u.string.len;
        while (n && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
        if (n == 0)
            return ERR_NOT_FOUND;
        if (!is_number_text(s, n))
            return ERR_BAD_INPUT;
        text = s;
    } else {
        return ERR_BAD_INPUT;
    }
    d = strtod(text, NULL);
    if (!isfinite(d))
        return ERR_BAD_INPUT;
    *out = d;
    return 0;
}

size_t json_len(const json_value *v)
{
    if (!v)
        return 0;
    if (v->type == JSON_ARRAY)
        return v->u.array.len;
    if (v->type == JSON_OBJECT)
        return v->u.object.len;
    return 0;
}

const json_value *json_at(const json_value *arr, size_t i)
{
    if (!arr || arr->type != JSON_ARRAY || i >= arr->u.array.len)
        return NULL;
    return arr->u.array.items[i];
}

/* ------------------------------------------------------------------ builder */

/* The members of open containers below the root wait in a scratch stack and are moved
 * into an exactly sized block when their container closes (one allocation per
 * container; an object's keys are packed into its block from the builder's key arena).
 * The root container's members are attached at once, so that a caller can look at a
 * partly built root (json_builder_root). */
#define NO_KEY ((size_t)-1)

struct json_builder {
    json_value **stack;   /* open containers, innermost last */
    size_t *start;        /* per open container: its first scratch entry */
    size_t *kstart;       /* per open container: the key arena length when it opened */
    size_t *pk_off;       /* per open object: the pending key (arena offset) or NO_KEY */
    size_t *pk_len;
    size_t depth, cap, max_depth;
    size_t *skoff, *sklen;/* scratch: key offsets (NO_KEY in arrays) and lengths */
    json_value **svals;   /* scratch: values */
    size_t slen, scap;
    char *karena;         /* key bytes of pending and scratch keys, NUL-terminated */
    size_t klen, kcap;
    json_value *root;     /* the finished (or partial) root */
    int done;
};

json_builder *json_builder_new(size_t max_depth)
{
    json_builder *b = calloc(1, sizeof(*b));

    if (b)
        b->max_depth = max_depth;
    return b;
}

void json_builder_reset(json_builder *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->slen; i++)
        json_free(b->svals[i]);
    b->slen = 0;
    b->klen = 0;
    b->depth = 0;
    json_free(b->root);
    b->root = NULL;
    b->done = 0;
}

void json_builder_free(json_builder *b)
{
    if (!b)
        return;
    json_builder_reset(b);
    free(b->stack);
    free(b->start);
    free(b->kstart);
    free(b->pk_off);
    free(b->pk_len);
    free(b->skoff);
    free(b->sklen);
    free(b->svals);
    free(b->karena);
    free(b);
}

size_t json_builder_depth(const json_builder *b) { return b->depth; }
const json_value *json_builder_root(const json_builder *b) { return b->root; }

static uint64_t key_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

/* Removes duplicate keys of an object, keeping the last value of each (in the position
 * of that last occurrence). Duplicates are rare: they are first detected with a small
 * hash table, and only then removed. */
static int object_dedupe(json_value *obj)
{
    size_t n = obj->u.object.len, tcap = 16, w;
    char **keys = obj->u.object.keys;
    json_value **values = obj->u.object.values;
    uint32_t small[64], *table = small;
    unsigned char *drop = NULL;
    int any = 0;

    if (n < 2)
        return 0;
    if (n <= 8) {
        /* small objects (most of OCDS): pairwise, the first byte usually differs */
        for (size_t i = 0; i + 1 < n && !any; i++)
            for (size_t j = i + 1; j < n; j++)
                if (keys[i][0] == keys[j][0] && strcmp(keys[i], keys[j]) == 0) {
                    any = 1;
                    break;
                }
        if (!any)
            return 0;
    } else {
        while (tcap < 2 * n)
            tcap *= 2;
        if (tcap > 64 && !(table = malloc(tcap * sizeof(uint32_t))))
            return ERR_NOMEM;
        memset(table, 0xff, tcap * sizeof(uint32_t));
        for (size_t i = 0; i < n && !any; i++) {
            size_t h = (size_t)key_hash(keys[i]) & (tcap - 1);
            while (table[h] != UINT32_MAX) {
                if (strcmp(keys[table[h]], keys[i]) == 0) {
                    any = 1;
                    break;
                }
                h = (h + 1) & (tcap - 1);
            }
            table[h] = (uint32_t)i;
        }
        if (table != small)
            free(table);
    }
    if (!any)
        return 0;
    /* Slow path: mark every key that has a later twin. */
    drop = calloc(n, 1);
    if (!drop)
        return ERR_NOMEM;
    {
        key_index *idx = sorted_keys(keys, n);
        if (!idx) {
            free(drop);
            return ERR_NOMEM;
        }
        for (size_t i = 0; i + 1 < n; i++)
            if (strcmp(idx[i].key, idx[i + 1].key) == 0)
                drop[idx[i].i] = 1; /* sorted by (key, position): drop the earlier */
        free(idx);
    }
    w = 0;
    for (size_t i = 0; i < n; i++) {
        if (drop[i]) {
            key_release(obj, keys[i]);
            json_free(values[i]);
            continue;
        }
        keys[w] = keys[i];
        values[w] = values[i];
        w++;
    }
    obj->u.object.len = w;
    free(drop);
    return 0;
}

/* Attaches a complete value v to the innermost open container (or makes it the root). */
static int builder_attach(json_builder *b, json_value *v)
{
    json_value *top;
    size_t koff = NO_KEY, klen = 0;

    if (b->depth == 0) {
        if (b->root) {
            json_free(v);
            return ERR_BAD_INPUT;
        }
        b->root = v;
        return 0;
    }
    top = b->stack[b->depth - 1];
    if (top->type == JSON_OBJECT) {
        koff = b->pk_off[b->depth - 1];
        klen = b->pk_len[b->depth - 1];
        if (koff == NO_KEY) {
            json_free(v);
            return ERR_BAD_INPUT;
        }
    }
    if (b->depth == 1) {
        /* the root container: attach now (a root object's keys are allocated singly) */
        if (top->type == JSON_ARRAY)
            return json_array_push(top, v);
        b->pk_off[0] = NO_KEY;
        b->klen = koff; /* the key's bytes are no longer needed in the arena */
        return object_append(top, b->karena + koff, klen, v);
    }
    if (b->slen == b->scap) {
        size_t ncap = b->scap ? b->scap * 2 : 64;
        size_t *no = realloc(b->skoff, ncap * sizeof(*no)), *nl;
        json_value **nv;
        if (!no) {
            json_free(v);
            return ERR_NOMEM;
        }
        b->skoff = no;
        nl = realloc(b->sklen, ncap * sizeof(*nl));
        if (!nl) {
            json_free(v);
            return ERR_NOMEM;
        }
        b->sklen = nl;
        nv = realloc(b->svals, ncap * sizeof(*nv));
        if (!nv) {
            json_free(v);
            return ERR_NOMEM;
        }
        b->svals = nv;
        b->scap = ncap;
    }
    b->skoff[b->slen] = koff;
    b->sklen[b->slen] = klen;
    b->svals[b->slen] = v;
    b->slen++;
    if (koff != NO_KEY)
        b->pk_off[b->depth - 1] = NO_KEY;
    return 0;
}

int json_builder_scalar(json_builder *b, json_value *v)
{
    int rc;

    if (!v)
        return ERR_NOMEM;
    rc = builder_attach(b, v);
    if (rc == 0 && b->depth == 0)
        b->done = 1;
    return rc;
}

static int grow_sizes(size_t **p, size_t ncap)
{
    size_t *n = realloc(*p, ncap * sizeof(size_t));

    if (!n)
        return ERR_NOMEM;
    *p = n;
    return 0;
}

static int builder_open(json_builder *b, json_value *v)
{
    int rc;

    if (!v)
        return ERR_NOMEM;
    if (b->depth >= b->max_depth) {
        json_free(v);
        return ERR_LIMIT;
    }
    if (b->depth == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 16;
        json_value **st = realloc(b->stack, ncap * sizeof(*st));
        if (!st || (b->stack = st, 0) || grow_sizes(&b->start, ncap) || grow_sizes(&b->kstart, ncap) ||
            grow_sizes(&b->pk_off, ncap) || grow_sizes(&b->pk_len, ncap)) {
            json_free(v);
            return ERR_NOMEM;
        }
        b->cap = ncap;
    }
    rc = builder_attach(b, v);
    if (rc)
        return rc;
    b->stack[b->depth] = v;
    b->start[b->depth] = b->slen;
    b->kstart[b->depth] = b->klen;
    b->pk_off[b->depth] = NO_KEY;
    b->pk_len[b->depth] = 0;
    b->depth++;
    return 0;
}

int json_builder_start_object(json_builder *b) { return builder_open(b, json_new_object()); }
int json_builder_start_array(json_builder *b) { return builder_open(b, json_new_array()); }

int json_builder_key(json_builder *b, const char *key, size_t len)
{
    if (b->depth == 0 || b->stack[b->depth - 1]->type != JSON_OBJECT ||
        b->pk_off[b->depth - 1] != NO_KEY)
        return ERR_BAD_INPUT;
    if (len > ((size_t)-1) / 2 - b->klen)
        return ERR_NOMEM;
    if (b->klen + len + 1 > b->kcap) {
        size_t ncap = b->kcap ? b->kcap * 2 : 4096;
        char *na;
        while (ncap < b->klen + len + 1)
            ncap *= 2;
        na = realloc(b->karena, ncap);
        if (!na)
            return ERR_NOMEM;
        b->karena = na;
        b->kcap = ncap;
    }
    if (len)
        memcpy(b->karena + b->klen, key, len);
    b->karena[b->klen + len] = '\0';
    b->pk_off[b->depth - 1] = b->klen;
    b->pk_len[b->depth - 1] = len;
    b->klen += len + 1;
    return 0;
}

int json_builder_end(json_builder *b)
{
    json_value *top;

    if (b->depth == 0)
        return ERR_BAD_INPUT;
    top = b->stack[b->depth - 1];
    if (top->type == JSON_OBJECT && b->pk_off[b->depth - 1] != NO_KEY)
        return ERR_BAD_INPUT;
    if (b->depth > 1) {
        /* move the members from the scratch stack into an exact block */
        size_t from = b->start[b->depth - 1], n = b->slen - from;
        if (top->type == JSON_ARRAY) {
            if (n) {
                json_value **items = malloc(n * sizeof(*items));
                if (!items)
                    return ERR_NOMEM;
                memcpy(items, b->svals + from, n * sizeof(*items));
                top->u.array.items = items;
                top->u.array.len = top->u.array.cap = n;
            }
        } else if (n) {
            size_t kbytes = 0, pos = 0, dummy;
            char *region;
            for (size_t i = from; i < b->slen; i++)
                kbytes += b->sklen[i] + 1;
            if (object_alloc(top, n, kbytes))
                return ERR_NOMEM;
            region = key_region(top, &dummy);
            for (size_t i = 0; i < n; i++) {
                size_t len = b->sklen[from + i];
                memcpy(region + pos, b->karena + b->skoff[from + i], len + 1);
                top->u.object.keys[i] = region + pos;
                top->u.object.values[i] = b->svals[from + i];
                pos += len + 1;
            }
            top->u.object.len = n;
        }
        b->slen = from;
        b->klen = b->kstart[b->depth - 1];
    }
    if (top->type == JSON_OBJECT && object_dedupe(top))
        return ERR_NOMEM;
    b->depth--;
    if (b->depth == 0)
        b->done = 1;
    return 0;
}

json_value *json_builder_take(json_builder *b)
{
    json_value *v;

    if (!b->done || b->depth != 0)
        return NULL;
    v = b->root;
    b->root = NULL;
    b->done = 0;
    return v;
}

/* ------------------------------------------------------------------ UTF-8 */

size_t json_utf8_valid_prefix(const char *str, size_t len, int *truncated)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    if (truncated)
        *truncated = 0;
    while (i < len) {
        /* ASCII fast path: 8 bytes at a time. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            need = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else
            return i;
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= len) {
                if (truncated)
                    *truncated = 1;
                return i;
            }
            unsigned cc = s[i + k];
            if (k == 1 ? (cc < lo || cc > hi) : (cc < 0x80 || cc > 0xBF))
                return i;
        }
        i += need + 1;
    }
    return len;
}

/* ------------------------------------------------------------------ parse */

typedef struct {
    json_builder *b;
    int rc;          /* the builder's error, when a callback failed */
} parse_ctx;

#define PCTX ((parse_ctx *)ctx)
#define PCALL(expr)                         \
    do {                                    \
        int rc_ = (expr);                   \
        if (rc_) {                          \
            PCTX->rc = rc_;                 \
            return 0;                       \
        }                                   \
        return 1;                           \
    } while (0)

static int p_null(void *ctx) { PCALL(json_builder_scalar(PCTX->b, json_new_null())); }
static int p_bool(void *ctx, int v) { PCALL(json_builder_scalar(PCTX->b, json_new_bool(v))); }
static int p_number(void *ctx, const char *s, size_t n)
{
    PCALL(json_builder_scalar(PCTX->b, json_new_number_text(s, n)));
}
static int p_string(void *ctx, const unsigned char *s, size_t n)
{
    PCALL(json_builder_scalar(PCTX->b, json_new_string((const char *)s, n)));
}
static int p_start_map(void *ctx) { PCALL(json_builder_start_object(PCTX->b)); }
static int p_map_key(void *ctx, const unsigned char *s, size_t n)
{
    PCALL(json_builder_key(PCTX->b, (const char *)s, n));
}
static int p_end(void *ctx) { PCALL(json_builder_end(PCTX->b)); }
static int p_start_array(void *ctx) { PCALL(json_builder_start_array(PCTX->b)); }

static const yajl_callbacks parse_callbacks = {
    p_null, p_bool, NULL, NULL, p_number, p_string,
    p_start_map, p_map_key, p_end, p_start_array, p_end,
};

/* 1-based line of byte `off` of text. */
static size_t line_of(const char *text, size_t off)
{
    size_t line = 1;
    const char *p = text, *end = text + off;

    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        line++;
        p++;
    }
    return line;
}

int json_parse(json_value **out, const char *text, size_t len, err_t *e)
{
    parse_ctx pc = {NULL, 0};
    yajl_handle h = NULL;
    yajl_status st;
    size_t bad;
    int truncated, rc = 0;

    *out = NULL;
    if (len > JSON_MAX_VALUE_BYTES)
        return err_set(e, ERR_LIMIT, "JSON text of %zu bytes exceeds the limit of %u bytes",
                       len, JSON_MAX_VALUE_BYTES);
    bad = json_utf8_valid_prefix(text, len, &truncated);
    if (bad < len)
        return err_set(e, ERR_BAD_INPUT, "invalid UTF-8 at byte %zu (line %zu): byte 0x%02X",
                       bad, line_of(text, bad), (unsigned)(unsigned char)text[bad]);
    pc.b = json_builder_new(JSON_MAX_DEPTH);
    if (!pc.b) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    h = yajl_alloc(&parse_callbacks, NULL, &pc);
    if (!h) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    yajl_config(h, yajl_dont_validate_strings, 1);
    st = yajl_parse(h, (const unsigned char *)text, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (st != yajl_status_ok) {
        size_t off = yajl_get_bytes_consumed(h);
        if (off > len)
            off = len;
        if (pc.rc == ERR_LIMIT) {
            rc = err_set(e, ERR_LIMIT, "JSON nested deeper than %d levels at byte %zu (line %zu)",
                         JSON_MAX_DEPTH, off ? off - 1 : 0, line_of(text, off ? off - 1 : 0));
        } else if (pc.rc == ERR_NOMEM) {
            rc = err_set(e, ERR_NOMEM, "out of memory while parsing JSON");
        } else {
            unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
            const char *m = msg ? (const char *)msg : "syntax error";
            size_t ml = strlen(m);
            while (ml && (m[ml - 1] == '\n' || m[ml - 1] == ' '))
                ml--;
            rc = err_set(e, ERR_BAD_INPUT, "invalid JSON at byte %zu (line %zu): %.*s", off,
                         line_of(text, off), (int)ml, m);
            if (msg)
                yajl_free_error(h, msg);
        }
        goto cleanup;
    }
    *out = json_builder_take(pc.b);
    if (!*out)
        rc = err_set(e, ERR_BAD_INPUT, "invalid JSON: no value");
cleanup:
    if (h)
        yajl_free(h);
    json_builder_free(pc.b);
    return rc;
}

/* ------------------------------------------------------------------ writers */

/* Appends to b as buf_append does, without the call when the bytes fit in what is
 * allocated (the writer appends a few bytes at a time; the call was a tenth of it). Same
 * results and failures: the slow path is buf_append itself. */
static inline int jbuf_append(buf_t *b, const void *p, size_t n)
{
    if (n <= b->max && b->len <= b->max - n && n < b->cap - b->len) {
        if (n)
            memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return buf_append(b, p, n);
}

static inline int jbuf_putc(buf_t *b, char c)
{
    return jbuf_append(b, &c, 1);
}

int json_write_string(buf_t *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, run = 0;
    int rc;

    if (len < 254) {
        /* the common case: a short string with nothing to escape, in one append */
        char tmp[256];
        size_t k = 0;
        while (k < len && (unsigned char)s[k] >= 0x20 && s[k] != '"' && s[k] != '\\')
            k++;
        if (k == len) {
            tmp[0] = '"';
            memcpy(tmp + 1, s, len);
            tmp[len + 1] = '"';
            return jbuf_append(b, tmp, len + 2);
        }
    }
    if ((rc = jbuf_putc(b, '"')))
        return rc;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        if (i > run && (rc = jbuf_append(b, s + run, i - run)))
            return rc;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        if ((rc = jbuf_append(b, esc, n)))
            return rc;
        i++;
        run = i;
    }
    if (i > run && (rc = jbuf_append(b, s + run, i - run)))
        return rc;
    return jbuf_putc(b, '"');
}

static int write_number_canonical(buf_t *b, const json_value *v)
{
    const char *t = v->u.number.text;
    double d;
    char tmp[40];
    size_t n;

    if (!strpbrk(t, ".eE") && !(t[0] == '-' && t[1] == '0' && t[2] == '\0'))
        return jbuf_append(b, t, v->u.number.len);
    d = strtod(t, NULL);
    if (isfinite(d) && d == floor(d) && fabs(d) < 9007199254740992.0) {
        n = format_double(tmp, sizeof(tmp), d);
        return jbuf_append(b, tmp, n);
    }
    return jbuf_append(b, t, v->u.number.len);
}

static int write_value(buf_t *b, const json_value *v, int canonical, int depth)
{
    int rc = 0;

    if (depth > 10000)
        return ERR_LIMIT;
    switch (v->type) {
    case JSON_NULL:
        return jbuf_append(b, "null", 4);
    case JSON_BOOL:
        return v->u.boolean ? jbuf_append(b, "true", 4) : jbuf_append(b, "false", 5);
    case JSON_NUMBER:
        return canonical ? write_number_canonical(b, v) : jbuf_append(b, v->u.number.text, v->u.number.len);
    case JSON_STRING:
        return json_write_string(b, v->u.string.s, v->u.string.len);
    case JSON_ARRAY:
        if ((rc = jbuf_putc(b, '[')))
            return rc;
        for (size_t i = 0; i < v->u.array.len; i++) {
            if (i && (rc = jbuf_putc(b, ',')))
                return rc;
            if ((rc = write_value(b, v->u.array.items[i], canonical, depth + 1)))
                return rc;
        }
        return jbuf_putc(b, ']');
    case JSON_OBJECT: {
        size_t n = v->u.object.len;
        key_index small[32], *idx = NULL;
        if ((rc = jbuf_putc(b, '{')))
            return rc;
        if (canonical && n > 1) {
            if (n <= 32) {
                /* insertion sort on the stack: small objects are the common case */
                idx = small;
                for (size_t i = 0; i < n; i++) {
                    key_index x = {v->u.object.keys[i], i};
                    size_t j = i;
                    while (j > 0 && strcmp(idx[j - 1].key, x.key) > 0) {
                        idx[j] = idx[j - 1];
                        j--;
                    }
                    idx[j] = x;
                }
            } else if (!(idx = sorted_keys(v->u.object.keys, n))) {
                return ERR_NOMEM;
            }
        }
        for (size_t k = 0; k < n && rc == 0; k++) {
            size_t i = idx ? idx[k].i : k;
            const char *key = v->u.object.keys[i];
            if (k && (rc = jbuf_putc(b, ',')))
                break;
            {
                /* "key": in one append when the key needs no escape (nearly always) */
                size_t kl = strlen(key), q = 0;
                char tmp[128];
                while (q < kl && kl < 120 && (unsigned char)key[q] >= 0x20 && key[q] != '"' &&
                       key[q] != '\\')
                    q++;
                if (kl < 120 && q == kl) {
                    tmp[0] = '"';
                    memcpy(tmp + 1, key, kl);
                    tmp[kl + 1] = '"';
                    tmp[kl + 2] = ':';
                    if ((rc = jbuf_append(b, tmp, kl + 3)))
                        break;
                } else if ((rc = json_write_string(b, key, kl)) || (rc = jbuf_putc(b, ':'))) {
                    break;
                }
            }
            rc = write_value(b, v->u.object.values[i], canonical, depth + 1);
        }
        if (idx && idx != small)
            free(idx);
        return rc ? rc : jbuf_putc(b, '}');
    }
    }
    return 0;
}

int json_write(buf_t *b, const json_value *v)
{
    return v ? write_value(b, v, 0, 0) : jbuf_append(b, "null", 4);
}

int json_write_canonical(buf_t *b, const json_value *v)
{
    return v ? write_value(b, v, 1, 0) : jbuf_append(b, "null", 4);
}
