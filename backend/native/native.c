/* native.c - the native procaudit XML format (SPEC §3.4): read safely, validate against
 * templates/native/procaudit-native.xsd, map each <procurement> to an OCDS release. */
#include "native/native.h"

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
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "util/buf.h"
#include "util/file.h"
#include "util/xmlsafe.h"

/* ================================================================== small helpers */

int native_is_root(const char *local_name, const char *ns_uri)
{
    if (!local_name)
        return 0;
    /* No namespace is accepted here so that the reader, not format detection, tells the
     * publisher precisely what is wrong ("the root must be ... in namespace ..."). */
    if (ns_uri && *ns_uri && strcmp(ns_uri, NATIVE_NS) != 0)
        return 0;
    return strcmp(local_name, "procurement") == 0 || strcmp(local_name, "procurements") == 0;
}

/* 1 when n is an element of the native namespace with local name `name`. */
static int is_el(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, NATIVE_NS) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr next_el(xmlNodePtr n, const char *name)
{
    for (; n; n = n->next)
        if (is_el(n, name))
            return n;
    return NULL;
}

/* The first child element `name` of parent (NULL-safe). */
static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
    return parent ? next_el(parent->children, name) : NULL;
}

#define EACH(c, parent, name) for (c = child(parent, name); c; c = next_el(c->next, name))

/* 1 when element n has attribute `name` equal to value. Compares in place when the
 * attribute is one text node (the usual case), so that the lookups the mapping does
 * for every reference allocate nothing. */
static int attr_eq(xmlNodePtr n, const char *name, const char *value)
{
    xmlAttrPtr a;
    xmlChar *v;
    int eq;

    if (!n || !value)
        return 0;
    a = xmlHasProp(n, (const xmlChar *)name);
    if (!a)
        return 0;
    if (a->children && a->children->type == XML_TEXT_NODE && !a->children->next &&
        a->children->content)
        return strcmp((const char *)a->children->content, value) == 0;
    v = xmlGetNoNsProp(n, (const xmlChar *)name);
    eq = v && strcmp((const char *)v, value) == 0;
    if (v)
        xmlFree(v);
    return eq;
}

/* ================================================================== reading the file */

/* Reads the whole file, at most NATIVE_MAX_FILE_BYTES (file_read_all; the size refusal
 * names the file and line 1). ERR_IO, ERR_NOMEM, ERR_LIMIT. */
static int slurp(const char *path, char **out, size_t *out_len, err_t *e)
{
    int rc = file_read_all(path, NATIVE_MAX_FILE_BYTES, out, out_len, e);

    if (rc == ERR_LIMIT)
        err_prefix(e, "%s:1: ", path);
    return rc;
}

/* ================================================================== parsing */

/* The number of elements in the subtree of root (root included), counting stops once
 * it passes `stop`. */
static size_t count_elements(xmlNodePtr root, size_t stop)
{
    size_t count = 1;
    xmlNodePtr n = root;

    for (;;) {
        if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
        } else {
            while (n != root && !n->next)
                n = n->parent;
            if (n == root)
                return count;
            n = n->next;
        }
        if (n->type == XML_ELEMENT_NODE && ++count > stop)
            return count;
    }
}

/* Parses buf into *out. ERR_BAD_INPUT/ERR_LIMIT with "path:line: message" in e. */
static int parse_doc(xmlDocPtr *out, const char *buf, size_t len, const char *path, err_t *e)
{
    xmlsafe_report r;
    xmlDocPtr doc = NULL;
    size_t depth;
    int rc = 0;

    *out = NULL;
    /* NONET: no network. Never NOENT (entity substitution), DTDLOAD, DTDATTR or DTDVALID.
     * Without XML_PARSE_HUGE libxml2 also keeps its own limits (text node size, 256
     * levels of nesting). UTF-8 is imposed (it was checked byte by byte before). */
    rc = xmlsafe_parse(&doc, buf, len, path, "UTF-8",
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING, 0, &r, e);
    if (rc)
        goto cleanup;
    if (r.doctype || r.entity) {
        rc = err_set(e, ERR_BAD_INPUT,
                     "%s:%ld: a document type declaration (DOCTYPE) is refused: the native "
                     "format has none, and entities are never declared, expanded or loaded",
                     path, r.line);
        goto cleanup;
    }
    if (!doc) {
        rc = err_set(e, strstr(r.error, "depth") ? ERR_LIMIT : ERR_BAD_INPUT,
                     "%s:%d: not well-formed XML: %s", path, r.have_error ? r.error_line : 1,
                     r.have_error ? r.error : "unknown error");
        goto cleanup;
    }
    depth = xmlsafe_depth(xmlDocGetRootElement(doc));
    if (depth > NATIVE_MAX_DEPTH) {
        rc = err_set(e, ERR_LIMIT, "%s:1: elements nested %zu deep, over the limit of %d",
                     path, depth, NATIVE_MAX_DEPTH);
        goto cleanup;
    }
    *out = doc;
    doc = NULL;
cleanup:
    if (doc)
        xmlFreeDoc(doc);
    return rc;
}

/* ================================================================== the schema */

static pthread_mutex_t schema_lock = PTHREAD_MUTEX_INITIALIZER;
static xmlSchemaPtr schema_cached;
static char *schema_cached_path;

/* The XSD path: $PROCAUDIT_NATIVE_XSD, else $PROCAUDIT_ROOT/templates/native/..., else
 * templates/native/... relative to the working directory. */
static void schema_path(char *out, size_t n)
{
    const char *env = getenv("PROCAUDIT_NATIVE_XSD");

    if (env && *env) {
        snprintf(out, n, "%s", env);
        return;
    }
    env = getenv("PROCAUDIT_ROOT");
    if (env && *env)
        snprintf(out, n, "%s/%s", env, NATIVE_XSD_RELPATH);
    else
        snprintf(out, n, "%s", NATIVE_XSD_RELPATH);
}

static void schema_quiet(void *ctx, xmlErrorPtr err)
{
    err_t *e = ctx;

    if (e && err && e->code == 0 && err->message)
        err_set(e, ERR_IO, "%s:%d: %s", err->file ? err->file : "schema", err->line,
                err->message);
}

/* The compiled schema (parsed once per path, shared read-only between threads; libxml2
 * allows concurrent validation with one xmlSchema). ERR_IO when it cannot be loaded. */
