/* test_reader.c - the streaming OCDS reader: every packaging shape on small inline inputs
 * and on real files from $PROCAUDIT_SHARED/data/ocds, rejections, hostile inputs, and
 * streaming correctness (1-byte chunks give the same items as one whole buffer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ocds/reader.h"

/* ------------------------------------------------------------------ collecting items */

typedef struct {
    int kind;
    char *ocid, *id, *json, *error, *pkg, *note;
    uint64_t offset, line;
    size_t index;
} got_item;

typedef struct {
    got_item items[400];
    size_t n;
    size_t stop_after; /* 0: never stop */
} got;

static char *dup0(const char *s) { return s ? strdup(s) : NULL; }

static int collect(void *ctx, ocds_item *it)
{
    got *g = ctx;
    got_item *gi;
    buf_t b;

    if (g->n >= sizeof(g->items) / sizeof(g->items[0]))
        return ERR_LIMIT;
    gi = &g->items[g->n++];
    memset(gi, 0, sizeof(*gi));
    gi->kind = (int)it->kind;
    gi->ocid = dup0(it->ocid);
    gi->id = dup0(it->release_id);
    gi->offset = it->offset;
    gi->line = it->line;
    gi->index = it->index;
    gi->pkg = dup0(it->package_json);
    gi->note = it->n_notes ? dup0(it->notes[0].code) : NULL;
    if (it->kind == OCDS_ITEM_REJECTED)
        gi->error = dup0(it->error.msg);
    if (it->release) {
        buf_init(&b, 1u << 24);
        assert_int_equal(json_write_canonical(&b, it->release), 0);
        gi->json = buf_take(&b);
    }
    if (g->stop_after && g->n == g->stop_after) {
        err_set(&it->error, ERR_GENERIC, "stopped by the test after %zu items", g->n);
        return ERR_GENERIC;
    }
    return 0;
}

static void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->items[i].ocid);
        free(g->items[i].id);
        free(g->items[i].json);
        free(g->items[i].error);
        free(g->items[i].pkg);
        free(g->items[i].note);
    }
    free(g);
}

static got *read_str(const char *text, size_t len, int expect_rc, ocds_read_stats *st, err_t *e)
{
    got *g = calloc(1, sizeof(*g));
    err_t e2;
    ocds_read_stats st2;

    if (!e)
        e = &e2;
    if (!st)
        st = &st2;
    err_clear(e);
    assert_int_equal(ocds_read_buffer("inline.json", text, len, collect, g, st, e), expect_rc);
    return g;
}

#define READ(text, rc, st, e) read_str((text), strlen(text), (rc), (st), (e))

static void assert_contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("'%s' does not contain '%s'", hay ? hay : "(null)", needle);
}

/* ------------------------------------------------------------------ inline shapes */

static void test_single_release(void **state)
{
    ocds_read_stats st;
    (void)state;
    got *g = READ("  {\"ocid\":\"ocds-1\",\"id\":\"r1\",\"date\":\"2020-01-01T00:00:00Z\",\"tag\":[\"tender\"]}\n",
                  0, &st, NULL);
    assert_int_equal(g->n, 1);
    assert_int_equal(g->items[0].kind, OCDS_ITEM_RELEASE);
    assert_string_equal(g->items[0].ocid, "ocds-1");
    assert_string_equal(g->items[0].id, "r1");
    assert_int_equal(g->items[0].offset, 2); /* two spaces before '{' */
    assert_int_equal(g->items[0].line, 1);
    assert_null(g->items[0].pkg);
    assert_string_equal(st.shape, "release");
    assert_int_equal(st.releases, 1);
    /* 2 spaces + {"ocid":"ocds-1", (17) + "id":"r1", (10) + "date":"2020-01-01T00:00:00Z", (30)
     * + "tag":["tender"]} (17) + newline = 77 */
    assert_int_equal(st.bytes, 77);
    got_free(g);
}

