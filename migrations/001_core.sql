-- 001_core.sql - the core schema (SPEC §4): the files received, the releases as received,
-- the compiled release per ocid, the normalised tables scoring and reports query, and
-- data-quality notes and rejected records.
--
-- Applied by `procaudit migrate` in one transaction together with its row in
-- schema_migrations. Never edit this file once applied: add 00N_*.sql instead.
-- docs/storage.md describes every table and the idempotence rules.

-- The migrations applied to this database (written by procaudit migrate).
CREATE TABLE schema_migrations (
    version     integer PRIMARY KEY,           -- NNN of migrations/NNN_name.sql
    name        text NOT NULL,                 -- the file name, e.g. 001_core.sql
    sha256      text NOT NULL,                 -- hex SHA-256 of the file's bytes
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per distinct file content received (identity = SHA-256 of the bytes).
CREATE TABLE ingested_files (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,                 -- the path as given when first received
    size        bigint NOT NULL,               -- bytes
    sha256      text NOT NULL UNIQUE,          -- hex SHA-256 of the whole file
    format      text NOT NULL,                 -- ocds | eforms | native | unknown
    received_at timestamptz NOT NULL DEFAULT now(),
    status      text NOT NULL CHECK (status IN ('ingested', 'rejected')),
    shape       text,                          -- release_package, record_package, jsonl, ...
    stats       jsonb NOT NULL DEFAULT '{}',   -- the ingest_stats of the ingest
    error       text                           -- why the whole file was rejected
);

-- Every release as received (not normalised). The same (ocid, release_id) with other
-- content is kept as a new version; the same content again is never stored twice.
-- The JSON columns use lz4 TOAST compression (PostgreSQL >= 14 built with lz4, as Debian's
-- is): about twice as fast to write as the default pglz, for the same size.
CREATE TABLE releases (
    ocid        text NOT NULL,
    release_id  text NOT NULL,                 -- release.id as text ('#' + hash when absent)
    version     integer NOT NULL DEFAULT 1,    -- 1, then 2, 3... per (ocid, release_id)
    sha256      bytea NOT NULL,                -- SHA-256 of the canonical JSON (32 bytes)
    date        timestamptz,                   -- release.date when it parses
    data        jsonb COMPRESSION lz4 NOT NULL,
    -- No foreign key on file_id here and in quality_notes: the ingest writes the file row
    -- in the same transaction, and a per-row key check would cost a lookup per release.
    file_id     bigint NOT NULL,               -- ingested_files.id
    byte_offset bigint,                        -- of the release's first byte in the file
    line        bigint,                        -- 1-based line of that byte
    PRIMARY KEY (ocid, release_id, sha256)
);

-- Compiled releases as published (a record's compiledRelease, or a versioned release
-- reduced to its current values), as received. Kept apart from compiled_releases so that
-- the choice between the published one and our own merge never depends on the order in
-- which files arrive: our merge wins when releases are held; a published one stands in
-- while none is.
CREATE TABLE published_compiled_releases (
    ocid        text NOT NULL,
    sha256      bytea NOT NULL,                -- SHA-256 of its canonical JSON
    date        timestamptz,                   -- its date when it parses
    data        jsonb COMPRESSION lz4 NOT NULL,
    file_id     bigint NOT NULL,               -- ingested_files.id (no foreign key: see releases)
    PRIMARY KEY (ocid, sha256)
);

-- The current state of each contracting process: merged from all its stored releases
-- (source 'merged') or a record's compiledRelease taken as published ('published').
CREATE TABLE compiled_releases (
    ocid        text PRIMARY KEY,
    data        jsonb COMPRESSION lz4 NOT NULL,
    source      text NOT NULL CHECK (source IN ('merged', 'published')),
    releases    integer NOT NULL,              -- releases merged (0 for 'published')
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per ocid: the fields scoring, listing and reports filter on. Amounts are in
-- *_currency (ISO 4217, upper-case); NULL means absent, never 0.
CREATE TABLE procurements (
    ocid                        text PRIMARY KEY,
    source_format               text,
    date                        timestamptz,
    language                    text,
    buyer_id                    text,
    buyer_name                  text,
    procuring_entity_id         text,
    procuring_entity_name       text,
    tender_id                   text,
    title                       text,
    description                 text,
    status                      text,          -- tender.status
    method                      text,          -- tender.procurementMethod (codelist)
    method_raw                  text,          -- the publisher's value when mapped
    method_details              text,
    category                    text,          -- tender.mainProcurementCategory
    award_criteria              text,
    tender_value                numeric,
    tender_currency             text,
    budget_value                numeric,
    budget_currency             text,
    date_published              timestamptz,
    tender_start                timestamptz,
    tender_end                  timestamptz,
    award_period_start          timestamptz,
    award_period_end            timestamptz,
    contract_period_start       timestamptz,
    contract_period_end         timestamptz,
    duration_days               double precision,
    number_of_tenderers         bigint,        -- tender.numberOfTenderers as published
    tenderers_listed            integer,       -- tender.tenderers[] count
    n_parties                   integer NOT NULL DEFAULT 0,
    n_lots                      integer NOT NULL DEFAULT 0,
    n_items                     integer NOT NULL DEFAULT 0,
    n_bids                      integer NOT NULL DEFAULT 0,
    n_awards                    integer NOT NULL DEFAULT 0,
    n_contracts                 integer NOT NULL DEFAULT 0,
    updated_at                  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX procurements_buyer_id ON procurements (buyer_id);
CREATE INDEX procurements_date ON procurements (date);

-- The normalised tables: rewritten (delete + insert) for an ocid whenever its compiled
-- release changes. Rows whose key repeats within one ocid keep the first occurrence.
CREATE TABLE parties (
    ocid              text NOT NULL,
    id                text NOT NULL,           -- '' when the party had no id
    name              text,
    identifier_scheme text,
    identifier_id     text,
    roles             text[] NOT NULL DEFAULT '{}',
    country           text,
    locality          text,
    contact_name      text,                    -- personal data
    email             text,                    -- personal data
    telephone         text,                    -- personal data
    PRIMARY KEY (ocid, id)
);

CREATE TABLE lots (
    ocid        text NOT NULL,
    id          text NOT NULL,
    title       text,
    description text,
    status      text,
    value       numeric,
    currency    text,
    PRIMARY KEY (ocid, id)
);

CREATE TABLE items (
    ocid                  text NOT NULL,
    seq                   integer NOT NULL,     -- position in tender.items
    id                    text,
    description           text,
    classification_scheme text,
    classification_id     text,
    quantity              double precision,
    unit_name             text,
    unit_value            numeric,
    unit_currency         text,
    related_lot           text,
    delivery_location     text,
    PRIMARY KEY (ocid, seq)
);

CREATE TABLE bids (
    ocid         text NOT NULL,
    id           text NOT NULL,
    status       text,
    status_raw   text,
    date         timestamptz,
    value        numeric,
    currency     text,
    tenderer_ids text[] NOT NULL DEFAULT '{}',
    related_lots text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (ocid, id)
);

CREATE TABLE awards (
    ocid         text NOT NULL,
    id           text NOT NULL,
    title        text,
    status       text,
    date         timestamptz,
    value        numeric,
    currency     text,
    related_lots text[] NOT NULL DEFAULT '{}',
    related_bids text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (ocid, id)
);

CREATE TABLE award_suppliers (
    ocid          text NOT NULL,
    award_id      text NOT NULL,
    supplier_id   text NOT NULL,
    supplier_name text,
    PRIMARY KEY (ocid, award_id, supplier_id)
);
CREATE INDEX award_suppliers_supplier ON award_suppliers (supplier_id);

CREATE TABLE contracts (
    ocid            text NOT NULL,
    id              text NOT NULL,
    award_id        text,
    title           text,
    status          text,
    value           numeric,
    currency        text,
    original_value  numeric,
    original_currency text,
    date_signed     timestamptz,
    period_start    timestamptz,
    period_end      timestamptz,
    PRIMARY KEY (ocid, id)
);

CREATE TABLE amendments (
    ocid             text NOT NULL,
    contract_id      text NOT NULL,
    seq              integer NOT NULL,         -- position in contract.amendments
    id               text,
    date             timestamptz,
    rationale        text,
    description      text,
    amended_value    numeric,
    amended_currency text,
    PRIMARY KEY (ocid, contract_id, seq)
);

CREATE TABLE documents (
    ocid           text NOT NULL,
    scope          text NOT NULL CHECK (scope IN ('tender', 'award', 'contract')),
    parent_id      text NOT NULL,              -- '' for tender, else the award/contract id
    seq            integer NOT NULL,
    id             text,
    document_type  text,
    title          text,
    url            text,
    format         text,
    date_published timestamptz,
    PRIMARY KEY (ocid, scope, parent_id, seq)
);

CREATE TABLE transactions (
    ocid        text NOT NULL,
    contract_id text NOT NULL,
    seq         integer NOT NULL,              -- position in implementation.transactions
    id          text,
    date        timestamptz,
    value       numeric,
    currency    text,
    payer_id    text,
    payee_id    text,
    PRIMARY KEY (ocid, contract_id, seq)
);

-- Data-quality notes. origin 'read': seen while reading a file (kept with the file);
-- origin 'compile': from normalising, merging and mapping an ocid (replaced whenever the
-- ocid is recompiled); origin 'ingest': decisions of the ingest itself (a release that
-- arrived again with other content).
CREATE TABLE quality_notes (
    id          bigserial PRIMARY KEY,
    ocid        text,
    file_id     bigint,                        -- ingested_files.id (no foreign key: see releases)
    origin      text NOT NULL CHECK (origin IN ('read', 'compile', 'ingest')),
    code        text NOT NULL,
    field       text,
    message     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quality_notes_ocid ON quality_notes (ocid);

-- Records that could not be ingested; the rest of their file was.
CREATE TABLE rejected_records (
    id           bigserial PRIMARY KEY,
    file_id      bigint NOT NULL REFERENCES ingested_files (id),
    position     bigint,                       -- byte offset of the record in the file
    line         bigint,                       -- 1-based line of that byte
    record_index bigint,                       -- 0-based ordinal of the record in the file
    ocid         text,
    field        text,
    message      text NOT NULL
);
CREATE INDEX rejected_records_file ON rejected_records (file_id);