static int schema_get(xmlSchemaPtr *out, err_t *e)
{
    char path[4096];
    xmlSchemaParserCtxtPtr pc = NULL;
    xmlSchemaPtr s = NULL;
    err_t why;
    int rc = 0;

    schema_path(path, sizeof path);
    pthread_mutex_lock(&schema_lock);
    if (schema_cached && strcmp(schema_cached_path, path) == 0) {
        *out = schema_cached;
        goto cleanup;
    }
    err_clear(&why);
    pc = xmlSchemaNewParserCtxt(path);
    if (!pc) {
        rc = err_set(e, ERR_NOMEM, "out of memory loading %s", path);
        goto cleanup;
    }
    xmlSchemaSetParserStructuredErrors(pc, schema_quiet, &why);
    s = xmlSchemaParse(pc);
    if (!s) {
        rc = err_set(e, ERR_IO, "native XSD %s cannot be loaded (%s); set PROCAUDIT_ROOT or "
                     "PROCAUDIT_NATIVE_XSD", path, why.msg[0] ? why.msg : "no detail");
        goto cleanup;
    }
    if (schema_cached)
        xmlSchemaFree(schema_cached);
    free(schema_cached_path);
    schema_cached = s;
    schema_cached_path = strdup(path);
    if (!schema_cached_path) {
        xmlSchemaFree(schema_cached);
        schema_cached = NULL;
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    *out = s;
cleanup:
    pthread_mutex_unlock(&schema_lock);
    if (pc)
        xmlSchemaFreeParserCtxt(pc);
    return rc;
}

void native_cleanup(void)
{
    pthread_mutex_lock(&schema_lock);
    if (schema_cached)
        xmlSchemaFree(schema_cached);
    schema_cached = NULL;
    free(schema_cached_path);
    schema_cached_path = NULL;
    pthread_mutex_unlock(&schema_lock);
}

/* Validation errors, gathered per <procurement> (index in document order), or for the
 * file when they belong to no procurement. The first NATIVE_MAX_ERRORS of each are kept. */
typedef struct {
    xmlNodePtr *procs;   /* the procurement elements, in order */
    int *too_big;        /* 1: over NATIVE_MAX_ELEMENTS, unlinked from the document */
    size_t n_procs;
    buf_t *msgs;         /* n_procs + 1 buffers: [n_procs] is the file's */
    size_t *counts;
    const char *path;
    int oom;
} vstate;

/* Copies msg without the "{urn:procaudit:native:1}" qualifications and the final new
 * line, so that messages name elements as the file writes them. */
static int append_clean(buf_t *b, const char *msg)
{
    static const char ns[] = "{" NATIVE_NS "}";
    size_t nl = sizeof ns - 1;
    const char *p = msg;

    while (*p) {
        if (strncmp(p, ns, nl) == 0) {
            p += nl;
            continue;
        }
        if (*p == '\n' && p[1] == '\0')
            break;
        if (buf_putc(b, *p) != 0)
            return ERR_NOMEM;
        p++;
    }
    return 0;
}

static void collect_error(void *ctx, xmlErrorPtr err)
{
    vstate *vs = ctx;
    xmlNodePtr n, el = NULL, proc = NULL;
    size_t slot, i;
    buf_t *b;
    long line;

    if (!vs || !err || vs->oom)
        return;
    n = err->node;
    for (; n; n = n->parent) {
        if (n->type == XML_ELEMENT_NODE && !el)
            el = n;
        if (is_el(n, "procurement")) {
            proc = n;
            break;
        }
    }
    slot = vs->n_procs;
    for (i = 0; proc && i < vs->n_procs; i++)
        if (vs->procs[i] == proc && !vs->too_big[i]) {
            slot = i;
            break;
        }
    if (++vs->counts[slot] > NATIVE_MAX_ERRORS)
        return;
    b = &vs->msgs[slot];
    line = el ? xmlGetLineNo(el) : err->line;
    if ((b->len && buf_puts(b, "; ") != 0) ||
        buf_printf(b, "%s:%ld: element <%s>: ", vs->path, line,
                   el ? (const char *)el->name : "?") != 0 ||
        append_clean(b, err->message ? err->message : "invalid") != 0)
        vs->oom = 1;
}

/* ================================================================== JSON building */

/* The builder: errors are sticky (ERR_NOMEM), so building reads straight. */
typedef struct {
    int rc;
    xmlNodePtr proc;     /* the <procurement> being mapped */
} jb;

static json_value *jnew(jb *b, json_value *v)
{
    if (!v && !b->rc)
        b->rc = ERR_NOMEM;
    return v;
}

static json_value *jobj(jb *b)
{
    return b->rc ? NULL : jnew(b, json_new_object());
}

static json_value *jarr(jb *b)
{
    return b->rc ? NULL : jnew(b, json_new_array());
}

/* obj[key] = v; takes v. A NULL v (absent) leaves obj as it is. */
static void jset(jb *b, json_value *obj, const char *key, json_value *v)
{
    if (!v)
        return;
    if (b->rc || !obj) {
        json_free(v);
        return;
    }
    if (json_object_set(obj, key, v) != 0)
        b->rc = ERR_NOMEM;
}

static void jpush(jb *b, json_value *arr, json_value *v)
{
    if (!v)
        return;
    if (b->rc || !arr) {
        json_free(v);
        return;
    }
    if (json_array_push(arr, v) != 0)
        b->rc = ERR_NOMEM;
}

/* Sets obj[key] to arr when arr has elements, else frees it. */
static void jset_nonempty(jb *b, json_value *obj, const char *key, json_value *arr)
{
    if (arr && json_len(arr) == 0) {
        json_free(arr);
        return;
    }
    jset(b, obj, key, arr);
}

static json_value *jstr(jb *b, const char *s)
{
    return b->rc || !s ? NULL : jnew(b, json_new_cstring(s));
}

/* The trimmed text of an element (NULL when absent or blank), as a new string. */
static char *el_text(jb *b, xmlNodePtr n)
{
    xmlChar *c;
    const char *s;
    size_t len;
    char *r;

    if (!n || b->rc)
        return NULL;
    c = xmlNodeGetContent(n);
    if (!c) {
        b->rc = ERR_NOMEM;
        return NULL;
    }
    s = (const char *)c;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
                   s[len - 1] == '\r'))
        len--;
    r = len ? strndup(s, len) : NULL;
    if (len && !r)
        b->rc = ERR_NOMEM;
    xmlFree(c);
    return r;
}

static char *el_attr(jb *b, xmlNodePtr n, const char *name)
{
    xmlChar *c;
    char *r;

    if (!n || b->rc)
        return NULL;
    c = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (!c)
        return NULL;
    r = *c ? strdup((const char *)c) : NULL;
    if (*c && !r)
        b->rc = ERR_NOMEM;
    xmlFree(c);
    return r;
}

/* A JSON number from an xs:decimal lexical form ("+1.50", ".5", "007"): JSON needs no
 * '+', a digit before the point and no leading zeros. NULL when it is not a decimal. */
