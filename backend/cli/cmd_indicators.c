/* cmd_indicators.c - procaudit indicators: score OCDS files without a database (SPEC §5.5).
 *
 * Reads the same inputs as ingest, each file in the format its content shows
 * (ingest_detect_format: OCDS JSON by ocds_read_file, eForms notices by eforms_read_file,
 * native XML by native_read_file), fixes the tolerated quirks
 * (ocds_normalise), merges adjacent releases of one ocid (ocds_merge), maps each compiled release to the model (model_from_ocds), feeds the
 * population hooks over every input, then evaluates every procurement and prints JSON:
 *   --format native    {"<ocid>": [result, ...], ...} (or, with --criteria, the
 *                      evaluation of each procurement under the set);
 *   --format cardinal  Cardinal's shape {"OCID": {id: {code: value}}, "Buyer": ...,
 *                      "ProcuringEntity": ..., "Tenderer": ...}, flags only.
 * Without --criteria it runs the red-flag indicators (those with a code, R003...) with
 * Cardinal's defaults, changed by --param. Memory: one release group and one model at a
 * time, plus the population state (counters per buyer / tenderer, one ratio per
 * procurement for R024/R058) and, for --format cardinal, the flags found.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "criteria.h"
#include "eforms/eforms.h"
#include "ingest.h"
#include "indicators/indicator.h"
#include "json/json.h"
#include "model.h"
#include "native/native.h"
#include "ocds/map.h"
#include "ocds/merge.h"
#include "ocds/normalise.h"
#include "ocds/reader.h"
#include "score.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"

#define MAX_PARAMS 256
#define MAX_GROUP 10000            /* releases merged for one ocid */
#define OUT_MAX (64u * 1024u * 1024u)

typedef struct {
    const char *indicator;         /* NULL: every indicator */
    char *name;
    char *value;
} cli_param;

/* One flag in Cardinal's shape. */
typedef struct {
    int group;                     /* 0 OCID, 1 Buyer, 2 ProcuringEntity, 3 Tenderer */
    const char *id;                /* in the run's string arena */
    const char *code;
    double value;
} card_entry;

/* Strings kept until the end of the run (the flagged ids), packed into large blocks: one
 * allocation per megabyte rather than one per id. */
typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char data[];
} arena_block;

typedef struct {
    /* configuration */
    const indicator_def *defs[64];
    indicator_params prms[64];
    indicator_param *items[64];
    void *pops[64];
    size_t n_defs;
    criteria_set *set;
    score_population *spop;
    int cardinal;
    int pass;                      /* 1: population, 2: evaluation */
    int two_pass;                  /* a population pass ran before the evaluation */
    int one_pass;                  /* cardinal: population and evaluation in one pass */
    /* release grouping */
    json_value **group;
    size_t n_group, cap_group;
    char *group_ocid;
    const char *file;
    /* output */
    buf_t out;
    int first;
    card_entry **cards;            /* entries live in the arena; this array is sorted */
    size_t n_cards, cap_cards;
    arena_block *arena;
    /* counts */
    size_t procurements, rejected, bad_records;
    size_t unreadable; /* files that could not be opened or read (exit 3) */
    int fatal;
    err_t err;
} run_t;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: procaudit indicators [--criteria FILE|ID] [--format native|cardinal]\n"
            "                            [--param [INDICATOR.]NAME=VALUE]... [--indicator NAME]... FILE...\n"
            "\n"
            "Scores files without a database: OCDS JSON (any packaging, JSON Lines, compiled\n"
            "releases), eForms notices and native procaudit XML, each detected from its content.\n"
            "  --criteria FILE|ID  run the criteria set (default: the red-flag indicators with\n"
            "                      Cardinal's defaults)\n"
            "  --format native     per ocid, every result (default)\n"
            "  --format cardinal   Cardinal's output: flags only, grouped by OCID, Buyer,\n"
            "                      ProcuringEntity and Tenderer, keyed by red-flag code\n"
            "  --param X.N=V       parameter N of indicator X (name or code, e.g.\n"
            "                      R003.threshold=10); N=V without X applies to every indicator\n"
            "                      (exclude_procurement_method_details, currency, ...)\n"
            "  --indicator X       run only indicator X (name or code); repeatable\n"
            "Releases of one ocid must be adjacent in the input to be merged.\n"
            "Exit codes: 0 ok, 1 some records rejected, 2 usage, 3 a file could not be read\n"
            "(the others are still scored), or memory.\n");
}

/* ---------------------------------------------------------------- JSON writing */

static int put_str(buf_t *b, const char *s)
{
    const unsigned char *p;
    int rc = buf_putc(b, '"');

    for (p = (const unsigned char *)(s ? s : ""); rc == 0 && *p; p++) {
        if (*p == '"' || *p == '\\') {
            rc = buf_putc(b, '\\');
            if (rc == 0)
                rc = buf_putc(b, (char)*p);
        } else if (*p < 0x20) {
            rc = buf_printf(b, "\\u%04x", *p);
        } else {
            rc = buf_putc(b, (char)*p);
        }
    }
    return rc ? rc : buf_putc(b, '"');
}

