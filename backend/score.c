/* score.c - criteria set + procurement -> evaluation; population passes (see score.h). */
#include "score.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct score_population {
    const criteria_set *set;
    void **states; /* one per criterion of the set (NULL when none) */
    size_t n;
    size_t fed;
    int finished;
};

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

static int is_population(const criterion_def *c)
{
    return c->enabled && c->indicator && c->indicator->pop_new && c->indicator->pop_add &&
           c->indicator->pop_finish;
}

static indicator_params params_of(const criterion_def *c)
{
    indicator_params prm;
    memset(&prm, 0, sizeof prm);
    prm.items = c->params;
    prm.n = c->n_params;
    prm.criterion_id = c->id;
    prm.dim = c->dim;
    prm.terse = 0;
    return prm;
}

/* ---------------------------------------------------------------------------------- */
/* Population.                                                                        */

int score_set_has_population(const criteria_set *set)
{
    for (size_t i = 0; i < set->n_criteria; i++)
        if (is_population(&set->criteria[i]))
            return 1;
    return 0;
}

void score_pop_free(score_population *pop)
{
    if (!pop)
        return;
    for (size_t i = 0; i < pop->n; i++)
        if (pop->states[i] && pop->set->criteria[i].indicator->pop_free)
            pop->set->criteria[i].indicator->pop_free(pop->states[i]);
    free(pop->states);
    free(pop);
}

int score_pop_new(score_population **out, const criteria_set *set, err_t *e)
{
    int rc = 0;
    score_population *pop = calloc(1, sizeof *pop);
    *out = NULL;
    if (!pop)
        return err_set(e, ERR_NOMEM, "out of memory");
    pop->set = set;
    pop->n = set->n_criteria;
    pop->states = calloc(pop->n ? pop->n : 1, sizeof *pop->states);
    if (!pop->states) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < pop->n; i++) {
        const criterion_def *c = &set->criteria[i];
        if (!is_population(c))
            continue;
        indicator_params prm = params_of(c);
        err_clear(e);
        pop->states[i] = c->indicator->pop_new(&prm, e);
        if (!pop->states[i]) {
            rc = e->code ? e->code : ERR_NOMEM;
            if (!e->msg[0])
                err_set(e, rc, "population state");
            err_prefix(e, "criterion %s (%s): ", c->id, c->indicator_name);
            goto cleanup;
        }
    }
    *out = pop;
    pop = NULL;
cleanup:
    score_pop_free(pop);
    return rc;
}

int score_pop_add(score_population *pop, const model_procurement *p, err_t *e)
{
    for (size_t i = 0; i < pop->n; i++) {
        if (!pop->states[i])
            continue;
        const criterion_def *c = &pop->set->criteria[i];
        if (criteria_applies(c, p, NULL, 0, NULL, 0) != CRITERIA_APPLIES)
            continue;
        int rc = c->indicator->pop_add(pop->states[i], p, e);
        if (rc)
            return err_prefix(e, "criterion %s (%s), %s: ", c->id, c->indicator_name,
                              p->ocid ? p->ocid : "?");
    }
    pop->fed++;
    return 0;
}

int score_pop_finish(score_population *pop, err_t *e)
{
    if (pop->finished)
        return 0;
    for (size_t i = 0; i < pop->n; i++) {
        if (!pop->states[i])
            continue;
        const criterion_def *c = &pop->set->criteria[i];
        int rc = c->indicator->pop_finish(pop->states[i], e);
        if (rc)
            return err_prefix(e, "criterion %s (%s): ", c->id, c->indicator_name);
    }
    pop->finished = 1;
    return 0;
}

size_t score_pop_count(const score_population *pop)
{
    return pop ? pop->fed : 0;
}

/* ---------------------------------------------------------------------------------- */
/* One evaluation.                                                                    */

typedef struct {
    result_t *items;
    size_t n, cap;
} rvec;

