/* test_store.c - migrations (idempotent, changed files refused, older/newer schema) and
 * ingest versioning on small inline inputs, against the private PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest.h"
#include "pgtest.h"
#include "store/store.h"

#define DB "pa_test_store"

static store *st;
static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pa_test_store.XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    return pgtest_fresh(&st, DB);
}

static int teardown(void **state)
{
    char cmd[512];
    (void)state;
    store_close(st);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes `text` to tmpdir/name and returns the path (static buffer per call site). */
static const char *write_file(const char *name, const char *text, char *path, size_t n)
{
    FILE *f;
    snprintf(path, n, "%s/%s", tmpdir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
    return path;
}

/* Copies the repository's migrations into a fresh directory tmpdir/sub. */
static void copy_migrations(const char *sub, char *dir, size_t n)
{
    char cmd[2048];
    snprintf(dir, n, "%s/%s", tmpdir, sub);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s'/migrations/*.sql '%s'/", dir, pgtest_root(),
             dir);
    assert_int_equal(system(cmd), 0);
}

static long count_sql_files(const char *dir)
{
    char cmd[1024];
    FILE *p;
    long n = -1;
    snprintf(cmd, sizeof cmd, "ls '%s'/*.sql | wc -l", dir);
    p = popen(cmd, "r");
    assert_non_null(p);
    assert_int_equal(fscanf(p, "%ld", &n), 1);
    pclose(p);
    return n;
}

static void test_store_classifies_errors(void **state)
{
    store *bad = NULL;
    err_t e;
    (void)state;

    /* No server behind this socket directory: unavailable (retry later), not a bug. */
    assert_int_equal(store_open(&bad, "host=/nonexistent-procaudit port=1 dbname=x connect_timeout=2", &e),
                     ERR_DB_UNAVAILABLE);
    assert_null(bad);
    assert_non_null(strstr(e.msg, "database unavailable"));
    /* A statement the server refuses: ERR_DB, with the SQLSTATE (42P01 undefined table). */
    assert_int_equal(store_exec(st, NULL, PGRES_TUPLES_OK, "SELECT * FROM no_such_table", 0, NULL, &e),
                     ERR_DB);
    assert_non_null(strstr(e.msg, "42P01"));
    /* A failed statement inside a transaction: COMMIT reports the rollback. */
    assert_int_equal(store_begin(st, &e), 0);
    assert_int_equal(store_exec(st, NULL, PGRES_TUPLES_OK, "SELECT 1/0", 0, NULL, &e), ERR_DB);
    assert_int_equal(store_commit(st, &e), ERR_DB);
    /* The connection is still usable. */
    assert_int_equal(pgtest_long(st, "SELECT 41 + 1", NULL), 42);
}

static void test_store_migrate_is_idempotent(void **state)
{
    char dir[512];
    store_migrate_report rep;
    err_t e;
    long files;
    (void)state;

    snprintf(dir, sizeof dir, "%s/migrations", pgtest_root());
    files = count_sql_files(dir);
    assert_true(files >= 1);
    /* pgtest_fresh applied every file once; a second run applies nothing. */
    assert_int_equal(store_migrate(st, dir, &rep, &e), 0);
    assert_int_equal(rep.applied, 0);
    assert_int_equal(rep.already, files);
    assert_int_equal(pgtest_count(st, "schema_migrations"), files);
    assert_int_equal(store_schema_check(st, dir, &e), 0);
    /* a third run: still nothing */
    assert_int_equal(store_migrate(st, dir, &rep, &e), 0);
    assert_int_equal(rep.applied, 0);
    assert_int_equal(pgtest_count(st, "schema_migrations"), files);
}

