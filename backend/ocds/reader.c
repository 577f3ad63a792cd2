/* reader.c - the streaming OCDS reader: yajl events -> one json_value per release.
 *
 * The parser runs over the input in chunks. Outside the values we keep (releases,
 * records' compiled releases, package metadata) the reader only keeps a small stack of
 * "frames": an object that may be a package, a record or a release (FR_OBJ), a
 * `releases` array (FR_REL_ARR), a `records` array (FR_REC_ARR) and a top-level array
 * (FR_TOP_ARR). The members of an FR_OBJ are built into a tree by the frame's own
 * builder, except its `releases`/`records` arrays, which are streamed one element at a
 * time through the item builder. So memory is bounded by the largest release plus the
 * package metadata.
 */
#include "ocds/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

#include "ocds/merge.h"

#define READ_CHUNK (64u * 1024u)
#define HARD_DEPTH 100000u /* beyond this the parser's own stack is refused */

typedef enum { FR_OBJ, FR_REL_ARR, FR_REC_ARR, FR_TOP_ARR } frame_kind;
typedef enum { ROLE_TOP, ROLE_RECORD } obj_role;

typedef struct {
    frame_kind kind;
    obj_role role;          /* FR_OBJ */
    json_builder *b;        /* FR_OBJ: its members, streamed arrays left out */
    char *key;              /* FR_OBJ: a key whose value has not started yet */
    size_t key_len;
    int streamed_releases, streamed_records;
    uint64_t offset, line;  /* the container's first byte */
    size_t depth;           /* open containers once this one is open (top level = 1) */
    char *pkg_json;         /* FR_OBJ ROLE_TOP: cached package metadata */
    int pkg_dirty;
    int is_array_elem;      /* FR_OBJ ROLE_TOP inside a top-level array */
} frame;

typedef enum { CAP_NONE, CAP_ITEM, CAP_MEMBER } cap_kind;

typedef enum {
    EV_NULL, EV_BOOL, EV_NUMBER, EV_STRING, EV_START_MAP, EV_KEY, EV_END_MAP,
    EV_START_ARRAY, EV_END_ARRAY
} ev_kind;

struct ocds_reader {
    char *name;
    ocds_item_cb cb;
    void *ctx;
    yajl_handle h;
    frame *frames;
    size_t n_frames, cap_frames;
    size_t depth;             /* open containers */
    /* capture: events go to a builder until the value closes */
    cap_kind cap;
    size_t cap_base;          /* depth before the captured value opened */
    uint64_t cap_off, cap_line;
    json_builder *item_b;
    /* discard: skip events until depth drops back to discard_base */
    int discarding;
    size_t discard_base;
    size_t discard_frame;     /* frames to keep when done */
    int discard_is_frame;     /* the unit is an FR_OBJ frame (else the captured item) */
    uint64_t discard_off, discard_line;
    char discard_field[32];
    char discard_msg[200];
    /* positions */
    uint64_t abs;             /* file offset of the current chunk's first byte */
    const char *chunk;
    size_t chunk_len;
    uint64_t line_pos, line_no; /* line_no is the line of byte line_pos */
    /* top-level values */
    int in_top;
    size_t n_top;
    uint64_t top_off, top_line, last_top_end_line;
    int jsonl_ok;             /* every value so far on one line of its own */
    char top_shape[32];
    char first_shape[32];
    /* input handling */
    unsigned char head[3];
    size_t head_len;
    int head_done;
    unsigned char carry[4];
    size_t carry_len;
    int utf8_checked;         /* the caller validated everything already */
    int skip_to_newline;
    uint64_t total_in;
    int fatal_rc;
    err_t fatal;
    size_t n_items;
    unsigned events;          /* capture events, for the periodic size check */
    json_builder *spare[4];   /* builders of closed FR_OBJ frames, for reuse */
    size_t n_spare;
    ocds_read_stats stats;
};

/* ------------------------------------------------------------------ positions */

static uint64_t tok_end(const ocds_reader *r)
{
    return r->abs + yajl_get_bytes_consumed(r->h);
}

/* Line of absolute offset `off`, which must lie in the current chunk (or at its end). */
static uint64_t line_at(ocds_reader *r, uint64_t off)
{
    if (off > r->abs + r->chunk_len)
        off = r->abs + r->chunk_len;
    if (off < r->abs)
        off = r->abs;
    if (off >= r->line_pos) {
        const char *p = r->chunk + (r->line_pos - r->abs), *end = r->chunk + (off - r->abs);
        while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            r->line_no++;
            p++;
        }
    } else {
        const char *p = r->chunk + (off - r->abs), *end = r->chunk + (r->line_pos - r->abs);
        while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            r->line_no--;
            p++;
        }
    }
    r->line_pos = off;
    return r->line_no;
}

/* ------------------------------------------------------------------ errors */

static int set_fatal(ocds_reader *r, int code, const char *fmt, ...) PA_PRINTF(3, 4);
static int set_fatal(ocds_reader *r, int code, const char *fmt, ...)
{
    va_list ap;

    if (r->fatal_rc)
        return r->fatal_rc;
    r->fatal_rc = code;
    r->fatal.code = code;
    va_start(ap, fmt);
    vsnprintf(r->fatal.msg, sizeof(r->fatal.msg), fmt, ap);
    va_end(ap);
    return code;
}

/* The JSON type with its article, for messages: "an array", "a string", "null". */
static const char *type_name(const json_value *v)
{
    static const char *names[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
    return v ? names[v->type] : "nothing";
}

/* ------------------------------------------------------------------ items */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* The package metadata of the innermost package frame, as compact JSON, or NULL. */
static const char *package_json(ocds_reader *r)
{
    static const char *keys[] = {"uri", "publisher", "license", "publishedDate", "version"};

    for (size_t i = r->n_frames; i-- > 0;) {
        frame *f = &r->frames[i];
        if (f->kind != FR_OBJ || f->role != ROLE_TOP)
            continue;
        if (f->pkg_dirty) {
            const json_value *root = json_builder_root(f->b);
            buf_t b;
            int rc = 0, any = 0;
            buf_init(&b, 1u << 20);
            rc = buf_putc(&b, '{');
            for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]) && !rc; k++) {
                const json_value *v = json_get(root, keys[k]);
                if (!v)
                    continue;
                if (any)
                    rc = buf_putc(&b, ',');
                if (!rc)
                    rc = json_write_string(&b, keys[k], strlen(keys[k]));
                if (!rc)
                    rc = buf_putc(&b, ':');
                if (!rc)
                    rc = json_write(&b, v);
                any = 1;
            }
            if (!rc)
                rc = buf_putc(&b, '}');
            free(f->pkg_json);
            f->pkg_json = NULL;
            if (!rc && any)
                f->pkg_json = buf_take(&b);
            buf_dispose(&b);
            f->pkg_dirty = 0;
        }
        return f->pkg_json;
    }
    return NULL;
}

