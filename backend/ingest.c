/* ingest.c - one input file into the database: detect, read, version, merge, map, store. */
#include "ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "eforms/eforms.h"
#include "json/json.h"
#include "model.h"
#include "native/native.h"
#include "ocds/codemap.h"
#include "ocds/map.h"
#include "ocds/merge.h"
#include "ocds/normalise.h"
#include "ocds/reader.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"

/* Rows built are sent to the server in slices of about this many bytes. */
#define SLICE_BYTES (1u * 1024u * 1024u)
/* A batch is also flushed when the JSON it holds passes this many bytes. */
#define BATCH_MAX_BYTES (6u * 1024u * 1024u)
/* Hash slots for the ocids of one batch (a power of two, > 2 x the largest batch). */
#define BATCH_MAX_ITEMS 4096
#define SLOTS (2 * BATCH_MAX_ITEMS)
/* The advisory lock serialising ingests across processes ("paingest"). */
#define INGEST_LOCK_KEY "7061696e67657374"

enum { REL_NEW = 1, REL_CHANGED = 2, REL_SAME = 3 };

/* One release read in this batch. */
typedef struct {
    char *ocid;
    char *release_id;
    json_value *tree;   /* as received, then normalised (after json was written) */
    char *json;         /* canonical JSON as received (stored in releases.data) */
    size_t len;
    char sha[65];
    int has_date;
    int64_t date;
    uint64_t offset, line, index;
    int state;          /* REL_* */
    int version;
    size_t group;
    model_note *notes;  /* normalisation notes (emitted when the release is merged) */
    size_t n_notes;
} pend_rel;

/* A release already stored (from store_releases_known) or classified in this batch. */
typedef struct {
    char *release_id;
    char sha[65];
    int version;
} known_rel;

/* Everything about one ocid of the batch. */
typedef struct {
    char *ocid;
    int has_stored;       /* releases.ocid rows existed before this batch */
    int has_compiled;     /* a compiled_releases row existed before this batch */
    int touched;          /* new content: recompile */
    known_rel *known;
    size_t n_known, cap_known;
    json_value **loaded;  /* stored releases (latest version per id), normalised */
    char **loaded_ids;
    model_note **loaded_notes; /* their normalisation notes */
    size_t *loaded_n_notes;
    size_t n_loaded, cap_loaded;
    /* Published compiled releases (a record's compiledRelease, a reduced versioned
     * release): those read in this batch, the hashes of those stored, and the stored one
     * that wins (latest date, then greatest hash), loaded when the ocid is recompiled. */
    pend_rel *pubs;
    size_t n_pubs, cap_pubs;
    char (*pub_shas)[65];
    size_t n_pub_shas, cap_pub_shas;
    int has_pub_stored;
    json_value *stored_pub;
    char stored_pub_sha[65];
} group;

/* The releases and ocids of one batch. Two exist: the one being read and the one whose
 * writes are still pipelined to the server (kept until they are confirmed, so that a
 * refused batch can be redone procurement by procurement). */
typedef struct {
    pend_rel *rels;
    size_t n_rels, cap_rels;
    size_t bytes;         /* JSON bytes held */
    size_t n_pubs;        /* published compiled releases held (in the groups) */
    group *groups;
    size_t n_groups, cap_groups;
    size_t *slots;        /* group index + 1; 0 = empty */
    ingest_stats before;  /* the stats before and after its rows were built (a redo */
    ingest_stats after;   /* takes back what building added) */
} batch_state;

typedef struct {
    store *st;
    store_batch *side;    /* read notes and rejected records */
    store_batch *main;    /* releases, compiled releases, procurements */
    const char *path;
    int64_t file_id;
    const ingest_options *opts;
    const codemap *cm;
    ingest_stats *stats;
    uint64_t file_size;
    size_t limit;
    batch_state bs[2];
    batch_state *cur;     /* the batch being read */
    batch_state *prev;    /* the batch whose writes are in flight (when prev_pending) */
    int prev_pending;
    int no_pipeline;      /* PROCAUDIT_NO_PIPELINE is set */
    err_t err;            /* the failure that stopped the read, from a callback */
} ingest_ctx;

/* ---- small helpers ---- */

