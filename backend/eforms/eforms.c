/* eforms.c - the eForms reader: one notice file, checked and parsed safely, validated,
 * mapped to an OCDS release and handed to the caller (see eforms.h). */
#include "eforms/eforms.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "eforms/eforms_internal.h"
#include "eforms/eforms_xml.h"
#include "util/file.h"
#include "util/xmlsafe.h"
#include "util/buf.h"

int eforms_is_root(const char *local_name)
{
    return strcmp(local_name, "ContractNotice") == 0 || strcmp(local_name, "ContractAwardNotice") == 0 ||
           strcmp(local_name, "PriorInformationNotice") == 0;
}

/* ---------------------------------------------------------------- options */

static struct {
    char *ocid_prefix;
    char *schema_dir;
    int skip_validation;
    eforms_buyer_lookup buyer_lookup;
    void *buyer_lookup_ctx;
} eforms_opts;

int eforms_set_options(const eforms_options *o)
{
    char *p = NULL, *d = NULL;

    if (o && o->ocid_prefix && !(p = strdup(o->ocid_prefix)))
        return ERR_NOMEM;
    if (o && o->schema_dir && !(d = strdup(o->schema_dir))) {
        free(p);
        return ERR_NOMEM;
    }
    free(eforms_opts.ocid_prefix);
    free(eforms_opts.schema_dir);
    eforms_opts.ocid_prefix = p;
    eforms_opts.schema_dir = d;
    eforms_opts.skip_validation = o ? o->skip_validation : 0;
    eforms_opts.buyer_lookup = o ? o->buyer_lookup : NULL;
    eforms_opts.buyer_lookup_ctx = o ? o->buyer_lookup_ctx : NULL;
    return 0;
}

/* The schema directory: the option, $PROCAUDIT_EFORMS_SCHEMAS, $PROCAUDIT_ROOT/schemas/eforms,
 * else ./schemas/eforms. */
static void eforms_schema_dir(char *out, size_t n)
{
    const char *env;

    if (eforms_opts.schema_dir)
        snprintf(out, n, "%s", eforms_opts.schema_dir);
    else if ((env = getenv("PROCAUDIT_EFORMS_SCHEMAS")) && *env)
        snprintf(out, n, "%s", env);
    else if ((env = getenv("PROCAUDIT_ROOT")) && *env)
        snprintf(out, n, "%s/schemas/eforms", env);
    else
        snprintf(out, n, "schemas/eforms");
}

/* ---------------------------------------------------------------- folder -> buyer registry */

#define REG_BUCKETS 4096
#define REG_MAX 500000 /* entries; past it, no more are recorded (memory bound) */

typedef struct reg_entry {
    struct reg_entry *next;
    char *ocid;
    char *buyer;
} reg_entry;

static reg_entry *eforms_reg[REG_BUCKETS];
static size_t eforms_reg_n;
static pthread_mutex_t eforms_reg_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t reg_hash(const char *s)
{
    size_t h = 5381;

    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h % REG_BUCKETS;
}

void eforms_registry_reset(void)
{
    size_t i;

    pthread_mutex_lock(&eforms_reg_lock);
    for (i = 0; i < REG_BUCKETS; i++) {
        reg_entry *r = eforms_reg[i], *nx;
        for (; r; r = nx) {
            nx = r->next;
            free(r->ocid);
            free(r->buyer);
            free(r);
        }
        eforms_reg[i] = NULL;
    }
    eforms_reg_n = 0;
    pthread_mutex_unlock(&eforms_reg_lock);
}

/* The value recorded under key into out (1), or 0 when none. Called with the lock held. */
static int reg_get_locked(const char *key, char *out, size_t n)
{
    reg_entry *r;

    for (r = eforms_reg[reg_hash(key)]; r; r = r->next)
        if (strcmp(r->ocid, key) == 0) {
            snprintf(out, n, "%s", r->buyer);
            return 1;
        }
    return 0;
}

/* Records key -> value unless key is known or the registry is full. Lock held. */
static int reg_put_locked(const char *key, const char *value)
{
    size_t h = reg_hash(key);
    reg_entry *r;

    if (eforms_reg_n >= REG_MAX)
        return 0;
    r = calloc(1, sizeof *r);
    if (!r || !(r->ocid = strdup(key)) || !(r->buyer = strdup(value))) {
        if (r)
            free(r->ocid);
        free(r);
        return ERR_NOMEM;
    }
    r->next = eforms_reg[h];
    eforms_reg[h] = r;
    eforms_reg_n++;
    return 0;
}

