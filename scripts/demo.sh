#!/usr/bin/env bash
# make demo: the main job on the embedded default (private PostgreSQL under ./var,
# the real sample files shipped in samples/).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
scripts/pg.sh start
trap 'scripts/pg.sh stop' EXIT
eval "$(scripts/pg.sh env)"
build/procaudit migrate
build/procaudit ingest samples/ocds/* || [ $? = 1 ]
# What the database holds now: rows per table (a second `make demo` finds the same
# numbers: the files are recognised by their SHA-256 and change nothing).
echo "demo: rows per table"
/usr/lib/postgresql/15/bin/psql -X -q -A -t -F ' ' -c "
  SELECT rpad(t, 18), n FROM (VALUES
    ('ingested_files', (SELECT count(*) FROM ingested_files)),
    ('releases', (SELECT count(*) FROM releases)),
    ('compiled_releases', (SELECT count(*) FROM compiled_releases)),
    ('procurements', (SELECT count(*) FROM procurements)),
    ('parties', (SELECT count(*) FROM parties)),
    ('lots', (SELECT count(*) FROM lots)),
    ('items', (SELECT count(*) FROM items)),
    ('bids', (SELECT count(*) FROM bids)),
    ('awards', (SELECT count(*) FROM awards)),
    ('contracts', (SELECT count(*) FROM contracts)),
    ('amendments', (SELECT count(*) FROM amendments)),
    ('documents', (SELECT count(*) FROM documents)),
    ('transactions', (SELECT count(*) FROM transactions)),
    ('quality_notes', (SELECT count(*) FROM quality_notes)),
    ('rejected_records', (SELECT count(*) FROM rejected_records))) AS c(t, n)" | sed 's/^/  /'
