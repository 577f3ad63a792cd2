/* report_int.h - what the report_*.c files share inside the reports module.
 *
 * Not a public header: only reports/report_*.c include it. The public API is report.h.
 *
 * Error policy inside a render: the drawing helpers keep a sticky error on the document
 * (rdoc.failed, rdoc.err) instead of returning codes at every call, the way SQLite keeps
 * an error on its handle; once set, every helper returns at once, and the render entry
 * point returns the stored code. libharu's own errors arrive through its error handler
 * and are stored the same way.
 */
#ifndef PROCAUDIT_REPORT_INT_H
#define PROCAUDIT_REPORT_INT_H

#include <hpdf.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "util/buf.h"

/* ---- templates (report_template.c) ---- */

/* The report kinds a template orders sections for. */
typedef enum {
    RKIND_PROCUREMENT = 0, /* the procurement audit report */
    RKIND_BUYER = 1,       /* the buyer report */
    RKIND_COUNT = 2
} rkind;

#define RTPL_MAX_SECTIONS 40

/* Loads templates from memory (layout.xml and labels.en.xml bytes), language "en": the
 * fuzz target's entry. Same checks and returns as report_templates_load. */
int rtpl_load_memory(report_templates **out, const char *layout, size_t layout_len,
                     const char *labels, size_t labels_len, err_t *e) PA_MUSTCHECK;
/* Section ids of one kind, in template order. */
size_t rtpl_sections(const report_templates *t, rkind k, const char *const **out);
const char *rtpl_org(const report_templates *t);
const char *rtpl_lang(const report_templates *t);
/* Formats label `key`, replacing each {name} by the value of the same index in
 * names/vals (n pairs). Unknown placeholders are kept as written; a value ending in '.'
 * swallows a '.' that follows its placeholder. Appends to b; returns buf_* codes. */
int rtpl_fmt(buf_t *b, const report_templates *t, const char *key, size_t n,
             const char *const *names, const char *const *vals) PA_MUSTCHECK;

/* ---- fonts and text (report_text.c) ---- */

/* A loaded font with a lazily filled width/coverage cache over the BMP. */
typedef struct {
    HPDF_Font font;
    HPDF_FontDef def;
    int16_t *page[256];   /* per 256 code points: advance width in 1/1000 em, -1 = no glyph,
                           * INT16_MIN = not looked up yet */
} rfont;

typedef enum { RS_REGULAR = 0, RS_BOLD = 1 } rstyle;

typedef struct { float r, g, b; } rcolor;

/* One render: the libharu document, fonts, page flow, outline, redaction. */
typedef struct rdoc {
    HPDF_Doc pdf;
    HPDF_Encoder utf8;
    const report_fonts *paths;
    const report_templates *tpl;
    rfont reg, bold, fb, cjk;
    int have_bold;
    int fb_state;           /* fallback font: 0 not tried, 1 loaded, -1 unavailable */
    int cjk_state;          /* CJK font: 0 not tried, 1 loaded, -1 unavailable */
    uint32_t placeholder;   /* drawn for what no font covers (0 until first needed) */

    HPDF_Page *pages;
    size_t n_pages, cap_pages;
    HPDF_Page page;
    float y;                /* the cursor: top of the next thing drawn */
    float left, right, top, bottom;
    HPDF_Outline section;   /* the current level-1 outline entry */

    int public_audience;
    char **redact;          /* exact strings removed in the public audience */
    size_t n_redact;
    const char *redact_label;

    long n_placeholders;    /* characters drawn as placeholder */
    char *header_left;      /* running header texts (owned) */
    char *header_right;
    char *footer_left;

    int failed;
    err_t *e;
} rdoc;

/* Creates the document: libharu doc, UTF-8 encoder, compression, regular and bold fonts.
 * Returns 0 or an error (also stored in rd). */
int rdoc_open(rdoc *rd, const report_fonts *f, const report_templates *t, int public_audience,
              err_t *e) PA_MUSTCHECK;
/* Draws running headers/footers with "page N of M" on every page, sets Info metadata
 * (UTF-8 through the document's UTF-8 encoder, dates from `when`), saves into memory. */
int rdoc_finish(rdoc *rd, unsigned char **out, size_t *out_len, const char *title,
                const char *subject, const char *keywords, int64_t when) PA_MUSTCHECK;
void rdoc_close(rdoc *rd);
/* Adds the components of composite glyphs to the glyphs libharu embeds (a libharu 2.3
 * gap: see report_text.c). Called once, just before saving. */
int rdoc_fonts_close_composites(rdoc *rd);
/* Stores a sticky error (first one wins). Returns code. */
int rdoc_fail(rdoc *rd, int code, const char *fmt, ...) PA_PRINTF(3, 4);
/* Adds a string to remove in the public audience (copied; NULL/short strings ignored). */
void rdoc_redact_add(rdoc *rd, const char *s);

/* Cleans UTF-8 for drawing: invalid bytes, characters outside the BMP, and characters no
 * font covers become the placeholder (counted); controls become spaces (newlines kept);
 * in the public audience redacted strings and e-mail addresses are replaced. Returns an
 * allocated string or NULL (failure stored in rd). */
char *rtext_clean(rdoc *rd, const char *s);
/* Width in points of cleaned text `s` (n bytes) at `size`. */
float rtext_width(rdoc *rd, const char *s, size_t n, rstyle st, float size);
/* Draws cleaned text s[0..n) with its baseline at (x, y), choosing the font per run of
 * characters by glyph coverage. */
void rtext_draw(rdoc *rd, float x, float y, const char *s, size_t n, rstyle st, float size,
                rcolor c);

typedef struct {
    size_t off, len;        /* byte range in the cleaned text */
    float w;                /* width in points */
} rline;