/* The shortest text that reads back as v (as Rust's serde prints floats); NaN/inf null. */
static int put_num(buf_t *b, double v)
{
    char tmp[40];
    int prec;

    if (!isfinite(v))
        return buf_puts(b, "null");
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    /* Plain notation where it is readable (10.0, not 1e+01). */
    if (strchr(tmp, 'e') && fabs(v) >= 1e-5 && fabs(v) < 1e16) {
        int dec = prec - 1 - (int)floor(log10(fabs(v)));
        snprintf(tmp, sizeof tmp, "%.*f", dec > 0 ? dec : 0, v);
    }
    if (!strpbrk(tmp, ".eEn"))
        return buf_printf(b, "%s.0", tmp);
    return buf_puts(b, tmp);
}

static int flush_out(run_t *r, int force)
{
    if (r->out.len == 0 || (!force && r->out.len < (1u << 20)))
        return 0;
    if (fwrite(r->out.data, 1, r->out.len, stdout) != r->out.len)
        return err_set(&r->err, ERR_IO, "stdout: write failed");
    buf_reset(&r->out);
    return 0;
}

static int put_result(buf_t *b, const result_t *x)
{
    size_t i;
    int rc = buf_puts(b, "{\"criterion\":");

    if (!rc) rc = put_str(b, x->criterion_id);
    if (!rc) rc = buf_puts(b, ",\"indicator\":");
    if (!rc) rc = put_str(b, x->indicator);
    if (!rc) rc = buf_puts(b, ",\"dimension\":");
    if (!rc) rc = put_str(b, dimension_name(x->dim));
    if (!rc) rc = buf_puts(b, ",\"subject_kind\":");
    if (!rc) rc = put_str(b, x->subject_kind);
    if (!rc) rc = buf_puts(b, ",\"subject_id\":");
    if (!rc) rc = put_str(b, x->subject_id);
    if (!rc) rc = buf_puts(b, ",\"status\":");
    if (!rc) rc = put_str(b, result_status_name(x->status));
    if (!rc) rc = buf_puts(b, ",\"score\":");
    if (!rc) rc = put_num(b, x->score);
    if (!rc && x->has_measured) {
        rc = buf_puts(b, ",\"measured\":");
        if (!rc) rc = put_num(b, x->measured);
    }
    if (!rc && x->unit) {
        rc = buf_puts(b, ",\"unit\":");
        if (!rc) rc = put_str(b, x->unit);
    }
    if (!rc && x->measured_text) {
        rc = buf_puts(b, ",\"measured_text\":");
        if (!rc) rc = put_str(b, x->measured_text);
    }
    if (!rc && x->has_threshold) {
        rc = buf_puts(b, ",\"threshold\":");
        if (!rc) rc = put_num(b, x->threshold);
    }
    if (!rc && x->threshold_text) {
        rc = buf_puts(b, ",\"threshold_text\":");
        if (!rc) rc = put_str(b, x->threshold_text);
    }
    if (!rc && x->explanation) {
        rc = buf_puts(b, ",\"explanation\":");
        if (!rc) rc = put_str(b, x->explanation);
    }
    if (!rc && x->n_fields) {
        rc = buf_puts(b, ",\"fields\":[");
        for (i = 0; !rc && i < x->n_fields; i++) {
            if (i) rc = buf_putc(b, ',');
            if (!rc) rc = put_str(b, x->fields[i]);
        }
        if (!rc) rc = buf_putc(b, ']');
    }
    if (!rc && x->n_party_ids) {
        rc = buf_puts(b, ",\"parties\":[");
        for (i = 0; !rc && i < x->n_party_ids; i++) {
            if (i) rc = buf_putc(b, ',');
            if (!rc) rc = put_str(b, x->party_ids[i]);
        }
        if (!rc) rc = buf_putc(b, ']');
    }
    if (!rc && x->stats_json) {
        rc = buf_puts(b, ",\"stats\":");
        if (!rc) rc = buf_puts(b, x->stats_json);
    }
    return rc ? rc : buf_putc(b, '}');
}

/* ---------------------------------------------------------------- Cardinal shape */

static const char *const group_names[4] = {"OCID", "Buyer", "ProcuringEntity", "Tenderer"};

/* n bytes aligned for any object, from the arena; NULL when out of memory. */
static void *arena_alloc(run_t *r, size_t n)
{
    arena_block *b = r->arena;
    void *d;

    if (b)
        b->used = (b->used + 7u) & ~(size_t)7u;
    if (!b || b->used > b->cap || b->cap - b->used < n) {
        size_t cap = n > (1u << 20) ? n : (1u << 20);
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = r->arena;
        b->used = 0;
        b->cap = cap;
        r->arena = b;
    }
    d = b->data + b->used;
    b->used += n;
    return d;
}

static const char *arena_dup(run_t *r, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = arena_alloc(r, n);

    if (d)
        memcpy(d, s, n);
    return d;
}

static void arena_free(run_t *r)
{
    while (r->arena) {
        arena_block *next = r->arena->next;
        free(r->arena);
        r->arena = next;
    }
}

