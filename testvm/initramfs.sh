#!/usr/bin/env bash
# Pack a busybox-static initramfs (cpio.gz) that loads the module, runs the
# tests or the demo (kernel command line mode=test|demo|upstream|qemu), unloads the
# module, asks kmemleak for leaks and reboots (QEMU runs with -no-reboot, so
# it exits). Every step prints an @@-marker line that parse-log.sh reads.
#   test      the project's selftests; then, if upstream programs are packed,
#             the module is reloaded as dev_iommu=1 and they run
#   upstream  only the upstream programs (module loaded as dev_iommu=1)
#   demo      the demo
#   qemu      Debian sid's QEMU: the sid root's image (first virtio disk) is
#             mounted read-only at /sid with /dev, /proc, /sys, /tmp bound
#             inside; a bare "-qtest stdio" probe (readl 0x0 must answer
#             OK), then the module is loaded as dev_iommu=1 and each qtest
#             program runs with QTC_QEMU="chroot /sid qemu-system-x86_64"
# Usage: initramfs.sh -o OUT.cpio.gz -m MODULE.ko [-t TESTS_DIR] [-d DEMO_BIN]
#                     [-u UPSTREAM_BIN]... [-a 'UPSTREAM ARGS']
#                     [-k KERNEL_ROOT]   (unpacked kernel package: for the
#                                         module's dependencies, if any)
#                     [-s KMODS_DIR]     (qemu mode: NN-name.ko modules the
#                                         disk needs, from kmods.sh)
#                     [-q QTEST_DIR]     (qemu mode: the qtest programs)
# -u: an upstream kselftest program (selftests/upstream), run in the order
#     given; -a: arguments for each of them (harness filters such as
#     '-f iommufd_ioas'). Kernel command line knobs read by /init:
#     up_timeout=S (wall-clock bound per upstream program, default 600),
#     deadline=S (seconds after boot by which the VM must be done; upstream
#     programs get no more than what is left), hugepages=N (2 MiB hugetlb
#     pages reserved before the upstream run, default 128).
set -euo pipefail
LOG_TAG=initramfs
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

out='' ko='' tests='' demo='' kroot='' up_args='' sidmods='' qtests=''
upstream=()
while getopts o:m:t:d:k:u:a:s:q: opt; do
	case $opt in
	o) out=$OPTARG ;;
	m) ko=$OPTARG ;;
	t) tests=$OPTARG ;;
	d) demo=$OPTARG ;;
	k) kroot=$OPTARG ;;
	u) upstream+=("$OPTARG") ;;
	a) up_args=$OPTARG ;;
	s) sidmods=$OPTARG ;;
	q) qtests=$OPTARG ;;
	*) die "bad option" ;;
	esac
done
[[ -n $out && -f $ko ]] || die "usage: initramfs.sh -o OUT -m MODULE.ko [-t DIR] [-d BIN] [-u BIN]... [-a ARGS] [-k ROOT]"
BUSYBOX=/bin/busybox
# busybox-static's binary: it must run with nothing else in the initramfs.
[[ -x $BUSYBOX ]] || die "no $BUSYBOX (install busybox-static)"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,tests,demo,upstream,lib/deps,lib/sid,qtest,sid}
cp "$BUSYBOX" "$root/bin/busybox"
cp "$ko" "$root/iommufd_mock.ko"

# Modules ours depends on (none expected, but the kernel would refuse to load
# it without them): resolved recursively in the unpacked kernel package, stored
# uncompressed and numbered so /init loads dependencies first.
declare -A seen=()
dep_n=0
add_deps() {
	local mod=$1 d f
	for d in $(modinfo -F depends "$mod" | tr ',' ' '); do
		[[ -n ${seen[$d]:-} ]] && continue
		seen[$d]=1
		[[ -n $kroot ]] || die "module needs '$d' but no kernel root given (-k)"
		f=$(find "$kroot/lib/modules" -name "$d.ko*" -o -name "${d//_/-}.ko*" | head -n 1)
		[[ -n $f ]] || die "dependency module '$d' not found under $kroot/lib/modules"
		local tmp=$root/lib/deps/tmp.ko
		case $f in
		*.xz) xz -dc "$f" >"$tmp" ;;
		*.zst) zstd -dcq "$f" >"$tmp" ;;
		*.gz) gzip -dc "$f" >"$tmp" ;;
		*) cp "$f" "$tmp" ;;
		esac
		add_deps "$tmp" # its own dependencies get lower numbers
		dep_n=$((dep_n + 1))
		mv "$tmp" "$root/lib/deps/$(printf %02d "$dep_n")-$d.ko"
		log "dependency: $d"
	done
}
add_deps "$ko"

if [[ -n $tests ]]; then
	[[ -d $tests ]] || die "no tests folder $tests"
	cp -a "$tests"/. "$root/tests/"
fi
if [[ -n $demo ]]; then
	[[ -f $demo ]] || die "no demo binary $demo"
	cp "$demo" "$root/demo/"
fi
if [[ -n $sidmods ]]; then
	[[ -d $sidmods ]] || die "no modules folder $sidmods"
	# Numbered by kmods.sh in load order; none if all are built in.
	find "$sidmods" -maxdepth 1 -name '*.ko' -exec cp {} "$root/lib/sid/" \;