static void test_store_migrate_refuses_changed_file(void **state)
{
    char dir[512], path[600];
    store_migrate_report rep;
    FILE *f;
    err_t e;
    (void)state;

    copy_migrations("changed", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/001_core.sql", dir);
    f = fopen(path, "ab");
    assert_non_null(f);
    fputs("-- an edit after the fact\n", f);
    fclose(f);
    assert_int_equal(store_migrate(st, dir, &rep, &e), ERR_SCHEMA);
    assert_non_null(strstr(e.msg, "001_core.sql was changed"));
    assert_int_equal(store_schema_check(st, dir, &e), ERR_SCHEMA);
    assert_non_null(strstr(e.msg, "changed"));
}

static void test_store_schema_check_names_older_and_newer(void **state)
{
    char dir[512], path[600], base[512];
    store_migrate_report rep;
    err_t e;
    (void)state;

    copy_migrations("newer", dir, sizeof dir);
    /* Statements are split on ';' outside quotes, comments and dollar quotes: this file
     * holds 3 statements (a table, a function whose body has ';', a comment with ';'). */
    write_file("newer/999_pgtest_extra.sql",
               "-- extra; for the test\n"
               "CREATE TABLE pgtest_extra (x integer, y text DEFAULT 'a;b');\n"
               "/* a comment; /* nested; */ still */\n"
               "CREATE FUNCTION pgtest_f() RETURNS integer LANGUAGE plpgsql AS $f$\n"
               "BEGIN PERFORM 1; RETURN 2; END;\n"
               "$f$;\n"
               "INSERT INTO pgtest_extra (x) SELECT pgtest_f()\n",
               path, sizeof path);
    /* The files know one more migration than the database: older, fix = migrate. */
    assert_int_equal(store_schema_check(st, dir, &e), ERR_SCHEMA);
    assert_non_null(strstr(e.msg, "older"));
    assert_non_null(strstr(e.msg, "procaudit migrate"));
    assert_int_equal(store_migrate(st, dir, &rep, &e), 0);
    assert_int_equal(rep.applied, 1);
    assert_int_equal(rep.latest, 999);
    assert_int_equal(store_schema_check(st, dir, &e), 0);
    assert_int_equal(pgtest_long(st, "SELECT x FROM pgtest_extra WHERE y = $1", "a;b"), 2);
    /* Now the repository's files lack 999: the database is newer, fix = upgrade. */
    snprintf(base, sizeof base, "%s/migrations", pgtest_root());
    assert_int_equal(store_schema_check(st, base, &e), ERR_SCHEMA);
    assert_non_null(strstr(e.msg, "newer"));
    assert_int_equal(store_migrate(st, base, &rep, &e), ERR_SCHEMA);
    /* Put the database back as the other tests expect it. */
    assert_int_equal(store_exec(st, NULL, PGRES_COMMAND_OK, "DROP TABLE pgtest_extra", 0, NULL, &e), 0);
    assert_int_equal(store_exec(st, NULL, PGRES_COMMAND_OK, "DROP FUNCTION pgtest_f()", 0, NULL, &e), 0);
    assert_int_equal(store_exec(st, NULL, PGRES_COMMAND_OK,
                                "DELETE FROM schema_migrations WHERE version = 999", 0, NULL, &e),
                     0);
    assert_int_equal(store_schema_check(st, base, &e), 0);
}

/* Releases of one ocid in packages. Release r1 at 2020-01-01 titled "A", then r1 again
 * with title "B" (same id, other content), then r1 with the content of "A" but other
 * bytes (keys reordered, spaces), then r2 at 2020-02-01 adding an award. */
static const char PKG_A[] =
    "{\"uri\":\"x\",\"releases\":[{\"ocid\":\"ocds-test-1\",\"id\":\"r1\",\"date\":\"2020-01-01T00:00:00Z\","
    "\"tag\":[\"tender\"],\"buyer\":{\"id\":\"B1\",\"name\":\"Buyer\"},"
    "\"tender\":{\"id\":\"t\",\"title\":\"A\"}}]}\n";
static const char PKG_B[] =
    "{\"uri\":\"x\",\"releases\":[{\"ocid\":\"ocds-test-1\",\"id\":\"r1\",\"date\":\"2020-01-01T00:00:00Z\","
    "\"tag\":[\"tender\"],\"buyer\":{\"id\":\"B1\",\"name\":\"Buyer\"},"
    "\"tender\":{\"id\":\"t\",\"title\":\"B\"}}]}\n";
static const char PKG_A_REORDERED[] =
    "{ \"releases\" : [ { \"tender\" : {\"title\":\"A\", \"id\":\"t\"}, \"id\":\"r1\", \"ocid\":\"ocds-test-1\","
    " \"date\":\"2020-01-01T00:00:00Z\", \"tag\":[\"tender\"], \"buyer\":{\"name\":\"Buyer\",\"id\":\"B1\"} } ],"
    " \"uri\":\"y\" }\n";
static const char PKG_R2[] =
    "{\"releases\":[{\"ocid\":\"ocds-test-1\",\"id\":\"r2\",\"date\":\"2020-02-01T00:00:00Z\","
    "\"tag\":[\"award\"],\"awards\":[{\"id\":\"a1\",\"status\":\"active\","
    "\"value\":{\"amount\":100,\"currency\":\"EUR\"},\"suppliers\":[{\"id\":\"S1\",\"name\":\"Sup\"}]}],"
    "\"parties\":[{\"id\":\"S1\",\"name\":\"Sup\",\"roles\":[\"supplier\"]}]}]}\n";

static void test_ingest_same_id_other_content_is_a_new_version(void **state)
{
    char path[600];
    ingest_stats s;
    err_t e;
    (void)state;

    assert_int_equal(ingest_file(st, write_file("a.json", PKG_A, path, sizeof path), &s, &e), 0);
    assert_int_equal(s.releases_new, 1);
    assert_int_equal(s.procurements, 1);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM procurements WHERE ocid = $1 AND title = 'A'",
                                 "ocds-test-1"),
                     1);

    /* Same (ocid, id), other content: a second version, reported and merged. */
    assert_int_equal(ingest_file(st, write_file("b.json", PKG_B, path, sizeof path), &s, &e), 0);
    assert_int_equal(s.releases_new, 0);
    assert_int_equal(s.releases_changed, 1);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM releases WHERE ocid = $1", "ocds-test-1"), 2);
    assert_int_equal(pgtest_long(st, "SELECT max(version) FROM releases WHERE ocid = $1", "ocds-test-1"), 2);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM procurements WHERE ocid = $1 AND title = 'B'",
                                 "ocds-test-1"),
                     1);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM quality_notes WHERE ocid = $1 AND code = 'release_changed'",
                                 "ocds-test-1"),
                     1);

    /* The content of A again in other bytes: a new file, but the release is the same
     * content as version 1, so nothing is stored and nothing is recompiled. */
    assert_int_equal(ingest_file(st, write_file("a2.json", PKG_A_REORDERED, path, sizeof path), &s, &e), 0);
    assert_int_equal(s.duplicate_file, 0);
    assert_int_equal(s.releases_same, 1);
    assert_int_equal(s.releases_new + s.releases_changed, 0);
    assert_int_equal(s.procurements, 0);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM releases WHERE ocid = $1", "ocds-test-1"), 2);

    /* The very same bytes as a.json: recognised by SHA-256, nothing at all happens. */
    assert_int_equal(ingest_file(st, write_file("a3.json", PKG_A, path, sizeof path), &s, &e), 0);
    assert_int_equal(s.duplicate_file, 1);
    assert_int_equal(s.releases_read, 0);

    /* A later release of the same ocid from another file merges with the stored ones:
     * title from r1 version 2 ("B"), the award from r2; 2 releases merged. */
    assert_int_equal(ingest_file(st, write_file("r2.json", PKG_R2, path, sizeof path), &s, &e), 0);
    assert_int_equal(s.releases_new, 1);
    assert_int_equal(pgtest_long(st, "SELECT releases FROM compiled_releases WHERE ocid = $1", "ocds-test-1"), 2);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM procurements WHERE ocid = $1 AND title = 'B' AND n_awards = 1",
                                 "ocds-test-1"),
                     1);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM awards WHERE ocid = $1 AND value = 100 AND currency = 'EUR'",
                                 "ocds-test-1"),
                     1);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM award_suppliers WHERE ocid = $1 AND supplier_id = 'S1'",
                                 "ocds-test-1"),
                     1);
    /* Recompiling rewrote the normalised rows: one buyer party + one supplier, not more. */
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM parties WHERE ocid = $1", "ocds-test-1"), 2);
}