static json_value *jdecimal(jb *b, const char *s)
{
    char out[64];
    size_t o = 0;
    const char *ip, *fp = NULL;
    size_t ilen = 0, flen = 0;

    if (!s || b->rc)
        return NULL;
    if (*s == '+')
        s++;
    else if (*s == '-')
        out[o++] = '-';
    ip = s;
    while (*s >= '0' && *s <= '9') {
        s++;
        ilen++;
    }
    if (*s == '.') {
        fp = ++s;
        while (*s >= '0' && *s <= '9') {
            s++;
            flen++;
        }
    }
    if (*s || (ilen == 0 && flen == 0) || ilen + flen + 4 > sizeof out)
        return NULL;
    while (ilen > 1 && *ip == '0') {
        ip++;
        ilen--;
    }
    if (ilen == 0)
        out[o++] = '0';
    memcpy(out + o, ip, ilen);
    o += ilen;
    if (flen) {
        out[o++] = '.';
        memcpy(out + o, fp, flen);
        o += flen;
    }
    return jnew(b, json_new_number_text(out, o));
}

/* obj[key] = the text of child element `name` of n. */
static void jset_child(jb *b, json_value *obj, const char *key, xmlNodePtr n, const char *name)
{
    char *t = el_text(b, child(n, name));

    jset(b, obj, key, jstr(b, t));
    free(t);
}

static void jset_attr(jb *b, json_value *obj, const char *key, xmlNodePtr n, const char *attr)
{
    char *t = el_attr(b, n, attr);

    jset(b, obj, key, jstr(b, t));
    free(t);
}

static void jset_child_num(jb *b, json_value *obj, const char *key, xmlNodePtr n,
                           const char *name)
{
    char *t = el_text(b, child(n, name));

    jset(b, obj, key, jdecimal(b, t));
    free(t);
}

/* An Amount element -> OCDS Value {amount, currency}; NULL when n is NULL. */
static json_value *jamount(jb *b, xmlNodePtr n)
{
    json_value *v;
    char *t;

    if (!n)
        return NULL;
    v = jobj(b);
    t = el_text(b, n);
    jset(b, v, "amount", jdecimal(b, t));
    free(t);
    jset_attr(b, v, "currency", n, "currency");
    return v;
}

/* A Period element -> {startDate, endDate, durationInDays}. */
static json_value *jperiod(jb *b, xmlNodePtr n)
{
    json_value *v;

    if (!n)
        return NULL;
    v = jobj(b);
    jset_child(b, v, "startDate", n, "start");
    jset_child(b, v, "endDate", n, "end");
    jset_child_num(b, v, "durationInDays", n, "durationInDays");
    return v;
}

static json_value *jaddress(jb *b, xmlNodePtr n)
{
    json_value *v;

    if (!n)
        return NULL;
    v = jobj(b);
    jset_child(b, v, "streetAddress", n, "street");
    jset_child(b, v, "locality", n, "locality");
    jset_child(b, v, "region", n, "region");
    jset_child(b, v, "postalCode", n, "postalCode");
    jset_child(b, v, "countryName", n, "country");
    return v;
}

/* A SchemeCode element -> {scheme, id}. */
static json_value *jscheme(jb *b, xmlNodePtr n)
{
    json_value *v;
    char *t;

    if (!n)
        return NULL;
    v = jobj(b);
    jset_attr(b, v, "scheme", n, "scheme");
    t = el_text(b, n);
    jset(b, v, "id", jstr(b, t));
    free(t);
    return v;
}

static json_value *jdocument(jb *b, xmlNodePtr n)
{
    json_value *v = jobj(b);

    jset_attr(b, v, "id", n, "id");
    jset_attr(b, v, "documentType", n, "type");
    jset_child(b, v, "title", n, "title");
    jset_child(b, v, "url", n, "url");
    jset_child(b, v, "datePublished", n, "published");
    jset_child(b, v, "format", n, "format");
    return v;
}

static void push_documents(jb *b, json_value *arr, xmlNodePtr parent)
{
    xmlNodePtr d;

    EACH(d, parent, "document")
        jpush(b, arr, jdocument(b, d));
}

/* The organisation element (buyer, provider or evaluator) with this id, or NULL. */
static xmlNodePtr org_by_id(jb *b, const char *id)
{
    static const char *const kinds[] = {"buyer", "provider", NULL};
    xmlNodePtr n;
    size_t k;

    if (!id)
        return NULL;
    for (k = 0; kinds[k]; k++)
        EACH(n, b->proc, kinds[k])
            if (attr_eq(n, "id", id))
                return n;
    EACH(n, child(b->proc, "evaluation"), "evaluator")
        if (attr_eq(n, "id", id))
            return n;
    return NULL;
}

/* An OCDS OrganizationReference {id, name} for the organisation with this id. */
static json_value *jorgref(jb *b, const char *id)
{
    json_value *v;

    if (!id)
        return NULL;
    v = jobj(b);
    jset(b, v, "id", jstr(b, id));
    jset_child(b, v, "name", org_by_id(b, id), "name");
    return v;
}

/* 1 when some element `what` under `under` has attribute attr == id. */
static int referenced(xmlNodePtr under, const char *what, const char *attr, const char *id)
{
    xmlNodePtr n;

    EACH(n, under, what)
        if (attr_eq(n, attr, id))
            return 1;
    return 0;
}

/* An Organisation element -> an OCDS party with the given roles. */
static json_value *jparty(jb *b, xmlNodePtr n, const char *const *roles)
{
    json_value *v = jobj(b), *rs = jarr(b), *ident, *cp = NULL, *det;
    xmlNodePtr c;

    jset_attr(b, v, "id", n, "id");
    jset_child(b, v, "name", n, "name");
    ident = jscheme(b, child(n, "identifier"));
    if (ident)
        jset_child(b, ident, "legalName", n, "name");
    jset(b, v, "identifier", ident);
    jset(b, v, "address", jaddress(b, child(n, "address")));
    c = child(n, "contact");
    if (c) {
        cp = jobj(b);
        jset_child(b, cp, "name", c, "name");
        jset_child(b, cp, "email", c, "email");
        jset_child(b, cp, "telephone", c, "telephone");
    }
    jset(b, v, "contactPoint", cp);
    if (child(n, "scale")) {
        det = jobj(b);
        jset_child(b, det, "scale", n, "scale");
        jset(b, v, "details", det);
    }
    for (; roles && *roles; roles++)
        jpush(b, rs, jstr(b, *roles));
    jset(b, v, "roles", rs);
    return v;
}

/* ================================================================== one procurement */

static xmlNodePtr award_by_id(jb *b, const char *id);

/* The providers paid: the provider of the award of every contract with payments (owned
 * strings, *n of them; duplicates possible). Computed once per procurement so that the
 * role of each provider is a scan of this list, never a scan of contracts x awards. */