/* The ocid of the innermost record frame (an OCDS record, or an OCP bare record). */
static const char *record_ocid(ocds_reader *r)
{
    for (size_t i = r->n_frames; i-- > 0;) {
        frame *f = &r->frames[i];
        if (f->kind == FR_OBJ) {
            const char *o = json_get_str(json_builder_root(f->b), "ocid");
            if (o || f->role == ROLE_RECORD)
                return o;
        }
    }
    return NULL;
}

/* Hands one item to the callback and frees what the callback left. Takes `rel`. */
static int deliver(ocds_reader *r, ocds_item *it)
{
    int rc;

    it->file = r->name;
    it->index = r->n_items++;
    if (!it->package_json)
        it->package_json = package_json(r);
    switch (it->kind) {
    case OCDS_ITEM_RELEASE: r->stats.releases++; break;
    case OCDS_ITEM_COMPILED: r->stats.compiled++; break;
    case OCDS_ITEM_LINKED: r->stats.linked++; break;
    case OCDS_ITEM_REJECTED: r->stats.rejected++; break;
    }
    rc = r->cb ? r->cb(r->ctx, it) : 0;
    if (rc) {
        if (it->kind != OCDS_ITEM_REJECTED && it->error.msg[0])
            set_fatal(r, rc, "%s", it->error.msg);
        else
            set_fatal(r, rc, "%s: the item callback stopped the read at line %llu (byte %llu)",
                      r->name, (unsigned long long)it->line, (unsigned long long)it->offset);
    }
    json_free(it->release);
    it->release = NULL;
    model_notes_free(it->notes, it->n_notes);
    it->notes = NULL;
    it->n_notes = 0;
    return rc;
}

static int reject(ocds_reader *r, json_value *rel, uint64_t off, uint64_t line,
                  const char *field, const char *fmt, ...) PA_PRINTF(6, 7);
static int reject(ocds_reader *r, json_value *rel, uint64_t off, uint64_t line,
                  const char *field, const char *fmt, ...)
{
    ocds_item it;
    char msg[600];
    va_list ap;
    const char *ocid = json_get_str(rel, "ocid");
    const char *id = json_get_str(rel, "id");

    memset(&it, 0, sizeof(it));
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    it.kind = OCDS_ITEM_REJECTED;
    it.release = rel;
    it.ocid = ocid;
    it.release_id = id;
    it.offset = off;
    it.line = line;
    err_set(&it.error, ERR_BAD_INPUT, "%s: %s (%s, line %llu, byte %llu%s%s%s%s)", field, msg,
            r->name, (unsigned long long)line, (unsigned long long)off, ocid ? ", ocid " : "",
            ocid ? ocid : "", id ? ", release id " : "", id ? id : "");
    return deliver(r, &it);
}

/* Emits a release or compiled release (takes rel). Checks the ocid, gives the id as
 * text, and turns an {url, date, tag} object into a linked-release item. */
static int emit(ocds_reader *r, ocds_item_kind kind, json_value *rel, uint64_t off, uint64_t line,
                const char *ocid_fallback)
{
    ocds_item it;
    const json_value *ocid_v, *id_v;
    char idbuf[64];

    memset(&it, 0, sizeof(it));
    if (!rel || rel->type != JSON_OBJECT) {
        return reject(r, rel, off, line, "release", "expected a release object, found %s",
                      type_name(rel));
    }
    ocid_v = json_get(rel, "ocid");
    if (!ocid_v || ocid_v->type != JSON_STRING || ocid_v->u.string.len == 0) {
        if (kind == OCDS_ITEM_RELEASE && json_get_str(rel, "url") && !json_get(rel, "id")) {
            /* A linked release ({url, date, tag}): noted and skipped (SPEC 3.1). */
            it.kind = OCDS_ITEM_LINKED;
            it.release = rel;
            it.ocid = ocid_fallback;
            it.offset = off;
            it.line = line;
            return deliver(r, &it);
        }
        if (kind == OCDS_ITEM_COMPILED && ocid_fallback && !ocid_v) {
            /* A record's compiledRelease without its own ocid: take the record's. */
            if (json_object_set(rel, "ocid", json_new_cstring(ocid_fallback))) {
                json_free(rel);
                return set_fatal(r, ERR_NOMEM, "out of memory");
            }
        } else if (!ocid_v || ocid_v->type == JSON_NULL) {
            return reject(r, rel, off, line, "ocid", "the release has no ocid");
        } else {
            return reject(r, rel, off, line, "ocid", "the ocid is %s, not a non-empty string",
                          ocid_v->type == JSON_STRING ? "an empty string" : type_name(ocid_v));
        }
    }
    it.kind = kind;
    it.release = rel;
    it.ocid = json_get_str(rel, "ocid");
    it.offset = off;
    it.line = line;
    id_v = json_get(rel, "id");
    if (id_v && id_v->type == JSON_STRING) {
        it.release_id = id_v->u.string.s;
    } else if (id_v && id_v->type == JSON_NUMBER) {
        /* The id as text; the note (id_as_number) is left to ocds_normalise, which every
         * release goes through, so that it is not recorded twice. */
        snprintf(idbuf, sizeof(idbuf), "%.*s", (int)(id_v->u.number.len < 60 ? id_v->u.number.len : 60),
                 id_v->u.number.text);
        it.release_id = idbuf;
    }
    return deliver(r, &it);
}

/* ------------------------------------------------------------------ shapes */

static void set_shape(ocds_reader *r, const char *shape, int in_array)
{
    if (r->top_shape[0])
        return;
    snprintf(r->top_shape, sizeof(r->top_shape), "%s%s", in_array ? "array_" : "", shape);
}

