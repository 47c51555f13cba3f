#!/usr/bin/env bash
# The fault scenarios of issue 11 that need whole processes and the operating system (the DNS faults, kill -9 and
# the SIGHUP storm are tests in `mvn verify`: DnsFaultScenarioTest, ServeFaultProcessTest). Each runs against a
# fresh `postseal serve` with the launcher's JVM options and prints what it observed; it exits 1 when an expectation
# fails (a failed normal message, a reply later than the deadline, a row neither stored nor counted as dropped).
#
#   bench/faults.sh                      every scenario (about 5 minutes; as root)
#   SCENARIOS="crowd pg" bench/faults.sh some of them:
#     crowd            2,000 idle milter connections (from one address, then spread over four) and 50 slowloris
#                      clients (a message begun, then one byte of a header packet a second), held 20 s while normal
#                      sessions go on (the clients: milter-core's test class CrowdClients)
#     pg               the results database is a PRIVATE PostgreSQL (initdb + pg_ctl in the work directory, its own
#                      port, as the postgres user; the cluster on 5432 is never touched): stopped 12 s into a 45 s
#                      load of mixed mail at 100 msg/s, started again 15 s later
#     sqlite-readonly  the default SQLite database made unwritable (chattr +i on postseal.db and its WAL) at 12 s,
#                      writable again at 27 s
#     sqlite-full      the state directory on a 16 MB tmpfs filled up at 12 s, the filler removed at 27 s
# For the database scenarios the load is `postseal bench --mode mixed` (half signed submissions, half inbound mail
# that is verified and recorded), an interval line every 3 s (messages, latency, errors) with the results rows
# stored and dropped (/metrics); at the end every inbound message must be stored or counted as dropped.
#
# Everything on loopback; it stops (and unmounts, and un-chattrs) only what it started, in its EXIT trap.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
SCENARIOS=${SCENARIOS:-"crowd pg sqlite-readonly sqlite-full"}
LOAD_SECONDS=45
BREAK_AT=12
HEAL_AT=27

HARNESS_NAME=bench/faults.sh
log() { printf '== %s\n' "$*" >&2; }
# shellcheck source=it/lib/harness.sh
source "$ROOT/it/lib/harness.sh"
[ "$(id -u)" = 0 ] || die "run me as root (PostgreSQL as the postgres user, chattr, a tmpfs mount)"