static void test_release_package_with_metadata(void **state)
{
    ocds_read_stats st;
    const char *text = "{\"uri\":\"http://x/p.json\",\"extensions\":[],\"publisher\":{\"name\":\"P\"},"
                       "\"version\":\"1.1\",\n\"releases\":[\n{\"ocid\":\"o1\",\"id\":\"1\"},\n"
                       "  {\"ocid\":\"o2\",\"id\":\"2\"}],\"license\":\"L\"}";
    (void)state;
    got *g = READ(text, 0, &st, NULL);
    assert_int_equal(g->n, 2);
    assert_string_equal(g->items[0].ocid, "o1");
    assert_string_equal(g->items[1].ocid, "o2");
    /* Metadata before the releases array (license comes after it and cannot be known). */
    assert_string_equal(g->items[0].pkg, "{\"uri\":\"http://x/p.json\",\"publisher\":{\"name\":\"P\"},\"version\":\"1.1\"}");
    /* The second release starts on line 4 after two spaces. */
    assert_int_equal(g->items[1].line, 4);
    assert_int_equal(g->items[1].offset, (uint64_t)(strstr(text, "{\"ocid\":\"o2\"") - text));
    assert_int_equal(g->items[1].index, 1);
    assert_string_equal(st.shape, "release_package");
    got_free(g);
}

static void test_record_package_linked_and_compiled(void **state)
{
    ocds_read_stats st;
    const char *text =
        "{\"uri\":\"u\",\"records\":["
        "{\"ocid\":\"A\",\"releases\":[{\"url\":\"http://x/1\",\"date\":\"2020-01-01\",\"tag\":[\"tender\"]}],"
        "\"compiledRelease\":{\"ocid\":\"A\",\"id\":\"A-c\",\"tag\":[\"compiled\"]}},"
        "{\"ocid\":\"B\",\"releases\":[{\"ocid\":\"B\",\"id\":\"b1\"}],"
        "\"compiledRelease\":{\"id\":\"B-c\",\"tag\":[\"compiled\"]}}]}";
    (void)state;
    got *g = READ(text, 0, &st, NULL);
    assert_int_equal(g->n, 4);
    assert_int_equal(g->items[0].kind, OCDS_ITEM_LINKED);
    assert_string_equal(g->items[0].ocid, "A"); /* the record's ocid */
    assert_int_equal(g->items[1].kind, OCDS_ITEM_COMPILED);
    assert_string_equal(g->items[1].id, "A-c");
    assert_int_equal(g->items[2].kind, OCDS_ITEM_RELEASE);
    assert_string_equal(g->items[2].id, "b1");
    assert_int_equal(g->items[3].kind, OCDS_ITEM_COMPILED);
    assert_string_equal(g->items[3].ocid, "B"); /* taken from the record */
    assert_string_equal(g->items[3].pkg, "{\"uri\":\"u\"}");
    assert_string_equal(st.shape, "record_package");
    assert_int_equal(st.linked, 1);
    assert_int_equal(st.compiled, 2);
    assert_int_equal(st.releases, 1);
    got_free(g);
}

static void test_bare_record(void **state)
{
    ocds_read_stats st;
    (void)state;
    got *g = READ("{\"publisher\":{\"name\":\"OCP\"},\"releases\":[{\"ocid\":\"C\",\"id\":\"c1\"}],"
                  "\"compiledRelease\":{\"ocid\":\"C\",\"id\":\"C-1\",\"tag\":[\"compiled\"]},"
                  "\"versionedRelease\":{\"ocid\":\"C\"}}", 0, &st, NULL);
    assert_int_equal(g->n, 2);
    assert_int_equal(g->items[0].kind, OCDS_ITEM_RELEASE);
    assert_string_equal(g->items[0].pkg, "{\"publisher\":{\"name\":\"OCP\"}}");
    assert_int_equal(g->items[1].kind, OCDS_ITEM_COMPILED);
    assert_string_equal(g->items[1].id, "C-1");
    assert_string_equal(st.shape, "record");
    got_free(g);
}

