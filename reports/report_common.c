/* report_common.c - what both report kinds share: the context struct, the generation
 * time, label formatting, the method appendix and the privacy statement. */
#include "report_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RB_SLOT_MAX (64u << 10)

void report_context_init(report_context *c)
{
    memset(c, 0, sizeof *c);
}

void report_context_dispose(report_context *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_sources; i++) {
        free(c->sources[i].name);
        free(c->sources[i].sha256);
        free(c->sources[i].format);
        free(c->sources[i].received_at);
    }
    free(c->sources);
    for (size_t i = 0; i < c->n_frequencies; i++)
        free(c->frequencies[i].criterion_id);
    free(c->frequencies);
    free(c->population_scope);
    free(c->buyer_id);
    free(c->buyer_name);
    free(c->period_from);
    free(c->period_to);
    for (size_t i = 0; i < c->n_rows; i++) {
        report_buyer_row *r = &c->rows[i];
        free(r->ocid);
        free(r->title);
        free(r->band);
        for (size_t k = 0; k < r->n_flags; k++)
            free(r->flags[k]);
        free(r->flags);
    }
    free(c->rows);
    memset(c, 0, sizeof *c);
}

int64_t report_epoch_now(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    char *end;
    long long v;

    if (s && *s) {
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno == 0 && *end == '\0' && v >= 0 && v < 253402300800LL) /* before year 10000 */
            return (int64_t)v;
    }
    return (int64_t)time(NULL);
}

void rb_init(rbuild *b)
{
    memset(b, 0, sizeof *b);
    for (size_t i = 0; i < RB_SLOTS; i++)
        buf_init(&b->slot[i], RB_SLOT_MAX);
}

void rb_dispose(rbuild *b)
{
    for (size_t i = 0; i < RB_SLOTS; i++)
        buf_dispose(&b->slot[i]);
    rdoc_close(&b->rd);
}

const char *rb_label(rbuild *b, const char *key)
{
    return report_templates_label(b->t, key);
}

const char *rb_fmt(rbuild *b, const char *key, ...)
{
    const char *names[16], *vals[16];
    size_t n = 0;
    va_list ap;
    buf_t *s = &b->slot[b->next++ % RB_SLOTS], tmp;
    const char *nm;

    va_start(ap, key);
    while (n < 16 && (nm = va_arg(ap, const char *)) != NULL) {
        names[n] = nm;
        vals[n] = va_arg(ap, const char *);
        n++;
    }
    va_end(ap);
    /* Format aside first: a value may live in the slot about to be reused. */
    buf_init(&tmp, RB_SLOT_MAX);
    if (rtpl_fmt(&tmp, b->t, key, n, names, vals)) {
        rdoc_fail(&b->rd, ERR_NOMEM, "out of memory (label %s)", key);
        return "";
    }
    buf_dispose(s);
    *s = tmp;
    return buf_cstr(s);
}

const char *rb_printf(rbuild *b, const char *fmt, ...)
{
    buf_t *s = &b->slot[b->next++ % RB_SLOTS];
    va_list ap;
    char tmp[2048];
    int r;

    va_start(ap, fmt);
    r = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (r < 0)
        return "";
    if ((size_t)r >= sizeof tmp) {
        /* Long text (a description): format again into the slot itself. */
        char *big = malloc((size_t)r + 1);
        if (!big) {
            rdoc_fail(&b->rd, ERR_NOMEM, "out of memory");
            return "";
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)r + 1, fmt, ap);
        va_end(ap);
        buf_reset(s);
        if (buf_puts(s, big))
            rdoc_fail(&b->rd, ERR_NOMEM, "out of memory");
        free(big);
        return buf_cstr(s);
    }
    buf_reset(s);
    if (buf_puts(s, tmp))
        rdoc_fail(&b->rd, ERR_NOMEM, "out of memory");
    return buf_cstr(s);
}

const criterion_info *rb_crit(const evaluation_t *ev, const char *id)
{
    if (!ev || !id)
        return NULL;
    for (size_t i = 0; i < ev->n_criteria; i++)
        if (ev->criteria[i].criterion_id && strcmp(ev->criteria[i].criterion_id, id) == 0)
            return &ev->criteria[i];
    return NULL;
}

const char *rb_dim_label(rbuild *b, dimension d)
{
    static const char *const keys[DIM_COUNT] = {"dim.procedure", "dim.content", "dim.price",
                                                "dim.evaluation"};
    return (unsigned)d < DIM_COUNT ? rb_label(b, keys[d]) : "?";
}

