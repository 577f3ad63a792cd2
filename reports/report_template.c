/* report_template.c - report templates: section order per report kind, labels per
 * language, the organisation's name (templates/reports/, XML read with libxml2). */
#include "report_int.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "util/xmlsafe.h"

#define TPL_MAX_FILE (1u << 20)   /* bytes per template file */
#define TPL_MAX_LABELS 4000
#define TPL_MAX_LABEL_LEN 8000    /* bytes per label */
#define TPL_MAX_KEY 128

typedef struct {
    char *key;
    char *val;
} tpl_label;

struct report_templates {
    char lang[8];
    char *org;
    char *sections[RKIND_COUNT][RTPL_MAX_SECTIONS];
    size_t n_sections[RKIND_COUNT];
    tpl_label *labels;            /* sorted by key after loading */
    size_t n_labels;
};

static const char *const kind_names[RKIND_COUNT] = {"procurement", "buyer"};

/* The sections each report kind knows how to draw; a template may order and omit them. */
static const char *const known_procurement[] = {
    "cover", "summary", "findings", "dimensions", "frequency", "passed", "limitations",
    "privacy", "timeline", "parties", "lots", "bids", "awards", "contracts", "amendments",
    "payments", "quality", "method", NULL};
static const char *const known_buyer[] = {
    "cover", "summary", "histogram", "dimensions", "flags", "lowest", "procurements",
    "limitations", "privacy", "method", NULL};

static int known_section(rkind k, const char *id)
{
    const char *const *list = k == RKIND_PROCUREMENT ? known_procurement : known_buyer;
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], id) == 0)
            return 1;
    return 0;
}

void report_templates_free(report_templates *t)
{
    if (!t)
        return;
    free(t->org);
    for (size_t k = 0; k < RKIND_COUNT; k++)
        for (size_t i = 0; i < t->n_sections[k]; i++)
            free(t->sections[k][i]);
    for (size_t i = 0; i < t->n_labels; i++) {
        free(t->labels[i].key);
        free(t->labels[i].val);
    }
    free(t->labels);
    free(t);
}

/* Parses one file (data == NULL) or len bytes in memory named `path` with xmlsafe_parse:
 * network access, entity substitution and DTD loading off, and a document that declares
 * a DTD refused before any declaration is read (so no entity can be defined at all). */
static int tpl_parse(xmlDocPtr *out, const char *path, const char *data, size_t len, err_t *e)
{
    const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    char *file = NULL;
    xmlsafe_report r;
    int rc = 0;

    *out = NULL;
    if (!data) {
        rc = file_read_all(path, TPL_MAX_FILE, &file, &len, e);
        if (rc == ERR_LIMIT || rc == ERR_IO)
            rc = rc == ERR_LIMIT
                     ? err_set(e, ERR_LIMIT, "%s: template larger than %u bytes", path, TPL_MAX_FILE)
                     : err_set(e, ERR_IO, "%s: cannot read the template", path);
        if (rc)
            goto cleanup;
        data = file;
    } else if (len > TPL_MAX_FILE) {
        rc = err_set(e, ERR_LIMIT, "%s: template larger than %u bytes", path, TPL_MAX_FILE);
        goto cleanup;
    }
    rc = xmlsafe_parse(out, data, len, path, "UTF-8", opts, 0, &r, e);
    if (rc)
        goto cleanup;
    if (r.doctype || r.entity) {
        rc = err_set(e, ERR_BAD_INPUT, "%s:1: a DOCTYPE is not allowed in a template", path);
        goto cleanup;
    }
    if (!*out)
        rc = err_set(e, ERR_BAD_INPUT, "%s:%d: %s", path, r.have_last ? r.last_line : 0,
                     r.have_last ? r.last : "malformed XML");
cleanup:
    free(file);
    return rc;
}