static void test_compiled_and_versioned_release(void **state)
{
    ocds_read_stats st;
    (void)state;
    got *g = READ("{\"ocid\":\"D\",\"id\":\"D-x\",\"tag\":[\"compiled\"],\"date\":\"2021-01-01\"}", 0, &st, NULL);
    assert_int_equal(g->n, 1);
    assert_int_equal(g->items[0].kind, OCDS_ITEM_COMPILED);
    assert_string_equal(st.shape, "compiled_release");
    got_free(g);

    /* Versioned: title A then B (B current), status active then null (removed), award
     * status pending; tender.id and the award id are not versioned. Latest releaseDate
     * is 2020-02-01T00:00:00Z, so id = "E-2020-02-01T00:00:00Z". */
    g = READ("{\"ocid\":\"E\",\"initiationType\":[{\"releaseID\":\"1\",\"releaseDate\":\"2020-01-01T00:00:00Z\","
             "\"releaseTag\":[\"tender\"],\"value\":\"tender\"}],"
             "\"tender\":{\"id\":\"t\",\"title\":[{\"releaseID\":\"1\",\"releaseDate\":\"2020-01-01T00:00:00Z\","
             "\"releaseTag\":[\"tender\"],\"value\":\"A\"},{\"releaseID\":\"2\",\"releaseDate\":\"2020-02-01T00:00:00Z\","
             "\"releaseTag\":[\"tenderUpdate\"],\"value\":\"B\"}],"
             "\"status\":[{\"releaseID\":\"1\",\"releaseDate\":\"2020-01-01T00:00:00Z\",\"releaseTag\":[\"tender\"],"
             "\"value\":\"active\"},{\"releaseID\":\"2\",\"releaseDate\":\"2020-02-01T00:00:00Z\","
             "\"releaseTag\":[\"tenderUpdate\"],\"value\":null}]},"
             "\"awards\":[{\"id\":\"a1\",\"status\":[{\"releaseID\":\"2\",\"releaseDate\":\"2020-02-01T00:00:00Z\","
             "\"releaseTag\":[\"award\"],\"value\":\"pending\"}]}]}", 0, &st, NULL);
    assert_int_equal(g->n, 1);
    assert_int_equal(g->items[0].kind, OCDS_ITEM_COMPILED);
    assert_string_equal(st.shape, "versioned_release");
    assert_string_equal(g->items[0].json,
                        "{\"awards\":[{\"id\":\"a1\",\"status\":\"pending\"}],\"date\":\"2020-02-01T00:00:00Z\","
                        "\"id\":\"E-2020-02-01T00:00:00Z\",\"initiationType\":\"tender\",\"ocid\":\"E\","
                        "\"tag\":[\"compiled\"],\"tender\":{\"id\":\"t\",\"title\":\"B\"}}");
    got_free(g);
}

static void test_array_wrapped_package(void **state)
{
    ocds_read_stats st;
    (void)state;
    got *g = READ("[\n {\"uri\":\"u\",\"releases\":[{\"ocid\":\"P1\",\"id\":\"1\"},{\"ocid\":\"P2\",\"id\":\"2\"}]}\n]\n",
                  0, &st, NULL);
    assert_int_equal(g->n, 2);
    assert_string_equal(g->items[1].ocid, "P2");
    assert_string_equal(g->items[1].pkg, "{\"uri\":\"u\"}");
    assert_string_equal(st.shape, "array_release_package");
    got_free(g);
}

static void test_jsonl_resynchronises_after_bad_line(void **state)
{
    ocds_read_stats st;
    err_t e;
    (void)state;
    got *g = READ("{\"ocid\":\"L1\",\"id\":\"1\"}\n{\"ocid\": \"L2\", \"id\": }\n{\"ocid\":\"L3\",\"id\":\"3\"}\n",
                  0, &st, &e);
    assert_int_equal(g->n, 3);
    assert_int_equal(g->items[0].kind, OCDS_ITEM_RELEASE);
    assert_int_equal(g->items[1].kind, OCDS_ITEM_REJECTED);
    assert_int_equal(g->items[1].line, 2);
    assert_int_equal(g->items[1].offset, 23); /* {"ocid":"L1","id":"1"} is 22 bytes + newline */
    assert_contains(g->items[1].error, "invalid JSON");
    assert_contains(g->items[1].error, "line 2");
    assert_int_equal(g->items[2].kind, OCDS_ITEM_RELEASE);
    assert_string_equal(g->items[2].ocid, "L3");
    assert_int_equal(g->items[2].line, 3);
    assert_string_equal(st.shape, "jsonl");
    assert_int_equal(st.rejected, 1);
    got_free(g);

    /* Cardinal's invalid_brace_first: an unfinished "{" line, then a good line. */
    g = READ("{\n{\"ocid\":\"L4\"}\n", 0, &st, NULL);
    assert_int_equal(g->n, 2);
    assert_int_equal(g->items[0].kind, OCDS_ITEM_REJECTED);
    assert_int_equal(g->items[1].kind, OCDS_ITEM_RELEASE);
    assert_int_equal(g->items[1].line, 2);
    got_free(g);

    /* A truncated last line is a rejected item, not a file error. */
    g = READ("{\"ocid\":\"L5\"}\n{\"ocid\":\"L6\"", 0, &st, NULL);
    assert_int_equal(g->n, 2);
    assert_int_equal(g->items[1].kind, OCDS_ITEM_REJECTED);
    assert_int_equal(g->items[1].line, 2);
    got_free(g);
}

