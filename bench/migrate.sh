#!/usr/bin/env bash
# Migration benchmark: 'sensuctl migrate sensu1' of a Sensu 1.x Redis with
# 10,000 clients and 100,000 check results, against a raw pipelined SCAN+GET
# of the same keys.
#
#   bench/migrate.sh             from the repository root; needs Go and redis-server
#
# It starts its own redis-server on 127.0.0.1 (BASE_PORT+5, no persistence:
# --save "" --appendonly no, in the work directory) and fills it with
# bench/sensu1gen: at SCALE 1, 10,000 clients with 10 checks each (keepalive
# first): the clients set, client:<c>, client:<c>:signature, result:<c>,
# 100,000 result:<c>:<k>, history:<c>:<k> and history:<c>:<k>:last_ok, the
# events:<c> hashes of the ~10% results that are not OK, 20 silences (half
# with a TTL) and the ttl set: ~335,000 keys, ~42 MB of values. The migration
# writes 1 namespace, 10,000 Entities, 100,000 Events and 20 Silenced.
# Every backend runs with its defaults (fsync on; NO_FSYNC=1 turns it off),
# in a new state directory seeded with 'sensu-backend init', on 127.0.0.1.
#
# Each of RUNS runs measures, in this order (medians in the summary):
#   1. raw: bench/rawread, sensu1redis.ReadRaw (SCAN, then GET of every key in
#      pipelines of 1,000: the least a reader must do), and 'rawread -full',
#      sensu1redis.Read alone (the migration's reader: TYPE, PTTL and the
#      right read for each key, every value decoded);
#   2. dry run: 'sensuctl migrate sensu1 --redis-url URL --namespace bench
#      --dry-run' against a fresh backend (read, translate, compare with the
#      store; writes nothing; the plan table, one row per resource, goes to a
#      file);
#   3. migrate: the same without --dry-run, into that fresh backend;
#   4. rerun: the same again on the migrated store (every resource
#      unchanged, nothing written).
# For each: wall time, objects/s counted both as Redis keys read and as
# resources (written, or planned), peak RSS, and the ratio to the raw read;
# for the migrate also the CPU seconds sensuctl, the backend and redis-server
# spent, which together bound its wall time from below on this machine, and
# the bound that remains with the reader's CPU alone on sensuctl's side.
# Goals (the issue): migrate within 3x the raw read's time, sensuctl's peak
# RSS under 256 MB. The outcome of every sensuctl run is checked (resources
# created, unchanged, failed).
#
# Peak RSS comes from /usr/bin/time -f %M when it is there, otherwise from
# VmHWM in /proc/PID/status, read every 20 ms (RSS_PROC=1 uses that even when
# /usr/bin/time is there).
#
# Settings (environment): SCALE (1: 10,000 clients), CHECKS (10 per client),
# RUNS (3), NO_FSYNC (0), GEN_ARGS (extra bench/sensu1gen flags, e.g.
# "-failing 0.5"), PROFILE (0; 1: one more migrate into a fresh backend with
# a sensuctl built to write CPU and allocation profiles, and their top
# functions), BASE_PORT (25300: uses the next 10 ports), KEEP=1 keeps the work
# directory. Everything binds to 127.0.0.1.
set -euo pipefail

SCALE=${SCALE:-1}
CHECKS=${CHECKS:-10}
RUNS=${RUNS:-3}
NO_FSYNC=${NO_FSYNC:-0}
GEN_ARGS=${GEN_ARGS:-}
PROFILE=${PROFILE:-0}
BASE_PORT=${BASE_PORT:-25300}
KEEP=${KEEP:-0}
RSS_PROC=${RSS_PROC:-0}
BASE_CLIENTS=10000
GOAL_RATIO=3 GOAL_RSS_MB=256
NAMESPACE=bench

