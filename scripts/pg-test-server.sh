#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, on a loopback port.
#
#   scripts/pg-test-server.sh start   # initdb a cluster in a temporary folder and start it
#   scripts/pg-test-server.sh stop    # stop it and remove the folder
#   scripts/pg-test-server.sh url     # the URL the tests read from REDIST_TEST_PG_URL
#
# The cluster trusts local connections (it holds test data only and listens
# on 127.0.0.1 alone). PostgreSQL refuses to run as root, so as root the
# cluster belongs to the `postgres` user (created when missing).
# Settings: REDIST_PG_PORT (default 54329), REDIST_PG_DIR (default
# /tmp/redist-pg-test), REDIST_PG_BIN (default: the newest
# /usr/lib/postgresql/*/bin).
set -euo pipefail

PORT="${REDIST_PG_PORT:-54329}"
DIR="${REDIST_PG_DIR:-/tmp/redist-pg-test}"
BIN="${REDIST_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
DB=redist_test

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    # runuser keeps the environment small; the folder and log belong to the owner.
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "${1:-}" in
  start)
    if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
      echo "pg-test-server: no PostgreSQL server found (apt-get install postgresql)" >&2
      exit 1
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
      useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    if [ -f "$DIR/data/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      echo "postgresql://postgres@127.0.0.1:$PORT/$DB"
      exit 0
    fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
    # Durability is not wanted of test data: no fsync, and a socket in the folder.
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
    as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qAt -c "CREATE DATABASE $DB" >/dev/null
    echo "postgresql://postgres@127.0.0.1:$PORT/$DB"
    ;;
  stop)
    if [ -d "$DIR/data" ]; then
      as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
    ;;
  url)
    echo "postgresql://postgres@127.0.0.1:$PORT/$DB"
    ;;
  *)
    echo "usage: $0 start|stop|url" >&2
    exit 2
    ;;
esac