static char **payees(jb *b, size_t *n)
{
    xmlNodePtr c;
    char **out = NULL, **grown;
    size_t cap = 0;

    *n = 0;
    EACH(c, b->proc, "contract") {
        char *aid, *pid;
        if (!child(c, "payment") || b->rc)
            continue;
        aid = el_attr(b, c, "award");
        pid = el_attr(b, award_by_id(b, aid), "provider");
        free(aid);
        if (!pid)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            grown = realloc(out, cap * sizeof *grown);
            if (!grown) {
                free(pid);
                b->rc = ERR_NOMEM;
                break;
            }
            out = grown;
        }
        out[(*n)++] = pid;
    }
    return out;
}

static void map_parties(jb *b, json_value *rel)
{
    static const char *const buyer_roles[] = {"buyer", "procuringEntity", NULL};
    static const char *const buyer_payer_roles[] = {"buyer", "procuringEntity", "payer", NULL};
    xmlNodePtr p = b->proc, n, proc = child(p, "procedure");
    json_value *parties = jarr(b);
    int any_bid = child(proc, "bid") != NULL;
    size_t n_paid = 0, k;
    char **paid = payees(b, &n_paid);

    jpush(b, parties, jparty(b, child(p, "buyer"), n_paid ? buyer_payer_roles : buyer_roles));
    EACH(n, p, "provider") {
        const char *roles[4] = {NULL, NULL, NULL, NULL};
        size_t r = 0;
        int is_paid = 0;
        char *id = el_attr(b, n, "id");
        /* A provider that bid is a tenderer; one that won is a supplier; when no bids
         * are published every provider is taken as a tenderer. */
        for (k = 0; id && k < n_paid && !is_paid; k++)
            is_paid = strcmp(paid[k], id) == 0;
        if (id && (!any_bid || referenced(proc, "bid", "provider", id)))
            roles[r++] = "tenderer";
        if (id && referenced(p, "award", "provider", id))
            roles[r++] = "supplier";
        if (is_paid)
            roles[r++] = "payee";
        if (r == 0)
            roles[r++] = "tenderer";
        jpush(b, parties, jparty(b, n, roles));
        free(id);
    }
    EACH(n, child(p, "evaluation"), "evaluator") {
        static const char *const ev_roles[] = {"evaluator", NULL};
        jpush(b, parties, jparty(b, n, ev_roles));
    }
    jset(b, rel, "parties", parties);
    for (k = 0; k < n_paid; k++)
        free(paid[k]);
    free(paid);
}

static const char *weight_code(const char *kind)
{
    if (kind && strcmp(kind, "percentage") == 0)
        return "percentageExact";
    if (kind && strcmp(kind, "points") == 0)
        return "pointsExact";
    return "orderOfImportance";
}

static json_value *jcriterion(jb *b, xmlNodePtr n)
{
    json_value *v = jobj(b);
    xmlNodePtr w = child(n, "weight");

    jset_attr(b, v, "type", n, "type");
    jset_child(b, v, "name", n, "name");
    jset_child(b, v, "description", n, "description");
    if (w) {
        json_value *nums = jarr(b), *num = jobj(b);
        char *t = el_text(b, w), *kind = el_attr(b, w, "kind");
        jset(b, num, "number", jdecimal(b, t));
        jset(b, num, "weight", jstr(b, weight_code(kind)));
        jpush(b, nums, num);
        jset(b, v, "numbers", nums);
        free(t);
        free(kind);
    }
    return v;
}

/* The lot object with this id in tender.lots, or NULL. */
static json_value *lot_json(json_value *lots, const char *id)
{
    size_t i;

    for (i = 0; id && i < json_len(lots); i++) {
        const char *lid = json_get_str(json_at(lots, i), "id");
        if (lid && strcmp(lid, id) == 0)
            return lots->u.array.items[i];
    }
    return NULL;
}

/* Planned payments -> milestones of type "payment" with a value (OCDS 1.2 milestone
 * value; 1.1 publishers write the same shape through the milestone extension). */
static json_value *jplanned_payment(jb *b, xmlNodePtr n)
{
    json_value *v = jobj(b);
    char *id = el_attr(b, n, "id");

    jset(b, v, "id", jstr(b, id));
    jset(b, v, "type", jstr(b, "payment"));
    jset(b, v, "title", jstr(b, "Planned payment"));
    jset(b, v, "status", jstr(b, "scheduled"));
    jset_attr(b, v, "dueDate", n, "dueDate");
    jset(b, v, "value", jamount(b, n));
    free(id);
    return v;
}