cd "$(dirname "$0")/.."
[ -f go.mod ] && grep -q '^module github.com/sensu-etcd/sensu$' go.mod || { echo "migrate.sh: run it from the sensu repository" >&2; exit 2; }
for v in RUNS CHECKS; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "migrate.sh: $v must be a whole number >= 1" >&2; exit 2; }
done
awk -v s="$SCALE" 'BEGIN { exit !(s + 0 > 0) }' || { echo "migrate.sh: SCALE must be a number > 0" >&2; exit 2; }
REDIS_SERVER=$(command -v redis-server) || { echo "migrate.sh: needs redis-server on PATH (e.g. apt-get install redis-server)" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sensu-migbench.XXXXXX")
BIN=$TMP/bin LOGS=$TMP/logs DATA=$TMP/data
mkdir -p "$BIN" "$LOGS" "$DATA" "$TMP/redis"
export XDG_CONFIG_HOME=$TMP/xdg SENSU_BACKEND_CONFIG_FILE=/dev/null
unset SENSUCTL_PROFILE SENSUCTL_CONFIG_FILE SENSUCTL_FORMAT SENSU_FORMAT SENSUCTL_NAMESPACE SENSU_NAMESPACE \
	SENSUCTL_USER SENSUCTL_PASSWORD SENSUCTL_CACERT SENSUCTL_CERT SENSUCTL_KEY ETCDCTL_ENDPOINTS ETCDCTL_API

SCRIPT=migrate.sh
# shellcheck source=bench/lib.sh
. bench/lib.sh

C=http://127.0.0.1:$BASE_PORT
export SENSUCTL_ENDPOINTS=$C
REDIS_PORT=$((BASE_PORT + 5))
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
BACKEND_FLAGS=()
[ "$NO_FSYNC" = 1 ] && BACKEND_FLAGS=(--etcd-unsafe-no-fsync)

# redis_ping PORT: true when the server answers +PONG (bash only).
redis_ping() {
	local line=
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'PING\r\n' >&3
	IFS= read -r -t 2 line <&3 || true
	exec 3<&- 3>&-
	[ "${line%$'\r'}" = +PONG ]
}

field() { tr ' ' '\n' <"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; } # field FILE NAME: NAME=value of a key=value line

declare -A TIMES RSSES MED MEDRSS CPUS
# proc_cpu PID: user+system CPU ticks of a running process so far;
# cpu_since PID TICKS: CPU seconds it used since then.
CLK_TCK=$(getconf CLK_TCK)
proc_cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
cpu_since() { awk -v t="$2" -v hz="$CLK_TCK" '{ printf "%.2f", ($14 + $15 - t) / hz }' "/proc/$1/stat"; }
last() { local -n a=${2:-TIMES}; echo "${a[$1]}" | awk '{ print $NF }'; } # last KEY [RSSES]: the last recorded value
row() { # row LABEL KEY RESOURCES: one result line, from TIMES[KEY] and RSSES[KEY]
	local label=$1 key=$2 n=$3 t r
	# shellcheck disable=SC2086
	MED[$key]=$(median ${TIMES[$key]}) MEDRSS[$key]=$(median ${RSSES[$key]})
	printf '  %-30s' "$label"
	for t in ${TIMES[$key]}; do printf ' %7ss' "$t"; done
	printf '  median %7ss %8s keys/s' "${MED[$key]}" "$(rate "$KEYS" "${MED[$key]}")"
	if [ "$n" != - ]; then printf ' %7s res/s' "$(rate "$n" "${MED[$key]}")"; else printf ' %13s' ''; fi
	printf '  peak RSS'
	for r in ${RSSES[$key]}; do printf ' %s' "$(mib "$r")"; done
	printf ' MiB\n'
}

echo "== build (go $(go env GOVERSION), $(nproc) CPUs)"
go build -o "$BIN/" ./cmd/sensu-backend ./cmd/sensuctl ./bench/sensu1gen ./bench/rawread
echo "  sensu-backend, sensuctl, sensu1gen, rawread; $("$REDIS_SERVER" --version | awk '{ print $1, $2, $3 }')"
echo "  work dir $TMP on $(df -PT "$TMP" | awk 'NR == 2 { print $1 " (" $2 ")" }'); peak RSS from $RSS_TOOL"
echo "  backends: fsync $([ "$NO_FSYNC" = 1 ] && echo "OFF (--etcd-unsafe-no-fsync)" || echo "on (the default)")"
if [ "$PROFILE" = 1 ]; then
	# sensuctl with a main that writes profiles: a build overlay, the tree is untouched.
	cat >"$TMP/prof_main.go" <<'EOF'
package main

import (
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/sensu-etcd/sensu/internal/cli/sensuctl"
)

func main() {
	cpu, err := os.Create(os.Getenv("BENCH_CPUPROFILE"))
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		panic(err)
	}
	code := sensuctl.Main()
	pprof.StopCPUProfile()
	cpu.Close()
	if f, err := os.Create(os.Getenv("BENCH_MEMPROFILE")); err == nil {
		runtime.GC()
		_ = pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
	os.Exit(code)
}
EOF
	printf '{"Replace": {"%s": "%s"}}\n' "$PWD/cmd/sensuctl/main.go" "$TMP/prof_main.go" >"$TMP/overlay.json"
	go build -overlay "$TMP/overlay.json" -o "$BIN/sensuctl-prof" ./cmd/sensuctl
	echo "  sensuctl-prof (sensuctl writing CPU and allocation profiles)"
fi

echo
echo "== data set (bench/sensu1gen into redis-server on 127.0.0.1:$REDIS_PORT, no persistence)"
"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$TMP/redis" \
	--logfile "$LOGS/redis.log" --daemonize no &
PIDS+=($!)
REDIS_PID=$!
for ((i = 0; ; i++)); do
	redis_ping "$REDIS_PORT" 2>/dev/null && break
	kill -0 "$REDIS_PID" 2>/dev/null || { cat "$LOGS/redis.log" >&2; die "redis-server exited"; }
	((i < 100)) || { cat "$LOGS/redis.log" >&2; die "redis-server does not answer PING after 10s"; }
	sleep 0.1
done
CLIENTS=$(awk -v s="$SCALE" -v b="$BASE_CLIENTS" 'BEGIN { n = int(s * b + 0.5); print (n < 1) ? 1 : n }')
# shellcheck disable=SC2086
"$BIN/sensu1gen" -url "$REDIS_URL" -clients "$CLIENTS" -checks "$CHECKS" $GEN_ARGS >"$DATA/gen.out" 2>"$LOGS/gen.log" ||
	{ cat "$LOGS/gen.log" >&2; die "sensu1gen failed"; }
echo "  $(sed 's/^sensu1gen: //' "$LOGS/gen.log")"
KEYS=$(field "$DATA/gen.out" keys) RESULTS=$(field "$DATA/gen.out" results) SILENCES=$(field "$DATA/gen.out" silences)
# One namespace, an Entity per client, an Event per result (every generated
# event has its result), a Silenced per silence.
N=$((1 + CLIENTS + RESULTS + SILENCES))
echo "  redis-server resident: $(mib "$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$REDIS_PID/status")") MiB; expected resources: $N (1 namespace, $CLIENTS entities, $RESULTS events, $SILENCES silenced)"

MIGRATE=("$BIN/sensuctl" migrate sensu1 --redis-url "$REDIS_URL" --namespace "$NAMESPACE")
ok=1
check() { # check LABEL LOG WANT_CREATED WANT_UNCHANGED: the summary's total row
	summary "$2"
	if ((cr == $3 && un == $4 && up + sk + fa == 0)); then
		return 0
	fi
	echo "  MISMATCH in $1: $cr created, $up updated, $un unchanged, $sk skipped, $fa failed; want $3 created, $4 unchanged; by type:"
	awk '/ summary$|^Dry run: / { s = 1; next } s && $1 != "TYPE" && $1 != "total" && ($3 + $5 + $6 > 0 || ($2 > 0) != ('"$3"' > 0)) { print "    " $0 }' "$2"
	ok=0
}

echo
echo "== runs ($RUNS): raw read, reader alone, then dry run, migrate and rerun into a fresh backend"
for ((i = 1; i <= RUNS; i++)); do
	OUT=$DATA/raw.out measure "$LOGS/raw-$i.log" "$BIN/rawread" -url "$REDIS_URL"
	record raw
	[ "$(field "$DATA/raw.out" keys)" = "$KEYS" ] || die "rawread read $(field "$DATA/raw.out" keys) keys, not $KEYS"
	: >"$DATA/raw.out"
	OUT=$DATA/read.out measure "$LOGS/read-$i.log" "$BIN/rawread" -url "$REDIS_URL" -full
	record read
	CPUS[reader]+="$CPU "
	[ "$(field "$DATA/read.out" keys)" = "$KEYS" ] && [ "$(field "$DATA/read.out" invalid)" = 0 ] ||
		die "the reader read: $(cat "$DATA/read.out"); want keys=$KEYS invalid=0"
	: >"$DATA/read.out"

	start_fresh_backend backend-$i
	OUT=$DATA/dry-$i.out measure "$LOGS/dry-$i.log" "${MIGRATE[@]}" --dry-run
	record dry
	check "dry run $i" "$DATA/dry-$i.out" "$N" 0
	b0=$(proc_cpu "${PIDS[-1]}") r0=$(proc_cpu "$REDIS_PID")
	OUT=$DATA/migrate-$i.out measure "$LOGS/migrate-$i.log" "${MIGRATE[@]}"
	record migrate
	CPUS[sensuctl]+="$CPU " CPUS[backend]+="$(cpu_since "${PIDS[-1]}" "$b0") " CPUS[redis]+="$(cpu_since "$REDIS_PID" "$r0") "
	check "migrate $i" "$DATA/migrate-$i.out" "$N" 0
	OUT=$DATA/rerun-$i.out measure "$LOGS/rerun-$i.log" "${MIGRATE[@]}"
	record rerun
	check "rerun $i" "$DATA/rerun-$i.out" 0 "$N"
	if ((i == 1)); then
		W=$(grep -c '^sensuctl: warning' "$LOGS/migrate-1.log" || true)
		[ "$W" = 0 ] || echo "  note: migrate printed $W warning(s), e.g.: $(grep -m1 '^sensuctl: warning' "$LOGS/migrate-1.log")"
	fi
	printf '  run %s: raw %ss, reader %ss, dry run %ss, migrate %ss, rerun %ss; peak RSS of migrate %s MiB\n' "$i" \
		"$(last raw)" "$(last read)" "$(last dry)" "$(last migrate)" "$(last rerun)" "$(mib "$(last migrate RSSES)")"
	printf '         CPU seconds during the migrate: sensuctl %s, sensu-backend %s, redis-server %s\n' \
		"$(last sensuctl CPUS)" "$(last backend CPUS)" "$(last redis CPUS)"
	stop_backend
done
rm -f "$DATA"/dry-*.out # the plan tables: one row per resource

echo
echo "== results ($KEYS Redis keys; $N resources)"
row "raw SCAN+GET (ReadRaw)" raw -
row "reader alone (Read)" read -
row "migrate --dry-run (fresh)" dry "$N"
row "migrate (fresh backend)" migrate "$N"
row "migrate again (unchanged)" rerun "$N"

if [ "$PROFILE" = 1 ]; then
	echo
	echo "== profile: one more migrate into a fresh backend, with sensuctl-prof"
	start_fresh_backend backend-profile
	BENCH_CPUPROFILE=$DATA/cpu.pprof BENCH_MEMPROFILE=$DATA/allocs.pprof OUT=$DATA/profile.out \
		measure "$LOGS/profile.log" "$BIN/sensuctl-prof" migrate sensu1 --redis-url "$REDIS_URL" --namespace "$NAMESPACE"
	check "profiled migrate" "$DATA/profile.out" "$N" 0
	stop_backend
	# Hide the frames every sample has (main, cobra, the command's RunE).
	HIDE='^(main\.|runtime\.main$|github\.com/spf13/cobra|github\.com/sensu-etcd/sensu/internal/cli/sensuctl\.(Main|Run|newMigrateSensu1Command)|sync\.\(\*WaitGroup\))'
	echo "  $T s, peak RSS $(mib "$RSS") MiB; CPU by function, cumulative (top 30):"
	go tool pprof -top -cum -nodecount=30 -hide="$HIDE" "$BIN/sensuctl-prof" "$DATA/cpu.pprof" 2>/dev/null | sed -n '/flat%/,$p' | sed 's/^/    /'
	echo "  CPU by function, flat (top 15):"
	go tool pprof -top -nodecount=15 "$BIN/sensuctl-prof" "$DATA/cpu.pprof" 2>/dev/null | sed -n '/flat%/,$p' | sed 's/^/    /'
	echo "  allocated bytes (not peak: every allocation of the run), cumulative (top 25):"
	go tool pprof -sample_index=alloc_space -top -cum -nodecount=25 -hide="$HIDE" "$BIN/sensuctl-prof" "$DATA/allocs.pprof" 2>/dev/null |
		sed -n '/flat%/,$p' | sed 's/^/    /'
	echo "  profiles: $DATA/cpu.pprof, $DATA/allocs.pprof (KEEP=1 keeps them; go tool pprof $BIN/sensuctl-prof FILE)"
fi

echo
echo "== summary (medians; a busy machine makes them noisy)"
[ "$SCALE" = 1 ] && [ "$CHECKS" = 10 ] && [ -z "$GEN_ARGS" ] ||
	echo "  note: the goals are for the set at SCALE 1 (10,000 clients, 100,000 results); this run used $CLIENTS clients × $CHECKS checks"
MX=$(ratio "${MED[migrate]}" "${MED[raw]}")
MRSS=$(mib "${MEDRSS[migrate]}")
printf '  %-34s %7ss  %8s keys/s  %7s res/s  %5sx the raw read; goal <= %sx: %s\n' "migrate" "${MED[migrate]}" \
	"$(rate "$KEYS" "${MED[migrate]}")" "$(rate "$N" "${MED[migrate]}")" "$MX" "$GOAL_RATIO" "$(verdict "$MX <= $GOAL_RATIO")"
printf '  %-34s %s MiB; goal < %s MB (%s MiB): %s\n' "peak RSS of sensuctl migrate" "$MRSS" "$GOAL_RSS_MB" \
	"$(awk -v g="$GOAL_RSS_MB" 'BEGIN { printf "%.1f", g * 1e6 / 1048576 }')" "$(verdict "${MEDRSS[migrate]} * 1024 < $GOAL_RSS_MB * 1000000")"
for k in dry rerun read; do
	case $k in
	dry) label="migrate --dry-run" ;;
	rerun) label="migrate again (nothing written)" ;;
	read) label="reader alone (sensu1redis.Read)" ;;
	esac
	printf '  %-34s %7ss  %5sx the raw read, peak RSS %s MiB\n' "$label" "${MED[$k]}" "$(ratio "${MED[$k]}" "${MED[raw]}")" "$(mib "${MEDRSS[$k]}")"
