#!/usr/bin/env bash
# bench/cluster.sh: measure the cluster commands against real backends on 127.0.0.1.
#
#   a. wall time of `sensuctl cluster member-list` against a 3-member cluster, next to
#      `etcdctl member list` and `etcdctl endpoint status --cluster -w table`;
#   b. time from `sensuctl cluster member-add --wait` to a promoted voter, on an empty
#      store and with ~100 MB in it, split into add -> new backend ready -> promoted.
#
# Run from the repository root: bash bench/cluster.sh
# Needs Go (it builds sensu-backend, sensuctl, bench/loadkeys and etcdctl v3.7.3 into a
# temporary directory). Uses hyperfine when installed, a date +%s%N loop otherwise.
# Every process it starts is stopped on exit; the temporary directory is removed
# (BENCH_KEEP=1 keeps it).
#
# Settings (environment):
#   BENCH_RUNS=20            runs per command in part a
#   BENCH_ADD_RUNS=3         member-add runs on an empty store
#   BENCH_DATA_ADD_RUNS=3    member-add runs with data in the store
#   BENCH_KEYS=100000        keys loaded for the data runs
#   BENCH_VALUE_SIZE=1024    bytes per value
#   BENCH_PORT_BASE=24000    member i uses BASE+10i+1 (etcd clients), +2 (peers), +3 (API)
#   BENCH_NO_HYPERFINE=1     use the timing loop even when hyperfine is installed
#   BENCH_KEEP=1             keep the temporary directory (state dirs, logs)
set -euo pipefail

RUNS=${BENCH_RUNS:-20}
ADD_RUNS=${BENCH_ADD_RUNS:-3}
DATA_ADD_RUNS=${BENCH_DATA_ADD_RUNS:-3}
KEYS=${BENCH_KEYS:-100000}
VALUE_SIZE=${BENCH_VALUE_SIZE:-1024}
PORT_BASE=${BENCH_PORT_BASE:-24000}
ETCD_VERSION=v3.7.3

if [[ ! -f go.mod || ! -d cmd/sensu-backend || ! -f bench/loadkeys/main.go ]]; then
	echo "bench/cluster.sh: run it from the repository root" >&2
	exit 2
fi

TMP=$(mktemp -d /tmp/sensu-cluster-bench.XXXXXX)
BIN=$TMP/bin
mkdir -p "$BIN"
export XDG_CONFIG_HOME=$TMP/xdg          # no sensuctl profile interferes
export SENSU_BACKEND_CONFIG_FILE=/dev/null # no /etc/sensu/backend.yml
unset SENSUCTL_ENDPOINTS SENSUCTL_PROFILE SENSUCTL_CONFIG_FILE SENSUCTL_FORMAT SENSU_FORMAT || true

declare -A BACKEND_PID=() # member name -> pid
declare -a OTHER_PIDS=()
declare -a COMMANDS=()
declare -a SUMMARY=()
declare -a NOTES=()

log() { printf '%s\n' "$*"; }
note() { NOTES+=("$*"); log "NOTE: $*"; }
now_ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

