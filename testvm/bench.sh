#!/usr/bin/env bash
# `make bench`: upstream iommufd against iommufd_mock.ko, side by side, in one
# QEMU boot of the benchmark kernel (testvm/bench-kernel.sh: linux-source-6.12
# with CONFIG_IOMMUFD=y and CONFIG_IOMMUFD_TEST=y, no checkers).
#
# Steps: build the kernel once (cached), build the module for it and the
# static benchmark program (tools/bench/), pack a busybox initramfs, boot with
# the module loaded beside upstream's /dev/iommu (the module keeps its own
# /dev/iommufd-mock), run iommufd_bench and print its table, the kernel build
# time and the VM run time. Not part of `make check`.
#
# Environment: BENCH_ROUNDS (default 5), BENCH_QUICK=1 (small counts: a smoke
# test of the program, not a benchmark), VM_MEM (default 4G: 1 GiB of 4 KiB
# pages + 1 GiB of hugetlb pages + the kernel's own), BENCH_TIMEOUT (seconds,
# default 1800).
# Output: .cache/bench/logs/vm.log (console), .cache/bench/result.txt (table).
# Exit code: 0 if every figure was measured on both sides and the console
# shows no splat.
set -euo pipefail
LOG_TAG=bench
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

B=$CACHE/bench
KSRC=$B/kernel/src
rounds=${BENCH_ROUNDS:-5}
quick=${BENCH_QUICK:-0}
mkdir -p "$B/logs"

"$TOP/testvm/deps.sh"
"$TOP/testvm/bench-kernel.sh"
image=$KSRC/arch/x86/boot/bzImage
[[ -f $image ]] || die "no bench kernel image $image"

# The module, in a private copy of the sources (as build-module.sh does for
# the test kernels), against the bench kernel tree.
mdir=$B/module
rm -rf "$mdir"
mkdir -p "$mdir"
for p in Makefile Kbuild drivers include; do
	cp -a "$TOP/$p" "$mdir/"
done
log "module for the bench kernel (log $B/logs/module-build.log)"
if ! make -j"$JOBS" -C "$mdir" KDIR="$KSRC" >"$B/logs/module-build.log" 2>&1; then
	tail -n 30 "$B/logs/module-build.log" >&2
	die "module build failed"
fi
ko=$mdir/iommufd_mock.ko

log "benchmark program"
make -s -C "$TOP/tools/bench" OUT="$B/out"
prog=$B/out/iommufd_bench

# initramfs: busybox, the module, the program and a small /init.
[[ -x /bin/busybox ]] || die "no /bin/busybox (install busybox-static)"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp}
cp /bin/busybox "$root/bin/busybox"
cp "$ko" "$root/iommufd_mock.ko"
cp "$prog" "$root/iommufd_bench"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
# Bench VM init (testvm/bench.sh). Markers start with @@.
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
rounds=5 quick=0
for w in $(cat /proc/cmdline); do
	case $w in
	bench.rounds=*) rounds=${w#bench.rounds=} ;;
	bench.quick=*) quick=${w#bench.quick=} ;;
	esac
done
echo "@@BOOTED $(uname -r)"
hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
echo "@@HUGEPAGES $(cat $hp 2>/dev/null || echo none) (2 MiB)"
insmod /iommufd_mock.ko
echo "@@INSMOD $?"
ls -l /dev/iommu /dev/iommufd-mock
args="-r $rounds"
[ "$quick" = 1 ] && args="$args -q"
echo "@@BENCH-BEGIN"
/iommufd_bench $args
echo "@@BENCH-RC $?"
echo "@@BENCH-END"
rmmod iommufd_mock
echo "@@RMMOD $?"
echo "@@DONE"
sync
reboot -f
sleep 30
INIT
chmod +x "$root/init"
initrd=$B/initramfs.cpio.gz
(cd "$root" && find . | sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$initrd"

vmlog=$B/logs/vm.log
timeout_s=${BENCH_TIMEOUT:-1800}
mem=${VM_MEM:-4G}
# 520 pages of 2 MiB: the 1 GiB hugetlb buffer plus a little slack.
append="console=ttyS0 panic=-1 oops=panic loglevel=4 hugepages=520 bench.rounds=$rounds bench.quick=$quick"
log "boot $(cat "$B/kernel/version" 2>/dev/null || echo '?') -m $mem, $rounds rounds (timeout ${timeout_s}s, console $vmlog)"
start=$(date +%s)
rc=0
# TCG: KVM guests die on this machine (see testvm/run-vm.sh).
timeout --kill-after=10 "$timeout_s" \
	qemu-system-x86_64 -machine q35,accel=tcg -cpu max -m "$mem" -smp 2 \
	-display none -monitor none -serial stdio -no-reboot -nic none \
	-kernel "$image" -initrd "$initrd" -append "$append" \
	</dev/null >"$vmlog" 2>&1 || rc=$?
vm_secs=$(($(date +%s) - start))
log "QEMU exited (rc $rc) after ${vm_secs}s"

result=$B/result.txt
{
	echo "iommufd_mock vs upstream iommufd, one boot of $(cat "$B/kernel/version" 2>/dev/null || echo '?')"
	echo "bench kernel build: $(cat "$B/kernel/build-secs" 2>/dev/null || echo '?') s (cached after the first run); VM run: ${vm_secs} s (-m $mem, TCG, -smp 2)"
	sed -n '/^@@BENCH-BEGIN/,/^@@BENCH-END/p' "$vmlog" | tr -d '\r' | grep -v '^@@'
} >"$result"
cat "$result"

bad=0
grep -q '^@@DONE' "$vmlog" || { log "the VM did not finish (rc $rc)"; bad=1; }
grep -q '^@@INSMOD 0' "$vmlog" || { log "insmod failed"; bad=1; }
if ! grep -q '^@@BENCH-RC 0' "$vmlog"; then
	log "iommufd_bench reported failures ($(grep -o '^@@BENCH-RC [0-9]*' "$vmlog" || echo 'no exit code'))"
	bad=1
fi
grep -q '^@@RMMOD 0' "$vmlog" || { log "rmmod failed"; bad=1; }
if grep -nE 'WARNING:|BUG:|Oops|Call Trace|Kernel panic' "$vmlog" >&2; then
	log "splat on the console (see $vmlog)"
	bad=1
fi
((bad == 0)) || die "bench failed (console: $vmlog)"
log "result in $result"
