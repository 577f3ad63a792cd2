/* handlers.c - the daemon's handlers: ingest a file, score a procurement, render a report. */
#include "handlers.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "criteria.h"
#include "json/json.h"
#include "model.h"
#include "ocds/map.h"
#include "report.h"
#include "score.h"
#include "store/evaluations.h"
#include "store/report_data.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"

/* One loaded criteria set and its cached population statistics. */
typedef struct {
    criteria_set *set;
    score_population *pop;   /* NULL until computed, or when the set has no population criteria */
    long pop_n;              /* procurements when pop was computed */
    char pop_stamp[64];      /* max(procurements.updated_at) then */
} handler_set;

struct handler_ctx {
    handler_set sets[CFG_MAX_CRITERIA];
    size_t n_sets;
    char *reports_dir;
    cfg_audience audience;
    char *language;
    report_templates *templates;
    report_fonts fonts;
};

void handler_ctx_free(handler_ctx *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n_sets; i++) {
        score_pop_free(h->sets[i].pop);
        criteria_set_free(h->sets[i].set);
    }
    report_templates_free(h->templates);
    free(h->reports_dir);
    free(h->language);
    free(h);
}

size_t handler_ctx_sets(const handler_ctx *h) { return h->n_sets; }

const char *handler_ctx_set_id(const handler_ctx *h, size_t i)
{
    return i < h->n_sets ? h->sets[i].set->id : NULL;
}

const char *handler_ctx_set_sha256(const handler_ctx *h, size_t i)
{
    return i < h->n_sets ? h->sets[i].set->sha256 : NULL;
}

/* The templates directory: $PROCAUDIT_TEMPLATES, ../templates beside the executable,
 * ./templates (the same search as criteria_find_template). */
static int templates_dir(char *out, size_t size, err_t *e)
{
    const char *env = getenv("PROCAUDIT_TEMPLATES");
    char exe[PATH_MAX];
    struct stat st;
    ssize_t n;

    if (env && *env) {
        snprintf(out, size, "%s", env);
        return 0;
    }
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        char *slash;
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            if (snprintf(out, size, "%s/../templates", exe) < (int)size && stat(out, &st) == 0 &&
                S_ISDIR(st.st_mode))
                return 0;
        }
    }
    if (stat("templates", &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(out, size, "templates");
        return 0;
    }
    return err_set(e, ERR_NOT_FOUND, "templates directory not found ($PROCAUDIT_TEMPLATES, "
                                     "../templates beside procauditd, ./templates)");
}

int handler_ctx_new(handler_ctx **out, const cfg_t *cfg, err_t *e)
{
    handler_ctx *h = calloc(1, sizeof *h);
    char tdir[PATH_MAX], rdir[PATH_MAX + 16];
    int rc = 0;

    *out = NULL;
    if (!h)
        return err_set(e, ERR_NOMEM, "out of memory");
    h->reports_dir = strdup(cfg->reports_dir);
    h->language = strdup(cfg->report_language);
    h->audience = cfg->report_audience;
    if (!h->reports_dir || !h->language) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < cfg->n_criteria; i++) {
        buf_t path, errors;
        criteria_set *set = NULL;

        buf_init(&path, PATH_MAX);
        buf_init(&errors, 64 * 1024);
        rc = criteria_resolve(&path, cfg->criteria[i], e);
        if (rc == 0)
            rc = criteria_load_file(&set, buf_cstr(&path), NULL, &errors, e);
        if (rc != 0) {
            /* Every problem, not only the first: e keeps the first and the count. */
            if (errors.len)
                log_error("criteria", "%s", buf_cstr(&errors));
            buf_dispose(&path);
            buf_dispose(&errors);
            err_prefix(e, "criteria %s: ", cfg->criteria[i]);
            goto cleanup;
        }
        buf_dispose(&path);
        buf_dispose(&errors);
        for (size_t j = 0; j < h->n_sets; j++)
            if (strcmp(h->sets[j].set->id, set->id) == 0) {
                rc = err_set(e, ERR_USAGE, "%s: criteria set id \"%s\" is also the id of %s",
                             set->path, set->id, h->sets[j].set->path);
                criteria_set_free(set);
                goto cleanup;
            }
        h->sets[h->n_sets++].set = set;
    }
    /* Fonts and templates are checked now, so a broken installation fails at start or
     * reload rather than on the first report. */
    report_fonts_default(&h->fonts);
    rc = report_fonts_check(&h->fonts, e);
    if (rc == 0)
        rc = templates_dir(tdir, sizeof tdir, e);
    if (rc == 0) {
        snprintf(rdir, sizeof rdir, "%s/reports", tdir);
        rc = report_templates_load(&h->templates, rdir, h->language, e);
    }
    if (rc != 0) {
        err_prefix(e, "reports: ");
        goto cleanup;
    }
    *out = h;
    h = NULL;

cleanup:
    handler_ctx_free(h);
    return rc;
}

int handler_can_score(void) { return 1; }
int handler_can_render(void) { return 1; }