static char *dup_str(const char *s)
{
    size_t n;
    char *d;

    if (!s)
        return NULL;
    n = strlen(s);
    d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Finds or adds the group of an ocid. Returns its index, or (size_t)-1 out of memory. */
static size_t group_get(ingest_ctx *c, const char *ocid, int add)
{
    size_t i = (size_t)(hash_str(ocid) & (SLOTS - 1));

    for (;;) {
        size_t s = c->cur->slots[i];
        if (s == 0)
            break;
        if (strcmp(c->cur->groups[s - 1].ocid, ocid) == 0)
            return s - 1;
        i = (i + 1) & (SLOTS - 1);
    }
    if (!add)
        return (size_t)-1;
    if (c->cur->n_groups == c->cur->cap_groups) {
        size_t nc = c->cur->cap_groups ? c->cur->cap_groups * 2 : 64;
        group *ng = realloc(c->cur->groups, nc * sizeof *ng);
        if (!ng)
            return (size_t)-1;
        c->cur->groups = ng;
        c->cur->cap_groups = nc;
    }
    memset(&c->cur->groups[c->cur->n_groups], 0, sizeof(group));
    c->cur->groups[c->cur->n_groups].ocid = dup_str(ocid);
    if (!c->cur->groups[c->cur->n_groups].ocid)
        return (size_t)-1;
    c->cur->slots[i] = c->cur->n_groups + 1;
    return c->cur->n_groups++;
}

static int known_add(group *g, const char *release_id, const char *sha, int version)
{
    known_rel *k;

    if (g->n_known == g->cap_known) {
        size_t nc = g->cap_known ? g->cap_known * 2 : 4;
        known_rel *nk = realloc(g->known, nc * sizeof *nk);
        if (!nk)
            return ERR_NOMEM;
        g->known = nk;
        g->cap_known = nc;
    }
    k = &g->known[g->n_known];
    k->release_id = dup_str(release_id);
    if (!k->release_id)
        return ERR_NOMEM;
    snprintf(k->sha, sizeof k->sha, "%s", sha ? sha : "");
    k->version = version;
    g->n_known++;
    return 0;
}

static void group_dispose(group *g)
{
    size_t i;

    free(g->ocid);
    for (i = 0; i < g->n_known; i++)
        free(g->known[i].release_id);
    free(g->known);
    for (i = 0; i < g->n_loaded; i++) {
        json_free(g->loaded[i]);
        free(g->loaded_ids[i]);
        model_notes_free(g->loaded_notes[i], g->loaded_n_notes[i]);
    }
    free(g->loaded);
    free(g->loaded_ids);
    free(g->loaded_notes);
    free(g->loaded_n_notes);
    for (i = 0; i < g->n_pubs; i++) {
        json_free(g->pubs[i].tree);
        free(g->pubs[i].json);
    }
    free(g->pubs);
    free(g->pub_shas);
    json_free(g->stored_pub);
}

/* Remembers a published compiled release's hash; 1 when it was new, 0 when known,
 * ERR_NOMEM. */
static int pub_sha_add(group *g, const char *sha)
{
    size_t i;

    for (i = 0; i < g->n_pub_shas; i++)
        if (strcmp(g->pub_shas[i], sha) == 0)
            return 0;
    if (g->n_pub_shas == g->cap_pub_shas) {
        size_t nc = g->cap_pub_shas ? g->cap_pub_shas * 2 : 4;
        char(*ns)[65] = realloc(g->pub_shas, nc * sizeof *ns);
        if (!ns)
            return ERR_NOMEM;
        g->pub_shas = ns;
        g->cap_pub_shas = nc;
    }
    snprintf(g->pub_shas[g->n_pub_shas++], 65, "%s", sha);
    return 1;
}

/* The date of a release or compiled release (its `date`), as seconds; *has 0 when
 * absent or unreadable. */
static int64_t tree_date(const json_value *v, int *has)
{
    const char *d = json_get_str(v, "date");
    model_date md;

    *has = 0;
    if (d && map_parse_date(d, &md) == 0) {
        *has = 1;
        return md.t;
    }
    return 0;
}

/* 1 when published candidate a (date, sha) wins over b: a later date, or the same date
 * (or both absent) and a greater hash. The database orders the stored ones the same way
 * (store_published_load), so the winner does not depend on the order files arrive in. */
static int pub_wins(int a_has, int64_t a_t, const char *a_sha, int b_has, int64_t b_t,
                    const char *b_sha)
{
    if (a_has != b_has)
        return a_has;
    if (a_has && a_t != b_t)
        return a_t > b_t;
    return strcmp(a_sha, b_sha) > 0;
}

/* Empties a batch state (keeps the allocations of the arrays). */
static void batch_clear(batch_state *b)
{
    size_t i;

    for (i = 0; i < b->n_rels; i++) {
        free(b->rels[i].ocid);
        free(b->rels[i].release_id);
        json_free(b->rels[i].tree);
        free(b->rels[i].json);
        model_notes_free(b->rels[i].notes, b->rels[i].n_notes);
    }
    b->n_rels = 0;
    b->n_pubs = 0;
    b->bytes = 0;
    for (i = 0; i < b->n_groups; i++)
        group_dispose(&b->groups[i]);
    b->n_groups = 0;
    if (b->slots)
        memset(b->slots, 0, SLOTS * sizeof *b->slots);
}

/* Frees a batch state entirely. */
static void batch_free(batch_state *b)
{
    batch_clear(b);
    free(b->rels);
    free(b->groups);
    free(b->slots);
    memset(b, 0, sizeof *b);
}

/* PostgreSQL's jsonb cannot hold U+0000. Strings holding it get U+FFFD instead (noted by
 * the caller); returns the number of strings changed. */
static size_t replace_nul(json_value *v)
{
    size_t i, n = 0;

    if (!v)
        return 0;
    if (v->type == JSON_ARRAY || v->type == JSON_OBJECT) {
        size_t len = v->type == JSON_ARRAY ? v->u.array.len : v->u.object.len;
        json_value **items = v->type == JSON_ARRAY ? v->u.array.items : v->u.object.values;
        for (i = 0; i < len; i++) {
            json_value *x = items[i];
            if (x->type == JSON_STRING && memchr(x->u.string.s, '\0', x->u.string.len)) {
                buf_t b;
                size_t k;
                json_value *nx;
                int rc = 0;
                buf_init(&b, JSON_MAX_VALUE_BYTES);
                for (k = 0; rc == 0 && k < x->u.string.len; k++)
                    rc = x->u.string.s[k] ? buf_putc(&b, x->u.string.s[k])
                                          : buf_puts(&b, "\xEF\xBF\xBD");
                nx = rc == 0 ? json_new_string(buf_cstr(&b), b.len) : NULL;
                buf_dispose(&b);
                if (nx) {
                    json_free(x);
                    items[i] = nx;
                    n++;
                }
            } else {
                n += replace_nul(x);
            }
        }
    }
    return n;
}

/* 1 when the JSON text holds the escape \u0000 (a backslash not itself escaped). */
static int has_nul_escape(const char *p, size_t len)
{
    const char *end = p + len, *q = p;

    while ((q = memchr(q, '\\', (size_t)(end - q))) != NULL) {
        if (end - q >= 6 && memcmp(q, "\\u0000", 6) == 0)
            return 1;
        q += 2; /* skip the escaped character, so "\\\\u0000" does not match */
        if (q >= end)
            break;
    }
    return 0;
}

/* Canonical JSON of a tree without U+0000 (see replace_nul). *nul_fixed counts strings
 * changed. */
static int tree_json(json_value *tree, buf_t *b, size_t *nul_fixed)
{
    int rc;

    *nul_fixed = 0;
    buf_reset(b);
    rc = json_write_canonical(b, tree);
    if (rc == 0 && b->len >= 6 && has_nul_escape(b->data, b->len)) {
        *nul_fixed = replace_nul(tree);
        if (*nul_fixed) {
            buf_reset(b);
            rc = json_write_canonical(b, tree);
        }
    }
    return rc;
}

/* Splits a reader message "field: message" into field and message (field NULL when the
 * text does not start with a path-like word). */
static void split_field(const char *msg, char *field, size_t fn, const char **rest)
{
    const char *colon = strstr(msg, ": ");
    size_t i, len;

    field[0] = '\0';
    *rest = msg;
    if (!colon)
        return;
    len = (size_t)(colon - msg);
    if (len == 0 || len >= fn)
        return;
    for (i = 0; i < len; i++)
        if (msg[i] == ' ')
            return;
    memcpy(field, msg, len);
    field[len] = '\0';
    *rest = colon + 2;
}

static int add_reader_notes(ingest_ctx *c, const ocds_item *it)
{
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < it->n_notes; i++) {
        rc = store_batch_note(c->side, it->ocid, c->file_id, "read", it->notes[i].code,
                              it->notes[i].field, it->notes[i].message);
        if (rc == 0)
            c->stats->notes++;
    }
    return rc;
}

