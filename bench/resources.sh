#!/usr/bin/env bash
# Resource benchmark: sensuctl restore, create and dump of a realistic Sensu
# data set, against Sensu Go 6.12's figures, etcdctl's raw read and a raw
# batched write of the same keys and values.
#
#   bench/resources.sh           from the repository root; needs only Go
#
# bench/resgen writes the data set as wrapped YAML: at SCALE 1, 10 namespaces
# (first in the file), 8,000 CheckConfigs, 8,000 Entities and 4,000 Handlers
# (the 20,000 resources Sensu Go 6.12 restored in 48.6 s), plus 2,000 Events:
# 22,010 resources, 23.6 MB. Every backend runs with its defaults (fsync on),
# on 127.0.0.1.
#
#   1. restore: 'sensuctl restore big.yaml' into a fresh, initialized backend
#      (a new state directory each run), RUNS runs: wall time, resources/s,
#      peak RSS of sensuctl, and the ratio to Sensu Go's 48.6 s (goal >= 20x,
#      that is <= 2.4 s).
#   2. dump, on the store loaded by the last restore, RUNS runs each (the
#      order rotates): 'sensuctl dump all --all-namespaces -o yaml -f FILE',
#      the same with -o wrapped-json, and 'etcdctl get --prefix /sensu.io
#      -w json >/dev/null' (the raw floor; Sensu measured 0.32 s for its
#      store): wall time, resources/s, peak RSS, and the ratio dump/etcdctl
#      (goal <= 2x).
#   3. correctness, on the same store: the dump has as many documents, type
#      by type, as the input plus what 'sensu-backend init' seeds; restoring
#      big.yaml again and restoring the dumps (YAML and wrapped JSON) report
#      every resource unchanged, with exit 0.
#   4. create: 'sensuctl create -f big.yaml' into a fresh backend, CREATE_RUNS
#      runs, measured like restore. After the first run, bench/rawwrite -save
#      keeps every key under /sensu.io that create wrote (modified after the
#      revision 'sensu-backend init' left; not what init seeded) with its value;
#      their number must be create's created + updated.
#   5. raw write: 'bench/rawwrite -load' of those keys and values into a fresh,
#      initialized backend (started as for create), RUNS runs, measured like
#      create: the floor for any create. It writes through the etcd client in
#      transactions shaped like the store's (batchKeys, batchBytes and inFlight
#      read from internal/store/apply.go; one type at a time in registry order,
#      a transaction holds keys of one type and namespace), but only puts
#      (Txn().Then(OpPut...)): no decoding, no validation, no encoding, no
#      existence reads, no guards (create adds one compare per key and one for
#      the namespace). The whole process is timed, as sensuctl is (start, read
#      of its file, connection). After each run, the backend must hold as many
#      keys under /sensu.io as after create, and the keys written after init
#      must be the saved file, byte for byte. The summary gives create/raw and
#      restore/raw (restore writes the same keys with slightly smaller values:
#      no sensu.io/managed_by label).
#   6. memory: peak RSS of restore and of the YAML dump at quarter, full and
#      double size, side by side (goal: the dump's flat in the resources:
#      under 2x from quarter to double size, 8x the resources).
#
# Peak RSS comes from /usr/bin/time -f %M when it is there, otherwise from
# VmHWM in /proc/PID/status, read every 20 ms while the command runs (RSS_PROC=1
# uses that even when /usr/bin/time is there).
#
# Settings (environment): SCALE (1), RUNS (3), CREATE_RUNS (1), MEMORY (1;
# 0 skips the quarter and double sizes), RESGEN_ARGS (extra bench/resgen
# flags for every set, e.g. "-events 0"), BASE_PORT (25200: uses the next 10
# ports), KEEP=1 keeps the work directory. Everything binds to 127.0.0.1.
set -euo pipefail

SCALE=${SCALE:-1}
RUNS=${RUNS:-3}
CREATE_RUNS=${CREATE_RUNS:-1}
MEMORY=${MEMORY:-1}
RESGEN_ARGS=${RESGEN_ARGS:-}
BASE_PORT=${BASE_PORT:-25200}
KEEP=${KEEP:-0}
RSS_PROC=${RSS_PROC:-0}
ETCD_VERSION=3.7.3
# Sensu Go 6.12, measured on its defaults with this data set.
SENSU_GO_RESTORE=48.6 SENSU_GO_ETCDCTL=0.32
GOAL_RESTORE_X=20 GOAL_DUMP_X=2