static result_t *rvec_add(rvec *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 32;
        result_t *ni = realloc(v->items, cap * sizeof *ni);
        if (!ni)
            return NULL;
        v->items = ni;
        v->cap = cap;
    }
    memset(&v->items[v->n], 0, sizeof v->items[0]);
    return &v->items[v->n++];
}

static void rvec_dispose(rvec *v)
{
    for (size_t i = 0; i < v->n; i++)
        result_dispose(&v->items[i]);
    free(v->items);
    *v = (rvec){0};
}

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* The result given when a criterion does not run: not applicable, not in force, or
 * undecidable for want of data. */
static int add_skip_result(rvec *v, const criterion_def *c, const model_procurement *p,
                           criteria_applicability a, const char *reason, const char *field)
{
    result_t *r = rvec_add(v);
    if (!r)
        return ERR_NOMEM;
    r->criterion_id = dup_str(c->id);
    r->indicator = dup_str(c->indicator_name);
    r->dim = c->dim;
    r->subject_kind = dup_str("procurement");
    r->subject_id = dup_str(p->ocid ? p->ocid : "");
    r->status = a == CRITERIA_UNDECIDABLE ? RESULT_INSUFFICIENT_DATA : RESULT_NOT_APPLICABLE;
    r->score = 0;
    r->explanation = dup_str(reason && *reason ? reason : "The criterion does not apply.");
    if (field && *field) {
        r->fields = calloc(1, sizeof *r->fields);
        if (r->fields) {
            r->fields[0] = dup_str(field);
            r->n_fields = r->fields[0] ? 1 : 0;
        }
        if (!r->fields || !r->n_fields)
            return ERR_NOMEM;
    }
    if (!r->criterion_id || !r->indicator || !r->subject_kind || !r->subject_id || !r->explanation)
        return ERR_NOMEM;
    return 0;
}

/* Makes the results of one criterion consistent: the criterion's id, indicator and
 * dimension; a subject; a score within 0..100 (pass 100 and flag 0 when the indicator
 * gave a non-finite one; 0 for statuses that carry no score). */
static int normalise_result(result_t *r, const criterion_def *c, const model_procurement *p)
{
    if (!r->criterion_id || strcmp(r->criterion_id, c->id) != 0) {
        free(r->criterion_id);
        r->criterion_id = dup_str(c->id);
    }
    if (!r->indicator || strcmp(r->indicator, c->indicator_name) != 0) {
        free(r->indicator);
        r->indicator = dup_str(c->indicator_name);
    }
    r->dim = c->dim;
    if (!r->subject_kind)
        r->subject_kind = dup_str("procurement");
    if (!r->subject_id)
        r->subject_id = dup_str(p->ocid ? p->ocid : "");
    if (!r->criterion_id || !r->indicator || !r->subject_kind || !r->subject_id)
        return ERR_NOMEM;
    switch (r->status) {
    case RESULT_PASS:
    case RESULT_FLAG:
        if (!isfinite(r->score))
            r->score = r->status == RESULT_PASS ? 100 : 0;
        if (r->score < 0)
            r->score = 0;
        if (r->score > 100)
            r->score = 100;
        break;
    case RESULT_NOT_APPLICABLE:
    case RESULT_INSUFFICIENT_DATA:
        r->score = 0;
        break;
    default:
        r->status = RESULT_INSUFFICIENT_DATA;
        r->score = 0;
        break;
    }
    return 0;
}