static int tag_has(const json_value *rel, const char *want)
{
    const json_value *tag = json_get(rel, "tag");

    if (tag && tag->type == JSON_STRING)
        return strcmp(tag->u.string.s, want) == 0;
    for (size_t i = 0; i < json_len(tag); i++) {
        const char *s = json_str(json_at(tag, i));
        if (s && strcmp(s, want) == 0)
            return 1;
    }
    return 0;
}

/* A record (OCDS record, or OCP bare record): emit its compiled release, or its
 * versioned release reduced to current values. Takes obj. */
static int finish_record(ocds_reader *r, json_value *obj, const frame *f)
{
    json_value *compiled = json_object_take(obj, "compiledRelease");
    json_value *versioned = NULL;
    const char *rec_ocid = json_get_str(obj, "ocid");
    char *ocid_copy = dup_or_null(rec_ocid);
    int rc = 0;

    if (compiled && compiled->type == JSON_OBJECT) {
        rc = emit(r, OCDS_ITEM_COMPILED, compiled, f->offset, f->line, ocid_copy);
        compiled = NULL;
    } else if ((versioned = json_object_take(obj, "versionedRelease")) != NULL &&
               versioned->type == JSON_OBJECT) {
        json_value *c = NULL;
        err_t e;
        rc = ocds_versioned_to_compiled(&c, versioned, &e);
        if (rc == ERR_NOMEM) {
            rc = set_fatal(r, ERR_NOMEM, "out of memory");
        } else if (rc) {
            rc = reject(r, NULL, f->offset, f->line, "versionedRelease", "%s", e.msg);
        } else {
            rc = emit(r, OCDS_ITEM_COMPILED, c, f->offset, f->line, ocid_copy);
        }
    } else if (!f->streamed_releases) {
        rc = reject(r, NULL, f->offset, f->line, "releases",
                    "the record has neither releases nor a compiledRelease");
    }
    json_free(compiled);
    json_free(versioned);
    json_free(obj);
    free(ocid_copy);
    return rc;
}

/* A top-level object (or an element of a top-level array) has closed. Takes obj. */
static int finish_top_object(ocds_reader *r, json_value *obj, const frame *f)
{
    int streamed = f->streamed_releases || f->streamed_records;
    int is_record = json_get(obj, "compiledRelease") || json_get(obj, "versionedRelease");

    if (is_record) {
        set_shape(r, f->streamed_records ? "record_package" : "record", f->is_array_elem);
        return finish_record(r, obj, f);
    }
    if (streamed || json_get(obj, "releases") || json_get(obj, "records")) {
        const json_value *rel = json_get(obj, "releases"), *rec = json_get(obj, "records");
        const char *bad = rel && rel->type != JSON_NULL ? "releases" : rec && rec->type != JSON_NULL ? "records" : NULL;
        set_shape(r, f->streamed_records || rec ? "record_package" : "release_package", f->is_array_elem);
        if (bad) {
            /* "releases": {...} or "records": "x": nothing can be read from it */
            const char *tn = type_name(json_get(obj, bad));
            json_free(obj);
            return reject(r, NULL, f->offset, f->line, bad, "expected an array, found %s", tn);
        }
        json_free(obj);
        return 0;
    }
    if (tag_has(obj, "compiled")) {
        set_shape(r, "compiled_release", f->is_array_elem);
        return emit(r, OCDS_ITEM_COMPILED, obj, f->offset, f->line, NULL);
    }
    if (ocds_is_versioned(obj)) {
        json_value *c = NULL;
        err_t e;
        int rc = ocds_versioned_to_compiled(&c, obj, &e);
        set_shape(r, "versioned_release", f->is_array_elem);
        if (rc == ERR_NOMEM) {
            json_free(obj);
            return set_fatal(r, ERR_NOMEM, "out of memory");
        }
        if (rc)
            return reject(r, obj, f->offset, f->line, "versionedRelease", "%s", e.msg);
        json_free(obj);
        return emit(r, OCDS_ITEM_COMPILED, c, f->offset, f->line, NULL);
    }
    set_shape(r, "release", f->is_array_elem);
    return emit(r, OCDS_ITEM_RELEASE, obj, f->offset, f->line, NULL);
}

/* ------------------------------------------------------------------ frames */

/* FR_OBJ builders are kept for reuse (JSON Lines: one frame per line). */
static void frame_dispose(ocds_reader *r, frame *f)
{
    if (f->b && r->n_spare < sizeof(r->spare) / sizeof(r->spare[0])) {
        json_builder_reset(f->b);
        r->spare[r->n_spare++] = f->b;
    } else {
        json_builder_free(f->b);
    }
    free(f->key);
    free(f->pkg_json);
    memset(f, 0, sizeof(*f));
}

static int push_frame(ocds_reader *r, frame_kind kind, obj_role role, uint64_t off)
{
    frame *f;

    if (r->n_frames == r->cap_frames) {
        size_t ncap = r->cap_frames ? r->cap_frames * 2 : 8;
        frame *nf = realloc(r->frames, ncap * sizeof(*nf));
        if (!nf)
            return set_fatal(r, ERR_NOMEM, "out of memory");
        r->frames = nf;
        r->cap_frames = ncap;
    }
    f = &r->frames[r->n_frames];
    memset(f, 0, sizeof(*f));
    f->kind = kind;
    f->role = role;
    f->offset = off;
    f->line = line_at(r, off);
    f->depth = r->depth + 1;
    if (kind == FR_OBJ) {
        f->b = r->n_spare ? r->spare[--r->n_spare] : json_builder_new(JSON_MAX_DEPTH + 1);
        if (!f->b || json_builder_start_object(f->b)) {
            json_builder_free(f->b);
            return set_fatal(r, ERR_NOMEM, "out of memory");
        }
        f->is_array_elem = r->n_frames > 0 && r->frames[r->n_frames - 1].kind == FR_TOP_ARR;
    }
    r->n_frames++;
    r->depth++;
    return 0;
}

/* Drops frames (and any capture) down to `keep` frames: after a discard or a resync. */
static void drop_frames(ocds_reader *r, size_t keep)
{
    while (r->n_frames > keep)
        frame_dispose(r, &r->frames[--r->n_frames]);
    if (r->cap == CAP_ITEM)
        json_builder_reset(r->item_b);
    r->cap = CAP_NONE;
}

/* Starts skipping the innermost unit (the captured item, else the innermost FR_OBJ
 * frame, else the whole top-level value) because of a limit. */