static void test_concatenated_values(void **state)
{
    ocds_read_stats st;
    (void)state;
    got *g = READ("{\"releases\":[{\"ocid\":\"K1\"}]}{\"releases\":[{\"ocid\":\"K2\"}]}", 0, &st, NULL);
    assert_int_equal(g->n, 2);
    assert_string_equal(st.shape, "concatenated");
    got_free(g);
    g = READ("{\n \"ocid\":\"K3\"\n}\n{\n \"ocid\":\"K4\"\n}\n", 0, &st, NULL);
    assert_int_equal(g->n, 2);
    assert_int_equal(g->items[1].line, 4);
    assert_string_equal(st.shape, "concatenated");
    got_free(g);
}

static void test_empty_inputs_are_file_errors(void **state)
{
    ocds_read_stats st;
    err_t e;
    (void)state;
    got *g = read_str("", 0, ERR_BAD_INPUT, &st, &e);
    assert_int_equal(g->n, 0);
    assert_contains(e.msg, "empty file (0 bytes)");
    assert_contains(e.msg, "inline.json");
    assert_string_equal(st.shape, "empty");
    got_free(g);
    g = READ(" \n\t\n", ERR_BAD_INPUT, &st, &e);
    assert_contains(e.msg, "empty file (4 bytes of white space only)");
    got_free(g);
}

static void test_missing_ocid_rejected_and_rest_read(void **state)
{
    ocds_read_stats st;
    (void)state;
    got *g = READ("{\"releases\":[{\"id\":\"x1\",\"date\":\"2020\"},{\"ocid\":7,\"id\":\"x2\"},{\"ocid\":\"M\",\"id\":\"x3\"}]}",
                  0, &st, NULL);
    assert_int_equal(g->n, 3);
    assert_int_equal(g->items[0].kind, OCDS_ITEM_REJECTED);
    assert_contains(g->items[0].error, "ocid: the release has no ocid");
    assert_contains(g->items[0].error, "inline.json, line 1, byte 13");
    assert_contains(g->items[0].error, "release id x1");
    assert_non_null(g->items[0].json); /* the release is handed over for the record */
    assert_int_equal(g->items[1].kind, OCDS_ITEM_REJECTED);
    assert_contains(g->items[1].error, "ocid: the ocid is a number");
    assert_int_equal(g->items[2].kind, OCDS_ITEM_RELEASE);
    assert_int_equal(st.rejected, 2);
    got_free(g);
}

static void test_id_as_number_is_text(void **state)
{
    (void)state;
    got *g = READ("{\"ocid\":\"N\",\"id\":12345}", 0, NULL, NULL);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->items[0].id, "12345");
    assert_null(g->items[0].note); /* noted once, by ocds_normalise */
    got_free(g);
}

static void test_latin1_rejected_with_offset(void **state)
{
    err_t e;
    (void)state;
    /* {"ocid":"o","title":"Caf + 0xE9: the bad byte is at offset 24 (1+6+1+3+1+7+1+1+3). */
    got *g = READ("{\"ocid\":\"o\",\"title\":\"Caf\xe9\"}\n{\"ocid\":\"p\"}", ERR_BAD_INPUT, NULL, &e);
    assert_int_equal(g->n, 0); /* the whole file is refused: no items */
    assert_contains(e.msg, "invalid UTF-8 at byte 24 (line 1)");
    assert_contains(e.msg, "ISO-8859-1");
    got_free(g);
    g = READ("\xff\xfe{\0", ERR_BAD_INPUT, NULL, &e);
    assert_contains(e.msg, "UTF-16");
    got_free(g);
}

