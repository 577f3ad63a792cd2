/* report_chart.c - charts drawn with libharu path operators: score bars, a histogram,
 * a timeline. Every number a chart shows is also printed as text beside it. */
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rcolor rc_score_color(double s)
{
    if (s < 50)
        return (rcolor){0.80f, 0.22f, 0.18f};
    if (s < 75)
        return (rcolor){0.93f, 0.62f, 0.15f};
    return (rcolor){0.22f, 0.60f, 0.32f};
}

static void text_at(rdoc *rd, float x, float y, const char *s, rstyle st, float size, rcolor c,
                    int align) /* align: 0 left, 1 right, 2 centre */
{
    char *t = rtext_clean(rd, s);
    float w;

    if (!t)
        return;
    w = rtext_width(rd, t, strlen(t), st, size);
    if (align == 1)
        x -= w;
    else if (align == 2)
        x -= w / 2;
    rtext_draw(rd, x, y, t, strlen(t), st, size, c);
    free(t);
}

static void rect_fill(rdoc *rd, float x, float y, float w, float h, rcolor c)
{
    HPDF_Page_SetRGBFill(rd->page, c.r, c.g, c.b);
    HPDF_Page_Rectangle(rd->page, x, y, w, h);
    HPDF_Page_Fill(rd->page);
}

static void line(rdoc *rd, float x0, float y0, float x1, float y1, float w, rcolor c)
{
    HPDF_Page_SetRGBStroke(rd->page, c.r, c.g, c.b);
    HPDF_Page_SetLineWidth(rd->page, w);
    HPDF_Page_MoveTo(rd->page, x0, y0);
    HPDF_Page_LineTo(rd->page, x1, y1);
    HPDF_Page_Stroke(rd->page);
}

void rc_score_bars(rdoc *rd, size_t n, const char *const *labels, const int *has,
                   const double *vals, const char *const *note, const int *has_ref,
                   const double *ref, const char *na, const char *ref_label)
{
    const float row = 20, label_w = 110, value_w = 150;
    float x0 = rd->left + label_w, bar_w = rd->right - rd->left - label_w - value_w;
    float h = (float)n * row + 26, y;
    rcolor axis = {0.6f, 0.6f, 0.6f};

    if (rd->failed)
        return;
    rl_need(rd, h);
    if (rd->failed)
        return;
    y = rd->y;
    /* grid at 0, 25, 50, 75, 100 */
    for (int g = 0; g <= 4; g++) {
        char t[8];
        float gx = x0 + bar_w * (float)g / 4;
        line(rd, gx, y - 4, gx, y - (float)n * row - 4, 0.3f, axis);
        snprintf(t, sizeof t, "%d", g * 25);
        text_at(rd, gx, y - (float)n * row - 14, t, RS_REGULAR, 7, RC_GREY, 2);
    }
    for (size_t i = 0; i < n && !rd->failed; i++) {
        float by = y - (float)(i + 1) * row;
        char v[64];
        int r;
        text_at(rd, rd->left, by + 6, labels[i], RS_BOLD, 8.5f, RC_BLACK, 0);
        if (has[i]) {
            double s = vals[i] < 0 ? 0 : vals[i] > 100 ? 100 : vals[i];
            rect_fill(rd, x0, by + 2, bar_w * (float)(s / 100.0), row - 6, rc_score_color(s));
            r = snprintf(v, sizeof v, "%.1f", vals[i]);
            if (r < 0 || (size_t)r >= sizeof v)
                v[0] = '\0';
        } else {
            r = snprintf(v, sizeof v, "%s", na);
            if (r < 0 || (size_t)r >= sizeof v)
                v[0] = '\0';
        }
        if (has_ref && has_ref[i]) {
            double s = ref[i] < 0 ? 0 : ref[i] > 100 ? 100 : ref[i];
            float rx = x0 + bar_w * (float)(s / 100.0);
            line(rd, rx, by, rx, by + row - 2, 1.6f, RC_BLACK);
        }
        text_at(rd, x0 + bar_w + 6, by + 6, v, RS_BOLD, 8.5f, RC_BLACK, 0);
        if (note && note[i]) {
            /* after the value, however long the "not assessed" label is */
            char *cv = rtext_clean(rd, v);
            float vw = cv ? rtext_width(rd, cv, strlen(cv), RS_BOLD, 8.5f) : 0;
            free(cv);
            text_at(rd, x0 + bar_w + 6 + (vw + 8 > 40 ? vw + 8 : 40), by + 6, note[i], RS_REGULAR,
                    7.5f, RC_GREY, 0);
        }
    }
    rd->y = y - h;
    if (ref_label && has_ref) {
        line(rd, rd->left, rd->y + 3, rd->left, rd->y + 11, 1.6f, RC_BLACK);
        text_at(rd, rd->left + 5, rd->y + 4, ref_label, RS_REGULAR, 7.5f, RC_GREY, 0);
        rd->y -= 8;
    }
    rd->y -= 6;
}