fi
if [[ -n $qtests ]]; then
	[[ -d $qtests ]] || die "no qtest programs folder $qtests"
	find "$qtests" -maxdepth 1 -type f -perm -u+x -exec cp {} "$root/qtest/" \;
fi
n=0
for u in "${upstream[@]}"; do
	[[ -f $u ]] || die "no upstream test program $u"
	# Numbered: /init runs them in the order given.
	n=$((n + 1))
	cp "$u" "$root/upstream/$n-$(basename "$u")"
done
printf '%s\n' "$up_args" >"$root/upstream/args"

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
# Test VM init: see testvm/initramfs.sh. Markers start with @@.
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmpfs /tmp
cd /tmp

finish() {
	echo "@@DONE"
	sync
	reboot -f
	sleep 30
}

mode=test up_timeout=600 deadline=0 hugepages=128 qdemo=0
for w in $(cat /proc/cmdline); do
	case $w in
	mode=*) mode=${w#mode=} ;;
	up_timeout=*) up_timeout=${w#up_timeout=} ;;
	deadline=*) deadline=${w#deadline=} ;;
	hugepages=*) hugepages=${w#hugepages=} ;;
	qdemo=*) qdemo=${w#qdemo=} ;;
	ksft_scale=*) export KSFT_TIMEOUT_SCALE=${w#ksft_scale=} ;;
	esac
done
echo "@@BOOTED $(uname -r) mode=$mode"

kml=/sys/kernel/debug/kmemleak
# Forget what kmemleak found during boot: only our module's leaks matter.
[ -e $kml ] && echo clear >$kml

uptime_s() { cut -d. -f1 /proc/uptime; }

# insmod with the given parameters; the run needs device node $1.
load_module() {
	node=$1
	shift
	insmod /iommufd_mock.ko "$@"
	rc=$?
	echo "@@INSMOD $rc $*"
	if [ $rc -ne 0 ]; then
		dmesg | tail -n 20
		return 1
	fi
	echo "@@MODULE-LOADED $*"
	if [ ! -c "$node" ]; then
		echo "@@NODEV $node missing; /dev holds:"
		ls /dev
	fi
	return 0
}

unload_module() {
	# Up to 10 s for files still being closed by exiting processes.
	i=0
	while [ "$(cat /sys/module/iommufd_mock/refcnt 2>/dev/null)" != 0 ] && [ $i -lt 10 ]; do
		sleep 1
		i=$((i + 1))
	done
	rmmod iommufd_mock
	echo "@@RMMOD $?"
}

have_upstream() {
	for t in /upstream/*; do
		[ -f "$t" ] && [ -x "$t" ] && return 0
	done
	return 1
}

# Upstream's kselftests want /dev/iommu and hugetlb pages. Each program
# runs under a wall-clock bound (up_timeout, cut to what is left before the
# VM's deadline), then whatever it left behind is killed.
run_upstream() {
	echo "@@UPSTREAM"
	hp=/proc/sys/vm/nr_hugepages
	if [ -w $hp ]; then
		echo "$hugepages" >$hp
		echo "@@HUGEPAGES $(cat $hp) of $hugepages"
	else
		echo "@@HUGEPAGES none (no hugetlbfs in this kernel)"
	fi
	load_module /dev/iommu dev_iommu=1 || return
	args=$(cat /upstream/args)
	for t in /upstream/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		name=${t##*/}
		name=${name#*-}
		bound=$up_timeout
		if [ "$deadline" -gt 0 ]; then
			# 90 s kept for rmmod, kmemleak and the reboot.
			left=$((deadline - $(uptime_s) - 90))
			[ $left -lt $bound ] && bound=$left
		fi
		if [ $bound -lt 30 ]; then
			echo "@@URESULT $name notime 0"
			continue
		fi
		echo "@@URUN $name bound=${bound}s args=$args"
		t0=$(uptime_s)
		# $args unquoted: one word per argument.
		timeout -s KILL $bound "$t" $args
		rc=$?
		echo "@@URESULT $name $rc $(($(uptime_s) - t0))"
		# A test child of a killed harness may still hold /dev/iommu
		# (from PID 1, -1 is every process but init).
		kill -KILL -1 2>/dev/null
	done
	unload_module
}

# The sid root's image (run-vm.sh attaches it as the first virtio disk),
# read-only at /sid; the VM's /dev (with the module's nodes), /proc, /sys
# and /tmp (the qtest sockets) are bound inside.
mount_sid() {
	for m in /lib/sid/*.ko; do
		[ -e "$m" ] || continue
		insmod "$m"
		echo "@@SIDMOD ${m##*/} $?"
	done
	i=0
	while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if ! mount -t ext4 -o ro /dev/vda /sid; then
		echo "@@SID-MOUNT-FAILED; /dev holds:"
		ls /dev
		return 1
	fi
	for d in dev proc sys tmp; do
		mount -o bind /$d /sid/$d || return 1
	done
	echo "@@SID-MOUNTED debian $(cat /sid/etc/debian_version)"
}