static void start_discard(ocds_reader *r, const char *field, const char *msg, uint64_t off)
{
    r->discarding = 1;
    r->discard_off = off;
    r->discard_line = line_at(r, off);
    snprintf(r->discard_field, sizeof(r->discard_field), "%s", field);
    snprintf(r->discard_msg, sizeof(r->discard_msg), "%s", msg);
    if (r->cap == CAP_ITEM) {
        r->discard_is_frame = 0;
        r->discard_base = r->cap_base;
        r->discard_frame = r->n_frames;
        r->discard_off = r->cap_off;
        r->discard_line = r->cap_line;
        return;
    }
    r->discard_is_frame = 1;
    for (size_t i = r->n_frames; i-- > 0;) {
        if (r->frames[i].kind == FR_OBJ || i == 0) {
            r->discard_base = r->frames[i].depth - 1;
            r->discard_frame = i;
            r->discard_off = r->frames[i].offset;
            r->discard_line = r->frames[i].line;
            return;
        }
    }
    r->discard_base = 0;
    r->discard_frame = 0;
}

static int finish_discard(ocds_reader *r)
{
    r->discarding = 0;
    drop_frames(r, r->discard_frame);
    return reject(r, NULL, r->discard_off, r->discard_line, r->discard_field, "%s", r->discard_msg);
}

/* ------------------------------------------------------------------ events */

static int feed_builder(ocds_reader *r, json_builder *b, ev_kind ev, const char *s, size_t n, int bv)
{
    switch (ev) {
    case EV_NULL: return json_builder_scalar(b, json_new_null());
    case EV_BOOL: return json_builder_scalar(b, json_new_bool(bv));
    case EV_NUMBER: return json_builder_scalar(b, json_new_number_text(s, n));
    case EV_STRING: return json_builder_scalar(b, json_new_string(s, n));
    case EV_START_MAP: return json_builder_start_object(b);
    case EV_KEY: return json_builder_key(b, s, n);
    case EV_START_ARRAY: return json_builder_start_array(b);
    case EV_END_MAP:
    case EV_END_ARRAY: return json_builder_end(b);
    }
    (void)r;
    return ERR_BAD_INPUT;
}

static int is_start(ev_kind ev) { return ev == EV_START_MAP || ev == EV_START_ARRAY; }
static int is_end(ev_kind ev) { return ev == EV_END_MAP || ev == EV_END_ARRAY; }
static int is_scalar(ev_kind ev) { return ev <= EV_STRING; }

static void top_value_start(ocds_reader *r, uint64_t off)
{
    uint64_t line = line_at(r, off);

    if (r->n_top > 0 && line <= r->last_top_end_line)
        r->jsonl_ok = 0;
    r->in_top = 1;
    r->n_top++;
    r->top_off = off;
    r->top_line = line;
    r->top_shape[0] = '\0';
}

static void top_value_end(ocds_reader *r, uint64_t end_off)
{
    uint64_t line = line_at(r, end_off);

    if (line != r->top_line)
        r->jsonl_ok = 0;
    r->last_top_end_line = line;
    r->in_top = 0;
    if (r->n_top == 1)
        snprintf(r->first_shape, sizeof(r->first_shape), "%s", r->top_shape[0] ? r->top_shape : "invalid");
}

/* A captured value is complete. */
static int capture_done(ocds_reader *r)
{
    frame *f = r->n_frames ? &r->frames[r->n_frames - 1] : NULL;
    cap_kind c = r->cap;

    r->cap = CAP_NONE;
    if (c == CAP_MEMBER) {
        f->pkg_dirty = 1;
        return 0;
    }
    json_value *v = json_builder_take(r->item_b);
    json_builder_reset(r->item_b);
    if (!v)
        return set_fatal(r, ERR_NOMEM, "out of memory");
    if (!f) {
        int rc = reject(r, v, r->cap_off, r->cap_line, "json",
                        "the top-level value is %s, not an object", type_name(v));
        top_value_end(r, r->cap_off);
        return rc;
    }
    if (f->kind == FR_REC_ARR)
        return reject(r, v, r->cap_off, r->cap_line, "records",
                      "a record must be an object, found %s", type_name(v));
    if (f->kind == FR_TOP_ARR)
        return reject(r, v, r->cap_off, r->cap_line, "json",
                      "an element of the top-level array is %s, not an object", type_name(v));
    /* FR_REL_ARR: a release, or a linked release inside a record */
    return emit(r, OCDS_ITEM_RELEASE, v, r->cap_off, r->cap_line, record_ocid(r));
}

static void start_capture(ocds_reader *r, cap_kind c, uint64_t off)
{
    r->cap = c;
    r->cap_base = r->depth;
    r->cap_off = off;
    r->cap_line = line_at(r, off);
}

/* An event inside a captured value (the common case): feed the builder; check the size
 * on container starts, large scalars and every 1024th event. */
static int dispatch_capture(ocds_reader *r, ev_kind ev, const char *s, size_t n, int bv)
{
    json_builder *b = r->cap == CAP_ITEM ? r->item_b : r->frames[r->n_frames - 1].b;
    int rc;

    if ((rc = feed_builder(r, b, ev, s, n, bv)) != 0)
        return set_fatal(r, rc == ERR_NOMEM ? ERR_NOMEM : ERR_GENERIC,
                         "%s: cannot build the JSON tree at byte %llu (%s)", r->name,
                         (unsigned long long)tok_end(r), err_name(rc));
    if (is_start(ev))
        r->depth++;
    else if (is_end(ev))
        r->depth--;
    if (is_start(ev) || n > 65536 || (++r->events & 1023) == 0) {
        /* A release built member by member (a top-level object that streamed nothing)
         * counts from its own first byte. */
        uint64_t from = r->cap_off, end = tok_end(r);
        if (r->cap == CAP_MEMBER) {
            const frame *fo = &r->frames[r->n_frames - 1];
            if (!fo->streamed_releases && !fo->streamed_records)
                from = fo->offset;
        }
        if (end - from > JSON_MAX_VALUE_BYTES) {
            char msg[120];
            snprintf(msg, sizeof(msg), "a value larger than %u bytes", JSON_MAX_VALUE_BYTES);
            start_discard(r, "size", msg, r->cap_off);
            return 0;
        }
    }
    if (r->depth == r->cap_base && ev != EV_KEY)
        return capture_done(r);
    return 0;
}

