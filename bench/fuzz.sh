#!/usr/bin/env bash
# Fuzzes the milter frame decoding (milter-core MilterFrameFuzzTest: any bytes from a client through the frame
# decoder, the packet checks, jmilter's command engine and our handler) for SECONDS, default 600, and prints
# libFuzzer's summary: executions, coverage, corpus. `mvn verify` runs the same fuzz test for 8 seconds.
#
#   bench/fuzz.sh            10 minutes
#   bench/fuzz.sh 3600       an hour
#
# The corpus grows in milter-core/.cifuzz-corpus/ (not in git) and is reused by the next run; a finding is written
# to milter-core/src/test/resources/org/postseal/milter/MilterFrameFuzzTestInputs/<test>/crash-<sha1>, where
# `mvn verify` then runs it as a regression input (rename it to say what it found). Exit status 1 on a finding.
# Offline build; loopback is not used at all.
set -euo pipefail

SECONDS_TO_RUN=${1:-600}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

cd "$ROOT"
status=0
# jazzer.internal.arg.N are libFuzzer's arguments; the last -max_total_time wins over the test's 8 s
mvn -B -o -pl milter-core -am test -Dtest=MilterFrameFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1="-max_total_time=$SECONDS_TO_RUN" > "$LOG" 2>&1 || status=$?

grep -a -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^Done [0-9]+ runs' "$LOG" || true
grep -a -E 'FuzzTestFindingException|== Java Exception|Test unit written to' "$LOG" | head -20 || true
grep -a -E 'Tests run: .* -- in org.postseal.milter.MilterFrameFuzzTest' "$LOG" || true
if [ "$status" -ne 0 ]; then
  echo "fuzzing failed (exit $status): full log kept in ${LOG}.kept"
  cp "$LOG" "${LOG}.kept"
  exit 1
fi
