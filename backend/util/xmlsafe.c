/* xmlsafe.c - parsing untrusted XML with libxml2 (xmlsafe.h). */
#include "util/xmlsafe.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

/* The parser options a caller may ask for; everything else is dropped. */
#define XMLSAFE_ALLOWED_OPTIONS                                                            \
    (XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_PEDANTIC | XML_PARSE_NOBLANKS |    \
     XML_PARSE_NSCLEAN | XML_PARSE_NOCDATA | XML_PARSE_COMPACT)

static pthread_once_t xmlsafe_once = PTHREAD_ONCE_INIT;

static void xmlsafe_init_once(void)
{
    xmlInitParser();
}

void xmlsafe_init(void)
{
    pthread_once(&xmlsafe_once, xmlsafe_init_once);
}

/* The parse context carried in ctxt->_private. */
typedef struct {
    xmlsafe_report *r;
    int flags;
} xmlsafe_guard;

/* Copies a libxml2 message without its final new lines and spaces. */
static void xmlsafe_copy_msg(char *dst, size_t size, const char *msg)
{
    size_t n;

    snprintf(dst, size, "%s", msg);
    n = strlen(dst);
    while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
        dst[--n] = '\0';
}

static void xmlsafe_stop(void *ctx, int is_entity)
{
    xmlParserCtxtPtr ctxt = ctx;
    xmlsafe_guard *g = ctxt->_private;

    if (g && !g->r->doctype && !g->r->entity) {
        if (is_entity)
            g->r->entity = 1;
        else
            g->r->doctype = 1;
        g->r->line = ctxt->input ? ctxt->input->line : 0;
    }
    xmlStopParser(ctxt);
}

static void xmlsafe_sax_subset(void *ctx, const xmlChar *name, const xmlChar *ext_id,
                               const xmlChar *sys_id)
{
    (void)name;
    (void)ext_id;
    (void)sys_id;
    xmlsafe_stop(ctx, 0);
}

static void xmlsafe_sax_entity(void *ctx, const xmlChar *name, int type,
                               const xmlChar *public_id, const xmlChar *system_id,
                               xmlChar *content)
{
    (void)name;
    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    xmlsafe_stop(ctx, 1);
}

static void xmlsafe_on_error(void *data, xmlErrorPtr err)
{
    xmlParserCtxtPtr ctxt = data;
    xmlsafe_guard *g = ctxt ? ctxt->_private : NULL;

    if (!g || !err || g->r->have_error)
        return;
    if (!(g->flags & XMLSAFE_WARNINGS) && err->level < XML_ERR_ERROR)
        return;
    g->r->have_error = 1;
    g->r->error_line = err->line;
    g->r->error_code = err->code;
    xmlsafe_copy_msg(g->r->error, sizeof g->r->error, err->message ? err->message : "XML error");
}

int xmlsafe_parse(xmlDocPtr *out, const char *buf, size_t len, const char *name,
                  const char *encoding, int options, int flags, xmlsafe_report *r, err_t *e)
{
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    xmlsafe_guard g;
    xmlErrorPtr last;
    int rc = 0;

    *out = NULL;
    memset(r, 0, sizeof *r);
    g.r = r;
    g.flags = flags;
    if (len > INT_MAX)
        return err_set(e, ERR_LIMIT, "%s: %zu bytes, over the limit of %d bytes", name, len,
                       INT_MAX);
    xmlsafe_init();
    ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return err_set(e, ERR_NOMEM, "%s: out of memory", name);
    ctxt->_private = &g;
    ctxt->sax->initialized = XML_SAX2_MAGIC;
    ctxt->sax->internalSubset = xmlsafe_sax_subset;
    ctxt->sax->externalSubset = xmlsafe_sax_subset;
    ctxt->sax->entityDecl = xmlsafe_sax_entity;
    ctxt->sax->serror = xmlsafe_on_error;
    /* an allow-list: no entity substitution, DTD loading or validation, no "huge" */
    options &= XMLSAFE_ALLOWED_OPTIONS;
    doc = xmlCtxtReadMemory(ctxt, buf, (int)len, name, encoding, options | XML_PARSE_NONET);
    r->well_formed = doc && ctxt->wellFormed;
    last = xmlCtxtGetLastError(ctxt);
    if (last && last->code != XML_ERR_OK) {
        r->have_last = 1;
        r->last_line = last->line;
        r->last_code = last->code;
        xmlsafe_copy_msg(r->last, sizeof r->last, last->message ? last->message : "unknown error");
    }
    if (doc && r->well_formed && !r->doctype && !r->entity) {
        *out = doc;
        doc = NULL;
    }
    if (doc)
        xmlFreeDoc(doc);
    ctxt->_private = NULL;
    xmlFreeParserCtxt(ctxt);
    return rc;
}

/* Offset of the first byte that is not strict UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF), or len when all is well. */
static size_t xmlsafe_utf8_run(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        size_t k, need;
        uint32_t cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (len - i <= need)
            return i;
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += need + 1;
    }
    return len;
}

unsigned long xmlsafe_line_of(const char *s, size_t off)
{
    unsigned long line = 1;
    size_t i;

    for (i = 0; i < off; i++)
        line += s[i] == '\n';
    return line;
}

size_t xmlsafe_utf8_check(const char *buf, size_t len, size_t *bom)
{
    size_t skip = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;

    if (bom)
        *bom = skip;
    return xmlsafe_utf8_run((const unsigned char *)buf + skip, len - skip) + skip;
}

size_t xmlsafe_depth(xmlNodePtr root)
{
    size_t depth = 1, best = 1;
    xmlNodePtr n = root;

    if (!root)
        return 0;
    for (;;) {
        if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            if (++depth > best)
                best = depth;
            continue;
        }
        while (n != root && !n->next) {
            n = n->parent;
            depth--;
        }
        if (n == root)
            return best;
        n = n->next;
    }
}