void rc_histogram(rdoc *rd, size_t nb, const long *counts, const char *const *bin_labels,
                  const char *x_title, const char *y_title)
{
    const float h = 130, axis_h = 30;
    float x0 = rd->left + 30, w = rd->right - rd->left - 40, y0, bw;
    long maxc = 1;
    rcolor axis = {0.5f, 0.5f, 0.5f};

    if (rd->failed || nb == 0)
        return;
    rl_need(rd, h + axis_h + 20);
    if (rd->failed)
        return;
    for (size_t i = 0; i < nb; i++)
        if (counts[i] > maxc)
            maxc = counts[i];
    y0 = rd->y - h - 10;
    bw = w / (float)nb;
    text_at(rd, rd->left, rd->y - 8, y_title, RS_REGULAR, 7.5f, RC_GREY, 0);
    line(rd, x0, y0, x0 + w, y0, 0.6f, axis);
    line(rd, x0, y0, x0, y0 + h, 0.6f, axis);
    for (size_t i = 0; i < nb && !rd->failed; i++) {
        float bh = h * (float)counts[i] / (float)maxc * 0.9f;
        char c[24];
        double mid = ((double)i + 0.5) * 100.0 / (double)nb;
        if (counts[i] > 0)
            rect_fill(rd, x0 + (float)i * bw + 2, y0, bw - 4, bh, rc_score_color(mid));
        snprintf(c, sizeof c, "%ld", counts[i]);
        text_at(rd, x0 + ((float)i + 0.5f) * bw, y0 + bh + 3, c, RS_BOLD, 7.5f, RC_BLACK, 2);
        text_at(rd, x0 + ((float)i + 0.5f) * bw, y0 - 10, bin_labels[i], RS_REGULAR, 6.5f,
                RC_GREY, 2);
    }
    text_at(rd, x0 + w / 2, y0 - 22, x_title, RS_REGULAR, 7.5f, RC_GREY, 2);
    rd->y = y0 - axis_h;
}

void rc_timeline(rdoc *rd, size_t n, const int64_t *t, const char *const *labels)
{
    const float h = 90;
    float x0 = rd->left + 10, w = rd->right - rd->left - 20, ya;
    int64_t lo, hi;
    rcolor axis = {0.45f, 0.45f, 0.45f};

    if (rd->failed || n == 0)
        return;
    lo = hi = t[0];
    for (size_t i = 1; i < n; i++) {
        if (t[i] < lo)
            lo = t[i];
        if (t[i] > hi)
            hi = t[i];
    }
    if (hi == lo)
        hi = lo + 86400;
    rl_need(rd, h + 10);
    if (rd->failed)
        return;
    ya = rd->y - h / 2;
    line(rd, x0, ya, x0 + w, ya, 1.0f, axis);
    for (size_t i = 0; i < n && !rd->failed; i++) {
        float x = x0 + w * (float)((double)(t[i] - lo) / (double)(hi - lo));
        float dy = (i % 2 == 0) ? 1.0f : -1.0f;
        float ly = ya + dy * (12 + (float)(i / 2 % 3) * 9);
        line(rd, x, ya, x, ly + (dy > 0 ? -2 : 7), 0.4f, axis);
        rect_fill(rd, x - 2, ya - 2, 4, 4, RC_ACCENT);
        text_at(rd, x, ly, labels[i], RS_BOLD, 6.5f, RC_BLACK, 2);
    }
    {
        char d[16];
        rfmt_date(d, sizeof d, lo);
        text_at(rd, x0, ya - h / 2 + 2, d, RS_REGULAR, 6.5f, RC_GREY, 0);
        rfmt_date(d, sizeof d, hi);
        text_at(rd, x0 + w, ya - h / 2 + 2, d, RS_REGULAR, 6.5f, RC_GREY, 1);
    }
    rd->y -= h + 6;
}
