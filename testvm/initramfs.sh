#!/usr/bin/env bash
# Pack a busybox-static initramfs (cpio.gz) that loads the module, runs the
# tests or the demo (kernel command line mode=test|demo), unloads the module,
# asks kmemleak for leaks and reboots (QEMU runs with -no-reboot, so it exits).
# Every step prints an @@-marker line that parse-log.sh reads.
# Usage: initramfs.sh -o OUT.cpio.gz -m MODULE.ko [-t TESTS_DIR] [-d DEMO_BIN]
#                     [-k KERNEL_ROOT]   (unpacked kernel package: for the
#                                         module's dependencies, if any)
set -euo pipefail
LOG_TAG=initramfs
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

out='' ko='' tests='' demo='' kroot=''
while getopts o:m:t:d:k: opt; do
	case $opt in
	o) out=$OPTARG ;;
	m) ko=$OPTARG ;;
	t) tests=$OPTARG ;;
	d) demo=$OPTARG ;;
	k) kroot=$OPTARG ;;
	*) die "bad option" ;;
	esac
done
[[ -n $out && -f $ko ]] || die "usage: initramfs.sh -o OUT -m MODULE.ko [-t DIR] [-d BIN] [-k ROOT]"
BUSYBOX=/bin/busybox
# busybox-static's binary: it must run with nothing else in the initramfs.
[[ -x $BUSYBOX ]] || die "no $BUSYBOX (install busybox-static)"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,tests,demo,lib/deps}
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

mode=test
for w in $(cat /proc/cmdline); do
	case $w in mode=*) mode=${w#mode=} ;; esac
done
echo "@@BOOTED $(uname -r) mode=$mode"

kml=/sys/kernel/debug/kmemleak
# Forget what kmemleak found during boot: only our module's leaks matter.
[ -e $kml ] && echo clear >$kml

# Splats are looked for from here on (parse-log.sh).
echo "@@LOADING-MODULE"
for d in /lib/deps/*.ko; do
	[ -e "$d" ] || continue
	insmod "$d"
	echo "@@DEPMOD $d $?"
done
insmod /iommufd_mock.ko
rc=$?
echo "@@INSMOD $rc"
if [ $rc -ne 0 ]; then
	dmesg | tail -n 20
	finish
fi
echo "@@MODULE-LOADED"
if [ ! -c /dev/iommufd-mock ]; then
	echo "@@NODEV /dev/iommufd-mock missing; /dev holds:"
	ls /dev
fi

case $mode in
test)
	for t in /tests/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		name=${t##*/}
		echo "@@RUN $name"
		"$t"
		echo "@@RESULT $name $?"
	done
	;;
demo)
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
	;;
*)
	echo "@@ERROR unknown mode $mode"
	;;
esac

rmmod iommufd_mock
echo "@@RMMOD $?"

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
