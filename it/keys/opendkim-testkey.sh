#!/usr/bin/env bash
# The records `postseal keygen` prints, pasted as they are into a zone served by a real DNS server (Debian's
# knot), must verify with `postseal keys check` and with OpenDKIM's `opendkim-testkey`: RSA-2048 (two TXT
# strings), RSA-4096 (the split-record case: three strings) and Ed25519 (RFC 8463).
#
# How the pieces are aimed at each other, without touching the host's DNS setup:
#  - knotd runs in the foreground (as a background job of this script) with its own config in a temp dir,
#    listening on 127.0.0.1:<a free port>; only that process is stopped at the end.
#  - postseal reads [dns] servers = ["127.0.0.1:<port>"] from a temp config.
#  - opendkim-testkey cannot take a server address on its command line, and its Nameservers setting takes no
#    port; but Debian builds it with libunbound, whose configuration file it accepts through -x CONF with
#    "ResolverConfiguration FILE". That unbound file forwards every query to 127.0.0.1@<port>, so neither
#    /etc/resolv.conf nor port 53 is used.
#  - opendkim-testkey (OpenDKIM 2.11) cannot test Ed25519 keys: its key check reads RSA keys only (tried here:
#    "EVP_PKEY_get1_RSA() failed ... expecting an rsa key"). That one combination is skipped, and the table says
#    so; postseal still checks the Ed25519 record.
#  - A negative control runs too: opendkim-testkey given the RSA-2048 key against the RSA-4096 record must fail,
#    so a testkey that passes everything would be noticed.
#
# Runs as root (apt-get). Exits non-zero on any failure. Usage: it/keys/opendkim-testkey.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

say() { printf '%s\n' "$*"; }

# ---------------------------------------------------------------- install (without starting the knot service)
if ! command -v knotd >/dev/null || ! command -v opendkim-testkey >/dev/null; then
  say "== installing knot and opendkim-tools (Debian)"
  created_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # invoke-rc.d asks this file whether a package's service may start: 101 = no, so the system knotd
    # stays down and port 53 stays untouched
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=yes
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends knot opendkim-tools >/dev/null
  if [ -n "$created_policy" ]; then
    rm -f /usr/sbin/policy-rc.d
  fi
fi