/* JSON Lines: a good release, a release without ocid, a good release of another ocid. */
static const char JSONL_WITH_BAD[] =
    "{\"ocid\":\"ocds-test-2\",\"id\":\"1\",\"date\":\"2021-01-01T00:00:00Z\",\"tag\":[\"tender\"]}\n"
    "{\"id\":\"2\",\"date\":\"2021-01-01T00:00:00Z\",\"tag\":[\"tender\"]}\n"
    "{\"ocid\":\"ocds-test-3\",\"id\":\"3\",\"date\":\"2021-01-01T00:00:00Z\",\"tag\":[\"tender\"]}\n";

static void test_ingest_rejected_record_keeps_the_rest(void **state)
{
    char path[600];
    ingest_stats s;
    err_t e;
    long fid;
    char sfid[32];
    (void)state;

    assert_int_equal(ingest_file(st, write_file("bad.jsonl", JSONL_WITH_BAD, path, sizeof path), &s, &e), 0);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(s.releases_new, 2);
    fid = s.file_id;
    snprintf(sfid, sizeof sfid, "%ld", fid);
    /* the second line (line 2) is the bad one, and its message names the ocid */
    assert_int_equal(pgtest_long(st, "SELECT line FROM rejected_records WHERE file_id = $1::bigint", sfid), 2);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM rejected_records WHERE file_id = $1::bigint AND "
                                     "(field = 'ocid' OR message LIKE '%ocid%')",
                                 sfid),
                     1);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM procurements WHERE ocid IN ('ocds-test-2', 'ocds-test-3') AND $1 = $1",
                                 sfid),
                     2);
}

