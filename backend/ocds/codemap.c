/* codemap.c - publisher codes to OCDS codelist codes: embedded codelists, the built-in
 * map and the XML map file (codemap.h). */
#include "ocds/codemap.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util/xmlsafe.h"

typedef struct {
    codemap_list list;
    const char *from;   /* trimmed; compared ASCII case-insensitively */
    const char *to;     /* a standard code of the list */
    long line;          /* line in the map file, 0 for the built-in map */
} codemap_entry;

struct codemap {
    codemap_entry *entries;
    size_t n;
    int sorted;         /* entries sorted by (list, folded from): bsearch applies */
    int is_static;      /* the built-in map: never freed */
};

/* ---- the standard codelists (OCDS 1.1.5 codelist CSV files; bidStatus from the OCDS bids
 * extension), deprecated codes included since publishers still use them ---- */

static const char *const list_method[] = {"open", "selective", "limited", "direct", NULL};
static const char *const list_bid_status[] = {"invited", "pending", "valid", "disqualified",
                                              "withdrawn", NULL};
static const char *const list_award_status[] = {"pending", "active", "cancelled",
                                                "unsuccessful", NULL};
static const char *const list_award_criteria[] = {
    "priceOnly", "costOnly", "qualityOnly", "ratedCriteria",
    /* deprecated in 1.1 */
    "lowestCost", "bestProposal", "bestValueToGovernment", "singleBidOnly", NULL};
static const char *const list_category[] = {"goods", "works", "services", NULL};
static const char *const list_tender_status[] = {"planning", "planned", "active", "cancelled",
                                                 "unsuccessful", "complete", "withdrawn", NULL};
static const char *const list_contract_status[] = {"pending", "active", "cancelled",
                                                   "terminated", NULL};

static const char *const *const codelists[CODEMAP_N_LISTS] = {
    list_method,        list_bid_status, list_award_status,   list_award_criteria,
    list_category,      list_tender_status, list_contract_status,
};

static const char *const list_names[CODEMAP_N_LISTS] = {
    "procurementMethod", "bidStatus",    "awardStatus",   "awardCriteria",
    "mainProcurementCategory", "tenderStatus", "contractStatus",
};

/* ---- the built-in map: keep it identical to templates/codemap.xml, where every entry
 * is explained (tests/unit/test_codemap.c checks that the two agree) ---- */