static void test_broken_document_is_file_error(void **state)
{
    ocds_read_stats st;
    err_t e;
    (void)state;
    got *g = READ("{\n\"releases\": [\n{\"ocid\":\"a\",\"id\":\"1\"},\n{\"ocid\": }\n]}", ERR_BAD_INPUT, &st, &e);
    assert_int_equal(g->n, 1); /* the release before the break was handed over */
    assert_contains(e.msg, "invalid JSON at byte");
    assert_contains(e.msg, "(line 4)");
    got_free(g);
    /* truncated pretty-printed package */
    g = READ("{\n\"releases\": [\n{\"ocid\":\"a\"},\n{\"ocid\":\"b\"", ERR_BAD_INPUT, &st, &e);
    assert_int_equal(g->n, 1);
    assert_contains(e.msg, "invalid JSON");
    got_free(g);
}

static void test_depth_limit_rejects_one_release(void **state)
{
    size_t depth = 10000, n = 0;
    char *t = malloc(2 * depth + 200);
    ocds_read_stats st;
    (void)state;
    n += (size_t)snprintf(t + n, 100, "{\"releases\":[{\"ocid\":\"deep\",\"x\":");
    memset(t + n, '[', depth);
    n += depth;
    memset(t + n, ']', depth);
    n += depth;
    n += (size_t)snprintf(t + n, 100, "},{\"ocid\":\"ok\"}]}");
    got *g = read_str(t, n, 0, &st, NULL);
    assert_int_equal(g->n, 2);
    assert_int_equal(g->items[0].kind, OCDS_ITEM_REJECTED);
    assert_contains(g->items[0].error, "depth: nesting deeper than 64");
    assert_int_equal(g->items[0].offset, 13); /* the release's '{' */
    assert_int_equal(g->items[1].kind, OCDS_ITEM_RELEASE);
    assert_string_equal(g->items[1].ocid, "ok");
    got_free(g);
    /* A bare top-level nesting of 10000 arrays: one rejected value, no crash. */
    memset(t, '[', depth);
    memset(t + depth, ']', depth);
    g = read_str(t, 2 * depth, 0, &st, NULL);
    assert_int_equal(g->n, 1);
    assert_int_equal(g->items[0].kind, OCDS_ITEM_REJECTED);
    got_free(g);
    free(t);
}

static void test_nul_bytes_and_huge_numbers(void **state)
{
    ocds_read_stats st;
    (void)state;
    /* Line 2 holds raw NUL bytes: rejected, lines 1 and 3 still go in. */
    const char text[] = "{\"ocid\":\"z1\"}\n\0\0\0\n{\"ocid\":\"z2\",\"v\":1e999999,\"s\":\"a\\u0000b\"}\n";
    got *g = read_str(text, sizeof(text) - 1, 0, &st, NULL);
    assert_int_equal(g->n, 3);
    assert_int_equal(g->items[0].kind, OCDS_ITEM_RELEASE);
    assert_int_equal(g->items[1].kind, OCDS_ITEM_REJECTED);
    assert_int_equal(g->items[2].kind, OCDS_ITEM_RELEASE);
    assert_string_equal(g->items[2].json, "{\"ocid\":\"z2\",\"s\":\"a\\u0000b\",\"v\":1e999999}");
    got_free(g);
}

static void test_package_with_non_array_releases(void **state)
{
    ocds_read_stats st;
    (void)state;
    got *g = READ("{\"uri\":\"u\",\"releases\":{\"ocid\":\"x\"}}", 0, &st, NULL);
    assert_int_equal(g->n, 1);
    assert_int_equal(g->items[0].kind, OCDS_ITEM_REJECTED);
    assert_contains(g->items[0].error, "releases: expected an array, found an object");
    assert_string_equal(st.shape, "release_package");
    got_free(g);
    /* "releases": null is an empty package: nothing, and no error */
    g = READ("{\"uri\":\"u\",\"releases\":null}", 0, &st, NULL);
    assert_int_equal(g->n, 0);
    got_free(g);
}

