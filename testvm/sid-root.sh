#!/usr/bin/env bash
# Build, once, a Debian sid root holding Debian's unmodified QEMU
# (qemu-system-x86, 11.1.x today) and what building a module for sid's kernel
# needs (gcc-16, make, libelf-dev, bc, flex, bison, libssl-dev, kmod, cpio,
# dwarves), then its ext4 image for the test VM (attached as virtio-blk and
# mounted read-only by the VM's init, see initramfs.sh -s).
#   .cache/sid-root/root        the root (debootstrap --variant=minbase)
#   .cache/sid-root/root.ext4   its image (mkfs.ext4 -d, no journal, sparse)
#   .cache/sid-root/stamp       what is in it: package versions, QEMU's
#                               version, size, build time
# Usage: sid-root.sh [--rebuild]
# A second run finds the stamp and says so in one line (well under a
# second); the stamp holds the details. The root is rebuilt when the
# package list in this script changes or with --rebuild; sid moves daily,
# so --rebuild is also how to pick up a newer QEMU.
# The mirror comes from this machine's own apt sources (lib.sh
# debian_mirror; DEBIAN_MIRROR overrides). Needs root (debootstrap, chroot,
# mounts in a private namespace); re-runs itself with sudo otherwise.
set -euo pipefail
LOG_TAG=sid-root
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

# Build tools for modules against sid's kernel (GUIDE section 8), then QEMU
# without its recommends (no GUI, spice, OVMF, qemu-utils, block-extra).
BUILD_PKGS=(gcc-16 make libelf-dev bc flex bison libssl-dev kmod cpio dwarves)
QEMU_PKGS=(qemu-system-x86)
# Versions recorded in the stamp.
STAMP_PKGS=(qemu-system-x86 qemu-system-data seabios libc6 gcc-16 binutils make dwarves kmod)
# Changing any of these rebuilds the root.
SPEC="minbase sid; ${BUILD_PKGS[*]}; ${QEMU_PKGS[*]}; nodoc"
STAMP=$SID_DIR/stamp
BLOG=$CACHE/logs/sid-root.log

rebuild=0
case ${1:-} in
'') ;;
--rebuild) rebuild=1 ;;
*) die "usage: sid-root.sh [--rebuild]" ;;
esac

if [[ $(id -u) != 0 ]]; then
	command -v sudo >/dev/null || die "needs root (debootstrap, chroot, mounts)"
	exec sudo -E "$0" "$@"
fi

mkdir -p "$SID_DIR" "$CACHE/logs"
exec 9>"$SID_DIR/.lock"
flock 9

stamp_get() { sed -n "s/^$1=//p" "$STAMP" 2>/dev/null | tail -n 1; }
summary() {
	log "QEMU: $(stamp_get qemu)"
	log "root: $(stamp_get size_mb) MB, built in $(stamp_get build_s) s on $(stamp_get built)"
	log "image: $SID_IMAGE ($(stamp_get image_mb) MB used of $(stamp_get image_size_mb) MB, made in $(stamp_get image_s) s)"
	log "packages: $(stamp_get packages)"
}

root_ok() {
	[[ -f $STAMP && $(stamp_get spec) == "$SPEC" && -x $SID_ROOT/usr/bin/qemu-system-x86_64 &&
		-x $SID_ROOT/usr/bin/gcc-16 ]]
}

