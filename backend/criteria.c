/* criteria.c - loading, validating and querying criteria sets (see criteria.h). */
#include "criteria.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <openssl/evp.h>

#define MAX_PATH_TEXT 4096

/* ---------------------------------------------------------------------------------- */
/* Error collection: every problem becomes one "file:line: message" line.             */

typedef struct {
    long line;
    size_t seq; /* discovery order, to keep the sort stable */
    char *text; /* "file:line: message" */
} load_error;

typedef struct {
    const char *name;  /* file name used in messages */
    buf_t *out;        /* caller's list (may be NULL) */
    size_t count;      /* errors found (also those beyond CRITERIA_MAX_ERRORS) */
    load_error *items; /* the first CRITERIA_MAX_ERRORS, until lerr_finish sorts them */
    size_t n_items;
    char first[900]; /* the error on the lowest line, after lerr_finish */
    int nomem;
    int finished;
} load_errors;

static void lerr_add(load_errors *le, long line, const char *fmt, ...) PA_PRINTF(3, 4);

static void lerr_add(load_errors *le, long line, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* libxml2 messages end with a newline: drop it. */
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    le->count++;
    if (le->n_items >= CRITERIA_MAX_ERRORS)
        return;
    char one[900];
    if (line > 0)
        snprintf(one, sizeof one, "%s:%ld: %s", le->name, line, msg);
    else
        snprintf(one, sizeof one, "%s: %s", le->name, msg);
    load_error *ni = realloc(le->items, (le->n_items + 1) * sizeof *ni);
    if (!ni) {
        le->nomem = 1;
        return;
    }
    le->items = ni;
    ni[le->n_items].line = line;
    ni[le->n_items].seq = le->n_items;
    ni[le->n_items].text = malloc(strlen(one) + 1);
    if (!ni[le->n_items].text) {
        le->nomem = 1;
        return;
    }
    memcpy(ni[le->n_items].text, one, strlen(one) + 1);
    le->n_items++;
}

static int cmp_error(const void *a, const void *b)
{
    const load_error *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts the errors by line, writes them to the caller's list, frees them. */
static void lerr_finish(load_errors *le)
{
    if (le->finished)
        return;
    le->finished = 1;
    if (le->n_items)
        qsort(le->items, le->n_items, sizeof le->items[0], cmp_error);
    for (size_t i = 0; i < le->n_items; i++) {
        if (i == 0)
            snprintf(le->first, sizeof le->first, "%s", le->items[i].text);
        if (le->out && !le->nomem &&
            (buf_puts(le->out, le->items[i].text) != 0 || buf_putc(le->out, '\n') != 0))
            le->nomem = 1;
        free(le->items[i].text);
    }
    if (le->out && !le->nomem && le->count > le->n_items &&
        buf_printf(le->out, "%s: %zu more errors not listed\n", le->name, le->count - le->n_items) != 0)
        le->nomem = 1;
    free(le->items);
    le->items = NULL;
    le->n_items = 0;
}

static void lerr_structured(void *ctx, xmlErrorPtr err)
{
    load_errors *le = ctx;
    if (!err)
        return;
    if (err->level == XML_ERR_WARNING)
        return;
    lerr_add(le, err->line, "%s", err->message ? err->message : "XML error");
}

/* ---------------------------------------------------------------------------------- */
/* Small string helpers.                                                              */

static char *dup_str(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

/* Content of a node with leading and trailing white space removed; NULL on no memory.
 * An empty content gives "" (callers decide whether that is absent). */
static char *node_text(xmlNodePtr n)
{
    xmlChar *c = xmlNodeGetContent(n);
    if (!c)
        return dup_str("");
    const char *s = (const char *)c;
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    xmlFree(c);
    return d;
}

static char *node_attr(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *d = dup_str((const char *)v);
    xmlFree(v);
    return d;
}

static int is_el(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static long node_line(xmlNodePtr n)
{
    return n ? (long)xmlGetLineNo(n) : 0;
}

static int parse_double(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    while (end && isspace((unsigned char)*end))
        end++;
    if (errno != 0 || !end || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static void free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

/* Splits white-space separated tokens of s into a new array. 0 or ERR_NOMEM. */
static int split_tokens(const char *s, char ***out, size_t *n_out)
{
    char **list = NULL;
    size_t n = 0;
    *out = NULL;
    *n_out = 0;
    const char *p = s;
    while (p && *p) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *q = p;
        while (*q && !isspace((unsigned char)*q))
            q++;
        char **nl = realloc(list, (n + 1) * sizeof *nl);
        if (!nl)
            goto nomem;
        list = nl;
        list[n] = malloc((size_t)(q - p) + 1);
        if (!list[n])
            goto nomem;
        memcpy(list[n], p, (size_t)(q - p));
        list[n][q - p] = '\0';
        n++;
        p = q;
    }
    *out = list;
    *n_out = n;
    return 0;
nomem:
    free_list(list, n);
    return ERR_NOMEM;
}

/* ---------------------------------------------------------------------------------- */
/* Freeing.                                                                           */

static void labels_free(criteria_label *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(l[i].lang);
        free(l[i].text);
    }
    free(l);
}

static void filters_dispose(criteria_filters *f)
{
    free_list(f->methods, f->n_methods);
    free_list(f->categories, f->n_categories);
    free_list(f->prefixes, f->n_prefixes);
    free(f->prefix_scheme);
    free_list(f->buyer_kinds, f->n_buyer_kinds);
    free_list(f->statuses, f->n_statuses);
    *f = (criteria_filters){0};
}

static void criterion_dispose(criterion_def *c)
{
    free(c->id);
    free(c->indicator_name);
    for (size_t i = 0; i < c->n_params; i++) {
        free((char *)(uintptr_t)c->params[i].name);
        free((char *)(uintptr_t)c->params[i].value);
    }
    free(c->params);
    filters_dispose(&c->filters);
    for (size_t i = 0; i < c->n_texts; i++) {
        criteria_text *t = &c->texts[i];
        free(t->lang);
        free(t->title);
        free(t->why);
        free(t->check);
        free(t->recommendation);
        free(t->source);
    }
    free(c->texts);
    *c = (criterion_def){0};
}

void criteria_set_free(criteria_set *s)
{
    if (!s)
        return;
    free(s->path);
    free(s->id);
    free(s->version);
    free(s->language);
    labels_free(s->titles, s->n_titles);
    labels_free(s->descriptions, s->n_descriptions);
    for (size_t i = 0; i < s->n_bands; i++)
        labels_free(s->bands[i].labels, s->bands[i].n_labels);
    free(s->bands);
    for (int d = 0; d < DIM_COUNT; d++)
        labels_free(s->dims[d].labels, s->dims[d].n_labels);
    for (size_t i = 0; i < s->n_criteria; i++)
        criterion_dispose(&s->criteria[i]);
    free(s->criteria);
    free(s->content);
    free(s);
}

/* ---------------------------------------------------------------------------------- */
/* Building the set from the validated tree. The XSD has already guaranteed the shape
 * (element order, required attributes, enumerations, decimal syntax); the code below
 * still checks every pointer, since a hostile file that slips past a schema bug must
 * not crash the loader.                                                              */

static int add_label(criteria_label **l, size_t *n, xmlNodePtr node)
{
    criteria_label *nl = realloc(*l, (*n + 1) * sizeof *nl);
    if (!nl)
        return ERR_NOMEM;
    *l = nl;
    nl[*n].lang = node_attr(node, "lang");
    nl[*n].text = node_text(node);
    (*n)++;
    if (!nl[*n - 1].lang || !nl[*n - 1].text)
        return ERR_NOMEM;
    return 0;
}

static int dim_from_name(const char *s, dimension *out)
{
    for (int d = 0; d < DIM_COUNT; d++)
        if (s && strcmp(s, dimension_name((dimension)d)) == 0) {
            *out = (dimension)d;
            return 0;
        }
    return -1;
}

/* "YYYY-MM-DD" (xs:date, possibly with a zone suffix we ignore) to seconds at 00:00 UTC. */
static int parse_day(const char *s, int64_t *out)
{
    if (!s || strlen(s) < 10)
        return -1;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return -1;
        } else if (!isdigit((unsigned char)s[i])) {
            return -1;
        }
    }
    struct tm tm = {0};
    tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') - 1900;
    tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0') - 1;
    tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31)
        return -1;
    time_t t = timegm(&tm);
    *out = (int64_t)t;
    return 0;
}