int handler_ingest(handler_ctx *h, store *st, const char *path, ingest_stats *stats, err_t *e)
{
    (void)h;
    memset(stats, 0, sizeof *stats);
    return ingest_file(st, path, stats, e);
}

/* --- loading procurements back from the store ---------------------------------------- */

typedef int (*model_fn)(void *ctx, const model_procurement *p, err_t *e);

typedef struct {
    model_fn fn;
    void *ctx;
    size_t bad;           /* compiled releases that did not map (skipped, logged) */
} load_ctx;

static int load_one(void *vctx, const char *ocid, const char *json, size_t len, err_t *e)
{
    load_ctx *lc = vctx;
    json_value *tree = NULL;
    model_procurement *p = NULL;
    err_t re;
    int rc;

    err_clear(&re);
    rc = json_parse(&tree, json, len, &re);
    if (rc == 0)
        rc = model_from_ocds(&p, tree, NULL, &re);
    json_free(tree);
    if (rc == ERR_NOMEM)
        return err_set(e, rc, "%s", re.msg);
    if (rc != 0) {
        /* A stored compiled release that no longer maps: skip it, say so. */
        lc->bad++;
        log_warn(ocid, "compiled release not scored: %s", re.msg);
        return 0;
    }
    rc = lc->fn(lc->ctx, p, e);
    model_procurement_free(p);
    return rc;
}

static int each_model(store *st, const char *ocid, model_fn fn, void *ctx, size_t *count, err_t *e)
{
    store_eval_scope scope = {ocid, NULL};
    load_ctx lc = {fn, ctx, 0};
    return store_eval_each_compiled(st, &scope, ocid ? 1 : 200, load_one, &lc, count, e);
}

/* Loads the model of one ocid: *out owned by the caller. ERR_NOT_FOUND when the store
 * has no compiled release for it. */
typedef struct {
    model_procurement *p;
} one_model;

static int load_one_raw(void *vctx, const char *ocid, const char *json, size_t len, err_t *e)
{
    one_model *om = vctx;
    json_value *tree = NULL;
    int rc;

    (void)ocid;
    if (om->p)
        return 0;
    rc = json_parse(&tree, json, len, e);
    if (rc == 0)
        rc = model_from_ocds(&om->p, tree, NULL, e);
    json_free(tree);
    return rc;
}

static int load_model(store *st, const char *ocid, model_procurement **out, err_t *e)
{
    store_eval_scope scope = {ocid, NULL};
    one_model om = {NULL};
    size_t count = 0;
    int rc;

    *out = NULL;
    rc = store_eval_each_compiled(st, &scope, 1, load_one_raw, &om, &count, e);
    if (rc != 0) {
        model_procurement_free(om.p);
        return rc;
    }
    if (!om.p)
        return err_set(e, ERR_NOT_FOUND, "%s: no compiled release stored", ocid);
    *out = om.p;
    return 0;
}

/* --- population statistics, cached per set -------------------------------------------- */

static int pop_feed(void *ctx, const model_procurement *p, err_t *e)
{
    return score_pop_add(ctx, p, e);
}

/* Recomputes the set's population over every stored procurement when procurements were
 * added or changed since the last computation (their count or latest updated_at moved). */
