/* write.c - the ingest writes: batches of rows sent as binary arrays through unnest(). */
#include "store/store.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* One batch column may hold at most this many bytes (PostgreSQL's limit for one
 * parameter value is 1 GB; the ingest flushes long before). */
#define COL_MAX_BYTES (900u * 1024u * 1024u)
#define TABLE_MAX_COLS 40

/* PostgreSQL type OIDs (pg_type.dat, stable across versions). */
enum {
    OID_INT4 = 23, OID_INT8 = 20, OID_TEXT = 25, OID_FLOAT8 = 701, OID_JSONB = 3802,
    OID_INT4_ARRAY = 1007, OID_INT8_ARRAY = 1016, OID_TEXT_ARRAY = 1009,
    OID_FLOAT8_ARRAY = 1022, OID_JSONB_ARRAY = 3807
};

/* Column kinds, one letter each in a table's `kinds` string. */
typedef enum {
    COL_TEXT = 't',  /* text */
    COL_KEY = 'k',   /* text cut to STORE_KEY_MAX bytes (ids, ocids) */
    COL_JSONB = 'j', /* jsonb (a release, or a JSON array of strings) */
    COL_INT8 = '8',  /* bigint (also dates, as seconds since the epoch) */
    COL_INT4 = '4',  /* integer */
    COL_FLOAT8 = 'f' /* double precision (amounts, cast to numeric in SQL) */
} col_kind;

/* One column: a PostgreSQL binary array being built. The first 20 bytes of `b` are
 * reserved for the array header, written when the column is finished. */
typedef struct {
    col_kind kind;
    buf_t b;
    uint32_t n;
    int has_null;
    unsigned char empty[12]; /* the value of an empty array */
} col;

/* One table's columns; every row adds exactly one value to every column. */
typedef struct {
    const char *kinds;
    int ncols;
    size_t rows;
    col cols[TABLE_MAX_COLS];
} table;

enum {
    T_RELEASES, T_PUBLISHED, T_COMPILED, T_COMPILED_NEW, T_PROCUREMENTS, T_PROCUREMENTS_NEW, T_PARTIES, T_LOTS, T_ITEMS, T_BIDS, T_AWARDS,
    T_AWARD_SUPPLIERS, T_CONTRACTS, T_AMENDMENTS, T_DOCUMENTS, T_TRANSACTIONS, T_NOTES,
    T_REJECTED, T_DELETE, T_COUNT
};

/* Column kinds per table, in the order of the unnest() arguments of its SQL below. */
static const char *const table_kinds[T_COUNT] = {
    [T_RELEASES] = "kkk48j88",
    [T_PUBLISHED] = "kk8j",
    [T_COMPILED] = "kjt4",
    [T_COMPILED_NEW] = "kjt4",
    [T_PROCUREMENTS] = "kt8tktkttttttttttftft8888888f84444444",
    [T_PROCUREMENTS_NEW] = "kt8tktkttttttttttftft8888888f84444444",
    [T_PARTIES] = "kkttkjttttt",
    [T_LOTS] = "kktttft",
    [T_ITEMS] = "k4ktttfkftkt",
    [T_BIDS] = "kkkk8ftjj",
    [T_AWARDS] = "kktt8ftjj",
    [T_AWARD_SUPPLIERS] = "kkkt",
    [T_CONTRACTS] = "kkkttftft888",
    [T_AMENDMENTS] = "kk4k8ttft",
    [T_DOCUMENTS] = "ktk4ktttt8",
    [T_TRANSACTIONS] = "kk4k8ftkk",
    [T_NOTES] = "k8tttt",
    [T_REJECTED] = "888ktt",
    [T_DELETE] = "k",
};

/* The statements. Dates travel as bigint seconds (NULL when absent or out of range) and
 * become timestamptz with to_timestamp; amounts travel as float8 and become numeric. */
static const char SQL_RELEASES[] =
    "INSERT INTO releases (ocid, release_id, sha256, data, version, date, file_id, byte_offset, line)\n"
    "SELECT o, r, decode(h, 'hex'), j, v, to_timestamp(d), $9, b, l\n"
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::int4[], $5::int8[], $6::jsonb[],\n"
    "            $7::int8[], $8::int8[]) AS t(o, r, h, v, d, j, b, l)";

static const char SQL_PUBLISHED[] =
    "INSERT INTO published_compiled_releases (ocid, sha256, date, data, file_id)\n"
    "SELECT o, decode(h, 'hex'), to_timestamp(d), j, $5\n"
    "FROM unnest($1::text[], $2::text[], $3::int8[], $4::jsonb[]) AS t(o, h, d, j)\n"
    "ON CONFLICT (ocid, sha256) DO NOTHING";

#define SQL_COMPILED_INSERT                                                                   \
    "INSERT INTO compiled_releases (ocid, data, source, releases, updated_at)\n"              \
    "SELECT o, j, s, n, now() FROM unnest($1::text[], $2::jsonb[], $3::text[], $4::int4[])\n" \
    "  AS t(o, j, s, n)"
static const char SQL_COMPILED_NEW[] = SQL_COMPILED_INSERT;
static const char SQL_COMPILED[] = SQL_COMPILED_INSERT "\n"
    "ON CONFLICT (ocid) DO UPDATE SET data = EXCLUDED.data, source = EXCLUDED.source,\n"
    "  releases = EXCLUDED.releases, updated_at = now()";

/* One statement deletes an ocid's normalised rows and its 'compile' notes. */
static const char SQL_DELETE[] =
    "WITH d1 AS (DELETE FROM parties WHERE ocid = ANY($1::text[])),\n"
    " d2 AS (DELETE FROM lots WHERE ocid = ANY($1::text[])),\n"
    " d3 AS (DELETE FROM items WHERE ocid = ANY($1::text[])),\n"
    " d4 AS (DELETE FROM bids WHERE ocid = ANY($1::text[])),\n"
    " d5 AS (DELETE FROM awards WHERE ocid = ANY($1::text[])),\n"
    " d6 AS (DELETE FROM award_suppliers WHERE ocid = ANY($1::text[])),\n"
    " d7 AS (DELETE FROM contracts WHERE ocid = ANY($1::text[])),\n"
    " d8 AS (DELETE FROM amendments WHERE ocid = ANY($1::text[])),\n"
    " d9 AS (DELETE FROM documents WHERE ocid = ANY($1::text[])),\n"
    " d10 AS (DELETE FROM transactions WHERE ocid = ANY($1::text[]))\n"
    "DELETE FROM quality_notes WHERE origin = 'compile' AND ocid = ANY($1::text[])";

/* Rows are deduplicated by key in C (see keyset), so the inserts of fresh ocids need no ON
 * CONFLICT clause, which would cost a speculative insertion per row. */
