/* xmlsafe.h - parsing untrusted XML with libxml2: network off, no DOCTYPE, no entities,
 * the first and last parser errors captured as "line: message" instead of printed.
 *
 * Used by the eForms reader, the native XML reader and the code-map loader, which word
 * their own refusals from the xmlsafe_report. */
#ifndef PROCAUDIT_XMLSAFE_H
#define PROCAUDIT_XMLSAFE_H

#include <stddef.h>

#include <libxml/tree.h>

#include "util/err.h"

/* Flags of xmlsafe_parse. */
#define XMLSAFE_WARNINGS 1 /* warnings count as the first error too (default: errors only) */

/* What a parse met. Filled by xmlsafe_parse; caller-owned, nothing to free. */
typedef struct {
    int doctype;        /* 1: a document type declaration was met (the parse stopped there) */
    int entity;         /* 1: an entity declaration was met (the parse stopped there) */
    long line;          /* the line of that declaration (0 when libxml2 did not know it) */
    int well_formed;    /* 1: the document is well-formed (libxml2's wellFormed) */
    int have_error;     /* 1: error/line/error_code hold the first error reported */
    int error_line;
    int error_code;     /* libxml2 xmlParserErrors code */
    char error[300];    /* message, final new lines and spaces removed */
    int have_last;      /* 1: last/last_line/last_code hold the context's last error */
    int last_line;      /*    (xmlCtxtGetLastError: often the same as the first) */
    int last_code;
    char last[300];
} xmlsafe_report;

/* Initialises libxml2 once per process (xmlInitParser under pthread_once), as libxml2
 * 2.9 requires before threads parse concurrently. Safe to call from any thread, often. */
void xmlsafe_init(void);

/* Parses len bytes of buf (name is used in libxml2's messages; encoding may be NULL to
 * follow the document's declaration) with XML_PARSE_NONET added to `options`; of the
 * options only NOERROR, NOWARNING, PEDANTIC, NOBLANKS, NSCLEAN, NOCDATA and COMPACT are
 * kept (never entity substitution, DTD loading, DTD attributes or validation, nor HUGE),
 * so libxml2 keeps its own size and nesting limits. A DOCTYPE or an entity declaration stops the parse before any
 * declaration is read, so no entity is ever declared, expanded (billion laughs) or loaded
 * (XXE). Errors go to *r, never to stderr; `flags` is 0 or XMLSAFE_WARNINGS.
 *
 * Returns 0 with *out the document (the caller xmlFreeDoc()s it) when it is well-formed
 * and had no DOCTYPE or entity declaration; 0 with *out NULL otherwise (see r->doctype,
 * r->entity, r->have_error, r->last_code: XML_ERR_NO_MEMORY there means memory ran out
 * during the parse); ERR_NOMEM (*out NULL, e set to "name: out of memory") when no parser
 * context could be created. len above INT_MAX is refused as ERR_LIMIT. e may be NULL. */
int xmlsafe_parse(xmlDocPtr *out, const char *buf, size_t len, const char *name,
                  const char *encoding, int options, int flags, xmlsafe_report *r,
                  err_t *e) PA_MUSTCHECK;

/* Checks that buf (len bytes, a whole document) is strict UTF-8: no overlong forms, no
 * surrogates, nothing above U+10FFFF (RFC 3629). A UTF-8 byte-order mark at the start is
 * allowed; its length (3, or 0 when there is none) goes to *bom (bom may be NULL).
 * Returns the offset from buf of the first byte that is not strict UTF-8, or len. */
size_t xmlsafe_utf8_check(const char *buf, size_t len, size_t *bom);

/* The 1-based line of byte offset off in s (new lines counted before off). */
unsigned long xmlsafe_line_of(const char *s, size_t off);

/* The deepest element nesting of the tree under root, root counting as 1; 0 for NULL.
 * Iterative (no recursion on hostile depth). */
size_t xmlsafe_depth(xmlNodePtr root);

#endif
