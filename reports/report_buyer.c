/* report_buyer.c - the buyer report (SPEC §6): one buyer's portfolio over a period, with
 * the score histogram, dimension averages against the dataset median, the most frequent
 * flags, the lowest-scoring procurements and the list of all of them. */
#include "report_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LW 150.0f
#define DASH "\xE2\x80\x94"
#define HIST_BINS 10
#define LOWEST_N 10

static const char *nz(const char *s)
{
    return s && *s ? s : DASH;
}

static const char *count_s(rbuild *b, size_t n)
{
    return rb_printf(b, "%zu", n);
}

/* Mean of the buyer's dimension d scores (rows that have one); 0 rows -> !*has. */
static double dim_mean(const report_context *c, int d, int *has, size_t *n_out)
{
    double s = 0;
    size_t n = 0;
    for (size_t i = 0; i < c->n_rows; i++) {
        const report_buyer_row *r = &c->rows[i];
        int h = d < 0 ? r->has_overall : r->has_dim_score[d];
        double v = d < 0 ? r->overall : r->dim_score[d];
        if (h && isfinite(v)) {
            s += v;
            n++;
        }
    }
    *has = n > 0;
    *n_out = n;
    return n ? s / (double)n : 0;
}

typedef struct {
    const char *id;
    size_t count;
} flag_count;

static void section_cover(rbuild *b)
{
    rdoc *rd = &b->rd;
    const report_context *c = b->ctx;
    char d[40];
    struct tm tm;
    time_t tt = (time_t)c->generated_at;

    rl_page_new(rd);
    rl_para(rd, rtpl_org(b->t), RS_BOLD, 11, 0, RC_GREY);
    rl_heading(rd, 1, rb_label(b, "buyer.title"), 0);
    rl_para(rd, nz(c->buyer_name), RS_BOLD, 13, 0, RC_BLACK);
    rl_space(rd, 4);
    rl_kv(rd, rb_label(b, "field.buyer"), rb_printf(b, "%s (%s)", nz(c->buyer_name), nz(c->buyer_id)),
          LW);
    rl_kv(rd, rb_label(b, "buyer.period"),
          rb_printf(b, "%s \xE2\x80\x93 %s", nz(c->period_from), nz(c->period_to)), LW);
    rl_kv(rd, rb_label(b, "buyer.procurements"), count_s(b, c->n_rows), LW);
    {
        int has;
        size_t n;
        double m = dim_mean(c, -1, &has, &n);
        char s[16];
        rfmt_score(s, sizeof s, m);
        rl_kv(rd, rb_label(b, "buyer.mean_overall"),
              has ? rb_fmt(b, "buyer.mean_of", "score", s, "n", count_s(b, n), NULL)
                  : rb_label(b, "score.not_assessed"),
              LW);
    }
    rb_set_identity(b);
    if (gmtime_r(&tt, &tm) && strftime(d, sizeof d, "%Y-%m-%d %H:%M:%S UTC", &tm))
        rl_kv(rd, rb_label(b, "field.generated_at"), d, LW);
    rl_kv(rd, rb_label(b, "field.audience"),
          rb_label(b, c->audience == REPORT_PUBLIC ? "audience.public" : "audience.internal"), LW);
    if (c->audience == REPORT_PUBLIC)
        rl_para(rd, rb_label(b, "privacy.statement"), RS_REGULAR, RL_SMALL, 0, RC_GREY);
}