done
printf '  %-34s %7ss  %8s keys/s, peak RSS %s MiB\n' "raw SCAN+GET (ReadRaw)" "${MED[raw]}" "$(rate "$KEYS" "${MED[raw]}")" "$(mib "${MEDRSS[raw]}")"
# Where the time goes, from the medians: the dry run reads, translates and
# compares; the migrate adds the writes.
printf '  %-34s read %ss, translate+compare+plan table %ss (dry run - read), writes %ss (migrate - dry run)\n' "split of migrate (approximate)" \
	"${MED[read]}" "$(awk -v a="${MED[dry]}" -v b="${MED[read]}" 'BEGIN { printf "%.3f", a - b }')" \
	"$(awk -v a="${MED[migrate]}" -v b="${MED[dry]}" 'BEGIN { printf "%.3f", a - b }')"
# The three processes share the machine's CPUs: together they bound the
# wall time from below, whatever sensuctl does.
# shellcheck disable=SC2086
read -r CS CB CR < <(echo "$(median ${CPUS[sensuctl]}) $(median ${CPUS[backend]}) $(median ${CPUS[redis]})")
printf '  %-34s sensuctl %ss, sensu-backend %ss, redis-server %ss: %ss on %s CPUs, at least %ss of wall\n' "CPU during migrate (medians)" \
	"$CS" "$CB" "$CR" "$(awk -v a="$CS" -v b="$CB" -v c="$CR" 'BEGIN { printf "%.2f", a + b + c }')" "$(nproc)" \
	"$(awk -v a="$CS" -v b="$CB" -v c="$CR" -v n="$(nproc)" 'BEGIN { printf "%.2f", (a + b + c) / n }')"