#define SQL_PROCUREMENTS_INSERT \
    "INSERT INTO procurements (ocid, source_format, date, language, buyer_id, buyer_name,\n" \
    "  procuring_entity_id, procuring_entity_name, tender_id, title, description, status,\n" \
    "  method, method_raw, method_details, category, award_criteria, tender_value,\n" \
    "  tender_currency, budget_value, budget_currency, date_published, tender_start,\n" \
    "  tender_end, award_period_start, award_period_end, contract_period_start,\n" \
    "  contract_period_end, duration_days, number_of_tenderers, tenderers_listed, n_parties,\n" \
    "  n_lots, n_items, n_bids, n_awards, n_contracts, updated_at)\n" \
    "SELECT c1, c2, to_timestamp(c3), c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15,\n" \
    "  c16, c17, c18::numeric, c19, c20::numeric, c21, to_timestamp(c22), to_timestamp(c23),\n" \
    "  to_timestamp(c24), to_timestamp(c25), to_timestamp(c26), to_timestamp(c27),\n" \
    "  to_timestamp(c28), c29, c30, c31, c32, c33, c34, c35, c36, c37, now()\n" \
    "FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::text[], $6::text[],\n" \
    "  $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],\n" \
    "  $14::text[], $15::text[], $16::text[], $17::text[], $18::float8[], $19::text[],\n" \
    "  $20::float8[], $21::text[], $22::int8[], $23::int8[], $24::int8[], $25::int8[],\n" \
    "  $26::int8[], $27::int8[], $28::int8[], $29::float8[], $30::int8[], $31::int4[],\n" \
    "  $32::int4[], $33::int4[], $34::int4[], $35::int4[], $36::int4[], $37::int4[])\n" \
    "  AS t(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18,\n" \
    "       c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, c32, c33, c34,\n" \
    "       c35, c36, c37)"
static const char SQL_PROCUREMENTS_NEW[] = SQL_PROCUREMENTS_INSERT;
static const char SQL_PROCUREMENTS[] = SQL_PROCUREMENTS_INSERT "\n"
    "ON CONFLICT (ocid) DO UPDATE SET source_format = EXCLUDED.source_format,\n"
    "  date = EXCLUDED.date, language = EXCLUDED.language, buyer_id = EXCLUDED.buyer_id,\n"
    "  buyer_name = EXCLUDED.buyer_name, procuring_entity_id = EXCLUDED.procuring_entity_id,\n"
    "  procuring_entity_name = EXCLUDED.procuring_entity_name, tender_id = EXCLUDED.tender_id,\n"
    "  title = EXCLUDED.title, description = EXCLUDED.description, status = EXCLUDED.status,\n"
    "  method = EXCLUDED.method, method_raw = EXCLUDED.method_raw,\n"
    "  method_details = EXCLUDED.method_details, category = EXCLUDED.category,\n"
    "  award_criteria = EXCLUDED.award_criteria, tender_value = EXCLUDED.tender_value,\n"
    "  tender_currency = EXCLUDED.tender_currency, budget_value = EXCLUDED.budget_value,\n"
    "  budget_currency = EXCLUDED.budget_currency, date_published = EXCLUDED.date_published,\n"
    "  tender_start = EXCLUDED.tender_start, tender_end = EXCLUDED.tender_end,\n"
    "  award_period_start = EXCLUDED.award_period_start,\n"
    "  award_period_end = EXCLUDED.award_period_end,\n"
    "  contract_period_start = EXCLUDED.contract_period_start,\n"
    "  contract_period_end = EXCLUDED.contract_period_end,\n"
    "  duration_days = EXCLUDED.duration_days,\n"
    "  number_of_tenderers = EXCLUDED.number_of_tenderers,\n"
    "  tenderers_listed = EXCLUDED.tenderers_listed, n_parties = EXCLUDED.n_parties,\n"
    "  n_lots = EXCLUDED.n_lots, n_items = EXCLUDED.n_items, n_bids = EXCLUDED.n_bids,\n"
    "  n_awards = EXCLUDED.n_awards, n_contracts = EXCLUDED.n_contracts, updated_at = now()";

/* A JSON array of strings (jsonb) into text[]. */
#define TEXT_LIST(x) "COALESCE(ARRAY(SELECT jsonb_array_elements_text(" x ")), '{}')"

static const char SQL_PARTIES[] =
    "INSERT INTO parties (ocid, id, name, identifier_scheme, identifier_id, roles, country,\n"
    "  locality, contact_name, email, telephone)\n"
    "SELECT c1, c2, c3, c4, c5, " TEXT_LIST("c6") ", c7, c8, c9, c10, c11\n"
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[],\n"
    "  $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])\n"
    "  AS t(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11)";

static const char SQL_LOTS[] =
    "INSERT INTO lots (ocid, id, title, description, status, value, currency)\n"
    "SELECT c1, c2, c3, c4, c5, c6::numeric, c7\n"
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[],\n"
    "  $7::text[]) AS t(c1, c2, c3, c4, c5, c6, c7)";

static const char SQL_ITEMS[] =
    "INSERT INTO items (ocid, seq, id, description, classification_scheme, classification_id,\n"
    "  quantity, unit_name, unit_value, unit_currency, related_lot, delivery_location)\n"
    "SELECT c1, c2, c3, c4, c5, c6, c7, c8, c9::numeric, c10, c11, c12\n"
    "FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::text[],\n"
    "  $7::float8[], $8::text[], $9::float8[], $10::text[], $11::text[], $12::text[])\n"
    "  AS t(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12)";

static const char SQL_BIDS[] =
    "INSERT INTO bids (ocid, id, status, status_raw, date, value, currency, tenderer_ids,\n"
    "  related_lots)\n"
    "SELECT c1, c2, c3, c4, to_timestamp(c5), c6::numeric, c7, " TEXT_LIST("c8") ",\n"
    "  " TEXT_LIST("c9") "\n"
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::float8[],\n"
    "  $7::text[], $8::jsonb[], $9::jsonb[]) AS t(c1, c2, c3, c4, c5, c6, c7, c8, c9)";

static const char SQL_AWARDS[] =
    "INSERT INTO awards (ocid, id, title, status, date, value, currency, related_lots,\n"
    "  related_bids)\n"
    "SELECT c1, c2, c3, c4, to_timestamp(c5), c6::numeric, c7, " TEXT_LIST("c8") ",\n"
    "  " TEXT_LIST("c9") "\n"
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::float8[],\n"
    "  $7::text[], $8::jsonb[], $9::jsonb[]) AS t(c1, c2, c3, c4, c5, c6, c7, c8, c9)";

static const char SQL_AWARD_SUPPLIERS[] =
    "INSERT INTO award_suppliers (ocid, award_id, supplier_id, supplier_name)\n"
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])";

static const char SQL_CONTRACTS[] =
    "INSERT INTO contracts (ocid, id, award_id, title, status, value, currency,\n"
    "  original_value, original_currency, date_signed, period_start, period_end)\n"
    "SELECT c1, c2, c3, c4, c5, c6::numeric, c7, c8::numeric, c9, to_timestamp(c10),\n"
    "  to_timestamp(c11), to_timestamp(c12)\n"
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[],\n"
    "  $7::text[], $8::float8[], $9::text[], $10::int8[], $11::int8[], $12::int8[])\n"
    "  AS t(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12)";

