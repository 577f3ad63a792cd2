/* test_cli_indicators.c - `build/procaudit indicators` on every input format: eForms
 * notices and native XML go through the command as OCDS JSON does (the format is detected
 * from the content, as ingest does), keyed by the ocids read by hand from the samples. */
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

static char root[4096], bin[4096];

static int setup(void **state)
{
    const char *r = getenv("PROCAUDIT_ROOT"), *exe = getenv("PROCAUDIT_BIN");

    (void)state;
    if ((size_t)snprintf(root, sizeof root, "%s", r ? r : ".") >= sizeof root)
        return -1;
    if (exe)
        return (size_t)snprintf(bin, sizeof bin, "%s", exe) >= sizeof bin ? -1 : 0;
    return (size_t)snprintf(bin, sizeof bin, "%s/build/procaudit", root) >= sizeof bin ? -1 : 0;
}

/* Runs `procaudit indicators ARGS` (stderr discarded); returns its parsed stdout and exit
 * status. */
static json_value *run_indicators(const char *args, int *exit_status)
{
    char cmd[8192], tmp[4096];
    buf_t out;
    FILE *p;
    size_t n;
    json_value *v = NULL;
    err_t e;
    int status;
    struct stat st;

    if (stat(bin, &st) != 0) {
        print_message("%s not built\n", bin);
        skip();
    }
    buf_init(&out, 64u << 20);
    if ((size_t)snprintf(cmd, sizeof cmd, "cd '%s' && '%s' indicators %s 2>/dev/null", root, bin, args) >= sizeof cmd)
        fail_msg("command too long");
    p = popen(cmd, "r");
    assert_non_null(p);
    while ((n = fread(tmp, 1, sizeof tmp, p)) > 0)
        assert_int_equal(buf_append(&out, tmp, n), 0);
    status = pclose(p);
    assert_true(WIFEXITED(status));
    *exit_status = WEXITSTATUS(status);
    err_clear(&e);
    if (json_parse(&v, out.data ? out.data : "", out.len, &e) != 0)
        fail_msg("procaudit indicators %s: output is not JSON: %s", args, e.msg);
    buf_dispose(&out);
    return v;
}

/* The result of criterion `code` in the array of results of `ocid`, or NULL. */
static const json_value *result_of(const json_value *v, const char *ocid, const char *code)
{
    const json_value *l = json_get(v, ocid);
    size_t i;

    for (i = 0; i < json_len(l); i++) {
        const char *c = json_get_str(json_at(l, i), "criterion");
        if (c && strcmp(c, code) == 0)
            return json_at(l, i);
    }
    return NULL;
}

static void assert_keys(const json_value *v, const char *const *ocids, size_t n)
{
    size_t i;

    assert_non_null(v);
    assert_int_equal(v->type, JSON_OBJECT);
    assert_int_equal(json_len(v), n);
    for (i = 0; i < n; i++) {
        const json_value *l = json_get(v, ocids[i]);
        if (!l)
            fail_msg("no results for %s", ocids[i]);
        assert_int_equal(l->type, JSON_ARRAY);
        /* The eleven red-flag indicators run by default, one result each at least. */
        assert_true(json_len(l) >= 11);
    }
}

/* eForms notices: ocid = "ocds-procaudit-eforms-" + BT-04 cbc:ContractFolderID, read in
 * each sample file. */
static void test_eforms_samples(void **state)
{
    static const char *const ocids[] = {
        "ocds-procaudit-eforms-513e5b58-02e0-42cd-9ff3-fcb7c1291ffc", /* 2023-00158253_ITA_cn */
        "ocds-procaudit-eforms-bc38ad25-a1f2-4553-875f-ba937663dfff", /* 2023-00615708_FIN_cn */
        "ocds-procaudit-eforms-9974ccf1-1d0a-4393-9198-33b67d6e2cb7", /* 00191536_NLD_can */
        "ocds-procaudit-eforms-89fdee64-a1ba-4e69-924a-6a96ded61d8b", /* 00215550_POL_can */
    };
    int status = -1;
    json_value *v = run_indicators("samples/eforms/2023-00158253_ITA_cn.xml samples/eforms/2023-00615708_FIN_cn.xml "
                                   "samples/eforms/2024-OJS065-00191536_NLD_can.xml "
                                   "samples/eforms/2024-OJS072-00215550_POL_can.xml",
                                   &status);

    (void)state;
    assert_int_equal(status, 0);
    assert_keys(v, ocids, 4);
    json_free(v);
}

/* Native XML: ocid = "ocds-procaudit-native-" + the <procurement>'s id (no ocid
 * attribute in the samples); youth-employment-training.xml holds two procurements. */
static void test_native_samples(void **state)
{
    static const char *const ocids[] = {
        "ocds-procaudit-native-SLJD-2024-SG-03",
        "ocds-procaudit-native-RCC-ASC-2024-017",
        "ocds-procaudit-native-NREO-2023-041",
        "ocds-procaudit-native-NREO-2025-007",
    };
    int status = -1;
    json_value *v = run_indicators("samples/native/community-social-work-zh.xml "
                                   "samples/native/home-care-older-people.xml "
                                   "samples/native/youth-employment-training.xml",
                                   &status);
    const json_value *r003;
    double d = 0;

    (void)state;
    assert_int_equal(status, 0);
    assert_keys(v, ocids, 4);
    /* home-care-older-people.xml: tenderPeriod 2024-02-05T09:00Z to 2024-03-08T12:00Z =
     * 24 days left in February (29 days in 2024) + 8 in March = 32 days, + 3 hours =
     * 32.125 days, at least the default 15: pass. */
    r003 = result_of(v, "ocds-procaudit-native-RCC-ASC-2024-017", "R003");
    assert_non_null(r003);
    assert_string_equal(json_get_str(r003, "status"), "pass");
    assert_int_equal(json_number(json_get(r003, "measured"), 0, &d), 0);
    assert_true(d == 32.125);
    json_free(v);
}