static void map_tender(jb *b, json_value *rel, json_value **lots_out)
{
    xmlNodePtr p = b->proc, proc = child(p, "procedure"), svc = child(p, "service");
    xmlNodePtr price = child(p, "price"), eval = child(p, "evaluation"), n;
    json_value *t = jobj(b), *items = jarr(b), *lots = jarr(b), *docs = jarr(b);
    json_value *tenderers = jarr(b), *crit = jarr(b), *miles = jarr(b), *ext = jobj(b);
    char *buyer_id = el_attr(b, child(p, "buyer"), "id");
    size_t n_contracts = 0, n_bidders = 0;

    jset_attr(b, t, "id", p, "id");
    jset_child(b, t, "title", svc, "title");
    jset_child(b, t, "description", svc, "description");
    jset_child(b, t, "status", proc, "status");
    jset_child(b, t, "procurementMethod", proc, "method");
    jset_child(b, t, "procurementMethodDetails", proc, "methodDetails");
    jset_child(b, t, "procurementMethodRationale", proc, "rationale");
    if (child(svc, "category"))
        jset_child(b, t, "mainProcurementCategory", svc, "category");
    else
        jset(b, t, "mainProcurementCategory", jstr(b, "services"));
    jset_child(b, t, "datePublished", proc, "published");
    jset(b, t, "tenderPeriod", jperiod(b, child(proc, "tenderPeriod")));
    jset(b, t, "contractPeriod", jperiod(b, child(svc, "period")));
    jset(b, t, "value", jamount(b, child(price, "estimatedValue")));
    jset(b, t, "procuringEntity", jorgref(b, buyer_id));

    /* Lots, then items (deliverables) with the service's classification and place when
     * they give none of their own. */
    EACH(n, svc, "lot") {
        json_value *l = jobj(b);
        jset_attr(b, l, "id", n, "id");
        jset_child(b, l, "title", n, "title");
        jset_child(b, l, "description", n, "description");
        jset(b, l, "value", jamount(b, child(n, "estimatedValue")));
        jpush(b, lots, l);
    }
    EACH(n, svc, "deliverable") {
        json_value *it = jobj(b), *unit = NULL;
        xmlNodePtr q = child(n, "quantity"), up = child(n, "unitPrice");
        jset_attr(b, it, "id", n, "id");
        jset_child(b, it, "description", n, "description");
        jset(b, it, "classification",
             jscheme(b, child(n, "classification") ? child(n, "classification")
                                                    : child(svc, "classification")));
        if (q) {
            char *qt = el_text(b, q);
            jset(b, it, "quantity", jdecimal(b, qt));
            free(qt);
        }
        if (q || up) {
            unit = jobj(b);
            jset_attr(b, unit, "name", q, "unit");
            jset(b, unit, "value", jamount(b, up));
        }
        jset(b, it, "unit", unit);
        jset_attr(b, it, "relatedLot", n, "lot");
        jset(b, it, "deliveryAddress", jaddress(b, child(svc, "place")));
        jpush(b, items, it);
    }
    if (!child(svc, "deliverable") && (child(svc, "classification") || child(svc, "place"))) {
        /* No deliverables: one item for the service as a whole carries its
         * classification and place of performance. */
        json_value *it = jobj(b);
        jset(b, it, "id", jstr(b, "service"));
        jset_child(b, it, "description", svc, "title");
        jset(b, it, "classification", jscheme(b, child(svc, "classification")));
        jset(b, it, "deliveryAddress", jaddress(b, child(svc, "place")));
        jpush(b, items, it);
    }
    push_documents(b, docs, proc);

    /* Tenderers: the distinct providers that bid. */
    EACH(n, proc, "bid") {
        char *pid = el_attr(b, n, "provider");
        size_t i;
        int seen = 0;
        for (i = 0; pid && i < json_len(tenderers); i++)
            seen |= strcmp(json_get_str(json_at(tenderers, i), "id"), pid) == 0;
        if (pid && !seen) {
            jpush(b, tenderers, jorgref(b, pid));
            n_bidders++;
        }
        free(pid);
    }
    if (child(proc, "bid"))
        jset(b, t, "numberOfTenderers", jnew(b, json_new_number((double)n_bidders)));

    /* Award criteria: tender-level, and per lot (common.md shape). */
    EACH(n, eval, "awardCriterion") {
        char *lot = el_attr(b, n, "lot");
        json_value *c = jcriterion(b, n);
        json_value *lj = lot ? lot_json(lots, lot) : NULL;
        if (lj) {
            json_value *ac = (json_value *)(uintptr_t)json_get(lj, "awardCriteria");
            if (!ac) {
                ac = jobj(b);
                jset(b, ac, "criteria", jarr(b));
                jset(b, lj, "awardCriteria", ac);
                ac = (json_value *)(uintptr_t)json_get(lj, "awardCriteria");
            }
            jpush(b, (json_value *)(uintptr_t)json_get(ac, "criteria"), c);
        } else {
            jpush(b, crit, c);
        }
        free(lot);
    }
    if (json_len(crit)) {
        json_value *ac = jobj(b);
        jset(b, ac, "criteria", crit);
        crit = NULL;
        jset(b, t, "awardCriteria", ac);
    }

    /* Planned payments with no contract to hang on go to tender.milestones. */
    EACH(n, p, "contract")
        n_contracts++;
    EACH(n, price, "plannedPayment") {
        char *cid = el_attr(b, n, "contract");
        if (!cid && n_contracts != 1)
            jpush(b, miles, jplanned_payment(b, n));
        free(cid);
    }

    jset_child(b, ext, "targetGroup", svc, "targetGroup");
    jset_child(b, ext, "paymentTerms", price, "paymentTerms");

    jset_nonempty(b, t, "items", items);
    jset_nonempty(b, t, "documents", docs);
    jset_nonempty(b, t, "tenderers", tenderers);
    jset_nonempty(b, t, "milestones", miles);
    if (json_len(ext))
        jset(b, t, "procaudit", ext);
    else
        json_free(ext);
    json_free(crit);
    if (json_len(lots)) {
        jset(b, t, "lots", lots);
        *lots_out = lots;
    } else {
        json_free(lots);
    }
    jset(b, rel, "tender", t);
    free(buyer_id);
}

static void map_bids(jb *b, json_value *rel)
{
    xmlNodePtr n, proc = child(b->proc, "procedure");
    json_value *details = jarr(b), *bids;

    EACH(n, proc, "bid") {
        json_value *v = jobj(b), *tend = jarr(b), *ext = jobj(b);
        char *pid = el_attr(b, n, "provider"), *lot = el_attr(b, n, "lot");
        jset_attr(b, v, "id", n, "id");
        jset_attr(b, v, "date", n, "date");
        jset_attr(b, v, "status", n, "status");
        jset(b, v, "value", jamount(b, child(n, "value")));
        jpush(b, tend, jorgref(b, pid));
        jset(b, v, "tenderers", tend);
        if (lot) {
            json_value *rl = jarr(b);
            jpush(b, rl, jstr(b, lot));
            jset(b, v, "relatedLots", rl);
        }
        jset_child_num(b, ext, "score", n, "score");
        jset_child_num(b, ext, "rank", n, "rank");
        jset_child(b, ext, "statusReason", n, "statusReason");
        if (json_len(ext))
            jset(b, v, "procaudit", ext);
        else
            json_free(ext);
        jpush(b, details, v);
        free(pid);
        free(lot);
    }
    if (!json_len(details)) {
        json_free(details);
        return;
    }
    bids = jobj(b);
    jset(b, bids, "details", details);
    jset(b, rel, "bids", bids);
}

static void map_awards(jb *b, json_value *rel)
{
    xmlNodePtr n;
    json_value *awards = jarr(b);

    EACH(n, b->proc, "award") {
        json_value *v = jobj(b), *sup = jarr(b), *docs = jarr(b);
        char *pid = el_attr(b, n, "provider"), *bid = el_attr(b, n, "bid");
        char *lot = el_attr(b, n, "lot"), *status = el_attr(b, n, "status");
        jset_attr(b, v, "id", n, "id");
        jset(b, v, "status", jstr(b, status ? status : "active"));
        jset_attr(b, v, "date", n, "date");
        jset(b, v, "value", jamount(b, child(n, "value")));
        jpush(b, sup, jorgref(b, pid));
        jset(b, v, "suppliers", sup);
        if (bid) {
            json_value *rb = jarr(b);
            jpush(b, rb, jstr(b, bid));
            jset(b, v, "relatedBids", rb);
        }
        if (lot) {
            json_value *rl = jarr(b);
            jpush(b, rl, jstr(b, lot));
            jset(b, v, "relatedLots", rl);
        }
        push_documents(b, docs, n);
        jset_nonempty(b, v, "documents", docs);
        jpush(b, awards, v);
        free(pid);
        free(bid);
        free(lot);
        free(status);
    }
    jset_nonempty(b, rel, "awards", awards);
}

/* The award element with this id, or NULL. */
static xmlNodePtr award_by_id(jb *b, const char *id)
{
    xmlNodePtr n;

    EACH(n, b->proc, "award")
        if (attr_eq(n, "id", id))
            return n;
    return NULL;
}