static int card_add(run_t *r, int group, const char *id, const char *code, double value)
{
    card_entry *c;

    if (!id)
        return 0;
    if (r->n_cards == r->cap_cards) {
        size_t nc = r->cap_cards ? r->cap_cards + r->cap_cards / 2 : 1024;
        card_entry **nv = realloc(r->cards, nc * sizeof *nv);
        if (!nv)
            return err_set(&r->err, ERR_NOMEM, "out of memory");
        r->cards = nv;
        r->cap_cards = nc;
    }
    c = arena_alloc(r, sizeof *c);
    if (!c || !(c->id = arena_dup(r, id)))
        return err_set(&r->err, ERR_NOMEM, "out of memory");
    r->cards[r->n_cards] = c;
    c->group = group;
    c->code = code;
    c->value = value;
    r->n_cards++;
    return 0;
}

/* Cardinal's value of a flagged procurement-level result: 1.0 for the yes/no flags, the
 * measured value for R024/R058 (ratio) and R035 (count). */
static double card_value(const char *code, const result_t *x)
{
    if (strcmp(code, "R024") == 0 || strcmp(code, "R058") == 0 || strcmp(code, "R035") == 0 ||
        strcmp(code, "R025") == 0 || strcmp(code, "R038") == 0 || strcmp(code, "R048") == 0)
        return x->has_measured ? x->measured : 0.0;
    return 1.0;
}

/* The value Cardinal gives the tenderers of a flagged process (its maps). */
static int card_party_value(const char *code, double *v)
{
    if (strcmp(code, "R024") == 0 || strcmp(code, "R058") == 0 || strcmp(code, "R035") == 0) {
        *v = 0.0;
        return 1;
    }
    if (strcmp(code, "R028") == 0 || strcmp(code, "R030") == 0) {
        *v = 1.0;
        return 1;
    }
    return 0;
}

/* Adds the flags among n results of the indicator with red-flag `code`. */
static int card_collect(run_t *r, const char *code, const result_t *x, size_t n)
{
    size_t i, j;
    int rc = 0;

    for (i = 0; rc == 0 && code && i < n; i++) {
        double pv;
        if (x[i].status != RESULT_FLAG)
            continue;
        if (strcmp(x[i].subject_kind, "procurement") == 0) {
            rc = card_add(r, 0, x[i].subject_id, code, card_value(code, &x[i]));
            if (card_party_value(code, &pv))
                for (j = 0; rc == 0 && j < x[i].n_party_ids; j++)
                    rc = card_add(r, 3, x[i].party_ids[j], code, pv);
        } else if (strcmp(x[i].subject_kind, "buyer") == 0) {
            rc = card_add(r, 1, x[i].subject_id, code, card_value(code, &x[i]));
        } else if (strcmp(x[i].subject_kind, "procuring_entity") == 0) {
            rc = card_add(r, 2, x[i].subject_id, code, card_value(code, &x[i]));
        } else if (strcmp(x[i].subject_kind, "tenderer") == 0) {
            rc = card_add(r, 3, x[i].subject_id, code, card_value(code, &x[i]));
        }
    }
    return rc;
}

/* The results of a set's evaluation: each result names its indicator. */
static int card_collect_named(run_t *r, const result_t *x, size_t n)
{
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < n; i++) {
        const indicator_def *d = x[i].status == RESULT_FLAG ? indicator_find(x[i].indicator) : NULL;
        if (d && d->red_flag)
            rc = card_collect(r, d->red_flag, &x[i], 1);
    }
    return rc;
}

static int card_cmp(const void *a, const void *b)
{
    const card_entry *x = *(card_entry *const *)a, *y = *(card_entry *const *)b;
    int c;

    if (x->group != y->group)
        return x->group - y->group;
    if ((c = strcmp(x->id, y->id)) != 0)
        return c;
    return strcmp(x->code, y->code);
}

static int card_print(run_t *r)
{
    size_t i;
    int rc = 0, g = -1;
    const char *id = NULL;

    if (r->n_cards > 1)
        qsort(r->cards, r->n_cards, sizeof *r->cards, card_cmp);
    rc = buf_putc(&r->out, '{');
    for (i = 0; rc == 0 && i < r->n_cards; i++) {
        const card_entry *c = r->cards[i], *prev = i > 0 ? r->cards[i - 1] : NULL;
        /* The same organisation flagged by the same indicator from several processes. */
        if (prev && c->group == prev->group && strcmp(c->id, prev->id) == 0 && strcmp(c->code, prev->code) == 0)
            continue;
        if (c->group != g) {
            if (g >= 0)
                rc = buf_puts(&r->out, "}},");
            if (!rc) rc = put_str(&r->out, group_names[c->group]);
            if (!rc) rc = buf_puts(&r->out, ":{");
            g = c->group;
            id = NULL;
        }
        if (!rc && (!id || strcmp(id, c->id) != 0)) {
            if (id) rc = buf_puts(&r->out, "},");
            if (!rc) rc = put_str(&r->out, c->id);
            if (!rc) rc = buf_puts(&r->out, ":{");
            id = c->id;
        } else if (!rc) {
            rc = buf_putc(&r->out, ',');
        }
        if (!rc) rc = put_str(&r->out, c->code);
        if (!rc) rc = buf_putc(&r->out, ':');
        if (!rc) rc = put_num(&r->out, c->value);
        if (!rc) rc = flush_out(r, 0);
    }
    if (!rc && g >= 0)
        rc = buf_puts(&r->out, "}}");
    if (!rc) rc = buf_puts(&r->out, "}\n");
    return rc;
}