# ---------------------------------------------------------------- a temp world
work=$(mktemp -d /tmp/postseal-testkey.XXXXXX)
knot_pid=""
cleanup() {
  if [ -n "$knot_pid" ]; then
    kill "$knot_pid" 2>/dev/null || true
    wait "$knot_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# a port free for both UDP and TCP on 127.0.0.1
port=$(python3 - <<'PY'
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
)
[ -n "$port" ] || { say "no free port on 127.0.0.1" >&2; exit 1; }

postseal() { "$root/postseal" "$@" --config "$work/postseal.toml"; }
cat > "$work/postseal.toml" <<TOML
state-dir = "$work/state"
[dns]
servers = ["127.0.0.1:$port"]
timeout = "2s"
TOML

# ---------------------------------------------------------------- keygen, as a newcomer runs it
say "== postseal keygen"
declare -a rows=()          # "domain selector algorithm"
keygen() {
  local domain=$1; shift
  local out
  out=$(postseal keygen "$domain" "$@")
  printf '%s\n' "$out" | sed 's/^/   | /'
  # the record: from its first line "SEL._domainkey.DOMAIN. IN TXT ( ..." to the closing " )" (the same line
  # for a short record)
  printf '%s\n' "$out" | awk '/\._domainkey\..* IN TXT \(/ { on = 1 } on { print } on && / \)$/ { on = 0 }' \
    >> "$work/records.zone"
  local selector
  selector=$(printf '%s\n' "$out" | sed -n 's/^\([^ ]*\)\._domainkey\..* IN TXT (.*/\1/p')
  local algorithm
  algorithm=$(printf '%s\n' "$out" | sed -n 's/^Created \([^ ]*\) key .*/\1/p')
  rows+=("$domain $selector $algorithm")
}
keygen example.com
keygen big.example.com --algorithm rsa-4096
keygen example.com --algorithm ed25519

# ---------------------------------------------------------------- the zone, served by knotd
mkdir -p "$work/knot/run" "$work/knot/db"
{
  printf '$ORIGIN example.com.\n$TTL 300\n'
  printf '@ IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300\n'
  printf '@ IN NS ns.example.com.\nns IN A 127.0.0.1\n'
  cat "$work/records.zone"
} > "$work/knot/example.com.zone"
cat > "$work/knot/knot.conf" <<KNOT
server:
    listen: 127.0.0.1@$port
    rundir: "$work/knot/run"
database:
    storage: "$work/knot/db"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$work/knot"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
  - domain: example.com
    file: example.com.zone
KNOT
knotd -c "$work/knot/knot.conf" 2> "$work/knot/knotd.log" &
knot_pid=$!
for _ in $(seq 1 100); do
  if python3 - "$port" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.settimeout(0.2)
s.connect(("127.0.0.1", int(sys.argv[1]))); s.close()
PY
  then break; fi
  kill -0 "$knot_pid" 2>/dev/null || { say "knotd exited:" >&2; cat "$work/knot/knotd.log" >&2; exit 1; }
  sleep 0.1
done
# listening is not loaded: wait until the zone answers (a query before that gets SERVFAIL)
for _ in $(seq 1 100); do
  if knotc -c "$work/knot/knot.conf" zone-read example.com @ SOA >/dev/null 2>&1; then break; fi
  sleep 0.1
done
knotc -c "$work/knot/knot.conf" zone-read example.com @ SOA >/dev/null \
  || { say "knotd did not load the zone:" >&2; cat "$work/knot/knotd.log" >&2; exit 1; }
say "== knotd serves example.com on 127.0.0.1:$port (pid $knot_pid)"

# ---------------------------------------------------------------- opendkim-testkey aimed at that knotd
cat > "$work/unbound.conf" <<UNBOUND
server:
    do-not-query-localhost: no
    module-config: "iterator"
forward-zone:
    name: "."
    forward-addr: 127.0.0.1@$port
UNBOUND
printf 'ResolverConfiguration %s\n' "$work/unbound.conf" > "$work/opendkim.conf"

# ---------------------------------------------------------------- the checks
failures=0
declare -a table=()
for row in "${rows[@]}"; do
  read -r domain selector algorithm <<< "$row"
  key="$work/state/keys/$domain/$selector.pem"
  strings=$(awk -v name="$selector._domainkey.$domain." '$1 == name { on = 1 } on { print } on && / \)$/ { on = 0 }' \
    "$work/records.zone" | grep -o '"[^"]*"' | wc -l)
  if check_out=$(postseal keys check "$domain" 2>&1) && printf '%s\n' "$check_out" | grep -q "^ok    $selector "; then
    printf '%s\n' "$check_out" | sed 's/^/   | /'
    check=ok
  else
    check=FAIL; failures=$((failures + 1))
    printf '%s\n' "$check_out" | sed 's/^/   postseal: /' >&2
  fi
  if [ "$algorithm" = ed25519 ]; then
    testkey="skipped: opendkim-testkey 2.11 checks RSA keys only"
  elif tk_out=$(opendkim-testkey -x "$work/opendkim.conf" -d "$domain" -s "$selector" -k "$key" -vvv 2>&1) \
      && printf '%s\n' "$tk_out" | grep -q "key OK"; then
    testkey=ok
  else
    testkey=FAIL; failures=$((failures + 1))
    printf '%s\n' "$tk_out" | sed 's/^/   opendkim-testkey: /' >&2
  fi
  table+=("$domain|$selector|$algorithm|$strings|$check|$testkey")
done

# negative control: the RSA-2048 key against the RSA-4096 record must be refused
read -r small_domain small_selector _ <<< "${rows[0]}"
read -r big_domain big_selector _ <<< "${rows[1]}"
if opendkim-testkey -x "$work/opendkim.conf" -d "$big_domain" -s "$big_selector" \
    -k "$work/state/keys/$small_domain/$small_selector.pem" >/dev/null 2>&1; then
  control="FAIL (accepted a key that does not match)"; failures=$((failures + 1))
else
  control="ok (refused)"
fi
table+=("$big_domain|$big_selector|control|-|-|wrong key: $control")

say ""
{
  printf 'DOMAIN|SELECTOR|KEY|TXT STRINGS|postseal keys check|opendkim-testkey\n'
  printf '%s\n' "${table[@]}"
} | column -t -s '|'
say ""
if [ "$failures" -ne 0 ]; then
  say "knotd's log:" >&2
  sed 's/^/   knotd: /' "$work/knot/knotd.log" >&2
  say "opendkim-testkey check: $failures failure(s)" >&2
  exit 1
fi
say "opendkim-testkey check: every printed record verifies"