/* 1 when the release names `id` among its buyers (parties with role buyer): joint
 * procurements list several, in any order. */
static int release_has_buyer(const json_value *rel, const char *id)
{
    const json_value *parties = json_get(rel, "parties");
    size_t i, k;

    for (i = 0; i < json_len(parties); i++) {
        const json_value *p = json_at(parties, i), *roles = json_get(p, "roles");
        const char *pid = json_get_str(p, "id");
        if (!pid || strcmp(pid, id) != 0)
            continue;
        for (k = 0; k < json_len(roles); k++)
            if (json_str(json_at(roles, k)) && strcmp(json_str(json_at(roles, k)), "buyer") == 0)
                return 1;
    }
    return 0;
}

/* Checks the buyers of `ocid` against the buyer recorded before (registry, then the
 * caller's lookup): a conflict when that buyer is not among the release's buyers; records
 * `buyer` (the first) when the ocid is new. *conflict gets the earlier buyer's id on a
 * conflict. Returns 0 or ERR_NOMEM. */
static int reg_check(const char *ocid, const char *buyer, const json_value *rel, char *conflict, size_t n)
{
    char key[1100], known[256];
    int rc = 0;

    conflict[0] = '\0';
    snprintf(key, sizeof key, "b:%s", ocid);
    pthread_mutex_lock(&eforms_reg_lock);
    if (reg_get_locked(key, known, sizeof known)) {
        if (strcmp(known, buyer) != 0 && !release_has_buyer(rel, known))
            snprintf(conflict, n, "%s", known);
        goto cleanup;
    }
    if (eforms_opts.buyer_lookup &&
        eforms_opts.buyer_lookup(eforms_opts.buyer_lookup_ctx, ocid, known, sizeof known) == 0 && known[0] &&
        strcmp(known, buyer) != 0 && !release_has_buyer(rel, known)) {
        snprintf(conflict, n, "%s", known);
        goto cleanup;
    }
    rc = reg_put_locked(key, buyer);
cleanup:
    pthread_mutex_unlock(&eforms_reg_lock);
    return rc;
}

/* Records release id -> ocid, and returns in *prev_ocid the ocid of the notice that
 * `changes` (BT-758) names, when that notice was read before ("" otherwise). */
static int reg_release(const char *release_id, const char *ocid, const char *changes, char *prev_ocid,
                       size_t n)
{
    char key[1100];
    int rc;

    prev_ocid[0] = '\0';
    pthread_mutex_lock(&eforms_reg_lock);
    if (changes) {
        snprintf(key, sizeof key, "r:%s", changes);
        if (!reg_get_locked(key, prev_ocid, n))
            prev_ocid[0] = '\0';
    }
    snprintf(key, sizeof key, "r:%s", release_id);
    rc = reg_put_locked(key, ocid);
    pthread_mutex_unlock(&eforms_reg_lock);
    return rc;
}

void eforms_cleanup(void)
{
    eforms_registry_reset();
    eforms_xsd_cleanup();
    free(eforms_opts.ocid_prefix);
    free(eforms_opts.schema_dir);
    memset(&eforms_opts, 0, sizeof eforms_opts);
}

/* ---------------------------------------------------------------- input checks */

/* The encoding named in the XML declaration, if any, into out ("" when none). */
static void eforms_declared_encoding(const char *s, size_t len, char *out, size_t n)
{
    const char *end, *p;
    size_t i = 0;

    out[0] = '\0';
    if (len < 5 || memcmp(s, "<?xml", 5) != 0)
        return;
    end = memchr(s, '>', len < 512 ? len : 512);
    if (!end)
        return;
    for (p = s; p + 8 < end; p++) {
        if (memcmp(p, "encoding", 8) == 0) {
            p += 8;
            while (p < end && (*p == ' ' || *p == '='))
                p++;
            if (p < end && (*p == '"' || *p == '\'')) {
                char q = *p++;
                while (p < end && *p != q && i + 1 < n)
                    out[i++] = *p++;
            }
            out[i] = '\0';
            return;
        }
    }
}