static int reject(ingest_ctx *c, const ocds_item *it, const char *field, const char *message)
{
    c->stats->rejected++;
    return store_batch_rejected(c->side, it->offset, it->line, it->index, it->ocid, field,
                                message);
}

/* Normalises one release in place; its notes are appended to *notes / *n. */
static int normalise(json_value *release, model_note **notes, size_t *n, err_t *e)
{
    return ocds_normalise(release, notes, n, e);
}

/* Adds the normalisation notes of a release being merged. */
static int emit_notes(ingest_ctx *c, const char *ocid, const model_note *notes, size_t n)
{
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < n; i++, c->stats->notes++)
        rc = store_batch_note(c->main, ocid, c->file_id, "compile", notes[i].code,
                              notes[i].field, notes[i].message);
    return rc;
}

/* ---- the batch: classify, recompile, write ---- */

static int on_known(void *ctx, char kind, const char *ocid, const char *release_id,
                    const char *sha256, int version)
{
    ingest_ctx *c = ctx;
    size_t gi = group_get(c, ocid, 0);
    group *g;

    if (gi == (size_t)-1)
        return 0;
    g = &c->cur->groups[gi];
    if (kind == 'c') {
        g->has_compiled = 1;
        return 0;
    }
    if (kind == 'p') {
        g->has_pub_stored = 1;
        return pub_sha_add(g, sha256) < 0 ? ERR_NOMEM : 0;
    }
    g->has_stored = 1;
    return known_add(g, release_id, sha256, version);
}

static int on_loaded(void *ctx, const char *ocid, const char *release_id, const char *json,
                     size_t len)
{
    ingest_ctx *c = ctx;
    size_t gi = group_get(c, ocid, 0);
    json_value *tree = NULL;
    model_note *notes = NULL;
    size_t n_notes = 0;
    group *g;
    err_t e;
    int rc;

    if (gi == (size_t)-1)
        return 0;
    g = &c->cur->groups[gi];
    rc = json_parse(&tree, json, len, &e);
    if (rc)
        return err_set(&c->err, rc, "stored release %s of %s: %s", release_id, ocid, e.msg);
    rc = normalise(tree, &notes, &n_notes, &e);
    if (rc) {
        json_free(tree);
        model_notes_free(notes, n_notes);
        return err_set(&c->err, rc, "stored release %s of %s: %s", release_id, ocid, e.msg);
    }
    if (g->n_loaded == g->cap_loaded) {
        size_t nc = g->cap_loaded ? g->cap_loaded * 2 : 4;
        json_value **nl = realloc(g->loaded, nc * sizeof *nl);
        char **ni = nl ? realloc(g->loaded_ids, nc * sizeof *ni) : NULL;
        model_note **nn = ni ? realloc(g->loaded_notes, nc * sizeof *nn) : NULL;
        size_t *nnn = nn ? realloc(g->loaded_n_notes, nc * sizeof *nnn) : NULL;
        if (nl)
            g->loaded = nl;
        if (ni)
            g->loaded_ids = ni;
        if (nn)
            g->loaded_notes = nn;
        if (!nnn) {
            json_free(tree);
            model_notes_free(notes, n_notes);
            return err_set(&c->err, ERR_NOMEM, "out of memory");
        }
        g->loaded_n_notes = nnn;
        g->cap_loaded = nc;
    }
    g->loaded_ids[g->n_loaded] = dup_str(release_id);
    g->loaded[g->n_loaded] = tree;
    g->loaded_notes[g->n_loaded] = notes;
    g->loaded_n_notes[g->n_loaded] = n_notes;
    g->n_loaded++; /* group_dispose frees it from here on */
    if (!g->loaded_ids[g->n_loaded - 1])
        return err_set(&c->err, ERR_NOMEM, "out of memory");
    return 0;
}

static int on_pub_loaded(void *ctx, const char *ocid, const char *sha, const char *json,
                         size_t len)
{
    ingest_ctx *c = ctx;
    size_t gi = group_get(c, ocid, 0);
    json_value *tree = NULL;
    group *g;
    err_t e;
    int rc;

    if (gi == (size_t)-1)
        return 0;
    g = &c->cur->groups[gi];
    rc = json_parse(&tree, json, len, &e);
    if (rc)
        return err_set(&c->err, rc, "stored compiled release of %s: %s", ocid, e.msg);
    json_free(g->stored_pub);
    g->stored_pub = tree;
    snprintf(g->stored_pub_sha, sizeof g->stored_pub_sha, "%s", sha);
    return 0;
}

/* Sorts the releases of the batch into new / changed / same. */
static int classify(ingest_ctx *c)
{
    size_t i, k;

    for (i = 0; i < c->cur->n_rels; i++) {
        pend_rel *r = &c->cur->rels[i];
        group *g = &c->cur->groups[r->group];
        int max_version = 0, same = 0;

        for (k = 0; k < g->n_known; k++) {
            if (strcmp(g->known[k].release_id, r->release_id) != 0)
                continue;
            if (strcmp(g->known[k].sha, r->sha) == 0)
                same = 1;
            if (g->known[k].version > max_version)
                max_version = g->known[k].version;
        }
        if (same) {
            r->state = REL_SAME;
            c->stats->releases_same++;
            continue;
        }
        r->state = max_version ? REL_CHANGED : REL_NEW;
        r->version = max_version + 1;
        if (r->state == REL_CHANGED)
            c->stats->releases_changed++;
        else
            c->stats->releases_new++;
        g->touched = 1;
        if (known_add(g, r->release_id, r->sha, r->version))
            return ERR_NOMEM;
    }
    /* Published compiled releases: new unless the same content is stored or came
     * earlier in the batch. */
    for (i = 0; i < c->cur->n_groups; i++) {
        group *g = &c->cur->groups[i];
        for (k = 0; k < g->n_pubs; k++) {
            int added = pub_sha_add(g, g->pubs[k].sha);
            if (added < 0)
                return ERR_NOMEM;
            g->pubs[k].state = added ? REL_NEW : REL_SAME;
            if (added)
                g->touched = 1;
        }
    }
    return 0;
}

/* Sorts list[] (n releases) by their ids[] (insertion sort: n is small, and the merge is
 * already O(n) per release). */
