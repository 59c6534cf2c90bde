# Shared by the benchmark scripts: process cleanup, ports, backends.
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
		grep -q '^sensu-backend ready' "$LOGS/$name.log" && [ "$(http_status "$a" /health 2>/dev/null)" = 200 ] && return 0
		kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$LOGS/$name.log" >&2; die "backend $name exited"; }
		sleep 0.1
	done
	cat "$LOGS/$name.log" >&2
	die "backend $name not healthy after 120s"
}
