#!/usr/bin/env bash
# Build the debug 6.12 kernel (KASAN, lockdep, kmemleak, UBSAN, failslab) from
# linux-source-6.12 with tinyconfig + testvm/debug.config, once, into
# .cache/kernels/debug-6.12/src. That tree is both the boot image
# (arch/x86/boot/bzImage) and the KDIR for the module (full build, so it has
# Module.symvers). Rebuilt only when the fragment or the source version change.
set -euo pipefail
LOG_TAG=debug-kernel
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

FRAG=$TOP/testvm/debug.config
DIR=$CACHE/kernels/debug-6.12
SRC=$DIR/src
TARBALL=$CACHE/linux-source-6.12.tar.xz
BUILD_LOG=$CACHE/logs/debug-kernel-build.log
mkdir -p "$CACHE/logs" "$CACHE/kernels"
# Two runs at once must not build (and wipe) the same tree.
exec 9>"$CACHE/kernels/.debug-6.12.lock"
flock 9

[[ -f $TARBALL ]] || "$TOP/testvm/kernels.sh" source
src_ver=$(version_of linux-source-6.12)
# Bump the recipe tag when the build steps below change meaningfully.
want=$( (echo "recipe 1 $src_ver"; cat "$FRAG") | sha256sum | cut -d' ' -f1)

if [[ -f $DIR/.stamp && $(cat "$DIR/.stamp") == "$want" &&
	-f $SRC/arch/x86/boot/bzImage && -f $SRC/Module.symvers ]]; then
	log "already built (linux-source $src_ver, fragment ${want:0:12})"
	exit 0
fi

start=$(date +%s)
rm -rf "$DIR"
mkdir -p "$SRC"
log "extract full linux-source $src_ver"
tar -xJf "$TARBALL" -C "$SRC" --strip-components=1

tiny_kernel_build "$SRC" "$FRAG" "$BUILD_LOG"
echo "$want" >"$DIR/.stamp"
set_version debug-6.12 "$(make -s -C "$SRC" ARCH=x86_64 kernelrelease) (linux-source $src_ver + debug.config ${want:0:12})"
log "built in $(($(date +%s) - start)) s"
