/* handlers.c - the daemon's handlers: ingest a file, score a procurement, render a report. */
#include "handlers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/buf.h"

struct handler_ctx {
    char *set_ids[CFG_MAX_CRITERIA];
    char *set_paths[CFG_MAX_CRITERIA];
    size_t n_sets;
    char *reports_dir;
    cfg_audience audience;
    char *language;
};

void handler_ctx_free(handler_ctx *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n_sets; i++) {
        free(h->set_ids[i]);
        free(h->set_paths[i]);
    }
    free(h->reports_dir);
    free(h->language);
    free(h);
}

size_t handler_ctx_sets(const handler_ctx *h) { return h->n_sets; }
const char *handler_ctx_set_id(const handler_ctx *h, size_t i) { return i < h->n_sets ? h->set_ids[i] : NULL; }

/* The id="..." of the root element of a criteria-set file (first 64 KB). */
static int read_set_id(const char *path, char *id, size_t size, err_t *e)
{
    char head[65536];
    size_t n;
    FILE *f = fopen(path, "rb");
    const char *p, *q;

    if (!f)
        return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
    n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = '\0';
    p = strstr(head, "<criteria_set");
    if (p)
        p = strstr(p, " id=\"");
    if (!p)
        return err_set(e, ERR_USAGE, "%s: not a criteria set (no <criteria_set id=...>)", path);
    p += 5;
    q = strchr(p, '"');
    if (!q || q == p || (size_t)(q - p) >= size)
        return err_set(e, ERR_USAGE, "%s: criteria_set id missing or too long", path);
    memcpy(id, p, (size_t)(q - p));
    id[q - p] = '\0';
    return 0;
}

int handler_ctx_new(handler_ctx **out, const cfg_t *cfg, err_t *e)
{
    handler_ctx *h = calloc(1, sizeof *h);
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
        char id[256];
        rc = read_set_id(cfg->criteria[i], id, sizeof id, e);
        if (rc != 0)
            goto cleanup;
        for (size_t j = 0; j < h->n_sets; j++)
            if (strcmp(h->set_ids[j], id) == 0) {
                rc = err_set(e, ERR_USAGE, "%s: criteria set id \"%s\" is also the id of %s",
                             cfg->criteria[i], id, h->set_paths[j]);
                goto cleanup;
            }
        h->set_ids[h->n_sets] = strdup(id);
        h->set_paths[h->n_sets] = strdup(cfg->criteria[i]);
        h->n_sets++;
        if (!h->set_ids[h->n_sets - 1] || !h->set_paths[h->n_sets - 1]) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
    }
    *out = h;
    h = NULL;

cleanup:
    handler_ctx_free(h);
    return rc;
}

int handler_can_score(void) { return 0; }
int handler_can_render(void) { return 0; }

int handler_ingest(handler_ctx *h, store *st, const char *path, ingest_stats *stats, err_t *e)
{
    (void)h;
    memset(stats, 0, sizeof *stats);
    return ingest_file(st, path, stats, e);
}

int handler_score(handler_ctx *h, store *st, const store_job *job, size_t *n_evaluations, err_t *e)
{
    (void)h;
    (void)st;
    *n_evaluations = 0;
    return err_set(e, ERR_GENERIC, "%s: this build has no scorer (crit branch not merged)", job->ocid);
}

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
    buf_t key;
    int n;

    buf_init(&key, 8192);
    /* NUL separators keep ("a", "bc") and ("ab", "c") apart. */
    if (buf_append(&key, ocid, strlen(ocid) + 1) != 0 ||
        buf_append(&key, set_id ? set_id : "", strlen(set_id ? set_id : "") + 1) != 0 ||
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

int handler_render(handler_ctx *h, store *st, const store_job *job, char *out_path, size_t out_size,
                   err_t *e)
{
    (void)h;
    (void)st;
    if (out_size)
        out_path[0] = '\0';
    return err_set(e, ERR_GENERIC, "%s: this build has no renderer (reports branch not merged)",
                   job->ocid);
}
