/* test_daemon_config.c - procauditd's config table: defaults, parsing, file:line errors,
 * validation, reload carry-over, report names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "handlers.h"

static const char *const base =
    "inbox_dir = /s/in\n"
    "archive_dir = /s/ar\n"
    "rejected_dir = /s/rj\n"
    "reports_dir = /s/rp\n"
    "criteria = /c/a.xml\n";

static int load(cfg_t *c, const char *extra, err_t *e)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", base, extra);
    return cfg_load_string(c, "t.conf", text, e);
}

static void test_cfg_defaults_match_the_table(void **state)
{
    cfg_t c;
    (void)state;
    assert_int_equal(cfg_init(&c), 0);
    assert_int_equal(c.workers, 1);
    assert_int_equal(c.poll_interval, 5);
    assert_int_equal(c.retry_backoff_min, 1);
    assert_int_equal(c.retry_backoff_max, 60);
    assert_int_equal(c.job_max_attempts, 5);
    assert_int_equal(c.job_kinds, 7u); /* ingest 1 + score 2 + render 4 */
    assert_int_equal(c.job_retention, 7 * 86400); /* "7d" */
    assert_int_equal(c.log_level, LOG_LEVEL_INFO);
    assert_int_equal(c.report_audience, CFG_AUDIENCE_INTERNAL);
    assert_string_equal(c.report_language, "en");
    assert_string_equal(c.database, "");
    assert_int_equal(c.n_criteria, 1);
    cfg_dispose(&c);
}

static void test_cfg_parses_values_comments_quotes_and_units(void **state)
{
    cfg_t c;
    err_t e;
    (void)state;
    assert_int_equal(load(&c,
                          "# a comment line\n"
                          "\n"
                          "  workers = 3   # trailing comment\n"
                          "poll_interval = 2m\n"
                          "retry_backoff_max = 1h\n"
                          "database = \"host=/run/pg dbname=pa # not a comment\"\n"
                          "report_audience = public\n"
                          "log_level = debug\r\n"
                          "job_kinds = render,ingest\n",
                          &e),
                     0);
    assert_int_equal(c.workers, 3);
    assert_int_equal(c.poll_interval, 120);       /* 2 min x 60 s */
    assert_int_equal(c.retry_backoff_max, 3600);  /* 1 h x 3600 s */
    assert_string_equal(c.database, "host=/run/pg dbname=pa # not a comment");
    assert_int_equal(c.report_audience, CFG_AUDIENCE_PUBLIC);
    assert_int_equal(c.log_level, LOG_LEVEL_DEBUG);
    assert_int_equal(c.job_kinds, 5u); /* ingest 1 + render 4 */
    cfg_dispose(&c);
}

static void test_cfg_criteria_list_is_split_and_trimmed(void **state)
{
    cfg_t c;
    err_t e;
    (void)state;
    assert_int_equal(cfg_load_string(&c, "t.conf",
                                     "inbox_dir=/a\narchive_dir=/b\nrejected_dir=/c\nreports_dir=/d\n"
                                     "criteria = /x/one.xml ,  /y/two.xml,,\n",
                                     &e),
                     0);
    assert_int_equal(c.n_criteria, 2);
    assert_string_equal(c.criteria[0], "/x/one.xml");
    assert_string_equal(c.criteria[1], "/y/two.xml");
    cfg_dispose(&c);
}

/* Each bad line is reported with the file name and its line number: base has 5 lines,
 * so the first extra line is line 6. */
static const struct {
    const char *extra;
    const char *msg;
} bad_lines[] = {
    {"workers = 0\n", "t.conf:6: workers: 0 is outside 1..64"},
    {"workers = many\n", "t.conf:6: workers: \"many\" is not an integer"},
    {"poll_interval = 5x\n", "t.conf:6: poll_interval: \"5x\" is not a duration (e.g. 30, 30s, 5m, 1h, 7d)"},
    {"\nfrobnicate = 1\n", "t.conf:7: unknown setting \"frobnicate\""},
    {"just words\n", "t.conf:6: expected \"key = value\""},
    {"log_level = loud\n", "t.conf:6: log_level: \"loud\" is not one of error, warn, info, debug"},
    {"report_audience = everyone\n", "t.conf:6: report_audience: \"everyone\" is not internal or public"},
    {"inbox_dir = /again\n", "t.conf:6: inbox_dir is set twice"},
    {"database = \"open\n", "t.conf:6: unterminated quoted value"},
    {"= 3\n", "t.conf:6: missing key before \"=\""},
    {"job_kinds = score, paint\n", "t.conf:6: job_kinds: \"paint\" is not ingest, score or render"},
};

