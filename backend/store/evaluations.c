/* evaluations.c - evaluations and results in PostgreSQL; compiled releases of a scope
 * (see evaluations.h). */
#include "store/evaluations.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "ocds/map.h"
#include "util/buf.h"
#include "util/log.h"

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

/* ---------------------------------------------------------------------------------- */
/* JSON text for the jsonb parameters.                                                */

static int jstr(buf_t *b, const char *s)
{
    if (!s)
        return buf_puts(b, "null");
    int rc = buf_putc(b, '"');
    for (const unsigned char *q = (const unsigned char *)s; rc == 0 && *q; q++) {
        if (*q == '"')
            rc = buf_puts(b, "\\\"");
        else if (*q == '\\')
            rc = buf_puts(b, "\\\\");
        else if (*q < 0x20)
            rc = buf_printf(b, "\\u%04x", *q);
        else
            rc = buf_putc(b, (char)*q);
    }
    return rc ? rc : buf_putc(b, '"');
}

static int jnum(buf_t *b, int has, double v)
{
    if (!has || !isfinite(v))
        return buf_puts(b, "null");
    return buf_printf(b, "%.17g", v);
}

static int jstrs(buf_t *b, char *const *l, size_t n)
{
    int rc = buf_putc(b, '[');
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i)
            rc = buf_putc(b, ',');
        if (!rc)
            rc = jstr(b, l[i]);
    }
    return rc ? rc : buf_putc(b, ']');
}

static const char *sev_name(severity s)
{
    return s == SEVERITY_HIGH ? "high" : s == SEVERITY_MEDIUM ? "medium" : "low";
}

static int criteria_json(buf_t *b, const evaluation_t *ev)
{
    int rc = buf_putc(b, '[');
    for (size_t i = 0; i < ev->n_criteria && rc == 0; i++) {
        const criterion_info *c = &ev->criteria[i];
        rc = buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
        if (!rc)
            rc = jstr(b, c->criterion_id);
        if (!rc)
            rc = buf_puts(b, ",\"indicator\":");
        if (!rc)
            rc = jstr(b, c->indicator);
        if (!rc)
            rc = buf_puts(b, ",\"dimension\":");
        if (!rc)
            rc = jstr(b, dimension_name(c->dim));
        if (!rc)
            rc = buf_puts(b, ",\"weight\":");
        if (!rc)
            rc = jnum(b, 1, c->weight);
        if (!rc)
            rc = buf_puts(b, ",\"severity\":");
        if (!rc)
            rc = jstr(b, sev_name(c->sev));
        if (!rc)
            rc = buf_puts(b, ",\"title\":");
        if (!rc)
            rc = jstr(b, c->title);
        if (!rc)
            rc = buf_puts(b, ",\"why\":");
        if (!rc)
            rc = jstr(b, c->why);
        if (!rc)
            rc = buf_puts(b, ",\"check\":");
        if (!rc)
            rc = jstr(b, c->check);
        if (!rc)
            rc = buf_puts(b, ",\"recommendation\":");
        if (!rc)
            rc = jstr(b, c->recommendation);
        if (!rc)
            rc = buf_puts(b, ",\"source\":");
        if (!rc)
            rc = jstr(b, c->source);
        if (!rc)
            rc = buf_puts(b, ",\"parameters\":");
        if (!rc)
            rc = jstr(b, c->params_text);
        if (!rc)
            rc = buf_putc(b, '}');
    }
    return rc ? rc : buf_putc(b, ']');
}

/* stats_json comes from an indicator: pass it on when it parses, else keep it as a string. */
static int stats_json(buf_t *b, const char *s)
{
    if (!s)
        return buf_puts(b, "null");
    json_value *v = NULL;
    err_t e;
    if (json_parse(&v, s, strlen(s), &e) == 0) {
        json_free(v);
        return buf_puts(b, s);
    }
    return jstr(b, s);
}

