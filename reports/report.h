/* report.h - PDF audit reports (SPEC §6): the procurement audit report and the buyer
 * report, rendered with libharu from what the caller hands over.
 *
 * The report module never touches the database and reads no file other than the fonts
 * (report_fonts) and the templates directory (report_templates_load) it is given. A
 * report is rendered into memory; the caller writes it where it wants.
 *
 * Inputs:
 *  - a model_procurement (backend/model.h) and its evaluation_t (backend/result.h, which
 *    carries the criterion texts in the evaluation's language);
 *  - a report_context: audience, generation time, data sources, frequency in perspective,
 *    population statistics and, for the buyer report, the buyer's procurements;
 *  - templates (templates/reports/: section order per report kind, labels per language,
 *    the organisation's name) and fonts (TrueType only; a .ttc needs an index).
 *
 * Output is deterministic: the same inputs and the same generated_at give the same bytes
 * (no time-derived document ID, Info dates from generated_at; see report_epoch_now).
 */
#ifndef PROCAUDIT_REPORT_H
#define PROCAUDIT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "result.h"
#include "util/err.h"

/* Who the report is for (SPEC §6). */
typedef enum {
    REPORT_INTERNAL = 0, /* everything, contacts included */
    REPORT_PUBLIC = 1    /* contact names, e-mails and telephone numbers removed */
} report_audience;

/* The fonts a report uses: TrueType-outline files (libharu 2.3 loads no CFF). Paths are
 * borrowed. The font of each character is chosen by glyph coverage in this order:
 * bold (for bold text), regular, fallback, cjk. libharu 2.3 keeps every table of an
 * embedded TrueType font but the unused glyph outlines, so each face costs tens of KB
 * in every PDF; `fallback` and `cjk` are therefore loaded only when a document has a
 * character the faces before them lack.
 * `bold` may be NULL (bold is then drawn as fill + stroke of the regular font).
 * `fallback` and `cjk` may be NULL: what no font covers becomes a visible placeholder. */
typedef struct {
    const char *regular;  /* e.g. LiberationSans-Regular.ttf: Latin, Greek, Cyrillic */
    const char *bold;     /* e.g. LiberationSans-Bold.ttf, or NULL */
    const char *fallback; /* wide coverage, e.g. DejaVuSans.ttf (adds Armenian...), or NULL */
    const char *cjk;      /* e.g. wqy-microhei.ttc, or NULL */
    unsigned cjk_index;   /* the face index inside a .ttc (0 for a .ttf) */
} report_fonts;

/* Fills *f with the Debian fonts: Liberation Sans 2 regular and bold
 * (fonts-liberation2) with DejaVu Sans (fonts-dejavu-core) as fallback when Liberation is
 * installed, else DejaVu Sans and DejaVu Sans Bold; WenQuanYi Micro Hei face 0
 * (fonts-wqy-microhei) for CJK. PROCAUDIT_FONT_DIR, when set, replaces the directories
 * (all four files looked up in it by their Debian names). Pointers are static; the
 * choice is made once per process (thread-safe). */
void report_fonts_default(report_fonts *f);

/* Start-up check of the fonts: each file exists, starts like a TrueType font or a
 * TrueType collection (the index is within the collection), has a glyph table and a
 * Unicode cmap, and loads in a throwaway libharu document. A CFF/OpenType-CFF font is
 * refused (libharu cannot load it and may crash on unusual fonts, so this runs first).
 * Returns 0, ERR_IO (unreadable), ERR_BAD_INPUT (not a usable TrueType font). */
int report_fonts_check(const report_fonts *f, err_t *e) PA_MUSTCHECK;

/* Templates: section order per report kind, labels, organisation name. Opaque. */
typedef struct report_templates report_templates;

/* Loads DIR/layout.xml and the labels DIR/labels.en.xml, then DIR/labels.LANG.xml over
 * them when LANG is not "en" (a label missing in LANG falls back to English). Parsed with
 * libxml2, no network, no entities, no DTD; files over 1 MB or with more than 4000 labels
 * are refused. lang: "en" or "zh" (any [a-z]{2,3} whose file exists).
 * On success *out is owned by the caller (report_templates_free). Returns 0, ERR_IO,
 * ERR_BAD_INPUT (malformed file, unknown section id; the message names file and line),
 * ERR_USAGE (bad lang), ERR_LIMIT, ERR_NOMEM. */