static int read_filters(criteria_filters *f, xmlNodePtr applies, load_errors *le)
{
    int rc = 0;
    for (xmlNodePtr n = applies->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        char *txt = NULL;
        if (is_el(n, "value_range")) {
            char *mn = node_attr(n, "min"), *mx = node_attr(n, "max"), *cur = node_attr(n, "currency");
            f->has_value_range = 1;
            if (mn && parse_double(mn, &f->value_min) == 0)
                f->has_value_min = 1;
            else if (mn)
                lerr_add(le, node_line(n), "value_range: min '%s' is not a number", mn);
            if (mx && parse_double(mx, &f->value_max) == 0)
                f->has_value_max = 1;
            else if (mx)
                lerr_add(le, node_line(n), "value_range: max '%s' is not a number", mx);
            if (cur)
                snprintf(f->value_currency, sizeof f->value_currency, "%s", cur);
            if (f->has_value_min && f->has_value_max && f->value_min > f->value_max)
                lerr_add(le, node_line(n), "value_range: min %s is greater than max %s", mn, mx);
            if (!f->has_value_min && !f->has_value_max)
                lerr_add(le, node_line(n), "value_range: give min, max or both");
            free(mn);
            free(mx);
            free(cur);
            continue;
        }
        txt = node_text(n);
        if (!txt)
            return ERR_NOMEM;
        char ***list = NULL;
        size_t *cnt = NULL;
        if (is_el(n, "procurement_methods")) {
            list = &f->methods;
            cnt = &f->n_methods;
        } else if (is_el(n, "main_procurement_categories")) {
            list = &f->categories;
            cnt = &f->n_categories;
        } else if (is_el(n, "classification_prefixes")) {
            list = &f->prefixes;
            cnt = &f->n_prefixes;
            free(f->prefix_scheme);
            f->prefix_scheme = node_attr(n, "scheme");
        } else if (is_el(n, "buyer_kinds")) {
            list = &f->buyer_kinds;
            cnt = &f->n_buyer_kinds;
        } else if (is_el(n, "procurement_statuses")) {
            list = &f->statuses;
            cnt = &f->n_statuses;
        }
        if (list) {
            free_list(*list, *cnt);
            rc = split_tokens(txt, list, cnt);
            if (rc == 0 && *cnt == 0)
                lerr_add(le, node_line(n), "%s: empty list", (const char *)n->name);
        } else {
            lerr_add(le, node_line(n), "applies_to: unknown filter <%s>", (const char *)n->name);
        }
        free(txt);
        if (rc)
            return rc;
    }
    return 0;
}

static int read_text(criteria_text *t, xmlNodePtr node)
{
    t->lang = node_attr(node, "lang");
    if (!t->lang)
        return ERR_NOMEM;
    for (xmlNodePtr n = node->children; n; n = n->next) {
        char **slot = NULL;
        if (is_el(n, "title"))
            slot = &t->title;
        else if (is_el(n, "why"))
            slot = &t->why;
        else if (is_el(n, "check"))
            slot = &t->check;
        else if (is_el(n, "recommendation"))
            slot = &t->recommendation;
        else if (is_el(n, "source"))
            slot = &t->source;
        if (!slot)
            continue;
        free(*slot);
        *slot = node_text(n);
        if (!*slot)
            return ERR_NOMEM;
        if (**slot == '\0') { /* an empty element is absent */
            free(*slot);
            *slot = NULL;
        }
    }
    return 0;
}

/* Checks the parameters against the indicator: a population indicator gets pop_new
 * (which parses its parameters); a per-procurement one is run on an empty procurement,
 * which must give results or a parameter error, never a crash. */