static int dispatch(ocds_reader *r, ev_kind ev, const char *s, size_t n, int bv)
{
    uint64_t end, start;
    frame *f;
    int rc;

    if (r->fatal_rc)
        return r->fatal_rc;
    if (r->cap != CAP_NONE && !r->discarding && r->depth < JSON_MAX_DEPTH)
        return dispatch_capture(r, ev, s, n, bv);
    end = tok_end(r);
    start = is_start(ev) && end > 0 ? end - 1 : end;
    if (is_start(ev)) {
        if (r->depth + 1 >= HARD_DEPTH)
            return set_fatal(r, ERR_LIMIT, "%s: JSON nested deeper than %u levels at byte %llu: "
                             "the file is refused", r->name, HARD_DEPTH, (unsigned long long)start);
        if (!r->discarding && r->depth + 1 > JSON_MAX_DEPTH) {
            char msg[120];
            snprintf(msg, sizeof(msg), "nesting deeper than %d levels (at byte %llu)",
                     JSON_MAX_DEPTH, (unsigned long long)start);
            start_discard(r, "depth", msg, start);
        }
    }
    if (r->discarding) {
        if (is_start(ev))
            r->depth++;
        else if (is_end(ev))
            r->depth--;
        if ((is_end(ev) || is_scalar(ev)) && r->depth == r->discard_base) {
            rc = finish_discard(r);
            if (rc)
                return rc;
            if (r->depth == 0)
                top_value_end(r, end);
        }
        return 0;
    }

    if (r->cap != CAP_NONE)
        return dispatch_capture(r, ev, s, n, bv);

    if (r->n_frames == 0) {
        /* A new top-level value. */
        top_value_start(r, start);
        if (ev == EV_START_MAP)
            return push_frame(r, FR_OBJ, ROLE_TOP, start);
        if (ev == EV_START_ARRAY)
            return push_frame(r, FR_TOP_ARR, ROLE_TOP, start);
        start_capture(r, CAP_ITEM, start);
        if ((rc = feed_builder(r, r->item_b, ev, s, n, bv)) != 0)
            return set_fatal(r, ERR_NOMEM, "out of memory");
        return capture_done(r);
    }

    f = &r->frames[r->n_frames - 1];
    if (is_end(ev)) {
        /* The frame's own container closes. It stays on the stack while it is finished
         * (package_json() reads the package metadata cached in it), then goes. */
        r->depth--;
        rc = 0;
        if (f->kind == FR_OBJ) {
            json_value *obj = NULL;
            if (f->role == ROLE_TOP && (f->streamed_releases || f->streamed_records))
                (void)package_json(r);
            if (json_builder_end(f->b) == 0)
                obj = json_builder_take(f->b);
            if (!obj)
                rc = set_fatal(r, ERR_NOMEM, "out of memory");
            else if (f->role == ROLE_RECORD)
                rc = finish_record(r, obj, f);
            else
                rc = finish_top_object(r, obj, f);
            f = &r->frames[r->n_frames - 1];
        }
        frame_dispose(r, f);
        r->n_frames--;
        if (r->n_frames == 0)
            top_value_end(r, start);
        return rc;
    }

    switch (f->kind) {
    case FR_TOP_ARR:
        if (ev == EV_START_MAP)
            return push_frame(r, FR_OBJ, ROLE_TOP, start);
        if (ev == EV_START_ARRAY)
            return push_frame(r, FR_TOP_ARR, ROLE_TOP, start);
        break;
    case FR_REC_ARR:
        if (ev == EV_START_MAP)
            return push_frame(r, FR_OBJ, ROLE_RECORD, start);
        break;
    case FR_REL_ARR:
        break;
    case FR_OBJ:
        if (ev == EV_KEY) {
            free(f->key);
            f->key = malloc(n + 1);
            if (!f->key)
                return set_fatal(r, ERR_NOMEM, "out of memory");
            memcpy(f->key, s, n);
            f->key[n] = '\0';
            f->key_len = n;
            return 0;
        }
        if (ev == EV_START_ARRAY && f->key && f->key_len == 8 && memcmp(f->key, "releases", 8) == 0) {
            f->streamed_releases = 1;
            free(f->key);
            f->key = NULL;
            return push_frame(r, FR_REL_ARR, ROLE_TOP, start);
        }
        if (ev == EV_START_ARRAY && f->role == ROLE_TOP && f->key && f->key_len == 7 &&
            memcmp(f->key, "records", 7) == 0) {
            f->streamed_records = 1;
            free(f->key);
            f->key = NULL;
            return push_frame(r, FR_REC_ARR, ROLE_TOP, start);
        }
        /* Any other member: built into the frame's own tree. */
        if (!f->key || json_builder_key(f->b, f->key, f->key_len))
            return set_fatal(r, ERR_NOMEM, "out of memory");
        free(f->key);
        f->key = NULL;
        start_capture(r, CAP_MEMBER, start);
        if ((rc = feed_builder(r, f->b, ev, s, n, bv)) != 0)
            return set_fatal(r, ERR_NOMEM, "out of memory");
        if (is_start(ev)) {
            r->depth++;
            return 0;
        }
        return capture_done(r);
    }
    /* An element of a releases array, or a non-object element elsewhere: one item. */
    start_capture(r, CAP_ITEM, start);
    if ((rc = feed_builder(r, r->item_b, ev, s, n, bv)) != 0)
        return set_fatal(r, ERR_NOMEM, "out of memory");
    if (is_start(ev)) {
        r->depth++;
        return 0;
    }
    return capture_done(r);
}

#define RD ((ocds_reader *)ctx)
static int y_null(void *ctx) { return dispatch(RD, EV_NULL, NULL, 0, 0) == 0; }
static int y_bool(void *ctx, int b) { return dispatch(RD, EV_BOOL, NULL, 0, b) == 0; }
static int y_number(void *ctx, const char *s, size_t n) { return dispatch(RD, EV_NUMBER, s, n, 0) == 0; }
static int y_string(void *ctx, const unsigned char *s, size_t n)
{
    return dispatch(RD, EV_STRING, (const char *)s, n, 0) == 0;
}
static int y_start_map(void *ctx) { return dispatch(RD, EV_START_MAP, NULL, 0, 0) == 0; }
static int y_map_key(void *ctx, const unsigned char *s, size_t n)
{
    return dispatch(RD, EV_KEY, (const char *)s, n, 0) == 0;
}
static int y_end_map(void *ctx) { return dispatch(RD, EV_END_MAP, NULL, 0, 0) == 0; }
static int y_start_array(void *ctx) { return dispatch(RD, EV_START_ARRAY, NULL, 0, 0) == 0; }
static int y_end_array(void *ctx) { return dispatch(RD, EV_END_ARRAY, NULL, 0, 0) == 0; }