WORK=$(mktemp -d /tmp/postseal-faults.XXXXXX)
chmod 755 "$WORK"   # the private PostgreSQL runs as postgres
PG_DATA=""
PG_BIN=""
MOUNTED=""
IMMUTABLE=()
after_exit() { # RC
  local f
  for f in "${IMMUTABLE[@]}"; do chattr -i "$f" 2>/dev/null; done
  if [ -n "$PG_DATA" ]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1; fi
  if [ -n "$MOUNTED" ]; then umount "$MOUNTED"; fi
  if [ "$1" = 0 ] && [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "bench/faults.sh: logs kept in $WORK" >&2; fi
}
harness_on_exit after_exit
command -v knotd >/dev/null || install_packages "$WORK/apt.log" knot knot

# shellcheck source=bench/serve-env.sh
source "$BENCH_DIR/serve-env.sh"
build_classpath test
FAILED=()
fail() { FAILED+=("$*"); echo "   FAIL: $*"; }

# --- crowd: idle connections and slowloris clients while normal sessions go on --------------------------------------
crowd() { # ADDRESSES
  local port dir=$WORK/crowd-$1 out
  port=$(free_port)
  mkdir -p "$dir"
  printf 'listen = "inet:127.0.0.1:%s"\nstate-dir = "%s"\nauthserv-id = "mx.test"\n[dns]\nservers = ["127.0.0.1:%s"]\ntimeout = "2s"\n' \
    "$port" "$dir/state" "$DNS_PORT" > "$dir/postseal.toml"
  start_serve crowd "$dir/postseal.toml" "$dir/serve.log"
  echo "-- crowd: 2000 idle connections from $1 address(es) and 50 slowloris clients for 20 s (defaults:"\
" max-connections 1000, max-connections-per-client 500, idle-timeout 10 min)"
  out=$(java "${JAVA_COMMON[@]}" -cp "$CP" org.postseal.milter.CrowdClients "127.0.0.1:$port" "${PIDS[crowd]}" 2000 "$1" 50 20 \
    2>/dev/null)
  sed 's/^/   /' <<<"$out"
  echo "   serve logged $(grep -c ' WARN ' "$dir/serve.log" || true) WARN lines (throttled), e.g.:"
  grep ' WARN ' "$dir/serve.log" | cut -c 1-200 | sort -u -k4 | head -3 | sed 's/^/     /' || true
  kill -0 "${PIDS[crowd]}" 2>/dev/null || fail "crowd ($1 addresses): serve is gone"
  grep -Eq '^during: [0-9]+ normal sessions, 0 failed' <<<"$out" \
    || fail "crowd ($1 addresses): normal sessions failed during the crowd"
  grep -Eq '^after: [0-9]+ normal sessions, 0 failed' <<<"$out" \
    || fail "crowd ($1 addresses): normal sessions failed after the crowd left"
  stop_pid crowd
}

# --- a database outage under load --------------------------------------------------------------------------------
# outage NAME STATE_DIR EXTRA_TOML BREAK HEAL: load for LOAD_SECONDS, BREAK (a function) at BREAK_AT s, HEAL at HEAL_AT s
outage() {
  local name=$1 state=$2 extra=$3 break_fn=$4 heal_fn=$5 dir=$WORK/$1 metrics line sampled=0 broke=0 healed=0 t
  mkdir -p "$dir"
  metrics=$(free_port)
  [ -d "$state/keys/example.com" ] || { install -d -m 700 "$state" "$state/keys" "$state/keys/example.com";
    cp -p "$WORK/state/keys/example.com/soak.pem" "$state/keys/example.com/"; }
  serve_config "$dir/postseal.toml" "unix:$dir/postseal.sock" "$state" "$metrics" "$extra"
  start_serve "$name" "$dir/postseal.toml" "$dir/serve.log"
  echo "-- $name: 45 s of mixed mail at 100 msg/s; $break_fn at ${BREAK_AT} s, $heal_fn at ${HEAL_AT} s"
  start_bench "$name-load" "$dir/bench.out" --target "unix:$dir/postseal.sock" --mode mixed --sessions 6 --messages 10 \
    --rate 100 --duration "$LOAD_SECONDS" --report-every 3 --timeout 15
  printf '   %6s %9s %8s %8s %8s %6s %12s %12s\n' t_s messages p50_ms p99_ms max_ms errors rows_stored rows_dropped
  while true; do
    if [ "$(grep -c '^interval:' "$dir/bench.out" || true)" -le "$sampled" ]; then
      kill -0 "${PIDS[$name-load]}" 2>/dev/null || break
      sleep 0.1
      continue
    fi
    sampled=$((sampled + 1))
    line=$(grep '^interval:' "$dir/bench.out" | sed -n "${sampled}p")
    field() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<"$line"; }
    t=$(field t_s)
    printf '   %6s %9s %8s %8s %8s %6s %12s %12s\n' "$t" "$(field messages)" "$(field p50_ms)" "$(field p99_ms)" \
      "$(field max_ms)" "$(field errors)" "$(metric "$metrics" 'postseal_dmarc_results_stored_total')" \
      "$(metric "$metrics" 'postseal_dmarc_results_dropped_total')"
    if [ "$broke" = 0 ] && [ "${t%.*}" -ge $((BREAK_AT - 3)) ]; then
      sleep 3; "$break_fn"; broke=1; echo "   -- $break_fn"
    elif [ "$broke" = 1 ] && [ "$healed" = 0 ] && [ "${t%.*}" -ge $((HEAL_AT - 3)) ]; then
      sleep 3; "$heal_fn"; healed=1; echo "   -- $heal_fn"
    fi
  done
  wait "${PIDS[$name-load]}" || true
  unset "PIDS[$name-load]"
  # the writer retries after a pause that doubles up to 30 s: wait until every inbound message is accounted for
  local inbound stored dropped
  for _ in $(seq 1 90); do
    inbound=$(metric "$metrics" 'postseal_messages_total\{.*direction="inbound"')
    stored=$(metric "$metrics" 'postseal_dmarc_results_stored_total')
    dropped=$(metric "$metrics" 'postseal_dmarc_results_dropped_total')
    [ $((stored + dropped)) -ge "$inbound" ] && break
    sleep 1
  done
  echo "   driver: $(grep '^summary:' "$dir/bench.out"); replies: $(sed -n 's/^replies: //p' "$dir/bench.out")"
  echo "   inbound messages decided $inbound: rows stored $stored, dropped (counted) $dropped"
  echo "   serve logged $(grep -c ' WARN ' "$dir/serve.log" || true) WARN and $(grep -c ' ERROR ' "$dir/serve.log" || true)"\
" ERROR lines:"
  grep -E ' (WARN|ERROR) ' "$dir/serve.log" | cut -c 1-260 | head -4 | sed 's/^/     /' || true
  grep -E 'results database' "$dir/serve.log" | grep -v ' WARN \| ERROR ' | tail -n 1 | cut -c 1-200 | sed 's/^/     /' || true
  grep -q '^summary: .* errors=0 ' "$dir/bench.out" || fail "$name: the driver saw errors"
  [[ $(sed -n 's/^replies: //p' "$dir/bench.out") =~ ^continue:\ [0-9]+$ ]] || fail "$name: replies other than continue"
  [ $((stored + dropped)) = "$inbound" ] || fail "$name: $inbound inbound messages, $stored stored + $dropped dropped"
  [ "$dropped" -gt 0 ] || fail "$name: the outage dropped nothing: was the database really unusable?"
  [ "$healed" = 1 ] || fail "$name: the load ended before the database came back"
  OUTAGE_STORED=$stored
  stop_pid "$name"
}