/* ---------------------------------------------------------------- parsing */

/* Parses buf as one notice: 0 and *out, or ERR_BAD_INPUT/ERR_LIMIT with the reason in e
 * ("line N: message"), or ERR_NOMEM. */
static int eforms_parse(xmlDocPtr *out, const char *buf, size_t len, const char *path, err_t *e)
{
    xmlsafe_report r;
    xmlDocPtr doc = NULL;
    size_t depth;
    int rc = 0;

    *out = NULL;
    /* NONET: no network. Never NOENT (entity substitution) or DTDLOAD/DTDATTR/DTDVALID. */
    rc = xmlsafe_parse(&doc, buf, len, path, "UTF-8",
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING, 0, &r, e);
    if (rc)
        goto cleanup;
    if (r.doctype || r.entity) {
        rc = err_set(
            e, ERR_BAD_INPUT,
            "line %ld: %s refused: eForms notices have none, and entities are never expanded or loaded",
            r.line, r.entity ? "an entity declaration" : "a document type declaration (DOCTYPE)");
        goto cleanup;
    }
    if (!doc) {
        if (r.have_last && r.last_code == XML_ERR_NO_MEMORY) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        rc = err_set(e,
                     r.have_last && r.last_code == XML_ERR_INTERNAL_ERROR && strstr(r.last, "depth")
                         ? ERR_LIMIT
                         : ERR_BAD_INPUT,
                     "line %d: not well-formed XML: %s", r.have_last ? r.last_line : 0,
                     r.have_last ? r.last : "unknown error");
        goto cleanup;
    }
    depth = xmlsafe_depth(xmlDocGetRootElement(doc));
    if (depth > EFORMS_MAX_DEPTH) {
        rc = err_set(e, ERR_LIMIT, "elements nested %zu deep, over the limit of %d", depth, EFORMS_MAX_DEPTH);
        goto cleanup;
    }
    *out = doc;
    doc = NULL;
cleanup:
    if (doc)
        xmlFreeDoc(doc);
    return rc;
}

/* Reads the whole file (at most EFORMS_MAX_FILE_BYTES): file_read_all, with the eForms
 * wording of the size refusal. ERR_IO, ERR_NOMEM, or ERR_LIMIT with the reason in e. */
static int eforms_slurp(const char *path, char **out, size_t *out_len, err_t *e)
{
    char what[sizeof e->msg];
    int rc = file_read_all(path, EFORMS_MAX_FILE_BYTES, out, out_len, e);

    if (rc == ERR_LIMIT) {
        snprintf(what, sizeof what, "%s", e->msg);
        rc = err_set(e, ERR_LIMIT, "file is %s (%u MB) per notice", what,
                     EFORMS_MAX_FILE_BYTES / (1024u * 1024u));
    }
    return rc;
}

/* ---------------------------------------------------------------- the reader */

