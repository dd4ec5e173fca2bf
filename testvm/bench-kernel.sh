#!/usr/bin/env bash
# Build the benchmark 6.12 kernel (upstream iommufd + its selftest mock, no
# checkers) from linux-source-6.12 with tinyconfig + testvm/bench.config, once,
# into .cache/bench/kernel/src. That tree is both the boot image
# (arch/x86/boot/bzImage) and the KDIR for the module (full build, so it has
# Module.symvers). Rebuilt only when the fragment or the source version change.
# The build time is kept in .cache/bench/kernel/build-secs, the kernel release
# and recipe in .cache/bench/kernel/version.
set -euo pipefail
LOG_TAG=bench-kernel
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

FRAG=$TOP/testvm/bench.config
DIR=$CACHE/bench/kernel
SRC=$DIR/src
TARBALL=$CACHE/linux-source-6.12.tar.xz
BUILD_LOG=$CACHE/bench/logs/kernel-build.log
mkdir -p "$CACHE/bench/logs"
# Two runs at once must not build (and wipe) the same tree.
exec 9>"$CACHE/bench/.kernel.lock"
flock 9

[[ -f $TARBALL ]] || "$TOP/testvm/kernels.sh" source
src_ver=$(version_of linux-source-6.12)
# Bump the recipe tag when the build steps below change meaningfully.
want=$( (echo "bench recipe 1 $src_ver"; cat "$FRAG") | sha256sum | cut -d' ' -f1)

if [[ -f $DIR/.stamp && $(cat "$DIR/.stamp") == "$want" &&
	-f $SRC/arch/x86/boot/bzImage && -f $SRC/Module.symvers ]]; then
	log "already built (linux-source $src_ver, fragment ${want:0:12}, built in $(cat "$DIR/build-secs" 2>/dev/null || echo '?') s)"
	exit 0
fi

start=$(date +%s)
rm -rf "$DIR"
mkdir -p "$SRC"
: >"$BUILD_LOG"
log "extract full linux-source $src_ver"
tar -xJf "$TARBALL" -C "$SRC" --strip-components=1
extracted=$(date +%s)

tiny_kernel_build "$SRC" "$FRAG" "$BUILD_LOG"
end=$(date +%s)
echo "$want" >"$DIR/.stamp"
echo "$((end - start))" >"$DIR/build-secs"
echo "$(make -s -C "$SRC" ARCH=x86_64 kernelrelease) (linux-source $src_ver + bench.config ${want:0:12})" >"$DIR/version"
log "built in $((end - start)) s (extract $((extracted - start)) s, configure + build $((end - extracted)) s, -j$JOBS)"