static void sort_by_id(json_value **list, const char **ids, size_t n)
{
    size_t i, j;

    for (i = 1; i < n; i++) {
        json_value *t = list[i];
        const char *id = ids[i];
        for (j = i; j > 0 && strcmp(ids[j - 1], id) > 0; j--) {
            list[j] = list[j - 1];
            ids[j] = ids[j - 1];
        }
        list[j] = t;
        ids[j] = id;
    }
}

/* Adds the rows of one group to c->main: its new releases, its compiled release, its
 * procurement and normalised rows, its notes. A failure of the merge or the mapping
 * (bad input) becomes a rejected record of the ocid; the releases are still stored. */
static int build_group(ingest_ctx *c, size_t gi)
{
    group *g = &c->cur->groups[gi];
    json_value **list = NULL;
    const char **ids = NULL;
    json_value *merged = NULL;
    const json_value *compiled, *best_pub = NULL;
    const char *best_sha = "";
    int best_has = 0, use_pub;
    int64_t best_t = 0;
    model_procurement *p = NULL;
    buf_t b;
    err_t e;
    size_t n = 0, i, k;
    int rc = 0;

    buf_init(&b, JSON_MAX_VALUE_BYTES);
    err_clear(&e);
    /* 1. the releases of this batch */
    for (i = 0; rc == 0 && i < c->cur->n_rels; i++) {
        pend_rel *r = &c->cur->rels[i];
        store_release_row row;
        if (r->group != gi || (r->state != REL_NEW && r->state != REL_CHANGED))
            continue;
        row.ocid = r->ocid;
        row.release_id = r->release_id;
        row.sha256 = r->sha;
        row.version = r->version;
        row.has_date = r->has_date;
        row.date = r->date;
        row.json = r->json;
        row.json_len = r->len;
        row.offset = r->offset;
        row.line = r->line;
        rc = store_batch_release(c->main, &row);
        if (rc == 0 && r->state == REL_CHANGED) {
            char msg[600];
            snprintf(msg, sizeof msg,
                     "release %.200s arrived again with different content; kept as version %d "
                     "(the latest version is the one merged)",
                     r->release_id, r->version);
            rc = store_batch_note(c->main, r->ocid, c->file_id, "ingest", "release_changed", "id",
                                  msg);
            if (rc == 0)
                c->stats->notes++;
        }
    }
    for (i = 0; rc == 0 && i < g->n_pubs; i++)
        if (g->pubs[i].state == REL_NEW)
            rc = store_batch_published(c->main, g->ocid, g->pubs[i].sha, g->pubs[i].has_date,
                                       g->pubs[i].date, g->pubs[i].json, g->pubs[i].len);
    if (rc)
        goto cleanup;
    /* 2. the candidates: the published compiled release that wins, and the merge of every
     * release (stored and new, latest version of each id). */
    if (g->stored_pub) {
        best_pub = g->stored_pub;
        best_sha = g->stored_pub_sha;
        best_t = tree_date(best_pub, &best_has);
    }
    for (i = 0; i < g->n_pubs; i++) {
        pend_rel *pr = &g->pubs[i];
        if (!best_pub || pub_wins(pr->has_date, pr->date, pr->sha, best_has, best_t, best_sha)) {
            best_pub = pr->tree;
            best_sha = pr->sha;
            best_has = pr->has_date;
            best_t = pr->date;
        }
    }
    {
        list = calloc(g->n_loaded + c->cur->n_rels + 1, sizeof *list);
        ids = calloc(g->n_loaded + c->cur->n_rels + 1, sizeof *ids);
        if (!list || !ids) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        for (k = 0; k < g->n_loaded; k++) {
            int superseded = 0;
            for (i = 0; i < c->cur->n_rels && !superseded; i++)
                superseded = c->cur->rels[i].group == gi && c->cur->rels[i].state != REL_SAME &&
                             strcmp(c->cur->rels[i].release_id, g->loaded_ids[k]) == 0;
            if (!superseded) {
                ids[n] = g->loaded_ids[k];
                list[n++] = g->loaded[k];
                rc = emit_notes(c, g->ocid, g->loaded_notes[k], g->loaded_n_notes[k]);
                if (rc)
                    goto cleanup;
            }
        }
        for (i = 0; i < c->cur->n_rels; i++) {
            pend_rel *r = &c->cur->rels[i];
            int later = 0;
            if (r->group != gi || r->state == REL_SAME)
                continue;
            for (k = i + 1; k < c->cur->n_rels && !later; k++)
                later = c->cur->rels[k].group == gi && c->cur->rels[k].state != REL_SAME &&
                        strcmp(c->cur->rels[k].release_id, r->release_id) == 0;
            if (!later) {
                ids[n] = r->release_id;
                list[n++] = r->tree;
                rc = emit_notes(c, g->ocid, r->notes, r->n_notes);
                if (rc)
                    goto cleanup;
            }
        }
        /* The merge orders releases by date and keeps the given order for equal dates:
         * give them in release id order, so that the result does not depend on the order
         * in which files arrived. */
        sort_by_id(list, ids, n);
        rc = n ? ocds_merge(&merged, list, n, &e) : 0;
        if ((rc == ERR_BAD_INPUT || rc == ERR_LIMIT) && best_pub) {
            rc = 0; /* the published one stands */
        } else if (rc == ERR_BAD_INPUT || rc == ERR_LIMIT) {
            char msg[1100];
            snprintf(msg, sizeof msg, "merging %zu releases failed: %s", n, e.msg);
            c->stats->rejected++;
            rc = store_batch_rejected(c->main, 0, 0, 0, g->ocid, "releases", msg);
            goto cleanup;
        }
        if (rc)
            goto cleanup;
    }
    /* 3. the choice: our merge of the releases we hold; a published compiled release
     * only stands in when we hold none (a record package whose releases are linked, a
     * versioned release) or when they cannot be merged. Published compiled releases
     * are often partial snapshots (OCP's tooling compiled some from a subset of the
     * releases), while every value of our merge can be traced to a stored release. */
    use_pub = best_pub && !merged;
    if (!use_pub && !merged)
        goto cleanup; /* nothing to compile (cannot happen for a touched ocid) */
    compiled = use_pub ? best_pub : merged;
    /* Canonical form (sorted keys, 1.0 written 1): the same compiled release whether its
     * parts came from this file or were read back from the database. */
    rc = json_write_canonical(&b, compiled);
    if (rc)
        goto cleanup;
    rc = store_batch_compiled(c->main, g->ocid, b.data, b.len, use_pub ? "published" : "merged",
                              use_pub ? 0 : (int)n, !g->has_compiled);
    if (rc)
        goto cleanup;
    /* 3. the model and the normalised rows */
    rc = model_from_ocds(&p, compiled, c->cm, &e);
    if (rc == ERR_BAD_INPUT || rc == ERR_LIMIT) {
        char msg[1100];
        snprintf(msg, sizeof msg, "mapping the compiled release failed: %s", e.msg);
        c->stats->rejected++;
        rc = store_batch_rejected(c->main, 0, 0, 0, g->ocid, "compiledRelease", msg);
        goto cleanup;
    }
    if (rc)
        goto cleanup;
    rc = store_batch_procurement(c->main, p, !g->has_stored && !g->has_compiled);
    for (i = 0; rc == 0 && i < p->n_notes; i++, c->stats->notes++)
        rc = store_batch_note(c->main, g->ocid, c->file_id, "compile", p->notes[i].code,
                              p->notes[i].field, p->notes[i].message);
    if (rc == 0)
        c->stats->procurements++;
cleanup:
    model_procurement_free(p);
    json_free(merged);
    free(list);
    free(ids);
    buf_dispose(&b);
    if (rc && c->err.code == 0)
        err_set(&c->err, rc, "%s: building the rows of %s: %s", c->path, g->ocid,
                e.msg[0] ? e.msg : err_name(rc));
    return rc;
}