static const yajl_callbacks reader_callbacks = {
    y_null, y_bool, NULL, NULL, y_number, y_string,
    y_start_map, y_map_key, y_end_map, y_start_array, y_end_array,
};

/* ------------------------------------------------------------------ parser driving */

static int new_parser(ocds_reader *r)
{
    if (r->h)
        yajl_free(r->h);
    r->h = yajl_alloc(&reader_callbacks, NULL, r);
    if (!r->h)
        return set_fatal(r, ERR_NOMEM, "out of memory");
    yajl_config(r->h, yajl_allow_multiple_values, 1);
    yajl_config(r->h, yajl_dont_validate_strings, 1); /* UTF-8 is checked before yajl */
    return 0;
}

static void yajl_message(ocds_reader *r, char *out, size_t cap)
{
    unsigned char *m = yajl_get_error(r->h, 0, NULL, 0);
    size_t len;

    snprintf(out, cap, "%s", m ? (const char *)m : "syntax error");
    if (m)
        yajl_free_error(r->h, m);
    len = strlen(out);
    while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
        out[--len] = '\0';
}

/* A syntax error at absolute offset err_off. Either the broken top-level value becomes a
 * rejected item and parsing resumes at the next line (JSON Lines), or the file fails.
 * *resume is set to the chunk index to go on from (or chunk_len with skip_to_newline). */
static int syntax_error(ocds_reader *r, uint64_t err_off, int at_eof, size_t *resume)
{
    char ymsg[200];
    uint64_t err_line = line_at(r, err_off);
    uint64_t vstart = r->in_top ? r->top_off : err_off;
    uint64_t vline = r->in_top ? r->top_line : err_line;
    int at_line_start = !r->in_top || r->n_top == 1 || r->top_line > r->last_top_end_line;
    int established = r->jsonl_ok && r->n_top >= (r->in_top ? 2u : 1u);
    int allowed = 0;

    yajl_message(r, ymsg, sizeof(ymsg));
    if (at_line_start) {
        if (err_line == vline || established)
            allowed = 1;
        else if (err_line == vline + 1 && err_off > r->abs && err_off <= r->abs + r->chunk_len &&
                 r->chunk[err_off - 1 - r->abs] == '{') {
            /* "{\n{...}": an unfinished line followed by a new value at a line start */
            allowed = 1;
            for (uint64_t p = err_off - 1; p > r->abs && r->chunk[p - 1 - r->abs] != '\n'; p--)
                if (r->chunk[p - 1 - r->abs] != ' ' && r->chunk[p - 1 - r->abs] != '\t' &&
                    r->chunk[p - 1 - r->abs] != '\r')
                    allowed = 0;
        }
    }
    if (!allowed)
        return set_fatal(r, ERR_BAD_INPUT, "%s: invalid JSON at byte %llu (line %llu): %s", r->name,
                         (unsigned long long)err_off, (unsigned long long)err_line, ymsg);
    /* JSON Lines: reject this line's value and go on at the next line. */
    {
        size_t from;
        const char *nl;
        int rc;
        if (r->discarding)
            r->discarding = 0;
        drop_frames(r, 0);
        r->depth = 0;
        rc = reject(r, NULL, vstart, vline, "json", "invalid JSON at byte %llu (line %llu): %s",
                    (unsigned long long)err_off, (unsigned long long)err_line, ymsg);
        r->in_top = 0;
        r->last_top_end_line = err_line;
        if (rc)
            return rc;
        if (at_eof)
            return 0;
        if ((rc = new_parser(r)) != 0)
            return rc;
        from = vstart >= r->abs ? (size_t)(vstart - r->abs) : (size_t)(err_off - r->abs);
        if (from > r->chunk_len)
            from = r->chunk_len;
        nl = memchr(r->chunk + from, '\n', r->chunk_len - from);
        if (nl) {
            *resume = (size_t)(nl - r->chunk) + 1;
        } else {
            *resume = r->chunk_len;
            r->skip_to_newline = 1;
        }
        /* the line of the resume point: everything before it is on err_line or before */
        line_at(r, r->abs + *resume);
        r->last_top_end_line = r->line_no - (nl ? 1 : 0);
        return 0;
    }
}

/* Feeds validated bytes to yajl, resynchronising after errors in JSON Lines. */
static int parse_bytes(ocds_reader *r, const char *data, size_t len)
{
    size_t pos = 0;

    while (pos < len) {
        size_t n = len - pos;
        yajl_status st;

        r->chunk = data + pos;
        r->chunk_len = n;
        if (r->line_pos < r->abs)
            r->line_pos = r->abs; /* cannot happen; defensive */
        if (r->skip_to_newline) {
            const char *nl = memchr(r->chunk, '\n', n);
            size_t k = nl ? (size_t)(nl - r->chunk) + 1 : n;
            line_at(r, r->abs + k);
            r->abs += k;
            pos += k;
            r->line_pos = r->abs;
            if (nl) {
                r->skip_to_newline = 0;
                r->last_top_end_line = r->line_no - 1;
            }
            continue;
        }
        st = yajl_parse(r->h, (const unsigned char *)r->chunk, n);
        if (st == yajl_status_ok) {
            line_at(r, r->abs + n);
            r->abs += n;
            pos += n;
            continue;
        }
        if (r->fatal_rc)
            return r->fatal_rc;
        {
            size_t consumed = yajl_get_bytes_consumed(r->h), resume = n;
            int rc;
            if (consumed > n)
                consumed = n;
            rc = syntax_error(r, r->abs + consumed, 0, &resume);
            if (rc)
                return rc;
            line_at(r, r->abs + resume);
            r->abs += resume;
            pos += resume;
        }
    }
    r->chunk = NULL;
    r->chunk_len = 0;
    return 0;
}