static int results_json(buf_t *b, const evaluation_t *ev, int *n_flags)
{
    int rc = buf_putc(b, '[');
    *n_flags = 0;
    for (size_t i = 0; i < ev->n_results && rc == 0; i++) {
        const result_t *r = &ev->results[i];
        int scored = r->status == RESULT_PASS || r->status == RESULT_FLAG;
        *n_flags += r->status == RESULT_FLAG;
        rc = buf_printf(b, "%s{\"ord\":%zu,\"criterion_id\":", i ? "," : "", i);
        if (!rc)
            rc = jstr(b, r->criterion_id ? r->criterion_id : "");
        if (!rc)
            rc = buf_puts(b, ",\"indicator\":");
        if (!rc)
            rc = jstr(b, r->indicator ? r->indicator : "");
        if (!rc)
            rc = buf_puts(b, ",\"dimension\":");
        if (!rc)
            rc = jstr(b, dimension_name(r->dim));
        if (!rc)
            rc = buf_puts(b, ",\"subject_kind\":");
        if (!rc)
            rc = jstr(b, r->subject_kind ? r->subject_kind : "procurement");
        if (!rc)
            rc = buf_puts(b, ",\"subject_id\":");
        if (!rc)
            rc = jstr(b, r->subject_id ? r->subject_id : ev->ocid);
        if (!rc)
            rc = buf_puts(b, ",\"status\":");
        if (!rc)
            rc = jstr(b, result_status_name(r->status));
        if (!rc)
            rc = buf_puts(b, ",\"score\":");
        if (!rc)
            rc = jnum(b, scored, r->score);
        if (!rc)
            rc = buf_puts(b, ",\"measured\":");
        if (!rc)
            rc = jnum(b, r->has_measured, r->measured);
        if (!rc)
            rc = buf_puts(b, ",\"measured_text\":");
        if (!rc)
            rc = jstr(b, r->measured_text);
        if (!rc)
            rc = buf_puts(b, ",\"unit\":");
        if (!rc)
            rc = jstr(b, r->unit);
        if (!rc)
            rc = buf_puts(b, ",\"threshold\":");
        if (!rc)
            rc = jnum(b, r->has_threshold, r->threshold);
        if (!rc)
            rc = buf_puts(b, ",\"threshold_text\":");
        if (!rc)
            rc = jstr(b, r->threshold_text);
        if (!rc)
            rc = buf_puts(b, ",\"explanation\":");
        if (!rc)
            rc = jstr(b, r->explanation);
        if (!rc)
            rc = buf_puts(b, ",\"fields\":");
        if (!rc)
            rc = jstrs(b, r->fields, r->n_fields);
        if (!rc)
            rc = buf_puts(b, ",\"party_ids\":");
        if (!rc)
            rc = jstrs(b, r->party_ids, r->n_party_ids);
        if (!rc)
            rc = buf_puts(b, ",\"stats\":");
        if (!rc)
            rc = stats_json(b, r->stats_json);
        if (!rc)
            rc = buf_putc(b, '}');
    }
    return rc ? rc : buf_putc(b, ']');
}

/* ---------------------------------------------------------------------------------- */
/* Criteria sets.                                                                     */

int store_eval_put_set(store *st, const criteria_set *set, err_t *e)
{
    const char *title = criteria_label_for(set->titles, set->n_titles, set->language, set->language);
    const char *v[6] = {set->sha256, set->id, set->version, title, set->language, set->content};
    return store_exec(st, NULL, PGRES_COMMAND_OK,
                      "INSERT INTO criteria_sets (sha256, id, version, title, language, content) "
                      "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING",
                      6, v, e);
}

int store_eval_load_set_content(store *st, const char *sha256, char **content, err_t *e)
{
    PGresult *res = NULL;
    const char *v[1] = {sha256};
    *content = NULL;
    int rc =
        store_exec(st, &res, PGRES_TUPLES_OK, "SELECT content FROM criteria_sets WHERE sha256 = $1", 1, v, e);
    if (rc)
        return rc;
    if (PQntuples(res) != 1) {
        rc = err_set(e, ERR_NOT_FOUND, "criteria set %s is not stored", sha256);
    } else {
        *content = dup_str(PQgetvalue(res, 0, PQfnumber(res, "content")));
        if (!*content)
            rc = err_set(e, ERR_NOMEM, "out of memory");
    }
    PQclear(res);
    return rc;
}