/* ---------------------------------------------------------------- per procurement */

static int process(run_t *r, const json_value *rel)
{
    model_procurement *p = NULL;
    err_t e;
    int rc;
    size_t i;

    err_clear(&e);
    rc = model_from_ocds(&p, rel, NULL, &e);
    if (rc == ERR_BAD_INPUT) {
        if (r->pass == 1 || !r->two_pass)
            log_warn(r->file, "record skipped: %s", e.msg);
        r->bad_records++;
        return 0;
    }
    if (rc != 0)
        return err_set(&r->err, rc, "%s", e.msg);
    r->procurements++;
    if (r->pass == 1 && r->one_pass) {
        /* Population hooks and the other indicators at once; flags only. */
        result_list l = {0};
        for (i = 0; rc == 0 && i < r->n_defs; i++) {
            if (r->pops[i]) {
                rc = r->defs[i]->pop_add(r->pops[i], p, &r->err);
            } else {
                rc = r->defs[i]->evaluate(p, &r->prms[i], NULL, &l, &r->err);
                if (rc == 0)
                    rc = card_collect(r, r->defs[i]->red_flag, l.items, l.n);
                result_list_dispose(&l);
            }
        }
        model_procurement_free(p);
        return rc;
    }
    if (r->pass == 1) {
        if (r->set)
            rc = score_pop_add(r->spop, p, &r->err);
        for (i = 0; rc == 0 && !r->set && i < r->n_defs; i++)
            if (r->pops[i])
                rc = r->defs[i]->pop_add(r->pops[i], p, &r->err);
        model_procurement_free(p);
        return rc;
    }
    if (r->set) {
        evaluation_t *ev = NULL;
        rc = score_evaluate(&ev, r->set, p, r->spop, NULL, "1970-01-01T00:00:00Z", &r->err);
        if (rc == 0 && r->cardinal)
            rc = card_collect_named(r, ev->results, ev->n_results);
        else if (rc == 0) {
            rc = buf_puts(&r->out, r->first ? "\n" : ",\n");
            if (!rc) rc = put_str(&r->out, p->ocid);
            if (!rc) rc = buf_putc(&r->out, ':');
            if (!rc) rc = score_evaluation_json(&r->out, ev);
            r->first = 0;
        }
        evaluation_free(ev);
    } else {
        result_list l = {0};
        for (i = 0; rc == 0 && i < r->n_defs; i++) {
            size_t start = l.n;
            rc = r->defs[i]->evaluate(p, &r->prms[i], r->pops[i], &l, &r->err);
            if (rc == 0 && r->cardinal)
                rc = card_collect(r, r->defs[i]->red_flag, l.items + start, l.n - start);
        }
        if (rc == 0 && !r->cardinal) {
            rc = buf_puts(&r->out, r->first ? "\n" : ",\n");
            if (!rc) rc = put_str(&r->out, p->ocid);
            if (!rc) rc = buf_puts(&r->out, ":[");
            for (i = 0; rc == 0 && i < l.n; i++) {
                if (i) rc = buf_putc(&r->out, ',');
                if (!rc) rc = put_result(&r->out, &l.items[i]);
            }
            if (!rc) rc = buf_putc(&r->out, ']');
            r->first = 0;
        }
        result_list_dispose(&l);
    }
    if (rc == 0)
        rc = flush_out(r, 0);
    else if (r->err.code == 0)
        err_set(&r->err, rc, "output: %s", err_name(rc));
    model_procurement_free(p);
    return rc;
}

static void group_clear(run_t *r)
{
    size_t i;

    for (i = 0; i < r->n_group; i++)
        json_free(r->group[i]);
    r->n_group = 0;
    free(r->group_ocid);
    r->group_ocid = NULL;
}

static int group_flush(run_t *r)
{
    json_value *merged = NULL;
    err_t e;
    int rc = 0;

    if (r->n_group == 0)
        return 0;
    if (r->n_group == 1) {
        /* A lone release is its own compiled release. */
        rc = process(r, r->group[0]);
    } else {
        err_clear(&e);
        rc = ocds_merge(&merged, r->group, r->n_group, &e);
        if (rc == 0)
            rc = process(r, merged);
        else if (rc == ERR_BAD_INPUT || rc == ERR_LIMIT) {
            if (r->pass == 1 || !r->two_pass)
                log_warn(r->file, "ocid %s: releases not merged: %s", r->group_ocid ? r->group_ocid : "?", e.msg);
            r->bad_records++;
            rc = 0;
        } else
            err_set(&r->err, rc, "%s", e.msg);
        json_free(merged);
    }
    group_clear(r);
    return rc;
}

