/* report_procurement.c - the procurement audit report (SPEC §6): cover, summary, findings
 * in the auditors' form, one section per dimension, frequency in perspective, criteria
 * passed, scope and limitations, timeline, the process tables, data quality, method. */
#include "report_int.h"

#include "json/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LW 150.0f /* label column of key/value rows */
#define DASH "\xE2\x80\x94"

static const char *nz(const char *s)
{
    return s && *s ? s : DASH;
}

static const char *party_name(const model_procurement *p, const char *id)
{
    const model_party *pt = model_party_find(p, id);
    return pt && pt->name ? pt->name : id;
}

static const char *date_s(rbuild *b, model_date d)
{
    char t[16];
    if (!d.present)
        return DASH;
    rfmt_date(t, sizeof t, d.t);
    return rb_printf(b, "%s", t);
}

static const char *amount_s(rbuild *b, const model_amount *a)
{
    char t[96];
    if (!a->present)
        return DASH;
    rfmt_amount(t, sizeof t, a);
    return rb_printf(b, "%s", t);
}

static const char *join_ids(rbuild *b, char **ids, size_t n, const model_procurement *p)
{
    buf_t *s = &b->slot[b->next++ % RB_SLOTS];
    buf_reset(s);
    for (size_t i = 0; i < n; i++)
        if ((i && buf_puts(s, "; ")) || buf_puts(s, p ? nz(party_name(p, ids[i])) : nz(ids[i]))) {
            rdoc_fail(&b->rd, ERR_NOMEM, "out of memory");
            return "";
        }
    return n ? buf_cstr(s) : DASH;
}

static const char *fields_s(rbuild *b, const result_t *r)
{
    buf_t *s = &b->slot[b->next++ % RB_SLOTS];
    buf_reset(s);
    for (size_t i = 0; i < r->n_fields; i++)
        if ((i && buf_puts(s, ", ")) || buf_puts(s, nz(r->fields[i]))) {
            rdoc_fail(&b->rd, ERR_NOMEM, "out of memory");
            return "";
        }
    return r->n_fields ? buf_cstr(s) : DASH;
}

static const char *measured_s(rbuild *b, const result_t *r)
{
    if (r->measured_text && *r->measured_text)
        return r->measured_text;
    if (r->has_measured)
        return rb_printf(b, "%g%s%s", r->measured, r->unit ? " " : "", r->unit ? r->unit : "");
    return DASH;
}

static const char *threshold_s(rbuild *b, const result_t *r)
{
    if (r->threshold_text && *r->threshold_text)
        return r->threshold_text;
    if (r->has_threshold)
        return rb_printf(b, "%g%s%s", r->threshold, r->unit ? " " : "", r->unit ? r->unit : "");
    return DASH;
}

static const report_frequency *freq_of(const report_context *c, const char *id)
{
    for (size_t i = 0; c && id && i < c->n_frequencies; i++)
        if (c->frequencies[i].criterion_id && strcmp(c->frequencies[i].criterion_id, id) == 0)
            return &c->frequencies[i];
    return NULL;
}

static const char *freq_s(rbuild *b, const report_frequency *f)
{
    char n[24], m[24];
    snprintf(n, sizeof n, "%ld", f->flagged);
    snprintf(m, sizeof m, "%ld", f->assessed);
    return rb_fmt(b, "frequency.sentence", "n", n, "m", m, NULL);
}

/* Appends the members of a JSON object as "key = value; ..." (nested objects as
 * "key.sub = value", up to 3 levels; arrays of scalars as "[a, b]"). */
static int stats_flatten(buf_t *b, const json_value *v, const char *prefix, int depth)
{
    int rc = 0;

    for (size_t i = 0; i < v->u.object.len && !rc; i++) {
        const char *k = v->u.object.keys[i];
        const json_value *m = v->u.object.values[i];
        if (m->type == JSON_OBJECT && depth < 3) {
            char sub[256];
            int r = snprintf(sub, sizeof sub, "%s%s%s", prefix, *prefix ? "." : "", k);
            if (r > 0 && (size_t)r < sizeof sub)
                rc = stats_flatten(b, m, sub, depth + 1);
            continue;
        }
        if (b->len && (rc = buf_puts(b, "; ")))
            break;
        if (*prefix && ((rc = buf_puts(b, prefix)) || (rc = buf_putc(b, '.'))))
            break;
        if ((rc = buf_puts(b, k)) || (rc = buf_puts(b, " = ")))
            break;
        if (m->type == JSON_STRING)
            rc = buf_append(b, m->u.string.s, m->u.string.len);
        else
            rc = json_write(b, m);
    }
    return rc;
}

/* Population statistics of a result (stats_json) as text for auditors; the JSON text
 * itself when it is not an object. */
static const char *stats_s(rbuild *b, const char *stats_json)
{
    json_value *v = NULL;
    buf_t *s = &b->slot[b->next++ % RB_SLOTS];
    err_t e;

    buf_reset(s);
    if (json_parse(&v, stats_json, strlen(stats_json), &e) != 0 || v->type != JSON_OBJECT ||
        stats_flatten(s, v, "", 0) != 0 || s->len == 0) {
        json_free(v);
        return stats_json;
    }
    json_free(v);
    return buf_cstr(s);
}

/* ------------------------------------------------- result ordering ---- */

static int sev_of(const evaluation_t *ev, const result_t *r)
{
    const criterion_info *c = rb_crit(ev, r->criterion_id);
    return c ? (int)c->sev : -1;
}

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

/* Most severe first, then the lower score, then dimension, criterion id, subject. */
static int cmp_findings(const result_t *a, const result_t *b, const evaluation_t *ev)
{
    int sa = sev_of(ev, a), sb = sev_of(ev, b), c;
    if (sa != sb)
        return sb - sa;
    if (a->score != b->score)
        return a->score < b->score ? -1 : 1;
    if (a->dim != b->dim)
        return (int)a->dim - (int)b->dim;
    if ((c = cmp_str(a->criterion_id, b->criterion_id)))
        return c;
    return cmp_str(a->subject_id, b->subject_id);
}