static int ensure_population(handler_set *hs, store *st, err_t *e)
{
    PGresult *r = NULL;
    score_population *pop = NULL;
    long n;
    char stamp[64];
    size_t count = 0;
    int rc;

    if (!score_set_has_population(hs->set))
        return 0;
    rc = store_exec(st, &r, PGRES_TUPLES_OK,
                    "SELECT count(*), coalesce(max(updated_at)::text, '') FROM procurements", 0, NULL, e);
    if (rc != 0)
        return rc;
    n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    snprintf(stamp, sizeof stamp, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    if (hs->pop && n == hs->pop_n && strcmp(stamp, hs->pop_stamp) == 0)
        return 0;
    rc = score_pop_new(&pop, hs->set, e);
    if (rc == 0)
        rc = each_model(st, NULL, pop_feed, pop, &count, e);
    if (rc == 0)
        rc = score_pop_finish(pop, e);
    if (rc != 0) {
        score_pop_free(pop);
        return rc;
    }
    score_pop_free(hs->pop);
    hs->pop = pop;
    hs->pop_n = n;
    snprintf(hs->pop_stamp, sizeof hs->pop_stamp, "%s", stamp);
    log_info(hs->set->id, "population statistics computed over %zu procurements", count);
    return 0;
}

int handler_score(handler_ctx *h, store *st, const store_job *job, size_t *n_evaluations, err_t *e)
{
    model_procurement *p = NULL;
    evaluation_t *ev = NULL;
    int rc = 0, matched = 0;

    *n_evaluations = 0;
    rc = load_model(st, job->ocid, &p, e);
    if (rc != 0)
        goto cleanup;
    for (size_t i = 0; i < h->n_sets; i++) {
        handler_set *hs = &h->sets[i];
        if (job->set_id && strcmp(job->set_id, hs->set->id) != 0)
            continue;
        matched = 1;
        rc = ensure_population(hs, st, e);
        if (rc == 0)
            rc = score_evaluate(&ev, hs->set, p, hs->pop, h->language, NULL, e);
        if (rc == 0)
            rc = store_eval_put_set(st, hs->set, e);
        if (rc == 0)
            rc = store_eval_write(st, ev, NULL, e);
        /* The report of this evaluation, in the same transaction. */
        if (rc == 0)
            rc = store_job_enqueue(st, STORE_JOB_RENDER, job->ocid, hs->set->id, NULL, e);
        evaluation_free(ev);
        ev = NULL;
        if (rc != 0) {
            err_prefix(e, "%s: ", hs->set->id);
            goto cleanup;
        }
        (*n_evaluations)++;
    }
    if (!matched)
        rc = err_set(e, ERR_NOT_FOUND, "criteria set \"%s\" is not configured here", job->set_id);

cleanup:
    model_procurement_free(p);
    return rc;
}

/* --- reports ------------------------------------------------------------------------- */

static void sanitise(char *out, size_t max, const char *in)
{
    size_t i = 0;
    for (; in[i] && i < max; i++) {
        char c = in[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        out[i] = ok ? c : '_';
    }
    out[i] = '\0';
    /* Never a hidden file or "." / "..". */
    if (out[0] == '.')
        out[0] = '_';
}

int handler_report_name(char *out, size_t size, const char *ocid, const char *set_id,
                        cfg_audience audience, const char *language, err_t *e)
{
    char o[61], s[41], l[17], hex[65];
    const char *aud = audience == CFG_AUDIENCE_PUBLIC ? "public" : "internal";
    const char *sid = set_id ? set_id : "";
    buf_t key;
    int n;

    buf_init(&key, 8192);
    /* NUL separators keep ("a", "bc") and ("ab", "c") apart. */
    if (buf_append(&key, ocid, strlen(ocid) + 1) != 0 || buf_append(&key, sid, strlen(sid) + 1) != 0 ||
        buf_append(&key, aud, strlen(aud) + 1) != 0 ||
        buf_append(&key, language, strlen(language) + 1) != 0) {
        buf_dispose(&key);
        return err_set(e, ERR_LIMIT, "report name: ocid or set id too long");
    }
    store_sha256_hex(key.data, key.len, hex);
    buf_dispose(&key);
    sanitise(o, 60, ocid);
    sanitise(s, 40, set_id ? set_id : "all");
    sanitise(l, 16, language);
    n = snprintf(out, size, "%s-%.12s-%s%s-%s.pdf", o[0] ? o : "_", hex, s,
                 audience == CFG_AUDIENCE_PUBLIC ? "-public" : "", l);
    if (n < 0 || (size_t)n >= size)
        return err_set(e, ERR_LIMIT, "report name: buffer too small");
    return 0;
}

/* Writes bytes to dir/name through name.tmp + fsync + rename, so a reader never sees a
 * partial file. */
static int write_atomic(const char *dir, const char *name, const unsigned char *data, size_t len,
                        char *out_path, size_t out_size, err_t *e)
{
    char tmp[PATH_MAX];
    int fd;
    size_t off = 0;

    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "%s: %s", dir, strerror(errno));
    if (snprintf(out_path, out_size, "%s/%s", dir, name) >= (int)out_size ||
        snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name) >= (int)sizeof tmp)
        return err_set(e, ERR_LIMIT, "%s: path too long", dir);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            unlink(tmp);
            return err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(tmp);
        return err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
    }
    if (rename(tmp, out_path) != 0) {
        unlink(tmp);
        return err_set(e, ERR_IO, "%s: %s", out_path, strerror(errno));
    }
    return 0;
}

int handler_render(handler_ctx *h, store *st, const store_job *job, char *out_path, size_t out_size,
                   err_t *e)
{
    model_procurement *p = NULL;
    evaluation_t *ev = NULL;
    report_context ctx;
    unsigned char *pdf = NULL;
    size_t len = 0;
    char name[256];
    int rc;

    if (out_size)
        out_path[0] = '\0';
    report_context_init(&ctx);
    if (!job->set_id) {
        rc = err_set(e, ERR_NOT_FOUND, "render job without a criteria set");
        goto cleanup;
    }
    /* The model, its latest evaluation under the set, and the report context: data
     * sources with their SHA-256, frequency in perspective, population statistics. */
    ctx.audience = h->audience == CFG_AUDIENCE_PUBLIC ? REPORT_PUBLIC : REPORT_INTERNAL;
    ctx.generated_at = report_epoch_now();
    rc = store_report_procurement(st, job->ocid, job->set_id, &p, &ev, &ctx, e);
    if (rc != 0)
        goto cleanup;
    rc = report_procurement_pdf(&pdf, &len, h->templates, &h->fonts, p, ev, &ctx, e);
    if (rc == 0)
        rc = handler_report_name(name, sizeof name, job->ocid, job->set_id, h->audience, h->language, e);
    if (rc == 0)
        rc = write_atomic(h->reports_dir, name, pdf, len, out_path, out_size, e);

cleanup:
    free(pdf);
    report_context_dispose(&ctx);
    evaluation_free(ev);
    model_procurement_free(p);
    return rc;
}
