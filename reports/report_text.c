/* report_text.c - fonts, text cleaning, measuring, per-run font choice, line breaking. */
#include "report_int.h"

#include <hpdf_fontdef.h>
#include <errno.h>
#include <linebreak.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RT_FONT_HEAD 65536    /* bytes read to check a font's table directory */
#define RT_MAX_TEXT (1u << 20) /* longest text drawn as one piece (1 MiB) */
#define RT_REPLACEMENT 0xFFFDu

/* ---------------------------------------------------------------- fonts ---- */

#define DEJAVU_DIR "/usr/share/fonts/truetype/dejavu"
#define LIBERATION_DIR "/usr/share/fonts/truetype/liberation2"
#define WQY_DIR "/usr/share/fonts/truetype/wqy"

/* dir/name into out; 0 when it does not fit. */
static int font_path(char *out, size_t n, const char *dir, const char *name)
{
    int r = snprintf(out, n, "%s/%s", dir, name);
    return r > 0 && (size_t)r < n;
}

static report_fonts default_fonts;
static char df_reg[512], df_bold[512], df_fb[512], df_cjk[512];

/* Runs once per process (the environment and the installed fonts are read once), so
 * that threads of the daemon can call report_fonts_default concurrently. */
static void fonts_default_once(void)
{
    const char *dir = getenv("PROCAUDIT_FONT_DIR");
    const char *dv = dir && *dir ? dir : DEJAVU_DIR, *lb = dir && *dir ? dir : LIBERATION_DIR,
               *wq = dir && *dir ? dir : WQY_DIR;
    report_fonts *f = &default_fonts;

    if (!font_path(df_cjk, sizeof df_cjk, wq, "wqy-microhei.ttc") ||
        !font_path(df_fb, sizeof df_fb, dv, "DejaVuSans.ttf"))
        return;
    f->cjk = df_cjk;
    if (font_path(df_reg, sizeof df_reg, lb, "LiberationSans-Regular.ttf") &&
        font_path(df_bold, sizeof df_bold, lb, "LiberationSans-Bold.ttf") &&
        access(df_reg, R_OK) == 0 && access(df_bold, R_OK) == 0) {
        f->regular = df_reg;
        f->bold = df_bold;
        f->fallback = df_fb;
        return;
    }
    if (!font_path(df_bold, sizeof df_bold, dv, "DejaVuSans-Bold.ttf"))
        return;
    f->regular = df_fb;
    f->bold = df_bold;
}

void report_fonts_default(report_fonts *f)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, fonts_default_once);
    *f = default_fonts;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Checks the sfnt table directory at `off` in the first n bytes of a font file. */
static int font_check_sfnt(const char *path, const unsigned char *h, size_t n, size_t off,
                           err_t *e)
{
    static const char *const need[] = {"cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp"};
    uint32_t ver;
    uint16_t ntab;

    if (off > n || n - off < 12)
        return err_set(e, ERR_BAD_INPUT, "%s: truncated font header", path);
    ver = be32(h + off);
    if (ver == 0x4F54544Fu) /* "OTTO" */
        return err_set(e, ERR_BAD_INPUT,
                       "%s: OpenType-CFF outlines; libharu 2.3 loads TrueType outlines only",
                       path);
    if (ver != 0x00010000u && ver != 0x74727565u) /* 1.0 or "true" */
        return err_set(e, ERR_BAD_INPUT, "%s: not a TrueType font", path);
    ntab = be16(h + off + 4);
    if (ntab == 0 || ntab > 200 || n - off - 12 < (size_t)ntab * 16)
        return err_set(e, ERR_BAD_INPUT, "%s: implausible table directory (%u tables)", path,
                       (unsigned)ntab);
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++) {
        int found = 0;
        for (uint16_t i = 0; i < ntab && !found; i++)
            found = memcmp(h + off + 12 + (size_t)i * 16, need[k], 4) == 0;
        if (!found)
            return err_set(e, ERR_BAD_INPUT, "%s: no '%s' table (not a TrueType-outline font)",
                           path, need[k]);
    }
    return 0;
}

static void check_error_handler(HPDF_STATUS err, HPDF_STATUS detail, void *user)
{
    int *code = user;
    (void)detail;
    if (*code == 0)
        *code = (int)err;
}