static void test_ingest_empty_and_unknown_files_are_rejected_whole(void **state)
{
    char path[600];
    ingest_stats s;
    err_t e;
    long files_before = pgtest_count(st, "ingested_files");
    (void)state;

    assert_int_equal(ingest_file(st, write_file("empty.json", "", path, sizeof path), &s, &e), ERR_BAD_INPUT);
    assert_non_null(strstr(e.msg, "empty"));
    assert_int_equal(ingest_file(st, write_file("blank.json", " \n\t\n", path, sizeof path), &s, &e), ERR_BAD_INPUT);
    assert_non_null(strstr(e.msg, "empty"));
    assert_int_equal(ingest_file(st, write_file("text.txt", "hello", path, sizeof path), &s, &e), ERR_BAD_INPUT);
    assert_non_null(strstr(e.msg, "unknown format"));
    /* three distinct contents, three rejected rows, nothing else */
    assert_int_equal(pgtest_count(st, "ingested_files"), files_before + 3);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM ingested_files WHERE status = 'rejected' AND $1 = $1", "x"), 3);
    /* again: rows updated, not added */
    assert_int_equal(ingest_file(st, write_file("empty2.json", "", path, sizeof path), &s, &e), ERR_BAD_INPUT);
    assert_int_equal(pgtest_count(st, "ingested_files"), files_before + 3);
}

/* A string holding U+0000 (PostgreSQL jsonb refuses it) and an over-long ocid. */
static const char JSONL_HOSTILE[] =
    "{\"ocid\":\"ocds-test-4\",\"id\":\"1\",\"date\":\"2021-01-01T00:00:00Z\",\"tender\":{\"title\":\"a\\u0000b\"}}\n";

