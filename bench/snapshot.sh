#!/usr/bin/env bash
# Snapshot benchmark: save and restore of a ~256 MB store, sensuctl against
# etcd's own etcdctl and etcdutl (v3.7.3), with dd as the disk reference.
#
#   bench/snapshot.sh            from the repository root; needs only Go
#
# One sensu-backend (fsync on: the disk is the point) gets KEYS keys of
# VALUE_SIZE bytes under /sensu.io/checks/bench/ from WRITERS concurrent
# writers (bench/snapload). Then, on that keyspace, each operation runs RUNS
# times (the order of the tools alternates between runs; each run starts after
# a sync, so no run pays for the last one's writeback) and the script prints
# every run, the median and the best run, MB/s (10^6 bytes of snapshot per
# second), the ratio ours/theirs (goal >= 1.0x) and each as a percentage of
# dd's write speed. On a busy machine the best runs are the steadier figure.
# Last, it checks interoperability both ways and that an interrupted save
# leaves no file.
#
# Settings (environment): KEYS (250000), VALUE_SIZE (1024), WRITERS (16),
# BATCH (1 put per request), RUNS (5), BASE_PORT (25100: uses the next 10
# ports), KEEP=1 keeps the work directory. Everything binds to 127.0.0.1.
set -euo pipefail

KEYS=${KEYS:-250000}
VALUE_SIZE=${VALUE_SIZE:-1024}
WRITERS=${WRITERS:-16}
BATCH=${BATCH:-1}
RUNS=${RUNS:-5}
BASE_PORT=${BASE_PORT:-25100}
KEEP=${KEEP:-0}
ETCD_VERSION=3.7.3