static int on_item(void *ctx, ocds_item *it)
{
    run_t *r = ctx;
    int rc;

    switch (it->kind) {
    case OCDS_ITEM_REJECTED:
        if ((rc = group_flush(r)) != 0)
            return rc;
        if (r->pass == 1 || !r->two_pass)
            log_warn(it->file, "line %llu: record rejected: %s", (unsigned long long)it->line, it->error.msg);
        r->rejected++;
        return 0;
    case OCDS_ITEM_LINKED:
        return 0;
    case OCDS_ITEM_COMPILED:
        if ((rc = group_flush(r)) != 0)
            return rc;
        return process(r, it->release);
    case OCDS_ITEM_RELEASE:
        if (r->n_group > 0 && (!it->ocid || !r->group_ocid || strcmp(it->ocid, r->group_ocid) != 0 ||
                               r->n_group >= MAX_GROUP))
            if ((rc = group_flush(r)) != 0)
                return rc;
        if (r->n_group == r->cap_group) {
            size_t nc = r->cap_group ? r->cap_group * 2 : 8;
            json_value **ng = realloc(r->group, nc * sizeof *ng);
            if (!ng)
                return err_set(&r->err, ERR_NOMEM, "out of memory");
            r->group = ng;
            r->cap_group = nc;
        }
        if (r->n_group == 0 && it->ocid && !(r->group_ocid = strdup(it->ocid)))
            return err_set(&r->err, ERR_NOMEM, "out of memory");
        r->group[r->n_group++] = it->release;
        it->release = NULL;   /* taken */
        return 0;
    }
    return 0;
}

/* ---------------------------------------------------------------- reading thread */

/* The files are read (yajl, JSON trees) on a second thread while this one merges, maps
 * and scores: a bounded FIFO of items between them keeps the input order and the memory
 * bounded (QCAP releases in flight). */
#define QCAP 256

typedef struct {
    int kind;              /* an ocds_item_kind, or Q_EOF (end of one file), Q_DONE */
    json_value *release;   /* owned by the item until taken */
    char *ocid;
    int file;              /* index into the file list */
    uint64_t line;
    char *msg;             /* rejected: the reason; Q_EOF: the read error, or NULL */
    int rc;                /* Q_EOF: ocds_read_file's return */
} qitem;

enum { Q_EOF = 100, Q_DONE = 101 };

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    qitem ring[QCAP];
    size_t head, n;
    int stop;              /* the consumer gave up: the reader stops at its next item */
    char **files;
    int nfiles, cur;
} queue_t;

static void qitem_free(qitem *q)
{
    json_free(q->release);
    free(q->ocid);
    free(q->msg);
    memset(q, 0, sizeof *q);
}