static void test_ingest_survives_nul_and_long_ocid(void **state)
{
    char path[600];
    char *big;
    size_t n = 600, i;
    ingest_stats s;
    err_t e;
    (void)state;

    assert_int_equal(ingest_file(st, write_file("nul.jsonl", JSONL_HOSTILE, path, sizeof path), &s, &e), 0);
    assert_int_equal(s.releases_new, 1);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM releases WHERE ocid = $1 AND data->'tender'->>'title' = 'a' || chr(65533) || 'b'",
                                 "ocds-test-4"),
                     1);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM quality_notes WHERE ocid = $1 AND code = 'string_nul'",
                                 "ocds-test-4"),
                     1);

    big = malloc(n + 200);
    assert_non_null(big);
    memcpy(big, "{\"ocid\":\"", 9);
    for (i = 0; i < 500; i++)
        big[9 + i] = 'x';
    snprintf(big + 509, n + 200 - 509, "\",\"id\":\"1\",\"date\":\"2021-01-01\"}\n");
    assert_int_equal(ingest_file(st, write_file("long.jsonl", big, path, sizeof path), &s, &e), 0);
    free(big);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(s.releases_new, 0);
}

/* Three releases; the second holds a number PostgreSQL's numeric (hence jsonb) cannot
 * hold (1e200000 > 10^131072): the pipelined batch fails, is redone procurement by
 * procurement, and only that procurement is rejected. */
static const char JSONL_DB_REFUSES[] =
    "{\"ocid\":\"ocds-test-5\",\"id\":\"1\",\"date\":\"2020-01-01T00:00:00Z\",\"tag\":[\"tender\"]}\n"
    "{\"ocid\":\"ocds-test-6\",\"id\":\"1\",\"date\":\"2020-01-01T00:00:00Z\",\"tag\":[\"tender\"],"
    "\"tender\":{\"value\":{\"amount\":1e200000,\"currency\":\"EUR\"}}}\n"
    "{\"ocid\":\"ocds-test-7\",\"id\":\"1\",\"date\":\"2020-01-01T00:00:00Z\",\"tag\":[\"tender\"]}\n";

static void test_ingest_database_refusal_rejects_only_that_procurement(void **state)
{
    char path[600], sfid[32];
    ingest_stats s;
    err_t e;
    (void)state;

    assert_int_equal(ingest_file(st, write_file("refused.jsonl", JSONL_DB_REFUSES, path, sizeof path), &s, &e), 0);
    /* 3 read: 2 stored, 1 rejected */
    assert_int_equal(s.releases_read, 3);
    assert_int_equal(s.releases_new, 2);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(s.procurements, 2);
    snprintf(sfid, sizeof sfid, "%lld", s.file_id);
    assert_int_equal(pgtest_long(st, "SELECT line FROM rejected_records WHERE file_id = $1::bigint AND ocid = 'ocds-test-6'", sfid), 2);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM procurements WHERE ocid IN ('ocds-test-5', 'ocds-test-6', 'ocds-test-7') AND $1 = $1", sfid), 2);
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM releases WHERE file_id = $1::bigint", sfid), 2);
}

/* A record's compiledRelease (published) against our merge of the releases: the merge
 * of the releases held wins; the published one stands in while no release is held;
 * whatever the order of arrival. ocid A gets the record first, ocid B the release first. */
static const char REC_A[] =
    "{\"records\":[{\"ocid\":\"ocds-test-a\",\"compiledRelease\":{\"ocid\":\"ocds-test-a\","
    "\"id\":\"c\",\"date\":\"2020-03-01T00:00:00Z\",\"tag\":[\"compiled\"],\"tender\":{\"id\":\"t\",\"title\":\"P\"}}}]}\n";
static const char REL_A1[] =
    "{\"releases\":[{\"ocid\":\"ocds-test-a\",\"id\":\"r1\",\"date\":\"2020-02-01T00:00:00Z\","
    "\"tag\":[\"tender\"],\"tender\":{\"id\":\"t\",\"title\":\"R1\"}}]}\n";
static const char REL_A2[] =
    "{\"releases\":[{\"ocid\":\"ocds-test-a\",\"id\":\"r2\",\"date\":\"2020-04-01T00:00:00Z\","
    "\"tag\":[\"tenderUpdate\"],\"tender\":{\"id\":\"t\",\"title\":\"R2\"}}]}\n";