/* 1 when element n's attribute attr names this contract, or (no attribute) when the
 * procurement has exactly one contract. */
static int targets_contract(jb *b, xmlNodePtr n, const char *cid, size_t n_contracts)
{
    char *t = el_attr(b, n, "contract");
    int r = t ? strcmp(t, cid) == 0 : n_contracts == 1;

    free(t);
    return r;
}

static const char *result_title(const char *type)
{
    return type && strcmp(type, "final") == 0 ? "Final performance evaluation"
                                              : "Interim performance evaluation";
}

static void map_contracts(jb *b, json_value *rel)
{
    xmlNodePtr p = b->proc, n, m, eval = child(p, "evaluation");
    json_value *contracts = jarr(b);
    char *buyer_id = el_attr(b, child(p, "buyer"), "id");
    size_t n_contracts = 0;

    EACH(n, p, "contract")
        n_contracts++;
    EACH(n, p, "contract") {
        json_value *v = jobj(b), *ams = jarr(b), *docs = jarr(b), *cmiles = jarr(b);
        json_value *impl = jobj(b), *tx = jarr(b), *imiles = jarr(b), *idocs = jarr(b);
        json_value *ext = jobj(b);
        char *cid = el_attr(b, n, "id"), *aid = el_attr(b, n, "award");
        char *status = el_attr(b, n, "status"), *payee = NULL;

        payee = el_attr(b, award_by_id(b, aid), "provider");
        jset(b, v, "id", jstr(b, cid));
        jset(b, v, "awardID", jstr(b, aid));
        jset_child(b, v, "title", n, "title");
        jset(b, v, "status", jstr(b, status ? status : "active"));
        jset(b, v, "value", jamount(b, child(n, "value")));
        jset(b, ext, "originalValue", jamount(b, child(n, "originalValue")));
        jset_child(b, v, "dateSigned", n, "signed");
        jset(b, v, "period", jperiod(b, child(n, "period")));
        EACH(m, n, "amendment") {
            json_value *a = jobj(b), *aext = NULL;
            jset_attr(b, a, "id", m, "id");
            jset_attr(b, a, "date", m, "date");
            jset_child(b, a, "rationale", m, "rationale");
            jset_child(b, a, "description", m, "description");
            if (child(m, "newValue")) {
                aext = jobj(b);
                jset(b, aext, "amendedValue", jamount(b, child(m, "newValue")));
            }
            jset(b, a, "procaudit", aext);
            jpush(b, ams, a);
        }
        EACH(m, child(p, "price"), "plannedPayment")
            if (cid && targets_contract(b, m, cid, n_contracts))
                jpush(b, cmiles, jplanned_payment(b, m));
        EACH(m, n, "payment") {
            json_value *t = jobj(b);
            jset_attr(b, t, "id", m, "id");
            jset_attr(b, t, "date", m, "date");
            jset(b, t, "value", jamount(b, m));
            jset(b, t, "payer", jorgref(b, buyer_id));
            jset(b, t, "payee", jorgref(b, payee));
            jpush(b, tx, t);
        }
        EACH(m, n, "milestone") {
            json_value *ms = jobj(b);
            jset_attr(b, ms, "id", m, "id");
            jset_attr(b, ms, "type", m, "type");
            jset_attr(b, ms, "status", m, "status");
            jset_child(b, ms, "title", m, "title");
            jset_child(b, ms, "description", m, "description");
            jset_attr(b, ms, "dueDate", m, "dueDate");
            jset_attr(b, ms, "dateMet", m, "dateMet");
            jpush(b, imiles, ms);
        }
        /* Evaluation results of this contract: an assessment milestone met on the
         * result's date, and its report among the implementation documents. */
        EACH(m, eval, "result") {
            json_value *ms;
            char *type;
            if (!cid || !targets_contract(b, m, cid, n_contracts))
                continue;
            ms = jobj(b);
            type = el_attr(b, m, "type");
            jset_attr(b, ms, "id", m, "id");
            jset(b, ms, "type", jstr(b, "assessment"));
            jset(b, ms, "status", jstr(b, "met"));
            jset(b, ms, "title", jstr(b, result_title(type)));
            jset_child(b, ms, "description", m, "summary");
            jset_attr(b, ms, "dueDate", m, "date");
            jset_attr(b, ms, "dateMet", m, "date");
            jpush(b, imiles, ms);
            push_documents(b, idocs, m);
            free(type);
        }
        push_documents(b, docs, n);
        jset_nonempty(b, v, "amendments", ams);
        jset_nonempty(b, v, "milestones", cmiles);
        jset_nonempty(b, v, "documents", docs);
        jset_nonempty(b, impl, "transactions", tx);
        jset_nonempty(b, impl, "milestones", imiles);
        jset_nonempty(b, impl, "documents", idocs);
        if (json_len(impl))
            jset(b, v, "implementation", impl);
        else
            json_free(impl);
        if (json_len(ext))
            jset(b, v, "procaudit", ext);
        else
            json_free(ext);
        jpush(b, contracts, v);
        free(cid);
        free(aid);
        free(status);
        free(payee);
    }
    jset_nonempty(b, rel, "contracts", contracts);
    free(buyer_id);
}

/* The procaudit extension object: the format, and the evaluation arrangements and
 * results that OCDS has no field for (docs/native-format.md). */
static void map_extension(jb *b, json_value *rel)
{
    xmlNodePtr eval = child(b->proc, "evaluation"), n, m;
    json_value *ext = jobj(b), *ev = jobj(b), *evs = jarr(b), *inds = jarr(b), *res = jarr(b);

    jset(b, ext, "sourceFormat", jstr(b, "native"));
    jset(b, ext, "formatVersion", jstr(b, "1"));
    EACH(n, eval, "evaluator") {
        json_value *v = jobj(b);
        char *ind = el_attr(b, n, "independent");
        jset_attr(b, v, "id", n, "id");
        jset_child(b, v, "name", n, "name");
        jset_attr(b, v, "role", n, "role");
        jset(b, v, "independent",
             b->rc ? NULL
                   : jnew(b, json_new_bool(ind && (strcmp(ind, "true") == 0 ||
                                                   strcmp(ind, "1") == 0))));
        jpush(b, evs, v);
        free(ind);
    }
    EACH(n, eval, "indicator") {
        json_value *v = jobj(b);
        jset_attr(b, v, "id", n, "id");
        jset_child(b, v, "name", n, "name");
        jset_child(b, v, "unit", n, "unit");
        jset_child_num(b, v, "baseline", n, "baseline");
        jset_child_num(b, v, "target", n, "target");
        jset_child(b, v, "frequency", n, "frequency");
        jpush(b, inds, v);
    }
    EACH(n, eval, "result") {
        json_value *v = jobj(b), *ms = jarr(b);
        jset_attr(b, v, "id", n, "id");
        jset_attr(b, v, "date", n, "date");
        jset_attr(b, v, "type", n, "type");
        jset_attr(b, v, "evaluatorID", n, "evaluator");
        jset_attr(b, v, "contractID", n, "contract");
        jset_child(b, v, "summary", n, "summary");
        jset_child(b, v, "rating", n, "rating");
        jset_child_num(b, v, "score", n, "score");
        EACH(m, n, "measurement") {
            json_value *mv = jobj(b);
            char *t = el_text(b, m);
            jset_attr(b, mv, "indicatorID", m, "indicator");
            jset(b, mv, "value", jdecimal(b, t));
            jpush(b, ms, mv);
            free(t);
        }
        jset_nonempty(b, v, "measurements", ms);
        jpush(b, res, v);
    }
    jset_nonempty(b, ev, "evaluators", evs);
    jset_nonempty(b, ev, "performanceIndicators", inds);
    jset_nonempty(b, ev, "results", res);
    if (json_len(ev))
        jset(b, ext, "evaluation", ev);
    else
        json_free(ev);
    jset(b, rel, "procaudit", ext);
}