static void test_top_level_scalars_rejected(void **state)
{
    ocds_read_stats st;
    (void)state;
    got *g = READ("\n0\n\n\"x\"\n", 0, &st, NULL);
    assert_int_equal(g->n, 2);
    assert_int_equal(g->items[0].kind, OCDS_ITEM_REJECTED);
    assert_contains(g->items[0].error, "top-level value is a number");
    assert_int_equal(g->items[0].line, 2);
    assert_int_equal(g->items[1].line, 4);
    got_free(g);
}

static void test_callback_can_stop(void **state)
{
    got *g = calloc(1, sizeof(*g));
    err_t e;
    (void)state;
    g->stop_after = 2;
    const char *t = "{\"releases\":[{\"ocid\":\"1\"},{\"ocid\":\"2\"},{\"ocid\":\"3\"}]}";
    assert_int_equal(ocds_read_buffer("s.json", t, strlen(t), collect, g, NULL, &e), ERR_GENERIC);
    assert_int_equal(g->n, 2);
    assert_contains(e.msg, "stopped by the test after 2 items");
    got_free(g);
}

/* ------------------------------------------------------------------ streaming */

static got *read_chunked(const char *name, const char *data, size_t len, size_t chunk, int *rc_out,
                         ocds_read_stats *st)
{
    got *g = calloc(1, sizeof(*g));
    ocds_reader *r = ocds_reader_new(name, collect, g);
    err_t e;
    int rc = 0;

    assert_non_null(r);
    for (size_t pos = 0; pos < len && rc == 0; pos += chunk)
        rc = ocds_reader_feed(r, data + pos, len - pos < chunk ? len - pos : chunk, &e);
    if (rc == 0)
        rc = ocds_reader_finish(r, st, &e);
    ocds_reader_free(r);
    *rc_out = rc;
    return g;
}

static void assert_same_items(const got *a, const got *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(a->items[i].kind, b->items[i].kind);
        assert_int_equal(a->items[i].offset, b->items[i].offset);
        assert_int_equal(a->items[i].line, b->items[i].line);
        if (a->items[i].json || b->items[i].json)
            assert_string_equal(a->items[i].json, b->items[i].json);
        if (a->items[i].ocid || b->items[i].ocid)
            assert_string_equal(a->items[i].ocid, b->items[i].ocid);
        if (a->items[i].pkg || b->items[i].pkg)
            assert_string_equal(a->items[i].pkg, b->items[i].pkg);
    }
}

static void check_chunking(const char *name, const char *data, size_t len)
{
    int rc1, rc2, rc3;
    ocds_read_stats s1, s2, s3;
    got *whole = read_chunked(name, data, len, len ? len : 1, &rc1, &s1);
    got *bytes = read_chunked(name, data, len, 1, &rc2, &s2);
    got *odd = read_chunked(name, data, len, 7, &rc3, &s3);

    assert_int_equal(rc1, rc2);
    assert_int_equal(rc1, rc3);
    assert_same_items(whole, bytes);
    assert_same_items(whole, odd);
    assert_string_equal(s1.shape, s2.shape);
    got_free(whole);
    got_free(bytes);
    got_free(odd);
}

static void test_one_byte_chunks_equal_whole_read(void **state)
{
    (void)state;
    /* BOM, multi-byte UTF-8 (é, 4-byte emoji), JSON Lines with a bad line, numbers. */
    const char *t = "\xEF\xBB\xBF{\"ocid\":\"\xC3\xA9\",\"v\":12.5e3,\"x\":\"\xF0\x9F\x98\x80\"}\n"
                    "{\"ocid\": x}\n"
                    "{\"uri\":\"u\",\"records\":[{\"ocid\":\"R\",\"releases\":[{\"url\":\"h\"}],"
                    "\"compiledRelease\":{\"tag\":[\"compiled\"]}}]}\n";
    check_chunking("t.json", t, strlen(t));
}

/* ------------------------------------------------------------------ real files */

