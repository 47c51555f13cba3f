#!/usr/bin/env bash
# Postseal side by side with OpenDKIM (+ OpenDMARC) and a trivial milter, two ways: driven directly by
# `postseal bench` (the milter protocol as Postfix speaks it), and through a real Postfix (smtp-source ->
# Postfix -> milter -> smtp-sink; bench/postfix.sh, which this script sources). Not part of `mvn verify`
# or CI: it installs Debian packages, binds loopback ports and takes about 20 minutes with the defaults.
#
#   bench/compare.sh                     (as root, Debian 12, 2+ cores; builds the app image if needed)
#   ROUNDS=3 DURATION=5 WARMUP=1 SIZES="2048 65536 1048576" SESSIONS="1 50" bench/compare.sh
#   DIRECT=0 bench/compare.sh            through Postfix only (POSTFIX=0: direct only)
#   PF_MESSAGES=2000 PF_WARMUP=200 PF_SIZE=2048 PF_SESSIONS=10 PF_CONFIGS="none floor ..." bench/compare.sh
#
# What runs, all on loopback and all started (and stopped) by this script:
#   knot      127.0.0.44:53  serves example.com: the RSA-2048 and Ed25519 key records, SPF, DMARC
#   floor     :18890  bench/trivial_milter.c (libmilter, adds one header at end of message, nothing else)
#   postseal  :18891  `postseal serve`, signs rsa-sha256; verifies DKIM + SPF + DMARC inbound
#   postseal  :18892  the same with algorithms rsa-sha256 + ed25519-sha256
#   opendkim  :18893  Debian's opendkim 2.11, Mode sv, the same RSA-2048 key (selector rsa), relaxed/relaxed,
#                     asking knot directly (Nameservers). Not ResolverConfiguration with an unbound.conf, as
#                     it/run.sh does for `opendkim -t`: with concurrent sessions OpenDKIM 2.11 re-reads that file
#                     from several threads at once and dies ("fatal flex scanner internal error")
#   opendmarc :18894  (POSTFIX=1) Debian's opendmarc 1.4, after OpenDKIM, SPF checked itself (SPFSelfValidate)
#   floor     :18895  (POSTFIX=1) the floor again, replying to every step (`trivial_milter ... reply-all`)
#   postfix   127.0.0.1:24000-24003 and :24007, [::1]:24004-24006, smtp-sink 127.0.0.1:24025 (POSTFIX=1; bench/postfix.sh
#                     has the layout, the Postfix settings and how msg/s, latency and CPU are measured)
# Direct runs (DIRECT=1):
# Workloads (each: sizes x sessions, ROUNDS rounds of DURATION s after WARMUP s, 10 messages per connection):
#   sign-rsa       an authenticated submission from 127.0.0.1, one RSA-2048 signature  (floor, opendkim, postseal)
#   sign-rsa+ed    the same, RSA-2048 and Ed25519 signatures (postseal only: OpenDKIM 2.11 signs with one
#                  algorithm per configuration, so there is no equivalent; its ratio is against sign-rsa)
#   verify-1       mail from outside (203.0.113.5) with one RSA-2048 signature (made by Postseal) (opendkim, postseal)
#   verify-3       three signatures: Postseal RSA + Ed25519, then OpenDKIM RSA                     (opendkim, postseal)
# Postseal verifying also evaluates SPF and DMARC and writes the DMARC result row; OpenDKIM only DKIM.
# CPU per message is the milter process's utime+stime over the measured window (/proc/PID/stat), read by
# `postseal bench --cpu-pid`. The driver itself is a JVM on the same machine: with PIN=1 (the default on 2+ cores) it runs
# on CPU 0 and the milters on the others (taskset), so that it cannot be their ceiling.
#
# Then (MEMORY=1, default with DIRECT=1) the peak RSS of `postseal serve` under 200 concurrent sessions of 1 MiB messages (sign and
# verify) and with one 50 MiB message, sampled with ps -o rss every 0.2 s; and (PROFILE=1) a JFR recording of
# Postseal under sign-rsa (PROFILE_MODE=verify: verify-1; 2 KiB, 50 sessions), summarised as the hottest frames.
# Then (POSTFIX=1) through Postfix, 2 KiB messages and 10 sessions by default, ROUNDS rounds: none (Postfix
# alone), floor, opendkim-sign, postseal-sign, opendkim+opendmarc (verify), postseal-verify (DKIM + SPF + DMARC).
# Output: the table on stdout and in $OUT/table.md, every run's summary line in $OUT/results.tsv, memory.txt,
# profile.txt and postseal-sign.jfr (or -verify.jfr); through Postfix $OUT/postfix-table.md and $OUT/postfix-results.tsv.
# It kills only the processes it started (PIDs recorded by it/lib/harness.sh, shared with it/run.sh and
# it/keys/opendkim-testkey.sh), in its EXIT trap.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
SIZES=${SIZES:-"2048 65536 1048576"}
SESSIONS=${SESSIONS:-"1 50"}
WORKLOADS=${WORKLOADS:-"sign-rsa sign-rsa+ed verify-1 verify-3"}
OUT=${OUT:-/tmp/postseal-bench-results}
DIRECT=${DIRECT:-1}                    # the direct `postseal bench` runs
POSTFIX=${POSTFIX:-1}                  # the runs through Postfix (bench/postfix.sh; PF_* settings there)
MEMORY=${MEMORY:-$DIRECT}              # peak RSS under 200 sessions x 1 MiB (needs 1048576 in SIZES) and one 50 MiB message
MEMORY_DURATION=${MEMORY_DURATION:-15}
PROFILE=${PROFILE:-$DIRECT}                # JFR profile of Postseal under sign-rsa, 2 KiB, 50 sessions
PROFILE_DURATION=${PROFILE_DURATION:-15}
PROFILE_MODE=${PROFILE_MODE:-sign}         # sign: sign-rsa; verify: verify-1 (one signature, DKIM + SPF + DMARC)
SERVE_JAVA_OPTS=${SERVE_JAVA_OPTS:-}     # JVM options of the two `postseal serve` only (e.g. -Xmx128m), not of the driver
# PIN=1 (the default with 2+ cores): during the direct runs the driver runs on CPU 0 and every milter (its threads,
# taskset -a) on the others, so that the driver, a JVM as busy as the milter, cannot be the ceiling of a milter's
# msg/s nor take its CPU; with 2 cores each milter then has one core, OpenDKIM's threads as Postseal's. The milters are
# unpinned again for the runs through Postfix, whose processes are not pinned.
PIN=${PIN:-$([ "$(nproc)" -ge 2 ] && echo 1 || echo 0)}
DNS_IP=127.0.0.44
FLOOR_PORT=18890
PS_RSA_PORT=18891
PS_BOTH_PORT=18892
ODK_PORT=18893

