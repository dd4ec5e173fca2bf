#!/usr/bin/env bash
# `make check`: every gate of the project on three kernels.
#   deps -> kernels -> debug kernel -> module builds (W=1, no warnings)
#   -> sparse (C=2, 6.12 cloud headers) -> checkpatch -> uAPI layout
#   -> static selftests + demo + upstream's iommufd kselftests
#   -> in QEMU on cloud-6.12, cloud-6.1, debug-6.12 and cloud-sid (Debian
#      sid's newest cloud kernel, module built in the sid root): the
#      selftests, then upstream's (iommufd everywhere, iommufd_fail_nth on
#      debug-6.12); then, on debug-6.12, the fuzzer and stress program
#      (tools/fuzz) for CHECK_FUZZ_SECONDS (120) with a fixed seed, failing
#      a gate on any problem; and on the three cloud kernels the real-client
#      cases: Debian sid's QEMU from the sid root (testvm/sid-root.sh) run by
#      the qtest programs (tools/qtest) against the module's VFIO device
#      files
# Last line: "N passed, M failed[, K skipped]": N/M sum the test cases of
# every run, M also counts 1 per failed gate; K counts upstream cases
# that failed and are listed or pending in selftests/upstream/expectations
# (never passed). Exit code 0 only if M == 0.
set -euo pipefail
LOG_TAG=check
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$TOP"

T0=$(date +%s)
KERNELS=(cloud-6.12 cloud-6.1 debug-6.12 cloud-sid)
# Kernels whose VM also runs the QEMU cases (qemu mode: Debian cloud kernels)
QEMU_KERNELS=(cloud-6.12 cloud-6.1 cloud-sid)
OUT=$CACHE/out
LOGS=$CACHE/logs
mkdir -p "$LOGS"
failed_gates=()
times=()