static void section_summary(rbuild *b)
{
    rdoc *rd = &b->rd;
    const report_context *c = b->ctx;
    const char *labels[DIM_COUNT + 1], *notes[DIM_COUNT + 1];
    int has[DIM_COUNT + 1], has_ref[DIM_COUNT + 1], any_ref = 0;
    double vals[DIM_COUNT + 1], ref[DIM_COUNT + 1];
    char *keep[DIM_COUNT + 1] = {0};

    rl_heading(rd, 1, rb_label(b, "section.summary"), 1);
    rl_para(rd, rb_label(b, "buyer.chart_title"), RS_BOLD, RL_BODY, 0, RC_BLACK);
    for (int d = 0; d <= DIM_COUNT; d++) {
        size_t n;
        int dd = d == DIM_COUNT ? -1 : d;
        const report_distribution *dist = dd < 0 ? &c->overall_dist : &c->dim_dist[dd];
        labels[d] = dd < 0 ? rb_label(b, "dim.overall") : rb_dim_label(b, (dimension)dd);
        vals[d] = dim_mean(c, dd, &has[d], &n);
        keep[d] = strdup(rb_fmt(b, "buyer.n_assessed", "n", count_s(b, n), NULL));
        notes[d] = keep[d] ? keep[d] : "";
        has_ref[d] = dist->present;
        ref[d] = dist->median;
        any_ref |= has_ref[d];
    }
    rc_score_bars(rd, DIM_COUNT + 1, labels, has, vals, notes, any_ref ? has_ref : NULL, ref,
                  rb_label(b, "score.not_assessed"), rb_label(b, "chart.median"));
    for (int d = 0; d <= DIM_COUNT; d++)
        free(keep[d]);
    if (c->overall_dist.present) {
        char md[16], me[16];
        int h;
        size_t n;
        double m = dim_mean(c, -1, &h, &n);
        rfmt_score(md, sizeof md, c->overall_dist.median);
        rfmt_score(me, sizeof me, m);
        rl_para(rd, rb_fmt(b, "buyer.vs_median", "mean", h ? me : DASH, "median", md, "scope",
                           nz(c->population_scope), "n", rb_printf(b, "%ld", c->overall_dist.n),
                           NULL),
                RS_REGULAR, RL_BODY, 0, RC_BLACK);
    }
}

static void section_histogram(rbuild *b)
{
    rdoc *rd = &b->rd;
    const report_context *c = b->ctx;
    long counts[HIST_BINS] = {0};
    char lab[HIST_BINS][16];
    const char *labp[HIST_BINS];
    size_t none = 0;

    rl_heading(rd, 1, rb_label(b, "section.histogram"), 0);
    for (size_t i = 0; i < c->n_rows; i++) {
        const report_buyer_row *r = &c->rows[i];
        int bin;
        if (!r->has_overall || !isfinite(r->overall)) {
            none++;
            continue;
        }
        /* [0,10), [10,20), ... [90,100]: 100 goes into the last bin */
        bin = (int)floor(r->overall / 10.0);
        if (bin < 0)
            bin = 0;
        if (bin >= HIST_BINS)
            bin = HIST_BINS - 1;
        counts[bin]++;
    }
    for (int i = 0; i < HIST_BINS; i++) {
        snprintf(lab[i], sizeof lab[i], "%d\xE2\x80\x93%d", i * 10, i * 10 + 10);
        labp[i] = lab[i];
    }
    rc_histogram(rd, HIST_BINS, counts, labp, rb_label(b, "histogram.x"),
                 rb_label(b, "histogram.y"));
    rl_para(rd, rb_fmt(b, "histogram.not_assessed", "n", count_s(b, none), NULL), RS_REGULAR,
            RL_BODY, 0, RC_GREY);
}