static int run_criterion(rvec *v, const criteria_set *set, size_t ci, const model_procurement *p,
                         const score_population *pop, int *in_force, err_t *e)
{
    const criterion_def *c = &set->criteria[ci];
    char reason[512], field[128];
    int rc = 0;
    result_list rl = {0};

    *in_force = 1;
    criteria_applicability a = criteria_applies(c, p, reason, sizeof reason, field, sizeof field);
    if (a != CRITERIA_APPLIES) {
        *in_force = a != CRITERIA_NOT_IN_FORCE;
        rc = add_skip_result(v, c, p, a, reason, field);
        if (rc)
            err_set(e, rc, "out of memory");
        return rc;
    }
    const void *state = NULL;
    if (is_population(c)) {
        state = pop && pop->finished && ci < pop->n ? pop->states[ci] : NULL;
        if (!state) {
            rc = add_skip_result(
                v, c, p, CRITERIA_UNDECIDABLE,
                "This population indicator needs the statistics of a scope; none was computed.", NULL);
            if (rc)
                err_set(e, rc, "out of memory");
            return rc;
        }
    }
    indicator_params prm = params_of(c);
    err_clear(e);
    rc = c->indicator->evaluate(p, &prm, state, &rl, e);
    if (rc == ERR_NOMEM || rc == ERR_USAGE || rc == ERR_LIMIT) {
        /* No memory, or the set's parameters refused: the run cannot go on. */
        if (!e->msg[0])
            err_set(e, rc, "%s", err_name(rc));
        err_prefix(e, "criterion %s (%s): ", c->id, c->indicator_name);
        goto cleanup;
    }
    if (rc) {
        /* The indicator contract says bad data is insufficient_data, never an error;
         * should one still fail on this procurement, record that and go on. */
        char why[1200];
        snprintf(why, sizeof why, "The indicator failed on this procurement: %s",
                 e->msg[0] ? e->msg : err_name(rc));
        result_list_dispose(&rl);
        err_clear(e);
        rc = add_skip_result(v, c, p, CRITERIA_UNDECIDABLE, why, NULL);
        if (rc)
            err_set(e, rc, "out of memory");
        goto cleanup;
    }
    if (rl.n == 0) {
        rc = add_skip_result(v, c, p, CRITERIA_UNDECIDABLE,
                             "The indicator gave no result for this procurement.", NULL);
        if (rc)
            err_set(e, rc, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < rl.n; i++) {
        result_t *r = rvec_add(v);
        if (!r) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        *r = rl.items[i]; /* move */
        memset(&rl.items[i], 0, sizeof rl.items[i]);
        rc = normalise_result(r, c, p);
        if (rc) {
            err_set(e, rc, "out of memory");
            goto cleanup;
        }
    }
cleanup:
    result_list_dispose(&rl);
    return rc;
}

/* A weighted mean of values in 0..100 can leave the range by a rounding error. */
static double clamp100(double v)
{
    return v < 0 ? 0 : v > 100 ? 100 : v;
}

/* Dimension and overall scores, coverage and band from the results (see score.h). */
static void aggregate(evaluation_t *ev, const criteria_set *set, const int *counted, const size_t *first,
                      const size_t *count)
{
    double num[DIM_COUNT] = {0}, den[DIM_COUNT] = {0};
    size_t covered[DIM_COUNT] = {0}, counted_n[DIM_COUNT] = {0};
    size_t covered_all = 0, counted_all = 0;

    for (size_t i = 0; i < set->n_criteria; i++) {
        const criterion_def *c = &set->criteria[i];
        if (!c->enabled)
            continue;
        double sum = 0;
        size_t k = 0;
        for (size_t j = first[i]; j < first[i] + count[i]; j++) {
            const result_t *r = &ev->results[j];
            if (r->status == RESULT_PASS || r->status == RESULT_FLAG) {
                sum += r->score;
                k++;
            }
        }
        if (counted[i]) {
            counted_n[c->dim]++;
            counted_all++;
        }
        if (k > 0) {
            covered[c->dim]++;
            covered_all++;
            num[c->dim] += c->weight * (sum / (double)k);
            den[c->dim] += c->weight;
        }
    }
    double onum = 0, oden = 0;
    for (int d = 0; d < DIM_COUNT; d++) {
        ev->has_dim_score[d] = den[d] > 0;
        ev->dim_score[d] = den[d] > 0 ? clamp100(num[d] / den[d]) : 0;
        ev->dim_coverage[d] = counted_n[d] ? (double)covered[d] / (double)counted_n[d] : 0;
        if (ev->has_dim_score[d] && set->dims[d].weight > 0) {
            onum += set->dims[d].weight * ev->dim_score[d];
            oden += set->dims[d].weight;
        }
    }
    ev->has_overall = oden > 0;
    ev->overall = oden > 0 ? clamp100(onum / oden) : 0;
    ev->coverage = counted_all ? (double)covered_all / (double)counted_all : 0;
}

int score_evaluate(evaluation_t **out, const criteria_set *set, const model_procurement *p,
                   const score_population *pop, const char *lang, const char *created_at, err_t *e)
{
    int rc = 0;
    evaluation_t *ev = NULL;
    rvec v = {0};
    int *counted = NULL;
    size_t *first = NULL, *count = NULL;
    char now[32];

    *out = NULL;
    if (!lang || !*lang)
        lang = set->language;
    ev = calloc(1, sizeof *ev);
    counted = calloc(set->n_criteria + 1, sizeof *counted);
    first = calloc(set->n_criteria + 1, sizeof *first);
    count = calloc(set->n_criteria + 1, sizeof *count);
    if (!ev || !counted || !first || !count) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (!created_at) {
        now_iso(now);
        created_at = now;
    }
    const char *title = criteria_label_for(set->titles, set->n_titles, lang, set->language);
    ev->ocid = dup_str(p->ocid ? p->ocid : "");
    ev->set_id = dup_str(set->id);
    ev->set_version = dup_str(set->version);
    ev->set_sha256 = dup_str(set->sha256);
    ev->set_title = dup_str(title ? title : set->id);
    ev->language = dup_str(lang);
    ev->created_at = dup_str(created_at);
    size_t enabled = criteria_enabled_count(set, DIM_COUNT);
    ev->criteria = calloc(enabled ? enabled : 1, sizeof *ev->criteria);
    if (!ev->ocid || !ev->set_id || !ev->set_version || !ev->set_sha256 || !ev->set_title || !ev->language ||
        !ev->created_at || !ev->criteria) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < set->n_criteria; i++) {
        const criterion_def *c = &set->criteria[i];
        if (!c->enabled)
            continue;
        rc = criteria_info_fill(&ev->criteria[ev->n_criteria], set, c, lang);
        if (rc) {
            err_set(e, rc, "out of memory");
            goto cleanup;
        }
        ev->n_criteria++;
        first[i] = v.n;
        rc = run_criterion(&v, set, i, p, pop, &counted[i], e);
        if (rc)
            goto cleanup;
        count[i] = v.n - first[i];
    }
    ev->results = v.items;
    ev->n_results = v.n;
    v = (rvec){0};
    aggregate(ev, set, counted, first, count);
    ev->band = dup_str(criteria_band_label(set, ev->has_overall, ev->overall, lang));
    if (!ev->band) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    *out = ev;
    ev = NULL;
cleanup:
    rvec_dispose(&v);
    evaluation_free(ev);
    free(counted);
    free(first);
    free(count);
    return rc;
}

