#!/usr/bin/env bash
# Boot one test kernel in QEMU (TCG) with the module and the tests or the demo.
# Usage: run-vm.sh <cloud-6.12|cloud-6.1|debug-6.12> <test|upstream|demo|qemu>
#   test      the project's selftests, then upstream's kselftests
#   upstream  upstream's kselftests only (the quick loop while fixing them)
#   demo      vmm_demo
#   qemu      Debian sid's QEMU inside the VM (cloud kernels only): the sid
#             root (testvm/sid-root.sh) as a read-only virtio disk, a bare
#             "-qtest stdio" probe, then the tools/qtest programs
# Builds the module for that kernel (testvm/build-module.sh, W=1) and the
# static test/demo binaries unless SKIP_BUILD=1 (check.sh builds them once),
# packs the initramfs, boots, writes the console to
# .cache/logs/<kernel>-<mode>.log and prints the verdict of parse-log.sh.
# Exit code: 0 if parse-log.sh found no problem.
# Environment: VM_TIMEOUT (seconds, default 1200), VM_MEM (default 2G);
# QEMU_DEMO=1 (qemu mode): only vfio_pci_test -d and vtd_nested_test -d, as
# make demo-qemu's transcripts;
# for upstream's programs (lib.sh upstream_progs picks them per kernel):
# UPSTREAM=0 leaves them out of a test run, UPSTREAM_PROGS (list),
# UPSTREAM_ARGS (harness arguments, e.g. '-f iommufd_ioas'),
# UPSTREAM_TIMEOUT (wall-clock seconds per program, default 600),
# VM_HUGEPAGES (2 MiB pages reserved for them, default 128).
set -euo pipefail
kernel=${1:?usage: run-vm.sh <kernel> <test|upstream|demo|qemu>}
mode=${2:?usage: run-vm.sh <kernel> <test|upstream|demo|qemu>}
LOG_TAG="vm $kernel"
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

case $mode in test | upstream | demo | qemu) ;; *) die "mode must be test, upstream, demo or qemu" ;; esac
# The disk needs virtio_blk from the kernel's package (kmods.sh): cloud only.
[[ $mode == qemu && $kernel != cloud-* ]] && die "qemu mode needs a Debian cloud kernel, not $kernel"
image=$(kernel_image "$kernel")
[[ -f $image ]] || die "no kernel image $image (run testvm/kernels.sh or testvm/debug-kernel.sh)"
OUT=$CACHE/out

want_upstream=0
[[ $mode == upstream || ($mode == test && ${UPSTREAM:-1} != 0) ]] && want_upstream=1

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
	"$TOP/testvm/build-module.sh" "$kernel" W=1
	case $mode in
	test) make -s -C "$TOP" selftests OUT="$OUT" ;;
	demo) make -s -C "$TOP" demo-prog OUT="$OUT" ;;
	qemu) make -s -C "$TOP/tools/qtest" OUT="$OUT/qtest" ;;
	esac
	if ((want_upstream)); then
		ulog=$CACHE/logs/upstream-build.log
		mkdir -p "$CACHE/logs"
		if ! make -s -C "$TOP" upstream-selftests OUT="$OUT" CACHE="$CACHE" >"$ulog" 2>&1; then
			grep -m 20 -E 'error|Error' "$ulog" >&2 || tail -n 20 "$ulog" >&2
			[[ $mode == upstream ]] && die "upstream selftests did not build (log: $ulog)"
			log "WARNING: upstream selftests did not build (log: $ulog): this run leaves them out"
		fi
	fi
fi
ko=$CACHE/build/$kernel-build/iommufd_mock.ko
[[ -f $ko ]] || die "no module built for $kernel ($ko)"

args=(-o "$CACHE/initramfs/$kernel-$mode.cpio.gz" -m "$ko")
[[ $kernel == cloud-* ]] && args+=(-k "$(kernel_dir "$kernel")/root")
if [[ $mode == test ]]; then
	[[ -d $OUT/selftests ]] || die "no test binaries in $OUT/selftests"
	args+=(-t "$OUT/selftests")
