#!/usr/bin/env bash
# Fault suite, longer: e2e TestLinearizableUnderFaults for FAULTS_DURATION.
#
#   bench/faults.sh                      from the repository root; needs only Go
#   FAULTS_DURATION=30m bench/faults.sh
#
# A 3-member sensu-backend cluster (fsync on) on 127.0.0.1; four etcd clients
# and `sensuctl create` put, get and delete check keys while the fault
# sequence repeats (kill -9 and restart of a follower, then of the leader,
# sensuctl snapshot save, sensuctl cluster defrag --cluster, peer traffic
# delayed 50 ms for 2 s, the leader and then a follower isolated from the
# others through the test's peer proxies, then healed, a follower removed
# and a new member added in its place). At the end
# porcupine checks the history, acknowledged puts are looked up and HashKV is
# compared on every member. The test stops every process it started.
#
# Prints the operations, the faults injected and the anomalies (0 expected);
# exits non-zero when the test fails. FAULTS_KEEP_LOG=FILE keeps the full
# go test output there.
set -euo pipefail
cd "$(dirname "$0")/.."

FAULTS_DURATION=${FAULTS_DURATION:-5m}
export FAULTS_DURATION

# go test's own deadline: the run, the checks, plus a margin. FAULTS_DURATION
# is a Go duration of hours, minutes and seconds (30m, 1h30m, 90s).
secs=0
rest=$FAULTS_DURATION
while [[ $rest =~ ^([0-9]+)([hms])(.*)$ ]]; do
  case ${BASH_REMATCH[2]} in
  h) secs=$((secs + BASH_REMATCH[1] * 3600)) ;;
  m) secs=$((secs + BASH_REMATCH[1] * 60)) ;;
  s) secs=$((secs + BASH_REMATCH[1])) ;;
  esac
  rest=${BASH_REMATCH[3]}
done
if [ -n "$rest" ] || [ "$secs" -eq 0 ]; then
  echo "FAULTS_DURATION=$FAULTS_DURATION: use whole hours, minutes and seconds, like 30m or 1h30m" >&2
  exit 2
fi
timeout=$((secs * 3 + 600))s

log=${FAULTS_KEEP_LOG:-$(mktemp)}
echo "fault suite: FAULTS_DURATION=$FAULTS_DURATION (go test -timeout $timeout)"
start=$(date +%s)
set +e
go test -count=1 -timeout "$timeout" -run '^TestLinearizableUnderFaults$' -v ./e2e/ >"$log" 2>&1
rc=$?
set -e
end=$(date +%s)

summary=$(grep -m1 'linearizability: ' "$log" | sed 's/^ *linearizability_test.go:[0-9]*: //' || true)
faults=$(grep -m1 'faults: ' "$log" | sed 's/^ *linearizability_test.go:[0-9]*: faults: //' || true)
if [ -n "$summary" ]; then
  echo "$summary" | sed -E 's/^linearizability: ([0-9]+) anomalies; ([0-9]+) operations/operations: \2\nanomalies: \1\ndetail: /'
  echo "faults injected: $(echo "$summary" | sed -E 's/.* ([0-9]+) faults injected.*/\1/')"
  if [ -n "$faults" ]; then
    echo "$faults" | tr ';' '\n' | sed -E 's/^ *//' | awk '{ $1=""; sub(/^ /, ""); print }' |
      grep -v '^restarted' | sed -E 's/ backend-[0-9]+//g' | sort | uniq -c | sed 's/^/  /'
  fi
fi
echo "wall time: $((end - start))s"
if [ "$rc" -ne 0 ]; then
  echo "FAILED (exit $rc); failures:"
  grep -E -- '--- FAIL|linearizability_test.go:[0-9]+: ' "$log" | grep -v 'linearizability: \|faults: ' | head -40 || true
  echo "full output: $log"
  exit "$rc"
fi
[ -n "${FAULTS_KEEP_LOG:-}" ] || rm -f "$log"
echo "PASS"