printf '  %-34s %ss: the backend and Redis alone need %ss of wall on %s CPUs\n' "3x the raw read" \
	"$(awk -v r="${MED[raw]}" -v g="$GOAL_RATIO" 'BEGIN { printf "%.2f", r * g }')" \
	"$(awk -v b="$CB" -v c="$CR" -v n="$(nproc)" 'BEGIN { printf "%.2f", (b + c) / n }')" "$(nproc)"
# The reader alone (no translation, no encoding, no writes) is work the
# migrate cannot skip: with the rest free, this is its wall time on this
# machine at best.
# shellcheck disable=SC2086
if [[ ${CPUS[reader]} != *-* ]]; then
	CRD=$(median ${CPUS[reader]})
	printf '  %-34s sensuctl %ss of CPU; with that, the backend and Redis: at least %ss of wall on %s CPUs (%sx the raw read) if translating, encoding and sending cost nothing\n' \
		"reader alone (sensu1redis.Read)" "$CRD" "$(awk -v a="$CRD" -v b="$CB" -v c="$CR" -v n="$(nproc)" 'BEGIN { printf "%.2f", (a + b + c) / n }')" "$(nproc)" \
		"$(awk -v a="$CRD" -v b="$CB" -v c="$CR" -v n="$(nproc)" -v r="${MED[raw]}" 'BEGIN { printf "%.2f", (a + b + c) / n / r }')"
fi
if [ "$ok" = 1 ]; then
	echo "  correctness: ok (every dry run planned and every migrate created $N resources, every rerun found them unchanged)"
else
	echo "  correctness: MISMATCH (see above)"
fi
echo
echo "done: every process this script started has stopped"
[ "$ok" = 1 ] || exit 1