cd "$(dirname "$0")/.."
[ -f go.mod ] && grep -q '^module github.com/sensu-etcd/sensu$' go.mod || { echo "resources.sh: run it from the sensu repository" >&2; exit 2; }
for v in RUNS CREATE_RUNS; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "resources.sh: $v must be a whole number >= 1" >&2; exit 2; }
done
awk -v s="$SCALE" 'BEGIN { exit !(s + 0 > 0) }' || { echo "resources.sh: SCALE must be a number > 0" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sensu-resbench.XXXXXX")
BIN=$TMP/bin LOGS=$TMP/logs DATA=$TMP/data
mkdir -p "$BIN" "$LOGS" "$DATA"
export XDG_CONFIG_HOME=$TMP/xdg SENSU_BACKEND_CONFIG_FILE=/dev/null
unset SENSUCTL_PROFILE SENSUCTL_CONFIG_FILE SENSUCTL_FORMAT SENSU_FORMAT SENSUCTL_NAMESPACE SENSU_NAMESPACE \
	SENSUCTL_USER SENSUCTL_PASSWORD SENSUCTL_CACERT SENSUCTL_CERT SENSUCTL_KEY ETCDCTL_ENDPOINTS ETCDCTL_API

SCRIPT=resources.sh
# shellcheck source=bench/lib.sh
. bench/lib.sh

C=http://127.0.0.1:$BASE_PORT
export SENSUCTL_ENDPOINTS=$C

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
docs() { grep -c '^type: ' "$1" || true; } # documents in a wrapped YAML file
jdocs() { grep -c '^  "type": ' "$1" || true; } # documents in a wrapped-json dump
etcd_field() { # etcd_field FIELD: Count or Revision of the keys under /sensu.io, now
	"$BIN/etcdctl" --endpoints "$C" get --prefix /sensu.io --count-only -w fields | awk -F' : ' -v f="\"$1\"" '$1 == f { print $2 }'
}
field() { tr ' ' '\n' <"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; } # field FILE KEY: KEY=VALUE of rawwrite's line

declare -A TIMES RSSES MED MEDRSS
row() { # row LABEL KEY RESOURCES: one result line, from TIMES[KEY] and RSSES[KEY]
	local label=$1 key=$2 n=$3 t r
	# shellcheck disable=SC2086
	MED[$key]=$(median ${TIMES[$key]}) MEDRSS[$key]=$(median ${RSSES[$key]})
	printf '  %-44s' "$label"
	for t in ${TIMES[$key]}; do printf ' %7ss' "$t"; done
	printf '  median %7ss %7s res/s  peak RSS' "${MED[$key]}" "$(rate "$n" "${MED[$key]}")"
	for r in ${RSSES[$key]}; do printf ' %s' "$(mib "$r")"; done
	printf ' MiB\n'
}

echo "== build (go $(go env GOVERSION), $(nproc) CPUs)"
go build -o "$BIN/" ./cmd/sensu-backend ./cmd/sensuctl ./bench/resgen ./bench/rawwrite
# The raw write's transactions are shaped like the store's: the same limits.
declare -A STORE_BATCH
for c in batchKeys batchBytes inFlight; do
	v=$(awk -v c="$c" '$1 == c && $2 == "=" { sub(/^[^=]*= */, ""); sub(/ *\/\/.*/, ""); print; exit }' internal/store/apply.go)
	[[ $v =~ ^[0-9]+( *(<<|\*) *[0-9]+)?$ ]] || die "no '$c = NUMBER' in internal/store/apply.go (bench/rawwrite takes the store's batch limits)"
	STORE_BATCH[$c]=$((v))
done
# 'go install go.etcd.io/etcd/etcdctl/v3@v3.7.3' is refused: etcd's tool
# modules carry replace directives. go.mod pins etcdctl (a tool directive);
# without it, build from a throwaway module that requires it.
if ! go build -o "$BIN/" go.etcd.io/etcd/etcdctl/v3 2>"$LOGS/tools.log"; then
	mkdir -p "$TMP/tools"
	(
		cd "$TMP/tools"
		printf 'module resbenchtools\n\ngo 1.26.0\n' >go.mod
		go get "go.etcd.io/etcd/etcdctl/v3@v$ETCD_VERSION"
		go build -o "$BIN/" go.etcd.io/etcd/etcdctl/v3
	) >>"$LOGS/tools.log" 2>&1 || { cat "$LOGS/tools.log" >&2; die "cannot build etcdctl v$ETCD_VERSION"; }
	echo "  note: etcdctl built from a throwaway module (go.mod has no tool directive for it)"
fi
v=$("$BIN/etcdctl" version | awk 'NR == 1 { print $3 }')
[ "$v" = "$ETCD_VERSION" ] || die "etcdctl is version $v, not $ETCD_VERSION"
echo "  sensu-backend, sensuctl, resgen, rawwrite, etcdctl $ETCD_VERSION"
echo "  work dir $TMP on $(df -PT "$TMP" | awk 'NR == 2 { print $1 " (" $2 ")" }'); peak RSS from $RSS_TOOL"

echo
echo "== data sets (bench/resgen, wrapped YAML)"
declare -A SETFILE SETDOCS SETBYTES
SIZES=(full)
[ "$MEMORY" = 1 ] && SIZES=(quarter full double)
for size in "${SIZES[@]}"; do
	case $size in
	quarter) s=$(awk -v s="$SCALE" 'BEGIN { print s / 4 }') ;;
	full) s=$SCALE ;;
	double) s=$(awk -v s="$SCALE" 'BEGIN { print s * 2 }') ;;
	esac
	f=$DATA/$size.yaml
	# shellcheck disable=SC2086
	"$BIN/resgen" -scale "$s" $RESGEN_ARGS -o "$f" 2>"$LOGS/resgen-$size.log" || { cat "$LOGS/resgen-$size.log" >&2; die "resgen failed"; }
	SETFILE[$size]=$f SETDOCS[$size]=$(docs "$f") SETBYTES[$size]=$(stat -c %s "$f")
	printf '  %-8s %s\n' "$size" "$(sed 's/^resgen: //' "$LOGS/resgen-$size.log")"
