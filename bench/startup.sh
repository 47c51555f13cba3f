#!/usr/bin/env bash
# Start-up and the first message, this checkout against others (README "Performance", "Start-up"): every image in
# turn, RUNS times each, so that all see the same machine.
#
#   bench/startup.sh [OTHER_CHECKOUT...]      (as root: knot is installed from Debian if missing)
#   RUNS=7 bench/startup.sh /work/old-main    the images are named by their directories; this one is "this"
#
# Each checkout's app image runs as its launcher starts it (packaging/target/postseal/bin/postseal: the class archive
# and the JVM options included), built first if needed (./postseal --version). Per run and image:
#   version    wall and CPU seconds of `postseal --version` (the whole process; CPU = user + system of it and its
#              children, getrusage)
#   keys-list  the same for `postseal keys list --config CONFIG` (one key, its record looked up in knot)
#   sign       `postseal serve` started (bench/serve_start.py): ms to its "milter listening" line (bound) and to
#              "postseal: listening on" (ready, READY=1), then one authenticated submission over the real socket
#              (bench/first_message.py): total = connect to final reply, eom = end of message to final reply
#   verify     the same with mail from 203.0.113.5 carrying one RSA-2048 signature of example.com: DKIM, SPF and
#              DMARC all pass against knot
# Output: one line per measurement in $OUT/startup.tsv and the medians per image on stdout.
# knot runs on a free loopback port with example.com (bench/serve-env.sh: key record, SPF, DMARC); everything it
# starts is stopped at exit (it/lib/harness.sh).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
RUNS=${RUNS:-5}
OUT=${OUT:-/tmp/postseal-startup-results}
HARNESS_NAME=bench/startup.sh
log() { printf '== %s\n' "$*" >&2; }
# shellcheck source=it/lib/harness.sh
source "$ROOT/it/lib/harness.sh"
# shellcheck source=bench/serve-env.sh
source "$BENCH_DIR/serve-env.sh"
[ "$(id -u)" = 0 ] || die "run me as root (I install knot when it is missing)"
WORK=$(mktemp -d /tmp/postseal-startup.XXXXXX)
mkdir -p "$OUT"
after_exit() { if [ "$1" = 0 ]; then rm -rf "$WORK"; else echo "bench/startup.sh: logs kept in $WORK" >&2; fi; }
harness_on_exit after_exit
install_packages "$WORK/apt.log" "knot" knot openssl python3

declare -A LAUNCHER=()
images=()
for checkout in "$@" "$ROOT"; do
  checkout=$(cd "$checkout" && pwd)
  name=$(basename "$checkout")
  [ "$checkout" = "$ROOT" ] && name=this
  [ -z "${LAUNCHER[$name]:-}" ] || die "two checkouts named $name: give them directories of different names"
  images+=("$name")
  LAUNCHER[$name]="$checkout/packaging/target/postseal/bin/postseal"
  log "$name: $checkout ($(git -C "$checkout" log --oneline -1 | cut -c1-60))"
  "$checkout/postseal" --version >/dev/null
done

state=$WORK/state
example_com_dns "$state"
port=$(free_port)
serve_config "$WORK/postseal.toml" "inet:127.0.0.1:$port" "$state" "$(free_port)"
cat > "$WORK/message.eml" <<'MSG'
From: Alice <alice@example.com>
To: Bob <bob@example.org>
Subject: the first message after a start
Date: Sun, 06 Dec 2026 12:00:00 +0000
Message-ID: <first@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

MSG
for _ in $(seq 1 32); do echo "The quick brown fox jumps over the lazy dog, and again over the dog." >> "$WORK/message.eml"; done
# the verify message: the sign message as this checkout signs it
log "making the signed message"
python3 "$BENCH_DIR/serve_start.py" "${LAUNCHER[this]}" "$WORK/postseal.toml" "$port" sign "$WORK/message.eml" \
  "$WORK/signed.eml" > "$WORK/make-signed.out"
grep -q '^DKIM-Signature:' "$WORK/signed.eml" || die "this checkout did not sign the message: $(cat "$WORK/make-signed.out")"

# timed NAME IMAGE COMMAND...: one line "NAME IMAGE wall_s W cpu_s C" for COMMAND (output discarded); CPU is the
# user + system time of the process and its children (getrusage)
timed() {
  local name=$1 image=$2 line
  shift 2
  line=$(python3 -c '
import resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
w = time.perf_counter() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("wall_s %.3f cpu_s %.3f" % (w, r.ru_utime + r.ru_stime))' "$@") || die "$image: $* failed"
  printf '%s\t%s\t%s\tload %s\n' "$name" "$image" "$line" "$(cut -d' ' -f1 /proc/loadavg)" >> "$OUT/startup.tsv"
}

: > "$OUT/startup.tsv"
for image in "${images[@]}"; do # one unmeasured round: page cache, the class archive mapped once
  "${LAUNCHER[$image]}" --version >/dev/null
done
for run in $(seq 1 "$RUNS"); do
  for image in "${images[@]}"; do
    launcher=${LAUNCHER[$image]}
    timed version "$image" "$launcher" --version
    timed keys-list "$image" "$launcher" keys list --config "$WORK/postseal.toml"
    for mode in sign verify; do
      message=$WORK/message.eml
      [ "$mode" = verify ] && message=$WORK/signed.eml
      line=$(python3 "$BENCH_DIR/serve_start.py" "$launcher" "$WORK/postseal.toml" "$port" "$mode" "$message")
      printf '%s\t%s\t%s\tload %s\n' "$mode" "$image" "$line" "$(cut -d' ' -f1 /proc/loadavg)" >> "$OUT/startup.tsv"
    done
  done
  log "run $run of $RUNS done (load $(cut -d' ' -f1-3 /proc/loadavg))"
done

python3 - "$OUT/startup.tsv" "${images[@]}" <<'PY'
import re, statistics, sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])]
images = sys.argv[2:]
def nums(name, image, key):
    out = []
    for r in rows:
        if r[0] == name and r[1] == image:
            m = re.search(r'\b' + re.escape(key) + r'[ =]([0-9.]+)', ' '.join(r[2:]))
            if m:
                out.append(float(m.group(1)))
    return out
def med(v):
    return ('%.3g' % statistics.median(v)) + (' (%.3g-%.3g)' % (min(v), max(v)) if len(v) > 1 else '') if v else '-'
loads = [float(r[-1].split()[1]) for r in rows if r[-1].startswith('load ')]
print('| measurement | ' + ' | '.join(images) + ' |')
print('|---|' + '---|' * len(images))
for name, key, label in [('version', 'wall_s', '--version wall s'), ('version', 'cpu_s', '--version CPU s'),
                         ('keys-list', 'wall_s', 'keys list wall s'), ('keys-list', 'cpu_s', 'keys list CPU s'),
                         ('sign', 'bind_ms', 'serve (sign config) bound ms'), ('sign', 'ready_ms', 'serve ready ms'),
                         ('sign', 'total_ms', 'first message signed: total ms'), ('sign', 'eom_ms', 'first message signed: eom ms'),
                         ('verify', 'bind_ms', 'serve (verify run) bound ms'), ('verify', 'ready_ms', 'serve ready ms'),
                         ('verify', 'total_ms', 'first message verified: total ms'), ('verify', 'eom_ms', 'first message verified: eom ms')]:
    print('| %s | %s |' % (label, ' | '.join(med(nums(name, i, key)) for i in images)))
print('\nmedian (min-max) of %d runs per image; load average %.1f-%.1f while measuring' % (
    len(nums('version', images[-1], 'wall_s')), min(loads), max(loads)))
PY
