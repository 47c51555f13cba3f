# shellcheck shell=bash
# The through-Postfix part of bench/compare.sh (POSTFIX=1), sourced by it after knot, the floor, Postseal
# and OpenDKIM are up; not run on its own. It uses compare.sh's WORK, POSTSEAL, DNS_IP, ports and log, and
# it/lib/harness.sh (sourced by compare.sh: PIDS, die, start_bg, wait_port, require_free, postfix_*).
#
#   smtp-source -> private Postfix (smtpd_milters = the milter under test) -> smtp-sink
#
# All three are Debian's postfix package. The Postfix instance has its own config, queue and data
# directories under WORK (`postfix -c DIR`; /etc/postfix is never read) and one smtpd listener per
# configuration, identical but for smtpd_milters:
#   none                127.0.0.1:24000  no milter
#   floor               127.0.0.1:24001  bench/trivial_milter.c (:18890; no replies before end of message)
#   floor-reply         127.0.0.1:24007  bench/trivial_milter.c reply-all (:18895; replies to every step): the
#                                        issue's "trivial milter ~180 msg/s"; the faster floor judges the targets
#   opendkim-sign       127.0.0.1:24002  OpenDKIM (signs: the client is in its InternalHosts)
#   postseal-sign       127.0.0.1:24003  Postseal :18891 (signs: the client is in its internal-networks)
#   opendkim+opendmarc  [::1]:24004      OpenDKIM, then OpenDMARC (:18894), verifying mail from outside
#   postseal-verify     [::1]:24005      Postseal :18891, verifying DKIM + SPF + DMARC in one pass
#   none-v6             [::1]:24006      no milter, the verify cases' client and message: their baseline
#   smtp-sink           127.0.0.1:24025  where Postfix relays everything; dumps every message to a file
# Inside vs outside: smtp-source cannot bind a source address (no such option, and no XCLIENT), and a
# client of any 127.x address is 127.0.0.1. So the sign cases connect over IPv4 (client 127.0.0.1, which
# Postseal's internal-networks and OpenDKIM's InternalHosts list) and the verify cases over IPv6 (client
# ::1, outside for all three milters); example.com's SPF record lists ip6:::1 so that SPF passes.
# The same milter processes serve the direct runs; nothing in their configuration is Postfix-specific.
#
# Each round runs every configuration in turn: PF_WARMUP messages (not measured), then PF_MESSAGES
# messages of PF_SIZE bytes in PF_SESSIONS parallel sessions, one message per SMTP connection (smtp-source
# without -d; Postfix opens a milter connection per SMTP connection). Signing sends a plain message, the
# verify cases the same message signed by Postseal (rsa-sha256, d=example.com, s=rsa). With DIRECT=0,
# Postseal's JVM is first warmed up with `postseal bench` (PF_JVM_WARMUP s of signing, then of verifying)
# so that the rounds measure compiled code, as a long-running milter runs, not the JIT at work; with
# DIRECT=1 the direct runs have done that.
# Measured per run:
#   msg/s        messages delivered to smtp-sink / (time the last one arrived - smtp-source start)
#   p50/p99      per message, from the client's SYN to Postfix's 250 after the end of DATA: the whole SMTP
#                transaction as the client sees it, milter connect and every milter step included;
#                read from a tcpdump capture of the listener's port (smtp-source reports no times)
#   added p50    that p50 minus the p50 of `none` (median over the rounds); for the [::1] cases minus that of
#                `none-v6` (same address family and message)
#   end-of-data  p50 from the client's last DATA segment to that 250 (cleanup, the milters' header, body
#                and eom steps, the queue file)
#   CPU ms/msg   the milter processes' utime+stime (/proc/PID/stat) over the run / messages
#   valid        every message delivered and every one carrying the milter's edits in what smtp-sink got:
#                X-Bench-Floor (floor), DKIM-Signature (sign), Authentication-Results with dkim=pass and
#                dmarc=pass (+ spf=pass for Postseal; OpenDMARC's spf= is counted and shown)
# Postfix tuning (the same for every configuration; main.cf below): default_process_limit 200, no
# in_flow_delay, no anvil limits, no DNS or reverse lookups, 20..50 parallel deliveries to the sink with
# connection caching, milter_protocol 6, milter_default_action tempfail (a failing milter shows up as an
# error, not as a fast run without edits). The queue lives under WORK (disk: cleanup fsyncs every queue
# file, as in production).