static const char REC_B[] =
    "{\"records\":[{\"ocid\":\"ocds-test-b\",\"compiledRelease\":{\"ocid\":\"ocds-test-b\","
    "\"id\":\"c\",\"date\":\"2020-03-01T00:00:00Z\",\"tag\":[\"compiled\"],\"tender\":{\"id\":\"t\",\"title\":\"P\"}}}]}\n";
static const char REL_B1[] =
    "{\"releases\":[{\"ocid\":\"ocds-test-b\",\"id\":\"r1\",\"date\":\"2020-02-01T00:00:00Z\","
    "\"tag\":[\"tender\"],\"tender\":{\"id\":\"t\",\"title\":\"R1\"}}]}\n";

static void test_ingest_merge_wins_published_stands_in(void **state)
{
    char path[600], text[64];
    ingest_stats s;
    err_t e;
    (void)state;

    /* A: the record alone: its compiled release stands in. */
    assert_int_equal(ingest_file(st, write_file("rec_a.json", REC_A, path, sizeof path), &s, &e), 0);
    assert_int_equal(s.compiled, 1);
    assert_int_equal(pgtest_text(st, "SELECT source || ':' || title FROM compiled_releases JOIN procurements USING (ocid) WHERE ocid = $1",
                                 "ocds-test-a", text, sizeof text),
                     0);
    assert_string_equal(text, "published:P");
    /* then a release (even an older one, 2020-02-01 < 2020-03-01): our merge takes over. */
    assert_int_equal(ingest_file(st, write_file("rel_a1.json", REL_A1, path, sizeof path), &s, &e), 0);
    assert_int_equal(pgtest_text(st, "SELECT source || ':' || title FROM compiled_releases JOIN procurements USING (ocid) WHERE ocid = $1",
                                 "ocds-test-a", text, sizeof text),
                     0);
    assert_string_equal(text, "merged:R1");
    /* B: the same two in the other order: the same outcome. */
    assert_int_equal(ingest_file(st, write_file("rel_b1.json", REL_B1, path, sizeof path), &s, &e), 0);
    assert_int_equal(pgtest_text(st, "SELECT source || ':' || title FROM compiled_releases JOIN procurements USING (ocid) WHERE ocid = $1",
                                 "ocds-test-b", text, sizeof text),
                     0);
    assert_string_equal(text, "merged:R1");
    assert_int_equal(ingest_file(st, write_file("rec_b.json", REC_B, path, sizeof path), &s, &e), 0);
    assert_int_equal(pgtest_text(st, "SELECT source || ':' || title FROM compiled_releases JOIN procurements USING (ocid) WHERE ocid = $1",
                                 "ocds-test-b", text, sizeof text),
                     0);
    assert_string_equal(text, "merged:R1");
    /* A: a second release (2020-04-01): the merge of r1 and r2 (2 releases), title from r2. */
    assert_int_equal(ingest_file(st, write_file("rel_a2.json", REL_A2, path, sizeof path), &s, &e), 0);
    assert_int_equal(pgtest_text(st, "SELECT source || ':' || releases || ':' || title FROM compiled_releases JOIN procurements USING (ocid) WHERE ocid = $1",
                                 "ocds-test-a", text, sizeof text),
                     0);
    assert_string_equal(text, "merged:2:R2");
    assert_int_equal(pgtest_long(st, "SELECT count(*) FROM published_compiled_releases WHERE ocid LIKE $1", "ocds-test-%"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_classifies_errors),
        cmocka_unit_test(test_store_migrate_is_idempotent),
        cmocka_unit_test(test_store_migrate_refuses_changed_file),
        cmocka_unit_test(test_store_schema_check_names_older_and_newer),
        cmocka_unit_test(test_ingest_same_id_other_content_is_a_new_version),
        cmocka_unit_test(test_ingest_rejected_record_keeps_the_rest),
        cmocka_unit_test(test_ingest_empty_and_unknown_files_are_rejected_whole),
        cmocka_unit_test(test_ingest_survives_nul_and_long_ocid),
        cmocka_unit_test(test_ingest_database_refusal_rejects_only_that_procurement),
        cmocka_unit_test(test_ingest_merge_wins_published_stands_in),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
