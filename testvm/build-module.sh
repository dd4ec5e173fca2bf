#!/usr/bin/env bash
# Build iommufd_mock.ko for one test kernel, in a private copy of the sources
# (.cache/build/<kernel>/) so several kernels never share objects, through the
# top-level Makefile. Extra make arguments are passed on (e.g. W=1, C=2 sparse).
# Usage: build-module.sh <cloud-6.12|cloud-6.1|debug-6.12|cloud-sid> [make target/vars...]
# The full output goes to .cache/logs/<kernel>-build.log (or -<target>.log).
# cloud-sid: make runs in the Debian sid root (testvm/sid-root.sh) with its
# gcc-16 (Debian 12's gcc-12 rejects the flags sid's kernel is built with),
# the build folder and the kernel tree bound at their own paths, /proc
# mounted (objtool needs it).
set -euo pipefail
LOG_TAG=build-module
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=${1:?usage: build-module.sh <kernel> [make args...]}
shift
kdir=$(kernel_kdir "$kernel")
[[ -e $kdir/Makefile ]] || die "$kernel: no kbuild tree at $kdir (run testvm/kernels.sh / debug-kernel.sh)"

# sparse gets its own copy: it must compile every file again.
suffix=build
[[ " $* " == *" sparse "* ]] && suffix=sparse
bdir=$CACHE/build/$kernel-$suffix
blog=$CACHE/logs/$kernel-$suffix.log
mkdir -p "$CACHE/logs"

[[ -f $TOP/Kbuild ]] || die "no Kbuild at the repo top: nothing to build"
rm -rf "$bdir"
mkdir -p "$bdir"
# Only what kbuild reads; a fresh copy makes every build a full, warning-
# complete one (2 s per kernel).
for p in Makefile Kbuild drivers include; do
	[[ -e $TOP/$p ]] && cp -a "$TOP/$p" "$bdir/"
done

log "$kernel: make $* (in $bdir, log $blog)"
kdir_real=$(cd "$kdir" && pwd -P)
run=()
mdir=$bdir # check.sh finds sparse's reports by this path
if [[ $kernel == cloud-sid ]]; then
	"$TOP/testvm/sid-root.sh" >/dev/null
	# Physical paths: a symlinked .cache must not hide them from the root.
	mdir=$(cd "$bdir" && pwd -P)
	SID_BINDS="$mdir $(cd "$(kernel_dir cloud-sid)" && pwd -P)"
	export SID_BINDS
	run=(sid_chroot "$SID_ROOT")
fi
if "${run[@]}" make -j"$JOBS" -C "$mdir" KDIR="$kdir_real" "$@" >"$blog" 2>&1; then
	rc=0
else
	rc=$?
fi
if ((rc != 0)); then
	tail -n 30 "$blog" >&2
	log "$kernel: make $* failed (rc $rc)"
	exit "$rc"
fi
log "$kernel: ok"