PF_SIZE=${PF_SIZE:-2048}
PF_SESSIONS=${PF_SESSIONS:-10}
PF_MESSAGES=${PF_MESSAGES:-2000}
PF_WARMUP=${PF_WARMUP:-200}
PF_CONFIGS=${PF_CONFIGS:-"none floor floor-reply opendkim-sign postseal-sign none-v6 opendkim+opendmarc postseal-verify"}
PF_JVM_WARMUP=${PF_JVM_WARMUP:-10}   # seconds per mode, DIRECT=0 only
PF_LATENCY=${PF_LATENCY:-1}          # 0: no tcpdump capture, so no latency figures
PF_BASE_PORT=24000
PF_SINK_PORT=24025
ODM_PORT=18894
FLOOR_REPLY_PORT=18895
PF=$WORK/postfix

pf_listener() { # CONFIG: HOST:PORT of its smtpd
  case $1 in
    none) echo "127.0.0.1:$PF_BASE_PORT" ;;
    floor) echo "127.0.0.1:$((PF_BASE_PORT + 1))" ;;
    opendkim-sign) echo "127.0.0.1:$((PF_BASE_PORT + 2))" ;;
    postseal-sign) echo "127.0.0.1:$((PF_BASE_PORT + 3))" ;;
    opendkim+opendmarc) echo "[::1]:$((PF_BASE_PORT + 4))" ;;
    postseal-verify) echo "[::1]:$((PF_BASE_PORT + 5))" ;;
    none-v6) echo "[::1]:$((PF_BASE_PORT + 6))" ;;
    floor-reply) echo "127.0.0.1:$((PF_BASE_PORT + 7))" ;;
    *) die "unknown Postfix configuration $1" ;;
  esac
}
pf_milters() { # CONFIG: its smtpd_milters
  case $1 in
    none|none-v6) echo "" ;;
    floor) echo "inet:127.0.0.1:$FLOOR_PORT" ;;
    floor-reply) echo "inet:127.0.0.1:$FLOOR_REPLY_PORT" ;;
    opendkim-sign) echo "inet:127.0.0.1:$ODK_PORT" ;;
    postseal-sign|postseal-verify) echo "inet:127.0.0.1:$PS_RSA_PORT" ;;
    opendkim+opendmarc) echo "inet:127.0.0.1:$ODK_PORT,inet:127.0.0.1:$ODM_PORT" ;;
  esac
}
pf_pids() { # CONFIG: the milter processes whose CPU counts
  case $1 in
    none|none-v6) echo "" ;;
    floor) echo "${PIDS[floor]}" ;;
    floor-reply) echo "${PIDS[floor-reply]}" ;;
    opendkim-sign) echo "${PIDS[opendkim]}" ;;
    postseal-*) echo "${PIDS[ps-rsa]}" ;;
    opendkim+opendmarc) echo "${PIDS[opendkim]} ${PIDS[opendmarc]}" ;;
  esac
}
cpu_ticks() { # PID...: utime+stime in clock ticks, summed
  local total=0 pid f
  for pid in "$@"; do
    read -ra f < <(sed -E 's/^.*\) //' "/proc/$pid/stat")
    total=$((total + f[11] + f[12]))   # fields 14 and 15 of stat, counted after the ") "
  done
  echo "$total"
}

for c in $PF_CONFIGS; do pf_listener "$c" >/dev/null; done
for p in $((PF_BASE_PORT)) $((PF_BASE_PORT + 1)) $((PF_BASE_PORT + 2)) $((PF_BASE_PORT + 3)) $((PF_BASE_PORT + 7)) \
         $PF_SINK_PORT $ODM_PORT $FLOOR_REPLY_PORT; do
  require_free 127.0.0.1 "$p"
done
for p in $((PF_BASE_PORT + 4)) $((PF_BASE_PORT + 5)) $((PF_BASE_PORT + 6)); do
  require_free "[::1]" "$p"
done