int eforms_read_file(const char *path, ocds_item_cb cb, void *ctx, ocds_read_stats *stats, err_t *e)
{
    char *buf = NULL;
    size_t len = 0, bad;
    xmlDocPtr doc = NULL;
    err_t why;
    eforms_notes ns;
    eforms_mapped m;
    char enc[40], schema_dir[1024], conflict[256];
    int rc = 0;

    memset(&m, 0, sizeof m);
    eforms_notes_init(&ns);
    err_clear(&why);
    xmlsafe_init();
    if (stats)
        snprintf(stats->shape, sizeof stats->shape, "eforms_notice");
    rc = eforms_slurp(path, &buf, &len, &why);
    if (rc == ERR_LIMIT)
        goto reject;
    if (rc) {
        err_set(e, rc, "%s", why.msg[0] ? why.msg : "out of memory");
        goto cleanup;
    }
    if (stats)
        stats->bytes += len;
    {
        size_t skip;

        bad = xmlsafe_utf8_check(buf, len, &skip);
        if (bad < len) {
            err_set(&why, ERR_BAD_INPUT, "invalid UTF-8 at byte offset %zu (line %lu): the notice is refused",
                    bad, xmlsafe_line_of(buf, bad));
            goto reject;
        }
        eforms_declared_encoding(buf + skip, len - skip, enc, sizeof enc);
        if (enc[0] && strcasecmp(enc, "UTF-8") != 0 && strcasecmp(enc, "US-ASCII") != 0) {
            err_set(&why, ERR_BAD_INPUT, "line 1: declares encoding '%s'; eForms notices are UTF-8", enc);
            goto reject;
        }
    }
    rc = eforms_parse(&doc, buf, len, path, &why);
    if (rc == ERR_NOMEM)
        goto cleanup;
    if (rc)
        goto reject;
    free(buf);
    buf = NULL;
    rc = eforms_map_notice(
        &m, doc, eforms_opts.ocid_prefix ? eforms_opts.ocid_prefix : EFORMS_DEFAULT_OCID_PREFIX, &ns, &why);
    if (rc == ERR_NOMEM)
        goto cleanup;
    if (rc)
        goto reject;
    if (!eforms_opts.skip_validation) {
        char *ver = eforms_x_text_at(xmlDocGetRootElement(doc), "cbc:CustomizationID", NULL);
        if (!ver && eforms_x_oom_take()) {
            rc = ERR_NOMEM;
            goto cleanup;
        }
        eforms_schema_dir(schema_dir, sizeof schema_dir);
        rc = eforms_xsd_validate(doc, schema_dir, ver, &ns, e);
        free(ver);
        if (rc)
            goto cleanup;
    }
    if (m.buyer_id) {
        rc = reg_check(m.ocid, m.buyer_id, m.release, conflict, sizeof conflict);
        if (rc)
            goto cleanup;
        if (conflict[0]) {
            buf_t b;
            buf_init(&b, 2048);
            rc = buf_printf(&b, "%s-%s", m.ocid, m.buyer_id);
            if (rc == 0)
                rc = json_object_set(m.release, "ocid", json_new_cstring(buf_cstr(&b)));
            if (rc == 0)
                rc = eforms_note_add(
                    &ns, "folder_id_buyer_conflict", "ocid",
                    "ContractFolderID already used by a notice of buyer %.100s; this notice (buyer "
                    "%.100s) is kept apart under ocid %.300s",
                    conflict, m.buyer_id, buf_cstr(&b));
            if (rc == 0) {
                free(m.ocid);
                m.ocid = buf_take(&b);
                if (!m.ocid)
                    rc = ERR_NOMEM;
            }
            buf_dispose(&b);
            if (rc)
                goto cleanup;
            /* later notices of this buyer find the suffixed ocid through the same check */
            rc = reg_check(m.ocid, m.buyer_id, m.release, conflict, sizeof conflict);
            if (rc)
                goto cleanup;
        }
    }
    rc = reg_release(m.release_id, m.ocid, m.changes_release, conflict, sizeof conflict);
    if (rc)
        goto cleanup;
    if (conflict[0] && strcmp(conflict, m.ocid) != 0) {
        rc = eforms_note_add(
            &ns, "change_folder_mismatch", "tender.amendments",
            "this change notice amends notice %.100s of %.200s but names another procedure (BT-04); "
            "fields that cannot change were changed",
            m.changes_release, conflict);
        if (rc)
            goto cleanup;
    }
    rc = eforms_notes_finish(&ns);
    if (rc)
        goto cleanup;
    {
        ocds_item it;
        ocds_item_init(&it, OCDS_ITEM_RELEASE, path, 0, 1, m.ocid);
        it.release = m.release;
        it.release_id = m.release_id;
        it.notes = ns.v;
        it.n_notes = ns.n;
        if (stats)
            stats->releases++;
        rc = cb(ctx, &it);
        m.release = it.release; /* NULL when the callback took it */
        if (rc) {
            err_set(e, rc, "%s: the callback stopped the read", path);
            goto cleanup;
        }
    }
    goto cleanup;
reject:
    rc = ocds_emit_rejected(path, 0, 1, NULL, why.code, cb, ctx, stats, e, "%s: %s", path, why.msg);
cleanup:
    if (rc == ERR_NOMEM && e && e->code != ERR_NOMEM)
        err_set(e, ERR_NOMEM, "%s: out of memory", path);
    free(buf);
    if (doc)
        xmlFreeDoc(doc);
    eforms_mapped_dispose(&m);
    eforms_notes_dispose(&ns);
    return rc;
}