static const char SQL_AMENDMENTS[] =
    "INSERT INTO amendments (ocid, contract_id, seq, id, date, rationale, description,\n"
    "  amended_value, amended_currency)\n"
    "SELECT c1, c2, c3, c4, to_timestamp(c5), c6, c7, c8::numeric, c9\n"
    "FROM unnest($1::text[], $2::text[], $3::int4[], $4::text[], $5::int8[], $6::text[],\n"
    "  $7::text[], $8::float8[], $9::text[]) AS t(c1, c2, c3, c4, c5, c6, c7, c8, c9)";

static const char SQL_DOCUMENTS[] =
    "INSERT INTO documents (ocid, scope, parent_id, seq, id, document_type, title, url,\n"
    "  format, date_published)\n"
    "SELECT c1, c2, c3, c4, c5, c6, c7, c8, c9, to_timestamp(c10)\n"
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::int4[], $5::text[], $6::text[],\n"
    "  $7::text[], $8::text[], $9::text[], $10::int8[])\n"
    "  AS t(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10)";

static const char SQL_TRANSACTIONS[] =
    "INSERT INTO transactions (ocid, contract_id, seq, id, date, value, currency, payer_id,\n"
    "  payee_id)\n"
    "SELECT c1, c2, c3, c4, to_timestamp(c5), c6::numeric, c7, c8, c9\n"
    "FROM unnest($1::text[], $2::text[], $3::int4[], $4::text[], $5::int8[], $6::float8[],\n"
    "  $7::text[], $8::text[], $9::text[]) AS t(c1, c2, c3, c4, c5, c6, c7, c8, c9)";

static const char SQL_NOTES[] =
    "INSERT INTO quality_notes (ocid, file_id, origin, code, field, message)\n"
    "SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[],\n"
    "  $6::text[])";

static const char SQL_REJECTED[] =
    "INSERT INTO rejected_records (file_id, position, line, record_index, ocid, field, message)\n"
    "SELECT $7, p, l, i, o, f, m FROM unnest($1::int8[], $2::int8[], $3::int8[], $4::text[],\n"
    "  $5::text[], $6::text[]) AS t(p, l, i, o, f, m)";

struct store_batch {
    table t[T_COUNT];
};

/* ---- columns ---- */

static void put_be32(unsigned char *p, uint32_t v)
{
    v = htonl(v);
    memcpy(p, &v, 4);
}

static void col_init(col *c, col_kind kind)
{
    c->kind = kind;
    c->n = 0;
    c->has_null = 0;
    buf_init(&c->b, COL_MAX_BYTES);
}

static int col_start(col *c)
{
    static const unsigned char zero[20] = {0};
    if (c->b.len == 0)
        return buf_append(&c->b, zero, sizeof zero);
    return 0;
}

static int col_elem(col *c, const void *p, int32_t len)
{
    unsigned char head[4];
    int rc = col_start(c);

    if (rc)
        return rc;
    put_be32(head, (uint32_t)len);
    rc = buf_append(&c->b, head, 4);
    if (rc == 0 && len > 0)
        rc = buf_append(&c->b, p, (size_t)len);
    if (rc == 0) {
        c->n++;
        if (len < 0)
            c->has_null = 1;
    }
    return rc;
}

static int col_null(col *c)
{
    return col_elem(c, NULL, -1);
}

/* Length of s cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    len = max;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
        len--;
    return len;
}

/* A set of (a, b) string keys, compared on their first STORE_KEY_MAX bytes (what the
 * database stores): the dedup of one procurement's rows by primary key. The strings are
 * borrowed, not copied. */
typedef struct {
    const char **a;
    const char **b;
    size_t cap;
} keyset;

static size_t key_len(const char *s)
{
    return utf8_cut(s, strlen(s), STORE_KEY_MAX);
}

static uint64_t key_hash(const char *s, uint64_t h)
{
    size_t i, n = key_len(s);
    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h * 31 + 7;
}

static int key_eq(const char *x, const char *y)
{
    size_t nx = key_len(x), ny = key_len(y);
    return nx == ny && memcmp(x, y, nx) == 0;
}

static int keyset_init(keyset *k, size_t n)
{
    k->cap = 16;
    while (k->cap < 2 * n + 1)
        k->cap *= 2;
    k->a = calloc(k->cap, sizeof *k->a);
    k->b = calloc(k->cap, sizeof *k->b);
    if (!k->a || !k->b) {
        free(k->a);
        free(k->b);
        k->a = k->b = NULL;
        return ERR_NOMEM;
    }
    return 0;
}

static void keyset_dispose(keyset *k)
{
    free(k->a);
    free(k->b);
    k->a = k->b = NULL;
}

/* 1 when (a, b) is new (and now in the set), 0 when it was there. NULL counts as "". */
static int keyset_add(keyset *k, const char *a, const char *b)
{
    size_t i;

    a = a ? a : "";
    b = b ? b : "";
    i = (size_t)(key_hash(b, key_hash(a, 1469598103934665603ULL)) & (k->cap - 1));
    while (k->a[i]) {
        if (key_eq(k->a[i], a) && key_eq(k->b[i], b))
            return 0;
        i = (i + 1) & (k->cap - 1);
    }
    k->a[i] = a;
    k->b[i] = b;
    return 1;
}

static int col_str(col *c, const char *s)
{
    size_t len;

    if (!s)
        return col_null(c);
    len = strlen(s);
    if (c->kind == COL_KEY)
        len = utf8_cut(s, len, STORE_KEY_MAX);
    if (len > COL_MAX_BYTES)
        return ERR_LIMIT;
    return col_elem(c, s, (int32_t)len);
}

/* A text key that may not be NULL: absent ids become "". */
static int col_key(col *c, const char *s)
{
    return col_str(c, s ? s : "");
}

static int col_jsonb(col *c, const char *json, size_t len)
{
    unsigned char head[5];
    int rc;

    if (!json)
        return col_null(c);
    if (len + 1 > COL_MAX_BYTES)
        return ERR_LIMIT;
    rc = col_start(c);
    if (rc)
        return rc;
    put_be32(head, (uint32_t)(len + 1));
    head[4] = 1; /* jsonb binary format version */
    rc = buf_append(&c->b, head, 5);
    if (rc == 0)
        rc = buf_append(&c->b, json, len);
    if (rc == 0)
        c->n++;
    return rc;
}

static int col_i8(col *c, int64_t v)
{
    unsigned char be[8];
    uint64_t u = (uint64_t)v;
    int i;

    for (i = 7; i >= 0; i--) {
        be[i] = (unsigned char)(u & 0xff);
        u >>= 8;
    }
    return col_elem(c, be, 8);
}

