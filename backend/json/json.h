/* json.h - a small JSON document tree, built from yajl's event parser, and its writer.
 *
 * Used for one release (or one compiled release) at a time: the OCDS reader streams a
 * file with yajl and builds one json_value per release, so memory is bounded by the
 * largest release, never by the file. Objects keep their keys in input order (the
 * writer reproduces them), numbers keep their source text (no precision lost), strings
 * are UTF-8 with their length (they may contain NUL bytes from \u0000).
 *
 * Ownership: every json_value is owned by its parent; json_free() frees a whole tree.
 * Accessors never allocate and return NULL when the path does not exist or the type
 * differs.
 */
#ifndef PROCAUDIT_JSON_H
#define PROCAUDIT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

typedef enum {
    JSON_NULL,   /* null */
    JSON_BOOL,   /* true / false: u.boolean */
    JSON_NUMBER, /* u.number: the source text, as written in the input */
    JSON_STRING, /* u.string */
    JSON_ARRAY,  /* u.array */
    JSON_OBJECT  /* u.object: keys in input order; duplicate keys keep the last value */
} json_type;

typedef struct json_value json_value;

struct json_value {
    json_type type;
    union {
        int boolean;
        struct { char *text; size_t len; } number;
        struct { char *s; size_t len; } string;
        struct { json_value **items; size_t len, cap; } array;
        struct { char **keys; json_value **values; size_t len, cap; } object;
    } u;
};

/* Limits every parse applies (hostile input): nesting depth and one value's size. */
#define JSON_MAX_DEPTH 64
#define JSON_MAX_VALUE_BYTES (256u * 1024u * 1024u)

/* Constructors: return a new value owned by the caller, or NULL when out of memory. */
json_value *json_new_null(void);
json_value *json_new_bool(int b);
json_value *json_new_number_text(const char *text, size_t len);
json_value *json_new_number(double d);
json_value *json_new_string(const char *s, size_t len);
json_value *json_new_cstring(const char *s);
json_value *json_new_array(void);
json_value *json_new_object(void);

/* Appends `item` to array `arr` and takes ownership of it (also on failure, when it is
 * freed). Returns 0 or ERR_NOMEM. */
int json_array_push(json_value *arr, json_value *item) PA_MUSTCHECK;
/* Sets key `key` of object `obj` to `v`, replacing (and freeing) an existing value with
 * that key; takes ownership of `v` (also on failure). Returns 0 or ERR_NOMEM. */
int json_object_set(json_value *obj, const char *key, json_value *v) PA_MUSTCHECK;
/* Removes key `key` from `obj` (freeing its value); no-op when absent. */
void json_object_remove(json_value *obj, const char *key);
/* Removes and returns the value of key `key` (the caller owns it), or NULL. */
json_value *json_object_take(json_value *obj, const char *key);

/* Frees a tree. NULL is accepted. */
void json_free(json_value *v);
/* A deep copy, or NULL when out of memory. */
json_value *json_clone(const json_value *v);
/* Structural equality (object key order ignored; numbers compared by value). */
int json_equal(const json_value *a, const json_value *b);

/* Accessors. json_get: a member of an object. json_path: a dotted path of members
 * ("tender.tenderPeriod.startDate"); array elements are not addressed by paths. */
const json_value *json_get(const json_value *obj, const char *key);
const json_value *json_path(const json_value *v, const char *dotted);
/* The string of a JSON_STRING, else NULL. */
const char *json_str(const json_value *v);
/* The string at a member key of an object, else NULL. */
const char *json_get_str(const json_value *obj, const char *key);
/* A number: from JSON_NUMBER, or (when allow_string) a JSON_STRING holding a finite
 * decimal number. Returns 0 and sets *out, or ERR_NOT_FOUND (absent, null, "") or
 * ERR_BAD_INPUT (another type or not a finite number). */
int json_number(const json_value *v, int allow_string, double *out);
size_t json_len(const json_value *v);                       /* array/object length, else 0 */
const json_value *json_at(const json_value *arr, size_t i); /* array element or NULL */

