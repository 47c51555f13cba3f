#!/usr/bin/env bash
# The report page (issue 16) in a real browser: Debian's headless Chromium loads the page from a running
# `postseal serve` and the static copy from `postseal report html` with no network, and the numbers it shows are
# compared with the store's; the hostile sample report must render as text.
#
#   it/web/browser-test.sh        (Debian 12, with the chromium package; .ci/run installs it and runs this after
#                                  `mvn -B verify`; root is not needed)
#
# What it does, in order, everything on loopback, in a fresh /tmp/postseal-web.* directory:
#  1. starts a DNS server and an SMTP sink of its own (it/web/webtest.py services: the sample's SPF, DMARC and PTR
#     records, NXDOMAIN for the rest; the sink refuses one destination for good);
#  2. writes a configuration: example.com our signing domain, [web] listen on a free port, the milter on another,
#     reports sent to the sink;
#  3. imports the sample (it/web/sample/reports: moved in time so that the newest report ends at the last UTC
#     midnight) with `postseal report import`, which must refuse exactly one file: the report about a policy
#     domain that is markup;
#  4. starts `postseal serve`, sends 18 inbound messages through its milter socket (accepted, rejected,
#     quarantined, overridden), and closes and sends the reports with `postseal report send --until now`;
#  5. reads the store's numbers: `report show --received --json`, `report show --json`, `report status --json`
#     (and the override reasons from the SQLite file, which no command prints);
#  6. Chromium (--dump-dom, --screenshot) on http://127.0.0.1:PORT/ and checks the DOM (it/web/webtest.py check)
#     against those numbers, the DOM contract of the page (data-* markers); the response's headers; the screenshot;
#  7. `postseal report html --out DIR`, and Chromium on file://DIR/index.html in a network namespace with no
#     network (unshare -n, when it works here) and every host name unresolvable: the same checks.
# Prints "web: N checks passed, M failed" and exits 1 on any failure, or when Chromium is missing.
#
# Environment: POSTSEAL_BIN (default ./postseal, which builds the app image when it is missing or stale),
# CHROMIUM (default chromium), WEB_EVIDENCE (a directory: the screenshots and DOMs are copied there; default
# /tmp/postseal-web-evidence), IT_KEEP=1 keeps the work directory after a passing run.
set -euo pipefail

WEB_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$(dirname "$WEB_DIR")")
POSTSEAL_BIN=${POSTSEAL_BIN:-$ROOT/postseal}
CHROMIUM=${CHROMIUM:-chromium}
WEB_EVIDENCE=${WEB_EVIDENCE:-/tmp/postseal-web-evidence}
IT_KEEP=${IT_KEEP:-0}
PY=/usr/bin/python3
STARTED_AT=$(date +%s)
SIGNING_DOMAIN=example.com

HARNESS_NAME=it/web/browser-test.sh
log() { printf '== %s\n' "$*"; }
# shellcheck source=it/lib/harness.sh
source "$ROOT/it/lib/harness.sh"

WORK=$(mktemp -d /tmp/postseal-web.XXXXXX)
PASSED=0
FAILED=0
CHROMIUM_EXTRA=()   # more Chromium flags for the next chromium_run

after_exit() { # RC
  if [ "$1" = 0 ] && [ "$IT_KEEP" != 1 ]; then
    rm -rf "$WORK"
  else
    echo "$HARNESS_NAME: logs, DOMs and the store kept in $WORK"
  fi
  echo "$HARNESS_NAME: finished in $(( $(date +%s) - STARTED_AT )) s"
}
harness_on_exit after_exit

# pass NAME, fail NAME DETAIL: one check of the script's own (not webtest.py's), counted.
pass() {
  PASSED=$((PASSED + 1))
  printf '   PASS %s\n' "$1"
}

fail() {
  FAILED=$((FAILED + 1))
  printf '   FAIL %s [%s]\n' "$1" "$2"
}