static int font_check_one(const char *path, unsigned index, int is_ttc_allowed, err_t *e)
{
    unsigned char *h = NULL;
    FILE *fp = NULL;
    size_t n;
    size_t off = 0;
    int rc = 0, hpdf_err = 0;
    HPDF_Doc pdf = NULL;
    const char *name;

    fp = fopen(path, "rb");
    if (!fp) {
        rc = err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    h = malloc(RT_FONT_HEAD);
    if (!h) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    n = fread(h, 1, RT_FONT_HEAD, fp);
    if (n < 12) {
        rc = err_set(e, ERR_BAD_INPUT, "%s: too short for a font", path);
        goto cleanup;
    }
    if (memcmp(h, "ttcf", 4) == 0) {
        uint32_t count = be32(h + 8);
        if (!is_ttc_allowed) {
            rc = err_set(e, ERR_BAD_INPUT, "%s: a TrueType collection needs a face index", path);
            goto cleanup;
        }
        if (count == 0 || count > 64 || index >= count || n < 12 + (size_t)count * 4) {
            rc = err_set(e, ERR_BAD_INPUT, "%s: face index %u outside the collection (%u faces)",
                         path, index, (unsigned)count);
            goto cleanup;
        }
        off = be32(h + 12 + (size_t)index * 4);
    } else if (index != 0) {
        rc = err_set(e, ERR_BAD_INPUT, "%s: face index %u given for a single font", path, index);
        goto cleanup;
    }
    rc = font_check_sfnt(path, h, n, off, e);
    if (rc)
        goto cleanup;
    /* Only now hand it to libharu, in a throwaway document. */
    pdf = HPDF_New(check_error_handler, &hpdf_err);
    if (!pdf) {
        rc = err_set(e, ERR_NOMEM, "libharu: cannot create a document");
        goto cleanup;
    }
    if (HPDF_UseUTFEncodings(pdf) != HPDF_OK) {
        rc = err_set(e, ERR_GENERIC, "libharu: no UTF-8 encoder");
        goto cleanup;
    }
    if (memcmp(h, "ttcf", 4) == 0)
        name = HPDF_LoadTTFontFromFile2(pdf, path, index, HPDF_TRUE);
    else
        name = HPDF_LoadTTFontFromFile(pdf, path, HPDF_TRUE);
    if (!name || !HPDF_GetFont(pdf, name, "UTF-8") || hpdf_err) {
        rc = err_set(e, ERR_BAD_INPUT, "%s: libharu cannot load this font (error 0x%04X)", path,
                     (unsigned)hpdf_err);
        goto cleanup;
    }
cleanup:
    if (pdf)
        HPDF_Free(pdf);
    free(h);
    if (fp)
        fclose(fp);
    return rc;
}

int report_fonts_check(const report_fonts *f, err_t *e)
{
    int rc;

    if (!f || !f->regular)
        return err_set(e, ERR_USAGE, "no regular font given");
    rc = font_check_one(f->regular, 0, 0, e);
    if (rc == 0 && f->bold)
        rc = font_check_one(f->bold, 0, 0, e);
    if (rc == 0 && f->fallback)
        rc = font_check_one(f->fallback, 0, 0, e);
    if (rc == 0 && f->cjk)
        rc = font_check_one(f->cjk, f->cjk_index, 1, e);
    return rc;
}

/* -------------------------------------------------------- the document ---- */

static void rdoc_error_handler(HPDF_STATUS err, HPDF_STATUS detail, void *user)
{
    rdoc *rd = user;
    rdoc_fail(rd, ERR_GENERIC, "libharu error 0x%04X (detail %u)", (unsigned)err,
              (unsigned)detail);
}

int rdoc_fail(rdoc *rd, int code, const char *fmt, ...)
{
    va_list ap;

    if (rd->failed)
        return rd->failed;
    rd->failed = code;
    if (rd->e) {
        rd->e->code = code;
        va_start(ap, fmt);
        vsnprintf(rd->e->msg, sizeof rd->e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

static void font_cache_free(rfont *f)
{
    for (size_t i = 0; i < 256; i++)
        free(f->page[i]);
    memset(f, 0, sizeof *f);
}

static int rdoc_load_font(rdoc *rd, rfont *out, const char *path, int ttc, unsigned index)
{
    const char *name;

    name = ttc ? HPDF_LoadTTFontFromFile2(rd->pdf, path, index, HPDF_TRUE)
               : HPDF_LoadTTFontFromFile(rd->pdf, path, HPDF_TRUE);
    if (!name)
        return rdoc_fail(rd, ERR_IO, "%s: libharu could not load the font", path);
    out->font = HPDF_GetFont(rd->pdf, name, "UTF-8");
    out->def = HPDF_GetFontDef(rd->pdf, name);
    if (!out->font || !out->def)
        return rdoc_fail(rd, ERR_GENERIC, "%s: no UTF-8 font from libharu", path);
    return 0;
}

static int font_width(rfont *f, uint32_t cp);

int rdoc_open(rdoc *rd, const report_fonts *f, const report_templates *t, int public_audience,
              err_t *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    memset(rd, 0, sizeof *rd);
    rd->e = e;
    rd->paths = f;
    rd->tpl = t;
    rd->public_audience = public_audience;
    rd->left = 50;
    rd->right = 595.276f - 50;
    rd->top = 841.89f - 60;
    rd->bottom = 60;
    pthread_once(&once, init_linebreak);
    if (!f || !f->regular)
        return rdoc_fail(rd, ERR_USAGE, "no regular font given");
    rd->pdf = HPDF_New(rdoc_error_handler, rd);
    if (!rd->pdf)
        return rdoc_fail(rd, ERR_NOMEM, "libharu: cannot create a document");
    if (HPDF_SetCompressionMode(rd->pdf, HPDF_COMP_ALL) != HPDF_OK ||
        HPDF_UseUTFEncodings(rd->pdf) != HPDF_OK ||
        HPDF_SetCurrentEncoder(rd->pdf, "UTF-8") != HPDF_OK)
        return rdoc_fail(rd, ERR_GENERIC, "libharu: cannot select the UTF-8 encoder");
    rd->utf8 = HPDF_GetEncoder(rd->pdf, "UTF-8");
    if (rdoc_load_font(rd, &rd->reg, f->regular, 0, 0))
        return rd->failed;
    if (f->bold) {
        if (rdoc_load_font(rd, &rd->bold, f->bold, 0, 0))
            return rd->failed;
        rd->have_bold = 1;
    }
    rd->redact_label = report_templates_label(t, "privacy.omitted");
    return rd->failed;
}

void rdoc_close(rdoc *rd)
{
    if (rd->pdf)
        HPDF_Free(rd->pdf);
    font_cache_free(&rd->reg);
    font_cache_free(&rd->bold);
    font_cache_free(&rd->cjk);
    font_cache_free(&rd->fb);
    free(rd->pages);
    for (size_t i = 0; i < rd->n_redact; i++)
        free(rd->redact[i]);
    free(rd->redact);
    free(rd->header_left);
    free(rd->header_right);
    free(rd->footer_left);
    memset(rd, 0, sizeof *rd);
}

void rdoc_redact_add(rdoc *rd, const char *s)
{
    char **nr;
    char *copy;

    if (!s || strlen(s) < 3 || rd->failed)
        return;
    for (size_t i = 0; i < rd->n_redact; i++)
        if (strcmp(rd->redact[i], s) == 0)
            return;
    copy = strdup(s);
    nr = copy ? realloc(rd->redact, (rd->n_redact + 1) * sizeof *nr) : NULL;
    if (!nr) {
        free(copy);
        rdoc_fail(rd, ERR_NOMEM, "out of memory");
        return;
    }
    rd->redact = nr;
    rd->redact[rd->n_redact++] = copy;
}

/* ------------------------------------------------------------ glyphs ---- */

/* Advance width of cp in 1/1000 em, or -1 when the font has no glyph for it. */
static int font_width(rfont *f, uint32_t cp)
{
    int16_t *pg;
    HPDF_UINT16 gid;

    if (!f->def || cp > 0xFFFF)
        return -1;
    pg = f->page[cp >> 8];
    if (!pg) {
        pg = malloc(256 * sizeof *pg);
        if (!pg)
            return -1;
        for (size_t i = 0; i < 256; i++)
            pg[i] = INT16_MIN;
        f->page[cp >> 8] = pg;
    }
    if (pg[cp & 0xFF] == INT16_MIN) {
        gid = HPDF_TTFontDef_GetGlyphid(f->def, (HPDF_UINT16)cp);
        pg[cp & 0xFF] = gid == 0 ? -1 : HPDF_TTFontDef_GetGidWidth(f->def, gid);
        if (pg[cp & 0xFF] < -1)
            pg[cp & 0xFF] = 0;
    }
    return pg[cp & 0xFF];
}

static rfont *fallback_font(rdoc *rd)
{
    if (rd->fb_state == 0) {
        rd->fb_state = -1;
        if (rd->paths->fallback && !rd->failed &&
            rdoc_load_font(rd, &rd->fb, rd->paths->fallback, 0, 0) == 0)
            rd->fb_state = 1;
    }
    return rd->fb_state == 1 ? &rd->fb : NULL;
}

static rfont *cjk_font(rdoc *rd)
{
    if (rd->cjk_state == 0) {
        rd->cjk_state = -1;
        if (rd->paths->cjk && !rd->failed &&
            rdoc_load_font(rd, &rd->cjk, rd->paths->cjk, 1, rd->paths->cjk_index) == 0)
            rd->cjk_state = 1;
    }
    return rd->cjk_state == 1 ? &rd->cjk : NULL;
}

/* The font that draws cp in style st, or NULL when none covers it. `prefer` (may be
 * NULL) keeps the current run's font for neutral ASCII (spaces, punctuation) so that a
 * Chinese sentence with ASCII spaces stays in one run. */
static rfont *font_for(rdoc *rd, uint32_t cp, rstyle st, rfont *prefer)
{
    rfont *c;

    if (prefer && cp < 0x80 && !((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') &&
        !(cp >= '0' && cp <= '9') && font_width(prefer, cp) >= 0)
        return prefer;
    if (st == RS_BOLD && rd->have_bold && font_width(&rd->bold, cp) >= 0)
        return &rd->bold;
    if (font_width(&rd->reg, cp) >= 0)
        return &rd->reg;
    c = fallback_font(rd);
    if (c && font_width(c, cp) >= 0)
        return c;
    c = cjk_font(rd);
    if (c && font_width(c, cp) >= 0)
        return c;
    return NULL;
}

/* --------------------------------------------- composite glyphs ---- */

#define RT_GLYPH_HEAD 4096 /* bytes of a composite glyph read to find its components */

/* libharu 2.3 embeds a TrueType font with the outlines of the glyphs it drew and empties
 * the others, but when it draws through the UTF-8 (CID) path it does not add the
 * components of composite glyphs: CJK fonts build many characters from components,
 * which then come out blank or broken. Before saving, this adds the components of every
 * glyph marked as used (recursively) to libharu's own table of used glyphs, reading the
 * glyph headers from the font file. Bounded: at most num_glyphs glyphs are visited and
 * RT_GLYPH_HEAD bytes read per glyph; a malformed glyph is skipped. */
static int font_close_composites(rdoc *rd, rfont *f, const char *path, unsigned index)
{
    HPDF_TTFontDefAttr a;
    FILE *fp = NULL;
    uint16_t *stack = NULL;
    unsigned char *g = NULL;
    size_t top = 0;
    int rc = 0;

    (void)index; /* glyph_tbl.base_offset is already absolute within a collection */
    if (!f->def || !path)
        return 0;
    a = (HPDF_TTFontDefAttr)f->def->attr;
    if (!a || !a->glyph_tbl.offsets || !a->glyph_tbl.flgs || a->num_glyphs == 0)
        return 0;
    fp = fopen(path, "rb");
    stack = malloc((size_t)a->num_glyphs * sizeof *stack);
    g = malloc(RT_GLYPH_HEAD);
    if (!fp || !stack || !g) {
        rc = rdoc_fail(rd, fp ? ERR_NOMEM : ERR_IO, "%s: cannot read glyphs", path);
        goto cleanup;
    }
    for (uint32_t i = 0; i < a->num_glyphs; i++)
        if (a->glyph_tbl.flgs[i])
            stack[top++] = (uint16_t)i;
    while (top > 0) {
        uint16_t gid = stack[--top];
        uint32_t o0 = a->glyph_tbl.offsets[gid], o1 = a->glyph_tbl.offsets[gid + 1];
        size_t len, n, p = 10;
        uint16_t flags;

        if (a->header.index_to_loc_format == 0)
            o0 *= 2, o1 *= 2;
        if (o1 <= o0 || o1 - o0 < 12)
            continue;
        len = o1 - o0 < RT_GLYPH_HEAD ? o1 - o0 : RT_GLYPH_HEAD;
        if (fseek(fp, (long)a->glyph_tbl.base_offset + (long)o0, SEEK_SET) != 0)
            continue;
        n = fread(g, 1, len, fp);
        if (n < 12 || (int16_t)be16(g) >= 0)
            continue; /* not a composite glyph */
        do {
            uint16_t comp;
            if (p + 4 > n)
                break;
            flags = be16(g + p);
            comp = be16(g + p + 2);
            p += 4 + ((flags & 0x0001) ? 4 : 2);          /* ARG_1_AND_2_ARE_WORDS */
            if (flags & 0x0008)                             /* WE_HAVE_A_SCALE */
                p += 2;
            else if (flags & 0x0040)                        /* WE_HAVE_AN_X_AND_Y_SCALE */
                p += 4;
            else if (flags & 0x0080)                        /* WE_HAVE_A_TWO_BY_TWO */
                p += 8;
            if (comp < a->num_glyphs && !a->glyph_tbl.flgs[comp]) {
                a->glyph_tbl.flgs[comp] = 1;
                stack[top++] = comp;
            }
        } while (flags & 0x0020);                           /* MORE_COMPONENTS */
    }
cleanup:
    if (fp)
        fclose(fp);
    free(stack);
    free(g);
    return rc;
}

int rdoc_fonts_close_composites(rdoc *rd)
{
    const report_fonts *p = rd->paths;

    if (rd->failed)
        return rd->failed;
#if HPDF_VERSION_ID != 20300
    /* The fix reads libharu's private glyph table (hpdf_fontdef.h) as laid out in 2.3.0,
     * the version Debian ships; another version may lay it out differently (and may not
     * need the fix): do nothing rather than guess. */
    return 0;
#endif
    font_close_composites(rd, &rd->reg, p->regular, 0);
    if (rd->have_bold)
        font_close_composites(rd, &rd->bold, p->bold, 0);
    if (rd->fb_state == 1)
        font_close_composites(rd, &rd->fb, p->fallback, 0);
    if (rd->cjk_state == 1)
        font_close_composites(rd, &rd->cjk, p->cjk, p->cjk_index);
    return rd->failed;
}

/* ------------------------------------------------------------- UTF-8 ---- */

/* Decodes one code point at s[0..n); sets *len (>= 1). Invalid, overlong, surrogate or
 * out-of-range sequences give RT_REPLACEMENT with *len = 1. */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *len)
{
    uint32_t c = s[0];
    size_t k;

    *len = 1;
    if (c < 0x80)
        return c;
    if (c >= 0xC2 && c <= 0xDF)
        k = 1, c &= 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 2, c &= 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 3, c &= 0x07;
    else
        return RT_REPLACEMENT;
    if (n < k + 1)
        return RT_REPLACEMENT;
    for (size_t i = 1; i <= k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return RT_REPLACEMENT;
        c = c << 6 | (s[i] & 0x3F);
    }
    if ((k == 2 && c < 0x800) || (k == 3 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return RT_REPLACEMENT;
    *len = k + 1;
    return c;
}

static int utf8_put(buf_t *b, uint32_t c)
{
    unsigned char o[4];
    size_t n;

    if (c < 0x80)
        o[0] = (unsigned char)c, n = 1;
    else if (c < 0x800)
        o[0] = (unsigned char)(0xC0 | c >> 6), o[1] = (unsigned char)(0x80 | (c & 0x3F)), n = 2;
    else if (c < 0x10000)
        o[0] = (unsigned char)(0xE0 | c >> 12), o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F)),
        o[2] = (unsigned char)(0x80 | (c & 0x3F)), n = 3;
    else
        o[0] = (unsigned char)(0xF0 | c >> 18), o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F)),
        o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F)), o[3] = (unsigned char)(0x80 | (c & 0x3F)),
        n = 4;
    return buf_append(b, o, n);
}

static int email_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* Length of an e-mail address starting at s[i] (local@domain.tld), or 0. */
static size_t email_at(const char *s, size_t n, size_t i)
{
    size_t j = i, at, dot = 0;

    while (j < n && email_char((unsigned char)s[j]))
        j++;
    if (j == i || j >= n || s[j] != '@')
        return 0;
    at = j++;
    while (j < n && email_char((unsigned char)s[j]) && s[j] != '+' && s[j] != '%' && s[j] != '_') {
        if (s[j] == '.')
            dot = j;
        j++;
    }
    while (j > at + 1 && s[j - 1] == '.')
        j--;
    if (!dot || dot <= at + 1 || dot + 2 >= j)
        return 0;
    return j - i;
}

/* A byte that belongs to a word: ASCII letter or digit, or part of a non-ASCII
 * character (letters of other scripts). */
static int word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Public audience: copies s with redacted strings and e-mail addresses replaced. */
static char *redact(rdoc *rd, const char *s)
{
    buf_t b;
    size_t n = strlen(s), i = 0;
    char *out;

    buf_init(&b, RT_MAX_TEXT + 4096);
    while (i < n) {
        size_t hit = 0, k;
        for (k = 0; k < rd->n_redact; k++) {
            size_t m = strlen(rd->redact[k]);
            /* whole words only: a contact named "Ana" must not eat "Analysis" */
            if (m <= n - i && memcmp(s + i, rd->redact[k], m) == 0 &&
                (i == 0 || !word_byte((unsigned char)s[i - 1]) ||
                 !word_byte((unsigned char)s[i])) &&
                (i + m == n || !word_byte((unsigned char)s[i + m]) ||
                 !word_byte((unsigned char)s[i + m - 1]))) {
                hit = m;
                break;
            }
        }
        if (!hit && (i == 0 || !email_char((unsigned char)s[i - 1])))
            hit = email_at(s, n, i);
        if (hit) {
            if (buf_puts(&b, rd->redact_label))
                goto fail;
            i += hit;
        } else {
            if (buf_putc(&b, s[i]))
                goto fail;
            i++;
        }
    }
    out = buf_take(&b);
    if (!out)
        goto fail;
    return out;
fail:
    buf_dispose(&b);
    rdoc_fail(rd, ERR_NOMEM, "out of memory while redacting text");
    return NULL;
}

char *rtext_clean(rdoc *rd, const char *s)
{
    buf_t b;
    char *red = NULL, *out = NULL;
    const unsigned char *u;
    size_t n, i = 0;

    if (rd->failed)
        return NULL;
    if (!s)
        s = "";
    if (rd->public_audience) {
        red = redact(rd, s);
        if (!red)
            return NULL;
        s = red;
    }
    u = (const unsigned char *)s;
    n = strlen(s);
    if (n > RT_MAX_TEXT)
        n = RT_MAX_TEXT;
    buf_init(&b, 4 * (n + 16));
    while (i < n) {
        size_t len;
        uint32_t c = utf8_next(u + i, n - i, &len);
        i += len;
        if (c == '\r') {
            if (i < n && u[i] == '\n')
                continue;
            c = '\n';
        } else if (c == '\t' || (c < 0x20 && c != '\n') || (c >= 0x7F && c < 0xA0)) {
            c = ' ';
        } else if ((c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF) {
            continue; /* zero-width format characters: nothing to draw */
        } else if (c == 0x2028 || c == 0x2029) {
            c = '\n';
        }
        if (c != '\n' && c != ' ' && !font_for(rd, c, RS_REGULAR, NULL)) {
            /* decided at the first need, so that a document without one loads no
             * fallback font: U+FFFD from the first font that has it, else '?' */
            if (!rd->placeholder)
                rd->placeholder = font_for(rd, RT_REPLACEMENT, RS_REGULAR, NULL) ? RT_REPLACEMENT : '?';
            c = rd->placeholder;
            rd->n_placeholders++;
        }
        if (utf8_put(&b, c))
            break;
    }
    out = buf_take(&b);
    free(red);
    if (!out)
        rdoc_fail(rd, ERR_NOMEM, "out of memory while preparing text");
    return out;
}

float rtext_width(rdoc *rd, const char *s, size_t n, rstyle st, float size)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    long w = 0;
    rfont *cur = NULL;

    while (i < n) {
        size_t len;
        uint32_t c = utf8_next(u + i, n - i, &len);
        rfont *f = font_for(rd, c, st, cur);
        i += len;
        if (!f)
            f = &rd->reg, c = '?';
        w += font_width(f, c) > 0 ? font_width(f, c) : 0;
        cur = f;
    }
    return (float)w * size / 1000.0f;
}

static void draw_run(rdoc *rd, rfont *f, const char *run, size_t n, rstyle st, float size,
                     rfont **cur)
{
    char tmp[1024];

    if (n == 0 || rd->failed)
        return;
    if (*cur != f) {
        HPDF_Page_SetFontAndSize(rd->page, f->font, size);
        /* Bold without a bold face (or in the CJK face): fill then stroke the outline. */
        if (st == RS_BOLD && f != &rd->bold) {
            HPDF_Page_SetTextRenderingMode(rd->page, HPDF_FILL_THEN_STROKE);
        } else {
            HPDF_Page_SetTextRenderingMode(rd->page, HPDF_FILL);
        }
        *cur = f;
    }
    while (n > 0) {
        size_t k = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
        /* never cut a UTF-8 sequence */
        while (k < n && k > 0 && ((unsigned char)run[k] & 0xC0) == 0x80)
            k--;
        memcpy(tmp, run, k);
        tmp[k] = '\0';
        HPDF_Page_ShowText(rd->page, tmp);
        run += k;
        n -= k;
    }
}

void rtext_draw(rdoc *rd, float x, float y, const char *s, size_t n, rstyle st, float size,
                rcolor c)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run_start = 0;
    rfont *run_font = NULL, *cur = NULL;

    if (rd->failed || !rd->page || n == 0)
        return;
    HPDF_Page_SetRGBFill(rd->page, c.r, c.g, c.b);
    HPDF_Page_SetRGBStroke(rd->page, c.r, c.g, c.b);
    HPDF_Page_SetLineWidth(rd->page, size * 0.04f);
    HPDF_Page_BeginText(rd->page);
    HPDF_Page_MoveTextPos(rd->page, x, y);
    while (i < n) {
        size_t len;
        uint32_t cp = utf8_next(u + i, n - i, &len);
        rfont *f = font_for(rd, cp, st, run_font);
        if (!f)
            f = &rd->reg; /* rtext_clean replaced these; a stray one draws as .notdef */
        if (f != run_font) {
            if (run_font)
                draw_run(rd, run_font, s + run_start, i - run_start, st, size, &cur);
            run_font = f;
            run_start = i;
        }
        i += len;
    }
    if (run_font)
        draw_run(rd, run_font, s + run_start, n - run_start, st, size, &cur);
    HPDF_Page_EndText(rd->page);
    if (st == RS_BOLD)
        HPDF_Page_SetTextRenderingMode(rd->page, HPDF_FILL);
}