static void probe_params(const criterion_def *c, load_errors *le)
{
    if (!c->indicator)
        return;
    for (size_t i = 0; i < c->n_params; i++)
        if (!indicator_param_known(c->indicator, c->params[i].name))
            lerr_add(le, c->line, "criterion %s: indicator %s has no parameter '%s'", c->id,
                     c->indicator_name, c->params[i].name);
    indicator_params prm = {.items = c->params, .n = c->n_params, .criterion_id = c->id, .dim = c->dim};
    err_t e;
    err_clear(&e);
    if (c->indicator->pop_new) {
        void *st = c->indicator->pop_new(&prm, &e);
        if (!st && e.code != ERR_OK && e.code != ERR_NOMEM)
            lerr_add(le, c->line, "criterion %s (%s): %s", c->id, c->indicator_name, e.msg);
        if (st && c->indicator->pop_free)
            c->indicator->pop_free(st);
        return;
    }
    if (!c->indicator->evaluate)
        return;
    model_procurement empty;
    memset(&empty, 0, sizeof empty);
    char ocid[] = "criteria-check";
    empty.ocid = ocid;
    result_list rl = {0};
    int rc = c->indicator->evaluate(&empty, &prm, NULL, &rl, &e);
    if (rc != 0 && rc != ERR_NOMEM)
        lerr_add(le, c->line, "criterion %s (%s): %s", c->id, c->indicator_name,
                 e.msg[0] ? e.msg : err_name(rc));
    result_list_dispose(&rl);
}

static int read_criterion(criteria_set *s, xmlNodePtr node, dimension dim, load_errors *le)
{
    criterion_def *nc = realloc(s->criteria, (s->n_criteria + 1) * sizeof *nc);
    if (!nc)
        return ERR_NOMEM;
    s->criteria = nc;
    criterion_def *c = &nc[s->n_criteria++];
    memset(c, 0, sizeof *c);
    c->dim = dim;
    c->line = (int)node_line(node);
    c->enabled = 1;
    c->id = node_attr(node, "id");
    c->indicator_name = node_attr(node, "indicator");
    if (!c->id || !c->indicator_name)
        return ERR_NOMEM;

    /* Duplicate id: name the line of the first. */
    for (size_t i = 0; i + 1 < s->n_criteria; i++)
        if (strcmp(s->criteria[i].id, c->id) == 0)
            lerr_add(le, c->line, "criterion id '%s' is already used at line %d", c->id, s->criteria[i].line);

    c->indicator = indicator_find(c->indicator_name);
    if (!c->indicator)
        lerr_add(le, c->line, "criterion %s: unknown indicator '%s'", c->id, c->indicator_name);

    char *w = node_attr(node, "weight");
    if (!w || parse_double(w, &c->weight) != 0 || !(c->weight > 0))
        lerr_add(le, c->line, "criterion %s: weight '%s' must be a number > 0", c->id, w ? w : "");
    free(w);

    char *sev = node_attr(node, "severity");
    if (sev && strcmp(sev, "low") == 0)
        c->sev = SEVERITY_LOW;
    else if (sev && strcmp(sev, "medium") == 0)
        c->sev = SEVERITY_MEDIUM;
    else if (sev && strcmp(sev, "high") == 0)
        c->sev = SEVERITY_HIGH;
    else
        lerr_add(le, c->line, "criterion %s: severity '%s' is not low, medium or high", c->id,
                 sev ? sev : "");
    free(sev);

    char *en = node_attr(node, "enabled");
    if (en && (strcmp(en, "false") == 0 || strcmp(en, "0") == 0))
        c->enabled = 0;
    free(en);

    int have_default_text = 0;
    for (xmlNodePtr n = node->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is_el(n, "param")) {
            indicator_param *np = realloc(c->params, (c->n_params + 1) * sizeof *np);
            if (!np)
                return ERR_NOMEM;
            c->params = np;
            char *pn = node_attr(n, "name");
            char *pv = node_text(n);
            np[c->n_params].name = pn;
            np[c->n_params].value = pv;
            c->n_params++;
            if (!pn || !pv)
                return ERR_NOMEM;
            for (size_t i = 0; i + 1 < c->n_params; i++)
                if (strcmp(c->params[i].name, pn) == 0)
                    lerr_add(le, node_line(n), "criterion %s: parameter '%s' given twice", c->id, pn);
        } else if (is_el(n, "applies_to")) {
            int rc = read_filters(&c->filters, n, le);
            if (rc)
                return rc;
        } else if (is_el(n, "validity")) {
            char *from = node_attr(n, "effective_from"), *to = node_attr(n, "effective_to");
            if (from) {
                if (parse_day(from, &c->from_t) == 0) {
                    c->has_from = 1;
                    snprintf(c->from_text, sizeof c->from_text, "%.10s", from);
                } else {
                    lerr_add(le, node_line(n), "criterion %s: effective_from '%s' is not a date", c->id,
                             from);
                }
            }
            if (to) {
                if (parse_day(to, &c->to_t) == 0) {
                    c->has_to = 1;
                    c->to_t += 86399; /* the whole last day is in force */
                    snprintf(c->to_text, sizeof c->to_text, "%.10s", to);
                } else {
                    lerr_add(le, node_line(n), "criterion %s: effective_to '%s' is not a date", c->id, to);
                }
            }
            if (c->has_from && c->has_to && c->from_t > c->to_t)
                lerr_add(le, node_line(n), "criterion %s: effective_from %s is after effective_to %s", c->id,
                         c->from_text, c->to_text);
            free(from);
            free(to);
        } else if (is_el(n, "text")) {
            criteria_text *nt = realloc(c->texts, (c->n_texts + 1) * sizeof *nt);
            if (!nt)
                return ERR_NOMEM;
            c->texts = nt;
            memset(&nt[c->n_texts], 0, sizeof nt[0]);
            c->n_texts++;
            int rc = read_text(&nt[c->n_texts - 1], n);
            if (rc)
                return rc;
            criteria_text *t = &nt[c->n_texts - 1];
            for (size_t i = 0; i + 1 < c->n_texts; i++)
                if (strcmp(c->texts[i].lang, t->lang) == 0)
                    lerr_add(le, node_line(n), "criterion %s: two texts in language '%s'", c->id, t->lang);
            if (s->language && strcmp(t->lang, s->language) == 0)
                have_default_text = 1;
            if (!t->title)
                lerr_add(le, node_line(n), "criterion %s: text '%s' has an empty title", c->id, t->lang);
        }
    }
    if (!have_default_text)
        lerr_add(le, c->line, "criterion %s: no <text> in the set's language '%s'", c->id,
                 s->language ? s->language : "");
    probe_params(c, le);
    return 0;
}

