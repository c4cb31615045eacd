#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster for the tests (sourced by
# tests/run.sh when TEST_PG_DSN is not set): initdb as the postgres user in
# /tmp, a free port on 127.0.0.1, fsync off (test data only). Exports
# TEST_PG_DSN, PG_ROOT and PGBIN; pg_test_stop removes it all.
# Recipe and gotchas: ../shared/INFRA.md §2-3.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

pg_test_start() {
  [ -x "$PGBIN/initdb" ] || { echo "pg: $PGBIN/initdb not found (install postgresql-15)" >&2; return 1; }
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres || return 1
  PG_ROOT=$(mktemp -d /tmp/dj-pg.XXXXXX); chmod 755 "$PG_ROOT"
  mkdir -p "$PG_ROOT/data" "$PG_ROOT/sock"; chown -R postgres: "$PG_ROOT"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  runuser -u postgres -- "$PGBIN/initdb" -D "$PG_ROOT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$PG_ROOT/initdb.log" 2>&1 || { cat "$PG_ROOT/initdb.log" >&2; return 1; }
  # Settings in the cluster's own config, so a plain pg_ctl restart (the
  # outage test does one) comes back the same.
  cat >>"$PG_ROOT/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_ROOT/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_ROOT/data" -l "$PG_ROOT/server.log" -w -t 60 start >/dev/null \
    || { cat "$PG_ROOT/server.log" >&2; return 1; }
  "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres dajia_test || return 1
  export PG_ROOT PGBIN PG_TEST_PORT=$port
  export TEST_PG_DSN="host=127.0.0.1 port=$port user=postgres dbname=dajia_test"
}

pg_test_stop() {
  [ -n "${PG_ROOT:-}" ] && [ -d "$PG_ROOT" ] || return 0
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_ROOT/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  rm -rf "$PG_ROOT"
  unset PG_ROOT
}

# A fresh empty database on the running cluster; prints its DSN.
pg_test_newdb() {
  local name="dj_$1_$$_$RANDOM"
  "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_TEST_PORT" -U postgres "$name" || return 1
  echo "host=127.0.0.1 port=$PG_TEST_PORT user=postgres dbname=$name"
}