# --- the root ----------------------------------------------------------------
build_root() {
	command -v debootstrap >/dev/null || "$TOP/testvm/deps.sh"
	command -v debootstrap >/dev/null || die "no debootstrap"
	local mirror new=$SID_DIR/root.new t0 versions qver
	mirror=$(debian_mirror) || die "no Debian mirror found in /etc/apt sources (set DEBIAN_MIRROR)"
	t0=$(date +%s)
	rm -rf "$new" "$SID_IMAGE" "$STAMP"
	: >"$BLOG"
	log "debootstrap --variant=minbase sid with ${BUILD_PKGS[*]} (mirror from the apt sources; log $BLOG)"
	if ! debootstrap --variant=minbase --include="$(
		IFS=,
		echo "${BUILD_PKGS[*]}"
	)" sid "$new" "$mirror" >>"$BLOG" 2>&1; then
		tail -n 20 "$BLOG" >&2
		die "debootstrap failed (log $BLOG)"
	fi
	log "debootstrap done after $(($(date +%s) - t0)) s"

	# apt in the root: the same mirror, no recommends, and the stale
	# Release file accepted. Documentation stays out (copyright files kept).
	echo "deb $mirror sid main" >"$new/etc/apt/sources.list"
	cat >"$new/etc/apt/apt.conf.d/90iommufd-mock" <<-'EOF'
		Acquire::Check-Valid-Until "false";
		APT::Install-Recommends "false";
		APT::Install-Suggests "false";
	EOF
	cat >"$new/etc/dpkg/dpkg.cfg.d/90iommufd-mock-nodoc" <<-'EOF'
		path-exclude /usr/share/doc/*
		path-include /usr/share/doc/*/copyright
		path-exclude /usr/share/man/*
		path-exclude /usr/share/info/*
		path-exclude /usr/share/locale/*
	EOF
	find "$new/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
	rm -rf "$new"/usr/share/{man,info,locale}/*
	# No services are started from a chroot.
	printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"
	chmod +x "$new/usr/sbin/policy-rc.d"

	log "apt-get install ${QEMU_PKGS[*]} (no recommends)"
	if ! { sid_chroot "$new" apt-get "${SID_APT_OPTS[@]}" update &&
		sid_chroot "$new" apt-get "${SID_APT_OPTS[@]}" install -y "${QEMU_PKGS[@]}"; } >>"$BLOG" 2>&1; then
		tail -n 20 "$BLOG" >&2
		die "apt-get in the sid root failed (log $BLOG)"
	fi
	sid_chroot "$new" apt-get clean >>"$BLOG" 2>&1
	# The package lists are 100+ MB: gone (apt-get update brings them back).
	rm -rf "$new"/var/lib/apt/lists/* "$new"/var/cache/apt/*.bin

	qver=$(sid_chroot "$new" qemu-system-x86_64 --version | head -n 1)
	[[ $qver == QEMU* ]] || die "QEMU in the sid root does not run: $qver"
	# shellcheck disable=SC2016 # dpkg-query fields, not shell
	versions=$(sid_chroot "$new" dpkg-query -W -f '${Package}=${Version} ' "${STAMP_PKGS[@]}")
	rm -rf "$SID_ROOT"
	mv "$new" "$SID_ROOT"
	{
		echo "spec=$SPEC"
		echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "build_s=$(($(date +%s) - t0))"
		echo "size_mb=$(du -sm "$SID_ROOT" | cut -f1)"
		echo "qemu=$qver"
		echo "packages=${versions% }"
	} >"$STAMP.tmp"
	mv "$STAMP.tmp" "$STAMP"
	log "root ready: $(stamp_get size_mb) MB in $(stamp_get build_s) s"
}

# --- its image ------------------------------------------------------------
# ext4 without a journal: mounted read-only by the VM, so there is nothing
# to replay; ext4 is built into the Debian cloud kernels, virtio_blk is a
# module the initramfs carries. Sized at the root's size plus 15% and
# 64 MB for metadata; the file is sparse.
image_ok() {
	[[ -f $SID_IMAGE && -n $(stamp_get image_s) && ! $SID_IMAGE -ot $STAMP ]]
}
build_image() {
	local t0 mb
	t0=$(date +%s)
	mb=$(du -sm "$SID_ROOT" | cut -f1)
	mb=$((mb * 115 / 100 + 64))
	log "mkfs.ext4 -d root -> $(basename "$SID_IMAGE") (${mb} MB)"
	rm -f "$SID_IMAGE" "$SID_IMAGE.tmp"
	truncate -s "${mb}M" "$SID_IMAGE.tmp"
	if ! mkfs.ext4 -q -F -L sidroot -O ^has_journal -E root_owner=0:0 -d "$SID_ROOT" \
		"$SID_IMAGE.tmp" >>"$BLOG" 2>&1; then
		tail -n 20 "$BLOG" >&2
		die "mkfs.ext4 failed (log $BLOG)"
	fi
	mv "$SID_IMAGE.tmp" "$SID_IMAGE"
	sed -i '/^image_/d' "$STAMP"
	{
		echo "image_s=$(($(date +%s) - t0))"
		echo "image_size_mb=$mb"
		echo "image_mb=$(du -sm "$SID_IMAGE" | cut -f1)"
	} >>"$STAMP"
	# The stamp is newer now, the image must not look stale.
	touch "$SID_IMAGE"
}

if ((rebuild == 0)) && root_ok; then
	if image_ok; then
		log "cached: $(stamp_get qemu), $(stamp_get size_mb) MB ($STAMP)"
		exit 0
	fi
else
	build_root
fi
build_image
summary