/* ---------------------------------------------------------------------------------- */
/* Writing.                                                                           */

static const char *SQL_WRITE =
    "WITH ev AS ("
    " INSERT INTO evaluations (ocid, set_id, version, sha256, language, created_at, overall, coverage,"
    "  band, procedure_score, procedure_coverage, content_score, content_coverage, price_score,"
    "  price_coverage, evaluation_score, evaluation_coverage, set_title, criteria, n_results, n_flags)"
    " VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::float8, $8::float8, $9, $10::float8, $11::float8,"
    "  $12::float8, $13::float8, $14::float8, $15::float8, $16::float8, $17::float8, $18, $19::jsonb,"
    "  $20::int, $21::int)"
    " RETURNING id),"
    " r AS ("
    " INSERT INTO results (evaluation_id, ord, criterion_id, indicator, dimension, subject_kind,"
    "  subject_id, status, score, measured, measured_text, unit, threshold, threshold_text,"
    "  explanation, fields, party_ids, stats)"
    " SELECT ev.id, x.ord, x.criterion_id, x.indicator, x.dimension, x.subject_kind, x.subject_id,"
    "  x.status, x.score, x.measured, x.measured_text, x.unit, x.threshold, x.threshold_text,"
    "  x.explanation,"
    "  ARRAY(SELECT jsonb_array_elements_text(COALESCE(x.fields, '[]'::jsonb))),"
    "  ARRAY(SELECT jsonb_array_elements_text(COALESCE(x.party_ids, '[]'::jsonb))),"
    "  x.stats"
    " FROM ev, jsonb_to_recordset($22::jsonb) AS x(ord int, criterion_id text, indicator text,"
    "  dimension text, subject_kind text, subject_id text, status text, score float8,"
    "  measured float8, measured_text text, unit text, threshold float8, threshold_text text,"
    "  explanation text, fields jsonb, party_ids jsonb, stats jsonb)"
    " RETURNING 1)"
    " SELECT id, (SELECT count(*) FROM r) AS n FROM ev";