# ---------------------------------------------------------------- cleanup
stop_pid() { # pid: SIGTERM, wait up to 45 s, then SIGKILL
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 450; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "NOTE: pid $pid did not stop within 45 s of SIGTERM; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

stop_backends() { # stop every running backend at once, then wait for each
	local name pid
	for name in "${!BACKEND_PID[@]}"; do
		kill -TERM "${BACKEND_PID[$name]}" 2>/dev/null || true
	done
	for name in "${!BACKEND_PID[@]}"; do
		pid=${BACKEND_PID[$name]}
		stop_pid "$pid"
		unset "BACKEND_PID[$name]"
	done
}

cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	for pid in "${OTHER_PIDS[@]}"; do
		stop_pid "$pid"
	done
	stop_backends
	if [[ ${BENCH_KEEP:-} == 1 ]]; then
		log "kept $TMP"
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- build
log "== build"
t0=$(now_ns)
go build -o "$BIN/sensu-backend" ./cmd/sensu-backend
go build -o "$BIN/sensuctl" ./cmd/sensuctl
go build -o "$BIN/loadkeys" ./bench/loadkeys
if ! GOBIN=$BIN go install go.etcd.io/etcd/etcdctl/v3@$ETCD_VERSION 2>"$TMP/etcdctl-install.err"; then
	# etcdctl's go.mod has replace directives, which `go install pkg@version` refuses.
	# Build it as a dependency of a throwaway module instead (the replaces then do not apply).
	if grep -q 'replace directives' "$TMP/etcdctl-install.err"; then
		why="its go.mod contains replace directives, which 'go install pkg@version' refuses"
	else
		why=$(tr '\n' ' ' <"$TMP/etcdctl-install.err" | head -c 300)
	fi
	note "'go install go.etcd.io/etcd/etcdctl/v3@$ETCD_VERSION' failed ($why); built etcdctl as a dependency of a throwaway module ('go get' + 'go build') instead"
	mkdir -p "$TMP/etcdctl-build"
	(
		cd "$TMP/etcdctl-build"
		export GOWORK=off GOFLAGS=-mod=mod
		go mod init etcdctl-build >/dev/null 2>&1
		go get "go.etcd.io/etcd/etcdctl/v3@$ETCD_VERSION" >/dev/null 2>&1
		go build -o "$BIN/etcdctl" go.etcd.io/etcd/etcdctl/v3
	)
fi
S=$BIN/sensuctl
E=$BIN/etcdctl
log "built in $(secs "$t0" "$(now_ns)") s: $("$BIN/sensu-backend" version 2>&1 | head -1); $("$E" version | head -1)"

HAVE_HYPERFINE=0
if [[ ${BENCH_NO_HYPERFINE:-} != 1 ]] && command -v hyperfine >/dev/null 2>&1; then
	HAVE_HYPERFINE=1
	TIMER="hyperfine $(hyperfine --version | awk '{print $2}') (-N, 2 warm-up runs)"
else
	TIMER="date +%s%N loop (2 warm-up runs; includes ~1 ms of fork/exec of date itself)"
fi

# ---------------------------------------------------------------- backends
client_port() { echo $((PORT_BASE + 10 * $1 + 1)); }
peer_port() { echo $((PORT_BASE + 10 * $1 + 2)); }
api_port() { echo $((PORT_BASE + 10 * $1 + 3)); }
client_url() { echo "http://127.0.0.1:$(client_port "$1")"; }
peer_url() { echo "http://127.0.0.1:$(peer_port "$1")"; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for i in 1 2 3; do
	for port in $(client_port $i) $(peer_port $i) $(api_port $i); do
		if ! port_free "$port"; then
			echo "bench/cluster.sh: 127.0.0.1:$port is in use; set BENCH_PORT_BASE to a free range" >&2
			exit 1
		fi
	done
done

BACKEND_FLAGS_NOTE="--etcd-unsafe-no-fsync"
start_backend() { # i state-dir [extra flags...]: start member b<i>, in the background
	local i=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	"$BIN/sensu-backend" start --state-dir "$dir" --etcd-name "b$i" \
		--etcd-listen-client-urls "$(client_url "$i")" --etcd-advertise-client-urls "$(client_url "$i")" \
		--etcd-listen-peer-urls "$(peer_url "$i")" --etcd-initial-advertise-peer-urls "$(peer_url "$i")" \
		--api-listen-address "127.0.0.1:$(api_port "$i")" $BACKEND_FLAGS_NOTE "$@" \
		>"$dir.out" 2>"$dir.err" &
	BACKEND_PID[b$i]=$!
}

wait_ready() { # i state-dir timeout-seconds: wait for the "sensu-backend ready" line
	local i=$1 dir=$2 limit=$(($3 * 50)) n
	for ((n = 0; n < limit; n++)); do
		if grep -q '^sensu-backend ready' "$dir.err" 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "${BACKEND_PID[b$i]}" 2>/dev/null; then
			echo "bench/cluster.sh: b$i exited before it was ready:" >&2
			tail -5 "$dir.err" >&2
			exit 1
		fi
		sleep 0.02
	done
	echo "bench/cluster.sh: b$i not ready after $3 s:" >&2
	tail -5 "$dir.err" >&2
	exit 1
}

http_status() { # port path: HTTP status code of a GET, with bash's /dev/tcp (no curl needed)
	local line
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
	IFS= read -r line <&3 || true
	exec 3<&- 3>&-
	awk '{print $2}' <<<"$line"
}

wait_healthy() { # i: until GET /health on b<i> answers 200 (10 s)
	local n code
	for ((n = 0; n < 100; n++)); do
		code=$(http_status "$(api_port "$1")" /health 2>/dev/null || true)
		[[ $code == 200 ]] && return 0
		sleep 0.1
	done
	echo "bench/cluster.sh: b$1 /health did not answer 200 within 10 s (last: ${code:-none})" >&2
	exit 1
}

# ---------------------------------------------------------------- statistics
stats() { # numbers on stdin -> "median p90 min max n"
	sort -n | awk '{ a[NR] = $1 } END {
		n = NR; if (n == 0) { print "0 0 0 0 0"; exit }
		med = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		k = int(0.9 * n); if (k < 0.9 * n) k++; if (k < 1) k = 1
		printf "%.2f %.2f %.2f %.2f %d\n", med, a[k], a[1], a[n], n }'
}

TIMES=() # set by time_command: median p90 min max n (ms)
time_command() { # label command...: run it RUNS times (after 2 warm-up runs)
	local label=$1 i t0 t1
	shift
	local out=$TMP/times-${label//[^a-zA-Z0-9]/_}
	COMMANDS+=("$*")
	if ! "$@" >"$out.check" 2>&1; then
		echo "bench/cluster.sh: '$*' failed:" >&2
		cat "$out.check" >&2
		exit 1
	fi
	if ((HAVE_HYPERFINE)); then
		if ! hyperfine -N --warmup 2 --runs "$RUNS" --style none --export-json "$out.json" "$*" >"$out.log" 2>&1; then
			echo "bench/cluster.sh: hyperfine failed on '$*':" >&2
			cat "$out.log" >&2
			exit 1
		fi
		awk '/"times": \[/ { on = 1; next } on && /\]/ { on = 0 } on { gsub(/[ ,]/, ""); printf "%.3f\n", $0 * 1000 }' "$out.json" >"$out"
	else
		for ((i = 0; i < 2; i++)); do "$@" >/dev/null 2>&1 || true; done
		: >"$out"
		for ((i = 0; i < RUNS; i++)); do
			t0=$(now_ns)
			"$@" >/dev/null 2>&1 || { echo "bench/cluster.sh: '$*' failed on run $i" >&2; exit 1; }
			t1=$(now_ns)
			awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }' >>"$out"
		done
	fi
	read -r -a TIMES < <(stats <"$out")
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# ================================================================= part a
log ""
log "== a. member-list wall time, 3-member cluster ($RUNS runs each, $TIMER)"
A=$TMP/a
IC="b1=$(peer_url 1),b2=$(peer_url 2),b3=$(peer_url 3)"
t0=$(now_ns)
for i in 1 2 3; do
	start_backend "$i" "$A/b$i" --etcd-initial-cluster "$IC"
done
for i in 1 2 3; do wait_ready "$i" "$A/b$i" 60; done
for i in 1 2 3; do wait_healthy "$i"; done
log "3 members formed and healthy in $(secs "$t0" "$(now_ns)") s"
EPS="$(client_url 1),$(client_url 2),$(client_url 3)"
"$BIN/sensu-backend" init --etcd-client-urls "$(client_url 1)" >/dev/null

# Sanity: all three tools see three members.
n_ours=$("$S" --endpoints "$EPS" cluster member-list -o json | grep -c '"name": "b[0-9]"' || true)
n_etcd=$("$E" --endpoints="$EPS" member list | grep -c 'started' || true)
if [[ $n_ours != 3 || $n_etcd != 3 ]]; then
	echo "bench/cluster.sh: expected 3 members, sensuctl saw $n_ours and etcdctl $n_etcd" >&2
	exit 1
fi

time_command "baseline-sensuctl" "$S" help exit-codes
base_ours_med=${TIMES[0]} base_ours_p90=${TIMES[1]}
time_command "baseline-etcdctl" "$E" version
base_etcd_med=${TIMES[0]} base_etcd_p90=${TIMES[1]}
time_command "sensuctl-member-list" "$S" --endpoints "$EPS" cluster member-list
ours_med=${TIMES[0]} ours_p90=${TIMES[1]}
time_command "etcdctl-member-list" "$E" --endpoints="$EPS" member list
el_med=${TIMES[0]} el_p90=${TIMES[1]}
time_command "etcdctl-endpoint-status" "$E" --endpoints="$EPS" endpoint status --cluster -w table
es_med=${TIMES[0]} es_p90=${TIMES[1]}

fmt_row() { printf '  %-52s median %7s ms   p90 %7s ms\n' "$1" "$2" "$3"; }
A_LINES=(
	"$(fmt_row "sensuctl cluster member-list" "$ours_med" "$ours_p90")"
	"$(fmt_row "etcdctl member list" "$el_med" "$el_p90")"
	"$(fmt_row "etcdctl endpoint status --cluster -w table" "$es_med" "$es_p90")"
	"  ratio member-list / etcdctl member list:           median $(ratio "$ours_med" "$el_med")x   p90 $(ratio "$ours_p90" "$el_p90")x"
	"  ratio member-list / etcdctl endpoint status:       median $(ratio "$ours_med" "$es_med")x   p90 $(ratio "$ours_p90" "$es_p90")x"
	"$(fmt_row "process start only: sensuctl help exit-codes" "$base_ours_med" "$base_ours_p90")"
	"$(fmt_row "process start only: etcdctl version" "$base_etcd_med" "$base_etcd_p90")"
)
printf '%s\n' "${A_LINES[@]}"
log "  (member-list also asks every member for its status: one extra connection and"
log "   Status call per member, which is what 'etcdctl endpoint status --cluster' does too)"
t0=$(now_ns)
stop_backends
log "stopped the 3 members in $(secs "$t0" "$(now_ns)") s"

# ================================================================= part b
# One run: member-add b2 --wait against b1, start b2 from the printed settings, and
# watch both until member-add exits (promoted) and b2 prints its ready line. Sets
# ADD_RESULT to "printed started ready voter" (seconds since member-add started).
ADD_RESULT=""
add_run() { # state-dir-of-b2 label
	local dir=$1 label=$2 t0 t_printed t_start t_ready="" t_done="" n ic rc=0 add_pid pubs
	rm -rf "$dir" "$dir.out" "$dir.err"
	local out=$TMP/add-$label.out err=$TMP/add-$label.err
	t0=$(now_ns)
	"$S" --endpoints "$(client_url 1)" cluster member-add b2 --peer-urls "$(peer_url 2)" --client-urls "$(client_url 2)" --wait >"$out" 2>"$err" &
	add_pid=$!
	OTHER_PIDS=("$add_pid")
	for ((n = 0; n < 6000; n++)); do # 120 s
		grep -q -- '--etcd-initial-cluster ' "$out" 2>/dev/null && break
		if ! kill -0 "$add_pid" 2>/dev/null; then
			grep -q -- '--etcd-initial-cluster ' "$out" 2>/dev/null && break
			wait "$add_pid" || rc=$?
			echo "bench/cluster.sh: member-add exited with $rc before printing the settings:" >&2
			cat "$err" >&2
			exit 1
		fi
		sleep 0.02
	done
	t_printed=$(now_ns)
	ic=$(awk '$1 == "--etcd-initial-cluster" { print $2 }' "$out")
	if [[ -z $ic ]]; then
		echo "bench/cluster.sh: no '--etcd-initial-cluster' line in member-add's output:" >&2
		cat "$out" "$err" >&2
		exit 1
	fi
	t_start=$(now_ns)
	start_backend 2 "$dir" --etcd-initial-cluster "$ic" --etcd-initial-cluster-state existing
	for ((n = 0; n < 15000; n++)); do # 300 s
		if [[ -z $t_ready ]] && grep -q '^sensu-backend ready' "$dir.err" 2>/dev/null; then
			t_ready=$(now_ns)
		fi
		if [[ -z $t_done ]] && ! kill -0 "$add_pid" 2>/dev/null; then
			t_done=$(now_ns)
			wait "$add_pid" || rc=$?
			OTHER_PIDS=()
			if ((rc != 0)); then
				echo "bench/cluster.sh: member-add --wait exited with $rc:" >&2
				cat "$err" >&2
				exit 1
			fi
		fi
		[[ -n $t_ready && -n $t_done ]] && break
		if ! kill -0 "${BACKEND_PID[b2]}" 2>/dev/null; then
			echo "bench/cluster.sh: b2 exited while joining:" >&2
			tail -5 "$dir.err" >&2
			exit 1
		fi
		sleep 0.02
	done
	if [[ -z $t_ready || -z $t_done ]]; then
		echo "bench/cluster.sh: b2 not ready or not promoted after 300 s" >&2
		exit 1
	fi
	if ! grep -q 'b2 is now a voter' "$out"; then
		echo "bench/cluster.sh: member-add --wait exited 0 without 'b2 is now a voter':" >&2
		tail -3 "$out" >&2
		exit 1
	fi
	if grep -q 'refuses membership changes' "$err"; then
		note "run $label: member-add retried: $(grep -m1 'refuses membership changes' "$err")"
	fi
	pubs=$(grep -c 'failed to publish local member to cluster through raft' "$dir.err" || true)
	if ((pubs > 0)); then
		note "run $label: the new backend logged $pubs x 'failed to publish local member to cluster through raft' (etcd's publish timeout is 11 s here) before its ready line"
	fi
	ADD_RESULT="$(secs "$t0" "$t_printed") $(secs "$t0" "$t_start") $(secs "$t0" "$t_ready") $(secs "$t0" "$t_done")"
}

remove_b2() { # member-remove b2 and check the removed backend exits with code 4
	local rc=0 n t0 pid=${BACKEND_PID[b2]}
	t0=$(now_ns)
	if ! "$S" --endpoints "$(client_url 1)" cluster member-remove b2 --yes >"$TMP/remove.out" 2>"$TMP/remove.err"; then
		echo "bench/cluster.sh: member-remove b2 failed:" >&2
		cat "$TMP/remove.err" >&2
		exit 1
	fi
	if grep -q 'refuses membership changes' "$TMP/remove.err"; then
		note "member-remove b2 (right after the promotion) retried for $(secs "$t0" "$(now_ns)") s: $(grep -m1 'refuses' "$TMP/remove.err")"
	fi
	for ((n = 0; n < 300; n++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		note "b2 still running 30 s after member-remove; stopping it"
		stop_pid "$pid"
	else
		wait "$pid" || rc=$?
		[[ $rc == 4 ]] || note "removed backend b2 exited with code $rc (docs/backend.md says 4)"
	fi
	unset "BACKEND_PID[b2]"
}

B_HEADER=$(printf '  %-22s %8s %8s %8s %8s' "run" "printed" "started" "ready" "voter")
declare -a B_LINES=()
declare -a B_MEDIANS=()
add_series() { # label runs: run member-add against the running b1 `runs` times
	local label=$1 runs=$2 r printed started ready voter slug
	local -a voters=() readys=()
	slug=${label//[^a-zA-Z0-9]/_}
	for ((r = 1; r <= runs; r++)); do
		add_run "$B/b2-$slug-$r" "$slug-$r"
		read -r printed started ready voter <<<"$ADD_RESULT"
		voters+=("$voter")
		readys+=("$ready")
		B_LINES+=("$(printf '  %-22s %8s %8s %8s %8s' "$label #$r" "$printed" "$started" "$ready" "$voter")")
		log "${B_LINES[-1]}"
		log "      member-add said: $(grep '^sensuctl: ' "$TMP/add-$slug-$r.err" | sed 's/^sensuctl: //' | paste -sd '|' | sed 's/|/ | /g')"
		remove_b2
	done
	read -r vmed _ vmin vmax _ < <(printf '%s\n' "${voters[@]}" | stats)
	read -r rmed _ rmin rmax _ < <(printf '%s\n' "${readys[@]}" | stats)
	B_MEDIANS+=("$(printf '  %-22s promoted voter after %s s median (min %s, max %s); new backend ready after %s s median (min %s, max %s); %d runs' \
		"$label:" "$vmed" "$vmin" "$vmax" "$rmed" "$rmin" "$rmax" "$runs")")
	log "${B_MEDIANS[-1]}"
}

log ""
log "== b. member-add --wait until the new member is a promoted voter (cluster of b1 → b1+b2)"
log "$B_HEADER"
B=$TMP/b
COMMANDS+=("$S --endpoints $(client_url 1) cluster member-add b2 --peer-urls $(peer_url 2) --client-urls $(client_url 2) --wait")
COMMANDS+=("$BIN/sensu-backend start --state-dir DIR --etcd-name b2 ... --etcd-initial-cluster <printed> --etcd-initial-cluster-state existing $BACKEND_FLAGS_NOTE")
COMMANDS+=("$S --endpoints $(client_url 1) cluster member-remove b2 --yes   (between runs; the removed backend must exit 4)")

start_backend 1 "$B/b1-empty"
wait_ready 1 "$B/b1-empty" 60
"$BIN/sensu-backend" init --etcd-client-urls "$(client_url 1)" >/dev/null
add_series "empty store" "$ADD_RUNS"
stop_backends

start_backend 1 "$B/b1-data"
wait_ready 1 "$B/b1-data" 60
"$BIN/sensu-backend" init --etcd-client-urls "$(client_url 1)" >/dev/null
t0=$(now_ns)
COMMANDS+=("$BIN/loadkeys -endpoints $(client_url 1) -keys $KEYS -size $VALUE_SIZE -workers 16")
load_line=$("$BIN/loadkeys" -endpoints "$(client_url 1)" -keys "$KEYS" -size "$VALUE_SIZE" -workers 16)
log "  $load_line"
db_bytes=$("$S" --endpoints "$(client_url 1)" cluster member-list -o json | awk -F': ' '/"db_size"/ { gsub(/,/, "", $2); print $2; exit }')
db_mib=$(awk -v b="${db_bytes:-0}" 'BEGIN { printf "%.0f", b / 1048576 }')
log "  database of b1 after loading: $db_mib MiB"
add_series "$db_mib MiB store" "$DATA_ADD_RUNS"
stop_backends

# ================================================================= summary
mem_total=$(free -h 2>/dev/null | awk '/^Mem:/ { print $2 }')
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
fs_type=$(df -T "$TMP" 2>/dev/null | awk 'NR == 2 { print $2 }')
cat <<EOF

==================================================================== summary
machine:   $(nproc) CPUs${cpu_model:+ ($cpu_model)}, ${mem_total:-?} RAM, $(uname -sr), state dirs on ${fs_type:-?} ($TMP)
software:  $("$BIN/sensu-backend" version 2>&1 | head -1); $("$E" version | head -1); $(go version | awk '{print $3}')
timing:    $TIMER
backends:  started with --etcd-unsafe-no-fsync (no fsync: these figures are not about
           durability; a real disk adds its fsync latency to every raft write)
settings:  BENCH_RUNS=$RUNS BENCH_ADD_RUNS=$ADD_RUNS BENCH_DATA_ADD_RUNS=$DATA_ADD_RUNS BENCH_KEYS=$KEYS BENCH_VALUE_SIZE=$VALUE_SIZE

a. member-list wall time against the same 3-member cluster (all 3 endpoints given to each tool)
$(printf '%s\n' "${A_LINES[@]}")

b. member-add --wait to a promoted voter (1 member -> 2): seconds since member-add started
   printed: member-add printed the start settings (pre-flight done, learner added)
   started: the new backend was started with them
   ready:   the new backend printed "sensu-backend ready" (joined, caught up, published)
   voter:   member-add --wait exited 0 ("b2 is now a voter")
$B_HEADER
$(printf '%s\n' "${B_LINES[@]}")
$(printf '%s\n' "${B_MEDIANS[@]}")
   data: $load_line; b1 database $db_mib MiB

commands:
$(printf '  %s\n' "${COMMANDS[@]}")
EOF
if ((${#NOTES[@]} > 0)); then
	log ""
	log "notes:"
	printf '  %s\n' "${NOTES[@]}"
fi