static int col_i4(col *c, int32_t v)
{
    unsigned char be[4];
    put_be32(be, (uint32_t)v);
    return col_elem(c, be, 4);
}

static int col_f8(col *c, int present, double v)
{
    uint64_t u;
    unsigned char be[8];
    int i;

    if (!present || !isfinite(v))
        return col_null(c);
    memcpy(&u, &v, 8);
    for (i = 7; i >= 0; i--) {
        be[i] = (unsigned char)(u & 0xff);
        u >>= 8;
    }
    return col_elem(c, be, 8);
}

/* Years 1..9999 only: to_timestamp() fails outside its range, and a hostile date must
 * not fail the batch (it is stored as NULL; the compiled release keeps the text). */
#define DATE_MIN (-62135596800LL)
#define DATE_MAX (253402300799LL)

static int col_date(col *c, const model_date *d)
{
    if (!d || !d->present || d->t < DATE_MIN || d->t > DATE_MAX)
        return col_null(c);
    return col_i8(c, d->t);
}

/* Amount value column + currency column. */
static int col_amount(col *cv, col *cc, const model_amount *a)
{
    int rc = col_f8(cv, a->present, a->amount);
    if (rc == 0)
        rc = col_str(cc, a->present && a->currency[0] ? a->currency : NULL);
    return rc;
}

static uint32_t col_oid(col_kind k)
{
    switch (k) {
    case COL_TEXT:
    case COL_KEY: return OID_TEXT;
    case COL_JSONB: return OID_JSONB;
    case COL_INT8: return OID_INT8;
    case COL_INT4: return OID_INT4;
    case COL_FLOAT8: return OID_FLOAT8;
    }
    return OID_TEXT;
}

static Oid col_array_oid(col_kind k)
{
    switch (k) {
    case COL_TEXT:
    case COL_KEY: return OID_TEXT_ARRAY;
    case COL_JSONB: return OID_JSONB_ARRAY;
    case COL_INT8: return OID_INT8_ARRAY;
    case COL_INT4: return OID_INT4_ARRAY;
    case COL_FLOAT8: return OID_FLOAT8_ARRAY;
    }
    return OID_TEXT_ARRAY;
}

/* Writes the array header into the reserved bytes; *p, *len: the binary array value. */
static int col_finish(col *c, const char **p, int *len)
{
    unsigned char *h;

    if (c->n == 0) {
        put_be32(c->empty, 0);
        put_be32(c->empty + 4, 0);
        put_be32(c->empty + 8, col_oid(c->kind));
        *p = (const char *)c->empty;
        *len = 12;
        return 0;
    }
    h = (unsigned char *)c->b.data;
    put_be32(h, 1);
    put_be32(h + 4, c->has_null ? 1 : 0);
    put_be32(h + 8, col_oid(c->kind));
    put_be32(h + 12, c->n);
    put_be32(h + 16, 1);
    *p = c->b.data;
    *len = (int)c->b.len;
    return 0;
}

/* A JSON array of strings, for text[] columns. */
static int col_str_list(col *c, char *const *v, size_t n)
{
    buf_t b;
    size_t i;
    int rc = 0;

    buf_init(&b, COL_MAX_BYTES);
    rc = buf_putc(&b, '[');
    for (i = 0; rc == 0 && i < n; i++) {
        const unsigned char *s = (const unsigned char *)(v[i] ? v[i] : "");
        if (i)
            rc = buf_putc(&b, ',');
        if (rc == 0)
            rc = buf_putc(&b, '"');
        for (; rc == 0 && *s; s++) {
            if (*s == '"' || *s == '\\') {
                rc = buf_putc(&b, '\\');
                if (rc == 0)
                    rc = buf_putc(&b, (char)*s);
            } else if (*s < 0x20) {
                rc = buf_printf(&b, "\\u%04x", *s);
            } else {
                rc = buf_putc(&b, (char)*s);
            }
        }
        if (rc == 0)
            rc = buf_putc(&b, '"');
    }
    if (rc == 0)
        rc = buf_putc(&b, ']');
    if (rc == 0)
        rc = col_jsonb(c, b.data, b.len);
    buf_dispose(&b);
    return rc;
}

/* ---- tables ---- */

static void table_init(table *t, const char *kinds)
{
    int i;

    t->kinds = kinds;
    t->ncols = (int)strlen(kinds);
    t->rows = 0;
    for (i = 0; i < t->ncols; i++)
        col_init(&t->cols[i], (col_kind)kinds[i]);
}

static void table_reset(table *t)
{
    int i;
    for (i = 0; i < t->ncols; i++) {
        buf_reset(&t->cols[i].b);
        t->cols[i].b.len = 0;
        t->cols[i].n = 0;
        t->cols[i].has_null = 0;
    }
    t->rows = 0;
}

static void table_dispose(table *t)
{
    int i;
    for (i = 0; i < t->ncols; i++)
        buf_dispose(&t->cols[i].b);
}

static size_t table_bytes(const table *t)
{
    size_t s = 0;
    int i;
    for (i = 0; i < t->ncols; i++)
        s += t->cols[i].b.len;
    return s;
}

/* Ends a row: every column must have received one value. */
static int table_row_end(table *t)
{
    int i;
    t->rows++;
    for (i = 0; i < t->ncols; i++)
        if (t->cols[i].n != t->rows)
            return ERR_GENERIC;
    return 0;
}

/* Sends one table's INSERT (extra: one more text parameter appended, e.g. file_id). */
static int table_exec(store *st, table *t, const char *name, const char *sql, const char *extra,
                      err_t *e)
{
    const char *values[TABLE_MAX_COLS + 1];
    int lengths[TABLE_MAX_COLS + 1], formats[TABLE_MAX_COLS + 1];
    Oid types[TABLE_MAX_COLS + 1];
    int i, n = t->ncols;

    if (t->rows == 0)
        return 0;
    for (i = 0; i < n; i++) {
        col_finish(&t->cols[i], &values[i], &lengths[i]);
        formats[i] = 1;
        types[i] = col_array_oid(t->cols[i].kind);
    }
    if (extra) {
        values[n] = extra;
        lengths[n] = 0;
        formats[n] = 0;
        types[n] = 0;
        n++;
    }
    return store_exec_prepared(st, name, sql, n, types, values, lengths, formats, e);
}

/* ---- batch ---- */

int store_batch_new(store_batch **out, err_t *e)
{
    store_batch *b = calloc(1, sizeof *b);
    int i;

    *out = NULL;
    if (!b)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (i = 0; i < T_COUNT; i++)
        table_init(&b->t[i], table_kinds[i]);
    *out = b;
    return 0;
}

void store_batch_free(store_batch *b)
{
    int i;
    if (!b)
        return;
    for (i = 0; i < T_COUNT; i++)
        table_dispose(&b->t[i]);
    free(b);
}

void store_batch_reset(store_batch *b)
{
    int i;
    for (i = 0; i < T_COUNT; i++)
        table_reset(&b->t[i]);
}