gate_fail() { failed_gates+=("$1"); log "GATE FAILED: $1"; }
# Run a step, record its duration; returns the step's exit code.
timed() {
	local name=$1 t rc=0
	shift
	t=$(date +%s)
	"$@" || rc=$?
	times+=("$name $(($(date +%s) - t))s")
	return $rc
}
final() {
	local n=$1 m=$2 k=${3:-0}
	log "times: ${times[*]}; total $(($(date +%s) - T0))s"
	if ((${#failed_gates[@]})); then
		log "failed gates: ${failed_gates[*]}"
	fi
	if ((k)); then
		echo "$n passed, $m failed, $k skipped"
	else
		echo "$n passed, $m failed"
	fi
	((m == 0))
}

# --- setup: without these nothing else can run --------------------------
for step in deps kernels; do
	if ! timed "$step" "$TOP/testvm/$step.sh"; then
		gate_fail "$step"
		final 0 1
		exit 1
	fi
done
# The sid root (QEMU 11, gcc-16) and sid's kernel: without them the sid
# kernel and the QEMU cases are left out, and that fails a gate.
have_sid=1
if ! timed sid-root "$TOP/testvm/sid-root.sh"; then
	gate_fail "sid root"
	have_sid=0
elif ! timed sid-kernel "$TOP/testvm/kernels.sh" cloud-sid; then
	gate_fail "sid kernel"
	have_sid=0
fi
have_debug=1
if ! timed debug-kernel "$TOP/testvm/debug-kernel.sh"; then
	gate_fail "debug kernel build"
	have_debug=0
fi

# --- module builds with W=1: any compiler or modpost warning fails ------
declare -A built=()
build_all() {
	local k blog warn
	for k in "${KERNELS[@]}"; do
		[[ $k == debug-6.12 ]] && ((have_debug == 0)) && continue
		[[ $k == cloud-sid ]] && ((have_sid == 0)) && continue
		blog=$LOGS/$k-build.log
		if ! "$TOP/testvm/build-module.sh" "$k" W=1; then
			gate_fail "module build $k"
			continue
		fi
		built[$k]=1
		warn=$(grep -iE 'warning' "$blog" || true)
		if [[ -n $warn ]]; then
			log "$k: build warnings:"
			printf '    | %s\n' "${warn//$'\n'/$'\n'    | }" >&2
			gate_fail "warnings $k"
		fi
	done
}
timed module-builds build_all

# --- sparse: any diagnostic about our files fails -----------------------
run_sparse() {
	local bdir=$CACHE/build/cloud-6.12-sparse out
	if ! "$TOP/testvm/build-module.sh" cloud-6.12 sparse; then
		gate_fail "sparse (build failed)"
		return
	fi
	# Paths are absolute; our files (and our headers) live under $bdir.
	out=$(grep -E "^$bdir/[^:]+:[0-9]+:([0-9]+:)? " "$LOGS/cloud-6.12-sparse.log" || true)
	if [[ -n $out ]]; then
		log "sparse reported:"
		sed "s|$bdir/||; s/^/    | /" <<<"$out" >&2
		gate_fail sparse
	else
		log "sparse: clean"
	fi
}
timed sparse run_sparse

# --- checkpatch ---------------------------------------------------------
if ! timed checkpatch make -s --no-print-directory -C "$TOP" checkpatch >"$LOGS/checkpatch.log" 2>&1; then
	sed 's/^/    | /' "$LOGS/checkpatch.log" | head -n 200 >&2
	gate_fail checkpatch
else
	log "$(tail -n 1 "$LOGS/checkpatch.log")"
fi

# --- uAPI layout: upstream's sizes, offsets and numbers (tools/uapi-layout) --
if ! timed uapi-layout make -s --no-print-directory -C "$TOP/tools/uapi-layout" >"$LOGS/uapi-layout.log" 2>&1; then
	sed 's/^/    | /' "$LOGS/uapi-layout.log" | head -n 50 >&2
	gate_fail uapi-layout
else
	log "$(tr '\n' ' ' <"$LOGS/uapi-layout.log")"
fi

# --- static selftests and demo -----------------------------------------
# The VMs hold nothing but busybox: every binary must be static.
static_check() {
	local f bad=0
	for f in "$@"; do
		[[ -f $f ]] || continue
		if readelf -l "$f" 2>/dev/null | grep -q 'Requesting program interpreter'; then
			log "$f is dynamically linked: the VM has no libc"
			bad=1
		fi
	done
	return $bad
}
build_progs() {
	rm -rf "$OUT"
	if ! make -s --no-print-directory -C "$TOP" selftests OUT="$OUT" >"$LOGS/selftests-build.log" 2>&1; then
		tail -n 30 "$LOGS/selftests-build.log" >&2
		gate_fail "selftests build"
	elif ! compgen -G "$OUT/selftests/*" >/dev/null; then
		gate_fail "selftests build (no binaries in $OUT/selftests)"
	elif ! static_check "$OUT"/selftests/*; then
		gate_fail "selftests not static"
	else
		log "selftests: $(find "$OUT/selftests" -maxdepth 1 -type f -perm -u+x | wc -l) binaries"
	fi
	if ! make -s --no-print-directory -C "$TOP" demo-prog OUT="$OUT" >"$LOGS/demo-build.log" 2>&1; then
		tail -n 30 "$LOGS/demo-build.log" >&2
		gate_fail "demo build"
	elif ! static_check "$OUT/demo/vmm_demo"; then
		gate_fail "demo not static"
	fi
	# Upstream's kselftests against the project's uAPI headers: a build
	# failure is a gate (the VMs then run without them). Another header
	# (UPSTREAM_UAPI_DIR, for trying one) runs them but fails a gate.
	if [[ -n ${UPSTREAM_UAPI_DIR:-} && $(cd "$UPSTREAM_UAPI_DIR" && pwd -P) != $(cd "$TOP/include/uapi" && pwd -P) ]]; then
		gate_fail "upstream selftests built against UPSTREAM_UAPI_DIR=$UPSTREAM_UAPI_DIR, not the project's include/uapi"
	fi
	if ! make -s --no-print-directory -C "$TOP/tools/qtest" OUT="$OUT/qtest" >"$LOGS/qtest-build.log" 2>&1; then
		tail -n 30 "$LOGS/qtest-build.log" >&2
		gate_fail "qtest programs build"
	elif ! static_check "$OUT"/qtest/qtest_smoke "$OUT"/qtest/vfio_pci_test "$OUT"/qtest/vtd_nested_test; then
		gate_fail "qtest programs not static"
	fi
	if ! make -s --no-print-directory -C "$TOP" upstream-selftests OUT="$OUT" CACHE="$CACHE" >"$LOGS/upstream-build.log" 2>&1; then
		grep -m 30 -E 'error|Error' "$LOGS/upstream-build.log" >&2 || tail -n 30 "$LOGS/upstream-build.log" >&2
		gate_fail "upstream selftests build (log: $LOGS/upstream-build.log)"
	elif ! static_check "$OUT"/upstream/iommufd*; then
		gate_fail "upstream selftests not static"
	else
		log "upstream selftests: $(cd "$OUT/upstream" && echo iommufd*)"
	fi
}
timed programs build_progs

# --- the VMs: two lanes on two cores; the slow debug kernel gets its own --
# One VM: kernel $1 in mode $2 (test: the selftests and upstream's; qemu:
# the QEMU cases). Its verdict goes to $LOGS/<kernel>-<mode>.log.result.
run_one() {
	local k=$1 mode=${2:-test}
	if [[ -z ${built[$k]:-} ]] || ! compgen -G "$OUT/selftests/*" >/dev/null ||
		{ [[ $mode == qemu ]] && ! compgen -G "$OUT/qtest/*_test" >/dev/null; }; then
		echo "$k: not booted (no module or no tests)" >"$LOGS/$k-$mode.run"
		echo "passed=0 failed=0 gates=1 skipped=0" >"$LOGS/$k-$mode.log.result"
		return
	fi
	rm -f "$LOGS/$k-$mode.log.result"
	SKIP_BUILD=1 "$TOP/testvm/run-vm.sh" "$k" "$mode" >"$LOGS/$k-$mode.run" 2>&1 || true
}
# The seeded fuzzer and stress program (tools/fuzz) for a bounded time on
# the debug kernel, after its tests in the same lane: a fixed seed so a run
# can be replayed (make fuzz takes a random one and as long as asked).
FUZZ_SECONDS=${CHECK_FUZZ_SECONDS:-120}
FUZZ_SEED=${CHECK_FUZZ_SEED:-5eed1234}
run_fuzz() {
	if ((have_debug == 0)) || [[ -z ${built[debug-6.12]:-} ]]; then
		echo "fuzz: not run (no debug kernel or module)" >"$LOGS/fuzz.run"
		return
	fi
	VM_TIMEOUT=$((FUZZ_SECONDS + 600)) "$TOP/testvm/fuzz.sh" debug-6.12 \
		"$FUZZ_SECONDS" "$FUZZ_SEED" >"$LOGS/fuzz.run" 2>&1
	echo "rc=$?" >>"$LOGS/fuzz.run"
}
run_vms() {
	local pids=()
	log "booting ${KERNELS[*]} (consoles in $LOGS/<kernel>-test.log)"
	{ run_one debug-6.12; run_fuzz; } &
	pids+=($!)
	{
		run_one cloud-6.12
		run_one cloud-6.1
		((have_sid)) && run_one cloud-sid
		if ((have_sid)); then
			for k in "${QEMU_KERNELS[@]}"; do
				run_one "$k" qemu
			done
		fi
	} &
	pids+=($!)
	wait "${pids[@]}"
}
timed vms run_vms

# --- verdict -----------------------------------------------------------------
N=0 M=0 K=0
RUNS=()
for k in "${KERNELS[@]}"; do
	[[ $k == cloud-sid ]] && ((have_sid == 0)) && continue
	RUNS+=("$k-test")
done
if ((have_sid)); then
	for k in "${QEMU_KERNELS[@]}"; do
		RUNS+=("$k-qemu")
	done
fi
for r in "${RUNS[@]}"; do
	echo "===== $r"
	grep -v '^\[[0-9:]* ' "$LOGS/$r.run" || true
	res=$LOGS/$r.log.result
	if [[ ! -f $res ]]; then
		echo "passed=0 failed=0 gates=1 skipped=0" >"$res"
		echo "$r: no verdict (run-vm.sh failed early):"
		sed 's/^/    | /' "$LOGS/$r.run"
	fi
	read -r p f g s < <(sed 's/[a-z]*=//g' "$res")
	N=$((N + p))
	M=$((M + f + g))
	K=$((K + ${s:-0}))
	secs=$(cat "$LOGS/$r.log.secs" 2>/dev/null || echo '?')
	times+=("vm:$r ${secs}s")
done
echo "===== fuzz (debug-6.12, ${FUZZ_SECONDS} s, seed 0x$FUZZ_SEED)"
grep -v '^\[[0-9:]* ' "$LOGS/fuzz.run" | grep -v '^rc=' || true
if ! grep -qx 'rc=0' "$LOGS/fuzz.run" 2>/dev/null; then
	gate_fail "fuzz (console: $LOGS/debug-6.12-fuzz.log; replay: testvm/fuzz.sh debug-6.12 $FUZZ_SECONDS $FUZZ_SEED)"
fi
echo "====="
for r in "${RUNS[@]}"; do
	k=${r%-*}
	grep -E "^$k: " "$LOGS/$r.run" | tail -n 1 | sed "s/^$k: /$r: /" || echo "$r: not run"
done
grep -E '^fuzz: ' "$LOGS/fuzz.run" | tail -n 1 || echo "fuzz: no summary"
M=$((M + ${#failed_gates[@]}))
final "$N" "$M" "$K"
