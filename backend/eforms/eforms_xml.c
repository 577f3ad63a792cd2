/* eforms_xml.c - namespace-aware navigation and bounded text extraction over libxml2 trees. */
#include "eforms/eforms_xml.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *pfx;
    const char *uri;
} eforms_prefixes[] = {
    {"cbc", EFORMS_NS_CBC},     {"cac", EFORMS_NS_CAC},   {"ext", EFORMS_NS_EXT},
    {"efext", EFORMS_NS_EFEXT}, {"efac", EFORMS_NS_EFAC}, {"efbc", EFORMS_NS_EFBC},
};

static _Thread_local int eforms_x_oom;

int eforms_x_oom_take(void)
{
    int v = eforms_x_oom;

    eforms_x_oom = 0;
    return v;
}

int eforms_x_is(xmlNodePtr n, const char *ns, const char *local)
{
    if (!n || n->type != XML_ELEMENT_NODE || !n->name)
        return 0;
    if (strcmp((const char *)n->name, local) != 0)
        return 0;
    if (!ns)
        return 1;
    return n->ns && n->ns->href && strcmp((const char *)n->ns->href, ns) == 0;
}

/* Splits one step "pfx:Local" (length len) into a namespace URI and a local name. */
static int eforms_x_step(const char *step, size_t len, const char **uri, char *local, size_t local_size)
{
    const char *colon = memchr(step, ':', len);
    size_t i, plen, llen;

    if (!colon)
        return -1;
    plen = (size_t)(colon - step);
    llen = len - plen - 1;
    if (llen == 0 || llen >= local_size)
        return -1;
    *uri = NULL;
    for (i = 0; i < sizeof eforms_prefixes / sizeof eforms_prefixes[0]; i++) {
        if (strlen(eforms_prefixes[i].pfx) == plen && memcmp(eforms_prefixes[i].pfx, step, plen) == 0) {
            *uri = eforms_prefixes[i].uri;
            break;
        }
    }
    if (!*uri)
        return -1;
    memcpy(local, colon + 1, llen);
    local[llen] = '\0';
    return 0;
}

xmlNodePtr eforms_x_first(xmlNodePtr n, const char *path)
{
    const char *p = path;

    while (n && *p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        const char *uri;
        char local[96];
        xmlNodePtr c;

        if (eforms_x_step(p, len, &uri, local, sizeof local) != 0)
            return NULL;
        for (c = n->children; c; c = c->next)
            if (eforms_x_is(c, uri, local))
                break;
        n = c;
        p = slash ? slash + 1 : p + len;
    }
    return n;
}

xmlNodePtr eforms_x_next(xmlNodePtr n)
{
    xmlNodePtr c;

    if (!n)
        return NULL;
    for (c = n->next; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && c->name &&
            strcmp((const char *)c->name, (const char *)n->name) == 0 &&
            ((c->ns == NULL && n->ns == NULL) ||
             (c->ns && n->ns && c->ns->href && n->ns->href &&
              strcmp((const char *)c->ns->href, (const char *)n->ns->href) == 0)))
            return c;
    return NULL;
}

xmlNodePtr eforms_x_ext(xmlNodePtr n)
{
    return eforms_x_first(n, "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension");
}

/* Copies the text content of n's subtree (text and CDATA only; entity references are
 * not expanded) into out, up to max bytes, and returns its length; sets *cut when more was
 * there. out NULL: only counts. Iterative, so the depth of the tree does not matter. */
static size_t eforms_x_collect(xmlNodePtr n, char *out, size_t max, int *cut)
{
    size_t len = 0;
    xmlNodePtr c = n->children;

    while (c) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
            size_t l = strlen((const char *)c->content);
            if (l > max - len) {
                l = max - len;
                *cut = 1;
            }
            if (out)
                memcpy(out + len, c->content, l);
            len += l;
        }
        if (c->type == XML_ELEMENT_NODE && c->children) {
            c = c->children;
            continue;
        }
        while (c && !c->next && c != n) {
            c = c->parent;
            if (c == n)
                c = NULL;
        }
        if (c)
            c = c->next;
    }
    return len;
}

char *eforms_x_text(xmlNodePtr n, int *truncated)
{
    char *out;
    size_t len, start = 0, need;
    int cut = 0;

    if (!n)
        return NULL;
    need = eforms_x_collect(n, NULL, EFORMS_MAX_TEXT, &cut);
    if (need == 0)
        return NULL;
    cut = 0;
    out = malloc(need + 1);
    if (!out) {
        eforms_x_oom = 1;
        return NULL;
    }
    len = eforms_x_collect(n, out, need, &cut);
    if (cut && len > 0) { /* drop a UTF-8 character cut in the middle */
        size_t k = len - 1, want;
        unsigned char lead;
        while (k > 0 && ((unsigned char)out[k] & 0xC0) == 0x80)
            k--;
        lead = (unsigned char)out[k];
        want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (k + want > len)
            len = k;
    }
    while (start < len &&
           (out[start] == ' ' || out[start] == '\t' || out[start] == '\n' || out[start] == '\r'))
        start++;
    while (len > start &&
           (out[len - 1] == ' ' || out[len - 1] == '\t' || out[len - 1] == '\n' || out[len - 1] == '\r'))
        len--;
    if (len == start) {
        free(out);
        return NULL;
    }
    if (start > 0)
        memmove(out, out + start, len - start);
    out[len - start] = '\0';
    if (truncated && cut)
        *truncated = 1;
    return out;
}

char *eforms_x_text_at(xmlNodePtr n, const char *path, const char *lang)
{
    xmlNodePtr first = eforms_x_first(n, path), c;

    if (!first)
        return NULL;
    if (lang && *lang) {
        for (c = first; c; c = eforms_x_next(c)) {
            xmlChar *l = xmlGetProp(c, (const xmlChar *)"languageID");
            int match = l && strcmp((const char *)l, lang) == 0;
            xmlFree(l);
            if (match)
                return eforms_x_text(c, NULL);
        }
    }
    return eforms_x_text(first, NULL);
}

char *eforms_x_attr(xmlNodePtr n, const char *name)
{
    xmlChar *v;
    char *out;

    if (!n)
        return NULL;
    v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    out = strdup((const char *)v);
    if (!out)
        eforms_x_oom = 1;
    xmlFree(v);
    return out;
}
