/* report_layout.c - page flow: pages, running header and footer, headings with the PDF
 * outline, paragraphs, key/value rows, tables that break across pages, metadata, save. */
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const rcolor RC_BLACK = {0.1f, 0.1f, 0.1f};
const rcolor RC_GREY = {0.4f, 0.4f, 0.4f};
const rcolor RC_WHITE = {1, 1, 1};
const rcolor RC_ACCENT = {0.12f, 0.25f, 0.45f};

#define RL_MAX_PDF (256u << 20) /* a rendered report larger than this is refused */
/* A paragraph or value longer than this many lines (about 8 pages) ends with "[…]": a
 * hostile 1 MB description must not turn into hundreds of pages. */
#define RL_MAX_PARA_LINES 500

void rl_page_new(rdoc *rd)
{
    HPDF_Page pg;

    if (rd->failed)
        return;
    if (rd->n_pages == rd->cap_pages) {
        size_t nc = rd->cap_pages ? rd->cap_pages * 2 : 16;
        HPDF_Page *np = realloc(rd->pages, nc * sizeof *np);
        if (!np) {
            rdoc_fail(rd, ERR_NOMEM, "out of memory (pages)");
            return;
        }
        rd->pages = np;
        rd->cap_pages = nc;
    }
    pg = HPDF_AddPage(rd->pdf);
    if (!pg) {
        rdoc_fail(rd, ERR_GENERIC, "libharu: cannot add a page");
        return;
    }
    HPDF_Page_SetSize(pg, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    rd->pages[rd->n_pages++] = pg;
    rd->page = pg;
    rd->y = rd->top;
}

void rl_need(rdoc *rd, float h)
{
    if (rd->failed)
        return;
    if (!rd->page || rd->y - h < rd->bottom)
        rl_page_new(rd);
}

void rl_space(rdoc *rd, float h)
{
    if (rd->failed)
        return;
    rd->y -= h;
    if (rd->y < rd->bottom)
        rl_page_new(rd);
}

/* Draws one cleaned line at the cursor and moves the cursor down. */
static void line_at(rdoc *rd, const rlines *l, size_t i, float x, rstyle st, float size,
                    rcolor c)
{
    float lh = size * RL_LEADING;
    rl_need(rd, lh);
    rtext_draw(rd, x, rd->y - size, l->text + l->lines[i].off, l->lines[i].len, st, size, c);
    rd->y -= lh;
}

void rl_para(rdoc *rd, const char *text, rstyle st, float size, float indent, rcolor c)
{
    rlines l;

    if (rd->failed ||
        rtext_wrap(rd, &l, text, st, size, rd->right - rd->left - indent, RL_MAX_PARA_LINES))
        return;
    for (size_t i = 0; i < l.n && !rd->failed; i++)
        line_at(rd, &l, i, rd->left + indent, st, size, c);
    rlines_dispose(&l);
    rd->y -= size * 0.4f;
}

void rl_heading(rdoc *rd, int level, const char *text, int new_page)
{
    float size = level == 1 ? 15.0f : level == 2 ? 11.5f : 10.0f;
    rlines l;
    float need;

    if (rd->failed)
        return;
    if (rtext_wrap(rd, &l, text, RS_BOLD, size, rd->right - rd->left, 4))
        return;
    need = (float)l.n * size * RL_LEADING + size + 3 * RL_BODY * RL_LEADING;
    /* a new page unless the current one is still empty (no blank pages) */
    if (!rd->page || (new_page && rd->y < rd->top))
        rl_page_new(rd);
    else
        rl_need(rd, need);
    if (level <= 2 && !rd->failed) {
        HPDF_Outline o;
        HPDF_Destination d;
        char *clean = rtext_clean(rd, text);
        if (clean) {
            o = HPDF_CreateOutline(rd->pdf, level == 1 ? NULL : rd->section, clean, rd->utf8);
            free(clean);
            if (o) {
                d = HPDF_Page_CreateDestination(rd->page);
                if (d) {
                    HPDF_Destination_SetFitH(d, rd->y + size);
                    HPDF_Outline_SetDestination(o, d);
                }
                if (level == 1) {
                    HPDF_Outline_SetOpened(o, HPDF_FALSE);
                    rd->section = o;
                }
            }
        }
    }
    rd->y -= level == 1 ? 4 : 6;
    for (size_t i = 0; i < l.n && !rd->failed; i++)
        line_at(rd, &l, i, rd->left, RS_BOLD, size, RC_ACCENT);
    if (level == 1 && !rd->failed) {
        HPDF_Page_SetRGBStroke(rd->page, RC_ACCENT.r, RC_ACCENT.g, RC_ACCENT.b);
        HPDF_Page_SetLineWidth(rd->page, 0.8f);
        HPDF_Page_MoveTo(rd->page, rd->left, rd->y);
        HPDF_Page_LineTo(rd->page, rd->right, rd->y);
        HPDF_Page_Stroke(rd->page);
        rd->y -= 8;
    } else {
        rd->y -= 2;
    }
    rlines_dispose(&l);
}

void rl_kv(rdoc *rd, const char *label, const char *value, float label_width)
{
    rl_kv_sized(rd, label, value, label_width, RL_BODY);
}

void rl_kv_sized(rdoc *rd, const char *label, const char *value, float label_width, float vsize)
{
    rlines lk, lv;
    float lh = RL_BODY * RL_LEADING;
    size_t rows;

    if (rd->failed)
        return;
    if (rtext_wrap(rd, &lk, label, RS_BOLD, RL_BODY, label_width - 6, 6))
        return;
    if (rtext_wrap(rd, &lv, value ? value : "", RS_REGULAR, vsize,
                   rd->right - rd->left - label_width, RL_MAX_PARA_LINES)) {
        rlines_dispose(&lk);
        return;
    }
    rows = lk.n > lv.n ? lk.n : lv.n;
    /* Keep short rows together; long values may flow over a page break. */
    rl_need(rd, (float)(rows < 6 ? rows : 1) * lh);
    for (size_t i = 0; i < rows && !rd->failed; i++) {
        rl_need(rd, lh);
        if (i < lk.n)
            rtext_draw(rd, rd->left, rd->y - RL_BODY, lk.text + lk.lines[i].off, lk.lines[i].len,
                       RS_BOLD, RL_BODY, RC_BLACK);
        if (i < lv.n)
            rtext_draw(rd, rd->left + label_width, rd->y - RL_BODY, lv.text + lv.lines[i].off,
                       lv.lines[i].len, RS_REGULAR, vsize, RC_BLACK);
        rd->y -= lh;
    }
    rd->y -= 1.5f;
    rlines_dispose(&lk);
    rlines_dispose(&lv);
}

/* ------------------------------------------------------------- tables ---- */

#define RT_PAD 2.5f

static void rt_draw_cells(rtable *t, rlines *cells, size_t nl, rstyle st, int header)
{
    rdoc *rd = t->rd;
    float lh = RL_SMALL * RL_LEADING, h = (float)nl * lh + 2 * RT_PAD, x = rd->left;

    if (header) {
        HPDF_Page_SetRGBFill(rd->page, 0.86f, 0.89f, 0.94f);
        HPDF_Page_Rectangle(rd->page, rd->left, rd->y - h, rd->right - rd->left, h);
        HPDF_Page_Fill(rd->page);
    } else if (t->rows % 2 == 1) {
        HPDF_Page_SetRGBFill(rd->page, 0.96f, 0.96f, 0.96f);
        HPDF_Page_Rectangle(rd->page, rd->left, rd->y - h, rd->right - rd->left, h);
        HPDF_Page_Fill(rd->page);
    }
    for (size_t c = 0; c < t->ncol; c++) {
        for (size_t i = 0; i < cells[c].n; i++)
            rtext_draw(rd, x + RT_PAD, rd->y - RT_PAD - RL_SMALL * 1.0f - (float)i * lh,
                       cells[c].text + cells[c].lines[i].off, cells[c].lines[i].len, st, RL_SMALL,
                       RC_BLACK);
        x += t->w[c];
    }
    HPDF_Page_SetRGBStroke(rd->page, 0.75f, 0.75f, 0.75f);
    HPDF_Page_SetLineWidth(rd->page, 0.3f);
    HPDF_Page_MoveTo(rd->page, rd->left, rd->y - h);
    HPDF_Page_LineTo(rd->page, rd->right, rd->y - h);
    HPDF_Page_Stroke(rd->page);
    rd->y -= h;
}

/* Wraps one row's cells; returns the number of lines of the tallest cell. */
static size_t rt_wrap_row(rtable *t, rlines *cells, const char *const *text, rstyle st)
{
    size_t nl = 1;

    for (size_t c = 0; c < t->ncol; c++) {
        if (rtext_wrap(t->rd, &cells[c], text[c] ? text[c] : "", st, RL_SMALL,
                       t->w[c] - 2 * RT_PAD, RT_MAX_CELL_LINES)) {
            for (size_t k = 0; k < c; k++)
                rlines_dispose(&cells[k]);
            return 0;
        }
        if (cells[c].n > nl)
            nl = cells[c].n;
    }
    return nl;
}

static void rt_header(rtable *t)
{
    rlines cells[RT_MAXCOL];
    size_t nl = rt_wrap_row(t, cells, (const char *const *)t->head, RS_BOLD);

    if (!nl)
        return;
    rt_draw_cells(t, cells, nl, RS_BOLD, 1);
    for (size_t c = 0; c < t->ncol; c++)
        rlines_dispose(&cells[c]);
    t->header_page = t->rd->page;
}

void rt_begin(rtable *t, rdoc *rd, size_t ncol, const float *fractions, const char *const *head)
{
    float total = 0;

    memset(t, 0, sizeof *t);
    t->rd = rd;
    if (ncol > RT_MAXCOL)
        ncol = RT_MAXCOL;
    t->ncol = ncol;
    for (size_t c = 0; c < ncol; c++)
        total += fractions[c];
    for (size_t c = 0; c < ncol; c++) {
        t->w[c] = (rd->right - rd->left) * fractions[c] / (total > 0 ? total : 1);
        t->head[c] = strdup(head[c] ? head[c] : "");
        if (!t->head[c])
            rdoc_fail(rd, ERR_NOMEM, "out of memory (table)");
    }
    if (rd->failed)
        return;
    /* The header and at least two rows together. */
    rl_need(rd, 5 * RL_SMALL * RL_LEADING + 6 * RT_PAD);
    rt_header(t);
}

void rt_row(rtable *t, const char *const *cells_text)
{
    rlines cells[RT_MAXCOL];
    rdoc *rd = t->rd;
    size_t nl;
    float h;

    if (rd->failed)
        return;
    nl = rt_wrap_row(t, cells, cells_text, RS_REGULAR);
    if (!nl)
        return;
    h = (float)nl * RL_SMALL * RL_LEADING + 2 * RT_PAD;
    if (rd->y - h < rd->bottom || t->header_page != rd->page) {
        if (rd->y - h < rd->bottom)
            rl_page_new(rd);
        rt_header(t);
    }
    t->rows++;
    if (!rd->failed)
        rt_draw_cells(t, cells, nl, RS_REGULAR, 0);
    for (size_t c = 0; c < t->ncol; c++)
        rlines_dispose(&cells[c]);
}

void rt_end(rtable *t)
{
    for (size_t c = 0; c < t->ncol; c++)
        free(t->head[c]);
    if (!t->rd->failed)
        t->rd->y -= 8;
    memset(t, 0, sizeof *t);
}

/* ---------------------------------------------------- finish and save ---- */

static void draw_clean(rdoc *rd, float x, float y, const char *s, rstyle st, float size,
                       rcolor c, int align_right)
{
    char *t = rtext_clean(rd, s);
    if (!t)
        return;
    if (align_right)
        x -= rtext_width(rd, t, strlen(t), st, size);
    rtext_draw(rd, x, y, t, strlen(t), st, size, c);
    free(t);
}

static void running_texts(rdoc *rd, size_t i)
{
    char num[32], tot[32];
    const char *names[] = {"page", "pages"};
    const char *vals[] = {num, tot};
    buf_t b;
    float top = 841.89f;

    snprintf(num, sizeof num, "%zu", i + 1);
    snprintf(tot, sizeof tot, "%zu", rd->n_pages);
    rd->page = rd->pages[i];
    buf_init(&b, 4096);
    if (rtpl_fmt(&b, rd->tpl, "page.of", 2, names, vals)) {
        rdoc_fail(rd, ERR_NOMEM, "out of memory (footer)");
        return;
    }
    HPDF_Page_SetRGBStroke(rd->page, 0.7f, 0.7f, 0.7f);
    HPDF_Page_SetLineWidth(rd->page, 0.4f);
    HPDF_Page_MoveTo(rd->page, rd->left, top - 45);
    HPDF_Page_LineTo(rd->page, rd->right, top - 45);
    HPDF_Page_MoveTo(rd->page, rd->left, 45);
    HPDF_Page_LineTo(rd->page, rd->right, 45);
    HPDF_Page_Stroke(rd->page);
    if (rd->header_left)
        draw_clean(rd, rd->left, top - 40, rd->header_left, RS_BOLD, 8, RC_GREY, 0);
    if (rd->header_right)
        draw_clean(rd, rd->right, top - 40, rd->header_right, RS_REGULAR, 8, RC_GREY, 1);
    if (rd->footer_left)
        draw_clean(rd, rd->left, 34, rd->footer_left, RS_REGULAR, 7.5f, RC_GREY, 0);
    draw_clean(rd, rd->right, 34, buf_cstr(&b), RS_REGULAR, 7.5f, RC_GREY, 1);
    buf_dispose(&b);
}

static void set_info(rdoc *rd, HPDF_InfoType ty, const char *s)
{
    char *t;

    if (!s || rd->failed)
        return;
    t = rtext_clean(rd, s);
    if (t && *t)
        HPDF_SetInfoAttr(rd->pdf, ty, t);
    free(t);
}

int rdoc_finish(rdoc *rd, unsigned char **out, size_t *out_len, const char *title,
                const char *subject, const char *keywords, int64_t when)
{
    HPDF_Date d = {0};
    struct tm tm;
    time_t tt = (time_t)when;
    unsigned char *mem = NULL;
    HPDF_UINT32 size;

    *out = NULL;
    *out_len = 0;
    for (size_t i = 0; i < rd->n_pages && !rd->failed; i++)
        running_texts(rd, i);
    /* Info strings go through the UTF-8 encoder selected in rdoc_open, so libharu writes
     * them as UTF-16BE with a byte-order mark: non-ASCII metadata stays readable. */
    set_info(rd, HPDF_INFO_TITLE, title);
    set_info(rd, HPDF_INFO_SUBJECT, subject);
    set_info(rd, HPDF_INFO_KEYWORDS, keywords);
    set_info(rd, HPDF_INFO_AUTHOR, rtpl_org(rd->tpl));
    set_info(rd, HPDF_INFO_CREATOR, "procaudit");
    if (gmtime_r(&tt, &tm) && !rd->failed) {
        d.year = tm.tm_year + 1900;
        d.month = tm.tm_mon + 1;
        d.day = tm.tm_mday;
        d.hour = tm.tm_hour;
        d.minutes = tm.tm_min;
        d.seconds = tm.tm_sec;
        d.ind = 'Z';
        HPDF_SetInfoDateAttr(rd->pdf, HPDF_INFO_CREATION_DATE, d);
        HPDF_SetInfoDateAttr(rd->pdf, HPDF_INFO_MOD_DATE, d);
    }
    HPDF_SetPageMode(rd->pdf, HPDF_PAGE_MODE_USE_OUTLINE);
    rdoc_fonts_close_composites(rd);
    if (rd->failed)
        return rd->failed;
    if (HPDF_SaveToStream(rd->pdf) != HPDF_OK)
        return rdoc_fail(rd, ERR_GENERIC, "libharu: cannot write the document");
    size = HPDF_GetStreamSize(rd->pdf);
    if (size == 0 || size > RL_MAX_PDF)
        return rdoc_fail(rd, ERR_LIMIT, "rendered document of %lu bytes", (unsigned long)size);
    mem = malloc(size);
    if (!mem)
        return rdoc_fail(rd, ERR_NOMEM, "out of memory (%lu bytes of PDF)", (unsigned long)size);
    {
        HPDF_UINT32 got = 0;
        while (got < size) {
            HPDF_UINT32 chunk = size - got;
            HPDF_STATUS st = HPDF_ReadFromStream(rd->pdf, mem + got, &chunk);
            got += chunk;
            if (st == HPDF_STREAM_EOF || chunk == 0)
                break;
            if (st != HPDF_OK) {
                free(mem);
                return rdoc_fail(rd, ERR_GENERIC, "libharu: cannot read the document back");
            }
        }
        if (got != size) {
            free(mem);
            return rdoc_fail(rd, ERR_GENERIC, "libharu: short read of the document");
        }
    }
    *out = mem;
    *out_len = size;
    return 0;
}
