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