const char *rb_sev_label(rbuild *b, severity s)
{
    switch (s) {
    case SEVERITY_LOW: return rb_label(b, "severity.low");
    case SEVERITY_MEDIUM: return rb_label(b, "severity.medium");
    case SEVERITY_HIGH: return rb_label(b, "severity.high");
    }
    return "?";
}

const char *rb_status_label(rbuild *b, result_status s)
{
    switch (s) {
    case RESULT_PASS: return rb_label(b, "status.pass");
    case RESULT_FLAG: return rb_label(b, "status.flag");
    case RESULT_NOT_APPLICABLE: return rb_label(b, "status.not_applicable");
    case RESULT_INSUFFICIENT_DATA: return rb_label(b, "status.insufficient_data");
    }
    return "?";
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "\xE2\x80\x94";
}

void rb_set_identity(rbuild *b)
{
    rdoc *rd = &b->rd;
    const evaluation_t *ev = b->ev;
    const float lw = 150;

    if (!ev)
        return;
    rl_kv(rd, rb_label(b, "set.id"), rb_printf(b, "%s %s", or_dash(ev->set_id),
                                               ev->set_version ? ev->set_version : ""), lw);
    if (ev->set_title)
        rl_kv(rd, rb_label(b, "set.title"), ev->set_title, lw);
    rl_kv_sized(rd, rb_label(b, "set.sha256"), or_dash(ev->set_sha256), lw, 7.5f);
    if (ev->language)
        rl_kv(rd, rb_label(b, "set.language"), ev->language, lw);
}

void rb_section_method(rbuild *b)
{
    rdoc *rd = &b->rd;
    const evaluation_t *ev = b->ev;
    const float lw = 130;

    rl_heading(rd, 1, rb_label(b, "section.method"), 1);
    rl_para(rd, rb_label(b, "method.scoring"), RS_REGULAR, RL_BODY, 0, RC_BLACK);
    rl_para(rd, rb_label(b, "method.coverage"), RS_REGULAR, RL_BODY, 0, RC_BLACK);
    rl_para(rd, rb_label(b, "method.statuses"), RS_REGULAR, RL_BODY, 0, RC_BLACK);
    rl_para(rd, rb_label(b, "method.population"), RS_REGULAR, RL_BODY, 0, RC_BLACK);
    rl_para(rd, rb_label(b, "method.findings"), RS_REGULAR, RL_BODY, 0, RC_BLACK);
    if (!ev)
        return;
    rl_heading(rd, 2, rb_label(b, "method.set"), 0);
    rb_set_identity(b);
    rl_heading(rd, 2, rb_label(b, "method.criteria"), 0);
    for (size_t i = 0; i < ev->n_criteria && !rd->failed; i++) {
        const criterion_info *c = &ev->criteria[i];
        char w[32];
        rl_need(rd, 6 * RL_BODY * RL_LEADING);
        rl_para(rd, rb_printf(b, "%s \xE2\x80\x94 %s", or_dash(c->criterion_id), or_dash(c->title)),
                RS_BOLD, 10, 0, RC_ACCENT);
        snprintf(w, sizeof w, "%g", c->weight);
        rl_kv(rd, rb_label(b, "method.dimension"),
              rb_printf(b, "%s; %s %s; %s %s", rb_dim_label(b, c->dim), rb_label(b, "method.weight"),
                        w, rb_label(b, "method.severity"), rb_sev_label(b, c->sev)),
              lw);
        rl_kv(rd, rb_label(b, "method.indicator"), or_dash(c->indicator), lw);
        if (c->params_text && *c->params_text)
            rl_kv(rd, rb_label(b, "method.parameters"), c->params_text, lw);
        if (c->source && *c->source)
            rl_kv(rd, rb_label(b, "method.source"), c->source, lw);
        if (c->why && *c->why)
            rl_kv(rd, rb_label(b, "method.why"), c->why, lw);
        if (c->check && *c->check)
            rl_kv(rd, rb_label(b, "method.check"), c->check, lw);
        if (c->recommendation && *c->recommendation)
            rl_kv(rd, rb_label(b, "method.recommendation"), c->recommendation, lw);
        rl_space(rd, 4);
    }
}

void rb_section_privacy(rbuild *b)
{
    if (!b->ctx || b->ctx->audience != REPORT_PUBLIC)
        return;
    rl_heading(&b->rd, 1, rb_label(b, "section.privacy"), 0);
    rl_para(&b->rd, rb_label(b, "privacy.statement"), RS_REGULAR, RL_BODY, 0, RC_BLACK);
}