size_t store_batch_bytes(const store_batch *b)
{
    size_t s = 0;
    int i;
    for (i = 0; i < T_COUNT; i++)
        s += table_bytes(&b->t[i]);
    return s;
}

/* Runs a sequence of adders, stopping at the first failure (rc holds it). */
#define ADD(expr)                                                                             \
    do {                                                                                      \
        if (rc == 0)                                                                          \
            rc = (expr);                                                                      \
    } while (0)

int store_batch_release(store_batch *b, const store_release_row *r)
{
    table *t = &b->t[T_RELEASES];
    col *c = t->cols;
    int rc = 0;

    ADD(col_key(&c[0], r->ocid));
    ADD(col_key(&c[1], r->release_id));
    ADD(col_str(&c[2], r->sha256));
    ADD(col_i4(&c[3], r->version));
    if (r->has_date && r->date >= DATE_MIN && r->date <= DATE_MAX)
        ADD(col_i8(&c[4], r->date));
    else
        ADD(col_null(&c[4]));
    ADD(col_jsonb(&c[5], r->json, r->json_len));
    ADD(col_i8(&c[6], (int64_t)r->offset));
    ADD(col_i8(&c[7], (int64_t)r->line));
    ADD(table_row_end(t));
    return rc;
}

int store_batch_published(store_batch *b, const char *ocid, const char *sha256, int has_date,
                          int64_t date, const char *json, size_t len)
{
    table *t = &b->t[T_PUBLISHED];
    col *c = t->cols;
    int rc = 0;

    ADD(col_key(&c[0], ocid));
    ADD(col_str(&c[1], sha256));
    if (has_date && date >= DATE_MIN && date <= DATE_MAX)
        ADD(col_i8(&c[2], date));
    else
        ADD(col_null(&c[2]));
    ADD(col_jsonb(&c[3], json, len));
    ADD(table_row_end(t));
    return rc;
}

int store_batch_compiled(store_batch *b, const char *ocid, const char *json, size_t len,
                         const char *source, int n_releases, int fresh)
{
    table *t = &b->t[fresh ? T_COMPILED_NEW : T_COMPILED];
    col *c = t->cols;
    int rc = 0;

    ADD(col_key(&c[0], ocid));
    ADD(col_jsonb(&c[1], json, len));
    ADD(col_str(&c[2], source));
    ADD(col_i4(&c[3], n_releases));
    ADD(table_row_end(t));
    return rc;
}

int store_batch_note(store_batch *b, const char *ocid, int64_t file_id, const char *origin,
                     const char *code, const char *field, const char *message)
{
    table *t = &b->t[T_NOTES];
    col *c = t->cols;
    int rc = 0;

    ADD(col_str(&c[0], ocid));
    if (file_id > 0)
        ADD(col_i8(&c[1], file_id));
    else
        ADD(col_null(&c[1]));
    ADD(col_str(&c[2], origin));
    ADD(col_str(&c[3], code ? code : "note"));
    ADD(col_str(&c[4], field));
    ADD(col_str(&c[5], message ? message : ""));
    ADD(table_row_end(t));
    return rc;
}

int store_batch_rejected(store_batch *b, uint64_t position, uint64_t line, uint64_t index,
                         const char *ocid, const char *field, const char *message)
{
    table *t = &b->t[T_REJECTED];
    col *c = t->cols;
    int rc = 0;

    ADD(col_i8(&c[0], (int64_t)position));
    ADD(col_i8(&c[1], (int64_t)line));
    ADD(col_i8(&c[2], (int64_t)index));
    ADD(col_str(&c[3], ocid));
    ADD(col_str(&c[4], field));
    ADD(col_str(&c[5], message ? message : ""));
    ADD(table_row_end(t));
    return rc;
}

static int add_documents(store_batch *b, const char *ocid, const char *scope,
                         const char *parent, const model_document *d, size_t n)
{
    table *t = &b->t[T_DOCUMENTS];
    col *c = t->cols;
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < n; i++) {
        ADD(col_key(&c[0], ocid));
        ADD(col_str(&c[1], scope));
        ADD(col_key(&c[2], parent));
        ADD(col_i4(&c[3], (int32_t)i));
        ADD(col_str(&c[4], d[i].id));
        ADD(col_str(&c[5], d[i].document_type));
        ADD(col_str(&c[6], d[i].title));
        ADD(col_str(&c[7], d[i].url));
        ADD(col_str(&c[8], d[i].format));
        ADD(col_date(&c[9], &d[i].date_published));
        ADD(table_row_end(t));
    }
    return rc;
}

static int add_procurement_row(store_batch *b, const model_procurement *p, int fresh)
{
    table *t = &b->t[fresh ? T_PROCUREMENTS_NEW : T_PROCUREMENTS];
    col *c = t->cols;
    int rc = 0;

    ADD(col_key(&c[0], p->ocid));
    ADD(col_str(&c[1], p->source_format));
    ADD(col_date(&c[2], &p->date));
    ADD(col_str(&c[3], p->language));
    ADD(col_str(&c[4], p->buyer_id));
    ADD(col_str(&c[5], p->buyer_name));
    ADD(col_str(&c[6], p->procuring_entity_id));
    ADD(col_str(&c[7], p->procuring_entity_name));
    ADD(col_str(&c[8], p->tender_id));
    ADD(col_str(&c[9], p->title));
    ADD(col_str(&c[10], p->description));
    ADD(col_str(&c[11], p->tender_status));
    ADD(col_str(&c[12], p->procurement_method));
    ADD(col_str(&c[13], p->procurement_method_raw));
    ADD(col_str(&c[14], p->procurement_method_details));
    ADD(col_str(&c[15], p->main_procurement_category));
    ADD(col_str(&c[16], p->award_criteria));
    ADD(col_amount(&c[17], &c[18], &p->tender_value));
    ADD(col_amount(&c[19], &c[20], &p->planning_budget));
    ADD(col_date(&c[21], &p->date_published));
    ADD(col_date(&c[22], &p->tender_start));
    ADD(col_date(&c[23], &p->tender_end));
    ADD(col_date(&c[24], &p->award_period_start));
    ADD(col_date(&c[25], &p->award_period_end));
    ADD(col_date(&c[26], &p->contract_period_start));
    ADD(col_date(&c[27], &p->contract_period_end));
    ADD(col_f8(&c[28], p->has_duration_days, p->duration_days));
    if (p->has_number_of_tenderers)
        ADD(col_i8(&c[29], (int64_t)p->number_of_tenderers));
    else
        ADD(col_null(&c[29]));
    ADD(col_i4(&c[30], (int32_t)p->n_tenderers));
    ADD(col_i4(&c[31], (int32_t)p->n_parties));
    ADD(col_i4(&c[32], (int32_t)p->n_lots));
    ADD(col_i4(&c[33], (int32_t)p->n_items));
    ADD(col_i4(&c[34], (int32_t)p->n_bids));
    ADD(col_i4(&c[35], (int32_t)p->n_awards));
    ADD(col_i4(&c[36], (int32_t)p->n_contracts));
    ADD(table_row_end(t));
    return rc;
}