HARNESS_NAME=bench/compare.sh
log() { printf '== %s\n' "$*" >&2; }
# shellcheck source=it/lib/harness.sh
source "$ROOT/it/lib/harness.sh"
[ "$(id -u)" = 0 ] || die "run me as root (I install packages and bind port 53)"

WORK=$(mktemp -d /tmp/postseal-bench.XXXXXX)
mkdir -p "$OUT"
after_exit() { # RC
  if [ "$1" = 0 ] && [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "bench/compare.sh: logs kept in $WORK" >&2; fi
}
harness_on_exit after_exit

# --- packages: no system service may start while they install ------------------------------------------
# (libc6-dev: gcc only recommends it, and trivial_milter.c needs its headers)
packages=(opendkim knot libmilter-dev gcc libc6-dev openssl python3)
[ "$POSTFIX" = 1 ] && packages+=(postfix opendmarc tcpdump)
install_packages "$WORK/apt.log" "opendkim knot postfix opendmarc" "${packages[@]}"

for hp in "$DNS_IP 53" "127.0.0.1 $FLOOR_PORT" "127.0.0.1 $PS_RSA_PORT" "127.0.0.1 $PS_BOTH_PORT" "127.0.0.1 $ODK_PORT"; do
  # another run of this script (another worktree) would otherwise be measured instead of ours
  # shellcheck disable=SC2086
  require_free $hp
done

# --- the app image and the driver ---------------------------------------------------------------------
log "building Postseal if needed"
"$ROOT/postseal" --version >/dev/null
POSTSEAL="$ROOT/packaging/target/postseal/bin/postseal"

# --- keys and DNS ---------------------------------------------------------------------------------------
log "keys and DNS (knot on $DNS_IP:53)"
mkdir -p "$WORK/keys" "$WORK/knot/zones"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/keys/rsa.pem" 2>/dev/null
openssl genpkey -algorithm ED25519 -out "$WORK/keys/ed.pem"
chmod 600 "$WORK/keys/"*.pem
rsa_p=$(openssl pkey -in "$WORK/keys/rsa.pem" -pubout -outform DER | base64 -w0)
ed_p=$(openssl pkey -in "$WORK/keys/ed.pem" -pubout -outform DER | tail -c 32 | base64 -w0)
split_txt() { echo "$1" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' '; }
cat > "$WORK/knot/zones/example.com.zone" <<ZONE
\$ORIGIN example.com.
\$TTL 3600
@ IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300
@ IN NS ns.example.com.
ns IN A $DNS_IP
@ IN TXT "v=spf1 ip4:203.0.113.0/24 ip6:::1 -all"
_dmarc IN TXT "v=DMARC1; p=reject"
rsa._domainkey IN TXT ( $(split_txt "v=DKIM1; k=rsa; p=$rsa_p") )
ed._domainkey IN TXT "v=DKIM1; k=ed25519; p=$ed_p"
ZONE
knot_start "$WORK/knot" "$DNS_IP" 53

# --- the milters -----------------------------------------------------------------------------------------
log "starting the floor (libmilter, one header) on :$FLOOR_PORT"
gcc -O2 -o "$WORK/trivial_milter" "$BENCH_DIR/trivial_milter.c" -lmilter -lpthread
start_bg floor "$WORK/floor.log" "$WORK/trivial_milter" "inet:$FLOOR_PORT@127.0.0.1"
wait_port floor 127.0.0.1 "$FLOOR_PORT" "$WORK/floor.log"

postseal_instance() { # NAME PORT ALGORITHMS: a state directory with the keys, and the config
  local dir=$WORK/$1
  mkdir -p "$dir"
  install -d -m 700 "$dir/keys" "$dir/keys/example.com"
  install -m 600 "$WORK/keys/rsa.pem" "$dir/keys/example.com/rsa.pem"
  if [[ $3 == *ed25519* ]]; then install -m 600 "$WORK/keys/ed.pem" "$dir/keys/example.com/ed.pem"; fi
  postseal_config "$dir/postseal.toml" --listen "inet:127.0.0.1:$2" --authserv-id bench.postseal.test \
    --state-dir "$dir" --dns "$DNS_IP:53" --dns-timeout 3s --domain example.com --internal 127.0.0.1/32 \
    --algorithms "$3"
}
postseal_instance ps-rsa "$PS_RSA_PORT" rsa-sha256
postseal_instance ps-both "$PS_BOTH_PORT" "rsa-sha256 ed25519-sha256"
log "starting Postseal on :$PS_RSA_PORT (rsa) and :$PS_BOTH_PORT (rsa + ed25519)"
start_bg ps-rsa "$WORK/ps-rsa/postseal.log" env POSTSEAL_JAVA_OPTS="$SERVE_JAVA_OPTS" "$POSTSEAL" serve --config "$WORK/ps-rsa/postseal.toml"
start_bg ps-both "$WORK/ps-both/postseal.log" env POSTSEAL_JAVA_OPTS="$SERVE_JAVA_OPTS" "$POSTSEAL" serve --config "$WORK/ps-both/postseal.toml"
wait_port ps-rsa 127.0.0.1 "$PS_RSA_PORT" "$WORK/ps-rsa/postseal.log"
wait_port ps-both 127.0.0.1 "$PS_BOTH_PORT" "$WORK/ps-both/postseal.log"

log "starting OpenDKIM on :$ODK_PORT"
mkdir -p "$WORK/opendkim"
echo "k1 example.com:rsa:$WORK/keys/rsa.pem" > "$WORK/opendkim/KeyTable"
echo "*@example.com k1" > "$WORK/opendkim/SigningTable"
cat > "$WORK/opendkim/opendkim.conf" <<ODK
Mode sv
Socket inet:$ODK_PORT@127.0.0.1
KeyTable file:$WORK/opendkim/KeyTable
SigningTable refile:$WORK/opendkim/SigningTable
InternalHosts 127.0.0.1
Canonicalization relaxed/relaxed
SignatureAlgorithm rsa-sha256
OversignHeaders From
AuthservID bench.postseal.test
Nameservers $DNS_IP
RequireSafeKeys no
Syslog no
PidFile $WORK/opendkim/opendkim.pid
TemporaryDirectory $WORK/opendkim
ODK
start_bg opendkim "$WORK/opendkim/opendkim.log" opendkim -f -x "$WORK/opendkim/opendkim.conf"
wait_port opendkim 127.0.0.1 "$ODK_PORT" "$WORK/opendkim/opendkim.log"

if [ "$DIRECT" = 1 ]; then
# --- the verify corpora: signed by the milters themselves, then checked to be signed ----------------------
log "making the verify corpora (16 messages per size)"
for size in $SIZES; do
  "$POSTSEAL" bench --target "inet:127.0.0.1:$PS_RSA_PORT" --size "$size" --save "$WORK/corpus/v1-$size" >/dev/null
  "$POSTSEAL" bench --target "inet:127.0.0.1:$PS_BOTH_PORT" --size "$size" --save "$WORK/corpus/v2-$size" >/dev/null
  "$POSTSEAL" bench --target "inet:127.0.0.1:$ODK_PORT" --corpus "$WORK/corpus/v2-$size" --save "$WORK/corpus/v3-$size" \
    >/dev/null
  n=$(grep -c '^DKIM-Signature:' "$WORK/corpus/v3-$size/000.eml" || true)
  [ "$n" = 3 ] || die "the three-signature corpus has $n signatures in $WORK/corpus/v3-$size/000.eml"
done

# --- the runs -----------------------------------------------------------------------------------------
DRIVER=()
# pin_milters CPUS: move every thread of the milters to CPUS (a taskset -c list)
pin_milters() {
  local name
  for name in floor ps-rsa ps-both opendkim; do
    taskset -a -cp "$1" "${PIDS[$name]}" >/dev/null || die "cannot pin $name to CPUs $1"
  done
}
if [ "$PIN" = 1 ] && [ "$DIRECT" = 1 ]; then
  DRIVER=(taskset -c 0)
  pin_milters "1-$(($(nproc) - 1))"
  log "direct runs: the driver on CPU 0, the milters on CPUs 1-$(($(nproc) - 1)) (PIN=1)"
fi
RESULTS=$OUT/results.tsv
printf 'workload\tsize\tsessions\tmilter\tround\tmessages\tseconds\trate\tp50_ms\tp99_ms\terrors\tcpu_ms_per_msg\tedits;results\n' \
  > "$RESULTS"
val() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<"$2"; }
run_one() { # WORKLOAD SIZE SESSIONS MILTER PORT PID ROUND ARGS...
  local workload=$1 size=$2 sessions=$3 milter=$4 port=$5 pid=$6 round=$7
  shift 7
  local out summary edits
  out=$("${DRIVER[@]}" "$POSTSEAL" bench --target "inet:127.0.0.1:$port" --sessions "$sessions" --messages 10 --duration "$DURATION" \
    --warmup "$WARMUP" --cpu-pid "$pid" "$@" 2>&1) || true
  summary=$(grep '^summary:' <<<"$out" || echo "summary: messages=0 seconds=0 rate=0 p50_ms=0 p90_ms=0 p99_ms=0 max_ms=0 errors=1 cpu_ms_per_msg=-1")
  edits=$(grep -E '^(edits|authentication results):' <<<"$out" | sed -E 's/^(edits|authentication results): //' \
    | paste -sd ';' || true)
  local errors
  errors=$(val errors "$summary")
  # every signature in the verify corpora is good: any other DKIM result is a wrong answer, not speed
  if [[ $workload == verify-* ]] && grep -qE 'dkim=(fail|permerror|temperror|neutral|policy|none)' <<<"$edits"; then
    log "$milter gave wrong DKIM results in $workload $size B $sessions sessions: $edits"
    errors=$((errors + 1))
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$workload" "$size" "$sessions" "$milter" "$round" \
    "$(val messages "$summary")" "$(val seconds "$summary")" "$(val rate "$summary")" "$(val p50_ms "$summary")" \
    "$(val p99_ms "$summary")" "$errors" "$(val cpu_ms_per_msg "$summary")" "$edits" >> "$RESULTS"
  printf '   %-12s %8s B %3s sessions %-9s round %s: %8s msg/s p50 %7s ms cpu %6s ms/msg errors %s  [%s]\n' "$workload" \
    "$size" "$sessions" "$milter" "$round" "$(val rate "$summary")" "$(val p50_ms "$summary")" \
    "$(val cpu_ms_per_msg "$summary")" "$errors" "$edits" >&2
}
for workload in $WORKLOADS; do
  for size in $SIZES; do
    for sessions in $SESSIONS; do
      case $workload in
        sign-rsa) targets="floor:$FLOOR_PORT opendkim:$ODK_PORT postseal:$PS_RSA_PORT"; args=(--mode sign --size "$size") ;;
        sign-rsa+ed) targets="postseal:$PS_BOTH_PORT"; args=(--mode sign --size "$size") ;;
        verify-1) targets="opendkim:$ODK_PORT postseal:$PS_RSA_PORT"; args=(--mode verify --corpus "$WORK/corpus/v1-$size") ;;
        verify-3) targets="opendkim:$ODK_PORT postseal:$PS_RSA_PORT"; args=(--mode verify --corpus "$WORK/corpus/v3-$size") ;;
        *) die "unknown workload $workload" ;;
      esac
      for round in $(seq 1 "$ROUNDS"); do
        for t in $targets; do   # the milters in turn within a round, so that drift hits all of them alike
          name=${t%%:*}; port=${t##*:}
          case $name in
            floor) pid=${PIDS[floor]} ;;
            opendkim) pid=${PIDS[opendkim]} ;;
            *) if [ "$port" = "$PS_BOTH_PORT" ]; then pid=${PIDS[ps-both]}; else pid=${PIDS[ps-rsa]}; fi ;;
          esac
          run_one "$workload" "$size" "$sessions" "$name" "$port" "$pid" "$round" "${args[@]}"
        done
      done
    done
  done