/* ---------------------------------------------------------- wrapping ---- */

void rlines_dispose(rlines *l)
{
    if (!l)
        return;
    free(l->text);
    free(l->lines);
    memset(l, 0, sizeof *l);
}

static int lines_push(rlines *l, size_t *cap, size_t off, size_t len, float w)
{
    if (l->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        rline *nl = realloc(l->lines, nc * sizeof *nl);
        if (!nl)
            return ERR_NOMEM;
        l->lines = nl;
        *cap = nc;
    }
    l->lines[l->n++] = (rline){off, len, w};
    return 0;
}

/* Appends " […]" to the text after the last kept line and points that line at it. */
static int lines_truncate(rdoc *rd, rlines *l, size_t keep, rstyle st, float size)
{
    rline *last = &l->lines[keep - 1];
    static const char mark[] = " [\xE2\x80\xA6]";
    size_t end = last->off + last->len;
    char *t = malloc(end + sizeof mark);

    if (!t)
        return ERR_NOMEM;
    memcpy(t, l->text, end);
    memcpy(t + end, mark, sizeof mark);
    free(l->text);
    l->text = t;
    l->n = keep;
    last->len += sizeof mark - 1;
    last->w = rtext_width(rd, t + last->off, last->len, st, size);
    return 0;
}