/* ---------------------------------------------------------------------------------- */
/* Canonical JSON of an evaluation.                                                   */

static int jstr(buf_t *b, const char *s)
{
    if (!s)
        return buf_puts(b, "null");
    int rc = buf_putc(b, '"');
    for (const unsigned char *q = (const unsigned char *)s; rc == 0 && *q; q++) {
        switch (*q) {
        case '"':
            rc = buf_puts(b, "\\\"");
            break;
        case '\\':
            rc = buf_puts(b, "\\\\");
            break;
        case '\n':
            rc = buf_puts(b, "\\n");
            break;
        case '\r':
            rc = buf_puts(b, "\\r");
            break;
        case '\t':
            rc = buf_puts(b, "\\t");
            break;
        default:
            if (*q < 0x20)
                rc = buf_printf(b, "\\u%04x", *q);
            else
                rc = buf_putc(b, (char)*q);
        }
    }
    return rc ? rc : buf_putc(b, '"');
}

static int jnum(buf_t *b, int has, double v)
{
    if (!has || !isfinite(v))
        return buf_puts(b, "null");
    return buf_printf(b, "%.17g", v);
}

static int jkey(buf_t *b, int first, const char *k)
{
    int rc = first ? 0 : buf_putc(b, ',');
    if (!rc)
        rc = jstr(b, k);
    return rc ? rc : buf_putc(b, ':');
}