static codemap_entry default_entries[] = {
    /* procurementMethod */
    {CODEMAP_METHOD, "Licita\xc5\xa3ie public\xc4\x83", "open", 0},      /* ţ cedilla */
    {CODEMAP_METHOD, "Licita\xc8\x9bie public\xc4\x83", "open", 0},      /* ț comma */
    {CODEMAP_METHOD, "Cerere a ofertelor de pre\xc5\xa3uri", "open", 0},
    {CODEMAP_METHOD, "Cerere a ofertelor de pre\xc8\x9buri", "open", 0},
    {CODEMAP_METHOD, "Negociere f\xc4\x83r\xc4\x83 publicare prealabil\xc4\x83", "limited", 0},
    {CODEMAP_METHOD, "Licitaci\xc3\xb3n P\xc3\xba" "blica", "open", 0},
    {CODEMAP_METHOD, "Licitaci\xc3\xb3n P\xc3\xba" "blica Nacional", "open", 0},
    {CODEMAP_METHOD, "Licitaci\xc3\xb3n P\xc3\xba" "blica Internacional", "open", 0},
    {CODEMAP_METHOD, "Invitaci\xc3\xb3n a cuando menos tres personas", "selective", 0},
    {CODEMAP_METHOD, "Invitaci\xc3\xb3n a cuando menos tres proveedores", "selective", 0},
    {CODEMAP_METHOD, "Adjudicaci\xc3\xb3n Directa", "direct", 0},
    {CODEMAP_METHOD, "Contrataci\xc3\xb3n Directa", "direct", 0},
    {CODEMAP_METHOD, "open procedure", "open", 0},
    {CODEMAP_METHOD, "restricted", "selective", 0},
    {CODEMAP_METHOD, "restricted procedure", "selective", 0},
    {CODEMAP_METHOD, "negotiated", "limited", 0},
    {CODEMAP_METHOD, "direct award", "direct", 0},
    /* bidStatus */
    {CODEMAP_BID_STATUS, "qualified", "valid", 0},
    {CODEMAP_BID_STATUS, "active", "valid", 0},
    {CODEMAP_BID_STATUS, "not-qualified", "disqualified", 0},
    {CODEMAP_BID_STATUS, "notQualified", "disqualified", 0},
    {CODEMAP_BID_STATUS, "unqualified", "disqualified", 0},
    {CODEMAP_BID_STATUS, "rejected", "disqualified", 0},
    {CODEMAP_BID_STATUS, "invalid", "disqualified", 0},
    {CODEMAP_BID_STATUS, "submitted", "pending", 0},
    /* awardStatus */
    {CODEMAP_AWARD_STATUS, "awarded", "active", 0},
    {CODEMAP_AWARD_STATUS, "canceled", "cancelled", 0},
    /* awardCriteria */
    {CODEMAP_AWARD_CRITERIA, "bestValueToGoverment", "ratedCriteria", 0},
    {CODEMAP_AWARD_CRITERIA, "bestValueToGovernment", "ratedCriteria", 0},
    {CODEMAP_AWARD_CRITERIA, "bestProposal", "ratedCriteria", 0},
    {CODEMAP_AWARD_CRITERIA, "lowestCost", "priceOnly", 0},
    {CODEMAP_AWARD_CRITERIA, "lowestPrice", "priceOnly", 0},
    {CODEMAP_AWARD_CRITERIA, "lowest price", "priceOnly", 0},
    {CODEMAP_AWARD_CRITERIA, "Binario", "priceOnly", 0},
    {CODEMAP_AWARD_CRITERIA, "Puntos y porcentajes", "ratedCriteria", 0},
    {CODEMAP_AWARD_CRITERIA, "MEAT", "ratedCriteria", 0},
    {CODEMAP_AWARD_CRITERIA, "most economically advantageous tender", "ratedCriteria", 0},
    /* mainProcurementCategory */
    {CODEMAP_CATEGORY, "good", "goods", 0},
    {CODEMAP_CATEGORY, "work", "works", 0},
    {CODEMAP_CATEGORY, "service", "services", 0},
    {CODEMAP_CATEGORY, "consultingServices", "services", 0},
    {CODEMAP_CATEGORY, "bienes", "goods", 0},
    {CODEMAP_CATEGORY, "obras", "works", 0},
    {CODEMAP_CATEGORY, "servicios", "services", 0},
    /* tenderStatus */
    {CODEMAP_TENDER_STATUS, "Primirea ofertelor", "active", 0},
    {CODEMAP_TENDER_STATUS, "Evaluarea ofertelor", "active", 0},
    {CODEMAP_TENDER_STATUS, "Executarea contractului", "complete", 0},
    {CODEMAP_TENDER_STATUS, "completed", "complete", 0},
    {CODEMAP_TENDER_STATUS, "canceled", "cancelled", 0},
    {CODEMAP_TENDER_STATUS, "tendering", "active", 0},
    /* contractStatus */
    {CODEMAP_CONTRACT_STATUS, "\xc3\x8enregistrat(\xc4\x83)", "active", 0},
    {CODEMAP_CONTRACT_STATUS, "signed", "active", 0},
    {CODEMAP_CONTRACT_STATUS, "completed", "terminated", 0},
    {CODEMAP_CONTRACT_STATUS, "canceled", "cancelled", 0},
};

static codemap default_map = {
    default_entries, sizeof default_entries / sizeof default_entries[0], 0, 1,
};

const codemap *codemap_default(void)
{
    return &default_map;
}

const char *codemap_list_name(codemap_list list)
{
    if ((int)list < 0 || list >= CODEMAP_N_LISTS)
        return "?";
    return list_names[list];
}

size_t codemap_size(const codemap *cm)
{
    return cm ? cm->n : 0;
}

int codemap_entry_at(const codemap *cm, size_t i, codemap_list *list, const char **from,
                     const char **to)
{
    if (!cm || i >= cm->n)
        return ERR_NOT_FOUND;
    *list = cm->entries[i].list;
    *from = cm->entries[i].from;
    *to = cm->entries[i].to;
    return 0;
}