int rtext_wrap(rdoc *rd, rlines *out, const char *s, rstyle st, float size, float width,
               size_t max_lines)
{
    utf32_t *cps = NULL;
    size_t *offs = NULL;
    double *pw = NULL;
    char *brks = NULL;
    size_t n = 0, len, cap = 0, i, start = 0, last_break = (size_t)-1;
    const char *lang = rtpl_lang(rd->tpl);
    rfont *cur = NULL;
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (rd->failed)
        return rd->failed;
    out->text = rtext_clean(rd, s);
    if (!out->text)
        return rd->failed;
    len = strlen(out->text);
    cps = malloc((len + 1) * sizeof *cps);
    offs = malloc((len + 1) * sizeof *offs);
    pw = malloc((len + 2) * sizeof *pw);
    brks = malloc(len + 1);
    if (!cps || !offs || !pw || !brks) {
        rc = rdoc_fail(rd, ERR_NOMEM, "out of memory while breaking lines");
        goto cleanup;
    }
    pw[0] = 0;
    for (i = 0; i < len;) {
        size_t l;
        uint32_t c = utf8_next((const unsigned char *)out->text + i, len - i, &l);
        rfont *f = c == '\n' ? cur : font_for(rd, c, st, cur);
        int w = c == '\n' ? 0 : f ? font_width(f, c) : font_width(&rd->reg, '?');
        cur = f;
        offs[n] = i;
        cps[n] = c;
        pw[n + 1] = pw[n] + (c == '\n' ? 0 : (w > 0 ? w : 0) * (double)size / 1000.0);
        n++;
        i += l;
    }
    offs[n] = len;
    if (n)
        set_linebreaks_utf32(cps, n, lang, brks);
    for (i = 0; i < n; i++) {
        if (cps[i] == '\n') {
            if ((rc = lines_push(out, &cap, offs[start], offs[i] - offs[start],
                                 (float)(pw[i] - pw[start]))))
                goto oom;
            start = i + 1;
            last_break = (size_t)-1;
            continue;
        }
        while (pw[i + 1] - pw[start] > width && i > start && cps[i] != ' ') {
            size_t end;
            if (last_break != (size_t)-1 && last_break >= start && last_break < i) {
                end = last_break + 1; /* break after last_break */
            } else {
                end = i; /* emergency break inside a word */
            }
            {
                size_t e2 = end;
                while (e2 > start && cps[e2 - 1] == ' ')
                    e2--;
                if ((rc = lines_push(out, &cap, offs[start], offs[e2] - offs[start],
                                     (float)(pw[e2] - pw[start]))))
                    goto oom;
            }
            start = end;
            while (start < i && cps[start] == ' ')
                start++;
            last_break = (size_t)-1;
        }
        if (brks[i] == LINEBREAK_ALLOWBREAK)
            last_break = i;
    }
    {
        size_t e2 = n;
        while (e2 > start && cps[e2 - 1] == ' ')
            e2--;
        if (e2 > start || out->n == 0)
            if ((rc = lines_push(out, &cap, offs[start], offs[e2] - offs[start],
                                 (float)(pw[e2] - pw[start]))))
                goto oom;
    }
    if (max_lines && out->n > max_lines)
        if ((rc = lines_truncate(rd, out, max_lines, st, size)))
            goto oom;
    goto cleanup;
oom:
    rc = rdoc_fail(rd, ERR_NOMEM, "out of memory while breaking lines");
cleanup:
    free(cps);
    free(offs);
    free(pw);
    free(brks);
    if (rc)
        rlines_dispose(out);
    return rc;
}