elif [[ $mode == demo ]]; then
	[[ -f $OUT/demo/vmm_demo ]] || die "no demo binary $OUT/demo/vmm_demo"
	args+=(-d "$OUT/demo/vmm_demo")
fi
disk=()
if [[ $mode == qemu ]]; then
	"$TOP/testvm/sid-root.sh"
	[[ -f $SID_IMAGE ]] || die "no sid root image $SID_IMAGE"
	kmods=$("$TOP/testvm/kmods.sh" "$kernel" virtio_pci virtio_blk ext4)
	[[ -x $OUT/qtest/qtest_smoke ]] || die "no qtest programs in $OUT/qtest"
	# initramfs.sh takes the executables of the folder (not the library).
	args+=(-s "$kmods" -q "$OUT/qtest")
	# Read-only: the image is shared by every run and never changes.
	# shellcheck disable=SC2054 # commas inside QEMU option values
	disk=(-drive "file=$SID_IMAGE,format=raw,if=none,id=sid,readonly=on"
		-device virtio-blk-pci,drive=sid)
fi
if ((want_upstream)); then
	for p in $(upstream_progs "$kernel"); do
		if [[ -x $OUT/upstream/$p ]]; then
			args+=(-u "$OUT/upstream/$p")
		elif [[ $mode == upstream ]]; then
			die "no upstream test program $OUT/upstream/$p"
		else
			log "WARNING: no upstream test program $OUT/upstream/$p: left out"
		fi
	done
	args+=(-a "${UPSTREAM_ARGS:-}")
fi
"$TOP/testvm/initramfs.sh" "${args[@]}"

vmlog=$CACHE/logs/$kernel-$mode.log
mkdir -p "$CACHE/logs"
timeout_s=${VM_TIMEOUT:-1200}
img_name=$(basename "$(readlink -f "$image")")
# sid keeps the image as modules/<version>/vmlinuz: name the version.
[[ $img_name == vmlinuz ]] && img_name=vmlinuz-$(basename "$(dirname "$(readlink -f "$image")")")
log "boot $img_name mode=$mode (timeout ${timeout_s}s, console: $vmlog)"
start=$(date +%s)
rc=0
# The kselftest harness's 30 s per case assumes real hardware: the debug
# kernel (KASAN, lockdep, kmemleak) under TCG gets 4x (selftests/upstream/
# timeout_scale.c).
ksft_scale=1
[[ $kernel == debug-* ]] && ksft_scale=${KSFT_TIMEOUT_SCALE:-4}
# /dev/kvm exists here but KVM guests die: always TCG. -no-reboot turns the
# guest's final `reboot -f` (and panic=-1 on a panic) into QEMU exiting.
timeout --kill-after=10 "$timeout_s" \
	qemu-system-x86_64 -machine q35,accel=tcg -cpu max -m "${VM_MEM:-2G}" -smp 2 \
	-display none -monitor none -serial stdio -no-reboot -nic none \
	-kernel "$image" -initrd "$CACHE/initramfs/$kernel-$mode.cpio.gz" "${disk[@]}" \
	-append "console=ttyS0 panic=-1 oops=panic mode=$mode deadline=$((timeout_s - 30)) up_timeout=${UPSTREAM_TIMEOUT:-600} hugepages=${VM_HUGEPAGES:-128} ksft_scale=$ksft_scale qdemo=${QEMU_DEMO:-0}" \
	</dev/null >"$vmlog" 2>&1 || rc=$?
secs=$(($(date +%s) - start))
if ((rc == 124 || rc == 137)); then
	echo "@@TIMEOUT after ${timeout_s}s" >>"$vmlog"
fi
echo "$secs" >"$vmlog.secs"
log "QEMU exited (rc $rc) after ${secs}s"
"$TOP/testvm/parse-log.sh" "$kernel" "$mode" "$vmlog"