static int is_el(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static char *attr(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *s = v ? strdup((const char *)v) : NULL;
    xmlFree(v);
    return s;
}

/* Text content with leading/trailing white space removed; NULL on OOM or too long. */
static char *content(xmlNodePtr n, int *too_long)
{
    xmlChar *v = xmlNodeGetContent(n);
    const char *s = v ? (const char *)v : "";
    size_t a = 0, b = strlen(s);
    char *r = NULL;

    *too_long = 0;
    while (a < b && (s[a] == ' ' || s[a] == '\n' || s[a] == '\t' || s[a] == '\r'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\n' || s[b - 1] == '\t' || s[b - 1] == '\r'))
        b--;
    if (b - a > TPL_MAX_LABEL_LEN)
        *too_long = 1;
    else
        r = strndup(s + a, b - a);
    xmlFree(v);
    return r;
}

static int load_layout(report_templates *t, const char *path, const char *data, size_t len,
                       err_t *e)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root, n, s;
    int rc = 0, too_long;

    rc = tpl_parse(&doc, path, data, len, e);
    if (rc)
        return rc;
    root = xmlDocGetRootElement(doc);
    if (!root || !is_el(root, "report-layout")) {
        rc = err_set(e, ERR_BAD_INPUT, "%s:%ld: root element must be <report-layout>", path,
                     root ? xmlGetLineNo(root) : 1L);
        goto cleanup;
    }
    for (n = root->children; n; n = n->next) {
        if (is_el(n, "organisation")) {
            char *lang = attr(n, "lang");
            int match = lang ? strcmp(lang, t->lang) == 0 : t->org == NULL;
            free(lang);
            if (match) {
                char *v = content(n, &too_long);
                if (!v) {
                    rc = err_set(e, too_long ? ERR_LIMIT : ERR_NOMEM, "%s:%ld: organisation",
                                 path, xmlGetLineNo(n));
                    goto cleanup;
                }
                free(t->org);
                t->org = v;
            }
        } else if (is_el(n, "report")) {
            char *kind = attr(n, "kind");
            size_t k;
            for (k = 0; k < RKIND_COUNT; k++)
                if (kind && strcmp(kind, kind_names[k]) == 0)
                    break;
            if (k == RKIND_COUNT) {
                rc = err_set(e, ERR_BAD_INPUT, "%s:%ld: unknown report kind '%s'", path,
                             xmlGetLineNo(n), kind ? kind : "");
                free(kind);
                goto cleanup;
            }
            free(kind);
            for (s = n->children; s; s = s->next) {
                char *id;
                if (!is_el(s, "section"))
                    continue;
                id = attr(s, "id");
                if (!id || !known_section((rkind)k, id)) {
                    rc = err_set(e, ERR_BAD_INPUT, "%s:%ld: unknown section '%s' for %s reports",
                                 path, xmlGetLineNo(s), id ? id : "", kind_names[k]);
                    free(id);
                    goto cleanup;
                }
                if (t->n_sections[k] == RTPL_MAX_SECTIONS) {
                    free(id);
                    rc = err_set(e, ERR_LIMIT, "%s:%ld: more than %d sections", path,
                                 xmlGetLineNo(s), RTPL_MAX_SECTIONS);
                    goto cleanup;
                }
                t->sections[k][t->n_sections[k]++] = id;
            }
        }
    }
    if (!t->org)
        t->org = strdup("");
    if (!t->org)
        rc = err_set(e, ERR_NOMEM, "out of memory");
cleanup:
    xmlFreeDoc(doc);
    return rc;
}

static tpl_label *find_label(tpl_label *l, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(l[i].key, key) == 0)
            return &l[i];
    return NULL;
}

static int load_labels(report_templates *t, const char *path, const char *data, size_t len,
                       err_t *e)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root, n;
    int rc, too_long;

    rc = tpl_parse(&doc, path, data, len, e);
    if (rc)
        return rc;
    root = xmlDocGetRootElement(doc);
    if (!root || !is_el(root, "labels")) {
        rc = err_set(e, ERR_BAD_INPUT, "%s:%ld: root element must be <labels>", path,
                     root ? xmlGetLineNo(root) : 1L);
        goto cleanup;
    }
    for (n = root->children; n; n = n->next) {
        char *key, *val;
        tpl_label *old;
        if (!is_el(n, "label"))
            continue;
        key = attr(n, "key");
        if (!key || !*key || strlen(key) > TPL_MAX_KEY) {
            free(key);
            rc = err_set(e, ERR_BAD_INPUT, "%s:%ld: <label> needs a key of 1..%d bytes", path,
                         xmlGetLineNo(n), TPL_MAX_KEY);
            goto cleanup;
        }
        val = content(n, &too_long);
        if (!val) {
            free(key);
            rc = err_set(e, too_long ? ERR_LIMIT : ERR_NOMEM, "%s:%ld: label too long", path,
                         xmlGetLineNo(n));
            goto cleanup;
        }
        old = find_label(t->labels, t->n_labels, key);
        if (old) {
            free(old->val);
            old->val = val;
            free(key);
            continue;
        }
        if (t->n_labels == TPL_MAX_LABELS) {
            free(key);
            free(val);
            rc = err_set(e, ERR_LIMIT, "%s: more than %d labels", path, TPL_MAX_LABELS);
            goto cleanup;
        }
        if (t->n_labels % 64 == 0) {
            tpl_label *nl = realloc(t->labels, (t->n_labels + 64) * sizeof *nl);
            if (!nl) {
                free(key);
                free(val);
                rc = err_set(e, ERR_NOMEM, "out of memory");
                goto cleanup;
            }
            t->labels = nl;
        }
        t->labels[t->n_labels++] = (tpl_label){key, val};
    }
cleanup:
    xmlFreeDoc(doc);
    return rc;
}

static int label_cmp(const void *a, const void *b)
{
    return strcmp(((const tpl_label *)a)->key, ((const tpl_label *)b)->key);
}