done

# --- the table ------------------------------------------------------------------------------------------
python3 - "$RESULTS" "$OUT/table.md" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
cells = {}
for r in rows:
    cells.setdefault((r["workload"], int(r["size"]), int(r["sessions"]), r["milter"]), []).append(r)
def human(size):
    return f"{size // 1048576} MiB" if size >= 1048576 else f"{size // 1024} KiB"
def med(rs, key):
    return statistics.median(float(r[key]) for r in rs)
lines = ["| workload | size | sessions | milter | msg/s (median) | spread min-max | p50 ms | p99 ms | CPU ms/msg | errors | x OpenDKIM |",
         "|---|---|---|---|---|---|---|---|---|---|---|"]
for (workload, size, sessions, milter), rs in cells.items():
    rates = [float(r["rate"]) for r in rs]
    odk = cells.get((workload, size, sessions, "opendkim"))
    if workload == "sign-rsa+ed":
        odk = cells.get(("sign-rsa", size, sessions, "opendkim"))
    ratio = ""
    if odk and milter != "opendkim" and med(odk, "rate") > 0:
        ratio = f"{statistics.median(rates) / med(odk, 'rate'):.2f}"
    errors = sum(int(r["errors"]) for r in rs)
    lines.append(f"| {workload} | {human(size)} | {sessions} | {milter} | {statistics.median(rates):.0f} | "
                 f"{min(rates):.0f}-{max(rates):.0f} | {med(rs, 'p50_ms'):.2f} | {med(rs, 'p99_ms'):.2f} | "
                 f"{med(rs, 'cpu_ms_per_msg'):.2f} | {errors} | {ratio} |")
