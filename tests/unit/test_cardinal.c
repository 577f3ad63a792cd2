/* test_cardinal.c - Cardinal parity: every indicator fixture of open-contracting/cardinal-rs
 * (copied under $PROCAUDIT_SHARED/data/cardinal-fixtures) through
 * `build/procaudit indicators --format cardinal` with the settings its file name encodes,
 * compared with its .expected file as JSON (objects as maps, numbers by value).
 * Every run also sets no_price_comparison_procurement_methods=NPC and
 * exclude_procurement_method_details=EXC, as Cardinal's harness does. Where we differ on
 * purpose (docs/indicators.md), the case asserts our own value and, where a parameter
 * reproduces Cardinal, Cardinal's value with it. Skipped when the folder is absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "json/json.h"
#include "util/buf.h"

typedef struct {
    const char *fixture;   /* NAME of NAME.jsonl / NAME.expected */
    const char *args;      /* --indicator and --param options */
    const char *ours;      /* NULL: Cardinal's .expected; else the JSON we expect instead */
} parity_case;

static const parity_case cases[] = {
    {"R003", "--indicator R003", NULL},
    {"R003-threshold-10", "--indicator R003 --param R003.threshold=10", NULL},
    {"R003-procurement_methods-open+selective", "--indicator R003 --param 'R003.procurement_methods=open|selective'",
     NULL},
    {"R003-procurement_method_details-x-5-y-10",
     "--indicator R003 --param 'R003.procurement_method_details=x:5|y:10'", NULL},
    {"R018", "--indicator R018", NULL},
    {"R024", "--indicator R024", NULL},
    {"R025", "--indicator R025", NULL},
    {"R028", "--indicator R028", NULL},
    {"R030", "--indicator R030", NULL},
    {"R035", "--indicator R035", NULL},
    {"R036", "--indicator R036", NULL},
    /* Deliberate difference: the buyer / procuring entity minimum counts processes with
     * submitted bids (B and P have 1 process < 2), not bids (Cardinal: 2 bids >= 2). */
    {"R038", "--indicator R038", "{}"},
    {"R038", "--indicator R038 --param R038.minimum_counts=bids", NULL},
    {"R038-tenderer", "--indicator R038", NULL},
    {"R048-minimum_contracting_processes-1", "--indicator R048 --param R048.minimum_contracting_processes=1", NULL},
    {"R058", "--indicator R058", NULL},
};

static char dir[4096], bin[4096];

static int setup(void **state)
{
    const char *root = getenv("PROCAUDIT_ROOT"), *shared = getenv("PROCAUDIT_SHARED");
    const char *exe = getenv("PROCAUDIT_BIN");  /* another build of procaudit, if set */

    if (exe)
        snprintf(bin, sizeof bin, "%s", exe);
    else
        snprintf(bin, sizeof bin, "%s/build/procaudit", root ? root : ".");
    (void)state;
    snprintf(dir, sizeof dir, "%s/data/cardinal-fixtures/tests/fixtures/indicators", shared ? shared : "../shared");
    return 0;
}

static int read_file(const char *path, buf_t *b)
{
    FILE *f = fopen(path, "rb");
    char tmp[4096];
    size_t n;
    int rc = 0;

    if (!f)
        return -1;
    while (rc == 0 && (n = fread(tmp, 1, sizeof tmp, f)) > 0)
        rc = buf_append(b, tmp, n);
    fclose(f);
    return rc;
}

static int run(const char *cmd, buf_t *out, int *status)
{
    FILE *p = popen(cmd, "r");
    char tmp[4096];
    size_t n;
    int rc = 0;

    if (!p)
        return -1;
    while (rc == 0 && (n = fread(tmp, 1, sizeof tmp, p)) > 0)
        rc = buf_append(out, tmp, n);
    *status = pclose(p);
    return rc;
}

static json_value *parse(const char *text, size_t len, const char *what)
{
    json_value *v = NULL;
    err_t e;

    err_clear(&e);
    /* An empty .expected (Cardinal prints nothing) is an empty object. */
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
        len--;
    if (len == 0)
        text = "{}", len = 2;
    if (json_parse(&v, text, len, &e) != 0)
        fail_msg("%s: not JSON: %s", what, e.msg);
    return v;
}

