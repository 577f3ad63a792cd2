-- 003_jobs.sql - the work queue of procauditd (SPEC §4, §7; docs/daemon.md "Jobs").
--
-- A job is claimed with SELECT ... FOR UPDATE SKIP LOCKED (backend/store/jobs.c), so
-- several daemons on several machines can share one database without doing a job twice.
-- Inserting a job notifies channel procaudit_jobs (delivered at commit) to wake them.

CREATE TABLE jobs (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('ingest', 'score', 'render')),
    ocid        text,            -- score, render: the procurement
    set_id      text,            -- score: NULL = every criteria set the daemon applies;
                                 -- render: the criteria-set id of the evaluation
    path        text,            -- ingest: the file to ingest
    state       text NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'running', 'done', 'failed')),
    attempts    integer NOT NULL DEFAULT 0,      -- claims so far (a crash counts)
    run_after   timestamptz NOT NULL DEFAULT now(),  -- not claimed before (retry backoff)
    locked_by   text,            -- the daemon's name while running
    locked_pid  integer,         -- pg_backend_pid() of the claiming session: when that
                                 -- session is gone, the job is handed back (jobs.c)
    locked_at   timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    last_error  text,
    result      text,            -- what a done job produced (render: the report path)
    CHECK ((kind = 'ingest') = (path IS NOT NULL)),
    CHECK (kind = 'ingest' OR ocid IS NOT NULL)
);

-- The claim query walks this index.
CREATE INDEX jobs_ready ON jobs (run_after, id) WHERE state = 'pending';
-- One pending job per (kind, payload): enqueueing again is a no-op until it runs.
CREATE UNIQUE INDEX jobs_pending_once
    ON jobs (kind, coalesce(ocid, ''), coalesce(set_id, ''), coalesce(path, ''))
    WHERE state = 'pending';
CREATE INDEX jobs_running ON jobs (locked_pid) WHERE state = 'running';

CREATE FUNCTION jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('procaudit_jobs', '');
    RETURN NULL;
END $$;

CREATE TRIGGER jobs_notify AFTER INSERT ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION jobs_notify();

-- Ingest enqueues the scoring of every procurement it inserts or changes, in the same
-- transaction as the write (so a crash can never leave a stored procurement unscored).
-- A statement trigger with a transition table costs one INSERT per statement.
CREATE FUNCTION jobs_enqueue_score() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO jobs (kind, ocid)
        SELECT DISTINCT 'score', ocid FROM changed_procurements
        ON CONFLICT (kind, coalesce(ocid, ''), coalesce(set_id, ''), coalesce(path, ''))
            WHERE state = 'pending'
        DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER procurements_enqueue_score_ins AFTER INSERT ON procurements
    REFERENCING NEW TABLE AS changed_procurements
    FOR EACH STATEMENT EXECUTE FUNCTION jobs_enqueue_score();
CREATE TRIGGER procurements_enqueue_score_upd AFTER UPDATE ON procurements
    REFERENCING NEW TABLE AS changed_procurements
    FOR EACH STATEMENT EXECUTE FUNCTION jobs_enqueue_score();