int store_eval_write(store *st, const evaluation_t *ev, int64_t *id_out, err_t *e)
{
    int rc = 0;
    PGresult *res = NULL;
    buf_t crit, resj;
    char num[12][40];
    char nres[24], nflags[24];
    int n_flags = 0;
    buf_init(&crit, STORE_EVAL_MAX_JSON);
    buf_init(&resj, STORE_EVAL_MAX_JSON);

    rc = criteria_json(&crit, ev);
    if (!rc)
        rc = results_json(&resj, ev, &n_flags);
    if (rc) {
        rc = err_set(e, rc, "%s: evaluation too large to store", ev->ocid);
        goto cleanup;
    }
#define NUM(i, has, v)                                                                                       \
    (((has) && isfinite(v)) ? (snprintf(num[i], sizeof num[i], "%.17g", (v)), num[i]) : NULL)
    snprintf(nres, sizeof nres, "%zu", ev->n_results);
    snprintf(nflags, sizeof nflags, "%d", n_flags);
    const char *v[22] = {ev->ocid,
                         ev->set_id,
                         ev->set_version,
                         ev->set_sha256,
                         ev->language,
                         ev->created_at,
                         NUM(0, ev->has_overall, ev->overall),
                         NUM(1, 1, ev->coverage),
                         ev->band ? ev->band : "not assessed",
                         NUM(2, ev->has_dim_score[DIM_PROCEDURE], ev->dim_score[DIM_PROCEDURE]),
                         NUM(3, 1, ev->dim_coverage[DIM_PROCEDURE]),
                         NUM(4, ev->has_dim_score[DIM_CONTENT], ev->dim_score[DIM_CONTENT]),
                         NUM(5, 1, ev->dim_coverage[DIM_CONTENT]),
                         NUM(6, ev->has_dim_score[DIM_PRICE], ev->dim_score[DIM_PRICE]),
                         NUM(7, 1, ev->dim_coverage[DIM_PRICE]),
                         NUM(8, ev->has_dim_score[DIM_EVALUATION], ev->dim_score[DIM_EVALUATION]),
                         NUM(9, 1, ev->dim_coverage[DIM_EVALUATION]),
                         ev->set_title,
                         buf_cstr(&crit),
                         nres,
                         nflags,
                         buf_cstr(&resj)};
#undef NUM
    rc = store_exec(st, &res, PGRES_TUPLES_OK, SQL_WRITE, 22, v, e);
    if (rc) {
        err_prefix(e, "%s: storing the evaluation: ", ev->ocid);
        goto cleanup;
    }
    if (PQntuples(res) != 1) {
        rc = err_set(e, ERR_DB, "%s: storing the evaluation returned %d rows", ev->ocid, PQntuples(res));
        goto cleanup;
    }
    if (id_out) {
        errno = 0;
        char *end = NULL;
        long long id = strtoll(PQgetvalue(res, 0, PQfnumber(res, "id")), &end, 10);
        if (errno || !end || *end) {
            rc = err_set(e, ERR_DB, "%s: bad evaluation id", ev->ocid);
            goto cleanup;
        }
        *id_out = (int64_t)id;
    }
cleanup:
    PQclear(res);
    buf_dispose(&crit);
    buf_dispose(&resj);
    return rc;
}

/* ---------------------------------------------------------------------------------- */
/* Loading.                                                                           */

static int col_str(const PGresult *res, int row, const char *name, char **out)
{
    int c = PQfnumber(res, name);
    *out = NULL;
    if (c < 0 || PQgetisnull(res, row, c))
        return 0;
    *out = dup_str(PQgetvalue(res, row, c));
    return *out ? 0 : ERR_NOMEM;
}

static int col_num(const PGresult *res, int row, const char *name, int *has, double *out)
{
    int c = PQfnumber(res, name);
    *has = 0;
    *out = 0;
    if (c < 0 || PQgetisnull(res, row, c))
        return 0;
    char *end = NULL;
    errno = 0;
    double v = strtod(PQgetvalue(res, row, c), &end);
    if (errno || !end || *end)
        return ERR_BAD_INPUT;
    *has = 1;
    *out = v;
    return 0;
}

static int dim_of(const char *s, dimension *d)
{
    for (int i = 0; i < DIM_COUNT; i++)
        if (s && strcmp(s, dimension_name((dimension)i)) == 0) {
            *d = (dimension)i;
            return 0;
        }
    return ERR_BAD_INPUT;
}

static int status_of(const char *s, result_status *st)
{
    static const result_status all[] = {RESULT_PASS, RESULT_FLAG, RESULT_NOT_APPLICABLE,
                                        RESULT_INSUFFICIENT_DATA};
    for (size_t i = 0; i < 4; i++)
        if (s && strcmp(s, result_status_name(all[i])) == 0) {
            *st = all[i];
            return 0;
        }
    return ERR_BAD_INPUT;
}

static int json_strs(const char *text, char ***out, size_t *n)
{
    json_value *v = NULL;
    err_t e;
    *out = NULL;
    *n = 0;
    if (!text)
        return 0;
    int rc = json_parse(&v, text, strlen(text), &e);
    if (rc)
        return rc;
    size_t len = v->type == JSON_ARRAY ? json_len(v) : 0;
    if (len) {
        *out = calloc(len, sizeof **out);
        if (!*out) {
            json_free(v);
            return ERR_NOMEM;
        }
        for (size_t i = 0; i < len; i++) {
            const char *s = json_str(json_at(v, i));
            (*out)[*n] = dup_str(s ? s : "");
            if (!(*out)[*n]) {
                json_free(v);
                return ERR_NOMEM;
            }
            (*n)++;
        }
    }
    json_free(v);
    return 0;
}