text = "\n".join(lines) + "\n"
open(sys.argv[2], "w").write(text)
print(text)
PY
fi   # DIRECT

# --- through Postfix (POSTFIX=1): smtp-source -> Postfix -> milter -> smtp-sink ----------------------------
if [ "$POSTFIX" = 1 ]; then
  [ "${#DRIVER[@]}" = 0 ] || pin_milters "0-$(($(nproc) - 1))"
  # shellcheck source=bench/postfix.sh
  source "$BENCH_DIR/postfix.sh"
fi

# --- memory (MEMORY=1): peak RSS of postseal serve under 200 sessions of 1 MiB, and one 50 MiB message -------
if [ "$MEMORY" = 1 ]; then
  peak_rss() { # PID-TO-WATCH PID-OF-LOAD: the highest RSS (KiB) of the first while the second runs
    local peak=0 rss
    while kill -0 "$2" 2>/dev/null; do
      rss=$(ps -o rss= -p "$1" | tr -d ' ')
      [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
      sleep 0.2
    done
    echo "$peak"
  }
  pid=${PIDS[ps-both]}
  for m in "sign --size 1048576 --sessions 200 --messages 5" \
           "verify --corpus $WORK/corpus/v1-1048576 --sessions 200 --messages 5" \
           "sign --size 52428800 --sessions 1 --messages 2"; do
    before=$(ps -o rss= -p "$pid" | tr -d ' ')
    # shellcheck disable=SC2086
    "$POSTSEAL" bench --target "inet:127.0.0.1:$PS_BOTH_PORT" --mode $m --duration "$MEMORY_DURATION" --timeout 120 \
      > "$WORK/memory.out" 2>&1 &
    load=$!
    peak=$(peak_rss "$pid" "$load")
    wait "$load" || true
    printf 'memory: postseal serve (rsa+ed25519%s), --mode %s for %s s: RSS before %s MiB, peak %s MiB; %s\n' \
      "${SERVE_JAVA_OPTS:+, $SERVE_JAVA_OPTS}" "$m" "$MEMORY_DURATION" "$((before / 1024))" "$((peak / 1024))" "$(grep '^summary:' "$WORK/memory.out")" \
      | tee -a "$OUT/memory.txt"
  done
fi

# --- profile (PROFILE=1): where Postseal's CPU goes under sign-rsa (or verify-1), from the JFR recording ----------------
if [ "$PROFILE" = 1 ]; then
  # JFR samples Java frames only: native code (the RSA of the Amazon Corretto Crypto Provider) and the
  # kernel do not show in it. So the CPU of each thread group (/proc/PID/task/*/stat) is taken as well.
  thread_cpu() { # PID: "group user sys" per thread group (names without their trailing -N), clock ticks
    local t
    for t in /proc/"$1"/task/*; do
      printf '%s %s\n' "$(tr ' ' '_' < "$t/comm")" "$(sed -E 's/^.*\) //' "$t/stat" | cut -d' ' -f12,13)"
    done | awk '{sub(/-[0-9]+$/, "", $1); u[$1] += $2; s[$1] += $3} END {for (k in u) print k, u[k], s[k]}' | sort
  }
  thread_cpu "${PIDS[ps-rsa]}" > "$WORK/threads-before.txt"
  case "$PROFILE_MODE" in
    sign) profile_args=(--mode sign) ;;
    verify) [ -d "$WORK/corpus/v1-2048" ] || die "PROFILE_MODE=verify needs the verify corpus: keep 2048 in SIZES"
            profile_args=(--mode verify --corpus "$WORK/corpus/v1-2048") ;;
    *) die "PROFILE_MODE is sign or verify, not $PROFILE_MODE" ;;
  esac
  jcmd "${PIDS[ps-rsa]}" JFR.start name=bench settings=profile >/dev/null
  "$POSTSEAL" bench --target "inet:127.0.0.1:$PS_RSA_PORT" "${profile_args[@]}" --size 2048 --sessions 50 --messages 10 \
    --duration "$PROFILE_DURATION" --warmup 2 > "$OUT/profile-load.txt" 2>&1 || true
  jcmd "${PIDS[ps-rsa]}" JFR.stop name=bench filename="$OUT/postseal-$PROFILE_MODE.jfr" >/dev/null
  thread_cpu "${PIDS[ps-rsa]}" > "$WORK/threads-after.txt"
  profiled=$(sed -nE 's/^summary: messages=([0-9]+).*/\1/p' "$OUT/profile-load.txt")
  {
    echo "CPU per thread group over the profiled load ($profiled messages after 2 s of warm-up; the warm-up's CPU included):"
    join "$WORK/threads-before.txt" "$WORK/threads-after.txt" | awk -v n="${profiled:-1}" -v tck="$(getconf CLK_TCK)" \
      '{u = $4 - $2; s = $5 - $3; if (u + s > 0) printf "  %-24s user %6.0f ms  system %6.0f ms  = %.3f ms per message\n", $1, u * 1000 / tck, s * 1000 / tck, (u + s) * 1000 / tck / n}'
  } | tee "$OUT/profile-threads.txt"
  jfr print --events jdk.ExecutionSample --stack-depth 64 "$OUT/postseal-$PROFILE_MODE.jfr" > "$WORK/samples.txt"
  python3 - "$WORK/samples.txt" <<'PY' | tee "$OUT/profile.txt"
import collections, re, sys
text = open(sys.argv[1]).read()
top = collections.Counter(); incl = collections.Counter(); n = 0
for ev in text.split("jdk.ExecutionSample")[1:]:
    frames = re.findall(r"^\s+([\w$.<>/]+)\(", ev, re.M)
    if not frames:
        continue
    n += 1
    top[frames[0]] += 1
    for f in set(frames):
        incl[f] += 1
print(f"JFR execution samples: {n}")
print("self (top of stack):")
for f, c in top.most_common(15):
    print(f"  {100 * c / n:5.1f}%  {f}")
print("inclusive (anywhere on the stack), org.postseal / crypto / netty frames:")
for f, c in incl.most_common(400):
    if re.match(r"(org\.postseal|com\.amazon\.corretto|sun\.security\.rsa|java\.math\.BigInteger\.(modPow|oddModPow|montgomery)|io\.netty\.channel\.nio\.NioEventLoop\.run|org\.apache\.james\.jdkim|org\.bouncycastle|org\.xbill)", f):
        print(f"  {100 * c / n:5.1f}%  {f}")
PY
fi

[ "$DIRECT" = 1 ] && log "raw results: $RESULTS; table: $OUT/table.md"
exit 0