static const char *latin1_utf8(unsigned char c, char out[3])
{
    out[0] = (char)(0xC0 | (c >> 6));
    out[1] = (char)(0x80 | (c & 0x3F));
    out[2] = '\0';
    return out;
}

/* The invalid-UTF-8 file error for the byte at absolute offset off (the bytes from p). */
static int utf8_error(ocds_reader *r, uint64_t off, const unsigned char *p, size_t avail)
{
    char ch[3];
    unsigned c = p[0];
    int lone = avail < 2 || (p[1] & 0xC0) != 0x80;
    uint64_t line = r->line_no + 0; /* lines are counted up to off (the bytes before were fed) */

    if (off == 0 && avail >= 2 && ((c == 0xFF && p[1] == 0xFE) || (c == 0xFE && p[1] == 0xFF)))
        return set_fatal(r, ERR_BAD_INPUT, "%s: the file is UTF-16 (byte order mark 0x%02X 0x%02X "
                         "at byte 0), not UTF-8: convert it to UTF-8", r->name, c, p[1]);
    if (c >= 0xA0 && lone)
        return set_fatal(r, ERR_BAD_INPUT, "%s: invalid UTF-8 at byte %llu (line %llu): byte 0x%02X; "
                         "the file looks like ISO-8859-1 (Latin-1), where 0x%02X is '%s': convert "
                         "it to UTF-8 (e.g. iconv -f ISO-8859-1 -t UTF-8)", r->name,
                         (unsigned long long)off, (unsigned long long)line, c, c, latin1_utf8((unsigned char)c, ch));
    return set_fatal(r, ERR_BAD_INPUT, "%s: invalid UTF-8 at byte %llu (line %llu): byte 0x%02X%s",
                     r->name, (unsigned long long)off, (unsigned long long)line, c,
                     c >= 0x80 && c < 0xA0 && lone ? " (a Windows-1252 character?)" : "");
}

/* Checks UTF-8 (keeping a sequence cut by the chunk end for the next call), then parses. */
static int feed_checked(ocds_reader *r, const char *data, size_t len)
{
    int rc, truncated;
    size_t ok;

    if (r->utf8_checked)
        return parse_bytes(r, data, len);
    if (r->carry_len) {
        unsigned c = r->carry[0];
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2, take = need - r->carry_len;
        unsigned char seq[4];
        if (take > len) {
            memcpy(r->carry + r->carry_len, data, len);
            r->carry_len += len;
            return 0;
        }
        memcpy(seq, r->carry, r->carry_len);
        memcpy(seq + r->carry_len, data, take);
        if (json_utf8_valid_prefix((const char *)seq, need, &truncated) != need)
            return utf8_error(r, r->abs, seq, need);
        r->carry_len = 0;
        if ((rc = parse_bytes(r, (const char *)seq, need)) != 0)
            return rc;
        data += take;
        len -= take;
    }
    ok = json_utf8_valid_prefix(data, len, &truncated);
    if ((rc = parse_bytes(r, data, ok)) != 0)
        return rc;
    if (ok < len) {
        if (!truncated)
            return utf8_error(r, r->abs, (const unsigned char *)data + ok, len - ok);
        memcpy(r->carry, data + ok, len - ok);
        r->carry_len = len - ok;
    }
    return 0;
}

/* ------------------------------------------------------------------ public API */

ocds_reader *ocds_reader_new(const char *name, ocds_item_cb cb, void *ctx)
{
    ocds_reader *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->name = strdup(name ? name : "(input)");
    r->item_b = json_builder_new(JSON_MAX_DEPTH + 1);
    r->cb = cb;
    r->ctx = ctx;
    r->line_no = 1;
    r->jsonl_ok = 1;
    if (!r->name || !r->item_b || new_parser(r)) {
        ocds_reader_free(r);
        return NULL;
    }
    return r;
}

void ocds_reader_free(ocds_reader *r)
{
    if (!r)
        return;
    drop_frames(r, 0);
    free(r->frames);
    json_builder_free(r->item_b);
    for (size_t i = 0; i < r->n_spare; i++)
        json_builder_free(r->spare[i]);
    if (r->h)
        yajl_free(r->h);
    free(r->name);
    free(r);
}

static int reader_error(ocds_reader *r, err_t *e)
{
    if (e) {
        e->code = r->fatal.code;
        memcpy(e->msg, r->fatal.msg, sizeof(e->msg));
    }
    return r->fatal_rc;
}

int ocds_reader_feed(ocds_reader *r, const char *data, size_t len, err_t *e)
{
    if (r->fatal_rc)
        return reader_error(r, e);
    r->total_in += len;
    r->stats.bytes += len;
    if (!r->head_done) {
        /* Hold the first 3 bytes to recognise a UTF-8 byte order mark (skipped). */
        while (len && r->head_len < 3) {
            r->head[r->head_len++] = (unsigned char)*data++;
            len--;
        }
        if (r->head_len < 3)
            return 0;
        r->head_done = 1;
        if (memcmp(r->head, "\xEF\xBB\xBF", 3) == 0) {
            r->abs = 3;
            r->line_pos = 3;
        } else if (feed_checked(r, (const char *)r->head, 3)) {
            return reader_error(r, e);
        }
    }
    if (len && feed_checked(r, data, len))
        return reader_error(r, e);
    return 0;
}

int ocds_reader_finish(ocds_reader *r, ocds_read_stats *stats, err_t *e)
{
    yajl_status st;

    if (r->fatal_rc)
        goto done;
    if (!r->head_done) {
        r->head_done = 1;
        if (!(r->head_len == 3 && memcmp(r->head, "\xEF\xBB\xBF", 3) == 0) && r->head_len &&
            feed_checked(r, (const char *)r->head, r->head_len))
            goto done;
    }
    if (r->carry_len) {
        utf8_error(r, r->abs, r->carry, r->carry_len);
        goto done;
    }
    if (r->total_in == 0) {
        set_fatal(r, ERR_BAD_INPUT, "%s: empty file (0 bytes): there is nothing to read", r->name);
        goto done;
    }
    if (r->skip_to_newline) {
        /* the broken last line was already rejected */
    } else {
        r->chunk = "";
        r->chunk_len = 0;
        st = yajl_complete_parse(r->h);
        if (st != yajl_status_ok && !r->fatal_rc) {
            size_t resume = 0;
            syntax_error(r, r->abs, 1, &resume);
        }
    }
    if (!r->fatal_rc && r->n_top == 0)
        set_fatal(r, ERR_BAD_INPUT, "%s: empty file (%llu bytes of white space only): there is "
                  "nothing to read", r->name, (unsigned long long)r->total_in);
done:
    if (r->n_top == 1 || r->n_top == 0)
        snprintf(r->stats.shape, sizeof(r->stats.shape), "%s",
                 r->n_top == 0 ? (r->total_in ? "invalid" : "empty")
                 : r->first_shape[0] ? r->first_shape
                 : r->top_shape[0] ? r->top_shape : "invalid");
    else
        snprintf(r->stats.shape, sizeof(r->stats.shape), "%s", r->jsonl_ok ? "jsonl" : "concatenated");
    if (stats)
        *stats = r->stats;
    if (r->fatal_rc)
        return reader_error(r, e);
    return 0;
}