done
BIG=${SETFILE[full]} N=${SETDOCS[full]}
[ "$(head -c 2000 "$BIG" | grep -m1 '^type: ')" = "type: Namespace" ] || die "$BIG does not start with a Namespace"

echo
echo "== 1. sensuctl restore $(basename "$BIG") ($N resources, $(mb "${SETBYTES[full]}") MB) into a fresh backend, $RUNS run(s)"
for ((i = 1; i <= RUNS; i++)); do
	start_fresh_backend backend-restore-$i
	if ((i == 1)); then
		"$BIN/sensuctl" dump all --all-namespaces --force -f "$DATA/seeded.yaml" 2>"$LOGS/dump-seeded.log"
		SEEDED=$(docs "$DATA/seeded.yaml")
	fi
	measure "$LOGS/restore-$i.log" "$BIN/sensuctl" restore "$BIG"
	record restore
	summary "$LOGS/restore-$i.log"
	((cr + up + un == N && fa == 0)) || { cat "$LOGS/restore-$i.log" >&2; die "restore $i: summary total is not $N resources written"; }
	# The last restore's store stays up for the dumps.
	((i == RUNS)) || stop_backend
done
row "sensuctl restore" restore "$N"
echo "  summary of the last run: $cr created, $up updated, $un unchanged, $sk skipped, $fa failed"

echo
echo "== 2. dump of the loaded store, $RUNS run(s) each (order rotates)"
dump_yaml() {
	measure "$LOGS/dump-yaml-$i.log" "$BIN/sensuctl" dump all --all-namespaces -o yaml --force -f "$DATA/out.yaml"
	record dump_yaml
}
dump_json() {
	measure "$LOGS/dump-json-$i.log" "$BIN/sensuctl" dump all --all-namespaces -o wrapped-json --force -f "$DATA/out.json"
	record dump_json
}
etcdctl_get() {
	OUT=/dev/null measure "$LOGS/etcdctl-$i.log" "$BIN/etcdctl" --endpoints "$C" get --prefix /sensu.io -w json
	record etcdctl
}
for ((i = 1; i <= RUNS; i++)); do
	case $((i % 3)) in
	1) dump_yaml; dump_json; etcdctl_get ;;
	2) dump_json; etcdctl_get; dump_yaml ;;
	0) etcdctl_get; dump_yaml; dump_json ;;
	esac
