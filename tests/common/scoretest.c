/* scoretest.c - score what an integration test ingested (scoretest.h). */
#include "scoretest.h"

#include <stdio.h>
#include <string.h>

#include "pgtest.h"
#include "store/evaluations.h"

int scoretest_sink(void *ctx, const evaluation_t *ev, err_t *e)
{
    return store_eval_write(ctx, ev, NULL, e);
}

int scoretest_score_all(store *st, const char *set_file, criteria_set **set_out,
                        score_run_stats *stats)
{
    char path[4096];
    criteria_set *set = NULL;
    score_run_stats local;
    store_eval_source all;
    err_t e;
    int rc = -1;

    if (set_out)
        *set_out = NULL;
    if (snprintf(path, sizeof path, "%s/templates/criteria/%s", pgtest_root(), set_file) >=
        (int)sizeof path) {
        fprintf(stderr, "criteria: path too long\n");
        goto cleanup;
    }
    err_clear(&e);
    if (criteria_load_file(&set, path, NULL, NULL, &e) != 0 ||
        store_eval_put_set(st, set, &e) != 0) {
        fprintf(stderr, "criteria: %s\n", e.msg);
        goto cleanup;
    }
    memset(&all, 0, sizeof all);
    all.st = st;
    memset(&local, 0, sizeof local);
    if (score_run(set, "en", SCORETEST_CREATED_AT, store_eval_source_each, &all,
                  store_eval_source_each, &all, scoretest_sink, st, stats ? stats : &local,
                  &e) != 0) {
        fprintf(stderr, "score_run: %s\n", e.msg);
        goto cleanup;
    }
    rc = 0;
    if (set_out) {
        *set_out = set;
        set = NULL;
    }
cleanup:
    criteria_set_free(set);
    return rc;
}