static void section_dimensions(rbuild *b)
{
    rdoc *rd = &b->rd;
    const report_context *c = b->ctx;
    rtable t;
    const float w[] = {2, 1.5f, 1.5f, 1.5f, 3};
    const char *h[] = {rb_label(b, "col.dimension"), rb_label(b, "buyer.col_mean"),
                       rb_label(b, "buyer.col_assessed"), rb_label(b, "buyer.col_median"),
                       rb_label(b, "buyer.col_quartiles")};

    rl_heading(rd, 1, rb_label(b, "section.dimensions"), 0);
    rt_begin(&t, rd, 5, w, h);
    for (int d = 0; d <= DIM_COUNT; d++) {
        int dd = d == DIM_COUNT ? -1 : d, has;
        size_t n;
        double m = dim_mean(c, dd, &has, &n);
        const report_distribution *dist = dd < 0 ? &c->overall_dist : &c->dim_dist[dd];
        char ms[16], md[16], q1[16], q3[16];
        rfmt_score(ms, sizeof ms, m);
        rfmt_score(md, sizeof md, dist->median);
        rfmt_score(q1, sizeof q1, dist->q1);
        rfmt_score(q3, sizeof q3, dist->q3);
        {
            const char *row[] = {dd < 0 ? rb_label(b, "dim.overall") : rb_dim_label(b, (dimension)dd),
                                 has ? rb_printf(b, "%s", ms) : rb_label(b, "score.not_assessed"),
                                 count_s(b, n), dist->present ? rb_printf(b, "%s", md) : DASH,
                                 dist->present ? rb_printf(b, "%s \xE2\x80\x93 %s", q1, q3) : DASH};
            rt_row(&t, row);
        }
    }
    rt_end(&t);
}

static void section_flags(rbuild *b)
{
    rdoc *rd = &b->rd;
    const report_context *c = b->ctx;
    flag_count *fc = NULL;
    size_t nf = 0, cap = 0;

    rl_heading(rd, 1, rb_label(b, "section.flags"), 1);
    for (size_t i = 0; i < c->n_rows && !rd->failed; i++)
        for (size_t k = 0; k < c->rows[i].n_flags; k++) {
            const char *id = c->rows[i].flags[k];
            size_t j;
            int dup = 0;
            if (!id)
                continue;
            for (size_t q = 0; q < k; q++) /* a criterion counts once per procurement */
                if (c->rows[i].flags[q] && strcmp(c->rows[i].flags[q], id) == 0)
                    dup = 1;
            if (dup)
                continue;
            for (j = 0; j < nf; j++)
                if (strcmp(fc[j].id, id) == 0)
                    break;
            if (j == nf) {
                if (nf == cap) {
                    size_t ncap = cap ? cap * 2 : 16;
                    flag_count *n2 = realloc(fc, ncap * sizeof *n2);
                    if (!n2) {
                        rdoc_fail(rd, ERR_NOMEM, "out of memory");
                        break;
                    }
                    fc = n2;
                    cap = ncap;
                }
                fc[nf++] = (flag_count){id, 0};
            }
            fc[j].count++;
        }
    /* most frequent first, then by id: deterministic */
    for (size_t i = 1; i < nf; i++) {
        flag_count v = fc[i];
        size_t j = i;
        while (j > 0 && (fc[j - 1].count < v.count ||
                         (fc[j - 1].count == v.count && strcmp(fc[j - 1].id, v.id) > 0))) {
            fc[j] = fc[j - 1];
            j--;
        }
        fc[j] = v;
    }
    if (nf == 0) {
        rl_para(rd, rb_label(b, "buyer.no_flags"), RS_REGULAR, RL_BODY, 0, RC_GREY);
    } else if (!rd->failed) {
        rtable t;
        const float w[] = {1.2f, 4.5f, 1.4f, 1.4f, 1.2f};
        const char *h[] = {rb_label(b, "col.criterion"), rb_label(b, "col.title"),
                           rb_label(b, "col.dimension"), rb_label(b, "buyer.col_flagged"),
                           rb_label(b, "buyer.col_share")};
        rt_begin(&t, rd, 5, w, h);
        for (size_t i = 0; i < nf; i++) {
            const criterion_info *ci = rb_crit(b->ev, fc[i].id);
            char sh[16];
            rfmt_pct(sh, sizeof sh, c->n_rows ? (double)fc[i].count / (double)c->n_rows : 0);
            {
                const char *row[] = {fc[i].id, ci ? nz(ci->title) : DASH,
                                     ci ? rb_dim_label(b, ci->dim) : DASH,
                                     rb_fmt(b, "buyer.n_of_m", "n", count_s(b, fc[i].count), "m",
                                            count_s(b, c->n_rows), NULL),
                                     sh};
                rt_row(&t, row);
            }
        }
        rt_end(&t);
    }
    free(fc);
}

