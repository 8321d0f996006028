#!/usr/bin/env bash
# A three-node MariaDB Galera cluster on loopback, for the scale-out tests and benchmark: no systemd,
# nothing shared with a packaged server (own data, tmp, sockets and ports), writers on every node.
#
#   scripts/galera.sh start    # idempotent: returns once every node is Synced in a cluster of 3
#   scripts/galera.sh stop     # idempotent: stops the nodes, last joined first, and deletes their data
#   scripts/galera.sh status
#
# Client ports 3311-3313 (root, no password, over TCP). Needs mariadb-server, galera-4 and rsync.
# SCALE_OUT_DIR moves the data (default: $TMPDIR/checkout-store-scale-out).
set -euo pipefail

BASE_DIR="${SCALE_OUT_DIR:-${TMPDIR:-/tmp}/checkout-store-scale-out}/galera"
PROVIDER="${GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}"
NODES=(1 2 3)
client_port() { echo $((3310 + $1)); }
gcomm_port() { echo $((4560 + $1)); }
ist_port() { echo $((4570 + $1)); }
sst_port() { echo $((4580 + $1)); }

node_dir() { echo "$BASE_DIR/node$1"; }
pid_of() { cat "$(node_dir "$1")/mariadbd.pid" 2>/dev/null || true; }
running() { local pid; pid=$(pid_of "$1"); [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }

sql() { # node, statement
  mariadb --protocol=socket --socket="$(node_dir "$1")/mariadbd.sock" -u root -N -B -e "$2" 2>/dev/null
}
status_var() { sql "$1" "show global status like '$2'" | cut -f2; }

synced() { # node: Synced in a primary component of three
  [[ "$(status_var "$1" wsrep_local_state_comment)" == Synced ]] &&
    [[ "$(status_var "$1" wsrep_cluster_size)" == 3 ]] &&
    [[ "$(status_var "$1" wsrep_cluster_status)" == Primary ]]
}

write_config() { # node
  local n=$1 dir
  dir=$(node_dir "$n")
  local peers=""
  for m in "${NODES[@]}"; do peers+="${peers:+,}127.0.0.1:$(gcomm_port "$m")"; done
  cat >"$dir/my.cnf" <<CNF
[mariadbd]
user = mysql
datadir = $dir/data
tmpdir = $dir/tmp
socket = $dir/mariadbd.sock
pid-file = $dir/mariadbd.pid
log-error = $dir/error.log
bind-address = 127.0.0.1
port = $(client_port "$n")
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_bin
# Small and light: three nodes share a small machine. Test data, so no fsync per commit.
innodb_buffer_pool_size = 64M
innodb_log_file_size = 48M
innodb_flush_log_at_trx_commit = 0
performance_schema = OFF
max_connections = 200
# What Galera needs.
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
wsrep_on = ON
wsrep_provider = $PROVIDER
wsrep_cluster_name = checkout-store-scale-out
wsrep_cluster_address = gcomm://$peers
wsrep_node_name = node$n
wsrep_node_address = 127.0.0.1:$(gcomm_port "$n")
wsrep_node_incoming_address = 127.0.0.1:$(client_port "$n")
wsrep_provider_options = "base_port=$(gcomm_port "$n");gmcast.listen_addr=tcp://127.0.0.1:$(gcomm_port "$n");ist.recv_addr=127.0.0.1:$(ist_port "$n");gcache.size=64M"
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:$(sst_port "$n")
wsrep_slave_threads = 2
CNF
}

prepare() { # node: a fresh datadir of its own (its own tmpdir: parallel installs sharing one collide)
  local n=$1 dir
  dir=$(node_dir "$n")
  mkdir -p "$dir/data" "$dir/tmp"
  write_config "$n"
  chown -R mysql:mysql "$dir"
  if [[ ! -d "$dir/data/mysql" ]]; then
    mariadb-install-db --defaults-file="$dir/my.cnf" --user=mysql --skip-test-db \
      --auth-root-authentication-method=socket >"$dir/install.log" 2>&1
  fi
}

wait_until() { # seconds, description, command...
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq 1 $((seconds * 4))); do
    if "$@"; then return 0; fi
    sleep 0.25
  done
  echo "galera: $what not reached within ${seconds}s" >&2
  return 1
}

start_node() { # node, extra mariadbd args...
  local n=$1 dir
  shift
  dir=$(node_dir "$n")
  running "$n" && return 0
  rm -f "$dir/mariadbd.pid"
  # Detached from this shell, so the node outlives it; mariadbd drops to the mysql user itself.
  setsid mariadbd --defaults-file="$dir/my.cnf" "$@" </dev/null >>"$dir/error.log" 2>&1 &
  wait_until 90 "node$n accepting connections" sql "$n" 'select 1' >/dev/null
}

start() {
  if [[ ! -r "$PROVIDER" ]]; then
    echo "galera: $PROVIDER is missing: apt-get install --no-install-recommends galera-4 rsync" >&2
    exit 1
  fi
  if synced 1 && synced 2 && synced 3; then
    echo "galera: already running (ports $(client_port 1)-$(client_port 3))"
    return 0
  fi
  for n in "${NODES[@]}"; do
    if ! running "$n"; then
      if ss -ltn | grep -q ":$(client_port "$n") "; then
        echo "galera: port $(client_port "$n") is taken by another process" >&2
        exit 1
      fi
      prepare "$n"
    fi
  done
  # The first node founds the cluster, if no node of it is up.
  if ! running 1 && ! running 2 && ! running 3; then
    start_node 1 --wsrep-new-cluster
    # Root over TCP from loopback, for the tests; replicated to the joiners by their state transfer.
    sql 1 "create user if not exists 'root'@'127.0.0.1'; grant all on *.* to 'root'@'127.0.0.1' with grant option"
  fi
  # Joiners one at a time: two at once on two cores can fall into a non-primary view.
  for n in "${NODES[@]}"; do
    start_node "$n"
    wait_until 120 "node$n Synced" bash -c "[[ \"\$(mariadb --protocol=socket --socket='$(node_dir "$n")/mariadbd.sock' -u root -N -B -e \"show global status like 'wsrep_local_state_comment'\" 2>/dev/null | cut -f2)\" == Synced ]]"
  done
  for n in "${NODES[@]}"; do wait_until 60 "node$n in a cluster of 3" synced "$n"; done
  echo "galera: 3 nodes Synced on ports $(client_port 1)-$(client_port 3)"
}

stop() {
  for n in 3 2 1; do
    local pid
    pid=$(pid_of "$n")
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      wait_until 60 "node$n stopped" bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$BASE_DIR"
  echo "galera: stopped"
}

status() {
  for n in "${NODES[@]}"; do
    if running "$n"; then
      echo "node$n :$(client_port "$n") $(status_var "$n" wsrep_local_state_comment) size=$(status_var "$n" wsrep_cluster_size)"
    else
      echo "node$n :$(client_port "$n") down"
    fi
  done
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