static const char *sev_name(severity s)
{
    return s == SEVERITY_HIGH ? "high" : s == SEVERITY_MEDIUM ? "medium" : "low";
}

int score_evaluation_json(buf_t *b, const evaluation_t *ev)
{
    int rc = buf_putc(b, '{');
#define K(first, k)                                                                                          \
    if (!rc)                                                                                                 \
    rc = jkey(b, first, k)
#define S(v)                                                                                                 \
    if (!rc)                                                                                                 \
    rc = jstr(b, v)
#define N(has, v)                                                                                            \
    if (!rc)                                                                                                 \
    rc = jnum(b, has, v)
    K(1, "ocid");
    S(ev->ocid);
    K(0, "criteria_set");
    if (!rc)
        rc = buf_putc(b, '{');
    K(1, "id");
    S(ev->set_id);
    K(0, "version");
    S(ev->set_version);
    K(0, "sha256");
    S(ev->set_sha256);
    K(0, "title");
    S(ev->set_title);
    if (!rc)
        rc = buf_putc(b, '}');
    K(0, "language");
    S(ev->language);
    K(0, "created_at");
    S(ev->created_at);
    K(0, "overall");
    N(ev->has_overall, ev->overall);
    K(0, "coverage");
    N(1, ev->coverage);
    K(0, "band");
    S(ev->band);
    K(0, "dimensions");
    if (!rc)
        rc = buf_putc(b, '{');
    for (int d = 0; d < DIM_COUNT && !rc; d++) {
        K(d == 0, dimension_name((dimension)d));
        if (!rc)
            rc = buf_putc(b, '{');
        K(1, "score");
        N(ev->has_dim_score[d], ev->dim_score[d]);
        K(0, "coverage");
        N(1, ev->dim_coverage[d]);
        if (!rc)
            rc = buf_putc(b, '}');
    }
    if (!rc)
        rc = buf_putc(b, '}');
    K(0, "criteria");
    if (!rc)
        rc = buf_putc(b, '[');
    for (size_t i = 0; i < ev->n_criteria && !rc; i++) {
        const criterion_info *c = &ev->criteria[i];
        if (i)
            rc = buf_putc(b, ',');
        if (!rc)
            rc = buf_putc(b, '{');
        K(1, "id");
        S(c->criterion_id);
        K(0, "indicator");
        S(c->indicator);
        K(0, "dimension");
        S(dimension_name(c->dim));
        K(0, "weight");
        N(1, c->weight);
        K(0, "severity");
        S(sev_name(c->sev));
        K(0, "title");
        S(c->title);
        K(0, "why");
        S(c->why);
        K(0, "check");
        S(c->check);
        K(0, "recommendation");
        S(c->recommendation);
        K(0, "source");
        S(c->source);
        K(0, "parameters");
        S(c->params_text);
        if (!rc)
            rc = buf_putc(b, '}');
    }
    if (!rc)
        rc = buf_putc(b, ']');
    K(0, "results");
    if (!rc)
        rc = buf_putc(b, '[');
    for (size_t i = 0; i < ev->n_results && !rc; i++) {
        const result_t *r = &ev->results[i];
        if (i)
            rc = buf_putc(b, ',');
        if (!rc)
            rc = buf_putc(b, '{');
        K(1, "criterion");
        S(r->criterion_id);
        K(0, "indicator");
        S(r->indicator);
        K(0, "dimension");
        S(dimension_name(r->dim));
        K(0, "subject_kind");
        S(r->subject_kind);
        K(0, "subject_id");
        S(r->subject_id);
        K(0, "status");
        S(result_status_name(r->status));
        K(0, "score");
        N(r->status == RESULT_PASS || r->status == RESULT_FLAG, r->score);
        K(0, "measured");
        N(r->has_measured, r->measured);
        K(0, "measured_text");
        S(r->measured_text);
        K(0, "unit");
        S(r->unit);
        K(0, "threshold");
        N(r->has_threshold, r->threshold);
        K(0, "threshold_text");
        S(r->threshold_text);
        K(0, "explanation");
        S(r->explanation);
        K(0, "fields");
        if (!rc)
            rc = buf_putc(b, '[');
        for (size_t f = 0; f < r->n_fields && !rc; f++) {
            if (f)
                rc = buf_putc(b, ',');
            S(r->fields[f]);
        }
        if (!rc)
            rc = buf_putc(b, ']');
        K(0, "stats");
        if (!rc)
            rc = buf_puts(b, r->stats_json ? r->stats_json : "null");
        if (!rc)
            rc = buf_putc(b, '}');
    }
    if (!rc)
        rc = buf_putc(b, ']');
    if (!rc)
        rc = buf_putc(b, '}');
#undef K
#undef S
#undef N
    return rc;
}

