#!/usr/bin/env bash
# What `make bench` needs besides redist: /usr/bin/time (GNU, for -v),
# xmllint (libxml2-utils), a PostgreSQL server for the PostgreSQL case
# (scripts/pg-test-server.sh starts one on a loopback port), and pandas, lxml
# and DuckDB for the reference scripts. Installs whatever is missing.
set -euo pipefail
missing=""
[ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1 || missing="$missing time"
command -v xmllint >/dev/null 2>&1 || missing="$missing libxml2-utils"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "make bench needs these Debian packages:$missing (sudo apt-get install$missing)"; exit 1
  fi
fi
python3 -c 'import pandas, lxml, duckdb' 2>/dev/null || python3 -m pip install -q pandas lxml duckdb
