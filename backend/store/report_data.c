/* report_data.c - fills the inputs of the PDF reports from PostgreSQL (report_data.h). */
#include "store/report_data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "ocds/map.h"
#include "store/evaluations.h"

#define RD_MAX_SOURCES 200     /* files listed on a cover */
#define RD_MAX_NOTES 2000      /* stored notes added to a report */
#define RD_MAX_ROWS 100000     /* procurements in one buyer report */

static const char SQL_COMPILED[] = "SELECT data::text AS data FROM compiled_releases WHERE ocid = $1";

static const char SQL_NOTES[] =
    "SELECT code, field, message FROM quality_notes WHERE ocid = $1 ORDER BY id LIMIT 2000";

static const char SQL_SOURCES[] =
    "SELECT f.name, f.sha256, f.format,"
    " to_char(f.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS received"
    " FROM ingested_files f WHERE f.id IN (SELECT file_id FROM releases WHERE ocid = $1)"
    " ORDER BY f.received_at, f.id LIMIT 200";

static const char SQL_BUYER_OF[] = "SELECT buyer_id FROM procurements WHERE ocid = $1";

/* For each criterion: in how many of the buyer's procurements (their latest evaluation
 * under the set) it flagged, and in how many it gave a pass or a flag. */
static const char SQL_FREQ[] =
    "WITH latest AS ("
    "  SELECT DISTINCT ON (e.ocid) e.id FROM evaluations e"
    "  JOIN procurements p ON p.ocid = e.ocid"
    "  WHERE p.buyer_id = $1 AND e.set_id = $2 ORDER BY e.ocid, e.id DESC)"
    " SELECT r.criterion_id,"
    "  count(DISTINCT r.evaluation_id) FILTER (WHERE r.status = 'flag') AS flagged,"
    "  count(DISTINCT r.evaluation_id) FILTER (WHERE r.status IN ('pass', 'flag')) AS assessed,"
    "  (SELECT count(*) FROM latest) AS total"
    " FROM results r JOIN latest l ON l.id = r.evaluation_id"
    " GROUP BY r.criterion_id ORDER BY r.criterion_id";

#define RD_DIST(c)                                                                            \
    "count(" c "), min(" c "), percentile_cont(0.25) WITHIN GROUP (ORDER BY " c "),"          \
    " percentile_cont(0.5) WITHIN GROUP (ORDER BY " c "),"                                    \
    " percentile_cont(0.75) WITHIN GROUP (ORDER BY " c "), max(" c ")"

/* Quartiles (SPEC §5.3) of the overall and dimension scores over the latest evaluation
 * of every procurement under the set: 5 groups of 6 columns. */
static const char SQL_POPULATION[] =
    "WITH latest AS (SELECT DISTINCT ON (ocid) overall, procedure_score, content_score,"
    "  price_score, evaluation_score FROM evaluations WHERE set_id = $1 ORDER BY ocid, id DESC)"
    " SELECT " RD_DIST("overall") ", " RD_DIST("procedure_score") ", " RD_DIST("content_score")
    ", " RD_DIST("price_score") ", " RD_DIST("evaluation_score") " FROM latest";

static const char SQL_BUYER[] =
    "SELECT max(buyer_name) AS name, count(*) AS n FROM procurements WHERE buyer_id = $1";

static const char SQL_BUYER_SET[] =
    "SELECT e.set_id FROM evaluations e JOIN procurements p ON p.ocid = e.ocid"
    " WHERE p.buyer_id = $1 ORDER BY e.id DESC LIMIT 1";

static const char SQL_BUYER_ROWS[] =
    "WITH latest AS ("
    "  SELECT DISTINCT ON (e.ocid) e.* FROM evaluations e JOIN procurements p ON p.ocid = e.ocid"
    "  WHERE p.buyer_id = $1 AND e.set_id = $2 ORDER BY e.ocid, e.id DESC)"
    " SELECT l.ocid, p.title,"
    "  extract(epoch FROM COALESCE(p.date_published, p.tender_start, p.date))::bigint AS t,"
    "  p.tender_value, p.tender_currency, l.overall, l.band, l.coverage,"
    "  l.procedure_score, l.content_score, l.price_score, l.evaluation_score,"
    "  array_to_string(ARRAY(SELECT DISTINCT r.criterion_id FROM results r"
    "    WHERE r.evaluation_id = l.id AND r.status = 'flag' ORDER BY 1), E'\\x1f') AS flags"
    " FROM latest l JOIN procurements p ON p.ocid = l.ocid"
    " WHERE ($3::date IS NULL OR COALESCE(p.date_published, p.date) >= $3::date)"
    "   AND ($4::date IS NULL OR COALESCE(p.date_published, p.date) < $4::date + 1)"
    " ORDER BY l.ocid LIMIT 100000";