static int read_bands(criteria_set *s, xmlNodePtr bands, load_errors *le)
{
    long lines[32];
    for (xmlNodePtr n = bands->children; n; n = n->next) {
        if (!is_el(n, "band"))
            continue;
        if (s->n_bands >= 32) {
            lerr_add(le, node_line(n), "too many bands (at most 32)");
            break;
        }
        criteria_band *nb = realloc(s->bands, (s->n_bands + 1) * sizeof *nb);
        if (!nb)
            return ERR_NOMEM;
        s->bands = nb;
        criteria_band *b = &nb[s->n_bands];
        memset(b, 0, sizeof *b);
        lines[s->n_bands] = node_line(n);
        s->n_bands++;
        char *mn = node_attr(n, "min"), *mx = node_attr(n, "max");
        if (!mn || parse_double(mn, &b->min) != 0 || !mx || parse_double(mx, &b->max) != 0)
            lerr_add(le, node_line(n), "band: min and max must be numbers");
        else if (!(b->min < b->max))
            lerr_add(le, node_line(n), "band: min %s must be below max %s", mn, mx);
        free(mn);
        free(mx);
        for (xmlNodePtr l = n->children; l; l = l->next)
            if (is_el(l, "label") && add_label(&b->labels, &b->n_labels, l) != 0)
                return ERR_NOMEM;
    }
    if (s->n_bands == 0) {
        lerr_add(le, node_line(bands), "bands: at least one band is needed");
        return 0;
    }
    /* Sort by min, keeping the line of each band with it. */
    for (size_t i = 1; i < s->n_bands; i++)
        for (size_t j = i; j > 0 && s->bands[j - 1].min > s->bands[j].min; j--) {
            criteria_band t = s->bands[j];
            s->bands[j] = s->bands[j - 1];
            s->bands[j - 1] = t;
            long tl = lines[j];
            lines[j] = lines[j - 1];
            lines[j - 1] = tl;
        }
    if (s->bands[0].min != 0)
        lerr_add(le, lines[0], "bands: the lowest band starts at %g, not 0", s->bands[0].min);
    if (s->bands[s->n_bands - 1].max != 100)
        lerr_add(le, lines[s->n_bands - 1], "bands: the highest band ends at %g, not 100",
                 s->bands[s->n_bands - 1].max);
    for (size_t i = 1; i < s->n_bands; i++) {
        if (s->bands[i].min < s->bands[i - 1].max)
            lerr_add(le, lines[i], "bands: band %g..%g overlaps band %g..%g", s->bands[i].min,
                     s->bands[i].max, s->bands[i - 1].min, s->bands[i - 1].max);
        else if (s->bands[i].min > s->bands[i - 1].max)
            lerr_add(le, lines[i], "bands: gap between %g and %g", s->bands[i - 1].max, s->bands[i].min);
    }
    return 0;
}

static int build_set(criteria_set *s, xmlDocPtr doc, load_errors *le)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!is_el(root, "criteria_set")) {
        lerr_add(le, node_line(root), "the root element is not <criteria_set>");
        return 0;
    }
    s->id = node_attr(root, "id");
    s->version = node_attr(root, "version");
    s->language = node_attr(root, "language");
    if (!s->id || !s->version || !s->language) {
        lerr_add(le, node_line(root), "criteria_set: id, version and language are required");
        return 0;
    }
    int seen[DIM_COUNT] = {0};
    long seen_line[DIM_COUNT] = {0};
    double wsum = 0;
    int have_title = 0;
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        int rc = 0;
        if (is_el(n, "title")) {
            rc = add_label(&s->titles, &s->n_titles, n);
            if (rc == 0 && strcmp(s->titles[s->n_titles - 1].lang, s->language) == 0)
                have_title = 1;
        } else if (is_el(n, "description")) {
            rc = add_label(&s->descriptions, &s->n_descriptions, n);
        } else if (is_el(n, "bands")) {
            rc = read_bands(s, n, le);
        } else if (is_el(n, "dimension")) {
            char *name = node_attr(n, "name"), *w = node_attr(n, "weight");
            dimension d;
            if (dim_from_name(name, &d) != 0) {
                lerr_add(le, node_line(n), "dimension: unknown name '%s'", name ? name : "");
            } else if (seen[d]) {
                lerr_add(le, node_line(n), "dimension '%s' is already given at line %ld", name, seen_line[d]);
            } else {
                seen[d] = 1;
                seen_line[d] = node_line(n);
                double wv = 0;
                if (!w || parse_double(w, &wv) != 0 || wv < 0)
                    lerr_add(le, node_line(n), "dimension %s: weight '%s' must be a number >= 0", name,
                             w ? w : "");
                s->dims[d].weight = wv;
                wsum += wv > 0 ? wv : 0;
                for (xmlNodePtr c = n->children; c && rc == 0; c = c->next) {
                    if (is_el(c, "label"))
                        rc = add_label(&s->dims[d].labels, &s->dims[d].n_labels, c);
                    else if (is_el(c, "criterion"))
                        rc = read_criterion(s, c, d, le);
                }
            }
            free(name);
            free(w);
        }
        if (rc)
            return rc;
    }
    for (int d = 0; d < DIM_COUNT; d++)
        if (!seen[d])
            lerr_add(le, node_line(root), "dimension '%s' is missing", dimension_name((dimension)d));
    if (!(wsum > 0))
        lerr_add(le, node_line(root), "every dimension weight is 0: at least one must be > 0");
    if (!have_title)
        lerr_add(le, node_line(root), "no <title> in the set's language '%s'", s->language);
    return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Loading.                                                                           */

static int sha256_hex(const char *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return ERR_GENERIC;
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    return 0;
}

