/* eforms_xsd.c - XSD validation of eForms notices against the SDK version they declare
 * (schemas shipped under schemas/eforms/<version>/, loaded from disk only). */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlschemas.h>

#include "eforms/eforms_internal.h"

#define XSD_MAX_NOTES 10  /* validation errors kept as notes; the rest are counted */
#define XSD_MAX_CACHED 32 /* compiled schemas kept (version x notice kind) */

typedef struct {
    char key[96];        /* "<version>/<root>" */
    xmlSchemaPtr schema; /* NULL: loading failed (remembered, not retried) */
    char error[256];
} xsd_cached;

static xsd_cached xsd_cache[XSD_MAX_CACHED];
static size_t xsd_n_cached;
static pthread_mutex_t xsd_lock = PTHREAD_MUTEX_INITIALIZER;

/* The directory schema files may come from while a schema is compiled (under xsd_lock). */
static char xsd_allowed_dir[PATH_MAX];
static xmlExternalEntityLoader xsd_prev_loader;

void eforms_xsd_cleanup(void)
{
    size_t i;

    pthread_mutex_lock(&xsd_lock);
    for (i = 0; i < xsd_n_cached; i++)
        if (xsd_cache[i].schema)
            xmlSchemaFree(xsd_cache[i].schema);
    xsd_n_cached = 0;
    pthread_mutex_unlock(&xsd_lock);
}

/* The only loader in force while a schema compiles: local files under the schema
 * directory, nothing else (no network, no other path). */
static xmlParserInputPtr xsd_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    char real[PATH_MAX];
    const char *p = url;
    size_t dl = strlen(xsd_allowed_dir);

    (void)id;
    if (!p)
        return NULL;
    if (strncmp(p, "file://", 7) == 0)
        p += 7;
    if (strstr(p, "://") || !realpath(p, real) || strncmp(real, xsd_allowed_dir, dl) != 0 ||
        (real[dl] != '/' && real[dl] != '\0'))
        return NULL;
    return xmlNewInputFromFile(ctxt, real);
}

/* "eforms-sdk-1.10" (or "eforms-sdk-1.10.2") -> major 1, minor 10. */
static int xsd_parse_version(const char *s, int *major, int *minor)
{
    char *end;
    long a, b;

    if (!s)
        return -1;
    if (strncmp(s, "eforms-sdk-", 11) == 0)
        s += 11;
    if (!isdigit((unsigned char)*s))
        return -1;
    a = strtol(s, &end, 10);
    if (*end != '.' || !isdigit((unsigned char)end[1]))
        return -1;
    b = strtol(end + 1, &end, 10);
    if (a < 0 || a > 99 || b < 0 || b > 999)
        return -1;
    *major = (int)a;
    *minor = (int)b;
    return 0;
}

/* The shipped version nearest to major.minor (exact first; then the smallest distance,
 * preferring the newer on a tie). 0 and out filled, or -1 when none is shipped. */
