/* result.c - freeing and naming results (see result.h). */
#include "result.h"

#include <stdlib.h>

void result_dispose(result_t *r)
{
    if (!r)
        return;
    free(r->criterion_id);
    free(r->indicator);
    free(r->subject_kind);
    free(r->subject_id);
    free(r->measured_text);
    free(r->unit);
    free(r->threshold_text);
    free(r->explanation);
    for (size_t i = 0; i < r->n_fields; i++)
        free(r->fields[i]);
    free(r->fields);
    free(r->stats_json);
    for (size_t i = 0; i < r->n_party_ids; i++)
        free(r->party_ids[i]);
    free(r->party_ids);
    *r = (result_t){0};
}

const char *result_status_name(result_status s)
{
    switch (s) {
    case RESULT_PASS: return "pass";
    case RESULT_FLAG: return "flag";
    case RESULT_NOT_APPLICABLE: return "not_applicable";
    case RESULT_INSUFFICIENT_DATA: return "insufficient_data";
    }
    return "unknown";
}

const char *dimension_name(dimension d)
{
    static const char *const names[DIM_COUNT] = {"procedure", "content", "price", "evaluation"};
    return (unsigned)d < DIM_COUNT ? names[d] : "unknown";
}

void criterion_info_dispose(criterion_info *c)
{
    if (!c)
        return;
    free(c->criterion_id);
    free(c->indicator);
    free(c->title);
    free(c->why);
    free(c->check);
    free(c->recommendation);
    free(c->source);
    free(c->params_text);
    *c = (criterion_info){0};
}

void evaluation_free(evaluation_t *ev)
{
    if (!ev)
        return;
    free(ev->ocid);
    free(ev->set_id);
    free(ev->set_version);
    free(ev->set_sha256);
    free(ev->set_title);
    free(ev->language);
    free(ev->created_at);
    for (size_t i = 0; i < ev->n_criteria; i++)
        criterion_info_dispose(&ev->criteria[i]);
    free(ev->criteria);
    for (size_t i = 0; i < ev->n_results; i++)
        result_dispose(&ev->results[i]);
    free(ev->results);
    free(ev->band);
    free(ev);
}