/* Parses one complete JSON text of len bytes (must be valid UTF-8; trailing white space
 * allowed, anything else after the value is an error). On success *out is a new tree the
 * caller frees. Errors: ERR_BAD_INPUT (syntax, invalid UTF-8, with the byte offset in
 * the message), ERR_LIMIT (depth or size), ERR_NOMEM. */
int json_parse(json_value **out, const char *text, size_t len, err_t *e) PA_MUSTCHECK;

/* Writes v as compact JSON (no spaces, keys in tree order) to b. Returns 0 or the
 * buf_append error. */
int json_write(buf_t *b, const json_value *v) PA_MUSTCHECK;
/* Writes v with keys sorted by byte order at every level: a canonical form, so that
 * equal content gives equal bytes (used for content hashes and determinism). Numbers
 * with an integral value below 2^53 are written as plain integers (1.0, 1e3, -0 ->
 * 1, 1000, 0); every other number keeps its source text, so that nothing is rounded. */
int json_write_canonical(buf_t *b, const json_value *v) PA_MUSTCHECK;

/* --- Additions (json helper): storage note, incremental building, UTF-8 check. ---
 *
 * Storage: a JSON_STRING's or JSON_NUMBER's text is allocated together with its node by
 * the constructors (one allocation). Never free() or reassign u.string.s / u.number.text
 * of a node made by this module: to change a value, replace the node (json_object_set,
 * or json_free + a new node). The text is always NUL-terminated. Likewise an object's
 * keys may be packed into the object's own allocation: never free() or realloc
 * u.object.keys / u.object.values / a key yourself; remove members with
 * json_object_remove/json_object_take, or, when compacting the arrays by hand, release
 * each dropped key with json_object_key_free.
 */

/* Frees `key`, a key of `obj` that the caller has unlinked from obj's arrays (a no-op
 * for a key packed into obj's allocation, which goes with the object). */
void json_object_key_free(json_value *obj, char *key);

/* Incremental building of one tree from parser events (yajl callbacks, or the OCDS
 * reader's own events). Keys may repeat: at the end of an object duplicates are removed,
 * the last value wins. The builder refuses nesting deeper than `max_depth`
 * (ERR_LIMIT). All json_builder_* functions return 0, ERR_NOMEM, ERR_LIMIT (depth) or
 * ERR_BAD_INPUT (an event that does not fit: a key outside an object, a value where a key
 * is expected, an end with nothing open, a second top-level value). */
typedef struct json_builder json_builder;
json_builder *json_builder_new(size_t max_depth);      /* NULL when out of memory */
void json_builder_free(json_builder *b);               /* also frees a partial tree */
void json_builder_reset(json_builder *b);              /* drops a partial or finished tree */
int json_builder_scalar(json_builder *b, json_value *v) PA_MUSTCHECK; /* takes v */
int json_builder_start_object(json_builder *b) PA_MUSTCHECK;
int json_builder_key(json_builder *b, const char *key, size_t len) PA_MUSTCHECK;
int json_builder_start_array(json_builder *b) PA_MUSTCHECK;
int json_builder_end(json_builder *b) PA_MUSTCHECK;    /* closes the open object/array */
size_t json_builder_depth(const json_builder *b);      /* open containers */
/* The finished tree (caller owns it), or NULL when nothing or only part was built. */
json_value *json_builder_take(json_builder *b);
/* The root built so far, complete or not (owned by the builder), or NULL. Lets a caller
 * look at the finished members of a partly built object (duplicates not yet removed). */
const json_value *json_builder_root(const json_builder *b);

/* Length of the longest valid UTF-8 prefix of s (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). When the first invalid sequence is only cut off by the end of
 * s (a chunk boundary), *truncated is set to 1, else 0. Returns len when all is valid. */
size_t json_utf8_valid_prefix(const char *s, size_t len, int *truncated);

/* Appends the JSON string literal of s (quotes and escapes) to b. */
int json_write_string(buf_t *b, const char *s, size_t len) PA_MUSTCHECK;

#endif
