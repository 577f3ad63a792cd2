/* eforms_xml.h - small libxml2 tree helpers for the eForms module (not public). */
#ifndef PROCAUDIT_EFORMS_XML_H
#define PROCAUDIT_EFORMS_XML_H

#include <stddef.h>

#include <libxml/tree.h>

#define EFORMS_NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define EFORMS_NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define EFORMS_NS_EXT "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
#define EFORMS_NS_EFEXT "http://data.europa.eu/p27/eforms-ubl-extensions/1"
#define EFORMS_NS_EFAC "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1"
#define EFORMS_NS_EFBC "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1"

/* Longest text copied from one element; longer text is cut at a UTF-8 boundary. */
#define EFORMS_MAX_TEXT (64u * 1024u)

/* The first element child of n matching a path of steps "pfx:Local/pfx:Local" (prefixes
 * cbc, cac, ext, efext, efac, efbc; matched by namespace URI, so the document's own
 * prefixes do not matter), or NULL. n may be NULL. */
xmlNodePtr eforms_x_first(xmlNodePtr n, const char *path);
/* The next element sibling with the same namespace and local name as n, or NULL. */
xmlNodePtr eforms_x_next(xmlNodePtr n);
/* The eForms extension of an element: n/ext:UBLExtensions/ext:UBLExtension/
 * ext:ExtensionContent/efext:EformsExtension, or NULL. */
xmlNodePtr eforms_x_ext(xmlNodePtr n);
/* The element's text, white space trimmed, as a new string (free()), or NULL when the
 * element is absent, empty, or memory ran out (*truncated set when cut). */
char *eforms_x_text(xmlNodePtr n, int *truncated);
/* The text of the first element matching path under n (see eforms_x_first); when several
 * siblings match, the one whose languageID equals lang (ISO 639-3) is preferred. */
char *eforms_x_text_at(xmlNodePtr n, const char *path, const char *lang);
/* An attribute's value as a new string, or NULL. */
char *eforms_x_attr(xmlNodePtr n, const char *name);
/* 1 when a copy (eforms_x_text, eforms_x_text_at, eforms_x_attr) returned NULL because
 * memory ran out since the last call, which clears the flag (per thread). Callers that
 * read NULL as "absent" check it once at the end, so that out of memory is never taken
 * for a missing value. */
int eforms_x_oom_take(void);
/* 1 when n is an element in namespace ns with local name local. */
int eforms_x_is(xmlNodePtr n, const char *ns, const char *local);

#endif