int ocds_read_buffer(const char *name, const char *data, size_t len, ocds_item_cb cb, void *ctx,
                     ocds_read_stats *stats, err_t *e)
{
    ocds_reader *r = NULL;
    int rc = 0;
    size_t pos = 0;

    if (stats)
        memset(stats, 0, sizeof(*stats));
    r = ocds_reader_new(name, cb, ctx);
    if (!r)
        return err_set(e, ERR_NOMEM, "out of memory");
    {
        /* Check the encoding of the whole input first: a non-UTF-8 file yields no items. */
        int truncated;
        size_t skip = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        size_t ok = json_utf8_valid_prefix(data + skip, len - skip, &truncated) + skip;
        if (ok < len) {
            r->line_no = 1;
            r->line_pos = 0;
            r->chunk = data;
            r->chunk_len = len;
            line_at(r, ok);
            utf8_error(r, ok, (const unsigned char *)data + ok, len - ok);
            r->chunk = NULL;
            r->chunk_len = 0;
            r->stats.bytes = len;
            r->total_in = len;
            rc = ocds_reader_finish(r, stats, e);
            goto cleanup;
        }
        r->utf8_checked = 1;
    }
    while (pos < len && rc == 0) {
        size_t n = len - pos < READ_CHUNK ? len - pos : READ_CHUNK;
        rc = ocds_reader_feed(r, data + pos, n, e);
        pos += n;
    }
    if (rc == 0)
        rc = ocds_reader_finish(r, stats, e);
    else if (stats) {
        int ignored = ocds_reader_finish(r, stats, NULL); /* stats only; rc already set */
        (void)ignored;
    }
cleanup:
    ocds_reader_free(r);
    return rc;
}

int ocds_read_file(const char *path, ocds_item_cb cb, void *ctx, ocds_read_stats *stats, err_t *e)
{
    int fd = -1, rc = 0;
    char *buf = NULL;
    ocds_reader *r = NULL;
    ssize_t got;
    struct stat sb;

    if (stats)
        memset(stats, 0, sizeof(*stats));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = err_set(e, ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        goto cleanup;
    }
    buf = malloc(READ_CHUNK);
    r = ocds_reader_new(path, cb, ctx);
    if (!buf || !r) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        /* Pass 1: the encoding of the whole file, so that a non-UTF-8 file yields no items.
         * (A pipe cannot be read twice: its encoding is checked as it streams.) */
        unsigned char carry[4];
        size_t carry_len = 0;
        uint64_t off = 0, line = 1;
        int truncated;
        for (;;) {
            got = read(fd, buf + carry_len, READ_CHUNK - carry_len);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                rc = err_set(e, ERR_IO, "%s: read error: %s", path, strerror(errno));
                goto cleanup;
            }
            size_t n = (size_t)got + carry_len, skip = 0, ok;
            if (off == 0 && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
                skip = 3;
            ok = json_utf8_valid_prefix(buf + skip, n - skip, &truncated) + skip;
            for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + ok - p))) != NULL; p++)
                line++;
            if (ok < n && (!truncated || got == 0)) {
                r->line_no = line;
                utf8_error(r, off + ok, (const unsigned char *)buf + ok, n - ok);
                r->stats.bytes = off + n;
                r->total_in = off + n;
                rc = ocds_reader_finish(r, stats, e);
                goto cleanup;
            }
            if (got == 0)
                break;
            carry_len = n - ok;
            memcpy(carry, buf + ok, carry_len);
            memcpy(buf, carry, carry_len);
            off += ok;
        }
        r->utf8_checked = 1;
        if (lseek(fd, 0, SEEK_SET) != 0) {
            rc = err_set(e, ERR_IO, "%s: cannot seek: %s", path, strerror(errno));
            goto cleanup;
        }
    }
    for (;;) {
        got = read(fd, buf, READ_CHUNK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = err_set(e, ERR_IO, "%s: read error: %s", path, strerror(errno));
            goto cleanup;
        }
        if (got == 0)
            break;
        if ((rc = ocds_reader_feed(r, buf, (size_t)got, e)) != 0) {
            if (stats) {
                int ignored = ocds_reader_finish(r, stats, NULL); /* stats only */
                (void)ignored;
            }
            goto cleanup;
        }
    }
    rc = ocds_reader_finish(r, stats, e);
cleanup:
    if (fd >= 0)
        close(fd);
    free(buf);
    ocds_reader_free(r);
    return rc;
}

void ocds_item_init(ocds_item *it, ocds_item_kind kind, const char *path, size_t index,
                    uint64_t line, const char *ocid)
{
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->file = path;
    it->index = index;
    it->line = line;
    it->ocid = ocid;
}

int ocds_emit_rejected(const char *path, size_t index, uint64_t line, const char *ocid, int code,
                       ocds_item_cb cb, void *ctx, ocds_read_stats *stats, err_t *e,
                       const char *fmt, ...)
{
    ocds_item it;
    va_list ap;
    int rc;

    ocds_item_init(&it, OCDS_ITEM_REJECTED, path, index, line, ocid);
    it.error.code = code;
    va_start(ap, fmt);
    vsnprintf(it.error.msg, sizeof it.error.msg, fmt, ap);
    va_end(ap);
    if (stats)
        stats->rejected++;
    rc = cb(ctx, &it);
    json_free(it.release);
    if (rc)
        return err_set(e, rc, "%s: the callback stopped the read", path);
    return 0;
}