static const char *flags_s(rbuild *b, const report_buyer_row *r)
{
    buf_t *s = &b->slot[b->next++ % RB_SLOTS];
    buf_reset(s);
    for (size_t i = 0; i < r->n_flags; i++)
        if ((i && buf_puts(s, ", ")) || buf_puts(s, nz(r->flags[i])))
            return "";
    return r->n_flags ? buf_cstr(s) : DASH;
}

static void procurement_rows(rbuild *b, const size_t *idx, size_t n)
{
    rtable t;
    const float w[] = {3.6f, 2.8f, 1.6f, 1.9f, 0.9f, 1.5f, 1.1f, 2.2f};
    const char *h[] = {rb_label(b, "col.ocid"),  rb_label(b, "col.title"),
                       rb_label(b, "col.date"),  rb_label(b, "col.estimated_value"),
                       rb_label(b, "col.score"), rb_label(b, "col.band"),
                       rb_label(b, "col.coverage"), rb_label(b, "col.flags")};

    rt_begin(&t, &b->rd, 8, w, h);
    for (size_t i = 0; i < n && !b->rd.failed; i++) {
        const report_buyer_row *r = &b->ctx->rows[idx[i]];
        char s[16], cv[16], d[16], v[96];
        rfmt_score(s, sizeof s, r->overall);
        rfmt_pct(cv, sizeof cv, r->coverage);
        if (r->date.present)
            rfmt_date(d, sizeof d, r->date.t);
        else
            snprintf(d, sizeof d, "%s", DASH);
        rfmt_amount(v, sizeof v, &r->value);
        {
            const char *row[] = {nz(r->ocid), nz(r->title), d, v[0] ? v : DASH,
                                 r->has_overall ? s : rb_label(b, "score.not_assessed"),
                                 nz(r->band), cv, flags_s(b, r)};
            rt_row(&t, row);
        }
    }
    rt_end(&t);
}

static int row_less(const report_buyer_row *a, const report_buyer_row *b)
{
    /* assessed before not assessed; lower score first; then by ocid */
    if (a->has_overall != b->has_overall)
        return a->has_overall > b->has_overall;
    if (a->has_overall && a->overall != b->overall)
        return a->overall < b->overall;
    return strcmp(a->ocid ? a->ocid : "", b->ocid ? b->ocid : "") < 0;
}