/* Maps one valid <procurement> to a new OCDS release (*out), its ocid and release id.
 * Returns 0 or ERR_NOMEM. */
static int map_procurement(json_value **out, char **ocid_out, char **rid_out, xmlNodePtr proc)
{
    jb b = {0, proc};
    json_value *rel = NULL, *tags, *lots = NULL, *budget;
    char *id = NULL, *ocid = NULL, *date = NULL, *rid = NULL;
    buf_t tmp;
    xmlNodePtr c;
    int impl = 0;

    *out = NULL;
    *ocid_out = *rid_out = NULL;
    buf_init(&tmp, 4096);
    rel = jobj(&b);
    id = el_attr(&b, proc, "id");
    ocid = el_attr(&b, proc, "ocid");
    date = el_attr(&b, proc, "date");
    if (!ocid && id && !b.rc) {
        if (buf_printf(&tmp, "%s%s", NATIVE_OCID_PREFIX, id) != 0 || !(ocid = buf_take(&tmp)))
            b.rc = ERR_NOMEM;
    }
    if (id && date && !b.rc) {
        buf_reset(&tmp);
        if (buf_printf(&tmp, "%s/%s", id, date) != 0 || !(rid = buf_take(&tmp)))
            b.rc = ERR_NOMEM;
    }
    jset(&b, rel, "ocid", jstr(&b, ocid));
    jset(&b, rel, "id", jstr(&b, rid));
    jset(&b, rel, "date", jstr(&b, date));
    tags = jarr(&b);
    jpush(&b, tags, jstr(&b, "tender"));
    if (child(proc, "award"))
        jpush(&b, tags, jstr(&b, "award"));
    if (child(proc, "contract"))
        jpush(&b, tags, jstr(&b, "contract"));
    EACH(c, proc, "contract")
        impl |= child(c, "payment") || child(c, "milestone");
    impl |= child(child(proc, "evaluation"), "result") != NULL;
    if (impl)
        jpush(&b, tags, jstr(&b, "implementation"));
    jset(&b, rel, "tag", tags);
    jset(&b, rel, "initiationType", jstr(&b, "tender"));
    jset_attr(&b, rel, "language", proc, "language");
    map_parties(&b, rel);
    {
        char *bid = el_attr(&b, child(proc, "buyer"), "id");
        jset(&b, rel, "buyer", jorgref(&b, bid));
        free(bid);
    }
    if (child(child(proc, "price"), "budget")) {
        json_value *planning = jobj(&b);
        budget = jobj(&b);
        jset(&b, budget, "amount", jamount(&b, child(child(proc, "price"), "budget")));
        jset(&b, planning, "budget", budget);
        jset(&b, rel, "planning", planning);
    }
    map_tender(&b, rel, &lots);
    map_bids(&b, rel);
    map_awards(&b, rel);
    map_contracts(&b, rel);
    map_extension(&b, rel);
    buf_dispose(&tmp);
    free(id);
    free(date);
    if (b.rc) {
        json_free(rel);
        free(ocid);
        free(rid);
        return b.rc;
    }
    *out = rel;
    *ocid_out = ocid;
    *rid_out = rid;
    return 0;
}

/* ================================================================== the reader */

/* The ocid a procurement element stands for (for messages), into out. */
static void proc_ocid(xmlNodePtr proc, char *out, size_t n)
{
    xmlChar *o = xmlGetNoNsProp(proc, (const xmlChar *)"ocid");
    xmlChar *id = o ? NULL : xmlGetNoNsProp(proc, (const xmlChar *)"id");

    if (o)
        snprintf(out, n, "%s", (const char *)o);
    else if (id)
        snprintf(out, n, "%s%s", NATIVE_OCID_PREFIX, (const char *)id);
    else
        out[0] = '\0';
    if (o)
        xmlFree(o);
    if (id)
        xmlFree(id);
}

int native_read_file(const char *path, ocds_item_cb cb, void *ctx, ocds_read_stats *stats,
                     err_t *e)
{
    char *buf = NULL;
    size_t len = 0;
    err_t why;
    int rc;

    err_clear(&why);
    if (stats)
        snprintf(stats->shape, sizeof stats->shape, "native_xml");
    rc = slurp(path, &buf, &len, &why);
    if (rc == ERR_LIMIT)
        return ocds_emit_rejected(path, 0, 1, NULL, ERR_LIMIT, cb, ctx, stats, e, "%s", why.msg);
    if (rc)
        return err_set(e, rc, "%s", why.msg);
    rc = native_read_buffer(path, buf, len, cb, ctx, stats, e);
    free(buf);
    return rc;
}