/* Groups whose writes the database refused, one by one: each in its own savepoint; a
 * group that fails again is rejected with the database's message. */
static int flush_groups_one_by_one(ingest_ctx *c)
{
    size_t gi, i;
    int rc = 0;
    err_t e;

    for (gi = 0; rc == 0 && gi < c->cur->n_groups; gi++) {
        if (!c->cur->groups[gi].touched)
            continue;
        ingest_stats before = *c->stats;
        rc = store_savepoint(c->st, "ingest_group", &c->err);
        if (rc)
            break;
        err_clear(&e);
        rc = build_group(c, gi);
        if (rc == 0)
            rc = store_batch_flush(c->st, c->main, c->file_id, &e);
        store_batch_reset(c->main);
        if (rc == ERR_DB) {
            char msg[1100];
            snprintf(msg, sizeof msg, "the database refused this procurement: %s", e.msg);
            err_clear(&c->err);
            rc = store_rollback_to(c->st, "ingest_group", &c->err);
            *c->stats = before;
            for (i = 0; rc == 0 && i < c->cur->n_rels; i++) {
                pend_rel *r = &c->cur->rels[i];
                if (r->group != gi || r->state == REL_SAME)
                    continue;
                c->stats->rejected++;
                if (r->state == REL_NEW)
                    c->stats->releases_new--;
                else
                    c->stats->releases_changed--;
                rc = store_batch_rejected(c->side, r->offset, r->line, r->index, r->ocid, NULL,
                                          msg);
            }
            for (i = 0; rc == 0 && i < c->cur->groups[gi].n_pubs; i++) {
                pend_rel *pr = &c->cur->groups[gi].pubs[i];
                if (pr->state != REL_NEW)
                    continue;
                c->stats->rejected++;
                rc = store_batch_rejected(c->side, pr->offset, pr->line, pr->index,
                                          c->cur->groups[gi].ocid, "compiledRelease", msg);
            }
            log_warn(c->path, "%s: %s", c->cur->groups[gi].ocid, msg);
        } else if (rc) {
            if (c->err.code == 0)
                err_set(&c->err, rc, "%s", e.msg);
        } else {
            rc = store_release(c->st, "ingest_group", &c->err);
        }
    }
    return rc;
}

/* Waits for the writes of the previous batch. When the database refused them, rolls
 * back to the savepoint before them and redoes that batch procurement by procurement
 * (flush_groups_one_by_one), so only the procurements it refuses are rejected. */
static int finish_previous(ingest_ctx *c)
{
    batch_state *keep;
    err_t e;
    int rc;

    if (!c->prev_pending)
        return 0;
    c->prev_pending = 0;
    err_clear(&e);
    rc = store_pipeline_wait(c->st, &e);
    if (rc == ERR_DB) {
        log_warn(c->path, "a batch write failed (%s); retrying procurement by procurement",
                 e.msg);
        err_clear(&c->err);
        rc = store_rollback_to(c->st, "ingest_batch", &c->err);
        if (rc == 0) {
            /* Redo with the previous batch as the current one; the counts it added are
             * taken back first (the read counts of the current batch stay). */
            keep = c->cur;
            c->cur = c->prev;
            c->stats->procurements -= c->cur->after.procurements - c->cur->before.procurements;
            c->stats->notes -= c->cur->after.notes - c->cur->before.notes;
            c->stats->rejected -= c->cur->after.rejected - c->cur->before.rejected;
            rc = flush_groups_one_by_one(c);
            if (rc == 0)
                rc = store_batch_flush(c->st, c->side, c->file_id, &c->err);
            c->cur = keep;
        }
    } else if (rc) {
        c->err = e;
    }
    batch_clear(c->prev);
    return rc;
}

/* The end of a batch: classify, load, recompile, then queue the writes (pipelined: the
 * server works on them while the next batch is read). */