uptime_cs() { tr -d . </proc/uptime | cut -d' ' -f1; }

# The bare probe: "-qtest stdio" answers "readl 0x0" with OK. QEMU keeps
# running after its stdin closes, so it is fed through a fifo and killed
# once it answered (or after 60 s).
qemu_probe() {
	q="chroot /sid qemu-system-x86_64"
	echo "@@QEMU-VERSION $($q --version | head -n 1)"
	rm -f /tmp/probe.in /tmp/probe.out /tmp/probe.err
	mkfifo /tmp/probe.in
	t0=$(uptime_cs)
	$q -M q35 -accel qtest -display none -qtest stdio -nodefaults -qtest-log none \
		</tmp/probe.in >/tmp/probe.out 2>/tmp/probe.err &
	pid=$!
	exec 3>/tmp/probe.in
	echo "readl 0x0" >&3
	i=0
	while ! grep -q . /tmp/probe.out && [ $i -lt 600 ] && kill -0 $pid 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	t1=$(uptime_cs)
	kill $pid 2>/dev/null
	wait $pid
	exec 3>&-
	reply=$(head -n 1 /tmp/probe.out)
	case $reply in
	"OK "*) echo "@@QEMU-PROBE OK readl 0x0 -> $reply in $(((t1 - t0) * 10)) ms" ;;
	*)
		echo "@@QEMU-PROBE FAIL readl 0x0 -> '${reply:-no reply}'; QEMU said:"
		cat /tmp/probe.err
		;;
	esac
}

run_qtests() {
	# make demo-qemu: only the walkthroughs, narrated, as transcripts
	if [ "$qdemo" = 1 ]; then
		for name in vfio_pci_test vtd_nested_test; do
			[ -x /qtest/$name ] || continue
			echo "@@RUN $name"
			t0=$(uptime_cs)
			QTC_QEMU="chroot /sid qemu-system-x86_64" QTC_LOG=/tmp/demo.$name.log TMPDIR=/tmp \
				/qtest/$name -d >/tmp/demo.out 2>&1
			rc=$?
			t1=$(uptime_cs)
			dmesg -n 1
			echo "@@DEMO-BEGIN $name"
			cat /tmp/demo.out
			echo "@@DEMO-END $name"
			dmesg -n 7
			echo "@@RESULT $name $rc $(((t1 - t0) * 10)) ms"
		done
		return
	fi
	for t in /qtest/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		name=${t##*/}
		echo "@@RUN $name"
		t0=$(uptime_cs)
		QTC_QEMU="chroot /sid qemu-system-x86_64" QTC_LOG=/tmp/$name.qemu.log TMPDIR=/tmp "$t"
		rc=$?
		if [ $rc -ne 0 ] && [ -s /tmp/$name.qemu.log ]; then
			echo "# QEMU's output:"
			sed 's/^/#   /' /tmp/$name.qemu.log
		fi
		t1=$(uptime_cs)
		echo "@@RESULT $name $rc $(((t1 - t0) * 10)) ms"
	done
}

# Splats are looked for from here on (parse-log.sh).
echo "@@LOADING-MODULE"
for d in /lib/deps/*.ko; do
	[ -e "$d" ] || continue
	insmod "$d"
	echo "@@DEPMOD $d $?"
done

case $mode in
test)
	if load_module /dev/iommufd-mock; then
		for t in /tests/*; do
			[ -f "$t" ] && [ -x "$t" ] || continue
			name=${t##*/}
			echo "@@RUN $name"
			"$t"
			echo "@@RESULT $name $?"
		done
		unload_module
	fi
	have_upstream && run_upstream
	;;
upstream)
	run_upstream
	;;
demo)
	if load_module /dev/iommufd-mock; then
		for t in /demo/*; do
			[ -f "$t" ] && [ -x "$t" ] || continue
			name=${t##*/}
			# Output to a file, printed with kernel console messages muted, so
			# the transcript is not interleaved with kernel noise (everything
			# the kernel printed while the demo ran is on the console already).
			"$t" >/tmp/demo.out 2>&1
			rc=$?
			dmesg -n 1
			echo "@@DEMO-BEGIN $name"
			cat /tmp/demo.out
			echo "@@DEMO-END $name"
			dmesg -n 7
			echo "@@RESULT $name $rc"
		done
		unload_module
	fi
	;;
qemu)
	if mount_sid; then
		qemu_probe
		if load_module /dev/iommu dev_iommu=1; then
			run_qtests
			unload_module
		fi
	fi
	;;
*)
	echo "@@ERROR unknown mode $mode"
	;;
esac

if [ -e $kml ]; then
	# kmemleak ignores objects younger than 5 s; scan twice so that
	# references seen in flight by the first scan are settled.
	sleep 6
	echo scan >$kml
	sleep 2
	echo scan >$kml
	echo "@@KMEMLEAK-BEGIN"
	cat $kml
	echo "@@KMEMLEAK-END"
else
	echo "@@KMEMLEAK unavailable"
fi
finish
INIT
chmod +x "$root/init"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
log "wrote $out ($(du -h "$out" | cut -f1))"