int native_read_buffer(const char *path, const char *buf, size_t len, ocds_item_cb cb,
                       void *ctx, ocds_read_stats *stats, err_t *e)
{
    size_t bad, i, skip;
    xmlDocPtr doc = NULL;
    xmlNodePtr root, n;
    xmlSchemaPtr schema = NULL;
    xmlSchemaValidCtxtPtr vc = NULL;
    vstate vs;
    err_t why;
    int rc = 0;

    xmlsafe_init(); /* libxml2 2.9: once, before threads parse concurrently */
    memset(&vs, 0, sizeof vs);
    err_clear(&why);
    if (stats)
        snprintf(stats->shape, sizeof stats->shape, "native_xml");
    if (stats)
        stats->bytes += len;
    if (len > NATIVE_MAX_FILE_BYTES) {
        err_set(&why, ERR_LIMIT, "%s:1: %zu bytes, over the limit of %u bytes", path, len,
                NATIVE_MAX_FILE_BYTES);
        goto reject_file;
    }
    bad = xmlsafe_utf8_check(buf, len, &skip);
    if (bad < len) {
        err_set(&why, ERR_BAD_INPUT, "%s:%lu: invalid UTF-8 at byte offset %zu: the file is "
                "refused (the native format is UTF-8)", path, xmlsafe_line_of(buf, bad), bad);
        goto reject_file;
    }
    rc = parse_doc(&doc, buf + skip, len - skip, path, &why);
    if (rc == ERR_NOMEM) {
        err_set(e, rc, "%s", why.msg);
        goto cleanup;
    }
    if (rc)
        goto reject_file;
    root = xmlDocGetRootElement(doc);
    if (!root || !root->ns ||
        !native_is_root((const char *)root->name, (const char *)root->ns->href)) {
        err_set(&why, ERR_BAD_INPUT,
                "%s:%ld: element <%s>: the root must be <procurement> or <procurements> in "
                "namespace %s", path, root ? xmlGetLineNo(root) : 1L,
                root ? (const char *)root->name : "?", NATIVE_NS);
        goto reject_file;
    }

    /* The procurements, in order (bounded). */
    if (is_el(root, "procurement")) {
        vs.n_procs = 1;
    } else {
        EACH(n, root, "procurement")
            vs.n_procs++;
    }
    if (vs.n_procs > NATIVE_MAX_PROCUREMENTS) {
        err_set(&why, ERR_LIMIT, "%s:1: %zu procurements, over the limit of %d", path,
                vs.n_procs, NATIVE_MAX_PROCUREMENTS);
        goto reject_file;
    }
    vs.procs = calloc(vs.n_procs + 1, sizeof *vs.procs);
    vs.msgs = calloc(vs.n_procs + 1, sizeof *vs.msgs);
    vs.counts = calloc(vs.n_procs + 1, sizeof *vs.counts);
    vs.too_big = calloc(vs.n_procs + 1, sizeof *vs.too_big);
    if (!vs.procs || !vs.msgs || !vs.counts || !vs.too_big) {
        rc = err_set(e, ERR_NOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    for (i = 0; i <= vs.n_procs; i++)
        buf_init(&vs.msgs[i], 8192);
    if (is_el(root, "procurement")) {
        vs.procs[0] = root;
    } else {
        i = 0;
        EACH(n, root, "procurement")
            vs.procs[i++] = n;
    }
    vs.path = path;

    /* An over-large procurement is refused before validation (identity constraints and
     * reference lookups grow with the square of its size): unlinked from the document,
     * rejected in its turn below. */
    {
        size_t left = vs.n_procs;
        for (i = 0; i < vs.n_procs; i++) {
            size_t cnt = count_elements(vs.procs[i], NATIVE_MAX_ELEMENTS);
            if (cnt <= NATIVE_MAX_ELEMENTS)
                continue;
            if (vs.procs[i] == root) {
                err_set(&why, ERR_LIMIT, "%s:%ld: element <procurement>: more than %d elements",
                        path, xmlGetLineNo(root), NATIVE_MAX_ELEMENTS);
                goto reject_file;
            }
            vs.too_big[i] = 1;
            left--;
            xmlUnlinkNode(vs.procs[i]);
        }
        if (left == 0)
            goto emit;
    }

    /* Validation: every error is attributed to the procurement it lies in. */
    rc = schema_get(&schema, e);
    if (rc)
        goto cleanup;
    vc = xmlSchemaNewValidCtxt(schema);
    if (!vc) {
        rc = err_set(e, ERR_NOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    xmlSchemaSetValidStructuredErrors(vc, collect_error, &vs);
    (void)xmlSchemaValidateDoc(vc, doc);
    if (vs.oom) {
        rc = err_set(e, ERR_NOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    if (vs.counts[vs.n_procs]) {
        /* Errors outside any procurement (the <procurements> wrapper itself, such as
         * two procurements with one id): the file as a whole is refused. */
        err_set(&why, ERR_BAD_INPUT, "%s (xsd_invalid)", buf_cstr(&vs.msgs[vs.n_procs]));
        goto reject_file;
    }

emit:
    for (i = 0; i < vs.n_procs; i++) {
        xmlNodePtr proc = vs.procs[i];
        char ocid_s[512];

        proc_ocid(proc, ocid_s, sizeof ocid_s);
        if (vs.too_big[i]) {
            rc = ocds_emit_rejected(path, i, (uint64_t)xmlGetLineNo(proc),
                                    ocid_s[0] ? ocid_s : NULL, ERR_LIMIT, cb, ctx, stats, e,
                                    "%s:%ld: element <procurement>: more than %d elements",
                                    path, xmlGetLineNo(proc), NATIVE_MAX_ELEMENTS);
            if (rc)
                goto cleanup;
            continue;
        }
        if (vs.counts[i]) {
            rc = ocds_emit_rejected(path, i, (uint64_t)xmlGetLineNo(proc),
                                    ocid_s[0] ? ocid_s : NULL, ERR_BAD_INPUT, cb, ctx, stats, e,
                                    "%s%s (xsd_invalid)", buf_cstr(&vs.msgs[i]),
                                    vs.counts[i] > NATIVE_MAX_ERRORS ? "; more errors follow" : "");
            if (rc)
                goto cleanup;
            continue;
        }
        {
            ocds_item it;
            char *ocid = NULL, *rid = NULL;
            json_value *rel = NULL;

            rc = map_procurement(&rel, &ocid, &rid, proc);
            if (rc) {
                err_set(e, rc, "%s: out of memory mapping procurement %zu", path, i);
                goto cleanup;
            }
            ocds_item_init(&it, OCDS_ITEM_RELEASE, path, i, (uint64_t)xmlGetLineNo(proc), ocid);
            it.release = rel;
            it.release_id = rid;
            if (stats)
                stats->releases++;
            rc = cb(ctx, &it);
            json_free(it.release);
            free(ocid);
            free(rid);
            if (rc) {
                rc = err_set(e, rc, "%s: the callback stopped the read", path);
                goto cleanup;
            }
        }
    }
    rc = 0;
    goto cleanup;
reject_file:
    rc = ocds_emit_rejected(path, 0, 1, NULL, why.code ? why.code : ERR_BAD_INPUT, cb, ctx, stats,
                            e, "%s", why.msg);
cleanup:
    if (vc)
        xmlSchemaFreeValidCtxt(vc);
    for (i = 0; vs.msgs && i <= vs.n_procs; i++)
        buf_dispose(&vs.msgs[i]);
    free(vs.msgs);
    for (i = 0; vs.too_big && i < vs.n_procs; i++)
        if (vs.too_big[i])
            xmlFreeNode(vs.procs[i]);
    free(vs.too_big);
    free(vs.procs);
    free(vs.counts);
    if (doc)
        xmlFreeDoc(doc);
    return rc;
}
