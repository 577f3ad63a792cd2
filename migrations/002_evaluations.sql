-- 002_evaluations.sql - criteria sets as used, evaluations and their results (SPEC §4, §5.2).
--
-- Evaluations are append-only: re-scoring adds a new evaluation; the latest per
-- (ocid, criteria set id) is the one shown by default. UPDATE is refused by a trigger on
-- evaluations and results (DELETE stays possible for an operator's retention policy).
-- Written by backend/store/evaluations.c (prefix store_eval_); docs/criteria.md §2.
-- Applied by `procaudit migrate` in one transaction (no BEGIN/COMMIT here).

-- The exact criteria-set files evaluations were made with, so a report can always print
-- the set as it was. Identity: the SHA-256 of the file bytes.
CREATE TABLE criteria_sets (
    sha256      text PRIMARY KEY,              -- hex SHA-256 of the file bytes
    id          text NOT NULL,                 -- criteria_set/@id
    version     text NOT NULL,                 -- criteria_set/@version
    title       text,                          -- the title in the set's language
    language    text NOT NULL,                 -- the set's default language
    content     text NOT NULL,                 -- the file itself (UTF-8 XML)
    stored_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX criteria_sets_id_version ON criteria_sets (id, version);

-- One evaluation: all results for one procurement under one criteria-set version.
-- Scores are 0..100 (NULL: not assessed); coverage 0..1 (criteria with a pass/flag
-- result / criteria counted).
CREATE TABLE evaluations (
    id                   bigserial PRIMARY KEY,
    ocid                 text NOT NULL,
    set_id               text NOT NULL,
    version              text NOT NULL,
    sha256               text NOT NULL REFERENCES criteria_sets (sha256),
    language             text NOT NULL,        -- the language of the texts
    created_at           timestamptz NOT NULL,
    overall              double precision CHECK (overall BETWEEN 0 AND 100),
    coverage             double precision NOT NULL CHECK (coverage BETWEEN 0 AND 1),
    band                 text NOT NULL,        -- risk band label, or 'not assessed'
    procedure_score      double precision CHECK (procedure_score BETWEEN 0 AND 100),
    procedure_coverage   double precision NOT NULL CHECK (procedure_coverage BETWEEN 0 AND 1),
    content_score        double precision CHECK (content_score BETWEEN 0 AND 100),
    content_coverage     double precision NOT NULL CHECK (content_coverage BETWEEN 0 AND 1),
    price_score          double precision CHECK (price_score BETWEEN 0 AND 100),
    price_coverage       double precision NOT NULL CHECK (price_coverage BETWEEN 0 AND 1),
    evaluation_score     double precision CHECK (evaluation_score BETWEEN 0 AND 100),
    evaluation_coverage  double precision NOT NULL CHECK (evaluation_coverage BETWEEN 0 AND 1),
    set_title            text,                 -- the set's title in `language`
    criteria             jsonb NOT NULL,       -- the enabled criteria with their texts as
                                               -- used: [{id, indicator, dimension, weight,
                                               -- severity, title, why, check,
                                               -- recommendation, source, parameters}]
    n_results            integer NOT NULL,
    n_flags              integer NOT NULL
);
CREATE INDEX evaluations_latest ON evaluations (ocid, set_id, id DESC);
CREATE INDEX evaluations_set ON evaluations (set_id, sha256);

-- One row per result: what one criterion says about one subject of the procurement.
CREATE TABLE results (
    evaluation_id   bigint NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    ord             integer NOT NULL,          -- position in the evaluation (stable order)
    criterion_id    text NOT NULL,
    indicator       text NOT NULL,
    dimension       text NOT NULL CHECK (dimension IN ('procedure', 'content', 'price', 'evaluation')),
    subject_kind    text NOT NULL,             -- procurement | lot | award | contract | buyer | tenderer
    subject_id      text NOT NULL,
    status          text NOT NULL CHECK (status IN ('pass', 'flag', 'not_applicable', 'insufficient_data')),
    score           double precision CHECK (score BETWEEN 0 AND 100), -- NULL unless pass/flag
    measured        double precision,
    measured_text   text,
    unit            text,
    threshold       double precision,
    threshold_text  text,
    explanation     text,
    fields          text[] NOT NULL DEFAULT '{}',  -- the OCDS paths read
    party_ids       text[] NOT NULL DEFAULT '{}',  -- organisations the result concerns
    stats           jsonb,                     -- population statistics used
    PRIMARY KEY (evaluation_id, ord)
);
CREATE INDEX results_criterion_status ON results (criterion_id, status);

CREATE FUNCTION procaudit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: add a new evaluation instead of updating', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER evaluations_append_only BEFORE UPDATE ON evaluations
    FOR EACH ROW EXECUTE FUNCTION procaudit_append_only();
CREATE TRIGGER results_append_only BEFORE UPDATE ON results
    FOR EACH ROW EXECUTE FUNCTION procaudit_append_only();