cd "$(dirname "$0")/.."
[ -f go.mod ] && grep -q '^module github.com/sensu-etcd/sensu$' go.mod || { echo "snapshot.sh: run it from the sensu repository" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sensu-snapbench.XXXXXX")
BIN=$TMP/bin LOGS=$TMP/logs
mkdir -p "$BIN" "$LOGS" "$TMP/snap" "$TMP/restore"
export XDG_CONFIG_HOME=$TMP/xdg SENSU_BACKEND_CONFIG_FILE=/dev/null
unset SENSUCTL_ENDPOINTS SENSUCTL_PROFILE SENSUCTL_CONFIG_FILE ETCDCTL_ENDPOINTS

SCRIPT=snapshot.sh
# shellcheck source=bench/lib.sh
. bench/lib.sh

stop_last() { # stops the most recently started process
	stop_pid "${PIDS[-1]}"
	unset 'PIDS[-1]'
}

# timed LOG CMD...: runs CMD with output to LOG, prints its wall time in seconds.
timed() {
	local log=$1 t0 t1
	shift
	# Nothing left dirty by the last run may be written back during this one.
	sync
	t0=$EPOCHREALTIME
	if ! "$@" >"$log" 2>&1; then
		echo "snapshot.sh: failed: $*" >&2
		cat "$log" >&2
		return 1
	fi
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1e6 / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }

declare -A TIMES
row() { # row LABEL BYTES KEY: one line of the results table, from TIMES[KEY]
	local label=$1 bytes=$2 key=$3 t m best
	# shellcheck disable=SC2086
	set -- ${TIMES[$key]}
	m=$(median "$@")
	best=$(printf '%s\n' "$@" | sort -g | head -1)
	MED[$key]=$m BEST[$key]=$best
	printf '  %-50s' "$label"
	for t in "$@"; do printf ' %8ss' "$t"; done
	printf '  median %7ss %7s MB/s  (best %7s MB/s)\n' "$m" "$(mbps "$bytes" "$m")" "$(mbps "$bytes" "$best")"
}
declare -A MED BEST

echo "== build (go $(go env GOVERSION), $(nproc) CPUs)"
go build -o "$BIN/" ./cmd/sensu-backend ./cmd/sensuctl ./bench/snapload ./internal/testutil/plainetcd
# 'go install go.etcd.io/etcd/etcdctl/v3@v3.7.3' is refused: etcd's tool
# modules carry replace directives. go.mod pins both tools (tool directives);
# without them, build from a throwaway module that requires them.
if ! go build -o "$BIN/" go.etcd.io/etcd/etcdctl/v3 go.etcd.io/etcd/etcdutl/v3 2>"$LOGS/tools.log"; then
	mkdir -p "$TMP/tools"
	(
		cd "$TMP/tools"
		printf 'module snapbenchtools\n\ngo 1.26.0\n' >go.mod
		go get "go.etcd.io/etcd/etcdctl/v3@v$ETCD_VERSION" "go.etcd.io/etcd/etcdutl/v3@v$ETCD_VERSION"
		go build -o "$BIN/" go.etcd.io/etcd/etcdctl/v3 go.etcd.io/etcd/etcdutl/v3
	) >>"$LOGS/tools.log" 2>&1 || { cat "$LOGS/tools.log" >&2; die "cannot build etcdctl/etcdutl v$ETCD_VERSION"; }
fi
for t in etcdctl etcdutl; do
	v=$("$BIN/$t" version | awk 'NR == 1 { print $3 }')
	[ "$v" = "$ETCD_VERSION" ] || die "$t is version $v, not $ETCD_VERSION"
done
echo "  sensu-backend, sensuctl, snapload, etcdctl $ETCD_VERSION, etcdutl $ETCD_VERSION, plain etcd"
echo "  work dir $TMP on $(df -P "$TMP" | awk 'NR == 2 { print $1 }')"

C=http://127.0.0.1:$BASE_PORT
echo
echo "== load: one backend, fsync on"
start_backend b1 "$TMP/b1" 0
"$BIN/sensuctl" --endpoints "$C" cluster member-list >"$LOGS/member-list.txt"
# In the background, so that a signal stops the script at once (bash runs traps
# only after a foreground child ends).
"$BIN/snapload" -endpoints "$C" -keys "$KEYS" -value-size "$VALUE_SIZE" -writers "$WRITERS" -batch "$BATCH" \
	-prefix /sensu.io/checks/bench/ >"$LOGS/snapload.log" 2>&1 &
PIDS+=($!)
wait "${PIDS[-1]}" || { cat "$LOGS/snapload.log" >&2; die "loading the store failed"; }
unset 'PIDS[-1]'
sed 's/^/  /' "$LOGS/snapload.log"

echo
echo "== snapshot save, $RUNS runs each"
for ((i = 1; i <= RUNS; i++)); do
	rm -f "$TMP"/snap/*
	ours() { TIMES[save_ours]+="$(timed "$LOGS/save-ours-$i.log" "$BIN/sensuctl" --endpoints "$C" snapshot save "$TMP/snap/ours.db") "; }
	theirs() { TIMES[save_etcdctl]+="$(timed "$LOGS/save-etcdctl-$i.log" "$BIN/etcdctl" --endpoints "$C" snapshot save "$TMP/snap/etcdctl.db") "; }
	if ((i % 2)); then ours; theirs; else theirs; ours; fi
done
SNAP=$TMP/snap/ours.db ESNAP=$TMP/snap/etcdctl.db
SIZE=$(stat -c %s "$SNAP")
[ "$SIZE" = "$(stat -c %s "$ESNAP")" ] || echo "  note: the two snapshots differ in size: $SIZE and $(stat -c %s "$ESNAP") bytes"
echo "  snapshot: $SIZE bytes ($(mbps "$SIZE" 1) MB); ours has a sidecar: $(basename "$SNAP").meta.json"
row "sensuctl snapshot save" "$SIZE" save_ours
row "etcdctl snapshot save" "$SIZE" save_etcdctl

echo
echo "== snapshot inspect / verify of that file, $RUNS runs each"
for ((i = 1; i <= RUNS; i++)); do
	TIMES[inspect]+="$(timed "$LOGS/inspect-$i.log" "$BIN/sensuctl" snapshot inspect "$SNAP") "
	TIMES[verify]+="$(timed "$LOGS/verify-$i.log" "$BIN/sensuctl" snapshot verify "$SNAP") "
	TIMES[status]+="$(timed "$LOGS/status-$i.log" "$BIN/etcdutl" snapshot status "$SNAP") "
done
TIMES[restore_test]="$(timed "$LOGS/verify-restore-test.log" "$BIN/sensuctl" snapshot verify --restore-test "$SNAP")"
row "sensuctl snapshot inspect" "$SIZE" inspect
row "sensuctl snapshot verify" "$SIZE" verify
row "etcdutl snapshot status (reference)" "$SIZE" status
row "sensuctl snapshot verify --restore-test (1 run)" "$SIZE" restore_test
sed 's/^/  /' "$LOGS/inspect-1.log"

echo
echo "== snapshot restore of sensuctl's file, $RUNS runs each"
RFLAGS=(--name r --initial-cluster r=http://127.0.0.1:1 --initial-advertise-peer-urls http://127.0.0.1:1)
for ((i = 1; i <= RUNS; i++)); do
	ours() { TIMES[restore_ours]+="$(timed "$LOGS/restore-ours-$i.log" "$BIN/sensuctl" snapshot restore "$SNAP" --data-dir "$TMP/restore/ours-$i" "${RFLAGS[@]}") "; }
	plain() { TIMES[restore_etcdutl]+="$(timed "$LOGS/restore-etcdutl-$i.log" "$BIN/etcdutl" snapshot restore "$SNAP" --data-dir "$TMP/restore/etcdutl-$i" "${RFLAGS[@]}") "; }
	bumped() { TIMES[restore_bump]+="$(timed "$LOGS/restore-etcdutl-bump-$i.log" "$BIN/etcdutl" snapshot restore "$SNAP" --data-dir "$TMP/restore/etcdutl-bump-$i" "${RFLAGS[@]}" --bump-revision 1000000000 --mark-compacted) "; }
	case $((i % 3)) in
	1) ours; plain; bumped ;;
	2) plain; bumped; ours ;;
	0) bumped; ours; plain ;;
	esac
	rm -rf "$TMP"/restore/*
done
row "sensuctl snapshot restore (bump+compact)" "$SIZE" restore_ours
row "etcdutl snapshot restore" "$SIZE" restore_etcdutl
row "etcdutl restore --bump-revision --mark-compacted" "$SIZE" restore_bump

echo
echo "== disk reference: dd 256 MiB, conv=fdatasync, $RUNS runs"
DDBYTES=$((256 * 1024 * 1024))
for ((i = 1; i <= RUNS; i++)); do
	TIMES[dd]+="$(timed "$LOGS/dd-$i.log" dd if=/dev/zero of="$TMP/dd" bs=1M count=256 conv=fdatasync) "
	rm -f "$TMP/dd"
done
row "dd bs=1M count=256 conv=fdatasync" "$DDBYTES" dd

DD=$(mbps "$DDBYTES" "${MED[dd]}")
sp() { mbps "$SIZE" "${MED[$1]}"; }
echo
echo "== summary (medians; MB/s of the $(mbps "$SIZE" 1) MB snapshot)"
printf '  %-50s %8s MB/s  %5s of dd\n' "save: sensuctl" "$(sp save_ours)" "$(pct "$(sp save_ours)" "$DD")"
printf '  %-50s %8s MB/s  %5s of dd\n' "save: etcdctl" "$(sp save_etcdctl)" "$(pct "$(sp save_etcdctl)" "$DD")"
printf '  %-50s %8sx  (goal >= 1.0; best runs %sx)\n' "save ratio sensuctl/etcdctl" "$(ratio "$(sp save_ours)" "$(sp save_etcdctl)")" "$(ratio "${BEST[save_etcdctl]}" "${BEST[save_ours]}")"
printf '  %-50s %8s MB/s  %5s of dd\n' "restore: sensuctl" "$(sp restore_ours)" "$(pct "$(sp restore_ours)" "$DD")"
printf '  %-50s %8s MB/s  %5s of dd\n' "restore: etcdutl" "$(sp restore_etcdutl)" "$(pct "$(sp restore_etcdutl)" "$DD")"
printf '  %-50s %8s MB/s  %5s of dd\n' "restore: etcdutl --bump-revision --mark-compacted" "$(sp restore_bump)" "$(pct "$(sp restore_bump)" "$DD")"
printf '  %-50s %8sx  (goal >= 1.0; best runs %sx)\n' "restore ratio sensuctl/etcdutl" "$(ratio "$(sp restore_ours)" "$(sp restore_etcdutl)")" "$(ratio "${BEST[restore_etcdutl]}" "${BEST[restore_ours]}")"
printf '  %-50s %8sx  (like for like; goal >= 1.0; best runs %sx)\n' "restore ratio sensuctl/etcdutl bump+compact" "$(ratio "$(sp restore_ours)" "$(sp restore_bump)")" "$(ratio "${BEST[restore_bump]}" "${BEST[restore_ours]}")"
printf '  %-50s %8s MB/s\n' "dd (disk reference)" "$DD"
printf '  %-50s %8s MB/s  %5s of dd\n' "inspect" "$(sp inspect)" "$(pct "$(sp inspect)" "$DD")"
printf '  %-50s %8s MB/s  %5s of dd\n' "verify" "$(sp verify)" "$(pct "$(sp verify)" "$DD")"

echo
echo "== interoperability"
count_bench() { # count_bench ENDPOINT: live keys under the benchmark prefix, and the revision
	"$BIN/etcdctl" --endpoints "$1" get --prefix /sensu.io/checks/bench/ --count-only -w fields |
		awk -F' : ' '/"Count"/ { c = $2 } /"Revision"/ { r = $2 } END { print c, r }'
}
read -r WANT REV0 < <(count_bench "$C")
echo "  source store: $WANT keys under /sensu.io/checks/bench/ at revision $REV0"
stop_last # b1: the rest restores into new members on the same ports

# etcd's tools read and restore sensuctl's snapshot.
"$BIN/etcdutl" snapshot status "$SNAP" -w json >"$LOGS/status-ours.json"
"$BIN/sensuctl" snapshot verify "$SNAP" -o json >"$LOGS/verify-ours.json"
"$BIN/sensuctl" snapshot verify "$ESNAP" -o json >"$LOGS/verify-etcdctl.json"
"$BIN/etcdutl" snapshot status "$ESNAP" -w json >"$LOGS/status-etcdctl.json"
field() { tr -d ' \n' <"$1" | grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2; }
for f in ours etcdctl; do
	printf '  %-8s file: etcdutl status hash %s rev %s keys %s | sensuctl verify hash %s rev %s keys %s\n' "$f" \
		"$(field "$LOGS/status-$f.json" hash)" "$(field "$LOGS/status-$f.json" revision)" "$(field "$LOGS/status-$f.json" totalKey)" \
		"$(field "$LOGS/verify-$f.json" hash)" "$(field "$LOGS/verify-$f.json" revision)" "$(field "$LOGS/verify-$f.json" total_keys)"
done

# sensuctl's snapshot -> etcdutl restore -> plain etcd server
P=http://127.0.0.1:$((BASE_PORT + 1))
"$BIN/etcdutl" snapshot restore "$SNAP" --data-dir "$TMP/restore/plain" --name p1 \
	--initial-cluster "p1=$P" --initial-advertise-peer-urls "$P" >"$LOGS/interop-etcdutl-restore.log" 2>&1
"$BIN/plainetcd" --name p1 --data-dir "$TMP/restore/plain" --listen-client-urls "$C" --advertise-client-urls "$C" \
	--listen-peer-urls "$P" --initial-advertise-peer-urls "$P" --initial-cluster "p1=$P" \
	--log-level error >"$LOGS/plainetcd.log" 2>&1 &
PIDS+=($!)
for ((i = 0; i < 300; i++)); do
	"$BIN/etcdctl" --endpoints "$C" --command-timeout 2s endpoint health >/dev/null 2>&1 && break
	kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$LOGS/plainetcd.log" >&2; die "plain etcd exited"; }
	sleep 0.2
done
read -r N R < <(count_bench "$C")
[ "$N" = "$WANT" ] && ok=ok || ok=MISMATCH
echo "  sensuctl save -> etcdutl restore -> plain etcd:        $N keys at revision $R ($ok)"
stop_last

# etcdctl's snapshot -> sensuctl restore and sensu-backend --restore-snapshot
"$BIN/sensuctl" snapshot restore "$ESNAP" --data-dir "$TMP/restore/from-etcdctl" "${RFLAGS[@]}" -o json >"$LOGS/interop-sensuctl-restore.json"
echo "  etcdctl save -> sensuctl snapshot restore:             revision $(field "$LOGS/interop-sensuctl-restore.json" revision) -> $(field "$LOGS/interop-sensuctl-restore.json" new_revision)"
rm -rf "$TMP/restore"/*
start_backend r1 "$TMP/r1" 0 --restore-snapshot "$ESNAP"
read -r N R < <(count_bench "$C")
[ "$N" = "$WANT" ] && ok=ok || ok=MISMATCH
echo "  etcdctl save -> sensu-backend start --restore-snapshot: $N keys at revision $R ($ok)"
stop_last

echo
echo "== an interrupted save leaves no file"
start_backend b1 "$TMP/b1" 0
rm -f "$TMP"/snap/*
"$BIN/sensuctl" --endpoints "$C" snapshot save "$TMP/snap/cut.db" >"$LOGS/save-cut.log" 2>&1 &
SAVE=$!
PIDS+=($SAVE)
sleep "$(awk -v s="${MED[save_ours]}" 'BEGIN { printf "%.2f", s / 4 }')"
kill -INT "$SAVE"
rc=0
wait "$SAVE" || rc=$?
unset 'PIDS[-1]'
left=$(cd "$TMP/snap" && ls -A)
echo "  SIGINT after $(awk -v s="${MED[save_ours]}" 'BEGIN { printf "%.2f", s / 4 }')s: exit $rc, message: $(tr -d '\r' <"$LOGS/save-cut.log" | tail -1), files left: ${left:-none}"
[ "$rc" = 130 ] && [ -z "$left" ] || echo "  UNEXPECTED: want exit 130 and no file"
stop_last
echo
echo "done: every process this script started has stopped"
