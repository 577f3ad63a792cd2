#!/usr/bin/env bash
# The private PostgreSQL 15 cluster of this checkout: data under ./var/pg, Unix socket only
# (listen_addresses=''), so it clashes with no system cluster and no other checkout.
#
#   scripts/pg.sh start     initdb when needed, start, create database "procaudit"
#   scripts/pg.sh stop      fast shutdown
#   scripts/pg.sh status    exit 0 when running
#   scripts/pg.sh env       print the libpq environment (eval "$(scripts/pg.sh env)")
#   scripts/pg.sh createdb NAME   drop and create an empty database NAME
#   scripts/pg.sh destroy   stop, then remove the cluster: ./var/pg, and when ./var/pg is a
#                           link, the /tmp/procaudit-pg-* folder it points to (make distclean)
#
# PostgreSQL refuses to run as root. When run as root, the server runs as the "postgres"
# system user (created by the postgresql-common package); when that user cannot reach
# ./var (a private parent folder such as a mktemp -d clone), the data lives in a folder
# under /tmp named after this checkout and ./var/pg links to it.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VAR="$ROOT/var"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PROCAUDIT_PGPORT:-54329}
DBUSER=procaudit

if [ "${1:-}" = destroy ]; then
    # Before locate(), which would create the folder it is asked to remove.
    if [ -L "$VAR/pg" ] || [ -d "$VAR/pg" ]; then
        "$0" stop
        if [ -L "$VAR/pg" ]; then
            target=$(readlink -f "$VAR/pg" || true)
            case "$target" in
            /tmp/procaudit-pg-*) rm -rf -- "$target" ;;
            *) echo "pg: $VAR/pg points to $target, not a /tmp/procaudit-pg-* folder: left alone" >&2 ;;
            esac
            rm -f -- "$VAR/pg"
        else
            rm -rf -- "$VAR/pg"
        fi
    fi
    exit 0
fi
mkdir -p "$VAR"

as_pg() {
    if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

locate() {
    if [ -L "$VAR/pg" ] || [ -d "$VAR/pg" ]; then
        LOC=$(readlink -f "$VAR/pg")
        return
    fi
    LOC="$VAR/pg"
    local sock="$LOC/run/.s.PGSQL.$PORT"
    if [ "${#sock}" -gt 100 ]; then LOC=""; fi
    if [ -n "$LOC" ] && [ "$(id -u)" = 0 ]; then
        if ! runuser -u postgres -- test -x "$VAR" 2>/dev/null; then LOC=""; fi
    fi
    if [ -z "$LOC" ]; then
        LOC="/tmp/procaudit-pg-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
        mkdir -p "$LOC"
        ln -sfn "$LOC" "$VAR/pg"
    else
        mkdir -p "$LOC"
    fi
}
locate
DATA="$LOC/data"
SOCK="$LOC/run"

print_env() {
    echo "export PGHOST='$SOCK' PGPORT='$PORT' PGUSER='$DBUSER' PGDATABASE='${PGDATABASE:-procaudit}'"
}

running() { as_pg "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

psql_admin() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U "$DBUSER" -d postgres "$@"; }

case "${1:-}" in
start)
    if [ ! -x "$PGBIN/initdb" ]; then echo "pg: $PGBIN/initdb not found (run scripts/deps.sh)" >&2; exit 3; fi
    if [ "$(id -u)" = 0 ]; then chown postgres: "$LOC"; fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        as_pg mkdir -p "$DATA" "$SOCK"
        as_pg "$PGBIN/initdb" -D "$DATA" -U "$DBUSER" -A trust -E UTF8 --no-locale >"$LOC/initdb.log" 2>&1 \
            || { cat "$LOC/initdb.log" >&2; exit 3; }
    fi
    as_pg mkdir -p "$SOCK"
    if ! running; then
        as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOC/server.log" -w -t 60 \
            -o "-c listen_addresses='' -k '$SOCK' -p $PORT -c max_connections=60 -c shared_buffers=128MB" start >/dev/null \
            || { tail -20 "$LOC/server.log" >&2; exit 3; }
    fi
    if ! psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname='procaudit'" | grep -q 1; then
        psql_admin -c "CREATE DATABASE procaudit"
    fi
    ;;
stop)
    if [ -f "$DATA/PG_VERSION" ] && running; then
        as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    fi
    ;;
status) running ;;
env) print_env ;;
createdb)
    name=${2:?database name}
    psql_admin -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" -c "CREATE DATABASE \"$name\""
    ;;
*) echo "usage: $0 start|stop|status|env|createdb NAME|destroy" >&2; exit 2 ;;
esac
