# shellcheck shell=bash
# What bench/soak.sh and bench/faults.sh share: this checkout's code compiled once and its classes copied (a build
# meanwhile does not change what runs), knot serving example.com, `postseal serve` with the launcher's JVM options,
# the bench driver, /metrics. Sourced after it/lib/harness.sh, with ROOT and WORK set.

JAVA_COMMON=(-Dfile.encoding=UTF-8 -Duser.language=en -Duser.country=US)
# what bin/postseal gives serve (packaging/src/main/app/bin/postseal)
SERVE_JVM=(-XX:+UseSerialGC -Xms32m -Xmx128m -XX:+ExitOnOutOfMemoryError)

# build_classpath [test]: compile milter-core and its modules offline and set CP to a copy of their classes and
# the dependency jars; with "test", the test classes too (the clients of bench/faults.sh).
build_classpath() {
  local scope=runtime entry n=0
  [ "${1:-}" = test ] && scope=test
  # test-compile even for the runtime class path: dmarc's tests need dkim's test classes, which the reactor only
  # resolves once they are compiled
  log "compiling milter-core and its modules (mvn -o test-compile)"
  (cd "$ROOT" && mvn -B -o -q -pl milter-core -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-$scope.classpath -Dmdep.includeScope=$scope >&2)
  CP=""
  local entries=("$ROOT/milter-core/target/classes")
  [ "$scope" = test ] && entries+=("$ROOT/milter-core/target/test-classes")
  for entry in "${entries[@]}" $(tr ':' ' ' < "$ROOT/milter-core/target/bench-$scope.classpath"); do
    # the reactor lists the modules' test classes even for the runtime scope: not for serve
    if [ "$scope" = runtime ] && [[ $entry == */test-classes ]]; then continue; fi
    if [ -d "$entry" ]; then
      n=$((n + 1))
      cp -r "$entry" "$WORK/classes-$n"
      entry=$WORK/classes-$n
    fi
    CP=${CP:+$CP:}$entry
  done
}

# free_port: a port free for both UDP and TCP on 127.0.0.1
free_port() {
  python3 - <<'PY'
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    p = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", p))
    except OSError:
        u.close(); t.close(); continue
    u.close(); t.close()
    print(p)
    break
PY
}

# example_com_dns STATE_DIR: an RSA-2048 key for example.com (selector soak) in STATE_DIR/keys, and knot on
# 127.0.0.1:DNS_PORT (set here) serving its record, SPF for 203.0.113.0/24 and DMARC p=reject, all with TTL 5 s
# (the resolver keeps asking); and SPF for mail.outside.test, the HELO name of the bench's outside client.
example_com_dns() {
  local state=$1 rsa_p
  install -d -m 700 "$state" "$state/keys" "$state/keys/example.com"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$state/keys/example.com/soak.pem" 2>/dev/null
  chmod 600 "$state/keys/example.com/soak.pem"
  rsa_p=$(openssl pkey -in "$state/keys/example.com/soak.pem" -pubout -outform DER | base64 -w0)
  DNS_PORT=$(free_port)
  [ -n "$DNS_PORT" ] || die "no free port on 127.0.0.1"
  mkdir -p "$WORK/knot/zones"
  cat > "$WORK/knot/zones/example.com.zone" <<ZONE
\$ORIGIN example.com.
\$TTL 5
@ IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 5
@ IN NS ns.example.com.
ns IN A 127.0.0.1
@ IN TXT "v=spf1 ip4:203.0.113.0/24 -all"
_dmarc IN TXT "v=DMARC1; p=reject"
soak._domainkey IN TXT ( $(echo "v=DKIM1; k=rsa; p=$rsa_p" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' ') )
ZONE
  # the HELO name of `postseal bench`'s outside client (RFC 7208 section 2.3: its SPF is checked too)
  cat > "$WORK/knot/zones/outside.test.zone" <<ZONE
\$ORIGIN outside.test.
\$TTL 5
@ IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 5
@ IN NS ns.example.com.
mail IN TXT "v=spf1 ip4:203.0.113.0/24 -all"
ZONE
  log "knot on 127.0.0.1:$DNS_PORT serving example.com"
  knot_start "$WORK/knot" 127.0.0.1 "$DNS_PORT"
}

# serve_config FILE LISTEN STATE_DIR METRICS_PORT [EXTRA_TOML]: signs example.com (127.0.0.1 is internal), verifies
# the rest, DNS from knot, metrics on 127.0.0.1:METRICS_PORT.
serve_config() {
  postseal_config "$1" --listen "$2" --authserv-id soak.postseal.test --state-dir "$3" --dns "127.0.0.1:$DNS_PORT" \
    --dns-timeout 2s --domain example.com --internal 127.0.0.1/32 --algorithms rsa-sha256
  printf '\n[metrics]\nlisten = "127.0.0.1:%s"\n%s' "$4" "${5:-}" >> "$1"
}

# start_serve NAME CONFIG LOG [JVM OPTION...]: `postseal serve` recorded as NAME; returns once it listens.
start_serve() {
  local name=$1 config=$2 logfile=$3
  shift 3
  start_bg "$name" "$logfile" java "${SERVE_JVM[@]}" "$@" "${JAVA_COMMON[@]}" -Dlogback.configurationFile=logback.xml \
    -cp "$CP" org.postseal.cli.Main serve --config "$config"
  for _ in $(seq 1 600); do
    grep -q "postseal: listening" "$logfile" 2>/dev/null && return 0
    kill -0 "${PIDS[$name]}" 2>/dev/null || { tail -n 30 "$logfile" >&2; die "$name exited while starting"; }
    sleep 0.1
  done
  tail -n 30 "$logfile" >&2
  die "$name did not listen within 60 s"
}

# start_bench NAME OUT ARGS...: `postseal bench ARGS` in the background, recorded as NAME, output to OUT.
start_bench() {
  local name=$1 out=$2
  shift 2
  start_bg "$name" "$out" java -Xmx256m "${JAVA_COMMON[@]}" -cp "$CP" org.postseal.cli.Main bench "$@"
}

# metric PORT PATTERN: the sum of the /metrics series that match the regular expression PATTERN (0 when none)
metric() {
  python3 - "$1" "$2" <<'PY'
import re, sys, urllib.request
text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=5).read().decode()
total = 0.0
for line in text.splitlines():
    if not line.startswith("#") and re.match(sys.argv[2], line):
        total += float(line.rsplit(" ", 1)[1])
print(int(total))
PY
}