static void test_cfg_reports_bad_lines_as_file_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
        cfg_t c;
        err_t e;
        int rc = load(&c, bad_lines[i].extra, &e);
        assert_int_equal(rc, ERR_USAGE);
        assert_string_equal(e.msg, bad_lines[i].msg);
        /* A failed load leaves nothing to free. */
        assert_null(c.inbox_dir);
    }
}

static void test_cfg_validation_rejects_inconsistent_settings(void **state)
{
    cfg_t c;
    err_t e;
    (void)state;
    assert_int_equal(load(&c, "retry_backoff_min = 30\nretry_backoff_max = 10\n", &e), ERR_USAGE);
    assert_string_equal(e.msg, "t.conf: retry_backoff_min (30) is larger than retry_backoff_max (10)");
    assert_int_equal(cfg_load_string(&c, "t.conf",
                                     "inbox_dir=/a\narchive_dir=/a\nrejected_dir=/c\nreports_dir=/d\n", &e),
                     ERR_USAGE);
    assert_string_equal(e.msg, "t.conf: inbox_dir and archive_dir must be different directories");
    assert_int_equal(cfg_load_string(&c, "t.conf",
                                     "inbox_dir=/a\narchive_dir=/b\nrejected_dir=/c\nreports_dir=/d\n"
                                     "criteria = ,\n", &e),
                     ERR_USAGE);
    assert_string_equal(e.msg, "t.conf: criteria: at least one criteria-set file is needed");
    assert_int_equal(load(&c, "report_language = ../en\n", &e), ERR_USAGE);
}

static void test_cfg_show_output_parses_back_to_the_same_values(void **state)
{
    cfg_t c, d;
    err_t e;
    char *text = NULL;
    size_t len = 0;
    FILE *f;
    (void)state;
    assert_int_equal(cfg_load_string(&c, "t.conf",
                                     "inbox_dir=/a\narchive_dir=/b\nrejected_dir=/c\nreports_dir=/d\n"
                                     "workers = 4\ndatabase = \" spaced \"\ncriteria = /a.xml, /b.xml\n", &e),
                     0);
    f = open_memstream(&text, &len);
    assert_non_null(f);
    cfg_show(&c, f);
    fclose(f);
    assert_int_equal(cfg_load_string(&d, "shown", text, &e), 0);
    assert_int_equal(d.workers, 4);
    assert_string_equal(d.database, " spaced ");
    assert_int_equal(d.n_criteria, 2);
    assert_string_equal(d.criteria[1], "/b.xml");
    free(text);
    cfg_dispose(&c);
    cfg_dispose(&d);
}

static void test_cfg_reload_keeps_restart_only_keys(void **state)
{
    cfg_t old, fresh;
    err_t e;
    char changed[256];
    (void)state;
    assert_int_equal(load(&old, "workers = 2\npoll_interval = 7\n", &e), 0);
    assert_int_equal(cfg_load_string(&fresh, "t.conf",
                                     "inbox_dir=/other\narchive_dir=/s/ar\nrejected_dir=/s/rj\n"
                                     "reports_dir=/s/rp\ncriteria=/c/a.xml\nworkers=5\npoll_interval=9\n",
                                     &e),
                     0);
    cfg_nonreloadable_changes(&old, &fresh, changed, sizeof changed);
    assert_string_equal(changed, "inbox_dir, workers");
    assert_int_equal(cfg_carry_nonreloadable(&fresh, &old, &e), 0);
    assert_string_equal(fresh.inbox_dir, "/s/in");
    assert_int_equal(fresh.workers, 2);
    assert_int_equal(fresh.poll_interval, 9); /* reloadable: the new value stays */
    cfg_dispose(&old);
    cfg_dispose(&fresh);
}