static int xsd_pick_version(const char *dir, int major, int minor, char *out, size_t n)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    long want = major * 1000L + minor, best_dist = -1, best_v = -1;

    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL) {
        int a, b;
        long v, dist;
        char probe[PATH_MAX];
        struct stat st;

        if (xsd_parse_version(de->d_name, &a, &b) != 0)
            continue;
        snprintf(probe, sizeof probe, "%s/%s/maindoc", dir, de->d_name);
        if (stat(probe, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        v = a * 1000L + b;
        dist = v > want ? v - want : want - v;
        if (best_dist < 0 || dist < best_dist || (dist == best_dist && v > best_v)) {
            best_dist = dist;
            best_v = v;
            snprintf(out, n, "%.20s", de->d_name);
        }
    }
    closedir(d);
    return best_v < 0 ? -1 : 0;
}

static const char *xsd_file_for_root(const char *root)
{
    if (strcmp(root, "ContractNotice") == 0)
        return "UBL-ContractNotice-2.3.xsd";
    if (strcmp(root, "ContractAwardNotice") == 0)
        return "UBL-ContractAwardNotice-2.3.xsd";
    if (strcmp(root, "PriorInformationNotice") == 0)
        return "UBL-PriorInformationNotice-2.3.xsd";
    return NULL;
}

static void xsd_silent(void *ctx, xmlErrorPtr err)
{
    xsd_cached *c = ctx;

    if (c && !c->error[0] && err && err->message)
        snprintf(c->error, sizeof c->error, "%s line %d: %s", err->file ? err->file : "", err->line,
                 err->message);
}

/* The compiled schema for (version dir, root), from the cache or compiled now. Called
 * with xsd_lock held. NULL when it cannot be compiled (reason in *why). */
static xmlSchemaPtr xsd_get(const char *dir, const char *version, const char *root, const char **why)
{
    xsd_cached *c = NULL;
    char key[96], path[PATH_MAX];
    xmlSchemaParserCtxtPtr pc = NULL;
    size_t i;

    snprintf(key, sizeof key, "%s/%s", version, root);
    for (i = 0; i < xsd_n_cached; i++)
        if (strcmp(xsd_cache[i].key, key) == 0) {
            *why = xsd_cache[i].error;
            return xsd_cache[i].schema;
        }
    if (xsd_n_cached >= XSD_MAX_CACHED) {
        *why = "too many schema versions in use";
        return NULL;
    }
    c = &xsd_cache[xsd_n_cached++];
    memset(c, 0, sizeof *c);
    snprintf(c->key, sizeof c->key, "%s", key);
    snprintf(path, sizeof path, "%s/%s/maindoc/%s", dir, version, xsd_file_for_root(root));
    if (!realpath(dir, xsd_allowed_dir)) {
        snprintf(c->error, sizeof c->error, "schema directory %s not found", dir);
        *why = c->error;
        return NULL;
    }
    xsd_prev_loader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(xsd_loader);
    pc = xmlSchemaNewParserCtxt(path);
    if (pc) {
        xmlSchemaSetParserStructuredErrors(pc, xsd_silent, c);
        c->schema = xmlSchemaParse(pc);
        xmlSchemaFreeParserCtxt(pc);
    }
    xmlSetExternalEntityLoader(xsd_prev_loader);
    if (!c->schema && !c->error[0])
        snprintf(c->error, sizeof c->error, "cannot compile %.200s", path);
    *why = c->error;
    return c->schema;
}

typedef struct {
    eforms_notes *ns;
    size_t errors;
    int rc;
} xsd_state;

static void xsd_on_error(void *ctx, xmlErrorPtr err)
{
    xsd_state *st = ctx;
    char msg[400];
    size_t l;

    if (!err || err->level < XML_ERR_ERROR)
        return;
    st->errors++;
    if (st->errors > XSD_MAX_NOTES || st->rc)
        return;
    snprintf(msg, sizeof msg, "%s", err->message ? err->message : "invalid");
    l = strlen(msg);
    while (l > 0 && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
        msg[--l] = '\0';
    st->rc = eforms_note_add(st->ns, "xsd_invalid", "", "line %d: %s", err->line, msg);
}

int eforms_xsd_validate(xmlDocPtr doc, const char *schema_dir, const char *declared, eforms_notes *ns,
                        err_t *e)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int major = 0, minor = 0, rc = 0, r;
    char version[32];
    const char *why = "";
    xmlSchemaPtr schema;
    xmlSchemaValidCtxtPtr vc = NULL;
    xsd_state st = {ns, 0, 0};

    (void)e;
    if (!root || !xsd_file_for_root((const char *)root->name))
        return 0;
    if (xsd_parse_version(declared, &major, &minor) != 0) {
        major = 99;
        minor = 999; /* unknown: the newest shipped */
        rc =
            eforms_note_add(ns, "xsd_version_unknown", "", "cbc:CustomizationID '%.60s' names no SDK version",
                            declared ? declared : "(missing)");
        if (rc)
            return rc;
    }
    if (xsd_pick_version(schema_dir, major, minor, version, sizeof version) != 0)
        return eforms_note_add(ns, "xsd_unavailable", "",
                               "no eForms schema shipped under %.200s: not validated", schema_dir);
    {
        int a = 0, b = 0;
        if (xsd_parse_version(version, &a, &b) == 0 && (a != major || b != minor) && major != 99) {
            rc =
                eforms_note_add(ns, "xsd_version_substituted", "",
                                "notice declares %.40s; validated against the nearest shipped schema, SDK %s",
                                declared, version);
            if (rc)
                return rc;
        }
    }
    pthread_mutex_lock(&xsd_lock);
    schema = xsd_get(schema_dir, version, (const char *)root->name, &why);
    pthread_mutex_unlock(&xsd_lock);
    if (!schema)
        return eforms_note_add(ns, "xsd_unavailable", "", "schema SDK %s not usable (%.200s): not validated",
                               version, why);
    vc = xmlSchemaNewValidCtxt(schema);
    if (!vc)
        return ERR_NOMEM;
    xmlSchemaSetValidStructuredErrors(vc, xsd_on_error, &st);
    r = xmlSchemaValidateDoc(vc, doc);
    xmlSchemaFreeValidCtxt(vc);
    if (st.rc)
        return st.rc;
    if (r < 0)
        return eforms_note_add(ns, "xsd_unavailable", "", "the validator failed internally (SDK %s)",
                               version);
    if (st.errors > XSD_MAX_NOTES)
        rc = eforms_note_add(ns, "xsd_invalid", "", "%zu further schema errors (SDK %s) not listed",
                             st.errors - XSD_MAX_NOTES, version);
    return rc;
}
