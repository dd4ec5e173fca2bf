#!/usr/bin/env bash
# Fuzz and stress iommufd_mock.ko in a QEMU VM for a bounded time.
# Usage: fuzz.sh <cloud-6.12|cloud-6.1|debug-6.12> <seconds> [seed]
#
# Builds the module for the kernel (build-module.sh, W=1) and the static
# programs of tools/fuzz/, packs an initramfs (initramfs.sh, mode=test)
# whose only test is a wrapper that runs iommufd_fuzz on /dev/iommufd-mock
# for 60 % of <seconds>, unloads the module (the unload must work: nothing
# may be left behind), loads it again as /dev/iommu (dev_iommu=1) and runs
# iommufd_stress there for the rest. The VM's own init unloads the module at
# the end and, on the debug kernel, asks kmemleak.
#
# The console (.cache/logs/<kernel>-fuzz.log) is judged by parse-log.sh
# (boot, splats from the module load on, rmmod, kmemleak, the wrapper's
# result) and by the programs' own PROBLEM and summary lines. Last line:
#   fuzz: N iterations, M ops, K problems
# N counts fuzzer iterations plus stress rounds, M both programs' ioctls
# and file operations, K every problem found (0 means a clean run).
# Exit code: 0 only when K is 0. The seed is printed; give it as third
# argument to run the same sequence again (iteration-level replay commands
# are printed with each problem).
# Environment: VM_MEM (default 2G), FUZZ_WATCHDOG (seconds without progress
# before a program declares a hang, default 120), VM_TIMEOUT (default
# <seconds> + 900), FUZZ_ARGS / STRESS_ARGS (more options for either
# program, e.g. STRESS_ARGS="-x VDEVICE" to steer around a known bug).
set -euo pipefail
kernel=${1:?usage: fuzz.sh <kernel> <seconds> [seed]}
seconds=${2:?usage: fuzz.sh <kernel> <seconds> [seed]}
seed=${3:-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')}
seed=${seed#0x}
LOG_TAG="fuzz $kernel"
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

[[ $seconds =~ ^[0-9]+$ ]] && ((seconds > 0)) || die "seconds must be a positive integer"
[[ $seed =~ ^[0-9a-fA-F]+$ ]] || die "seed must be hexadecimal"
image=$(kernel_image "$kernel")
[[ -f $image ]] || die "no kernel image $image (run testvm/kernels.sh or testvm/debug-kernel.sh)"
watchdog=${FUZZ_WATCHDOG:-120}
fuzz_s=$((seconds * 6 / 10))
((fuzz_s > 0)) || fuzz_s=1
stress_s=$((seconds - fuzz_s))
((stress_s > 0)) || stress_s=1
log "seed 0x$seed, $seconds s: iommufd_fuzz ${fuzz_s} s, iommufd_stress ${stress_s} s"

"$TOP/testvm/build-module.sh" "$kernel" W=1
ko=$CACHE/build/$kernel-build/iommufd_mock.ko
[[ -f $ko ]] || die "no module built for $kernel ($ko)"
progs=$CACHE/out/fuzz
make -s -C "$TOP/tools/fuzz" OUT="$progs"

tests=$CACHE/fuzz/$kernel-tests
rm -rf "$tests"
mkdir -p "$tests/bin"
cp "$progs/iommufd_fuzz" "$progs/iommufd_stress" "$tests/bin/"
# The wrapper is the only executable file at the top of /tests: init runs it.
cat >"$tests/fuzz_wrapper" <<EOF
#!/bin/sh
# Written by testvm/fuzz.sh: seed 0x$seed, $seconds s.
bin=/tests/bin
echo 32 >/proc/sys/vm/nr_hugepages 2>/dev/null
echo "# hugetlb pages: \$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo none)"
fail=0 pass=0
# "#  RUN" lines: parse-log.sh shows a failed case's lines from there on
echo "#  RUN iommufd_fuzz"
\$bin/iommufd_fuzz -t $fuzz_s -s 0x$seed -w $watchdog -d /dev/iommufd-mock ${FUZZ_ARGS:-} </dev/null
rc=\$?
echo "@@FUZZ-RESULT iommufd_fuzz \$rc"
if [ \$rc -eq 0 ]; then pass=\$((pass + 1)); echo "ok 1 iommufd_fuzz"; else fail=\$((fail + 1)); echo "not ok 1 iommufd_fuzz # exit \$rc"; fi

# Everything the fuzzer made must be gone: the module unloads.
echo "#  RUN rmmod"
rmmod iommufd_mock
rc=\$?
echo "@@FUZZ-RMMOD \$rc"
if [ \$rc -eq 0 ]; then pass=\$((pass + 1)); echo "ok 2 rmmod after iommufd_fuzz"; else fail=\$((fail + 1)); echo "not ok 2 rmmod after iommufd_fuzz"; fi

echo "#  RUN iommufd_stress"
if [ \$rc -eq 0 ] && insmod /iommufd_mock.ko dev_iommu=1 && [ -c /dev/iommu ]; then
	\$bin/iommufd_stress -t $stress_s -s 0x$seed -w $watchdog -d /dev/iommu ${STRESS_ARGS:-} </dev/null
	rc=\$?
	echo "@@FUZZ-RESULT iommufd_stress \$rc"
	rmmod iommufd_mock
	rm_rc=\$?
	echo "@@FUZZ-RMMOD \$rm_rc"
	[ \$rm_rc -eq 0 ] || rc=1
else
	echo "@@FUZZ-RESULT iommufd_stress not-run"
	rc=1
fi
if [ \$rc -eq 0 ]; then pass=\$((pass + 1)); echo "ok 3 iommufd_stress on /dev/iommu"; else fail=\$((fail + 1)); echo "not ok 3 iommufd_stress on /dev/iommu # exit \$rc"; fi

# Leave the module loaded as init found it: init unloads it and asks kmemleak.
lsmod | grep -q '^iommufd_mock ' || insmod /iommufd_mock.ko
echo "# Totals: pass:\$pass fail:\$fail xfail:0 xpass:0 skip:0 error:0"
[ \$fail -eq 0 ]
EOF
chmod +x "$tests/fuzz_wrapper"

initrd=$CACHE/initramfs/$kernel-fuzz.cpio.gz
args=(-o "$initrd" -m "$ko" -t "$tests")
[[ $kernel == cloud-* ]] && args+=(-k "$(kernel_dir "$kernel")/root")
"$TOP/testvm/initramfs.sh" "${args[@]}"

vmlog=$CACHE/logs/$kernel-fuzz.log
mkdir -p "$CACHE/logs"
timeout_s=${VM_TIMEOUT:-$((seconds + 900))}
log "boot $(basename "$(readlink -f "$image")") (timeout ${timeout_s}s, console: $vmlog)"
start=$(date +%s)
rc=0
# Same machine as run-vm.sh: TCG (KVM guests die here), -no-reboot so the
# guest's final reboot -f ends QEMU.
timeout --kill-after=10 "$timeout_s" \
	qemu-system-x86_64 -machine q35,accel=tcg -cpu max -m "${VM_MEM:-2G}" -smp 2 \
	-display none -monitor none -serial stdio -no-reboot -nic none \
	-kernel "$image" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 oops=panic mode=test" \
	</dev/null >"$vmlog" 2>&1 || rc=$?
secs=$(($(date +%s) - start))
((rc == 124 || rc == 137)) && echo "@@TIMEOUT after ${timeout_s}s" >>"$vmlog"
log "QEMU exited (rc $rc) after ${secs}s"

# --- verdict ---------------------------------------------------------------
clean=$(mktemp)
trap 'rm -f "$clean"' EXIT
tr -d '\r' <"$vmlog" >"$clean"
problems=0
if parse_out=$("$TOP/testvm/parse-log.sh" "$kernel" test "$vmlog" 2>&1); then
	:
else
	# every gate and failed case parse-log.sh names is one problem
	read -r _ gates < <(sed -n 's/.*gates=\([0-9]*\).*/x \1/p' "$vmlog.result")
	read -r _ failed < <(sed -n 's/.*failed=\([0-9]*\).*/x \1/p' "$vmlog.result")
	problems=$((problems + ${gates:-1} + ${failed:-0}))
	((problems > 0)) || problems=1
fi
printf '%s\n' "$parse_out"

# the programs' own findings, with their replay lines and context
if grep -q '^PROBLEM:' "$clean"; then
	echo "  program findings:"
	awk '/^PROBLEM:/ { on = 1; print "    | " $0; next }
		on && /^#/ { print "    | " $0; next }
		{ on = 0 }' "$clean" | head -n 300
fi
sum_field() { # <program> <word before which the number stands>
	sed -n "s/^$1: seed [^,]*, \(.*\)$/\1/p" "$clean" | tail -n 1 |
		sed -n "s/.*\b\([0-9][0-9]*\) $2\b.*/\1/p"
}
f_iter=$(sum_field iommufd_fuzz iterations)
f_ops=$(sum_field iommufd_fuzz ops)
f_prob=$(sum_field iommufd_fuzz problems)
s_rounds=$(sum_field iommufd_stress rounds)
s_ops=$(sum_field iommufd_stress ops)
s_prob=$(sum_field iommufd_stress problems)
if [[ -z $f_iter ]]; then
	echo "  PROBLEM [$kernel] iommufd_fuzz printed no summary line"
	problems=$((problems + 1))
fi
if [[ -z $s_rounds ]]; then
	echo "  PROBLEM [$kernel] iommufd_stress printed no summary line"
	problems=$((problems + 1))
fi
# the programs' problems are already one failed case each in parse-log's
# count; count each finding instead of the case
for p in "${f_prob:-0}" "${s_prob:-0}"; do
	((p > 0)) && problems=$((problems + p - 1))
done
sed -n 's/^\(iommufd_\(fuzz\|stress\): seed.*\)$/  \1/p' "$clean"
echo "fuzz: seed 0x$seed on $kernel, ${secs}s in QEMU (replay: testvm/fuzz.sh $kernel $seconds $seed)"
echo "fuzz: $((${f_iter:-0} + ${s_rounds:-0})) iterations, $((${f_ops:-0} + ${s_ops:-0})) ops, $problems problems"
((problems == 0))