int report_templates_load(report_templates **out, const char *dir, const char *lang,
                          err_t *e) PA_MUSTCHECK;
void report_templates_free(report_templates *t);
/* The label for `key` in the loaded language, or `key` itself when no file defines it
 * (so a missing label shows in the PDF rather than vanishing). Never NULL. */
const char *report_templates_label(const report_templates *t, const char *key);

/* One data source of a procurement: an ingested file. Strings owned (report_context). */
typedef struct {
    char *name;         /* file name as received */
    char *sha256;       /* hex SHA-256 of its bytes */
    char *format;       /* "ocds", "eforms", "native" */
    char *received_at;  /* ISO 8601 UTC */
} report_source;

/* Frequency in perspective: how often one criterion flags this buyer's procurements. */
typedef struct {
    char *criterion_id;
    long flagged;       /* procurements of the buyer flagged by this criterion */
    long assessed;      /* procurements of the buyer with a pass or flag for it */
} report_frequency;

/* A distribution of scores 0..100 over a population (SPEC §5.3: quartiles). */
typedef struct {
    int present;        /* 0: not computed */
    long n;             /* procurements in it */
    double min, q1, median, q3, max;
} report_distribution;

/* One procurement in a buyer report. Strings owned (report_context). */
typedef struct {
    char *ocid;
    char *title;
    model_date date;            /* tender date or the compiled release's date */
    model_amount value;         /* awarded or estimated value */
    int has_overall;
    double overall;             /* 0..100 */
    char *band;
    double coverage;            /* 0..1 */
    int has_dim_score[DIM_COUNT];
    double dim_score[DIM_COUNT];
    char **flags;               /* criterion ids with status flag */
    size_t n_flags;
} report_buyer_row;

/* What a report needs besides the model and the evaluation. Caller-owned; every string
 * and array in it is owned by it and freed by report_context_dispose. */
typedef struct {
    report_audience audience;
    int64_t generated_at;       /* seconds since the epoch UTC (report_epoch_now) */

    report_source *sources;     /* files the procurement came from */
    size_t n_sources;

    /* Frequency in perspective ("flagged in N of M procurements of this buyer"). */
    long buyer_total;           /* M: this buyer's procurements evaluated under the set */
    report_frequency *frequencies;
    size_t n_frequencies;

    /* Population statistics (SPEC §5.3) over `population_scope`. */
    char *population_scope;     /* the criteria-set id the population was evaluated under */
    report_distribution overall_dist;
    report_distribution dim_dist[DIM_COUNT];

    /* Buyer report. */
    char *buyer_id;
    char *buyer_name;
    char *period_from;          /* ISO date or NULL */
    char *period_to;
    report_buyer_row *rows;
    size_t n_rows;
} report_context;

void report_context_init(report_context *c);
void report_context_dispose(report_context *c);

/* The generation time to print: SOURCE_DATE_EPOCH when set to a valid non-negative
 * integer (reproducible builds convention), else time(NULL). */
int64_t report_epoch_now(void);

/* Renders the procurement audit report of SPEC §6 for `p` and its evaluation `ev`.
 * On success *out (malloc'd, the caller frees) holds *out_len bytes of PDF.
 * Returns 0, ERR_BAD_INPUT (an evaluation of another ocid, unknown section), ERR_IO
 * (a font could not be read), ERR_NOMEM, ERR_GENERIC (libharu reported an error: the
 * message carries its code). On failure *out is NULL. */
int report_procurement_pdf(unsigned char **out, size_t *out_len, const report_templates *t,
                           const report_fonts *f, const model_procurement *p,
                           const evaluation_t *ev, const report_context *ctx,
                           err_t *e) PA_MUSTCHECK;

/* Renders the buyer report (portfolio of ctx->buyer_id over a period): score histogram,
 * dimension averages against the dataset median, most frequent flags, lowest-scoring
 * procurements, all procurements. `set` gives the criteria-set identity and the criterion
 * texts (an evaluation whose results may be empty); it may be NULL. Same returns as
 * report_procurement_pdf. */
int report_buyer_pdf(unsigned char **out, size_t *out_len, const report_templates *t,
                     const report_fonts *f, const evaluation_t *set, const report_context *ctx,
                     err_t *e) PA_MUSTCHECK;

#endif