static int validate_xsd(xmlDocPtr doc, const char *xsd_path, load_errors *le, err_t *e)
{
    int rc = 0;
    xmlSchemaParserCtxtPtr pctx = NULL;
    xmlSchemaPtr schema = NULL;
    xmlSchemaValidCtxtPtr vctx = NULL;
    load_errors xsd_le = {.name = xsd_path};

    pctx = xmlSchemaNewParserCtxt(xsd_path);
    if (!pctx) {
        rc = err_set(e, ERR_NOMEM, "%s: cannot create a schema parser", xsd_path);
        goto cleanup;
    }
    xmlSchemaSetParserStructuredErrors(pctx, lerr_structured, &xsd_le);
    schema = xmlSchemaParse(pctx);
    if (!schema) {
        lerr_finish(&xsd_le);
        rc = err_set(e, ERR_IO, "%s: cannot load the criteria-set schema%s%s", xsd_path,
                     xsd_le.count ? ": " : "", xsd_le.first);
        goto cleanup;
    }
    vctx = xmlSchemaNewValidCtxt(schema);
    if (!vctx) {
        rc = err_set(e, ERR_NOMEM, "out of memory validating %s", le->name);
        goto cleanup;
    }
    xmlSchemaSetValidStructuredErrors(vctx, lerr_structured, le);
    if (xmlSchemaValidateDoc(vctx, doc) != 0 && le->count == 0)
        lerr_add(le, 0, "the file does not validate against %s", xsd_path);
cleanup:
    lerr_finish(&xsd_le);
    xmlSchemaFreeValidCtxt(vctx);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pctx);
    return rc;
}

int criteria_load_memory(criteria_set **out, const char *name, const char *data, size_t len,
                         const char *xsd_path, buf_t *errors, err_t *e)
{
    int rc = 0;
    criteria_set *s = NULL;
    xmlParserCtxtPtr pctx = NULL;
    xmlDocPtr doc = NULL;
    buf_t xsd;
    buf_init(&xsd, MAX_PATH_TEXT);
    load_errors le = {.name = name ? name : "(criteria)", .out = errors};

    *out = NULL;
    if (len > CRITERIA_MAX_FILE_BYTES) {
        rc = err_set(e, ERR_LIMIT, "%s: %zu bytes, above the limit of %u", le.name, len,
                     CRITERIA_MAX_FILE_BYTES);
        goto cleanup;
    }
    if (!xsd_path) {
        rc = criteria_find_template(&xsd, "criteria-set.xsd", e);
        if (rc)
            goto cleanup;
        xsd_path = buf_cstr(&xsd);
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    s->path = dup_str(le.name);
    s->content = malloc(len + 1);
    if (!s->path || !s->content) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    memcpy(s->content, data, len);
    s->content[len] = '\0';
    s->content_len = len;
    if (sha256_hex(data, len, s->sha256) != 0) {
        rc = err_set(e, ERR_GENERIC, "%s: SHA-256 failed", le.name);
        goto cleanup;
    }

    pctx = xmlNewParserCtxt();
    if (!pctx) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    /* Network off; neither the entity-substitution nor the DTD-loading option is ever
     * given; libxml2's size and depth limits stay on (no "huge" option). */
    {
        /* Collect the parser's errors; restore whatever handler the caller had. */
        xmlStructuredErrorFunc old_fn = xmlStructuredError;
        void *old_ctx = xmlStructuredErrorContext;
        xmlSetStructuredErrorFunc(&le, lerr_structured);
        doc = xmlCtxtReadMemory(pctx, data, (int)len, le.name, NULL, XML_PARSE_NONET | XML_PARSE_NOCDATA);
        xmlSetStructuredErrorFunc(old_ctx, old_fn);
    }
    if (!doc || !pctx->wellFormed) {
        if (le.count == 0)
            lerr_add(&le, 0, "not well-formed XML");
        goto check;
    }
    if (doc->intSubset || doc->extSubset) {
        long line = 1;
        for (size_t i = 0; i + 9 <= len && memcmp(data + i, "<!DOCTYPE", 9) != 0; i++)
            line += data[i] == '\n';
        lerr_add(&le, line, "a DOCTYPE is not allowed in a criteria set");
        goto check;
    }
    rc = validate_xsd(doc, xsd_path, &le, e);
    if (rc)
        goto cleanup;
    if (le.count)
        goto check; /* semantic checks assume the shape the XSD guarantees */
    rc = build_set(s, doc, &le);
    if (rc) {
        err_set(e, rc, "%s: out of memory", le.name);
        goto cleanup;
    }
check:
    lerr_finish(&le);
    if (le.nomem && rc == 0) {
        rc = err_set(e, ERR_NOMEM, "out of memory listing errors");
        goto cleanup;
    }
    if (le.count) {
        if (le.count == 1)
            rc = err_set(e, ERR_BAD_INPUT, "%s", le.first);
        else
            rc = err_set(e, ERR_BAD_INPUT, "%s (and %zu more error%s)", le.first, le.count - 1,
                         le.count == 2 ? "" : "s");
        goto cleanup;
    }
    *out = s;
    s = NULL;
cleanup:
    lerr_finish(&le); /* a no-op when already finished */
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(pctx);
    criteria_set_free(s);
    buf_dispose(&xsd);
    return rc;
}

int criteria_load_file(criteria_set **out, const char *path, const char *xsd_path, buf_t *errors, err_t *e)
{
    int rc = 0;
    FILE *f = NULL;
    char *data = NULL;
    buf_t xsd;
    buf_init(&xsd, MAX_PATH_TEXT);

    *out = NULL;
    f = fopen(path, "rb");
    if (!f) {
        rc = err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    data = malloc(CRITERIA_MAX_FILE_BYTES + 1);
    if (!data) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    size_t len = fread(data, 1, CRITERIA_MAX_FILE_BYTES + 1, f);
    if (ferror(f)) {
        rc = err_set(e, ERR_IO, "%s: read error", path);
        goto cleanup;
    }
    if (len > CRITERIA_MAX_FILE_BYTES) {
        rc = err_set(e, ERR_LIMIT, "%s: larger than the limit of %u bytes", path, CRITERIA_MAX_FILE_BYTES);
        goto cleanup;
    }
    if (!xsd_path) {
        /* criteria-set.xsd beside the file first, then the templates. */
        const char *slash = strrchr(path, '/');
        if (slash)
            rc = buf_printf(&xsd, "%.*s/criteria-set.xsd", (int)(slash - path), path);
        else
            rc = buf_puts(&xsd, "criteria-set.xsd");
        if (rc) {
            rc = err_set(e, rc, "path too long");
            goto cleanup;
        }
        if (access(buf_cstr(&xsd), R_OK) != 0) {
            buf_reset(&xsd);
            rc = criteria_find_template(&xsd, "criteria-set.xsd", e);
            if (rc)
                goto cleanup;
        }
        xsd_path = buf_cstr(&xsd);
    }
    rc = criteria_load_memory(out, path, data, len, xsd_path, errors, e);
cleanup:
    if (f)
        fclose(f);
    free(data);
    buf_dispose(&xsd);
    return rc;
}

/* ---------------------------------------------------------------------------------- */
/* Locating templates.                                                                */

static int try_dir(buf_t *out, const char *dir, const char *name)
{
    buf_reset(out);
    if (buf_printf(out, "%s/criteria/%s", dir, name) != 0)
        return ERR_NOMEM;
    return access(buf_cstr(out), R_OK) == 0 ? 0 : ERR_NOT_FOUND;
}

int criteria_find_template(buf_t *out, const char *name, err_t *e)
{
    int rc;
    const char *env = getenv("PROCAUDIT_TEMPLATES");
    if (env && *env) {
        rc = try_dir(out, env, name);
        if (rc != ERR_NOT_FOUND)
            return rc ? err_set(e, rc, "path too long") : 0;
    }
    char exe[MAX_PATH_TEXT];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char dir[MAX_PATH_TEXT + 16];
            snprintf(dir, sizeof dir, "%s/../templates", exe);
            rc = try_dir(out, dir, name);
            if (rc != ERR_NOT_FOUND)
                return rc ? err_set(e, rc, "path too long") : 0;
            /* tests live one level deeper (build/tests/) */
            snprintf(dir, sizeof dir, "%s/../../templates", exe);
            rc = try_dir(out, dir, name);
            if (rc != ERR_NOT_FOUND)
                return rc ? err_set(e, rc, "path too long") : 0;
        }
    }
    const char *root = getenv("PROCAUDIT_ROOT");
    if (root && *root) {
        char dir[MAX_PATH_TEXT];
        snprintf(dir, sizeof dir, "%s/templates", root);
        rc = try_dir(out, dir, name);
        if (rc != ERR_NOT_FOUND)
            return rc ? err_set(e, rc, "path too long") : 0;
    }
    rc = try_dir(out, "./templates", name);
    if (rc != ERR_NOT_FOUND)
        return rc ? err_set(e, rc, "path too long") : 0;
    buf_reset(out);
    return err_set(e, ERR_NOT_FOUND,
                   "criteria/%s not found in $PROCAUDIT_TEMPLATES, ../templates beside the "
                   "executable or ./templates",
                   name);
}