static void test_report_name_is_safe_and_stable(void **state)
{
    char a[256], b[256], c[256];
    err_t e;
    (void)state;
    /* A Canada ocid with '/' and a hostile one with "../" and a NUL-free newline. */
    assert_int_equal(handler_report_name(a, sizeof a, "ocds-34a6hz-01044-060931/001/USW", "irf",
                                         CFG_AUDIENCE_INTERNAL, "en", &e), 0);
    assert_null(strchr(a, '/'));
    assert_int_equal(strncmp(a, "ocds-34a6hz-01044-060931_001_USW-", 33), 0);
    assert_int_equal(strlen(a), 33 + 12 + strlen("-irf-en.pdf"));
    assert_string_equal(a + 33 + 12, "-irf-en.pdf");
    assert_int_equal(handler_report_name(b, sizeof b, "ocds-34a6hz-01044-060931/001/USW", "irf",
                                         CFG_AUDIENCE_INTERNAL, "en", &e), 0);
    assert_string_equal(a, b);
    /* '_' and '/' sanitise alike, the hash keeps them apart. */
    assert_int_equal(handler_report_name(c, sizeof c, "ocds-34a6hz-01044-060931_001_USW", "irf",
                                         CFG_AUDIENCE_INTERNAL, "en", &e), 0);
    assert_string_not_equal(a, c);
    assert_int_equal(handler_report_name(c, sizeof c, "../../etc/passwd\n", "x y",
                                         CFG_AUDIENCE_PUBLIC, "en", &e), 0);
    assert_null(strchr(c, '/'));
    assert_null(strchr(c, '\n'));
    assert_int_equal(c[0], '_');
    assert_non_null(strstr(c, "-x_y-public-en.pdf"));
    assert_int_equal(handler_report_name(c, 20, "ocds-1", "irf", CFG_AUDIENCE_PUBLIC, "en", &e), ERR_LIMIT);
}

/* docs/daemon.md carries the reference table between two markers; it must be exactly
 * what the table prints, so the docs cannot drift from the code. */
static void test_cfg_docs_page_matches_the_table(void **state)
{
    char path[1024], *doc = NULL, *gen = NULL;
    size_t dlen = 0, glen = 0;
    const char *root = getenv("PROCAUDIT_ROOT");
    FILE *f, *g;
    const char *b, *end;
    (void)state;
    snprintf(path, sizeof path, "%s/docs/daemon.md", root && *root ? root : ".");
    f = fopen(path, "r");
    if (!f)
        skip();
    g = open_memstream(&doc, &dlen);
    {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            fwrite(chunk, 1, n, g);
    }
    fclose(f);
    fclose(g);
    g = open_memstream(&gen, &glen);
    cfg_doc_markdown(g);
    fclose(g);
    b = strstr(doc, "<!-- config:begin -->\n");
    end = strstr(doc, "<!-- config:end -->");
    assert_non_null(b);
    assert_non_null(end);
    b += strlen("<!-- config:begin -->\n");
    assert_int_equal((size_t)(end - b), glen);
    assert_memory_equal(b, gen, glen);
    free(doc);
    free(gen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cfg_defaults_match_the_table),
        cmocka_unit_test(test_cfg_parses_values_comments_quotes_and_units),
        cmocka_unit_test(test_cfg_criteria_list_is_split_and_trimmed),
        cmocka_unit_test(test_cfg_reports_bad_lines_as_file_line),
        cmocka_unit_test(test_cfg_validation_rejects_inconsistent_settings),
        cmocka_unit_test(test_cfg_show_output_parses_back_to_the_same_values),
        cmocka_unit_test(test_cfg_reload_keeps_restart_only_keys),
        cmocka_unit_test(test_report_name_is_safe_and_stable),
        cmocka_unit_test(test_cfg_docs_page_matches_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