/* Pushes (takes *it). Returns 0, or ERR_GENERIC when the consumer stopped. */
static int q_push(queue_t *q, qitem *it)
{
    int rc = 0;

    pthread_mutex_lock(&q->mu);
    while (q->n == QCAP && !q->stop)
        pthread_cond_wait(&q->not_full, &q->mu);
    if (q->stop) {
        rc = ERR_GENERIC;
        qitem_free(it);
    } else {
        q->ring[(q->head + q->n) % QCAP] = *it;
        q->n++;
        pthread_cond_signal(&q->not_empty);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static void q_pop(queue_t *q, qitem *out)
{
    pthread_mutex_lock(&q->mu);
    while (q->n == 0)
        pthread_cond_wait(&q->not_empty, &q->mu);
    *out = q->ring[q->head];
    q->head = (q->head + 1) % QCAP;
    q->n--;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

static int reader_cb(void *ctx, ocds_item *it)
{
    queue_t *q = ctx;
    qitem x = {0};

    x.kind = (int)it->kind;
    x.file = q->cur;
    x.line = it->line;
    if (it->kind == OCDS_ITEM_LINKED)
        return 0;
    x.release = it->release;
    it->release = NULL;
    if ((it->ocid && !(x.ocid = strdup(it->ocid))) ||
        (it->kind == OCDS_ITEM_REJECTED && !(x.msg = strdup(it->error.msg)))) {
        qitem_free(&x);
        return ERR_NOMEM;
    }
    return q_push(q, &x);
}

/* Reads one file in the format its content shows, as ingest does (ingest_detect_format:
 * '{' or '[' OCDS JSON, '<' an eForms notice or a native procaudit document by its root
 * element). A file of no known format fails with ERR_BAD_INPUT and the reason in e. */
static int read_any(const char *path, ocds_item_cb cb, void *ctx, err_t *e)
{
    char fmt[16];
    int rc = ingest_detect_format(path, fmt, e);

    if (rc != 0)
        return rc;
    if (strcmp(fmt, "eforms") == 0)
        return eforms_read_file(path, cb, ctx, NULL, e);
    if (strcmp(fmt, "native") == 0)
        return native_read_file(path, cb, ctx, NULL, e);
    return ocds_read_file(path, cb, ctx, NULL, e);
}

static void *reader_main(void *arg)
{
    queue_t *q = arg;
    qitem x;
    err_t e;
    int i, rc;

    for (i = 0; i < q->nfiles; i++) {
        err_clear(&e);
        q->cur = i;
        rc = read_any(q->files[i], reader_cb, q, &e);
        memset(&x, 0, sizeof x);
        x.kind = Q_EOF;
        x.file = i;
        x.rc = rc;
        x.msg = rc != 0 ? strdup(e.msg) : NULL;
        if (q_push(q, &x) != 0)
            break;
    }
    memset(&x, 0, sizeof x);
    x.kind = Q_DONE;
    pthread_mutex_lock(&q->mu);   /* DONE always gets in, even after a stop */
    while (q->n == QCAP)
        pthread_cond_wait(&q->not_full, &q->mu);
    q->ring[(q->head + q->n) % QCAP] = x;
    q->n++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* One file's end: flush its last group, or report why it could not be read. */
static int end_of_file(run_t *r, const char *file, int rc, const char *msg)
{
    if (rc == 0)
        return group_flush(r);
    group_clear(r);
    if (r->err.code != 0)
        return r->err.code;
    /* A file that cannot be read at all: report it (once, in the first pass) and go on
     * with the others. */
    if (r->pass == 1 || !r->two_pass) {
        /* The message usually starts with the path, which log_error prints already. */
        size_t fl = strlen(file);
        if (msg && strncmp(msg, file, fl) == 0 && msg[fl] == ':' && msg[fl + 1] == ' ')
            msg += fl + 2;
        log_error(file, "%s", msg ? msg : err_name(rc));
    }
    if (rc == ERR_NOMEM)
        return err_set(&r->err, rc, "%s", msg ? msg : "out of memory");
    if (rc == ERR_IO)
        r->unreadable++;
    else
        r->rejected++;
    return 0;
}

/* Fixes the quirks ingest tolerates (numbers as strings, ids as numbers, lower-case
 * currencies, ...) as ingest does before merging; the notes are not printed by this
 * command. Runs on this thread: the reading thread is the busier one. A release that
 * cannot be normalised becomes a rejected item (its reason kept in *msg). */
static int normalise_item(run_t *r, ocds_item *it, char **msg)
{
    model_note *notes = NULL;
    size_t n_notes = 0;
    err_t e;
    int rc;

    if (!it->release || it->kind == OCDS_ITEM_REJECTED)
        return 0;
    err_clear(&e);
    rc = ocds_normalise(it->release, &notes, &n_notes, &e);
    model_notes_free(notes, n_notes);
    if (rc == ERR_NOMEM)
        return err_set(&r->err, rc, "out of memory");
    if (rc != 0) {
        it->kind = OCDS_ITEM_REJECTED;
        snprintf(it->error.msg, sizeof it->error.msg, "%s", e.msg);
        free(*msg);
        *msg = strdup(e.msg);
    }
    return 0;
}

static int read_all(run_t *r, char **files, int nfiles)
{
    queue_t q;
    pthread_t th;
    qitem x;
    int rc = 0, done = 0;

    r->procurements = r->rejected = r->bad_records = r->unreadable = 0;
    memset(&q, 0, sizeof q);
    q.files = files;
    q.nfiles = nfiles;
    if (pthread_mutex_init(&q.mu, NULL) != 0 || pthread_cond_init(&q.not_empty, NULL) != 0 ||
        pthread_cond_init(&q.not_full, NULL) != 0)
        return err_set(&r->err, ERR_GENERIC, "cannot create the reading thread's locks");
    if (pthread_create(&th, NULL, reader_main, &q) != 0)
        return err_set(&r->err, ERR_GENERIC, "cannot start the reading thread");
    while (!done) {
        q_pop(&q, &x);
        if (x.kind == Q_DONE) {
            done = 1;
        } else if (rc == 0 && x.kind == Q_EOF) {
            r->file = files[x.file];
            rc = end_of_file(r, files[x.file], x.rc, x.msg);
        } else if (rc == 0) {
            ocds_item it;
            memset(&it, 0, sizeof it);
            it.kind = (ocds_item_kind)x.kind;
            it.release = x.release;
            it.ocid = x.ocid;
            it.file = files[x.file];
            it.line = x.line;
            if (x.msg)
                snprintf(it.error.msg, sizeof it.error.msg, "%s", x.msg);
            r->file = files[x.file];
            rc = normalise_item(r, &it, &x.msg);
            if (rc == 0)
                rc = on_item(r, &it);
            x.release = it.release;   /* NULL when taken */
        }
        qitem_free(&x);
        if (rc != 0 && !q.stop) {
            pthread_mutex_lock(&q.mu);
            q.stop = 1;
            pthread_cond_broadcast(&q.not_full);
            pthread_mutex_unlock(&q.mu);
        }
    }
    pthread_join(th, NULL);
    pthread_cond_destroy(&q.not_empty);
    pthread_cond_destroy(&q.not_full);
    pthread_mutex_destroy(&q.mu);
    if (rc != 0)
        group_clear(r);
    return rc;
}

/* ---------------------------------------------------------------- setup */

static int add_def(run_t *r, const indicator_def *d)
{
    size_t i;

    for (i = 0; i < r->n_defs; i++)
        if (r->defs[i] == d)
            return 0;
    if (r->n_defs >= sizeof r->defs / sizeof r->defs[0])
        return ERR_LIMIT;
    r->defs[r->n_defs++] = d;
    return 0;
}

static const indicator_def *find_any(const char *name)
{
    const indicator_def *d = indicator_find(name);
    return d ? d : indicator_find_code(name);
}

/* Builds each indicator's parameters: the global ones, then its own (later wins). */
static int build_params(run_t *r, cli_param *ps, size_t np)
{
    size_t i, j, k;

    for (i = 0; i < r->n_defs; i++) {
        r->items[i] = calloc(np ? np : 1, sizeof *r->items[i]);
        if (!r->items[i])
            return err_set(&r->err, ERR_NOMEM, "out of memory");
        k = 0;
        for (j = 0; j < np; j++)
            if (!ps[j].indicator)
                r->items[i][k++] = (indicator_param){ps[j].name, ps[j].value};
        for (j = 0; j < np; j++)
            if (ps[j].indicator && find_any(ps[j].indicator) == r->defs[i])
                r->items[i][k++] = (indicator_param){ps[j].name, ps[j].value};
        r->prms[i].items = r->items[i];
        r->prms[i].n = k;
        r->prms[i].criterion_id = r->defs[i]->red_flag ? r->defs[i]->red_flag : r->defs[i]->name;
        r->prms[i].dim = r->defs[i]->dim;
        r->prms[i].terse = r->cardinal;
    }
    for (j = 0; j < np; j++) {
        const indicator_def *d = ps[j].indicator ? find_any(ps[j].indicator) : NULL;
        if (ps[j].indicator && !d)
            return err_set(&r->err, ERR_USAGE, "--param %s.%s: unknown indicator '%s'", ps[j].indicator, ps[j].name,
                           ps[j].indicator);
        if (d && !indicator_param_known(d, ps[j].name))
            return err_set(&r->err, ERR_USAGE, "--param %s.%s: %s has no parameter '%s'", ps[j].indicator, ps[j].name,
                           d->name, ps[j].name);
    }
    return 0;
}

int cmd_indicators(int argc, char **argv)
{
    run_t r;
    cli_param ps[MAX_PARAMS];
    size_t np = 0, i, n_all;
    const char *only[64];
    size_t n_only = 0;
    const char *criteria = NULL, *format = "native";
    char **files = NULL;
    int nfiles = 0, a, rc = 0, exitc = CLI_EXIT_OK;
    const indicator_def *all = indicator_all(&n_all);
    buf_t path;

    memset(&r, 0, sizeof r);
    buf_init(&r.out, OUT_MAX);
    buf_init(&path, 4096);
    err_clear(&r.err);
    r.first = 1;
    for (a = 1; a < argc; a++) {
        const char *s = argv[a];
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            usage(stdout);
            goto cleanup;
        } else if (strcmp(s, "--criteria") == 0 && a + 1 < argc) {
            criteria = argv[++a];
        } else if (strcmp(s, "--format") == 0 && a + 1 < argc) {
            format = argv[++a];
        } else if (strcmp(s, "--indicator") == 0 && a + 1 < argc) {
            if (n_only >= sizeof only / sizeof only[0]) {
                fprintf(stderr, "procaudit indicators: too many --indicator\n");
                exitc = CLI_EXIT_USAGE;
                goto cleanup;
            }
            only[n_only++] = argv[++a];
        } else if (strcmp(s, "--param") == 0 && a + 1 < argc) {
            char *v = argv[++a], *eq = strchr(v, '='), *dot;
            if (!eq || eq == v || np >= MAX_PARAMS) {
                fprintf(stderr, "procaudit indicators: --param expects [INDICATOR.]NAME=VALUE\n");
                exitc = CLI_EXIT_USAGE;
                goto cleanup;
            }
            *eq = '\0';
            dot = strchr(v, '.');
            if (dot) {
                *dot = '\0';
                ps[np].indicator = v;
                ps[np].name = dot + 1;
            } else {
                ps[np].indicator = NULL;
                ps[np].name = v;
            }
            ps[np].value = eq + 1;
            np++;
        } else if (s[0] == '-' && s[1] == '-') {
            if (strcmp(s, "--criteria") == 0 || strcmp(s, "--format") == 0 || strcmp(s, "--indicator") == 0 ||
                strcmp(s, "--param") == 0)
                fprintf(stderr, "procaudit indicators: %s needs a value\n", s);
            else
                fprintf(stderr, "procaudit indicators: unknown option %s\n", s);
            usage(stderr);
            exitc = CLI_EXIT_USAGE;
            goto cleanup;
        } else {
            files = argv + a;
            nfiles = argc - a;
            break;
        }
    }
    if (nfiles == 0 || (strcmp(format, "native") != 0 && strcmp(format, "cardinal") != 0)) {
        if (nfiles == 0)
            fprintf(stderr, "procaudit indicators: no FILE given\n");
        else
            fprintf(stderr, "procaudit indicators: --format native|cardinal, not '%s'\n", format);
        usage(stderr);
        exitc = CLI_EXIT_USAGE;
        goto cleanup;
    }
    r.cardinal = strcmp(format, "cardinal") == 0;
    if (criteria) {
        buf_t errs;
        if (np > 0 || n_only > 0) {
            fprintf(stderr, "procaudit indicators: --param and --indicator apply without --criteria only\n");
            exitc = CLI_EXIT_USAGE;
            goto cleanup;
        }
        buf_init(&errs, 1u << 20);
        rc = criteria_resolve(&path, criteria, &r.err);
        if (rc == 0)
            rc = criteria_load_file(&r.set, buf_cstr(&path), NULL, &errs, &r.err);
        if (rc != 0) {
            fprintf(stderr, "%s", errs.len ? buf_cstr(&errs) : "");
            fprintf(stderr, "procaudit indicators: %s\n", r.err.msg);
            buf_dispose(&errs);
            exitc = rc == ERR_NOMEM ? CLI_EXIT_INFRA : CLI_EXIT_USAGE;
            goto cleanup;
        }
        buf_dispose(&errs);
        if ((rc = score_pop_new(&r.spop, r.set, &r.err)) != 0) {
            fprintf(stderr, "procaudit indicators: %s\n", r.err.msg);
            exitc = cli_exit_for(rc);
            goto cleanup;
        }
    } else {
        for (i = 0; i < n_only; i++) {
            if (strcmp(only[i], "all") == 0) {
                size_t k;
                for (k = 0; k < n_all; k++)
                    if (all[k].params && strcmp(all[k].name, "field_present") != 0 &&
                        strcmp(all[k].name, "date_difference") != 0 && strcmp(all[k].name, "value_in_list") != 0 &&
                        strcmp(all[k].name, "amount_ratio") != 0)
                        (void)add_def(&r, &all[k]);
                continue;
            }
            if (!find_any(only[i])) {
                fprintf(stderr, "procaudit indicators: unknown indicator '%s'\n", only[i]);
                exitc = CLI_EXIT_USAGE;
                goto cleanup;
            }
            (void)add_def(&r, find_any(only[i]));
        }
        for (i = 0; n_only == 0 && i < n_all; i++)
            if (all[i].red_flag)
                (void)add_def(&r, &all[i]);
        if ((rc = build_params(&r, ps, np)) != 0) {
            fprintf(stderr, "procaudit indicators: %s\n", r.err.msg);
            exitc = cli_exit_for(rc);
            goto cleanup;
        }
        for (i = 0; i < r.n_defs; i++)
            if (r.defs[i]->pop_new && !(r.pops[i] = r.defs[i]->pop_new(&r.prms[i], &r.err))) {
                fprintf(stderr, "procaudit indicators: %s: %s\n", r.defs[i]->name, r.err.msg);
                exitc = cli_exit_for(r.err.code ? r.err.code : ERR_NOMEM);
                goto cleanup;
            }
    }
    /* Pass 1: the population (only when some indicator has one). */
    {
        int need = r.set ? score_set_has_population(r.set) : 0;
        for (i = 0; !r.set && i < r.n_defs; i++)
            if (r.pops[i])
                need = 1;
        /* Cardinal's output needs only flags: when every population indicator can give its
         * results from the population alone, one pass does it all. */
        r.one_pass = r.cardinal && !r.set && need;
        for (i = 0; r.one_pass && i < r.n_defs; i++)
            if (r.pops[i] && !r.defs[i]->pop_results)
                r.one_pass = 0;
        if (need) {
            r.pass = 1;
            r.two_pass = !r.one_pass;
            if ((rc = read_all(&r, files, nfiles)) != 0)
                goto fail;
            if (r.set)
                rc = score_pop_finish(r.spop, &r.err);
            for (i = 0; rc == 0 && !r.set && i < r.n_defs; i++)
                if (r.pops[i])
                    rc = r.defs[i]->pop_finish(r.pops[i], &r.err);
            if (rc != 0)
                goto fail;
        }
        for (i = 0; r.one_pass && i < r.n_defs; i++) {
            result_list l = {0};
            if (!r.pops[i])
                continue;
            rc = r.defs[i]->pop_results(r.pops[i], &r.prms[i], &l, &r.err);
            if (rc == 0)
                rc = card_collect(&r, r.defs[i]->red_flag, l.items, l.n);
            result_list_dispose(&l);
            if (rc != 0)
                goto fail;
        }
    }
    /* Pass 2: evaluate and print. */
    r.pass = 2;
    if (!r.cardinal && (rc = buf_putc(&r.out, '{')) != 0)
        goto fail;
    if (!r.one_pass && (rc = read_all(&r, files, nfiles)) != 0)
        goto fail;
    if (r.cardinal)
        rc = card_print(&r);
    else
        rc = buf_puts(&r.out, r.first ? "}\n" : "\n}\n");
    if (rc == 0)
        rc = flush_out(&r, 1);
    if (rc != 0)
        goto fail;
    if (fflush(stdout) != 0) {
        err_set(&r.err, ERR_IO, "stdout: write failed");
        rc = ERR_IO;
        goto fail;
    }
    if (r.unreadable > 0) {
        fprintf(stderr, "procaudit indicators: %zu procurements scored, %zu files could not be read, "
                        "%zu records rejected\n", r.procurements, r.unreadable, r.rejected + r.bad_records);
        exitc = CLI_EXIT_INFRA;
    } else if (r.rejected > 0 || r.bad_records > 0) {
        fprintf(stderr, "procaudit indicators: %zu procurements scored, %zu records rejected\n", r.procurements,
                r.rejected + r.bad_records);
        exitc = CLI_EXIT_REJECTED;
    }
    goto cleanup;
fail:
    fprintf(stderr, "procaudit indicators: %s\n", r.err.msg[0] ? r.err.msg : err_name(rc));
    exitc = cli_exit_for(rc) == CLI_EXIT_REJECTED ? CLI_EXIT_INFRA : cli_exit_for(rc);
cleanup:
    group_clear(&r);
    free(r.group);
    for (i = 0; i < r.n_defs; i++) {
        if (r.pops[i])
            r.defs[i]->pop_free(r.pops[i]);
        free(r.items[i]);
    }
    free(r.cards);
    arena_free(&r);
    score_pop_free(r.spop);
    criteria_set_free(r.set);
    buf_dispose(&r.out);
    buf_dispose(&path);
    return exitc;
}