static int process_batch(ingest_ctx *c)
{
    const char **ocids = NULL;
    batch_state *t;
    size_t i, n_load = 0;
    int rc;
    err_t e;

    rc = finish_previous(c);
    if (rc)
        goto cleanup;
    if (c->cur->n_groups == 0) {
        rc = store_batch_flush(c->st, c->side, c->file_id, &c->err);
        goto cleanup;
    }
    ocids = calloc(c->cur->n_groups, sizeof *ocids);
    if (!ocids) {
        rc = err_set(&c->err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (i = 0; i < c->cur->n_groups; i++)
        ocids[i] = c->cur->groups[i].ocid;
    rc = store_releases_known(c->st, ocids, c->cur->n_groups, on_known, c, &c->err);
    if (rc)
        goto cleanup;
    rc = classify(c);
    if (rc) {
        err_set(&c->err, rc, "out of memory");
        goto cleanup;
    }
    for (i = 0; i < c->cur->n_groups; i++)
        if (c->cur->groups[i].touched && c->cur->groups[i].has_stored)
            ocids[n_load++] = c->cur->groups[i].ocid;
    rc = store_releases_load(c->st, ocids, n_load, on_loaded, c, &e);
    if (rc == 0) {
        n_load = 0;
        for (i = 0; i < c->cur->n_groups; i++)
            if (c->cur->groups[i].touched && c->cur->groups[i].has_pub_stored)
                ocids[n_load++] = c->cur->groups[i].ocid;
        rc = store_published_load(c->st, ocids, n_load, on_pub_loaded, c, &e);
    }
    if (rc) {
        if (c->err.code == 0)
            c->err = e;
        goto cleanup;
    }
    /* PROCAUDIT_NO_PIPELINE (for measurements): every statement waits for its result. */
    if (!c->no_pipeline)
        rc = store_pipeline_begin(c->st, &c->err);
    if (rc == 0)
        rc = store_batch_flush(c->st, c->side, c->file_id, &c->err);
    if (rc == 0)
        rc = store_pipeline_send(c->st, "SAVEPOINT ingest_batch", 0, NULL, NULL, NULL, NULL,
                                 &c->err);
    if (rc)
        goto cleanup;
    c->cur->before = *c->stats;
    for (i = 0; rc == 0 && i < c->cur->n_groups; i++) {
        if (c->cur->groups[i].touched)
            rc = build_group(c, i);
        /* Send the rows in slices as they are built, so that the server starts on them
         * while the rest of the batch is merged and mapped. */
        if (rc == 0 && store_batch_bytes(c->main) >= SLICE_BYTES) {
            err_clear(&e);
            rc = store_batch_flush(c->st, c->main, c->file_id, &e);
            if (rc)
                c->err = e;
        }
        if (i % 32 == 31)
            store_pipeline_poll(c->st);
    }
    c->cur->after = *c->stats;
    if (rc == 0) {
        err_clear(&e);
        rc = store_batch_flush(c->st, c->main, c->file_id, &e);
        if (rc)
            c->err = e;
    }
    if (rc == 0)
        rc = store_pipeline_send(c->st, "RELEASE SAVEPOINT ingest_batch", 0, NULL, NULL, NULL,
                                 NULL, &c->err);
    if (rc)
        goto cleanup;
    store_pipeline_poll(c->st);
    /* Keep this batch until its writes are confirmed; read the next one meanwhile. */
    t = c->prev;
    c->prev = c->cur;
    c->cur = t;
    c->prev_pending = 1;
cleanup:
    free(ocids);
    batch_clear(c->cur);
    store_batch_reset(c->main);
    store_batch_reset(c->side);
    return rc;
}

/* ---- the reader's callback ---- */

static int take_release(ingest_ctx *c, ocds_item *it)
{
    pend_rel *r;
    buf_t b;
    size_t nul_fixed = 0, gi;
    const char *date;
    model_date md;
    char idbuf[24];
    err_t e;
    int rc;

    if (!it->ocid || !it->ocid[0])
        return reject(c, it, "ocid", "the release has no ocid");
    if (strlen(it->ocid) > STORE_KEY_MAX)
        return reject(c, it, "ocid", "the ocid is longer than 400 bytes");
    if (it->release_id && strlen(it->release_id) > STORE_KEY_MAX)
        return reject(c, it, "id", "the release id is longer than 400 bytes");
    if (c->cur->n_rels == c->cur->cap_rels) {
        size_t nc = c->cur->cap_rels ? c->cur->cap_rels * 2 : 64;
        pend_rel *nr = realloc(c->cur->rels, nc * sizeof *nr);
        if (!nr)
            return err_set(&c->err, ERR_NOMEM, "out of memory");
        c->cur->rels = nr;
        c->cur->cap_rels = nc;
    }
    gi = group_get(c, it->ocid, 1);
    if (gi == (size_t)-1)
        return err_set(&c->err, ERR_NOMEM, "out of memory");
    r = &c->cur->rels[c->cur->n_rels];
    memset(r, 0, sizeof *r);
    r->group = gi;
    r->offset = it->offset;
    r->line = it->line;
    r->index = it->index;
    r->tree = it->release;
    it->release = NULL;
    c->cur->n_rels++; /* from here on batch_clear frees what r holds */
    buf_init(&b, JSON_MAX_VALUE_BYTES);
    rc = tree_json(r->tree, &b, &nul_fixed);
    if (rc) {
        buf_dispose(&b);
        return err_set(&c->err, rc, "%s: release at byte %llu: cannot serialise", c->path,
                       (unsigned long long)it->offset);
    }
    r->len = b.len;
    store_sha256_hex(b.data, b.len, r->sha);
    r->json = buf_take(&b);
    buf_dispose(&b);
    r->ocid = dup_str(it->ocid);
    if (it->release_id) {
        r->release_id = dup_str(it->release_id);
    } else {
        snprintf(idbuf, sizeof idbuf, "#%.16s", r->sha);
        r->release_id = dup_str(idbuf);
    }
    if (!r->json || !r->ocid || !r->release_id)
        return err_set(&c->err, ERR_NOMEM, "out of memory");
    date = json_get_str(r->tree, "date");
    if (date && map_parse_date(date, &md) == 0) {
        r->has_date = 1;
        r->date = md.t;
    }
    c->cur->bytes += r->len;
    c->stats->releases_read++;
    rc = add_reader_notes(c, it);
    if (rc == 0 && !it->release_id) {
        rc = store_batch_note(c->side, it->ocid, c->file_id, "read", "release_id_missing", "id",
                              "the release has no id; its content hash stands for it");
        c->stats->notes++;
    }
    if (rc == 0 && nul_fixed) {
        rc = store_batch_note(c->side, it->ocid, c->file_id, "read", "string_nul", NULL,
                              "strings holding U+0000 (which PostgreSQL cannot store) had it "
                              "replaced by U+FFFD");
        c->stats->notes++;
    }
    if (rc)
        return err_set(&c->err, rc, "out of memory");
    err_clear(&e);
    rc = normalise(r->tree, &r->notes, &r->n_notes, &e);
    if (rc)
        return err_set(&c->err, rc, "%s: release at byte %llu: %s", c->path,
                       (unsigned long long)it->offset, e.msg);
    return 0;
}

static int take_compiled(ingest_ctx *c, ocds_item *it)
{
    const char *ocid = it->ocid ? it->ocid : json_get_str(it->release, "ocid");
    size_t gi, nul_fixed = 0;
    group *g;
    pend_rel *pr;
    buf_t b;
    int rc;

    if (!ocid || !ocid[0])
        return reject(c, it, "ocid", "the compiled release has no ocid");
    if (strlen(ocid) > STORE_KEY_MAX)
        return reject(c, it, "ocid", "the ocid is longer than 400 bytes");
    gi = group_get(c, ocid, 1);
    if (gi == (size_t)-1)
        return err_set(&c->err, ERR_NOMEM, "out of memory");
    g = &c->cur->groups[gi];
    if (g->n_pubs == g->cap_pubs) {
        size_t nc = g->cap_pubs ? g->cap_pubs * 2 : 2;
        pend_rel *np = realloc(g->pubs, nc * sizeof *np);
        if (!np)
            return err_set(&c->err, ERR_NOMEM, "out of memory");
        g->pubs = np;
        g->cap_pubs = nc;
    }
    pr = &g->pubs[g->n_pubs];
    memset(pr, 0, sizeof *pr);
    pr->tree = it->release;
    it->release = NULL;
    pr->group = gi;
    pr->offset = it->offset;
    pr->line = it->line;
    pr->index = it->index;
    g->n_pubs++; /* group_dispose frees it from here on */
    buf_init(&b, JSON_MAX_VALUE_BYTES);
    rc = tree_json(pr->tree, &b, &nul_fixed);
    if (rc == 0) {
        pr->len = b.len;
        store_sha256_hex(b.data, b.len, pr->sha);
        pr->json = buf_take(&b);
    }
    buf_dispose(&b);
    if (rc || !pr->json)
        return err_set(&c->err, rc ? rc : ERR_NOMEM, "%s: compiled release at byte %llu: cannot serialise",
                       c->path, (unsigned long long)it->offset);
    pr->date = tree_date(pr->tree, &pr->has_date);
    c->cur->bytes += pr->len;
    c->cur->n_pubs++;
    if (nul_fixed) {
        c->stats->notes++;
        if (store_batch_note(c->side, ocid, c->file_id, "read", "string_nul", NULL,
                             "strings holding U+0000 had it replaced by U+FFFD"))
            return err_set(&c->err, ERR_NOMEM, "out of memory");
    }
    c->stats->compiled++;
    if (add_reader_notes(c, it))
        return err_set(&c->err, ERR_NOMEM, "out of memory");
    return 0;
}

static int on_item(void *ctx, ocds_item *it)
{
    ingest_ctx *c = ctx;
    int rc = 0;

    switch (it->kind) {
    case OCDS_ITEM_RELEASE:
        rc = take_release(c, it);
        break;
    case OCDS_ITEM_COMPILED:
        rc = take_compiled(c, it);
        break;
    case OCDS_ITEM_LINKED:
        c->stats->linked_skipped++;
        c->stats->notes++;
        rc = store_batch_note(c->side, it->ocid, c->file_id, "read", "linked_release", "releases",
                              "a linked release (url only) was noted and skipped");
        break;
    case OCDS_ITEM_REJECTED: {
        char field[128];
        const char *rest;
        split_field(it->error.msg, field, sizeof field, &rest);
        rc = reject(c, it, field[0] ? field : NULL, rest[0] ? rest : "rejected");
        break;
    }
    }
    if (rc) {
        if (c->err.code == 0)
            err_set(&c->err, rc, "%s: out of memory", c->path);
        return c->err.code;
    }
    if (c->prev_pending && (it->index & 15) == 0)
        store_pipeline_poll(c->st);
    /* Releases and published compiled releases count; each makes at most one group, so
     * the groups stay below SLOTS / 2. */
    if (c->cur->n_rels + c->cur->n_pubs >= c->limit || c->cur->bytes >= BATCH_MAX_BYTES ||
        store_batch_bytes(c->side) >= BATCH_MAX_BYTES) {
        rc = process_batch(c);
        if (rc == 0 && c->opts && c->opts->progress)
            c->opts->progress(c->opts->progress_ctx, it->offset, c->file_size,
                              c->stats->releases_read);
    }
    return rc;
}

/* ---- format detection ---- */

/* The root element of an XML file, read with xmlReader: no network, no entity
 * substitution, no DTD loading; only the first element is looked at. */
static int xml_root(const char *path, char *local, size_t ln, char *ns, size_t nn, err_t *e)
{
    xmlTextReaderPtr rd;
    int ret, rc = ERR_BAD_INPUT;

    local[0] = ns[0] = '\0';
    rd = xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!rd)
        return err_set(e, ERR_IO, "%s: cannot open as XML", path);
    while ((ret = xmlTextReaderRead(rd)) == 1) {
        if (xmlTextReaderNodeType(rd) == XML_READER_TYPE_ELEMENT) {
            const xmlChar *l = xmlTextReaderConstLocalName(rd);
            const xmlChar *u = xmlTextReaderConstNamespaceUri(rd);
            snprintf(local, ln, "%s", l ? (const char *)l : "");
            snprintf(ns, nn, "%s", u ? (const char *)u : "");
            rc = 0;
            break;
        }
    }
    xmlFreeTextReader(rd);
    if (rc)
        return err_set(e, ERR_BAD_INPUT, "%s: not well-formed XML (no root element)", path);
    return 0;
}

int ingest_detect_format(const char *path, char fmt[16], err_t *e)
{
    unsigned char head[4096];
    size_t got, i = 0;
    FILE *f;
    char local[128], ns[512];
    int rc;

    fmt[0] = '\0';
    f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
    got = fread(head, 1, sizeof head, f);
    fclose(f);
    if (got >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        i = 3;
    else if (got >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)))
        return err_set(e, ERR_BAD_INPUT, "%s: UTF-16 text is not supported (convert it to UTF-8)", path);
    while (i < got && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r'))
        i++;
    if (got == 0)
        return err_set(e, ERR_BAD_INPUT, "%s: empty file (0 bytes)", path);
    if (i == got && got < sizeof head)
        return err_set(e, ERR_BAD_INPUT, "%s: empty file (only white space)", path);
    if (i == got)
        return err_set(e, ERR_BAD_INPUT, "%s: unknown format (more than 4 KiB of white space)", path);
    if (head[i] == '{' || head[i] == '[') {
        snprintf(fmt, 16, "ocds");
        return 0;
    }
    if (head[i] != '<')
        return err_set(e, ERR_BAD_INPUT,
                       "%s: unknown format: first byte 0x%02X is neither '{', '[' (OCDS JSON) "
                       "nor '<' (XML)",
                       path, head[i]);
    rc = xml_root(path, local, sizeof local, ns, sizeof ns, e);
    if (rc)
        return rc;
    if (eforms_is_root(local)) {
        snprintf(fmt, 16, "eforms");
        return 0;
    }
    if (native_is_root(local, ns)) {
        snprintf(fmt, 16, "native");
        return 0;
    }
    return err_set(e, ERR_BAD_INPUT,
                   "%s: XML root element <%s> (namespace '%s') is neither an eForms notice nor a "
                   "native procaudit document",
                   path, local, ns);
}

/* ---- the file ---- */

static int stats_json(buf_t *b, const ingest_stats *s)
{
    return buf_printf(b,
                      "{\"format\":\"%s\",\"releases_read\":%zu,\"releases_new\":%zu,"
                      "\"releases_same\":%zu,\"releases_changed\":%zu,\"compiled\":%zu,"
                      "\"linked_skipped\":%zu,\"rejected\":%zu,\"procurements\":%zu,\"notes\":%zu}",
                      s->format, s->releases_read, s->releases_new, s->releases_same,
                      s->releases_changed, s->compiled, s->linked_skipped, s->rejected,
                      s->procurements, s->notes);
}

static int is_infrastructure(int rc)
{
    return rc == ERR_IO || rc == ERR_NOMEM || rc == ERR_DB_UNAVAILABLE || rc == ERR_GENERIC;
}

int ingest_file(store *st, const char *path, ingest_stats *stats, err_t *e)
{
    return ingest_file_opts(st, path, NULL, stats, e);
}

int ingest_file_opts(store *st, const char *path, const ingest_options *opts,
                     ingest_stats *stats, err_t *e)
{
    ingest_ctx c;
    store_file_info info;
    ocds_read_stats rs;
    char sha[65], fmt[16];
    uint64_t size = 0;
    buf_t sj;
    err_t fe, scratch;
    const char *key[1] = {INGEST_LOCK_KEY};
    int rc, bad_format, in_tx = 0;

    memset(stats, 0, sizeof *stats);
    memset(&c, 0, sizeof c);
    memset(&rs, 0, sizeof rs);
    buf_init(&sj, 4096);
    err_clear(&fe);
    snprintf(stats->format, sizeof stats->format, "unknown");
    rc = store_sha256_file(path, sha, &size, e);
    if (rc)
        return rc;
    bad_format = ingest_detect_format(path, fmt, &fe);
    if (bad_format && bad_format != ERR_BAD_INPUT) {
        *e = fe;
        return bad_format;
    }
    if (!bad_format)
        snprintf(stats->format, sizeof stats->format, "%s", fmt);
    rc = store_begin(st, e);
    if (rc)
        return rc;
    in_tx = 1;
    rc = store_exec(st, NULL, PGRES_TUPLES_OK,
                    "SELECT pg_advisory_xact_lock(('x' || $1)::bit(64)::bigint)", 1, key, e);
    if (rc == 0)
        rc = store_file_find(st, sha, &info, e);
    if (rc)
        goto cleanup;
    if (info.found && strcmp(info.status, "ingested") == 0) {
        stats->duplicate_file = 1;
        stats->file_id = info.id;
        snprintf(stats->format, sizeof stats->format, "%s", info.format);
        rc = store_commit(st, e);
        in_tx = 0;
        goto cleanup;
    }
    if (bad_format) {
        rc = ERR_BAD_INPUT;
        *e = fe;
        goto reject_file;
    }
    rc = store_file_begin(st, path, size, sha, fmt, &c.file_id, e);
    if (rc)
        goto cleanup;
    stats->file_id = c.file_id;
    c.st = st;
    c.path = path;
    c.opts = opts;
    c.cm = opts && opts->codemap ? opts->codemap : codemap_active();
    c.stats = stats;
    c.file_size = size;
    c.limit = opts && opts->batch ? opts->batch : INGEST_BATCH_DEFAULT;
    if (c.limit > BATCH_MAX_ITEMS)
        c.limit = BATCH_MAX_ITEMS;
    c.no_pipeline = getenv("PROCAUDIT_NO_PIPELINE") != NULL;
    c.cur = &c.bs[0];
    c.prev = &c.bs[1];
    c.bs[0].slots = calloc(SLOTS, sizeof *c.bs[0].slots);
    c.bs[1].slots = calloc(SLOTS, sizeof *c.bs[1].slots);
    if (!c.bs[0].slots || !c.bs[1].slots || store_batch_new(&c.side, e) ||
        store_batch_new(&c.main, e)) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (strcmp(fmt, "ocds") == 0)
        rc = ocds_read_file(path, on_item, &c, &rs, &fe);
    else if (strcmp(fmt, "eforms") == 0)
        rc = eforms_read_file(path, on_item, &c, &rs, &fe);
    else
        rc = native_read_file(path, on_item, &c, &rs, &fe);
    if (rc == 0)
        rc = process_batch(&c);
    if (rc == 0)
        rc = finish_previous(&c);
    if (rc) {
        /* A callback's failure is in c.err; the reader's own in fe. */
        *e = c.err.code ? c.err : fe;
        if (e->code == 0)
            err_set(e, rc, "%s: %s", path, err_name(rc));
        if (rc == ERR_LIMIT)
            rc = ERR_BAD_INPUT;
        if (is_infrastructure(rc))
            goto cleanup;
        goto reject_file;
    }
    snprintf(stats->shape, sizeof stats->shape, "%s", rs.shape);
    rc = stats_json(&sj, stats);
    if (rc) {
        rc = err_set(e, rc, "out of memory");
        goto cleanup;
    }
    rc = store_file_finish(st, c.file_id, "ingested", fmt, rs.shape[0] ? rs.shape : NULL,
                           buf_cstr(&sj), NULL, e);
    if (rc == 0)
        rc = store_commit(st, e);
    in_tx = 0;
    goto cleanup;

reject_file:
    /* The file as a whole is bad: nothing of it stays, but its rejection is recorded. */
    store_rollback(st, &scratch);
    in_tx = 0;
    {
        ingest_stats keep = *stats;
        memset(stats, 0, sizeof *stats);
        snprintf(stats->format, sizeof stats->format, "%s", keep.format);
    }
    if (store_file_reject(st, path, size, sha, bad_format ? "unknown" : fmt, e->msg, &scratch) != 0)
        log_warn(path, "recording the rejected file failed: %s", scratch.msg);
cleanup:
    if (in_tx)
        store_rollback(st, &scratch);
    batch_free(&c.bs[0]);
    batch_free(&c.bs[1]);
    store_batch_free(c.side);
    store_batch_free(c.main);
    buf_dispose(&sj);
    return rc;
}