# tally OUTPUT-FILE: add a webtest.py run's "checks: P passed, F failed" line to the totals.
tally() {
  local p f
  read -r p f < <(sed -n 's/^checks: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$1" | tail -n 1)
  if [ -z "${p:-}" ]; then
    fail "$(basename "$1" .out)" "webtest.py ended without its checks line: $(tail -n 3 "$1" | tr '\n' ' ')"
    return
  fi
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
}

summary() {
  echo "web: $PASSED checks passed, $FAILED failed"
  [ "$FAILED" = 0 ] && [ "$PASSED" -gt 0 ]
}

# die MESSAGE (harness.sh's, and ours): a step before the checks failed; the summary says so too.
die() {
  printf '%s: %s\n' "$HARNESS_NAME" "$*" >&2
  FAILED=$((FAILED + 1))
  summary
  exit 1
}

# ---------------------------------------------------------------------------------------------------
# Chromium: missing is a failure, never a skip (CI installs Debian's chromium)
if ! command -v "$CHROMIUM" >/dev/null; then
  fail "Chromium is installed" "no $CHROMIUM on PATH: apt-get install chromium (Debian 12)"
  summary || exit 1
fi
log "$("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM: no --version")"

# chromium_run OUT-PREFIX URL [WRAPPER...]: --dump-dom into OUT-PREFIX.html and --screenshot into OUT-PREFIX.png,
# each in a fresh profile and within 120 s; WRAPPER (e.g. unshare -n) runs Chromium. Its chatter goes to
# OUT-PREFIX.log.
chromium_run() {
  local out=$1 url=$2
  shift 2
  local flags=(--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
               --no-default-browser-check --disable-extensions --disable-background-networking --disable-sync
               --hide-scrollbars --window-size=1280,2000 --virtual-time-budget=5000)
  rm -rf "$WORK/chrome-profile"
  timeout 120 "$@" "$CHROMIUM" "${flags[@]}" "${CHROMIUM_EXTRA[@]}" --user-data-dir="$WORK/chrome-profile" \
    --dump-dom "$url" > "$out.html" 2>> "$out.log" \
    || { fail "Chromium --dump-dom $url" "exit $?; $(tail -n 3 "$out.log" | tr '\n' ' ')"; return 1; }
  rm -rf "$WORK/chrome-profile"
  timeout 120 "$@" "$CHROMIUM" "${flags[@]}" "${CHROMIUM_EXTRA[@]}" --user-data-dir="$WORK/chrome-profile" \
    --screenshot="$out.png" "$url" >> "$out.log" 2>&1 \
    || { fail "Chromium --screenshot $url" "exit $?; $(tail -n 3 "$out.log" | tr '\n' ' ')"; return 1; }
  [ -s "$out.html" ] \
    || { fail "Chromium --dump-dom $url" "empty DOM; $(tail -n 3 "$out.log" | tr '\n' ' ')"; return 1; }
}

# ---------------------------------------------------------------------------------------------------
# 1. DNS and SMTP
read -r DNS_PORT SMTP_PORT MILTER_PORT WEB_PORT < <($PY "$WEB_DIR/webtest.py" free-ports 4 | paste -sd ' ')
log "work directory $WORK; DNS 127.0.0.1:$DNS_PORT, SMTP sink :$SMTP_PORT, milter :$MILTER_PORT, web :$WEB_PORT"
start_bg services "$WORK/services.log" $PY "$WEB_DIR/webtest.py" services "$DNS_PORT" "$SMTP_PORT" "$WORK/services.log"
wait_port services 127.0.0.1 "$SMTP_PORT" "$WORK/services.log"

# ---------------------------------------------------------------------------------------------------
# 2. configuration
STATE=$WORK/state
mkdir -p "$STATE"
CONFIG=$WORK/postseal.toml
cat > "$CONFIG" <<EOF
# $HARNESS_NAME: the report page on loopback, everything else pointed at this script's own servers
listen = "inet:127.0.0.1:$MILTER_PORT"
authserv-id = "mx.example.com"
state-dir = "$STATE"

[dns]
servers = ["127.0.0.1:$DNS_PORT"]
timeout = "2s"

[signing]
domains = ["$SIGNING_DOMAIN"]
internal-networks = ["127.0.0.1/32"]

[dmarc]
trusted-forwarders = ["192.0.2.150/32"]
never-reject = ["bank.example.net"]

[reports]
enabled = true
from = "dmarc-reports@$SIGNING_DOMAIN"
smtp = "127.0.0.1:$SMTP_PORT"

[web]
listen = "127.0.0.1:$WEB_PORT"
EOF
# the app image must exist before anything is timed (./postseal builds it when needed)
"$POSTSEAL_BIN" --version > "$WORK/version.log" 2>&1 \
  || { tail -n 30 "$WORK/version.log" >&2; die "$POSTSEAL_BIN --version failed"; }
"$POSTSEAL_BIN" config check --config "$CONFIG" > "$WORK/config-check.log" 2>&1 \
  || { cat "$WORK/config-check.log" >&2; die "postseal config check refused $CONFIG"; }

# ---------------------------------------------------------------------------------------------------
# 3. the sample, imported
log "importing the sample reports"
$PY "$WEB_DIR/webtest.py" shift "$WEB_DIR/sample/reports" "$WORK/reports"
# every report is stored but one: the hostile reporter's report about a policy "domain" that is markup is refused
# (exit 1, the file named with its reason); any other outcome ends the test
import_rc=0
"$POSTSEAL_BIN" report import --config "$CONFIG" "$WORK"/reports/*.xml > "$WORK/import.log" 2>&1 || import_rc=$?
sed 's/^/   /' "$WORK/import.log"
if [ "$import_rc" != 1 ] || [ "$(grep -c ': refused: ' "$WORK/import.log")" != 1 ] \
  || ! grep -q 'hostile!hostile-domain.*: refused: .*policy_published/domain is not a domain name' "$WORK/import.log"; then
  die "postseal report import: expected exit 1 with only the markup policy domain's report refused, got exit $import_rc"
fi

# ---------------------------------------------------------------------------------------------------
# 4. serve, inbound mail, our reports
log "starting postseal serve"
start_bg postseal "$WORK/serve.log" "$POSTSEAL_BIN" serve --config "$CONFIG"
wait_port postseal 127.0.0.1 "$MILTER_PORT" "$WORK/serve.log"
wait_port postseal 127.0.0.1 "$WEB_PORT" "$WORK/serve.log"
log "inbound messages through the milter"
$PY "$WEB_DIR/webtest.py" inbound 127.0.0.1 "$MILTER_PORT" || die "the inbound messages did not get their verdicts"
$PY "$WEB_DIR/webtest.py" wait-evaluated "$POSTSEAL_BIN" "$CONFIG" 18 || die "serve did not record the inbound messages"
# a period ends on a whole second and --until now rounds down: let the messages' second pass (it/run.sh does too)
sleep 1.1
"$POSTSEAL_BIN" report send --until now --config "$CONFIG" > "$WORK/report-send.log" 2>&1 \
  || { cat "$WORK/report-send.log" >&2; die "postseal report send failed"; }
sed 's/^/   /' "$WORK/report-send.log"

# ---------------------------------------------------------------------------------------------------
# 5. the store's numbers (the page's window is the last 30 days; so are these)
"$POSTSEAL_BIN" report show --received --json --since 30d --config "$CONFIG" > "$WORK/received.json"
"$POSTSEAL_BIN" report show --json --since 30d --config "$CONFIG" > "$WORK/evaluated.json"
"$POSTSEAL_BIN" report status --json --config "$CONFIG" > "$WORK/status.json"
"$POSTSEAL_BIN" report show --received --since 30d --config "$CONFIG" | sed 's/^/   /'
# the doctor's word on the next policy step, which the page repeats (exit 1 is the doctor's findings: no MX here)
"$POSTSEAL_BIN" doctor "$SIGNING_DOMAIN" --json --config "$CONFIG" > "$WORK/doctor.json" 2> "$WORK/doctor.log" || true
$PY -c 'import json, sys; json.load(open(sys.argv[1]))' "$WORK/doctor.json" \
  || { cat "$WORK/doctor.log" >&2; die "postseal doctor $SIGNING_DOMAIN --json printed no JSON"; }

# ---------------------------------------------------------------------------------------------------
# 6. the page from serve
mkdir -p "$WEB_EVIDENCE"
log "the page from serve: http://127.0.0.1:$WEB_PORT/"
$PY "$WEB_DIR/webtest.py" headers "http://127.0.0.1:$WEB_PORT/" > "$WORK/headers.out" 2>&1 || true
cat "$WORK/headers.out"; tally "$WORK/headers.out"
if chromium_run "$WORK/served" "http://127.0.0.1:$WEB_PORT/"; then
  $PY "$WEB_DIR/webtest.py" check served "$WORK/served.html" "$WORK/received.json" "$WORK/evaluated.json" \
    "$WORK/status.json" "$STATE/postseal.db" "$SIGNING_DOMAIN" "$WORK/doctor.json" > "$WORK/served-check.out" 2>&1 \
    || true
  cat "$WORK/served-check.out"; tally "$WORK/served-check.out"
  $PY "$WEB_DIR/webtest.py" png served "$WORK/served.png" > "$WORK/served-png.out" 2>&1 || true
  cat "$WORK/served-png.out"; tally "$WORK/served-png.out"
  # the checks can fail: the same DOM spoiled one way at a time (unescaped, a number off by one) must fail them
  $PY "$WEB_DIR/webtest.py" selftest served "$WORK/served.html" "$WORK/received.json" "$WORK/evaluated.json" \
    "$WORK/status.json" "$STATE/postseal.db" "$SIGNING_DOMAIN" "$WORK/doctor.json" > "$WORK/selftest.out" 2>&1 \
    || true
  cat "$WORK/selftest.out"; tally "$WORK/selftest.out"
  cp "$WORK/served.png" "$WEB_EVIDENCE/web-screenshot.png"
  cp "$WORK/served.html" "$WEB_EVIDENCE/web-dom.html"
  echo "   screenshot of the served page: $WEB_EVIDENCE/web-screenshot.png"
fi

# the window: ?days=1 shows only the reports whose period ended in the last day (the store's numbers for --since 1d)
log "the page from serve: http://127.0.0.1:$WEB_PORT/?days=1"
"$POSTSEAL_BIN" report show --received --json --since 1d --config "$CONFIG" > "$WORK/received-1d.json"
"$POSTSEAL_BIN" report show --json --since 1d --config "$CONFIG" > "$WORK/evaluated-1d.json"
if chromium_run "$WORK/served-1d" "http://127.0.0.1:$WEB_PORT/?days=1"; then
  $PY "$WEB_DIR/webtest.py" check "served ?days=1" "$WORK/served-1d.html" "$WORK/received-1d.json" \
    "$WORK/evaluated-1d.json" "$WORK/status.json" "$STATE/postseal.db" "$SIGNING_DOMAIN" --days=1 \
    > "$WORK/served-1d-check.out" 2>&1 || true
  cat "$WORK/served-1d-check.out"; tally "$WORK/served-1d-check.out"
fi

# ---------------------------------------------------------------------------------------------------
# 7. the static page, opened with no network (and no serve: it is stopped first)
stop_pid postseal
log "postseal report html --out $WORK/html"
if "$POSTSEAL_BIN" report html --out "$WORK/html" --config "$CONFIG" > "$WORK/report-html.log" 2>&1 \
   && [ -s "$WORK/html/index.html" ]; then
  sed 's/^/   /' "$WORK/report-html.log"
  # no network: a network namespace of its own (only a loopback that is down) where unshare may make one, and
  # every host name unresolvable in any case
  offline=()
  if unshare -n true 2>/dev/null; then
    offline=(unshare -n)
    name="static: no network where Chromium runs (unshare -n: the SMTP sink on 127.0.0.1:$SMTP_PORT is unreachable)"
    if unshare -n $PY -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)' \
         "$SMTP_PORT" 2>/dev/null; then
      fail "$name" "a connection to 127.0.0.1:$SMTP_PORT succeeded inside the namespace"
    else
      pass "$name"
    fi
  else
    echo "   unshare -n is not permitted here: Chromium runs with every host name unresolvable only"
  fi
  CHROMIUM_EXTRA=(--host-resolver-rules="MAP * ~NOTFOUND")
  if chromium_run "$WORK/static" "file://$WORK/html/index.html" "${offline[@]}"; then
    meta_csp=$(grep -c -i "http-equiv=\"content-security-policy\"" "$WORK/html/index.html" || true)
    if [ "$meta_csp" -ge 1 ]; then
      pass "static: index.html carries the Content-Security-Policy in a <meta http-equiv>"
    else
      fail "static: index.html carries the Content-Security-Policy in a <meta http-equiv>" "no such meta element"
    fi
    $PY "$WEB_DIR/webtest.py" check static "$WORK/static.html" "$WORK/received.json" "$WORK/evaluated.json" \
      "$WORK/status.json" "$STATE/postseal.db" "$SIGNING_DOMAIN" "$WORK/doctor.json" > "$WORK/static-check.out" \
      2>&1 || true
    cat "$WORK/static-check.out"; tally "$WORK/static-check.out"
    $PY "$WEB_DIR/webtest.py" png static "$WORK/static.png" > "$WORK/static-png.out" 2>&1 || true
    cat "$WORK/static-png.out"; tally "$WORK/static-png.out"
    cp "$WORK/static.png" "$WEB_EVIDENCE/web-static-screenshot.png"
    echo "   screenshot of the static page: $WEB_EVIDENCE/web-static-screenshot.png"
  fi
  CHROMIUM_EXTRA=()
else
  fail "postseal report html --out DIR writes DIR/index.html" "$(tail -n 3 "$WORK/report-html.log" | tr '\n' ' ')"
fi

summary