if [[ " $PF_CONFIGS " == *" floor-reply "* ]]; then
  log "starting the second floor (replies to every step) on :$FLOOR_REPLY_PORT"
  start_bg floor-reply "$WORK/floor-reply.log" "$WORK/trivial_milter" "inet:$FLOOR_REPLY_PORT@127.0.0.1" reply-all
  wait_port floor-reply 127.0.0.1 "$FLOOR_REPLY_PORT" "$WORK/floor-reply.log"
fi

# --- OpenDMARC: Debian's 1.4, after OpenDKIM in the chain, reading OpenDKIM's Authentication-Results and
# checking SPF itself. It has no resolver setting (libc's res_query and /etc/resolv.conf), so it runs in
# a mount namespace of its own where /etc/resolv.conf names knot; the machine's file is not touched.
if [[ " $PF_CONFIGS " == *" opendkim+opendmarc "* ]]; then
  log "starting OpenDMARC on :$ODM_PORT"
  mkdir -p "$WORK/opendmarc"
  printf 'nameserver %s\noptions timeout:3 attempts:1\n' "$DNS_IP" > "$WORK/opendmarc/resolv.conf"
  echo 127.0.0.1 > "$WORK/opendmarc/ignore.hosts"   # its default, spelled out: ::1 is not ignored
  cat > "$WORK/opendmarc/opendmarc.conf" <<ODM
Socket inet:$ODM_PORT@127.0.0.1
AuthservID bench.postseal.test
TrustedAuthservIDs bench.postseal.test
IgnoreHosts $WORK/opendmarc/ignore.hosts
SPFSelfValidate true
SPFIgnoreResults true
RejectFailures false
FailureReports false
Syslog false
PidFile $WORK/opendmarc/opendmarc.pid
ODM
  # unshare execs sh, sh execs opendmarc: the recorded PID is OpenDMARC's own (for its CPU time)
  start_bg opendmarc "$WORK/opendmarc/opendmarc.log" unshare --mount --propagation private sh -c \
    'mount --bind "$1" /etc/resolv.conf && exec opendmarc -f -c "$2"' sh "$WORK/opendmarc/resolv.conf" \
    "$WORK/opendmarc/opendmarc.conf"
  wait_port opendmarc 127.0.0.1 "$ODM_PORT" "$WORK/opendmarc/opendmarc.log"
fi

# --- the messages: plain for signing, signed by Postseal for verifying -----------------------------------
mkdir -p "$WORK/pf-msg/plain" "$WORK/pf-msg/signed"
python3 "$BENCH_DIR/postfix.py" message "$PF_SIZE" "$WORK/pf-msg/plain/000.eml"
"$POSTSEAL" bench --target "inet:127.0.0.1:$PS_RSA_PORT" --corpus "$WORK/pf-msg/plain" --save "$WORK/pf-msg/signed" \
  >/dev/null
tr -d '\r' < "$WORK/pf-msg/signed/000.eml" > "$WORK/pf-msg/signed.eml"
cp "$WORK/pf-msg/plain/000.eml" "$WORK/pf-msg/plain.eml"
grep -q '^DKIM-Signature:' "$WORK/pf-msg/signed.eml" || die "Postseal did not sign $WORK/pf-msg/plain/000.eml"

# --- smtp-sink and the private Postfix ------------------------------------------------------------------
log "configuring the private Postfix instance in $PF"
mkdir -p "$WORK/sink"
chown postfix "$WORK/sink"
chmod 755 "$WORK"
# Everything goes to smtp-sink; smtp-source sends to rcpt@bench.test from inside and from outside.
postfix_main_cf "$PF" mta.bench.test bench.test "127.0.0.1:$PF_SINK_PORT" loopback-only all <<EOF
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
biff = no
# Throughput: enough smtpd/cleanup/smtp processes, no arrival-rate throttling, no per-client limits,
# parallel and cached connections to the sink.
default_process_limit = 200
in_flow_delay = 0
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_client_recipient_rate_limit = 0
smtpd_client_new_tls_session_rate_limit = 0
initial_destination_concurrency = 20
default_destination_concurrency_limit = 50
smtp_destination_concurrency_limit = 50
smtp_connection_cache_on_demand = yes
# Milters: Postfix 3.x protocol; a milter that fails makes the message fail (tempfail), so errors are
# counted, never hidden. Timeouts are Postfix's defaults, spelled out.
milter_protocol = 6
milter_default_action = tempfail
milter_connect_timeout = 30s
milter_command_timeout = 30s
milter_content_timeout = 300s
smtpd_milters =
non_smtpd_milters =
EOF
# one smtpd listener per configuration, then Postfix's own services
postfix_master_cf "$PF" < <(for c in $PF_CONFIGS; do
  echo "$(pf_listener "$c") inet n - n - - smtpd -o syslog_name=postfix-bench/$c -o smtpd_milters=$(pf_milters "$c")"
done)