static void section_rows(rbuild *b, int lowest)
{
    rdoc *rd = &b->rd;
    const report_context *c = b->ctx;
    size_t *idx = malloc((c->n_rows + 1) * sizeof *idx), n = c->n_rows;

    rl_heading(rd, 1, rb_label(b, lowest ? "section.lowest" : "section.procurements"), 1);
    if (!idx) {
        rdoc_fail(rd, ERR_NOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    if (lowest) {
        for (size_t i = 1; i < n; i++) {
            size_t v = idx[i], j = i;
            while (j > 0 && row_less(&c->rows[v], &c->rows[idx[j - 1]])) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = v;
        }
        if (n > LOWEST_N)
            n = LOWEST_N;
        rl_para(rd, rb_fmt(b, "buyer.lowest_intro", "n", count_s(b, n), NULL), RS_REGULAR, RL_BODY,
                0, RC_GREY);
    }
    if (n == 0)
        rl_para(rd, rb_label(b, "buyer.none"), RS_REGULAR, RL_BODY, 0, RC_GREY);
    else
        procurement_rows(b, idx, n);
    free(idx);
}

static void section_limitations(rbuild *b)
{
    rdoc *rd = &b->rd;
    const report_context *c = b->ctx;
    size_t none = 0;
    double cov = 0;

    rl_heading(rd, 1, rb_label(b, "section.limitations"), 0);
    for (size_t i = 0; i < c->n_rows; i++) {
        none += !c->rows[i].has_overall;
        cov += c->rows[i].coverage;
    }
    {
        char cs[16];
        rfmt_pct(cs, sizeof cs, c->n_rows ? cov / (double)c->n_rows : 0);
        rl_para(rd, rb_fmt(b, "buyer.limitations", "n", count_s(b, none), "coverage", cs, NULL),
                RS_REGULAR, RL_BODY, 0, RC_BLACK);
    }
    rl_para(rd, rb_label(b, "limitations.out_of_scope"), RS_REGULAR, RL_BODY, 0, RC_BLACK);
}

int report_buyer_pdf(unsigned char **out, size_t *out_len, const report_templates *t,
                     const report_fonts *f, const evaluation_t *set, const report_context *ctx,
                     err_t *e)
{
    rbuild b;
    const char *const *sec;
    size_t nsec;
    int rc;

    *out = NULL;
    *out_len = 0;
    if (!t || !f || !ctx)
        return err_set(e, ERR_USAGE, "report_buyer_pdf: missing input");
    rb_init(&b);
    b.t = t;
    b.ctx = ctx;
    b.ev = set;
    rc = rdoc_open(&b.rd, f, t, ctx->audience == REPORT_PUBLIC, e);
    if (rc)
        goto cleanup;
    b.rd.header_left = strdup(rtpl_org(t));
    b.rd.header_right = strdup(rb_printf(&b, "%s \xC2\xB7 %s", rb_label(&b, "buyer.short"),
                                         nz(ctx->buyer_name)));
    {
        char d[16];
        rfmt_date(d, sizeof d, ctx->generated_at);
        b.rd.footer_left = strdup(rb_fmt(&b, "footer.generated", "date", d, "audience",
                                         rb_label(&b, ctx->audience == REPORT_PUBLIC
                                                          ? "audience.public"
                                                          : "audience.internal"),
                                         NULL));
    }
    if (!b.rd.header_left || !b.rd.header_right || !b.rd.footer_left) {
        rc = rdoc_fail(&b.rd, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    nsec = rtpl_sections(t, RKIND_BUYER, &sec);
    for (size_t i = 0; i < nsec && !b.rd.failed; i++) {
        const char *s = sec[i];
        if (strcmp(s, "cover") == 0)
            section_cover(&b);
        else if (strcmp(s, "summary") == 0)
            section_summary(&b);
        else if (strcmp(s, "histogram") == 0)
            section_histogram(&b);
        else if (strcmp(s, "dimensions") == 0)
            section_dimensions(&b);
        else if (strcmp(s, "flags") == 0)
            section_flags(&b);
        else if (strcmp(s, "lowest") == 0)
            section_rows(&b, 1);
        else if (strcmp(s, "procurements") == 0)
            section_rows(&b, 0);
        else if (strcmp(s, "limitations") == 0)
            section_limitations(&b);
        else if (strcmp(s, "privacy") == 0)
            rb_section_privacy(&b);
        else if (strcmp(s, "method") == 0)
            rb_section_method(&b);
        else
            rdoc_fail(&b.rd, ERR_BAD_INPUT, "unknown section '%s'", s);
    }
    if (b.rd.failed) {
        rc = b.rd.failed;
        goto cleanup;
    }
    rc = rdoc_finish(&b.rd, out, out_len,
                     rb_printf(&b, "%s: %s", rb_label(&b, "buyer.title"), nz(ctx->buyer_name)),
                     nz(ctx->buyer_id),
                     set ? rb_printf(&b, "%s; %s %s", nz(ctx->buyer_id), nz(set->set_id),
                                     nz(set->set_version))
                         : nz(ctx->buyer_id),
                     ctx->generated_at);
cleanup:
    rb_dispose(&b);
    return rc;
}