static int load_criteria(evaluation_t *ev, const char *text)
{
    json_value *v = NULL;
    err_t e;
    int rc = json_parse(&v, text, strlen(text), &e);
    if (rc)
        return rc;
    size_t n = v->type == JSON_ARRAY ? json_len(v) : 0;
    ev->criteria = calloc(n ? n : 1, sizeof *ev->criteria);
    if (!ev->criteria) {
        json_free(v);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        const json_value *o = json_at(v, i);
        criterion_info *c = &ev->criteria[ev->n_criteria++];
        double w = 0;
        const char *sev = json_get_str(o, "severity");
        c->criterion_id = dup_str(json_get_str(o, "id"));
        c->indicator = dup_str(json_get_str(o, "indicator"));
        if (dim_of(json_get_str(o, "dimension"), &c->dim) != 0)
            rc = ERR_BAD_INPUT;
        if (json_number(json_get(o, "weight"), 0, &w) == 0)
            c->weight = w;
        c->sev = sev && strcmp(sev, "high") == 0     ? SEVERITY_HIGH
                 : sev && strcmp(sev, "medium") == 0 ? SEVERITY_MEDIUM
                                                     : SEVERITY_LOW;
        struct {
            char **dst;
            const char *key;
        } f[] = {{&c->title, "title"},   {&c->why, "why"},
                 {&c->check, "check"},   {&c->recommendation, "recommendation"},
                 {&c->source, "source"}, {&c->params_text, "parameters"}};
        for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
            const char *s = json_get_str(o, f[k].key);
            if (s && !(*f[k].dst = dup_str(s)))
                rc = ERR_NOMEM;
        }
        if (!c->criterion_id || !c->indicator)
            rc = rc ? rc : ERR_BAD_INPUT;
    }
    json_free(v);
    return rc;
}

static const char *SQL_LATEST =
    "SELECT id, ocid, set_id, version, sha256, language,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created,"
    " overall, coverage, band, procedure_score, procedure_coverage, content_score, content_coverage,"
    " price_score, price_coverage, evaluation_score, evaluation_coverage, set_title, criteria::text AS "
    "criteria"
    " FROM evaluations WHERE ocid = $1 AND ($2::text IS NULL OR set_id = $2)"
    " ORDER BY id DESC LIMIT 1";

static const char *SQL_RESULTS =
    "SELECT criterion_id, indicator, dimension, subject_kind, subject_id, status, score, measured,"
    " measured_text, unit, threshold, threshold_text, explanation,"
    " array_to_json(fields)::text AS fields, array_to_json(party_ids)::text AS party_ids,"
    " stats::text AS stats"
    " FROM results WHERE evaluation_id = $1 ORDER BY ord";