/* A copy of column `name` of row r, NULL when SQL NULL. 0 or ERR_NOMEM. */
static int col_dup(const PGresult *res, int r, const char *name, char **out)
{
    int c = PQfnumber(res, name);
    *out = NULL;
    if (c < 0 || PQgetisnull(res, r, c))
        return 0;
    *out = strdup(PQgetvalue(res, r, c));
    return *out ? 0 : ERR_NOMEM;
}

/* A number of column c of row r; *has 0 when NULL or unparsable. */
static double col_num(const PGresult *res, int r, int c, int *has)
{
    char *end;
    double v;
    *has = 0;
    if (c < 0 || PQgetisnull(res, r, c))
        return 0;
    errno = 0;
    v = strtod(PQgetvalue(res, r, c), &end);
    if (errno || *end || !isfinite(v))
        return 0;
    *has = 1;
    return v;
}

static long col_long(const PGresult *res, int r, int c)
{
    int has;
    double v = col_num(res, r, c, &has);
    return has ? (long)v : 0;
}

/* Adds the stored quality notes of ocid that the mapping did not produce itself. */
static int add_stored_notes(store *st, const char *ocid, model_procurement *p, err_t *e)
{
    PGresult *res = NULL;
    const char *v[1] = {ocid};
    int rc = store_exec(st, &res, PGRES_TUPLES_OK, SQL_NOTES, 1, v, e);

    for (int r = 0; !rc && r < PQntuples(res) && p->n_notes < RD_MAX_NOTES; r++) {
        const char *code = PQgetvalue(res, r, 0), *msg = PQgetvalue(res, r, 2);
        const char *field = PQgetisnull(res, r, 1) ? NULL : PQgetvalue(res, r, 1);
        int seen = 0;
        for (size_t k = 0; k < p->n_notes && !seen; k++)
            seen = p->notes[k].code && strcmp(p->notes[k].code, code) == 0 &&
                   p->notes[k].message && strcmp(p->notes[k].message, msg) == 0;
        if (!seen && model_note_add(&p->notes, &p->n_notes, code, field, "%s", msg) != 0)
            rc = err_set(e, ERR_NOMEM, "out of memory");
    }
    PQclear(res);
    return rc;
}

static int load_model(store *st, const char *ocid, model_procurement **out, err_t *e)
{
    PGresult *res = NULL;
    json_value *tree = NULL;
    const char *v[1] = {ocid};
    int rc;

    *out = NULL;
    rc = store_exec(st, &res, PGRES_TUPLES_OK, SQL_COMPILED, 1, v, e);
    if (rc)
        goto cleanup;
    if (PQntuples(res) == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "%s: no such procurement (no compiled release)", ocid);
        goto cleanup;
    }
    rc = json_parse(&tree, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0), e);
    if (rc) {
        rc = err_prefix(e, "%s: compiled release: ", ocid);
        goto cleanup;
    }
    rc = model_from_ocds(out, tree, NULL, e);
    if (rc) {
        rc = err_prefix(e, "%s: mapping the compiled release: ", ocid);
        goto cleanup;
    }
    rc = add_stored_notes(st, ocid, *out, e);
cleanup:
    if (rc && *out) {
        model_procurement_free(*out);
        *out = NULL;
    }
    json_free(tree);
    PQclear(res);
    return rc;
}