done
D=$(docs "$DATA/out.yaml")
KEYS=$(etcd_field Count)
echo "  dump: $D resources ($N restored + $SEEDED seeded by init); YAML $(mb "$(stat -c %s "$DATA/out.yaml")") MB, wrapped JSON $(mb "$(stat -c %s "$DATA/out.json")") MB; $KEYS keys under /sensu.io"
row "sensuctl dump all -o yaml -f FILE" dump_yaml "$D"
row "sensuctl dump all -o wrapped-json -f FILE" dump_json "$D"
row "etcdctl get --prefix /sensu.io -w json" etcdctl "$D"

echo
echo "== 3. correctness, on the same store"
ok=1
[ "$(jdocs "$DATA/out.json")" = "$D" ] || { echo "  MISMATCH: the wrapped-json dump has $(jdocs "$DATA/out.json") documents, the YAML one $D"; ok=0; }
if [ "$D" = $((N + SEEDED)) ] &&
	diff <({ grep '^type: ' "$BIG"; grep '^type: ' "$DATA/seeded.yaml"; } | sort | uniq -c) <(grep '^type: ' "$DATA/out.yaml" | sort | uniq -c) >"$LOGS/types.diff"; then
	echo "  dump documents: $D = $N in the input + $SEEDED seeded by init, type by type: ok"
else
	echo "  MISMATCH: dump has $D documents, want $N + $SEEDED; per type (< want, > got):"
	sed 's/^/    /' "$LOGS/types.diff"
	ok=0
fi
if w=$(grep -c '^sensuctl: warning' "$LOGS/restore-1.log"); then
	echo "  MISMATCH: restore warned $w time(s) about the input, e.g.: $(grep -m1 '^sensuctl: warning' "$LOGS/restore-1.log")"
	ok=0
else
	echo "  input read without warnings (no unknown fields): ok"
fi
unchanged() { # unchanged LABEL KEY FILE WANT: restore FILE on the loaded store, expect all unchanged
	measure "$LOGS/rerestore-$2.log" "$BIN/sensuctl" restore "$3"
	summary "$LOGS/rerestore-$2.log"
	if ((un == $4 && cr + up + sk + fa == 0)); then
		printf '  %-44s exit 0, %s unchanged: ok (%ss, peak RSS %s MiB)\n' "$1" "$un" "$T" "$(mib "$RSS")"
	else
		printf '  %-44s MISMATCH: %s created, %s updated, %s unchanged, %s skipped, %s failed; want %s unchanged\n' "$1" "$cr" "$up" "$un" "$sk" "$fa" "$4"
		ok=0
	fi
}
unchanged "restore $(basename "$BIG") again (writes nothing)" input "$BIG" "$N"
unchanged "restore the YAML dump" yaml "$DATA/out.yaml" "$D"
unchanged "restore the wrapped-json dump" json "$DATA/out.json" "$D"
stop_backend

echo
echo "== 4. sensuctl create -f $(basename "$BIG") into a fresh backend, $CREATE_RUNS run(s)"
for ((i = 1; i <= CREATE_RUNS; i++)); do
	start_fresh_backend backend-create-$i
	INIT_REV=$(etcd_field Revision)
	measure "$LOGS/create-$i.log" "$BIN/sensuctl" create -f "$BIG"
	record create
	summary "$LOGS/create-$i.log"
	((cr + up + un == N && fa == 0)) || { cat "$LOGS/create-$i.log" >&2; die "create $i: summary total is not $N resources written"; }
	if ((i == 1)); then
		# What create wrote, for the raw write (step 5).
		"$BIN/rawwrite" -endpoints "$C" -save "$DATA/created.keys" -since "$INIT_REV" >"$DATA/created.out" 2>"$LOGS/rawwrite-save.log" ||
			{ cat "$LOGS/rawwrite-save.log" >&2; die "rawwrite -save failed"; }
		RAWKEYS=$(field "$DATA/created.out" keys) RAWBYTES=$(field "$DATA/created.out" bytes) CREATE_KEYS=$(etcd_field Count)
		((RAWKEYS == cr + up)) || die "create wrote $RAWKEYS keys under /sensu.io after init, its summary says $((cr + up)) created or updated"
	fi
	stop_backend