log "starting smtp-sink on 127.0.0.1:$PF_SINK_PORT"
SINK_DUMP=$WORK/sink/dump
start_bg sink "$WORK/sink.log" smtp-sink -u postfix -m 1000 -D "$SINK_DUMP" "127.0.0.1:$PF_SINK_PORT" 1000
wait_port sink 127.0.0.1 "$PF_SINK_PORT" "$WORK/sink.log"

log "starting Postfix (postfix -c $PF/etc)"
listeners=()
for c in $PF_CONFIGS; do listeners+=("$(pf_listener "$c")"); done
postfix_start "$PF" "${listeners[@]}"

# --- the runs -------------------------------------------------------------------------------------------
PF_RESULTS=$OUT/postfix-results.tsv
printf 'config\tclient\tround\tmessages\tdelivered\tseconds\trate\tp50_ms\tp99_ms\teod_p50_ms\teod_p99_ms\tlatency_n\tcpu_ms_per_msg\tmachine_cpu_ms_per_msg\terrors\tvalid\tedits\n' \
  > "$PF_RESULTS"
SINK_OFFSET=0
kv() { sed -nE "s/.*(^| )$1=([^ ]+).*/\2/p" <<<"$2"; }
machine_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
# pf_send CONFIG COUNT LOG: smtp-source with the configuration's message, to its listener
pf_send() {
  local c=$1 n=$2 file=$WORK/pf-msg/plain.eml family=-4
  case $c in *verify|*opendmarc|none-v6) file=$WORK/pf-msg/signed.eml; family=-6 ;; esac
  smtp-source "$family" -s "$PF_SESSIONS" -m "$n" -F "$file" -f bench@example.com -t rcpt@bench.test \
    -M client.bench.test "$(pf_listener "$c")" >>"$3" 2>&1
}
# pf_run CONFIG ROUND
pf_run() {
  local c=$1 round=$2 hp port pids t0 c0 c1 m0 m1 rc=0 w end new_off delivered edits cpu mcpu valid errors
  local lat="latency_n=0 p50_ms=-1 p99_ms=-1 eod_p50_ms=-1 eod_p99_ms=-1"
  local timeout=$(( PF_MESSAGES / 10 + 60 ))
  hp=$(pf_listener "$c"); port=${hp##*:}
  pids=$(pf_pids "$c")
  # warm-up: not measured, but delivered before the measured run starts
  pf_send "$c" "$PF_WARMUP" "$WORK/smtp-source.log" || true
  w=$(python3 "$BENCH_DIR/postfix.py" wait "$SINK_DUMP" "$SINK_OFFSET" "$PF_WARMUP" "$timeout")
  SINK_OFFSET=$(cut -d' ' -f2 <<<"$w")
  if [ "$PF_LATENCY" = 1 ]; then
    rm -f "$WORK/capture.pcap"
    start_bg tcpdump "$WORK/tcpdump.log" tcpdump -i lo -n -s 128 -B 16384 -w "$WORK/capture.pcap" "tcp port $port"
    for _ in $(seq 1 100); do grep -q 'listening on' "$WORK/tcpdump.log" && break; sleep 0.05; done
  fi
  # shellcheck disable=SC2086
  c0=$(cpu_ticks $pids); m0=$(machine_busy); t0=$(date +%s.%N)
  pf_send "$c" "$PF_MESSAGES" "$WORK/smtp-source.log" || rc=$?
  w=$(python3 "$BENCH_DIR/postfix.py" wait "$SINK_DUMP" "$SINK_OFFSET" "$PF_MESSAGES" "$timeout")
  # shellcheck disable=SC2086
  c1=$(cpu_ticks $pids); m1=$(machine_busy)
  read -r end new_off delivered <<<"$w"
  if [ "$PF_LATENCY" = 1 ]; then
    sleep 0.2   # the last 250 replies reach the capture
    kill -INT "${PIDS[tcpdump]}"; wait "${PIDS[tcpdump]}" 2>/dev/null || true; unset 'PIDS[tcpdump]'
    grep -E 'dropped by kernel' "$WORK/tcpdump.log" | tail -n 1 | grep -qE '^0 packets' \
      || log "tcpdump dropped packets: $(grep -E 'dropped by kernel' "$WORK/tcpdump.log" | tail -n 1)"
    lat=$(python3 "$BENCH_DIR/postfix.py" latency "$WORK/capture.pcap" "$port")
    : > "$WORK/tcpdump.log"
  fi
  edits=$(python3 "$BENCH_DIR/postfix.py" edits "$SINK_DUMP" "$SINK_OFFSET" "$new_off")
  SINK_OFFSET=$new_off
  local seconds rate tck
  seconds=$(python3 -c "print(f'{$end - $t0:.3f}')")
  rate=$(python3 -c "print(f'{$delivered / ($end - $t0):.1f}')")
  tck=$(getconf CLK_TCK)
  cpu=$(python3 -c "print(f'{(${c1:-0} - ${c0:-0}) * 1000 / $tck / max(1, $delivered):.2f}')")
  mcpu=$(python3 -c "print(f'{($m1 - $m0) * 1000 / $tck / max(1, $delivered):.2f}')")
  errors=$(( PF_MESSAGES - delivered + (rc != 0) ))
  # valid: every message delivered and carrying what this milter adds
  local n need=""
  n=$(kv messages "$edits")
  case $c in
    floor|floor-reply) need="x_bench_floor" ;;
    opendkim-sign|postseal-sign) need="dkim_signature" ;;
    opendkim+opendmarc) need="dkim_pass dmarc_pass" ;;
    postseal-verify) need="dkim_pass spf_pass dmarc_pass" ;;
  esac
  valid=yes
  [ "$errors" = 0 ] && [ "$n" = "$PF_MESSAGES" ] || valid=no
  for k in $need; do [ "$(kv "$k" "$edits")" = "$PF_MESSAGES" ] || valid=no; done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$hp" "$round" "$PF_MESSAGES" \
    "$delivered" "$seconds" "$rate" "$(kv p50_ms "$lat")" "$(kv p99_ms "$lat")" "$(kv eod_p50_ms "$lat")" \
    "$(kv eod_p99_ms "$lat")" "$(kv latency_n "$lat")" "$cpu" "$mcpu" "$errors" "$valid" "$edits" >> "$PF_RESULTS"
  printf '   postfix %-19s round %s: %7s msg/s p50 %7s ms (end of data %6s) cpu %5s ms/msg errors %s valid %s  [%s]\n' \
    "$c" "$round" "$rate" "$(kv p50_ms "$lat")" "$(kv eod_p50_ms "$lat")" "$cpu" "$errors" "$valid" "$edits" >&2
}