static int add_parties(store_batch *b, const model_procurement *p)
{
    table *t = &b->t[T_PARTIES];
    col *c = t->cols;
    keyset ks;
    size_t i;
    int rc = keyset_init(&ks, p->n_parties);

    for (i = 0; rc == 0 && i < p->n_parties; i++) {
        const model_party *x = &p->parties[i];
        if (!keyset_add(&ks, x->id, NULL))
            continue; /* a repeated party id: the first one is kept */
        ADD(col_key(&c[0], p->ocid));
        ADD(col_key(&c[1], x->id));
        ADD(col_str(&c[2], x->name));
        ADD(col_str(&c[3], x->identifier_scheme));
        ADD(col_str(&c[4], x->identifier_id));
        ADD(col_str_list(&c[5], x->roles, x->n_roles));
        ADD(col_str(&c[6], x->country));
        ADD(col_str(&c[7], x->locality));
        ADD(col_str(&c[8], x->contact_name));
        ADD(col_str(&c[9], x->email));
        ADD(col_str(&c[10], x->telephone));
        ADD(table_row_end(t));
    }
    keyset_dispose(&ks);
    return rc;
}

static int add_lots_items_bids(store_batch *b, const model_procurement *p)
{
    size_t i;
    int rc = 0;
    table *t;
    col *c;
    keyset lots, bids;

    memset(&lots, 0, sizeof lots);
    memset(&bids, 0, sizeof bids);
    ADD(keyset_init(&lots, p->n_lots));
    ADD(keyset_init(&bids, p->n_bids));
    t = &b->t[T_LOTS];
    c = t->cols;
    for (i = 0; rc == 0 && i < p->n_lots; i++) {
        const model_lot *x = &p->lots[i];
        if (!keyset_add(&lots, x->id, NULL))
            continue;
        ADD(col_key(&c[0], p->ocid));
        ADD(col_key(&c[1], x->id));
        ADD(col_str(&c[2], x->title));
        ADD(col_str(&c[3], x->description));
        ADD(col_str(&c[4], x->status));
        ADD(col_amount(&c[5], &c[6], &x->value));
        ADD(table_row_end(t));
    }
    t = &b->t[T_ITEMS];
    c = t->cols;
    for (i = 0; rc == 0 && i < p->n_items; i++) {
        const model_item *x = &p->items[i];
        ADD(col_key(&c[0], p->ocid));
        ADD(col_i4(&c[1], (int32_t)i));
        ADD(col_str(&c[2], x->id));
        ADD(col_str(&c[3], x->description));
        ADD(col_str(&c[4], x->classification_scheme));
        ADD(col_str(&c[5], x->classification_id));
        ADD(col_f8(&c[6], x->has_quantity, x->quantity));
        ADD(col_str(&c[7], x->unit_name));
        ADD(col_amount(&c[8], &c[9], &x->unit_value));
        ADD(col_str(&c[10], x->related_lot));
        ADD(col_str(&c[11], x->delivery_location));
        ADD(table_row_end(t));
    }
    t = &b->t[T_BIDS];
    c = t->cols;
    for (i = 0; rc == 0 && i < p->n_bids; i++) {
        const model_bid *x = &p->bids[i];
        if (!keyset_add(&bids, x->id, NULL))
            continue;
        ADD(col_key(&c[0], p->ocid));
        ADD(col_key(&c[1], x->id));
        ADD(col_str(&c[2], x->status));
        ADD(col_str(&c[3], x->status_raw));
        ADD(col_date(&c[4], &x->date));
        ADD(col_amount(&c[5], &c[6], &x->value));
        ADD(col_str_list(&c[7], x->tenderer_ids, x->n_tenderers));
        ADD(col_str_list(&c[8], x->related_lots, x->n_related_lots));
        ADD(table_row_end(t));
    }
    keyset_dispose(&lots);
    keyset_dispose(&bids);
    return rc;
}

static const char *party_name(const model_procurement *p, const char *id)
{
    const model_party *x = model_party_find(p, id);
    return x ? x->name : NULL;
}

static int add_awards(store_batch *b, const model_procurement *p)
{
    table *t = &b->t[T_AWARDS], *ts = &b->t[T_AWARD_SUPPLIERS];
    col *c = t->cols, *cs = ts->cols;
    keyset ks, sup;
    size_t i, j, n_sup = 0;
    int rc;

    for (i = 0; i < p->n_awards; i++)
        n_sup += p->awards[i].n_suppliers;
    memset(&sup, 0, sizeof sup);
    rc = keyset_init(&ks, p->n_awards);
    ADD(keyset_init(&sup, n_sup));
    for (i = 0; rc == 0 && i < p->n_awards; i++) {
        const model_award *x = &p->awards[i];
        /* A repeated award id: the first award is kept, with its suppliers and documents
         * (the compiled release keeps them all). */
        if (!keyset_add(&ks, x->id, NULL))
            continue;
        ADD(col_key(&c[0], p->ocid));
        ADD(col_key(&c[1], x->id));
        ADD(col_str(&c[2], x->title));
        ADD(col_str(&c[3], x->status));
        ADD(col_date(&c[4], &x->date));
        ADD(col_amount(&c[5], &c[6], &x->value));
        ADD(col_str_list(&c[7], x->related_lots, x->n_related_lots));
        ADD(col_str_list(&c[8], x->related_bids, x->n_related_bids));
        ADD(table_row_end(t));
        for (j = 0; rc == 0 && j < x->n_suppliers; j++) {
            if (!keyset_add(&sup, x->id, x->supplier_ids[j]))
                continue;
            ADD(col_key(&cs[0], p->ocid));
            ADD(col_key(&cs[1], x->id));
            ADD(col_key(&cs[2], x->supplier_ids[j]));
            ADD(col_str(&cs[3], party_name(p, x->supplier_ids[j])));
            ADD(table_row_end(ts));
        }
        if (rc == 0 && x->n_documents)
            rc = add_documents(b, p->ocid, "award", x->id ? x->id : "", x->documents,
                               x->n_documents);
    }
    keyset_dispose(&ks);
    keyset_dispose(&sup);
    return rc;
}