static char *shared_path(const char *rel)
{
    const char *root = getenv("PROCAUDIT_SHARED");
    char *p;
    FILE *f;

    if (!root)
        return NULL;
    p = malloc(strlen(root) + strlen(rel) + 16);
    snprintf(p, strlen(root) + strlen(rel) + 16, "%s/data/ocds/%s", root, rel);
    f = fopen(p, "rb");
    if (!f && strncmp(rel, "", 1) != 0) {
        free(p);
        return NULL;
    }
    if (f)
        fclose(f);
    return p;
}

static got *read_real(const char *rel, int expect_rc, ocds_read_stats *st, err_t *e)
{
    char *p = shared_path(rel);
    got *g;

    if (!p)
        return NULL;
    g = calloc(1, sizeof(*g));
    err_clear(e);
    assert_int_equal(ocds_read_file(p, collect, g, st, e), expect_rc);
    free(p);
    return g;
}

#define REAL_OR_SKIP(g)    \
    do {                   \
        if (!(g))          \
            skip();        \
    } while (0)

static void test_real_portugal_array_wrapped(void **state)
{
    ocds_read_stats st;
    err_t e;
    (void)state;
    /* jq '.[0].releases | length' portugal-impic/collection_file.json  -> 100 */
    got *g = read_real("portugal-impic/collection_file.json", 0, &st, &e);
    REAL_OR_SKIP(g);
    assert_int_equal(st.releases, 100);
    assert_int_equal(st.rejected, 0);
    assert_string_equal(st.shape, "array_release_package");
    assert_non_null(g->items[0].pkg);
    assert_contains(g->items[0].pkg, "\"publisher\"");
    got_free(g);
}

static void test_real_release_package_count(void **state)
{
    ocds_read_stats st;
    err_t e;
    (void)state;
    /* jq '.releases | length' ocdskit-realdata/release-package_encoding-utf-8.json  -> 3 */
    got *g = read_real("ocdskit-realdata/release-package_encoding-utf-8.json", 0, &st, &e);
    REAL_OR_SKIP(g);
    assert_int_equal(st.releases, 3);
    assert_string_equal(st.shape, "release_package");
    got_free(g);
}

static void test_real_latin1_file_rejected(void **state)
{
    ocds_read_stats st;
    err_t e;
    (void)state;
    /* LC_ALL=C grep -obaP '[\x80-\xff]' release-package_encoding-iso-8859-1.json | head -1
     * -> 592 (0xD3, 'Ó' in Latin-1). */
    got *g = read_real("ocdskit-realdata/release-package_encoding-iso-8859-1.json", ERR_BAD_INPUT, &st, &e);
    REAL_OR_SKIP(g);
    assert_int_equal(g->n, 0);
    assert_contains(e.msg, "invalid UTF-8 at byte 592 (line 1): byte 0xD3");
    assert_contains(e.msg, "ISO-8859-1");
    got_free(g);
}

static void test_real_empty_paraguay_files(void **state)
{
    static const char *files[] = {"paraguay-dncp/records/283826.json", "paraguay-dncp/records/283906.json",
                                  "paraguay-dncp/records/284456.json"};
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        ocds_read_stats st;
        err_t e;
        got *g = read_real(files[i], ERR_BAD_INPUT, &st, &e);
        REAL_OR_SKIP(g);
        assert_int_equal(g->n, 0);
        assert_contains(e.msg, "empty file (0 bytes)");
        assert_string_equal(st.shape, "empty");
        got_free(g);
    }
}

static void test_real_split_files(void **state)
{
    ocds_read_stats st;
    err_t e;
    (void)state;
    /* jq -s '[.[].releases[]] | length' release-package_split.json -> 4 (2 values, 2 lines) */
    got *g = read_real("ocdskit-realdata/release-package_split.json", 0, &st, &e);
    REAL_OR_SKIP(g);
    assert_int_equal(st.releases, 4);
    assert_string_equal(st.shape, "jsonl");
    assert_int_equal(g->items[2].line, 2);
    got_free(g);
    /* jq -s '[.[].records[].releases[]] | length' record-package_split.json -> 4;
     * jq -s '[.[].records[].compiledRelease] | length' -> 2 */
    g = read_real("ocdskit-realdata/record-package_split.json", 0, &st, &e);
    REAL_OR_SKIP(g);
    assert_int_equal(st.releases, 4);
    assert_int_equal(st.compiled, 2);
    got_free(g);
}

