#!/usr/bin/env bash
# The records `postseal keygen` prints, pasted as they are into a zone served by a real DNS server (Debian's
# knot), must verify with `postseal keys check` and with OpenDKIM's `opendkim-testkey`: RSA-2048 (two TXT
# strings), RSA-4096 (the split-record case: three strings) and Ed25519 (RFC 8463).
#
# How the pieces are aimed at each other, without touching the host's DNS setup:
#  - knotd runs in the foreground (as a background job of this script) with its own config in a temp dir,
#    listening on 127.0.0.1:<a free port>; only that process is stopped at the end (it/lib/harness.sh, shared
#    with it/run.sh and bench/compare.sh, starts it and keeps its PID).
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
HARNESS_NAME=it/keys/opendkim-testkey.sh
log() { say "== $*"; }
# shellcheck source=it/lib/harness.sh
source "$root/it/lib/harness.sh"

# ---------------------------------------------------------------- a temp world
work=$(mktemp -d /tmp/postseal-testkey.XXXXXX)
remove_work() { rm -rf "$work"; }
harness_on_exit remove_work

# ---------------------------------------------------------------- install (without starting the knot service)
install_packages "$work/apt.log" knot knot opendkim-tools

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
postseal_config "$work/postseal.toml" --state-dir "$work/state" --dns "127.0.0.1:$port" --dns-timeout 2s

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
mkdir -p "$work/knot/zones"
{
  printf '$ORIGIN example.com.\n$TTL 300\n'
  printf '@ IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300\n'
  printf '@ IN NS ns.example.com.\nns IN A 127.0.0.1\n'
  cat "$work/records.zone"
} > "$work/knot/zones/example.com.zone"
knot_start "$work/knot" 127.0.0.1 "$port"
say "== knotd serves example.com on 127.0.0.1:$port (pid ${PIDS[knot]})"

# ---------------------------------------------------------------- opendkim-testkey aimed at that knotd
unbound_forward_conf "$work/unbound.conf" 127.0.0.1 "$port"
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
  sed 's/^/   knotd: /' "$work/knot/knot.log" >&2
  say "opendkim-testkey check: $failures failure(s)" >&2
  exit 1
fi
say "opendkim-testkey check: every printed record verifies"