int criteria_resolve(buf_t *out, const char *file_or_id, err_t *e)
{
    buf_reset(out);
    if (!file_or_id || !*file_or_id)
        return criteria_find_template(out, "international-red-flags.xml", e);
    if (access(file_or_id, R_OK) == 0) {
        if (buf_puts(out, file_or_id) != 0)
            return err_set(e, ERR_NOMEM, "path too long");
        return 0;
    }
    if (strchr(file_or_id, '/'))
        return err_set(e, ERR_NOT_FOUND, "%s: %s", file_or_id, strerror(ENOENT));
    char name[300];
    size_t n = strlen(file_or_id);
    if (n > 4 && strcmp(file_or_id + n - 4, ".xml") == 0)
        snprintf(name, sizeof name, "%s", file_or_id);
    else
        snprintf(name, sizeof name, "%.250s.xml", file_or_id);
    return criteria_find_template(out, name, e);
}

/* ---------------------------------------------------------------------------------- */
/* Applicability.                                                                     */

model_date criteria_tender_date(const model_procurement *p)
{
    if (p->date_published.present)
        return p->date_published;
    if (p->tender_start.present)
        return p->tender_start;
    if (p->date.present)
        return p->date;
    return (model_date){0};
}

static int in_list(char *const *list, size_t n, const char *v)
{
    for (size_t i = 0; v && i < n; i++)
        if (strcmp(list[i], v) == 0)
            return 1;
    return 0;
}

static void join_list(char *out, size_t size, char *const *list, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        int w = snprintf(out + used, size - used, "%s%s", i ? " " : "", list[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static void day_text(int64_t t, char out[16])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm))
        strftime(out, 16, "%Y-%m-%d", &tm);
    else
        snprintf(out, 16, "?");
}

static void set_field(char *field, size_t size, const char *v)
{
    if (field && size)
        snprintf(field, size, "%s", v);
}

/* The procurement value used by value_range: tender.value, else the sum of the award
 * values when they share one currency, else planning.budget. */
static int procurement_value(const model_procurement *p, model_amount *out, const char **field)
{
    if (p->tender_value.present) {
        *out = p->tender_value;
        *field = "tender.value";
        return 0;
    }
    model_amount sum = {0};
    int mixed = 0;
    for (size_t i = 0; i < p->n_awards; i++) {
        const model_amount *v = &p->awards[i].value;
        if (!v->present)
            continue;
        if (!sum.present) {
            sum = *v;
        } else {
            if (strcmp(sum.currency, v->currency) != 0)
                mixed = 1;
            sum.amount += v->amount;
        }
    }
    if (sum.present && !mixed) {
        *out = sum;
        *field = "awards.value";
        return 0;
    }
    if (p->planning_budget.present) {
        *out = p->planning_budget;
        *field = "planning.budget.amount";
        return 0;
    }
    *field = "tender.value";
    return -1;
}