typedef struct {
    char *text;             /* the cleaned text (owned) */
    rline *lines;
    size_t n;
} rlines;

/* Breaks `s` (raw UTF-8; cleaned here) into lines no wider than `width` points, at the
 * break opportunities of the Unicode line-breaking algorithm (libunibreak), breaking
 * inside a word only when it alone is wider than the line. At most max_lines lines; the
 * last one then ends with a visible "[…]". Returns 0 or an error stored in rd. */
int rtext_wrap(rdoc *rd, rlines *out, const char *s, rstyle st, float size, float width,
               size_t max_lines);
void rlines_dispose(rlines *l);

/* ---- page flow (report_layout.c) ---- */

#define RL_BODY 9.5f        /* body text size in points */
#define RL_SMALL 7.5f       /* table text size */
#define RL_LEADING 1.3f     /* line height as a multiple of the size */

extern const rcolor RC_BLACK, RC_GREY, RC_WHITE, RC_ACCENT;

void rl_page_new(rdoc *rd);
/* Starts a new page unless `h` points fit above the bottom margin. */
void rl_need(rdoc *rd, float h);
/* A heading. level 1 opens a section in the PDF outline (and a new page when
 * new_page); level 2 a child entry. */
void rl_heading(rdoc *rd, int level, const char *text, int new_page);
/* A wrapped paragraph at `indent` points from the left margin. */
void rl_para(rdoc *rd, const char *text, rstyle st, float size, float indent, rcolor c);
/* A label in bold on the left column, the value wrapped in the right one. */
void rl_kv(rdoc *rd, const char *label, const char *value, float label_width);
/* The same with the value in another size (hashes: 64 hex digits on one line). */
void rl_kv_sized(rdoc *rd, const char *label, const char *value, float label_width,
                 float value_size);
void rl_space(rdoc *rd, float h);

#define RT_MAXCOL 10

/* A table that breaks across pages, repeating its header row on each page. Cells wrap;
 * a row never splits (a cell is capped at RT_MAX_CELL_LINES lines, marked "[…]"). */
#define RT_MAX_CELL_LINES 40
typedef struct {
    rdoc *rd;
    size_t ncol;
    float w[RT_MAXCOL];
    char *head[RT_MAXCOL];
    size_t rows;
    HPDF_Page header_page;  /* the page the header was last drawn on */
} rtable;

void rt_begin(rtable *t, rdoc *rd, size_t ncol, const float *fractions,
              const char *const *head);
void rt_row(rtable *t, const char *const *cells);
void rt_end(rtable *t);

/* ---- charts (report_chart.c) ---- */

/* Horizontal bars 0..100: one per label; has[i] == 0 draws `na` instead of a bar; note[i]
 * (may be NULL) is printed after the value (coverage). A second marker per bar at ref[i]
 * when has_ref[i] (e.g. the dataset median). */
void rc_score_bars(rdoc *rd, size_t n, const char *const *labels, const int *has,
                   const double *vals, const char *const *note, const int *has_ref,
                   const double *ref, const char *na, const char *ref_label);
/* A histogram of counts over nb bins with their labels under the bars. */
void rc_histogram(rdoc *rd, size_t nb, const long *counts, const char *const *bin_labels,
                  const char *x_title, const char *y_title);
/* A timeline: n events (dates in seconds UTC) on one axis, each with a short label. */
void rc_timeline(rdoc *rd, size_t n, const int64_t *t, const char *const *labels);
/* The colour for a score 0..100 (red, amber, green). */
rcolor rc_score_color(double score);

/* ---- formatting helpers (report_text.c) ---- */

/* "2024-03-15" (UTC) into out (>= 11 bytes); "" when !present. */
void rfmt_date(char *out, size_t n, int64_t t);
/* "1,234,567.89 EUR"; "" when !present. */
void rfmt_amount(char *out, size_t n, const model_amount *a);
/* "%.1f" of a score. */
void rfmt_score(char *out, size_t n, double v);
/* "83%" of a ratio 0..1. */
void rfmt_pct(char *out, size_t n, double ratio);

/* ---- shared builder helpers (report_common.c) ---- */

#define RB_SLOTS 32

/* One report being built: the document plus what both report kinds read. */
typedef struct {
    rdoc rd;
    const report_templates *t;
    const report_context *ctx;
    const evaluation_t *ev;         /* may be NULL (buyer report without a set) */
    const model_procurement *p;     /* NULL for the buyer report */
    buf_t slot[RB_SLOTS];           /* rotating scratch strings for rb_fmt / rb_printf */
    unsigned next;
} rbuild;

void rb_init(rbuild *b);
void rb_dispose(rbuild *b);
/* The label for key. */
const char *rb_label(rbuild *b, const char *key);
/* The label for key with {name} placeholders replaced: pairs of (name, value) strings,
 * ended by NULL. The result lives until RB_SLOTS further rb_fmt/rb_printf calls. */
const char *rb_fmt(rbuild *b, const char *key, ...);
/* printf into a rotating slot, same lifetime. */
const char *rb_printf(rbuild *b, const char *fmt, ...) PA_PRINTF(2, 3);
/* The criterion info of id in ev, or NULL. */
const criterion_info *rb_crit(const evaluation_t *ev, const char *id);
const char *rb_dim_label(rbuild *b, dimension d);
const char *rb_sev_label(rbuild *b, severity s);
const char *rb_status_label(rbuild *b, result_status s);
/* The method appendix: scoring rules, criteria-set identity, every criterion used. */
void rb_section_method(rbuild *b);
/* The public-audience statement that personal data was omitted (nothing when internal). */
void rb_section_privacy(rbuild *b);
/* The criteria-set identity as key/value rows. */
void rb_set_identity(rbuild *b);

#endif