static void test_cardinal_fixtures(void **state)
{
    struct stat st;
    size_t i;

    (void)state;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        print_message("cardinal fixtures not found at %s\n", dir);
        skip();
    }
    if (stat(bin, &st) != 0) {
        print_message("%s not built\n", bin);
        skip();
    }
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const parity_case *c = &cases[i];
        char path[8192], cmd[16384];
        buf_t got, want;
        json_value *g, *w;
        int status = 0;

        buf_init(&got, 1u << 24);
        buf_init(&want, 1u << 24);
        snprintf(cmd, sizeof cmd,
                 "'%s' indicators --format cardinal --param no_price_comparison_procurement_methods=NPC "
                 "--param exclude_procurement_method_details=EXC %s '%s/%s.jsonl'",
                 bin, c->args, dir, c->fixture);
        assert_int_equal(run(cmd, &got, &status), 0);
        /* Exit 0, or 1 when a fixture line is rejected on purpose (none here are). */
        if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
            fail_msg("%s: procaudit exited with %d", c->fixture, status);
        if (c->ours) {
            assert_int_equal(buf_puts(&want, c->ours), 0);
        } else {
            snprintf(path, sizeof path, "%s/%s.expected", dir, c->fixture);
            assert_int_equal(read_file(path, &want), 0);
        }
        g = parse(buf_cstr(&got), got.len, c->fixture);
        w = parse(buf_cstr(&want), want.len, c->fixture);
        if (!json_equal(g, w))
            fail_msg("%s (%s):\n  got      %s\n  expected %s", c->fixture, c->args, buf_cstr(&got), buf_cstr(&want));
        json_free(g);
        json_free(w);
        buf_dispose(&got);
        buf_dispose(&want);
    }
}

/* The native output of the same runs: every fixture line becomes an ocid key, and every
 * result has a status from the four (a smoke test of the JSON writer on odd ids such as
 * "valid_tenderer_ids.len() > 1"). */
static void test_native_output_parses(void **state)
{
    struct stat st;
    char cmd[16384];
    buf_t got;
    json_value *g;
    int status = 0;

    (void)state;
    if (stat(dir, &st) != 0 || stat(bin, &st) != 0)
        skip();
    buf_init(&got, 1u << 24);
    snprintf(cmd, sizeof cmd, "'%s' indicators '%s/R035.jsonl'", bin, dir);
    assert_int_equal(run(cmd, &got, &status), 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g = parse(buf_cstr(&got), got.len, "R035 native");
    /* R035.jsonl has 12 lines with 12 distinct ocids. */
    assert_int_equal(g->type, JSON_OBJECT);
    assert_int_equal(json_len(g), 12);
    assert_non_null(json_get(g, "valid_tenderer_ids.len() > 1"));
    json_free(g);
    buf_dispose(&got);
}

/* Usage errors exit 2; a file with bad lines exits 1 and still scores the good ones;
 * hostile values never print NaN. */
static void test_cli_usage_and_rejected_records(void **state)
{
    static const char lines[] =
        "{\"ocid\":\"good\",\"tender\":{\"procurementMethod\":\"open\",\"numberOfTenderers\":1}}\n"
        "not json\n"
        "{\"noocid\":1}\n"
        "{\"ocid\":\"hostile\",\"tender\":{\"value\":{\"amount\":-1e308},\"tenderPeriod\":"
        "{\"startDate\":\"2020-02-01\",\"endDate\":\"2020-01-01T00:00:00\"}},\"bids\":{\"details\":"
        "[{\"status\":\"valid\",\"value\":{\"amount\":0,\"currency\":\"USD\"},\"tenderers\":[{\"id\":\"W\"}]},"
        "{\"status\":\"valid\",\"value\":{\"amount\":5,\"currency\":\"USD\"},\"tenderers\":[{\"id\":\"L\"}]}]},"
        "\"awards\":[{\"status\":\"active\",\"suppliers\":[{\"id\":\"W\"}]}]}\n";
    char path[] = "/tmp/procaudit-test-XXXXXX", cmd[8192];
    struct stat st;
    buf_t got;
    json_value *g;
    int fd, status = 0;

    (void)state;
    if (stat(bin, &st) != 0)
        skip();
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, lines, sizeof lines - 1), (ssize_t)(sizeof lines - 1));
    close(fd);
    buf_init(&got, 1u << 24);
    snprintf(cmd, sizeof cmd, "'%s' indicators --indicator nope '%s' 2>/dev/null", bin, path);
    assert_int_equal(run(cmd, &got, &status), 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 2);
    snprintf(cmd, sizeof cmd, "'%s' indicators --param R003.nope=1 '%s' 2>/dev/null", bin, path);
    assert_int_equal(run(cmd, &got, &status), 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 2);
    snprintf(cmd, sizeof cmd, "'%s' indicators --param R003.threshold=abc '%s' 2>/dev/null", bin, path);
    assert_int_equal(run(cmd, &got, &status), 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 2);
    buf_reset(&got);
    snprintf(cmd, sizeof cmd, "'%s' indicators --indicator all '%s' 2>/dev/null", bin, path);
    assert_int_equal(run(cmd, &got, &status), 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);   /* 2 lines rejected */
    assert_null(strstr(buf_cstr(&got), "nan"));
    g = parse(buf_cstr(&got), got.len, "cli");
    assert_int_equal(json_len(g), 2);                               /* good and hostile */
    /* good: open procedure, one tenderer -> R018 flag. */
    assert_string_equal(json_get_str(json_at(json_get(g, "good"), 1), "indicator"), "single_bid");
    assert_string_equal(json_get_str(json_at(json_get(g, "good"), 1), "status"), "flag");
    json_free(g);
    buf_dispose(&got);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cardinal_fixtures),
        cmocka_unit_test(test_native_output_parses),
        cmocka_unit_test(test_cli_usage_and_rejected_records),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
