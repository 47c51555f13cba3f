#!/usr/bin/env bash
# The clients that ended `postseal serve` with OutOfMemoryError in issue 11, against a `postseal serve` with the
# launcher's memory settings (serial GC, -Xmx128m, exit on OutOfMemoryError), each client against a fresh
# process: what it got, the RSS after it and the peak, and whether the process was still there.
#
#   bench/hostile.sh                 the serve of this checkout
#   SOURCE=/path/to/checkout bench/hostile.sh     the serve of another checkout (e.g. an older commit, for
#                                                 before/after numbers); the clients are always this checkout's
#   WHICH="2 3" bench/hostile.sh     some of the clients: 1 non-reading one-byte body chunks, 2 header fields
#                                    of 1,000,000 bytes, 3 sixteen sessions of 100 header fields of 100,000 bytes
#
# The clients are milter-core's test class HostileClients (ServeProcessTest runs the same in `mvn verify`, all
# three against one process). Loopback only, port 18991; it stops the serve processes it started, nothing else.
# Not part of `mvn verify`: it builds both checkouts offline and takes about a minute.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SOURCE=${SOURCE:-$ROOT}
WHICH=${WHICH:-"1 2 3"}
PORT=${PORT:-18991}
WORK=$(mktemp -d)
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
    kill "$serve_pid"
    wait "$serve_pid" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "building the clients ($ROOT) and the milter ($SOURCE) ..." >&2
(cd "$ROOT" && mvn -B -o -q -pl milter-core -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test >&2)
if [ "$SOURCE" != "$ROOT" ]; then
  (cd "$SOURCE" && mvn -B -o -q -pl milter-core -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/run.classpath -Dmdep.includeScope=runtime >&2)
  SERVE_CP="$SOURCE/milter-core/target/classes:$(cat "$SOURCE/milter-core/target/run.classpath")"
else
  SERVE_CP="$ROOT/milter-core/target/classes:$(cat "$ROOT/milter-core/target/test.classpath")"
fi
CLIENT_CP="$ROOT/milter-core/target/test-classes:$ROOT/milter-core/target/classes:$(cat "$ROOT/milter-core/target/test.classpath")"

cat > "$WORK/postseal.toml" <<EOF
listen = "inet:127.0.0.1:$PORT"
state-dir = "$WORK/state"
authserv-id = "mx.test"
[dns]
servers = ["127.0.0.1:9"]
timeout = "200ms"
EOF

for client in $WHICH; do
  # the launcher's options for serve (packaging/src/main/app/bin/postseal)
  java -XX:+UseSerialGC -Xms32m -Xmx128m -XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8 -Duser.language=en \
    -Duser.country=US -Dlogback.configurationFile=logback.xml -cp "$SERVE_CP" org.postseal.cli.Main serve --config "$WORK/postseal.toml" > "$WORK/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 600); do
    if grep -q "postseal: listening" "$WORK/serve.log"; then
      break
    fi
    sleep 0.1
  done
  if ! grep -q "postseal: listening" "$WORK/serve.log"; then
    echo "serve did not start within 60 s:" >&2
    tail -5 "$WORK/serve.log" >&2
    exit 1
  fi
  java -cp "$CLIENT_CP" org.postseal.milter.HostileClients "127.0.0.1:$PORT" "$serve_pid" "$client" 2>/dev/null \
    | grep -v "^normal sessions failed" || true
  echo "   serve logged $(grep -c ' WARN ' "$WORK/serve.log" || true) WARN lines, the first ones:"
  grep ' WARN ' "$WORK/serve.log" | cut -c 1-220 | head -3 | sed 's/^/     /' || true
  if kill -0 "$serve_pid" 2>/dev/null; then
    echo "   serve still running"
    kill "$serve_pid"
    wait "$serve_pid" 2>/dev/null || true
  else
    wait "$serve_pid" 2>/dev/null || true
    echo "   serve ended: $(grep -m1 -o 'Terminating due to.*' "$WORK/serve.log" || tail -1 "$WORK/serve.log")"
  fi
  serve_pid=""
done