# --- PostgreSQL: a private instance on its own port ----------------------------------------------------------------
pg_stop() { runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null; }
pg_start() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg/postgres.log" -w \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1" start >/dev/null
}
pg() {
  PG_BIN=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -n 1)/bin
  [ -x "$PG_BIN/initdb" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql"
  PG_PORT=$(free_port)
  install -d -o postgres -m 700 "$WORK/pg"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$WORK/pg/data" -A trust -U postgres >/dev/null
  PG_DATA=$WORK/pg/data
  pg_start
  runuser -u postgres -- "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" postseal
  log "private PostgreSQL on 127.0.0.1:$PG_PORT ($PG_DATA)"
  outage pg "$WORK/pg-state" "$(printf '[database]\nurl = "jdbc:postgresql://127.0.0.1:%s/postseal?user=postgres"\n' "$PG_PORT")" \
    pg_stop pg_start
  local rows
  rows=$(runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -d postseal -Atc "SELECT count(*) FROM evaluated_message")
  echo "   PostgreSQL holds $rows rows (stored counted $OUTAGE_STORED)"
  [ "$rows" = "$OUTAGE_STORED" ] || fail "pg: $rows rows in the database, $OUTAGE_STORED counted as stored"
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  PG_DATA=""
}

# --- SQLite made unwritable: chattr +i on the database and its write-ahead log --------------------------------------
sqlite_lock() {
  local f
  for f in "$WORK/ro-state/postseal.db" "$WORK/ro-state/postseal.db-wal"; do
    [ -e "$f" ] && chattr +i "$f" && IMMUTABLE+=("$f")
  done
}
sqlite_unlock() {
  local f
  for f in "${IMMUTABLE[@]}"; do chattr -i "$f"; done
  IMMUTABLE=()
}
sqlite_readonly() {
  outage sqlite-readonly "$WORK/ro-state" "" sqlite_lock sqlite_unlock
  sqlite_integrity "$WORK/ro-state/postseal.db"
}
sqlite_integrity() {
  local check
  check=$(python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(c.execute("PRAGMA integrity_check").fetchone()[0], c.execute("SELECT count(*) FROM evaluated_message").fetchone()[0])' "$1")
  echo "   SQLite afterwards: integrity_check ${check% *}, ${check#* } rows (stored counted $OUTAGE_STORED)"
  [ "${check% *}" = ok ] || fail "SQLite integrity check: $check"
  [ "${check#* }" = "$OUTAGE_STORED" ] || fail "SQLite holds ${check#* } rows, $OUTAGE_STORED counted as stored"
}

# --- SQLite on a full disk: the state directory on a small tmpfs, filled up -------------------------------------------
disk_fill() { dd if=/dev/zero of="$MOUNTED/filler" bs=64k >/dev/null 2>&1 || true; }
disk_free() { rm -f "$MOUNTED/filler"; }
sqlite_full() {
  mkdir -p "$WORK/full-state"
  mount -t tmpfs -o size=16m,mode=700 tmpfs "$WORK/full-state"
  MOUNTED=$WORK/full-state
  outage sqlite-full "$WORK/full-state" "" disk_fill disk_free
  sqlite_integrity "$WORK/full-state/postseal.db"
  umount "$MOUNTED"
  MOUNTED=""
}

example_com_dns "$WORK/state"
for scenario in $SCENARIOS; do
  case $scenario in
    crowd) crowd 1; crowd 4 ;;
    pg) pg ;;
    sqlite-readonly) sqlite_readonly ;;
    sqlite-full) sqlite_full ;;
    *) die "unknown scenario $scenario" ;;
  esac
done
if [ ${#FAILED[@]} -gt 0 ]; then
  printf 'bench/faults.sh: FAIL %s\n' "${FAILED[@]}" >&2
  exit 1
fi
echo "bench/faults.sh: every expectation held"