/* Sorted indices of the results with status `st` (all when st < 0); NULL when none. */
static size_t *results_sorted(rbuild *b, int st, size_t *n_out)
{
    const evaluation_t *ev = b->ev;
    size_t *idx, n = 0;

    *n_out = 0;
    idx = malloc((ev->n_results + 1) * sizeof *idx);
    if (!idx) {
        rdoc_fail(&b->rd, ERR_NOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < ev->n_results; i++)
        if (st < 0 || (int)ev->results[i].status == st)
            idx[n++] = i;
    /* insertion sort: stable, deterministic, and result lists are short */
    for (size_t i = 1; i < n; i++) {
        size_t v = idx[i], j = i;
        while (j > 0 && cmp_findings(&ev->results[v], &ev->results[idx[j - 1]], ev) < 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
    *n_out = n;
    return idx;
}

/* ---------------------------------------------------------- sections ---- */

static void section_cover(rbuild *b)
{
    rdoc *rd = &b->rd;
    const model_procurement *p = b->p;
    const evaluation_t *ev = b->ev;
    buf_t sup;

    rl_page_new(rd);
    rl_para(rd, rtpl_org(b->t), RS_BOLD, 11, 0, RC_GREY);
    rl_heading(rd, 1, rb_label(b, "procurement.title"), 0);
    if (p->title)
        rl_para(rd, p->title, RS_BOLD, 12, 0, RC_BLACK);
    rl_space(rd, 4);
    rl_kv(rd, rb_label(b, "field.ocid"), p->ocid, LW);
    rl_kv(rd, rb_label(b, "field.buyer"),
          p->buyer_id ? rb_printf(b, "%s (%s)", nz(p->buyer_name), p->buyer_id) : nz(p->buyer_name),
          LW);
    if (p->procuring_entity_name &&
        (!p->buyer_name || strcmp(p->procuring_entity_name, p->buyer_name) != 0))
        rl_kv(rd, rb_label(b, "field.procuring_entity"), p->procuring_entity_name, LW);
    /* suppliers: distinct names over the awards, in award order */
    buf_init(&sup, 1u << 16);
    for (size_t i = 0; i < p->n_awards; i++)
        for (size_t k = 0; k < p->awards[i].n_suppliers; k++) {
            const char *nm = party_name(p, p->awards[i].supplier_ids[k]);
            if (!nm || (sup.len && strstr(buf_cstr(&sup), nm)))
                continue;
            if ((sup.len && buf_puts(&sup, "; ")) || buf_puts(&sup, nm))
                break;
        }
    rl_kv(rd, rb_label(b, "field.suppliers"), sup.len ? buf_cstr(&sup) : DASH, LW);
    buf_dispose(&sup);
    if (p->procurement_method)
        rl_kv(rd, rb_label(b, "field.method"),
              p->procurement_method_details
                  ? rb_printf(b, "%s (%s)", p->procurement_method, p->procurement_method_details)
                  : p->procurement_method,
              LW);
    if (p->main_procurement_category)
        rl_kv(rd, rb_label(b, "field.category"), p->main_procurement_category, LW);
    rl_kv(rd, rb_label(b, "field.estimated_value"), amount_s(b, &p->tender_value), LW);
    for (size_t i = 0; i < p->n_awards; i++)
        if (p->awards[i].value.present)
            rl_kv(rd, rb_fmt(b, "field.award_value", "id", nz(p->awards[i].id), NULL),
                  amount_s(b, &p->awards[i].value), LW);
    for (size_t i = 0; i < p->n_contracts && i < 20; i++)
        if (p->contracts[i].value.present)
            rl_kv(rd, rb_fmt(b, "field.contract_value", "id", nz(p->contracts[i].id), NULL),
                  amount_s(b, &p->contracts[i].value), LW);
    rl_kv(rd, rb_label(b, "field.published"), date_s(b, p->date_published), LW);
    rl_kv(rd, rb_label(b, "field.tender_period"),
          rb_printf(b, "%s \xE2\x80\x93 %s", date_s(b, p->tender_start), date_s(b, p->tender_end)),
          LW);
    /* the first award decision and the first signature: the rest is in the timeline */
    {
        model_date aw = {0}, sg = {0};
        for (size_t i = 0; i < p->n_awards; i++)
            if (p->awards[i].date.present && (!aw.present || p->awards[i].date.t < aw.t))
                aw = p->awards[i].date;
        for (size_t i = 0; i < p->n_contracts; i++)
            if (p->contracts[i].date_signed.present &&
                (!sg.present || p->contracts[i].date_signed.t < sg.t))
                sg = p->contracts[i].date_signed;
        if (aw.present)
            rl_kv(rd, rb_label(b, "field.award_date"), date_s(b, aw), LW);
        if (sg.present)
            rl_kv(rd, rb_label(b, "field.contract_signed"), date_s(b, sg), LW);
    }
    rl_space(rd, 6);
    rl_heading(rd, 2, rb_label(b, "cover.assessment"), 0);
    {
        char s[16], c[16];
        rfmt_pct(c, sizeof c, ev->coverage);
        if (ev->has_overall) {
            rfmt_score(s, sizeof s, ev->overall);
            rl_para(rd, rb_fmt(b, "cover.overall", "score", s, NULL), RS_BOLD, 16, 0,
                    rc_score_color(ev->overall));
        } else {
            rl_para(rd, rb_label(b, "cover.overall_not_assessed"), RS_BOLD, 16, 0, RC_GREY);
        }
        rl_kv(rd, rb_label(b, "field.band"), nz(ev->band), LW);
        rl_kv(rd, rb_label(b, "field.coverage"), c, LW);
    }
    rb_set_identity(b);
    if (ev->created_at)
        rl_kv(rd, rb_label(b, "field.evaluated_at"), ev->created_at, LW);
    {
        char d[40];
        struct tm tm;
        time_t tt = (time_t)b->ctx->generated_at;
        if (gmtime_r(&tt, &tm) && strftime(d, sizeof d, "%Y-%m-%d %H:%M:%S UTC", &tm))
            rl_kv(rd, rb_label(b, "field.generated_at"), d, LW);
    }
    rl_kv(rd, rb_label(b, "field.audience"),
          rb_label(b, b->ctx->audience == REPORT_PUBLIC ? "audience.public" : "audience.internal"),
          LW);
    if (b->ctx->audience == REPORT_PUBLIC)
        rl_para(rd, rb_label(b, "privacy.statement"), RS_REGULAR, RL_SMALL, 0, RC_GREY);
    rl_space(rd, 4);
    rl_heading(rd, 2, rb_label(b, "cover.sources"), 0);
    if (b->ctx->n_sources == 0) {
        rl_para(rd, rb_label(b, "cover.no_sources"), RS_REGULAR, RL_BODY, 0, RC_GREY);
    } else {
        for (size_t i = 0; i < b->ctx->n_sources; i++) {
            const report_source *s = &b->ctx->sources[i];
            rl_kv(rd, rb_label(b, "col.file"),
                  rb_fmt(b, "cover.source_line", "name", nz(s->name), "format", nz(s->format),
                         "received", nz(s->received_at), NULL),
                  LW);
            rl_kv_sized(rd, rb_label(b, "col.sha256"), nz(s->sha256), LW, 7.5f);
        }
    }
}

static void section_summary(rbuild *b)
{
    rdoc *rd = &b->rd;
    const evaluation_t *ev = b->ev;
    const char *labels[DIM_COUNT + 1], *notes[DIM_COUNT + 1];
    int has[DIM_COUNT + 1], has_ref[DIM_COUNT + 1];
    double vals[DIM_COUNT + 1], ref[DIM_COUNT + 1];
    size_t counts[4] = {0}, nflag, *idx;
    int any_ref = 0;

    rl_heading(rd, 1, rb_label(b, "section.summary"), 1);
    for (size_t d = 0; d < DIM_COUNT; d++) {
        char c[16];
        labels[d] = rb_dim_label(b, (dimension)d);
        has[d] = ev->has_dim_score[d];
        vals[d] = ev->dim_score[d];
        rfmt_pct(c, sizeof c, ev->dim_coverage[d]);
        notes[d] = rb_fmt(b, "chart.coverage", "coverage", c, NULL);
        has_ref[d] = b->ctx->dim_dist[d].present;
        ref[d] = b->ctx->dim_dist[d].median;
        any_ref |= has_ref[d];
    }
    {
        char c[16];
        labels[DIM_COUNT] = rb_label(b, "dim.overall");
        has[DIM_COUNT] = ev->has_overall;
        vals[DIM_COUNT] = ev->overall;
        rfmt_pct(c, sizeof c, ev->coverage);
        notes[DIM_COUNT] = rb_fmt(b, "chart.coverage", "coverage", c, NULL);
        has_ref[DIM_COUNT] = b->ctx->overall_dist.present;
        ref[DIM_COUNT] = b->ctx->overall_dist.median;
        any_ref |= has_ref[DIM_COUNT];
    }
    /* the notes live in rotating slots: copy them before more formatting */
    {
        char *keep[DIM_COUNT + 1] = {0};
        for (size_t d = 0; d <= DIM_COUNT; d++)
            keep[d] = strdup(notes[d]);
        for (size_t d = 0; d <= DIM_COUNT; d++)
            notes[d] = keep[d] ? keep[d] : "";
        rl_para(rd, rb_label(b, "summary.chart_title"), RS_BOLD, RL_BODY, 0, RC_BLACK);
        rc_score_bars(rd, DIM_COUNT + 1, labels, has, vals, notes, any_ref ? has_ref : NULL, ref,
                      rb_label(b, "score.not_assessed"), rb_label(b, "chart.median"));
        for (size_t d = 0; d <= DIM_COUNT; d++)
            free(keep[d]);
    }
    for (size_t i = 0; i < ev->n_results; i++)
        if ((unsigned)ev->results[i].status < 4)
            counts[ev->results[i].status]++;
    {
        char f[24], p[24], n[24], a[24];
        snprintf(f, sizeof f, "%zu", counts[RESULT_FLAG]);
        snprintf(p, sizeof p, "%zu", counts[RESULT_PASS]);
        snprintf(n, sizeof n, "%zu", counts[RESULT_INSUFFICIENT_DATA]);
        snprintf(a, sizeof a, "%zu", counts[RESULT_NOT_APPLICABLE]);
        rl_para(rd, rb_fmt(b, "summary.counts", "flags", f, "passed", p, "insufficient", n, "na", a,
                           NULL),
                RS_REGULAR, RL_BODY, 0, RC_BLACK);
    }
    idx = results_sorted(b, RESULT_FLAG, &nflag);
    if (nflag) {
        rtable t;
        const float w[] = {1.2f, 1.2f, 4, 2.2f, 2.2f};
        const char *h[] = {rb_label(b, "col.severity"), rb_label(b, "col.criterion"),
                           rb_label(b, "col.title"), rb_label(b, "col.measured"),
                           rb_label(b, "col.threshold")};
        rl_para(rd, rb_label(b, "summary.flags_title"), RS_BOLD, RL_BODY, 0, RC_BLACK);
        rt_begin(&t, rd, 5, w, h);
        for (size_t i = 0; i < nflag; i++) {
            const result_t *r = &ev->results[idx[i]];
            const criterion_info *c = rb_crit(ev, r->criterion_id);
            const char *row[] = {c ? rb_sev_label(b, c->sev) : DASH, nz(r->criterion_id),
                                 c ? nz(c->title) : nz(r->indicator), measured_s(b, r),
                                 threshold_s(b, r)};
            rt_row(&t, row);
        }
        rt_end(&t);
    } else {
        rl_para(rd, rb_label(b, "summary.no_flags"), RS_REGULAR, RL_BODY, 0, RC_BLACK);
    }
    free(idx);
}

static void section_findings(rbuild *b)
{
    rdoc *rd = &b->rd;
    const evaluation_t *ev = b->ev;
    size_t n, *idx;

    rl_heading(rd, 1, rb_label(b, "section.findings"), 1);
    rl_para(rd, rb_label(b, "findings.intro"), RS_REGULAR, RL_BODY, 0, RC_GREY);
    idx = results_sorted(b, RESULT_FLAG, &n);
    if (n == 0)
        rl_para(rd, rb_label(b, "summary.no_flags"), RS_REGULAR, RL_BODY, 0, RC_BLACK);
    for (size_t i = 0; i < n && !rd->failed; i++) {
        const result_t *r = &ev->results[idx[i]];
        const criterion_info *c = rb_crit(ev, r->criterion_id);
        const report_frequency *f = freq_of(b->ctx, r->criterion_id);
        char k[24];
        snprintf(k, sizeof k, "%zu", i + 1);
        rl_heading(rd, 2, rb_fmt(b, "findings.heading", "n", k, "title", c ? nz(c->title) : nz(r->indicator),
                                 "id", nz(r->criterion_id), NULL),
                   0);
        rl_kv(rd, rb_label(b, "col.severity"),
              rb_printf(b, "%s \xC2\xB7 %s", c ? rb_sev_label(b, c->sev) : DASH,
                        rb_dim_label(b, r->dim)),
              LW);
        rl_kv(rd, rb_label(b, "findings.subject"),
              rb_printf(b, "%s %s", nz(r->subject_kind), nz(r->subject_id)), LW);
        rl_kv(rd, rb_label(b, "findings.criteria"),
              rb_fmt(b, "findings.criteria_text", "title", c ? nz(c->title) : nz(r->indicator),
                     "threshold", threshold_s(b, r), "params", c ? nz(c->params_text) : DASH,
                     "source", c ? nz(c->source) : DASH, NULL),
              LW);
        rl_kv(rd, rb_label(b, "findings.condition"),
              rb_fmt(b, "findings.condition_text", "explanation", nz(r->explanation), "measured",
                     measured_s(b, r), "threshold", threshold_s(b, r), "fields", fields_s(b, r),
                     NULL),
              LW);
        rl_kv(rd, rb_label(b, "findings.cause"), rb_label(b, "findings.cause_text"), LW);
        rl_kv(rd, rb_label(b, "findings.effect"), c ? nz(c->why) : DASH, LW);
        rl_kv(rd, rb_label(b, "findings.recommendation"), c ? nz(c->recommendation) : DASH, LW);
        if (c && c->check && *c->check)
            rl_kv(rd, rb_label(b, "findings.check"), c->check, LW);
        if (f)
            rl_kv(rd, rb_label(b, "findings.frequency"), freq_s(b, f), LW);
        if (r->stats_json && *r->stats_json)
            rl_kv(rd, rb_label(b, "findings.population"), stats_s(b, r->stats_json), LW);
        rl_space(rd, 4);
    }
    free(idx);
}

/* The award criteria as published (OCDS tender[.lots[]].awardCriteria.criteria[], eForms
 * BT-539 type, BT-540 description, BT-541 weight with its kind BT-5421..5423), shown in the
 * evaluation dimension so that a reader sees the weights the evaluation indicators judged:
 * the weight as given with its kind, and its share of the total where one was computed. */
static void award_criteria_table(rbuild *b)
{
    rdoc *rd = &b->rd;
    const model_procurement *p = b->p;
    rtable t;
    const float w[] = {1.1f, 1.2f, 4.2f, 1.8f, 1.2f};
    const char *h[] = {rb_label(b, "col.lot"), rb_label(b, "col.type"), rb_label(b, "col.name"),
                       rb_label(b, "col.weight"), rb_label(b, "col.share")};

    rl_heading(rd, 3, rb_label(b, "award_criteria.heading"), 0);
    if (p->n_award_criteria == 0) {
        rl_para(rd, rb_label(b, "award_criteria.none"), RS_REGULAR, RL_BODY, 0, RC_GREY);
        return;
    }
    rt_begin(&t, rd, 5, w, h);
    for (size_t i = 0; i < p->n_award_criteria && !rd->failed; i++) {
        const model_award_criterion *ac = &p->award_criteria_list[i];
        char share[16];
        const char *name = ac->name ? ac->name : nz(ac->description);

        if (ac->has_share)
            rfmt_pct(share, sizeof share, ac->share);
        else
            snprintf(share, sizeof share, "-");
        {
            const char *row[] = {
                nz(ac->related_lot),
                nz(ac->type),
                name,
                ac->has_weight ? rb_printf(b, "%g%s%s", ac->weight, ac->weight_kind ? " " : "",
                                           ac->weight_kind ? ac->weight_kind : "")
                               : "-",
                share,
            };
            rt_row(&t, row);
        }
    }
    rt_end(&t);
}

static void section_dimensions(rbuild *b)
{
    rdoc *rd = &b->rd;
    const evaluation_t *ev = b->ev;
    size_t n, *idx;

    rl_heading(rd, 1, rb_label(b, "section.dimensions"), 1);
    idx = results_sorted(b, -1, &n);
    for (size_t d = 0; d < DIM_COUNT && !rd->failed; d++) {
        char s[16], c[16];
        rtable t;
        const float w[] = {1.1f, 2.6f, 1.2f, 1.6f, 1.6f, 3.6f};
        const char *h[] = {rb_label(b, "col.criterion"), rb_label(b, "col.title"),
                           rb_label(b, "col.status"), rb_label(b, "col.measured"),
                           rb_label(b, "col.threshold"), rb_label(b, "col.explanation")};
        size_t shown = 0;

        rfmt_pct(c, sizeof c, ev->dim_coverage[d]);
        if (ev->has_dim_score[d]) {
            rfmt_score(s, sizeof s, ev->dim_score[d]);
            rl_heading(rd, 2, rb_fmt(b, "dimension.heading", "dimension", rb_dim_label(b, (dimension)d),
                                     "score", s, "coverage", c, NULL),
                       0);
        } else {
            rl_heading(rd, 2, rb_fmt(b, "dimension.heading_na", "dimension",
                                     rb_dim_label(b, (dimension)d), "coverage", c, NULL),
                       0);
        }
        /* in the order of the criteria set, then the finding order within one criterion */
        for (size_t ci = 0; ci <= ev->n_criteria; ci++) {
            for (size_t i = 0; i < n; i++) {
                const result_t *r = &ev->results[idx[i]];
                const criterion_info *cr = rb_crit(ev, r->criterion_id);
                if (r->dim != (dimension)d)
                    continue;
                if (ci < ev->n_criteria ? cr != &ev->criteria[ci] : cr != NULL)
                    continue;
                if (shown++ == 0)
                    rt_begin(&t, rd, 6, w, h);
                {
                    const char *row[] = {
                        nz(r->criterion_id),
                        cr ? nz(cr->title) : nz(r->indicator),
                        rb_status_label(b, r->status),
                        measured_s(b, r),
                        threshold_s(b, r),
                        rb_printf(b, "%s%s%s%s %s", nz(r->explanation),
                                  r->subject_kind && strcmp(r->subject_kind, "procurement") != 0
                                      ? " ("
                                      : "",
                                  r->subject_kind && strcmp(r->subject_kind, "procurement") != 0
                                      ? rb_printf(b, "%s %s)", r->subject_kind, nz(r->subject_id))
                                      : "",
                                  r->n_fields ? rb_printf(b, " %s", rb_label(b, "col.fields")) : "",
                                  r->n_fields ? fields_s(b, r) : ""),
                    };
                    rt_row(&t, row);
                }
            }
        }
        if (shown)
            rt_end(&t);
        else
            rl_para(rd, rb_label(b, "dimension.no_results"), RS_REGULAR, RL_BODY, 0, RC_GREY);
        if (d == DIM_EVALUATION && !rd->failed)
            award_criteria_table(b);
    }
    free(idx);
}

static void section_frequency(rbuild *b)
{
    rdoc *rd = &b->rd;
    const report_context *ctx = b->ctx;
    const evaluation_t *ev = b->ev;
    char m[24];

    rl_heading(rd, 1, rb_label(b, "section.frequency"), 0);
    snprintf(m, sizeof m, "%ld", ctx->buyer_total);
    if (ctx->n_frequencies == 0 || ctx->buyer_total <= 0) {
        rl_para(rd, rb_label(b, "frequency.none"), RS_REGULAR, RL_BODY, 0, RC_GREY);
    } else {
        rtable t;
        const float w[] = {1.2f, 4, 3, 1.2f};
        const char *h[] = {rb_label(b, "col.criterion"), rb_label(b, "col.title"),
                           rb_label(b, "col.frequency"), rb_label(b, "col.this")};
        rl_para(rd, rb_fmt(b, "frequency.intro", "m", m, "buyer", nz(b->p->buyer_name), NULL),
                RS_REGULAR, RL_BODY, 0, RC_BLACK);
        rt_begin(&t, rd, 4, w, h);
        for (size_t i = 0; i < ctx->n_frequencies; i++) {
            const report_frequency *f = &ctx->frequencies[i];
            const criterion_info *c = rb_crit(ev, f->criterion_id);
            const char *mine = DASH;
            int found = 0;
            for (size_t k = 0; k < ev->n_results; k++)
                if (cmp_str(ev->results[k].criterion_id, f->criterion_id) == 0 &&
                    (ev->results[k].status == RESULT_FLAG || !found)) {
                    mine = rb_status_label(b, ev->results[k].status);
                    found = 1;
                }
            {
                const char *row[] = {nz(f->criterion_id), c ? nz(c->title) : DASH, freq_s(b, f),
                                     mine};
                rt_row(&t, row);
            }
        }
        rt_end(&t);
    }
    if (ctx->overall_dist.present) {
        const report_distribution *dd = &ctx->overall_dist;
        char n[24], q1[16], md[16], q3[16], mn[16], mx[16], me[16];
        snprintf(n, sizeof n, "%ld", dd->n);
        rfmt_score(q1, sizeof q1, dd->q1);
        rfmt_score(md, sizeof md, dd->median);
        rfmt_score(q3, sizeof q3, dd->q3);
        rfmt_score(mn, sizeof mn, dd->min);
        rfmt_score(mx, sizeof mx, dd->max);
        if (ev->has_overall)
            rfmt_score(me, sizeof me, ev->overall);
        else
            snprintf(me, sizeof me, "%s", DASH);
        rl_para(rd, rb_fmt(b, "population.sentence", "scope", nz(ctx->population_scope), "n", n,
                           "min", mn, "q1", q1, "median", md, "q3", q3, "max", mx, "this", me,
                           NULL),
                RS_REGULAR, RL_BODY, 0, RC_BLACK);
    }
}

static void section_passed(rbuild *b)
{
    rdoc *rd = &b->rd;
    const evaluation_t *ev = b->ev;
    size_t n, *idx;

    rl_heading(rd, 1, rb_label(b, "section.passed"), 0);
    rl_para(rd, rb_label(b, "passed.intro"), RS_REGULAR, RL_BODY, 0, RC_GREY);
    idx = results_sorted(b, RESULT_PASS, &n);
    if (n) {
        rtable t;
        const float w[] = {1.2f, 1.4f, 4, 2, 2};
        const char *h[] = {rb_label(b, "col.criterion"), rb_label(b, "col.dimension"),
                           rb_label(b, "col.title"), rb_label(b, "col.measured"),
                           rb_label(b, "col.threshold")};
        rt_begin(&t, rd, 5, w, h);
        for (size_t i = 0; i < n; i++) {
            const result_t *r = &ev->results[idx[i]];
            const criterion_info *c = rb_crit(ev, r->criterion_id);
            const char *row[] = {nz(r->criterion_id), rb_dim_label(b, r->dim),
                                 c ? nz(c->title) : nz(r->indicator), measured_s(b, r),
                                 threshold_s(b, r)};
            rt_row(&t, row);
        }
        rt_end(&t);
    } else {
        rl_para(rd, rb_label(b, "passed.none"), RS_REGULAR, RL_BODY, 0, RC_BLACK);
    }
    free(idx);
}

/* Where the placeholder note goes once the whole document is drawn. */
typedef struct {
    HPDF_Page page;
    float y;
} reserved_line;

static void section_limitations(rbuild *b, reserved_line *res)
{
    rdoc *rd = &b->rd;
    const evaluation_t *ev = b->ev;
    const model_procurement *p = b->p;
    size_t n, *idx;
    buf_t miss;

    rl_heading(rd, 1, rb_label(b, "section.limitations"), 1);
    rl_para(rd, rb_label(b, "limitations.intro"), RS_REGULAR, RL_BODY, 0, RC_BLACK);
    for (size_t d = 0; d < DIM_COUNT; d++) {
        char c[16];
        rfmt_pct(c, sizeof c, ev->dim_coverage[d]);
        rl_kv(rd, rb_fmt(b, "limitations.coverage_of", "dimension", rb_dim_label(b, (dimension)d), NULL),
              c, LW);
    }
    /* What the data does not say that reports and criteria commonly need. */
    buf_init(&miss, 1u << 14);
    {
        struct {
            int absent;
            const char *field;
        } checks[] = {
            {!p->tender_value.present, "tender.value"},
            {!p->date_published.present, "tender.datePublished"},
            {!p->tender_start.present, "tender.tenderPeriod.startDate"},
            {!p->tender_end.present, "tender.tenderPeriod.endDate"},
            {!p->procurement_method, "tender.procurementMethod"},
            {!p->description, "tender.description"},
            {p->n_bids == 0, "bids.details"},
            {p->n_awards == 0, "awards"},
            {p->n_contracts == 0, "contracts"},
            {p->n_award_criteria == 0 && !p->award_criteria, "tender.awardCriteria"},
        };
        for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
            if (checks[i].absent && ((miss.len && buf_puts(&miss, ", ")) ||
                                     buf_puts(&miss, checks[i].field)))
                break;
    }
    rl_kv(rd, rb_label(b, "limitations.missing_fields"), miss.len ? buf_cstr(&miss) : DASH, LW);
    buf_dispose(&miss);
    idx = results_sorted(b, RESULT_INSUFFICIENT_DATA, &n);
    rl_para(rd, rb_label(b, "limitations.insufficient"), RS_BOLD, RL_BODY, 0, RC_BLACK);
    if (n) {
        rtable t;
        const float w[] = {1.2f, 3, 4, 3};
        const char *h[] = {rb_label(b, "col.criterion"), rb_label(b, "col.title"),
                           rb_label(b, "col.explanation"), rb_label(b, "col.fields_read")};
        rt_begin(&t, rd, 4, w, h);
        for (size_t i = 0; i < n; i++) {
            const result_t *r = &ev->results[idx[i]];
            const criterion_info *c = rb_crit(ev, r->criterion_id);
            const char *row[] = {nz(r->criterion_id), c ? nz(c->title) : nz(r->indicator),
                                 nz(r->explanation), fields_s(b, r)};
            rt_row(&t, row);
        }
        rt_end(&t);
    } else {
        rl_para(rd, DASH, RS_REGULAR, RL_BODY, 0, RC_BLACK);
    }
    free(idx);
    idx = results_sorted(b, RESULT_NOT_APPLICABLE, &n);
    rl_para(rd, rb_label(b, "limitations.not_applicable"), RS_BOLD, RL_BODY, 0, RC_BLACK);
    if (n) {
        rtable t;
        const float w[] = {1.2f, 3, 6};
        const char *h[] = {rb_label(b, "col.criterion"), rb_label(b, "col.title"),
                           rb_label(b, "col.explanation")};
        rt_begin(&t, rd, 3, w, h);
        for (size_t i = 0; i < n; i++) {
            const result_t *r = &ev->results[idx[i]];
            const criterion_info *c = rb_crit(ev, r->criterion_id);
            const char *row[] = {nz(r->criterion_id), c ? nz(c->title) : nz(r->indicator),
                                 nz(r->explanation)};
            rt_row(&t, row);
        }
        rt_end(&t);
    } else {
        rl_para(rd, DASH, RS_REGULAR, RL_BODY, 0, RC_BLACK);
    }
    free(idx);
    rl_para(rd, rb_label(b, "limitations.out_of_scope"), RS_REGULAR, RL_BODY, 0, RC_BLACK);
    rl_need(rd, RL_BODY * RL_LEADING * 3);
    res->page = rd->page;
    res->y = rd->y;
    rd->y -= RL_BODY * RL_LEADING * 3;
}

typedef struct {
    int64_t t;
    const char *what;   /* label text (stable slot copy) */
    char *detail;       /* owned */
} tl_event;

static int tl_add(tl_event **ev, size_t *n, size_t *cap, model_date d, const char *what,
                  const char *detail)
{
    if (!d.present)
        return 0;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        tl_event *ne = realloc(*ev, nc * sizeof *ne);
        if (!ne)
            return ERR_NOMEM;
        *ev = ne;
        *cap = nc;
    }
    (*ev)[*n] = (tl_event){d.t, what, strdup(detail ? detail : "")};
    if (!(*ev)[*n].detail)
        return ERR_NOMEM;
    (*n)++;
    return 0;
}

static void section_timeline(rbuild *b)
{
    rdoc *rd = &b->rd;
    const model_procurement *p = b->p;
    tl_event *ev = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    const char *l_pub = rb_label(b, "timeline.published"), *l_ts = rb_label(b, "timeline.tender_start"),
               *l_te = rb_label(b, "timeline.tender_end"), *l_aw = rb_label(b, "timeline.award"),
               *l_cs = rb_label(b, "timeline.contract_signed"),
               *l_cps = rb_label(b, "timeline.contract_start"),
               *l_cpe = rb_label(b, "timeline.contract_end"),
               *l_am = rb_label(b, "timeline.amendment"),
               *l_p1 = rb_label(b, "timeline.first_payment"),
               *l_pn = rb_label(b, "timeline.last_payment");

    rl_heading(rd, 1, rb_label(b, "section.timeline"), 1);
    rc |= tl_add(&ev, &n, &cap, p->date_published, l_pub, "tender.datePublished");
    rc |= tl_add(&ev, &n, &cap, p->tender_start, l_ts, "tender.tenderPeriod.startDate");
    rc |= tl_add(&ev, &n, &cap, p->tender_end, l_te, "tender.tenderPeriod.endDate");
    for (size_t i = 0; i < p->n_awards && !rc; i++)
        rc |= tl_add(&ev, &n, &cap, p->awards[i].date, l_aw, rb_printf(b, "awards[%s].date", nz(p->awards[i].id)));
    for (size_t i = 0; i < p->n_contracts && !rc; i++) {
        const model_contract *c = &p->contracts[i];
        model_date first = {0}, last = {0};
        rc |= tl_add(&ev, &n, &cap, c->date_signed, l_cs, rb_printf(b, "contracts[%s].dateSigned", nz(c->id)));
        rc |= tl_add(&ev, &n, &cap, c->period_start, l_cps, rb_printf(b, "contracts[%s].period.startDate", nz(c->id)));
        rc |= tl_add(&ev, &n, &cap, c->period_end, l_cpe, rb_printf(b, "contracts[%s].period.endDate", nz(c->id)));
        for (size_t k = 0; k < c->n_amendments && k < 30 && !rc; k++)
            rc |= tl_add(&ev, &n, &cap, c->amendments[k].date, l_am,
                         rb_printf(b, "contracts[%s].amendments[%s]", nz(c->id), nz(c->amendments[k].id)));
        for (size_t k = 0; k < c->n_transactions; k++) {
            model_date d = c->transactions[k].date;
            if (!d.present)
                continue;
            if (!first.present || d.t < first.t)
                first = d;
            if (!last.present || d.t > last.t)
                last = d;
        }
        rc |= tl_add(&ev, &n, &cap, first, l_p1, rb_printf(b, "contracts[%s].implementation.transactions", nz(c->id)));
        if (last.present && last.t != first.t)
            rc |= tl_add(&ev, &n, &cap, last, l_pn, rb_printf(b, "contracts[%s].implementation.transactions", nz(c->id)));
    }
    if (rc) {
        rdoc_fail(rd, ERR_NOMEM, "out of memory (timeline)");
        goto cleanup;
    }
    /* stable sort by date */
    for (size_t i = 1; i < n; i++) {
        tl_event v = ev[i];
        size_t j = i;
        while (j > 0 && ev[j - 1].t > v.t) {
            ev[j] = ev[j - 1];
            j--;
        }
        ev[j] = v;
    }
    if (n == 0) {
        rl_para(rd, rb_label(b, "timeline.none"), RS_REGULAR, RL_BODY, 0, RC_GREY);
        goto cleanup;
    }
    {
        int64_t *ts = malloc(n * sizeof *ts);
        char (*num)[24] = malloc(n * sizeof *num);
        const char **lab = malloc(n * sizeof *lab);
        if (ts && num && lab) {
            for (size_t i = 0; i < n; i++) {
                ts[i] = ev[i].t;
                snprintf(num[i], sizeof num[i], "%zu", i + 1);
                lab[i] = num[i];
            }
            rc_timeline(rd, n, ts, lab);
        } else {
            rdoc_fail(rd, ERR_NOMEM, "out of memory (timeline)");
        }
        if (!rd->failed) {
            rtable t;
            const float w[] = {0.5f, 1.3f, 3, 4};
            const char *h[] = {"#", rb_label(b, "col.date"), rb_label(b, "col.event"),
                               rb_label(b, "col.fields_read")};
            rt_begin(&t, rd, 4, w, h);
            for (size_t i = 0; i < n; i++) {
                char d[16];
                rfmt_date(d, sizeof d, ev[i].t);
                {
                    const char *row[] = {num[i], d, ev[i].what, ev[i].detail};
                    rt_row(&t, row);
                }
            }
            rt_end(&t);
        }
        free(ts);
        free(num);
        free(lab);
    }
cleanup:
    for (size_t i = 0; i < n; i++)
        free(ev[i].detail);
    free(ev);
}

static const char *roles_s(rbuild *b, const model_party *pt)
{
    buf_t *s = &b->slot[b->next++ % RB_SLOTS];
    buf_reset(s);
    for (size_t i = 0; i < pt->n_roles; i++)
        if ((i && buf_puts(s, ", ")) || buf_puts(s, nz(pt->roles[i])))
            return "";
    return pt->n_roles ? buf_cstr(s) : DASH;
}

static void section_parties(rbuild *b)
{
    rdoc *rd = &b->rd;
    const model_procurement *p = b->p;
    int pub = b->ctx->audience == REPORT_PUBLIC;
    rtable t;
    const float wi[] = {1.3f, 3, 1.6f, 1.8f, 1.8f, 3};
    const char *h[] = {rb_label(b, "col.id"), rb_label(b, "col.name"), rb_label(b, "col.roles"),
                       rb_label(b, "col.identifier"), rb_label(b, "col.address"),
                       rb_label(b, "col.contact")};

    rl_heading(rd, 1, rb_label(b, "section.parties"), 1);
    if (pub)
        rl_para(rd, rb_label(b, "privacy.statement"), RS_REGULAR, RL_SMALL, 0, RC_GREY);
    if (p->n_parties == 0) {
        rl_para(rd, DASH, RS_REGULAR, RL_BODY, 0, RC_BLACK);
        return;
    }
    rt_begin(&t, rd, pub ? 5 : 6, wi, h);
    for (size_t i = 0; i < p->n_parties; i++) {
        const model_party *pt = &p->parties[i];
        const char *row[6];
        row[0] = nz(pt->id);
        row[1] = nz(pt->name);
        row[2] = roles_s(b, pt);
        row[3] = pt->identifier_id ? rb_printf(b, "%s %s", pt->identifier_scheme ? pt->identifier_scheme : "",
                                               pt->identifier_id)
                                   : DASH;
        row[4] = pt->locality || pt->country
                     ? rb_printf(b, "%s%s%s", pt->locality ? pt->locality : "",
                                 pt->locality && pt->country ? ", " : "", pt->country ? pt->country : "")
                     : DASH;
        row[5] = pub ? "" : (pt->contact_name || pt->email || pt->telephone)
                               ? rb_printf(b, "%s%s%s%s%s", pt->contact_name ? pt->contact_name : "",
                                           pt->email ? "\n" : "", pt->email ? pt->email : "",
                                           pt->telephone ? "\n" : "", pt->telephone ? pt->telephone : "")
                               : DASH;
        rt_row(&t, row);
    }
    rt_end(&t);
}

static void section_lots(rbuild *b)
{
    rdoc *rd = &b->rd;
    const model_procurement *p = b->p;
    rtable t;
    const float w[] = {1, 4, 1.4f, 2};
    const char *h[] = {rb_label(b, "col.id"), rb_label(b, "col.title"), rb_label(b, "col.status"),
                       rb_label(b, "col.value")};

    rl_heading(rd, 1, rb_label(b, "section.lots"), 0);
    if (p->n_lots == 0) {
        rl_para(rd, rb_label(b, "lots.none"), RS_REGULAR, RL_BODY, 0, RC_GREY);
        return;
    }
    rt_begin(&t, rd, 4, w, h);
    for (size_t i = 0; i < p->n_lots; i++) {
        const model_lot *l = &p->lots[i];
        const char *row[] = {nz(l->id), nz(l->title), nz(l->status), amount_s(b, &l->value)};
        rt_row(&t, row);
    }
    rt_end(&t);
}

static void section_bids(rbuild *b)
{
    rdoc *rd = &b->rd;
    const model_procurement *p = b->p;
    rtable t;
    const float w[] = {1.2f, 3.5f, 1.3f, 2, 1.4f, 1.2f};
    const char *h[] = {rb_label(b, "col.id"), rb_label(b, "col.tenderers"), rb_label(b, "col.date"),
                       rb_label(b, "col.value"), rb_label(b, "col.status"), rb_label(b, "col.lots")};

    rl_heading(rd, 1, rb_label(b, "section.bids"), 1);
    if (p->n_bids == 0) {
        rl_para(rd, rb_label(b, "bids.none"), RS_REGULAR, RL_BODY, 0, RC_GREY);
        return;
    }
    rt_begin(&t, rd, 6, w, h);
    for (size_t i = 0; i < p->n_bids && !rd->failed; i++) {
        const model_bid *bd = &p->bids[i];
        const char *row[] = {nz(bd->id),
                             join_ids(b, bd->tenderer_ids, bd->n_tenderers, p),
                             date_s(b, bd->date),
                             amount_s(b, &bd->value),
                             bd->status_raw && bd->status
                                 ? rb_printf(b, "%s (%s)", bd->status, bd->status_raw)
                                 : nz(bd->status),
                             join_ids(b, bd->related_lots, bd->n_related_lots, NULL)};
        rt_row(&t, row);
    }
    rt_end(&t);
}

static void section_awards(rbuild *b)
{
    rdoc *rd = &b->rd;
    const model_procurement *p = b->p;
    rtable t;
    const float w[] = {1.2f, 1.2f, 1.3f, 3.5f, 2, 1.2f};
    const char *h[] = {rb_label(b, "col.id"), rb_label(b, "col.status"), rb_label(b, "col.date"),
                       rb_label(b, "col.suppliers"), rb_label(b, "col.value"), rb_label(b, "col.lots")};

    rl_heading(rd, 1, rb_label(b, "section.awards"), 0);
    if (p->n_awards == 0) {
        rl_para(rd, rb_label(b, "awards.none"), RS_REGULAR, RL_BODY, 0, RC_GREY);
        return;
    }
    rt_begin(&t, rd, 6, w, h);
    for (size_t i = 0; i < p->n_awards && !rd->failed; i++) {
        const model_award *a = &p->awards[i];
        const char *row[] = {nz(a->id), nz(a->status), date_s(b, a->date),
                             join_ids(b, a->supplier_ids, a->n_suppliers, p), amount_s(b, &a->value),
                             join_ids(b, a->related_lots, a->n_related_lots, NULL)};
        rt_row(&t, row);
    }
    rt_end(&t);
}

static void section_contracts(rbuild *b)
{
    rdoc *rd = &b->rd;
    const model_procurement *p = b->p;
    rtable t;
    const float w[] = {1.2f, 1.2f, 1.2f, 1.3f, 2.4f, 2, 2};
    const char *h[] = {rb_label(b, "col.id"),     rb_label(b, "col.award"),
                       rb_label(b, "col.status"), rb_label(b, "col.signed"),
                       rb_label(b, "col.period"), rb_label(b, "col.original_value"),
                       rb_label(b, "col.value")};

    rl_heading(rd, 1, rb_label(b, "section.contracts"), 0);
    if (p->n_contracts == 0) {
        rl_para(rd, rb_label(b, "contracts.none"), RS_REGULAR, RL_BODY, 0, RC_GREY);
        return;
    }
    rt_begin(&t, rd, 7, w, h);
    for (size_t i = 0; i < p->n_contracts && !rd->failed; i++) {
        const model_contract *c = &p->contracts[i];
        const char *row[] = {nz(c->id), nz(c->award_id), nz(c->status), date_s(b, c->date_signed),
                             rb_printf(b, "%s \xE2\x80\x93 %s", date_s(b, c->period_start),
                                       date_s(b, c->period_end)),
                             amount_s(b, &c->original_value), amount_s(b, &c->value)};
        rt_row(&t, row);
    }
    rt_end(&t);
}

static void section_amendments(rbuild *b)
{
    rdoc *rd = &b->rd;
    const model_procurement *p = b->p;
    rtable t;
    const float w[] = {1.1f, 1.1f, 1.3f, 5, 2};
    const char *h[] = {rb_label(b, "col.contract"), rb_label(b, "col.id"), rb_label(b, "col.date"),
                       rb_label(b, "col.rationale"), rb_label(b, "col.value_after")};
    size_t shown = 0;

    rl_heading(rd, 1, rb_label(b, "section.amendments"), 0);
    for (size_t i = 0; i < p->n_contracts && !rd->failed; i++) {
        const model_contract *c = &p->contracts[i];
        for (size_t k = 0; k < c->n_amendments && !rd->failed; k++) {
            const model_amendment *a = &c->amendments[k];
            const char *row[] = {
                nz(c->id), nz(a->id), date_s(b, a->date),
                a->rationale && a->description
                    ? rb_printf(b, "%s \xE2\x80\x94 %s", a->rationale, a->description)
                    : nz(a->rationale ? a->rationale : a->description),
                a->has_amended_value ? amount_s(b, &a->amended_value) : DASH};
            if (shown++ == 0)
                rt_begin(&t, rd, 5, w, h);
            rt_row(&t, row);
        }
    }
    if (shown)
        rt_end(&t);
    else
        rl_para(rd, rb_label(b, "amendments.none"), RS_REGULAR, RL_BODY, 0, RC_GREY);
}

static void section_payments(rbuild *b)
{
    rdoc *rd = &b->rd;
    const model_procurement *p = b->p;
    rtable t;
    const float w[] = {1.1f, 1.1f, 1.3f, 2.6f, 2.6f, 2};
    const char *h[] = {rb_label(b, "col.contract"), rb_label(b, "col.id"), rb_label(b, "col.date"),
                       rb_label(b, "col.payer"), rb_label(b, "col.payee"), rb_label(b, "col.value")};
    size_t shown = 0;

    rl_heading(rd, 1, rb_label(b, "section.payments"), 0);
    for (size_t i = 0; i < p->n_contracts && !rd->failed; i++) {
        const model_contract *c = &p->contracts[i];
        model_amount sum = {0};
        int mixed = 0;
        for (size_t k = 0; k < c->n_transactions && !rd->failed; k++) {
            const model_transaction *x = &c->transactions[k];
            const char *row[] = {nz(c->id), nz(x->id), date_s(b, x->date),
                                 x->payer_id ? nz(party_name(p, x->payer_id)) : DASH,
                                 x->payee_id ? nz(party_name(p, x->payee_id)) : DASH,
                                 amount_s(b, &x->value)};
            if (shown++ == 0)
                rt_begin(&t, rd, 6, w, h);
            rt_row(&t, row);
            if (x->value.present) {
                if (!sum.present) {
                    sum = x->value;
                } else if (strcmp(sum.currency, x->value.currency) != 0) {
                    mixed = 1;
                } else {
                    sum.amount += x->value.amount;
                }
            }
        }
        if (c->n_transactions && sum.present) {
            const char *row[] = {nz(c->id), rb_label(b, "payments.total"), "", "",
                                 mixed ? rb_label(b, "payments.mixed_currency") : "",
                                 amount_s(b, &sum)};
            rt_row(&t, row);
        }
    }
    if (shown)
        rt_end(&t);
    else
        rl_para(rd, rb_label(b, "payments.none"), RS_REGULAR, RL_BODY, 0, RC_GREY);
}

static void section_quality(rbuild *b)
{
    rdoc *rd = &b->rd;
    const model_procurement *p = b->p;
    rtable t;
    const float w[] = {2, 3, 5};
    const char *h[] = {rb_label(b, "col.code"), rb_label(b, "col.field"),
                       rb_label(b, "col.message")};

    rl_heading(rd, 1, rb_label(b, "section.quality"), 1);
    if (p->n_notes == 0) {
        rl_para(rd, rb_label(b, "quality.none"), RS_REGULAR, RL_BODY, 0, RC_GREY);
        return;
    }
    rt_begin(&t, rd, 3, w, h);
    for (size_t i = 0; i < p->n_notes && !rd->failed; i++) {
        const model_note *n = &p->notes[i];
        const char *row[] = {nz(n->code), nz(n->field), nz(n->message)};
        rt_row(&t, row);
    }
    rt_end(&t);
}

static void fill_reserved(rbuild *b, const reserved_line *res)
{
    rdoc *rd = &b->rd;
    HPDF_Page keep_page = rd->page;
    float keep_y = rd->y;
    char n[24], ph[8] = {0};
    size_t k = 0;
    uint32_t c = rd->placeholder;

    if (!res->page || rd->failed)
        return;
    if (c < 0x80) {
        ph[k++] = (char)c;
    } else {
        ph[k++] = (char)(0xE0 | c >> 12);
        ph[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
        ph[k++] = (char)(0x80 | (c & 0x3F));
    }
    snprintf(n, sizeof n, "%ld", rd->n_placeholders);
    rd->page = res->page;
    rd->y = res->y;
    rl_para(rd,
            rb_fmt(b, rd->n_placeholders ? "limitations.placeholders" : "limitations.no_placeholders",
                   "n", n, "placeholder", ph, NULL),
            RS_REGULAR, RL_BODY, 0, RC_BLACK);
    rd->page = keep_page;
    rd->y = keep_y;
}

int report_procurement_pdf(unsigned char **out, size_t *out_len, const report_templates *t,
                           const report_fonts *f, const model_procurement *p,
                           const evaluation_t *ev, const report_context *ctx, err_t *e)
{
    rbuild b;
    const char *const *sec;
    size_t nsec;
    reserved_line res = {0};
    int rc;

    *out = NULL;
    *out_len = 0;
    if (!t || !f || !p || !ev || !ctx)
        return err_set(e, ERR_USAGE, "report_procurement_pdf: missing input");
    if (!p->ocid || !ev->ocid || strcmp(p->ocid, ev->ocid) != 0)
        return err_set(e, ERR_BAD_INPUT, "the evaluation (%s) is not of this procurement (%s)",
                       ev->ocid ? ev->ocid : "?", p->ocid ? p->ocid : "?");
    rb_init(&b);
    b.t = t;
    b.ctx = ctx;
    b.ev = ev;
    b.p = p;
    rc = rdoc_open(&b.rd, f, t, ctx->audience == REPORT_PUBLIC, e);
    if (rc)
        goto cleanup;
    if (ctx->audience == REPORT_PUBLIC)
        for (size_t i = 0; i < p->n_parties; i++) {
            rdoc_redact_add(&b.rd, p->parties[i].contact_name);
            rdoc_redact_add(&b.rd, p->parties[i].email);
            rdoc_redact_add(&b.rd, p->parties[i].telephone);
        }
    b.rd.header_left = strdup(rtpl_org(t));
    b.rd.header_right = strdup(rb_printf(&b, "%s \xC2\xB7 %s", rb_label(&b, "procurement.short"), p->ocid));
    {
        char d[16];
        rfmt_date(d, sizeof d, ctx->generated_at);
        b.rd.footer_left = strdup(rb_fmt(&b, "footer.generated", "date", d, "audience",
                                         rb_label(&b, ctx->audience == REPORT_PUBLIC ? "audience.public"
                                                                                   : "audience.internal"),
                                         NULL));
    }
    if (!b.rd.header_left || !b.rd.header_right || !b.rd.footer_left) {
        rc = rdoc_fail(&b.rd, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    nsec = rtpl_sections(t, RKIND_PROCUREMENT, &sec);
    for (size_t i = 0; i < nsec && !b.rd.failed; i++) {
        const char *s = sec[i];
        if (strcmp(s, "cover") == 0)
            section_cover(&b);
        else if (strcmp(s, "summary") == 0)
            section_summary(&b);
        else if (strcmp(s, "findings") == 0)
            section_findings(&b);
        else if (strcmp(s, "dimensions") == 0)
            section_dimensions(&b);
        else if (strcmp(s, "frequency") == 0)
            section_frequency(&b);
        else if (strcmp(s, "passed") == 0)
            section_passed(&b);
        else if (strcmp(s, "limitations") == 0)
            section_limitations(&b, &res);
        else if (strcmp(s, "privacy") == 0)
            rb_section_privacy(&b);
        else if (strcmp(s, "timeline") == 0)
            section_timeline(&b);
        else if (strcmp(s, "parties") == 0)
            section_parties(&b);
        else if (strcmp(s, "lots") == 0)
            section_lots(&b);
        else if (strcmp(s, "bids") == 0)
            section_bids(&b);
        else if (strcmp(s, "awards") == 0)
            section_awards(&b);
        else if (strcmp(s, "contracts") == 0)
            section_contracts(&b);
        else if (strcmp(s, "amendments") == 0)
            section_amendments(&b);
        else if (strcmp(s, "payments") == 0)
            section_payments(&b);
        else if (strcmp(s, "quality") == 0)
            section_quality(&b);
        else if (strcmp(s, "method") == 0)
            rb_section_method(&b);
        else
            rdoc_fail(&b.rd, ERR_BAD_INPUT, "unknown section '%s'", s);
    }
    fill_reserved(&b, &res);
    if (b.rd.failed) {
        rc = b.rd.failed;
        goto cleanup;
    }
    rc = rdoc_finish(&b.rd, out, out_len,
                     rb_printf(&b, "%s: %s", rb_label(&b, "procurement.title"), p->ocid),
                     p->title ? p->title : p->ocid,
                     rb_printf(&b, "%s; %s %s", p->ocid, nz(ev->set_id), nz(ev->set_version)),
                     ctx->generated_at);
cleanup:
    rb_dispose(&b);
    return rc;
}