static int load_sources(store *st, const char *ocid, report_context *ctx, err_t *e)
{
    PGresult *res = NULL;
    const char *v[1] = {ocid};
    int rc = store_exec(st, &res, PGRES_TUPLES_OK, SQL_SOURCES, 1, v, e);
    int n;

    if (rc)
        return rc;
    n = PQntuples(res);
    if (n > RD_MAX_SOURCES)
        n = RD_MAX_SOURCES;
    ctx->sources = calloc(n > 0 ? (size_t)n : 1, sizeof *ctx->sources);
    if (!ctx->sources) {
        PQclear(res);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (int r = 0; r < n && !rc; r++) {
        report_source *s = &ctx->sources[ctx->n_sources++];
        if (col_dup(res, r, "name", &s->name) || col_dup(res, r, "sha256", &s->sha256) ||
            col_dup(res, r, "format", &s->format) || col_dup(res, r, "received", &s->received_at))
            rc = err_set(e, ERR_NOMEM, "out of memory");
        /* the base name only: the directories of the ingesting machine are nobody's
         * business in a (public) report, and the SHA-256 identifies the file */
        if (!rc && s->name && strrchr(s->name, '/'))
            memmove(s->name, strrchr(s->name, '/') + 1, strlen(strrchr(s->name, '/') + 1) + 1);
    }
    PQclear(res);
    return rc;
}

static int load_frequencies(store *st, const char *buyer_id, const char *set_id,
                            report_context *ctx, err_t *e)
{
    PGresult *res = NULL;
    const char *v[2] = {buyer_id, set_id};
    int rc = store_exec(st, &res, PGRES_TUPLES_OK, SQL_FREQ, 2, v, e);
    int n;

    if (rc)
        return rc;
    n = PQntuples(res);
    ctx->frequencies = calloc(n > 0 ? (size_t)n : 1, sizeof *ctx->frequencies);
    if (!ctx->frequencies) {
        PQclear(res);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (int r = 0; r < n && !rc; r++) {
        report_frequency *f = &ctx->frequencies[ctx->n_frequencies++];
        if (col_dup(res, r, "criterion_id", &f->criterion_id))
            rc = err_set(e, ERR_NOMEM, "out of memory");
        f->flagged = col_long(res, r, PQfnumber(res, "flagged"));
        f->assessed = col_long(res, r, PQfnumber(res, "assessed"));
        ctx->buyer_total = col_long(res, r, PQfnumber(res, "total"));
    }
    PQclear(res);
    return rc;
}

static int load_population(store *st, const char *set_id, report_context *ctx, err_t *e)
{
    PGresult *res = NULL;
    const char *v[1] = {set_id};
    int rc = store_exec(st, &res, PGRES_TUPLES_OK, SQL_POPULATION, 1, v, e);

    if (rc)
        return rc;
    if (PQntuples(res) == 1 && PQnfields(res) == 30) {
        for (int g = 0; g < 5; g++) {
            report_distribution *d = g == 0 ? &ctx->overall_dist : &ctx->dim_dist[g - 1];
            int c = g * 6, h1, h2, h3, h4, h5;
            d->n = col_long(res, 0, c);
            d->min = col_num(res, 0, c + 1, &h1);
            d->q1 = col_num(res, 0, c + 2, &h2);
            d->median = col_num(res, 0, c + 3, &h3);
            d->q3 = col_num(res, 0, c + 4, &h4);
            d->max = col_num(res, 0, c + 5, &h5);
            d->present = d->n > 0 && h1 && h2 && h3 && h4 && h5;
        }
    }
    PQclear(res);
    free(ctx->population_scope);
    ctx->population_scope = strdup(set_id);
    return ctx->population_scope ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int store_report_procurement(store *st, const char *ocid, const char *set_id,
                             model_procurement **p_out, evaluation_t **ev_out,
                             report_context *ctx, err_t *e)
{
    model_procurement *p = NULL;
    evaluation_t *ev = NULL;
    PGresult *res = NULL;
    const char *v[1] = {ocid};
    int rc;

    *p_out = NULL;
    *ev_out = NULL;
    if (!ocid || !*ocid)
        return err_set(e, ERR_USAGE, "no ocid given");
    rc = load_model(st, ocid, &p, e);
    if (rc)
        goto cleanup;
    rc = store_eval_load_latest(st, ocid, set_id, &ev, NULL, e);
    if (rc == ERR_NOT_FOUND)
        err_prefix(e, "run `procaudit score --ocid %s` first: ", ocid);
    if (rc)
        goto cleanup;
    rc = load_sources(st, ocid, ctx, e);
    if (rc)
        goto cleanup;
    rc = store_exec(st, &res, PGRES_TUPLES_OK, SQL_BUYER_OF, 1, v, e);
    if (rc)
        goto cleanup;
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) && ev->set_id) {
        rc = load_frequencies(st, PQgetvalue(res, 0, 0), ev->set_id, ctx, e);
        if (rc)
            goto cleanup;
    }
    if (ev->set_id)
        rc = load_population(st, ev->set_id, ctx, e);
cleanup:
    PQclear(res);
    if (rc) {
        model_procurement_free(p);
        evaluation_free(ev);
        return rc;
    }
    *p_out = p;
    *ev_out = ev;
    return 0;
}

/* Splits s on the unit separator into a new array of copies. */
static int split_flags(const char *s, char ***out, size_t *n_out)
{
    size_t n = 0, k = 0;
    char **v;
    const char *p = s;

    *out = NULL;
    *n_out = 0;
    if (!s || !*s)
        return 0;
    for (const char *q = s; *q; q++)
        n += *q == '\x1f';
    n++;
    v = calloc(n, sizeof *v);
    if (!v)
        return ERR_NOMEM;
    while (k < n) {
        const char *end = strchr(p, '\x1f');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        v[k] = strndup(p, len);
        if (!v[k]) {
            for (size_t i = 0; i < k; i++)
                free(v[i]);
            free(v);
            return ERR_NOMEM;
        }
        k++;
        if (!end)
            break;
        p = end + 1;
    }
    *out = v;
    *n_out = k;
    return 0;
}

static int valid_date(const char *s)
{
    /* YYYY-MM-DD */
    if (!s)
        return 1;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

static int load_rows(store *st, const char *buyer_id, const char *set_id, const char *from,
                     const char *to, report_context *ctx, err_t *e)
{
    PGresult *res = NULL;
    const char *v[4] = {buyer_id, set_id, from, to};
    static const char *const dcols[DIM_COUNT] = {"procedure_score", "content_score",
                                                 "price_score", "evaluation_score"};
    int rc = store_exec(st, &res, PGRES_TUPLES_OK, SQL_BUYER_ROWS, 4, v, e);
    int n;

    if (rc)
        return rc;
    n = PQntuples(res);
    if (n > RD_MAX_ROWS)
        n = RD_MAX_ROWS;
    ctx->rows = calloc(n > 0 ? (size_t)n : 1, sizeof *ctx->rows);
    if (!ctx->rows) {
        PQclear(res);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (int r = 0; r < n && !rc; r++) {
        report_buyer_row *row = &ctx->rows[ctx->n_rows++];
        int has;
        double t = col_num(res, r, PQfnumber(res, "t"), &has);
        const char *cur = PQgetisnull(res, r, PQfnumber(res, "tender_currency"))
                              ? ""
                              : PQgetvalue(res, r, PQfnumber(res, "tender_currency"));
        if (col_dup(res, r, "ocid", &row->ocid) || col_dup(res, r, "title", &row->title) ||
            col_dup(res, r, "band", &row->band) ||
            split_flags(PQgetvalue(res, r, PQfnumber(res, "flags")), &row->flags, &row->n_flags)) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        row->date.present = has;
        row->date.t = (int64_t)t;
        row->value.amount = col_num(res, r, PQfnumber(res, "tender_value"), &row->value.present);
        snprintf(row->value.currency, sizeof row->value.currency, "%.7s", cur);
        row->overall = col_num(res, r, PQfnumber(res, "overall"), &row->has_overall);
        row->coverage = col_num(res, r, PQfnumber(res, "coverage"), &has);
        for (int d = 0; d < DIM_COUNT; d++)
            row->dim_score[d] = col_num(res, r, PQfnumber(res, dcols[d]), &row->has_dim_score[d]);
    }
    PQclear(res);
    return rc;
}

int store_report_buyer(store *st, const char *buyer_id, const char *set_id, const char *from,
                       const char *to, evaluation_t **set_out, report_context *ctx, err_t *e)
{
    PGresult *res = NULL;
    char *set = NULL;
    const char *v[1] = {buyer_id};
    int rc;

    *set_out = NULL;
    if (!buyer_id || !*buyer_id)
        return err_set(e, ERR_USAGE, "no buyer id given");
    if (!valid_date(from) || !valid_date(to))
        return err_set(e, ERR_USAGE, "dates must be YYYY-MM-DD");
    rc = store_exec(st, &res, PGRES_TUPLES_OK, SQL_BUYER, 1, v, e);
    if (rc)
        goto cleanup;
    if (col_long(res, 0, PQfnumber(res, "n")) == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "%s: no procurement of this buyer", buyer_id);
        goto cleanup;
    }
    if (col_dup(res, 0, "name", &ctx->buyer_name) || !(ctx->buyer_id = strdup(buyer_id)) ||
        (from && !(ctx->period_from = strdup(from))) || (to && !(ctx->period_to = strdup(to)))) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    PQclear(res);
    res = NULL;
    if (set_id) {
        set = strdup(set_id);
    } else {
        rc = store_exec(st, &res, PGRES_TUPLES_OK, SQL_BUYER_SET, 1, v, e);
        if (rc)
            goto cleanup;
        if (PQntuples(res) == 0)
            goto cleanup; /* nothing evaluated: an empty portfolio */
        set = strdup(PQgetvalue(res, 0, 0));
    }
    if (!set) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    rc = load_rows(st, buyer_id, set, from, to, ctx, e);
    if (!rc && ctx->n_rows > 0) {
        rc = store_eval_load_latest(st, ctx->rows[0].ocid, set, set_out, NULL, e);
        if (rc == ERR_NOT_FOUND)
            rc = 0, err_clear(e);
    }
    if (!rc)
        rc = load_population(st, set, ctx, e);
cleanup:
    PQclear(res);
    free(set);
    if (rc && *set_out) {
        evaluation_free(*set_out);
        *set_out = NULL;
    }
    return rc;
}