/* ---------------------------------------------------------------------------------- */
/* Orchestration.                                                                     */

typedef struct {
    score_population *pop;
} pop_visit_ctx;

static int pop_visit(void *vctx, const model_procurement *p, err_t *e)
{
    pop_visit_ctx *c = vctx;
    return score_pop_add(c->pop, p, e);
}

typedef struct {
    const criteria_set *set;
    const score_population *pop;
    const char *lang;
    const char *created_at;
    score_sink_fn sink;
    void *sink_ctx;
    score_run_stats *stats;
} eval_visit_ctx;

static int eval_visit(void *vctx, const model_procurement *p, err_t *e)
{
    eval_visit_ctx *c = vctx;
    evaluation_t *ev = NULL;
    int rc = score_evaluate(&ev, c->set, p, c->pop, c->lang, c->created_at, e);
    if (rc)
        return rc;
    rc = c->sink(c->sink_ctx, ev, e);
    if (rc == 0) {
        c->stats->evaluated++;
        c->stats->results += ev->n_results;
        for (size_t i = 0; i < ev->n_results; i++)
            c->stats->flags += ev->results[i].status == RESULT_FLAG;
    }
    evaluation_free(ev);
    return rc;
}

int score_run(const criteria_set *set, const char *lang, const char *created_at, score_source_fn pop_src,
              void *pop_ctx, score_source_fn eval_src, void *eval_ctx, score_sink_fn sink, void *sink_ctx,
              score_run_stats *stats, err_t *e)
{
    int rc = 0;
    score_population *pop = NULL;
    score_run_stats local = {0};
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    char now[32];
    if (!created_at) {
        now_iso(now); /* one time for every evaluation of the run */
        created_at = now;
    }
    if (!pop_src) {
        pop_src = eval_src;
        pop_ctx = eval_ctx;
    }
    if (score_set_has_population(set)) {
        rc = score_pop_new(&pop, set, e);
        if (rc)
            goto cleanup;
        pop_visit_ctx pc = {pop};
        rc = pop_src(pop_ctx, pop_visit, &pc, e);
        if (rc)
            goto cleanup;
        rc = score_pop_finish(pop, e);
        if (rc)
            goto cleanup;
        stats->population = score_pop_count(pop);
    }
    eval_visit_ctx ec = {set, pop, lang, created_at, sink, sink_ctx, stats};
    rc = eval_src(eval_ctx, eval_visit, &ec, e);
cleanup:
    score_pop_free(pop);
    return rc;
}