if [ "$DIRECT" != 1 ] && [[ " $PF_CONFIGS " == *" postseal-"* ]]; then
  log "warming up Postseal's JVM: $PF_JVM_WARMUP s of signing, $PF_JVM_WARMUP s of verifying (postseal bench)"
  "$POSTSEAL" bench --target "inet:127.0.0.1:$PS_RSA_PORT" --mode sign --size "$PF_SIZE" --duration "$PF_JVM_WARMUP" \
    >/dev/null 2>&1 || true
  "$POSTSEAL" bench --target "inet:127.0.0.1:$PS_RSA_PORT" --mode verify --corpus "$WORK/pf-msg/signed" \
    --duration "$PF_JVM_WARMUP" >/dev/null 2>&1 || true
fi
log "through Postfix: $PF_CONFIGS; $ROUNDS rounds of $PF_MESSAGES messages of $PF_SIZE bytes, $PF_SESSIONS sessions"
for round in $(seq 1 "$ROUNDS"); do
  for c in $PF_CONFIGS; do   # every configuration in turn within a round, so that drift hits all alike
    pf_run "$c" "$round"
  done
done
python3 "$BENCH_DIR/postfix.py" table "$PF_RESULTS" "$OUT/postfix-table.md"
log "through Postfix: raw results $PF_RESULTS; table $OUT/postfix-table.md"