done
row "sensuctl create -f" create "$N"
echo "  create wrote $RAWKEYS keys under /sensu.io ($(mb "$RAWBYTES") MB of values; $CREATE_KEYS keys with what init seeded)"

echo
echo "== 5. raw batched write of the same $RAWKEYS keys and values (bench/rawwrite) into a fresh backend, $RUNS run(s)"
for ((i = 1; i <= RUNS; i++)); do
	start_fresh_backend backend-raw-$i
	INIT_REV=$(etcd_field Revision)
	OUT=$DATA/raw-$i.out measure "$LOGS/raw-$i.log" "$BIN/rawwrite" -endpoints "$C" -load "$DATA/created.keys" \
		-batch-keys "${STORE_BATCH[batchKeys]}" -batch-bytes "${STORE_BATCH[batchBytes]}" -in-flight "${STORE_BATCH[inFlight]}"
	record raw
	[ "$(field "$DATA/raw-$i.out" keys)" = "$RAWKEYS" ] || die "raw write $i: rawwrite wrote $(field "$DATA/raw-$i.out" keys) keys, not $RAWKEYS"
	k=$(etcd_field Count)
	[ "$k" = "$CREATE_KEYS" ] || die "raw write $i: $k keys under /sensu.io afterwards, $CREATE_KEYS after create"
	"$BIN/rawwrite" -endpoints "$C" -save "$DATA/raw.keys" -since "$INIT_REV" >/dev/null 2>"$LOGS/rawwrite-check.log" ||
		{ cat "$LOGS/rawwrite-check.log" >&2; die "rawwrite -save failed"; }
	cmp -s "$DATA/created.keys" "$DATA/raw.keys" || die "raw write $i: the keys written after init are not the ones create wrote"
	stop_backend
done
row "rawwrite -load (raw batched write)" raw "$RAWKEYS"
echo "  after each run: $CREATE_KEYS keys under /sensu.io as after create, the $RAWKEYS written identical to create's: ok"
echo "  $(field "$DATA/raw-1.out" txns) transactions of at most ${STORE_BATCH[batchKeys]} puts, ${STORE_BATCH[inFlight]} in flight"

declare -A MEMR MEMD MEMRT MEMDT
MEMR[full]=${MEDRSS[restore]} MEMD[full]=${MEDRSS[dump_yaml]} MEMRT[full]=${MED[restore]} MEMDT[full]=${MED[dump_yaml]}
if [ "$MEMORY" = 1 ]; then
	echo
	echo "== 6. memory: restore and YAML dump at quarter and double size (one run each; full size: the medians above)"
	for size in quarter double; do
		start_fresh_backend backend-mem-$size
		measure "$LOGS/mem-restore-$size.log" "$BIN/sensuctl" restore "${SETFILE[$size]}"
		MEMR[$size]=$RSS MEMRT[$size]=$T
		summary "$LOGS/mem-restore-$size.log"
		((cr + up + un == ${SETDOCS[$size]} && fa == 0)) || die "restore of the $size set: summary total is not ${SETDOCS[$size]}"
		measure "$LOGS/mem-dump-$size.log" "$BIN/sensuctl" dump all --all-namespaces -o yaml -f "$DATA/out-$size.yaml"
		MEMD[$size]=$RSS MEMDT[$size]=$T
		[ "$(docs "$DATA/out-$size.yaml")" = $((${SETDOCS[$size]} + SEEDED)) ] || { echo "  MISMATCH: the $size dump has $(docs "$DATA/out-$size.yaml") documents"; ok=0; }
		stop_backend
	done
	printf '  %-8s %10s %9s %11s %18s %9s %15s\n' set resources "file MB" "restore s" "restore peak RSS" "dump s" "dump peak RSS"
	for size in quarter full double; do
		printf '  %-8s %10s %9s %11s %14s MiB %9s %11s MiB\n' "$size" "${SETDOCS[$size]}" "$(mb "${SETBYTES[$size]}")" \
			"${MEMRT[$size]}" "$(mib "${MEMR[$size]}")" "${MEMDT[$size]}" "$(mib "${MEMD[$size]}")"
	done
	printf '  double/quarter (%sx the resources): restore RSS %sx, dump RSS %sx\n' \
		"$(ratio "${SETDOCS[double]}" "${SETDOCS[quarter]}")" "$(ratio "${MEMR[double]}" "${MEMR[quarter]}")" "$(ratio "${MEMD[double]}" "${MEMD[quarter]}")"