static int path_join(char *out, size_t n, const char *dir, const char *name, err_t *e)
{
    int r = snprintf(out, n, "%s/%s", dir, name);
    if (r < 0 || (size_t)r >= n)
        return err_set(e, ERR_LIMIT, "template path too long: %s/%s", dir, name);
    return 0;
}

static int finish_load(report_templates *t, const char *where, err_t *e);

int report_templates_load(report_templates **out, const char *dir, const char *lang, err_t *e)
{
    report_templates *t = NULL;
    char path[4096], name[64];
    int rc = 0;
    size_t ll;

    *out = NULL;
    if (!lang)
        lang = "en";
    ll = strlen(lang);
    if (ll < 2 || ll > 3 || strspn(lang, "abcdefghijklmnopqrstuvwxyz") != ll)
        return err_set(e, ERR_USAGE, "language must be 2 or 3 lower-case letters, not '%s'",
                       lang);
    if (!dir)
        return err_set(e, ERR_USAGE, "no templates directory given");
    t = calloc(1, sizeof *t);
    if (!t)
        return err_set(e, ERR_NOMEM, "out of memory");
    memcpy(t->lang, lang, ll + 1);
    if ((rc = path_join(path, sizeof path, dir, "layout.xml", e)) ||
        (rc = load_layout(t, path, NULL, 0, e)))
        goto cleanup;
    if ((rc = path_join(path, sizeof path, dir, "labels.en.xml", e)) ||
        (rc = load_labels(t, path, NULL, 0, e)))
        goto cleanup;
    if (strcmp(lang, "en") != 0) {
        snprintf(name, sizeof name, "labels.%s.xml", lang);
        if ((rc = path_join(path, sizeof path, dir, name, e)) ||
            (rc = load_labels(t, path, NULL, 0, e)))
            goto cleanup;
    }
    rc = finish_load(t, dir, e);
    if (rc)
        goto cleanup;
    *out = t;
    t = NULL;
cleanup:
    report_templates_free(t);
    return rc;
}

/* Checks that both kinds have sections and sorts the labels. */
static int finish_load(report_templates *t, const char *where, err_t *e)
{
    for (size_t k = 0; k < RKIND_COUNT; k++)
        if (t->n_sections[k] == 0) {
            return err_set(e, ERR_BAD_INPUT, "%s/layout.xml: no sections for %s reports", where,
                           kind_names[k]);
        }
    qsort(t->labels, t->n_labels, sizeof *t->labels, label_cmp);
    return 0;
}

int rtpl_load_memory(report_templates **out, const char *layout, size_t layout_len,
                     const char *labels, size_t labels_len, err_t *e)
{
    report_templates *t = calloc(1, sizeof *t);
    int rc;

    *out = NULL;
    if (!t)
        return err_set(e, ERR_NOMEM, "out of memory");
    memcpy(t->lang, "en", 3);
    rc = load_layout(t, "layout.xml", layout, layout_len, e);
    if (!rc)
        rc = load_labels(t, "labels.en.xml", labels, labels_len, e);
    if (!rc)
        rc = finish_load(t, "(memory)", e);
    if (rc) {
        report_templates_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

const char *report_templates_label(const report_templates *t, const char *key)
{
    tpl_label k = {(char *)(uintptr_t)key, NULL}, *hit;

    if (!t || !key)
        return key ? key : "";
    hit = bsearch(&k, t->labels, t->n_labels, sizeof *t->labels, label_cmp);
    return hit ? hit->val : key;
}

size_t rtpl_sections(const report_templates *t, rkind k, const char *const **out)
{
    *out = (const char *const *)t->sections[k];
    return t->n_sections[k];
}

const char *rtpl_org(const report_templates *t)
{
    return t && t->org ? t->org : "";
}

const char *rtpl_lang(const report_templates *t)
{
    return t ? t->lang : "en";
}

int rtpl_fmt(buf_t *b, const report_templates *t, const char *key, size_t n,
             const char *const *names, const char *const *vals)
{
    const char *s = report_templates_label(t, key);
    int rc;

    while (*s) {
        const char *open = strchr(s, '{'), *close;
        size_t i;
        if (!open)
            return buf_puts(b, s);
        if ((rc = buf_append(b, s, (size_t)(open - s))))
            return rc;
        close = strchr(open, '}');
        if (!close)
            return buf_puts(b, open);
        for (i = 0; i < n; i++)
            if (strlen(names[i]) == (size_t)(close - open - 1) &&
                memcmp(names[i], open + 1, (size_t)(close - open - 1)) == 0)
                break;
        if (i < n) {
            const char *v = vals[i] ? vals[i] : "";
            size_t vl = strlen(v);
            rc = buf_puts(b, v);
            /* "Source: {source}." with a source that ends its own sentence: one period */
            if (vl && v[vl - 1] == '.' && close[1] == '.')
                close++;
        } else {
            rc = buf_append(b, open, (size_t)(close - open + 1));
        }
        if (rc)
            return rc;
        s = close + 1;
    }
    return 0;
}