static int add_contracts(store_batch *b, const model_procurement *p)
{
    table *t = &b->t[T_CONTRACTS], *ta = &b->t[T_AMENDMENTS], *tt = &b->t[T_TRANSACTIONS];
    col *c = t->cols, *ca = ta->cols, *ct = tt->cols;
    keyset ks;
    size_t i, j;
    int rc = keyset_init(&ks, p->n_contracts);

    for (i = 0; rc == 0 && i < p->n_contracts; i++) {
        const model_contract *x = &p->contracts[i];
        if (!keyset_add(&ks, x->id, NULL))
            continue; /* a repeated contract id: the first one is kept */
        ADD(col_key(&c[0], p->ocid));
        ADD(col_key(&c[1], x->id));
        ADD(col_str(&c[2], x->award_id));
        ADD(col_str(&c[3], x->title));
        ADD(col_str(&c[4], x->status));
        ADD(col_amount(&c[5], &c[6], &x->value));
        ADD(col_amount(&c[7], &c[8], &x->original_value));
        ADD(col_date(&c[9], &x->date_signed));
        ADD(col_date(&c[10], &x->period_start));
        ADD(col_date(&c[11], &x->period_end));
        ADD(table_row_end(t));
        for (j = 0; rc == 0 && j < x->n_amendments; j++) {
            const model_amendment *a = &x->amendments[j];
            ADD(col_key(&ca[0], p->ocid));
            ADD(col_key(&ca[1], x->id));
            ADD(col_i4(&ca[2], (int32_t)j));
            ADD(col_str(&ca[3], a->id));
            ADD(col_date(&ca[4], &a->date));
            ADD(col_str(&ca[5], a->rationale));
            ADD(col_str(&ca[6], a->description));
            if (a->has_amended_value)
                ADD(col_amount(&ca[7], &ca[8], &a->amended_value));
            else {
                ADD(col_null(&ca[7]));
                ADD(col_null(&ca[8]));
            }
            ADD(table_row_end(ta));
        }
        for (j = 0; rc == 0 && j < x->n_transactions; j++) {
            const model_transaction *a = &x->transactions[j];
            ADD(col_key(&ct[0], p->ocid));
            ADD(col_key(&ct[1], x->id));
            ADD(col_i4(&ct[2], (int32_t)j));
            ADD(col_str(&ct[3], a->id));
            ADD(col_date(&ct[4], &a->date));
            ADD(col_amount(&ct[5], &ct[6], &a->value));
            ADD(col_str(&ct[7], a->payer_id));
            ADD(col_str(&ct[8], a->payee_id));
            ADD(table_row_end(tt));
        }
        if (rc == 0 && x->n_documents)
            rc = add_documents(b, p->ocid, "contract", x->id ? x->id : "", x->documents,
                               x->n_documents);
    }
    keyset_dispose(&ks);
    return rc;
}

int store_batch_procurement(store_batch *b, const model_procurement *p, int fresh)
{
    int rc = 0;

    if (!p || !p->ocid)
        return ERR_GENERIC;
    if (!fresh) {
        table *t = &b->t[T_DELETE];
        ADD(col_key(&t->cols[0], p->ocid));
        ADD(table_row_end(t));
    }
    ADD(add_procurement_row(b, p, fresh));
    ADD(add_parties(b, p));
    ADD(add_lots_items_bids(b, p));
    ADD(add_awards(b, p));
    ADD(add_contracts(b, p));
    if (rc == 0 && p->n_documents)
        rc = add_documents(b, p->ocid, "tender", "", p->documents, p->n_documents);
    return rc;
}

int store_batch_flush(store *st, store_batch *b, int64_t file_id, err_t *e)
{
    char fid[24];
    int rc = 0;

    snprintf(fid, sizeof fid, "%lld", (long long)file_id);
    /* Order matters: the deletes run before the inserts of the same ocids. */
    ADD(table_exec(st, &b->t[T_RELEASES], "releases", SQL_RELEASES, fid, e));
    ADD(table_exec(st, &b->t[T_PUBLISHED], "published", SQL_PUBLISHED, fid, e));
    ADD(table_exec(st, &b->t[T_COMPILED_NEW], "compiled_new", SQL_COMPILED_NEW, NULL, e));
    ADD(table_exec(st, &b->t[T_COMPILED], "compiled", SQL_COMPILED, NULL, e));
    ADD(table_exec(st, &b->t[T_DELETE], "delete", SQL_DELETE, NULL, e));
    ADD(table_exec(st, &b->t[T_PROCUREMENTS_NEW], "procurements_new", SQL_PROCUREMENTS_NEW, NULL, e));
    ADD(table_exec(st, &b->t[T_PROCUREMENTS], "procurements", SQL_PROCUREMENTS, NULL, e));
    ADD(table_exec(st, &b->t[T_PARTIES], "parties", SQL_PARTIES, NULL, e));
    ADD(table_exec(st, &b->t[T_LOTS], "lots", SQL_LOTS, NULL, e));
    ADD(table_exec(st, &b->t[T_ITEMS], "items", SQL_ITEMS, NULL, e));
    ADD(table_exec(st, &b->t[T_BIDS], "bids", SQL_BIDS, NULL, e));
    ADD(table_exec(st, &b->t[T_AWARDS], "awards", SQL_AWARDS, NULL, e));
    ADD(table_exec(st, &b->t[T_AWARD_SUPPLIERS], "award_suppliers", SQL_AWARD_SUPPLIERS, NULL, e));
    ADD(table_exec(st, &b->t[T_CONTRACTS], "contracts", SQL_CONTRACTS, NULL, e));
    ADD(table_exec(st, &b->t[T_AMENDMENTS], "amendments", SQL_AMENDMENTS, NULL, e));
    ADD(table_exec(st, &b->t[T_DOCUMENTS], "documents", SQL_DOCUMENTS, NULL, e));
    ADD(table_exec(st, &b->t[T_TRANSACTIONS], "transactions", SQL_TRANSACTIONS, NULL, e));
    ADD(table_exec(st, &b->t[T_NOTES], "notes", SQL_NOTES, NULL, e));
    ADD(table_exec(st, &b->t[T_REJECTED], "rejected", SQL_REJECTED, fid, e));
    store_batch_reset(b);
    return rc;
}

/* ---- ingested_files ---- */

int store_file_find(store *st, const char *sha256, store_file_info *out, err_t *e)
{
    PGresult *res = NULL;
    const char *params[1] = {sha256};
    int rc;

    memset(out, 0, sizeof *out);
    rc = store_exec(st, &res, PGRES_TUPLES_OK,
                    "SELECT id, status, format, name, coalesce(error, '') AS error\n"
                    "FROM ingested_files WHERE sha256 = $1",
                    1, params, e);
    if (rc)
        return rc;
    if (PQntuples(res) == 1) {
        out->found = 1;
        out->id = strtoll(PQgetvalue(res, 0, PQfnumber(res, "id")), NULL, 10);
        snprintf(out->status, sizeof out->status, "%s", PQgetvalue(res, 0, PQfnumber(res, "status")));
        snprintf(out->format, sizeof out->format, "%s", PQgetvalue(res, 0, PQfnumber(res, "format")));
        snprintf(out->name, sizeof out->name, "%s", PQgetvalue(res, 0, PQfnumber(res, "name")));
        snprintf(out->error, sizeof out->error, "%s", PQgetvalue(res, 0, PQfnumber(res, "error")));
    }
    PQclear(res);
    return 0;
}