fi

echo
echo "== summary (medians; a busy machine makes them noisy)"
if [ "$SCALE" != 1 ] || [ -n "$RESGEN_ARGS" ]; then
	echo "  note: Sensu Go's figures are for the set at SCALE 1 (20,000 resources); these ratios compare other sizes"
fi
RX=$(ratio "$SENSU_GO_RESTORE" "${MED[restore]}")
printf '  %-44s %7ss %7s res/s  %sx faster than Sensu Go 6.12 (%ss); goal >= %sx (<= %ss): %s\n' "restore" "${MED[restore]}" "$(rate "$N" "${MED[restore]}")" \
	"$RX" "$SENSU_GO_RESTORE" "$GOAL_RESTORE_X" "$(awk -v s="$SENSU_GO_RESTORE" -v g="$GOAL_RESTORE_X" 'BEGIN { printf "%.2f", s / g }')" \
	"$(verdict "$RX >= $GOAL_RESTORE_X")"
CX=$(ratio "$SENSU_GO_RESTORE" "${MED[create]}")
printf '  %-44s %7ss %7s res/s  %sx faster than Sensu Go restore; goal >= %sx: %s\n' "create -f" "${MED[create]}" "$(rate "$N" "${MED[create]}")" \
	"$CX" "$GOAL_RESTORE_X" "$(verdict "$CX >= $GOAL_RESTORE_X")"
printf '  %-44s %7ss %7s res/s  (%s keys, %s MB: puts only, the floor for any create)\n' "raw batched write" "${MED[raw]}" "$(rate "$RAWKEYS" "${MED[raw]}")" \
	"$RAWKEYS" "$(mb "$RAWBYTES")"
printf '  %-44s %7sx\n' "create/raw:" "$(ratio "${MED[create]}" "${MED[raw]}")"
printf '  %-44s %7sx\n' "restore/raw:" "$(ratio "${MED[restore]}" "${MED[raw]}")"
for k in dump_yaml dump_json; do
	DX=$(ratio "${MED[$k]}" "${MED[etcdctl]}")
	printf '  %-44s %7ss %7s res/s  %sx etcdctl get; goal <= %sx: %s\n' "dump $([ "$k" = dump_yaml ] && echo yaml || echo wrapped-json)" "${MED[$k]}" "$(rate "$D" "${MED[$k]}")" "$DX" "$GOAL_DUMP_X" "$(verdict "$DX <= $GOAL_DUMP_X")"
done
printf '  %-44s %7ss %7s res/s  (Sensu Go'"'"'s store: %ss)\n' "etcdctl get --prefix /sensu.io -w json" "${MED[etcdctl]}" "$(rate "$D" "${MED[etcdctl]}")" "$SENSU_GO_ETCDCTL"
printf '  %-44s %s MiB (restore), %s MiB (dump yaml), %s MiB (dump wrapped-json)\n' "peak RSS of sensuctl" \
	"$(mib "${MEDRSS[restore]}")" "$(mib "${MEDRSS[dump_yaml]}")" "$(mib "${MEDRSS[dump_json]}")"
if [ "$MEMORY" = 1 ]; then
	MX=$(ratio "${MEMD[double]}" "${MEMD[quarter]}")
	printf '  %-44s %s / %s / %s MiB at quarter/full/double size: %sx for %sx the resources; flat (< 2x): %s\n' "dump memory" \
		"$(mib "${MEMD[quarter]}")" "$(mib "${MEMD[full]}")" "$(mib "${MEMD[double]}")" "$MX" \
		"$(ratio "${SETDOCS[double]}" "${SETDOCS[quarter]}")" "$(verdict "$MX < 2")"
	printf '  %-44s %s / %s / %s MiB at quarter/full/double size (%sx)\n' "restore memory" \
		"$(mib "${MEMR[quarter]}")" "$(mib "${MEMR[full]}")" "$(mib "${MEMR[double]}")" "$(ratio "${MEMR[double]}" "${MEMR[quarter]}")"
fi
if [ "$ok" = 1 ]; then
	echo "  correctness: ok"
else
	echo "  correctness: MISMATCH (see above)"
fi
echo
echo "done: every process this script started has stopped"
[ "$ok" = 1 ] || exit 1