/* A file of no known format is reported and skipped (exit 1); the others are scored. */
static void test_mixed_with_unknown(void **state)
{
    char path[] = "/tmp/procaudit-test-XXXXXX", args[8192];
    int fd = mkstemp(path), status = -1;
    json_value *v;
    static const char *const ocids[] = {"ocds-procaudit-native-RCC-ASC-2024-017",
                                        "ocds-procaudit-eforms-bc38ad25-a1f2-4553-875f-ba937663dfff"};

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "hello\n", 6), 6);
    close(fd);
    assert_true((size_t)snprintf(args, sizeof args,
                                 "%s samples/native/home-care-older-people.xml samples/eforms/2023-00615708_FIN_cn.xml",
                                 path) < sizeof args);
    v = run_indicators(args, &status);
    unlink(path);
    assert_int_equal(status, 1);
    assert_keys(v, ocids, 2);
    json_free(v);
}

/* The criterion result `id` in an evaluation printed with --criteria, or NULL. */
static const json_value *criterion_result(const json_value *v, const char *ocid, const char *id)
{
    const json_value *l = json_get(json_get(v, ocid), "results");
    size_t i;

    for (i = 0; i < json_len(l); i++) {
        const char *c = json_get_str(json_at(l, i), "criterion");
        if (c && strcmp(c, id) == 0)
            return json_at(l, i);
    }
    return NULL;
}

/* <buyer_kinds> filters judged from the buyer's legal type. The NLD notice's BT-11
 * (cac:ContractingPartyType/cbc:PartyTypeCode listName="buyer-legal-type") is "ra", so
 * the "la" criterion is not applicable and the "ra body-pl-ra" one runs (an open
 * procedure: pass). The native sample publishes no buyer kind: insufficient_data. */
static void test_criteria_buyer_kinds(void **state)
{
    static const char set[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<criteria_set id=\"bk\" version=\"1\" language=\"en\">\n"
        "  <title lang=\"en\">Buyer kinds</title>\n"
        "  <bands>\n"
        "    <band min=\"0\" max=\"50\"><label lang=\"en\">high</label></band>\n"
        "    <band min=\"50\" max=\"100\"><label lang=\"en\">low</label></band>\n"
        "  </bands>\n"
        "  <dimension name=\"procedure\" weight=\"1\">\n"
        "    <criterion id=\"LOCAL\" indicator=\"non_competitive_method\" weight=\"1\" severity=\"high\">\n"
        "      <applies_to><buyer_kinds>la</buyer_kinds></applies_to>\n"
        "      <text lang=\"en\"><title>local</title></text></criterion>\n"
        "    <criterion id=\"REGIONAL\" indicator=\"non_competitive_method\" weight=\"1\" severity=\"high\">\n"
        "      <applies_to><buyer_kinds>ra body-pl-ra</buyer_kinds></applies_to>\n"
        "      <text lang=\"en\"><title>regional</title></text></criterion>\n"
        "  </dimension>\n"
        "  <dimension name=\"content\" weight=\"1\"/>\n"
        "  <dimension name=\"price\" weight=\"1\"/>\n"
        "  <dimension name=\"evaluation\" weight=\"1\"/>\n"
        "</criteria_set>\n";
    static const char nld[] = "ocds-procaudit-eforms-9974ccf1-1d0a-4393-9198-33b67d6e2cb7";
    static const char nat[] = "ocds-procaudit-native-RCC-ASC-2024-017";
    char path[] = "/tmp/procaudit-test-XXXXXX", args[8192];
    int fd = mkstemp(path), status = -1;
    json_value *v;
    const json_value *x;

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, set, sizeof set - 1), (ssize_t)(sizeof set - 1));
    close(fd);
    assert_true((size_t)snprintf(args, sizeof args,
                                 "--criteria %s samples/eforms/2024-OJS065-00191536_NLD_can.xml "
                                 "samples/native/home-care-older-people.xml",
                                 path) < sizeof args);
    v = run_indicators(args, &status);
    unlink(path);
    assert_int_equal(status, 0);
    x = criterion_result(v, nld, "LOCAL");
    assert_non_null(x);
    assert_string_equal(json_get_str(x, "status"), "not_applicable");
    assert_string_equal(json_get_str(x, "explanation"), "Buyer kind 'ra' (eu-buyer-legal-type) is not one of: la.");
    x = criterion_result(v, nld, "REGIONAL");
    assert_non_null(x);
    assert_string_equal(json_get_str(x, "status"), "pass");
    x = criterion_result(v, nat, "REGIONAL");
    assert_non_null(x);
    assert_string_equal(json_get_str(x, "status"), "insufficient_data");
    json_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eforms_samples),
        cmocka_unit_test(test_native_samples),
        cmocka_unit_test(test_mixed_with_unknown),
        cmocka_unit_test(test_criteria_buyer_kinds),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