static void test_real_linked_releases(void **state)
{
    ocds_read_stats st;
    err_t e;
    (void)state;
    /* jq '[.records[].releases[] | select(has("url"))] | length' -> 4; 2 records with
     * compiledRelease. */
    got *g = read_real("ocdskit-realdata/record-package_linked-releases.json", 0, &st, &e);
    REAL_OR_SKIP(g);
    assert_int_equal(st.linked, 4);
    assert_int_equal(st.compiled, 2);
    assert_int_equal(st.releases, 0);
    assert_string_equal(g->items[0].ocid, "OCDS-87SD3T-AD-SF-DRM-063-2015");
    assert_string_equal(st.shape, "record_package");
    got_free(g);
}

static void test_real_montreal_string_tag(void **state)
{
    ocds_read_stats st;
    err_t e;
    (void)state;
    /* jq -c '[.ocid,.id,.tag]' -> ["ocds-a1234567-mt-0636...","0636...","award"] */
    got *g = read_real("canada-montreal/releases/ocds-a1234567-mt-063635891f001755a1637786dd047485f3dcfaf6-"
                       "063635891f001755a1637786dd047485f3dcfaf6.json", 0, &st, &e);
    REAL_OR_SKIP(g);
    assert_int_equal(st.releases, 1);
    assert_string_equal(g->items[0].id, "063635891f001755a1637786dd047485f3dcfaf6");
    assert_contains(g->items[0].json, "\"tag\":\"award\"");
    got_free(g);
}

static void test_real_files_chunked_equal(void **state)
{
    static const char *files[] = {"ocdskit-realdata/record-package_split.json",
                                  "ocdskit-realdata/versioned-release-2.json",
                                  "ocdskit-realdata/record-package_linked-releases.json"};
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        char *p = shared_path(files[i]);
        FILE *f;
        char *data;
        long len;
        if (!p)
            skip();
        f = fopen(p, "rb");
        assert_non_null(f);
        fseek(f, 0, SEEK_END);
        len = ftell(f);
        fseek(f, 0, SEEK_SET);
        data = malloc((size_t)len + 1);
        assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
        fclose(f);
        check_chunking(p, data, (size_t)len);
        free(data);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_release),
        cmocka_unit_test(test_release_package_with_metadata),
        cmocka_unit_test(test_record_package_linked_and_compiled),
        cmocka_unit_test(test_bare_record),
        cmocka_unit_test(test_compiled_and_versioned_release),
        cmocka_unit_test(test_array_wrapped_package),
        cmocka_unit_test(test_jsonl_resynchronises_after_bad_line),
        cmocka_unit_test(test_concatenated_values),
        cmocka_unit_test(test_empty_inputs_are_file_errors),
        cmocka_unit_test(test_missing_ocid_rejected_and_rest_read),
        cmocka_unit_test(test_id_as_number_is_text),
        cmocka_unit_test(test_latin1_rejected_with_offset),
        cmocka_unit_test(test_broken_document_is_file_error),
        cmocka_unit_test(test_depth_limit_rejects_one_release),
        cmocka_unit_test(test_nul_bytes_and_huge_numbers),
        cmocka_unit_test(test_package_with_non_array_releases),
        cmocka_unit_test(test_top_level_scalars_rejected),
        cmocka_unit_test(test_callback_can_stop),
        cmocka_unit_test(test_one_byte_chunks_equal_whole_read),
        cmocka_unit_test(test_real_portugal_array_wrapped),
        cmocka_unit_test(test_real_release_package_count),
        cmocka_unit_test(test_real_latin1_file_rejected),
        cmocka_unit_test(test_real_empty_paraguay_files),
        cmocka_unit_test(test_real_split_files),
        cmocka_unit_test(test_real_linked_releases),
        cmocka_unit_test(test_real_montreal_string_tag),
        cmocka_unit_test(test_real_files_chunked_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