int store_eval_load_latest(store *st, const char *ocid, const char *set_id, evaluation_t **out,
                           int64_t *id_out, err_t *e)
{
    int rc = 0;
    PGresult *res = NULL, *rr = NULL;
    evaluation_t *ev = NULL;
    char *crit = NULL, *fields = NULL, *parties = NULL, *status = NULL, *dim = NULL;
    const char *v[2] = {ocid, set_id};
    *out = NULL;

    rc = store_exec(st, &res, PGRES_TUPLES_OK, SQL_LATEST, 2, v, e);
    if (rc)
        goto cleanup;
    if (PQntuples(res) == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "%s: no evaluation stored%s%s", ocid,
                     set_id ? " under criteria set " : "", set_id ? set_id : "");
        goto cleanup;
    }
    ev = calloc(1, sizeof *ev);
    if (!ev) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    const char *id_text = PQgetvalue(res, 0, PQfnumber(res, "id"));
    int has = 0;
    rc = col_str(res, 0, "ocid", &ev->ocid);
    if (!rc)
        rc = col_str(res, 0, "set_id", &ev->set_id);
    if (!rc)
        rc = col_str(res, 0, "version", &ev->set_version);
    if (!rc)
        rc = col_str(res, 0, "sha256", &ev->set_sha256);
    if (!rc)
        rc = col_str(res, 0, "language", &ev->language);
    if (!rc)
        rc = col_str(res, 0, "created", &ev->created_at);
    if (!rc)
        rc = col_str(res, 0, "band", &ev->band);
    if (!rc)
        rc = col_str(res, 0, "set_title", &ev->set_title);
    if (!rc)
        rc = col_num(res, 0, "overall", &ev->has_overall, &ev->overall);
    if (!rc)
        rc = col_num(res, 0, "coverage", &has, &ev->coverage);
    static const char *const dcols[DIM_COUNT][2] = {{"procedure_score", "procedure_coverage"},
                                                    {"content_score", "content_coverage"},
                                                    {"price_score", "price_coverage"},
                                                    {"evaluation_score", "evaluation_coverage"}};
    for (int d = 0; d < DIM_COUNT && !rc; d++) {
        rc = col_num(res, 0, dcols[d][0], &ev->has_dim_score[d], &ev->dim_score[d]);
        if (!rc)
            rc = col_num(res, 0, dcols[d][1], &has, &ev->dim_coverage[d]);
    }
    if (!rc)
        rc = col_str(res, 0, "criteria", &crit);
    if (!rc && crit)
        rc = load_criteria(ev, crit);
    if (rc) {
        rc = err_set(e, rc, "%s: evaluation %s: bad stored value", ocid, id_text);
        goto cleanup;
    }
    if (id_out)
        *id_out = strtoll(id_text, NULL, 10);

    const char *rv[1] = {id_text};
    rc = store_exec(st, &rr, PGRES_TUPLES_OK, SQL_RESULTS, 1, rv, e);
    if (rc)
        goto cleanup;
    int n = PQntuples(rr);
    ev->results = calloc(n > 0 ? (size_t)n : 1, sizeof *ev->results);
    if (!ev->results) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (int i = 0; i < n && rc == 0; i++) {
        result_t *r = &ev->results[ev->n_results++];
        int hs = 0;
        rc = col_str(rr, i, "criterion_id", &r->criterion_id);
        if (!rc)
            rc = col_str(rr, i, "indicator", &r->indicator);
        if (!rc)
            rc = col_str(rr, i, "subject_kind", &r->subject_kind);
        if (!rc)
            rc = col_str(rr, i, "subject_id", &r->subject_id);
        if (!rc)
            rc = col_str(rr, i, "measured_text", &r->measured_text);
        if (!rc)
            rc = col_str(rr, i, "unit", &r->unit);
        if (!rc)
            rc = col_str(rr, i, "threshold_text", &r->threshold_text);
        if (!rc)
            rc = col_str(rr, i, "explanation", &r->explanation);
        if (!rc)
            rc = col_str(rr, i, "stats", &r->stats_json);
        if (!rc)
            rc = col_num(rr, i, "score", &hs, &r->score);
        if (!rc)
            rc = col_num(rr, i, "measured", &r->has_measured, &r->measured);
        if (!rc)
            rc = col_num(rr, i, "threshold", &r->has_threshold, &r->threshold);
        if (!rc)
            rc = col_str(rr, i, "dimension", &dim);
        if (!rc)
            rc = dim_of(dim, &r->dim);
        if (!rc)
            rc = col_str(rr, i, "status", &status);
        if (!rc)
            rc = status_of(status, &r->status);
        if (!rc)
            rc = col_str(rr, i, "fields", &fields);
        if (!rc)
            rc = json_strs(fields, &r->fields, &r->n_fields);
        if (!rc)
            rc = col_str(rr, i, "party_ids", &parties);
        if (!rc)
            rc = json_strs(parties, &r->party_ids, &r->n_party_ids);
        free(dim);
        free(status);
        free(fields);
        free(parties);
        dim = status = fields = parties = NULL;
        if (rc)
            rc = err_set(e, rc, "%s: evaluation %s, result %d: bad stored value", ocid, id_text, i);
    }
    if (rc)
        goto cleanup;
    *out = ev;
    ev = NULL;
