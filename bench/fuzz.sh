#!/usr/bin/env bash
# Fuzzes one of Postseal's fuzz targets for SECONDS, default 600, and prints libFuzzer's summary: executions,
# coverage, corpus. `mvn verify` runs the milter one for 8 seconds and both over their seed corpora.
#
#   bench/fuzz.sh                 the milter frame decoding, 10 minutes (milter-core MilterFrameFuzzTest: any bytes
#                                 from a client through the frame decoder, the packet checks, jmilter's command
#                                 engine and our handler)
#   bench/fuzz.sh 3600            the same, an hour
#   bench/fuzz.sh report 300      the report import, 5 minutes (dmarc ReceivedReportFuzzTest: any file given to
#                                 postseal report import, through unpacking, the XML parser and the report reader)
#
# The corpus grows in MODULE/.cifuzz-corpus/ (not in git) and is reused by the next run; a finding is written next
# to the seed corpus (src/test/resources/.../<Test>Inputs/<method>/crash-<sha1>), where `mvn verify` then runs it
# as a regression input (rename it to say what it found). Exit status 1 on a finding. Offline build; loopback is
# not used at all.
set -euo pipefail

TARGET=milter
if [ "${1:-}" = "report" ] || [ "${1:-}" = "milter" ]; then
  TARGET=$1
  shift
fi
SECONDS_TO_RUN=${1:-600}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

if [ "$TARGET" = report ]; then
  # dmarc has no fuzzing execution of its own (mvn verify runs the seeds only): fuzzing is asked for here
  MODULE=dmarc; TEST=ReceivedReportFuzzTest; CLASS=org.postseal.dmarc.received.ReceivedReportFuzzTest
  export JAZZER_FUZZ=1
else
  # milter-core's POM has the fuzzing execution (JAZZER_FUZZ=1, jmilter instrumented too)
  MODULE=milter-core; TEST=MilterFrameFuzzTest; CLASS=org.postseal.milter.MilterFrameFuzzTest
fi

cd "$ROOT"
status=0
# jazzer.internal.arg.N are libFuzzer's arguments; the last -max_total_time wins over the test's 8 s
mvn -B -o -pl "$MODULE" -am test -Dtest="$TEST" -Dsurefire.failIfNoSpecifiedTests=false \
  -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1="-max_total_time=$SECONDS_TO_RUN" > "$LOG" 2>&1 || status=$?

grep -a -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^Done [0-9]+ runs' "$LOG" || true
grep -a -E 'FuzzTestFindingException|== Java Exception|Test unit written to' "$LOG" | head -20 || true
grep -a -E "Tests run: .* -- in $CLASS" "$LOG" || true
if [ "$status" -ne 0 ]; then
  echo "fuzzing failed (exit $status): full log kept in ${LOG}.kept"
  cp "$LOG" "${LOG}.kept"
  exit 1
fi