static int has_stage(const model_procurement *p, const char *st)
{
    if (strcmp(st, "awarded") == 0)
        return p->n_awards > 0;
    if (strcmp(st, "contracted") == 0)
        return p->n_contracts > 0;
    if (strcmp(st, "implementation") == 0) {
        for (size_t i = 0; i < p->n_contracts; i++)
            if (p->contracts[i].n_transactions > 0 || p->contracts[i].n_milestones > 0)
                return 1;
        return 0;
    }
    return p->tender_status && strcmp(p->tender_status, st) == 0;
}

static int prefix_match(const char *id, const char *prefix)
{
    size_t n = strlen(prefix);
    return id && strncmp(id, prefix, n) == 0;
}

criteria_applicability criteria_applies(const criterion_def *c, const model_procurement *p, char *reason,
                                        size_t rsize, char *field, size_t fsize)
{
    char tmp[512];
    if (reason && rsize)
        reason[0] = '\0';
    if (field && fsize)
        field[0] = '\0';

    if (c->has_from || c->has_to) {
        char window[64];
        snprintf(window, sizeof window, "%s%s%s%s%s", c->has_from ? "from " : "", c->from_text,
                 c->has_from && c->has_to ? " " : "", c->has_to ? "to " : "", c->to_text);
        model_date d = criteria_tender_date(p);
        if (!d.present) {
            if (reason)
                snprintf(reason, rsize,
                         "The criterion is in force %s but the procurement has no tender date.", window);
            set_field(field, fsize, "tender.datePublished");
            return CRITERIA_UNDECIDABLE;
        }
        if ((c->has_from && d.t < c->from_t) || (c->has_to && d.t > c->to_t)) {
            char day[16];
            day_text(d.t, day);
            if (reason)
                snprintf(reason, rsize, "The criterion is in force %s; the tender date is %s.", window, day);
            set_field(field, fsize,
                      p->date_published.present ? "tender.datePublished"
                      : p->tender_start.present ? "tender.tenderPeriod.startDate"
                                                : "date");
            return CRITERIA_NOT_IN_FORCE;
        }
    }

    const criteria_filters *f = &c->filters;
    if (f->n_methods) {
        join_list(tmp, sizeof tmp, f->methods, f->n_methods);
        if (!p->procurement_method) {
            if (reason)
                snprintf(reason, rsize,
                         "The criterion applies to procurement methods %s; no method is published.", tmp);
            set_field(field, fsize, "tender.procurementMethod");
            return CRITERIA_UNDECIDABLE;
        }
        if (!in_list(f->methods, f->n_methods, p->procurement_method)) {
            if (reason)
                snprintf(reason, rsize, "Procurement method '%s' is not one of: %s.", p->procurement_method,
                         tmp);
            set_field(field, fsize, "tender.procurementMethod");
            return CRITERIA_NOT_APPLICABLE;
        }
    }
    if (f->n_categories) {
        join_list(tmp, sizeof tmp, f->categories, f->n_categories);
        if (!p->main_procurement_category) {
            if (reason)
                snprintf(reason, rsize,
                         "The criterion applies to categories %s; no main procurement category is published.",
                         tmp);
            set_field(field, fsize, "tender.mainProcurementCategory");
            return CRITERIA_UNDECIDABLE;
        }
        if (!in_list(f->categories, f->n_categories, p->main_procurement_category)) {
            if (reason)
                snprintf(reason, rsize, "Main procurement category '%s' is not one of: %s.",
                         p->main_procurement_category, tmp);
            set_field(field, fsize, "tender.mainProcurementCategory");
            return CRITERIA_NOT_APPLICABLE;
        }
    }
    if (f->n_prefixes) {
        join_list(tmp, sizeof tmp, f->prefixes, f->n_prefixes);
        size_t classified = 0;
        int match = 0;
        for (size_t i = 0; i < p->n_items && !match; i++) {
            const model_item *it = &p->items[i];
            if (!it->classification_id)
                continue;
            if (f->prefix_scheme &&
                (!it->classification_scheme || strcasecmp(it->classification_scheme, f->prefix_scheme) != 0))
                continue;
            classified++;
            for (size_t k = 0; k < f->n_prefixes && !match; k++)
                match = prefix_match(it->classification_id, f->prefixes[k]);
        }
        set_field(field, fsize, "tender.items.classification.id");
        if (!match && classified == 0) {
            if (reason)
                snprintf(
                    reason, rsize,
                    "The criterion applies to classifications %s%s%s; no item has such a classification.",
                    f->prefix_scheme ? f->prefix_scheme : "", f->prefix_scheme ? " " : "", tmp);
            return CRITERIA_UNDECIDABLE;
        }
        if (!match) {
            if (reason)
                snprintf(reason, rsize, "No item classification starts with %s%s%s.",
                         f->prefix_scheme ? f->prefix_scheme : "", f->prefix_scheme ? " " : "", tmp);
            return CRITERIA_NOT_APPLICABLE;
        }
    }
    if (f->has_value_range) {
        model_amount v;
        const char *vf = NULL;
        char range[160];
        const char *sp = f->value_currency[0] ? " " : "";
        if (f->has_value_min && f->has_value_max)
            snprintf(range, sizeof range, "%.2f to %.2f%s%s", f->value_min, f->value_max, sp,
                     f->value_currency);
        else if (f->has_value_min)
            snprintf(range, sizeof range, "of at least %.2f%s%s", f->value_min, sp, f->value_currency);
        else
            snprintf(range, sizeof range, "of at most %.2f%s%s", f->value_max, sp, f->value_currency);
        if (procurement_value(p, &v, &vf) != 0) {
            if (reason)
                snprintf(reason, rsize, "The criterion applies to values %s; no value is published.", range);
            set_field(field, fsize, vf);
            return CRITERIA_UNDECIDABLE;
        }
        set_field(field, fsize, vf);
        if (f->value_currency[0] && strcmp(v.currency, f->value_currency) != 0) {
            if (reason)
                snprintf(reason, rsize,
                         "The criterion applies to values in %s; the value is in %s (no conversion).",
                         f->value_currency, v.currency[0] ? v.currency : "no stated currency");
            return CRITERIA_UNDECIDABLE;
        }
        if ((f->has_value_min && v.amount < f->value_min) || (f->has_value_max && v.amount > f->value_max)) {
            if (reason)
                snprintf(reason, rsize, "The value %.2f %s is outside %s.", v.amount, v.currency, range);
            return CRITERIA_NOT_APPLICABLE;
        }
    }
    if (f->n_buyer_kinds) {
        /* The buyer's legal type (model buyer_kind: eForms BT-11, or TED CA_TYPE), codes
         * compared without case. */
        int match = 0;
        join_list(tmp, sizeof tmp, f->buyer_kinds, f->n_buyer_kinds);
        set_field(field, fsize, "parties.details.classifications");
        if (!p->buyer_kind) {
            if (reason)
                snprintf(reason, rsize,
                         "The criterion applies to buyer kinds %s; the buyer's kind is not published.", tmp);
            return CRITERIA_UNDECIDABLE;
        }
        for (size_t i = 0; i < f->n_buyer_kinds && !match; i++)
            match = strcasecmp(f->buyer_kinds[i], p->buyer_kind) == 0;
        if (!match) {
            if (reason)
                snprintf(reason, rsize, "Buyer kind '%s'%s%s%s is not one of: %s.", p->buyer_kind,
                         p->buyer_kind_scheme ? " (" : "", p->buyer_kind_scheme ? p->buyer_kind_scheme : "",
                         p->buyer_kind_scheme ? ")" : "", tmp);
            return CRITERIA_NOT_APPLICABLE;
        }
    }
    if (f->n_statuses) {
        int match = 0;
        for (size_t i = 0; i < f->n_statuses && !match; i++)
            match = has_stage(p, f->statuses[i]);
        if (!match) {
            join_list(tmp, sizeof tmp, f->statuses, f->n_statuses);
            if (reason)
                snprintf(reason, rsize,
                         "The procurement has not reached status %s (tender status '%s', %zu award%s, %zu "
                         "contract%s).",
                         tmp, p->tender_status ? p->tender_status : "none", p->n_awards,
                         p->n_awards == 1 ? "" : "s", p->n_contracts, p->n_contracts == 1 ? "" : "s");
            set_field(field, fsize, "tender.status");
            return CRITERIA_NOT_APPLICABLE;
        }
    }
    return CRITERIA_APPLIES;
}

