#!/usr/bin/env bash
# Fuzzes Postseal's readers of hostile input with Jazzer, each target for SECONDS (default 600), one after the
# other, and prints per target libFuzzer's summary and one line: executions, seconds, findings.
#
#   bench/fuzz.sh                        every target, 10 minutes each
#   bench/fuzz.sh 300 key-record from    two targets, 5 minutes each (bench/fuzz.sh report 300 works too)
#   bench/fuzz.sh --list                 the targets
#
# Targets (module: test class#method, what it feeds):
#   milter-frames   milter-core: MilterFrameFuzzTest   any bytes from a milter client, cut into reads of any size
#   dkim-signature  dkim: DkimSignatureFuzzTest        a DKIM-Signature value through the parser and the verifier
#   key-record      dkim: KeyRecordFuzzTest            DKIM key record text through KeyRecordParser and DkimKeySource
#   from            dkim: FromFuzzTest                 a whole message through RawMessage.parse, its From fields
#                                                      through Mailbox.parseAddressList
#   spf-record      dmarc: SpfFuzzTest                 SPF record text through the parser and check_host()
#   spf-macro       dmarc: SpfFuzzTest                 SPF macro-strings: parsing and expansion
#   dmarc-record    dmarc: DmarcRecordFuzzTest         DMARC record text through DmarcRecordParser
#   report          dmarc: ReceivedReportFuzzTest      any file given to postseal report import, through unpacking,
#                                                      the XML parser and the report reader
# `mvn verify` runs every target over its seed corpus (src/test/resources/<package>/<Class>Inputs/<method>/), and
# milter-frames also for 8 s of fuzzing.
#
# Each module's corpus grows in MODULE/.cifuzz-corpus/ (not in git) and is reused by the next run; a finding is
# written next to the target's seeds as crash-<sha1>, where `mvn verify` then runs it as a regression input (rename
# it to say what it found). Exit status 1 when any target found something. Offline build; no network is used.
set -euo pipefail

declare -A MODULE=(
  [milter-frames]=milter-core [dkim-signature]=dkim [key-record]=dkim [from]=dkim
  [spf-record]=dmarc [spf-macro]=dmarc [dmarc-record]=dmarc [report]=dmarc)
declare -A TEST=(
  [milter-frames]=MilterFrameFuzzTest
  [dkim-signature]='DkimSignatureFuzzTest#aSignatureFieldIsASignatureOrAPermerrorAndVerifiesToOneResult'
  [key-record]='KeyRecordFuzzTest#aKeyRecordIsAKeyARevocationOrASyntaxError'
  [from]='FromFuzzTest#aMessageSplitsTheSameWrittenBackAndItsFromAddressesReadBack'
  [spf-record]='SpfFuzzTest#aRecordIsValidOrASyntaxErrorWritesBackTheSameAndEvaluatesToAResult'
  [spf-macro]='SpfFuzzTest#aMacroStringParsesOrIsAnErrorAndExpandsWithinItsLimit'
  [dmarc-record]='DmarcRecordFuzzTest#aRecordParsesAndWritesBackToTheSameValues'
  [report]='ReceivedReportFuzzTest#anyFileIsReadOrRefusedWithAReason')
# coverage is also taken from the libraries a target's input goes through (jDKIM's tag-list parser)
declare -A INSTRUMENT=(
  [dkim-signature]='org.postseal.**,org.apache.james.jdkim.**' [key-record]='org.postseal.**,org.apache.james.jdkim.**')
ORDER=(milter-frames dkim-signature key-record from spf-record spf-macro dmarc-record report)

if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${ORDER[@]}"
  exit 0
fi
SECONDS_TO_RUN=600
TARGETS=()
for arg in "$@"; do
  case "$arg" in
    *[!0-9]*|'') TARGETS+=("$([ "$arg" = milter ] && echo milter-frames || echo "$arg")") ;;
    *) SECONDS_TO_RUN=$arg ;;
  esac
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ORDER[@]}")
for target in "${TARGETS[@]}"; do
  [ -n "${MODULE[$target]:-}" ] || { echo "unknown target: $target (bench/fuzz.sh --list)" >&2; exit 2; }
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
failed=0
summary=()
for target in "${TARGETS[@]}"; do
  LOG=$(mktemp)
  module=${MODULE[$target]}
  echo "== $target ($module ${TEST[$target]}), $SECONDS_TO_RUN s"
  status=0
  if [ "$target" = milter-frames ]; then
    # milter-core's fuzz-milter-frames execution fuzzes (JAZZER_FUZZ=1 in its POM); the last -max_total_time wins
    # over the test's 8 s
    mvn -B -o -pl "$module" -am test -Dtest="${TEST[$target]}" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1="-max_total_time=$SECONDS_TO_RUN" > "$LOG" 2>&1 || status=$?
  else
    # the module's fuzz-regression execution alone, with fuzzing on
    JAZZER_FUZZ=1 mvn -B -o -pl "$module" -am test-compile surefire:test@fuzz-regression -Dtest="${TEST[$target]}" \
      -Dsurefire.failIfNoSpecifiedTests=false -Dpostseal.jazzer.hooks=true \
      -Djazzer.instrument="${INSTRUMENT[$target]:-org.postseal.**}" \
      -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1="-max_total_time=$SECONDS_TO_RUN" > "$LOG" 2>&1 || status=$?
  fi
  grep -a -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^Done [0-9]+ runs' "$LOG" || true
  grep -a -E 'FuzzTestFindingException|== Java Exception|Test unit written to' "$LOG" | head -20 || true
  grep -a -E 'Tests run: .* -- in org\.postseal\.' "$LOG" | tail -1 || true
  runs=$(grep -a -E '^Done [0-9]+ runs' "$LOG" | tail -1 | awk '{print $2}')
  took=$(grep -a -E '^Done [0-9]+ runs' "$LOG" | tail -1 | awk '{print $5}')
  findings=$(grep -a -c 'Test unit written to' "$LOG" || true)
  line="$target: ${runs:-?} executions in ${took:-?} s, findings: ${findings:-0}"
  if [ "$status" -ne 0 ]; then
    cp "$LOG" "${LOG}.kept"
    line="$line, FAILED (exit $status): full log in ${LOG}.kept"
    failed=1
  fi
  echo "$line"
  summary+=("$line")
  rm -f "$LOG"
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
