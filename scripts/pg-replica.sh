#!/usr/bin/env bash
# A PostgreSQL primary and one streaming hot standby on loopback, for the scale-out tests and
# benchmark: no systemd, nothing shared with a packaged server (own data, sockets and ports).
#
#   scripts/pg-replica.sh start    # idempotent: returns once the standby streams from the primary
#   scripts/pg-replica.sh stop     # idempotent: stops both and deletes their data
#   scripts/pg-replica.sh status
#
# Primary on PG_PRIMARY_PORT (5441), standby on PG_REPLICA_PORT (5442): user postgres, trust, over TCP.
# SCALE_OUT_DIR moves the data (default: $TMPDIR/checkout-store-scale-out).
set -euo pipefail

BASE_DIR="${SCALE_OUT_DIR:-${TMPDIR:-/tmp}/checkout-store-scale-out}/pg"
PRIMARY_PORT="${PG_PRIMARY_PORT:-5441}"
REPLICA_PORT="${PG_REPLICA_PORT:-5442}"
BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}"

as_postgres() { runuser -u postgres -- "$@"; }
pg() { as_postgres "$BIN/pg_ctl" "$@"; }
query() { # port, sql
  psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -tAXc "$2" 2>/dev/null
}
running() { pg -D "$BASE_DIR/$1" status >/dev/null 2>&1; }

wait_until() { # seconds, description, command...
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq 1 $((seconds * 4))); do
    if "$@"; then return 0; fi
    sleep 0.25
  done
  echo "pg-replica: $what not reached within ${seconds}s" >&2
  return 1
}

streaming() {
  [[ "$(query "$PRIMARY_PORT" "select count(*) from pg_stat_replication where state = 'streaming'")" == 1 ]] &&
    [[ "$(query "$REPLICA_PORT" 'select pg_is_in_recovery()')" == t ]]
}

port_free() { ! ss -ltn | grep -q ":$1 "; }

start_server() { # name, port
  pg -D "$BASE_DIR/$1" -l "$BASE_DIR/$1.log" -w -t 60 \
    -o "-p $2 -k $BASE_DIR -c listen_addresses=127.0.0.1" start >/dev/null
}

start() {
  if running primary && running replica && streaming; then
    echo "pg-replica: already running (primary $PRIMARY_PORT, standby $REPLICA_PORT)"
    return 0
  fi
  mkdir -p "$BASE_DIR"
  chown postgres:postgres "$BASE_DIR"
  if ! running primary; then
    port_free "$PRIMARY_PORT" || { echo "pg-replica: port $PRIMARY_PORT is taken" >&2; exit 1; }
    if [[ ! -f "$BASE_DIR/primary/PG_VERSION" ]]; then
      as_postgres "$BIN/initdb" -D "$BASE_DIR/primary" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$BASE_DIR/initdb.log"
      cat >>"$BASE_DIR/primary/postgresql.conf" <<CONF
wal_level = replica
max_wal_senders = 4
hot_standby = on
shared_buffers = 32MB
fsync = off
full_page_writes = off
CONF
      cat >"$BASE_DIR/primary/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
HBA
    fi
    start_server primary "$PRIMARY_PORT"
  fi
  if ! running replica; then
    port_free "$REPLICA_PORT" || { echo "pg-replica: port $REPLICA_PORT is taken" >&2; exit 1; }
    rm -rf "$BASE_DIR/replica"
    # -R writes standby.signal and primary_conninfo: a streaming hot standby of the primary.
    as_postgres pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$BASE_DIR/replica" -R -X stream
    start_server replica "$REPLICA_PORT"
  fi
  wait_until 60 "streaming replication" streaming
  echo "pg-replica: primary on $PRIMARY_PORT, standby streaming on $REPLICA_PORT"
}

stop() {
  for name in replica primary; do
    if running "$name"; then pg -D "$BASE_DIR/$name" -m fast -w stop >/dev/null; fi
  done
  rm -rf "$BASE_DIR"
  echo "pg-replica: stopped"
}

status() {
  for name in primary replica; do
    if running "$name"; then echo "$name up"; else echo "$name down"; fi
  done
  if streaming; then echo "streaming"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