/* ---------------------------------------------------------------------------------- */
/* Texts.                                                                             */

const char *criteria_label_for(const criteria_label *labels, size_t n, const char *lang, const char *fallback)
{
    if (n == 0)
        return NULL;
    for (size_t i = 0; lang && i < n; i++)
        if (strcmp(labels[i].lang, lang) == 0)
            return labels[i].text;
    for (size_t i = 0; fallback && i < n; i++)
        if (strcmp(labels[i].lang, fallback) == 0)
            return labels[i].text;
    return labels[0].text;
}

static const criteria_text *text_in(const criterion_def *c, const char *lang)
{
    for (size_t i = 0; lang && i < c->n_texts; i++)
        if (strcmp(c->texts[i].lang, lang) == 0)
            return &c->texts[i];
    return NULL;
}

static int pick(char **dst, const criteria_text *a, const criteria_text *b, size_t off)
{
    const char *v = NULL;
    if (a)
        v = *(char *const *)((const char *)a + off);
    if (!v && b)
        v = *(char *const *)((const char *)b + off);
    if (!v)
        return 0;
    *dst = dup_str(v);
    return *dst ? 0 : ERR_NOMEM;
}

int criteria_info_fill(criterion_info *out, const criteria_set *s, const criterion_def *c, const char *lang)
{
    memset(out, 0, sizeof *out);
    const criteria_text *a = text_in(c, lang);
    const criteria_text *b = text_in(c, s->language);
    if (!b && c->n_texts)
        b = &c->texts[0];
    out->dim = c->dim;
    out->weight = c->weight;
    out->sev = c->sev;
    out->criterion_id = dup_str(c->id);
    out->indicator = dup_str(c->indicator_name);
    int rc = (!out->criterion_id || !out->indicator) ? ERR_NOMEM : 0;
    if (!rc)
        rc = pick(&out->title, a, b, offsetof(criteria_text, title));
    if (!rc)
        rc = pick(&out->why, a, b, offsetof(criteria_text, why));
    if (!rc)
        rc = pick(&out->check, a, b, offsetof(criteria_text, check));
    if (!rc)
        rc = pick(&out->recommendation, a, b, offsetof(criteria_text, recommendation));
    if (!rc)
        rc = pick(&out->source, a, b, offsetof(criteria_text, source));
    if (!rc) {
        buf_t pb;
        buf_init(&pb, 64 * 1024);
        for (size_t i = 0; i < c->n_params && rc == 0; i++)
            rc = buf_printf(&pb, "%s%s=%s", i ? "; " : "", c->params[i].name, c->params[i].value);
        if (!rc) {
            out->params_text = buf_take(&pb);
            if (!out->params_text)
                rc = ERR_NOMEM;
        }
        buf_dispose(&pb);
    }
    if (rc) {
        criterion_info_dispose(out);
        return ERR_NOMEM;
    }
    return 0;
}

const char *criteria_band_label(const criteria_set *s, int has_score, double score, const char *lang)
{
    if (!has_score)
        return "not assessed";
    for (size_t i = 0; i < s->n_bands; i++) {
        const criteria_band *b = &s->bands[i];
        int last = (i + 1 == s->n_bands);
        if (score >= b->min && (score < b->max || (last && score <= b->max))) {
            const char *l = criteria_label_for(b->labels, b->n_labels, lang, s->language);
            return l ? l : "";
        }
    }
    return "not assessed";
}

const char *criteria_param(const criterion_def *c, const char *name)
{
    for (size_t i = 0; i < c->n_params; i++)
        if (strcmp(c->params[i].name, name) == 0)
            return c->params[i].value;
    return NULL;
}

size_t criteria_enabled_count(const criteria_set *s, dimension d)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_criteria; i++)
        if (s->criteria[i].enabled && (d == DIM_COUNT || s->criteria[i].dim == d))
            n++;
    return n;
}