int codemap_in_codelist(codemap_list list, const char *code)
{
    const char *const *c;

    if ((int)list < 0 || list >= CODEMAP_N_LISTS || !code)
        return 0;
    for (c = codelists[list]; *c; c++)
        if (strcmp(*c, code) == 0)
            return 1;
    return 0;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* The trimmed extent of s: *start and *len. */
static void trim(const char *s, const char **start, size_t *len)
{
    size_t n = strlen(s);

    while (n > 0 && is_space((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && is_space((unsigned char)s[n - 1]))
        n--;
    *start = s;
    *len = n;
}

/* Compares two byte ranges with ASCII letters folded to lower case (UTF-8 bytes >= 0x80
 * compare as they are). */
static int fold_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i;

    for (i = 0; i < alen && i < blen; i++) {
        unsigned char ca = ascii_lower((unsigned char)a[i]);
        unsigned char cb = ascii_lower((unsigned char)b[i]);
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    if (alen == blen)
        return 0;
    return alen < blen ? -1 : 1;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const codemap_entry *a = pa, *b = pb;

    if (a->list != b->list)
        return a->list < b->list ? -1 : 1;
    return fold_cmp(a->from, strlen(a->from), b->from, strlen(b->from));
}

static const codemap_entry *lookup(const codemap *cm, codemap_list list, const char *s,
                                   size_t len)
{
    size_t i, lo, hi;

    if (!cm->sorted) {
        for (i = 0; i < cm->n; i++)
            if (cm->entries[i].list == list &&
                fold_cmp(s, len, cm->entries[i].from, strlen(cm->entries[i].from)) == 0)
                return &cm->entries[i];
        return NULL;
    }
    lo = 0;
    hi = cm->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const codemap_entry *en = &cm->entries[mid];
        int c = en->list != list ? (en->list < list ? -1 : 1)
                                 : fold_cmp(en->from, strlen(en->from), s, len);
        if (c == 0)
            return en;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

codemap_result codemap_resolve(const codemap *cm, codemap_list list, const char *raw,
                               const char **code)
{
    const codemap_entry *en;
    const char *const *c;
    const char *s;
    size_t len;

    *code = NULL;
    if ((int)list < 0 || list >= CODEMAP_N_LISTS || !raw)
        return CODEMAP_OUTSIDE;
    if (!cm)
        cm = &default_map;
    trim(raw, &s, &len);
    en = lookup(cm, list, s, len);
    if (en) {
        *code = en->to;
        return strcmp(en->to, raw) == 0 ? CODEMAP_STANDARD : CODEMAP_MAPPED;
    }
    for (c = codelists[list]; *c; c++)
        if (strcmp(*c, raw) == 0) {
            *code = *c;
            return CODEMAP_STANDARD;
        }
    for (c = codelists[list]; *c; c++)
        if (fold_cmp(*c, strlen(*c), s, len) == 0) {
            *code = *c;
            return CODEMAP_MAPPED;
        }
    return CODEMAP_OUTSIDE;
}

void codemap_free(codemap *cm)
{
    size_t i;

    if (!cm || cm->is_static)
        return;
    for (i = 0; i < cm->n; i++)
        free((char *)(uintptr_t)cm->entries[i].from);
    free(cm->entries);
    free(cm);
}

/* ---- loading a map file ---- */

/* The text of attribute `name` (libxml2-allocated; xmlFree it), or NULL. */
static char *attr(xmlNodePtr n, const char *name)
{
    return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static int name_is(xmlNodePtr n, const char *local)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

static int list_from_name(const char *name, codemap_list *out)
{
    int i;

    for (i = 0; i < CODEMAP_N_LISTS; i++)
        if (strcmp(list_names[i], name) == 0) {
            *out = (codemap_list)i;
            return 0;
        }
    return ERR_NOT_FOUND;
}

static int add_entry(codemap *cm, size_t *cap, codemap_list list, const char *from,
                     const char *to, long line)
{
    codemap_entry *grown;
    const char *s;
    size_t len;
    char *copy;

    trim(from, &s, &len);
    copy = strndup(s, len);
    if (!copy)
        return ERR_NOMEM;
    if (cm->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        grown = realloc(cm->entries, ncap * sizeof *grown);
        if (!grown) {
            free(copy);
            return ERR_NOMEM;
        }
        cm->entries = grown;
        *cap = ncap;
    }
    cm->entries[cm->n].list = list;
    cm->entries[cm->n].from = copy;
    cm->entries[cm->n].to = to;
    cm->entries[cm->n].line = line;
    cm->n++;
    return 0;
}

/* The static spelling of a standard code (so entries need not own `to`), or NULL. */
static const char *standard_code(codemap_list list, const char *code)
{
    const char *const *c;

    for (c = codelists[list]; *c; c++)
        if (strcmp(*c, code) == 0)
            return *c;
    return NULL;
}

static int read_list(codemap *cm, size_t *cap, xmlNodePtr ln, const char *name, err_t *e)
{
    codemap_list list;
    xmlNodePtr mp;
    char *lname = attr(ln, "name");
    char *from = NULL, *to = NULL;
    int rc = 0;

    if (!lname) {
        rc = err_set(e, ERR_BAD_INPUT, "%s:%ld: <list> without a name attribute", name,
                     xmlGetLineNo(ln));
        goto cleanup;
    }
    if (list_from_name(lname, &list) != 0) {
        rc = err_set(e, ERR_BAD_INPUT,
                     "%s:%ld: unknown list \"%.64s\" (procurementMethod, bidStatus, "
                     "awardStatus, awardCriteria, mainProcurementCategory, tenderStatus, "
                     "contractStatus)",
                     name, xmlGetLineNo(ln), lname);
        goto cleanup;
    }
    for (mp = ln->children; mp; mp = mp->next) {
        const char *code, *s;
        size_t len;

        if (mp->type == XML_COMMENT_NODE || mp->type == XML_PI_NODE ||
            (mp->type == XML_TEXT_NODE && xmlIsBlankNode(mp)))
            continue;
        if (!name_is(mp, "map")) {
            rc = err_set(e, ERR_BAD_INPUT, "%s:%ld: unexpected %s in <list> (only <map>)",
                         name, xmlGetLineNo(mp),
                         mp->type == XML_ELEMENT_NODE ? (const char *)mp->name : "text");
            goto cleanup;
        }
        from = attr(mp, "from");
        to = attr(mp, "to");
        if (!from || !to) {
            rc = err_set(e, ERR_BAD_INPUT, "%s:%ld: <map> needs both from and to", name,
                         xmlGetLineNo(mp));
            goto cleanup;
        }
        trim(from, &s, &len);
        if (len == 0 || len > CODEMAP_MAX_VALUE) {
            rc = err_set(e, ERR_BAD_INPUT, "%s:%ld: from must be 1..%d bytes", name,
                         xmlGetLineNo(mp), CODEMAP_MAX_VALUE);
            goto cleanup;
        }
        code = standard_code(list, to);
        if (!code) {
            rc = err_set(e, ERR_BAD_INPUT,
                         "%s:%ld: to=\"%.64s\" is not a code of the %s codelist", name,
                         xmlGetLineNo(mp), to, list_names[list]);
            goto cleanup;
        }
        rc = add_entry(cm, cap, list, from, code, xmlGetLineNo(mp));
        if (rc) {
            err_set(e, rc, "%s: out of memory", name);
            goto cleanup;
        }
        xmlFree(from);
        xmlFree(to);
        from = to = NULL;
    }
cleanup:
    if (from)
        xmlFree(from);
    if (to)
        xmlFree(to);
    if (lname)
        xmlFree(lname);
    return rc;
}

int codemap_load_buffer(codemap **out, const char *xml, size_t len, const char *name,
                        err_t *e)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root, ln;
    codemap *cm = NULL;
    xmlsafe_report r;
    size_t cap = 0, i;
    int rc = 0;

    *out = NULL;
    if (len > CODEMAP_MAX_FILE) {
        rc = err_set(e, ERR_LIMIT, "%s:1: larger than %u bytes", name, CODEMAP_MAX_FILE);
        goto cleanup;
    }
    /* Network off; no entity substitution and no DTD loading: entities are never expanded
     * (a DOCTYPE stops the parse before its declarations). UTF-8 is imposed. Any
     * message, warnings included, refuses the map. */
    rc = xmlsafe_parse(&doc, xml, len, name, "UTF-8", XML_PARSE_NONET, XMLSAFE_WARNINGS, &r, e);
    if (rc)
        goto cleanup;
    if (r.doctype || r.entity) {
        rc = err_set(e, ERR_BAD_INPUT, "%s:%ld: a DOCTYPE is not allowed in a code map", name,
                     r.line ? r.line : 1L);
        goto cleanup;
    }
    if (!doc || r.have_error) {
        rc = err_set(e, ERR_BAD_INPUT, "%s:%d: %s", name, r.have_error ? r.error_line : 1,
                     r.have_error ? r.error : "not well-formed XML");
        goto cleanup;
    }
    root = xmlDocGetRootElement(doc);
    if (!root || !name_is(root, "codemap") ||
        (root->ns && root->ns->href &&
         strcmp((const char *)root->ns->href, "urn:procaudit:codemap:1") != 0)) {
        rc = err_set(e, ERR_BAD_INPUT, "%s:%ld: the root element must be <codemap> (namespace urn:procaudit:codemap:1 "
                     "or none)", name,
                     root ? xmlGetLineNo(root) : 1L);
        goto cleanup;
    }
    cm = calloc(1, sizeof *cm);
    if (!cm) {
        rc = err_set(e, ERR_NOMEM, "%s: out of memory", name);
        goto cleanup;
    }
    for (ln = root->children; ln; ln = ln->next) {
        if (ln->type == XML_COMMENT_NODE || ln->type == XML_PI_NODE ||
            (ln->type == XML_TEXT_NODE && xmlIsBlankNode(ln)))
            continue;
        if (!name_is(ln, "list")) {
            rc = err_set(e, ERR_BAD_INPUT, "%s:%ld: unexpected %s in <codemap> (only <list>)",
                         name, xmlGetLineNo(ln),
                         ln->type == XML_ELEMENT_NODE ? (const char *)ln->name : "text");
            goto cleanup;
        }
        rc = read_list(cm, &cap, ln, name, e);
        if (rc)
            goto cleanup;
    }
    if (cm->n > 1)
        qsort(cm->entries, cm->n, sizeof *cm->entries, entry_cmp);
    for (i = 1; i < cm->n; i++)
        if (entry_cmp(&cm->entries[i - 1], &cm->entries[i]) == 0) {
            long l1 = cm->entries[i - 1].line, l2 = cm->entries[i].line;
            rc = err_set(e, ERR_BAD_INPUT,
                         "%s:%ld: from=\"%.64s\" is mapped twice in list %s (also line %ld)",
                         name, l1 > l2 ? l1 : l2, cm->entries[i].from,
                         list_names[cm->entries[i].list], l1 > l2 ? l2 : l1);
            goto cleanup;
        }
    cm->sorted = 1;
    *out = cm;
    cm = NULL;
cleanup:
    codemap_free(cm);
    if (doc)
        xmlFreeDoc(doc);
    return rc;
}

int codemap_load(codemap **out, const char *path, err_t *e)
{
    FILE *f = NULL;
    char *data = NULL;
    struct stat st;
    size_t got;
    int rc = 0;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f) {
        rc = err_set(e, ERR_IO, "%s:0: %s", path, strerror(errno));
        goto cleanup;
    }
    if (fstat(fileno(f), &st) != 0) {
        rc = err_set(e, ERR_IO, "%s:0: %s", path, strerror(errno));
        goto cleanup;
    }
    if (st.st_size < 0 || (unsigned long long)st.st_size > CODEMAP_MAX_FILE) {
        rc = err_set(e, ERR_LIMIT, "%s:0: larger than %u bytes", path, CODEMAP_MAX_FILE);
        goto cleanup;
    }
    data = malloc((size_t)st.st_size + 1);
    if (!data) {
        rc = err_set(e, ERR_NOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    got = fread(data, 1, (size_t)st.st_size, f);
    if (got != (size_t)st.st_size) {
        rc = err_set(e, ERR_IO, "%s:0: short read", path);
        goto cleanup;
    }
    rc = codemap_load_buffer(out, data, got, path, e);
cleanup:
    free(data);
    if (f)
        fclose(f);
    return rc;
}