int store_file_begin(store *st, const char *name, uint64_t size, const char *sha256,
                     const char *format, int64_t *id, err_t *e)
{
    PGresult *res = NULL;
    char sz[24];
    const char *params[4];
    int rc;

    snprintf(sz, sizeof sz, "%llu", (unsigned long long)size);
    params[0] = name;
    params[1] = sz;
    params[2] = sha256;
    params[3] = format;
    rc = store_exec(st, &res, PGRES_TUPLES_OK,
                    "INSERT INTO ingested_files (name, size, sha256, format, status)\n"
                    "VALUES ($1, $2, $3, $4, 'ingested')\n"
                    "ON CONFLICT (sha256) DO UPDATE SET status = 'ingested', error = NULL,\n"
                    "  format = EXCLUDED.format, received_at = now()\n"
                    "RETURNING id",
                    4, params, e);
    if (rc)
        return rc;
    *id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

int store_file_finish(store *st, int64_t id, const char *status, const char *format,
                      const char *shape, const char *stats_json, const char *error, err_t *e)
{
    char sid[24];
    const char *params[6];

    snprintf(sid, sizeof sid, "%lld", (long long)id);
    params[0] = sid;
    params[1] = status;
    params[2] = format;
    params[3] = shape;
    params[4] = stats_json ? stats_json : "{}";
    params[5] = error;
    return store_exec(st, NULL, PGRES_COMMAND_OK,
                      "UPDATE ingested_files SET status = $2, format = $3, shape = $4,\n"
                      "  stats = $5::jsonb, error = $6 WHERE id = $1",
                      6, params, e);
}

int store_file_reject(store *st, const char *name, uint64_t size, const char *sha256,
                      const char *format, const char *error, err_t *e)
{
    char sz[24];
    const char *params[5];

    snprintf(sz, sizeof sz, "%llu", (unsigned long long)size);
    params[0] = name;
    params[1] = sz;
    params[2] = sha256;
    params[3] = format;
    params[4] = error;
    return store_exec(st, NULL, PGRES_COMMAND_OK,
                      "INSERT INTO ingested_files (name, size, sha256, format, status, error)\n"
                      "VALUES ($1, $2, $3, $4, 'rejected', $5)\n"
                      "ON CONFLICT (sha256) DO UPDATE SET status = 'rejected',\n"
                      "  error = EXCLUDED.error, format = EXCLUDED.format",
                      5, params, e);
}

/* ---- reading releases back ---- */

/* The ocids as one binary text[] parameter. */
static int ocid_param(const char *const *ocids, size_t n, col *c, const char **p, int *len)
{
    size_t i;
    int rc = 0;

    col_init(c, COL_KEY);
    for (i = 0; rc == 0 && i < n; i++)
        rc = col_key(c, ocids[i]);
    if (rc == 0)
        col_finish(c, p, len);
    return rc;
}

int store_releases_known(store *st, const char *const *ocids, size_t n, store_known_cb cb,
                         void *ctx, err_t *e)
{
    PGresult *res = NULL;
    col c;
    const char *values[1];
    int lengths[1], formats[1] = {1};
    Oid types[1] = {OID_TEXT_ARRAY};
    int rc, i, rows;

    if (n == 0)
        return 0;
    rc = ocid_param(ocids, n, &c, &values[0], &lengths[0]);
    if (rc) {
        buf_dispose(&c.b);
        return err_set(e, rc, "out of memory");
    }
    rc = store_exec_bin(st, &res, PGRES_TUPLES_OK,
                        "SELECT 'r' AS kind, ocid, release_id, encode(sha256, 'hex'), version\n"
                        "FROM releases\n"
                        "  WHERE ocid = ANY($1::text[])\n"
                        "UNION ALL\n"
                        "SELECT 'c', ocid, NULL, NULL, NULL FROM compiled_releases\n"
                        "  WHERE ocid = ANY($1::text[])\n"
                        "UNION ALL\n"
                        "SELECT 'p', ocid, NULL, encode(sha256, 'hex'), NULL\n"
                        "FROM published_compiled_releases WHERE ocid = ANY($1::text[])",
                        1, types, values, lengths, formats, e);
    buf_dispose(&c.b);
    if (rc)
        return rc;
    rows = PQntuples(res);
    for (i = 0; rc == 0 && i < rows; i++) {
        char kind = PQgetvalue(res, i, 0)[0];
        rc = cb(ctx, kind, PQgetvalue(res, i, 1), PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2),
                PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3),
                PQgetisnull(res, i, 4) ? 0 : (int)strtol(PQgetvalue(res, i, 4), NULL, 10));
        if (rc)
            err_set(e, rc, "store_releases_known: callback failed");
    }
    PQclear(res);
    return rc;
}

/* Runs `sql` (one parameter: the ocids as text[]) and hands each row (three text columns,
 * the third with its length) to cb. `what` names the caller in error messages. Errors as
 * store_published_load. */
static int load_by_ocids(store *st, const char *sql, const char *what, const char *const *ocids, size_t n,
                         store_loaded_cb cb, void *ctx, err_t *e)
{
    PGresult *res = NULL;
    col c;
    const char *values[1];
    int lengths[1], formats[1] = {1};
    Oid types[1] = {OID_TEXT_ARRAY};
    int rc, i, rows;

    if (n == 0)
        return 0;
    rc = ocid_param(ocids, n, &c, &values[0], &lengths[0]);
    if (rc) {
        buf_dispose(&c.b);
        return err_set(e, rc, "out of memory");
    }
    rc = store_exec_bin(st, &res, PGRES_TUPLES_OK, sql, 1, types, values, lengths, formats, e);
    buf_dispose(&c.b);
    if (rc)
        return rc;
    rows = PQntuples(res);
    for (i = 0; rc == 0 && i < rows; i++) {
        rc = cb(ctx, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
                (size_t)PQgetlength(res, i, 2));
        if (rc && e->code == 0)
            err_set(e, rc, "%s: callback failed", what);
    }
    PQclear(res);
    return rc;
}

int store_published_load(store *st, const char *const *ocids, size_t n, store_loaded_cb cb,
                         void *ctx, err_t *e)
{
    /* The latest by date; equal dates: the greatest hash, so the choice is the same
     * whatever the order the files came in. */
    return load_by_ocids(st,
                         "SELECT DISTINCT ON (ocid) ocid, encode(sha256, 'hex'), data::text\n"
                         "FROM published_compiled_releases WHERE ocid = ANY($1::text[])\n"
                         "ORDER BY ocid, date DESC NULLS LAST, sha256 DESC",
                         "store_published_load", ocids, n, cb, ctx, e);
}

int store_releases_load(store *st, const char *const *ocids, size_t n, store_loaded_cb cb,
                        void *ctx, err_t *e)
{
    return load_by_ocids(st,
                         "SELECT DISTINCT ON (ocid, release_id) ocid, release_id, data::text\n"
                         "FROM releases WHERE ocid = ANY($1::text[])\n"
                         "ORDER BY ocid, release_id, version DESC",
                         "store_releases_load", ocids, n, cb, ctx, e);
}