/* -------------------------------------------------------- formatting ---- */

void rfmt_date(char *out, size_t n, int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;

    if (n == 0)
        return;
    out[0] = '\0';
    if (!gmtime_r(&tt, &tm))
        return;
    if (strftime(out, n, "%Y-%m-%d", &tm) == 0)
        out[0] = '\0';
}

void rfmt_amount(char *out, size_t n, const model_amount *a)
{
    char num[64], grp[96];
    size_t k = 0, j = 0, intlen;
    const char *dot;
    int r;

    if (n == 0)
        return;
    out[0] = '\0';
    if (!a || !a->present)
        return;
    if (!isfinite(a->amount) || fabs(a->amount) >= 1e15) {
        r = snprintf(num, sizeof num, "%.6g", a->amount);
        if (r < 0 || (size_t)r >= sizeof num)
            return;
        r = snprintf(out, n, "%s%s%s", num, a->currency[0] ? " " : "", a->currency);
        if (r < 0 || (size_t)r >= n)
            out[0] = '\0';
        return;
    }
    r = snprintf(num, sizeof num, "%.2f", a->amount);
    if (r < 0 || (size_t)r >= sizeof num)
        return;
    if (num[0] == '-')
        grp[j++] = num[k++];
    dot = strchr(num, '.');
    intlen = (size_t)(dot ? dot - num : r) - k;
    for (size_t i = 0; i < intlen; i++) {
        if (i > 0 && (intlen - i) % 3 == 0)
            grp[j++] = ',';
        grp[j++] = num[k++];
    }
    while (num[k] && j < sizeof grp - 1)
        grp[j++] = num[k++];
    grp[j] = '\0';
    r = snprintf(out, n, "%s%s%s", grp, a->currency[0] ? " " : "", a->currency);
    if (r < 0 || (size_t)r >= n)
        out[0] = '\0';
}

void rfmt_score(char *out, size_t n, double v)
{
    int r = snprintf(out, n, "%.1f", v);
    if (r < 0 || (size_t)r >= n)
        out[0] = '\0';
}

void rfmt_pct(char *out, size_t n, double ratio)
{
    int r = snprintf(out, n, "%.0f%%", ratio * 100.0);
    if (r < 0 || (size_t)r >= n)
        out[0] = '\0';
}