cleanup:
    PQclear(res);
    PQclear(rr);
    free(crit);
    evaluation_free(ev);
    return rc;
}

/* ---------------------------------------------------------------------------------- */
/* Compiled releases of a scope.                                                      */

static const char *SQL_EACH =
    "SELECT ocid, data::text AS data FROM compiled_releases"
    " WHERE ($1::text IS NULL OR ocid > $1)"
    " AND ($2::text IS NULL OR ocid = $2)"
    " AND ($3::text IS NULL OR ocid IN (SELECT p.ocid FROM procurements p WHERE p.buyer_id = $3))"
    " ORDER BY ocid LIMIT $4::int";

int store_eval_each_compiled(store *st, const store_eval_scope *scope, size_t batch, store_eval_release_fn fn,
                             void *ctx, size_t *count, err_t *e)
{
    int rc = 0;
    PGresult *res = NULL;
    char *last = NULL;
    char lim[24];
    size_t visited = 0;

    if (batch == 0 || batch > 100000)
        batch = 200;
    snprintf(lim, sizeof lim, "%zu", batch);
    for (;;) {
        const char *v[4] = {last, scope ? scope->ocid : NULL, scope ? scope->buyer_id : NULL, lim};
        rc = store_exec(st, &res, PGRES_TUPLES_OK, SQL_EACH, 4, v, e);
        if (rc)
            goto cleanup;
        int n = PQntuples(res);
        int c_ocid = PQfnumber(res, "ocid"), c_data = PQfnumber(res, "data");
        for (int i = 0; i < n; i++) {
            const char *ocid = PQgetvalue(res, i, c_ocid);
            rc = fn(ctx, ocid, PQgetvalue(res, i, c_data), (size_t)PQgetlength(res, i, c_data), e);
            visited++;
            if (rc)
                goto cleanup;
        }
        if (n > 0) {
            free(last);
            last = dup_str(PQgetvalue(res, n - 1, c_ocid));
            if (!last) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                goto cleanup;
            }
        }
        PQclear(res);
        res = NULL;
        if ((size_t)n < batch)
            break;
    }
cleanup:
    if (count)
        *count = visited;
    PQclear(res);
    free(last);
    return rc;
}

/* ---------------------------------------------------------------------------------- */
/* A score source over the database.                                                  */

static int source_release(void *ctx, const char *ocid, const char *json, size_t len, err_t *e)
{
    store_eval_source *src = ctx;
    json_value *tree = NULL;
    model_procurement *p = NULL;
    err_t me;
    err_clear(&me);
    int rc = json_parse(&tree, json, len, &me);
    if (rc == 0)
        rc = model_from_ocds(&p, tree, src->cm, &me);
    json_free(tree);
    if (rc) {
        model_procurement_free(p);
        if (rc == ERR_NOMEM)
            return err_set(e, rc, "%s: %s", ocid, me.msg);
        src->rejected++;
        log_warn(ocid, "compiled release skipped: %s", me.msg);
        return 0;
    }
    rc = src->visit(src->vctx, p, e);
    model_procurement_free(p);
    src->mapped++;
    if (src->progress && src->mapped % 500 == 0)
        fprintf(stderr, "\rscore: %s %zu", src->label ? src->label : "", src->mapped);
    return rc;
}

int store_eval_source_each(void *ctx, score_visit_fn visit, void *vctx, err_t *e)
{
    store_eval_source *src = ctx;
    src->visit = visit;
    src->vctx = vctx;
    src->mapped = src->rejected = 0;
    int rc = store_eval_each_compiled(src->st, &src->scope, 200, source_release, src, NULL, e);
    if (src->progress && src->mapped >= 500)
        fprintf(stderr, "\rscore: %s %zu\n", src->label ? src->label : "", src->mapped);
    return rc;
}
