# Shared by the benchmark scripts: process cleanup, ports, backends.
# Default ports are below 32768, outside Linux's ephemeral range, so that an
# outgoing connection of the benchmark itself cannot hold one of them.
# A script sets SCRIPT, TMP, LOGS, BIN, KEEP and BASE_PORT, then sources this
# file; processes it starts go in PIDS and are stopped when it exits.

PIDS=()
stop_pid() { # stop_pid PID: SIGTERM, wait up to 30s, then SIGKILL
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$SCRIPT: process $pid did not stop in 30s; killing it" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
	if [ "$KEEP" = 1 ] || { [ "$rc" != 0 ] && [ "$rc" != 130 ]; }; then
		echo "work directory kept: $TMP (logs in $LOGS)" >&2
		[ "$KEEP" = 1 ] || echo "  remove it with: rm -rf $TMP" >&2
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "$SCRIPT: $*" >&2; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for ((p = BASE_PORT; p < BASE_PORT + 10; p++)); do
	port_free "$p" || die "port $p on 127.0.0.1 is in use; set BASE_PORT to the start of 10 free ports"
done

http_status() { # http_status PORT PATH: the status code of GET, using bash only
	local line
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
	IFS=' ' read -r _ line _ <&3 || true
	exec 3<&- 3>&-
	echo "$line"
}

# start_backend NAME STATE_DIR PORT_OFFSET [extra flags...]: ports BASE+OFF (client),
# +1 (peer), +2 (API); waits up to 120s for the ready line and a healthy /health.
start_backend() {
	local name=$1 dir=$2 off=$3 i
	shift 3
	local c=$((BASE_PORT + off)) p=$((BASE_PORT + off + 1)) a=$((BASE_PORT + off + 2))
	"$BIN/sensu-backend" start --state-dir "$dir" --etcd-name "$name" \
		--etcd-listen-client-urls "http://127.0.0.1:$c" --etcd-advertise-client-urls "http://127.0.0.1:$c" \
		--etcd-listen-peer-urls "http://127.0.0.1:$p" --etcd-initial-advertise-peer-urls "http://127.0.0.1:$p" \
		--api-listen-address "127.0.0.1:$a" "$@" 2>"$LOGS/$name.log" &
	PIDS+=($!)
	for ((i = 0; i < 1200; i++)); do
		grep -qs '^sensu-backend ready' "$LOGS/$name.log" && [ "$(http_status "$a" /health 2>/dev/null)" = 200 ] && return 0
		kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$LOGS/$name.log" >&2; die "backend $name exited"; }
		sleep 0.1
	done
	cat "$LOGS/$name.log" >&2
	die "backend $name not healthy after 120s"
}

# start_fresh_backend NAME: a fresh backend in $TMP/state/NAME on BASE_PORT
# (client URL $C), with BACKEND_FLAGS if set, then 'sensu-backend init'.
start_fresh_backend() {
	local name=$1
	rm -rf "$TMP/state/$name"
	mkdir -p "$TMP/state"
	start_backend "$name" "$TMP/state/$name" 0 ${BACKEND_FLAGS[@]+"${BACKEND_FLAGS[@]}"}
	"$BIN/sensu-backend" init --etcd-client-urls "$C" >"$LOGS/$name-init.log" 2>&1 ||
		{ cat "$LOGS/$name-init.log" >&2; die "sensu-backend init failed on $name"; }
}
stop_backend() { # stops the running backend (the last process started) and removes its state
	stop_pid "${PIDS[-1]}"
	unset 'PIDS[-1]'
	rm -rf "$TMP/state"
}

# Peak RSS: /usr/bin/time -f %M if it works here, else VmHWM from /proc.
if [ "${RSS_PROC:-0}" != 1 ] && [ -x /usr/bin/time ] && /usr/bin/time -f %M -o "$TMP/probe" true 2>/dev/null && [ -s "$TMP/probe" ]; then
	RSS_TOOL="/usr/bin/time -f %M"
else
	RSS_TOOL="VmHWM from /proc/PID/status every 20 ms"
fi

# measure LOG CMD...: runs CMD, its output to LOG (stdout to OUT when set);
# sets T (wall seconds), RSS (peak resident set of CMD, KiB) and CPU (its user
# plus system CPU seconds, "-" without /usr/bin/time). Fails when
# CMD fails.
measure() {
	local log=$1 out=${OUT:-$1} t0 t1 rc=0 pid k v _
	shift
	: >"$log"
	if [ "${RSS_TOOL:0:1}" = / ]; then
		t0=$EPOCHREALTIME
		/usr/bin/time -f '%M %U %S' -o "$TMP/rss" "$@" >>"$out" 2>>"$log" || rc=$?
		t1=$EPOCHREALTIME
		read -r RSS CPU_USER CPU_SYS < <(tail -1 "$TMP/rss")
		CPU=$(awk -v u="$CPU_USER" -v s="$CPU_SYS" 'BEGIN { printf "%.2f", u + s }')
	else
		RSS=0 CPU=-
		t0=$EPOCHREALTIME
		"$@" >>"$out" 2>>"$log" &
		pid=$!
		PIDS+=("$pid")
		while kill -0 "$pid" 2>/dev/null; do
			while read -r k v _; do
				if [ "$k" = VmHWM: ] && ((v > RSS)); then RSS=$v; fi
			done 2>/dev/null <"/proc/$pid/status" || true
			sleep 0.02
		done
		wait "$pid" || rc=$?
		t1=$EPOCHREALTIME
		unset 'PIDS[-1]'
	fi
	T=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	if [ "$rc" != 0 ]; then
		echo "$SCRIPT: failed (exit $rc): $*" >&2
		tail -40 "$log" >&2
		[ "$out" = "$log" ] || tail -20 "$out" >&2
		return 1
	fi
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
verdict() { awk "BEGIN { print ($1) ? \"met\" : \"NOT met\" }"; } # verdict 'A <= B' (numbers)

# summary FILE: reads the total row of a restore or migrate summary into cr (created),
# up (updated), un (unchanged), sk (skipped) and fa (failed).
summary() {
	read -r cr up un sk fa < <(awk '$1 == "total" { print $2, $3, $4, $5, $6 }' "$1") ||
		{ cat "$1" >&2; die "no summary in $1"; }
}

record() { TIMES[$1]+="$T " RSSES[$1]+="$RSS "; }
